"""Typecheck of enums with data, mixed into the checker of `sxc.typecheck`.

An enum whose variants hold data, or a generic enum, is a tagged value:

    enum Shape { Circle(f64), Rect { w: f64, h: f64 }, Empty }

`edef.kinds` gives each variant's form ("unit", "tuple" or "struct") and
`edef.fields` its payload as (name, type) pairs, named "0", "1", .. for a
tuple variant.  A constructor (`Shape::Circle(1.0)`, `Shape::Rect { w, h }`,
`Shape::Empty`, `Some(3)`) becomes an `ast.VariantLit`.  A generic enum such
as the prelude's `Option<T>` is a template: each list of type arguments gets a
copy named after them (`Option__i64`), as a generic struct does.

Variant patterns bind by value, or by reference when the value matched is a
reference (Rust's default binding modes): matching a `&Shape` against
`Shape::Circle(r)` binds `r: &f64`.
"""

from __future__ import annotations

from sxc import ast
from sxc import patterns as P
from sxc import types as T

NO_BOX_HELP = "insert some indirection, a `Box` or a `Vec`, to break the cycle"


def variant_display(edef: ast.EnumDef, variant: str) -> str:
    """Return how Rust's messages name a variant: `Shape::Circle`, or `Some` of `Option`
    and `Ok` of `Result`, whose variants the prelude brings into scope."""
    base = getattr(edef, "generic_name", edef.name)
    if base in ("Option", "std::Option", "Result", "std::Result"):
        return variant
    return f"{base.split('::')[-1]}::{variant}"


def _undecided(expected) -> bool:
    """Return whether no type, or a type that a later use decides, is expected."""
    if expected is None:
        return True
    t = T.prune(expected)
    return isinstance(t, T.HoleT) and t.bound is None


class PartialVariantT(T.HoleT):
    """The type of a variant such as `Ok(1)` whose payload decides some of its enum's
    type arguments but not all: `Result<i64, _>` until a use decides the rest.

    Like a `HoleT`, it binds on its first comparison with a type that fits: another
    partial variant of the same enum (`if c { Ok(1) } else { Err("x") }`), which
    fills in the missing arguments, or a copy of the enum whose arguments agree.
    """

    def __init__(self, checker, enum: str, known: list, span) -> None:
        super().__init__()
        self.checker = checker
        self.enum = enum
        self.known = known  # a type, or None for each argument not decided yet
        self.span = span

    def name(self) -> str:
        if self.bound is not None:
            return self.bound.name()
        args = ", ".join("_" if k is None else str(k) for k in self.known)
        return f"{self.enum.split('::')[-1]}<{args}>"

    def __eq__(self, other: object) -> bool:
        if other is self:
            return True
        if self.bound is not None:
            return self.bound == other
        if isinstance(other, T.HoleT) and other.bound is not None:
            return self == other.bound
        if isinstance(other, PartialVariantT):
            return self._merge(other)
        if isinstance(other, T.HoleT):
            other.bound = self
            return True
        if isinstance(other, T.EnumT):
            generic, args = self.checker.instance_of.get(other.enum, (None, None))
            if generic != self.enum or not all(
                    k is None or k == a for k, a in zip(self.known, args)):
                return False
            self.bound = other
            return True
        return False

    def __hash__(self) -> int:
        return id(self)

    def _merge(self, other: PartialVariantT) -> bool:
        if other.enum != self.enum:
            return False
        merged = []
        for mine, theirs in zip(self.known, other.known):
            if mine is not None and theirs is not None and not mine == theirs:
                return False
            merged.append(theirs if mine is None else mine)
        if any(k is None for k in merged):
            self.known = merged
            other.bound = self
            return True
        complete = self.checker.instantiate_enum(self.enum, tuple(merged), self.span)
        self.bound = complete
        other.bound = complete
        return True


def has_data(edef: ast.EnumDef) -> bool:
    """Return whether values of `edef` are tagged values rather than plain discriminants."""
    return bool(edef.payloads) or bool(edef.generics) or hasattr(edef, "generic_name")


