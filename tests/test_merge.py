"""tymqual.merge: a second coder's copy of the project folder brought back.

Every case is built through the library on copies of two projects: the small hand-made one
(whose copy shares this project's history) and the repository's demo (which has no history
when it is copied, so both sides start their own). In every case no coding of either side is
lost, none removed here comes back, and the report names the codings it skipped.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from conftest import CODEBOOK, H1

import tymqual
from tymqual.cli import main
from tymqual.errors import CodingError, ProjectError, TymqualWarning
from tymqual.merge import MergeReport, merge_codings

REPO = Path(__file__).resolve().parents[1]
DEMO_PARTS = ("transcripts", "surveys", "codes", "tymqual.yaml")
KINDS = ("small", "demo")
MakeProject = Callable[..., tymqual.Project]


# ---------------------------------------------------------------------------- helpers
@dataclass
class Pair:
    """A project and a copy of its folder made just now, with the codings at the copy."""

    p: tymqual.Project
    copy: Path
    at_copy: pd.DataFrame

    def open_copy(self) -> tymqual.Project:
        return tymqual.open_project(self.copy)

    def ledger_bytes(self) -> bytes:
        return (self.p.root / "codes" / "codings.csv").read_bytes()


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's demo, opened once so that its parse cache travels with each copy."""
    root = tmp_path_factory.mktemp("template") / "demo"
    root.mkdir()
    for part in DEMO_PARTS:
        if (REPO / part).is_dir():
            shutil.copytree(REPO / part, root / part)
        else:
            shutil.copy2(REPO / part, root / part)
    tymqual.open_project(root)
    return root


@pytest.fixture
def make_pair(make_project: MakeProject, demo_template: Path, tmp_path: Path
              ) -> Callable[[str], Pair]:
    def build(kind: str) -> Pair:
        if kind == "small":
            p = make_project()
            p.code("H1", "johtaminen", quote="Verkostojohtaja on meillä liima.", coder="A")
            p.code("H2", "neuvottelut", quote="Neuvottelut venyivät.", coder="A")
            p.code("H1", "johtoryhma", quote="Johtoryhmä tukee hyvin.", coder="A")
        else:
            p = tymqual.open_project(shutil.copytree(demo_template, tmp_path / "proj"))
        copy = tmp_path / "kopio"
        shutil.copytree(p.root, copy)
        return Pair(p, copy, p.ledger.read())

    return build


def leaf_code(p: tymqual.Project) -> str:
    return next(c.key for c in p.codebook if not c.children)


def code_turns(q: tymqual.Project, coder: str, n: int, *, from_end: bool) -> list[str]:
    """Code ``n`` interviewee turns no coding covers exactly; the copy codes from the last
    turn backwards and the author from the first, so the two never pick the same one."""
    key = leaf_code(q)
    ledger = q.ledger.read()
    taken = set(zip(ledger["source_id"], ledger["start"], ledger["end"], strict=True))
    turns = q.turns()
    turns = turns[(turns["role"] == "interviewee")
                  & turns["source_id"].isin(q.source_ids)].reset_index(drop=True)
    order = turns.index[::-1] if from_end else turns.index
    ids = []
    for i in order:
        row = turns.loc[i]
        if (row["source_id"], row["start"], row["end"]) in taken:
            continue
        ids.append(q.code(row["source_id"], key, turns=[int(row["turn"])], coder=coder))
        if len(ids) == n:
            break
    assert len(ids) == n
    return ids


def assert_accounted(p: tymqual.Project, before: pd.DataFrame, theirs: pd.DataFrame,
                     report: MergeReport) -> None:
    """Nothing lost, nothing resurrected, every skipped coding named in the report."""
    now = set(p.ledger.read()["coding_id"])
    removed_by_choice = set(report.removed_there.loc[
        report.removed_there["outcome"] == "removed", "coding_id"])
    assert set(before["coding_id"]) - removed_by_choice <= now
    skipped = set(report.removed_here["coding_id"]) | set(report.duplicates["coding_id"])
    assert set(theirs["coding_id"]) - skipped <= now
    assert not set(report.removed_here["coding_id"]) & now
    text = str(report)
    for cid in [*report.removed_here["coding_id"], *report.duplicates["coding_id"],
                *report.removed_there["coding_id"], *report.added_codings["coding_id"]][:10]:
        assert cid in text


