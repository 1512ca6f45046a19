"""The traits of the subset: derives, `Default::default()`, `.clone()`, `==`, the
program's own traits, and the errors of trait impls.

The programs that run are tests/programs/trait_*.sx; the cases here check what
those cannot: duals in derived methods, the printed lowering, and every
diagnostic with its location, caret and help.
"""

from __future__ import annotations

import pytest

import sxc
from sxc.diagnostics import CompileError
from sxc.driver import Options, compile_program
from sxc.printer import print_program
from conftest import check_diagnostic


def first_error(source: str) -> str:
    with pytest.raises(CompileError) as info:
        compile_program(source, "prog.sx", Options(opt_level=0))
    return info.value.render().split("\n\n")[0]



ERRORS = [
    ("operator", "struct V { x: f64 }\nimpl BitAndAssign for V {\n"
     "    fn bitand_assign(&mut self, o: V) { }\n}\nfn main() { }\n", 2, 6,
     "sxc does not support operator overloading (`impl BitAndAssign for V`)",
     "write a method, such as `fn bitand_assign(&mut self, other: V)`"),
    ("operator-rhs-missing", "struct V { x: f64 }\nimpl Mul<f64> for V {\n    type Output = V;\n"
     "    fn mul(self, k: f64) -> V { V { x: self.x * k } }\n}\n"
     "fn main() {\n    let v = V { x: 1.0 } * 2;\n}\n", 7, 26,
     "mismatched types: cannot apply `*` to `V` and `", "implement `Mul<"),
    ("assign-operator-missing", "#[derive(Clone, Copy)]\nstruct V { x: f64 }\n"
     "impl Add for V {\n    type Output = V;\n"
     "    fn add(self, o: V) -> V { V { x: self.x + o.x } }\n}\n"
     "fn main() {\n    let mut v = V { x: 1.0 };\n    v += v;\n}\n", 9, 5,
     "binary assignment operation `+=` cannot be applied to type `V`",
     "implement `AddAssign` for `V`"),
    ("bit-operator", "struct V { x: bool }\nimpl Shl for V {\n"
     "    fn shl(self, o: V) -> V { self }\n}\n"
     "fn main() { }\n", 2, 6, "sxc does not support operator overloading (`impl Shl for V`)",
     "write a method, such as `fn shl(self, other: V) -> V`"),
    ("other-trait", "struct V { x: f64 }\nimpl Hash for V {\n}\nfn main() { }\n", 2, 6,
     "sxc does not support implementing the trait `Hash`", "plain `impl V` block"),
    ("iterator-without-next", "struct V { x: f64 }\nimpl Iterator for V {\n"
     "    type Item = f64;\n}\nfn main() { }\n",
     2, 6, "not all trait items implemented, missing: `next`",
     "implement `fn next(&mut self) -> Option<Self::Item>` in `impl Iterator for V`"),
    ("from-str-without-from-str", "struct V { x: f64 }\nimpl FromStr for V {\n"
     "    type Err = ();\n}\nfn main() { }\n",
     2, 6, "not all trait items implemented, missing: `from_str`",
     "`fn from_str(s: &str) -> Result<Self, Self::Err>`"),
    ("from-str-without-err", "struct V { x: f64 }\nimpl FromStr for V {\n"
     "    fn from_str(s: &str) -> Result<V, ()> { Err(()) }\n}\nfn main() { }\n",
     2, 6, "not all trait items implemented, missing: `Err`", "`type Err = ..;`"),
    ("iterator-without-item", "struct V { x: f64 }\nimpl Iterator for V {\n"
     "    fn next(&mut self) -> Option<f64> { None }\n}\nfn main() { }\n",
     2, 6, "not all trait items implemented, missing: `Item`", "`type Item = f64;`"),
    ("iterator-next-type", "struct V { x: f64 }\nimpl Iterator for V {\n    type Item = u32;\n"
     "    fn next(&mut self) -> Option<i32> { None }\n}\nfn main() { }\n",
     4, 27, "method `next` has an incompatible type for trait",
     "return `Option<Self::Item>`, here `Option<u32>`"),
    ("iterator-adapter-unconsumed", "struct C { n: u32 }\nimpl Iterator for C {\n"
     "    type Item = u32;\n    fn next(&mut self) -> Option<u32> { None }\n}\n"
     "fn main() {\n    let t = C { n: 3 }.take(2);\n}\n", 7, 24,
     "no method named `take` found for struct `C`",
     "sxc runs the adapters of an `Iterator` in a `for` loop or in a chain"),
    ("missing-method", "trait Shape {\n    fn area(&self) -> f64;\n    fn name(&self) -> i64;\n}\n"
     "struct V { x: f64 }\nimpl Shape for V {\n    fn name(&self) -> i64 { 1 }\n}\n"
     "fn main() { }\n", 6, 6, "not all trait items implemented, missing: `area`",
     "implement the missing items in `impl Shape for V`"),
    ("missing-two", "trait Shape {\n    const SIDES: u32;\n    fn area(&self) -> f64;\n}\n"
     "struct V { x: f64 }\nimpl Shape for V { }\nfn main() { }\n", 6, 6,
     "not all trait items implemented, missing: `area`, `SIDES`", None),
    ("not-a-member", "trait Shape {\n    fn area(&self) -> f64;\n}\nstruct V { x: f64 }\n"
     "impl Shape for V {\n    fn area(&self) -> f64 { self.x }\n"
     "    fn perimeter(&self) -> f64 { self.x }\n}\nfn main() { }\n", 7, 8,
     "method `perimeter` is not a member of trait `Shape`", "plain `impl V` block"),
    ("const-not-a-member", "trait Shape { }\nstruct V { x: f64 }\n"
     "impl Shape for V {\n    const N: i64 = 1;\n}\nfn main() { }\n", 4, 11,
     "constant `N` is not a member of trait `Shape`", None),
    ("unknown-trait", "trait Shape { }\nstruct V { x: f64 }\nimpl Shap for V { }\n"
     "fn main() { }\n", 3, 6, "cannot find trait `Shap` in this scope",
     "a trait with a similar name exists: `Shape`"),
    ("parameter-count", "trait Shape {\n    fn area(&self) -> f64;\n}\nstruct V { x: f64 }\n"
     "impl Shape for V {\n    fn area(&self, k: f64) -> f64 { self.x * k }\n}\n"
     "fn main() { }\n", 6, 8,
     "method `area` has 2 parameters but the declaration in trait `Shape::area` has 1", None),
    ("missing-self", "trait Shape {\n    fn area(&self) -> f64;\n}\nstruct V { x: f64 }\n"
     "impl Shape for V {\n    fn area() -> f64 { 1.0 }\n}\nfn main() { }\n", 6, 8,
     "method `area` has a `self` parameter in the trait but not in the impl", None),
    ("default-body-error", "trait Shape {\n    fn area(&self) -> f64;\n"
     "    fn twice(&self) -> f64 { self.area() * true }\n}\nstruct V { x: f64 }\n"
     "impl Shape for V {\n    fn area(&self) -> f64 { self.x }\n}\nfn main() { }\n",
     3, 42, "cannot apply `*` to `f64` and `bool`", None),
    ("bound-not-satisfied", "trait Shape {\n    fn area(&self) -> f64;\n}\nstruct Foo { x: f64 }\n"
     "fn total<T: Shape>(xs: &[T]) -> f64 {\n    xs[0].area()\n}\n"
     "fn main() {\n    let t = total(&[Foo { x: 1.0 }]);\n}\n", 9, 13,
     "the trait bound `Foo: Shape` is not satisfied", "`impl Shape for Foo { .. }`"),
    ("impl-trait-not-satisfied", "trait Shape {\n    fn area(&self) -> f64;\n}\n"
     "fn show(x: &impl Shape) -> f64 {\n    x.area()\n}\n"
     "fn main() {\n    let t = show(&2.5);\n}\n", 8, 13,
     "the trait bound `f64: Shape` is not satisfied", None),
    ("where-not-satisfied", "trait Shape {\n    fn area(&self) -> f64;\n}\nstruct Foo { x: f64 }\n"
     "fn f<T>(x: T) -> f64 where T: Shape {\n    x.area()\n}\n"
     "fn main() {\n    let t = f(Foo { x: 1.0 });\n}\n", 9, 13,
     "the trait bound `Foo: Shape` is not satisfied", None),
    ("impl-bound-not-satisfied", "trait Shape {\n    fn area(&self) -> f64;\n}\nstruct Foo;\n"
     "struct Holder<T> { items: Vec<T> }\nimpl<T: Shape> Holder<T> {\n"
     "    fn first(&self) -> f64 { self.items[0].area() }\n}\n"
     "fn main() {\n    let h = Holder { items: vec![Foo] };\n    let a = h.first();\n}\n",
     11, 13, "the trait bound `Foo: Shape` is not satisfied", "`impl Shape for Foo { .. }`"),
    ("supertrait-not-implemented", "trait Shape {\n    fn area(&self) -> f64;\n}\n"
     "trait Solid: Shape { }\nstruct Foo { x: f64 }\nimpl Solid for Foo { }\nfn main() { }\n",
     6, 6, "the trait bound `Foo: Shape` is not satisfied", "`impl Shape for Foo { .. }`"),
    ("unknown-bound", "trait Shape { }\nfn f<T: Shap>(x: T) { }\nfn main() { }\n", 2, 9,
     "cannot find trait `Shap` in this scope", "a trait with a similar name exists: `Shape`"),
    ("index-missing", "struct V { x: f64 }\nfn main() {\n    let v = V { x: 1.0 };\n"
     "    let i: usize = 0;\n    let y = v[i];\n}\n", 5, 13,
     "cannot index into a value of type `V`", "implement `Index<usize>` for `V`"),
    ("index-mut-missing", "use std::ops::Index;\nstruct V { x: f64 }\n"
     "impl Index<usize> for V {\n    type Output = f64;\n"
     "    fn index(&self, i: usize) -> &Self::Output { &self.x }\n}\n"
     "fn main() {\n    let mut v = V { x: 1.0 };\n    let i: usize = 0;\n    v[i] = 2.0;\n}\n",
     10, 5, "cannot index into a value of type `V`", "implement `IndexMut<usize>` for `V`"),
    ("trait-for-str", "trait Half {\n    fn half(&self) -> usize;\n}\n"
     "impl Half for str {\n    fn half(&self) -> usize { self.len() / 2 }\n}\nfn main() { }\n",
     4, 1, "sxc does not support implementing the trait `Half` for the primitive type `str`",
     "wrap the value in a struct"),
    ("trait-for-vec", "trait Mean {\n    fn mean(&self) -> f64;\n}\n"
     "impl Mean for Vec<f64> {\n    fn mean(&self) -> f64 { 0.0 }\n}\nfn main() { }\n", 4, 1,
     "sxc does not support implementing the trait `Mean` for the standard library's `Vec`",
     "wrap the value in a struct"),
    ("blanket-impl", "trait Shape {\n    fn area(&self) -> f64;\n}\n"
     "impl<T> Shape for T {\n    fn area(&self) -> f64 { 1.0 }\n}\nfn main() { }\n", 4, 1,
     "sxc does not support blanket impls (`impl<T> Shape for T`)", "one impl per type"),
    ("one-method-two-traits", "trait A {\n    fn go(&self) -> i64;\n}\n"
     "trait B {\n    fn go(&self) -> i64;\n}\nstruct S { v: i64 }\n"
     "impl A for S {\n    fn go(&self) -> i64 { self.v }\n}\n"
     "impl B for S {\n    fn go(&self) -> i64 { 0 }\n}\nfn main() { }\n", 12, 8,
     "sxc does not support two traits with a method `go` for one type: `A` and `B` for `S`",
     "rename the method in one of the traits"),
    ("trait-and-struct", "trait P { }\nstruct P { x: f64 }\nfn main() { }\n", 2, 1,
     "the name `P` is defined more than once", None),
    ("method-twice-in-trait", "trait P {\n    fn a(&self) -> f64;\n    fn a(&self) -> f64;\n}\n"
     "fn main() { }\n", 3, 8, "the name `a` is defined more than once in trait `P`",
     "remove or rename one of them"),
    ("derive-unknown", "#[derive(Debug, Serialize)]\nstruct V { x: f64 }\nfn main() { }\n", 1, 1,
     "sxc does not support `#[derive(Serialize)]`", "sxc derives `Debug`, `Clone`"),
    ("conflict", "#[derive(Clone)]\nstruct V { x: f64 }\nimpl Clone for V {\n"
     "    fn clone(&self) -> V { V { x: self.x } }\n}\nfn main() { }\n", 1, 1,
     "conflicting implementations of `Clone` for `V`", "remove `Clone` from the `#[derive]`"),
    ("infer-default", "fn main() {\n    let x = Default::default();\n}\n", 2, 13,
     "cannot infer the type of this `Default::default()`", "let x: T = Default::default();"),
    ("no-default", "struct V { x: f64 }\nfn main() {\n    let v: V = Default::default();\n}\n",
     3, 16, "the trait `Default` is not implemented for `V`", "add `#[derive(Default)]`"),
    ("no-eq", "struct V { x: f64 }\nfn main() {\n    let a = V { x: 1.0 };\n"
     "    let b = a == V { x: 2.0 };\n}\n", 4, 15, "cannot compare values of type `V`",
     "add `#[derive(PartialEq)]` above `struct V`"),
    ("no-clone", "struct V { x: f64 }\nfn main() {\n    let a = V { x: 1.0 };\n"
     "    let b = a.clone();\n}\n", 4, 15, "no method named `clone` found for struct `V`",
     "add `#[derive(Clone)]` above `struct V`"),
    ("impl-for-value-and-reference", "use std::ops::Add;\nstruct V { x: f64 }\n"
     "impl Add for V {\n    type Output = V;\n    fn add(self, o: V) -> V { o }\n}\n"
     "impl Add for &V {\n    type Output = V;\n    fn add(self, o: &V) -> V { V { x: o.x } }\n}\n"
     "fn main() { }\n", 9, 8, "the method `V::add` is defined more than once", None),
    ("associated-type-missing", "trait Bag {\n    type Item;\n    fn get(&self) -> Self::Item;\n}\n"
     "struct B { x: f64 }\nimpl Bag for B {\n    fn get(&self) -> f64 { self.x }\n}\n"
     "fn main() { }\n", 6, 6, "not all trait items implemented, missing: `Item`",
     "implement the missing items in `impl Bag for B`"),
    ("associated-type-unknown", "trait Bag {\n    fn get(&self) -> f64;\n}\n"
     "struct B { x: f64 }\nimpl Bag for B {\n    type Item = f64;\n"
     "    fn get(&self) -> f64 { self.x }\n}\nfn main() { }\n", 6, 17,
     "type `Item` is not a member of trait `Bag`", "declare it in the trait: `type Item;`"),
]


