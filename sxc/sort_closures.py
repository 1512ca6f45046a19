"""Rewrite `sort_by` and `sort_by_key` calls into a stable merge sort with a `less` closure.

sxc recognises the comparisons numeric code writes and turns each into a closure
that returns whether `a` goes before `b`, so those build no `Ordering` value:

    v.sort_by(|a, b| a.partial_cmp(b).unwrap())   ->  __sort_by(&mut v, |a, b| a < b)
    v.sort_by(|a, b| b.total_cmp(a))              ->  ... key(b) < key(a)
    v.sort_by_key(|p| p.1)                        ->  ... a.1 < b.1

`A.partial_cmp(B).unwrap()` panics as Rust's does when `A` or `B` is NaN,
`.expect(msg)` panics with `msg`, and `.unwrap_or(Ordering::Equal)` (or `Less`
or `Greater`) gives that ordering.  `A.total_cmp(B)` orders `f64` values by
`__total_cmp_key` and duals by their values, `A.cmp(B)` compares with `<`,
and a trailing `.reverse()` swaps the sides.  Comparisons combined with `then` and
`then_with`, and the variants `Ordering::Less`, `Equal` and `Greater`, become an
integer -1, 0 or 1 (`ordering`), as do the locals of the closure that hold one.
Any other expression there must be an `Ordering` value, such as a call of a
function that returns one, and is compared with `Ordering::Less`.
A `sort_by_key` key `Reverse(k)` compares `k` with the sides swapped.  `__sort_by` in `runtime/std.sx` is a stable sort, which is
also what `sort_unstable_by` gets.
"""

from __future__ import annotations

import copy

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


def less_than(compare: ast.Expr, locals_: frozenset[str] = frozenset()) -> ast.Expr:
    """Return the `bool` expression that is true when `compare` is `Ordering::Less`.

    `locals_` names the locals of the closure that hold an ordering as `ordering`
    computes it."""
    span = compare.span
    if _is_compound(compare, locals_):
        return ast.Binary(span, "<", ordering(compare, locals_), _int(span, 0))

    swap = False
    if isinstance(compare, ast.MethodCall) and compare.method == "reverse" and not compare.args:
        swap = True
        compare = compare.receiver
    message: ast.Expr | None = None
    fallback = _nan_fallback(compare)
    if fallback is not None:
        inner = compare.receiver
        left, right = inner.receiver, _operand(inner.args[0])
        if swap:
            left, right, fallback = right, left, -fallback
        return _nan_or_less(span, left, right, ast.BoolLit(span, fallback < 0))
    if isinstance(compare, ast.MethodCall) and compare.method in ("unwrap", "expect"):
        if compare.method == "expect" and len(compare.args) == 1:
            message = compare.args[0]
        elif compare.method == "unwrap" and not compare.args:
            message = ast.StrLit(span, UNWRAP_NONE)
        inner = compare.receiver
        if message is None or not (isinstance(inner, ast.MethodCall) and
                                   inner.method == "partial_cmp" and len(inner.args) == 1):
            return _is_less(compare)
        left, right = inner.receiver, _operand(inner.args[0])
        kind = "partial_cmp"
    elif isinstance(compare, ast.MethodCall) and compare.method in ("total_cmp", "cmp") \
            and len(compare.args) == 1:
        left, right = compare.receiver, _operand(compare.args[0])
        kind = compare.method
    else:
        # any other expression must be an `Ordering` value, such as a call of a
        # function that returns one
        if swap:
            compare = ast.MethodCall(span, compare, "reverse", [])
        return _is_less(compare)
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
    panic = ast.MacroCall(span, "panic", [ast.StrLit(span, "{}"), message])
    return _nan_or_less(span, left, right, ast.Block(span, [ast.ExprStmt(span, panic, True)],
                                                     None))


def _nan_or_less(span, left: ast.Expr, right: ast.Expr, on_nan: ast.Expr) -> ast.Expr:
    """Return a block that is `on_nan` when `left` or `right` is NaN, else `left < right`."""
    # every use gets its own node, because lower-dual retypes nodes in place
    def x():
        return ast.Path(span, ["__x"])

    def y():
        return ast.Path(span, ["__y"])

    is_nan = ast.Binary(span, "||", ast.Binary(span, "!=", x(), x()),
                        ast.Binary(span, "!=", y(), y()))
    if isinstance(on_nan, ast.Block):
        # a panic, after which the comparison runs only for numbers
        check = ast.ExprStmt(span, ast.If(span, is_nan, on_nan, None), False)
        result: ast.Expr = ast.Binary(span, "<", x(), y())
        stmts = [check]
    else:
        result = ast.If(span, is_nan, ast.Block(span, [], on_nan),
                        ast.Block(span, [], ast.Binary(span, "<", x(), y())))
        stmts = []
    return ast.Block(span, [
        ast.Let(span, ast.NamePattern(span, "__x", False), None, left),
        ast.Let(span, ast.NamePattern(span, "__y", False), None, right),
        *stmts,
    ], result)


