"""Benchmark sxc against C, Numba, JAX and pure Python on the workloads of bench/WORKLOADS.md.

    python bench/run.py                  # full run, writes docs/performance.{json,md}
    python bench/run.py --quick          # everything small, into a temporary directory
    python bench/run.py --rounds 7 --out DIR
    python bench/run.py --render DIR/performance.json   # only rewrite the Markdown

Every implementation is a program that runs its kernel several times
in-process and prints one JSON object per task with the wall time of each
repeat.  sxc's programs (bench/sxc_runner.py) compile a workload once through
`sxc.compile` and call the compiled function.  As in the baselines, set-up
such as the W1 distance matrix stays outside the timed region.  The programs run
in rounds, one after another, and the order rotates every round, so slow
drift of a shared machine hits every implementation alike.  Per task the
result keeps the median of each round's repeats, the median of those over
the rounds, the fastest repeat, and the ratio to C -O3 in the same round.

Besides the kernels it measures the whole `sxc run` process (cold: a fresh
compile-cache directory, warm: the same directory again) with its peak RSS,
compile time against program length on generated programs, compile latency
of gcc, Numba and JAX, and the cost per annealing step on TSPLIB instances.
Numba, JAX and simanneal are optional (`pip install -e ".[bench]"`); without
them, or without gcc, those rows are skipped with a message.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
import report  # noqa: E402
import tsplib  # noqa: E402

BASELINES = HERE / "baselines"
WORKLOADS = HERE / "workloads"
PYTHON = sys.executable
SCHEMA = 1

# Reference results of bench/WORKLOADS.md, independent of sxc.
W1_REFERENCE = {
    2_000_000: ("0x1.d05b6205da8acp+12", "0x1.d05b6205da8cep+12", 16832),
    100_000: ("0x1.edc8edbd0ab0cp+12", "0x1.edc8edbd0ab45p+12", 1249),
}
W2_LOSS_HEX = "0x1.15f700079836p+1"
W2_GRAD_HEX = ["0x1.5191e6b7e26cbp-1", "-0x1.4ad92a1f42ab9p+15", "0x1.4d621e03eb00bp+1",
               "0x1.d184dd85624d2p+5", "-0x1.5395a376edbb8p+13", "0x1.da74d5cd651d2p+4"]
W2_STEPS = 10_000
THETA_NAMES = ["T0", "alpha", "Tmin", "beta", "omega", "tau"]
OPTIONAL_IMPLS = ("c", "numba", "jax", "simanneal")


@dataclass
class Settings:
    rounds: int
    w1_steps: int  # the main W1 run; 100,000-step runs are added when this is larger
    w1_repeats: int
    w1_python_repeats: int
    w2_repeats: int
    schedule_steps: int
    schedule_repeats: int
    tsplib_instances: list[str]
    tsplib_steps: int
    tsplib_repeats: int
    compile_lines: list[int]
    compile_levels: list[int]
    compile_repeats: int
    gcc_repeats: int
    sxc_levels: list[int]
    full_variants: bool  # C -O2, JAX with the specified sigmoid, sxc -O2 kernels


def settings_for(quick: bool, rounds: int | None) -> Settings:
    if quick:
        return Settings(rounds=rounds or 1, w1_steps=100_000, w1_repeats=3, w1_python_repeats=1,
                        w2_repeats=3, schedule_steps=2000, schedule_repeats=2,
                        tsplib_instances=["eil51", "pcb442"], tsplib_steps=20_000,
                        tsplib_repeats=2, compile_lines=[100, 200, 400], compile_levels=[2],
                        compile_repeats=1, gcc_repeats=1, sxc_levels=[3], full_variants=False)
    return Settings(rounds=rounds or 5, w1_steps=2_000_000, w1_repeats=5, w1_python_repeats=3,
                    w2_repeats=21, schedule_steps=10_000, schedule_repeats=11,
                    tsplib_instances=["eil51", "kroA100", "ch130", "a280", "pcb442"],
                    tsplib_steps=1_000_000, tsplib_repeats=3,
                    compile_lines=[500, 1000, 2000, 4000], compile_levels=[0, 2],
                    compile_repeats=1, gcc_repeats=5, sxc_levels=[2, 3], full_variants=True)


# ------------------------------------------------------------------ environment

def have_module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def package_version(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def machine_info() -> dict:
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")),
                       cpu)
    except OSError:
        pass
    memory_gb = None
    try:
        memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        pass
    return dict(cpu=cpu, cores=os.cpu_count(), os=platform.platform(), memory_gb=memory_gb,
                load_avg_start=list(os.getloadavg()))


def versions(gcc: str | None) -> dict:
    import llvmlite.binding as llvm
    out = dict(python=platform.python_version(), sxc=package_version("sxc"),
               llvmlite=package_version("llvmlite"),
               llvm=".".join(str(v) for v in llvm.llvm_version_info),
               numpy=package_version("numpy"))
    if gcc:
        res = subprocess.run([gcc, "-dumpfullversion"], capture_output=True, text=True)
        out["gcc"] = res.stdout.strip()
    for name in ("numba", "jax", "jaxlib", "simanneal"):
        v = package_version(name)
        if v:
            out[name] = v
    return out


def sxc_command() -> list[str]:
    """Return the `sxc` console script of this interpreter's environment, or `python -m sxc.cli`."""
    script = Path(PYTHON).parent / "sxc"
    return [str(script)] if script.exists() else [PYTHON, "-m", "sxc.cli"]


