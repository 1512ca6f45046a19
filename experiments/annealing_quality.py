"""Final quality of annealing schedules: default, tuned and learned.

Each method gets the same budget of tuning evaluations (annealing runs of S
moves) on tuning seeds, and its schedule is then evaluated in release mode on
held-out seeds that no method saw during tuning:

- default: `LearnableSchedule::default()`, no tuning;
- geometric: cooling from T0 to Tmin over the run, no re-heat or oscillation,
  (T0, Tmin) chosen by grid search;
- random: random search over all eight parameters (ranges in
  `annealing.random_ranges`);
- simanneal: Tmax and Tmin from simanneal's `Annealer.auto`, run as a
  geometric schedule in absolute temperature units;
- learned: meta-training from the default schedule.

Every tuned method is repeated in independent tuning runs (different tuning
seeds and draws), and its per-seed result is the mean over those runs.
"""

from __future__ import annotations

import time

import math

import numpy as np

from experiments import annealing as A
from experiments import stats

TITLE = "Claim 1: final quality of learned schedules"
ORDER = 1  # position on the results page
CLAIM = "final loss 10-15 % better"

METHODS = ["default", "geometric", "random", "simanneal", "learned"]
METHOD_LABELS = {
    "default": "default",
    "geometric": "geometric (grid)",
    "random": "random search",
    "simanneal": "simanneal auto",
    "learned": "learned (meta)",
}

# Sizes of the full sweep and of --quick.  `budget` is the number of tuning
# evaluations (annealing runs of S moves) in one tuning run of every method.
# The grid's (T0, Tmin) pairs and random search's candidates each run on
# `budget_seeds` seeds.  Meta-training runs `meta_per_epoch` annealings per
# gradient estimate, for budget / meta_per_epoch epochs.  Its settings were
# chosen in pilots on eil51, kroA100 and rastrigin-10 with tuning seeds only,
# among learning rates 0.05 and 0.2 and 8, 16 or 32 runs per estimate.  The
# pilots' runs are not counted in its budget.
CONFIG = {
    False: {
        "tsp": A.TSP_INSTANCES,
        "continuous": A.CONTINUOUS,
        "moves_per_city": 2000,
        "moves_per_dimension": 10000,
        "eval_seeds": 20,
        "tuning_runs": 3,
        "budget": 64,
        "budget_seeds": 4,
        "meta_per_epoch": {"tsp": 16, "continuous": 8},
        "meta_learning_rate": 0.2,
        "exploration_moves": 2000,
    },
    True: {
        "tsp": ["eil51"],
        "continuous": [("rastrigin", 10)],
        "moves_per_city": 1000,
        "moves_per_dimension": 2000,
        "eval_seeds": 5,
        "tuning_runs": 2,
        "budget": 16,
        "budget_seeds": 2,
        "meta_per_epoch": {"tsp": 4, "continuous": 4},
        "meta_learning_rate": 0.2,
        "exploration_moves": 500,
    },
}


def problems(quick: bool) -> list[dict]:
    config = CONFIG[quick]
    found = [A.tsp_problem(name, config["moves_per_city"]) for name in config["tsp"]]
    found += [A.continuous_problem(function, dim, config["moves_per_dimension"])
              for function, dim in config["continuous"]]
    return found


def tasks(quick: bool) -> list[dict]:
    items = []
    for problem in problems(quick):
        items.append({"problem": problem, "method": "default", "run": 0, "quick": quick})
        for method in METHODS[1:]:
            for run in range(CONFIG[quick]["tuning_runs"]):
                items.append({"problem": problem, "method": method, "run": run,
                              "quick": quick})
    # Longest first, so that the last tasks of a sweep are short ones.  A
    # train-mode meta-training run costs several release runs, and a
    # continuous move costs O(d).
    items.sort(key=lambda t: -cost_estimate(t))
    return items


def cost_estimate(task: dict) -> float:
    """Return a rough relative cost of a task, only for ordering the sweep."""
    problem = task["problem"]
    per_move = problem["dim"] / 10.0 if problem["kind"] == "continuous" else 1.0
    factor = {"learned": 5.0, "simanneal": 0.5, "default": 0.2}.get(task["method"], 1.0)
    return problem["steps"] * per_move * factor


