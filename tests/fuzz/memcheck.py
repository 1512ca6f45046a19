"""Build test programs and run them under valgrind's memcheck.

    python tests/fuzz/memcheck.py [PROGRAM.sx ...]

Without arguments it checks every program in `tests/programs/` and
`examples/` that makes a `Vec` or a string, since compiled code frees local
`Vec`s and strings (`sxc/drops.py`) and a wrong free shows up as an invalid
read, write or free.  valgrind does not decode every instruction of newer CPUs, so the
programs are built for the baseline x86-64 CPU.  It prints one line per
program with errors, then the counts, and exits with status 1 if any
program had errors.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAKES_BUFFER = re.compile(r"vec!|Vec::|collect|clone\(\)|to_vec|format!|to_string|String::|"
                          r"chars\(|char_indices|split|lines\(")
VALGRIND_ERROR = re.compile(r"^==\d+== Invalid", re.MULTILINE)
BUILD = """
import sys
import llvmlite.binding as llvm


class _NoFeatures:
    def flatten(self):
        return ""


llvm.get_host_cpu_name = lambda: "x86-64"
llvm.get_host_cpu_features = lambda: _NoFeatures()
from sxc import cli
sys.exit(cli.main(["build", sys.argv[1], "-o", sys.argv[2]]))
"""


def programs(args: list[str]) -> list[Path]:
    if args:
        return [Path(a) for a in args]
    found = sorted((ROOT / "tests" / "programs").glob("*.sx")) + \
        sorted((ROOT / "examples").glob("*.sx"))
    return [p for p in found if MAKES_BUFFER.search(p.read_text())]


def program_args(path: Path) -> list[str]:
    for line in path.read_text().splitlines():
        if line.startswith("// args:"):
            return line.removeprefix("// args:").split()
        if not line.startswith("//"):
            break
    return []


def check(path: Path, folder: Path) -> str | None:
    """Return memcheck's report of errors in the built `path`, or None."""
    exe = folder / path.stem
    env = {"SXC_NO_CACHE": "1", "PATH": "/usr/bin:/bin"}
    built = subprocess.run([sys.executable, "-c", BUILD, str(path), str(exe)],
                           capture_output=True, text=True, env=env, timeout=600)
    if built.returncode != 0:
        return f"build failed: {built.stderr.strip()[:400]}"
    ran = subprocess.run(["valgrind", "-q", "--error-exitcode=77", str(exe),
                          *program_args(path)], capture_output=True, text=True,
                         cwd=path.parent, timeout=900)
    # valgrind prefixes its own lines with `==PID==`; a program's message such
    # as `ParseIntError { kind: InvalidDigit }` is no memcheck error
    if ran.returncode == 77 or VALGRIND_ERROR.search(ran.stderr):
        return ran.stderr.strip()[:2000]
    return None


def main(argv: list[str]) -> int:
    if shutil.which("valgrind") is None:
        print("valgrind is not installed", file=sys.stderr)
        return 2
    paths = programs(argv)
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in paths:
            report = check(path, Path(tmp))
            if report is not None:
                failed += 1
                print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
                      f"{report}")
    print(f"{len(paths)} programs, {failed} with memcheck errors")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
