"""Soft pass: rewrite every `if` whose condition is a `dual` probability.

A soft branch `if p { a } else { b }` reads `p` as the probability of taking
the `then` arm.

Train mode blends values that can be blended (numbers, duals, and structs or
arrays of them):

    if p { a } else { b }
    ->  { let p_ = p;
          if p_.val >= 1.0 { a } else if p_.val <= 0.0 { b }
          else { let a_ = a; let b_ = b; blend(p_, a_, b_) } }

and samples the decision for the rest (integers, bools, `Vec`s) exactly as
release mode does, adding the log-probability of the arm taken to the
program's `soft_score()`, whose tangent is then the score-function term:

    if p { a } else { b }
    ->  { let p_ = p; let u = default_rng().u01(); let take = u < p_.val;
          *soft_score() = *soft_score() + if take { p_.ln() } else { (1.0 - p_).ln() };
          if take { a } else { b } }

Release mode samples a hard branch from the program's random stream, and
`soft_accept(de, t, tau)` = sigmoid((tau - de) / t) keeps no sigmoid at all:

    if soft_accept(de, t, tau) { a } else { b }
    ->  { let u = default_rng().u01(); if de < tau + t * ((1 - u) / u).ln() { a } else { b } }

With `--hard threshold` the arm is taken when `p > 0.5`, so `soft_accept`
becomes the single comparison `de < tau`.  After this pass no soft `if` is
left.  An arm that assigns to an outer variable, prints or returns is an error.
"""

from __future__ import annotations

import itertools

from sxc import ast
from sxc import build as B
from sxc import types as T
from sxc.diagnostics import Reporter
from sxc.resolve import Program
from sxc.visit import Rewriter

_counter = itertools.count()


def _fresh(stem: str) -> str:
    return f"soft{next(_counter)}_{stem}"


