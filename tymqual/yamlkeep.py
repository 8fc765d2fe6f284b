"""Rewriting a YAML file that people also edit by hand, keeping what they wrote around the data.

A codebook is both data and a document: authors put comments in it (``# split this code?``,
the demo's "made-up material" line), fold long definitions with ``>-`` and order fields their
own way. A plain dump of the new data would drop all of that on every saved edit, a silent
loss. :func:`dump_keeping` lays the new data over the old file's round-trip tree
(ruamel.yaml) instead:

* a mapping keeps its keys' order, comments and scalar styles where the value is unchanged;
* a list of mappings that carry an identifying field (a codebook's codes, by ``key``) is
  rebuilt from the old items found by that field anywhere in the file, so a moved or
  reordered code keeps its comments; a renamed key is followed through ``renamed_from``;
* anything else that changed is written new (multi-line text as a ``|`` block, lists of
  words in flow style if the old one was).

A comment that belonged to something now gone (a removed code's note) is not dropped: it is
appended at the end of the file under a line saying so, and returned for the caller to tell
the user.
"""

from __future__ import annotations

import io
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedBase, CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString
from ruamel.yaml.tokens import CommentToken
from ruamel.yaml.util import load_yaml_guess_indent

from tymqual.errors import TymqualWarning

__all__ = ["KEPT_HEADER", "FlowList", "comment_lines", "dump_keeping", "text_to_write"]

KEPT_HEADER = "# Comments of parts that were removed, kept by tymqual:"
_WIDE = 4096  # never re-wrap a line the author wrapped (or did not)


class FlowList(list[Any]):
    """A list written in flow style (``[a, b]``) when it is new."""


def _read(text: str) -> tuple[YAML, Any]:
    """A round-trip reader set to ``text``'s own indentation, and ``text`` read with it.

    Raises ruamel's ``YAMLError`` when ``text`` is not YAML it can read round-trip.
    """
    _, indent, offset = load_yaml_guess_indent(text)
    y = YAML()
    y.preserve_quotes = True
    y.width = _WIDE
    # The file's own indentation (a sequence's dash may sit at its key's column: offset 0).
    if offset is None:  # no block sequence to learn from: ours, under the file's mappings
        y.indent(mapping=indent or 2, sequence=4, offset=2)
    else:
        y.indent(mapping=max((indent or 4) - offset, 2), sequence=max(indent or 4, offset + 2),
                 offset=offset)
    return y, y.load(text)


def _tokens(node: object) -> Iterator[CommentToken]:
    if isinstance(node, CommentToken):
        yield node
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _tokens(item)
    elif isinstance(node, dict):
        for item in node.values():
            yield from _tokens(item)
    if isinstance(node, CommentedBase):
        ca = node.ca
        yield from _tokens(ca.comment)
        yield from _tokens(list(ca.items.values()))
        yield from _tokens(ca.end)


def comment_lines(text: str) -> Counter[str]:
    """The comment lines of a YAML text (``# …``, stripped), counted; empty if it has none
    or cannot be read round-trip."""
    try:
        return _comments(_read(text)[1])
    except YAMLError:
        return Counter()


def _comments(tree: object) -> Counter[str]:
    found: Counter[str] = Counter()
    for token in _tokens(tree):
        found.update(line.strip() for line in str(token.value).splitlines()
                     if line.strip().startswith("#"))
    return found


def _index(node: object, field: str, found: dict[str, CommentedMap]) -> None:
    """Every mapping in ``node`` with a scalar ``field``, by that field's value."""
    if isinstance(node, CommentedMap):
        if isinstance(node.get(field), str):
            found.setdefault(str(node[field]), node)
        for value in node.values():
            _index(value, field, found)
    elif isinstance(node, CommentedSeq):
        for item in node:
            _index(item, field, found)


