"""Embedding: arrays, structs, callbacks, signatures and threads across the Python boundary."""

from __future__ import annotations

import copy
import ctypes
import inspect
import math
import os
import pickle
import re
import subprocess
import sys
import threading
from decimal import Decimal

import numpy as np
import pytest

import sxc
from conftest import heap_bytes_in_use

SOURCE = """
struct Point { x: f64, y: f64 }
struct Segment { a: Point, b: Point, weights: [f64; 2], tag: i32 }
struct Tagged { d: dual, k: u8 }
struct Histogram { counts: Vec<i64>, total: f64 }
struct Pair<T> { a: T, b: T }
struct Labelled { name: String, n: i64 }
struct Window<'a> { data: &'a [f64], scale: f64 }
struct Target<'a> { out: &'a mut [f64], step: f64 }
#[derive(Clone, Copy)]
enum Color { Red, Green = 5, Blue }

fn next_color(c: Color) -> Color {
    match c {
        Color::Red => Color::Green,
        Color::Green => Color::Blue,
        Color::Blue => Color::Red,
    }
}
fn swap(p: Pair<f64>) -> Pair<f64> { Pair { a: p.b, b: p.a } }

fn total(v: &[f64]) -> f64 {
    let mut s = 0.0;
    for x in v.iter() {
        s += x;
    }
    s
}
fn isum(v: &[i64]) -> i64 {
    let mut s = 0;
    for x in v.iter() {
        s += x;
    }
    s
}
fn bytes(v: &[u8]) -> i64 {
    let mut s = 0;
    for x in v.iter() {
        s += *x as i64;
    }
    s
}
fn floats(v: &[f32]) -> f64 {
    let mut s = 0.0;
    for x in v.iter() {
        s += *x as f64;
    }
    s
}
fn double_all(v: &mut [i32]) {
    for i in 0..v.len() {
        v[i] = v[i] * 2;
    }
}
fn scale(v: &mut [f64], k: f64) {
    for i in 0..v.len() {
        v[i] = v[i] * k;
    }
}
fn reread(f: fn(f64) -> f64, v: &[f64]) -> f64 {
    let before = v[0];
    f(before) + v[0]
}
fn ramp(n: i64) -> Vec<f64> {
    let mut v = Vec::new();
    for i in 0..n {
        v.push(i as f64 * 0.5);
    }
    v
}
fn squares(n: i64) -> Vec<i64> {
    let mut v = Vec::new();
    for i in 0..n {
        v.push(i * i);
    }
    v
}
fn histogram(v: &[f64]) -> Histogram {
    let mut counts = Vec::new();
    let mut total = 0.0;
    for x in v.iter() {
        counts.push(*x as i64);
        total += x;
    }
    Histogram { counts: counts, total: total }
}
fn dot3(a: [f64; 3], b: (f64, f64, f64)) -> f64 { a[0] * b.0 + a[1] * b.1 + a[2] * b.2 }
fn name_length(s: &str) -> i64 { s.len() as i64 }
fn describe(n: i64) -> String { format!("n = {}", n) }
fn echo(s: String) -> String { s }
fn tail(s: &str) -> &str { &s[1..] }
fn unit_name(k: i64) -> &str { if k == 0 { "metre" } else { "kilogram" } }
fn labelled(s: &str, n: i64) -> Labelled { Labelled { name: s.to_string() + "!", n: n } }
fn split_at_byte(s: &str, k: i64) -> (String, String) {
    (s[..k as usize].to_string(), s[k as usize..].to_string())
}
fn nothing() -> String { String::new() }
fn byte_length(s: String) -> i64 { s.len() as i64 }
fn char_count(s: String) -> i64 { s.chars().count() as i64 }
fn grow_by(v: &mut Vec<f64>, n: i64) -> f64 {
    for i in 0..n {
        v.push(i as f64 * 0.5);
    }
    let mut s = 0.0;
    for x in v.iter() {
        s += *x;
    }
    s
}
fn window_total(w: Window) -> f64 {
    let mut s = 0.0;
    for x in w.data.iter() {
        s += *x;
    }
    s * w.scale
}
fn fill_target(t: Target) {
    for i in 0..t.out.len() {
        t.out[i] = t.step * i as f64;
    }
}
fn keep_first(v: &mut Vec<i64>, add: i64) {
    v.truncate(1);
    v[0] += add;
}
fn replace_all(v: &mut Vec<u8>) {
    *v = vec![7, 8, 9];
}
fn vec_total(v: &Vec<f64>) -> f64 {
    let mut s = 0.0;
    for x in v.iter() { s += *x; }
    s
}
fn extended(mut v: Vec<i64>, n: i64) -> Vec<i64> {
    for k in 0..n { v.push(k * 10); }
    v
}
fn triple(x: f64) -> [f64; 3] { [x, x + 1.0, x + 2.0] }
fn divmod(a: i64, b: i64) -> (i64, i64) { (a / b, a % b) }
fn norm(p: Point) -> f64 { (p.x * p.x + p.y * p.y).sqrt() }
fn segment(p: Point, dx: f64) -> Segment {
    Segment { a: p, b: Point { x: p.x + dx, y: p.y }, weights: [dx, 2.0 * dx], tag: -3 }
}
fn midpoint(s: Segment) -> Point {
    Point { x: (s.a.x + s.b.x) / 2.0 + s.weights[1], y: (s.a.y + s.b.y) / 2.0 + s.tag as f64 }
}
fn tagged(x: dual) -> Tagged { Tagged { d: x * x, k: 7 } }
fn power(x: f64, n: i64) -> f64 {
    let mut r = 1.0;
    for _ in 0..n {
        r = r * x;
    }
    r
}
fn apply(f: fn(f64) -> f64, x: f64) -> f64 { f(x) }
fn apply_sum(f: fn(&[f64]) -> f64, v: &[f64]) -> f64 { f(v) }
fn fill(f: fn(&mut [f64]), v: &mut [f64]) -> f64 {
    f(v);
    v[0]
}
fn vec_squares(f: fn(&Vec<i64>) -> i64, n: i64) -> i64 {
    let v: Vec<i64> = (0..n).map(|i| i * i).collect();
    f(&v)
}
fn vec_edit(f: fn(&mut Vec<f64>, usize), n: usize) -> f64 {
    let mut v = vec![1.0; n];
    f(&mut v, 2);
    v.iter().sum::<f64>() + v.len() as f64 * 100.0
}
fn count(f: fn(i64) -> bool, n: i64) -> i64 {
    let mut c = 0;
    for i in 0..n {
        if f(i) {
            c += 1;
        }
    }
    c
}
fn work(n: i64, fail: bool) -> i64 {
    let mut s = 0;
    for i in 0..n {
        s = (s + i * i) % 1000003;
    }
    if fail {
        panic!("failed after {} steps", n);
    }
    s
}
"""


