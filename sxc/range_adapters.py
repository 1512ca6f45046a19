"""Rewrite `for` loops over `(a..b).rev()` and `(a..b).step_by(s)` into `while` loops.

The type checker calls `rewrite_adapted_range` on a `for` loop whose iterator
is a range with one of these adapters, after it has typed the range, and checks
the returned loop instead.  Later passes and the printer therefore only see
plain loops:

    for i in (lo..hi).rev() { body }

becomes

    {
        let __lo_1: T = lo;
        let mut __next_1: T = hi;
        while __next_1 > __lo_1 {
            __next_1 -= 1;
            let i = __next_1;
            body
        }
    }

The counter moves before `body` runs, so `continue` needs no special case, and
no bound is exceeded, so unsigned ranges that end at 0 or at `MAX` are safe.
"""

from __future__ import annotations

from typing import Callable

from sxc import ast
from sxc.diagnostics import Span

ADAPTERS = ("rev", "step_by")


def adapted_range(iterator: ast.Expr) -> tuple[ast.Range, ast.MethodCall] | None:
    """Return (range, adapter call) when `iterator` is `(a..b).rev()` or `.step_by(s)`."""
    if (isinstance(iterator, ast.MethodCall) and iterator.method in ADAPTERS
            and isinstance(iterator.receiver, ast.Range)
            and iterator.receiver.end is not None):
        # an open range `a..` loops as a chain does (see `sxc.iter_chains`)
        return iterator.receiver, iterator
    return None


def stepped_reversed(iterator: ast.Expr) -> tuple[ast.Range, ast.Expr] | None:
    """Return (range, step) when `iterator` is `(a..b).step_by(s).rev()`."""
    if (isinstance(iterator, ast.MethodCall) and iterator.method == "rev"
            and not iterator.args and isinstance(iterator.receiver, ast.MethodCall)
            and iterator.receiver.method == "step_by" and len(iterator.receiver.args) == 1
            and isinstance(iterator.receiver.receiver, ast.Range)
            and iterator.receiver.receiver.start is not None
            and iterator.receiver.receiver.end is not None):
        return iterator.receiver.receiver, iterator.receiver.args[0]
    return None


def rewrite_stepped_reversed(loop: ast.For, rng: ast.Range, step_expr: ast.Expr,
                             fresh: Callable[[str], str]) -> ast.Block:
    """Return the loop over `(a..b).step_by(s).rev()`: the items `a + k*s` for `k`
    from the last one's index down to 0, as Rust's `rev` of a stepped range gives.

        {
            let start = a; let end = b; let step: u64 = s as u64;
            let count: u64 = if start < end { ((end as u64).wrapping_sub(start as u64)
                                               - 1) / step + 1 } else { 0 };
            for k in (0..count).rev() {
                let i = start.wrapping_add((k * step) as _);
                body
            }
        }

    `count` and `k * step` are `u64`, and the item wraps back into the range's type,
    so ranges as wide as the type work as a plain `step_by` does.  An inclusive range
    counts `end - start` over `step`, plus one, when `start <= end`.
    """
    b = _Builder(loop.span, None, fresh)
    span = loop.span
    start, end, step = b.fresh("start"), b.fresh("end"), b.fresh("step")
    count, k = b.fresh("count"), b.fresh("k")
    u64 = ast.NamedType(span, ["u64"])
    zero_step = ast.If(span, b.binary("==", b.name(step), ast.IntLit(span, 0)),
                       b.panic("assertion failed: step != 0"), None)
    distance = b.method(b.wide(b.name(end)), "wrapping_sub", b.wide(b.name(start)))
    if not rng.inclusive:
        distance = b.binary("-", distance, ast.IntLit(span, 1, "u64"))
    counted = b.binary("+", b.binary("/", distance, b.name(step)), ast.IntLit(span, 1, "u64"))
    test = b.binary("<=" if rng.inclusive else "<", b.name(start), b.name(end))
    lets: list[ast.Stmt] = [
        ast.Let(span, ast.NamePattern(span, start, False), None, rng.start),
        ast.Let(span, ast.NamePattern(span, end, False), None, rng.end),
        ast.Let(span, ast.NamePattern(span, step, False), u64, b.wide(step_expr)),
        ast.ExprStmt(span, zero_step, False),
        ast.Let(span, ast.NamePattern(span, count, False), u64,
                ast.If(span, test, ast.Block(span, [], counted),
                       ast.Block(span, [], ast.IntLit(span, 0, "u64")))),
    ]
    offset = ast.Cast(span, b.binary("*", b.name(k), b.name(step)),
                      ast.NamedType(span, ["_"]))
    item = ast.Let(span, loop.pattern, None, b.method(b.name(start), "wrapping_add", offset))
    body = ast.Block(span, [item, ast.ExprStmt(span, loop.body, False)], None)
    indices = ast.MethodCall(span, ast.Range(span, ast.IntLit(span, 0, "u64"), b.name(count),
                                             False), "rev", [], [], span)
    inner = ast.For(span, ast.NamePattern(span, k, False), indices, body, loop.label)
    return ast.Block(span, [*lets, ast.ExprStmt(span, inner, False)], None)


