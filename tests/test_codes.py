"""Diagnostic codes: every report has a registered code, `sxc explain` prints it,
`--error-format=json` and `--color` work, and warnings can be denied.

The examples in the registry are compiled by the real compiler: each erroneous
example must report its own code first, and each corrected one must compile
without any diagnostic.
"""

from __future__ import annotations

import ast
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_sxc
from sxc.codes import CODE_PATTERN, CODES
from sxc.diagnostics import CompileError
from sxc.driver import Options, compile_program

SOURCES = sorted((ROOT / "sxc").glob("*.py"))


def _report_calls():
    """Yield (file, line, call) for every `.error(`, `.warning(` and `Diagnostic(` in sxc/."""
    for path in SOURCES:
        if path.name == "diagnostics.py":
            continue
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in ("error", "warning") or \
                    isinstance(func, ast.Name) and func.id == "Diagnostic":
                yield path.name, node.lineno, node


def _code_argument(call: ast.Call):
    for keyword in call.keywords:
        if keyword.arg == "code":
            return keyword.value
    return None


def test_every_report_has_a_code():
    missing = [f"{name}:{line}" for name, line, call in _report_calls()
               if _code_argument(call) is None]
    assert missing == [], "diagnostics without `code=`: " + ", ".join(missing)


def test_reported_codes_are_registered():
    used = set()
    for name, line, call in _report_calls():
        value = _code_argument(call)
        if isinstance(value, ast.Constant):
            assert value.value in CODES, f"{name}:{line}: unregistered code {value.value}"
            used.add(value.value)
        else:
            # a diagnostic copied from another keeps that one's code
            assert ast.unparse(value).endswith(".code"), f"{name}:{line}"
    unused = sorted(set(CODES) - used)
    assert unused == [], f"registered codes that nothing reports: {unused}"


def test_codes_are_well_formed():
    for code, entry in CODES.items():
        assert CODE_PATTERN.match(code), code
        assert entry.code == code
        assert entry.title and entry.title == entry.title.strip(), code
        assert len(entry.explanation.split()) >= 10, code
        assert (entry.example is None) == (entry.fixed is None), code


def test_warning_codes_are_warnings():
    for code, entry in CODES.items():
        assert entry.severity == ("warning" if code.startswith("SXW") else "error"), code


def _diagnostics(source: str, directory: Path):
    path = directory / "prog.sx"
    path.write_text(source)
    try:
        return compile_program(source, str(path), Options(opt_level=0)).warnings
    except CompileError as err:
        return err.diagnostics


EXAMPLES = sorted(code for code, entry in CODES.items() if entry.example is not None)


@pytest.mark.parametrize("code", EXAMPLES)
def test_example_reports_its_code(tmp_path, code):
    found = _diagnostics(CODES[code].example, tmp_path)
    assert found, f"the example of {code} compiles without a diagnostic"
    assert found[0].code == code, found[0].render()
    assert found[0].severity == CODES[code].severity


@pytest.mark.parametrize("code", EXAMPLES)
def test_corrected_example_compiles(tmp_path, code):
    found = _diagnostics(CODES[code].fixed, tmp_path)
    assert found == [], "\n".join(d.render() for d in found)


def test_most_codes_have_examples():
    # the others are about files, the toolchain or compiler limits
    without = sorted(set(CODES) - set(EXAMPLES))
    assert without == ["SX0000", "SX0001", "SX0002", "SX0003", "SX0004", "SX0005",
                       "SX0006", "SX0204", "SX0206", "SX0315", "SX1001", "SX1002", "SXW007"]


# --------------------------------------------------------------- sxc explain

def test_explain_prints_explanation():
    result = run_sxc("explain", "SX0301")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("SX0301: mismatched types\n")
    assert "let x: f64 = n;" in result.stdout
    assert "let x: f64 = n as f64;" in result.stdout
    assert result.stderr == ""


