"""Steps to a target gap: how many moves each schedule needs on TSP.

It takes the schedules that `annealing_quality` tuned or learned and reruns
each on the same held-out seeds with the traced copy of the annealing loop
(sx/tsp.sx, `anneal_traced`).  Each run records the first move after which
the best tour is within each target gap of the optimum.  A run that never gets
there within its S moves counts as not reached, and its count is stored as
2 S, so that it ranks behind every run that did.

The traced copy must reproduce the library's run exactly; each task checks
that its final gap equals the one `annealing_quality` measured.
"""

from __future__ import annotations

import numpy as np

from experiments import annealing as A
from experiments import stats
from experiments.annealing_quality import METHOD_LABELS, METHODS, collect

TITLE = "Claim 2: steps to reach a target gap"
ORDER = 2  # position on the results page
CLAIM = "20-30 % fewer steps"
REQUIRES = ["annealing_quality"]
# Target gaps to the optimum; the key of each in the results is its label.
TARGET_GAPS = {"5 %": 0.05, "10 %": 0.10}
# Instance whose temperature traces are plotted, and the samples per trace.
TRACE_INSTANCE = {False: "kroA100", True: "eil51"}
TRACE_SAMPLES = 400


def tasks(quick: bool, inputs: dict[str, list[dict]]) -> list[dict]:
    items = []
    for result in inputs["annealing_quality"]:
        if result is None or result["problem"]["kind"] != "tsp":
            continue
        traced = result["problem"]["name"] == TRACE_INSTANCE[quick] and result["run"] == 0
        items.append({
            "problem": result["problem"],
            "method": result["method"],
            "run": result["run"],
            "params": result["params"],
            "absolute": result["absolute"],
            "seeds": result["seeds"],
            "quality_gaps": result["gaps"],
            "placeholder": result.get("placeholder", False),
            "trace": traced,
        })
    return items


def run_task(task: dict) -> dict:
    A.prepare(task["problem"], task["method"])
    hits = {label: [] for label in TARGET_GAPS}
    gaps, traces = [], []
    for k, seed in enumerate(task["seeds"]):
        samples = TRACE_SAMPLES if task["trace"] and k == 0 else 0
        run = A.trace(task["problem"], task["params"], seed, list(TARGET_GAPS.values()),
                      samples, task["absolute"])
        for label, hit in zip(TARGET_GAPS, run["first_hits"]):
            hits[label].append(hit)
        gaps.append(run["gap"])
        if samples:
            traces.append(run)
    mismatches = sum(1 for a, b in zip(gaps, task["quality_gaps"]) if abs(a - b) > 1e-12)
    return {"problem": task["problem"], "method": task["method"], "run": task["run"],
            "hits": hits, "gaps": gaps, "mismatches": mismatches, "traces": traces,
            "placeholder": task["placeholder"]}


def censored(result: dict, label: str) -> np.ndarray:
    """Steps to the target per seed, with 2 S for a run that never reached it."""
    limit = 2 * result["problem"]["steps"]
    return np.array([limit if h is None else h for h in result["hits"][label]],
                    dtype=np.float64)


def per_seed(runs: list[dict], label: str) -> np.ndarray:
    """Median over tuning runs, per seed (a median keeps the not-reached marker meaningful)."""
    return np.median(np.array([censored(r, label) for r in runs]), axis=0)


def format_steps(value: float, steps: int) -> str:
    return f"> {steps:,}" if value > steps else f"{value:,.0f}"


def report(results: list[dict], quick: bool, figdir) -> str:
    table = collect(results)
    problem_of = {r["problem"]["name"]: r["problem"] for r in results}
    methods = [m for m in METHODS if any(m in t for t in table.values())]
    mismatches = sum(r["mismatches"] for r in results)
    targets = " and ".join(TARGET_GAPS)
    lines = [
        f"Seed's claim: learned schedules need {CLAIM} to reach a given quality.",
        "",
        f"Targets: best tour within {targets} of the optimum. Each cell is the median over "
        "held-out seeds (per seed, the median over tuning runs) of the first move after "
        "which the best tour met the target, and in brackets the share of runs that met it "
        "within S moves. The schedules are those of claim 1, each tuned for the final "
        "quality after S moves.",
        "",
        f"Traced runs that differ from the library's run: {mismatches} "
        f"(of {sum(len(r['gaps']) for r in results)}).",
        "",
    ]
    if any(r["placeholder"] for r in results):
        lines += ["**The learned rows are a placeholder:** they repeat the default schedule.",
                  ""]
    if "learned" in methods:
        lines += summary_section(table, methods)
    for label in TARGET_GAPS:
        lines += steps_section(table, problem_of, methods, label)
        if "learned" in methods:
            lines += claim_section(table, methods, label)
    if figdir is None:
        lines += ["Plots skipped: matplotlib is not installed.", ""]
    else:
        lines += plot_temperatures(results, figdir, quick)
    return "\n".join(lines)


