"""The warnings about bindings: unused variables (SXW005) and unneeded `mut` (SXW006).

Each case runs the real command line.  The clean program exercises the uses
that must count (format captures, field shorthand, closures, `&mut` borrows,
compound assignment, `&mut self` calls), and the noisy one contains exactly the
bindings that rustc's `unused_variables` and `unused_mut` lints report.
"""

from __future__ import annotations

import re

from conftest import ROOT
from test_diagnostics import no_traceback, sxc_cli

CLEAN = """\
struct P { x: f64, y: f64 }
fn make(x: f64, y: f64) -> P { P { x, y } }
fn apply<F: FnMut(i64)>(mut f: F) { f(1); f(2); }
fn twice<T: Copy>(v: T) -> (T, T) { let w = v; (w, w) }
fn scale(xs: &mut [f64]) { for i in 0..xs.len() { xs[i] *= 2.0; } }
fn main() {
    let x = 3;
    println!("{x}");
    let p = make(1.0, 2.0);
    println!("{} {}", p.x, p.y);
    let k = 2.0;
    let g = |v: f64| v * k;
    println!("{}", g(1.0));
    let a = 1;
    let a = a + 1;
    println!("{}", a);
    let mut v = Vec::new();
    v.push(1);
    let mut c = 0;
    c += 1;
    println!("{} {}", v.len(), c);
    let mut arr = [0; 3];
    arr[0] = 1;
    let mut q = P { x: 0.0, y: 0.0 };
    q.x = 1.0;
    println!("{:?} {}", arr, q.x);
    let mut total = 0;
    apply(|n| total += n);
    let mut count = 0;
    let mut inc = || count += 1;
    inc();
    println!("{} {}", total, count);
    let mut w = vec![1.0, 2.0];
    for e in w.iter_mut() { *e *= 2.0; }
    let mut u = vec![1.0];
    for e in &mut u { *e += 1.0; }
    let mut m = [1.0, 2.0];
    scale(&mut m);
    println!("{:?} {:?} {:?}", w, u, m);
    let z = 5;
    assert!(z == 5);
    var plain = 1;
    let (b, _) = twice(2.5);
    let _quiet = 7;
    println!("{} {}", plain, b);
    let doubled: f64 = w.iter().map(|x| x * 2.0).sum();
    let mut keys = vec![3, 1, 2];
    keys.sort_by_key(|k| -k);
    println!("{} {:?}", doubled, keys);
}
"""

NOISY = """\
fn f(mut unused_param: i64) -> i64 { 1 }
fn main() {
    let a = 1;
    let a = 2;
    let mut b = 3;
    println!("{} {}", a, b);
    let t = (1, 2);
    match t {
        (m, n) => println!("{}", m),
    }
    let k = 2.0;
    let never = |v: f64| v * k;
    for i in 0..3 {
        println!("{}", f(1));
    }
}
"""

# (line, column, code, message) of each warning NOISY must produce, in order.
NOISY_WARNINGS = [
    (1, 10, "SXW005", "unused variable: `unused_param`"),
    (3, 9, "SXW005", "unused variable: `a`"),
    (5, 9, "SXW006", "variable `b` does not need to be mutable"),
    (9, 13, "SXW005", "unused variable: `n`"),
    (12, 9, "SXW005", "unused variable: `never`"),
    (13, 9, "SXW005", "unused variable: `i`"),
]

HEADER = re.compile(r"^(.*):(\d+):(\d+): warning\[(SXW\d{3})\]: (.*)$", re.M)


def test_clean_program_has_no_warnings(tmp_path):
    path, proc = sxc_cli(tmp_path, CLEAN, command="run")
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.splitlines()[0] == "3"


def test_noisy_program_warnings(tmp_path):
    path, proc = sxc_cli(tmp_path, NOISY, command="run")
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    found = [(int(line), int(col), code, message)
             for file, line, col, code, message in HEADER.findall(proc.stderr)]
    assert found == NOISY_WARNINGS, proc.stderr
    assert "prefix it with an underscore: `_unused_param`" in proc.stderr
    assert "= help: remove this `mut`" in proc.stderr


def test_unused_mut_caret_covers_mut(tmp_path):
    path, proc = sxc_cli(tmp_path, NOISY)
    lines = proc.stderr.splitlines()
    quoted = lines.index("5 |     let mut b = 3;")
    assert lines[quoted + 1] == "  |         ^^^^^"


def test_no_lints_with_errors(tmp_path):
    source = "fn main() {\n    let unused = 1;\n    let x: f64 = true;\n}\n"
    path, proc = sxc_cli(tmp_path, source)
    assert proc.returncode == 1
    assert "warning" not in proc.stderr
    assert "error[SX0301]" in proc.stderr


def test_examples_have_no_lints(tmp_path):
    for example in sorted((ROOT / "examples").glob("*.sx")):
        source = example.read_text()
        path, proc = sxc_cli(tmp_path, source, name=example.name)
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr == "", example.name


ALLOWED = """\
#![allow(clippy::needless_range_loop, dead_code)]
#[allow(unused_variables)]
fn quiet() {
    let x = 5;
}
struct S { a: i64 }
impl S {
    #[allow(unused_mut)]
    fn m(&self) -> i64 { let mut z = self.a; z }
    fn n(&self) -> i64 { let mut w = self.a; w }
}
#[allow(unused)]
fn grouped(k: i64) -> i64 {
    let mut y = k;
    match k { _ => 1, 2 => 3 }
}
fn main() {
    let x = 5;
    #[allow(unused_mut)]
    let mut y = 3;
    let mut q = 4;
    #[allow(unused_variables)]
    let t = 1;
    quiet();
    println!("{} {} {} {}", y, q, S { a: 1 }.m() + S { a: 2 }.n(), grouped(2));
}
"""

# the warnings left: those outside every `#[allow(..)]` that silences them
ALLOWED_WARNINGS = [
    (10, 30, "SXW006", "variable `w` does not need to be mutable"),
    (18, 9, "SXW005", "unused variable: `x`"),
    (21, 9, "SXW006", "variable `q` does not need to be mutable"),
]


def test_allow_attributes_silence_warnings(tmp_path):
    path, proc = sxc_cli(tmp_path, ALLOWED, command="run")
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    found = [(int(line), int(col), code, message)
             for file, line, col, code, message in HEADER.findall(proc.stderr)]
    assert found == ALLOWED_WARNINGS, proc.stderr


def test_inner_allow_silences_file(tmp_path):
    source = "#![allow(unused_variables, unused_mut)]\n" + NOISY
    path, proc = sxc_cli(tmp_path, source, command="run")
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    assert "warning" not in proc.stderr


def test_allow_warnings_silences_all(tmp_path):
    source = "#![allow(warnings)]\n" + NOISY
    path, proc = sxc_cli(tmp_path, source, command="run")
    assert proc.returncode == 0, proc.stderr
    assert "warning" not in proc.stderr


def test_allow_other_lint_keeps_warnings(tmp_path):
    source = "#![allow(dead_code)]\n" + NOISY
    path, proc = sxc_cli(tmp_path, source, command="run")
    found = [(int(line) - 1, int(col), code, message)
             for file, line, col, code, message in HEADER.findall(proc.stderr)]
    assert found == NOISY_WARNINGS, proc.stderr
