"""Autocoding a whole study in one process, and the warm open after it: memory and seconds.

Run ``python benchmarks/autocode_memory.py PROJECT WORK`` with a generated project (for
example the 1,000-interview one that ``benchmarks/run.py --keep`` leaves). PROJECT is copied
to WORK (PROJECT is never changed), then, each in a new process:

* ``flow``: open, one search, ``autocode(role="interviewee")``; the process's maximum
  resident set after each step (Linux ``ru_maxrss``; the issue-22 target is 1 GB);
* ``open after autocoding`` (three processes; the best): ``open_project`` and the first
  read of the codings, against a plain baseline in the same run (``pandas.read_csv`` of the
  ledger and every transcript read as text), as a ratio.

It prints figures and asserts nothing; they and what they mean are in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("TQDM_DISABLE", "1")
if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd  # noqa: E402

import tymqual  # noqa: E402
from tymqual import autocode  # noqa: E402


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def flow(root: Path) -> None:
    """Open, search, autocode in this process, printing the maximum resident set after each."""
    marks = []
    start = time.perf_counter()
    p = tymqual.open_project(root, progress=False)
    marks.append(("open", time.perf_counter() - start, _max_rss_mb()))
    start = time.perf_counter()
    p.search("johtoryhmä")
    marks.append(("search", time.perf_counter() - start, _max_rss_mb()))
    start = time.perf_counter()
    new = autocode.autocode(p, role="interviewee")
    marks.append((f"autocode ({len(new):,} new)", time.perf_counter() - start, _max_rss_mb()))
    for name, seconds, rss in marks:
        print(f"{name:<24} {seconds:8.2f} s   max RSS {rss:7.0f} MB", flush=True)


def open_once(root: Path) -> None:
    """One warm open and the first read of the codings, as ``seconds seconds max_rss``."""
    start = time.perf_counter()
    p = tymqual.open_project(root, progress=False)
    opened = time.perf_counter() - start
    start = time.perf_counter()
    len(p.codings)
    print(opened, time.perf_counter() - start, _max_rss_mb())


def _plain(root: Path) -> float:
    start = time.perf_counter()
    pd.read_csv(root / "codes" / "codings.csv", dtype=str, keep_default_na=False)
    for path in sorted((root / "transcripts").iterdir()):
        path.read_text(encoding="utf-8", errors="replace")
    return time.perf_counter() - start


def _child(step: str, root: Path) -> str:
    return subprocess.run([sys.executable, __file__, "--step", step, str(root)], check=True,
                          capture_output=True, text=True).stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("work", type=Path, nargs="?")
    parser.add_argument("--step", choices=["flow", "open"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    if args.step == "flow":
        flow(args.project)
        return
    if args.step == "open":
        open_once(args.project)
        return
    if args.work is None:
        parser.error("give WORK, the folder PROJECT is copied to")
    shutil.rmtree(args.work, ignore_errors=True)
    shutil.copytree(args.project, args.work)
    print(_child("flow", args.work), end="")
    runs = [tuple(map(float, _child("open", args.work).split())) for _ in range(3)]
    opened, first_read, rss = min(runs)
    plain = min(_plain(args.work) for _ in range(3))
    print(f"open after autocoding     {opened:8.2f} s   first codings read {first_read:.2f} s"
          f"   max RSS {rss:7.0f} MB   plain {plain:.2f} s   ratio {opened / plain:.1f}")


if __name__ == "__main__":
    main()
