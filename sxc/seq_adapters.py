"""Rewrite `for` loops over adapted sequence iterators into counted loops.

The type checker calls `rewrite_seq_loop` on a `for` loop whose iterator is a
chain such as `v.iter_mut()`, `&mut v`, `a.iter().rev()`,
`a.iter().zip(b.iter())`, `v.iter().skip(n).take(m)`, `s.chars().rev()` or an
`.enumerate()` of them, and checks the returned block instead:

    for (x, y) in a.iter().zip(b.iter()) { body }

becomes

    {
        let __n_1: usize = a.len();
        let __m_2: usize = b.len();
        let __n_3: usize = if __n_1 < __m_2 { __n_1 } else { __m_2 };
        for __k_4 in 0..__n_3 {
            let x = a[__k_4];
            let y = b[__k_4];
            body
        }
    }

Shared iteration yields the element itself, as `for x in v.iter()` does;
`iter_mut()` and `&mut v` yield `&mut v[k]`.  Later passes and the printer
therefore only see plain loops.
"""

from __future__ import annotations

from typing import Callable

from sxc import ast

SOURCES = ("iter", "iter_mut", "into_iter")
# string iterators, which the type checker makes slices: the loop reads the call's result
STR_SOURCES = ("chars", "char_indices", "bytes")
ADAPTERS = ("rev", "zip", "skip", "take", "enumerate")


def wants_rewrite(iterator: ast.Expr) -> bool:
    """Tell whether `iterator` is a chain that this module rewrites."""
    if isinstance(iterator, ast.Ref):
        return iterator.mutable
    adapters = _chain(iterator)
    if adapters is None:
        return False
    source = adapters[0].receiver if adapters else iterator
    return source.method == "iter_mut" or any(a.method != "enumerate" for a in adapters)


def sources(iterator: ast.Expr) -> list[tuple[ast.Expr, bool]]:
    """List the sequences a rewritten chain reads, each with whether it is borrowed `mut`."""
    if isinstance(iterator, ast.Ref):
        return [(iterator.operand, iterator.mutable)]
    out = []
    for a in _chain(iterator) or []:
        if a.method == "zip" and a.args:
            out.extend(sources(a.args[0]))
    src = iterator
    while isinstance(src, ast.MethodCall) and src.method in ADAPTERS:
        src = src.receiver
    if isinstance(src, ast.MethodCall) and src.method in STR_SOURCES:
        out.insert(0, (src, False))
    elif isinstance(src, ast.MethodCall):
        out.insert(0, (src.receiver, src.method == "iter_mut"))
    return out


def _is_place(e: ast.Expr) -> bool:
    while isinstance(e, (ast.Field, ast.Index, ast.TupleField)):
        e = e.base
    return isinstance(e, ast.Path) and len(e.segments) == 1


def _chain(e: ast.Expr) -> list[ast.MethodCall] | None:
    """List the adapters from the source outwards, or return None for another expression."""
    out = []
    while isinstance(e, ast.MethodCall) and e.method in ADAPTERS:
        out.append(e)
        e = e.receiver
    if not (isinstance(e, ast.MethodCall) and e.method in SOURCES + STR_SOURCES
            and not e.args):
        return None
    if isinstance(e.receiver, ast.Range):
        return None
    return list(reversed(out))


def rewrite_seq_loop(loop: ast.For, fresh: Callable[[str], str]) -> ast.Block:
    builder = _Builder(loop.span, fresh)
    count, elem = builder.iterator(loop.iter)
    k = builder.k
    body: list[ast.Stmt] = builder.bind(loop.pattern, elem)
    body.append(ast.ExprStmt(loop.span, loop.body, False))
    rng = ast.Range(loop.span, ast.IntLit(loop.span, 0, "usize"), count, False)
    inner = ast.For(loop.span, ast.NamePattern(loop.span, k, False), rng,
                    ast.Block(loop.span, body, None), loop.label)
    return ast.Block(loop.span, [*builder.lets, ast.ExprStmt(loop.span, inner, False)], None)


