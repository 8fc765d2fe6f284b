"""Agreement between coders: how far two (or more) coders coded the material alike.

For a thesis author who double-codes part of the interviews and must report inter-coder
reliability, and for the consensus meeting that follows. Two layers:

* **Statistics** (pure functions on labels, reliability data or contingency tables):
  :func:`krippendorff_alpha`, :func:`cohen_kappa` / :func:`cohen_kappa_table`,
  :func:`scott_pi`, :func:`fleiss_kappa`, :func:`gwet_ac1` and :func:`percent_agreement`;
  bootstrap intervals :func:`krippendorff_alpha_ci` (Hayes & Krippendorff 2007) and
  :func:`cohen_kappa_ci`; for kappa's prevalence problem :func:`pabak`,
  :func:`prevalence_index`, :func:`bias_index` and :func:`is_kappa_paradox`. Each is pinned in
  the tests to the published worked examples or to an independent implementation. A
  coefficient that is undefined for the data (one category only, nothing pairable, a single
  unit) is ``nan`` with a :class:`~tymqual.errors.TymqualWarning` saying why; bad input
  raises :class:`AgreementError` naming the argument and the remedy.
* **On a coded project**: :func:`project_agreement` (one row per code, with intervals and
  the share double-coded; ``unit="free"`` for the unitizing alpha family of
  :mod:`tymqual.unitizing`), :func:`reliability_table` (the same for a report),
  :func:`disagreements` (the list for the consensus meeting), :func:`resolve` (record the
  agreed decision as coder ``"consensus"``). Bringing a second coder's codings back from a
  copy of the project folder is :func:`tymqual.merge.merge_codings` (still importable from
  here, for notebooks written before it moved).

Units on a project are speaker turns, sentences within turns (:func:`sentence_spans`) or, the
MAXQDA way, the coded segments themselves. Only ``accepted`` codings count, and a code counts
as itself: codings of its subcodes do not roll up into it. A machine coder (autocoding, the
suggester: :func:`tymqual.autocode.is_machine_coder`) is compared like a person, with every
coding it proposed counting, accepted or not, so that ``precision`` and ``recall`` judge it
against a person.
"""

from __future__ import annotations

import math
import numbers
import warnings
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeAlias

import numpy as np
import pandas as pd

from tymqual.autocode import is_machine_coder
from tymqual.codings import CODING_COLUMNS, DEFAULT_CODERS, new_coding_id
from tymqual.errors import AgreementError, TymqualWarning
from tymqual.formatting import Lang, check_lang
from tymqual.merge import merge_codings  # moved to tymqual.merge; older notebooks import it here
from tymqual.morphology import ABBREVIATIONS, sentence_spans  # the one sentence rule
from tymqual.progress import progress
from tymqual.spans import SourceAxis
from tymqual.text import check_span
from tymqual.unitizing import unitizing_alpha, unitizing_table  # issue 21's API names it here

if TYPE_CHECKING:
    from tymqual.project import Project

Level = Literal["nominal", "ordinal", "interval", "ratio"]
Weights = Literal["linear", "quadratic"] | None
Unit = Literal["sentence", "turn", "overlap", "free"]
Decision = Literal["code", "no_code"]
ReliabilityData: TypeAlias = pd.DataFrame | np.ndarray | Sequence[Sequence[Any]]
Labels: TypeAlias = pd.Series | np.ndarray | Sequence[Any]

LEVELS: tuple[str, ...] = ("nominal", "ordinal", "interval", "ratio")
WEIGHTS: tuple[str, ...] = ("linear", "quadratic")
UNITS: tuple[str, ...] = ("sentence", "turn", "overlap", "free")
TOTAL = "(total)"
"""``code_path`` of the row of :func:`project_agreement` that pools every code."""
CONSENSUS = "consensus"
"""The coder name under which :func:`resolve` records the consensus decisions."""
AGREEMENT_COLUMNS: tuple[str, ...] = (
    "code_path", "units", "both", "only_a", "only_b", "neither", "percent_agreement",
    "cohen_kappa", "krippendorff_alpha",
)
RIGOUR_COLUMNS: tuple[str, ...] = (
    "kappa_lo", "kappa_hi", "alpha_lo", "alpha_hi", "gwet_ac1", "pabak", "prevalence_index",
    "bias_index", "kappa_paradox", "precision", "recall", "double_coded_share",
)
"""Columns :func:`project_agreement` adds after :data:`AGREEMENT_COLUMNS`."""
DISAGREEMENT_COLUMNS: tuple[str, ...] = (
    "source_id", "unit_start", "unit_end", "code_path", "coded_by", "missing_from", "text",
)
_MAX_LISTED = 10


# ==================================================================== shared input handling
def _undefined(statistic: str, why: str) -> float:
    """Warn that ``statistic`` is undefined for these data and return ``nan``."""
    warnings.warn(f"{statistic} is undefined (NaN): {why}.", TymqualWarning, stacklevel=3)
    return float("nan")


def _warned(statistic: str, value: float, why: str | None) -> float:
    if why is not None:
        warnings.warn(f"{statistic} is undefined (NaN): {why}.", TymqualWarning, stacklevel=3)
    return value


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


def _plain(value: Any) -> Any:
    """A NumPy scalar as the Python scalar it holds, so 1, 1.0 and np.int64(1) are one label."""
    return value.item() if isinstance(value, np.generic) else value


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _ordered(values: Iterable[Any]) -> list[Any]:
    """Distinct values, numbers in numeric order, text alphabetically, a mix by type then text."""
    distinct = list(dict.fromkeys(values))
    if all(_is_number(v) for v in distinct) or all(isinstance(v, str) for v in distinct):
        return sorted(distinct)
    return sorted(distinct, key=lambda v: (type(v).__name__, str(v)))


def _listed(items: Sequence[Any]) -> str:
    shown = ", ".join(str(i) for i in items[:_MAX_LISTED])
    more = len(items) - _MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


def _labels(values: Labels, name: str) -> list[Any]:
    """A one-dimensional sequence of labels as a list of plain Python values."""
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise AgreementError(
            f"{name} must be a sequence of labels (a list, Series or 1-D array), one per unit; "
            f"got {type(values).__name__}."
        )
    if isinstance(values, pd.DataFrame) or (isinstance(values, np.ndarray) and values.ndim != 1):
        raise AgreementError(
            f"{name} must be one-dimensional, one label per unit; for a table of several coders "
            "use krippendorff_alpha() or percent_agreement(data)."
        )
    return [_plain(v) for v in (values.tolist() if hasattr(values, "tolist") else values)]


def _pairs(a: Labels, b: Labels) -> tuple[list[Any], list[Any]]:
    """The two label lists with every unit that either coder left missing dropped."""
    first, second = _labels(a, "a"), _labels(b, "b")
    if len(first) != len(second):
        raise AgreementError(
            f"a has {len(first)} labels and b has {len(second)}; give one label per unit from "
            "each coder, with None or NaN where a coder did not code the unit."
        )
    kept = [(x, y) for x, y in zip(first, second, strict=True)
            if not (_is_missing(x) or _is_missing(y))]
    return [x for x, _ in kept], [y for _, y in kept]


# ==================================================================== Krippendorff's alpha
@dataclass(frozen=True)
class _Reliability:
    """Reliability data reduced to what alpha needs: the values and each unit's value counts."""

    values: list[Any]  # the value domain, ordered
    counts: np.ndarray  # units × values: how many coders gave the unit the value


def _coder_rows(data: ReliabilityData) -> list[list[Any]]:
    if isinstance(data, pd.DataFrame):
        return [[_plain(v) for v in row] for row in data.to_numpy(dtype=object).tolist()]
    if isinstance(data, np.ndarray):
        if data.ndim != 2:
            raise AgreementError(
                f"data must be two-dimensional (coders × units); got an array with {data.ndim} "
                "dimension(s). Give one row per coder and one column per unit."
            )
        return [[_plain(v) for v in row] for row in data.tolist()]
    if isinstance(data, str) or not isinstance(data, Iterable):
        raise AgreementError(
            f"data must be a table of coders × units (a DataFrame, 2-D array or list of rows); "
            f"got {type(data).__name__}."
        )
    rows = []
    for i, row in enumerate(data):
        if isinstance(row, str) or not isinstance(row, Iterable):
            raise AgreementError(
                f"data row {i} is {type(row).__name__}, not a row of values; give one row per "
                "coder with one value (or None) per unit."
            )
        rows.append([_plain(v) for v in row])
    return rows


def _numeric_array(data: ReliabilityData) -> np.ndarray | None:
    """``data`` as a float array when it is a 2-D table of plain NumPy numbers, else None."""
    if isinstance(data, pd.DataFrame):
        if not all(isinstance(t, np.dtype) and t.kind in "iuf" for t in data.dtypes):
            return None
        return data.to_numpy(dtype=np.float64) if data.shape[1] else None
    if isinstance(data, np.ndarray) and data.dtype.kind in "iuf" and data.ndim == 2:
        return data
    return None


def _numeric_reliability(data: ReliabilityData, level: str) -> _Reliability | None:
    """The counts of numeric reliability data computed on whole arrays, or None to take the
    general path (which also words every error)."""
    array = _numeric_array(data)
    if array is None or array.shape[0] < 2 or array.shape[1] == 0 or level not in LEVELS:
        return None
    floats = array.astype(np.float64, copy=False)
    present = ~np.isnan(floats)
    if level != "nominal" and not np.isfinite(floats[present]).all():
        return None
    found, inverse = np.unique(array[present], return_inverse=True)
    units = array.shape[1]
    unit_of = np.broadcast_to(np.arange(units), array.shape)[present]
    counts = np.bincount(unit_of * len(found) + inverse.ravel(), minlength=units * len(found))
    return _Reliability([_plain(v) for v in found], counts.reshape(units, len(found)))


