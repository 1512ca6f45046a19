"""C math functions that an `extern "C"` block may declare.

Programs written for the original Simplex toolchain declare the C library's
math functions themselves:

    extern "C" { fn atan2(y: f64, x: f64) -> f64; }

Resolve turns each such declaration into an ordinary function whose body is
the matching `f64` method (`fn atan2(y: f64, x: f64) -> f64 { y.atan2(x) }`),
which compiles to the same C library or LLVM routine.  Any other C function
is a compile error: sxc links no user C code.
"""

from __future__ import annotations

from sxc import ast
from sxc.diagnostics import Reporter

# C name -> (the method of the first argument, or `%` for `fmod`, and arity)
C_MATH = {
    "sin": ("sin", 1), "cos": ("cos", 1), "tan": ("tan", 1),
    "asin": ("asin", 1), "acos": ("acos", 1), "atan": ("atan", 1),
    "sinh": ("sinh", 1), "cosh": ("cosh", 1), "tanh": ("tanh", 1),
    "exp": ("exp", 1), "exp2": ("exp2", 1),
    "log": ("ln", 1), "log2": ("log2", 1), "log10": ("log10", 1),
    "sqrt": ("sqrt", 1), "cbrt": ("cbrt", 1), "fabs": ("abs", 1),
    "floor": ("floor", 1), "ceil": ("ceil", 1), "round": ("round", 1),
    "trunc": ("trunc", 1),
    "abs": ("abs", 1), "labs": ("abs", 1), "llabs": ("abs", 1),
    "pow": ("powf", 2), "atan2": ("atan2", 2), "hypot": ("hypot", 2),
    "fmin": ("min", 2), "fmax": ("max", 2), "fmod": ("%", 2),
}


def extern_functions(block: ast.ExternBlock, reporter: Reporter) -> list[ast.FnDef]:
    """Return a function with a body for each C math function the block declares."""
    if block.abi not in (None, "C"):
        reporter.error(f"sxc supports only `extern \"C\"` blocks, not `extern \"{block.abi}\"`",
                       block.span, code="SX0806")
        return []
    out = []
    for decl in block.fns:
        fn = _extern_function(decl, reporter)
        if fn is not None:
            out.append(fn)
    return out


def _extern_function(decl: ast.ExternFn, reporter: Reporter) -> ast.FnDef | None:
    entry = C_MATH.get(decl.name)
    if entry is None:
        reporter.error(f"sxc cannot call the C function `{decl.name}`: an `extern` block "
                       "may declare only C math functions", decl.name_span,
                       help="the supported ones are " + ", ".join(sorted(C_MATH)), code="SX0806")
        return None
    method, arity = entry
    if len(decl.params) != arity:
        plural = "s" if arity != 1 else ""
        reporter.error(f"the C function `{decl.name}` takes {arity} parameter{plural}, "
                       f"but this declaration has {len(decl.params)}", decl.name_span,
                       code="SX0806")
        return None
    span = decl.span
    first = ast.Path(span, [decl.params[0].name])
    rest = [ast.Path(span, [p.name]) for p in decl.params[1:]]
    if method == "%":
        tail: ast.Expr = ast.Binary(span, "%", first, rest[0])
    else:
        tail = ast.MethodCall(span, first, method, rest, [], span)
    body = ast.Block(span, [], tail)
    return ast.FnDef(span, decl.name, list(decl.params), decl.ret, body, None, [], False,
                     decl.name_span)
