"""Integer and float semantics against exact Python computations.

Each test compiles small functions with `sxc.compile` and calls them on edge
cases and seeded random values.  It compares every result with Python's
exact integers, wrapped to the type's width, or with f32 rounding done by
NumPy or by exact integer arithmetic.  A Rust release build is the
reference: integer `+ - *` wrap, shifts mask their amount, `/` and `%`
truncate and panic on a zero divisor or `MIN / -1`, float-to-integer `as`
saturates with NaN mapped to 0, and f32 operations round once.
"""

from __future__ import annotations

import math
import random
import re
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest

import sxc

INT_TYPES = {
    "i8": (8, True), "i16": (16, True), "i32": (32, True), "i64": (64, True),
    "u8": (8, False), "u16": (16, False), "u32": (32, False), "u64": (64, False),
    "usize": (64, False),
}


def wrap(value: int, name: str) -> int:
    bits, signed = INT_TYPES[name]
    value &= (1 << bits) - 1
    if signed and value >= 1 << (bits - 1):
        value -= 1 << bits
    return value


def bounds(name: str) -> tuple[int, int]:
    bits, signed = INT_TYPES[name]
    if signed:
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


def samples(name: str, count: int, seed: int) -> list[int]:
    """Return the edges of type `name` and `count` seeded random values of it."""
    lo, hi = bounds(name)
    edges = [lo, lo + 1, hi, hi - 1, 0, 1, 2, 3, 7, 100]
    if lo < 0:
        edges += [-1, -2, -7, -100]
    rng = random.Random(seed)
    values = [v for v in edges if lo <= v <= hi]
    values += [rng.randint(lo, hi) for _ in range(count)]
    # small magnitudes exercise division and shifts by small amounts
    values += [rng.randint(max(lo, -300), min(hi, 300)) for _ in range(count)]
    return values


def truncating_div(a: int, b: int) -> tuple[int, int]:
    q = abs(a) // abs(b)
    if (a < 0) != (b < 0):
        q = -q
    return q, a - q * b


def f32(x: float) -> float:
    """Round a double to the nearest f32 (ties to even), as a Python float."""
    with np.errstate(over="ignore"):
        return float(np.float32(x))


def int_to_f32(n: int) -> float:
    """Round an integer once to the nearest f32, with exact integer arithmetic."""
    magnitude = abs(n)
    shift = max(magnitude.bit_length() - 24, 0)
    q, r = divmod(magnitude, 1 << shift)
    half = (1 << shift) >> 1
    if shift and (r > half or (r == half and q & 1)):
        q += 1
    return math.copysign(float(q << shift), n) if n else 0.0


