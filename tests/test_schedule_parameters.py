"""The raw coordinates of `LearnableSchedule` and the meta-optimizer's updates.

Every point of the raw coordinates must be a valid schedule, the round trip
must return the values, and an update of any size must keep the parameters
valid.  Adam's first step moves each raw coordinate by the learning rate.
"""

import math

import numpy as np
import pytest

import sxc

PROGRAM = """
use simplex_training::{LearnableSchedule, MetaOptimizer};

fn objective(x: &[dual]) -> dual { x[0] * x[0] }

fn schedule_of(v: &[f64]) -> LearnableSchedule {
    LearnableSchedule::from_values([v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]])
}

fn round_trip(v: &[f64], out: &mut [f64]) {
    let z = schedule_of(v).raw();
    let back = LearnableSchedule::from_raw(z).values();
    for k in 0..8 {
        out[k] = back[k];
        out[8 + k] = z[k];
    }
}

fn from_raw(z: &[f64], out: &mut [f64]) {
    let v = LearnableSchedule::from_raw([z[0], z[1], z[2], z[3], z[4], z[5], z[6], z[7]])
        .values();
    for k in 0..8 {
        out[k] = v[k];
    }
}

/// One update of `v` against `grad` (Adam when `adam`), the new values into `out`.
fn updated(v: &[f64], grad: &[f64], lr: f64, adam: bool, out: &mut [f64]) {
    let mut m = MetaOptimizer::new(schedule_of(v), objective).meta_learning_rate(lr);
    if !adam {
        m = m.sgd();
    }
    let g = [grad[0], grad[1], grad[2], grad[3], grad[4], grad[5], grad[6], grad[7]];
    m.apply_gradient(&g);
    let next = m.schedule.values();
    for k in 0..8 {
        out[k] = next[k];
    }
}
"""

DEFAULT = np.array([0.3, 1e-5, 0.001, 200000.0, 0.2, 0.0, 0.01, 0.0])
POSITIVE = [0, 1, 2, 3, 6]


@pytest.fixture(scope="module")
def module():
    return sxc.compile(PROGRAM, mode="release")


def test_raw_round_trip(module):
    out = np.zeros(16)
    values = np.array([2.0, 0.01, 0.6, 150.0, 0.3, -0.1, 0.05, 0.02])
    module.round_trip(values, out)
    assert np.allclose(out[:8], values, rtol=1e-14, atol=1e-17)
    assert out[8] == math.log(2.0)
    assert math.isclose(out[12], math.log(0.3 / 0.7), rel_tol=1e-14)
    assert math.isclose(out[13], -1.0, rel_tol=1e-14)
    assert math.isclose(out[15], 2.0, rel_tol=1e-14)


@pytest.mark.parametrize("z", [-800.0, -30.0, 0.0, 30.0, 800.0])
def test_every_raw_point_is_valid(module, z):
    out = np.zeros(8)
    module.from_raw(np.full(8, z), out)
    assert all(out[k] >= 0.0 and math.isfinite(out[k]) for k in POSITIVE)
    assert 0.0 <= out[4] <= 1.0
    assert math.isfinite(out[5])
    assert math.isfinite(out[7])


@pytest.mark.parametrize("adam", [True, False], ids=["adam", "sgd"])
@pytest.mark.parametrize("scale", [1e-30, 1.0, 1e30])
def test_updates_keep_parameters_valid(module, adam, scale):
    out = np.zeros(8)
    grad = scale * np.array([1.0, -1.0, 1.0, -1.0, 1.0, -1.0, 1.0, -1.0])
    module.updated(DEFAULT, grad, 0.5, adam, out)
    assert all(out[k] > 0.0 and math.isfinite(out[k]) for k in POSITIVE)
    assert 0.0 < out[4] < 1.0
    if scale >= 1.0:
        assert out[0] < DEFAULT[0]
        assert out[1] > DEFAULT[1]


def test_adam_first_step_is_the_learning_rate(module):
    out = np.zeros(8)
    grad = np.array([3.0, -7e6, 0.0, 1e-3, 2.0, 5.0, 0.0, -4.0])
    module.updated(DEFAULT, grad, 0.05, True, out)
    assert math.isclose(math.log(out[0] / DEFAULT[0]), -0.05, rel_tol=1e-9)
    assert math.isclose(math.log(out[1] / DEFAULT[1]), 0.05, rel_tol=1e-9)
    assert out[2] == DEFAULT[2]  # a zero gradient keeps the value exactly
    assert math.isclose(math.log(out[3] / DEFAULT[3]), -0.05, rel_tol=1e-9)
    assert math.isclose(out[5], -0.05 * 0.1, rel_tol=1e-9)
    assert out[6] == DEFAULT[6]
    assert math.isclose(out[7], 0.05 * 0.01, rel_tol=1e-9)