def test_explain_accepts_lower_case():
    result = run_sxc("explain", "sxw004")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("SXW004: unreachable pattern\n")


@pytest.mark.parametrize("code", ["SX9999", "E0308", ""])
def test_explain_unknown_code(code):
    result = run_sxc("explain", code)
    assert result.returncode == 1
    assert result.stdout == ""
    assert f"error: `{code}` is not an sxc diagnostic code" in result.stderr


# --------------------------------------------------------------- JSON lines

TWO_ERRORS = """\
#![tangnets = 2]
fn main() {
    let n: i64 = 3;
    let x: f64 = n;
    let b: bool = 1.5;
}
"""

# The keys of one JSON diagnostic and the types their values may have.
SCHEMA = {
    "file": str, "line": int, "column": int, "end_line": int, "end_column": int,
    "severity": str, "code": str, "message": str, "hints": list, "notes": list,
    "rendered": str,
}


def check_record(record: dict) -> None:
    """Validate one JSON diagnostic against SCHEMA and the value rules."""
    assert set(record) == set(SCHEMA), sorted(record)
    for key, kind in SCHEMA.items():
        assert isinstance(record[key], kind), (key, record[key])
    assert record["severity"] in ("error", "warning", "note")
    assert record["code"] in CODES
    assert all(isinstance(hint, str) for hint in record["hints"])
    for note in record["notes"]:
        assert set(note) == {"message", "file", "line", "column"}, note
    assert record["line"] >= 0
    assert record["column"] >= 0
    assert (record["end_line"], record["end_column"]) >= (record["line"], record["column"])


def json_lines(stderr: str) -> list[dict]:
    lines = stderr.splitlines()
    assert lines, "no diagnostics on stderr"
    return [json.loads(line) for line in lines]


def test_json_errors(tmp_path):
    path = tmp_path / "prog.sx"
    path.write_text(TWO_ERRORS)
    result = run_sxc("check", "--error-format=json", str(path))
    assert result.returncode == 1
    assert result.stdout == ""
    records = json_lines(result.stderr)
    for record in records:
        check_record(record)
    assert [r["code"] for r in records] == ["SXW001", "SX0301", "SX0301"]
    assert [r["severity"] for r in records] == ["warning", "error", "error"]
    lines = TWO_ERRORS.split("\n")
    first = records[1]
    assert first["file"] == str(path)
    assert (first["line"], first["column"]) == (4, lines[3].index("n;") + 1)
    assert (first["end_line"], first["end_column"]) == (4, lines[3].index("n;") + 2)
    assert first["message"] == "mismatched types: expected `f64`, found `i64`"
    assert first["hints"] == ["convert with `as`: `n as f64`"]
    assert first["rendered"].startswith(f"{path}:4:18: error[SX0301]: mismatched types")
    assert "4 |     let x: f64 = n;" in first["rendered"]
    second = records[2]
    assert (second["line"], second["column"]) == (5, lines[4].index("1.5") + 1)
    assert second["end_column"] - second["column"] == len("1.5")
    assert second["hints"] == []


def test_json_same_diagnostics_as_human(tmp_path):
    path = tmp_path / "prog.sx"
    path.write_text(TWO_ERRORS)
    human = run_sxc("check", str(path))
    records = json_lines(run_sxc("check", "--error-format", "json", str(path)).stderr)
    rendered = "\n\n".join(r["rendered"] for r in records)
    assert human.stderr == rendered + "\n\nerror: aborting due to 2 previous errors\n"


