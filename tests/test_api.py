"""Embedding: `sxc.compile` and calling compiled functions from Python."""

from __future__ import annotations

import builtins
import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

import sxc

SOURCE = """
fn square(x: f64) -> f64 { x * x }
fn twice(n: i64) -> i64 { n * 2 }
fn wrap(n: u8) -> u8 { n + 250 }
fn both(a: bool, b: bool) -> bool { a && b }
fn f(x: dual) -> dual { x * x.sin() }
fn total(v: &[f64]) -> f64 {
    let mut s = 0.0;
    for x in v.iter() {
        s += x;
    }
    s
}
fn scale(v: &mut [f64], k: f64) {
    for i in 0..v.len() {
        v[i] = v[i] * k;
    }
}
fn divide(a: i64, b: i64) -> i64 { a / b }
fn at(v: &[f64], i: i64) -> f64 { v[i as usize] }
"""


@pytest.fixture(scope="module")
def module():
    return sxc.compile(SOURCE)


def test_float(module):
    assert module.square(1.5) == 2.25


def test_int(module):
    assert module.twice(-21) == -42


def test_u8_wraps(module):
    assert module.wrap(10) == 4


def test_bool(module):
    assert module.both(True, True) is True
    assert module.both(True, False) is False


def test_dual_result(module):
    y = module.f(sxc.Dual(2.0, 1.0))
    assert isinstance(y, sxc.Dual)
    assert y.val == pytest.approx(2.0 * math.sin(2.0), rel=1e-15)
    assert y.der == pytest.approx(math.sin(2.0) + 2.0 * math.cos(2.0), rel=1e-14)


def test_number_as_dual(module):
    y = module.f(2.0)
    assert y.der == 0.0


def test_numpy_slice(module):
    assert module.total(np.array([1.0, 2.0, 3.5])) == 6.5


def test_mutable_slice(module):
    v = np.array([1.0, -2.0])
    module.scale(v, 3.0)
    assert v.tolist() == [3.0, -6.0]


def test_runtime_error_keeps_running(module):
    with pytest.raises(sxc.RuntimeError, match="attempt to divide by zero"):
        module.divide(1, 0)
    with pytest.raises(sxc.RuntimeError, match="index out of bounds"):
        module.at(np.array([1.0]), 5)
    assert module.divide(7, 2) == 3


def test_min_div_minus_one(module):
    with pytest.raises(sxc.RuntimeError, match="overflow"):
        module.divide(-2 ** 63, -1)


def test_wrong_argument_count(module):
    with pytest.raises(TypeError, match=r"square\(\) takes 1 positional argument but 2 were given"):
        module.square(1.0, 2.0)


def test_wrong_argument_type(module):
    with pytest.raises(TypeError):
        module.twice(1.5)


def test_unknown_function(module):
    with pytest.raises(AttributeError, match="no function `nope`"):
        module.nope


def test_compile_error_has_location():
    with pytest.raises(sxc.CompileError) as info:
        sxc.compile("fn f() -> f64 {\n    undefined_name\n}\n")
    diagnostic = info.value.diagnostics[0]
    assert (diagnostic.span.line, diagnostic.span.col) == (2, 5)
    assert "cannot find value `undefined_name`" in diagnostic.message
    assert "^^^^" in str(info.value)


def test_compile_from_path(tmp_path):
    path = tmp_path / "m.sx"
    path.write_text("fn one() -> i64 { 1 }\n")
    assert sxc.compile(str(path)).one() == 1


def test_release_mode_dual(tmp_path):
    m = sxc.compile("fn f(x: dual) -> dual { x * 3.0 }", mode="release")
    assert m.f(sxc.Dual(2.0, 1.0)) == sxc.Dual(6.0, 0.0)


def test_run_main(capfd):
    m = sxc.compile('fn main() -> i64 { println!("from main"); 5 }')
    assert m.run() == 5
    assert capfd.readouterr().out == "from main\n"


def test_many_modules():
    for k in range(20):
        m = sxc.compile(f"fn k() -> i64 {{ {k} }}")
        assert m.k() == k


def test_exit_in_run_returns_code():
    m = sxc.compile('fn main() { println!("x"); std::process::exit(4); }')
    assert m.run() == 4


def test_exit_in_function_raises_system_exit():
    m = sxc.compile("fn f() -> i64 { std::process::exit(3); }")
    with pytest.raises(SystemExit) as info:
        m.f()
    assert info.value.code == 3


