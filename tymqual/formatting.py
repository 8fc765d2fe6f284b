"""Numbers, dates and durations as a reader sees them: Finnish by default, English on request.

Every number that reaches a table, caption or report goes through this module, so a report
never mixes ``8.3`` with ``8,3``. The conventions, for ``lang="fi"`` and ``lang="en"``:

==================  ==============================  ==========================
                    Finnish (``"fi"``)              English (``"en"``)
==================  ==============================  ==========================
decimal mark        comma: ``8,3``                  point: ``8.3``
thousands           NBSP from 10 000: ``12 345``    comma from 1,000: ``1,234``
minus sign          U+2212: ``−3``                  hyphen-minus: ``-3``
percent             NBSP before %: ``12 %``         ``12%``
range               en dash: ``3–19``               ``3–19``
sample size         ``n = 24`` (NBSPs)              ``n = 24`` (NBSPs)
date                ``5.11.2025``                   ISO 8601: ``2025-11-05``
missing value       en dash ``–``                   ``–``
==================  ==============================  ==========================

Finnish groups thousands only from five digits up (``1234`` but ``12 345``), as Kotus and
most Finnish style guides recommend for running text; four-digit numbers stay whole so years
and page counts read naturally. The group separator is U+00A0 NO-BREAK SPACE, not the narrow
U+202F, because Word, LibreOffice and Excel fonts all have it. English follows APA and groups
from 1,000.

Rounding is half away from zero (``0.125`` -> ``0,13``, ``2.675`` -> ``2,68``), done with
:mod:`decimal` on the number's shortest ``repr``, so what a reader sees matches what they would
get rounding the printed value by hand. Python's ``round`` would give ``0.12`` and ``2.67``
(banker's rounding on binary floats).

All functions accept Python numbers, numpy scalars, :class:`~decimal.Decimal` and strings
that hold a number; ``None``, NaN, ``pd.NA`` and ``NaT`` are missing and print as
``missing=`` (default ``"–"``). Anything else raises :class:`~tymqual.errors.TymqualError`
naming the argument and the value.
"""

from __future__ import annotations

import datetime as dt
import numbers
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Literal, get_args

import numpy as np
import pandas as pd

from tymqual.errors import TymqualError

Lang = Literal["fi", "en"]
Part = Literal["n", "mean", "median", "sd", "range"]

__all__ = [
    "Lang",
    "Part",
    "check_lang",
    "describe",
    "fmt_date",
    "fmt_describe",
    "fmt_duration",
    "fmt_fraction",
    "fmt_n",
    "fmt_number",
    "fmt_percent",
    "fmt_range",
]

MISSING = "\u2013"  # en dash
NBSP = "\u00a0"
_MINUS = {"fi": "\u2212", "en": "-"}
_DECIMAL_MARK = {"fi": ",", "en": "."}
_GROUP_SEPARATOR = {"fi": NBSP, "en": ","}
_GROUP_FROM_DIGITS = {"fi": 5, "en": 4}
_PERCENT = {"fi": NBSP + "%", "en": "%"}

_STAT_LABELS: dict[str, dict[str, str]] = {
    "fi": {"mean": "ka.\u00a0", "median": "Md\u00a0", "sd": "kh.\u00a0", "range": "vv.\u00a0"},
    "en": {
        "mean": "M\u00a0=\u00a0",
        "median": "Mdn\u00a0=\u00a0",
        "sd": "SD\u00a0=\u00a0",
        "range": "range\u00a0",
    },
}
_DESCRIBE_KEYS = ("n", "mean", "median", "min", "max", "sd")


# --- argument checks -------------------------------------------------------------------------


def check_lang(lang: object, func: str = "tymqual") -> Lang:
    """Return ``lang`` if it is ``"fi"`` or ``"en"``, else raise :class:`TymqualError`."""
    if lang == "fi" or lang == "en":
        return lang
    raise TymqualError(
        f"{func}(): argument lang must be 'fi' (Finnish) or 'en' (English), not {lang!r}."
    )


def _check_decimals(decimals: object, func: str) -> int | None:
    if decimals is None:
        return None
    if isinstance(decimals, numbers.Integral) and not isinstance(decimals, bool | np.bool_):
        if int(decimals) >= 0:
            return int(decimals)
    raise TymqualError(
        f"{func}(): argument decimals must be None or a whole number 0 or more, not {decimals!r}."
    )


