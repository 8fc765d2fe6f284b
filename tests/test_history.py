"""The ledger's history: every change recorded, undo, redo, restore, and what kills leave."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tymqual
from tymqual import storage
from tymqual.cli import main
from tymqual.codings import CODING_COLUMNS, Ledger, frame_of_state
from tymqual.errors import CodingError, StorageError, TymqualWarning
from tymqual.history import History

ROW = {"source_id": "H1", "start": 0, "end": 5, "code": "johtaminen", "text": "alku."}


def rows_of(frame: pd.DataFrame) -> set[tuple[object, ...]]:
    return set(frame.loc[:, list(CODING_COLUMNS)].itertuples(index=False, name=None))


def replayed(ledger: Ledger) -> pd.DataFrame:
    assert ledger.history is not None
    return frame_of_state(ledger.history.state())


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger(tmp_path / "codes" / "codings.csv")


# ---------------------------------------------------------------------------- recording
def test_every_change_is_recorded_with_who_when_and_values(ledger: Ledger) -> None:
    [a, b] = ledger.add([ROW, {**ROW, "start": 6, "end": 9}], who="A")
    ledger.update([a], memo="tärkeä", who="B")
    ledger.remove([b], who="A")
    history = ledger.history
    assert history is not None
    commits = history.live()
    assert [(c.action, c.who) for c in commits] == [("code", "A"), ("edit", "B"),
                                                    ("uncode", "A")]
    assert all(c.time.endswith("Z") and len(c.time) == 20 for c in commits)
    memo = [r for r in commits[1].rows if r["op"] == "set"]
    assert memo == [{"change": 2, "op": "set", "coding_id": a, "source_id": "H1",
                     "code": "johtaminen", "column": "memo", "before": "", "after": "tärkeä"}]
    # A removal leaves a tombstone: the whole coding as it was, and where it stood.
    [tomb] = commits[2].rows
    assert tomb["op"] == "remove" and tomb["coding_id"] == b and tomb["at"] == 1
    assert tomb["start"] == 6 and tomb["text"] == "alku."
    assert rows_of(replayed(ledger)) == rows_of(ledger.read())


def test_the_file_is_json_lines_that_pandas_reads(ledger: Ledger) -> None:
    ledger.add([{**ROW, "memo": "rivi\ntoinen \"lainaus\" ja ääkköset"}])
    assert ledger.history is not None
    lines = ledger.history.path.read_text(encoding="utf-8").splitlines()
    assert all(isinstance(json.loads(line), dict) for line in lines)
    frame = pd.read_json(ledger.history.path, lines=True)
    assert list(frame["op"]) == ["add", "commit"]
    assert frame.loc[0, "memo"] == "rivi\ntoinen \"lainaus\" ja ääkköset"


def test_a_ledger_without_history_gets_a_baseline_first(ledger: Ledger) -> None:
    plain = Ledger(ledger.path, history=False)
    plain.add([ROW, {**ROW, "start": 1}])
    assert ledger.history is not None and not ledger.history.exists()
    ledger.add([{**ROW, "start": 2}])
    commits = ledger.history.live()
    assert [c.action for c in commits] == ["start", "code"]
    assert len(commits[0].rows) == 2
    assert rows_of(replayed(ledger)) == rows_of(ledger.read())
    # The baseline is the history's floor: undo stops above it.
    ledger.undo()
    with pytest.raises(CodingError, match="nothing to undo"):
        ledger.undo()
    assert len(ledger.read()) == 2


# ---------------------------------------------------------------------------- undo, redo
def test_undo_of_a_removal_puts_the_coding_back_where_it_was(ledger: Ledger) -> None:
    ids = ledger.add([{**ROW, "start": i, "end": i + 3} for i in range(5)])
    before = ledger.path.read_bytes()
    ledger.remove([ids[1], ids[3]])
    ledger.undo()
    assert ledger.path.read_bytes() == before
    ledger.redo()
    assert list(ledger.read()["coding_id"]) == [ids[0], ids[2], ids[4]]
    ledger.undo()
    assert ledger.path.read_bytes() == before


def test_undo_walks_back_and_redo_forward_until_a_new_change(ledger: Ledger) -> None:
    states = [ledger.path.read_bytes() if ledger.path.exists() else b""]
    [a] = ledger.add([ROW])
    states.append(ledger.path.read_bytes())
    ledger.update([a], memo="yksi")
    states.append(ledger.path.read_bytes())
    ledger.update([a], status="rejected", reduced="pelkistys")
    states.append(ledger.path.read_bytes())
    for expected in reversed(states[1:-1]):
        ledger.undo()
        assert ledger.path.read_bytes() == expected
    ledger.undo()
    assert ledger.read().empty
    ledger.redo()
    ledger.redo()
    assert ledger.path.read_bytes() == states[2]
    ledger.add([{**ROW, "start": 1}])  # a new change ends the redo chain
    with pytest.raises(CodingError, match="nothing to redo"):
        ledger.redo()


def test_undo_refuses_when_the_ledger_no_longer_shows_the_change(ledger: Ledger) -> None:
    [a] = ledger.add([ROW])
    assert ledger.history is not None
    last = ledger.history.live()[-1]
    # Someone else removed it since, and the history was told by the change itself.
    plain = Ledger(ledger.path, history=False)
    plain.remove([a])
    # The removal outside the history is recorded first, as an outside edit, and undone
    # first: the author sees it in words.
    with pytest.warns(TymqualWarning, match="changed outside tymqual.*1 coding"):
        undone = ledger.undo()
    assert undone.action == "outside_edit" and list(ledger.read()["coding_id"]) == [a]
    assert ledger.undo().change == last.change
    assert ledger.read().empty


KEYWORD_BOOK = """\
name: Testikoodikirja
codes:
  - name: Johtaminen
    key: johtaminen
    keywords: [kela, johtoryhmä]
  - name: Neuvottelut
    key: neuvottelut
    keywords: [neuvottelu]