def tune(task: dict) -> dict:
    """Tune the task's method on its tuning seeds and return its schedule."""
    problem, method, run, quick = task["problem"], task["method"], task["run"], task["quick"]
    config = CONFIG[quick]
    seeds = A.tuning_seeds(run, config["budget_seeds"])
    if method == "default":
        return {"params": A.default_schedule(), "evaluations": 0}
    if method == "geometric":
        return A.tune_grid(problem, quick, seeds, config["budget"])
    if method == "random":
        candidates = config["budget"] // config["budget_seeds"]
        return A.tune_random(problem, candidates, seeds, draw_seed=run)
    if method == "simanneal":
        return A.tune_simanneal(problem, A.tuning_seeds(run, 1)[0], config["exploration_moves"])
    if method == "learned":
        per_epoch = config["meta_per_epoch"][problem["kind"]]
        return A.meta_train(problem, per_epoch, config["budget"], config["meta_learning_rate"],
                            A.tuning_seeds(run, 1)[0])
    raise ValueError(f"unknown method {method!r}; expected one of {METHODS}")


def run_task(task: dict) -> dict:
    A.prepare(task["problem"], task["method"])
    started = time.perf_counter()
    tuned = tune(task)
    tuning_seconds = time.perf_counter() - started
    absolute = task["method"] == "simanneal"
    seeds = A.eval_seeds(CONFIG[task["quick"]]["eval_seeds"])
    gaps = [A.evaluate(task["problem"], tuned["params"], s, absolute) for s in seeds]
    return {
        "problem": task["problem"],
        "method": task["method"],
        "run": task["run"],
        "absolute": absolute,
        "seeds": seeds,
        "gaps": gaps,
        "tuning_seconds": tuning_seconds,
        "eval_seconds": time.perf_counter() - started - tuning_seconds,
        **tuned,
    }


# ------------------------------------------------------------------ report

def collect(results: list[dict]) -> dict:
    """Group results as {problem name: {method: [result of each tuning run]}}.

    Problems appear in the order of the configuration (TSP by size, then the
    continuous functions), whatever order the tasks ran in.
    """
    table: dict[str, dict[str, list[dict]]] = {}
    for r in results:
        table.setdefault(r["problem"]["name"], {}).setdefault(r["method"], []).append(r)
    for methods in table.values():
        for runs in methods.values():
            runs.sort(key=lambda r: r["run"])
    known = [p["name"] for p in problems(False)] + [p["name"] for p in problems(True)]
    rank = {name: known.index(name) if name in known else len(known) for name in table}
    return dict(sorted(table.items(), key=lambda item: rank[item[0]]))


def per_seed(runs: list[dict]) -> np.ndarray:
    """The per-seed gap of a method: the mean over its tuning runs."""
    return np.mean(np.array([r["gaps"] for r in runs]), axis=0)


def loss_of(problem: dict, gaps: np.ndarray) -> np.ndarray:
    """Convert gaps to final losses: tour lengths for TSP, values otherwise."""
    if problem["kind"] == "tsp":
        return (1.0 + gaps) * problem["optimum"]
    return gaps


def format_change(e: stats.Estimate) -> str:
    """Format a relative change in percent, or as a factor once it exceeds +900 %."""
    if e.value > 9.0:
        if np.isnan(e.low):
            return f"{e.value + 1:.3g} times"
        return f"{e.value + 1:.3g} times [{e.low + 1:.3g}, {e.high + 1:.3g}]"
    return stats.format_estimate(e, 1, 100.0) + " %"


def format_gap(problem: dict, e: stats.Estimate) -> str:
    if problem["kind"] == "tsp":
        return stats.format_estimate(e, 2, 100.0)
    return _format_value(e)


def _format_value(e: stats.Estimate) -> str:
    def number(x: float) -> str:
        return f"{x:.3g}"

    if np.isnan(e.low):
        return number(e.value)
    return f"{number(e.value)} [{number(e.low)}, {number(e.high)}]"