def _is_missing_scalar(x: object) -> bool:
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    if isinstance(x, float | np.floating | np.datetime64 | np.timedelta64):
        return bool(pd.isna(x))
    return isinstance(x, Decimal) and x.is_nan()


def _not_a_number(x: object, argument: str, func: str) -> TymqualError:
    if isinstance(x, Iterable):
        remedy = f"format each element, e.g. series.map({func})"
    else:
        remedy = "pass an int, float, Decimal or numpy number, or None for a missing value"
    return TymqualError(
        f"{func}(): argument {argument} must be a single number, not {x!r} "
        f"({type(x).__name__}); {remedy}."
    )


def _to_decimal(x: object, argument: str, func: str) -> Decimal | None:
    """``x`` as an exact Decimal of its shortest repr, or None when it is missing."""
    if _is_missing_scalar(x):
        return None
    if isinstance(x, bool | np.bool_):
        raise TymqualError(
            f"{func}(): argument {argument} is the truth value {x!r}, not a number; "
            "convert it with int() first if a count was meant."
        )
    if isinstance(x, Decimal):
        return x
    if isinstance(x, numbers.Integral):
        return Decimal(int(x))
    if isinstance(x, np.floating):
        # str() of a numpy float is its shortest repr at its own precision (0.1, not
        # 0.10000000149011612 for float32).
        return Decimal(str(x))
    if isinstance(x, float):
        return Decimal(repr(x))
    if isinstance(x, numbers.Rational):
        return Decimal(int(x.numerator)) / Decimal(int(x.denominator))
    if isinstance(x, numbers.Real):
        return Decimal(repr(float(x)))
    if isinstance(x, str):
        return _parse_number(x, argument, func)
    raise _not_a_number(x, argument, func)


def _parse_number(text: str, argument: str, func: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().replace("\u2212", "-"))
    except InvalidOperation:
        raise TymqualError(
            f"{func}(): argument {argument} is the text {text!r}, which is not a number; "
            "pass a number, or a text such as '8.25' with a decimal point."
        ) from None
    return None if value.is_nan() else value


def _to_whole(x: object, argument: str, func: str) -> int | None:
    value = _to_decimal(x, argument, func)
    if value is None:
        return None
    if not value.is_finite() or value != value.to_integral_value() or value < 0:
        raise TymqualError(
            f"{func}(): argument {argument} must be a whole number 0 or more (a count), not {x!r}."
        )
    return int(value)


# --- numbers ---------------------------------------------------------------------------------


def _round_half_away(value: Decimal, decimals: int) -> Decimal:
    """``value`` rounded to ``decimals`` places, halves away from zero (ROUND_HALF_UP)."""
    with localcontext() as ctx:
        # Enough digits that quantize never fails on large numbers.
        ctx.prec = max(28, value.adjusted() + decimals + 2)
        return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _group_thousands(digits: str, lang: Lang) -> str:
    if len(digits) < _GROUP_FROM_DIGITS[lang]:
        return digits
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return _GROUP_SEPARATOR[lang].join(groups)


def _format_decimal(value: Decimal, decimals: int | None, lang: Lang) -> str:
    if value.is_infinite():
        return (_MINUS[lang] if value < 0 else "") + "\u221e"
    rounded = _round_half_away(value, 1 if decimals is None else decimals)
    text = format(abs(rounded), "f")
    if decimals is None:
        text = text.removesuffix(".0")
    whole, _, fraction = text.partition(".")
    body = _group_thousands(whole, lang)
    if fraction:
        body += _DECIMAL_MARK[lang] + fraction
    # A value that rounds to zero prints without a sign: "0", never "−0".
    return (_MINUS[lang] if rounded < 0 else "") + body


def _format_whole(count: int, lang: Lang) -> str:
    return _format_decimal(Decimal(count), None, lang)


