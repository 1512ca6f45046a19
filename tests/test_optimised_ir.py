"""Structural checks of the optimised LLVM IR that `sxc run --emit llvm` prints.

These tests check the shape of the code that performance depends on, never a
timing: tangent lanes become vector float operations, no operation is fused
or reassociated, and the runtime helpers of a hot loop are inlined into it.
"""

import re

import numpy as np
import pytest

import sxc
from sxc import Dual
from conftest import ROOT, run_sxc

LANES_PROGRAM = """
fn step(x: dual, y: dual) -> dual {
    x * y + (x / y).sin() - 0.5 * x.exp()
}

fn run(a: f64, b: f64, n: i64) -> f64 {
    let mut x = dual::unit(a, 0);
    let y = dual::unit(b, 1);
    let mut k: i64 = 0;
    while k < n {
        x = step(x, y) * 0.001;
        k += 1;
    }
    x.lane(1)
}

fn mul_add(x: dual, y: dual) -> dual {
    x * y
}

fn main() {
    println!("{}", run(0.5, 2.0, 100));
}
"""

# A release-mode loop in the style of 2-opt annealing: random draws, a helper
# that takes a slice, `Vec` indexing and `exp`.
LOOP_PROGRAM = """
#![mode = "release"]

fn cost(d: &[f64], tour: &Vec<usize>, i: usize, j: usize) -> f64 {
    let n = tour.len();
    d[tour[i] * n + tour[j]] - d[tour[(i + 1) % n] * n + tour[j]]
}

fn anneal(d: &[f64], steps: i64, seed: u64) -> f64 {
    let mut rng = Rng::new(seed);
    let mut tour: Vec<usize> = Vec::new();
    for k in 0..10 {
        tour.push(k);
    }
    let mut t = 10.0;
    let mut total = 0.0;
    for s in 0..steps {
        let i = rng.below(10) as usize;
        let j = rng.below(10) as usize;
        let delta = cost(d, &tour, i, j);
        if delta < 0.0 || rng.u01() < (-delta / t).exp() {
            let tmp = tour[i];
            tour[i] = tour[j];
            tour[j] = tmp;
            total += delta;
        }
        t = t * 0.999;
    }
    total
}

fn main() {
    let d: Vec<f64> = Vec::new();
    println!("{}", anneal(&d, 0, 1));
}
"""

VECTOR_FLOAT_OP = re.compile(r"= f(?:add|sub|mul|div) <(\d+) x double>")
CALL_TARGET = re.compile(r"\bcall\b[^@]*@([\w.$\"]+)")


def emit(tmp_path, source: str, *options: str) -> str:
    path = tmp_path / "prog.sx"
    path.write_text(source)
    result = run_sxc("run", str(path), *options)
    assert result.returncode == 0, result.stderr
    return result.stdout


def program_functions(ir_text: str) -> list[str]:
    """Name the functions compiled from the user's code: `sx.NAME` and their exports."""
    names = re.findall(r"^define [^\n]*@([\w.$]+)\(", ir_text, re.M)
    return [n for n in names if n.startswith("__sx_export.")
            or n.startswith("sx.") and not n.startswith("sx.__")]


def function_body(ir_text: str, name: str) -> str:
    match = re.search(r"^define [^\n]*@" + re.escape(name) + r"\(.*?^}", ir_text,
                      re.M | re.S)
    assert match is not None, f"no definition of @{name} in the IR"
    return match.group(0)


@pytest.mark.parametrize("lanes", [2, 4, 8])
def test_tangent_lanes_become_vector_ops(tmp_path, lanes):
    ir_text = emit(tmp_path, LANES_PROGRAM, "--emit", "llvm", "--tangents", str(lanes))
    widths = [int(w) for w in VECTOR_FLOAT_OP.findall(ir_text)]
    assert widths, "no vector float operation in the optimised IR"
    assert max(widths) >= 2
    # LLVM decides whether `step` and `run` stay functions or get inlined
    # into the exported wrappers, so look at all of the program's own code
    program_code = "".join(function_body(ir_text, name) for name in program_functions(ir_text))
    assert VECTOR_FLOAT_OP.search(program_code), "the tangent lanes stay scalar"


def test_w2_tangent_lanes_become_vector_ops():
    workload = ROOT / "bench" / "workloads" / "rastrigin_meta.sx"
    result = run_sxc("run", str(workload), "--emit", "llvm", "--tangents", "6")
    assert result.returncode == 0, result.stderr
    program_code = "".join(function_body(result.stdout, name)
                           for name in program_functions(result.stdout))
    ops = set(re.findall(r"= (f(?:add|sub|mul|div)) <\d+ x double>", program_code))
    assert "fmul" in ops, ops
    assert "fadd" in ops, ops
    assert "fsub" in ops, ops


