"""Run every example of docs/language.md and compare it with the output shown.

An example is a fenced block whose info string is `rust` (a program that is
also valid Rust) or `sx` (sxc only), followed by a ```text block with its
exact stdout.  A block whose info string is `sx file=NAME.sx` is a further
file of the next program, written beside it (for `mod NAME;`).  A line
`<!-- exit: N -->` between a program and its output sets the expected exit
status.  A second ```text block after `<!-- release -->` is the output of the
release-mode variant, for a program whose derivatives vanish in release mode.
Each program runs the ways of tests/programs (-O3, and `sxc lower` in both
modes run at -O0).  When rustc is installed, the `rust` examples are
also compiled by rustc, whose output must equal the one shown.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from test_programs import Program, _mismatches, run_variants

DOC = Path(__file__).resolve().parent.parent / "docs" / "language.md"
RUSTC = shutil.which("rustc") or "/root/.cargo/bin/rustc"
FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```\s*$", re.M | re.S)
EXIT = re.compile(r"<!--\s*exit:\s*(\d+)\s*-->")
RELEASE = re.compile(r"<!--\s*release\s*-->")


@dataclass
class Example:
    line: int
    kind: str  # "rust" or "sx"
    source: str
    output: str = ""
    exit_status: int = 0
    release_output: str | None = None
    files: dict[str, str] = field(default_factory=dict)


def _examples() -> list[Example]:
    text = DOC.read_text(encoding="utf-8")
    examples: list[Example] = []
    files: dict[str, str] = {}
    pending: Example | None = None
    previous_end = 0
    for match in FENCE.finditer(text):
        info, body = match.group(1).strip(), match.group(2)
        line = text.count("\n", 0, match.start()) + 1
        if info.startswith("sx file="):
            files[info.split("=", 1)[1]] = body
        elif info in ("rust", "sx"):
            pending = Example(line, info, body, files=files)
            files = {}
        elif info == "text" and RELEASE.search(text[previous_end:match.start()]):
            examples[-1].release_output = body
        elif info == "text" and pending is not None:
            between = text[previous_end:match.start()]
            exit_match = EXIT.search(between)
            pending.exit_status = int(exit_match.group(1)) if exit_match else 0
            pending.output = body
            examples.append(pending)
            pending = None
        previous_end = match.end()
    return examples


EXAMPLES = _examples()


def test_doc_has_examples():
    # a fence the parser misses would silently drop examples
    assert len(EXAMPLES) >= 15


def _write(example: Example, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in example.files.items():
        (folder / name).write_text(body, encoding="utf-8")
    main = folder / "main.sx"
    main.write_text(example.source, encoding="utf-8")
    return main


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"line{e.line}" for e in EXAMPLES])
def test_doc_example_runs(example, tmp_path):
    main = _write(example, tmp_path / "src")
    release = None if example.release_output is None else example.release_output.encode()
    program = Program(f"language.md:{example.line}", main, example.output.encode(),
                      exit_status=example.exit_status, stderr_text=None, args=[],
                      modes=("train", "release"), release_stdout=release)
    outcomes = run_variants(program, tmp_path)
    problems = _mismatches(program, outcomes)
    assert not problems, f"docs/language.md:{example.line}:\n" + "\n".join(problems)


RUST_EXAMPLES = [e for e in EXAMPLES if e.kind == "rust"]


@pytest.mark.skipif(not Path(RUSTC).exists(), reason="rustc is not installed")
@pytest.mark.parametrize("example", RUST_EXAMPLES,
                         ids=[f"line{e.line}" for e in RUST_EXAMPLES])
def test_doc_example_matches_rustc(example, tmp_path):
    main = _write(example, tmp_path / "src")
    rust_main = main.with_suffix(".rs")
    for name in example.files:
        (main.parent / name).rename(main.parent / name.replace(".sx", ".rs"))
    main.rename(rust_main)
    binary = tmp_path / "example"
    built = subprocess.run([RUSTC, "-O", "--edition", "2021", "-o", str(binary),
                            str(rust_main)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    ran = subprocess.run([str(binary)], capture_output=True, text=True, timeout=60)
    assert ran.returncode == example.exit_status, ran.stderr
    assert ran.stdout == example.output
