"""Repairs for a codings ledger that Excel or LibreOffice opened and saved again.

A spreadsheet program reads ``codes/codings.csv`` as a table of values and writes back what
it shows: in a Finnish locale ``;``-separated and, for plain "CSV", in Windows-1252. On the
way it can change three things, each repaired here from what is still known:

* a character Windows-1252 cannot hold (an emoji, ``Ł``, ``≠``, and the invisible U+200B
  that :func:`tymqual.storage.excel_safe` puts before a formula-like cell) becomes ``?``;
  a cell whose ``?`` can stand for exactly the lost characters of its *reference* is put
  back. A passage's reference is the source itself (``texts[source_id][start:end]``); any
  cell's reference can be the last known row of its coding (``reference``). A cell that
  differs for any other reason was edited in the spreadsheet and is kept;
* ``created`` (``2026-11-23T09:20:08Z``) is re-typed as a date and written as shown
  (``23.11.2026 9:20``): the stored moment is restored when the shown one is the same to
  the precision shown, else the date is written back as ISO 8601 UTC;
* a whole number is written with a locale's decimal or thousands mark (``2047,0``,
  ``2 047``): it is read as the whole number.

What was repaired, and what could not be, is one row per cell in the notes frame
(:data:`NOTE_COLUMNS`) and one sentence (:func:`summary`) for a :class:`TymqualWarning`.
Nothing here writes a file: the ledger's next change writes the repaired rows.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from tymqual.storage import FORMULA_START, CsvFormat, excel_safe, not_matching

NOTE_COLUMNS: tuple[str, ...] = (
    "file", "coding_id", "row", "column", "kind", "found", "stored", "detail",
)
"""``row`` is the spreadsheet row (the header is row 1; NA for a coding not in the file).
``kind``: ``restored`` (``?`` put back), ``mark`` (the formula mark that became ``?``
removed), ``date``, ``number`` (re-typed values), ``edited`` (a cell changed in the other
program, kept), ``unrestorable`` (``?`` where a lost character cannot be told),
``unchecked`` (``?`` in a Windows-1252 file with nothing to compare it with) and
``absent`` (a coding of the reference that is not in the file)."""

_ID, _SOURCE, _CREATED, _TEXT = "coding_id", "source_id", "created", "text"
_OFFSETS = ("start", "end")
# source_id first: a passage is looked up by it.
_TEXT_COLUMNS = (_SOURCE, "code", "coder", "status", "memo", "reduced", _TEXT)
_PLAIN_INT = re.compile(r"\s*[+-]?\d{1,18}\s*")
# A group mark is white space (Finnish: NBSP or narrow NBSP) or an apostrophe; ',' or '.'
# only when the other one follows as the decimal mark ("2,047.0", "2.047,0"): alone,
# "2,047" is 2.047 in Finnish and so no whole number.
_RETYPED_INT = re.compile(
    r"\s*([+-]?)(?:(\d{1,3}(?:[ \u00a0\u202f']\d{3})+|\d{1,18})(?:[.,]0+)?"
    r"|(\d{1,3}(?:,\d{3})+)\.0+|(\d{1,3}(?:\.\d{3})+),0+)\s*"
)
_ISO_Z = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_TIME = r"(?:[T ]\s*|\s+)(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:[.,]\d+)?)?"
_ISO_ANY = re.compile(
    r"\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:" + _TIME + r")?\s*(?:Z|UTC|[+-]00:?00)?\s*"
)
_DOTTED = re.compile(r"\s*(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?:" + _TIME + r")?\s*")
_SLASHED = re.compile(
    r"\s*(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?:" + _TIME + r")?\s*([AaPp]\.?[Mm]\.?)?\s*"
)
_DAY = 86400.0


def _where(mask: object) -> list[int]:
    return [int(i) for i in np.flatnonzero(np.asarray(mask, dtype=bool))]


@functools.lru_cache(maxsize=4096)
def _lost(char: str) -> bool:
    """Whether Windows-1252 has no byte for ``char`` (Excel writes ``?`` for it)."""
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return True
    return False


def stands_for(found: str, original: str) -> bool:
    """Whether ``found`` is ``original`` as a Windows-1252 save leaves it: each character
    that code page cannot hold turned into ``?`` (one or two for a character outside the
    Basic Multilingual Plane, which Excel keeps as two UTF-16 units), the formula mark
    included, everything else unchanged.

    >>> stands_for("hyvä ? kohta", "hyvä 👍 kohta"), stands_for("hyvä? kohta", "hyvä. kohta")
    (True, False)
    """
    target = excel_safe(original)
    if found == target or "?" not in found:
        return False
    pattern = "".join(
        (r"\?\??" if ord(c) > 0xFFFF else r"\?") if _lost(c) else re.escape(c) for c in target
    )
    return re.fullmatch(pattern, found, flags=re.DOTALL) is not None


# ---------------------------------------------------------------------------- dates
def _clock(match: re.Match[str], first: int) -> tuple[int, int, int, float]:
    """Hour, minute, second and the precision shown (s) from the time groups at ``first``."""
    hour, minute, second = match.group(first, first + 1, first + 2)
    if hour is None:
        return 0, 0, 0, _DAY
    return int(hour), int(minute), int(second or 0), 1.0 if second else 60.0


def _moment(year: int, month: int, day: int, clock: tuple[int, int, int, float]
            ) -> tuple[datetime, float] | None:
    hour, minute, second, precision = clock
    if year < 100:
        year += 2000
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC), precision
    except ValueError:
        return None


def date_readings(shown: str) -> list[tuple[datetime, float]]:
    """The moments a re-typed date can mean, each with the precision shown in seconds.

    Finnish ``23.11.2026 9.20`` (or ``9:20``), US ``11/23/2026 9:20 AM`` (read day-first
    too when that is a date), ISO with a space or without the ``Z``. The time of a date that
    shows none is midnight, to a day's precision. An unknown shape gives ``[]``.
    """
    found: list[tuple[datetime, float] | None] = []
    if m := _ISO_ANY.fullmatch(shown):
        found.append(_moment(int(m[1]), int(m[2]), int(m[3]), _clock(m, 4)))
    elif m := _DOTTED.fullmatch(shown):
        found.append(_moment(int(m[3]), int(m[2]), int(m[1]), _clock(m, 4)))
    elif m := _SLASHED.fullmatch(shown):
        clock = _clock(m, 4)
        half = (m[7] or "").lower().replace(".", "")
        if half and clock[0] <= 12:
            hour = clock[0] % 12 + (12 if half == "pm" else 0)
            clock = (hour, *clock[1:])
        found.append(_moment(int(m[3]), int(m[1]), int(m[2]), clock))
        found.append(_moment(int(m[3]), int(m[2]), int(m[1]), clock))
    return [f for f in found if f is not None]


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_iso(value: str | None) -> datetime | None:
    if not value or not _ISO_Z.fullmatch(value):
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _same_moment(stored: datetime, shown: datetime, precision: float) -> bool:
    # A program may cut the hidden seconds off or round them: either way, the same moment.
    gap = (stored - shown) / timedelta(seconds=1)
    return -precision / 2 <= gap < precision


# ---------------------------------------------------------------------------- the repair
class _Notes:
    def __init__(self, where: str, frame: pd.DataFrame) -> None:
        self.where = where
        self.frame = frame
        self.rows: list[tuple[object, ...]] = []
        self.touched: set[tuple[int, str]] = set()

    def add(self, i: int | None, column: str, kind: str, found: str, stored: str,
            detail: str, coding_id: str | None = None) -> None:
        if i is not None:
            coding_id = str(self.frame[_ID].iat[i]) if _ID in self.frame else ""
            self.touched.add((i, column))
        self.rows.append((self.where, coding_id or "", pd.NA if i is None else i + 2, column,
                          kind, found, stored, detail))

    def result(self) -> pd.DataFrame:
        notes = pd.DataFrame.from_records(self.rows, columns=list(NOTE_COLUMNS))
        return notes.astype({"row": "Int64"})


def empty_notes() -> pd.DataFrame:
    """A notes frame with no rows: nothing was repaired."""
    return _Notes("", pd.DataFrame()).result()


def _text_of(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _aligned(frame: pd.DataFrame, reference: pd.DataFrame | None, column: str
             ) -> list[str | None]:
    """Per row of ``frame``, the reference row's ``column`` as text (None: not known)."""
    if reference is None or column not in reference.columns or _ID not in frame.columns:
        return [None] * len(frame)
    ref = reference.drop_duplicates(_ID)
    known = dict(zip(ref[_ID].astype(str), map(_text_of, ref[column].tolist()), strict=True))
    return [known.get(cid) for cid in frame[_ID].tolist()]


