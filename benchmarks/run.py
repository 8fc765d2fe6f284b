"""Measure tymqual at scale: open, turns, search, tables, agreement, report, export, autocode.

For the maintainers, before and after a change that could make a large study slow:

    .venv/bin/python benchmarks/run.py --sizes 4 100 1000 [--out benchmarks/results]

For each size a synthetic project (:mod:`benchmarks.synthetic`) is written to a temporary
folder and every step is timed against a *baseline* measured in the same run: the plain pandas
or regex code that does the nearest thing (reading the files, one compiled regex, a groupby,
``DataFrame.to_excel``). ``ratio`` = step seconds / baseline seconds, so it says what tymqual's
extra work (normalisation, turns, Finnish morphology, validation, formatting) costs on this
machine rather than how fast the machine is.

Columns of the table and of ``benchmarks.csv``:

* ``seconds``: the best of ``--repeats`` runs (default 3) for a step that took under 10 s,
  else the one run;
* ``throughput``: words of text per second (open, turns, search, report, export, autocode),
  ledger rows per second (segments, tables, agreement) or respondents per second (Likert);
* ``peak_mb``: the step's peak of memory allocated through Python and NumPy, from
  ``tracemalloc`` in a separate, untimed run (tracemalloc slows the code it watches);
* ``rss_mb``: the process's resident set just after the step's first run (what it keeps), and
  ``rss_delta_mb`` that minus the resident set just before it (what the step added and kept;
  negative when it freed more than it kept); Linux only, else empty;
* ``max_rss_mb``: the process's resident-set high-water mark after the step
  (``resource.getrusage``), which never goes down: the memory the whole session needed so far;
  for ``open_warm_process`` and ``search_first_process`` the child process's own mark
  (``search_first_process``: a new process opens the project and runs its first search, the
  search index read from ``.tymqual-cache/``, where ``search_first`` had to build it);
* ``baseline_seconds`` and ``ratio``.

Timings are never asserted in unit tests; ``tests/test_benchmarks.py`` runs size 4 to prove
that every step runs and that the CSV is written.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd

import tymqual
from benchmarks.synthetic import NOUNS, SURVEY_STEM, Synthetic, make_project
from tymqual import agreement, autocode, tables
from tymqual.suggest import CodeSuggester

DEFAULT_OUT = Path(__file__).resolve().parent / "results"
COLUMNS = ["step", "size", "respondents", "seconds", "repeats", "throughput", "unit", "peak_mb",
           "rss_mb", "rss_delta_mb", "max_rss_mb", "baseline_seconds", "ratio"]
TRACE = True
"""Take each step's tracemalloc peak in a second, untimed run (``--no-trace`` skips it)."""
SLOW = 10.0
"""A step that takes this long is run once; quicker ones --repeats times, the best kept: a
single sample of a few seconds on a shared two-core machine varies by a third."""
QUERIES = ("johtoryhmä", "verkosto* AND kela", '"oman työn ohessa"')
TABLES = ("code_frequencies", "code_case_matrix", "code_attribute_matrix", "co_occurrence",
          "co_occurrence_turn", "analysis_table", "quotes", "likert_table", "joint_display",
          "case_summary", "data_description")
INTERACTIVE = ("turns", "sources", "segments", "search", *TABLES)
"""Steps a notebook user waits for at the thesis size (target: under 50 ms at size 4)."""
TARGETS_NOTE = {
    "open_warm": "warm open of 1,000 interviews under 2 s",
    "tables": "every table under 1 s at 1,000 interviews",
    "report": "full report at 1,000 interviews under 60 s",
    "first_search": "first search after opening 1,000 interviews under 2 s (index cached)",
    "memory": "peak memory under 2 GB",
    "interactive": "thesis-size interactive calls under 50 ms",
}


