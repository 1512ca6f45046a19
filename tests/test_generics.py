"""Generic items and closures: tangents through generic code, lowered names, diagnostics.

The programs in tests/programs/generic_*.sx and closure_*.sx check outputs
against rustc; this file checks what those cannot: derivatives of generic
code in train and release mode against closed forms, the names of the
monomorphised copies in `sxc lower`, and every error message of the two
passes, each at its line and column.
"""

from __future__ import annotations

import math

import pytest

import sxc
from sxc.diagnostics import CompileError
from sxc.driver import Options, compile_program, frontend
from sxc.printer import print_program

from test_diagnostics import no_traceback, sxc_cli

NUMERIC = """
fn bump<T: Copy>(x: T) -> T { 3.0 * x * x + x.sin() }
fn newton_sqrt<T: Copy>(c: T, steps: i64) -> T {
    let mut t = c / c;
    for _ in 0..steps { t = t - (t * t - c) / (2.0 * t); }
    t
}
struct Pair<T> { a: T, b: T }
impl<T: Copy> Pair<T> {
    fn prod(&self) -> T { self.a * self.b }
}
fn apply<T, F: Fn(T) -> T>(f: F, x: T) -> T { f(x) }

fn d_bump(x: dual) -> dual { bump(x) }
fn f_bump(x: f64) -> f64 { bump(x) }
fn d_sqrt(c: dual) -> dual { newton_sqrt(c, 8) }
fn d_prod(a: dual, b: dual) -> dual { Pair { a, b }.prod() }
fn d_closure(a: dual, x: f64) -> dual {
    let f = |y: f64| a * y * y + a.exp();
    f(x)
}
fn d_apply(a: dual, x: dual) -> dual { apply(|y| y * a + y.exp(), x) }
"""


@pytest.fixture(scope="module")
def train():
    return sxc.compile(NUMERIC, mode="train")


@pytest.fixture(scope="module")
def release():
    return sxc.compile(NUMERIC, mode="release")


def test_generic_tangent_matches_closed_form(train):
    for x in (0.3, 1.5, -2.0):
        y = train.d_bump(sxc.Dual(x, 1.0))
        assert y.val == pytest.approx(3 * x * x + math.sin(x), rel=1e-14)
        assert y.der == pytest.approx(6 * x + math.cos(x), rel=1e-14)
        assert train.f_bump(x) == y.val


def test_generic_newton_tangent(train):
    r = train.d_sqrt(sxc.Dual(2.0, 1.0))
    assert r.val == pytest.approx(math.sqrt(2.0), rel=1e-15)
    assert r.der == pytest.approx(0.5 / math.sqrt(2.0), rel=1e-12)


def test_generic_struct_tangent(train):
    p = train.d_prod(sxc.Dual(2.0, 1.0), sxc.Dual(5.0, 0.0))
    assert (p.val, p.der) == (10.0, 5.0)


def test_closure_capture_carries_tangent(train):
    z = train.d_closure(sxc.Dual(2.0, 1.0), 3.0)
    assert z.val == pytest.approx(18.0 + math.exp(2.0), rel=1e-15)
    assert z.der == pytest.approx(9.0 + math.exp(2.0), rel=1e-15)


def test_closure_in_generic_tangent(train):
    # d/dx (x a + e^x) at a = 0.5 (constant), x = 1
    w = train.d_apply(sxc.Dual(0.5, 0.0), sxc.Dual(1.0, 1.0))
    assert w.val == pytest.approx(0.5 + math.e, rel=1e-15)
    assert w.der == pytest.approx(0.5 + math.e, rel=1e-15)


def test_release_mode_values_without_tangents(release):
    y = release.d_bump(1.5)
    assert y.val == pytest.approx(3 * 2.25 + math.sin(1.5), rel=1e-14)
    assert y.der == 0.0
    r = release.d_sqrt(2.0)
    assert r.val == pytest.approx(math.sqrt(2.0), rel=1e-15)
    assert r.der == 0.0
    z = release.d_closure(2.0, 3.0)
    assert z.val == pytest.approx(18.0 + math.exp(2.0), rel=1e-15)
    assert z.der == 0.0


