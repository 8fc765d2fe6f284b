"""Survey files read into a grid of text cells: CSV, Excel workbooks, SPSS and Stata files.

The first step of :func:`tymqual.surveys.read_survey`: every program's export becomes the same
:class:`Grid` (header rows, then data rows with their spreadsheet numbers), each cell text or
None. Numbers lose a spurious ``.0``, text is NFC-normalised, and a statistics file's value
labels become the cells, with its user-missing codes read as missing unless labelled as a
don't-know answer (:data:`DONT_KNOW_LABELS`), the rule the column typing shares.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from tymqual.errors import SurveyError
from tymqual.storage import check_zip_sizes, decode_bytes, sniff_separator
from tymqual.text import normalize_text

DONT_KNOW_LABELS: tuple[str, ...] = ("En osaa sanoa", "EOS", "Ei osaa sanoa", "Don't know")
"""Answers kept apart from a Likert scale: counted in ``Survey.dont_know``, never averaged."""

_NUMBER_PREFIX = re.compile(r"^\d+\s*(?:[=.):–-]\s*|\s)(?=\D)")


def label_key(label: str) -> str:
    """An answer label as compared with a scale's: case, spacing, typographic apostrophes and a
    leading number (``3 = Samaa mieltä``) do not count."""
    text = label.replace("\u2019", "'").replace("\u00a0", " ").strip()
    return " ".join(_NUMBER_PREFIX.sub("", text, count=1).split()).casefold()


DONT_KNOW_KEYS = frozenset(label_key(label) for label in DONT_KNOW_LABELS)


Row = list[str | None]


@dataclass
class Grid:
    """A sheet as the user sees it: header rows, then data rows with their spreadsheet numbers."""

    path: Path
    sheet: str | None
    headers: list[list[str]]
    rows: list[tuple[int, Row]]
    width: int
    header_row: int = 1
    spss: bool = False
    labels: dict[str, list[str]] = field(default_factory=dict)

    def header(self, col: int) -> str:
        return self.headers[0][col]

    def values(self, col: int) -> list[str | None]:
        return [cells[col] for _, cells in self.rows]

    def answers(self, col: int) -> list[tuple[int, str]]:
        """``(row number, answer)`` of every non-empty cell of column ``col``."""
        return [(n, value) for n, cells in self.rows if (value := cells[col]) is not None]

    def where(self, *, row: int | None = None, col: int | None = None) -> str:
        parts = [str(self.path)]
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet!r}")
        if row is not None:
            parts.append(f"row {row}")
        if col is not None:
            name = f"variable {self.header(col)!r}"
            if not self.spss:
                name = f"column {self.header(col)!r} ({get_column_letter(col + 1)})"
            parts.append(name)
        return ", ".join(parts)


def cell_text(value: object) -> str | None:
    """A cell as text: numbers without a spurious ``.0``, blanks as None, text NFC-normalised."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    text = normalize_text(str(value)).strip()
    return text or None


def read_csv_rows(path: Path) -> list[Row]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SurveyError(f"{path}: cannot be read ({exc.strerror}).") from exc
    text = normalize_text(decode_bytes(data, str(path), error=SurveyError)[0])
    # Finnish Excel writes ';' because ',' is the decimal separator; Qualtrics writes ','.
    delimiter = sniff_separator(text)
    try:
        return [
            [cell_text(cell) for cell in record]
            for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error as exc:
        raise SurveyError(f"{path}: not readable as CSV ({exc}); export it again.") from exc


def read_xlsx_rows(path: Path, sheet: str | int | None) -> tuple[str, list[Row]]:
    try:
        with zipfile.ZipFile(path) as archive:  # a zip bomb is refused before it unpacks
            check_zip_sizes(archive, str(path), error=SurveyError)
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, InvalidFileException, KeyError) as exc:
        raise SurveyError(
            f"{path}: cannot be read as an Excel workbook ({exc}); open it in Excel and save "
            "it again as .xlsx, or export the survey as CSV."
        ) from exc
    try:
        names = workbook.sheetnames
        if sheet is None:
            name = names[0]
        elif isinstance(sheet, int) and 0 <= sheet < len(names):
            name = names[sheet]
        elif isinstance(sheet, str) and sheet in names:
            name = sheet
        else:
            raise SurveyError(
                f"{path}: there is no sheet {sheet!r}; the workbook has "
                f"{', '.join(repr(n) for n in names)} (sheet= takes a name or a 0-based index)."
            )
        worksheet = workbook[name]
        # Some exporters write a wrong sheet size; without it openpyxl reads every cell.
        worksheet.reset_dimensions()
        rows = [
            [cell_text(value) for value in row]
            for row in worksheet.iter_rows(values_only=True)
        ]
    finally:
        workbook.close()
    return name, rows


