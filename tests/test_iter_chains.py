"""Iterator chains and sorts by closure: the errors sxc gives, and the code it makes.

Each rejected chain gets one error with a caret under the call.  An accepted
chain compiles to a loop with its closures inlined.
"""

from __future__ import annotations

import re

import pytest

from sxc.diagnostics import CompileError
from sxc.driver import Options, compile_program
from conftest import check_diagnostic, run_sxc


def in_main(statement: str) -> str:
    return f"fn main() {{\n    let v = vec![1.0, 2.0];\n    {statement}\n}}\n"


def errors(source: str):
    with pytest.raises(CompileError) as info:
        compile_program(source, "prog.sx", Options(opt_level=0))
    return [d for d in info.value.diagnostics if d.severity == "error"]


# (id, statement on line 3, col, message fragment, help fragment)
CASES = [
    ("lazy-map", "let w = v.iter().map(|x| x * 2.0);", 22,
     "sxc supports the iterator adapter `map` only in a chain that ends in a consumer",
     "`.fold(..)`"),
    ("max-float", "let m = v.iter().copied().max();", 31,
     "the trait `Ord` is not implemented for `f64`, which `max` needs",
     "`.fold(f64::NEG_INFINITY, f64::max)`"),
    ("min-float", "let m = v.iter().map(|x| x * 2.0).min();", 39,
     "the trait `Ord` is not implemented for `f64`, which `min` needs",
     "`.fold(f64::INFINITY, f64::min)`"),
    ("max-by-key-float", "let m = v.iter().max_by_key(|x| x.abs());", 22,
     "the trait `Ord` is not implemented for `f64`, which the key of `max_by_key` needs",
     "`.max_by(|a, b| key(a).total_cmp(&key(b)))`"),
    ("min-by-key-float-tuple", "let m = v.iter().enumerate().min_by_key(|p| (p.0, *p.1));", 34,
     "the trait `Ord` is not implemented for `(usize, f64)`", "`total_cmp`"),
    ("collect-refs", "let w = v.iter().map(|x| x).collect::<Vec<&f64>>();", 43,
     "sxc cannot collect an iterator chain into `Vec<&f64>`", "collect into `Vec<f64>`"),
    ("scan-no-option", "let s: Vec<f64> = v.iter().scan(0.0, |acc, x| *acc + x).collect();", 32,
     "`scan` takes a closure that returns an `Option`, but this one returns `f64`",
     "return `Some(value)`"),
    ("flat-map-number", "let s: f64 = v.iter().flat_map(|x| x * 2.0).sum();", 40,
     "sxc supports `flat_map` with a closure that returns a range, a sequence or an iterator "
     "chain over one", "return `a..b`, `v.iter()` or a `Vec`"),
    ("flat-map-unit", "let s: f64 = v.iter().flat_map(|x| { x; }).sum();", 36,
     "this closure returns `()`, not an iterator", None),
    ("flat-map-shadow",
     "let x = 2.0; let s: f64 = v.iter().flat_map(|&x| (0..3)).map(|k| x).sum();",
     70, "sxc inlines the closure of this `flat_map` around the code after it, where `x` names "
     "another variable", "rename the `flat_map` closure's `x`"),
    ("rev-after-flat-map", "let s: f64 = v.iter().flat_map(|r| 0..2).rev().sum();", 46,
     "sxc does not support `rev` after `flat_map`", "reverse the outer source"),
    ("flatten-option", "let s: f64 = vec![Some(1.0)].iter().flatten().sum();", 41,
     "sxc supports `flatten` only over items that are sequences", "`.filter_map(..)`"),
    ("max-by-bool", "let m = v.iter().max_by(|a, b| a < b);", 36,
     "mismatched types: expected `Ordering`, found `bool`", None),
    ("max-by-one-param", "let m = v.iter().max_by(|a| a.total_cmp(a));", 29,
     "this closure takes 1 argument but 2 are supplied here", None),
    ("reduce-arity", "let m = v.iter().reduce(0.0, |a, b| a + b);", 22,
     "`reduce` takes 1 argument but 2 were supplied", None),
    ("range-without-start", "let s: i64 = (..).map(|x: i64| x * 2).sum();", 19,
     "an iterator chain needs a range with a start", None),
    ("unzip-not-pairs",
     "let (a, b): (Vec<f64>, Vec<f64>) = v.iter().copied().unzip();", 58,
     "`unzip` takes items that are pairs, but these are `f64`", "map each item to a tuple"),
    ("rposition-after-map", "let p = v.iter().map(|x| x * 2.0).rposition(|x| x > 1.0);", 39,
     "sxc supports `rposition` only on a sequence and the adapters that index it",
     "collect the items into a `Vec` first"),
    ("flat-map-chain-continue",
     "'a: for x in (0..2).flat_map(|i| (0..i).map(|j| j).chain(5..6)) { continue 'a; }", 25,
     "sxc does not support a labelled `continue` in a loop over a `flat_map` whose closure "
     "returns a `chain` after `map`", "write `continue` without the label"),
    ("inspect", "let s: f64 = v.iter().inspect(|x| println!(\"{}\", x)).sum();", 27,
     "sxc does not support the iterator method `inspect`", "print inside a `map` closure"),
    ("peekable", "let p = v.iter().peekable();", 22,
     "sxc does not support the iterator method `peekable`", "index the sequence"),
    ("cycle-in-loop", "for x in v.iter().cycle().take(3) { println!(\"{}\", x); }", 23,
     "sxc does not support the iterator method `cycle`", None),
    ("filter-map-no-option", "let s: f64 = v.iter().filter_map(|x| x).sum();", 27,
     "`filter_map` takes a closure that returns an `Option`, but this one returns `f64`",
     "return `Some(value)`"),
    ("find-map-no-option", "let s = v.iter().find_map(|x| (x, 1));", 22,
     "`find_map` takes a closure that returns an `Option`, but this one returns `(f64, i64)`",
     "return `Some(value)`"),
    ("chain-after-map-continue",
     "'a: for x in v.iter().map(|x| x * 2.0).chain(v.iter()) { continue 'a; }", 62,
     "sxc does not support `continue 'a` in a loop over a `chain` after `map` or `filter`",
     "write `continue` without the label"),
    ("chain-open-range", "let s: i64 = (0..).map(|x| x * 2).chain(0..2).take(3).sum();", 19,
     "sxc does not support `chain` after an open range `a..`", None),
    ("rev-after-take", "let s: f64 = v.iter().map(|x| x * 2.0).take(1).rev().sum();", 52,
     "sxc supports `rev` only before the adapters that count items", "reverse the source"),
    ("sum-untyped", "let s = v.iter().map(|x| x * 2.0).sum();", 39,
     "type annotations needed: cannot infer the type of this `sum`", "`.sum::<f64>()`"),
    ("sum-bool", "let s = v.iter().map(|x| x * 2.0).sum::<bool>();", 39,
     "sxc cannot `sum` into a value of type `bool`", "a number type"),
    ("collect-string", "let s: String = v.iter().map(|x| x * 2.0).collect();", 21,
     "a `String` cannot be collected from items of type `f64`", "collect `char`s or strings"),
    ("collect-bool", "let s: bool = v.iter().map(|x| x * 2.0).collect();", 45,
     "sxc collects iterator chains only into a `Vec<T>` or a `String`, not `bool`", None),
    ("closure-arity", "let s: f64 = v.iter().map(|x, y| x * y).sum();", 31,
     "this closure takes 2 arguments but 1 is supplied here", None),
    ("adapter-arity", "let s: f64 = v.iter().take().sum();", 27,
     "`take` takes 1 argument but 0 were supplied", None),
    ("zip-inclusive-range", "let s: f64 = v.iter().zip(0..=2).map(|(a, b)| a * b as f64).sum();",
     31, "sxc supports `zip` with a range `a..b` or `a..`, not `a..=b` or `..b`", None),
    ("zip-mapped", "let s: f64 = v.iter().zip(v.iter().map(|x| x * 2.0)).map(|(a, b)| a * b).sum();",
     31, "sxc supports `zip` with a sequence such as `b.iter()` or `&b`", None),
    ("sort-by-ordering", "let mut w = v.clone(); w.sort_by(|a, b| if a < b { 1 } else { 2 });",
     45, "mismatched types: expected `Ordering`, found `i64`", None),
    ("sort-by-unwrap-or", "let mut w = v.clone(); w.sort_by(|a, b| a.partial_cmp(b).unwrap_or(3));",
     72, "mismatched types: expected `Ordering`, found `i64`", None),
    ("sort-by-function", "let mut w = v.clone(); w.sort_by(compare);", 38,
     "sxc supports `sort_by` with a closure `|a, b| ...` that compares its arguments",
     "`|a, b| a.partial_cmp(b).unwrap()`"),
    ("sort-by-one-param", "let mut w = v.clone(); w.sort_by(|a| a.partial_cmp(a).unwrap());", 38,
     "sxc supports `sort_by` with a closure `|a, b| ...`", None),
    ("sort-by-then-with-function",
     "let mut w = v.clone(); w.sort_by(|a, b| a.total_cmp(b).then_with(compare));", 70,
     "sxc supports `then_with` with a closure `|| ...` written in the call",
     "`.then_with(|| a.1.cmp(&b.1))`"),
    ("sort-by-then-unsupported",
     "let mut w = v.clone(); w.sort_by(|a, b| a.total_cmp(b).then(3));", 65,
     "mismatched types: expected `Ordering`, found `i64`", None),
    ("sort-by-key-arity", "let mut w = v.clone(); w.sort_by_key(|a| *a as i64, 3);", 30,
     "`sort_by_key` takes 1 argument but 2 were supplied", None),
    ("iter-mut-immutable", "v.iter_mut().for_each(|x| *x *= 2.0);", 5,
     "cannot borrow `v` as mutable", "let mut v"),
]