def fmt_number(
    x: object, decimals: int | None = None, *, lang: Lang = "fi", missing: str = MISSING
) -> str:
    """A number as a reader sees it: ``fmt_number(8.25)`` -> ``"8,3"``, ``lang="en"`` -> ``"8.3"``.

    ``decimals=None`` shows whole values without decimals and others with one (``8.0`` ->
    ``"8"``, ``2.5`` -> ``"2,5"``, ``7.96`` -> ``"8"``); ``decimals=2`` always shows two
    (``8`` -> ``"8,00"``). Halves round away from zero; see the module notes for separators
    and the minus sign.

    >>> fmt_number(-12345.678, 2)
    '−12\\xa0345,68'
    >>> fmt_number(1234.5, lang="en")
    '1,234.5'
    """
    lang = check_lang(lang, "fmt_number")
    places = _check_decimals(decimals, "fmt_number")
    value = _to_decimal(x, "x", "fmt_number")
    if value is None:
        return missing
    return _format_decimal(value, places, lang)


def fmt_percent(
    x: object,
    decimals: int | None = 0,
    *,
    lang: Lang = "fi",
    of: object = None,
    missing: str = MISSING,
) -> str:
    """A proportion as a percentage: ``fmt_percent(0.125)`` -> ``"13 %"`` (NBSP before ``%``).

    ``x`` is a proportion between 0 and 1, so ``12`` prints as ``"1200 %"``. With ``of``,
    ``x`` is a count and the percentage is ``x / of``: ``fmt_percent(3, of=24)`` ->
    ``"13 %"``. The division is exact, so halves still round away from zero. A share of
    nothing (``of=0``) is missing. English omits the space: ``"13%"``.
    """
    lang = check_lang(lang, "fmt_percent")
    places = _check_decimals(decimals, "fmt_percent")
    value = _to_decimal(x, "x", "fmt_percent")
    if of is not None:
        total = _to_decimal(of, "of", "fmt_percent")
        if total is not None and total < 0:
            raise TymqualError(
                f"fmt_percent(): argument of is the total to divide by and cannot be negative, "
                f"not {of!r}."
            )
        value = None if value is None or total is None or total == 0 else value / total
    if value is None:
        return missing
    return _format_decimal(value * 100, places, lang) + _PERCENT[lang]


def fmt_range(
    lo: object,
    hi: object,
    *,
    lang: Lang = "fi",
    decimals: int | None = None,
    missing: str = MISSING,
) -> str:
    """A range with an en dash: ``fmt_range(3, 19)`` -> ``"3–19"``.

    When either bound prints with a minus sign, the dash gets no-break spaces either side
    so it cannot be read as a second minus: ``fmt_range(-3, 5)`` -> ``"−3 – 5"``. A missing
    bound makes the whole range missing; ``lo`` above ``hi`` is an error.
    """
    lang = check_lang(lang, "fmt_range")
    places = _check_decimals(decimals, "fmt_range")
    low = _to_decimal(lo, "lo", "fmt_range")
    high = _to_decimal(hi, "hi", "fmt_range")
    if low is None or high is None:
        return missing
    if low > high:
        raise TymqualError(
            f"fmt_range(): argument lo ({lo!r}) is greater than hi ({hi!r}); "
            "pass the smaller bound first."
        )
    left = _format_decimal(low, places, lang)
    right = _format_decimal(high, places, lang)
    signed = left.startswith(_MINUS[lang]) or right.startswith(_MINUS[lang])
    dash = f"{NBSP}\u2013{NBSP}" if signed else "\u2013"
    return left + dash + right


def fmt_n(n: object, *, lang: Lang = "fi", missing: str = MISSING) -> str:
    """A sample size: ``fmt_n(24)`` -> ``"n = 24"`` in both languages.

    The spaces around ``=`` are no-break spaces (U+00A0) so that ``n =`` never ends a line
    apart from its number. ``n`` must be a whole number 0 or more (``24.0`` is accepted).
    """
    lang = check_lang(lang, "fmt_n")
    count = _to_whole(n, "n", "fmt_n")
    shown = missing if count is None else _format_whole(count, lang)
    return f"n{NBSP}={NBSP}{shown}"


