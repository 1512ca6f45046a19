"""`simplex_training`: the schedule's formula and the validity of `update`."""

from __future__ import annotations

import math

import pytest

import sxc

PROGRAM = """
use simplex_training::{LearnableSchedule};

fn temperature(step: u64) -> f64 {
    LearnableSchedule::default().temperature(step).val
}

fn after_update(k: i64, g: f64, lr: f64, i: i64) -> f64 {
    let mut s = LearnableSchedule::default();
    let mut grad = [0.0; 8];
    grad[k as usize] = g;
    s.update(&grad, lr);
    s.values()[i as usize]
}

fn after_design_update(g: f64) -> f64 {
    // the one-argument form, with a gradient of the start value only
    let mut s = LearnableSchedule::default();
    let mut grad = [0.0; 8];
    grad[0] = g;
    s.update(grad);
    s.initial_temp.val
}

fn default_value(i: i64) -> f64 {
    LearnableSchedule::default().values()[i as usize]
}
"""

DEFAULTS = [0.3, 0.00001, 0.001, 200000.0, 0.2, 0.0, 0.01, 0.0]


@pytest.fixture(scope="module")
def lib():
    return sxc.compile(PROGRAM, mode="train")


def test_defaults(lib):
    assert [lib.default_value(i) for i in range(8)] == DEFAULTS


@pytest.mark.parametrize("step", [0, 1000, 100000, 10 ** 6])
def test_temperature_formula(lib, step):
    t0, alpha, tmin = DEFAULTS[0], DEFAULTS[1], DEFAULTS[2]
    expected = max(t0 * math.exp(-alpha * step), tmin)
    assert lib.temperature(step) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("k", range(8))
def test_update_moves_only_its_parameter(lib, k):
    for i in range(8):
        after = lib.after_update(k, 1.0, 0.1, i)
        if i == k and DEFAULTS[k] != 0.0 or (i == k and k == 7):
            assert after != DEFAULTS[i], f"parameter {k} did not move"
        elif i != k:
            assert after == DEFAULTS[i], f"parameter {i} moved for a gradient in {k}"


@pytest.mark.parametrize("k", [0, 1, 2, 3, 6])
@pytest.mark.parametrize("g", [1e9, -1e9])
def test_update_keeps_positive(lib, k, g):
    after = lib.after_update(k, g, 1.0, k)
    assert after > 0.0
    # each step is clipped to 0.5 in log space
    assert math.exp(-0.5) - 1e-12 <= after / DEFAULTS[k] <= math.exp(0.5) + 1e-12


@pytest.mark.parametrize("g", [1e9, -1e9])
def test_update_keeps_intensity_in_unit_interval(lib, g):
    after = lib.after_update(4, g, 1.0, 4)
    assert 0.0 < after < 1.0


def test_update_descends(lib):
    assert lib.after_update(0, 1.0, 0.1, 0) < DEFAULTS[0]
    assert lib.after_update(7, 1.0, 0.1, 7) < DEFAULTS[7]


def test_update_one_argument_default_rate():
    # T0 moves in log space: ln T0' = ln T0 - 0.05 * g * T0, with 0.05 the
    # default learning rate of MetaOptimizer
    lib = sxc.compile(PROGRAM, mode="train")
    t0 = DEFAULTS[0]
    for g in (1.0, -2.0):
        assert lib.after_design_update(g) == pytest.approx(t0 * math.exp(-0.05 * g * t0),
                                                           rel=1e-14)
