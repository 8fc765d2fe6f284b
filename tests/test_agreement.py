"""Agreement statistics pinned to published examples, cross-checked, and on a coded project.

Three kinds of evidence:

* every row of ``tests/data/reliability-reference/expected_values.csv`` (Krippendorff 2004 and
  2011, Hayes & Krippendorff 2007, Cohen 1960, Fleiss 1971, Artstein & Poesio 2008, Gwet,
  R irr, SAS) to its published precision;
* hypothesis cross-checks against independent implementations: the ``krippendorff`` package
  (alpha, all four levels: it defines the ordinal metric as we do, on the ranks of the
  pairable-value frequencies), scikit-learn's ``cohen_kappa_score`` (with weights) and NLTK's
  ``AnnotationTask.pi``;
* a hand-made two-coder project whose tables are counted by hand below.

The hand-made project (``conftest.make_project``: H1 and H2) has 13 sentence units::

    H1 s1 "Miten verkostoa johdetaan?"            H2 s1 "Miten neuvottelut sujuivat?"
    H1 s2 "Verkostojohtaja on meillä liima."      H2 s2 "Neuvottelut venyivät."
    H1 s3 "Hänellä on resurssit kunnossa."        H2 s3 "Henkilöstö vaihtui kesken kaiken."
    H1 s4 "Entä johtoryhmä?"                      H2 s4 "Entä mallisopimus?"
    H1 s5 "Johtoryhmä tukee hyvin."               H2 s5 "Mallisopimus auttoi."
    H1 s6 "Kela on mukana."                       H2 s6 "Kela on mukana."
    H1 s7 "Toinen kappale samaa vastausta."

and 8 turns (H1 t1 = s1, t2 = s2 + s3, t3 = s4, t4 = s5 + s6 + s7; H2 t2 = s2 + s3, t4 = s5 + s6).
Accepted codings (``double`` fixture):

============  =====================================  =====================================
code          coder A                                coder B
============  =====================================  =====================================
johtaminen    H1 s2 [59, 91); H1 s7 [186, 217)       H1 turn 2 [59, 122) = s2 + s3
resurssit     H1 s3 [92, 122); H2 s3 [56, 89)        H1 "Hänellä on resurssit" [92, 112)
johtoryhma    H1 s5 [146, 169)                       H1 s5 [146, 169)
neuvottelut   H2 s2 + s3 [34, 89)                    H2 s2 [34, 55); H2 turn 4 [115, 151)
============  =====================================  =====================================

plus codings that must not count: B's *suggested* johtaminen, A's *rejected* neuvottelut and
coder C's accepted neuvottelut.
"""

from __future__ import annotations

import doctest
import math
import re
import shutil
import warnings
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import CASES, CODEBOOK, H1, H2
from hypothesis import given, settings
from hypothesis import strategies as st

import tymqual
from tymqual import agreement, morphology
from tymqual.agreement import (
    ABBREVIATIONS,
    AgreementError,
    bias_index,
    cohen_kappa,
    cohen_kappa_ci,
    cohen_kappa_table,
    disagreements,
    fleiss_kappa,
    gwet_ac1,
    is_kappa_paradox,
    krippendorff_alpha,
    krippendorff_alpha_ci,
    pabak,
    percent_agreement,
    prevalence_index,
    project_agreement,
    resolve,
    scott_pi,
    sentence_spans,
)
from tymqual.errors import CodebookError, CodingError, TymqualError, TymqualWarning

MakeProject = Callable[..., tymqual.Project]
# Published figures, copied into the repository so they run in a fresh clone (see its SOURCE.md).
REFERENCE = Path(__file__).resolve().parent / "data" / "reliability-reference"


# ============================================================ published reference examples
def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE / name, index_col=0)


def _coders(name: str) -> pd.DataFrame:
    """A reliability-data file (units × coders) as coders × units."""
    return _read(name).T


def _table_to_units(table: pd.DataFrame) -> list[list[str]]:
    """A contingency table as reliability data: one unit per counted pair of labels."""
    first, second = [], []
    for row_label, row in table.iterrows():
        for col_label, count in row.items():
            first += [str(row_label)] * int(count)
            second += [str(col_label)] * int(count)
    return [first, second]


def _rater_counts(name: str) -> pd.DataFrame:
    """Subjects × raters (each cell a category) as subjects × categories counts."""
    ratings = _read(name)
    return ratings.apply(lambda r: r.value_counts(), axis=1).fillna(0).astype(int)


_KAPPA_WEIGHTS = {"": None, "unweighted": None, "linear": "linear", "quadratic": "quadratic"}
_IRR_WEIGHTS = {"unweighted": None, "equal (linear) weights": "linear",
                "squared weights": "quadratic"}


def _is_table(name: str) -> bool:
    return name.removesuffix(".csv").endswith(("_2x2", "_3x3", "_4x4"))


def _compute(name: str, statistic: str, variant: str) -> float:
    """Our value of one statistic/variant of expected_values.csv."""
    if statistic == "krippendorff_alpha":
        if _is_table(name):
            return krippendorff_alpha(_table_to_units(_read(name)), variant or "nominal")
        data = _coders(name)
        if variant == "nominal with unit 10 of gerry missing":
            data.loc["gerry", 10] = np.nan
            return krippendorff_alpha(data, "nominal")
        return krippendorff_alpha(data, variant.split()[0] if variant else "nominal")
    if statistic == "percent_agreement":
        data = _coders(name)
        if len(data) == 2:
            return percent_agreement(data.iloc[0], data.iloc[1])
        return percent_agreement(data)
    if statistic == "scott_pi":
        data = _coders(name)
        return scott_pi(data.iloc[0], data.iloc[1])
    if statistic == "pairable_values":
        rel = agreement._reliability(_coders(name))
        return float(agreement._coincidence_matrix(rel.counts).sum())
    if statistic == "fleiss_kappa":
        counts = _read(name) if "counts" in name else _rater_counts(name)
        return fleiss_kappa(counts)
    if statistic == "cohen_kappa" and name.startswith("irr_anxiety"):
        data = _coders(name)
        return cohen_kappa(data.loc["rater2"], data.loc["rater3"],
                           _IRR_WEIGHTS[variant.removeprefix("rater2 vs rater3 ")])
    if statistic == "cohen_kappa" and not _is_table(name):
        data = _coders(name)
        return cohen_kappa(data.iloc[0], data.iloc[1])
    if statistic == "cohen_kappa":
        weighting = "linear" if variant.startswith("weighted (linear") else variant
        return cohen_kappa_table(_read(name), _KAPPA_WEIGHTS[weighting])
    raise LookupError(f"{name}: no computation for {statistic!r} / {variant!r}")


def _parts(name: str) -> dict[str, float]:
    """Cohen's p_o and p_e of a table: 1 − the observed and expected disagreement."""
    observed, expected = agreement._kappa_disagreements(_read(name).to_numpy(float), None)
    return {"po": 1 - observed, "pe": 1 - expected}


# Artstein & Poesio (2008) print their coefficients truncated, not rounded: for their Table 4
# D_e = 0.6016 is printed 0.601 (the figure expected_values.csv quotes from dkpro) and
# alpha = 0.80053 is printed 0.800. Such rows are checked as truncations.
TRUNCATED = {("artstein_poesio2008_table4_3x3.csv", "krippendorff_alpha")}
IMPLEMENTED = {"krippendorff_alpha", "percent_agreement", "scott_pi", "pairable_values",
               "fleiss_kappa", "cohen_kappa"}


def _reference_cases() -> Iterator[Any]:
    expected = pd.read_csv(REFERENCE / "expected_values.csv", dtype=str, keep_default_na=False)
    for row in expected.itertuples(index=False):
        precision = int(row.published_precision)
        case = f"{row.file.removesuffix('.csv')}-{row.statistic}-{row.variant or 'default'}"
        if row.statistic not in IMPLEMENTED:
            yield pytest.param(None, id=case, marks=pytest.mark.skip(
                reason=f"{row.statistic} is not implemented in tymqual.agreement"))
            continue
        if "=" in row.expected:  # Cohen 1960 p. 37 publishes p_o and p_e, not kappa
            published = {k: float(v) for k, v in (p.split("=") for p in row.expected.split())}
            for key, value in published.items():
                yield pytest.param(
                    (lambda f=row.file, k=key: _parts(f)[k], value, precision, False),
                    id=f"{case}-{key}")
            # and kappa = (p_o − p_e)/(1 − p_e) from the published p_o and p_e, exact here
            po, pe = published["po"], published["pe"]
            yield pytest.param(
                (lambda f=row.file: cohen_kappa_table(_read(f)), (po - pe) / (1 - pe), 9, False),
                id=f"{case}-kappa")
        elif " / " in row.expected:  # Gwet: unweighted / linear / quadratic in one row
            names = [v.strip() for v in row.variant.split("/")]
            for weighting, value in zip(names, row.expected.split(" / "), strict=True):
                yield pytest.param(
                    (lambda f=row.file, s=row.statistic, w=weighting: _compute(f, s, w),
                     float(value), precision, False), id=f"{case}-{weighting}")
        else:
            yield pytest.param(
                (lambda f=row.file, s=row.statistic, v=row.variant: _compute(f, s, v),
                 float(row.expected), precision, (row.file, row.statistic) in TRUNCATED),
                id=case)


