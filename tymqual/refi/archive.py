"""Reading a .qdpx safely: the import report, the checked zip and the untrusted-XML helpers."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import TracebackType
from urllib.parse import unquote

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from tymqual.errors import RefiError
from tymqual.refi.qdaxml import CHUNK, GUID_PATTERN, MAX_ENTRIES, ZIP_ERRORS


@dataclass(frozen=True)
class ImportReport:
    """What :func:`import_qdpx` found in the file and what it made of it.

    Counts of what the file holds: ``sources`` (every source element, of any type),
    ``text_sources`` (``TextSource``), ``selections`` (every selection element, of any type),
    ``text_selections`` (``PlainTextSelection``), ``codings`` (``Coding`` elements in sources),
    ``users``. What was imported: ``codes``, ``sources_imported`` (transcripts written),
    ``selections_imported``, ``codings_imported`` (ledger rows), ``cases``.
    ``missing_sources`` names each text source whose file is not in the zip; ``offsets`` gives
    the offset convention found for each imported source with selections, and
    ``offset_convention`` sums them up (one convention, ``mixed: ...``, or ``none`` when no source
    had selections); ``warnings`` lists everything skipped or repaired, one sentence each.
    """

    root: Path
    codes: int
    sources: int
    text_sources: int
    sources_imported: int
    selections: int
    text_selections: int
    selections_imported: int
    codings: int
    codings_imported: int
    cases: int
    users: int
    missing_sources: tuple[str, ...]
    offset_convention: str
    offsets: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def __str__(self) -> str:
        lines = [
            f"Imported into {self.root}:",
            f"  codes {self.codes}, cases {self.cases}, users {self.users}",
            f"  sources {self.sources_imported} of {self.sources} "
            f"({self.text_sources} text sources)",
            f"  selections {self.selections_imported} of {self.selections} "
            f"({self.text_selections} text selections)",
            f"  codings {self.codings_imported} of {self.codings}",
            f"  offsets: {self.offset_convention}",
        ]
        if self.missing_sources:
            lines.append(f"  missing source files: {', '.join(self.missing_sources)}")
        lines += [f"  note: {w}" for w in self.warnings]
        return "\n".join(lines)


# ============================================================================ import: reading
class QdpxArchive:
    """A .qdpx zip opened for reading with its entry names and sizes checked."""

    def __init__(self, path: Path, *, max_entry_bytes: int, max_total_bytes: int) -> None:
        self.path = path
        self.max_entry = max_entry_bytes
        self.max_total = max_total_bytes
        self.read_total = 0
        try:
            self.zip = zipfile.ZipFile(path)
        except FileNotFoundError:
            raise RefiError(f"{path}: no such file.") from None
        except (*ZIP_ERRORS, ValueError) as exc:
            raise RefiError(
                f"{path}: is not a readable REFI-QDA project: a .qdpx file is a zip archive, and "
                f"this one cannot be opened ({exc}). Export the project again."
            ) from None
        try:
            self.entries = self._checked_entries()
        except RefiError:
            self.zip.close()
            raise

    def _checked_entries(self) -> dict[str, zipfile.ZipInfo]:
        infos = self.zip.infolist()
        if len(infos) > MAX_ENTRIES:
            raise RefiError(
                f"{self.path}: holds {len(infos)} entries, more than {MAX_ENTRIES}; "
                "it is not a project file tymqual will read."
            )
        total = 0
        entries: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = info.filename.replace("\\", "/")
            parts = name.split("/")
            if (
                name.startswith("/")
                or re.match(r"[A-Za-z]:", name)
                or ".." in parts
                or ("\x00" in name)
            ):
                raise RefiError(
                    f"{self.path}: the zip entry {info.filename!r} points outside the folder it "
                    "would be unpacked into (an absolute path or '..'); such a file may be an "
                    "attack, so nothing was imported."
                )
            if info.file_size > self.max_entry:
                raise RefiError(
                    f"{self.path}: the zip entry {info.filename!r} declares {info.file_size} "
                    f"bytes uncompressed, more than the limit of {self.max_entry}; nothing was "
                    "imported."
                )
            total += info.file_size
            entries.setdefault(name.lower(), info)
        if total > self.max_total:
            raise RefiError(
                f"{self.path}: the zip declares {total} bytes uncompressed in all, more than the "
                f"limit of {self.max_total}; nothing was imported."
            )
        return entries

    def __enter__(self) -> QdpxArchive:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.zip.close()

    def project_entry(self) -> zipfile.ZipInfo:
        """The ``.qde`` document: ``project.qde`` in any case, else the only ``.qde`` there is."""
        qde = [i for n, i in self.entries.items() if n.endswith(".qde") and not i.is_dir()]
        top = [i for i in qde if "/" not in i.filename.replace("\\", "/")]
        for group in (top, qde):
            named = [i for i in group if PurePosixPath(i.filename.lower()).name == "project.qde"]
            if len(named) == 1:
                return named[0]
            if len(group) == 1:
                return group[0]
            if len(group) > 1:
                listed = ", ".join(i.filename for i in group)
                raise RefiError(
                    f"{self.path}: holds several project documents ({listed}); "
                    "keep one and try again."
                )
        raise RefiError(
            f"{self.path}: holds no project document (project.qde); it is not a REFI-QDA "
            "project file."
        )

    def read(self, info: zipfile.ZipInfo) -> bytes:
        """The entry's bytes, stopping as soon as a size limit is passed."""
        chunks = []
        size = 0
        try:
            with self.zip.open(info) as handle:
                while chunk := handle.read(CHUNK):
                    size += len(chunk)
                    self.read_total += len(chunk)
                    if size > self.max_entry or self.read_total > self.max_total:
                        raise RefiError(
                            f"{self.path}: the zip entry {info.filename!r} unpacks to more than "
                            f"the limit of {min(self.max_entry, self.max_total)} bytes; nothing "
                            "was imported."
                        )
                    chunks.append(chunk)
        except RefiError:
            raise
        except (*ZIP_ERRORS, ValueError) as exc:
            raise RefiError(
                f"{self.path}: the zip entry {info.filename!r} cannot be read ({exc}); the file "
                "is damaged, encrypted or uses an unsupported compression. Export it again."
            ) from None
        return b"".join(chunks)

    def resolve(self, ref: str, base: str) -> zipfile.ZipInfo | None:
        """The entry a source path refers to (``internal://``, ``relative://`` or bare)."""
        scheme, _, rest = ref.strip().rpartition("://")
        names = []
        for candidate in dict.fromkeys([rest, unquote(rest)]):
            clean = candidate.replace("\\", "/").lstrip("/")
            if scheme.lower() in ("", "internal"):
                names += [f"{base}sources/{clean}", f"{base}{clean}"]
            names.append(f"{base}sources/{PurePosixPath(clean).name}")
        for name in names:
            info = self.entries.get(name.lower())
            if info is not None and not info.is_dir():
                return info
        return None