def lowered(source: str, mode: str) -> str:
    compiled = compile_program(source, "prog.sx", Options(mode=mode, opt_level=0))
    return print_program(compiled.program)


def test_lower_names_copies_after_types():
    # copies keep the name of the type they were made for: `dual` is `f64` in release
    text = lowered(NUMERIC, "release")
    assert "fn bump__f64(" in text
    assert "fn bump__dual(x: f64) -> f64" in text
    assert "fn newton_sqrt__dual(" in text
    assert "struct Pair__dual { a: f64, b: f64 }" in text
    assert "impl Pair__dual {" in text
    assert "struct __Closure0 {" in text
    assert "fn __closure0(__env: __Closure0" in text
    assert "<T" not in text


def test_lower_train_has_dual_copies():
    text = lowered(NUMERIC, "train")
    assert "fn bump__dual(" in text
    assert "fn bump__f64(" in text
    assert "struct Pair__dual {" in text


# (id, source, line, col, message fragment)
ERRORS = [
    ("cannot_infer",
     "fn make<T>() -> Vec<T> { Vec::new() }\nfn main() {\n    let v = make();\n}\n",
     3, 13, "type annotations needed: cannot infer the type of `T` in this call of `make`"),
    ("turbofish_count",
     "fn id<T>(x: T) -> T { x }\nfn main() {\n    let y = id::<f64, i64>(1.0);\n}\n",
     3, 13, "function takes 1 generic argument but 2 were supplied"),
    ("fn_value_turbofish_count",
     "fn id<T>(x: T) -> T { x }\nfn main() {\n    let f = id::<f64, f64>;\n}\n",
     3, 13, "function takes 1 generic argument but 2 were supplied"),
    ("fn_value_cannot_infer",
     "fn id<T>(x: T) -> T { x }\nfn main() {\n    let f = id;\n}\n",
     3, 13, "type annotations needed: cannot infer the type of `T` in `id`"),
    ("generic_arg_count",
     "fn add<T>(a: T, b: T) -> T { a }\nfn main() {\n    let y = add(1.0);\n}\n",
     3, 13, "`add` takes 2 arguments but 1 was supplied"),
    ("struct_arg_count",
     "struct P<T> { a: T }\nfn main() {\n    let p: P<f64, f64> = P { a: 1.0 };\n}\n",
     3, 12, "struct takes 1 generic argument but 2 were supplied"),
    ("plain_struct_args",
     "struct P { a: f64 }\nfn main() {\n    let p: P<f64> = P { a: 1.0 };\n}\n",
     3, 12, "struct takes 0 generic arguments but 1 generic argument was supplied"),
    ("impl_args_on_plain_struct",
     "struct P { a: f64 }\nimpl P<f64> {\n    fn get(&self) -> f64 { self.a }\n}\n"
     "fn main() {}\n",
     2, 8, "struct takes 0 generic arguments but 1 generic argument was supplied"),
    ("impl_arg_count",
     "struct P<T> { a: T }\nimpl<T> P<T, T> {\n    fn get(&self) -> T { self.a }\n}\n"
     "fn main() {}\n",
     3, 5, "struct takes 1 generic argument but 2 were supplied"),
    ("missing_generics",
     "struct P<T> { a: T }\nfn f(p: P) -> f64 { 1.0 }\nfn main() {}\n",
     2, 9, "missing generics for struct `P`"),
    ("type_param_with_args",
     "fn f<T>(x: T<f64>) {}\nfn main() {\n    f::<f64>(1.0);\n}\n",
     1, 12, "type parameter `T` takes no generic arguments"),
    ("struct_lit_cannot_infer",
     "struct W<T> { n: i64 }\nfn main() {\n    let w = W { n: 1 };\n}\n",
     3, 13, "type annotations needed: cannot infer the type of `T` in `W`"),
    ("no_associated_item",
     "struct P<T> { a: T }\nimpl<T> P<T> {\n    fn new(a: T) -> Self { P { a: a } }\n}\n"
     "fn main() {\n    let p = P::make(1.0);\n}\n",
     6, 13, "no function or associated item named `make` found for struct `P`"),
    ("no_associated_item_instance",
     "struct P<T> { a: T }\nimpl P<i64> {\n    fn new(a: i64) -> Self { P { a: a } }\n}\n"
     "fn main() {\n    let p = P::<f64>::new(1.0);\n}\n",
     6, 13, "no function or associated item named `new` found for `P<f64>`"),
    ("operation_missing_in_copy",
     "fn double<T: Copy>(x: T) -> T {\n    x * x\n}\n"
     "fn main() {\n    let b = double(true);\n}\n",
     5, 13, "cannot apply `*` to values of type `bool`"),
    ("instantiation_recursion",
     "fn deep<T: Copy>(x: T, n: i64) -> i64 {\n"
     "    if n == 0 { 0 } else { deep((x, x), n - 1) }\n}\n"
     "fn main() {\n    println!(\"{}\", deep(1, 3));\n}\n",
     2, 28, "reached the recursion limit while instantiating `deep`"),
    ("struct_recursion",
     "struct S<T> { v: Vec<S<Vec<T>>> }\n"
     "fn main() {\n    let s: S<f64> = S { v: Vec::new() };\n}\n",
     1, 22, "reached the recursion limit while instantiating `S<..>`"),
    ("closure_in_struct",
     "struct W<F> { f: F }\n"
     "fn main() {\n    let k = 1.0;\n    let w = W { f: |x: f64| x + k };\n}\n",
     4, 13, "a closure cannot be stored in the struct"),
    ("closure_arg_count",
     "fn main() {\n    let f = |x: f64| x * 2.0;\n    let y = f(1.0, 2.0);\n}\n",
     3, 13, "this closure takes 1 argument but 2 were supplied"),
    ("closure_to_fn_captures",
     "fn twice(f: fn(f64) -> f64, x: f64) -> f64 { f(f(x)) }\nfn main() {\n    let k = 2.0;\n"
     "    let y = twice(|x| x * k, 1.0);\n}\n",
     4, 19, "expected `fn(f64) -> f64`, found a closure that captures `k`"),
    ("closure_param_unknown",
     "fn main() {\n    let f = |x| x;\n}\n",
     2, 13, "cannot infer the type of the closure parameter `x`"),
    ("impl_fn_return",
     "fn make(k: f64) -> impl Fn(f64) -> f64 {\n    move |x| x * k\n}\nfn main() {}\n",
     1, 20, "sxc supports `impl Fn(..)` only as the type of a function parameter"),
    ("impl_other_trait",
     "fn show() -> impl Display { 1 }\nfn main() {}\n",
     1, 14, "sxc does not support `impl Trait` return types other than `impl Fn(..)`"),
    ("const_generics",
     "struct M<const N: usize> { a: [f64; N] }\nfn main() {}\n",
     1, 10, "sxc does not support const generics"),
    ("closure_in_array",
     "fn main() {\n    let k = 1;\n    let fs = [|x: i64| x + k];\n}\n",
     3, 14, "a closure cannot be stored in a value of type"),
]


