"""The codings ledger: round trips, Excel's CSV, validation, concurrency, crashes, re-anchoring."""

from __future__ import annotations

import multiprocessing
import os
import re
import subprocess
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import filelock
import pandas as pd
import pytest

from tymqual import storage
from tymqual.codings import (
    CODING_COLUMNS,
    REANCHOR_COLUMNS,
    STATUSES,
    Ledger,
    empty_codings,
    new_coding_id,
    reanchor,
)
from tymqual.errors import CodingError, StorageError, TymqualWarning

ROW: dict[str, Any] = {"source_id": "H1", "start": 0, "end": 5, "code": "johtaminen"}
HEADER = ",".join(CODING_COLUMNS)
GOOD = "c1,H1,0,5,johtaminen,mm,accepted,2026-11-23T09:10:00Z,,,Kela!"


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger(tmp_path / "codes" / "codings.csv")


def write_raw(ledger: Ledger, text: str, encoding: str = "utf-8-sig") -> bytes:
    ledger.path.parent.mkdir(parents=True, exist_ok=True)
    ledger.path.write_bytes(text.encode(encoding))
    return ledger.path.read_bytes()


def leftovers(folder: Path) -> list[str]:
    """Files in ``folder`` other than the ledger, its lock file and its history."""
    return sorted(
        p.name for p in folder.iterdir()
        if p.name not in {"codings.csv", ".codings.csv.lock", "codings.history.jsonl"}
    )


# ---------------------------------------------------------------------------- ids, schema
def test_new_coding_id_is_short_and_unique() -> None:
    ids = {new_coding_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(re.fullmatch(r"c[0-9a-f]{11}", i) for i in ids)


def test_missing_file_reads_as_empty_ledger_with_the_schema(ledger: Ledger) -> None:
    frame = ledger.read()
    assert tuple(frame.columns) == CODING_COLUMNS and frame.empty
    assert frame.dtypes.equals(empty_codings().dtypes)
    assert str(frame["start"].dtype) == "int64" and str(frame["end"].dtype) == "int64"
    assert not ledger.path.exists()


# ---------------------------------------------------------------------------- round trip
TRICKY = [
    "rivi 1\nrivi 2\n\nrivi 4",
    'hän sanoi "joo, ei" ja lähti',
    "a;b;c; puolipisteet",
    "=1+1",
    "-1+2 ja @SUM(A1)",
    "ÄÖÅ äöå šž ‘’ – …",
    "emoji 😀👍🏽 ja yhdistelmä e\u0301",
    "NA",
    "",
    "  välilyönnit reunoilla  ",
    '"',
    'a,b\n\n"c";\td',
    "muistio\r\nWindows-rivinvaihdolla",
]


@pytest.mark.parametrize("value", TRICKY)
def test_add_read_round_trip_is_exact_and_byte_stable(ledger: Ledger, value: str) -> None:
    ledger.add([ROW])
    [cid] = ledger.add(
        [{**ROW, "text": value or "x", "memo": value, "reduced": value, "coder": value}]
    )
    row = ledger.read().set_index("coding_id").loc[cid]
    assert (row["text"], row["memo"], row["reduced"], row["coder"]) == (
        value or "x",
        value,
        value,
        value,
    )
    before = ledger.path.read_bytes()
    assert before.startswith(b"\xef\xbb\xbf" + HEADER.encode() + b"\n")
    storage.write_safe_csv(ledger.read(), ledger.path)  # as the ledger writes
    assert ledger.path.read_bytes() == before
    [extra] = ledger.add([ROW])
    ledger.remove([extra])
    assert ledger.path.read_bytes() == before


def test_add_fills_defaults_and_keeps_insertion_order(ledger: Ledger) -> None:
    first = ledger.add([{**ROW, "code": "b"}, {**ROW, "code": "a"}])
    second = ledger.add([{**ROW, "code": "c", "coder": "mm", "status": "suggested"}])
    frame = ledger.read()
    assert list(frame["coding_id"]) == first + second
    assert list(frame["code"]) == ["b", "a", "c"]
    assert list(frame["status"]) == ["accepted", "accepted", "suggested"]
    assert list(frame["coder"]) == ["", "", "mm"]
    assert (frame["memo"] == "").all() and (frame["reduced"] == "").all()
    created = datetime.strptime(frame["created"].iat[0], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - created).total_seconds()) < 60