def test_mutable_slice_rejects_copies(module):
    for value in ([1.0, 2.0], np.arange(6.0)[::2], np.array([1.0], dtype=np.float32)):
        with pytest.raises(TypeError):
            module.scale(value, 2.0)


def test_int_slice_rejects_floats():
    m = sxc.compile("fn isum(v: &[i64]) -> i64 { let mut s = 0; for x in v.iter() "
                    "{ s += x; } s }")
    assert m.isum([1, 2, 3]) == 6
    with pytest.raises(TypeError, match="float64"):
        m.isum(np.array([1.5, 2.7]))


RECURSIVE = """
fn runaway(n: i64) -> i64 { if n < 0 { 0 } else { runaway(n + 1) * 2 + runaway(n + 2) } }
fn depth(n: i64) -> i64 { if n == 0 { 0 } else { 1 + depth(n - 1) } }
"""


def test_stack_overflow_raises():
    m = sxc.compile(RECURSIVE)
    with pytest.raises(sxc.RuntimeError, match="stack overflow"):
        m.runaway(0)
    assert m.depth(1000) == 1000


def test_runtime_error_is_a_python_runtime_error():
    m = sxc.compile("fn boom(i: i64) -> i64 { 10 / i }")
    with pytest.raises(builtins.RuntimeError) as info:
        m.boom(0)
    assert isinstance(info.value, sxc.RuntimeError)
    assert m.boom(5) == 2


@pytest.mark.parametrize("value", [None, b"fn main() {}", 3])
def test_compile_rejects_other_types(value):
    with pytest.raises(TypeError, match="expects source text or the path of a .sx file"):
        sxc.compile(value)


def test_compile_accepts_a_path_object(tmp_path):
    path = tmp_path / "m.sx"
    path.write_text("fn two() -> i64 { 2 }\n")
    assert sxc.compile(path).two() == 2


@pytest.mark.parametrize("options, error, message", [
    ({"opt_level": "2"}, TypeError, "opt_level must be an int, not '2'"),
    ({"opt_level": True}, TypeError, "opt_level must be an int, not True"),
    ({"seed": 1.5}, TypeError, "seed must be an int, not 1.5"),
    ({"hard": "yes"}, ValueError, "hard must be one of None, 'threshold', not 'yes'"),
    ({"cache": "no"}, TypeError, "cache must be a bool, not 'no'"),
])
def test_compile_rejects_option_types(options, error, message):
    with pytest.raises(error, match=message):
        sxc.compile("fn main() {}", **options)


@pytest.mark.parametrize("args", ["abc", [1, 2], [b"x"], 3])
def test_run_rejects_arguments_other_than_strings(args):
    m = sxc.compile('fn main() { println!("{}", args().len()); }')
    with pytest.raises(TypeError, match="expects a list of str arguments"):
        m.run(args)


@pytest.mark.parametrize("args, kwargs, message", [
    (("a", "b"), {}, "Dual.val must be a real number, not str"),
    ((1.0, None), {}, "Dual.der must be a real number, not NoneType"),
    ((1.0,), {"tangents": 3}, "Dual.tangents must be a sequence of real numbers, not int"),
    ((1.0,), {"tangents": (1.0, "x")}, "Dual.tangents must be a sequence of real numbers"),
])
def test_dual_rejects_values_that_are_not_numbers(args, kwargs, message):
    with pytest.raises(TypeError, match=message):
        sxc.Dual(*args, **kwargs)


def test_dual_rejects_empty_tangents():
    for empty in ((), []):
        with pytest.raises(ValueError, match="Dual.tangents is empty: pass at least one"):
            sxc.Dual(0.3, tangents=empty)


def test_dual_without_tangents_fills_lane_zero():
    d = sxc.Dual(0.3, 2.0)
    assert d.tangents is None
    m = sxc.compile("fn f(x: dual) -> dual { x * x }", tangents=2)
    y = m.f(d)
    assert y.val == 0.3 * 0.3
    assert y.tangents == (2.0 * 0.3 * 2.0, 0.0)


def test_dual_converts_to_float():
    d = sxc.Dual(2, np.float32(0.5), tangents=[1, 2])
    assert (d.val, d.der, d.tangents) == (2.0, 0.5, (1.0, 2.0))
    assert type(d.val) is float
    assert type(d.tangents[1]) is float