# ------------------------------------------------------------------ programs

@dataclass
class Program:
    """A command that prints JSON records; `task` fills records that name none."""

    key: str
    argv: list[str]
    task: str | None = None
    env: dict | None = None


@dataclass
class Collector:
    records: list[dict] = field(default_factory=list)
    process: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def add(self, record: dict) -> None:
        self.records.append(record)


def run_program(program: Program, round_index: int, out: Collector) -> None:
    start = time.perf_counter()
    res = subprocess.run(program.argv, capture_output=True, text=True, cwd=ROOT,
                         env=program.env)
    wall = time.perf_counter() - start
    if res.returncode != 0:
        out.errors.append(f"{program.key} failed with exit status {res.returncode}: "
                          f"{shlex.join(program.argv)}\n{res.stderr[-2000:]}")
        print(f"  error: {program.key} failed, see `errors` in the results", file=sys.stderr)
        return
    out.process.append(dict(program=program.key, round=round_index, wall_s=wall))
    for line in res.stdout.splitlines():
        if not line.startswith("{"):
            continue
        record = json.loads(line)
        record.setdefault("task", program.task)
        record["program"] = program.key
        record["round"] = round_index
        out.add(record)


def c_builds(gcc: str, build: Path, s: Settings, out: Collector) -> dict[str, Path]:
    """Compile the C baselines; -ffp-contract=off keeps a*b + c unfused, as the spec requires."""
    c = BASELINES / "c"
    builds = {
        "tsp_sa_O3": ["-O3", "-march=native", c / "tsp_sa.c"],
        "rastrigin_meta_O3": ["-O3", "-march=native", c / "rastrigin_meta.c"],
        "tsp_sa_coords_O3": ["-O3", "-march=native", c / "tsp_sa_coords.c"],
    }
    if s.full_variants:
        builds["tsp_sa_O2"] = ["-O2", c / "tsp_sa.c"]
        builds["rastrigin_meta_O2"] = ["-O2", c / "rastrigin_meta.c"]
    paths = {}
    for name, args in builds.items():
        exe = build / name
        argv = [gcc, *map(str, args[:-1]), "-ffp-contract=off", "-o", str(exe), str(args[-1]),
                "-lm"]
        res = subprocess.run(argv, capture_output=True, text=True)
        if res.returncode != 0:
            out.errors.append(f"gcc failed: {shlex.join(argv)}\n{res.stderr[-2000:]}")
            continue
        paths[name] = exe
    return paths