def test_add_keeps_given_id_and_date_but_refuses_an_id_in_use(ledger: Ledger) -> None:
    given = {**ROW, "coding_id": "refi-1", "created": "2025-01-02T03:04:05Z"}
    assert ledger.add([given]) == ["refi-1"]
    assert ledger.read()["created"].tolist() == ["2025-01-02T03:04:05Z"]
    before = ledger.path.read_bytes()
    with pytest.raises(CodingError, match="'refi-1' are already in the ledger"):
        ledger.add([ROW, given])
    assert ledger.path.read_bytes() == before
    assert ledger.add([]) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"start": 5, "end": 5}, r"row 2 given to add\(\), column 'end': 5 is not after start 5"),
        ({"start": -1}, r"row 2 given to add\(\), column 'start': -1 is negative"),
        ({"start": 1.5}, r"row 2 given to add\(\), column 'start': 1.5 is not a whole number"),
        ({"end": "7"}, r"column 'end': '7' is not a whole number"),
        ({"end": True}, r"column 'end': True is not a whole number"),
        ({"status": "maybe"}, r"column 'status': 'maybe' is not one of accepted"),
        ({"code": ""}, r"row 2 given to add\(\), column 'code': empty"),
        ({"colour": "red"}, r"row 2 given to add\(\), column 'colour': not a ledger column"),
        ({"memo": 3}, r"column 'memo': expected text, got int"),
        ({"code": None}, r"row 2 given to add\(\), column 'code': missing"),
    ],
)
def test_add_refuses_bad_rows_and_writes_nothing(
    ledger: Ledger, change: dict[str, Any], message: str
) -> None:
    with pytest.raises(CodingError, match=message):
        ledger.add([ROW, {**ROW, **change}])
    assert not ledger.path.exists()


# ---------------------------------------------------------------------------- reading files
@pytest.mark.parametrize(
    ("encoding", "sep", "newline"),
    [("cp1252", ";", "\r\n"), ("utf-8", ";", "\r\n"), ("utf-8-sig", ",", "\n")],
    ids=["finnish-excel-cp1252", "utf8-no-bom-semicolon", "tymqual"],
)
def test_reads_csv_as_finnish_excel_saves_it(
    ledger: Ledger, encoding: str, sep: str, newline: str
) -> None:
    header = sep.join(CODING_COLUMNS)
    rows = [
        sep.join(
            [
                "c1",
                "H1",
                "3",
                "18",
                "kela",
                "mm",
                "accepted",
                "2026-11-23T09:10:00Z",
                "NA",
                "",
                '"Kela on mukana; hyvä\n""juttu"", sanoi hän"',
            ]
        ),
        sep.join(["c2", "H2", "0", "4", "työ", "", "rejected", "", "", "työ", "Työt"]),
    ]
    write_raw(ledger, newline.join([header, *rows]) + newline, encoding)
    frame = ledger.read()
    assert frame["text"].tolist() == ['Kela on mukana; hyvä\n"juttu", sanoi hän', "Työt"]
    assert frame["memo"].tolist() == ["NA", ""]
    assert frame["start"].tolist() == [3, 0] and frame["code"].tolist() == ["kela", "työ"]
    [new] = ledger.add([ROW])
    assert ledger.path.read_bytes().startswith(b"\xef\xbb\xbf" + HEADER.encode() + b"\n")
    again = ledger.read()
    pd.testing.assert_frame_equal(again.iloc[:2], frame)
    assert again["coding_id"].tolist() == ["c1", "c2", new]


@pytest.mark.parametrize(
    "header",
    ["coding_id,source_id,start,end,code", "coding_id,source_id,start,end,code,memo,text,"],
    ids=["required-only", "excel-trailing-empty-column"],
)
def test_optional_columns_may_be_missing(ledger: Ledger, header: str) -> None:
    extra = ",," if header.endswith(",") else ""
    write_raw(ledger, f"{header}\nc1,H1,0,5,kela{extra}\n")
    frame = ledger.read()
    assert tuple(frame.columns) == CODING_COLUMNS
    assert frame.iloc[0].to_dict() == {
        "coding_id": "c1",
        "source_id": "H1",
        "start": 0,
        "end": 5,
        "code": "kela",
        "coder": "",
        "status": "accepted",
        "created": "",
        "memo": "",
        "reduced": "",
        "text": "",
    }


def test_empty_file_reads_as_empty_ledger(ledger: Ledger) -> None:
    write_raw(ledger, "")
    assert ledger.read().empty