@pytest.mark.parametrize("case", list(_reference_cases()))
def test_published_reference_values(case: tuple[Callable[[], float], float, int, bool]) -> None:
    compute, expected, precision, truncated = case
    value = compute()
    if truncated:
        assert 0 <= value - expected < 10.0**-precision, (value, expected)
    else:
        assert abs(value - expected) <= 0.5 * 10.0**-precision + 1e-12, (value, expected)


def test_every_reference_row_is_covered() -> None:
    expected = pd.read_csv(REFERENCE / "expected_values.csv", dtype=str, keep_default_na=False)
    assert set(expected["statistic"]) <= IMPLEMENTED
    assert len(list(_reference_cases())) >= len(expected)


# ============================================================ independent implementations
@st.composite
def reliability_data(draw: st.DrawFn) -> np.ndarray:
    """2–5 coders × 2–30 units, values 1..k (k = 2–5), about one cell in 2k+1 missing."""
    coders, units, k = (draw(st.integers(2, 5)), draw(st.integers(2, 30)),
                        draw(st.integers(2, 5)))
    cells = draw(st.lists(st.integers(0, 2 * k), min_size=coders * units,
                          max_size=coders * units))
    values = [math.nan if c == 0 else float(c % k + 1) for c in cells]
    return np.array(values).reshape(coders, units)


@st.composite
def label_pairs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    data = draw(reliability_data())
    return data[0], data[1]


def _quiet(func: Callable[..., float], *args: Any) -> tuple[float, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = func(*args)
    return value, [str(w.message) for w in caught if issubclass(w.category, TymqualWarning)]


@settings(max_examples=100, deadline=None)
@given(data=reliability_data())
def test_alpha_matches_the_krippendorff_package(data: np.ndarray) -> None:
    krippendorff = pytest.importorskip("krippendorff")
    for level in ("nominal", "ordinal", "interval", "ratio"):
        ours, warned = _quiet(krippendorff_alpha, data, level)
        if (np.sum(~np.isnan(data), axis=0) >= 2).sum() < 2:
            # We refuse to estimate chance from under two pairable units; the package does not.
            assert math.isnan(ours) and warned, level
            continue
        try:
            with np.errstate(all="ignore"):
                theirs = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
        except ValueError:  # the package refuses data with one value in the domain
            assert math.isnan(ours) and warned, level
            continue
        if math.isnan(theirs):  # 0/0: one value among the pairable values
            assert math.isnan(ours) and warned, level
        else:
            assert ours == pytest.approx(theirs, abs=1e-9), level
            assert not warned, level


@settings(max_examples=60, deadline=None)
@given(data=reliability_data())
def test_alpha_is_the_same_for_every_form_of_the_data(data: np.ndarray) -> None:
    # Numeric arrays and frames take a vectorised path; lists and text the general one.
    as_list = [[None if math.isnan(v) else v for v in row] for row in data.tolist()]
    as_text = [[None if v is None else f"{v:g}" for v in row] for row in as_list]
    for level in ("nominal", "ordinal", "interval", "ratio"):
        general, warned = _quiet(krippendorff_alpha, as_list, level)
        forms = [data, pd.DataFrame(data)]
        if not np.isnan(data).any():
            forms.append(data.astype(np.int64))
        for form in forms:
            value, also_warned = _quiet(krippendorff_alpha, form, level)
            assert (math.isnan(value) and math.isnan(general)) or value == general, level
            assert also_warned == warned, level
    value, _ = _quiet(krippendorff_alpha, as_text, "nominal")
    nominal, _ = _quiet(krippendorff_alpha, data, "nominal")
    assert (math.isnan(value) and math.isnan(nominal)) or value == pytest.approx(nominal)


@settings(max_examples=100, deadline=None)
@given(pair=label_pairs())
def test_kappa_matches_scikit_learn(pair: tuple[np.ndarray, ...]) -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    a, b = pair
    keep = ~(np.isnan(a) | np.isnan(b))
    for weights in (None, "linear", "quadratic"):
        ours, warned = _quiet(cohen_kappa, a, b, weights)
        if keep.sum() < 2:
            assert math.isnan(ours) and warned, weights
            continue
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            theirs = metrics.cohen_kappa_score(a[keep], b[keep], weights=weights)
        if math.isnan(theirs):
            assert math.isnan(ours) and warned, weights
        else:
            assert ours == pytest.approx(theirs, abs=1e-9), weights


@settings(max_examples=50, deadline=None)  # NLTK is slow
@given(pair=label_pairs())
def test_scott_pi_matches_nltk(pair: tuple[np.ndarray, ...]) -> None:
    nltk_agreement = pytest.importorskip("nltk.metrics.agreement")
    a, b = pair
    keep = ~(np.isnan(a) | np.isnan(b))
    ours, warned = _quiet(scott_pi, a, b)
    if keep.sum() < 2 or len(set(a[keep]) | set(b[keep])) < 2:
        assert math.isnan(ours) and warned
        return
    task = nltk_agreement.AnnotationTask(
        [(coder, str(u), str(v)) for coder, values in (("a", a[keep]), ("b", b[keep]))
         for u, v in enumerate(values)])
    assert ours == pytest.approx(task.pi(), abs=1e-9)


@settings(max_examples=50, deadline=None)
@given(pair=label_pairs())
def test_two_coder_forms_agree(pair: tuple[np.ndarray, ...]) -> None:
    # Percent agreement of two sequences equals A_o of the same data as a coders × units table.
    a, b = pair
    first, _ = _quiet(percent_agreement, a, b)
    second, _ = _quiet(percent_agreement, np.vstack([a, b]))
    assert (math.isnan(first) and math.isnan(second)) or first == pytest.approx(second)


# ============================================================ degenerate data and bad input
@pytest.mark.parametrize(
    ("compute", "why"),
    [
        (lambda: krippendorff_alpha([[1, 1, 1], [1, 1, None]]), "one category"),
        (lambda: krippendorff_alpha([["x", "x"], ["x", "x"]]), "one category"),
        (lambda: krippendorff_alpha([[1, None], [None, 2]]), "no unit has values"),
        (lambda: krippendorff_alpha([[1, 2, None], [2, None, 3]]), "only one unit"),
        (lambda: krippendorff_alpha([[1], [2]], level="interval"), "only one unit"),
        (lambda: cohen_kappa(["x", "x", "x"], ["x", "x", "x"]), "one and the same category"),
        (lambda: cohen_kappa([1, None], [None, 2]), "no unit was coded by both"),
        (lambda: cohen_kappa(["x"], ["y"]), "only one unit"),
        (lambda: cohen_kappa_table([[0, 0], [0, 0]]), "empty"),
        (lambda: cohen_kappa_table([[5]]), "one and the same category"),
        (lambda: scott_pi(["x", "x"], ["x", "x"]), "one category"),
        (lambda: scott_pi(["x"], ["y"]), "only one unit"),
        (lambda: scott_pi([None], ["y"]), "no unit"),
        (lambda: fleiss_kappa([[2, 1]]), "single subject"),
        (lambda: fleiss_kappa([[3, 0], [3, 0]]), "one category"),
        (lambda: percent_agreement([None, 1], [1, None]), "no unit was coded by both"),
        (lambda: percent_agreement([[1, None], [None, 1]]), "no unit has values"),
    ],
)
def test_undefined_statistics_are_nan_with_a_warning(compute: Callable[[], float],
                                                     why: str) -> None:
    with pytest.warns(TymqualWarning, match=why):
        value = compute()
    assert isinstance(value, float) and math.isnan(value)


@pytest.mark.parametrize(
    ("compute", "message"),
    [
        (lambda: krippendorff_alpha([[1, 2, 3], [1, 2]]), r"row 1 \(2 values\).*None or NaN"),
        (lambda: krippendorff_alpha([[1, 2, 3]]), "at least two coders.*transpose"),
        (lambda: krippendorff_alpha([[1, 2], [1, 2]], level="nominall"),  # type: ignore[arg-type]
         "level='nominall'.*nominal, ordinal, interval, ratio"),
        (lambda: krippendorff_alpha([["a", "b"], ["a", "c"]], level="ordinal"),
         "level='ordinal' needs finite numbers.*'a'"),
        (lambda: krippendorff_alpha(np.zeros((2, 2, 2))), "two-dimensional"),
        (lambda: krippendorff_alpha("ab"), "table of coders × units"),
        (lambda: krippendorff_alpha([[], []]), "no units"),
        (lambda: cohen_kappa([1, 2, 3], [1, 2]), "a has 3 labels and b has 2"),
        (lambda: cohen_kappa([1, 2], [1, 2], "squared"),  # type: ignore[arg-type]
         "weights='squared'.*'linear' or 'quadratic'"),
        (lambda: cohen_kappa(["lo", "hi"], ["hi", "hi"], "linear"), "categories=\\[...\\]"),
        (lambda: cohen_kappa([1, 2], [1, 3], categories=[1, 2]), "labels 3 are not in categories"),
        (lambda: cohen_kappa("xy", "xy"), "a must be a sequence of labels"),
        (lambda: cohen_kappa_table([[1, 2, 3], [4, 5, 6]]), r"square.*shape \(2, 3\)"),
        (lambda: cohen_kappa_table([[1, -2], [3, 4]]), "counts ≥ 0"),
        (lambda: fleiss_kappa([[2, 1], [3, 0], [1, 1], [0, 3]]),
         r"rows 2 \(2\) have a different number of raters than the others \(3\)"),
        (lambda: fleiss_kappa(pd.DataFrame([[2, 1], [1, 1]], index=["s1", "s2"])),
         r"s1 \(3\)|s2 \(2\)"),
        (lambda: fleiss_kappa([[1, 0], [0, 1]]), "at least two"),
        (lambda: fleiss_kappa([[1.5, 1.5], [3, 0]]), "whole numbers"),
    ],
)
def test_bad_input_names_the_argument_and_the_remedy(compute: Callable[[], float],
                                                     message: str) -> None:
    with pytest.raises(AgreementError, match=message) as caught:
        compute()
    assert isinstance(caught.value, TymqualError) and isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (["x", "y", None, "y"], ["x", "x", "y", "y"], 2 / 3),  # the None unit is dropped
        (pd.Series([1, 2, 3]), np.array([1, 2, 4]), 2 / 3),
        ([np.int64(1), 2.0], [1.0, np.float64(2)], 1.0),  # 1, 1.0 and np.int64(1) are one label
    ],
)
def test_percent_agreement_drops_missing_and_matches_numbers(a: Any, b: Any,
                                                             expected: float) -> None:
    assert percent_agreement(a, b) == pytest.approx(expected)


