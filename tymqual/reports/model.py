"""What the report is made of (tables, figures, notes) and how one cell is shown."""

from __future__ import annotations

import datetime as dt
import io
import math
import numbers
import re
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tymqual.formatting import Lang, fmt_number
from tymqual.labels import label, relabel

if TYPE_CHECKING:
    from tymqual.codebook import Codebook
    from tymqual.project import Project

WORDS_PER_PAGE = 500
CASE_FIGURE_LIMIT = 40
"""Most cases a figure is drawn case by case for; beyond it the themes are drawn in total and
the code × case heat map is left to its table (a thousand cases would not be readable)."""
# Folders of a project that hold material the analyst made or collected; a report never
# writes there.
SOURCE_FOLDERS = ("transcripts", "documents", "codes", "surveys")
# Zip entries get this timestamp (the earliest a zip can store), so two builds are identical.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FALLBACK_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
COLUMN_WIDTH_MAX = 45
HEADER_WIDTH_MAX = 24
# Characters XML 1.0 cannot hold; openpyxl and python-docx refuse them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
QUOTE_MARKS = ("\u201d", "\u201c", "\u201e", '"')
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# Case attributes that identify or date a case rather than group cases.
NOT_GROUPING = {"case_id", "label", "respondent_id", "sources", "pseudonym", "name", "nimi"}
DATE_LIKE = re.compile(r"date|pvm|päivä|paiva|aika|time", re.IGNORECASE)
JOINT_QUOTES_MAX = 8
"""Most quotes in one joint display cell; beyond it the quotes section has every case."""
QUOTES_PER_CASE = 3
"""Most quotes of one case per theme in the report's quotes section (each case with a passage
of the theme gets at least one)."""
# Columns the library's tables keep for tracing a row back (ids, paths, the depth that the
# indentation shows, the case total inside n/N) and a reader of the report does not need.
_TRACING = ("coding_id", "code_path", "coded_path", "depth", "cases_total")
# Per table: further columns that repeat what the reader sees elsewhere in the same row.
_REPEATS = {"joint_display": ("items", "valid_n", "cases_n_of_N"), "quotes": ("case_id",)}


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
class ReaderTable:
    key: str
    caption: str
    sheet: str
    frame: pd.DataFrame | None
    notes: list[str] = field(default_factory=list)
    section: str = "sec_results"
    number: int = 0
    depths: list[int] = field(default_factory=list)  # each row's indentation (code depth)


@dataclass
class ReaderFigure:
    key: str
    caption: str
    section: str
    svg: bytes
    paths: list[Path]
    number: int = 0


@dataclass
class ReportParts:
    project: Project
    lang: Lang
    data_time: dt.datetime | None
    tables: list[ReaderTable] = field(default_factory=list)
    figures: list[ReaderFigure] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)  # section → notes
    freq: pd.DataFrame | None = None
    quotes: pd.DataFrame | None = None
    examples: dict[str, str] = field(default_factory=dict)  # code path → example quote
    # The disclosure review: what was left out (reader sentences), what the author allowed
    # (item → reason) and whether small cells are shown for internal work.
    withheld: list[str] = field(default_factory=list)
    allowed: dict[str, str] = field(default_factory=dict)
    internal: bool = False

    def table(self, key: str) -> ReaderTable | None:
        return next((t for t in self.tables if t.key == key), None)


def reader_frame(key: str, frame: pd.DataFrame, book: Codebook) -> tuple[pd.DataFrame, list[int]]:
    """The table as a reader sees it in every file, and each row's indentation depth.

    Tracing columns go (the depth indents the code name instead); code paths become names
    where the table has no name column of its own (co-occurrence); a category level the
    codebook does not have (the upper category of a two-level tree) would be a column of
    blanks and goes too. The joint display's analyst column is its meta-inference.
    """
    out = frame.reset_index(drop=True)
    depths = [0] * len(out)
    if "code_name" in out.columns and "code_path" in out.columns:
        depths = [str(path).count("/") for path in out["code_path"]]
    if "code_path" in out.columns and not {"code_name", "theme"} & set(out.columns):
        out = out.rename(columns={"code_path": "code"})  # a table of codes without names
    for column in ("code_a", "code_b", "code"):
        if column in out.columns:
            out[column] = [
                book.resolve(v).name if isinstance(v, str) and v in book else v for v in out[column]
            ]
    empty_levels = [
        c
        for c in ("upper_category", "subcategory")
        if c in out.columns and not out[c].fillna("").astype(str).str.strip().any()
    ]
    hidden = [c for c in (*_TRACING, *_REPEATS.get(key, ()), *empty_levels) if c in out.columns]
    out = out.drop(columns=hidden)
    if key == "joint_display":
        out = out.rename(columns={"conclusion": "meta_inference"})
    return out, depths


# ---------------------------------------------------------------------------- cell values


def clean_cell(text: object) -> str:
    return _XML_ILLEGAL.sub("", str(text))


def is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


def is_number(value: object) -> bool:
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool | np.bool_)
        and math.isfinite(float(value))
    )


def as_text(value: object) -> str:
    if isinstance(value, list | tuple | set):
        return "; ".join(as_text(v) for v in value)
    if isinstance(value, dt.datetime | pd.Timestamp) and not is_missing(value):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, bool | np.bool_):
        return label("yes" if value else "no")
    return clean_cell(value)


def relabelled(frame: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """``frame`` with reader labels as headers."""
    return relabel(frame.reset_index(drop=True), lang)


def decimals(column: pd.Series) -> int:
    """Decimal places (0–2) that show every number of ``column`` as precisely as reasonable."""
    places = 0
    for value in column:
        if is_number(value) and not float(value).is_integer():
            places = max(places, 1 if round(float(value), 1) == round(float(value), 2) else 2)
    return places


def display_value(value: object, places: int, lang: Lang) -> str:
    """A cell as the HTML shows it: numbers through formatting.py, missing as an en dash."""
    if is_missing(value):
        return "\u2013"
    if is_number(value):
        whole = isinstance(value, numbers.Integral) or places == 0
        return fmt_number(value, None if whole else places, lang=lang)
    if isinstance(value, bool | np.bool_):
        return label("yes" if value else "no", lang)
    return as_text(value)


def longest_line(text: str) -> int:
    return max((len(line) for line in text.split("\n")), default=0)


# ---------------------------------------------------------------------------- zip packages


def normalise_zip(data: bytes, when: dt.datetime) -> bytes:
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


def quote_text(row: pd.Series) -> str:
    """A quote row as ``”passage” (case)``, whatever marks the quotes table already has."""
    text = " ".join(as_text(row["quote"]).split())
    if text.startswith(QUOTE_MARKS):
        return text
    case = row.get("case_label", row.get("case_id"))
    suffix = f" ({as_text(case)})" if not is_missing(case) and str(case) else ""
    return f"\u201d{text}\u201d{suffix}"