def _nan_fallback(compare: ast.Expr) -> int | None:
    """Return -1, 0 or 1 for `A.partial_cmp(B).unwrap_or(Ordering::Less)`, `Equal` or
    `Greater`, the ordering that a NaN side gives, or None for another expression."""
    if not (isinstance(compare, ast.MethodCall) and compare.method == "unwrap_or"
            and len(compare.args) == 1):
        return None
    inner = compare.receiver
    if not (isinstance(inner, ast.MethodCall) and inner.method == "partial_cmp"
            and len(inner.args) == 1):
        return None
    return _ordering_variant(compare.args[0])


# the names of `Ordering`'s variants, and the integers that `ordering` gives them
ORDERING_VALUES = {"Less": -1, "Equal": 0, "Greater": 1}


def _is_compound(compare: ast.Expr, locals_: frozenset[str] = frozenset()) -> bool:
    """Tell whether `compare` combines comparisons with `then` or `then_with`, or names
    an `Ordering` variant or a local in `locals_`, which `ordering` computes as an integer."""
    while isinstance(compare, ast.MethodCall) and compare.method == "reverse" \
            and not compare.args:
        compare = compare.receiver
    if isinstance(compare, ast.MethodCall) and compare.method in ("then", "then_with"):
        return True
    return _ordering_variant(compare) is not None or _ordering_local(compare, locals_)


def _ordering_local(e: ast.Expr, locals_: frozenset[str]) -> bool:
    return isinstance(e, ast.Path) and len(e.segments) == 1 and e.segments[0] in locals_


def _is_ordering(e: ast.Expr, locals_: frozenset[str]) -> bool:
    """Tell whether `e` is one of the `Ordering` expressions that `ordering` computes."""
    while isinstance(e, ast.MethodCall) and e.method == "reverse" and not e.args:
        e = e.receiver
    if _is_compound(e, locals_):
        return True
    if _nan_fallback(e) is not None:
        return True
    if isinstance(e, ast.MethodCall) and e.method in ("unwrap", "expect"):
        e = e.receiver
        return isinstance(e, ast.MethodCall) and e.method == "partial_cmp"
    return isinstance(e, ast.MethodCall) and e.method in ("cmp", "total_cmp") \
        and len(e.args) == 1


def ordering_body(body: ast.Expr) -> tuple[ast.Expr, frozenset[str]]:
    """Return the closure body `body` with each `let name = <ordering>;` of its block
    computing the ordering as an integer, and the names of those locals."""
    if not isinstance(body, ast.Block):
        return body, frozenset()
    names: set[str] = set()
    stmts = []
    for stmt in body.stmts:
        if isinstance(stmt, ast.Let) and isinstance(stmt.pattern, ast.NamePattern) \
                and stmt.init is not None and stmt.type is None \
                and _is_ordering(stmt.init, frozenset(names)):
            init = ordering(stmt.init, frozenset(names))
            stmt = ast.Let(stmt.span, stmt.pattern, None, init)
            names.add(stmt.pattern.name)
        elif isinstance(stmt, ast.Let) and isinstance(stmt.pattern, ast.NamePattern):
            names.discard(stmt.pattern.name)  # a shadowing `let` of another value
        stmts.append(stmt)
    return ast.Block(body.span, stmts, body.tail), frozenset(names)


def _ordering_variant(e: ast.Expr) -> int | None:
    """Return the integer of `Ordering::Less`, `Equal` or `Greater`, or None."""
    if isinstance(e, ast.Path) and len(e.segments) >= 2 and e.segments[-2] == "Ordering" \
            and e.segments[-1] in ORDERING_VALUES:
        return ORDERING_VALUES[e.segments[-1]]
    return None


def _ordering_value(compare: ast.Expr) -> ast.Block:
    """Return a block that binds `compare`, which must be an `Ordering` value, as one."""
    span = compare.span
    let = ast.Let(span, ast.NamePattern(span, "__order", False),
                  ast.NamedType(span, ["Ordering"]), compare)
    return ast.Block(span, [let], ast.Path(span, ["__order"]))


def _is_less(compare: ast.Expr) -> ast.Expr:
    """Return whether the `Ordering` value `compare` is `Less`."""
    return ast.Binary(compare.span, "==", _ordering_value(compare),
                      ast.Path(compare.span, ["Ordering", "Less"]))


