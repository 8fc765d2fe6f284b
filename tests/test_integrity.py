"""``tymqual check`` and codebook edits that must never lose codings.

Each damage is done to a copy of the demo project the way a user would do it (a text editor on
the YAML or a transcript, a file deleted, a CSV saved by another program, a git conflict), and
the expected counts are read from ``codes/codings.csv`` with the csv module, not through
tymqual.
"""

from __future__ import annotations

import csv
import shutil
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import yaml

import tymqual
from tymqual import tables
from tymqual.cli import main
from tymqual.integrity import COLUMNS, PROJECT_PROBES, check

REPO = Path(__file__).parents[1]
DEMO_PARTS = ("transcripts", "documents", "surveys", "codes", "tymqual.yaml")
RENAMED = "resursoitu_johtaja"


def _rows(root: Path) -> list[dict[str, str]]:
    with (root / "codes" / "codings.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _write_rows(root: Path, rows: list[dict[str, str]]) -> None:
    with (root / "codes" / "codings.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    if not (REPO / "codes" / "codings.csv").exists():
        pytest.skip(f"the demo project is not in {REPO}")
    root = tmp_path / "demo"
    root.mkdir()
    for part in DEMO_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, root / part)
        elif source.exists():
            shutil.copy2(source, root / part)
    return root


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


# -- damages, each returning (problem, count, a fragment of ``where``) as read from the files


def rename_key(root: Path) -> tuple[str, int, str]:
    _replace(root / "codes" / "codebook.yaml", f"key: {RENAMED}", "key: resurssit")
    n = sum(r["code"] == RENAMED for r in _rows(root))
    return "orphaned_codes", n, f"{RENAMED} ({n})"


def delete_code(root: Path) -> tuple[str, int, str]:
    path = root / "codes" / "codebook.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    theme = data["codes"][0]
    gone = theme["children"].pop()["key"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    n = sum(r["code"] == gone for r in _rows(root))
    return "orphaned_codes", n, f"{gone} ({n})"


def delete_transcript(root: Path) -> tuple[str, int, str]:
    (root / "transcripts" / "H3.odt").unlink()
    n = sum(r["source_id"] == "H3" for r in _rows(root))
    return "vanished_sources", n, f"H3 ({n})"


def edit_transcript(root: Path) -> tuple[str, int, str]:
    row = next(r for r in _rows(root) if r["source_id"] == "H2")
    _replace(root / "transcripts" / "H2.txt", row["text"], "(poistettu)")
    return "unanchored_codings", 1, row["coding_id"]


def unreadable_source(root: Path) -> tuple[str, int, str]:
    (root / "transcripts" / "H9.docx").write_bytes(b"not a zip at all")
    return "skipped_sources", 1, "transcripts/H9.docx"


def blank_coder(root: Path) -> tuple[str, int, str]:
    rows = _rows(root)
    for row in rows[3:5]:
        row["coder"] = ""
    _write_rows(root, rows)
    return "empty_coder", 2, rows[3]["coding_id"]


DAMAGES: dict[str, Callable[[Path], tuple[str, int, str]]] = {
    "key renamed by hand": rename_key,
    "code deleted by hand": delete_code,
    "transcript deleted": delete_transcript,
    "coded passage edited away": edit_transcript,
    "unreadable transcript": unreadable_source,
    "coder left empty": blank_coder,
}


# -- check -------------------------------------------------------------------------------------


def test_the_demo_project_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    if not (REPO / "codes" / "codings.csv").exists():
        pytest.skip(f"the demo project is not in {REPO}")
    found = check(REPO)
    assert list(found.columns) == COLUMNS and found.empty
    assert main(["check", str(REPO)]) == 0
    assert "no problems" in capsys.readouterr().out


@pytest.mark.parametrize("damage", DAMAGES, ids=list(DAMAGES))
def test_each_damage_is_one_row_with_its_count_and_fix(
    demo_copy: Path, damage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    problem, count, where = DAMAGES[damage](demo_copy)
    found = check(demo_copy)
    assert found["problem"].tolist() == [problem]
    row = found.iloc[0]
    assert row["severity"] == "problem"
    if problem == "unanchored_codings":
        assert row["count"] >= count  # codings overlapping the edited passage go with it
    else:
        assert row["count"] == count
    assert where in row["where"]
    assert row["fix"] and row["detail"] and row["file"]
    assert main(["check", str(demo_copy)]) == 1
    err = capsys.readouterr().err
    assert problem in err and "fix:" in err and where in err


def test_every_damage_at_once_is_listed(demo_copy: Path) -> None:
    expected = {DAMAGES[name](demo_copy)[0] for name in DAMAGES}
    found = check(demo_copy)
    assert set(found["problem"]) == expected
    assert len(found) == len(expected)  # one row per kind, however many codings


def test_check_does_not_write_the_project(demo_copy: Path) -> None:
    edit_transcript(demo_copy)
    before = (demo_copy / "codes" / "codings.csv").read_bytes()
    with (demo_copy / "transcripts" / "H2.txt").open("a", encoding="utf-8") as fh:
        fh.write("V: Lisätty rivi lopussa.\n")
    check(demo_copy)
    assert (demo_copy / "codes" / "codings.csv").read_bytes() == before


@pytest.mark.parametrize(
    ("file", "damage", "problem"),
    [
        ("codes/codings.csv", lambda t: t.replace("\n", "\n<<<<<<< HEAD\n", 1) + ">>>>>>> B\n",
         "ledger_unreadable"),
        ("codes/codings.csv", lambda t: t.replace(",accepted,", ",accepted,x,", 1),
         "ledger_unreadable"),
        ("codes/codebook.yaml", lambda t: t + "  - name: [\n", "codebook_unreadable"),
        ("codes/codebook.yaml", lambda t: t.replace(f"key: {RENAMED}",
                                                    f"key: {RENAMED}\n        renamed_from: "
                                                    "verkoston_liima"), "codebook_unreadable"),
        ("tymqual.yaml", lambda t: t + "\nnot_a_setting: 1\n", "project_unreadable"),
    ],
    ids=["git conflict", "shifted row", "broken yaml", "renamed_from clash", "bad setting"],
)
def test_a_project_that_cannot_open_is_reported_not_raised(
    demo_copy: Path, file: str, damage: Callable[[str], str], problem: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = demo_copy / file
    path.write_text(damage(path.read_text(encoding="utf-8-sig")), encoding="utf-8")
    with pytest.raises(tymqual.TymqualError):
        tymqual.open_project(demo_copy)
    found = check(demo_copy)
    assert found["problem"].tolist() == [problem]
    assert found["file"].iloc[0] == file
    assert main(["check", str(demo_copy)]) == 1
    assert "fix:" in capsys.readouterr().err


def test_probes_are_small_functions_that_can_be_extended(demo_copy: Path) -> None:
    blank_coder(demo_copy)
    p = tymqual.open_project(demo_copy)
    assert [f.problem for probe in PROJECT_PROBES for f in probe(p)] == ["empty_coder"]
    assert check(p)["problem"].tolist() == ["empty_coder"]  # an open project is accepted too


# -- renamed_from and rekey_code ---------------------------------------------------------------


def test_declared_rename_is_information_not_a_problem(
    demo_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _replace(demo_copy / "codes" / "codebook.yaml", f"key: {RENAMED}",
             f"key: resurssit\n        renamed_from: [{RENAMED}]")
    n = sum(r["code"] == RENAMED for r in _rows(demo_copy))
    found = check(demo_copy)
    assert found[["problem", "severity", "count"]].values.tolist() == [["renamed_keys", "info", n]]
    assert f"{RENAMED} → resurssit ({n})" in found["where"].iloc[0]
    assert main(["check", str(demo_copy)]) == 0
    assert "renamed_keys" in capsys.readouterr().out


def _code_refs(qdpx: Path, code_name: str) -> int:
    with zipfile.ZipFile(qdpx) as package:
        root = ET.fromstring(package.read("project.qde"))
    guids = [el.get("guid") for el in root.iter() if el.tag.endswith("}Code")
             and el.get("name") == code_name]
    assert len(guids) == 1
    return sum(1 for el in root.iter() if el.tag.endswith("}CodeRef")
               and el.get("targetGUID") == guids[0])


def test_rekey_code_keeps_every_coding_without_touching_the_ledger(
    demo_copy: Path, tmp_path: Path
) -> None:
    ledger = (demo_copy / "codes" / "codings.csv").read_bytes()
    n = sum(r["code"] == RENAMED and r["status"] == "accepted" for r in _rows(demo_copy))
    p = tymqual.open_project(demo_copy)
    before = tables.code_frequencies(p).set_index("code_path")["segments"]
    name = p.codebook.resolve(RENAMED).name
    p.rekey_code(RENAMED, "resurssit")
    assert (demo_copy / "codes" / "codings.csv").read_bytes() == ledger
    assert f"renamed_from: [{RENAMED}]" in (demo_copy / "codes" / "codebook.yaml").read_text(
        encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no orphan warning anywhere
        again = tymqual.open_project(demo_copy)
        after = tables.code_frequencies(again).set_index("code_path")["segments"]
        assert (again.segments()["code"] == "resurssit").sum() == n
        assert after.rename(lambda s: s.replace("resurssit", RENAMED)).equals(before)
        qdpx = again.export_qdpx(tmp_path / "demo.qdpx")
    assert _code_refs(qdpx, name) == n
    assert again.summary()["orphaned"] == {}
    assert check(again)["severity"].tolist() == ["info"]
    # A notebook cell written before the change still finds the code by its old key.
    assert again.segments(RENAMED)["code"].eq("resurssit").all()


def test_status_names_the_orphaned_codings(
    demo_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, n, where = rename_key(demo_copy)
    assert tymqual.open_project(demo_copy).summary()["orphaned"] == {RENAMED: n}
    assert main(["status", str(demo_copy)]) == 0
    out = capsys.readouterr().out
    assert where in out and "codes/codebook.yaml" in out
    assert f"{RENAMED} (not in codebook)" in out


def test_a_torn_history_and_an_outside_edit_are_found(demo_copy: Path) -> None:
    p = tymqual.open_project(demo_copy)
    cid = p.code("H2", "sopimusneuvottelut", start=0, end=9, coder="A")
    assert check(demo_copy).empty  # recorded changes, ledger in step with its history
    history = demo_copy / "codes" / "codings.history.jsonl"
    with history.open("ab") as fh:
        fh.write(b'{"change":9,"op":"remove","coding_id":"' + cid.encode() + b'"}\n{"chan')
    rows = _rows(demo_copy)
    rows[0]["memo"] = "muokattu Excelissä"
    _write_rows(demo_copy, rows)
    found = check(demo_copy).set_index("problem")
    assert set(found.index) == {"history_damaged", "ledger_changed_outside"}
    damaged = found.loc["history_damaged"]
    lines = len(history.read_bytes().split(b"\n"))
    assert damaged["count"] == 2 and f"line {lines}" in damaged["where"]
    assert damaged["severity"] == "problem"
    outside = found.loc["ledger_changed_outside"]
    assert outside["severity"] == "info" and "after change 2" in outside["where"]