def same_float(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


# ---------------------------------------------------------------- integer operators

OPERATORS = ["+", "-", "*", "&", "|", "^"]


def _operator_source(name: str) -> str:
    ops = {"add": "+", "sub": "-", "mul": "*", "and": "&", "or": "|", "xor": "^",
           "div": "/", "rem": "%"}
    lines = [f"fn {fn}(a: {name}, b: {name}) -> {name} {{ a {op} b }}" for fn, op in ops.items()]
    lines.append(f"fn shl(a: {name}, n: u32) -> {name} {{ a << n }}")
    lines.append(f"fn shr(a: {name}, n: u32) -> {name} {{ a >> n }}")
    lines.append(f"fn not(a: {name}) -> {name} {{ !a }}")
    if INT_TYPES[name][1]:
        lines.append(f"fn neg(a: {name}) -> {name} {{ -a }}")
    return "\n".join(lines)


@pytest.mark.parametrize("name", list(INT_TYPES))
def test_int_operators_wrap(name):
    m = sxc.compile(_operator_source(name))
    bits, signed = INT_TYPES[name]
    values = samples(name, 12, seed=bits * 2 + signed)
    rng = random.Random(bits)
    for a in values:
        b = rng.choice(values)
        assert m.add(a, b) == wrap(a + b, name), (a, b)
        assert m.sub(a, b) == wrap(a - b, name), (a, b)
        assert m.mul(a, b) == wrap(a * b, name), (a, b)
        assert getattr(m, "and")(a, b) == wrap(a & b, name), (a, b)
        assert getattr(m, "or")(a, b) == wrap(a | b, name), (a, b)
        assert m.xor(a, b) == wrap(a ^ b, name), (a, b)
        assert getattr(m, "not")(a) == wrap(~a, name), a
        if signed:
            assert m.neg(a) == wrap(-a, name), a
        lo = bounds(name)[0]
        if b != 0 and not (signed and a == lo and b == -1):
            q, r = truncating_div(a, b)
            assert m.div(a, b) == q, (a, b)
            assert m.rem(a, b) == r, (a, b)
        for n in (0, 1, bits - 1, bits, bits + 1, 2 * bits + 3, rng.randrange(1 << 32)):
            k = n & (bits - 1)
            assert m.shl(a, n) == wrap(a << k, name), (a, n)
            # Python's >> on a negative int is arithmetic, as Rust's is on signed types
            assert m.shr(a, n) == wrap(a >> k, name), (a, n)


@pytest.mark.parametrize("name", ["i8", "i32", "i64", "u8", "u64"])
def test_division_errors_name_operation_and_line(name):
    m = sxc.compile(_operator_source(name))
    with pytest.raises(sxc.RuntimeError, match=r"^<string>:7:\d+: runtime error: attempt to divide by "
                                                r"zero$"):
        m.div(5, 0)
    with pytest.raises(sxc.RuntimeError, match="attempt to calculate the remainder with a "
                                               "divisor of zero"):
        m.rem(5, 0)
    if INT_TYPES[name][1]:
        lo = bounds(name)[0]
        with pytest.raises(sxc.RuntimeError, match="attempt to divide with overflow"):
            m.div(lo, -1)
        with pytest.raises(sxc.RuntimeError, match="attempt to calculate the remainder "
                                                   "with overflow"):
            m.rem(lo, -1)
    assert m.div(7, 2) == 3


# ---------------------------------------------------------------- casts


def test_int_to_int_casts_every_pair():
    names = list(INT_TYPES)
    source = "\n".join(f"fn c_{s}_{d}(x: {s}) -> {d} {{ x as {d} }}"
                       for s in names for d in names)
    m = sxc.compile(source)
    for s in names:
        for x in samples(s, 6, seed=len(s)):
            for d in names:
                assert getattr(m, f"c_{s}_{d}")(x) == wrap(x, d), (s, d, x)


def test_float_to_int_casts_saturate():
    names = list(INT_TYPES)
    source = "\n".join(f"fn f_{d}(x: f64) -> {d} {{ x as {d} }}\n"
                       f"fn g_{d}(x: f32) -> {d} {{ x as {d} }}" for d in names)
    m = sxc.compile(source)
    rng = random.Random(5)
    values = [0.0, -0.0, 0.5, -0.5, 0.9999, -0.9999, 1.5, -1.5, 127.5, 128.0, -128.5, -129.0,
              255.9, 256.0, 65535.5, 2.0 ** 31, -2.0 ** 31 - 1, 2.0 ** 32, 2.0 ** 63,
              -2.0 ** 63, 2.0 ** 64, 1e300, -1e300, math.inf, -math.inf, math.nan,
              5e-324]
    values += [rng.uniform(-1e20, 1e20) for _ in range(20)]
    values += [rng.uniform(-70000, 70000) for _ in range(20)]
    for x in values:
        for d in names:
            assert getattr(m, f"f_{d}")(x) == saturating_int(x, d), (d, x)
            x32 = f32(x)
            assert getattr(m, f"g_{d}")(x32) == saturating_int(x32, d), (d, x32)


def saturating_int(x: float, name: str) -> int:
    """Return Rust's `x as T`: truncated toward zero, clamped to T, NaN as 0."""
    lo, hi = bounds(name)
    if math.isnan(x):
        return 0
    if x <= lo:
        return lo
    if x >= hi:
        return hi
    return int(x)


def test_int_to_float_casts_round_to_nearest():
    names = list(INT_TYPES)
    source = "\n".join(f"fn d_{s}(x: {s}) -> f64 {{ x as f64 }}\n"
                       f"fn s_{s}(x: {s}) -> f32 {{ x as f32 }}" for s in names)
    m = sxc.compile(source)
    # odd values just above 2^24 and 2^53 land halfway between two floats
    extra = [(1 << 24) + 1, (1 << 24) + 3, (1 << 53) + 1, (1 << 53) + 3,
             (1 << 62) + (1 << 38), -(1 << 62) - (1 << 39) - 1]
    for s in names:
        lo, hi = bounds(s)
        for x in samples(s, 20, seed=99) + [v for v in extra if lo <= v <= hi]:
            assert getattr(m, f"d_{s}")(x) == float(x), (s, x)
            assert getattr(m, f"s_{s}")(x) == int_to_f32(x), (s, x)


def test_f64_to_f32_and_back():
    m = sxc.compile("fn narrow(x: f64) -> f32 { x as f32 }\n"
                    "fn widen(x: f32) -> f64 { x as f64 }")
    rng = random.Random(11)
    values = [0.1, -0.1, 1e40, -1e40, 3.4028235677973366e38, 3.4028235677973362e38,
              1e-46, 7e-46, 1.401298464324817e-45, math.inf, math.nan, -0.0,
              1.0000000596046448, 1.0000000596046446]
    values += [rng.uniform(-1e6, 1e6) for _ in range(200)]
    values += [math.ldexp(rng.random(), rng.randint(-160, 130)) for _ in range(200)]
    for x in values:
        assert same_float(m.narrow(x), f32(x)), x
        assert same_float(m.widen(f32(x)), f32(x)), x


# ---------------------------------------------------------------- f32 arithmetic


def test_f32_operations_round_once():
    m = sxc.compile("""
fn add(a: f32, b: f32) -> f32 { a + b }
fn sub(a: f32, b: f32) -> f32 { a - b }
fn mul(a: f32, b: f32) -> f32 { a * b }
fn div(a: f32, b: f32) -> f32 { a / b }
fn root(a: f32) -> f32 { a.abs().sqrt() }
fn fma(a: f32, b: f32, c: f32) -> f32 { a.mul_add(b, c) }
fn chain(a: f32, b: f32) -> f32 { (a + b) * (a - b) / b }
""")
    rng = random.Random(3)
    for _ in range(400):
        a = f32(math.ldexp(rng.uniform(-1, 1), rng.randint(-30, 30)))
        b = f32(math.ldexp(rng.uniform(-1, 1), rng.randint(-30, 30)))
        c = f32(rng.uniform(-1, 1))
        # a double contains the exact sum, difference and product of two f32s, and
        # its quotient and root are close enough that one more rounding to f32 is exact
        assert same_float(m.add(a, b), f32(a + b)), (a, b)
        assert same_float(m.sub(a, b), f32(a - b)), (a, b)
        assert same_float(m.mul(a, b), f32(a * b)), (a, b)
        assert same_float(m.div(a, b), f32(a / b)), (a, b)
        assert same_float(m.root(a), f32(math.sqrt(abs(a)))), a
        exact = Fraction(a) * Fraction(b) + Fraction(c)
        assert m.fma(a, b, c) == fraction_to_f32(exact), (a, b, c)
        step = f32(f32(f32(a + b) * f32(a - b)) / b)
        assert same_float(m.chain(a, b), step), (a, b)


def fraction_to_f32(x: Fraction) -> float:
    """Round an exact rational once to f32 (normal range only)."""
    if x == 0:
        return 0.0
    e = math.floor(math.log2(abs(x)))
    quantum = Fraction(2) ** (e - 23)
    n = x / quantum
    q = math.floor(n)
    rest = n - q
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and q % 2):
        q += 1
    return float(q * quantum)


