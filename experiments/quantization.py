"""4-bit weights: a meta-learned quantization schedule against fixed
post-training quantization and fixed quantization-aware training, each
measured as the test accuracy lost relative to the float model of the same
seed.

Weights of W1 and W2 become s * {-7..7} with s = clip * max|w| / 7 per
tensor (15 levels, symmetric 4-bit codes); biases stay in floating point.
All methods use the default learning-rate schedule and no distillation.

- float: no quantization (the reference).
- post-training (default): train in float, quantize at the end with clip
  0.95.
- post-training (tuned): the clip fraction chosen on the validation loss.
- fixed QAT (tuned): hard rounding with a straight-through gradient from a
  start fraction of the run on; start and clip chosen by random search.
- learned (pathwise): the soft rounding ramp (hardness rising from 0 to a
  final value), with clip, start, ramp length and final hardness
  meta-trained from the defaults with Adam on pathwise meta-gradients.
- learned (smoothed): the same, with antithetic perturbation estimates of
  the gradient (two pairs of runs per meta-step, sigma 0.3).

Budgets are equal: meta-training uses R runs and one evaluation run, and
each tuned baseline gets R + 1 candidate runs.  A gradient check compares
the pathwise meta-gradient with central differences on a few seeds.

    python -m experiments.quantization [--quick]
"""

from __future__ import annotations

import sys

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))

from experiments import training as T  # noqa: E402

TITLE = "Claim 4: quantization, learned 4-bit schedule versus post-training and fixed QAT"
ORDER = 4  # position on the results page
BITS = 4
# quality loss (%) at 4 bits, fixed and learned schedules, claimed by the Simplex training-pipeline plan
CLAIM_FIXED, CLAIM_LEARNED = 8.0, 4.0
METHODS = ["float", "post_default", "post_tuned", "qat_tuned", "learned", "learned_smoothed"]
LEARNED = ["learned", "learned_smoothed"]
PAIRS, SIGMA = 2, 0.3
CHECK_STEP = 0.1
PARAM_NAMES = {10: "clip", 11: "ramp start", 12: "ramp length", 13: "final hardness"}
LABELS = {
    "float": "float (no quantization)",
    "post_default": "post-training, clip 0.95",
    "post_tuned": "post-training, tuned clip",
    "qat_tuned": "fixed QAT, tuned start and clip",
    "learned": "learned schedule (pathwise)",
    "learned_smoothed": "learned schedule (smoothed)",
}


def sizes(quick: bool) -> dict:
    return T.compression_sizes(quick)


def tasks(quick: bool) -> list[dict]:
    return T.compression_tasks(quick, METHODS)


def _settings(task: dict, quantize: int) -> np.ndarray:
    return T.settings(task["hidden"], task["steps"], task["batch"], task["seed"],
                      quantize=quantize, bits=BITS)


def _quant_theta(base: np.ndarray, clip: float, start: float | None = None) -> np.ndarray:
    theta = base.copy()
    theta[10] = T.logit(clip)
    if start is not None:
        theta[11] = T.logit(start)
    return theta


def run_task(task: dict) -> dict:
    method = task["method"]
    base = T.default_theta()
    budget = len(T.QUANT_PARAMS) * task["meta_steps"] + 1
    out = {"seed": task["seed"], "method": method, "runs": 1}
    if method == "gradient_check":
        out["rows"] = T.gradient_check(_settings(task, T.QUANT_SOFT), base, T.QUANT_PARAMS,
                                       CHECK_STEP)
        return out
    if method == "float":
        result = T.train_run(_settings(task, T.QUANT_NONE), base)
    elif method == "post_default":
        result = T.train_run(_settings(task, T.QUANT_POST_TRAINING), base)
    elif method == "post_tuned":
        clips = T.spread(0.3, 0.999, budget)
        candidates = [_quant_theta(base, c) for c in clips]
        result, index, out["runs"] = T.tune(_settings(task, T.QUANT_POST_TRAINING), candidates)
        out["clip"] = clips[index]
    elif method == "qat_tuned":
        rng = np.random.default_rng(2000 + task["seed"])
        candidates = [base]
        while len(candidates) < budget:
            clip = rng.uniform(0.3, 0.999)
            start = rng.uniform(0.01, 0.95)
            candidates.append(_quant_theta(base, clip, start))
        result, index, out["runs"] = T.tune(_settings(task, T.QUANT_FIXED), candidates)
        out["clip"] = T.sigmoid(candidates[index][10])
        out["start"] = T.sigmoid(candidates[index][11])
    else:
        s = _settings(task, T.QUANT_SOFT)
        if method == "learned":
            learned, history, runs = T.meta_train(s, base, T.QUANT_PARAMS, task["meta_steps"],
                                                  meta_lr=0.2)
        else:
            steps = (budget - 1) // (2 * PAIRS)
            learned, history, runs = T.meta_train(s, base, T.QUANT_PARAMS, steps, meta_lr=0.2,
                                                  estimator=1, pairs=PAIRS, sigma=SIGMA)
        result = T.train_run(s, learned)
        out["runs"] = runs + 1
        out["history"] = history
        out["clip"] = T.sigmoid(learned[10])
        out["start"] = T.sigmoid(learned[11])
        out["hardness"] = float(np.exp(learned[13]))
    out.update({k: v for k, v in result.items() if k != "curve"})
    return out


