"""Programs written for the original Simplex toolchain: the constructs sxc
rejects get one clear diagnostic with a caret, and the compatible ones keep
Rust's meaning where the two languages overlap.

The test programs `tests/programs/simplex_*.sx` check the output of the
supported constructs against C oracles; this file checks the errors.
"""

from __future__ import annotations

import pytest

import sxc
from conftest import count_errors
from tests.test_diagnostics import expect_error, sxc_cli

EXTERN_PRINTF = 'extern "C" {\n    fn printf(fmt: i64) -> i64;\n}\nfn main() {}\n'
EXTERN_ARITY = 'extern "C" {\n    fn pow(x: f64) -> f64;\n}\nfn main() {}\n'
EXTERN_ABI = 'extern "Rust" {\n    fn sin(x: f64) -> f64;\n}\nfn main() {}\n'
FSTRING = 'fn main() {\n    let x = 3;\n    println(f"x = {x}");\n}\n'
VEC_ARGS = "fn main() {\n    let v: i64 = vec_new();\n    vec_push(v);\n}\n"
STRING_AS_INT = 'fn main() {\n    let s: i64 = string_concat("a", "b");\n}\n'

CASES = [
    ("extern_printf", EXTERN_PRINTF, 2, 8, "sxc cannot call the C function `printf`",
     "atan2"),
    ("extern_arity", EXTERN_ARITY, 2, 8, "the C function `pow` takes 2 parameters", None),
    ("extern_abi", EXTERN_ABI, 1, 1, 'sxc supports only `extern "C"` blocks', None),
    ("fstring", FSTRING, 3, 13, "sxc does not support interpolated strings", "format!"),
    ("vec_push_args", VEC_ARGS, 3, 5, "`vec_push` takes 2 arguments but 1 was supplied",
     None),
    ("string_is_not_i64", STRING_AS_INT, 2, 18,
     "mismatched types: expected `i64`, found `String`", None),
]


