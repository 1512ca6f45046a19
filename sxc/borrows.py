"""Two borrow checks that keep sxc's code from reading freed memory.

`check_loop` rejects a `for` loop whose body changes the length of the
sequence it iterates over.  `check_returned_refs` rejects a function that
returns a reference to one of its own locals.

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
from sxc.iter_chains import SPLITTERS

# methods that produce an iterator borrowing their receiver
ITERATOR_METHODS = {
    "iter", "iter_mut", "into_iter", "enumerate", "rev", "skip", "take", "step_by",
    "zip", "map", "filter", "take_while", "skip_while", "copied", "cloned", "chain",
    "chars", "bytes", "char_indices", "lines", "split_whitespace", *SPLITTERS,
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


def _walk(node, skip=(ast.ItemStmt,)):
    """Yield every node below `node`, but not those inside nodes of the types `skip`:
    by default nested items (functions, impls)."""
    return ast.walk(node, skip=lambda n: isinstance(n, skip))


# methods that return a reference into their receiver
BORROWING_METHODS = {"as_str", "as_slice", "as_bytes", "trim", "trim_start", "trim_end",
                     "as_mut_slice"}


def check_returned_refs(fn_body: ast.Block, ret_type, params: set[str], reporter) -> None:
    """Report each returned `&local`, `&local[..]` or `local.as_str()` of an owned local.

    The function's frame, and the values that its locals own, are gone when
    it returns, so such a reference would dangle (Rust's E0515).  `ret_type`
    is the checked return type, and only a function returning a reference is
    looked at.  `params` names the function's parameters, for the message.
    """
    from sxc import types as T

    if not (isinstance(ret_type, (T.RefT, T.SliceT)) or
            isinstance(ret_type, T.StrT) and not ret_type.owned):
        return
    values = sorted(_returned_values(fn_body), key=lambda v: (v.span.line, v.span.col))
    for value in values:
        root = None
        if isinstance(value, ast.Ref):
            root = _root(value.operand)
        elif isinstance(value, ast.MethodCall) and value.method in BORROWING_METHODS:
            root = _root(value.receiver)
        if root is None or getattr(root, "target", (None,))[0] != "local":
            continue
        owned = not isinstance(root.ty, (T.RefT, T.SliceT)) and \
            not (isinstance(root.ty, T.StrT) and not root.ty.owned)
        if owned:
            name = root.segments[0]
            kind = "function parameter" if name in params else "local variable"
            reporter.error(f"cannot return a reference to the {kind} `{name}`", value.span,
                           help="the value is freed when the function returns: return "
                                "the value itself, or take the data as a reference "
                                "parameter", code="SX0407")


def _root(e: ast.Expr) -> ast.Path | None:
    """Return the variable at the root of a place such as `v`, `v[1..]` or `p.items`."""
    while isinstance(e, (ast.Field, ast.Index, ast.TupleField)):
        e = e.base
    return e if isinstance(e, ast.Path) and len(e.segments) == 1 else None


def _returned_values(body: ast.Block):
    """Yield the expressions whose value `body` returns: its tail and each `return`."""
    tails = [body]
    while tails:
        e = tails.pop()
        if isinstance(e, ast.Block):
            if e.tail is not None:
                tails.append(e.tail)
        elif isinstance(e, ast.If):
            tails.append(e.then)
            if e.else_ is not None:
                tails.append(e.else_)
        elif isinstance(e, ast.Match):
            tails.extend(arm.body for arm in e.arms)
        elif e is not None:
            yield e
    for n in _walk(body, skip=(ast.ItemStmt, ast.Closure)):
        if isinstance(n, ast.Return) and n.value is not None:
            yield n.value
