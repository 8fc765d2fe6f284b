"""Shared fixtures: small hand-made projects built through the library itself."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import tymqual
from tymqual.errors import TymqualError
from tymqual.morphology import Analyser, get_analyser

CODEBOOK = """\
name: Testikoodikirja
version: "1"
language: fi
codes:
  - name: Johtaminen
    key: johtaminen
    color: "#1b9e77"
    children:
      - name: Resurssit
        key: resurssit
        color: "#66c2a5"
      - name: Johtoryhmä
        key: johtoryhma
  - name: Neuvottelut
    key: neuvottelut
    color: "#d95f02"
"""

H1 = """\
FIKTIIVINEN TESTIAINEISTO
H: Miten verkostoa johdetaan?
V: Verkostojohtaja on meillä liima. Hänellä on resurssit kunnossa.
H: Entä johtoryhmä?
V: Johtoryhmä tukee hyvin. Kela on mukana.
Toinen kappale samaa vastausta.
"""

H2 = """\
H: Miten neuvottelut sujuivat?
V: Neuvottelut venyivät. Henkilöstö vaihtui kesken kaiken.
H: Entä mallisopimus?
V: Mallisopimus auttoi. Kela on mukana.
"""

CASES = (
    "case_id,label,region,interview_date\nH1,H1,läntinen,2025-10-01\nH2,H2,eteläinen,2025-10-08\n"
)


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., tymqual.Project]:
    """Build a two-interview project in a temporary folder and open it."""

    def build(files: dict[str, str] | None = None, **kwargs: object) -> tymqual.Project:
        root = tmp_path / "proj"
        if not root.exists():
            tymqual.init_project(root, name="testi")
            (root / "codes" / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
            (root / "codes" / "cases.csv").write_text(CASES, encoding="utf-8")
            (root / "transcripts" / "H1.txt").write_text(H1, encoding="utf-8")
            (root / "transcripts" / "H2.txt").write_text(H2, encoding="utf-8")
        for rel, content in (files or {}).items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(content, encoding="utf-8")
        return tymqual.open_project(root, **kwargs)  # type: ignore[arg-type]

    return build


def _analyser_or_skip(name: str) -> Analyser:
    try:
        return get_analyser(name)
    except TymqualError as exc:
        pytest.skip(f"{name} is not installed here: {exc}")


@pytest.fixture(scope="session")
def voikko() -> Analyser:
    """The Voikko analyser; the test is skipped where Voikko is not installed."""
    return _analyser_or_skip("voikko")


@pytest.fixture(scope="session")
def fallback() -> Analyser:
    """The simplemma fallback analyser; skipped where simplemma is not installed."""
    return _analyser_or_skip("simplemma")
