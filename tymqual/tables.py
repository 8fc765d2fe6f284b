"""The tables of a results chapter: frequencies, matrices, co-occurrence, quotes, joint displays.

For the thesis author and the supervisor's Excel. Every function takes a :class:`Project` (or a
:class:`~tymqual.surveys.Survey` for :func:`likert_table`) and returns a tidy DataFrame with
snake_case columns; counts are ``int64``. Column headers stay identifiers
(``labels.relabel`` makes them reader labels); cells a reader sees (fractions, dates, totals,
survey strings) are formatted through :mod:`tymqual.formatting` in ``lang`` (``"fi"`` by
default, ``"en"``).

Conventions shared by the code tables
    * Only *accepted* codings count, from ``project.segments(status="accepted")``. A coding
      stored under a code's old key (``renamed_from`` in the codebook) counts as the code.
    * **Orphaned codings** (stored under a key no code has, because the key was renamed or
      the code deleted by hand in ``codes/codebook.yaml``) are never dropped: the frequency
      table, the case and attribute matrices and co-occurrence give each such key a row of
      its own after the codebook's codes, ``code_path`` ``"<key> (ei koodikirjassa)"`` and
      ``code_name`` ``"Ei koodikirjassa: <key>"`` (:func:`tymqual.codebook.orphan_path`),
      at depth 0 and never rolled up into a theme; the analysis table names the marker as
      the main category. :func:`quotes`, :func:`joint_display` and :func:`case_summary` pick
      by the codebook's themes, so they cannot place them; the
      :class:`~tymqual.errors.TymqualWarning` from ``segments`` and the report's note name
      every such key with its count and the fix.
    * A **passage** is a distinct ``(source_id, start, end)`` span: a span coded twice with one
      code (say by two coders) counts once.
    * **Rollup** (``rollup=True``): a code counts its own passages and those of every code
      under it, each distinct span once, so a passage coded with both a theme and one of its
      subcodes adds one to the theme, not two.
    * **Cases**: ``cases_total`` is the number of rows of ``codes/cases.csv``. When that file
      lists no cases, every source is a case of its own (its id is the case id). Passages of a
      source that belongs to no listed case count as passages but not towards any case.
    * **Words coded**: words (:func:`tymqual.text.count_words`) in the union of the coded
      character ranges per source, so overlapping or double-coded passages are not counted
      twice; ranges that touch are joined first, so a word split between two codings is one.
    * **Disclosure control**: a table broken down by a case attribute refuses with
      :class:`~tymqual.errors.DisclosureError` when a group has fewer cases than
      ``min_cell_size`` in ``tymqual.yaml`` (default 3), unless ``allow_small_cells=True``.
      Cases with an empty value of the attribute are left out of the breakdown.

Analyst-written text lives in project files so it survives re-running:
``codes/joint_display.yaml`` (:func:`save_joint_display_notes`) and
``codes/case_summaries.csv`` (:func:`save_case_summary`).

The examples use the demo project at the repository root: ``p = tymqual.open_project(".")``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml

from tymqual.codebook import Code, Codebook, orphan_name, orphan_path
from tymqual.errors import DisclosureError, TymqualError, TymqualWarning
from tymqual.formatting import (
    MISSING,
    Lang,
    check_lang,
    describe,
    fmt_date,
    fmt_describe,
    fmt_fraction,
    fmt_number,
)
from tymqual.labels import label
from tymqual.project import Project
from tymqual.spans import expand_runs
from tymqual.storage import (
    atomic_write_text,
    read_csv_strings,
    refuse_merge_conflict,
    write_csv,
)
from tymqual.surveys import Survey
from tymqual.text import count_words_many
from tymqual.yamlkeep import text_to_write

__all__ = [
    "FITS",
    "analysis_table",
    "case_summary",
    "co_occurrence",
    "code_attribute_matrix",
    "code_case_matrix",
    "code_frequencies",
    "data_description",
    "describe_numeric",
    "joint_display",
    "likert_legend",
    "likert_table",
    "quotes",
    "save_case_summary",
    "save_joint_display_notes",
]

#: Allowed ``fit`` values of a joint display row (Fetters, Curry & Creswell 2013), "" = not set.
FITS: tuple[str, ...] = ("confirms", "expands", "discordant", "silent", "")

JOINT_DISPLAY_FILE = "joint_display.yaml"
CASE_SUMMARY_FILE = "case_summaries.csv"
_SPAN = ["source_id", "start", "end"]
_MODES = ("face_to_face", "video_call", "telephone")
_PASSAGE_WORDS = {"fi": ("kohta", "kohtaa"), "en": ("passage", "passages")}
_DONT_KNOW_SHORT = {"fi": "EOS", "en": "DK"}


# --- shared building blocks ------------------------------------------------------------------


def _code_frame(codebook: Codebook, orphans: Sequence[str] = (), lang: Lang = "fi"
                ) -> pd.DataFrame:
    """Every code in codebook order, then the orphaned keys: ``code`` (key), ``code_path``,
    ``code_name``, ``depth``."""
    rows = [(c.key, c.path, c.name, c.depth) for c in codebook]
    rows += [(k, orphan_path(k, lang), orphan_name(k, lang), 0) for k in orphans]
    frame = pd.DataFrame(rows, columns=["code", "code_path", "code_name", "depth"])
    return frame.astype({"depth": "int64"})


def _orphans(seg: pd.DataFrame, codebook: Codebook) -> list[str]:
    """Keys of ``seg`` that no code has (renamed or deleted by hand), sorted."""
    return sorted(set(seg["code"]) - {c.key for c in codebook})


def _project_lang(project: Project) -> Lang:
    """The reader language of tables that take no ``lang``: the project's, else Finnish."""
    return "en" if project.config.language == "en" else "fi"


def _case_ids(project: Project) -> list[str]:
    """Cases in ``cases.csv`` order; without any, every source (in load order) is a case."""
    cases = project.cases
    if len(cases):
        return [str(c) for c in cases["case_id"]]
    return list(project.source_ids)


def _segments(project: Project) -> pd.DataFrame:
    """Accepted codings, ``case_id`` = source id when there are no cases.

    Orphaned codings are kept (module notes); :func:`_orphans` names their keys.

    Only the coders named in ``tymqual.yaml``'s ``analysis_coders`` count when it is set, so
    that a second coder's codings merged for an agreement check are not added to the
    frequencies.
    """
    seg = project.segments(status="accepted", coder=list(project.config.analysis_coders) or None)
    if project.cases.empty:
        seg = seg.assign(case_id=seg["source_id"])
    return seg.reset_index(drop=True)


def _passages(project: Project) -> pd.DataFrame:
    """Accepted codings: coding_id, source_id, case_id, code, start, end."""
    seg = _segments(project)
    columns = ["coding_id", "source_id", "case_id", "code", "start", "end"]
    return seg[columns].astype({"start": "int64", "end": "int64"}).reset_index(drop=True)


def _subtree_pairs(codebook: Codebook, rollup: bool, orphans: Sequence[str] = ()
                   ) -> pd.DataFrame:
    """``node`` → ``code`` pairs: every code a node counts (itself, plus descendants if rollup).

    An orphaned key is a node of its own that counts only itself.
    """
    rows = [
        (node.key, code.key)
        for node in codebook
        for code in (codebook.descendants(node) if rollup else [node])
    ]
    rows += [(key, key) for key in orphans]
    return pd.DataFrame(rows, columns=["node", "code"])


def _node_passages(seg: pd.DataFrame, codebook: Codebook, rollup: bool) -> pd.DataFrame:
    """One row per distinct passage (span) of each node, rolled up when asked."""
    nodes = seg.merge(_subtree_pairs(codebook, rollup, _orphans(seg, codebook)), on="code")
    return nodes.drop_duplicates(["node", *_SPAN]).reset_index(drop=True)


def _runs(group: np.ndarray, start: np.ndarray, end: np.ndarray, *, touching: bool
          ) -> tuple[np.ndarray, np.ndarray]:
    """``order, run``: ``order`` sorts the ranges by group, start and end, and ``run[k]``
    numbers (from 0, in that order) the run of ranges of one group that overlap.

    A range joins the run before it when it starts before the furthest end seen so far in
    its group (or exactly at it, when ``touching``). The groups are laid end to end on one
    axis, so one running maximum serves them all instead of a groupby.
    """
    order = np.lexsort((end, start, group))
    g, s, e = group[order], start[order], end[order]
    dense = np.cumsum(np.concatenate(([0], g[1:] != g[:-1]))) if len(g) else g
    shift = dense.astype(np.int64) * (int(e.max(initial=0)) + 1)
    reach = np.maximum.accumulate(e + shift)
    before = np.concatenate(([-1], reach[:-1]))
    starts_new = (s + shift > before) if touching else (s + shift >= before)
    return order, np.cumsum(starts_new) - 1


