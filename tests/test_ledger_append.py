"""The ledger's append-only path: a change that only adds codings appends its lines.

What must hold: the file after an append is byte for byte what a full rewrite of the same
codings gives; the history's digests, undo, redo and ``tymqual check`` agree with it; a file
another program saved (or that is not exactly as tymqual writes it) is rewritten instead,
losing nothing; and an append cut short by a killed process is told, left out, and cut off.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tymqual import storage
from tymqual.codings import CODING_COLUMNS, Ledger
from tymqual.errors import StorageError, TymqualWarning
from tymqual.integrity import ledger_changed_outside, ledger_torn_append
from tymqual.storage import write_safe_csv

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
REPO = Path(__file__).resolve().parents[1]
# Cells that test quoting: Finnish letters, quotes, separators, line breaks, formula starts.
PIECES = ["ä", "Ö", "å", '"', ",", ";", "\n", "\r\n", "=", "-", "+", "@", " ", "\t", "x",
          "Yhteistyö", "👍", "\u200b"]
cell = st.lists(st.sampled_from(PIECES), max_size=6).map("".join)


def row(i: int, text: str = "", memo: str = "", code: str = "johtaminen") -> dict[str, Any]:
    return {"source_id": f"H{i % 3}", "start": i, "end": i + 5, "code": code,
            "coder": "A", "memo": memo, "text": text}


def rewritten(frame: pd.DataFrame, folder: Path) -> bytes:
    """What a full rewrite of ``frame`` writes: the writer tymqual used before appends."""
    path = folder / "rewrite.csv"
    write_safe_csv(frame, path)
    return path.read_bytes()


def last_commit(ledger: Ledger) -> Any:
    assert ledger.history is not None
    return ledger.history.last_commit()


def replayed_equals_file(ledger: Ledger) -> bool:
    assert ledger.history is not None
    state = ledger.history.state()
    frame = Ledger(ledger.path, history=False).read()
    return list(state) == frame["coding_id"].tolist() and all(
        {k: state[cid].get(k) for k in CODING_COLUMNS if k != "coding_id"}
        == {k: r[k] for k in CODING_COLUMNS if k != "coding_id"}
        for cid, r in zip(frame["coding_id"], frame.to_dict("records"), strict=True))


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger(tmp_path / "codes" / "codings.csv")


# ---------------------------------------------------------------------------- bytes
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.lists(st.tuples(cell, cell), min_size=1, max_size=4),
       then=st.lists(st.lists(st.tuples(cell, cell), min_size=1, max_size=4), min_size=1,
                     max_size=3))
def test_appended_file_is_byte_identical_to_a_rewrite(
        tmp_path_factory: pytest.TempPathFactory, first: list[tuple[str, str]],
        then: list[list[tuple[str, str]]]) -> None:
    folder = tmp_path_factory.mktemp("append")
    ledger = Ledger(folder / "codings.csv")
    ledger.add([row(i, t, m) for i, (t, m) in enumerate(first)])
    n = len(first)
    for batch in then:
        size = ledger.path.stat().st_size
        ledger.add([row(n + i, t, m) for i, (t, m) in enumerate(batch)])
        n += len(batch)
        assert last_commit(ledger).appended_at == size  # appended, not rewritten
    data = ledger.path.read_bytes()
    frame = Ledger(ledger.path, history=False).read()
    assert len(frame) == n
    assert data == rewritten(frame, folder)
    assert last_commit(ledger).ledger_after == hashlib.sha256(data).hexdigest()


def test_a_large_batch_appends_what_a_rewrite_writes(ledger: Ledger, tmp_path: Path) -> None:
    ledger.add([row(0, "alku")])
    batch = pd.DataFrame([row(i, f"vastaus {i}; \"lainaus\"\nrivi", code=f"k{i % 7}")
                          for i in range(1, 2001)]).assign(status="suggested")
    ids = ledger.add_missing(batch, action="autocode", who="autocode")
    assert all(ids) and last_commit(ledger).appended_at is not None
    assert ledger.add_missing(batch, action="autocode") == [None] * len(batch)
    data = ledger.path.read_bytes()
    assert data == rewritten(Ledger(ledger.path, history=False).read(), tmp_path)
    assert replayed_equals_file(ledger)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.tuples(cell, cell), min_size=1, max_size=25),
       chunk=st.integers(min_value=1, max_value=6))
def test_a_batch_written_in_chunks_is_the_bytes_of_one_rewrite(
        tmp_path_factory: pytest.TempPathFactory, cells: list[tuple[str, str]], chunk: int
) -> None:
    # Chunks of a few rows stand for the 20,000 of a real batch: every boundary is crossed.
    folder = tmp_path_factory.mktemp("chunks")
    ledger = Ledger(folder / "codes" / "codings.csv")
    ledger.add([row(0, "alku")])
    batch = pd.DataFrame([row(i, text, memo) for i, (text, memo) in enumerate(cells, 1)])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(storage, "_CSV_CHUNK", chunk)
        ids = ledger.add_missing(batch.assign(status="suggested"), action="autocode")
    assert all(ids) and last_commit(ledger).appended_at is not None
    data = ledger.path.read_bytes()
    assert data == rewritten(Ledger(ledger.path, history=False).read(), folder)
    assert last_commit(ledger).ledger_after == hashlib.sha256(data).hexdigest()
    assert last_commit(ledger).ledger_size == len(data)
    assert replayed_equals_file(ledger)


def test_a_spool_that_cannot_be_made_changes_nothing(
        ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    ledger.add([row(0, "eka")])
    before = ledger.path.read_bytes()
    assert ledger.history is not None
    changes = ledger.history.path.read_bytes()

    def full(*args: Any, **kwargs: Any) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("tymqual.codings.tempfile.TemporaryFile", full)
    with pytest.raises(StorageError, match="codings.csv could not be saved because the disk "
                       "is full; the previous codings.csv is unchanged"):
        ledger.add([row(1, "toka")])
    monkeypatch.undo()
    assert ledger.path.read_bytes() == before
    assert ledger.history.path.read_bytes() == changes
    assert not [p.name for p in ledger.path.parent.iterdir() if p.suffix == ".tmp"]


# ---------------------------------------------------------------------------- history
def test_undo_redo_and_check_stay_right_after_appends(ledger: Ledger) -> None:
    [a] = ledger.add([row(0, "eka")])
    ledger.add([row(1, "toka")])
    ledger.add([row(2, "kolmas")])
    assert [c.appended_at is not None for c in ledger.history.live()] == [False, True, True]  # type: ignore[union-attr]
    root = ledger.path.parent.parent
    assert ledger_changed_outside(root) == []
    ledger.undo()
    assert len(ledger.read()) == 2 and replayed_equals_file(ledger)
    ledger.redo()
    assert len(ledger.read()) == 3 and replayed_equals_file(ledger)
    ledger.update([a], status="rejected")
    ledger.add([row(3, "neljäs")])
    assert ledger_changed_outside(root) == []
    assert replayed_equals_file(ledger)
    # A second object on the same file sees what the first appended.
    assert Ledger(ledger.path).read()["text"].tolist() == ["eka", "toka", "kolmas", "neljäs"]


def test_an_outside_edit_between_appends_is_recorded_not_overwritten(ledger: Ledger) -> None:
    ledger.add([row(0, "eka")])
    data = ledger.path.read_bytes()
    ledger.path.write_bytes(data.replace(b"eka", b"EKA"))  # an editor, same size
    with pytest.warns(TymqualWarning, match="changed outside tymqual"):
        ledger.add([row(1, "toka")])
    assert ledger.read()["text"].tolist() == ["EKA", "toka"]
    assert [c.action for c in ledger.history.live()] == ["code", "outside_edit", "code"]  # type: ignore[union-attr]
    assert replayed_equals_file(ledger)


# ---------------------------------------------------------------------------- foreign files
def _foreign(kind: str, data: bytes) -> bytes:
    if kind == "no-bom":
        return data.removeprefix(b"\xef\xbb\xbf")
    if kind == "crlf":
        return data.replace(b"\n", b"\r\n")
    if kind == "no-final-newline":
        return data.rstrip(b"\n")
    if kind == "semicolons":
        return data.replace(b",", b";")  # no cell holds a comma here
    assert kind == "columns-reordered"
    lines = data.decode("utf-8-sig").split("\n")
    moved = [",".join([*parts[1:], parts[0]]) if parts != [""] else ""
             for parts in (line.split(",") for line in lines)]
    return "\n".join(moved).encode("utf-8-sig")


@pytest.mark.parametrize("kind", ["no-bom", "crlf", "no-final-newline", "semicolons",
                                  "columns-reordered"])
def test_a_file_not_as_tymqual_writes_it_is_rewritten(ledger: Ledger, tmp_path: Path,
                                                      kind: str) -> None:
    ledger.add([row(0, "eka"), row(1, "toka")])
    ledger.path.write_bytes(_foreign(kind, ledger.path.read_bytes()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TymqualWarning)
        ledger.add([row(2, "kolmas")])
    assert last_commit(ledger).appended_at is None  # the atomic rewrite
    frame = ledger.read()
    assert frame["text"].tolist() == ["eka", "toka", "kolmas"]
    assert ledger.path.read_bytes() == rewritten(frame, tmp_path)
    assert replayed_equals_file(ledger)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed, so no "
                    "real Excel-like re-save (Debian: make system-deps)")
@pytest.mark.parametrize("tokens", ["59,34,76,1", "44,34,76,1"], ids=["semicolon", "comma"])
def test_a_libreoffice_resave_then_an_append_falls_back_to_a_rewrite(
        ledger: Ledger, tmp_path: Path, tokens: str) -> None:
    rows = [row(0, "Yhteistyö; \"toimii\""), row(1, "rivi 1\nrivi 2", memo="=SUM(1;2)"),
            row(2, "ääkköset, ja pilkku")]
    ledger.add(rows)
    before = ledger.read()
    out, profile = tmp_path / "out", tmp_path / "profile"
    assert SOFFICE is not None
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--infilter=CSV:44,34,76,1,,1035,false,true", "--convert-to",
                    f"csv:Text - txt - csv (StarCalc):{tokens},,1035,false,true,true",
                    "--outdir", str(out), str(ledger.path)],
                   check=True, capture_output=True, timeout=180)
    shutil.copy(out / "codings.csv", ledger.path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TymqualWarning)
        ledger.add([row(3, "uusi")])
    assert last_commit(ledger).appended_at is None
    frame = ledger.read()
    pd.testing.assert_frame_equal(frame.iloc[:3], before)  # nothing lost
    assert frame["text"].iat[3] == "uusi"
    assert ledger.path.read_bytes() == rewritten(frame, tmp_path)
    ledger.add([row(4, "taas")])  # and the file is appendable again
    assert last_commit(ledger).appended_at is not None
    assert replayed_equals_file(ledger)


# ---------------------------------------------------------------------------- torn appends
def _torn(ledger: Ledger, cut: str) -> tuple[bytes, pd.DataFrame, int]:
    """A ledger whose last append was cut at ``cut``; the bytes, codings and line before."""
    ledger.add([row(0, "eka"), row(1, "rivi 1\nrivi 2")])
    old = ledger.path.read_bytes()
    saved = ledger.read()
    ledger.add([row(2, "kolmas \"lainaus\"\nja rivi"), row(3, "neljäs")])
    new = ledger.path.read_bytes()
    tail = new[len(old):]
    at = {"first-byte": 1, "mid-line": tail.index(b"kolmas") + 3,
          "in-quoted-newline": tail.index(b"\nja rivi") + 1,
          "between-rows": tail.index(b"\n", tail.index(b"ja rivi")) + 1,
          "last-byte-missing": len(tail) - 1}[cut]
    ledger.path.write_bytes(new[:len(old) + at])
    return old, saved, old.count(b"\n") + 1


@pytest.mark.parametrize("cut", ["first-byte", "mid-line", "in-quoted-newline",
                                 "between-rows", "last-byte-missing"])
def test_a_torn_append_is_told_left_out_and_cut_off(ledger: Ledger, cut: str) -> None:
    old, saved, line = _torn(ledger, cut)
    root = ledger.path.parent.parent
    [finding] = ledger_torn_append(root)  # tymqual check names it before anything reads it
    assert (finding.problem, finding.where) == ("ledger_torn_append", f"line {line} onwards")
    assert ledger_changed_outside(root) == []  # a tear, not an outside edit
    fresh = Ledger(ledger.path)
    with pytest.warns(TymqualWarning) as told:
        frame = fresh.read()
    [message] = [str(w.message) for w in told]
    assert str(ledger.path) in message and f"line {line} onwards" in message
    assert "2 coding(s) saved before them are intact" in message
    pd.testing.assert_frame_equal(frame, saved)  # no saved row lost
    fresh.add([row(4, "viides")])
    after = fresh.read()
    assert after["text"].tolist() == ["eka", "rivi 1\nrivi 2", "viides"]
    assert ledger.path.read_bytes().startswith(old)
    assert [c.action for c in fresh.history.commits()][-2:] == ["void", "code"]  # type: ignore[union-attr]
    assert replayed_equals_file(fresh)
    assert ledger_changed_outside(root) == [] and ledger_torn_append(root) == []


@pytest.mark.parametrize("cut", ["first-byte", "mid-line", "between-rows",
                                 "last-byte-missing"])
def test_a_torn_append_is_told_though_the_ledger_was_kept_as_columns(
        ledger: Ledger, cut: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tymqual.codings.KEEP_ROWS", 1)
    ledger.keep = ledger.path.parent.parent / "cache"
    old, saved, line = _torn(ledger, cut)
    assert list(ledger.keep.glob("*.cols"))  # the state after the append was kept
    fresh = Ledger(ledger.path)
    fresh.keep = ledger.keep
    with pytest.warns(TymqualWarning, match=f"line {line} onwards is the torn end"):
        frame = fresh.read()
    pd.testing.assert_frame_equal(frame, saved)


def test_lines_added_by_hand_after_an_append_are_an_outside_edit_not_a_tear(
        ledger: Ledger) -> None:
    ledger.add([row(0, "eka")])
    ledger.add([row(1, "toka")])
    assert last_commit(ledger).appended_at is not None
    data = ledger.path.read_bytes()
    ledger.path.write_bytes(data + b"c1,H9,0,3,johtaminen,B,accepted,,,,k\xc3\xa4si")
    fresh = Ledger(ledger.path)
    with warnings.catch_warnings(record=True) as told:
        warnings.simplefilter("always", TymqualWarning)
        assert fresh.read()["text"].tolist() == ["eka", "toka", "käsi"]
        fresh.add([row(2, "kolmas")])
    assert not any("torn" in str(w.message) for w in told)
    assert [c.action for c in fresh.history.live()][-2:] == ["outside_edit", "code"]  # type: ignore[union-attr]
    assert fresh.read()["text"].tolist() == ["eka", "toka", "käsi", "kolmas"]
    assert replayed_equals_file(fresh)


def test_a_torn_file_without_history_evidence_is_not_cut(ledger: Ledger) -> None:
    # The prefix no longer hashes to the last commit's ledger_before: not our torn append,
    # so nothing is left out silently; the file is read as it is.
    old, _, _ = _torn(ledger, "between-rows")
    data = ledger.path.read_bytes()
    ledger.path.write_bytes(data.replace(b"eka", b"EKA"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TymqualWarning)
        frame = Ledger(ledger.path).read()
    assert frame["text"].tolist()[:3] == ["EKA", "rivi 1\nrivi 2", "kolmas \"lainaus\"\nja rivi"]


STALLED_APPEND = """
import os, sys, time
from tymqual import storage
from tymqual.codings import Ledger

