"""Unitizing alpha pinned to the published examples and to a character-by-character count.

Published figures (each carried over as a fact, with where it is printed):

* Krippendorff (2004), *Content Analysis* 2nd ed., p. 254 (as encoded in DKPro Statistics'
  ``unitizing/Krippendorff2004Test``): two observers on the continuum [150, 450); code c has
  D_o = 0.0144, D_e = 0.0532, α_u = 0.7286; code k has D_o = 0, D_e = 0.0490, α_u = 1; both
  codes α_u = 0.8591 (± 0.0005 in DKPro), and the δ² of pairs of sections printed there.
* Krippendorff (1995), *Sociological Methodology* 25, p. 57 (DKPro ``Krippendorff1995Test``):
  four pairs of observers A–D on 24 time units, α_u 0.553, −0.926, 0.679 and 0.066 on the
  continuous scale (DKPro checks them to ± 0.02 on a continuum stretched 50,000 times) and
  D_o 0.03125, 2.26736, 0.02777, 0.38715 on the 24 units.
* DKPro ``UnitizingAgreementTest``: one observer's unit [1, 9) against three of length 1:
  D_o 0.9100, D_e 0.5351, α_u −0.7003 (± 0.0001).

The 2016 family (uα, |uα, (c|u)α, Cuα) has no published worked example here: a search of
public code, issue threads, documentation and web pages found none that prints the paper's or
the 4th edition's §12.6 digits (the paper and the book themselves were not at hand). It is
checked against a character-by-character count of the same definitions, against its
invariants, and against the three figures an independent open implementation prints for its
own example.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tymqual import unitizing
from tymqual.errors import AgreementError, TymqualWarning
from tymqual.unitizing import unitizing_alpha, unitizing_table

# ============================================================ Krippendorff 2004, p. 254
K2004 = [("i", 225, 295, "c"), ("i", 370, 400, "c"), ("j", 220, 300, "c"), ("j", 355, 375, "c"),
         ("j", 400, 420, "c"), ("i", 180, 240, "k"), ("i", 300, 350, "k"), ("j", 180, 240, "k"),
         ("j", 300, 350, "k")]
# the continuum [150, 450) as offsets on [0, 300)
K2004_SEGMENTS = [(coder, start - 150, end - 150, code) for coder, start, end, code in K2004]


def _parts(segments: list[tuple[Any, ...]], length: int, code: str) -> tuple[float, float]:
    return unitizing._alpha_u_parts(unitizing._prepare(segments, length, None), code)


@pytest.mark.parametrize(("code", "d_o", "d_e", "alpha"), [
    ("c", 0.0144, 0.0532, 0.7286), ("k", 0.0000, 0.0490, 1.0000)])
def test_krippendorff_2004_per_code(code: str, d_o: float, d_e: float, alpha: float) -> None:
    observed, expected = _parts(K2004_SEGMENTS, 300, code)
    assert abs(observed - d_o) < 0.00005 and abs(expected - d_e) < 0.00005
    only = [s for s in K2004_SEGMENTS if s[3] == code]
    assert abs(unitizing_alpha(only, 300, "alpha_u") - alpha) < 0.00005


def test_krippendorff_2004_both_codes() -> None:
    assert abs(unitizing_alpha(K2004_SEGMENTS, 300, "alpha_u") - 0.8591) <= 0.0005


# (begin, length, code or None for a gap) pairs and their δ², Krippendorff 2004 p. 252 and
# DKPro's Krippendorff2004Test / UnitizingAgreementTest.testDistanceMetric
@pytest.mark.parametrize(("g", "h", "delta2"), [
    ((225, 70, 1), (220, 80, 1), 50), ((370, 30, 1), (355, 20, 1), 850),
    ((400, 50, 0), (400, 20, 1), 400), ((5, 6, 1), (4, 2, 1), 26), ((5, 6, 1), (5, 2, 1), 16),
    ((5, 6, 1), (6, 2, 1), 10), ((5, 6, 1), (7, 2, 1), 8), ((5, 6, 1), (6, 4, 1), 2),
    ((5, 6, 1), (5, 6, 1), 0), ((1, 8, 1), (0, 2, 0), 0), ((1, 8, 1), (2, 1, 1), 37),
    ((1, 8, 1), (4, 1, 1), 25), ((1, 8, 1), (6, 1, 1), 29), ((1, 8, 1), (7, 4, 0), 0),
    ((9, 2, 0), (7, 4, 0), 0), ((5, 6, 1), (4, 7, 0), 36), ((2, 3, 0), (2, 2, 1), 4)])
def test_published_section_differences(g: tuple[int, int, int], h: tuple[int, int, int],
                                       delta2: int) -> None:
    first, second = np.array([g]), np.array([h])
    assert unitizing._squared_miss(first, second).tolist() == [delta2]
    assert unitizing._squared_miss(second, first).tolist() == [delta2]


def test_dkpro_one_long_unit_against_three_short() -> None:
    segments = [("r0", 1, 9, "A"), ("r1", 2, 3, "A"), ("r1", 4, 5, "A"), ("r1", 6, 7, "A")]
    observed, expected = _parts(segments, 10, "A")
    assert abs(observed - 0.9100) < 0.0001 and abs(expected - 0.5351) < 0.0001
    assert abs(unitizing_alpha(segments, 10, "alpha_u") - (-0.7003)) < 0.0001


# ============================================================ Krippendorff 1995, p. 57
# (begin, length, observer) in 24 time units, pairs A (Bertha/Bill) to D (Heather/Hill)
K1995 = {
    "A": [(2, 8, 0), (14, 6, 0), (4, 4, 1), (15, 2, 1)],
    "B": [(0, 18, 0), (0, 2, 1), (2, 1, 1), (3, 1, 1), (4, 1, 1), (5, 1, 1), (6, 3, 1),
          (9, 1, 1)],
    "C": [(2, 6, 0), (10, 2, 0), (14, 4, 0), (20, 2, 0), (0, 2, 1), (4, 4, 1), (10, 4, 1),
          (16, 2, 1), (20, 2, 1)],
    "D": [(0, 2, 0), (2, 8, 0), (10, 4, 0), (14, 6, 0), (20, 4, 0), (0, 4, 1), (4, 4, 1),
          (8, 7, 1), (15, 2, 1), (17, 7, 1)],
}


def _k1995(stretch: int) -> list[tuple[Any, ...]]:
    return [(observer, b * stretch, (b + n) * stretch, code)
            for code, rows in K1995.items() for b, n, observer in rows]


@pytest.mark.parametrize(("code", "d_o"), [
    ("A", 0.03125), ("B", 2.26736), ("C", 0.02777), ("D", 0.38715)])
def test_krippendorff_1995_observed_disagreement(code: str, d_o: float) -> None:
    assert abs(_parts(_k1995(1), 24, code)[0] - d_o) < 0.00001


@pytest.mark.parametrize(("code", "alpha"), [
    ("A", 0.553), ("B", -0.926), ("C", 0.679), ("D", 0.066)])
def test_krippendorff_1995_alphas_on_a_near_continuous_scale(code: str, alpha: float) -> None:
    segments = [s for s in _k1995(50_000) if s[3] == code]
    assert abs(unitizing_alpha(segments, 24 * 50_000, "alpha_u") - alpha) < 0.02


# ============================================================ the 2016 family, by characters
def _by_character(segments: list[tuple[Any, ...]], length: int, coders: list[str]
                  ) -> dict[str, float]:
    """uα, |uα and (c|u)α counted one character at a time from their definitions."""
    values = sorted({s[3] for s in segments})
    index = {v: k + 1 for k, v in enumerate(values)}
    at = np.zeros((len(coders), length), dtype=int)
    for coder, start, end, code in segments:
        at[coders.index(coder), start:end] = index[code]
    m, v = len(coders), len(values) + 1
    o = np.zeros((v, v))
    for x in range(length):
        for i in range(m):
            for j in range(m):
                if i != j:
                    o[at[i, x], at[j, x]] += 1 / (m - 1)
    n = o.sum(axis=1)
    sq = np.zeros(v)
    for _, start, end, code in segments:
        sq[index[code]] += (end - start) ** 2
    sq[0] = n[0]
    e = n.sum() * (np.outer(n, n) - np.diag(sq)) / (n.sum() ** 2 - sq.sum())
    out = {"u": 1 - (n.sum() - np.trace(o)) / (n.sum() - np.trace(e)),
           "binary": 1 - (n[0] - o[0, 0]) / (e[0].sum() - e[0, 0])}
    # (c|u)α: intersections of marked characters only; ℓ = a segment's overlap with one
    # other coder's marked characters
    oc = o[1:, 1:]
    nc = oc.sum(axis=1)
    sc = np.zeros(v - 1)
    for coder, start, end, code in segments:
        for j in range(m):
            if coders[j] != coder:
                sc[index[code] - 1] += float((at[j, start:end] > 0).sum()) ** 2
    total = nc.sum()
    if total > 0 and (nc > 0).sum() >= 2 and total - sc.sum() / (total * (m - 1)) > 0:
        ec = (np.outer(nc, nc) - np.diag(sc / (m - 1))) / (total - sc.sum() / (total * (m - 1)))
        out["cu"] = 1 - (total - np.trace(oc)) / (total - np.trace(ec))
    return out


@st.composite
def partitions(draw: st.DrawFn) -> tuple[list[tuple[Any, ...]], int, list[str]]:
    """2–4 coders, each cutting a text of 10–60 characters into non-overlapping segments."""
    length = draw(st.integers(10, 60))
    coders = [f"c{i}" for i in range(draw(st.integers(2, 4)))]
    segments = []
    for coder in coders:
        at = draw(st.integers(0, 5))
        while at < length - 1:
            end = draw(st.integers(at + 1, min(length, at + 15)))
            if draw(st.booleans()):
                segments.append((coder, at, end, draw(st.sampled_from(["x", "y", "z"]))))
            at = end + draw(st.integers(0, 6))
    return segments, length, coders


def _quiet(kind: str, segments: list[tuple[Any, ...]], length: int, coders: list[str]
           ) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TymqualWarning)
        return unitizing_alpha(segments, length, kind, coders=coders)  # type: ignore[arg-type]


@settings(max_examples=80, deadline=None)
@given(case=partitions())
def test_the_2016_family_counts_as_its_definition_character_by_character(
        case: tuple[list[tuple[Any, ...]], int, list[str]]) -> None:
    segments, length, coders = case
    if not segments:
        return
    expected = _by_character(segments, length, coders)
    for kind, value in expected.items():
        ours = _quiet(kind, segments, length, coders)
        if math.isfinite(value):
            assert ours == pytest.approx(value, abs=1e-9), kind
    if "cu" not in expected:
        assert math.isnan(_quiet("cu", segments, length, coders))


def _delta2(g: tuple[int, int, int], h: tuple[int, int, int]) -> int:
    """δ² of two sections as Krippendorff (2004, p. 252) writes it, case by case."""
    (bg, lg, wg), (bh, lh, wh) = g, h
    if wg and wh and -lg < bg - bh < lh:
        return (bg - bh) ** 2 + (bg + lg - bh - lh) ** 2
    if wg and not wh and lh - lg >= bg - bh >= 0:
        return lg**2
    if wh and not wg and lg - lh >= bh - bg >= 0:
        return lh**2
    return 0


@settings(max_examples=80, deadline=None)
@given(case=partitions())
def test_observed_miss_sums_every_pair_of_sections(
        case: tuple[list[tuple[Any, ...]], int, list[str]]) -> None:
    # Every section against every other coder's section, not only those that meet.
    segments, length, coders = case
    secs = [unitizing._sections(np.array([(s, e) for c, s, e, _ in segments if c == coder],
                                         dtype=np.int64).reshape(-1, 2), [0, length])
            for coder in coders]
    brute = sum(_delta2(tuple(g), tuple(h)) for i, mine in enumerate(secs)
                for j, theirs in enumerate(secs) if i != j
                for g in mine.tolist() for h in theirs.tolist())
    assert unitizing._observed_miss(secs) == brute


def test_a_hand_counted_three_coder_example() -> None:
    # 60 characters: Alex x [2, 5); Paul x [2, 5), y [10, 20); Susan y [2, 5), y [15, 20).
    # Coincidences (÷ m − 1 = 2): o_00 146, o_0y 10, o_xx 3, o_xy 3, o_yy 5; l.. = 180.
    # Σℓ²: x 9 + 9, y 100 + 9 + 25, gaps 156; e_00 = 180·(156² − 156)/(180² − 308).
    segments = [("Alex", 2, 5, "x"), ("Paul", 2, 5, "x"), ("Paul", 10, 20, "y"),
                ("Susan", 2, 5, "y"), ("Susan", 15, 20, "y")]
    den = 180**2 - 308
    e_diag = 180 * ((156**2 - 156) + (6**2 - 18) + (18**2 - 134)) / den
    assert unitizing_alpha(segments, 60) == pytest.approx(1 - (180 - 154) / (180 - e_diag))
    e_0 = 180 * 156 * (6 + 18) / den  # Σ_k≠0 e_0k; observed o_0x + o_0y = 0 + 10
    assert unitizing_alpha(segments, 60, "binary") == pytest.approx(1 - 10 / e_0)


def test_an_independent_implementation_of_the_2016_family() -> None:
    # lindanna/unitized_alpha (unitized_alpha.py, an implementation of Krippendorff et al.
    # 2016 that shares no code with ours; lengths end − start, as ours): the example run in
    # its __main__ block, three coders on 20 characters. Its README prints the output
    # u alpha 0.474, bu_alpha 0.433, cu_alpha 0.779, though beside another data set: those
    # digits are this example's (for the README's five segments, hand-counted in the test
    # above, uα is 0.398, not 0.474).
    # Not a published worked example: none with the paper's or the book's digits was found.
    segments = [("Alex", 2, 5, "1"), ("Alex", 9, 11, "1"), ("Alex", 12, 20, "2"),
                ("Paul", 2, 5, "1"), ("Paul", 7, 15, "2"), ("Susan", 2, 5, "1"),
                ("Susan", 10, 15, "2")]
    for kind, theirs in (("u", 0.474), ("binary", 0.433), ("cu", 0.779)):
        assert unitizing_alpha(segments, 20, kind) == pytest.approx(theirs, abs=5e-4), kind


def test_the_books_worked_example() -> None:
    # Krippendorff 2019, Content Analysis (4th ed.), §12.6, Figure 12.11 (p. 340): three
    # observers on a continuum of 60, values 1-7. The book's segments are 1-based and
    # inclusive, as transcribed in the R package quallmer's tests (tests/testthat/
    # test-alpha_u.R), with the book's results uα = .510, |uα = .413 and (c|u)α = .724.
    # Abutting segments of one value (Alex's and Suzan's 6s) stay separate, as the API says.
    book = {"Alex": [(1, 7, "1"), (8, 13, "2"), (31, 32, "5"), (33, 37, "6"), (38, 44, "6"),
                     (45, 60, "7")],
            "Paul": [(1, 7, "1"), (8, 13, "3"), (14, 21, "5"), (33, 44, "6")],
            "Suzan": [(1, 7, "1"), (8, 13, "4"), (14, 21, "5"), (33, 37, "6"), (38, 41, "6"),
                      (42, 44, "6")]}
    segments = [(coder, first - 1, last, value) for coder, marks in book.items()
                for first, last, value in marks]
    assert round(unitizing_alpha(segments, 60, "u"), 3) == 0.510
    assert unitizing_alpha(segments, 60, "binary") == pytest.approx(0.413, abs=0.001)
    # Ours is .7256; quallmer's own implementation also lands above the book (its test
    # accepts .72-.73). The book's figure could not be checked further here: the gap is
    # stated in ARCHITECTURE.md rather than hidden by a wide tolerance.
    assert unitizing_alpha(segments, 60, "cu") == pytest.approx(0.724, abs=0.002)


def test_the_fixed_api_is_in_the_agreement_module() -> None:
    from tymqual import agreement

    assert agreement.unitizing_alpha is unitizing_alpha


@settings(max_examples=40, deadline=None)
@given(case=partitions())
def test_one_code_u_alpha_is_the_binary_one(case: tuple[list[tuple[Any, ...]], int, list[str]]
                                            ) -> None:
    segments, length, coders = case
    single = [(c, s, e, "x") for c, s, e, _ in segments]
    if not single:
        return
    u, binary = (_quiet(k, single, length, coders) for k in ("u", "binary"))
    assert (math.isnan(u) and math.isnan(binary)) or u == pytest.approx(binary)


@pytest.mark.parametrize("kind", ["alpha_u", "u", "binary", "cu", "Cu"])
def test_identical_coders_agree_perfectly(kind: str) -> None:
    marks = [(5, 20, "t/x"), (25, 30, "t/y"), (40, 55, "s/z")]
    segments = [(coder, s, e, c) for coder in ("A", "B", "C") for s, e, c in marks]
    assert unitizing_alpha(segments, 60, kind) == pytest.approx(1.0)  # type: ignore[arg-type]


def test_cu_across_domains_takes_the_top_of_each_path() -> None:
    segments = [("A", 0, 10, "t/x"), ("A", 10, 20, "s/y"), ("B", 0, 10, "t/z"),
                ("B", 10, 20, "s/y"), ("A", 30, 40, "t/x"), ("B", 30, 40, "s/q")]
    by_top = [(c, s, e, code.split("/")[0]) for c, s, e, code in segments]
    assert unitizing_alpha(segments, 50, "Cu") == pytest.approx(
        unitizing_alpha(by_top, 50, "cu"))
    named = {"t/x": "one", "t/z": "one", "s/y": "two", "s/q": "one"}
    mapped = [(c, s, e, named[code]) for c, s, e, code in segments]
    assert unitizing_alpha(segments, 50, "Cu", domains=named) == pytest.approx(
        unitizing_alpha(mapped, 50, "cu"))


@pytest.mark.parametrize("kind", ["alpha_u", "u", "binary"])
def test_abutting_segments_are_not_merged(kind: str) -> None:
    split = [("A", 0, 10, "x"), ("A", 10, 20, "x"), ("B", 0, 15, "x")]
    whole = [("A", 0, 20, "x"), ("B", 0, 15, "x")]
    assert unitizing_alpha(split, 40, kind) != pytest.approx(  # type: ignore[arg-type]
        unitizing_alpha(whole, 40, kind))  # type: ignore[arg-type]


def test_a_coder_who_marked_nothing_counts() -> None:
    segments = [("A", 0, 10, "x"), ("B", 0, 10, "x")]
    assert unitizing_alpha(segments, 30) == pytest.approx(1.0)
    assert unitizing_alpha(segments, 30, coders=["A", "B", "C"]) < 0.5


@settings(max_examples=30, deadline=None)
@given(first=partitions(), second=partitions())
def test_sources_are_laid_end_to_end(first: tuple[list[tuple[Any, ...]], int, list[str]],
                                     second: tuple[list[tuple[Any, ...]], int, list[str]]
                                     ) -> None:
    coders = sorted(set(first[2]) | set(second[2]))
    a, n_a, _ = first
    b, n_b, _ = second
    rows = [(c, "S1", s, e, k) for c, s, e, k in a] + [(c, "S2", s, e, k) for c, s, e, k in b]
    joined = a + [(c, s + n_a, e + n_a, k) for c, s, e, k in b]
    if not rows:
        return
    for kind in ("u", "binary", "cu"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TymqualWarning)
            two = unitizing_alpha(rows, {"S1": n_a, "S2": n_b}, kind,  # type: ignore[arg-type]
                                  coders=coders)
            one = unitizing_alpha(joined, n_a + n_b, kind, coders=coders)  # type: ignore[arg-type]
        assert (math.isnan(one) and math.isnan(two)) or two == pytest.approx(one), kind


def test_the_table_has_codes_domains_and_a_total() -> None:
    segments = pd.DataFrame(
        [("A", "H1", 0, 10, "t/x"), ("B", "H1", 2, 10, "t/x"), ("A", "H1", 12, 20, "t/y"),
         ("B", "H1", 12, 18, "t/x"), ("A", "H2", 0, 5, "s"), ("B", "H2", 0, 6, "s")],
        columns=["coder", "source_id", "start", "end", "code"])
    lengths = {"H1": 30, "H2": 10}
    table = unitizing_table(segments, lengths)
    assert list(table.columns) == list(unitizing.UNITIZING_COLUMNS)
    assert table[["level", "name"]].values.tolist() == [
        ["code", "s"], ["code", "t/x"], ["code", "t/y"], ["domain", "s"], ["domain", "t"],
        ["total", "(total)"]]
    rows = table.set_index("name")
    assert rows.loc["t/x", "alpha_u"] == pytest.approx(
        unitizing_alpha(segments[segments["code"] == "t/x"], lengths, "alpha_u"))
    assert rows.loc["t", "cu_alpha"] == pytest.approx(
        unitizing_alpha(segments[segments["code"].str.startswith("t")], lengths, "cu"))
    assert rows.loc["(total)", "Cu_alpha"] == pytest.approx(
        unitizing_alpha(segments, lengths, "Cu"))
    assert rows.loc["(total)", "alpha_u"] == pytest.approx(
        unitizing_alpha(segments, lengths, "alpha_u"))


def test_the_table_names_a_domain_with_overlapping_segments() -> None:
    segments = [("A", 0, 10, "t/x"), ("A", 5, 15, "t/y"), ("B", 0, 10, "t/x")]
    with pytest.warns(TymqualWarning, match="coder 'A' has overlapping segments"):
        table = unitizing_table(segments, 20)
    row = table.set_index("name").loc["t"]
    assert math.isnan(row["u_alpha"]) and not math.isnan(row["cu_alpha"])


@pytest.mark.parametrize(("call", "message"), [
    (lambda: unitizing_alpha([("A", 0, 5, "x"), ("B", 0, 5, "x")], 10, "v"), "kind='v'"),
    (lambda: unitizing_alpha([("A", 0, 15, "x"), ("B", 0, 5, "x")], 10), "row 0 .* 0–15"),
    (lambda: unitizing_alpha([("A", 5, 5, "x"), ("B", 0, 5, "x")], 10), "row 0"),
    (lambda: unitizing_alpha([("A", 0, 5, "x")], 10), "at least two coders"),
    (lambda: unitizing_alpha([("A", "S", 0, 5, "x"), ("B", "T", 0, 5, "x")], {"S": 9}),
     "no length for the source.*'T'"),
    (lambda: unitizing_alpha([("A", "S", 0, 5, "x"), ("B", "S", 0, 5, "x")], 9),
     "length must give each one's length"),
    (lambda: unitizing_alpha([("A", 0, 5, "x"), ("B", 0, 5, "x")], 0), "above 0"),
    (lambda: unitizing_alpha([("A", 0, 5, "x"), ("A", 3, 8, "x"), ("B", 0, 5, "x")], 10),
     "coder 'A' has overlapping segments"),
    (lambda: unitizing_alpha([("A", 0, 5, "x"), ("B", 0, 5, "x")], 10, coders=["A"]),
     "coder.s. 'B' not in coders"),
    (lambda: unitizing_alpha([("A", 0, 5, "x"), ("B", 0, 5, "y")], 10, "Cu",
                             domains={"x": "d"}), "no semantic domain for the code.s. 'y'"),
    (lambda: unitizing_alpha([("A", 0, 5)], 10), "rows of \\[3\\] values"),
])
def test_bad_input_is_refused(call: Any, message: str) -> None:
    with pytest.raises(AgreementError, match=message):
        call()


def test_nothing_marked_is_nan_with_a_warning() -> None:
    with pytest.warns(TymqualWarning, match="undefined"):
        value = unitizing_alpha(pd.DataFrame(columns=["coder", "start", "end", "code"]), 10,
                                coders=["A", "B"])
    assert math.isnan(value)


def test_docstring_examples_run() -> None:
    import doctest

    result = doctest.testmod(unitizing, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 2 and result.failed == 0
