"""REFI-QDA export: the codebook (.qdc) and the whole project (.qdpx), valid and deterministic."""

from __future__ import annotations

import uuid
import warnings
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from tymqual.codebook import Code, Codebook
from tymqual.codings import STATUSES
from tymqual.errors import RefiError, TymqualWarning
from tymqual.progress import progress
from tymqual.project import Project
from tymqual.refi.qdaxml import (
    CODEBOOK_NS,
    LABELS,
    NAMESPACE,
    PROJECT_NS,
    SCHEMA_URL,
    SNIPPET,
    XML_INVALID,
    XSI,
    ZIP_TIME,
    creation_time,
    key_from_name,
)
from tymqual.storage import (
    atomic_write_bytes,
    replacing,
)


def _guid(kind: str, key: str) -> str:
    """The stable GUID of a ``kind`` of thing (``code``, ``source``, ...) with key ``key``."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}")).upper()


def _xml_safe(text: str) -> str:
    # XML 1.0 cannot hold most C0 control characters, even escaped.
    return XML_INVALID.sub("", text)


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
    root.set("xmlns:xsi", XSI)
    root.set("xsi:schemaLocation", f"{namespace} {SCHEMA_URL.format(schema)}")
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
    return LABELS["fi" if language.lower().startswith("fi") else "en"]


def _code_description(code: Code, labels: Mapping[str, str]) -> str:
    lines = [
        f"{labels[name]}: {getattr(code, name)}"
        for name in ("use_when", "do_not_use_when", "example")
        if getattr(code, name)
    ]
    if code.keywords:
        lines.append(f"{labels['keywords']}: {'; '.join(code.keywords)}")
    if code.key != key_from_name(code.name):
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
        for source_id in progress(
            project.source_ids,
            ("Viedään lähteitä", "Exporting sources"),
            lang=project.config.language,
        ):
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


def _snippet(passage: str) -> str:
    flat = " ".join(passage.split())
    return flat if len(flat) <= SNIPPET else flat[: SNIPPET - 1].rstrip() + "…"


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
        creationDateTime=creation_time(created),
    )
    for row in group:
        coding = _sub(
            selection,
            "Coding",
            guid=_guid("coding", row["coding_id"]),
            creatingUser=_guid("user", row["coder"]) if row["coder"] else None,
            creationDateTime=creation_time(row["created"]),
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
            creationDateTime=creation_time(created),
        )
        _sub(note, "PlainTextContent", value)


def _write_zip(target: Path, entries: Mapping[str, bytes]) -> None:
    with replacing(target) as tmp, zipfile.ZipFile(tmp, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # the platform byte would otherwise differ on Windows
            info.external_attr = 0o644 << 16
            archive.writestr(info, entries[name], compresslevel=6)
