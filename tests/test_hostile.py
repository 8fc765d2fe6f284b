"""Hostile sources: links out of the project, binary or garbled text, zip bombs, huge files."""

from __future__ import annotations

import os
import warnings
import zipfile
from pathlib import Path

import pytest

import tymqual
from tymqual.errors import TymqualWarning
from tymqual.integrity import check
from tymqual.refi import export_qdpx

SECRET = "SALAINEN-ULKOPUOLINEN-RIVI root:x:0:0"
INSIDE = "H: Mitä kuuluu?\nV: Hyvää kuuluu, kiitos kysymästä.\n"


def _open(root: Path) -> tuple[tymqual.Project, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        p = tymqual.open_project(root)
    return p, [str(w.message) for w in caught if issubclass(w.category, TymqualWarning)]


@pytest.mark.parametrize("folder", ["transcripts", "documents", "surveys"])
def test_a_link_out_of_the_project_is_skipped_and_named(tmp_path: Path, folder: str) -> None:
    root = tmp_path / "proj"
    tymqual.init_project(root, name="testi")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    suffix = ".csv" if folder == "surveys" else ".txt"
    secret = outside / f"secret{suffix}"
    secret.write_text("id,vastaus\n1,x\n" if folder == "surveys" else SECRET, encoding="utf-8")
    (root / folder).mkdir(exist_ok=True)
    os.symlink(secret, root / folder / f"ulos{suffix}")
    (root / "transcripts" / "oma.txt").write_text(INSIDE, encoding="utf-8")
    p, messages = _open(root)
    assert "ulos" not in p.source_ids
    assert f"{folder}/ulos{suffix}" in set(p.skipped["path"])
    assert any(f"ulos{suffix}" in m and "outside the project" in m for m in messages)
    found = check(p)
    assert "skipped_sources" in set(found["problem"])


def test_links_inside_stay_and_outside_content_never_reaches_an_export(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    tymqual.init_project(root, name="testi")
    secret = tmp_path / "passwd"
    secret.write_text(SECRET, encoding="utf-8")
    (root / "transcripts" / "oma.txt").write_text(INSIDE, encoding="utf-8")
    os.symlink(secret, root / "transcripts" / "passwd.txt")
    # A ".." route that resolves outside is the same thing as a link out.
    (root / "documents").mkdir(exist_ok=True)
    os.symlink(root / ".." / "passwd", root / "documents" / "ylos.txt")
    # A link to a file inside the project is an ordinary source.
    (root / "aineisto").mkdir()
    (root / "aineisto" / "sisalla.txt").write_text(INSIDE, encoding="utf-8")
    os.symlink(root / "aineisto" / "sisalla.txt", root / "transcripts" / "linkki.txt")
    # A link that leads nowhere is named, not dropped in silence.
    os.symlink(tmp_path / "ei-ole.txt", root / "transcripts" / "tyhja.txt")
    p, _ = _open(root)
    assert {"oma", "linkki"} <= set(p.source_ids)
    assert not {"passwd", "ylos", "tyhja"} & set(p.source_ids)
    assert {"transcripts/passwd.txt", "documents/ylos.txt", "transcripts/tyhja.txt"} <= set(
        p.skipped["path"]
    )
    target = export_qdpx(p, tmp_path / "vienti.qdpx")
    with zipfile.ZipFile(target) as archive:
        for info in archive.infolist():
            assert b"SALAINEN-ULKOPUOLINEN" not in archive.read(info)


def test_a_linked_folder_out_of_the_project_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    tymqual.init_project(root, name="testi")
    outside = tmp_path / "muut"
    outside.mkdir()
    (outside / "vieras.txt").write_text(SECRET, encoding="utf-8")
    if (root / "documents").exists():
        os.rmdir(root / "documents")
    os.symlink(outside, root / "documents")
    p, _ = _open(root)
    assert "vieras" not in p.source_ids
    assert "documents/vieras.txt" in set(p.skipped["path"])