def compare(learned: np.ndarray, baseline: np.ndarray, limit: float) -> stats.Estimate | None:
    """Return learned / baseline - 1 of the median steps, or None if neither met the target."""
    if np.all(learned == limit) and np.all(baseline == limit):
        return None
    if np.all(learned == baseline):
        return stats.Estimate(0.0, 0.0, 0.0, learned.size)
    return stats.relative_change(learned, baseline, statistic=np.median)


def summary_section(table, methods) -> list[str]:
    """Count the instances where learned needs significantly fewer or more steps."""
    lines = ["### Summary", "",
             "Instances where the learned schedule's median steps to the target are "
             "significantly lower or higher than a baseline's (paired bootstrap 95 % CI of "
             "the relative change excludes 0), per target:", "",
             "| target | baseline | learned fewer steps | no significant difference | "
             "learned more steps | neither met the target |", "|---|---|---|---|---|---|"]
    for label in TARGET_GAPS:
        for m in methods:
            if m == "learned":
                continue
            counts = [0, 0, 0, 0]
            for by_method in table.values():
                limit = 2 * by_method["learned"][0]["problem"]["steps"]
                change = compare(per_seed(by_method["learned"], label),
                                 per_seed(by_method[m], label), limit)
                if change is None:
                    counts[3] += 1
                elif change.significant:
                    counts[0 if change.value < 0 else 2] += 1
                else:
                    counts[1] += 1
            lines.append(f"| {label} | {METHOD_LABELS[m]} | " + " | ".join(map(str, counts))
                         + " |")
    lines.append("")
    return lines


def steps_section(table, problem_of, methods, label: str) -> list[str]:
    header = ["instance", "S"] + [METHOD_LABELS[m] for m in methods]
    lines = [f"### Median moves to a gap of {label}", "",
             "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, by_method in table.items():
        steps = problem_of[name]["steps"]
        cells = [name, f"{steps:,}"]
        for m in methods:
            runs = by_method.get(m)
            if not runs:
                cells.append("")
                continue
            reached = np.mean([h is not None for r in runs for h in r["hits"][label]])
            cells.append(f"{format_steps(stats.median(per_seed(runs, label)), steps)} "
                         f"({reached:.0%})")
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def claim_section(table, methods, label: str) -> list[str]:
    others = [m for m in methods if m != "learned"]
    lines = [f"### The claim beside the measurement: {CLAIM} (gap {label})", "",
             "Relative change of the median steps to the target, learned / baseline - 1, "
             "with a paired bootstrap 95 % CI; -20 % means 20 % fewer steps. Runs that "
             "never met the target count as 2 S. The seed's claim is -20 % to -30 % "
             "against the default; * marks an interval that excludes 0.", ""]
    header = ["instance"] + [f"learned vs {METHOD_LABELS[m]}" for m in others]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, by_method in table.items():
        learned = per_seed(by_method["learned"], label)
        limit = 2 * by_method["learned"][0]["problem"]["steps"]
        cells = [name]
        for m in others:
            change = compare(learned, per_seed(by_method[m], label), limit)
            if change is None:
                cells.append("neither met it")
                continue
            mark = " *" if change.significant else ""
            cells.append(stats.format_estimate(change, 0, 100.0) + " %" + mark)
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def plot_temperatures(results: list[dict], figdir, quick: bool) -> list[str]:
    import matplotlib.pyplot as plt

    traced = [r for r in results if r["traces"]]
    if not traced:
        return ["Temperature plot skipped: no traced runs.", ""]
    traced.sort(key=lambda r: METHODS.index(r["method"]))
    fig, ax = plt.subplots(figsize=(7.5, 4.0))
    for r in traced:
        run = r["traces"][0]
        steps = r["problem"]["steps"]
        samples = len(run["temperatures"])
        xs = np.arange(samples) * (steps // samples)
        line, = ax.plot(xs, run["temperatures"], label=METHOD_LABELS[r["method"]])
        for k, step in enumerate(run["reheat_steps"]):
            ax.axvline(step, color=line.get_color(), linestyle=":", linewidth=0.8,
                       label=f"{METHOD_LABELS[r['method']]}: re-heat" if k == 0 else None)
    ax.set_yscale("log")
    ax.set_xlabel("move")
    ax.set_ylabel("temperature (tour-length units)")
    ax.set_title(f"{TRACE_INSTANCE[quick]}, first held-out seed, first tuning run")
    ax.legend(fontsize=7)
    fig.tight_layout()
    path = figdir / "temperature_schedules.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return ["### Temperature over the run", "",
            "Temperature of each method's schedule over one run, in tour-length units; "
            f"dotted lines mark re-heats. The temperature is sampled at {TRACE_SAMPLES} "
            "evenly spaced moves, so an oscillation with a shorter period shows aliased.", "",
            f"![temperature over moves]({figdir.name}/{path.name})", ""]


if __name__ == "__main__":
    import sys

    from experiments.runner import main

    sys.exit(main(["--only", "steps_to_target", *sys.argv[1:]]))
