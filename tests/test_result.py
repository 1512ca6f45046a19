"""`Result<T, E>`: diagnostics of its misuse, and run-time checks that a golden
program cannot make (the exit status and stderr of a `main` that returns `Err`)."""

from __future__ import annotations

import pytest

from conftest import check_diagnostic, run_sxc
from sxc.diagnostics import CompileError
from sxc.driver import Options, compile_program


def first_error(tmp_path, source: str) -> tuple:
    path = tmp_path / "prog.sx"
    path.write_text(source)
    with pytest.raises(CompileError) as info:
        compile_program(source, str(path), Options(opt_level=0))
    errors = [d for d in info.value.diagnostics if d.severity == "error"]
    assert errors, info.value.diagnostics
    return path, errors[0].render()


# (id, source, line, column, message fragment, help fragment, code)
ERRORS = [
    ("question_mark_other_error_type",
     "fn count(s: &str) -> Result<i64, String> {\n    let n: i64 = s.parse()?;\n    Ok(n)\n}\n"
     "fn main() {}\n",
     2, 18, "`?` couldn't convert the error to `String`", ".map_err(|e| e.to_string())?",
     "SX0802"),
    ("question_mark_user_error_types",
     "fn f() -> Result<i64, i64> {\n    Ok(1)\n}\n"
     "fn g() -> Result<i64, bool> {\n    let x = f()?;\n    Ok(x)\n}\nfn main() {}\n",
     5, 13, "`?` couldn't convert the error to `bool`", "convert the error before the `?`",
     "SX0802"),
    ("question_mark_without_from_impl",
     "#[derive(Debug)]\nstruct AppError;\nfn f(s: &str) -> Result<i64, AppError> {\n"
     "    let n: i64 = s.parse()?;\n    Ok(n)\n}\nfn main() {}\n",
     4, 18, "`?` couldn't convert the error to `AppError`",
     "write `impl From<ParseIntError> for AppError`", "SX0802"),
    ("into_without_from_impl",
     "struct A(f64);\nstruct B(f64);\nfn main() {\n    let b: B = A(1.0).into();\n"
     "    println!(\"{}\", b.0);\n}\n",
     4, 23, "the trait `From<A>` is not implemented for `B`", "impl From<A> for B", "SX0311"),
    ("from_wrong_argument",
     "struct A(f64);\nstruct B(f64);\nimpl From<A> for B {\n    fn from(a: A) -> B { B(a.0) }\n}\n"
     "fn main() {\n    let b = B::from(true);\n    println!(\"{}\", b.0);\n}\n",
     7, 21, "the trait `From<bool>` is not implemented for `B`", "impl From<bool> for B",
     "SX0311"),
    ("question_mark_in_unit_function",
     "fn f(x: i64) -> Result<i64, String> {\n    Ok(x)\n}\nfn main() {\n    let v = f(1)?;\n}\n",
     5, 13, "the `?` operator can only be used on `Result`s in a function that returns "
     "`Result`", "this function returns `()`", "SX0301"),
    ("question_mark_on_parse_in_i64_function",
     "fn f(s: &str) -> i64 {\n    s.parse::<i64>()?\n}\nfn main() {}\n",
     2, 5, "the `?` operator can only be used on `Result`s", "`.unwrap()`", "SX0301"),
    ("question_mark_option_in_result_function",
     "fn f(o: Option<i64>) -> Result<i64, String> {\n    let v = o?;\n    Ok(v)\n}\n"
     "fn main() {}\n",
     2, 13, "the `?` operator can only be used on `Option`s in a function that returns "
     "`Option`", "returns `Result<i64, String>`", "SX0301"),
    ("ok_without_error_type",
     "fn main() {\n    let r = Ok(5);\n}\n",
     2, 13, "type annotations needed: cannot infer the type of `E` in `Result`",
     "`let x: Result<i64, String> = ..`", "SX0304"),
    ("ok_read_before_error_type",
     "fn main() {\n    let r = Ok(1);\n    println!(\"{:?}\", r);\n}\n",
     3, 22, "type annotations needed for `r`", "`let r: Result<i64, String> = Ok(..);`",
     "SX0304"),
    ("ok_elements_without_error_type",
     "fn main() {\n    let v = vec![Ok(1), Ok(2)];\n}\n",
     2, 18, "type annotations needed: cannot infer the type of `E` in `Result`",
     "the other values it is compared with", "SX0304"),
    ("ok_and_err_disagree",
     "fn main() {\n    let c = true;\n    let r = if c { Ok(1) } else { Ok(\"x\") };\n}\n",
     3, 33, "`if` and `else` have incompatible types: `Result<i64, _>` and `Result<&str, _>`",
     None, "SX0301"),
    ("result_one_generic_argument",
     "fn f(r: Result<i64>) {}\nfn main() {}\n",
     1, 9, "enum takes 2 generic arguments but 1 was supplied", None, "SX0303"),
    ("match_without_err_arm",
     "fn f(r: Result<i64, String>) -> i64 {\n    match r {\n        Ok(v) => v,\n    }\n}\n"
     "fn main() {}\n",
     2, 11, "non-exhaustive patterns: `Err(_)` not covered", "`_ => ...`", "SX0501"),
    ("tuple_payload_with_float_coverage",
     "fn f(r: Result<(i64, f64), String>) -> f64 {\n    match r {\n"
     "        Ok((1, v)) => v,\n        Err(_) => 0.0,\n    }\n}\nfn main() {}\n",
     2, 11, "non-exhaustive patterns: `Ok((i64::MIN..=0, _))` and `Ok((2..=i64::MAX, _))` "
     "not covered", None, "SX0501"),
    ("ok_payload_type",
     "fn f() -> Result<i64, String> {\n    Ok(\"x\")\n}\nfn main() {}\n",
     2, 8, "mismatched types: expected `i64`, found `&str`", None, "SX0301"),
    ("err_pattern_on_option",
     "fn f(o: Option<i64>) -> i64 {\n    match o {\n        Err(_) => 0,\n        _ => 1,\n"
     "    }\n}\nfn main() {}\n",
     3, 9, "mismatched types: expected `Option<i64>`, found `Result`", None, "SX0301"),
    ("partial_annotation_mismatch",
     "fn main() {\n    let r: Result<f64, _> = 5;\n}\n",
     2, 29, "mismatched types: expected `Result<f64, _>`, found `i64`", None, "SX0301"),
    ("partial_annotation_other_ok_type",
     "fn main() {\n    let r: Result<f64, _> = \"1\".parse::<i64>();\n}\n",
     2, 29, "mismatched types: expected `Result<f64, _>`, found `Result<i64, ParseIntError>`",
     None, "SX0301"),
    ("read_to_string_matched",
     "fn main() {\n    match std::fs::read_to_string(\"x\") {\n        Ok(s) => {}\n"
     "        Err(_) => {}\n    }\n}\n",
     2, 11, "sxc supports the result of `fs::read_to_string` only with `unwrap` or `expect`",
     "`.unwrap()`", "SX0802"),
    ("unwrap_error_without_debug",
     "struct Failure {\n    code: i64,\n}\nfn main() {\n"
     "    let r: Result<i64, Failure> = Err(Failure { code: 1 });\n"
     "    println!(\"{}\", r.unwrap());\n}\n",
     6, 22, "`Failure` does not implement `Debug`", "#[derive(Debug)]", "SX0604"),
    ("main_error_without_debug",
     "struct Failure {\n    code: i64,\n}\n\nfn main() -> Result<(), Failure> {\n"
     "    Err(Failure { code: 2 })\n}\n",
     5, 1, "`Failure` does not implement `Debug`", "#[derive(Debug)]", "SX0604"),
    ("main_returns_result_of_value",
     "fn main() -> Result<i64, String> {\n    Ok(1)\n}\n",
     1, 1, "`main` must return `()`, an integer or `Result<(), E>`, not `Result<i64, String>`",
     None, "SX0314"),
    ("variant_as_value_outside_call",
     "fn main() {\n    let f = Ok;\n}\n",
     2, 13, "expected unit variant, found tuple variant `Ok`", "`.map(Ok)`", "SX0302"),
]


