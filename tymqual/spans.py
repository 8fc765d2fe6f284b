"""Sources laid end to end on one offset axis, and the two queries every analysis asks of it.

Speaker turns, agreement units and coded passages are each ``[start, end)`` offsets into one
source (see ARCHITECTURE.md, *Offsets*). Laying the sources end to end, one code point apart,
turns "which turns does each of 10,000 passages overlap?" into two ``searchsorted`` calls
instead of a loop per source. The project's turn lookup, the turn units of the co-occurrence
tables and the agreement units all ask through :class:`SourceAxis`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

__all__ = ["SourceAxis", "expand_runs", "turn_axis"]


class _Span(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


class _Turned(Protocol):
    """A source as the axis needs it (``corpus.SourceDoc`` is one)."""

    @property
    def text(self) -> str: ...
    @property
    def turns(self) -> Sequence[_Span]: ...


@dataclass(frozen=True)
class SourceAxis:
    """Intervals of many sources on one axis: offset ``o`` of source ``s`` is ``base[s] + o``.

    ``starts`` and ``ends`` are the intervals on the axis in order of their start (stable, so
    equal starts keep the order they were given in); ``order[k]`` is the position in the input
    of the ``k``-th interval, and ``first[s]`` the index of the first interval of source ``s``.
    """

    base: dict[str, int]
    first: dict[str, int]
    starts: np.ndarray
    ends: np.ndarray
    order: np.ndarray

    @classmethod
    def of(
        cls,
        lengths: Mapping[str, int],
        source_ids: Sequence[str],
        starts: Iterable[int],
        ends: Iterable[int],
    ) -> SourceAxis:
        """The axis of sources of these text ``lengths`` and intervals (one per source id)."""
        base: dict[str, int] = {}
        at = 0
        for sid, length in lengths.items():
            base[sid] = at
            at += length + 1
        shift = np.array([base[s] for s in source_ids], dtype=np.int64)
        on_axis = np.fromiter(starts, dtype=np.int64, count=len(shift)) + shift
        ends_on = np.fromiter(ends, dtype=np.int64, count=len(shift)) + shift
        order = np.argsort(on_axis, kind="stable")
        on_axis, ends_on = on_axis[order], ends_on[order]
        before = np.searchsorted(on_axis, [base[s] for s in base], side="left")
        first = dict(zip(base, before.tolist(), strict=True))
        return cls(base, first, on_axis, ends_on, order)

    def place(self, source_ids: Sequence[str], offsets: np.ndarray) -> np.ndarray:
        """The offsets on the axis; ``-1`` for a source not on it (so it meets no interval)."""
        shift = np.array([self.base.get(s, -1) for s in source_ids], dtype=np.int64)
        return np.where(shift >= 0, np.asarray(offsets, dtype=np.int64) + shift, -1)

    def overlapping(
        self, source_ids: Sequence[str], starts: np.ndarray, ends: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """``first, last``: the intervals ``[start, end)`` overlaps are ``first:last``.

        Interval ``i`` overlaps when ``ends[i] > start`` and ``starts[i] < end``. With both
        arrays non-decreasing (intervals that do not overlap each other), the first condition
        holds on a suffix and the second on a prefix, so the overlapping ones are one run.
        An empty result has ``last == first``.
        """
        s, e = self.place(source_ids, starts), self.place(source_ids, ends)
        first = np.searchsorted(self.ends, s, side="right")
        last = np.searchsorted(self.starts, e, side="left")
        return first, np.maximum(last, first)

    def containing(self, source_ids: Sequence[str], offsets: np.ndarray) -> np.ndarray:
        """Per offset, the index within its source of the last interval starting at or before
        it (``-1`` if none does, or the source is not on the axis)."""
        at = self.place(source_ids, offsets)
        first = np.array([self.first.get(s, 0) for s in source_ids], dtype=np.int64)
        i = np.searchsorted(self.starts, at, side="right") - 1 - first
        return np.where((i < 0) | (at < 0), -1, i)


def expand_runs(first: np.ndarray, last: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``rows, index``: each row ``r`` repeated once per index in ``first[r]:last[r]``."""
    n = np.maximum(last - first, 0)
    rows = np.repeat(np.arange(len(first)), n)
    index = np.repeat(first, n) + np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    return rows, index


def turn_axis(docs: Mapping[str, _Turned]) -> SourceAxis:
    """The speaker turns of these sources (by source id) on one axis."""
    sids = [sid for sid, doc in docs.items() for _ in doc.turns]
    turns = [t for doc in docs.values() for t in doc.turns]
    return SourceAxis.of(
        {sid: len(doc.text) for sid, doc in docs.items()},
        sids,
        (t.start for t in turns),
        (t.end for t in turns),
    )
