"""Bring a second coder's codings back from a copy of the project folder.

For double coding: the second coder works in a copy of the project folder (a USB stick, a
shared drive, a git clone) and :func:`merge_codings` adds their work to this project's ledger
as one change in the history, so ``p.undo()`` takes the whole merge back.

Codings are matched by ``coding_id``. Both ledgers keep a history
(``codes/codings.history.jsonl``, :mod:`tymqual.history`), and the copy's history starts with
this project's history as it was when the folder was copied. The common part of the two is
the *fork*; the merge reads it as evidence:

* **Removed here** (a tombstone in this history) and still in the copy: not brought back.
* **Removed in the copy** (a tombstone in the copy's history after the fork, or in the ledger
  at the fork and missing from the copy): kept here and listed, or also removed here with
  ``prefer="theirs"`` when this project has not changed the coding since.
* **The same id with different content**, compared one field at a time: a field whose value
  here is one it had in the copy's history (and whose value in the copy never appeared here)
  changed only in the copy and is taken; the other way round it changed only here and is
  kept. A field changed on both sides, or with no history to tell, is a conflict: refused
  with each coding, field and both values listed, unless ``prefer="ours"`` or ``"theirs"``
  chooses. (``prefer`` decides conflicts only, as ``git merge -X`` does.)
* **New in the copy**: added, unless the same passage and code is already here by the same
  coder under another id (an exact duplicate: skipped and listed). When the copy's new
  codings carry a coder name that also has codings made here since the copy was made, the
  copy was probably coded by someone else under the default name: the merge is refused
  unless ``as_coder`` names the copy's coder, which relabels the new codings.

A copy made before the history existed has no history of its own (or one that does not
start from this project's): the merge then does what it always did (ids, content, exact
duplicates), still honours this project's tombstones, and its report says which questions it
could not answer. Codings of the copy are re-anchored to this project's texts
(:func:`tymqual.codings.reanchor`); a new coding whose passage is not in this project's text
(a transcript edited here, or one only the copy has) is added, kept as it was and listed, just
as the ledger keeps this project's own codings after such an edit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from tymqual.codings import CODING_COLUMNS, Ledger
from tymqual.errors import CodingError, ProjectError
from tymqual.history import START, Commit, History, apply_rows
from tymqual.reanchor import reanchor

if TYPE_CHECKING:
    from tymqual.project import Project

Prefer = Literal["ours", "theirs"]
PREFERS: tuple[str, ...] = ("ours", "theirs")

ADDED_COLUMNS: tuple[str, ...] = (
    "coding_id", "source_id", "start", "end", "code", "coder", "copy_coder", "status")
REMOVED_HERE_COLUMNS: tuple[str, ...] = (
    "coding_id", "source_id", "code", "coder", "change", "time", "who")
REMOVED_THERE_COLUMNS: tuple[str, ...] = (
    "coding_id", "source_id", "code", "coder", "outcome")
CONFLICT_COLUMNS: tuple[str, ...] = (
    "coding_id", "source_id", "code", "column", "ours", "theirs", "changed", "kept")
DUPLICATE_COLUMNS: tuple[str, ...] = (
    "coding_id", "same_as", "source_id", "start", "end", "code", "coder")
REANCHORED_COLUMNS: tuple[str, ...] = (
    "coding_id", "source_id", "old_start", "old_end", "start", "end", "detail")
UNANCHORED_COLUMNS: tuple[str, ...] = ("coding_id", "source_id", "detail")

_MAX_LISTED = 10
_FIELDS = CODING_COLUMNS[1:]
# A coding removed in the copy counts as unchanged here when these agree; its span may
# differ only because re-anchoring followed an edit of the source here.
_IDENTITY = tuple(c for c in _FIELDS if c not in ("start", "end"))


def _frame(records: Iterable[tuple[Any, ...]], columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(list(records), columns=list(columns))


@dataclass
class MergeReport:
    """What :func:`merge_codings` did, for the CLI (``str(report)``) and for a notebook.

    ``added`` is the number of codings added. The frames list, one row per coding:
    ``added_codings`` (with ``copy_coder``, the name in the copy before ``as_coder``),
    ``removed_here`` (in the copy but removed here: not brought back; ``change``, ``time``,
    ``who`` of the removal), ``removed_there`` (removed in the copy; ``outcome`` ``kept``,
    ``removed`` or ``kept: changed here``), ``conflicts`` (one row per coding and differing
    field; ``changed`` is ``copy``, ``here``, ``both`` or ``unknown``; ``kept`` is ``ours`` or
    ``theirs``), ``duplicates`` (new in the copy, but the same source, span, code and coder is
    here as ``same_as``: skipped), ``reanchored`` (codings of the copy found at another place
    in this project's text) and ``unanchored`` (added although their passage is not in this
    project's text, or their source is missing here). ``change`` is the history's number for
    the merge (None when nothing changed); ``fork`` says how the copy's history relates to
    this one; ``notes`` what the merge could not tell.
    """

    copy: Path
    added: int = 0
    identical: int = 0
    updated: int = 0
    removed: int = 0
    relabelled: int = 0
    change: int | None = None
    fork: str = ""
    added_codings: pd.DataFrame = field(default_factory=lambda: _frame([], ADDED_COLUMNS))
    removed_here: pd.DataFrame = field(
        default_factory=lambda: _frame([], REMOVED_HERE_COLUMNS))
    removed_there: pd.DataFrame = field(
        default_factory=lambda: _frame([], REMOVED_THERE_COLUMNS))
    conflicts: pd.DataFrame = field(default_factory=lambda: _frame([], CONFLICT_COLUMNS))
    duplicates: pd.DataFrame = field(default_factory=lambda: _frame([], DUPLICATE_COLUMNS))
    reanchored: pd.DataFrame = field(default_factory=lambda: _frame([], REANCHORED_COLUMNS))
    unanchored: pd.DataFrame = field(default_factory=lambda: _frame([], UNANCHORED_COLUMNS))
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(self._lines())

    def _lines(self) -> list[str]:
        lines = [f"{self.added} coding(s) added from {self.copy}."]
        if self.change is not None:
            lines.append(f"Recorded as change {self.change} in the history; `tymqual undo` "
                         "(p.undo()) takes the whole merge back.")
        else:
            lines.append("Nothing changed in this project's ledger.")
        if self.fork:
            lines.append(self.fork)
        if self.added:
            coders = ", ".join(sorted(set(self.added_codings["coder"])))
            lines.append(f"  added (coder {coders}): {_ids(self.added_codings)}")
        if self.relabelled:
            lines.append(f"  {self.relabelled} of them relabelled to coder "
                         f"{self.added_codings['coder'].iloc[0]!r} (as_coder).")
        if self.identical:
            lines.append(f"  {self.identical} coding(s) identical in both: skipped.")
        if len(self.removed_here):
            lines.append(f"  {len(self.removed_here)} coding(s) removed here after the copy "
                         f"was made, not brought back: {_ids(self.removed_here)}.")
        lines += self._removed_there_lines()
        if len(self.duplicates):
            pairs = [f"{a} = {b}" for a, b in
                     self.duplicates[["coding_id", "same_as"]].itertuples(index=False)]
            lines.append(f"  {len(self.duplicates)} coding(s) of the copy already here under "
                         f"another id (same source, span, code and coder), skipped: "
                         f"{_listed(pairs)}.")
        lines += self._conflict_lines()
        if len(self.reanchored):
            lines.append(f"  {len(self.reanchored)} coding(s) of the copy found at another "
                         f"place in this project's text (re-anchored): "
                         f"{_ids(self.reanchored)}.")
        if len(self.unanchored):
            shown = [f"{c} ({s}: {d})" for c, s, d in
                     self.unanchored[list(UNANCHORED_COLUMNS)].itertuples(index=False)]
            lines.append(f"  {len(self.unanchored)} coding(s) added whose passage is not in "
                         "this project's text; kept as they were in the copy and listed in "
                         f"p.unanchored until the text or the coding is fixed: "
                         f"{_listed(shown, 3)}.")
        lines += [f"  Note: {note}" for note in self.notes]
        return lines

    def _removed_there_lines(self) -> list[str]:
        frame = self.removed_there
        lines = []
        for outcome, text in (("removed", "removed here too (prefer='theirs')"),
                              ("kept", "kept here (merge with --prefer theirs to remove them "
                                       "here too)"),
                              ("kept: changed here", "kept here, because they changed here "
                                                     "since the copy was made")):
            part = frame[frame["outcome"] == outcome]
            if len(part):
                lines.append(f"  {len(part)} coding(s) removed in the copy, {text}: "
                             f"{_ids(part)}.")
        return lines

    def _conflict_lines(self) -> list[str]:
        lines = []
        if self.updated:
            lines.append(f"  {self.updated} coding(s) updated from the copy.")
        for row in self.conflicts.to_dict("records"):
            why = _CHANGED[str(row["changed"])]
            kept = "took the copy's" if row["kept"] == "theirs" else "kept this project's"
            lines.append(f"    {row['coding_id']} {row['column']}: {kept} "
                         f"(here {_short(row['ours'])}, in the copy {_short(row['theirs'])}; "
                         f"{why})")
        return lines


_CHANGED = {
    "copy": "changed only in the copy",
    "here": "changed only here",
    "both": "changed on both sides since the copy was made",
    "unknown": "no history tells which side changed it",
}


def _short(value: Any, width: int = 40) -> str:
    text = str(value)
    return repr(text if len(text) <= width else text[: width - 1] + "…")


def _listed(items: Sequence[str], limit: int = _MAX_LISTED) -> str:
    shown = ", ".join(items[:limit])
    more = len(items) - limit
    return shown + (f" and {more} more" if more > 0 else "")


def _ids(frame: pd.DataFrame) -> str:
    return _listed([str(i) for i in frame["coding_id"]])


# ---------------------------------------------------------------------------- the copy
@dataclass
class _Copy:
    root: Path
    ledger: pd.DataFrame          # every coding of the copy
    chosen: pd.DataFrame          # the codings by ``coder`` (all when coder is None)
    history: list[Commit] | None  # None: the copy keeps no history


def _read_copy(other_root: str | Path, coder: str | None) -> _Copy:
    root = Path(other_root)
    ledger = Ledger(root / "codes" / "codings.csv", history=False)
    if not ledger.path.exists():
        raise ProjectError(
            f"{ledger.path} does not exist; other_root must be the copied project folder in "
            "which the other coder worked (the one holding codes/codings.csv).")
    theirs = ledger.read()
    chosen = theirs
    if coder is not None:
        chosen = theirs[theirs["coder"] == coder]
        if chosen.empty:
            coders = sorted(set(theirs["coder"]))
            raise CodingError(
                f"{ledger.path} has no codings by coder {coder!r}; coders there: "
                f"{', '.join(map(repr, coders)) or 'none'}. Nothing was merged.")
    history = History(root / "codes" / "codings.history.jsonl")
    commits = history.commits() if history.exists() else None
    return _Copy(root, theirs.reset_index(drop=True), chosen.reset_index(drop=True), commits)


def _anchored(project: Project, theirs: pd.DataFrame
              ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Their codings re-anchored to this project's texts, the moved ones and the lost ones."""
    texts = {sid: project.text(sid) for sid in project.source_ids}
    found = reanchor(theirs, texts)
    moved = found[found["outcome"] == "moved"].set_index("coding_id")
    theirs = theirs.copy()
    hit = theirs["coding_id"].isin(moved.index)
    for col in ("start", "end"):
        theirs.loc[hit, col] = theirs.loc[hit, "coding_id"].map(moved[col]).astype("int64")
    # A transcript renamed here: the copy's codings follow it to its new source id.
    theirs.loc[hit, "source_id"] = theirs.loc[hit, "coding_id"].map(moved["new_source_id"])
    return theirs, moved.reset_index(), found[found["outcome"] != "moved"]


# ---------------------------------------------------------------------------- evidence
def _same_commit(a: Commit, b: Commit) -> bool:
    if a.action == START and b.action == START:
        # Two baselines made independently (a copy older than the history) agree when they
        # recorded the same ledger bytes.
        return a.ledger_after is not None and a.ledger_after == b.ledger_after
    return ((a.change, a.time, a.who, a.action, a.ledger_before, a.ledger_after, len(a.rows))
            == (b.change, b.time, b.who, b.action, b.ledger_before, b.ledger_after,
                len(b.rows)))


def _live(commits: Sequence[Commit]) -> list[Commit]:
    voided = {c.voids for c in commits if c.voids is not None}
    return [c for c in commits if c.voids is None and c.change not in voided]


def _taken_back(commits: Sequence[Commit]) -> set[int]:
    """The changes an undo took back and no redo made again."""
    taken: set[int] = set()
    for c in commits:
        if c.undoes is not None:
            taken.add(c.undoes)
        elif c.redoes is not None:
            taken.discard(c.redoes)
    return taken


def _standing(commits: Sequence[Commit], taken: set[int] | None = None) -> list[Commit]:
    """The commits whose effect stands: without the changes ``taken`` back (default: every
    undone one), nor the undos that took them back. A value a coding had only in an undone
    change was never the author's choice, so it says nothing about which side changed it."""
    taken = _taken_back(commits) if taken is None else taken
    return [c for c in commits if c.change not in taken and c.undoes not in taken]


def _state(commits: Iterable[Commit]) -> dict[str, dict[str, Any]]:
    state: dict[str, dict[str, Any]] = {}
    for commit in commits:
        apply_rows(state, commit.rows)
    return state


@dataclass
class _Evidence:
    """What the two histories say (see the module docstring)."""

    base: dict[str, dict[str, Any]] | None  # the codings at the fork; None: no common fork
    removed_here: dict[str, Commit]         # id -> the change here that last removed it
    removed_early: set[str]                 # removed here before this history began
    merged_in: set[str]                     # ids added here by an earlier merge
    their_removed: dict[str, dict[str, Any]]  # id -> its tombstone in the copy after the fork
    their_seen: set[str]                    # every id the copy's history names
    ours: list[Commit]
    theirs: list[Commit] | None
    fork: str


def _evidence(our_history: History | None, their_commits: list[Commit] | None) -> _Evidence:
    ours = our_history.commits() if our_history is not None else []
    theirs = their_commits or []
    common = 0
    while (common < len(ours) and common < len(theirs)
           and _same_commit(ours[common], theirs[common])):
        common += 1
    our_live = _live(ours)
    removed_here: dict[str, Commit] = {}
    merged_in: set[str] = set()
    # Undoing a merge takes back what came from the copy, not the author's removal of a
    # coding: it leaves no tombstone, so the copy's codings can be merged again.
    undone_merges = {c.change for c in our_live if c.action == "merge"} & _taken_back(our_live)
    for commit in _standing(our_live, undone_merges):
        for r in commit.rows:
            if r["op"] == "remove":
                removed_here[str(r["coding_id"])] = commit
            elif r["op"] == "add" and commit.action == "merge":
                merged_in.add(str(r["coding_id"]))
    after = _live(theirs[common:]) if common else _live(theirs)
    their_removed = {str(r["coding_id"]): r for c in after for r in c.rows if r["op"] == "remove"}
    seen = {str(r["coding_id"]) for c in theirs for r in c.rows}
    base = _state(_live(ours[:common])) if common else None
    early = _removed_before_history(ours, theirs, common)
    return _Evidence(base, removed_here, early, merged_in, their_removed, seen, our_live,
                     their_commits, _fork_sentence(ours, their_commits, common))


def _removed_before_history(ours: list[Commit], theirs: list[Commit], common: int) -> set[str]:
    """Ids the copy's baseline holds that this history never saw: removed here before it.

    When both sides started their history after the folder was copied, the copy's baseline
    is (nearly always) the ledger as it was copied. A coding in it that this history never
    saw was removed here before this history began, by hand or by an older tymqual."""
    if common or not ours or not theirs or theirs[0].action != START:
        return set()
    ours_seen = {str(r["coding_id"]) for c in ours for r in c.rows}
    return {str(r["coding_id"]) for r in theirs[0].rows if r["op"] == "add"} - ours_seen


def _fork_sentence(ours: list[Commit], theirs: list[Commit] | None, common: int) -> str:
    if theirs is None:
        return ("The copy keeps no history (it was made before tymqual kept one, or its "
                "codes/codings.history.jsonl was not copied): codings are matched by id and "
                "content as before, and only this project's history tells what was removed "
                "here.")
    if not ours:
        return ("This project keeps no history yet, so the merge cannot tell what was removed "
                "here; the copy's history is used for what changed there.")
    if not common:
        return ("The copy's history does not start from this project's (the copy was made "
                "before the history existed, or from another project): the merge uses both "
                "histories for what each side removed and changed, but cannot tell when the "
                "copy was made.")
    fork = ours[common - 1]
    if fork.action == START:
        return ("Both histories begin from the same ledger: the copy was made before "
                "either side kept a history, and nothing changed here before this one began.")
    return f"The copy was made after change {fork.change} ({fork.time}) of this history."


def _values(commits: Iterable[Commit], wanted: set[tuple[str, str]]
            ) -> dict[tuple[str, str], set[Any]]:
    """Every value each (coding id, field) in ``wanted`` had in these changes."""
    ids = {cid for cid, _ in wanted}
    found: dict[tuple[str, str], set[Any]] = {}
    for commit in commits:
        for r in commit.rows:
            cid = str(r["coding_id"])
            if cid not in ids:
                continue
            if r["op"] == "set":
                key = (cid, str(r["column"]))
                if key in wanted:
                    found.setdefault(key, set()).update(
                        (_plain(r.get("before")), _plain(r.get("after"))))
                continue
            for col in _FIELDS:
                if (cid, col) in wanted and col in r:
                    found.setdefault((cid, col), set()).add(_plain(r[col]))
    return found


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, bool):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


