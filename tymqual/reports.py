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

A table that breaks results down by a case attribute is refused by disclosure control when a
group has fewer cases than ``min_cell_size`` (:class:`~tymqual.errors.DisclosureError`); the
report then leaves it out and says why, unless ``allow_small_cells=True``. A project of more than
:data:`CASE_FIGURE_LIMIT` cases gets its themes drawn in total rather than case by case and no
code × case heat map (the code × case table has the numbers), and the report says so: a figure
of a thousand cases could not be read.

The same project gives byte-identical files on every run: nothing records when the report was
made. The workbook's and the document's dates are the date of the data (the newest ``created``
in the codings ledger), and their zip entries carry a fixed timestamp.
"""

from __future__ import annotations

import base64
import datetime as dt
import errno
import html
import io
import math
import numbers
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.shared import Pt, RGBColor
from matplotlib.figure import Figure
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet
from tqdm.auto import tqdm

import tymqual
from tymqual import agreement, figures, leaks, privacy, tables
from tymqual.codebook import Code, Codebook
from tymqual.errors import DisclosureError, StorageError, TymqualError
from tymqual.formatting import Lang, check_lang, fmt_date, fmt_fraction, fmt_number
from tymqual.labels import LABELS, label, relabel
from tymqual.storage import (
    atomic_write_bytes,
    atomic_write_text,
    describe_os_error,
    safe_xlsx_cell,
    write_failure,
)
from tymqual.surveys import Survey

if TYPE_CHECKING:
    from tymqual.project import Project

__all__ = ["ReportFiles", "build_report"]

WORDS_PER_PAGE = 500
CASE_FIGURE_LIMIT = 40
"""Most cases a figure is drawn case by case for; beyond it the themes are drawn in total and
the code × case heat map is left to its table (a thousand cases would not be readable)."""
# Folders of a project that hold material the analyst made or collected; a report never
# writes there.
SOURCE_FOLDERS = ("transcripts", "documents", "codes", "surveys")
# Zip entries get this timestamp (the earliest a zip can store), so two builds are identical.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_FALLBACK_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_COLUMN_WIDTH_MAX = 60
_HEADER_WIDTH_MAX = 24
# Characters XML 1.0 cannot hold; openpyxl and python-docx refuse them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_QUOTE_MARKS = ("\u201d", "\u201c", "\u201e", '"')
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# Case attributes that identify or date a case rather than group cases.
_NOT_GROUPING = {"case_id", "label", "respondent_id", "sources", "pseudonym", "name", "nimi"}
_DATE_LIKE = re.compile(r"date|pvm|päivä|paiva|aika|time", re.IGNORECASE)

# Reader-facing words of the report; (Finnish, English). Shared vocabulary is in labels.py.
_TEXT: dict[str, tuple[str, str]] = {
    "xlsx": ("raportti.xlsx", "report.xlsx"),
    "html": ("raportti.html", "report.html"),
    "docx": ("koodikirja.docx", "codebook.docx"),
    "figures_dir": ("kuviot", "figures"),
    "report": ("Raportti", "Report"),
    "contents": ("Sisällys", "Contents"),
    "project": ("Projekti", "Project"),
    "data_date": ("Aineiston päivämäärä", "Date of the data"),
    "data_date_note": (
        "viimeisimmän koodauksen päivämäärä",
        "the date of the most recent coding",
    ),
    "made_with": ("Tehty ohjelmalla tymqual", "Made with tymqual"),
    "number": ("Numero", "Number"),
    "caption": ("Otsikko", "Caption"),
    "sheet": ("Välilehti", "Sheet"),
    "file": ("Tiedosto", "File"),
    "not_shown": ("ei näytetä", "not shown"),
    # Table captions
    "data_description": ("Aineiston kuvaus", "Description of the data"),
    "code_frequencies": (
        "Koodatut kohdat ja tapaukset koodeittain",
        "Coded segments and cases by code",
    ),
    "by_attribute": (
        "Koodatut kohdat koodeittain, ryhmittely: {attr}",
        "Coded segments by code and {attr}",
    ),
    "code_case_matrix": ("Koodit tapauksittain", "Codes by case"),
    "agreement": (
        "Koodaajien yhtäpitävyys koodeittain (virkkeet yksikköinä)",
        "Intercoder agreement per code (sentences as units)",
    ),
    "co_occurrence": (
        "Koodien yhteisesiintyminen samassa koodatussa kohdassa",
        "Co-occurrence of codes in the same coded passage",
    ),
    "analysis_table": (
        "Sisällönanalyysin analyysitaulukko: alkuperäiset ja pelkistetyt ilmaukset luokkineen",
        "Content analysis table: original and reduced expressions with their categories",
    ),
    "likert_table": ("Kyselyn väittämien vastausjakaumat", "Responses to the survey statements"),
    "joint_display": (
        "Yhdistetty tarkastelu: teemat ja kyselyn tulokset rinnakkain",
        "Joint display: themes and survey results side by side",
    ),
    "case_summary": ("Tapauskohtainen yhteenveto", "Summary by case"),
    "quotes": ("Esimerkkilainaukset teemoittain", "Example quotes by theme"),
    # Sheet names (≤ 31 characters with the "T1 " prefix)
    "sheet_data_description": ("Aineisto", "Data"),
    "sheet_code_frequencies": ("Koodit", "Codes"),
    "sheet_by_attribute": ("Koodit, {attr}", "Codes by {attr}"),
    "sheet_code_case_matrix": ("Koodit tapauksittain", "Codes by case"),
    "sheet_agreement": ("Yhtäpitävyys", "Agreement"),
    "sheet_co_occurrence": ("Yhteisesiintyminen", "Co-occurrence"),
    "sheet_analysis_table": ("Analyysitaulukko", "Analysis table"),
    "sheet_likert_table": ("Kysely", "Survey"),
    "sheet_joint_display": ("Yhdistetty tarkastelu", "Joint display"),
    "sheet_case_summary": ("Tapausyhteenveto", "Case summary"),
    "sheet_quotes": ("Lainaukset", "Quotes"),
    # Figure captions and file stems
    "fig_theme_frequency": (
        "Koodatut kohdat teemoittain ja tapauksittain",
        "Coded segments by theme and case",
    ),
    "fig_code_case_heatmap": (
        "Koodatut kohdat koodeittain ja tapauksittain (lämpökartta)",
        "Coded segments by code and case (heat map)",
    ),
    "fig_cooccurrence_heatmap": (
        "Koodien yhteisesiintyminen samassa koodatussa kohdassa",
        "Co-occurrence of codes in the same coded passage",
    ),
    "fig_likert_bars": (
        "Kyselyn väittämien vastausjakaumat (lukumäärät)",
        "Responses to the survey statements (counts)",
    ),
    "fig_code_tree": ("Koodikirjan rakenne", "Structure of the codebook"),
    "fig_theme_totals": ("Koodatut kohdat teemoittain", "Coded segments by theme"),
    "stem_theme_frequency": ("teemat_tapauksittain", "themes_by_case"),
    "stem_code_case_heatmap": ("koodit_tapauksittain", "codes_by_case"),
    "stem_cooccurrence_heatmap": ("yhteisesiintyminen", "co_occurrence"),
    "stem_likert_bars": ("kysely", "survey"),
    "stem_code_tree": ("koodipuu", "code_tree"),
    "stem_theme_totals": ("teemat", "themes"),
    "figure_stem": ("kuvio", "figure"),
    # Notes
    "note_empty": ("Taulukossa ei ole rivejä.", "The table has no rows."),
    "note_pages": (
        "Sivumäärä on laskettu taitolle 12 pt, riviväli 1, noin {wpp} sanaa sivulla.",
        "Pages are computed for a layout of 12 pt, single spacing, about {wpp} words per page.",
    ),
    "note_agreement": (
        "Koodaajat {a} ja {b}. Yksikkö on virke puheenvuoron sisällä; kumpikin koodaaja joko "
        "koodasi virkkeen koodilla tai ei. Cohenin kappa ja Krippendorffin alfa (nominaali) "
        "lasketaan koodin esiintymisestä virkkeissä; ”(total)” yhdistää kaikki koodit.",
        "Coders {a} and {b}. The unit is a sentence within a turn; each coder either coded "
        "it with the code or not. Cohen's kappa and Krippendorff's alpha (nominal) are "
        'computed on the code\'s presence per sentence; "(total)" pools all codes.',
    ),
    "note_coders_chosen": (
        "Luvuissa ovat mukana koodaajien {coders} koodaukset (tymqual.yaml: analysis_coders).",
        "The counts include the codings of {coders} (tymqual.yaml: analysis_coders).",
    ),
    "note_coders_all": (
        "Luvuissa ovat mukana kaikkien koodaajien ({coders}) koodaukset, joten eri koodaajien "
        "samat havainnot voivat näkyä kahdesti; valitse analysoitavat koodaajat "
        "tymqual.yaml-tiedoston asetuksella analysis_coders (esim. [consensus]).",
        "The counts include every coder's codings ({coders}), so one finding coded by two "
        "coders may count twice; choose the coders to analyse with analysis_coders in "
        "tymqual.yaml (e.g. [consensus]).",
    ),
    "note_rollup": (
        "Yläkoodin luvuissa ovat mukana sen alakoodeilla koodatut kohdat. "
        "Tapauksia n/N: tapauksia, joiden aineistossa koodi esiintyy, kaikista tapauksista.",
        "A parent code's counts include the passages coded with its subcodes. "
        "Cases n/N: cases whose material has the code, of all cases.",
    ),
    "note_orphaned": (
        "Huom. {n} hyväksyttyä koodausta on tallennettu avaimilla, joita koodikirjassa "
        "(codes/codebook.yaml) ei ole: {keys}. Ne näkyvät taulukoissa omina riveinään "
        "merkinnällä ”{marker}” eivätkä sisälly yhteenkään teemaan. Palauta avain "
        "koodikirjaan tai merkitse uuden avaimen koodiin renamed_from: [vanha_avain].",
        "Note: {n} accepted codings are stored under keys that the codebook "
        "(codes/codebook.yaml) does not have: {keys}. The tables show them in rows of their "
        "own marked “{marker}”, outside every theme. Restore the key in the codebook, "
        "or add renamed_from: [old_key] to the code that has the new key.",
    ),
    "note_refused": (
        "Taulukkoa ei näytetä: ryhmässä alle {min} tapausta (ryhmittely: {attr}). Näin "
        "pienen ryhmän luvuista voisi tunnistaa yksittäisen haastateltavan. Pienin "
        "näytettävä ryhmä on tymqual.yaml-tiedoston min_cell_size = {min}; sisäiseen "
        "käyttöön taulukon saa näkyviin valinnalla allow_small_cells=True.",
        "The table is not shown: a group has fewer than {min} cases (grouped by {attr}), "
        "and figures for so small a group could identify an interviewee. The smallest group "
        "shown is tymqual.yaml's min_cell_size = {min}; for internal work, "
        "allow_small_cells=True shows the table.",
    ),
    "note_small_allowed": (
        "Pienet ryhmät (alle {min} tapausta) näytetään valinnalla allow_small_cells=True: "
        "vain sisäiseen käyttöön, ei julkaistavaksi.",
        "Small groups (fewer than {min} cases) are shown with allow_small_cells=True: for "
        "internal work only, not for publication.",
    ),
    "note_no_survey": (
        "Kyselyn taulukot ja kuviot puuttuvat: projektissa ei ole kyselyaineistoa.",
        "The survey tables and figures are missing: the project has no survey.",
    ),
    "note_many_surveys": (
        "Kyselyn taulukot ja kuviot puuttuvat: projektissa on {n} kyselyä ({names}); valitse "
        'raporttiin yksi valinnalla survey="nimi".',
        "The survey tables and figures are missing: the project has {n} surveys ({names}); "
        'choose one for the report with survey="name".',
    ),
    "note_survey_failed": (
        "Kyselyn taulukot ja kuviot puuttuvat: kyselyä ei voitu lukea ({error})",
        "The survey tables and figures are missing: the survey could not be read ({error})",
    ),
    "note_many_cases": (
        "Aineistossa on {n} tapausta. Tapauskohtaiset kuviot piirretään enintään {limit} "
        "tapauksesta, koska niin monen tapauksen palkit ja lämpökartta eivät olisi luettavissa: "
        "teemat näytetään kuviossa yhteensä, ja koodien jakauma tapauksittain on taulukossa "
        "koodit × tapaukset.",
        "The data has {n} cases. Figures by case are drawn for at most {limit} cases, as bars "
        "and a heat map of more cases could not be read: the themes are shown in total, and "
        "the codes by case are in the code × case table.",
    ),
    "note_survey_skipped": (
        "Kyselyn taulukot ja kuviot jätettiin pois (survey=None).",
        "The survey tables and figures were left out (survey=None).",
    ),
    # HTML sections
    "toc": ("Sisältö", "Contents"),
    "sec_data": ("Aineiston kuvaus", "Description of the data"),
    "sec_results": ("Tulokset", "Results"),
    "sec_survey": ("Kysely", "Survey"),
    "sec_integration": (
        "Laadullisen ja määrällisen aineiston yhdistäminen",
        "Integrating the qualitative and quantitative data",
    ),
    "sec_quotes": ("Lainaukset teemoittain", "Quotes by theme"),
    "sec_codebook": ("Koodikirja", "Codebook"),
    "sec_methods": ("Menetelmät", "Methods"),
    "quotes_in_workbook": (
        "Lainaukset ovat myös työkirjan taulukossa {n}.",
        "The quotes are also in Table {n} of the workbook.",
    ),
    "no_quotes": ("Lainauksia ei ole vielä koodattu.", "No passages have been coded yet."),
    "data_summary": (
        "Aineistossa on {sources} lähdettä ({kinds}), yhteensä {words} sanaa ja {turns} "
        "puheenvuoroa, ja {cases} tapausta. Koodikirjassa on {codes} koodia, ja hyväksyttyjä "
        "koodauksia on {codings}.",
        "The data has {sources} sources ({kinds}), {words} words and {turns} turns in all, "
        "and {cases} cases. The codebook has {codes} codes, and {codings} codings are "
        "accepted.",
    ),
    "version": ("versio", "version"),
    "counts": ("Esiintymät", "Occurrences"),
    "counts_text": (
        "{segments} koodattua kohtaa; tapauksia {cases}",
        "{segments} coded segments; cases {cases}",
    ),
    "path": ("Polku", "Path"),
    "codebook_intro": (
        "Koodikirjan luvut: koodattujen kohtien määrä ja tapaukset, joiden aineistossa koodi "
        "esiintyy (n/N). Yläkoodin luvuissa ovat mukana sen alakoodit.",
        "Counts: the number of coded segments and the cases whose material has the code "
        "(n/N). A parent code's counts include its subcodes.",
    ),
    "appendix_title": ("Liite. Koodikirja", "Appendix. Codebook"),
    "methods": (
        "Taulukot ja kuviot on laskettu koodausten kirjanpidosta (codes/codings.csv); mukana "
        "ovat vain hyväksytyt koodaukset. Koodattu kohta on yksi koodattu tekstijakso, ja "
        "tapaus on cases.csv-tiedoston rivi, tavallisesti yksi haastateltava. Yläkoodin "
        "luvuissa ovat mukana sen alakoodeilla koodatut kohdat.|"
        "Kohtien sijainnit (alku ja loppu) ovat 0-alkuisia Unicode-merkkipaikkoja "
        "normalisoidussa tekstissä (NFC, rivinvaihto \\n); loppu ei kuulu kohtaan, joten "
        "teksti[alku:loppu] on koodattu kohta.|"
        "Taustamuuttujan mukaan eritellyt taulukot näytetään vain, kun jokaisessa ryhmässä "
        "on vähintään {min} tapausta (tymqual.yaml: min_cell_size). Pienemmän ryhmän luvuista "
        "voisi tunnistaa yksittäisen haastateltavan.|"
        "Aineiston päivämäärä on viimeisimmän koodauksen päivämäärä. Sivumäärät ovat arvioita "
        "({wpp} sanaa sivulla). Raportin laati tymqual {version}; sama projekti tuottaa aina "
        "samat tiedostot.",
        "The tables and figures are computed from the codings ledger (codes/codings.csv); only "
        "accepted codings count. A coded segment is one coded stretch of text, and a case is "
        "a row of cases.csv, usually one interviewee. A parent code's counts include the "
        "passages coded with its subcodes.|"
        "Passage positions (start and end) are 0-based Unicode code-point offsets into the "
        "normalised text (NFC, \\n line ends); the end is exclusive, so text[start:end] is "
        "the coded passage.|"
        "Tables broken down by a case attribute are shown only when every group has at least "
        "{min} cases (tymqual.yaml: min_cell_size); figures for a smaller group could "
        "identify an interviewee.|"
        "The date of the data is the date of the most recent coding. Page counts are "
        "estimates ({wpp} words per page). Made with tymqual {version}; the same project "
        "always gives the same files.",
    ),
}
_KIND_WORDS: dict[str, tuple[str, str]] = {
    "interview": ("haastattelua", "interviews"),
    "document": ("asiakirjaa", "documents"),
    "survey_answer": ("kyselyvastausta", "survey answers"),
}


def _t(key: str, lang: Lang, **values: object) -> str:
    text = _TEXT[key][0 if lang == "fi" else 1]
    return text.format(**values) if values else text


@dataclass(frozen=True)
class ReportFiles:
    """The files :func:`build_report` wrote, and the notes of tables it left out."""

    folder: Path
    xlsx: Path
    html: Path
    docx: Path
    figures: tuple[Path, ...]
    omitted: tuple[str, ...] = ()

    @property
    def paths(self) -> tuple[Path, ...]:
        """Every file written, in a stable order."""
        return (self.xlsx, self.html, self.docx, *self.figures)

    def moved(self, old: Path, new: Path) -> ReportFiles:
        """The same files, once moved from folder ``old`` to ``new``."""

        def at(path: Path) -> Path:
            return new / path.relative_to(old)

        return replace(
            self,
            folder=new,
            xlsx=at(self.xlsx),
            html=at(self.html),
            docx=at(self.docx),
            figures=tuple(at(p) for p in self.figures),
        )


@dataclass
class _Table:
    key: str
    caption: str
    sheet: str
    frame: pd.DataFrame | None
    notes: list[str] = field(default_factory=list)
    section: str = "sec_results"
    number: int = 0


@dataclass
class _Fig:
    key: str
    caption: str
    section: str
    svg: bytes
    paths: list[Path]
    number: int = 0


@dataclass
class _Report:
    project: Project
    lang: Lang
    data_time: dt.datetime | None
    tables: list[_Table] = field(default_factory=list)
    figures: list[_Fig] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)  # section → notes
    freq: pd.DataFrame | None = None
    quotes: pd.DataFrame | None = None
    examples: dict[str, str] = field(default_factory=dict)  # code path → example quote

    def table(self, key: str) -> _Table | None:
        return next((t for t in self.tables if t.key == key), None)


# ---------------------------------------------------------------------------- entry point


def build_report(
    project: Project,
    out: str | Path,
    *,
    lang: Lang = "fi",
    survey: str | Survey | None = "auto",
    progress: bool = True,
    allow_small_cells: bool = False,
) -> ReportFiles:
    """Write the workbook, the HTML report, the codebook appendix and the figures into ``out``.

    ``survey`` is ``"auto"`` (the project's survey if it has one), ``None`` (leave the survey
    out), the name of one of ``project.surveys``, or a :class:`~tymqual.surveys.Survey`.
    ``allow_small_cells=True`` shows tables that disclosure control would refuse; use it only
    for internal work. ``out`` may not be the project folder or inside its source folders
    (``transcripts/``, ``documents/``, ``codes/``, ``surveys/``). Returns the paths written.

    >>> import tymqual  # doctest: +SKIP
    >>> build_report(tymqual.open_project("."), "out")  # doctest: +SKIP
    """
    lang = check_lang(lang, "build_report")
    target = _check_out(project, out)
    # Built in a staging folder and moved in only once complete, and once the leak check (run
    # when the project has a pseudonymisation key) has found nothing: a report that leaks a
    # name is never left where someone could send it on.
    folder = _staging(target)
    try:
        try:
            files = _build(project, folder, lang, survey, progress, allow_small_cells)
        except StorageError as exc:
            raise _not_built(exc, folder, target) from exc
        if privacy.key_path(project).exists():
            leaks.assert_no_leaks(folder, privacy.read_key(project))
        _move_into(folder, target)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return files.moved(folder, target)


def _staging(target: Path) -> Path:
    # Beside ``out``, so that a build cut short leaves nothing inside it; inside ``out`` only
    # when its parent cannot be written (``out`` a mount point in a read-only folder).
    try:
        target.mkdir(parents=True, exist_ok=True)
        try:
            return Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
        except OSError:
            return Path(tempfile.mkdtemp(prefix=".staging-", dir=target))
    except OSError as exc:
        raise write_failure(exc, target, "nothing was written") from exc


def _not_built(exc: OSError, staging: Path, target: Path) -> StorageError:
    cause, remedy = describe_os_error(exc)
    where = ""
    if isinstance(exc, StorageError) and exc.path and Path(exc.path).is_relative_to(staging):
        where = f" (at {Path(exc.path).relative_to(staging)})"
    return StorageError(
        f"The report was not written to {target} because {cause}{where}; the files already "
        f"in {target} are unchanged ({remedy}).",
        path=target, reason=cause, cause=exc,
    )


def _move_into(staging: Path, target: Path) -> None:
    # Renames need no room for the data, so this rarely fails; when it does, the reader hears
    # which files are new and which are still the old ones.
    names = sorted(p.relative_to(staging) for p in staging.rglob("*") if p.is_file())
    done: list[str] = []
    try:
        for rel in names:
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
        for rel in names:
            try:
                os.replace(staging / rel, target / rel)
            except OSError as exc:
                if exc.errno != errno.EXDEV:
                    raise
                # ``out`` is a file system of its own (a mount point): copied, still atomically.
                atomic_write_bytes(target / rel, (staging / rel).read_bytes())
            done.append(str(rel))
    except OSError as exc:
        cause, remedy = describe_os_error(exc)
        if not done:
            raise _not_built(exc, staging, target) from exc
        left = [str(rel) for rel in names[len(done):]]
        raise StorageError(
            f"The report in {target} is incomplete because {cause}; new: {', '.join(done)}; "
            f"not written (any earlier version unchanged): {', '.join(left)} ({remedy}).",
            path=target, reason=cause, cause=exc,
        ) from exc


def _build(
    project: Project,
    folder: Path,
    lang: Lang,
    survey: str | Survey | None,
    progress: bool,
    allow_small_cells: bool,
) -> ReportFiles:
    names = {k: _t(k, lang) for k in ("xlsx", "html", "docx", "figures_dir")}
    report = _Report(project, lang, _data_time(project))
    orphaned = _orphaned_note(project, lang)
    if orphaned:
        report.notes.setdefault("sec_results", []).append(orphaned)
    chosen, survey_note = _pick_survey(project, survey, lang)
    if survey_note:
        report.notes.setdefault("sec_survey", []).append(survey_note)
    table_steps = _table_steps(report, chosen, allow_small_cells)
    figure_steps = _figure_steps(report, chosen, folder / names["figures_dir"])
    writers: list[tuple[str, Callable[[], None]]] = [
        (names["xlsx"], lambda: _write_xlsx(report, folder / names["xlsx"])),
        (names["html"], lambda: _write_html(report, folder / names["html"])),
        (names["docx"], lambda: _write_docx(report, folder / names["docx"])),
    ]
    steps = [*table_steps, *figure_steps, (None, _number_items(report)), *writers]
    with tqdm(total=len(steps), disable=not progress, desc=_t("report", lang), unit="") as bar:
        for name, step in steps:
            if name:
                bar.set_postfix_str(name, refresh=False)
            step()
            bar.update(1)
    omitted = tuple(n for t in report.tables if t.frame is None for n in t.notes)
    return ReportFiles(
        folder=folder,
        xlsx=folder / names["xlsx"],
        html=folder / names["html"],
        docx=folder / names["docx"],
        figures=tuple(p for f in report.figures for p in f.paths),
        omitted=omitted,
    )


def _check_out(project: Project, out: str | Path) -> Path:
    """``out`` resolved, or a TymqualError if writing there could touch the project's sources."""
    if not isinstance(out, str | Path):
        raise TymqualError(
            f"build_report(): argument out must be a folder path, not {type(out).__name__}."
        )
    folder = Path(out).expanduser().resolve()
    root = project.root.resolve()
    remedy = f"choose a folder of its own, such as {root / 'out'}"
    if folder == root:
        raise TymqualError(
            f"build_report(): argument out ({out}) is the project folder itself; the report "
            f"is written into a folder of its own so it never mixes with the sources; {remedy}."
        )
    for name in SOURCE_FOLDERS:
        if folder.is_relative_to(root / name):
            raise TymqualError(
                f"build_report(): argument out ({out}) is inside the project's source folder "
                f"{name}/, and a report never writes among the sources; {remedy}."
            )
    if folder.exists() and not folder.is_dir():
        raise TymqualError(
            f"build_report(): argument out ({out}) is a file, not a folder; {remedy}."
        )
    return folder


