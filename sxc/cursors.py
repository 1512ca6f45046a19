"""Iterators kept in a variable and advanced one item at a time.

sxc turns an iterator source such as `line.split_whitespace()` or `v.iter()`
into a sequence, which a chain or a `for` loop consumes at once.  Rust
programs also keep the iterator in a variable and take items with `next()`:

    let mut parts = line.split_whitespace();
    let name = parts.next().unwrap();
    let x: f64 = parts.next().unwrap().parse().unwrap();

`add_positions` rewrites such a variable, before type checking, into the
sequence and a position beside it:

    let parts = line.split_whitespace();
    let mut __at_parts: usize = 0;
    let name = (if __at_parts < parts.len() { __at_parts += 1;
                Some(parts[__at_parts - 1].clone()) } else { None }).unwrap();

`peek()` reads the item at the position without moving it.  `as_str()` of a
`chars()` iterator collects the characters left into a `String`, and `len()`
counts them.  Any other use of the variable (`for w in parts`,
`parts.nth(2)`, `parts.collect()`) is a chain that pulls its items with that
`next()` (see `user_iterators.pull_chain`), so it moves the position as far
as Rust's iterator moves.
"""

from __future__ import annotations

from sxc import ast
from sxc.iter_chains import SPLITTERS
from sxc.user_iterators import pull_chain

# Methods whose result a variable can hold as an iterator.
SOURCES = frozenset(("iter", "into_iter", "chars", "bytes", "lines", "split_whitespace",
                     "char_indices") + SPLITTERS)
_ARGS = ("args", "std::env::args", "env::args")


def add_positions(body: ast.Block) -> None:
    """Rewrite every iterator variable in `body` that a method of `_PARTIAL` advances
    or reads."""
    for node in list(ast.walk(body)):
        if isinstance(node, ast.Block):
            _rewrite_block(node)


def _source(init: ast.Expr | None) -> tuple[ast.Expr, bool, ast.Expr | None] | None:
    """Return (the sequence, whether it is a `chars()` iterator, the first position or
    None for 0) when `init` makes an iterator that a variable can hold, else None.

    A `skip(n)` right after the source starts the position at `n`, as in
    `let mut args = std::env::args().skip(1);`."""
    if isinstance(init, ast.MethodCall) and init.method == "peekable" and not init.args:
        init = init.receiver
    start = None
    if isinstance(init, ast.MethodCall) and init.method == "skip" and len(init.args) == 1:
        start = init.args[0]
        init = init.receiver
    if isinstance(init, ast.MethodCall) and init.method in SOURCES:
        if isinstance(init.receiver, ast.Range):
            return None
        if init.method == "into_iter" and not init.args:
            # the variable owns the sequence, as the iterator would
            return init.receiver, False, start
        return init, init.method == "chars", start
    if isinstance(init, ast.Call) and isinstance(init.func, ast.Path) and not init.args \
            and "::".join(init.func.segments) in _ARGS:
        return init, False, start
    return None


# The methods that read part of an iterator and leave the rest in the variable.
_PARTIAL = frozenset(("next", "peek", "nth", "find", "find_map", "position", "any", "all",
                      "by_ref"))


def _advanced(name: str, nodes) -> bool:
    """Return whether a method of `_PARTIAL` is called on the variable `name` in `nodes`."""
    for node in ast.walk(nodes):
        if isinstance(node, ast.MethodCall) and node.method in _PARTIAL \
                and _is_name(node.receiver, name):
            return True
    return False


def _is_name(e, name: str) -> bool:
    return isinstance(e, ast.Path) and e.segments == [name] and not e.type_args


def _binds(stmt, name: str) -> bool:
    """Return whether `stmt` is a `let` that binds `name` again."""
    if not isinstance(stmt, ast.Let):
        return False
    return any(isinstance(p, ast.NamePattern) and p.name == name
               for p in ast.walk(stmt.pattern))


