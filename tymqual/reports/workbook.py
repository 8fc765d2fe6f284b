"""The Excel workbook: a contents sheet, then one sheet per numbered table."""

from __future__ import annotations

import io
import math
import numbers
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

import tymqual
from tymqual.formatting import Lang, fmt_date
from tymqual.labels import label
from tymqual.reports.disclosure import privacy_paragraphs
from tymqual.reports.model import (
    COLUMN_WIDTH_MAX,
    FALLBACK_DATE,
    HEADER_WIDTH_MAX,
    SHEET_FORBIDDEN,
    ReaderTable,
    ReportParts,
    as_text,
    clean_cell,
    decimals,
    display_value,
    is_missing,
    is_number,
    longest_line,
    normalise_zip,
    relabelled,
)
from tymqual.reports.strings import (
    phrase,
)
from tymqual.storage import (
    atomic_write_bytes,
    safe_xlsx_cell,
)

# ---------------------------------------------------------------------------- workbook


def write_xlsx(report: ReportParts, path: Path) -> None:
    lang = report.lang
    wb = Workbook()
    contents = wb.active
    assert isinstance(contents, Worksheet)  # a new workbook always has one sheet
    contents.title = phrase("contents", lang)
    used = {contents.title.casefold()}
    sheets: dict[int, str] = {}
    for table in report.tables:
        if table.frame is None:
            continue
        name = _sheet_name(f"T{table.number} {table.sheet}", used)
        sheets[table.number] = name
        _table_sheet(wb.create_sheet(name), table, lang)
    _contents_sheet(contents, report, sheets)
    when = report.data_time or FALLBACK_DATE
    wb.properties.creator = "tymqual"
    wb.properties.lastModifiedBy = "tymqual"
    wb.properties.title = clean_cell(report.project.config.name)
    wb.properties.created = when.replace(tzinfo=None)
    buffer = io.BytesIO()
    wb.save(buffer)
    atomic_write_bytes(path, normalise_zip(buffer.getvalue(), when))


def _sheet_name(wanted: str, used: set[str]) -> str:
    """A valid, unique worksheet name: ≤ 31 characters, none of ``[]:*?/\\``."""
    base = (
        SHEET_FORBIDDEN.sub(" ", clean_cell(wanted)).strip().strip("'")[:31].strip() or "Taulukko"
    )
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
    if is_missing(value):
        return cell
    if is_number(value):
        number = int(value) if isinstance(value, numbers.Integral) else float(value)  # type: ignore[arg-type]
        cell.value = number
        cell.number_format = "0" if isinstance(number, int) or places == 0 else "0." + "0" * places
        return cell
    if isinstance(value, bool | np.bool_):
        cell.value = bool(value)
        return cell
    return safe_xlsx_cell(cell, as_text(value))


def _table_sheet(ws: Worksheet, table: ReaderTable, lang: Lang) -> None:
    assert table.frame is not None
    frame = relabelled(table.frame, lang)
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
        places = decimals(pd.Series(values, dtype=object))
        shown = [display_value(v, places, lang) for v in values]
        longest = max((longest_line(s) for s in shown), default=0)
        header = min(longest_line(str(column)), HEADER_WIDTH_MAX)
        width = min(max(longest, header, 4) + 2, COLUMN_WIDTH_MAX)
        ws.column_dimensions[get_column_letter(j)].width = width
        long_column = longest > COLUMN_WIDTH_MAX - 2
        indent = table.depths if table.frame.columns[j - 1] == "code_name" else []
        for i, value in enumerate(values):
            cell = _put(ws, header_row + 1 + i, j, value, places=places)
            cell.alignment = wrap_top if long_column or "\n" in shown[i] else top
            if indent and indent[i]:
                cell.alignment = Alignment(vertical="top", indent=2 * indent[i])
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1).coordinate
    _print_setup(ws, header_row)
    row = header_row + len(frame) + 2
    for note in table.notes:
        _note_row(ws, row, f"{label('note', lang)} {note}", len(frame.columns))
        row += 1


# Printable width of an A4 landscape page with half-inch side margins, in points.
_PRINT_WIDTH_PT = 842 - 72
# Points per unit of column width, and per column. Excel's own font gives about 5.3; where
# Calibri is missing (LibreOffice on Linux) a wider font stands in, about 7, so the scale is
# computed for the wider one and the table fits the page in both.
_PT_PER_CHAR, _PT_PAD = 7.0, 4.0


def _note_row(ws: Worksheet, row: int, text: str, columns: int) -> None:
    """A note across the table's width, wrapped, its row as tall as the text needs (a long
    note left in one cell would run past the table and print on a page of its own)."""
    cell = _put(ws, row, 1, text)
    cell.font = Font(italic=True)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    if columns > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    width = sum(
        ws.column_dimensions[get_column_letter(j)].width or 8.43 for j in range(1, columns + 1)
    )
    lines = max(1, math.ceil(len(text) * 1.15 / max(width, 1.0)))
    ws.row_dimensions[row].height = 15 * lines


def _print_setup(ws: Worksheet, header_row: int | None) -> None:
    """A4 landscape, scaled so that every column fits the page's width, the header row on
    every printed page.

    The scale is computed from the column widths rather than asked for as "fit to one page
    wide": LibreOffice reads that as one page in all, shrinking a long table to an
    unreadable page.
    """
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    widths = [d.width or 8.43 for d in ws.column_dimensions.values() if not d.hidden]
    total = sum(w * _PT_PER_CHAR + _PT_PAD for w in widths) or 1.0
    ws.page_setup.scale = max(10, min(100, int(_PRINT_WIDTH_PT / total * 100)))
    if header_row is not None:
        ws.print_title_rows = f"{header_row}:{header_row}"


def _contents_sheet(ws: Worksheet, report: ReportParts, sheets: dict[int, str]) -> None:
    lang, p = report.lang, report.project
    _put(ws, 1, 1, p.config.name).font = Font(bold=True, size=14)
    _put(ws, 2, 1, phrase("data_date", lang)).font = Font(bold=True)
    when = fmt_date(report.data_time, lang=lang) if report.data_time else "\u2013"
    _put(ws, 2, 2, f"{when} ({phrase('data_date_note', lang)})")
    row = 3
    if p.config.description:
        _put(ws, row, 1, phrase("project", lang)).font = Font(bold=True)
        _put(ws, row, 2, p.config.description).alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    row += 1
    for j, key in enumerate(("number", "caption", "sheet"), 1):
        _put(ws, row, j, phrase(key, lang)).font = Font(bold=True)
    ws.freeze_panes = None
    for table in report.tables:
        row += 1
        if table.frame is None:
            _put(ws, row, 1, f"{label('table', lang)} ({phrase('not_shown', lang)})")
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
    _put(ws, row, 1, phrase("sec_privacy", lang)).font = Font(bold=True)
    for text in privacy_paragraphs(report):
        _put(ws, row, 2, text)
        row += 1
    row += 1
    _put(ws, row, 1, f"{phrase('made_with', lang)} {tymqual.__version__}").font = Font(
        italic=True, color="666666"
    )
    for letter, width in (("A", 24), ("B", 70), ("C", 40)):
        ws.column_dimensions[letter].width = width
    _print_setup(ws, None)
    for cells in ws.iter_rows(min_row=1, max_row=row, min_col=2, max_col=2):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