@pytest.mark.parametrize("statement,col,fragment,help_text", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_chain_error(statement, col, fragment, help_text):
    source = in_main(statement)
    found = errors(source)
    assert len(found) == 1, "\n\n".join(d.render() for d in found)
    check_diagnostic(found[0].render(), "prog.sx", 3, col, fragment, source, help_text)


CHAIN_PROGRAM = """
#![mode = "release"]

fn energy(xs: &[f64], ys: &[f64], scale: f64) -> f64 {
    xs.iter().zip(ys.iter()).map(|(x, y)| (x - y) * scale).filter(|d| *d > 0.0)
        .map(|d| d * d).sum::<f64>()
}

fn main() {
    let xs = vec![1.0, 2.0, 3.0];
    let ys = vec![0.5, 2.5, 1.0];
    println!("{}", energy(&xs, &ys, 2.0));
}
"""

CALL_TARGET = re.compile(r"\bcall\b[^@]*@([\w.$\"]+)")


def test_chain_compiles_to_one_loop(tmp_path):
    path = tmp_path / "prog.sx"
    path.write_text(CHAIN_PROGRAM)
    result = run_sxc("run", str(path), "--emit", "llvm", "-O2")
    assert result.returncode == 0, result.stderr
    # the function is inlined into its callers and into the wrapper Python calls
    match = re.search(r"^define [^\n]*@__sx_export\.energy\(.*?^}", result.stdout,
                      re.M | re.S)
    assert match is not None, "no definition of @__sx_export.energy in the IR"
    called = set(CALL_TARGET.findall(match.group(0)))
    assert "closure" not in result.stdout
    assert not {"malloc", "realloc"} & called, called
    # The wrapper catches panics with setjmp and flushes stdout.  Apart from
    # those, only LLVM intrinsics such as llvm.umin (the zip's length) remain.
    others = {c for c in called if not c.startswith("llvm.")}
    assert others <= {"_setjmp", "__sx_flush", "__sx_panic", "__sx_panic_fmt"}, others


OPTION_CONSUMER_PROGRAM = """
#![mode = "release"]

fn argmax(xs: &[f64]) -> usize {
    xs.iter().enumerate().max_by(|a, b| a.1.partial_cmp(b.1).unwrap()).map(|(i, _)| i).unwrap()
}

fn widest(xs: &[i64], n: usize) -> i64 {
    (0..n).flat_map(|i| xs.iter().skip(i)).copied().max_by_key(|x| x.abs()).unwrap_or(0)
}

fn halves(xs: &[i64]) -> i64 {
    xs.iter().filter_map(|&x| if x % 2 == 0 { Some(x / 2) } else { None }).sum::<i64>()
}

fn main() {
    let xs = vec![1.0, 3.0, 2.0];
    let ys = vec![4, -9, 2];
    println!("{} {} {}", argmax(&xs), widest(&ys, 2), halves(&ys));
}
"""


@pytest.mark.parametrize("function", ["argmax", "widest", "halves"])
def test_option_consumers_compile_to_loops(tmp_path, function):
    path = tmp_path / "prog.sx"
    path.write_text(OPTION_CONSUMER_PROGRAM)
    result = run_sxc("run", str(path), "--emit", "llvm", "-O2")
    assert result.returncode == 0, result.stderr
    match = re.search(rf"^define [^\n]*@__sx_export\.{function}\(.*?^}}", result.stdout,
                      re.M | re.S)
    assert match is not None, f"no definition of @__sx_export.{function} in the IR"
    # `partial_cmp(..).unwrap()` builds its panic message in a block that ends
    # in the panic, so only the blocks that go on count
    blocks = re.split(r"\n(?=[\w.]+:)", match.group(0))
    going_on = [b for b in blocks if not b.rstrip().endswith("unreachable")]
    called = set(CALL_TARGET.findall("\n".join(going_on)))
    others = {c for c in called if not c.startswith("llvm.")}
    assert others <= {"_setjmp", "__sx_flush"}, others
