"""Lower-match pass: turn every `match` into a chain of hard `if`s.

Runs right after type checking, so the later passes (soft, lower_dual,
codegen) and `sxc lower` see only `if`, `let` and blocks.  The value matched
is read once (a plain variable or field is read in place), each arm's test
checks its pattern, and the names the pattern binds become `let`s in the
arm and in its guard:

    match n { 0 => a, 1 | 2 => b, k @ 3..=9 if k % 2 == 0 => c, _ => d }
    ->  if n == 0 { a } else if n == 1 || n == 2 { b }
        else if (n >= 3 && n <= 9) && { let k = n; k % 2 == 0 } { let k = n; c }
        else { d }

The `if`s are ordinary branches whatever the arms produce (duals too), and
enum values stay enum values, so `{:?}` still prints the variant name.  The
type checker proved every match exhaustive, so the last arm needs no test
unless it has a guard.
"""

from __future__ import annotations

import itertools

from sxc import ast
from sxc import build as B
from sxc import types as T
from sxc.resolve import Program
from sxc.visit import Rewriter

_counter = itertools.count()

UNREACHABLE = "internal error: entered unreachable code"


def _fresh(stem: str) -> str:
    return f"match{next(_counter)}_{stem}"


class MatchLowering(Rewriter):
    def r_Match(self, e: ast.Match) -> ast.Expr:
        e.scrutinee = self.expr(e.scrutinee)
        for arm in e.arms:
            if arm.guard is not None:
                arm.guard = self.expr(arm.guard)
            arm.body = self.expr(arm.body)
        span = e.span
        stmts: list[ast.Stmt] = []
        subject = self.read_once(e.scrutinee, stmts)
        chain: ast.Expr | None = None
        for index in range(len(e.arms) - 1, -1, -1):
            arm = e.arms[index]
            binds: list[tuple[ast.Pattern, ast.Expr]] = []
            test = self.test(arm.pattern, subject, binds)
            body = _with_binds(binds, arm.body)
            if arm.guard is not None:
                guard = _with_binds(binds, arm.guard) if binds else arm.guard
                test = guard if test is None else B.binary("&&", test, guard, T.BOOL)
            last = chain is None
            if test is None or (last and arm.guard is None):
                chain = body
            else:
                if last:
                    otherwise = _unreachable(span)
                else:
                    otherwise = chain if isinstance(chain, ast.If) else B.as_block(chain)
                chain = B.if_(span, test, body, otherwise, e.ty)
        if chain is None:
            chain = _unreachable(span)
        if not stmts:
            return chain
        return B.block(span, stmts, chain, e.ty)

    def read_once(self, value: ast.Expr, stmts: list[ast.Stmt]) -> ast.Expr:
        """Return an expression for `value` that the tests may read many times."""
        if _pure(value):
            return value
        if isinstance(value, ast.TupleLit):
            items = [self.read_once(item, stmts) for item in value.items]
            return B.typed(ast.TupleLit(value.span, items), value.ty)
        name = _fresh("value")
        stmts.append(B.let(value.span, name, value, value.ty))
        return B.local(value.span, name, value.ty)

    def test(self, p: ast.Pattern, subject: ast.Expr, binds: list) -> ast.Expr | None:
        """Return the test that `subject` matches `p`, or None when it always does.

        The names that `p` binds go to `binds`.
        """
        if isinstance(p, ast.WildPattern):
            return None
        if isinstance(p, ast.NamePattern):
            binds.append((p, _bound_value(p, subject)))
            return None
        if isinstance(p, ast.AtPattern):
            binds.append((p, _bound_value(p, subject)))
            return self.test(p.pattern, subject, binds)
        if isinstance(p, ast.DerefPattern):
            if p.deref:
                subject = B.typed(ast.Unary(p.span, "*", B.clone(subject)), subject.ty.inner)
            return self.test(p.pattern, subject, binds)
        if isinstance(p, ast.VariantPattern):
            value = subject
            if p.deref:
                value = B.typed(ast.Unary(p.span, "*", B.clone(subject)), subject.ty.inner)
            is_variant = B.typed(ast.VariantIs(p.span, B.clone(value), p.enum, p.variant),
                                 T.BOOL)
            tests = [is_variant]
            for i, item in enumerate(p.items):
                field = B.typed(ast.VariantField(p.span, B.clone(value), p.enum, p.variant, i),
                                item.ty)
                tests.append(self.test(item, field, binds))
            return _all(tests)
        if isinstance(p, ast.TuplePattern) and getattr(p, "field_names", None) is not None:
            # `State { cost, node }`: each field of the struct
            tests = [self.test(item, B.typed(ast.Field(p.span, B.clone(subject), name), t),
                               binds)
                     for item, name, t in zip(p.items, p.field_names, p.field_types)]
            return _all(tests)
        if isinstance(p, ast.TuplePattern):
            tests = [self.test(item, _project(subject, i, p.ty.items[i]), binds)
                     for i, item in enumerate(p.items)]
            return _all(tests)
        if isinstance(p, ast.OrPattern):
            tests = [self.test(item, subject, binds) for item in p.items]
            if any(t is None for t in tests):
                return None
            out = tests[0]
            for t in tests[1:]:
                out = B.binary("||", out, t, T.BOOL)
            return out
        if isinstance(p, ast.ValuePattern):
            if isinstance(p.value, ast.BoolLit):
                read = B.clone(subject)
                return read if p.value.value else B.typed(ast.Unary(p.span, "!", read), T.BOOL)
            return B.binary("==", B.clone(subject), B.clone(p.value), T.BOOL)
        if isinstance(p, ast.RangePattern):
            _kind, lo, hi = p.space
            bits, signed = p.ty.bits, p.ty.signed
            low = -(1 << (bits - 1)) if signed else 0
            high = (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1
            tests = []
            if lo == hi:
                return B.binary("==", B.clone(subject), _int(p.span, lo, p.ty), T.BOOL)
            if lo > low:
                tests.append(B.binary(">=", B.clone(subject), _int(p.span, lo, p.ty), T.BOOL))
            if hi < high:
                tests.append(B.binary("<=", B.clone(subject), _int(p.span, hi, p.ty), T.BOOL))
            return _all(tests)
        raise AssertionError(f"unexpected pattern {type(p).__name__}")


def _pure(e: ast.Expr) -> bool:
    """Return whether reading `e` again gives the same value and has no other effect."""
    if isinstance(e, (ast.IntLit, ast.BoolLit, ast.StrLit, ast.FloatLit)):
        return True
    if isinstance(e, ast.Path):
        return getattr(e, "target", (None,))[0] in ("local", "const", "variant")
    if isinstance(e, ast.Unary) and e.op == "*":
        return _pure(e.operand)
    if isinstance(e, (ast.Field, ast.TupleField)):
        return _pure(e.base)
    if isinstance(e, ast.VariantField):
        return _pure(e.value)
    if isinstance(e, ast.TupleLit):
        return all(_pure(i) for i in e.items)
    return False


def _bound_value(p: ast.Pattern, subject: ast.Expr) -> ast.Expr:
    """Return the value a binding gets: `subject`, or a reference to it in `ref` mode."""
    mode = getattr(p, "ref_binding", None)
    if mode is None:
        return subject
    return B.typed(ast.Ref(p.span, B.clone(subject), mode), T.RefT(subject.ty, mode))


def _project(subject: ast.Expr, index: int, ty: T.Type) -> ast.Expr:
    if isinstance(subject, ast.TupleLit):
        return subject.items[index]
    return B.typed(ast.TupleField(subject.span, B.clone(subject), index), ty)


def _all(tests: list) -> ast.Expr | None:
    tests = [t for t in tests if t is not None]
    if not tests:
        return None
    out = tests[0]
    for t in tests[1:]:
        out = B.binary("&&", out, t, T.BOOL)
    return out


def _int(span, value: int, ty: T.Type) -> ast.IntLit:
    return B.typed(ast.IntLit(span, value), ty)


def _with_binds(binds: list, body: ast.Expr) -> ast.Block:
    """Return `{ let name = value; ...; body }` for the names a pattern binds."""
    if not binds:
        return B.as_block(body)
    lets = [B.let(p.span, p.name, B.clone(value), value.ty, p.mutable and not getattr(p, "by_ref", False))
            for p, value in binds]
    return B.block(body.span, lets, body, body.ty)


def _unreachable(span) -> ast.Block:
    text = B.typed(ast.StrLit(span, UNREACHABLE), T.STR)
    panic = B.typed(ast.MacroCall(span, "panic", [text]), T.NEVER)
    panic.pieces = [UNREACHABLE]
    return B.block(span, [], panic, T.NEVER)


def lower_matches(program: Program) -> Program:
    """Replace every `match` of `program` in place (see the module docstring)."""
    MatchLowering().rewrite_program(program)
    return program
