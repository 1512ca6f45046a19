"""Time sxc's compiled workloads in-process, through the Python API.

Each subcommand compiles a workload once with `sxc.compile`, prepares its
input outside the timed region (the W1 instance, the TSPLIB distances),
then calls the compiled entry function several times and prints one JSON
object per task, in the format of the baselines in bench/baselines/:
`times` holds the wall time of each call.  A call goes through ctypes,
which costs a few microseconds (`call_overhead_s` measures it on a function
that does nothing); the shortest timed call is about a millisecond.

    python bench/sxc_runner.py w1 STEPS REPEATS OPT
    python bench/sxc_runner.py w2 REPEATS OPT
    python bench/sxc_runner.py w2-schedule STEPS REPEATS OPT
    python bench/sxc_runner.py tsplib STEPS REPEATS OPT COORDINATE_FILE...
    python bench/sxc_runner.py compile OPT REPEATS FILE...
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

import sxc

WORKLOADS = Path(__file__).resolve().parent / "workloads"
W1_SOURCE = WORKLOADS / "tsp_sa.sx"
W2_SOURCE = WORKLOADS / "rastrigin_meta.sx"
W2_SCHEDULE_SOURCE = WORKLOADS / "rastrigin_schedule.sx"
W2_THETA = np.array([10.0, 0.0005, 0.01, 0.5, 0.01, 0.0])
W2_STEPS = 10_000


def emit(record: dict) -> None:
    print(json.dumps(record), flush=True)


def compile_timed(source: Path, **options) -> tuple[sxc.Module, float]:
    start = time.perf_counter()
    module = sxc.compile(str(source), **options)
    return module, time.perf_counter() - start


def time_calls(call, repeats: int) -> tuple[object, list[float]]:
    result, times = None, []
    for _ in range(repeats):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return result, times


def call_overhead(module: sxc.Module, calls: int = 2000) -> float:
    """Return the mean wall time of calling the workload's `lanes()`, which does no work."""
    start = time.perf_counter()
    for _ in range(calls):
        module.lanes()
    return (time.perf_counter() - start) / calls


def run_w1(steps: int, repeats: int, opt: int) -> None:
    module, compile_s = compile_timed(W1_SOURCE, opt_level=opt)
    dist = np.zeros(100 * 100)
    state = module.make_instance(dist)
    out = np.zeros(3)
    accepted, times = time_calls(lambda: module.anneal(dist, 100, state, steps, out), repeats)
    emit(dict(task="w1", impl=f"sxc-O{opt}", steps=steps, final_len=out[0],
              final_len_hex=float.hex(out[0]), best_len=out[1], best_len_hex=float.hex(out[1]),
              cur_len=out[2], accepted=accepted, compile_s=compile_s, times=times))


def run_w2(repeats: int, opt: int) -> None:
    one_lane, compile_1 = compile_timed(W2_SOURCE, opt_level=opt, tangents=1)
    six_lanes, compile_6 = compile_timed(W2_SOURCE, opt_level=opt, tangents=6)
    impl = f"sxc-O{opt}"
    overhead = call_overhead(one_lane)

    loss, times = time_calls(lambda: one_lane.loss(*W2_THETA), repeats)
    emit(dict(task="w2-primal", impl=impl, steps=W2_STEPS, loss=loss, loss_hex=float.hex(loss),
              compile_s=compile_1, call_overhead_s=overhead, times=times))

    for task, module, compile_s in (("w2-dual1x6", one_lane, compile_1),
                                    ("w2-dual6", six_lanes, compile_6)):
        grad = np.zeros(6)
        loss, times = time_calls(lambda m=module, g=grad: m.gradient(W2_THETA, g), repeats)
        emit(dict(task=task, impl=impl, steps=W2_STEPS, loss=loss, loss_hex=float.hex(loss),
                  grad=list(grad), grad_hex=[float.hex(g) for g in grad],
                  compile_s=compile_s, times=times))


