"""A meta-learned learning rate and distillation against tuned fixed cosine
and step decay: final test loss, and the steps each needs to reach the
validation loss that tuned cosine decay ends at.

- cosine (tuned): linear warm-up, then cosine decay to 0; peak rate and
  warm-up fraction from a grid, chosen on the final validation loss.
- step (tuned): warm-up, then the rate divided by 10 at 50 % and at 75 % of
  the run; peak rate from a grid.
- default: the starting point of meta-training (warm-up 5 %, exponential
  decay e^-1, peak 0.05; distillation at temperature 2 with mix 0.5).
- learned lr: warm-up + exponential decay with peak, warm-up and decay
  meta-trained on the final validation loss (pathwise meta-gradients, Adam),
  without distillation.
- learned lr + distillation: the same three and distillation from a 64-unit
  teacher (temperature, and the teacher / hard-label mix at the start and at
  the end of the run), all six meta-trained.  The teacher trains for 1000
  steps at peak rate 0.2 and is more accurate than the students.

Budgets are equal: meta-training uses R dual runs and one evaluation run,
and each tuned baseline gets R + 1 candidate runs.  The teacher's own
training run is not counted.  A gradient check compares the pathwise
meta-gradient with central differences on a few seeds.

    python -m experiments.lr_distillation [--quick]
"""

from __future__ import annotations

import sys

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))

from experiments import training as T  # noqa: E402

TITLE = "Claim 5: learning rate and distillation, learned versus tuned cosine and step decay"
ORDER = 5  # position on the results page
# learned against fixed schedules, claimed by the Simplex training-pipeline plan:
CLAIM_LOSS = (10.0, 15.0)   # % lower final loss
CLAIM_STEPS = (20.0, 30.0)  # % fewer training steps
METHODS = ["cosine_tuned", "step_tuned", "default", "learned_lr", "learned"]
LABELS = {
    "cosine_tuned": "cosine decay, tuned",
    "step_tuned": "step decay, tuned",
    "default": "default schedule with distillation",
    "learned_lr": "learned lr",
    "learned": "learned lr + distillation",
}
META_LR = 0.3
LEARNED_PARAMS = list(T.LR_PARAMS) + list(T.DISTILL_PARAMS)
CHECK_STEP = 0.1
PARAM_NAMES = {0: "peak rate", 1: "warm-up", 2: "decay", 3: "temperature", 4: "mix at start",
               5: "mix at end"}


def sizes(quick: bool) -> dict:
    if quick:
        return {"hidden": 16, "steps": 100, "batch": 16, "seeds": 2, "meta_steps": 2,
                "curve_every": 10, "teacher_steps": 200, "check_seeds": 1}
    return {"hidden": 32, "steps": 300, "batch": 32, "seeds": 12, "meta_steps": 8,
            "curve_every": 10, "teacher_steps": 1000, "check_seeds": 4}


def tasks(quick: bool) -> list[dict]:
    size = sizes(quick)
    items = [dict(size, seed=seed, method=method)
             for seed in range(size["seeds"]) for method in METHODS]
    items += [dict(size, seed=seed, method="gradient_check")
              for seed in range(size["check_seeds"])]
    return items


def _settings(task: dict, lr_shape: int, distill: bool) -> np.ndarray:
    return T.settings(task["hidden"], task["steps"], task["batch"], task["seed"],
                      lr_shape=lr_shape, distill=distill, curve_every=task["curve_every"])


def _lr_theta(base: np.ndarray, peak: float, warmup: float | None = None) -> np.ndarray:
    theta = base.copy()
    theta[0] = np.log(peak)
    if warmup is not None:
        theta[1] = T.logit(warmup)
    return theta


def _grid_shape(budget: int) -> tuple[int, int]:
    """Split `budget` candidates into a grid of peaks x warm-ups, close to square."""
    warmups = max(1, int(np.sqrt(budget)))
    return budget // warmups, warmups