def _firsts(run: np.ndarray) -> np.ndarray:
    """The position of each run's first range in a run-numbered order."""
    return np.flatnonzero(np.diff(run, prepend=-1))


def _keyed(frame: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, pd.Index]:
    """Row codes of the ``keys`` columns together, and the distinct keys (an index of them)."""
    if len(keys) == 1:
        codes, uniques = pd.factorize(frame[keys[0]])
        return codes, pd.Index(uniques, name=keys[0])
    codes, uniques = pd.factorize(pd.MultiIndex.from_frame(frame[keys]))
    return codes, pd.MultiIndex.from_tuples(list(uniques), names=keys)


def _words_in_union(spans: pd.DataFrame, keys: list[str], project: Project) -> pd.Series:
    """Words in the union of the character ranges of each ``keys`` group, overlaps once."""
    if spans.empty:
        return pd.Series(dtype="int64")
    key, index = _keyed(spans, keys)
    source, names = pd.factorize(spans["source_id"])
    group = key.astype(np.int64) * len(names) + source
    start, end = spans["start"].to_numpy(np.int64), spans["end"].to_numpy(np.int64)
    order, run = _runs(group, start, end, touching=True)
    first = _firsts(run)
    lo = start[order][first]
    hi = np.maximum.reduceat(end[order], first)
    texts = [project.text(str(sid)) for sid in names]
    pieces = [texts[i][a:b] for i, a, b in zip(source[order][first].tolist(), lo.tolist(),
                                                hi.tolist(), strict=True)]
    words = np.bincount(key[order][first], weights=count_words_many(pieces), minlength=len(index))
    return pd.Series(words.astype(np.int64), index=index)


def _fractions(k: Iterable[Any], n: Iterable[Any], lang: Lang) -> list[str]:
    return [fmt_fraction(a, b, lang=lang) for a, b in zip(k, n, strict=True)]


def _attribute_groups(
    project: Project, attribute: str, func: str, allow_small_cells: bool
) -> pd.DataFrame:
    """``case_id`` → ``group`` for the cases with a value of ``attribute``, disclosure-checked.

    Groups come in the order of their first case in ``cases.csv``.
    """
    cases = project.cases
    attributes = [c for c in cases.columns if c not in ("case_id", "label", "sources")]
    if attribute not in attributes:
        raise TymqualError(
            f"{func}(): argument attribute {attribute!r} is not a column of codes/cases.csv; "
            f"the case attributes are {', '.join(map(repr, attributes)) or '(none)'}."
        )
    values = cases[attribute].astype(str).str.strip()
    groups = pd.DataFrame({"case_id": cases["case_id"], "group": values})[values != ""]
    sizes = groups.groupby("group", sort=False).size()
    minimum = project.config.min_cell_size
    small = sizes[sizes < minimum]
    if len(small) and not allow_small_cells:
        listed = " and ".join(
            f"group {g!r} has {n} case{'' if n == 1 else 's'}" for g, n in small.items()
        )
        raise DisclosureError(
            f"{func}(): broken down by the attribute {attribute!r}, {listed}, fewer than the "
            f"minimum cell size {minimum} (min_cell_size in tymqual.yaml), so a reader could "
            "tell who said what. Merge small groups in codes/cases.csv, or pass "
            "allow_small_cells=True for internal work only."
        )
    return groups.reset_index(drop=True)


def _texts(project: Project, source_ids: Iterable[str]) -> dict[str, str]:
    return {sid: project.text(sid) for sid in dict.fromkeys(source_ids)}


def _position(values: Sequence[Any]) -> dict[Any, int]:
    return {v: i for i, v in enumerate(values)}


def _rank(column: pd.Series, order: Sequence[Any]) -> np.ndarray:
    """Each value's place in ``order`` (distinct values), ``len(order)`` for one not in it:
    one hashed lookup, not a dict of 141,000 source ids built in Python per call."""
    found = pd.Index(list(order)).get_indexer(column.to_numpy())
    return np.where(found < 0, len(order), found)


# --- code frequencies and matrices -------------------------------------------------------------


def code_frequencies(
    project: Project,
    *,
    by: str | None = None,
    rollup: bool = True,
    allow_small_cells: bool = False,
    lang: Lang = "fi",
) -> pd.DataFrame:
    """How often each code was used: passages, cases and coded words, per code (× group).

    The frequency table of a results chapter ("Teema mainittiin 3/4 haastattelussa"). Every
    code of the codebook has a row, in codebook order, codes never used included, then one
    row per orphaned key (module notes).

    Columns: ``code_path``, ``code_name``, ``depth``, (``group`` with ``by``), ``segments``
    (distinct coded passages), ``cases`` (cases with at least one), ``cases_total`` (all cases,
    or the cases of the group), ``cases_n_of_N`` (``"3/4"``), ``words_coded`` (words in the
    union of the coded ranges, overlaps counted once). See the module notes for rollup.

    ``by`` names a case attribute (a column of ``codes/cases.csv``); the rows are then every
    code × every group, and the disclosure check applies (``allow_small_cells=True``
    overrides it for internal work).

    >>> import tymqual
    >>> from tymqual.tables import code_frequencies
    >>> p = tymqual.open_project(".")  # doctest: +SKIP
    >>> code_frequencies(p)[["code_path", "segments", "cases_n_of_N"]].head(2)  # doctest: +SKIP
                                   code_path  segments cases_n_of_N
    0                     verkostojohtaminen        21          4/4
    1  verkostojohtaminen/resursoitu_johtaja         6          4/4
    """
    lang = check_lang(lang, "code_frequencies")
    passages = _passages(project)
    codes = _code_frame(project.codebook, _orphans(passages, project.codebook), lang)
    units = _node_passages(passages, project.codebook, rollup)
    keys = ["node"]
    if by is None:
        grid = codes.assign(cases_total=len(_case_ids(project)))
    else:
        groups = _attribute_groups(project, by, "code_frequencies", allow_small_cells)
        sizes = groups.groupby("group", sort=False).size().rename("cases_total").reset_index()
        grid = codes.merge(sizes, how="cross")
        units = units.merge(groups, on="case_id")
        keys = ["node", "group"]
    stats = units.groupby(keys).agg(segments=("start", "size"), cases=("case_id", "nunique"))
    stats["words_coded"] = _words_in_union(units, keys, project)
    stats = stats.reset_index().rename(columns={"node": "code"})
    out = grid.merge(stats, on=["code", *keys[1:]], how="left")
    counts = ["segments", "cases", "words_coded", "cases_total"]
    out[counts] = out[counts].fillna(0).astype("int64")
    out["cases_n_of_N"] = _fractions(out["cases"], out["cases_total"], lang)
    columns = ["code_path", "code_name", "depth", *keys[1:], "segments", "cases",
               "cases_total", "cases_n_of_N", "words_coded"]  # fmt: skip
    return out[columns]


def _case_counts(project: Project, rollup: bool, counts: bool, keys: list[str]) -> pd.DataFrame:
    """code × case: passages (``counts``) or presence 1/0, index ``keys``, columns case ids."""
    case_ids = _case_ids(project)
    units = _node_passages(_passages(project), project.codebook, rollup)
    units = units[units["case_id"].isin(case_ids)]
    per = units.groupby(["node", "case_id"]).size()
    full = pd.MultiIndex.from_product([keys, case_ids])
    table = per.reindex(full, fill_value=0).astype("int64").unstack()
    table = table.reindex(index=keys, columns=case_ids, fill_value=0)
    return table if counts else (table > 0).astype("int64")


def code_case_matrix(
    project: Project, *, counts: bool = False, rollup: bool = True, lang: Lang = "fi"
) -> pd.DataFrame:
    """Which case mentions which code: one row per code, one column per case.

    The case-by-theme grid of a thematic analysis (who said what, at a glance). Cells are 1/0
    (the case has at least one passage of the code) or, with ``counts=True``, the number of
    distinct passages. ``n_of_N`` is the number of cases with the code out of all cases
    (``"2/4"``). Columns: ``code_path``, ``code_name``, the case ids in ``cases.csv`` order,
    ``n_of_N``. Passages of sources that belong to no case are not in this table.

    >>> code_case_matrix(p)  # doctest: +SKIP
    """
    lang = check_lang(lang, "code_case_matrix")
    codes = _code_frame(project.codebook, _orphans(_passages(project), project.codebook), lang)
    table = _case_counts(project, rollup, counts, list(codes["code"]))
    out = pd.concat([codes[["code_path", "code_name"]], table.reset_index(drop=True)], axis=1)
    out["n_of_N"] = _fractions((table > 0).sum(axis=1), [table.shape[1]] * len(table), lang)
    return out