def test_decimal_and_fraction_for_floats(module):
    # each is rounded to the nearest double, as float() rounds it
    assert module.square(Decimal("1.5")) == 2.25
    assert module.square(Decimal("0.1")) == 0.1 * 0.1
    assert module.square(Fraction(1, 3)) == (1 / 3) * (1 / 3)
    assert module.square(Decimal("1e400")) == math.inf
    assert math.isnan(module.square(Decimal("NaN")))
    y = module.f(Decimal("2"))
    assert y.val == pytest.approx(2.0 * math.sin(2.0), rel=1e-15)
    assert y.der == 0.0


def test_decimal_in_dual():
    d = sxc.Dual(Decimal("2.5"), Fraction(1, 4), tangents=[Decimal("1"), 2])
    assert (d.val, d.der, d.tangents) == (2.5, 0.25, (1.0, 2.0))
    assert type(d.val) is float
    assert type(d.tangents[0]) is float


def test_decimal_and_fraction_lists_for_float_slices():
    m = sxc.compile("""
fn total(v: &[f64]) -> f64 {
    let mut s = 0.0;
    for x in v.iter() {
        s += *x;
    }
    s
}
fn narrow(v: &[f32]) -> f64 { v[0] as f64 }
fn owned(v: Vec<f64>) -> Vec<f64> { v }
""")
    assert m.total([Decimal("0.5"), Decimal("1.25")]) == 1.75
    assert m.total((Fraction(1, 2), 2, Decimal("0.25"))) == 2.75
    # each item is rounded to the nearest double, as float() rounds it
    assert m.owned([Decimal("0.1"), Fraction(1, 3)]).tolist() == [0.1, 1 / 3]
    assert m.narrow([Decimal("0.1")]) == float(np.float32(0.1))
    assert m.total([2**70]) == float(2**70)
    assert m.total([Decimal("1e400")]) == math.inf


def test_decimal_list_errors_name_the_item():
    m = sxc.compile("""
fn total(v: &[f64]) -> f64 { v[0] }
fn isum(v: &[i64]) -> i64 { v[0] }
fn scale(v: &mut [f64]) { v[0] = 1.0; }
""")
    with pytest.raises(TypeError, match=r"total\(\) argument 'v'\[1\]: expected a number for "
                                        r"`f64` in `&\[f64\]`, got NoneType None"):
        m.total([Decimal("1"), None])
    with pytest.raises(ValueError, match=r"argument 'v'\[0\]: cannot convert Decimal"):
        m.total([Decimal("sNaN")])
    with pytest.raises(OverflowError, match=r"argument 'v'\[0\]: .* is out of the range of `f64`"):
        m.total([Fraction(10**400)])
    with pytest.raises(TypeError, match=r"isum\(\) argument 'v'\[0\]: expected an int for `i64`"):
        m.isum([Decimal("3")])
    with pytest.raises(OverflowError, match=rf"argument 'v'\[1\]: {2**70} does not fit in `i64`"):
        m.isum([1, 2**70])
    with pytest.raises(TypeError, match=r"`&mut \[f64\]` needs a NumPy float64 array, got list"):
        m.scale([Decimal("1")])


def test_decimal_rejected_for_integers(module):
    with pytest.raises(TypeError, match=r"twice\(\) argument 'n': expected an int for `i64`, "
                                        r"got Decimal Decimal\('3'\)"):
        module.twice(Decimal("3"))
    with pytest.raises(TypeError, match=r"expected an int for `i64`, got Fraction"):
        module.twice(Fraction(3, 1))


def test_float_conversion_errors(module):
    with pytest.raises(ValueError, match=r"square\(\) argument 'x': cannot convert Decimal "
                                         r"Decimal\('sNaN'\) to `f64`"):
        module.square(Decimal("sNaN"))
    with pytest.raises(OverflowError, match=r"square\(\) argument 'x': int 1000.* is out of "
                                            "the range of `f64`"):
        module.square(10**400)
    with pytest.raises(OverflowError, match=r"argument 'x': Fraction .* is out of the range"):
        module.square(Fraction(10**400, 3))
    with pytest.raises(ValueError, match=r"f\(\) argument 'x': cannot convert Decimal"):
        module.f(Decimal("sNaN"))
    with pytest.raises(ValueError, match=r"Dual.val: cannot convert Decimal"):
        sxc.Dual(Decimal("sNaN"))


# ------------------------------------------------------------ Dual arithmetic

def _fd(f, x: float, h: float = 1e-6) -> float:
    """Central finite difference of the real function `f` at `x`."""
    return (f(x + h) - f(x - h)) / (2 * h)


