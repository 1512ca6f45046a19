"""The soft pass: blends in train mode, one sampled hard branch in release,
and a single comparison under `--hard threshold` (read from `--emit llvm`)."""

from __future__ import annotations

import math
import re

import pytest

import sxc
from conftest import run_sxc

ACCEPT = """
use simplex_training::{soft_accept};

fn decide(de: f64, t: f64, tau: f64) -> f64 {
    if soft_accept(dual::constant(de), dual::constant(t), dual::constant(tau)) { 1.0 } else { 0.0 }
}
"""


def _function_ir(ir: str, name: str) -> str:
    match = re.search(r'define [^\n]*@"?' + re.escape(name) + r'"?\(.*?\n}\n', ir, re.S)
    assert match is not None, f"{name} not found in the IR"
    return match.group(0)


@pytest.fixture
def accept_file(tmp_path):
    path = tmp_path / "accept.sx"
    path.write_text(ACCEPT)
    return path


def test_release_ir_has_no_sigmoid(accept_file):
    result = run_sxc("run", str(accept_file), "--mode", "release", "--emit", "llvm")
    assert result.returncode == 0, result.stderr
    body = _function_ir(result.stdout, "__sx_export.decide")
    assert "llvm.exp" not in result.stdout, "an exponential survived release mode"
    assert "sigmoid" not in result.stdout
    assert "fcmp olt" in body
    assert "llvm.log" in body, "the sampled test compares with tau + t ln((1 - u) / u)"


def test_hard_threshold_is_one_comparison(accept_file):
    result = run_sxc("run", str(accept_file), "--mode", "release", "--hard", "threshold",
                     "--emit", "llvm")
    assert result.returncode == 0, result.stderr
    body = _function_ir(result.stdout, "__sx_export.decide")
    assert "llvm.exp" not in result.stdout
    assert "llvm.log" not in result.stdout
    assert body.count("fcmp") == 1, body


def test_train_ir_blends(accept_file):
    result = run_sxc("run", str(accept_file), "--mode", "train", "--emit", "llvm")
    assert result.returncode == 0, result.stderr
    assert "llvm.exp" in result.stdout


@pytest.mark.parametrize("de, t, tau", [(1.0, 2.0, 0.0), (-3.0, 0.5, 0.2), (0.0, 1.0, 0.0)])
def test_train_blend_value(de, t, tau):
    m = sxc.compile(ACCEPT, mode="train")
    p = 1.0 / (1.0 + math.exp(-(tau - de) / t))
    assert m.decide(de, t, tau) == pytest.approx(p, rel=1e-12)


@pytest.mark.parametrize("de, t, tau, expected", [(1.0, 2.0, 0.0, 0.0), (-1.0, 2.0, 0.0, 1.0),
                                                  (0.5, 2.0, 1.0, 1.0)])
def test_hard_threshold_value(de, t, tau, expected):
    m = sxc.compile(ACCEPT, mode="release", hard="threshold")
    assert m.decide(de, t, tau) == expected


def test_release_samples_with_probability_p():
    m = sxc.compile(ACCEPT, mode="release", seed=7)
    de, t = 1.0, 2.0
    p = 1.0 / (1.0 + math.exp(de / t))
    n = 20000
    taken = sum(m.decide(de, t, 0.0) for _ in range(n))
    # binomial standard error is sqrt(p (1 - p) / n), about 0.0034 here
    assert abs(taken / n - p) < 5 * math.sqrt(p * (1 - p) / n)


def test_release_is_reproducible():
    a = sxc.compile(ACCEPT, mode="release", seed=3)
    b = sxc.compile(ACCEPT, mode="release", seed=3)
    draws_a = [a.decide(0.3, 1.0, 0.0) for _ in range(200)]
    draws_b = [b.decide(0.3, 1.0, 0.0) for _ in range(200)]
    assert draws_a == draws_b


EDGE = """
fn pick(z: f64) -> dual {
    let p = dual::constant(z).sigmoid();
    if p { dual::constant(f64::INFINITY) } else { dual::variable(2.0) }
}
"""


def test_certain_branch_ignores_other_arm():
    m = sxc.compile(EDGE, mode="train")
    # p is exactly 0, so the infinite arm is not taken and cannot make NaN
    result = m.pick(-800.0)
    assert result.val == 2.0
    assert result.der == 1.0


BLEND = """
fn blend(z: f64, a: f64, b: f64) -> dual {
    let p = dual::variable(z).sigmoid();
    if p { dual::constant(a) } else { dual::constant(b) }
}
"""


def test_blend_derivative():
    m = sxc.compile(BLEND, mode="train")
    z, a, b = 0.3, 5.0, 2.0
    p = 1.0 / (1.0 + math.exp(-z))
    result = m.blend(z, a, b)
    assert result.val == pytest.approx(p * a + (1 - p) * b, rel=1e-12)
    assert result.der == pytest.approx(p * (1 - p) * (a - b), rel=1e-12)


SAMPLED = """
fn count(z: f64, n: i64) -> i64 {
    let mut total = 0;
    for _k in 0..n {
        let p = dual::constant(z).sigmoid();
        let taken: i64 = if p { 1 } else { 0 };
        total += taken;
    }
    total
}
"""


def test_train_samples_what_cannot_blend():
    m = sxc.compile(SAMPLED, mode="train", seed=11)
    n = 20000
    p = 1.0 / (1.0 + math.exp(-0.4))
    frac = m.count(0.4, n) / n
    assert abs(frac - p) < 5 * math.sqrt(p * (1 - p) / n)