def _rewrite_block(block: ast.Block) -> None:
    i = 0
    while i < len(block.stmts):
        stmt = block.stmts[i]
        i += 1
        if not (isinstance(stmt, ast.Let) and isinstance(stmt.pattern, ast.NamePattern)
                and stmt.pattern.mutable and stmt.type is None):
            continue
        found = _source(stmt.init)
        if found is None:
            continue
        name = stmt.pattern.name
        end = i
        while end < len(block.stmts) and not _binds(block.stmts[end], name):
            end += 1
        rest = block.stmts[i:end]
        tail = [block.tail] if end == len(block.stmts) and block.tail is not None else []
        if not _advanced(name, rest + tail):
            continue
        sequence, chars, start = found
        span = stmt.span
        position = f"__at_{name}"
        stmt.pattern = ast.NamePattern(stmt.pattern.span, name)
        stmt.init = sequence
        counter = ast.Let(span, ast.NamePattern(span, position, True),
                          ast.NamedType(span, ["usize"], []),
                          ast.IntLit(span, 0) if start is None else start)
        block.stmts.insert(i, counter)
        i += 1
        end += 1
        for k in range(i, end):
            block.stmts[k] = _replace_uses(block.stmts[k], name, position, chars)
        if tail:
            block.tail = _replace_uses(block.tail, name, position, chars)


def _replace_uses(root, name: str, position: str, chars: bool):
    generated: set[int] = set()

    def replacement(e):
        if id(e) in generated:
            return None
        if isinstance(e, ast.MethodCall) and _is_name(e.receiver, name) and not e.args:
            if e.method == "next":
                return _item(e.span, name, position, True, generated)
            if e.method == "peek":
                return _item(e.span, name, position, False, generated)
            if e.method == "as_str" and chars:
                rest = ast.MethodCall(e.span, _rest(e.span, name, position, generated), "iter", [])
                collect = ast.MethodCall(e.span, rest, "collect",
                                         [], [ast.NamedType(e.span, ["String"], [])],
                                         e.method_span)
                generated.add(id(collect))
                borrowed = ast.Ref(e.span, collect, False)
                generated.add(id(borrowed))
                return borrowed
        if isinstance(e, ast.MethodCall) and e.method == "by_ref" and not e.args \
                and _is_name(e.receiver, name):
            return replacement(e.receiver)
        if isinstance(e, ast.MethodCall) and e.method == "len" and not e.args \
                and _is_name(e.receiver, name):
            # the items left, which `nth` may have skipped past the end
            left = ast.MethodCall(e.span, ast.MethodCall(e.span, _path(e.span, name, generated),
                                                         "len", []),
                                  "saturating_sub", [_path(e.span, position, generated)])
            generated.add(id(left))
            generated.add(id(left.receiver))
            return left
        if _is_name(e, name):
            # a chain that pulls the items with the `next()` above, so `nth`, `find`,
            # `position`, `any` and `all` advance the position as far as Rust's do
            pulled = pull_chain(e.span, _item(e.span, name, position, True, generated))
            for node in ast.walk(pulled):
                generated.add(id(node))
            return pulled
        return None

    new = replacement(root)
    if new is not None:
        root = new
    for node in ast.walk(root):
        if id(node) in generated:
            continue
        for field in ast.field_names(node):
            value = getattr(node, field)
            if isinstance(value, list):
                for j, item in enumerate(value):
                    new = replacement(item) if isinstance(item, ast.Expr) else None
                    if new is not None:
                        value[j] = new
            elif isinstance(value, ast.Expr):
                new = replacement(value)
                if new is not None:
                    setattr(node, field, new)
    return root


def _path(span, name: str, generated: set[int]) -> ast.Path:
    p = ast.Path(span, [name])
    generated.add(id(p))
    return p


def _rest(span, name: str, position: str, generated: set[int]) -> ast.Expr:
    """`name[position..]`: the items that the iterator has left."""
    rest = ast.Index(span, _path(span, name, generated),
                     ast.Range(span, _path(span, position, generated), None, False))
    generated.add(id(rest))
    return rest


def _item(span, name: str, position: str, advance: bool, generated: set[int]) -> ast.Expr:
    """`if position < name.len() { position += 1; Some(name[position - 1].clone()) }
    else { None }`, without the step for `peek()`."""
    at = _path(span, position, generated)
    index = ast.Binary(span, "-", at, ast.IntLit(span, 1)) if advance else at
    item = ast.MethodCall(span, ast.Index(span, _path(span, name, generated), index), "clone", [])
    some = ast.Call(span, ast.Path(span, ["Some"]), [item])
    steps = [ast.Assign(span, "+=", _path(span, position, generated), ast.IntLit(span, 1))] \
        if advance else []
    length = ast.MethodCall(span, _path(span, name, generated), "len", [])
    cond = ast.Binary(span, "<", _path(span, position, generated), length)
    result = ast.If(span, cond, ast.Block(span, steps, some),
                    ast.Block(span, [], ast.Path(span, ["None"])))
    for node in ast.walk(result):
        generated.add(id(node))
    return result