@pytest.mark.parametrize("source,line,col,fragment,help_text", [c[1:] for c in ERRORS],
                         ids=[c[0] for c in ERRORS])
def test_trait_error(source, line, col, fragment, help_text):
    check_diagnostic(first_error(source), "prog.sx", line, col, fragment, source, help_text)


DUAL_STATE = """
#[derive(Clone, Copy, Default, PartialEq)]
struct S { t: dual, n: i64 }

pub fn default_value() -> f64 { S::default().t.val }
pub fn default_count() -> i64 { S::default().n }
pub fn same(x: f64, y: f64) -> bool {
    let a = S { t: dual::variable(x), n: 1 };
    let b = S { t: dual::constant(y), n: 1 };
    a == b
}
pub fn cloned_slope(x: f64) -> f64 { let a = S { t: dual::variable(x) * 3.0, n: 0 }; a.clone().t.der }
"""


@pytest.mark.parametrize("mode", ["train", "release"])
def test_derives_with_dual_fields(mode):
    module = sxc.compile(DUAL_STATE, mode=mode)
    assert module.default_value() == 0.0
    assert module.default_count() == 0
    # duals compare by value, whatever their tangents
    assert module.same(2.0, 2.0) is True
    assert module.same(2.0, 3.0) is False
    assert module.cloned_slope(1.0) == (3.0 if mode == "train" else 0.0)


