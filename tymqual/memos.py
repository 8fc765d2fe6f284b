"""Source memos: the analyst's notes on a whole interview or document.

Memos on codings live in the ledger (``memo``), memos on codes in the codebook (``memo``);
a memo on a source (how the interview went, what to ask again) has no row of its own, so
it lives in ``codes/memos.yaml``::

    sources:
      H1: |
        Haastattelu keskeytyi puhelun takia kohdassa 14.

The file is small, written atomically, sorted by source id (so git diffs stay readable)
and read with the same git conflict-marker check as every project file.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from tymqual.errors import ProjectError
from tymqual.storage import atomic_write_text, refuse_merge_conflict
from tymqual.yamlkeep import text_to_write

__all__ = ["MEMO_FILE", "read_source_memos", "write_source_memo"]

MEMO_FILE = "memos.yaml"


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


def write_source_memo(path: str | os.PathLike[str], source_id: str, memo: str) -> None:
    """Set the memo of ``source_id`` (``""`` removes it) and write the file atomically."""
    memos = read_source_memos(path)
    memo = memo.strip()
    if memo:
        memos[source_id] = memo
    else:
        memos.pop(source_id, None)
    data = {"sources": dict(sorted(memos.items()))}
    text = text_to_write(Path(path), data, lambda: yaml.safe_dump(
        data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=88),
        what="memos")
    atomic_write_text(path, text)