def fmt_fraction(k: object, n: object, *, lang: Lang = "fi", missing: str = MISSING) -> str:
    """``k`` of ``n`` as ``"3/4"``: two counts, ``k`` not above ``n``; missing if either is."""
    lang = check_lang(lang, "fmt_fraction")
    part = _to_whole(k, "k", "fmt_fraction")
    whole = _to_whole(n, "n", "fmt_fraction")
    if part is None or whole is None:
        return missing
    if part > whole:
        raise TymqualError(
            f"fmt_fraction(): argument k ({k!r}) is greater than n ({n!r}); "
            "k counts how many of the n, so it cannot exceed n."
        )
    return f"{_format_whole(part, lang)}/{_format_whole(whole, lang)}"


# --- descriptive statistics ------------------------------------------------------------------


def _numeric_array(values: object, func: str) -> np.ndarray:
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        raise TymqualError(
            f"{func}(): argument values must be a list, array or Series of numbers, "
            f"not {values!r} ({type(values).__name__})."
        )
    shape = getattr(values, "shape", ())
    if len(shape) > 1:
        raise TymqualError(
            f"{func}(): argument values must be one column of numbers, not a table of "
            f"shape {shape}; pass one column, e.g. df['age']."
        )
    series = pd.Series(list(values), dtype=object)
    converted = pd.to_numeric(series, errors="coerce")
    bad = converted.isna() & ~series.map(_is_missing_scalar).astype(bool)
    if converted.dtype.kind not in "biuf":
        # pd.to_numeric keeps complex numbers; they have no order, so no median or range.
        bad = series.map(lambda v: not isinstance(v, numbers.Real)).astype(bool) & ~bad
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy())[0])
        raise TymqualError(
            f"{func}(): argument values holds {series.iloc[position]!r} at position "
            f"{position}, which is not a real number; clean or drop it first."
        )
    return converted.to_numpy(dtype=float, na_value=np.nan)


def describe(values: Iterable[object]) -> dict[str, float]:
    """Descriptive statistics of ``values``, missing values (NaN, None) ignored.

    ``True`` and ``False`` count as 1 and 0, so the mean of a yes/no column is the share of
    yes. Returns ``n`` (the number of valid values, an ``int``), ``mean``, ``median``, ``min``,
    ``max`` and ``sd``, the sample standard deviation (``ddof=1``: the square root of the sum
    of squared deviations from the mean divided by ``n - 1``), which is NaN when ``n < 2``.
    With no valid values every statistic but ``n`` is NaN.

    >>> describe([3, 19, 8])["mean"]
    10.0
    """
    array = _numeric_array(values, "describe")
    valid = array[~np.isnan(array)]
    nan = float("nan")
    if valid.size == 0:
        return {"n": 0, "mean": nan, "median": nan, "min": nan, "max": nan, "sd": nan}
    return {
        "n": int(valid.size),
        "mean": float(np.mean(valid)),
        "median": float(np.median(valid)),
        "min": float(np.min(valid)),
        "max": float(np.max(valid)),
        "sd": float(np.std(valid, ddof=1)) if valid.size >= 2 else nan,
    }


def _check_parts(parts: object) -> tuple[str, ...]:
    known = get_args(Part)
    if isinstance(parts, str) or not isinstance(parts, Iterable):
        raise TymqualError(
            f"fmt_describe(): argument parts must be a tuple of names such as "
            f"('n', 'mean', 'range'), not {parts!r}."
        )
    chosen = tuple(parts)
    unknown = [p for p in chosen if p not in known]
    if unknown or not chosen:
        raise TymqualError(
            f"fmt_describe(): argument parts has {unknown or chosen!r}; "
            f"choose one or more of {', '.join(known)}."
        )
    return chosen


