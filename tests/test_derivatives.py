"""Tangent rules of `dual` (sxc/derivatives.py) in compiled code.

Each rule is checked at ordinary points against a closed-form derivative
written here with `math`, and against central finite differences of `.val`.
Points where the derivative does not exist follow JAX's `jvp`, and each test
of such a point states its convention.  One program contains one function per
rule.  The `r_<name>` functions cover the table, and the `x_*` functions cover
operand shapes that the table has no rule for.
"""

from __future__ import annotations

import math
import re

import pytest

import sxc
from sxc import Dual
from sxc.derivatives import CONSTANT_RULES, DERIVATIVES, helper_source

INF = math.inf
NAN = math.nan
LN2 = math.log(2.0)
LN10 = math.log(10.0)

# Closed forms match the compiled tangent to a few ulps, so 1e-12 is generous.
EXACT_REL = 1e-12
EXACT_ABS = 1e-15
# A central difference with h = 1e-6 * max(1, |x|) has a truncation error of
# about h^2 * f''' / 6 and a rounding error of about 1e-16 * |f| / h.
FD_REL = 1e-6
FD_ABS = 1e-8


def _sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    return math.exp(x) / (1.0 + math.exp(x))


def _sigmoid_slope(x: float) -> float:
    # e^-|x| / (1 + e^-|x|)^2, which is even in x and never overflows
    t = math.exp(-abs(x))
    return t / (1.0 + t) ** 2


def _round(x: float) -> float:
    # Rust's f64::round rounds half away from zero, but Python's round() rounds half to even.
    return math.copysign(math.floor(abs(x) + 0.5), x)


def _relu(x: float) -> float:
    return x if x > 0.0 else 0.0


# name: (.sx expression of x, value, derivative, ordinary points)
UNARY = {
    "neg": ("-x", lambda x: -x, lambda x: -1.0, (-1.5, 0.3, 2.0)),
    "abs": ("x.abs()", abs, lambda x: math.copysign(1.0, x), (-2.5, 0.7, 3.0)),
    "sqrt": ("x.sqrt()", math.sqrt, lambda x: 0.5 / math.sqrt(x), (0.25, 2.0, 9.0)),
    "cbrt": ("x.cbrt()", math.cbrt, lambda x: abs(x) ** (-2.0 / 3.0) / 3.0,
             (-8.0, 0.5, 27.0)),
    "exp": ("x.exp()", math.exp, math.exp, (-1.0, 0.5, 2.0)),
    "exp2": ("x.exp2()", lambda x: 2.0 ** x, lambda x: LN2 * 2.0 ** x, (-1.5, 0.5, 3.0)),
    "ln": ("x.ln()", math.log, lambda x: 1.0 / x, (0.5, 1.5, 10.0)),
    "log2": ("x.log2()", math.log2, lambda x: 1.0 / (LN2 * x), (0.5, 1.5, 10.0)),
    "log10": ("x.log10()", math.log10, lambda x: 1.0 / (LN10 * x), (0.5, 1.5, 10.0)),
    "sin": ("x.sin()", math.sin, math.cos, (-1.0, 0.4, 2.5)),
    "cos": ("x.cos()", math.cos, lambda x: -math.sin(x), (-1.0, 0.4, 2.5)),
    "tan": ("x.tan()", math.tan, lambda x: 1.0 / math.cos(x) ** 2, (-1.0, 0.4, 1.2)),
    "asin": ("x.asin()", math.asin, lambda x: 1.0 / math.sqrt(1.0 - x * x),
             (-0.6, 0.3, 0.9)),
    "acos": ("x.acos()", math.acos, lambda x: -1.0 / math.sqrt(1.0 - x * x),
             (-0.6, 0.3, 0.9)),
    "atan": ("x.atan()", math.atan, lambda x: 1.0 / (1.0 + x * x), (-2.0, 0.3, 5.0)),
    "sinh": ("x.sinh()", math.sinh, math.cosh, (-1.5, 0.3, 3.0)),
    "cosh": ("x.cosh()", math.cosh, math.sinh, (-1.5, 0.3, 3.0)),
    "tanh": ("x.tanh()", math.tanh, lambda x: 1.0 / math.cosh(x) ** 2, (-1.2, 0.5, 2.0)),
    "sigmoid": ("x.sigmoid()", _sigmoid, _sigmoid_slope, (-3.0, 0.5, 4.0)),
    "softplus": ("x.softplus()", lambda x: math.log1p(math.exp(x)), _sigmoid,
                 (-3.0, 0.5, 4.0)),
    "relu": ("x.relu()", _relu, lambda x: 1.0 if x > 0.0 else 0.0, (-1.5, 0.5, 2.0)),
    "recip": ("x.recip()", lambda x: 1.0 / x, lambda x: -1.0 / (x * x), (-2.0, 0.5, 4.0)),
    "floor": ("x.floor()", math.floor, lambda x: 0.0, (-2.7, 0.4, 1.3)),
    "ceil": ("x.ceil()", math.ceil, lambda x: 0.0, (-2.7, 0.4, 1.3)),
    "round": ("x.round()", _round, lambda x: 0.0, (-2.7, 0.4, 1.7)),
    "trunc": ("x.trunc()", math.trunc, lambda x: 0.0, (-2.7, 0.4, 1.3)),
    "signum": ("x.signum()", lambda x: math.copysign(1.0, x), lambda x: 0.0,
               (-2.7, 0.4, 1.3)),
}


