"""Reject a `for` loop whose body changes the length of the sequence it iterates over.

sxc has no borrow checker.  A loop over `v.iter()` reads the elements of `v`
through the buffer it had when the loop started, so a `v.push(x)` in the
body that grows the buffer leaves the loop reading freed memory.  Rust
rejects such a loop (E0502, `v` is borrowed by the loop and then borrowed
mutably), and so does sxc, for the common shapes:

    for x in v.iter() { v.push(*x); }          for c in s.chars() { s.push(c); }
    for (i, x) in v.iter().enumerate() { .. }  for x in &self.items { self.items.clear(); }

The check is syntactic.  The loop's sequence is a variable or a field path,
reached through `&`, `&mut` and the iterator methods below.  A change is a
call of a length-changing method on the same path, `&mut path` passed on, or
an assignment to the whole path.  A loop over a range such as `0..v.len()`
borrows nothing, so its body may change `v`.
"""

from __future__ import annotations

from sxc import ast

# methods that produce an iterator borrowing their receiver
ITERATOR_METHODS = {
    "iter", "iter_mut", "into_iter", "enumerate", "rev", "skip", "take", "step_by",
    "zip", "map", "filter", "take_while", "skip_while", "copied", "cloned", "chain",
    "chars", "bytes", "char_indices", "lines", "split", "split_whitespace",
}

# methods of `Vec` and `String` that can change the length, and so move the buffer
LENGTH_METHODS = {
    "push", "pop", "insert", "remove", "swap_remove", "clear", "truncate", "extend",
    "extend_from_slice", "resize", "dedup", "retain", "append", "drain",
    "push_str", "insert_str",
}


def check_loop(loop: ast.For, reporter) -> None:
    """Report each change in the body of `loop` to the length of the sequence it iterates."""
    place = _iterated_place(loop.iter)
    if place is None or place[0] in _bound_names(loop.body) or \
            place[0] in _bound_names(loop.pattern):
        return
    path = ".".join(place)
    changes = sorted(_changes(loop.body, place), key=lambda span: (span.line, span.col))
    for span in changes:
        reporter.error(
            f"cannot change `{path}` while the `for` loop iterates over it", span,
            notes=[("the loop borrows it here", loop.iter.span)],
            help="loop over the indices (`for i in 0..v.len()`) or over a copy "
                 "(`v.clone()`), or collect the changes and apply them after the loop",
            code="SX0406")


def _place(e: ast.Expr) -> tuple[str, ...] | None:
    """Return `v` or `self.items` as a tuple of names, or None for other expressions."""
    names: list[str] = []
    while isinstance(e, ast.Field):
        names.append(e.name)
        e = e.base
    while isinstance(e, ast.Unary) and e.op == "*":
        e = e.operand
    if isinstance(e, ast.Path) and len(e.segments) == 1:
        return (e.segments[0], *reversed(names))
    return None


def _iterated_place(e: ast.Expr) -> tuple[str, ...] | None:
    """Return the place that the iterator expression of a `for` loop borrows, if any."""
    while True:
        if isinstance(e, ast.Ref):
            e = e.operand
        elif isinstance(e, ast.MethodCall) and e.method in ITERATOR_METHODS:
            e = e.receiver
        else:
            return _place(e)


def _bound_names(node) -> set[str]:
    """Return the names that patterns and closure parameters in `node` bind."""
    names: set[str] = set()
    for n in _walk(node):
        if isinstance(n, ast.NamePattern):
            names.add(n.name)
        elif isinstance(n, ast.Closure):
            names.update(name for name, _ in n.params)
    return names


def _changes(body, place: tuple[str, ...]):
    """Yield the span of each change of `place`'s length in `body`."""
    for n in _walk(body):
        if isinstance(n, ast.MethodCall) and n.method in LENGTH_METHODS and \
                _place(n.receiver) == place:
            yield n.method_span or n.span
        elif isinstance(n, ast.Ref) and n.mutable and _place(n.operand) == place:
            yield n.span
        elif isinstance(n, ast.Assign) and n.op == "=" and _place(n.target) == place:
            yield n.span


def _walk(node):
    """Yield every node below `node`, but not inside nested items (functions, impls)."""
    todo = [node]
    while todo:
        n = todo.pop()
        if isinstance(n, (list, tuple)):
            todo.extend(x for x in n if isinstance(x, (ast.Node, list, tuple)))
            continue
        if not isinstance(n, ast.Node) or isinstance(n, ast.ItemStmt):
            continue
        yield n
        for name in ast.field_names(n):
            value = getattr(n, name)
            if isinstance(value, (ast.Node, list, tuple)):
                todo.append(value)
