"""Codegen of the methods of the integer and float types.

Each method follows its Rust definition in a release build (overflow checks
off): `pow`, `abs` and `wrapping_*` wrap, `saturating_*` clamp, and division
by zero or `MIN / -1` inside `rem_euclid` and `div_euclid` panics as `/` and
`%` do.  Float methods on `f32` call the C library's single-precision
functions, as Rust's do, so no result passes through a double.
"""

from __future__ import annotations

from fractions import Fraction

from llvmlite import ir

from sxc import ast
from sxc import types as T
from sxc.codegen import Codegen
from sxc.diagnostics import InternalError
from sxc.native import F32, F64, I1, I32, I64

# `f32` methods that call the C library: method -> single-precision function
LIBM_F32 = {
    "cbrt": "cbrtf", "tan": "tanf", "asin": "asinf", "acos": "acosf", "atan": "atanf",
    "sinh": "sinhf", "cosh": "coshf", "tanh": "tanhf", "atan2": "atan2f",
    "hypot": "hypotf", "ln_1p": "log1pf", "exp_m1": "expm1f",
}
LIBM_F64 = {"ln_1p": "log1p", "exp_m1": "expm1"}


def _u32(b: ir.IRBuilder, v: ir.Value) -> ir.Value:
    """Return the count `v` (of any integer width) as a `u32`."""
    if v.type.width > 32:
        return b.trunc(v, I32)
    if v.type.width < 32:
        return b.zext(v, I32)
    return v


def _amount(b: ir.IRBuilder, n: ir.Value, ty: ir.IntType) -> ir.Value:
    """Return the `u32` shift or rotate amount `n` in the width of `ty`."""
    if ty.width > 32:
        return b.zext(n, ty)
    if ty.width < 32:
        return b.trunc(n, ty)
    return n


def int_method(cg: Codegen, e: ast.MethodCall, name: str):
    b = cg.b
    x = cg.value(e.receiver)
    args = cg.call_args(e.args)
    t = e.receiver.ty
    ty = x.type
    zero = ir.Constant(ty, 0)
    cmp = b.icmp_signed if t.signed else b.icmp_unsigned
    if name in ("abs", "wrapping_abs", "unsigned_abs"):
        return b.select(b.icmp_signed("<", x, zero), b.neg(x), x)
    if name == "signum":
        pos = b.zext(b.icmp_signed(">", x, zero), ty)
        neg = b.zext(b.icmp_signed("<", x, zero), ty)
        return b.sub(pos, neg)
    if name == "is_positive":
        return b.icmp_signed(">", x, zero)
    if name == "is_negative":
        return b.icmp_signed("<", x, zero)
    if name == "abs_diff":
        y = args[0]
        return b.select(cmp("<", x, y), b.sub(y, x), b.sub(x, y))
    if name in ("min", "max"):
        y = args[0]
        less = cmp("<", x, y)
        return b.select(less, x, y) if name == "min" else b.select(less, y, x)
    if name == "clamp":
        lo, hi = args
        cg.check(cmp("<=", lo, hi), e.span, "assertion failed: min <= max")
        below = b.select(cmp("<", x, lo), lo, x)
        return b.select(cmp(">", x, hi), hi, below)
    if name in ("pow", "wrapping_pow"):
        return b.call(cg.helper_ipow(ty), [x, args[0]])
    if name == "saturating_pow":
        return _saturating_pow(cg, x, args[0], t)
    if name in ("rem_euclid", "div_euclid"):
        return _euclid(cg, name, x, args[0], t, e.span)
    if name in ("wrapping_add", "wrapping_sub", "wrapping_mul"):
        return {"add": b.add, "sub": b.sub, "mul": b.mul}[name[9:]](x, args[0])
    if name in ("wrapping_div", "wrapping_rem"):
        return _wrapping_div(cg, name, x, args[0], t, e.span)
    if name == "wrapping_neg":
        return b.neg(x)
    if name in ("wrapping_shl", "wrapping_shr"):
        return cg.arith("<<" if name == "wrapping_shl" else ">>", x, args[0], t, T.U32,
                        e.span)
    if name in ("saturating_add", "saturating_sub"):
        op = ("s" if t.signed else "u") + name[11:14]
        fn = cg.declare(f"llvm.{op}.sat.i{ty.width}", ty, [ty, ty])
        return b.call(fn, [x, args[0]])
    if name == "saturating_mul":
        return _saturating_mul(cg, x, args[0], t)
    if name in ("saturating_neg", "saturating_abs"):
        # 0 - x clamps MIN to MAX; the absolute value negates only below zero
        fn = cg.declare(f"llvm.ssub.sat.i{ty.width}", ty, [ty, ty])
        negated = b.call(fn, [zero, x])
        if name == "saturating_neg":
            return negated
        return b.select(b.icmp_signed("<", x, zero), negated, x)
    if name == "overflowing_neg":
        # 0 - x overflows for every unsigned x but 0, and for the signed MIN
        builder = b.ssub_with_overflow if t.signed else b.usub_with_overflow
        return builder(zero, x)
    if name == "overflowing_abs":
        pair = b.ssub_with_overflow(zero, x)
        negative = b.icmp_signed("<", x, zero)
        value = b.select(negative, b.extract_value(pair, 0), x)
        overflow = b.and_(negative, b.extract_value(pair, 1))
        return b.insert_value(b.insert_value(pair, value, 0), overflow, 1)
    if name == "overflowing_pow":
        return b.call(cg.helper_checked_pow(ty, t.signed), [x, args[0]])
    if name.startswith("overflowing_"):
        op = {"add": "add", "sub": "sub", "mul": "mul"}[name[12:]]
        builder = getattr(b, f"{'s' if t.signed else 'u'}{op}_with_overflow")
        return builder(x, args[0])
    if name in BIT_METHODS:
        return _bit_method(cg, name, x, args)
    if name in ("ilog2", "ilog10"):
        cg.check(cmp(">", x, zero), e.span, "argument of integer logarithm must be positive")
        if name == "ilog2":
            top = ir.Constant(ty, ty.width - 1)
            return _u32(b, b.sub(top, b.ctlz(x, ir.Constant(I1, 1))))
        return _u32(b, _ilog10(cg, x))
    if name == "div_ceil":
        quotient = cg.arith("/", x, args[0], t, t, e.span)
        rest = cg.arith("%", x, args[0], t, t, e.span)
        return b.add(quotient, b.zext(b.icmp_unsigned("!=", rest, zero), ty))
    if name == "next_multiple_of":
        # Past the top this wraps, as a release build of Rust does.
        rest = cg.arith("%", x, args[0], t, t, e.span)
        up = b.add(x, b.sub(args[0], rest))
        return b.select(b.icmp_unsigned("==", rest, zero), x, up)
    if name == "isqrt":
        if t.signed:
            cg.check(b.icmp_signed(">=", x, zero), e.span,
                     "argument of integer square root cannot be negative")
        return _isqrt(cg, x)
    raise InternalError(f"int method {name}")


