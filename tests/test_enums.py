"""Enums with data and `Option`: derivatives through payloads, diagnostics, printing back."""

from __future__ import annotations

import math

import pytest

import sxc
from conftest import check_diagnostic
from sxc.diagnostics import CompileError
from sxc.driver import Options, compile_program

# A dual travels through a tuple payload, a struct payload and an `Option`.
DUAL_PAYLOADS = """
#[derive(Debug, Clone, Copy)]
enum Step {
    Scale(dual),
    Shift { by: dual, times: f64 },
    Keep,
}

fn apply(step: &Step, x: dual) -> dual {
    match step {
        Step::Scale(k) => *k * x,
        Step::Shift { by, times } => x + *by * *times,
        Step::Keep => x,
    }
}

fn chain(x: dual) -> dual {
    let steps = [Step::Scale(x.sin()), Step::Shift { by: x * x, times: 3.0 }, Step::Keep];
    let mut y = x;
    for s in steps.iter() {
        y = apply(&s, y);
    }
    let half: Option<dual> = if y.val > 0.0 { Some(y * 0.5) } else { None };
    match half {
        Some(h) => h,
        None => y,
    }
}
"""


def test_dual_payload_derivative_train():
    m = sxc.compile(DUAL_PAYLOADS, mode="train")
    x = 0.7
    y = m.chain(sxc.Dual(x, 1.0))
    # y = (sin(x) * x + 3 x^2) / 2, positive at x = 0.7
    assert y.val == pytest.approx(0.5 * (math.sin(x) * x + 3 * x * x), rel=1e-14)
    assert y.der == pytest.approx(0.5 * (math.cos(x) * x + math.sin(x) + 6 * x), rel=1e-14)


def test_dual_payload_release_drops_tangent():
    m = sxc.compile(DUAL_PAYLOADS, mode="release")
    y = m.chain(sxc.Dual(0.7, 1.0))
    assert y.val == pytest.approx(0.5 * (math.sin(0.7) * 0.7 + 3 * 0.49), rel=1e-14)
    assert y.der == 0.0


SHAPE = """\
#[derive(Debug, Clone, PartialEq)]
enum Shape {
    Circle(f64),
    Rect { w: f64, h: f64 },
    Empty,
}
"""


def first_error(tmp_path, source: str) -> tuple:
    path = tmp_path / "prog.sx"
    path.write_text(source)
    with pytest.raises(CompileError) as info:
        compile_program(source, str(path), Options(opt_level=0))
    errors = [d for d in info.value.diagnostics if d.severity == "error"]
    assert errors, info.value.diagnostics
    return path, errors[0].render()


