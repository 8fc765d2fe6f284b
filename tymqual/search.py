"""Keyword-in-context search and word frequencies over what was said, by Finnish base form.

For the thesis author exploring material before and while coding: ``search(p, "johtoryhmä")``
finds *johtoryhmässä*, *johtoryhmille* and the spoken *johtoryhmäs*; ``word_frequencies(p)``
counts base forms, not surface forms. Words are matched through
:mod:`tymqual.morphology` (Voikko when installed).

**Query language** (:func:`parse_query`):

- ``johtoryhmä`` a word, matched by base form (see ``compounds``);
- ``"oman työn ohessa"`` an exact phrase: case-insensitive, any white space between words;
- ``koordin*`` a prefix, of the surface form or of a base form;
- ``AND``, ``OR``, ``NOT`` (also ``JA``, ``TAI``, ``EI``; upper case only) and parentheses.
  Words side by side mean ``AND``; ``NOT`` binds tightest, then ``AND``, then ``OR``.

The expression is evaluated per *speaker turn* (for a source without speaker labels, per
paragraph): ``kela johtoryhmä`` finds turns that mention both. The rows returned are the
occurrences of the query's positive terms (those not under ``NOT``) in those turns.

Searching reads every source once per analyser and keeps the tokens and their analyses in
memory with the project object (keyed by each source's digest), and in ``.tymqual-cache/``
for the next process. The tokens of all sources are one set of arrays, searched whole; a
source's own structures (turns, speakers, context) are made only for sources with hits.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import operator
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

import numpy as np
import pandas as pd

from tymqual.cache import StoredIndex
from tymqual.corpus import SourceDoc, Turn
from tymqual.errors import TymqualError
from tymqual.morphology import (
    CONTEXT_RULES,
    NEGATION,
    SUSPENDED,
    Analyser,
    Compounds,
    Readings,
    WordAnalysis,
    check_compounds,
    check_readings,
    context_rule,
    get_analyser,
    keep_dictionary_index,
    may_read_in_context,
    may_set_context,
    read_in_context,
    sentences,
)
from tymqual.morphology import stopwords as stopword_list
from tymqual.progress import collector_paused, progress
from tymqual.text import hash_texts, sha256_text, word_spans, words

if TYPE_CHECKING:
    from tymqual.project import Project

__all__ = [
    "FREQUENCY_COLUMNS",
    "SEARCH_COLUMNS",
    "And",
    "Not",
    "Or",
    "SourceIndex",
    "Term",
    "TextIndex",
    "parse_query",
    "search",
    "text_index",
    "word_frequencies",
]

#: Columns of :func:`search`.
SEARCH_COLUMNS = [
    "source_id", "case_id", "speaker", "turn", "start", "end", "left", "match", "right", "codes",
    "why",
]  # fmt: skip
#: Columns of :func:`word_frequencies`.
FREQUENCY_COLUMNS = ["group", "lemma", "count", "forms"]

_OPERATORS = {"AND": "AND", "JA": "AND", "OR": "OR", "TAI": "OR", "NOT": "NOT", "EI": "NOT"}
_QUERY_TOKEN = re.compile(r'\s+|[()]|"[^"]*"?|[^\s()"]+')
_STRIP = "«»“”„‘’.,;!?…"
_MAX_FORMS = 5


# ---------------------------------------------------------------------------- the query
@dataclass(frozen=True)
class Term:
    """One query term: ``kind`` is ``word``, ``phrase`` or ``prefix``; ``position`` in the query."""

    kind: Literal["word", "phrase", "prefix"]
    text: str
    position: int


@dataclass(frozen=True)
class Not:
    """``NOT operand``."""

    operand: Node


@dataclass(frozen=True)
class And:
    """All operands."""

    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """Any operand."""

    operands: tuple[Node, ...]


Node = Term | Not | And | Or


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "AND", "OR", "NOT", "term"
    text: str
    position: int


def _query_error(query: str, position: int, what: str) -> TymqualError:
    return TymqualError(
        f"search query {query!r}: {what} at position {position} (counting from 0):\n"
        f"    {query}\n    {' ' * position}^\n"
        'Write words, "exact phrases" and prefix* joined by AND, OR, NOT and parentheses.'
    )


def _tokens(query: str) -> list[_Token]:
    found: list[_Token] = []
    for match in _QUERY_TOKEN.finditer(query):
        text, at = match.group(), match.start()
        if text.isspace():
            continue
        if text in "()":
            found.append(_Token(text, text, at))
        elif text.startswith('"'):
            if len(text) < 2 or not text.endswith('"'):
                raise _query_error(query, at, 'a quotation mark " is never closed')
            if not text[1:-1].split():
                raise _query_error(query, at, 'the phrase "" is empty')
            found.append(_Token("term", text, at))
        elif text in _OPERATORS:
            found.append(_Token(_OPERATORS[text], text, at))
        else:
            found.append(_Token("term", text, at))
    return found


def _term(query: str, token: _Token) -> Term:
    text = token.text
    if text.startswith('"'):
        return Term("phrase", " ".join(text[1:-1].split()), token.position)
    word = text.strip(_STRIP)
    prefix = word.endswith("*")
    word = word.rstrip("*")
    if "*" in word:
        raise _query_error(query, token.position + text.index("*"),
                           "'*' may only end a word (koordin*)")
    if not any(ch.isalnum() for ch in word):
        raise _query_error(query, token.position, f"{text!r} has no letters to look for")
    return Term("prefix" if prefix else "word", word, token.position)


class _Parser:
    """Recursive descent: or := and (OR and)*; and := not (AND? not)*; not := NOT not | atom."""

    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = _tokens(query)
        self.at = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def error(self, position: int, what: str) -> TymqualError:
        return _query_error(self.query, position, what)

    def parse(self) -> Node:
        if not self.tokens:
            raise TymqualError(
                f'search query {self.query!r} is empty; give a word, a "phrase" or a prefix*.'
            )
        node = self.parse_or()
        extra = self.peek()
        if extra is not None:  # only a ")" can stop parse_or early
            raise self.error(extra.position, "')' has no matching '('")
        return node

    def _operand_follows(self, operator: _Token) -> None:
        nxt = self.peek()
        if nxt is None or nxt.kind in (")", "AND", "OR"):
            raise self.error(operator.position, f"{operator.text} has nothing after it")

    def parse_or(self) -> Node:
        operands = [self.parse_and()]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            self._operand_follows(token)
            operands.append(self.parse_and())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def parse_and(self) -> Node:
        operands = [self.parse_not()]
        while (token := self.peek()) is not None and token.kind not in (")", "OR"):
            if token.kind == "AND":
                self.take()
                self._operand_follows(token)
            operands.append(self.parse_not())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def parse_not(self) -> Node:
        token = self.peek()
        if token is not None and token.kind == "NOT":
            self.take()
            self._operand_follows(token)
            return Not(self.parse_not())
        return self.parse_atom()

    def parse_atom(self) -> Node:
        token = self.peek()
        if token is None:  # pragma: no cover - callers check that an operand follows
            raise self.error(len(self.query), "a word is missing")
        if token.kind in ("AND", "OR"):
            raise self.error(token.position, f"{token.text} has nothing before it")
        if token.kind == ")":
            raise self.error(token.position, "')' has no matching '('")
        self.take()
        if token.kind == "term":
            return _term(self.query, token)
        # "("
        inner = self.peek()
        if inner is not None and inner.kind == ")":
            raise self.error(token.position, "the parentheses '()' are empty")
        if inner is None:
            raise self.error(token.position, "'(' is never closed")
        node = self.parse_or()
        close = self.peek()
        if close is None:
            raise self.error(token.position, "'(' is never closed")
        self.take()
        return node


def parse_query(query: str) -> Node:
    """Parse a search query into a tree of :class:`Term`, :class:`Not`, :class:`And`, :class:`Or`.

    Raises :class:`TymqualError` naming the query and the position of an unbalanced
    parenthesis or quotation mark, a dangling operator or an empty query.

    >>> parse_query('kela NOT "THL:n ohje"')
    And(operands=(Term(kind='word', text='kela', position=0), Not(operand=Term(kind='phrase', text='THL:n ohje', position=9))))
    """  # noqa: E501 - a doctest line cannot wrap
    if not isinstance(query, str):
        raise TymqualError(f"search(): the query must be text, got {type(query).__name__}.")
    return _Parser(query).parse()


def _positive_terms(node: Node, negated: bool = False) -> Iterator[tuple[Term, bool]]:
    if isinstance(node, Term):
        yield node, negated
    elif isinstance(node, Not):
        yield from _positive_terms(node.operand, not negated)
    else:
        for operand in node.operands:
            yield from _positive_terms(operand, negated)


# ---------------------------------------------------------------------------- the index
@dataclass
class SourceIndex:
    """The tokens of one source's speech and the units (turns or paragraphs) they lie in.

    Units are the source's speaker turns; a source with no speaker labels (a document) has
    one unit per paragraph, with ``turn`` and ``speaker`` missing. ``token_form`` indexes
    :attr:`TextIndex.forms`.
    """

    source_id: str
    text: str
    unit_start: np.ndarray
    unit_end: np.ndarray
    unit_turn: list[int | None]
    unit_speaker: list[str | None]
    unit_role: list[str | None]
    token_start: np.ndarray
    token_end: np.ndarray
    token_unit: np.ndarray
    token_form: np.ndarray
    _sentences: np.ndarray | None = field(default=None, repr=False)
    _remember: Callable[[np.ndarray], None] | None = field(default=None, repr=False,
                                                            compare=False)

    def sentences(self) -> list[tuple[int, int, int]]:
        """``(unit, start, end)`` of every sentence, by :func:`tymqual.morphology.sentences`."""
        if self._sentences is None:
            found = [
                (u, a, b)
                for u, (s, e) in enumerate(zip(self.unit_start.tolist(), self.unit_end.tolist(),
                                                strict=True))
                for a, b in sentences(self.text[s:e], start=s)
            ]
            # Kept as one array: as tuples of Python ints, the sentences of 1,000 interviews
            # held about 100 MB for as long as the index lives.
            self._sentences = _narrow(np.array(found, dtype=np.int64).reshape(-1, 3))
            if self._remember is not None:
                self._remember(self._sentences)
        return [(u, a, b) for u, a, b in self._sentences.tolist()]


def _bounds(counts: np.ndarray) -> np.ndarray:
    """Where each of consecutive parts of ``counts`` items begins, and the end."""
    return np.concatenate(([0], np.cumsum(counts, dtype=np.int64)))


def _ranges(bounds: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The positions ``bounds[r]:bounds[r + 1]`` of each row ``r`` of ``rows``, end to end."""
    first = bounds[rows]
    counts = bounds[rows + 1] - first
    before = np.cumsum(counts) - counts
    return np.repeat(first - before, counts) + np.arange(int(counts.sum()), dtype=np.int64)


