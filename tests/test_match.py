"""`match` and enums without data: diagnostics, duals in arms, and printing back.

The programs of tests/programs/match_*.sx and enum_*.sx check results
against rustc. This file checks what they cannot: the message and location
of each error and warning about enums and patterns, the derivative of a dual
that a `match` arm produces, and that `--emit ast` prints a `match` as source
that compiles again to the same output.
"""

from __future__ import annotations

import math

import pytest

import sxc
from sxc.driver import Options, compile_program, run_deep
from sxc.printer import print_program
from conftest import count_errors
from test_diagnostics import expect_error, sxc_cli

PIECES = """
fn piece(k: i64, x: dual) -> dual {
    match k {
        0 => x * x,
        1 | 2 => x.sin() * 2.0,
        n if n < 0 => x.exp(),
        _ => x + 1.0,
    }
}
"""


def first_error(source: str):
    with pytest.raises(sxc.CompileError) as info:
        sxc.compile(source)
    errors = [d for d in info.value.diagnostics if d.severity == "error"]
    assert errors, info.value.diagnostics
    return errors[0]


# (id, source, line, column, message fragment)
ERRORS = [
    ("data_pattern",
     "fn main() {\n    let x = 3;\n    match x {\n        Some(y) => {}\n        _ => {}\n    }\n}\n",
     4, 9, "mismatched types: expected `i64`, found `Option`"),
    ("option_untyped",
     "fn main() {\n    let x = None;\n}\n", 2, 13,
     "type annotations needed: cannot infer the type of `None`"),
    ("import_variant", "enum E { A, B }\nuse E::{A, C};\nfn main() {}\n", 2, 1,
     "no variant `C` in enum `E`"),
    ("name_clash", "struct E { x: f64 }\nenum E { A }\nfn main() {}\n", 2, 6,
     "the name `E` is defined more than once"),
    ("empty_enum", "enum E {}\nfn main() {}\n", 1, 6,
     "sxc does not support enums without variants"),
    ("variant_twice", "enum E { A, B, A }\nfn main() {}\n", 1, 16,
     "the variant `A` is defined more than once"),
    ("discriminant_twice", "enum E { A = 1, B = 0, C }\nfn main() {}\n", 1, 24,
     "discriminant value `1` is assigned more than once"),
    ("discriminant_isize", "enum E { A = 9223372036854775807, B }\nfn main() {}\n", 1, 35,
     "discriminant value `9223372036854775808` does not fit an `isize`"),
    ("discriminant_constant", "enum E { A = 1.5 }\nfn main() {}\n", 1, 14,
     "an enum discriminant must be a constant integer"),
    ("no_variant", "enum E { A }\nfn main() {\n    let e = E::B;\n}\n", 3, 13,
     "no variant named `B` in enum `E`"),
    ("enum_order",
     "enum E { A, B }\nfn main() {\n    let less = E::A < E::B;\n}\n", 3, 21,
     "binary operation `<` cannot be applied to type `E`"),
    ("data_enum_order",
     "#[derive(PartialEq)]\nenum E { A(f64), B }\nfn main() {\n"
     "    let less = E::A(1.0) < E::B;\n}\n", 4, 26,
     "binary operation `<` cannot be applied to type `E`"),
    ("data_enum_order_recursive",
     "#[derive(PartialEq, PartialOrd)]\nenum E { A(Vec<E>), B }\nfn main() {\n"
     "    let less = E::A(vec![]) < E::B;\n}\n", 4, 29,
     "sxc orders an enum with data that contains itself only with `==` and `!=`"),
    ("enum_method", "enum E { A }\nfn main() {\n    let n = E::A.size();\n}\n", 3, 18,
     "no method named `size` found for enum `E`"),
    ("enum_cast_float", "enum E { A }\nfn main() {\n    let f = E::A as f64;\n}\n", 3, 13,
     "cannot cast `E` as `f64`"),
    ("enum_debug",
     "enum E { A }\nfn main() {\n    println!(\"{:?}\", E::A);\n}\n", 3, 15,
     "`E` does not implement `Debug`"),
    ("match_float_literal",
     "fn main() {\n    let x = 1.5;\n    match x {\n        1.5 => {}\n        _ => {}\n    }\n}\n",
     4, 9, "sxc does not support float literals in patterns"),
    ("arm_types",
     "fn main() {\n    let n = 2;\n    let v = match n {\n        0 => 1.5,\n"
     "        _ => true,\n    };\n}\n", 5, 14,
     "`match` arms have incompatible types: expected `f64`, found `bool`"),
    ("or_binding_missing",
     "fn main() {\n    let n = 2;\n    match (n, 1) {\n        (0, x) | (y, 0) => {}\n"
     "        _ => {}\n    }\n}\n", 4, 9, "variable `y` is not bound in all patterns"),
    ("slice_not_exhaustive",
     "fn f(v: &[i64]) -> i64 {\n    match v {\n        [] => 0,\n        [x] => *x,\n    }\n}\n"
     "fn main() { println!(\"{}\", f(&[1])); }\n", 2, 11,
     "non-exhaustive patterns: `[_, _, ..]` not covered"),
    ("slice_gap_not_covered",
     "fn f(v: &[i64]) -> i64 {\n    match v {\n        [] => 0,\n        [_, _, ..] => 2,\n"
     "    }\n}\nfn main() { println!(\"{}\", f(&[1])); }\n", 2, 11,
     "non-exhaustive patterns: `[_]` not covered"),
    ("slice_array_length",
     "fn main() {\n    let a = [1, 2, 3];\n    match a {\n        [x, y] => println!(\"{}\", x + y),\n"
     "    }\n}\n", 4, 9, "pattern requires 2 elements but array has 3"),
    ("slice_two_rests",
     "fn main() {\n    let v = vec![1, 2, 3];\n    match v[..] {\n"
     "        [a, .., b, ..] => println!(\"{} {}\", a, b),\n        _ => {}\n    }\n}\n", 4, 20,
     "`..` can only be used once per slice pattern"),
    ("slice_of_number",
     "fn main() {\n    let n = 5;\n    match n {\n        [x] => println!(\"{}\", x),\n"
     "        _ => {}\n    }\n}\n", 4, 9, "mismatched types: expected `i64`, found a slice pattern"),
    ("slice_let_refutable",
     "fn main() {\n    let v = vec![1, 2];\n    let [a, b] = v[..];\n    println!(\"{} {}\", a, b);\n}\n",
     3, 9, "refutable pattern in local binding"),
    ("slice_let_else",
     "fn main() {\n    let v = vec![1, 2];\n    let [a, b] = v[..] else { return; };\n"
     "    println!(\"{} {}\", a, b);\n}\n", 3, 9,
     "sxc does not support slice patterns in `let ... else`"),
    ("struct_pattern_bad_field_type",
     "struct P { x: Foo, y: i32 }\nfn main() {\n    let p = P { x: 1, y: 2 };\n"
     "    match p {\n        P { x: 0, .. } => {}\n        _ => {}\n    }\n}\n", 1, 15,
     "cannot find type `Foo` in this scope"),
    ("struct_pattern_missing_field",
     "struct P { x: i32, y: i32 }\nfn main() {\n    let p = P { x: 1, y: 2 };\n"
     "    let P { x } = p;\n    println!(\"{}\", x);\n}\n", 4, 9,
     "pattern does not mention field `y`"),
    ("tuple_struct_pattern_arity",
     "struct M(f64);\nfn main() {\n    let m = M(1.0);\n"
     "    match m {\n        M(a, b) => println!(\"{} {}\", a, b),\n    }\n}\n", 5, 9,
     "this pattern has 2 fields, but the corresponding tuple struct `M` has 1 field"),
    ("struct_pattern_unknown_field",
     "struct P { x: i32 }\nfn main() {\n    let p = P { x: 1 };\n"
     "    match p {\n        P { z, .. } => println!(\"{}\", z),\n    }\n}\n", 5, 9,
     "struct `P` does not have a field named `z`"),
    ("or_binding_too_many",
     "fn main() {\n    let t = ((0, 1), 1, 1, 1, 1, 1);\n    match t {\n"
     "        ((0, x) | (x, 0), 1 | 2, 1 | 2, 1 | 2, 1 | 2, 1 | 2) => {}\n"
     "        _ => {}\n    }\n}\n", 4, 10, "sxc does not support bindings inside this `|` pattern"),
    ("or_binding_nested_missing",
     "fn main() {\n    let n = Some(2);\n    match n {\n        Some(0 | x) => {}\n"
     "        _ => {}\n    }\n}\n", 4, 9, "variable `x` is not bound in all patterns"),
    ("bound_twice",
     "fn main() {\n    match (1, 2) {\n        (a, a) => {}\n    }\n}\n", 3, 13,
     "identifier `a` is bound more than once in the same pattern"),
    ("pattern_type",
     "fn main() {\n    let n = 3;\n    match n {\n        true => {}\n        _ => {}\n    }\n}\n",
     4, 9, "mismatched types: expected `i64`, found `bool`"),
    ("pattern_enum_type",
     "enum E { A }\nenum F { B }\nfn main() {\n    match E::A {\n        F::B => {}\n"
     "        _ => {}\n    }\n}\n", 5, 9, "mismatched types: expected `E`, found `F`"),
    ("pattern_tuple_size",
     "fn main() {\n    match (1, 2) {\n        (a, b, c) => {}\n    }\n}\n", 3, 9,
     "mismatched types: expected `(i64, i64)`, found a tuple of 3"),
    ("pattern_float",
     "fn main() {\n    match 3 {\n        1.5 => {}\n        _ => {}\n    }\n}\n", 3, 9,
     "mismatched types: expected `i64`, found a floating-point number"),
    ("range_bool",
     "fn main() {\n    match true {\n        1..=2 => {}\n        _ => {}\n    }\n}\n", 3, 9,
     "a range pattern needs an integer or `char` value, not `bool`"),
    ("range_order",
     "fn main() {\n    match 3 {\n        5..=1 => {}\n        _ => {}\n    }\n}\n", 3, 9,
     "lower range bound must be less than or equal to upper"),
    ("range_empty",
     "fn main() {\n    match 3 {\n        5..5 => {}\n        _ => {}\n    }\n}\n", 3, 9,
     "lower range bound must be less than upper"),
    ("pattern_unsigned",
     "fn main() {\n    let b: u8 = 3;\n    match b {\n        -1 => {}\n        _ => {}\n    }\n}\n",
     4, 9, "cannot negate a value of unsigned type `u8`"),
    ("pattern_range",
     "fn main() {\n    let b: u8 = 3;\n    match b {\n        256 => {}\n        _ => {}\n    }\n}\n",
     4, 9, "literal out of range for `u8`"),
    ("pattern_const",
     "const K: i64 = 2.5 as i64;\nfn main() {\n    match 3 {\n        K => {}\n        _ => {}\n"
     "    }\n}\n", 4, 9, "sxc cannot compute the constant `K` for a pattern"),
    ("pattern_bool_const",
     "const T: bool = 1 < 2;\nfn main() {\n    match true {\n        T => {}\n        _ => {}\n"
     "    }\n}\n", 4, 9, "a `bool` constant in a pattern must be `true` or `false`"),
    ("pattern_path",
     "fn main() {\n    match 3 {\n        Nope::X => {}\n        _ => {}\n    }\n}\n", 3, 9,
     "cannot find `Nope::X` in this scope"),
    ("missing_ints",
     "fn main() {\n    let n = 3;\n    match n {\n        0 => {}\n        5..=9 => {}\n    }\n}\n",
     3, 11,
     "non-exhaustive patterns: `i64::MIN..=-1`, `1..=4` and `10..=i64::MAX` not covered"),
    ("missing_variants",
     "enum Color { Red, Green, Blue }\nfn main() {\n    let c = Color::Red;\n    match c {\n"
     "        Color::Green => {}\n    }\n}\n", 4, 11,
     "non-exhaustive patterns: `Color::Red` and `Color::Blue` not covered"),
    ("missing_bool",
     "fn main() {\n    let b = true;\n    match b {\n        true => {}\n    }\n}\n", 3, 11,
     "non-exhaustive patterns: `false` not covered"),
    ("missing_guarded",
     "fn main() {\n    let b = true;\n    match b {\n        true => {}\n        false if 1 > 0 => {}\n"
     "    }\n}\n", 3, 11, "non-exhaustive patterns: `false` not covered"),
    ("missing_tuple",
     "fn main() {\n    match (true, 3u8) {\n        (true, _) => {}\n        (false, 0..=254) => {}\n"
     "    }\n}\n", 2, 11, "non-exhaustive patterns: `(false, u8::MAX)` not covered"),
    ("missing_string",
     "fn main() {\n    let s = \"a\";\n    match s {\n        \"a\" => {}\n    }\n}\n", 3, 11,
     "non-exhaustive patterns: `&_` not covered"),
]


