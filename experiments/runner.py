"""Run experiment sweeps on a Dask cluster and write the results page.

An experiment is a module in this package that defines:

    TITLE = "..."
    ORDER = 1                                     # optional: position on the results page
    def tasks(quick: bool) -> list[dict]          # independent, picklable work items
    def run_task(task: dict) -> dict              # runs on a worker, returns plain data
    def report(results: list[dict], quick: bool, figdir) -> str   # a markdown section

`results[i]` is `run_task(tasks[i])`.  `figdir` is a directory for figures
that sits next to the results page, so a figure saved there as NAME is linked
as `{figdir.name}/NAME`.  It is None when matplotlib is not installed, and the
report should then state that its plots were skipped.

One extension lets an experiment build on another's results:

    REQUIRES = ["annealing_quality"]              # experiments to run first
    def tasks(quick: bool, inputs: dict[str, list[dict]]) -> list[dict]

The runner passes `inputs[name]`, the results of each required experiment,
and schedules the dependent experiment once those are complete.

Workers never receive compiled code, because a JIT-compiled module cannot be
pickled.  Each worker compiles a `.sx` program the first time a task needs
it (`compiled`) and keeps the module for later tasks.

    python -m experiments.runner [--quick] [--scheduler ADDRESS] [--only NAME ...]
    python -m experiments.runner all        # the same as python -m experiments.run_all

With --scheduler, the scheduler and the workers unpickle the tasks, so each
needs this checkout on its PYTHONPATH (for example `PYTHONPATH=$PWD dask
worker tcp://HOST:8786`).
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import json
import logging
import math
import os
import pkgutil
import platform
import shlex
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

log = logging.getLogger("experiments")

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent
CONTRACT = ("TITLE", "tasks", "run_task", "report")

# Compiled `.sx` modules of this process, keyed by (path, mode, tangents).
_COMPILED: dict[tuple, Any] = {}


def compiled(path: str | Path, mode: str = "release", tangents: int | None = None):
    """Compile a `.sx` program once per process and return the cached module.

    A relative `path` is read from this package's directory.
    """
    import sxc

    full = Path(path)
    if not full.is_absolute():
        full = PACKAGE_DIR / full
    key = (str(full), mode, tangents)
    module = _COMPILED.get(key)
    if module is None:
        if tangents is None:
            module = sxc.compile(str(full), mode=mode)
        else:
            module = sxc.compile(str(full), mode=mode, tangents=tangents)
        _COMPILED[key] = module
    return module


def discover() -> dict[str, Any]:
    """Import every module of this package that follows the experiment contract."""
    found = {}
    for info in sorted(pkgutil.iter_modules([str(PACKAGE_DIR)]), key=lambda i: i.name):
        if info.ispkg or info.name.startswith("_") or info.name in ("runner", "run_all"):
            continue
        module = importlib.import_module(f"experiments.{info.name}")
        if all(hasattr(module, attr) for attr in CONTRACT):
            found[info.name] = module
    return found


def execute(name: str, task: dict) -> dict:
    """Run one task of experiment `name` (the function that workers call)."""
    module = importlib.import_module(f"experiments.{name}")
    return module.run_task(task)


def order_by_requirements(selected: list[str], experiments: dict[str, Any]) -> list[str]:
    """Return `selected` plus what they require, each after its requirements."""
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in ordered:
            return
        if name in visiting:
            raise ValueError(f"experiment {name!r} requires itself through REQUIRES")
        if name not in experiments:
            raise ValueError(f"unknown experiment {name!r}; found: {', '.join(experiments)}")
        visiting.add(name)
        for required in getattr(experiments[name], "REQUIRES", []):
            visit(required)
        visiting.discard(name)
        ordered.append(name)

    for name in selected:
        visit(name)
    return ordered


class Progress:
    """Progress of a sweep: a bar on a terminal, a plain line every few seconds otherwise."""

    def __init__(self, total: int, interval: float = 10.0):
        self.total = total
        self.done = 0
        self.failed = 0
        self.interval = interval
        self.started = time.monotonic()
        self.last_line = self.started
        self.bar = None
        if sys.stderr.isatty():
            try:
                from rich.progress import Progress as RichProgress
            except ImportError:
                pass
            else:
                self.bar = RichProgress(transient=False)
                self.bar.start()
                self.bar_task = self.bar.add_task("tasks", total=total)

    def add(self, count: int) -> None:
        self.total += count
        if self.bar is not None:
            self.bar.update(self.bar_task, total=self.total)

    def advance(self, name: str, ok: bool) -> None:
        self.done += 1
        self.failed += 0 if ok else 1
        if self.bar is not None:
            self.bar.update(self.bar_task, completed=self.done,
                            description=f"{name} ({self.failed} failed)")
            return
        now = time.monotonic()
        if now - self.last_line >= self.interval or self.done == self.total:
            self.last_line = now
            log.info("%d/%d tasks done, %d failed, %.0f s elapsed (last: %s)",
                     self.done, self.total, self.failed, now - self.started, name)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def sweep(client, experiments: dict[str, Any], names: list[str], quick: bool) -> dict:
    """Run the tasks of `names` on `client` and return, per experiment, its
    tasks, results and errors.  Independent experiments run concurrently.
    """
    from distributed import as_completed

    state = {name: {"tasks": None, "results": None, "errors": [], "seconds": 0.0}
             for name in names}
    pending: dict[Any, tuple[str, int]] = {}
    outstanding = {name: 0 for name in names}
    started = {}
    progress = Progress(0)
    queue = as_completed()

    def submit(name: str) -> None:
        module = experiments[name]
        required = getattr(module, "REQUIRES", [])
        if required:
            inputs = {r: [x for x in state[r]["results"] if x is not None] for r in required}
            items = module.tasks(quick, inputs)
        else:
            items = module.tasks(quick)
        state[name]["tasks"] = items
        state[name]["results"] = [None] * len(items)
        started[name] = time.monotonic()
        outstanding[name] = len(items)
        log.info("%s: submitting %d tasks", name, len(items))
        progress.add(len(items))
        if not items:
            finish(name)
            return
        futures = client.map(execute, [name] * len(items), items, pure=False,
                             key=[f"{name}-{i}" for i in range(len(items))])
        for index, future in enumerate(futures):
            pending[future] = (name, index)
            queue.add(future)

    def finish(name: str) -> None:
        state[name]["seconds"] = time.monotonic() - started[name]
        log.info("%s: finished in %.1f s", name, state[name]["seconds"])
        for other in names:
            if state[other]["tasks"] is not None:
                continue
            required = getattr(experiments[other], "REQUIRES", [])
            if name in required and all(outstanding_done(r) for r in required):
                submit(other)

    def outstanding_done(name: str) -> bool:
        return state[name]["tasks"] is not None and outstanding[name] == 0

    for name in names:
        if not getattr(experiments[name], "REQUIRES", []):
            submit(name)

    try:
        for future in queue:
            name, index = pending.pop(future)
            ok = future.status == "finished"
            if ok:
                state[name]["results"][index] = future.result()
            else:
                error = future.exception()
                log.error("%s: task %d failed: %r (task: %s)", name, index, error,
                          state[name]["tasks"][index])
                state[name]["errors"].append({"task": index, "error": repr(error)})
            progress.advance(name, ok)
            outstanding[name] -= 1
            if outstanding[name] == 0:
                finish(name)
    finally:
        progress.close()
    for name in names:
        if state[name]["tasks"] is None:
            state[name]["errors"].append({"task": None,
                                          "error": "not run: a required experiment failed"})
    return state


def machine() -> dict[str, Any]:
    """Describe the machine and the software versions behind the numbers."""
    import llvmlite

    import sxc

    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "sxc": sxc.__version__,
        "llvmlite": llvmlite.__version__,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def figure_directory(out: Path) -> Path | None:
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")
    figdir = out / "figures"
    figdir.mkdir(parents=True, exist_ok=True)
    return figdir


def _plain(value):
    """Turn NaN and infinities into None so that the JSON file is standard JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def write_results(out: Path, experiments: dict[str, Any], state: dict, quick: bool,
                  command: str, info: dict) -> Path:
    """Write results.md (the reports) and results.json (the raw results) into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    figdir = figure_directory(out)
    lines = [
        "# Experiment results",
        "",
        "Generated by `experiments/run_all.py`; do not edit by hand."
        + (" This is the reduced `--quick` version." if quick else ""),
        "",
        f"- command: `{command}`",
        f"- date: {info['date']}",
        f"- machine: {info['cpu']}, {info['cores']} cores, {info['os']}",
        f"- software: Python {info['python']}, sxc {info['sxc']}, llvmlite {info['llvmlite']}",
        f"- cluster: {info['cluster']}",
        f"- sweep wall time: {info['wall_seconds']:.0f} s",
    ]
    if figdir is None:
        lines.append("- plots: skipped, because matplotlib is not installed")
    lines.append("")
    # sections in the order of the claims they test
    for name, entry in sorted(state.items(),
                              key=lambda item: getattr(experiments[item[0]], "ORDER", 99)):
        module = experiments[name]
        lines.append(f"## {module.TITLE}")
        lines.append("")
        lines.append(f"Module `experiments/{name}.py`: {len(entry['tasks'] or [])} tasks, "
                     f"{entry['seconds']:.0f} s.")
        lines.append("")
        if entry["errors"]:
            lines.append(f"**{len(entry['errors'])} task(s) failed**, so this section is "
                         "missing or incomplete. First error: "
                         f"`{entry['errors'][0]['error']}`")
            lines.append("")
        results = [r for r in (entry["results"] or []) if r is not None]
        if entry["tasks"] is not None and results:
            try:
                lines.append(module.report(results, quick, figdir).rstrip())
            except Exception as error:  # a broken report must not lose the other sections
                log.exception("%s: report failed", name)
                lines.append(f"The report failed: `{error!r}`.")
        lines.append("")
    page = out / "results.md"
    page.write_text("\n".join(lines))
    raw = {"machine": info, "command": command, "quick": quick,
           "experiments": {name: {"title": experiments[name].TITLE, **entry}
                           for name, entry in state.items()}}
    (out / "results.json").write_text(json.dumps(_plain(raw), indent=1))
    return page


def rewrite_reports(source: Path, out: Path, experiments: dict[str, Any]) -> int:
    """Write results.md again from the results.json of an earlier sweep."""
    raw = json.loads(source.read_text())
    state = {}
    for name, entry in raw["experiments"].items():
        if name not in experiments:
            log.error("%s: no experiment module of that name; its results are left out", name)
            continue
        entry.pop("title", None)
        state[name] = entry
    page = write_results(out, experiments, state, raw["quick"], raw["command"], raw["machine"])
    log.info("wrote %s from %s", page, source)
    return 0


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m experiments.run_all",
        description="Run the experiments on a Dask cluster and write results.md and "
                    "results.json.")
    parser.add_argument("--quick", action="store_true",
                        help="run the reduced version of every experiment")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="address of a running Dask scheduler (for example "
                             "tcp://host:8786); default: start a local cluster")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="worker processes of the local cluster (default: the number "
                             "of CPUs)")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help="run only these experiments (and those they require)")
    parser.add_argument("--report-from", type=Path, metavar="JSON",
                        help="run nothing: rewrite the reports from a results.json that an "
                             "earlier sweep wrote, with its machine and command")
    parser.add_argument("--out", type=Path,
                        help="directory for results.md, results.json and figures/ "
                             "(default: docs/, or a new temporary directory with --quick)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s",
                        datefmt="%H:%M:%S")
    if args.out is not None:
        out = args.out
    elif args.quick:
        out = Path(tempfile.mkdtemp(prefix="sxc-experiments-quick-"))
    else:
        out = ROOT / "docs"
    experiments = discover()
    if args.report_from is not None:
        return rewrite_reports(args.report_from, out, experiments)
    names = order_by_requirements(args.only or list(experiments), experiments)
    command = "python -m experiments.run_all" + (
        " " + shlex.join(argv if argv is not None else sys.argv[1:])
        if (argv if argv is not None else sys.argv[1:]) else "")

    # Worker processes import this package, so they need the checkout on their path.
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
    from distributed import Client, LocalCluster

    # Keep Dask's own logging to warnings, so the progress lines stay readable.
    # Importing distributed applies Dask's logging configuration, hence this order.
    logging.getLogger("distributed").setLevel(logging.WARNING)
    started = time.monotonic()
    if args.scheduler:
        cluster = None
        client = Client(args.scheduler)
        cluster_text = f"Dask scheduler {args.scheduler}, {len(client.nthreads())} workers"
    else:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=":0", silence_logs=logging.WARNING)
        client = Client(cluster)
        cluster_text = f"Dask LocalCluster, {args.workers} worker processes, 1 thread each"
    log.info("running %s on %s", ", ".join(names), cluster_text)
    try:
        state = sweep(client, experiments, names, args.quick)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    info = machine()
    info["cluster"] = cluster_text
    info["wall_seconds"] = time.monotonic() - started
    page = write_results(out, experiments, state, args.quick, command, info)
    log.info("wrote %s", page)
    failed = sum(len(entry["errors"]) for entry in state.values())
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "all":
        sys.exit(main(sys.argv[2:]))
    sys.exit(main())