def _atan2_grad(x: float, y: float) -> tuple[float, float]:
    # atan2(x, y) is the angle of the point (y, x), as in Rust's x.atan2(y)
    s = x * x + y * y
    return y / s, -x / s


# name: (.sx expression of x and y, value, (df/dx, df/dy), ordinary points)
BINARY = {
    "add": ("x + y", lambda x, y: x + y, lambda x, y: (1.0, 1.0),
            ((1.5, -0.5), (-2.0, 3.0), (0.3, 4.0))),
    "sub": ("x - y", lambda x, y: x - y, lambda x, y: (1.0, -1.0),
            ((1.5, -0.5), (-2.0, 3.0), (0.3, 4.0))),
    "mul": ("x * y", lambda x, y: x * y, lambda x, y: (y, x),
            ((1.5, -0.5), (-2.0, 3.0), (0.3, 4.0))),
    "div": ("x / y", lambda x, y: x / y, lambda x, y: (1.0 / y, -x / (y * y)),
            ((1.5, -0.5), (-2.0, 3.0), (0.3, 4.0))),
    # Rust's `%` on floats is C's fmod, so the result has the sign of x and |result| < |y|
    "rem": ("x % y", math.fmod, lambda x, y: (1.0, -math.trunc(x / y)),
            ((5.5, 1.5), (-5.5, 1.5), (5.5, -2.0), (0.3, 4.0))),
    "powf": ("x.powf(y)", math.pow,
             lambda x, y: (y * x ** (y - 1.0), math.log(x) * x ** y),
             ((1.5, 2.5), (0.5, -1.3), (3.0, 0.5))),
    "atan2": ("x.atan2(y)", math.atan2, _atan2_grad,
              ((1.0, 2.0), (-1.5, 0.5), (0.3, -2.0), (-1.0, -1.0))),
    "hypot": ("x.hypot(y)", math.hypot,
              lambda x, y: (x / math.hypot(x, y), y / math.hypot(x, y)),
              ((3.0, 4.0), (-1.5, 0.5), (0.3, -2.0))),
    "max": ("x.max(y)", max, lambda x, y: (1.0, 0.0) if x > y else (0.0, 1.0),
            ((1.5, -0.5), (-2.0, 3.0), (0.3, 0.4))),
    "min": ("x.min(y)", min, lambda x, y: (1.0, 0.0) if x < y else (0.0, 1.0),
            ((1.5, -0.5), (-2.0, 3.0), (0.3, 0.4))),
}