def _repair_ids(frame: pd.DataFrame, fmt: CsvFormat, reference: pd.DataFrame | None,
                notes: _Notes) -> None:
    ids = frame[_ID].tolist()
    suspect = [i for i, cid in enumerate(ids) if "?" in cid]
    if not suspect or reference is None or _ID not in reference.columns:
        return
    known = set(reference[_ID].astype(str))
    free = sorted(known - set(ids))
    for i in suspect:
        if ids[i] in known:
            continue
        matches = [cid for cid in free if stands_for(ids[i], cid)]
        if len(matches) == 1:
            notes.add(i, _ID, "restored", ids[i], matches[0], "'?' put back from the reference")
            ids[i] = matches[0]
            free.remove(matches[0])
        elif fmt.lossy:
            notes.add(i, _ID, "unrestorable", ids[i], "",
                      "a coding id with '?' that matches no single earlier id")
    frame[_ID] = ids


def _repair_numbers(frame: pd.DataFrame, column: str, notes: _Notes) -> None:
    odd = _where(not_matching(frame[column], _PLAIN_INT))
    if not odd:
        return
    values = frame[column].tolist()
    for i in odd:
        if m := _RETYPED_INT.fullmatch(values[i]):
            whole = m[1] + re.sub(r"\D", "", m[2] or m[3] or m[4])
            notes.add(i, column, "number", values[i], whole, "a whole number re-typed by a locale")
            values[i] = whole
    frame[column] = values


