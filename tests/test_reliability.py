"""Hostile input and runtime faults: sxc reports them and never crashes.

Compile-time inputs must end in a compiled program or in diagnostics with
exit status 1.  Runtime faults end `sxc run` and native executables with
status 101 and a message that names the source location, and raise
`sxc.RuntimeError` in embedding while the interpreter keeps running.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys

import pytest

import sxc
from sxc import driver, parse, typecheck
from tests.conftest import ROOT, run_sxc

EXIT_RUNTIME_ERROR = 101
EXIT_TIME_LIMIT = 124


def write(tmp_path, text: str, name: str = "prog.sx"):
    path = tmp_path / name
    path.write_text(text)
    return path


def assert_clean_compile_error(done: subprocess.CompletedProcess) -> None:
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "error" in done.stderr


# ------------------------------------------------------------------ compile time

def test_flat_chain_of_100000_terms_rejected(tmp_path):
    chain = " + ".join(["1.0"] * 100_000)
    path = write(tmp_path, f"fn main() {{\n    let x = {chain};\n    println(\"{{}}\", x);\n}}\n")
    done = run_sxc("check", str(path))
    assert_clean_compile_error(done)
    assert f"nests more than {parse.MAX_NESTING} levels deep" in done.stderr
    assert "prog.sx:2:" in done.stderr
    assert "`let` bindings" in done.stderr


def test_nesting_limit_points_at_token():
    source = "fn main() {\n    let x = " + "(" * 20_000 + "1" + ")" * 20_000 + ";\n}\n"
    with pytest.raises(sxc.CompileError) as info:
        parse.parse_module(source, "deep.sx")
    diagnostic = info.value.diagnostics[0]
    assert diagnostic.span.line == 2
    # the 12,000th open parenthesis, plus `{` of `main`, passes the limit
    assert diagnostic.span.col == len("    let x = ") + parse.MAX_NESTING


def test_ten_thousand_nested_parens_compile(tmp_path):
    expr = "(" * 10_000 + "2.5" + ")" * 10_000
    module = sxc.compile(f"fn f() -> f64 {{ {expr} }}\n", cache=False)
    assert module.f() == 2.5


def test_recursion_in_parser_is_compile_error(monkeypatch):
    # with the pre-parse estimate out of the way, the parse tree's depth
    # exhausts a low recursion limit inside Lark's transformer
    monkeypatch.setattr(parse, "MAX_NESTING", 10**9)
    monkeypatch.setattr(driver, "RECURSION_LIMIT", 3_000)
    source = "fn f() -> f64 { " + "if true { " * 3_000 + "1.0" + " } else { 2.0 }" * 3_000 + " }\n"
    with pytest.raises(sxc.CompileError) as info:
        driver.compile_program(source, "ifs.sx", driver.Options())
    assert "nested too deeply" in info.value.diagnostics[0].message


def _nested_array(depth: int) -> str:
    return "[" * depth + "1.5" + "]" * depth


def test_array_nesting_limit_reported(tmp_path):
    depth = 2_000
    path = write(tmp_path, f"fn main() {{\n    let a = {_nested_array(depth)};\n}}\n")
    done = run_sxc("check", str(path), timeout=300)
    assert_clean_compile_error(done)
    assert done.stderr.count("error[SX0003]") == 1
    # the literal that makes the 65th level, counted from the innermost
    column = len("    let a = ") + depth - typecheck.MAX_TYPE_NESTING
    assert f"prog.sx:2:{column}: error[SX0003]: array type nests more than 64 levels deep" \
        in done.stderr
    assert "^^^" in done.stderr


def test_array_nesting_at_limit_compiles():
    depth = typecheck.MAX_TYPE_NESTING
    module = sxc.compile(f"fn f() -> f64 {{\n    let a = {_nested_array(depth)};\n"
                         f"    a{'[0]' * depth}\n}}\n", cache=False)
    assert module.f() == 1.5


def test_array_type_nesting_limit_reported():
    depth = typecheck.MAX_TYPE_NESTING + 1
    annotation = "[" * depth + "f64" + "; 1]" * depth
    with pytest.raises(sxc.CompileError) as info:
        sxc.compile(f"fn f(a: {annotation}) -> f64 {{\n    1.0\n}}\n", cache=False)
    diagnostics = info.value.diagnostics
    assert len(diagnostics) == 1
    assert diagnostics[0].code == "SX0003"
    assert diagnostics[0].message == "array type nests more than 64 levels deep"
    assert diagnostics[0].span.line == 1
    assert diagnostics[0].span.col == len("fn f(a: ") + 1


def test_tuple_nesting_limit_reported(tmp_path):
    depth = 2_000
    literal = "(" * depth + "1" + ",)" * depth
    path = write(tmp_path, f"fn main() {{\n    let t = {literal};\n}}\n")
    done = run_sxc("check", str(path), timeout=300)
    assert_clean_compile_error(done)
    assert done.stderr.count("error[SX0003]") == 1
    # the literal that makes the 65th level, counted from the innermost
    column = len("    let t = ") + depth - typecheck.MAX_TYPE_NESTING
    assert f"prog.sx:2:{column}: error[SX0003]: tuple type nests more than 64 levels deep" \
        in done.stderr


def test_tuple_type_nesting_limit_reported(tmp_path):
    depth = 2_000
    annotation = "(" * depth + "f64" + ",)" * depth
    path = write(tmp_path, f"fn f(t: {annotation}) -> f64 {{\n    1.0\n}}\nfn main() {{}}\n")
    done = run_sxc("check", str(path), timeout=300)
    assert_clean_compile_error(done)
    assert done.stderr.count("error[SX0003]") == 1
    assert "tuple type nests more than 64 levels deep" in done.stderr


def test_arrays_and_tuples_nest_together():
    # 65 levels, alternating tuple and array types
    annotation = "f64"
    for level in range(typecheck.MAX_TYPE_NESTING + 1):
        annotation = f"[{annotation}; 1]" if level % 2 else f"({annotation},)"
    with pytest.raises(sxc.CompileError) as info:
        sxc.compile(f"fn f(a: {annotation}) -> f64 {{\n    1.0\n}}\n", cache=False)
    diagnostics = info.value.diagnostics
    assert len(diagnostics) == 1
    assert diagnostics[0].code == "SX0003"
    assert diagnostics[0].message == "tuple type nests more than 64 levels deep"
    assert diagnostics[0].span.col == len("fn f(a: ") + 1


def test_tuple_nesting_at_limit_compiles():
    depth = typecheck.MAX_TYPE_NESTING
    literal = "(" * depth + "2.5" + ",)" * depth
    module = sxc.compile(f"fn f() -> f64 {{\n    let t = {literal};\n"
                         f"    t{'.0' * depth}\n}}\n", cache=False)
    assert module.f() == 2.5


def test_structs_sharing_a_field_type_check(tmp_path):
    # Each struct contains the previous one twice.  The check for recursive
    # structs once took time exponential in the number of structs; S13 contains
    # 8192 numbers, past the size limit, which is reported once.
    lines = ["struct S0 { v: f64 }"]
    lines += [f"struct S{i} {{ a: S{i - 1}, b: S{i - 1} }}" for i in range(1, 40)]
    path = write(tmp_path, "\n".join(lines) + "\nfn main() {}\n")
    done = run_sxc("check", str(path), timeout=300)
    assert_clean_compile_error(done)
    assert done.stderr.count("error[") == 1, done.stderr
    assert "prog.sx:14:1: error[SX0006]: struct `S13` contains 8192 values and is too large" \
        in done.stderr


def _doubling_tuples(count: int, last: str) -> str:
    lines = ["fn main() {", "    let t0 = (1.5, 2.5);"]
    lines += [f"    let t{i} = (t{i - 1}, t{i - 1});" for i in range(1, count + 1)]
    lines += [f'    println!("{{}}", t{count}{last});', "}"]
    return "\n".join(lines) + "\n"


def test_doubled_tuple_size_reported_once(tmp_path):
    # t40 would hold 2^41 numbers; checking it never finished
    path = write(tmp_path, _doubling_tuples(40, ".0.1"))
    done = run_sxc("check", str(path), timeout=120)
    assert_clean_compile_error(done)
    assert done.stderr.count("error[") == 1, done.stderr
    assert "prog.sx:14:15: error[SX0006]: a tuple type containing 8192 values is too large" \
        in done.stderr
    assert "^^^^^^^^^^" in done.stderr


def test_tuple_at_size_limit_runs(tmp_path):
    # t11 contains 2^12 = MAX_TYPE_LEAVES numbers
    assert 2 ** 12 == typecheck.MAX_TYPE_LEAVES
    path = write(tmp_path, _doubling_tuples(11, ".1" * 12))
    done = run_sxc("run", str(path), timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "2.5\n"


def test_doubled_generic_struct_reported_once():
    lines = ["struct W<T> {", "    a: T,", "    b: T,", "}", "fn f() -> f64 {",
             "    let w0 = W { a: 1.0, b: 2.0 };"]
    lines += [f"    let w{i} = W {{ a: w{i - 1}, b: w{i - 1} }};" for i in range(1, 41)]
    lines += ["    w40.a.b.a", "}"]
    with pytest.raises(sxc.CompileError) as info:
        sxc.compile("\n".join(lines) + "\n", cache=False)
    diagnostics = info.value.diagnostics
    assert len(diagnostics) == 1, [d.render() for d in diagnostics]
    assert diagnostics[0].code == "SX0006"
    assert diagnostics[0].message == \
        f"struct `{'W<' * 13}f64{'>' * 13}` contains 8192 values and is too large"
    assert (diagnostics[0].span.line, diagnostics[0].span.col) == (18, 15)


def test_long_type_in_message_is_shortened(tmp_path):
    # t10 is a tuple of 2^11 numbers: its name has more than 20,000 characters
    path = write(tmp_path, _doubling_tuples(10, ""))
    done = run_sxc("check", str(path), timeout=120)
    assert_clean_compile_error(done)
    line = next(x for x in done.stderr.splitlines() if "error[SX0604]" in x)
    message = line.split("error[SX0604]: ", 1)[1]
    assert "..." in message
    assert message.endswith("cannot be formatted with `{}`")
    assert len(message) < 200, message


def test_struct_recursive_through_tuple_reported():
    with pytest.raises(sxc.CompileError) as info:
        sxc.compile("struct S {\n    a: (f64, S),\n}\nfn f() -> f64 {\n    1.0\n}\n",
                    cache=False)
    diagnostics = info.value.diagnostics
    assert len(diagnostics) == 1
    assert diagnostics[0].code == "SX0310"
    assert diagnostics[0].message == "recursive type `S` has infinite size"


def test_array_length_error_reported_once():
    source = ("fn total(a: [f64; 100000]) -> f64 {\n    let mut s = 0.0;\n"
              "    for x in a {\n        s += x;\n    }\n    s + a[3]\n}\n"
              "fn main() {\n    let a: [f64; 100000] = total;\n    let b = a;\n"
              "    println!(\"{}\", total(b) + b[2]);\n}\n")
    with pytest.raises(sxc.CompileError) as info:
        sxc.compile(source, cache=False)
    diagnostics = [d for d in info.value.diagnostics if d.severity == "error"]
    assert [(d.code, d.span.line, d.span.col) for d in diagnostics] == \
        [("SX0313", 1, 13), ("SX0313", 9, 12)]
    assert diagnostics[0].message == "array length 100000 is outside 0..=65536"


def test_invalid_constant_length_reported_once():
    source = ("const N: usize = 8 / 0;\nfn main() {\n    let a = [0.0; N];\n"
              "    let b: [f64; N] = a;\n    println!(\"{}\", b[1]);\n}\n")
    with pytest.raises(sxc.CompileError) as info:
        sxc.compile(source, cache=False)
    diagnostics = [d for d in info.value.diagnostics if d.severity == "error"]
    assert len(diagnostics) == 1
    assert diagnostics[0].message == "division by zero in a constant"


def test_array_repeat_length_checked():
    source = "fn f() -> f64 {\n    let a = [1.5f64; 100000];\n    a[7]\n}\n"
    with pytest.raises(sxc.CompileError) as info:
        sxc.compile(source, cache=False)
    diagnostics = [d for d in info.value.diagnostics if d.severity == "error"]
    assert len(diagnostics) == 1
    assert diagnostics[0].code == "SX0313"
    assert diagnostics[0].message == "array length 100000 is outside 0..=65536"
    assert (diagnostics[0].span.line, diagnostics[0].span.col) == (2, 13)


def test_array_repeat_at_length_limit_runs():
    module = sxc.compile("fn f(i: usize) -> f64 {\n    let a = [0.5f64; 65536];\n    a[i]\n}\n",
                         cache=False)
    assert module.f(65535) == 0.5


def test_five_megabyte_source_compiles():
    comment = "// " + "x" * 100 + "\n"
    source = comment * 50_000 + "fn f() -> f64 { 2.5 }\n"
    assert len(source) > 5_000_000
    module = sxc.compile(source, cache=False)
    assert module.f() == 2.5


@pytest.mark.parametrize("data", [
    b"", b"\xef\xbb\xbf", b"\xff\xfe\x00garbage", b"fn main() {\r\n    println(\"x\");\r\n}\r\n",
    bytes(range(256)), b"fn main() { let x = \xc3\x28; }",
])
def test_odd_bytes_never_traceback(tmp_path, data):
    path = tmp_path / "odd.sx"
    path.write_bytes(data)
    done = run_sxc("check", str(path))
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr


# ------------------------------------------------------------------ run time

FAULTS = """
fn divide(a: i64, b: i64) -> i64 { a / b }
fn remainder(a: i64, b: i64) -> i64 { a % b }
fn index(n: usize) -> f64 { let v = vec![1.0; 3]; v[n] }
fn parse_number(n: i64) -> i64 { let s = if n > 0 { "12x" } else { "7" }; s.parse::<i64>().unwrap() }
fn recurse(n: i64) -> i64 { if n == 0 { 0 } else { let r = recurse(n - 1); r * 3 + n % 7 } }
fn capacity(n: usize) -> usize { let v: Vec<f64> = Vec::with_capacity(n); v.len() }
fn filled(n: usize) -> usize { let v = vec![0.5; n]; v.len() }
fn fail(n: i64) -> i64 { if n > 0 { panic!("bad value {}", n); } n }
fn resized(n: usize) -> usize { let mut v = vec![0.5; 2]; v.resize(n, 1.0); v.len() }
fn extended(n: usize) -> usize { let mut v = vec![0u8; 2]; v.extend(vec![7u8; n].iter()); v.len() }
"""


@pytest.fixture(scope="module")
def faults():
    return sxc.compile(FAULTS, opt_level=0, cache=False)


@pytest.mark.parametrize("call, line, message", [
    (lambda m: m.divide(1, 0), 2, "attempt to divide by zero"),
    (lambda m: m.divide(-2**63, -1), 2, "attempt to divide with overflow"),
    (lambda m: m.remainder(-2**63, -1), 3, "overflow"),
    (lambda m: m.index(3), 4, "index out of bounds: the len is 3 but the index is 3"),
    (lambda m: m.parse_number(1), 5, "cannot parse `12x`"),
    (lambda m: m.recurse(10**9), 6, "stack overflow"),
    (lambda m: m.capacity(2**64 - 1), 7, "capacity overflow"),
    (lambda m: m.filled(2**62), 8, "capacity overflow"),
    (lambda m: m.filled(2**56), 8, "memory allocation of 576460752303423488 bytes failed"),
    (lambda m: m.fail(4), 9, "panicked: bad value 4"),
    (lambda m: m.resized(2**62), 10, "capacity overflow"),
    (lambda m: m.resized(2**56), 10, "memory allocation of 576460752303423488 bytes failed"),
], ids=["div-zero", "div-overflow", "rem-overflow", "index", "parse", "stack", "capacity",
        "capacity-repeat", "allocation", "panic", "resize-capacity", "resize-allocation"])
def test_embedded_fault_raises(faults, call, line, message):
    with pytest.raises(sxc.RuntimeError) as info:
        call(faults)
    text = str(info.value)
    assert f"<string>:{line}:" in text
    assert message in text


def test_interpreter_survives_faults(faults):
    for _ in range(3):
        with pytest.raises(sxc.RuntimeError):
            faults.recurse(10**9)
        with pytest.raises(sxc.RuntimeError):
            faults.divide(5, 0)
    assert faults.recurse(3) == 3 * (3 * 1 + 2) + 3
    assert faults.capacity(10) == 0
    assert faults.parse_number(0) == 7


def _limit_address_space():
    # 4 GiB of address space: LLVM and Python fit, a terabyte allocation fails
    # whatever the machine's overcommit policy
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


FAULT_MAIN = {
    "div": ("let d = args().len() as i64 - 1;\n    println(\"{}\", 10 / d);", 4,
            "attempt to divide by zero"),
    "alloc": ("let n = (args().len() as usize) << 40;\n    let v = vec![0.0; n];\n"
              "    println(\"{}\", v.len());", 4, "memory allocation of"),
    "capacity": ("let v: Vec<f64> = Vec::with_capacity(usize::MAX - args().len());\n"
                 "    println(\"{}\", v.len());", 3, "capacity overflow"),
    # growth reserves the whole count first, so it fails before touching memory
    "resize": ("let mut v = vec![0.5; 2];\n    v.resize((args().len() as usize) << 40, 1.0);\n"
               "    println(\"{}\", v.len());", 4,
               "runtime error: memory allocation of 8796093022208 bytes failed"),
}


@pytest.mark.parametrize("name", sorted(FAULT_MAIN))
def test_cli_fault_exit_101(tmp_path, name):
    body, line, message = FAULT_MAIN[name]
    path = write(tmp_path, f"fn main() {{\n    println(\"start\");\n    {body}\n}}\n")
    done = subprocess.run([sys.executable, "-m", "sxc.cli", "run", str(path)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT,
                          preexec_fn=_limit_address_space)
    assert done.returncode == EXIT_RUNTIME_ERROR, done.stderr
    assert done.stdout == "start\n"
    assert f"prog.sx:{line}:" in done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


STRING_DOUBLING = """fn main() {
    println!("start");
    let mut s = String::from("x");
    let mut i = 0;
    while i < 40 {
        let t = s.clone();
        s.push_str(&t);
        i += 1;
    }
    println!("{}", s.len());
}
"""


def test_string_growth_failure_exit_101(tmp_path):
    """A string that cannot grow panics at the push instead of writing through
    a null pointer."""
    path = write(tmp_path, STRING_DOUBLING)
    exe = tmp_path / "prog"
    built = run_sxc("build", str(path), "-o", str(exe))
    assert built.returncode == 0, built.stderr
    # the string doubles 40 times, so 200 MB run out after about 26

    def small_address_space():
        resource.setrlimit(resource.RLIMIT_AS, (200 << 20, 200 << 20))

    done = subprocess.run([str(exe)], capture_output=True, text=True, timeout=120,
                          preexec_fn=small_address_space)
    assert done.returncode == EXIT_RUNTIME_ERROR, (done.returncode, done.stderr)
    assert done.stdout == "start\n"
    assert re.search(r"prog.sx:7:9: runtime error: memory allocation of \d+ bytes failed",
                     done.stderr), done.stderr


def test_built_executable_fault_exit_101(tmp_path):
    body, line, message = FAULT_MAIN["capacity"]
    path = write(tmp_path, f"fn main() {{\n    println(\"start\");\n    {body}\n}}\n")
    exe = tmp_path / "prog"
    built = run_sxc("build", str(path), "-o", str(exe))
    assert built.returncode == 0, built.stderr
    done = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60)
    assert done.returncode == EXIT_RUNTIME_ERROR
    assert done.stdout == "start\n"
    assert f"prog.sx:{line}:" in done.stderr
    assert message in done.stderr


def test_vec_repeat_and_capacity_still_work(faults):
    assert faults.filled(0) == 0
    assert faults.filled(1000) == 1000
    assert faults.capacity(0) == 0
    assert faults.resized(1) == 1
    assert faults.resized(1000) == 1000
    assert faults.extended(1000) == 1002


def test_vec_of_unit_grows():
    # the buffer of zero-sized elements has 0 bytes, which `realloc` must not be asked for
    module = sxc.compile("fn count(n: usize) -> usize {\n    let mut v: Vec<()> = Vec::new();\n"
                         "    for _ in 0..n {\n        v.push(());\n    }\n    v.len()\n}\n",
                         cache=False)
    assert module.count(10) == 10
    assert module.count(0) == 0


# ------------------------------------------------------------------ time limit

INFINITE_LOOP = """fn main() {
    println("started");
    let mut x: u64 = 1;
    loop {
        x = x * 6364136223846793005 + 1;
        if x == 7 { break; }
    }
    println("{}", x);
}
"""


def test_time_limit_stops_infinite_loop(tmp_path):
    path = write(tmp_path, INFINITE_LOOP)
    done = run_sxc("run", "--time-limit", "0.5", str(path), timeout=300)
    assert done.returncode == EXIT_TIME_LIMIT
    assert done.stdout == "started\n"
    assert "time limit of 0.5 s" in done.stderr
    assert "Traceback" not in done.stderr


def test_time_limit_stops_slow_compile(tmp_path):
    # 400 functions take seconds to compile, far beyond the limit
    functions = [f"fn f{i}(x: f64) -> f64 {{\n    x * {i}.5 + 1.0\n}}" for i in range(400)]
    calls = " + ".join(f"f{i}(1.0)" for i in range(400))
    path = write(tmp_path, "\n".join(functions) +
                 f"\nfn main() {{\n    println!(\"{{}}\", {calls});\n}}\n")
    # the CLI gives compiling at least a minute, which this test lowers
    script = ("import sys\nfrom sxc import cli\ncli.MIN_COMPILE_LIMIT = 0.0\n"
              f"sys.exit(cli.main(['run', '--no-cache', '--time-limit', '0.2', {str(path)!r}]))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == EXIT_TIME_LIMIT, done.stderr
    assert done.stdout == ""
    assert "error: compiling the program took longer than the time limit of 0.2 s" \
        in done.stderr
    assert "Traceback" not in done.stderr


def test_time_limit_keeps_program_status(tmp_path):
    path = write(tmp_path, "fn main() -> i64 { println(\"done\"); 3 }\n")
    done = run_sxc("run", "--time-limit", "100", str(path))
    assert done.returncode == 3
    assert done.stdout == "done\n"


@pytest.mark.parametrize("value", ["0", "-1", "abc", "inf"])
def test_time_limit_rejects_bad_value(tmp_path, value):
    path = write(tmp_path, "fn main() {}\n")
    done = run_sxc("run", f"--time-limit={value}", str(path))
    assert done.returncode == 2
    assert f"invalid time limit `{value}`" in done.stderr


# ------------------------------------------------------------------ embedding memory

def test_embedding_cycles_memory_bounded():
    # 170 new programs at -O0: each module and its execution engine must be
    # released, so after warm-up the RSS stays flat: it grew by 0.5 MiB over
    # 300 cycles when measured, and the bound catches 44 KB a cycle
    from tests.fuzz.embed_cycles import run_cycles

    start, end = run_cycles(170, opt_level=0, distinct=0)
    assert end - start < 6, f"RSS grew from {start:.1f} to {end:.1f} MiB over 140 cycles"


def test_embedding_cache_hits_memory_bounded(tmp_path, monkeypatch):
    # -O2 with three sources: all but the first three compiles are cache hits
    from tests.fuzz.embed_cycles import run_cycles

    monkeypatch.setenv("SXC_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("SXC_NO_CACHE")
    start, end = run_cycles(150, opt_level=2, distinct=3)
    assert end - start < 16, f"RSS grew from {start:.1f} to {end:.1f} MiB over 120 cycles"


# ------------------------------------------------------------------ determinism

SEEDED = """#![mode = "release"]
fn main() {
    let mut rng = Rng::new(11);
    let mut total = 0.0;
    let mut accepted = 0;
    for i in 0..2000 {
        let x = rng.normal() * 0.3 + default_rng().u01() * 1e-3;
        total = total + (x * (i as f64)).sin() / (1.0 + x * x);
        if default_rng().u01() < 0.25 { accepted += 1; }
    }
    println!("{:?} {} {}", total, accepted, rng.next_u64());
}
"""


def test_seeded_program_same_bits_everywhere(tmp_path):
    path = write(tmp_path, SEEDED)
    outputs = {}
    for level in ("-O0", "-O1", "-O3"):
        done = run_sxc("run", level, "--seed", "7", str(path))
        assert done.returncode == 0, done.stderr
        outputs[level] = done.stdout
    exe = tmp_path / "seeded"
    built = run_sxc("build", "--seed", "7", str(path), "-o", str(exe))
    assert built.returncode == 0, built.stderr
    outputs["build"] = subprocess.run([str(exe)], capture_output=True, text=True,
                                      timeout=60).stdout
    assert len(set(outputs.values())) == 1, outputs
    other = run_sxc("run", "--seed", "8", str(path))
    assert other.stdout != outputs["-O0"], "the default stream ignored --seed"


SIGNED_ZEROS = """fn f(x: f64, n: i64) -> f64 {
    let a2: f64 = (((x + x) / (1e300 * x))).powf(2.0);
    (((0.0 * 0.5) * (n as f64))).max(a2)
}
fn main() {
    println!("{:?}", f(-2.25, -7));
    let v = [-0.0, 0.0, f64::NAN, 1.5];
    for &a in v.iter() {
        for &b in v.iter() {
            print!("{:?}/{:?} ", a.max(b), a.min(b));
        }
        println!();
    }
}
"""


def test_signed_zero_max_min_same_levels(tmp_path):
    # found by the fuzz campaign: max(-0.0, 0.0) printed -0.0 at -O0 and 0.0
    # at -O3.  max and min are IEEE 754-2019's maximumNumber and
    # minimumNumber: +0 is above -0 and a NaN loses.
    path = write(tmp_path, SIGNED_ZEROS)
    expected = ("0.0\n"
                "-0.0/-0.0 0.0/-0.0 -0.0/-0.0 1.5/-0.0 \n"
                "0.0/-0.0 0.0/0.0 0.0/0.0 1.5/0.0 \n"
                "-0.0/-0.0 0.0/0.0 NaN/NaN 1.5/1.5 \n"
                "1.5/-0.0 1.5/0.0 1.5/1.5 1.5/1.5 \n")
    for level in ("-O0", "-O1", "-O3"):
        done = run_sxc("run", "--no-cache", level, str(path))
        assert done.returncode == 0, done.stderr
        assert done.stdout == expected, level


# ------------------------------------------------------------------ campaign

def test_campaign_short_run(tmp_path):
    from tests.fuzz import campaign

    summary = campaign.run_campaign(20, seed=3, out=tmp_path / "out", minimize_seconds=30)
    assert sum(summary["inputs"].values()) >= 1
    assert summary["failures"] == [], summary["failures"]
    report = tmp_path / "reliability.md"
    campaign.write_report(summary, report)
    text = report.read_text()
    assert "Seed 3" in text
    assert "The campaign found no failures." in text


def test_campaign_in_process_short_run(tmp_path):
    from tests.fuzz import campaign

    summary = campaign.run_campaign(15, seed=4, out=tmp_path / "out", minimize_seconds=30,
                                    in_process=True)
    # every kind of input comes round many times in 15 s
    assert all(count >= 2 for count in summary["inputs"].values()), summary["inputs"]
    assert summary["failures"] == [], summary["failures"]
    report = tmp_path / "reliability.md"
    campaign.write_report(summary, report)
    assert "(`--in-process`)" in report.read_text()


def test_in_process_check_finds_a_mismatch(tmp_path, monkeypatch):
    """The in-process check reports outputs that differ between -O0 and -O3."""
    from tests.fuzz import campaign

    path = tmp_path / "p.sx"
    path.write_text('fn main() { println!("{}", 1.5); }\n')
    assert campaign.check_in_process(path, "typed") == (None, "")
    runs = iter([(0, b"1.5\n"), (0, b"2.5\n")])
    monkeypatch.setattr(campaign, "_run_here", lambda p, level: next(runs))
    failure, details = campaign.check_in_process(path, "typed")
    assert failure == "-O0/-O3 mismatch"
    assert "2.5" in details


SPIN = """
fn spin(steps: u64) -> u64 {
    let mut s: u64 = 1;
    let mut i: u64 = 0;
    while i < steps {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(i);
        i += 1;
    }
    s
}
fn twice(x: i64) -> i64 { x * 2 }
fn main() {
    eprintln!("started");
    println!("{}", spin(STEPS));
}
"""


def test_ctrl_c_during_run_exits_130(tmp_path):
    # `main` runs on a thread of its own; the interrupted process must end
    # with 130 instead of tearing the program's code down under that thread.
    import os
    import signal

    source = tmp_path / "spin.sx"
    source.write_text(SPIN.replace("STEPS", "100000000000"))
    env = dict(os.environ, SXC_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("PYTHONPATH", None)
    proc = subprocess.Popen([sys.executable, "-m", "sxc.cli", "run", "--no-cache", str(source)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    try:
        assert proc.stderr.readline() == b"started\n"
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert b"Fatal Python error" not in proc.stderr.read()


def test_interrupted_main_keeps_the_module_until_it_ends(tmp_path):
    # After a KeyboardInterrupt stops the wait for `main`, `main` still runs:
    # a later call waits for it, and dropping the module does not unload it.
    script = tmp_path / "interrupt.py"
    script.write_text(f"""