def read_stat(path: Path, kind: str, notes: list[str]) -> Grid:
    """An SPSS or Stata file as a grid: variable names and labels as headers, labels as cells.

    User-missing values (SPSS missing values and ranges, Stata's ``.a``-``.z``) become missing,
    except those labelled as a don't-know answer, which stay that answer. Labels that repeat
    within a variable are merged into one answer; ``notes`` gets one sentence for each.
    """
    import pyreadstat  # imported here: reading a spreadsheet should not need it

    read = pyreadstat.read_sav if kind == "spss" else pyreadstat.read_dta
    what = "an SPSS .sav" if kind == "spss" else "a Stata .dta"
    try:
        frame, meta = read(str(path), user_missing=True)
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, OSError, ValueError) as exc:
        raise SurveyError(f"{path}: cannot be read as {what} file ({exc}).") from exc
    if frame.empty:
        raise SurveyError(f"{path}: the file has no cases (rows); nothing to read.")
    names = [str(n) for n in meta.column_names]
    variables = [_StatVariable.of(path, name, frame[name], meta, kind) for name in names]
    columns = [v.cells() for v in variables]
    rows = [(n + 1, [column[n] for column in columns]) for n in range(len(frame))]
    notes += [v.merged_note() for v in variables if v.merged]
    missing = {v.name: v.n_missing for v in variables if v.n_missing}
    if missing:
        listed = ", ".join(f"{name}: {n}" for name, n in missing.items())
        notes.append(
            f"{path}: {sum(missing.values())} answers carry user-missing codes and were read "
            f"as missing ({listed})."
        )
    labels = meta.column_names_to_labels
    headers = [names, [labels.get(n) or n for n in names]]
    value_order = {v.name: v.order for v in variables if v.order is not None}
    return Grid(path, None, headers, rows, len(names), header_row=0, spss=True,
                 labels=value_order)


def _user_missing(kind: str, value: object, ranges: Sequence[Mapping[str, object]]) -> bool:
    """Whether ``value`` is a declared missing code (SPSS ranges; Stata: any letter code)."""
    if kind == "stata":
        return isinstance(value, str)
    for span in ranges:
        low, high = span.get("lo"), span.get("hi")
        if type(value) is type(low) and type(value) is type(high):
            if low <= value <= high:  # type: ignore[operator]
                return True
    return False


@dataclass
class _StatVariable:
    """One variable of a statistics file: its cells as text, its label order, what was merged."""

    path: Path
    name: str
    values: list[object]
    mapping: dict[object, str]
    missing: list[bool]
    order: list[str] | None = None
    merged: dict[str, list[object]] = field(default_factory=dict)
    n_missing: int = 0

    @classmethod
    def of(cls, path: Path, name: str, column: pd.Series, meta: object, kind: str) -> _StatVariable:
        ranges = getattr(meta, "missing_ranges", {}).get(name, [])
        string = getattr(meta, "readstat_variable_types", {}).get(name) == "string"
        values = [None if blank(v) else v for v in column.tolist()]
        # Stata strings have no missing codes; its numeric ones come back as letters.
        coded = not (string and kind == "stata")
        missing = [v is not None and coded and _user_missing(kind, v, ranges) for v in values]
        labels = getattr(meta, "variable_value_labels", {}).get(name, {})
        mapping = {code: normalize_text(str(text)).strip() for code, text in labels.items()}
        variable = cls(path, name, values, mapping, missing)
        variable.settle_labels(ranges, kind)
        return variable

    def settle_labels(self, ranges: Sequence[Mapping[str, object]], kind: str) -> None:
        valid = [v for v, gone in zip(self.values, self.missing, strict=True)
                 if v is not None and not gone]
        # A variable labelled only in part (1 and 5 of a 1-5 scale) is read as its numbers.
        if not self.mapping or not all(v in self.mapping for v in valid):
            self.mapping = {}
            return
        codes = sorted(self.mapping, key=lambda c: (type(c).__name__, c))
        kept = [c for c in codes if not _user_missing(kind, c, ranges)
                or label_key(self.mapping[c]) in DONT_KNOW_KEYS]
        by_label: dict[str, list[object]] = {}
        for code in kept:
            by_label.setdefault(self.mapping[code], []).append(code)
        self.merged = {label: c for label, c in by_label.items() if len(c) > 1}
        self.order = list(by_label)

    def cells(self) -> Row:
        out: Row = []
        for value, gone in zip(self.values, self.missing, strict=True):
            label = self.mapping.get(value) if value is not None else None
            if gone and (label is None or label_key(label) not in DONT_KNOW_KEYS):
                self.n_missing += 1
                out.append(None)
            else:
                out.append(label if label is not None else cell_text(value))
        return out

    def merged_note(self) -> str:
        shared = "; ".join(
            f"codes {' and '.join(cell_text(c) or '' for c in codes)} share the label {label!r}"
            for label, codes in self.merged.items()
        )
        return (f"{self.path}, variable {self.name!r}: {shared}; their answers are read as one "
                "answer.")


def blank(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))  # type: ignore[call-overload]
