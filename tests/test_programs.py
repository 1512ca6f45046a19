"""Run every program of tests/programs/ three ways and compare with its .out file.

The variants are `sxc run -O3` (compiled with the wrappers that Python's calls
use), and `sxc lower --mode train` and `--mode release` with the printed
source compiled as `sxc run` does and run again at -O0, so that both ends of
the optimisation levels run every program.  Each must print exactly the
expected stdout, end with the expected exit status, and write the expected
text on stderr.  tests/programs/README.md
describes the header format and tests/programs/PENDING the known failures.

A `sxc run` subprocess spends most of its time starting Python and parsing the
prelude, so this file compiles in-process through `sxc.driver` and runs each
variant in a forked child.  The child calls `sxc.cli.run_compiled`, the code
`sxc run` ends with, so exit statuses and runtime-error messages are the
command's own.  The parent compiles the next variant while a child runs.
"""

from __future__ import annotations

import ctypes
import dataclasses
import difflib
import os
import re
import shlex
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from sxc.cli import EXIT_COMPILE_ERROR, run_compiled
from sxc.diagnostics import CompileError, InternalError
from sxc.driver import Options, compile_program, read_source, run_deep
from sxc.printer import print_program

PROGRAMS = Path(__file__).resolve().parent / "programs"
PENDING = PROGRAMS / "PENDING"
HEADER_KEYS = ("expected", "exit", "stderr", "args", "modes")
MODES = ("train", "release")
ORACLES = ("rustc", "c", "python", "hand")
# A child that runs longer than this is killed and the variant fails.
CHILD_TIMEOUT_SECONDS = 120

_libc = ctypes.CDLL(None)


@dataclass
class Program:
    name: str
    source_path: Path  # the .sx file, or main.sx of a directory program
    expected_stdout: bytes
    exit_status: int
    stderr_text: str | None
    args: list[str]
    modes: tuple[str, ...]  # the modes whose lowered variant runs
    # stdout of the release-mode variant when it differs (derivatives vanish)
    release_stdout: bytes | None = None
    # the file that is standard input, AREA_NAME.in beside the program; else empty
    stdin_path: Path | None = None


def _read_header(path: Path) -> dict[str, str]:
    """Return the `// key: value` lines of the leading comment block of `path`."""
    header: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("//"):
            break
        key, sep, value = line[2:].strip().partition(":")
        if sep and key in HEADER_KEYS and key not in header:
            header[key] = value.strip()
    return header


def _program_names() -> list[str]:
    names = [p.stem for p in PROGRAMS.glob("*.sx")]
    names += [p.name for p in PROGRAMS.iterdir() if p.is_dir() and (p / "main.sx").exists()]
    return sorted(names)


def _pending() -> dict[str, str]:
    """Return PENDING as name -> reason; `#` starts a comment line."""
    if not PENDING.exists():
        return {}
    pending: dict[str, str] = {}
    for line in PENDING.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, reason = line.partition(" ")
        pending[name] = reason.strip() or "listed in PENDING"
    return pending


def load_program(name: str) -> Program:
    single = PROGRAMS / f"{name}.sx"
    source_path = single if single.exists() else PROGRAMS / name / "main.sx"
    header = _read_header(source_path)
    expected = header.get("expected", "")
    if expected.split(" ")[0] not in ORACLES:
        pytest.fail(f"{source_path}: the header needs `// expected: SOURCE` with SOURCE one "
                    f"of {', '.join(ORACLES)}, not {expected!r}")
    out_path = PROGRAMS / f"{name}.out"
    if not out_path.exists():
        pytest.fail(f"{out_path} is missing; see tests/programs/README.md")
    modes = tuple(header.get("modes", " ".join(MODES)).split())
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        pytest.fail(f"{source_path}: `// modes:` takes one or both of {', '.join(MODES)}, "
                    f"not {header.get('modes')!r}")
    release_path = PROGRAMS / f"{name}.release.out"
    release = release_path.read_bytes() if release_path.exists() else None
    stdin_path = PROGRAMS / f"{name}.in"
    return Program(name, source_path, out_path.read_bytes(), int(header.get("exit", "0")),
                   header.get("stderr"), shlex.split(header.get("args", "")), modes, release,
                   stdin_path if stdin_path.exists() else None)


@dataclass
class Outcome:
    status: int
    stdout: bytes
    stderr: str