@pytest.fixture(scope="module")
def m():
    return sxc.compile(SOURCE)


# ---------------------------------------------------------------- arrays

def test_callback_slice_is_a_copy(m):
    v = np.array([1.0, 2.0, 3.0])
    kept = []

    def keep(a):
        kept.append(a)
        return 0.0

    m.apply_sum(keep, v)
    # compiled code may free its memory after the call, so the callable
    # receives a copy that it may keep
    assert kept[0].__array_interface__["data"][0] != v.ctypes.data
    assert kept[0].tolist() == [1.0, 2.0, 3.0]
    assert not kept[0].flags.writeable


def test_slice_sees_writes_during_call(m):
    v = np.array([1.0, 2.0])

    def write(x):
        v[0] = 40.0
        return x

    # compiled code reads v[0] again after the callback: 1.0 + 40.0
    assert m.reread(write, v) == 41.0


def test_callback_slice_of_view(m):
    base = np.arange(10.0)
    view = base[4:]
    seen = []

    def peek(a):
        seen.append(a.tolist())
        return float(a.sum())

    assert m.apply_sum(peek, view) == sum(range(4, 10))
    assert seen == [[4.0, 5.0, 6.0, 7.0, 8.0, 9.0]]


def test_mutable_slice_in_place(m):
    v = np.array([1.0, -2.0, 0.5])
    m.scale(v, 4.0)
    assert v.tolist() == [4.0, -8.0, 2.0]


def test_mutable_i32_slice_in_place(m):
    v = np.array([1, -2, 2**30 - 1], dtype=np.int32)
    m.double_all(v)
    assert v.tolist() == [2, -4, 2**31 - 2]


def test_u8_and_f32_slices(m):
    assert m.bytes(np.array([200, 100, 255], dtype=np.uint8)) == 555
    assert m.floats(np.array([1.5, 2.25], dtype=np.float32)) == 3.75


def test_i64_slice(m):
    assert m.isum(np.array([2**40, -5, 7], dtype=np.int64)) == 2**40 + 2


def test_empty_arrays(m):
    assert m.total(np.array([], dtype=np.float64)) == 0.0
    assert m.isum([]) == 0
    empty = np.zeros(0)
    m.scale(empty, 2.0)
    assert empty.shape == (0,)


def test_list_converted_for_slice(m):
    assert m.total([1.0, 2, 3.5]) == 6.5
    assert m.isum((1, 2, 3)) == 6


def test_list_rejected_for_mutable_slice(m):
    with pytest.raises(TypeError, match=r"scale\(\) argument 'v'.*writes to a converted copy"):
        m.scale([1.0, 2.0], 2.0)


def test_wrong_dtype_names_parameter(m):
    with pytest.raises(TypeError) as info:
        m.total(np.array([1, 2], dtype=np.int64))
    message = str(info.value)
    assert "total() argument 'v'" in message
    assert "float64" in message
    assert "int64" in message


def test_wrong_rank_names_shape(m):
    with pytest.raises(TypeError, match=r"argument 'v': expected a 1-D array .* shape \(2, 2\)"):
        m.total(np.zeros((2, 2)))


def test_non_contiguous_rejected(m):
    with pytest.raises(TypeError, match="contiguous"):
        m.total(np.arange(6.0)[::2])


def test_read_only_array_rejected_for_mut(m):
    v = np.ones(3)
    v.flags.writeable = False
    with pytest.raises(TypeError, match="read-only"):
        m.scale(v, 2.0)


def test_masked_array_rejected(m):
    masked = np.ma.masked_array([1.0, 2.0, 4.0], mask=[False, True, False])
    calls = [("total", lambda: m.total(masked), "&[f64]"),
             ("scale", lambda: m.scale(masked, 2.0), "&mut [f64]"),
             ("vec_total", lambda: m.vec_total(masked), "&Vec<f64>"),
             ("extended", lambda: m.extended(np.ma.masked_array([1, 2]), 1), "Vec<i64>")]
    for name, call, param_type in calls:
        with pytest.raises(TypeError, match=re.escape(
                f"{name}() argument 'v': expected a plain NumPy array for `{param_type}`, "
                "got a masked array")):
            call()
    with pytest.raises(TypeError, match=r"Pass arr.filled\(value\) .* or arr.data"):
        m.total(masked)
    assert masked.tolist() == [1.0, None, 4.0]


def test_masked_array_filled_or_data(m):
    masked = np.ma.masked_array([1.0, 2.0, 4.0], mask=[False, True, False])
    assert m.total(masked.filled(0.0)) == 5.0
    assert m.total(masked.data) == 7.0
    m.scale(masked.data, 10.0)
    assert masked.data.tolist() == [10.0, 20.0, 40.0]
    assert masked.mask.tolist() == [False, True, False]


def test_list_values_must_fit(m):
    with pytest.raises(TypeError, match="float64"):
        m.isum([1.5, 2.0])
    with pytest.raises(OverflowError, match="u8"):
        m.bytes([1, 300])


def test_vec_result_is_array(m):
    v = m.ramp(5)
    assert isinstance(v, np.ndarray)
    assert v.dtype == np.float64
    assert v.tolist() == [0.0, 0.5, 1.0, 1.5, 2.0]
    w = m.squares(6)
    assert w.dtype == np.int64
    assert w.tolist() == [i * i for i in range(6)]


def test_empty_vec_result(m):
    v = m.ramp(0)
    assert v.shape == (0,)
    assert v.dtype == np.float64


def test_fixed_array_and_tuple_results(m):
    assert m.triple(1.5) == (1.5, 2.5, 3.5)
    assert m.divmod(17, 5) == (3, 2)


def test_vec_memory_is_freed(m):
    import resource

    # 3000 results of 100,000 f64 each are 2.4 GB if their memory leaked
    for _ in range(200):
        m.ramp(100_000)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(3000):
        m.ramp(100_000)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert (after - before) * 1024 < 200_000_000


def test_array_and_tuple_arguments(m):
    assert m.dot3([1.0, 2.0, 3.0], (4.0, 5.0, 6.0)) == 32.0
    assert m.dot3(np.array([1.0, 0.0, 0.0]), [7.0, 0.0, 0.0]) == 7.0
    with pytest.raises(TypeError, match=r"dot3\(\) argument 'a': expected 3 items"):
        m.dot3([1.0, 2.0], (4.0, 5.0, 6.0))
    with pytest.raises(TypeError, match=r"argument 'b': expected a sequence of 3 items"):
        m.dot3([1.0, 2.0, 3.0], 4.0)