@pytest.mark.parametrize("source,line,col,fragment", [case[1:] for case in ERRORS],
                         ids=[case[0] for case in ERRORS])
def test_error(source, line, col, fragment):
    error = first_error(source)
    assert fragment in error.message
    assert (error.span.line, error.span.col) == (line, col), error.render()


def test_or_binding_missing_reports_once():
    source = ("fn main() {\n    match (2, 1) {\n        (0, x) | (y, 0) => println!(\"{}\", x),\n"
              "        _ => {}\n    }\n}\n")
    with pytest.raises(sxc.CompileError) as info:
        sxc.compile(source)
    errors = [d for d in info.value.diagnostics if d.severity == "error"]
    assert [e.code for e in errors] == ["SX0507"], info.value.render()


def test_or_bindings_run_the_guard_per_alternative():
    # `(x, 0)` matches (0, 0) only after the guard of `(0, x)` failed
    source = ("pub fn pick(a: i64, b: i64) -> i64 {\n    match (a, b) {\n"
              "        (0, x) | (x, 0) if x > 0 => x,\n        _ => -1,\n    }\n}\n")
    m = sxc.compile(source)
    assert [m.pick(0, 5), m.pick(7, 0), m.pick(0, 0), m.pick(0, -3), m.pick(1, 1)] == \
        [5, 7, -1, -1, -1]