class EnumDataChecks:
    """Methods of `Checker` for enums with data."""

    # ------------------------------------------------------------ declarations

    def take_generic_enums(self) -> None:
        """Move generic enums out of the program into the template table."""
        program = self.program
        self.generic_enums = {name: e for name, e in program.enums.items() if e.generics}
        for name in self.generic_enums:
            del program.enums[name]
        self.enum_instances: dict[tuple, str] = {}
        self.binding_ref: bool | None = None

    def declare_payloads(self) -> None:
        """Resolve the payload types of every enum with data, once all types are known."""
        for name, edef in list(self.program.enums.items()):
            if edef.payloads and name not in self.instance_of:
                saved = self.self_struct
                self.self_struct = name
                self.fill_payloads(edef, edef, {})
                self.self_struct = saved
        for name, edef in list(self.program.enums.items()):
            if edef.payloads:
                self.check_enum_recursion(edef)

    def fill_payloads(self, edef: ast.EnumDef, template: ast.EnumDef, env: dict) -> None:
        edef.kinds = {}
        edef.fields = {}
        for vname, _value, _span in template.variants:
            kind, payload = template.payloads.get(vname, ("unit", []))
            edef.kinds[vname] = kind
            if kind == "struct":
                edef.fields[vname] = [(f, self.resolve_with(te, env)) for f, te in payload]
            else:
                edef.fields[vname] = [(str(i), self.resolve_with(te, env))
                                      for i, te in enumerate(payload)]
        edef.discriminants = {v: i for i, (v, _value, _span) in enumerate(template.variants)}

    def check_enum_recursion(self, edef: ast.EnumDef) -> None:
        """Report an enum that contains itself by value, which needs a `Box` in Rust."""
        if reaches_itself(self.program, edef, lambda s: list(self.structs.get(s, {}).values()),
                          False):
            self.rep.error(f"recursive type `{edef.name}` has infinite size",
                           edef.name_span or edef.span, help=NO_BOX_HELP, code="SX0310")
            edef.fields = {v: [] for v in edef.fields}

    def data_enum(self, t: T.Type) -> ast.EnumDef | None:
        """Return the definition of `t` when it is an enum with data, else None."""
        if not isinstance(t, T.EnumT):
            return None
        edef = self.program.enums.get(t.enum)
        return edef if edef is not None and hasattr(edef, "fields") else None

    def option_payload(self, t: T.Type) -> T.Type | None:
        """Return `T` when `t` is an `Option<T>`, else None."""
        edef = self.data_enum(T.prune(t))
        if edef is None or getattr(edef, "generic_name", None) != "Option":
            return None
        return edef.fields["Some"][0][1]

    def instantiate_enum(self, name: str, args: tuple, span) -> T.Type:
        """Return the enum type `name<args>`, making its copy on first use."""
        from sxc.monomorphize import mangle

        template = self.generic_enums[name]
        if len(args) != len(template.generics):
            self.rep.error(f"enum takes {len(template.generics)} generic argument"
                           f"{'s' if len(template.generics) != 1 else ''} but {len(args)} "
                           f"{'was' if len(args) == 1 else 'were'} supplied", span,
                           code="SX0303")
            return T.NEVER
        args = tuple(a.resolved() if isinstance(a, (T.IntVar, T.FloatVar)) else a for a in args)
        if any(isinstance(a, T.NeverT) for a in args):
            return T.NEVER
        key = (name, args)
        if key in self.enum_instances:
            return T.EnumT(self.enum_instances[key])
        base = name.split("::")[-1]
        wanted = base + "".join("__" + mangle(a) for a in args)
        if self._printed_copy(wanted, template, args):
            # the copy that `sxc lower` printed, so the library's own uses of
            # `Option<T>` share it when the printed source compiles again
            self.enum_instances[key] = wanted
            self.instance_of[wanted] = key
            self.program.enums[wanted].generic_name = name
            return T.EnumT(wanted)
        mangled = self._unique(wanted, self.program.enums)
        self.enum_instances[key] = mangled
        self.instance_of[mangled] = key
        self.rep.name_type(mangled, f"{base}<{', '.join(map(str, args))}>")
        inst = ast.EnumDef(template.span, mangled, list(template.variants), [],
                           list(template.derives), template.public, template.name_span,
                           template.payloads)
        inst.origin = getattr(template, "origin", "user")
        inst.generic_name = name
        inst.default_variant = getattr(template, "default_variant", None)
        self.program.enums[mangled] = inst
        saved = self.self_struct
        self.self_struct = mangled
        self.fill_payloads(inst, template, dict(zip(template.generics, args)))
        self.self_struct = saved
        self.check_enum_recursion(inst)
        return T.EnumT(mangled)

    def _printed_copy(self, name: str, template: ast.EnumDef, args: tuple) -> bool:
        """Return whether the program declares `name` as the copy of `template<args>`."""
        edef = self.program.enums.get(name)
        if edef is None or name in self.instance_of or not hasattr(edef, "fields") \
                or getattr(edef, "origin", "user") != "user":
            return False
        if [v for v, _value, _span in edef.variants] != \
                [v for v, _value, _span in template.variants]:
            return False
        env = dict(zip(template.generics, args))
        for variant, (kind, payload) in template.payloads.items():
            types = [te for _f, te in payload] if kind == "struct" else list(payload)
            if edef.kinds.get(variant) != kind or \
                    [t for _f, t in edef.fields[variant]] != \
                    [self.resolve_with(te, env) for te in types]:
                return False
        return True

    # ------------------------------------------------------------ constructors

    def resolve_variant(self, segs: list[str]):
        """Return (enum name, variant) when `segs` names a variant of an enum with data.

        The enum name is a template's when the enum is generic.  Return None for
        other paths, and ("error", None) after reporting an unknown variant.
        """
        if len(segs) == 1:
            enum = self.program.variant_imports.get(segs[0])
            variant = segs[0]
        else:
            enum, variant = "::".join(segs[:-1]), segs[-1]
            if enum == "Self" and self.self_struct in self.program.enums:
                enum = self.self_struct
        if enum is None:
            return None
        edef = self.program.enums.get(enum) or self.generic_enums.get(enum)
        if edef is None or not has_data(edef):
            return None
        if variant not in [v for v, _value, _span in edef.variants]:
            if variant == "default" and "Default" in edef.derives:
                return ("default", edef)
            if f"{enum}::{variant}" in self.sigs or f"{enum}::{variant}" in self.consts or any(
                    t.fn.name == variant for t in self.method_templates.get(enum, [])):
                return None  # an associated function such as `Shape::unit`
            return ("error", edef)
        return enum, variant

    def _unknown_variant(self, edef: ast.EnumDef, variant: str, span) -> None:
        names = ", ".join(f"`{v}`" for v, _value, _span in edef.variants)
        base = getattr(edef, "generic_name", edef.name)
        self.rep.error(f"no variant named `{variant}` in enum `{base}`", span,
                       help=f"its variants are {names}", code="SX0208")

    def variant_constructor(self, e: ast.Expr, segs: list[str], args, written: str,
                            expected) -> ast.Expr | None:
        """Check a constructor of a variant with data, or return None for other paths.

        `written` is "unit" for a path, "tuple" for a call and "struct" for a
        struct literal; `args` is a list, or (name, value) pairs for "struct".
        """
        found = self.resolve_variant(segs)
        if found is None:
            return None
        if found[0] == "error":
            self._unknown_variant(found[1], segs[-1], e.span)
            return self._failed_constructor(e, args, written)
        if found[0] == "default":
            return self._derived_default(e, found[1], args, written, expected)
        enum, variant = found
        edef = self.program.enums.get(enum) or self.generic_enums[enum]
        kind = edef.payloads.get(variant, ("unit", []))[0]
        display_name = variant_display(edef, variant)
        if kind != written:
            forms = {"unit": "unit variant", "tuple": "tuple variant", "struct": "struct variant"}
            if kind == "tuple" and written == "unit":
                help_text = f"call it: `{display_name}(..)`; sxc takes a variant as a function " \
                            f"value only as a method's argument (`.map({display_name})`), so " \
                            "write a closure here: `|x| " + display_name + "(x)`"
            elif kind == "struct":
                help_text = f"name its fields: `{display_name} {{ .. }}`"
            elif kind == "unit":
                help_text = f"write `{display_name}` alone"
            else:
                help_text = f"pass its payload in parentheses: `{display_name}(..)`"
            self.rep.error(f"expected {forms[written]}, found {forms[kind]} `{display_name}`", e.span,
                           help=help_text, code="SX0302")
            return self._failed_constructor(e, args, written)
        path = e if isinstance(e, ast.Path) else getattr(e, "func", None)
        turbofish = getattr(path, "type_args", None)
        if edef.generics and turbofish and len(turbofish) == len(edef.generics):
            # `None::<u8>` and `Ok::<u8, String>(3)` name the type arguments
            named = self.instantiate_enum(enum, tuple(self.resolve_type(te) for te in turbofish),
                                          e.span)
            if _undecided(expected):
                if expected is not None:
                    T.prune(expected) == named  # binds the hole that the context expects
                expected = named
        if edef.generics and written == "unit" and _undecided(expected):
            return self._pending_variant(e, enum, variant, expected)
        if edef.generics:
            concrete = self._generic_constructor(e, enum, edef, variant, args, written, expected)
            if isinstance(concrete, ast.VariantLit):
                return concrete  # a later use decides its other type arguments
            if concrete is None:
                return self._failed_constructor(e, args, written, checked=True)
            ty, values = concrete
        else:
            ty = T.EnumT(enum)
            values = self._payload_values(e, edef, variant, args, written)
            if values is None:
                return self._failed_constructor(e, args, written, checked=True)
        lit = ast.VariantLit(e.span, ty.enum, variant, values)
        lit.ty = ty
        return lit

    def _pending_variant(self, e, enum: str, variant: str, expected) -> ast.Expr:
        """Check a unit variant of a generic enum whose type arguments a later
        use decides, as in `let mut best = None;` followed by `best = Some(i);`."""
        hole = T.prune(expected) if expected is not None else T.HoleT()
        lit = ast.VariantLit(e.span, "", variant, [])
        lit.ty = hole
        self.pending_variants.append((lit, hole, enum))
        return lit

    def check_pending_use(self, name: str, t, span, expected=None) -> bool:
        """Report a read of local `name` before an assignment decided the type
        of the generic unit variant (`None`) it was made from, unless the
        expected type decides it; return whether it reported."""
        if self.assigning or not isinstance(t, T.HoleT) or t.bound is not None:
            return False
        for lit, hole, enum in self.pending_variants:
            if hole is not t:
                continue
            if isinstance(expected, T.EnumT) and \
                    self.instance_of.get(expected.enum, (None,))[0] == enum and \
                    t == expected:
                return False  # `return best;` in a function returning `Option<usize>`
            base = enum.split("::")[-1]
            example = "i64, String" if base == "Result" else "f64"
            shown = f"{lit.variant}(..)" if lit.args else lit.variant
            self.rep.error(f"type annotations needed for `{name}`", span,
                           help=f"sxc infers the type of `{shown}` from the context or an "
                                f"assignment before the first use; annotate the "
                                f"binding: `let {name}: {base}<{example}> = {shown};`",
                           code="SX0304")
            # the error type, so that the binding's uses report nothing more
            t.bound = T.NEVER
            return True
        return False

    def settle_variants(self) -> None:
        """Give each pending unit variant the enum copy that its hole became;
        report those that nothing decided."""
        pending, self.pending_variants = self.pending_variants, []
        for lit, hole, enum in pending:
            t = T.prune(hole)
            if isinstance(t, T.EnumT) and self.instance_of.get(t.enum, (None,))[0] == enum:
                lit.enum, lit.ty = t.enum, t
                types = [ft for _f, ft in self.program.enums[t.enum].fields[lit.variant]]
                lit.args = [self.coerce_payload(a, ft) for a, ft in zip(lit.args, types)]
                continue
            base = enum.split("::")[-1]
            if isinstance(t, T.NeverT):
                pass  # reported at a use, or a mismatch reported at an assignment
            elif isinstance(t, PartialVariantT):
                missing = [g for g, k in zip(self.generic_enums[enum].generics, t.known)
                           if k is None]
                example = "i64, String" if base == "Result" else "i64"
                self.rep.error(f"type annotations needed: cannot infer the type of "
                               f"`{missing[0]}` in `{base}`", lit.span,
                               help=f"annotate the binding: `let x: {base}<{example}> = ..`; "
                                    "sxc infers it from the value, the expected type and "
                                    "the other values it is compared with", code="SX0304")
            elif isinstance(t, T.HoleT):
                self.rep.error(f"type annotations needed: cannot infer the type of "
                               f"`{lit.variant}`", lit.span,
                               help=f"annotate the binding (`let x: {base}<i64> = "
                                    f"{lit.variant};`) or assign it a value later",
                               code="SX0304")
            else:
                self.rep.error(f"mismatched types: expected `{t}`, found `{base}<_>`",
                               lit.span, code="SX0301")
            lit.ty = T.NEVER

    def _derived_default(self, e, edef, args, written, expected) -> ast.Expr:
        """Check `E::default()` of `#[derive(Default)]`: the variant marked `#[default]`."""
        variant = getattr(edef, "default_variant", None)
        base = getattr(edef, "generic_name", edef.name)
        if written != "tuple" or args:
            self.rep.error(f"`{base}::default` takes no arguments", e.span, code="SX0302")
            return self._failed_constructor(e, args, written)
        if variant is None or edef.payloads.get(variant) is not None:
            self.rep.error(f"no default declared for enum `{base}`", e.span,
                           help="mark a unit variant with `#[default]`", code="SX0302")
            return self._failed_constructor(e, args, written)
        segs = [edef.name, variant]
        return self.variant_constructor(e, segs, [], "unit", expected)

    def coerce_payload(self, e: ast.Expr, target: T.Type) -> ast.Expr:
        """`coerce` for a variant's payload, where `Some(&item)` of an `Option<&T>`, which is
        an `Option<T>` in sxc, reads the item."""
        saved, self.expecting_payload = self.expecting_payload, True
        try:
            return self.coerce(e, target)
        finally:
            self.expecting_payload = saved

    def _failed_constructor(self, e, args, written, checked=False) -> ast.Expr:
        if not checked:
            for a in args:
                self.expr(a[1] if written == "struct" else a, None)
        e.ty = T.NEVER
        return e

    def _ordered_args(self, e, edef, variant, args, written) -> list | None:
        """Return the payload expressions in declaration order, reporting arity and names."""
        names = [f for f, _te in edef.payloads.get(variant, ("unit", []))[1]] \
            if written == "struct" else None
        display_name = variant_display(edef, variant)
        if written != "struct":
            count = len(edef.payloads.get(variant, ("unit", []))[1])
            if len(args) != count:
                self.rep.error(f"this enum variant takes {count} argument"
                               f"{'s' if count != 1 else ''} but {len(args)} argument"
                               f"{'s' if len(args) != 1 else ''} "
                               f"{'was' if len(args) == 1 else 'were'} supplied", e.span,
                               help=f"`{display_name}` takes {count} value{'s' if count != 1 else ''}",
                               code="SX0302")
                for a in args:
                    self.expr(a, None)
                return None
            return list(args)
        named_items = dict(args)
        ok = True
        for fname, value in args:
            if fname not in names:
                self.rep.error(f"variant `{display_name}` has no field named `{fname}`", value.span,
                               help="its fields are " + ", ".join(f"`{n}`" for n in names),
                               code="SX0211")
                self.expr(value, None)
                ok = False
        absent = [n for n in names if n not in named_items]
        if absent:
            listed = ", ".join(f"`{m}`" for m in absent)
            self.rep.error(f"missing field{'s' if len(absent) > 1 else ''} {listed} in "
                           f"initializer of `{display_name}`", getattr(e, "name_span", None) or e.span,
                           code="SX0312")
            ok = False
        if not ok:
            return None
        return [named_items[n] for n in names]

    def _payload_values(self, e, edef, variant, args, written) -> list | None:
        ordered = self._ordered_args(e, edef, variant, args, written)
        if ordered is None:
            return None
        types = [t for _, t in edef.fields[variant]]
        return [self.coerce_payload(self.expr(a, t), t) for a, t in zip(ordered, types)]

    def _generic_constructor(self, e, enum, template, variant, args, written, expected):
        ordered = self._ordered_args(e, template, variant, args, written)
        if ordered is None:
            return None
        env: dict[str, T.Type] = {}
        if expected is not None:
            expected = T.prune(expected)
        if isinstance(expected, T.EnumT) and \
                self.instance_of.get(expected.enum, (None,))[0] == enum:
            env = dict(zip(template.generics, self.instance_of[expected.enum][1]))
        kind, payload = template.payloads.get(variant, ("unit", []))
        patterns = [te for _f, te in payload] if kind == "struct" else list(payload)
        checked = []
        for value, te in zip(ordered, patterns):
            want = self._maybe_resolve(te, env, template.generics)
            value = self.expr(value, want)
            self.unify(te, value.ty, env, template.generics)
            checked.append(value)
        env = {n: T.prune(t) for n, t in env.items()}
        from sxc.monomorphize import _has_hole

        missing = [g for g in template.generics if g not in env or _has_hole(env[g])]
        if missing and isinstance(expected, T.NeverT):
            return None  # the context's type is an error reported already
        if missing and len(missing) < len(template.generics) and _undecided(expected):
            # `Ok(1)` alone: a later use decides the error type
            known = [None if g in missing else env[g] for g in template.generics]
            partial = PartialVariantT(self, enum, known, e.span)
            if expected is not None:
                T.prune(expected) == partial  # binds the hole that the context expects
            lit = ast.VariantLit(e.span, "", variant, checked)
            lit.ty = partial
            lit.partial = True
            self.pending_variants.append((lit, partial, enum))
            return lit
        if missing:
            base = enum.split("::")[-1]
            example = "i64, String" if base == "Result" else \
                ", ".join("i64" for _g in template.generics)
            self.rep.error(f"type annotations needed: cannot infer the type of `{missing[0]}` "
                           f"in `{base}`", e.span,
                           help=f"annotate the binding: `let x: {base}<{example}> = ..`; sxc "
                                "infers it only from the value and the expected type",
                           code="SX0304")
            return None
        ty = self.instantiate_enum(enum, tuple(env[g] for g in template.generics), e.span)
        if not isinstance(ty, T.EnumT):
            return None
        types = [t for _, t in self.program.enums[ty.enum].fields[variant]]
        return ty, [self.coerce_payload(v, t) for v, t in zip(checked, types)]

    # ------------------------------------------------------------ patterns

    def variant_pattern(self, p: ast.VariantPattern, ty: T.Type, bound: dict,
                        match: ast.Match) -> ast.Pattern:
        struct = self._pattern_struct(p.path, T.strip_refs(ty))
        if struct is not None:
            items = self._struct_items(p, struct)
            if items is None:
                p.ty = None
                return p
            fields = ast.TuplePattern(p.span, items)
            fields.struct = struct
            if isinstance(ty, T.RefT):
                inner: ast.Pattern = ast.DerefPattern(p.span, fields)
                return self.check_pattern(inner, ty, bound, match)
            return self.check_pattern(fields, ty, bound, match)
        outer = self.binding_ref
        p.ty = ty
        p.deref = False
        subject = ty
        if isinstance(subject, T.RefT):
            # a reference matched by a variant pattern: the bindings inside become references
            p.deref = True
            self.binding_ref = subject.mutable if outer is None else outer and subject.mutable
            subject = subject.inner
        try:
            return self._variant_pattern(p, subject, bound, match)
        finally:
            self.binding_ref = outer

    def _pattern_struct(self, path: list[str], subject: T.Type) -> str | None:
        """Return the struct that a pattern `S { .. }` or `S(..)` names, when `subject`
        is a value of it; None for enum variants."""
        if not isinstance(subject, T.StructT) or len(path) != 1:
            return None
        name = self.self_struct if path[0] == "Self" else path[0]
        if subject.struct == name or self.instance_of.get(subject.struct, (None,))[0] == name:
            return subject.struct
        return None

    def _struct_items(self, p: ast.VariantPattern, struct: str) -> list | None:
        """Return the patterns of a struct pattern for the fields in their order, `_`
        for the fields that `..` leaves out."""
        fields = list(self.structs.get(struct, {}))
        label = self.type_label(struct)
        if p.fields is not None:
            named = dict(p.fields)
            unknown = [name for name in named if name not in fields]
            if unknown:
                self.rep.error(f"struct `{label}` does not have a field named `{unknown[0]}`",
                               p.span, code="SX0211")
                return None
            missing = [name for name in fields if name not in named]
            if missing and not p.rest:
                self.rep.error(f"pattern does not mention field `{missing[0]}`", p.span,
                               help="add the field, or `..` to leave out the others",
                               code="SX0503")
                return None
            return [named.get(name) or ast.WildPattern(p.span) for name in fields]
        items = [i for i in p.items if not isinstance(i, ast.RestPattern)]
        rests = [i for i, item in enumerate(p.items) if isinstance(item, ast.RestPattern)]
        if rests and len(items) <= len(fields):
            at = rests[0]
            return items[:at] + [ast.WildPattern(p.span)] * (len(fields) - len(items)) + \
                items[at:]
        if len(items) != len(fields):
            self._field_count_error(len(items), f"tuple struct `{label}`", len(fields), p.span)
            return None
        return items

    def _field_count_error(self, written: int, what: str, declared: int, span) -> None:
        """Report a tuple pattern with another number of fields than its type declares."""
        self.rep.error(f"this pattern has {written} field{'s' if written != 1 else ''}, but "
                       f"the corresponding {what} has {declared} "
                       f"field{'s' if declared != 1 else ''}", span, code="SX0503")

    def _variant_pattern(self, p, ty, bound, match):
        found = self.resolve_variant(p.path)
        if found is None:
            self.rep.error(f"cannot find tuple struct or tuple variant `{'::'.join(p.path)}` "
                           "in this scope", p.span, code="SX0201")
            p.ty = None
            return p
        if found[0] == "error":
            self._unknown_variant(found[1], p.path[-1], p.span)
            p.ty = None
            return p
        enum, variant = found
        written_def = self.program.enums.get(enum) or self.generic_enums[enum]
        edef = self.data_enum(ty)
        if edef is None or (ty.enum != enum and
                            self.instance_of.get(ty.enum, (None,))[0] != enum):
            base = enum.split("::")[-1]
            self._pattern_mismatch(p, ty, f"`{base}`", match)
            p.ty = None
            return p
        display_name = variant_display(written_def, variant)
        kind = edef.kinds[variant]
        fields = edef.fields[variant]
        written = "struct" if p.fields is not None else ("unit" if getattr(p, "unit", False)
                                                         else "tuple")
        items = self._variant_items(p, display_name, kind, written, [f for f, _ in fields])
        if items is None:
            p.ty = None
            return p
        p.enum, p.variant = ty.enum, variant
        p.index = list(edef.kinds).index(variant)
        p.items = [self.check_pattern(item, ft, bound, match)
                   for item, (_f, ft) in zip(items, fields)]
        p.fields = None
        if any(i.ty is None for i in p.items):
            p.ty = None
        return p

    def _variant_items(self, p, display_name, kind, written, names) -> list | None:
        """Return one pattern per payload item, `_` where the pattern leaves one out."""
        if written == "unit":
            if kind != "unit":
                form = "tuple" if kind == "tuple" else "struct"
                fix = f"`{display_name}(..)`" if kind == "tuple" else f"`{display_name} {{ .. }}`"
                self.rep.error(f"expected unit struct, unit variant or constant, found {form} "
                               f"variant `{display_name}`", p.span, help=f"match its payload: {fix}",
                               code="SX0503")
                return None
            return []
        if written == "struct":
            named_items = {}
            for fname, sub in p.fields:
                if fname not in names:
                    if kind == "tuple" and fname.isdigit() and int(fname) < len(names):
                        named_items[names[int(fname)]] = sub
                        continue
                    self.rep.error(f"variant `{display_name}` does not have a field named `{fname}`",
                                   sub.span, code="SX0503")
                    return None
                named_items[fname] = sub
            absent = [n for n in names if n not in named_items]
            if absent and not p.rest:
                listed = ", ".join(f"`{n}`" for n in absent)
                self.rep.error(f"pattern does not mention field{'s' if len(absent) > 1 else ''} "
                               f"{listed}", p.span,
                               help="name the fields, or write `..` to leave them out",
                               code="SX0503")
                return None
            return [named_items.get(n) or ast.WildPattern(p.span) for n in names]
        if kind == "struct":
            self.rep.error(f"expected tuple struct or tuple variant, found struct variant "
                           f"`{display_name}`", p.span, help=f"name its fields: `{display_name} {{ .. }}`",
                           code="SX0503")
            return None
        items = list(p.items)
        rests = [i for i, item in enumerate(items) if isinstance(item, ast.RestPattern)]
        if len(rests) > 1:
            self.rep.error("`..` can only be used once per tuple variant pattern",
                           items[rests[1]].span, code="SX0503")
            return None
        if rests:
            at = rests[0]
            fill = len(names) - (len(items) - 1)
            if fill < 0:
                fill = -1
            else:
                items = items[:at] + [ast.WildPattern(p.span)] * fill + items[at + 1:]
        if len(items) != len(names):
            self._field_count_error(len(items), f"tuple variant `{display_name}`", len(names),
                                    p.span)
            return None
        return items

    def enum_domain(self, edef: ast.EnumDef):
        names, kinds, fields, items = [], [], [], []
        for variant in edef.kinds:
            names.append(variant_display(edef, variant))
            kinds.append(edef.kinds[variant])
            fields.append(tuple(f for f, _ in edef.fields[variant]))
            items.append(tuple(self._payload_domain(ft) for _, ft in edef.fields[variant]))
        return P.EnumDomain(tuple(names), tuple(kinds), tuple(fields), tuple(items))

    def _payload_domain(self, t: T.Type):
        """Return the pattern domain of a payload, `OPAQUE` where no pattern but `_` or a
        binding fits: a tuple of an `f64` and an `i64` is a tuple of the two domains, so
        that `Ok((key, value))` destructures it.  Patterns do not reach into a `Box`."""
        if isinstance(t, T.BoxT):
            return P.OPAQUE
        t = T.strip_refs(t)
        domain = self.match_domain(t)
        if domain is None and isinstance(t, T.TupleT):
            return P.TupleDomain(tuple(self._payload_domain(i) for i in t.items))
        if domain is None and isinstance(t, T.StructT) and t.struct in self.structs and \
                not self._contains_by_value(t.struct, t.struct, True):
            # `Some(State { cost, node })`: the fields, as a tuple of them
            return P.TupleDomain(tuple(self._payload_domain(ft)
                                       for ft in self.structs[t.struct].values()))
        return domain or P.OPAQUE

    def option_method(self, e: ast.MethodCall, base: T.EnumT, expected) -> ast.Expr | None:
        """Check the methods of `Option` that the checker writes in place.

        `unwrap` and `expect` become a `match` at the call, so that the panic names the
        caller's line, as Rust's `#[track_caller]` does; `copied` and `cloned` read
        through a reference in the payload.  Return None for the prelude's methods.
        """
        span = e.span
        if e.method in ("unwrap", "expect"):
            if len(e.args) != (1 if e.method == "expect" else 0):
                return None
            # Rust reports the panic at the method name
            at = e.method_span or span
            if e.method == "unwrap":
                text = "called `Option::unwrap()` on a `None` value"
                panic = ast.MacroCall(at, "panic", [ast.StrLit(at, text)])
            else:
                panic = ast.MacroCall(at, "panic", [ast.StrLit(at, "{}"), e.args[0]])
            value = "__option_value"
            arms = [ast.MatchArm(span, ast.VariantPattern(span, [base.enum, "Some"],
                                                          [ast.NamePattern(span, value)]),
                                 None, ast.Path(span, [value])),
                    ast.MatchArm(span, ast.WildPattern(span), None, panic)]
            e.receiver.checked = True
            match = ast.Match(span, e.receiver, arms)
            match.let_form = "derived"
            return self.expr(match, None)
        if e.method in ("copied", "cloned") and not e.args:
            item = self.program.enums[base.enum].fields["Some"][0][1]
            if not isinstance(item, T.RefT) and not (e.method == "cloned"
                                                      and self._holds_vec(item)):
                # `map.get(&k).copied()`: `Option<&T>` is an `Option<T>` in sxc.  An
                # item that owns a `Vec` is cloned below, so the copy has its own.
                e.receiver.checked = True
                return e.receiver
            value = "__option_value"
            some = ast.Call(span, ast.Path(span, ["Some"]),
                            [ast.Unary(span, "*", ast.Path(span, [value]))]) \
                if e.method == "copied" else \
                ast.Call(span, ast.Path(span, ["Some"]),
                         [ast.MethodCall(span, ast.Path(span, [value]), "clone", [], [], span)])
            arms = [ast.MatchArm(span, ast.VariantPattern(span, [base.enum, "Some"],
                                                          [ast.NamePattern(span, value)]),
                                 None, some),
                    ast.MatchArm(span, ast.WildPattern(span), None, ast.Path(span, ["None"]))]
            e.receiver.checked = True
            match = ast.Match(span, e.receiver, arms)
            match.let_form = "derived"
            return self.expr(match, None)
        if e.method == "flatten" and not e.args:
            item = T.prune(self.program.enums[base.enum].fields["Some"][0][1])
            if self.instance_of.get(getattr(item, "enum", None), (None,))[0] != "Option":
                return None  # no method `flatten` on an `Option` of something else
            # `Some(Some(x))` is `Some(x)`; `Some(None)` and `None` are `None`
            value = "__option_value"
            arms = [ast.MatchArm(span, ast.VariantPattern(span, [base.enum, "Some"],
                                                          [ast.NamePattern(span, value)]),
                                 None, ast.Path(span, [value])),
                    ast.MatchArm(span, ast.WildPattern(span), None, ast.Path(span, ["None"]))]
            e.receiver.checked = True
            match = ast.Match(span, e.receiver, arms)
            match.let_form = "derived"
            return self.expr(match, expected)
        if e.method == "as_deref" and not e.args:
            # `Option<&T>` is an `Option<T>` in sxc, so `as_deref` of an
            # `Option<Box<T>>` copies the boxed value, and of any other `Option` is
            # `as_ref`
            item = self.program.enums[base.enum].fields["Some"][0][1]
            value = "__option_value"
            payload = ast.Unary(span, "*", ast.Path(span, [value]))
            if isinstance(item, T.BoxT):
                payload = ast.Unary(span, "*", payload)
            arms = [ast.MatchArm(span, ast.VariantPattern(span, [base.enum, "Some"],
                                                          [ast.NamePattern(span, value)]),
                                 None, ast.Call(span, ast.Path(span, ["Some"]), [payload])),
                    ast.MatchArm(span, ast.WildPattern(span), None, ast.Path(span, ["None"]))]
            e.receiver.checked = True
            match = ast.Match(span, _borrow(e.receiver), arms)
            match.let_form = "derived"
            return self.expr(match, None)
        return None

    # ------------------------------------------------------------ library functions

    def _option_if(self, span, stmts: list, test: ast.Expr, value: ast.Expr,
                   expected) -> ast.Expr:
        """Check `{ stmts; if test { Some(value) } else { None } }`."""
        some = ast.Block(span, [], ast.Call(span, ast.Path(span, ["Some"]), [value]))
        none = ast.Block(span, [], ast.Path(span, ["None"]))
        if not isinstance(expected, T.EnumT):
            expected = None  # such as the parse result that `.unwrap()` expects of its receiver
        return self.expr(ast.Block(span, stmts, ast.If(span, test, some, none)), expected)

    def option_pop(self, e: ast.MethodCall, expected) -> ast.Expr:
        """Check `v.pop()`: `Some` of the last element, removed, or `None` when empty."""
        span = e.span
        seq = self._fresh_name("seq")
        receiver = _borrow_mut(e.receiver)
        pop = ast.MethodCall(span, ast.Path(span, [seq]), "pop", [], [], e.method_span)
        pop.raw_pop = True
        test = ast.Binary(span, ">", _len(span, seq), ast.IntLit(span, 0, "usize"))
        return self._option_if(span, [_let(span, seq, receiver)], test, pop, expected)

    def option_element(self, e: ast.MethodCall, name: str, expected,
                       by_value: bool = False) -> ast.Expr:
        """Check `first`, `last` and `get(i)` of a sequence: `Some(&element)` or `None`."""
        span = e.span
        seq = self._fresh_name("seq")
        stmts = [_let(span, seq, _borrow(e.receiver))]
        zero = ast.IntLit(span, 0, "usize")
        if name == "get":
            index = self._fresh_name("index")
            stmts.append(_let(span, index, e.args[0]))
            at: ast.Expr = ast.Path(span, [index])
            test = ast.Binary(span, "<", ast.Path(span, [index]), _len(span, seq))
        else:
            test = ast.Binary(span, ">", _len(span, seq), zero)
            at = zero if name == "first" else \
                ast.Binary(span, "-", _len(span, seq), ast.IntLit(span, 1, "usize"))
        item: ast.Expr = ast.Index(span, ast.Path(span, [seq]), at)
        if not by_value:
            item = ast.Ref(span, item, False)
        return self._option_if(span, stmts, test, item, expected)

    def option_str_search(self, e: ast.MethodCall, expected) -> ast.Expr:
        """Check `s.find(p)`, `s.strip_prefix(p)` and `s.strip_suffix(p)`, which the
        prelude's `__str_find`, `__str_strip_prefix` and `__str_strip_suffix` compute."""
        span = e.span
        pattern = self.expr(e.args[0], None)
        if T.prune(pattern.ty) == T.CHAR:
            pattern = ast.Ref(span, ast.MethodCall(span, pattern, "to_string", [], [], span),
                              False)
        e.receiver.checked = True
        call = ast.Call(span, ast.Path(span, [f"__str_{e.method}"]), [e.receiver, pattern])
        return self.expr(call, expected)

    def parse_option(self, e: ast.MethodCall, base: T.ParseResultT, expected) -> ast.Expr:
        """Check `s.parse::<T>().ok()`, and `is_ok`, `is_err`, `unwrap_or` and
        `unwrap_or_default` as the same methods of that `Option`."""
        span = e.span
        option = self.instantiate_enum("Option", (base.value,), span)
        if not isinstance(option, T.EnumT):
            e.ty = T.NEVER
            return e
        ok = ast.MethodCall(span, e.receiver, "ok", [], [], e.method_span)
        ok.target, ok.ty = ("builtin", "parse_ok"), option
        if e.method == "ok":
            if e.args:
                self.check_args(e.args, [], span, "`ok`")
            return ok
        ok.checked = True
        name = {"is_ok": "is_some", "is_err": "is_none"}.get(e.method, e.method)
        return self.expr(ast.MethodCall(span, ok, name, e.args, [], e.method_span), expected)

    def option_checked(self, e: ast.MethodCall, base: T.IntT, expected) -> ast.Expr:
        """Check `a.checked_add(b)` and its kin: `None` where the operation overflows or
        divides by zero."""
        span = e.span
        a, b = self._fresh_name("lhs"), self._fresh_name("rhs")
        e.receiver.checked = True
        receiver = e.receiver
        if isinstance(receiver.ty, T.RefT):
            receiver = ast.Unary(span, "*", receiver)
        typed = ast.ResolvedType(span, base)
        op = e.method[len("checked_"):]
        stmts = [ast.Let(span, ast.NamePattern(span, a), typed, receiver)]
        if op in ("neg", "abs"):
            pair = self._fresh_name("pair")
            stmts.append(_let(span, pair, ast.MethodCall(span, ast.Path(span, [a]),
                                                         f"overflowing_{op}", [], [], span)))
            test = ast.Unary(span, "!", ast.TupleField(span, ast.Path(span, [pair]), 1))
            value = ast.TupleField(span, ast.Path(span, [pair]), 0)
            return self._option_if(span, stmts, test, value, expected)
        # the exponent of `pow` is a `u32`, as in Rust
        rhs_type = ast.ResolvedType(span, T.U32) if op == "pow" else typed
        stmts.append(ast.Let(span, ast.NamePattern(span, b), rhs_type, e.args[0]))
        if op in ("div", "rem"):
            test: ast.Expr = ast.Binary(span, "!=", ast.Path(span, [b]), ast.IntLit(span, 0))
            if base.signed:
                overflow = ast.Binary(span, "&&", ast.Binary(
                    span, "==", ast.Path(span, [a]), ast.Path(span, [str(base), "MIN"])),
                    ast.Binary(span, "==", ast.Path(span, [b]),
                               ast.Unary(span, "-", ast.IntLit(span, 1))))
                test = ast.Binary(span, "&&", test, ast.Unary(span, "!", overflow))
            value: ast.Expr = ast.Binary(span, "/" if op == "div" else "%",
                                         ast.Path(span, [a]), ast.Path(span, [b]))
            return self._option_if(span, stmts, test, value, expected)
        pair = self._fresh_name("pair")
        stmts.append(_let(span, pair, ast.MethodCall(span, ast.Path(span, [a]),
                                                     f"overflowing_{op}",
                                                     [ast.Path(span, [b])], [], span)))
        test = ast.Unary(span, "!", ast.TupleField(span, ast.Path(span, [pair]), 1))
        value = ast.TupleField(span, ast.Path(span, [pair]), 0)
        return self._option_if(span, stmts, test, value, expected)

    def _fresh_name(self, stem: str) -> str:
        self.eq_temps += 1
        return f"__option_{stem}{self.eq_temps}"

    # ------------------------------------------------------------ derived traits

    def data_enum_eq(self, e: ast.Binary, edef: ast.EnumDef) -> ast.Expr:
        """Check `a == b` on an enum with data: same variant and equal payloads."""
        span = e.span
        if "PartialEq" not in edef.derives:
            base = getattr(edef, "generic_name", edef.name)
            self.rep.error(f"binary operation `{e.op}` cannot be applied to type `{base}`",
                           e.op_span or span,
                           help=f"add `#[derive(PartialEq)]` above `enum {base}`", code="SX0305")
            e.ty = T.BOOL
            return e
        e.left.checked = True
        e.right.checked = True
        if self.enum_contains_itself(edef):
            # the payloads compare through this same `==`, so the match goes into
            # a function of its own rather than inline, where it would never end
            test = self.expr(ast.Call(span, ast.Path(span, [self.enum_eq_function(edef, span)]),
                                      [_borrow(e.left), _borrow(e.right)]), T.BOOL)
        else:
            pair = ast.TupleLit(span, [_borrow(e.left), _borrow(e.right)])
            test = self.expr(self.enum_eq_match(edef, span, e.op_span, pair), T.BOOL)
        if e.op == "!=":
            test = ast.Unary(span, "!", test)
            test.ty = T.BOOL
        return test

    def data_enum_order(self, e: ast.Binary, edef: ast.EnumDef) -> ast.Expr:
        """Check `a < b` (or `<=`, `>`, `>=`) on an enum with data that derives
        `PartialOrd`: by variant in declaration order, then by the payloads in order."""
        span, op = e.span, e.op
        e.left.checked = True
        e.right.checked = True
        arms = []
        for variant in edef.kinds:
            count = len(edef.fields[variant])
            names = [(f"__ord_a{i}", f"__ord_b{i}") for i in range(count)]
            left = [ast.NamePattern(span, a) for a, _ in names]
            right = [ast.NamePattern(span, b) for _, b in names]

            def payload(side: int) -> ast.Expr:
                items = [ast.Unary(span, "*", ast.Path(span, [pair[side]])) for pair in names]
                return items[0] if count == 1 else ast.TupleLit(span, items)

            test: ast.Expr = ast.Binary(span, op, payload(0), payload(1), e.op_span) if count \
                else ast.BoolLit(span, op in ("<=", ">="))
            pattern = ast.TuplePattern(span, [self._payload_pattern(span, edef, variant, left),
                                              self._payload_pattern(span, edef, variant, right)])
            arms.append(ast.MatchArm(span, pattern, None, test))
        if len(edef.kinds) > 1:
            def rank(name: str) -> ast.Match:
                ranks = [ast.MatchArm(span, self._payload_pattern(
                    span, edef, variant, [ast.WildPattern(span)] * len(edef.fields[variant])),
                    None, ast.IntLit(span, i, "i64")) for i, variant in enumerate(edef.kinds)]
                return ast.Match(span, ast.Path(span, [name]), ranks)

            different = ast.Binary(span, op, rank("__ord_x"), rank("__ord_y"), e.op_span)
            arms.append(ast.MatchArm(span, ast.TuplePattern(
                span, [ast.NamePattern(span, "__ord_x"), ast.NamePattern(span, "__ord_y")]),
                None, different))
        match = ast.Match(span, ast.TupleLit(span, [_borrow(e.left), _borrow(e.right)]), arms)
        match.let_form = "derived"
        return self.expr(match, T.BOOL)

    def enum_eq_match(self, edef: ast.EnumDef, span, op_span, pair: ast.TupleLit) -> ast.Match:
        """Return the match that compares the two values of a data enum in `pair`."""
        arms = []
        for variant in edef.kinds:
            count = len(edef.fields[variant])
            left = [ast.NamePattern(span, f"__eq_a{i}") for i in range(count)]
            right = [ast.NamePattern(span, f"__eq_b{i}") for i in range(count)]
            test: ast.Expr = ast.BoolLit(span, True)
            for i in range(count):
                same = ast.Binary(span, "==",
                                  ast.Unary(span, "*", ast.Path(span, [f"__eq_a{i}"])),
                                  ast.Unary(span, "*", ast.Path(span, [f"__eq_b{i}"])),
                                  op_span)
                test = same if i == 0 else ast.Binary(span, "&&", test, same, op_span)
            pattern = ast.TuplePattern(span, [self._payload_pattern(span, edef, variant, left),
                                              self._payload_pattern(span, edef, variant, right)])
            arms.append(ast.MatchArm(span, pattern, None, test))
        if len(edef.kinds) > 1:
            arms.append(ast.MatchArm(span, ast.WildPattern(span), None, ast.BoolLit(span, False)))
        match = ast.Match(span, pair, arms)
        match.let_form = "derived"
        return match

    def enum_eq_function(self, edef: ast.EnumDef, span) -> str:
        """Return the name of the function `fn(a: &E, b: &E) -> bool` that compares
        two values of the data enum `E`, making it on first use."""
        from sxc.monomorphize import Instance
        from sxc.typecheck import Sig

        key = f"__derived_eq__{edef.name}"
        if key in self.sigs:
            return key
        ref = T.RefT(T.EnumT(edef.name), False)
        params = [ast.Param(span, name, ast.ResolvedType(span, ref)) for name in ("a", "b")]
        pair = ast.TupleLit(span, [ast.Path(span, ["a"]), ast.Path(span, ["b"])])
        body = ast.Block(span, [], self.enum_eq_match(edef, span, span, pair))
        fn = ast.FnDef(span, key, params, ast.ResolvedType(span, T.BOOL), body, None, [],
                       False, span)
        fn.origin = self.derived_origin(edef)
        fn.derived = "PartialEq"
        fn.sig = self.sigs[key] = Sig([ref, ref], T.BOOL, None, None)
        self.program.functions[key] = fn
        self.instances.append(Instance(key, fn, {}, span, f"{edef.name}::eq",
                                       self.instance_depth))
        return key

    def derived_origin(self, edef: ast.EnumDef) -> str:
        """Return the origin of a function derived for `edef`: the program's own for a
        copy of a generic enum such as `Option<Box<Node>>`, which `sxc lower` prints."""
        return "user" if edef.name in self.instance_of else getattr(edef, "origin", "user")

    def enum_contains_itself(self, edef: ast.EnumDef) -> bool:
        return contains_itself(self.program, edef.name,
                               lambda s: list(self.structs.get(s, {}).values()))

    def data_enum_clone(self, e: ast.MethodCall, edef: ast.EnumDef) -> ast.Expr:
        """Check `x.clone()` of an enum with data: the same variant with cloned payloads.

        An enum that contains itself (through a `Box`) is cloned by a function of
        its own, which calls itself for the boxes inside.
        """
        span = e.span
        if self.enum_contains_itself(edef):
            e.receiver.checked = True
            call = ast.Call(span, ast.Path(span, [self.enum_clone_function(edef, span)]),
                            [_borrow(e.receiver)])
            return self.expr(call, T.EnumT(edef.name))
        return self.expr(self.enum_clone_match(edef, span, _borrow(e.receiver)),
                         T.EnumT(edef.name))

    def enum_clone_function(self, edef: ast.EnumDef, span) -> str:
        """Return the name of the function `fn(a: &E) -> E` that clones a value of the
        data enum `E`, making it on first use."""
        from sxc.monomorphize import Instance
        from sxc.typecheck import Sig

        key = f"__derived_clone__{edef.name}"
        if key in self.sigs:
            return key
        ref = T.RefT(T.EnumT(edef.name), False)
        params = [ast.Param(span, "a", ast.ResolvedType(span, ref))]
        body = ast.Block(span, [], self.enum_clone_match(edef, span, ast.Path(span, ["a"])))
        result = T.EnumT(edef.name)
        fn = ast.FnDef(span, key, params, ast.ResolvedType(span, result), body, None, [],
                       False, span)
        fn.origin = self.derived_origin(edef)
        fn.derived = "Clone"
        fn.sig = self.sigs[key] = Sig([ref], result, None, None)
        self.program.functions[key] = fn
        self.instances.append(Instance(key, fn, {}, span, f"{edef.name}::clone",
                                       self.instance_depth))
        return key

    def enum_clone_match(self, edef: ast.EnumDef, span, subject: ast.Expr) -> ast.Match:
        """Return the match that rebuilds the value of a data enum in `subject` from
        clones of its payloads."""
        arms = []
        for variant in edef.kinds:
            count = len(edef.fields[variant])
            names = [f"__clone_item{i}" for i in range(count)]
            pattern = self._payload_pattern(span, edef, variant,
                                            [ast.NamePattern(span, n) for n in names])
            values = [ast.MethodCall(span, ast.Path(span, [n]), "clone", [], [], span)
                      for n in names]
            lit = ast.VariantLit(span, edef.name, variant, values)
            arms.append(ast.MatchArm(span, pattern, None, lit))
        match = ast.Match(span, subject, arms)
        match.let_form = "derived"
        match.variant_values = True
        return match

    def _payload_pattern(self, span, edef, variant, items) -> ast.VariantPattern:
        p = ast.VariantPattern(span, [edef.name, variant], items)
        p.unit = edef.kinds[variant] == "unit"
        if edef.kinds[variant] == "struct":
            p.fields = [(f, item) for (f, _t), item in zip(edef.fields[variant], items)]
            p.items = []
        return p

    def e_Try(self, e: ast.Try, expected):
        """Check `value?` on an `Option` or a `Result`: its payload, or an early
        `return None` or `return Err(error)`."""
        span = e.span
        wanted = None
        if isinstance(e.value, ast.MethodCall) and expected is not None and \
                not isinstance(expected, T.NeverT) and (
                    e.value.method == "parse" or e.value.method in ("map_err", "or_else")
                    and isinstance(e.value.receiver, ast.MethodCall)
                    and e.value.receiver.method == "parse"):
            # `let x: f64 = s.parse()?;` parses into the declared type, as `unwrap` does
            wanted = T.ParseResultT(expected)
        elif isinstance(e.value, ast.MethodCall) and e.value.method == "ok" and \
                not e.value.args and isinstance(e.value.receiver, ast.MethodCall) and \
                e.value.receiver.method == "parse" and not e.value.receiver.type_args and \
                expected is not None and not isinstance(expected, (T.NeverT, T.HoleT)):
            # `let n: i32 = s.parse().ok()?;` parses into the declared type too
            wanted = self.instantiate_enum("Option", (expected,), span)
        value = self.expr(e.value, wanted)
        if isinstance(value.ty, T.NeverT):
            e.ty = T.NEVER
            return e
        if isinstance(value.ty, T.ParseResultT):
            value = self.parse_result(value)
            if isinstance(value.ty, T.NeverT):
                e.ty = T.NEVER
                return e
        if self.result_args(value.ty) is not None:
            return self._try_result(e, value, expected)
        label = getattr(e, "closure_label", None)
        returns_option = self.instance_of.get(getattr(self.ret_type, "enum", None),
                                              (None,))[0] == "Option"
        is_option = self.instance_of.get(getattr(T.strip_refs(value.ty), "enum", None),
                                         (None,))[0] == "Option"
        if not is_option:
            self.rep.error(f"sxc does not support the `?` operator on `{value.ty}`, only on "
                           "an `Option` or a `Result`", span,
                           help="match on the value instead", code="SX0801")
            e.ty = T.NEVER
            return e
        if not returns_option and label is None:
            self.rep.error("the `?` operator can only be used on `Option`s in a function "
                           "that returns `Option`", span,
                           help=f"this function returns `{self.ret_type}`; match on the value "
                                "instead", code="SX0301")
            e.ty = T.NEVER
            return e
        name = self._fresh_name("value")
        value.checked = True
        # in a closure, `?` leaves the closure's labelled block instead
        stop = ast.Return(span, ast.Path(span, ["None"])) if label is None else \
            ast.Break(span, label, ast.Path(span, ["None"]))
        arms = [ast.MatchArm(span, ast.VariantPattern(span, ["Some"],
                                                      [ast.NamePattern(span, name)]),
                             None, ast.Path(span, [name])),
                ast.MatchArm(span, ast.WildPattern(span), None, stop)]
        match = ast.Match(span, value, arms)
        match.let_form = "derived"
        return self.expr(match, expected)

    def e_VariantLit(self, e: ast.VariantLit, expected):
        """Check a constructor that the checker built itself, such as a derived `clone`."""
        edef = self.program.enums[e.enum]
        types = [t for _, t in edef.fields[e.variant]]
        e.args = [self.coerce(self.expr(a, t), t) for a, t in zip(e.args, types)]
        e.ty = T.EnumT(e.enum)
        return e