# ============================================================ the ordinary double coding
@pytest.fixture
def copied(make_project: MakeProject, tmp_path: Path) -> tuple[tymqual.Project, Path, list[str]]:
    """A project coded by A, a copy of its folder in which B coded three passages."""
    p = make_project()
    p.code("H1", "johtaminen", quote="Verkostojohtaja on meillä liima.", coder="A")
    p.code("H2", "neuvottelut", quote="Neuvottelut venyivät.", coder="A")
    copy = tmp_path / "kopio"
    shutil.copytree(p.root, copy)
    q = tymqual.open_project(copy)
    ids = [
        q.code("H1", "johtaminen", turns=[2], coder="B"),
        q.code("H1", "neuvottelut", quote="Kela on mukana.", coder="B", memo="B:n muistio"),
        q.code("H2", "resurssit", quote="Henkilöstö vaihtui kesken kaiken.", coder="B"),
    ]
    return p, copy, ids


def test_merge_brings_the_second_coders_codings_and_is_idempotent(
        copied: tuple[tymqual.Project, Path, list[str]]) -> None:
    p, copy, ids = copied
    theirs = tymqual.open_project(copy).codings.set_index("coding_id")
    report = merge_codings(p, copy, coder="B")
    assert report.added == 3 and sorted(report.added_codings["coding_id"]) == sorted(ids)
    ours = p.codings.set_index("coding_id")
    pd.testing.assert_frame_equal(ours.loc[ids], theirs.loc[ids])
    merged = (p.root / "codes" / "codings.csv").read_bytes()
    for again in (merge_codings(p, copy, coder="B"), merge_codings(p, copy)):
        assert (again.added, again.change) == (0, None)
        assert "Nothing changed" in str(again)
    assert (p.root / "codes" / "codings.csv").read_bytes() == merged
    assert len(p.codings) == 5


def test_the_old_import_still_finds_the_merge() -> None:
    from tymqual.agreement import merge_codings as old

    assert old is merge_codings


@pytest.mark.parametrize("kind", KINDS)
def test_merge_is_one_change_that_undo_takes_back(make_pair: Callable[[str], Pair],
                                                  kind: str) -> None:
    pair = make_pair(kind)
    q = pair.open_copy()
    b_ids = code_turns(q, "B", 3, from_end=True)
    first = pair.p.ledger.read()["coding_id"].iloc[0]
    q.ledger.update([first], memo="B:n huomio")
    code_turns(pair.p, "A", 1, from_end=False)  # the author goes on coding here
    before = pair.ledger_bytes()
    report = merge_codings(pair.p, pair.copy)
    assert report.added == 3 and report.updated == 1
    changes = pair.p.history(by="change")
    assert changes["action"].iloc[-1] == "merge" and report.change == changes["change"].iloc[-1]
    assert str(pair.copy) in changes["note"].iloc[-1]
    assert set(b_ids) <= set(pair.p.codings["coding_id"])
    pair.p.undo()
    assert pair.ledger_bytes() == before
    # undoing the merge leaves no tombstone: the same merge can be made again
    again = merge_codings(pair.p, pair.copy)
    assert (again.added, again.updated, len(again.removed_here)) == (3, 1, 0)


# ============================================================ removals
def _remove_by_uncode(pair: Pair, ids: list[str]) -> None:
    pair.p.uncode(ids)


def _remove_by_undo(pair: Pair, ids: list[str]) -> None:
    # the author coded these just before the copy was made and takes them back now
    for _ in ids:
        pair.p.undo()


def _remove_in_excel(pair: Pair, ids: list[str]) -> None:
    path = pair.p.root / "codes" / "codings.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame[~frame["coding_id"].isin(ids)].to_csv(path, index=False, encoding="utf-8-sig")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("how", [_remove_by_uncode, _remove_by_undo, _remove_in_excel])
