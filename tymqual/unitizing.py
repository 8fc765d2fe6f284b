"""Agreement on freely marked text: Krippendorff's unitizing alpha family.

For coders who each mark passages of any length on the same text (the ATLAS.ti way), where
sentence units (:func:`tymqual.agreement.project_agreement`) would hide how far their
boundaries differ. The input is plain data, one row per coded segment (``coder, start, end,
code``, and ``source`` when there are several texts), offsets 0-based and end-exclusive as in
the ledger; no project is needed.

* ``"alpha_u"``: Krippendorff's α_u (1995; 2004, §11.6), per code from the squared lengths by
  which segments and gaps miss each other; several codes pooled as ``1 − ΣD_o / ΣD_e``.
* The 2016 family (Krippendorff, Mathet, Bouvry & Widlöcher 2016; Krippendorff 2019, §12.6),
  within a *semantic domain* whose codes are alternative values of one variable: ``"u"`` (uα,
  segments and the gaps between them), ``"binary"`` (|uα, relevant matter against gaps),
  ``"cu"`` ((c|u)α, the codes given to intersecting segments), and ``"Cu"`` (Cuα, the domains
  as values, across domains). By default a code's domain is the top of its path
  (``johtaminen/resurssit`` → ``johtaminen``), as the codebook's top-level themes.

:func:`unitizing_alpha` returns one coefficient; :func:`unitizing_table` one row per code,
per domain and in total.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

import numpy as np
import pandas as pd

from tymqual.errors import AgreementError, TymqualWarning

Kind = Literal["alpha_u", "u", "binary", "cu", "Cu"]
KINDS: tuple[str, ...] = ("alpha_u", "u", "binary", "cu", "Cu")
Segments: TypeAlias = pd.DataFrame | Sequence[Sequence[Any]]
Lengths: TypeAlias = int | Mapping[str, int]
TOTAL = "(total)"
UNITIZING_COLUMNS: tuple[str, ...] = (
    "level", "name", "coders", "segments", "alpha_u", "u_alpha", "binary_u_alpha",
    "cu_alpha", "Cu_alpha",
)
_SOURCE = ""


# ==================================================================== input
@dataclass(frozen=True)
class _Data:
    """Segments checked and laid on one continuum: sources end to end."""

    frame: pd.DataFrame  # coder, start, end, code (absolute offsets)
    coders: list[str]
    length: int
    bounds: list[int]  # where each source begins, and the end


def _as_frame(segments: Segments) -> pd.DataFrame:
    if isinstance(segments, pd.DataFrame):
        frame = segments.copy()
        if "source" not in frame.columns and "source_id" in frame.columns:
            frame = frame.rename(columns={"source_id": "source"})
    else:
        rows = [list(r) for r in segments]
        widths = {len(r) for r in rows}
        if widths - {4, 5}:
            raise AgreementError(
                "segments must be rows of (coder, start, end, code) or (coder, source, start, "
                f"end, code); got rows of {sorted(widths)} values."
            )
        five = widths == {5}
        columns = ["coder", "source", "start", "end", "code"] if five else [
            "coder", "start", "end", "code"]
        frame = pd.DataFrame(rows, columns=columns)
    missing = [c for c in ("coder", "start", "end", "code") if c not in frame.columns]
    if missing:
        raise AgreementError(
            f"segments lack the column(s) {', '.join(missing)}; give coder, start, end and code "
            "(and source when there are several texts)."
        )
    if "source" not in frame.columns:
        frame["source"] = _SOURCE
    return frame[["coder", "source", "start", "end", "code"]].reset_index(drop=True)


def _lengths(length: Lengths, sources: list[str]) -> dict[str, int]:
    if isinstance(length, Mapping):
        absent = [s for s in sources if s not in length]
        if absent:
            raise AgreementError(
                f"length gives no length for the source(s) {', '.join(map(repr, absent))}; give "
                "length={source: number of characters} for every source in segments."
            )
        lengths = {str(s): length[s] for s in length}
    elif sources and sources != [_SOURCE]:
        raise AgreementError(
            "segments name sources, so length must give each one's length: "
            "length={source: number of characters}."
        )
    else:
        lengths = {_SOURCE: length}
    bad = {s: n for s, n in lengths.items()
           if isinstance(n, bool) or not isinstance(n, int | np.integer) or n <= 0}
    if bad:
        raise AgreementError(
            f"length must be a whole number of characters above 0; got {bad!r}."
        )
    return {s: int(n) for s, n in lengths.items()}


def _check_offsets(frame: pd.DataFrame, lengths: dict[str, int]) -> None:
    try:
        starts = frame["start"].astype("int64")
        ends = frame["end"].astype("int64")
    except (TypeError, ValueError) as exc:
        raise AgreementError(f"segments: start and end must be whole numbers ({exc}).") from exc
    limit = frame["source"].map(lengths)
    bad = ~((starts >= 0) & (starts < ends) & (ends <= limit))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise AgreementError(
            f"segments row {row} ({frame.loc[row, 'coder']!r}, {frame.loc[row, 'code']!r}, "
            f"{starts[row]}–{ends[row]}) does not lie on its text [0, {limit[row]}); each "
            "segment needs 0 ≤ start < end ≤ the length of its source."
        )


def _prepare(segments: Segments, length: Lengths, coders: Sequence[str] | None) -> _Data:
    frame = _as_frame(segments)
    sources = list(dict.fromkeys(frame["source"].astype(str)))
    frame["source"] = frame["source"].astype(str)
    lengths = _lengths(length, sources)
    _check_offsets(frame, lengths)
    base, at, bounds = {}, 0, []
    for source, n in lengths.items():
        base[source] = at
        bounds.append(at)
        at += n
    bounds.append(at)
    shift = frame["source"].map(base).astype("int64")
    frame = frame.assign(start=frame["start"].astype("int64") + shift,
                         end=frame["end"].astype("int64") + shift,
                         code=frame["code"].astype(str), coder=frame["coder"].astype(str))
    seen = list(dict.fromkeys(frame["coder"]))
    names = seen if coders is None else [str(c) for c in coders]
    unknown = sorted(set(seen) - set(names))
    if unknown:
        raise AgreementError(
            f"segments name coder(s) {', '.join(map(repr, unknown))} not in coders; list every "
            "coder, or leave coders out to take those in the data."
        )
    if len(names) < 2:
        raise AgreementError(
            f"agreement needs at least two coders; segments have {len(names)}. Coders who "
            "marked nothing count too: name them with coders=[...]."
        )
    return _Data(frame[["coder", "start", "end", "code"]], names, at, bounds)


def top_level_domains(codes: Sequence[str]) -> dict[str, str]:
    """Each code's semantic domain: the top of its path (``a/b/c`` → ``a``)."""
    return {c: c.split("/", 1)[0] for c in codes}