def test_error_renders_caret(tmp_path):
    source = ("enum Color { Red, Green }\nfn main() {\n    let c = Color::Red;\n"
              "    match c {\n        Color::Red => {}\n    }\n}\n")
    path, proc = sxc_cli(tmp_path, source)
    expect_error(proc, path, 4, 11, "`Color::Green` not covered", source, "`_ => ...`")


def test_recursive_enum_one_error(tmp_path):
    source = "enum Expr {\n    Num(f64),\n    Neg(Expr),\n}\nfn main() {}\n"
    path, proc = sxc_cli(tmp_path, source)
    expect_error(proc, path, 1, 6, "recursive type `Expr` has infinite size", source,
                 "a `Box` or a `Vec`", "SX0310")
    assert count_errors(proc.stderr) == 1, proc.stderr


def test_unreachable_warning():
    source = ("fn f(n: i64) -> i64 {\n    match n {\n        0..=9 => 1,\n        5 => 2,\n"
              "        _ => 3,\n        _ => 4,\n    }\n}\n")
    m = sxc.compile(source)
    spots = [(w.span.line, w.span.col) for w in m.warnings
             if w.message == "unreachable pattern"]
    assert spots == [(4, 9), (6, 9)]
    assert m.f(5) == 1


@pytest.mark.parametrize("k,value,slope", [
    (-1, math.exp(0.5), math.exp(0.5)),
    (0, 0.25, 1.0),
    (2, 2 * math.sin(0.5), 2 * math.cos(0.5)),
    (7, 1.5, 1.0),
])
def test_dual_arms_train(k, value, slope):
    m = sxc.compile(PIECES, mode="train")
    y = m.piece(k, sxc.Dual(0.5, 1.0))
    assert y.val == pytest.approx(value, rel=1e-15)
    assert y.der == pytest.approx(slope, rel=1e-15)


