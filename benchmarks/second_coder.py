"""A second, independent coder for issue 17's held-out gold: a blind sample and its agreement.

``heldout17_gold.csv`` was labelled by one annotator, so the held-out figures rest on one
reading. This script gives a second coder a sample of the same tokens *without* the first
labels, and then measures how far the two agree (Cohen's kappa and percent agreement, by
tymqual's own :mod:`tymqual.agreement`):

    python benchmarks/second_coder.py sample   # writes data/heldout17_second_sample.csv
    python benchmarks/second_coder.py agree    # reads data/heldout17_second.csv, prints figures

**Sample**: 500 rows drawn with a fixed seed, stratified by the first label so the rare labels
are represented (whole 120, head 120, lex 60, no 200). Stratifying changes the label mix, so
kappa here describes agreement on this mix, not on the whole gold; the script prints both the
sample figure and per-label agreement. The sample file holds the unit's text with the token
marked ``[[...]]`` and no label; the second coder must not open the gold file.
"""

from __future__ import annotations

import csv
import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.heldout_text import shared_folder, tokens, units  # noqa: E402
from benchmarks.search_heldout import LABELS, read_gold  # noqa: E402
from tymqual.agreement import cohen_kappa, percent_agreement  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
SAMPLE_FILE = DATA / "heldout17_second_sample.csv"
SECOND_FILE = DATA / "heldout17_second.csv"
PER_LABEL = {"whole": 120, "head": 120, "lex": 60, "no": 200}
SEED = 17


def draw() -> list[tuple[str, int, str, str]]:
    """The sampled ``(unit, token, word, first label)``, in unit order (labels kept here only)."""
    rows = read_gold()
    rng = random.Random(SEED)
    picked = []
    for label, n in PER_LABEL.items():
        mine = [r for r in rows if r.label == label]
        picked += rng.sample(mine, min(n, len(mine)))
    picked.sort(key=lambda r: (r.unit, r.token, r.word))
    return [(r.unit, r.token, r.word, r.label) for r in picked]


def write_sample(shared: Path) -> int:
    """Write the blind sample (no labels); return the number of rows."""
    text = {u.uid: u.text for u in units(shared)}
    classes = {(r.unit, r.token, r.word): r.kind for r in read_gold()}
    with SAMPLE_FILE.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["unit", "token", "form", "word", "class", "context", "label", "note"])
        for unit, token, word, _ in draw():
            start, end, form = tokens(text[unit])[token]
            marked = f"{text[unit][:start]}[[{form}]]{text[unit][end:]}"
            out.writerow([unit, token, form, word, classes[(unit, token, word)], marked, "", ""])
    return len(draw())


def agree() -> None:
    """Print agreement between the first labels and the second coder's."""
    first = {(u, t, w): lab for u, t, w, lab in draw()}
    with SECOND_FILE.open(encoding="utf-8", newline="") as handle:
        second = {(r["unit"], int(r["token"]), r["word"]): r["label"].strip()
                  for r in csv.DictReader(handle)}
    bad = sorted({lab for lab in second.values() if lab not in LABELS})
    if bad or set(second) != set(first):
        raise SystemExit(f"{SECOND_FILE}: labels {bad} unknown or rows differ from the sample "
                         f"({len(set(first) ^ set(second))} rows)")
    keys = sorted(first)
    a, b = [first[k] for k in keys], [second[k] for k in keys]
    print(f"{len(keys)} tokens coded twice; percent agreement {percent_agreement(a, b):.3f}, "
          f"Cohen's kappa {cohen_kappa(a, b):.3f}")
    pairs = Counter(zip(a, b, strict=True))
    print("first \\ second " + " ".join(f"{lab:>6}" for lab in LABELS))
    for lab in LABELS:
        print(f"{lab:>14} " + " ".join(f"{pairs[(lab, other)]:>6}" for other in LABELS))
    occurrence = {"whole", "head"}
    a2, b2 = [x in occurrence for x in a], [x in occurrence for x in b]
    print(f"occurrence or not (whole/head vs lex/no): kappa {cohen_kappa(a2, b2):.3f}")


def main() -> int:
    shared = shared_folder()
    if shared is None:
        print("skipped: ../shared/data/eduskunta-vkk and finlex-tym are absent")
        return 0
    if sys.argv[1:] == ["sample"]:
        print(f"wrote {write_sample(shared)} rows to {SAMPLE_FILE}")
    elif sys.argv[1:] == ["agree"]:
        agree()
    else:
        raise SystemExit("usage: second_coder.py sample|agree")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
