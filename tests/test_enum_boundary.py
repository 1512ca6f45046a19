"""Enums with data across the Python boundary: `Option<T>` is `None` or the
payload, and a user's enum is a class whose variants are subclasses."""

from __future__ import annotations

import pickle

import pytest

import sxc

SOURCE = """
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    Circle(f64),
    Rect { w: f64, h: f64 },
    Empty,
}

fn area(s: Shape) -> f64 {
    match s {
        Shape::Circle(r) => 3.0 * r * r,
        Shape::Rect { w, h } => w * h,
        Shape::Empty => 0.0,
    }
}

fn grow(s: Shape, k: f64) -> Shape {
    match s {
        Shape::Circle(r) => Shape::Circle(r * k),
        Shape::Rect { w, h } => Shape::Rect { w: w * k, h: h * k },
        Shape::Empty => Shape::Empty,
    }
}

fn safe_div(a: f64, b: f64) -> Option<f64> {
    if b == 0.0 { None } else { Some(a / b) }
}

fn first_negative(xs: &[f64]) -> Option<usize> {
    xs.iter().position(|x| *x < 0.0)
}

fn or_default(x: Option<i64>, d: i64) -> i64 {
    x.unwrap_or(d)
}

fn biggest(shapes: &[f64]) -> Option<Shape> {
    let mut best: Option<Shape> = None;
    for r in shapes {
        if *r > 0.0 {
            best = Some(Shape::Circle(*r));
        }
    }
    best
}

fn bounds(xs: &[f64]) -> Option<(f64, f64)> {
    if xs.is_empty() {
        return None;
    }
    let mut lo = xs[0];
    let mut hi = xs[0];
    for x in xs {
        lo = lo.min(*x);
        hi = hi.max(*x);
    }
    Some((lo, hi))
}

fn label(s: Option<Shape>) -> String {
    match s {
        Some(shape) => format!("{:?}", shape),
        None => String::from("nothing"),
    }
}
"""


@pytest.fixture(scope="module")
def m():
    return sxc.compile(SOURCE, cache=False)


def test_option_result_is_none_or_value(m):
    assert m.safe_div(1.0, 4.0) == 0.25
    assert m.safe_div(1.0, 0.0) is None
    assert m.first_negative([1.0, -2.0, -3.0]) == 1
    assert m.first_negative([1.0]) is None


def test_option_parameter_takes_none_or_value(m):
    assert m.or_default(None, 7) == 7
    assert m.or_default(3, 7) == 3


def test_option_of_tuple_and_of_enum(m):
    assert m.bounds([2.0, -1.0, 5.0]) == (-1.0, 5.0)
    assert m.bounds([]) is None
    assert m.biggest([-1.0, 2.0]) == m.Shape.Circle(2.0)
    assert m.biggest([-1.0]) is None
    assert m.label(m.Shape.Rect(w=1.0, h=2.0)) == "Rect { w: 1.0, h: 2.0 }"
    assert m.label(None) == "nothing"


def test_variants_cross_both_ways(m):
    shape = m.Shape
    assert m.area(shape.Circle(2.0)) == 12.0
    assert m.area(shape.Rect(w=2.0, h=3.0)) == 6.0
    assert m.area(shape.Rect(2.0, 3.0)) == 6.0
    assert m.area(shape.Empty) == 0.0
    grown = m.grow(shape.Rect(w=1.0, h=2.0), 3.0)
    assert grown == shape.Rect(w=3.0, h=6.0)
    assert (grown.w, grown.h) == (3.0, 6.0)
    assert m.grow(shape.Circle(1.5), 2.0)[0] == 3.0
    assert m.grow(shape.Empty, 2.0) is shape.Empty


def test_variant_values_behave_like_python_values(m):
    shape = m.Shape
    circle = m.grow(shape.Circle(1.0), 2.0)
    assert isinstance(circle, shape)
    assert isinstance(circle, shape.Circle)
    assert not isinstance(circle, shape.Rect)
    assert repr(circle) == "Shape.Circle(2.0)"
    assert repr(shape.Rect(w=1.0, h=2.5)) == "Shape.Rect(w=1.0, h=2.5)"
    assert repr(shape.Empty) == "Shape.Empty"
    assert {circle, shape.Circle(2.0)} == {circle}
    assert pickle.loads(pickle.dumps(circle)) == circle
    match circle:
        case shape.Circle(r):
            assert r == 2.0
        case _:
            pytest.fail("no match")
    with pytest.raises(AttributeError, match="values are immutable"):
        circle.values = (1.0,)
    with pytest.raises(AttributeError, match="`Shape::Circle` has no field `w`"):
        circle.w


def test_wrong_values_raise_type_error(m):
    with pytest.raises(TypeError, match="expected a `Shape`"):
        m.area(3.0)
    with pytest.raises(TypeError, match="expected a `Shape`"):
        m.area(m.Shape.Circle)
    with pytest.raises(TypeError, match="takes 1 value, got 2"):
        m.Shape.Circle(1.0, 2.0)
    with pytest.raises(TypeError, match="is missing the field h"):
        m.Shape.Rect(w=1.0)
    with pytest.raises(TypeError, match="has no field d"):
        m.Shape.Rect(w=1.0, h=2.0, d=3.0)
    with pytest.raises(TypeError, match="expected an int"):
        m.or_default(2.5, 1)


RESULTS = """
fn parse_num(s: &str) -> Result<i64, String> {
    s.trim().parse::<i64>().map_err(|e| format!("bad number {:?}: {}", s, e))
}

fn half(x: i64) -> Result<i64, String> {
    if x % 2 == 0 { Ok(x / 2) } else { Err(format!("{} is odd", x)) }
}

fn check(x: f64) -> Result<(), String> {
    if x.is_nan() { Err(String::from("NaN")) } else { Ok(()) }
}

fn length_or(r: Result<f64, String>) -> f64 {
    match r {
        Ok(v) => v,
        Err(e) => e.len() as f64,
    }
}
"""


def test_result_returns_ok_and_raises_err():
    m = sxc.compile(RESULTS, cache=False)
    assert m.parse_num(" 42 ") == 42
    assert m.half(8) == 4
    assert m.check(1.0) is None
    with pytest.raises(sxc.ResultError, match="7 is odd") as info:
        m.half(7)
    assert info.value.value == "7 is odd"
    with pytest.raises(sxc.ResultError, match='bad number "x": invalid digit found in string'):
        m.parse_num("x")
    with pytest.raises(sxc.ResultError, match="NaN"):
        m.check(float("nan"))


def test_result_parameter_takes_value_or_result_error():
    m = sxc.compile(RESULTS, cache=False)
    assert m.length_or(2.5) == 2.5
    assert m.length_or(sxc.ResultError("abcd")) == 4.0


def test_uncrossable_option_named_as_in_rust():
    m = sxc.compile("fn names(n: usize) -> Option<Vec<String>> {\n"
                    "    if n == 0 { None } else { Some(vec![String::from(\"a\")]) }\n}\n",
                    cache=False)
    with pytest.raises(TypeError, match=r"its result has type `Option<Vec<String>>`"):
        m.names(1)
