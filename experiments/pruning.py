"""Pruning to 50 % sparsity: a meta-learned pruning schedule against fixed
one-shot and gradual magnitude pruning, each measured as the test accuracy
lost relative to the dense model of the same seed.

Methods, all with the default learning-rate schedule and no distillation:

- dense: no pruning (the reference).
- gradual (default): the cubic sparsity ramp of Zhu and Gupta from 10 % to
  60 % of the run, hard magnitude masks recomputed every step.  It is also
  the starting point of meta-training.
- gradual (tuned): the same with start, end and exponent of the ramp chosen
  by random search on the validation loss.
- one-shot (tuned): one hard prune to 50 % at a tuned fraction of the run,
  then training with the mask fixed.
- learned (pathwise): soft magnitude masks along a ramp whose start,
  length, exponent and mask width are meta-trained with Adam on pathwise
  meta-gradients (one dual run per parameter and meta-step).
- learned (smoothed): the same, with antithetic perturbation estimates of
  the gradient (two pairs of runs per meta-step, sigma 0.3).

Budgets are equal: meta-training uses R runs and one evaluation run, and
each tuned baseline gets R + 1 candidate runs.  A gradient check compares
the pathwise meta-gradient with central differences on a few seeds.  Every method ends with
hard masks of exactly 50 % of W1 and of W2 (biases stay dense).

    python -m experiments.pruning [--quick]
"""

from __future__ import annotations

import sys

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))

from experiments import training as T  # noqa: E402

TITLE = "Claim 3: pruning, learned schedule versus one-shot and gradual magnitude pruning"
ORDER = 3  # position on the results page
SPARSITY = 0.5
# quality loss (%) at 50 % sparsity, fixed and learned schedules, claimed by the Simplex training-pipeline plan
CLAIM_FIXED, CLAIM_LEARNED = 5.0, 2.0
METHODS = ["dense", "gradual_default", "gradual_tuned", "one_shot_tuned", "learned",
           "learned_smoothed"]
LEARNED = ["learned", "learned_smoothed"]
PAIRS, SIGMA = 2, 0.3
CHECK_STEP = 0.1
PARAM_NAMES = {6: "ramp start", 7: "ramp length", 8: "ramp exponent", 9: "mask width"}
LABELS = {
    "dense": "dense (no pruning)",
    "gradual_default": "gradual, default ramp",
    "gradual_tuned": "gradual, tuned ramp",
    "one_shot_tuned": "one-shot, tuned time",
    "learned": "learned schedule (pathwise)",
    "learned_smoothed": "learned schedule (smoothed)",
}


def sizes(quick: bool) -> dict:
    return T.compression_sizes(quick)


def tasks(quick: bool) -> list[dict]:
    return T.compression_tasks(quick, METHODS)


def _settings(task: dict, prune: int) -> np.ndarray:
    return T.settings(task["hidden"], task["steps"], task["batch"], task["seed"], prune=prune,
                      sparsity=SPARSITY)


def _ramp_theta(base: np.ndarray, start: float, end: float, exponent: float) -> np.ndarray:
    theta = base.copy()
    theta[6] = T.logit(start)
    theta[7] = T.logit((end - start) / (1.0 - start))
    theta[8] = np.log(exponent)
    return theta


def run_task(task: dict) -> dict:
    method = task["method"]
    base = T.default_theta()
    budget = len(T.PRUNE_PARAMS) * task["meta_steps"] + 1
    out = {"seed": task["seed"], "method": method, "runs": 1}
    if method == "gradient_check":
        out["rows"] = T.gradient_check(_settings(task, T.PRUNE_SOFT), base, T.PRUNE_PARAMS,
                                       CHECK_STEP)
        return out
    if method == "dense":
        result = T.train_run(_settings(task, T.PRUNE_NONE), base)
    elif method == "gradual_default":
        result = T.train_run(_settings(task, T.PRUNE_GRADUAL), base)
    elif method == "gradual_tuned":
        rng = np.random.default_rng(1000 + task["seed"])
        candidates = [base]
        while len(candidates) < budget:
            start = rng.uniform(0.0, 0.6)
            end = rng.uniform(start + 0.05, 0.98)
            exponent = np.exp(rng.uniform(0.0, np.log(6.0)))
            candidates.append(_ramp_theta(base, max(start, 1e-3), end, exponent))
        result, index, out["runs"] = T.tune(_settings(task, T.PRUNE_GRADUAL), candidates)
        chosen = candidates[index]
        out["start"] = T.sigmoid(chosen[6])
        out["end"] = out["start"] + T.sigmoid(chosen[7]) * (1.0 - out["start"])
    elif method == "one_shot_tuned":
        times = T.spread(0.02, 0.95, budget)
        candidates = [_ramp_theta(base, u, 0.99, 3.0) for u in times]
        result, index, out["runs"] = T.tune(_settings(task, T.PRUNE_ONE_SHOT), candidates)
        out["start"] = times[index]
    else:
        s = _settings(task, T.PRUNE_SOFT)
        if method == "learned":
            learned, history, runs = T.meta_train(s, base, T.PRUNE_PARAMS, task["meta_steps"],
                                                  meta_lr=0.2)
        else:
            steps = (budget - 1) // (2 * PAIRS)
            learned, history, runs = T.meta_train(s, base, T.PRUNE_PARAMS, steps, meta_lr=0.2,
                                                  estimator=1, pairs=PAIRS, sigma=SIGMA)
        result = T.train_run(s, learned)
        out["runs"] = runs + 1
        out["history"] = history
        out["start"] = T.sigmoid(learned[6])
        out["end"] = out["start"] + T.sigmoid(learned[7]) * (1.0 - out["start"])
        out["exponent"] = float(np.exp(learned[8]))
        out["width"] = float(np.exp(learned[9]))
    out.update({k: v for k, v in result.items() if k != "curve"})
    return out


