"""The meta-gradient estimators of `MetaOptimizer`, checked against truth.

The case is a 12-city tour annealed for 400 moves (tests/data/estimators.sx).
Truth for the gradient of the expected loss is the central difference of the
mean loss over the same 2,000 seeds at theta +- h (common random numbers),
with its standard error.  Each estimator must agree with it within four
combined standard errors.  The pathwise estimator is checked the same way
in test_meta_gradient.py, where its runs are deterministic.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import sxc

SOURCE = (Path(__file__).parent / "data" / "estimators.sx").read_text()
VALUES = np.array([0.5, 0.002, 0.01, 300.0, 0.3, 0.05, 0.02, 0.01])
SCORE, SMOOTHED = 1, 2
RUNS = 2000
# the parameters with a clear effect in 400 moves: T0, alpha and omega
CHECKED = [0, 1, 6]


@pytest.fixture(scope="module")
def lanes8():
    return sxc.compile(SOURCE, mode="train", tangents=8)


@pytest.fixture(scope="module")
def lanes1():
    return sxc.compile(SOURCE, mode="train")


@pytest.fixture(scope="module")
def finite_differences(lanes8):
    """Central differences of the mean loss per checked parameter: (mean, stderr)."""
    out = {}
    for k in CHECKED:
        h = 0.05 * VALUES[k]
        up, down = VALUES.copy(), VALUES.copy()
        up[k] += h
        down[k] -= h
        d = np.array([(lanes8.loss_run(up, r) - lanes8.loss_run(down, r)) / (2 * h)
                      for r in range(RUNS)])
        out[k] = (d.mean(), d.std() / math.sqrt(RUNS))
    return out


def _estimate(module, estimator: int, runs: int, values=VALUES) -> np.ndarray:
    out = np.zeros(9)
    module.estimate(values, estimator, runs, out)
    return out


def test_one_pass_equals_eight_passes(lanes8, lanes1):
    # eight tangent lanes in one run give bit for bit what eight runs give
    one_pass = _estimate(lanes8, SCORE, 32)
    eight_passes = _estimate(lanes1, SCORE, 32)
    assert np.array_equal(one_pass, eight_passes)
    assert np.count_nonzero(one_pass[:8]) >= 6


def _score_runs(module, runs: int) -> tuple[np.ndarray, np.ndarray]:
    """Loss and the eight score lanes of runs 0..runs-1 of epoch 0."""
    rows = np.zeros((runs, 9))
    out = np.zeros(9)
    for r in range(runs):
        module.score_run(VALUES, r, out)
        rows[r] = out
    return rows[:, 0], rows[:, 1:]


def test_score_estimate_is_the_leave_one_out_formula(lanes8):
    runs = 50
    loss, score = _score_runs(lanes8, runs)
    baseline = (loss.sum() - loss) / (runs - 1)
    expected = ((loss - baseline)[:, None] * score).mean(axis=0)
    got = _estimate(lanes8, SCORE, runs)
    assert np.allclose(got[:8], expected, rtol=1e-12, atol=1e-15)
    assert math.isclose(got[8], loss.mean(), rel_tol=1e-12)


def test_score_matches_finite_differences(lanes8, finite_differences):
    loss, score = _score_runs(lanes8, RUNS)
    baseline = (loss.sum() - loss) / (RUNS - 1)
    terms = (loss - baseline)[:, None] * score
    for k in CHECKED:
        g, se = terms[:, k].mean(), terms[:, k].std() / math.sqrt(RUNS)
        fd, fd_se = finite_differences[k]
        assert abs(g - fd) < 4 * math.hypot(se, fd_se), (k, g, se, fd, fd_se)
        assert abs(g) > 3 * se, f"parameter {k}: the estimate is noise ({g} +- {se})"


def test_smoothed_matches_finite_differences(finite_differences):
    # four independent estimates of 1,000 antithetic pairs give the spread
    estimates = []
    for seed in (1, 2, 3, 4):
        program = SOURCE.replace(".with_seed(11)", f".with_seed({seed})")
        module = sxc.compile(program, mode="release")
        estimates.append(_estimate(module, SMOOTHED, 1000)[:8])
    estimates = np.array(estimates)
    for k in CHECKED:
        g = estimates[:, k].mean()
        se = estimates[:, k].std(ddof=1) / 2.0
        fd, fd_se = finite_differences[k]
        assert abs(g - fd) < 4 * math.hypot(se, fd_se) + 0.1 * abs(fd), (k, g, se, fd, fd_se)


@pytest.mark.parametrize("estimator", [SCORE, SMOOTHED], ids=["score", "smoothed"])
def test_meta_training_lowers_the_expected_loss(lanes8, estimator):
    # alpha = 1e-5 barely cools in 400 moves; training should lower the
    # temperature (by T0, alpha or both)
    start = np.array([0.5, 1e-5, 0.01, 300.0, 0.3, 0.0, 0.02, 0.0])
    learned = start.copy()
    lanes8.train(learned, estimator, 16, 30, 0.1)
    held_out = range(100_000, 100_500)
    before = np.array([lanes8.loss_run(start, r) for r in held_out])
    after = np.array([lanes8.loss_run(learned, r) for r in held_out])
    diff = after - before
    assert diff.mean() < -4 * diff.std() / math.sqrt(len(diff)), (before.mean(), after.mean())


def test_hard_threshold_matches_hand_written(lanes8):
    # a learned schedule released with --hard threshold gives the hand-written tour
    learned = VALUES.copy()
    lanes8.train(learned, SCORE, 16, 10, 0.1)
    release = sxc.compile(SOURCE, mode="release", hard="threshold")
    for seed in range(8):
        library, hand = np.zeros(12), np.zeros(12)
        release.library_tour(learned, seed, library)
        release.hand_tour(learned, seed, hand)
        assert np.array_equal(library, hand), seed
        assert sorted(library) == list(range(12))
