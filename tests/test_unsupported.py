"""Constructs outside the subset: each gets one diagnostic that names it, with a caret
under it and a help, never a cascade of syntax errors or a traceback.

Each case compiles a small program in-process and checks the first diagnostic,
and `test_one_diagnostic_each` checks that no other error follows it.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from sxc.diagnostics import CompileError
from sxc.driver import Options, compile_program
from conftest import check_diagnostic, count_errors


def diagnostics(source: str):
    with pytest.raises(CompileError) as info:
        compile_program(source, "prog.sx", Options(opt_level=0))
    return info.value



def in_main(statement: str) -> str:
    return f"fn main() {{\n    {statement}\n}}\n"


# (id, source, line, col, message fragment, help fragment)
CASES = [
    ("generic-trait", "trait Scale<T> {\n    fn scale(&self, k: T) -> T;\n}\nfn main() { }\n",
     1, 1, "sxc does not support generic traits", "a trait without parameters"),
    ("trait-object", "fn f(g: &dyn Fn(f64) -> f64) { }\nfn main() { }\n", 1, 10,
     "sxc does not support closure trait objects (`dyn Fn`)", "F: Fn(f64) -> f64"),
    ("boxed-trait-object-without-impl",
     "trait Shape { }\nfn f(s: Box<dyn Shape>) { }\nfn main() { }\n",
     2, 13, "sxc needs a type that implements `Shape` to make `dyn Shape`", "`T: Shape`"),
    ("trait-object-of-unknown-trait", "fn f(s: Box<dyn Shape>) { }\nfn main() { }\n",
     1, 13, "cannot find trait `Shape` in this scope", "declare `trait Shape`"),
    ("trait-object-with-arguments",
     "trait Shape { fn a(&self); }\nfn f(s: Box<dyn Shape<f64>>) { }\nfn main() { }\n",
     2, 13, "sxc supports `dyn Shape` only for a trait without arguments declared in this "
     "file", "`T: Shape`"),
    ("collect-into-dyn-refs",
     "trait A { fn f(&self) -> i64; }\nstruct S { x: i64 }\nimpl A for S { fn f(&self) -> i64 "
     "{ self.x } }\nfn main() {\n    let v: Vec<Box<dyn A>> = vec![Box::new(S { x: 1 })];\n"
     "    let r: Vec<&dyn A> = v.iter().map(|b| b.as_ref()).collect();\n}\n",
     6, 55, "sxc cannot collect an iterator chain into `Vec<&dyn A>`",
     "push the items into the `Vec<&dyn A>` in a `for` loop"),
    ("trait-object-with-const",
     "trait A { const N: u32; fn f(&self); }\nstruct S { x: i64 }\n"
     "impl A for S { const N: u32 = 1; fn f(&self) {} }\n"
     "fn main() {\n    let v: Vec<Box<dyn A>> = Vec::new();\n}\n",
     5, 20, "the trait `A` cannot be made into an object", "move the constant into a method"),
    ("trait-object-of-two-traits",
     "trait A { }\ntrait B { }\nfn f(s: Box<dyn A + B>) { }\nfn main() { }\n",
     3, 21, "sxc does not support a trait object with a second trait `B`", "`trait Both: B`"),
    ("trait-object-mut-local",
     "trait A { fn f(&mut self); }\nstruct S { x: i64 }\nimpl A for S { fn f(&mut self) {} }\n"
     "fn main() {\n    let mut s = S { x: 1 };\n    let r: &mut dyn A = &mut s;\n}\n",
     6, 25, "mismatched types: expected `&mut dyn A`, found `&mut S`",
     "only as the type of a function's parameter"),
    ("trait-object-without-impl",
     "trait A { fn f(&self); }\nstruct S { x: i64 }\nstruct R { x: i64 }\n"
     "impl A for S { fn f(&self) {} }\n"
     "fn main() {\n    let v: Vec<Box<dyn A>> = vec![Box::new(R { x: 1 })];\n}\n",
     6, 44, "the trait bound `R: A` is not satisfied", "add `impl A for R`"),
    ("typed-self-other", "struct S { x: i64 }\nimpl S { fn f(self: Vec<Self>) {} }\nfn main() { }\n",
     2, 21, "sxc does not support this type of `self`", "`self: Box<Self>`"),
    ("endless-impl-iterator",
     "fn squares() -> impl Iterator<Item = u64> {\n    (1..).map(|x| x * x)\n}\nfn main() { }\n",
     2, 6, "sxc cannot return an endless iterator as `impl Iterator`", "`.take(n)`"),
    ("impl-iterator-without-item", "fn f() -> impl Iterator {\n    0..3\n}\nfn main() { }\n",
     1, 11, "return types other than `impl Fn(..)` and `impl Iterator<Item = T>`",
     "name the concrete type"),
    ("impl-iterator-in-trait",
     "trait Rows {\n    fn rows(&self) -> impl Iterator<Item = u8>;\n}\nfn main() { }\n",
     2, 23, "sxc supports `impl Iterator` as a return type only in a function with a body",
     "return a `Vec<T>`"),
    ("impl-iterator-two-args",
     "fn f() -> impl Iterator<Item = u8, Item = u8> {\n    0..3\n}\nfn main() { }\n",
     1, 11, "sxc supports `impl Iterator` as a return type only with its item type",
     "write the item type"),
    ("from-missing-impl",
     "struct M(f64);\nfn main() {\n    let y: f32 = M(1.0).into();\n}\n",
     3, 18, "the trait `From<M>` is not implemented for `f32`", "write `impl From<M> for f32`"),
    ("impl-trait-let", "trait Shape { }\nfn main() {\n    let x: impl Shape = 1;\n}\n", 3, 12,
     "`impl Trait` is allowed only in the parameter types of a function", None),
    ("rc", in_main("let r = Rc::new(1.0);"), 2, 13, "sxc does not support `Rc`", None),
    ("refcell", in_main("let r = std::cell::RefCell::new(1.0);"), 2, 24,
     "sxc does not support `RefCell`", "`&mut` references"),
    ("u128-literal", in_main("let x = 5u128;"), 2, 13,
     "sxc does not support 128-bit integer literals yet", "use `i64` or `u64`"),
    ("mutex", in_main("let m = Mutex::new(1);"), 2, 13, "sxc does not support `Mutex`",
     "single-threaded"),
    ("use-cell", "use std::cell::Cell;\nfn main() { }\n", 1, 5,
     "sxc does not support `Cell`", None),
    ("question-mark-on-number", in_main('let x: f64 = 2.0f64.sqrt()?;'), 2, 18,
     "sxc does not support the `?` operator on `f64`, only on an `Option` or a `Result`",
     "match on the value"),
    ("operator-overloading", "struct V { x: f64 }\nimpl Shr for V { }\nfn main() { }\n",
     2, 6, "operator overloading (`impl Shr for V`)", "fn shr(self"),
    ("async-block", in_main("let x = async { 1 };"), 2, 13, "sxc does not support `async` blocks",
     "synchronously"),
    ("async-move-block", in_main("let x = async move { 1 };"), 2, 13, "`async` blocks", None),
    ("unknown-macro", in_main("dbg!(1);"), 2, 5, "unknown macro `dbg!`", "sxc knows `println!`"),
    ("unknown-bracket-macro", in_main("let v = arr![1];"), 2, 13, "unknown macro `arr!`",
     "`vec!`"),
    ("unsafe-fn", "unsafe fn f() { }\nfn main() { }\n", 1, 1,
     "sxc does not support `unsafe` functions and impls", "remove `unsafe`"),
    ("raw-pointer-type", "fn f(p: *const f64) { }\nfn main() { }\n", 1, 9,
     "sxc does not support raw pointers", "index into a `Vec`"),
    ("raw-pointer-cast", in_main("let p = &1.0 as *mut f64;"), 2, 21, "raw pointers", None),
    ("impl-trait-return", "fn f() -> impl Clone { 0 }\nfn main() { }\n", 1, 11,
     "`impl Trait` return types other than `impl Fn(..)`", "name the concrete type"),
    ("static-mut", "static mut N: i64 = 0;\nfn main() { }\n", 1, 1, "mutable statics",
     "`&mut` parameter"),
    ("extern-crate", "extern crate rand;\nfn main() { }\n", 1, 1, "`extern crate`", None),
    ("macro-definition", "macro_rules! sq { ($x:expr) => { $x * $x }; }\nfn main() { }\n", 1, 1,
     "sxc does not support macro definitions", "write a function"),
    ("union", "union U { a: f64, b: u64 }\nfn main() { }\n", 1, 1, "sxc does not support unions",
     None),
    ("i128", in_main("let x: i128 = 1;"), 2, 12, "sxc does not support `i128`", "`i64`"),
    ("str-method", in_main('let n = "ab".retain(1);'), 2, 18,
     "no method named `retain` found for `&str`", "sxc's strings have"),
    ("iterator-adapter", in_main("let v = vec![1.0]; let w = v.iter().map(1);"), 2, 41,
     "sxc supports the iterator adapter `map` only in a chain that ends in a consumer",
     "end the chain with `.sum::<T>()`"),
    ("derive-serialize", "#[derive(Serialize)]\nstruct V { x: f64 }\nfn main() { }\n", 1, 1,
     "`#[derive(Serialize)]`", "`PartialOrd`, `Ord` and `Hash`"),
]


@pytest.mark.parametrize("source,line,col,fragment,help_text", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_unsupported(source, line, col, fragment, help_text):
    rendered = diagnostics(source).render().split("\n\n")[0]
    check_diagnostic(rendered, "prog.sx", line, col, fragment, source, help_text)


@pytest.mark.parametrize("case", [c for c in CASES if c[0] not in ("box-type",)],
                         ids=[c[0] for c in CASES if c[0] not in ("box-type",)])
def test_one_diagnostic_each(case):
    errors = [d for d in diagnostics(case[1]).diagnostics if d.severity == "error"]
    assert len(errors) == 1, "\n\n".join(d.render() for d in errors)


def test_lifetimes_are_ignored():
    source = ("struct View<'a> { n: usize }\n"
              "fn first<'a, T>(x: &'a [f64], k: &'static str) -> &'a f64 { &x[0] }\n"
              "impl<'a> View<'a> { fn size(&self) -> usize { self.n } }\n"
              "fn main() { let c = 'a'; 'outer: loop { break 'outer; } }\n")
    compile_program(source.replace(", T>", ">"), "prog.sx", Options(opt_level=0))


def test_cli_unsupported_without_traceback(tmp_path):
    path = tmp_path / "prog.sx"
    path.write_text("fn main() {\n    let m = Rc::new(1);\n    let n = m.clone();\n}\n")
    proc = subprocess.run([sys.executable, "-m", "sxc.cli", "check", str(path)],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert count_errors(proc.stderr) == 1, proc.stderr
