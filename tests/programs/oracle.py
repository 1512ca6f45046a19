#!/usr/bin/env python3
"""Regenerate or check the .out files of test programs from their oracle.

    tests/programs/oracle.py NAME...     write NAME.out from the oracle's output
    tests/programs/oracle.py --check     compare every oracle program with its .out

The oracle is the program's `// expected:` header:
  rustc           the .sx file itself is compiled as Rust with `rustc -O`
  rustc FILE.rs   that Rust equivalent is compiled instead
  c FILE.c        that C equivalent is compiled with `gcc -O2 -lm`
  python          the header's Python lines (`//     code`, four spaces after
                  the slashes) are run with this Python
Programs with `expected: hand` have no oracle to run; they are skipped.
The oracle must exit with the header's `// exit: N` status (default 0).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

PROGRAMS = Path(__file__).resolve().parent
REPO = PROGRAMS.parent.parent
RUSTC = os.environ.get("RUSTC") or shutil.which("rustc") or "/root/.cargo/bin/rustc"
GCC = os.environ.get("CC") or "gcc"
TIMEOUT_SECONDS = 120


def source_of(name: str) -> Path:
    single = PROGRAMS / f"{name}.sx"
    return single if single.exists() else PROGRAMS / name / "main.sx"


def read_header(path: Path) -> tuple[dict[str, str], list[str]]:
    """Return the `// key: value` header lines and the `//     ` Python lines."""
    header: dict[str, str] = {}
    python: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("//"):
            break
        if line.startswith("//    "):
            python.append(line[2:])
            continue
        key, sep, value = line[2:].strip().partition(":")
        if sep and key not in header:
            header[key] = value.strip()
    return header, python


def copy_as_rust(folder: Path, target: Path) -> Path:
    """Copy a program of several files to `target` with `.rs` names; return main.rs."""
    for source in folder.rglob("*.sx"):
        rust = target / source.relative_to(folder).with_suffix(".rs")
        rust.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, rust)
    return target / "main.rs"


def run_oracle(name: str, work: Path) -> tuple[bytes, int] | None:
    """Return (stdout, exit status) of the oracle of `name`, or None for `hand`."""
    path = source_of(name)
    header, python = read_header(path)
    oracle = header.get("expected", "").split()
    if not oracle:
        raise SystemExit(f"{path}: no `// expected:` header")
    args = shlex.split(header.get("args", ""))
    kind = oracle[0]
    if kind == "hand":
        return None
    if kind == "python":
        if not python:
            raise SystemExit(f"{path}: `expected: python` but no `//     ` Python lines")
        script = work / f"{name}.py"
        script.write_text(textwrap.dedent("\n".join(python)) + "\n", encoding="utf-8")
        command = [sys.executable, str(script), *args]
    elif kind in ("rustc", "c"):
        binary = work / name
        if kind == "rustc":
            if len(oracle) > 1:
                rust_source = REPO / oracle[1]
            elif path.name == "main.sx":
                rust_source = copy_as_rust(path.parent, work / f"{name}.src")
            else:
                rust_source = work / f"{name}.rs"
                shutil.copyfile(path, rust_source)
            build = [RUSTC, "-O", "--edition", "2021", "-o", str(binary), str(rust_source)]
        else:
            build = [GCC, "-O2", "-o", str(binary), str(REPO / oracle[1]), "-lm"]
        built = subprocess.run(build, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
        if built.returncode != 0:
            raise SystemExit(f"{path}: the oracle failed to compile:\n{built.stderr}")
        command = [str(binary), *args]
    else:
        raise SystemExit(f"{path}: unknown oracle `{kind}`")
    ran = subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS,
                         stdin=subprocess.DEVNULL)
    want = int(header.get("exit", "0"))
    if ran.returncode != want:
        raise SystemExit(f"{path}: the oracle exited with {ran.returncode}, the header "
                         f"says {want}\n{ran.stderr.decode('utf-8', 'replace')}")
    return ran.stdout, ran.returncode


def all_names() -> list[str]:
    names = [p.stem for p in PROGRAMS.glob("*.sx")]
    names += [p.name for p in PROGRAMS.iterdir() if p.is_dir() and (p / "main.sx").exists()]
    return sorted(names)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="programs to write .out files for (without .sx)")
    parser.add_argument("--check", action="store_true",
                        help="compare the oracle's output with the .out file instead of "
                             "writing it (every program when no NAME is given)")
    args = parser.parse_args(argv)
    if not args.names and not args.check:
        parser.error("give program names, or --check")
    names = args.names or all_names()
    failures = 0
    with tempfile.TemporaryDirectory(prefix="sx-oracle-") as tmp:
        for name in names:
            result = run_oracle(name, Path(tmp))
            if result is None:
                print(f"skip   {name} (expected: hand)")
                continue
            stdout, _ = result
            out_path = PROGRAMS / f"{name}.out"
            if args.check:
                same = out_path.exists() and out_path.read_bytes() == stdout
                failures += not same
                print(f"{'ok' if same else 'DIFFER':6} {name}")
            else:
                out_path.write_bytes(stdout)
                print(f"wrote  {out_path.relative_to(REPO)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
