"""A rewriting walk over expressions and statements, dispatched by node class.

Subclasses define `r_<NodeClass>(node)` for the nodes they change and call
`self.children(node)` to rewrite the children of the others in place.
"""

from __future__ import annotations

from sxc import ast


class Rewriter:
    def rewrite_program(self, program) -> None:
        for c in program.consts.values():
            c.value = self.expr(c.value)
        for fn in list(program.functions.values()):
            self.function(fn)

    def function(self, fn: ast.FnDef) -> None:
        fn.body = self.expr(fn.body)

    def expr(self, e: ast.Expr) -> ast.Expr:
        method = getattr(self, "r_" + type(e).__name__, None)
        if method is not None:
            return method(e)
        return self.children(e)

    def children(self, e: ast.Expr) -> ast.Expr:
        for name in ast.field_names(e):
            value = getattr(e, name)
            if isinstance(value, ast.Expr):
                setattr(e, name, self.expr(value))
            elif isinstance(value, list) and value:
                setattr(e, name, [self._item(v) for v in value])
        return e

    def _item(self, v):
        if isinstance(v, ast.Expr):
            return self.expr(v)
        if isinstance(v, ast.Stmt):
            return self.stmt(v)
        if isinstance(v, ast.MatchArm):
            # the passes before lower_match, such as the lifting of closures, see arms
            if v.guard is not None:
                v.guard = self.expr(v.guard)
            v.body = self.expr(v.body)
            return v
        if isinstance(v, tuple) and len(v) == 2 and isinstance(v[1], ast.Expr):
            return (v[0], self.expr(v[1]))
        return v

    def stmt(self, s: ast.Stmt) -> ast.Stmt:
        if isinstance(s, ast.Let):
            if s.init is not None:
                s.init = self.expr(s.init)
        elif isinstance(s, ast.ExprStmt):
            s.expr = self.expr(s.expr)
        elif isinstance(s, ast.Assign):
            s.target = self.expr(s.target)
            s.value = self.expr(s.value)
        return s