def rewrite_adapted_range(loop: ast.For, rng: ast.Range, adapter: ast.MethodCall,
                          type_name: str | None, fresh: Callable[[str], str]) -> ast.Block:
    """Return a block with the `while` loop that runs `loop` over the adapted range.

    `type_name` annotates the counters (None leaves an unsuffixed literal range to
    take its type from its use); `fresh` makes a name that no user code can clash with.
    """
    builder = _Builder(loop.span, type_name, fresh)
    if adapter.method == "rev":
        return builder.reversed(loop, rng)
    return builder.stepped(loop, rng, adapter.args[0])


class _Builder:
    def __init__(self, span: Span, type_name: str | None, fresh: Callable[[str], str]):
        self.span = span
        self.type_name = type_name
        self.fresh = fresh

    # ------------------------------------------------------------ node helpers

    def name(self, text: str) -> ast.Path:
        return ast.Path(self.span, [text])

    def let(self, name: str, init: ast.Expr, mutable: bool = False,
            typed: bool = True) -> ast.Let:
        annotation = None
        if typed and self.type_name is not None:
            annotation = ast.NamedType(self.span, [self.type_name])
        return ast.Let(self.span, ast.NamePattern(self.span, name, mutable), annotation, init)

    def wide(self, e: ast.Expr) -> ast.Cast:
        return ast.Cast(self.span, e, ast.NamedType(self.span, ["u64"]))

    def method(self, receiver: ast.Expr, name: str, arg: ast.Expr) -> ast.MethodCall:
        return ast.MethodCall(self.span, receiver, name, [arg], [], self.span)

    def binary(self, op: str, left: ast.Expr, right: ast.Expr) -> ast.Binary:
        return ast.Binary(self.span, op, left, right)

    def assign(self, op: str, name: str, value: ast.Expr) -> ast.Assign:
        return ast.Assign(self.span, op, self.name(name), value)

    def one(self) -> ast.IntLit:
        return ast.IntLit(self.span, 1)

    def body(self, loop: ast.For, counter: str, advance: list[ast.Stmt]) -> ast.Block:
        """Return the `while` body: bind the pattern, advance, then run the loop body."""
        bind = ast.Let(self.span, loop.pattern, None, self.name(counter))
        stmts: list[ast.Stmt] = [bind, *advance, ast.ExprStmt(self.span, loop.body, False)]
        return ast.Block(self.span, stmts, None)

    def loop_block(self, lets: list[ast.Stmt], cond: ast.Expr, body: ast.Block,
                   label: str | None) -> ast.Block:
        loop = ast.While(self.span, cond, body, label)
        return ast.Block(self.span, [*lets, ast.ExprStmt(self.span, loop, False)], None)

    def panic(self, message: str) -> ast.Block:
        call = ast.MacroCall(self.span, "panic", [ast.StrLit(self.span, message)])
        return ast.Block(self.span, [ast.ExprStmt(self.span, call, True)], None)

    def flag_off(self, flag: str) -> ast.Block:
        falsity = ast.BoolLit(self.span, False)
        return ast.Block(self.span, [self.assign("=", flag, falsity)], None)

    # ------------------------------------------------------------ the loops

    def reversed(self, loop: ast.For, rng: ast.Range) -> ast.Block:
        lo, nxt = self.fresh("lo"), self.fresh("next")
        lets: list[ast.Stmt] = [self.let(lo, rng.start), self.let(nxt, rng.end, True)]
        if not rng.inclusive:
            # the counter steps down before the pattern binds it
            step = self.assign("-=", nxt, self.one())
            bind = ast.Let(self.span, loop.pattern, None, self.name(nxt))
            body = ast.Block(self.span, [step, bind, ast.ExprStmt(self.span, loop.body, False)],
                             None)
            cond = self.binary(">", self.name(nxt), self.name(lo))
            return self.loop_block(lets, cond, body, loop.label)
        more = self.fresh("more")
        lets.append(self.let(more, self.binary("<=", self.name(lo), self.name(nxt)), True,
                             typed=False))
        at_end = self.binary("==", self.name(nxt), self.name(lo))
        step_down = ast.Block(self.span, [self.assign("-=", nxt, self.one())], None)
        advance = ast.ExprStmt(self.span, ast.If(self.span, at_end, self.flag_off(more),
                                                 step_down), False)
        return self.loop_block(lets, self.name(more), self.body(loop, nxt, [advance]),
                               loop.label)

    def stepped(self, loop: ast.For, rng: ast.Range, step_expr: ast.Expr) -> ast.Block:
        """`step_by(s)`: the counter and the end keep the range's type, while the step
        and the distance left are `u64`, so a step wider than the type and a signed
        range wider than the type's `MAX` stop where Rust stops."""
        end, step = self.fresh("end"), self.fresh("step")
        nxt, more = self.fresh("next"), self.fresh("more")
        test = "<=" if rng.inclusive else "<"
        zero_step = ast.If(self.span, self.binary("==", self.name(step), ast.IntLit(self.span, 0)),
                           self.panic("assertion failed: step != 0"), None)
        lets: list[ast.Stmt] = [
            self.let(end, rng.end),
            ast.Let(self.span, ast.NamePattern(self.span, step, False),
                    ast.NamedType(self.span, ["u64"]), self.wide(step_expr)),
            ast.ExprStmt(self.span, zero_step, False),
            self.let(nxt, rng.start, True),
            self.let(more, self.binary(test, self.name(nxt), self.name(end)), True,
                     typed=False),
        ]
        # while `next` has not passed `end`, `end - next` in two's complement is the
        # distance, also when a signed range is wider than the type's `MAX`
        remaining = self.method(self.wide(self.name(end)), "wrapping_sub",
                                self.wide(self.name(nxt)))
        fits = self.binary(">=" if rng.inclusive else ">", remaining, self.name(step))
        stepped = self.method(self.wide(self.name(nxt)), "wrapping_add", self.name(step))
        # `as _` takes the counter's type where the range's is still open
        stepped = ast.Cast(self.span, stepped, ast.NamedType(self.span, [self.type_name or "_"]))
        step_up = ast.Block(self.span, [ast.Assign(self.span, "=", self.name(nxt), stepped)],
                            None)
        advance = ast.ExprStmt(self.span, ast.If(self.span, fits, step_up,
                                                 self.flag_off(more)), False)
        return self.loop_block(lets, self.name(more), self.body(loop, nxt, [advance]),
                               loop.label)
