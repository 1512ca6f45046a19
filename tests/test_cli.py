"""The `sxc` command line: subcommands, options and exit codes."""

from __future__ import annotations

import pytest

import sxc
from conftest import count_errors, run_sxc


def write(tmp_path, text: str, name: str = "prog.sx"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_version():
    result = run_sxc("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"sxc {sxc.__version__}"


def test_help_lists_commands():
    result = run_sxc("--help")
    assert result.returncode == 0
    for command in ("run", "check", "lower", "build"):
        assert command in result.stdout


def test_run_help_lists_options():
    result = run_sxc("run", "--help")
    assert result.returncode == 0
    for option in ("--mode", "-O0", "-O3", "--seed", "--hard", "--emit"):
        assert option in result.stdout


def test_check_ok(tmp_path):
    path = write(tmp_path, "fn main() { println!(\"hi\"); }\n")
    result = run_sxc("check", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_main_return_is_exit_status(tmp_path):
    path = write(tmp_path, "fn main() -> i64 { 3 }\n")
    assert run_sxc("run", str(path)).returncode == 3


def test_exit_status_modulo_256(tmp_path):
    path = write(tmp_path, "fn main() -> i64 { 258 }\n")
    assert run_sxc("run", str(path)).returncode == 2


def test_runtime_error_exit_101(tmp_path):
    path = write(tmp_path, "fn main() {\n    let v = vec![1, 2];\n    let i = v.len();\n"
                           "    println!(\"{}\", v[i]);\n}\n")
    result = run_sxc("run", str(path))
    assert result.returncode == 101
    assert f"{path}:4:20: runtime error: index out of bounds: the len is 2 but the index " \
           "is 2" in result.stderr


def test_compile_error_exit_1(tmp_path):
    path = write(tmp_path, "fn main() { let x: i64 = 1.5; }\n")
    result = run_sxc("run", str(path))
    assert result.returncode == 1
    assert "error[SX0301]: mismatched types" in result.stderr


def test_program_arguments(tmp_path):
    path = write(tmp_path, "fn main() {\n    let a = args();\n    for s in a.iter() {\n"
                           "        println!(\"[{}]\", s);\n    }\n}\n")
    result = run_sxc("run", str(path), "one", "two words", "--three")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"[{path}]", "[one]", "[two words]", "[--three]"]


def test_options_after_file(tmp_path):
    path = write(tmp_path, "fn main() { println!(\"{}\", default_rng().next_u64()); }\n")
    before = run_sxc("run", "--seed", "42", str(path))
    after = run_sxc("run", str(path), "--seed", "42")
    assert before.stdout == after.stdout


SEEDED = "fn main() { let r = default_rng(); println!(\"{} {}\", r.next_u64(), r.u01()); }\n"


def test_seed_reproducible(tmp_path):
    path = write(tmp_path, SEEDED)
    first = run_sxc("run", str(path), "--seed", "42")
    second = run_sxc("run", str(path), "--seed", "42")
    other = run_sxc("run", str(path), "--seed", "43")
    assert first.stdout == second.stdout
    assert first.stdout != other.stdout


def test_seed_42_is_splitmix64(tmp_path):
    # first output of splitmix64 from state 42 (the reference check value)
    path = write(tmp_path, "fn main() { println!(\"{:x}\", default_rng().next_u64()); }\n")
    result = run_sxc("run", str(path), "--seed", "42")
    assert result.stdout.strip() == "bdd732262feb6e95"


@pytest.mark.parametrize("level", ["-O0", "-O1", "-O2", "-O3"])
def test_opt_levels_agree(tmp_path, level):
    path = write(tmp_path, "fn main() {\n    let mut s = 0.0;\n    for i in 0..1000 {\n"
                           "        s += (i as f64).sqrt() / 3.0;\n    }\n"
                           "    println!(\"{:?}\", s);\n}\n")
    reference = run_sxc("run", str(path), "-O2")
    result = run_sxc("run", str(path), level)
    assert result.returncode == 0
    assert result.stdout == reference.stdout


DUALS = "fn main() {\n    let x = dual::variable(2.0);\n    let y = x * x.exp();\n" \
        "    println!(\"{} {}\", y.val, y.der);\n}\n"


@pytest.mark.parametrize("stage, marker", [("ast", "dual::variable"), ("core", "Dual {"),
                                           ("llvm", "define"), ("asm", "ret")])
def test_emit_stages(tmp_path, stage, marker):
    path = write(tmp_path, DUALS)
    result = run_sxc("run", str(path), "--emit", stage)
    assert result.returncode == 0, result.stderr
    assert marker in result.stdout


def test_lower_release_has_no_dual(tmp_path):
    path = write(tmp_path, DUALS)
    result = run_sxc("lower", str(path), "--mode", "release")
    assert result.returncode == 0, result.stderr
    assert "dual" not in result.stdout.lower()


def test_lower_train_pairs(tmp_path):
    path = write(tmp_path, DUALS)
    result = run_sxc("lower", str(path), "--mode", "train")
    assert "struct Dual { val: f64, der: f64 }" in result.stdout
    assert "__dual_exp" in result.stdout
    again = write(tmp_path, result.stdout, "core.sx")
    assert run_sxc("run", str(again)).stdout == run_sxc("run", str(path)).stdout


def test_file_mode_attribute(tmp_path):
    path = write(tmp_path, '#![mode = "release"]\n' + DUALS)
    assert run_sxc("run", str(path)).stdout.split()[1] == "0"
    assert run_sxc("run", str(path), "--mode", "train").stdout.split()[1] != "0"


def test_missing_file():
    result = run_sxc("run", "no/such/file.sx")
    assert result.returncode == 1
    assert "cannot read `no/such/file.sx`" in result.stderr
    assert "Traceback" not in result.stderr


def test_build_executable(tmp_path):
    path = write(tmp_path, "fn main() -> i64 {\n    println!(\"built {}\", 6 * 7);\n    4\n}\n")
    exe = tmp_path / "prog"
    result = run_sxc("build", str(path), "-o", str(exe))
    assert result.returncode == 0, result.stderr
    import subprocess
    done = subprocess.run([str(exe)], capture_output=True, text=True)
    assert done.stdout == "built 42\n"
    assert done.returncode == 4


@pytest.mark.parametrize("source, what", [
    ("trait Shape<T> { fn area(&self) -> T; }\nfn main() {}\n", "generic traits"),
    ("fn f(g: &dyn Fn(f64) -> f64) {}\nfn main() {}\n", "closure trait objects"),
    ("fn f(x: f64) -> f64 { x.sqrt()? }\nfn main() {}\n", "the `?` operator"),
])
def test_unsupported_construct(tmp_path, source, what):
    path = write(tmp_path, source)
    result = run_sxc("check", str(path))
    assert result.returncode == 1
    assert f"error[SX0801]: sxc does not support {what}" in result.stderr
    assert count_errors(result.stderr) == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_unsupported_word_in_string_is_fine(tmp_path):
    path = write(tmp_path, 'fn main() { println!("match x {{ enum"); } // match y {\n')
    result = run_sxc("run", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "match x { enum\n"


def test_build_into_missing_directory(tmp_path):
    path = write(tmp_path, "fn main() {}\n")
    result = run_sxc("build", str(path), "-o", str(tmp_path / "no" / "such" / "exe"))
    assert result.returncode == 1
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_hard_without_release_warns(tmp_path):
    path = write(tmp_path, "fn main() {}\n")
    result = run_sxc("run", str(path), "--hard", "threshold")
    assert result.returncode == 0
    assert "warning[SXW007]: `--hard` applies to release mode only" in result.stderr


def test_deep_recursion_in_main(tmp_path):
    path = write(tmp_path, "fn depth(n: i64) -> i64 { if n == 0 { 0 } else { 1 + depth(n - 1) } }\n"
                           "fn main() { println!(\"{}\", depth(200000)); }\n")
    result = run_sxc("run", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "200000\n"


def test_runaway_recursion_exit_101(tmp_path):
    # two recursive calls, so LLVM cannot turn the recursion into a loop
    path = write(tmp_path, "fn f(n: i64) -> i64 { if n < 0 { 0 } else { f(n + 1) * 2 + f(n + 2) } }\n"
                           "fn main() { println!(\"{}\", f(0)); }\n")
    result = run_sxc("run", str(path), timeout=120)
    assert result.returncode == 101
    assert "stack overflow" in result.stderr


@pytest.mark.parametrize("error_format", ["human", "json"])
def test_unexpected_exception_is_an_internal_error(tmp_path, monkeypatch, capsys, error_format):
    # Any exception a pass raises by mistake is reported as an internal
    # compiler error, one diagnostic without a traceback.  The fault is
    # injected into the front end, which `sxc build` runs in this process.
    import json

    from sxc import cli, driver

    def broken(source, path):
        raise KeyError("C::fmt")

    monkeypatch.setattr(driver, "frontend", broken)
    monkeypatch.delenv("SXC_BACKTRACE", raising=False)
    source = tmp_path / "p.sx"
    source.write_text("fn main() {}\n")
    status = cli.main(["build", str(source), "-o", str(tmp_path / "p"), "--no-cache",
                       f"--error-format={error_format}"])
    err = capsys.readouterr().err
    assert status == 1
    assert "Traceback" not in err
    if error_format == "json":
        record = json.loads(err.strip())
        assert record["code"] == "SX0000"
        assert record["message"] == "internal compiler error: KeyError: 'C::fmt'"
    else:
        assert err.startswith("error: internal compiler error: KeyError: 'C::fmt'\n")
        assert "SXC_BACKTRACE=1" in err
    monkeypatch.setenv("SXC_BACKTRACE", "1")
    assert cli.main(["build", str(source), "-o", str(tmp_path / "p"), "--no-cache"]) == 1
    assert "Traceback" in capsys.readouterr().err


@pytest.mark.parametrize("output, problem", [
    ("SOURCE", "it is the source file, which the executable would overwrite"),
    ("", "the output path is empty"),
    ("DIR", "is a directory"),
])
def test_build_rejects_bad_output(tmp_path, output, problem):
    source = tmp_path / "p.sx"
    text = 'fn main() { println!("hi"); }\n'
    source.write_text(text)
    target = {"SOURCE": str(source), "DIR": str(tmp_path)}.get(output, output)
    result = run_sxc("build", str(source), "-o", target)
    assert result.returncode == 1
    assert "error[SX0004]: cannot write the executable" in result.stderr
    assert problem in result.stderr
    assert "Traceback" not in result.stderr
    assert source.read_text() == text


def test_trace_into_missing_directory_fails_before_running(tmp_path):
    source = tmp_path / "p.sx"
    source.write_text('fn main() { println!("ran"); }\n')
    result = run_sxc("run", "--trace", str(tmp_path / "missing" / "t.csv"), str(source))
    assert result.returncode == 1
    assert result.stdout == ""
    assert "error[SX0004]: cannot write the trace" in result.stderr
    assert "does not exist" in result.stderr


def test_huge_time_limit_is_no_limit(tmp_path):
    source = tmp_path / "p.sx"
    source.write_text('fn main() { println!("ran"); }\n')
    result = run_sxc("run", "--time-limit", "1e10", str(source))
    assert (result.returncode, result.stdout, result.stderr) == (0, "ran\n", "")


def test_closed_stdout_is_not_a_traceback(tmp_path):
    import subprocess
    import sys

    source = tmp_path / "p.sx"
    source.write_text('fn main() { println!("ran"); }\n')
    result = subprocess.run(f"{sys.executable} -m sxc.cli run {source} >&-", shell=True,
                            capture_output=True, text=True, timeout=300)
    # as in Rust, output to a closed stdout is dropped without an error
    assert (result.returncode, result.stderr) == (0, "")


def test_build_emit_obj_links_with_cc(tmp_path):
    import shutil
    import subprocess

    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    source = tmp_path / "p.sx"
    source.write_text('fn main() {\n    let a = args();\n    println!("{} {:.3}", a.len(), '
                      '2.0f64.sqrt());\n    if a.len() > 2 {\n        exit(7);\n    }\n}\n')
    obj = tmp_path / "p.o"
    result = run_sxc("build", str(source), "--emit", "obj", "-o", str(obj))
    assert result.returncode == 0, result.stderr
    assert obj.read_bytes()[:4] == b"\x7fELF"
    exe = tmp_path / "p"
    subprocess.run([cc, str(obj), "-lm", "-o", str(exe)], check=True)
    for args, status in (([], 0), (["x", "y"], 7)):
        ran = subprocess.run([str(exe), *args], capture_output=True, text=True)
        expected = run_sxc("run", str(source), *args)
        assert (ran.returncode, ran.stdout) == (expected.returncode, expected.stdout) \
            == (status, f"{len(args) + 1} 1.414\n")


def test_emit_obj_needs_build(tmp_path):
    source = tmp_path / "p.sx"
    source.write_text("fn main() {}\n")
    result = run_sxc("run", str(source), "--emit", "obj")
    assert result.returncode == 1
    assert "error[SX0004]: `--emit obj` writes an object file, which only `sxc build` does" \
        in result.stderr


@pytest.mark.parametrize("command, what", [("check", "only checks the program"),
                                           ("lower", "only prints the lowered source")])
def test_emit_rejected_by_check_and_lower(tmp_path, command, what):
    source = tmp_path / "p.sx"
    source.write_text("fn main() {}\n")
    result = run_sxc(command, str(source), "--emit", "llvm")
    assert result.returncode == 1
    assert f"error[SX0004]: `--emit` prints a stage of `sxc run` or `sxc build`, and " \
        f"`sxc {command}` {what}" in result.stderr


def test_build_emit_writes_the_stage_to_the_output(tmp_path):
    source = tmp_path / "p.sx"
    source.write_text("fn twice(x: f64) -> f64 {\n    2.0 * x\n}\n\nfn main() {\n"
                      '    println!("{}", twice(1.5));\n}\n')
    out = tmp_path / "p.ll"
    result = run_sxc("build", str(source), "--emit", "llvm", "-o", str(out))
    assert (result.returncode, result.stdout) == (0, ""), result.stderr
    written = out.read_text()
    assert "define" in written
    assert "@__sx_main" in written
    # `-o -` prints the stage, as `sxc run --emit` does
    printed = run_sxc("build", str(source), "--emit", "llvm", "-o", "-")
    assert printed.returncode == 0
    assert "@__sx_main" in printed.stdout
    rejected = run_sxc("build", str(source), "--emit", "core", "-o", str(source))
    assert rejected.returncode == 1
    assert (f"error[SX0004]: cannot write the core output to `{source}`: it is the source "
            "file, which the core output would overwrite") in rejected.stderr
    assert source.read_text().startswith("fn twice")
