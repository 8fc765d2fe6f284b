"""Reader-facing numbers (tymqual.formatting) and labels (tymqual.labels).

Expected strings spell out the special characters: U+00A0 no-break space, U+2212 minus,
U+2013 en dash.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tymqual.errors import TymqualError
from tymqual.formatting import (
    describe,
    fmt_date,
    fmt_describe,
    fmt_duration,
    fmt_fraction,
    fmt_n,
    fmt_number,
    fmt_percent,
    fmt_range,
)
from tymqual.labels import LABELS, label, relabel

NBSP = "\u00a0"
MINUS = "\u2212"
EN_DASH = "\u2013"


def _any(value: Any) -> Any:
    """``value`` hidden from the type checker, to test what happens when hints are ignored."""
    return value


# 24 values, minimum 3, maximum 19, mean exactly 8 (sum 192), median 8.
TWENTY_FOUR = [3, 19, 5, 5] + [8] * 20


# --- fmt_number ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "decimals", "fi", "en"),
    [
        (8, None, "8", "8"),
        (8.0, None, "8", "8"),
        (2.5, None, "2,5", "2.5"),
        (8.25, None, "8,3", "8.3"),
        (7.96, None, "8", "8"),
        (0.125, 2, "0,13", "0.13"),
        (2.675, 2, "2,68", "2.68"),
        (1.005, 2, "1,01", "1.01"),
        (0.5, 0, "1", "1"),
        (1.5, 0, "2", "2"),
        (2.5, 0, "3", "3"),
        (-2.5, 0, f"{MINUS}3", "-3"),
        (-0.125, 2, f"{MINUS}0,13", "-0.13"),
        (8, 2, "8,00", "8.00"),
        (-3.14159, 2, f"{MINUS}3,14", "-3.14"),
        (-0.04, None, "0", "0"),
        (-0.001, 2, "0,00", "0.00"),
        (0, None, "0", "0"),
    ],
)
def test_fmt_number_rounds_half_away_from_zero(x, decimals, fi, en):
    assert fmt_number(x, decimals) == fi
    assert fmt_number(x, decimals, lang="en") == en


@pytest.mark.parametrize(
    ("x", "decimals", "fi", "en"),
    [
        (999, None, "999", "999"),
        (1234, None, "1234", "1,234"),
        (9999, None, "9999", "9,999"),
        (10000, None, f"10{NBSP}000", "10,000"),
        (12345, None, f"12{NBSP}345", "12,345"),
        (1234567, None, f"1{NBSP}234{NBSP}567", "1,234,567"),
        (12345.678, 2, f"12{NBSP}345,68", "12,345.68"),
        (1234.5, None, "1234,5", "1,234.5"),
        (9999.96, 1, f"10{NBSP}000,0", "10,000.0"),
        (-12345, None, f"{MINUS}12{NBSP}345", "-12,345"),
        (10**30, None, NBSP.join(["1"] + ["000"] * 10), ",".join(["1"] + ["000"] * 10)),
    ],
)
def test_fmt_number_groups_thousands(x, decimals, fi, en):
    assert fmt_number(x, decimals) == fi
    assert fmt_number(x, decimals, lang="en") == en


@pytest.mark.parametrize(
    ("x", "decimals", "expected"),
    [
        (np.int64(12345), None, f"12{NBSP}345"),
        (np.int8(-5), None, f"{MINUS}5"),
        (np.uint16(3), None, "3"),
        (np.float64(2.675), 2, "2,68"),
        (np.float32(0.1), 3, "0,100"),
        (np.float32(2.5), None, "2,5"),
        (Decimal("0.125"), 2, "0,13"),
        (Decimal("8.00"), None, "8"),
        (Decimal("1E+3"), None, "1000"),
        (Fraction(1, 8), 2, "0,13"),
        ("8.25", None, "8,3"),
        (f" {MINUS}3.5 ", 0, f"{MINUS}4"),
        (float("inf"), None, "\u221e"),
        (float("-inf"), None, f"{MINUS}\u221e"),
    ],
)
def test_fmt_number_accepts_numpy_decimal_and_numeric_text(x, decimals, expected):
    assert fmt_number(x, decimals) == expected


@pytest.mark.parametrize(
    "x", [None, float("nan"), np.nan, np.float32("nan"), pd.NA, Decimal("NaN"), "nan"]
)
def test_fmt_number_missing(x):
    assert fmt_number(x) == EN_DASH
    assert fmt_number(x, 2, lang="en", missing="NA") == "NA"


@pytest.mark.parametrize(
    ("call", "names"),
    [
        (lambda: fmt_number("abc"), ["argument x", "'abc'"]),
        (lambda: fmt_number(""), ["argument x", "''"]),
        (lambda: fmt_number("8,3"), ["argument x", "'8,3'"]),
        (lambda: fmt_number(True), ["argument x", "True"]),
        (lambda: fmt_number(np.bool_(False)), ["argument x", "False"]),
        (lambda: fmt_number([1, 2]), ["argument x", "[1, 2]", "map"]),
        (lambda: fmt_number(1 + 2j), ["argument x", "(1+2j)"]),
        (lambda: fmt_number(1, lang=_any("sv")), ["argument lang", "'sv'"]),
        (lambda: fmt_number(1, lang=_any("FI")), ["argument lang", "'FI'"]),
        (lambda: fmt_number(1, decimals=-1), ["argument decimals", "-1"]),
        (lambda: fmt_number(1, decimals=_any(1.5)), ["argument decimals", "1.5"]),
    ],
)
def test_fmt_number_errors_name_argument_and_value(call, names):
    with pytest.raises(TymqualError) as info:
        call()
    for name in names:
        assert name in str(info.value)


def test_tymqual_error_is_a_value_error():
    with pytest.raises(ValueError, match="argument x"):
        fmt_number("abc")


# --- fmt_percent -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "kwargs", "fi", "en"),
    [
        (0.12, {}, f"12{NBSP}%", "12%"),
        (0.125, {}, f"13{NBSP}%", "13%"),
        (0.145, {}, f"15{NBSP}%", "15%"),
        (0.1234, {"decimals": 1}, f"12,3{NBSP}%", "12.3%"),
        (0.5, {"decimals": None}, f"50{NBSP}%", "50%"),
        (1, {}, f"100{NBSP}%", "100%"),
        (0, {}, f"0{NBSP}%", "0%"),
        (-0.05, {}, f"{MINUS}5{NBSP}%", "-5%"),
        (123.45, {}, f"12{NBSP}345{NBSP}%", "12,345%"),
        (np.float64(0.875), {}, f"88{NBSP}%", "88%"),
        (3, {"of": 24}, f"13{NBSP}%", "13%"),
        (1, {"of": 8, "decimals": 1}, f"12,5{NBSP}%", "12.5%"),
        (2, {"of": 3, "decimals": 2}, f"66,67{NBSP}%", "66.67%"),
        (np.int64(1), {"of": np.int64(8)}, f"13{NBSP}%", "13%"),
    ],
)
def test_fmt_percent(x, kwargs, fi, en):
    assert fmt_percent(x, **kwargs) == fi
    assert fmt_percent(x, lang="en", **kwargs) == en


@pytest.mark.parametrize(("x", "of"), [(None, None), (float("nan"), None), (3, 0), (3, np.nan)])
def test_fmt_percent_missing(x, of):
    assert fmt_percent(x, of=of) == EN_DASH


@pytest.mark.parametrize(
    ("call", "names"),
    [
        (lambda: fmt_percent("x"), ["argument x", "'x'"]),
        (lambda: fmt_percent(1, of="all"), ["argument of", "'all'"]),
        (lambda: fmt_percent(1, of=-4), ["argument of", "-4"]),
        (lambda: fmt_percent(0.5, lang=_any("de")), ["argument lang", "'de'"]),
    ],
)
def test_fmt_percent_errors(call, names):
    with pytest.raises(TymqualError) as info:
        call()
    for name in names:
        assert name in str(info.value)


# --- fmt_range, fmt_n, fmt_fraction ----------------------------------------------------------


@pytest.mark.parametrize(
    ("lo", "hi", "kwargs", "fi", "en"),
    [
        (3, 19, {}, f"3{EN_DASH}19", f"3{EN_DASH}19"),
        (3.0, 19.0, {}, f"3{EN_DASH}19", f"3{EN_DASH}19"),
        (2.25, 7.5, {}, f"2,3{EN_DASH}7,5", f"2.3{EN_DASH}7.5"),
        (1, 2, {"decimals": 2}, f"1,00{EN_DASH}2,00", f"1.00{EN_DASH}2.00"),
        (-3, 5, {}, f"{MINUS}3{NBSP}{EN_DASH}{NBSP}5", f"-3{NBSP}{EN_DASH}{NBSP}5"),
        (-9, -2, {}, f"{MINUS}9{NBSP}{EN_DASH}{NBSP}{MINUS}2", f"-9{NBSP}{EN_DASH}{NBSP}-2"),
        (-0.01, 5, {}, f"0{EN_DASH}5", f"0{EN_DASH}5"),
        (1000, 12345, {}, f"1000{EN_DASH}12{NBSP}345", f"1,000{EN_DASH}12,345"),
        (np.int64(3), np.float64(19), {}, f"3{EN_DASH}19", f"3{EN_DASH}19"),
        (None, 5, {}, EN_DASH, EN_DASH),
        (3, float("nan"), {}, EN_DASH, EN_DASH),
    ],
)
def test_fmt_range(lo, hi, kwargs, fi, en):
    assert fmt_range(lo, hi, **kwargs) == fi
    assert fmt_range(lo, hi, lang="en", **kwargs) == en


def test_fmt_range_rejects_reversed_bounds():
    with pytest.raises(TymqualError, match=r"argument lo \(19\).*hi \(3\)"):
        fmt_range(19, 3)


@pytest.mark.parametrize(
    ("n", "fi", "en"),
    [
        (24, f"n{NBSP}={NBSP}24", f"n{NBSP}={NBSP}24"),
        (0, f"n{NBSP}={NBSP}0", f"n{NBSP}={NBSP}0"),
        (24.0, f"n{NBSP}={NBSP}24", f"n{NBSP}={NBSP}24"),
        (np.int64(12345), f"n{NBSP}={NBSP}12{NBSP}345", f"n{NBSP}={NBSP}12,345"),
        (None, f"n{NBSP}={NBSP}{EN_DASH}", f"n{NBSP}={NBSP}{EN_DASH}"),
    ],
)
def test_fmt_n(n, fi, en):
    assert fmt_n(n) == fi
    assert fmt_n(n, lang="en") == en


@pytest.mark.parametrize(
    ("k", "n", "expected"),
    [(3, 4, "3/4"), (0, 7, "0/7"), (np.int32(5), 5.0, "5/5"), (None, 4, EN_DASH)],
)
def test_fmt_fraction(k, n, expected):
    assert fmt_fraction(k, n) == expected


@pytest.mark.parametrize(
    ("call", "names"),
    [
        (lambda: fmt_n(2.5), ["argument n", "2.5"]),
        (lambda: fmt_n(-1), ["argument n", "-1"]),
        (lambda: fmt_n("many"), ["argument n", "'many'"]),
        (lambda: fmt_fraction(1.5, 4), ["argument k", "1.5"]),
        (lambda: fmt_fraction(3, -4), ["argument n", "-4"]),
        (lambda: fmt_fraction(5, 4), ["argument k", "(5)", "(4)"]),
    ],
)
def test_counts_errors(call, names):
    with pytest.raises(TymqualError) as info:
        call()
    for name in names:
        assert name in str(info.value)


# --- describe and fmt_describe ---------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        TWENTY_FOUR,
        [1.5, 2.25, 9.0, 4.75],
        [10, 20],
        np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]),
    ],
)
def test_describe_matches_the_statistics_module(values):
    data = [float(v) for v in values]
    stats = describe(values)
    assert stats["n"] == len(data)
    assert stats["mean"] == pytest.approx(statistics.mean(data))
    assert stats["median"] == pytest.approx(statistics.median(data))
    assert stats["min"] == min(data)
    assert stats["max"] == max(data)
    assert stats["sd"] == pytest.approx(statistics.stdev(data))


@pytest.mark.parametrize(
    ("values", "n", "mean"),
    [
        ([1, None, 3], 2, 2.0),
        ([1.0, float("nan"), 5.0], 2, 3.0),
        (pd.Series([1, pd.NA, 5], dtype="Int64"), 2, 3.0),
        (pd.Series([2.0, np.nan, np.nan]), 1, 2.0),
        ((x for x in [4, 6]), 2, 5.0),
        ([Decimal("1.5"), np.int64(2), "2.5"], 3, 2.0),
        ([True, False, True, True], 4, 0.75),
    ],
)
def test_describe_ignores_missing_values(values, n, mean):
    stats = describe(values)
    assert stats["n"] == n
    assert stats["mean"] == pytest.approx(mean)


@pytest.mark.parametrize("values", [[], [None, float("nan")], [7]])
def test_describe_sd_is_nan_below_two_values(values):
    stats = describe(values)
    assert math.isnan(stats["sd"])
    assert isinstance(stats["n"], int)
    assert (stats["n"] == 0) == math.isnan(stats["mean"])


@pytest.mark.parametrize(
    ("values", "names"),
    [
        ([1, "x", 3], ["argument values", "'x'", "position 1"]),
        ([1, 2j], ["argument values", "2j", "position 1"]),
        ("123", ["argument values", "'123'"]),
        (5, ["argument values", "5"]),
        ({"a": 1}, ["argument values"]),
        (pd.DataFrame({"a": [1, 2], "b": [3, 4]}), ["argument values", "(2, 2)"]),
    ],
)
def test_describe_errors(values, names):
    with pytest.raises(TymqualError) as info:
        describe(values)
    for name in names:
        assert name in str(info.value)


def test_twenty_four_values_have_the_documented_properties():
    assert (len(TWENTY_FOUR), min(TWENTY_FOUR), max(TWENTY_FOUR)) == (24, 3, 19)
    assert statistics.mean(TWENTY_FOUR) == 8


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, f"n{NBSP}={NBSP}24, ka.{NBSP}8, vv.{NBSP}3{EN_DASH}19"),
        ({"lang": "en"}, f"n{NBSP}={NBSP}24, M{NBSP}={NBSP}8, range{NBSP}3{EN_DASH}19"),
        ({"parts": ("median", "sd")}, f"Md{NBSP}8, kh.{NBSP}2,7"),
        ({"parts": ("median", "sd"), "lang": "en"}, f"Mdn{NBSP}={NBSP}8, SD{NBSP}={NBSP}2.7"),
        ({"parts": ("mean", "sd"), "decimals": 2}, f"ka.{NBSP}8,00, kh.{NBSP}2,67"),
        ({"parts": ("range", "n")}, f"vv.{NBSP}3{EN_DASH}19, n{NBSP}={NBSP}24"),
    ],
)
def test_fmt_describe(kwargs, expected):
    assert fmt_describe(TWENTY_FOUR, **kwargs) == expected


def test_fmt_describe_accepts_the_dict_describe_returns():
    stats = describe([1.25, 2.5, 10.0])
    assert fmt_describe(stats) == f"n{NBSP}={NBSP}3, ka.{NBSP}4,6, vv.{NBSP}1,3{EN_DASH}10"
    assert fmt_describe(stats) == fmt_describe([1.25, 2.5, 10.0])


def test_fmt_describe_of_nothing_shows_missing():
    assert fmt_describe([]) == f"n{NBSP}={NBSP}0, ka.{NBSP}{EN_DASH}, vv.{NBSP}{EN_DASH}"


@pytest.mark.parametrize(
    ("kwargs", "names"),
    [
        ({"parts": ("mean", "mode")}, ["argument parts", "'mode'"]),
        ({"parts": "mean"}, ["argument parts", "'mean'"]),
        ({"parts": ()}, ["argument parts"]),
        ({"lang": "sv"}, ["argument lang", "'sv'"]),
        ({"decimals": "2"}, ["argument decimals", "'2'"]),
    ],
)
def test_fmt_describe_errors(kwargs, names):
    with pytest.raises(TymqualError) as info:
        fmt_describe(TWENTY_FOUR, **kwargs)
    for name in names:
        assert name in str(info.value)


def test_fmt_describe_rejects_an_incomplete_dict():
    with pytest.raises(TymqualError, match="values_or_dict lacks mean"):
        fmt_describe({"n": 3})


# --- dates and durations ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "fi", "en"),
    [
        (dt.date(2025, 11, 5), "5.11.2025", "2025-11-05"),
        (dt.date(2025, 1, 31), "31.1.2025", "2025-01-31"),
        (dt.datetime(2025, 11, 5, 23, 59), "5.11.2025", "2025-11-05"),
        (pd.Timestamp("2024-02-29 10:00"), "29.2.2024", "2024-02-29"),
        (np.datetime64("2025-11-05"), "5.11.2025", "2025-11-05"),
        ("2025-11-05", "5.11.2025", "2025-11-05"),
        ("2025-11-05T14:30:00", "5.11.2025", "2025-11-05"),
        (None, EN_DASH, EN_DASH),
        (pd.NaT, EN_DASH, EN_DASH),
        (np.datetime64("NaT"), EN_DASH, EN_DASH),
    ],
)
def test_fmt_date(d, fi, en):
    assert fmt_date(d) == fi
    assert fmt_date(d, lang="en") == en


@pytest.mark.parametrize("d", ["5.11.2025", "yesterday", 20251105])
def test_fmt_date_errors(d):
    with pytest.raises(TymqualError, match=f"argument d .*{d!r}"):
        fmt_date(d)


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, f"0{NBSP}min"),
        (29, f"0{NBSP}min"),
        (30, f"1{NBSP}min"),
        (90, f"2{NBSP}min"),
        (52 * 60 + 10, f"52{NBSP}min"),
        (59 * 60 + 29, f"59{NBSP}min"),
        (59 * 60 + 30, f"1{NBSP}h{NBSP}00{NBSP}min"),
        (3900, f"1{NBSP}h{NBSP}05{NBSP}min"),
        (2 * 3600 + 47 * 60, f"2{NBSP}h{NBSP}47{NBSP}min"),
        (np.float64(3120.4), f"52{NBSP}min"),
        (dt.timedelta(minutes=65), f"1{NBSP}h{NBSP}05{NBSP}min"),
        (pd.Timedelta(minutes=52), f"52{NBSP}min"),
        (np.timedelta64(90, "s"), f"2{NBSP}min"),
        (None, EN_DASH),
        (pd.NaT, EN_DASH),
    ],
)
def test_fmt_duration(seconds, expected):
    assert fmt_duration(seconds) == expected
    assert fmt_duration(seconds, lang="en") == expected


@pytest.mark.parametrize("seconds", [-1, dt.timedelta(seconds=-5), float("inf"), "an hour", True])
def test_fmt_duration_errors(seconds):
    with pytest.raises(TymqualError, match="argument seconds"):
        fmt_duration(seconds)


@pytest.mark.parametrize(
    "call",
    [
        lambda: fmt_range(1, 2, lang=_any("sv")),
        lambda: fmt_n(1, lang=_any("sv")),
        lambda: fmt_fraction(1, 2, lang=_any("sv")),
        lambda: fmt_date(dt.date(2025, 1, 1), lang=_any("sv")),
        lambda: fmt_duration(60, lang=_any("sv")),
        lambda: label("code", lang=_any("sv")),
        lambda: relabel(pd.DataFrame(), lang=_any("sv")),
    ],
)
def test_every_function_checks_lang(call):
    with pytest.raises(TymqualError, match="argument lang .*'sv'"):
        call()


# --- labels ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "fi", "en"),
    [
        ("segments", "Koodattuja kohtia", "Coded segments"),
        ("cases", "Tapauksia", "Cases"),
        ("cases_n_of_N", "Tapauksia (n/N)", "Cases (n/N)"),
        ("subcode", "Alaluokka", "Subcategory"),
        ("upper_category", "Yläluokka", "Generic category"),
        ("main_category", "Pääluokka", "Main category"),
        ("dont_know", "En osaa sanoa", "Don't know"),
        ("use_when", "Käytä, kun", "Use when"),
        ("do_not_use_when", "Älä käytä, kun", "Do not use when"),
        ("figure", "Kuvio", "Figure"),
    ],
)
def test_label(key, fi, en):
    assert label(key) == fi
    assert label(key, "en") == en
    assert LABELS[key] == (fi, en)


@pytest.mark.parametrize(("key", "suggestion"), [("segment", "'segments'"), ("case", "'cases'")])
def test_label_suggests_close_keys(key, suggestion):
    with pytest.raises(TymqualError, match=f"argument key '{key}'.*{suggestion}"):
        label(key)


def test_keys_are_identifiers_and_labels_are_filled():
    for key, pair in LABELS.items():
        assert key.isidentifier(), key
        assert len(pair) == 2 and all(text.strip() == text != "" for text in pair), key


def test_keys_sharing_a_label_share_it_in_both_languages():
    by_finnish: dict[str, set[str]] = {}
    by_english: dict[str, set[str]] = {}
    for fi, en in LABELS.values():
        by_finnish.setdefault(fi, set()).add(en)
        by_english.setdefault(en, set()).add(fi)
    assert {fi: ens for fi, ens in by_finnish.items() if len(ens) > 1} == {}
    assert {en: fis for en, fis in by_english.items() if len(fis) > 1} == {}


def test_relabel_renames_known_columns_and_index_and_keeps_others():
    df = pd.DataFrame({"code": ["a"], "segments": [3], "ikäryhmä": ["30–39"], 7: [1]})
    out = relabel(df.set_index("code"))
    assert list(out.columns) == ["Koodattuja kohtia", "ikäryhmä", 7]
    assert out.index.name == "Koodi"
    assert list(relabel(df, "en").columns) == ["Code", "Coded segments", "ikäryhmä", 7]
    assert list(df.columns) == ["code", "segments", "ikäryhmä", 7]


@pytest.mark.parametrize(
    "columns", [["words", "n_words"], ["theme", "Teema"], ["reduced", "reduced_expression"]]
)
def test_relabel_refuses_to_make_two_columns_one(columns):
    with pytest.raises(TymqualError, match="more than one column"):
        relabel(pd.DataFrame([[1, 2]], columns=columns))


def test_relabel_rejects_a_non_frame():
    with pytest.raises(TymqualError, match="argument df"):
        relabel(_any({"code": [1]}))
