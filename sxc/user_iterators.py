"""Loops and chains over a type that implements `Iterator`.

A type with `impl Iterator for Fib { type Item = u64; fn next(&mut self) ->
Option<u64> { .. } }` has `next` as a method.  The type checker rewrites a
`for` loop over such a value into a loop that calls it,

    for x in fib { body }   ->   while let Some(x) = fib.next() { body }

and gives a chain over it a source that pulls items from `next` until the
first `None`:

    Fib::new().take(10).collect::<Vec<u64>>()
        ->  { let mut __iterator = Fib::new();
              (0usize..).map(|_| __iterator.next()).take_while(|o| o.is_some())
                        .map(|o| o.unwrap()).take(10).collect::<Vec<u64>>() }

The chain stages then run as for any other source: `take` stops before it
pulls an item too many, as Rust's does, so a variable that a chain reads
through `by_ref()` keeps the items the chain did not take.
"""

from __future__ import annotations

from sxc import ast
from sxc import types as T
from sxc.iter_chains import ADAPTERS, CONSUMERS

# The names of the locals that the rewrite adds.
_ITERATOR = "__iterator"
_PULLED = "__pulled"


def iterator_types(program) -> dict:
    """Return the names of the types that implement `Iterator`."""
    return program.trait_impls.get("Iterator", {})


def source(checker, e: ast.Expr) -> tuple[ast.Expr, bool] | None:
    """Return (the iterator value, whether it is a mutable local that the loop or
    chain may advance in place) when `e` is a value of a type that implements
    `Iterator`, else None."""
    types = iterator_types(checker.program)
    if not types:
        return None
    if isinstance(e, ast.MethodCall) and e.method == "by_ref" and not e.args:
        e = e.receiver
    if isinstance(e, ast.Ref) and e.mutable:
        e = e.operand
    if isinstance(e, ast.Path) and len(e.segments) == 1 and not e.type_args:
        local = checker.lookup(e.segments[0])
        if local is None:
            return None
        ty = T.prune(local.ty)
        base = T.strip_refs(ty)
        if isinstance(base, T.StructT) and base.struct in types:
            in_place = local.mutable or (isinstance(ty, T.RefT) and ty.mutable)
            return e, in_place
        return None
    if isinstance(e, ast.StructLit) and e.name in types:
        return e, False
    if isinstance(e, ast.Call) and isinstance(e.func, ast.Path) and len(e.func.segments) <= 2 \
            and checker.lookup(e.func.segments[0]) is None:
        # `Fib::new()` or a function that returns an iterator
        ret = getattr(checker.sigs.get("::".join(e.func.segments)), "ret", None)
        if isinstance(ret, T.StructT) and ret.struct in types:
            return e, False
    return None


def rewrite_for(checker, e: ast.For) -> ast.Expr | None:
    """Return the loop that `for pattern in iterator { .. }` is, or None when
    `e.iter` is no value of a type that implements `Iterator`."""
    found = _chain_start(checker, e.iter)
    if found is None:
        return None
    inner, value, in_place = found
    span = e.span
    lets: list[ast.Stmt] = []
    place = value if in_place else _keep(span, value, lets)
    if inner is None:
        some = ast.VariantPattern(e.pattern.span, ["Some"], [e.pattern])
        stop = ast.Block(span, [], ast.Break(span, None, None))
        pulled = ast.MethodCall(span, place, "next", [])
        match = ast.Match(span, pulled, [ast.MatchArm(span, some, None, e.body),
                                         ast.MatchArm(span, ast.WildPattern(span), None, stop)])
        match.let_form = "while let"
        loop: ast.Expr = ast.Loop(span, ast.Block(span, [], match), e.label)
    else:
        inner.receiver = _pull(span, place)
        loop = e
    return ast.Block(span, lets, loop) if lets else loop


def rewrite_chain(checker, e: ast.MethodCall) -> ast.Expr | None:
    """Return `e`, a chain over a value of a type that implements `Iterator`, with
    a source that calls its `next`, or None when `e` is no such chain."""
    if e.method not in CONSUMERS:
        return None  # sxc compiles a chain only where a consumer ends it
    found = _chain_start(checker, e)
    if found is None or found[0] is None:
        return None
    inner, value, in_place = found
    lets: list[ast.Stmt] = []
    place = value if in_place else _keep(e.span, value, lets)
    inner.receiver = _pull(e.span, place)
    return ast.Block(e.span, lets, e) if lets else e


def _chain_start(checker, e: ast.Expr):
    """Return (the first method call of the chain `e` or None when `e` is the
    iterator itself, the iterator value, whether it advances in place), or None
    when `e` starts at no value of a type that implements `Iterator`."""
    inner = None
    while isinstance(e, ast.MethodCall) and (e.method in ADAPTERS or e.method in CONSUMERS):
        found = source(checker, e.receiver)
        if found is not None:
            base = _struct_name(checker, found[0])
            if base is not None and f"{base}::{e.method}" in checker.sigs:
                return None  # the type's own method of that name
            return e, found[0], found[1]
        inner = e
        e = e.receiver
    if inner is None:
        found = source(checker, e)
        if found is not None:
            return None, found[0], found[1]
    return None


def _struct_name(checker, value: ast.Expr) -> str | None:
    if isinstance(value, ast.StructLit):
        return value.name
    if isinstance(value, ast.Call):
        return checker.sigs["::".join(value.func.segments)].ret.struct
    local = checker.lookup(value.segments[0])
    base = T.strip_refs(T.prune(local.ty)) if local is not None else None
    return base.struct if isinstance(base, T.StructT) else None


def _keep(span, value: ast.Expr, lets: list[ast.Stmt]) -> ast.Path:
    """Bind `value` to a mutable local in `lets` and return the local."""
    lets.append(ast.Let(span, ast.NamePattern(span, _ITERATOR, True), None, value))
    return ast.Path(span, [_ITERATOR])


def _pull(span, place: ast.Expr) -> ast.Expr:
    return pull_chain(span, ast.MethodCall(span, place, "next", []))


def pull_chain(span, pull: ast.Expr) -> ast.Expr:
    """Return `(0usize..).map(|_| pull).take_while(|o| o.is_some()).map(|o| o.unwrap())`,
    the items of `pull`, an `Option`, until the first `None`."""
    counter = ast.Range(span, ast.IntLit(span, 0, "usize"), None, False)
    pulled = ast.MethodCall(span, counter, "map", [ast.Closure(span, [("_", None)], None, pull)])
    item = ast.Path(span, [_PULLED])
    present = ast.MethodCall(span, pulled, "take_while", [
        ast.Closure(span, [(_PULLED, None)], None, ast.MethodCall(span, item, "is_some", []))])
    return ast.MethodCall(span, present, "map", [
        ast.Closure(span, [(_PULLED, None)], None,
                    ast.MethodCall(span, ast.Path(span, [_PULLED]), "unwrap", []))])