def test_dual_arms_release():
    m = sxc.compile(PIECES, mode="release")
    y = m.piece(2, sxc.Dual(0.5, 1.0))
    assert y.val == pytest.approx(2 * math.sin(0.5), rel=1e-15)
    assert y.der == 0.0


TYPED_ROUND_TRIP = """
#[derive(Debug, Clone, Copy, PartialEq)]
enum Dir { North, East = 4, South, West }
use Dir::*;

impl Dir {
    fn turn(self) -> Dir {
        match self { North => East, East => South, South => West, West => North }
    }
}

fn main() {
    let mut d = North;
    for i in 0..6 {
        let word = match (i % 3, d) {
            (0, North | South) => "a",
            (_, East) => "b",
            (k @ 1..=2, _) if k > 1 => "c",
            _ => "d",
        };
        println!("{:?} {} {}", d, word, d as i64 + match i { i64::MIN..0 => -1, 0.. => 1 });
        d = d.turn();
    }
}
"""


def _run_source(tmp_path, source: str, name: str, capfd) -> str:
    path = tmp_path / name
    path.write_text(source)
    m = sxc.compile(str(path))
    capfd.readouterr()
    assert m.run() == 0
    return capfd.readouterr().out


def test_emit_ast_round_trip(tmp_path, capfd):
    original = _run_source(tmp_path, TYPED_ROUND_TRIP, "orig.sx", capfd)
    compiled = compile_program(TYPED_ROUND_TRIP, "orig.sx", Options(keep_typed=True))
    printed = run_deep(print_program, compiled.typed_snapshot)
    assert "match" in printed
    assert "Dir::North" in printed
    again = _run_source(tmp_path, printed, "printed.sx", capfd)
    assert again == original
    assert original.splitlines()[0] == "North a 1"