class _Builder:
    def __init__(self, span, fresh):
        self.span = span
        self.fresh = fresh
        self.lets: list[ast.Stmt] = []
        self.k = fresh("k")

    def name(self, text: str) -> ast.Path:
        return ast.Path(self.span, [text])

    def let(self, stem: str, init: ast.Expr) -> ast.Path:
        name = self.fresh(stem)
        usize = ast.NamedType(self.span, ["usize"])
        self.lets.append(ast.Let(self.span, ast.NamePattern(self.span, name, False), usize, init))
        return self.name(name)

    def binary(self, op, left, right) -> ast.Binary:
        return ast.Binary(self.span, op, left, right)

    def block(self, e: ast.Expr) -> ast.Block:
        return ast.Block(self.span, [], e)

    def minimum(self, a: ast.Expr, b: ast.Expr) -> ast.Path:
        m = self.let("m", b)
        return self.let("n", ast.If(self.span, self.binary("<", a, m), self.block(a),
                                    self.block(m)))

    def iterator(self, it: ast.Expr):
        """Return the item count and a function from a position to the item.

        The item is an expression, or a tuple of items for `zip` and `enumerate`.
        """
        if isinstance(it, ast.Ref):
            return self.source(it.operand, it.mutable)
        adapters = _chain(it) or []
        src = it
        while isinstance(src, ast.MethodCall) and src.method in ADAPTERS:
            src = src.receiver
        if src.method in STR_SOURCES:
            count, elem = self.source(src, False)
        else:
            count, elem = self.source(src.receiver, src.method == "iter_mut")
        for a in adapters:
            count, elem = self.adapt(a, count, elem)
        return count, elem

    def source(self, seq: ast.Expr, mutable: bool):
        if not _is_place(seq):
            name = self.fresh("s")
            self.lets.append(ast.Let(self.span, ast.NamePattern(self.span, name, mutable),
                                     None, seq))
            seq = self.name(name)
        self.place = seq  # the sequence as the items read it
        count = self.let("n", ast.MethodCall(self.span, seq, "len", []))

        def elem(k: ast.Expr):
            item = ast.Index(self.span, seq, k)
            return ast.Ref(self.span, item, True) if mutable else item
        return count, elem

    def adapt(self, a: ast.MethodCall, count: ast.Path, elem):
        m = a.method
        if m == "enumerate":
            return count, lambda k: (k, elem(k))
        if m == "rev":
            last = self.let("n", count)
            return count, lambda k: elem(self.binary(
                "-", self.binary("-", last, ast.IntLit(self.span, 1, "usize")), k))
        if m == "zip":
            other_count, other = self.iterator(a.args[0])
            return self.minimum(count, other_count), lambda k: (elem(k), other(k))
        amount = self.let("a", ast.Cast(self.span, a.args[0],
                                        ast.NamedType(self.span, ["usize"])))
        if m == "take":
            return self.minimum(count, amount), elem
        # skip
        left = ast.If(self.span, self.binary(">", count, amount),
                      self.block(self.binary("-", count, amount)),
                      self.block(ast.IntLit(self.span, 0, "usize")))
        return self.let("n", left), lambda k: elem(self.binary("+", k, amount))

    def bind(self, pattern: ast.Pattern, elem) -> list[ast.Stmt]:
        return self._bind(pattern, elem(self.name(self.k)))

    def _bind(self, pattern, tree) -> list[ast.Stmt]:
        if isinstance(tree, tuple) and isinstance(pattern, ast.TuplePattern) and \
                len(pattern.items) == len(tree):
            out = []
            for p, t in zip(pattern.items, tree):
                out.extend(self._bind(p, t))
            return out
        return [ast.Let(self.span, pattern, None, self._value(tree))]

    def _value(self, tree):
        if isinstance(tree, tuple):
            return ast.TupleLit(self.span, [self._value(t) for t in tree])
        return tree