_UNIT_SHIFT = 32  # a unit's row in the high bits of a key, its start in the low bits


@dataclass
class _Packed:
    """Sources' units and tokens laid end to end, one row per source: row ``r``'s units are
    ``unit_bounds[r]:unit_bounds[r + 1]`` of the unit arrays, its tokens likewise.

    At 200,000 open answers, an array or two per source cost more in NumPy calls and object
    headers than their numbers; one set of arrays is searched whole instead.
    """

    keys: list[tuple[str, str]]
    unit_bounds: np.ndarray
    token_bounds: np.ndarray
    unit_start: np.ndarray
    unit_end: np.ndarray
    token_start: np.ndarray
    token_end: np.ndarray
    token_form: np.ndarray
    _unit_keys: np.ndarray | None = field(default=None, repr=False)

    @classmethod
    def of(cls, sources: Sequence[SourceIndex], keys: list[tuple[str, str]]) -> _Packed:
        """The sources' arrays joined, in the order given."""
        def joined(name: str) -> np.ndarray:
            parts = [getattr(s, name) for s in sources]
            return _narrow(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int32)

        return cls(keys, _bounds(np.array([len(s.unit_start) for s in sources], dtype=np.int64)),
                   _bounds(np.array([len(s.token_start) for s in sources], dtype=np.int64)),
                   *(joined(name) for name in _PACKED_ARRAYS))

    def take(self, rows: np.ndarray) -> _Packed:
        """These rows only, in this order."""
        if len(rows) == len(self.keys) and np.array_equal(rows, np.arange(len(rows))):
            return self
        units, tokens = _ranges(self.unit_bounds, rows), _ranges(self.token_bounds, rows)
        return _Packed([self.keys[r] for r in rows.tolist()],
                       _bounds(np.diff(self.unit_bounds)[rows]),
                       _bounds(np.diff(self.token_bounds)[rows]),
                       self.unit_start[units], self.unit_end[units], self.token_start[tokens],
                       self.token_end[tokens], self.token_form[tokens])

    @classmethod
    def joined(cls, parts: Sequence[_Packed]) -> _Packed:
        """The rows of ``parts`` one after another."""
        parts = [p for p in parts if p.keys] or list(parts[:1])
        if len(parts) == 1:
            return parts[0]
        return cls([k for p in parts for k in p.keys],
                   _bounds(np.concatenate([np.diff(p.unit_bounds) for p in parts])),
                   _bounds(np.concatenate([np.diff(p.token_bounds) for p in parts])),
                   *(_narrow(np.concatenate([getattr(p, name) for p in parts]))
                     for name in _PACKED_ARRAYS))

    def token_rows(self, tokens: np.ndarray) -> np.ndarray:
        """The row of each token number."""
        return np.searchsorted(self.token_bounds, tokens, side="right") - 1

    def units_at(self, rows: np.ndarray, starts: np.ndarray) -> np.ndarray:
        """The unit number (over all rows) of the last unit of row ``rows[i]`` starting at or
        before ``starts[i]``; ``unit_bounds[rows[i]] - 1`` when there is none."""
        if self._unit_keys is None:
            unit_rows = np.repeat(np.arange(len(self.keys), dtype=np.int64),
                                  np.diff(self.unit_bounds))
            self._unit_keys = (unit_rows << _UNIT_SHIFT) | self.unit_start.astype(np.int64)
        wanted = (rows.astype(np.int64) << _UNIT_SHIFT) | starts.astype(np.int64)
        return np.searchsorted(self._unit_keys, wanted, side="right") - 1


_PACKED_ARRAYS = ("unit_start", "unit_end", "token_start", "token_end", "token_form")


def _empty_packed() -> _Packed:
    none = np.zeros(0, dtype=np.int32)
    return _Packed([], np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int64),
                   none, none, none, none, none)