real = os.write
ledger = os.stat(sys.argv[1]).st_ino
def stall(fd, data):
    if os.fstat(fd).st_ino != ledger:  # the history's append goes through
        return real(fd, data)
    if {half}:
        real(fd, bytes(data)[: len(data) // 2])
    open(sys.argv[2], "w").close()
    time.sleep(60)
    return 0

storage.os.write = stall
Ledger(sys.argv[1]).add([{{"source_id": "H1", "start": 9, "end": 12, "code": "uusi",
                          "text": "kesken"}}])
"""


@pytest.mark.parametrize("half", [False, True], ids=["before-any-byte", "half-written"])
def test_a_process_killed_mid_append_loses_no_saved_coding(ledger: Ledger, tmp_path: Path,
                                                           half: bool) -> None:
    ledger.add([row(0, "eka"), row(1, "toka")])
    before = ledger.path.read_bytes()
    marker = tmp_path / "stalled"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen([sys.executable, "-c", STALLED_APPEND.format(half=half),
                              str(ledger.path), str(marker)], env=env)
    deadline = time.monotonic() + 60
    while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the writer never reached the append"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert ledger.path.read_bytes().startswith(before)
    assert (ledger.path.read_bytes() != before) == half
    fresh = Ledger(ledger.path)
    with warnings.catch_warnings(record=True) as told:
        warnings.simplefilter("always", TymqualWarning)
        assert fresh.read()["text"].tolist() == ["eka", "toka"]
    assert any("torn end" in str(w.message) for w in told) == half
    fresh.add([row(2, "kolmas")])
    assert fresh.read()["text"].tolist() == ["eka", "toka", "kolmas"]
    assert [c.action for c in fresh.history.commits()][-2:] == ["void", "code"]  # type: ignore[union-attr]
    assert replayed_equals_file(fresh)


def test_a_failed_append_leaves_the_file_and_history_as_they_were(
        ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    ledger.add([row(0, "eka")])
    before = ledger.path.read_bytes()
    assert ledger.history is not None
    changes = ledger.history.path.read_bytes()
    real = os.write
    inode = ledger.path.stat().st_ino

    def half_then_full(fd: int, data: Any) -> int:
        if os.fstat(fd).st_ino != inode:  # the history's append goes through
            return real(fd, data)
        real(fd, bytes(data)[: len(data) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage.os, "write", half_then_full)
    with pytest.raises(StorageError, match="codings.csv could not be saved because the disk "
                       "is full; the previous codings.csv is unchanged"):
        ledger.add([row(1, "toka")])
    monkeypatch.undo()
    assert ledger.path.read_bytes() == before
    assert ledger.history.path.read_bytes() == changes
    ledger.add([row(1, "toka")])
    assert ledger.read()["text"].tolist() == ["eka", "toka"]
    assert replayed_equals_file(ledger)


# ---------------------------------------------------------------------------- two writers
def _append_one_by_one(path: str, coder: str, n: int, barrier: Any) -> None:
    ledger = Ledger(path)
    barrier.wait()
    for i in range(n):
        ledger.add([{**row(i, f"{coder} {i}; \"x\"\n"), "coder": coder}])


def test_two_processes_appending_at_once_keep_every_coding_in_one_chain(
        tmp_path: Path) -> None:
    path = tmp_path / "codes" / "codings.csv"
    Ledger(path).add([row(0, "alku")])  # a file to append to from the start
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    workers = [ctx.Process(target=_append_one_by_one, args=(str(path), coder, 30, barrier))
               for coder in ("kernel-a", "kernel-b")]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0, 0]
    ledger = Ledger(path)
    frame = ledger.read()
    assert len(frame) == 61 and frame["coding_id"].is_unique
    for coder in ("kernel-a", "kernel-b"):
        texts = frame.loc[frame["coder"] == coder, "text"].tolist()
        assert texts == [f"{coder} {i}; \"x\"\n" for i in range(30)]
    assert path.read_bytes() == rewritten(frame, tmp_path)
    commits = ledger.history.live()  # type: ignore[union-attr]
    # Each change starts from the bytes the one before it left: one unbroken chain.
    pairs = zip(commits[:-1], commits[1:], strict=True)
    assert all(a.ledger_after == b.ledger_before for a, b in pairs)
    assert replayed_equals_file(ledger)
