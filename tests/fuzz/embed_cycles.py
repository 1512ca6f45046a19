"""Compile and call programs in one process, and report the growth of its RSS.

    python tests/fuzz/embed_cycles.py --cycles 10000 [--opt-level 0] [--distinct 0]

Each cycle compiles a small program with `sxc.compile`, calls it, checks the
result against Python's arithmetic and drops the module, so its execution
engine is released.  `--distinct N` cycles through N different sources
(0: every cycle is new).  With the compile cache on, a repeated source is a
cache hit and skips LLVM's optimiser.

llvmlite 0.50's pass builder keeps about 55 KB of native memory for every
module it optimises at -O1 to -O3, so `sxc.compile` optimises in a worker
process (`sxc.llvm_worker`), and new sources at those levels leave this
process's RSS flat too.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile


def rss_mib() -> float:
    """Return the resident set size of this process in MiB (Linux)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_cycles(cycles: int, opt_level: int, distinct: int, report_every: int = 0,
               warmup: int = 30) -> tuple[float, float]:
    """Run `cycles` compile-and-call cycles; return the RSS after `warmup` cycles and at the end."""
    import sxc

    start = rss_mib()
    for i in range(cycles):
        k = i if distinct == 0 else i % distinct
        source = (f"fn f(x: f64, n: i64) -> f64 {{ x * {k}.0 + (n / 2) as f64 }}\n"
                  "fn g(n: i64) -> i64 { 10 / n }\n")
        module = sxc.compile(source, opt_level=opt_level)
        got = module.f(2.0, 7)
        expected = 2.0 * k + 3.0
        if got != expected:
            raise AssertionError(f"cycle {i}: f(2.0, 7) returned {got}, expected {expected}")
        try:
            module.g(0)
        except sxc.RuntimeError:
            pass
        else:
            raise AssertionError(f"cycle {i}: g(0) did not raise sxc.RuntimeError")
        del module
        if i + 1 == warmup:
            gc.collect()
            start = rss_mib()
        if report_every and (i + 1) % report_every == 0:
            gc.collect()
            print(f"cycle {i + 1}: rss {rss_mib():.1f} MiB", flush=True)
    gc.collect()
    return start, rss_mib()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=10_000)
    parser.add_argument("--opt-level", type=int, default=0, choices=range(4),
                        help="LLVM optimisation level of every compile (default 0)")
    parser.add_argument("--distinct", type=int, default=0,
                        help="number of different sources to cycle through (0: all new)")
    parser.add_argument("--cache", action="store_true",
                        help="use a fresh compile cache, so repeated sources are cache hits")
    args = parser.parse_args(argv)
    if args.cache:
        os.environ["SXC_CACHE_DIR"] = tempfile.mkdtemp(prefix="sxc-embed-cache-")
        os.environ.pop("SXC_NO_CACHE", None)
    else:
        os.environ["SXC_NO_CACHE"] = "1"
    start, end = run_cycles(args.cycles, args.opt_level, args.distinct,
                            report_every=max(1, args.cycles // 10))
    growth_kib = (end - start) * 1024 / max(1, args.cycles - 30)
    print(f"rss after warm-up {start:.1f} MiB, at the end {end:.1f} MiB "
          f"({growth_kib:.1f} KiB per cycle)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