@pytest.mark.parametrize("opt", ["-O2", "-O3"])
def test_no_fast_math_flags(tmp_path, opt):
    ir_text = emit(tmp_path, LANES_PROGRAM, "--emit", "llvm", "--tangents", "4", opt)
    for flag in ("contract", "reassoc", "fast", "afn", "arcp", "nnan", "ninf", "nsz"):
        assert not re.search(rf"\bf\w+ {flag}\b", ir_text), flag
    assert "llvm.fmuladd" not in ir_text
    assert "llvm.fma." not in ir_text


def test_no_fused_multiply_add_in_asm(tmp_path):
    asm = emit(tmp_path, LANES_PROGRAM, "--emit", "asm", "--tangents", "4", "-O3")
    assert re.search(r"\bv?mulpd|\bv?mulsd", asm), "no multiply in the assembly"
    assert not re.search(r"\bvf(?:n)?m(?:add|sub)", asm)


MUL_ADD_PROGRAM = """
fn mul_add(x: dual, y: dual) -> dual {
    x * y
}
"""

# a * b + c where one rounding (FMA) and two roundings differ: with
# a = 1 + 2^-30 and b = 1 - 2^-30, a * b = 1 - 2^-60 rounds to 1.0, so the
# unfused sum with c = -1 is 0 while the fused one is -2^-60.
A = 1.0 + 2.0 ** -30
B = 1.0 - 2.0 ** -30


@pytest.mark.parametrize("lanes", [1, 4])
def test_product_tangent_rounds_each_operation(lanes):
    # LANES_PROGRAM seeds lane 1, a compile error with one lane
    module = sxc.compile(MUL_ADD_PROGRAM, mode="train", tangents=lanes, opt_level=3)
    # tangent of x * y is x.der * y.val + x.val * y.der = A * B + 1.0 * (-1.0)
    x = Dual(1.0, tangents=(A,) * lanes)
    y = Dual(B, tangents=(-1.0,) * lanes)
    expected = A * B + 1.0 * -1.0
    assert expected == 0.0
    result = module.mul_add(x, y)
    tangents = result.tangents if lanes > 1 else (result.der,)
    assert list(tangents) == [expected] * lanes


def test_hot_loop_helpers_are_inlined(tmp_path):
    ir_text = emit(tmp_path, LOOP_PROGRAM, "--emit", "llvm", "-O2")
    defined = set(re.findall(r"^define [^\n]*@([\w.$\"]+)\(", ir_text, re.M))
    # LLVM may inline `anneal` itself into the wrapper that Python calls
    body = function_body(ir_text, "sx.anneal" if "sx.anneal" in defined
                         else "__sx_export.anneal")
    called = set(CALL_TARGET.findall(body))
    # The panic routines are cold and never return, so they stay out of line,
    # and so does the flush of stdout that ends a wrapper's call.
    assert called & defined <= {"__sx_panic", "__sx_panic_fmt", "__sx_flush"}, \
        called & defined
    assert "llvm.exp.f64" in called


def test_panic_routines_are_cold(tmp_path):
    ir_text = emit(tmp_path, LOOP_PROGRAM, "--emit", "llvm", "-O2")
    groups = dict(re.findall(r"^attributes (#\d+) = \{ ([^}]*) \}", ir_text, re.M))
    for name in ("__sx_panic", "__sx_panic_fmt"):
        # metadata such as `!section_prefix` may follow the attribute group
        header = re.search(r"^define [^\n]*@" + name + r"\([^\n]*\) [^\n]*?(#\d+)[^\n]*\{$",
                           ir_text, re.M)
        assert header is not None, name
        attributes = groups[header.group(1)].split()
        assert "cold" in attributes, name
        assert "noreturn" in attributes, name


# sxc has no borrow checker, and Python may pass one array twice.  So a `&mut`
# slice and a shared slice can alias, and slice parameters must not be `noalias`.
ALIAS_PROGRAM = """
fn write_then_read(a: &mut [f64], b: &[f64]) -> f64 {
    a[0] = 5.0;
    b[0]
}

fn through_one_vec() -> f64 {
    let mut v = vec![1.0, 2.0];
    write_then_read(&mut v, &v)
}
"""


@pytest.mark.parametrize("opt_level", [0, 3])
def test_aliased_slices_see_the_write(opt_level):
    module = sxc.compile(ALIAS_PROGRAM, opt_level=opt_level)
    shared = np.array([1.0, 2.0])
    assert module.write_then_read(shared, shared) == 5.0
    assert shared[0] == 5.0
    assert module.through_one_vec() == 5.0


def test_iter_over_array_reads_it_in_place(tmp_path):
    # `a.iter()` borrows the array: copying a [f64; 10000] as one LLVM value
    # made LLVM's O2 pipeline take about 25 s for this program.
    program = ("fn main() {\n    let a = [1.5f64; 10000];\n    let mut s = 0.0;\n"
               "    for x in a.iter() {\n        s += x;\n    }\n    println!(\"{}\", s);\n}\n")
    ir_text = emit(tmp_path, program, "--emit", "llvm", "-O0")
    assert "load [10000 x double]" not in ir_text
    assert run_sxc("run", str(tmp_path / "prog.sx")).stdout == "15000\n"