# (id, body of main after SHAPE, line, column, message fragment, help fragment, code)
ERRORS = [
    ("missing_variant",
     "fn area(s: Shape) -> f64 {\n    match s {\n        Shape::Circle(r) => r,\n"
     "        Shape::Rect { w, h } => w * h,\n    }\n}\nfn main() {}\n",
     9, 11, "non-exhaustive patterns: `Shape::Empty` not covered", "`_ => ...`", "SX0501"),
    ("missing_payload_value",
     "fn f(o: Option<Option<i64>>) -> i64 {\n    match o {\n        Some(Some(n)) => n,\n"
     "        None => 0,\n    }\n}\nfn main() {}\n",
     9, 11, "non-exhaustive patterns: `Some(None)` not covered", None, "SX0501"),
    ("missing_struct_variant",
     "fn f(s: &Shape) -> bool {\n    match s {\n        Shape::Circle(_) | Shape::Empty => true,\n"
     "    }\n}\nfn main() {}\n",
     9, 11, "non-exhaustive patterns: `Shape::Rect { .. }` not covered", None, "SX0501"),
    ("constructor_arity",
     "fn main() {\n    let s = Shape::Circle(1.0, 2.0);\n}\n",
     9, 13, "this enum variant takes 1 argument but 2 arguments were supplied", None, "SX0302"),
    ("unknown_variant",
     "fn main() {\n    let s = Shape::Triangle;\n}\n",
     9, 13, "no variant named `Triangle` in enum `Shape`", "`Circle`, `Rect`, `Empty`",
     "SX0208"),
    ("unknown_variant_call",
     "fn main() {\n    let s = Shape::Square(2.0);\n}\n",
     9, 13, "no variant named `Square` in enum `Shape`", None, "SX0208"),
    ("struct_variant_missing_field",
     "fn main() {\n    let s = Shape::Rect { w: 1.0 };\n}\n",
     9, 13, "missing field `h` in initializer of `Shape::Rect`", None, "SX0312"),
    ("tuple_variant_as_value",
     "fn main() {\n    let s = Shape::Circle;\n}\n",
     9, 13, "expected unit variant, found tuple variant `Shape::Circle`", "|x| Shape::Circle(x)",
     "SX0302"),
    ("if_let_wrong_type",
     "fn main() {\n    let n = 5;\n    if let Some(x) = n {\n        println!(\"{}\", x);\n"
     "    }\n}\n",
     10, 12, "mismatched types: expected `i64`, found `Option`", None, "SX0301"),
    ("if_let_other_enum",
     "fn main() {\n    let s = Shape::Empty;\n    while let Some(x) = s {\n    }\n}\n",
     10, 15, "mismatched types: expected `Shape`, found `Option`", None, "SX0301"),
    ("pattern_arity",
     "fn f(s: Shape) -> f64 {\n    match s {\n        Shape::Circle(a, b) => a,\n"
     "        _ => 0.0,\n    }\n}\nfn main() {}\n",
     10, 9, "this pattern has 2 fields, but the corresponding tuple variant `Shape::Circle` "
     "has 1 field", None, "SX0503"),
    ("pattern_missing_field",
     "fn f(s: Shape) -> f64 {\n    match s {\n        Shape::Rect { w } => w,\n"
     "        _ => 0.0,\n    }\n}\nfn main() {}\n",
     10, 9, "pattern does not mention field `h`", "`..`", "SX0503"),
    ("unit_pattern_for_tuple_variant",
     "fn f(s: Shape) -> f64 {\n    match s {\n        Shape::Circle => 1.0,\n"
     "        _ => 0.0,\n    }\n}\nfn main() {}\n",
     10, 9, "expected unit struct, unit variant or constant, found tuple variant "
     "`Shape::Circle`", "`Shape::Circle(..)`", "SX0503"),
    ("compare_without_partial_eq",
     "enum Tag {\n    A(i64),\n}\nfn main() {\n    let same = Tag::A(1) == Tag::A(1);\n}\n",
     12, 26, "binary operation `==` cannot be applied to type `Tag`",
     "#[derive(PartialEq)]", "SX0305"),
    ("question_mark_outside_option",
     "fn f(v: &mut Vec<i64>) -> i64 {\n    let x = v.pop()?;\n    x\n}\nfn main() {}\n",
     9, 13, "the `?` operator can only be used on `Option`s in a function that returns "
     "`Option`", None, "SX0301"),
    ("data_enum_cast",
     "fn main() {\n    let n = Shape::Empty as i64;\n}\n",
     9, 13, "non-primitive cast: `Shape` as `i64`", None, "SX0306"),
    ("let_else_falls_through",
     "fn main() {\n    let v = vec![1];\n    let Some(x) = v.first() else {\n"
     "        println!(\"none\");\n    };\n}\n",
     10, 34, "`else` clause of `let...else` does not diverge", "`return`", "SX0301"),
    ("enum_generic_count",
     "enum Pair<A, B> {\n    Two(A, B),\n}\nfn main() {\n    let p: Pair<i64> = Pair::Two(1, 2);\n}\n",
     12, 12, "enum takes 2 generic arguments but 1 was supplied", None, "SX0303"),
    ("enum_missing_generics",
     "enum Wrap<T> {\n    One(T),\n}\nfn f(w: Wrap) {}\nfn main() {}\n",
     11, 9, "missing generics for enum `Wrap`", "`Wrap<T>`", "SX0303"),
    ("default_without_mark",
     "#[derive(Default)]\nenum Mode {\n    Off,\n    On(i64),\n}\nfn main() {\n"
     "    let m = Mode::default();\n}\n",
     14, 13, "no default declared for enum `Mode`", "`#[default]`", "SX0302"),
    ("default_with_argument",
     "#[derive(Default)]\nenum Mode {\n    #[default]\n    Off,\n    On(i64),\n}\n"
     "fn main() {\n    let m = Mode::default(1);\n}\n",
     15, 13, "`Mode::default` takes no arguments", None, "SX0302"),
    ("constructor_unknown_field",
     "fn main() {\n    let s = Shape::Rect { w: 1.0, h: 2.0, d: 3.0 };\n}\n",
     9, 46, "variant `Shape::Rect` has no field named `d`", "`w`, `h`", "SX0211"),
    ("pattern_unknown_path",
     "fn main() {\n    let n = 1;\n    match n {\n        Nope(x) => {}\n        _ => {}\n"
     "    }\n}\n",
     11, 9, "cannot find tuple struct or tuple variant `Nope` in this scope", None, "SX0201"),
    ("pattern_unknown_field",
     "fn f(s: Shape) {\n    match s {\n        Shape::Rect { w, d } => {}\n        _ => {}\n"
     "    }\n}\nfn main() {}\n",
     10, 26, "variant `Shape::Rect` does not have a field named `d`", None, "SX0503"),
    ("pattern_tuple_for_struct",
     "fn f(s: Shape) {\n    match s {\n        Shape::Rect(w, h) => {}\n        _ => {}\n"
     "    }\n}\nfn main() {}\n",
     10, 9, "expected tuple struct or tuple variant, found struct variant `Shape::Rect`",
     "`Shape::Rect { .. }`", "SX0503"),
    ("pattern_rest_twice",
     "enum P {\n    Three(i64, i64, i64),\n}\nfn f(p: P) {\n    match p {\n"
     "        P::Three(.., x, ..) => {}\n    }\n}\nfn main() {}\n",
     13, 25, "`..` can only be used once per tuple variant pattern", None, "SX0503"),
    ("clone_without_derive",
     "enum Tag {\n    A(i64),\n}\nfn main() {\n    let t = Tag::A(1).clone();\n}\n",
     12, 23, "no method named `clone` found for enum `Tag`", "#[derive(Clone)]", "SX0210"),
    ("rest_outside_variant",
     "fn main() {\n    match 1 {\n        .. => {}\n    }\n}\n",
     10, 9, "`..` patterns are not allowed here", None, "SX0503"),
    ("range_operator_alone",
     "fn main() {\n    let o = Some(3);\n    match o {\n        Some(..=) => {}\n        _ => {}\n"
     "    }\n}\n",
     11, 14, "expected a pattern, found `..=`", "`..`", "SX0101"),
    ("none_without_type",
     "fn main() {\n    let mut best = None;\n}\n",
     9, 20, "type annotations needed: cannot infer the type of `None`",
     "let x: Option<i64> = None;", "SX0304"),
    ("none_read_before_assignment",
     "fn main() {\n    let mut best = None;\n    if best.is_none() {\n"
     "        best = Some(2.5);\n    }\n}\n",
     10, 8, "type annotations needed for `best`",
     "`let best: Option<f64> = None;`", "SX0304"),
    ("none_assigned_other_type",
     "fn main() {\n    let mut best = None;\n    best = 3;\n}\n",
     9, 20, "mismatched types: expected `i64`, found `Option<_>`", None, "SX0301"),
]