MULTILINE = 'c0,H1,0,5,kela,,accepted,,,,"kaksi\nriviä"'


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            ["coding_id,source_id,end,code", "c1,H1,5,k"],
            r"row 1 \(the header\): column 'start' is missing",
        ),
        (
            [HEADER + ",colour", GOOD + ",red"],
            r"row 1 \(the header\): column 'colour' is not a ledger column",
        ),
        (
            [HEADER, MULTILINE, GOOD.replace(",0,5,", ",abc,5,")],
            r"row 3, column 'start': 'abc' is not a whole number",
        ),
        (
            [HEADER, GOOD.replace(",0,5,", ",0,7.5,")],
            r"row 2, column 'end': '7.5' is not a whole number",
        ),
        (
            [HEADER, MULTILINE, MULTILINE.replace("c0", "c9"), GOOD.replace(",0,5,", ",5,5,")],
            r"row 4, column 'end': 5 is not after start 5",
        ),
        ([HEADER, GOOD.replace(",0,5,", ",-1,5,")], r"row 2, column 'start': -1 is negative"),
        (
            [HEADER, MULTILINE, GOOD.replace("accepted", "hyväksytty")],
            r"row 3, column 'status': 'hyväksytty' is not one of accepted, suggested, rejected",
        ),
        ([HEADER, GOOD, MULTILINE, GOOD], r"column 'coding_id': 'c1' appears in row 2 and row 4"),
        ([HEADER, MULTILINE, GOOD.replace("c1,", ",", 1)], r"row 3, column 'coding_id': empty"),
        ([HEADER, GOOD.replace(",johtaminen,", ",,")], r"row 2, column 'code': empty"),
    ],
    ids=[
        "missing-column",
        "unknown-column",
        "start-not-number",
        "end-fraction",
        "empty-span",
        "negative",
        "status",
        "duplicate-id",
        "empty-id",
        "empty-code",
    ],
)
def test_invalid_file_is_refused_naming_file_row_and_column(
    ledger: Ledger, lines: list[str], message: str
) -> None:
    before = write_raw(ledger, "\n".join(lines) + "\n")
    with pytest.raises(CodingError, match=r"codings\.csv: .*" + message):
        ledger.read()
    with pytest.raises(CodingError, match=message):
        ledger.add([ROW])
    assert ledger.path.read_bytes() == before


def test_all_problems_are_listed_at_once(ledger: Ledger) -> None:
    write_raw(
        ledger,
        "\n".join(
            [
                HEADER,
                GOOD.replace(",0,5,", ",x,5,"),
                GOOD.replace("c1,", "c2,").replace("accepted", "ok"),
            ]
        )
        + "\n",
    )
    with pytest.raises(CodingError, match=r"row 2, column 'start'.*row 3, column 'status'"):
        ledger.read()


# ---------------------------------------------------------------------------- changes
def test_update_changes_given_columns_and_counts_real_changes(ledger: Ledger) -> None:
    ids = ledger.add([ROW, ROW, ROW])
    assert ledger.update(ids[:2], status="rejected", memo="tarkista") == 2
    inode = ledger.path.stat().st_ino
    assert ledger.update(ids[0], status="rejected") == 0
    assert ledger.path.stat().st_ino == inode  # nothing changed, nothing rewritten
    frame = ledger.read()
    assert frame["status"].tolist() == ["rejected", "rejected", "accepted"]
    assert frame["memo"].tolist() == ["tarkista", "tarkista", ""]


@pytest.mark.parametrize(
    ("ids", "changes", "message"),
    [
        (None, {"coding_id": "x"}, "coding_id cannot be changed"),
        (None, {"colour": "red"}, "'colour' given"),
        (None, {}, "no column given"),
        (None, {"status": "done"}, "'done' is not one of accepted"),
        (None, {"start": "1"}, "column 'start': '1' is not a whole number"),
        (None, {"start": 9}, r"row 2, column 'end': 5 is not after start 9"),
        (["nope"], {"memo": "x"}, "no coding\\(s\\) 'nope'; nothing was changed"),
    ],
)
def test_update_refuses_and_changes_nothing(
    ledger: Ledger, ids: list[str] | None, changes: dict[str, Any], message: str
) -> None:
    [cid] = ledger.add([ROW])
    before = ledger.path.read_bytes()
    with pytest.raises(CodingError, match=message):
        ledger.update(ids or [cid], **changes)
    assert ledger.path.read_bytes() == before


def test_remove_counts_and_refuses_unknown_ids_whole(ledger: Ledger) -> None:
    a, b, c = ledger.add([ROW, ROW, ROW])
    before = ledger.path.read_bytes()
    with pytest.raises(CodingError, match="no coding\\(s\\) 'zzz'; nothing was removed"):
        ledger.remove([a, "zzz"])
    assert ledger.path.read_bytes() == before
    assert ledger.remove(b) == 1  # a lone string is one id
    assert ledger.remove([a, a]) == 1
    assert ledger.read()["coding_id"].tolist() == [c]
    assert ledger.remove([]) == 0