def test_categories_fix_the_order_for_weights() -> None:
    # Labels given as words in the order low < mid < high: linear weights by that order.
    a, b = ["low", "mid", "high", "high"], ["low", "high", "high", "mid"]
    by_order = cohen_kappa(a, b, "linear", categories=["low", "mid", "high"])
    numeric = cohen_kappa([1, 2, 3, 3], [1, 3, 3, 2], "linear")
    assert by_order == pytest.approx(numeric) == pytest.approx(3 / 7)
    # An unused category in the middle widens the distances and so changes weighted kappa.
    wider = cohen_kappa(a, b, "linear", categories=["low", "mid", "unused", "high"])
    assert wider != pytest.approx(by_order)


def test_docstring_examples_run() -> None:
    result = doctest.testmod(agreement, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 8 and result.failed == 0


# ============================================================ sentence units
@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Kela on mukana. Hyvä niin.", ["Kela on mukana.", "Hyvä niin."]),
        ("Esim. Kela ja mm. Kunta. Sitten.", ["Esim. Kela ja mm. Kunta.", "Sitten."]),
        ("Tästä ks. Liite 2. Se on hyvä.", ["Tästä ks. Liite 2.", "Se on hyvä."]),
        ("Tavattiin klo. 9 ja n. 5 h. Ym. Muut.", ["Tavattiin klo. 9 ja n. 5 h.", "Ym. Muut."]),
        ("Se oli 2. kerta. Joo.", ["Se oli 2. kerta.", "Joo."]),
        ("Vuonna 2020. 5 henkeä lähti.", ["Vuonna 2020.", "5 henkeä lähti."]),
        ("Miksi? Koska! Niin…  Ehkä", ["Miksi?", "Koska!", "Niin…", "Ehkä"]),
        ('Hän sanoi: "Ei käy." Sitten lähti.', ['Hän sanoi: "Ei käy."', "Sitten lähti."]),
        ("M. Virtanen tuli. Äiti jäi.", ["M. Virtanen tuli.", "Äiti jäi."]),
        ("Joo. – Entä sitten?", ["Joo.", "– Entä sitten?"]),
        ("eka rivi\n\ntoka rivi", ["eka rivi", "toka rivi"]),
        ("mukana.\nToinen kappale.", ["mukana.", "Toinen kappale."]),
        ("ei isoa kirjainta. eikä tässä", ["ei isoa kirjainta. eikä tässä"]),
        ("   ", []),
    ],
)
def test_sentence_rule(text: str, sentences: list[str]) -> None:
    assert [text[s:e] for s, e in sentence_spans(text)] == sentences


def test_sentence_spans_of_a_slice_use_offsets_of_the_whole_text() -> None:
    text = "V: Yksi. Kaksi.\nH: Kolme."
    assert sentence_spans(text, 3, 15) == [(3, 8), (9, 15)]


# ============================================================ the hand-made project
def _code_double(p: tymqual.Project) -> None:
    for source, code, where in [
        ("H1", "johtaminen", {"quote": "Verkostojohtaja on meillä liima."}),
        ("H1", "johtaminen", {"quote": "Toinen kappale samaa vastausta."}),
        ("H1", "resurssit", {"quote": "Hänellä on resurssit kunnossa."}),
        ("H2", "resurssit", {"quote": "Henkilöstö vaihtui kesken kaiken."}),
        ("H1", "johtoryhma", {"quote": "Johtoryhmä tukee hyvin."}),
        ("H2", "neuvottelut", {"quote": "Neuvottelut venyivät. Henkilöstö vaihtui kesken kaiken."}),
    ]:
        p.code(source, code, coder="A", **where)
    for source, code, where in [
        ("H1", "johtaminen", {"turns": [2]}),
        ("H1", "resurssit", {"quote": "Hänellä on resurssit"}),
        ("H1", "johtoryhma", {"quote": "Johtoryhmä tukee hyvin."}),
        ("H2", "neuvottelut", {"quote": "Neuvottelut venyivät."}),
        ("H2", "neuvottelut", {"turns": [4]}),
    ]:
        p.code(source, code, coder="B", **where)
    p.code("H2", "johtaminen", quote="Mallisopimus auttoi.", coder="B", status="suggested")
    p.code("H1", "neuvottelut", quote="Kela on mukana.", coder="A", status="rejected")
    p.code("H1", "neuvottelut", turns=[2], coder="C")