def _data_time(project: Project) -> dt.datetime | None:
    """The newest ``created`` in the ledger (UTC, whole seconds), or None for an empty ledger."""
    codings = project.codings
    if codings.empty or "created" not in codings.columns:
        return None
    stamps = pd.to_datetime(codings["created"], utc=True, errors="coerce", format="ISO8601")
    newest = stamps.dropna().max()
    if pd.isna(newest):
        return None
    return pd.Timestamp(newest).to_pydatetime().replace(microsecond=0)


def _pick_survey(
    project: Project, survey: str | Survey | None, lang: Lang
) -> tuple[Survey | None, str]:
    """(the survey to report or None, a note saying why there is none)."""
    if survey is None:
        return None, _t("note_survey_skipped", lang)
    if isinstance(survey, Survey):
        return survey, ""
    if survey != "auto":
        return project.survey(survey), ""  # asked for by name: an error is the caller's to see
    surveys = project.surveys
    if len(surveys) == 1:
        return next(iter(surveys.values())), ""
    if surveys:
        return None, _t("note_many_surveys", lang, n=len(surveys), names=", ".join(sorted(surveys)))
    unread = project.skipped[project.skipped["path"].str.startswith("surveys/")]
    if not unread.empty:
        error = f"{unread['path'].iloc[0]}: {str(unread['error'].iloc[0]).rstrip('.')}"
        return None, _t("note_survey_failed", lang, error=error)
    return None, _t("note_no_survey", lang)