@pytest.mark.parametrize(
    ("mapping", "expected", "changed"),
    [
        ({"a": "b"}, ["b", "b", "c"], 1),
        ({"a": "b", "b": "c"}, ["b", "c", "c"], 2),  # at once, not chained
        ({"zzz": "a"}, ["a", "b", "c"], 0),
        ({}, ["a", "b", "c"], 0),
    ],
)
def test_recode_replaces_keys_at_once(
    ledger: Ledger, mapping: dict[str, str], expected: list[str], changed: int
) -> None:
    ledger.add([{**ROW, "code": k} for k in "abc"])
    assert ledger.recode(mapping) == changed
    assert ledger.read()["code"].tolist() == expected


def test_recode_refuses_empty_keys(ledger: Ledger) -> None:
    with pytest.raises(CodingError, match="'a' -> ''"):
        ledger.recode({"a": ""})


def test_replace_spans_moves_known_codings_and_skips_removed_ones(ledger: Ledger) -> None:
    a, b = ledger.add([ROW, ROW])
    moves = pd.DataFrame({"coding_id": [a, "gone"], "start": [2, 0], "end": [9, 3]})
    assert ledger.replace_spans(moves.astype({"start": "Int64", "end": "Int64"})) == 1
    frame = ledger.read()
    assert frame[["start", "end"]].to_numpy().tolist() == [[2, 9], [0, 5]]
    assert ledger.replace_spans(moves) == 0


@pytest.mark.parametrize(
    ("moves", "message"),
    [
        (pd.DataFrame({"coding_id": ["x"], "start": [3]}), "'end' missing"),
        (pd.DataFrame({"coding_id": ["x"], "start": [3.0], "end": [4.0]}), "whole numbers"),
        (pd.DataFrame({"coding_id": ["x"], "start": [4], "end": [4]}), "4–4 is not a passage"),
        (
            pd.DataFrame({"coding_id": ["x", "x"], "start": [1, 2], "end": [4, 5]}),
            "'x' is given more than once",
        ),
    ],
)
def test_replace_spans_refuses_bad_moves(ledger: Ledger, moves: pd.DataFrame, message: str) -> None:
    with pytest.raises(CodingError, match=message):
        ledger.replace_spans(moves)


# ---------------------------------------------------------------------------- transaction
def test_transaction_writes_the_new_frame(ledger: Ledger) -> None:
    ids = ledger.add([{**ROW, "coder": c} for c in ("mm", "testi", "aa")])
    with ledger.transaction() as edit:
        edit.frame = edit.frame[edit.frame["coder"] != "testi"]
        edit.frame.loc[:, "memo"] = "katsottu"
    frame = ledger.read()
    assert frame["coding_id"].tolist() == [ids[0], ids[2]]
    assert (frame["memo"] == "katsottu").all()


@pytest.mark.parametrize(
    ("edit_frame", "error", "message"),
    [
        (lambda f: f.assign(colour="red"), CodingError, "column 'colour' is not a ledger column"),
        (lambda f: f.assign(status="ok"), CodingError, "row 2, column 'status'"),
        (lambda f: f.assign(start=f["start"].astype(float)), CodingError, "whole numbers"),
        (lambda f: f.drop(columns="text"), CodingError, "column 'text' is missing"),
        (lambda f: f.assign(memo=None), CodingError, "row 2, column 'memo': None is not text"),
        (lambda f: 1 / 0, ZeroDivisionError, "division"),
    ],
)
def test_failed_transaction_writes_nothing(
    ledger: Ledger, edit_frame: Any, error: type[Exception], message: str
) -> None:
    ledger.add([ROW])
    before = ledger.path.read_bytes()
    with pytest.raises(error, match=message), ledger.transaction() as edit:
        edit.frame = edit_frame(edit.frame)
    assert ledger.path.read_bytes() == before
    assert ledger.add([ROW])  # the lock was released


def test_changes_inside_a_transaction_are_refused(ledger: Ledger) -> None:
    with pytest.raises(CodingError, match="inside Ledger.transaction"), ledger.transaction():
        ledger.add([ROW])
    assert not ledger.path.exists()


# ---------------------------------------------------------------------------- concurrency
def test_lock_held_elsewhere_gives_a_clear_error(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "codings.csv", timeout=0.2)
    assert ledger.lock_path == tmp_path / ".codings.csv.lock"
    with (
        filelock.FileLock(ledger.lock_path),
        pytest.raises(CodingError, match="another process holds its lock.*nothing was changed"),
    ):
        ledger.add([ROW])
    assert not ledger.path.exists()


def _add_one_by_one(path: str, coder: str, n: int, barrier: Any) -> None:
    ledger = Ledger(path)
    barrier.wait()
    for i in range(n):
        ledger.add([{**ROW, "coder": coder, "memo": str(i)}])


