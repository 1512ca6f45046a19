"""Shared helpers: run the real `sxc` command line and compare golden files."""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

# The suite compiles every program from source and keeps the cache folder
# (which also contains the parser tables) in a temporary folder, so it never
# writes to the user's cache.  Subprocesses inherit both settings.  The
# compile cache's own tests turn the cache on for their runs.
_CACHE_ROOT = tempfile.mkdtemp(prefix="sxc-test-cache-")
atexit.register(shutil.rmtree, _CACHE_ROOT, True)
os.environ["SXC_CACHE_DIR"] = _CACHE_ROOT
os.environ["SXC_NO_CACHE"] = "1"

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
GOLDEN = Path(__file__).resolve().parent / "golden"

# Lines whose content depends on the machine, not on the program's semantics.
_VOLATILE = re.compile(r"^(wall time: ).*$", re.M)


def pytest_xdist_auto_num_workers(config):
    """One worker more than cores for `-n auto`: many tests wait for a compiler or
    program subprocess, and the extra worker keeps the cores busy meanwhile."""
    return (os.cpu_count() or 1) + 1


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/*.out from the current compiler")


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


def run_sxc(*args: str, cwd: Path | None = None, timeout: int = 600,
            stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run `python -m sxc.cli ARGS` in a subprocess and capture its output."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return subprocess.run([sys.executable, "-m", "sxc.cli", *args], cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=timeout, env=env,
                          input=stdin)


def normalize(output: str) -> str:
    return _VOLATILE.sub(r"\1<masked>", output)


def check_golden(name: str, output: str, update: bool) -> None:
    path = GOLDEN / name
    text = normalize(output)
    if update or not path.exists():
        if not update:
            pytest.fail(f"missing golden file {path}; run pytest --update-golden")
        path.write_text(text)
        return
    expected = path.read_text()
    assert text == expected, f"output differs from {path}"


def caret_col(rendered: str, line: int, text: str) -> int:
    """Return the 1-based column of the first `^` under the quoted line `line | text`."""
    lines = rendered.splitlines()
    quoted = f"{line} | {text}"
    assert quoted in lines, f"quoted line {quoted!r} missing from:\n{rendered}"
    caret = lines[lines.index(quoted) + 1]
    gutter = " " * len(str(line)) + " | "
    assert caret.startswith(gutter), caret
    assert "^" in caret, caret
    return caret.index("^") - len(gutter) + 1


# The header of a rendered error after its location: `error[SX0301]: `.
ERROR_HEADER = re.compile(r"error\[(SX\d{4})\]: ")


def count_errors(stderr: str) -> int:
    """Return how many `error[CODE]:` headers `stderr` contains."""
    return len(ERROR_HEADER.findall(stderr))


def check_diagnostic(rendered: str, path, line: int, col: int, fragment: str, source: str,
                     help_text: str | None = None, code: str | None = None) -> None:
    """Check one rendered error: `path:line:col: error[CODE]:`, message fragment, caret
    column, help."""
    location = f"{path}:{line}:{col}: "
    assert rendered.startswith(location), rendered
    header = ERROR_HEADER.match(rendered, len(location))
    assert header is not None, rendered
    if code is not None:
        assert header.group(1) == code, rendered
    assert fragment in rendered.splitlines()[0], rendered
    # Lark numbers lines at `\n` only, while str.splitlines also breaks at form feeds.
    text = source.split("\n")[line - 1].rstrip("\r")
    assert caret_col(rendered, line, text) == col, rendered
    if help_text is not None:
        helps = [entry for entry in rendered.splitlines() if entry.startswith("   = help:")]
        assert any(help_text in entry for entry in helps), rendered


def heap_bytes_in_use() -> int:
    """Return the bytes that the C library's malloc has handed out (glibc only)."""
    import ctypes

    class Mallinfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
            "uordblks", "fordblks", "keepcost")]

    libc = ctypes.CDLL(None)
    if not hasattr(libc, "mallinfo2"):
        pytest.skip("needs glibc 2.33 or later for mallinfo2")
    libc.mallinfo2.restype = Mallinfo2
    info = libc.mallinfo2()
    return info.uordblks + info.hblkhd
