"""The ledger's history: every change to the codings, appended and never rewritten.

A thesis author's codings are months of work that a supervisor, a second coder and Excel all
touch. The history records each change to ``codes/codings.csv`` (who, when, what, the values
before and after) in ``codes/codings.history.jsonl`` beside it, so that a change can be undone
or redone, the ledger restored as it was at any earlier moment, and a merge can tell a coding
removed here after a copy was made from one the copy added.

The file is JSON Lines (UTF-8, one object per line, so git diffs it line by line and
``pandas.read_json(path, lines=True)`` reads it). A change is written as its row lines
followed by one ``commit`` line::

    {"change": 7, "op": "add", "coding_id": "c1…", "source_id": "H1", "start": 10, …,
     "left": "…", "right": "…", "source_chars": 5210}
    {"change": 7, "op": "set", "coding_id": "c2…", "column": "memo", "before": "", "after": "…"}
    {"change": 7, "op": "remove", "coding_id": "c3…", "at": 4, "source_id": "H2", …}
    {"change": 7, "op": "commit", "time": "2026-12-07T09:20:08Z", "who": "A",
     "action": "code", "note": "", "rows": 3, "ledger_before": "…", "ledger_after": "…"}

``add`` and ``remove`` lines carry the whole coding (a removal is a *tombstone*; a large
batch of additions states the values all its rows share once, in its commit line's
``shared``); ``set`` lines one changed cell. ``left``/``right`` are the text just around an
added passage and ``source_chars`` its source's length then, for re-anchoring after a
transcript edit. The
``ledger_before``/``ledger_after`` SHA-256 digests chain the changes to the ledger's bytes:

- A change is appended, its commit line last, *before* the new ledger replaces the old one. A
  kill between the two leaves a commit whose ``ledger_before`` is still the ledger's digest;
  the next change then appends a ``void`` commit for it, and replays skip it.
- A kill mid-append leaves row lines without their commit, or a torn last line; readers skip
  both (and say so), and the next append starts on a fresh line.
- A change that only adds codings appends their lines to the ledger instead of rewriting it;
  its commit says where (``appended_at`` and ``ledger_size``, the ledger's sizes before and
  after) and its ``ledger_after``
  is the digest carried forward over the appended bytes. A kill mid-append leaves the old
  ledger and part of the new lines: its first ``appended_at`` bytes still give
  ``ledger_before``, so the reader leaves the torn end out (and says so), and the next change
  cuts it off and voids the change.
- A ledger whose digest matches no commit was changed outside tymqual (Excel, an editor, git):
  the next change first records the difference as an ``outside_edit`` change.

The first change to a ledger that has codings but no history records them all as one
``start`` change (the baseline), so the history can always be replayed from empty.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tymqual.errors import CodingError, StorageError, TymqualWarning
from tymqual.storage import write_failure

ROW_OPS = ("add", "remove", "set")
START, OUTSIDE, VOID, UNDO, REDO, RESTORE, REANCHOR = (
    "start", "outside_edit", "void", "undo", "redo", "restore", "reanchor")
# Changes that undo() never takes back: the baseline is the ledger as the history found it,
# and re-anchoring only follows a transcript edit (taking it back would put passages where the
# text no longer has them; the next opening would only find them again).
_NOT_UNDOABLE = (START, VOID, REANCHOR)
CONTEXT_CHARS = 60

HISTORY_COLUMNS: tuple[str, ...] = (
    "change", "time", "who", "action", "note", "op", "coding_id", "source_id", "code",
    "column", "before", "after", "undone",
)
CHANGE_COLUMNS: tuple[str, ...] = (
    "change", "time", "who", "action", "note", "rows", "undone", "undoes", "redoes",
)


def now() -> str:
    """The time as the ledger and the history write it: ISO 8601 UTC, whole seconds."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Commit:
    """One committed change as its ``commit`` line gives it, with its row lines."""

    change: int
    time: str
    who: str
    action: str
    note: str
    ledger_before: str | None
    ledger_after: str | None
    undoes: int | None = None
    redoes: int | None = None
    voids: int | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)
    n_rows: int | None = None  # as the commit line says; rows may not have been read
    appended_at: int | None = None  # the ledger's size before, when the change appended to it
    ledger_size: int | None = None  # and after