@pytest.fixture(scope="module")
def double_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``make_project`` project coded as in the module docstring, built once per module.

    ``make_project`` is per test; coding fourteen passages under the ledger lock for each of
    some forty tests would take most of the time budget, so each test gets a copy of this one.
    """
    root = tmp_path_factory.mktemp("double") / "proj"
    tymqual.init_project(root, name="testi")
    for rel, content in {"codes/codebook.yaml": CODEBOOK, "codes/cases.csv": CASES,
                         "transcripts/H1.txt": H1, "transcripts/H2.txt": H2}.items():
        (root / rel).write_text(content, encoding="utf-8")
    _code_double(tymqual.open_project(root))
    return root


@pytest.fixture
def double(double_template: Path, tmp_path: Path) -> tymqual.Project:
    """A fresh copy of the two-coder project, at the folder ``make_project`` uses."""
    root = tmp_path / "proj"
    shutil.copytree(double_template, root)
    return tymqual.open_project(root)


def test_the_template_is_the_make_project_project(double_template: Path,
                                                  make_project: MakeProject) -> None:
    fresh, template = make_project(), tymqual.open_project(double_template)
    assert fresh.sources.equals(template.sources)
    assert fresh.codebook == template.codebook and fresh.cases.equals(template.cases)


F = Fraction
# Sentence units (13). Presence per code (A / B) and the hand count:
#   johtaminen  A: H1 s2, s7      B: H1 s2, s3       both 1, only_a 1, only_b 1, neither 10
#     p_o = 11/13; p_A = p_B = 2/13; p_e = (2·2 + 11·11)/169 = 125/169
#     kappa = (143 − 125)/(169 − 125) = 9/22
#     alpha = 1 − d(n − 1)/(n_0 n_1), d = 2 disagreeing units, n = 26 values, n_1 = 4,
#     n_0 = 22: 1 − 2·25/88 = 19/44
#   resurssit   A: H1 s3, H2 s3   B: H1 s3           both 1, only_a 1, only_b 0, neither 11
#     p_e = (2·1 + 11·12)/169 = 134/169; kappa = (156 − 134)/(169 − 134) = 22/35
#     alpha = 1 − 1·25/(23·3) = 44/69
#   johtoryhma  A: H1 s5          B: H1 s5           both 1, neither 12: all three are 1
#   neuvottelut A: H2 s2, s3      B: H2 s2, s5, s6   both 1, only_a 1, only_b 2, neither 9
#     p_e = (2·3 + 11·10)/169 = 116/169; kappa = (130 − 116)/(169 − 116) = 14/53
#     alpha = 1 − 3·25/(21·5) = 2/7
#   (total)     52 decisions: both 4, only_a 3, only_b 3, neither 42; p_o = 46/52
#     p_A = p_B = 7/52; p_e = (49 + 45²)/2704 = 2074/2704; kappa = 318/630 = 53/105
#     alpha = 1 − 6·103/(90·14) = 107/210
SENTENCE_TABLE = [
    ("johtaminen", 13, 1, 1, 1, 10, F(11, 13), F(9, 22), F(19, 44)),
    ("johtaminen/resurssit", 13, 1, 1, 0, 11, F(12, 13), F(22, 35), F(44, 69)),
    ("johtaminen/johtoryhma", 13, 1, 0, 0, 12, F(1), F(1), F(1)),
    ("neuvottelut", 13, 1, 1, 2, 9, F(10, 13), F(14, 53), F(2, 7)),
    ("(total)", 52, 4, 3, 3, 42, F(46, 52), F(53, 105), F(107, 210)),
]
# Turn units (8): H1 t2, H1 t4, H2 t2, H2 t4 carry the codings.
#   johtaminen  A: H1 t2, t4   B: H1 t2     both 1, only_a 1, neither 6
#     p_e = (2·1 + 6·7)/64 = 44/64; kappa = (56 − 44)/(64 − 44) = 3/5; alpha = 1 − 15/39 = 8/13
#   resurssit   A: H1 t2, H2 t2   B: H1 t2  the same counts: 7/8, 3/5, 8/13
#   johtoryhma  both H1 t4: 1, 1, 1
#   neuvottelut A: H2 t2   B: H2 t2, t4     both 1, only_b 1, neither 6: 7/8, 3/5, 8/13
#   (total)     32: both 4, only_a 2, only_b 1, neither 25; p_A = 6/32, p_B = 5/32
#     p_e = (6·5 + 26·27)/1024 = 732/1024; kappa = (928 − 732)/(1024 − 732) = 49/73
#     alpha = 1 − 3·63/(53·11) = 394/583
TURN_TABLE = [
    ("johtaminen", 8, 1, 1, 0, 6, F(7, 8), F(3, 5), F(8, 13)),
    ("johtaminen/resurssit", 8, 1, 1, 0, 6, F(7, 8), F(3, 5), F(8, 13)),
    ("johtaminen/johtoryhma", 8, 1, 0, 0, 7, F(1), F(1), F(1)),
    ("neuvottelut", 8, 1, 0, 1, 6, F(7, 8), F(3, 5), F(8, 13)),
    ("(total)", 32, 4, 2, 1, 25, F(29, 32), F(49, 73), F(394, 583)),
]


def _pinned(table: pd.DataFrame, expected: list[tuple[Any, ...]]) -> None:
    assert list(table.columns) == [*agreement.AGREEMENT_COLUMNS, *agreement.RIGOUR_COLUMNS]
    assert len(table) == len(expected)
    for row, want in zip(table.itertuples(index=False), expected, strict=True):
        assert tuple(row)[:6] == want[:6]
        got = [row.percent_agreement, row.cohen_kappa, row.krippendorff_alpha]
        for value, exact in zip(got, want[6:], strict=True):
            if exact is None:
                assert math.isnan(value)
            else:
                assert value == pytest.approx(float(exact), abs=1e-12)


@pytest.mark.parametrize(("unit", "expected"), [("sentence", SENTENCE_TABLE),
                                                ("turn", TURN_TABLE)])
def test_project_agreement_counted_by_hand(double: tymqual.Project, unit: str,
                                           expected: list[tuple[Any, ...]]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", TymqualWarning)  # nothing here is undefined or skipped
        table = project_agreement(double, ("A", "B"), unit=unit)  # type: ignore[arg-type]
    _pinned(table, expected)
    assert table.attrs["coders"] == ("A", "B") and table.attrs["unit"] == unit


def test_swapping_the_coders_swaps_only_a_and_only_b(double: tymqual.Project) -> None:
    ab = project_agreement(double, ("A", "B"))
    ba = project_agreement(double, ("B", "A"))
    assert list(ab["only_a"]) == list(ba["only_b"]) and list(ab["only_b"]) == list(ba["only_a"])
    pd.testing.assert_series_equal(ab["cohen_kappa"], ba["cohen_kappa"])


# Overlap units: johtaminen A [59, 91) vs B [59, 122) share 32 of 63 characters (0.508);
# resurssit A [92, 122) vs B [92, 112) share 20 of 30 (0.667); johtoryhma is identical (1.0);
# neuvottelut A [34, 89) vs B [34, 55) share 21 of 55 (0.382). A's other segments (H1 s7
# johtaminen, H2 s3 resurssit) and B's H2 turn 4 neuvottelut overlap nothing of the other.
@pytest.mark.parametrize(
    ("min_overlap", "rows"),
    [
        # code: (both, only_a, only_b)
        (0.9, [(0, 2, 1), (0, 2, 1), (1, 0, 0), (0, 1, 2), (1, 5, 4)]),
        (0.6, [(0, 2, 1), (1, 1, 0), (1, 0, 0), (0, 1, 2), (2, 4, 3)]),
        (0.5, [(1, 1, 0), (1, 1, 0), (1, 0, 0), (0, 1, 2), (3, 3, 2)]),
        (0.3, [(1, 1, 0), (1, 1, 0), (1, 0, 0), (1, 0, 1), (4, 2, 1)]),
    ],
)
def test_overlap_units_with_min_overlap(double: tymqual.Project, min_overlap: float,
                                        rows: list[tuple[int, int, int]]) -> None:
    with pytest.warns(TymqualWarning, match="unit='overlap'.*chance"):
        table = project_agreement(double, unit="overlap", min_overlap=min_overlap)
    assert list(table["code_path"]) == [r[0] for r in SENTENCE_TABLE]
    assert [tuple(r) for r in table[["both", "only_a", "only_b"]].itertuples(index=False)] == rows
    units = [sum(r) for r in rows]
    assert list(table["units"]) == units and set(table["neither"]) == {0}
    expected = [both / n for (both, _, _), n in zip(rows, units, strict=True)]
    assert list(table["percent_agreement"]) == pytest.approx(expected)
    assert table["cohen_kappa"].isna().all() and table["krippendorff_alpha"].isna().all()


def test_codes_argument_restricts_and_orders_by_codebook(double: tymqual.Project) -> None:
    table = project_agreement(double, codes=["neuvottelut", "Johtoryhmä"])
    assert list(table["code_path"]) == ["johtaminen/johtoryhma", "neuvottelut", "(total)"]
    assert list(table["units"]) == [13, 13, 26]


def test_a_code_neither_coder_used_is_nan_with_a_warning(make_project: MakeProject) -> None:
    p = make_project()
    p.code("H1", "johtaminen", quote="Kela on mukana.", coder="A")
    p.code("H1", "johtaminen", quote="Kela on mukana.", coder="B")
    with pytest.warns(TymqualWarning, match="neuvottelut .neither coder used the code"):
        table = project_agreement(p, codes=["johtaminen", "neuvottelut"])
    row = table.set_index("code_path").loc["neuvottelut"]
    assert (row["units"], row["neither"], row["percent_agreement"]) == (7, 7, 1.0)
    assert math.isnan(row["cohen_kappa"]) and math.isnan(row["krippendorff_alpha"])


H3 = "H: Kysymys?\nV: Vastaus. Esim. Kela ja mm. kunta olivat mukana klo 9. Se kesti n. 2 h.\n"


def test_sources_coded_by_one_coder_are_left_out_unless_named(double: tymqual.Project,
                                                              make_project: MakeProject) -> None:
    p = make_project({"transcripts/H3.txt": H3})  # the same folder as ``double``, plus H3
    p.code("H3", "johtaminen", quote="Esim. Kela ja mm. kunta", coder="A")
    with pytest.warns(TymqualWarning, match="H3 are coded by only one"):
        default = project_agreement(p)
    assert default.attrs["sources"] == ("H1", "H2")
    _pinned(default, SENTENCE_TABLE)
    # H3 has 4 sentences: "Kysymys?", "Vastaus.", "Esim. Kela ja mm. kunta olivat mukana
    # klo 9." and "Se kesti n. 2 h."; A's coding falls in the third only.
    named = project_agreement(p, sources=["H1", "H2", "H3"]).set_index("code_path")
    assert named.loc["johtaminen", ["units", "both", "only_a", "only_b", "neither"]].tolist() == [
        17, 1, 2, 1, 13]


def test_codings_outside_every_turn_are_named(double: tymqual.Project) -> None:
    cid = double.code("H1", "johtaminen", quote="FIKTIIVINEN TESTIAINEISTO", coder="A")
    with pytest.warns(TymqualWarning, match=f"1 coding.s. cover no sentence.*{cid}"):
        table = project_agreement(double)
    _pinned(table, SENTENCE_TABLE)


# H1 sentence 2 is [59, 91), the space [91, 92), sentence 3 [92, 122).
@pytest.mark.parametrize(
    ("span_a", "span_b", "counts"),
    [
        ((59, 92), (92, 122), (0, 1, 1)),  # a trailing space does not reach sentence 3
        ((59, 91), (90, 93), (1, 0, 1)),  # one character in each sentence counts for both
        ((59, 122), (60, 61), (1, 1, 0)),
    ],
)
def test_a_coding_codes_every_unit_it_shares_a_character_with(
        make_project: MakeProject, span_a: tuple[int, int], span_b: tuple[int, int],
        counts: tuple[int, int, int]) -> None:
    p = make_project()
    p.code("H1", "johtaminen", start=span_a[0], end=span_a[1], coder="A")
    p.code("H1", "johtaminen", start=span_b[0], end=span_b[1], coder="B")
    row = project_agreement(p).iloc[0]
    assert (row["both"], row["only_a"], row["only_b"]) == counts


def test_a_coding_of_white_space_only_is_named(make_project: MakeProject) -> None:
    p = make_project()
    p.code("H1", "johtaminen", start=59, end=91, coder="A")
    p.code("H1", "johtaminen", start=59, end=91, coder="B")
    space = p.code("H1", "johtaminen", start=91, end=92, coder="B")
    with pytest.warns(TymqualWarning, match=f"cover no sentence.*{space}"):
        row = project_agreement(p).iloc[0]
    assert (row["both"], row["only_a"], row["only_b"]) == (1, 0, 0)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"coders": ("A", "Z")}, AgreementError, "'Z' have no accepted codings.*'A', 'B', 'C'"),
        ({"coders": ("A", "A")}, AgreementError, "names 'A' twice"),
        ({"coders": "AB"}, AgreementError, "exactly two coders"),
        ({"unit": "paragraph"}, AgreementError, "unit='paragraph'.*'sentence', 'turn'"),
        ({"min_overlap": 0}, AgreementError, "min_overlap=0 must be a share"),
        ({"min_overlap": 1.5}, AgreementError, "min_overlap=1.5"),
        ({"sources": ["H9"]}, AgreementError, "'H9' are not in the project.*H1, H2"),
        ({"codes": ["ei_ole"]}, CodebookError, "ei_ole"),
    ],
)
@pytest.mark.parametrize("func", [project_agreement, disagreements])
def test_project_comparison_refuses_bad_arguments(double: tymqual.Project, func: Any,
                                                  kwargs: dict[str, Any], error: type,
                                                  message: str) -> None:
    with pytest.raises(error, match=message):
        func(double, **kwargs)


def test_disagreements_list_every_unit_and_code(double: tymqual.Project) -> None:
    agenda = disagreements(double, ("A", "B"))
    assert list(agenda.columns) == list(agreement.DISAGREEMENT_COLUMNS)
    rows = [tuple(r) for r in agenda[["source_id", "code_path", "coded_by", "missing_from",
                                      "text"]].itertuples(index=False)]
    assert rows == [
        ("H1", "johtaminen", "B", "A", "Hänellä on resurssit kunnossa."),
        ("H1", "johtaminen", "A", "B", "Toinen kappale samaa vastausta."),
        ("H2", "johtaminen/resurssit", "A", "B", "Henkilöstö vaihtui kesken kaiken."),
        ("H2", "neuvottelut", "A", "B", "Henkilöstö vaihtui kesken kaiken."),
        ("H2", "neuvottelut", "B", "A", "Mallisopimus auttoi."),
        ("H2", "neuvottelut", "B", "A", "Kela on mukana."),
    ]
    for sid, start, end, text in agenda[["source_id", "unit_start", "unit_end", "text"]
                                        ].itertuples(index=False):
        assert double.text(sid)[start:end] == text
    assert agenda["unit_start"].tolist()[:2] == [92, 186]
    # as many rows as the table's disagreeing decisions
    total = project_agreement(double).set_index("code_path").loc["(total)"]
    assert len(agenda) == total["only_a"] + total["only_b"]


def test_disagreements_with_overlap_units_list_unmatched_segments(double: tymqual.Project
                                                                  ) -> None:
    agenda = disagreements(double, unit="overlap", min_overlap=0.9)
    spans = [(r.source_id, r.unit_start, r.unit_end, r.code_path.rsplit("/")[-1], r.coded_by)
             for r in agenda.itertuples(index=False)]
    assert spans == [
        ("H1", 59, 91, "johtaminen", "A"),
        ("H1", 59, 122, "johtaminen", "B"),
        ("H1", 92, 112, "resurssit", "B"),
        ("H1", 92, 122, "resurssit", "A"),
        ("H1", 186, 217, "johtaminen", "A"),
        ("H2", 34, 55, "neuvottelut", "B"),
        ("H2", 34, 89, "neuvottelut", "A"),
        ("H2", 56, 89, "resurssit", "A"),
        ("H2", 115, 151, "neuvottelut", "B"),
    ]


# ============================================================ consensus
def test_resolve_keeps_the_originals_and_records_the_decision(double: tymqual.Project) -> None:
    before = double.codings
    agenda = disagreements(double)
    first = agenda.iloc[0]
    coded = resolve(double, first["source_id"], first["code_path"], start=int(first["unit_start"]),
                    end=int(first["unit_end"]), decision="code", memo="Sovittu kokouksessa.")
    second = agenda.iloc[1]
    rejected = resolve(double, second["source_id"], second["code_path"],
                       start=int(second["unit_start"]), end=int(second["unit_end"]),
                       decision="no_code", memo="Ei johtamista.")
    after = double.codings
    pd.testing.assert_frame_equal(after.iloc[: len(before)], before)
    added = after.iloc[len(before):].set_index("coding_id")
    assert list(added.index) == [coded, rejected]
    assert added[["source_id", "code", "coder", "status", "memo"]].values.tolist() == [
        ["H1", "johtaminen", "consensus", "accepted", "Sovittu kokouksessa."],
        ["H1", "johtaminen", "consensus", "rejected", "Ei johtamista."],
    ]
    assert added.loc[coded, "text"] == "Hänellä on resurssit kunnossa."
    # The coders' own agreement is unchanged by the consensus rows.
    _pinned(project_agreement(double), SENTENCE_TABLE)
    consensus = double.segments(coder="consensus")
    assert list(consensus["coding_id"]) == [coded]


def test_deciding_again_updates_the_consensus_row(double: tymqual.Project) -> None:
    first = resolve(double, "H1", "johtaminen", start=92, end=122, decision="code")
    n = len(double.codings)
    again = resolve(double, "H1", "johtaminen", start=92, end=122, decision="no_code",
                    memo="Muutettu.")
    assert again == first and len(double.codings) == n
    row = double.codings.set_index("coding_id").loc[first]
    assert (row["status"], row["memo"]) == ("rejected", "Muutettu.")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"decision": "maybe"}, AgreementError, "decision='maybe'.*'code'.*'no_code'"),
        ({"start": 500, "end": 510}, CodingError, "does not fit the text"),
        ({"code": "ei_ole"}, CodebookError, "ei_ole"),
    ],
)
def test_resolve_refuses_bad_arguments(double: tymqual.Project, kwargs: dict[str, Any],
                                       error: type, message: str) -> None:
    args: dict[str, Any] = {"code": "johtaminen", "start": 92, "end": 122, "decision": "code"}
    args.update(kwargs)
    n = len(double.codings)
    with pytest.raises(error, match=message):
        resolve(double, "H1", **args)
    assert len(double.codings) == n


# ---------------------------------------------------------------------------- sentence cuts
# The rule of sentence_spans as first written, a match at a time: the reference the one-pass
# _CANDIDATE version must agree with on any text.
_REF_TERMINATOR = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)")
_REF_WORD_BEFORE = re.compile(r"(\w+)$")
_REF_OPENERS = "\"'”’«([–—-"


def _reference_ends(text: str, match: re.Match[str], lo: int, hi: int) -> bool:
    j = match.end()
    while j < hi and (text[j].isspace() or text[j] in _REF_OPENERS):
        j += 1
    if j >= hi or not (text[j].isupper() or text[j].isdigit()):
        return False
    if match.group() != ".":
        return True
    word = _REF_WORD_BEFORE.search(text, max(lo, match.start() - 40), match.start())
    if word is None:
        return True
    token = word.group(1)
    return not ((len(token) == 1 and token.isupper()) or token.casefold() in ABBREVIATIONS)


def _reference_cuts(text: str, lo: int, hi: int) -> list[int]:
    return [m.end() for m in _REF_TERMINATOR.finditer(text, lo, hi)
            if _reference_ends(text, m, lo, hi)]


_WORDS = st.sampled_from(["", "a", "Kela", "esim", "Esim", "mm", "klo", "n", "K", "H", "3",
                          "10", "²", "_", "ä", "Ö", "x" * 45, "X" * 41])
_MARKS = st.sampled_from(["", ".", ".", "..", "!", "?", "…", "?!", '."', ".”", ".)", "]",
                          ".’", "»", "-", ":"])
_GAPS = st.sampled_from(["", " ", " ", "  ", "\n", "\n\n", "\t", "\u00a0", ' "', " «", " (",
                         " [", " – ", " —", "-", "'"])
_PIECES = st.tuples(_WORDS, _MARKS, _GAPS).map("".join)


@settings(max_examples=600, deadline=None)
@given(st.lists(_PIECES, max_size=25), st.integers(0, 5), st.integers(0, 5))
def test_sentence_cuts_agree_with_the_rule_applied_match_by_match(
        pieces: list[str], cut_lo: int, cut_hi: int) -> None:
    text = "".join(pieces)
    lo, hi = min(cut_lo, len(text)), max(min(cut_lo, len(text)), len(text) - cut_hi)
    assert morphology._sentence_cuts(text, lo, hi) == _reference_cuts(text, lo, hi)


@pytest.mark.parametrize("text", [
    "K. Kela tuli.", "Esim. Kela. Mm. Se. Klo 9. Hän", 'Se loppui." "Uusi alkoi.',
    "Loppu?! 3 asiaa.", "A.b. Cc", "x" * 45 + ". Seuraava", "Hän sanoi: ”Ei.” – Niin.",
])
def test_sentence_cuts_agree_on_chosen_texts(text: str) -> None:
    assert morphology._sentence_cuts(text, 0, len(text)) == _reference_cuts(text, 0, len(text))


def test_sentence_cuts_agree_on_the_demo_interviews() -> None:
    demo = tymqual.open_project(Path(__file__).resolve().parent.parent, cache=False)
    for sid in demo.source_ids:
        text = demo.text(sid)
        for turn in demo.document(sid).turns:
            assert (morphology._sentence_cuts(text, turn.start, turn.end)
                    == _reference_cuts(text, turn.start, turn.end)), (sid, turn.turn)


# ============================================================ AC1, PABAK and the indices
# Gwet's AC1 as published: Gwet (2014) Handbook of Inter-Rater Reliability, 4th ed., via the
# irrCAC test suite (afergadis/irrCAC test/unit/irrCAC/table/test_gwet.py and raw/test_gwet.py):
# the abstractors 3 x 3 table 0.849, the diagnosis 4 x 4 table 0.456, Krippendorff's 4 raters
# with missing values (irrCAC raw_4raters) p_a 0.818, p_e 0.190, AC1 0.775, and Ben/Gerry with
# Gerry's unit 10 missing (irrCAC raw_ben_gerry) p_a 0.727, p_e 0.194, AC1 0.661.
@pytest.mark.parametrize(("name", "published"), [
    ("gwet_abstractors_3x3.csv", 0.849), ("gwet_diagnosis_4x4.csv", 0.456)])
def test_gwet_ac1_of_published_tables(name: str, published: float) -> None:
    first, second = _table_to_units(_read(name))
    assert abs(gwet_ac1(first, second) - published) <= 0.0005


def test_gwet_ac1_of_published_reliability_data() -> None:
    assert abs(gwet_ac1(_coders("k2011_C_4coders_missing.csv")) - 0.775) <= 0.0005
    data = _coders("k2011_B_nominal_2coders.csv")
    data.loc["gerry", 10] = np.nan
    assert abs(gwet_ac1(data) - 0.661) <= 0.0005
    # the two-coder form drops unit 10, so it is AC1 of the 11 complete units
    complete = data.drop(columns=10)
    assert gwet_ac1(data.loc["ben"], data.loc["gerry"]) == pytest.approx(gwet_ac1(complete))


def _irrcac_raw(data: np.ndarray) -> Any:
    raw = pytest.importorskip("irrCAC.raw")
    frame = pd.DataFrame(data.T)
    categories = sorted(set(data[~np.isnan(data)].tolist()))
    return raw.CAC(frame, categories=categories, digits=12)


@settings(max_examples=60, deadline=None)
@given(data=reliability_data())
def test_gwet_ac1_matches_irrcac(data: np.ndarray) -> None:
    ours, warned = _quiet(gwet_ac1, data)
    seen = set(data[~np.isnan(data)].tolist())
    pairable = (np.sum(~np.isnan(data), axis=0) >= 2).any()
    if len(seen) < 2 or not pairable:
        assert math.isnan(ours) and warned
        return
    if (np.sum(~np.isnan(data), axis=0) >= 1).sum() < 2:  # irrCAC divides by n − 1
        return
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        theirs = _irrcac_raw(data).gwet()["est"]["coefficient_value"]
    assert ours == pytest.approx(theirs, abs=1e-9)


def _matches_irrcac_on_two_coders(
    statistic: Callable[..., float], method: str, pair: tuple[np.ndarray, ...]
) -> None:
    """Ours on two label sequences equals irrCAC's ``method`` on the units both coded."""
    # The two-sequence form drops a unit either coder left out, as cohen_kappa does.
    a, b = pair
    keep = ~(np.isnan(a) | np.isnan(b))
    ours, warned = _quiet(statistic, a, b)
    if keep.sum() == 0 or len(set(a[keep]) | set(b[keep])) < 2:
        assert math.isnan(ours) and warned
        return
    if keep.sum() < 2:  # irrCAC divides by n − 1 for its variance
        return
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        found = getattr(_irrcac_raw(np.vstack([a[keep], b[keep]])), method)()
    assert ours == pytest.approx(found["est"]["coefficient_value"], abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(pair=label_pairs())
def test_two_coder_ac1_matches_irrcac(pair: tuple[np.ndarray, ...]) -> None:
    _matches_irrcac_on_two_coders(gwet_ac1, "gwet", pair)


@settings(max_examples=60, deadline=None)
@given(pair=label_pairs())
def test_pabak_is_brennan_prediger_of_irrcac(pair: tuple[np.ndarray, ...]) -> None:
    # PABAK with q categories is Brennan & Prediger's (1981) coefficient (q p_o − 1)/(q − 1).
    _matches_irrcac_on_two_coders(pabak, "bp", pair)


@pytest.mark.parametrize("cells", [(20, 5, 10, 15), (80, 10, 5, 5), (40, 9, 6, 45), (0, 3, 4, 1)])
def test_prevalence_bias_and_pabak_of_a_two_by_two_table(cells: tuple[int, ...]) -> None:
    both, only_a, only_b, neither = cells
    n = sum(cells)
    a = [1] * both + [1] * only_a + [0] * only_b + [0] * neither
    b = [1] * both + [0] * only_a + [1] * only_b + [0] * neither
    assert prevalence_index(a, b, positive=1) == pytest.approx(F(both - neither, n))
    assert bias_index(a, b, positive=1) == pytest.approx(F(only_a - only_b, n))
    assert pabak(a, b) == pytest.approx(2 * F(both + neither, n) - 1)
    # kappa of the same decisions with both margins made 50/50 is PABAK (Byrt et al. 1993)
    half = F(only_a + only_b, 2)
    balanced = [[F(both + neither, 2), half], [half, F(both + neither, 2)]]
    assert cohen_kappa_table(np.array(balanced, dtype=float)) == pytest.approx(pabak(a, b))


# Feinstein & Cicchetti (1990, J Clin Epidemiol 43:543) show two 2 x 2 tables with the same
# p_o = 0.85: (a) 40/9/6/45 with kappa 0.70 and (b) 80/10/5/5 with kappa 0.32.
@pytest.mark.parametrize(("cells", "kappa", "paradox"), [
    ((40, 9, 6, 45), 0.70, False), ((80, 10, 5, 5), 0.32, True)])
def test_the_kappa_paradox_of_feinstein_and_cicchetti(cells: tuple[int, ...], kappa: float,
                                                      paradox: bool) -> None:
    both, only_a, only_b, neither = cells
    table = [[both, only_a], [only_b, neither]]
    value = cohen_kappa_table(table)
    assert abs(value - kappa) <= 0.005
    assert is_kappa_paradox(F(both + neither, sum(cells)), value) is paradox


# ============================================================ bootstrap intervals
def test_alpha_interval_is_reproducible_and_brackets_alpha() -> None:
    data = [["a", "a", "b", "b", "d", "c", "c", "c", "e", "d", "d", "a"],
            ["b", "a", "b", "b", "b", "c", "c", "c", "e", "d", "d", "d"]]
    first = krippendorff_alpha_ci(data, seed=7)
    assert first == krippendorff_alpha_ci(data, seed=7)
    assert first.alpha == krippendorff_alpha(data)
    assert first.lo < first.alpha < first.hi <= 1
    wider = krippendorff_alpha_ci(data, confidence=0.99, seed=7)
    assert wider.lo <= first.lo and wider.hi >= first.hi


def test_hayes_krippendorff_resample_their_239_pairs() -> None:
    # Hayes & Krippendorff (2007, p. 85): the bootstrap of their Table 1 draws 239 pairs of
    # judgments; alpha (ordinal) is 0.7598.
    data = _coders("hayes2007_table1_news_tone.csv")
    rel = agreement._reliability(data, "ordinal")
    pairs = agreement._pair_groups(rel, "ordinal")
    assert pairs.counts.sum() == 239
    assert sum(m * (m - 1) // 2 for m in data.notna().sum(axis=0) if m >= 2) == 239
    # Drawn with chance ∝ 1/(m_u − 1), the pairs' mean δ² is D_o: alpha is unchanged.
    chance = pairs.counts * pairs.weights / (pairs.counts * pairs.weights).sum()
    assert 1 - (chance @ pairs.delta2) / pairs.expected == pytest.approx(
        krippendorff_alpha(data, "ordinal"))
    ci = krippendorff_alpha_ci(data, "ordinal", n_boot=5000, seed=1)
    assert abs(ci.alpha - 0.7598) < 0.00005 and ci.lo < 0.7598 < ci.hi


def _brute_alpha_draws(a: np.ndarray, b: np.ndarray, n_boot: int, seed: int) -> np.ndarray:
    """Two coders, no missing, nominal: resample units, keep D_e of the data."""
    rng = np.random.default_rng(seed)
    values = np.concatenate([a, b])
    n = len(values)
    counts = np.unique(values, return_counts=True)[1]
    expected = (n * n - (counts**2).sum()) / (n * (n - 1))
    draws = []
    for _ in range(n_boot):
        pick = rng.integers(0, len(a), len(a))
        draws.append(1 - np.mean(a[pick] != b[pick]) / expected)
    return np.array(draws)


def test_alpha_interval_of_two_coders_is_the_unit_bootstrap() -> None:
    rng = np.random.default_rng(0)
    a = rng.integers(0, 3, 80)
    b = np.where(rng.random(80) < 0.7, a, rng.integers(0, 3, 80))
    ours = krippendorff_alpha_ci([a.tolist(), b.tolist()], n_boot=4000, seed=2)
    assert ours != krippendorff_alpha_ci([a.tolist(), b.tolist()], n_boot=4000, seed=3)
    brute = np.quantile(_brute_alpha_draws(a, b, 4000, 3), [0.025, 0.975])
    assert abs(ours.lo - brute[0]) < 0.03 and abs(ours.hi - brute[1]) < 0.03


def test_kappa_interval_is_the_unit_bootstrap() -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(1)
    a = rng.integers(0, 3, 60)
    b = np.where(rng.random(60) < 0.6, a, rng.integers(0, 3, 60))
    ours = cohen_kappa_ci(a, b, n_boot=4000, seed=5)
    assert ours == cohen_kappa_ci(a, b, n_boot=4000, seed=5)
    assert ours.kappa == pytest.approx(metrics.cohen_kappa_score(a, b))
    picks = rng.integers(0, 60, (4000, 60))
    brute = np.quantile([metrics.cohen_kappa_score(a[p], b[p]) for p in picks], [0.025, 0.975])
    assert abs(ours.lo - brute[0]) < 0.03 and abs(ours.hi - brute[1]) < 0.03


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"confidence": 1.5}, "confidence=1.5"), ({"confidence": 0}, "confidence=0"),
    ({"n_boot": 10}, "n_boot=10"), ({"n_boot": 100.5}, "n_boot=100.5"),
    ({"seed": "x"}, "seed='x'")])