def test_scalar_argument_errors(m):
    with pytest.raises(TypeError, match=r"power\(\) argument 'n': expected an int for `i64`, "
                       "got float 1.5"):
        m.power(2.0, 1.5)
    with pytest.raises(OverflowError, match=r"argument 'n': 18446744073709551616 does not fit"):
        m.power(2.0, 2**64)
    with pytest.raises(TypeError, match=r"argument 'x': expected a number for `f64`, got str"):
        m.power("2", 1)


def test_sequence_conversion_errors(m):
    with pytest.raises(TypeError, match=r"total\(\) argument 'v': expected a 1-D sequence"):
        m.total([[1.0], [2.0]])
    with pytest.raises(TypeError, match="cannot convert <U1 values to float64"):
        m.total(["a"])


def test_unsupported_type_not_exported():
    m = sxc.compile("fn grid(n: i64) -> Vec<Vec<f64>> { vec![vec![0.0; 2]; n as usize] }")
    with pytest.raises(TypeError, match="`grid` cannot be called from Python: its "
                                        "result has type `Vec<Vec<f64>>`"):
        m.grid


UNCALLABLE = [
    ("norm", "struct P { x: f64 }\nfn norm(p: &P, k: i64) -> f64 { p.x * (k as f64) }\n",
     "`norm` cannot be called from Python: parameter `p` has type `&P`"),
    ("flags", "fn flags(n: i64, v: Vec<bool>) -> i64 { n }\n",
     "parameter `v` has type `Vec<bool>`"),
    ("grow", "fn grow(f: fn(f64) -> Vec<f64>, x: f64) -> f64 { f(x)[0] }\n",
     "`grow` cannot be called from Python: parameter `f` has type `fn\\(f64\\) -> Vec<f64>`"),
    ("probe", "fn probe(k: i64, g: fn(Vec<f64>) -> f64) -> f64 "
              "{ g(vec![k as f64]) }\n",
     "`probe` cannot be called from Python: parameter `g` has type `fn\\(Vec<f64>\\) -> f64`"),
    ("label", "fn label(g: fn(f64) -> String) -> i64 { g(1.0).len() as i64 }\n",
     "`label` cannot be called from Python: parameter `g` has type `fn\\(f64\\) -> String`"),
    ("counts", "use std::collections::HashMap;\n"
               "fn counts(n: i64) -> HashMap<i64, f64> { let mut h = HashMap::new(); "
               "h.insert(n, 1.0); h }\n",
     "`counts` cannot be called from Python: its result has type `HashMap<i64, f64>`"),
    ("size", "use std::collections::BTreeSet;\nfn size(s: BTreeSet<i64>) -> usize { s.len() }\n",
     "`size` cannot be called from Python: parameter `s` has type `BTreeSet<i64>`"),
]


@pytest.mark.parametrize("name,source,message", UNCALLABLE, ids=[c[0] for c in UNCALLABLE])
def test_uncallable_parameter_is_named(name, source, message):
    m = sxc.compile(source)
    with pytest.raises(TypeError, match=message):
        getattr(m, name)


def test_str_arguments(m):
    text = "h\u00e9llo \U0001F600"
    assert m.name_length(text) == len(text.encode("utf-8"))
    assert m.name_length("") == 0
    assert m.char_count(text) == len(text)
    with pytest.raises(TypeError, match=r"argument 's': expected a str for `&str`, got int"):
        m.name_length(3)
    with pytest.raises(ValueError, match="not valid Unicode"):
        m.name_length("\ud800")


def test_string_results(m):
    assert m.describe(-42) == "n = -42"
    assert m.unit_name(0) == "metre"
    assert m.unit_name(1) == "kilogram"
    assert m.nothing() == ""
    text = "h\u00e9llo \U0001F600 a\x00b"
    assert m.echo(text) == text
    assert m.tail(text) == text[1:]
    assert type(m.echo(text)) is str


def test_string_in_struct_and_tuple_results(m):
    assert m.labelled("\u00e9t\u00e9", 3) == m.Labelled(name="\u00e9t\u00e9!", n=3)
    assert m.split_at_byte("\u00e9t\u00e9", 2) == ("\u00e9", "t\u00e9")
    with pytest.raises(sxc.RuntimeError, match="not a char boundary"):
        m.split_at_byte("\u00e9", 1)


def test_string_calls_do_not_leak(m):
    # each call copies 10,000 bytes into a `String` argument, so 10,000
    # calls that leaked it would hold 100 MB
    text = "x" * 10_000
    for function in (m.echo, m.tail, m.byte_length):
        for _ in range(100):
            function(text)
        before = heap_bytes_in_use()
        for _ in range(10_000):
            function(text)
        grown = heap_bytes_in_use() - before
        assert grown < 5_000_000, f"{function.name} leaked {grown} bytes"


VEC_ARGUMENTS = """
struct Holder { v: Vec<f64>, n: i64 }
fn total(v: Vec<f64>) -> f64 {
    let mut s = 0.0;
    for x in v.iter() { s += *x; }
    s
}
fn grown_length(mut v: Vec<f64>, n: i64) -> i64 {
    for k in 0..n { v.push(k as f64); }
    v.len() as i64
}
fn first_held(h: Holder) -> f64 { h.v[0] }
fn same(v: Vec<f64>) -> Vec<f64> { v }
fn held(v: Vec<f64>) -> Holder { Holder { v: v, n: 2 } }
fn both(v: Vec<f64>) -> (Vec<f64>, Vec<f64>) { (v.clone(), v) }
fn replaced(mut v: Vec<f64>) -> Vec<f64> { v = vec![1.0, 2.0]; v }
"""


def test_vec_argument_calls_do_not_leak():
    # each call copies 80,000 bytes into a `Vec` argument, so 1,000 calls
    # that leaked it would hold 80 MB
    m = sxc.compile(VEC_ARGUMENTS)
    values = np.arange(10_000.0)
    calls = {
        "total": lambda: m.total(values),
        "grown_length": lambda: m.grown_length(values, 100),
        "first_held": lambda: m.first_held({"v": values, "n": 1}),
        "same": lambda: m.same(values),
        "held": lambda: m.held(values),
        "both": lambda: m.both(values),
        "replaced": lambda: m.replaced(values),
    }
    for name, call in calls.items():
        for _ in range(100):
            call()
        before = heap_bytes_in_use()
        for _ in range(1_000):
            call()
        grown = heap_bytes_in_use() - before
        assert grown < 5_000_000, f"{name} leaked {grown} bytes"