# Operations with one f64 operand `c`.  A name that starts with `c_` has the
# constant on the left, and its function takes `(c: f64, x: dual)`.
# name: (.sx expression of x and c, value, d/dx, ordinary points (x, c))
CONSTANT = {
    "add_c": ("x + c", lambda x, c: x + c, lambda x, c: 1.0,
              ((1.5, 2.0), (-0.7, -3.0), (4.0, 0.5))),
    "c_add": ("c + x", lambda x, c: c + x, lambda x, c: 1.0,
              ((1.5, 2.0), (-0.7, -3.0), (4.0, 0.5))),
    "sub_c": ("x - c", lambda x, c: x - c, lambda x, c: 1.0,
              ((1.5, 2.0), (-0.7, -3.0), (4.0, 0.5))),
    "c_sub": ("c - x", lambda x, c: c - x, lambda x, c: -1.0,
              ((1.5, 2.0), (-0.7, -3.0), (4.0, 0.5))),
    "mul_c": ("x * c", lambda x, c: x * c, lambda x, c: c,
              ((1.5, 2.0), (-0.7, -3.0), (4.0, 0.5))),
    "c_mul": ("c * x", lambda x, c: c * x, lambda x, c: c,
              ((1.5, 2.0), (-0.7, -3.0), (4.0, 0.5))),
    "div_c": ("x / c", lambda x, c: x / c, lambda x, c: 1.0 / c,
              ((1.5, 2.0), (-0.7, -3.0), (4.0, 0.5))),
    "c_div": ("c / x", lambda x, c: c / x, lambda x, c: -c / (x * x),
              ((1.5, 2.0), (-0.7, -3.0), (4.0, 0.5))),
    "rem_c": ("x % c", math.fmod, lambda x, c: 1.0,
              ((5.5, 1.5), (-5.5, 1.5), (0.3, 4.0), (7.25, -2.0))),
    "c_rem": ("c % x", lambda x, c: math.fmod(c, x), lambda x, c: -math.trunc(c / x),
              ((1.5, 5.5), (1.5, -5.5), (-2.0, 5.5), (4.0, 0.3))),
    # (-2, 3) is smooth for a constant exponent, although ln(-2) is NaN
    "powf_c": ("x.powf(c)", math.pow, lambda x, c: c * x ** (c - 1.0),
               ((1.5, 2.5), (0.5, -1.3), (3.0, 0.5), (-2.0, 3.0))),
    # a constant base: d/dx c^x = ln(c) c^x
    "c_powf": ("c.powf(x)", lambda x, c: c ** x, lambda x, c: math.log(c) * c ** x,
               ((1.5, 2.5), (-0.5, 3.0), (2.0, 0.5))),
}

# Rules that are not in the two tables: `__dual_powi` and `__dual_clamp`.
POWI_POINTS = ((1.5, 3), (-2.0, 2), (0.5, -2), (-1.3, 5), (2.0, 1))
# (x, lo, hi) strictly inside, below and above the interval
CLAMP_POINTS = ((0.5, 0.0, 1.0), (-1.0, 0.0, 1.0), (2.0, 0.0, 1.0), (0.3, -2.0, -1.0))

TESTED = set(UNARY) | set(BINARY) | set(CONSTANT) | {"powi", "clamp"}
LANE_HELPERS = {"lane", "unit", "clip_tangent", "clip_lane", "const", "new", "der"}


def _constant_first(name: str) -> bool:
    return name.startswith("c_")


def _program() -> str:
    lines = []
    for name, (body, *_) in UNARY.items():
        lines.append(f"fn r_{name}(x: dual) -> dual {{ {body} }}")
    for name, (body, *_) in BINARY.items():
        lines.append(f"fn r_{name}(x: dual, y: dual) -> dual {{ {body} }}")
    for name, (body, *_) in CONSTANT.items():
        params = "c: f64, x: dual" if _constant_first(name) else "x: dual, c: f64"
        lines.append(f"fn r_{name}({params}) -> dual {{ {body} }}")
    lines.append("fn r_powi(x: dual, n: i32) -> dual { x.powi(n) }")
    lines.append("fn r_clamp(x: dual, lo: dual, hi: dual) -> dual { x.clamp(lo, hi) }")
    # the same through a plain f64 variable as the base
    lines.append("fn x_c_powf(c: f64, y: dual) -> dual { c.powf(y) }")
    return "\n".join(lines) + "\n"


SOURCE = _program()


@pytest.fixture(scope="module")
def train():
    return sxc.compile(SOURCE, mode="train", opt_level=2)


@pytest.fixture(scope="module")
def release():
    return sxc.compile(SOURCE, mode="release", opt_level=2)


def _central_difference(f, point, seed) -> float:
    """Return the derivative of `f` at `point` along `seed` by central differences."""
    moved = [abs(p) for p, s in zip(point, seed) if s != 0.0]
    h = 1e-6 * max([1.0] + moved)
    ahead = f(*[p + h * s for p, s in zip(point, seed)])
    behind = f(*[p - h * s for p, s in zip(point, seed)])
    return (ahead - behind) / (2.0 * h)


def _matches(got: float, expected: float) -> bool:
    """Compare special values: NaN matches NaN, an infinity needs the same sign."""
    if math.isnan(expected):
        return math.isnan(got)
    if math.isinf(expected):
        return got == expected
    return math.isclose(got, expected, rel_tol=EXACT_REL, abs_tol=0.0)


# ---------------------------------------------------------------- coverage


def test_table_coverage():
    table = set(DERIVATIVES) | set(CONSTANT_RULES) | {"powi", "clamp"}
    assert TESTED == table, (f"rules without a test: {sorted(table - TESTED)}, "
                             f"tests without a rule: {sorted(TESTED - table)}")