class SoftRewriter(Rewriter):
    def __init__(self, program: Program, mode: str, hard: str | None, reporter: Reporter):
        super().__init__()
        self.program = program
        self.mode = mode
        self.hard = hard
        self.rep = reporter
        self.structs = {name: dict(s.resolved_fields) for name, s in program.structs.items()}
        self.sigs = {key: getattr(fn, "sig", None) for key, fn in program.functions.items()}
        self._printers: set[str] | None = None

    def printers(self) -> set[str]:
        """Return the functions that print, themselves or through the functions they call."""
        if self._printers is None:
            calls: dict[str, set[str]] = {}
            found: set[str] = set()
            for key, fn in self.program.functions.items():
                body = getattr(fn, "body", None)
                calls[key] = set()
                for node in ast.walk(body) if body is not None else ():
                    if isinstance(node, ast.MacroCall) and node.name in PRINT_MACROS:
                        found.add(key)
                    target = getattr(node, "target", None)
                    if isinstance(node, (ast.Call, ast.MethodCall)) and \
                            isinstance(target, tuple) and target[0] in ("fn", "method"):
                        calls[key].add(target[1])
            grew = True
            while grew:
                more = {key for key, callees in calls.items()
                        if key not in found and callees & found}
                found |= more
                grew = bool(more)
            self._printers = found
        return self._printers

    def r_If(self, e: ast.If) -> ast.Expr:
        self.children(e)
        if not getattr(e, "soft", False):
            return e
        self.check_arms(e)
        if self.mode == "release":
            return self.release(e)
        return self.train(e)

    # ------------------------------------------------------------ checks

    def check_arms(self, e: ast.If) -> None:
        for arm in (e.then, e.else_):
            if arm is not None:
                ArmChecker(self.rep, self.sigs, self.printers).check(arm)

    # ------------------------------------------------------------ release

    def release(self, e: ast.If) -> ast.Expr:
        span = e.span
        stmts: list[ast.Stmt] = []
        cond = e.cond
        accept = _soft_accept_args(cond)
        if accept is not None:
            names = []
            for stem, arg in zip(("de", "t", "tau"), accept):
                name = _fresh(stem)
                stmts.append(B.let(span, name, arg, T.DUAL))
                names.append(B.field(B.local(span, name, T.DUAL), "val", T.F64))
            de, temp, tau = names
            if self.hard == "threshold":
                test = B.binary("<", de, tau, T.BOOL)
            else:
                u = self._draw(span, stmts)
                ratio = B.binary("/", B.binary("-", B.float_lit(span, 1.0), u, T.F64),
                                 B.clone(u), T.F64)
                log = B.method(ratio, "ln", [], ("math", "ln"), T.F64)
                bound = B.binary("+", tau, B.binary("*", temp, log, T.F64), T.F64)
                test = B.binary("<", de, bound, T.BOOL)
        else:
            name = _fresh("p")
            stmts.append(B.let(span, name, cond, T.DUAL))
            p = B.field(B.local(span, name, T.DUAL), "val", T.F64)
            if self.hard == "threshold":
                test = B.binary(">", p, B.float_lit(span, 0.5), T.BOOL)
            else:
                u = self._draw(span, stmts)
                test = B.binary("<", u, p, T.BOOL)
        node = B.if_(span, test, e.then, e.else_, e.ty)
        return B.block(span, stmts, node, e.ty)

    def _draw(self, span, stmts: list[ast.Stmt]) -> ast.Expr:
        name = _fresh("u")
        draw = B.u01_draw(span, self.program.prelude_key("Rng"))
        stmts.append(B.let(span, name, draw, T.F64))
        return B.local(span, name, T.F64)

    # ------------------------------------------------------------ train

    def train(self, e: ast.If) -> ast.Expr:
        span = e.span
        if e.else_ is None or not self.blendable(e.ty):
            return self.sampled(e)
        pname = _fresh("p")
        stmts: list[ast.Stmt] = [B.let(span, pname, e.cond, T.DUAL)]
        p = B.local(span, pname, T.DUAL)
        pval = B.field(p, "val", T.F64)
        aname, bname = _fresh("a"), _fresh("b")
        mixed = B.block(span, [B.let(span, aname, B.clone(e.then), e.ty),
                               B.let(span, bname, B.clone(e.else_), e.ty)],
                        self.blend(p, B.local(span, aname, e.ty), B.local(span, bname, e.ty),
                                   e.ty),
                        e.ty)
        one = B.binary(">=", B.clone(pval), B.float_lit(span, 1.0), T.BOOL)
        zero = B.binary("<=", B.clone(pval), B.float_lit(span, 0.0), T.BOOL)
        inner = B.if_(span, zero, B.as_block(e.else_), mixed, e.ty)
        outer = B.if_(span, one, e.then, inner, e.ty)
        return B.block(span, stmts, outer, e.ty)

    def sampled(self, e: ast.If) -> ast.Expr:
        """Train mode, values that cannot be blended: sample the decision.

        The draw and the test are those of release mode, so a train run takes
        the same decisions as the released program.  The log-probability of
        the decision taken is added to `soft_score()`; its tangent is the
        score-function term d log P(decision) / d theta.
        """
        span = e.span
        stmts: list[ast.Stmt] = []
        accept = _soft_accept_args(e.cond)
        take = B.local(span, _fresh("take"), T.BOOL)
        if accept is not None:
            de, temp, tau = (self._bind(span, stem, arg, stmts)
                             for stem, arg in zip(("de", "t", "tau"), accept))
            u = self._draw(span, stmts)
            ratio = B.binary("/", B.binary("-", B.float_lit(span, 1.0), u, T.F64),
                             B.clone(u), T.F64)
            log = B.method(ratio, "ln", [], ("math", "ln"), T.F64)
            bound = B.binary("+", _val(tau), B.binary("*", _val(temp), log, T.F64), T.F64)
            stmts.append(B.let(span, take.segments[0], B.binary("<", _val(de), bound, T.BOOL),
                               T.BOOL))
            # log sigmoid(z) = -softplus(-z) and log(1 - sigmoid(z)) = -softplus(z)
            z = B.binary("/", B.binary("-", B.clone(tau), B.clone(de), T.DUAL), B.clone(temp),
                         T.DUAL)
            neg_z = B.typed(ast.Unary(span, "-", B.clone(z)), T.DUAL)
            log_p = B.if_(span, B.clone(take),
                          B.as_block(_neg(B.method(neg_z, "softplus", [], ("math", "softplus"),
                                                   T.DUAL))),
                          B.as_block(_neg(B.method(z, "softplus", [], ("math", "softplus"),
                                                   T.DUAL))),
                          T.DUAL)
            # a zero temperature decides without chance: no term
            positive = B.binary(">", _val(temp), B.float_lit(span, 0.0), T.BOOL)
            update = B.if_(span, positive, B.block(span, [_add_score(span, log_p)], None, T.UNIT),
                           None, T.UNIT)
            stmts.append(ast.ExprStmt(span, update, True))
        else:
            p = self._bind(span, "p", e.cond, stmts)
            u = self._draw(span, stmts)
            stmts.append(B.let(span, take.segments[0], B.binary("<", u, _val(p), T.BOOL),
                               T.BOOL))
            one = B.call_builtin(span, "dual::constant", [B.float_lit(span, 1.0)], T.DUAL)
            log_p = B.if_(span, B.clone(take),
                          B.as_block(B.method(B.clone(p), "ln", [], ("math", "ln"), T.DUAL)),
                          B.as_block(B.method(B.binary("-", one, B.clone(p), T.DUAL), "ln", [],
                                              ("math", "ln"), T.DUAL)),
                          T.DUAL)
            stmts.append(_add_score(span, log_p))
        node = B.if_(span, B.clone(take), e.then, e.else_, e.ty)
        return B.block(span, stmts, node, e.ty)

    def _bind(self, span, stem: str, value: ast.Expr, stmts: list[ast.Stmt]) -> ast.Path:
        name = _fresh(stem)
        stmts.append(B.let(span, name, value, T.DUAL))
        return B.local(span, name, T.DUAL)

    def blendable(self, t: T.Type, seen: frozenset = frozenset()) -> bool:
        if isinstance(t, (T.DualT, T.FloatT)):
            return True
        if isinstance(t, T.StructT) and t.struct not in seen:
            fields = self.structs.get(t.struct, {})
            return bool(fields) and all(self.blendable(ft, seen | {t.struct})
                                        for ft in fields.values())
        if isinstance(t, T.ArrayT):
            return self.blendable(t.elem, seen)
        if isinstance(t, T.TupleT):
            return bool(t.items) and all(self.blendable(item, seen) for item in t.items)
        return False

    def blend(self, p: ast.Expr, a: ast.Expr, b: ast.Expr, t: T.Type) -> ast.Expr:
        span = p.span
        if isinstance(t, T.DualT):
            return B.call_builtin(span, "soft_blend", [B.clone(p), a, b], T.DUAL)
        if isinstance(t, T.FloatT):
            pv = B.field(B.clone(p), "val", T.F64)
            q = B.binary("-", B.float_lit(span, 1.0), B.clone(pv), T.F64)
            return B.binary("+", B.binary("*", pv, a, t), B.binary("*", q, b, t), t)
        if isinstance(t, T.StructT):
            fields = []
            for fname, ftype in self.structs[t.struct].items():
                fa = B.field(B.clone(a), fname, ftype)
                fb = B.field(B.clone(b), fname, ftype)
                fields.append((fname, self.blend(p, fa, fb, ftype)))
            return B.typed(ast.StructLit(span, t.struct, fields), t)
        if isinstance(t, T.ArrayT):
            items = []
            for i in range(t.size):
                ia = B.typed(ast.Index(span, B.clone(a), _usize(span, i)), t.elem)
                ib = B.typed(ast.Index(span, B.clone(b), _usize(span, i)), t.elem)
                items.append(self.blend(p, ia, ib, t.elem))
            return B.typed(ast.ArrayLit(span, items), t)
        if isinstance(t, T.TupleT):
            items = []
            for i, item_type in enumerate(t.items):
                ia = B.typed(ast.TupleField(span, B.clone(a), i), item_type)
                ib = B.typed(ast.TupleField(span, B.clone(b), i), item_type)
                items.append(self.blend(p, ia, ib, item_type))
            return B.typed(ast.TupleLit(span, items), t)
        raise AssertionError(f"cannot blend {t}")