class _SourceViews(Mapping[tuple[str, str], SourceIndex]):
    """``(source id, text digest)`` → :class:`SourceIndex`, each made when asked for from the
    packed arrays (views, not copies) and the source's turns.

    A search makes none; autocoding and the suggester, which read every source, make each
    in turn and let it go. Sentences, once cut, are kept here for the next reader.
    """

    def __init__(self) -> None:
        self.packed = _empty_packed()
        self.docs: list[SourceDoc] = []
        self._rows: dict[tuple[str, str], int] | None = None
        self._sentences: dict[tuple[str, str], np.ndarray] = {}

    def set(self, packed: _Packed, docs: list[SourceDoc]) -> None:
        """Hold ``packed``, whose row ``r`` is the source ``docs[r]``."""
        self.packed, self.docs, self._rows = packed, docs, None
        if self._sentences:
            self._sentences = {k: v for k, v in self._sentences.items() if k in self.rows}

    @property
    def rows(self) -> dict[tuple[str, str], int]:
        """The row of each key, made when first asked for (a search never asks)."""
        if self._rows is None:
            self._rows = {key: row for row, key in enumerate(self.packed.keys)}
        return self._rows

    def __len__(self) -> int:
        return len(self.packed.keys)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.packed.keys)

    def __contains__(self, key: object) -> bool:
        return key in self.rows

    def __getitem__(self, key: tuple[str, str]) -> SourceIndex:
        return self.at(self.rows[key])

    def at(self, row: int) -> SourceIndex:
        """The source of row ``row``."""
        packed, doc = self.packed, self.docs[row]
        u0, u1 = packed.unit_bounds[row : row + 2].tolist()
        t0, t1 = packed.token_bounds[row : row + 2].tolist()
        unit_start, token_start = packed.unit_start[u0:u1], packed.token_start[t0:t1]
        key = packed.keys[row]
        turns, n = doc.turns, u1 - u0
        return SourceIndex(
            source_id=doc.source_id, text=doc.text, unit_start=unit_start,
            unit_end=packed.unit_end[u0:u1],
            unit_turn=[t.turn for t in turns] if turns else [None] * n,
            unit_speaker=[t.speaker for t in turns] if turns else [None] * n,
            unit_role=[t.role for t in turns] if turns else [None] * n,
            token_start=token_start, token_end=packed.token_end[t0:t1],
            # A source's units are far fewer than 2**31: no need to look for the range.
            token_unit=(np.searchsorted(unit_start, token_start, side="right") - 1).astype(
                np.int32),
            token_form=packed.token_form[t0:t1], _sentences=self._sentences.get(key),
            _remember=functools.partial(self._sentences.__setitem__, key),
        )


# form_ids key of a form read by a context rule: "\x00<rule> <form>"; in a kept index, whose
# keys are joined by NUL, "\x1e<rule> <form>".
_CONTEXT = "\x00"
_KEPT_CONTEXT = "\x1e"


@dataclass
class TextIndex:
    """Every distinct word form of a project with its analysis, and each source's tokens.

    Built by :func:`text_index` and kept with the project; a source is re-read only when its
    text changes (its SHA-256 differs).
    """

    analyser: Analyser
    forms: list[str] = field(default_factory=list)
    analyses: list[WordAnalysis] = field(default_factory=list)
    form_ids: dict[str, int] = field(default_factory=dict)
    sources: _SourceViews = field(default_factory=_SourceViews)
    digests: dict[str, tuple[str, str]] = field(default_factory=dict, repr=False)
    _whys: dict[tuple[object, ...], np.ndarray] = field(default_factory=dict, repr=False)
    stored: frozenset[str] = field(default=frozenset(), repr=False)
    contextual: set[int] = field(default_factory=set, repr=False)
    _by_key: dict[str, list[int]] = field(default_factory=dict, repr=False)
    _unknown: list[int] = field(default_factory=list, repr=False)
    _keyed: int = field(default=0, repr=False)
    _negation: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool), repr=False)
    _context_kinds: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint8),
                                       repr=False)
    _context_pairs: dict[tuple[int, int], int] = field(default_factory=dict, repr=False)
    kept: StoredIndex | None = field(default=None, repr=False)
    _kept_ids: np.ndarray | None = field(default=None, repr=False)

    def kept_ids(self) -> np.ndarray:
        """This index's form id of each form of the :attr:`kept` index (made once)."""
        if self._kept_ids is None:
            assert self.kept is not None
            self._kept_ids = _narrow(np.array([self._kept_form_id(f) for f in self.kept.forms],
                                              dtype=np.int64))
        return self._kept_ids

    def _kept_form_id(self, key: str) -> int:
        if key.startswith(_KEPT_CONTEXT):
            rule, _, form = key[len(_KEPT_CONTEXT):].partition(" ")
            if (rule in CONTEXT_RULES or rule == SUSPENDED) and form:
                return self.context_id(self.form_id(form), rule)
            return self.form_id(form or rule)  # a rule this version lacks: the word alone
        return self.form_id(key)

    def form_id(self, form: str) -> int:
        """The id of ``form`` in :attr:`forms`, analysing it when new."""
        found = self.form_ids.get(form)
        if found is None:
            found = self.form_ids[form] = len(self.forms)
            self.forms.append(form)
            self.analyses.append(self.analyser.analyse(form))
        return found

    def negation_mask(self) -> np.ndarray:
        """Which forms are forms of the negation verb (:data:`NEGATION`)."""
        if len(self._negation) < len(self.forms):
            grown = [f.lower() in NEGATION for f in self.forms[len(self._negation):]]
            self._negation = np.concatenate((self._negation, np.array(grown, dtype=bool)))
        return self._negation

    def connegative_id(self, form_id: int) -> int:
        """The id of form ``form_id`` read after a negation verb (itself if no verb reading
        comes after a non-verb one)."""
        return self.context_id(form_id, "connegative")

    def context_kinds(self) -> np.ndarray:
        """Per form, 1 if it may decide how the next word reads (:func:`may_set_context`),
        2 if a context rule may change how it reads (:func:`may_read_in_context`), 3 both."""
        if len(self._context_kinds) < len(self.forms):
            grown = [may_set_context(a) + 2 * may_read_in_context(a)
                     for a in self.analyses[len(self._context_kinds):]]
            self._context_kinds = np.concatenate(
                (self._context_kinds, np.array(grown, dtype=np.uint8)))
        return self._context_kinds

    def after_id(self, before_id: int, form_id: int) -> int:
        """The id of form ``form_id`` read right after form ``before_id``
        (:func:`tymqual.morphology.context_rule`); kept per pair of forms."""
        pair = (before_id, form_id)
        found = self._context_pairs.get(pair)
        if found is None:
            rule = context_rule(self.analyser, self.analyses[before_id], self.analyses[form_id])
            found = self._context_pairs[pair] = (
                self.context_id(form_id, rule) if rule else form_id)
        return found

    def context_id(self, form_id: int, rule: str) -> int:
        """The id of form ``form_id`` as context rule ``rule`` reads it (itself when the rule
        changes nothing): a form id of its own, whose analysis names the rule."""
        analysis = self.analyses[form_id]
        read = read_in_context(analysis, rule)
        if read is analysis:
            return form_id
        key = f"{_CONTEXT}{rule} {self.forms[form_id]}"
        found = self.form_ids.get(key)
        if found is None:
            found = self.form_ids[key] = len(self.forms)
            self.forms.append(self.forms[form_id])
            self.analyses.append(read)
            self.contextual.add(found)
        return found

    def word_mask(
        self, term: str, compounds: Compounds, readings: Readings = "likely",
        derivations: bool = False,
    ) -> np.ndarray:
        """Which forms are occurrences of the word ``term`` (a bool per form)."""
        return np.asarray(self.word_why(term, compounds, readings, derivations) != "", dtype=bool)

    def word_why(
        self, term: str, compounds: Compounds, readings: Readings = "likely",
        derivations: bool = False,
    ) -> np.ndarray:
        """Per form, why it is an occurrence of ``term`` (``""`` when it is not).

        Only forms that share a base form or compound part with the query (and unknown
        forms) are asked; explanations are kept per query, so a later search for the same
        word costs one array lookup per token.
        """
        key = (term, compounds, readings, derivations, len(self.forms))
        found = self._whys.get(key)
        if found is None:
            query = self.analyser.query(term, compounds=compounds, readings=readings,
                                        derivations=derivations)
            explain = self.analyser.explain
            found = np.full(len(self.analyses), "", dtype=object)
            keys = {*query.lemmas, *(parts[0] for parts in query.parts)}
            for i in self._candidates(keys):
                found[i] = explain(self.analyses[i], query)
            self._whys[key] = found
        return found

    def _candidates(self, keys: set[str]) -> list[int]:
        """Forms that may match a query with these base forms: those with one of them as
        a reading's base form, word form, derivation source or compound part, and every
        unknown form (the clipped spoken-form rule may take it)."""
        for i in range(self._keyed, len(self.analyses)):
            analysis = self.analyses[i]
            if not analysis.known:
                self._unknown.append(i)
            for r in analysis.readings:
                for k in {r.lemma, *r.also, *r.derived, *r.parts}:
                    self._by_key.setdefault(k, []).append(i)
        self._keyed = len(self.analyses)
        found = set(self._unknown)
        for k in keys:
            found.update(self._by_key.get(k, ()))
        return sorted(found)

    def prefix_mask(self, prefix: str) -> np.ndarray:
        """Which forms begin with ``prefix``, or have a base form that does."""
        return np.asarray(self.prefix_why(prefix) != "", dtype=bool)

    def prefix_why(self, prefix: str) -> np.ndarray:
        """Per form, why it matches ``prefix*`` (its surface or a base form begins with it)."""
        low = prefix.lower()
        out = np.full(len(self.forms), "", dtype=object)
        for i, (form, analysis) in enumerate(zip(self.forms, self.analyses, strict=True)):
            if form.lower().startswith(low):
                out[i] = f"{form}: begins with {low}*"
            else:
                lemma = next((m for m in analysis.lemmas if m.startswith(low)), "")
                if lemma:
                    out[i] = f"{form}: {lemma}; base form begins with {low}*"
        return out


