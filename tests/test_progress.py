"""Progress bars: shown for a loop that lasts, in the project's language, never when asked not."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import tymqual
from tymqual import progress as progress_module
from tymqual.progress import progress

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def no_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bars appear at once, as they would after a second of a large study's work."""
    monkeypatch.setattr(progress_module, "DELAY", 0.0)


def test_a_bar_is_labelled_in_the_chosen_language(
        no_delay: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert list(progress(range(3), ("Lasketaan", "Counting"))) == [0, 1, 2]
    assert "Lasketaan" in capsys.readouterr().err
    assert list(progress(iter("ab"), ("Lasketaan", "Counting"), lang="en", total=2)) == ["a", "b"]
    assert "Counting" in capsys.readouterr().err


def test_no_bar_when_asked_not_or_when_the_loop_is_quick(
        no_delay: None, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert list(progress(range(3), ("Lasketaan", "Counting"), show=False)) == [0, 1, 2]
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(progress_module, "DELAY", 60.0)
    assert list(progress(range(3), ("Lasketaan", "Counting"))) == [0, 1, 2]
    assert capsys.readouterr().err == ""


def test_the_long_steps_of_a_project_show_their_bars(
        no_delay: None, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    root = tmp_path / "demo"
    for part in ("tymqual.yaml", "transcripts", "surveys", "codes"):
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, root / part, ignore=shutil.ignore_patterns("private"))
        else:
            root.mkdir(exist_ok=True)
            shutil.copy(source, root / part)
    p = tymqual.open_project(root)
    assert "Luetaan lähteitä" in capsys.readouterr().err
    p.search("johtoryhmä")
    assert "Analysoidaan sanoja" in capsys.readouterr().err
    p.export_qdpx(tmp_path / "demo.qdpx")
    assert "Viedään lähteitä" in capsys.readouterr().err
    tymqual.open_project(root, progress=False)
    assert "Luetaan" not in capsys.readouterr().err
