"""The pathwise meta-gradient of `MetaOptimizer` against finite differences.

Each of the eight components of the pathwise `meta_gradient` (the mean over
two blended runs) must agree with central differences of the mean train-mode
final loss, computed by rerunning the same annealing runs (same seeds, so
each run is a deterministic function of the schedule) with one parameter
moved by +-h.

The relaxed loss has kinks where the temperature meets its floor and where a
hard comparison (a new best energy) flips, and it gets steep at low
temperature.  So the case is short (300 moves), its floor of 0.6 energy units
keeps the sigmoid gentle (the floor is reached once, near move 120, so
`min_temp` gets a derivative too), and the step h is chosen per parameter
from a scan: the h where consecutive differences agree best, away from both
truncation error (large h) and rounding error (small h).
"""

from __future__ import annotations

import pytest

import sxc

PROGRAM = """
use simplex_training::{LearnableSchedule, MetaOptimizer};

fn objective(x: &[dual]) -> dual {
    let mut total = dual::constant(10.0 * x.len() as f64);
    for v in x.iter() {
        total = total + v * v - 10.0 * (6.283185307179586 * v).cos();
    }
    total
}

fn base() -> LearnableSchedule {
    LearnableSchedule::from_values([2.0, 0.01, 0.6, 150.0, 0.3, 0.1, 0.05, 0.1])
}

fn meta() -> MetaOptimizer {
    MetaOptimizer::new(base(), objective).inner_steps(300).with_step_size(0.3)
        .with_start(start()).estimator("pathwise").runs(2)
}

fn start() -> Vec<f64> {
    vec![2.5, -1.5, 0.8]
}

fn loss_at(k: i64, h: f64) -> f64 {
    let mut v = base().values();
    v[k as usize] = v[k as usize] + h;
    let m = meta();
    let mut total = 0.0;
    let mut r: u64 = 0;
    while r < 2 {
        total += m.run_once(LearnableSchedule::from_values(v), m.run_seed(0, r), false).val;
        r += 1;
    }
    total / 2.0
}

fn gradient(k: i64) -> f64 {
    meta().estimate(0).meta_gradient[k as usize]
}

fn loss() -> f64 {
    meta().estimate(0).final_loss
}
"""

NAMES = ["initial_temp", "cool_rate", "min_temp", "reheat_threshold", "reheat_intensity",
         "oscillation_amp", "oscillation_freq", "accept_threshold"]
VALUES = [2.0, 0.01, 0.6, 150.0, 0.3, 0.1, 0.05, 0.1]


@pytest.fixture(scope="module")
def module():
    return sxc.compile(PROGRAM, mode="train")


def _scan(module, k: int) -> tuple[float, float]:
    """Return (h, central difference) at the most stable step of the scan."""
    scale = max(abs(VALUES[k]), 1e-3)
    steps = [scale * 10.0 ** -j for j in range(2, 10)]
    diffs = [(module.loss_at(k, h) - module.loss_at(k, -h)) / (2 * h) for h in steps]
    best = min(range(len(diffs) - 1),
               key=lambda i: abs(diffs[i] - diffs[i + 1]) / max(abs(diffs[i]), 1e-300))
    return steps[best], diffs[best]


def test_run_matches_step_loss(module):
    assert module.loss_at(0, 0.0) == module.loss()


@pytest.mark.parametrize("k", range(8), ids=NAMES)
def test_meta_gradient_component(module, k):
    grad = module.gradient(k)
    h, fd = _scan(module, k)
    print(f"{NAMES[k]}: meta_gradient {grad:.10g}  central difference {fd:.10g} (h={h:.1e})")
    if fd == 0.0:
        assert grad == 0.0
        return
    assert abs(grad - fd) <= 1e-4 * abs(fd), f"{NAMES[k]}: {grad} vs {fd} (h={h})"


@pytest.mark.parametrize("k", range(8), ids=NAMES)
def test_meta_gradient_is_nonzero(module, k):
    assert module.gradient(k) != 0.0, f"{NAMES[k]} has no derivative in this case"