@pytest.mark.parametrize("func", [
    lambda **kw: krippendorff_alpha_ci([[1, 2, 1], [1, 2, 2]], **kw),
    lambda **kw: cohen_kappa_ci([1, 2, 1], [1, 2, 2], **kw)])
def test_intervals_refuse_bad_arguments(func: Callable[..., Any], kwargs: dict[str, Any],
                                        message: str) -> None:
    with pytest.raises(AgreementError, match=re.escape(message)):
        func(**kwargs)


def test_undefined_alpha_has_an_undefined_interval() -> None:
    with pytest.warns(TymqualWarning, match="one category"):
        ci = krippendorff_alpha_ci([[1, 1, 1], [1, 1, 1]], seed=0)
    assert all(math.isnan(v) for v in ci)


# ============================================================ the rigour columns on a project
def test_project_table_adds_the_rigour_columns(double: tymqual.Project) -> None:
    table = project_agreement(double)
    assert list(table.columns) == [*agreement.AGREEMENT_COLUMNS, *agreement.RIGOUR_COLUMNS]
    assert table.equals(project_agreement(double))  # seeded: the same table twice
    for row in table.itertuples(index=False):
        both, only_a, only_b, neither = row.both, row.only_a, row.only_b, row.neither
        a = [1] * both + [1] * only_a + [0] * only_b + [0] * neither
        b = [1] * both + [0] * only_a + [1] * only_b + [0] * neither
        assert row.pabak == pytest.approx(2 * row.percent_agreement - 1)
        assert row.prevalence_index == pytest.approx(prevalence_index(a, b, positive=1))
        assert row.bias_index == pytest.approx(bias_index(a, b, positive=1))
        if len(set(a + b)) == 2:
            assert row.gwet_ac1 == pytest.approx(gwet_ac1(a, b))
        assert row.precision == pytest.approx(F(both, both + only_b))
        assert row.recall == pytest.approx(F(both, both + only_a))
        if math.isnan(row.cohen_kappa):
            continue
        assert row.kappa_lo <= row.cohen_kappa <= row.kappa_hi
        assert row.alpha_lo <= row.krippendorff_alpha <= row.alpha_hi
    whole = sum(len(double.text(s)) for s in double.source_ids)
    assert (table["double_coded_share"] == 1.0).all() and whole > 0


