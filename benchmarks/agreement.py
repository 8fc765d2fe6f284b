"""How fast the agreement statistics are at a large study's size.

Run ``python benchmarks/agreement.py`` (``make bench-agreement``). In one process it measures

* ``alpha``: :func:`tymqual.agreement.krippendorff_alpha` on 10^5 units × 3 coders of nominal
  data (5 categories, 10 % of the values missing), against the ``krippendorff`` package on the
  same array (the baseline). Target (issue 21): within 2× of the package.
* ``unitizing``: :func:`tymqual.unitizing.unitizing_table` (every coefficient of the family,
  per code, per domain and in total) and :func:`tymqual.unitizing.unitizing_alpha` (α_u
  pooled) on 1,000 interviews of 50,000 characters, two coders, 15 codes in 3 domains, about
  15 segments per coder and interview. Target: under 10 s. Its baseline is the plain pandas
  step nearest to it, sorting the segments by coder, source and start.

Best of ``--repeats`` runs each; the script prints one line per measurement with the ratio
and asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TQDM_DISABLE", "1")
if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from tymqual.agreement import krippendorff_alpha  # noqa: E402
from tymqual.unitizing import unitizing_alpha, unitizing_table  # noqa: E402

CODES = [f"{domain}/{code}" for domain in ("johtaminen", "neuvottelut", "alueet")
         for code in ("a", "b", "c", "d", "e")]


def _best(fn: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def reliability_data(units: int, coders: int, seed: int = 0) -> np.ndarray:
    """Coders × units of 5 nominal categories; a unit's coders mostly agree; 10 % missing."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 5, units)
    data = np.where(rng.random((coders, units)) < 0.8, truth, rng.integers(0, 5, (coders, units)))
    return np.where(rng.random((coders, units)) < 0.1, np.nan, data.astype(np.float64))


def free_segments(interviews: int, length: int, per_coder: int, seed: int = 0) -> pd.DataFrame:
    """``coder, source, start, end, code``: coder A's segments laid one after another on each
    interview (none overlap), and coder B's the same with moved ends, some left out, a few
    recoded."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(interviews):
        cuts = np.sort(rng.choice(np.arange(1, length), 2 * per_coder, replace=False))
        starts, ends = cuts[0::2], cuts[1::2]
        codes = rng.choice(CODES, per_coder)
        for s, e, c in zip(starts.tolist(), ends.tolist(), codes.tolist(), strict=True):
            rows.append(("A", f"H{i}", s, e, c))
            if rng.random() < 0.85:
                b_s = int(np.clip(s + rng.integers(-20, 21), 0, e - 1))
                b_e = int(np.clip(e + rng.integers(-20, 21), b_s + 1, length))
                b_c = c if rng.random() < 0.9 else str(rng.choice(CODES))
                rows.append(("B", f"H{i}", b_s, b_e, b_c))
    frame = pd.DataFrame(rows, columns=["coder", "source", "start", "end", "code"])
    # B's moved ends may run into B's next segment: trim them so no two of B's touch.
    frame = frame.sort_values(["coder", "source", "start"], kind="stable").reset_index(drop=True)
    nxt = frame.groupby(["coder", "source"])["start"].shift(-1)
    frame["end"] = np.where(nxt.notna() & (frame["end"] > nxt), nxt, frame["end"]).astype(int)
    return frame[frame["end"] > frame["start"]].reset_index(drop=True)


def bench_alpha(units: int, coders: int, repeats: int) -> tuple[float, float]:
    import krippendorff  # the baseline: only the benchmark needs it

    data = reliability_data(units, coders)
    ours = krippendorff_alpha(data)
    theirs = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    if not np.isclose(ours, theirs):
        raise SystemExit(f"alpha differs from the krippendorff package: {ours} vs {theirs}")
    t_ours = _best(lambda: krippendorff_alpha(data), repeats)
    t_theirs = _best(lambda: krippendorff.alpha(reliability_data=data,
                                                level_of_measurement="nominal"), repeats)
    return t_ours, t_theirs


def bench_unitizing(interviews: int, length: int, repeats: int) -> list[tuple[str, float, float]]:
    segments = free_segments(interviews, length, per_coder=15)
    lengths = {f"H{i}": length for i in range(interviews)}
    baseline = _best(lambda: segments.sort_values(["coder", "source", "start"]), repeats)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = _best(lambda: unitizing_table(segments, lengths), repeats)
        alpha_u = _best(lambda: unitizing_alpha(segments, lengths, kind="alpha_u"), repeats)
    return [("unitizing_table", table, baseline), ("unitizing_alpha_u", alpha_u, baseline)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--coders", type=int, default=3)
    parser.add_argument("--interviews", type=int, default=1000)
    parser.add_argument("--length", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"{'step':<20}{'seconds':>10}{'baseline':>10}{'ratio':>8}  target")
    t_ours, t_theirs = bench_alpha(args.units, args.coders, args.repeats)
    print(f"{'alpha':<20}{t_ours:>10.3f}{t_theirs:>10.3f}{t_ours / t_theirs:>8.2f}  "
          f"ratio ≤ 2 (krippendorff package, {args.units:,} units × {args.coders} coders)")
    for step, seconds, base in bench_unitizing(args.interviews, args.length, args.repeats):
        print(f"{step:<20}{seconds:>10.3f}{base:>10.3f}{seconds / base:>8.1f}  "
              f"under 10 s ({args.interviews:,} interviews; baseline: sorting the segments)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
