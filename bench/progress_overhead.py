"""Measure what `sxc run --progress` and `--trace` cost on examples/tsp_anneal.sx.

Runs the example (berlin52, `PER_CITY` moves per city) `REPEATS` times in
each setting, alternating settings, and prints the median of the annealing
time that the program itself reports ("wall time"), so compiling and
starting Python do not count.  Usage: python bench/progress_overhead.py
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "examples", "tsp_anneal.sx")
DATA = os.path.join(ROOT, "examples", "data", "berlin52.tsp")
PER_CITY = "100000"
REPEATS = 9


def annealing_seconds(extra: list[str]) -> float:
    cmd = [sys.executable, "-m", "sxc", "run", EXAMPLE, *extra, "--", DATA, PER_CITY]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return float(re.search(r"wall time: ([0-9.]+) s", out).group(1))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = {"plain": [], "--progress": ["--progress"],
                    "--trace": ["--trace", os.path.join(tmp, "trace.csv")]}
        times: dict[str, list[float]] = {name: [] for name in settings}
        annealing_seconds([])  # fill the compile cache
        for _ in range(REPEATS):
            for name, extra in settings.items():
                times[name].append(annealing_seconds(extra))
    base = statistics.median(times["plain"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:12} median {median:.4f} s  ({100 * (median / base - 1):+.2f} %)  "
              f"runs {' '.join(f'{v:.3f}' for v in values)}")


if __name__ == "__main__":
    main()
