"""Reachability: the functions a program can call, so codegen emits only those.

The roots are `main` and every function of the user's own file (they can be
called from Python).  Calls, method calls, function values, and the prelude
functions that codegen itself calls for printing and string methods are
followed transitively.
"""

from __future__ import annotations

from sxc import ast

PRINT_FAMILY = ("__fmt_f64_display", "__fmt_f64_debug", "__fmt_f64_exp",
                "__fmt_f64_fixed", "__fmt_str_debug", "__fmt_plus", "__fmt_pad",
                "__fmt_radix", "__fmt_int_exp", "__fmt_upper_exp", "__fmt_truncate",
                "__fmt_f64_c_g", "__fmt_char", "__fmt_char_debug")
STR_FUNCTIONS = {
    "lines": "__str_lines", "split_whitespace": "__str_split_whitespace",
    "trim": "__str_trim", "starts_with": "__str_starts_with",
    "ends_with": "__str_ends_with", "contains": "__str_contains", "split": "__str_split",
    "to_uppercase": "__str_to_uppercase", "to_lowercase": "__str_to_lowercase",
    "to_ascii_uppercase": "__str_to_ascii_uppercase",
    "to_ascii_lowercase": "__str_to_ascii_lowercase",
    "repeat": "__str_repeat", "replace": "__str_replace", "chars": "__str_chars", "char_indices": "__str_char_indices",
}


def reachable_functions(program, extra: tuple[str, ...] = (),
                        roots: tuple[str, ...] | None = None,
                        graph: dict[str, set[str]] | None = None) -> set[str]:
    """Return the keys of the functions reachable from `roots` and `extra`.

    The default roots are `main` and every function of the user's program.
    With `graph`, also store there the callees of each reachable function.
    """
    if roots is None:
        roots = tuple(key for key, fn in program.functions.items()
                      if getattr(fn, "origin", "user") == "user" or key == "main")
    # `{:?}` of a vector, tuple or struct may call the `impl Debug` of the types
    # inside it, which the arguments' own types do not show
    debug_impls = [key for key in program.functions if key.endswith("::fmt__Debug")]
    roots = list(roots) + list(extra) + debug_impls
    consts = getattr(program, "consts", None) or {}
    seen: set[str] = set()
    seen_consts: set[str] = set()
    stack = list(roots)
    while stack:
        key = stack.pop()
        if key in seen or key not in program.functions:
            continue
        seen.add(key)
        called, read = _scan(program.functions[key].body)
        # codegen evaluates a constant where it is read, so the functions its
        # initialiser calls (`const SQ: u32 = square(12);`) are reached there
        pending = list(read)
        while pending:
            name = pending.pop()
            if name in seen_consts or name not in consts:
                continue
            seen_consts.add(name)
            more, read = _scan(consts[name].value)
            called = called | more
            pending.extend(read)
        if graph is not None:
            graph[key] = called
        stack.extend(called)
    return seen


def callees(node) -> set[str]:
    """Return the keys of the functions that `node` calls or names, and those codegen calls for it."""
    return _scan(node)[0]


def _scan(node) -> tuple[set[str], set[str]]:
    """Return the callees of `node` (see `callees`) and the constants it reads, in one walk."""
    out: set[str] = set()
    consts: set[str] = set()
    todo = [node]
    while todo:
        n = todo.pop()
        if isinstance(n, list):
            todo.extend(n)
            continue
        if isinstance(n, tuple):
            todo.extend(x for x in n if isinstance(x, (ast.Node, list, tuple)))
            continue
        if not isinstance(n, ast.Node):
            continue
        target = getattr(n, "target", None)
        if isinstance(target, tuple) and len(target) == 2:
            kind, name = target
            if kind in ("fn", "method"):
                out.add(name)
            elif kind == "const":
                consts.add(name)
            elif kind == "str" and name in STR_FUNCTIONS:
                out.add(STR_FUNCTIONS[name])
            elif kind == "char":
                out.add(f"__char_{name}")
            elif kind == "math" and name == "powi":
                out.update(("__powi_f64", "__powi_f32"))
            elif kind == "builtin" and name in ("print_f64", "to_string"):
                out.update(PRINT_FAMILY)
                out.update(_display_impls(n))
        if isinstance(n, ast.MacroCall):
            out.update(PRINT_FAMILY)
            out.update(_display_impls(n))
        for name in ast.field_names(n):
            value = getattr(n, name)
            if isinstance(value, (ast.Node, list, tuple)):
                todo.append(value)
    return out, consts


def _display_impls(node) -> set[str]:
    """Return the `fmt` methods of `impl Display` that formatting the arguments of `node` calls."""
    from sxc import types as T

    found = set()
    values = list(getattr(node, "args", None) or [])
    receiver = getattr(node, "receiver", None)
    if receiver is not None:
        values.append(receiver)
    for value in values:
        ty = getattr(value, "ty", None)
        while isinstance(ty, T.RefT):
            ty = ty.inner
        if isinstance(ty, T.EnumT) or (isinstance(ty, T.StructT) and ty.struct != "Dual"):
            found.add(f"{ty}::fmt")
    return found


def recursive_functions(program, live: set[str],
                        known: dict[str, set[str]] | None = None) -> set[str]:
    """Return the live functions that can call themselves, directly or not.

    These are the functions on a cycle of the call graph: members of a
    strongly connected component of two or more functions, or functions that
    call themselves.  Tarjan's algorithm finds the components in one pass.
    """
    known = known or {}
    graph = {key: sorted((known[key] if key in known else
                          callees(program.functions[key].body)) & live) for key in live}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    recursive: set[str] = set()
    for root in sorted(live):
        if root in index:
            continue
        # Each frame is (function, iterator over its callees), so deep call
        # chains do not recurse in Python.
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        frames = [(root, iter(graph[root]))]
        while frames:
            key, pending = frames[-1]
            callee = next(pending, None)
            if callee is not None:
                if callee not in index:
                    index[callee] = low[callee] = len(index)
                    stack.append(callee)
                    on_stack.add(callee)
                    frames.append((callee, iter(graph[callee])))
                elif callee in on_stack:
                    low[key] = min(low[key], index[callee])
                continue
            frames.pop()
            if frames:
                parent = frames[-1][0]
                low[parent] = min(low[parent], low[key])
            if low[key] == index[key]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == key:
                        break
                if len(component) > 1 or key in graph[key]:
                    recursive.update(component)
    return recursive