# ==================================================================== Krippendorff's α_u
def _sections(units: np.ndarray, bounds: list[int]) -> np.ndarray:
    """``(begin, length, is_unit)`` of one coder's units and the gaps between them, gaps cut
    at the sources' boundaries; ``units`` are ``(start, end)`` rows that do not overlap."""
    rows: list[tuple[int, int, int]] = []
    ordered = sorted(map(tuple, units.tolist()))
    k = 0
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        at = lo
        while k < len(ordered) and ordered[k][0] < hi:
            start, end = ordered[k]
            if start > at:
                rows.append((at, start - at, 0))
            rows.append((start, end - start, 1))
            at, k = end, k + 1
        if at < hi:
            rows.append((at, hi - at, 0))
    return np.array(rows, dtype=np.int64).reshape(-1, 3)


def _overlap(frame: pd.DataFrame, what: str) -> str | None:
    """Why the segments cannot be used if a coder's overlap within ``what`` (one code or
    one domain), else None."""
    for coder, mine in frame.groupby("coder", sort=False):
        ordered = mine.sort_values(["start", "end"])
        starts, ends = ordered["start"].to_numpy(), ordered["end"].to_numpy()
        clash = np.flatnonzero(starts[1:] < np.maximum.accumulate(ends)[:-1])
        if clash.size:
            i = int(clash[0]) + 1
            return (f"coder {coder!r} has overlapping segments in {what} (one starts at "
                    f"{starts[i]}, inside an earlier one ending at {ends[:i].max()})")
    return None


