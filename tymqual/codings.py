"""The codings ledger ``codes/codings.csv``: one row per coding, the thesis author's own work.

The ledger is a plain CSV so that it opens in Excel (UTF-8 with BOM) and diffs in git (rows
stay in the order they were added). Because it is the one file that cannot be regenerated,
every change follows the same path: take the file lock, read the file again, apply the change,
validate the whole result and write it atomically (:func:`tymqual.storage.write_safe_csv`). Two
notebook kernels coding at once therefore both keep their work, and a crash mid-save leaves
the previous file. Reading needs no lock: a reader sees either the old or the new file.

Columns (see ARCHITECTURE.md): ``coding_id, source_id, start, end, code, coder, status,
created, memo, reduced, text``. ``start``/``end`` are code-point offsets into the source's
normalised text, ``code`` is a code *key*, ``text`` the passage at coding time, which
:func:`reanchor` uses to find the passage again after the source has been edited.
"""

from __future__ import annotations

import contextlib
import functools
import getpass
import glob
import hashlib
import os
import re
import sys
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import filelock
import numpy as np
import pandas as pd

from tymqual.errors import CodingError, StorageError, TymqualWarning
from tymqual.history import (
    OUTSIDE,
    REDO,
    RESTORE,
    START,
    UNDO,
    VOID,
    Commit,
    History,
    add_context,
    added_rows,
    appended,
    changed_rows,
    describe,
    diff_rows,
    ensure_undoable,
    inverse_rows,
    stacks_of,
    torn_append_at,
    with_context,
)
from tymqual.history import now as history_now
from tymqual.reanchor import CONTEXT_COLUMNS, REANCHOR_COLUMNS, reanchor
from tymqual.roundtrip import empty_notes, repair_ledger, summary
from tymqual.storage import (
    append_synced,
    atomic_write_text,
    excel_unsafe,
    file_hash,
    not_matching,
    read_columns,
    read_csv_table,
    safe_csv_chunks,
    safe_csv_header,
    write_columns,
    write_failure,
    write_safe_csv,
)

CODING_COLUMNS: tuple[str, ...] = (
    "coding_id", "source_id", "start", "end", "code", "coder", "status", "created", "memo",
    "reduced", "text",
)
STATUSES: tuple[str, ...] = ("accepted", "suggested", "rejected")
DEFAULT_CODERS: tuple[str, str] = ("A", "B")
"""The two coders compared when none are named (agreement, disagreements, the CLI)."""
LOCK_TIMEOUT = 30.0
_LOCK_POLL = 0.01  # seconds between attempts; a save takes a few milliseconds

_REQUIRED = ("coding_id", "source_id", "start", "end", "code")
_OFFSETS = ("start", "end")
_STRINGS = tuple(c for c in CODING_COLUMNS if c not in _OFFSETS)
# Columns a hand-made or older ledger may lack; they are filled with these values on reading.
_DEFAULTS = {"coder": "", "status": "accepted", "created": "", "memo": "", "reduced": "",
             "text": ""}
_NOT_EMPTY = ("coding_id", "source_id", "code")
_WHOLE_NUMBER = re.compile(r"\s*[+-]?\d{1,18}\s*")
_MAX_SHOWN = 10
_CREATED_FORM = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")  # as _now() writes
_NEUTRAL = "\u200b"  # what storage.excel_safe puts before a formula-like cell

RowName = Callable[[int], str]


def _where(mask: Any) -> list[int]:
    """Positions where a boolean array or Series is true, as plain ints."""
    return [int(i) for i in np.flatnonzero(np.asarray(mask, dtype=bool))]


def new_coding_id() -> str:
    """A short id unique across processes without coordination: ``c`` + 11 hex digits.

    44 random bits from the operating system's random source, as many as the first 11 hex
    digits of a uuid4; :meth:`Ledger.add` still draws again in the rare case of a collision.
    """
    return _draw_ids(1)[0]


def _objects(values: list[Any]) -> np.ndarray:
    """``values`` as an object array (``np.array`` would look for nested sequences)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _draw_ids(k: int) -> list[str]:
    """``k`` ids of :func:`new_coding_id`'s form, drawn at once: a batch of hundreds of
    thousands costs one read of random bytes, not a uuid object per id."""
    bits = np.frombuffer(os.urandom(8 * k), dtype=np.uint64) >> np.uint64(64 - 44)
    return [f"c{v:011x}" for v in bits.tolist()]


def empty_codings() -> pd.DataFrame:
    """A ledger with no rows: the ledger columns, ``start``/``end`` int64, the rest strings."""
    return pd.DataFrame({
        c: pd.Series([], dtype="int64" if c in _OFFSETS else str) for c in CODING_COLUMNS
    })


_DTYPES = empty_codings().dtypes
# How a ledger file tymqual wrote begins; only such a file is appended to.
_HEADER = safe_csv_header(CODING_COLUMNS)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """The ledger columns in order with their dtypes; call only on validated values."""
    frame = frame.loc[:, list(CODING_COLUMNS)].reset_index(drop=True)
    casts = {c: _DTYPES[c] for c in CODING_COLUMNS if frame[c].dtype != _DTYPES[c]}
    return frame.astype(casts) if casts else frame


def _refuse(where: str, problems: list[str], remedy: str) -> CodingError:
    shown = "; ".join(problems[:_MAX_SHOWN])
    more = len(problems) - _MAX_SHOWN
    if more > 0:
        shown += f"; and {more} more problem(s)"
    return CodingError(f"{where}: {shown}. {remedy}")


# ---------------------------------------------------------------------------- validation
def _value_problems(frame: pd.DataFrame, row_name: RowName) -> list[str]:
    """Problems with typed values: empty ids, bad spans, unknown status, duplicate ids."""
    problems: list[str] = []
    for col in _NOT_EMPTY:
        for i in _where([not v.strip() for v in frame[col].tolist()]):
            problems.append(f"{row_name(i)}, column {col!r}: empty; every coding needs one")
    start, end = frame["start"].to_numpy(), frame["end"].to_numpy()
    for i in _where(start < 0):
        problems.append(f"{row_name(i)}, column 'start': {start[i]} is negative; "
                        "offsets count characters from 0")
    for i in _where((start >= end) & (start >= 0)):
        problems.append(f"{row_name(i)}, column 'end': {end[i]} is not after start "
                        f"{start[i]}; a coded passage has at least one character")
    for i in _where(~frame["status"].isin(STATUSES)):
        problems.append(f"{row_name(i)}, column 'status': {frame['status'].iat[i]!r} is not "
                        f"one of {', '.join(STATUSES)}")
    ids = frame["coding_id"]
    for cid in ids[ids.duplicated()].unique():
        rows = " and ".join(row_name(i) for i in _where(ids == cid))
        problems.append(f"column 'coding_id': {cid!r} appears in {rows}; ids must be unique")
    return problems


def _from_file(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Validate and type a ledger read as strings; errors name the file, Excel row and column."""
    raw = raw.drop(columns=[c for c in raw.columns
                            if c.startswith("Unnamed: ") and (raw[c] == "").all()])
    missing = [c for c in _REQUIRED if c not in raw.columns]
    unknown = [c for c in raw.columns if c not in CODING_COLUMNS]
    problems = [f"row 1 (the header): column {c!r} is missing" for c in missing]
    problems += [f"row 1 (the header): column {c!r} is not a ledger column" for c in unknown]
    if problems:
        raise _refuse(str(path), problems, f"The ledger's columns are "
                      f"{', '.join(CODING_COLUMNS)} (see ARCHITECTURE.md); nothing was changed.")
    frame = raw.copy()
    for col, default in _DEFAULTS.items():
        if col not in frame.columns:
            frame[col] = default

    def excel_row(i: int) -> str:
        return f"row {i + 2}"  # data row 0 sits under the header, on Excel's row 2

    for col in _OFFSETS:
        whole = pd.Series(~not_matching(frame[col], _WHOLE_NUMBER), index=frame.index)
        for i in _where(~whole):
            problems.append(f"{excel_row(i)}, column {col!r}: {frame[col].iat[i]!r} is not a "
                            "whole number")
        frame[col] = frame[col].where(whole, "0").str.strip().astype("int64")
    problems += _value_problems(frame, excel_row)
    if problems:
        raise _refuse(str(path), problems,
                      "Correct the file (it opens in Excel) and try again; nothing was changed.")
    return _typed(frame)


