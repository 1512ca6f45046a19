"""The tangent rules of `dual`, one line per operation.

Each rule gives the value `r` and the tangent of one operation in `.sx`
syntax.  Unary rules see the operand's value `v` and tangent `d`; binary rules
also see the second operand's `w` and `e`.  Conventions where a derivative
does not exist follow JAX's `jvp`, so results can be checked against it.
`lower_dual` turns each rule into a core function `__dual_<name>`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    arity: int
    value: str
    tangent: str
    convention: str = ""


DERIVATIVES: dict[str, Rule] = {}


def rule(name: str, arity: int, value: str, tangent: str, convention: str = "") -> None:
    """Register one rule; a second rule for the same name is a bug."""
    if name in DERIVATIVES:
        raise ValueError(f"duplicate derivative rule `{name}`")
    DERIVATIVES[name] = Rule(arity, value, tangent, convention)


# name          arity value                      tangent                                  convention
rule("neg",     1, "-v",                         "-d")
rule("abs",     1, "v.abs()",                    "if v >= 0.0 { d } else { -d }",         "slope +1 at -0 and +0")
rule("sqrt",    1, "v.sqrt()",                   "d / (2.0 * r)",                         "infinite slope at 0; NaN there when d is 0")
rule("cbrt",    1, "v.cbrt()",                   "d / (3.0 * r * r)",                     "infinite slope at 0")
rule("exp",     1, "v.exp()",                    "r * d")
rule("exp2",    1, "v.exp2()",                   "r * 0.6931471805599453 * d")
rule("ln",      1, "v.ln()",                     "d / v")
rule("log2",    1, "v.log2()",                   "d / (v * 0.6931471805599453)")
rule("log10",   1, "v.log10()",                  "d / (v * 2.302585092994046)")
rule("sin",     1, "v.sin()",                    "v.cos() * d")
rule("cos",     1, "v.cos()",                    "-(v.sin()) * d")
rule("tan",     1, "v.tan()",                    "(1.0 + r * r) * d")
rule("asin",    1, "v.asin()",                   "d / (1.0 - v * v).sqrt()")
rule("acos",    1, "v.acos()",                   "-d / (1.0 - v * v).sqrt()")
rule("atan",    1, "v.atan()",                   "d / (1.0 + v * v)")
rule("sinh",    1, "v.sinh()",                   "v.cosh() * d")
rule("cosh",    1, "v.cosh()",                   "v.sinh() * d")
rule("tanh",    1, "v.tanh()",                   "(1.0 - r * r) * d")
rule("sigmoid", 1, "v.sigmoid()",                "(r * (1.0 - r)) * d",                   "overflow-free: exp of a non-positive number only")
rule("softplus", 1, "v.softplus()",              "v.sigmoid() * d",                       "max(v, 0) + ln(1 + exp(-|v|)), finite for finite v")
rule("relu",    1, "v.relu()",                   "if v > 0.0 { d } else { 0.0 }",         "slope 0 at 0")
rule("recip",   1, "1.0 / v",                    "-(r * r) * d")
rule("floor",   1, "v.floor()",                  "0.0",                                   "slope 0 everywhere")
rule("ceil",    1, "v.ceil()",                   "0.0",                                   "slope 0 everywhere")
rule("round",   1, "v.round()",                  "0.0",                                   "slope 0 everywhere")
rule("trunc",   1, "v.trunc()",                  "0.0",                                   "slope 0 everywhere")
rule("signum",  1, "v.signum()",                 "0.0",                                   "slope 0 everywhere")
rule("add",     2, "v + w",                      "d + e")
rule("sub",     2, "v - w",                      "d - e")
rule("mul",     2, "v * w",                      "d * w + v * e")
rule("div",     2, "v / w",                      "(d - r * e) / w")
rule("rem",     2, "v % w",                      "d - (v / w).trunc() * e",               "jumps where v / w is a nonzero integer, and there the slope uses trunc(v / w), as JAX's rem does")
rule("powf",    2, "v.powf(w)",                  "(if w == 0.0 { 0.0 } else { w * v.powf(w - 1.0) }) * d + (if v == 0.0 { 0.0 } else { v.ln() }) * r * e", "slope 0 in the base for the exponent 0, and ln(0) read as 0 in the exponent term, as in JAX")
rule("atan2",   2, "v.atan2(w)",                 "(w * d - v * e) / (v * v + w * w)",     "NaN at the origin")
rule("hypot",   2, "v.hypot(w)",                 "(v * d + w * e) / r",                   "NaN at the origin (0 / 0), where JAX's rule gives 0.5")
rule("max",     2, "v.max(w)",                   "if v > w || w != w { d } else if v < w || v != v { e } else { 0.5 * (d + e) }", "a tie splits the tangent evenly; a NaN operand passes the other's")
rule("min",     2, "v.min(w)",                   "if v < w || w != w { d } else if v > w || v != v { e } else { 0.5 * (d + e) }", "a tie splits the tangent evenly; a NaN operand passes the other's")

# A constant operand contributes no tangent term at all (a symbolic zero), so
# an infinite dual value never meets the constant's zero tangent to make NaN.
# The dual's own tangent still scales with `c`, as in JAX: `x * inf` with
# tangent 0 has tangent NaN.  `c` is the f64; `c_` rules take it on the left.
CONSTANT_RULES: dict[str, tuple[str, str]] = {
    "add_c":  ("v + c",        "d"),
    "c_add":  ("c + v",        "d"),
    "sub_c":  ("v - c",        "d"),
    "c_sub":  ("c - v",        "-d"),
    "mul_c":  ("v * c",        "d * c"),
    "c_mul":  ("c * v",        "c * d"),
    "div_c":  ("v / c",        "d / c"),
    "c_div":  ("c / v",        "-(r * d) / v"),
    "rem_c":  ("v % c",        "d"),
    "c_rem":  ("c % v",        "-((c / v).trunc()) * d"),
    "powf_c": ("v.powf(c)",    "(if c == 0.0 { 0.0 } else { c * v.powf(c - 1.0) }) * d"),
    "c_powf": ("c.powf(v)",    "(if c == 0.0 { 0.0 } else { c.ln() }) * r * d"),
}


def helper_source(lanes: int = 1) -> str:
    """Return the `.sx` source of every `__dual_*` function for `lanes` tangents.

    One lane keeps the tangent a plain `f64`.  More lanes make it `[f64; N]`
    and apply each rule lane by lane in a loop of constant trip count, which
    LLVM unrolls and vectorises.  The value and the partial derivatives are
    computed once, outside the loop.
    """
    if lanes == 1:
        return _scalar_helpers()
    return _lane_helpers(lanes)


def _scalar_helpers() -> str:
    out = ["struct Dual { val: f64, der: f64 }"]
    for name, r in DERIVATIVES.items():
        params = "x: Dual" if r.arity == 1 else "x: Dual, y: Dual"
        second = "    let w = y.val;\n    let e = y.der;\n" if r.arity == 2 else ""
        out.append(f"fn __dual_{name}({params}) -> Dual {{\n"
                   f"    let v = x.val;\n    let d = x.der;\n{second}"
                   f"    let r = {r.value};\n"
                   f"    Dual {{ val: r, der: {r.tangent} }}\n}}")
    for name, (value, tangent) in CONSTANT_RULES.items():
        out.append(f"fn __dual_{name}(x: Dual, c: f64) -> Dual {{\n"
                   f"    let v = x.val;\n    let d = x.der;\n"
                   f"    let r = {value};\n"
                   f"    Dual {{ val: r, der: {tangent} }}\n}}")
    out.append("""fn __dual_powi(x: Dual, n: i32) -> Dual {
    let r = x.val.powi(n);
    let t = if n == 0 { 0.0 } else { (n as f64) * x.val.powi(n - 1) * x.der };
    Dual { val: r, der: t }
}""")
    # clamp selects an operand whole; at an edge (x == lo or x == hi) it
    # passes x through with its tangent
    out.append(_CLAMP)
    # Blend of a soft branch: p * a + (1 - p) * b with its product-rule tangent.
    out.append("""fn __dual_blend(p: Dual, a: Dual, b: Dual) -> Dual {
    let q = 1.0 - p.val;
    Dual {
        val: p.val * a.val + q * b.val,
        der: p.der * (a.val - b.val) + p.val * a.der + q * b.der,
    }
}""")
    out.append("""fn __dual_lane(x: Dual, k: usize) -> f64 {
    if k == 0 { x.der } else { 0.0 }
}