def test_helper_coverage():
    # `__dual_blend` implements soft branches, which are not a method on dual;
    # the lane accessors are tested in test_lanes.py.
    helpers = set(re.findall(r"fn __dual_(\w+)\(", helper_source())) - {"blend"} - LANE_HELPERS
    assert helpers == TESTED, (f"helpers without a test: {sorted(helpers - TESTED)}, "
                               f"tests without a helper: {sorted(TESTED - helpers)}")


# ---------------------------------------------------------------- unary rules

UNARY_CASES = [pytest.param(name, x, seed, id=f"{name}({x})*{seed}")
               for name, (_, _, _, points) in UNARY.items()
               for x in points for seed in (1.0, -2.5)]


@pytest.mark.parametrize("name, x, seed", UNARY_CASES)
def test_unary(train, name, x, seed):
    got = getattr(train, f"r_{name}")(Dual(x, seed)).der
    expected = seed * UNARY[name][2](x)
    assert math.isclose(got, expected, rel_tol=EXACT_REL, abs_tol=EXACT_ABS), (
        f"{name}({x}) with tangent {seed}: got der {got!r}, expected {expected!r}")


@pytest.mark.parametrize("name, x, seed", UNARY_CASES)
def test_unary_fd(train, name, x, seed):
    fn = getattr(train, f"r_{name}")
    got = fn(Dual(x, seed)).der
    fd = _central_difference(lambda v: fn(Dual(v, 0.0)).val, (x,), (seed,))
    assert math.isclose(got, fd, rel_tol=FD_REL, abs_tol=FD_ABS), (
        f"{name}({x}) with tangent {seed}: got der {got!r}, finite difference {fd!r}")


@pytest.mark.parametrize("name, x", [pytest.param(name, x, id=f"{name}({x})")
                                     for name, (_, _, _, points) in UNARY.items()
                                     for x in points])
def test_unary_value(train, name, x):
    got = getattr(train, f"r_{name}")(Dual(x, 1.0)).val
    expected = UNARY[name][1](x)
    assert math.isclose(got, expected, rel_tol=EXACT_REL, abs_tol=0.0), (
        f"{name}({x}): got val {got!r}, expected {expected!r}")


# ---------------------------------------------------------------- binary rules

# both partial derivatives, then a combination of the two
SEEDS2 = ((1.0, 0.0), (0.0, 1.0), (0.7, -1.3))
BINARY_CASES = [pytest.param(name, x, y, dx, dy, id=f"{name}({x},{y})*({dx},{dy})")
                for name, (_, _, _, points) in BINARY.items()
                for x, y in points for dx, dy in SEEDS2]


@pytest.mark.parametrize("name, x, y, dx, dy", BINARY_CASES)
def test_binary(train, name, x, y, dx, dy):
    got = getattr(train, f"r_{name}")(Dual(x, dx), Dual(y, dy)).der
    fx, fy = BINARY[name][2](x, y)
    expected = dx * fx + dy * fy
    assert math.isclose(got, expected, rel_tol=EXACT_REL, abs_tol=EXACT_ABS), (
        f"{name}({x}, {y}) with tangents ({dx}, {dy}): got der {got!r}, "
        f"expected {expected!r}")


@pytest.mark.parametrize("name, x, y, dx, dy", BINARY_CASES)
def test_binary_fd(train, name, x, y, dx, dy):
    fn = getattr(train, f"r_{name}")
    got = fn(Dual(x, dx), Dual(y, dy)).der
    fd = _central_difference(lambda v, w: fn(Dual(v, 0.0), Dual(w, 0.0)).val,
                             (x, y), (dx, dy))
    assert math.isclose(got, fd, rel_tol=FD_REL, abs_tol=FD_ABS), (
        f"{name}({x}, {y}) with tangents ({dx}, {dy}): got der {got!r}, "
        f"finite difference {fd!r}")


@pytest.mark.parametrize("name, x, y", [pytest.param(name, x, y, id=f"{name}({x},{y})")
                                        for name, (_, _, _, points) in BINARY.items()
                                        for x, y in points])
def test_binary_value(train, name, x, y):
    got = getattr(train, f"r_{name}")(Dual(x, 1.0), Dual(y, 1.0)).val
    expected = BINARY[name][1](x, y)
    assert math.isclose(got, expected, rel_tol=EXACT_REL, abs_tol=0.0), (
        f"{name}({x}, {y}): got val {got!r}, expected {expected!r}")


# ---------------------------------------------------------------- constant operand


def _call_constant(module, name: str, x: Dual, c: float) -> Dual:
    fn = getattr(module, f"r_{name}")
    return fn(c, x) if _constant_first(name) else fn(x, c)


