"""Can the CSV ledger hold a Kela unit's suggestions? Its costs at hundreds of thousands of rows.

Run ``python benchmarks/ledger.py --rows 10000 100000 400000`` (``make bench-ledger``). For each
size it writes a ledger of that many machine suggestions (short open answers, the shape
autocoding gives 200,000 survey respondents), then measures in the same process, each step
against what plain pandas does for the same file (the baseline):

* ``read cold``: a new :class:`~tymqual.codings.Ledger` reading the file (parse, validate, the
  history's digest check), against ``pandas.read_csv`` of the same file;
* ``add one``: one coding added (what the workbench does per click: an append), against
  appending the same row with ``DataFrame.to_csv(mode="a")`` and an fsync;
* ``accept 100``: 100 suggestions set to ``accepted`` in one change (a review batch; a change
  of rows, so a rewrite), against ``DataFrame.to_csv`` of the whole ledger;
* ``add batch``: the whole batch again as new suggestions (another code) added with
  ``add_missing`` to the ledger holding the first (the duplicate check, the history, the
  append), against appending the same rows with ``to_csv(mode="a")``;
* ``first batch``: the first batch written into a new ledger (no file yet: a rewrite),
  against ``to_csv`` of it.

With ``--memory`` it also runs ``add batch`` once more under :mod:`tracemalloc` and prints its
peak against the batch frame's own size (``memory_usage(deep=True)``). It prints seconds and
ratios and asserts nothing. The figures and what they mean are in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TQDM_DISABLE", "1")
if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd  # noqa: E402

from tymqual.codings import Ledger  # noqa: E402

ANSWER = "yhteistyö verkostossa toimii hyvin, mutta resursseja tarvitaan lisää"


def suggestions(n: int, code: str = "verkostojohtaminen") -> pd.DataFrame:
    """``n`` autocoding suggestions on short open answers, one per respondent."""
    ids = [f"r{i:06d}" for i in range(n)]
    return pd.DataFrame({
        "source_id": ids, "start": [0] * n, "end": [len(ANSWER)] * n,
        "code": [code] * n, "coder": ["autocode"] * n,
        "status": ["suggested"] * n, "text": [ANSWER] * n,
    })


def _seconds(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _pandas_append(frame: pd.DataFrame, path: Path) -> None:
    with open(path, "a", encoding="utf-8", newline="") as fh:
        frame.to_csv(fh, index=False, header=False, lineterminator="\n")
        fh.flush()
        os.fsync(fh.fileno())


Step = tuple[str, int, float, float]


def measure(n: int, work: Path) -> list[Step]:
    """``(step, rows, seconds, baseline seconds)`` for a ledger of ``n`` rows."""
    folder = work / f"ledger-{n}"
    folder.mkdir(parents=True)
    path = folder / "codings.csv"
    batch = suggestions(n)
    t_first = _seconds(lambda: Ledger(path).add(batch, action="autocode", who="benchmark"))
    frame = Ledger(path).read()
    plain = folder / "plain.csv"
    t_write = _seconds(lambda: frame.to_csv(plain, index=False, encoding="utf-8-sig"))
    t_read_plain = _seconds(lambda: pd.read_csv(plain, dtype=str, keep_default_na=False))
    t_read = _seconds(lambda: Ledger(path).read())
    ledger = Ledger(path)
    ledger.read()
    one = {"source_id": "r000001", "start": 0, "end": 12, "code": "sopimusneuvottelut",
           "coder": "A", "text": ANSWER[:12]}
    t_one = _seconds(lambda: ledger.add([one], who="A"))
    t_one_plain = _seconds(lambda: _pandas_append(frame.iloc[:1], plain))
    ids = frame["coding_id"].iloc[:100].tolist()
    t_accept = _seconds(lambda: ledger.update(ids, status="accepted", who="A"))
    second = suggestions(n, code="resursointi")
    t_batch = _seconds(lambda: ledger.add_missing(second, action="autocode", who="benchmark"))
    t_batch_plain = _seconds(lambda: _pandas_append(frame, plain))
    return [("read cold", n, t_read, t_read_plain), ("add one", n, t_one, t_one_plain),
            ("accept 100", n, t_accept, t_write), ("add batch", n, t_batch, t_batch_plain),
            ("first batch", n, t_first, t_write)]


def batch_memory(n: int, work: Path) -> tuple[float, float]:
    """Traced peak MB of adding a second batch of ``n`` to a ledger of ``n``, and the batch
    frame's own MB."""
    path = work / f"memory-{n}" / "codings.csv"
    Ledger(path).add(suggestions(n), action="autocode", who="benchmark")
    ledger = Ledger(path)
    ledger.read()
    second = suggestions(n, code="resursointi")
    own = second.memory_usage(deep=True).sum() / 2**20
    tracemalloc.start()
    ledger.add_missing(second, action="autocode", who="benchmark")
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return peak, own


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--memory", action="store_true")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="tymqual-ledger-"))
    print(f"{'step':<11} {'rows':>8} {'ledger s':>9} {'baseline s':>11} {'ratio':>6}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for n in args.rows:
            for step, rows, took, base in measure(n, work):
                print(f"{step:<11} {rows:>8,} {took:>9.3f} {base:>11.3f} {took / base:>6.1f}",
                      flush=True)
            if args.memory:
                peak, own = batch_memory(n, work)
                print(f"{'batch peak':<11} {n:>8,} {peak:>8.0f}M {own:>10.0f}M "
                      f"{peak / own:>6.1f}", flush=True)
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