def test_two_processes_adding_at_once_keep_every_coding(tmp_path: Path) -> None:
    path = tmp_path / "codes" / "codings.csv"
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    workers = [
        ctx.Process(target=_add_one_by_one, args=(str(path), coder, 50, barrier))
        for coder in ("kernel-a", "kernel-b")
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    frame = Ledger(path).read()
    assert len(frame) == 100 and frame["coding_id"].is_unique
    for coder in ("kernel-a", "kernel-b"):
        memos = frame.loc[frame["coder"] == coder, "memo"].tolist()
        assert memos == [str(i) for i in range(50)]
    assert leftovers(path.parent) == []


# ---------------------------------------------------------------------------- crash safety
@pytest.mark.parametrize("broken", ["fsync", "replace", "write"])
def test_failed_save_leaves_the_last_good_file(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    # A change that rewrites the file; appends fail differently (tests/test_ledger_append.py).
    [cid] = ledger.add([{**ROW, "text": "vanha\nrivi"}])
    before = ledger.path.read_bytes()

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(f"simulated {broken} failure")

    if broken == "write":
        # The data reaches the temporary file only in part before the disk fills up.
        real = os.fdopen

        class HalfFile:
            def __init__(self, fd: int, **open_args: Any) -> None:
                self.fh = real(fd, **open_args)

            def __enter__(self) -> HalfFile:
                return self

            def __exit__(self, *exc: object) -> None:
                self.fh.close()

            def write(self, data: bytes | str) -> None:
                self.fh.write(data[: len(data) // 2])
                fail()

        monkeypatch.setattr(storage.os, "fdopen", HalfFile)
    else:
        monkeypatch.setattr(storage.os, broken, fail)
    history = ledger.history
    assert history is not None
    changes = history.path.read_bytes()
    with pytest.raises(StorageError, match=f"codings.csv could not be saved because simulated "
                       f"{broken} failure; the previous codings.csv is unchanged"):
        ledger.update([cid], memo="uusi")
    monkeypatch.undo()
    assert ledger.path.read_bytes() == before
    # The change the ledger did not take is not in its history either.
    assert history.path.read_bytes() == changes
    assert leftovers(ledger.path.parent) == []
    assert ledger.update([cid], memo="uusi") == 1
    assert [c.action for c in history.live()] == ["code", "edit"]


KILLED_WRITER = """
import sys, time
from tymqual import storage
from tymqual.codings import Ledger

def stall(fd):
    open(sys.argv[2], "w").close()
    time.sleep(60)

storage.os.fsync = stall
Ledger(sys.argv[1]).recode({"johtaminen": "uusi"})  # a rewrite: appends are tested apart
"""


def test_writer_killed_mid_save_leaves_the_last_good_file(ledger: Ledger, tmp_path: Path) -> None:
    ledger.add([{**ROW, "text": "vanha"}])
    before = ledger.path.read_bytes()
    marker = tmp_path / "writing"
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(ledger.path), str(marker)], stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 30
    while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    child.kill()
    _, err = child.communicate()
    assert marker.exists(), err.decode()
    assert ledger.path.read_bytes() == before
    assert leftovers(ledger.path.parent)  # the dead writer's temporary file
    ledger.add([ROW])  # the lock died with the writer; its leftovers are cleared
    assert leftovers(ledger.path.parent) == []
    assert ledger.read()["code"].tolist() == ["johtaminen", "johtaminen"]


# ---------------------------------------------------------------------------- re-anchoring
def codings_for(text: str, spans: list[tuple[int, int]], source_id: str = "H1") -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "coding_id": [f"c{i}" for i in range(len(spans))],
            "source_id": source_id,
            "start": [s for s, _ in spans],
            "end": [e for _, e in spans],
            "text": [text[s:e] for s, e in spans],
        }
    )
    return frame


def test_reanchor_moves_a_passage_after_an_earlier_typo_fix() -> None:
    old = "V: Verkostojohtja on liima. Kela on mukana.\nH: Entä?"
    new = old.replace("Verkostojohtja", "Verkostojohtaja")
    kela = old.index("Kela on mukana.")
    codings = codings_for(old, [(3, 8), (kela, kela + 15)])
    report = reanchor(codings, {"H1": new})
    assert tuple(report.columns) == REANCHOR_COLUMNS
    assert report["coding_id"].tolist() == ["c1"]  # c0, before the fix, is unchanged
    row = report.iloc[0]
    assert (row["old_start"], row["start"], row["outcome"]) == (kela, kela + 1, "moved")
    assert new[row["start"] : row["end"]] == "Kela on mukana."
    assert "1 character(s) later" in row["detail"]


@pytest.mark.parametrize(
    "edited",
    ["alku. Kela on\nmukana tässä. loppu", "alku. kela ON  mukana tässä. loppu, pidempi"],
    ids=["line-break", "case-and-double-space"],
)
def test_reanchor_falls_back_to_a_whitespace_and_case_tolerant_match(edited: str) -> None:
    old = "alku tekstiä. Kela on mukana tässä. loppu"
    codings = codings_for(old, [(14, 35)])
    report = reanchor(codings, {"H1": edited})
    row = report.iloc[0]
    assert row["outcome"] == "moved" and row["start"] == 6
    assert " ".join(edited[row["start"] : row["end"]].lower().split()) == "kela on mukana tässä."
    assert "ignoring case and white space" in row["detail"]
    # Once saved, the tolerant match is where the coding is: nothing more to report.
    moved = codings.assign(start=int(row["start"]), end=int(row["end"]))
    assert reanchor(moved, {"H1": edited}).empty


def test_reanchor_reports_lost_passages_and_missing_sources() -> None:
    old = "Henkilöstö vaihtui kesken kaiken. Mallisopimus auttoi."
    codings = pd.concat(
        [
            codings_for(old, [(0, 33), (34, 54)]),
            codings_for(old, [(0, 10)], source_id="H9").assign(coding_id="c9"),
        ]
    )
    new = "Väki vaihtui. Mallisopimus auttoi."
    report = reanchor(codings, {"H1": new}).set_index("coding_id")
    assert report["outcome"].to_dict() == {"c0": "lost", "c1": "moved", "c9": "lost"}
    assert report.loc["c9", "detail"].startswith("Source missing: no source 'H9' was loaded")
    assert (
        "'Henkilöstö vaihtui kesken kaiken.' is no longer in the source"
        in (report.loc["c0", "detail"])
    )
    assert report.loc["c0", "old_start"] == 0 and pd.isna(report.loc["c0", "start"])
    assert str(report["start"].dtype) == "Int64"


def test_reanchor_without_changes_gives_an_empty_report_with_the_columns() -> None:
    text = "Kela on mukana."
    report = reanchor(codings_for(text, [(0, 4)]), {"H1": text})
    assert report.empty and tuple(report.columns) == REANCHOR_COLUMNS
    with pytest.raises(CodingError, match="lack column"):
        reanchor(pd.DataFrame({"coding_id": ["c"]}), {"H1": text})


def test_reanchor_report_feeds_replace_spans(ledger: Ledger) -> None:
    old, new = "xx Kela on mukana.", "xxxx Kela on mukana."
    [cid] = ledger.add([{**ROW, "start": 3, "end": 18, "text": old[3:18]}])
    report = reanchor(ledger.read(), {"H1": new})
    assert ledger.replace_spans(report[["coding_id", "start", "end"]]) == 1
    frame = ledger.read()
    assert new[frame["start"].iat[0] : frame["end"].iat[0]] == "Kela on mukana."
    assert reanchor(frame, {"H1": new}).empty and frame["coding_id"].iat[0] == cid


def test_statuses_are_the_documented_three() -> None:
    assert STATUSES == ("accepted", "suggested", "rejected")


def _propose(path: str, n: int) -> None:
    ledger = Ledger(path)
    for i in range(n):
        ledger.add_missing(
            [
                {
                    "source_id": "H1",
                    "start": i,
                    "end": i + 1,
                    "code": "k",
                    "status": "suggested",
                    "text": "x",
                }
            ]
        )


def test_add_missing_skips_existing_spans_in_any_status(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "codings.csv")
    row = {"source_id": "H1", "start": 0, "end": 4, "code": "k", "text": "Kela"}
    (first,) = ledger.add_missing([row])
    ledger.update([first], status="rejected")
    other = {**row, "code": "m"}
    assert ledger.add_missing([row, other, other]) == [
        None,
        ledger.read()["coding_id"].iloc[1],
        None,
    ]
    assert sorted(ledger.read()["code"]) == ["k", "m"]


def test_two_processes_proposing_the_same_spans_add_each_once(tmp_path: Path) -> None:
    path = tmp_path / "codings.csv"
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_propose, args=(str(path), 25)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    assert sorted(Ledger(path).read()["start"]) == list(range(25))


@pytest.mark.parametrize(
    "value", ['=HYPERLINK("http://example.invalid","x")', "- no niin", "@kela"]
)
def test_formula_like_passages_are_inert_on_disk_and_exact_in_memory(
    ledger: Ledger, value: str
) -> None:
    [cid] = ledger.add([{**ROW, "text": value, "memo": value}])
    assert ledger.read().set_index("coding_id").loc[cid, "text"] == value
    cells = ledger.path.read_text(encoding="utf-8-sig").splitlines()[1]
    assert "\u200b" + value.split(",")[0].replace('"', '""') in cells


# ---------------------------------------------------------------------------- parse reuse
def test_reading_again_sees_an_edit_made_outside_the_ledger(ledger: Ledger) -> None:
    # The ledger keeps its last parse while the file's bytes are unchanged; an edit in Excel
    # or by another process (here: same length, one letter changed) must still be seen.
    write_raw(ledger, HEADER + "\n" + GOOD + "\n")
    assert ledger.read()["code"].tolist() == ["johtaminen"]
    write_raw(ledger, HEADER + "\n" + GOOD.replace("johtaminen", "johtaminem") + "\n")
    assert ledger.read()["code"].tolist() == ["johtaminem"]
    other = Ledger(ledger.path)  # a second handle writes; the first one reads it
    other.remove(["c1"])
    assert ledger.read().empty


def test_changing_a_frame_read_does_not_change_the_next_read(ledger: Ledger) -> None:
    write_raw(ledger, HEADER + "\n" + GOOD + "\n")
    first = ledger.read()
    first.loc[0, "code"] = "muutettu"
    del first["memo"]
    again = ledger.read()
    assert again["code"].tolist() == ["johtaminen"]
    assert list(again.columns) == list(CODING_COLUMNS)


def test_a_file_made_invalid_after_a_good_read_is_refused(ledger: Ledger) -> None:
    write_raw(ledger, HEADER + "\n" + GOOD + "\n")
    ledger.read()
    write_raw(ledger, HEADER + "\n" + GOOD.replace(",0,5,", ",9,5,") + "\n")
    with pytest.raises(CodingError, match="row 2"):
        ledger.read()


# ---------------------------------------------------------------------------- frames as rows
def _without_ids_and_dates(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=["coding_id", "created"])


def test_a_frame_of_rows_adds_what_the_same_mappings_add(tmp_path: Path) -> None:
    rows = [{"source_id": "H1", "start": i, "end": i + 3, "code": "k", "text": f"=x{i}",
             "status": "suggested"} for i in range(5)]
    by_dicts, by_frame = Ledger(tmp_path / "a.csv"), Ledger(tmp_path / "b.csv")
    by_dicts.add_missing(rows[:2])
    by_frame.add_missing(pd.DataFrame(rows[:2]))
    ids = by_frame.add_missing(pd.DataFrame(rows, index=range(10, 15)))  # index is ignored
    assert ids[:2] == [None, None] and all(ids[2:])
    by_dicts.add_missing(rows)
    pd.testing.assert_frame_equal(_without_ids_and_dates(by_dicts.read()),
                                  _without_ids_and_dates(by_frame.read()))
    assert Ledger(tmp_path / "c.csv").add(pd.DataFrame(rows[:1])) != []


@pytest.mark.parametrize(("column", "value", "message"), [
    ("start", "3", r"row 2 given to add\(\).*'start'"),
    ("code", None, r"row 2 given to add\(\).*'code'"),
    ("colour", "red", "colour"),
])
def test_a_bad_frame_is_refused_naming_the_row_and_nothing_is_added(
        tmp_path: Path, column: str, value: object, message: str) -> None:
    ledger = Ledger(tmp_path / "codings.csv")
    ledger.add([ROW])
    before = ledger.path.read_bytes()
    rows = pd.DataFrame([ROW, ROW, ROW]).assign(start=[0, 1, 2])
    rows[column] = rows.get(column, pd.Series([""] * 3)).astype(object)
    rows.loc[1, column] = value
    for add in (ledger.add, ledger.add_missing):
        with pytest.raises(CodingError, match=message):
            add(rows)
        assert ledger.path.read_bytes() == before


@pytest.mark.parametrize(("encoding", "sep"), [("utf-16", "\t"), ("cp1252", ";"), ("utf-8", "\t")])
def test_a_foreign_save_with_reordered_columns_is_read_and_told_once(
    ledger: Ledger, encoding: str, sep: str
) -> None:
    ids = ledger.add([{**ROW, "memo": "hyvä"}, {**ROW, "start": 6, "end": 9, "code": "työ"}])
    before = ledger.read()
    columns = list(reversed(CODING_COLUMNS))
    ledger.path.write_bytes(before[columns].to_csv(sep=sep, index=False, lineterminator="\r\n")
                            .encode(encoding))
    again = Ledger(ledger.path)
    with pytest.warns(TymqualWarning) as caught:
        frame = again.read()
    pd.testing.assert_frame_equal(frame, before)
    [message] = [str(w.message) for w in caught]
    assert message.startswith(f"{ledger.path} was re-saved by another program")
    assert "nothing lost" in message
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the same content again: said once
        again.read()
    assert again.read_notes.empty and ids == frame["coding_id"].tolist()


@pytest.mark.parametrize("created", ["2026-12-07T12:00:00+02:00", "7.12.2026 12:00",
                                     "2026-12-07 10:00:00", "2026-12-07T10:00:00.5Z"])
@pytest.mark.parametrize("as_frame", [False, True])
def test_a_created_time_in_another_form_is_refused_and_nothing_is_added(
    ledger: Ledger, created: str, as_frame: bool
) -> None:
    good = {"source_id": "H1", "start": 0, "end": 5, "code": "a", "coder": "A", "text": "Hyvä."}
    ledger.add([good])
    before = ledger.path.read_bytes()
    rows = [good, {**good, "start": 1, "created": created}]
    with pytest.raises(CodingError, match=r"row 2 given to add\(\), column 'created'"):
        ledger.add(pd.DataFrame(rows) if as_frame else rows)
    assert ledger.path.read_bytes() == before
    with pytest.raises(CodingError, match="'created'"):
        ledger.update(ledger.read()["coding_id"], created=created)


def test_a_created_time_as_tymqual_writes_it_is_kept(ledger: Ledger) -> None:
    ledger.add([{"source_id": "H1", "start": 0, "end": 5, "code": "a", "coder": "A",
                 "text": "Hyvä.", "created": "2026-12-07T10:00:00Z"}])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Ledger(ledger.path).read()["created"].tolist() == ["2026-12-07T10:00:00Z"]


# ---------------------------------------------------------------------------- kept columns
TEXTS = ["Kela!", "=SUM(1)", "rivi 1\nrivi 2", 'hän sanoi "ei"', "", "👍 ja ä"]


@pytest.fixture
def kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Ledger:
    """A ledger kept as columns in ``cache/`` from its first row on."""
    monkeypatch.setattr("tymqual.codings.KEEP_ROWS", 1)
    ledger = Ledger(tmp_path / "codes" / "codings.csv")
    ledger.keep = tmp_path / "cache"
    ledger.add([{**ROW, "start": i, "end": i + 5, "text": t, "memo": t, "coder": "A"}
                for i, t in enumerate(TEXTS)])
    ledger.read()
    return ledger


def kept_files(ledger: Ledger) -> list[Path]:
    assert ledger.keep is not None
    return sorted(ledger.keep.glob("*.cols"))


def test_a_kept_ledger_reads_as_the_parsed_one_without_parsing(
        kept: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(kept_files(kept)) == 1
    parsed = Ledger(kept.path).read()  # no keep: the file parsed
    monkeypatch.setattr("tymqual.codings._parse", None)  # a parse now would fail
    fresh = Ledger(kept.path)
    fresh.keep = kept.keep
    pd.testing.assert_frame_equal(fresh.read(), parsed)
    assert fresh.read()["text"].tolist() == TEXTS
    fresh.add([{**ROW, "start": 40, "end": 45, "coder": "A"}])  # and it appends as before
    monkeypatch.undo()
    assert Ledger(kept.path).read()["start"].tolist()[-1] == 40


def _same_size_edit(path: Path) -> None:
    """Change one letter of a passage as an editor would, keeping size and mtime."""
    stat = path.stat()
    data = path.read_bytes()
    path.write_bytes(data.replace(b"Kela!", b"Kelo!", 1))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


@pytest.mark.parametrize("edit", ["same-size", "bad-offset", "resaved-semicolons"])
def test_an_edit_made_outside_is_read_and_checked_not_hidden_by_the_kept_copy(
        kept: Ledger, edit: str) -> None:
    path = kept.path
    fresh = Ledger(path)
    fresh.keep = kept.keep
    if edit == "same-size":
        _same_size_edit(path)  # the first "Kela!" in a row is its memo
        read = fresh.read()
        assert read["memo"].tolist()[0] == "Kelo!"
        pd.testing.assert_frame_equal(read, Ledger(path).read())
        return
    frame = Ledger(path).read()
    if edit == "bad-offset":
        lines = path.read_text(encoding="utf-8-sig").split("\n")
        lines[2] = lines[2].replace(",1,6,", ",yksi,6,", 1)
        path.write_text("\n".join(lines), encoding="utf-8-sig")
        with pytest.raises(CodingError, match=r"row 3, column 'start': 'yksi' is not a whole"):
            fresh.read()
        return
    frame.to_csv(path, sep=";", index=False, encoding="utf-8-sig")  # as a Finnish Excel
    with pytest.warns(TymqualWarning, match=str(path)):
        read = fresh.read()
    assert read["text"].tolist() == TEXTS
    assert len(kept_files(fresh)) == 1  # a repaired read is never kept


def test_a_damaged_kept_copy_is_parsed_again(kept: Ledger) -> None:
    [copy] = kept_files(kept)
    data = bytearray(copy.read_bytes())
    data[len(data) // 3] ^= 0xFF
    copy.write_bytes(bytes(data))
    fresh = Ledger(kept.path)
    fresh.keep = kept.keep
    pd.testing.assert_frame_equal(fresh.read(), Ledger(kept.path).read())