def test_a_code_keeps_its_interval_when_other_codes_come_and_go(double: tymqual.Project
                                                                ) -> None:
    every = project_agreement(double).set_index("code_path")
    one = project_agreement(double, codes=["neuvottelut"]).set_index("code_path")
    columns = ["kappa_lo", "kappa_hi", "alpha_lo", "alpha_hi"]
    assert one.loc["neuvottelut", columns].equals(every.loc["neuvottelut", columns])
    other = project_agreement(double, seed=99).set_index("code_path")
    assert not other.loc["neuvottelut", columns].equals(every.loc["neuvottelut", columns])


def test_the_share_double_coded_is_beside_every_figure(double: tymqual.Project,
                                                       make_project: MakeProject) -> None:
    p = make_project({"transcripts/H3.txt": H3})
    p.code("H3", "johtaminen", quote="Esim. Kela ja mm. kunta", coder="A")
    with pytest.warns(TymqualWarning, match="H3 are coded by only one"):
        table = project_agreement(p)
    texts = {sid: (p.root / "transcripts" / f"{sid}.txt").read_text(encoding="utf-8")
             for sid in ("H1", "H2", "H3")}
    share = (len(texts["H1"]) + len(texts["H2"])) / sum(len(t) for t in texts.values())
    assert table["double_coded_share"].tolist() == pytest.approx([share] * len(table), abs=0.01)
    assert table.attrs["double_coded_share"] == table["double_coded_share"].iloc[0]