def report(results: list[dict], quick: bool, figdir) -> str:
    from experiments.stats import format_estimate, mean_ci

    by, seeds = T.complete_seeds(results, METHODS)
    size = sizes(quick)
    lines: list[str] = []
    lines.append(
        f"Digits, a 64-{size['hidden']}-10 tanh network, {size['steps']} SGD steps of "
        f"{size['batch']} rows, {len(seeds)} seeds (each seed fixes the initial weights and "
        f"the minibatch order, shared by all methods). Pruning removes {SPARSITY:.0%} of W1 "
        "and of W2 by magnitude. Quality loss = (dense test accuracy - pruned test "
        "accuracy) / dense test accuracy, on the 400 test rows, per seed; means with "
        "95 % Student-t intervals. Training runs = the method's budget per seed.")
    lines.append("")
    fixed = f"{CLAIM_FIXED:g} % (fixed)"
    claims = {"gradual_default": fixed, "gradual_tuned": fixed, "one_shot_tuned": fixed,
              "learned": f"{CLAIM_LEARNED:g} %", "learned_smoothed": f"{CLAIM_LEARNED:g} %"}
    baselines = ["gradual_default", "gradual_tuned", "one_shot_tuned"]
    table, losses, diffs = T.quality_tables(by, seeds, METHODS, LABELS, claims, baselines,
                                            LEARNED)
    lines += table + [""]
    for m in LEARNED:
        learned = [by[(s, m)] for s in seeds]
        start = mean_ci([r["start"] for r in learned])
        end = mean_ci([r["end"] for r in learned])
        lines.append(
            f"{LABELS[m].capitalize()}: ramp start {format_estimate(start)}, end "
            f"{format_estimate(end)} (fractions of the run; default 0.10 to 0.60). "
            "Meta-training objective (validation loss of the pruned model; each meta-step "
            "trains on new seeds, so the change mixes learning with seed noise; the "
            "tables compare methods on the same seeds), first to last meta-step: "
            f"{format_estimate(mean_ci([r['history'][0] for r in learned]), 4)} to "
            f"{format_estimate(mean_ci([r['history'][-1] for r in learned]), 4)}.")
        lines.append("")
    check = T.gradient_check_lines(results, PARAM_NAMES, CHECK_STEP)
    if check:
        lines += check + ["", "Where the two disagree, the pruned model's validation loss "
                          "is rough in that parameter (hard masks switch which weights are "
                          "kept), so the exact local derivative says little about the trend."]
        lines.append("")
    lines.append(T.verdict(losses, diffs, LABELS, ["gradual_tuned", "one_shot_tuned"], LEARNED,
                           f"at {SPARSITY:.0%} sparsity", CLAIM_LEARNED, CLAIM_FIXED))
    if quick:
        lines += ["", "Quick mode: too few seeds and meta-steps for the intervals to mean much."]
    if figdir is not None:
        lines += ["", T.loss_figure(losses, baselines + LEARNED, LABELS,
                                    (CLAIM_LEARNED, CLAIM_FIXED), figdir,
                                    "pruning_quality_loss.png")]
    else:
        lines += ["", "Figure skipped: no figure directory (matplotlib missing or run "
                  "standalone)."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(T.run_standalone(sys.modules[__name__], sys.argv[1:]))