def _ilog10(cg: Codegen, x):
    """Return the number of times a positive `x` divides by 10, in `x`'s type."""
    b = cg.b
    ty = x.type
    ten = ir.Constant(ty, 10)
    head = b.block
    loop = cg.st.fn.append_basic_block("ilog10.loop")
    done = cg.st.fn.append_basic_block("ilog10.done")
    b.cbranch(b.icmp_unsigned(">=", x, ten), loop, done)
    b.position_at_end(loop)
    rest = b.phi(ty)
    count = b.phi(ty)
    rest.add_incoming(x, head)
    count.add_incoming(ir.Constant(ty, 0), head)
    next_rest = b.udiv(rest, ten)
    next_count = b.add(count, ir.Constant(ty, 1))
    rest.add_incoming(next_rest, loop)
    count.add_incoming(next_count, loop)
    b.cbranch(b.icmp_unsigned(">=", next_rest, ten), loop, done)
    b.position_at_end(done)
    result = b.phi(ty)
    result.add_incoming(ir.Constant(ty, 0), head)
    result.add_incoming(next_count, loop)
    return result


def _isqrt(cg: Codegen, x):
    """Return the floor of the square root of a non-negative `x`.

    The `f64` square root gives an estimate, which is corrected by one either
    way in an integer of twice the width, where the squares cannot overflow."""
    b = cg.b
    ty = x.type
    wide = ir.IntType(2 * max(ty.width, 32))
    n = b.zext(x, wide)
    sqrt = cg.declare("llvm.sqrt.f64", ir.DoubleType(), [ir.DoubleType()])
    # The root of a 64-bit value fits in 64 bits.  A conversion to `i128` would
    # need `__fixunsdfti` from the C compiler's runtime, which the JIT does not link.
    root = b.zext(b.fptoui(b.call(sqrt, [b.uitofp(x, ir.DoubleType())]), ir.IntType(64)),
                  wide)
    step = ir.Constant(wide, 1)
    # The rounding of `x` to `f64` moves its root by far less than one, so the
    # estimate is off by at most one: step down, then up.
    root = b.select(b.icmp_unsigned(">", b.mul(root, root), n), b.sub(root, step), root)
    up = b.add(root, step)
    root = b.select(b.icmp_unsigned("<=", b.mul(up, up), n), up, root)
    return b.trunc(root, ty)