CONSTANT_CASES = [pytest.param(name, x, c, seed, id=f"{name}({x},{c})*{seed}")
                  for name, (_, _, _, points) in CONSTANT.items()
                  for x, c in points for seed in (1.0, -2.5)]


@pytest.mark.parametrize("name, x, c, seed", CONSTANT_CASES)
def test_constant(train, name, x, c, seed):
    got = _call_constant(train, name, Dual(x, seed), c).der
    expected = seed * CONSTANT[name][2](x, c)
    assert math.isclose(got, expected, rel_tol=EXACT_REL, abs_tol=EXACT_ABS), (
        f"{name}(x={x}, c={c}) with tangent {seed}: got der {got!r}, "
        f"expected {expected!r}")


@pytest.mark.parametrize("name, x, c, seed", CONSTANT_CASES)
def test_constant_fd(train, name, x, c, seed):
    got = _call_constant(train, name, Dual(x, seed), c).der
    fd = _central_difference(lambda v: _call_constant(train, name, Dual(v, 0.0), c).val,
                             (x,), (seed,))
    assert math.isclose(got, fd, rel_tol=FD_REL, abs_tol=FD_ABS), (
        f"{name}(x={x}, c={c}) with tangent {seed}: got der {got!r}, "
        f"finite difference {fd!r}")


@pytest.mark.parametrize("name, x, c", [pytest.param(name, x, c, id=f"{name}({x},{c})")
                                        for name, (_, _, _, points) in CONSTANT.items()
                                        for x, c in points])
def test_constant_value(train, name, x, c):
    got = _call_constant(train, name, Dual(x, 1.0), c).val
    expected = CONSTANT[name][1](x, c)
    assert math.isclose(got, expected, rel_tol=EXACT_REL, abs_tol=0.0), (
        f"{name}(x={x}, c={c}): got val {got!r}, expected {expected!r}")


# ---------------------------------------------------------------- powi and clamp

POWI_CASES = [pytest.param(x, n, seed, id=f"powi({x},{n})*{seed}")
              for x, n in POWI_POINTS for seed in (1.0, -2.5)]


@pytest.mark.parametrize("x, n, seed", POWI_CASES)
def test_powi(train, x, n, seed):
    got = train.r_powi(Dual(x, seed), n).der
    expected = seed * n * x ** (n - 1)
    assert math.isclose(got, expected, rel_tol=EXACT_REL, abs_tol=EXACT_ABS), (
        f"powi({x}, {n}) with tangent {seed}: got der {got!r}, expected {expected!r}")


@pytest.mark.parametrize("x, n, seed", POWI_CASES)
def test_powi_fd(train, x, n, seed):
    got = train.r_powi(Dual(x, seed), n).der
    fd = _central_difference(lambda v: train.r_powi(Dual(v, 0.0), n).val, (x,), (seed,))
    assert math.isclose(got, fd, rel_tol=FD_REL, abs_tol=FD_ABS), (
        f"powi({x}, {n}) with tangent {seed}: got der {got!r}, finite difference {fd!r}")


def _clamp_grad(x: float, lo: float, hi: float) -> tuple[float, float, float]:
    if x < lo:
        return 0.0, 1.0, 0.0
    if x > hi:
        return 0.0, 0.0, 1.0
    return 1.0, 0.0, 0.0


SEEDS3 = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0), (0.7, -1.3, 2.1))
CLAMP_CASES = [pytest.param(point, seed, id=f"clamp{point}*{seed}")
               for point in CLAMP_POINTS for seed in SEEDS3]


@pytest.mark.parametrize("point, seed", CLAMP_CASES)
def test_clamp(train, point, seed):
    got = train.r_clamp(*[Dual(p, s) for p, s in zip(point, seed)]).der
    expected = sum(s * g for s, g in zip(seed, _clamp_grad(*point)))
    assert math.isclose(got, expected, rel_tol=EXACT_REL, abs_tol=EXACT_ABS), (
        f"clamp{point} with tangents {seed}: got der {got!r}, expected {expected!r}")


@pytest.mark.parametrize("point, seed", CLAMP_CASES)
def test_clamp_fd(train, point, seed):
    got = train.r_clamp(*[Dual(p, s) for p, s in zip(point, seed)]).der
    fd = _central_difference(lambda *p: train.r_clamp(*[Dual(v, 0.0) for v in p]).val,
                             point, seed)
    assert math.isclose(got, fd, rel_tol=FD_REL, abs_tol=FD_ABS), (
        f"clamp{point} with tangents {seed}: got der {got!r}, finite difference {fd!r}")