def _reliability(data: ReliabilityData, level: str = "nominal") -> _Reliability:
    """Check reliability data (coders × units) and count the values per unit."""
    fast = _numeric_reliability(data, level)
    if fast is not None:
        return fast
    rows = _coder_rows(data)
    if len(rows) < 2:
        raise AgreementError(
            f"data has {len(rows)} coder row(s); agreement needs at least two coders. Give one "
            "row per coder and one column per unit (transpose a units × coders table with .T)."
        )
    lengths = [len(r) for r in rows]
    if len(set(lengths)) > 1:
        common = Counter(lengths).most_common(1)[0][0]  # on a tie, the first row's length
        odd = [f"row {i} ({n} values)" for i, n in enumerate(lengths) if n != common]
        raise AgreementError(
            f"data rows differ in length: {_listed(odd)}, the others have {common}; every coder "
            "row needs one entry per unit, with None or NaN where the coder did not code it."
        )
    if lengths[0] == 0:
        raise AgreementError("data has no units (columns); give at least one unit per coder row.")
    if level not in LEVELS:
        raise AgreementError(
            f"level={level!r} is not a level of measurement; use one of {', '.join(LEVELS)} "
            "(nominal for coded categories)."
        )
    if level != "nominal":
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if not _is_missing(v) and not (_is_number(v) and math.isfinite(v)):
                    raise AgreementError(
                        f"level={level!r} needs finite numbers, but data row {i}, unit {j} holds "
                        f"{v!r}. Use level='nominal' for unordered labels, or map ordered labels "
                        "to numbers (ranks) first."
                    )
    values = _ordered(v for row in rows for v in row if not _is_missing(v))
    position = {v: k for k, v in enumerate(values)}
    counts = np.zeros((lengths[0], len(values)), dtype=np.int64)
    for row in rows:
        for unit, v in enumerate(row):
            if not _is_missing(v):
                counts[unit, position[v]] += 1
    return _Reliability(values, counts)


def _coincidence_matrix(counts: np.ndarray) -> np.ndarray:
    """o_ck = Σ_u n_uc (n_uk − [c = k]) / (m_u − 1) over units with m_u ≥ 2 pairable values."""
    counts = counts[counts.sum(axis=1) >= 2].astype(np.float64)
    if counts.size == 0:
        return np.zeros((counts.shape[1], counts.shape[1]))
    # The sum over units as one product: Σ_u w_uc n_uk − [c = k] Σ_u w_uc, w = n / (m − 1).
    weighted = counts / (counts.sum(axis=1) - 1)[:, None]
    return np.asarray(weighted.T @ counts - np.diag(weighted.sum(axis=0)))


def _expected_coincidences(n_v: np.ndarray) -> np.ndarray:
    """e_ck = n_c (n_k − [c = k]) / (n − 1): coincidences if values were paired by chance."""
    n = n_v.sum()
    return np.asarray((np.outer(n_v, n_v) - np.diag(n_v)) / (n - 1))


def _delta_squared(values: list[Any], n_v: np.ndarray, level: str) -> np.ndarray:
    """The δ² difference function of Krippendorff (2011) for each pair of values."""
    k = len(values)
    if level == "nominal":
        return np.ones((k, k)) - np.eye(k)
    if level == "ordinal":
        # δ²_ck = (Σ_{g=c..k} n_g − (n_c + n_k)/2)², i.e. the squared distance between the
        # midpoints of the values' cumulative frequency ranges.
        mid = np.cumsum(n_v) - n_v / 2
        return np.asarray((mid[:, None] - mid[None, :]) ** 2)
    v = np.asarray(values, dtype=np.float64)
    diff = v[:, None] - v[None, :]
    if level == "interval":
        return np.asarray(diff**2)
    total = v[:, None] + v[None, :]
    ratio = np.divide(diff, total, out=np.zeros_like(diff), where=total != 0)
    return np.asarray(ratio**2)


def _alpha(rel: _Reliability, level: str) -> tuple[float, str | None]:
    """Alpha and, when it is undefined, why: α = 1 − D_o/D_e = 1 − (n−1) Σ o δ² / Σ n_c n_k δ²."""
    pairable_units = int((rel.counts.sum(axis=1) >= 2).sum())
    if pairable_units == 0:
        return math.nan, "no unit has values from two or more coders, so nothing can be paired"
    if pairable_units == 1:
        return math.nan, ("only one unit has values from two or more coders; alpha needs at "
                          "least two such units to estimate the disagreement expected by chance")
    return _alpha_of(_coincidence_matrix(rel.counts), rel.values, level)


def _shown(value: Any) -> str:
    """A value as a reader sees it in a message: a number the same however the data came
    (``2``, not ``2.0`` from an array and ``2`` from a list), text quoted."""
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        return f"{float(value):g}"
    return repr(value)


def _alpha_of(o: np.ndarray, values: list[Any], level: str) -> tuple[float, str | None]:
    """Alpha from the coincidence matrix ``o`` of at least two pairable units."""
    n_v = o.sum(axis=0)
    used = [v for v, n in zip(values, n_v, strict=True) if n > 0]
    if len(used) < 2:
        return math.nan, (f"every pairable value is {_shown(used[0])}; with one category only "
                          "there is no variation to agree on, so agreement cannot be told from "
                          "chance")
    delta2 = _delta_squared(values, n_v, level)
    observed = float((o * delta2).sum())
    expected = float((_expected_coincidences(n_v) * delta2).sum())
    return 1.0 - observed / expected, None


def krippendorff_alpha(data: ReliabilityData, level: Level = "nominal") -> float:
    """Krippendorff's alpha for reliability data of any number of coders, with missing values.

    ``data`` is coders × units (one row per coder, one column per unit): a DataFrame, a 2-D
    array or a list of rows. ``None`` or ``NaN`` marks a unit the coder did not code. Values
    may be text for ``level="nominal"``; the other levels need numbers (``ordinal``: any
    numbers whose order is the order of the categories).

    The coincidence-matrix formulation of Krippendorff (2011): with ``n_uc`` coders giving
    unit ``u`` value ``c`` and ``m_u`` values in the unit, the coincidences are
    ``o_ck = Σ_u n_uc (n_uk − [c=k]) / (m_u − 1)`` over units with ``m_u ≥ 2``; ``n_c = Σ_k
    o_ck`` and ``n = Σ_c n_c`` is the number of pairable values, and

    ``α = 1 − D_o / D_e = 1 − (n − 1) Σ_ck o_ck δ²_ck / Σ_ck n_c n_k δ²_ck``

    with the difference function ``δ²`` of the level: nominal ``[c ≠ k]``; ordinal
    ``(Σ_{g=c..k} n_g − (n_c + n_k)/2)²`` (ranks of the value frequencies); interval
    ``(c − k)²``; ratio ``((c − k)/(c + k))²``. Alpha is 1 for perfect agreement, 0 for
    agreement at chance level; Krippendorff recommends α ≥ 0.800, and ≥ 0.667 for tentative
    conclusions.

    ``nan`` with a :class:`~tymqual.errors.TymqualWarning` when alpha is undefined: nothing
    pairable, only one pairable unit, or one value only. Reference: Krippendorff, K. (2011).
    *Computing Krippendorff's Alpha-Reliability*. Annenberg School for Communication.

    >>> ben = ["a", "a", "b", "b", "d", "c", "c", "c", "e", "d", "d", "a"]
    >>> gerry = ["b", "a", "b", "b", "b", "c", "c", "c", "e", "d", "d", "d"]
    >>> round(krippendorff_alpha([ben, gerry]), 3)
    0.692
    >>> round(krippendorff_alpha([[1, 2, 3, 3], [1, 2, None, 4]], level="interval"), 3)
    0.878
    """
    return _warned("Krippendorff's alpha", *_alpha(_reliability(data, level), level))


# ==================================================================== kappa and pi
def _weight_matrix(k: int, weights: object) -> np.ndarray:
    """Disagreement weights by category position: 1 − I, |i − j| or (i − j)²."""
    if weights is None:
        return np.ones((k, k)) - np.eye(k)
    if weights not in WEIGHTS:
        raise AgreementError(
            f"weights={weights!r} is not a weighting; use None (unweighted kappa), 'linear' or "
            "'quadratic'."
        )
    i = np.arange(k, dtype=np.float64)
    diff = np.abs(i[:, None] - i[None, :])
    return np.asarray(diff if weights == "linear" else diff**2)


def _as_table(table: object) -> np.ndarray:
    frame = table.to_numpy() if isinstance(table, pd.DataFrame) else table
    try:
        arr = np.asarray(frame, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise AgreementError(
            f"table must hold counts (numbers) only; it could not be read as numbers ({exc})."
        ) from exc
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] == 0:
        raise AgreementError(
            f"table must be square (the first coder's categories as rows, the second's as "
            f"columns, in the same order); got shape {arr.shape}."
        )
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise AgreementError("table must hold counts ≥ 0; it has negative or missing cells.")
    return arr


def _kappa_disagreements(table: np.ndarray, weights: object) -> tuple[float, float]:
    """Observed and chance-expected weighted disagreement ``(D_o, D_e)`` of a square table.

    ``D_o = Σ w_ij p_ij`` and ``D_e = Σ w_ij p_i. p_.j``; unweighted, ``1 − D_o`` and
    ``1 − D_e`` are Cohen's ``p_o`` and ``p_e``.
    """
    p = table / table.sum()
    w = _weight_matrix(len(table), weights)
    expected = np.outer(p.sum(axis=1), p.sum(axis=0))
    return float((w * p).sum()), float((w * expected).sum())


def _kappa(table: np.ndarray, weights: object) -> tuple[float, str | None]:
    total = table.sum()
    if total == 0:
        return math.nan, "the table is empty: no unit was coded by both coders"
    if total == 1 and np.equal(table, np.round(table)).all():
        return math.nan, ("only one unit was coded by both coders; chance agreement cannot be "
                          "estimated from a single unit")
    observed, expected = _kappa_disagreements(table, weights)
    if expected == 0:
        return math.nan, ("both coders put every unit in one and the same category, so no "
                          "disagreement is expected by chance and kappa is 0/0")
    return 1.0 - observed / expected, None