# ---------------------------------------------------------------------------- the plan
@dataclass
class _Plan:
    report: MergeReport
    frame: pd.DataFrame
    problems: list[str]


def _check_arguments(coder: str | None, as_coder: str | None, prefer: str | None) -> None:
    if prefer is not None and prefer not in PREFERS:
        raise CodingError(f"prefer={prefer!r}: use 'ours' (keep this project's value), "
                          "'theirs' (take the copy's) or None (refuse and list the conflicts).")
    for name, value in (("coder", coder), ("as_coder", as_coder)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise CodingError(f"{name}={value!r}: give a coder name such as 'B', or None.")


def merge_codings(project: Project, other_root: str | Path, *, coder: str | None = None,
                  as_coder: str | None = None, prefer: Prefer | None = None) -> MergeReport:
    """Bring codings made in a copy of the project folder back into this project's ledger.

    ``other_root`` is the copied folder. ``coder`` limits the merge to the codings the copy
    has by that coder; ``as_coder`` relabels the copy's new codings (use it when the second
    coder kept the default coder name); ``prefer`` decides fields changed on both sides
    (``"ours"`` or ``"theirs"``; ``None`` refuses and lists them) and, with ``"theirs"``,
    also removes here the codings removed in the copy. The rules are in the module
    docstring of :mod:`tymqual.merge`.

    The merge is one ledger transaction (``action="merge"``): it is written whole or not at
    all, and ``p.undo()`` takes it back. It is refused, with nothing written, when fields
    conflict and ``prefer`` is None, when the copy's new codings use a coder name that also
    coded here since the copy was made and ``as_coder`` is None, or when a code key is not in
    this codebook; the :class:`~tymqual.errors.CodingError` lists each case and the fix.
    Merging the same copy again adds nothing.

    >>> report = merge_codings(p, "../projekti-koodaaja-B", as_coder="B")  # doctest: +SKIP
    >>> report.added                                                      # doctest: +SKIP
    42
    """
    _check_arguments(coder, as_coder, prefer)
    copy = _read_copy(other_root, coder)
    theirs, moved, lost = _anchored(project, copy.chosen)
    ledger = project.ledger
    with ledger.transaction(action="merge", note=f"codings from the copy {copy.root}") as edit:
        evidence = _evidence(ledger.history, copy.history)
        plan = _plan(project, edit.frame, copy, theirs, evidence, coder=coder,
                     as_coder=as_coder, prefer=prefer)
        if plan.problems:
            shown = "; ".join(plan.problems[:_MAX_LISTED])
            more = len(plan.problems) - _MAX_LISTED
            raise CodingError(f"cannot merge the codings of {copy.root}: {shown}"
                              + (f"; and {more} more" if more > 0 else "")
                              + "; nothing was merged.")
        edit.frame = plan.frame
    report = plan.report
    added_ids = set(report.added_codings["coding_id"])
    report.reanchored = _frame(
        moved[moved["coding_id"].isin(added_ids | _updated_ids(report))][
            list(REANCHORED_COLUMNS)].itertuples(index=False), REANCHORED_COLUMNS)
    report.unanchored = _frame(
        lost[lost["coding_id"].isin(added_ids)][list(UNANCHORED_COLUMNS)].itertuples(
            index=False), UNANCHORED_COLUMNS)
    if (report.added or report.updated or report.removed) and ledger.history is not None:
        last = ledger.history.last_commit()
        report.change = last.change if last is not None and last.action == "merge" else None
    return report


def _updated_ids(report: MergeReport) -> set[str]:
    taken = report.conflicts[report.conflicts["kept"] == "theirs"]
    return set(taken["coding_id"])


def _plan(project: Project, ours: pd.DataFrame, copy: _Copy, theirs: pd.DataFrame,
          ev: _Evidence, *, coder: str | None, as_coder: str | None,
          prefer: str | None) -> _Plan:
    report = MergeReport(copy=copy.root, fork=ev.fork)
    problems: list[str] = []
    our_ids = set(ours["coding_id"])
    in_ours = theirs["coding_id"].isin(our_ids)
    tombstoned = ~in_ours & theirs["coding_id"].isin(ev.removed_here.keys() | ev.removed_early)
    new = theirs[~in_ours & ~tombstoned].copy()

    report.removed_here = _frame(
        [(cid, sid, code, who_coded, *_removal(ev.removed_here.get(cid)))
         for cid, sid, code, who_coded in theirs.loc[tombstoned, [
             "coding_id", "source_id", "code", "coder"]].itertuples(index=False)],
        REMOVED_HERE_COLUMNS).astype({"change": "Int64"})
    early = report.removed_here["change"].isna()
    if early.any():
        report.notes.append(
            f"{int(early.sum())} of the codings removed here ({_ids(report.removed_here[early])}"
            ") were removed before this project's history began; the copy's history shows "
            "them in the ledger it was copied from.")

    frame = ours.copy()
    frame, conflict_problems = _reconcile_fields(report, frame, theirs[in_ours], ev,
                                                 as_coder=as_coder, prefer=prefer)
    problems += conflict_problems
    frame = _removed_there(report, frame, copy, ev, coder=coder, prefer=prefer)

    new, duplicates = _split_duplicates(new, ours, as_coder)
    report.duplicates = duplicates
    problems += _coder_clash(ours, copy, new, ev, as_coder=as_coder)
    report.added_codings = _frame(
        [(*row, copy_coder) for row, copy_coder in zip(
            _relabelled(new, as_coder)[["coding_id", "source_id", "start", "end", "code",
                                        "coder"]].itertuples(index=False),
            new["coder"], strict=True)],
        ["coding_id", "source_id", "start", "end", "code", "coder", "copy_coder"])
    report.added_codings["status"] = new["status"].to_numpy()
    report.relabelled = int((report.added_codings["coder"]
                             != report.added_codings["copy_coder"]).sum())
    new = _relabelled(new, as_coder)
    problems += _unknown_codes(project, new)
    report.added = len(new)
    report.identical = int(in_ours.sum()) - len(set(report.conflicts["coding_id"]))
    if not new.empty:
        frame = pd.concat([frame, new], ignore_index=True) if len(frame) else new
    report.notes += _notes(ours, copy, new, ev, coder=coder, as_coder=as_coder)
    return _Plan(report, frame.reset_index(drop=True), problems)


def _removal(commit: Commit | None) -> tuple[Any, str, str]:
    if commit is None:
        return pd.NA, "", ""
    return commit.change, commit.time, commit.who


def _relabelled(new: pd.DataFrame, as_coder: str | None) -> pd.DataFrame:
    if as_coder is None or new.empty:
        return new
    new = new.copy()
    new["coder"] = as_coder
    return new


def _reconcile_fields(report: MergeReport, frame: pd.DataFrame, shared: pd.DataFrame,
                      ev: _Evidence, *, as_coder: str | None, prefer: str | None
                      ) -> tuple[pd.DataFrame, list[str]]:
    """Compare the codings in both ledgers field by field; take, keep or refuse each field."""
    differing = _differing(frame, shared)
    differing = [(cid, col, o, t) for cid, col, o, t in differing
                 # relabelled by an as_coder merge: the label here is the author's choice
                 if not (col == "coder" and (cid in ev.merged_in or o == as_coder))]
    if not differing:
        return frame, []
    wanted = {(cid, col) for cid, col, _, _ in differing}
    our_past = _values(_standing(ev.ours), wanted)
    their_past = _values(_standing(_live(ev.theirs or [])), wanted)
    records, problems = [], []
    position = {cid: i for i, cid in enumerate(frame["coding_id"])}
    for cid, col, ours_value, theirs_value in differing:
        changed = _which_side(ours_value, theirs_value, our_past.get((cid, col), set()),
                              their_past.get((cid, col), set()))
        kept = {"copy": "theirs", "here": "ours"}.get(changed, prefer)
        at = position[cid]
        source_id, code = str(frame.at[at, "source_id"]), str(frame.at[at, "code"])
        if kept is None:
            problems.append(
                f"coding {cid!r} ({source_id}, {code}) differs in {col}: here "
                f"{_short(ours_value)}, in the copy {_short(theirs_value)} ({_CHANGED[changed]})"
                "; choose with prefer='ours' or prefer='theirs' (tymqual merge --prefer "
                "ours|theirs)")
            continue
        if kept == "theirs":
            frame.at[at, col] = theirs_value
        records.append((cid, source_id, code, col, ours_value, theirs_value, changed, kept))
    report.conflicts = _frame(records, CONFLICT_COLUMNS)
    report.updated = len({r[0] for r in records if r[7] == "theirs"})
    return frame, problems


def _differing(frame: pd.DataFrame, shared: pd.DataFrame) -> list[tuple[str, str, Any, Any]]:
    """``(coding_id, field, ours, theirs)`` for every field that differs, compared a column at
    a time (a merge of a large project compares every coding in both)."""
    theirs = shared.set_index("coding_id")
    mine = frame.set_index("coding_id").reindex(theirs.index)
    found = []
    for col in _FIELDS:
        differ = (mine[col] != theirs[col]).to_numpy()
        for cid in theirs.index[differ].tolist():
            found.append((str(cid), col, _plain(mine.at[cid, col]), _plain(theirs.at[cid, col])))
    return found


def _which_side(ours: Any, theirs: Any, our_past: set[Any], their_past: set[Any]) -> str:
    """``copy``, ``here``, ``both`` or ``unknown``: where a field changed since the fork."""
    if ours in their_past and theirs not in our_past:
        return "copy"
    if theirs in our_past and ours not in their_past:
        return "here"
    if our_past and their_past:
        return "both"
    return "unknown"


def _removed_there(report: MergeReport, frame: pd.DataFrame, copy: _Copy, ev: _Evidence, *,
                   coder: str | None, prefer: str | None) -> pd.DataFrame:
    """Codings here that the copy removed since the fork: kept, or removed with 'theirs'."""
    missing = ~frame["coding_id"].isin(set(copy.ledger["coding_id"]))
    base = ev.base or {}
    records, drop = [], []
    for row in frame[missing].to_dict("records"):
        cid = str(row["coding_id"])
        before = ev.their_removed.get(cid) or base.get(cid)
        if before is None or (coder is not None and row["coder"] != coder):
            continue
        if prefer != "theirs":
            outcome = "kept"
        elif all(_plain(row[c]) == _plain(before.get(c)) for c in _IDENTITY):
            outcome = "removed"
            drop.append(cid)
        else:
            outcome = "kept: changed here"
        records.append((cid, row["source_id"], row["code"], row["coder"], outcome))
    report.removed_there = _frame(records, REMOVED_THERE_COLUMNS)
    report.removed = len(drop)
    return frame[~frame["coding_id"].isin(drop)] if drop else frame


def _split_duplicates(new: pd.DataFrame, ours: pd.DataFrame, as_coder: str | None
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The new codings without those already here by the same coder, and those skipped."""
    key = ["source_id", "start", "end", "code", "coder"]
    labelled = _relabelled(new, as_coder)
    here = ours.drop_duplicates(key).set_index(key)["coding_id"]
    index = pd.MultiIndex.from_frame(labelled[key])
    same_as = here.reindex(index).to_numpy()
    dup = pd.notna(same_as)
    duplicates = labelled.loc[dup, ["coding_id", *key]].copy()
    duplicates.insert(1, "same_as", same_as[dup])
    frame = _frame(duplicates[list(DUPLICATE_COLUMNS)].itertuples(index=False),
                   DUPLICATE_COLUMNS)
    return new.loc[~dup], frame


def _made_here(ours: pd.DataFrame, copy: _Copy, ev: _Evidence) -> pd.DataFrame:
    """Codings here that the copy lacks and that were made here since the copy was made."""
    gone = set(copy.ledger["coding_id"]) | ev.their_seen | ev.merged_in
    if ev.base is not None:
        gone |= set(ev.base)
    return ours[~ours["coding_id"].isin(gone)]


def _coder_clash(ours: pd.DataFrame, copy: _Copy, new: pd.DataFrame, ev: _Evidence, *,
                 as_coder: str | None) -> list[str]:
    if as_coder is not None or new.empty:
        return []
    here = _made_here(ours, copy, ev)["coder"].value_counts()
    there = new["coder"].value_counts()
    problems = []
    for name in sorted(set(here.index) & set(there.index)):
        problems.append(
            f"the copy has {there[name]} new coding(s) by coder {name!r}, and {here[name]} "
            f"coding(s) by {name!r} were made here since the copy was made: two people seem "
            f"to have coded under the same name. If the copy's coder is someone else, merge "
            f"with as_coder='B' (tymqual merge --as-coder B), naming them; if {name!r} "
            "really coded in both, merge with as_coder=" + repr(name))
    return problems


def _unknown_codes(project: Project, new: pd.DataFrame) -> list[str]:
    known = {c.key for c in project.codebook}
    problems = []
    for key, group in new[~new["code"].isin(known)].groupby("code", sort=True):
        problems.append(f"code key {key!r} of {len(group)} coding(s) ({_ids(group)}) is not in "
                        "this project's codebook; add it to codes/codebook.yaml (the copy's "
                        "codebook has it) and merge again")
    return problems


def _notes(ours: pd.DataFrame, copy: _Copy, new: pd.DataFrame, ev: _Evidence, *,
           coder: str | None, as_coder: str | None) -> list[str]:
    notes = []
    if ev.base is None and not ev.their_removed:
        only_here = ours[~ours["coding_id"].isin(set(copy.ledger["coding_id"]))]
        if coder is not None:
            only_here = only_here[only_here["coder"] == coder]
        if len(only_here):
            notes.append(f"{len(only_here)} coding(s) here are not in the copy "
                         f"({_ids(only_here)}); without a common history the merge cannot "
                         "tell whether they were added here or removed in the copy, so they "
                         "were kept.")
    if as_coder is None and not new.empty:
        native = ours[~ours["coding_id"].isin(ev.merged_in)]
        shared = sorted(set(new["coder"]) & set(native["coder"]))
        if shared:
            notes.append(f"the copy's new codings are by {', '.join(map(repr, shared))}, a "
                         "name codings here also use; if someone else coded the copy, undo "
                         "this merge and merge again with --as-coder NAME.")
    return notes


__all__ = [
    "ADDED_COLUMNS",
    "CONFLICT_COLUMNS",
    "DUPLICATE_COLUMNS",
    "PREFERS",
    "REANCHORED_COLUMNS",
    "REMOVED_HERE_COLUMNS",
    "REMOVED_THERE_COLUMNS",
    "UNANCHORED_COLUMNS",
    "MergeReport",
    "Prefer",
    "merge_codings",
]