@pytest.mark.parametrize("x, lo, hi", [(0.0, 0.0, 1.0), (1.0, 0.0, 1.0)])
def test_clamp_edge(train, x, lo, hi):
    """At x == lo or x == hi, clamp returns x, so x's tangent passes through.

    NOTE: this is the behaviour of `__dual_clamp`, which documents no
    convention. JAX's lax.clamp gives tangent 0 for every operand at an edge,
    and jnp.clip splits the tangent evenly as max and min do.
    """
    got = train.r_clamp(Dual(x, 1.0), Dual(lo, 10.0), Dual(hi, 100.0)).der
    assert got == 1.0, f"clamp({x}, {lo}, {hi}) with tangents (1, 10, 100): got der {got!r}"


# ---------------------------------------------------------------- special points


@pytest.mark.parametrize("x", [0.0, -0.0])
@pytest.mark.parametrize("seed", [1.0, -2.0])
def test_abs_zero(train, x, seed):
    """abs has slope +1 at both -0.0 and +0.0, so the tangent passes through."""
    got = train.r_abs(Dual(x, seed)).der
    assert got == seed, f"abs({x!r}) with tangent {seed}: got der {got!r}, expected {seed}"


@pytest.mark.parametrize("name, x, y, dx, dy, expected", [
    ("max", 1.0, 1.0, 1.0, 0.0, 0.5),
    ("max", 1.0, 1.0, 0.0, 1.0, 0.5),
    ("max", 1.0, 1.0, 1.0, 1.0, 1.0),
    ("max", -0.0, 0.0, 2.0, -1.0, 0.5),  # -0.0 == 0.0 is a tie too
    ("min", 1.0, 1.0, 1.0, 0.0, 0.5),
    ("min", 1.0, 1.0, 0.0, 1.0, 0.5),
    ("min", -3.0, -3.0, 2.0, 4.0, 3.0),
])
def test_tie(train, name, x, y, dx, dy, expected):
    """max and min split the tangent evenly on a tie: 0.5 * (dx + dy)."""
    got = getattr(train, f"r_{name}")(Dual(x, dx), Dual(y, dy)).der
    assert got == expected, (f"{name}({x!r}, {y!r}) with tangents ({dx}, {dy}): "
                             f"got der {got!r}, expected {expected!r}")


@pytest.mark.parametrize("name, x, y, dx, dy, expected", [
    ("max", 2.0, NAN, 1.0, 5.0, 1.0),
    ("max", NAN, 2.0, 5.0, 1.0, 1.0),
    ("min", 2.0, NAN, 1.0, 5.0, 1.0),
    ("min", NAN, 2.0, 5.0, 1.0, 1.0),
])
def test_nan_operand(train, name, x, y, dx, dy, expected):
    """max and min return the other operand when one is NaN, as f64's do, so the
    tangent is that operand's: its slope is 1 and the NaN's is 0."""
    got = getattr(train, f"r_{name}")(Dual(x, dx), Dual(y, dy)).der
    assert got == expected, (f"{name}({x!r}, {y!r}) with tangents ({dx}, {dy}): "
                             f"got der {got!r}, expected {expected!r}")


@pytest.mark.parametrize("x", [0.0, -0.0, 2.0])
def test_powf_zero_exponent(train, x):
    """x.powf(0) is the constant 1, so its slope in x is 0, also at x = 0, where
    y * x^(y-1) would be 0 * inf; JAX's pow jvp selects 0 there."""
    dual_exponent = train.r_powf(Dual(x, 1.0), Dual(0.0, 0.0)).der
    constant_exponent = train.r_powf_c(Dual(x, 1.0), 0.0).der
    assert (dual_exponent, constant_exponent) == (0.0, 0.0), (
        f"powf({x!r}, 0) with tangent 1: got ders {dual_exponent!r} (dual exponent) and "
        f"{constant_exponent!r} (constant exponent), expected 0.0")


@pytest.mark.parametrize("name, seed, expected", [
    ("sqrt", 1.0, INF),
    ("sqrt", 0.0, NAN),  # 0 * inf
    ("cbrt", 1.0, INF),
])
def test_root_zero(train, name, seed, expected):
    """sqrt and cbrt have an infinite slope at 0: tangent 1 gives +inf, tangent 0 NaN."""
    got = getattr(train, f"r_{name}")(Dual(0.0, seed)).der
    assert _matches(got, expected), (f"{name}(0) with tangent {seed}: got der {got!r}, "
                                     f"expected {expected!r}")