def run_task(task: dict) -> dict:
    method = task["method"]
    base = T.default_theta()
    budget = len(LEARNED_PARAMS) * task["meta_steps"] + 1
    out = {"seed": task["seed"], "method": method, "runs": 1}
    if method == "gradient_check":
        teacher, _ = T.teacher_logits(500 + task["seed"], steps=task["teacher_steps"])
        out["rows"] = T.gradient_check(_settings(task, T.LR_LEARNED, True), base, LEARNED_PARAMS,
                                       CHECK_STEP, teacher)
        return out
    if method == "cosine_tuned":
        peaks_count, warm_count = _grid_shape(budget)
        pairs = T.grid(T.spread(0.005, 0.5, peaks_count, log=True),
                       T.spread(0.01, 0.3, warm_count))
        while len(pairs) < budget:
            pairs.append((0.05, 0.05))
        candidates = [_lr_theta(base, p, w) for p, w in pairs]
        result, index, out["runs"] = T.tune(_settings(task, T.LR_COSINE, False), candidates)
        out["peak"], out["warmup"] = pairs[index]
    elif method == "step_tuned":
        peaks = T.spread(0.005, 0.5, budget, log=True)
        candidates = [_lr_theta(base, p) for p in peaks]
        result, index, out["runs"] = T.tune(_settings(task, T.LR_STEP, False), candidates)
        out["peak"] = peaks[index]
    elif method == "learned_lr":
        s = _settings(task, T.LR_LEARNED, False)
        steps = (budget - 1) // len(T.LR_PARAMS)
        theta, history, runs = T.meta_train(s, base, T.LR_PARAMS, steps, meta_lr=META_LR)
        out["runs"] = runs + 1
        out["history"] = history
        out["peak"] = float(np.exp(theta[0]))
        out["warmup"] = T.sigmoid(theta[1])
        out["decay"] = float(np.exp(theta[2]))
        result = T.train_run(s, theta)
    else:
        teacher, teacher_accuracy = T.teacher_logits(500 + task["seed"],
                                                     steps=task["teacher_steps"])
        out["teacher_accuracy"] = teacher_accuracy
        s = _settings(task, T.LR_LEARNED, True)
        theta = base
        if method == "learned":
            theta, history, runs = T.meta_train(s, base, LEARNED_PARAMS, task["meta_steps"],
                                                meta_lr=META_LR, teacher=teacher)
            out["runs"] = runs + 1
            out["history"] = history
            out["peak"] = float(np.exp(theta[0]))
            out["warmup"] = T.sigmoid(theta[1])
            out["decay"] = float(np.exp(theta[2]))
            out["temperature"] = float(np.exp(theta[3]))
            out["mix_start"] = T.sigmoid(theta[4])
            out["mix_end"] = T.sigmoid(theta[5])
        result = T.train_run(s, theta, teacher)
    out.update(result)
    return out


def report(results: list[dict], quick: bool, figdir) -> str:
    from experiments.stats import bootstrap_ci, format_estimate, mean_ci, paired_difference

    by, seeds = T.complete_seeds(results, METHODS)
    size = sizes(quick)
    every = size["curve_every"]
    lines: list[str] = []
    lines.append(
        f"Digits, a 64-{size['hidden']}-10 tanh network, {size['steps']} SGD steps (momentum "
        f"0.9) of {size['batch']} rows, {len(seeds)} seeds shared by all methods. Final loss "
        "is the cross-entropy on the 400 test rows. Steps to target: the first step, on a "
        f"validation curve recorded every {every} steps, at which a method's validation loss "
        "reaches the final validation loss of tuned cosine decay on the same seed (a method "
        f"that never reaches it counts as {size['steps']}, the run length). Means with 95 % "
        "Student-t intervals; the step reduction has a bootstrap interval of its median.")
    lines.append("")
    lines.append("| method | training runs | test loss | test accuracy | steps to target |")
    lines.append("|---|---|---|---|---|")
    steps = {}
    never = {}
    for m in METHODS:
        counts = []
        missed = 0
        for s in seeds:
            target = by[(s, "cosine_tuned")]["val_loss"]
            hit = T.steps_to(by[(s, m)]["curve"], every, target)
            if hit is None:
                missed += 1
                hit = size["steps"]
            counts.append(hit)
        steps[m] = np.array(counts, dtype=float)
        never[m] = missed
        runs = int(round(np.mean([by[(s, m)]["runs"] for s in seeds])))
        loss = mean_ci([by[(s, m)]["test_loss"] for s in seeds])
        acc = mean_ci([by[(s, m)]["test_accuracy"] for s in seeds])
        reached = f" ({missed} of {len(seeds)} never)" if missed else ""
        lines.append(f"| {LABELS[m]} | {runs} | {format_estimate(loss, 4)} | "
                     f"{format_estimate(acc, 4)} | {format_estimate(mean_ci(steps[m]), 0)}"
                     f"{reached} |")
    lines.append("")
    cosine_loss = np.array([by[(s, "cosine_tuned")]["test_loss"] for s in seeds])
    step_loss = np.array([by[(s, "step_tuned")]["test_loss"] for s in seeds])
    lines.append("| against tuned cosine | learned lr | learned lr + distillation | claimed |")
    lines.append("|---|---|---|---|")
    rows = {"reduction": [], "steps": [], "cosine": [], "step": []}
    verdicts = {}
    for m in ("learned_lr", "learned"):
        loss = np.array([by[(s, m)]["test_loss"] for s in seeds])
        reduction = 100.0 * (1.0 - loss / cosine_loss)
        step_cut = 100.0 * (1.0 - steps[m] / steps["cosine_tuned"])
        diff_cos = paired_difference(loss, cosine_loss)
        rows["reduction"].append(format_estimate(mean_ci(reduction)))
        rows["steps"].append(format_estimate(bootstrap_ci(step_cut)))
        rows["cosine"].append(format_estimate(diff_cos, 4))
        rows["step"].append(format_estimate(paired_difference(loss, step_loss), 4))
        verdicts[m] = (reduction, step_cut, diff_cos)
    lines.append(f"| final test loss, % lower | {' | '.join(rows['reduction'])} | "
                 f"{CLAIM_LOSS[0]:g}-{CLAIM_LOSS[1]:g} % |")
    lines.append(f"| steps to target, % fewer (median) | {' | '.join(rows['steps'])} | "
                 f"{CLAIM_STEPS[0]:g}-{CLAIM_STEPS[1]:g} % |")
    lines.append(f"| test loss, learned - cosine | {' | '.join(rows['cosine'])} | |")
    lines.append(f"| test loss, learned - step | {' | '.join(rows['step'])} | |")
    lines.append("")
    cosine = [by[(s, "cosine_tuned")] for s in seeds]
    lines.append(f"Tuned cosine chose peak rate {format_estimate(mean_ci([r['peak'] for r in cosine]), 3)}"
                 f" and warm-up {format_estimate(mean_ci([r['warmup'] for r in cosine]), 3)}.")
    lr_only = [by[(s, "learned_lr")] for s in seeds]
    lines.append(
        f"Learned lr alone: peak rate {format_estimate(mean_ci([r['peak'] for r in lr_only]), 3)}, "
        f"warm-up {format_estimate(mean_ci([r['warmup'] for r in lr_only]), 3)}, decay "
        f"{format_estimate(mean_ci([r['decay'] for r in lr_only]), 3)}; objective (new seeds "
        "at each meta-step) "
        f"{format_estimate(mean_ci([r['history'][0] for r in lr_only]), 4)} at the first "
        f"meta-step, {format_estimate(mean_ci([r['history'][-1] for r in lr_only]), 4)} at the last.")
    lines.append("")
    learned = [by[(s, "learned")] for s in seeds]

    def summary(key: str, digits: int = 3) -> str:
        return format_estimate(mean_ci([r[key] for r in learned]), digits)

    lines.append(
        f"Learned lr + distillation: peak rate {summary('peak')} (start 0.05), warm-up {summary('warmup')} "
        f"(start 0.05), decay {summary('decay')} (start 1), temperature "
        f"{summary('temperature')} (start 2), mix {summary('mix_start')} at the start and "
        f"{summary('mix_end')} at the end (start 0.5 and 0.5). Teacher validation accuracy "
        f"{summary('teacher_accuracy', 4)}. Meta-training objective (on new seeds at "
        "each meta-step, so the change mixes learning with seed noise), first to last "
        f"meta-step: {format_estimate(mean_ci([r['history'][0] for r in learned]), 4)} to "
        f"{format_estimate(mean_ci([r['history'][-1] for r in learned]), 4)}.")
    lines.append("")
    check = T.gradient_check_lines(results, PARAM_NAMES, CHECK_STEP)
    if check:
        lines += check + [""]
    for m in ("learned_lr", "learned"):
        lines.append(_verdict(LABELS[m], *verdicts[m]))
        lines.append("")
    lines.append("Distillation takes part only in the default and learned lr + distillation "
                 "rows, so their results mix the schedule with the teacher's soft targets.")
    if quick:
        lines += ["", "Quick mode: too few seeds and meta-steps for the intervals to mean much."]
    if figdir is not None:
        lines += ["", _figure(by, seeds, every, figdir)]
    else:
        lines += ["", "Figure skipped: no figure directory (matplotlib missing or run "
                  "standalone)."]
    return "\n".join(lines) + "\n"