def _val(d: ast.Expr) -> ast.Expr:
    return B.field(B.clone(d), "val", T.F64)


def _neg(d: ast.Expr) -> ast.Expr:
    return B.typed(ast.Unary(d.span, "-", d), T.DUAL)


def _add_score(span, term: ast.Expr) -> ast.Stmt:
    """`*soft_score() = *soft_score() + term;`"""
    def place():
        ref = B.call_builtin(span, "soft_score", [], T.RefT(T.DUAL, True))
        return B.typed(ast.Unary(span, "*", ref), T.DUAL)
    return ast.Assign(span, "=", place(), B.binary("+", place(), term, T.DUAL))


def _usize(span, i: int) -> ast.IntLit:
    return B.typed(ast.IntLit(span, i), T.USIZE)


def _soft_accept_args(cond: ast.Expr) -> list[ast.Expr] | None:
    """Return the three arguments when `cond` calls `soft_accept`, else None."""
    target = getattr(cond, "target", None)
    # the library's `soft_accept` or a function of the same name and meaning
    if isinstance(cond, ast.Call) and target is not None and target[0] == "fn" \
            and target[1].split("::")[-1] == "soft_accept" and len(cond.args) == 3:
        return cond.args
    return None


class ArmChecker(Rewriter):
    """Reports what a soft-branch arm may not do: assign outside, print, return."""

    def __init__(self, reporter: Reporter, sigs: dict, printers=lambda: set()):
        super().__init__()
        self.rep = reporter
        self.sigs = sigs
        self.printers = printers  # returns the functions that print
        self.declared: list[set[str]] = [set()]
        self.loop_depth = 0

    def check(self, arm: ast.Expr) -> None:
        self.expr(arm)

    def r_Block(self, e: ast.Block):
        self.declared.append(set())
        self.children(e)
        self.declared.pop()
        return e

    def stmt(self, s: ast.Stmt) -> ast.Stmt:
        if isinstance(s, ast.Let):
            out = super().stmt(s)
            self.declared[-1] |= _pattern_names(s.pattern)
            return out
        if isinstance(s, ast.Assign):
            root = _root_name(s.target)
            if root is None and _through_call(s.target):
                self.rep.error("a soft branch cannot assign through a reference that a call "
                               "returns", s.span,
                               help="both arms run in train mode; assign after the `if`",
                               code="SX0901")
            if root is not None and not any(root in d for d in self.declared):
                self.rep.error(f"a soft branch cannot assign to `{root}`, which is "
                               "declared outside it", s.span,
                               help="both arms run in train mode; make the `if` produce "
                                    f"the new value: `{root} = if p {{ .. }} else {{ .. }};`",
                               code="SX0901")
        return super().stmt(s)

    def r_Ref(self, e: ast.Ref):
        root = _root_name(e.operand) if e.mutable else None
        if root is not None and not any(root in d for d in self.declared):
            self.rep.error(f"a soft branch cannot lend `{root}`, which is declared outside "
                           "it, as `&mut`", e.span,
                           help="both arms run in train mode; make the `if` produce "
                                "the new value", code="SX0901")
        return self.children(e)

    def r_Call(self, e: ast.Call):
        self._printing_call(e, getattr(e, "target", None))
        return self.children(e)

    def _printing_call(self, e, target) -> None:
        if isinstance(target, tuple) and target[0] in ("fn", "method") and \
                target[1] in self.printers():
            name = target[1].split("::")[-1]
            self.rep.error(f"a soft branch cannot call `{name}`, which prints", e.span,
                           help="both arms run in train mode, so it would print in both; "
                                "print after the `if`", code="SX0901")

    def r_MacroCall(self, e: ast.MacroCall):
        if e.name in PRINT_MACROS:
            self.rep.error("a soft branch cannot print", e.span,
                           help="both arms run in train mode; print after the `if`", code="SX0901")
        return self.children(e)

    def r_Return(self, e: ast.Return):
        self.rep.error("a soft branch cannot `return`", e.span,
                       help="both arms run in train mode; return after the `if`", code="SX0901")
        return self.children(e)

    def r_Break(self, e: ast.Break):
        if self.loop_depth == 0:
            self.rep.error("a soft branch cannot `break` out of a loop around it", e.span,
                           help="both arms run in train mode; decide after the `if`",
                           code="SX0901")
        return self.children(e)

    def r_Continue(self, e: ast.Continue):
        if self.loop_depth == 0:
            self.rep.error("a soft branch cannot `continue` a loop around it", e.span,
                           help="both arms run in train mode; decide after the `if`",
                           code="SX0901")
        return self.children(e)

    def r_While(self, e: ast.While):
        return self._inner_loop(e)

    def r_Loop(self, e: ast.Loop):
        return self._inner_loop(e)

    def _inner_loop(self, e):
        self.loop_depth += 1
        self.children(e)
        self.loop_depth -= 1
        return e

    def r_MethodCall(self, e: ast.MethodCall):
        target = getattr(e, "target", None) or (None, None)
        self._printing_call(e, target)
        mutating = (target[0] == "seq" and target[1] in MUTATING_SEQ_METHODS) or \
            (target[0] == "method" and getattr(self.sigs.get(target[1]), "self_kind", None)
             == "mut")
        root = _root_name(e.receiver) if mutating else None
        if root is not None and not any(root in d for d in self.declared):
            self.rep.error(f"a soft branch cannot change `{root}`, which is declared "
                           "outside it", e.span,
                           help="both arms run in train mode; make the `if` produce "
                                "the new value", code="SX0901")
        return self.children(e)

    def r_For(self, e: ast.For):
        self.declared.append(_pattern_names(e.pattern))
        self.loop_depth += 1
        self.children(e)
        self.loop_depth -= 1
        self.declared.pop()
        return e


