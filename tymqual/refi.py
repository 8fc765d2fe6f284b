"""REFI-QDA exchange: the codebook (.qdc) and the whole project (.qdpx), out and in.

For Kela units that continue an analysis in ATLAS.ti, MAXQDA, NVivo, QualCoder or Taguette, or
bring work done there into tymqual. REFI-QDA is QDA-XML 1.0 (www.qdasoftware.org; the document
"REFI-QDA 1.5", 2019): a codebook file (XML, ``urn:QDA-XML:codebook:1.0``) and a project file, a
zip holding ``project.qde`` (XML, ``urn:QDA-XML:project:1.0``) and the sources under ``sources/``.

**Export** (:func:`export_qdc`, :func:`export_qdpx`) writes files that validate against the
official schemas. Codes nest as ``<Code>`` elements with their colour; the coder guidance goes
into ``<Description>``: the definition, then labelled lines (``Käytä, kun:``, ``Älä käytä, kun:``,
``Esimerkki:``, ``Avainsanat:``, and ``Avain:`` when the key is not the one the name gives; English
labels when the codebook's language is not Finnish), which :func:`import_qdc` reads back. Each
source is its normalised text, UTF-8, at ``sources/<guid>.txt`` (``internal://``); each coded span
is a ``<PlainTextSelection>`` with one ``<Coding>`` per coding, positions in tymqual's own
convention; memos and reduced expressions are ``<Note>``\\ s referred to by the coding's
``<NoteRef>``; each coder is a ``<User>``; cases are ``<Cases>`` with their attributes as text
``<Variables>``. Only *accepted* codings are exported unless ``status`` says otherwise.
Exports are deterministic: every GUID is uuid5 of a stable key under :data:`NAMESPACE` (``code:``
key, ``source:`` id, ``coding:`` id, ``case:`` id, ``user:`` coder, ``variable:`` name), zip entries
are sorted and carry a fixed timestamp, and no clock time is written (a coding's
``creationDateTime`` is its ``created``), so the same project gives byte-identical files.

**Import** (:func:`import_qdc`, :func:`import_qdpx`) copes with what real files do: namespace
variants (elements are matched on local names), ``project.qde``/``Project.qde``/``<name>.qde``,
``sources/``/``Sources/``, ``internal://``/``relative://``/bare paths, hierarchies written into flat
names (``Coke::diet Coke``), reused GUIDs, empty ``<Sets/>``, missing source files, PDF and media
sources (their plain-text representation or transcript is imported when present; the rest is
skipped with a note), and other counting conventions for positions.

**Offsets.** REFI-QDA and tymqual count 0-based, end-exclusive Unicode code points, a CRLF line end
being two. NVivo counts UTF-16 code units instead (an emoji is two), and some tools count a CRLF
as one. For each source with selections, every convention is tried: the one under which the
selections' quoted text (the selection ``name`` often holds it) matches, and whose boundaries fall
between characters and words rather than inside them, wins; ties go to the standard. Positions are
then converted to code points of the normalised text (NFC, ``\\n``, no BOM). The report names the
convention found for each source: ``code_points``, ``utf16``, ``code_points_lf`` or ``utf16_lf``.

**Safety.** Files from outside are parsed with defusedxml (no DTD entities, no external
references: billion-laughs and XXE files are refused), zip entries are never extracted by their
own names (and an archive with an absolute or ``..`` entry is refused outright), declared and
actual uncompressed sizes are capped (:data:`MAX_ENTRY_BYTES`, :data:`MAX_TOTAL_BYTES`), and names
from the file become file names only after sanitising. Every refusal is a :class:`RefiError`
naming the file and the problem, raised before anything is written.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
import warnings
import xml.etree.ElementTree as ET
import zipfile
import zlib
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Any
from urllib.parse import unquote

import defusedxml.ElementTree as SafeET
import pandas as pd
from defusedxml import DefusedXmlException

from tymqual.codebook import Code, Codebook
from tymqual.codings import STATUSES, Ledger
from tymqual.corpus import MAX_SOURCE_ID, validate_source_id
from tymqual.errors import ProjectError, RefiError, StorageError, TymqualWarning
from tymqual.progress import progress
from tymqual.project import Project, init_project
from tymqual.storage import (
    MAX_ENTRY_BYTES,
    MAX_TOTAL_BYTES,
    atomic_write_bytes,
    atomic_write_text,
    decode_bytes,
    describe_os_error,
    replacing,
    write_csv,
)
from tymqual.text import normalize_text

__all__ = [
    "MAX_ENTRY_BYTES",
    "MAX_TOTAL_BYTES",
    "NAMESPACE",
    "ImportReport",
    "RefiError",
    "export_qdc",
    "export_qdpx",
    "import_qdc",
    "import_qdpx",
]

#: uuid5(NAMESPACE_URL, "tymqual:refi-qda"), written out so that it can never drift.
NAMESPACE = uuid.UUID("1008e1b6-6cf3-54fd-a066-b222b583edbd")
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
_MAX_ENTRIES = 100_000
_MAX_DEPTH = 100  # code nesting; real codebooks stop well below 10
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_SCHEMA_URL = "http://schema.qdasoftware.org/versions/{0}/v1.0/{0}.xsd"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CHUNK = 1024**2
_SNIPPET = 100

_LABELS: dict[str, dict[str, str]] = {
    "fi": {
        "use_when": "Käytä, kun",
        "do_not_use_when": "Älä käytä, kun",
        "example": "Esimerkki",
        "keywords": "Avainsanat",
        "key": "Avain",
        "memo": "Muistio",
        "reduced": "Pelkistetty ilmaus",
    },
    "en": {
        "use_when": "Use when",
        "do_not_use_when": "Do not use when",
        "example": "Example",
        "keywords": "Keywords",
        "key": "Key",
        "memo": "Memo",
        "reduced": "Reduced expression",
    },
}
_GUIDANCE_FIELDS = ("use_when", "do_not_use_when", "example", "keywords", "key")
_LABEL_FIELD = {
    labels[f].casefold(): (lang, f) for lang, labels in _LABELS.items() for f in _GUIDANCE_FIELDS
}
_LABEL_LINE = re.compile(
    r"^(?P<label>"
    + "|".join(re.escape(label) for label in sorted(_LABEL_FIELD, key=len, reverse=True))
    + r")[ \t]*:[ \t]*(?P<value>.*)$",
    re.IGNORECASE,
)
_REDUCED_NAMES = {_LABELS[lang]["reduced"].casefold() for lang in _LABELS} | {"reduced"}
_NOT_KEY_CHARS = re.compile(r"[^\w-]+")  # as tymqual.codebook derives keys from names
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_COLOR = re.compile(r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
_GUID = re.compile(r"\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?", re.I)
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f-\x9f<>:"/\\|?*]+')
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)}
)
_DOCUMENT_SUFFIXES = frozenset(
    {".txt", ".text", ".md", ".docx", ".doc", ".rtf", ".odt", ".pdf", ".html", ".htm", ".vtt"}
)
_NEWLINES = re.compile(r"\r\n?|\u2028|\u2029|\x85")  # as tymqual.text.normalize_text
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# What zipfile and zlib raise on a damaged, encrypted or foreign archive or entry.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
    OSError,
)
# (name, counts UTF-16 code units, counts CRLF as two), the standard first: ties go to it.
_CONVENTIONS: tuple[tuple[str, bool, bool], ...] = (
    ("code_points", False, True),
    ("utf16", True, True),
    ("code_points_lf", False, False),
    ("utf16_lf", True, False),
)


# ============================================================================ export
def _guid(kind: str, key: str) -> str:
    """The stable GUID of a ``kind`` of thing (``code``, ``source``, ...) with key ``key``."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}")).upper()