def test_f32_literal_rounds_once_from_its_digits():
    # halfway between the f32s 1 and 1 + 2^-23, plus a little: nearest is 1 + 2^-23,
    # but rounding to f64 first lands exactly on the halfway point, then on 1.0
    m = sxc.compile("fn lit() -> f32 { 1.00000005960464477550f32 }\n"
                    "fn typed() -> f32 { let x: f32 = 1.000000059604644775390626; x }")
    assert m.lit() == 1.0 + 2.0 ** -23
    assert m.typed() == 1.0 + 2.0 ** -23


# ---------------------------------------------------------------- integer methods


def _count(x: int, bits: int) -> int:
    return bin(x & ((1 << bits) - 1)).count("1")


@pytest.mark.parametrize("name", ["i8", "i32", "i64", "u8", "u16", "u64"])
def test_int_methods_match_python(name):
    bits, signed = INT_TYPES[name]
    m = sxc.compile(f"""
fn sat_add(a: {name}, b: {name}) -> {name} {{ a.saturating_add(b) }}
fn sat_sub(a: {name}, b: {name}) -> {name} {{ a.saturating_sub(b) }}
fn sat_mul(a: {name}, b: {name}) -> {name} {{ a.saturating_mul(b) }}
fn ones(a: {name}) -> u32 {{ a.count_ones() }}
fn lz(a: {name}) -> u32 {{ a.leading_zeros() }}
fn tz(a: {name}) -> u32 {{ a.trailing_zeros() }}
fn rotl(a: {name}, n: u32) -> {name} {{ a.rotate_left(n) }}
fn rem_e(a: {name}, b: {name}) -> {name} {{ a.rem_euclid(b) }}
fn div_e(a: {name}, b: {name}) -> {name} {{ a.div_euclid(b) }}
fn diff(a: {name}, b: {name}) -> u64 {{ a.abs_diff(b) as u64 }}
fn power(a: {name}, n: u32) -> {name} {{ a.pow(n) }}
fn ovf(a: {name}, b: {name}) -> bool {{ a.overflowing_mul(b).1 }}
""")
    lo, hi = bounds(name)
    mask = (1 << bits) - 1
    values = samples(name, 10, seed=bits)
    rng = random.Random(bits + 1)
    for a in values:
        b = rng.choice(values)
        assert m.sat_add(a, b) == min(max(a + b, lo), hi), (a, b)
        assert m.sat_sub(a, b) == min(max(a - b, lo), hi), (a, b)
        assert m.sat_mul(a, b) == min(max(a * b, lo), hi), (a, b)
        assert m.ovf(a, b) == (not lo <= a * b <= hi), (a, b)
        assert m.ones(a) == _count(a, bits), a
        u = a & mask
        assert m.lz(a) == bits - u.bit_length(), a
        assert m.tz(a) == (bits if u == 0 else (u & -u).bit_length() - 1), a
        n = rng.randrange(200)
        k = n % bits
        assert m.rotl(a, n) == wrap((u << k | u >> (bits - k)) if k else u, name), (a, n)
        assert m.diff(a, b) == abs(a - b), (a, b)
        e = rng.randrange(70)
        assert m.power(a, e) == wrap(a ** e, name), (a, e)
        if b != 0 and not (signed and a == lo and b == -1):
            r = a % abs(b)
            assert m.rem_e(a, b) == r, (a, b)
            assert m.div_e(a, b) == (a - r) // b, (a, b)