import gc, os, signal, threading
import sxc
m = sxc.compile({SPIN.replace("STEPS", "300000000")!r})
threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
try:
    m.run([])
    print("not interrupted")
except KeyboardInterrupt:
    print("interrupted")
print(m.twice(21))
del m
gc.collect()
print("alive")
""")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    # `main` prints its result when it ends, before or after "interrupted"
    lines = done.stdout.split("\n")
    assert "interrupted" in lines or "not interrupted" in lines
    assert lines[-3:] == ["42", "alive", ""]


def test_ctrl_c_during_python_callbacks_raises(tmp_path):
    # Ctrl-C while compiled code calls a Python callable in a loop ends the
    # call with KeyboardInterrupt, instead of a callback returning 0.0 into
    # the sum behind the user's back.
    script = tmp_path / "callbacks.py"
    script.write_text("""
import os, signal, threading
import sxc
m = sxc.compile('''
fn apply_n(f: fn(f64) -> f64, n: i64) -> f64 {
    let mut s = 0.0;
    for i in 0..n {
        s += f(i as f64);
    }
    s
}
''')
threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()
try:
    print(m.apply_n(lambda x: x, 50_000_000))
except KeyboardInterrupt:
    print("interrupted")
print(m.apply_n(lambda x: x, 4))
""")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "interrupted\n6.0\n"
    assert "Exception ignored" not in done.stderr


@pytest.mark.parametrize("digits", ["9" * 5000, "0x" + "f" * 5000, "0b" + "1" * 65])
def test_huge_integer_literal_is_out_of_range(digits):
    # Python's int() rejects decimal strings of more than 4,300 digits
    with pytest.raises(sxc.CompileError) as info:
        sxc.compile(f"fn main() {{ let x: u64 = {digits}; println!(\"{{}}\", x); }}")
    assert [d.code for d in info.value.diagnostics] == ["SX0701"]
    assert info.value.diagnostics[0].message == "literal out of range for `u64`"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("cache", [[], ["--no-cache"]])
def test_failed_write_to_stdout_is_a_runtime_error(tmp_path, cache):
    # Rust's println! panics when stdout cannot be written; so does sxc
    source = tmp_path / "many.sx"
    source.write_text('fn main() {\n    for i in 0..10 {\n        println!("line {}", i);\n'
                      '    }\n}\n')
    env = dict(os.environ, SXC_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("PYTHONPATH", None)
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "sxc.cli", "run", *cache, str(source)],
                              stdout=full, stderr=subprocess.PIPE, text=True, env=env,
                              timeout=300, cwd=ROOT)
    assert done.returncode == 101
    assert done.stderr == "runtime error: failed printing to stdout\n"


@pytest.mark.parametrize("runner", ["run", "build"])
def test_large_array_in_main(tmp_path, runner):
    # The frame would reach past the end of the stack: a segmentation fault
    # unless the call from the host checks it first.  Filling the array with
    # one store per element once kept LLVM busy for minutes.
    source = tmp_path / "big.sx"
    source.write_text("fn main() {\n    let a = [[1.0f64; 10000]; 10000];\n"
                      "    println!(\"{}\", a[args().len()][0]);\n}\n")
    result = _run_or_build(tmp_path, source, runner)
    assert result.returncode == 101
    # the literal's slot and the binding's
    assert result.stderr == (f"{source}:1:4: runtime error: stack overflow: the arrays of "
                             "`main` need 1600000000 bytes of stack, more than there is; keep "
                             "large arrays in a `Vec`\n")


@pytest.mark.parametrize("runner", ["run", "build"])
def test_large_array_in_function_called_from_main(tmp_path, runner):
    source = write(tmp_path, "fn helper(i: usize) -> f64 {\n"
                             "    let a = [[2.0f64; 10000]; 10000];\n    a[i][i]\n}\n"
                             "fn main() {\n    println!(\"start\");\n"
                             "    println!(\"{}\", helper(args().len()));\n}\n")
    result = _run_or_build(tmp_path, source, runner)
    assert result.returncode == EXIT_RUNTIME_ERROR, result.stderr
    assert result.stdout == "start\n"
    assert result.stderr == (f"{source}:1:4: runtime error: stack overflow: the arrays of "
                             "`helper` need 1600000000 bytes of stack, more than there is; "
                             "keep large arrays in a `Vec`\n")


def test_large_array_in_function_called_from_compiled_code():
    m = sxc.compile("fn inner(i: usize) -> [f64; 3] {\n    let a = [[2.0f64; 10000]; 1000];\n"
                    "    [a[i][0], 1.0, 2.0]\n}\n"
                    "fn outer(i: usize) -> f64 {\n    inner(i)[0] + inner(i)[1]\n}\n",
                    cache=False)
    with pytest.raises(sxc.RuntimeError, match=r"<string>:1:4: .*the arrays of `inner` need"):
        m.outer(3)


def _run_or_build(tmp_path, source, runner: str, preexec_fn=None) -> subprocess.CompletedProcess:
    """Run `source` with `sxc run`, or build it and run the executable."""
    if runner == "run":
        return subprocess.run([sys.executable, "-m", "sxc.cli", "run", "--no-cache", str(source)],
                              capture_output=True, text=True, timeout=300, cwd=ROOT,
                              preexec_fn=preexec_fn)
    exe = tmp_path / "prog"
    built = run_sxc("build", str(source), "-o", str(exe))
    assert built.returncode == 0, built.stderr
    return subprocess.run([str(exe)], capture_output=True, text=True, timeout=300,
                          preexec_fn=preexec_fn)


# The source, the call from `main`, and the lines of the functions whose
# check may end the recursion: LLVM may inline `odd` into `even`.
RECURSION = {
    "self": ("fn f(n: i64) -> f64 {\n    if n == 0 {\n        0.0\n    } else {\n"
             "        (f(n - 1) + 1.0).sqrt()\n    }\n}\n", "f(100000000)", "1"),
    "mutual": ("fn even(n: i64) -> f64 {\n    if n == 0 { 0.0 } else { (odd(n - 1) + 1.0).sqrt() }\n"
               "}\nfn odd(n: i64) -> f64 {\n    if n == 0 { 1.0 } else { even(n - 1) * 0.5 }\n}\n",
               "even(100000000)", "(1|4)"),
}


@pytest.mark.parametrize("runner", ["run", "build"])
@pytest.mark.parametrize("name", sorted(RECURSION))
def test_deep_recursion_from_main_exit_101(tmp_path, name, runner):
    functions, call, lines = RECURSION[name]
    source = write(tmp_path, functions + f"fn main() {{\n    println!(\"start\");\n"
                             f"    println!(\"{{}}\", {call});\n}}\n")
    result = _run_or_build(tmp_path, source, runner)
    assert result.returncode == EXIT_RUNTIME_ERROR, result.stderr
    assert result.stdout == "start\n"
    assert re.fullmatch(f"{re.escape(str(source))}:{lines}:1: runtime error: stack overflow: "
                        "the recursion is too deep\n", result.stderr), result.stderr


def test_long_panic_message_kept(tmp_path):
    # the `Err` contains 4,890 bytes of text, more than the old 1,024-byte buffer
    source = write(tmp_path, "fn main() {\n    let v: Vec<u32> = (0..1000).collect();\n"
                             "    let r: Result<u32, String> = Err(format!(\"{:?}\", v));\n"
                             "    r.unwrap();\n}\n")
    result = _run_or_build(tmp_path, source, "run")
    assert result.returncode == EXIT_RUNTIME_ERROR, result.stderr
    assert "997, 998, 999]" in result.stderr


def _small_stack():
    resource.setrlimit(resource.RLIMIT_STACK, (1 << 20, resource.RLIM_INFINITY))


def test_executable_small_stack_recursion_exit_101(tmp_path):
    # the executable sizes its recursion budget from `ulimit -s`, here 1 MiB
    functions, call, lines = RECURSION["self"]
    source = write(tmp_path, functions + f"fn main() {{\n    println!(\"start\");\n"
                             f"    println!(\"{{}}\", {call});\n}}\n")
    result = _run_or_build(tmp_path, source, "build", preexec_fn=_small_stack)
    assert result.returncode == EXIT_RUNTIME_ERROR, result.stderr
    assert result.stdout == "start\n"
    assert "runtime error: stack overflow: the recursion is too deep" in result.stderr


def test_executable_prints_each_line_before_killed(tmp_path):
    source = write(tmp_path, "fn main() {\n    println!(\"start\");\n    let mut x: u64 = 1;\n"
                             "    while x != 0 {\n        x = x.wrapping_mul(3) | 1;\n    }\n}\n")
    exe = tmp_path / "prog"
    built = run_sxc("build", str(source), "-o", str(exe))
    assert built.returncode == 0, built.stderr
    with pytest.raises(subprocess.TimeoutExpired) as info:
        subprocess.run([str(exe)], capture_output=True, timeout=2)
    assert info.value.stdout == b"start\n"


SMALL_THREAD_RECURSION = """\
import threading
import sxc
m = sxc.compile("fn rec(n: i64) -> f64 { if n == 0 { 0.0 } else { (rec(n - 1) + 1.0).sqrt() } }")
out = []
def work():
    try:
        m.rec(10_000_000)
    except sxc.RuntimeError as error:
        out.append(str(error))
    out.append(m.rec(1))
