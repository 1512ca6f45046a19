"""Rewrite the iterator consumers that keep one item and return it as an `Option`.

`iter_chains.rewrite_chain` builds the loop of the chain and calls `keeper` for
the consumer: `find`, `find_map`, `max`, `min`, `max_by`, `min_by`,
`max_by_key`, `min_by_key`, `reduce`, `last` or `nth`.
"""

from __future__ import annotations

from sxc import ast
from sxc.diagnostics import Span


def uninitialized(builder, stem: str) -> ast.Path:
    """Declare `let mut NAME;`, whose type comes from its first assignment."""
    name = builder.name(builder.fresh(stem))
    builder.lets.append(ast.Let(builder.span, ast.NamePattern(builder.span, name.segments[0],
                                                              True), None, None))
    return name


def keeper(builder, consumer: ast.MethodCall):
    """Return the sink and the result of `consumer`, one of `iter_chains.KEEPERS`, whose
    loop `builder` (an `iter_chains._Builder`) builds.

    `best` is the item kept so far and `have` records whether there is one,
    so no `Option` is built inside the loop.  Ties go as in Rust: `max`,
    `max_by` and `max_by_key` keep the last of equal items, and `min`, `min_by`
    and `min_by_key` the first.
    """
    span = consumer.span
    name = consumer.method
    best = uninitialized(builder, "best")
    have = builder.var("have", ast.BoolLit(span, False), True)
    if name == "nth":
        target = builder.usize_var("nth", consumer.args[0])
        index = builder.usize_var("index", builder.usize(0), True)
    elif name in ("max_by", "min_by"):
        greater = _greater_test(builder, consumer.args[0])
    elif consumer.args:
        f = builder.function(consumer.args[0])
    best_key = uninitialized(builder, "best_key") if name.endswith("_key") else None

    def take(value: ast.Expr) -> list[ast.Stmt]:
        return [ast.Assign(span, "=", best, value),
                ast.Assign(span, "=", have, ast.BoolLit(span, True))]

    def first_or(current: ast.Expr, later: list[ast.Stmt]) -> ast.Stmt:
        """Keep the first item, and run `later` for the others."""
        return builder.if_(ast.Unary(span, "!", have), take(current), later)

    def sink(item):
        out: list[ast.Stmt] = []
        current = builder.bind("item", item, out)

        if name == "find":
            test = builder.call(f, [current])
            return out + [builder.if_(test, take(current) + [builder.break_()])]

        if name == "find_map":
            found = builder.fresh("found")
            pattern = ast.VariantPattern(span, ["Some"], [ast.NamePattern(span, found, False)])
            arm = ast.Block(span, take(builder.name(found)) + [builder.break_()], None)
            option = builder.bind_option(builder.call(f, [current]), out, consumer)
            return out + [builder.if_let(pattern, option, arm)]

        if name == "last":
            return out + take(current)

        if name == "nth":
            at_target = builder.binary("==", index, target)
            hit = builder.if_(at_target, take(current) + [builder.break_()])
            return out + [hit, builder.increment(index)]

        if name == "reduce":
            combined = ast.Assign(span, "=", best, builder.call(f, [best, current]))
            return out + [first_or(current, [combined])]

        if name in ("max", "min"):
            # Rust's `max` keeps the last of equal items and `min` the first
            better = ast.Binary(span, ">=" if name == "max" else "<", current, best)
            return out + [first_or(current, [builder.if_(better, take(current)[:1])])]

        if name in ("max_by", "min_by"):
            # `max_by` replaces the kept item unless it compares `Greater` than the
            # new one, and `min_by` replaces it only then
            test = builder.call(greater, [best, current])
            if name == "max_by":
                test = ast.Unary(span, "!", test)
            return out + [first_or(current, [builder.if_(test, take(current)[:1])])]

        # max_by_key, min_by_key: each item's key is computed once, as in Rust
        key = builder.bind("key", builder.call(f, [current]), out)
        keep = [take(current)[0], ast.Assign(span, "=", best_key, key)]
        better = ast.Binary(span, ">=" if name == "max_by_key" else "<", key, best_key)
        first = builder.if_(ast.Unary(span, "!", have), take(current) + keep[1:],
                            [builder.if_(better, keep)])
        return out + [first]

    return sink, _some_or_none(span, have, best)


def _some_or_none(span: Span, have: ast.Path, best: ast.Path) -> ast.Expr:
    """Return `if have { Some(best) } else { None }`."""
    some = ast.Block(span, [], ast.Call(span, ast.Path(span, ["Some"]), [best]))
    return ast.If(span, have, some, ast.Block(span, [], ast.Path(span, ["None"])))


def _greater_test(builder, compare: ast.Expr) -> ast.Expr:
    """Return a closure `|a, b| ..` that returns whether `compare(a, b)` is `Ordering::Greater`.

    A closure literal whose last expression is a comparison that `sort_closures`
    recognises, such as `a.partial_cmp(b).unwrap()`, compares the numbers
    directly.  `f64::total_cmp` and `f32::total_cmp` become `|a, b| a.total_cmp(b)`,
    and any other function is called and its `Ordering` compared with `Greater`.
    """
    # sort_closures imports iter_chains, which imports this module
    from sxc import sort_closures

    span = compare.span
    if isinstance(compare, ast.Path) and len(compare.segments) == 2 and \
            compare.segments[0] in ("f64", "f32") and \
            compare.segments[1] == "total_cmp":
        a, b = builder.fresh("a"), builder.fresh("b")
        call = ast.MethodCall(span, ast.Path(span, [a]), "total_cmp", [ast.Path(span, [b])],
                              [], span)
        compare = ast.Closure(span, [(a, None), (b, None)], None, call)
    if not isinstance(compare, ast.Closure):
        f = builder.function(compare)
        a, b = builder.fresh("a"), builder.fresh("b")
        ordering = ast.Call(span, f, [ast.Path(span, [a]), ast.Path(span, [b])])
        return ast.Closure(span, [(a, None), (b, None)], None, _is_greater(ordering))
    body, locals_ = sort_closures.ordering_body(compare.body)
    tail = sort_closures._tail(body)
    if sort_closures._is_ordering(tail, locals_):
        test = sort_closures.less_than(sort_closures._swapped(tail), locals_)
        return ast.Closure(compare.span, compare.params, None,
                           sort_closures._replace_tail(body, test))
    # any other last expression must be an `Ordering` value
    tail = sort_closures._tail(compare.body)
    return ast.Closure(compare.span, compare.params, None,
                       sort_closures._replace_tail(compare.body, _is_greater(tail)))


def _is_greater(ordering: ast.Expr) -> ast.Expr:
    """Return whether `ordering`, which must be an `Ordering` value, is `Greater`."""
    from sxc import sort_closures

    greater = ast.Path(ordering.span, ["Ordering", "Greater"])
    return ast.Binary(ordering.span, "==", sort_closures._ordering_value(ordering), greater)