"""


def test_an_autocoding_batch_is_one_change_and_one_undo(
        make_project: Callable[..., tymqual.Project]) -> None:
    p = make_project({"codes/codebook.yaml": KEYWORD_BOOK})
    p.code("H1", "johtaminen", quote="Verkostojohtaja on meillä liima.", coder="A")
    before = p.ledger.path.read_bytes()
    ledger_history = p.ledger.history
    assert ledger_history is not None
    proposals = p.autocode()
    assert len(proposals) >= 2
    assert ledger_history.live()[-1].action == "autocode"
    assert "undid change" in p.undo()
    assert p.ledger.path.read_bytes() == before


def test_project_facades_history_undo_redo_restore(
        make_project: Callable[..., tymqual.Project]) -> None:
    p = make_project()
    first = p.code("H1", "johtaminen", quote="Verkostojohtaja on meillä liima.", coder="A")
    after_first = p.ledger.path.read_bytes()
    p.code("H2", "neuvottelut", quote="Neuvottelut venyivät.", coder="A")
    p.uncode(first)
    frame = p.history()
    assert list(frame.columns) == list(tymqual.history.HISTORY_COLUMNS)
    removed = frame[frame["op"] == "remove"]
    assert list(removed["coding_id"]) == [first]
    assert removed.iloc[0]["before"]["text"] == "Verkostojohtaja on meillä liima."
    changes = p.history(by="change")
    assert list(changes["action"]) == ["code", "code", "uncode"]
    assert p.restore(at=1) == 2
    assert p.ledger.path.read_bytes() == after_first
    assert p.undo().startswith("undid change 4")
    assert len(p.codings) == 1
    assert p.redo().startswith("redid change 4")
    with pytest.raises(CodingError, match="has no change 99"):
        p.restore(at=99)


def test_restore_by_time_takes_the_last_change_before_it(ledger: Ledger) -> None:
    ledger.add([ROW])
    assert ledger.history is not None
    first_time = ledger.history.live()[-1].time
    with pytest.raises(CodingError, match="starts later"):
        ledger.restore("2000-01-01T00:00:00Z")
    time.sleep(1.1)
    ledger.add([{**ROW, "start": 1}])
    assert ledger.restore(first_time) == 1
    assert len(ledger.read()) == 1


# ---------------------------------------------------------------------------- outside edits
def test_an_outside_edit_is_recorded_before_the_next_change(ledger: Ledger) -> None:
    [a, b] = ledger.add([ROW, {**ROW, "start": 1}])
    frame = ledger.read()
    frame.loc[frame["coding_id"] == a, "memo"] = "muokattu Excelissä"
    frame = frame[frame["coding_id"] != b]
    storage.write_safe_csv(frame, ledger.path)
    with pytest.warns(TymqualWarning, match=r"codings.csv was changed outside tymqual.*2 "):
        ledger.add([{**ROW, "start": 2}])
    assert ledger.history is not None
    outside = ledger.history.live()[-2]
    assert outside.action == "outside_edit" and outside.who == "outside tymqual"
    ops = sorted((r["op"], r.get("column")) for r in outside.rows)
    assert ops == [("remove", None), ("set", "memo")]
    assert rows_of(replayed(ledger)) == rows_of(ledger.read())


# ---------------------------------------------------------------------------- faults
def test_a_history_that_cannot_be_written_leaves_the_ledger_unchanged(
        ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    ledger.add([ROW])
    before = ledger.path.read_bytes()
    assert ledger.history is not None
    logged = ledger.history.path.read_bytes()
    real_write = os.write

    def full(fd: int, data: bytes) -> int:
        if os.readlink(f"/proc/self/fd/{fd}").endswith(".jsonl"):
            raise OSError(28, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(StorageError, match=r"codings.history.jsonl could not be saved because "
                       r"the disk is full; nothing was changed"):
        ledger.add([{**ROW, "start": 1}])
    monkeypatch.undo()
    assert ledger.path.read_bytes() == before
    assert ledger.history.path.read_bytes() == logged
    assert [p.name for p in ledger.path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_a_torn_append_is_skipped_and_said(ledger: Ledger) -> None:
    ledger.add([ROW])
    assert ledger.history is not None
    path = ledger.history.path
    # A kill mid-append: a row line of change 2 and half of its commit line.
    with open(path, "ab") as fh:
        fh.write(b'{"change":2,"op":"add","coding_id":"cx","source_id":"H1","start":1,'
                 b'"end":2,"code":"k"}\n{"change":2,"op":"comm')
    with pytest.warns(TymqualWarning, match=r"codings.history.jsonl: skipped 1 line.*line 4.*"
                      r"1 row line"):
        state = ledger.history.state()
    assert list(state) == list(ledger.read()["coding_id"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TymqualWarning)
        ledger.add([{**ROW, "start": 3}])
        commits = ledger.history.live()
    assert [c.change for c in commits] == [1, 3]  # never the number of the torn change
    assert rows_of(replayed(ledger)) == rows_of(ledger.read())
    assert path.read_bytes().count(b"\n") == 6  # the torn line ends and the next starts fresh


KILLED_BEFORE_RENAME = """
import sys, time
from tymqual import storage
from tymqual.codings import Ledger