BIT_METHODS = {"count_ones", "count_zeros", "leading_zeros", "trailing_zeros", "leading_ones",
               "trailing_ones", "is_power_of_two", "next_power_of_two", "rotate_left",
               "rotate_right", "swap_bytes", "reverse_bits"}


def _bit_method(cg: Codegen, name: str, x, args):
    """Emit the integer methods that count, rotate or reorder bits."""
    b = cg.b
    ty = x.type
    zero = ir.Constant(ty, 0)
    if name == "count_ones":
        return _u32(b, b.ctpop(x))
    if name == "count_zeros":
        return _u32(b, b.ctpop(b.not_(x)))
    if name == "leading_zeros":
        return _u32(b, b.ctlz(x, ir.Constant(I1, 0)))
    if name == "trailing_zeros":
        return _u32(b, b.cttz(x, ir.Constant(I1, 0)))
    if name == "leading_ones":
        return _u32(b, b.ctlz(b.not_(x), ir.Constant(I1, 0)))
    if name == "trailing_ones":
        return _u32(b, b.cttz(b.not_(x), ir.Constant(I1, 0)))
    if name == "is_power_of_two":
        return b.icmp_unsigned("==", b.ctpop(x), ir.Constant(ty, 1))
    if name == "next_power_of_two":
        # Rust: (MAX >> (x - 1).leading_zeros()) + 1, which wraps to 0 past the top
        small = b.icmp_unsigned("<=", x, ir.Constant(ty, 1))
        lz = b.ctlz(b.sub(x, ir.Constant(ty, 1)), ir.Constant(I1, 0))
        mask = b.select(small, zero, b.lshr(ir.Constant(ty, -1), lz))
        return b.add(mask, ir.Constant(ty, 1))
    if name in ("rotate_left", "rotate_right"):
        shift = "fshl" if name == "rotate_left" else "fshr"
        fn = cg.declare(f"llvm.{shift}.i{ty.width}", ty, [ty, ty, ty])
        return b.call(fn, [x, x, _amount(b, args[0], ty)])
    if name == "swap_bytes":
        return x if ty.width == 8 else b.bswap(x)
    if name == "reverse_bits":
        return b.bitreverse(x)
    raise InternalError(f"int method {name}")


def _euclid(cg: Codegen, name: str, x, y, t: T.IntT, span):
    """`rem_euclid` and `div_euclid`: a remainder that is never negative."""
    b = cg.b
    if not t.signed:
        return cg.arith("%" if name == "rem_euclid" else "/", x, y, t, t, span)
    zero = ir.Constant(x.type, 0)
    r = cg.arith("%", x, y, t, t, span)
    negative = b.icmp_signed("<", r, zero)
    if name == "rem_euclid":
        abs_y = b.select(b.icmp_signed("<", y, zero), b.neg(y), y)
        return b.select(negative, b.add(r, abs_y), r)
    q = cg.arith("/", x, y, t, t, span)
    step = b.select(b.icmp_signed(">", y, zero), ir.Constant(x.type, -1),
                    ir.Constant(x.type, 1))
    return b.select(negative, b.add(q, step), q)


def _wrapping_div(cg: Codegen, name: str, x, y, t: T.IntT, span):
    """`wrapping_div` and `wrapping_rem`: `MIN / -1` wraps to MIN (remainder 0)."""
    b = cg.b
    op = "/" if name == "wrapping_div" else "%"
    if not t.signed:
        return cg.arith(op, x, y, t, t, span)
    ty = x.type
    minimum = ir.Constant(ty, 1 << (t.bits - 1))
    overflow = b.and_(b.icmp_unsigned("==", x, minimum),
                      b.icmp_signed("==", y, ir.Constant(ty, -1)))
    # divide by 1 instead where the quotient would overflow
    safe_y = b.select(overflow, ir.Constant(ty, 1), y)
    result = cg.arith(op, x, safe_y, t, t, span)
    return b.select(overflow, minimum if op == "/" else ir.Constant(ty, 0), result)