@pytest.mark.parametrize("source,line,col,fragment,help_text,code",
                         [case[1:] for case in ERRORS], ids=[case[0] for case in ERRORS])
def test_error(tmp_path, source, line, col, fragment, help_text, code):
    path, rendered = first_error(tmp_path, source)
    check_diagnostic(rendered, path, line, col, fragment, source, help_text, code)


def test_main_err_exit_status_and_stderr(tmp_path):
    path = tmp_path / "prog.sx"
    path.write_text("fn main() -> Result<(), String> {\n    println!(\"before\");\n"
                    "    Err(String::from(\"no input\"))\n}\n")
    result = run_sxc("run", str(path))
    assert result.returncode == 1, result.stderr
    assert result.stdout == "before\n"
    assert result.stderr == "Error: \"no input\"\n"


def test_main_ok_exit_status(tmp_path):
    path = tmp_path / "prog.sx"
    path.write_text("fn main() -> Result<(), String> {\n    println!(\"fine\");\n    Ok(())\n}\n")
    result = run_sxc("run", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "fine\n"
    assert result.stderr == ""


def test_unwrap_panic_names_call_site(tmp_path):
    path = tmp_path / "prog.sx"
    path.write_text("fn main() {\n    let r: Result<i64, i64> = Err(7);\n"
                    "    let v = r.unwrap();\n    println!(\"{}\", v);\n}\n")
    result = run_sxc("run", str(path))
    assert result.returncode == 101
    assert f"{path}:3:15:" in result.stderr
    assert "called `Result::unwrap()` on an `Err` value: 7" in result.stderr


def test_parse_unwrap_keeps_its_message(tmp_path):
    path = tmp_path / "prog.sx"
    path.write_text("fn main() {\n    let v = \"4x\".parse::<i64>().unwrap();\n"
                    "    println!(\"{}\", v);\n}\n")
    result = run_sxc("run", str(path))
    assert result.returncode == 101
    assert "cannot parse `4x` as `i64`" in result.stderr
