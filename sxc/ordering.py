"""`Ordering` values: `a.cmp(&b)`, `x.total_cmp(&y)`, `p.partial_cmp(&q).unwrap()`.

`Ordering` is an enum of the prelude (`runtime/std.sx`) with Rust's methods.
The type checker rewrites the comparisons that return one into the `if`s
they mean, after checking the receiver:

    a.cmp(&b)   ->  { let l = a; let r = b;
                      if l < r { Ordering::Less } else if r < l { Ordering::Greater }
                      else { Ordering::Equal } }

`partial_cmp(..).unwrap()` and `.expect(msg)` panic as Rust's do when the
sides are unordered (a NaN), and `total_cmp` compares the keys of
`__total_cmp_key`.  `o.then_with(|| ..)` calls the closure only when `o` is
`Equal`.  `sort_by` closures do not come here: `sxc.sort_closures` rewrites
them first.
"""

from __future__ import annotations

from sxc import ast
from sxc import types as T
from sxc.sort_closures import UNWRAP_NONE


def _operand(e: ast.Expr) -> ast.Expr:
    return e.operand if isinstance(e, ast.Ref) else e


def _right_type(span, left: ast.Expr) -> ast.TypeExpr | None:
    """Return the type that the right side of a comparison takes from `left`, an
    aggregate (which a bare `None` on the right needs), or None for numbers."""
    known = T.strip_refs(T.prune(left.ty)) if left.ty is not None else None
    if known is None or T.has_hole(known) or \
            not isinstance(known, (T.EnumT, T.VecT, T.ArrayT, T.TupleT, T.StructT)):
        return None
    return ast.ResolvedType(span, known)


