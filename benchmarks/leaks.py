"""The leak check's recall on names planted in every form, and what pseudonymisation leaves.

Run ``python benchmarks/leaks.py`` (``make bench-leaks``). It writes a small project whose
transcript names 30 made-up people (:mod:`benchmarks.names`: 300 inflected and compound forms
of their first names and surnames), pseudonymises it with a key of their full names, and then
prints, for the rule-based matcher and with the Voikko analyser where it is installed:

* ``left``: forms still written anywhere in the pseudonymised copy or in its report, found by a
  plain search that does not use tymqual's matcher (the target is 0);
* ``recall``: the share of the 300 forms, planted back one a sentence, that ``check_leaks``
  reports (the target is 1.000).

It prints figures and exits 0; it asserts nothing.
"""

from __future__ import annotations

import os
import sys
import tempfile
import warnings
from pathlib import Path

os.environ.setdefault("TQDM_DISABLE", "1")
if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tymqual  # noqa: E402
from benchmarks.names import FORMS, FULL_KEY, left_in  # noqa: E402
from tymqual import keycandidates, leaks, privacy  # noqa: E402
from tymqual.leaks import check_leaks  # noqa: E402
from tymqual.privacy import pseudonymize  # noqa: E402
from tymqual.reports import build_report  # noqa: E402

CODEBOOK = "name: Nimet\ncodes:\n  - name: Johtaminen\n    key: johtaminen\n"


def measure(work: Path, analyser: bool) -> tuple[int, int, float]:
    """``(forms, left, recall)`` for one matcher."""
    if not analyser:
        leaks.finnish_analyser = lambda: None  # type: ignore[assignment]
        privacy.finnish_analyser = lambda: None  # type: ignore[assignment]
        keycandidates.finnish_analyser = lambda: None  # type: ignore[assignment]
    root = work / "projekti"
    tymqual.init_project(root, name="nimet")
    (root / "codes" / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    forms = [f for group in FORMS.values() for f in group]
    lines = ["V: " + " ".join(f"Sitten {form} tuli puheeksi." for form in group)
             for group in FORMS.values()]
    (root / "transcripts" / "H1.txt").write_text("H: Kerro.\n" + "\n".join(lines) + "\n",
                                                 encoding="utf-8")
    project = tymqual.open_project(root, progress=False)
    project.code("H1", "johtaminen", turns=[2])
    out, report = work / "pseudo", work / "raportti"
    pseudonymize(project, out, key=FULL_KEY)
    build_report(tymqual.open_project(out, progress=False), report, progress=False)
    left = left_in(out, forms) + left_in(report, forms)
    planted = work / "planted.txt"
    planted.write_text("\n".join(f"Kuulin että {form} on tässä." for form in forms),
                       encoding="utf-8")
    reported = check_leaks(planted, FULL_KEY)
    lines_found = {int(str(loc).split()[1]) for loc in reported["location"]}
    return len(forms), len(left), len(lines_found) / len(forms)


def main() -> int:
    print(f"{'matcher':<22} {'forms':>6} {'left':>5} {'recall':>7}")
    for analyser in (True, False):
        with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            forms, left, recall = measure(Path(tmp), analyser)
        name = "Voikko + rules" if analyser else "suffix rules only"
        print(f"{name:<22} {forms:>6} {left:>5} {recall:>7.3f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