def _resolve_analyser(analyser: str | Analyser | None) -> Analyser:
    if isinstance(analyser, Analyser):
        return analyser
    return get_analyser(analyser)


def text_index(project: Project, analyser: str | Analyser | None = None) -> TextIndex:
    """The project's token index for ``analyser`` (default: :func:`get_analyser`), updated.

    Sources added or edited since the last call are tokenised and analysed now; the rest
    come from memory, or in a new process from the index kept in ``.tymqual-cache/``.
    """
    chosen = _resolve_analyser(analyser)
    keep_dictionary_index(project.source_cache.read_file, project.source_cache.keep_file)
    per_analyser: dict[str, TextIndex] = project.derived("search_indexes", dict)
    index = per_analyser.get(chosen.name)
    docs = list(map(project.document, project.source_ids))
    if index is not None and index.analyser is chosen and docs == index.sources.docs:
        return index  # the same objects (a SourceDoc never changes): nothing to do
    with collector_paused():
        if index is None or index.analyser is not chosen:
            index = per_analyser[chosen.name] = TextIndex(chosen)
            index.stored = chosen.remember(project.source_cache.analyses(chosen.name))
            index.kept = project.source_cache.search_index(chosen.name)
        _update(project, index, docs)
    return index


def _update(project: Project, index: TextIndex, docs: list[SourceDoc]) -> None:
    """Bring ``index`` up to the sources ``docs``, and keep it for the next process when any
    source had to be read anew."""
    keys = _keys(index, docs, project.source_cache.text_digest)
    if keys == index.sources.packed.keys:
        index.sources.docs = docs
        return
    known_forms = len(index.forms)
    packed, fresh = _packed(project, index, keys, docs)
    index.sources.set(packed, docs)
    index.kept, index._kept_ids = None, None
    if fresh and any(f not in index.stored for f in index.forms[known_forms:]):
        # Kept for the next open: analysing the words is most of what a first search costs.
        project.source_cache.keep_analyses(index.analyser.name, [
            a for i, a in enumerate(index.analyses) if i not in index.contextual])
    if fresh:
        _keep_index(project, index)


def _keys(index: TextIndex, docs: list[SourceDoc],
          known_digest: Callable[[Path], str | None]) -> list[tuple[str, str]]:
    """``(source id, digest)`` of each source: the digest the cache knows for its file
    (``SourceCache.text_digest``), else the SHA-256 of an interview's text, and for a
    survey's open answers one SHA-256 over all of them (:func:`_answers_digest`): hashing
    200,000 short texts one by one costs more than a first search may take."""
    known = index.digests
    # The index holds the text it hashed, so the same string object needs no new hash.
    new = [doc for doc in docs if (had := known.get(doc.source_id)) is None
           or had[0] is not doc.text] if known else docs
    for path, group in itertools.groupby(new, key=_PATH):
        members = list(group)
        digest = known_digest(path) or (
            _answers_digest(members) if members[0].kind == "survey_answer"
            else sha256_text(members[0].text))
        known.update(zip(map(_SOURCE_ID, members),
                         zip(map(_TEXT, members), itertools.repeat(digest), strict=False),
                         strict=True))
    ids = list(map(_SOURCE_ID, docs))
    return list(zip(ids, map(_DIGEST, map(known.__getitem__, ids)), strict=True))


_SOURCE_ID, _TEXT, _TURNS, _PATH = (operator.attrgetter(name)
                                    for name in ("source_id", "text", "turns", "path"))
_DIGEST = operator.itemgetter(1)


def _answers_digest(docs: list[SourceDoc]) -> str:
    """One digest that changes when any of these sources' ids or texts does."""
    digest = hashlib.sha256(b"tymqual answers\n")
    hash_texts(digest, [doc.source_id for doc in docs])
    hash_texts(digest, [doc.text for doc in docs])
    return "answers:" + digest.hexdigest()


def _packed(project: Project, index: TextIndex, keys: list[tuple[str, str]],
            docs: list[SourceDoc]) -> tuple[_Packed, int]:
    """Every source's tokens in project order, and how many sources were tokenised anew:
    each comes from memory, else from the kept index (when its units are as kept), else
    from reading its text."""
    old = _rows_of(index.sources.rows, keys)
    kept = _rows_of({key: row for row, key in enumerate(index.kept.keys)} if index.kept
                    else {}, keys)
    kept[old >= 0] = -1
    asked = np.flatnonzero(kept >= 0)
    kept[asked[~_units_as_kept(index, kept[asked], [docs[i] for i in asked.tolist()])]] = -1
    todo = np.flatnonzero((old < 0) & (kept < 0))
    fresh = [_index_source(index, docs[i].source_id, docs[i].text, docs[i].turns)
             for i in progress(todo.tolist(), ("Analysoidaan sanoja", "Analysing words"),
                               lang=project.config.language, show=project.show_progress)]
    from_old, from_kept = np.flatnonzero(old >= 0), np.flatnonzero(kept >= 0)
    parts = [index.sources.packed.take(old[from_old]), _kept_packed(index, kept[from_kept]),
             _Packed.of(fresh, [keys[i] for i in todo.tolist()])]
    placed = np.argsort(np.concatenate((from_old, from_kept, todo)), kind="stable")
    return _Packed.joined(parts).take(placed), len(todo)


def _rows_of(rows: Mapping[tuple[str, str], int], keys: list[tuple[str, str]]) -> np.ndarray:
    """The row of each key in ``rows``, -1 where it has none."""
    return np.fromiter(map(rows.get, keys, itertools.repeat(-1)), dtype=np.int64,
                       count=len(keys))


