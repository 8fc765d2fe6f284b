"""The leak check: is any original of the pseudonymisation key still in a folder of files?

For the thesis author about to send reports and exports (xlsx, docx, html, csv, svg, qdpx,
zip, sav, ...) to a supervisor or an archive: :func:`check_leaks` lists every place where a
name, place or identifier of the key (``codes/private/key.csv``, see :mod:`tymqual.privacy`)
still appears, inflected forms included; :func:`assert_no_leaks` raises :class:`LeakError`
naming them. The report (:func:`tymqual.reports.build_report`) and
:func:`tymqual.privacy.pseudonymize` run it before they put anything in place.

Originals are found by the same matcher that :func:`~tymqual.privacy.pseudonymize` replaces
them with (:mod:`tymqual.keymatch`; the rules are in :mod:`tymqual.privacy`'s docstring), so
a pseudonymised project never fails its own leak check. Most of this module is the readers
that turn each file format into ``(location, text)`` pieces for the matcher.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import csv
import html
import io
import os
import re
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docx
import pandas as pd
from docx.oxml.ns import qn
from docx.table import Table
from lxml import etree
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from tymqual.errors import LeakError, PrivacyError, TymqualWarning
from tymqual.keymatch import Matcher, finnish_analyser
from tymqual.keys import MAX_SHOWN, resolve_key
from tymqual.storage import check_zip_sizes, decode_any, sniff_separator

__all__ = ["LEAK_COLUMNS", "LeakError", "assert_no_leaks", "check_leaks"]

LEAK_COLUMNS: tuple[str, ...] = ("file", "location", "found")

_TEXT_SUFFIXES = frozenset({
    ".txt", ".md", ".html", ".htm", ".xhtml", ".svg", ".json", ".yaml", ".yml", ".ipynb",
    ".tsv", ".tex", ".rtf", ".log", ".vtt", ".srt", ".bib", ".r", ".rmd", ".qmd", ".py",
})
_XML_SUFFIXES = frozenset({".xml", ".qde", ".rels"})
_ZIP_SUFFIXES = frozenset({".zip", ".qdpx", ".odt", ".ods", ".odp", ".pptx", ".epub"})
_OPAQUE_SUFFIXES = frozenset({".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff",
                              ".webp", ".ico"})
_PACKED = frozenset({".xlsx", ".xlsm", ".docx", ".docm"}) | _ZIP_SUFFIXES
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_XLSX_COVERED = re.compile(r"xl/(?:sharedStrings|workbook|styles)\.xml|xl/worksheets/[^/]+\.xml"
                           r"|xl/comments[^/]*\.xml|xl/theme/.*|docProps/core\.xml")
_DOCX_COVERED = re.compile(r"word/(?:document|header\d*|footer\d*|styles|fontTable|"
                           r"settings|webSettings|numbering)\.xml|word/theme/.*|"
                           r"docProps/core\.xml")
_DATA_URI = re.compile(r"data:(image/svg\+xml|text/[\w.+-]+);base64,([A-Za-z0-9+/=]+)")
_ANY_DATA_URI = re.compile(r"data:[\w.+/-]+;base64,[A-Za-z0-9+/=]+")
_ESCAPES = re.compile(r"\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})|\\U([0-9a-fA-F]{8})")
_MAX_ENTRY = 200 * 1024 * 1024
_MAX_DEPTH = 4
_DAMAGED: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, OSError,
    NotImplementedError, InvalidFileException, etree.LxmlError,
)
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True,
                              recover=False)

Units = Iterator[tuple[str, str]]


@dataclass
class Scan:
    """Files whose text could not be read, for one warning at the end."""

    unreadable: list[str] = field(default_factory=list)
    # Names that are also ordinary words, capitalised at a sentence start: not counted.
    uncertain: list[str] = field(default_factory=list)


def check_leaks(folder: str | os.PathLike[str], key: object) -> pd.DataFrame:
    """Every place in ``folder`` (or one file) where an original of ``key`` still appears.

    ``key``: a key DataFrame, a key file or a project. Read are file and folder names;
    .xlsx (every cell, comment, header and footer of every sheet, sheet names, document
    properties, and other parts such as charts and pivot caches); .docx (paragraphs, tables,
    headers and footers of every section, text boxes, properties, comments and footnotes);
    .html, .svg (with figures embedded as base64 SVG), .txt, .md, .json, .ipynb, .yaml,
    .csv and other text; .qdpx, .zip and OpenDocument files entry by entry, recursively
    (.qde XML, ``sources/*.txt``, documents inside); .sav, .zsav and .dta (values, variable
    and value labels, the file label).
    Escapes (``&auml;``, ``\\u00e4``) are decoded before matching. Images and PDFs cannot be
    read: a :class:`TymqualWarning` lists them (images beside an .svg of the same name, as
    figures are saved, are left out of it).

    Columns: ``file`` (posix, relative to ``folder``), ``location`` (``sheet 'Lainaukset',
    cell C7``, ``paragraph 12``, ``line 3``, ``entry 'project.qde', line 40``, ``file
    name``), ``found`` (the text as it appears there).
    """
    base = Path(folder)
    if not base.exists():
        raise PrivacyError(f"check_leaks(): {base} does not exist; give a folder or a file.")
    matcher = Matcher(resolve_key(key, None), finnish_analyser())
    scan = Scan()
    rows: list[tuple[str, str, str]] = []
    if base.is_file():
        rows += scan_path(base, base.name, matcher, scan)
    else:
        for path in sorted(base.rglob("*")):
            rel = path.relative_to(base).as_posix()
            if path.is_dir():
                rows += [(rel + "/", "folder name", f)
                         for f in _found(matcher, path.name, scan, rel + "/, folder name")]
            elif path.is_file():
                rows += scan_path(path, rel, matcher, scan)
    if scan.unreadable:
        shown = ", ".join(scan.unreadable[:MAX_SHOWN])
        more = len(scan.unreadable) - MAX_SHOWN
        warnings.warn(
            f"check_leaks(): the text of {len(scan.unreadable)} file(s) could not be read and "
            f"was not checked: {shown}{f' and {more} more' if more > 0 else ''}. Check them "
            "by eye, or export figures as SVG and documents as text.",
            TymqualWarning, stacklevel=2)
    if scan.uncertain:
        shown = "; ".join(scan.uncertain[:MAX_SHOWN])
        more = len(scan.uncertain) - MAX_SHOWN
        warnings.warn(
            f"check_leaks(): {len(scan.uncertain)} word(s) that are both a name in the key and "
            f"an ordinary word open a sentence, where the two cannot be told apart, and were "
            f"not counted as leaks: {shown}{f'; and {more} more' if more > 0 else ''}. Check "
            "them by eye.", TymqualWarning, stacklevel=2)
    return pd.DataFrame(rows, columns=list(LEAK_COLUMNS))


def assert_no_leaks(folder: str | os.PathLike[str], key: object) -> None:
    """Raise :class:`LeakError` naming file and place of every leak :func:`check_leaks` finds."""
    leaks = check_leaks(folder, key)
    if not leaks.empty:
        raise LeakError(leak_message(str(folder), leaks)
                        + " Remove them, or pseudonymise the material, before sharing.")


def leak_message(where: str, leaks: pd.DataFrame) -> str:
    lines = [f"{file}, {location}: {found!r}"
             for file, location, found in leaks.head(20).itertuples(index=False)]
    more = f"\n  … and {len(leaks) - 20} more" if len(leaks) > 20 else ""
    return (f"{where}: {len(leaks)} occurrence(s) of originals from the key:\n  "
            + "\n  ".join(lines) + more + "\n")


def _found(matcher: Matcher, text: str, scan: Scan, where: str) -> list[str]:
    hits = matcher.find(text, uncertain=True)
    scan.uncertain += [f"{where}: {text[h.start:h.end]!r}" for h in hits if h.uncertain]
    return [text[h.start:h.end] for h in hits if not h.uncertain]


def scan_path(path: Path, rel: str, matcher: Matcher, scan: Scan) -> list[tuple[str, str, str]]:
    rows = [(rel, "file name", f) for f in _found(matcher, path.name, scan, f"{rel}, file name")]
    suffix = path.suffix.lower()
    if suffix in _OPAQUE_SUFFIXES:
        if not path.with_suffix(".svg").exists():
            scan.unreadable.append(rel)
        return rows
    if suffix == ".png" and not path.with_suffix(".svg").exists():
        # Its text chunks are read below; what its pixels show cannot be.
        scan.unreadable.append(f"{rel} (its pixels; its text chunks were checked)")
    if suffix in (".sav", ".zsav", ".dta"):
        units: Units = _statistics_units(path, rel, scan)
    else:
        units = _units(path.name, path.read_bytes(), rel, scan, 0)
    for location, text in units:
        rows += [(rel, location, f) for f in _found(matcher, text, scan, f"{rel}, {location}")]
    return rows


def _units(name: str, data: bytes, where: str, scan: Scan, depth: int) -> Units:
    """``(location, text)`` of every piece of text in a file's bytes, by its suffix."""
    suffix = Path(name).suffix.lower()
    readers: dict[frozenset[str], Callable[[], Units]] = {
        frozenset({".xlsx", ".xlsm"}): lambda: _xlsx_units(data),
        frozenset({".docx", ".docm"}): lambda: _docx_units(data),
        _ZIP_SUFFIXES: lambda: _zip_units(data, where, scan, depth),
        frozenset({".csv"}): lambda: _csv_units(data),
        _XML_SUFFIXES: lambda: _xml_units(data),
        frozenset({".png"}): lambda: _png_units(data),
        frozenset({".pdf"}): lambda: _pdf_units(data, where, scan),
    }
    for suffixes, reader in readers.items():
        if suffix in suffixes:
            try:
                if suffix in _PACKED:  # a zip bomb is refused before it unpacks
                    with zipfile.ZipFile(io.BytesIO(data)) as archive:
                        check_zip_sizes(archive, where, error=PrivacyError)
                # Materialised here so that a damaged file fails now, not half-way.
                yield from list(reader())
                return
            except _DAMAGED as exc:
                scan.unreadable.append(f"{where} (as {suffix}: {type(exc).__name__}; its raw "
                                       "text was checked)")
            break
    if suffix in _OPAQUE_SUFFIXES:
        scan.unreadable.append(where)
        return
    yield from _text_units(data)


def _unescaped(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = int(next(g for g in match.groups() if g), 16)
        return chr(code) if code < 0x110000 and not 0xD800 <= code < 0xE000 else match.group()
    return _ESCAPES.sub(one, html.unescape(text))


def _text_units(data: bytes) -> Units:
    for n, line in enumerate(decode_any(data).splitlines(), start=1):
        for match in _DATA_URI.finditer(line):
            with contextlib.suppress(binascii.Error, ValueError):
                inner = base64.b64decode(match.group(2), validate=True)
                kind = "SVG image" if "svg" in match.group(1) else "text"
                for location, text in _text_units(inner):
                    yield f"line {n}, embedded {kind}, {location}", text
        yield f"line {n}", _unescaped(_ANY_DATA_URI.sub(" ", line))


def _png_units(data: bytes) -> Units:
    """The text chunks of a PNG (``tEXt``, ``zTXt``, ``iTXt``): titles, authors, comments and
    the software that wrote it, which may name a person although the pixels do not."""
    if not data.startswith(_PNG_SIGNATURE):
        raise ValueError("not a PNG file")
    at = len(_PNG_SIGNATURE)
    while at + 8 <= len(data):
        length = int.from_bytes(data[at:at + 4], "big")
        kind = data[at + 4:at + 8]
        body = data[at + 8:at + 8 + length]
        at += 12 + length
        if kind == b"IEND":
            return
        if kind not in (b"tEXt", b"zTXt", b"iTXt"):
            continue
        keyword, _, rest = body.partition(b"\0")
        if kind == b"tEXt":
            text = rest.decode("latin-1")
        elif kind == b"zTXt":
            text = zlib.decompress(rest[1:]).decode("latin-1")
        else:  # iTXt: compressed flag, method, language tag, translated keyword, text
            compressed, rest = rest[:1] == b"\1", rest[2:]
            _, _, rest = rest.partition(b"\0")
            _, _, rest = rest.partition(b"\0")
            text = (zlib.decompress(rest) if compressed else rest).decode("utf-8", "replace")
        yield f"text chunk {keyword.decode('latin-1')!r}", text


def _pdf_units(data: bytes, where: str, scan: Scan) -> Units:
    """Each page's text and the document information (title, author, subject, keywords)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        info: dict[Any, Any] = dict(reader.metadata or {})
        for field_name, value in info.items():
            yield f"document information {str(field_name).lstrip('/')}", str(value)
        found_text = False
        for n, page in enumerate(reader.pages, start=1):
            text = page.extract_text() or ""
            found_text = found_text or bool(text.strip())
            yield f"page {n}", text
    except PdfReadError as exc:
        raise ValueError(str(exc)) from exc
    if not found_text:
        scan.unreadable.append(f"{where} (a PDF with no text layer: scanned pages cannot be "
                               "checked)")


def _csv_units(data: bytes) -> Units:
    text = decode_any(data)
    delimiter = sniff_separator(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        yield from _text_units(data)
        return
    header = rows[0] if rows else []
    for r, row in enumerate(rows, start=1):
        for c, cell in enumerate(row):
            name = f" ({header[c]!r})" if r > 1 and c < len(header) and header[c] else ""
            yield f"row {r}, column {get_column_letter(c + 1)}{name}", _unescaped(cell)


def _xml_units(data: bytes) -> Units:
    """Text, attribute values and comments; a paragraph (``p`` in any namespace) as one unit,
    since Word and LibreOffice split a word over several runs."""
    root = etree.fromstring(data, _XML_PARSER)
    yield from _xml_walk(root)


def _xml_walk(element: Any) -> Units:
    where = f"line {element.sourceline}" if element.sourceline else "XML"
    if not isinstance(element.tag, str):  # a comment or processing instruction
        yield where, str(element.text or "")
        return
    for value in element.attrib.values():
        yield where, str(value)
    if etree.QName(element).localname == "p":
        yield where, "".join(element.itertext())
        return
    if element.text:
        yield where, element.text
    for child in element:
        yield from _xml_walk(child)
        if child.tail:
            yield where, child.tail


def _xlsx_units(data: bytes) -> Units:
    workbook = load_workbook(io.BytesIO(data), data_only=False)
    for sheet in workbook.worksheets:
        place = f"sheet {sheet.title!r}"
        yield f"sheet name {sheet.title!r}", sheet.title
        for row in sheet.iter_rows():
            for cell in row:
                value = getattr(cell.value, "text", cell.value)  # array formulas
                if isinstance(value, str):
                    yield f"{place}, cell {cell.coordinate}", value
                if cell.comment is not None:
                    yield f"{place}, comment on cell {cell.coordinate}", cell.comment.text
        for part in ("oddHeader", "oddFooter", "evenHeader", "evenFooter", "firstHeader",
                     "firstFooter"):
            item = getattr(sheet, part)
            for side in ("left", "center", "right"):
                text = getattr(getattr(item, side), "text", None)
                if text:
                    yield f"{place}, {part}", text
    for sheet in workbook.chartsheets:
        yield f"sheet name {sheet.title!r}", sheet.title
    yield from _properties(workbook.properties, ("title", "subject", "creator", "keywords",
                                                 "description", "lastModifiedBy", "category"))
    yield from _other_parts(data, _XLSX_COVERED)


def _properties(props: Any, names: Sequence[str]) -> Units:
    for name in names:
        value = getattr(props, name, None)
        if isinstance(value, str) and value:
            yield f"document properties ({name})", value


def _other_parts(data: bytes, covered: re.Pattern[str]) -> Units:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")) and not covered.fullmatch(name):
                for location, text in _xml_units(archive.read(name)):
                    yield f"part {name!r}, {location}", text


def _docx_units(data: bytes) -> Units:
    document = docx.Document(io.BytesIO(data))
    paragraphs = tables = 0
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            tables += 1
            yield from _table_units(block, f"table {tables}")
        else:
            paragraphs += 1
            yield f"paragraph {paragraphs}", block.text
    for s, section in enumerate(document.sections, start=1):
        for attr in ("header", "first_page_header", "even_page_header", "footer",
                     "first_page_footer", "even_page_footer"):
            part = getattr(section, attr)
            if part.is_linked_to_previous:
                continue
            name = f"section {s} {attr.replace('_', ' ')}"
            for p, paragraph in enumerate(part.paragraphs, start=1):
                yield f"{name}, paragraph {p}", paragraph.text
            for t, table in enumerate(part.tables, start=1):
                yield from _table_units(table, f"{name}, table {t}")
    for n, box in enumerate(document.element.body.iter(qn("w:txbxContent")), start=1):
        yield f"text box {n}", "".join(box.itertext())
    yield from _properties(document.core_properties,
                           ("title", "subject", "author", "keywords", "comments",
                            "last_modified_by", "category"))
    yield from _other_parts(data, _DOCX_COVERED)


def _table_units(table: Table, where: str) -> Units:
    for r, row in enumerate(table.rows, start=1):
        for c, cell in enumerate(row.cells, start=1):
            yield f"{where}, row {r}, cell {c}", cell.text
            for t, inner in enumerate(cell.tables, start=1):
                yield from _table_units(inner, f"{where}, row {r}, cell {c}, table {t}")


def _zip_units(data: bytes, where: str, scan: Scan, depth: int) -> Units:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            entry = f"entry {info.filename!r}"
            yield f"{entry} (its name)", info.filename
            if info.file_size > _MAX_ENTRY or depth >= _MAX_DEPTH:
                scan.unreadable.append(f"{where}, {entry} (too large or nested too deep)")
                continue
            inner = archive.read(info)
            for location, text in _units(info.filename, inner, f"{where}, {entry}", scan,
                                         depth + 1):
                yield f"{entry}, {location}", text


def _statistics_units(path: Path, rel: str, scan: Scan) -> Units:
    """An SPSS (.sav, .zsav) or Stata (.dta) file: its file label, variable names and labels,
    value labels and string values."""
    import pyreadstat  # only needed for statistics files

    read = pyreadstat.read_dta if path.suffix.lower() == ".dta" else pyreadstat.read_sav
    try:
        frame, meta = read(str(path))
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, OSError) as exc:
        scan.unreadable.append(f"{rel} (as {path.suffix}: {exc}; its raw text was checked)")
        yield from _text_units(path.read_bytes())
        return
    if meta.file_label:
        yield "file label", str(meta.file_label)
    for name, label in zip(meta.column_names, meta.column_labels, strict=False):
        yield f"variable {name!r} (its name)", name
        if label:
            yield f"variable {name!r}, label", label
        for value, text in meta.variable_value_labels.get(name, {}).items():
            yield f"variable {name!r}, value label of {value!r}", str(text)
    for name in frame.columns:
        for case, value in enumerate(frame[name], start=1):
            if isinstance(value, str) and value:
                yield f"variable {name!r}, case {case}", value