threading.stack_size(256 * 1024)
thread = threading.Thread(target=work)
thread.start()
thread.join()
print(out)
"""


def test_small_thread_stack_recursion_raises(tmp_path):
    # a call gets the stack that is left on its thread, so a thread made with
    # a small `threading.stack_size` gets an error rather than a crash
    env = dict(os.environ, SXC_CACHE_DIR=str(tmp_path / "cache"))
    result = subprocess.run([sys.executable, "-c", SMALL_THREAD_RECURSION], capture_output=True,
                            text=True, timeout=300, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "stack overflow: the recursion is too deep" in result.stdout
    assert result.stdout.rstrip().endswith(", 1.0]")


@pytest.mark.parametrize("runner", ["run", "build"])
def test_read_file_allocation_failure_exit_101(tmp_path, runner):
    # a sparse 8 GiB file, which a 4 GiB address space cannot hold
    huge = tmp_path / "huge.bin"
    with open(huge, "wb") as f:
        f.truncate(8 << 30)
    source = write(tmp_path, f"fn main() {{\n    println!(\"start\");\n"
                             f"    let text = read_file(\"{huge}\");\n"
                             f"    println!(\"{{}}\", text.len());\n}}\n")
    result = _run_or_build(tmp_path, source, runner, preexec_fn=_limit_address_space)
    assert result.returncode == EXIT_RUNTIME_ERROR, result.stderr
    assert result.stdout == "start\n"
    assert result.stderr == (f"{source}:3:16: runtime error: memory allocation of "
                             f"{(8 << 30) + 1} bytes failed\n")


@pytest.mark.parametrize("runner", ["run", "build"])
def test_read_file_of_pipe_and_proc(tmp_path, runner):
    # `ftell` gives the size of neither a pipe nor a file under /proc, so both read in chunks
    lines = [str(k * 7919 % 100003) for k in range(30000)]
    source = write(tmp_path, "fn main() {\n    let text = read_file(\"/dev/stdin\");\n"
                             "    let mut total: u64 = 0;\n"
                             "    for line in text.lines() {\n"
                             "        total += line.parse::<u64>().unwrap();\n    }\n"
                             "    let status = read_file(\"/proc/self/status\");\n"
                             "    println!(\"{} {} {}\", text.len(), total, "
                             "status.starts_with(\"Name:\"));\n}\n")
    data = "\n".join(lines) + "\n"
    if runner == "run":
        argv = [sys.executable, "-m", "sxc.cli", "run", "--no-cache", str(source)]
    else:
        exe = tmp_path / "prog"
        built = run_sxc("build", str(source), "-o", str(exe))
        assert built.returncode == 0, built.stderr
        argv = [str(exe)]
    result = subprocess.run(argv, input=data, capture_output=True, text=True, timeout=300,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{len(data)} {sum(int(x) for x in lines)} true\n"


def test_large_array_in_called_function():
    m = sxc.compile("fn at(i: i64) -> f64 {\n    let a = [[2.0f64; 10000]; 1000];\n"
                    "    a[i as usize][0]\n}\n"
                    "fn small(i: i64) -> f64 {\n    let a = [3.0f64; 65536];\n"
                    "    a[i as usize]\n}\n")
    with pytest.raises(sxc.RuntimeError, match="the arrays of `at` need 160000000 bytes"):
        m.at(3)
    assert m.small(4) == 3.0


def test_str_slice_start_inside_character():
    m = sxc.compile('fn tail(a: i64) -> i64 {\n    let s = "h\\u{e9}llo";\n'
                    '    s[a as usize..].len() as i64\n}\n')
    with pytest.raises(sxc.RuntimeError, match="start byte index 2 is not a char boundary"):
        m.tail(2)
    assert m.tail(3) == 3


# ------------------------------------------------------------------ large arrays

# Every way a large array is copied: a `let` binding, `for x in a` by value,
# parameters, results (through `return` and a tail), a `fn` pointer, an
# `if`, a `break` value, struct literals and fields, `self` by value and a
# tuple pattern.  LLVM took minutes or ran out of memory on such copies when
# they were first-class aggregate values.
LARGE_ARRAY_FORMS = """struct Grid {
    d: [f64; 10000],
    n: i64,
}