def _verdict(label: str, reduction: np.ndarray, step_cut: np.ndarray, diff_cos) -> str:
    loss_text = f"{np.mean(reduction):.1f} %"
    steps_text = f"{np.median(step_cut):.0f} %"
    text = (f"What this shows: against tuned cosine decay with the same budget, {label} "
            f"changes the final test loss by {loss_text} (positive: lower) and the "
            f"steps to cosine's final validation loss by {steps_text} (median, positive: "
            "fewer), against the claimed 10-15 % and 20-30 %. ")
    if diff_cos.significant and diff_cos.value < 0:
        text += "The lower test loss holds by the paired interval."
    elif diff_cos.significant:
        text += "Tuned cosine decay reaches the lower test loss, by the paired interval."
    else:
        text += "The paired interval of the test-loss difference includes 0."
    return text


def _figure(by: dict, seeds: list[int], every: int, figdir) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    for m, color in zip(METHODS, ("tab:blue", "tab:orange", "tab:gray", "tab:purple",
                                  "tab:green")):
        curves = np.array([by[(s, m)]["curve"] for s in seeds])
        x = every * np.arange(1, curves.shape[1] + 1)
        ax.plot(x, curves.mean(axis=0), color=color, label=LABELS[m])
    ax.set_xlabel("training step")
    ax.set_ylabel("validation loss (mean over seeds)")
    ax.set_yscale("log")
    ax.legend(fontsize=7)
    fig.tight_layout()
    name = "lr_distillation_curves.png"
    fig.savefig(figdir / name, dpi=120)
    plt.close(fig)
    return f"![validation loss curves]({figdir.name}/{name})"


if __name__ == "__main__":
    sys.exit(T.run_standalone(sys.modules[__name__], sys.argv[1:]))