def test_a_low_kappa_despite_high_agreement_is_flagged(make_project: MakeProject) -> None:
    p = make_project()
    p.code("H1", "johtaminen", quote="Verkostojohtaja on meillä liima.", coder="A")
    p.code("H1", "johtaminen", quote="Hänellä on resurssit kunnossa.", coder="B")
    with pytest.warns(TymqualWarning, match="kappa paradox.*johtaminen"):
        table = project_agreement(p, sources=["H1", "H2"])
    row = table.set_index("code_path").loc["johtaminen"]
    # 13 sentences, the coders disagree on two: p_o = 11/13, kappa = (143 − 145)/(169 − 145)
    assert row["percent_agreement"] == pytest.approx(11 / 13)
    assert row["cohen_kappa"] == pytest.approx(-2 / 24)
    assert bool(row["kappa_paradox"]) and row["gwet_ac1"] > 0.8


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"confidence": 2}, "confidence=2"), ({"n_boot": 5}, "n_boot=5")])
def test_project_table_refuses_bad_interval_arguments(double: tymqual.Project,
                                                      kwargs: dict[str, Any], message: str
                                                      ) -> None:
    with pytest.raises(AgreementError, match=message):
        project_agreement(double, **kwargs)


def _free_segments(p: tymqual.Project) -> tuple[pd.DataFrame, dict[str, int]]:
    """A's and B's accepted spans read from the ledger file with pandas, and the transcripts'
    lengths read from their files: the unitizing input built without tymqual."""
    ledger = pd.read_csv(p.root / "codes" / "codings.csv", dtype=str)
    mine = ledger[(ledger["status"] == "accepted") & ledger["coder"].isin(["A", "B"])]
    paths = {c.key: c.path for c in p.codebook}
    segments = pd.DataFrame({"coder": mine["coder"], "source": mine["source_id"],
                             "start": mine["start"].astype(int), "end": mine["end"].astype(int),
                             "code": mine["code"].map(paths)})
    lengths = {sid: len((p.root / "transcripts" / f"{sid}.txt").read_text("utf-8"))
               for sid in ("H1", "H2")}
    return segments, lengths


