"""Typecheck of the prelude's `HashMap<K, V>` and `HashSet<T>`, mixed into the checker.

Both are generic structs of `runtime/std.sx`, so `insert`, `get`, `remove` and
the other plain methods are ordinary method calls.  This mixin rewrites what
Rust spells through iterator types and references that sxc lacks:

- `map.iter()`, `keys()`, `values()`, `values_mut()`, `iter_mut()` and a
  `for` loop over `&map` or `&set` become loops over the `Vec`s that hold
  the entries, so iterator chains and `for` loops run over them;
- `map.entry(k).or_insert(v)` (also `or_insert_with`, `or_default` and
  `and_modify`) becomes a call that returns `&mut V`;
- `if let Some(v) = map.get_mut(&k)` binds `v` to the value in the map;
- `map[&k]` reads the value, and panics at the index when the key is absent;
- `collect()` into a `HashMap` or a `HashSet` inserts each item;
- a key given as `"text"` where a `&String` is expected is borrowed, as
  Rust's `Borrow<str>` allows.
"""

from __future__ import annotations

import copy

from sxc import ast
from sxc import types as T

# The methods that iterate over a map: the `Vec` fields they walk, and the method
# of each (`iter` or `iter_mut`).
MAP_SOURCES = {
    "keys": (("__keys", "iter"),), "into_keys": (("__keys", "iter"),),
    "values": (("__vals", "iter"),), "into_values": (("__vals", "iter"),),
    "values_mut": (("__vals", "iter_mut"),),
    "iter": (("__keys", "iter"), ("__vals", "iter")),
    "into_iter": (("__keys", "iter"), ("__vals", "iter")),
    "iter_mut": (("__keys", "iter"), ("__vals", "iter_mut")),
}
SET_SOURCES = ("iter", "into_iter")

# The methods that end `map.entry(k)`, with the prelude method each becomes.
ENTRY_ENDS = ("or_insert", "or_insert_with", "or_default")

# The methods that take a key by reference.
KEYED_METHODS = ("get", "get_mut", "contains_key", "remove", "contains")


def _path_like(e: ast.Expr) -> bool:
    """Return whether `e` is a local, a field, `self` or an index into one, which is safe
    to read twice."""
    while isinstance(e, (ast.Field, ast.TupleField, ast.Unary, ast.Ref, ast.Index)):
        if isinstance(e, ast.Index) and not isinstance(e.index, (ast.Path, ast.IntLit,
                                                                  ast.Ref)):
            return False
        e = e.operand if isinstance(e, (ast.Unary, ast.Ref)) else e.base
    return isinstance(e, ast.Path)


