"""The type checker's part for traits: overloaded operators, indexing and trait paths.

`a * b`, `a += b` and `v[i]` on a struct become calls of the methods of its
operator impls (`mul`, `add_assign`, `index`).  The type of the right
operand or of the index picks the impl.  `Shape::area(&c)` becomes
`c.area()`, and `{:?}` finds the `fmt` of a hand-written `impl Debug`.
`TraitChecks` is part of `sxc.typecheck.Checker`.
"""

from __future__ import annotations

from sxc import ast
from sxc import types as T
from sxc.traits import ARITHMETIC_METHODS, DEBUG_FMT


class TraitChecks:
    def trait_method_call(self, e: ast.Call, func: ast.Path) -> ast.MethodCall | None:
        """Return `Shape::area(&c)`, a method of a program's trait called by path, as `c.area()`."""
        if self.lookup(func.segments[0]) is not None:
            return None
        trait = self.program.find_trait(func.segments[0])
        if trait is None:
            return None
        name = func.segments[1]
        if not any(m.name == name and m.self_kind is not None for m in trait.methods):
            return None
        receiver = e.args[0]
        if isinstance(receiver, ast.Ref):
            receiver = receiver.operand  # the method takes `&self` or `&mut self` itself
        return ast.MethodCall(e.span, receiver, name, list(e.args[1:]), [], func.span)

    def operator_methods(self, struct: str, method: str) -> list[str]:
        """Return the keys of the methods of `struct` that an operator may call:
        `V::mul` of `impl Mul`, and `V::mul__f64` of `impl Mul<f64>`."""
        variants = getattr(self, "operator_variants", None)
        if variants is None:
            # the names that `sxc.traits.operator_method_name` gave, found once
            variants = self.operator_variants = {}
            methods = [fn for fn in self.program.functions.values() if fn.owner is not None]
            methods += [t.fn for found in self.method_templates.values() for t in found]
            for fn in methods:
                base, sep, _ = fn.name.partition("__")
                if sep:
                    variants.setdefault(base, set()).add(fn.name)
        found = []
        for name in sorted({method} | variants.get(method, set())):
            # a copy of a generic struct gets the methods of its impls on first use
            self.ensure_method(struct, name)
            if f"{struct}::{name}" in self.sigs:
                found.append(f"{struct}::{name}")
        return found

    def operator_method(self, struct: str, method: str, right: ast.Expr) -> str | None:
        """Return the name of the operator method of `struct` whose parameter takes `right`."""
        right_t = T.prune(right.ty)
        if isinstance(right_t, T.LiteralVar):
            right_t = None  # an unsuffixed literal fits the impl for its kind of number
        fallback = None
        for key in self.operator_methods(struct, method):
            sig = self.sigs[key]
            if len(sig.params) != 1:
                continue
            param = sig.params[0]
            if isinstance(param, T.RefT) and not isinstance(param, T.BoxT) and \
                    not isinstance(right_t, T.RefT):
                param = param.inner  # `eq(&self, other: &Rhs)` of `impl PartialEq<Rhs>`
            if right_t is not None and param == right_t:
                return key.split("::")[-1]
            if right_t is None and (T.is_int(param) if isinstance(right.ty, T.IntVar)
                                    else T.is_float(param)):
                fallback = fallback or key.split("::")[-1]
        return fallback

    def operator_assign(self, stmt: ast.Assign, target: ast.Expr,
                        binop: str) -> ast.Stmt | None:
        """Check `a += b` on a struct with `impl AddAssign` as `a.add_assign(b)`.

        Returns None when `a` is no struct, so that the caller checks the
        assignment of numbers.
        """
        from sxc.typecheck import _deref_operand  # a module-level import would be circular

        struct = T.strip_refs(target.ty)
        if binop not in ARITHMETIC_METHODS or not isinstance(struct, T.StructT):
            return None
        method = ARITHMETIC_METHODS[binop] + "_assign"
        value = _deref_operand(self.expr(stmt.value, None))
        if isinstance(value.ty, T.NeverT):
            return ast.ExprStmt(stmt.span, value, True)
        chosen = self.operator_method(struct.struct, method, value)
        if chosen is None:
            trait = trait_of(method)
            shown = trait if T.strip_refs(value.ty) == struct else f"{trait}<{value.ty}>"
            self.rep.error(f"binary assignment operation `{stmt.op}` cannot be applied to "
                           f"type `{struct}`", stmt.span,
                           help=f"implement `{shown}` for `{struct}`", code="SX0305")
            return ast.ExprStmt(stmt.span, value, True)
        target.checked = True
        value.checked = True
        call = ast.MethodCall(stmt.span, target, chosen, [value], [], stmt.span)
        return ast.ExprStmt(stmt.span, self.expr(call, None), True)

    def index_call(self, e: ast.Index, struct: str, expected) -> ast.Expr:
        """Check `v[i]` on a struct with `impl Index` as `*v.index(i)`.

        The target of an assignment, `v[i] = x` or `v[i] += x`, calls
        `index_mut` of `impl IndexMut` instead.
        """
        method = "index_mut" if getattr(e, "assign_target", False) else "index"
        e.index = self.expr(e.index, None)
        if isinstance(e.index.ty, T.NeverT):
            e.ty = T.NEVER
            return e
        chosen = self.operator_method(struct, method, e.index)
        if chosen is None:
            trait = "IndexMut" if method == "index_mut" else "Index"
            self.rep.error(f"cannot index into a value of type `{e.base.ty}`", e.span,
                           help=f"implement `{trait}<{e.index.ty}>` for `{struct}`",
                           code="SX0308")
            e.ty = T.NEVER
            return e
        e.base.checked = True
        e.index.checked = True
        call = ast.MethodCall(e.span, e.base, chosen, [e.index], [], e.span)
        return self.expr(ast.Unary(e.span, "*", call), expected)

    def debug_method(self, t: T.Type) -> str | None:
        """Return the key of the `fmt` of `t`'s hand-written `impl Debug`, or None."""
        if isinstance(t, T.StructT):
            self.ensure_method(t.struct, DEBUG_FMT)
            key = f"{t.struct}::{DEBUG_FMT}"
        elif isinstance(t, T.EnumT):
            key = f"{t.enum}::{DEBUG_FMT}"
        else:
            return None
        return key if key in self.sigs else None


def trait_of(method: str) -> str:
    """Return the operator trait of `method`: `AddAssign` for `add_assign`."""
    named = {"bitand": "BitAnd", "bitor": "BitOr", "bitxor": "BitXor"}
    return "".join(named.get(part, part.capitalize()) for part in method.split("_"))
