"""Numeric facts of Rust's primitive types: ranges, associated constants, f32 rounding.

The type checker and code generator read their constants from here, so
`i16::MIN`, `f32::EPSILON` and `std::f32::consts::PI` have one definition.
Every float value is a Python float holding exactly the value of the Rust
constant (an f32 constant is an f64 that is exactly representable in f32).
"""

from __future__ import annotations

import math
import struct
from fractions import Fraction

from sxc import types as T

# The mathematical constants of `std::f64::consts` and `std::f32::consts`, to
# 40 significant digits (computed with mpmath); each rounds once to its type.
MATH_CONSTS = {
    "PI": "3.141592653589793238462643383279502884197",
    "TAU": "6.283185307179586476925286766559005768394",
    "E": "2.718281828459045235360287471352662497757",
    "SQRT_2": "1.41421356237309504880168872420969807857",
    "FRAC_1_SQRT_2": "0.7071067811865475244008443621048490392848",
    "LN_2": "0.6931471805599453094172321214581765680755",
    "LN_10": "2.302585092994045684017991454684364207601",
    "LOG2_E": "1.442695040888963407359924681001892137427",
    "LOG10_E": "0.4342944819032518276511289189166050822944",
    "LOG2_10": "3.321928094887362347870319429489390175865",
    "LOG10_2": "0.3010299956639811952137388947244930267682",
    "FRAC_PI_2": "1.570796326794896619231321691639751442099",
    "FRAC_PI_3": "1.047197551196597746154214461093167628066",
    "FRAC_PI_4": "0.7853981633974483096156608458198757210493",
    "FRAC_PI_6": "0.5235987755982988730771072305465838140329",
    "FRAC_PI_8": "0.3926990816987241548078304229099378605246",
    "FRAC_1_PI": "0.3183098861837906715377675267450287240689",
    "FRAC_2_PI": "0.6366197723675813430755350534900574481378",
    "FRAC_2_SQRT_PI": "1.128379167095512573896158903121545171688",
}

# Associated constants of `f64` and `f32` by name, as (f64 value, f32 value).
FLOAT_CONSTS = {
    "MAX": (1.7976931348623157e308, 3.4028234663852886e38),
    "MIN": (-1.7976931348623157e308, -3.4028234663852886e38),
    "EPSILON": (2.220446049250313e-16, 1.1920928955078125e-07),
    "MIN_POSITIVE": (2.2250738585072014e-308, 1.1754943508222875e-38),
    "INFINITY": (math.inf, math.inf),
    "NEG_INFINITY": (-math.inf, -math.inf),
    "NAN": (math.nan, math.nan),
}
# Integer-valued associated constants of the float types, all `u32` or `i32`.
FLOAT_INT_CONSTS = {
    "RADIX": (T.U32, 2, 2),
    "MANTISSA_DIGITS": (T.U32, 53, 24),
    "DIGITS": (T.U32, 15, 6),
    "MIN_EXP": (T.I32, -1021, -125),
    "MAX_EXP": (T.I32, 1024, 128),
    "MIN_10_EXP": (T.I32, -307, -37),
    "MAX_10_EXP": (T.I32, 308, 38),
}
INT_CONSTS = {"MAX", "MIN", "BITS"}
CHAR_CONSTS = {"MAX": 0x10FFFF, "MIN": 0, "REPLACEMENT_CHARACTER": 0xFFFD}

F32_MAX_EXACT = Fraction(2) ** 128 - Fraction(2) ** 104


def int_min(t: T.IntT) -> int:
    return -(1 << (t.bits - 1)) if t.signed else 0


def int_max(t: T.IntT) -> int:
    return (1 << (t.bits - 1)) - 1 if t.signed else (1 << t.bits) - 1


def wrap(value: int, t: T.IntT) -> int:
    """Return `value` reduced to the range of `t` the way two's complement wraps."""
    value &= (1 << t.bits) - 1
    if t.signed and value >= 1 << (t.bits - 1):
        value -= 1 << t.bits
    return value