class Child:
    """A forked process that runs one compiled variant with fds 1 and 2 in files."""

    def __init__(self, compiled, argv: list[str], out_dir: Path, label: str,
                 stdin_path: Path | None = None):
        self.out_path = out_dir / f"{label}.stdout"
        self.err_path = out_dir / f"{label}.stderr"
        self.stdin_path = stdin_path
        sys.stdout.flush()
        sys.stderr.flush()
        self.pid = os.fork()
        if self.pid == 0:
            self._run_in_child(compiled, argv)

    def _run_in_child(self, compiled, argv: list[str]) -> None:
        status = 70  # EX_SOFTWARE: the harness itself failed in the child
        try:
            signal.alarm(CHILD_TIMEOUT_SECONDS)
            stdin = os.open(self.stdin_path or os.devnull, os.O_RDONLY)
            out = os.open(self.out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            err = os.open(self.err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(stdin, 0)
            os.dup2(out, 1)
            os.dup2(err, 2)
            # pytest replaces sys.stdout and sys.stderr; the program's messages
            # must reach fds 1 and 2 as they do under `sxc run`.
            sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
            sys.stderr = open(2, "w", encoding="utf-8", closefd=False)
            for warning in compiled.warnings:
                print(warning.render(), file=sys.stderr)
            status = run_compiled(compiled, argv)
        except BaseException as exc:  # reported through the stderr file
            try:
                print(f"harness error in the child: {exc!r}", file=sys.stderr)
            except BaseException:
                pass
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
                _libc.fflush(None)
            finally:
                os._exit(status)

    def wait(self) -> Outcome:
        _, wait_status = os.waitpid(self.pid, 0)
        if os.WIFSIGNALED(wait_status):
            sig = os.WTERMSIG(wait_status)
            status = -sig
            note = f"\n[killed by signal {signal.Signals(sig).name}" + \
                (f" after {CHILD_TIMEOUT_SECONDS} s]" if sig == signal.SIGALRM else "]")
        else:
            status, note = os.WEXITSTATUS(wait_status), ""
        stderr = self.err_path.read_bytes().decode("utf-8", errors="replace") + note
        return Outcome(status, self.out_path.read_bytes(), stderr)


def _compile(source: str, path: str, options: Options):
    """Compile like the command line; return (compiled, None) or (None, the Outcome
    of a compile error)."""
    try:
        return compile_program(source, path, options), None
    except CompileError as err:
        return None, Outcome(EXIT_COMPILE_ERROR, b"", err.render() + "\n")
    except InternalError as err:
        return None, Outcome(EXIT_COMPILE_ERROR, b"",
                             f"error: internal compiler error: {err}\n")


def _with_level(compiled, level: int):
    """Return a copy of `compiled` that the JIT optimises at `level`; the IR is shared."""
    options = dataclasses.replace(compiled.options, opt_level=level)
    return dataclasses.replace(compiled, options=options, _native=None)


def run_variants(program: Program, work: Path) -> dict[str, Outcome]:
    """Run the variants of `program`; return variant name -> Outcome.

    The lowered variant of a mode that the header's `modes:` leaves out is
    skipped: a program that prints derivatives prints zeros in release mode.
    """
    path = str(program.source_path)
    source = read_source(path)
    outcomes: dict[str, Outcome] = {}
    children: dict[str, Child] = {}

    base, error = _compile(source, path, Options(opt_level=0))
    if error is not None:
        # A program that fails to compile fails the same way in every variant.
        return {v: error for v in ("O3", "lower-train", "lower-release")}
    argv = [path] + program.args
    # The lowered variants below run at -O0, so they check -O0 code generation.
    # A separate -O0 run of the source would repeat that check.
    children["O3"] = Child(_with_level(base, 3), argv, work, "O3", program.stdin_path)

    printed: dict[str, str] = {}  # lowered text -> the label of the variant that runs it
    modes = program.modes
    if base.mode in modes and not _mode_dependent(program):
        # Both modes lower such a program to the same text, which runs once.
        modes = (base.mode,)
    for mode in modes:
        label = f"lower-{mode}"
        if base.mode == mode:
            by_mode = base
        else:
            by_mode, error = _compile(source, path, Options(mode=mode, opt_level=0))
            if error is not None:
                outcomes[label] = error
                continue
        lowered_text = run_deep(print_program, by_mode.program)
        if lowered_text in printed:
            # a program without duals lowers to the same text in both modes,
            # which runs once for both variants
            children[label] = children[printed[lowered_text]]
            continue
        printed[lowered_text] = label
        lowered_path = work / f"{program.name}.{mode}.sx"
        lowered_path.write_text(lowered_text, encoding="utf-8")
        # compiled as `sxc run` does, without the wrappers for Python's calls, so
        # that code generation starts from `main` alone
        lowered, error = _compile(lowered_text, str(lowered_path),
                                  Options(mode=mode, opt_level=0, exports=False))
        if error is not None:
            outcomes[label] = Outcome(error.status, b"",
                                      f"the lowered source {lowered_path} does not compile:\n"
                                      + error.stderr)
            continue
        children[label] = Child(lowered, [str(lowered_path)] + program.args, work, label,
                                program.stdin_path)

    for mode in program.modes:
        if mode not in modes and f"lower-{base.mode}" in children:
            children[f"lower-{mode}"] = children[f"lower-{base.mode}"]
    waited: dict[int, Outcome] = {}
    for label, child in children.items():
        if id(child) not in waited:
            waited[id(child)] = child.wait()
        outcomes[label] = waited[id(child)]
    return {label: outcomes[label] for label in ("O3", "lower-train", "lower-release")
            if label in outcomes}


# Words that a program whose lowering depends on the mode names: dual numbers,
# soft branches, the mode setting and the training library that uses them.
# NOTE: this is a check of the text.  A program that reaches mode-dependent code
# without any of these words would lose its release-mode lowered run.  The
# prelude (runtime/std.sx) contains no dual or soft code today.
MODE_WORDS = re.compile(r"dual|soft|sigmoid|mode|tangent|simplex_training|meta_trainer|"
                        r"Annealer|Learnable|MetaOptimizer")


def _mode_dependent(program: Program) -> bool:
    """Return whether `program` may lower differently in train and release mode.

    Compiling a program in the second mode only to print the same text again
    took about a sixth of the time of the programs' tests (an estimate from
    timing 40 of them)."""
    folder = program.source_path.parent
    files = [program.source_path] if folder == PROGRAMS else sorted(folder.rglob("*.sx"))
    return any(MODE_WORDS.search(f.read_text(encoding="utf-8")) for f in files)


def _describe(program: Program, got: Outcome, expected_stdout: bytes) -> str | None:
    """Return what is wrong with one variant's outcome, or None when it matches."""
    reasons = []
    if got.stdout != expected_stdout:
        want = expected_stdout.decode("utf-8", "replace").splitlines(keepends=True)
        have = got.stdout.decode("utf-8", "replace").splitlines(keepends=True)
        diff = "".join(difflib.unified_diff(want, have, "expected", "got"))
        reasons.append(f"stdout differs:\n{diff}")
    if got.status != program.exit_status:
        reasons.append(f"exit status {got.status}, expected {program.exit_status}")
    if program.stderr_text is not None and program.stderr_text not in got.stderr:
        reasons.append(f"stderr lacks {program.stderr_text!r}")
    if not reasons:
        return None
    return "\n".join(reasons) + f"\n--- stderr\n{got.stderr}"


def _mismatches(program: Program, outcomes: dict[str, Outcome]) -> list[str]:
    """Return one report per distinct failure, naming the variants that show it."""
    by_report: dict[str, list[str]] = {}
    for label, got in outcomes.items():
        expected = program.expected_stdout
        if label == "lower-release" and program.release_stdout is not None:
            expected = program.release_stdout
        report = _describe(program, got, expected)
        if report is not None:
            by_report.setdefault(report, []).append(label)
    return [f"[{', '.join(labels)}] {report}" for report, labels in by_report.items()]


# The number of files that the programs are split over: this one and
# test_programs_second.py to test_programs_fourth.py.
PROGRAM_SHARDS = 4


def program_params(shard: int, shards: int = PROGRAM_SHARDS):
    """Return the test parameters of every `shards`-th program from the `shard`-th on.

    The programs are split over this file and test_programs_second.py to
    test_programs_fourth.py, so that no one file takes most of the suite's
    time."""
    pending = _pending()
    params = []
    for name in _program_names()[shard::shards]:
        marks = []
        if name in pending:
            marks.append(pytest.mark.xfail(reason=pending[name], strict=True))
        params.append(pytest.param(name, marks=marks, id=name))
    return params


@pytest.fixture(scope="module", autouse=True)
def _warm_caches():
    # The first compilation parses the grammar and the prelude; later ones
    # reuse them, and each forked child inherits the warm caches.
    compile_program("fn main() { let x: dual = dual::variable(1.0); println!(\"{}\", x.der); }",
                    "<warm-up>", Options())


def check_program(name: str, tmp_path: Path) -> None:
    """Run the variants of program `name` and fail with a report of each mismatch."""
    program = load_program(name)
    outcomes = run_variants(program, tmp_path)
    problems = _mismatches(program, outcomes)
    if problems:
        pytest.fail(f"{program.source_path}:\n" + "\n".join(problems), pytrace=False)


@pytest.mark.parametrize("name", program_params(0))
def test_program(name, tmp_path):
    check_program(name, tmp_path)


def test_pending_names_exist():
    names = set(_program_names())
    unknown = sorted(set(_pending()) - names)
    assert not unknown, f"PENDING lists programs that do not exist: {unknown}"


def test_every_program_has_out_file():
    missing = [n for n in _program_names() if not (PROGRAMS / f"{n}.out").exists()]
    assert not missing, f"programs without a .out file: {missing}"


def test_every_out_file_has_program():
    names = set(_program_names())
    orphans = sorted(p.name for p in PROGRAMS.glob("*.out")
                     if p.name.removesuffix(".release.out").removesuffix(".out") not in names)
    assert not orphans, f".out files without a program: {orphans}"
