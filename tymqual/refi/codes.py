"""REFI-QDA codebook import: codes, hierarchy written into names, guidance and keys."""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tymqual.codebook import Codebook
from tymqual.errors import RefiError, TymqualWarning
from tymqual.refi.archive import (
    attribute,
    child_element,
    child_elements,
    element_text,
    guid_key,
    local_name,
    parse_xml,
)
from tymqual.refi.qdaxml import COLOR, LABEL_FIELD, LABEL_LINE, MAX_DEPTH, key_from_name
from tymqual.storage import (
    MAX_ENTRY_BYTES,
)


@dataclass
class _RawCode:
    guid: str
    name: str
    color: str = ""
    description: str = ""
    children: list[_RawCode] = field(default_factory=list)


def read_codes(codes: ET.Element | None, where: str, notes: list[str]) -> list[_RawCode]:
    if codes is None:
        return []
    top: list[_RawCode] = []
    stack: list[tuple[ET.Element, list[_RawCode], int]] = [
        (e, top, 0) for e in reversed(child_elements(codes, "Code"))
    ]
    while stack:
        element, siblings, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise RefiError(
                f"{where}: codes nest more than {MAX_DEPTH} levels deep; this is not "
                "a codebook tymqual will read."
            )
        guid = attribute(element, "guid")
        name = attribute(element, "name")
        if not name:
            name = f"code {guid[:8] or len(siblings) + 1}"
            notes.append(f"a code without a name was named {name!r}")
        color = attribute(element, "color")
        if color and not COLOR.fullmatch(color):
            notes.append(f"code {name!r}: colour {color!r} is not #RRGGBB and was dropped")
            color = ""
        raw = _RawCode(
            guid, name, color, element_text(child_element(element, "Description")).strip()
        )
        siblings.append(raw)
        stack.extend(
            (e, raw.children, depth + 1) for e in reversed(child_elements(element, "Code"))
        )
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
        match = LABEL_LINE.match(line)
        if match:
            language, current = LABEL_FIELD[match["label"].casefold()]
            fields[current] = [match["value"]]
        else:
            fields.setdefault(current, []).append(line)
    return {name: "\n".join(lines).strip() for name, lines in fields.items()}, language


def build_codebook(
    raw_codes: list[_RawCode], *, name: str, where: str, notes: list[str]
) -> tuple[Codebook, dict[str, str]]:
    """The codebook and a map from each code GUID (see :func:`guid_key`) to its key."""
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
        guid = guid_key(code.guid)
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
        base = key_from_name(code.name) or "code"
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
    root = parse_xml(_read_file(source, max_bytes), str(source))
    if local_name(root.tag) != "CodeBook":
        raise RefiError(
            f"{source}: the document is a <{local_name(root.tag)}>, not a REFI-QDA <CodeBook>; "
            "give a .qdc codebook file (a .qdpx project goes to import_qdpx)."
        )
    notes: list[str] = []
    raw = read_codes(child_element(root, "Codes"), str(source), notes)
    codebook, _ = build_codebook(raw, name=source.stem, where=str(source), notes=notes)
    note_sets(root, notes)
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


def note_sets(root: ET.Element, notes: list[str]) -> None:
    sets = [
        s for container in child_elements(root, "Sets") for s in child_elements(container, "Set")
    ]
    if sets:
        names = ", ".join(repr(attribute(s, "name")) for s in sets[:5])
        more = f" and {len(sets) - 5} more" if len(sets) > 5 else ""
        notes.append(f"{len(sets)} set(s) ({names}{more}) were not imported: tymqual has no sets")