@dataclass
class Context:
    """One size's project, opened, and the plain data the baselines work on."""

    synthetic: Synthetic
    work: Path
    project: tymqual.Project | None = None
    texts: dict[str, str] = field(default_factory=dict)
    ledger: pd.DataFrame = field(default_factory=pd.DataFrame)
    computed: dict[str, pd.DataFrame] = field(default_factory=dict)
    suggester: CodeSuggester | None = None
    plain_model: tuple[Any, Any] | None = None

    @property
    def root(self) -> Path:
        return self.synthetic.root

    @property
    def p(self) -> tymqual.Project:
        assert self.project is not None, "open the project first"
        return self.project

    @property
    def words(self) -> int:
        return self.synthetic.words


@dataclass(frozen=True)
class Step:
    """A measured step: ``run`` is tymqual, ``baseline`` the plain equivalent."""

    name: str
    run: Callable[[Context], object]
    baseline: Callable[[Context], object]
    unit: str  # "words", "rows" or "respondents"
    setup: Callable[[Context], None] | None = None


# ---------------------------------------------------------------------------- measuring
def _max_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux, bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def _rss_mb() -> float:
    """The resident set now (not the high-water mark), from ``/proc``; NaN elsewhere."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return float("nan")
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _timed(fn: Callable[[], object], setup: Callable[[], None] | None, repeats: int,
           rss: list[float] | None = None) -> float:
    """The best time of ``repeats`` runs; ``rss`` gets the resident set before and after the
    first run."""
    best = float("inf")
    for attempt in range(repeats):
        if setup is not None:
            setup()
        gc.collect()
        if attempt == 0 and rss is not None:
            rss.append(_rss_mb())
        start = time.perf_counter()
        kept = fn()
        best = min(best, time.perf_counter() - start)
        if attempt == 0 and rss is not None:
            gc.collect()
            rss.append(_rss_mb())
        del kept
        if attempt == 0 and best >= SLOW:
            break
    return best


def _peak_mb(fn: Callable[[], object], setup: Callable[[], None] | None) -> float:
    if setup is not None:
        setup()
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _quiet(fn: Callable[[], object]) -> Callable[[], object]:
    def run() -> object:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn()

    return run


def measure(step: Step, ctx: Context, size: int, repeats: int) -> dict[str, Any]:
    """Time ``step`` and its baseline, take its memory peak; one row of the results."""
    setup = (lambda: step.setup(ctx)) if step.setup is not None else None  # type: ignore[misc]
    run = _quiet(lambda: step.run(ctx))
    resident: list[float] = []
    seconds = _timed(run, setup, repeats, resident)
    n = _repeats_done(seconds, repeats)
    peak = _peak_mb(run, setup) if TRACE else float("nan")
    rss = _max_rss_mb()
    base = _timed(_quiet(lambda: step.baseline(ctx)), None, repeats)
    amount = {"words": ctx.words, "rows": len(ctx.ledger),
              "respondents": ctx.synthetic.respondents}[step.unit]
    return {
        "step": step.name, "size": size, "respondents": ctx.synthetic.respondents,
        "seconds": seconds, "repeats": n,
        "throughput": amount / seconds if seconds > 0 else float("nan"),
        "unit": f"{step.unit}/s", "peak_mb": peak, "rss_mb": resident[1],
        "rss_delta_mb": resident[1] - resident[0], "max_rss_mb": rss,
        "baseline_seconds": base, "ratio": seconds / base if base > 0 else float("nan"),
    }


def _repeats_done(seconds: float, repeats: int) -> int:
    return 1 if seconds >= SLOW else repeats


# ---------------------------------------------------------------------------- the steps
def _cache_dir(ctx: Context) -> Path:
    return ctx.root / ".tymqual-cache"


def _drop_cache(ctx: Context) -> None:
    shutil.rmtree(_cache_dir(ctx), ignore_errors=True)


def _open(ctx: Context) -> tymqual.Project:
    ctx.project = tymqual.open_project(ctx.root, progress=False)
    return ctx.project


def _read_plain(ctx: Context) -> dict[str, list[str]]:
    """Baseline of opening: every file of the project read as text and split into lines."""
    lines = {}
    for folder in ("transcripts", "surveys", "codes"):
        for path in sorted((ctx.root / folder).iterdir()):
            if path.is_file():
                lines[path.name] = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return lines


def _open_in_new_process(ctx: Context, query: str = "") -> dict[str, float]:
    """Open the project in a new process (and, given ``query``, run its first search there):
    the seconds of the open, of the search, and the child's resident-set high-water mark."""
    code = (
        "import json, resource, sys, time, warnings\n"
        "import tymqual\n"
        "warnings.simplefilter('ignore')\n"
        "start = time.perf_counter()\n"
        "p = tymqual.open_project(sys.argv[1], progress=False)\n"
        "seconds = time.perf_counter() - start\n"
        "start = time.perf_counter()\n"
        "hits = len(p.search(sys.argv[2])) if sys.argv[2] else 0\n"
        "search = time.perf_counter() - start\n"
        "rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(json.dumps({'seconds': seconds, 'search_seconds': search, 'rss_kb': rss}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(ctx.root), query], check=True,
                          capture_output=True, text=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


_TURN = re.compile(r"^(H|V): ", re.MULTILINE)


def _plain_turns(ctx: Context) -> pd.DataFrame:
    rows = [(sid, m.group(1), m.end()) for sid, text in ctx.texts.items()
            for m in _TURN.finditer(text)]
    return pd.DataFrame(rows, columns=["source_id", "speaker", "start"])


def _forms_regex(words: list[str]) -> re.Pattern[str]:
    forms = sorted({f for w in words for f in NOUNS.get(w, (w,))}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, forms)) + r")\b", re.IGNORECASE)


