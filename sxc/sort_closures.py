"""Rewrite `sort_by` and `sort_by_key` calls into a stable merge sort with a `less` closure.

sxc has no `Ordering`, so it recognises the comparisons numeric code writes and
turns each into a closure that returns whether `a` goes before `b`:

    v.sort_by(|a, b| a.partial_cmp(b).unwrap())   ->  __sort_by(&mut v, |a, b| a < b)
    v.sort_by(|a, b| b.total_cmp(a))              ->  ... key(b) < key(a)
    v.sort_by_key(|p| p.1)                        ->  ... a.1 < b.1

`A.partial_cmp(B).unwrap()` panics as Rust's does when `A` or `B` is NaN, and
`.expect(msg)` panics with `msg`.  `A.total_cmp(B)` orders `f64` values by
`__total_cmp_key` and duals by their values, `A.cmp(B)` compares with `<`,
and a trailing `.reverse()` swaps the sides.  `__sort_by` in `runtime/std.sx` is a stable sort, which is
also what `sort_unstable_by` gets.
"""

from __future__ import annotations

from sxc import ast
from sxc import types as T
from sxc.iter_chains import ChainError, _Builder

SORTS = ("sort_by", "sort_unstable_by", "sort_by_key", "sort_unstable_by_key",
         "sort_by_cached_key")
UNWRAP_NONE = "called `Option::unwrap()` on a `None` value"


def _tail(e: ast.Expr) -> ast.Expr:
    """Return the value expression of `e`, looking through block tails."""
    while isinstance(e, ast.Block) and e.tail is not None:
        e = e.tail
    return e


def _replace_tail(e: ast.Expr, new: ast.Expr) -> ast.Expr:
    """Return `e` with the value expression that `_tail` finds replaced by `new`."""
    if isinstance(e, ast.Block) and e.tail is not None:
        return ast.Block(e.span, e.stmts, _replace_tail(e.tail, new))
    return new


def _operand(e: ast.Expr) -> ast.Expr:
    return e.operand if isinstance(e, ast.Ref) else e


def less_than(compare: ast.Expr) -> ast.Expr:
    """Return the `bool` expression that is true when `compare` is `Ordering::Less`."""
    span = compare.span

    swap = False
    if isinstance(compare, ast.MethodCall) and compare.method == "reverse" and not compare.args:
        swap = True
        compare = compare.receiver
    message: ast.Expr | None = None
    if isinstance(compare, ast.MethodCall) and compare.method in ("unwrap", "expect"):
        if compare.method == "expect" and len(compare.args) == 1:
            message = compare.args[0]
        elif compare.method == "unwrap" and not compare.args:
            message = ast.StrLit(span, UNWRAP_NONE)
        inner = compare.receiver
        if message is None or not (isinstance(inner, ast.MethodCall) and
                                   inner.method == "partial_cmp" and len(inner.args) == 1):
            raise _unsupported(compare)
        left, right = inner.receiver, _operand(inner.args[0])
        kind = "partial_cmp"
    elif isinstance(compare, ast.MethodCall) and compare.method in ("total_cmp", "cmp") \
            and len(compare.args) == 1:
        left, right = compare.receiver, _operand(compare.args[0])
        kind = compare.method
    else:
        raise _unsupported(compare)
    if swap:
        left, right = right, left

    if kind == "total_cmp":
        # an `f32` converts to `f64` exactly, keeping its place in the total order
        key = ast.Path(span, ["__total_cmp_key"])
        f64 = ast.NamedType(span, ["f64"])
        keys = []
        for side in (left, right):
            cast = ast.Cast(span, side, f64)
            # the type checker reads a `dual` side as its `.val`
            cast.dual_value = True
            keys.append(ast.Call(span, key, [cast]))
        return ast.Binary(span, "<", keys[0], keys[1])
    if kind == "cmp":
        return ast.Binary(span, "<", left, right)
    # every use gets its own node, because lower-dual retypes nodes in place
    def x():
        return ast.Path(span, ["__x"])

    def y():
        return ast.Path(span, ["__y"])

    is_nan = ast.Binary(span, "||", ast.Binary(span, "!=", x(), x()),
                        ast.Binary(span, "!=", y(), y()))
    panic = ast.MacroCall(span, "panic", [ast.StrLit(span, "{}"), message])
    check = ast.If(span, is_nan, ast.Block(span, [ast.ExprStmt(span, panic, True)], None), None)
    return ast.Block(span, [
        ast.Let(span, ast.NamePattern(span, "__x", False), None, left),
        ast.Let(span, ast.NamePattern(span, "__y", False), None, right),
        ast.ExprStmt(span, check, False),
    ], ast.Binary(span, "<", x(), y()))


def _unsupported(e: ast.Expr) -> ChainError:
    return ChainError("sxc has no `Ordering`, so it supports `sort_by` only with a comparison "
                      "such as `a.partial_cmp(b).unwrap()`, `a.total_cmp(b)` or `a.cmp(b)`",
                      e.span, help="compare the keys with `partial_cmp`, `total_cmp` or `cmp` "
                                   "in the closure's last expression")


def rewrite_sort(call: ast.MethodCall, borrowed: bool, fresh) -> ast.Call:
    """Return the `__sort_by` call that `call`, a `sort_by` or `sort_by_key`, means.

    `borrowed` is true when the receiver is a `&mut` reference or slice already.
    """
    span = call.span
    name = call.method
    if len(call.args) != 1:
        raise ChainError(f"`{name}` takes 1 argument but {len(call.args)} were supplied",
                         call.method_span or span)
    arg = call.args[0]
    if name.endswith("_key"):
        builder = _Builder(span, fresh)
        a, b = fresh("a"), fresh("b")
        key = builder.function(arg)
        if builder.lets:
            raise ChainError(f"sxc supports `{name}` with a closure or a function name",
                             arg.span)
        body: ast.Expr = ast.Binary(span, "<", builder.call(key, [ast.Path(span, [a])]),
                                    builder.call(key, [ast.Path(span, [b])]))
        less = ast.Closure(arg.span, [(a, None), (b, None)], None, body)
    else:
        if not isinstance(arg, ast.Closure) or len(arg.params) != 2:
            raise ChainError(f"sxc supports `{name}` with a closure `|a, b| ...` that "
                             "compares its arguments", arg.span,
                             help="write the comparison in the call, such as "
                                  "`|a, b| a.partial_cmp(b).unwrap()`")
        body = _replace_tail(arg.body, less_than(_tail(arg.body)))
        params = [(p, t.inner if isinstance(t, ast.RefType) else t) for p, t in arg.params]
        less = ast.Closure(arg.span, params, None, body)
    target = call.receiver
    if not borrowed:
        target = ast.Ref(call.receiver.span, call.receiver, True)
    return ast.Call(span, ast.Path(span, ["__sort_by"]), [target, less])


class SortMixin:
    """The type checker's handling of `sort_by` and `sort_by_key`."""

    def sort_closure_call(self, e: ast.MethodCall, expected) -> ast.Expr | None:
        if e.method not in SORTS:
            return None
        borrowed = False
        receiver = e.receiver
        if isinstance(receiver, ast.Path) and len(receiver.segments) == 1:
            local = self.lookup(receiver.segments[0])
            if local is not None:
                ty = T.prune(local.ty)
                borrowed = isinstance(ty, T.RefT) and ty.mutable or \
                    isinstance(ty, T.SliceT) and ty.mutable
        try:
            call = rewrite_sort(e, borrowed, self.chain_names())
        except ChainError as err:
            return self.chain_error(e, err)
        return self.expr(call, expected)