def cohen_kappa_table(table: pd.DataFrame | np.ndarray | Sequence[Sequence[float]],
                      weights: Weights = None) -> float:
    """Cohen's kappa from a square contingency table (first coder in rows, second in columns).

    Rows and columns list the same categories in the same order; cells are counts (or
    proportions). Unweighted, ``κ = (p_o − p_e) / (1 − p_e)`` with ``p_o = Σ_i p_ii`` and
    ``p_e = Σ_i p_i. p_.i``. Weighted (Cohen 1968), ``κ_w = 1 − Σ w_ij p_ij / Σ w_ij p_i. p_.j``
    with ``w_ij = |i − j|`` (``"linear"``) or ``(i − j)²`` (``"quadratic"``) by position in the
    table. References: Cohen, J. (1960). A coefficient of agreement for nominal scales.
    *Educational and Psychological Measurement* 20, 37–46; Cohen, J. (1968). Weighted kappa.
    *Psychological Bulletin* 70, 213–220.

    >>> round(cohen_kappa_table([[20, 5], [10, 15]]), 3)
    0.4
    """
    return _warned("Cohen's kappa", *_kappa(_as_table(table), weights))


def _categories(first: list[Any], second: list[Any], categories: Sequence[Any] | None,
                weights: object) -> list[Any]:
    seen = first + second
    if categories is None:
        ordered = _ordered(seen)
        if weights is not None and not all(_is_number(v) for v in ordered):
            raise AgreementError(
                f"weights={weights!r} treats the categories as ordered, but the labels are not "
                "all numbers; give their order with categories=[...] (lowest first)."
            )
        return ordered
    cats = [_plain(c) for c in _labels(categories, "categories")]
    if len(set(cats)) != len(cats):
        raise AgreementError("categories lists a category more than once; list each once.")
    unknown = [v for v in dict.fromkeys(seen) if v not in set(cats)]
    if unknown:
        raise AgreementError(
            f"the labels {_listed([repr(v) for v in unknown])} are not in categories; add them "
            "to categories or leave categories out."
        )
    return cats


def _confusion(first: list[Any], second: list[Any], cats: list[Any]) -> np.ndarray:
    position = {c: i for i, c in enumerate(cats)}
    table = np.zeros((len(cats), len(cats)))
    for x, y in zip(first, second, strict=True):
        table[position[x], position[y]] += 1
    return table


def cohen_kappa(a: Labels, b: Labels, weights: Weights = None, *,
                categories: Sequence[Any] | None = None) -> float:
    """Cohen's kappa of two coders' labels for the same units (unweighted or weighted).

    ``a`` and ``b`` give one label per unit; a unit either coder left missing (``None``,
    ``NaN``) is dropped. ``categories`` fixes the categories and their order (it matters for
    weighted kappa and lets unused categories count); by default the labels seen, sorted, so
    that weights go by rank, as in R's ``irr::kappa2`` and scikit-learn's
    ``cohen_kappa_score``. The formula is that of :func:`cohen_kappa_table` on the two coders'
    contingency table.

    >>> round(cohen_kappa(["x", "x", "y", "y", "y"], ["x", "y", "y", "y", "y"]), 3)
    0.545
    >>> round(cohen_kappa([1, 2, 3, 3], [1, 3, 3, 2], weights="linear"), 3)
    0.429
    """
    first, second = _pairs(a, b)
    cats = _categories(first, second, categories, weights)
    _weight_matrix(len(cats), weights)  # reject an unknown weighting before anything else
    if not first:
        return _undefined("Cohen's kappa", "no unit was coded by both coders")
    return _warned("Cohen's kappa", *_kappa(_confusion(first, second, cats), weights))


def scott_pi(a: Labels, b: Labels) -> float:
    """Scott's pi of two coders' nominal labels: kappa with chance from the pooled labels.

    ``π = (p_o − p_e) / (1 − p_e)`` with ``p_e = Σ_c ((n_ac + n_bc) / 2N)²``, the chance that
    two labels drawn from both coders' pooled distribution agree. Units either coder left
    missing are dropped. Krippendorff's nominal alpha is pi with a small-sample correction.
    Reference: Scott, W. A. (1955). Reliability of content analysis: the case of nominal
    scale coding. *Public Opinion Quarterly* 19, 321–325.

    >>> round(scott_pi(["x", "x", "y", "y", "y"], ["x", "y", "y", "y", "y"]), 3)
    0.524
    """
    first, second = _pairs(a, b)
    if not first:
        return _undefined("Scott's pi", "no unit was coded by both coders")
    if len(first) == 1:
        return _undefined("Scott's pi", "only one unit was coded by both coders; chance "
                          "agreement cannot be estimated from a single unit")
    cats = _ordered(first + second)
    if len(cats) == 1:
        return _undefined("Scott's pi", f"every label is {cats[0]!r}; with one category only "
                          "there is no variation to agree on")
    table = _confusion(first, second, cats) / len(first)
    pooled = (table.sum(axis=0) + table.sum(axis=1)) / 2
    observed, expected = float(np.trace(table)), float((pooled**2).sum())
    return (observed - expected) / (1.0 - expected)


