"""`sxc run` compiles in a forked child process: results, errors and crashes cross back.

The child runs the passes and sends the released program through a pipe;
the parent runs LLVM.  These tests check that a program, its warnings, the
diagnostics of an error in a module file, and a child that dies all reach
the parent as they would without the child.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from sxc import driver
from sxc.diagnostics import CompileError, InternalError

needs_fork = pytest.mark.skipif(not (hasattr(os, "fork") and sys.platform.startswith("linux")),
                                reason="the child process is used on Linux only")

SUM = """
fn harmonic(n: i64) -> f64 {
    let mut total = 0.0;
    for k in 1..(n + 1) {
        total += 1.0 / (k as f64);
    }
    total
}

fn main() {
    let unused = 3;
    println!("{}", harmonic(100));
}
"""


def sxc_run(*args: str, cwd) -> subprocess.CompletedProcess:
    env = dict(os.environ, SXC_NO_CACHE="1")
    return subprocess.run([sys.executable, "-m", "sxc", "run", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600, env=env)


@needs_fork
def test_child_result_runs(capfd):
    compiled = driver.compile_in_child(SUM, "sum.sx", driver.Options(opt_level=1))
    assert compiled.program is None
    assert compiled.typed is None
    assert [w.code for w in compiled.warnings] == ["SXW005"]
    assert "harmonic" in compiled.call_interface()["functions"]
    status, _ = compiled.native().run_main(0, ["sum.sx"])
    assert status == 0
    assert float(capfd.readouterr().out) == sum(1.0 / k for k in range(1, 101))


def test_cli_run_prints_and_warns(tmp_path):
    (tmp_path / "sum.sx").write_text(SUM)
    result = sxc_run("sum.sx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert float(result.stdout) == sum(1.0 / k for k in range(1, 101))
    assert "unused variable: `unused`" in result.stderr
    assert "let unused = 3;" in result.stderr


def test_module_error_quotes_line(tmp_path):
    (tmp_path / "main.sx").write_text("mod shapes;\nfn main() {\n    println!(\"{}\", "
                                      "shapes::area(2.0));\n}\n")
    (tmp_path / "shapes.sx").write_text("pub fn area(r: f64) -> f64 {\n    r * r * true\n}\n")
    result = sxc_run("main.sx", cwd=tmp_path)
    assert result.returncode == 1
    assert "shapes.sx:2:" in result.stderr
    assert "r * r * true" in result.stderr
    assert "^" in result.stderr
    assert "Traceback" not in result.stderr


@needs_fork
def test_killed_child_internal_error(monkeypatch):
    def die(*args):
        os.kill(os.getpid(), signal.SIGKILL)

    monkeypatch.setattr(driver, "compile_program", die)
    with pytest.raises(InternalError, match="killed by SIGKILL"):
        driver.compile_in_child(SUM, "sum.sx", driver.Options())


@needs_fork
def test_child_exception_internal_error(monkeypatch):
    def fail(*args):
        raise KeyError("missing")

    monkeypatch.setattr(driver, "compile_program", fail)
    with pytest.raises(InternalError, match="KeyError: 'missing'"):
        driver.compile_in_child(SUM, "sum.sx", driver.Options())


@needs_fork
def test_child_compile_error_keeps_diagnostics():
    with pytest.raises(CompileError) as info:
        driver.compile_in_child("fn main() {\n    let x: i64 = 1.5;\n}\n", "bad.sx",
                                driver.Options())
    [error] = [d for d in info.value.diagnostics if d.severity == "error"]
    assert (error.span.line, error.span.col) == (2, 18)
    assert "let x: i64 = 1.5;" in info.value.render()


def test_no_exports_no_wrappers():
    with_exports = driver.compile_program(SUM, "sum.sx", driver.Options(opt_level=0))
    without = driver.compile_program(SUM, "sum.sx", driver.Options(opt_level=0, exports=False))
    assert "__sx_export.harmonic" in with_exports.llvm_ir
    assert "__sx_export" not in without.llvm_ir
    assert without.exports == {}
    status, _ = without.native().run_main(0, ["sum.sx"])
    assert status == 0


@needs_fork
def test_fork_failure_compiles_in_process(monkeypatch, capfd):
    def fail_to_fork():
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", fail_to_fork)
    compiled = driver.compile_in_child(SUM, "sum.sx", driver.Options(opt_level=0))
    assert compiled.program is None
    status, _ = compiled.native().run_main(0, ["sum.sx"])
    assert status == 0
    assert float(capfd.readouterr().out) == sum(1.0 / k for k in range(1, 101))