def winner(problem_methods: dict[str, list[dict]]) -> tuple[str, str | None, stats.Estimate | None]:
    """Return the method with the lowest mean gap, the runner-up and their paired difference."""
    means = {m: float(np.mean(per_seed(runs))) for m, runs in problem_methods.items()}
    ranked = sorted(means, key=means.get)
    if len(ranked) < 2:
        return ranked[0], None, None
    best, second = ranked[0], ranked[1]
    diff = stats.paired_difference(per_seed(problem_methods[best]),
                                   per_seed(problem_methods[second]))
    return best, second, diff


def report(results: list[dict], quick: bool, figdir) -> str:
    table = collect(results)
    problem_of = {r["problem"]["name"]: r["problem"] for r in results}
    methods = [m for m in METHODS if any(m in t for t in table.values())]
    placeholder = any(r.get("placeholder") for r in results)
    config = CONFIG[quick]
    lines = [
        f"Seed's claim: learned schedules reach a {CLAIM} than the default.",
        "",
        f"Budget: every tuned method gets the same number of tuning evaluations "
        f"(annealing runs of S moves): {config['budget']}"
        f" per tuning run, {config['tuning_runs']} independent tuning runs per method. "
        f"Evaluation: {config['eval_seeds']} held-out seeds, release mode. "
        f"TSP runs have S = {config['moves_per_city']} n moves (n cities) and start from a "
        f"random tour; continuous runs have S = {config['moves_per_dimension']} d moves "
        f"(d dimensions) from a uniform start in the usual box. simanneal's exploration "
        f"costs the evaluations listed in the budget table below.",
        "",
    ]
    lines += methods_section(config, quick, results)
    if placeholder:
        lines += ["**The learned rows are a placeholder:** the meta-training API was not "
                  "available, so they repeat the default schedule.", ""]
    lines += summary_section(table, methods)
    lines += quality_section(table, problem_of, methods, "tsp",
                             "TSP: mean gap to the optimum, % (95 % CI)")
    lines += quality_section(table, problem_of, methods, "continuous",
                             "Continuous: mean final value, optimum 0 (95 % CI)")
    lines += paired_section(table, problem_of, methods)
    lines += claim_section(table, problem_of)
    lines += budget_section(table, methods)
    lines += parameter_section(table, problem_of)
    lines += reading_section(table, problem_of, config)
    if figdir is None:
        lines += ["Plots skipped: matplotlib is not installed.", ""]
    else:
        lines += plot_gaps(table, problem_of, methods, figdir)
        lines += plot_meta_curves(table, figdir)
    return "\n".join(lines)


def summary_section(table, methods) -> list[str]:
    """Count, per baseline, the problems where learned is significantly better or worse."""
    if "learned" not in methods:
        return []
    lines = ["### Summary", "",
             "Problems where the learned schedule's mean gap is significantly lower or "
             "higher than a baseline's (paired 95 % CI of the difference excludes 0), out of "
             f"{len(table)}:", "",
             "| baseline | learned better | no significant difference | learned worse |",
             "|---|---|---|---|"]
    for m in methods:
        if m == "learned":
            continue
        better = worse = 0
        for by_method in table.values():
            diff = stats.paired_difference(per_seed(by_method["learned"]),
                                           per_seed(by_method[m]))
            better += diff.significant and diff.value < 0
            worse += diff.significant and diff.value > 0
        lines.append(f"| {METHOD_LABELS[m]} | {better} | {len(table) - better - worse} | "
                     f"{worse} |")
    wins = {}
    for by_method in table.values():
        best, _, _ = winner(by_method)
        wins[best] = wins.get(best, 0) + 1
    lines += ["", "Lowest mean gap: " + ", ".join(
        f"{METHOD_LABELS[m]} on {wins[m]}" for m in methods if m in wins) + ".", ""]
    return lines


