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


# ---------------------------------------------------------------- format specs

INT_TYPES = {"i8": 8, "i16": 16, "i32": 32, "i64": 64, "isize": 64,
             "u8": 8, "u16": 16, "u32": 32, "u64": 64, "usize": 64}


def _int_literal(rng: random.Random, name: str) -> str:
    bits = INT_TYPES[name]
    signed = name.startswith("i")
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    value = rng.choice([lo, hi, 0, 1, -1 if signed else 2, rng.randint(lo, hi),
                        rng.randint(-1000, 1000) if signed else rng.randint(0, 1000),
                        rng.choice([10, 100, 1000, 1250, 9999, 99500, 125000])])
    value = max(lo, min(hi, value))
    if value == lo and signed:
        return f"{name}::MIN"
    return f"({value}{name})" if value < 0 else f"{value}{name}"


def _flags(rng: random.Random, kinds: list[str], precision: bool) -> str:
    spec = ""
    if rng.random() < 0.4:
        spec += rng.choice(["", "*", "é", "0", "-"]) + rng.choice("<>^")
    if rng.random() < 0.3:
        spec += "+"
    if rng.random() < 0.3:
        spec += "#"
    if rng.random() < 0.3:
        spec += "0"
    if rng.random() < 0.6:
        spec += str(rng.randint(1, 24))
    if precision and rng.random() < 0.5:
        spec += f".{rng.randint(0, 12)}"
    return spec + rng.choice(kinds)


def _spec_cases() -> list[tuple[str, str]]:
    """Return (placeholder, argument) pairs that cover every flag on every type."""
    rng = random.Random(20261205)
    cases = []
    for _ in range(260):
        name = rng.choice(list(INT_TYPES))
        kinds = ["", "?", "x", "X", "o", "b", "e", "E", "x?", "X?"]
        cases.append((_flags(rng, kinds, rng.random() < 0.3), _int_literal(rng, name)))
    floats = ["0.0", "(-0.0)", "1.0", "(-1.5)", "0.1", "2.5", "1e21", "1e-7", "123456.789",
              "f64::NAN", "f64::INFINITY", "(-f64::INFINITY)", "5e-324", "0.000123",
              "1.7976931348623157e308", "(-2.675)", "1e16", "9.999999e15"]
    for _ in range(220):
        x = rng.choice(floats)
        if rng.random() < 0.3:
            x = x.replace("f64", "f32") if "f64" in x else (
                x + "f32" if not x.startswith("(") else x[:-1] + "f32)")
            if x in ("1e21f32", "5e-324f32", "1.7976931348623157e308f32"):
                x = "3.4028235e38f32"
        cases.append((_flags(rng, ["", "?", "e", "E"], True), x))
    texts = ['"ab"', '"héé"', '""', '"a\\"b\\t\\\\"', '"★✓x"', "true", "false"]
    for _ in range(80):
        cases.append((_flags(rng, ["", "?"], True), rng.choice(texts)))
    return cases