def _xml_safe(text: str) -> str:
    # XML 1.0 cannot hold most C0 control characters, even escaped.
    return _XML_INVALID.sub("", text)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str | None) -> ET.Element:
    """A child element; attributes given as None are left out, the rest keep their order."""
    element = ET.SubElement(
        parent, tag, {k: _xml_safe(v) for k, v in attrs.items() if v is not None}
    )
    if text is not None:
        element.text = _xml_safe(text)
    return element


def _root(tag: str, namespace: str, schema: str, **attrs: str | None) -> ET.Element:
    root = ET.Element(tag)
    root.set("xmlns", namespace)
    root.set("xmlns:xsi", _XSI)
    root.set("xsi:schemaLocation", f"{namespace} {_SCHEMA_URL.format(schema)}")
    for name, value in attrs.items():
        if value is not None:
            root.set(name, _xml_safe(value))
    return root


def _xml_bytes(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def _origin() -> str:
    from tymqual import __version__  # at call time: the package imports its modules first

    return f"tymqual {__version__}"


def _labels(language: str) -> dict[str, str]:
    return _LABELS["fi" if language.lower().startswith("fi") else "en"]


def _key_from_name(name: str) -> str:
    """The key tymqual derives from a code name (see :meth:`Codebook.add`)."""
    text = unicodedata.normalize("NFC", name).strip()
    return _NOT_KEY_CHARS.sub("_", text.lower()).strip("_")


def _code_description(code: Code, labels: Mapping[str, str]) -> str:
    lines = [
        f"{labels[name]}: {getattr(code, name)}"
        for name in ("use_when", "do_not_use_when", "example")
        if getattr(code, name)
    ]
    if code.keywords:
        lines.append(f"{labels['keywords']}: {'; '.join(code.keywords)}")
    if code.key != _key_from_name(code.name):
        lines.append(f"{labels['key']}: {code.key}")
    parts = [code.definition] if code.definition else []
    if lines:
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def _code_element(parent: ET.Element, code: Code, labels: Mapping[str, str]) -> None:
    element = _sub(
        parent,
        "Code",
        guid=_guid("code", code.key),
        name=code.name,
        isCodable="true",
        color=code.color or None,
    )
    description = _code_description(code, labels)
    if description:
        _sub(element, "Description", description)
    for child in code.children:
        _code_element(element, child, labels)


def export_qdc(codebook: Codebook, path: str | Path) -> Path:
    """Write ``codebook`` as a REFI-QDA codebook file (.qdc) and return its path.

    Other QDA software imports it as a code system: the tree, the colours, and the definition
    and guidance of each code as its description. Writing is atomic and deterministic.
    """
    target = Path(path)
    if len(codebook) == 0:
        raise RefiError(
            f"{target}: the codebook {codebook.name!r} has no codes, and a REFI-QDA codebook needs "
            "at least one; add codes first. Nothing was written."
        )
    root = _root("CodeBook", CODEBOOK_NS, "Codebook", origin=_origin())
    codes = _sub(root, "Codes")
    labels = _labels(codebook.language)
    for code in codebook.codes:
        _code_element(codes, code, labels)
    atomic_write_bytes(target, _xml_bytes(root))
    return target


def export_qdpx(
    project: Project,
    path: str | Path,
    *,
    coder_names: Mapping[str, str] | None = None,
    status: str | Sequence[str] | None = "accepted",
) -> Path:
    """Write the project as a REFI-QDA project file (.qdpx) and return its path.

    The file holds the codebook, every loaded source as plain text, the codings with their
    memos and reduced expressions, the coders and the cases with their attributes (see the
    module docstring for the mapping). Only codings whose ``status`` is given are exported:
    accepted ones by default, ``None`` for all. Codings whose passage was lost in an edited
    source, whose source is not loaded or whose code is not in the codebook are left out with a
    :class:`~tymqual.errors.TymqualWarning`. ``coder_names`` maps a coder as the ledger writes
    it (``"AV"``) to the name other software shows (``"Anna Virtanen"``); the GUID always
    comes from the ledger's value.
    """
    target = Path(path)
    codings = _exported_codings(project, status, target)
    labels = _labels(project.codebook.language)
    root = _root(
        "Project",
        PROJECT_NS,
        "Project",
        name=project.config.name or project.root.name or "tymqual",
        origin=_origin(),
    )
    _users_element(root, sorted(set(codings["coder"]) - {""}), coder_names or {})
    if len(project.codebook):
        codes = _sub(_sub(root, "CodeBook"), "Codes")
        for code in project.codebook.codes:
            _code_element(codes, code, labels)
    _case_elements(root, project)
    entries: dict[str, bytes] = {}
    notes: list[tuple[str, str, str, str, str]] = []
    if project.source_ids:
        sources = _sub(root, "Sources")
        # Each source's codings grouped by span, in one pass: the frame is sorted by source,
        # start and end, so a span's codings are consecutive and in their export order.
        by_span: dict[str, dict[tuple[int, int], list[dict[str, str]]]] = {}
        for record in codings.to_dict("records"):
            row = {str(k): str(v) for k, v in record.items()}
            span = (int(record["start"]), int(record["end"]))
            by_span.setdefault(row["source_id"], {}).setdefault(span, []).append(row)
        for source_id in progress(project.source_ids, ("Viedään lähteitä", "Exporting sources"),
                                  lang=project.config.language):
            text = project.text(source_id)
            guid = _guid("source", source_id)
            entries[f"sources/{guid}.txt"] = text.encode("utf-8")
            element = _sub(
                sources,
                "TextSource",
                guid=guid,
                name=source_id,
                plainTextPath=f"internal://{guid}.txt",
            )
            for (start, end), group in sorted(by_span.get(source_id, {}).items()):
                _selection_element(element, source_id, start, end, group, text, notes, labels)
    if notes:
        _notes_element(root, notes)
    if project.config.description:
        _sub(root, "Description", project.config.description)
    entries["project.qde"] = _xml_bytes(root)
    _write_zip(target, entries)
    return target


def _exported_codings(
    project: Project, status: str | Sequence[str] | None, target: Path
) -> pd.DataFrame:
    codings = project.codings
    # A coding stored under a code's old key (renamed_from) is exported as that code.
    current = {old: code.key for old, code in project.codebook.key_map().items()}
    codings = codings.assign(code=codings["code"].map(current).fillna(codings["code"]))
    if status is not None:
        wanted = [status] if isinstance(status, str) else list(status)
        unknown = [s for s in wanted if s not in STATUSES]
        if unknown:
            raise RefiError(
                f"{target}: status {', '.join(map(repr, unknown))} is not one of "
                f"{', '.join(STATUSES)}; give one or more of them, or None for all."
            )
        codings = codings[codings["status"].isin(wanted)]
    lost = set(project.unanchored["coding_id"]) if "coding_id" in project.unanchored else set()
    keys = {code.key for code in project.codebook}
    texts = {sid: len(project.text(sid)) for sid in project.source_ids}
    reasons = {
        "their passage was lost in an edited source": codings["coding_id"].isin(lost),
        "their source is not loaded": ~codings["source_id"].isin(list(texts)),
        "their code is not in the codebook": ~codings["code"].isin(list(keys)),
        "their span runs past the end of the source": [
            end > texts.get(sid, end)
            for sid, end in zip(codings["source_id"], codings["end"], strict=True)
        ],
    }
    keep = pd.Series(True, index=codings.index)
    problems = []
    for reason, mask in reasons.items():
        hit = keep & pd.Series(mask, index=codings.index, dtype=bool)
        if hit.any():
            problems.append(f"{int(hit.sum())} coding(s) left out because {reason}")
        keep &= ~hit
    if problems:
        warnings.warn(f"{target}: " + "; ".join(problems) + ".", TymqualWarning, stacklevel=3)
    return codings[keep].sort_values(["source_id", "start", "end", "created", "coding_id"])


def _users_element(root: ET.Element, coders: list[str], names: Mapping[str, str]) -> None:
    if not coders:
        return
    users = _sub(root, "Users")
    for coder in coders:
        shown = str(names.get(coder, coder)) or coder
        _sub(
            users,
            "User",
            guid=_guid("user", coder),
            name=shown,
            id=coder if shown != coder else None,
        )


def _case_elements(root: ET.Element, project: Project) -> None:
    cases = project.cases
    if cases.empty:
        return
    columns = [str(c) for c in cases.columns if c not in ("case_id", "sources")]
    if columns:
        variables = _sub(root, "Variables")
        for column in columns:
            _sub(
                variables,
                "Variable",
                guid=_guid("variable", column),
                name=column,
                typeOfVariable="Text",
            )
    by_case: dict[str, list[str]] = {}
    for source_id in project.source_ids:
        case_id = project.case_of(source_id)
        if case_id is not None:
            by_case.setdefault(case_id, []).append(source_id)
    element = _sub(root, "Cases")
    for _, row in cases.iterrows():
        case_id = str(row["case_id"])
        case = _sub(element, "Case", guid=_guid("case", case_id), name=case_id)
        for column in columns:
            value = _sub(case, "VariableValue")
            _sub(value, "VariableRef", targetGUID=_guid("variable", column))
            _sub(value, "TextValue", str(row[column]))
        for source_id in by_case.get(case_id, []):
            _sub(case, "SourceRef", targetGUID=_guid("source", source_id))


def _when(created: str) -> str | None:
    """``created`` as an xsd:dateTime in UTC, or None if it is empty or not a date and time."""
    try:
        moment = datetime.fromisoformat(created.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _snippet(passage: str) -> str:
    flat = " ".join(passage.split())
    return flat if len(flat) <= _SNIPPET else flat[: _SNIPPET - 1].rstrip() + "…"


def _selection_element(
    parent: ET.Element,
    source_id: str,
    start: int,
    end: int,
    group: list[dict[str, str]],
    text: str,
    notes: list[tuple[str, str, str, str, str]],
    labels: Mapping[str, str],
) -> None:
    coder, created = group[0]["coder"], group[0]["created"]
    selection = _sub(
        parent,
        "PlainTextSelection",
        guid=_guid("selection", f"{source_id}:{start}:{end}"),
        name=_snippet(text[start:end]),
        startPosition=str(start),
        endPosition=str(end),
        creatingUser=_guid("user", coder) if coder else None,
        creationDateTime=_when(created),
    )
    for row in group:
        coding = _sub(
            selection,
            "Coding",
            guid=_guid("coding", row["coding_id"]),
            creatingUser=_guid("user", row["coder"]) if row["coder"] else None,
            creationDateTime=_when(row["created"]),
        )
        _sub(coding, "CodeRef", targetGUID=_guid("code", row["code"]))
        for kind in ("memo", "reduced"):
            if row[kind].strip():
                guid = _guid("note", f"{row['coding_id']}:{kind}")
                _sub(coding, "NoteRef", targetGUID=guid)
                notes.append((guid, labels[kind], row[kind], row["coder"], row["created"]))


def _notes_element(root: ET.Element, notes: list[tuple[str, str, str, str, str]]) -> None:
    element = _sub(root, "Notes")
    for guid, name, value, coder, created in notes:
        note = _sub(
            element,
            "Note",
            guid=guid,
            name=name,
            creatingUser=_guid("user", coder) if coder else None,
            creationDateTime=_when(created),
        )
        _sub(note, "PlainTextContent", value)


def _write_zip(target: Path, entries: Mapping[str, bytes]) -> None:
    with replacing(target) as tmp, zipfile.ZipFile(tmp, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # the platform byte would otherwise differ on Windows
            info.external_attr = 0o644 << 16
            archive.writestr(info, entries[name], compresslevel=6)


# ============================================================================ import: report
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
class _Archive:
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
        except (*_ZIP_ERRORS, ValueError) as exc:
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
        if len(infos) > _MAX_ENTRIES:
            raise RefiError(
                f"{self.path}: holds {len(infos)} entries, more than {_MAX_ENTRIES}; "
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

    def __enter__(self) -> _Archive:
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
                while chunk := handle.read(_CHUNK):
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
        except (*_ZIP_ERRORS, ValueError) as exc:
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


def _parse_xml(data: bytes, where: str) -> ET.Element:
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


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _kids(element: ET.Element, *names: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) in names]


def _kid(element: ET.Element, name: str) -> ET.Element | None:
    found = _kids(element, name)
    return found[0] if found else None


def _attr(element: ET.Element, name: str) -> str:
    if name in element.attrib:
        return element.attrib[name].strip()
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value.strip()
    return ""


def _content(element: ET.Element | None) -> str:
    return "".join(element.itertext()) if element is not None else ""


def _guid_key(value: str) -> str:
    """A GUID as a dictionary key: without braces, lower case (files differ in both)."""
    match = _GUID.fullmatch(value.strip())
    return match.group(1).lower() if match else value.strip().lower()


def _walk(element: ET.Element) -> Iterator[ET.Element]:
    """Every element under ``element``, without recursion (files can nest deeply)."""
    stack = list(element)[::-1]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(list(node)[::-1])


# ============================================================================ import: codes
@dataclass
class _RawCode:
    guid: str
    name: str
    color: str = ""
    description: str = ""
    children: list[_RawCode] = field(default_factory=list)


def _read_codes(codes: ET.Element | None, where: str, notes: list[str]) -> list[_RawCode]:
    if codes is None:
        return []
    top: list[_RawCode] = []
    stack: list[tuple[ET.Element, list[_RawCode], int]] = [
        (e, top, 0) for e in reversed(_kids(codes, "Code"))
    ]
    while stack:
        element, siblings, depth = stack.pop()
        if depth > _MAX_DEPTH:
            raise RefiError(
                f"{where}: codes nest more than {_MAX_DEPTH} levels deep; this is not "
                "a codebook tymqual will read."
            )
        guid = _attr(element, "guid")
        name = _attr(element, "name")
        if not name:
            name = f"code {guid[:8] or len(siblings) + 1}"
            notes.append(f"a code without a name was named {name!r}")
        color = _attr(element, "color")
        if color and not _COLOR.fullmatch(color):
            notes.append(f"code {name!r}: colour {color!r} is not #RRGGBB and was dropped")
            color = ""
        raw = _RawCode(guid, name, color, _content(_kid(element, "Description")).strip())
        siblings.append(raw)
        stack.extend((e, raw.children, depth + 1) for e in reversed(_kids(element, "Code")))
    return _nest_by_name(top, notes)


def _nest_by_name(codes: list[_RawCode], notes: list[str]) -> list[_RawCode]:
    """Rebuild a hierarchy that a flat codebook wrote into names (``Coke::diet Coke``)."""
    if any(code.children for code in codes) or not any("::" in code.name for code in codes):
        return codes
    by_name: dict[str, _RawCode] = {}
    for code in codes:
        by_name.setdefault(code.name, code)
    top: list[_RawCode] = []

    def parent_of(parts: list[str]) -> _RawCode:
        full = "::".join(parts)
        if full not in by_name:
            made = _RawCode("", parts[-1])
            by_name[full] = made
            notes.append(f"code {parts[-1]!r} was added as the parent of codes named {full}::…")
            (parent_of(parts[:-1]).children if len(parts) > 1 else top).append(made)
        return by_name[full]

    for code in codes:
        parts = [part.strip() for part in code.name.split("::")]
        if len(parts) < 2 or not all(parts):
            top.append(code)
            continue
        code.name = parts[-1]
        parent_of(parts[:-1]).children.append(code)
    return top


def _parse_guidance(description: str) -> tuple[dict[str, str], str | None]:
    """Definition and labelled guidance lines from a code description (both languages)."""
    fields: dict[str, list[str]] = {"definition": []}
    current = "definition"
    language = None
    for line in description.split("\n"):
        match = _LABEL_LINE.match(line)
        if match:
            language, current = _LABEL_FIELD[match["label"].casefold()]
            fields[current] = [match["value"]]
        else:
            fields.setdefault(current, []).append(line)
    return {name: "\n".join(lines).strip() for name, lines in fields.items()}, language


def _build_codebook(
    raw_codes: list[_RawCode], *, name: str, where: str, notes: list[str]
) -> tuple[Codebook, dict[str, str]]:
    """The codebook and a map from each code GUID (see :func:`_guid_key`) to its key."""
    flat: list[_RawCode] = []
    stack = raw_codes[::-1]
    while stack:
        code = stack.pop()
        flat.append(code)
        stack.extend(code.children[::-1])
    guidance: dict[int, dict[str, str]] = {}
    languages = set()
    for code in flat:
        fields, language = _parse_guidance(code.description)
        guidance[id(code)] = fields
        languages.add(language)
    keys = _assign_keys(flat, guidance, notes)
    by_guid: dict[str, str] = {}
    for code in flat:
        if not code.guid:
            continue
        guid = _guid_key(code.guid)
        if guid in by_guid:
            notes.append(
                f"code {code.name!r} reuses the GUID {code.guid} of another code; "
                "codings that refer to it go to the first one"
            )
            continue
        by_guid[guid] = keys[id(code)]

    def as_dict(code: _RawCode) -> dict[str, Any]:
        fields = guidance[id(code)]
        out: dict[str, Any] = {
            "name": code.name,
            "key": keys[id(code)],
            **{
                f: fields.get(f, "")
                for f in ("definition", "use_when", "do_not_use_when", "example")
            },
            "color": code.color,
            "keywords": [w.strip() for w in fields.get("keywords", "").split(";") if w.strip()],
        }
        if code.children:
            out["children"] = [as_dict(child) for child in code.children]
        return out

    language = "en" if languages == {"en"} or languages == {"en", None} else "fi"
    data = {"name": name, "language": language, "codes": [as_dict(c) for c in raw_codes]}
    return Codebook.from_dict(data, where=where), by_guid


def _assign_keys(
    flat: list[_RawCode], guidance: Mapping[int, Mapping[str, str]], notes: list[str]
) -> dict[int, str]:
    """Unique keys: a valid ``Key:`` line first, else one made from the name (``_2`` if taken)."""
    keys: dict[int, str] = {}
    taken: set[str] = set()
    for code in flat:
        key = guidance[id(code)].get("key", "")
        if not key:
            continue
        if "/" in key or any(ch.isspace() for ch in key) or key in taken:
            notes.append(
                f"code {code.name!r}: the key {key!r} in its description is not usable "
                "(it has '/' or spaces, or is taken); one was made from the name"
            )
            continue
        keys[id(code)] = key
        taken.add(key)
    for code in flat:
        if id(code) in keys:
            continue
        base = _key_from_name(code.name) or "code"
        key, n = base, 1
        while key in taken:
            n += 1
            key = f"{base}_{n}"
        keys[id(code)] = key
        taken.add(key)
    return keys


def import_qdc(path: str | Path, *, max_bytes: int = MAX_ENTRY_BYTES) -> Codebook:
    """Read a REFI-QDA codebook file (.qdc) from any QDA software into a :class:`Codebook`.

    Keys are made from the names (unique: ``_2`` and so on for repeats), unless a description
    written by tymqual names the key. Descriptions give the definition and guidance (see the
    module docstring); a description without labels is all definition. Codes without a colour
    get tymqual's default colours. Code sets are not imported (tymqual has none); anything
    skipped or repaired is reported in one :class:`~tymqual.errors.TymqualWarning`.
    """
    source = Path(path)
    root = _parse_xml(_read_file(source, max_bytes), str(source))
    if _local(root.tag) != "CodeBook":
        raise RefiError(
            f"{source}: the document is a <{_local(root.tag)}>, not a REFI-QDA <CodeBook>; "
            "give a .qdc codebook file (a .qdpx project goes to import_qdpx)."
        )
    notes: list[str] = []
    raw = _read_codes(_kid(root, "Codes"), str(source), notes)
    codebook, _ = _build_codebook(raw, name=source.stem, where=str(source), notes=notes)
    _note_sets(root, notes)
    if notes:
        warnings.warn(f"{source}: " + "; ".join(notes) + ".", TymqualWarning, stacklevel=2)
    return codebook


def _read_file(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise RefiError(
                f"{path}: is {size} bytes, more than the limit of {max_bytes}; it is "
                "not a codebook tymqual will read."
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise RefiError(f"{path}: no such file.") from None
    except OSError as exc:
        raise RefiError(f"{path}: cannot be read ({exc.strerror}).") from None
    if data.startswith(b"PK\x03\x04"):
        raise RefiError(
            f"{path}: is a zip archive, probably a .qdpx project; read it with "
            "import_qdpx, or give the .qdc codebook file."
        )
    return data


def _note_sets(root: ET.Element, notes: list[str]) -> None:
    sets = [s for container in _kids(root, "Sets") for s in _kids(container, "Set")]
    if sets:
        names = ", ".join(repr(_attr(s, "name")) for s in sets[:5])
        more = f" and {len(sets) - 5} more" if len(sets) > 5 else ""
        notes.append(f"{len(sets)} set(s) ({names}{more}) were not imported: tymqual has no sets")


# ============================================================================ import: offsets
class _Positions:
    """Maps positions counted one way in a file's text to code points of its normalised text."""

    def __init__(self, raw: str, *, utf16: bool, crlf_two: bool) -> None:
        pre = _NEWLINES.sub("\n", raw.replace("\x00", ""))
        self.text = unicodedata.normalize("NFC", pre)
        self._nfc = _nfc_map(pre, self.text)
        walk = "\x00" in raw or (crlf_two and "\r\n" in raw) or (utf16 and _ASTRAL.search(raw))
        self._units = _unit_map(raw, utf16=utf16, crlf_two=crlf_two) if walk else None
        if self._units is not None and self._units[-1] != len(pre):
            self._units = None  # NUL inside a CRLF: too rare to count exactly; read as is
        self.n_units = len(self._units) - 1 if self._units is not None else len(pre)

    def index(self, position: int) -> int | None:
        """The code-point index, or None if the position is outside the text or mid-character."""
        if not 0 <= position <= self.n_units:
            return None
        at = self._units[position] if self._units is not None else position
        if at < 0:
            return None
        return self._nfc[at] if self._nfc is not None else at


def _unit_map(raw: str, *, utf16: bool, crlf_two: bool) -> array[int]:
    """For each position in ``raw`` counted this way, the index into the newline-fixed text.

    -1 marks a position inside a character (between the halves of a surrogate pair, or
    between the CR and LF of a line end).
    """
    out = array("q")
    at = 0
    i, n = 0, len(raw)
    while i < n:
        char = raw[i]
        if char == "\x00":
            out.append(at)
            i += 1
            continue
        out.append(at)
        if char == "\r" and i + 1 < n and raw[i + 1] == "\n":
            if crlf_two:
                out.append(-1)
            i += 2
        else:
            if utf16 and ord(char) > 0xFFFF:
                out.append(-1)
            i += 1
        at += 1
    out.append(at)
    return out


def _nfc_map(pre: str, text: str) -> array[int] | None:
    """Index in ``pre`` → index in its NFC form ``text``; None when NFC changed nothing."""
    if pre == text:
        return None
    out = array("q", [0]) * (len(pre) + 1)
    done = 0
    i = 0
    while i < len(pre):
        j = i + 1
        while j < len(pre) and unicodedata.combining(pre[j]):
            j += 1
        for k in range(i, j):
            out[k] = done
        done += len(unicodedata.normalize("NFC", pre[i:j]))
        i = j
    out[len(pre)] = done
    return out if done == len(text) else None


def _quote_matches(name: str, passage: str) -> bool:
    """Whether a selection's name is its passage (whole, or cut short with an ellipsis)."""
    wanted = " ".join(normalize_text(name).split())
    got = " ".join(passage.split())
    if len(wanted) < 3:
        return False
    if got == wanted:
        return True
    for ellipsis in ("…", "..."):
        if wanted.endswith(ellipsis):
            head = wanted[: -len(ellipsis)].rstrip()
            return len(head) >= 3 and got.startswith(head)
    return False


def _clean_boundary(text: str, at: int) -> int:
    return int(at in (0, len(text)) or not (text[at - 1].isalnum() and text[at].isalnum()))


def _score(
    positions: _Positions, selections: Sequence[tuple[int, int, str]]
) -> tuple[int, list[tuple[int, int] | None]]:
    text = positions.text
    score = 0
    spans: list[tuple[int, int] | None] = []
    for start, end, name in selections:
        a, b = positions.index(start), positions.index(end)
        if a is None or b is None or a >= b:
            spans.append(None)
            score -= 10
            continue
        spans.append((a, b))
        score += _clean_boundary(text, a) + _clean_boundary(text, b)
        if name and _quote_matches(name, text[a:b]):
            score += 5
    return score, spans


def _read_positions(
    raw: str, selections: Sequence[tuple[int, int, str]]
) -> tuple[str, list[tuple[int, int] | None], list[str]]:
    """The convention that fits the selections best, their code-point spans, and close calls."""
    has_crlf, has_astral = "\r\n" in raw, bool(_ASTRAL.search(raw))
    results = []
    for name, utf16, crlf_two in _CONVENTIONS:
        if (utf16 and not has_astral) or (not crlf_two and not has_crlf):
            continue  # counts exactly as a convention already tried
        score, spans = _score(_Positions(raw, utf16=utf16, crlf_two=crlf_two), selections)
        results.append((score, name, spans))
    best = max(results, key=lambda r: r[0])  # the first of equals: the standard wins ties
    rivals = [r[1] for r in results if r[0] == best[0] and r[2] != best[2]]
    return best[1], best[2], rivals


# ============================================================================ import: project
@dataclass
class _Plan:
    """Everything an import will write, read and checked before anything is written."""

    name: str
    codebook: Codebook
    texts: dict[str, str] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    cases: pd.DataFrame | None = None
    counts: dict[str, int] = field(default_factory=dict)
    offsets: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _TextRef:
    """A text inside a source element: TextSource, a PDF's Representation, a Transcript."""

    guid: str
    name: str
    element: ET.Element
    owner_guid: str  # the source element's GUID (differs for representations and transcripts)


class _ProjectReader:
    """Reads a ``project.qde`` and its zip into a :class:`_Plan`."""

    def __init__(self, path: Path, archive: _Archive, root: ET.Element, base: str) -> None:
        self.path = path
        self.archive = archive
        self.root = root
        self.base = base
        self.notes: list[str] = []
        self.users = {
            _guid_key(_attr(u, "guid")): _attr(u, "name") or _attr(u, "id") or _attr(u, "guid")
            for users in _kids(root, "Users")
            for u in _kids(users, "User")
        }
        self.unknown_users: set[str] = set()
        self.coding_ids: set[str] = set()
        self.code_keys: dict[str, str] = {}
        self.note_texts: dict[str, tuple[str, str]] = {}
        self.dangling: dict[str, int] = {}

    def read(self) -> _Plan:
        self._note_reused_guids()
        codebook_el = _kid(self.root, "CodeBook")
        codes_el = _kid(codebook_el, "Codes") if codebook_el is not None else None
        raw_codes = _read_codes(codes_el, f"{self.path}", self.notes)
        name = _attr(self.root, "name") or self.path.stem
        codebook, self.code_keys = _build_codebook(
            raw_codes, name=name, where=str(self.path), notes=self.notes
        )
        plan = _Plan(name=name, codebook=codebook, notes=self.notes)
        self.note_texts = self._read_notes()
        source_ids = self._read_sources(plan)
        plan.cases = self._read_cases(source_ids, plan)
        _note_sets(self.root, self.notes)
        for element in ("Links", "Graphs"):
            found = _kids(self.root, element)
            if found and len(found[0]):
                self.notes.append(f"{len(found[0])} {element.lower()[:-1]}(s) were not imported")
        plan.counts["codes"] = len(codebook)
        plan.counts["users"] = len(self.users)
        return plan

    def _note_reused_guids(self) -> None:
        seen: dict[str, list[str]] = {}
        for element in _walk(self.root):
            guid = _attr(element, "guid")
            if guid:
                seen.setdefault(_guid_key(guid), []).append(_local(element.tag))
        for guid, kinds in seen.items():
            if len(kinds) > 1:
                self.notes.append(
                    f"the GUID {guid.upper()} is used {len(kinds)} times "
                    f"({', '.join(kinds)}); each use was kept apart"
                )

    def _read_notes(self) -> dict[str, tuple[str, str]]:
        notes: dict[str, tuple[str, str]] = {}
        for container in _kids(self.root, "Notes"):
            for note in _kids(container, "Note"):
                text = _content(_kid(note, "PlainTextContent"))
                if not text and _attr(note, "plainTextPath"):
                    text = self._text_of(note) or ""
                notes.setdefault(_guid_key(_attr(note, "guid")), (_attr(note, "name"), text))
        return notes

    # ---------------------------------------------------------------- sources
    def _text_refs(self, plan: _Plan) -> list[_TextRef]:
        refs: list[_TextRef] = []
        sources = [s for container in _kids(self.root, "Sources") for s in container]
        plan.counts["sources"] = len(sources)
        plan.counts["text_sources"] = sum(_local(s.tag) == "TextSource" for s in sources)
        selections = [e for s in sources for e in _walk(s) if _local(e.tag).endswith("Selection")]
        plan.counts["selections"] = len(selections)
        plan.counts["text_selections"] = sum(
            _local(e.tag) == "PlainTextSelection" for e in selections
        )
        plan.counts["codings"] = sum(_local(e.tag) == "Coding" for s in sources for e in _walk(s))
        values = sum(len(_kids(s, "VariableValue")) for s in sources)
        if values:
            self.notes.append(
                f"{values} variable value(s) given to sources rather than cases were not imported"
            )
        paths: set[str] = set()
        for source in sources:
            kind, guid, name = _local(source.tag), _attr(source, "guid"), _attr(source, "name")
            rep = _kid(source, "Representation")
            if kind == "TextSource":
                refs.append(_TextRef(guid, name, source, guid))
            elif kind == "PDFSource" and rep is not None:
                refs.append(_TextRef(_attr(rep, "guid") or guid, name, rep, guid))
                self._note_media(source, name, "PDFSelection", "its plain-text representation")
            elif kind in ("AudioSource", "VideoSource") and _kids(source, "Transcript"):
                for transcript in _kids(source, "Transcript"):
                    refs.append(
                        _TextRef(
                            _attr(transcript, "guid") or guid,
                            _attr(transcript, "name") or f"{name} transcript",
                            transcript,
                            guid,
                        )
                    )
                self._note_media(source, name, f"{kind[:5]}Selection", "its transcript")
            else:
                self.notes.append(
                    f"{kind} {name!r} is not a text source and has no plain text; it was skipped"
                )
        unique = []
        for ref in refs:  # a transcript often points at a text source's own file
            path = _attr(ref.element, "plainTextPath").lower()
            if _local(ref.element.tag) == "Transcript" and path and path in paths:
                continue
            paths.add(path)
            unique.append(ref)
        return unique

    def _note_media(self, source: ET.Element, name: str, selection: str, kept: str) -> None:
        skipped = len(_kids(source, selection)) + sum(
            len(_kids(t, "TranscriptSelection")) for t in _kids(source, "Transcript")
        )
        if skipped:
            self.notes.append(
                f"{_local(source.tag)} {name!r}: {skipped} selection(s) on the "
                f"media were skipped; {kept} was imported where present"
            )

    def _text_of(self, element: ET.Element) -> str | None:
        """The raw text (decoded, BOM removed) of a text element, or None if it is absent."""
        inline = _kid(element, "PlainTextContent")
        if inline is not None:
            return _content(inline)
        ref = _attr(element, "plainTextPath")
        info = self.archive.resolve(ref, self.base) if ref else None
        if info is None:
            return None
        text = _decode(self.archive.read(info), f"{self.path}: {info.filename}", self.notes)
        return text.removeprefix("\ufeff")  # no convention counts a byte-order mark

    def _read_sources(self, plan: _Plan) -> dict[str, str]:
        """Texts and codings into ``plan``; returns source element GUID → source id."""
        ids: dict[str, str] = {}
        taken: set[str] = set()
        imported_selections = 0
        for ref in self._text_refs(plan):
            label = ref.name or _attr(ref.element, "plainTextPath") or ref.guid
            raw = self._text_of(ref.element)
            if raw is None:
                where = _attr(ref.element, "plainTextPath") or _attr(ref.element, "richTextPath")
                plan.missing.append(f"{label} ({where})" if where else label)
                continue
            if not raw.strip():
                self.notes.append(f"source {label!r} has an empty plain text and was skipped")
                continue
            source_id = _source_id(ref, taken)
            ids.setdefault(_guid_key(ref.owner_guid), source_id)
            ids.setdefault(_guid_key(ref.guid), source_id)
            imported_selections += self._read_codings(ref, source_id, raw, plan)
        plan.counts["sources_imported"] = len(plan.texts)
        plan.counts["selections_imported"] = imported_selections
        plan.counts["codings_imported"] = len(plan.rows)
        for source_id, n in self.dangling.items():
            self.notes.append(
                f"source {source_id!r}: {n} coding(s) refer to no code in the codebook and "
                "were skipped"
            )
        if self.unknown_users:
            self.notes.append(
                f"{len(self.unknown_users)} user GUID(s) are not in <Users>; their "
                "codings keep the GUID as the coder"
            )
        return ids

    def _read_codings(self, ref: _TextRef, source_id: str, raw: str, plan: _Plan) -> int:
        selections = _kids(ref.element, "PlainTextSelection")
        bounds = []
        for sel in selections:
            try:
                bounds.append(
                    (
                        int(_attr(sel, "startPosition")),
                        int(_attr(sel, "endPosition")),
                        _attr(sel, "name"),
                    )
                )
            except ValueError:
                bounds.append((-1, -1, ""))
        text = normalize_text(raw)
        spans: list[tuple[int, int] | None] = []
        if selections:
            convention, spans, rivals = _read_positions(raw, bounds)
            plan.offsets[source_id] = convention
            if rivals:
                self.notes.append(
                    f"source {source_id!r}: its positions fit {convention} and "
                    f"{', '.join(rivals)} equally well; {convention} was used"
                )
        plan.texts[source_id] = text
        imported = 0
        for sel, span in zip(selections, spans, strict=True):
            if span is None:
                continue
            before = len(plan.rows)
            for coding in _kids(sel, "Coding"):
                row = self._row(coding, sel, source_id, span, text)
                if row is not None:
                    plan.rows.append(row)
            imported += len(plan.rows) > before
        bad = sum(span is None for span in spans)
        if bad:
            self.notes.append(
                f"source {source_id!r}: {bad} selection(s) do not fit the text "
                "(outside it, empty or mid-character) and were skipped"
            )
        whole = (0, len(text))
        for coding in _kids(ref.element, "Coding"):  # codes the whole source
            row = self._row(coding, ref.element, source_id, whole, text)
            if row is not None:
                plan.rows.append(row)
        return imported

    def _row(
        self,
        coding: ET.Element,
        selection: ET.Element,
        source_id: str,
        span: tuple[int, int],
        text: str,
    ) -> dict[str, Any] | None:
        code_ref = _kid(coding, "CodeRef")
        target = _guid_key(_attr(code_ref, "targetGUID")) if code_ref is not None else ""
        key = self.code_keys.get(target)
        if key is None:
            self.dangling[source_id] = self.dangling.get(source_id, 0) + 1
            return None
        user = _guid_key(_attr(coding, "creatingUser") or _attr(selection, "creatingUser"))
        coder = self.users.get(user, user)
        if user and user not in self.users:
            self.unknown_users.add(user)
        memo, reduced = self._memo(coding, selection)
        start, end = span
        created = _when(_attr(coding, "creationDateTime") or _attr(selection, "creationDateTime"))
        return {
            "coding_id": self._coding_id(_attr(coding, "guid") or f"{source_id}:{start}:{key}"),
            "source_id": source_id,
            "start": start,
            "end": end,
            "code": key,
            "coder": coder,
            "status": "accepted",
            "created": created or "",
            "memo": memo,
            "reduced": reduced,
            "text": text[start:end],
        }

    def _memo(self, coding: ET.Element, selection: ET.Element) -> tuple[str, str]:
        memos: list[str] = []
        reduced: list[str] = []
        own = _local(selection.tag) == "PlainTextSelection"  # not a whole source's notes
        refs = _kids(coding, "NoteRef") + (_kids(selection, "NoteRef") if own else [])
        for ref in refs:
            name, text = self.note_texts.get(_guid_key(_attr(ref, "targetGUID")), ("", ""))
            if text.strip():
                (reduced if name.strip().casefold() in _REDUCED_NAMES else memos).append(
                    text.strip()
                )
        comment = _content(_kid(selection, "Description")).strip() if own else ""
        if comment:
            memos.append(comment)
        return "\n\n".join(dict.fromkeys(memos)), "\n\n".join(dict.fromkeys(reduced))

    def _coding_id(self, guid: str) -> str:
        """``c`` + 11 hex digits from the coding's GUID, so that importing again gives the same."""
        n = 0
        while True:
            salt = f"{guid.lower()}#{n}" if n else guid.lower()
            candidate = "c" + uuid.uuid5(NAMESPACE, f"import:{salt}").hex[:11]
            if candidate not in self.coding_ids:
                self.coding_ids.add(candidate)
                return candidate
            n += 1

    # ---------------------------------------------------------------- cases
    def _read_cases(self, source_ids: Mapping[str, str], plan: _Plan) -> pd.DataFrame | None:
        cases = [c for container in _kids(self.root, "Cases") for c in _kids(container, "Case")]
        plan.counts["cases"] = len(cases)
        if not cases:
            return None
        columns = _unique_names(
            {
                _guid_key(_attr(v, "guid")): _attr(v, "name") or "variable"
                for container in _kids(self.root, "Variables")
                for v in _kids(container, "Variable")
            },
            reserved={"case_id", "sources"},
        )
        records = []
        links: dict[str, list[str]] = {}
        for case_id, case in zip(
            _unique_list([_attr(c, "name") or _attr(c, "guid") for c in cases]), cases, strict=True
        ):
            record = {"case_id": case_id}
            for value in _kids(case, "VariableValue"):
                ref = _kid(value, "VariableRef")
                target = _guid_key(_attr(ref, "targetGUID")) if ref is not None else ""
                column = columns.get(target)
                given = [e for e in value if _local(e.tag) != "VariableRef"]
                if column is not None and given:
                    record[column] = _content(given[0]).strip()
            records.append(record)
            linked = [
                source_ids[g]
                for r in _kids(case, "SourceRef")
                if (g := _guid_key(_attr(r, "targetGUID"))) in source_ids
            ]
            links[case_id] = [s for s in linked if not _belongs(s, case_id)]
        frame = pd.DataFrame.from_records(records, columns=["case_id", *columns.values()])
        frame = frame.fillna("").astype(str)
        if any(links.values()):
            frame["sources"] = [";".join(links[c]) for c in frame["case_id"]]
        return frame


def _belongs(source_id: str, case_id: str) -> bool:
    """Whether tymqual ties the source to the case by its id alone (see Project.case_of)."""
    return source_id == case_id or bool(re.match(re.escape(case_id) + r"[_\-]", source_id))


def _unique_list(names: Iterable[str]) -> list[str]:
    taken: set[str] = set()
    out = []
    for raw in names:
        base = " ".join(raw.split()) or "case"
        name, n = base, 1
        while name.casefold() in taken:
            n += 1
            name = f"{base}_{n}"
        taken.add(name.casefold())
        out.append(name)
    return out


def _unique_names(names: Mapping[str, str], *, reserved: set[str]) -> dict[str, str]:
    unique = _unique_list([*sorted(reserved), *names.values()])[len(reserved) :]
    return dict(zip(names, unique, strict=True))


def _decode(data: bytes, where: str, notes: list[str]) -> str:
    """A source file's text by the one decoding rule; a Windows-1252 fallback gets a note."""
    text, encoding = decode_bytes(data, where, error=RefiError)
    if encoding == "cp1252":
        notes.append(f"{where} is not UTF-8 and was read as Windows-1252")
    return text


def _source_id(ref: _TextRef, taken: set[str]) -> str:
    """A safe, unique source id (and file stem) from the source's name, path or GUID."""
    name = ref.name
    if not name:
        path = _attr(ref.element, "plainTextPath").rpartition("://")[2]
        name = PurePosixPath(path.replace("\\", "/")).name or ref.guid
    stem = PurePosixPath(name.replace("\\", "/")).name or name
    if PurePosixPath(stem).suffix.lower() in _DOCUMENT_SUFFIXES:
        stem = stem[: -len(PurePosixPath(stem).suffix)]
    base = _safe_stem(stem)
    source_id, n = base, 1
    while source_id.casefold() in taken:
        n += 1
        source_id = f"{base}_{n}"
    taken.add(source_id.casefold())
    return validate_source_id(source_id, name)


def _safe_stem(name: str) -> str:
    stem = _UNSAFE_NAME.sub("_", unicodedata.normalize("NFC", name))
    stem = " ".join(stem.split()).strip(" ._")[: MAX_SOURCE_ID - 10].rstrip(" ._")
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        stem += "_"
    return stem or "source"


def _refuse_existing(into: Path) -> None:
    if into.exists() and (not into.is_dir() or any(into.iterdir())):
        raise ProjectError(
            f"{into}: already exists and is not an empty folder; import_qdpx makes a new project "
            "and does not merge into an existing one (not supported yet). Give a new folder."
        )


def import_qdpx(
    path: str | Path,
    into: str | Path,
    *,
    max_entry_bytes: int = MAX_ENTRY_BYTES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
) -> ImportReport:
    """Make a new tymqual project in ``into`` from a REFI-QDA project file (.qdpx).

    ``into`` must not exist or be an empty folder: merging into an existing project is not
    supported yet (:class:`~tymqual.errors.ProjectError`). The project gets the codebook
    (``codes/codebook.yaml``), each text source as ``transcripts/<name>.txt`` (the name
    sanitised into a safe, unique source id), the codings in the ledger (status accepted, the
    coder from the ``<User>`` name, ``created`` from ``creationDateTime``, memos and reduced
    expressions from the coding's notes) and the cases with their variables
    (``codes/cases.csv``). The whole file is read and checked first: a hostile or broken file
    raises :class:`RefiError` before anything is written. Limits on uncompressed sizes are
    ``max_entry_bytes`` per zip entry and ``max_total_bytes`` in all. Returns an
    :class:`ImportReport`; if it has warnings, one :class:`~tymqual.errors.TymqualWarning`
    says so.
    """
    source, target = Path(path), Path(into)
    _refuse_existing(target)
    with _Archive(
        source, max_entry_bytes=max_entry_bytes, max_total_bytes=max_total_bytes
    ) as archive:
        entry = archive.project_entry()
        root = _parse_xml(archive.read(entry), f"{source}: {entry.filename}")
        if _local(root.tag) != "Project":
            raise RefiError(
                f"{source}: {entry.filename} is a <{_local(root.tag)}>, not a REFI-QDA <Project>."
            )
        folder = str(PurePosixPath(entry.filename.replace("\\", "/")).parent)
        base = "" if folder == "." else folder.lower() + "/"
        plan = _ProjectReader(source, archive, root, base).read()
    try:
        report = _write_project(plan, target)
    except StorageError as exc:
        cause, remedy = describe_os_error(exc)
        raise StorageError(
            f"import_qdpx(): {target} is incomplete because {cause} (at {exc.path}); remove "
            f"that folder and import again ({remedy}).",
            path=target, reason=cause, cause=exc,
        ) from exc
    if report.warnings:
        warnings.warn(
            f"{source}: imported into {target} with {len(report.warnings)} note(s); see the "
            "report's warnings.",
            TymqualWarning,
            stacklevel=2,
        )
    return report


def _write_project(plan: _Plan, into: Path) -> ImportReport:
    project = init_project(into, name=plan.name or None)
    root = project.root
    transcripts = root / "transcripts"
    for source_id, text in plan.texts.items():
        file = transcripts / f"{source_id}.txt"
        if file.resolve().parent != transcripts.resolve():  # sanitising guarantees it; be sure
            raise RefiError(f"{into}: the source id {source_id!r} is not a safe file name.")
        atomic_write_text(file, text)
    plan.codebook.to_yaml(root / "codes" / "codebook.yaml")
    if plan.cases is not None:
        write_csv(plan.cases, root / "codes" / "cases.csv")
    if plan.rows:
        Ledger(root / "codes" / "codings.csv").add(
            plan.rows, action="import", note=f"REFI-QDA project {plan.name}")
    found = sorted(set(plan.offsets.values()))
    convention = found[0] if len(found) == 1 else f"mixed: {', '.join(found)}" if found else "none"
    return ImportReport(
        root=root,
        codes=plan.counts["codes"],
        sources=plan.counts["sources"],
        text_sources=plan.counts["text_sources"],
        sources_imported=plan.counts["sources_imported"],
        selections=plan.counts["selections"],
        text_selections=plan.counts["text_selections"],
        selections_imported=plan.counts["selections_imported"],
        codings=plan.counts["codings"],
        codings_imported=plan.counts["codings_imported"],
        cases=plan.counts["cases"],
        users=plan.counts["users"],
        missing_sources=tuple(plan.missing),
        offset_convention=convention,
        offsets=dict(plan.offsets),
        warnings=tuple(plan.notes),
    )
