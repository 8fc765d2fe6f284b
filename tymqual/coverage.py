"""Coverage and saturation: how much of the material was coded, and when the codes stopped coming.

For the methods chapter of a thesis, where the author argues that the interviews were enough
(saturation: later interviews add few or no new codes) and shows how thoroughly the material
was coded. Three tidy tables, each from the ledger's accepted codings only:

* :func:`saturation`: the sources in the order they were first coded, with the codes each one
  used for the first time and the running total (the figure is
  :func:`tymqual.figures.saturation_curve`);
* :func:`coded_share`: the share of each source's text that carries each code, and any code;
* :func:`single_coder_codes`: in double-coded material, the codes only one coder used.

A code counts as itself, as in :mod:`tymqual.agreement`: coding a subcode does not use its
parent. Codings whose passage was lost in an edited source are left out, as in every table
(``Project.unanchored`` lists them).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tymqual.agreement import CONSENSUS
from tymqual.autocode import is_machine_coder
from tymqual.errors import AgreementError, TymqualWarning

if TYPE_CHECKING:
    from tymqual.project import Project

ALL_CODES = "(all codes)"
"""``code_path`` of the row of :func:`coded_share` that counts a source's text under any code."""
SATURATION_COLUMNS: tuple[str, ...] = (
    "order", "source_id", "case_id", "first_coded", "codes", "new_codes", "total_codes",
    "new_code_paths",
)
SHARE_COLUMNS: tuple[str, ...] = (
    "source_id", "code_path", "segments", "coded_chars", "source_chars", "share",
)
SINGLE_CODER_COLUMNS: tuple[str, ...] = ("code_path", "coder", "segments", "sources")


def _accepted(project: Project, coder: str | Sequence[str] | None,
              sources: Sequence[str] | None) -> pd.DataFrame:
    """Accepted, anchored codings, optionally of some coders and sources only."""
    seg = project.segments(coder=coder)
    if sources is not None:
        chosen = [sources] if isinstance(sources, str) else list(sources)
        unknown = sorted(set(chosen) - set(project.source_ids))
        if unknown:
            raise AgreementError(
                f"sources {', '.join(map(repr, unknown))} are not in the project; its sources "
                f"are {', '.join(project.source_ids)}."
            )
        seg = seg[seg["source_id"].isin(chosen)]
    return seg.reset_index(drop=True)


def _in_codebook_order(project: Project, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows by ``code_path`` in the codebook's order; codes not in it after, by path."""
    rank = {c.path: i for i, c in enumerate(project.codebook)}
    ranked = frame.assign(_rank=frame["code_path"].map(lambda p: rank.get(p, len(rank))))
    ranked = ranked.sort_values(["_rank", "code_path"], kind="stable")
    return ranked.drop(columns="_rank").reset_index(drop=True)


# ==================================================================== saturation
def _first_coded(project: Project, seg: pd.DataFrame) -> pd.Series:
    """Each coded source's earliest ``created`` time as stored (``""`` if none is readable).

    Times are compared as instants, so a ledger re-saved by a spreadsheet with another
    layout of the same ISO 8601 times still orders correctly.
    """
    codings = project.codings.drop_duplicates("coding_id").set_index("coding_id")
    stored = seg["coding_id"].map(codings["created"].astype(str)).fillna("")
    when = pd.to_datetime(stored, utc=True, errors="coerce", format="ISO8601")
    dated = seg.assign(created=stored, when=when)[when.notna()]
    earliest = dated.sort_values("when", kind="stable").groupby("source_id")["created"].first()
    return pd.Series({sid: earliest.get(sid, "") for sid in dict.fromkeys(seg["source_id"])},
                     dtype=str)


def _coding_order(project: Project, first: pd.Series) -> list[str]:
    """Sources by first coding time; undated ones after, in the project's order (warned)."""
    position = {sid: i for i, sid in enumerate(project.source_ids)}
    undated = [str(sid) for sid, when in first.items() if not when]
    if undated and len(undated) < len(first):
        warnings.warn(
            f"{project.ledger.path}: the codings of source(s) {', '.join(undated)} have no "
            "readable 'created' time, so the saturation table puts them after the dated "
            "sources, in the project's order.", TymqualWarning, stacklevel=3,
        )
    instant = pd.to_datetime(first, utc=True, errors="coerce", format="ISO8601")
    return sorted(first.index, key=lambda sid: (
        pd.isna(instant[sid]), instant[sid] if pd.notna(instant[sid]) else 0, position[sid]))


def saturation(
    project: Project,
    *,
    coder: str | Sequence[str] | None = None,
    sources: Sequence[str] | None = None,
    kind: str | None = "interview",
) -> pd.DataFrame:
    """New codes per source in the order the sources were coded: the saturation table.

    One row per coded source, ordered by the earliest ``created`` time of its accepted
    codings (ties and sources with no recorded time in the project's order, with a
    :class:`~tymqual.errors.TymqualWarning` if only some have one). Columns
    :data:`SATURATION_COLUMNS`: ``order`` (1, 2, …), ``source_id``, ``case_id``,
    ``first_coded``, ``codes`` (distinct codes the source carries), ``new_codes`` (of those,
    the codes no earlier source carried), ``total_codes`` (the running total of distinct
    codes) and ``new_code_paths`` (the new codes' paths, ``"; "``-separated, in codebook
    order). A curve of ``total_codes`` that flattens is the usual evidence of saturation
    (Guest, Bunce & Johnson 2006, *Field Methods* 18(1); Saunders et al. 2018, *Quality &
    Quantity* 52).

    ``coder`` limits it to some coders' codings (default: every coder's accepted ones);
    ``kind`` to sources of one kind (default interviews; ``None``: every source);
    ``sources`` to a list of source ids. Sources without accepted codings have no row.
    """
    seg = _accepted(project, coder, sources)
    if kind is not None:
        kinds = project.sources.set_index("source_id")["kind"]
        seg = seg[seg["source_id"].map(kinds) == kind]
    if seg.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in SATURATION_COLUMNS})
    first = _first_coded(project, seg)
    order = _coding_order(project, first)
    rank = {c.path: i for i, c in enumerate(project.codebook)}
    by_source = seg.groupby("source_id")["code_path"].agg(set)
    cases = seg.groupby("source_id")["case_id"].first()
    seen: set[str] = set()
    rows = []
    for i, sid in enumerate(order, start=1):
        used = by_source[sid]
        new = sorted(used - seen, key=lambda path: (rank.get(path, len(rank)), path))
        seen |= used
        rows.append((i, sid, cases[sid], first[sid], len(used), len(new), len(seen),
                     "; ".join(new)))
    return pd.DataFrame(rows, columns=list(SATURATION_COLUMNS))