def test_free_units_give_the_unitizing_family(double: tymqual.Project) -> None:
    from tymqual.unitizing import UNITIZING_COLUMNS, unitizing_table

    with pytest.warns(TymqualWarning, match="coder 'B' has overlapping segments"):
        table = project_agreement(double, unit="free")
    assert list(table.columns) == [*UNITIZING_COLUMNS, "double_coded_share"]
    assert table.attrs["unit"] == "free" and table.attrs["sources"] == ("H1", "H2")
    assert (table.pop("double_coded_share") == 1.0).all()
    segments, lengths = _free_segments(double)
    with pytest.warns(TymqualWarning):
        expected = unitizing_table(segments, lengths)
    pd.testing.assert_frame_equal(table, expected, check_like=False, check_exact=False)
    assert set(table.loc[table["level"] == "domain", "name"]) == {"johtaminen", "neuvottelut"}
    with pytest.raises(AgreementError, match="unit='free' has neither"):
        disagreements(double, unit="free")


def test_the_codebook_can_name_the_semantic_domains(double: tymqual.Project) -> None:
    # Both themes declared one variable: a single domain row, and (c|u)α over both codes as
    # its values, as unitizing_table computes it from the ledger with that mapping.
    from tymqual.unitizing import unitizing_table

    book = double.root / "codes" / "codebook.yaml"
    text = book.read_text(encoding="utf-8")
    for theme in ("johtaminen", "neuvottelut"):
        text = text.replace(f"    key: {theme}\n", f"    key: {theme}\n    domain: teemat\n", 1)
    book.write_text(text, encoding="utf-8")
    p = tymqual.open_project(double.root)
    assert {c.path: p.codebook.domain_of(c) for c in p.codebook} == {
        c.path: "teemat" for c in p.codebook}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TymqualWarning)
        table = project_agreement(p, unit="free")
        segments, lengths = _free_segments(p)
        expected = unitizing_table(segments, lengths,
                                   domains={c: "teemat" for c in set(segments["code"])})
    assert table.loc[table["level"] == "domain", "name"].tolist() == ["teemat"]
    pd.testing.assert_frame_equal(table.drop(columns="double_coded_share"), expected,
                                  check_exact=False)
    p.recolor_code("johtaminen", "#000000")  # a save keeps the domain lines
    assert yaml.safe_load(book.read_text(encoding="utf-8"))["codes"][0]["domain"] == "teemat"


# ============================================================ the machine as a coder
def test_a_machine_coder_is_compared_like_a_person(double: tymqual.Project) -> None:
    from tymqual.autocode import accept, is_machine_coder, machine_coder, reject

    machine = machine_coder("autocode", "keywords")
    assert is_machine_coder(machine) and is_machine_coder("suggester")
    assert not is_machine_coder("A") and not is_machine_coder("autocoder")
    # the machine proposes johtaminen on H1 s2 and s3 and neuvottelut on H2 s2; a person
    # accepts one proposal and rejects another: all three still count as the machine's.
    ids = [double.code("H1", "johtaminen", quote=q, coder=machine, status="suggested")
           for q in ("Verkostojohtaja on meillä liima.", "Hänellä on resurssit kunnossa.")]
    ids.append(double.code("H2", "neuvottelut", quote="Neuvottelut venyivät.", coder=machine,
                           status="suggested"))
    accept(double, ids[0])
    reject(double, ids[1])
    table = project_agreement(double, ("A", machine), codes=["johtaminen", "neuvottelut"])
    rows = table.set_index("code_path")
    # johtaminen: A has H1 s2 and s7, the machine s2 and s3 (13 sentences)
    assert rows.loc["johtaminen", ["both", "only_a", "only_b", "neither"]].tolist() == [
        1, 1, 1, 10]
    assert rows.loc["johtaminen", "precision"] == 0.5 and rows.loc["johtaminen", "recall"] == 0.5
    # neuvottelut: A has H2 s2 + s3, the machine s2 only
    assert rows.loc["neuvottelut", ["both", "only_a", "only_b"]].tolist() == [1, 1, 0]
    assert rows.loc["neuvottelut", "precision"] == 1.0
    assert rows.loc["neuvottelut", "recall"] == 0.5
    assert rows.loc["neuvottelut", "cohen_kappa"] == pytest.approx(
        cohen_kappa([1, 1] + [0] * 11, [1, 0] + [0] * 11))


def test_a_person_counts_accepted_codings_only(double: tymqual.Project) -> None:
    with pytest.raises(AgreementError, match="'D' have no accepted codings"):
        double.code("H1", "johtaminen", quote="Kela on mukana.", coder="D",
                    status="suggested")
        project_agreement(double, ("A", "D"))


# ============================================================ the report's reliability table
@pytest.mark.parametrize("lang", ["fi", "en"])
def test_reliability_table_for_the_report(make_project: MakeProject, lang: str) -> None:
    from tymqual.labels import relabel

    p = make_project()
    p.code("H1", "johtaminen", quote="Verkostojohtaja on meillä liima.", coder="A")
    p.code("H1", "johtaminen", quote="Hänellä on resurssit kunnossa.", coder="B")
    p.code("H2", "neuvottelut", quote="Neuvottelut venyivät.", coder="A")
    p.code("H2", "neuvottelut", quote="Neuvottelut venyivät.", coder="B")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TymqualWarning)
        table = agreement.reliability_table(p, ("A", "B"), lang=lang)  # type: ignore[arg-type]
        full = project_agreement(p, ("A", "B"))
    assert list(table.columns) == list(agreement.RELIABILITY_COLUMNS)
    shared = [c for c in table.columns if c != "note"]
    pd.testing.assert_frame_equal(table[shared], full[shared])
    notes = dict(zip(table["code_path"], table["note"], strict=True))
    paradox = "Kappan paradoksi" if lang == "fi" else "Kappa paradox"
    assert notes["johtaminen"].startswith(paradox) and notes["neuvottelut"] == ""
    assert "A" in table.attrs["note"] and "100 %" in table.attrs["note"]
    assert ("lähdettä" in table.attrs["note"]) is (lang == "fi")
    assert not any("_" in str(c) for c in relabel(table, lang).columns)  # type: ignore[arg-type]


def test_reliability_table_of_a_machine_has_precision_and_recall(double: tymqual.Project
                                                                 ) -> None:
    from tymqual.autocode import machine_coder

    machine = machine_coder("suggester", "logistic")
    double.code("H1", "johtaminen", quote="Verkostojohtaja on meillä liima.", coder=machine,
                status="suggested")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TymqualWarning)
        table = agreement.reliability_table(double, ("A", machine))
    assert list(table.columns[-3:]) == ["precision", "recall", "note"]
    with pytest.raises(TymqualError, match="lang must be"):
        agreement.reliability_table(double, ("A", "B"), lang="sv")  # type: ignore[arg-type]