ERRONEOUS_SCRUTINEES = """enum E { A(i64), B { x: f64 } }
fn main() {
    let c = 'a';
    if let Some(d) = c.bogus() {
        println!("{}", d);
    }
    match c.other() {
        E::A(n) | E::A(n) => println!("{}", n),
        E::B { x } => println!("{}", x),
        all @ E::A(_) => println!("{}", all),
    }
    while let Some((p, q)) = c.pairs() {
        println!("{} {}", p, q);
    }
    let Some(z) = c.third() else { return; };
    let (a, b) = c.fourth();
    println!("{} {} {}", z, a, b);
}
"""


def test_bindings_of_an_erroneous_value_report_nothing_more(tmp_path):
    # each unknown method is one error; the names its patterns bind exist,
    # so no `cannot find value` follows
    _, proc = sxc_cli(tmp_path, ERRONEOUS_SCRUTINEES)
    assert count_errors(proc.stderr) == 5, proc.stderr
    assert "cannot find value" not in proc.stderr
    assert "mismatched types" not in proc.stderr


def test_enum_order_help_names_the_derive():
    with pytest.raises(sxc.CompileError) as info:
        sxc.compile("enum E { A, B }\nfn f() -> bool { E::A < E::B }\n")
    assert "#[derive(PartialOrd)]" in info.value.diagnostics[0].help