# ---------------------------------------------------------------------------- collecting


Step = tuple[str | None, Callable[[], None]]


def _table_steps(report: _Report, survey: Survey | None, allow_small_cells: bool) -> list[Step]:
    p, lang = report.project, report.lang
    min_cell = p.config.min_cell_size

    def add(
        key: str,
        make: Callable[[], pd.DataFrame],
        *,
        section: str = "sec_results",
        notes: Sequence[str] = (),
    ) -> Step:
        def run() -> None:
            frame = make()
            extra = frame.attrs.get("note")
            all_notes = [*notes, *([str(extra)] if extra else [])]
            if frame.empty:
                all_notes.insert(0, _t("note_empty", lang))
            if key == "code_frequencies":
                report.freq = frame
            if key == "quotes":
                report.quotes = frame
            report.tables.append(
                _Table(key, _t(key, lang), _t(f"sheet_{key}", lang), frame, all_notes, section)
            )

        return _t(f"sheet_{key}", lang), run

    steps: list[Step] = [
        add(
            "data_description",
            lambda: tables.data_description(p, words_per_page=WORDS_PER_PAGE, lang=lang),
            section="sec_data",
            notes=[_t("note_pages", lang, wpp=WORDS_PER_PAGE)],
        ),
        add(
            "code_frequencies",
            lambda: tables.code_frequencies(p, rollup=True, lang=lang),
            notes=[_t("note_rollup", lang), *_coders_note(p, lang),
                   *filter(None, [_orphaned_note(p, lang)])],
        ),
    ]
    attribute = _grouping_attribute(p.cases)
    if attribute is not None:
        steps.append(_breakdown_step(report, attribute, allow_small_cells, min_cell))
    steps += [
        add("code_case_matrix", lambda: tables.code_case_matrix(p, rollup=True, lang=lang)),
        add("co_occurrence", lambda: tables.co_occurrence(p)),
    ]
    pair = _coder_pair(p)
    if pair is not None:
        steps.append(
            add(
                "agreement",
                lambda: agreement.project_agreement(p, pair),
                notes=[_t("note_agreement", lang, a=pair[0], b=pair[1])],
            )
        )
    steps += [
        add("analysis_table", lambda: tables.analysis_table(p)),
    ]
    if survey is not None:
        steps += [
            add(
                "likert_table", lambda: tables.likert_table(survey, lang=lang), section="sec_survey"
            ),
            add(
                "joint_display",
                lambda: tables.joint_display(p, survey, lang=lang),
                section="sec_integration",
            ),
        ]
    steps += [
        add(
            "case_summary",
            lambda: _theme_names(p, tables.case_summary(p, survey=survey, lang=lang)),
            section="sec_integration",
        ),
        add("quotes", lambda: tables.quotes(p, per_code=3), section="sec_quotes"),
    ]
    return steps


