"""The codebook appendix (Word): each code's guidance, example and counts."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Mm, RGBColor

from tymqual import tables
from tymqual.codebook import Code
from tymqual.formatting import Lang, fmt_date, fmt_fraction
from tymqual.labels import label
from tymqual.reports.model import (
    FALLBACK_DATE,
    QUOTE_MARKS,
    ReportParts,
    clean_cell,
    display_value,
    normalise_zip,
    quote_text,
)
from tymqual.reports.places import review_places
from tymqual.reports.strings import (
    phrase,
)
from tymqual.storage import (
    atomic_write_bytes,
)

# ---------------------------------------------------------------------------- codebook appendix


def _code_counts(report: ReportParts) -> dict[str, tuple[object, object]]:
    """code_path → (coded segments, cases n/N) from the code_frequencies table."""
    freq = report.freq
    if freq is None or freq.empty:
        return {}
    cases = (
        freq["cases_n_of_N"]
        if "cases_n_of_N" in freq
        else [
            fmt_fraction(k, n, lang=report.lang)
            for k, n in zip(freq["cases"], freq["cases_total"], strict=True)
        ]
    )
    return {
        str(path): (segments, shown)
        for path, segments, shown in zip(freq["code_path"], freq["segments"], cases, strict=True)
    }


def _example(report: ReportParts, code: Code) -> str:
    """The example :func:`collect_examples` chose for ``code``."""
    if code.path not in report.examples:
        collect_examples(report)
    return report.examples.get(code.path, "")


def collect_examples(report: ReportParts) -> None:
    """Each code's example for the appendix: the codebook's own, else the first passage
    :func:`tables.quotes` picks; the places in them reviewed as in the report's tables."""
    book = report.project.codebook
    wanted = [c.path for c in book if not str(c.example).strip()]
    picked = tables.quotes(report.project, wanted, per_code=1) if wanted else None
    found = {} if picked is None else {
        str(row["code_path"]): quote_text(row)
        for _, row in picked.drop_duplicates("code_path").iterrows()
    }
    examples = {c.path: _own_example(c) or found.get(c.path, "") for c in book}
    frame = pd.DataFrame({"code_path": list(examples), "quote": list(examples.values())})
    frame = review_places(report, "codebook_examples", frame)
    report.examples.update(zip(frame["code_path"], frame["quote"], strict=True))


def _own_example(code: Code) -> str:
    text = " ".join(str(code.example).split())
    if not text:
        return ""
    return text if text.startswith(QUOTE_MARKS) else f"\u201d{text}\u201d"


def code_guidance(report: ReportParts, code: Code) -> list[tuple[str, str]]:
    lang = report.lang
    segments, cases = _code_counts(report).get(code.path, (0, "\u2013"))
    counts = phrase("counts_text", lang, segments=display_value(segments, 0, lang), cases=cases)
    return [
        (label("definition", lang), code.definition),
        (label("use_when", lang), code.use_when),
        (label("do_not_use_when", lang), code.do_not_use_when),
        (label("example", lang), _example(report, code)),
        (phrase("counts", lang), counts),
    ]


_DOC_LANG = {"fi": "fi-FI", "en": "en-GB"}


def write_docx(report: ReportParts, path: Path) -> None:
    lang, p = report.lang, report.project
    book = p.codebook
    doc = Document()
    _page_and_language(doc, lang)
    doc.add_heading(phrase("appendix_title", lang), level=1)
    head = doc.add_paragraph()
    head.add_run(clean_cell(book.name or p.config.name)).bold = True
    if book.version:
        head.add_run(f" ({phrase('version', lang)} {clean_cell(book.version)})")
    if book.description:
        doc.add_paragraph(clean_cell(book.description))
    when = fmt_date(report.data_time, lang=lang) if report.data_time else "\u2013"
    name = clean_cell(p.config.name)
    doc.add_paragraph(f"{phrase('project', lang)}: {name}. {phrase('data_date', lang)}: {when}.")
    intro = doc.add_paragraph(phrase("codebook_intro", lang))
    intro.runs[0].italic = True
    _code_tree_figure(doc, report)
    _counts_table(doc, report)
    for code in book:
        heading = doc.add_heading("", level=min(code.depth + 2, 9))
        swatch = heading.add_run("\u25a0 ")
        swatch.font.color.rgb = _rgb(code.color)
        heading.add_run(clean_cell(code.name))
        for name, text in code_guidance(report, code):
            para = doc.add_paragraph()
            para.add_run(f"{name}: ").bold = True
            body = para.add_run(clean_cell(text) if str(text).strip() else "\u2013")
            body.italic = name == label("example", lang) and bool(str(text).strip())
    _drop_thumbnail(doc)
    props = doc.core_properties
    when_dt = report.data_time or FALLBACK_DATE
    props.comments = ""
    props.author = "tymqual"
    props.last_modified_by = "tymqual"
    props.language = _DOC_LANG[lang]
    props.title = clean_cell(f"{phrase('sec_codebook', lang)}: {book.name or p.config.name}")
    props.created = when_dt.replace(tzinfo=None)
    props.modified = when_dt.replace(tzinfo=None)
    props.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    atomic_write_bytes(path, normalise_zip(buffer.getvalue(), when_dt))


def _page_and_language(doc: Any, lang: Lang) -> None:
    """A4 with 2.5 cm margins, and the document's language, so that Word checks the
    spelling of Finnish as Finnish (the template says en-US)."""
    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(25)
        section.top_margin = section.bottom_margin = Mm(25)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    for node in defaults.iter(qn("w:lang")):
        node.set(qn("w:val"), _DOC_LANG[lang])
        node.set(qn("w:eastAsia"), _DOC_LANG[lang])


def _rgb(color: str) -> RGBColor:
    text = str(color).lstrip("#")
    try:
        return RGBColor.from_string(text.upper()) if len(text) == 6 else RGBColor(0x66, 0x66, 0x66)
    except ValueError:
        return RGBColor(0x66, 0x66, 0x66)


def _code_tree_figure(doc: Any, report: ReportParts) -> None:
    """The code tree (with the codes' colours) and its numbered caption, as in the report."""
    fig = next((f for f in report.figures if f.key == "code_tree"), None)
    if fig is None:
        return
    png = next(path for path in fig.paths if path.suffix == ".png")
    doc.add_picture(str(png), width=Mm(160))
    doc.add_paragraph(
        f"{label('figure', report.lang)} {fig.number}. {clean_cell(fig.caption)}", style="Caption"
    )


def _counts_table(doc: Any, report: ReportParts) -> None:
    """Every code with its coded passages and cases, in a table style a template can adopt."""
    lang, book = report.lang, report.project.codebook
    counts = _code_counts(report)
    doc.add_paragraph(phrase("appendix_table", lang), style="Caption")
    heads = [label("code_name", lang), label("segments", lang), label("cases_n_of_N", lang)]
    table = doc.add_table(rows=1, cols=len(heads))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, heads, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    for code in book:
        segments, cases = counts.get(code.path, (0, "\u2013"))
        cells = table.add_row().cells
        cells[0].paragraphs[0].add_run(clean_cell(code.name))
        cells[0].paragraphs[0].paragraph_format.left_indent = Mm(4 * code.depth)
        cells[1].paragraphs[0].add_run(display_value(segments, 0, lang))
        cells[2].paragraphs[0].add_run(str(cases))


def _drop_thumbnail(doc: Any) -> None:
    """Remove the template's preview image, a picture of some other document."""
    rels = doc.part.package.rels
    for r_id, rel in list(rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            rels.pop(r_id)
