"""The `%%sxc` cell magic, run through a real IPython shell."""

from __future__ import annotations

import pytest

import sxc
from sxc.ipython import parse_options

IPython = pytest.importorskip("IPython")


@pytest.fixture(scope="module")
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "sxc.ipython")
    return ip


CELL = """
struct Point { x: f64, y: f64 }
fn norm2(p: Point) -> f64 { p.x * p.x + p.y * p.y }
fn fact(n: i64) -> i64 { if n <= 1 { 1 } else { n * fact(n - 1) } }
"""


def test_magic_binds_functions(shell):
    shell.run_cell_magic("sxc", "", CELL)
    fact = shell.user_ns["fact"]
    assert fact(10) == 3628800
    point = shell.user_ns["Point"](x=3.0, y=4.0)
    assert shell.user_ns["norm2"](point) == 25.0


def test_magic_cell_uses_bound_names(shell):
    shell.run_cell_magic("sxc", "--name geometry", CELL)
    result = shell.run_cell("value = norm2(Point(1.0, 2.0)) + fact(3)")
    assert result.success
    assert shell.user_ns["value"] == 11.0
    assert isinstance(shell.user_ns["geometry"], sxc.Module)


def test_magic_options(shell):
    source = "fn f(x: dual) -> dual { x * x }"
    shell.run_cell_magic("sxc", "--mode release -O3", source)
    assert shell.user_ns["f"](sxc.Dual(3.0, 1.0)) == sxc.Dual(9.0, 0.0)
    shell.run_cell_magic("sxc", "--mode train -O0", source)
    assert shell.user_ns["f"](sxc.Dual(3.0, 1.0)) == sxc.Dual(9.0, 6.0)


def test_magic_compile_error(shell):
    with pytest.raises(sxc.CompileError, match="cannot find value `missing`"):
        shell.run_cell_magic("sxc", "", "fn g() -> f64 {\n    missing\n}\n")
    assert "g" not in shell.user_ns


def test_magic_compile_error_shows_no_traceback(shell, capsys):
    result = shell.run_cell("%%sxc\nfn g() -> f64 {\n    missing\n}\n")
    assert isinstance(result.error_in_exec, sxc.CompileError)
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "cannot find value `missing`" in text
    assert "Traceback" not in text
    assert "sxc/api.py" not in text


def test_magic_bad_option(shell, capsys):
    from IPython.core.error import UsageError

    with pytest.raises(UsageError, match="invalid %%sxc options '--mode fast': argument "
                                         "--mode: invalid choice"):
        shell.run_cell_magic("sxc", "--mode fast", CELL)
    # the usage is in the message once, and argparse printed nothing of its own
    captured = capsys.readouterr()
    assert "usage:" not in captured.err


def test_parse_options():
    options = parse_options("--mode release -O3 --seed 9 --tangents 2 --no-cache")
    assert options.mode == "release"
    assert options.opt_level == 3
    assert options.seed == 9
    assert options.tangents == 2
    assert options.no_cache is True


def test_magic_binds_function_named_run(shell):
    shell.run_cell_magic("sxc", "", "fn run(n: i64) -> i64 { n + 1 }")
    assert shell.user_ns["run"](41) == 42