def test_returned_vec_argument_freed_once():
    # a `Vec` that the callee returns is freed with the result, not again
    # after the call, which would make glibc abort on a double free
    m = sxc.compile(VEC_ARGUMENTS)
    values = np.arange(5.0)
    for _ in range(200):
        assert m.same(values).tolist() == values.tolist()
        assert m.held(values).v.tolist() == values.tolist()
        copy, moved = m.both(values)
        assert copy.tolist() == values.tolist()
        assert moved.tolist() == values.tolist()
    assert m.total(values) == 10.0
    assert m.grown_length(values, 3) == 8
    assert m.replaced(values).tolist() == [1.0, 2.0]
    assert values.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_slice_fields_of_struct_arguments(m):
    data = np.array([1.0, 2.0, 4.5])
    assert m.window_total(m.Window(data=data, scale=2.0)) == 15.0
    assert m.window_total({"data": [1, 2], "scale": 0.5}) == 1.5
    out = np.zeros(4)
    m.fill_target(m.Target(out=out, step=1.5))
    assert out.tolist() == [0.0, 1.5, 3.0, 4.5]
    with pytest.raises(TypeError, match=r"'t'.out: `&mut \[f64\]` needs a NumPy float64 array"):
        m.fill_target({"out": [0.0], "step": 1.0})


def test_mut_vec_argument_updates_the_list(m):
    items = [1.0, 2.0]
    assert m.grow_by(items, 3) == 1.0 + 2.0 + 0.0 + 0.5 + 1.0
    assert items == [1.0, 2.0, 0.0, 0.5, 1.0]
    numbers = [5, 6, 7]
    assert m.keep_first(numbers, 10) is None
    assert numbers == [15]
    assert all(type(x) is int for x in numbers)
    replaced = [1]
    m.replace_all(replaced)
    assert replaced == [7, 8, 9]
    empty = []
    assert m.grow_by(empty, 0) == 0.0
    assert empty == []


def test_mut_vec_argument_after_panic_is_unchanged(m):
    empty = []
    with pytest.raises(sxc.RuntimeError, match="index out of bounds"):
        m.keep_first(empty, 1)
    assert empty == []


@pytest.mark.parametrize("value, message", [
    (np.array([1.0]), "needs a list, which the call may grow or shrink, got ndarray"),
    ((1.0, 2.0), "needs a list, which the call may grow or shrink, got tuple"),
    (["a"], "cannot convert"),
])
def test_mut_vec_argument_rejects(m, value, message):
    with pytest.raises(TypeError, match=message):
        m.grow_by(value, 1)


def test_mut_vec_argument_is_freed(m):
    # each call copies 10,000 doubles and grows them by 1,000; 1,000 calls
    # that kept the copies would hold about 90 MB
    items = [0.25] * 10_000
    for _ in range(10):
        m.grow_by(list(items), 1_000)
    before = heap_bytes_in_use()
    for _ in range(1_000):
        m.grow_by(list(items), 1_000)
    grown = heap_bytes_in_use() - before
    assert grown < 5_000_000, grown


def test_vec_arguments(m):
    values = np.array([0.5, 1.25, 2.0])
    assert m.vec_total(values) == 3.75
    assert m.vec_total([1, 2]) == 3.0
    assert m.vec_total([]) == 0.0
    with pytest.raises(TypeError, match=r"expected a float64 array for `&Vec<f64>`"):
        m.vec_total(np.array([1, 2]))
    grown = m.extended(np.array([7, 8]), 3)
    assert grown.tolist() == [7, 8, 0, 10, 20]
    assert m.extended([], 2).tolist() == [0, 10]
    # the callee grew its own copy, never the caller's array
    source = np.array([1, 2], dtype=np.int64)
    m.extended(source, 100)
    assert source.tolist() == [1, 2]


# ---------------------------------------------------------------- structs

def test_struct_with_vec_field(m):
    h = m.histogram(np.array([1.0, 2.5, 4.0]))
    assert h.counts.tolist() == [1, 2, 4]
    assert h.total == 7.5

def test_struct_from_generated_class(m):
    assert m.norm(m.Point(x=3.0, y=4.0)) == 5.0


def test_struct_from_dict_and_object(m):
    class Plain:
        x = 6.0
        y = 8.0

    assert m.norm({"x": 5.0, "y": 12.0}) == 13.0
    assert m.norm(Plain()) == 10.0


TUPLE_STRUCT = """
#[derive(Debug, Clone, Copy)]
struct Rgb(u8, u8, f64);
fn brighter(c: Rgb) -> Rgb { Rgb(c.0 + 1, c.1 + 2, c.2 * 2.0) }
"""


def test_tuple_struct_crosses_both_ways():
    t = sxc.compile(TUPLE_STRUCT)
    out = t.brighter((1, 2, 0.5))
    assert (out._0, out._1, out._2) == (2, 4, 1.0)
    assert t.brighter(out) == t.Rgb(3, 6, 2.0)
    assert t.brighter({"0": 0, "1": 0, "2": 1.0})._2 == 2.0
    assert t.Rgb.__doc__ == "struct Rgb(u8, u8, f64)"


def test_generic_function_named_as_generic():
    t = sxc.compile("fn id<T: Copy>(x: T) -> T { x }\nfn twice(x: f64) -> f64 { id(x) * 2.0 }")
    assert t.twice(2.0) == 4.0
    with pytest.raises(TypeError, match="`id` cannot be called from Python: it is generic"):
        t.id


@pytest.mark.parametrize("value, shown", [(None, "NoneType None"), (3.0, "float 3.0")])
def test_slice_argument_not_a_sequence(m, value, shown):
    with pytest.raises(TypeError, match=f"expected a 1-D sequence for `&\\[f64\\]`, got {shown}"):
        m.total(value)


def test_tuple_struct_wrong_length():
    t = sxc.compile(TUPLE_STRUCT)
    with pytest.raises(TypeError, match="expected a `Rgb` of 3 items, got a tuple of 2"):
        t.brighter((1, 2))


def test_struct_result_is_dataclass(m):
    s = m.segment(m.Point(1.0, 2.0), 3.0)
    assert s == m.Segment(a=m.Point(1.0, 2.0), b=m.Point(4.0, 2.0), weights=(3.0, 6.0),
                          tag=-3)
    assert s.b.x == 4.0
    assert repr(s.a) == "Point(x=1.0, y=2.0)"


def test_nested_struct_round_trip(m):
    s = m.segment({"x": 1.0, "y": 2.0}, 3.0)
    p = m.midpoint(s)
    assert p.x == (1.0 + 4.0) / 2.0 + 6.0
    assert p.y == 2.0 - 3.0


def test_struct_with_dual_field(m):
    t = m.tagged(sxc.Dual(3.0, 1.0))
    assert t.d == sxc.Dual(9.0, 6.0)
    assert t.k == 7


def test_struct_missing_field(m):
    with pytest.raises(TypeError, match=r"norm\(\) argument 'p': missing field `y`"):
        m.norm({"x": 1.0})
    with pytest.raises(TypeError, match="expected a `Point`"):
        m.norm(3.0)


