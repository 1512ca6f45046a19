"""Random `.sx` inputs for property tests and the fuzzing campaign.

Every generator takes a `random.Random`, so a seed reproduces its input.

- `typed_function`: a well-typed function over `f64` and `i64` built from
  expression templates, with `let` bindings, `if` expressions and a `for`
  loop.  Integer `/` and `%` may divide by zero or overflow, which must then
  be the same runtime error at every optimisation level.
- `smooth_expression`: a differentiable expression in one `dual` variable,
  for comparing tangents with finite differences.
- `mutate`: deletes, duplicates or swaps tokens or lines of a program.
- `random_bytes`: bytes, sometimes valid UTF-8 with a BOM or CRLF endings.
"""

from __future__ import annotations

import random
import re

FLOAT_LITERALS = ["0.0", "1.0", "-1.0", "0.5", "2.0", "3.25", "1e-3", "1e300", "-7.5"]
INT_LITERALS = ["0", "1", "-1", "2", "3", "7", "-13", "1000", "9223372036854775807"]
FLOAT_UNARY = ["abs", "sqrt", "sin", "cos", "exp", "ln", "tanh", "floor", "round"]
FLOAT_BINARY = ["+", "-", "*", "/"]
INT_BINARY = ["+", "-", "*", "/", "%", "&", "|", "^"]
COMPARISONS = ["<", "<=", ">", ">=", "==", "!="]


class _Scope:
    def __init__(self, floats: list[str], ints: list[str]):
        self.floats = list(floats)
        self.ints = list(ints)


def _float_expr(rng: random.Random, scope: _Scope, depth: int) -> str:
    choice = rng.randrange(8) if depth > 0 else rng.randrange(2)
    if choice == 0:
        return rng.choice(FLOAT_LITERALS)
    if choice == 1:
        return rng.choice(scope.floats) if scope.floats else rng.choice(FLOAT_LITERALS)
    if choice in (2, 3):
        op = rng.choice(FLOAT_BINARY)
        left = _float_expr(rng, scope, depth - 1)
        right = _float_expr(rng, scope, depth - 1)
        return f"({left} {op} {right})"
    if choice == 4:
        return f"({_float_expr(rng, scope, depth - 1)}).{rng.choice(FLOAT_UNARY)}()"
    if choice == 5:
        method = rng.choice(["max", "min", "powf", "atan2", "hypot"])
        left = _float_expr(rng, scope, depth - 1)
        right = _float_expr(rng, scope, depth - 1)
        return f"({left}).{method}({right})"
    if choice == 6:
        return f"({_int_expr(rng, scope, depth - 1)} as f64)"
    cond = _condition(rng, scope, depth - 1)
    then = _float_expr(rng, scope, depth - 1)
    other = _float_expr(rng, scope, depth - 1)
    return f"(if {cond} {{ {then} }} else {{ {other} }})"


def _int_expr(rng: random.Random, scope: _Scope, depth: int) -> str:
    choice = rng.randrange(6) if depth > 0 else rng.randrange(2)
    if choice == 0:
        return rng.choice(INT_LITERALS)
    if choice == 1:
        return rng.choice(scope.ints) if scope.ints else rng.choice(INT_LITERALS)
    if choice in (2, 3):
        op = rng.choice(INT_BINARY)
        left = _int_expr(rng, scope, depth - 1)
        right = _int_expr(rng, scope, depth - 1)
        return f"({left} {op} {right})"
    if choice == 4:
        # float to integer casts saturate and map NaN to 0
        return f"({_float_expr(rng, scope, depth - 1)} as i64)"
    cond = _condition(rng, scope, depth - 1)
    then = _int_expr(rng, scope, depth - 1)
    other = _int_expr(rng, scope, depth - 1)
    return f"(if {cond} {{ {then} }} else {{ {other} }})"


def _condition(rng: random.Random, scope: _Scope, depth: int) -> str:
    op = rng.choice(COMPARISONS)
    if rng.random() < 0.5:
        return f"{_float_expr(rng, scope, depth)} {op} {_float_expr(rng, scope, depth)}"
    return f"{_int_expr(rng, scope, depth)} {op} {_int_expr(rng, scope, depth)}"


