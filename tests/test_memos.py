"""Source memos in codes/memos.yaml: written atomically, read back, bad files refused; every
change of a source or code memo kept in the memo history and restorable."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

import tymqual
from tymqual.errors import ProjectError, StorageError, TymqualWarning
from tymqual.integrity import check
from tymqual.memos import (
    MEMO_HISTORY_COLUMNS,
    MEMO_HISTORY_FILE,
    read_source_memos,
    write_source_memo,
)


def test_memos_are_written_sorted_and_removed_when_empty(tmp_path: Path) -> None:
    path = tmp_path / "memos.yaml"
    assert read_source_memos(path) == {}
    write_source_memo(path, "H2", "  Toinen haastattelu.\nKaksi riviä.  ")
    write_source_memo(path, "H1", "Keskeytyi kohdassa 14: ”puhelu”.")
    on_disk = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert on_disk == {"sources": {"H1": "Keskeytyi kohdassa 14: ”puhelu”.",
                                   "H2": "Toinen haastattelu.\nKaksi riviä."}}
    assert list(on_disk["sources"]) == ["H1", "H2"]
    assert read_source_memos(path) == on_disk["sources"]
    write_source_memo(path, "H2", "   ")
    assert read_source_memos(path) == {"H1": "Keskeytyi kohdassa 14: ”puhelu”."}


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("sources: [H1, H2]\n", "one memo text per source id"),
        ("sources:\n  H1: [a, b]\n", "one memo text per source id"),
        ("- H1\n", "one memo text per source id"),
        ("sources: {H1: 'avoin\n", "not valid YAML"),
        ("<<<<<<< HEAD\nsources: {H1: a}\n=======\nsources: {H1: b}\n>>>>>>> other\n",
         "conflict"),
    ],
)
def test_a_bad_memo_file_is_refused_naming_it(tmp_path: Path, content: str, says: str) -> None:
    path = tmp_path / "memos.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ProjectError, match=says) as caught:
        read_source_memos(path)
    assert str(path) in str(caught.value)
    with pytest.raises(ProjectError):
        write_source_memo(path, "H1", "uusi")
    assert path.read_text(encoding="utf-8") == content  # nothing overwritten


# --- the memo history ---------------------------------------------------------------------------
def _on_disk_memo(p: tymqual.Project, kind: str, target: str) -> str:
    """The memo as a fresh open of the folder reads it (not the object that wrote it)."""
    again = tymqual.open_project(p.root, progress=False)
    if kind == "code":
        return again.codebook.resolve(target).memo or ""
    return again.source_memos.get(target, "")


@pytest.mark.parametrize("kind", ["source", "code"])
def test_every_memo_text_ever_saved_can_be_brought_back(
    make_project: Callable[..., tymqual.Project], kind: str
) -> None:
    p = make_project()
    target = "H1" if kind == "source" else "johtaminen"

    def write(text: str) -> None:
        if kind == "code":
            p.set_code_memo(target, text)
        else:
            p.set_source_memo(target, text)

    texts = ["Ensimmäinen muistio.", "Toinen versio,\nkahdella rivillä.", ""]
    for text in texts:
        write(text)
    write("")  # no change: nothing recorded
    history = p.memo_history()
    assert list(history.columns) == list(MEMO_HISTORY_COLUMNS)
    assert history["before"].tolist() == ["", *texts[:-1]]
    assert history["after"].tolist() == texts
    assert set(history["kind"]) == {kind} and set(history["target"]) == {target}
    assert history["change"].tolist() == [1, 2, 3]
    # The box was cleared by mistake: the last text comes back, and the clearing is kept.
    assert p.restore_memo(kind, target) == texts[1]
    assert _on_disk_memo(p, kind, target) == texts[1]
    assert p.restore_memo(kind, target, change=2) == texts[0]
    assert _on_disk_memo(p, kind, target) == texts[0]
    assert p.memo_history()["after"].tolist()[-2:] == [texts[1], texts[0]]


def test_memos_of_other_targets_stay_apart(make_project: Callable[..., tymqual.Project]) -> None:
    p = make_project()
    p.set_source_memo("H1", "H1:n muistio.")
    p.set_source_memo("H2", "H2:n muistio.")
    p.set_code_memo("neuvottelut", "Koodin muistio.")
    p.set_source_memo("H2", "")
    assert p.restore_memo("source", "H2") == "H2:n muistio."
    assert p.source_memos == {"H1": "H1:n muistio.", "H2": "H2:n muistio."}
    assert p.codebook.resolve("neuvottelut").memo == "Koodin muistio."


def test_restore_without_a_recorded_change_is_refused(
    make_project: Callable[..., tymqual.Project]
) -> None:
    p = make_project()
    p.set_source_memo("H1", "Muistio.")
    with pytest.raises(ProjectError, match="no recorded change"):
        p.restore_memo("source", "H2")
    with pytest.raises(ProjectError, match="change 7 of"):
        p.restore_memo("source", "H1", change=7)
    with pytest.raises(ProjectError, match="no such source"):
        p.set_source_memo("H9", "x")
    assert p.source_memos == {"H1": "Muistio."}


def test_a_torn_history_line_is_told_and_the_next_change_stays_whole(
    make_project: Callable[..., tymqual.Project]
) -> None:
    p = make_project()
    p.set_source_memo("H1", "Yksi.")
    path = p.codes_dir / MEMO_HISTORY_FILE
    with open(path, "ab") as fh:  # a process killed in the middle of a line
        fh.write(b'{"time": "2026-12-07T10:00:00Z", "who": "A", "kind": "sou')
    p.set_source_memo("H1", "Kaksi.")
    with pytest.warns(TymqualWarning, match=rf"{MEMO_HISTORY_FILE}: line 2 .*left out"):
        history = p.memo_history()
    assert history["after"].tolist() == ["Yksi.", "Kaksi."]
    found = check(p.root)  # tymqual check counts it, naming the line
    row = found[found["problem"] == "memo_history_damaged"].iloc[0]
    assert (row["count"], row["where"]) == (1, "line 2")
    assert row["file"] == f"codes/{MEMO_HISTORY_FILE}"


def test_a_failed_history_write_changes_no_memo(
    make_project: Callable[..., tymqual.Project]
) -> None:
    p = make_project()
    p.set_code_memo("johtaminen", "Vanha.")
    (p.codes_dir / MEMO_HISTORY_FILE).unlink()
    (p.codes_dir / MEMO_HISTORY_FILE).mkdir()  # cannot be appended to
    with pytest.raises(StorageError, match=MEMO_HISTORY_FILE):
        p.set_code_memo("johtaminen", "Uusi.")
    assert p.codebook.resolve("johtaminen").memo == "Vanha."
    assert _on_disk_memo(p, "code", "johtaminen") == "Vanha."
    with pytest.raises(StorageError):
        p.set_source_memo("H1", "Uusi.")
    assert p.source_memos == {}