impl Grid {
    fn total(self) -> f64 {
        let mut s = 0.0;
        for x in self.d {
            s += x;
        }
        s + self.n as f64
    }

    fn scaled(&self, k: f64) -> Grid {
        let mut g = Grid { n: self.n + 1, d: self.d };
        for i in 0..10000 {
            g.d[i] *= k;
        }
        g
    }
}

fn ramp(start: f64) -> [f64; 10000] {
    let mut a = [0.0; 10000];
    for i in 0..10000 {
        a[i] = start + i as f64;
    }
    a
}

fn sum(a: [f64; 10000]) -> f64 {
    let mut s = 0.0;
    for x in a {
        s += x;
    }
    s
}

fn bump(mut a: [f64; 10000], i: usize) -> [f64; 10000] {
    a[i] += 1000.0;
    if i == 0 {
        return a;
    }
    a[0] = -1.0;
    a
}

fn pick(c: bool, a: [f64; 10000], b: [f64; 10000]) -> [f64; 10000] {
    if c { a } else { b }
}

fn apply(f: fn([f64; 10000]) -> f64, a: [f64; 10000]) -> f64 {
    f(a)
}

fn pair(a: [f64; 10000]) -> ([f64; 10000], i64) {
    (a, 7)
}

fn main() {
    let mut a = ramp(0.5);
    let b = a;
    a[1] = 99.0;
    println!("{} {} {}", b[1], a[1], sum(b));
    let c = bump(a, 2);
    println!("{} {} {} {}", a[2], c[2], c[0], sum(c));
    let d = bump(ramp(1.0), 0);
    println!("{} {}", d[0], sum(d));
    println!("{} {}", sum(pick(true, a, b)), sum(pick(false, a, b)));
    println!("{}", apply(sum, ramp(2.0)));
    a = bump(a, 3);
    println!("{} {}", a[3], a[0]);
    let g = Grid { d: ramp(0.0), n: 5 };
    let h = g.scaled(2.0);
    println!("{} {} {} {}", g.total(), h.total(), h.n, Grid { n: 1, d: b }.d[9999]);
    println!("{} {}", ramp(3.0)[9999], sum(g.scaled(0.5).d));
    let (p, q) = pair(b);
    println!("{} {}", p[10], q);
    let mut count = 0;
    let found = loop {
        count += 1;
        if count == 3 {
            break ramp(count as f64);
        }
    };
    println!("{}", found[0]);
}
"""


def _large_array_forms_expected() -> str:
    def ramp(start):
        return [start + i for i in range(10_000)]

    def bump(values, i):
        out = list(values)
        out[i] += 1000.0
        if i != 0:
            out[0] = -1.0
        return out

    def show(x):
        return str(int(x)) if x == int(x) else str(x)

    a = ramp(0.5)
    b = list(a)
    a[1] = 99.0
    lines = [[b[1], a[1], sum(b)]]
    c = bump(a, 2)
    lines.append([a[2], c[2], c[0], sum(c)])
    d = bump(ramp(1.0), 0)
    lines.append([d[0], sum(d)])
    lines.append([sum(a), sum(b)])
    lines.append([sum(ramp(2.0))])
    a = bump(a, 3)
    lines.append([a[3], a[0]])
    g = ramp(0.0)
    lines.append([sum(g) + 5, sum(x * 2 for x in g) + 6, 6, b[9999]])
    lines.append([ramp(3.0)[9999], sum(x * 0.5 for x in g)])
    lines.append([b[10], 7])
    lines.append([3])
    return "".join(" ".join(show(x) for x in line) + "\n" for line in lines)


@pytest.mark.parametrize("opt", ["-O0", "-O2"])
def test_large_array_copies_run(tmp_path, opt):
    path = write(tmp_path, LARGE_ARRAY_FORMS)
    done = run_sxc("run", "--no-cache", opt, str(path), timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout == _large_array_forms_expected()


def test_large_array_copies_stay_in_memory(tmp_path):
    path = write(tmp_path, LARGE_ARRAY_FORMS)
    done = run_sxc("run", "--no-cache", "-O0", "--emit", "llvm", str(path), timeout=300)
    assert done.returncode == 0, done.stderr
    aggregate_ops = [line for line in done.stdout.splitlines()
                     if "[10000 x double]" in line or '%"struct.Grid"' in line
                     if any(op in line for op in ("load ", "store ", "insertvalue ",
                                                  "extractvalue ", "phi ", "ret "))]
    assert aggregate_ops == []
    assert "memcpy" in done.stdout


def test_large_array_debug_format(tmp_path):
    path = write(tmp_path, "#[derive(Debug)]\nstruct Grid {\n    d: [f64; 10000],\n    n: i64,\n}\n"
                 "fn main() {\n    let mut a = [0.25f64; 10000];\n    a[9999] = 1.5;\n"
                 "    let g = Grid { d: a, n: 2 };\n"
                 "    println!(\"{:?}|{:?}|{}\", a, g, a.len());\n}\n")
    done = run_sxc("run", "--no-cache", str(path), timeout=300)
    assert done.returncode == 0, done.stderr
    array = "[" + ", ".join(["0.25"] * 9999 + ["1.5"]) + "]"
    assert done.stdout == f"{array}|Grid {{ d: {array}, n: 2 }}|10000\n"


def test_large_array_exports():
    module = sxc.compile("struct Pack {\n    w: [f64; 3000],\n    k: i64,\n}\n"
                         "fn total(a: [f64; 3000]) -> f64 {\n    let mut s = 0.0;\n"
                         "    for x in a {\n        s += x;\n    }\n    s\n}\n"
                         "fn doubled(mut a: [f64; 3000]) -> [f64; 3000] {\n"
                         "    for i in 0..3000 {\n        a[i] *= 2.0;\n    }\n    a\n}\n"
                         "fn pack(k: i64) -> Pack {\n"
                         "    let mut p = Pack { w: [0.0; 3000], k: k };\n"
                         "    p.w[k as usize] = 1.5;\n    p\n}\n"
                         "fn weight(p: Pack, i: usize) -> f64 {\n    p.w[i] * p.k as f64\n}\n"
                         "fn grid(mut x: [[i32; 80]; 80]) -> [[i32; 80]; 80] {\n"
                         "    x[1][2] = -5;\n    x\n}\n", cache=False)
    values = [float(i) for i in range(3000)]
    assert module.total(values) == sum(values)
    assert module.doubled(values) == tuple(2 * x for x in values)
    packed = module.pack(7)
    assert packed.k == 7
    assert packed.w[7] == 1.5
    assert sum(packed.w) == 1.5
    assert module.weight(packed, 7) == 10.5
    rows = module.grid([[i * j for j in range(80)] for i in range(80)])
    assert rows[1][2] == -5
    assert rows[3][4] == 12
    assert rows[79][79] == 79 * 79