@dataclass
class _Log:
    commits: list[Commit]
    damaged: list[int]  # 1-based line numbers that could not be read
    orphan_rows: int    # row lines of a change whose commit never came (a torn append)


def _to_json(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    return value


def _dumps(record: Mapping[str, Any]) -> str:
    return json.dumps({k: _to_json(v) for k, v in record.items()}, ensure_ascii=False,
                      separators=(",", ":"))


class History:
    """The append-only history file of one ledger (see the module docstring)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._warned: tuple[int, int] | None = None

    def __repr__(self) -> str:
        return f"History({str(self.path)!r})"

    def exists(self) -> bool:
        return self.path.exists()

    # ------------------------------------------------------------------ reading
    def _read(self) -> _Log:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return _Log([], [], 0)
        commits: list[Commit] = []
        # Row lines belong to the commit line right after them; rows left before another
        # commit (or at the end) are from an append that a kill cut short.
        block: list[dict[str, Any]] = []
        orphans = 0
        damaged: list[int] = []
        for number, line in enumerate(data.split(b"\n"), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                change = int(record["change"])
                op = record["op"]
            except (ValueError, KeyError, TypeError):
                damaged.append(number)
                orphans += len(block)
                block = []
                continue
            if op == "commit":
                rows = [r for r in block if r["change"] == change]
                orphans += len(block) - len(rows)
                block = []
                shared = record.get("shared")
                if isinstance(shared, dict):  # values every added row of a batch has
                    rows = [{**shared, **r} if r["op"] == "add" else r for r in rows]
                commits.append(_commit_from(record, rows))
            elif op in ROW_OPS:
                if block and block[-1]["change"] != change:
                    orphans += len(block)
                    block = []
                block.append(record)
            else:
                damaged.append(number)
        orphans += len(block)
        self._warn_damage(damaged, orphans)
        return _Log(commits, damaged, orphans)

    def _warn_damage(self, damaged: list[int], orphans: int) -> None:
        if not damaged and not orphans:
            return
        if self._warned == (len(damaged), orphans):
            return
        self._warned = (len(damaged), orphans)
        parts = []
        if damaged:
            lines = ", ".join(map(str, damaged[:5])) + (" …" if len(damaged) > 5 else "")
            parts.append(f"{len(damaged)} line(s) that are not history records (line {lines})")
        if orphans:
            parts.append(f"{orphans} row line(s) of a change that was interrupted before its "
                         "commit line (a kill mid-save; the ledger did not take that change)")
        warnings.warn(f"{self.path}: skipped {' and '.join(parts)}; the rest of the history "
                      "is intact.", TymqualWarning, stacklevel=4)

    def commits(self) -> list[Commit]:
        """Every committed change in order, voided ones included."""
        return self._read().commits

    def damage(self) -> tuple[list[int], int]:
        """Line numbers that could not be read, and row lines left by an interrupted append."""
        log = self._read()
        return log.damaged, log.orphan_rows

    def last_commit(self) -> Commit | None:
        """The last commit line, read from the end of the file without reading it all."""
        return self._tail()[0]

    def _tail(self) -> tuple[Commit | None, int]:
        """The last commit, and the highest change number on any line after it (row lines
        of an interrupted append), read backwards from the end of the file."""
        highest = 0
        try:
            with open(self.path, "rb") as fh:
                fh.seek(0, os.SEEK_END)
                at = fh.tell()
                tail = b""
                while at > 0:
                    step = min(1 << 16, at)
                    at -= step
                    fh.seek(at)
                    lines = (fh.read(step) + tail).split(b"\n")
                    # The first piece may be cut, unless the start of the file was reached.
                    tail = lines[0] if at > 0 else b""
                    for line in reversed(lines[1:] if at > 0 else lines):
                        commit = _commit_of(line)
                        if commit is not None:
                            return commit, highest
                        highest = max(highest, _change_of(line))
        except FileNotFoundError:
            pass
        return None, highest

    def next_change(self) -> int:
        """The number the next change gets: above every number in the file's tail."""
        last, highest = self._tail()
        return max(0 if last is None else last.change, highest) + 1

    def live(self) -> list[Commit]:
        """The commits that took effect (void ones and the changes they void left out)."""
        commits = self.commits()
        voided = {c.voids for c in commits if c.action == VOID}
        return [c for c in commits if c.action != VOID and c.change not in voided]

    def state(self, upto: int | None = None) -> dict[str, dict[str, Any]]:
        """The codings as the history says they were after change ``upto`` (default: last),
        as ``{coding_id: row}`` in ledger order."""
        state: dict[str, dict[str, Any]] = {}
        for commit in self.live():
            if upto is not None and commit.change > upto:
                break
            apply_rows(state, commit.rows)
        return state

    def stacks(self) -> tuple[list[int], list[int]]:
        """The changes that :func:`undo` and :func:`redo` would take, as two stacks."""
        return stacks_of(self.live())

    # ------------------------------------------------------------------ writing
    def append(self, rows: Sequence[Mapping[str, Any]], commit: Mapping[str, Any],
               added: pd.DataFrame | None = None) -> int:
        """Append the row lines and then the commit line of one change; returns the
        file's size before (so that :meth:`truncate` can take the change back).

        ``added`` holds codings the change appended, as ledger columns (and context): a large
        batch, such as autocoding's, is written by pandas' JSON writer instead of a Python
        step per row."""
        shared: dict[str, Any] = {}
        if added is not None and len(added):
            # Columns with one value in the whole batch (coder, status, created, an empty
            # memo) are said once, in the commit line's "shared", not on every row line.
            shared = {c: _plain(added[c].iat[0]) for c in _SHAREABLE
                      if c in added.columns and added[c].nunique(dropna=False) == 1}
            if shared:
                commit = {**commit, "shared": shared}
        head = "".join(_dumps(r) + "\n" for r in rows).encode("utf-8")
        parts = _added_lines(added, shared, int(commit["change"]))
        tail = (_dumps({**commit, "op": "commit"}) + "\n").encode("utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        except OSError as exc:
            raise _storage_error(self.path, exc, "nothing was changed") from exc
        try:
            size = os.fstat(fd).st_size
            if size and not _ends_with_newline(self.path, size):
                head = b"\n" + head  # a torn last line stays a line of its own
            try:
                # No fsync: the ledger's own write is fsynced, and after a power cut a history
                # that lags the ledger only makes the next change record the difference as an
                # outside edit; a torn tail is skipped and reported. A kill needs no fsync.
                # The commit line goes last: rows without it are an interrupted change.
                _write_all(fd, head)
                for part in parts:
                    _write_all(fd, part)
                _write_all(fd, tail)
            except OSError as exc:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, size)
                raise _storage_error(self.path, exc, "nothing was changed") from exc
        finally:
            os.close(fd)
        return size

    def truncate(self, size: int) -> None:
        """Cut the file back to ``size`` bytes: a change whose ledger write then failed."""
        with contextlib.suppress(OSError), open(self.path, "r+b") as fh:
            fh.truncate(size)
            fh.flush()
            os.fsync(fh.fileno())

    # ------------------------------------------------------------------ frames
    def to_frame(self) -> pd.DataFrame:
        """One row per changed coding and cell (see :data:`HISTORY_COLUMNS`)."""
        live = self.live()
        done, _ = stacks_of(live)
        undone_set = _undone(live, done)
        records = []
        for c in live:
            for r in c.rows:
                op = r["op"]
                if op == "set":
                    before, after, column = r.get("before"), r.get("after"), r.get("column")
                else:
                    row = {k: r.get(k) for k in _LEDGER_FIELDS if k in r}
                    before, after = (None, row) if op == "add" else (row, None)
                    column = None
                records.append((c.change, c.time, c.who, c.action, c.note, op,
                                r.get("coding_id"), r.get("source_id"), r.get("code"),
                                column, before, after, c.change in undone_set))
            if not c.rows:
                records.append((c.change, c.time, c.who, c.action, c.note, None, None, None,
                                None, None, None, None, c.change in undone_set))
        frame = pd.DataFrame.from_records(records, columns=list(HISTORY_COLUMNS))
        return frame.astype({"change": "int64", "undone": bool})

    def changes_frame(self) -> pd.DataFrame:
        """One row per change (see :data:`CHANGE_COLUMNS`)."""
        live = self.live()
        done, _ = stacks_of(live)
        undone_set = _undone(live, done)
        records = [(c.change, c.time, c.who, c.action, c.note, len(c.rows),
                    c.change in undone_set, c.undoes, c.redoes) for c in live]
        frame = pd.DataFrame.from_records(records, columns=list(CHANGE_COLUMNS))
        return frame.astype({"change": "int64", "rows": "int64", "undone": bool,
                             "undoes": "Int64", "redoes": "Int64"})


# Columns a batch of added codings may state once for all its rows.
_SHAREABLE = ("code", "coder", "status", "created", "memo", "reduced")
# The ledger's own columns as the history stores them on add and remove lines.
_LEDGER_FIELDS = ("coding_id", "source_id", "start", "end", "code", "coder", "status",
                  "created", "memo", "reduced", "text")


_JSON_CHUNK = 20_000  # added rows turned into JSON at a time: a batch is never one string


def _added_lines(added: pd.DataFrame | None, shared: Mapping[str, Any],
                 change: int) -> Iterator[bytes]:
    """The ``add`` row lines of a batch, ``shared`` columns left out, in encoded chunks."""
    if added is None or not len(added):
        return
    columns = ["change", "op", *[c for c in added.columns if c not in shared]]
    for at in range(0, len(added), _JSON_CHUNK):
        frame = added.iloc[at:at + _JSON_CHUNK].assign(change=change, op="add")[columns]
        text = frame.to_json(orient="records", lines=True, force_ascii=False)
        yield (text if text.endswith("\n") else text + "\n").encode("utf-8")


def _commit_of(line: bytes) -> Commit | None:
    if b'"commit"' not in line:
        return None
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if not isinstance(record, dict) or record.get("op") != "commit":
        return None
    return _commit_from(record, [])


def _commit_from(record: Mapping[str, Any], rows: list[dict[str, Any]]) -> Commit:
    """A commit line's fields, with the row lines that belong to it."""
    return Commit(change=int(record["change"]), time=str(record.get("time", "")),
                  who=str(record.get("who", "")), action=str(record.get("action", "")),
                  note=str(record.get("note", "")), ledger_before=record.get("ledger_before"),
                  ledger_after=record.get("ledger_after"), undoes=record.get("undoes"),
                  redoes=record.get("redoes"), voids=record.get("voids"), rows=rows,
                  n_rows=record.get("rows"), appended_at=_size(record.get("appended_at")),
                  ledger_size=_size(record.get("ledger_size")))


def _size(value: Any) -> int | None:
    """A byte offset from a commit line, or None when it is not one."""
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return value if ok else None


def _change_of(line: bytes) -> int:
    try:
        record = json.loads(line)
        return int(record["change"]) if isinstance(record, dict) else 0
    except (ValueError, KeyError, TypeError):
        return 0


def _ends_with_newline(path: Path, size: int) -> bool:
    with open(path, "rb") as fh:
        fh.seek(size - 1)
        return fh.read(1) == b"\n"


def _write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _storage_error(path: Path, exc: OSError, kept: str) -> StorageError:
    return write_failure(exc, path, kept)


def stacks_of(commits: Iterable[Commit]) -> tuple[list[int], list[int]]:
    """The undo and redo stacks (change numbers, last on top) of the live ``commits``."""
    done: list[int] = []
    undone: list[int] = []
    for c in commits:
        if c.undoes is not None:
            if done and done[-1] == c.undoes:
                done.pop()
            undone.append(c.undoes)
        elif c.redoes is not None:
            if undone and undone[-1] == c.redoes:
                undone.pop()
            done.append(c.redoes)
        elif c.action not in _NOT_UNDOABLE and c.rows:  # a change of no coding: nothing to undo
            done.append(c.change)
            undone.clear()
    return done, undone


def _undone(commits: Sequence[Commit], done: list[int]) -> set[int]:
    """Changes taken back by an undo and not redone since."""
    taken: set[int] = set()
    for c in commits:
        if c.undoes is not None:
            taken.add(c.undoes)
        elif c.redoes is not None:
            taken.discard(c.redoes)
    return taken - set(done)


# ---------------------------------------------------------------------------- row changes
def apply_rows(state: dict[str, dict[str, Any]], rows: Iterable[Mapping[str, Any]]) -> None:
    """Apply one change's row lines to ``state`` (``{coding_id: row}``) in place."""
    for r in rows:
        cid = str(r["coding_id"])
        op = r["op"]
        if op == "add":
            state[cid] = {k: r[k] for k in _LEDGER_FIELDS if k in r}
        elif op == "remove":
            state.pop(cid, None)
        elif op == "set" and cid in state:
            state[cid][str(r["column"])] = r.get("after")


def inverse_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The row lines that take a change back, in the order to apply them."""
    out: list[dict[str, Any]] = []
    for r in reversed(rows):
        op = r["op"]
        if op == "add":
            out.append({**r, "op": "remove"})
        elif op == "remove":
            out.append({**r, "op": "add"})
        else:
            out.append({**r, "before": r.get("after"), "after": r.get("before")})
    return out


def torn_append_at(data: bytes, last: Commit | None) -> int | None:
    """Where the torn end of an interrupted append begins in the ledger ``data``, or None.

    Torn when the history's ``last`` change appended to the ledger (``appended_at``,
    ``ledger_size``), the file is longer than before the append but shorter than after it,
    and its first ``appended_at`` bytes still hash to ``ledger_before``. A file as long as
    the whole append or longer was changed after it by someone else: an outside edit, never
    torn.
    """
    if last is None or last.appended_at is None or last.ledger_size is None:
        return None
    at = last.appended_at
    if not at < len(data) < last.ledger_size:
        return None
    if hashlib.sha256(memoryview(data)[:at]).hexdigest() != last.ledger_before:
        return None
    return at


def appended(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame | None:
    """The rows ``after`` adds at the end of ``before`` when that is all that changed (the
    common case: coding, autocoding, suggesting), else None."""
    n = len(before)
    if len(after) > n and after.iloc[:n].reset_index(drop=True).equals(
            before.reset_index(drop=True)):
        return after.iloc[n:].reset_index(drop=True)
    return None


def with_context(added: pd.DataFrame, texts: Mapping[str, str]) -> pd.DataFrame:
    """``added`` with the text around each passage (``left``, ``right``) and its source's
    length (``source_chars``), as :func:`add_context` gives single rows."""
    found = [_around(texts, sid, start, end) for sid, start, end in zip(
        added["source_id"].tolist(), added["start"].tolist(), added["end"].tolist(),
        strict=True)]
    lefts = [f[0] if f else None for f in found]
    rights = [f[1] if f else None for f in found]
    sizes = [f[2] if f else 0 for f in found]  # 0: the source was not at hand
    return added.assign(left=pd.Series(lefts, index=added.index, dtype=object),
                        right=pd.Series(rights, index=added.index, dtype=object),
                        source_chars=np.array(sizes, dtype=np.int64))


def diff_rows(before: pd.DataFrame, after: pd.DataFrame,
              columns: Sequence[str]) -> list[dict[str, Any]]:
    """The row lines that turn ledger ``before`` into ``after`` (both with ``columns``).

    Codings are matched by ``coding_id``; cells compared column by column, so a large ledger
    with a small change costs a few vectorised comparisons. Removals carry the row's position
    (``at``) so that undoing one puts the coding back where it was.
    """
    tail = appended(before, after)
    if tail is not None:
        return added_rows(tail, columns)  # the common case: codings appended
    return changed_rows(before, after, columns)


def changed_rows(before: pd.DataFrame, after: pd.DataFrame,
                 columns: Sequence[str]) -> list[dict[str, Any]]:
    """:func:`diff_rows` without looking for a plain append first (a caller that has)."""
    rows: list[dict[str, Any]] = []
    b_ids = before["coding_id"]
    a_ids = after["coding_id"]
    in_after = b_ids.isin(a_ids).to_numpy()
    in_before = a_ids.isin(b_ids).to_numpy()
    for at in np.flatnonzero(~in_after).tolist():
        rows.append({"op": "remove", "at": int(at),
                     **{c: _plain(before[c].iat[at]) for c in columns}})
    common_b = before.loc[in_after].set_index("coding_id")
    if len(common_b):
        common_a = after.loc[in_before].set_index("coding_id").reindex(common_b.index)
        for col in columns:
            if col == "coding_id":
                continue
            old, new = common_b[col], common_a[col]
            differ = (old != new).to_numpy()
            for cid in common_b.index[differ].tolist():
                rows.append({"op": "set", "coding_id": cid, "source_id":
                             _plain(common_b.at[cid, "source_id"]), "code":
                             _plain(common_b.at[cid, "code"]), "column": col,
                             "before": _plain(old.at[cid]), "after": _plain(new.at[cid])})
    rows += added_rows(after.loc[~in_before], columns)
    return rows


def added_rows(added: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    """``add`` row lines for the rows of ``added`` (a few; a batch goes to :meth:`History.
    append` as a frame)."""
    values = {c: [_plain(v) for v in added[c].tolist()] for c in columns}
    return [{"op": "add", **{c: values[c][i] for c in columns}} for i in range(len(added))]


def _plain(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if value is pd.NA:
        return None
    return value


def add_context(rows: list[dict[str, Any]], texts: Mapping[str, str]) -> None:
    """Give added rows the text around their passage (at coding time), in place.

    Stored so that re-anchoring after a transcript edit can tell two occurrences of a
    repeated sentence apart by what surrounds them.
    """
    for r in rows:
        if r["op"] == "add":
            _context_into(r, texts, r.get("source_id"), r.get("start"), r.get("end"))


def _context_into(r: dict[str, Any], texts: Mapping[str, str], sid: Any, start: Any,
                  end: Any) -> None:
    found = _around(texts, sid, start, end)
    if found is not None:
        r["left"], r["right"], r["source_chars"] = found


def _around(texts: Mapping[str, str], sid: Any, start: Any, end: Any
            ) -> tuple[str, str, int] | None:
    """The text before and after ``[start, end)`` of source ``sid`` and the source's length,
    or None when the source is not at hand or the span is not in it."""
    text = texts.get(sid) if isinstance(sid, str) else None
    if text is None or not isinstance(start, int) or not isinstance(end, int) or end > len(text):
        return None
    return text[max(0, start - CONTEXT_CHARS):start], text[end:end + CONTEXT_CHARS], len(text)


def context_frame(history: History) -> pd.DataFrame:
    """The last stored context of every coding: ``coding_id, left, right, source_chars``."""
    found: dict[str, tuple[str, str, int]] = {}
    for commit in history.live():
        for r in commit.rows:
            if r["op"] == "add" and r.get("left") is not None and r.get("source_chars"):
                found[str(r["coding_id"])] = (str(r["left"]), str(r.get("right", "")),
                                              int(r.get("source_chars", 0)))
    frame = pd.DataFrame.from_records(
        [(k, *v) for k, v in found.items()],
        columns=["coding_id", "left", "right", "source_chars"])
    return frame.astype({"source_chars": "int64"})


def describe(commit: Commit) -> str:
    """One line for a person: ``change 12 (2026-12-07T09:20:08Z, A): code, 1 coding``."""
    counts: dict[str, int] = {}
    for r in commit.rows:
        counts[r["op"]] = counts.get(r["op"], 0) + 1
    parts = []
    if counts.get("add"):
        parts.append(f"{counts['add']} added")
    if counts.get("remove"):
        parts.append(f"{counts['remove']} removed")
    if counts.get("set"):
        cells = {str(r["coding_id"]) for r in commit.rows if r["op"] == "set"}
        parts.append(f"{len(cells)} changed")
    if not commit.rows and commit.n_rows:  # read from the commit line alone
        parts.append(f"{commit.n_rows} row(s)")
    what = ", ".join(parts) or "no coding changed"
    who = f", {commit.who}" if commit.who else ""
    note = f" — {commit.note}" if commit.note else ""
    return f"change {commit.change} ({commit.time}{who}): {commit.action}, {what}{note}"


def ensure_undoable(commit: Commit, current: Mapping[str, Mapping[str, Any]]) -> None:
    """Refuse to take ``commit`` back if the ledger no longer shows what it did."""
    stale = []
    for r in commit.rows:
        cid = str(r["coding_id"])
        row = current.get(cid)
        if r["op"] == "add":
            ok = row is not None
        elif r["op"] == "remove":
            ok = row is None
        else:
            ok = row is not None and row.get(str(r["column"])) == r.get("after")
        if not ok:
            stale.append(cid)
    if stale:
        shown = ", ".join(sorted(set(stale))[:5])
        raise CodingError(
            f"cannot take back change {commit.change} ({commit.action}): coding(s) {shown} "
            "have changed since in a way the history does not show; see p.history() and use "
            "p.restore(at=...) to go back to a known state. Nothing was changed.")


__all__ = [
    "CHANGE_COLUMNS",
    "HISTORY_COLUMNS",
    "Commit",
    "History",
    "add_context",
    "added_rows",
    "appended",
    "changed_rows",
    "with_context",
    "apply_rows",
    "context_frame",
    "describe",
    "diff_rows",
    "ensure_undoable",
    "inverse_rows",
    "stacks_of",
    "now",
]