def methods_section(config: dict, quick: bool, results: list[dict]) -> list[str]:
    """Describe how each method was tuned, from the configuration of this sweep."""
    estimators = sorted({f"{r['problem']['kind']}: {r['estimator']}" for r in results
                         if r["method"] == "learned" and "estimator" in r})
    ranges = ", ".join(f"{name} [{lo:.3g}, {hi:.3g}]" for name, (lo, hi)
                       in zip(A.PARAMETER_NAMES, A.random_ranges(1)))
    per_epoch = config["meta_per_epoch"]
    return [
        "Methods:",
        "",
        f"- geometric: T0 in {A.GRID_INITIAL[quick]} x Tmin in {A.GRID_FINAL[quick]} "
        f"(energy-scale units), each pair on {config['budget_seeds']} tuning seeds, "
        "lowest mean gap wins.",
        f"- random search: {config['budget'] // config['budget_seeds']} log-uniform draws on "
        f"{config['budget_seeds']} tuning seeds each; ranges for S = 1 move (cool_rate, "
        f"reheat_threshold and oscillation_freq scale with S): {ranges}.",
        f"- simanneal: `Annealer.auto(minutes=1, steps={config['exploration_moves']})` on "
        "the real energy in Python (2-opt moves, or the same normal moves), then Tmax to Tmin "
        "geometrically over S moves in absolute units. simanneal calibrates for the "
        "Metropolis rule; sxc's annealer accepts by the sigmoid rule.",
        f"- learned: `MetaOptimizer` from `LearnableSchedule::default()`, estimator "
        f"{', '.join(estimators) or 'not recorded'}, Adam, learning rate "
        f"{config['meta_learning_rate']}, {per_epoch['tsp']} runs per estimate on TSP and "
        f"{per_epoch['continuous']} on continuous functions (a pair counts as two), all runs "
        "from one start drawn from the tuning run's seed. These settings were picked in "
        "pilots on tuning seeds (eil51, kroA100, rastrigin-10; 4 settings), whose runs are "
        "not counted in the budget.",
        "",
        "Limits of this comparison:",
        "",
        "- The loss of a TSP run is the length of the tour the annealer returns (the best "
        "it saw); of a continuous run, the value at its final state.",
        "- The geometric grid steps by factors of 10, so a finer grid (at a larger budget) "
        "may do better than the row shown.",
        "- Meta-training settings come from pilots on eil51, kroA100 and rastrigin-10, so "
        "those problems are not independent of the choice (the pilots used tuning seeds).",
        "- Each meta-training run anneals one fixed start, while evaluation starts from a "
        "new random tour or point per seed.",
        "",
    ]


def quality_section(table, problem_of, methods, kind: str, heading: str) -> list[str]:
    """Tabulate each method's mean gap per problem, with the winner and its margin."""
    names = [n for n in table if problem_of[n]["kind"] == kind]
    if not names:
        return []
    header = ["problem", "S"] + [METHOD_LABELS[m] for m in methods] + ["best", "vs runner-up"]
    lines = [f"### {heading}", "", "| " + " | ".join(header) + " |",
             "|" + "---|" * len(header)]
    for name in names:
        problem = problem_of[name]
        cells = [name, f"{problem['steps']:,}"]
        for m in methods:
            runs = table[name].get(m)
            cells.append(format_gap(problem, stats.mean_ci(per_seed(runs))) if runs else "")
        best, second, diff = winner(table[name])
        cells.append(METHOD_LABELS[best])
        if diff is None:
            cells.append("")
        else:
            verdict = "significant" if diff.significant else "not significant"
            cells.append(f"{verdict} ({format_gap(problem, diff)} vs {METHOD_LABELS[second]})")
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def paired_section(table, problem_of, methods) -> list[str]:
    if "learned" not in methods:
        return []
    others = [m for m in methods if m != "learned"]
    lines = ["### Learned minus each baseline, paired on the same seeds (95 % CI)", "",
             "Negative is better for the learned schedule; * marks an interval that "
             "excludes 0. TSP in gap percentage points, continuous in objective units.", ""]
    header = ["problem"] + [f"learned - {METHOD_LABELS[m]}" for m in others]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    for name, by_method in table.items():
        problem = problem_of[name]
        cells = [name]
        learned = per_seed(by_method["learned"])
        for m in others:
            diff = stats.paired_difference(learned, per_seed(by_method[m]))
            mark = " *" if diff.significant else ""
            cells.append(format_gap(problem, diff) + mark)
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def claim_verdict(change: stats.Estimate, claimed: float) -> str:
    """Compare a relative change of the final loss with a claimed improvement.

    `change` is learned / reference - 1, so an improvement of 10 % is -0.10.
    The claim reproduces when the whole interval is at `claimed` or better.
    """
    if np.isnan(change.low):
        return "undetermined (one seed)"
    if -change.high >= claimed:
        return "reproduces"
    if -change.low < claimed:
        return "does not reproduce"
    return "inconclusive"


