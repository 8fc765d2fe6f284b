"""``tymqual check``: every integrity problem of a project folder, each with its fix.

For the thesis author before a supervision meeting or a merge, and for anyone handed a
project folder: which codings could be lost, misplaced or left out of the tables, and what to
do about each kind. :func:`check` runs a list of small independent *probes* and returns one row
per kind of problem found; an empty frame means the project is sound.

Two kinds of probe:

* **file probes** (:data:`FILE_PROBES`) take the project folder and read one file on their
  own, so they still answer when the project cannot be opened (an unreadable ledger or
  codebook stops :func:`~tymqual.project.open_project`);
* **project probes** (:data:`PROJECT_PROBES`) take the opened :class:`Project`.

A probe returns a list of :class:`Finding`; to add a check, write a function and append it to
the list it belongs to. Nothing here writes to the project: the project is opened without
saving re-anchored spans, and the warnings of opening it are collected rather than shown,
since the findings say the same thing with the fix.

Columns of :func:`check`: ``problem`` (an identifier such as ``orphaned_codes``),
``severity`` (``problem``, or ``info`` for a state that is in order but worth knowing),
``file`` (relative to the project), ``count`` (codings, sources or keys concerned), ``where``
(keys, source ids, coding ids or rows, the first few), ``detail`` (one sentence) and ``fix``.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from tymqual.codebook import Codebook
from tymqual.codings import Ledger
from tymqual.errors import TymqualError
from tymqual.history import History, torn_append_at
from tymqual.memos import MEMO_HISTORY_FILE, damaged_history_lines
from tymqual.project import Project, open_project
from tymqual.storage import file_digest

__all__ = [
    "COLUMNS",
    "FILE_PROBES",
    "PROJECT_PROBES",
    "Finding",
    "check",
    "codebook_readable",
    "empty_coder",
    "history_damaged",
    "ledger_changed_outside",
    "ledger_readable",
    "ledger_torn_append",
    "memo_history_damaged",
    "orphaned_codes",
    "renamed_keys",
    "skipped_sources",
    "survey_notes",
    "transcript_without_turns",
    "unanchored_codings",
    "vanished_sources",
]

COLUMNS = ["problem", "severity", "file", "count", "where", "detail", "fix"]
LEDGER = "codes/codings.csv"
CODEBOOK = "codes/codebook.yaml"
MEMO_HISTORY = f"codes/{MEMO_HISTORY_FILE}"
_SHOWN = 5  # ids listed in ``where`` before "+ n more"


@dataclass(frozen=True)
class Finding:
    """One kind of problem found in a project (one row of :func:`check`)."""

    problem: str
    file: str
    count: int
    where: str
    detail: str
    fix: str
    severity: Literal["problem", "info"] = "problem"


FileProbe = Callable[[Path], list[Finding]]
ProjectProbe = Callable[[Project], list[Finding]]


def check(project: Project | str | os.PathLike[str]) -> pd.DataFrame:
    """Every integrity problem of a project, one row per kind, each with its fix.

    ``project`` is an open :class:`Project` or a project folder. A folder that cannot be
    opened is not an error here: the file probes say which file stops it and how to mend it,
    and the project probes wait until it opens. Returns an empty frame (columns
    :data:`COLUMNS`) when all is well.

    >>> check(".")  # doctest: +SKIP
    Empty DataFrame
    Columns: [problem, severity, file, count, where, detail, fix]
    Index: []
    """
    root = project.root if isinstance(project, Project) else Path(project).resolve()
    if not root.is_dir():
        raise TymqualError(f"check(): {project} is not a folder; give a tymqual project folder.")
    findings = [finding for probe in FILE_PROBES for finding in probe(root)]
    opened = project if isinstance(project, Project) else _open_quietly(root, findings)
    if opened is not None:
        findings += [finding for probe in PROJECT_PROBES for finding in probe(opened)]
    frame = pd.DataFrame([asdict(f) for f in findings], columns=COLUMNS)
    return frame.astype({"count": "int64"})


def _open_quietly(root: Path, findings: list[Finding]) -> Project | None:
    """The project opened for reading only, or None with a finding saying what stops it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return open_project(root, save_reanchored=False, progress=False)
    except TymqualError as exc:
        if not any(f.severity == "problem" and f.problem.endswith("_unreadable")
                   for f in findings):
            findings.append(Finding(
                "project_unreadable", _file_named(str(exc), root), 1, "", str(exc),
                "Mend what the message names and run tymqual check again; the other checks "
                "need the project to open.",
            ))
        return None