def _reversed_key(e: ast.Expr) -> ast.Expr | None:
    """Return `k` of a sort key `Reverse(k)` or `std::cmp::Reverse(k)`, else None."""
    if isinstance(e, ast.Call) and isinstance(e.func, ast.Path) and len(e.args) == 1 \
            and e.func.segments[-1] == "Reverse" and \
            e.func.segments[:-1] in ([], ["std", "cmp"], ["cmp"], ["core", "cmp"]):
        return e.args[0]
    return None


def _int(span, value: int) -> ast.Expr:
    literal = ast.IntLit(span, abs(value), "i64")
    return ast.Unary(span, "-", literal) if value < 0 else literal


def _let(span, name: str, value: ast.Expr) -> ast.Let:
    return ast.Let(span, ast.NamePattern(span, name, False), None, value)


def _path(span, name: str) -> ast.Path:
    return ast.Path(span, [name])


def ordering(compare: ast.Expr, locals_: frozenset[str] = frozenset()) -> ast.Expr:
    """Return an `i64` expression that is -1, 0 or 1 as `compare` is `Ordering::Less`,
    `Equal` or `Greater`.

    `x.then(y)` evaluates both sides, as Rust evaluates the argument of a call,
    so a NaN that `y` unwraps panics even when `x` decides.  `x.then_with(|| y)`
    evaluates `y` only when `x` is `Equal`.
    """
    span = compare.span
    variant = _ordering_variant(compare)
    if variant is not None:
        return _int(span, variant)
    if _ordering_local(compare, locals_):
        return compare
    if isinstance(compare, ast.MethodCall) and not compare.args and compare.method == "reverse":
        return ast.Unary(span, "-", ordering(compare.receiver, locals_))
    if isinstance(compare, ast.MethodCall) and compare.method in ("then", "then_with") \
            and len(compare.args) == 1:
        first = ordering(compare.receiver, locals_)
        if compare.method == "then":
            stmts = [_let(span, "__first", first), _let(span, "__second",
                                                      ordering(compare.args[0], locals_))]
            second: ast.Expr = _path(span, "__second")
        else:
            closure = compare.args[0]
            if not isinstance(closure, ast.Closure) or closure.params:
                raise ChainError("sxc supports `then_with` with a closure `|| ...` written "
                                 "in the call", closure.span,
                                 help="write the comparison in the closure, such as "
                                      "`.then_with(|| a.1.cmp(&b.1))`")
            stmts = [_let(span, "__first", first)]
            second = _replace_tail(closure.body, ordering(_tail(closure.body), locals_))
        decided = ast.Binary(span, "!=", _path(span, "__first"), _int(span, 0))
        result = ast.If(span, decided, ast.Block(span, [], _path(span, "__first")),
                        ast.Block(span, [], second))
        return ast.Block(span, stmts, result)
    if not _is_ordering(compare, locals_):
        # an `Ordering` value, whose discriminant is Rust's -1, 0 or 1
        return ast.Cast(span, _ordering_value(compare), ast.NamedType(span, ["i64"]))
    less = less_than(compare)
    greater = less_than(_swapped(compare))
    return ast.If(span, less, ast.Block(span, [], _int(span, -1)),
                  ast.Block(span, [], ast.If(span, greater, ast.Block(span, [], _int(span, 1)),
                                             ast.Block(span, [], _int(span, 0)))))


def _swapped(compare: ast.Expr) -> ast.Expr:
    """Return a copy of `compare` with its sides swapped: `b.cmp(a)` for `a.cmp(b)`.

    The copy has nodes of its own, because the type checker rewrites nodes in place."""
    compare = copy.deepcopy(compare)
    if isinstance(compare, ast.MethodCall) and compare.method == "reverse" and not compare.args:
        return compare.receiver
    return ast.MethodCall(compare.span, compare, "reverse", [])


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
        first, second = a, b
        if isinstance(key, ast.Closure) and _reversed_key(_tail(key.body)) is not None:
            # `|x| Reverse(k)` orders by `k`, descending
            key = ast.Closure(key.span, key.params, key.ret,
                              _replace_tail(key.body, _reversed_key(_tail(key.body))))
            first, second = b, a
        body: ast.Expr = ast.Binary(span, "<", builder.call(key, [ast.Path(span, [first])]),
                                    builder.call(key, [ast.Path(span, [second])]))
        less = ast.Closure(arg.span, [(a, None), (b, None)], None, body)
    else:
        if not isinstance(arg, ast.Closure) or len(arg.params) != 2:
            raise ChainError(f"sxc supports `{name}` with a closure `|a, b| ...` that "
                             "compares its arguments", arg.span,
                             help="write the comparison in the call, such as "
                                  "`|a, b| a.partial_cmp(b).unwrap()`")
        body, locals_ = ordering_body(arg.body)
        if _is_ordering(_tail(body), locals_):
            body = _replace_tail(body, less_than(_tail(body), locals_))
        else:
            # any other last expression must be an `Ordering` value
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