def test_a_coding_removed_here_after_the_copy_is_not_brought_back(
        make_pair: Callable[[str], Pair], kind: str,
        how: Callable[[Pair, list[str]], None], tmp_path: Path) -> None:
    pair = make_pair(kind)
    if how is _remove_by_undo:
        code_turns(pair.p, "A", 2, from_end=False)
        shutil.rmtree(pair.copy)
        shutil.copytree(pair.p.root, pair.copy)
        pair.at_copy = pair.p.ledger.read()
        gone = list(pair.at_copy["coding_id"].iloc[-2:])
    else:
        gone = list(pair.at_copy["coding_id"].iloc[:2])
    q = pair.open_copy()
    b_ids = code_turns(q, "B", 2, from_end=True)
    # an outside edit is noticed (and warned of) only by a ledger that keeps a history
    recorded = kind == "small" or how is not _remove_in_excel
    with pytest.warns(TymqualWarning, match="outside tymqual") if (
            kind == "small" and how is _remove_in_excel) else contextlib.nullcontext():
        how(pair, gone)
        before = pair.p.ledger.read()
        report = merge_codings(pair.p, pair.copy)
    assert sorted(report.removed_here["coding_id"]) == sorted(gone)
    assert report.added == 2 and set(b_ids) <= set(pair.p.codings["coding_id"])
    assert_accounted(pair.p, before, q.ledger.read(), report)
    assert "removed here after the copy was made, not brought back" in str(report)
    if not recorded:
        # removed before this project's history began: only the copy's baseline tells
        assert "before this project's history began" in str(report)
        return
    # with the copy's own history gone the tombstones here still hold
    (pair.copy / "codes" / "codings.history.jsonl").unlink(missing_ok=True)
    again = merge_codings(pair.p, pair.copy)
    assert again.added == 0 and sorted(again.removed_here["coding_id"]) == sorted(gone)
    assert "keeps no history" in str(again)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("prefer", [None, "ours", "theirs"])
def test_a_coding_removed_in_the_copy(make_pair: Callable[[str], Pair], kind: str,
                                      prefer: str | None) -> None:
    pair = make_pair(kind)
    q = pair.open_copy()
    ids = list(pair.at_copy["coding_id"].iloc[:3])
    q.uncode(ids)
    pair.p.ledger.update([ids[2]], memo="tekijä muutti tätä")  # changed here since: kept
    before = pair.p.ledger.read()
    report = merge_codings(pair.p, pair.copy, prefer=prefer)  # type: ignore[arg-type]
    outcome = report.removed_there.set_index("coding_id")["outcome"]
    gone = "removed" if prefer == "theirs" else "kept"
    assert outcome.to_dict() == {ids[0]: gone, ids[1]: gone,
                                 ids[2]: "kept: changed here" if prefer == "theirs" else "kept"}
    now = set(pair.p.ledger.read()["coding_id"])
    assert (ids[0] in now) is (prefer != "theirs") and ids[2] in now
    assert report.removed == (2 if prefer == "theirs" else 0)
    assert_accounted(pair.p, before, q.ledger.read(), report)


# ============================================================ the same coder name
@pytest.mark.parametrize("kind", KINDS)
def test_a_copy_coded_under_the_same_name_is_refused_then_relabelled(
        make_pair: Callable[[str], Pair], kind: str) -> None:
    pair = make_pair(kind)
    q = pair.open_copy()
    theirs = code_turns(q, "A", 2, from_end=True)
    code_turns(pair.p, "A", 1, from_end=False)
    before = pair.ledger_bytes()
    with pytest.raises(CodingError, match=r"2 new coding\(s\) by coder 'A', and 1 coding\(s\) "
                                          r"by 'A' were made here.*--as-coder B.*nothing was "
                                          "merged"):
        merge_codings(pair.p, pair.copy)
    assert pair.ledger_bytes() == before
    report = merge_codings(pair.p, pair.copy, as_coder="B")
    assert (report.added, report.relabelled) == (2, 2)
    rows = pair.p.codings.set_index("coding_id").loc[theirs]
    assert set(rows["coder"]) == {"B"}
    assert set(report.added_codings["copy_coder"]) == {"A"}
    assert merge_codings(pair.p, pair.copy, as_coder="B").added == 0
    assert merge_codings(pair.p, pair.copy).added == 0  # the relabelled ones are known


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_passage_coded_twice_under_one_name_is_skipped(
        make_pair: Callable[[str], Pair], kind: str) -> None:
    pair = make_pair(kind)
    q = pair.open_copy()
    mine = code_turns(pair.p, "A", 2, from_end=False)
    theirs = code_turns(q, "A", 2, from_end=False)  # the same two turns, by the same name
    before = pair.p.ledger.read()
    report = merge_codings(pair.p, pair.copy)
    assert report.added == 0
    assert report.duplicates.set_index("coding_id")["same_as"].to_dict() == dict(
        zip(theirs, mine, strict=True))
    assert_accounted(pair.p, before, q.ledger.read(), report)
    assert len(pair.p.codings) == len(before)