def _file_named(message: str, root: Path) -> str:
    """The project file a message starts with, relative to the project, else ``""``."""
    head = message.split(":", 1)[0]
    path = Path(head)
    if path.is_absolute() and path.is_relative_to(root):
        return path.relative_to(root).as_posix()
    return ""


def _listed(items: Iterable[object], shown: int = _SHOWN) -> str:
    """``a, b, c`` with ``+ n more`` after the first ``shown``."""
    values = [str(i) for i in items]
    more = f" + {len(values) - shown} more" if len(values) > shown else ""
    return ", ".join(values[:shown]) + more


def _counted(counts: pd.Series) -> str:
    """``key (n), ...`` from value counts."""
    return ", ".join(f"{key} ({int(n)})" for key, n in counts.items())


# ---------------------------------------------------------------------------- file probes


def ledger_readable(root: Path) -> list[Finding]:
    """The ledger cannot be read at all (a merge conflict, a foreign save, a broken row)."""
    try:
        Ledger(root / LEDGER).read()
    except TymqualError as exc:
        return [Finding(
            "ledger_unreadable", LEDGER, 1, "", str(exc),
            f"Mend the row and column the message names in {LEDGER} (for a git merge "
            "conflict keep one side and delete the <<<<<<< ======= >>>>>>> lines), or "
            "restore the file from git or a backup; until then no table can count a coding.",
        )]
    return []


def codebook_readable(root: Path) -> list[Finding]:
    """The codebook cannot be read (bad YAML, a duplicate key, a clashing renamed_from)."""
    path = root / CODEBOOK
    if not path.exists():
        return []
    try:
        Codebook.from_yaml(path)
    except TymqualError as exc:
        return [Finding(
            "codebook_unreadable", CODEBOOK, 1, "", str(exc),
            f"Mend the line the message names in {CODEBOOK}, or restore the file from git "
            "or a backup.",
        )]
    return []


HISTORY = "codes/codings.history.jsonl"


def history_damaged(root: Path) -> list[Finding]:
    """Lines of the history that are not records, or row lines of an interrupted append."""
    history = History(root / HISTORY)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        damaged, orphans = history.damage()
    if not damaged and not orphans:
        return []
    parts = []
    if damaged:
        parts.append(f"{len(damaged)} line(s) are not history records")
    if orphans:
        parts.append(f"{orphans} row line(s) belong to a change whose commit line was never "
                     "written (a kill mid-save; the ledger did not take that change)")
    return [Finding(
        "history_damaged", HISTORY, len(damaged) + orphans,
        _listed(f"line {n}" for n in damaged), "; ".join(parts) + ". Undo, restore and "
        "merge skip them and read the rest.",
        "Nothing to do if the ledger is right; if a git merge left <<<<<<< lines in the "
        "history, keep both sides' lines and delete the marker lines.",
    )]


def ledger_torn_append(root: Path) -> list[Finding]:
    """The ledger ends in the torn end of an append that was cut short (a killed save)."""
    path = root / LEDGER
    last = History(root / HISTORY).last_commit()
    if last is None or last.appended_at is None or not path.exists():
        return []
    data = path.read_bytes()
    at = torn_append_at(data, last)
    if at is None:
        return []
    line = data.count(b"\n", 0, at) + 1
    return [Finding(
        "ledger_torn_append", LEDGER, 1, f"line {line} onwards",
        f"{LEDGER} ends in the torn end of change {last.change}, whose save was cut short "
        "(the program was stopped while adding codings): those codings were never saved and "
        "are left out when the ledger is read; every coding saved before them is intact.",
        "Nothing to do: the next change cuts the torn end off. Code the passages of that "
        "change again if they are missing.",
    )]