def _units_as_kept(index: TextIndex, rows: np.ndarray, docs: list[SourceDoc]) -> np.ndarray:
    """Whether each source's units (speaker turns change with the speaker settings) are its
    kept row's."""
    kept = index.kept
    if kept is None or not len(rows):
        return np.zeros(len(rows), dtype=bool)
    counts, starts, ends = _unit_spans(docs)
    same = np.asarray(counts == kept.unit_count[rows], dtype=bool)
    compared = np.flatnonzero(same)
    at_kept = _ranges(_bounds(kept.unit_count), rows[compared])
    at_own = _ranges(_bounds(counts), compared)
    differ = np.flatnonzero((kept.unit_start[at_kept] != starts[at_own])
                            | (kept.unit_end[at_kept] != ends[at_own]))
    # A differing unit's source, counted among those compared.
    same[compared[np.searchsorted(_bounds(counts[compared]), differ, side="right") - 1]] = False
    return same


def _unit_spans(docs: list[SourceDoc]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per source its number of units (turns, else paragraphs), and all their starts and
    ends end to end; read without a Python loop per source (200,000 of them)."""
    units: list[Sequence[Turn | _Span]] = list(map(_TURNS, docs))
    counts = np.fromiter(map(len, units), dtype=np.int64, count=len(units))
    for n in np.flatnonzero(counts == 0).tolist():
        units[n] = [_Span(s, e) for s, e in _paragraphs(docs[n].text)]
        counts[n] = len(units[n])
    flat = list(itertools.chain.from_iterable(units))
    return (counts, np.fromiter(map(_START, flat), dtype=np.int64, count=len(flat)),
            np.fromiter(map(_END, flat), dtype=np.int64, count=len(flat)))


class _Span(NamedTuple):
    start: int
    end: int


_START, _END = operator.attrgetter("start"), operator.attrgetter("end")


def _kept_packed(index: TextIndex, rows: np.ndarray) -> _Packed:
    """These rows of the kept index, with this index's form ids."""
    kept = index.kept
    if kept is None or not len(rows):
        return _empty_packed()
    whole = _Packed(kept.keys, _bounds(kept.unit_count), _bounds(kept.token_count),
                    kept.unit_start, kept.unit_end, kept.token_start, kept.token_end,
                    kept.token_form)
    part = whole.take(rows)
    part.token_form = _narrow(index.kept_ids()[part.token_form])
    for name in ("unit_start", "unit_end", "token_start", "token_end"):
        setattr(part, name, _narrow(getattr(part, name)))
    return part


def _units(text: str, turns: Sequence[Turn]) -> list[tuple[int, int, int | None, str | None,
                                                        str | None]]:
    """A source's units: its speaker turns, or its paragraphs when it has none."""
    if turns:
        return [(t.start, t.end, t.turn, t.speaker, t.role) for t in turns]
    return [(s, e, None, None, None) for s, e in _paragraphs(text)]


def _narrow(values: np.ndarray) -> np.ndarray:
    """``values`` as 32-bit integers when they fit: a token's numbers are most of the
    index's memory (8 million tokens at 1,000 interviews); int32 arrays are kept as they
    are, not copied."""
    if values.dtype == np.int32:
        return values
    if len(values) and (int(values.max()) >= 2**31 or int(values.min()) < -(2**31)):
        return np.asarray(values, dtype=np.int64)
    return values.astype(np.int32)


def _keep_index(project: Project, index: TextIndex) -> None:
    keys = [""] * len(index.forms)
    for form, i in index.form_ids.items():
        keys[i] = _KEPT_CONTEXT + form[len(_CONTEXT):] if i in index.contextual else form
    packed = index.sources.packed
    project.source_cache.keep_search_index(index.analyser.name, StoredIndex(
        keys, packed.keys, np.diff(packed.unit_bounds), np.diff(packed.token_bounds),
        packed.unit_start, packed.unit_end, packed.token_start, packed.token_end,
        packed.token_form))


_PARAGRAPH = re.compile(r"\S(?:.*\S)?(?:[ \t]*\n[ \t]*\S(?:.*\S)?)*")


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans of the blank-line separated paragraphs of a text without speaker turns."""
    return [m.span() for m in _PARAGRAPH.finditer(text)]


def _index_source(
    index: TextIndex, source_id: str, text: str, turns: Sequence[Turn]
) -> SourceIndex:
    units = _units(text, turns)
    unit_start = np.array([u[0] for u in units], dtype=np.int64)
    unit_end = np.array([u[1] for u in units], dtype=np.int64)
    tokens = _tokens_in_units(index, text, unit_start, unit_end)
    if tokens is None:
        tokens = _tokens_unit_by_unit(index, text, unit_start, unit_end)
    starts, ends, token_unit, forms = tokens
    forms = _in_context(index, forms, token_unit)
    forms = _suspended(index, text, ends, forms)
    return SourceIndex(
        source_id=source_id,
        text=text,
        unit_start=unit_start,
        unit_end=unit_end,
        unit_turn=[u[2] for u in units],
        unit_speaker=[u[3] for u in units],
        unit_role=[u[4] for u in units],
        token_start=starts,
        token_end=ends,
        token_unit=token_unit,
        token_form=forms,
    )


_Tokens = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
def _in_context(index: TextIndex, forms: np.ndarray, unit: np.ndarray) -> np.ndarray:
    """Form ids, with each word read after the word before it in the same unit by the
    context rules of :func:`tymqual.morphology.context_rule` (after a negation verb, an
    agreeing attribute, a numeral or a subject pronoun); a token so read gets a form id of
    its own (:meth:`TextIndex.context_id`), whose analysis names the rule for ``why``."""
    if len(forms) < 2:
        return forms
    kinds = index.context_kinds()
    pairs = np.flatnonzero((kinds[forms[:-1]] & 1).astype(bool) & (kinds[forms[1:]] >= 2)
                           & (unit[:-1] == unit[1:]))
    if not len(pairs):
        return forms
    read = forms.copy()
    for i in pairs.tolist():
        read[i + 1] = index.after_id(int(forms[i]), int(forms[i + 1]))
    return read


_HYPHEN_BEFORE_SPACE = re.compile(r"(?<=\w)-(?=\s|$)")


def _suspended(index: TextIndex, text: str, ends: np.ndarray, forms: np.ndarray) -> np.ndarray:
    """Form ids, a word right before a hyphen and a space (*työ-* in *työ- ja
    elinkeinoministeriö*) read as a compound's first part (:func:`tymqual.morphology.suspended`)."""
    at = np.array([m.start() for m in _HYPHEN_BEFORE_SPACE.finditer(text)], dtype=np.int64)
    i = np.searchsorted(ends, at)
    i = i[(i < len(ends)) & (ends[np.minimum(i, len(ends) - 1)] == at)]
    if not len(i):
        return forms
    read = forms.copy()
    for j in i.tolist():
        read[j] = index.context_id(int(forms[j]), SUSPENDED)
    return read


_after_negation = _in_context  # the name of its first rule, kept for callers of that name


@functools.cache
def _char_classes() -> np.ndarray:
    """Per code point of the Basic Multilingual Plane: 1 if ``\\w`` matches it (as in
    :mod:`re`), 2 for the joiners ``- : ’ ' ´`` of the word pattern, else 0."""
    classes = np.array([chr(c).isalnum() or c == 0x5F for c in range(0x10000)], dtype=np.uint8)
    classes[[ord(c) for c in "-:’'´"]] = 2
    return classes


def _words_with_bounds(text: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The words of :func:`tymqual.text.word_spans` with their starts and ends.

    A word is a run of word characters joined through single ``- : ’ ' ´`` between word
    characters (``sote-alue``, ``THL:n``), which is what the word pattern matches; found
    with NumPy and ``str.split`` rather than a match object per word. Text with characters
    beyond the Basic Multilingual Plane is read with the pattern itself, and so is text
    where the two ways would not agree on the number of words.
    """
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    if points.size and int(points.max()) < 0x10000:
        classes = _char_classes()[points]
        word = classes == 1
        before = np.concatenate(([False], word[:-1]))
        after = np.concatenate((word[1:], [False]))
        inside = word | ((classes == 2) & before & after)
        edges = np.diff(np.concatenate(([False], inside, [False])).astype(np.int8))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        spaced = np.where(inside, points, np.uint32(0x20)).astype("<u4").tobytes()
        found = spaced.decode("utf-32-le").split()
        if len(found) == len(starts):
            return found, starts.astype(np.int64), ends.astype(np.int64)
    where = np.array(word_spans(text), dtype=np.int64).reshape(-1, 2)
    return words(text), where[:, 0], where[:, 1]


def _tokens_unit_by_unit(
    index: TextIndex, text: str, unit_start: np.ndarray, unit_end: np.ndarray
) -> _Tokens:
    """``(start, end, unit, form)`` of the words of each unit, the unit's text read alone."""
    starts, ends, token_unit, forms = [], [], [], []
    for u, (s, e) in enumerate(zip(unit_start.tolist(), unit_end.tolist(), strict=True)):
        for a, b in word_spans(text[s:e]):
            starts.append(s + a)
            ends.append(s + b)
            token_unit.append(u)
            forms.append(index.form_id(text[s + a : s + b]))
    return (np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64),
            np.array(token_unit, dtype=np.int64), np.array(forms, dtype=np.int64))


def _tokens_in_units(
    index: TextIndex, text: str, unit_start: np.ndarray, unit_end: np.ndarray
) -> _Tokens | None:
    """What :func:`_tokens_unit_by_unit` gives, from one pass over the whole text.

    The words of the whole text that lie inside a unit are the words of that unit read alone
    unless a word runs across a unit's edge; then this returns None and the caller reads the
    units one by one. Form ids are given in text order, as reading unit by unit gives them.
    """
    found, starts, ends = _words_with_bounds(text)
    if not found or not len(unit_start):
        return _tokens_unit_by_unit(index, text, unit_start, unit_end)
    unit = np.searchsorted(unit_start, starts, side="right") - 1
    has_unit = unit >= 0
    own_end = np.where(has_unit, unit_end[np.maximum(unit, 0)], -1)
    inside = has_unit & (ends <= own_end)
    nxt = np.minimum(unit + 1, len(unit_start) - 1)
    crosses_end = has_unit & (starts < own_end) & (ends > own_end)
    crosses_next = (unit + 1 < len(unit_start)) & (starts < unit_start[nxt]) & (
        ends > unit_start[nxt])
    if crosses_end.any() or crosses_next.any():
        return None
    kept = np.flatnonzero(inside)
    known = np.fromiter(map(index.form_ids.get, found, itertools.repeat(-1)), dtype=np.int64,
                        count=len(found))
    ids = known[kept]
    # Forms not seen before get their ids (and analyses) in text order.
    for j in np.flatnonzero(ids < 0).tolist():
        ids[j] = index.form_id(found[int(kept[j])])
    return starts[kept], ends[kept], unit[kept].astype(np.int64), ids


def _wanted_cases(project: Project, case: str | Sequence[str] | None) -> set[str] | None:
    """The cases ``case`` names (None: all), each checked to be in ``codes/cases.csv``."""
    wanted = None if case is None else {case} if isinstance(case, str) else set(case)
    if wanted is not None:
        unknown = sorted(wanted - set(project.cases["case_id"]))
        if unknown:
            raise TymqualError(
                f"case={case!r}: no case {', '.join(map(repr, unknown))} in codes/cases.csv; "
                f"cases are {', '.join(project.cases['case_id']) or '(none)'}."
            )
    return wanted


def _sources(
    project: Project, index: TextIndex, case: str | Sequence[str] | None
) -> list[SourceIndex]:
    wanted = _wanted_cases(project, case)
    views = index.sources
    return [views.at(row) for row, doc in enumerate(views.docs)
            if wanted is None or project.case_of(doc.source_id) in wanted]


def _unit_mask(source: SourceIndex, role: str | Sequence[str] | None) -> np.ndarray:
    if role is None:
        return np.ones(len(source.unit_start), dtype=bool)
    roles = {role} if isinstance(role, str) else set(role)
    return np.array([r in roles for r in source.unit_role], dtype=bool)


# ---------------------------------------------------------------------------- coded passages
def _accepted(project: Project) -> pd.DataFrame:
    """Accepted codings still anchored in their source, with ``code_path``."""
    codings = project.codings
    codings = codings[codings["status"] == "accepted"]
    if not project.unanchored.empty:
        codings = codings[~codings["coding_id"].isin(project.unanchored["coding_id"])]
    paths = {c.key: c.path for c in project.codebook}
    codings = codings.assign(code_path=[paths.get(k, k) for k in codings["code"].tolist()])
    return codings.reset_index(drop=True)


def _code_keys(project: Project, codes: str | Sequence[str]) -> list[str]:
    refs = [codes] if isinstance(codes, str) else list(codes)
    keys: list[str] = []
    for ref in refs:
        keys.extend(c.key for c in project.codebook.descendants(ref))
    return list(dict.fromkeys(keys))


# ---------------------------------------------------------------------------- search
@dataclass
class _Hits:
    """Occurrences over all sources: each one's row (source), unit (numbered over all rows),
    start, end and why."""

    row: np.ndarray
    unit: np.ndarray
    start: np.ndarray
    end: np.ndarray
    why: np.ndarray

    @classmethod
    def joined(cls, parts: Sequence[_Hits]) -> _Hits:
        if not parts:
            none = np.zeros(0, dtype=np.int64)
            return cls(none, none, none, none, np.zeros(0, dtype=object))
        return cls(*(np.concatenate([getattr(p, name) for p in parts])
                     for name in ("row", "unit", "start", "end", "why")))

    def where(self, keep: np.ndarray) -> _Hits:
        return _Hits(self.row[keep], self.unit[keep], self.start[keep], self.end[keep],
                     self.why[keep])


def _term_hits(index: TextIndex, term: Term, whys: np.ndarray) -> _Hits:
    """Every occurrence of ``term``, in source and text order.

    ``whys`` says per word form why it is an occurrence (``""``: it is not): one lookup over
    all tokens of all sources. A phrase is looked for in the texts instead and must lie
    within one unit.
    """
    packed = index.sources.packed
    if term.kind == "phrase":
        return _phrase_hits(index.sources, term)
    if not len(whys):
        return _Hits.joined([])
    tokens = np.flatnonzero(np.asarray(whys != "", dtype=bool)[packed.token_form])
    rows = packed.token_rows(tokens)
    starts = packed.token_start[tokens].astype(np.int64)
    return _Hits(rows, packed.units_at(rows, starts), starts,
                 packed.token_end[tokens].astype(np.int64), whys[packed.token_form[tokens]])


def _phrase_hits(views: _SourceViews, term: Term) -> _Hits:
    pattern = _phrase_pattern(term.text)
    found = [(row, m.start(), m.end()) for row, doc in enumerate(views.docs)
             for m in pattern.finditer(doc.text)]
    rows, starts, ends = np.array(found, dtype=np.int64).reshape(-1, 3).T
    packed = views.packed
    units = packed.units_at(rows, starts)
    inside = (units >= packed.unit_bounds[rows]) & (
        ends <= packed.unit_end[np.maximum(units, 0)] if len(packed.unit_end) else False)
    why = np.full(len(rows), f"exact phrase {term.text!r}", dtype=object)
    return _Hits(rows, units, starts, ends, why).where(inside)


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    body = r"\s+".join(re.escape(word) for word in phrase.split())
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


def _holds_in(node: Node, present: dict[Term, np.ndarray]) -> np.ndarray:
    """Whether the query holds in each of many units: ``present[term]`` says per unit
    whether the term occurs there."""
    if isinstance(node, Term):
        return present[node]
    if isinstance(node, Not):
        return ~_holds_in(node.operand, present)
    values = np.array([_holds_in(op, present) for op in node.operands], dtype=bool)
    return np.asarray(values.all(axis=0) if isinstance(node, And) else values.any(axis=0))


def search(
    project: Project,
    query: str,
    *,
    compounds: Compounds = "head",
    case: str | Sequence[str] | None = None,
    codes: str | Sequence[str] | None = None,
    role: str | Sequence[str] | None = None,
    context: int = 40,
    analyser: str | Analyser | None = None,
    readings: Readings = "likely",
    derivations: bool = False,
) -> pd.DataFrame:
    """Keyword in context: every occurrence of the query's terms, one row each.

    ``query`` is described in the module docstring (``"kela johtoryhmä"``, ``'"oman työn
    ohessa"'``, ``"verkosto* AND NOT kela"``). ``compounds``: ``"head"`` (default) lets
    *johtaja* find *verkostojohtajalle*; ``"off"`` matches whole words only; ``"any"`` any
    compound part. ``case`` keeps the given cases' sources; ``codes`` (paths, keys or names,
    with their subcodes) keeps occurrences inside passages coded with them (accepted codings);
    ``role`` keeps turns of that role (``"interviewee"``); ``context`` is how many characters
    of the same turn to show either side.

    A word is looked for by the base form typed (*tilanne* finds *tilanteessa*, not *tila*
    or *tilata*), and a text word counts by the base form it usually has (see
    :meth:`tymqual.morphology.Analyser.query` and ``_rank`` there), unless the word before
    it in the same turn decides (:func:`tymqual.morphology.context_rule`): after a negation
    verb a verb (*en halua*: *haluta*); after an attribute agreeing in case and number the
    noun (*tänä aikana*, *tässä suhteessa*: *aika*, *suhde*, not the adpositions); after a
    numeral the partitive noun (*kaksi tapaa*); after a subject pronoun or nominative noun
    the finite verb agreeing with it (*minä tulen*: *tulla*; *hän osaa*: *osata*). The
    ``why`` of such a hit names the rule. ``readings="all"`` widens both to every reading
    the analyser offers. Participles and infinitives are forms
    of their verb (*päätetty* finds *päättää*); ``derivations=True`` also lets a verb find
    the nouns derived from it (*johtaa*: *johtaminen*, *johtaja*).

    Columns: ``source_id, case_id, speaker, turn`` (nullable; missing for a paragraph of a
    document without speakers), ``start, end`` (offsets of the occurrence), ``left, match,
    right`` (line breaks in the context shown as spaces), ``codes`` (``; ``-joined paths of
    the accepted codings overlapping the occurrence), ``why`` (the form, the reading that
    matched and the rule: ``"päätetty: päättää (participle päätetty); base form"``). Rows
    follow the sources' order, then ``start``.

    >>> search(p, "johtoryhmä NOT kela", role="interviewee")   # doctest: +SKIP
    """
    check_compounds(compounds)
    check_readings(readings)
    if isinstance(context, bool) or not isinstance(context, int) or context < 0:
        raise TymqualError(f"search(): context={context!r}; give a whole number ≥ 0 of "
                           "characters to show either side.")
    tree = parse_query(query)
    terms = list(dict.fromkeys(_positive_terms(tree)))
    positive = [t for t, negated in terms if not negated]
    if not positive:
        raise TymqualError(
            f"search query {query!r}: every term is under NOT, so there is nothing to show; "
            "add a term to look for (kela NOT thl)."
        )
    wanted = _wanted_cases(project, case)
    with collector_paused():  # tens of thousands of rows of strings, and the index
        index = text_index(project, analyser)
        masks: dict[Term, np.ndarray] = {}
        for term, _ in terms:
            if term.kind == "word":
                masks[term] = index.word_why(term.text, compounds, readings, bool(derivations))
            elif term.kind == "prefix":
                masks[term] = index.prefix_why(term.text)
            else:
                masks[term] = np.array([], dtype=object)
        hits = _found(project, index, tree,
                      {t: _term_hits(index, t, m) for t, m in masks.items()}, positive,
                      wanted, role)
        docs = index.sources.docs
        accepted = _accepted(project)
        accepted = accepted[accepted["source_id"].isin(
            [docs[r].source_id for r in np.unique(hits.row).tolist()])]
        if codes is not None:
            keys = set(_code_keys(project, codes))
            hits = _inside_codings(index, hits,
                                   _spans_by_source(accepted[accepted["code"].isin(keys)]))
        rows = _rows(project, index, hits, _spans_by_source(accepted), context,
                     {c.path: i for i, c in enumerate(project.codebook)})
    frame = pd.DataFrame(rows, columns=SEARCH_COLUMNS)
    return frame.astype({"turn": "Int64", "start": "int64", "end": "int64"})


def _found(
    project: Project, index: TextIndex, tree: Node, hits: dict[Term, _Hits],
    positive: list[Term], wanted: set[str] | None, role: str | Sequence[str] | None,
) -> _Hits:
    """The occurrences of the positive terms in units where the query holds (of ``role``,
    in sources of the ``wanted`` cases), each span once (the first term's), sorted by
    source, start and end."""
    found = _Hits.joined([hits[t] for t in positive])
    units = np.unique(found.unit)
    present = {t: np.isin(units, h.unit) for t, h in hits.items()}
    keep = _holds_in(tree, present)[np.searchsorted(units, found.unit)]
    views = index.sources
    if role is not None:
        roles = {role} if isinstance(role, str) else set(role)
        allowed = np.array([r in roles for r in _unit_roles(views, units)], dtype=bool)
        keep &= allowed[np.searchsorted(units, found.unit)]
    if wanted is not None:
        rows = {r for r in np.unique(found.row).tolist()
                if project.case_of(views.docs[r].source_id) in wanted}
        keep &= np.isin(found.row, np.array(sorted(rows), dtype=np.int64))
    found = found.where(keep)
    # Stable on the order of the terms, so a span found by two terms keeps the first's why.
    order = np.lexsort((np.arange(len(found.row)), found.end, found.start, found.row))
    found = found.where(order)
    first = np.ones(len(found.row), dtype=bool)
    first[1:] = ((found.row[1:] != found.row[:-1]) | (found.start[1:] != found.start[:-1])
                 | (found.end[1:] != found.end[:-1]))
    return found.where(first)


def _unit_roles(views: _SourceViews, units: np.ndarray) -> list[str | None]:
    """The role of each unit (numbered over all sources); None in a paragraph."""
    rows = np.searchsorted(views.packed.unit_bounds, units, side="right") - 1
    own = (units - views.packed.unit_bounds[rows]).tolist()
    docs = views.docs
    return [docs[r].turns[u].role if docs[r].turns else None
            for r, u in zip(rows.tolist(), own, strict=True)]


def _inside_codings(index: TextIndex, hits: _Hits,
                    allowed: dict[str, list[tuple[int, int, str]]]) -> _Hits:
    """The hits overlapping a coding of ``allowed`` in their source."""
    docs = index.sources.docs
    keep = [any(s < ce and e > cs for cs, ce, _ in allowed.get(docs[r].source_id, ()))
            for r, s, e in zip(hits.row.tolist(), hits.start.tolist(), hits.end.tolist(),
                               strict=True)]
    return hits.where(np.array(keep, dtype=bool))


def _spans_by_source(codings: pd.DataFrame) -> dict[str, list[tuple[int, int, str]]]:
    """``start, end, code_path`` of the codings, per source, in ledger order."""
    spans: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    columns = (codings[c].tolist() for c in ("source_id", "start", "end", "code_path"))
    for sid, start, end, path in zip(*columns, strict=True):
        spans[sid].append((int(start), int(end), path))
    return spans


def _rows(
    project: Project, index: TextIndex, hits: _Hits,
    coded: dict[str, list[tuple[int, int, str]]], context: int, order: dict[str, int],
) -> list[tuple[object, ...]]:
    """The frame's rows: the source's case, the unit's speaker and turn, the context."""
    docs, packed = index.sources.docs, index.sources.packed
    if not len(hits.row):
        return []
    starts, ends = hits.start.tolist(), hits.end.tolist()
    lefts = np.maximum(packed.unit_start[hits.unit], hits.start - context).tolist()
    rights = np.minimum(packed.unit_end[hits.unit], hits.end + context).tolist()
    own_unit = (hits.unit - packed.unit_bounds[hits.row]).tolist()
    rows = hits.row.tolist()
    cuts = [0, *(np.flatnonzero(np.diff(hits.row)) + 1).tolist(), len(rows)]
    paths: list[str] = []
    case_of: dict[int, str | None] = {}
    for a, b in itertools.pairwise(cuts):
        source_id = docs[rows[a]].source_id
        case_of[rows[a]] = project.case_of(source_id)
        mine = coded.get(source_id)
        paths.extend(_overlapping_codes(list(zip(starts[a:b], ends[a:b], strict=True)), mine,
                                        order) if mine else [""] * (b - a))
    out: list[tuple[object, ...]] = []
    for r, s, e, lo, hi, u, why, codes in zip(rows, starts, ends, lefts, rights, own_unit,
                                              hits.why.tolist(), paths, strict=True):
        doc = docs[r]
        text, turn = doc.text, doc.turns[u] if doc.turns else None
        out.append((doc.source_id, case_of[r], turn.speaker if turn else None,
                    turn.turn if turn else None, s, e, text[lo:s].replace("\n", " "),
                    text[s:e], text[e:hi].replace("\n", " "), codes, why))
    return out


_CHUNK = 4096  # occurrences compared with a source's codings at once, to bound memory


def _overlapping_codes(
    found: list[tuple[int, int]],
    coded: list[tuple[int, int, str]],
    order: dict[str, int],
) -> list[str]:
    """Per occurrence, the ``; ``-joined paths of the codings it overlaps, codebook order."""
    if not coded:
        return [""] * len(found)
    coded_start = np.array([c[0] for c in coded], dtype=np.int64)
    coded_end = np.array([c[1] for c in coded], dtype=np.int64)
    out: list[str] = []
    for at in range(0, len(found), _CHUNK):
        chunk = found[at : at + _CHUNK]
        s = np.array([k[0] for k in chunk], dtype=np.int64)
        e = np.array([k[1] for k in chunk], dtype=np.int64)
        overlap: np.ndarray = (s[:, None] < coded_end[None, :]) & (
            e[:, None] > coded_start[None, :])
        any_hit = np.any(overlap, axis=1).tolist()
        for n, hit in enumerate(any_hit):
            if not hit:
                out.append("")
                continue
            paths = {coded[k][2] for k in np.flatnonzero(overlap[n]).tolist()}
            out.append("; ".join(sorted(paths, key=lambda p: (order.get(p, len(order)), p))))
    return out


# ---------------------------------------------------------------------------- frequencies
def word_frequencies(
    project: Project,
    *,
    by: Literal["source", "case", "code"] = "source",
    stopwords: bool = True,
    top: int | None = None,
    role: str | Sequence[str] | None = None,
    analyser: str | Analyser | None = None,
) -> pd.DataFrame:
    """How often each base form is said, per source, case or code.

    Counts word tokens of speaker turns (of ``role`` only, when given) by their first base
    form (Voikko's most likely reading). ``by="case"`` pools a case's sources and leaves out
    sources that belong to no case; ``by="code"`` counts the words inside accepted passages
    of each code (a word inside two passages of one code counts once). With ``stopwords``
    the function words of :func:`tymqual.morphology.stopwords` and tokens without letters
    are left out. ``top`` keeps each group's most frequent base forms.

    Columns: ``group`` (source id, case id or code path), ``lemma``, ``count``, ``forms``
    (the most frequent surface forms, lower-case, ``; ``-joined, at most five). Rows follow
    the groups' order (sources, cases, codebook), then count (descending) and base form.
    """
    if by not in ("source", "case", "code"):
        raise TymqualError(f"word_frequencies(): by={by!r}; choose 'source', 'case' or 'code'.")
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise TymqualError(f"word_frequencies(): top={top!r}; give a whole number ≥ 1 or None.")
    index = text_index(project, analyser)
    stop = stopword_list() if stopwords else frozenset()
    counted = _counted_forms(index, stop)
    groups: dict[str, Counter[int]] = defaultdict(Counter)
    order: list[str] = []
    for source, tokens in _grouped_tokens(project, index, by, role):
        if source not in groups:
            order.append(source)
        groups[source].update(int(f) for f in tokens if counted[f])
    rows = []
    for group in order:
        by_lemma: dict[str, Counter[str]] = defaultdict(Counter)
        for form, n in groups[group].items():
            by_lemma[index.analyses[form].lemmas[0]][index.forms[form].lower()] += n
        ranked = sorted(by_lemma.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
        for lemma, forms in ranked[:top] if top else ranked:
            shown = sorted(forms.items(), key=lambda kv: (-kv[1], kv[0]))[:_MAX_FORMS]
            rows.append((group, lemma, sum(forms.values()), "; ".join(f for f, _ in shown)))
    frame = pd.DataFrame(rows, columns=FREQUENCY_COLUMNS)
    return frame.astype({"count": "int64"})


def _counted_forms(index: TextIndex, stop: frozenset[str]) -> np.ndarray:
    return np.fromiter(
        (
            any(ch.isalpha() for ch in form)
            and not (stop and (form.lower() in stop or analysis.lemmas[0] in stop))
            for form, analysis in zip(index.forms, index.analyses, strict=True)
        ),
        dtype=bool, count=len(index.forms),
    )


def _grouped_tokens(
    project: Project, index: TextIndex, by: str, role: str | Sequence[str] | None
) -> Iterator[tuple[str, np.ndarray]]:
    """``(group, form ids of its tokens)`` in group order; a group may come more than once."""
    chosen = _sources(project, index, None)
    if by == "source":
        for source in chosen:
            yield source.source_id, source.token_form[_unit_mask(source, role)[source.token_unit]]
    elif by == "case":
        for case_id in project.cases["case_id"]:
            for source in chosen:
                if project.case_of(source.source_id) == case_id:
                    mask = _unit_mask(source, role)[source.token_unit]
                    yield str(case_id), source.token_form[mask]
    else:
        accepted = _accepted(project)
        by_id = {s.source_id: s for s in chosen}
        for code in project.codebook:
            mine = accepted[accepted["code"] == code.key]
            for source_id, passages in mine.groupby("source_id", sort=False):
                coded = by_id.get(str(source_id))
                if coded is None:
                    continue
                inside = np.zeros(len(coded.token_start), dtype=bool)
                for s, e in zip(passages["start"], passages["end"], strict=True):
                    inside |= (coded.token_start >= s) & (coded.token_end <= e)
                inside &= _unit_mask(coded, role)[coded.token_unit]
                yield code.path, coded.token_form[inside]