def test_int_to_float_from_is_lossless():
    m = sxc.compile("fn a(x: u32) -> f64 { f64::from(x) }\n"
                    "fn b(x: i16) -> f32 { f32::from(x) }\n"
                    "fn c(x: u8) -> i16 { i16::from(x) }\n"
                    "fn d(x: bool) -> u64 { u64::from(x) }")
    assert m.a(4294967295) == 4294967295.0
    assert m.b(-32768) == -32768.0
    assert m.c(255) == 255
    assert m.d(True) == 1


# ---------------------------------------------------------------- parse

PARSE_INPUTS = [
    "0", "+0", "-0", "7", "+7", "-7", "00042", "-00042", "", "+", "-", "--1", "+-1",
    " 1", "1 ", "1_000", "0x10", "1e3", "1.0", "١", "127", "128", "-128", "-129", "255",
    "256", "32767", "32768", "-32768", "-32769", "65535", "65536",
    "2147483647", "2147483648", "-2147483648", "-2147483649", "4294967295", "4294967296",
    "9223372036854775807", "+9223372036854775807", "9223372036854775808",
    "-9223372036854775808", "-9223372036854775809", "18446744073709551615",
    "18446744073709551616", "36893488147419103231", "99999999999999999999999",
    "000000000000000000000018446744073709551615",
]


def rust_parse_int(text: str, name: str) -> int | None:
    """Return what Rust's `text.parse::<name>()` yields, or None for an error.

    Rust's `from_str` takes an optional `+`, or `-` for signed types, then one
    or more ASCII digits and nothing else, and rejects values out of range.
    """
    lo, hi = bounds(name)
    sign = "[+-]?" if lo < 0 else "[+]?"
    if not re.fullmatch(sign + "[0-9]+", text, flags=re.ASCII):
        return None
    value = int(text)
    return value if lo <= value <= hi else None


@pytest.mark.parametrize("name", ["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64"])
def test_int_parse_follows_rust_rules(name):
    cases = ", ".join(f'"{text}"' for text in PARSE_INPUTS)
    m = sxc.compile(f"""
const CASES: [&str; {len(PARSE_INPUTS)}] = [{cases}];
fn parse(k: usize) -> {name} {{ CASES[k].parse::<{name}>().unwrap() }}
""")
    for k, text in enumerate(PARSE_INPUTS):
        expected = rust_parse_int(text, name)
        if expected is None:
            message = f"runtime error: cannot parse `{text}` as `{name}`"
            with pytest.raises(sxc.RuntimeError, match=re.escape(message) + "$"):
                m.parse(k)
        else:
            assert m.parse(k) == expected, text


# ---------------------------------------------------------------- diagnostics