def code_attribute_matrix(
    project: Project,
    attribute: str,
    *,
    counts: bool = False,
    rollup: bool = True,
    allow_small_cells: bool = False,
) -> pd.DataFrame:
    """Codes by a case attribute: one row per code, one column per value of ``attribute``.

    For comparing groups of cases (regions, organisations). A cell is the number of cases in
    that group with at least one passage of the code or, with ``counts=True``, the number of
    passages. Columns: ``code_path``, ``code_name``, then the attribute's values in the order
    they first appear in ``cases.csv``. The disclosure check applies (module notes).

    The demo's four regions have one case each, so only internal work may break them down:

    >>> code_attribute_matrix(p, "region", allow_small_cells=True)  # doctest: +SKIP
    """
    groups = _attribute_groups(project, attribute, "code_attribute_matrix", allow_small_cells)
    passages = _passages(project)
    lang = _project_lang(project)
    codes = _code_frame(project.codebook, _orphans(passages, project.codebook), lang)
    units = _node_passages(passages, project.codebook, rollup).merge(groups, on="case_id")
    per = units.groupby(["node", "group"]).agg(
        n=("start", "size") if counts else ("case_id", "nunique")
    )["n"]
    keys = list(codes["code"])
    names = list(dict.fromkeys(groups["group"]))
    full = pd.MultiIndex.from_product([keys, names])
    table = per.reindex(full, fill_value=0).astype("int64").unstack()
    table = table.reindex(index=keys, columns=names, fill_value=0)
    return pd.concat([codes[["code_path", "code_name"]], table.reset_index(drop=True)], axis=1)


# --- co-occurrence ---------------------------------------------------------------------------


