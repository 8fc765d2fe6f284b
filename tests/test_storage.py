"""Atomic writes and reading CSV as Excel writes it back."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from tymqual import storage


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
