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

**Halves** (issue 17, fifth round; :func:`benchmarks.heldout_text.halves`): the tables are
printed for half A (steer), half B (check) and all units. ``--errors-a`` lists tymqual's
per-token errors (form, word, label, the hit's ``why`` or the form's readings, sentence) of
half A only; no option prints a token, gold row or error of half B, which stays the hold-out
for whether a rule made from A is general.
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
from benchmarks.heldout_text import (  # noqa: E402
    Unit,
    halves,
    shared_folder,
    study_words,
    tokens,
    units,
)
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
             with_heads: bool, sources: dict[str, np.ndarray],
             scope: np.ndarray | None = None) -> Scores:
    """Pooled scores of ``method`` on every study word (see the module docstring), on the
    tokens of ``scope`` (all tokens when None)."""
    keys = (*study, "all")
    scores = Scores({k: Score() for k in keys}, {k: Score() for k in keys}, Score(),
                    {s: Score() for s in sources})
    for kind, words in study.items():
        for word in words:
            full = gold[word]
            inside = np.ones(len(full.net), dtype=bool) if scope is None else scope
            truth = Truth(full.net & inside, full.whole & inside, full.head & inside,
                          full.lex & inside)
            predicted = method(word) & inside
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


def remembered(method: Method) -> Method:
    """``method`` asked once per word (each half is scored from the same hits)."""
    memo: dict[str, np.ndarray] = {}

    def hits(word: str) -> np.ndarray:
        if word not in memo:
            memo[word] = method(word)
        return memo[word]
    return hits


SCOPES = ("A (steer)", "B (check)", "all")


def measure_halves(all_units: list[Unit], gold_rows: list[GoldRow], work: Path,
                   study: dict[str, tuple[str, ...]] | None = None
                   ) -> dict[str, list[tuple[str, Scores]]]:
    """Per scope of :data:`SCOPES`, ``(method, scores)`` for every method on ``all_units``
    (the study words of the whole held-out text unless ``study`` is given)."""
    corpus, where = lay_out(all_units)
    gold = truths(gold_rows, where, len(corpus.forms))
    study = study or study_words(all_units)
    n = len(corpus.forms)
    for word in (w for ws in study.values() for w in ws):
        gold.setdefault(word, Truth(*(np.zeros(n, dtype=bool) for _ in range(4))))
    vkk = np.array([key[0].startswith("vkk:") for key in where], dtype=bool)
    sources = {"answers (vkk)": vkk, "statutes (finlex)": ~vkk}
    half = halves(all_units)
    in_a = np.array([half[key[0]] == "A" for key in where], dtype=bool)
    masks = dict(zip(SCOPES, (in_a, ~in_a, np.ones(n, dtype=bool)), strict=True))
    project = open_corpus_project(work, corpus)
    rows = [(label, remembered(method), heads) for label, method, heads in methods(project, corpus)]
    return {scope: [(label, evaluate(method, study, gold, heads, sources, mask))
                    for label, method, heads in rows] for scope, mask in masks.items()}


def measure(all_units: list[Unit], gold_rows: list[GoldRow], work: Path,
            study: dict[str, tuple[str, ...]] | None = None) -> list[tuple[str, Scores]]:
    """``(method, scores)`` for every method on all of ``all_units``."""
    return measure_halves(all_units, gold_rows, work, study)["all"]


# ---------------------------------------------------------------------------- half A's errors
def errors_a(all_units: list[Unit], gold_rows: list[GoldRow], work: Path,
             study: dict[str, tuple[str, ...]]) -> list[str]:
    """tymqual's per-token errors on half A ONLY, one line each: method, FN/FP, form, word,
    gold label, the hit's ``why`` (a miss: the form's first readings), the unit's text."""
    half = halves(all_units)
    mine = [u for u in all_units if half[u.uid] == "A"]
    corpus, where = lay_out(mine)
    unit_of = {i: key for key, i in where.items()}
    text = {u.uid: u.text for u in mine}
    label = {(where[(r.unit, r.token)], r.word): r.label for r in gold_rows
             if half.get(r.unit) == "A" and (r.unit, r.token) in where}
    project = open_corpus_project(work, corpus)
    lines = []
    for name in ("voikko", "simplemma"):
        try:
            analyser = get_analyser(name)
        except TymqualError:
            continue
        for compounds in ("off", "head"):
            right = ("whole", "head") if compounds == "head" else ("whole",)
            for word in (w for ws in study.values() for w in ws):
                whys = _whys(project, corpus, word, compounds, name)
                for i in range(len(corpus.forms)):
                    gold = label.get((i, word), "–")
                    if (i in whys) == (gold in right):
                        continue
                    why = whys.get(i) or "; ".join(
                        r.lemma for r in analyser.analyse(corpus.forms[i]).readings[:3])
                    lines.append(f"{name}/{compounds}\t{'FP' if i in whys else 'FN'}\t"
                                 f"{corpus.forms[i]}\t{word}\t{gold}\t{why}\t"
                                 f"{_around(text[unit_of[i][0]], unit_of[i][1])}")
    return lines


def _around(text: str, index: int) -> str:
    """The unit's text within 120 characters of its ``index``-th token."""
    start = tokens(text)[index][0]
    return text[max(0, start - 120):start + 120]


def _whys(project: tymqual.Project, corpus: Corpus, word: str, compounds: str,
          analyser: str) -> dict[int, str]:
    """Token index → ``why`` of each hit of ``project.search``."""
    found = project.search(word, compounds=compounds, context=0,  # type: ignore[arg-type]
                           analyser=analyser)
    out = {}
    for s, why in zip(found["start"], found["why"], strict=True):
        i = int(np.searchsorted(corpus.starts, s, side="right")) - 1
        if i >= 0 and corpus.ends[i] > s:
            out[i] = str(why)
    return out


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
    """Print the held-out tables per half (or, with ``--errors-a``, half A's errors)."""
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
        if "--errors-a" in sys.argv:
            print("\n".join(errors_a(all_units, gold_rows, Path(tmp) / "errors-a", study)))
            return 0
        for scope, rows in measure_halves(all_units, gold_rows, Path(tmp) / "heldout",
                                          study).items():
            print(f"\n### {scope}\n")
            print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
