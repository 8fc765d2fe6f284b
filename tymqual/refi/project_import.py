"""REFI-QDA project import: sources, selections, codings, notes, users and cases into a folder."""

from __future__ import annotations

import re
import unicodedata
import uuid
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd

from tymqual.codebook import Codebook
from tymqual.codings import Ledger
from tymqual.corpus import MAX_SOURCE_ID, parse_turns, validate_source_id
from tymqual.errors import ProjectError, RefiError, StorageError, TymqualWarning
from tymqual.project import init_project
from tymqual.refi.archive import (
    ImportReport,
    QdpxArchive,
    attribute,
    child_element,
    child_elements,
    element_text,
    guid_key,
    local_name,
    parse_xml,
    walk_elements,
)
from tymqual.refi.codes import build_codebook, note_sets, read_codes
from tymqual.refi.positions import read_positions
from tymqual.refi.qdaxml import (
    DOCUMENT_SUFFIXES,
    NAMESPACE,
    REDUCED_NAMES,
    UNSAFE_NAME,
    WINDOWS_RESERVED,
    creation_time,
)
from tymqual.storage import (
    MAX_ENTRY_BYTES,
    MAX_TOTAL_BYTES,
    atomic_write_text,
    decode_bytes,
    describe_os_error,
    write_csv,
)
from tymqual.text import normalize_text


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

    def __init__(self, path: Path, archive: QdpxArchive, root: ET.Element, base: str) -> None:
        self.path = path
        self.archive = archive
        self.root = root
        self.base = base
        self.notes: list[str] = []
        self.users = {
            guid_key(attribute(u, "guid")): attribute(u, "name")
            or attribute(u, "id")
            or attribute(u, "guid")
            for users in child_elements(root, "Users")
            for u in child_elements(users, "User")
        }
        self.unknown_users: set[str] = set()
        self.coding_ids: set[str] = set()
        self.code_keys: dict[str, str] = {}
        self.note_texts: dict[str, tuple[str, str]] = {}
        self.dangling: dict[str, int] = {}

    def read(self) -> _Plan:
        self._note_reused_guids()
        codebook_el = child_element(self.root, "CodeBook")
        codes_el = child_element(codebook_el, "Codes") if codebook_el is not None else None
        raw_codes = read_codes(codes_el, f"{self.path}", self.notes)
        name = attribute(self.root, "name") or self.path.stem
        codebook, self.code_keys = build_codebook(
            raw_codes, name=name, where=str(self.path), notes=self.notes
        )
        plan = _Plan(name=name, codebook=codebook, notes=self.notes)
        self.note_texts = self._read_notes()
        source_ids = self._read_sources(plan)
        plan.cases = self._read_cases(source_ids, plan)
        note_sets(self.root, self.notes)
        for element in ("Links", "Graphs"):
            found = child_elements(self.root, element)
            if found and len(found[0]):
                self.notes.append(f"{len(found[0])} {element.lower()[:-1]}(s) were not imported")
        plan.counts["codes"] = len(codebook)
        plan.counts["users"] = len(self.users)
        return plan

    def _note_reused_guids(self) -> None:
        seen: dict[str, list[str]] = {}
        for element in walk_elements(self.root):
            guid = attribute(element, "guid")
            if guid:
                seen.setdefault(guid_key(guid), []).append(local_name(element.tag))
        for guid, kinds in seen.items():
            if len(kinds) > 1:
                self.notes.append(
                    f"the GUID {guid.upper()} is used {len(kinds)} times "
                    f"({', '.join(kinds)}); each use was kept apart"
                )

    def _read_notes(self) -> dict[str, tuple[str, str]]:
        notes: dict[str, tuple[str, str]] = {}
        for container in child_elements(self.root, "Notes"):
            for note in child_elements(container, "Note"):
                text = element_text(child_element(note, "PlainTextContent"))
                if not text and attribute(note, "plainTextPath"):
                    text = self._text_of(note) or ""
                notes.setdefault(guid_key(attribute(note, "guid")), (attribute(note, "name"), text))
        return notes

    # ---------------------------------------------------------------- sources
    def _text_refs(self, plan: _Plan) -> list[_TextRef]:
        refs: list[_TextRef] = []
        sources = [s for container in child_elements(self.root, "Sources") for s in container]
        plan.counts["sources"] = len(sources)
        plan.counts["text_sources"] = sum(local_name(s.tag) == "TextSource" for s in sources)
        selections = [
            e for s in sources for e in walk_elements(s) if local_name(e.tag).endswith("Selection")
        ]
        plan.counts["selections"] = len(selections)
        plan.counts["text_selections"] = sum(
            local_name(e.tag) == "PlainTextSelection" for e in selections
        )
        plan.counts["codings"] = sum(
            local_name(e.tag) == "Coding" for s in sources for e in walk_elements(s)
        )
        values = sum(len(child_elements(s, "VariableValue")) for s in sources)
        if values:
            self.notes.append(
                f"{values} variable value(s) given to sources rather than cases were not imported"
            )
        paths: set[str] = set()
        for source in sources:
            kind, guid, name = (
                local_name(source.tag),
                attribute(source, "guid"),
                attribute(source, "name"),
            )
            rep = child_element(source, "Representation")
            if kind == "TextSource":
                refs.append(_TextRef(guid, name, source, guid))
            elif kind == "PDFSource" and rep is not None:
                refs.append(_TextRef(attribute(rep, "guid") or guid, name, rep, guid))
                self._note_media(source, name, "PDFSelection", "its plain-text representation")
            elif kind in ("AudioSource", "VideoSource") and child_elements(source, "Transcript"):
                for transcript in child_elements(source, "Transcript"):
                    refs.append(
                        _TextRef(
                            attribute(transcript, "guid") or guid,
                            attribute(transcript, "name") or f"{name} transcript",
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
            path = attribute(ref.element, "plainTextPath").lower()
            if local_name(ref.element.tag) == "Transcript" and path and path in paths:
                continue
            paths.add(path)
            unique.append(ref)
        return unique

    def _note_media(self, source: ET.Element, name: str, selection: str, kept: str) -> None:
        skipped = len(child_elements(source, selection)) + sum(
            len(child_elements(t, "TranscriptSelection"))
            for t in child_elements(source, "Transcript")
        )
        if skipped:
            self.notes.append(
                f"{local_name(source.tag)} {name!r}: {skipped} selection(s) on the "
                f"media were skipped; {kept} was imported where present"
            )

    def _text_of(self, element: ET.Element) -> str | None:
        """The raw text (decoded, BOM removed) of a text element, or None if it is absent."""
        inline = child_element(element, "PlainTextContent")
        if inline is not None:
            return element_text(inline)
        ref = attribute(element, "plainTextPath")
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
            label = ref.name or attribute(ref.element, "plainTextPath") or ref.guid
            raw = self._text_of(ref.element)
            if raw is None:
                where = attribute(ref.element, "plainTextPath") or attribute(
                    ref.element, "richTextPath"
                )
                plan.missing.append(f"{label} ({where})" if where else label)
                continue
            if not raw.strip():
                self.notes.append(f"source {label!r} has an empty plain text and was skipped")
                continue
            source_id = _source_id(ref, taken)
            ids.setdefault(guid_key(ref.owner_guid), source_id)
            ids.setdefault(guid_key(ref.guid), source_id)
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
        selections = child_elements(ref.element, "PlainTextSelection")
        bounds = []
        for sel in selections:
            try:
                bounds.append(
                    (
                        int(attribute(sel, "startPosition")),
                        int(attribute(sel, "endPosition")),
                        attribute(sel, "name"),
                    )
                )
            except ValueError:
                bounds.append((-1, -1, ""))
        text = normalize_text(raw)
        spans: list[tuple[int, int] | None] = []
        if selections:
            convention, spans, rivals = read_positions(raw, bounds)
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
            for coding in child_elements(sel, "Coding"):
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
        for coding in child_elements(ref.element, "Coding"):  # codes the whole source
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
        code_ref = child_element(coding, "CodeRef")
        target = guid_key(attribute(code_ref, "targetGUID")) if code_ref is not None else ""
        key = self.code_keys.get(target)
        if key is None:
            self.dangling[source_id] = self.dangling.get(source_id, 0) + 1
            return None
        user = guid_key(attribute(coding, "creatingUser") or attribute(selection, "creatingUser"))
        coder = self.users.get(user, user)
        if user and user not in self.users:
            self.unknown_users.add(user)
        memo, reduced = self._memo(coding, selection)
        start, end = span
        created = creation_time(
            attribute(coding, "creationDateTime") or attribute(selection, "creationDateTime")
        )
        return {
            "coding_id": self._coding_id(attribute(coding, "guid") or f"{source_id}:{start}:{key}"),
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
        own = local_name(selection.tag) == "PlainTextSelection"  # not a whole source's notes
        refs = child_elements(coding, "NoteRef") + (
            child_elements(selection, "NoteRef") if own else []
        )
        for ref in refs:
            name, text = self.note_texts.get(guid_key(attribute(ref, "targetGUID")), ("", ""))
            if text.strip():
                (reduced if name.strip().casefold() in REDUCED_NAMES else memos).append(
                    text.strip()
                )
        comment = element_text(child_element(selection, "Description")).strip() if own else ""
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
        cases = [
            c
            for container in child_elements(self.root, "Cases")
            for c in child_elements(container, "Case")
        ]
        plan.counts["cases"] = len(cases)
        if not cases:
            return None
        columns = _unique_names(
            {
                guid_key(attribute(v, "guid")): attribute(v, "name") or "variable"
                for container in child_elements(self.root, "Variables")
                for v in child_elements(container, "Variable")
            },
            reserved={"case_id", "sources"},
        )
        records = []
        links: dict[str, list[str]] = {}
        for case_id, case in zip(
            _unique_list([attribute(c, "name") or attribute(c, "guid") for c in cases]),
            cases,
            strict=True,
        ):
            record = {"case_id": case_id}
            for value in child_elements(case, "VariableValue"):
                ref = child_element(value, "VariableRef")
                target = guid_key(attribute(ref, "targetGUID")) if ref is not None else ""
                column = columns.get(target)
                given = [e for e in value if local_name(e.tag) != "VariableRef"]
                if column is not None and given:
                    record[column] = element_text(given[0]).strip()
            records.append(record)
            linked = [
                source_ids[g]
                for r in child_elements(case, "SourceRef")
                if (g := guid_key(attribute(r, "targetGUID"))) in source_ids
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
        path = attribute(ref.element, "plainTextPath").rpartition("://")[2]
        name = PurePosixPath(path.replace("\\", "/")).name or ref.guid
    stem = PurePosixPath(name.replace("\\", "/")).name or name
    if PurePosixPath(stem).suffix.lower() in DOCUMENT_SUFFIXES:
        stem = stem[: -len(PurePosixPath(stem).suffix)]
    base = _safe_stem(stem)
    source_id, n = base, 1
    while source_id.casefold() in taken:
        n += 1
        source_id = f"{base}_{n}"
    taken.add(source_id.casefold())
    return validate_source_id(source_id, name)


def _safe_stem(name: str) -> str:
    stem = UNSAFE_NAME.sub("_", unicodedata.normalize("NFC", name))
    stem = " ".join(stem.split()).strip(" ._")[: MAX_SOURCE_ID - 10].rstrip(" ._")
    if stem.split(".")[0].upper() in WINDOWS_RESERVED:
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
    sanitised into a safe, unique source id; ``documents/`` for a text without speaker turns
    when the others have them), the codings in the ledger (status accepted, the
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
    with QdpxArchive(
        source, max_entry_bytes=max_entry_bytes, max_total_bytes=max_total_bytes
    ) as archive:
        entry = archive.project_entry()
        root = parse_xml(archive.read(entry), f"{source}: {entry.filename}")
        if local_name(root.tag) != "Project":
            raise RefiError(
                f"{source}: {entry.filename} is a <{local_name(root.tag)}>, "
                "not a REFI-QDA <Project>."
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
            path=target,
            reason=cause,
            cause=exc,
        ) from exc
    if report.warnings:
        warnings.warn(
            f"{source}: imported into {target} with {len(report.warnings)} note(s); see the "
            "report's warnings.",
            TymqualWarning,
            stacklevel=2,
        )
    return report


def _folders(texts: Mapping[str, str], notes: list[str]) -> dict[str, str]:
    """Each source's folder: ``transcripts`` for an interview, ``documents`` for a text with no
    speaker turn in a project whose other sources have them (a paper, survey answers, field
    notes), so that it is not read as an interview whose labels went unrecognised."""
    turned = {sid: bool(parse_turns(text)) for sid, text in texts.items()}
    if not any(turned.values()):
        return dict.fromkeys(texts, "transcripts")
    moved = [sid for sid, has in turned.items() if not has]
    if moved:
        shown = ", ".join(moved[:5]) + (f" and {len(moved) - 5} more" if len(moved) > 5 else "")
        notes.append(f"{len(moved)} source(s) have no speaker turns while the others do, so "
                     f"they were written to documents/, not transcripts/: {shown}.")
    return {sid: "transcripts" if has else "documents" for sid, has in turned.items()}


def _write_project(plan: _Plan, into: Path) -> ImportReport:
    project = init_project(into, name=plan.name or None)
    root = project.root
    for source_id, folder in _folders(plan.texts, plan.notes).items():
        parent = root / folder
        file = parent / f"{source_id}.txt"
        if file.resolve().parent != parent.resolve():  # sanitising guarantees it; be sure
            raise RefiError(f"{into}: the source id {source_id!r} is not a safe file name.")
        atomic_write_text(file, plan.texts[source_id])
    plan.codebook.to_yaml(root / "codes" / "codebook.yaml")
    if plan.cases is not None:
        write_csv(plan.cases, root / "codes" / "cases.csv")
    if plan.rows:
        Ledger(root / "codes" / "codings.csv").add(
            plan.rows, action="import", note=f"REFI-QDA project {plan.name}"
        )
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