def _saturating_mul(cg: Codegen, x, y, t: T.IntT):
    b = cg.b
    ty = x.type
    pair = (b.smul_with_overflow if t.signed else b.umul_with_overflow)(x, y)
    product, overflow = b.extract_value(pair, 0), b.extract_value(pair, 1)
    if not t.signed:
        return b.select(overflow, ir.Constant(ty, -1), product)
    # the exact product is negative when exactly one factor is
    negative = b.icmp_signed("<", b.xor(x, y), ir.Constant(ty, 0))
    limit = b.select(negative, ir.Constant(ty, 1 << (t.bits - 1)),
                     ir.Constant(ty, (1 << (t.bits - 1)) - 1))
    return b.select(overflow, limit, product)


def _saturating_pow(cg: Codegen, x, n, t: T.IntT):
    """`saturating_pow`: Rust's `checked_pow`, then MIN or MAX where it overflows."""
    b = cg.b
    ty = x.type
    pair = b.call(cg.helper_checked_pow(ty, t.signed), [x, n])
    value, overflow = b.extract_value(pair, 0), b.extract_value(pair, 1)
    if not t.signed:
        return b.select(overflow, ir.Constant(ty, -1), value)
    odd = b.trunc(n, I1)
    negative = b.and_(b.icmp_signed("<", x, ir.Constant(ty, 0)), odd)
    limit = b.select(negative, ir.Constant(ty, 1 << (t.bits - 1)),
                     ir.Constant(ty, (1 << (t.bits - 1)) - 1))
    return b.select(overflow, limit, value)


def helper_checked_pow(cg: Codegen, ty: ir.IntType, signed: bool) -> ir.Function:
    """`(base, exp) -> (base^exp wrapped, overflowed)` with the steps of Rust's `checked_pow`."""
    ret = ir.LiteralStructType([ty, I1])

    def build(fn):
        b = cg.b
        base_in, exp_in = fn.args
        mul = b.smul_with_overflow if signed else b.umul_with_overflow
        acc, base, exp, over = (cg.alloca(ty), cg.alloca(ty), cg.alloca(I32),
                                cg.alloca(I1))
        b.store(ir.Constant(ty, 1), acc)
        b.store(base_in, base)
        b.store(exp_in, exp)
        b.store(ir.Constant(I1, 0), over)
        loop = fn.append_basic_block("loop")
        square = fn.append_basic_block("square")
        done = fn.append_basic_block("done")
        b.cbranch(b.icmp_unsigned("==", exp_in, ir.Constant(I32, 0)), done, loop)
        b.position_at_end(loop)
        odd = b.trunc(b.load(exp), I1)
        with b.if_then(odd):
            pair = mul(b.load(acc), b.load(base))
            b.store(b.extract_value(pair, 0), acc)
            b.store(b.or_(b.load(over), b.extract_value(pair, 1)), over)
        last = b.icmp_unsigned("<=", b.load(exp), ir.Constant(I32, 1))
        b.cbranch(last, done, square)
        b.position_at_end(square)
        b.store(b.lshr(b.load(exp), ir.Constant(I32, 1)), exp)
        pair = mul(b.load(base), b.load(base))
        b.store(b.extract_value(pair, 0), base)
        b.store(b.or_(b.load(over), b.extract_value(pair, 1)), over)
        b.branch(loop)
        b.position_at_end(done)
        out = ir.Constant(ret, ir.Undefined)
        out = b.insert_value(out, b.load(acc), 0)
        b.ret(b.insert_value(out, b.load(over), 1))

    kind = "i" if signed else "u"
    return cg._helper(f"checked_pow.{kind}{ty.width}", ret, [ty, I32], build)


Codegen.helper_checked_pow = helper_checked_pow