def claim_section(table, problem_of) -> list[str]:
    if not all("learned" in t and "default" in t for t in table.values()):
        return []
    lines = [f"### The claim beside the measurement: {CLAIM}", "",
             "Relative change of the mean final loss (tour length, or final value), "
             "learned / reference - 1, with a paired bootstrap 95 % CI; -10 % means "
             "10 % better, and \"2 times\" a loss twice the reference. The reference is "
             "the default schedule, and the best baseline by mean gap (excluding the "
             "default). \"Reproduces\" needs the whole interval at 10 % or better.", ""]
    header = ["problem", "seed's claim", "learned vs default", "verdict",
              "learned vs best baseline", "verdict at the claimed 10 %"]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    for name, by_method in table.items():
        problem = problem_of[name]
        learned = loss_of(problem, per_seed(by_method["learned"]))
        default = loss_of(problem, per_seed(by_method["default"]))
        vs_default = stats.relative_change(learned, default)
        baselines = [m for m in by_method if m not in ("learned", "default")]
        cells = [name, "-10 % to -15 %", format_change(vs_default),
                 claim_verdict(vs_default, 0.10)]
        if baselines:
            best = min(baselines, key=lambda m: float(np.mean(per_seed(by_method[m]))))
            vs_best = stats.relative_change(learned, loss_of(problem, per_seed(by_method[best])))
            cells += [f"{format_change(vs_best)} ({METHOD_LABELS[best]})",
                      claim_verdict(vs_best, 0.10)]
        else:
            cells += ["", ""]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def budget_section(table, methods) -> list[str]:
    lines = ["### Tuning cost per tuning run (mean over runs and problems)", "",
             "| method | evaluations (runs of S moves) | tuning wall time, s |", "|---|---|---|"]
    for m in methods:
        runs = [r for t in table.values() for r in t.get(m, [])]
        evaluations = float(np.mean([r.get("evaluations", 0) for r in runs]))
        seconds = float(np.mean([r["tuning_seconds"] for r in runs]))
        lines.append(f"| {METHOD_LABELS[m]} | {evaluations:.1f} | {seconds:.2f} |")
    lines.append("")
    return lines


def parameter_section(table, problem_of) -> list[str]:
    lines = ["### Schedules found (first tuning run)", "",
             "Values in field order: " + ", ".join(A.PARAMETER_NAMES) + ". simanneal's "
             "temperatures are absolute; the others are in energy-scale units.", "",
             "| problem | method | values |", "|---|---|---|"]
    for name, by_method in table.items():
        for m in METHODS:
            if m in by_method:
                values = ", ".join(f"{v:.3g}" for v in by_method[m][0]["params"])
                lines.append(f"| {name} | {METHOD_LABELS[m]} | {values} |")
    lines.append("")
    return lines


def _final_temperature(params, steps: int) -> float:
    """Temperature of a schedule after `steps` moves, oscillation left out."""
    t0, alpha, floor = params[0], params[1], params[2]
    return max(t0 * math.exp(-alpha * steps), floor)


