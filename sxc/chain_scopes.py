"""Find the names that the code of an iterator chain binds and uses.

`flat_map` inlines its closure around the rest of the chain.  `iter_chains`
uses these functions to find a later use of a name that the closure rebinds.
It also labels the jumps of a `for` loop body that `flat_map` nests in a loop.
"""

from __future__ import annotations

from sxc import ast


def find_local(tree: ast.Node, prefix: str) -> ast.Path | None:
    """Return a use of the local whose name starts with `prefix` in `tree`, or None."""
    return next(find_locals(tree, prefix), None)


def find_locals(tree: ast.Node, prefix: str):
    """Yield the uses of the locals whose names start with `prefix` in `tree`."""
    return (n for n in ast.walk(tree)
            if isinstance(n, ast.Path) and n.segments[0].startswith(prefix))


def pattern_names(pattern: ast.Node) -> set[str]:
    """Return the names that `pattern` binds."""
    names: set[str] = set()
    todo: list = [pattern]
    while todo:
        n = todo.pop()
        if isinstance(n, (list, tuple)):
            todo.extend(n)
            continue
        if isinstance(n, (ast.NamePattern, ast.AtPattern)):
            names.add(n.name)
        if isinstance(n, ast.Pattern):
            for name in n.__dataclass_fields__:
                value = getattr(n, name)
                if isinstance(value, (ast.Pattern, list, tuple)):
                    todo.append(value)
    return names


def free_use(node, names: set[str], shadowed: frozenset[str] = frozenset()) -> ast.Path | None:
    """Return a use in `node` of one of `names` that no binding inside `node` shadows."""
    if isinstance(node, (list, tuple)):
        for item in node:
            found = free_use(item, names, shadowed)
            if found is not None:
                return found
        return None
    if not isinstance(node, ast.Node) or isinstance(node, ast.Pattern):
        return None
    if isinstance(node, ast.Path):
        if len(node.segments) == 1 and node.segments[0] in names - shadowed:
            return node
        return None
    if isinstance(node, ast.Closure):
        return free_use(node.body, names, shadowed | {p for p, _ in node.params})
    if isinstance(node, ast.Block):
        for stmt in node.stmts:
            if isinstance(stmt, ast.Let):
                found = free_use(stmt.init, names, shadowed)
                if found is not None:
                    return found
                shadowed = shadowed | pattern_names(stmt.pattern)
            else:
                found = free_use(stmt, names, shadowed)
                if found is not None:
                    return found
        return free_use(node.tail, names, shadowed)
    if isinstance(node, ast.For):
        return free_use(node.iter, names, shadowed) or \
            free_use(node.body, names, shadowed | pattern_names(node.pattern))
    if isinstance(node, ast.MatchArm):
        inner = shadowed | pattern_names(node.pattern)
        return free_use(node.guard, names, inner) or free_use(node.body, names, inner)
    for name in node.__dataclass_fields__:
        found = free_use(getattr(node, name), names, shadowed)
        if found is not None:
            return found
    return None


def label_breaks(node, label: str, user_label: str | None, item_label: str | None) -> None:
    """Make the jumps of the loop body `node` fit the loops that `flat_map` nests.

    The body runs inside a loop of `flat_map`'s own, so an unlabelled `break`
    gets `label`, the outer loop's, and a `continue` that names the user's label
    `user_label` gets `item_label`, the loop that runs the body."""
    todo: list = [(node, True)]
    while todo:
        n, top_level = todo.pop()
        if isinstance(n, (list, tuple)):
            todo.extend((item, top_level) for item in n)
            continue
        if not isinstance(n, ast.Node) or isinstance(n, ast.Closure):
            continue
        if isinstance(n, ast.Continue) and user_label is not None and n.label == user_label:
            n.label = item_label
        if isinstance(n, ast.Break) and n.label is None and top_level:
            n.label = label
        # a `break` of a nested loop leaves that loop
        nested = top_level and not isinstance(n, (ast.For, ast.While, ast.Loop))
        for name in n.__dataclass_fields__:
            value = getattr(n, name)
            if isinstance(value, (ast.Node, list, tuple)):
                inside = nested or isinstance(n, ast.For) and name == "iter"
                todo.append((value, inside))


def find_continue(node, label: str) -> ast.Continue | None:
    """Return a `continue` in `node` that names `label`, or None."""
    return next((n for n in ast.walk(node, skip=lambda n: isinstance(n, ast.Closure))
                 if isinstance(n, ast.Continue) and n.label == label), None)