def _pattern_names(p: ast.Pattern) -> set[str]:
    if isinstance(p, ast.NamePattern):
        return {p.name}
    if isinstance(p, ast.TuplePattern):
        out: set[str] = set()
        for item in p.items:
            out |= _pattern_names(item)
        return out
    return set()


PRINT_MACROS = ("println", "print", "eprintln", "eprint")
MUTATING_SEQ_METHODS = {"push", "pop", "swap", "clear", "truncate", "insert", "remove",
                        "extend", "extend_from_slice", "resize", "dedup", "sort",
                        "sort_unstable", "reverse", "fill"}


def _through_call(e: ast.Expr) -> bool:
    """Return whether a place such as `*f()` or `f().x` writes through a call's result."""
    while isinstance(e, (ast.Field, ast.Index, ast.TupleField, ast.Unary)):
        e = e.operand if isinstance(e, ast.Unary) else e.base
    return isinstance(e, (ast.Call, ast.MethodCall))


def _root_name(e: ast.Expr) -> str | None:
    """Return the variable that a place expression such as `a.b[i]` or `*r` changes."""
    while isinstance(e, (ast.Field, ast.Index, ast.TupleField, ast.Unary)):
        if isinstance(e, ast.Unary):
            if e.op != "*":
                return None
            e = e.operand
            continue
        e = e.base
    if isinstance(e, ast.Path) and len(e.segments) == 1:
        return e.segments[0]
    return None


def rewrite_soft(program: Program, mode: str, hard: str | None, reporter: Reporter) -> Program:
    """Replace every soft branch of `program` in place (see the module docstring)."""
    rewriter = SoftRewriter(program, mode, hard, reporter)
    rewriter.rewrite_program(program)
    return program