def _repair_dates(frame: pd.DataFrame, reference: Callable[[], pd.DataFrame | None],
                  notes: _Notes) -> None:
    column = frame[_CREATED]
    odd = _where((column != "").to_numpy() & not_matching(column, _ISO_Z))
    if not odd:
        return
    values = column.tolist()
    stored = _aligned(frame, reference(), _CREATED)
    for i in odd:
        readings = date_readings(values[i])
        if not readings:
            continue  # not a date a program made: left as written
        before = _parse_iso(stored[i])
        if before is not None and any(_same_moment(before, moment, precision)
                                      for moment, precision in readings):
            restored = stored[i] or ""
            notes.add(i, _CREATED, "date", values[i], restored,
                      "re-typed as a date; the stored moment was put back")
            values[i] = restored
            continue
        moment, precision = readings[0]
        detail = "re-typed as a date; written back as ISO 8601 UTC"
        if precision > 1:
            detail += " (the seconds were not in the file)" if precision == 60 else (
                " (the time was not in the file)")
        if before is not None:
            detail += f"; the last known value was {stored[i]}"
        notes.add(i, _CREATED, "date", values[i], _iso(moment), detail)
        values[i] = _iso(moment)
    frame[_CREATED] = values


def _passage(frame: pd.DataFrame, i: int, texts: Mapping[str, str]) -> str | None:
    text = texts.get(str(frame[_SOURCE].iat[i])) if _SOURCE in frame.columns else None
    try:
        start, end = (int(str(frame[c].iat[i])) for c in _OFFSETS)
    except (KeyError, ValueError):
        return None
    if text is None or not 0 <= start < end <= len(text):
        return None
    return text[start:end]


def _repair_cells(frame: pd.DataFrame, fmt: CsvFormat, reference: pd.DataFrame | None,
                  texts: Callable[[], Mapping[str, str]], notes: _Notes) -> None:
    for column in (c for c in _TEXT_COLUMNS if c in frame.columns):
        suspect = _where(frame[column].str.contains("?", regex=False))
        if not suspect:
            continue
        values = frame[column].tolist()
        stored = _aligned(frame, reference, column)
        for i in suspect:
            cell, before = values[i], stored[i]
            if before == cell:
                continue
            # In order of trust: the coding's last known row, then its source.
            candidates: list[tuple[str, str]] = []
            if before is not None:
                candidates.append((before, "the last known row"))
            if column == _TEXT and (passage := _passage(frame, i, texts())) is not None:
                candidates.append((passage, "the source"))
            if column == _SOURCE and cell not in texts():
                ids = [sid for sid in texts() if stands_for(cell, sid)]
                candidates += [(sid, "the source ids") for sid in ids if len(ids) == 1]
            match = next(((c, f) for c, f in candidates if stands_for(cell, c)), None)
            if match is not None:
                notes.add(i, column, "restored", cell, match[0], f"'?' put back from {match[1]}")
                values[i] = match[0]
                continue
            if fmt.lossy and cell[:1] == "?" and cell[1:].startswith(FORMULA_START):
                notes.add(i, column, "mark", cell, cell[1:],
                          "the invisible formula mark (U+200B) had become '?'")
                values[i] = cell = cell[1:]
            if "?" not in cell or not fmt.lossy:
                continue
            if not candidates:
                notes.add(i, column, "unchecked", cell, "",
                          "a '?' in a Windows-1252 save, with no earlier version to compare")
            elif any(any(map(_lost, c)) for c, _ in candidates):
                notes.add(i, column, "unrestorable", cell, candidates[0][0],
                          "a '?' may stand for a character Windows-1252 cannot hold, and the "
                          "cell was also changed otherwise; kept as found")
        frame[column] = values