@pytest.mark.parametrize("x", [0.0, -0.0, 2.0, -3.0])
def test_powi_zero(train, x):
    """powi(x, 0) is the constant 1, so its slope is exactly 0, also at x = 0."""
    got = train.r_powi(Dual(x, 1.0), 0).der
    assert got == 0.0, f"powi({x!r}, 0) with tangent 1: got der {got!r}, expected 0.0"


@pytest.mark.parametrize("x, n, expected", [(0.0, 1, 1.0), (0.0, 2, 0.0), (0.0, 3, 0.0)])
def test_powi_zero_base(train, x, n, expected):
    """powi(0, n) for n >= 1 has the slope n * 0^(n-1): 1 for n = 1, else 0."""
    got = train.r_powi(Dual(x, 1.0), n).der
    assert got == expected, f"powi({x}, {n}) with tangent 1: got der {got!r}, expected {expected}"


@pytest.mark.parametrize("y", [2.0, 3.0])
@pytest.mark.parametrize("dx, dy", [(0.0, 1.0), (1.0, 0.0), (1.0, 1.0)])
def test_powf_zero_base(train, y, dx, dy):
    """powf with a dual exponent reads ln(0) as 0, as JAX's pow jvp does.

    So d/dy 0^y is 0 and d/dx 0^y = y * 0^(y-1) is 0 for y > 1.
    """
    got = train.r_powf(Dual(0.0, dx), Dual(y, dy)).der
    assert got == 0.0, (f"powf(0, {y}) with tangents ({dx}, {dy}): got der {got!r}, "
                        f"expected 0.0")


@pytest.mark.parametrize("dx, dy", [(1.0, 0.0), (0.0, 1.0), (1.0, 1.0)])
def test_atan2_origin(train, dx, dy):
    """atan2 has no derivative at the origin, and the tangent is NaN there (0 / 0)."""
    got = train.r_atan2(Dual(0.0, dx), Dual(0.0, dy)).der
    assert math.isnan(got), f"atan2(0, 0) with tangents ({dx}, {dy}): got der {got!r}"


@pytest.mark.parametrize("name, x", [
    ("floor", 2.0), ("floor", -1.0),
    ("ceil", 2.0), ("ceil", -1.0),
    ("round", 0.5), ("round", -2.5),
    ("trunc", 3.0), ("trunc", -0.0),
    ("signum", 0.0), ("signum", -0.0),
])
def test_step_jump(train, name, x):
    """floor, ceil, round, trunc and signum have slope 0, also where they jump."""
    got = getattr(train, f"r_{name}")(Dual(x, 1.0)).der
    assert got == 0.0, f"{name}({x!r}) with tangent 1: got der {got!r}, expected 0.0"


@pytest.mark.parametrize("x, y, dx, dy, expected", [
    # 3 % 1.5 is 0, the start of the branch where trunc(x / y) is 2
    (3.0, 1.5, 1.0, 0.0, 1.0),
    (3.0, 1.5, 0.0, 1.0, -2.0),
    (-3.0, 1.5, 0.0, 1.0, 2.0),
    # below |y| the quotient truncates to 0, so y has no effect
    (1.0, 1.5, 0.0, 1.0, 0.0),
])
def test_rem_jump(train, x, y, dx, dy, expected):
    """`%` jumps where x / y is a nonzero integer, and there the slope uses trunc(x / y), as JAX's rem does."""
    got = train.r_rem(Dual(x, dx), Dual(y, dy)).der
    assert got == expected, (f"rem({x}, {y}) with tangents ({dx}, {dy}): got der {got!r}, "
                             f"expected {expected!r}")


@pytest.mark.parametrize("x", [0.0, -0.0])
def test_relu_zero(train, x):
    """relu has slope 0 at 0."""
    got = train.r_relu(Dual(x, 1.0)).der
    assert got == 0.0, f"relu({x!r}) with tangent 1: got der {got!r}, expected 0.0"


@pytest.mark.parametrize("name", ["sigmoid", "softplus"])
@pytest.mark.parametrize("x", [1000.0, -1000.0, 1e308, -1e308])
def test_saturated(train, name, x):
    """sigmoid and softplus stay finite in value and tangent for any finite input."""
    got = getattr(train, f"r_{name}")(Dual(x, 1.0))
    assert math.isfinite(got.val), f"{name}({x}): got val {got.val!r}, expected a finite value"
    assert math.isfinite(got.der), f"{name}({x}): got der {got.der!r}, expected a finite value"