def parse_xml(data: bytes, where: str) -> ET.Element:
    """Parse untrusted XML: entity declarations and external references are refused."""
    try:
        root: ET.Element = SafeET.fromstring(
            data, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        raise RefiError(
            f"{where}: refused because the XML declares entities or external references "
            f"({type(exc).__name__}); REFI-QDA files need none, and they are how billion-laughs "
            "and external-entity attacks work. Nothing was imported."
        ) from None
    except (ET.ParseError, LookupError) as exc:
        raise RefiError(f"{where}: is not well-formed XML ({exc}); export it again.") from None
    return root


def local_name(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def child_elements(element: ET.Element, *names: str) -> list[ET.Element]:
    return [child for child in element if local_name(child.tag) in names]


def child_element(element: ET.Element, name: str) -> ET.Element | None:
    found = child_elements(element, name)
    return found[0] if found else None


def attribute(element: ET.Element, name: str) -> str:
    if name in element.attrib:
        return element.attrib[name].strip()
    for key, value in element.attrib.items():
        if local_name(key) == name:
            return value.strip()
    return ""


def element_text(element: ET.Element | None) -> str:
    return "".join(element.itertext()) if element is not None else ""


def guid_key(value: str) -> str:
    """A GUID as a dictionary key: without braces, lower case (files differ in both)."""
    match = GUID_PATTERN.fullmatch(value.strip())
    return match.group(1).lower() if match else value.strip().lower()


def walk_elements(element: ET.Element) -> Iterator[ET.Element]:
    """Every element under ``element``, without recursion (files can nest deeply)."""
    stack = list(element)[::-1]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(list(node)[::-1])