_QUERY_PATTERNS = [_forms_regex(["johtoryhmä"]),
                   re.compile(r"\bverkosto\w*", re.IGNORECASE),
                   re.compile(r"\boman\s+työn\s+ohessa\b", re.IGNORECASE)]


def _plain_search(ctx: Context, patterns: list[re.Pattern[str]]) -> list[tuple[str, int, int]]:
    return [(sid, m.start(), m.end()) for pattern in patterns
            for sid, text in ctx.texts.items() for m in pattern.finditer(text)]


def _search(ctx: Context) -> None:
    for query in QUERIES:
        ctx.p.search(query)


def _fresh_search(ctx: Context) -> None:
    # A project object keeps its search index; a new object starts without one.
    ctx.project = _open(ctx)


def _plain_frequencies(ctx: Context) -> pd.DataFrame:
    return ctx.ledger.groupby("code").agg(segments=("start", "size"),
                                          cases=("source_id", "nunique"))


def _plain_crosstab(ctx: Context) -> pd.DataFrame:
    return pd.crosstab(ctx.ledger["code"], ctx.ledger["source_id"])


def _plain_attribute(ctx: Context) -> pd.DataFrame:
    cases = pd.read_csv(ctx.root / "codes" / "cases.csv", dtype=str)
    merged = ctx.ledger.merge(cases, left_on="source_id", right_on="case_id")
    return pd.crosstab(merged["code"], merged["region"])


def _plain_cooccurrence(ctx: Context) -> pd.DataFrame:
    spans = ctx.ledger[["source_id", "start", "end", "code"]]
    joined = spans.merge(spans, on="source_id", suffixes=("_a", "_b"))
    joined = joined[(joined["start_a"] < joined["end_b"]) & (joined["start_b"] < joined["end_a"])
                    & (joined["code_a"] < joined["code_b"])]
    return joined.groupby(["code_a", "code_b"]).size().reset_index(name="count")


def _plain_analysis(ctx: Context) -> pd.DataFrame:
    book = ctx.p.codebook.to_frame()[["key", "name", "path"]]
    return ctx.ledger.merge(book, left_on="code", right_on="key")[
        ["source_id", "text", "reduced", "name", "path"]]


def _plain_quotes(ctx: Context) -> pd.DataFrame:
    return ctx.ledger.sort_values(["code", "source_id", "start"]).groupby("code").head(3)


def _plain_likert(ctx: Context) -> pd.DataFrame:
    answers = pd.read_csv(ctx.root / "surveys" / f"{SURVEY_STEM}.csv", sep=";", dtype=str,
                          encoding="utf-8-sig")
    return answers.iloc[:, 1:7].apply(lambda column: column.value_counts())


def _plain_joint(ctx: Context) -> pd.DataFrame:
    return pd.concat([_plain_likert(ctx), _plain_frequencies(ctx)])


