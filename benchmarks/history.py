"""What the codings history costs: ``p.code()``, autocoding and undo, with and without it.

Run ``python benchmarks/history.py --sizes 4 1000`` (``make bench-history``). For each size it
writes the synthetic study of :mod:`benchmarks.synthetic`, then in the same process measures

* ``code``: one ``p.code()`` on a ledger with the history on, against the same call on a
  ledger opened with ``history=False`` (the baseline); best of many repeats;
* ``autocode``: autocoding every interview's speech (the whole study's keywords) with the
  history on, against the same with it off; each from the same starting ledger;
* ``undo``: taking back the last ``p.code()``.

Targets (issue 14): the history adds under 10 % to ``p.code()`` at the thesis size (4) and to
autocoding 1,000 interviews; undo of the last change under 50 ms at the thesis size. The
script prints one line per measurement and the ratio, and exits 0; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TQDM_DISABLE", "1")  # progress bars would drown the figures
if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tymqual  # noqa: E402
from benchmarks.synthetic import make_project  # noqa: E402
from tymqual import autocode  # noqa: E402
from tymqual.codings import Ledger  # noqa: E402


def _best(fn: Callable[[], object], setup: Callable[[], None], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        setup()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _open(root: Path, history: bool) -> tymqual.Project:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = tymqual.open_project(root, progress=False)
    if not history:
        plain = Ledger(p.ledger.path, history=False)
        plain.texts, plain.who = p.ledger.texts, p.ledger.who
        p.ledger = plain
    return p


def measure_size(size: int, work: Path, repeats: int) -> list[tuple[str, int, float, float]]:
    """``(step, size, seconds with history, seconds without)`` for one study size."""
    synthetic = make_project(work / f"project-{size}", size)
    root = synthetic.root
    ledger = root / "codes" / "codings.csv"
    history = ledger.with_name("codings.history.jsonl")
    pristine = work / f"codings-{size}.csv"
    shutil.copyfile(ledger, pristine)

    def reset() -> None:
        shutil.copyfile(pristine, ledger)
        history.unlink(missing_ok=True)

    rows = []
    reset()
    probe = _open(root, False)
    sid = probe.source_ids[0]
    code = next(iter(probe.codebook)).key
    end = min(len(probe.text(sid)), 40)
    counter = iter(range(1, 10**9))

    def code_once(p: tymqual.Project) -> Callable[[], object]:
        return lambda: p.code(sid, code, start=next(counter) % max(1, end - 1), end=end)

    n = repeats * 10
    # Each variant from the same ledger; the first change to a ledger without a history
    # writes its baseline once, so it is made before timing: a coding day's steady state.
    reset()
    _baseline(ledger)
    with_history = _open(root, True)
    t_on = _best(code_once(with_history), lambda: None, n)
    t_undo = _best(with_history.undo, lambda: with_history.code(sid, code, start=1, end=end),
                   n)
    reset()
    t_off = _best(code_once(_open(root, False)), lambda: None, n)
    rows.append(("code", size, t_on, t_off))
    rows.append(("undo", size, t_undo, float("nan")))

    def fresh(history_on: bool) -> Callable[[], None]:
        def setup() -> None:
            reset()
            if history_on:  # the baseline of an old ledger is written once, not per batch
                _baseline(ledger)
        return setup

    # The two variants alternate, so that a load on the machine that comes and goes falls
    # on both alike; the best of each is kept.
    t_on = t_off = float("inf")
    for _ in range(repeats):
        t_on = min(t_on, _best(lambda: autocode.autocode(_open(root, True), role="interviewee"),
                               fresh(True), 1))
        t_off = min(t_off, _best(lambda: autocode.autocode(_open(root, False),
                                                           role="interviewee"), fresh(False), 1))
    rows.append(("autocode", size, t_on, t_off))
    reset()
    return rows


def _baseline(ledger: Path) -> None:
    """Record the ledger's baseline in its history, as its first change would."""
    led = Ledger(ledger)
    with led.transaction(action="benchmark") as edit:
        edit.frame = edit.frame  # nothing changes; the history is brought up to date


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[4])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="tymqual-history-"))
    print(f"{'step':<10} {'size':>5} {'history s':>11} {'no history s':>13} {'added':>8}")
    for size in args.sizes:
        for step, n, on, off in measure_size(size, work, args.repeats):
            added = "" if off != off else f"{(on / off - 1) * 100:+.1f} %"
            shown_off = "" if off != off else f"{off:.4f}"
            print(f"{step:<10} {n:>5} {on:>11.4f} {shown_off:>13} {added:>8}", flush=True)
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