# ==================================================================== coded share
def covered_length(starts: np.ndarray, ends: np.ndarray) -> int:
    """Code points covered by the union of the spans ``[starts[i], ends[i])``.

    Overlapping or nested codings count once: sorted by start, a span adds only what lies
    beyond the furthest end reached so far.
    """
    if len(starts) == 0:
        return 0
    order = np.argsort(starts, kind="stable")
    s = np.asarray(starts, dtype=np.int64)[order]
    e = np.asarray(ends, dtype=np.int64)[order]
    reached = np.maximum.accumulate(e)
    before = np.concatenate(([s[0]], reached[:-1]))
    return int(np.clip(e - np.maximum(s, before), 0, None).sum())


def _share_rows(sid: str, group: pd.DataFrame, length: int) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for path, codings in group.groupby("code_path", sort=False):
        covered = covered_length(codings["start"].to_numpy(), codings["end"].to_numpy())
        rows.append((sid, path, len(codings), covered, length))
    covered = covered_length(group["start"].to_numpy(), group["end"].to_numpy())
    rows.append((sid, ALL_CODES, len(group), covered, length))
    return rows


def coded_share(
    project: Project,
    *,
    coder: str | Sequence[str] | None = None,
    sources: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The share of each source's text that is coded, per code and with any code.

    Columns :data:`SHARE_COLUMNS`: ``source_id``, ``code_path``, ``segments`` (codings),
    ``coded_chars`` (code points under the code, overlapping codings counted once),
    ``source_chars`` (the source's length) and ``share = coded_chars / source_chars``. Per
    source, the codes it carries in codebook order, then a row ``code_path`` =
    :data:`ALL_CODES` for the text under any code. The length is the whole normalised text
    (speaker labels and headings included), so a fully coded interview stays a little under 1.

    ``coder`` limits it to some coders (default every coder, their codings pooled);
    ``sources`` to some sources (default every source with accepted codings, in the project's
    order).
    """
    seg = _accepted(project, coder, sources)
    seg = _in_codebook_order(project, seg)
    wanted = project.source_ids if sources is None else list(dict.fromkeys(
        [sources] if isinstance(sources, str) else sources))
    groups = dict(tuple(seg.groupby("source_id", sort=False)))
    rows = [row for sid in wanted if sid in groups
            for row in _share_rows(sid, groups[sid], len(project.text(sid)))]
    frame = pd.DataFrame(rows, columns=list(SHARE_COLUMNS[:-1]))
    share = frame["coded_chars"] / frame["source_chars"].where(frame["source_chars"] > 0)
    return frame.assign(share=share.astype(float))


# ==================================================================== one coder only
def _double_coded(seg: pd.DataFrame) -> list[str]:
    coders = seg.groupby("source_id", sort=False)["coder"].nunique()
    return coders[coders >= 2].index.tolist()


def single_coder_codes(
    project: Project,
    *,
    sources: Sequence[str] | None = None,
    include_machine: bool = False,
) -> pd.DataFrame:
    """Codes that only one coder used in the material coded by several: what to discuss first.

    Columns :data:`SINGLE_CODER_COLUMNS`: ``code_path``, the one ``coder`` who used it,
    ``segments`` (that coder's codings of it) and ``sources`` (how many sources). By default
    the sources compared are those with accepted codings by two or more coders (the
    double-coded material), since a code from a source only one coder read says nothing about
    the other; ``sources`` names them instead. The consensus decisions
    (:func:`tymqual.agreement.resolve`) are no coder's; machine coders (autocoding, the
    suggester) are left out unless ``include_machine``. Empty, with a
    :class:`~tymqual.errors.TymqualWarning`, when fewer than two coders coded the sources.
    """
    seg = _accepted(project, None, sources)
    seg = seg[seg["coder"] != CONSENSUS]
    if not include_machine:
        seg = seg[~seg["coder"].map(is_machine_coder)]
    if sources is None:
        seg = seg[seg["source_id"].isin(_double_coded(seg))]
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in SINGLE_CODER_COLUMNS})
    if seg["coder"].nunique() < 2:
        warnings.warn(
            f"{project.ledger.path}: no source has accepted codings by two or more coders, so "
            "no code can be told to be used by one coder only.", TymqualWarning, stacklevel=2,
        )
        return empty
    per_code = seg.groupby("code_path", sort=False)["coder"].nunique()
    single = seg[seg["code_path"].isin(per_code[per_code == 1].index)]
    table = (single.groupby(["code_path", "coder"], sort=False)
             .agg(segments=("coding_id", "size"), sources=("source_id", "nunique"))
             .reset_index())
    return _in_codebook_order(project, table) if not table.empty else empty