def test_struct_field_type_checked(m):
    with pytest.raises(TypeError, match=r"argument 'p'\.x: expected a number"):
        m.norm({"x": "one", "y": 2.0})


def test_array_field_length_checked(m):
    s = {"a": {"x": 0.0, "y": 0.0}, "b": {"x": 0.0, "y": 0.0}, "weights": [1.0], "tag": 0}
    with pytest.raises(TypeError, match=r"argument 's'\.weights: expected 2 items"):
        m.midpoint(s)


def test_generic_struct_instance(m):
    swapped = m.swap({"a": 1.0, "b": 2.0})
    assert (swapped.a, swapped.b) == (2.0, 1.0)


def test_enum_as_int_enum(m):
    assert m.Color.Green == 5
    assert m.next_color(m.Color.Red) is m.Color.Green
    assert m.next_color(5) is m.Color.Blue
    assert m.next_color(m.Color.Blue).name == "Red"


def test_struct_pickle_round_trip(m):
    segment = m.segment(m.Point(1.0, -2.0), 4.0)
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        copied = pickle.loads(pickle.dumps(segment, protocol))
        assert type(copied) is m.Segment
        assert type(copied.a) is m.Point
        assert copied == segment
    # (1 + 5) / 2 + 2 * 4 and (-2 + -2) / 2 + (-3)
    assert m.midpoint(copied) == m.Point(11.0, -5.0)
    assert copy.deepcopy(segment) == segment


def test_pickled_struct_fields(m):
    tagged = pickle.loads(pickle.dumps(m.tagged(sxc.Dual(3.0, 1.0))))
    assert tagged.d == sxc.Dual(9.0, 6.0)
    assert tagged.k == 7
    histogram = pickle.loads(pickle.dumps(m.histogram([1.5, 2.5])))
    assert histogram.counts.tolist() == [1, 2]
    assert histogram.total == 4.0
    swapped = pickle.loads(pickle.dumps(m.swap({"a": 1.0, "b": 2.0})))
    assert type(swapped) is m.Pair__f64
    assert (swapped.a, swapped.b) == (2.0, 1.0)
    assert m.swap(swapped) == m.Pair__f64(1.0, 2.0)


def test_enum_pickle_round_trip(m):
    for member in m.Color:
        assert pickle.loads(pickle.dumps(member)) is member
    assert m.next_color(pickle.loads(pickle.dumps(m.Color.Green))) is m.Color.Blue


def test_struct_class_shared_by_modules():
    floats = sxc.compile("struct Cell { v: f64 }\nfn cell(v: f64) -> Cell { Cell { v: v } }")
    same = sxc.compile("struct Cell { v: f64 }\nfn grow(c: Cell) -> Cell { Cell { v: c.v * 2.0 } }")
    ints = sxc.compile("struct Cell { v: i64 }\nfn cell(v: i64) -> Cell { Cell { v: v } }")
    assert floats.Cell is same.Cell
    assert ints.Cell is not floats.Cell
    assert same.grow(floats.cell(1.5)) == floats.Cell(3.0)