def _inverse_hyperbolic(cg: Codegen, name: str, x):
    """`asinh`, `acosh` and `atanh` with the formulas of Rust's standard library,
    so the results agree with Rust's to the last bit."""
    b = cg.b
    ft = x.type
    single = ft == F32

    def libm(c_name: str, *args):
        fn = cg.declare(c_name + "f" if single else c_name, ft, [ft] * len(args))
        return b.call(fn, list(args))

    def const(v: float):
        return ir.Constant(ft, v)

    if name == "asinh":
        # (|x| + |x| / (hypot(1, 1/|x|) + 1/|x|)).ln_1p() with the sign of x
        ax = b.call(cg.intr("llvm.fabs", ft), [x])
        ix = b.fdiv(const(1.0), ax)
        t = b.fadd(ax, b.fdiv(ax, b.fadd(libm("hypot", const(1.0), ix), ix)))
        return b.call(cg.intr("llvm.copysign", ft, 2), [libm("log1p", t), x])
    if name == "acosh":
        # NaN below 1, else (x + sqrt(x - 1) * sqrt(x + 1)).ln()
        sqrt = cg.intr("llvm.sqrt", ft)
        root = b.fmul(b.call(sqrt, [b.fsub(x, const(1.0))]),
                      b.call(sqrt, [b.fadd(x, const(1.0))]))
        value = b.call(cg.intr("llvm.log", ft), [b.fadd(x, root)])
        return b.select(b.fcmp_unordered("<", x, const(1.0)), const(float("nan")), value)
    # atanh: 0.5 * (2x / (1 - x)).ln_1p()
    ratio = b.fdiv(b.fmul(const(2.0), x), b.fsub(const(1.0), x))
    return b.fmul(const(0.5), libm("log1p", ratio))


def helper_cbrt(cg: Codegen) -> ir.Function:
    """`f64 cbrt(x)` rounded correctly, as Rust's is; the C library's may be a unit or
    two in the last place off (`27.0.cbrt()` is `3.0000000000000004` in glibc).

    The residual `y^3 - |x|` of an estimate `y`, exact to well below a unit thanks
    to fused multiply-adds, gives `y - c` for the root `c`.  One Newton step from
    the C library's result lands within a unit of `c`.  Then `y` moves to the
    neighbour nearer `c` when `c` lies past the midpoint between them.  Inputs
    below 2^-900 or above 2^900, whose cubes would underflow or overflow, are
    scaled by 2^300 or 2^-300 first.  Zeros, infinities and NaN keep the C
    library's result."""

    def build(fn):
        b = cg.b
        x = fn.args[0]
        fma = cg.intr("llvm.fma", F64, 3)

        def const(v: float):
            return ir.Constant(F64, v)

        ax = b.call(cg.intr("llvm.fabs", F64), [x])
        tiny = b.fcmp_ordered("<", ax, const(2.0 ** -900))
        huge = b.fcmp_ordered(">", ax, const(2.0 ** 900))
        scaled = b.select(tiny, b.fmul(ax, const(2.0 ** 300)),
                          b.select(huge, b.fmul(ax, const(2.0 ** -300)), ax))
        first = b.call(cg.native.libc("cbrt"), [scaled])

        def above(y):
            """`y - c`, from the residual `y^3 - |x|`."""
            y2 = b.fmul(y, y)
            e2 = b.call(fma, [y, y, b.fneg(y2)])
            y3 = b.fmul(y2, y)
            e3 = b.call(fma, [y2, y, b.fneg(y3)])
            residual = b.fadd(b.fadd(b.fsub(y3, scaled), e3), b.fmul(e2, y))
            return b.fdiv(residual, b.fmul(const(3.0), y2))

        y = b.fsub(first, above(first))
        gap = above(y)
        bits = b.bitcast(y, I64)
        up = b.bitcast(b.add(bits, ir.Constant(I64, 1)), F64)
        down = b.bitcast(b.sub(bits, ir.Constant(I64, 1)), F64)
        lower = b.fcmp_ordered(">", gap, b.fmul(b.fsub(y, down), const(0.5)))
        higher = b.fcmp_ordered("<", gap, b.fmul(b.fsub(up, y), const(-0.5)))
        nearest = b.select(lower, down, b.select(higher, up, y))
        nearest = b.select(tiny, b.fmul(nearest, const(2.0 ** -100)),
                           b.select(huge, b.fmul(nearest, const(2.0 ** 100)), nearest))
        # zeros, infinities and NaN keep the C library's result
        finite = b.and_(b.fcmp_ordered(">", ax, const(0.0)),
                        b.fcmp_ordered("<", ax, const(float("inf"))))
        root = b.select(finite, nearest, first)
        b.ret(b.call(cg.intr("llvm.copysign", F64, 2), [root, x]))

    return cg._helper("cbrt_rounded", F64, [F64], build)


