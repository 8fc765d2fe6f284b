"""The tutorial notebooks run top to bottom on the demo project and leave it untouched.

Each notebook is executed with nbclient in a kernel of this interpreter, from ``notebooks/``
as a user would run it. The notebooks code and write only in temporary copies of the demo
project; the test checks that by hashing the demo's files before and after.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).parents[1]
NOTEBOOKS = REPO / "notebooks"
NAMES = ["01_aineisto.ipynb", "02_koodaus.ipynb", "03_tulokset.ipynb", "04_luotettavuus.ipynb"]
CELL_TIMEOUT = 120  # seconds per cell

INSTALL = "pip install -e '.[test]'"
nbformat = pytest.importorskip("nbformat", reason=f"nbformat is not installed ({INSTALL})")
nbclient = pytest.importorskip("nbclient", reason=f"nbclient is not installed ({INSTALL})")
pytest.importorskip("ipykernel", reason=f"ipykernel is not installed ({INSTALL})")


def _demo_files() -> dict[str, str]:
    """sha256 of every committed demo file a notebook could change (lock files excepted)."""
    paths = [REPO / "tymqual.yaml"]
    for folder in ("codes", "transcripts", "surveys"):
        paths += [p for p in (REPO / folder).rglob("*")
                  if p.is_file() and not p.name.endswith(".lock")]
    return {p.relative_to(REPO).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(paths)}


@pytest.fixture
def kernel_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``python3`` kernel spec running this interpreter, found before any other.

    JUPYTER_PATH is searched before the user's and the system's kernel folders, so a
    ``python3`` kernel installed elsewhere (another Python) cannot be picked by mistake.
    TMPDIR sends the notebooks' temporary project copies into pytest's own folder.
    """
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3", "language": "python",
    }), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))


def test_every_notebook_is_tested() -> None:
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_stored_without_outputs(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, f"{name} has no code cells"
    assert all(not c.outputs and c.execution_count is None for c in code), (
        f"{name} is stored with outputs; clear them before committing.")
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_and_leaves_the_demo_untouched(name: str, kernel_env: None) -> None:
    before = _demo_files()
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=CELL_TIMEOUT, kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
    assert _demo_files() == before, f"{name} changed the committed demo files"
