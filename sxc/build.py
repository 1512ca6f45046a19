"""Constructors of typed syntax nodes, for passes that synthesise code."""

from __future__ import annotations

import copy

from sxc import ast
from sxc import types as T
from sxc.diagnostics import Span


def typed(node: ast.Expr, ty: T.Type) -> ast.Expr:
    node.ty = ty
    return node


def local(span: Span, name: str, ty: T.Type) -> ast.Path:
    p = ast.Path(span, [name])
    p.target = ("local", name)
    return typed(p, ty)


def float_lit(span: Span, value: float) -> ast.FloatLit:
    return typed(ast.FloatLit(span, value), T.F64)


def binary(op: str, left: ast.Expr, right: ast.Expr, ty: T.Type) -> ast.Binary:
    return typed(ast.Binary(left.span, op, left, right, left.span), ty)


def field(base: ast.Expr, name: str, ty: T.Type) -> ast.Field:
    return typed(ast.Field(base.span, base, name), ty)


def let(span: Span, name: str, init: ast.Expr, ty: T.Type, mutable: bool = False) -> ast.Let:
    pattern = ast.NamePattern(span, name, mutable)
    pattern.ty = ty
    stmt = ast.Let(span, pattern, None, init)
    stmt.ty = ty
    return stmt


def block(span: Span, stmts: list[ast.Stmt], tail: ast.Expr | None, ty: T.Type) -> ast.Block:
    return typed(ast.Block(span, stmts, tail), ty)


def if_(span: Span, cond: ast.Expr, then: ast.Block, else_: ast.Expr | None,
        ty: T.Type) -> ast.If:
    node = typed(ast.If(span, cond, then, else_), ty)
    node.soft = False
    return node


def as_block(e: ast.Expr) -> ast.Block:
    if isinstance(e, ast.Block):
        return e
    return block(e.span, [], e, e.ty)


def call_fn(span: Span, key: str, args: list[ast.Expr], ty: T.Type) -> ast.Call:
    node = ast.Call(span, ast.Path(span, key.split("::")), args)
    node.target = ("fn", key)
    return typed(node, ty)


def call_builtin(span: Span, name: str, args: list[ast.Expr], ty: T.Type) -> ast.Call:
    node = ast.Call(span, ast.Path(span, name.split("::")), args)
    node.target = ("builtin", name)
    return typed(node, ty)


def method(receiver: ast.Expr, name: str, args: list[ast.Expr], target, ty: T.Type):
    node = ast.MethodCall(receiver.span, receiver, name, args)
    node.target = target
    return typed(node, ty)


def u01_draw(span: Span, rng_key: str) -> ast.MethodCall:
    """`default_rng().u01()`: one draw from the program's default stream.

    `rng_key` is the key of the prelude's `Rng`.
    """
    rng = call_builtin(span, "default_rng", [], T.RefT(T.StructT(rng_key), True))
    return method(rng, "u01", [], ("method", f"{rng_key}::u01"), T.F64)


def clone(node):
    return copy.deepcopy(node)