def reading_section(table, problem_of, config) -> list[str]:
    """Describe how far meta-training moved the schedule, beside where the grid landed."""
    rows = []
    for name, by_method in table.items():
        if "learned" not in by_method or "geometric" not in by_method:
            continue
        steps = problem_of[name]["steps"]
        learned = [r["params"] for r in by_method["learned"]]
        grid = [r["params"] for r in by_method["geometric"]]
        epochs = [len(r.get("curve", [])) for r in by_method["learned"]]
        t_learned = float(np.median([_final_temperature(p, steps) for p in learned]))
        t_grid = float(np.median([_final_temperature(p, steps) for p in grid]))
        t_default = _final_temperature(A.default_schedule(), steps)
        rows.append(f"| {name} | {t_default:.3g} | {t_learned:.3g} | {t_grid:.3g} | "
                    f"{int(np.median(epochs))} |")
    if not rows:
        return []
    limit = config["meta_learning_rate"]
    return [
        "### Reading: how far the schedules moved", "",
        "Final temperature (energy-scale units, oscillation left out; median over tuning "
        "runs) of the default, the learned and the grid schedule, and the number of "
        "meta-training epochs the budget allowed.", "",
        "| problem | default | learned | geometric (grid) | epochs |", "|---|---|---|---|---|",
        *rows, "",
        f"Adam moves each raw coordinate by about its learning rate ({limit}) per epoch, so "
        "in these epochs a log-space parameter such as the cooling rate can change by a "
        f"factor of at most about e^({limit} x epochs). On the continuous functions the "
        "default ends far hotter than the grid, which ends near its lowest floor. So "
        "meta-training starts far away and the budget runs out on the way, and the floor "
        "Tmin has no gradient until the temperature reaches it. The grid jumps there "
        "directly. On the TSP instances the default is closer to a good schedule, "
        "and the learned schedules end up level with or better than the grid. This "
        "reading is ours: the tables above are the measurement.", "",
    ]


def plot_gaps(table, problem_of, methods, figdir) -> list[str]:
    import matplotlib.pyplot as plt

    names = list(table)
    columns = min(4, len(names))
    rows = (len(names) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(3.2 * columns, 2.8 * rows), squeeze=False)
    for ax, name in zip(axes.flat, names):
        problem = problem_of[name]
        scale = 100.0 if problem["kind"] == "tsp" else 1.0
        data = [np.array([g for r in table[name][m] for g in r["gaps"]]) * scale
                for m in methods if m in table[name]]
        labels = [METHOD_LABELS[m].split(" ")[0] for m in methods if m in table[name]]
        ax.boxplot(data)
        # boxplot's keyword for the labels changed name in matplotlib 3.9
        ax.set_xticks(range(1, len(labels) + 1), labels)
        ax.set_title(name, fontsize=9)
        ax.set_ylabel("gap, %" if problem["kind"] == "tsp" else "final value", fontsize=8)
        ax.tick_params(labelsize=7)
        if problem["kind"] == "continuous":
            ax.set_yscale("symlog", linthresh=1e-3)
            ax.set_ylim(bottom=0.0)
    for ax in list(axes.flat)[len(names):]:
        ax.axis("off")
    fig.tight_layout()
    path = figdir / "quality_gaps.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return ["### Gap distributions", "",
            "Every held-out seed of every tuning run, per method.", "",
            f"![gap to the optimum per method]({figdir.name}/{path.name})", ""]


def plot_meta_curves(table, figdir) -> list[str]:
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    curves = {name: [r["curve"] for r in t.get("learned", []) if r.get("curve")]
              for name, t in table.items()}
    curves = {name: c for name, c in curves.items() if c}
    if not curves:
        return ["Meta-training loss plot skipped: no meta-training curves were recorded.", ""]
    columns = min(4, len(curves))
    rows = (len(curves) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(3.2 * columns, 2.6 * rows), squeeze=False)
    for ax, (name, runs) in zip(axes.flat, curves.items()):
        for k, curve in enumerate(runs):
            ax.plot(range(1, len(curve) + 1), curve, marker="o", markersize=3,
                    label=f"run {k + 1}")
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("epoch", fontsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("mean final loss", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(curves):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.tight_layout()
    path = figdir / "meta_training_loss.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return ["### Meta-training loss over epochs", "",
            "Mean final loss of the runs of each gradient estimate (train mode).", "",
            f"![meta-training loss]({figdir.name}/{path.name})", ""]


if __name__ == "__main__":
    import sys

    from experiments.runner import main

    sys.exit(main(["--only", "annealing_quality", *sys.argv[1:]]))
