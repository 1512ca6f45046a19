"""Float printing against rustc itself, when a Rust compiler is installed.

The same literals go through `{}`, `{:?}`, `{:e}` and `{:.3}` in a Rust
program and in an sxc program; the outputs must be identical.
"""

from __future__ import annotations

import random
import shutil
import struct
import subprocess

import pytest

from conftest import run_sxc

RUSTC = shutil.which("rustc")


def _values() -> list[str]:
    rng = random.Random(20261204)
    values = ["0.1", "0.30000000000000004", "1.0", "2.5", "1e21", "1e16", "1e-7",
              "123456.789", "696603148925121.25", "5e-324", "1.7976931348623157e308",
              "9.5", "0.000123", "4.35", "2.675"]
    for _ in range(120):
        bits = rng.getrandbits(64)
        x = struct.unpack("<d", struct.pack("<Q", bits))[0]
        if x == x and abs(x) != float("inf"):
            values.append(repr(x))
    for _ in range(60):
        # exact binary ties: an integer plus a quarter or three quarters
        values.append(repr(rng.randrange(1, 10 ** 15) + rng.choice([0.25, 0.75])))
    return values


def _program(values: list[str], rust: bool) -> str:
    suffix = "f64" if rust else ""
    lines = [f'    println!("{{}} {{:?}} {{:e}} {{:.3}}", {v}{suffix}, {v}{suffix}, '
             f'{v}{suffix}, {v}{suffix});' for v in values]
    return "fn main() {\n" + "\n".join(lines) + "\n}\n"


@pytest.mark.skipif(RUSTC is None, reason="rustc is not installed")
def test_floats_print_as_rust_prints(tmp_path):
    values = [v if ("e" in v or "." in v) else v + ".0" for v in _values()]
    values = [v.replace("e", ".0e", 1) if "e" in v and "." not in v.split("e")[0] else v
              for v in values]
    rust_src = tmp_path / "p.rs"
    rust_src.write_text(_program(values, rust=True))
    exe = tmp_path / "p"
    built = subprocess.run([RUSTC, "-O", "-o", str(exe), str(rust_src)], capture_output=True,
                           text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    expected = subprocess.run([str(exe)], capture_output=True, text=True).stdout
    sx_src = tmp_path / "p.sx"
    sx_src.write_text(_program(values, rust=False))
    result = run_sxc("run", str(sx_src))
    assert result.returncode == 0, result.stderr
    for want, got, value in zip(expected.splitlines(), result.stdout.splitlines(), values):
        assert got == want, f"{value}: sxc printed {got!r}, rustc {want!r}"
    assert len(result.stdout.splitlines()) == len(values)
