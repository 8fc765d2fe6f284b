"""Finnish search on held-out genres: administrative and legal prose, gold annotated by hand.

Run ``python benchmarks/search_heldout.py`` (``make bench-heldout``). Issue 17's target is
recall and precision on held-out text of other genres than the FTB split that
``search_eval.py`` steers by. The text is the ministers' answers of ``eduskunta-vkk`` and the
Finnish statutes of ``finlex-tym`` in ``../shared/data/`` (see :mod:`benchmarks.heldout_text`);
without them the run says so and exits 0.

**Study words**: :func:`benchmarks.heldout_text.study_words` (the 12 most frequent nouns and 8
most frequent verbs by Voikko's first reading, then the TYM words), fixed before any figure.

**Gold**: ``benchmarks/data/heldout17_gold.csv``, hand-annotated before any method was run on
this text (see ``benchmarks/data/README.md``): each token of a broad candidate net labelled
``whole`` (a form of the word, participles of a verb included), ``head`` (a compound with the
word as head), ``lex`` or ``no``. A token outside the net is no occurrence.

**Scores**, pooled over the tokens of each class's words. With ``compounds="off"`` and for the
baselines, truth is ``whole``. In the default mode (``"head"``) truth is ``whole`` or ``head``
(R and P), and ``head R`` is the recall on the ``head`` tokens alone. The script prints
aggregate figures only, never a token: the set stays a hold-out for whoever tunes the rules.
It also counts hits outside the net (they score as false, so the count says how far the net
fell short of being a superset).
"""

from __future__ import annotations

import csv
import os
import sys
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("TQDM_DISABLE", "1")
if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

import tymqual  # noqa: E402
from benchmarks.heldout_text import Unit, shared_folder, study_words, tokens, units  # noqa: E402
from benchmarks.search_eval import (  # noqa: E402
    Corpus,
    Method,
    Score,
    _fmt,
    baselines,
    open_corpus_project,
    search_method,
)
from tymqual.errors import TymqualError  # noqa: E402
from tymqual.morphology import get_analyser  # noqa: E402

GOLD_FILE = Path(__file__).resolve().parent / "data" / "heldout17_gold.csv"
GOLD_COLUMNS = ("unit", "token", "form", "word", "class", "label", "note")
LABELS = ("whole", "head", "lex", "no")
KINDS = ("noun", "verb")


@dataclass(frozen=True)
class GoldRow:
    """One candidate token of one study word and its hand label."""

    unit: str
    token: int
    form: str
    word: str
    kind: str
    label: str


def read_gold(path: Path = GOLD_FILE) -> list[GoldRow]:
    """The gold rows; a malformed row raises ``ValueError`` naming its line."""
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != GOLD_COLUMNS:
            raise ValueError(f"{path}: columns {reader.fieldnames}, expected {GOLD_COLUMNS}")
        for line, row in enumerate(reader, start=2):
            if (row["label"] not in LABELS or row["class"] not in KINDS
                    or not row["token"].isdigit()):
                raise ValueError(f"{path}, line {line}: bad label, class or token index: {row}")
            rows.append(GoldRow(row["unit"], int(row["token"]), row["form"], row["word"],
                                row["class"], row["label"]))
    return rows


def lay_out(all_units: list[Unit]) -> tuple[Corpus, dict[tuple[str, int], int]]:
    """One paragraph per unit, and the position of each ``(unit, token index)`` among all tokens."""
    parts: list[str] = []
    forms: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    where: dict[tuple[str, int], int] = {}
    at = 0
    for unit in all_units:
        for index, (start, end, form) in enumerate(tokens(unit.text)):
            where[(unit.uid, index)] = len(forms)
            forms.append(form)
            starts.append(at + start)
            ends.append(at + end)
        parts.append(unit.text)
        at += len(unit.text) + 2
    corpus = Corpus("\n\n".join(parts) + "\n", forms, [""] * len(forms),
                    np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64), 0)
    return corpus, where


@dataclass
class Truth:
    """Per study word: the net, ``whole`` tokens and ``head`` tokens, as boolean arrays."""

    net: np.ndarray
    whole: np.ndarray
    head: np.ndarray
    lex: np.ndarray


def truths(gold: list[GoldRow], where: dict[tuple[str, int], int], n: int) -> dict[str, Truth]:
    """The gold as arrays over the laid-out tokens (rows of units not laid out are left out)."""
    out: dict[str, Truth] = {}
    for row in gold:
        i = where.get((row.unit, row.token))
        if i is None:
            continue
        truth = out.setdefault(row.word, Truth(*(np.zeros(n, dtype=bool) for _ in range(4))))
        truth.net[i] = True
        truth.whole[i] = row.label == "whole"
        truth.head[i] = row.label == "head"
        truth.lex[i] = row.label == "lex"
    return out


@dataclass
class Scores:
    """One method's scores: per class and ``all``, on ``head`` tokens, with ``lex`` tokens
    counted as occurrences, per source of text; and its hits outside the net."""

    by_kind: dict[str, Score]
    heads: dict[str, Score]
    with_lex: Score
    by_source: dict[str, Score]
    outside: int = 0