def ledger_changed_outside(root: Path) -> list[Finding]:
    """The ledger differs from the last change its history recorded (Excel, an editor, git)."""
    path = root / LEDGER
    history = History(root / HISTORY)
    last = history.last_commit()
    if last is None or not path.exists():
        return []
    digest = file_digest(path).hex()
    if digest in (last.ledger_after, last.ledger_before):
        return []
    if last.appended_at is not None and torn_append_at(path.read_bytes(), last) is not None:
        return []  # ledger_torn_append says it
    return [Finding(
        "ledger_changed_outside", LEDGER, 1, f"after change {last.change}",
        f"{LEDGER} was changed outside tymqual (Excel, an editor or git) after change "
        f"{last.change} of its history.",
        "Nothing is lost: the next change records the difference as an outside edit, which "
        "p.undo() can take back; see p.history() afterwards.",
        severity="info",
    )]


def memo_history_damaged(root: Path) -> list[Finding]:
    """Lines of the memo history that are not whole records (a save cut off, a hand edit)."""
    lines = damaged_history_lines(root / "codes")
    if not lines:
        return []
    where = ", ".join(f"line {n}" for n in lines[:_SHOWN])
    more = f" + {len(lines) - _SHOWN} more" if len(lines) > _SHOWN else ""
    return [Finding(
        "memo_history_damaged", MEMO_HISTORY, len(lines), where + more,
        f"{MEMO_HISTORY} has {len(lines)} line(s) that are not a whole memo change; they are "
        "left out of p.memo_history(), so the memo texts they held cannot be restored. The "
        "memos themselves are unaffected.",
        "Nothing to do unless you edited the file by hand: then undo that edit (git).",
    )]


#: Probes of single files, run on the project folder before it is opened.
FILE_PROBES: list[FileProbe] = [ledger_readable, codebook_readable, history_damaged,
                                ledger_torn_append, ledger_changed_outside,
                                memo_history_damaged]


# ---------------------------------------------------------------------------- project probes


def orphaned_codes(project: Project) -> list[Finding]:
    """Codings stored under a key no code has: renamed or deleted by hand in the codebook."""
    orphaned = project.orphaned_codings()
    if orphaned.empty:
        return []
    counts = orphaned["code"].value_counts().sort_index()
    first = str(counts.index[0])
    return [Finding(
        "orphaned_codes", CODEBOOK, int(counts.sum()), _counted(counts),
        f"{int(counts.sum())} coding(s) in {LEDGER} are stored under {len(counts)} key(s) "
        f"that no code in {CODEBOOK} has, so the tables show them as not in the codebook, "
        "outside every theme.",
        f"Restore the key in {CODEBOOK}, or add renamed_from: [{first}] to the code it "
        "became (project.rekey_code(code, new_key) changes a key and records this itself).",
    )]


def renamed_keys(project: Project) -> list[Finding]:
    """Codings stored under an old key that ``renamed_from`` maps to a code (in order)."""
    key_map = project.codebook.key_map()
    codings = project.codings
    old = codings[codings["code"].isin([k for k, code in key_map.items() if code.key != k])]
    if old.empty:
        return []
    counts = old["code"].value_counts().sort_index()
    where = ", ".join(f"{k} → {key_map[str(k)].key} ({n})" for k, n in counts.items())
    return [Finding(
        "renamed_keys", CODEBOOK, len(old), where,
        f"{len(old)} coding(s) are stored under old keys that renamed_from in {CODEBOOK} "
        "maps to their codes; they count as those codes everywhere.",
        f"Nothing to do; keep the renamed_from entries in {CODEBOOK} as long as the ledger "
        "holds the old keys.",
        "info",
    )]


def vanished_sources(project: Project) -> list[Finding]:
    """Codings whose source file is no longer in the project (renamed, moved or deleted)."""
    codings = project.codings
    skipped = {Path(str(path)).stem for path in project.skipped["path"]}
    gone = codings[~codings["source_id"].isin([*project.source_ids, *skipped])]
    if gone.empty:
        return []
    counts = gone["source_id"].value_counts().sort_index()
    return [Finding(
        "vanished_sources", LEDGER, len(gone), _counted(counts),
        f"{len(gone)} coding(s) belong to {len(counts)} source(s) that are not in "
        "transcripts/, documents/ or surveys/ any more, so no table counts them.",
        "Put each file back under its old name (the source id is the file name without its "
        "ending); if a source is gone for good, remove its codings with "
        "project.uncode([...]).",
    )]