def _orphaned_note(p: Project, lang: Lang) -> str:
    """The reader's note on accepted codings whose key the codebook lacks, or ""."""
    orphaned = p.orphaned_codings()
    counts = orphaned.loc[orphaned["status"] == "accepted", "code"].value_counts(sort=False)
    if counts.empty:
        return ""
    counts = counts.sort_index()
    keys = ", ".join(f"{key} ({fmt_number(int(n), lang=lang)})" for key, n in counts.items())
    marker = "ei koodikirjassa" if lang == "fi" else "not in codebook"
    return _t("note_orphaned", lang, n=fmt_number(int(counts.sum()), lang=lang), keys=keys,
              marker=marker)


def _coders_note(p: Project, lang: Lang) -> list[str]:
    """Say whose codings the tables count when more than one person coded."""
    if p.config.analysis_coders:
        return [_t("note_coders_chosen", lang, coders=", ".join(p.config.analysis_coders))]
    pair = _coder_pair(p)
    if pair is None:
        return []
    people = sorted(set(p.codings.loc[p.codings["status"] == "accepted", "coder"]) - {""})
    return [_t("note_coders_all", lang, coders=", ".join(people))]


def _coder_pair(p: Project) -> tuple[str, str] | None:
    """The two human coders to compare, when the ledger has at least two."""
    coders = p.codings.loc[p.codings["status"] == "accepted", "coder"]
    people = sorted(set(coders) - {"", "autocode", "consensus"})
    return (people[0], people[1]) if len(people) >= 2 else None