class MapChecks:
    """Methods of `Checker` for `HashMap` and `HashSet`."""

    def collection_kind(self, t: T.Type | None) -> str | None:
        """Return "map" for a `HashMap` or `BTreeMap`, "set" for a `HashSet` or
        `BTreeSet`, else None."""
        t = T.strip_refs(T.prune(t)) if t is not None else None
        if not isinstance(t, T.StructT):
            return None
        generic = self.instance_of.get(t.struct, (None,))[0]
        if generic in (self.program.prelude_key("HashMap"),
                       self.program.prelude_key("BTreeMap")):
            return "map"
        if generic in (self.program.prelude_key("HashSet"),
                       self.program.prelude_key("BTreeSet")):
            return "set"
        return None

    # ------------------------------------------------------------ iteration

    def probe_type(self, e: ast.Expr) -> T.Type | None:
        """Return the type of the local, field or `self` in `e` without checking `e`
        itself, which the caller may still rewrite."""
        if getattr(e, "checked", False):
            return e.ty
        if isinstance(e, ast.Path) and len(e.segments) == 1:
            local = self.lookup(e.segments[0])
            return local.ty if local is not None else None
        return self.expr(copy.deepcopy(e), None).ty

    def collection_source(self, call: ast.MethodCall) -> ast.Expr | None:
        """Return the loop over the entries that `map.keys()` and the like stand for,
        or None when `call` is no such call of a map or set."""
        if call.args or call.method not in MAP_SOURCES:
            return None
        owner = call.receiver
        if isinstance(owner, ast.MethodCall) and owner.method == "clone" and not owner.args:
            # `m.clone().into_iter()` walks the same entries as `m.iter()`
            owner = owner.receiver
        if not _path_like(owner):
            return None
        kind = self.collection_kind(self.probe_type(owner))
        if kind is None:
            return None
        span = call.span
        if kind == "set":
            if call.method not in SET_SOURCES:
                return None
            keys = ast.Field(span, ast.Field(span, copy.deepcopy(owner), "__map"), "__keys")
            return ast.MethodCall(span, keys, "iter", [], [], span)
        parts = [ast.MethodCall(span, ast.Field(span, copy.deepcopy(owner), field), method,
                                [], [], span) for field, method in MAP_SOURCES[call.method]]
        if len(parts) == 1:
            return parts[0]
        return ast.MethodCall(span, parts[0], "zip", [parts[1]], [], span)

    def rewrite_collection_sources(self, e: ast.MethodCall) -> ast.Expr:
        """Replace the innermost call of the chain that ends in `e` with the loop over
        the entries, when it iterates over a map or a set; return the chain."""
        parent, node = None, e
        while isinstance(node, ast.MethodCall) and not getattr(node, "checked", False):
            if node.method in MAP_SOURCES and not node.args:
                source = self.collection_source(node)
                if source is None:
                    return e
                if parent is None:
                    return source
                parent.receiver = source
                return e
            parent, node = node, node.receiver
        return e

    def collection_loop_iter(self, it: ast.Expr) -> ast.Expr:
        """Return what `for x in it` walks when `it` is a map or a set (or `&map`,
        `&mut map`): the `iter()` or `iter_mut()` of its entries."""
        if isinstance(it, ast.MethodCall):
            return self.rewrite_collection_sources(it)
        mutable = isinstance(it, ast.Ref) and it.mutable
        owner = it.operand if isinstance(it, ast.Ref) else it
        if not _path_like(owner) or self.collection_kind(self.probe_type(owner)) is None:
            return it
        method = "iter_mut" if mutable else "iter"
        source = self.collection_source(ast.MethodCall(it.span, owner, method, [], [],
                                                       it.span))
        return source if source is not None else it

    # ------------------------------------------------------------ entries

    def entry_call(self, e: ast.MethodCall, expected) -> ast.Expr | None:
        """Check `map.entry(k).or_insert(v)` and its kin as a call that returns `&mut V`."""
        if e.method not in ENTRY_ENDS or not isinstance(e.receiver, ast.MethodCall):
            return None
        entry, change = e.receiver, None
        if entry.method == "and_modify" and len(entry.args) == 1 and \
                isinstance(entry.receiver, ast.MethodCall):
            entry, change = entry.receiver, entry.args[0]
        if entry.method != "entry" or len(entry.args) != 1:
            return None
        owner = entry.receiver
        if not _path_like(owner) or self.collection_kind(self.probe_type(owner)) != "map":
            return None
        span = e.span
        arity = {"or_insert": 1, "or_insert_with": 1, "or_default": 0}[e.method]
        if len(e.args) != arity:
            e.args = self.check_args(e.args, [T.NEVER] * arity, span, f"`{e.method}`")
            e.ty = T.NEVER
            return e
        if e.method == "or_insert_with":
            make = _constructor_closure(e.args[0])
            if change is None:
                return self.expr(ast.MethodCall(span, owner, "__entry_or_insert_with",
                                                [entry.args[0], make], [], e.method_span),
                                 expected)
            value: ast.Expr = ast.Call(span, make, [])
        elif e.method == "or_default":
            value = ast.Call(span, ast.Path(span, ["Default", "default"]), [])
        else:
            value = e.args[0]
        if change is not None:
            return self.expr(ast.MethodCall(span, owner, "__entry_and_modify_or_insert",
                                            [entry.args[0], change, value], [],
                                            e.method_span), expected)
        return self.expr(ast.MethodCall(span, owner, "__entry_or_insert",
                                        [entry.args[0], value], [], e.method_span), expected)

    def extend_collection(self, e: ast.MethodCall, expected) -> ast.Expr | None:
        """Check `set.extend(items)` (or `map.extend(pairs)`) as a loop that inserts each."""
        if e.method != "extend" or len(e.args) != 1:
            return None
        kind = self.collection_kind(e.receiver.ty)
        span = e.span
        item = f"__extended_{span.line}_{span.col}"
        path = ast.Path(span, [item])
        args = [ast.TupleField(span, path, 0), ast.TupleField(span, copy.deepcopy(path), 1)] \
            if kind == "map" else [path]
        e.receiver.checked = True
        insert = ast.ExprStmt(span, ast.MethodCall(span, e.receiver, "insert", args, [], span),
                              True)
        loop = ast.For(span, ast.NamePattern(span, item), e.args[0],
                       ast.Block(span, [insert], None))
        return self.expr(loop, expected)

    def unwrap_value_mut(self, e: ast.MethodCall, expected) -> ast.Expr | None:
        """Check `map.get_mut(&k).unwrap()` (or `.expect(msg)`) as the `&mut V` of `k`."""
        if not (e.method in ("unwrap", "expect") and isinstance(e.receiver, ast.MethodCall)
                and e.receiver.method == "get_mut" and len(e.receiver.args) == 1
                and len(e.args) == (1 if e.method == "expect" else 0)):
            return None
        call = e.receiver
        if not _path_like(call.receiver) or \
                self.collection_kind(self.probe_type(call.receiver)) != "map":
            return None
        span = e.span
        message = e.args[0] if e.args else \
            ast.StrLit(span, "called `Option::unwrap()` on a `None` value")
        self.borrow_key(call)
        key = call.args[0] if isinstance(call.args[0], ast.Ref) else \
            ast.Ref(span, call.args[0], False)
        return self.expr(ast.MethodCall(span, call.receiver, "__value_mut", [key, message], [],
                                        e.method_span), expected)

    # ------------------------------------------------------------ keys

    def borrow_key(self, e: ast.MethodCall) -> None:
        """Borrow the key of `map.get("a")` where the map's keys are `String`s."""
        if e.method not in KEYED_METHODS or len(e.args) != 1:
            return
        arg = e.args[0]
        if isinstance(arg, ast.Ref):
            return
        checked = self.expr(arg, None)
        checked.checked = True
        if isinstance(checked.ty, T.StrT):
            e.args[0] = ast.Ref(arg.span, checked, False)
        else:
            e.args[0] = checked

    def map_index(self, e: ast.Index, expected) -> ast.Expr:
        """Check `map[&k]`: the value of `k`, or a panic at the index."""
        span = e.span
        key = e.index if isinstance(e.index, ast.Ref) else ast.Ref(span, e.index, False)
        value = "__map_value"
        arms = [ast.MatchArm(span, ast.VariantPattern(span, ["Some"],
                                                      [ast.NamePattern(span, value)]),
                             None, ast.Path(span, [value])),
                ast.MatchArm(span, ast.WildPattern(span), None, ast.MacroCall(
                    span, "panic", [ast.StrLit(span, "no entry found for key")]))]
        match = ast.Match(span, ast.MethodCall(span, e.base, "get", [key], [], span), arms)
        match.let_form = "derived"
        return self.expr(match, expected)

    def if_let_map_value(self, e: ast.Match, owner: ast.Expr, key: ast.Expr) -> ast.Block:
        """Rewrite `if let Some(v) = map.get_mut(&k) { .. } else { .. }` into a lookup of
        the entry's index and `let v = &mut map.__vals[i];`."""
        span = e.span
        at = f"__entry_{span.line}_{span.col}"
        pattern = e.arms[0].pattern.items[0]
        found = ast.Block(span, [ast.Let(span, ast.NamePattern(span, pattern.name), None,
                                         ast.Ref(span, ast.Index(span, ast.Field(
                                             span, ast.copy_typed(owner), "__vals"),
                                             ast.Path(span, [at])), True))],
                          e.arms[0].body)
        rest = e.arms[1].body if len(e.arms) > 1 else None
        test = ast.Binary(span, "!=", ast.Path(span, [at]),
                          ast.Path(span, ["usize", "MAX"]), span)
        lookup = ast.MethodCall(span, ast.copy_typed(owner), "__index_of",
                                [key if isinstance(key, ast.Ref) else ast.Ref(span, key, False)],
                                [], span)
        return ast.Block(span, [ast.Let(span, ast.NamePattern(span, at), None, lookup)],
                         ast.If(span, test, found, rest))

    # ------------------------------------------------------------ collect

    def collect_collection_inferred(self, e: ast.MethodCall, written: ast.NamedType) -> ast.Expr:
        """Check `collect::<HashSet<_>>()` (or a `HashMap<_, _>`), whose items decide the
        type: they are collected into a `Vec` first."""
        span = e.span
        vec_type = ast.NamedType(span, ["Vec"], [ast.NamedType(span, ["_"], [])])
        items = self.expr(ast.MethodCall(span, e.receiver, "collect", [], [vec_type],
                                         e.method_span), None)
        items.checked = True
        elem = T.prune(getattr(T.prune(items.ty), "elem", T.NEVER))
        if isinstance(elem, T.NeverT):
            e.ty = T.NEVER
            return e
        kind = written.path[-1]
        if kind in ("HashMap", "BTreeMap"):
            if not (isinstance(elem, T.TupleT) and len(elem.items) == 2):
                self.rep.error(f"a `{kind}` cannot be collected from items of type `{elem}`",
                               span, help="collect pairs `(key, value)`", code="SX0301")
                e.ty = T.NEVER
                return e
            args = list(elem.items)
        else:
            args = [elem]
        target = self.resolve_type(ast.NamedType(span, [kind], [ast.ResolvedType(span, a)
                                                                for a in args]))
        return self.collect_collection(e, target, items)

    def collect_collection(self, e: ast.MethodCall, target: T.Type,
                           items: ast.Expr | None = None) -> ast.Expr:
        """Check `collect()` into a `HashMap` (from pairs) or a `HashSet`, inserting each
        item of the chain (or of `items`, a checked `Vec` of them)."""
        span = e.span
        kind = self.collection_kind(target)
        tag = f"{span.line}_{span.col}"
        out, item = f"__out_{tag}", f"__item_{tag}"

        def path(name: str) -> ast.Path:
            return ast.Path(span, [name])

        if kind == "map":
            args = [ast.TupleField(span, path(item), 0), ast.TupleField(span, path(item), 1)]
        else:
            args = [path(item)]
        insert = ast.ExprStmt(span, ast.MethodCall(span, path(out), "insert", args, [], span),
                              True)
        source = e.receiver if items is None else \
            ast.MethodCall(span, items, "iter", [], [], span)
        if isinstance(source, ast.MethodCall) and source.method == "into_iter" and \
                not source.args:
            source = source.receiver  # `v.into_iter().collect()`: a loop over `v`
        loop = ast.For(span, ast.NamePattern(span, item), source,
                       ast.Block(span, [insert], None))
        block = ast.Block(span, [
            ast.Let(span, ast.NamePattern(span, out, True), ast.ResolvedType(span, target),
                    ast.Call(span, ast.Path(span, [target.name(), "new"]), [])),
            ast.ExprStmt(span, loop, False)], path(out))
        return self.expr(block, target)


def _constructor_closure(arg: ast.Expr) -> ast.Expr:
    """Return `|| Vec::new()` for the argument `Vec::new` of `or_insert_with`."""
    if isinstance(arg, ast.Path) and len(arg.segments) >= 2:
        return ast.Closure(arg.span, [], None, ast.Call(arg.span, copy.deepcopy(arg), []))
    return arg
