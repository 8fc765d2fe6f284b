"""Atomic writes and reading CSV as Excel writes it back."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tymqual
from tymqual import storage, tables
from tymqual.errors import TymqualError


def test_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "codings.csv"
    storage.atomic_write_text(target, "vanha\n")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(storage.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        storage.atomic_write_text(target, "uusi\n")
    assert target.read_text() == "vanha\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["codings.csv"]


def test_replacing_keeps_the_old_file_when_the_writer_fails(tmp_path: Path) -> None:
    target = tmp_path / "raportti.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), storage.replacing(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("writer crashed")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["raportti.xlsx"]


def test_write_csv_has_bom_for_excel(tmp_path: Path) -> None:
    storage.write_csv(pd.DataFrame({"alue": ["itäinen"]}), tmp_path / "a.csv")
    assert (tmp_path / "a.csv").read_bytes().startswith(b"\xef\xbb\xbfalue\nit\xc3\xa4inen")


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("case_id;alue\nH1;itäinen\nH2;NA\n", "cp1252"),
        ("case_id,alue\nH1,itäinen\nH2,NA\n", "utf-8-sig"),
    ],
)
def test_read_csv_strings_as_excel_saves(tmp_path: Path, data: str, encoding: str) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes(data.encode(encoding))
    frame = storage.read_csv_strings(path)
    assert frame.to_dict("list") == {"case_id": ["H1", "H2"], "alue": ["itäinen", "NA"]}


def test_replaced_file_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "codings.csv"
    target.write_text("vanha\n")
    target.chmod(0o664)
    storage.atomic_write_text(target, "uusi\n")
    assert target.stat().st_mode & 0o777 == 0o664
    fresh = tmp_path / "uusi.csv"
    storage.atomic_write_text(fresh, "x")
    assert fresh.stat().st_mode & 0o044 == 0o044  # group and others may read, as with open()


# ---------------------------------------------------------------------------- any program's CSV
_TABLE = {"case_id": ["H1", "H2"], "alue": ["itäinen; pohjoinen", "a,b \"c\"\nd"]}


@pytest.mark.parametrize("sep", [",", ";", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "utf-16", "cp1252"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_read_csv_table_reads_any_excel_or_libreoffice_save(
    sep: str, encoding: str, newline: str
) -> None:
    text = pd.DataFrame(_TABLE).to_csv(sep=sep, index=False, lineterminator=newline)
    frame, found = storage.read_csv_table(text.encode(encoding), where="cases.csv")
    assert frame.to_dict("list") == _TABLE
    assert (found.separator, found.encoding) == (sep, encoding)
    assert found.line_end == newline


def test_separator_inside_quotes_or_a_one_column_header_misleads_nothing() -> None:
    frame = storage.parse_csv_strings(b'case_id\n"H1;x,y"\nH2\n')
    assert frame.to_dict("list") == {"case_id": ["H1;x,y", "H2"]}
    # Excel quotes only what holds its own separator: commas stand bare in a ';' file.
    frame = storage.parse_csv_strings(b"a;b\n1,5;x, y, z\n2,5;w\n")
    assert frame.to_dict("list") == {"a": ["1,5", "2,5"], "b": ["x, y, z", "w"]}
    frame = storage.parse_csv_strings(b"sep=;\na;b\n1;2\n")
    assert frame.to_dict("list") == {"a": ["1"], "b": ["2"]}


def test_bytes_cp1252_leaves_undefined_decode_without_error() -> None:
    text, encoding = storage.decode_bytes(b"a\x81\x8d\x8f\x90\x9d\xe4\x80", "x.csv")
    assert encoding == "cp1252" and text == "a\x81\x8d\x8f\x90\x9dä€"
    with pytest.raises(TymqualError, match="x.csv: starts with a UTF-16"):
        storage.decode_bytes(b"\xff\xfea\x00b", "x.csv")


def test_conflict_markers_are_an_unfinished_merge() -> None:
    text = "a,b\n<<<<<<< HEAD\n1,2\n=======\n1,3\n>>>>>>> feature\n"
    with pytest.raises(TymqualError) as caught:
        storage.parse_csv_strings(text.encode(), where="codes/cases.csv")
    message = str(caught.value)
    for part in ("codes/cases.csv has an unfinished git merge", "line(s) 2, 4, 6",
                 "git checkout --ours codes/cases.csv", "git add codes/cases.csv"):
        assert part in message
    # A memo line of '=' signs alone is text.
    storage.refuse_merge_conflict('a\n"x\n=======\ny"\n', "f")


_CONFLICTS = {
    "codes/codings.csv": "coding_id,source_id,start,end,code\n<<<<<<< HEAD\nc1,H1,0,3,johtaminen\n"
                         "=======\nc2,H1,0,4,johtaminen\n>>>>>>> toinen\n",
    "codes/cases.csv": "case_id,label\n<<<<<<< HEAD\nH1,a\n=======\nH1,b\n>>>>>>> toinen\n",
    "codes/case_summaries.csv": "case_id,code,summary\n<<<<<<< HEAD\nH1,johtaminen,a\n=======\n"
                                "H1,johtaminen,b\n>>>>>>> toinen\n",
    "codes/codebook.yaml": "name: x\ncodes:\n<<<<<<< HEAD\n  - name: A\n=======\n  - name: B\n"
                           ">>>>>>> toinen\n",
    "tymqual.yaml": "name: x\n<<<<<<< HEAD\nmin_cell_size: 3\n=======\nmin_cell_size: 5\n"
                    ">>>>>>> toinen\n",
    "codes/joint_display.yaml": "<<<<<<< HEAD\n- theme: johtaminen\n=======\n- theme: neuvottelut\n"
                                ">>>>>>> toinen\n",
}


@pytest.mark.parametrize("rel", list(_CONFLICTS))
def test_every_project_file_refuses_conflict_markers(
    make_project: Callable[..., tymqual.Project], rel: str
) -> None:
    p = make_project()
    (p.root / rel).write_text(_CONFLICTS[rel], encoding="utf-8")
    with pytest.raises(TymqualError) as caught:
        p = make_project()
        if rel.endswith("case_summaries.csv"):
            tables.case_summary(p)
        elif rel.endswith("joint_display.yaml"):
            tables.save_joint_display_notes(p, "johtaminen", fit="expands")
        else:
            p.ledger.read()
    message = str(caught.value)
    first = {"codes/codebook.yaml": 3, "codes/joint_display.yaml": 1}.get(rel, 2)
    assert f"{p.root / rel} has an unfinished git merge" in message
    assert f"line(s) {first}, {first + 2}, {first + 4}" in message
    assert "git checkout --ours" in message and f"git add {p.root / rel}" in message


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["12", " 7 ", "-3", "1e3", "", "١٢", "12.0", "x", "12\n"])
                | st.text(max_size=6), max_size=40))
def test_not_matching_is_the_pattern_cell_by_cell(cells: list[str]) -> None:
    import re

    from tymqual.storage import not_matching

    pattern = re.compile(r"\s*[+-]?\d{1,18}\s*")
    mask = not_matching(pd.Series(cells, dtype="str"), pattern)
    assert mask.tolist() == [pattern.fullmatch(c) is None for c in cells]


# ---------------------------------------------------------------------------- column store
@settings(max_examples=40, deadline=None)
@given(texts=st.lists(st.text(st.characters(blacklist_categories=["Cs"]), max_size=8),
                      max_size=30))
def test_columns_read_back_as_written(texts: list[str]) -> None:
    numbers = np.arange(len(texts), dtype=np.int64) * -7
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.cols"
        storage.write_columns(path, {"n": numbers, "t": texts})
        read = storage.read_columns(path)
    assert read is not None
    assert read["n"].tolist() == numbers.tolist()
    assert list(read["t"]) == texts


@pytest.mark.parametrize("damage", ["flip", "cut", "empty", "tail"])
def test_a_damaged_column_file_reads_as_none(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "c.cols"
    storage.write_columns(path, {"n": np.arange(50, dtype=np.int64), "t": ["kyllä"] * 50})
    data = bytearray(path.read_bytes())
    if damage == "flip":  # one byte of the text changed: the checksum tells
        at = data.index("kyllä".encode())
        data[at] ^= 0x01
    elif damage == "cut":
        data = data[: len(data) // 2]
    elif damage == "empty":
        data = bytearray()
    else:
        data = data[:-1]
    path.write_bytes(bytes(data))
    assert storage.read_columns(path) is None
    assert storage.read_columns(tmp_path / "missing.cols") is None