def _breakdown_step(
    report: _Report, attribute: str, allow_small_cells: bool, min_cell: int
) -> Step:
    p, lang = report.project, report.lang
    shown = label(attribute, lang).lower() if attribute in LABELS else attribute
    caption = _t("by_attribute", lang, attr=shown)
    sheet = _t("sheet_by_attribute", lang, attr=shown)

    def run() -> None:
        try:
            frame = tables.code_frequencies(
                p, by=attribute, rollup=True, allow_small_cells=allow_small_cells, lang=lang
            )
        except DisclosureError:
            note = _t("note_refused", lang, min=min_cell, attr=shown)
            report.tables.append(_Table("by_attribute", caption, sheet, None, [note]))
            return
        notes = [_t("note_rollup", lang)]
        if allow_small_cells:
            notes.append(_t("note_small_allowed", lang, min=min_cell))
        report.tables.append(_Table("by_attribute", caption, sheet, frame, notes))

    return sheet, run


def _theme_names(p: Project, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with columns named by a theme's key renamed to the theme's name."""
    names = {c.key: c.name for c in p.codebook.codes}
    return frame.rename(columns=lambda c: names.get(c, c) if isinstance(c, str) else c)


def _grouping_attribute(cases: pd.DataFrame) -> str | None:
    """The case attribute to break codes down by: ``region`` if there is one, else the first
    attribute that groups cases (not an id, label, date or number) and has two values or more.
    """
    candidates = [
        c for c in cases.columns if str(c) not in _NOT_GROUPING and not _DATE_LIKE.search(str(c))
    ]
    for column in sorted(candidates, key=lambda c: c != "region"):
        values = cases[column].astype(str).str.strip()
        values = values[values != ""]
        numeric = pd.to_numeric(values.str.replace(",", "."), errors="coerce").notna().all()
        if values.nunique() >= 2 and not numeric:
            return str(column)
    return None


def _figure_steps(report: _Report, survey: Survey | None, folder: Path) -> list[Step]:
    p, lang = report.project, report.lang
    n_cases = len(p.cases) or len(p.source_ids)  # without cases.csv rows, a source is a case
    by_case = n_cases <= CASE_FIGURE_LIMIT
    makers: list[tuple[str, str, Callable[[], Figure]]] = [
        ("theme_frequency", "sec_results",
         lambda: figures.theme_frequency(p, by="case" if by_case else None, lang=lang)),
    ]
    if by_case:
        makers.append(
            ("code_case_heatmap", "sec_results", lambda: figures.code_case_heatmap(p, lang=lang))
        )
    else:
        note = _t("note_many_cases", lang, n=n_cases, limit=CASE_FIGURE_LIMIT)
        report.notes.setdefault("sec_results", []).append(note)
    makers.append(
        ("cooccurrence_heatmap", "sec_results", lambda: figures.cooccurrence_heatmap(p, lang=lang))
    )
    if survey is not None:
        makers.append(("likert_bars", "sec_survey", lambda: figures.likert_bars(survey, lang=lang)))
    makers.append(("code_tree", "sec_codebook", lambda: figures.code_tree(p.codebook, lang=lang)))

    def step(position: int, key: str, section: str, make: Callable[[], Figure]) -> Step:
        text = key if by_case or key != "theme_frequency" else "theme_totals"

        def run() -> None:
            fig = make()
            # A thesis figure carries its name in the numbered caption below it, so the
            # title drawn inside the figure (left-aligned on every figure) would repeat it.
            for ax in fig.axes:
                ax.set_title("", loc="left")
            stem = f"{_t('figure_stem', lang)}{position}_{_t(f'stem_{text}', lang)}"
            paths = figures.save_figure(fig, folder / stem)
            svg = next(path for path in paths if path.suffix == ".svg").read_bytes()
            report.figures.append(_Fig(key, _t(f"fig_{text}", lang), section, svg, paths))

        return f"{_t('figure_stem', lang)}{position}", run

    return [step(i, key, section, make) for i, (key, section, make) in enumerate(makers, 1)]


def _number_items(report: _Report) -> Callable[[], None]:
    """Number tables and figures in the order the HTML shows them (quotes last)."""
    order = [
        "sec_data",
        "sec_results",
        "sec_survey",
        "sec_integration",
        "sec_quotes",
        "sec_codebook",
    ]

    def run() -> None:
        report.tables.sort(key=lambda t: order.index(t.section))
        n = 0
        for table in report.tables:
            if table.frame is not None:
                n += 1
                table.number = n
        report.figures.sort(key=lambda f: order.index(f.section))
        for i, fig in enumerate(report.figures, 1):
            fig.number = i

    return run


# ---------------------------------------------------------------------------- cell values


def _clean(text: object) -> str:
    return _XML_ILLEGAL.sub("", str(text))


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


def _is_number(value: object) -> bool:
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool | np.bool_)
        and math.isfinite(float(value))
    )


def _as_text(value: object) -> str:
    if isinstance(value, list | tuple | set):
        return "; ".join(_as_text(v) for v in value)
    if isinstance(value, dt.datetime | pd.Timestamp) and not _is_missing(value):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, bool | np.bool_):
        return label("yes" if value else "no")
    return _clean(value)


def _relabelled(frame: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """``frame`` with reader labels as headers."""
    return relabel(frame.reset_index(drop=True), lang)


def _decimals(column: pd.Series) -> int:
    """Decimal places (0–2) that show every number of ``column`` as precisely as reasonable."""
    places = 0
    for value in column:
        if _is_number(value) and not float(value).is_integer():
            places = max(places, 1 if round(float(value), 1) == round(float(value), 2) else 2)
    return places


def _display(value: object, places: int, lang: Lang) -> str:
    """A cell as the HTML shows it: numbers through formatting.py, missing as an en dash."""
    if _is_missing(value):
        return "\u2013"
    if _is_number(value):
        whole = isinstance(value, numbers.Integral) or places == 0
        return fmt_number(value, None if whole else places, lang=lang)
    if isinstance(value, bool | np.bool_):
        return label("yes" if value else "no", lang)
    return _as_text(value)


# ---------------------------------------------------------------------------- workbook


def _write_xlsx(report: _Report, path: Path) -> None:
    lang = report.lang
    wb = Workbook()
    contents = wb.active
    assert isinstance(contents, Worksheet)  # a new workbook always has one sheet
    contents.title = _t("contents", lang)
    used = {contents.title.casefold()}
    sheets: dict[int, str] = {}
    for table in report.tables:
        if table.frame is None:
            continue
        name = _sheet_name(f"T{table.number} {table.sheet}", used)
        sheets[table.number] = name
        _table_sheet(wb.create_sheet(name), table, lang)
    _contents_sheet(contents, report, sheets)
    when = report.data_time or _FALLBACK_DATE
    wb.properties.creator = "tymqual"
    wb.properties.lastModifiedBy = "tymqual"
    wb.properties.title = _clean(report.project.config.name)
    wb.properties.created = when.replace(tzinfo=None)
    buffer = io.BytesIO()
    wb.save(buffer)
    atomic_write_bytes(path, _normalise_zip(buffer.getvalue(), when))


def _sheet_name(wanted: str, used: set[str]) -> str:
    """A valid, unique worksheet name: ≤ 31 characters, none of ``[]:*?/\\``."""
    base = _SHEET_FORBIDDEN.sub(" ", _clean(wanted)).strip().strip("'")[:31].strip() or "Taulukko"
    name, i = base, 2
    while name.casefold() in used:
        suffix = f" ({i})"
        name = base[: 31 - len(suffix)].rstrip() + suffix
        i += 1
    used.add(name.casefold())
    return name


def _put(ws: Worksheet, row: int, col: int, value: object, *, places: int = 0) -> Any:
    """Write ``value`` as a number when it is one, else as a plain string (never a formula)."""
    cell = ws.cell(row=row, column=col)
    if _is_missing(value):
        return cell
    if _is_number(value):
        number = int(value) if isinstance(value, numbers.Integral) else float(value)  # type: ignore[arg-type]
        cell.value = number
        cell.number_format = "0" if isinstance(number, int) or places == 0 else "0." + "0" * places
        return cell
    if isinstance(value, bool | np.bool_):
        cell.value = bool(value)
        return cell
    return safe_xlsx_cell(cell, _as_text(value))


def _table_sheet(ws: Worksheet, table: _Table, lang: Lang) -> None:
    assert table.frame is not None
    frame = _relabelled(table.frame, lang)
    title = ws.cell(row=1, column=1)
    _put(ws, 1, 1, f"{label('table', lang)} {table.number}. {table.caption}")
    title.font = Font(bold=True, size=12)
    header_row = 3
    bold = Font(bold=True)
    wrap_top = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    for j, column in enumerate(frame.columns, 1):
        cell = _put(ws, header_row, j, str(column))
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
    for j, column in enumerate(frame.columns, 1):
        values = list(frame.iloc[:, j - 1])
        places = _decimals(pd.Series(values, dtype=object))
        shown = [_display(v, places, lang) for v in values]
        longest = max((_longest_line(s) for s in shown), default=0)
        header = min(_longest_line(str(column)), _HEADER_WIDTH_MAX)
        width = min(max(longest, header, 4) + 2, _COLUMN_WIDTH_MAX)
        ws.column_dimensions[get_column_letter(j)].width = width
        long_column = longest > _COLUMN_WIDTH_MAX - 2
        for i, value in enumerate(values):
            cell = _put(ws, header_row + 1 + i, j, value, places=places)
            cell.alignment = wrap_top if long_column or "\n" in shown[i] else top
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1).coordinate
    row = header_row + len(frame) + 2
    for note in table.notes:
        cell = _put(ws, row, 1, f"{label('note', lang)} {note}")
        cell.font = Font(italic=True)
        row += 1


def _longest_line(text: str) -> int:
    return max((len(line) for line in text.split("\n")), default=0)


def _contents_sheet(ws: Worksheet, report: _Report, sheets: dict[int, str]) -> None:
    lang, p = report.lang, report.project
    _put(ws, 1, 1, p.config.name).font = Font(bold=True, size=14)
    _put(ws, 2, 1, _t("data_date", lang)).font = Font(bold=True)
    when = fmt_date(report.data_time, lang=lang) if report.data_time else "\u2013"
    _put(ws, 2, 2, f"{when} ({_t('data_date_note', lang)})")
    row = 3
    if p.config.description:
        _put(ws, row, 1, _t("project", lang)).font = Font(bold=True)
        _put(ws, row, 2, p.config.description).alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    row += 1
    for j, key in enumerate(("number", "caption", "sheet"), 1):
        _put(ws, row, j, _t(key, lang)).font = Font(bold=True)
    ws.freeze_panes = None
    for table in report.tables:
        row += 1
        if table.frame is None:
            _put(ws, row, 1, f"{label('table', lang)} ({_t('not_shown', lang)})")
            _put(ws, row, 2, table.caption)
            _put(ws, row, 3, " ".join(table.notes)).alignment = Alignment(
                wrap_text=True, vertical="top"
            )
            continue
        _put(ws, row, 1, f"{label('table', lang)} {table.number}.")
        _put(ws, row, 2, table.caption)
        link = _put(ws, row, 3, sheets[table.number])
        link.hyperlink = Hyperlink(
            ref=link.coordinate,
            location=f"'{sheets[table.number]}'!A1",
            display=sheets[table.number],
        )
        link.font = Font(color="0563C1", underline="single")
    row += 1
    for fig in report.figures:
        row += 1
        _put(ws, row, 1, f"{label('figure', lang)} {fig.number}.")
        _put(ws, row, 2, fig.caption)
        png = next(path for path in fig.paths if path.suffix == ".png")
        _put(ws, row, 3, f"{png.parent.name}/{png.name}")
    for section_notes in report.notes.values():
        for note in section_notes:
            row += 2
            _put(ws, row, 1, f"{label('note', lang)} {note}").font = Font(italic=True)
    row += 2
    _put(ws, row, 1, f"{_t('made_with', lang)} {tymqual.__version__}").font = Font(
        italic=True, color="666666"
    )
    for letter, width in (("A", 24), ("B", 70), ("C", 40)):
        ws.column_dimensions[letter].width = width
    for cells in ws.iter_rows(min_row=1, max_row=row, min_col=2, max_col=2):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


# ---------------------------------------------------------------------------- zip packages


def _normalise_zip(data: bytes, when: dt.datetime) -> bytes:
    """Rewrite an Office file so that it depends only on its content and ``when``.

    openpyxl and python-docx stamp the save time into every zip entry and into
    ``docProps/core.xml``; here every entry gets a fixed timestamp and the core properties'
    created and modified dates become ``when``. Entry order is the writer's own, which is
    stable.
    """
    stamp = when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as package:
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)",
                    lambda m: m.group(1) + stamp + m.group(3),
                    content,
                )
            info = zipfile.ZipInfo(entry.filename, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            package.writestr(info, content)
    return target.getvalue()


# ---------------------------------------------------------------------------- codebook appendix


def _code_counts(report: _Report) -> dict[str, tuple[object, object]]:
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


def _example(report: _Report, code: Code) -> str:
    """The codebook's example, else the first passage :func:`tables.quotes` picks for the code."""
    if str(code.example).strip():
        text = " ".join(str(code.example).split())
        return text if text.startswith(_QUOTE_MARKS) else f"\u201d{text}\u201d"
    if code.path not in report.examples:
        # Every code without an example of its own at once: one pass over the codings.
        book = report.project.codebook
        wanted = [c.path for c in book if not str(c.example).strip()]
        picked = tables.quotes(report.project, wanted, per_code=1)
        found = {str(row["code_path"]): _quote_text(row)
                 for _, row in picked.drop_duplicates("code_path").iterrows()}
        for path in wanted:
            report.examples[path] = found.get(path, "")
    return report.examples[code.path]


def _quote_text(row: pd.Series) -> str:
    """A quote row as ``”passage” (case)``, whatever marks the quotes table already has."""
    text = " ".join(_as_text(row["quote"]).split())
    if text.startswith(_QUOTE_MARKS):
        return text
    case = row.get("case_label", row.get("case_id"))
    suffix = f" ({_as_text(case)})" if not _is_missing(case) and str(case) else ""
    return f"\u201d{text}\u201d{suffix}"


def _guidance(report: _Report, code: Code) -> list[tuple[str, str]]:
    lang = report.lang
    segments, cases = _code_counts(report).get(code.path, (0, "\u2013"))
    counts = _t("counts_text", lang, segments=_display(segments, 0, lang), cases=cases)
    return [
        (label("definition", lang), code.definition),
        (label("use_when", lang), code.use_when),
        (label("do_not_use_when", lang), code.do_not_use_when),
        (label("example", lang), _example(report, code)),
        (_t("counts", lang), counts),
    ]


def _write_docx(report: _Report, path: Path) -> None:
    lang, p = report.lang, report.project
    book = p.codebook
    doc = Document()
    doc.add_heading(_t("appendix_title", lang), level=0)
    head = doc.add_paragraph()
    head.add_run(_clean(book.name or p.config.name)).bold = True
    if book.version:
        head.add_run(f" ({_t('version', lang)} {_clean(book.version)})")
    if book.description:
        doc.add_paragraph(_clean(book.description))
    when = fmt_date(report.data_time, lang=lang) if report.data_time else "\u2013"
    doc.add_paragraph(
        f"{_t('project', lang)}: {_clean(p.config.name)}. {_t('data_date', lang)}: {when}."
    )
    intro = doc.add_paragraph(_t("codebook_intro", lang))
    intro.runs[0].italic = True
    for code in book:
        doc.add_heading(_clean(code.name), level=min(code.depth + 1, 9))
        where = doc.add_paragraph()
        run = where.add_run(f"{_t('path', lang)}: {_clean(code.path)}")
        run.font.size = Pt(8)
        run.font.color.rgb = RGBColor(0x66, 0x66, 0x66)
        for name, text in _guidance(report, code):
            para = doc.add_paragraph()
            para.add_run(f"{name}: ").bold = True
            body = para.add_run(_clean(text) if str(text).strip() else "\u2013")
            body.italic = name == label("example", lang) and bool(str(text).strip())
    _drop_thumbnail(doc)
    props = doc.core_properties
    when_dt = report.data_time or _FALLBACK_DATE
    props.comments = ""
    props.author = "tymqual"
    props.last_modified_by = "tymqual"
    props.title = _clean(f"{_t('sec_codebook', lang)}: {book.name or p.config.name}")
    props.created = when_dt.replace(tzinfo=None)
    props.modified = when_dt.replace(tzinfo=None)
    props.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    atomic_write_bytes(path, _normalise_zip(buffer.getvalue(), when_dt))


def _drop_thumbnail(doc: Any) -> None:
    """Remove the template's preview image, a picture of some other document."""
    rels = doc.part.package.rels
    for r_id, rel in list(rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            rels.pop(r_id)


# ---------------------------------------------------------------------------- HTML

_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: #1b1b1b; font: 16px/1.55 Georgia, "DejaVu Serif",
  "Times New Roman", serif; }
main { max-width: 70rem; margin: 0 auto; padding: 2.5rem 1.75rem 4rem; }
/* Prose keeps a readable line length; tables and figures may use the full width. */
main p, blockquote, dl.code, nav, h3, h4 { max-width: 50rem; }
h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 .3rem; }
h2 { font-size: 1.45rem; margin: 2.8rem 0 .8rem; padding-bottom: .25rem;
  border-bottom: 1px solid #c8c8c8; }
h3 { font-size: 1.15rem; margin: 1.8rem 0 .5rem; }
h4 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
p.meta { color: #555; margin: 0 0 1rem; }
nav ol { padding-left: 1.4rem; margin: .3rem 0; }
nav { background: #f6f6f4; padding: .8rem 1.2rem; border-radius: 4px; margin: 1.5rem 0; }
.table-wrap { overflow-x: auto; margin: 1.4rem 0 .4rem; }
table { border-collapse: collapse; font: 13.5px/1.4 "DejaVu Sans", Arial, Helvetica,
  sans-serif; }
table.full { width: 100%; }
table.dense { font-size: 12px; }
table.dense th, table.dense td { padding: .25rem .35rem; }
caption { caption-side: top; text-align: left; padding: 0 0 .5rem; font: 15px/1.4 Georgia,
  "DejaVu Serif", serif; }
th, td { padding: .3rem .6rem; text-align: left; vertical-align: top;
  border-bottom: 1px solid #e1e1e1; }
thead th { border-top: 2px solid #333; border-bottom: 1.5px solid #333; font-weight: bold;
  background: #fafafa; vertical-align: bottom; }
tbody tr:last-child td { border-bottom: 2px solid #333; }
tr.total td { font-weight: bold; border-top: 1.5px solid #333; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
p.note { font-size: .85rem; color: #444; margin: .3rem 0 1rem; }
p.omitted { font-size: .9rem; border-left: 4px solid #b5651d; background: #fbf4ec;
  padding: .6rem .9rem; margin: 1.4rem 0; }
figure { margin: 2rem 0; }
figure img { display: block; max-width: 100%; height: auto; }
figcaption { font-size: .95rem; margin-top: .5rem; }
blockquote { margin: .7rem 0 .9rem 1.2rem; padding: .1rem 0 .1rem 1rem;
  border-left: 3px solid #c8c8c8; font-style: italic; }
.code-path { font: 12px "DejaVu Sans Mono", monospace; color: #777; }
dl.code { display: grid; grid-template-columns: 11rem 1fr; gap: .25rem 1rem; margin: .4rem 0 1rem; }
dl.code dt { font-weight: bold; }
dl.code dd { margin: 0; }
.swatch { display: inline-block; width: .8em; height: .8em; border-radius: 2px;
  margin-right: .4em; vertical-align: baseline; border: 1px solid rgba(0,0,0,.25); }
footer { margin-top: 3rem; font-size: .85rem; color: #666; }
@page { size: A4; margin: 2cm 2cm 2.2cm; }
@page wide { size: A4 landscape; margin: 1.5cm; }
@media print {
  table { font-size: 8.5pt; }
  table.dense { font-size: 7.5pt; }
  .table-wrap.wide { page: wide; }
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  h2, h3, h4 { break-after: avoid; }
  figure, blockquote, dl.code, tr { break-inside: avoid; }
  thead { display: table-header-group; }
  .table-wrap { overflow: visible; }
  a { color: inherit; text-decoration: none; }
}
"""


def _e(text: object) -> str:
    return html.escape(_clean(text), quote=True)


def _write_html(report: _Report, path: Path) -> None:
    lang, p = report.lang, report.project
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(p.config.name)} – {_e(_t('report', lang))}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{_e(p.config.name)}</h1>",
    ]
    when = fmt_date(report.data_time, lang=lang) if report.data_time else "\u2013"
    parts.append(
        f'<p class="meta">{_e(_t("data_date", lang))}: {_e(when)} '
        f"({_e(_t('data_date_note', lang))})</p>"
    )
    if p.config.description:
        parts.append(f"<p>{_e(p.config.description)}</p>")
    sections = _html_sections(report)
    parts.append(f"<nav><b>{_e(_t('toc', lang))}</b><ol>")
    parts += [f'<li><a href="#{key}">{_e(_t(key, lang))}</a></li>' for key, _ in sections]
    parts.append("</ol></nav>")
    for key, body in sections:
        parts.append(f'<section id="{key}"><h2>{_e(_t(key, lang))}</h2>')
        parts.extend(body)
        parts.append("</section>")
    parts.append(f"<footer>{_e(_t('made_with', lang))} {_e(tymqual.__version__)}</footer>")
    parts += ["</main>", "</body>", "</html>", ""]
    atomic_write_text(path, "\n".join(parts))


def _html_sections(report: _Report) -> list[tuple[str, list[str]]]:
    sections: list[tuple[str, list[str]]] = []
    for key in ("sec_data", "sec_results", "sec_survey", "sec_integration"):
        body = _html_section_items(report, key)
        if key == "sec_data":
            body.insert(0, f"<p>{_e(_data_summary(report))}</p>")
        if body:
            sections.append((key, body))
    sections.append(("sec_quotes", _html_quotes(report)))
    sections.append(("sec_codebook", _html_codebook(report)))
    sections.append(("sec_methods", _html_methods(report)))
    return sections


def _html_section_items(report: _Report, section: str) -> list[str]:
    body = [f'<p class="omitted">{_e(n)}</p>' for n in report.notes.get(section, [])]
    for table in report.tables:
        if table.section != section:
            continue
        if table.frame is None:
            body += [f'<p class="omitted">{_e(n)}</p>' for n in table.notes]
        else:
            body.append(_html_table(table, report))
        for fig in report.figures:
            if fig.section == section and _figure_follows(fig.key, table.key):
                body.append(_html_figure(fig, report.lang))
    placed = {
        fig.key
        for table in report.tables
        for fig in report.figures
        if _figure_follows(fig.key, table.key)
    }
    for fig in report.figures:
        if fig.section == section and fig.key not in placed:
            body.append(_html_figure(fig, report.lang))
    return body


def _figure_follows(figure_key: str, table_key: str) -> bool:
    """Whether a figure is shown right after a table (the table it illustrates)."""
    return {
        "theme_frequency": "code_frequencies",
        "code_case_heatmap": "code_case_matrix",
        "cooccurrence_heatmap": "co_occurrence",
        "likert_bars": "likert_table",
    }.get(figure_key) == table_key


# Columns the workbook keeps for tracing and filtering but a reader of the page does not need:
# ids, the depth (shown by indentation) and the case total (in the n/N column).
_HTML_HIDDEN = ("coding_id", "depth", "cases_total")


def _html_frame(frame: pd.DataFrame, book: Codebook) -> tuple[pd.DataFrame, list[int]]:
    """The table as the page shows it, and each row's indentation depth (0 without codes).

    Code paths become names where the table has no name column of its own (co-occurrence);
    where it does (or names the categories), the path column goes and its depth indents
    the name.
    """
    out = frame.reset_index(drop=True)
    depths = [0] * len(out)
    if "code_path" in out.columns and ({"code_name", "theme", "main_category"} & set(out.columns)):
        if "code_name" in out.columns:
            depths = [str(path).count("/") for path in out["code_path"]]
        out = out.drop(columns="code_path")
    for column in ("code_a", "code_b"):
        if column in out.columns:
            out[column] = [
                book.resolve(v).name if isinstance(v, str) and v in book else v for v in out[column]
            ]
    # A category level the codebook does not have (the upper category of a two-level tree)
    # would be a column of blanks on the page; the workbook keeps it for a stable layout.
    empty_levels = [
        c for c in ("upper_category", "subcategory")
        if c in out.columns and not out[c].fillna("").astype(str).str.strip().any()
    ]
    hidden = [c for c in (*_HTML_HIDDEN, *empty_levels) if c in out.columns]
    return out.drop(columns=hidden), depths


def _html_table(table: _Table, report: _Report) -> str:
    assert table.frame is not None
    lang = report.lang
    shown_frame, depths = _html_frame(table.frame, report.project.codebook)
    name_col = (
        list(shown_frame.columns).index("code_name") if ("code_name" in shown_frame.columns) else -1
    )
    frame = _relabelled(shown_frame, lang)
    columns = [list(frame.iloc[:, j]) for j in range(frame.shape[1])]
    places = [_decimals(pd.Series(values, dtype=object)) for values in columns]
    shown = [
        [_display(v, d, lang) for v in values] for values, d in zip(columns, places, strict=True)
    ]
    # A table wider than the text column fills it, so long texts wrap instead of overflowing.
    chars = sum(
        min(max(map(_longest_line, [*cells, str(head)])), 40) + 3
        for cells, head in zip(shown, frame.columns, strict=True)
    )
    full = chars > 95
    classes = " ".join(
        ["t", *(["full"] if full else []), *(["dense"] if frame.shape[1] > 8 else [])]
    )
    head = "".join(f'<th scope="col">{_e(c)}</th>' for c in frame.columns)
    total = label("total", lang)
    rows = []
    for i in range(len(frame)):
        cells = []
        for j in range(frame.shape[1]):
            attr = ' class="num"' if _is_number(columns[j][i]) else ""
            if j == name_col and depths[i]:
                attr = f' style="padding-left:{0.6 + 1.2 * depths[i]:.1f}rem"'
            cells.append(f"<td{attr}>{_e(shown[j][i]).replace(chr(10), '<br>')}</td>")
        row_attr = ' class="total"' if columns and columns[0][i] == total else ""
        rows.append(f"<tr{row_attr}>{''.join(cells)}</tr>")
    caption = (
        f"<caption><b>{_e(label('table', lang))} {table.number}.</b> {_e(table.caption)}</caption>"
    )
    notes = "".join(f'<p class="note">{_e(label("note", lang))} {_e(n)}</p>' for n in table.notes)
    wrap = "table-wrap wide" if full else "table-wrap"
    return (
        f'<div class="{wrap}" id="table-{table.number}"><table class="{classes}">'
        f"{caption}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f"</div>{notes}"
    )


def _html_figure(fig: _Fig, lang: Lang) -> str:
    data = base64.b64encode(fig.svg).decode("ascii")
    caption = f"{label('figure', lang)} {fig.number}. {fig.caption}"
    return (
        f'<figure id="figure-{fig.number}"><img src="data:image/svg+xml;base64,{data}" '
        f'alt="{_e(caption)}"><figcaption><b>{_e(label("figure", lang))} {fig.number}.</b> '
        f"{_e(fig.caption)}</figcaption></figure>"
    )


def _data_summary(report: _Report) -> str:
    lang, p = report.lang, report.project
    s = p.summary()
    kinds = p.sources["kind"].value_counts(sort=False)
    which = 0 if lang == "fi" else 1
    kind_text = ", ".join(
        f"{fmt_number(int(n), lang=lang)} {_KIND_WORDS.get(str(k), (str(k), str(k)))[which]}"
        for k, n in sorted(kinds.items(), key=lambda kv: str(kv[0]))
    )
    return _t(
        "data_summary",
        lang,
        sources=fmt_number(s["sources"], lang=lang),
        kinds=kind_text or "\u2013",
        words=fmt_number(s["words"], lang=lang),
        turns=fmt_number(s["turns"], lang=lang),
        cases=fmt_number(s["cases"], lang=lang),
        codes=fmt_number(s["codes"], lang=lang),
        codings=fmt_number(s["codings"], lang=lang),
    )


def _html_quotes(report: _Report) -> list[str]:
    lang, book = report.lang, report.project.codebook
    quotes = report.quotes
    table = report.table("quotes")
    body: list[str] = []
    if quotes is None or quotes.empty:
        return [f"<p>{_e(_t('no_quotes', lang))}</p>"]
    themes: dict[str, list[pd.Series]] = {}
    for _, row in quotes.iterrows():
        themes.setdefault(str(row["code_path"]).split("/")[0], []).append(row)
    for theme, rows in themes.items():
        name = book.resolve(theme).name if theme in book else theme
        body.append(f"<h3>{_e(name)}</h3>")
        current = theme
        for row in rows:
            if str(row["code_path"]) != current:
                current = str(row["code_path"])
                body.append(f"<h4>{_e(row['code_name'])}</h4>")
            body.append(f"<blockquote>{_e(_quote_text(row))}</blockquote>")
    if table is not None and table.number:
        body.append(f'<p class="note">{_e(_t("quotes_in_workbook", lang, n=table.number))}</p>')
    return body


def _html_codebook(report: _Report) -> list[str]:
    lang, book = report.lang, report.project.codebook
    body = []
    head = f"<p><b>{_e(book.name)}</b>"
    if book.version:
        head += f" ({_e(_t('version', lang))} {_e(book.version)})"
    body.append(head + "</p>")
    if book.description:
        body.append(f"<p>{_e(book.description)}</p>")
    body.append(f'<p class="note">{_e(_t("codebook_intro", lang))}</p>')
    body += [_html_figure(f, lang) for f in report.figures if f.section == "sec_codebook"]
    for code in book:
        level = min(code.depth + 3, 6)
        swatch = f'<span class="swatch" style="background:{_e(code.color)}"></span>'
        body.append(
            f"<h{level}>{swatch}{_e(code.name)} "
            f'<span class="code-path">{_e(code.path)}</span></h{level}>'
        )
        items = "".join(
            f"<dt>{_e(name)}</dt><dd>{_e(text) if str(text).strip() else '–'}</dd>"
            for name, text in _guidance(report, code)
        )
        body.append(f'<dl class="code">{items}</dl>')
    return body


def _html_methods(report: _Report) -> list[str]:
    text = _t(
        "methods",
        report.lang,
        min=report.project.config.min_cell_size,
        wpp=WORDS_PER_PAGE,
        version=tymqual.__version__,
    )
    return [f"<p>{_e(para)}</p>" for para in text.split("|")]