def kernel_programs(s: Settings, c: dict[str, Path], optional: dict[str, bool],
                    coordinate_files: list[Path]) -> list[Program]:
    runner = str(HERE / "sxc_runner.py")
    steps = str(s.w1_steps)
    small = 100_000
    progs: list[Program] = []
    # W1
    if "tsp_sa_O3" in c:
        progs.append(Program("w1 c-O3", [str(c["tsp_sa_O3"]), steps, str(s.w1_repeats), "c-O3"]))
        if s.w1_steps != small:
            progs.append(Program("w1@100k c-O3", [str(c["tsp_sa_O3"]), str(small), "11",
                                                  "c-O3"]))
    if "tsp_sa_O2" in c:
        progs.append(Program("w1 c-O2", [str(c["tsp_sa_O2"]), steps, str(s.w1_repeats), "c-O2"]))
    for level in s.sxc_levels:
        progs.append(Program(f"w1 sxc-O{level}",
                             [PYTHON, runner, "w1", steps, str(s.w1_repeats), str(level)]))
    if s.w1_steps != small:
        progs.append(Program("w1@100k sxc-O3", [PYTHON, runner, "w1", str(small), "11", "3"]))
    if optional["numba"]:
        progs.append(Program("w1 numba", [PYTHON, str(BASELINES / "numba" / "tsp_sa.py"), steps,
                                          str(s.w1_repeats)]))
    progs.append(Program("w1 python", [PYTHON, str(BASELINES / "python" / "ref.py"), "w1",
                                       str(small), str(s.w1_python_repeats)]))
    if optional["simanneal"]:
        progs.append(Program("w1 simanneal",
                             [PYTHON, str(BASELINES / "python" / "tsp_simanneal.py"), str(small),
                              str(s.w1_python_repeats)]))
    # W2
    reps = str(s.w2_repeats)
    if "rastrigin_meta_O3" in c:
        progs.append(Program("w2 c-O3", [str(c["rastrigin_meta_O3"]), reps, "c-O3"]))
    if "rastrigin_meta_O2" in c:
        progs.append(Program("w2 c-O2", [str(c["rastrigin_meta_O2"]), reps, "c-O2"]))
    for level in s.sxc_levels:
        progs.append(Program(f"w2 sxc-O{level}", [PYTHON, runner, "w2", reps, str(level)]))
    progs.append(Program("w2-schedule sxc-O3", [PYTHON, runner, "w2-schedule",
                                                str(s.schedule_steps), str(s.schedule_repeats),
                                                "3"]))
    if optional["numba"]:
        progs.append(Program("w2 numba", [PYTHON, str(BASELINES / "numba" / "rastrigin_meta.py"),
                                          reps]))
    if optional["jax"]:
        progs.append(Program("w2 jax", [PYTHON, str(BASELINES / "jax" / "rastrigin_meta.py"),
                                        reps, "nn"]))
        if s.full_variants:
            progs.append(Program("w2 jax-specsig",
                                 [PYTHON, str(BASELINES / "jax" / "rastrigin_meta.py"), reps,
                                  "spec"]))
    progs.append(Program("w2 python", [PYTHON, str(BASELINES / "python" / "ref.py"), "w2",
                                       "all", "1"]))
    # TSPLIB
    tsp_args = [str(s.tsplib_steps), str(s.tsplib_repeats)]
    if "tsp_sa_coords_O3" in c:
        for path in coordinate_files:
            progs.append(Program(f"tsplib-{path.stem} c-O3",
                                 [str(c["tsp_sa_coords_O3"]), str(path), *tsp_args, "c-O3"],
                                 task=f"tsplib-{path.stem}"))
    progs.append(Program("tsplib sxc-O3", [PYTHON, runner, "tsplib", *tsp_args, "3",
                                           *map(str, coordinate_files)]))
    if optional["numba"]:
        progs.append(Program("tsplib numba",
                             [PYTHON, str(BASELINES / "numba" / "tsp_sa_coords.py"), *tsp_args,
                              *map(str, coordinate_files)]))
    return progs


def compile_programs(s: Settings, files: list[Path], env: dict) -> list[Program]:
    runner = str(HERE / "sxc_runner.py")
    return [Program(f"compile sxc-O{level}",
                    [PYTHON, runner, "compile", str(level), str(s.compile_repeats),
                     *map(str, files)], env=env)
            for level in s.compile_levels]


# ------------------------------------------------------------------ whole processes