# ============================================================ differing content
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("side", ["copy", "here", "both"])
@pytest.mark.parametrize("prefer", [None, "ours", "theirs"])
def test_a_memo_edited_on_one_side_or_both(make_pair: Callable[[str], Pair], kind: str,
                                           side: str, prefer: str | None) -> None:
    pair = make_pair(kind)
    q = pair.open_copy()
    cid = str(pair.at_copy["coding_id"].iloc[1])
    old = pair.at_copy.set_index("coding_id").at[cid, "memo"]
    ours, theirs = old, old
    if side in ("copy", "both"):
        theirs = "B: tämä on pikemminkin resursointia"
        q.ledger.update([cid], memo=theirs)
    if side in ("here", "both"):
        ours = "A: tarkistettu 7.12."
        pair.p.ledger.update([cid], memo=ours)
    before = pair.ledger_bytes()
    if side == "both" and prefer is None:
        with pytest.raises(CodingError, match=f"coding '{cid}'.*differs in memo: here "
                                              f"'{ours}', in the copy '{theirs}'.*both sides"
                                              ".*prefer='ours'.*nothing was merged"):
            merge_codings(pair.p, pair.copy)
        assert pair.ledger_bytes() == before
        return
    report = merge_codings(pair.p, pair.copy, prefer=prefer)  # type: ignore[arg-type]
    expected = {"copy": theirs, "here": ours}.get(side, theirs if prefer == "theirs" else ours)
    assert pair.p.codings.set_index("coding_id").at[cid, "memo"] == expected
    row = report.conflicts.set_index("coding_id").loc[cid]
    assert (row["column"], row["changed"], row["ours"], row["theirs"]) == (
        "memo", side, ours, theirs)
    assert cid in str(report)
    if expected == theirs:
        history = pair.p.history()
        taken = history[(history["action"] == "merge") & (history["coding_id"] == cid)]
        assert taken[["column", "before", "after"]].values.tolist() == [["memo", ours, theirs]]


def test_without_the_copys_history_a_change_there_is_a_conflict(
        copied: tuple[tymqual.Project, Path, list[str]]) -> None:
    p, copy, _ = copied
    q = tymqual.open_project(copy)
    a_id = str(p.codings["coding_id"].iloc[0])
    q.ledger.update([a_id], memo="B muutti tätä")
    (copy / "codes" / "codings.history.jsonl").unlink()
    before = p.codings
    with pytest.raises(CodingError, match=f"coding '{a_id}'.*differs in memo: here '', in the "
                                          "copy 'B muutti tätä' \\(no history tells"):
        merge_codings(p, copy)
    pd.testing.assert_frame_equal(p.codings, before)
    assert merge_codings(p, copy, coder="B").added == 3  # B's own rows are still mergeable
    report = merge_codings(p, copy, prefer="theirs")
    assert p.codings.set_index("coding_id").at[a_id, "memo"] == "B muutti tätä"
    assert report.conflicts["changed"].tolist() == ["unknown"]


# ============================================================ texts and codebooks differ
def test_merge_re_anchors_codings_to_an_edited_source(
        copied: tuple[tymqual.Project, Path, list[str]]) -> None:
    p, copy, ids = copied
    prefix = "Litteroitu 3.11.2025.\n"
    (p.root / "transcripts" / "H1.txt").write_text(prefix + H1, encoding="utf-8")
    with pytest.warns(TymqualWarning, match="moved"):
        p = tymqual.open_project(p.root)
    report = merge_codings(p, copy, coder="B")
    assert report.added == 3
    h1 = [i for i in ids if p.codings.set_index("coding_id").at[i, "source_id"] == "H1"]
    assert sorted(report.reanchored["coding_id"]) == sorted(h1)
    ours = p.codings.set_index("coding_id")
    theirs = tymqual.open_project(copy).codings.set_index("coding_id")
    for cid in ids:
        row = ours.loc[cid]
        assert p.text(row["source_id"])[row["start"]:row["end"]] == row["text"]
        shift = len(prefix) if row["source_id"] == "H1" else 0
        assert row["start"] == theirs.loc[cid, "start"] + shift