def float_method(cg: Codegen, name: str, x, args):
    """Emit the float methods that are not dual rules (those live in `Codegen.float_op`)."""
    b = cg.b
    ft = x.type
    single = ft == F32
    bits = ir.IntType(32 if single else 64)
    if name in LIBM_F32 and single:
        fn = cg.declare(LIBM_F32[name], F32, [F32] * (1 + len(args)))
        return b.call(fn, [x] + args)
    if name in LIBM_F64:
        return b.call(cg.native.libc(LIBM_F64[name]), [x])
    if name in ("asinh", "acosh", "atanh"):
        return _inverse_hyperbolic(cg, name, x)
    if name in CLASSIFY_METHODS:
        return _classify(cg, name, x)
    if name == "to_bits":
        return b.bitcast(x, bits)
    if name == "fract":
        return b.fsub(x, b.call(cg.intr("llvm.trunc", ft), [x]))
    if name == "round_ties_even":
        return b.call(cg.intr("llvm.roundeven", ft), [x])
    if name in ("to_degrees", "to_radians"):
        return b.fmul(x, ir.Constant(ft, _degree_factor(name, single)))
    if name == "copysign":
        return b.call(cg.intr("llvm.copysign", ft, 2), [x, args[0]])
    if name == "mul_add":
        return b.call(cg.intr("llvm.fma", ft, 3), [x, args[0], args[1]])
    if name == "log":
        ln = cg.intr("llvm.log", ft)
        return b.fdiv(b.call(ln, [x]), b.call(ln, [args[0]]))
    if name in ("rem_euclid", "div_euclid"):
        return _float_euclid(cg, name, x, args[0])
    if name == "sin_cos":
        pair = ir.Constant(ir.LiteralStructType([ft, ft]), ir.Undefined)
        pair = b.insert_value(pair, b.call(cg.intr("llvm.sin", ft), [x]), 0)
        return b.insert_value(pair, b.call(cg.intr("llvm.cos", ft), [x]), 1)
    raise InternalError(f"float method {name}")


CLASSIFY_METHODS = {"is_nan", "is_finite", "is_infinite", "is_normal", "is_subnormal",
                    "is_sign_negative", "is_sign_positive"}


def _classify(cg: Codegen, name: str, x):
    """Emit the float predicates: NaN, infinite, normal, subnormal, sign."""
    b = cg.b
    ft = x.type
    single = ft == F32
    bits = ir.IntType(32 if single else 64)
    if name == "is_nan":
        return b.fcmp_unordered("uno", x, x)
    fabs = b.call(cg.intr("llvm.fabs", ft), [x])
    min_positive = ir.Constant(ft, 2.0 ** -126 if single else 2.0 ** -1022)
    if name == "is_finite":
        return b.fcmp_ordered("<", fabs, ir.Constant(ft, float("inf")))
    if name == "is_infinite":
        return b.fcmp_ordered("==", fabs, ir.Constant(ft, float("inf")))
    if name == "is_normal":
        return b.and_(b.fcmp_ordered(">=", fabs, min_positive),
                      b.fcmp_ordered("<", fabs, ir.Constant(ft, float("inf"))))
    if name == "is_subnormal":
        return b.and_(b.fcmp_ordered("<", fabs, min_positive),
                      b.fcmp_ordered("!=", fabs, ir.Constant(ft, 0.0)))
    if name in ("is_sign_negative", "is_sign_positive"):
        negative = b.icmp_signed("<", b.bitcast(x, bits), ir.Constant(bits, 0))
        return negative if name == "is_sign_negative" else b.not_(negative)
    raise InternalError(f"float method {name}")


def _degree_factor(name: str, single: bool) -> float:
    """Return the factor of `to_degrees` or `to_radians` exactly as Rust's core computes it."""
    from sxc import numbers

    if single and name == "to_degrees":
        # core writes 180/pi for f32 as a literal, rounded once
        return numbers.round_f32(Fraction("57.2957795130823208767981548141051703"))
    pi = numbers.float_const(T.F32 if single else T.F64, "PI")
    if single:
        return numbers.round_f32(Fraction(pi) / 180)
    return 180.0 / pi if name == "to_degrees" else pi / 180.0


def _float_euclid(cg: Codegen, name: str, x, y):
    """Rust's float `rem_euclid` and `div_euclid`, from `%` and `trunc`."""
    b = cg.b
    ft = x.type
    zero = ir.Constant(ft, 0.0)
    r = b.frem(x, y)
    negative = b.fcmp_ordered("<", r, zero)
    if name == "rem_euclid":
        abs_y = b.call(cg.intr("llvm.fabs", ft), [y])
        return b.select(negative, b.fadd(r, abs_y), r)
    q = b.call(cg.intr("llvm.trunc", ft), [b.fdiv(x, y)])
    step = b.select(b.fcmp_ordered(">", y, zero), ir.Constant(ft, -1.0),
                    ir.Constant(ft, 1.0))
    return b.select(negative, b.fadd(q, step), q)