def report(results: list[dict], quick: bool, figdir) -> str:
    from experiments.stats import format_estimate, mean_ci

    by, seeds = T.complete_seeds(results, METHODS)
    size = sizes(quick)
    lines: list[str] = []
    lines.append(
        f"Digits, a 64-{size['hidden']}-10 tanh network, {size['steps']} SGD steps of "
        f"{size['batch']} rows, {len(seeds)} seeds shared by all methods. W1 and W2 are "
        f"quantized to {BITS} bits (15 symmetric levels per tensor), biases stay float. "
        "Quality loss = (float test accuracy - quantized test accuracy) / float test "
        "accuracy, on the 400 test rows, per seed; means with 95 % Student-t intervals. "
        "Training runs = the method's budget per seed.")
    lines.append("")
    fixed = f"{CLAIM_FIXED:g} % (fixed)"
    claims = {"post_default": fixed, "post_tuned": fixed, "qat_tuned": fixed,
              "learned": f"{CLAIM_LEARNED:g} %", "learned_smoothed": f"{CLAIM_LEARNED:g} %"}
    baselines = ["post_default", "post_tuned", "qat_tuned"]
    table, losses, diffs = T.quality_tables(by, seeds, METHODS, LABELS, claims, baselines,
                                            LEARNED)
    lines += table + [""]
    for m in LEARNED:
        learned = [by[(s, m)] for s in seeds]
        lines.append(
            f"{LABELS[m].capitalize()}: clip "
            f"{format_estimate(mean_ci([r['clip'] for r in learned]))} (default 0.95), start "
            f"{format_estimate(mean_ci([r['start'] for r in learned]))} (default 0.50), final "
            f"hardness {format_estimate(mean_ci([r['hardness'] for r in learned]), 1)} "
            "(default 20). Meta-training objective (validation loss of the quantized model; "
            "each meta-step trains on new seeds, so the change mixes learning with seed "
            "noise; the tables compare methods on the same seeds), first to last meta-step: "
            f"{format_estimate(mean_ci([r['history'][0] for r in learned]), 4)} to "
            f"{format_estimate(mean_ci([r['history'][-1] for r in learned]), 4)}.")
        lines.append("")
    check = T.gradient_check_lines(results, PARAM_NAMES, CHECK_STEP)
    if check:
        lines += check + ["", "Where the two disagree, the quantized model's validation loss "
                          "is rough in that parameter (rounding switches weights between "
                          "levels), so the exact local derivative says little about the trend."]
        lines.append("")
    lines.append(T.verdict(losses, diffs, LABELS, ["post_tuned", "qat_tuned"], LEARNED,
                           f"with {BITS}-bit weights", CLAIM_LEARNED, CLAIM_FIXED))
    if quick:
        lines += ["", "Quick mode: too few seeds and meta-steps for the intervals to mean much."]
    if figdir is not None:
        lines += ["", T.loss_figure(losses, baselines + LEARNED, LABELS,
                                    (CLAIM_LEARNED, CLAIM_FIXED), figdir,
                                    "quantization_quality_loss.png")]
    else:
        lines += ["", "Figure skipped: no figure directory (matplotlib missing or run "
                  "standalone)."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(T.run_standalone(sys.modules[__name__], sys.argv[1:]))