def contains_itself(program, enum: str, struct_fields) -> bool:
    """Return whether a payload of the data enum `enum` contains a value of the same
    enum, as `enum Expr { Add(Vec<Expr>) }` does through the `Vec`.
    `struct_fields(name)` lists the field types of a struct."""
    edef = program.enums[enum]
    known = getattr(edef, "contains_itself", None)
    if known is None:
        known = edef.contains_itself = reaches_itself(program, edef, struct_fields, True)
    return known


def reaches_itself(program, edef: ast.EnumDef, struct_fields, through_vec: bool) -> bool:
    """Return whether the payloads of `edef` contain `edef` again: by value (in arrays,
    tuples, structs and other enums), and with `through_vec` also in `Vec`s, slices
    and references."""
    pending = [t for fields in edef.fields.values() for _, t in fields]
    visited: set[str] = set()
    while pending:
        t = pending.pop()
        if isinstance(t, T.ArrayT) or through_vec and isinstance(t, (T.VecT, T.SliceT)):
            pending.append(t.elem)
        elif through_vec and isinstance(t, T.RefT):
            pending.append(t.inner)
        elif isinstance(t, T.TupleT):
            pending.extend(t.items)
        elif isinstance(t, T.StructT) and t.struct not in visited:
            visited.add(t.struct)
            pending.extend(struct_fields(t.struct))
        elif isinstance(t, T.EnumT):
            if t.enum == edef.name:
                return True
            inner = program.enums.get(t.enum)
            if inner is not None and t.enum not in visited and hasattr(inner, "fields"):
                visited.add(t.enum)
                pending.extend(ft for fields in inner.fields.values() for _, ft in fields)
    return False


def _let(span, name: str, value: ast.Expr) -> ast.Let:
    return ast.Let(span, ast.NamePattern(span, name), None, value)


def _len(span, name: str) -> ast.MethodCall:
    return ast.MethodCall(span, ast.Path(span, [name]), "len", [], [], span)


def _borrow_mut(value: ast.Expr) -> ast.Expr:
    value.checked = True
    if isinstance(getattr(value, "ty", None), T.RefT):
        return value
    return ast.Ref(value.span, value, True)


def _borrow(value: ast.Expr) -> ast.Expr:
    value.checked = True
    if isinstance(getattr(value, "ty", None), T.RefT):
        return value
    return ast.Ref(value.span, value, False)
