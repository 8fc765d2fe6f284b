"""The pseudonymisation key file (``codes/private/key.csv``): read, checked, written, resolved.

Used by :mod:`tymqual.keycandidates` (what looks identifying), :mod:`tymqual.privacy` (the
pseudonymised copy) and :mod:`tymqual.leaks` (the leak check), which share one key matcher,
:mod:`tymqual.keymatch`. The matching rules are in :mod:`tymqual.privacy`'s docstring.
"""

from __future__ import annotations

import os
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from tymqual.errors import PrivacyError, TymqualWarning
from tymqual.keymatch import (
    Matcher,
)
from tymqual.project import Project
from tymqual.storage import (
    read_csv_strings,
    write_csv,
)

KEY_FILE = Path("codes") / "private" / "key.csv"
KEY_COLUMNS: tuple[str, ...] = ("original", "label", "kind")
KINDS: tuple[str, ...] = ("person", "place", "organisation", "other")

KIND_ALIASES = {"henkilö": "person", "paikka": "place", "organisaatio": "organisation",
                 "organization": "organisation", "muu": "other"}
MAX_SHOWN = 10
MIN_ORIGINAL = 2


def key_path(project_or_path: Project | str | os.PathLike[str]) -> Path:
    """Where the key lives: ``codes/private/key.csv`` of a project or project folder, or a file."""
    if isinstance(project_or_path, Project):
        return project_or_path.root / KEY_FILE
    path = Path(project_or_path)
    return path / KEY_FILE if path.is_dir() else path


def read_key(project_or_path: Project | str | os.PathLike[str]) -> pd.DataFrame:
    """Read and check the pseudonymisation key (``original, label, kind``; extra columns kept).

    ``kind`` is one of person, place, organisation, other (Finnish henkilö, paikka,
    organisaatio, muu are accepted). Raises :class:`PrivacyError` naming the file, row and
    column of every problem: a missing column, an empty cell, an unknown kind, an original
    listed twice (ignoring case) or a label that itself contains an original.
    """
    path = key_path(project_or_path)
    if not path.is_file():
        raise PrivacyError(
            f"{path}: no key file. Make one with draft_key(suggest_key_candidates(project)), "
            "check it, and save it with write_key(key, project)."
        )
    try:
        raw = read_csv_strings(path, error=PrivacyError)
    except pd.errors.EmptyDataError:
        raw = pd.DataFrame()
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise PrivacyError(f"{path}: cannot be read as CSV ({exc}); save it again as CSV "
                           "UTF-8 from Excel.") from exc
    return _checked_key(raw, str(path), lambda i: f"row {i + 2}")


def write_key(key: pd.DataFrame, project_or_path: Project | str | os.PathLike[str]) -> Path:
    """Check ``key`` and write it atomically as an Excel-friendly CSV; returns the path.

    Warns when the project's ``.gitignore`` does not keep ``codes/private/`` out of git.
    """
    path = key_path(project_or_path)
    table = _checked_key(key, "write_key()", _frame_row(key))
    write_csv(table, path)
    if isinstance(project_or_path, Project) or Path(project_or_path).is_dir():
        root = path.parents[2]
        ignore = root / ".gitignore"
        lines = ignore.read_text(encoding="utf-8").splitlines() if ignore.exists() else []
        if not any(line.strip().rstrip("/") == "codes/private" for line in lines):
            warnings.warn(
                f"{ignore} does not list codes/private/, so git may commit the key {path}; "
                "add the line codes/private/ to it.",
                TymqualWarning,
                stacklevel=2,
            )
    return path


def _frame_row(frame: object) -> Callable[[int], str]:
    index = frame.index if isinstance(frame, pd.DataFrame) else None
    return lambda i: f"row {i + 1} (index {index[i]!r})" if index is not None else f"row {i + 1}"


def _checked_key(frame: object, where: str, row_name: Callable[[int], str]) -> pd.DataFrame:
    """The key with stripped cells and canonical kinds, or a PrivacyError listing problems."""
    if not isinstance(frame, pd.DataFrame):
        raise PrivacyError(f"{where}: the key must be a DataFrame with columns "
                           f"{', '.join(KEY_COLUMNS)}, not {type(frame).__name__}.")
    table = frame.copy()
    table.columns = [str(c).strip() for c in table.columns]
    missing = [c for c in KEY_COLUMNS if c not in table.columns]
    if missing:
        raise _refuse(where, [f"row 1 (the header): column {c!r} is missing" for c in missing],
                      f"The key's columns are {', '.join(KEY_COLUMNS)}.")
    table = table.reset_index(drop=True)
    for col in table.columns:
        table[col] = pd.Series(["" if pd.isna(v) else str(v).strip() for v in table[col]],
                               index=table.index, dtype=str)
    table["kind"] = pd.Series([KIND_ALIASES.get(k.lower(), k.lower()) for k in table["kind"]],
                              index=table.index, dtype=str)
    problems: list[str] = []
    for i, (original, label, kind) in enumerate(
            table[list(KEY_COLUMNS)].itertuples(index=False)):
        if len(original) < MIN_ORIGINAL:
            problems.append(f"{row_name(i)}, column 'original': {original!r} is "
                            + ("empty" if not original else "too short to replace safely"))
        if not label:
            problems.append(f"{row_name(i)}, column 'label': empty; give a label such as "
                            "[Henkilö 1]")
        elif "\n" in label:
            problems.append(f"{row_name(i)}, column 'label': a label must be on one line")
        if kind not in KINDS:
            problems.append(f"{row_name(i)}, column 'kind': {kind!r} is not one of "
                            f"{', '.join(KINDS)}")
    folded = [original.casefold() for original in table["original"]]
    for value, times in Counter(folded).items():
        if value and times > 1:
            rows = " and ".join(row_name(i) for i, f in enumerate(folded) if f == value)
            problems.append(f"column 'original': {value!r} is on {rows}; list each original "
                            "once")
    if not problems:
        problems = _revealing_labels(table, row_name)
    if problems:
        raise _refuse(where, problems,
                      "Correct the key (it opens in Excel) and try again; nothing was changed.")
    return table


def _revealing_labels(table: pd.DataFrame, row_name: Callable[[int], str]) -> list[str]:
    matcher = Matcher(table, None)
    problems = []
    for i, label in enumerate(table["label"]):
        for hit in matcher.find(label):
            problems.append(
                f"{row_name(i)}, column 'label': {label!r} contains "
                f"{label[hit.start:hit.end]!r}, the original on {row_name(hit.entry)}; a label "
                "must not reveal what it replaces")
    return problems


def _refuse(where: str, problems: list[str], remedy: str) -> PrivacyError:
    shown = "; ".join(problems[:MAX_SHOWN])
    if len(problems) > MAX_SHOWN:
        shown += f"; and {len(problems) - MAX_SHOWN} more problem(s)"
    return PrivacyError(f"{where}: {shown}. {remedy}")


def resolve_key(key: object, project: Project | None) -> pd.DataFrame:
    """The checked key from a DataFrame, a key file or a project (its key file)."""
    if key is None:
        if project is None:
            raise PrivacyError("No key given; pass key= a DataFrame, a key file or a project.")
        return read_key(project)
    if isinstance(key, pd.DataFrame):
        return _checked_key(key, "the key (a DataFrame)", _frame_row(key))
    if isinstance(key, Project | str | os.PathLike):
        return read_key(key)
    raise PrivacyError(f"key must be a DataFrame, a key file path or a Project, "
                       f"not {type(key).__name__}.")