def unanchored_codings(project: Project) -> list[Finding]:
    """Codings whose passage is no longer found in their (edited) source."""
    lost = project.unanchored
    if lost.empty:
        return []
    lost = lost[lost["source_id"].isin(project.source_ids)]
    if lost.empty:
        return []
    sources = _listed(sorted(set(lost["source_id"])))
    return [Finding(
        "unanchored_codings", LEDGER, len(lost), _listed(lost["coding_id"]),
        f"{len(lost)} coding(s) in {sources} point at a passage that is no longer in the "
        "edited source; they stay in the ledger but no table counts them.",
        "See project.unanchored for the stored passages; restore the source's earlier "
        "wording, or code each passage again where it now stands and remove the old coding "
        "with project.uncode(coding_id).",
    )]


def skipped_sources(project: Project) -> list[Finding]:
    """Source files that could not be loaded when the project was opened."""
    skipped = project.skipped
    if skipped.empty:
        return []
    stems = [Path(str(path)).stem for path in skipped["path"]]
    waiting = int(project.codings["source_id"].isin(stems).sum())
    detail = "; ".join(f"{path}: {str(error).rstrip('.')}"
                       for path, error in zip(skipped["path"], skipped["error"], strict=True))
    also = f" ({waiting} coding(s) wait for them)" if waiting else ""
    return [Finding(
        "skipped_sources", _listed(skipped["path"]), len(skipped), _listed(skipped["path"]),
        f"{len(skipped)} file(s) could not be loaded{also}: {detail}.",
        "Mend or re-save each file as the message says (or move it out of the project "
        "folder), then run tymqual check again.",
    )]


def empty_coder(project: Project) -> list[Finding]:
    """Codings that name no coder: agreement and analysis_coders cannot place them."""
    codings = project.codings
    blank = codings[codings["coder"].fillna("").astype(str).str.strip() == ""]
    if blank.empty:
        return []
    return [Finding(
        "empty_coder", LEDGER, len(blank), _listed(blank["coding_id"]),
        f"{len(blank)} coding(s) in {LEDGER} have an empty coder column, so intercoder "
        "agreement and analysis_coders in tymqual.yaml cannot tell whose they are.",
        "Name the coder with project.ledger.update([...coding ids...], coder=\"A\"), and set "
        "coder: in tymqual.yaml so new codings get one.",
    )]


def survey_notes(project: Project) -> list[Finding]:
    """What loading each survey repaired or decided (row-number ids, merged labels, ...)."""
    findings = []
    for name, survey in sorted(project.surveys.items()):
        notes = survey.report.notes
        if notes:
            rel = f"surveys/{survey.path.name}"
            findings.append(Finding(
                "survey_notes", rel, len(notes), name, " ".join(notes),
                f"Read `tymqual inspect {rel}`; pass what the note names (id_column=, "
                "scales=) or mend the export if the reading is not what you meant.",
                "info",
            ))
    return findings


def transcript_without_turns(project: Project) -> list[Finding]:
    """Interviews with no speaker turn while others have some: their labels went unrecognised."""
    sids = project.turnless()
    if not sids:
        return []
    paths = project.sources.set_index("source_id").loc[sids, "path"]
    return [Finding(
        "transcript_without_turns", _listed(paths), len(sids), _listed(sids),
        f"{len(sids)} interview(s) have no speaker turns while the others have them, so their "
        "codings have no speaker and no turn.",
        "See project.speakers() for the labels found elsewhere; list this transcript's labels "
        "under speakers: interviewer / interviewee in tymqual.yaml (without the colon).",
    )]


#: Probes of the opened project, run in this order.
PROJECT_PROBES: list[ProjectProbe] = [
    orphaned_codes,
    renamed_keys,
    vanished_sources,
    unanchored_codings,
    skipped_sources,
    transcript_without_turns,
    empty_coder,
    survey_notes,
]