DUAL_FUNCTIONS = [
    ("add", lambda d: d + 2.5 + d, lambda x: x + 2.5 + x),
    ("sub", lambda d: 1.0 - d - (d - 4.0), lambda x: 1.0 - x - (x - 4.0)),
    ("mul", lambda d: 3 * d * d, lambda x: 3 * x * x),
    ("div", lambda d: (d + 1.0) / (d * d) + 2.0 / d, lambda x: (x + 1.0) / (x * x) + 2.0 / x),
    ("neg_pos", lambda d: -(+d), lambda x: -x),
    ("pow", lambda d: d ** 3 + d ** 0.5 + 2.0 ** d, lambda x: x ** 3 + x ** 0.5 + 2.0 ** x),
    ("exp_ln", lambda d: d.exp() + d.ln(), lambda x: math.exp(x) + math.log(x)),
    ("trig", lambda d: d.sin() * d.cos() + d.tanh(),
     lambda x: math.sin(x) * math.cos(x) + math.tanh(x)),
    ("sqrt_abs", lambda d: d.sqrt() + abs(-d), lambda x: math.sqrt(x) + abs(-x)),
]


@pytest.mark.parametrize("f, g", [c[1:] for c in DUAL_FUNCTIONS],
                         ids=[c[0] for c in DUAL_FUNCTIONS])
def test_dual_arithmetic_matches_finite_differences(f, g):
    for x in (0.7, 1.9, 3.25):
        y = f(sxc.Dual.variable(x))
        assert isinstance(y, sxc.Dual)
        assert y.val == pytest.approx(g(x), rel=1e-15)
        assert y.der == pytest.approx(_fd(g, x), rel=1e-7)


def test_dual_arithmetic_keeps_lanes():
    x = sxc.Dual(2.0, tangents=(1.0, 0.0, 0.5))
    y = sxc.Dual(3.0, 1.0)  # one lane: its `der` is lane 0, the others are 0
    z = x * y + 1.0
    assert z.val == 7.0
    # d(xy) = x' y + x y'
    assert z.tangents == (1.0 * 3.0 + 2.0 * 1.0, 0.0, 0.5 * 3.0)
    assert z.der == z.tangents[0]
    assert (y * y).tangents is None


def test_dual_arithmetic_conventions():
    # slope +1 at -0 and +0 for abs, as sxc's rule; infinite slope of sqrt at 0
    assert abs(sxc.Dual(-0.0, 2.0)).der == 2.0
    assert abs(sxc.Dual(-1.0, 2.0)).der == -2.0
    assert sxc.Dual(0.0, 1.0).sqrt().der == math.inf
    assert math.isnan(sxc.Dual(0.0, 0.0).sqrt().der)


def test_dual_arithmetic_errors():
    with pytest.raises(TypeError, match="unsupported operand"):
        sxc.Dual(1.0) + "x"
    with pytest.raises(TypeError, match="unsupported operand"):
        sxc.Dual(1.0) * True
    with pytest.raises(ValueError, match="cannot combine duals with 2 and 3 tangents"):
        sxc.Dual(1.0, tangents=(1.0, 2.0)) + sxc.Dual(1.0, tangents=(1.0, 2.0, 3.0))


POWERS = [(0.0, 2.0), (-1.0, 2.0), (2.0, 0.5), (3.0, 0.0), (0.0, 0.0), (-8.0, 1.0 / 3.0),
          (1e300, 2.0)]


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


@pytest.mark.parametrize("base, power", POWERS)
def test_dual_power_matches_compiled(base, power):
    m = sxc.compile("fn p(x: dual, y: dual) -> dual { x.powf(y) }")
    for d_base, d_power in [(1.0, 0.0), (0.0, 1.0), (1.0, 1.0)]:
        compiled = m.p(sxc.Dual(base, d_base), sxc.Dual(power, d_power))
        python = sxc.Dual(base, d_base) ** sxc.Dual(power, d_power)
        assert _same(compiled.val, python.val), (compiled, python)
        assert _same(compiled.der, python.der), (compiled, python)


def test_dual_compares_by_value():
    x = sxc.Dual(1.5, 1.0)
    assert x < 2.0
    assert 2.0 > x
    assert not x > sxc.Dual(1.5, -3.0)
    assert x >= sxc.Dual(1.5, -3.0)
    assert max(x, 0.0) is x
    assert min(x, 1) == 1
    assert float(x) == 1.5