def _plain_case_summary(ctx: Context) -> pd.DataFrame:
    return pd.crosstab(ctx.ledger["source_id"], ctx.ledger["code"])


_WORD = re.compile(r"\w+")


def _plain_description(ctx: Context) -> pd.DataFrame:
    return pd.DataFrame({"source_id": list(ctx.texts),
                         "words": [len(_WORD.findall(t)) for t in ctx.texts.values()]})


def _plain_agreement(ctx: Context) -> pd.DataFrame:
    keys = ["source_id", "start", "end", "code"]
    a = ctx.ledger[ctx.ledger["coder"] == "A"][keys]
    b = ctx.ledger[ctx.ledger["coder"] == "B"][keys]
    merged = a.merge(b, on=keys, how="outer", indicator=True)
    return merged.groupby(["code", "_merge"], observed=True).size().unstack(fill_value=0)


def _report(ctx: Context) -> None:
    ctx.p.report(ctx.work / "report", progress=False)


def _plain_report(ctx: Context) -> None:
    with pd.ExcelWriter(ctx.work / "plain.xlsx") as writer:
        for name, frame in ctx.computed.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)


def _report_tables(ctx: Context) -> dict[str, pd.DataFrame]:
    p = ctx.p
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "data_description": tables.data_description(p),
            "code_frequencies": tables.code_frequencies(p),
            "by_region": tables.code_frequencies(p, by="region", allow_small_cells=True),
            "code_case_matrix": tables.code_case_matrix(p),
            "co_occurrence": tables.co_occurrence(p),
            "agreement": agreement.project_agreement(p, ("A", "B")),
            "analysis_table": tables.analysis_table(p),
            "likert_table": tables.likert_table(p.survey()),
            "joint_display": tables.joint_display(p),
            "case_summary": tables.case_summary(p),
            "quotes": tables.quotes(p),
        }