@pytest.mark.parametrize("case", ERRORS, ids=[c[0] for c in ERRORS])
def test_error(case):
    _, source, line, col, fragment = case
    from sxc.diagnostics import register_source
    register_source("prog.sx", source)
    with pytest.raises(CompileError) as info:
        frontend(source, "prog.sx")
    first = info.value.diagnostics[0]
    assert fragment in first.message, info.value.render()
    assert (first.span.line, first.span.col) == (line, col), info.value.render()


def test_copy_error_notes_generic_body(tmp_path):
    source = ("fn double<T: Copy>(x: T) -> T {\n    x * x\n}\n"
              "fn main() {\n    let b = double(true);\n}\n")
    path, proc = sxc_cli(tmp_path, source)
    no_traceback(proc)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"{path}:5:13: error[SX0305]: cannot apply `*`"), proc.stderr
    assert f"{path}:2:7: note: in the copy of `double with T = bool`" in proc.stderr
    assert "2 |     x * x" in proc.stderr


def test_dyn_fn_is_rejected(tmp_path):
    source = "fn apply(f: &dyn Fn(f64) -> f64) -> f64 { f(1.0) }\nfn main() {}\n"
    path, proc = sxc_cli(tmp_path, source)
    no_traceback(proc)
    assert proc.returncode == 1
    assert "sxc does not support closure trait objects" in proc.stderr