# ==================================================================== Fleiss' kappa
def fleiss_kappa(counts: pd.DataFrame | np.ndarray | Sequence[Sequence[int]]) -> float:
    """Fleiss' kappa for many raters: ``counts`` is subjects × categories, cell = raters.

    Every subject must be rated by the same number of raters ``n`` (not necessarily the same
    people). With ``N`` subjects, ``P_i = (Σ_j n_ij² − n) / (n (n − 1))``, ``P̄ = mean P_i``,
    ``p_j = Σ_i n_ij / (N n)`` and ``P̄_e = Σ_j p_j²``:

    ``κ = (P̄ − P̄_e) / (1 − P̄_e)``.

    For unequal numbers of raters or missing ratings use :func:`krippendorff_alpha`.
    Reference: Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
    *Psychological Bulletin* 76, 378–382.

    >>> round(fleiss_kappa([[3, 0], [0, 3], [2, 1], [3, 0]]), 3)
    0.625
    """
    labels = list(counts.index) if isinstance(counts, pd.DataFrame) else None
    frame = counts.to_numpy() if isinstance(counts, pd.DataFrame) else counts
    try:
        arr = np.asarray(frame, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise AgreementError(
            f"counts must hold numbers of raters (subjects × categories); it could not be read "
            f"as numbers ({exc})."
        ) from exc
    if arr.ndim != 2 or arr.size == 0:
        raise AgreementError(
            f"counts must be a table of subjects × categories; got shape {arr.shape}."
        )
    if not np.isfinite(arr).all() or (arr < 0).any() or not np.equal(arr, np.round(arr)).all():
        raise AgreementError("counts must hold whole numbers of raters ≥ 0 in every cell.")
    raters = arr.sum(axis=1)
    names = labels if labels is not None else list(range(len(arr)))
    common = float(pd.Series(raters).mode().iloc[0])
    odd = [f"{names[i]} ({int(r)})" for i, r in enumerate(raters) if r != common]
    if odd:
        raise AgreementError(
            f"counts rows {_listed(odd)} have a different number of raters than the others "
            f"({int(common)}); Fleiss' kappa needs the same number of raters for every subject. "
            "Drop or complete those subjects, or use krippendorff_alpha(), which allows "
            "missing ratings."
        )
    n = common
    if n < 2:
        raise AgreementError(
            f"counts has {int(n)} rater(s) per subject; agreement needs at least two."
        )
    if len(arr) == 1:
        return _undefined("Fleiss' kappa", "there is a single subject; chance agreement cannot "
                          "be estimated from one subject")
    p_i = ((arr**2).sum(axis=1) - n) / (n * (n - 1))
    p_j = arr.sum(axis=0) / (len(arr) * n)
    expected = float((p_j**2).sum())
    if expected == 1.0:
        return _undefined("Fleiss' kappa", "every rating is in one category; with one category "
                          "only there is no variation to agree on")
    return (float(p_i.mean()) - expected) / (1.0 - expected)


# ==================================================================== percent agreement
def percent_agreement(a: Labels | ReliabilityData, b: Labels | None = None) -> float:
    """Share of agreeing codings, 0–1: ``percent_agreement(a, b)`` or ``percent_agreement(data)``.

    With two label sequences: the share of units coded by both coders (missing dropped) on
    which they gave the same label. With reliability data (coders × units, as for
    :func:`krippendorff_alpha`), Krippendorff's observed agreement ``A_o = Σ_c o_cc / n``: over
    every unit coded by two or more coders, the share of pairs of values within the unit that
    agree, each unit weighted by its number of values (for two coders without missing values
    this is the same as the first form). Not chance-corrected: report it beside kappa or alpha.

    >>> percent_agreement(["x", "y", "y", None], ["x", "y", "x", "y"])
    0.6666666666666666
    """
    if b is not None:
        first, second = _pairs(a, b)  # type: ignore[arg-type]
        if not first:
            return _undefined("Percent agreement", "no unit was coded by both coders")
        return float(sum(x == y for x, y in zip(first, second, strict=True)) / len(first))
    rel = _reliability(a)  # type: ignore[arg-type]
    o = _coincidence_matrix(rel.counts)
    if o.sum() == 0:
        return _undefined("Percent agreement", "no unit has values from two or more coders")
    return float(np.trace(o) / o.sum())


# ==================================================================== Gwet's AC1, PABAK, indices
def _ac1_of_counts(counts: np.ndarray, categories: int) -> tuple[float, str | None]:
    """AC1 from units × categories counts (Gwet 2008; 2014 for missing ratings)."""
    rated = counts[counts.sum(axis=1) >= 1].astype(np.float64)
    r = rated.sum(axis=1)
    pairable = r >= 2
    if not pairable.any():
        return math.nan, "no unit has ratings from two or more coders"
    if categories < 2:
        return math.nan, ("every rating is in one category; with one category only there is no "
                          "variation to agree on")
    agree = (rated[pairable] * (rated[pairable] - 1)).sum(axis=1)
    p_a = float((agree / (r[pairable] * (r[pairable] - 1))).mean())
    pi = (rated / r[:, None]).mean(axis=0)
    p_e = float((pi * (1.0 - pi)).sum()) / (categories - 1)
    return (p_a - p_e) / (1.0 - p_e), None


def _two_coder_counts(first: list[Any], second: list[Any], cats: list[Any]) -> np.ndarray:
    position = {c: i for i, c in enumerate(cats)}
    counts = np.zeros((len(first), len(cats)), dtype=np.int64)
    for unit, (x, y) in enumerate(zip(first, second, strict=True)):
        counts[unit, position[x]] += 1
        counts[unit, position[y]] += 1
    return counts


def gwet_ac1(a: Labels | ReliabilityData, b: Labels | None = None) -> float:
    """Gwet's AC1: ``gwet_ac1(a, b)`` for two coders' labels, ``gwet_ac1(data)`` for many.

    With ``q`` categories, ``r_ik`` coders putting unit ``i`` in category ``k`` and ``r_i``
    coders rating it: ``p_a`` is the mean over units rated by two or more coders of
    ``Σ_k r_ik (r_ik − 1) / (r_i (r_i − 1))``; ``π_k`` the mean over rated units of
    ``r_ik / r_i``; ``p_e = Σ_k π_k (1 − π_k) / (q − 1)``; and

    ``AC1 = (p_a − p_e) / (1 − p_e)``.

    Chance agreement shrinks as a category becomes rare or common, so AC1 does not collapse
    as kappa does when one category dominates (the kappa paradox). Two label sequences drop
    the units either coder left missing (as :func:`cohen_kappa`); reliability data are coders
    × units with ``None``/``NaN`` for a missing rating (as :func:`krippendorff_alpha`), and the
    categories are the values seen. References: Gwet, K. L. (2008). Computing inter-rater
    reliability and its variance in the presence of high agreement. *British Journal of
    Mathematical and Statistical Psychology* 61, 29–48; Gwet, K. L. (2014). *Handbook of
    Inter-Rater Reliability*, 4th ed., ch. 4.

    >>> round(gwet_ac1(["x", "x", "y", "y", "y"], ["x", "y", "y", "y", "y"]), 3)
    0.655
    """
    if b is not None:
        first, second = _pairs(a, b)  # type: ignore[arg-type]
        if not first:
            return _undefined("Gwet's AC1", "no unit was coded by both coders")
        cats = _ordered(first + second)
        counts = _two_coder_counts(first, second, cats)
        return _warned("Gwet's AC1", *_ac1_of_counts(counts, len(cats)))
    rel = _reliability(a)  # type: ignore[arg-type]
    used = int((rel.counts.sum(axis=0) > 0).sum())
    return _warned("Gwet's AC1", *_ac1_of_counts(rel.counts, used))


def pabak(a: Labels, b: Labels, *, categories: Sequence[Any] | None = None) -> float:
    """Prevalence-adjusted bias-adjusted kappa of two coders: ``(q p_o − 1) / (q − 1)``.

    ``p_o`` is the observed agreement and ``q`` the number of categories (``categories``, or
    the labels seen); for two categories ``PABAK = 2 p_o − 1``. It is kappa with both coders'
    margins made equal and uniform, and so shows what kappa would be without the prevalence
    and bias effects (:func:`prevalence_index`, :func:`bias_index`). Units either coder left
    missing are dropped. Reference: Byrt, T., Bishop, J. & Carlin, J. B. (1993). Bias,
    prevalence and kappa. *Journal of Clinical Epidemiology* 46, 423–429.

    >>> round(pabak(["x", "x", "y", "y", "y"], ["x", "y", "y", "y", "y"]), 3)
    0.6
    """
    first, second = _pairs(a, b)
    cats = _categories(first, second, categories, None)
    if not first:
        return _undefined("PABAK", "no unit was coded by both coders")
    if len(cats) < 2:
        return _undefined("PABAK", "there is one category only; give both with categories=[...]")
    p_o = sum(x == y for x, y in zip(first, second, strict=True)) / len(first)
    q = len(cats)
    return float((q * p_o - 1.0) / (q - 1.0))


def _binary_cells(a: Labels, b: Labels, positive: Any) -> tuple[int, int, int, int]:
    """``(both, only_a, only_b, neither)`` of two coders for the category ``positive``."""
    first, second = _pairs(a, b)
    x = np.array([v == positive for v in first], dtype=bool)
    y = np.array([v == positive for v in second], dtype=bool)
    return int((x & y).sum()), int((x & ~y).sum()), int((~x & y).sum()), int((~x & ~y).sum())


def prevalence_index(a: Labels, b: Labels, positive: Any = True) -> float:
    """Byrt, Bishop & Carlin's (1993) prevalence index ``PI = (n_yes,yes − n_no,no) / n``.

    ``positive`` is the category counted as *yes* (for a code: that the unit has it). Near ±1
    one category dominates, and kappa is then low even when the coders nearly always agree.

    >>> prevalence_index([1, 1, 1, 0], [1, 1, 0, 0], positive=1)
    0.25
    """
    both, only_a, only_b, neither = _binary_cells(a, b, positive)
    n = both + only_a + only_b + neither
    return (both - neither) / n if n else _undefined("The prevalence index", "no unit is paired")


def bias_index(a: Labels, b: Labels, positive: Any = True) -> float:
    """Byrt, Bishop & Carlin's (1993) bias index ``BI = (n_yes,no − n_no,yes) / n``.

    Positive when the first coder says *yes* (``positive``) more often than the second:
    the difference of the coders' proportions of *yes*.

    >>> bias_index([1, 1, 1, 0], [1, 1, 0, 0], positive=1)
    0.25
    """
    both, only_a, only_b, neither = _binary_cells(a, b, positive)
    n = both + only_a + only_b + neither
    return (only_a - only_b) / n if n else _undefined("The bias index", "no unit is paired")


PARADOX_AGREEMENT = 0.80
"""Observed agreement at or above which a low kappa is flagged as the kappa paradox."""
PARADOX_KAPPA = 0.40
"""Kappa below which, despite high observed agreement, the kappa paradox is flagged."""


def is_kappa_paradox(observed: float, kappa: float) -> bool:
    """Whether kappa is low despite high agreement: ``p_o ≥ 0.80`` and ``κ < 0.40``.

    The paradox of Feinstein & Cicchetti (1990): with a very common or very rare category
    chance agreement is high, so kappa is low however often the coders agree. Report PABAK,
    the prevalence and bias indices and AC1 beside it. Reference: Feinstein, A. R. &
    Cicchetti, D. V. (1990). High agreement but low kappa: I. The problems of two paradoxes.
    *Journal of Clinical Epidemiology* 43, 543–549.
    """
    return bool(observed >= PARADOX_AGREEMENT and kappa < PARADOX_KAPPA)


# ==================================================================== bootstrap intervals
class AlphaInterval(NamedTuple):
    """Krippendorff's alpha with the bounds of its bootstrap confidence interval."""

    alpha: float
    lo: float
    hi: float


class KappaInterval(NamedTuple):
    """Cohen's kappa with the bounds of its bootstrap confidence interval."""

    kappa: float
    lo: float
    hi: float


def _check_bootstrap(confidence: object, n_boot: object, seed: object) -> None:
    if not (_is_number(confidence) and 0 < float(confidence) < 1):  # type: ignore[arg-type]
        raise AgreementError(
            f"confidence={confidence!r} must be a share between 0 and 1, e.g. 0.95."
        )
    if not (isinstance(n_boot, int) and not isinstance(n_boot, bool) and n_boot >= 100):
        raise AgreementError(
            f"n_boot={n_boot!r} must be a whole number of bootstrap samples, at least 100 "
            "(Hayes & Krippendorff use 10000)."
        )
    if seed is not None and not (isinstance(seed, int) and not isinstance(seed, bool)):
        raise AgreementError(f"seed={seed!r} must be a whole number or None.")


def _percentiles(draws: np.ndarray, confidence: float) -> tuple[float, float]:
    kept = draws[np.isfinite(draws)]
    if kept.size == 0:
        return math.nan, math.nan
    tail = (1.0 - confidence) / 2.0
    lo, hi = np.quantile(kept, [tail, 1.0 - tail])
    return float(lo), float(hi)


@dataclass(frozen=True)
class _Pairs:
    """The pairs of values coded in a common unit, grouped by unit size and values."""

    counts: np.ndarray  # how many pairs in each group
    weights: np.ndarray  # 1 / (m_u − 1): a pair's share in the coincidences
    delta2: np.ndarray  # the pair's difference δ²
    expected: float  # D_e of the data, held fixed over the bootstrap


def _pair_groups(rel: _Reliability, level: str) -> _Pairs:
    """The ``Σ_u m_u (m_u − 1) / 2`` pairs of values within units, grouped."""
    counts = rel.counts[rel.counts.sum(axis=1) >= 2].astype(np.float64)
    n_v = _coincidence_matrix(rel.counts).sum(axis=0)
    delta2 = _delta_squared(rel.values, n_v, level)
    upper = np.triu(np.ones_like(delta2, dtype=bool), k=1)
    m_u = counts.sum(axis=1)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for m in np.unique(m_u):
        group = counts[m_u == m]
        pairs = group.T @ group
        same = (np.diag(pairs) - group.sum(axis=0)) / 2.0
        number = np.concatenate([pairs[upper], same])
        parts.append((number, np.full(len(number), 1.0 / (m - 1)),
                      np.concatenate([delta2[upper], np.zeros(len(same))])))
    n = float(n_v.sum())
    expected = float((np.outer(n_v, n_v) * delta2).sum()) / (n * (n - 1.0))
    number, weight, difference = (np.concatenate(c) for c in zip(*parts, strict=True))
    return _Pairs(number, weight, difference, expected)


def _alpha_draws(pairs: _Pairs, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Hayes & Krippendorff's bootstrap: draw as many pairs as there are, each with chance
    in proportion to ``1 / (m_u − 1)`` (so that the mean δ² of the drawn pairs is D_o in
    expectation), and hold D_e at its value in the data."""
    total = int(round(pairs.counts.sum()))
    chance = pairs.counts * pairs.weights
    draws = rng.multinomial(total, chance / chance.sum(), size=n_boot)
    return np.asarray(1.0 - (draws @ pairs.delta2) / total / pairs.expected)


def krippendorff_alpha_ci(
    data: ReliabilityData,
    level: Level = "nominal",
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int | None = None,
) -> AlphaInterval:
    """Krippendorff's alpha with a bootstrap confidence interval: ``(alpha, lo, hi)``.

    The algorithm of Hayes & Krippendorff (2007), as in their KALPHA macro: ``n_boot`` times,
    ``M = Σ_u m_u (m_u − 1) / 2`` pairs of values coded in a common unit are drawn with
    replacement from the ``M`` in the data, a pair of a unit coded ``m_u`` times with chance
    in proportion to ``1 / (m_u − 1)``; each resample gives ``α* = 1 − D_o* / D_e`` with
    ``D_o*`` the mean δ² of the drawn pairs and ``D_e`` held at its value in the data, and
    ``lo``/``hi`` are the ``(1 − confidence) / 2`` and ``(1 + confidence) / 2`` percentiles
    of the ``α*``. The same ``seed`` gives the
    same interval. Data and levels as in :func:`krippendorff_alpha`; where alpha is undefined,
    all three are ``nan`` with a warning. Reference: Hayes, A. F. & Krippendorff, K. (2007).
    Answering the call for a standard reliability measure for coding data. *Communication
    Methods and Measures* 1, 77–89.

    >>> ben = ["a", "a", "b", "b", "d", "c", "c", "c", "e", "d", "d", "a"]
    >>> gerry = ["b", "a", "b", "b", "b", "c", "c", "c", "e", "d", "d", "d"]
    >>> ci = krippendorff_alpha_ci([ben, gerry], seed=1)
    >>> round(ci.alpha, 3), ci.lo < ci.alpha < ci.hi
    (0.692, True)
    """
    _check_bootstrap(confidence, n_boot, seed)
    rel = _reliability(data, level)
    alpha, why = _alpha(rel, level)
    if why is not None:
        nan = _warned("Krippendorff's alpha", math.nan, why)
        return AlphaInterval(nan, nan, nan)
    draws = _alpha_draws(_pair_groups(rel, level), n_boot, np.random.default_rng(seed))
    return AlphaInterval(alpha, *_percentiles(draws, float(confidence)))


def _kappa_draws(table: np.ndarray, weights: object, n_boot: int,
                 rng: np.random.Generator) -> np.ndarray:
    """Kappa of ``n_boot`` resamples of the units (multinomial on the table's cells)."""
    total = int(round(table.sum()))
    k = len(table)
    draws = rng.multinomial(total, (table / table.sum()).ravel(), size=n_boot)
    p = draws.reshape(n_boot, k, k) / total
    w = _weight_matrix(k, weights)
    observed = (w * p).sum(axis=(1, 2))
    expected = np.einsum("ij,bi,bj->b", w, p.sum(axis=2), p.sum(axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected > 0, 1.0 - observed / expected, np.nan)


def cohen_kappa_ci(
    a: Labels,
    b: Labels,
    weights: Weights = None,
    *,
    categories: Sequence[Any] | None = None,
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int | None = None,
) -> KappaInterval:
    """Cohen's kappa with a bootstrap confidence interval: ``(kappa, lo, hi)``.

    The units coded by both coders are resampled with replacement ``n_boot`` times (Efron's
    nonparametric bootstrap: a multinomial draw on the cells of the contingency table) and
    ``lo``/``hi`` are the percentiles of the resampled kappas; resamples in which kappa is
    0/0 (every unit in one category) are left out. The same ``seed`` gives the same interval.
    Labels, weights and categories as in :func:`cohen_kappa`. Reference: Efron, B. &
    Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*, ch. 13 (percentile
    intervals).

    >>> ci = cohen_kappa_ci([1, 1, 0, 0, 1, 0, 1, 1], [1, 1, 0, 1, 1, 0, 0, 1], seed=3)
    >>> round(ci.kappa, 3), ci.lo <= ci.kappa <= ci.hi
    (0.467, True)
    """
    _check_bootstrap(confidence, n_boot, seed)
    first, second = _pairs(a, b)
    cats = _categories(first, second, categories, weights)
    _weight_matrix(len(cats), weights)
    if not first:
        nan = _undefined("Cohen's kappa", "no unit was coded by both coders")
        return KappaInterval(nan, nan, nan)
    table = _confusion(first, second, cats)
    kappa, why = _kappa(table, weights)
    if why is not None:
        nan = _warned("Cohen's kappa", math.nan, why)
        return KappaInterval(nan, nan, nan)
    draws = _kappa_draws(table, weights, n_boot, np.random.default_rng(seed))
    return KappaInterval(kappa, *_percentiles(draws, float(confidence)))


# ==================================================================== units of a project
def _source_units(project: Project, unit: str, sid: str) -> list[tuple[int, int]]:
    # A Project's texts never change, and a large study's sentences take seconds to find,
    # so they are found once per source and kind of unit, in the project's one cache.
    known: dict[tuple[str, str], list[tuple[int, int]]] = project.derived(
        "agreement_units", dict)
    found = known.get((unit, sid))
    if found is None:
        text = project.text(sid)
        found = []
        for t in project.document(sid).turns:
            if t.start >= t.end:
                continue
            if unit == "turn":
                found.append((t.start, t.end))
            else:
                found.extend(sentence_spans(text, t.start, t.end))
        known[(unit, sid)] = found
    return found


def _units(project: Project, unit: str, sources: list[str]) -> pd.DataFrame:
    """``source_id, unit_start, unit_end``: the turns or the sentences of the sources."""
    per_source = [_source_units(project, unit, sid) for sid in progress(
        sources, ("Jaetaan yksiköihin", "Finding units"), lang=project.config.language)]
    spans = np.array([span for found in per_source for span in found], dtype=np.int64)
    spans = spans.reshape(-1, 2)
    sids = np.repeat(np.array(sources, dtype=object), [len(found) for found in per_source])
    return pd.DataFrame({"source_id": pd.Series(sids, dtype=str), "unit_start": spans[:, 0],
                         "unit_end": spans[:, 1]})


@dataclass(frozen=True)
class _Comparison:
    """What both comparisons share: the two coders, their codings, sources and codes."""

    coders: tuple[str, str]
    seg: pd.DataFrame  # accepted codings of the two coders in the sources compared
    sources: list[str]
    codes: list[tuple[str, str]]  # (key, path) in codebook order


def _check_coders(project: Project, coders: Sequence[str]) -> tuple[str, str]:
    if isinstance(coders, str) or len(coders) != 2 or not all(isinstance(c, str) for c in coders):
        raise AgreementError(
            f"coders must name exactly two coders, e.g. coders=('A', 'B'); got {coders!r}."
        )
    first, second = coders[0], coders[1]
    if first == second:
        raise AgreementError(f"coders names {first!r} twice; name two different coders.")
    codings = project.codings
    counted = codings[(codings["status"] == "accepted")
                      | codings["coder"].map(is_machine_coder)]
    known = sorted(set(counted["coder"]))
    absent = [c for c in (first, second) if c not in set(known)]
    if absent:
        raise AgreementError(
            f"coder(s) {', '.join(map(repr, absent))} have no accepted codings in "
            f"{project.ledger.path}; coders with accepted codings (or machine suggestions): "
            f"{', '.join(map(repr, known)) or 'none'}."
        )
    return first, second


def _counted_segments(project: Project, pair: tuple[str, str]) -> pd.DataFrame:
    """The pair's codings that count: a person's accepted ones, and everything a machine
    coder proposed (accepted, still suggested or rejected: its proposal either way)."""
    frames = [project.segments(status=None if is_machine_coder(c) else "accepted", coder=c)
              for c in pair]
    return pd.concat(frames, ignore_index=True)


def _comparison(project: Project, coders: Sequence[str], codes: Sequence[str] | None,
                sources: Sequence[str] | None) -> _Comparison:
    pair = _check_coders(project, coders)
    seg = _counted_segments(project, pair)
    if sources is None:
        by_coder = [set(seg.loc[seg["coder"] == c, "source_id"]) for c in pair]
        both, one = by_coder[0] & by_coder[1], by_coder[0] ^ by_coder[1]
        chosen = [s for s in project.source_ids if s in both]
        single = [s for s in project.source_ids if s in one]
        if not chosen:
            raise AgreementError(
                f"no source has accepted codings by both {pair[0]!r} and {pair[1]!r}; pass "
                "sources=[...] to compare sources one coder left uncoded."
            )
        if single:
            warnings.warn(
                f"source(s) {_listed(single)} are coded by only one of {pair[0]!r} and "
                f"{pair[1]!r} and are left out of the comparison; pass sources=[...] to "
                "include them.", TymqualWarning, stacklevel=3,
            )
    else:
        chosen = [sources] if isinstance(sources, str) else list(dict.fromkeys(sources))
        unknown = [s for s in chosen if s not in set(project.source_ids)]
        if unknown:
            raise AgreementError(
                f"sources {_listed([repr(s) for s in unknown])} are not in the project; "
                f"its sources are {_listed(project.source_ids)}."
            )
    seg = seg[seg["source_id"].isin(chosen)]
    order = {c.key: i for i, c in enumerate(project.codebook)}
    if codes is None:
        keys = list(dict.fromkeys(seg["code"]))
    else:
        refs = [codes] if isinstance(codes, str) else list(codes)
        keys = list(dict.fromkeys(project.codebook.resolve(r).key for r in refs))
    keys.sort(key=lambda k: (order.get(k, len(order)), k))
    paths = {c.key: c.path for c in project.codebook}
    seg = seg[seg["code"].isin(keys)].reset_index(drop=True)
    return _Comparison(pair, seg, chosen, [(k, paths.get(k, k)) for k in keys])


def _presence(units: pd.DataFrame, cmp: _Comparison, lengths: dict[str, int]
              ) -> tuple[dict[tuple[str, str], np.ndarray], list[str]]:
    """Per (coder, code key): which units the coder coded with the code; and codings outside.

    ``lengths`` gives the length of each source's text. The sources are laid end to end on
    one axis, so that the units a coding overlaps (a run, as a source's units neither overlap
    nor go back) are found for every coding at once.
    """
    axis = SourceAxis.of(lengths, units["source_id"].tolist(), units["unit_start"].tolist(),
                         units["unit_end"].tolist())
    seg = cmp.seg
    # A coding of a source not compared overlaps nothing (the axis places it at -1).
    first, last = axis.overlapping(seg["source_id"].tolist(), seg["start"].to_numpy(),
                                   seg["end"].to_numpy())
    outside = [str(cid) for cid, none in zip(seg["coding_id"].tolist(), (last == first).tolist(),
                                             strict=True) if none]
    rows: dict[tuple[str, str], list[int]] = {}
    for i, pair in enumerate(zip(seg["coder"].tolist(), seg["code"].tolist(), strict=True)):
        rows.setdefault(pair, []).append(i)
    hits: dict[tuple[str, str], np.ndarray] = {}
    for coder in cmp.coders:
        for key, _ in cmp.codes:
            mine = np.array(rows.get((coder, key), []), dtype=np.int64)
            change = np.zeros(len(units) + 1, dtype=np.int64)
            np.add.at(change, first[mine], 1)
            np.add.at(change, last[mine], -1)
            coded = np.empty(len(units), dtype=bool)
            coded[axis.order] = np.cumsum(change)[:-1] > 0
            hits[(coder, key)] = coded
    return hits, outside


def _lengths(project: Project, sources: list[str]) -> dict[str, int]:
    return {sid: len(project.text(sid)) for sid in sources}


@dataclass(frozen=True)
class _Bootstrap:
    """How the project table's intervals are drawn."""

    confidence: float
    n_boot: int
    seed: int | None

    def rng(self, path: str) -> np.random.Generator:
        """One generator per code, so a code's interval does not depend on the other codes."""
        if self.seed is None:
            return np.random.default_rng()
        return np.random.default_rng([self.seed, zlib.crc32(path.encode("utf-8"))])


def _share(part: int, whole: int) -> float:
    return part / whole if whole else math.nan


def _binary_intervals(both: int, only_a: int, only_b: int, neither: int, boot: _Bootstrap,
                      path: str) -> dict[str, float]:
    """Bootstrap bounds of kappa (units resampled) and alpha (Hayes & Krippendorff 2007) for
    one code's presence/absence; every unit is one pair of values, 2·δ² apart."""
    units = both + only_a + only_b + neither
    split = only_a + only_b
    n_0, n_1 = 2 * neither + split, 2 * both + split
    if units < 2 or n_0 == 0 or n_1 == 0:
        return {"kappa_lo": math.nan, "kappa_hi": math.nan, "alpha_lo": math.nan,
                "alpha_hi": math.nan}
    rng = boot.rng(path)
    table = np.array([[both, only_a], [only_b, neither]], dtype=np.float64)
    kappas = _kappa_draws(table, None, boot.n_boot, rng)
    n = 2.0 * units
    pairs = _Pairs(np.array([units - split, split], dtype=np.float64), np.ones(2),
                   np.array([0.0, 1.0]), 2.0 * n_0 * n_1 / (n * (n - 1.0)))
    alphas = _alpha_draws(pairs, boot.n_boot, rng)
    k_lo, k_hi = _percentiles(kappas, boot.confidence)
    a_lo, a_hi = _percentiles(alphas, boot.confidence)
    return {"kappa_lo": k_lo, "kappa_hi": k_hi, "alpha_lo": a_lo, "alpha_hi": a_hi}


def _rigour(both: int, only_a: int, only_b: int, neither: int, kappa: float, alpha: float,
            boot: _Bootstrap, path: str) -> dict[str, Any]:
    """The columns of :data:`RIGOUR_COLUMNS` but the double-coded share, for one code."""
    units = both + only_a + only_b + neither
    observed = _share(both + neither, units)
    # AC1 with the two categories "coded" and "not coded": π = the share of "coded" among
    # both coders' decisions, p_e = 2π(1 − π) / (2 − 1).
    coded = _share(2 * both + only_a + only_b, 2 * units)
    chance = 2.0 * coded * (1.0 - coded)
    return {
        **_binary_intervals(both, only_a, only_b, neither, boot, path),
        "gwet_ac1": (observed - chance) / (1.0 - chance) if units else math.nan,
        "pabak": 2.0 * observed - 1.0 if units else math.nan,
        "prevalence_index": _share(both - neither, units),
        "bias_index": _share(only_a - only_b, units),
        "kappa_paradox": (not math.isnan(kappa)) and is_kappa_paradox(observed, kappa),
        "precision": _share(both, both + only_b),
        "recall": _share(both, both + only_a),
    }


def _binary_row(path: str, a: np.ndarray, b: np.ndarray, boot: _Bootstrap
                ) -> tuple[dict[str, Any], str | None]:
    """One row of the agreement table from two presence vectors, and why stats are NaN."""
    both, only_a = int((a & b).sum()), int((a & ~b).sum())
    only_b, neither = int((~a & b).sum()), int((~a & ~b).sum())
    units = len(a)
    row: dict[str, Any] = {
        "code_path": path, "units": units, "both": both, "only_a": only_a, "only_b": only_b,
        "neither": neither,
        "percent_agreement": (both + neither) / units if units else math.nan,
    }
    kappa, why = _kappa(np.array([[both, only_a], [only_b, neither]], dtype=np.float64), None)
    if units >= 2:
        # Every unit has both coders' values, so the coincidences are the 2 x 2 table's:
        # o_00 = 2·neither, o_11 = 2·both, o_01 = o_10 = only_a + only_b (what
        # _coincidence_matrix sums unit by unit, to the same floating-point values).
        split = float(only_a + only_b)
        o = np.array([[2.0 * neither, split], [split, 2.0 * both]])
        alpha, why_alpha = _alpha_of(o, [0, 1], "nominal")
    else:
        counts = np.column_stack([2 - a.astype(int) - b.astype(int),
                                  a.astype(int) + b.astype(int)])
        alpha, why_alpha = _alpha(_Reliability([0, 1], counts), "nominal")
    row["cohen_kappa"], row["krippendorff_alpha"] = kappa, alpha
    row.update(_rigour(both, only_a, only_b, neither, kappa, alpha, boot, path))
    if why is None and why_alpha is not None:
        why = why_alpha
    if not units:
        why = "the sources compared have no such units"
    elif both + only_a + only_b == 0:
        why = "neither coder used the code in these units"
    elif neither == 0 and only_a + only_b == 0:
        why = "both coders coded every unit with the code"
    return row, why


def _segments_of(cmp: _Comparison, coder: str, key: str) -> list[tuple[str, int, int]]:
    mine = cmp.seg[(cmp.seg["coder"] == coder) & (cmp.seg["code"] == key)]
    return [(str(s), int(a), int(b)) for s, a, b in
            mine[["source_id", "start", "end"]].itertuples(index=False)]


def _match_segments(
    first: list[tuple[str, int, int]], second: list[tuple[str, int, int]], min_overlap: float,
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pair segments one to one: overlap ≥ ``min_overlap`` × the longer, largest overlaps first.

    Returns the matched index pairs and the unmatched indices of each side.
    """
    candidates = []
    for i, (sa, a0, a1) in enumerate(first):
        for j, (sb, b0, b1) in enumerate(second):
            shared = min(a1, b1) - max(a0, b0)
            if sa == sb and shared > 0 and shared >= min_overlap * max(a1 - a0, b1 - b0):
                candidates.append((-shared, a0, b0, i, j))
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs = []
    for _, _, _, i, j in sorted(candidates):
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((i, j))
    return (pairs, [i for i in range(len(first)) if i not in used_a],
            [j for j in range(len(second)) if j not in used_b])


def _check_unit(unit: object, min_overlap: object) -> None:
    if unit not in UNITS:
        raise AgreementError(
            f"unit={unit!r} is not a unit of comparison; use 'sentence', 'turn', 'overlap' or "
            "'free'."
        )
    if not (_is_number(min_overlap) and 0 < float(min_overlap) <= 1):  # type: ignore[arg-type]
        raise AgreementError(
            f"min_overlap={min_overlap!r} must be a share above 0 and at most 1, e.g. 0.9 for "
            "segments that overlap by 90 % of the longer one."
        )


def _overlap_table(cmp: _Comparison, min_overlap: float) -> pd.DataFrame:
    rows = []
    for key, path in cmp.codes:
        first, second = (_segments_of(cmp, c, key) for c in cmp.coders)
        pairs, only_first, only_second = _match_segments(first, second, min_overlap)
        rows.append({"code_path": path, "both": len(pairs), "only_a": len(only_first),
                     "only_b": len(only_second)})
    frame = pd.DataFrame(rows, columns=["code_path", "both", "only_a", "only_b"])
    total = pd.DataFrame([{"code_path": TOTAL, **frame[["both", "only_a", "only_b"]].sum()}])
    frame = pd.concat([frame, total], ignore_index=True)
    frame["units"] = frame["both"] + frame["only_a"] + frame["only_b"]
    frame["neither"] = 0
    frame["percent_agreement"] = (frame["both"] / frame["units"].where(frame["units"] > 0))
    frame["cohen_kappa"] = math.nan
    frame["krippendorff_alpha"] = math.nan
    for column in RIGOUR_COLUMNS:
        frame[column] = False if column == "kappa_paradox" else math.nan
    frame["precision"] = frame["both"] / (frame["both"] + frame["only_b"]).where(
        frame["both"] + frame["only_b"] > 0)
    frame["recall"] = frame["both"] / (frame["both"] + frame["only_a"]).where(
        frame["both"] + frame["only_a"] > 0)
    warnings.warn(
        "cohen_kappa and krippendorff_alpha are NaN with unit='overlap': segment comparison has "
        "no units that both coders left uncoded, so agreement expected by chance cannot be "
        "estimated. Use unit='sentence' or unit='turn' for chance-corrected coefficients.",
        TymqualWarning, stacklevel=3,
    )
    return frame


def double_coded_share(project: Project, sources: Sequence[str]) -> float:
    """The share of the project's text (in characters) that lies in ``sources``, 0–1."""
    chosen = set(sources)
    lengths = {sid: len(project.text(sid)) for sid in project.source_ids}
    return _share(sum(n for sid, n in lengths.items() if sid in chosen), sum(lengths.values()))


def _typed_table(frame: pd.DataFrame, cmp: _Comparison, unit: str, share: float
                 ) -> pd.DataFrame:
    frame = frame.assign(double_coded_share=share)
    frame = frame.loc[:, [*AGREEMENT_COLUMNS, *RIGOUR_COLUMNS]].reset_index(drop=True)
    ints = {c: "int64" for c in ("units", "both", "only_a", "only_b", "neither")}
    floats = {c: "float64" for c in ("percent_agreement", "cohen_kappa", "krippendorff_alpha",
                                     *RIGOUR_COLUMNS) if c != "kappa_paradox"}
    frame = frame.astype({"code_path": str, **ints, **floats, "kappa_paradox": bool})
    frame.attrs.update({"coders": cmp.coders, "unit": unit, "sources": tuple(cmp.sources),
                        "double_coded_share": share})
    return frame


def _free_table(project: Project, cmp: _Comparison, share: float) -> pd.DataFrame:
    """The unitizing alpha family of the two coders' segments (see :mod:`tymqual.unitizing`)."""
    paths = dict(cmp.codes)
    segments = pd.DataFrame({
        "coder": cmp.seg["coder"], "source": cmp.seg["source_id"],
        "start": cmp.seg["start"], "end": cmp.seg["end"],
        "code": cmp.seg["code"].map(paths)})
    book = project.codebook
    # The top of each path unless the codebook names domains of its own (Codebook.domain_of).
    domains = {path: book.domain_of(path) if path in book else path.split("/")[0]
               for path in set(paths.values())} if any(c.domain for c in book) else None
    table = unitizing_table(segments, _lengths(project, cmp.sources), coders=list(cmp.coders),
                            domains=domains)
    table = table.assign(double_coded_share=share)
    table.attrs.update({"coders": cmp.coders, "unit": "free", "sources": tuple(cmp.sources),
                        "double_coded_share": share})
    return table


def project_agreement(
    project: Project,
    coders: Sequence[str] = DEFAULT_CODERS,
    *,
    unit: Unit = "sentence",
    min_overlap: float = 0.9,
    codes: Sequence[str] | None = None,
    sources: Sequence[str] | None = None,
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int | None = 0,
) -> pd.DataFrame:
    """Agreement of two coders on a coded project: one row per code and a pooled total row.

    Columns: ``code_path, units, both, only_a, only_b, neither, percent_agreement,
    cohen_kappa, krippendorff_alpha``; ``only_a`` counts units the first of ``coders`` coded
    with the code and the second did not. Rows follow the codebook (codes not in the codebook
    last); ``codes=None`` takes every code either coder used, and a code counts as itself only
    (codings of its subcodes do not roll up into it). The last row, ``code_path`` =
    :data:`TOTAL` (``"(total)"``), pools every code × unit decision. Only ``accepted``
    codings count. ``sources=None`` compares the sources both coders have coded; sources only
    one of them has coded are left out with a warning. ``df.attrs`` records the coders, unit
    and sources.

    ``unit`` is what a coder either codes with the code or not:

    * ``"turn"``: speaker turns (:meth:`Project.turns`, the interviewer's too);
    * ``"sentence"``: sentences within turns, split by :func:`sentence_spans`;
    * ``"overlap"``: MAXQDA-style segment comparison. A segment of the first coder agrees with
      one of the second (same code and source) when they overlap by at least ``min_overlap``
      of the longer of the two; segments are paired one to one, largest overlap first. The
      units are then the matched pairs (``both``) and the unmatched segments (``only_a``,
      ``only_b``); ``neither`` is 0 and ``percent_agreement`` is ``both / units``. (MAXQDA
      counts a matched pair once per coder: ``2·both / (2·both + only_a + only_b)``.)
      Kappa and alpha are NaN with a warning, since no unit is left uncoded by both and
      chance agreement cannot be estimated.

    For sentences and turns a coder codes a unit with a code when one of their codings with
    the code shares at least one character with it; ``percent_agreement = (both + neither) /
    units``, ``cohen_kappa`` and ``krippendorff_alpha`` (nominal) are computed on the two
    coders' presence/absence of the code over the units (:func:`cohen_kappa`,
    :func:`krippendorff_alpha`). Where they are undefined (a code neither or both coders used
    in every unit) they are NaN, with one warning naming the codes. Codings that cover no unit
    (lines before the first speaker label, white space between sentences) cannot be compared
    and are named in a warning.

    The columns of :data:`RIGOUR_COLUMNS` follow, for the methods chapter:

    * ``kappa_lo, kappa_hi, alpha_lo, alpha_hi``: bootstrap ``confidence`` intervals of
      kappa (the units resampled, :func:`cohen_kappa_ci`) and alpha (Hayes & Krippendorff
      2007, :func:`krippendorff_alpha_ci`) from ``n_boot`` resamples. The default
      ``seed=0`` makes the table reproducible; each code draws from its own stream, so its
      interval does not change when other codes are added.
    * ``gwet_ac1`` (:func:`gwet_ac1` with the categories coded / not coded), ``pabak``
      (``2 p_o − 1``), ``prevalence_index`` ``(both − neither) / units`` and ``bias_index``
      ``(only_a − only_b) / units`` (Byrt, Bishop & Carlin 1993), and ``kappa_paradox``:
      kappa is low despite high agreement (:func:`is_kappa_paradox`), named in a warning.
    * ``precision = both / (both + only_b)`` and ``recall = both / (both + only_a)``: the
      second coder's codings judged against the first's, for a machine coder
      (``p.agreement(("A", "autocode:keywords@…"))``).
    * ``double_coded_share``: the share of the project's text (characters) in the sources
      compared, beside every figure (also in ``df.attrs``).

    With ``unit="overlap"`` the intervals and chance-corrected indices are NaN.

    ``unit="free"`` compares the coders' freely marked segments with Krippendorff's unitizing
    alpha family instead, and returns :func:`tymqual.unitizing.unitizing_table` (columns
    :data:`tymqual.unitizing.UNITIZING_COLUMNS` and ``double_coded_share``): a row per code,
    per semantic domain (the codebook's top-level themes) and in total, on the sources
    compared; ``df.attrs`` as above.

    >>> table = project_agreement(p, ("A", "B"), unit="sentence")  # doctest: +SKIP
    """
    _check_unit(unit, min_overlap)
    _check_bootstrap(confidence, n_boot, seed)
    boot = _Bootstrap(float(confidence), n_boot, seed)
    cmp = _comparison(project, coders, codes, sources)
    share = double_coded_share(project, cmp.sources)
    if unit == "overlap":
        return _typed_table(_overlap_table(cmp, float(min_overlap)), cmp, unit, share)
    if unit == "free":
        return _free_table(project, cmp, share)
    units = _units(project, unit, cmp.sources)
    hits, outside = _presence(units, cmp, _lengths(project, cmp.sources))
    if outside:
        warnings.warn(
            f"{len(outside)} coding(s) cover no {unit} (they lie before the first speaker "
            f"label, or on white space only) and are not compared: {_listed(outside)}.",
            TymqualWarning, stacklevel=2,
        )
    rows, undefined = [], []
    first, second = cmp.coders
    for key, path in cmp.codes:
        row, why = _binary_row(path, hits[(first, key)], hits[(second, key)], boot)
        rows.append(row)
        if why is not None:
            undefined.append(f"{path} ({why})")
    pooled_a = np.concatenate([hits[(first, k)] for k, _ in cmp.codes] or [np.zeros(0, bool)])
    pooled_b = np.concatenate([hits[(second, k)] for k, _ in cmp.codes] or [np.zeros(0, bool)])
    total, why = _binary_row(TOTAL, pooled_a, pooled_b, boot)
    rows.append(total)
    if why is not None:
        undefined.append(f"{TOTAL} ({why})")
    if undefined:
        warnings.warn(
            f"cohen_kappa and krippendorff_alpha are undefined (NaN) for {_listed(undefined)}.",
            TymqualWarning, stacklevel=2,
        )
    paradox = [r["code_path"] for r in rows if r["kappa_paradox"]]
    if paradox:
        warnings.warn(
            f"kappa is low despite high agreement (p_o ≥ {PARADOX_AGREEMENT:.2f}, kappa < "
            f"{PARADOX_KAPPA:.2f}: the kappa paradox) for {_listed(paradox)}; one category "
            "dominates, so report pabak, prevalence_index and gwet_ac1 beside kappa.",
            TymqualWarning, stacklevel=2,
        )
    return _typed_table(pd.DataFrame(rows), cmp, unit, share)


RELIABILITY_COLUMNS: tuple[str, ...] = (
    "code_path", "units", "percent_agreement", "cohen_kappa", "kappa_lo", "kappa_hi",
    "krippendorff_alpha", "alpha_lo", "alpha_hi", "gwet_ac1", "pabak", "prevalence_index",
    "bias_index", "double_coded_share", "note",
)
"""Columns of :func:`reliability_table`; ``precision`` and ``recall`` come before ``note``
when the second coder is a machine."""

_PARADOX_NOTE = {
    "fi": "Kappan paradoksi: havaittu yhtäpitävyys on suuri mutta kappa pieni, koska koodi on "
          "hyvin yleinen tai harvinainen; katso PABAK ja AC1.",
    "en": "Kappa paradox: observed agreement is high but kappa low because the code is very "
          "common or very rare; see PABAK and AC1.",
}
_TABLE_NOTE = {
    "fi": "Koodaajat {a} ja {b}; kaksoiskoodattuna {sources} lähdettä, {share} aineiston "
          "tekstistä. Luottamusvälit {level}: bootstrap, {n_boot} otosta (alfa: Hayes & "
          "Krippendorff 2007).",
    "en": "Coders {a} and {b}; {sources} sources double-coded, {share} of the material's "
          "text. Confidence intervals {level}: bootstrap, {n_boot} resamples (alpha: Hayes & "
          "Krippendorff 2007).",
}


def reliability_table(
    project: Project,
    coders: Sequence[str] = DEFAULT_CODERS,
    *,
    unit: Literal["sentence", "turn"] = "sentence",
    sources: Sequence[str] | None = None,
    lang: Lang = "fi",
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int | None = 0,
) -> pd.DataFrame:
    """The reliability table of a report or methods chapter, one row per code and a total.

    :func:`project_agreement` narrowed to what a reader needs: columns
    :data:`RELIABILITY_COLUMNS` (identifiers, for :func:`tymqual.labels.relabel`), with
    ``precision`` and ``recall`` when the second coder is a machine
    (:func:`tymqual.autocode.is_machine_coder`), and a ``note`` in ``lang`` where kappa is
    low despite high agreement (:func:`is_kappa_paradox`). ``df.attrs["note"]`` is the
    table's note: the coders, the share double-coded and how the intervals were drawn.
    ``sources`` as in :func:`project_agreement` (default: those both coders coded).

    >>> reliability_table(p, ("A", "B"), lang="en")  # doctest: +SKIP
    """
    lang = check_lang(lang, "reliability_table")
    table = project_agreement(project, coders, unit=unit, sources=sources,
                              confidence=confidence, n_boot=n_boot, seed=seed)
    columns = list(RELIABILITY_COLUMNS)
    if is_machine_coder(table.attrs["coders"][1]):
        columns[-1:-1] = ["precision", "recall"]
    out = table.assign(note=np.where(table["kappa_paradox"], _PARADOX_NOTE[lang], ""))
    out = out.loc[:, columns].reset_index(drop=True)
    first, second = table.attrs["coders"]
    share = f"{100 * table.attrs['double_coded_share']:.0f} %"
    out.attrs.update(table.attrs)
    out.attrs["note"] = _TABLE_NOTE[lang].format(
        a=first, b=second, sources=len(table.attrs["sources"]), share=share,
        level=f"{100 * confidence:.0f} %", n_boot=n_boot)
    return out


def disagreements(
    project: Project,
    coders: Sequence[str] = DEFAULT_CODERS,
    *,
    unit: Unit = "sentence",
    min_overlap: float = 0.9,
    codes: Sequence[str] | None = None,
    sources: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Every unit × code the two coders coded differently: the agenda of a consensus meeting.

    Columns ``source_id, unit_start, unit_end, code_path, coded_by, missing_from, text``: the
    unit (offsets into the source text), the code, who coded the unit with it and who did
    not, and the unit's text. Units and arguments as in :func:`project_agreement`; with
    ``unit="overlap"`` each unmatched segment is a row. Rows are in reading order (sources in
    project order, then by position), codes in codebook order. Pass a row's ``source_id``,
    ``unit_start`` and ``unit_end`` to :func:`resolve` to record the decision.

    >>> agenda = disagreements(p, ("A", "B"))  # doctest: +SKIP
    """
    _check_unit(unit, min_overlap)
    if unit == "free":
        raise AgreementError(
            "disagreements() lists units or segments; unit='free' has neither. Use "
            "unit='overlap' to list the segments the coders marked differently."
        )
    cmp = _comparison(project, coders, codes, sources)
    first, second = cmp.coders
    rows: list[tuple[str, int, int, int, str, str, str]] = []
    if unit == "overlap":
        for rank, (key, path) in enumerate(cmp.codes):
            segs = [_segments_of(cmp, c, key) for c in cmp.coders]
            _, only_first, only_second = _match_segments(segs[0], segs[1], float(min_overlap))
            rows += [(*segs[0][i], rank, path, first, second) for i in only_first]
            rows += [(*segs[1][j], rank, path, second, first) for j in only_second]
    else:
        units = _units(project, unit, cmp.sources)
        hits, _ = _presence(units, cmp, _lengths(project, cmp.sources))
        sids, starts, ends = (units[c].to_numpy() for c in units.columns)
        for rank, (key, path) in enumerate(cmp.codes):
            a, b = hits[(first, key)], hits[(second, key)]
            for i in np.flatnonzero(a != b):
                coded, missing = (first, second) if a[i] else (second, first)
                rows.append((str(sids[i]), int(starts[i]), int(ends[i]), rank, path, coded,
                             missing))
    position = {sid: i for i, sid in enumerate(project.source_ids)}
    rows.sort(key=lambda r: (position[r[0]], r[1], r[2], r[3], r[5]))
    frame = pd.DataFrame(
        [(sid, s, e, path, coded, missing, project.text(sid)[s:e])
         for sid, s, e, _, path, coded, missing in rows],
        columns=list(DISAGREEMENT_COLUMNS),
    )
    return frame.astype({"unit_start": "int64", "unit_end": "int64"})


# ==================================================================== consensus
def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def resolve(
    project: Project,
    source_id: str,
    code: str,
    *,
    start: int,
    end: int,
    decision: Decision,
    memo: str = "",
) -> str:
    """Record the consensus decision on a passage as coder ``"consensus"``; returns its id.

    ``decision="code"`` records an ``accepted`` coding of ``code`` on ``[start, end)`` by coder
    :data:`CONSENSUS`; ``decision="no_code"`` records a ``rejected`` one, so that the decision
    not to code, and its ``memo``, are kept too (a rejected coding counts nowhere). The two
    coders' own codings are never changed or removed, so agreement can still be computed from
    them afterwards. Deciding the same passage and code again updates the earlier consensus
    row instead of adding another, and returns its id. Compare the consensus version with
    ``project.segments(coder="consensus")``.

    >>> resolve(p, "H1", "johtaminen", start=59, end=91, decision="code",
    ...         memo="Sovittu 3.11.")  # doctest: +SKIP
    'c3f9a0b1c2d4'
    """
    if decision not in ("code", "no_code"):
        raise AgreementError(
            f"decision={decision!r} is not a decision; use 'code' (the passage gets the code) "
            "or 'no_code' (it does not)."
        )
    if not isinstance(memo, str):
        raise AgreementError(f"memo must be text, got {type(memo).__name__}.")
    text = project.text(source_id)
    check_span(text, start, end, where=f"resolve {source_id!r}")
    key = project.codebook.resolve(code).key
    status = "accepted" if decision == "code" else "rejected"
    with project.ledger.transaction(action="resolve", who=CONSENSUS) as edit:
        frame = edit.frame
        same = ((frame["coder"] == CONSENSUS) & (frame["source_id"] == source_id)
                & (frame["code"] == key) & (frame["start"] == start) & (frame["end"] == end))
        if same.any():
            frame.loc[same, "status"] = status
            frame.loc[same, "memo"] = memo
            return str(frame.loc[same, "coding_id"].iloc[0])
        taken = set(frame["coding_id"])
        coding_id = new_coding_id()
        while coding_id in taken:
            coding_id = new_coding_id()
        row = {"coding_id": coding_id, "source_id": source_id, "start": int(start),
               "end": int(end), "code": key, "coder": CONSENSUS, "status": status,
               "created": _now(), "memo": memo, "reduced": "", "text": text[start:end]}
        new = pd.DataFrame([row], columns=list(CODING_COLUMNS)).astype(frame.dtypes.to_dict())
        edit.frame = pd.concat([frame, new], ignore_index=True) if len(frame) else new
    return coding_id


__all__ = [
    "ABBREVIATIONS",
    "AGREEMENT_COLUMNS",
    "CONSENSUS",
    "DISAGREEMENT_COLUMNS",
    "PARADOX_AGREEMENT",
    "PARADOX_KAPPA",
    "RELIABILITY_COLUMNS",
    "RIGOUR_COLUMNS",
    "TOTAL",
    "AgreementError",
    "AlphaInterval",
    "KappaInterval",
    "bias_index",
    "cohen_kappa",
    "cohen_kappa_ci",
    "cohen_kappa_table",
    "disagreements",
    "double_coded_share",
    "fleiss_kappa",
    "gwet_ac1",
    "is_kappa_paradox",
    "krippendorff_alpha",
    "krippendorff_alpha_ci",
    "merge_codings",
    "pabak",
    "percent_agreement",
    "prevalence_index",
    "project_agreement",
    "reliability_table",
    "resolve",
    "scott_pi",
    "sentence_spans",
    "unitizing_alpha",
    "unitizing_table",
]