@pytest.mark.parametrize("name, x", [
    pytest.param("sigmoid", 40.0, marks=pytest.mark.xfail(
        strict=True, reason="r * (1 - r) cancels to 0 once sigmoid(x) rounds to 1")),
    pytest.param("tanh", 20.0, marks=pytest.mark.xfail(
        strict=True, reason="1 - r * r cancels to 0 once tanh(x) rounds to 1")),
])
def test_saturated_slope(train, name, x):
    """The tangent keeps its relative accuracy where the value has rounded to 1.

    sigmoid'(40) is about 4.2e-18 and tanh'(20) about 1.7e-17, both normal
    doubles. The logistic and tanh jvps in jax/_src/lax/lax.py also subtract
    the value from 1, so JAX shows the same loss.
    """
    got = getattr(train, f"r_{name}")(Dual(x, 1.0)).der
    expected = UNARY[name][2](x)
    assert math.isclose(got, expected, rel_tol=1e-6), (
        f"{name}({x}) with tangent 1: got der {got!r}, expected {expected!r}")


@pytest.mark.parametrize("name, x, dx, c, expected", [
    ("mul_c", 1.0, 1.0, INF, INF),
    ("mul_c", 1.0, 0.0, INF, NAN),
    ("c_mul", 1.0, 1.0, INF, INF),
    ("c_mul", 1.0, 0.0, INF, NAN),
    ("c_div", 2.0, 1.0, INF, -INF),
    ("c_div", 2.0, 0.0, INF, NAN),
    ("add_c", 1.0, 1.0, INF, 1.0),
    ("c_add", 1.0, 1.0, INF, 1.0),
    ("sub_c", 1.0, 1.0, INF, 1.0),
    ("c_sub", 1.0, 1.0, INF, -1.0),
    # an infinite dual value never meets the constant's tangent 0
    ("mul_c", INF, 1.0, 2.0, 2.0),
    ("c_mul", INF, 1.0, 2.0, 2.0),
    ("div_c", INF, 1.0, 2.0, 0.5),
    # no ln(-2) * r * 0 = NaN term from the constant exponent
    ("powf_c", -2.0, 1.0, 3.0, 12.0),
])
def test_constant_no_term(train, name, x, dx, c, expected):
    """A constant operand contributes no tangent term of its own.

    So an infinite dual value never meets the constant's zero tangent.  The
    dual's own tangent still scales with c: with c = inf, `x * c` has tangent
    inf for tangent 1 and NaN for tangent 0, as JAX's mul jvp (dx * c in
    jax/_src/lax/lax.py) gives.
    """
    got = _call_constant(train, name, Dual(x, dx), c).der
    assert _matches(got, expected), (f"{name}(x={x}, c={c}) with tangent {dx}: "
                                     f"got der {got!r}, expected {expected!r}")


@pytest.mark.parametrize("c, y, expected", [
    (2.0, 3.0, 8.0 * LN2),
    (0.0, 2.0, 0.0),
    (0.0, 0.5, 0.0),
])
def test_constant_base(train, c, y, expected):
    """An f64 base with a dual exponent contributes no tangent term either.

    d/dy c^y = ln(c) * c^y, with ln(0) read as 0, so it is 0 for c = 0 and
    any y. JAX's pow jvp evaluates only the exponent term for a constant base.
    """
    got = train.x_c_powf(c, Dual(y, 1.0)).der
    assert _matches(got, expected), (f"{c}.powf({y}) with tangent 1: got der {got!r}, "
                                     f"expected {expected!r}")


# ---------------------------------------------------------------- release mode

RELEASE_CASES = [
    ("r_exp", (Dual(0.5, 1.0),)),
    ("r_sin", (Dual(1.2, 1.0),)),
    ("r_sigmoid", (Dual(-3.0, 1.0),)),
    ("r_mul", (Dual(1.5, 1.0), Dual(-0.5, 1.0))),
    ("r_powf", (Dual(1.5, 1.0), Dual(2.5, 1.0))),
    ("r_mul_c", (Dual(1.5, 1.0), 2.0)),
    ("r_c_sub", (2.0, Dual(0.7, 1.0))),
    ("r_powi", (Dual(1.5, 1.0), 3)),
    ("r_clamp", (Dual(2.0, 1.0), Dual(0.0, 1.0), Dual(1.0, 1.0))),
]


@pytest.mark.parametrize("fn, args", RELEASE_CASES, ids=[fn for fn, _ in RELEASE_CASES])
def test_release(train, release, fn, args):
    """Release mode computes the same value as train mode and drops the tangent."""
    expected = getattr(train, fn)(*args).val
    got = getattr(release, fn)(*args)
    assert got.val == expected, (f"{fn}{args} in release: got val {got.val!r}, "
                                 f"expected {expected!r}")
    assert got.der == 0.0, f"{fn}{args} in release: got der {got.der!r}, expected 0.0"