@pytest.mark.parametrize("source,line,col,fragment,help_text", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_compat_error(tmp_path, source, line, col, fragment, help_text):
    path, proc = sxc_cli(tmp_path, source)
    expect_error(proc, path, line, col, fragment, source, help_text)


def test_extern_error_is_single(tmp_path):
    _, proc = sxc_cli(tmp_path, EXTERN_PRINTF)
    assert count_errors(proc.stderr) == 1, proc.stderr


def test_user_function_replaces_prelude():
    m = sxc.compile("fn sqrt_f64(x: f64) -> f64 { x * 10.0 }\n"
                    "fn f(x: f64) -> f64 { sqrt_f64(x) + exp_f64(0.0) }\n")
    assert m.f(4.0) == 41.0


def test_extern_function_is_callable():
    m = sxc.compile('extern "C" { fn hypot(x: f64, y: f64) -> f64; }\n'
                    "fn f(a: f64) -> f64 { hypot(a, 4.0) }\n")
    assert m.f(3.0) == 5.0


def test_vec_get_outside_is_zero():
    m = sxc.compile("fn f(i: i64) -> i64 {\n"
                    "    let v: i64 = vec_new();\n"
                    "    vec_push(v, 11);\n"
                    "    vec_get(v, i)\n"
                    "}\n")
    assert m.f(0) == 11
    assert m.f(1) == 0
    assert m.f(-1) == 0


def test_bits_round_trip_as_i64():
    m = sxc.compile("fn f(x: f64) -> i64 { f64_to_bits(x) }\n"
                    "fn g(b: i64) -> f64 { bits_to_f64(b) }\n")
    assert m.f(-2.0) == -4611686018427387904
    assert m.g(-4611686018427387904) == -2.0


def test_string_to_int_saturates():
    m = sxc.compile('fn f() -> i64 { string_to_int("123456789012345678901") }\n'
                    'fn g() -> i64 { string_to_int(" -12e3") }\n')
    assert m.f() == 9223372036854775807
    assert m.g() == -12


def test_bool_compares_with_one_and_zero():
    m = sxc.compile("fn pos(x: i64) -> bool { x > 0 }\n"
                    "fn f(x: i64) -> i64 {\n"
                    "    let b = pos(x);\n"
                    "    if b == 1 && pos(x) != 0 { 1 } else { 0 }\n"
                    "}\n")
    assert m.f(5) == 1
    assert m.f(-5) == 0


def test_bool_compares_not_with_two(tmp_path):
    source = "fn main() {\n    let b = true;\n    let c = b == 2;\n}\n"
    path, proc = sxc_cli(tmp_path, source)
    assert proc.returncode == 1
    assert "mismatched types" in proc.stderr


def test_let_assignment_warns_in_original_style(tmp_path):
    source = "fn main() -> i64 {\n    let n: i64 = 1;\n    n = n + 1;\n    n\n}\n"
    path, proc = sxc_cli(tmp_path, source, command="run")
    assert proc.returncode == 2, proc.stderr
    assert f"{path}:3:5: warning[SXW002]: assigning to `n`, which is not declared mutable" \
        in proc.stderr
    assert "declare it with `var n`" in proc.stderr


def test_second_assignment_warns_in_original_style(tmp_path):
    source = "fn main() -> i64 {\n    let n: i64;\n    n = 1;\n    n = n + 2;\n    n\n}\n"
    path, proc = sxc_cli(tmp_path, source, command="run")
    assert proc.returncode == 3, proc.stderr
    assert f"{path}:4:5: warning[SXW002]: assigning to `n`, which is not declared mutable" \
        in proc.stderr
    assert f"{path}:3:5" not in proc.stderr


def test_let_assignment_is_error_in_rust_style(tmp_path):
    source = "fn main() {\n    let n: i64 = 1;\n    n = n + 1;\n    println!(\"{}\", n);\n}\n"
    path, proc = sxc_cli(tmp_path, source)
    expect_error(proc, path, 3, 5, "cannot assign to `n`, which is not mutable", source,
                 "let mut n")


def test_unknown_escape_warns_in_original_style(tmp_path):
    source = 'fn main() -> i64 {\n    println("a\\d b\\q");\n    0\n}\n'
    path, proc = sxc_cli(tmp_path, source, command="run")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "ad bq\n"
    assert f"{path}:2:15: warning[SXW009]: unknown character escape `\\d`" in proc.stderr
    assert "write `\\\\` for a backslash" in proc.stderr


def test_unknown_escape_is_error_in_rust_style(tmp_path):
    source = 'fn main() {\n    let s = "a\\d";\n    println!("{}", s);\n}\n'
    path, proc = sxc_cli(tmp_path, source)
    expect_error(proc, path, 2, 15, "unknown character escape `\\d`", source,
                 "for a backslash")


def test_lambda_typed_i64_warns(tmp_path):
    source = "fn main() -> i64 {\n    let f: i64 = (x) => x * 2;\n    f(21)\n}\n"
    path, proc = sxc_cli(tmp_path, source, command="run")
    assert proc.returncode == 42, proc.stderr
    assert f"{path}:2:12: warning[SXW008]: a closure is not an `i64`: sxc ignores this type" \
        in proc.stderr
    assert "leave the type out" in proc.stderr


def test_vec_functions_take_a_vec():
    m = sxc.compile("fn f() -> i64 {\n"
                    "    let v: Vec<i64> = Vec::new();\n"
                    "    vec_push(v, 4);\n"
                    "    vec_push(v, 5);\n"
                    "    vec_get(v, 1) * 10 + vec_len(v)\n"
                    "}\n")
    assert m.f() == 52


def test_struct_named_dual_without_duals(tmp_path):
    source = ("struct Dual { val: i64, deriv: i64 }\n"
              "fn main() -> i64 {\n"
              "    let d = Dual { val: 3, deriv: 1 };\n"
              "    print_i64(d.val * 10 + d.deriv);\n"
              "    0\n"
              "}\n")
    _, proc = sxc_cli(tmp_path, source, command="run")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "31"


def test_use_simplex_dual_imports_nothing(tmp_path):
    source = ("use simplex::dual::dual;\n"
              "fn main() -> i64 {\n"
              "    let x: dual = dual::variable(3.0);\n"
              "    print_f64((x * x).der);\n"
              "    0\n"
              "}\n")
    _, proc = sxc_cli(tmp_path, source, command="run")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "6\n"


ACTOR = "actor Counter {\n    var count: i64 = 0;\n}\nfn main() -> i64 { 0 }\n"


def test_actor_is_one_error(tmp_path):
    path, proc = sxc_cli(tmp_path, ACTOR)
    expect_error(proc, path, 1, 1, "the original toolchain's actors", ACTOR,
                 "numeric programs")
    assert count_errors(proc.stderr) == 1, proc.stderr
