"""Source memos in codes/memos.yaml: written atomically, read back, bad files refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tymqual.errors import ProjectError
from tymqual.memos import read_source_memos, write_source_memo


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