def run_w2_schedule(steps: int, repeats: int, opt: int) -> None:
    impl = f"sxc-O{opt}"
    variants = (("w2s-release", dict(mode="release")),
                ("w2s-train0", dict(mode="train", tangents=0)),
                ("w2s-train1", dict(mode="train", tangents=1)),
                ("w2s-train8", dict(mode="train", tangents=8)))
    for task, options in variants:
        module, compile_s = compile_timed(W2_SCHEDULE_SOURCE, opt_level=opt, **options)
        grad = np.zeros(8)
        loss, times = time_calls(lambda m=module, g=grad: m.meta_loss(steps, g), repeats)
        emit(dict(task=task, impl=impl, steps=steps, loss=loss, lanes=module.lanes(),
                  grad=list(grad), compile_s=compile_s, times=times))


def run_tsplib(steps: int, repeats: int, opt: int, files: list[Path]) -> None:
    """Anneal each instance of a coordinate file (`n`, then n lines `x y`)."""
    module, compile_s = compile_timed(W1_SOURCE, opt_level=opt)
    for path in files:
        lines = path.read_text().split("\n")
        n = int(lines[0])
        xy = np.array([[float(v) for v in line.split()] for line in lines[1:n + 1]])
        dist = np.zeros(n * n)
        module.tsplib_distances(np.ascontiguousarray(xy[:, 0]), np.ascontiguousarray(xy[:, 1]),
                                dist)
        out = np.zeros(3)
        accepted, times = time_calls(lambda: module.anneal(dist, n, 42, steps, out), repeats)
        emit(dict(task=f"tsplib-{path.stem}", impl=f"sxc-O{opt}", cities=n, steps=steps,
                  final_len=out[0], final_len_hex=float.hex(out[0]), best_len=out[1],
                  best_len_hex=float.hex(out[1]), accepted=accepted, compile_s=compile_s,
                  times=times))


def run_compile(opt: int, repeats: int, files: list[Path]) -> None:
    """Compile each file `repeats` times, after one compile of the first file.

    That first compile pays the process's one-time set-up (LLVM, the grammar,
    the prelude), so it is reported apart as `compile-first`.
    """
    _, seconds = compile_timed(files[0], opt_level=opt)
    emit(dict(task="compile-first", impl=f"sxc-O{opt}", file=files[0].name,
              lines=len(files[0].read_text().splitlines()), seconds=seconds))
    for path in files:
        times = [compile_timed(path, opt_level=opt)[1] for _ in range(repeats)]
        emit(dict(task="compile", impl=f"sxc-O{opt}", file=path.name,
                  lines=len(path.read_text().splitlines()), times=times))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("w1")
    p.add_argument("steps", type=int)
    p.add_argument("repeats", type=int)
    p.add_argument("opt", type=int)

    p = sub.add_parser("w2")
    p.add_argument("repeats", type=int)
    p.add_argument("opt", type=int)

    p = sub.add_parser("w2-schedule")
    p.add_argument("steps", type=int)
    p.add_argument("repeats", type=int)
    p.add_argument("opt", type=int)

    p = sub.add_parser("tsplib")
    p.add_argument("steps", type=int)
    p.add_argument("repeats", type=int)
    p.add_argument("opt", type=int)
    p.add_argument("files", type=Path, nargs="+")

    p = sub.add_parser("compile")
    p.add_argument("opt", type=int)
    p.add_argument("repeats", type=int)
    p.add_argument("files", type=Path, nargs="+")

    args = parser.parse_args(argv)
    if args.command == "w1":
        run_w1(args.steps, args.repeats, args.opt)
    elif args.command == "w2":
        run_w2(args.repeats, args.opt)
    elif args.command == "w2-schedule":
        run_w2_schedule(args.steps, args.repeats, args.opt)
    elif args.command == "tsplib":
        run_tsplib(args.steps, args.repeats, args.opt, args.files)
    else:
        run_compile(args.opt, args.repeats, args.files)


if __name__ == "__main__":
    sys.exit(main())