def run_child(argv: list[str], env: dict) -> tuple[int, float, float, str]:
    """Run `argv`; return (exit status, wall seconds, peak RSS in MiB, stderr tail).

    The peak RSS is the child's own ru_maxrss from wait4, so earlier children
    do not mask it as the RUSAGE_CHILDREN maximum would.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT,
                            env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")[-2000:]
    proc.stderr.close()
    return proc.returncode, wall, usage.ru_maxrss / 1024.0, err


def measure_sxc_run(name: str, args: list[str], round_index: int, scratch: Path,
                    out: Collector) -> None:
    """Time `sxc run` three times on a fresh cache directory: cold, warm, then edited.

    cold: the directory is empty, so the grammar tables, the parsed library
    and the program are all built.  warm: the same command again.  edited: a
    copy of the program with one more comment line, which misses the program
    cache but finds the rest, as after an edit.
    """
    cache = Path(tempfile.mkdtemp(prefix="cache-", dir=scratch))
    env = dict(os.environ, SXC_CACHE_DIR=str(cache), XDG_CACHE_HOME=str(cache))
    env.pop("SXC_NO_CACHE", None)
    source = Path(next(a for a in args if a.endswith(".sx")))
    edited = cache.parent / f"edited-{round_index}-{source.name}"
    edited.write_text(source.read_text() + f"// edited copy {round_index}\n")
    edited_args = [str(edited) if a == str(source) else a for a in args]
    for state, run_args in (("cold", args), ("warm", args), ("edited", edited_args)):
        argv = [*sxc_command(), "run", *run_args]
        status, wall, rss, err = run_child(argv, env)
        if status != 0:
            out.errors.append(f"sxc run {name} ({state}) failed with exit status {status}: "
                              f"{shlex.join(argv)}\n{err}")
            return
        cache_files = sum(len(files) for _, _, files in os.walk(cache))
        out.add(dict(task="sxc-run", impl=name, state=state, round=round_index, wall_s=wall,
                     peak_rss_mib=rss, cache_files=cache_files))
    shutil.rmtree(cache, ignore_errors=True)
    edited.unlink()


def time_gcc(gcc: str, build: Path, repeats: int) -> list[dict]:
    c = BASELINES / "c"
    probe = str(build / "compile_probe")
    commands = [
        ("gcc -O2 tsp_sa.c", ["-O2", c / "tsp_sa.c"]),
        ("gcc -O3 -march=native tsp_sa.c", ["-O3", "-march=native", c / "tsp_sa.c"]),
        ("gcc -O3 -march=native rastrigin_meta.c",
         ["-O3", "-march=native", c / "rastrigin_meta.c"]),
    ]
    times: dict[str, list[float]] = {name: [] for name, _ in commands}
    for _ in range(repeats):
        for name, args in commands:
            argv = [gcc, *map(str, args[:-1]), "-ffp-contract=off", "-o", probe, str(args[-1]),
                    "-lm"]
            start = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True)
            times[name].append(time.perf_counter() - start)
    return [dict(name=name, times=ts) for name, ts in times.items()]


# ------------------------------------------------------------------ summaries

def median(xs):
    return statistics.median(xs) if xs else None


def same_bits(a, b) -> bool:
    to_float = (lambda v: float.fromhex(v) if isinstance(v, str) else v)
    return a is not None and b is not None and to_float(a) == to_float(b)


def group(records: list[dict]) -> dict[tuple, dict]:
    """Group kernel records by (task, impl, steps): per-round medians, every repeat, the first record."""
    groups: dict[tuple, dict] = {}
    for r in records:
        if not r.get("times") or r["task"] in ("compile",):
            continue
        key = (r["task"], r["impl"], r.get("steps"))
        g = groups.setdefault(key, dict(round_medians={}, all=[], first=r, compile_s=[]))
        g["round_medians"][r["round"]] = median(r["times"])
        g["all"].extend(r["times"])
        if r.get("compile_s") is not None:
            g["compile_s"].append(r["compile_s"])
    return groups


def paired_ratio(groups, key, base) -> float | None:
    a, b = groups.get(key), groups.get(base)
    if not a or not b:
        return None
    steps_a, steps_b = key[2] or 1, base[2] or 1
    ratios = [(a["round_medians"][r] / steps_a) / (b["round_medians"][r] / steps_b)
              for r in a["round_medians"] if r in b["round_medians"]]
    return median(ratios)


def ratio_of_mins(groups, key, base) -> float | None:
    a, b = groups.get(key), groups.get(base)
    if not a or not b:
        return None
    return (min(a["all"]) / (key[2] or 1)) / (min(b["all"]) / (base[2] or 1))


def c_base(key: tuple, groups: dict) -> tuple | None:
    """Return the C -O3 group with the same task and step count, or None if C did not run it."""
    task, _, steps = key
    base = (task, "c-O3", steps)
    return base if base in groups else None


def check_record(r: dict) -> dict | None:
    """Compare one result with the reference of bench/WORKLOADS.md (W1, W2) or None."""
    task = r["task"]
    if task == "w1" and r["impl"] != "simanneal" and r.get("steps") in W1_REFERENCE:
        final, best, accepted = W1_REFERENCE[r["steps"]]
        ok = (same_bits(r.get("final_len_hex"), final) and same_bits(r.get("best_len_hex"), best)
              and r.get("accepted") == accepted)
        return dict(task=task, impl=r["impl"], steps=r["steps"], reference="spec",
                    bit_identical=ok, result=f"final {r['final_len']!r} best {r['best_len']!r} "
                                             f"accepted {r['accepted']}")
    if task in ("w2-primal", "w2-dual1x6", "w2-dual6"):
        loss_ok = r.get("loss_hex") is None or same_bits(r["loss_hex"], W2_LOSS_HEX)
        grad_ok = True
        rel = None
        if task != "w2-primal":
            grad_ok = all(same_bits(g, h) for g, h in zip(r["grad_hex"], W2_GRAD_HEX))
            ref = [float.fromhex(h) for h in W2_GRAD_HEX]
            rel = max(abs(g - e) / abs(e) for g, e in zip(r["grad"], ref))
        if r["impl"] == "c-ld80":
            return None
        result = (f"loss {r['loss']!r}" if r.get("loss") is not None else "loss not reported")
        return dict(task=task, impl=r["impl"], steps=W2_STEPS, reference="spec",
                    bit_identical=loss_ok and grad_ok, max_rel_diff_grad=rel, result=result)
    return None


def summarize(out: Collector, s: Settings, optional: dict, extra: dict) -> dict:
    groups = group(out.records)
    timings = []
    for key, g in sorted(groups.items(), key=lambda kv: (kv[0][0], str(kv[0][2]), kv[0][1])):
        task, impl, steps = key
        base = c_base(key, groups)
        m = median(list(g["round_medians"].values()))
        timings.append(dict(task=task, impl=impl, steps=steps, repeats=len(g["all"]),
                            rounds=len(g["round_medians"]), median_s=m, min_s=min(g["all"]),
                            ns_per_step=m / steps * 1e9 if steps else None,
                            ratio_vs_c_O3=paired_ratio(groups, key, base) if base else None,
                            ratio_of_mins=ratio_of_mins(groups, key, base) if base else None,
                            compile_s=median(g["compile_s"])))

    checks = []
    seen = set()
    for r in out.records:
        c = check_record(r)
        if c and (c["task"], c["impl"], c["steps"]) not in seen:
            seen.add((c["task"], c["impl"], c["steps"]))
            checks.append(c)
    tsp = tsplib_summary(groups, s)
    for entry in tsp:
        for impl, cell in entry["impls"].items():
            if impl != "c-O3" and cell.get("bit_identical_to_c") is not None:
                checks.append(dict(task=f"tsplib-{entry['instance']}", impl=impl,
                                   steps=entry["steps"], reference="c-O3",
                                   bit_identical=cell["bit_identical_to_c"],
                                   result=f"best {cell['best_len']!r}"))

    ad_cost = []
    impls = sorted({k[1] for k in groups if k[0] == "w2-primal"})
    for impl in impls:
        primal = groups.get(("w2-primal", impl, W2_STEPS))
        row = dict(impl=impl)
        for task in ("w2-dual1x6", "w2-dual6"):
            g = groups.get((task, impl, W2_STEPS))
            row[task[3:] + "_over_primal"] = (
                median(list(g["round_medians"].values()))
                / median(list(primal["round_medians"].values())) if g and primal else None)
        ad_cost.append(row)

    schedule = {}
    for task in ("w2s-release", "w2s-train0", "w2s-train1", "w2s-train8"):
        g = groups.get((task, "sxc-O3", s.schedule_steps))
        if g:
            schedule[task] = dict(median_s=median(list(g["round_medians"].values())),
                                  min_s=min(g["all"]), loss=g["first"]["loss"],
                                  lanes=g["first"]["lanes"])
    if "w2s-release" in schedule and "w2s-train8" in schedule:
        schedule["train8_over_release"] = (schedule["w2s-train8"]["median_s"]
                                           / schedule["w2s-release"]["median_s"])
    if "w2s-train0" in schedule and "w2s-train8" in schedule:
        schedule["train8_over_train0"] = (schedule["w2s-train8"]["median_s"]
                                          / schedule["w2s-train0"]["median_s"])
    if "w2s-train1" in schedule and "w2s-train8" in schedule:
        schedule["train8_over_train1"] = (schedule["w2s-train8"]["median_s"]
                                          / schedule["w2s-train1"]["median_s"])

    return dict(timings=timings, checks=checks, ad_cost=ad_cost, schedule_variant=schedule,
                tsplib=tsp, process=process_summary(out.records),
                compile=compile_summary(out.records, groups, extra),
                program_wall=program_wall(out.process))


def tsplib_summary(groups: dict, s: Settings) -> list[dict]:
    entries = []
    best_known = {}
    for name in s.tsplib_instances:
        inst = tsplib.load(name)
        best_known[name] = (inst.cities, inst.optimum)
    for name, (cities, optimum) in best_known.items():
        task = f"tsplib-{name}"
        cells = {}
        c = groups.get((task, "c-O3", s.tsplib_steps))
        for (t, impl, steps), g in groups.items():
            if t != task:
                continue
            first = g["first"]
            m = median(list(g["round_medians"].values()))
            cell = dict(median_s=m, min_s=min(g["all"]), ns_per_step=m / steps * 1e9,
                        best_len=first["best_len"], final_len=first["final_len"],
                        accepted=first["accepted"],
                        gap_percent=(100.0 * (first["best_len"] - optimum) / optimum
                                     if optimum else None))
            if c and impl != "c-O3":
                cell["bit_identical_to_c"] = (
                    same_bits(first["best_len_hex"], c["first"]["best_len_hex"])
                    and same_bits(first["final_len_hex"], c["first"]["final_len_hex"])
                    and first["accepted"] == c["first"]["accepted"])
                cell["ratio_vs_c_O3"] = paired_ratio(groups, (t, impl, steps),
                                                     (task, "c-O3", steps))
            cells[impl] = cell
        entries.append(dict(instance=name, cities=cities, optimum=optimum,
                            steps=s.tsplib_steps, impls=cells))
    return entries


def process_summary(records: list[dict]) -> list[dict]:
    rows: dict[tuple, dict] = {}
    for r in records:
        if r["task"] != "sxc-run":
            continue
        row = rows.setdefault((r["impl"], r["state"]),
                              dict(workload=r["impl"], state=r["state"], wall_s=[],
                                   peak_rss_mib=[], cache_files=[]))
        row["wall_s"].append(r["wall_s"])
        row["peak_rss_mib"].append(r["peak_rss_mib"])
        row["cache_files"].append(r["cache_files"])
    out = []
    for row in rows.values():
        out.append(dict(workload=row["workload"], state=row["state"],
                        median_wall_s=median(row["wall_s"]), min_wall_s=min(row["wall_s"]),
                        median_peak_rss_mib=median(row["peak_rss_mib"]),
                        max_peak_rss_mib=max(row["peak_rss_mib"]),
                        cache_files=max(row["cache_files"]), samples=len(row["wall_s"])))
    return out


def linear_fit(points: list[tuple[float, float]]) -> dict | None:
    if len(points) < 2:
        return None
    xs, ys = zip(*points)
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in points) / sxx
    intercept = my - slope * mx
    ss_tot = sum((y - my) ** 2 for y in ys)
    ss_res = sum((y - (intercept + slope * x)) ** 2 for x, y in points)
    return dict(intercept_s=intercept, seconds_per_1000_lines=slope * 1000,
                r_squared=1 - ss_res / ss_tot if ss_tot else 1.0)


def compile_summary(records: list[dict], groups: dict, extra: dict) -> dict:
    scaling: dict[tuple, dict] = {}
    first: dict[str, list[float]] = {}
    for r in records:
        if r["task"] == "compile":
            e = scaling.setdefault((r["impl"], r["lines"]), dict(impl=r["impl"], lines=r["lines"],
                                                                 times=[]))
            e["times"].extend(r["times"])
        elif r["task"] == "compile-first":
            first.setdefault(r["impl"], []).append(r["seconds"])
    rows = [dict(impl=e["impl"], lines=e["lines"], median_s=median(e["times"]),
                 min_s=min(e["times"]), samples=len(e["times"]))
            for e in sorted(scaling.values(), key=lambda e: (e["impl"], e["lines"]))]
    fits = {}
    for impl in sorted({r["impl"] for r in rows}):
        fits[impl] = linear_fit([(r["lines"], r["median_s"]) for r in rows if r["impl"] == impl])
    latency = [dict(name=f"sxc first compile in a process ({impl}, {len_name(records, impl)})",
                    median_s=median(ts), min_s=min(ts), samples=len(ts))
               for impl, ts in first.items()]
    for g_key, label in ((("w1", "sxc-O2"), "sxc.compile W1 tsp_sa.sx -O2 (first in process)"),
                         (("w1", "sxc-O3"), "sxc.compile W1 tsp_sa.sx -O3 (first in process)"),
                         (("w2-primal", "sxc-O3"),
                          "sxc.compile W2 rastrigin_meta.sx -O3, 1 lane (first in process)"),
                         (("w2-dual6", "sxc-O3"),
                          "sxc.compile W2 rastrigin_meta.sx -O3, 6 lanes (second in process)")):
        ts = [c for (task, impl, _), g in groups.items() if (task, impl) == g_key
              for c in g["compile_s"]]
        if ts:
            latency.append(dict(name=label, median_s=median(ts), min_s=min(ts), samples=len(ts)))
    for entry in extra.get("gcc", []):
        latency.append(dict(name=entry["name"], median_s=median(entry["times"]),
                            min_s=min(entry["times"]), samples=len(entry["times"])))
    for label, task, impl, fieldname in (
            ("numba W1 anneal first call, fresh process", "w1", "numba", "compile_s"),
            ("numba W1 anneal first call, warm JIT (new dispatcher)", "w1", "numba",
             "compile_warm_s"),
            ("numba W2 primal first call", "w2-primal", "numba", "compile_s"),
            ("numba W2 dual6 first call", "w2-dual6", "numba", "compile_s"),
            ("jax W2 primal jit lower+compile", "w2-primal", "jax", "compile_s"),
            ("jax W2 jacfwd jit lower+compile", "w2-dual6", "jax", "compile_s"),
            ("import numba", "w1", "numba", "import_s"),
            ("import jax", "w2-primal", "jax", "import_s")):
        ts = [r[fieldname] for r in records
              if r["task"] == task and r["impl"] == impl and r.get(fieldname) is not None]
        if ts:
            latency.append(dict(name=label, median_s=median(ts), min_s=min(ts), samples=len(ts)))
    return dict(scaling=rows, fit=fits, latency=latency)


def len_name(records: list[dict], impl: str) -> str:
    r = next((r for r in records if r["task"] == "compile-first" and r["impl"] == impl), None)
    return f"{r['lines']}-line program" if r else "?"


def program_wall(process: list[dict]) -> list[dict]:
    walls: dict[str, list[float]] = {}
    for p in process:
        walls.setdefault(p["program"], []).append(p["wall_s"])
    return [dict(program=k, median_s=median(v), min_s=min(v)) for k, v in walls.items()]


# ------------------------------------------------------------------ main

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark sxc against C, Numba, JAX and Python (bench/WORKLOADS.md).")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes and one round (about a minute on two cores); writes "
                             "to a temporary directory unless --out is given")
    parser.add_argument("--rounds", type=int, default=None,
                        help="interleaved rounds (default 5, or 1 with --quick)")
    parser.add_argument("--out", type=Path, default=None,
                        help="directory for performance.json and performance.md "
                             "(default: docs/, or a temporary directory with --quick)")
    parser.add_argument("--skip", default="", metavar="NAMES",
                        help="comma-separated implementations to leave out: c, numba, jax, "
                             "simanneal")
    parser.add_argument("--render", type=Path, default=None, metavar="JSON",
                        help="only rewrite the Markdown next to this results file")
    args = parser.parse_args(argv)
    if args.rounds is not None and args.rounds < 1:
        parser.error(f"--rounds must be at least 1, not {args.rounds}")
    args.skip = {name.strip() for name in args.skip.split(",") if name.strip()}
    unknown = args.skip - set(OPTIONAL_IMPLS)
    if unknown:
        parser.error(f"--skip: unknown implementation {', '.join(sorted(unknown))} "
                     f"(expected some of {', '.join(OPTIONAL_IMPLS)})")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.render:
        results = json.loads(args.render.read_text())
        md = args.render.with_suffix(".md")
        md.write_text(report.render_markdown(results))
        print(f"wrote {md}")
        return 0

    command = "python bench/run.py" + "".join(f" {shlex.quote(a)}" for a in
                                              (sys.argv[1:] if argv is None else argv))
    s = settings_for(args.quick, args.rounds)
    out_dir = args.out or (Path(tempfile.mkdtemp(prefix="sxc-bench-")) if args.quick
                           else ROOT / "docs")
    out_dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="sxc-bench-build-"))
    started = time.time()
    machine = machine_info()

    skipped = []
    gcc = None
    if "c" in args.skip:
        skipped.append(dict(what="c", reason="--skip"))
    else:
        gcc = shutil.which(os.environ.get("CC", "gcc")) or shutil.which("gcc")
        if not gcc:
            skipped.append(dict(what="c", reason="gcc not found on PATH"))
    optional = {}
    for name in ("numba", "jax", "simanneal"):
        optional[name] = name not in args.skip and have_module(name)
        if name in args.skip:
            skipped.append(dict(what=name, reason="--skip"))
        elif not optional[name]:
            skipped.append(dict(what=name, reason=f"{name} is not installed "
                                                  "(pip install -e \".[bench]\")"))
    for entry in skipped:
        print(f"skipping {entry['what']}: {entry['reason']}", file=sys.stderr)

    out = Collector()
    c_paths = c_builds(gcc, scratch, s, out) if gcc else {}
    coordinate_files = []
    for name in s.tsplib_instances:
        path = scratch / f"{name}.coords"
        tsplib.write_coordinates(tsplib.load(name), path)
        coordinate_files.append(path)
    generated = []
    for lines in s.compile_lines:
        path = scratch / f"generated_{lines}.sx"
        path.write_text(generate.generate_program(lines))
        generated.append(path)

    # compile times are measured with sxc's program cache off
    no_cache = dict(os.environ, SXC_NO_CACHE="1")
    steps = kernel_programs(s, c_paths, optional, coordinate_files)
    for program in steps:
        program.env = no_cache
    steps += compile_programs(s, generated, no_cache)
    w1 = str(WORKLOADS / "tsp_sa.sx")
    w2 = str(WORKLOADS / "rastrigin_meta.sx")
    process_runs = [("W1 tsp_sa.sx", [w1, str(s.w1_steps)]),
                    ("W2 rastrigin_meta.sx --tangents 6", ["--tangents", "6", w2])]
    loads = []
    for r in range(s.rounds):
        loads.append(os.getloadavg()[0])
        items: list = [("program", p) for p in steps] + [("sxc-run", p) for p in process_runs]
        shift = r % len(items)
        for kind, item in items[shift:] + items[:shift]:
            if kind == "program":
                run_program(item, r, out)
            else:
                measure_sxc_run(item[0], item[1], r, scratch, out)
        print(f"round {r + 1}/{s.rounds} done (load average {os.getloadavg()[0]:.2f})",
              file=sys.stderr, flush=True)

    extra = {}
    if gcc:
        extra["gcc"] = time_gcc(gcc, scratch, s.gcc_repeats)
    machine["load_avg_end"] = list(os.getloadavg())
    machine["load_avg_at_round_starts"] = loads
    results = dict(schema=SCHEMA, command=command, quick=args.quick,
                   date_utc=time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(started)),
                   duration_s=time.time() - started, machine=machine, versions=versions(gcc),
                   settings=vars(s), skipped=skipped, errors=out.errors,
                   **summarize(out, s, optional, extra), records=out.records)
    (out_dir / "performance.json").write_text(json.dumps(results, indent=1) + "\n")
    (out_dir / "performance.md").write_text(report.render_markdown(results))
    shutil.rmtree(scratch, ignore_errors=True)
    print(f"wrote {out_dir / 'performance.json'} and {out_dir / 'performance.md'}")
    if out.errors:
        print(f"{len(out.errors)} program(s) failed; see `errors` in performance.json",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