class _Merge:
    def __init__(self, field: str, renamed: str, old_tree: object) -> None:
        self.field, self.renamed = field, renamed
        self.by_id: dict[str, CommentedMap] = {}
        _index(old_tree, field, self.by_id)

    def value(self, old: object, new: object) -> object:
        if isinstance(new, Mapping):
            return self.mapping(old if isinstance(old, CommentedMap) else CommentedMap(), new)
        if isinstance(new, list):
            return self.sequence(old, new)
        if isinstance(old, str) and isinstance(new, str) and str(old) == new:
            return old  # keeps its style: folded, quoted, plain
        if old is not None and type(old) is type(new) and old == new:
            return old
        return LiteralScalarString(new) if isinstance(new, str) and "\n" in new else new

    def mapping(self, old: CommentedMap, new: Mapping[str, Any]) -> CommentedMap:
        for gone in [k for k in old if k not in new]:
            del old[gone]
        for position, (key, value) in enumerate(new.items()):
            if key in old:
                old[key] = self.value(old[key], value)
            else:
                old.insert(min(position, len(old)), key, self.value(None, value))
        return old

    def sequence(self, old: object, new: list[Any]) -> CommentedSeq:
        identified = bool(new) and all(isinstance(x, Mapping) and self.field in x for x in new)
        if not identified:
            if isinstance(old, CommentedSeq) and list(old) == new:
                return old
            seq = CommentedSeq(new)
            if isinstance(new, FlowList) or (isinstance(old, CommentedSeq) and old.fa.flow_style()):
                seq.fa.set_flow_style()
            return seq
        items = [self.mapping(self._old_item(x), x) for x in new]
        seq = CommentedSeq(items)
        if isinstance(old, CommentedSeq):
            _carry_comments(old, seq)
        return seq

    def _old_item(self, new: Mapping[str, Any]) -> CommentedMap:
        names = [str(new[self.field]), *(str(k) for k in new.get(self.renamed) or ())]
        for name in names:
            item = self.by_id.pop(name, None)
            if item is not None:
                return item
        return CommentedMap()


def _carry_comments(old: CommentedSeq, new: CommentedSeq) -> None:
    """The old list's own comments onto the new one: before it, at its end, and after each
    item that is still in it (by identity)."""
    new.ca.comment = old.ca.comment
    new.ca.end = old.ca.end
    where = {id(item): i for i, item in enumerate(new)}
    for i, comment in old.ca.items.items():
        if isinstance(i, int) and i < len(old) and id(old[i]) in where:
            new.ca.items[where[id(old[i])]] = comment


def dump_keeping(old_text: str, data: Any, *, field: str = "key",
                 renamed: str = "renamed_from") -> tuple[str, list[str]] | None:
    """``data`` written over ``old_text`` (see the module's rules), and the comment lines that
    lost their place (appended at the end under :data:`KEPT_HEADER`); None when
    ``old_text`` has no comment to keep.

    Raises ruamel's ``YAMLError`` if ``old_text`` cannot be read round-trip; the caller
    decides what to do then.
    """
    y, tree = _read(old_text)
    before = _comments(tree)  # before the merge, which reuses the tree's nodes
    if not before:
        return None
    merged = _Merge(field, renamed, tree).value(tree, data)
    out = io.StringIO()
    y.dump(merged, out)
    text = out.getvalue()
    lost = list((before - comment_lines(text)).elements())
    if lost:
        kept = [line for line in lost if line != KEPT_HEADER]
        text = text.rstrip("\n") + "\n\n" + "\n".join([KEPT_HEADER, *kept]) + "\n"
        return text, kept
    return text, []


def text_to_write(path: Path, data: Any, dump: Callable[[], str], *, field: str = "key",
                  what: str = "codes or fields") -> str:
    """The text to write at ``path``: ``data`` laid over the file there when it has comments
    (:func:`dump_keeping`), else ``dump()`` (the writer's own plain form).

    Comments that lost their place are kept at the end with a
    :class:`~tymqual.errors.TymqualWarning`; a commented file that cannot be read round-trip
    is said too, before it is written without its comments.
    """
    try:
        old = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        return _without_comments(path, exc, dump)
    except OSError:
        return dump()  # no file, so nothing to keep; a write error surfaces in the writer
    if "#" not in old:
        return dump()
    try:
        kept = dump_keeping(old, data, field=field)
    except YAMLError as exc:
        return _without_comments(path, exc, dump)
    if kept is None:
        return dump()
    text, lost = kept
    if lost:
        warnings.warn(
            f"{path}: {len(lost)} comment(s) belonged to {what} that are gone; they are kept "
            f"at the end of the file under '{KEPT_HEADER}'.",
            TymqualWarning, stacklevel=3,
        )
    return text


def _without_comments(path: Path, exc: Exception, dump: Callable[[], str]) -> str:
    warnings.warn(
        f"{path}: its comments could not be kept, as the file could not be read with them "
        f"({type(exc).__name__}); it was saved without them.", TymqualWarning, stacklevel=4,
    )
    return dump()