def fmt_describe(
    values_or_dict: Iterable[object] | Mapping[str, object],
    *,
    lang: Lang = "fi",
    decimals: int | None = None,
    parts: Sequence[Part] = ("n", "mean", "range"),
    missing: str = MISSING,
) -> str:
    """A one-line summary: ``"n = 24, ka. 8, vv. 3–19"`` or ``"n = 24, M = 8, range 3–19"``.

    Give the values, or the dict :func:`describe` returned. ``parts`` picks and orders the
    statistics: ``"n"``, ``"mean"`` (ka. / M), ``"median"`` (Md / Mdn), ``"sd"`` (kh. / SD)
    and ``"range"`` (vv. / range, the minimum to the maximum). The Finnish abbreviations
    are keskiarvo, mediaani, keskihajonta and vaihteluväli; the English ones follow APA.
    Label and number are joined by no-break spaces. ``decimals`` applies to every
    statistic but ``n``.
    """
    lang = check_lang(lang, "fmt_describe")
    places = _check_decimals(decimals, "fmt_describe")
    chosen = _check_parts(parts)
    stats = _stats_from(values_or_dict)
    labels = _STAT_LABELS[lang]
    pieces = []
    for part in chosen:
        if part == "n":
            pieces.append(fmt_n(stats["n"], lang=lang, missing=missing))
        elif part == "range":
            shown = fmt_range(
                stats["min"], stats["max"], lang=lang, decimals=places, missing=missing
            )
            pieces.append(labels[part] + shown)
        else:
            shown = fmt_number(stats[part], places, lang=lang, missing=missing)
            pieces.append(labels[part] + shown)
    return ", ".join(pieces)


def _stats_from(values_or_dict: object) -> Mapping[str, object]:
    if not isinstance(values_or_dict, Mapping):
        return describe(values_or_dict)  # type: ignore[arg-type]
    absent = [key for key in _DESCRIBE_KEYS if key not in values_or_dict]
    if absent:
        raise TymqualError(
            f"fmt_describe(): the dict given as values_or_dict lacks {', '.join(absent)}; "
            "pass the dict describe() returns, or the values themselves."
        )
    return values_or_dict


# --- dates and durations ---------------------------------------------------------------------


def _to_date(d: object) -> dt.date | None:
    if _is_missing_scalar(d):
        return None
    if isinstance(d, np.datetime64):
        d = pd.Timestamp(d)
    if isinstance(d, dt.datetime):
        return d.date()
    if isinstance(d, dt.date):
        return d
    if isinstance(d, str):
        try:
            return dt.datetime.fromisoformat(d.strip()).date()
        except ValueError:
            pass
    raise TymqualError(
        f"fmt_date(): argument d must be a date, datetime or ISO 8601 text such as "
        f"'2025-11-05', not {d!r} ({type(d).__name__})."
    )


def fmt_date(d: object, *, lang: Lang = "fi", missing: str = MISSING) -> str:
    """A date: Finnish ``"5.11.2025"`` (no leading zeros), English ISO 8601 ``"2025-11-05"``.

    Accepts :class:`datetime.date`, :class:`datetime.datetime` (the time is dropped),
    ``pd.Timestamp``, ``np.datetime64`` and ISO 8601 text.
    """
    lang = check_lang(lang, "fmt_date")
    day = _to_date(d)
    if day is None:
        return missing
    if lang == "fi":
        return f"{day.day}.{day.month}.{day.year}"
    return day.isoformat()


def _to_seconds(seconds: object) -> Decimal | None:
    if isinstance(seconds, np.timedelta64) and not pd.isna(seconds):
        seconds = pd.Timedelta(seconds)
    if isinstance(seconds, dt.timedelta):
        value: Decimal | None = Decimal(repr(seconds.total_seconds()))
    else:
        value = _to_decimal(seconds, "seconds", "fmt_duration")
    if value is not None and (value < 0 or not value.is_finite()):
        raise TymqualError(
            f"fmt_duration(): argument seconds must be a finite length of time 0 or more, "
            f"not {seconds!r}."
        )
    return value


def fmt_duration(seconds: object, *, lang: Lang = "fi", missing: str = MISSING) -> str:
    """A length of time in whole minutes: ``"52 min"``, or ``"1 h 05 min"`` from an hour up.

    ``seconds`` is a number of seconds or a ``timedelta``; it is rounded to the nearest
    minute, halves up (90 s -> ``"2 min"``). The symbols h and min are the same in Finnish
    and English; the spaces are no-break spaces so a duration never splits across lines.
    """
    check_lang(lang, "fmt_duration")
    value = _to_seconds(seconds)
    if value is None:
        return missing
    minutes = int(_round_half_away(value / 60, 0))
    if minutes < 60:
        return f"{minutes}{NBSP}min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}{NBSP}h{NBSP}{minutes:02d}{NBSP}min"