def test_struct_unpickled_in_new_process(tmp_path):
    program = "struct Point { x: f64, y: f64 }\n" \
              "#[derive(Clone, Copy)]\n" \
              "enum Side { Left = 1, Right = 2 }\n" \
              "struct Mark { at: Point, side: Side }\n" \
              "fn mark(x: f64) -> Mark { Mark { at: Point { x: x, y: 2.0 * x }, " \
              "side: Side::Right } }\n" \
              "fn score(m: Mark) -> f64 { m.at.x + m.at.y * (m.side as i64) as f64 }\n"
    source = tmp_path / "mark.sx"
    source.write_text(program)
    m = sxc.compile(str(source))
    (tmp_path / "mark.pickle").write_bytes(pickle.dumps(m.mark(1.5)))
    child = (
        "import pickle, sys\n"
        "import sxc\n"
        "mark = pickle.loads(open(sys.argv[1] + '/mark.pickle', 'rb').read())\n"
        "print(mark)\n"
        "m = sxc.compile(sys.argv[1] + '/mark.sx')\n"
        "print(type(mark) is m.Mark, mark.side is m.Side.Right, m.score(mark))\n")
    result = subprocess.run([sys.executable, "-c", child, str(tmp_path)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    # 1.5 + 3.0 * 2
    assert result.stdout.splitlines() == [
        "Mark(at=Point(x=1.5, y=3.0), side=<Side.Right: 2>)", "True True 7.5"]


def test_enum_checks_discriminant(m):
    with pytest.raises(ValueError, match=r"argument 'c': 3 is not a discriminant of `Color`"):
        m.next_color(3)
    with pytest.raises(TypeError, match=r"argument 'c': expected a `Color` variant"):
        m.next_color("Red")


# ---------------------------------------------------------------- duals

def test_dual_tangents_round_trip():
    m = sxc.compile("fn f(x: dual, y: dual) -> dual { x * y + x.sin() }", tangents=2)
    y = m.f(sxc.Dual(2.0, tangents=(1.0, 0.0)), sxc.Dual(5.0, tangents=(0.0, 1.0)))
    assert y.val == pytest.approx(10.0 + math.sin(2.0), rel=1e-15)
    assert y.tangents[0] == pytest.approx(5.0 + math.cos(2.0), rel=1e-15)
    assert y.tangents[1] == 2.0
    assert y.der == y.tangents[0]


def test_dual_tangent_count_checked():
    m = sxc.compile("fn f(x: dual) -> dual { x * x }", tangents=3)
    with pytest.raises(TypeError, match="expected a dual with 3 tangents, got 2"):
        m.f(sxc.Dual(1.0, tangents=(1.0, 0.0)))


# ---------------------------------------------------------------- signatures

def test_signature_and_doc(m):
    signature = inspect.signature(m.power)
    assert list(signature.parameters) == ["x", "n"]
    assert signature.parameters["n"].annotation == "i64"
    assert signature.return_annotation == "f64"
    assert m.power.__name__ == "power"
    assert m.power.__doc__.startswith("fn power(x: f64, n: i64) -> f64")


def test_help_shows_signature(m):
    import pydoc

    text = pydoc.render_doc(m.power, renderer=pydoc.plaintext)
    assert "power(x: 'f64', n: 'i64') -> 'f64'" in text
    assert "fn power(x: f64, n: i64) -> f64" in text


def test_function_named_like_method():
    m = sxc.compile("fn run(n: i64) -> i64 { n + 1 }\nfn seed() -> i64 { 7 }")
    assert m.function("run")(41) == 42
    assert m.function("seed")() == 7
    assert callable(m.run)
    with pytest.raises(AttributeError, match="no function `nope`"):
        m.function("nope")


def test_keyword_call(m):
    assert m.power(x=2.0, n=10) == 1024.0
    assert m.power(3.0, n=3) == 27.0


def test_keyword_errors_match_python(m):
    def power(x, n):
        return None

    cases = [((1.0,), {"n": 2, "z": 1}), ((1.0, 2), {"x": 1.0}), ((), {"n": 2}),
             ((), {}), ((1.0, 2, 3), {})]
    for args, kwargs in cases:
        with pytest.raises(TypeError) as expected:
            power(*args, **kwargs)
        with pytest.raises(TypeError) as got:
            m.power(*args, **kwargs)
        assert str(got.value) == str(expected.value).replace(
            "test_keyword_errors_match_python.<locals>.", "")


# ---------------------------------------------------------------- callbacks

def test_python_callback(m):
    assert m.apply(lambda x: x * x + 1.0, 3.0) == 10.0
    assert m.count(lambda i: i % 3 == 0, 10) == 4


def test_callback_gets_slice_as_array(m):
    seen = []

    def energy(a):
        seen.append(a.copy())
        return float(np.dot(a, a))

    assert m.apply_sum(energy, np.array([1.0, 2.0])) == 5.0
    assert seen[0].tolist() == [1.0, 2.0]


def test_callback_writes_mutable_slice(m):
    def write(a):
        a[:] = [7.0, 8.0]

    v = np.zeros(2)
    assert m.fill(write, v) == 7.0
    assert v.tolist() == [7.0, 8.0]


def test_callback_keeps_vec_it_was_lent(m):
    kept = []

    def keep(a, i):
        a[i] = 5.0
        kept.append(a)

    # the Vec lives in compiled code and is freed when `vec_edit` returns
    for _ in range(20):
        assert m.vec_edit(keep, 4) == 3.0 + 5.0 + 400.0
    for a in kept:
        a[:] = 1e300  # writes into the copy, not into freed memory
    assert kept[0].tolist() == [1e300] * 4
    assert m.vec_edit(lambda a, i: None, 4) == 404.0


def test_callback_read_only_slice(m):
    def write(a):
        a[0] = 1.0
        return 0.0

    with pytest.raises(ValueError, match="read-only"):
        m.apply_sum(write, np.zeros(2))


def test_callback_gets_vec_as_array(m):
    seen = []

    def total(v):
        seen.append((v.dtype, v.flags.writeable))
        return int(v.sum())

    assert m.vec_squares(total, 5) == 0 + 1 + 4 + 9 + 16
    assert seen == [(np.dtype(np.int64), False)]
    assert m.vec_squares(lambda v: len(v), 0) == 0


def test_callback_writes_mutable_vec(m):
    def edit(v, k):
        v[k] = 7.5
        v[0] = -1.0

    # [-1, 1, 7.5, 1] sums to 8.5, and the length stays 4
    assert m.vec_edit(edit, 4) == 8.5 + 400.0


def test_callback_read_only_vec(m):
    def write(v):
        v[0] = 3
        return 0

    with pytest.raises(ValueError, match="read-only"):
        m.vec_squares(write, 3)


def test_callback_exception_reraised(m):
    def broken(x):
        raise ValueError(f"bad input {x}")

    with pytest.raises(ValueError, match="bad input 2.0"):
        m.apply(broken, 2.0)
    assert m.apply(lambda x: -x, 2.0) == -2.0


def test_callback_wrong_result_type(m):
    with pytest.raises(TypeError, match=r"apply\(\) argument 'f' returned str 'text'"):
        m.apply(lambda x: "text", 2.0)


def test_callback_returns_decimal(m):
    assert m.apply(lambda x: Decimal(x) / 4, 3.0) == 0.75
    with pytest.raises(ValueError, match=r"the result of apply\(\) argument 'f': cannot "
                                         r"convert Decimal Decimal\('sNaN'\)"):
        m.apply(lambda x: Decimal("sNaN"), 3.0)


def test_callback_not_callable(m):
    with pytest.raises(TypeError, match=r"apply\(\) argument 'f': expected a callable"):
        m.apply(3.0, 2.0)


def test_callback_calls_back_in(m):
    def inner(x):
        with pytest.raises(sxc.RuntimeError, match="failed after 3 steps"):
            m.work(3, True)
        return m.power(x, 2) + 1.0

    assert m.apply(inner, 3.0) == 10.0


ANNEALER = """
fn anneal(energy: fn(f64) -> f64, x0: f64, steps: i64, seed: u64) -> f64 {
    let mut rng = Rng::new(seed);
    let mut x = x0;
    let mut e = energy(x);
    let mut best = x;
    let mut best_e = e;
    for k in 0..steps {
        let temp = 1.0 * (-(k as f64) / (steps as f64) * 8.0).exp();
        let y = x + rng.normal() * 0.5;
        let ey = energy(y);
        if ey < e || rng.u01() < (-(ey - e) / temp).exp() {
            x = y;
            e = ey;
        }
        if e < best_e {
            best = x;
            best_e = e;
        }
    }
    best
}
"""


def test_python_objective_annealed():
    m = sxc.compile(ANNEALER)
    calls = []

    def energy(x: float) -> float:
        calls.append(x)
        return (x - 1.7) ** 2 + 0.1 * math.sin(5.0 * x) ** 2

    best = m.anneal(energy, -3.0, 3000, 7)
    assert len(calls) == 3001
    grid = [-3.0 + k * 1e-4 for k in range(60001)]
    x_min = min(grid, key=energy)
    assert abs(best - x_min) < 0.05


DISCRETE = """
use simplex_training::*;

fn solve(delta: fn(&[f64], &Vec<usize>, usize, usize) -> f64,
         apply: fn(&mut Vec<usize>, usize, usize),
         energy: fn(&[f64], &Vec<usize>) -> f64,
         data: &[f64], n: usize, steps: u64) -> Vec<usize> {
    let mut annealer = Annealer::new(LearnableSchedule::default());
    let tour: Vec<usize> = (0..n).collect();
    annealer.optimize_discrete(tour, delta, apply, energy, data, steps)
}
"""


class TourModel:
    """A travelling-salesman model in Python over `n` points on the unit circle,
    with the three functions `optimize_discrete` calls."""

    def __init__(self, angles):
        self.n = len(angles)
        points = np.stack([np.cos(angles), np.sin(angles)], axis=1)
        self.dist = np.sqrt(((points[:, None] - points[None, :]) ** 2).sum(-1)).ravel()
        self.calls = 0

    def energy(self, data, tour):
        self.calls += 1
        d = data.reshape(self.n, self.n)
        return float(d[tour, np.roll(tour, -1)].sum())

    def delta(self, data, tour, i, j):
        # reversing tour[i..=j] replaces edges (a, b) and (c, e) by (a, c) and (b, e)
        d = data.reshape(self.n, self.n)
        a, b, c, e = tour[i - 1], tour[i], tour[j], tour[(j + 1) % self.n]
        return float(d[a, c] + d[b, e] - d[a, b] - d[c, e])

    @staticmethod
    def apply(tour, i, j):
        tour[i:j + 1] = tour[i:j + 1][::-1].copy()

    def polygon(self) -> float:
        """Return the length of the best tour: the polygon of the points in angle order."""
        return 2 * self.n * math.sin(math.pi / self.n)


def test_library_anneals_python_tour_model():
    # a model written in Python, annealed by the library
    m = sxc.compile(DISCRETE)
    n = 12
    model = TourModel(np.random.default_rng(3).permutation(n) * (2 * math.pi / n))
    best = m.solve(model.delta, model.apply, model.energy, model.dist, n, 5000)
    assert sorted(best.tolist()) == list(range(n))
    assert model.energy(model.dist, np.arange(n)) > 2 * model.polygon()
    assert model.energy(model.dist, best) == pytest.approx(model.polygon(), rel=1e-12)


LEARN_ON_PYTHON = """
#![tangents = 8]
use simplex_training::*;

fn learn(delta: fn(&[f64], &Vec<usize>, usize, usize) -> f64,
         apply: fn(&mut Vec<usize>, usize, usize),
         energy: fn(&[f64], &Vec<usize>) -> f64,
         data: Vec<f64>, n: usize, epochs: i64) -> (f64, u64) {
    let tour: Vec<usize> = (0..n).collect();
    let mut meta = MetaOptimizer::for_permutations(LearnableSchedule::default(), tour, delta,
                                                   apply, energy, data)
        .estimator("score")
        .runs(4);
    let mut loss = 0.0;
    for _ in 0..epochs {
        loss = meta.run_epoch().final_loss;
    }
    (loss, meta.evaluations)
}
"""


def test_schedule_learns_on_python_tour_model():
    m = sxc.compile(LEARN_ON_PYTHON)
    n = 8
    model = TourModel(np.arange(n) * (2 * math.pi / n) * 3 % (2 * math.pi))
    loss, evaluations = m.learn(model.delta, model.apply, model.energy, model.dist.tolist(),
                                n, 2)
    assert evaluations == 8
    assert model.calls > 0
    # no tour is shorter than the polygon, and annealing shortens the start tour
    assert model.polygon() - 1e-9 <= loss
    assert loss < model.energy(model.dist, np.arange(n))


CALLBACK_VALUES = """
#[derive(Debug, Clone, Copy)]
struct P {
    x: f64,
    y: f64,
}

fn slope(f: fn(dual) -> dual, x: f64) -> (f64, f64) {
    let r = f(dual::variable(x));
    (r.val, r.der)
}

fn product(f: fn(&[dual]) -> dual, a: f64, b: f64) -> (f64, f64) {
    let xs = vec![dual::variable(a), dual::constant(b)];
    let r = f(&xs);
    (r.val, r.der)
}

fn midpoint(f: fn(P, &P) -> P) -> P {
    f(P { x: 1.0, y: 2.0 }, &P { x: 3.0, y: 5.0 })
}

fn area(f: fn(&[P], &str) -> f64) -> f64 {
    let v = vec![P { x: 1.0, y: 2.0 }, P { x: 3.0, y: 4.0 }];
    f(&v, "pts") + f(&v[..0], "")
}

fn nested(f: fn(dual) -> dual, depth: i64) -> f64 {
    f(dual::constant(depth as f64)).val
}

fn fails(f: fn(dual) -> dual) -> f64 {
    let r = f(dual::constant(1.0));
    let v: Vec<f64> = vec![r.val];
    v[5]
}
"""


@pytest.fixture(scope="module")
def values_module():
    return sxc.compile(CALLBACK_VALUES)


def test_callback_takes_and_returns_dual(values_module):
    def square(d):
        assert isinstance(d, sxc.Dual)
        return sxc.Dual(d.val ** 2, 2.0 * d.val * d.der)

    assert values_module.slope(square, 3.0) == (9.0, 6.0)
    assert values_module.slope(lambda d: d * d * d, 2.0) == (8.0, 12.0)
    # a number is a constant: its tangent is 0
    assert values_module.slope(lambda d: 5.0, 2.0) == (5.0, 0.0)


def test_callback_takes_slice_of_duals(values_module):
    seen = []

    def product(xs):
        seen.append([(x.val, x.der) for x in xs])
        return xs[0] * xs[1]

    assert values_module.product(product, 2.0, 5.0) == (10.0, 5.0)
    assert seen == [[(2.0, 1.0), (5.0, 0.0)]]


def test_callback_takes_and_returns_structs(values_module):
    m = values_module

    def midpoint(p, q):
        return m.P((p.x + q.x) / 2, (p.y + q.y) / 2)

    assert m.midpoint(midpoint) == m.P(2.0, 3.5)
    assert m.midpoint(lambda p, q: {"x": q.x, "y": p.y}) == m.P(3.0, 2.0)


def test_callback_takes_slice_of_structs_and_str(values_module):
    calls = []

    def area(points, name):
        calls.append((len(points), name))
        return sum(p.x * p.y for p in points)

    assert values_module.area(area) == 1.0 * 2.0 + 3.0 * 4.0
    assert calls == [(2, "pts"), (0, "")]


def test_slots_callback_errors(values_module):
    def broken(d):
        raise KeyError("no dual today")

    with pytest.raises(KeyError, match="no dual today"):
        values_module.slope(broken, 1.0)
    with pytest.raises(TypeError, match=r"the result of slope\(\) argument 'f': expected "
                                        r"sxc.Dual or a number for `dual`, got str"):
        values_module.slope(lambda d: "text", 1.0)
    assert values_module.slope(lambda d: d + 1.0, 1.0) == (2.0, 1.0)


def test_slots_callback_reentered(values_module):
    # each call has its own callable, also when an inner call panics
    m = values_module

    def outer(d):
        with pytest.raises(sxc.RuntimeError, match="index out of bounds"):
            m.fails(lambda e: e * 2.0)
        inner = m.nested(lambda e: e + 100.0, 7)
        assert inner == 107.0
        return d * 10.0

    assert m.nested(outer, 3) == 30.0
    assert m.nested(outer, 4) == 40.0


ENERGY_IN_PYTHON = """
#![tangents = 8]
use simplex_training::*;

fn bowl(xs: &[dual]) -> dual {
    let mut s = dual::constant(0.0);
    for x in xs.iter() {
        s = s + (x - 1.5) * (x - 1.5) + (x * 0.7).sin() / (x * x + 1.0);
    }
    s
}

fn anneal(energy: fn(&[dual]) -> dual, steps: u64) -> (f64, [f64; 8]) {
    let mut annealer = Annealer::new(LearnableSchedule::default().with_tangents());
    annealer.optimize(vec![4.0, -2.0, 0.5], energy, steps);
    let l = annealer.final_loss;
    (l.val, [l.lane(0), l.lane(1), l.lane(2), l.lane(3), l.lane(4), l.lane(5), l.lane(6),
             l.lane(7)])
}

fn anneal_bowl(steps: u64) -> (f64, [f64; 8]) {
    anneal(bowl, steps)
}
"""


def test_library_anneals_python_energy_with_derivatives():
    # the same energy in Python and in sxc gives the same loss, and the same
    # eight derivatives with respect to the schedule up to rounding (the
    # derivative rules of `sxc.Dual` and of sxc order some operations apart)
    m = sxc.compile(ENERGY_IN_PYTHON)
    calls = []

    def bowl(xs):
        calls.append(len(xs))
        s = sxc.Dual(0.0)
        for x in xs:
            s = s + (x - 1.5) * (x - 1.5) + (x * 0.7).sin() / (x * x + 1.0)
        return s

    in_python = m.anneal(bowl, 300)
    in_sxc = m.anneal_bowl(300)
    assert calls and set(calls) == {3}
    assert in_python[0] == in_sxc[0]
    assert in_python[1] == pytest.approx(in_sxc[1], rel=1e-12, abs=1e-300)
    assert any(d != 0.0 for d in in_python[1])


def test_annealer_stops_on_python_error():
    m = sxc.compile(ANNEALER)
    calls = []

    def energy(x: float) -> float:
        calls.append(x)
        if len(calls) == 50:
            raise ZeroDivisionError("objective failed")
        return x * x

    with pytest.raises(ZeroDivisionError, match="objective failed"):
        m.anneal(energy, 1.0, 10000, 1)
    assert len(calls) == 50


# ---------------------------------------------------------------- modules and threads

def test_modules_alive_at_once():
    modules = [sxc.compile(f"fn k(x: f64) -> f64 {{ x + {i}.0 }}") for i in range(5)]
    assert [mod.k(1.0) for mod in modules] == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_threads_with_panics(m):
    other = sxc.compile(SOURCE.replace("1000003", "999983"))
    results: dict = {}

    def worker(k: int):
        out = []
        for j in range(30):
            module = m if (k + j) % 2 else other
            fail = (k % 2 == 0) and j % 3 == 0
            n = 2000 + 97 * k + j
            try:
                out.append(("ok", module is m, n, module.work(n, fail)))
            except sxc.RuntimeError as error:
                out.append(("panic", module is m, n, str(error)))
        results[k] = out

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 1, 2, 3]
    for k, out in results.items():
        assert len(out) == 30
        for j, (kind, is_m, n, value) in enumerate(out):
            fail = (k % 2 == 0) and j % 3 == 0
            if fail:
                assert kind == "panic"
                assert f"failed after {n} steps" in value
            else:
                assert kind == "ok"
                expected = _work_mod(n, 1000003 if is_m else 999983)
                assert value == expected


def _work_mod(n: int, p: int) -> int:
    s = 0
    for i in range(n):
        s = (s + i * i) % p
    return s


def test_cache_hit_keeps_the_interface(tmp_path, monkeypatch):
    from sxc import cache

    monkeypatch.setenv("SXC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SXC_NO_CACHE", raising=False)
    source = SOURCE + "\nfn unique_to_cache_test() -> i64 { 1 }\n"
    sxc.compile(source)
    hit = sxc.compile(source)
    assert isinstance(hit._compiled, cache.CachedProgram)
    assert hit.norm(hit.Point(x=3.0, y=4.0)) == 5.0
    assert hit.segment({"x": 0.0, "y": 0.0}, 1.0).b == hit.Point(1.0, 0.0)
    assert hit.ramp(3).tolist() == [0.0, 0.5, 1.0]
    assert hit.next_color(hit.Color.Red) is hit.Color.Green
    assert hit.power(x=2.0, n=3) == 8.0
    with pytest.raises(ValueError, match="raised in Python"):
        hit.apply(_raise_value_error, 1.0)
    with pytest.raises(sxc.RuntimeError, match="failed after 5 steps"):
        hit.work(5, True)


def _raise_value_error(x):
    raise ValueError("raised in Python")


def test_vec_argument_overflow(m):
    with pytest.raises(OverflowError, match=r"a value does not fit in `int64` for `Vec<i64>`"):
        m.extended([2**63], 1)


def test_owned_argument_allocation_failure(m, monkeypatch):
    from sxc import boundary

    boundary._malloc(8)  # load the C library's malloc first, then replace it
    monkeypatch.setattr(boundary, "_malloc_function", lambda size: None)
    with pytest.raises(MemoryError, match="failed to allocate 24 bytes for an argument"):
        m.extended([1, 2], 1)


NESTED_DUALS = """struct S { a: dual, b: f64 }
fn scale(x: S) -> S { S { a: x.a * 2.0, b: x.b } }
fn first(x: (dual, i64)) -> (dual, i64) { x }
fn spread(xs: [dual; 3]) -> (dual, [dual; 3]) { (xs[0] + xs[1], xs) }
"""


@pytest.mark.parametrize("options", [dict(mode="release"), dict(tangents=0),
                                     dict(tangents=1)], ids=["release", "no-lanes", "one-lane"])
def test_nested_duals_cross_as_dual(options):
    """A `dual` inside a struct, tuple or array takes and gives `sxc.Dual` in every
    mode, as a `dual` parameter does, also where it lowers to a plain `f64`."""
    m = sxc.compile(NESTED_DUALS, **options)
    scaled = m.scale(m.S(a=sxc.Dual(1.5, 1.0), b=2.0))
    assert isinstance(scaled.a, sxc.Dual)
    assert scaled.a.val == 3.0
    assert scaled.a.der == (2.0 if options.get("tangents") == 1 else 0.0)
    assert scaled.b == 2.0
    pair = m.first((sxc.Dual(0.25), 3))
    assert isinstance(pair[0], sxc.Dual)
    assert pair == (sxc.Dual(0.25, 0.0), 3)
    total, items = m.spread([0.5, sxc.Dual(0.25), 1.0])
    assert total.val == 0.75
    assert [item.val for item in items] == [0.5, 0.25, 1.0]


def test_compile_after_current_directory_removed(tmp_path):
    """Source text compiles when the current directory no longer exists."""
    removed = tmp_path / "removed"
    removed.mkdir()
    code = (f"import os\nos.chdir({str(removed)!r})\nos.rmdir({str(removed)!r})\nimport sxc\n"
            "for level in (0, 2):\n"
            "    m = sxc.compile('fn f(x: f64) -> f64 { x * 3.0 }', opt_level=level, "
            "cache=False)\n"
            "    print(m.f(2.0))\n")
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(sxc.__file__)))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "6.0\n6.0\n"