def test_a_passage_not_in_this_projects_text_is_kept_and_listed(
        copied: tuple[tymqual.Project, Path, list[str]]) -> None:
    p, copy, _ = copied
    edited = H1.replace("Kela on mukana.", "Kela on vahvasti mukana.")
    (copy / "transcripts" / "H1.txt").write_text(edited, encoding="utf-8")
    with pytest.warns(TymqualWarning):
        q = tymqual.open_project(copy)
    lost = q.code("H1", "johtoryhma", quote="Kela on vahvasti mukana.", coder="B")
    report = merge_codings(p, copy, coder="B")
    assert lost in set(p.codings["coding_id"])
    assert report.unanchored["coding_id"].tolist() == [lost]
    assert f"{lost} (H1: The coded passage 'Kela on vahvasti mukana.'" in str(report)
    with pytest.warns(TymqualWarning, match="no longer found"):
        reopened = tymqual.open_project(p.root)
    assert lost in set(reopened.unanchored["coding_id"])


def test_merge_refuses_codes_missing_from_this_codebook(
        copied: tuple[tymqual.Project, Path, list[str]]) -> None:
    p, copy, _ = copied
    extra = CODEBOOK + "  - name: Uusi teema\n    key: uusi_teema\n"
    (copy / "codes" / "codebook.yaml").write_text(extra, encoding="utf-8")
    new = tymqual.open_project(copy).code("H2", "uusi_teema", quote="Mallisopimus auttoi.",
                                          coder="B")
    with pytest.raises(CodingError, match=f"'uusi_teema' of 1 coding\\(s\\) \\({new}\\) is "
                                          "not in this project's codebook"):
        merge_codings(p, copy, coder="B")


@pytest.mark.parametrize(
    ("where", "kwargs", "error", "message"),
    [
        ("missing", {}, ProjectError, "codings.csv does not exist.*copied project folder"),
        ("copy", {"coder": "Z"}, CodingError, "no codings by coder 'Z'; coders there: 'A', 'B'"),
        ("copy", {"prefer": "mine"}, CodingError, "prefer='mine'.*'ours'.*'theirs'"),
        ("copy", {"as_coder": " "}, CodingError, "as_coder=' '.*coder name"),
    ],
)
def test_merge_refuses_a_wrong_folder_or_argument(
        copied: tuple[tymqual.Project, Path, list[str]], tmp_path: Path, where: str,
        kwargs: dict[str, str], error: type, message: str) -> None:
    p, copy, _ = copied
    root = copy if where == "copy" else tmp_path / where
    with pytest.raises(error, match=message):
        merge_codings(p, root, **kwargs)  # type: ignore[arg-type]


# ============================================================ the command line
def test_cli_merge_refuses_then_relabels_prefers_and_undoes(
        make_pair: Callable[[str], Pair], capsys: pytest.CaptureFixture[str]) -> None:
    pair = make_pair("small")
    q = pair.open_copy()
    theirs = code_turns(q, "A", 2, from_end=True)
    code_turns(pair.p, "A", 1, from_end=False)
    cid = str(pair.at_copy["coding_id"].iloc[0])
    q.ledger.update([cid], memo="kopiossa")
    pair.p.ledger.update([cid], memo="täällä")
    root, copy = str(pair.p.root), str(pair.copy)
    before = pair.ledger_bytes()
    assert main(["merge", copy, root]) == 2
    err = capsys.readouterr().err
    assert "coder 'A'" in err and "--as-coder B" in err and "--prefer" in err
    assert pair.ledger_bytes() == before
    assert main(["merge", copy, root, "--as-coder", "B", "--prefer", "theirs"]) == 0
    out = capsys.readouterr().out
    assert "2 coding(s) added" in out and all(i in out for i in theirs)
    assert f"{cid} memo: took the copy's" in out
    merged = tymqual.open_project(pair.p.root).codings.set_index("coding_id")
    assert merged.at[cid, "memo"] == "kopiossa"
    assert set(merged.loc[theirs, "coder"]) == {"B"}
    assert main(["merge", copy, root, "--as-coder", "B", "--prefer", "theirs"]) == 0
    assert "0 coding(s) added" in capsys.readouterr().out
    assert main(["undo", root]) == 0
    assert pair.ledger_bytes() == before
    assert main(["merge", copy, root, "--coder", "Z"]) == 2
    assert "no codings by coder 'Z'" in capsys.readouterr().err