class OrderingMixin:
    """The type checker's handling of the comparisons that return an `Ordering`."""

    def ordering_variant(self, span, name: str) -> ast.Path:
        """Return the path of the prelude's `Ordering::name`, also where the user's crate
        declares an `Ordering` of its own."""
        return ast.Path(span, [self.program.prelude_key("Ordering"), name])

    def ordering_call(self, e: ast.MethodCall, expected) -> ast.Expr | None:
        """Check `e` if it is a comparison that returns an `Ordering`, else return None."""
        if e.method == "then_with" and len(e.args) == 1:
            return self.then_with(e, expected)
        message: ast.Expr | None = None
        compare = e
        if e.method in ("unwrap", "expect") and isinstance(e.receiver, ast.MethodCall) \
                and e.receiver.method == "partial_cmp" and len(e.receiver.args) == 1 \
                and len(e.args) == int(e.method == "expect"):
            message = e.args[0] if e.args else ast.StrLit(e.span, UNWRAP_NONE)
            compare = e.receiver
        elif e.method not in ("cmp", "total_cmp", "partial_cmp") or len(e.args) != 1:
            return None
        left = self.expr(compare.receiver, None)
        left.checked = True
        compare.receiver = left
        base = T.prune(T.strip_refs(left.ty))
        kind = compare.method
        orderable = T.is_numeric(base) or T.is_char(base) or \
            isinstance(base, (T.BoolT, T.TupleT, T.StrT, T.VecT, T.ArrayT, T.SliceT)) or \
            self.ordered_enum(base)
        if kind == "cmp" and isinstance(base, T.FloatT):
            orderable = False  # `f64` is no `Ord`: Rust has `total_cmp` and `partial_cmp`
        if kind == "total_cmp" and not isinstance(base, T.FloatT):
            orderable = False
        if not orderable:
            return None
        if kind == "partial_cmp" and message is None:
            block = self.option_ordering(e.span, left, _operand(compare.args[0]))
            return self.expr(block, expected)
        block = self.ordering_block(e.span, kind, left, _operand(compare.args[0]), message,
                                    e.method_span or e.span)
        return self.expr(block, expected)

    def ordered_enum(self, t: T.Type) -> bool:
        """Return whether `t` is an enum that derives `PartialOrd` or `Ord`, whose values
        `<` orders by variant, then by payload (see `data_enum_order`)."""
        if not isinstance(t, T.EnumT):
            return False
        data = self.data_enum(t)
        if data is not None and self.enum_contains_itself(data):
            return False
        edef = self.program.enums.get(t.enum)
        return edef is not None and bool({"PartialOrd", "Ord"} & set(edef.derives))

    def option_ordering(self, span, left: ast.Expr, right: ast.Expr) -> ast.Block:
        """Return the block of `left.partial_cmp(&right)`: `Some` of the `Ordering`, or
        `None` when the sides are unordered (a NaN)."""
        def some(name: str) -> ast.Block:
            return ast.Block(span, [], ast.Call(span, ast.Path(span, ["Some"]),
                                                [self.ordering_variant(span, name)]))

        def side(name: str) -> ast.Path:
            return ast.Path(span, [name])
        if isinstance(left.ty, T.RefT):
            left = ast.Unary(span, "*", left)
        right_type = _right_type(span, left)
        stmts = [ast.Let(span, ast.NamePattern(span, "__left"), None, left),
                 ast.Let(span, ast.NamePattern(span, "__right"), right_type, right)]
        unordered = ast.If(span, ast.Binary(span, "==", side("__left"), side("__right")),
                           some("Equal"), ast.Block(span, [], ast.Path(span, ["None"])))
        greater = ast.If(span, ast.Binary(span, "<", side("__right"), side("__left")),
                         some("Greater"), ast.Block(span, [], unordered))
        result = ast.If(span, ast.Binary(span, "<", side("__left"), side("__right")),
                        some("Less"), ast.Block(span, [], greater))
        return ast.Block(span, stmts, result)

    def ordering_block(self, span, kind: str, left: ast.Expr, right: ast.Expr,
                       message: ast.Expr | None, panic_at) -> ast.Block:
        """Return the block that computes the `Ordering` of `left` against `right`;
        with a `message`, unordered sides panic with it at `panic_at`."""
        def side(name: str) -> ast.Expr:
            value = ast.Path(span, [name])
            if kind != "total_cmp":
                return value
            key = ast.Call(span, ast.Path(span, ["__total_cmp_key"]),
                           [ast.Cast(span, value, ast.NamedType(span, ["f64"]))])
            return key
        if isinstance(left.ty, T.RefT):
            left = ast.Unary(span, "*", left)
        right_type = _right_type(span, left) if kind != "total_cmp" else None
        stmts = [ast.Let(span, ast.NamePattern(span, "__left"), None, left),
                 ast.Let(span, ast.NamePattern(span, "__right"), right_type, right)]

        def branch(value: ast.Expr) -> ast.Block:
            return ast.Block(span, [], value)
        if message is not None:
            panic = ast.MacroCall(panic_at, "panic", [ast.StrLit(span, "{}"), message])
            last: ast.Expr = ast.If(
                span, ast.Binary(span, "==", side("__left"), side("__right")),
                branch(self.ordering_variant(span, "Equal")),
                ast.Block(span, [ast.ExprStmt(span, panic, True)], None))
        else:
            last = self.ordering_variant(span, "Equal")
        greater = ast.If(span, ast.Binary(span, "<", side("__right"), side("__left")),
                         branch(self.ordering_variant(span, "Greater")), branch(last))
        result = ast.If(span, ast.Binary(span, "<", side("__left"), side("__right")),
                        branch(self.ordering_variant(span, "Less")), branch(greater))
        return ast.Block(span, stmts, result)

    def then_with(self, e: ast.MethodCall, expected) -> ast.Expr | None:
        """Check `o.then_with(f)` of an `Ordering`, which calls `f` only when `o` is `Equal`."""
        receiver = self.expr(e.receiver, None)
        receiver.checked = True
        e.receiver = receiver
        base = T.prune(T.strip_refs(receiver.ty))
        if not (isinstance(base, T.EnumT) and base.enum == self.program.prelude_key("Ordering")):
            return None
        span = e.span
        stmts = [ast.Let(span, ast.NamePattern(span, "__first"), None, receiver),
                 ast.Let(span, ast.NamePattern(span, "__then"), None, e.args[0])]
        equal = ast.Binary(span, "==", ast.Path(span, ["__first"]), self.ordering_variant(span, "Equal"))
        call = ast.Call(span, ast.Path(span, ["__then"]), [])
        result = ast.If(span, equal, ast.Block(span, [], call),
                        ast.Block(span, [], ast.Path(span, ["__first"])))
        return self.expr(ast.Block(span, stmts, result), expected)