fn __dual_unit(v: f64, k: usize) -> Dual {
    Dual { val: v, der: if k == 0 { 1.0 } else { 0.0 } }
}

fn __dual_clip_tangent(x: Dual, limit: f64) -> Dual {
    Dual { val: x.val, der: __dual_clip_lane(x.der, limit.abs()) }
}

fn __dual_clip_lane(d: f64, c: f64) -> f64 {
    if d > c { c } else if d < -c { -c } else { d }
}""")
    return "\n\n".join(out) + "\n"


_CLAMP = """fn __dual_clamp(x: Dual, lo: Dual, hi: Dual) -> Dual {
    if x.val < lo.val { lo } else if x.val > hi.val { hi } else { x }
}"""


def _lane_loop(lanes: int, body: str) -> str:
    return (f"    let mut t = [0.0; {lanes}];\n"
            f"    let mut k: usize = 0;\n"
            f"    while k < {lanes} {{\n{body}        k += 1;\n    }}\n")


def _lane_helpers(lanes: int) -> str:
    n = lanes
    out = [f"struct Dual {{ val: f64, der: [f64; {n}] }}"]
    for name, r in DERIVATIVES.items():
        params = "x: Dual" if r.arity == 1 else "x: Dual, y: Dual"
        second = "    let w = y.val;\n" if r.arity == 2 else ""
        lane = "        let d = x.der[k];\n"
        if r.arity == 2:
            lane += "        let e = y.der[k];\n"
        lane += f"        t[k] = {r.tangent};\n"
        out.append(f"fn __dual_{name}({params}) -> Dual {{\n"
                   f"    let v = x.val;\n{second}"
                   f"    let r = {r.value};\n"
                   + _lane_loop(n, lane) +
                   "    Dual { val: r, der: t }\n}")
    for name, (value, tangent) in CONSTANT_RULES.items():
        lane = f"        let d = x.der[k];\n        t[k] = {tangent};\n"
        out.append(f"fn __dual_{name}(x: Dual, c: f64) -> Dual {{\n"
                   f"    let v = x.val;\n"
                   f"    let r = {value};\n"
                   + _lane_loop(n, lane) +
                   "    Dual { val: r, der: t }\n}")
    out.append("fn __dual_powi(x: Dual, n: i32) -> Dual {\n"
               "    let r = x.val.powi(n);\n"
               "    let s = if n == 0 { 0.0 } else { (n as f64) * x.val.powi(n - 1) };\n"
               + _lane_loop(n, "        t[k] = if n == 0 { 0.0 } else { s * x.der[k] };\n") +
               "    Dual { val: r, der: t }\n}")
    out.append(_CLAMP)
    out.append("fn __dual_blend(p: Dual, a: Dual, b: Dual) -> Dual {\n"
               "    let q = 1.0 - p.val;\n"
               "    let gap = a.val - b.val;\n"
               + _lane_loop(n, "        t[k] = p.der[k] * gap + p.val * a.der[k] + q * b.der[k];\n") +
               "    Dual { val: p.val * a.val + q * b.val, der: t }\n}")
    out.append(f"""fn __dual_const(v: f64) -> Dual {{
    Dual {{ val: v, der: [0.0; {n}] }}
}}

fn __dual_new(v: f64, d: f64) -> Dual {{
    let mut t = [0.0; {n}];
    t[0] = d;
    Dual {{ val: v, der: t }}
}}

fn __dual_unit(v: f64, k: usize) -> Dual {{
    let mut t = [0.0; {n}];
    if k < {n} {{
        t[k] = 1.0;
    }}
    Dual {{ val: v, der: t }}
}}

fn __dual_lane(x: Dual, k: usize) -> f64 {{
    if k < {n} {{ x.der[k] }} else {{ 0.0 }}
}}

fn __dual_der(x: Dual) -> f64 {{
    x.der[0]
}}

fn __dual_clip_tangent(x: Dual, limit: f64) -> Dual {{
    let c = limit.abs();
""" + _lane_loop(n, "        t[k] = __dual_clip_lane(x.der[k], c);\n") +
               "    Dual { val: x.val, der: t }\n}\n\n"
               "fn __dual_clip_lane(d: f64, c: f64) -> f64 {\n"
               "    if d > c { c } else if d < -c { -c } else { d }\n}")
    return "\n\n".join(out) + "\n"