def _plain_export(ctx: Context) -> None:
    with zipfile.ZipFile(ctx.work / "plain.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for sid, text in ctx.texts.items():
            archive.writestr(f"sources/{sid}.txt", text)
        archive.writestr("codings.csv", ctx.ledger.to_csv(index=False))


def _restore_ledger(ctx: Context) -> None:
    shutil.copyfile(ctx.work / "codings.csv", ctx.root / "codes" / "codings.csv")


def _plain_autocode(ctx: Context) -> list[tuple[str, int, int]]:
    words = [str(k) for code in ctx.p.codebook for k in code.keywords]
    return _plain_search(ctx, [_forms_regex(words)])


def _suggest_fit(ctx: Context) -> CodeSuggester:
    ctx.suggester = CodeSuggester().fit(ctx.p)
    return ctx.suggester


def _suggest_predict(ctx: Context) -> pd.DataFrame:
    if ctx.suggester is None:
        _suggest_fit(ctx)
    assert ctx.suggester is not None
    return ctx.suggester.suggest(ctx.p)


def _plain_fit(ctx: Context) -> object:
    """Baseline of fitting: character n-gram TF-IDF and one logistic regression over the
    passages coded by hand (the most frequent code against the rest)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    coded = ctx.ledger[ctx.ledger["coder"] == "A"]
    target = coded["code"] == coded["code"].mode().iloc[0]
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    model = LogisticRegression(solver="liblinear").fit(
        vectorizer.fit_transform(coded["text"]), target)
    ctx.plain_model = (vectorizer, model)
    return model


def _plain_predict(ctx: Context) -> object:
    """Baseline of proposing: the plain model's probabilities for every sentence, in batches
    as the suggester's."""
    if ctx.plain_model is None:
        _plain_fit(ctx)
    vectorizer, model = ctx.plain_model  # type: ignore[misc]
    sentences = [s for text in ctx.texts.values() for s in text.split(". ")]
    for at in range(0, len(sentences), 20_000):
        model.predict_proba(vectorizer.transform(sentences[at : at + 20_000]))
    return None


def _table(name: str) -> Callable[[Context], object]:
    calls: dict[str, Callable[[tymqual.Project], object]] = {
        "code_frequencies": tables.code_frequencies,
        "code_case_matrix": tables.code_case_matrix,
        "code_attribute_matrix": lambda p: tables.code_attribute_matrix(
            p, "region", allow_small_cells=True),
        "co_occurrence": tables.co_occurrence,
        "co_occurrence_turn": lambda p: tables.co_occurrence(p, unit="turn"),
        "analysis_table": tables.analysis_table,
        "quotes": tables.quotes,
        "likert_table": lambda p: tables.likert_table(p.survey()),
        "joint_display": tables.joint_display,
        "case_summary": tables.case_summary,
        "data_description": tables.data_description,
    }
    return lambda ctx: calls[name](ctx.p)


_TABLE_BASELINES: dict[str, Callable[[Context], object]] = {
    "code_frequencies": _plain_frequencies,
    "code_case_matrix": _plain_crosstab,
    "code_attribute_matrix": _plain_attribute,
    "co_occurrence": _plain_cooccurrence,
    "co_occurrence_turn": _plain_cooccurrence,
    "analysis_table": _plain_analysis,
    "quotes": _plain_quotes,
    "likert_table": _plain_likert,
    "joint_display": _plain_joint,
    "case_summary": _plain_case_summary,
    "data_description": _plain_description,
}


def steps() -> list[Step]:
    """Every measured step, in the order run: ``autocode`` after the steps that read the
    ledger, as it adds to it; the suggester last (the slowest, with the ledger restored)."""
    return [
        Step("open_cold", _open, _read_plain, "words", setup=_drop_cache),
        Step("open_warm", _open, _read_plain, "words"),
        Step("turns", lambda c: c.p.turns(), _plain_turns, "words"),
        Step("sources", lambda c: c.p.sources, _plain_description, "words"),
        Step("segments", lambda c: c.p.segments(), _plain_analysis, "rows"),
        Step("search_first", lambda c: c.p.search(QUERIES[0]),
             lambda c: _plain_search(c, _QUERY_PATTERNS[:1]), "words", setup=_fresh_search),
        Step("search", _search, lambda c: _plain_search(c, _QUERY_PATTERNS), "words"),
        *[Step(name, _table(name), _TABLE_BASELINES[name],
               "respondents" if name == "likert_table" else "rows") for name in TABLES],
        Step("agreement", lambda c: c.p.agreement(("A", "B")), _plain_agreement, "rows"),
        Step("report", _report, _plain_report, "words"),
        Step("export_qdpx", lambda c: c.p.export_qdpx(c.work / "project.qdpx"), _plain_export,
             "words"),
        Step("autocode", lambda c: autocode.autocode(c.p, role="interviewee"), _plain_autocode,
             "words", setup=_restore_ledger),
        Step("suggest_fit", _suggest_fit, _plain_fit, "rows", setup=_restore_ledger),
        Step("suggest_predict", _suggest_predict, _plain_predict, "words"),
    ]


def _process_row(ctx: Context, size: int, repeats: int, *, search: bool) -> dict[str, Any]:
    """``open_warm_process`` (``search=False``) or ``search_first_process``: the best of
    ``repeats`` new processes, against the plain baseline in this one."""
    runs = [_open_in_new_process(ctx, QUERIES[0] if search else "") for _ in range(repeats)]
    key = "search_seconds" if search else "seconds"
    best = min(runs, key=lambda r: r[key])
    if search:
        base = _timed(lambda: _plain_search(ctx, _QUERY_PATTERNS[:1]), None, repeats)
    else:
        base = _timed(lambda: _read_plain(ctx), None, repeats)
    scale = 1 if sys.platform == "darwin" else 1024
    return {
        "step": "search_first_process" if search else "open_warm_process", "size": size,
        "respondents": ctx.synthetic.respondents, "seconds": best[key], "repeats": repeats,
        "throughput": ctx.words / best[key], "unit": "words/s", "peak_mb": float("nan"),
        "rss_mb": float("nan"), "rss_delta_mb": float("nan"),
        "max_rss_mb": best["rss_kb"] * scale / 2**20, "baseline_seconds": base,
        "ratio": best[key] / base,
    }


def run_size(size: int, work: Path, repeats: int, log: Callable[[str], None],
             respondents: int | None = None) -> list[dict]:
    """Write the project of ``size`` interviews (and ``respondents``, default
    :func:`~benchmarks.synthetic.respondents_for`) under ``work`` and measure every step."""
    start = time.perf_counter()
    name = f"project-{size}" + ("" if respondents is None else f"-{respondents}")
    synthetic = make_project(work / name, size, respondents=respondents)
    log(f"size {size}: wrote {synthetic.interviews} interviews, {synthetic.words:,} words, "
        f"{synthetic.respondents:,} respondents, {synthetic.codings:,} codings "
        f"in {time.perf_counter() - start:.1f} s")
    ctx = Context(synthetic, work)
    shutil.copyfile(synthetic.root / "codes" / "codings.csv", work / "codings.csv")
    ctx.ledger = pd.read_csv(synthetic.root / "codes" / "codings.csv", dtype={"source_id": str},
                             keep_default_na=False, encoding="utf-8-sig")
    rows = []
    for step in steps():
        if step.name == "turns":  # the baselines read the texts the project has loaded
            ctx.texts = {sid: ctx.p.text(sid) for sid in ctx.p.source_ids}
        if step.name == "report":  # the baseline writes the tables; computing them is not timed
            ctx.computed = _report_tables(ctx)
        row = measure(step, ctx, size, repeats)
        rows.append(row)
        log(_line(row))
        if step.name in ("open_warm", "search"):  # search_first has cached the index
            rows.append(_process_row(ctx, size, repeats, search=step.name == "search"))
            log(_line(rows[-1]))
    _restore_ledger(ctx)
    return rows


# ---------------------------------------------------------------------------- reporting
def _line(row: dict[str, Any]) -> str:
    return (f"{row['step']:<22} {row['size']:>5} {row['respondents']:>7} {row['seconds']:>9.3f} "
            f"{row['throughput']:>13,.0f} {row['unit']:<14} {row['peak_mb']:>8.1f} "
            f"{row['rss_delta_mb']:>8.0f} {row['max_rss_mb']:>8.0f} "
            f"{row['baseline_seconds']:>9.4f} {row['ratio']:>8.1f}")


HEADER = (f"{'step':<22} {'size':>5} {'resp.':>7} {'seconds':>9} {'throughput':>13} "
          f"{'unit':<14} {'peak_mb':>8} {'rss_d_mb':>8} {'max_rss':>8} {'baseline':>9} "
          f"{'ratio':>8}")


def targets(rows: list[dict[str, Any]]) -> list[tuple[str, bool | None, str]]:
    """Each target: ``(description, met or None when not measured, the figures behind it)``."""
    by = {(r["step"], r["size"]): r for r in rows}
    sizes = sorted({r["size"] for r in rows})
    big, small = max(sizes), min(sizes)
    out: list[tuple[str, bool | None, str]] = []

    def add(key: str, values: list[tuple[str, float]], limit: float, scale: str) -> None:
        if not values:
            out.append((TARGETS_NOTE[key], None, "not measured"))
            return
        worst = max(values, key=lambda v: v[1])
        detail = f"worst {worst[0]} {worst[1]:.3f} {scale}"
        out.append((TARGETS_NOTE[key], worst[1] < limit, detail))

    at_1000 = big >= 1000
    warm = [(s, by[(s, big)]["seconds"]) for s in ("open_warm", "open_warm_process")
            if (s, big) in by] if at_1000 else []
    add("open_warm", warm, 2.0, "s")
    add("tables", [(t, by[(t, big)]["seconds"]) for t in TABLES if (t, big) in by]
        if at_1000 else [], 1.0, "s")
    add("report", [("report", by[("report", big)]["seconds"])] if at_1000 else [], 60.0, "s")
    add("first_search", [("search_first_process", by[("search_first_process", big)]["seconds"])]
        if at_1000 and ("search_first_process", big) in by else [], 2.0, "s")
    add("memory", [(f"{r['step']}@{r['size']}", r["max_rss_mb"] / 1024) for r in rows], 2.0,
        "GB (max RSS)")
    add("interactive", [(s, by[(s, small)]["seconds"] * 1000) for s in INTERACTIVE
                        if (s, small) in by] if small <= 4 else [], 50.0, "ms")
    return out


def machine() -> dict[str, str]:
    """What the figures were taken on."""
    free = subprocess.run(["free", "-h"], capture_output=True, text=True, check=False).stdout
    return {"nproc": str(os.cpu_count()), "python": platform.python_version(),
            "platform": platform.platform(), "free_h": free.strip()}


def write_results(rows: list[dict[str, Any]], out: Path) -> tuple[Path, Path]:
    """``benchmarks.csv`` and ``benchmarks.png`` (seconds and ratio per step, per size)."""
    out.mkdir(parents=True, exist_ok=True)
    csv_path = out / "benchmarks.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v)
                             for k, v in row.items()})
    png_path = out / "benchmarks.png"
    _plot(pd.DataFrame(rows, columns=COLUMNS), png_path)
    return csv_path, png_path


