"""Source memos: the analyst's notes on a whole interview or document.

Memos on codings live in the ledger (``memo``), memos on codes in the codebook (``memo``);
a memo on a source (how the interview went, what to ask again) has no row of its own, so
it lives in ``codes/memos.yaml``::

    sources:
      H1: |
        Haastattelu keskeytyi puhelun takia kohdassa 14.

The file is small, written atomically, sorted by source id (so git diffs stay readable)
and read with the same git conflict-marker check as every project file.

A memo is free text an analyst may have spent an afternoon on, and a memo box is easy to
clear by mistake. So every change of a source memo or a code memo is first appended to
``codes/memos.history.jsonl`` (one JSON object per line: ``time, who, kind, target, before,
after``; fsynced before the memo file is written), and :func:`memo_history` reads it back.
``Project.restore_memo`` puts a memo's earlier text back, itself recorded as a change. A line
torn by a killed process is left out with a warning naming the file and line.
"""

from __future__ import annotations

import json
import os
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import pandas as pd
import yaml

from tymqual.errors import ProjectError, TymqualWarning
from tymqual.storage import atomic_write_text, refuse_merge_conflict, write_failure
from tymqual.yamlkeep import text_to_write

__all__ = [
    "MEMO_FILE", "MEMO_HISTORY_COLUMNS", "MEMO_HISTORY_FILE", "damaged_history_lines",
    "memo_history", "read_source_memos", "record_memo_change", "write_source_memo",
]

MEMO_FILE = "memos.yaml"
MEMO_HISTORY_FILE = "memos.history.jsonl"
MEMO_HISTORY_COLUMNS: tuple[str, ...] = ("change", "time", "who", "kind", "target", "before",
                                         "after")
MemoKind = Literal["source", "code"]


def read_source_memos(path: str | os.PathLike[str]) -> dict[str, str]:
    """``{source_id: memo}`` from ``path``; a missing file has no memos."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return {}
    except UnicodeDecodeError as exc:
        raise ProjectError(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start}); save "
                           "it as UTF-8 in your editor; nothing was changed.") from exc
    refuse_merge_conflict(text, str(file), error=ProjectError)
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ProjectError(f"{file}: not valid YAML ({exc}); fix or remove the file.") from exc
    memos = data.get("sources") if isinstance(data, dict) else None
    if data and not (isinstance(memos, dict) and all(isinstance(v, str) for v in memos.values())):
        raise ProjectError(
            f"{file}: expected 'sources:' with one memo text per source id, as in "
            "'sources: {H1: Haastattelu keskeytyi.}'; fix the file."
        )
    return {str(k): v for k, v in (memos or {}).items()}


def write_source_memo(path: str | os.PathLike[str], source_id: str, memo: str, *,
                      who: str = "") -> None:
    """Set the memo of ``source_id`` (``""`` removes it) and write the file atomically; a
    change is first recorded in :data:`MEMO_HISTORY_FILE` beside ``path``, by ``who``."""
    memos = read_source_memos(path)
    memo = memo.strip()
    before = memos.get(source_id, "")
    if memo != before:
        record_memo_change(Path(path).parent, "source", source_id, before, memo, who=who)
    if memo:
        memos[source_id] = memo
    else:
        memos.pop(source_id, None)
    data = {"sources": dict(sorted(memos.items()))}
    text = text_to_write(Path(path), data, lambda: yaml.safe_dump(
        data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=88),
        what="memos")
    atomic_write_text(path, text)


def record_memo_change(codes_dir: str | os.PathLike[str], kind: MemoKind, target: str,
                       before: str, after: str, *, who: str = "") -> None:
    """Append one memo change to ``codes_dir``/:data:`MEMO_HISTORY_FILE` and fsync it.

    Called before the memo file is written, so the earlier text is on disk first. A line
    that is not yet ended (a killed process) gets its end first, so this change stays whole.
    """
    path = Path(codes_dir) / MEMO_HISTORY_FILE
    record = {"time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "who": who,
              "kind": kind, "target": target, "before": before, "after": after}
    line = json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "ab+") as fh:
            if fh.seek(0, os.SEEK_END):
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":
                    line = b"\n" + line
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise write_failure(exc, path, "the memo was not changed") from exc


def memo_history(codes_dir: str | os.PathLike[str]) -> pd.DataFrame:
    """Every recorded memo change, oldest first, numbered from 1 (``change``); columns
    :data:`MEMO_HISTORY_COLUMNS`. A line that is not a whole record is left out with one
    :class:`~tymqual.errors.TymqualWarning` naming the file and its line numbers."""
    path = Path(codes_dir) / MEMO_HISTORY_FILE
    rows, bad = _read_history(path)
    if bad:
        warnings.warn(f"{path}: line {', '.join(map(str, bad))} is not a whole memo change "
                      "(a save cut off, or an edit by hand) and was left out of the memo "
                      "history.", TymqualWarning, stacklevel=2)
    frame = pd.DataFrame(rows, columns=list(MEMO_HISTORY_COLUMNS))
    return frame.astype({"change": "int64"})


def damaged_history_lines(codes_dir: str | os.PathLike[str]) -> list[int]:
    """Line numbers of the memo history that are not whole records (``tymqual check``)."""
    return _read_history(Path(codes_dir) / MEMO_HISTORY_FILE)[1]


def _read_history(path: Path) -> tuple[list[list[object]], list[int]]:
    try:
        lines = path.read_bytes().split(b"\n")
    except FileNotFoundError:
        lines = []
    rows: list[list[object]] = []
    bad: list[int] = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw.decode("utf-8"))
            row = [str(record[c]) for c in MEMO_HISTORY_COLUMNS[1:]]
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
            bad.append(number)
            continue
        rows.append([len(rows) + 1, *row])
    return rows, bad