def _read_bytes(path: Path) -> bytes | None:
    """The ledger file's bytes, or None when there is no file (an empty ledger)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


Texts = Callable[[], Mapping[str, str]]
Reference = Callable[[], pd.DataFrame | None]


def _parse(path: Path, data: bytes | None, *, texts: Texts | None = None,
           reference: Reference | None = None) -> tuple[pd.DataFrame, pd.DataFrame, str | None]:
    """The ledger in ``data`` (the bytes of ``path``), repaired if another program saved it
    (:mod:`tymqual.roundtrip`) and validated; the repair notes; the sentence telling the
    user about them, or None."""
    if data is None:
        return empty_codings(), empty_notes(), None
    try:
        raw, found = read_csv_table(data, where=str(path), error=CodingError)
    except pd.errors.EmptyDataError:
        return empty_codings(), empty_notes(), None  # a zero-byte file holds no codings
    except pd.errors.ParserError as exc:
        raise CodingError(
            f"{path} cannot be read as CSV ({exc}); restore it from git or a backup."
        ) from exc
    # The ledger is written formula-safe (a passage may start with "=" or "-"); every cell
    # is a string here, so undoing it is exact. Only cells that start with the mark change.
    raw.columns = [excel_unsafe(str(c)) for c in raw.columns]
    # Most ledgers have no marked cell; the byte test only works for UTF-8.
    if not found.encoding.startswith("utf-8") or _NEUTRAL.encode("utf-8") in data:
        for column in raw.columns:
            marked = raw[column].str.startswith(_NEUTRAL)
            if marked.any():
                raw[column] = raw[column].where(~marked,
                                                raw.loc[marked, column].map(excel_unsafe))
    raw, notes = repair_ledger(raw, found, where=str(path), texts=texts, reference=reference)
    return _from_file(raw, path), notes, summary(notes, found, str(path))


def _conform(frame: object, where: str) -> pd.DataFrame:
    """Check a frame about to be written; the ledger on disk is never made invalid."""
    remedy = "Nothing was written."
    if not isinstance(frame, pd.DataFrame):
        raise CodingError(f"{where}: expected a DataFrame, got {type(frame).__name__}. {remedy}")
    missing = [c for c in CODING_COLUMNS if c not in frame.columns]
    extra = [str(c) for c in frame.columns if c not in CODING_COLUMNS]
    problems = [f"column {c!r} is missing" for c in missing]
    problems += [f"column {c!r} is not a ledger column" for c in extra]
    if problems:
        raise _refuse(where, problems, remedy)

    def row_name(i: int) -> str:
        return f"row {i + 2}"

    frame = frame.reset_index(drop=True)
    for col in _OFFSETS:
        series = frame[col]
        if not pd.api.types.is_integer_dtype(series.dtype) or series.isna().any():
            problems.append(f"column {col!r} must hold whole numbers, got dtype {series.dtype}")
    for col in _STRINGS:
        column = frame[col]
        if pd.api.types.is_string_dtype(column.dtype) and not pd.api.types.is_object_dtype(
                column.dtype):
            bad = _where(column.isna())  # a string column holds text or a missing value
        else:
            bad = _where(~column.map(lambda v: isinstance(v, str)).astype(bool))
        problems += [f"{row_name(i)}, column {col!r}: {frame[col].iat[i]!r} is not text"
                     for i in bad]
    if problems:
        raise _refuse(where, problems, remedy)
    frame = _typed(frame)
    problems = _value_problems(frame, row_name)
    if problems:
        raise _refuse(where, problems, remedy)
    return frame


def _check_value(col: str, value: object) -> str | None:
    """Why ``value`` cannot go into column ``col``, or ``None`` if it can."""
    if col in _OFFSETS:
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            return f"column {col!r}: {value!r} is not a whole number"
        return None
    if not isinstance(value, str):
        return f"column {col!r}: expected text, got {type(value).__name__} {value!r}"
    if col == "status" and value not in STATUSES:
        return f"column 'status': {value!r} is not one of {', '.join(STATUSES)}"
    if col == "created" and value and not _CREATED_FORM.fullmatch(value):
        # Any other form would be read back as an Excel re-typing and "repaired" on every read.
        return (f"column 'created': {value!r} is not a UTC time written as "
                "2026-12-07T10:00:00Z (leave it out for now)")
    return None


Rows = Iterable[Mapping[str, Any]] | pd.DataFrame
"""Codings given to :meth:`Ledger.add`: mappings, or a frame with one column per field (a
large batch, such as autocoding's, is cheaper as a frame: no dict per row)."""


def _given_columns(rows: list[Mapping[str, Any]] | pd.DataFrame
                   ) -> tuple[dict[Any, list[Any]], int] | None:
    """The rows as ``{column: values}`` (None for a field a row lacks) and their number;
    None when a row is not a mapping."""
    if isinstance(rows, pd.DataFrame):
        return {c: rows[c].tolist() for c in rows.columns}, len(rows)
    if not all(isinstance(row, Mapping) for row in rows):
        return None
    keys: dict[Any, None] = dict.fromkeys(k for row in rows for k in row)
    return {k: [row.get(k) for row in rows] for k in keys}, len(rows)


def _records(rows: list[Mapping[str, Any]] | pd.DataFrame) -> list[Mapping[str, Any]]:
    if isinstance(rows, pd.DataFrame):
        return [{str(k): v for k, v in row.items()} for row in rows.to_dict("records")]
    return rows


def _new_rows(rows: list[Mapping[str, Any]] | pd.DataFrame, taken: pd.Series) -> pd.DataFrame:
    """Validated, completed rows for :meth:`Ledger.add`; ids are drawn afresh where absent."""
    return _frame_of(_completed(rows, _now()), taken)


def _completed(rows: list[Mapping[str, Any]] | pd.DataFrame, created: str) -> pd.DataFrame:
    """Every ledger column of the rows, defaults filled in, offsets int64; raises naming
    each problem."""
    if isinstance(rows, pd.DataFrame) and (frame := _valid_frame(rows, created)) is not None:
        return frame
    columns = _valid_columns(rows, created)
    if columns is None:  # something is wrong: find it row by row, to name each problem
        records = _checked_records(_records(rows), created)
        columns = {c: [r[c] for r in records] for c in CODING_COLUMNS}
    frame = pd.DataFrame(columns, columns=list(CODING_COLUMNS))
    return frame.astype({c: "int64" for c in _OFFSETS})


def _valid_frame(rows: pd.DataFrame, created: str) -> pd.DataFrame | None:
    """A frame of rows completed and checked column by column, its columns kept as arrays:
    a batch of hundreds of thousands becomes no Python list or integer per cell. None when
    a column is not plainly valid (:func:`_valid_columns` then looks closer)."""
    if not set(rows.columns) <= set(CODING_COLUMNS) or not set(_REQUIRED[1:]) <= set(
            rows.columns):
        return None
    defaults = {**_DEFAULTS, "coding_id": "", "created": created}
    columns: dict[str, Any] = {}
    for col in CODING_COLUMNS:
        if col not in rows.columns:
            columns[col] = np.full(len(rows), defaults[col], dtype=object)
            continue
        values = rows[col]
        if col in _OFFSETS:
            if not pd.api.types.is_integer_dtype(values.dtype) or values.hasnans:
                return None
            columns[col] = values.to_numpy(dtype="int64")
            continue
        if values.hasnans or pd.api.types.infer_dtype(values, skipna=False) not in (
                "string", "empty"):
            return None
        distinct = set(values.unique()) if col in ("status", "created") else set()
        if (col == "status" and not distinct <= set(STATUSES)) or (col == "created" and any(
                v and not _CREATED_FORM.fullmatch(v) for v in distinct)):
            return None
        columns[col] = values.to_numpy(dtype=object)
    return pd.DataFrame(columns, columns=list(CODING_COLUMNS))


def _frame_of(frame: pd.DataFrame, taken: pd.Series) -> pd.DataFrame:
    """The completed rows as ledger rows, with fresh ids where none was given (``taken``:
    the ids already in the ledger)."""
    ids = frame["coding_id"].tolist()
    given = [i for i in ids if i]
    # The ledger's ids are looked up in the few given or drawn, not gathered into a set.
    clashes = sorted(set(taken[taken.isin(given)]))
    if clashes:
        raise CodingError(f"Ledger.add(): coding id(s) {', '.join(map(repr, clashes))} are "
                          "already in the ledger; leave coding_id out to get new ones. "
                          "Nothing was added.")
    used = set(given)
    wanted = [n for n, i in enumerate(ids) if not i]
    while wanted:
        fresh = _draw_ids(len(wanted))
        held = set(taken[taken.isin(fresh)])
        left = []
        for n, candidate in zip(wanted, fresh, strict=True):
            if candidate in used or candidate in held:
                left.append(n)
            else:
                ids[n] = candidate
                used.add(candidate)
        wanted = left
    frame = frame.reset_index(drop=True)
    frame["coding_id"] = _objects(ids)
    problems = _value_problems(frame, lambda i: f"row {i + 1} given to add()")
    if problems:
        raise _refuse("Ledger.add()", problems, "Nothing was added.")
    return _typed(frame)


def _valid_columns(rows: list[Mapping[str, Any]] | pd.DataFrame, created: str
                   ) -> dict[str, list[Any]] | None:
    """The rows as completed columns, checked column by column; None if any row has a
    problem (:func:`_checked_records` then says which)."""
    found = _given_columns(rows)
    if found is None:
        return None
    given, n_rows = found
    if not set(given) <= set(CODING_COLUMNS):
        return None
    defaults = {**_DEFAULTS, "created": created}
    columns: dict[str, list[Any]] = {}
    for col in CODING_COLUMNS:
        values = given.get(col, [None] * n_rows)
        if any(v is None for v in values):
            if col in _REQUIRED[1:]:
                return None
            fill = defaults.get(col, "")
            values = [fill if v is None else v for v in values]
        kinds = set(map(type, values))
        if col in _OFFSETS:
            whole = all(issubclass(k, int | np.integer) and not issubclass(k, bool)
                        for k in kinds)
            if not whole:
                return None
        elif not all(issubclass(k, str) for k in kinds):
            return None
        if col == "status" and not set(values) <= set(STATUSES):
            return None
        if col == "created" and any(v and not _CREATED_FORM.fullmatch(v) for v in set(values)):
            return None
        columns[col] = values
    return columns


def _checked_records(rows: list[Mapping[str, Any]], created: str) -> list[dict[str, Any]]:
    """The rows completed with defaults, checked one by one; raises naming every problem."""
    problems: list[str] = []
    records = []
    defaults = {**_DEFAULTS, "created": created}
    for n, row in enumerate(rows, start=1):
        name = f"row {n} given to add()"
        if not isinstance(row, Mapping):
            problems.append(f"{name} is a {type(row).__name__}, not a mapping of column to value")
            continue
        unknown = [str(k) for k in row if k not in CODING_COLUMNS]
        missing = [k for k in _REQUIRED[1:] if row.get(k) is None]
        problems += [f"{name}, column {k!r}: not a ledger column" for k in unknown]
        problems += [f"{name}, column {k!r}: missing" for k in missing]
        record = {c: row[c] if row.get(c) is not None else defaults.get(c, "")
                  for c in CODING_COLUMNS}
        for col in CODING_COLUMNS:
            if col not in missing and (why := _check_value(col, record[col])):
                problems.append(f"{name}, {why}")
        records.append(record)
    if problems:
        raise _refuse("Ledger.add()", problems, "Nothing was added.")
    return records


def _concat(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    if first.empty:
        return second
    if second.empty:
        return first
    return pd.concat([first, second], ignore_index=True)


_SPAN_KEY = ("source_id", "start", "end", "code")


def _not_held(frame: pd.DataFrame, columns: pd.DataFrame) -> list[int]:
    """Positions of the given rows whose source, span and code neither ``frame`` nor an
    earlier given row holds. Compared as factorised columns (a MultiIndex), not as a set of
    Python tuples: a batch of hundreds of thousands stays linear and light."""
    def arrays(values: Callable[[str], Any]) -> list[np.ndarray]:
        return [np.asarray(values(c), dtype="int64" if c in _OFFSETS else object)
                for c in _SPAN_KEY]

    given = pd.MultiIndex.from_arrays(arrays(lambda c: columns[c]))
    new = ~given.duplicated()
    frame = frame[frame["source_id"].isin(columns["source_id"].unique())]  # only these sources
    if len(frame):
        held = pd.MultiIndex.from_arrays(arrays(lambda c: frame[c].to_numpy()))
        new &= ~given.isin(held)
    return _where(new)


def _refuse_blank_coder(new: pd.DataFrame) -> None:
    """A coding made by a person names that person: agreement and "my codings" rely on it."""
    blank = [n for n, c in enumerate(new["coder"].tolist(), start=1) if not str(c).strip()]
    if blank:
        rows = ", ".join(map(str, blank[:_MAX_SHOWN]))
        raise CodingError(
            f"Ledger.add(): the coder is empty in row(s) {rows}; a coding needs its coder's "
            "name or initials: pass coder='A' (or set coder: in tymqual.yaml). Nothing was "
            "added."
        )


def _id_list(coding_ids: Iterable[str]) -> list[str]:
    # A lone string is one id, not an iterable of one-letter ids.
    ids = [coding_ids] if isinstance(coding_ids, str) else list(coding_ids)
    return list(dict.fromkeys(ids))


# ---------------------------------------------------------------------------- the ledger
@dataclass
class LedgerEdit:
    """The ledger as read under the lock, in :meth:`Ledger.transaction`.

    Change ``frame`` in place or assign a new one; it is written when the block ends
    without an exception (and only if it differs from what was read).
    """

    frame: pd.DataFrame


KEEP_ROWS = 20_000
"""A ledger of at least this many codings is kept as validated columns in the project's
cache (:attr:`Ledger.keep`); a smaller one parses in a fraction of a second."""


@functools.cache
def _code_fingerprint() -> str:
    """What the kept columns also depend on: the code that reads and validates a ledger."""
    from tymqual import history, reanchor, roundtrip, storage, text

    hasher = hashlib.sha256(f"{pd.__version__} {np.__version__}".encode())
    for module in (sys.modules[__name__], history, reanchor, roundtrip, storage, text):
        hasher.update(Path(str(module.__file__)).read_bytes())
    return hasher.hexdigest()[:12]


_NO_CONTEXT = ("autocode", "suggest")
_FEW = 200  # appended codings written line by line; more go through pandas' JSON writer


@dataclass
class _Parsed:
    """The ledger file as last parsed: the SHA-256 of its bytes (and the hash state, to carry
    it forward over appended bytes), the frame, its size, whether it is exactly as tymqual
    writes it (UTF-8 with BOM, our header, ``\n`` line ends, ending in one), and where a torn
    append begins, if the history shows one."""

    digest: bytes
    frame: pd.DataFrame
    hasher: Any
    size: int
    appendable: bool
    torn: int | None = None


@contextlib.contextmanager
def _spooled(path: Path) -> Iterator[BinaryIO]:
    """An unnamed temporary file in the ledger's folder (gone when closed, or if the
    process dies), for lines about to be appended; a failure to make or fill it changes
    nothing."""
    try:
        with tempfile.TemporaryFile(dir=path.parent) as spool:
            yield spool
    except OSError as exc:
        if isinstance(exc, StorageError):
            raise
        raise write_failure(exc, path, f"the previous {path.name} is unchanged") from exc


def _history_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.history.jsonl")


def current_user() -> str:
    """The operating-system user's name, or ``""`` where the environment has none."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password database
        return ""


class Ledger:
    """The codings ledger file, changed only under its lock and only by atomic writes.

    ``path`` is the CSV (normally ``codes/codings.csv``); the lock file is
    ``.<name>.lock`` beside it. ``timeout`` is how many seconds a change waits for another
    process holding the lock before it gives up with a :class:`CodingError`. Every change is
    recorded in the history ``<stem>.history.jsonl`` beside the ledger
    (:mod:`tymqual.history`) unless ``history=False``.

    ``texts`` (set by the project) gives the source texts, so that the history keeps the
    text around each coded passage; ``who`` names the person changing the ledger when a
    change does not say (default: the operating-system user).

    A file that Excel or LibreOffice saved again is repaired as it is read
    (:mod:`tymqual.roundtrip`), told once per file content as a :class:`TymqualWarning`,
    and written back in tymqual's format by the next change. Two optional attributes help
    the repair, each set by whoever owns the data: ``texts`` (returns the source texts by
    id; the project sets it) and ``reference`` (returns the last known version of the
    ledger; without it, the version this object last read). ``read_notes`` holds what the
    last read repaired (:data:`tymqual.roundtrip.NOTE_COLUMNS`), empty when nothing was.
    """

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = LOCK_TIMEOUT,
                 history: bool = True) -> None:
        self.path = Path(path)
        self.lock_path = self.path.parent / f".{self.path.name}.lock"
        self.timeout = timeout
        self._lock = filelock.FileLock(self.lock_path, timeout=timeout)
        self._local = threading.local()
        # The last ledger parsed and the SHA-256 of the bytes it was parsed from: reading an
        # unchanged file again costs a hash, not a parse (tables read the ledger often).
        self._parsed: _Parsed | None = None
        self.history: History | None = History(_history_path(self.path)) if history else None
        self.who: str | None = None
        # Spans re-anchoring found after a source edit; applied to what is read, and saved as
        # a change of its own with the next change (opening a project never writes).
        self._pending: pd.DataFrame | None = None
        self.save_pending = True
        self.texts: Texts | None = None
        # A foreign save is repaired against the codings as the history last recorded them.
        self.reference: Reference | None = self._recorded if history else None
        self.read_notes: pd.DataFrame = empty_notes()
        self._told: set[bytes] = set()  # digests of the contents already warned about
        # A folder (the project's cache) where a large ledger is kept as validated columns,
        # named by the SHA-256 of the file's bytes: an unchanged file is not parsed again.
        self.keep: Path | None = None

    def __repr__(self) -> str:
        return f"Ledger({str(self.path)!r})"

    def read(self) -> pd.DataFrame:
        """The ledger as it is on disk now, validated; a missing file is an empty ledger."""
        return self.read_versioned()[1]

    def read_versioned(self) -> tuple[bytes | None, pd.DataFrame]:
        """:meth:`read` and the SHA-256 of the bytes it was parsed from: a caller that derives
        something from the ledger can keep it while the digest stays the same. The digest is
        None when there is no file."""
        digest, frame = self._read_disk()
        if self._pending is not None and digest is not None:
            frame = _with_moves(frame, self._pending)
        return digest, frame

    def _read_disk(self, *, copy: bool = True) -> tuple[bytes | None, pd.DataFrame]:
        """The ledger on disk and its digest; ``copy=False`` returns the cached frame itself,
        for a caller that only reads it."""
        parsed = self._parsed
        if parsed is not None:
            # Hashed in blocks: an unchanged ledger of 400,000 rows is never held as bytes.
            with contextlib.suppress(FileNotFoundError):
                if file_hash(self.path).digest() == parsed.digest:
                    return parsed.digest, parsed.frame.copy() if copy else parsed.frame
        if parsed is None and (columns := self._from_kept(copy=copy)) is not None:
            return columns
        data = _read_bytes(self.path)
        if data is None:
            return None, empty_codings()
        # The bytes hashed are the bytes parsed, so the digest always names this frame.
        hasher = hashlib.sha256(data)
        digest = hasher.digest()
        if parsed is not None and parsed.digest == digest:  # changed back meanwhile
            return digest, parsed.frame.copy() if copy else parsed.frame
        last_read = None if parsed is None else parsed.frame

        def reference() -> pd.DataFrame | None:
            given = self.reference() if self.reference is not None else None
            return last_read if given is None else given

        torn = self._torn_at(data, digest)
        kept = data if torn is None else data[:torn]
        frame, notes, message = _parse(self.path, kept, texts=self.texts, reference=reference)
        self.read_notes = notes
        appendable = (torn is None and message is None and notes.empty
                      and data.startswith(_HEADER) and data.endswith(b"\n"))
        self._parsed = _Parsed(digest, frame.copy() if copy else frame, hasher, len(data),
                               appendable, torn)
        if appendable:
            self._keep(frame, digest)
        if torn is not None:
            message = self._torn_message(data, torn, len(frame))
        if message is not None and digest not in self._told:
            self._told.add(digest)
            warnings.warn(message, TymqualWarning, stacklevel=3)
        return digest, frame

    def _torn_at(self, data: bytes, digest: bytes) -> int | None:
        """Where the torn end of an interrupted append begins (see
        :func:`tymqual.history.torn_append_at`); None without a history or when the file is
        the append's whole result."""
        last = None if self.history is None else self.history.last_commit()
        if last is not None and last.ledger_after == digest.hex():
            return None
        return torn_append_at(data, last)

    # ------------------------------------------------------------------ kept columns
    def _kept_path(self, digest: bytes) -> Path | None:
        if self.keep is None:
            return None
        return self.keep / f"{self.path.stem}-{digest.hex()[:40]}-{_code_fingerprint()}.cols"

    def _from_kept(self, *, copy: bool) -> tuple[bytes, pd.DataFrame] | None:
        """The ledger from its kept columns when the file's bytes are the ones they were
        validated from (named by their SHA-256) and could not be a torn append; else None."""
        if self.keep is None:
            return None
        try:
            hasher = file_hash(self.path)
            size = self.path.stat().st_size
        except FileNotFoundError:
            return None
        digest = hasher.digest()
        if self._maybe_torn(size):
            return None  # the full read decides and tells
        path = self._kept_path(digest)
        columns = None if path is None else read_columns(path)
        if columns is None or set(columns) != set(CODING_COLUMNS):
            return None
        frame = _typed(pd.DataFrame(columns, columns=list(CODING_COLUMNS)))
        self.read_notes = empty_notes()
        self._parsed = _Parsed(digest, frame.copy() if copy else frame, hasher, size,
                               appendable=True)
        return digest, frame

    def _maybe_torn(self, size: int) -> bool:
        """Whether a file of ``size`` bytes could be the torn end of the history's last
        append (:func:`tymqual.history.torn_append_at` decides, from the bytes)."""
        last = None if self.history is None else self.history.last_commit()
        return (last is not None and last.appended_at is not None
                and last.ledger_size is not None and last.appended_at < size < last.ledger_size)

    def _keep(self, frame: pd.DataFrame, digest: bytes) -> None:
        """Keep a large validated ledger's columns for the next open (earlier ones go).
        Only a cache: where it cannot be written the ledger is parsed next time instead."""
        path = self._kept_path(digest)
        if path is None or len(frame) < KEEP_ROWS:
            return
        with contextlib.suppress(OSError):
            if not path.exists():
                write_columns(path, {c: frame[c].to_numpy(dtype="int64" if c in _OFFSETS
                                                          else object)
                                     for c in CODING_COLUMNS})
            for old in path.parent.glob(f"{glob.escape(self.path.stem)}-*"):
                if old.stem != path.stem:
                    old.unlink()

    def anchored_to(self, digest: bytes | None) -> str | None:
        """What :meth:`keep_anchored` recorded for the ledger bytes ``digest``, or None (also
        when the file could be a torn append now, which its read must tell)."""
        path = None if digest is None else self._kept_path(digest)
        try:
            if path is None or self._maybe_torn(self.path.stat().st_size):
                return None
            return path.with_suffix(".anchored").read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def keep_anchored(self, digest: bytes | None, key: Callable[[], str]) -> None:
        """Record that every coding of the ledger bytes ``digest`` sat where its stored text
        is in the sources named by ``key()`` (:func:`tymqual.reanchor.texts_key`), so that an
        open with the same ledger and sources need not read the ledger to re-anchor it. Only
        for a ledger read cleanly (nothing repaired, nothing torn) and kept as columns; the
        key is made only then (hashing every text of a large study is not free)."""
        parsed = self._parsed
        path = None if digest is None else self._kept_path(digest)
        if (path is None or parsed is None or parsed.digest != digest or not parsed.appendable
                or not path.exists()):
            return
        with contextlib.suppress(OSError):
            atomic_write_text(path.with_suffix(".anchored"), key())

    def digest(self) -> bytes | None:
        """The SHA-256 of the ledger file's bytes now (None: no file), without parsing it."""
        try:
            return file_hash(self.path).digest()  # type: ignore[no-any-return]
        except FileNotFoundError:
            return None

    def _torn_message(self, data: bytes, at: int, kept: int) -> str:
        line = data.count(b"\n", 0, at) + 1
        return (f"{self.path}: line {line} onwards is the torn end of a save that was cut "
                f"short (the program was stopped while appending codings), so those rows were "
                f"never saved and are left out, the {kept} coding(s) saved before them are "
                "intact, and the next change cuts the torn end off.")

    def _cut_torn(self, at: int) -> None:
        """Cut the torn end of an interrupted append off the file (under the lock)."""
        try:
            with open(self.path, "r+b") as fh:
                fh.truncate(at)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise write_failure(exc, self.path, "its torn end is still there and left out "
                                "when it is read") from exc

    def _recorded(self) -> pd.DataFrame | None:
        """The codings as the history last recorded them, or None without a history."""
        if self.history is None or not self.history.exists():
            return None
        state = self.history.state()
        return frame_of_state(state) if state else None

    # ------------------------------------------------------------------ pending moves
    def set_pending(self, moves: pd.DataFrame | None) -> None:
        """Hold re-anchored spans in memory: ``coding_id, source_id, start, end`` (the new
        place) and ``old_source_id, old_start, old_end`` (where the ledger has it). Reads
        show the new place; the next change saves it, unless ``save_pending`` is false."""
        if moves is None or moves.empty:
            self._pending = None
            return
        self._pending = moves.loc[:, list(_MOVE_COLUMNS)].reset_index(drop=True)

    @property
    def pending(self) -> pd.DataFrame:
        """The re-anchored spans not yet saved (see :meth:`set_pending`)."""
        if self._pending is None:
            return pd.DataFrame(columns=list(_MOVE_COLUMNS))
        return self._pending.copy()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        if getattr(self._local, "busy", False):
            raise CodingError(
                f"{self.path}: a change was started inside Ledger.transaction(); change the "
                "transaction's frame instead, or it would overwrite this change."
            )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock.acquire(timeout=self.timeout, poll_interval=_LOCK_POLL)
        except filelock.Timeout as exc:
            raise CodingError(
                f"{self.path} could not be changed: another process holds its lock "
                f"{self.lock_path} (another notebook kernel or tymqual command is saving "
                f"codings) and did not let go within {self.timeout:g} s. Let it finish and "
                "try again; nothing was changed."
            ) from exc
        except OSError as exc:  # the lock file cannot be made: the folder is not writable
            kept = f"the previous {self.path.name} is unchanged" if self.path.exists() else (
                "nothing was written")
            raise write_failure(exc, self.path, kept) from exc
        self._local.busy = True
        try:
            self._remove_stale_temporaries()
            yield
        finally:
            self._local.busy = False
            self._lock.release()

    def _remove_stale_temporaries(self) -> None:
        # Only a writer holding the lock makes these, so one found now is from a writer that
        # died mid-save; the ledger itself is still the last good version.
        pattern = f".{glob.escape(self.path.name)}.*.tmp"
        for leftover in self.path.parent.glob(pattern):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()

    @contextlib.contextmanager
    def transaction(self, *, action: str = "edit", who: str | None = None,
                    note: str = "") -> Iterator[LedgerEdit]:
        """Hold the lock, yield the current ledger, write the edited frame atomically.

        Nothing is written if the block raises or the frame fails validation; every other
        change made to the file meanwhile waits for the lock, so none is lost. The change is
        recorded in the history as ``action`` by ``who`` (see :mod:`tymqual.history`).

        >>> with ledger.transaction(action="cleanup") as edit:      # doctest: +SKIP
        ...     edit.frame = edit.frame[edit.frame["coder"] != "test"]
        """
        with self._locked():
            digest, before = self._begin()
            edit = LedgerEdit(before.copy())
            yield edit
            after = _conform(edit.frame, f"{self.path}: the new ledger")
            if after.equals(before):
                return
            added = appended(before, after)
            if added is not None:
                self._save_added(before, added, digest, action=action, who=who, note=note)
            else:
                self._write(before, after, digest, action=action, who=who, note=note)

    def _begin(self, *, copy: bool = True) -> tuple[bytes | None, pd.DataFrame]:
        """Under the lock: the ledger on disk (a torn append cut off), its history brought
        up to date, and the pending re-anchored spans saved as a change of their own."""
        digest, before = self._read_disk(copy=copy)
        if self._parsed is not None and self._parsed.torn is not None:
            self._cut_torn(self._parsed.torn)
            digest, before = self._read_disk(copy=copy)
        if self.history is not None:
            self._reconcile(digest, before)
        if self._pending is not None and self.save_pending:
            moved = _with_moves(before, self._pending)
            self._pending = None
            if not moved.equals(before):
                digest = self._write(before, moved, digest, action="reanchor", who="tymqual",
                                     note="passages followed edited source text")
                before = moved
        return digest, before

    def _reconcile(self, digest: bytes | None, current: pd.DataFrame) -> None:
        """Make the history end at the ledger on disk: a baseline for a ledger with no
        history, a void commit for a change whose ledger write never happened, an outside
        edit for changes made by Excel, an editor or git."""
        assert self.history is not None
        history = self.history
        last = history.last_commit()
        hexdigest = digest.hex() if digest is not None else None
        if last is None:
            if current.empty:
                return
            rows = diff_rows(empty_codings(), current, CODING_COLUMNS)
            self._record(rows, action=START, who="tymqual", before=None, after=hexdigest,
                         note="the codings as the history found them")
            return
        if last.ledger_after == hexdigest:
            return
        if last.ledger_before == hexdigest and last.action != VOID:
            history.append([], {"change": last.change + 1, "time": history_now(),
                                "who": "tymqual", "action": VOID, "voids": last.change,
                                "note": "the ledger write of this change never happened",
                                "rows": 0, "ledger_before": hexdigest,
                                "ledger_after": hexdigest})
            return
        known = frame_of_state(history.state())
        rows = diff_rows(known, current, CODING_COLUMNS)
        n = len({r["coding_id"] for r in rows})
        note = (f"{self.path.name} was changed outside tymqual (Excel, an editor or git): "
                f"{n} coding(s) differ from the last recorded change" if rows else
                f"{self.path.name} was saved again outside tymqual (Excel, an editor or git) "
                "with no coding changed")
        self._record(rows, action=OUTSIDE, who="outside tymqual", before=last.ledger_after,
                     after=hexdigest, note=note)
        if rows:
            warnings.warn(f"{self.path}: {note}; recorded in {history.path.name}, so "
                          "p.undo() can take it back.", TymqualWarning, stacklevel=5)

    def _record(self, rows: list[dict[str, Any]], *, action: str, who: str | None,
                before: str | None, after: str | None, note: str = "",
                undoes: int | None = None, redoes: int | None = None,
                added: pd.DataFrame | None = None,
                appended: tuple[int, int] | None = None) -> int:
        assert self.history is not None
        if added is not None and len(added) <= _FEW:  # pandas' writer costs more for a few
            rows = rows + added_rows(added, CODING_COLUMNS)
            added = None
        change = self.history.next_change()
        count = len(rows) + (0 if added is None else len(added))
        commit = {"change": change, "time": history_now(),
                  "who": who if who is not None else (self.who or current_user()),
                  "action": action, "note": note, "rows": count,
                  "ledger_before": before, "ledger_after": after}
        if undoes is not None:
            commit["undoes"] = undoes
        if redoes is not None:
            commit["redoes"] = redoes
        if appended is not None:  # the ledger's sizes before and after an append
            commit["appended_at"], commit["ledger_size"] = appended
        # Machine proposals come in batches of up to hundreds of thousands; their context
        # would cost more than the rest of the history, and a suggestion whose passage is
        # ambiguous after an edit is listed, not guessed, without it.
        if self.texts is not None and action not in _NO_CONTEXT:
            texts = self.texts()
            add_context(rows, texts)
            if added is not None:
                added = with_context(added, texts)
        return self.history.append([{**r, "change": change} for r in rows], commit, added)

    def _write(self, before: pd.DataFrame, after: pd.DataFrame, digest: bytes | None, *,
               action: str, who: str | None, note: str,
               rows: list[dict[str, Any]] | None = None, undoes: int | None = None,
               redoes: int | None = None) -> bytes:
        """Write ``after`` atomically, its history first; returns the new file's digest."""
        history = self.history
        written: dict[str, Any] = {}

        def record(tmp: Path) -> None:
            hasher = file_hash(tmp)
            new_digest = hasher.digest()
            written.update(digest=new_digest, hasher=hasher, bytes=tmp.stat().st_size)
            if history is None:
                return
            added = appended(before, after) if rows is None else None
            changes = (rows if rows is not None else [] if added is not None
                       else changed_rows(before, after, CODING_COLUMNS))
            written["size"] = self._record(
                changes, action=action, who=who, note=note, undoes=undoes, redoes=redoes,
                before=digest.hex() if digest is not None else None, after=new_digest.hex(),
                added=added)

        try:
            # A failed write raises a StorageError naming the file and saying it is unchanged.
            write_safe_csv(after, self.path, before_replace=record)
        except BaseException:
            self._take_back(written)
            raise
        new_digest: bytes = written["digest"]
        self._parsed = _Parsed(new_digest, after.copy(), written["hasher"], written["bytes"],
                               appendable=True)
        self._keep(after, new_digest)  # costs less than the rewrite itself
        return new_digest

    def _save_added(self, before: pd.DataFrame, new: pd.DataFrame, digest: bytes | None, *,
                    action: str, who: str | None, note: str) -> None:
        """Save a change that only adds ``new`` after ``before``: its lines appended to the
        file, when the file is exactly as tymqual writes it and unchanged since read, else by
        the atomic rewrite. The digest is carried forward over the appended bytes; the
        history's commit (written first, as for a rewrite) notes where the append began."""
        parsed = self._parsed
        if (self.history is None or digest is None or parsed is None
                or parsed.digest != digest or not parsed.appendable):
            self._write(before, _concat(before, new), digest, action=action, who=who,
                        note=note)
            return
        hasher = parsed.hasher.copy()
        written: dict[str, Any] = {}
        # The new lines are spooled to an unnamed file beside the ledger, so a batch of
        # hundreds of thousands is never one bytes object while its history is written.
        with _spooled(self.path) as spool:
            for chunk in safe_csv_chunks(new):
                hasher.update(chunk)
                spool.write(chunk)
            length = spool.tell()
            spool.seek(0)
            new_digest = hasher.digest()

            def record() -> None:
                written["size"] = self._record(
                    [], action=action, who=who, note=note, before=digest.hex(),
                    after=new_digest.hex(), added=new,
                    appended=(parsed.size, parsed.size + length))

            try:
                done = append_synced(self.path, spool, size=parsed.size, before_append=record)
            except BaseException:
                self._take_back(written)
                raise
        if not done:
            raise CodingError(f"{self.path} was changed by another program while codings "
                              "were being added to it; nothing was added. Try again.")
        self._parsed = _Parsed(new_digest, _concat(before, new), hasher,
                               parsed.size + length, appendable=True)
        if len(new) >= KEEP_ROWS:  # a machine batch: the next open need not parse it all
            self._keep(self._parsed.frame, new_digest)

    def _take_back(self, written: Mapping[str, Any]) -> None:
        if self.history is not None and "size" in written:
            self.history.truncate(int(written["size"]))

    # ------------------------------------------------------------------ undo and redo
    def undo(self, *, who: str | None = None) -> Commit:
        """Take back the last change not yet undone; returns that change (its commit).

        Raises :class:`CodingError` when there is nothing to undo or the ledger no longer
        shows what that change did."""
        return self._step(back=True, who=who)

    def redo(self, *, who: str | None = None) -> Commit:
        """Make again the change the last :meth:`undo` took back; returns it."""
        return self._step(back=False, who=who)

    def _step(self, *, back: bool, who: str | None) -> Commit:
        history = self.require_history("undo" if back else "redo")
        with self._locked():
            digest, before = self._begin()
            live = history.live()  # read once: a history of large batches is long
            done, undone = stacks_of(live)
            stack = done if back else undone
            if not stack:
                raise CodingError(
                    f"{history.path}: nothing to {'undo' if back else 'redo'}"
                    + ("" if back else " (redo follows an undo, before any other change)")
                    + "; see p.history().")
            target = next(c for c in live if c.change == stack[-1])
            current: dict[str, dict[str, Any]] = {
                str(r["coding_id"]): {str(k): v for k, v in r.items()}
                for r in before.to_dict("records")}
            if back:
                ensure_undoable(target, current)
                rows = inverse_rows(target.rows)
            else:
                ensure_undoable(
                    Commit(target.change, "", "", target.action, "", None, None,
                           rows=inverse_rows(target.rows)), current)
                rows = [dict(r) for r in target.rows]
            after = _apply_rows(before, rows)
            self._write(before, after, digest, action=UNDO if back else REDO, who=who,
                        note=describe(target), rows=rows,
                        undoes=target.change if back else None,
                        redoes=None if back else target.change)
            return target

    def restore(self, at: int | str | datetime, *, who: str | None = None) -> int:
        """Set the ledger to what it was after change ``at`` (a change number, or a time:
        the last change at or before it); recorded as one change, which :meth:`undo` takes
        back. Returns the number of codings that changed."""
        history = self.require_history("restore")
        with self._locked():
            digest, before = self._begin()
            change = _change_at(history, at)
            target = frame_of_state(history.state(upto=change))
            rows = diff_rows(before, target, CODING_COLUMNS)
            if rows:
                self._write(before, target, digest, action=RESTORE, who=who,
                            note=f"the codings as they were after change {change}", rows=rows)
            return len({r["coding_id"] for r in rows})

    def require_history(self, what: str) -> History:
        """The ledger's history, or a :class:`CodingError` saying there is none to ``what``."""
        if self.history is None:
            raise CodingError(f"{self.path}: this ledger keeps no history (history=False), so "
                              f"there is nothing to {what}.")
        return self.history

    def add(self, rows: Rows, *, action: str = "code", who: str | None = None,
            note: str = "", coder_required: bool = False) -> list[str]:
        """Append codings; returns their ids in the order given.

        Each row needs ``source_id``, ``start``, ``end`` and ``code``; ``coding_id`` and
        ``created`` are filled in, ``status`` defaults to ``accepted``, other text to ``""``.
        ``rows`` may also be a DataFrame with those columns. With ``coder_required`` (a
        person coding, as :meth:`Project.code` and the widget do) a row whose ``coder`` is
        empty is refused, naming the argument, and nothing is added.
        """
        rows = rows.reset_index(drop=True) if isinstance(rows, pd.DataFrame) else list(rows)
        if not len(rows):
            return []
        with self._locked():
            # Only rows are added: validated on their own (the ledger was validated when
            # read), never a second copy of the whole ledger.
            digest, before = self._begin(copy=False)
            new = _new_rows(rows, taken=before["coding_id"])
            if coder_required:
                _refuse_blank_coder(new)
            self._save_added(before, new, digest, action=action, who=who, note=note)
        return list(new["coding_id"])

    def add_missing(self, rows: Rows, *, action: str = "suggest", who: str | None = None,
                    note: str = "") -> list[str | None]:
        """Append only the codings whose source, span and code are not in the ledger yet.

        For machine proposals (autocoding, learned suggestions): a row that matches an
        existing coding in any status, a rejected one included, is skipped, so re-running
        never duplicates a suggestion nor brings back one the analyst rejected. The check
        and the append happen under one lock. Returns, per row given, its new id or None.
        ``rows`` may be a DataFrame, as for :meth:`add`.
        """
        rows = rows.reset_index(drop=True) if isinstance(rows, pd.DataFrame) else list(rows)
        if not len(rows):
            return []
        completed = _completed(rows, _now())
        with self._locked():
            digest, before = self._begin(copy=False)
            kept = _not_held(before, completed)
            if not kept:
                return [None] * len(rows)
            new = _frame_of(completed.iloc[kept], taken=before["coding_id"])
            del completed  # its strings live on in ``new``; its arrays are not needed
            self._save_added(before, new, digest, action=action, who=who, note=note)
        ids: list[str | None] = [None] * len(rows)
        for i, coding_id in zip(kept, new["coding_id"].tolist(), strict=True):
            ids[i] = str(coding_id)
        return ids

    def _unknown(self, frame: pd.DataFrame, ids: list[str], action: str) -> None:
        known = set(frame["coding_id"])
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise CodingError(f"{self.path} has no coding(s) {', '.join(map(repr, unknown))}; "
                              f"nothing was {action}.")

    def remove(self, coding_ids: Iterable[str], *, action: str = "uncode",
               who: str | None = None, note: str = "") -> int:
        """Remove codings by id; returns how many. An unknown id removes nothing and raises.

        The history keeps each removed coding whole (a tombstone): undo puts it back."""
        ids = _id_list(coding_ids)
        if not ids:
            return 0
        with self.transaction(action=action, who=who, note=note) as edit:
            self._unknown(edit.frame, ids, "removed")
            edit.frame = edit.frame[~edit.frame["coding_id"].isin(ids)]
        return len(ids)

    def update(self, coding_ids: Iterable[str], *, action: str = "edit",
               who: str | None = None, note: str = "", **changes: Any) -> int:
        """Set columns of the given codings, e.g. ``status="rejected"`` or ``memo=...``.

        Returns how many codings changed. ``coding_id`` cannot be changed; an unknown id or
        column, or a value the ledger cannot hold, changes nothing and raises.
        """
        if "coding_id" in changes:
            raise CodingError("Ledger.update(): coding_id cannot be changed; remove the coding "
                              "and add it again instead.")
        unknown = [c for c in changes if c not in CODING_COLUMNS]
        if unknown or not changes:
            raise CodingError(
                f"Ledger.update(): {', '.join(map(repr, unknown)) or 'no column'} given; change "
                f"one or more of {', '.join(CODING_COLUMNS[1:])}."
            )
        problems = [why for col, value in changes.items() if (why := _check_value(col, value))]
        if problems:
            raise _refuse("Ledger.update()", problems, "Nothing was changed.")
        ids = _id_list(coding_ids)
        with self.transaction(action=action, who=who, note=note) as edit:
            frame = edit.frame
            self._unknown(frame, ids, "changed")
            hit = frame["coding_id"].isin(ids)
            old = frame.loc[hit, list(changes)].copy()
            for col, value in changes.items():
                frame.loc[hit, col] = value
            return int((frame.loc[hit, list(changes)] != old).any(axis=1).sum())

    def recode(self, mapping: Mapping[str, str], *, action: str = "recode",
               who: str | None = None, note: str = "") -> int:
        """Replace code keys (``{old: new}``, all at once, not chained); returns rows changed."""
        bad = [f"{k!r} -> {v!r}" for k, v in mapping.items()
               if not (isinstance(k, str) and isinstance(v, str) and k.strip() and v.strip())]
        if bad:
            raise CodingError(f"Ledger.recode(): every key and new key must be non-empty text; "
                              f"got {', '.join(bad)}. Nothing was changed.")
        if not mapping:
            return 0
        with self.transaction(action=action, who=who, note=note) as edit:
            old = edit.frame["code"]
            new = old.map(lambda key: mapping.get(key, key))
            edit.frame["code"] = new
            return int((new != old).sum())

    def replace_spans(self, moves: pd.DataFrame, *, action: str = "reanchor",
                      who: str | None = None, note: str = "") -> int:
        """Set ``start``/``end`` from ``moves`` (``coding_id, start, end``), as re-anchoring found.

        An optional ``source_id`` column moves codings to another source as well (a renamed
        transcript, :func:`reanchor`'s ``new_source_id``). Returns how many codings changed.
        Ids no longer in the ledger (removed by another process since ``moves`` was computed)
        are skipped: there is nothing left to move.
        """
        moves = _checked_moves(moves)
        if moves.empty:
            return 0
        columns = list(moves.columns)  # start, end, and source_id when given
        with self.transaction(action=action, who=who, note=note) as edit:
            frame = edit.frame
            hit = frame["coding_id"].isin(moves.index)
            ids = frame.loc[hit, "coding_id"]
            old = frame.loc[hit, columns].copy()
            for col in columns:
                values = ids.map(moves[col])
                frame.loc[hit, col] = (values.to_numpy(dtype="int64") if col in _OFFSETS
                                       else values.astype(str).to_numpy())
            return int((frame.loc[hit, columns] != old).any(axis=1).sum())


_MOVE_COLUMNS = ("coding_id", "source_id", "start", "end", "old_source_id", "old_start",
                 "old_end")


def _with_moves(frame: pd.DataFrame, moves: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the re-anchored spans of ``moves`` applied where the ledger still has
    the coding where re-anchoring found it (another process may have moved it since)."""
    index = pd.Index(frame["coding_id"])
    at = index.get_indexer(moves["coding_id"])
    found = at >= 0
    if not found.any():
        return frame
    moves = moves.loc[found]
    at = at[found]
    same = ((frame["source_id"].to_numpy()[at] == moves["old_source_id"].to_numpy())
            & (frame["start"].to_numpy()[at] == moves["old_start"].to_numpy())
            & (frame["end"].to_numpy()[at] == moves["old_end"].to_numpy()))
    if not same.any():
        return frame
    frame = frame.copy()
    rows = at[same]
    for col in ("source_id", "start", "end"):
        values = frame[col].to_numpy().copy()
        values[rows] = moves[col].to_numpy()[same]
        frame[col] = pd.Series(values, index=frame.index).astype(frame[col].dtype)
    return frame


def frame_of_state(state: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """A ledger frame from ``{coding_id: row}`` as :meth:`History.state` gives it."""
    if not state:
        return empty_codings()
    columns = {c: [row.get(c, _DEFAULTS.get(c, "")) for row in state.values()]
               for c in CODING_COLUMNS}
    columns["coding_id"] = list(state)
    frame = pd.DataFrame(columns, columns=list(CODING_COLUMNS))
    return _typed(frame.astype({c: "int64" for c in _OFFSETS}))


def _apply_rows(frame: pd.DataFrame, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """``frame`` with history row lines applied: removals, cell changes, then additions put
    back at their old position (``at``) where they carry one."""
    removed = {str(r["coding_id"]) for r in rows if r["op"] == "remove"}
    if removed:
        frame = frame[~frame["coding_id"].isin(removed)].reset_index(drop=True)
    else:
        frame = frame.copy()
    index = pd.Index(frame["coding_id"])
    for r in rows:
        if r["op"] != "set":
            continue
        i = int(index.get_indexer([str(r["coding_id"])])[0])
        if i >= 0:
            frame.at[frame.index[i], str(r["column"])] = r.get("after")
    added = [r for r in rows if r["op"] == "add"]
    if not added:
        return _typed(frame)
    new = frame_of_state({str(r["coding_id"]): r for r in added})
    n, k = len(frame), len(new)
    slots = np.full(n + k, -1, dtype=np.int64)
    last: list[int] = []
    # Removed rows go back to the positions they had, in increasing order, which restores
    # the old order exactly; rows without a position (or a clashing one) go to the end.
    positioned = [(int(r["at"]), j) for j, r in enumerate(added) if isinstance(r.get("at"), int)]
    for at, j in sorted(positioned):
        if at < n + k and slots[at] < 0:
            slots[at] = n + j
        else:
            last.append(n + j)
    last += [n + j for j, r in enumerate(added) if not isinstance(r.get("at"), int)]
    slots[slots < 0] = list(range(n)) + last
    combined = pd.concat([frame, new], ignore_index=True) if n else new
    return _typed(combined.iloc[slots])


def _change_at(history: History, at: int | str | datetime) -> int:
    """The change number ``at`` names: a number, or the last change at or before a time."""
    live = history.live()
    if isinstance(at, bool):
        raise CodingError(f"restore(at={at!r}): give a change number or a time.")
    if isinstance(at, int | np.integer):
        if not any(c.change == int(at) for c in live):
            numbers = [c.change for c in live]
            span = f"{numbers[0]}–{numbers[-1]}" if numbers else "none yet"
            raise CodingError(f"restore(at={at}): {history.path} has no change {at} (changes: "
                              f"{span}; see p.history()). Nothing was changed.")
        return int(at)
    try:
        moment = pd.Timestamp(at)
    except (ValueError, TypeError) as exc:
        raise CodingError(f"restore(at={at!r}): not a change number or a time such as "
                          "'2026-12-07T09:20:00Z'. Nothing was changed.") from exc
    if moment.tzinfo is None:
        moment = moment.tz_localize("UTC")
    earlier = [c.change for c in live if pd.Timestamp(c.time) <= moment]
    if not earlier:
        raise CodingError(f"restore(at={at!r}): the history in {history.path} starts later "
                          "than that. Nothing was changed.")
    return earlier[-1]


def _checked_moves(moves: pd.DataFrame) -> pd.DataFrame:
    """``moves`` indexed by coding_id with int64 start/end (and ``source_id`` when given), or a
    CodingError saying why not."""
    where = "Ledger.replace_spans()"
    if not isinstance(moves, pd.DataFrame):
        raise CodingError(f"{where}: expected a DataFrame, got {type(moves).__name__}.")
    missing = [c for c in ("coding_id", *_OFFSETS) if c not in moves.columns]
    if missing:
        raise CodingError(f"{where}: column(s) {', '.join(map(repr, missing))} missing; give "
                          "coding_id, start and end. Nothing was changed.")
    problems = []
    for col in _OFFSETS:
        if not pd.api.types.is_integer_dtype(moves[col].dtype) or moves[col].isna().any():
            problems.append(f"column {col!r} must hold whole numbers, got {moves[col].dtype}")
    sources = "source_id" in moves.columns
    if sources:
        bad_ids = moves["source_id"].map(lambda v: not (isinstance(v, str) and v.strip()))
        problems += [f"{cid!r}: source_id {sid!r} is not a source id" for cid, sid in
                     moves.loc[bad_ids.astype(bool), ["coding_id", "source_id"]].itertuples(
                         index=False)]
    if problems:
        raise _refuse(where, problems, "Nothing was changed.")
    keep = ["coding_id", *_OFFSETS, *(["source_id"] if sources else [])]
    moves = moves.loc[:, keep].astype({c: "int64" for c in _OFFSETS})
    bad = moves[(moves["start"] < 0) | (moves["start"] >= moves["end"])]
    dupes = moves["coding_id"][moves["coding_id"].duplicated()].unique()
    problems = [f"{cid!r}: the span {s}–{e} is not a passage" for cid, s, e in
                bad[["coding_id", *_OFFSETS]].itertuples(index=False)]
    problems += [f"{cid!r} is given more than once" for cid in dupes]
    if problems:
        raise _refuse(where, problems, "Nothing was changed.")
    return moves.set_index("coding_id")



__all__ = [
    "CODING_COLUMNS",
    "KEEP_ROWS",
    "DEFAULT_CODERS",
    "CONTEXT_COLUMNS",
    "frame_of_state",
    "REANCHOR_COLUMNS",
    "STATUSES",
    "Ledger",
    "LedgerEdit",
    "empty_codings",
    "new_coding_id",
    "reanchor",
]
