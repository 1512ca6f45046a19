"""Training runs on the digits data shared by the schedule experiments
(pruning, quantization, lr_distillation).

Every run trains one student network (64 inputs, `hidden` tanh units, 10
outputs) with minibatch SGD and momentum 0.9 through experiments/schedules.sx.
One run is one unit of every method's budget: a dual pass of meta-training,
a perturbed run of the smoothed estimator, or a candidate of a tuned
baseline.  Model selection uses the validation rows (1000..1396 of
examples/data/digits.csv); the reported numbers come from the test rows
(1397..1796), which no method reads while tuning.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np

from experiments.runner import compiled

PROGRAM = "schedules.sx"
DIGITS = Path(__file__).resolve().parent.parent / "examples" / "data" / "digits.csv"
PARAMS = 14
CLASSES = 10
TRAIN_ROWS = 1000

LR_LEARNED, LR_COSINE, LR_STEP = 0, 1, 2
PRUNE_NONE, PRUNE_SOFT, PRUNE_GRADUAL, PRUNE_ONE_SHOT = 0, 1, 2, 3
QUANT_NONE, QUANT_SOFT, QUANT_POST_TRAINING, QUANT_FIXED = 0, 1, 2, 3

# Index ranges of each schedule in theta (see runtime/meta_trainer.sx).
LR_PARAMS = range(0, 3)
DISTILL_PARAMS = range(3, 6)
PRUNE_PARAMS = range(6, 10)
QUANT_PARAMS = range(10, 14)

_DATA: dict[str, tuple[np.ndarray, np.ndarray]] = {}


def program():
    """Return the task program compiled for this process (train mode, one tangent)."""
    return compiled(PROGRAM, mode="train")


def digits() -> tuple[np.ndarray, np.ndarray]:
    """Return the pixels scaled to [0, 1] as one flat array, and the labels."""
    if "digits" not in _DATA:
        raw = np.loadtxt(DIGITS, delimiter=",", comments="#")
        _DATA["digits"] = ((raw[:, 1:] / 16.0).ravel().copy(), raw[:, 0].copy())
    return _DATA["digits"]


def settings(hidden: int, steps: int, batch: int, seed: int, lr_shape: int = LR_LEARNED,
             distill: bool = False, prune: int = PRUNE_NONE, quantize: int = QUANT_NONE,
             sparsity: float = 0.5, bits: int = 4, curve_every: int = 0) -> np.ndarray:
    return np.array([hidden, steps, batch, seed, lr_shape, 1.0 if distill else 0.0, prune,
                     quantize, sparsity, bits, curve_every], dtype=np.float64)


def default_theta() -> np.ndarray:
    theta = np.zeros(PARAMS)
    program().default_theta(theta)
    return theta


def logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def teacher_logits(seed: int, hidden: int = 64, steps: int = 1000,
                   peak_rate: float = 0.2) -> tuple[np.ndarray, float]:
    """Train a plain cross-entropy teacher; return its logits on the training
    rows and its validation accuracy."""
    x, y = digits()
    logits = np.zeros(TRAIN_ROWS * CLASSES)
    accuracy = program().teacher_logits(x, y, hidden, steps, peak_rate, seed, logits)
    return logits, accuracy


def no_teacher() -> np.ndarray:
    return np.zeros(TRAIN_ROWS * CLASSES)


def train_run(s: np.ndarray, theta: np.ndarray, teacher: np.ndarray | None = None) -> dict:
    """One training run; return what its compressed model reaches."""
    x, y = digits()
    curve_length = int(s[1] // s[10]) if s[10] > 0 else 0
    out = np.zeros(9 + curve_length)
    teacher = no_teacher() if teacher is None else teacher
    loss = program().train_run(x, y, s, np.asarray(theta, dtype=np.float64), teacher, -1, out)
    return {
        "val_loss": loss,
        "val_accuracy": out[1],
        "test_loss": out[2],
        "test_accuracy": out[3],
        "sparsity": out[4],
        "compression_ratio": out[5],
        "curve": [float(v) for v in out[9:9 + int(out[8])]],
    }


def meta_train(s: np.ndarray, theta: np.ndarray, learn, meta_steps: int, meta_lr: float,
               teacher: np.ndarray | None = None, estimator: int = 0, pairs: int = 2,
               sigma: float = 0.1) -> tuple[np.ndarray, list[float], int]:
    """Meta-train the entries `learn` (indices) of theta from `theta` with
    Adam; return the learned theta, the objective per meta-step and the
    training runs used."""
    x, y = digits()
    mask = np.zeros(PARAMS)
    mask[list(learn)] = 1.0
    learned = np.zeros(PARAMS)
    history = np.zeros(max(1, meta_steps))
    meta = np.array([meta_steps, meta_lr, estimator, pairs, sigma], dtype=np.float64)
    teacher = no_teacher() if teacher is None else teacher
    runs = program().meta_train_run(x, y, s, np.asarray(theta, dtype=np.float64), mask, meta,
                                    teacher, 1, learned, history)
    return learned, [float(v) for v in history[:meta_steps]], int(runs)


def gradient_check(s: np.ndarray, theta: np.ndarray, lanes, h: float,
                   teacher: np.ndarray | None = None) -> list[dict]:
    """Compare the pathwise meta-gradient with a central difference of step
    `h` for each entry `lanes` of theta, on one training run of settings `s`."""
    x, y = digits()
    teacher = no_teacher() if teacher is None else teacher
    theta = np.asarray(theta, dtype=np.float64)
    out = np.zeros(9 + (int(s[1] // s[10]) if s[10] > 0 else 0))
    rows = []
    for k in lanes:
        program().train_run(x, y, s, theta, teacher, int(k), out)
        pathwise = float(out[0])
        plus, minus = theta.copy(), theta.copy()
        plus[k] += h
        minus[k] -= h
        up = program().train_run(x, y, s, plus, teacher, -1, out)
        down = program().train_run(x, y, s, minus, teacher, -1, out)
        rows.append({"param": int(k), "pathwise": pathwise, "difference": (up - down) / (2 * h)})
    return rows


def gradient_check_lines(results: list[dict], names: dict, h: float) -> list[str]:
    """Format a markdown table of pathwise meta-gradients against central differences."""
    from experiments.stats import format_estimate, mean_ci

    checks = [r for r in results if r is not None and r.get("method") == "gradient_check"]
    if not checks:
        return []
    params = sorted({row["param"] for r in checks for row in r["rows"]})
    lines = [f"Pathwise meta-gradient against a central difference with step {h:g} (in the "
             f"unconstrained parameter), one training run per seed, "
             f"{len(checks)} seed{'' if len(checks) == 1 else 's'}:", "",
             "| parameter | pathwise | difference | same sign |", "|---|---|---|---|"]
    for k in params:
        rows = [row for r in checks for row in r["rows"] if row["param"] == k]
        pathwise = [row["pathwise"] for row in rows]
        difference = [row["difference"] for row in rows]
        agree = sum(1 for a, b in zip(pathwise, difference) if a * b > 0)
        lines.append(f"| {names[k]} | {format_estimate(mean_ci(pathwise), 4)} | "
                     f"{format_estimate(mean_ci(difference), 4)} | {agree} of {len(rows)} |")
    return lines


def tune(s: np.ndarray, thetas: list[np.ndarray],
         teacher: np.ndarray | None = None) -> tuple[dict, int, int]:
    """Train once per candidate theta under settings `s`; return the result
    with the lowest validation loss, its index and the runs used."""
    x, y = digits()
    curve_length = int(s[1] // s[10]) if s[10] > 0 else 0
    width = 8 + curve_length
    out = np.zeros(width * len(thetas))
    stacked = np.concatenate([np.asarray(t, dtype=np.float64) for t in thetas])
    teacher = no_teacher() if teacher is None else teacher
    best = program().train_many(x, y, s, stacked, len(thetas), teacher, width, out)
    row = out[best * width:(best + 1) * width]
    result = {
        "val_loss": row[0],
        "val_accuracy": row[1],
        "test_loss": row[2],
        "test_accuracy": row[3],
        "sparsity": row[4],
        "compression_ratio": row[5],
        "curve": [float(v) for v in row[8:8 + int(row[7])]],
    }
    return result, int(best), len(thetas)


def grid(values_a, values_b=None) -> list[tuple]:
    """Return all pairs of two value lists (or the values of one list as 1-tuples)."""
    if values_b is None:
        return [(a,) for a in values_a]
    return [(a, b) for a in values_a for b in values_b]


def spread(low: float, high: float, count: int, log: bool = False) -> list[float]:
    """`count` evenly spaced values from low to high (geometrically with `log`)."""
    if count == 1:
        return [math.sqrt(low * high) if log else 0.5 * (low + high)]
    if log:
        return list(np.geomspace(low, high, count))
    return list(np.linspace(low, high, count))


def steps_to(curve: list[float], every: int, target: float) -> int | None:
    """First step at which the recorded validation loss is at or below `target`."""
    for index, value in enumerate(curve):
        if value <= target:
            return (index + 1) * every
    return None


# ------------------------------------------------------------------ reporting


def compression_sizes(quick: bool) -> dict:
    """Return the network and run sizes of the pruning and quantization experiments."""
    if quick:
        return {"hidden": 16, "steps": 100, "batch": 16, "seeds": 2, "meta_steps": 2,
                "check_seeds": 1}
    return {"hidden": 32, "steps": 300, "batch": 32, "seeds": 20, "meta_steps": 8,
            "check_seeds": 6}


def compression_tasks(quick: bool, methods: list[str]) -> list[dict]:
    """Return one task per seed and method, plus the gradient-check tasks."""
    size = compression_sizes(quick)
    items = [dict(size, seed=seed, method=method)
             for seed in range(size["seeds"]) for method in methods]
    items += [dict(size, seed=seed, method="gradient_check")
              for seed in range(size["check_seeds"])]
    return items


def complete_seeds(results: list[dict], methods: list[str]) -> tuple[dict, list[int]]:
    """Index results by (seed, method) and list the seeds that have every method."""
    by = {(r["seed"], r["method"]): r for r in results if r is not None}
    seeds = sorted({seed for seed, _ in by})
    return by, [s for s in seeds if all((s, m) in by for m in methods)]


def quality_tables(by: dict, seeds: list[int], methods: list[str], labels: dict,
                   claims: dict, baselines: list[str],
                   learned: list[str]) -> tuple[list[str], dict, dict]:
    """Markdown tables of test accuracy and quality loss against the first
    method (the uncompressed reference), and the paired differences of each
    `learned` method against each baseline.

    Quality loss is 100 * (reference accuracy - accuracy) / reference
    accuracy per seed.  Returns the lines, the losses per method and the
    paired-difference estimates per (learned method, baseline).
    """
    from experiments.stats import format_estimate, mean_ci, paired_difference

    reference = methods[0]
    base = np.array([by[(s, reference)]["test_accuracy"] for s in seeds])
    lines = ["| method | training runs | test accuracy | quality loss (%) | claimed |",
             "|---|---|---|---|---|"]
    losses = {}
    for m in methods:
        acc = np.array([by[(s, m)]["test_accuracy"] for s in seeds])
        losses[m] = 100.0 * (base - acc) / base
        runs = int(round(np.mean([by[(s, m)]["runs"] for s in seeds])))
        loss_text = "0 (reference)" if m == reference else format_estimate(mean_ci(losses[m]))
        lines.append(f"| {labels[m]} | {runs} | {format_estimate(mean_ci(acc), 4)} | "
                     f"{loss_text} | {claims.get(m, '')} |")
    lines += ["", "Paired differences in quality loss, learned minus baseline (percentage "
              "points; negative means the learned schedule lost less):", "",
              "| learned | baseline | learned - baseline | interval excludes 0 |",
              "|---|---|---|---|"]
    diffs = {}
    for a in learned:
        for m in baselines:
            diffs[(a, m)] = paired_difference(losses[a], losses[m])
            lines.append(f"| {labels[a]} | {labels[m]} | {format_estimate(diffs[(a, m)])} | "
                         f"{'yes' if diffs[(a, m)].significant else 'no'} |")
    return lines, losses, diffs


def verdict(losses: dict, diffs: dict, labels: dict, tuned: list[str], learned_methods: list[str],
            condition: str, claim_learned: float, claim_fixed: float) -> str:
    """Write one paragraph comparing each learned method with the best tuned baseline
    (the one with the lower mean quality loss)."""
    best = min(tuned, key=lambda m: np.mean(losses[m]))
    fixed = float(np.mean(losses[best]))
    text = (f"What this shows: {condition} the quality loss of this small network is "
            f"{fixed:.2f} % with the best tuned fixed method ({labels[best]}), against the "
            f"claimed {claim_fixed:g} % for fixed and {claim_learned:g} % for learned schedules "
            "(a negative loss: more accurate than the reference).")
    for m in learned_methods:
        diff = diffs[(m, best)]
        text += f" With the {labels[m]} it is {float(np.mean(losses[m])):.2f} %: "
        if diff.significant and diff.value < 0:
            text += "better than the tuned fixed method, by the paired interval."
        elif diff.significant:
            text += "worse than the tuned fixed method, by the paired interval."
        else:
            text += "the paired interval includes 0, so these seeds do not separate the two."
    if fixed < claim_fixed / 2:
        text += (f" The tuned fixed method loses far less than the claimed {claim_fixed:g} %, "
                 "so on this task there is little degradation for any schedule to remove.")
    return text


def loss_figure(losses: dict, methods: list[str], labels: dict, claims: tuple[float, float],
                figdir, name: str) -> str:
    """Save a box plot of quality loss per method; return its markdown link."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    names = [textwrap.fill(labels[m], 14) for m in methods]
    ax.boxplot([losses[m] for m in methods])
    # set the labels apart: boxplot's keyword for them changed name in matplotlib 3.9
    ax.set_xticks(range(1, len(names) + 1), names)
    ax.axhline(claims[0], color="tab:green", linestyle="--", label="claimed, learned")
    ax.axhline(claims[1], color="tab:red", linestyle="--", label="claimed, fixed")
    ax.set_ylabel("quality loss (%)")
    ax.tick_params(axis="x", labelsize=7)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(figdir / name, dpi=120)
    plt.close(fig)
    return f"![quality loss per method]({figdir.name}/{name})"


def run_standalone(module, argv: list[str]) -> int:
    """Run an experiment's tasks serially in this process and print its report."""
    quick = "--quick" in argv
    results = [module.run_task(task) for task in module.tasks(quick)]
    print(f"## {module.TITLE}\n")
    print(module.report(results, quick, None))
    return 0