@pytest.mark.parametrize("body,line,col,fragment,help_text,code",
                         [case[1:] for case in ERRORS], ids=[case[0] for case in ERRORS])
def test_error(tmp_path, body, line, col, fragment, help_text, code):
    source = SHAPE + "\n" + body
    path, rendered = first_error(tmp_path, source)
    check_diagnostic(rendered, path, line, col, fragment, source, help_text, code)


def test_recursive_enum_through_struct(tmp_path):
    source = ("struct Node {\n    value: f64,\n    next: List,\n}\n"
              "enum List {\n    Cons(Node),\n    Nil,\n}\nfn main() {}\n")
    path, rendered = first_error(tmp_path, source)
    assert "recursive type" in rendered
    assert "has infinite size" in rendered


def test_unit_enums_keep_integer_values():
    source = ("#[derive(Debug, Clone, Copy, PartialEq)]\nenum Level { Low, High = 7 }\n"
              "fn level(n: i64) -> i64 {\n    let l = if n > 0 { Level::High } else { Level::Low };\n"
              "    l as i64\n}\n")
    m = sxc.compile(source)
    assert m.level(1) == 7
    assert m.level(-1) == 0


LOWERED = """
#[derive(Debug, Clone, PartialEq)]
enum Cmd {
    Move { dx: i64, dy: i64 },
    Say(String),
    Stop,
}

fn step(c: &mut Cmd) {
    match c {
        Cmd::Move { dx, .. } => *dx += 1,
        Cmd::Say(text) => text.push('!'),
        Cmd::Stop => {}
    }
}

fn main() {
    let mut cmds = vec![Cmd::Move { dx: 1, dy: 2 }, Cmd::Say(String::from("hi")), Cmd::Stop];
    for i in 0..cmds.len() {
        step(&mut cmds[i]);
    }
    println!("{:?}", cmds);
    let last = cmds.pop();
    println!("{:?} {}", last, cmds.len());
}
"""


def test_lowered_source_keeps_writes_through_references(tmp_path, capfd):
    from sxc.driver import run_deep
    from sxc.printer import print_program

    path = tmp_path / "orig.sx"
    path.write_text(LOWERED)
    compiled = compile_program(LOWERED, str(path), Options(opt_level=0, mode="train"))
    printed = run_deep(print_program, compiled.program)
    assert "enum Cmd { Move { dx: i64, dy: i64 }," in printed
    again = tmp_path / "printed.sx"
    again.write_text(printed)
    capfd.readouterr()
    assert sxc.compile(str(path)).run() == 0
    first = capfd.readouterr().out
    assert sxc.compile(str(again)).run() == 0
    second = capfd.readouterr().out
    assert first == ('[Move { dx: 2, dy: 2 }, Say("hi!"), Stop]\n'
                     'Some(Stop) 2\n')
    assert second == first
