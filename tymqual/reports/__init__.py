"""The report a supervisor opens: an Excel workbook, one HTML page and a Word codebook appendix.

:func:`build_report` renders what :mod:`tymqual.tables` and :mod:`tymqual.figures` computed; it
counts nothing itself, so every number in the report is the number a notebook gets from the
same function. Into the folder ``out`` it writes, with Finnish names (English with
``lang="en"``):

``raportti.xlsx`` / ``report.xlsx``
    A contents sheet ("Sisällys") with the project, the date of the data and the numbered
    captions, then one sheet per table: ``Taulukko N. <caption>`` in A1, the table from row 3
    with reader labels as headers (:func:`tymqual.labels.relabel`), the header frozen, numbers
    stored as numbers, and a note row under the table where there is one.
``raportti.html`` / ``report.html``
    One self-contained page (no external CSS, scripts, fonts or images; figures are embedded
    SVG): data description, numbered tables and figures, quotes by theme, the codebook and a
    methods note, with print styles for A4.
``koodikirja.docx`` / ``codebook.docx``
    The codebook as a thesis appendix: each code's definition, when to use it and when not,
    an example quote and its counts.
``kuviot/`` / ``figures/``
    Every figure as PNG (300 dpi) and SVG through :func:`tymqual.figures.save_figure`.

Every reader table passes the disclosure review of :mod:`tymqual.reports.disclosure`: a
breakdown with a group below ``min_cell_size`` is left out, each interview's date, length and
mode are summarised, and survey answers are never shown beside the interviewee's case; a
*Tietosuoja* section lists what was withheld, and ``disclosure_allow`` in ``tymqual.yaml``
lets the author show an item with a reason the methods section cites
(``allow_small_cells=True`` shows small groups for internal work). Reader text names no
setting, file or code internal; those facts are told in a technical appendix. A project of more than
:data:`CASE_FIGURE_LIMIT` cases gets its themes drawn in total rather than case by case and no
code × case heat map (the code × case table has the numbers), and the report says so: a figure
of a thousand cases could not be read.

The same project gives byte-identical files on every run: nothing records when the report was
made. The workbook's and the document's dates are the date of the data (the newest ``created``
in the codings ledger), and their zip entries carry a fixed timestamp.
"""

from __future__ import annotations

from tymqual.reports.build import build_report
from tymqual.reports.collect import grouping_attribute as grouping_attribute
from tymqual.reports.model import CASE_FIGURE_LIMIT, WORDS_PER_PAGE, ReportFiles

__all__ = ["CASE_FIGURE_LIMIT", "WORDS_PER_PAGE", "ReportFiles", "build_report"]
