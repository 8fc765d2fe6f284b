"""The codebook: a tree of codes kept in ``codes/codebook.yaml``.

For everyone who codes material: each code has a stable ``key`` (what the ledger stores), a
``name`` shown to readers, guidance for coders (definition, when to use it and when not, an
example), a colour and search keywords. Codes are addressed by *path*, the keys from the root
joined with ``/`` (``verkostojohtaminen/resursointi``). Every problem in the file is a
:class:`~tymqual.errors.CodebookError` naming the file, the YAML line and the field.

>>> cb = Codebook("Demo")
>>> _ = cb.add("Verkostojohtaminen")
>>> cb.add("Resursointi", parent="verkostojohtaminen").path
'verkostojohtaminen/resursointi'
"""

from __future__ import annotations

import difflib
import html
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from tymqual.errors import CodebookError
from tymqual.storage import atomic_write_text, refuse_merge_conflict
from tymqual.text import normalize_text
from tymqual.yamlkeep import FlowList, text_to_write

__all__ = ["Code", "Codebook", "FRAME_COLUMNS", "orphan_name", "orphan_path"]

#: Columns of :meth:`Codebook.to_frame`, in order.
FRAME_COLUMNS = (
    "key", "path", "name", "parent", "depth", "definition", "use_when", "do_not_use_when",
    "example", "color", "keywords",
)  # fmt: skip

# How a reader sees a ledger key that no code has (an orphaned coding), Finnish and English.
# The space in the path can never occur in a real path, so the row never passes for a code.
_NOT_IN_CODEBOOK = {"fi": "ei koodikirjassa", "en": "not in codebook"}


def orphan_path(key: str, lang: str = "fi") -> str:
    """The ``code_path`` shown for codings under a key no code has: ``vanha (ei koodikirjassa)``.

    Segments, tables and figures show orphaned codings under this marker, never drop them.
    """
    return f"{key} ({_NOT_IN_CODEBOOK.get(lang, _NOT_IN_CODEBOOK['fi'])})"


def orphan_name(key: str, lang: str = "fi") -> str:
    """The ``code_name`` shown for an orphaned key: ``Ei koodikirjassa: vanha``."""
    return f"{_NOT_IN_CODEBOOK.get(lang, _NOT_IN_CODEBOOK['fi']).capitalize()}: {key}"


# matplotlib's "tab10", so default colours match the figures' own category colours.
_PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip
_GUIDANCE = ("definition", "use_when", "do_not_use_when", "example")
_EDITABLE = (*_GUIDANCE, "color", "keywords", "memo")
_CODE_FIELDS = ("name", "key", *_EDITABLE, "domain", "renamed_from", "children")
_BOOK_FIELDS = ("name", "version", "language", "description", "codes")
_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_NOT_KEY_CHARS = re.compile(r"[^\w-]+")
_UNQUOTED_COLOR = re.compile(r"^\s*(?:-\s+)?color\s*:\s*#")


@dataclass(eq=False)
class Code:
    """One code of the tree. Identity is the object: two codes are equal only if they are one."""

    key: str
    name: str
    definition: str = ""
    use_when: str = ""
    do_not_use_when: str = ""
    example: str = ""
    color: str = ""
    keywords: tuple[str, ...] = ()
    #: The analyst's own notes on the code (an analytic memo), apart from its definition.
    memo: str = ""
    #: The semantic domain of this code and its subcodes for agreement on freely marked text
    #: (:mod:`tymqual.unitizing`), when it is not the top-level theme (see
    #: :meth:`Codebook.domain_of`).
    domain: str = ""
    #: Keys this code had before; codings stored under them in the ledger count as this code.
    renamed_from: tuple[str, ...] = ()
    children: list[Code] = field(default_factory=list)
    parent: Code | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.keywords = tuple(self.keywords)
        self.renamed_from = (
            (self.renamed_from,) if isinstance(self.renamed_from, str) else tuple(self.renamed_from)
        )

    @property
    def path(self) -> str:
        """Keys from the root joined by ``/``: ``verkostojohtaminen/resursointi``."""
        keys = [self.key]
        node = self.parent
        while node is not None:
            keys.append(node.key)
            node = node.parent
        return "/".join(reversed(keys))

    @property
    def depth(self) -> int:
        """0 for a top-level code, 1 for its children, and so on."""
        depth, node = 0, self.parent
        while node is not None:
            depth, node = depth + 1, node.parent
        return depth