def round_f32(value: Fraction | int | float) -> float:
    """Round an exact number once to the nearest f32 (ties to even), as a Python float.

    Rounding a decimal to f64 first and then to f32 can land on the wrong f32
    when the f64 is exactly halfway between two f32s; rustc rounds f32
    literals once, and so does this function.
    """
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return value
        return struct.unpack("f", struct.pack("f", value))[0]
    x = Fraction(value)
    if x == 0:
        return 0.0
    sign = -1.0 if x < 0 else 1.0
    x = abs(x)
    exponent = x.numerator.bit_length() - x.denominator.bit_length()
    if Fraction(2) ** exponent > x:
        exponent -= 1
    # 24 significant bits for normal numbers, a fixed quantum of 2^-149 below
    quantum = Fraction(2) ** max(exponent - 23, -149)
    steps = x / quantum
    n = steps.numerator // steps.denominator
    rest = steps - n
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and n % 2 == 1):
        n += 1
    rounded = n * quantum
    if rounded > F32_MAX_EXACT:
        return sign * math.inf
    return sign * float(rounded)


def float_literal_value(text: str, ty: T.Type) -> float:
    """Return the value of the decimal float literal `text` in `ty`, rounded once."""
    if _is_f32(ty):
        return round_f32(Fraction(text))
    return float(text)


def _is_f32(ty: T.Type) -> bool:
    # `ty == T.F32` would bind an undecided literal type to `f32` (see `T.FloatVar`)
    return isinstance(ty, T.FloatT) and ty.bits == 32


def float_const(owner: T.FloatT, name: str) -> float:
    if name in MATH_CONSTS:
        return float_literal_value(MATH_CONSTS[name], owner)
    f64_value, f32_value = FLOAT_CONSTS[name]
    return f32_value if owner.bits == 32 else f64_value


def int_const(owner: T.IntT, name: str) -> int:
    if name == "BITS":
        return owner.bits
    return int_max(owner) if name == "MAX" else int_min(owner)


def const_path(segments: list[str]) -> str | None:
    """Return the canonical name of the numeric constant a path names, or None.

    `std::f32::consts::PI`, `core::f32::consts::PI` and `f32::consts::PI` all
    give "f32::consts::PI"; `consts::PI` alone means the f64 one.
    """
    segs = list(segments)
    if segs and segs[0] in ("std", "core"):
        segs = segs[1:]
    if len(segs) == 2 and segs[0] == "consts":
        segs = ["f64"] + segs
    owner = T.PRIMITIVES.get(segs[0]) if segs else None
    if len(segs) == 3 and isinstance(owner, T.FloatT) and segs[1] == "consts" \
            and segs[2] in MATH_CONSTS:
        return "::".join(segs)
    if len(segs) != 2:
        return None
    name = segs[1]
    if isinstance(owner, T.FloatT) and (name in FLOAT_CONSTS or name in FLOAT_INT_CONSTS):
        return "::".join(segs)
    if T.is_char(owner):
        return "::".join(segs) if name in CHAR_CONSTS else None
    if isinstance(owner, T.IntT) and name in INT_CONSTS:
        return "::".join(segs)
    return None


def const_value(path: str) -> tuple[T.Type, int | float]:
    """Return the type and value of the constant `const_path` named."""
    segs = path.split("::")
    owner = T.PRIMITIVES[segs[0]]
    name = segs[-1]
    if T.is_char(owner):
        return owner, CHAR_CONSTS[name]
    if isinstance(owner, T.IntT):
        return (T.U32 if name == "BITS" else owner), int_const(owner, name)
    if name in FLOAT_INT_CONSTS:
        ty, f64_value, f32_value = FLOAT_INT_CONSTS[name]
        return ty, (f32_value if owner.bits == 32 else f64_value)
    return owner, float_const(owner, name)


def literal_value(lit) -> float:
    """Return the value of a typed `FloatLit` in its type, rounded once from its digits."""
    if lit.text is not None:
        return float_literal_value(lit.text, lit.ty)
    return round_f32(lit.value) if _is_f32(lit.ty) else lit.value
