"""Monomorphisation: one copy of a generic function, struct or impl per type.

sxc has no trait solver.  A generic item is a template that is never checked
itself: each use with concrete type arguments makes a copy, named after those
arguments, whose body the checker type-checks with the parameters bound:

    fn max_of<T: PartialOrd>(a: T, b: T) -> T { .. }   max_of(x, 2.0)
    ->  fn max_of__f64(a: f64, b: f64) -> f64 { .. }    max_of__f64(x, 2.0)

    struct Pair<T> { a: T, b: T }                        Pair::<dual>::new(..)
    ->  struct Pair__dual { a: dual, b: dual }          Pair__dual::new(..)

The copies are ordinary items, so the later passes and `sxc lower` see no
generics at all.  Type arguments come from a turbofish (`f::<f64>`), else
from the arguments, else from the expected type.  Where arguments disagree
on a number type, the wider one wins (an integer literal, then `f64`, then
`dual`), so one numeric function serves plain and dual numbers alike.

Bounds are accepted and not checked.  An operation that a type argument lacks
is found when the copy is checked, and it is reported at the call that asked
for the copy, with a note pointing into the generic body.  A copy whose body asks
for a further copy is one level deeper; `MAX_DEPTH` levels end that chain
with an error, since `f::<T>` calling `f::<Vec<T>>` never stops by itself.

`GenericsMixin` is part of the type checker (`sxc.typecheck.Checker`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from sxc import ast
from sxc.type_aliases import MAX_ALIAS_DEPTH, expand_alias
from sxc import types as T
from sxc.typecheck_enum import PartialVariantT
from sxc.diagnostics import Reporter, Span

MAX_DEPTH = 64
MAX_TYPE_SIZE = 4096
CLOSURE_TRAITS = ("Fn", "FnMut", "FnOnce")


@dataclass
class Template:
    """A generic function or a method of a generic impl, as written."""

    key: str
    fn: ast.FnDef
    generics: list[str]  # the impl's parameters first, then the function's
    bounds: dict[str, list[ast.TypeExpr]]
    params: list[ast.TypeExpr]  # with `Self` replaced by `self_pattern`
    ret: ast.TypeExpr | None
    owner: str | None = None  # the generic struct of an impl method
    impl_args: list[ast.TypeExpr] = field(default_factory=list)
    self_pattern: ast.TypeExpr | None = None


@dataclass
class Instance:
    """A copy of a template waiting for its body to be checked."""

    key: str
    fn: ast.FnDef
    env: dict[str, T.Type]
    call_span: Span
    label: str
    depth: int


def mangle(t: T.Type) -> str:
    """Return a part of an identifier that names type `t`: `f64`, `Vec_f64`, `arr3_f64`."""
    if isinstance(t, (T.IntVar, T.FloatVar)):
        t = t.resolved()
    if isinstance(t, T.StrT):
        return "String" if t.owned else "str"
    if isinstance(t, T.VecT):
        return f"Vec_{mangle(t.elem)}"
    if isinstance(t, T.ArrayT):
        return f"arr{t.size}_{mangle(t.elem)}"
    if isinstance(t, T.SliceT):
        return f"slice{'_mut' if t.mutable else ''}_{mangle(t.elem)}"
    if isinstance(t, T.BoxT):
        return f"Box_{mangle(t.inner)}"
    if isinstance(t, T.RefT):
        return f"ref{'_mut' if t.mutable else ''}_{mangle(t.inner)}"
    if isinstance(t, T.TupleT):
        return "tup_" + "_".join(mangle(i) for i in t.items) + "_end"
    if isinstance(t, T.FnT):
        return "fn_" + "_".join(mangle(p) for p in t.params) + "_to_" + mangle(t.ret)
    if isinstance(t, T.UnitT):
        return "unit"
    if isinstance(t, T.StructT):
        return t.struct.lstrip("_")
    if isinstance(t, T.EnumT):
        return t.enum.lstrip("_")
    return t.name()


def type_depth(t: T.Type) -> int:
    """Return how deeply `t` nests other types (`f64` is 1, `Vec<f64>` is 2)."""
    if type_size(t, MAX_TYPE_SIZE) > MAX_TYPE_SIZE:
        return MAX_DEPTH + 1
    inner = []
    if isinstance(t, (T.VecT, T.ArrayT, T.SliceT)):
        inner = [t.elem]
    elif isinstance(t, T.RefT):
        inner = [t.inner]
    elif isinstance(t, T.TupleT):
        inner = list(t.items)
    elif isinstance(t, T.FnT):
        inner = list(t.params) + [t.ret]
    return 1 + max((type_depth(i) for i in inner), default=0)


def type_size(t: T.Type, limit: int) -> int:
    """Return how many types make up `t`, counting no further than `limit`."""
    count, todo = 0, [t]
    while todo and count <= limit:
        t = todo.pop()
        count += 1
        if isinstance(t, (T.VecT, T.ArrayT, T.SliceT)):
            todo.append(t.elem)
        elif isinstance(t, T.RefT):
            todo.append(t.inner)
        elif isinstance(t, T.TupleT):
            todo.extend(t.items)
        elif isinstance(t, T.FnT):
            todo.extend(t.params + (t.ret,))
    return count


def too_large(args) -> bool:
    """Return whether any of `args` nests too deep or holds too many types."""
    return any(type_size(a, MAX_TYPE_SIZE) > MAX_TYPE_SIZE or type_depth(a) > MAX_DEPTH
               for a in args)


def _replace_self(te, pattern: ast.TypeExpr):
    """Return a copy of type expression `te` with `Self` replaced by `pattern`."""
    if te is None:
        return None
    if isinstance(te, ast.NamedType) and te.path == ["Self"] and not te.args:
        return pattern
    te = copy.copy(te)
    if isinstance(te, ast.NamedType):
        te.args = [_replace_self(a, pattern) for a in te.args]
    elif isinstance(te, (ast.RefType, )):
        te.inner = _replace_self(te.inner, pattern)
    elif isinstance(te, (ast.ArrayType, ast.SliceType)):
        te.elem = _replace_self(te.elem, pattern)
    elif isinstance(te, ast.TupleType):
        te.items = [_replace_self(i, pattern) for i in te.items]
    elif isinstance(te, (ast.FnType, ast.FnBound)):
        te.params = [_replace_self(p, pattern) for p in te.params]
        te.ret = _replace_self(te.ret, pattern)
    return te


def _turbofish_help(fn: ast.FnDef) -> str:
    """Return the help that asks for the type arguments of generic function `fn`."""
    if len(fn.generics) == 1:
        return f"name the type: `{fn.name}::<f64>(..)`"
    return (f"name the types: `{fn.name}::<{', '.join(fn.generics)}>(..)`, each "
            "parameter replaced by a type")


def _plural(n: int) -> str:
    return f"{n} generic argument{'s' if n != 1 else ''}"


class GenericsMixin:
    """The type checker's handling of generic items (see the module docstring)."""

    # ------------------------------------------------------------ templates

    def collect_templates(self) -> None:
        """Move generic structs and functions out of the program into template tables."""
        program = self.program
        self.type_env: dict[str, T.Type] = {}
        self.instance_depth = 0
        self.instances: list[Instance] = []
        self.fn_instances: dict[tuple, str] = {}
        self.struct_instances: dict[tuple, str] = {}
        self.instance_of: dict[str, tuple[str, tuple[T.Type, ...]]] = {}
        self.take_generic_enums()
        self.generic_structs = {name: s for name, s in program.structs.items() if s.generics}
        for name in self.generic_structs:
            del program.structs[name]
        self.fn_templates: dict[str, Template] = {}
        self.method_templates: dict[str, list[Template]] = {}
        for key, fn in list(program.functions.items()):
            template = self._template(key, fn)
            if template is None:
                continue
            del program.functions[key]
            if template.owner is not None:
                self.method_templates.setdefault(template.owner, []).append(template)
            else:
                self.fn_templates[key] = template

    def _template(self, key: str, fn: ast.FnDef) -> Template | None:
        impl_generics = list(getattr(fn, "impl_generics", None) or [])
        impl_args = list(getattr(fn, "impl_args", None) or [])
        owner = fn.owner
        sdef = (self.generic_structs.get(owner) or self.generic_enums.get(owner)) if owner \
            else None
        if owner is not None and sdef is None and impl_args:
            self.rep.error(f"struct takes 0 generic arguments but {_plural(len(impl_args))} "
                           f"{'was' if len(impl_args) == 1 else 'were'} supplied",
                           impl_args[0].span, code="SX0303")
            fn.generics = fn.generics or ["_"]
        if sdef is None and not fn.generics and not _has_impl_param(fn):
            return None
        bounds = dict(getattr(fn, "impl_bounds", None) or {})
        for name, found in fn.bounds.items():
            bounds.setdefault(name, []).extend(found)
        generics = list(fn.generics)
        # `f: impl Fn(f64) -> f64` is an anonymous generic parameter with that bound
        for i, p in enumerate(fn.params):
            if isinstance(p.type, ast.FnBound):
                name = f"impl#{i}"
                generics.append(name)
                bounds[name] = [p.type]
                p.type = ast.NamedType(p.type.span, [name], [])
        self_pattern = None
        if sdef is not None:
            if not getattr(fn, "impl_generics", None) and not impl_args:
                # a top-level method below `struct Pair<T>` shares the struct's parameters
                impl_generics = list(sdef.generics)
                impl_args = [ast.NamedType(fn.span, [g], []) for g in sdef.generics]
            if len(impl_args) != len(sdef.generics):
                self.rep.error(f"struct takes {_plural(len(sdef.generics))} but "
                               f"{len(impl_args)} {'was' if len(impl_args) == 1 else 'were'} "
                               "supplied", fn.span, code="SX0303")
                return Template(key, fn, ["_"], bounds, [], None, owner, [], None)
            self_pattern = ast.NamedType(fn.span, [owner], impl_args)
            generics = impl_generics + generics
        params = [p.type for p in fn.params]
        ret = fn.ret
        if self_pattern is not None:
            params = [_replace_self(p, self_pattern) for p in params]
            ret = _replace_self(ret, self_pattern)
        return Template(key, fn, generics, bounds, params, ret,
                        owner if sdef is not None else None, impl_args, self_pattern)

    # ------------------------------------------------------------ types

    def type_param_owner(self, name: str) -> str | None:
        """Return the struct or enum that type parameter `name` stands for in this copy.

        `T::new()` and `T::SIDES` in a copy with `T = Circle` mean `Circle::new()`
        and `Circle::SIDES`.
        """
        bound = self.type_env.get(name)
        if isinstance(bound, T.StructT):
            return bound.struct
        if isinstance(bound, T.EnumT):
            return bound.enum
        if isinstance(bound, (T.IntT, T.FloatT)) and not T.is_char(bound):
            # `T::zero()` with `T = f64` is `f64::zero()`, and `T::MAX` is `f64::MAX`.
            return str(bound)
        return None

    def generic_type(self, te: ast.NamedType) -> T.Type | None:
        """Resolve a type parameter or a generic struct; None for any other name."""
        name = te.path[-1]
        if len(te.path) == 1 and name in self.type_env:
            if te.args:
                self.rep.error(f"type parameter `{name}` takes no generic arguments",
                               te.span, code="SX0303")
            return self.type_env[name]
        if name in self.generic_enums:
            edef = self.generic_enums[name]
            if not te.args:
                self.rep.error(f"missing generics for enum `{name}`", te.span,
                               help=f"write `{name}<{', '.join(edef.generics)}>` "
                                    "with concrete types", code="SX0303")
                return T.NEVER
            args = tuple(self.resolve_type(a) for a in te.args)
            if name == self.program.prelude_key("Option") and len(args) == 1 and \
                    isinstance(args[0], T.RefT) and not args[0].mutable and \
                    not isinstance(args[0], T.BoxT):
                # NOTE: `Option<&T>` is an `Option<T>`, as the items of `iter()` are values
                args = (args[0].inner,)
            return self.instantiate_enum(name, args, te.span)
        if name in self.generic_structs:
            sdef = self.generic_structs[name]
            if not te.args:
                self.rep.error(f"missing generics for struct `{name}`", te.span,
                               help=f"write `{name}<{', '.join(sdef.generics)}>` "
                                    "with concrete types", code="SX0303")
                return T.NEVER
            args = tuple(self.resolve_type(a) for a in te.args)
            return self.instantiate_struct(name, args, te.span)
        if name in self.structs and te.args:
            self.rep.error(f"struct takes 0 generic arguments but {_plural(len(te.args))} "
                           f"{'was' if len(te.args) == 1 else 'were'} supplied", te.span,
                           code="SX0303")
            return T.StructT(name)
        return None

    def resolve_with(self, te, env: dict[str, T.Type]) -> T.Type:
        saved = self.type_env
        self.type_env = env
        try:
            return self.resolve_type(te)
        finally:
            self.type_env = saved

    def instantiate_struct(self, name: str, args: tuple[T.Type, ...], span: Span) -> T.Type:
        """Return the struct type `name<args>`, making its copy on first use."""
        sdef = self.generic_structs[name]
        if len(args) != len(sdef.generics):
            self.rep.error(f"struct takes {_plural(len(sdef.generics))} but {len(args)} "
                           f"{'was' if len(args) == 1 else 'were'} supplied", span, code="SX0303")
            return T.NEVER
        args = tuple(a.resolved() if isinstance(a, (T.IntVar, T.FloatVar)) else a for a in args)
        if any(isinstance(a, T.NeverT) for a in args):
            return T.NEVER
        key = (name, args)
        if key in self.struct_instances:
            return T.StructT(self.struct_instances[key])
        label = f"{name}<{', '.join(map(str, args))}>"
        if any(self.contains_closure(a) for a in args):
            self.rep.error(f"a closure cannot be stored in the struct `{label}`", span,
                           help="sxc supports closures that do not escape: call them, or "
                                "pass them to a function", code="SX0803")
            return T.NEVER
        if too_large(args):
            self.rep.error(f"reached the recursion limit while instantiating `{name}<..>`",
                           span, help=f"generic types nest at most {MAX_DEPTH} levels deep",
                           code="SX0315")
            return T.NEVER
        mangled = self._unique(name + "".join("__" + mangle(a) for a in args),
                               self.program.structs)
        self.struct_instances[key] = mangled
        self.instance_of[mangled] = key
        self.rep.name_type(mangled, label)
        inst = ast.StructDef(sdef.span, mangled, sdef.fields, [], list(sdef.derives),
                             sdef.public)
        inst.origin = getattr(sdef, "origin", "user")
        if inst.origin == "std":
            inst.origin = "std-instance"  # printed with the program, as function copies are
        self.program.structs[mangled] = inst
        self.structs[mangled] = {}
        saved_self = self.self_struct
        self.self_struct = mangled
        fields = {f: self.resolve_with(te, dict(zip(sdef.generics, args)))
                  for f, te in sdef.fields}
        self.self_struct = saved_self
        self.structs[mangled] = fields
        inst.resolved_fields = list(fields.items())
        if self._contains_by_value(mangled, mangled):
            self.rep.error(f"recursive type `{label}` has infinite size", sdef.span,
                           help="hold the inner value in a `Vec`", code="SX0310")
            inst.resolved_fields = []
            self.structs[mangled] = {}
        elif not self.check_struct_size(mangled, span):
            inst.resolved_fields = []
            self.structs[mangled] = {f: T.NEVER for f in fields}
            return T.NEVER
        return T.StructT(mangled)

    def _unique(self, name: str, table) -> str:
        used = getattr(self, "_mangled_names", None)
        if used is None:
            used = self._mangled_names = set()
        out, n = name, 2
        while out in used or out in table:
            out, n = f"{name}_{n}", n + 1
        used.add(out)
        return out

    # ------------------------------------------------------------ inference

    def mentions(self, te, names) -> bool:
        """Return whether type expression `te` names any of the type parameters `names`."""
        if te is None:
            return False
        if isinstance(te, ast.NamedType):
            if len(te.path) == 1 and te.path[0] in names:
                return True
            return any(self.mentions(a, names) for a in te.args)
        if isinstance(te, ast.RefType):
            return self.mentions(te.inner, names)
        if isinstance(te, (ast.ArrayType, ast.SliceType)):
            return self.mentions(te.elem, names)
        if isinstance(te, ast.TupleType):
            return any(self.mentions(i, names) for i in te.items)
        if isinstance(te, (ast.FnType, ast.FnBound)):
            return any(self.mentions(p, names) for p in te.params) or \
                self.mentions(te.ret, names)
        return False

    def unify(self, te, t: T.Type, env: dict[str, T.Type], names) -> None:
        """Bind the parameters `names` in pattern `te` so that it matches type `t`."""
        if te is None or t is None or isinstance(t, T.NeverT):
            return
        t = T.prune(t)  # a hole that a use bound, such as the type of `Ok(1)`
        if isinstance(te, ast.NamedType):
            name = te.path[-1]
            if len(te.path) == 1 and name in names and not te.args:
                self._bind(env, name, t)
            elif name == "Vec" and len(te.args) == 1 and isinstance(t, T.VecT):
                self.unify(te.args[0], t.elem, env, names)
            elif name in self.program.type_aliases:
                self._unify_alias(te, t, env, names)
            elif name in self.generic_structs and isinstance(t, T.StructT) and \
                    self.instance_of.get(t.struct, (None,))[0] == name:
                for a, at in zip(te.args, self.instance_of[t.struct][1]):
                    self.unify(a, at, env, names)
            elif name in self.generic_enums and isinstance(t, T.EnumT) and \
                    self.instance_of.get(t.enum, (None,))[0] == name:
                for a, at in zip(te.args, self.instance_of[t.enum][1]):
                    self.unify(a, at, env, names)
            elif name in self.generic_enums and isinstance(t, PartialVariantT) and \
                    t.enum == name:
                # `|v| Ok(v * 2)`: the payload decides some of the arguments
                for a, at in zip(te.args, t.known):
                    if at is not None:
                        self.unify(a, at, env, names)
        elif isinstance(te, ast.RefType):
            inner = t.inner if isinstance(t, T.RefT) else t
            if isinstance(te.inner, ast.SliceType):
                inner = T.strip_refs(inner)
                if isinstance(inner, (T.VecT, T.ArrayT, T.SliceT)):
                    self.unify(te.inner.elem, inner.elem, env, names)
            else:
                self.unify(te.inner, inner, env, names)
        elif isinstance(te, (ast.ArrayType, ast.SliceType)):
            if isinstance(t, (T.ArrayT, T.SliceT, T.VecT)):
                self.unify(te.elem, t.elem, env, names)
        elif isinstance(te, ast.TupleType):
            if isinstance(t, T.TupleT) and len(t.items) == len(te.items):
                for i, it in zip(te.items, t.items):
                    self.unify(i, it, env, names)
        elif isinstance(te, ast.FnType):
            if isinstance(t, T.FnT) and len(t.params) == len(te.params):
                for p, pt in zip(te.params, t.params):
                    self.unify(p, pt, env, names)
                self.unify(te.ret, t.ret, env, names)

    def _unify_alias(self, te: ast.NamedType, t: T.Type, env: dict[str, T.Type],
                     names) -> None:
        """Unify the target of the type alias that `te` names with `t`."""
        target = expand_alias(te, self.program.type_aliases[te.path[-1]])
        depth = self.__dict__.get("alias_unify_depth", 0)
        # aliases that form a cycle expand forever; `alias_type` reports them
        if target is None or depth > MAX_ALIAS_DEPTH:
            return
        self.alias_unify_depth = depth + 1
        try:
            self.unify(target, t, env, names)
        finally:
            self.alias_unify_depth = depth

    @staticmethod
    def _bind(env: dict[str, T.Type], name: str, t: T.Type) -> None:
        old = env.get(name)
        if old is None:
            env[name] = t
        elif isinstance(old, T.IntVar) and old.bound is None and not isinstance(t, T.IntVar):
            if T.is_int(t):
                old.bind(t)
            elif T.is_numeric(t):
                env[name] = t
        elif isinstance(old, T.IntVar) and isinstance(t, T.IntVar):
            old.bind(t)
        elif isinstance(t, T.IntVar) and T.is_int(old):
            t.bind(old)
        elif isinstance(old, T.FloatVar) and isinstance(t, T.FloatT):
            old.bind(t)
        elif isinstance(t, T.FloatVar) and isinstance(old, T.FloatT):
            t.bind(old)
        elif isinstance(old, T.FloatT) and isinstance(t, T.DualT):
            # mixing `dual` with a plain number promotes the number
            env[name] = T.DUAL

    def closure_expectation(self, template: Template, name: str, env) -> T.FnT | None:
        """Return the `fn` type that the `Fn(..)` bound of parameter `name` gives."""
        for bound in template.bounds.get(name, []):
            if isinstance(bound, ast.FnBound):
                params = [self._maybe_resolve(p, env, template.generics) for p in bound.params]
                ret = self._maybe_resolve(bound.ret, env, template.generics) \
                    if bound.ret is not None else T.UNIT
                return T.FnT(tuple(params), ret)
        return None

    def unify_fn_bound(self, template: Template, pattern, t: T.Type, env) -> None:
        """Bind the parameters that only an argument's `Fn(..) -> U` bound names.

        `fn map<U, F: Fn(T) -> U>(self, f: F)` learns `U` from the closure's result.
        """
        if isinstance(t, T.StructT) and t.struct in self.closures:
            info = self.closures[t.struct]
            if info.ret is None or any(p is None for p in info.params):
                return
            t = T.FnT(tuple(info.params), info.ret)
        if not (isinstance(pattern, ast.NamedType) and len(pattern.path) == 1
                and isinstance(t, T.FnT)):
            return
        for bound in template.bounds.get(pattern.path[0], []):
            if isinstance(bound, ast.FnBound) and len(bound.params) == len(t.params):
                for p, pt in zip(bound.params, t.params):
                    self.unify(p, pt, env, template.generics)
                if bound.ret is not None:
                    self.unify(bound.ret, t.ret, env, template.generics)

    def _settle_closure_result(self, template: Template, pattern, t: T.Type, env) -> None:
        """Bind the partly inferred result of a closure argument, such as the
        `Result<i64, _>` of `|v| Ok(v * 2)`, to the type that its `Fn` bound names."""
        if not (isinstance(t, T.StructT) and t.struct in self.closures):
            return
        info = self.closures[t.struct]
        if info.ret is not None:
            info.ret = T.prune(info.ret)  # bound already, as by the expected type
        result = info.ret
        if not isinstance(result, PartialVariantT) or not (
                isinstance(pattern, ast.NamedType) and len(pattern.path) == 1):
            return
        for bound in template.bounds.get(pattern.path[0], []):
            if isinstance(bound, ast.FnBound) and bound.ret is not None:
                result == self.resolve_with(bound.ret, env)  # binds the partial type
                info.ret = T.prune(result)
                return

    def _maybe_resolve(self, te, env, names) -> T.Type | None:
        """Resolve `te` with `env` if every parameter it names is bound, else None."""
        unbound = [n for n in names if n not in env]
        if self.mentions(te, unbound):
            return None
        return self.resolve_with(te, env)

    # ------------------------------------------------------------ calls

    def generic_path_call(self, e: ast.Call, func: ast.Path, expected) -> ast.Expr | None:
        """Check a call of a generic function or of a generic struct's associated function."""
        segs = func.segments
        if len(segs) == 1 and self.lookup(segs[0]) is not None:
            return None
        if len(segs) >= 2 and segs[-2] == "Self" and self.self_struct:
            segs = func.segments = segs[:-2] + [self.self_struct, segs[-1]]
        if len(segs) == 2 and self.type_param_owner(segs[0]) is not None:
            segs = func.segments = [self.type_param_owner(segs[0]), segs[1]]
        key = "::".join(segs[-2:]) if len(segs) >= 2 else segs[0]
        if key in self.fn_templates:
            template = self.fn_templates[key]
            return self.call_template(e, template, func.type_args, {}, expected)
        if len(segs) < 2:
            return None
        owner, name = segs[-2], segs[-1]
        if owner in self.instance_of:
            base, args = self.instance_of[owner]
            template = self.find_method(base, args, name)
            if template is None:
                return None
            env = self.impl_env(template, args)
            return self.call_template(e, template, func.type_args, env, expected)
        # `Stack::new()` of a generic struct, or `Tree::new()` of a generic enum
        generic_type = self.generic_structs.get(owner) or self.generic_enums.get(owner)
        if generic_type is None:
            return None
        kind = "struct" if owner in self.generic_structs else "enum"
        candidates = [t for t in self.method_templates.get(owner, []) if t.fn.name == name]
        if not candidates:
            if kind == "enum":
                return None  # a variant, which the caller checks
            self.rep.error(f"no function or associated item named `{name}` found for "
                           f"struct `{owner}`", func.span, code="SX0209")
            e.args = [self.expr(a, None) for a in e.args]
            e.ty = T.NEVER
            return e
        explicit = func.type_args if func.type_args_at == len(segs) - 1 else []
        struct_args = func.type_args if func.type_args_at == len(segs) - 2 else []
        if struct_args:
            arity = len(generic_type.generics)
            if len(struct_args) != arity:
                self.rep.error(f"{kind} takes {_plural(arity)} but {len(struct_args)} "
                               f"{'was' if len(struct_args) == 1 else 'were'} supplied",
                               func.span, code="SX0303")
                e.args = [self.expr(a, None) for a in e.args]
                e.ty = T.NEVER
                return e
            args = tuple(self.resolve_type(a) for a in struct_args)
            template = self.find_method(owner, args, name)
            if template is None:
                self.rep.error(f"no function or associated item named `{name}` found for "
                               f"`{owner}<{', '.join(map(str, args))}>`", func.span, code="SX0209")
                e.ty = T.NEVER
                return e
            return self.call_template(e, template, explicit, self.impl_env(template, args),
                                      expected)
        generic = [t for t in candidates if t.generics] or candidates
        return self.call_template(e, generic[0], explicit, {}, expected)

    def find_method(self, owner: str, args: tuple, name: str) -> Template | None:
        """Return the method `name` of an impl whose type `owner<..>` matches `args`."""
        for template in self.method_templates.get(owner, []):
            if template.fn.name != name:
                continue
            env: dict[str, T.Type] = {}
            for pattern, arg in zip(template.impl_args, args):
                self.unify(pattern, arg, env, template.generics)
            impl_names = template.generics[:len(template.generics) - len(template.fn.generics)]
            if any(n not in env for n in impl_names if not n.startswith("impl#")):
                continue
            if all(self.resolve_with(p, env) == a for p, a in zip(template.impl_args, args)):
                return template
        return None

    def impl_env(self, template: Template, args: tuple) -> dict[str, T.Type]:
        env: dict[str, T.Type] = {}
        for pattern, arg in zip(template.impl_args, args):
            self.unify(pattern, arg, env, template.generics)
        return env

    def call_template(self, e: ast.Call, template: Template, explicit, env, expected,
                      receiver: ast.Expr | None = None) -> ast.Expr:
        """Infer the type arguments of a call of `template`, instantiate it, check the call."""
        fn = template.fn
        names = template.generics
        env = dict(env)
        span = e.span
        if explicit:
            own = fn.generics
            if len(explicit) != len(own):
                self.rep.error(f"function takes {_plural(len(own))} but {len(explicit)} "
                               f"{'was' if len(explicit) == 1 else 'were'} supplied",
                               e.func.span if isinstance(e, ast.Call) else span, code="SX0303")
                e.args = [self.expr(a, None) for a in e.args]
                e.ty = T.NEVER
                return e
            for name, te in zip(own, explicit):
                env[name] = self.resolve_type(te)
        params = template.params
        if fn.self_kind is not None and receiver is None:
            params = [template.self_pattern if fn.self_kind == "value" else
                      ast.RefType(fn.span, template.self_pattern, fn.self_kind == "mut")] \
                + params
        if len(e.args) != len(params):
            what = f"`{fn.name}`"
            self.rep.error(f"{what} takes {len(params)} argument{'s' if len(params) != 1 else ''}"
                           f" but {len(e.args)} {'was' if len(e.args) == 1 else 'were'} "
                           "supplied", span, code="SX0302")
            e.args = [self.expr(a, None) for a in e.args]
            e.ty = T.NEVER
            return e
        args = list(e.args)
        order = [i for i, a in enumerate(args) if not isinstance(a, ast.Closure)] + \
            [i for i, a in enumerate(args) if isinstance(a, ast.Closure)]
        if expected is not None and receiver is None and not env and \
                isinstance(T.prune(expected), (T.StructT, T.EnumT)):
            # the expected type of a generic struct's constructor types its arguments,
            # as in Rust: `let h: BinaryHeap<(u64, usize)> = BinaryHeap::from(v)`
            # NOTE: only whole types fill in; a part with a hole stays open
            hinted: dict[str, T.Type] = {}
            self.unify(template.ret, expected, hinted, names)
            env.update({n: t for n, t in hinted.items()
                        if not _has_hole(t) and not isinstance(t, T.LiteralVar)})
        for i in order:
            pattern = params[i]
            expected_arg = self._maybe_resolve(pattern, env, names)
            if expected_arg is None and isinstance(pattern, ast.NamedType) and \
                    len(pattern.path) == 1 and pattern.path[0] in names:
                expected_arg = self.closure_expectation(template, pattern.path[0], env)
                self.bound_expectation = expected_arg
            args[i] = self.expr(args[i], expected_arg)
            self.bound_expectation = None
            if isinstance(args[i].ty, T.NeverT):
                e.args = args
                e.ty = T.NEVER
                return e
            self.unify(pattern, args[i].ty, env, names)
            self.unify_fn_bound(template, pattern, args[i].ty, env)
        if expected is not None:
            self._unify_expected(template.ret, expected, env, names)
        env = {n: T.prune(t) for n, t in env.items()}
        missing = [n for n in names if n not in env or _has_hole(env[n])]
        if missing:
            shown = missing[0] if not missing[0].startswith("impl#") else "impl Fn"
            self.rep.error(f"type annotations needed: cannot infer the type of `{shown}` "
                           f"in this call of `{fn.name}`", span,
                           help=_turbofish_help(fn) if fn.generics else
                           "annotate the type of the value", code="SX0304")
            e.args = args
            e.ty = T.NEVER
            return e
        for n, t in env.items():
            if isinstance(t, T.LiteralVar) and t.root().bound is None:
                fit = self.literal_for_bounds(template, n, isinstance(t, T.IntVar))
                if fit is not None:
                    t.bind(fit)
        env = {n: (t.resolved() if isinstance(t, (T.IntVar, T.FloatVar)) else t)
               for n, t in env.items()}
        for i in order:
            self._settle_closure_result(template, params[i], args[i].ty, env)
        key = self.instantiate_fn(template, env, span)
        if key is None:
            e.args = args
            e.ty = T.NEVER
            return e
        sig = self.sigs[key]
        full = ([sig.self_type] if sig.self_type is not None and receiver is None else []) \
            + sig.params
        e.args = [self.coerce_arg(a, p) for a, p in zip(args, full)]
        if receiver is not None:
            e.target = ("method", key)
            e.method = key.split("::")[-1]
        else:
            e.target = ("fn", key)
            e.func.ty = T.FnT(tuple(full), sig.ret)
            e.func.segments = key.split("::")
            e.func.type_args = []
            e.func.target = ("fn", key)
        e.ty = sig.ret
        return e

    def check_trait_bounds(self, template: Template, env: dict[str, T.Type],
                           span: Span) -> bool:
        """Report each bound on a user-defined trait that a type argument does not meet.

        Bounds on the standard traits stay unchecked: the copy's body reports
        an operation that the type lacks.
        """
        satisfied = True
        for name in template.generics:
            for bound in template.bounds.get(name, []):
                if not isinstance(bound, ast.NamedType):
                    continue
                trait = self.program.find_trait(bound.path[-1])
                if trait is None or name not in env:
                    continue
                if self.implements(env[name], trait.name):
                    continue
                shown = self.type_label(env[name].struct) \
                    if isinstance(env[name], T.StructT) else str(env[name])
                trait_shown = trait.name.split("::")[-1]
                where = template.fn.name
                self.rep.error(f"the trait bound `{shown}: {trait_shown}` is not satisfied",
                               span, notes=[(f"required by this bound in `{where}`",
                                             bound.span)],
                               help=f"implement the trait: `impl {trait_shown} for {shown} "
                                    "{ .. }`", code="SX0311")
                satisfied = False
        return satisfied

    def literal_for_bounds(self, template: Template, name: str, integer: bool) -> T.Type | None:
        """Return the number type that an unsuffixed literal passed as generic parameter
        `name` takes so that it meets the parameter's bounds, as in Rust: `describe(21)`
        with `T: Describe` and only `impl Describe for i32` passes an `i32`.  None
        when the bounds do not narrow the literal's default type away."""
        kinds = [t for t in T.PRIMITIVES.values()
                 if (isinstance(t, T.IntT) if integer else isinstance(t, T.FloatT))
                 and not T.is_char(t)]
        fits = list(kinds)
        for bound in template.bounds.get(name, []):
            if not isinstance(bound, ast.NamedType):
                continue
            trait = self.program.find_trait(bound.path[-1])
            if trait is not None:
                fits = [t for t in fits if self.implements(t, trait.name)]
            elif bound.path[-1] == "Into" and len(getattr(bound, "bound_args", ())) == 1:
                target = self._maybe_resolve(bound.bound_args[0], {}, [])
                if isinstance(target, (T.IntT, T.FloatT)):
                    from sxc.typecheck import _converts_losslessly

                    fits = [t for t in fits if _converts_losslessly(t, target)]
                elif isinstance(target, (T.StructT, T.EnumT)):
                    sources = [self.sigs[k].params[0] for k in
                               self.operator_methods(target.name(), "from")
                               if len(self.sigs[k].params) == 1]
                    fits = [t for t in fits if t in sources]
        default = T.I64 if integer else T.F64
        if not fits or len(fits) == len(kinds) or default in fits:
            return None
        return T.I32 if T.I32 in fits else fits[0]

    def implements(self, t: T.Type, trait: str) -> bool:
        """Return whether type `t` has an `impl` of the user-defined trait `trait`."""
        if isinstance(t, T.StructT):
            name = t.struct
        elif isinstance(t, T.EnumT):
            name = t.enum
        elif isinstance(t, (T.IntT, T.FloatT, T.BoolT)):
            name = str(t)  # `impl Shape for f64`
        else:
            return False
        base = self.instance_of.get(name)
        if base is not None:
            name = base[0]
        return name in self.program.trait_impls.get(trait, set())

    def _unify_expected(self, ret, expected: T.Type, env: dict[str, T.Type], names) -> None:
        """Bind from the expected type the parameters that the arguments left
        unbound or bound only to an unsuffixed literal's type variable, so that
        `let p: Pt<f32> = Pt::new(0.5, 1.5)` makes the `f32` copy."""
        from_expected: dict[str, T.Type] = {}
        self.unify(ret, expected, from_expected, names)
        for name, t in from_expected.items():
            old = env.get(name)
            if old is None:
                env[name] = t
            elif isinstance(old, T.LiteralVar) and old.root().bound is None:
                self._bind(env, name, t)
            elif isinstance(old, PartialVariantT) and old.bound is None:
                old == t  # `a.map(Ok)` where the expected type names the error type

    def instantiate_fn(self, template: Template, env: dict[str, T.Type],
                       span: Span) -> str | None:
        """Return the key of the copy of `template` for `env`, making it on first use."""
        args = tuple(env[n] for n in template.generics)
        cache = (template.key, args)
        if cache in self.fn_instances:
            return self.fn_instances[cache]
        fn = template.fn
        if not self.check_trait_bounds(template, env, span):
            return None
        # `impl Shape#0`, the parameter of an `impl Shape` argument, shows as `impl Shape`
        shown = [f"{n.split('#')[0]} = {t}" for n, t in zip(template.generics, args)
                 if not n.startswith("impl#")]
        label = f"{fn.name}" + (f" with {', '.join(shown)}" if shown else "")
        depth = self.instance_depth + 1
        if depth > MAX_DEPTH or too_large(args):
            self.rep.error(f"reached the recursion limit while instantiating `{fn.name}`",
                           span, help=f"a generic function may instantiate others at most "
                                      f"{MAX_DEPTH} levels deep; this one asks for ever "
                                      "larger types", code="SX0315")
            return None
        owner = fn.owner
        # the name shows the function's own type arguments; an impl's are in the owner
        own_args = args[len(args) - len(fn.generics) - _impl_count(template):]
        if template.owner is not None:
            struct = self.resolve_with(template.self_pattern, env)
            if isinstance(struct, T.EnumT):
                owner = struct.enum
            elif not isinstance(struct, T.StructT):
                return None
            else:
                owner = struct.struct
        prefix = f"{owner}::" if owner else ""
        key = self._unique(prefix + fn.name + "".join("__" + mangle(a) for a in own_args),
                           self.program.functions)
        name = key[len(prefix):]
        self.fn_instances[cache] = key
        inst = copy.deepcopy(fn)
        inst.name = name
        inst.generics = []
        inst.bounds = {}
        inst.owner = owner
        inst.origin = getattr(fn, "origin", "user")
        if inst.origin == "std":
            # a copy of a prelude generic such as `__sort_by` is printed with the
            # program by `sxc lower`, because the prelude holds only the generic
            inst.origin = "std-instance"
        inst.type_env = env
        saved_self = self.self_struct
        self.self_struct = owner
        params = [self.resolve_with(p.type, env) for p in inst.params]
        ret = self.resolve_with(inst.ret, env) if inst.ret is not None else T.UNIT
        self.self_struct = saved_self
        self_type = None
        if fn.self_kind is not None and owner is not None:
            st = self.owner_type(owner)
            self_type = st if fn.self_kind == "value" else T.boxed(st) \
                if getattr(fn, "self_box", False) else T.RefT(st, fn.self_kind == "mut")
        from sxc.typecheck import Sig
        inst.sig = self.sigs[key] = Sig(params, ret, fn.self_kind, self_type)
        self.program.functions[key] = inst
        self.instances.append(Instance(key, inst, env, span, label, depth))
        return key

    def ensure_method(self, struct: str, name: str, span: Span | None = None) -> bool:
        """Make the copy of method `name` for an instance struct such as `Pair__f64`.

        Returns False when making it failed with an error, such as a bound of
        the impl that the instance's type arguments do not meet, reported at
        `span` (the call) or else at the method.
        """
        if f"{struct}::{name}" in self.sigs or struct not in self.instance_of:
            return True
        base, args = self.instance_of[struct]
        template = self.find_method(base, args, name)
        if template is None or template.fn.generics:
            return True
        key = self.instantiate_fn(template, self.impl_env(template, args),
                                  span or template.fn.span)
        return key is not None

    def generic_method_call(self, e: ast.MethodCall, struct: str, expected):
        """Check a method call whose method is generic or belongs to a generic impl."""
        if not self.ensure_method(struct, e.method, e.span):
            e.args = [self.expr(a, None) for a in e.args]  # the receiver is checked already
            e.ty = T.NEVER
            return e
        template = None
        env: dict[str, T.Type] = {}
        if struct in self.instance_of:
            base, args = self.instance_of[struct]
            found = self.find_method(base, args, e.method)
            if found is not None and found.fn.generics:
                template, env = found, self.impl_env(found, args)
        elif f"{struct}::{e.method}" in self.fn_templates:
            template = self.fn_templates[f"{struct}::{e.method}"]
        if template is None:
            return None
        if template.fn.self_kind == "mut":
            self._check_mut_receiver(e.receiver, e.method)
        return self.call_template(e, template, e.type_args, env, expected, e.receiver)

    def generic_fn_value(self, e: ast.Path, expected) -> ast.Expr:
        """Check a generic function named as a value: `max_of::<f64>` or with a `fn` type."""
        template = self.fn_templates[e.segments[0]]
        env: dict[str, T.Type] = {}
        own = template.fn.generics
        if e.type_args:
            if len(e.type_args) != len(own):
                self.rep.error(f"function takes {_plural(len(own))} but {len(e.type_args)} "
                               f"{'was' if len(e.type_args) == 1 else 'were'} supplied",
                               e.span, code="SX0303")
                e.ty = T.NEVER
                return e
            env = {n: self.resolve_type(te) for n, te in zip(own, e.type_args)}
        if isinstance(expected, T.FnT) and len(expected.params) == len(template.params):
            for pattern, t in zip(template.params, expected.params):
                self.unify(pattern, t, env, template.generics)
            self.unify(template.ret, expected.ret, env, template.generics)
        missing = [n for n in template.generics if n not in env]
        if missing:
            self.rep.error(f"type annotations needed: cannot infer the type of `{missing[0]}` "
                           f"in `{template.fn.name}`", e.span,
                           help=f"name the type: `{template.fn.name}::<f64>`", code="SX0304")
            e.ty = T.NEVER
            return e
        key = self.instantiate_fn(template, env, e.span)
        if key is None:
            e.ty = T.NEVER
            return e
        sig = self.sigs[key]
        e.segments, e.type_args = [key], []
        e.target = ("fn", key)
        e.ty = T.FnT(tuple(sig.params), sig.ret)
        return e

    def generic_struct_lit(self, e: ast.StructLit, expected) -> ast.Expr:
        """Check `Pair { a: 1.0, b: 2.0 }`, inferring the struct's type arguments."""
        name = e.name
        sdef = self.generic_structs[name]
        env: dict[str, T.Type] = {}
        if e.type_args:
            if len(e.type_args) != len(sdef.generics):
                self.rep.error(f"struct takes {_plural(len(sdef.generics))} but "
                               f"{len(e.type_args)} {'was' if len(e.type_args) == 1 else 'were'} "
                               f"supplied", e.name_span or e.span, code="SX0303")
                e.ty = T.NEVER
                return e
            env = {n: self.resolve_type(te) for n, te in zip(sdef.generics, e.type_args)}
        elif isinstance(expected, T.StructT) and \
                self.instance_of.get(expected.struct, (None,))[0] == name:
            env = dict(zip(sdef.generics, self.instance_of[expected.struct][1]))
        patterns = dict(sdef.fields)
        checked = []
        for fname, value in e.fields:
            if fname not in patterns:
                self.rep.error(f"struct `{name}` has no field named `{fname}`", value.span,
                               code="SX0211")
                continue
            expected_arg = self._maybe_resolve(patterns[fname], env, sdef.generics)
            value = self.expr(value, expected_arg)
            self.unify(patterns[fname], value.ty, env, sdef.generics)
            checked.append((fname, value))
        env = {n: T.prune(t) for n, t in env.items()}
        missing = [g for g in sdef.generics if g not in env or _has_hole(env[g])]
        if missing and any(isinstance(v.ty, T.NeverT) for _, v in checked):
            e.ty = T.NEVER  # a field's error is reported already
            return e
        own = self.instance_of.get(self.self_struct or "", (None, ()))
        if missing and own[0] == name:
            # `Series { points: Vec::new() }` in a method of `Series<T>` leaves `T`
            # open, so it takes the argument of `Self`, which Rust infers from a
            # later use in most code.  A use that needs another type then fails
            # to type-check, so no program runs with the wrong one.
            for g, arg in zip(sdef.generics, own[1]):
                if g in missing:
                    env[g] = arg
            missing = []
        if missing:
            self.rep.error(f"type annotations needed: cannot infer the type of `{missing[0]}` "
                           f"in `{name}`", e.name_span or e.span,
                           help=f"annotate the binding: `let p: {name}<f64> = ..`", code="SX0304")
            e.ty = T.NEVER
            return e
        ty = self.instantiate_struct(name, tuple(env[g] for g in sdef.generics), e.span)
        if not isinstance(ty, T.StructT):
            e.ty = T.NEVER
            return e
        fields = self.structs[ty.struct]
        e.name = ty.struct
        e.fields = [(f, self.coerce(v, fields[f])) for f, v in checked]
        absent = [f for f in fields if f not in dict(checked)]
        if absent:
            names = ", ".join(f"`{m}`" for m in absent)
            self.rep.error(f"missing field{'s' if len(absent) > 1 else ''} {names} in "
                           f"initializer of `{name}`", e.name_span or e.span, code="SX0312")
        e.ty = ty
        return e

    def check_instances(self) -> None:
        """Check the body of every copy, reporting its errors at the call that made it."""
        while self.instances:
            inst = self.instances.pop(0)
            outer = self.rep
            self.rep = Reporter()
            self.rep.type_names = outer.type_names
            saved = self.type_env, self.instance_depth
            self.type_env, self.instance_depth = inst.env, inst.depth
            try:
                self.check_fn(inst.fn)
            finally:
                found, self.rep = self.rep, outer
                self.type_env, self.instance_depth = saved
            for d in found.diagnostics:
                if d.severity != "error":
                    self.rep._add(d)
                    continue
                note = (f"in the copy of `{inst.label}`", d.span)
                self.rep.error(d.message, inst.call_span, help=d.help,
                               notes=[note] + list(d.notes), code=d.code)


def _has_hole(t: T.Type) -> bool:
    """Whether `t` still holds an element type that no use has decided."""
    if isinstance(t, T.HoleT):
        return True
    if isinstance(t, (T.VecT, T.ArrayT, T.SliceT)):
        return _has_hole(t.elem)
    if isinstance(t, T.RefT):
        return _has_hole(t.inner)
    if isinstance(t, T.TupleT):
        return any(_has_hole(i) for i in t.items)
    return False


def _has_impl_param(fn: ast.FnDef) -> bool:
    return any(isinstance(p.type, ast.FnBound) for p in fn.params)


def _impl_count(template: Template) -> int:
    return sum(1 for n in template.generics if n.startswith("impl#"))