def _plot(frame: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    order = list(dict.fromkeys(frame["step"]))
    sizes = sorted(frame["size"].unique())
    fig, axes = plt.subplots(1, 2, figsize=(13, 0.32 * len(order) + 2), sharey=True)
    height = 0.8 / len(sizes)
    for i, size in enumerate(sizes):
        mine = frame[frame["size"] == size].set_index("step").reindex(order)
        ys = [k + i * height for k in range(len(order))]
        axes[0].barh(ys, mine["seconds"], height=height, label=f"{size} interviews")
        axes[1].barh(ys, mine["ratio"], height=height, label=f"{size} interviews")
    axes[0].set_yticks([k + 0.4 - height / 2 for k in range(len(order))], order)
    axes[0].invert_yaxis()
    for ax, title in zip(axes, ("seconds (log)", "ratio to the plain baseline (log)"),
                         strict=True):
        ax.set_xscale("log")
        ax.set_title(title)
        ax.grid(axis="x", alpha=0.3)
    axes[1].axvline(1, color="black", linewidth=0.8)
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=len(sizes), frameon=False)
    fig.tight_layout(rect=(0, 0.04, 1, 1))  # room for the legend under the bars
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[4, 100, 1000],
                        help="numbers of interviews (default: 4 100 1000)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="folder for benchmarks.csv and benchmarks.png "
                        f"(default {DEFAULT_OUT})")
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of a step under 10 s, the best kept (default 3)")
    parser.add_argument("--respondents", type=int, default=None,
                        help="survey respondents at every size, each with a 70 %% chance of a "
                        "short open answer (default: 20 per interview, at most 20,000)")
    parser.add_argument("--no-trace", action="store_true",
                        help="skip the untimed tracemalloc run of each step (peak_mb empty), "
                        "which doubles the time of the largest sizes")
    parser.add_argument("--keep", action="store_true",
                        help="keep the generated projects (their folder is printed)")
    args = parser.parse_args(argv)
    if args.repeats < 1 or any(s < 1 for s in args.sizes) or (args.respondents or 0) < 0:
        parser.error("--sizes and --repeats must be whole numbers of at least 1, "
                     "--respondents at least 0")

    def log(text: str) -> None:
        print(text, flush=True)

    global TRACE
    TRACE = not args.no_trace
    info = machine()
    log(f"tymqual on {info['platform']}, {info['nproc']} CPU(s), Python {info['python']}")
    work = Path(tempfile.mkdtemp(prefix="tymqual-bench-"))
    rows: list[dict[str, Any]] = []
    try:
        log(HEADER)
        for size in args.sizes:
            rows += run_size(size, work, args.repeats, log, respondents=args.respondents)
            csv_path, png_path = write_results(rows, args.out)
    finally:
        if args.keep:
            log(f"projects kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    log("")
    log(HEADER)
    for row in rows:
        log(_line(row))
    log("")
    for text, met, detail in targets(rows):
        state = "not measured" if met is None else "met" if met else "MISSED"
        log(f"{state:<12} {text}: {detail}")
    log(f"\nwrote {csv_path} and {png_path}")
    (args.out / "machine.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