real = storage.os.replace
def stall(src, dst):
    if str(dst).endswith("codings.csv"):
        open(sys.argv[2], "w").close()
        time.sleep(60)
    real(src, dst)

storage.os.replace = stall
Ledger(sys.argv[1]).recode({"johtaminen": "uusi"})  # a rewrite; appends: test_ledger_append
"""


def test_a_kill_between_history_and_ledger_is_voided(ledger: Ledger, tmp_path: Path) -> None:
    ledger.add([ROW])
    before = ledger.path.read_bytes()
    marker = tmp_path / "stalled"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    child = subprocess.Popen([sys.executable, "-c", KILLED_BEFORE_RENAME, str(ledger.path),
                              str(marker)], env=env)
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the writer never reached the rename"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert ledger.path.read_bytes() == before
    assert ledger.history is not None
    assert ledger.history.live()[-1].action == "recode"  # recorded, not yet known to be void
    ledger.add([{**ROW, "start": 2}])
    actions = [c.action for c in ledger.history.commits()]
    assert actions == ["code", "recode", "void", "code"]
    assert [c.action for c in ledger.history.live()] == ["code", "code"]
    assert rows_of(replayed(ledger)) == rows_of(ledger.read())
    assert not any(r["code"] == "uusi" for r in ledger.history.state().values())


# ---------------------------------------------------------------------------- opening
def test_opening_after_a_transcript_edit_writes_nothing_until_the_next_change(
        make_project: Callable[..., tymqual.Project]) -> None:
    p = make_project()
    cid = p.code("H2", "neuvottelut", quote="Mallisopimus auttoi.", coder="A")
    old_start = int(p.codings.iloc[0]["start"])
    path = p.root / "transcripts" / "H2.txt"
    path.write_text("H: Alkuun lisätty kysymys?\n" + path.read_text(encoding="utf-8"),
                    encoding="utf-8")
    ledger_bytes = p.ledger.path.read_bytes()
    assert p.ledger.history is not None
    logged = p.ledger.history.path.read_bytes()
    with pytest.warns(TymqualWarning, match="moved .*saved with the next change"):
        q = tymqual.open_project(p.root)
    assert p.ledger.path.read_bytes() == ledger_bytes
    assert q.ledger.history is not None and q.ledger.history.path.read_bytes() == logged
    seg = q.segments()
    assert q.text("H2")[seg.iloc[0]["start"]:seg.iloc[0]["end"]] == "Mallisopimus auttoi."
    assert seg.iloc[0]["start"] == old_start + len("H: Alkuun lisätty kysymys?\n")
    q.code("H1", "johtaminen", quote="Johtoryhmä tukee hyvin.", coder="A")
    actions = [c.action for c in q.ledger.history.live()]
    assert actions == ["code", "reanchor", "code"]
    saved = q.codings.set_index("coding_id")
    assert saved.at[cid, "start"] == old_start + len("H: Alkuun lisätty kysymys?\n")


# ---------------------------------------------------------------------------- the rule
OPS = st.lists(st.sampled_from(["add", "remove", "memo", "undo", "redo", "outside",
                                "restore"]), min_size=1, max_size=14)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS, seed=st.integers(0, 10_000))
def test_replaying_the_history_always_gives_the_ledger(tmp_path_factory: pytest.TempPathFactory,
                                                       ops: list[str], seed: int) -> None:
    import random

    rng = random.Random(seed)
    folder = tmp_path_factory.mktemp("h")
    ledger = Ledger(folder / "codings.csv")
    history = ledger.history
    assert history is not None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TymqualWarning)
        for op in ops:
            ids = list(ledger.read()["coding_id"])
            try:
                if op == "add" or not ids and op in ("remove", "memo", "outside"):
                    ledger.add([{**ROW, "start": rng.randrange(50), "end": 60,
                                 "memo": rng.choice(["", "=1+1", "ä\nö"])}])
                elif op == "remove":
                    ledger.remove(rng.sample(ids, rng.randint(1, len(ids))))
                elif op == "memo":
                    ledger.update([rng.choice(ids)], memo=f"m{rng.randrange(9)}")
                elif op == "undo":
                    ledger.undo()
                elif op == "redo":
                    ledger.redo()
                elif op == "outside":
                    frame = ledger.read()
                    frame.loc[0, "reduced"] = "käsin"
                    storage.write_safe_csv(frame, ledger.path)
                    ledger.add([{**ROW, "start": 55, "end": 58}])
                else:
                    live = history.live()
                    if live:
                        ledger.restore(rng.choice(live).change)
            except CodingError as exc:
                assert "nothing to" in str(exc)
            assert rows_of(replayed(ledger)) == rows_of(ledger.read())
            if ledger.path.exists():
                last = history.last_commit()
                if last is not None and op != "outside":
                    digest = storage.file_digest(ledger.path).hex()
                    assert last.ledger_after == digest


# ---------------------------------------------------------------------------- command line
def test_cli_log_undo_redo_restore(make_project: Callable[..., tymqual.Project],
                                   capsys: pytest.CaptureFixture[str]) -> None:
    p = make_project()
    cid = p.code("H1", "johtaminen", quote="Verkostojohtaja on meillä liima.", coder="A")
    p.uncode(cid)
    root = str(p.root)
    assert main(["log", root]) == 0
    out = capsys.readouterr().out
    assert "1  " in out and "A  code, 1 row(s)" in out and "uncode, 1 row(s)" in out
    assert out.rstrip().endswith("2 change(s) in the history")
    assert main(["undo", root]) == 0
    assert "undid change 2" in capsys.readouterr().out
    assert len(tymqual.open_project(root).codings) == 1
    assert main(["redo", root]) == 0
    assert tymqual.open_project(root).codings.empty
    assert main(["restore", "1", "--project", root]) == 0
    assert "1 coding(s) restored" in capsys.readouterr().out
    assert main(["log", root, "-n", "1"]) == 0
    assert "restore" in capsys.readouterr().out
    assert main(["redo", root]) == 2
    assert "nothing to redo" in capsys.readouterr().err


def test_history_class_reads_nothing_when_there_is_no_file(tmp_path: Path) -> None:
    history = History(tmp_path / "none.history.jsonl")
    assert history.live() == [] and history.last_commit() is None
    assert history.to_frame().empty and history.changes_frame().empty


def test_edit_coding_records_memo_reduced_and_recode(
        make_project: Callable[..., tymqual.Project]) -> None:
    p = make_project()
    cid = p.code("H1", "johtaminen", quote="Verkostojohtaja on meillä liima.", coder="A")
    assert p.edit_coding(cid, memo="liima = yhteen pitävä", coder="B") == 1
    assert p.edit_coding(cid, reduced="Johtaja liimana") == 1
    assert p.edit_coding(cid, code="Resurssit") == 1
    assert p.edit_coding(cid, memo="liima = yhteen pitävä") == 0
    changes = p.history(by="change")
    assert list(changes["action"]) == ["code", "memo", "reduced", "recode"]
    assert changes.iloc[1]["who"] == "B"
    rows = p.history()
    recode = rows[rows["action"] == "recode"].iloc[0]
    assert (recode["column"], recode["before"], recode["after"]) == ("code", "johtaminen",
                                                                    "resurssit")
    p.undo()
    p.undo()
    coding = p.codings.set_index("coding_id").loc[cid]
    assert (coding["code"], coding["reduced"], coding["memo"]) == (
        "johtaminen", "", "liima = yhteen pitävä")
    with pytest.raises(CodingError, match="give memo=, reduced= or code="):
        p.edit_coding(cid)


def test_an_excel_save_is_repaired_and_only_its_real_edit_recorded(
        make_project: Callable[..., tymqual.Project]) -> None:
    p = make_project()
    first = p.code("H1", "johtaminen", quote="Verkostojohtaja on meillä liima.", coder="A",
                   memo="−5 % ja ✓")  # characters Windows-1252 does not have
    second = p.code("H2", "neuvottelut", quote="Neuvottelut venyivät.", coder="A",
                    reduced="=tärkeä")  # written with the invisible formula mark
    frame = p.codings
    frame.loc[frame["coding_id"] == second, "memo"] = "lisätty Excelissä"
    # What Finnish Excel writes: ';', Windows-1252 with '?' for what it lacks, CRLF.
    text = frame.to_csv(index=False, sep=";", lineterminator="\r\n")
    text = text.replace("=tärkeä", "\u200b=tärkeä")
    p.ledger.path.write_bytes(text.encode("cp1252", errors="replace"))
    with pytest.warns(TymqualWarning, match=r"codings.csv was re-saved by another program "
                      r"\(';'-separated, Windows-1252\)"):
        q = tymqual.open_project(p.root)
    coding = q.codings.set_index("coding_id")
    assert coding.at[first, "memo"] == "−5 % ja ✓"
    assert coding.at[second, "reduced"] == "=tärkeä"
    assert coding.at[second, "memo"] == "lisätty Excelissä"
    with pytest.warns(TymqualWarning, match="changed outside tymqual.*1 coding"):
        q.code("H1", "johtaminen", quote="Johtoryhmä tukee hyvin.", coder="A")
    assert q.ledger.path.read_bytes().startswith(b"\xef\xbb\xbfcoding_id,")
    outside = q.ledger.history.live()[-2] if q.ledger.history else None
    assert outside is not None and outside.action == "outside_edit"
    assert [(r["op"], r["column"], r["after"]) for r in outside.rows] == [
        ("set", "memo", "lisätty Excelissä")]
    q.undo()
    q.undo()
    assert q.codings.set_index("coding_id").at[second, "memo"] == ""


def test_context_is_kept_for_a_person_s_codings_not_for_machine_batches(
        make_project: Callable[..., tymqual.Project]) -> None:
    p = make_project({"codes/codebook.yaml": KEYWORD_BOOK})
    cid = p.code("H1", "johtaminen", quote="Johtoryhmä tukee hyvin.", coder="A")
    batch = p.code_many("H2", "neuvottelut", turns=[1, 2, 3], coder="A")
    suggested = p.autocode()
    assert p.ledger.history is not None
    context = tymqual.history.context_frame(p.ledger.history).set_index("coding_id")
    assert set(context.index) == {cid, *batch}
    assert not set(context.index) & set(suggested["coding_id"])
    codings = p.codings.set_index("coding_id")
    for coding_id in context.index:
        row = codings.loc[coding_id]
        text = p.text(row["source_id"])
        left, right = context.at[coding_id, "left"], context.at[coding_id, "right"]
        assert text[:row["start"]].endswith(left) and text[row["end"]:].startswith(right)
        assert context.at[coding_id, "source_chars"] == len(text)
        assert len(left) == min(row["start"], tymqual.history.CONTEXT_CHARS)


def test_status_names_the_last_change(make_project: Callable[..., tymqual.Project],
                                      capsys: pytest.CaptureFixture[str]) -> None:
    p = make_project()
    assert main(["status", str(p.root)]) == 0
    assert "last change" not in capsys.readouterr().out
    p.code("H1", "johtaminen", quote="Johtoryhmä tukee hyvin.", coder="A")
    assert main(["status", str(p.root)]) == 0
    out = capsys.readouterr().out
    assert "  last change 1 (" in out and ", A): code, 1 row(s); `tymqual log`" in out


def test_undo_after_a_transcript_edit_takes_back_the_author_s_change(
        make_project: Callable[..., tymqual.Project],
        capsys: pytest.CaptureFixture[str]) -> None:
    p = make_project()
    p.code("H2", "neuvottelut", quote="Mallisopimus auttoi.", coder="A")
    later = p.code("H2", "neuvottelut", quote="Neuvottelut venyivät.", coder="A")
    path = p.root / "transcripts" / "H2.txt"
    path.write_text("H: Lisätty alkuun?\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TymqualWarning)
        # Each command opens the project afresh and finds the moved passages again.
        assert main(["undo", str(p.root)]) == 0
        assert "undid change 2" in capsys.readouterr().out
        q = tymqual.open_project(p.root)
    assert later not in set(q.codings["coding_id"])
    seg = q.segments()
    assert [q.text("H2")[s:e] for s, e in zip(seg["start"], seg["end"], strict=True)] == [
        "Mallisopimus auttoi."]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TymqualWarning)
        assert main(["undo", str(p.root)]) == 0
        assert main(["undo", str(p.root)]) == 2  # the reanchor change is not undone
    assert "nothing to undo" in capsys.readouterr().err
    assert q.ledger.history is not None
    assert [c.action for c in q.ledger.history.live()] == [
        "code", "code", "reanchor", "undo", "undo"]


REPEATED = """\
H: Kysymys yksi?
V: Alku A. Sama lause toistuu. Loppu A.
H: Kysymys kaksi?
V: Alku B. Sama lause toistuu. Loppu B.
"""


@pytest.mark.parametrize("history", [True, False], ids=["with history", "without history"])
def test_the_history_s_context_tells_a_repeated_passage_apart(
        make_project: Callable[..., tymqual.Project], history: bool) -> None:
    p = make_project({"transcripts/H3.txt": REPEATED})
    second = REPEATED.rindex("Sama lause toistuu.")
    cid = p.code("H3", "johtaminen", start=second, end=second + len("Sama lause toistuu."),
                 coder="A")
    edited = ("H: Lisätty alkuun?\nV: Niin.\n" + REPEATED).replace("Loppu A.",
                                                                     "Loppu A, pidemmin.")
    (p.root / "transcripts" / "H3.txt").write_text(edited, encoding="utf-8")
    if not history:
        assert p.ledger.history is not None
        p.ledger.history.path.unlink()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        q = tymqual.open_project(p.root)
    told = " ".join(str(w.message) for w in caught)
    if history:
        seg = q.segments().set_index("coding_id")
        assert seg.at[cid, "start"] == edited.rindex("Sama lause toistuu.")
        assert "moved to follow edited text" in told and cid in told
    else:  # two equal fits and nothing to tell them apart: listed, never guessed
        assert list(q.unanchored["coding_id"]) == [cid]
        assert list(q.unanchored["outcome"]) == ["ambiguous"]
        assert "fit more than one place" in told and cid in told
        assert cid not in set(q.segments()["coding_id"])
    assert cid in set(q.codings["coding_id"])


def test_a_large_batch_states_shared_values_once_and_replays_whole(ledger: Ledger) -> None:
    ledger.add([ROW])
    batch = pd.DataFrame({"source_id": [f"H{i % 7}" for i in range(500)],
                          "start": list(range(500)), "end": [i + 4 for i in range(500)],
                          "code": "johtaminen", "coder": "autocode", "status": "suggested",
                          "text": [f"lause {i}" for i in range(500)]})
    ids = ledger.add_missing(batch, action="autocode", who="autocode")
    assert ledger.history is not None
    lines = ledger.history.path.read_text(encoding="utf-8").splitlines()
    commit = json.loads(lines[-1])
    assert commit["rows"] == 500 and commit["shared"]["coder"] == "autocode"
    assert commit["shared"]["memo"] == "" and "text" not in commit["shared"]
    assert "coder" not in json.loads(lines[-2]) and len(lines) == 2 + 500 + 1
    assert rows_of(replayed(ledger)) == rows_of(ledger.read())
    added = ledger.history.to_frame().query("change == 2")
    assert set(added["coding_id"]) == set(ids)
    assert all(row["coder"] == "autocode" for row in added["after"])
    ledger.undo()
    assert len(ledger.read()) == 1