def _run_rust(tmp_path, source: str) -> str:
    rust_src = tmp_path / "p.rs"
    rust_src.write_text(source)
    exe = tmp_path / "p"
    built = subprocess.run([RUSTC, "-O", "-o", str(exe), str(rust_src)], capture_output=True,
                           text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    return subprocess.run([str(exe)], capture_output=True, text=True).stdout


def _run_sx(tmp_path, source: str) -> str:
    sx_src = tmp_path / "p.sx"
    sx_src.write_text(source)
    result = run_sxc("run", str(sx_src))
    assert result.returncode == 0, result.stderr
    return result.stdout


def _compare_lines(tmp_path, source: str, labels: list[str]) -> None:
    expected = _run_rust(tmp_path, source).splitlines()
    got = _run_sx(tmp_path, source).splitlines()
    assert len(expected) == len(labels)
    for want, line, label in zip(expected, got, labels):
        assert line == want, f"{label}: sxc printed {line!r}, rustc {want!r}"
    assert len(got) == len(expected)


@pytest.mark.skipif(RUSTC is None, reason="rustc is not installed")
def test_format_specs_match_rust(tmp_path):
    cases = _spec_cases()
    lines = [f'    println!("[{{:{spec}}}]", {arg});' for spec, arg in cases]
    source = "fn main() {\n" + "\n".join(lines) + "\n}\n"
    _compare_lines(tmp_path, source, [f"{{:{spec}}} of {arg}" for spec, arg in cases])


def _f32_values() -> list[str]:
    rng = random.Random(20261206)
    values = ["0.1", "1.0", "16777216.0", "3.4028235e38", "1.0e-45", "1.17549435e-38",
              "0.3", "2.5", "1.0e21", "1.0e-7", "1.0e16", "1.0e15", "0.0001", "0.00001"]
    while len(values) < 150:
        bits = rng.getrandbits(32)
        x = struct.unpack("<f", struct.pack("<I", bits))[0]
        if x == x and abs(x) != float("inf"):
            values.append(f"{x!r}".replace("e", ".0e", 1) if "e" in repr(x)
                          and "." not in repr(x).split("e")[0] else repr(x))
    return values


@pytest.mark.skipif(RUSTC is None, reason="rustc is not installed")
def test_f32_prints_as_rust_prints(tmp_path):
    values = _f32_values()
    lines = [f'    println!("{{}} {{:?}} {{:e}} {{:.3}} {{:E}}", {v}f32, {v}f32, {v}f32, '
             f'{v}f32, {v}f32);' for v in values]
    source = "fn main() {\n" + "\n".join(lines) + "\n}\n"
    _compare_lines(tmp_path, source, values)


@pytest.mark.skipif(RUSTC is None, reason="rustc is not installed")
def test_integer_exp_rounds_as_rust(tmp_path):
    rng = random.Random(20261207)
    cases = []
    for _ in range(200):
        digits = rng.randint(1, 19)
        n = rng.randint(10 ** (digits - 1), 10 ** digits - 1)
        if rng.random() < 0.5:
            # a tie or a near-tie at some digit: ...5, ...50, ...51, ...49
            cut = rng.randint(1, max(1, digits - 1))
            n = n // 10 ** cut * 10 ** cut + rng.choice([5, 50, 51, 49, 500, 501]) * 10 ** max(0, cut - 3)
        n = min(n, 2 ** 64 - 1)
        cases.append((n, rng.choice(["", ".0", ".1", ".2", ".3", ".5", ".25"])))
    lines = [f'    println!("{{:{p}e}}", {n}u64);' for n, p in cases]
    source = "fn main() {\n" + "\n".join(lines) + "\n}\n"
    _compare_lines(tmp_path, source, [f"{{:{p}e}} of {n}" for n, p in cases])


# Code points that `{:?}` of a string escapes, or does not.
CODE_POINTS = [0x0, 0x1, 0x7, 0x1B, 0x1F, 0x20, 0x27, 0x7E, 0x7F, 0x80, 0x9F, 0xA0, 0xA9,
               0xAD, 0xE9, 0x300, 0x301, 0x36F, 0x3B1, 0x600, 0x61C, 0x1680, 0x2000, 0x200B,
               0x200D, 0x2028, 0x202E, 0x2060, 0x2066, 0x3000, 0x4E2D, 0xE000, 0xFE0F, 0xFEFF,
               0xFFFD, 0x1F600]


@pytest.mark.skipif(RUSTC is None, reason="rustc is not installed")
def test_string_debug_escapes_as_rust(tmp_path):
    lines = []
    for c in CODE_POINTS:
        lines.append(f'    println!("{{:?}} {{:?}}", "\\u{{{c:x}}}", "a\\u{{{c:x}}}b");')
    source = "fn main() {\n" + "\n".join(lines) + "\n}\n"
    _compare_lines(tmp_path, source, [f"U+{c:04X}" for c in CODE_POINTS])