def typed_function(rng: random.Random, name: str = "f", depth: int = 3) -> tuple[str, str]:
    """Return (source, return type) of `fn name(x: f64, n: i64) -> f64 or i64`."""
    scope = _Scope(["x"], ["n"])
    lines = []
    for i in range(rng.randrange(4)):
        if rng.random() < 0.5:
            lines.append(f"    let a{i}: f64 = {_float_expr(rng, scope, depth)};")
            scope.floats.append(f"a{i}")
        else:
            lines.append(f"    let b{i}: i64 = {_int_expr(rng, scope, depth)};")
            scope.ints.append(f"b{i}")
    if rng.random() < 0.6:
        count = rng.randrange(1, 20)
        lines.append("    let mut acc: f64 = 0.0;")
        lines.append(f"    for k in 0..{count} {{")
        inner = _Scope(scope.floats + ["acc"], scope.ints + ["k"])
        lines.append(f"        acc = acc * 0.5 + {_float_expr(rng, inner, depth - 1)};")
        lines.append("    }")
        scope.floats.append("acc")
    ret = rng.choice(["f64", "i64"])
    result = _float_expr(rng, scope, depth) if ret == "f64" else _int_expr(rng, scope, depth)
    lines.append(f"    {result}")
    body = "\n".join(lines)
    return f"fn {name}(x: f64, n: i64) -> {ret} {{\n{body}\n}}\n", ret


# Arguments that `typed_program` passes to `f`, printed by its `main`.
PROGRAM_ARGUMENTS = [("0.0", "0"), ("1.5", "3"), ("-2.25", "-7"), ("1e10", "1000000")]


def typed_program(rng: random.Random, depth: int = 3) -> str:
    """Return a program whose `main` prints `f` at a few arguments with `{:?}`."""
    function, _ = typed_function(rng, "f", depth)
    calls = "\n".join(f'    println!("{{:?}}", f({x}, {n}));' for x, n in PROGRAM_ARGUMENTS)
    return f"{function}\nfn main() {{\n{calls}\n}}\n"


SMOOTH_UNARY = [
    "({}).sin()", "({}).cos()", "({}).tanh()", "({}).exp().min(1e6)",
    "(1.0 + ({}) * ({})).sqrt()", "(1.0 + ({}) * ({})).ln()", "({}).atan()",
    "({}).sigmoid()", "({}).softplus()",
]


def smooth_expression(rng: random.Random, depth: int = 3) -> str:
    """Return an expression in `x: dual` that is smooth at every real `x`.

    `exp(..).min(1e6)` is smooth except where `exp` reaches 1e6; the
    arguments used in tests stay far below that.
    """
    choice = rng.randrange(5) if depth > 0 else rng.randrange(2)
    if choice == 0:
        return "x"
    if choice == 1:
        return rng.choice(["0.5", "2.0", "-1.5", "3.0"])
    if choice == 2:
        template = rng.choice(SMOOTH_UNARY)
        inner = smooth_expression(rng, depth - 1)
        return template.replace("{}", inner)
    if choice == 3:
        op = rng.choice(["+", "-", "*"])
        return f"({smooth_expression(rng, depth - 1)} {op} {smooth_expression(rng, depth - 1)})"
    # a denominator that never reaches zero
    top = smooth_expression(rng, depth - 1)
    bottom = smooth_expression(rng, depth - 1)
    return f"({top} / (1.0 + ({bottom}) * ({bottom})))"


TOKEN = re.compile(r"\w+|\s+|.", re.S)


def mutate(rng: random.Random, source: str, steps: int = 3) -> str:
    """Return `source` after `steps` random deletions, duplications or swaps."""
    for _ in range(steps):
        if rng.random() < 0.5:
            parts = source.splitlines(keepends=True)
        else:
            parts = TOKEN.findall(source)
        if len(parts) < 2:
            return source
        i = rng.randrange(len(parts))
        j = rng.randrange(len(parts))
        kind = rng.randrange(3)
        if kind == 0:
            del parts[i]
        elif kind == 1:
            parts.insert(j, parts[i])
        else:
            parts[i], parts[j] = parts[j], parts[i]
        source = "".join(parts)
    return source


def random_bytes(rng: random.Random, size: int = 200) -> bytes:
    """Return random bytes, or random text with a BOM, CRLF endings or bad UTF-8."""
    kind = rng.randrange(4)
    if kind == 0:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(size)))
    alphabet = "fn main(){}[]();:,.<>=+-*/%!&|^'\"#\\ \n\tletmutifelseforwhile0123456789xé∂"
    text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(size)))
    if kind == 1:
        return b"\xef\xbb\xbf" + text.encode()
    if kind == 2:
        return text.replace("\n", "\r\n").encode()
    data = bytearray(text.encode())
    if data:
        data[rng.randrange(len(data))] = rng.choice([0x80, 0xc3, 0xff, 0xfe, 0x00])
    return bytes(data)