def test_json_warning_keeps_exit_status(tmp_path):
    path = tmp_path / "prog.sx"
    path.write_text('#![tangnets = 2]\nfn main() {\n    println!("ok");\n}\n')
    result = run_sxc("run", "--error-format=json", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok\n"
    [record] = json_lines(result.stderr)
    check_record(record)
    assert record["code"] == "SXW001"
    assert (record["line"], record["column"]) == (1, 1)


def test_json_notes(tmp_path):
    path = tmp_path / "prog.sx"
    path.write_text("fn f() {}\nfn f() {}\nfn main() {}\n")
    result = run_sxc("check", "--error-format=json", str(path))
    assert result.returncode == 1
    [record] = json_lines(result.stderr)
    check_record(record)
    assert record["code"] == "SX0203"
    assert record["notes"] == [{"message": "first defined here", "file": str(path),
                                "line": 1, "column": 1}]


def test_json_lower_and_build(tmp_path):
    path = tmp_path / "prog.sx"
    path.write_text("fn main() {\n    let x = y;\n}\n")
    for args in (["lower"], ["build", "-o", str(tmp_path / "exe")]):
        result = run_sxc(*args, "--error-format=json", str(path))
        assert result.returncode == 1, args
        [record] = json_lines(result.stderr)
        check_record(record)
        assert record["code"] == "SX0201"
        assert (record["line"], record["column"]) == (2, 13)


def test_json_unreadable_file(tmp_path):
    path = tmp_path / "missing.sx"
    result = run_sxc("check", "--error-format=json", str(path))
    assert result.returncode == 1
    [record] = json_lines(result.stderr)
    check_record(record)
    assert record["code"] == "SX0001"
    assert (record["line"], record["column"]) == (0, 0)


# --------------------------------------------------------------- colour

RED = "\x1b[1;31m"
BLUE = "\x1b[1;34m"
YELLOW = "\x1b[1;33m"


def _bad_program(tmp_path) -> Path:
    path = tmp_path / "prog.sx"
    path.write_text("#![tangnets = 2]\nfn main() {\n    let n: i64 = 3;\n    let x: f64 = n;\n}\n")
    return path


def run_sxc_env(args, env_changes):
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env.pop("NO_COLOR", None)
    env.update(env_changes)
    return subprocess.run([sys.executable, "-m", "sxc.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=600)


def test_color_always(tmp_path):
    path = _bad_program(tmp_path)
    result = run_sxc_env(["check", "--color=always", str(path)], {})
    assert result.returncode == 1
    assert f"{RED}error[SX0301]\x1b[0m" in result.stderr
    assert f"{YELLOW}warning[SXW001]\x1b[0m" in result.stderr
    assert f"{BLUE}4 |\x1b[0m" in result.stderr


def test_color_off_when_piped(tmp_path):
    path = _bad_program(tmp_path)
    for flag in ([], ["--color=auto"], ["--color=never"]):
        result = run_sxc_env(["check", *flag, str(path)], {})
        assert result.returncode == 1
        assert "\x1b[" not in result.stderr, flag
        assert f"{path}:4:18: error[SX0301]: mismatched types" in result.stderr


def test_color_always_wins_over_no_color(tmp_path):
    path = _bad_program(tmp_path)
    result = run_sxc_env(["check", "--color", "always", str(path)], {"NO_COLOR": "1"})
    assert RED in result.stderr


def test_json_has_no_color(tmp_path):
    path = _bad_program(tmp_path)
    result = run_sxc_env(["check", "--color=always", "--error-format=json", str(path)], {})
    assert "\x1b[" not in result.stderr
    assert len(json_lines(result.stderr)) == 2


def _stderr_on_terminal(args, env_changes) -> str:
    """Run sxc with stderr on a pseudo-terminal; return what it wrote there."""
    leader, follower = pty.openpty()
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env.pop("NO_COLOR", None)
    env["TERM"] = "xterm"
    env.update(env_changes)
    proc = subprocess.Popen([sys.executable, "-m", "sxc.cli", *args], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closes when the process exits
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=600)
    os.close(leader)
    return b"".join(chunks).decode()


def test_color_auto_on_terminal(tmp_path):
    path = _bad_program(tmp_path)
    text = _stderr_on_terminal(["check", str(path)], {})
    assert RED in text
    assert BLUE in text


@pytest.mark.parametrize("env", [{"NO_COLOR": "1"}, {"TERM": "dumb"}], ids=["no_color", "dumb"])
def test_color_auto_disabled_on_terminal(tmp_path, env):
    path = _bad_program(tmp_path)
    text = _stderr_on_terminal(["check", str(path)], env)
    assert "error[SX0301]" in text
    assert "\x1b[" not in text


def test_empty_no_color_keeps_color(tmp_path):
    path = _bad_program(tmp_path)
    text = _stderr_on_terminal(["check", str(path)], {"NO_COLOR": ""})
    assert RED in text


# --------------------------------------------------------------- warnings as errors

def test_deny_warnings(tmp_path):
    path = tmp_path / "prog.sx"
    path.write_text('#![tangnets = 2]\nfn main() {\n    println!("ok");\n}\n')
    result = run_sxc("run", "--deny-warnings", str(path))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"{path}:1:1: error[SXW001]: unknown file setting")
    assert "`--deny-warnings` turns this warning into an error" in result.stderr


def test_deny_warnings_option_warning(tmp_path):
    path = tmp_path / "prog.sx"
    path.write_text("fn main() {}\n")
    result = run_sxc("check", "-D", "--hard", "threshold", str(path))
    assert result.returncode == 1
    assert result.stderr.startswith(f"{path}: error[SXW007]: `--hard` applies to release")


def test_deny_warnings_without_warnings(tmp_path):
    path = tmp_path / "prog.sx"
    path.write_text('fn main() {\n    println!("ok");\n}\n')
    result = run_sxc("run", "-D", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok\n"
    assert result.stderr == ""


def test_cli_reference_lists_every_code():
    text = (ROOT / "docs" / "cli.md").read_text()
    for code, entry in CODES.items():
        assert f"| `{code}` | {entry.title} |" in text, code


# --------------------------------------------------------------- runtime errors

def test_runtime_error_as_json(tmp_path):
    (tmp_path / "prog.sx").write_text(
        "fn main() {\n    let v = vec![1.0];\n    let i = 3;\n    println!(\"{}\", v[i]);\n}\n")
    human = run_sxc("run", "prog.sx", cwd=tmp_path)
    result = run_sxc("run", "--error-format=json", "prog.sx", cwd=tmp_path)
    assert human.returncode == 101
    assert result.returncode == 101
    [line] = result.stderr.splitlines()
    record = json.loads(line)
    assert record["code"] == "SX1001"
    assert record["severity"] == "error"
    assert record["file"] == "prog.sx"
    assert (record["line"], record["column"]) == (4, 20)
    assert record["message"] == "index out of bounds: the len is 1 but the index is 3"
    assert record["rendered"] == human.stderr.strip()


def test_runtime_error_without_location_as_json():
    from sxc.cli import report_runtime_error

    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        report_runtime_error("runtime error: memory allocation failed", "prog.sx", "json")
    record = json.loads(err.getvalue())
    assert record["file"] == "prog.sx"
    assert record["line"] == 0
    assert record["message"] == "memory allocation failed"
    assert record["code"] == "SX1001"


def test_explain_runtime_error():
    result = run_sxc("explain", "SX1001")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("SX1001: runtime error\n")


def test_time_limit_as_json(tmp_path):
    source = tmp_path / "spin.sx"
    source.write_text("fn main() {\n    println!(\"started\");\n    let mut i: u64 = 0;\n"
                      "    loop {\n        i = i.wrapping_add(1);\n    }\n}\n")
    result = run_sxc("run", "--error-format=json", "--time-limit", "0.5", str(source))
    assert result.returncode == 124
    assert result.stdout == "started\n"
    record = json.loads(result.stderr)
    assert record["code"] == "SX1002"
    assert record["file"] == str(source)
    assert record["message"] == "the program ran longer than the time limit of 0.5 s and " \
                                "was stopped"
    explained = run_sxc("explain", "SX1002")
    assert explained.stdout.startswith("SX1002: time limit exceeded\n")