def _note_changes(frame: pd.DataFrame, reference: pd.DataFrame | None, notes: _Notes) -> None:
    """``edited`` cells (kept) and ``absent`` codings, against the reference."""
    if reference is None or _ID not in reference.columns or _ID not in frame.columns:
        return
    for column in (c for c in frame.columns if c in reference.columns and c != _ID):
        stored = _aligned(frame, reference, column)
        for i, (cell, before) in enumerate(zip(frame[column].tolist(), stored, strict=True)):
            if before is not None and cell != before and (i, column) not in notes.touched:
                notes.add(i, column, "edited", cell, before,
                          "changed in the other program; kept")
    present = set(frame[_ID].tolist())
    for cid in dict.fromkeys(reference[_ID].astype(str)):
        if cid not in present:
            notes.add(None, _ID, "absent", "", cid, "in the last known version, not in the file",
                      coding_id=cid)


def repair_ledger(raw: pd.DataFrame, fmt: CsvFormat, *, where: str,
                  texts: Callable[[], Mapping[str, str]] | None = None,
                  reference: Callable[[], pd.DataFrame | None] | None = None,
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ledger's cells (all strings, as read) repaired, and one note per cell touched.

    Numbers and dates are looked at in every file (cheaply: only cells not in tymqual's own
    form); ``?`` damage and edits only in a file another program wrote (not tymqual's UTF-8
    with BOM and ``,``). ``texts`` gives each source's text by id, ``reference`` the last
    known ledger (either may be None, or return nothing); each is called only when needed.
    """
    frame = raw.copy()
    notes = _Notes(where, frame)
    texts_once = functools.cache(texts or dict)
    reference_once = functools.cache(reference or (lambda: None))
    foreign = not fmt.canonical
    if foreign and _ID in frame.columns:
        _repair_ids(frame, fmt, reference_once(), notes)
    for column in (c for c in _OFFSETS if c in frame.columns):
        _repair_numbers(frame, column, notes)
    if _CREATED in frame.columns:
        _repair_dates(frame, reference_once, notes)
    if foreign:
        _repair_cells(frame, fmt, reference_once(), texts_once, notes)
        _note_changes(frame, reference_once(), notes)
    return frame, notes.result()


# ---------------------------------------------------------------------------- the sentence
_MAX_NAMED = 5


def _cells(notes: pd.DataFrame) -> str:
    named = [f"row {r} {c!r} of coding {cid}" if r is not pd.NA else f"coding {cid}"
             for r, c, cid in notes[["row", "column", "coding_id"]].itertuples(index=False)]
    more = len(named) - _MAX_NAMED
    return ", ".join(named[:_MAX_NAMED]) + (f" and {more} more" if more > 0 else "")


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def summary(notes: pd.DataFrame, fmt: CsvFormat, where: str) -> str | None:
    """One sentence for the user about a ledger another program wrote, or None when there
    is nothing to say (tymqual's own format, or plain UTF-8 ``,`` CSV, and no note)."""
    plain = fmt.encoding in ("utf-8", "utf-8-sig") and fmt.separator == ","
    if notes.empty and plain:
        return None
    kinds = notes["kind"].value_counts()
    done = [
        _count(int(kinds.get("restored", 0)), "cell restored", "cells restored"),
        _count(int(kinds.get("mark", 0)), "formula mark removed", "formula marks removed"),
        _count(int(kinds.get("date", 0)), "date re-typed", "dates re-typed"),
        _count(int(kinds.get("number", 0)), "number re-typed", "numbers re-typed"),
        _count(int(kinds.get("edited", 0)), "cell edited there kept", "cells edited there kept"),
    ]
    done = [d for d in done if not d.startswith("0 ")] or ["nothing lost"]
    said = (f"{where} was re-saved by another program ({fmt.describe()})" if not fmt.canonical
            else f"{where} was changed by another program")
    sentence = f"{said}: {', '.join(done)}"
    bad = notes[notes["kind"] == "unrestorable"]
    if not bad.empty:
        sentence += f"; {_cells(bad)} could not be restored (kept as found)"
    unchecked = notes[notes["kind"] == "unchecked"]
    if not unchecked.empty:
        sentence += (f"; {_count(len(unchecked), 'cell', 'cells')} with '?' had no earlier "
                     f"version to check against ({_cells(unchecked)})")
    absent = notes[notes["kind"] == "absent"]
    if not absent.empty:
        sentence += (f"; {_count(len(absent), 'coding', 'codings')} of the last known version "
                     f"are not in the file ({', '.join(absent['coding_id'][:_MAX_NAMED])}"
                     f"{' …' if len(absent) > _MAX_NAMED else ''})")
    return sentence + "; the next change writes it back as UTF-8 CSV."


__all__ = ["NOTE_COLUMNS", "date_readings", "empty_notes", "repair_ledger", "stands_for",
           "summary"]