def evaluate(method: Method, study: dict[str, tuple[str, ...]], gold: dict[str, Truth],
             with_heads: bool, sources: dict[str, np.ndarray]) -> Scores:
    """Pooled scores of ``method`` on every study word (see the module docstring)."""
    keys = (*study, "all")
    scores = Scores({k: Score() for k in keys}, {k: Score() for k in keys}, Score(),
                    {s: Score() for s in sources})
    for kind, words in study.items():
        for word in words:
            truth = gold[word]
            predicted = method(word)
            right = truth.whole | truth.head if with_heads else truth.whole
            for key in (kind, "all"):
                scores.by_kind[key].add(predicted, right)
                scores.heads[key].add(predicted & truth.head, truth.head)
            scores.with_lex.add(predicted, right | truth.lex)
            for source, mask in sources.items():
                scores.by_source[source].add(predicted & mask, right & mask)
            scores.outside += int((predicted & ~truth.net).sum())
    return scores


def methods(project: tymqual.Project, corpus: Corpus) -> list[tuple[str, Method, bool]]:
    """``(label, method, scored with heads)``: tymqual's modes per analyser, then the baselines."""
    rows: list[tuple[str, Method, bool]] = []
    for name in ("voikko", "simplemma"):
        try:
            get_analyser(name)
        except TymqualError:
            continue
        label = "" if name == "voikko" else ", simplemma fallback"
        rows.append((f'tymqual `compounds="off"`{label}',
                     search_method(project, corpus, "off", name), False))
        rows.append((f"tymqual default (head){label}",
                     search_method(project, corpus, "head", name), True))
    rows += [(label, method, False) for label, method in baselines(corpus).items()]
    return rows


def measure(all_units: list[Unit], gold_rows: list[GoldRow], work: Path,
            study: dict[str, tuple[str, ...]] | None = None) -> list[tuple[str, Scores]]:
    """``(method, scores)`` for every method on ``all_units`` (the study words of the whole
    held-out text unless ``study`` is given)."""
    corpus, where = lay_out(all_units)
    gold = truths(gold_rows, where, len(corpus.forms))
    study = study or study_words(all_units)
    n = len(corpus.forms)
    for word in (w for ws in study.values() for w in ws):
        gold.setdefault(word, Truth(*(np.zeros(n, dtype=bool) for _ in range(4))))
    vkk = np.array([key[0].startswith("vkk:") for key in where], dtype=bool)
    sources = {"answers (vkk)": vkk, "statutes (finlex)": ~vkk}
    project = open_corpus_project(work, corpus)
    return [(label, evaluate(method, study, gold, heads, sources))
            for label, method, heads in methods(project, corpus)]


def print_table(rows: list[tuple[str, Scores]]) -> None:
    """The tables of benchmarks/README.md: R and P per class (head R in the default mode),
    then per source, with ``lex`` tokens counted as occurrences, and hits outside the net."""
    keys = [*KINDS, "all"]
    print("| method | " + " | ".join(f"{k} R | {k} P" for k in keys) + " | head R |")
    print("|---|" + "---:|" * (2 * len(keys) + 1))
    for label, scores in rows:
        cells = " | ".join(f"{_fmt(scores.by_kind[k].recall)} | "
                           f"{_fmt(scores.by_kind[k].precision)}" for k in keys)
        head = _fmt(scores.heads["all"].recall) if label.startswith("tymqual default") else "–"
        print(f"| {label} | {cells} | {head} |")
    sources = list(rows[0][1].by_source)
    print("\n| method | " + " | ".join(f"{s} R | {s} P" for s in sources)
          + " | all R, lex counted | all P, lex counted | hits outside the net |")
    print("|---|" + "---:|" * (2 * len(sources) + 3))
    for label, scores in rows:
        cells = " | ".join(f"{_fmt(scores.by_source[s].recall)} | "
                           f"{_fmt(scores.by_source[s].precision)}" for s in sources)
        print(f"| {label} | {cells} | {_fmt(scores.with_lex.recall)} | "
              f"{_fmt(scores.with_lex.precision)} | {scores.outside} |")


def main() -> int:
    """Print the held-out table."""
    shared = shared_folder()
    if shared is None:
        print("skipped: ../shared/data/eduskunta-vkk/ and finlex-tym/ are not beside the "
              "repository (the held-out text is not part of tymqual); nothing measured.")
        return 0
    all_units, gold_rows = units(shared), read_gold()
    study = study_words(all_units)
    counts = {label: sum(r.label == label for r in gold_rows) for label in LABELS}
    print(f"held-out text: {len(all_units)} units; study words: "
          + "; ".join(f"{k} {', '.join(v)}" for k, v in study.items()))
    print("gold: " + ", ".join(f"{n} {label}" for label, n in counts.items()) + "\n")
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        print_table(measure(all_units, gold_rows, Path(tmp) / "heldout", study))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