@pytest.mark.parametrize("source, line, col, message", [
    ("fn f() -> u8 { 256 }", 1, 16, "literal out of range for `u8`"),
    ("fn f() -> i8 { 128i8 }", 1, 16, "literal out of range for `i8`"),
    ("fn f() -> u8 { 300 as u8 }", 1, 16, "literal out of range for `u8`"),
    ("fn f() -> f32 { 1e40 as f32 }", 1, 17, "literal out of range for `f32`"),
    ("fn f() -> i8 { -129i8 }", 1, 17, "literal out of range for `i8`"),
    ("fn f() -> u32 { -1 }", 1, 18, "cannot apply unary operator `-` to type `u32`"),
    ("fn f(x: u16) -> u16 { -x }", 1, 23, "cannot apply unary operator `-` to type `u16`"),
    ("fn f() -> f32 { 1e39f32 }", 1, 17, "literal out of range for `f32`"),
    ("fn f() -> f64 { 1e309 }", 1, 17, "literal out of range for `f64`"),
    ("fn f(a: i32, b: u32) -> bool { a < b }", 1, 34,
     "cannot compare `i32` with `u32`, which differ in signedness"),
    ("fn f(x: usize) -> u64 { u64::from(x) }", 1, 35, "`u64::from` does not accept `usize`"),
    ("fn f(x: u8) -> u8 { x.abs() }", 1, 23, "no method named `abs` found for `u8`"),
    ("fn f(x: i64) -> char { x as char }", 1, 24,
     "only `u8` can be cast as `char`, not `i64`"),
    ("fn f(x: dual) -> dual { x.copysign(1.0) }", 1, 27,
     "`copysign` has no derivative rule for `dual`"),
    ("fn f(x: u32) -> u32 { x.checked_shl(3) }", 1, 25,
     "no method named `checked_shl` found for `u32`"),
    ("fn f(x: u32) -> Option<u32> { x.checked_abs() }", 1, 33,
     "no method named `checked_abs` found for `u32`"),
    ("fn f(x: i64) -> i64 { x as i128 }", 1, 28, "sxc does not support `i128`"),
])
def test_number_diagnostics(source, line, col, message):
    with pytest.raises(sxc.CompileError) as info:
        sxc.compile(source)
    first = info.value.diagnostics[0]
    assert message in first.message
    assert (first.span.line, first.span.col) == (line, col)


def test_missing_checked_method_names_the_others():
    with pytest.raises(sxc.CompileError) as info:
        sxc.compile("fn f(x: u32) -> u32 { x.checked_shl(3) }")
    assert "sxc has `checked_add`, `checked_sub`" in info.value.diagnostics[0].help
    assert "`checked_pow`" in info.value.diagnostics[0].help


def test_checked_methods_return_option():
    m = sxc.compile("fn f(x: u32, y: u32) -> (bool, u32) {\n"
                    "    (x.checked_mul(y).is_none(), x.checked_add(y).unwrap_or(0))\n}\n")
    assert m.f(70000, 70000) == (True, 140000)
    assert m.f(3, 4) == (False, 7)


def test_float_to_int_cast_uses_saturating_intrinsic(tmp_path):
    path = tmp_path / "cast.sx"
    path.write_text("fn main() {\n    let x: f64 = 1e30;\n    let y: f32 = -1e30;\n"
                    "    println!(\"{} {}\", x as i32, y as u64);\n}\n")
    proc = subprocess.run([sys.executable, "-m", "sxc.cli", "run", "-O0", str(path),
                           "--emit", "llvm"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    # plain fptosi/fptoui give poison out of range; the .sat forms clamp, NaN to 0
    assert "@llvm.fptosi.sat.i32.f64" in proc.stdout
    assert "@llvm.fptoui.sat.i64.f32" in proc.stdout
    assert " fptosi " not in proc.stdout and " fptoui " not in proc.stdout


def test_cast_of_literal_takes_target_type():
    m = sxc.compile("fn a() -> f32 { 1.00000005960464477550 as f32 }\n"
                    "fn b() -> i8 { -128 as i8 }\n"
                    "fn c() -> u8 { let x = 300; x as u8 }")
    assert m.a() == 1.0 + 2.0 ** -23
    assert m.b() == -128
    assert m.c() == 44


def test_negative_literal_at_signed_minimum_compiles():
    m = sxc.compile("fn a() -> i8 { -128i8 }\nfn b() -> i64 { -9223372036854775808 }")
    assert m.a() == -128
    assert m.b() == -(1 << 63)


def test_unsigned_checked_abs_help():
    with pytest.raises(sxc.CompileError) as info:
        sxc.compile("fn f(x: u32) -> Option<u32> { x.checked_abs() }")
    assert info.value.diagnostics[0].help == "an unsigned integer is its own absolute value"