def _without_lineage(pairs: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Drop pairs in which one code lies under the other (they co-occur by construction)."""
    lineage = {(a.key, d.key) for a in codebook for d in codebook.descendants(a)}
    related = [
        (a, b) in lineage or (b, a) in lineage
        for a, b in zip(pairs["node_a"], pairs["node_b"], strict=True)
    ]
    return pairs[~np.array(related, dtype=bool)]


def _pair_frame(keys: Sequence[str], a: np.ndarray, b: np.ndarray, count: np.ndarray,
                union: np.ndarray) -> pd.DataFrame:
    """node_a, node_b (code keys from their positions in ``keys``), count, union."""
    return pd.DataFrame({
        "node_a": pd.Series([keys[i] for i in a.tolist()], dtype=object),
        "node_b": pd.Series([keys[i] for i in b.tolist()], dtype=object),
        "count": count.astype(np.int64),
        "union": union.astype(np.int64),
    })


def _node_ids(units: pd.DataFrame, order: dict[str, int]) -> np.ndarray:
    return units["node"].map(order).to_numpy(np.int64)


def _passage_pairs(units: pd.DataFrame, order: dict[str, int]) -> pd.DataFrame:
    """Pairs of codes with overlapping passages: node_a, node_b, count, union (passage units)."""
    keys = list(order)
    none = np.zeros(0, np.int64)
    if units.empty:
        return _pair_frame(keys, none, none, none, none)
    node = _node_ids(units, order)
    source = pd.factorize(units["source_id"])[0].astype(np.int64)
    start, end = units["start"].to_numpy(np.int64), units["end"].to_numpy(np.int64)
    a, b = _overlapping_nodes(node, source, start, end)
    if not len(a):
        return _pair_frame(keys, none, none, none, none)
    pair = np.unique(a * len(keys) + b)
    a, b = pair // len(keys), pair % len(keys)
    count, union = _pair_units(a, b, node, source, start, end)
    return _pair_frame(keys, a, b, count, union)


def _overlapping_nodes(node: np.ndarray, source: np.ndarray, start: np.ndarray,
                       end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``a, b`` (``a < b``): the nodes of every two passages that overlap, once per two.

    With the passages sorted by source and start on one axis, those that overlap passage
    ``k`` and sort after it are the run after ``k`` that starts before ``k``'s end.
    """
    order = np.lexsort((end, start, source))
    span = int(end.max()) + 1
    on_axis = source[order] * span + start[order]
    last = np.searchsorted(on_axis, source[order] * span + end[order], side="left")
    rows, partners = expand_runs(np.arange(1, len(order) + 1), last)
    na, nb = node[order][rows], node[order][partners]
    keep = na != nb
    return np.minimum(na, nb)[keep], np.maximum(na, nb)[keep]


def _pair_units(a: np.ndarray, b: np.ndarray, node: np.ndarray, source: np.ndarray,
                start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per pair, the runs of overlapping passages of either code holding both (count), and
    all such runs (union)."""
    by_node = np.argsort(node, kind="stable")
    sizes = np.bincount(node)
    firsts = np.cumsum(sizes) - sizes
    rows_a, at_a = expand_runs(firsts[a], firsts[a] + sizes[a])
    rows_b, at_b = expand_runs(firsts[b], firsts[b] + sizes[b])
    pair = np.concatenate((rows_a, rows_b))
    passage = by_node[np.concatenate((at_a, at_b))]
    on_b = np.concatenate((np.zeros(len(at_a), bool), np.ones(len(at_b), bool)))
    group = pair * (int(source.max()) + 1) + source[passage]
    order, run = _runs(group, start[passage], end[passage], touching=False)
    runs = int(run[-1]) + 1
    with_b = np.bincount(run, weights=on_b[order], minlength=runs) > 0
    with_a = np.bincount(run, weights=~on_b[order], minlength=runs) > 0
    run_pair = pair[order][_firsts(run)]
    count = np.bincount(run_pair, weights=with_a & with_b, minlength=len(a))
    return count, np.bincount(run_pair, minlength=len(a))


def _turn_units(project: Project, units: pd.DataFrame, order: dict[str, int]) -> pd.DataFrame:
    """``node, turn`` (node as its position in ``order``, turn as its place on the project's
    turn axis) for every speaker turn a passage overlaps, distinct."""
    axis = project.turn_axis()
    if units.empty or not len(axis.starts):
        return pd.DataFrame({"node": np.zeros(0, np.int64), "turn": np.zeros(0, np.int64)})
    first, last = axis.overlapping(
        units["source_id"].tolist(), units["start"].to_numpy(), units["end"].to_numpy()
    )
    rows, index = expand_runs(first, last)
    out = pd.DataFrame({"node": _node_ids(units, order)[rows], "turn": index})
    return out.drop_duplicates().reset_index(drop=True)


def _turn_pairs(turn_units: pd.DataFrame, order: dict[str, int]) -> pd.DataFrame:
    """Pairs of codes sharing a turn: node_a, node_b, count, union (turn units)."""
    joined = turn_units.merge(turn_units, on="turn", suffixes=("_a", "_b"))
    joined = joined[joined["node_a"] < joined["node_b"]]
    out = joined.groupby(["node_a", "node_b"]).size()
    a = out.index.get_level_values(0).to_numpy(np.int64)
    b = out.index.get_level_values(1).to_numpy(np.int64)
    sizes = np.bincount(turn_units["node"], minlength=len(order))
    count = out.to_numpy(np.int64)
    return _pair_frame(list(order), a, b, count, sizes[a] + sizes[b] - count)


def co_occurrence(
    project: Project,
    *,
    unit: Literal["passage", "turn"] = "passage",
    rollup: bool = False,
    wide: bool = False,
) -> pd.DataFrame:
    """Which codes occur together, how often, and how strongly (Jaccard index).

    For spotting themes that travel together (a first look, not a test). Two units:

    ``unit="passage"``
        Two codes co-occur where a passage of one overlaps a passage of the other by at
        least one character in the same source (the same passage double-coded, or
        overlapping passages; passages that only touch do not overlap). For a pair A, B the
        *units* are the stretches of text covered by overlapping passages of A or B: each
        maximal run of A- and B-passages that overlap one another is one unit.
    ``unit="turn"``
        Two codes co-occur when both have a passage in the same speaker turn; the units are
        the turns (source, turn number) that a passage of A or of B overlaps.

    ``count`` = \\|A ∩ B\\|, the units holding both codes, and
    ``jaccard`` = \\|A ∩ B\\| / \\|A ∪ B\\| over those units (0 to 1; 1 when the two codes
    always come together). Rows: every pair that co-occurs at least once, ``code_a`` before
    ``code_b`` in codebook order, columns ``code_a, code_b`` (code paths), ``count``,
    ``jaccard``. With ``rollup=True`` a code includes its subcodes' passages, and pairs in
    which one code lies under the other are left out (they co-occur by construction).

    ``wide=True`` returns the square matrix instead: every code's path as index and columns,
    off the diagonal the ``count`` of the pair, on the diagonal the code's own units (its
    distinct passages for ``"passage"``, the turns it occurs in for ``"turn"``).

    >>> co_occurrence(p, unit="turn")  # doctest: +SKIP
    """
    if unit not in ("passage", "turn"):
        raise TymqualError(
            f"co_occurrence(): argument unit must be 'passage' or 'turn', not {unit!r}."
        )
    passages = _passages(project)
    lang = _project_lang(project)
    codes = _code_frame(project.codebook, _orphans(passages, project.codebook), lang)
    order = _position(list(codes["code"]))
    units = _node_passages(passages, project.codebook, rollup)
    if unit == "passage":
        pairs = _passage_pairs(units, order)
        own = units.groupby("node").size()
    else:
        turn_units = _turn_units(project, units, order)
        pairs = _turn_pairs(turn_units, order)
        keys = list(order)
        own = turn_units.groupby("node").size().rename(lambda i: keys[i])
    if rollup:
        pairs = _without_lineage(pairs, project.codebook)
    pairs = pairs.astype({"count": "int64", "union": "int64"})
    path = dict(zip(codes["code"], codes["code_path"], strict=True))
    if wide:
        paths = list(codes["code_path"])
        square = pd.DataFrame(0, index=pd.Index(paths, name="code_path"), columns=paths,
                              dtype="int64")
        for a, b, count in zip(pairs["node_a"], pairs["node_b"], pairs["count"], strict=True):
            square.loc[path[a], path[b]] = square.loc[path[b], path[a]] = count
        for key, n in own.items():
            square.loc[path[str(key)], path[str(key)]] = n
        return square
    pairs = pairs.assign(rank_a=pairs["node_a"].map(order), rank_b=pairs["node_b"].map(order))
    pairs = pairs.sort_values(["rank_a", "rank_b"]).reset_index(drop=True)
    return pd.DataFrame({
        "code_a": pairs["node_a"].map(path),
        "code_b": pairs["node_b"].map(path),
        "count": pairs["count"].astype("int64"),
        "jaccard": (pairs["count"] / pairs["union"]).astype("float64"),
    })


# --- content analysis and quotes -------------------------------------------------------------


def _hierarchy(codebook: Codebook) -> pd.DataFrame:
    """Per code key: ``main_category``, ``upper_category``, ``subcategory`` names."""
    rows = []
    for code in codebook:
        chain: list[Code] = []
        node: Code | None = code
        while node is not None:
            chain.append(node)
            node = node.parent
        chain.reverse()
        rows.append({
            "code": code.key,
            "subcategory": code.name if code.depth >= 1 else "",
            "upper_category": chain[1].name if code.depth >= 2 else "",
            "main_category": chain[0].name,
        })
    return pd.DataFrame(rows, columns=["code", "subcategory", "upper_category", "main_category"])


def _in_reading_order(project: Project, seg: pd.DataFrame) -> pd.DataFrame:
    """``seg`` sorted by case (``cases.csv`` order, caseless last), source, position, code."""
    codes = [c.key for c in project.codebook] + _orphans(seg, project.codebook)
    keyed = seg.assign(
        _case=_rank(seg["case_id"], _case_ids(project)),
        _source=_rank(seg["source_id"], project.source_ids),
        _code=_rank(seg["code"], codes),
    )
    keyed = keyed.sort_values(["_case", "_source", "start", "end", "_code"], kind="stable")
    return keyed.drop(columns=["_case", "_source", "_code"]).reset_index(drop=True)


def analysis_table(project: Project) -> pd.DataFrame:
    """The content-analysis (sisällönanalyysi) table: one row per accepted coding.

    The abstraction table of a Finnish thesis, read left to right as in Tuomi & Sarajärvi:
    alkuperäinen ilmaus → pelkistetty ilmaus → alaluokka → yläluokka → pääluokka.

    Columns: ``case_id``; ``original_expression`` (the passage, white space collapsed);
    ``reduced_expression`` (the ledger's ``reduced``, written when coding); then the
    categories from the coded code's place in the codebook:

    * ``main_category`` (pääluokka): the name of the code's top-level ancestor (or itself);
    * ``subcategory`` (alaluokka): the coded code's own name when it is below the top level;
    * ``upper_category`` (yläluokka): the name of its level-1 ancestor when the coded code is
      at level 2 or deeper, else empty.

    So a coding on a top-level code fills only ``main_category``, one on a level-1 code
    ``subcategory`` and ``main_category``. Rows run by case (``cases.csv`` order), source and
    position; ``coding_id`` and ``code_path`` follow for tracing a row back.

    >>> analysis_table(p).head()  # doctest: +SKIP
    """
    seg = _in_reading_order(project, _segments(project))
    texts = _texts(project, seg["source_id"])
    original = [
        " ".join(texts[sid][a:b].split())
        for sid, a, b in zip(seg["source_id"], seg["start"], seg["end"], strict=True)
    ]
    out = seg.assign(original_expression=original, reduced_expression=seg["reduced"].fillna(""))
    out = out.merge(_hierarchy(project.codebook), on="code", how="left")
    # An orphaned coding has no place in the tree; its marker stands in as the main category.
    orphaned = out["main_category"].isna()
    if orphaned.any():
        out.loc[orphaned, "main_category"] = out.loc[orphaned, "code_name"]
        out.loc[orphaned, ["subcategory", "upper_category"]] = ""
    columns = ["case_id", "original_expression", "reduced_expression", "subcategory",
               "upper_category", "main_category", "coding_id", "code_path"]  # fmt: skip
    return out[columns].reset_index(drop=True)


def _quote_targets(project: Project, code: str | Sequence[str] | None) -> list[Code]:
    if code is None:
        return [c for c in project.codebook if not c.children]
    refs = [code] if isinstance(code, str) else list(code)
    return [project.codebook.resolve(ref) for ref in refs]


def _check_cap(value: object, name: str, *, optional: bool) -> None:
    if optional and value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        allowed = "a whole number ≥ 1" + (" or None" if optional else "")
        raise TymqualError(f"quotes(): argument {name} must be {allowed}, not {value!r}.")


def quotes(
    project: Project,
    code: str | Sequence[str] | None = None,
    *,
    per_code: int | None = 3,
    per_case: int | None = None,
    max_chars: int | None = None,
    kinds: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Quotes to cite in the text: passages per code, spread over the cases.

    ``code`` None gives every leaf code (a code without subcodes); a code (or list of codes)
    given by path, key or name draws from it and its subcodes. The choice is deterministic
    and represents the cases: the first passage of each case, in ``cases.csv`` order, then
    the second of each, and so on (round-robin over cases). Within a case, passages of
    different subcodes come before a second passage of the same subcode, each in reading
    order (source, position). A span coded more than once is one passage.

    ``per_case`` caps the quotes of one case per code; ``per_code`` caps the quotes per code
    (None: no cap). With ``per_code=None`` every case that has a passage of the code gets at
    least one quote, and at most ``per_case``. ``kinds`` keeps passages of those kinds of
    source only (``"interview"``, ``"document"``, ``"survey_answer"``; None: all).

    Columns: ``code_path``, ``code_name`` (the code asked for), ``case_id``, ``coding_id``,
    ``coded_path``, ``coded_name`` (the code the passage was coded with: the code asked
    for or one of its subcodes), ``quote`` as :meth:`Project.quote` formats it:
    ``”Kela on mukana.” (H3)``; with ``max_chars`` longer passages are shortened at a word
    boundary with ``[…]``.

    >>> quotes(p, "verkostojohtaminen", per_code=None, per_case=2)  # doctest: +SKIP
    """
    _check_cap(per_code, "per_code", optional=True)
    _check_cap(per_case, "per_case", optional=True)
    targets = _quote_targets(project, code)
    columns = ["code_path", "code_name", "case_id", "coding_id", "coded_path", "coded_name",
               "quote"]  # fmt: skip
    seg = _in_reading_order(project, _segments(project))
    seg = seg.drop_duplicates(["code", *_SPAN])
    if kinds is not None:
        kind_of = project.sources.set_index("source_id")["kind"]
        seg = seg[seg["source_id"].map(kind_of).isin(list(kinds))]
    # Each passage paired with every target whose subtree holds its code, so that one pass
    # of pandas operations picks the quotes of all targets (not one pass per code).
    pairs = [(t, c.key) for t, target in enumerate(targets)
             for c in project.codebook.descendants(target)]
    if not pairs or seg.empty:
        return pd.DataFrame(columns=columns)
    chosen = _quote_order(project, seg, pd.DataFrame(pairs, columns=["_target", "code"]))
    if per_case is not None:
        chosen = chosen[chosen["_round"] < per_case]
    grouped = chosen.groupby("_target", sort=True)
    out = (grouped.head(per_code) if per_code is not None else chosen).reset_index(drop=True)
    out = out.sort_values("_target", kind="stable").reset_index(drop=True)
    out["code_path"] = [targets[t].path for t in out["_target"].tolist()]
    out["code_name"] = [targets[t].name for t in out["_target"].tolist()]
    out["coded_path"] = out["code_path_passage"]
    out["coded_name"] = out["code_name_passage"]
    out["quote"] = [
        project.format_quote(sid, start, end, max_chars=max_chars)
        for sid, start, end in zip(out["source_id"], out["start"], out["end"], strict=True)
    ]
    return out[columns]


def _quote_order(project: Project, seg: pd.DataFrame, by_code: pd.DataFrame) -> pd.DataFrame:
    """Passages per target in the order they are quoted, with ``_round`` (0 = a case's first).

    Round-robin over cases; within a case, a subcode's first passage before any second one.
    """
    chosen = (
        seg.reset_index(drop=True)
        .reset_index(names="_order")
        .merge(by_code, on="code")
        .rename(columns={"code_path": "code_path_passage", "code_name": "code_name_passage"})
    )
    chosen = chosen.sort_values(["_target", "_order"], kind="stable")
    chosen = chosen.drop_duplicates(["_target", *_SPAN])
    owner = chosen["case_id"].fillna(chosen["source_id"])
    chosen = chosen.assign(
        _variety=chosen.groupby([chosen["_target"], owner, chosen["code"]], sort=False).cumcount()
    )
    chosen = chosen.sort_values(["_target", "_variety", "_order"], kind="stable")
    owner = chosen["case_id"].fillna(chosen["source_id"])
    return chosen.assign(
        _round=chosen.groupby([chosen["_target"], owner], sort=False).cumcount(),
        _case=_rank(chosen["case_id"], _case_ids(project)),
    ).sort_values(["_target", "_round", "_case"], kind="stable")


# --- surveys ---------------------------------------------------------------------------------


def _likert_items(survey: Survey, items: Sequence[str] | None, where: str) -> pd.DataFrame:
    likert = survey.items[survey.items["type"] == "likert"]
    if items is None:
        return likert.reset_index(drop=True)
    wanted = [items] if isinstance(items, str) else list(items)
    unknown = [i for i in wanted if i not in set(likert["item_id"])]
    if unknown:
        raise TymqualError(
            f"{where}: {', '.join(map(repr, unknown))} is not a Likert item of {survey.path}; "
            f"the Likert items are {', '.join(likert['item_id']) or '(none)'}."
        )
    return likert.set_index("item_id").loc[wanted].reset_index()


def _scale_of(survey: Survey, item_id: str) -> tuple[str, ...]:
    found = survey.items.loc[survey.items["item_id"] == item_id, "scale"]
    return tuple(str(label) for label in found.iloc[0])


def _likert_counts(survey: Survey, item_id: str, scale: Sequence[str]) -> tuple[list[int], int]:
    """Counts per scale label (in scale order) and the don't-know count of one item."""
    answers = survey.responses[item_id]
    counts = answers.value_counts(sort=False).reindex(list(scale), fill_value=0)
    dont_know = int((survey.dont_know["item_id"] == item_id).sum())
    return [int(n) for n in counts], dont_know


def _lower_median(counts: Sequence[int], scale: Sequence[str]) -> str:
    """The median label, the lower of the two middle answers when their number is even."""
    n = sum(counts)
    if n == 0:
        return MISSING
    cumulative = np.cumsum(counts)
    # Position (1-based) of the lower middle answer in the sorted answers.
    middle = (n + 1) // 2
    return scale[int(np.searchsorted(cumulative, middle))]


def likert_table(
    survey: Survey,
    items: Sequence[str] | None = None,
    *,
    show_mean: bool = False,
    lang: Lang = "fi",
) -> pd.DataFrame:
    """The answer distribution of Likert statements: counts, don't-knows, median label.

    The usual survey table of a mixed-methods thesis. One row per Likert item (``items``
    picks and orders them; default: every Likert item in file order). Columns: ``item_id``,
    ``statement`` (the question text), one column per scale label in scale order with the
    number of respondents who chose it, ``dont_know`` (EOS answers), ``valid_n`` (answers on
    the scale, don't-knows excluded), ``median``.

    ``median`` is a scale *label*. With an even number of valid answers whose two middle
    answers differ it is the lower of the two (the lower median), so it is always a label a
    respondent could choose; it is "–" when nobody answered on the scale. Counts, not
    percentages: with a handful of respondents, percentages mislead.

    ``show_mean=True`` adds ``mean``, the average of the answers coded 1..k from the lowest
    label up; don't-knows are never included. When items use different scales the label
    columns are the union of the scales (first seen first) and a label outside an item's
    scale is NA (the label columns are then nullable ``Int64``).

    Only complete responses count: respondents the export marks as unfinished (LimeSurvey,
    Qualtrics; ``survey.metadata["complete"]``) are left out, and ``out.attrs["note"]`` says
    how many (the report prints it under the table).

    >>> from tymqual.surveys import read_survey
    >>> likert_table(read_survey("surveys/kysely.xlsx"), ["q3"])  # doctest: +SKIP
      item_id                                              statement  Täysin eri mieltä  ...
    0      q3  Verkostojohtajalla on riittävät resurssit tehtäväänsä                  1  ...
    """
    check_lang(lang, "likert_table")
    survey, note = _complete_only(survey, lang)
    chosen = _likert_items(survey, items, "likert_table()")
    scales = [tuple(s) for s in chosen["scale"]]
    labels = list(dict.fromkeys(lab for scale in scales for lab in scale))
    rows = []
    for item_id, question, scale in zip(chosen["item_id"], chosen["question"], scales,
                                        strict=True):
        counts, dont_know = _likert_counts(survey, item_id, scale)
        row: dict[str, Any] = {"item_id": item_id, "statement": question}
        row.update({lab: pd.NA for lab in labels})
        row.update(dict(zip(scale, counts, strict=True)))
        row.update(dont_know=dont_know, valid_n=sum(counts), median=_lower_median(counts, scale))
        if show_mean:
            total = sum(counts)
            weighted = sum(code * n for code, n in enumerate(counts, start=1))
            row["mean"] = weighted / total if total else math.nan
        rows.append(row)
    columns = ["item_id", "statement", *labels, "dont_know", "valid_n", "median"]
    columns += ["mean"] if show_mean else []
    out = pd.DataFrame(rows, columns=columns)
    same_scale = len(set(scales)) <= 1
    out = out.astype({lab: "int64" if same_scale else "Int64" for lab in labels})
    out = out.astype({"dont_know": "int64", "valid_n": "int64"})
    out = out.astype({"mean": "float64"}) if show_mean else out
    if note:
        out.attrs["note"] = note
    return out


_INCOMPLETE_NOTE = {
    "fi": "Taulukossa ovat vain valmiit vastaukset: {n} keskeneräistä vastausta ({file}) jätettiin "
          "pois.",
    "en": "Complete responses only: {n} incomplete responses ({file}) were left out.",
}
_TEST_NOTE = {
    "fi": "Kyselyohjelman esikatselu-, testi- ja roskapostivastaukset ({n}, {file}) jätettiin "
          "pois.",
    "en": "The survey tool's preview, test and spam responses ({n}, {file}) were left out.",
}


def _complete_only(survey: Survey, lang: Lang) -> tuple[Survey, str]:
    """The survey's counted responses, and the reader's note on those left out ("" if none).

    An export that records completion (LimeSurvey's ``submitdate``, Qualtrics' ``Finished``)
    marks unfinished responses in ``survey.metadata["complete"]``, and Qualtrics' ``Status``
    its previews, test runs and spam in ``survey.metadata["test_response"]``; both are kept in
    the survey but not counted in its tables.
    """
    notes = [template[lang].format(n=fmt_number(n, lang=lang), file=survey.path.name)
             for template, n in ((_INCOMPLETE_NOTE, survey.n_incomplete),
                                 (_TEST_NOTE, survey.n_test)) if n]
    if not notes:
        return survey, ""
    return survey.complete_only(), " ".join(notes)


def _survey_of(project: Project, survey: Survey | None) -> Survey | None:
    """``survey``, else the project's only survey, else None (no survey columns)."""
    if survey is not None:
        return survey
    surveys = getattr(project, "surveys", None)
    if not surveys:
        return None
    if len(surveys) > 1:
        raise TymqualError(
            f"the project has {len(surveys)} surveys ({', '.join(sorted(surveys))}); pass the "
            "one to use as survey=project.survey(name)."
        )
    found: Survey = next(iter(surveys.values()))
    return found


# --- joint display ---------------------------------------------------------------------------


def _themes(project: Project) -> list[Code]:
    return list(project.codebook.codes)


def _theme(project: Project, ref: object, where: str) -> Code:
    themes = _themes(project)
    if isinstance(ref, str) and ref.strip():
        try:
            code = project.codebook.resolve(ref)
        except TymqualError:
            code = None
        if code is not None and code.parent is None:
            return code
    raise TymqualError(
        f"{where}: theme {ref!r} is not a top-level theme of the codebook; the themes are "
        f"{', '.join(c.key for c in themes) or '(none)'}."
    )


def _check_fit(fit: object, where: str) -> str:
    value = "" if fit is None else fit
    if not isinstance(value, str) or value not in FITS:
        raise TymqualError(
            f"{where}: fit {fit!r} is not allowed; use one of "
            f"{', '.join(repr(f) for f in FITS)} (empty: not yet judged)."
        )
    return value


def _read_notes(project: Project) -> list[dict[str, Any]]:
    """The entries of ``codes/joint_display.yaml`` as written (an absent file: none)."""
    path = project.codes_dir / JOINT_DISPLAY_FILE
    if not path.exists():
        return []
    try:
        text = path.read_text(encoding="utf-8-sig")
        refuse_merge_conflict(text, str(path))
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TymqualError(f"{path}: not valid YAML ({exc}); fix or delete the file.") from exc
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(e, dict) for e in data):
        raise TymqualError(
            f"{path}: expected a list of themes, each '- theme: <key>' with items, fit and "
            "conclusion."
        )
    return data


def _notes_by_theme(project: Project) -> dict[str, dict[str, Any]]:
    """Validated notes per theme key: items (list of str), fit, conclusion."""
    path = project.codes_dir / JOINT_DISPLAY_FILE
    notes: dict[str, dict[str, Any]] = {}
    for number, entry in enumerate(_read_notes(project), start=1):
        where = f"{path}, entry {number}"
        theme = _theme(project, entry.get("theme"), where)
        items = entry.get("items") or []
        if isinstance(items, str):
            items = [items]
        if not isinstance(items, list):
            raise TymqualError(f"{where}: items must be a list of survey item ids, not {items!r}.")
        notes[theme.key] = {
            "items": [str(i) for i in items],
            "fit": _check_fit(entry.get("fit"), where),
            "conclusion": str(entry.get("conclusion") or ""),
        }
    return notes


def save_joint_display_notes(
    project: Project,
    theme: str,
    *,
    fit: str | None = None,
    conclusion: str | None = None,
    items: Sequence[str] | None = None,
) -> None:
    """Record the analyst's judgement of one theme in ``codes/joint_display.yaml``.

    ``fit`` is one of :data:`FITS` (confirms, expands, discordant, silent; "" clears it),
    ``conclusion`` the meta-inference in the analyst's words, ``items`` the survey item ids
    the theme is compared with. Arguments left as None keep what the file has; other themes
    are not touched. The file is rewritten atomically, so :func:`joint_display` shows the
    notes on every later run.

    >>> save_joint_display_notes(p, "verkostojohtaminen", fit="expands",
    ...                          items=["q3"])  # doctest: +SKIP
    """
    where = "save_joint_display_notes()"
    code = _theme(project, theme, where)
    fit_value = _check_fit(fit, where) if fit is not None else None
    entries = _read_notes(project)
    names = (code.key, code.path, code.name)
    matches = [e for e in entries if str(e.get("theme", "")).strip() in names]
    if matches:
        entry = matches[0]
    else:
        entry = {"theme": code.key, "items": [], "fit": "", "conclusion": ""}
        entries.append(entry)
    entry["theme"] = code.key
    if items is not None:
        entry["items"] = [items] if isinstance(items, str) else [str(i) for i in items]
    if fit_value is not None:
        entry["fit"] = fit_value
    if conclusion is not None:
        entry["conclusion"] = conclusion
    path = project.codes_dir / JOINT_DISPLAY_FILE
    text = text_to_write(path, entries, lambda: yaml.safe_dump(
        entries, allow_unicode=True, sort_keys=False, width=100), field="theme", what="themes")
    atomic_write_text(path, text)


def _statement_result(survey: Survey, item_id: str, lang: Lang) -> str:
    """One statement as a joint display shows it: its text, counts, n and median."""
    scale = _scale_of(survey, item_id)
    counts, dont_know = _likert_counts(survey, item_id, scale)
    shown = " / ".join(fmt_number(n, lang=lang) for n in counts)
    text = survey.items.loc[survey.items["item_id"] == item_id, "question"].iloc[0]
    statement = " ".join(str(text).split()) or item_id
    median = _lower_median(counts, scale)
    n = fmt_number(sum(counts), lang=lang)
    return (f"\u201d{statement}\u201d: {shown} ({_DONT_KNOW_SHORT[lang]} "
            f"{fmt_number(dont_know, lang=lang)}); n\u00a0=\u00a0{n}"
            f"; Md: {median.lower() if median != MISSING else median}")


def _qualitative_findings(project: Project, theme: Code, frequencies: pd.DataFrame) -> str:
    """The theme's subcodes (its categories) with the cases that have them, one a line."""
    lines = []
    for code in theme.children:
        if code.path in frequencies.index:
            lines.append(f"{code.name} ({frequencies.loc[code.path, 'cases_n_of_N']!s})")
    return "\n".join(lines)


def joint_display(
    project: Project,
    survey: Survey | None = None,
    *,
    lang: Lang = "fi",
    quote_chars: int | None = 200,
    quote_kinds: Sequence[str] | None = None,
    max_quotes: int | None = None,
) -> pd.DataFrame:
    """The mixed-methods joint display: each theme beside the survey statements it meets.

    One row per top-level theme of the codebook, in codebook order, laid out as Guetterman,
    Fetters & Creswell (2015) recommend: the quantitative results, the qualitative findings
    with quotes, the fit of the two and a meta-inference. Computed columns:

    * ``code_path`` (the theme's key), ``theme`` (its name), ``items`` (linked item ids);
    * ``survey_results``: per linked statement, one line with its text, the counts in scale
      order from the lowest label up, the don't-know count, n (scale answers) and the median
      (the lower middle answer): ``”Resurssit riittävät”: 1 / 2 / 0 / 1 / 0 (EOS 0); n = 4;
      Md: jokseenkin eri mieltä`` (English ``DK``); :func:`likert_legend` is its legend;
    * ``valid_n``: respondents with a scale answer to at least one linked item (NA without);
    * ``cases_n_of_N``: cases with a passage of the theme or its subcodes;
    * ``qualitative_findings``: the theme's subcodes with their cases n/N, one a line;
    * ``quotes``: one quote per case that has a passage of the theme (:func:`quotes` with
      ``per_case=1``, from sources of ``quote_kinds``), shortened to ``quote_chars``;
      ``quote_refs``: the case labels quoted. ``max_quotes`` caps the quotes per theme (the
      first cases in ``cases.csv`` order), for a study of many cases.

    Analyst columns from ``codes/joint_display.yaml`` (see :func:`save_joint_display_notes`):
    ``fit`` (confirmation, expansion, discordance or silence; Fetters, Curry & Creswell 2013)
    and ``conclusion`` (the meta-inference), empty when not written yet.

    ``survey`` defaults to the project's survey when it has exactly one; linked items must be
    Likert items of it.

    >>> joint_display(p)  # doctest: +SKIP
    """
    lang = check_lang(lang, "joint_display")
    survey = _survey_of(project, survey)
    incomplete_note = ""
    if survey is not None:
        survey, incomplete_note = _complete_only(survey, lang)
    notes = _notes_by_theme(project)
    themes = _themes(project)
    frequencies = code_frequencies(project, rollup=True, lang=lang).set_index("code_path")
    picked = quotes(project, [theme.key for theme in themes], per_code=None, per_case=1,
                    max_chars=quote_chars, kinds=quote_kinds)
    path = project.codes_dir / JOINT_DISPLAY_FILE
    rows = []
    for theme in themes:
        note = notes.get(theme.key, {"items": [], "fit": "", "conclusion": ""})
        item_ids: list[str] = note["items"]
        results, valid_n = "", None
        if item_ids and survey is not None:
            _likert_items(survey, item_ids, f"joint_display(), {path}")
            results = "\n".join(_statement_result(survey, i, lang) for i in item_ids)
            valid_n = int(survey.responses[item_ids].notna().any(axis=1).sum())
        cited = picked[picked["code_path"] == theme.path]
        if max_quotes is not None:
            cited = cited.head(max_quotes)
        labels = [project.case_label(c) for c in cited["case_id"] if isinstance(c, str)]
        rows.append({
            "code_path": theme.path,
            "theme": theme.name,
            "items": ", ".join(item_ids),
            "survey_results": results,
            "valid_n": valid_n,
            "cases_n_of_N": frequencies.loc[theme.path, "cases_n_of_N"],
            "qualitative_findings": _qualitative_findings(project, theme, frequencies),
            "quotes": "\n".join(cited["quote"]),
            "quote_refs": ", ".join(dict.fromkeys(labels)),
            "fit": label(note["fit"], lang) if note["fit"] else "",
            "conclusion": note["conclusion"],
        })
    columns = ["code_path", "theme", "items", "survey_results", "valid_n", "cases_n_of_N",
               "qualitative_findings", "quotes", "quote_refs", "fit", "conclusion"]  # fmt: skip
    out = pd.DataFrame(rows, columns=columns).astype({"valid_n": "Int64"})
    if incomplete_note:
        out.attrs["note"] = incomplete_note
    return out


def likert_legend(survey: Survey, items: Sequence[str], lang: Lang = "fi") -> str:
    """The legend of :func:`joint_display`'s counts: the scale labels in the order counted."""
    lang = check_lang(lang, "likert_legend")
    scales = list(dict.fromkeys(_scale_of(survey, i) for i in items))
    dont_know = f"{_DONT_KNOW_SHORT[lang]} = {label('dont_know', lang).lower()}"
    shown = "; ".join(" / ".join(s.lower() for s in scale) for scale in scales)
    return f"{shown}; {dont_know}" if shown else dont_know


# --- case summaries --------------------------------------------------------------------------


_SUMMARY_COLUMNS = ["case_id", "code", "summary"]


def _read_summaries(project: Project, *, every_column: bool = False) -> pd.DataFrame:
    """``codes/case_summaries.csv``: its three columns, or (``every_column``, for rewriting
    it) also the columns an author added in Excel, which a save must keep."""
    path = project.codes_dir / CASE_SUMMARY_FILE
    if not path.exists():
        return pd.DataFrame(columns=_SUMMARY_COLUMNS)
    try:
        frame = read_csv_strings(path)
    except pd.errors.ParserError as exc:
        raise TymqualError(f"{path}: cannot be read as CSV ({exc}).") from exc
    missing = [c for c in _SUMMARY_COLUMNS if c not in frame.columns]
    if missing:
        raise TymqualError(
            f"{path}: no column {', '.join(missing)}; the first row must be "
            "case_id,code,summary."
        )
    return frame if every_column else frame[_SUMMARY_COLUMNS]


def save_case_summary(project: Project, case_id: str, code: str, summary: str) -> None:
    """Write the analyst's summary of how one case speaks to one theme.

    Stored in ``codes/case_summaries.csv`` (``case_id``, ``code`` as the theme's key,
    ``summary``), rewritten atomically; an existing summary of the same case and theme is
    replaced, an empty ``summary`` removes it. :func:`case_summary` shows it.

    >>> save_case_summary(p, "H1", "verkostojohtaminen",
    ...                   "Johtaja resursoitu hyvin.")  # doctest: +SKIP
    """
    where = "save_case_summary()"
    if case_id not in _case_ids(project):
        raise TymqualError(
            f"{where}: case_id {case_id!r} is not a case of the project; the cases are "
            f"{', '.join(_case_ids(project)) or '(none)'}."
        )
    theme = _theme(project, code, where)
    frame = _read_summaries(project, every_column=True)
    keys = frame["code"].map(lambda ref: _theme_key_or_self(project, ref))
    same = (frame["case_id"] == case_id) & (keys == theme.key)
    text = " ".join(str(summary).split())
    if same.any():
        first = same.idxmax()
        _tell_replaced(project, frame[same & (frame.index != first)], case_id, theme.key)
        frame = frame[~same | (frame.index == first)]
        frame.loc[first, ["code", "summary"]] = [theme.key, text]
    else:
        new_row = {c: "" for c in frame.columns} | {"case_id": case_id, "code": theme.key,
                                                     "summary": text}
        frame = pd.concat([frame, pd.DataFrame([new_row])], ignore_index=True)
    frame = frame[frame["summary"].astype(str).str.strip() != ""]
    write_csv(frame.reset_index(drop=True), project.codes_dir / CASE_SUMMARY_FILE)


def _tell_replaced(project: Project, extra: pd.DataFrame, case_id: str, theme: str) -> None:
    """Rows beyond the first for one case and theme go with the new summary: say which."""
    if extra.empty:
        return
    rows = extra.index.to_numpy(dtype=np.int64) + 2  # the file's rows: the header is row 1
    texts = "; ".join(f"row {r}: {str(t)[:60]!r}" for r, t in zip(rows, extra["summary"],
                                                                  strict=True))
    warnings.warn(
        f"{project.codes_dir / CASE_SUMMARY_FILE}: case {case_id} had {len(extra) + 1} "
        f"summaries of {theme}; the new one replaces them all ({texts}).",
        TymqualWarning, stacklevel=3,
    )


def _theme_key_or_self(project: Project, ref: str) -> str:
    try:
        return project.codebook.resolve(ref).key
    except TymqualError:
        return ref


def _passages_phrase(n: int, lang: Lang) -> str:
    one, many = _PASSAGE_WORDS[lang]
    return f"({fmt_number(n, lang=lang)}\u00a0{one if n == 1 else many})"


def case_summary(
    project: Project, *, survey: Survey | None = None, lang: Lang = "fi"
) -> pd.DataFrame:
    """One row per case: the analyst's summary per theme with its passage count, and answers.

    The case-by-theme overview (tapauskohtainen yhteenveto) a supervisor reads first. For
    each top-level theme a column named by the theme's key holds the summary from
    ``codes/case_summaries.csv`` (see :func:`save_case_summary`) followed by the number of
    distinct passages of the theme and its subcodes in that case:
    ``"Johtaja resursoitu hyvin. (3 kohtaa)"``, ``"(1 kohta)"`` without a summary, ``""``
    with neither. English: ``"(3 passages)"``.

    With a ``survey``, one column per Likert item follows: the answer of the case's
    respondent (``cases.csv`` column ``respondent_id``), the don't-know text
    (``"En osaa sanoa"``/``"Don't know"``) for a don't-know, ``""`` otherwise.

    >>> case_summary(p)  # doctest: +SKIP
    """
    lang = check_lang(lang, "case_summary")
    case_ids = _case_ids(project)
    counts = _case_counts(project, rollup=True, counts=True, keys=[c.key for c in project.codebook])
    summaries = _read_summaries(project)
    theme_of = summaries["code"].map(lambda r: _theme_key_or_self(project, r))
    summaries = summaries.assign(code=theme_of)
    themes = [theme.key for theme in _themes(project)]
    written = (
        summaries.drop_duplicates(["case_id", "code"], keep="last")
        .pivot(index="case_id", columns="code", values="summary")
        .reindex(index=case_ids, columns=themes)
        .map(lambda v: v if isinstance(v, str) else "")
    )
    out = pd.DataFrame({"case_id": case_ids})
    for key in themes:
        n = pd.Series(counts.loc[key].to_numpy(), index=case_ids)
        text = written[key].str.strip()
        shown = (n > 0).to_numpy() | (text != "").to_numpy()
        tail = n.map(lambda k: _passages_phrase(int(k), lang)).where(shown, "")
        out[key] = (text + " " + tail).str.strip().to_numpy()
    if survey is not None:
        out = out.join(_case_answers(project, survey, case_ids, lang))
    return out


def _case_answers(
    project: Project, survey: Survey, case_ids: list[str], lang: Lang
) -> pd.DataFrame:
    """The Likert answer of each case's respondent, item by item ("" when there is none)."""
    cases = project.cases
    if "respondent_id" not in cases.columns:
        raise TymqualError(
            "case_summary(): codes/cases.csv has no respondent_id column, so no case can be "
            "linked to a survey answer; add the column (respondent ids of the survey)."
        )
    items = list(_likert_items(survey, None, "case_summary()")["item_id"])
    answers = survey.responses.set_index("respondent_id")[items].astype(object)
    dont_know = survey.dont_know[survey.dont_know["item_id"].isin(items)]
    for rid, item in zip(dont_know["respondent_id"], dont_know["item_id"], strict=True):
        answers.loc[rid, item] = label("dont_know", lang)
    respondent = cases.set_index("case_id")["respondent_id"].astype(str).str.strip()
    linked = answers.reindex(respondent.reindex(case_ids).fillna("").tolist())
    return linked.fillna("").astype(object).reset_index(drop=True)


# --- description of the material -------------------------------------------------------------


def _half_up(x: Decimal, places: int) -> Decimal:
    return x.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _csv_minutes(project: Project, value: object, case_id: str) -> Any:
    text = str(value).strip().replace(",", ".") if value is not None else ""
    if not text:
        return pd.NA
    try:
        minutes = Decimal(text)
    except ArithmeticError:
        raise TymqualError(
            f"{project.codes_dir / 'cases.csv'}: case {case_id!r}, column duration_min holds "
            f"{value!r}, which is not a number of minutes."
        ) from None
    return int(_half_up(minutes, 0))


def _interviews(project: Project) -> pd.DataFrame:
    """``source_id``, ``case_id``, ``n_words`` of the interviews alone, not the frame of every
    source (with 200,000 open answers that would cost a second)."""
    ids = [sid for sid in project.source_ids if project.document(sid).kind == "interview"]
    return pd.DataFrame({
        "source_id": ids,
        "case_id": [project.case_of(sid) for sid in ids],
        "n_words": [project.source_stats(sid).n_words for sid in ids],
    }, columns=["source_id", "case_id", "n_words"])


def data_description(
    project: Project, *, words_per_page: int = 500, lang: Lang = "fi"
) -> pd.DataFrame:
    """The description of the interview material (aineiston kuvaus) with a total row.

    One row per interview source: ``source_id``, ``case_label``, ``date`` (``cases.csv``
    ``interview_date`` as ``5.11.2025``, or ISO in English; "–" when absent),
    ``duration_min`` (whole minutes: a Teams VTT's own length, else ``cases.csv``
    ``duration_min`` when the case has only this interview, else NA), ``words``, ``pages``
    and ``interview_mode`` (``cases.csv``; ``face_to_face``, ``video_call`` and
    ``telephone`` are shown as words in ``lang``). The last row, ``"Yhteensä"``/``"Total"``,
    sums minutes and words.

    ``pages`` = words / ``words_per_page``, rounded half up to one decimal: the length of the
    transcript in the stated layout of 12 pt, riviväli 1, about 500 sanaa/sivu (words per
    page), which is what a methods section reports.

    >>> data_description(p)  # doctest: +SKIP
    """
    lang = check_lang(lang, "data_description")
    if isinstance(words_per_page, bool) or not isinstance(words_per_page, int) \
            or words_per_page < 1:
        raise TymqualError(
            f"data_description(): argument words_per_page must be a whole number ≥ 1, "
            f"not {words_per_page!r}."
        )
    src = _interviews(project)
    table = project.cases
    attributes = [str(c) for c in table.columns if c != "case_id"]
    cases: dict[str, dict[str, Any]] = {
        str(row[0]): dict(zip(attributes, row[1:], strict=True))
        for row in table[["case_id", *attributes]].itertuples(index=False)
    }
    interviews_per_case = src["case_id"].value_counts()
    rows = []
    for sid, case_id, n_words in zip(src["source_id"], src["case_id"], src["n_words"],
                                     strict=True):
        case = cases.get(case_id) if isinstance(case_id, str) else None
        seconds = project.document(sid).meta.get("duration_seconds")
        if isinstance(seconds, int | float) and not math.isnan(seconds):
            minutes: Any = int(_half_up(Decimal(repr(float(seconds))) / 60, 0))
        elif case is not None and "duration_min" in case and interviews_per_case[case_id] == 1:
            minutes = _csv_minutes(project, case["duration_min"], case_id)
        else:
            minutes = pd.NA
        rows.append({
            "source_id": sid,
            "case_label": project.case_label(case_id if isinstance(case_id, str) else None, sid),
            "date": _date_cell(project, case, case_id, lang),
            "duration_min": minutes,
            "words": int(n_words),
            "interview_mode": _mode(case, lang),
        })
    out = pd.DataFrame(rows, columns=["source_id", "case_label", "date", "duration_min",
                                      "words", "interview_mode"])
    out = out.astype({"duration_min": "Int64", "words": "int64"})
    total = {
        "source_id": label("total", lang),
        "case_label": "",
        "date": "",
        "duration_min": out["duration_min"].sum() if out["duration_min"].notna().any() else pd.NA,
        "words": int(out["words"].sum()),
        "interview_mode": "",
    }
    out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    out = out.astype({"duration_min": "Int64", "words": "int64"})
    out["pages"] = [
        float(_half_up(Decimal(int(w)) / Decimal(words_per_page), 1)) for w in out["words"]
    ]
    return out[["source_id", "case_label", "date", "duration_min", "words", "pages",
                "interview_mode"]]


def _date_cell(
    project: Project, case: Mapping[str, Any] | None, case_id: object, lang: Lang
) -> str:
    if case is None or "interview_date" not in case or not str(case["interview_date"]).strip():
        return MISSING
    try:
        return fmt_date(str(case["interview_date"]), lang=lang)
    except TymqualError:
        raise TymqualError(
            f"{project.codes_dir / 'cases.csv'}: case {case_id!r}, column interview_date holds "
            f"{case['interview_date']!r}; write dates as 2025-11-05."
        ) from None


def _mode(case: Mapping[str, Any] | None, lang: Lang) -> str:
    if case is None or "interview_mode" not in case:
        return ""
    value = str(case["interview_mode"]).strip()
    return label(value, lang) if value in _MODES else value


def describe_numeric(
    df: pd.DataFrame, column: str, *, by: str | None = None, lang: Lang = "fi"
) -> pd.DataFrame:
    """Descriptive statistics of one numeric column, overall or per group, with a text line.

    For document variables such as an agreement's length in pages or its number of
    signatories. Columns: ``group``, ``n`` (valid values), ``mean``, ``median``, ``min``,
    ``max``, ``text`` (``"n = 24, ka. 8, vv. 3–19"``; English ``"n = 24, M = 8, range
    3–19"``, from :func:`tymqual.formatting.fmt_describe`). Missing values are ignored.
    With ``by`` there is one row per value of that column (sorted; rows without a value are
    only in the total) and a last row ``"Yhteensä"``/``"Total"``; without, only that row.

    >>> describe_numeric(pd.DataFrame({"pages": [3, 19, 2]}), "pages")["text"].iloc[0]
    'n\\xa0=\\xa03, ka.\\xa08, vv.\\xa02–19'
    """
    lang = check_lang(lang, "describe_numeric")
    for name, value in (("column", column), ("by", by)):
        if value is not None and value not in df.columns:
            raise TymqualError(
                f"describe_numeric(): argument {name} {value!r} is not a column of df; the "
                f"columns are {', '.join(map(repr, df.columns))}."
            )
    parts: list[tuple[object, pd.Series]] = []
    if by is not None:
        parts += [(g, values) for g, values in df.groupby(by, sort=True)[column]]
    parts.append((label("total", lang), df[column]))
    rows = []
    for group, values in parts:
        stats = describe(values)
        rows.append({"group": group, **{k: stats[k] for k in ("n", "mean", "median", "min", "max")},
                     "text": fmt_describe(stats, lang=lang)})
    out = pd.DataFrame(rows, columns=["group", "n", "mean", "median", "min", "max", "text"])
    return out.astype({"n": "int64", "mean": "float64", "median": "float64",
                       "min": "float64", "max": "float64"})
