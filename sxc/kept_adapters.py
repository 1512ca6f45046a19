"""Iterator chains kept in a variable and consumed once, written back where they are used.

Rust's adapters are lazy, so a program may build a chain in one statement and
consume it in a later one:

    let lengths = words.iter().map(|w| w.len());
    let total: usize = lengths.sum();

sxc compiles a chain into a loop at its consumer, so before type checking
`inline_kept_chains` moves such a chain into the one place that uses it:

    let total: usize = words.iter().map(|w| w.len()).sum();

Nothing changes meanwhile, because the chain borrows what it reads and the
borrow checker keeps the program from changing it before the use.  Where the
result could differ, the rewrite is left out and the type checker reports the
chain as before.  That is the case when the variable is used more than once,
inside a loop (where the first turn would consume the iterator), or through
`next()` or `peek()`.  It is also the case when a statement in between assigns
to a name that the chain reads, which a `move` closure's copy allows.
"""

from __future__ import annotations

from sxc import ast
from sxc.iter_chains import ADAPTERS, NEXT_SOURCES, SLICE_SOURCES, SOURCES, VEC_SOURCES

# the methods that advance an iterator step by step, which need the variable
_STEPPING = ("next", "next_back", "peek", "peekable", "by_ref", "nth")
_LOOPS = (ast.While, ast.Loop, ast.For)


def inline_kept_chains(body: ast.Block) -> None:
    """Move each chain that a `let` keeps and one later expression consumes into
    that expression, in every block of `body`."""
    for node in list(ast.walk(body)):
        if isinstance(node, ast.Block):
            _inline_in_block(node)


def _inline_in_block(block: ast.Block) -> None:
    i = 0
    while i < len(block.stmts):
        stmt = block.stmts[i]
        if _kept_chain(stmt) and _inline_one(block, i):
            del block.stmts[i]
            continue
        i += 1


def _kept_chain(stmt: ast.Stmt) -> bool:
    """Return whether `stmt` is `let name = source.adapter(..);` without a type."""
    return isinstance(stmt, ast.Let) and isinstance(stmt.pattern, ast.NamePattern) and \
        stmt.type is None and isinstance(stmt.init, ast.MethodCall) and \
        stmt.init.method in ADAPTERS and _from_iterator_source(stmt.init)


def _from_iterator_source(chain: ast.MethodCall) -> bool:
    """Return whether the adapters of `chain` start at an iterator source (`v.iter()`,
    `s.chars()`, a range), so that `o.take()` or `o.map(f)` of an `Option`, which
    run where they are written, stay there."""
    node: ast.Expr = chain
    while isinstance(node, ast.MethodCall) and node.method in ADAPTERS:
        node = node.receiver
    if isinstance(node, ast.Range) or isinstance(node, ast.Call) and \
            isinstance(node.func, ast.Path) and node.func.segments[-1] in (
                "repeat", "repeat_n", "once", "empty", "successors", "from_fn"):
        return True
    return isinstance(node, ast.MethodCall) and (
        node.method in SOURCES or node.method in VEC_SOURCES or
        node.method in SLICE_SOURCES or node.method in NEXT_SOURCES)


def _inline_one(block: ast.Block, index: int) -> bool:
    """Put the chain of the `let` at `index` in place of its one use; return whether
    it did."""
    let = block.stmts[index]
    name = let.pattern.name
    later: list[ast.Node] = list(block.stmts[index + 1:])
    if block.tail is not None:
        later.append(block.tail)

    uses = []
    for position, stmt in enumerate(later):
        for owner, field, item, in_loop in _places(stmt, False):
            value = getattr(owner, field) if item is None else getattr(owner, field)[item]
            if isinstance(value, ast.Path) and value.segments == [name]:
                uses.append((position, owner, field, item, in_loop))
        if _binds(stmt, name):
            return False  # a later binding of the same name; leave it to the checker
    if len(uses) != 1:
        return False

    position, owner, field, item, in_loop = uses[0]
    if in_loop or isinstance(owner, ast.MethodCall) and field == "receiver" and \
            owner.method in _STEPPING:
        return False
    read = {n.segments[0] for n in ast.walk(let.init)
            if isinstance(n, ast.Path) and len(n.segments) == 1}
    if any(_assigns(stmt, read) for stmt in later[:position + 1]):
        return False

    if item is None:
        setattr(owner, field, let.init)
    else:
        getattr(owner, field)[item] = let.init
    return True


def _places(node, in_loop: bool):
    """Yield (owner, field, index or None, whether inside a loop) for every expression
    slot below `node`, without recursion into Python's stack."""
    todo = [(node, in_loop)]
    while todo:
        n, looped = todo.pop()
        if not isinstance(n, ast.Node):
            continue
        inner = looped or isinstance(n, _LOOPS)
        for field in ast.field_names(n):
            value = getattr(n, field)
            # a `for` loop's iterator runs once, before the loop
            child_loop = looped if isinstance(n, ast.For) and field == "iter" else inner
            if isinstance(value, ast.Node):
                yield n, field, None, child_loop
                todo.append((value, child_loop))
            elif isinstance(value, list):
                for k, v in enumerate(value):
                    if isinstance(v, ast.Node):
                        yield n, field, k, child_loop
                        todo.append((v, child_loop))
                    elif isinstance(v, tuple):
                        todo.extend((x, child_loop) for x in v if isinstance(x, ast.Node))


def _binds(stmt: ast.Node, name: str) -> bool:
    """Return whether a pattern or closure parameter inside `stmt` binds `name`."""
    for n in ast.walk(stmt):
        if isinstance(n, ast.NamePattern) and n.name == name:
            return True
        if isinstance(n, ast.Closure) and any(p == name for p, _ in n.params):
            return True
    return False


def _assigns(stmt: ast.Node, names: set[str]) -> bool:
    """Return whether `stmt` assigns to, or borrows mutably, one of `names`."""
    for n in ast.walk(stmt):
        target = n.target if isinstance(n, ast.Assign) else \
            n.operand if isinstance(n, ast.Ref) and n.mutable else None
        while isinstance(target, (ast.Field, ast.Index, ast.TupleField, ast.Unary)):
            target = target.operand if isinstance(target, ast.Unary) else target.base
        if isinstance(target, ast.Path) and target.segments[0] in names:
            return True
    return False
