"""The one source axis: its queries equal a plain loop over the sources."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tymqual.spans import SourceAxis, expand_runs

# A source: its length and its intervals as cut points (consecutive pairs are intervals, so
# they never overlap; equal cuts give empty intervals).
_source = st.integers(0, 40).flatmap(
    lambda n: st.tuples(st.just(n), st.lists(st.integers(0, n), max_size=8).map(sorted))
)
_sources = st.lists(_source, min_size=1, max_size=4)
Sources = list[tuple[int, list[int]]]


def _intervals(sources: Sources) -> list[tuple[str, int, int]]:
    out = []
    for k, (_, cuts) in enumerate(sources):
        out += [(f"s{k}", a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=False)]
    return out


def _axis(sources: Sources) -> tuple[SourceAxis, list[tuple[str, int, int]]]:
    spans = _intervals(sources)
    lengths = {f"s{k}": n for k, (n, _) in enumerate(sources)}
    axis = SourceAxis.of(lengths, [s for s, _, _ in spans], [a for _, a, _ in spans],
                         [b for _, _, b in spans])
    return axis, spans


def _queries(sources: Sources, data: st.DataObject) -> list[tuple[str, int, int]]:
    k = data.draw(st.integers(0, len(sources)))  # k == len(sources): a source not on the axis
    n = sources[k][0] if k < len(sources) else 10
    a = data.draw(st.integers(0, n))
    return [(f"s{k}", a, data.draw(st.integers(a, n)))]


@settings(max_examples=300, deadline=None)
@given(_sources, st.data())
def test_overlapping_equals_a_loop(sources: Sources, data: st.DataObject) -> None:
    axis, spans = _axis(sources)
    queries = _queries(sources, data) + _queries(sources, data)
    first, last = axis.overlapping([q[0] for q in queries], np.array([q[1] for q in queries]),
                                   np.array([q[2] for q in queries]))
    rows, index = expand_runs(first, last)
    found = {(int(r), int(axis.order[i])) for r, i in zip(rows, index, strict=True)}
    expected = {(r, i) for r, (sid, a, b) in enumerate(queries)
                for i, (tsid, ta, tb) in enumerate(spans) if tsid == sid and ta < b and tb > a}
    assert found == expected


@settings(max_examples=300, deadline=None)
@given(_sources, st.data())
def test_containing_equals_a_loop(sources: Sources, data: st.DataObject) -> None:
    axis, spans = _axis(sources)
    queries = _queries(sources, data)
    got = axis.containing([q[0] for q in queries], np.array([q[1] for q in queries])).tolist()
    expected = []
    for sid, at, _ in queries:
        mine = [a for s, a, _ in spans if s == sid]
        expected.append(max((i for i, a in enumerate(mine) if a <= at), default=-1))
    assert got == expected