def test_lowered_derives_compile_again():
    compiled = compile_program(DUAL_STATE, "<string>", Options(opt_level=0))
    text = print_program(compiled.program)
    assert "fn eq(&self, other: &S) -> bool" in text
    assert "#[derive(Copy)]" in text
    again = compile_program(text, "lowered.sx", Options(opt_level=0))
    assert "S::eq" in again.program.functions


def test_tuple_comparison_evaluates_each_side_once():
    source = """
pub fn count() -> i64 {
    let mut calls = 0;
    let mut k = 0;
    while k < 3 {
        if (k, 1.0) == (1, 1.0) { calls += 10; }
        k += 1;
        calls += 1;
    }
    calls
}
"""
    assert sxc.compile(source).count() == 13


def test_derive_in_module_is_public(tmp_path):
    (tmp_path / "shapes.sx").write_text(
        "#[derive(Clone, Default, PartialEq)]\npub struct P { pub x: f64 }\n")
    main = tmp_path / "main.sx"
    main.write_text("mod shapes;\npub fn check() -> bool {\n"
                    "    let p = shapes::P::default();\n    p.clone() == p\n}\nfn main() { }\n")
    assert sxc.compile(str(main)).check() is True


def test_trait_in_module(tmp_path):
    (tmp_path / "shapes.sx").write_text(
        "pub trait Shape {\n    fn area(&self) -> f64;\n"
        "    fn twice(&self) -> f64 { self.area() * 2.0 }\n}\n"
        "pub struct Sq { pub s: f64 }\n"
        "impl Shape for Sq {\n    fn area(&self) -> f64 { self.s * self.s }\n}\n")
    main = tmp_path / "main.sx"
    main.write_text("mod shapes;\nuse shapes::Shape;\nstruct C { r: f64 }\n"
                    "impl shapes::Shape for C {\n    fn area(&self) -> f64 { self.r }\n}\n"
                    "pub fn both() -> f64 {\n"
                    "    shapes::Sq { s: 3.0 }.twice() + C { r: 2.0 }.twice()\n}\n"
                    "fn main() { }\n")
    assert sxc.compile(str(main)).both() == 22.0