class Codebook:
    """The code tree of a project, with its name, version, language and description.

    Build one with :meth:`from_yaml` (or :meth:`from_dict`), or empty and grow it with
    :meth:`add`. Iterating yields every code depth-first, parents before children.
    """

    def __init__(
        self,
        name: str = "",
        *,
        version: str = "",
        language: str = "fi",
        description: str = "",
        codes: Iterable[Code] | None = None,
    ) -> None:
        self.name = name
        self.version = version
        self.language = language
        self.description = description
        self.codes: list[Code] = list(codes or ())
        self._link()
        self._check_tree()
        for position, code in enumerate(self):
            if not code.color:
                code.color = _default_color(position)

    # -- reading and writing -------------------------------------------------------------

    @classmethod
    def from_yaml(cls, path: str | os.PathLike[str]) -> Codebook:
        """Read and validate a codebook file such as ``codes/codebook.yaml``."""
        where = os.fspath(path)
        try:
            raw = Path(path).read_bytes()
        except FileNotFoundError:
            raise CodebookError(
                f"{where}: no such file; create it or check the project folder."
            ) from None
        try:
            source = normalize_text(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise CodebookError(
                f"{where}: byte {exc.start} is not UTF-8; save the file as UTF-8."
            ) from None
        refuse_merge_conflict(source, where, error=CodebookError)
        try:
            data = yaml.load(source, Loader=_LineLoader)
        except yaml.MarkedYAMLError as exc:
            raise CodebookError(_yaml_problem(where, exc)) from None
        except yaml.YAMLError as exc:
            raise CodebookError(f"{where}: the YAML cannot be read: {exc}.") from None
        return cls._build(data, _Where(where, "", 1, tuple(source.split("\n"))))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, where: str = "codebook") -> Codebook:
        """Validate a codebook given as nested dicts (the shape of the YAML file)."""
        return cls._build(data, _Where(where, "", None, ()))

    @classmethod
    def _build(cls, data: object, where: _Where) -> Codebook:
        if data is None:
            raise CodebookError(f"{where.at()}: the codebook is empty; give it a name and codes.")
        top = _expect_mapping(data, where, "the codebook")
        _check_fields(top, _BOOK_FIELDS, where, "the codebook")
        name = _text(top, "name", where)
        seen = _Keys()
        codes = _parse_codes(top.get("codes"), top, where.child("codes", top), seen)
        seen.check_claims(where.source)
        return cls(
            name,
            version=_text(top, "version", where),
            language=_text(top, "language", where) if "language" in top else "fi",
            description=_text(top, "description", where),
            codes=codes,
        )

    def to_dict(self) -> dict[str, Any]:
        """The codebook as nested dicts in file order (every field; ``children`` if any)."""
        return self._as_dict(flow_keywords=False)

    def to_qdc(self, path: str | os.PathLike[str]) -> Path:
        """Export as a REFI-QDA codebook (.qdc) for ATLAS.ti, MAXQDA, NVivo and others."""
        from tymqual.refi import export_qdc  # interop sits above the data model

        return export_qdc(self, Path(path))

    def to_yaml(self, path: str | os.PathLike[str]) -> None:
        """Write the codebook atomically.

        Over a file with comments, the codebook is laid over that file
        (:func:`tymqual.yamlkeep.dump_keeping`): its comments, field order and text styles
        stay, and a comment whose code was removed is kept at the end of the file, with a
        :class:`~tymqual.errors.TymqualWarning`. Otherwise the same codebook always gives
        the same bytes.
        """
        self._check_tree()
        data = self._as_dict(flow_keywords=True)
        text = text_to_write(Path(path), data, lambda: yaml.dump(
            data, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
            default_flow_style=False, width=88))
        atomic_write_text(path, text)

    def _as_dict(self, *, flow_keywords: bool) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "language": self.language,
            "description": self.description,
            "codes": [_code_dict(code, flow_keywords) for code in self.codes],
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per code in tree order, columns as in :data:`FRAME_COLUMNS`."""
        rows = [
            {
                "key": code.key,
                "path": code.path,
                "name": code.name,
                "parent": code.parent.path if code.parent is not None else None,
                "depth": code.depth,
                **{name: getattr(code, name) for name in _GUIDANCE},
                "color": code.color,
                "keywords": "; ".join(code.keywords),
            }
            for code in self
        ]
        frame = pd.DataFrame(rows, columns=list(FRAME_COLUMNS))
        return frame.astype({"depth": "int64"})

    # -- looking codes up ----------------------------------------------------------------

    def __iter__(self) -> Iterator[Code]:
        return _walk_all(self.codes)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, ref: object) -> bool:
        if isinstance(ref, Code):
            return any(code is ref for code in self)
        return isinstance(ref, str) and bool(self._lookup(ref))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Codebook):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by content

    def __repr__(self) -> str:
        return f"Codebook({self.name!r}, {len(self)} codes)"

    def resolve(self, ref: str | Code) -> Code:
        """The code that ``ref`` names: a path, a key, or a name (case-insensitive) if unique.

        A :class:`Code` from another copy of the codebook (say, before a reload) is looked up
        by its key, which is stable.
        """
        if isinstance(ref, Code):
            if ref in self:
                return ref
            ref = ref.key
        if not isinstance(ref, str):
            raise CodebookError(
                f"A code is referred to by its path, key or name, or a Code; got {ref!r}."
            )
        matches = self._lookup(ref)
        if len(matches) == 1:
            return matches[0]
        if matches:
            paths = ", ".join(code.path for code in matches)
            raise CodebookError(f"{ref!r} fits {len(matches)} codes ({paths}); give the path.")
        raise CodebookError(
            f"No code {ref!r} in the codebook (looked for a path, key or name).{self._suggest(ref)}"
        )

    def key_map(self) -> dict[str, Code]:
        """Every key the ledger may hold for a code: its key and its ``renamed_from`` keys.

        Build it once and look ledger keys up in it when mapping many rows; a key missing
        from it is an *orphaned* key, whose codings belong to no code of this codebook.
        """
        found: dict[str, Code] = {}
        for code in self:
            for old in code.renamed_from:
                found.setdefault(old, code)
        for code in self:
            found[code.key] = code
        return found

    def resolve_key(self, key: str) -> Code | None:
        """The code a key stored in the ledger belongs to, following ``renamed_from``.

        None when no code has the key, now or before (the coding is orphaned). Unlike
        :meth:`resolve`, this never matches a path or a name: the ledger stores keys.
        """
        return self.key_map().get(key)

    def _lookup(self, ref: str) -> list[Code]:
        wanted = unicodedata.normalize("NFC", ref).strip().strip("/")
        if not wanted:
            return []
        # A path ends in its code's key, and a ref without "/" is a key (a top-level path is
        # one too); matching the key first spares per-row look-ups from building paths.
        last = wanted.rsplit("/", 1)[-1]
        exact = [c for c in self if c.key == last and ("/" not in wanted or c.path == wanted)]
        if exact:
            return exact
        # A notebook written before a key changed still finds the code by its old key.
        renamed = [c for c in self if "/" not in wanted and wanted in c.renamed_from]
        if renamed:
            return renamed
        folded = wanted.casefold()
        return [
            code
            for code in self
            if folded in (code.name.casefold(), code.key.casefold(), code.path.casefold())
        ]

    def _suggest(self, ref: str) -> str:
        vocabulary: dict[str, str] = {}
        for code in self:
            for word in (code.path, code.key, code.name):
                vocabulary.setdefault(word.casefold(), code.path)
        wanted = ref.strip().strip("/").casefold()
        # A path with the right last key but the wrong parents (the code was moved) comes first.
        moved = [path for word, path in vocabulary.items() if word == wanted.rsplit("/", 1)[-1]]
        close = difflib.get_close_matches(wanted, vocabulary, n=5, cutoff=0.6)
        paths = list(dict.fromkeys([*moved, *(vocabulary[word] for word in close)]))[:3]
        if paths:
            return " Did you mean " + " or ".join(repr(p) for p in paths) + "?"
        return " Codebook.to_frame() lists every path."

    def descendants(self, ref: str | Code, *, include_self: bool = True) -> list[Code]:
        """The code and everything under it, parents before children."""
        codes = list(_walk(self.resolve(ref)))
        return codes if include_self else codes[1:]

    # -- editing -------------------------------------------------------------------------

    def add(
        self, name: str, *, parent: str | Code | None = None, key: str | None = None, **fields: Any
    ) -> Code:
        """Add a code at the end of ``parent``'s children (top level if None) and return it.

        Without ``key`` the key is made from the name: lower case, runs of spaces and
        punctuation become ``_``, Finnish letters stay (``Johtoryhmän rooli`` →
        ``johtoryhmän_rooli``). ``fields`` are the other code fields (``definition``,
        ``use_when``, ``do_not_use_when``, ``example``, ``color``, ``keywords``).
        """
        where = _Where(f"Codebook.add({name!r})", "", None, ())
        unknown = sorted(set(fields) - set(_EDITABLE))
        if unknown:
            raise CodebookError(
                f"{where.source}: unknown field(s) {', '.join(unknown)}; "
                f"allowed are {', '.join(_EDITABLE)}."
            )
        mapping: dict[str, Any] = {"name": name, **fields}
        if key is not None:
            mapping["key"] = key
        code = _parse_code(mapping, where, _Keys())
        owner = None if parent is None else self.resolve(parent)
        self._refuse_taken_key(code.key, where.source)
        self._attach(code, owner)
        if not code.color:
            code.color = _default_color(next(i for i, c in enumerate(self) if c is code))
        return code

    def rename(self, ref: str | Code, new_name: str) -> Code:
        """Give a code a new name; its key, and so every coding of it, stays as it is."""
        code = self.resolve(ref)
        where = _Where(f"Codebook.rename({code.path!r})", "", None, ())
        code.name = _name({"name": new_name}, where)
        return code

    def recolor(self, ref: str | Code, color: str) -> Code:
        """Give a code a new colour (``"#rgb"`` or ``"#rrggbb"``); returns the code."""
        code = self.resolve(ref)
        code.color = _check_color(color, f"Codebook.recolor({code.path!r})")
        return code

    def domain_of(self, ref: str | Code) -> str:
        """The semantic domain a code belongs to: the ``domain`` of the code or of its nearest
        ancestor that names one, else its top-level theme's path.

        Krippendorff et al. (2016) compare codes as values of one variable only within a
        domain whose codes exclude one another; the top-level themes are the default, and a
        ``domain:`` line in the codebook groups codes otherwise (two themes as one variable,
        or a theme's subcodes apart from it).
        """
        top = self.resolve(ref)
        code: Code | None = top
        while code is not None:
            if code.domain:
                return code.domain
            top, code = code, code.parent
        return top.path

    def set_memo(self, ref: str | Code, memo: str) -> Code:
        """Write the analyst's memo on a code (``""`` removes it); returns the code."""
        code = self.resolve(ref)
        if not isinstance(memo, str):
            raise CodebookError(
                f"Codebook.set_memo({code.path!r}): the memo must be text, not {memo!r}."
            )
        code.memo = memo.strip()
        return code

    def rekey(self, ref: str | Code, new_key: str) -> Code:
        """Give a code a new key and remember the old one in ``renamed_from``.

        Codings stored under the old key follow the code everywhere without the ledger being
        rewritten. Going back to an earlier key takes it out of ``renamed_from`` again.
        """
        code = self.resolve(ref)
        where = f"Codebook.rekey({code.path!r}, {new_key!r})"
        new_key = _check_key(unicodedata.normalize("NFC", str(new_key)).strip(), where)
        if new_key == code.key:
            return code
        owner = self.key_map().get(new_key)
        if owner is not None and owner is not code:
            raise CodebookError(
                f"{where}: the key {new_key!r} is already used by {owner.path!r} (as its key "
                "or an old key in renamed_from); choose another key."
            )
        old = code.key
        code.renamed_from = tuple(k for k in (*code.renamed_from, old) if k != new_key)
        code.key = new_key
        return code

    def move(self, ref: str | Code, new_parent: str | Code | None) -> Code:
        """Move a code, with everything under it, to the end of ``new_parent`` (None: top)."""
        code = self.resolve(ref)
        target = None if new_parent is None else self.resolve(new_parent)
        if target is not None and any(target is c for c in _walk(code)):
            raise CodebookError(
                f"Cannot move {code.path!r} under {target.path!r}, which is itself or lies "
                "under it; move it somewhere outside its own branch."
            )
        if target is not code.parent:
            self._detach(code)
            self._attach(code, target)
        return code

    def merge(self, ref: str | Code, into: str | Code) -> dict[str, str]:
        """Fold ``ref`` into ``into``: its children and keywords move over and ``ref`` goes.

        Returns ``{old_key: new_key}`` for the codings the caller must recode in the ledger.
        """
        code, target = self.resolve(ref), self.resolve(into)
        if any(target is c for c in _walk(code)):
            raise CodebookError(
                f"Cannot merge {code.path!r} into {target.path!r}, which is itself or lies "
                "under it; merge the other way round or move the code out first."
            )
        for child in code.children:
            child.parent = target
            target.children.append(child)
        code.children = []
        target.keywords = tuple(dict.fromkeys(target.keywords + code.keywords))
        self._detach(code)
        return {old: target.key for old in (code.key, *code.renamed_from)}

    def remove(self, ref: str | Code) -> Code:
        """Remove a code that has no children and return it."""
        code = self.resolve(ref)
        if code.children:
            names = ", ".join(child.path for child in code.children)
            raise CodebookError(
                f"Cannot remove {code.path!r}: it has children ({names}); remove or move them "
                "first, or merge the code into another."
            )
        self._detach(code)
        return code

    def _attach(self, code: Code, parent: Code | None) -> None:
        code.parent = parent
        (self.codes if parent is None else parent.children).append(code)

    def _detach(self, code: Code) -> None:
        siblings = self.codes if code.parent is None else code.parent.children
        siblings.remove(code)
        code.parent = None

    def _refuse_taken_key(self, key: str, source: str) -> None:
        taken = [code for code in self if key in (code.key, *code.renamed_from)]
        if taken:
            raise CodebookError(
                f"{source}: the key {key!r} is already used by {taken[0].path!r}; keys are "
                "unique in the whole codebook, so pass another one with key=..."
            )

    # -- invariants ------------------------------------------------------------------------

    def _link(self) -> None:
        for root in self.codes:
            root.parent = None
        for code in self:
            for child in code.children:
                child.parent = code

    def _check_tree(self) -> None:
        """Refuse bad keys, empty names, duplicate keys and bad colours, however they came."""
        seen: dict[str, Code] = {}
        for code in self:
            where = f"Codebook: code {code.name!r}"
            _check_key(code.key, where)
            if not isinstance(code.name, str) or not code.name.strip():
                raise CodebookError(f"{where} with key {code.key!r} has no name; give it one.")
            if code.key in seen:
                raise CodebookError(
                    f"{where}: the key {code.key!r} is also used by {seen[code.key].name!r}; "
                    "keys must be unique in the whole codebook."
                )
            seen[code.key] = code
            if code.color:
                code.color = _check_color(code.color, where)
        claims: dict[str, Code] = {}
        for code in self:
            for old in code.renamed_from:
                _check_key(old, f"Codebook: code {code.name!r}, renamed_from")
                owner = seen.get(old) or claims.get(old)
                if owner is not None and owner is not code:
                    raise CodebookError(
                        f"Codebook: code {code.name!r} gives renamed_from {old!r}, which is "
                        f"also {'the key' if old in seen else 'an old key'} of code "
                        f"{owner.name!r}; the codings stored under {old!r} can follow only "
                        "one code."
                    )
                if owner is code and old == code.key:
                    raise CodebookError(
                        f"Codebook: code {code.name!r} gives its own key {old!r} as "
                        "renamed_from; list only keys it had before."
                    )
                claims[old] = code

    # -- display -------------------------------------------------------------------------

    def _repr_html_(self) -> str:
        """A nested list with colour swatches and definitions, for Jupyter."""
        title = html.escape(self.name or "Codebook")
        facts = [f"{len(self)} codes"]
        if self.version:
            facts.insert(0, f"version {html.escape(self.version)}")
        return (
            f'<div class="tymqual-codebook"><strong>{title}</strong> '
            f"<small>({', '.join(facts)})</small>{_html_list(self.codes)}</div>"
        )


# -- the YAML loader that remembers line numbers ---------------------------------------------


class _Map(dict[Any, Any]):
    """A YAML mapping that knows its line, each field's line and each scalar's source text."""

    line: int | None = None
    field_lines: dict[str, int]
    raw: dict[str, str]
    repeated: list[tuple[str, int, int]]


class _Seq(list[Any]):
    """A YAML sequence that knows its line and each item's line and source text."""

    line: int | None = None
    item_lines: list[int]
    raw: list[str | None]


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings and sequences remember where they stood in the file."""


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> Iterator[_Map]:
    data = _Map()
    data.line, data.field_lines, data.raw, data.repeated = _line(node), {}, {}, []
    yield data
    # Read the fields before construct_mapping flattens merge keys (<<) into the node.
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        name, line = key_node.value, _line(key_node)
        if name in data.field_lines:
            data.repeated.append((name, data.field_lines[name], line))
        data.field_lines.setdefault(name, line)
        if isinstance(value_node, yaml.ScalarNode):
            data.raw[name] = value_node.value
    data.update(loader.construct_mapping(node))


def _construct_seq(loader: _LineLoader, node: yaml.SequenceNode) -> Iterator[_Seq]:
    data = _Seq()
    data.line = _line(node)
    data.item_lines = [_line(item) for item in node.value]
    data.raw = [item.value if isinstance(item, yaml.ScalarNode) else None for item in node.value]
    yield data
    data.extend(loader.construct_sequence(node))


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def _yaml_problem(where: str, exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    line = f", line {mark.line + 1}" if mark is not None else ""
    problem = exc.problem or exc.context or "unreadable YAML"
    return (
        f"{where}{line}: the YAML cannot be read ({problem}); check the indentation, the "
        "'- ' before each code and the quotes on that line or the one above."
    )


# -- validation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Where:
    """Where a piece of the codebook came from, for error messages."""

    source: str
    trail: str
    line: int | None
    lines: tuple[str, ...]

    def at(self, line: int | None = None) -> str:
        """The file and line, or without lines the position in the nested data."""
        place = self.place(line)
        return f"{self.source}, {place}" if place else self.source

    def place(self, line: int | None = None) -> str:
        line = line if line is not None else self.line
        return f"line {line}" if line is not None else self.trail.removeprefix(" > ")

    def child(self, name: str, owner: Mapping[Any, Any]) -> _Where:
        return _Where(self.source, f"{self.trail} > {name}", _field_line(owner, name), self.lines)


def _field_line(mapping: object, field_name: str | None = None) -> int | None:
    if not isinstance(mapping, _Map):
        return None
    if field_name is not None and field_name in mapping.field_lines:
        return mapping.field_lines[field_name]
    return mapping.line


def _expect_mapping(data: object, where: _Where, what: str) -> Mapping[Any, Any]:
    if isinstance(data, Mapping):
        return data
    kind = "a list" if isinstance(data, list) else f"the value {data!r}"
    raise CodebookError(
        f"{where.at()}: {what} must be a mapping of fields (name: ..., key: ...), not {kind}."
    )


def _check_fields(
    mapping: Mapping[Any, Any], allowed: tuple[str, ...], where: _Where, what: str
) -> None:
    for name in mapping:
        if name not in allowed:
            close = difflib.get_close_matches(str(name), allowed, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise CodebookError(
                f"{where.at(_field_line(mapping, str(name)))}: {what} has an unknown field "
                f"{name!r}; allowed fields are {', '.join(allowed)}.{hint}"
            )
    if isinstance(mapping, _Map) and mapping.repeated:
        name, first, again = mapping.repeated[0]
        raise CodebookError(
            f"{where.at(again)}: {what} gives the field {name!r} twice (lines {first} and "
            f"{again}); keep one."
        )


def _text(mapping: Mapping[Any, Any], name: str, where: _Where) -> str:
    """A text field: absent or empty is "", numbers and yes/no keep their written form."""
    raw = mapping.raw.get(name) if isinstance(mapping, _Map) else None
    text = _scalar_text(mapping.get(name), raw)
    if text is None:
        value = mapping.get(name)
        kind = "a list" if isinstance(value, list) else type(value).__name__
        raise CodebookError(
            f"{where.at(_field_line(mapping, name))}: the field {name!r} must be text, "
            f"not {kind} {value!r}; put text in quotes if YAML reads it as something else."
        )
    return text


def _scalar_text(value: object, raw: str | None) -> str | None:
    """NFC text of a YAML scalar as written (``1.10`` stays ``1.10``), or None if not text."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif raw is not None:  # YAML read it as a number, date or yes/no; keep what was typed
        text = raw
    elif isinstance(value, int | float) and not isinstance(value, bool):
        text = str(value)
    else:
        return None
    return unicodedata.normalize("NFC", text).strip()


def _name(mapping: Mapping[Any, Any], where: _Where) -> str:
    name = _text(mapping, "name", where)
    if not name:
        raise CodebookError(
            f"{where.at(_field_line(mapping, 'name'))}: the code has no 'name'; every code "
            "needs a name that readers see."
        )
    return name


@dataclass
class _Keys:
    """Keys met so far while reading a codebook: live keys and ``renamed_from`` claims.

    Each maps a key to the code's name and its place (``line 12``) for error messages.
    """

    live: dict[str, tuple[str, str]] = field(default_factory=dict)
    claims: dict[str, tuple[str, str]] = field(default_factory=dict)

    def claim(self, old: str, name: str, place: str, where: str) -> None:
        if old in self.claims:
            other_name, other_at = self.claims[old]
            raise CodebookError(
                f"{where}: renamed_from {old!r} is also given by code {other_name!r} "
                f"({other_at}); the codings stored under {old!r} "
                "can follow only one code, so keep it on one of them."
            )
        self.claims[old] = (name, place)

    def check_claims(self, source: str) -> None:
        """Refuse an old key that is also a live key: its codings would have two codes."""
        for old, (name, place) in self.claims.items():
            if old in self.live:
                live_name, live_at = self.live[old]
                raise CodebookError(
                    f"{source}, {place}: code {name!r} gives renamed_from {old!r}, but "
                    f"{old!r} is the key of code {live_name!r} ({live_at}); remove {old!r} "
                    "from renamed_from, or give that code another key."
                )


def _parse_codes(
    items: object, owner: Mapping[Any, Any], where: _Where, seen: _Keys
) -> list[Code]:
    if items is None:
        return []
    if not isinstance(items, list | tuple):
        raise CodebookError(
            f"{where.at()}: {where.trail.rsplit(' > ', 1)[-1]!r} must be a list of codes, each "
            "starting with '- ' on its own line."
        )
    codes = []
    for index, item in enumerate(items):
        line = items.item_lines[index] if isinstance(items, _Seq) else None
        item_where = _Where(where.source, f"{where.trail}[{index}]", line, where.lines)
        codes.append(_parse_code(item, item_where, seen))
    return codes


def _parse_code(item: object, where: _Where, seen: _Keys) -> Code:
    mapping = _expect_mapping(item, where, "a code")
    _check_fields(mapping, _CODE_FIELDS, where, "the code")
    name = _name(mapping, where)
    code_where = f"{where.at(_field_line(mapping, 'key'))}: code {name!r}"
    if "key" in mapping:
        key = _check_key(_text(mapping, "key", where), code_where)
    else:
        key = _derive_key(name, code_where)
    if key in seen.live:
        other_name, other_at = seen.live[key]
        raise CodebookError(
            f"{code_where}: the key {key!r} is already used by code {other_name!r} "
            f"({other_at}); keys must be unique in the whole codebook, so give one of them "
            "another key."
        )
    seen.live[key] = (name, where.place(_field_line(mapping, "key")))
    code = Code(
        key=key,
        name=name,
        definition=_text(mapping, "definition", where),
        use_when=_text(mapping, "use_when", where),
        do_not_use_when=_text(mapping, "do_not_use_when", where),
        example=_text(mapping, "example", where),
        color=_color_field(mapping, where, name),
        keywords=_keywords(mapping, where),
        memo=_text(mapping, "memo", where),
        domain=_text(mapping, "domain", where),
        renamed_from=_renamed_from(mapping, where, name, key, seen),
    )
    code.children = _parse_codes(
        mapping.get("children"), mapping, where.child("children", mapping), seen
    )
    return code


def _renamed_from(
    mapping: Mapping[Any, Any], where: _Where, name: str, key: str, seen: _Keys
) -> tuple[str, ...]:
    """The old keys a code lists under ``renamed_from`` (one key or a list), each checked."""
    value = mapping.get("renamed_from")
    line = _field_line(mapping, "renamed_from")
    if value is None:
        return ()
    items = value if isinstance(value, list | tuple) else [value]
    raws = value.raw if isinstance(value, _Seq) else [
        mapping.raw.get("renamed_from") if isinstance(mapping, _Map) else None
    ]
    old_keys: list[str] = []
    for index, item in enumerate(items):
        item_line = value.item_lines[index] if isinstance(value, _Seq) else line
        at = f"{where.at(item_line)}: code {name!r}"
        old = _scalar_text(item, raws[index] if index < len(raws) else None)
        if old is None:
            raise CodebookError(
                f"{at}: renamed_from must be an old key or a list of old keys, such as "
                f"[vanha_avain], not {item!r}."
            )
        old = _check_key(old, f"{at}, renamed_from")
        if old == key:
            raise CodebookError(
                f"{at}: renamed_from {old!r} is the code's own key; list only keys it had "
                "before."
            )
        if old in old_keys:
            continue
        seen.claim(old, name, where.place(item_line), at)
        old_keys.append(old)
    return tuple(old_keys)


def _derive_key(name: str, where: str) -> str:
    key = _NOT_KEY_CHARS.sub("_", name.lower()).strip("_")
    if not key:
        raise CodebookError(
            f"{where}: no key can be made from this name; give the code a 'key' of letters, "
            "digits, '_' or '-'."
        )
    return key


def _check_key(key: object, where: str) -> str:
    if not isinstance(key, str) or not key:
        raise CodebookError(
            f"{where}: the field 'key' is empty; give a key such as 'resursointi', or leave "
            "the field out to make one from the name."
        )
    if "/" in key or any(char.isspace() for char in key):
        raise CodebookError(
            f"{where}: the field 'key' is {key!r}, but a key may not contain '/' or spaces "
            "('/' separates the keys in a path); use '_' instead."
        )
    return key


def _color_field(mapping: Mapping[Any, Any], where: _Where, name: str) -> str:
    line = _field_line(mapping, "color")
    at = f"{where.at(line)}: code {name!r}"
    if "color" in mapping and mapping["color"] is None and line is not None and where.lines:
        if _UNQUOTED_COLOR.match(where.lines[line - 1]):
            raise CodebookError(
                f"{at}: the field 'color' needs quotes, as in color: \"#1f77b4\"; without "
                "them YAML reads everything from '#' on as a comment."
            )
    color = _text(mapping, "color", where)
    return _check_color(color, at) if color else ""


def _check_color(color: object, where: str) -> str:
    if not isinstance(color, str) or not _COLOR.fullmatch(color.strip()):
        raise CodebookError(
            f"{where}: the field 'color' is {color!r}, which is not a colour; write it as "
            '"#rgb" or "#rrggbb" in quotes, e.g. "#1f77b4".'
        )
    digits = color.strip()[1:].lower()
    return "#" + (digits if len(digits) == 6 else "".join(d * 2 for d in digits))


def _keywords(mapping: Mapping[Any, Any], where: _Where) -> tuple[str, ...]:
    value = mapping.get("keywords")
    line = _field_line(mapping, "keywords")
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise CodebookError(
            f"{where.at(line)}: the field 'keywords' must be a list of words, such as "
            f"[verkostojohtaja, johtoryhmä], not {value!r}."
        )
    words = []
    for index, item in enumerate(value):
        word = _scalar_text(item, value.raw[index] if isinstance(value, _Seq) else None)
        if word is None:
            item_line = value.item_lines[index] if isinstance(value, _Seq) else line
            raise CodebookError(
                f"{where.at(item_line)}: the field 'keywords' must hold words only; item "
                f"{index + 1} is {item!r}."
            )
        if word:
            words.append(word)
    return tuple(words)


# -- writing ---------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Indents lists under their key and writes multi-line text as ``|`` blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: _Dumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_flow(dumper: _Dumper, value: FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(FlowList, _represent_flow)


def _code_dict(code: Code, flow_keywords: bool) -> dict[str, Any]:
    # Empty guidance fields are written too: the file doubles as the form coders fill in.
    out: dict[str, Any] = {"name": code.name, "key": code.key}
    out.update({name: getattr(code, name) for name in _GUIDANCE})
    out["color"] = code.color
    out["keywords"] = (FlowList if flow_keywords else list)(code.keywords)
    if code.memo:  # only when written: most codebooks have none, and stay as they were
        out["memo"] = code.memo
    if code.domain:
        out["domain"] = code.domain
    if code.renamed_from:
        out["renamed_from"] = (FlowList if flow_keywords else list)(code.renamed_from)
    if code.children:
        out["children"] = [_code_dict(child, flow_keywords) for child in code.children]
    return out


# -- small helpers ---------------------------------------------------------------------------


def _walk(code: Code) -> Iterator[Code]:
    return _walk_all([code])


def _walk_all(codes: list[Code]) -> Iterator[Code]:
    """Depth-first pre-order; a stack rather than nested generators, as look-ups run per row."""
    stack = codes[::-1]
    while stack:
        code = stack.pop()
        yield code
        stack.extend(code.children[::-1])


def _default_color(position: int) -> str:
    return _PALETTE[position % len(_PALETTE)]


def _html_list(codes: list[Code]) -> str:
    if not codes:
        return ""
    items = []
    for code in codes:
        swatch = (
            '<span style="display:inline-block;width:0.9em;height:0.9em;margin-right:0.4em;'
            f'vertical-align:middle;border:1px solid #0004;background:{html.escape(code.color)}">'
            "</span>"
        )
        definition = (
            f'<br><small style="color:#555">{html.escape(code.definition)}</small>'
            if code.definition
            else ""
        )
        items.append(
            f"<li>{swatch}<strong>{html.escape(code.name)}</strong> "
            f"<code>{html.escape(code.path)}</code>{definition}{_html_list(code.children)}</li>"
        )
    return f'<ul style="list-style:none;padding-left:1.2em">{"".join(items)}</ul>'