def _pairs_meeting(begin: np.ndarray, end: np.ndarray, their_begin: np.ndarray,
                   their_end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs ``(g, h)`` whose spans ``[begin, end)`` share a character, for sections
    ``h`` sorted by begin whose ends are sorted too (none contains another)."""
    lo = np.searchsorted(their_end, begin, side="right")
    hi = np.searchsorted(their_begin, end, side="left")
    return _expand(lo, hi)


def _expand(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every ``(i, j)`` with ``lo[i] <= j < hi[i]``, as two index arrays."""
    n = np.maximum(hi - lo, 0)
    first = np.repeat(np.arange(len(n)), n)
    second = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n) + np.repeat(lo, n)
    return first, second


def _squared_miss(g: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Krippendorff's δ² (2004, p. 252) of sections ``g[i]`` and ``h[i]`` of two coders,
    each row ``(begin, length, is_unit)``: overlapping units miss by the squared distances
    of their begins and ends, a unit inside the other's gap by its squared length."""
    bg, lg, wg = g[:, 0], g[:, 1], g[:, 2] == 1
    bh, lh, wh = h[:, 0], h[:, 1], h[:, 2] == 1
    shift = bg - bh
    both = wg & wh & (-lg < shift) & (shift < lh)
    g_in_gap = wg & ~wh & (lh - lg >= shift) & (shift >= 0)
    h_in_gap = wh & ~wg & (lg - lh >= -shift) & (shift <= 0)
    return np.where(both, shift**2 + (shift + lg - lh) ** 2,
                    np.where(g_in_gap, lg**2, np.where(h_in_gap, lh**2, 0)))


def _observed_miss(secs: list[np.ndarray]) -> float:
    """Σ_i Σ_{j≠i} Σ_g Σ_h δ²: only sections that share characters can miss each other."""
    total = 0
    for i, mine in enumerate(secs):
        for j, theirs in enumerate(secs):
            if i == j:
                continue
            g, h = _pairs_meeting(mine[:, 0], mine[:, 0] + mine[:, 1], theirs[:, 0],
                                  theirs[:, 0] + theirs[:, 1])
            total += int(_squared_miss(mine[g], theirs[h]).sum())
    return float(total)


def _expected_miss(secs: list[np.ndarray], length: int) -> float:
    """The expected disagreement D_e of α_u (Krippendorff 2004, §11.6), times its divisor."""
    every = np.concatenate(secs)
    units = every[every[:, 2] == 1, 1].astype(np.float64)
    gaps = np.sort(every[every[:, 2] == 0, 1].astype(np.float64))
    after = np.concatenate([np.cumsum(gaps[::-1])[::-1], [0.0]])
    first = np.searchsorted(gaps, units, side="left")
    # Σ_gaps ≥ l (l_gap − l + 1): the places a unit of length l fits in a gap
    fits = after[first] - (units - 1.0) * (len(gaps) - first)
    n_c = len(units)
    within = (n_c - 1) / 3.0 * (2 * units**3 - 3 * units**2 + units)
    m_l = len(secs) * float(length)
    numerator = 4.0 / m_l * float((within + units**2 * fits).sum())
    return numerator / (m_l * (m_l - 1.0) - float((units * (units - 1.0)).sum()))


def _alpha_u_parts(data: _Data, code: str) -> tuple[float, float]:
    """``(D_o, D_e)`` of α_u for one code."""
    mine = data.frame[data.frame["code"] == code]
    secs = []
    for coder in data.coders:
        units = mine.loc[mine["coder"] == coder, ["start", "end"]].to_numpy(dtype=np.int64)
        secs.append(_sections(units.reshape(-1, 2), data.bounds))
    m = len(data.coders)
    observed = _observed_miss(secs) / (m * (m - 1) * float(data.length) ** 2)
    return observed, _expected_miss(secs, data.length)


# ==================================================================== the 2016 family
def _runs(lo: np.ndarray, hi: np.ndarray, column: np.ndarray, rows: int, columns: int
          ) -> np.ndarray:
    """rows × columns: how many of the runs ``[lo[i], hi[i])`` in ``column[i]`` cover each
    row (a +1 where a run begins and a −1 where it ends, summed down the rows)."""
    change = np.zeros((rows + 1, columns), dtype=np.int64)
    np.add.at(change, (lo, column), 1)
    np.add.at(change, (hi, column), -1)
    return np.cumsum(change, axis=0)[:-1]


def _elementary(data: _Data, frame: pd.DataFrame, values: list[str]
                ) -> tuple[np.ndarray, np.ndarray]:
    """Lengths of the pieces between all boundaries, and pieces × values+1 counts of coders
    (value 0 = a gap)."""
    cuts = np.unique(np.concatenate([data.bounds, frame["start"], frame["end"]]))
    lengths = np.diff(cuts).astype(np.float64)
    lo = np.searchsorted(cuts, frame["start"].to_numpy())
    hi = np.searchsorted(cuts, frame["end"].to_numpy())
    index = {v: k + 1 for k, v in enumerate(values)}
    column = frame["value"].map(index).to_numpy(dtype=np.int64)
    counts = _runs(lo, hi, column, len(lengths), len(values) + 1).astype(np.float64)
    position = {c: i for i, c in enumerate(data.coders)}
    coder = frame["coder"].map(position).to_numpy(dtype=np.int64)
    covered = _runs(lo, hi, coder, len(lengths), len(data.coders)) > 0
    counts[:, 0] = len(data.coders) - covered.sum(axis=1)
    return lengths, counts


def _u_matrices(data: _Data, frame: pd.DataFrame, values: list[str]
                ) -> tuple[np.ndarray, np.ndarray]:
    """Observed and expected coincidences of uα (values and gaps, value 0 = gap)."""
    m = len(data.coders)
    lengths, counts = _elementary(data, frame, values)
    weighted = counts * lengths[:, None]
    observed = (weighted.T @ counts - np.diag(weighted.sum(axis=0))) / (m - 1)
    margins = observed.sum(axis=1)
    total = float(margins.sum())
    squares = np.zeros(len(values) + 1)
    seg = (frame["end"] - frame["start"]).to_numpy(dtype=np.float64)
    for k, v in enumerate(values):
        squares[k + 1] = float((seg[(frame["value"] == v).to_numpy()] ** 2).sum())
    squares[0] = margins[0]  # a gap counts as single characters: Σ ℓ over gaps
    expected = total * (np.outer(margins, margins) - np.diag(squares))
    return observed, expected / (total**2 - squares.sum())


def _shared(mine: pd.DataFrame, theirs: pd.DataFrame
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The characters shared by each intersecting pair of ``mine[g]`` and ``theirs[h]``
    (``theirs`` sorted by start), and the pairs' positions ``g`` and ``h``."""
    start, end = mine["start"].to_numpy(), mine["end"].to_numpy()
    t_start, t_end = theirs["start"].to_numpy(), theirs["end"].to_numpy()
    # Segments of one coder may nest: a segment reaching back at most the longest length.
    reach = int((t_end - t_start).max())
    g, h = _expand(np.searchsorted(t_start, start - reach, side="left"),
                   np.searchsorted(t_start, end, side="left"))
    shared = np.minimum(end[g], t_end[h]) - np.maximum(start[g], t_start[h])
    hit = shared > 0
    return shared[hit].astype(np.float64), g[hit], h[hit]


def _intersections(data: _Data, frame: pd.DataFrame, values: list[str]
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Coincidences of valued segments where they intersect, and per value Σ (a segment's
    intersection with one other coder's segments)²: what (c|u)α and Cuα are built from."""
    m = len(data.coders)
    index = {v: k for k, v in enumerate(values)}
    observed = np.zeros((len(values), len(values)))
    squares = np.zeros(len(values))
    by_coder = {c: g.sort_values("start") for c, g in frame.groupby("coder", sort=False)}
    for coder, mine in by_coder.items():
        for other, theirs in by_coder.items():
            if other == coder:
                continue
            shared, g, h = _shared(mine, theirs)
            mine_value = mine["value"].map(index).to_numpy(dtype=np.int64)
            their_value = theirs["value"].map(index).to_numpy(dtype=np.int64)
            np.add.at(observed, (mine_value[g], their_value[h]), shared / (m - 1))
            per_segment = np.bincount(g, weights=shared, minlength=len(mine))
            np.add.at(squares, mine_value, per_segment**2)
    return observed, squares


def _cu_alpha(data: _Data, frame: pd.DataFrame, values: list[str]) -> tuple[float, str | None]:
    m = len(data.coders)
    observed, squares = _intersections(data, frame, values)
    margins = observed.sum(axis=1)
    total = float(margins.sum())
    if total == 0:
        return math.nan, "no two coders' segments intersect"
    if (margins > 0).sum() < 2:
        return math.nan, "the intersecting segments all have one value"
    divisor = total - squares.sum() / (total * (m - 1))
    if divisor <= 0:
        return math.nan, ("only one pair of segments intersects; chance agreement cannot be "
                          "estimated from it")
    expected = (np.outer(margins, margins) - np.diag(squares / (m - 1))) / divisor
    return _nominal(observed, expected)


def _nominal(observed: np.ndarray, expected: np.ndarray) -> tuple[float, str | None]:
    d_e = float(expected.sum() - np.trace(expected))
    if d_e <= 0:
        return math.nan, "no disagreement is expected by chance"
    return 1.0 - float(observed.sum() - np.trace(observed)) / d_e, None


def _binary(observed: np.ndarray, expected: np.ndarray) -> tuple[float, str | None]:
    d_e = float(expected[0].sum() - expected[0, 0])
    if d_e <= 0:
        return math.nan, "nothing or everything is marked, so no disagreement is expected"
    return 1.0 - float(observed[0].sum() - observed[0, 0]) / d_e, None


def _family(data: _Data, frame: pd.DataFrame, kind: str) -> tuple[float, str | None]:
    """uα, |uα or (c|u)α of the codes in ``frame`` taken as the values of one domain."""
    values = sorted(set(frame["value"]))
    if frame.empty:
        return math.nan, "no coder marked anything"
    if kind == "cu":
        return _cu_alpha(data, frame, values)
    observed, expected = _u_matrices(data, frame, values)
    return (_nominal if kind == "u" else _binary)(observed, expected)


# ==================================================================== public functions
def _check_kind(kind: object) -> None:
    if kind not in KINDS:
        raise AgreementError(
            f"kind={kind!r} is not a unitizing coefficient; use one of {', '.join(KINDS)}."
        )


def _domains(codes: list[str], domains: Mapping[str, str] | None) -> dict[str, str]:
    if domains is None:
        return top_level_domains(codes)
    absent = [c for c in codes if c not in domains]
    if absent:
        raise AgreementError(
            f"domains gives no semantic domain for the code(s) {', '.join(map(repr, absent))}; "
            "map every code to its domain, or leave domains out to use the top of each path."
        )
    return {c: str(domains[c]) for c in codes}


def _alpha_u(data: _Data, codes: list[str]) -> tuple[float, str | None]:
    parts = [_alpha_u_parts(data, c) for c in codes]
    d_e = sum(e for _, e in parts)
    if not parts or d_e <= 0:
        return math.nan, "no disagreement is expected by chance (no code has segments)"
    return 1.0 - sum(o for o, _ in parts) / d_e, None


def unitizing_alpha(
    segments: Segments,
    length: Lengths,
    kind: Kind = "u",
    *,
    domains: Mapping[str, str] | None = None,
    coders: Sequence[str] | None = None,
) -> float:
    """One coefficient of Krippendorff's unitizing alpha family for freely marked text.

    ``segments``: a DataFrame with columns ``coder, start, end, code`` (and ``source`` for
    several texts), or a list of such tuples; offsets 0-based and end-exclusive on
    ``[0, length)``. ``length`` is the text's length in characters, or ``{source: length}``.
    Each row is one segment (a coder's abutting segments are never merged); every coder in
    the data, or in ``coders``, counts, also where they marked nothing with a code.

    * ``"alpha_u"``: Krippendorff's α_u. For code ``c`` each coder's text is cut into units
      of ``c`` and gaps (sections ``g`` with begin ``b``, length ``l``, ``w`` = 1 for a unit);
      two coders' sections miss each other by ``δ² = (b_g − b_h)² + (b_g + l_g − b_h −
      l_h)²`` for overlapping units, ``l²`` for a unit inside the other's gap, else 0;
      ``D_o = Σ_i Σ_j≠i Σ_g Σ_h δ² / (m (m − 1) L²)`` and ``D_e`` is Krippendorff's (2004,
      p. 253) expectation over all placements of the units; several codes pool as
      ``1 − ΣD_o / ΣD_e``.
    * ``"u"``, ``"binary"``, ``"cu"``: the 2016 family for the codes as the values of one
      semantic domain. Coincidences ``l_ck`` are the characters on which one coder has
      value ``c`` and another ``k`` (value 0 = not marked), over ``m − 1``; expected
      ``e_ck = l.. (l_c l_k − [c = k] Σ ℓ²) / (l..² − Σ ℓ²)`` with ``ℓ`` the lengths of the
      segments of ``c`` (a gap counts as single characters). uα ``= 1 − (l.. − Σ l_cc) /
      (l.. − Σ e_cc)``; |uα compares marked with unmarked matter only, ``1 − (l_0. − l_00) /
      (e_0. − e_00)``; (c|u)α the codes of intersecting segments only, with ``ℓ`` the
      length by which a segment meets the other coder's segments.
    * ``"Cu"``: (c|u)α with each code's semantic domain (``domains``, by default the top of
      the code's path) as its value: do coders put the same passages in the same domains?

    Within a code (``alpha_u``) or a domain (``u``, ``binary``) a coder's segments must not
    overlap (an :class:`~tymqual.errors.AgreementError` says where). ``nan`` with a warning
    when the coefficient is undefined. References: Krippendorff, K. (1995). On the
    reliability of unitizing continuous data. *Sociological Methodology* 25, 47–76;
    Krippendorff, K. (2004). *Content Analysis*, 2nd ed., §11.6; Krippendorff, K., Mathet,
    Y., Bouvry, S. & Widlöcher, A. (2016). On the reliability of unitizing textual continua:
    further developments. *Quality & Quantity* 50, 2347–2364; Krippendorff, K. (2019).
    *Content Analysis*, 4th ed., §12.6.

    >>> spans = [("A", 2, 10, "x"), ("A", 14, 20, "x"), ("B", 4, 8, "x"), ("B", 15, 17, "x")]
    >>> round(unitizing_alpha(spans, 24, kind="alpha_u"), 3)
    0.515
    """
    _check_kind(kind)
    data = _prepare(segments, length, coders)
    codes = sorted(set(data.frame["code"]))
    clash = _clash(data.frame, codes, kind)
    if clash is not None:
        raise AgreementError(
            f"{clash}; within a code (alpha_u) or a semantic domain (u, binary) a coder's "
            "segments must not overlap. Give the codes separate domains, or use kind='cu' or "
            "'Cu', which compare only where segments intersect."
        )
    if kind == "alpha_u":
        value, why = _alpha_u(data, codes)
    else:
        named = _domains(codes, domains)
        frame = data.frame.assign(
            value=data.frame["code"].map(named) if kind == "Cu" else data.frame["code"])
        value, why = _family(data, frame, "cu" if kind == "Cu" else kind)
    if why is not None:
        warnings.warn(f"Unitizing alpha ({kind}) is undefined (NaN): {why}.", TymqualWarning,
                      stacklevel=2)
    return value


def _clash(frame: pd.DataFrame, codes: list[str], kind: str) -> str | None:
    """The first overlap that makes ``kind`` unusable on these segments, if any."""
    if kind == "alpha_u":
        found = (_overlap(frame[frame["code"] == c], f"code {c!r}") for c in codes)
        return next((f for f in found if f is not None), None)
    return _overlap(frame, "one semantic domain") if kind in ("u", "binary") else None


def _quiet(compute: Any, clash: str | None = None) -> float:
    """The coefficient without its undefined-value warnings (a table shows NaN), or NaN with
    one warning when ``clash`` says a coder's segments overlap."""
    if clash is not None:
        warnings.warn(f"{clash}: its unitizing alpha is NaN.", TymqualWarning, stacklevel=3)
        return math.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TymqualWarning)
        return float(compute())


def unitizing_table(
    segments: Segments,
    length: Lengths,
    *,
    domains: Mapping[str, str] | None = None,
    coders: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The unitizing alpha family per code, per semantic domain and in total.

    Columns ``level`` (``code``, ``domain`` or ``total``), ``name``, ``coders``,
    ``segments`` and the coefficients ``alpha_u``, ``u_alpha``, ``binary_u_alpha``,
    ``cu_alpha``, ``Cu_alpha`` as in :func:`unitizing_alpha`: a code row gives α_u and the
    binary |uα of the code alone; a domain row the 2016 family with the domain's codes as
    values; the total row α_u of every code pooled and Cuα across domains. Where a coder's
    segments overlap within a code or a domain, the coefficients that need them apart are NaN
    and a warning names the coder and the place; (c|u)α and Cuα are still given.
    """
    data = _prepare(segments, length, coders)
    frame = data.frame
    codes = sorted(set(frame["code"]))
    named = _domains(codes, domains)
    rows = []
    for code in codes:
        part = frame[frame["code"] == code].assign(value=code)
        clash = _overlap(part, f"code {code!r}")
        rows.append(("code", code, part, {
            "alpha_u": _quiet(lambda c=code: _alpha_u(data, [c])[0], clash),
            "binary_u_alpha": _quiet(lambda p=part: _family(data, p, "binary")[0], clash)}))
    for domain in sorted(set(named.values())):
        part = frame[frame["code"].map(named) == domain].assign(value=lambda f: f["code"])
        clash = _overlap(part, f"domain {domain!r}")
        rows.append(("domain", domain, part, {
            "u_alpha": _quiet(lambda p=part: _family(data, p, "u")[0], clash),
            "binary_u_alpha": _quiet(lambda p=part: _family(data, p, "binary")[0], clash),
            "cu_alpha": _quiet(lambda p=part: _family(data, p, "cu")[0])}))
    every = frame.assign(value=frame["code"].map(named))
    pooled = None if _clash(frame, codes, "alpha_u") is None else "pooled"
    rows.append(("total", TOTAL, frame, {
        "alpha_u": math.nan if pooled else _quiet(lambda: _alpha_u(data, codes)[0]),
        "Cu_alpha": _quiet(lambda: _family(data, every, "cu")[0])}))
    table = pd.DataFrame([
        {"level": level, "name": name, "coders": len(data.coders), "segments": len(part),
         **{c: values.get(c, math.nan) for c in UNITIZING_COLUMNS[4:]}}
        for level, name, part, values in rows], columns=list(UNITIZING_COLUMNS))
    return table.astype({c: "float64" for c in UNITIZING_COLUMNS[4:]})


__all__ = ["KINDS", "TOTAL", "UNITIZING_COLUMNS", "top_level_domains", "unitizing_alpha",
           "unitizing_table"]
