"""Typecheck of enums and `match`, mixed into the checker of `sxc.typecheck`.

An enum without data is a set of named integers (its discriminants):

    enum Color { Red, Green = 5, Blue }    ->  Red = 0, Green = 5, Blue = 6

Its values compare with `==` and `!=`, cast to integers with `as`, print their
variant name with `{:?}` and have methods in `impl Color { .. }`.

A `match` is checked arm by arm: each pattern against the type of the value
matched (binding its names in the arm's scope), each guard as a `bool`, and
the arm values joined into one type as the arms of an `if` are.  The
patterns then become spaces (`sxc.patterns`): a value that no arm covers is
an error that lists what is missing, and an arm that earlier arms already
cover gets a warning.  Every pattern node gets `ty`; value and range
patterns also get `space`, and a value pattern its typed `value`.
"""

from __future__ import annotations

import copy

from sxc import ast
from sxc import patterns as P
from sxc import types as T
from sxc import slice_patterns

MATCH_HELP = "sxc matches integers, `bool`, `char`, strings, enums and tuples of them"
CHAR_MAX = 0x10FFFF
# the surrogate code points, which are no `char`: a match need not cover them
SURROGATES = ("range", 0xD800, 0xDFFF)


def _int_bounds(t: T.IntT) -> tuple[int, int]:
    if T.is_char(t):
        return 0, CHAR_MAX
    if t.signed:
        return -(1 << (t.bits - 1)), (1 << (t.bits - 1)) - 1
    return 0, (1 << t.bits) - 1


class MatchChecks:
    """Methods of `Checker` for enums and `match`."""

    # ------------------------------------------------------------ enums

    def declare_enums(self) -> None:
        """Give every enum its discriminants, before any type names one."""
        for name, edef in self.program.enums.items():
            if not edef.variants:
                self.rep.error("sxc does not support enums without variants",
                               edef.name_span or edef.span,
                               help="an enum needs at least one variant to have a value",
                               code="SX0801")
            values: dict[str, int] = {}
            owners: dict[int, tuple[str, object]] = {}
            next_value = 0
            for vname, expr, vspan in edef.variants:
                value = next_value if expr is None else self._discriminant(expr)
                if vname in values:
                    self.rep.error(f"the variant `{vname}` is defined more than once", vspan,
                                   code="SX0203")
                    continue
                if value in owners:
                    first, first_span = owners[value]
                    self.rep.error(f"discriminant value `{value}` is assigned more than once",
                                   vspan, notes=[(f"`{first}` has it already", first_span)],
                                   code="SX0506")
                if not -(1 << 63) <= value < (1 << 63):
                    self.rep.error(f"discriminant value `{value}` does not fit an `isize`",
                                   vspan, code="SX0506")
                    value = 0
                values[vname] = value
                owners.setdefault(value, (vname, vspan))
                next_value = value + 1
            edef.discriminants = values

    def _discriminant(self, e: ast.Expr) -> int:
        value = _const_eval(e, self.program.consts, set())
        if value is None:
            self.rep.error("an enum discriminant must be a constant integer", e.span,
                           code="SX0506")
            return 0
        return value

    def owner_type(self, name: str) -> T.Type:
        """Return the type of `Self` in an `impl` of `name`, a struct or an enum."""
        if name in T.PRIMITIVES:
            return T.PRIMITIVES[name]  # `impl Shape for f64`
        return T.EnumT(name) if name in self.program.enums else T.StructT(name)

    def variant_value(self, e: ast.Path) -> ast.Path | None:
        """Type `Color::Red`, `Self::Red` or an imported `Red`; None for other paths."""
        segs = e.segments
        if len(segs) == 1:
            enum = self.program.variant_imports.get(segs[0])
            variant = segs[0]
        else:
            enum, variant = segs[-2], segs[-1]
            if enum == "Self" and self.self_struct in self.program.enums:
                enum = self.self_struct
        edef = self.program.enums.get(enum)
        if edef is None:
            return None
        if variant not in edef.discriminants:
            if f"{enum}::{variant}" in self.sigs or f"{enum}::{variant}" in self.consts:
                return None  # `Color::from_index` or the associated constant `Color::ALL`
            names = ", ".join(f"`{v}`" for v in edef.discriminants)
            self.rep.error(f"no variant named `{variant}` in enum `{enum}`", e.span,
                           help=f"its variants are {names}", code="SX0208")
            e.ty = T.NEVER
            return e
        e.ty = T.EnumT(enum)
        e.target = ("variant", f"{enum}::{variant}")
        return e

    def option_borrow(self, scrutinee: ast.Expr) -> ast.Expr:
        """Return `&mut opt` for a matched `opt.as_mut()` (`&opt` for `as_ref()`) of an
        `Option`.

        sxc has no `Option<&mut T>`, but matching `Some(x)` on a reference to the
        `Option` binds `x` as the same reference into the payload.
        """
        methods = {"as_mut": True, "as_deref_mut": True, "as_ref": False, "as_deref": False}
        if not (isinstance(scrutinee, ast.MethodCall) and scrutinee.method in methods
                and not scrutinee.args):
            return scrutinee
        owner = self.expr(scrutinee.receiver, None)
        owner.checked = True
        scrutinee.receiver = owner
        enum = getattr(T.strip_refs(owner.ty), "enum", None)
        if self.instance_of.get(enum, (None,))[0] != "Option":
            return scrutinee
        return ast.Ref(scrutinee.span, owner, methods[scrutinee.method])

    def if_let_element(self, e: ast.Match) -> ast.Block | None:
        """Rewrite `if let Some(x) = v.get_mut(i) { .. } else { .. }` into a test of the
        index and `let x = &mut v[i];`, because sxc has no `Option<&mut T>`.  Also
        `first_mut`, `last_mut`, `front_mut`, `back_mut` and `v.iter_mut().find(f)`."""
        call = e.scrutinee
        pattern = e.arms[0].pattern
        if not (isinstance(call, ast.MethodCall) and isinstance(pattern, ast.VariantPattern)
                and pattern.path == ["Some"] and pattern.fields is None
                and len(pattern.items) == 1 and isinstance(pattern.items[0], ast.NamePattern)):
            return None
        method = call.method
        finds = method == "find" and len(call.args) == 1 and \
            isinstance(call.receiver, ast.MethodCall) and call.receiver.method == "iter_mut" \
            and not call.receiver.args
        arity = {"get_mut": 1, "first_mut": 0, "last_mut": 0, "front_mut": 0, "back_mut": 0}
        if not finds and arity.get(method) != len(call.args):
            return None
        owner = call.receiver.receiver if finds else call.receiver
        owner = self.expr(owner, None)
        owner.checked = True
        if finds:
            call.receiver.receiver = owner
        else:
            call.receiver = owner
        if method == "get_mut" and not finds and self.collection_kind(owner.ty) == "map":
            self.borrow_key(call)
            return self.if_let_map_value(e, owner, call.args[0])
        if not isinstance(T.strip_refs(owner.ty), (T.VecT, T.ArrayT, T.SliceT)):
            return None
        span = e.span
        at = f"__at_{span.line}_{span.col}"
        stmts: list[ast.Stmt] = []
        if not isinstance(owner, (ast.Path, ast.Field, ast.Index, ast.TupleField, ast.Unary)):
            # a temporary, as in `vec![1].first_mut()`, lives in a local for the `if let`
            temporary = f"__seq_{span.line}_{span.col}"
            stmts.append(ast.Let(span, ast.NamePattern(span, temporary, True), None, owner))
            owner = ast.Path(span, [temporary])

        def seq() -> ast.Expr:
            return ast.copy_typed(owner)

        def index() -> ast.Path:
            return ast.Path(span, [at])

        def length() -> ast.MethodCall:
            return ast.MethodCall(span, seq(), "len", [], [], span)

        def let(name: str, value: ast.Expr, mutable: bool = False) -> ast.Let:
            return ast.Let(span, ast.NamePattern(span, name, mutable), None, value)

        usize = ast.NamedType(span, ["usize"])
        bind = ast.Let(span, pattern.items[0], None,
                       ast.Ref(span, ast.Index(span, seq(), index()), True))
        then = ast.Block(span, [bind], e.arms[0].body)
        otherwise = ast.Block(span, [], e.arms[1].body)
        if finds:
            test = f"__test_{span.line}_{span.col}"
            stmts.append(let(test, call.args[0]))
            stmts.append(ast.Let(span, ast.NamePattern(span, at, True), usize,
                                 ast.IntLit(span, 0)))
            missed = ast.Unary(span, "!", ast.Call(span, ast.Path(span, [test]), [
                ast.Ref(span, ast.Index(span, seq(), index()), False)]))
            step = ast.Block(span, [ast.Assign(span, "+=", index(), ast.IntLit(span, 1))], None)
            stmts.append(ast.ExprStmt(span, ast.While(span, ast.Binary(
                span, "&&", ast.Binary(span, "<", index(), length()), missed), step), False))
            found: ast.Expr = ast.Binary(span, "<", index(), length())
        elif method == "get_mut":
            stmts.append(ast.Let(span, ast.NamePattern(span, at), usize, call.args[0]))
            found = ast.Binary(span, "<", index(), length())
        else:
            found = ast.Unary(span, "!", ast.MethodCall(span, seq(), "is_empty", [], [], span))
            first = method in ("first_mut", "front_mut")
            position = ast.IntLit(span, 0) if first else \
                ast.Binary(span, "-", length(), ast.IntLit(span, 1))
            then.stmts.insert(0, ast.Let(span, ast.NamePattern(span, at), usize, position))
        return ast.Block(span, stmts, ast.If(span, found, then, otherwise))

    def enum_debug_blocker(self, t: T.EnumT, seen: frozenset) -> T.Type | None:
        """Return `t` when its enum does not derive `Debug`, else None."""
        edef = self.program.enums.get(t.enum)
        if edef is not None and "Debug" not in edef.derives:
            return t
        for fields in getattr(edef, "fields", {}).values():
            for _, ft in fields:
                blocker = self.debug_blocker(ft, seen)
                if blocker is not None:
                    return blocker
        return None

    def enum_comparison(self, e: ast.Binary, t: T.EnumT) -> None:
        if e.op in ("==", "!="):
            return
        edef = self.program.enums.get(t.enum)
        derives = set(getattr(edef, "derives", ()))
        if edef is not None and not hasattr(edef, "fields") and derives & {"PartialOrd", "Ord"}:
            return  # derived order: by discriminant, as in Rust
        if edef is not None and not hasattr(edef, "fields"):
            self.rep.error(f"binary operation `{e.op}` cannot be applied to type `{t}`",
                           e.op_span or e.span,
                           help="add `#[derive(PartialOrd)]` to the enum, or compare the "
                                "discriminants: `a as i64 < b as i64`", code="SX0305")
            return
        if edef is not None and {"PartialOrd", "Ord"} & derives:
            # an enum that contains itself, whose order would recurse
            self.rep.error("sxc orders an enum with data that contains itself only with "
                           "`==` and `!=`", e.op_span or e.span,
                           help="match on the variants instead", code="SX0305")
            return
        self.rep.error(f"binary operation `{e.op}` cannot be applied to type `{t}`",
                       e.op_span or e.span,
                       help=f"add `#[derive(PartialOrd)]` above `enum {t}`", code="SX0305")

    def enum_method(self, e: ast.MethodCall, base: T.EnumT, expected=None) -> ast.Expr:
        item = self.option_payload(base)
        if isinstance(item, T.RefT) and not item.mutable and not isinstance(item, T.BoxT) \
                and isinstance(item.inner, (T.IntT, T.FloatT, T.BoolT)) \
                and e.method not in ("copied", "cloned", "as_ref", "as_deref"):
            # `v.last().unwrap_or(&0)`: an `Option<&i64>` reads as the `Option<i64>`
            # of its value, because sxc's iterator items are values too.
            e.receiver.checked = True
            e.receiver = self.expr(ast.MethodCall(e.span, e.receiver, "copied", [], [],
                                                  e.method_span), None)
            base = T.prune(e.receiver.ty)
        key = f"{base.enum}::{e.method}"
        if self.instance_of.get(base.enum, (None,))[0] == "Option":
            handled = self.option_method(e, base, expected)
            if handled is not None:
                return handled
        if self.instance_of.get(base.enum, (None,))[0] == "Result":
            handled = self.result_method(e, base, expected)
            if handled is not None:
                return handled
        item = self.option_payload(base)
        if base.enum in self.instance_of and isinstance(item, T.RefT) and not item.mutable \
                and not isinstance(item, T.BoxT):
            # the library's methods of `Option<T>` take an `Option<&P>` (from
            # `v.get(i)`) as the `Option<P>` of its value, as type names read it
            e.receiver.checked = True
            e.receiver = self.expr(ast.MethodCall(e.span, e.receiver, "copied", [], [],
                                                  e.method_span), None)
            base = T.prune(e.receiver.ty)
            key = f"{base.enum}::{e.method}"
        if base.enum in self.instance_of or key in self.fn_templates:
            handled = self.generic_method_call(e, base.enum, expected)
            if handled is not None:
                return handled
        sig = self.sigs.get(key)
        data = self.data_enum(base)
        if sig is None and e.method in ("max", "min") and len(e.args) == 1 and \
                self.ordered_enum(base):
            from sxc.typecheck import ord_max_min

            return self.expr(ord_max_min(e), expected)
        if sig is None and e.method == "clone" and not e.args and data is not None:
            if "Clone" not in data.derives:
                self.rep.error(f"no method named `clone` found for enum `{base}`",
                               e.method_span or e.span,
                               help=f"add `#[derive(Clone)]` above `enum {base}`", code="SX0210")
                e.ty = T.NEVER
                return e
            return self.data_enum_clone(e, data)
        if sig is None and e.method == "clone" and not e.args:
            # derived `Clone`: the value itself
            receiver = e.receiver
            while isinstance(receiver.ty, T.RefT):
                deref = ast.Unary(receiver.span, "*", receiver)
                deref.ty = receiver.ty.inner
                receiver = deref
            return receiver
        if sig is None or sig.self_kind is None:
            self.rep.error(f"no method named `{e.method}` found for enum `{base}`",
                           e.method_span or e.span, code="SX0210")
            e.args = [self.expr(a, None) for a in e.args]
            e.ty = T.NEVER
            return e
        if sig.self_kind == "mut":
            self._check_mut_receiver(e.receiver, e.method)
        e.args = self.check_args(e.args, sig.params, e.span, f"`{key}`")
        e.target = ("method", key)
        e.ty = sig.ret
        return e

    # ------------------------------------------------------------ match

    def parse_target_from_arms(self, e: ast.Match, expected) -> T.Type | None:
        """Return the type that `match s.parse() { Ok(n) => .. }` parses into, from the
        first use of `n` whose type shows: the arm's value where a type is expected,
        an argument of a variant, a tuple struct or a function, or the item of
        `vec![n]`; None when no use shows it."""
        for arm in e.arms:
            pattern = arm.pattern
            if not (isinstance(pattern, ast.VariantPattern) and pattern.path[-1] == "Ok" and
                    len(pattern.items) == 1 and isinstance(pattern.items[0], ast.NamePattern)):
                continue
            name = pattern.items[0].name

            def is_value(node) -> bool:
                return isinstance(node, ast.Path) and node.segments == [name]

            tail = arm.body.tail if isinstance(arm.body, ast.Block) else arm.body
            want = T.prune(expected) if expected is not None else None
            if is_value(tail) and want is not None and T.is_numeric(want):
                return want
            for node in ast.walk(arm.body):
                if isinstance(node, ast.VecLit) and any(is_value(i) for i in node.items) \
                        and isinstance(want, T.VecT):
                    return T.prune(want.elem)
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Path)):
                    continue
                for index, arg in enumerate(node.args):
                    if is_value(arg):
                        found = self.param_type_of(node.func.segments, index)
                        if found is not None:
                            return found
        return None

    def param_type_of(self, segments: list[str], index: int) -> T.Type | None:
        """Return the type of parameter `index` of the function, variant or tuple struct
        that `segments` names, or None."""
        key = "::".join(segments)
        sig = self.sigs.get(key)
        if sig is not None and not sig.self_kind and index < len(sig.params):
            return T.prune(sig.params[index])
        if len(segments) == 2:
            edef = self.program.enums.get(segments[0])
            fields = getattr(edef, "fields", {}).get(segments[1]) if edef is not None else None
            if fields is not None and index < len(fields):
                return T.prune(fields[index][1])
        fields = self.structs.get(segments[-1])
        if fields is not None and str(index) in fields:
            return T.prune(fields[str(index)])
        return None

    def e_Match(self, e: ast.Match, expected):
        if getattr(e, "let_form", None) == "if let":
            rewritten = self.if_let_element(e)
            if rewritten is not None:
                return self.expr(rewritten, expected)
        e.scrutinee = self.option_borrow(e.scrutinee)
        if isinstance(e.scrutinee, ast.MethodCall) and e.scrutinee.method == "parse" and \
                not e.scrutinee.type_args:
            target = self.parse_target_from_arms(e, expected)
            if target is not None:
                e.scrutinee.type_args = [ast.ResolvedType(e.scrutinee.span, target)]
        e.scrutinee = self.expr(e.scrutinee, None)
        if isinstance(e.scrutinee.ty, T.ParseResultT):
            e.scrutinee = self.parse_result(e.scrutinee)
        subject = e.scrutinee.ty
        if any(slice_patterns.has_slice_pattern(arm.pattern) for arm in e.arms):
            return self.slice_match(e, expected)
        # A `&Shape` stays a reference, whose variant patterns bind references into
        # the payload, as Rust's default binding modes do.
        keep_ref = self.data_enum(T.strip_refs(subject)) is not None
        while isinstance(subject, T.RefT) and not (keep_ref and
                                                   not isinstance(subject.inner, T.RefT)):
            # `match self` on a `&Color` inspects the value
            deref = ast.Unary(e.scrutinee.span, "*", e.scrutinee)
            deref.ty = subject.inner
            e.scrutinee = deref
            subject = subject.inner
        domain = self.match_domain(T.strip_refs(subject))
        if domain is None and not T.contains_never(subject):
            # `match x { v if v < 0.0 => .. }` and `match (op, x)` with `x: f64`:
            # bindings and `_` match a float, as they match a payload
            domain = self._payload_domain(T.strip_refs(subject))
        e.arms = self.split_binding_alternatives(e.arms)
        if any(getattr(n, "ref_mut", False) for arm in e.arms for n in ast.walk(arm.pattern)):
            # `Some(ref mut inner)` borrows the scrutinee mutably
            self.note_mutation(e.scrutinee)
        target = expected
        for arm in e.arms:
            self.scopes.append({})
            if domain is not None or isinstance(subject, T.NeverT):
                outer_ref, self.binding_ref = self.binding_ref, None
                arm.pattern = self.check_pattern(arm.pattern, subject, {}, e)
                self.binding_ref = outer_ref
            if arm.guard is not None:
                arm.guard = self.coerce(self.expr(arm.guard, T.BOOL), T.BOOL)
            arm.body = self.expr(arm.body, target)
            if target is None and not isinstance(arm.body.ty, T.NeverT):
                target = arm.body.ty
            self.scopes.pop()
        if getattr(e, "let_form", None) == "let else" and \
                not isinstance(e.arms[-1].body.ty, T.NeverT):
            self.rep.error("`else` clause of `let...else` does not diverge", e.arms[-1].body.span,
                           help="end it with `return`, `break`, `continue` or `panic!`",
                           code="SX0301")
            e.arms[-1].body.ty = T.NEVER
        e.ty = self.join_arms(e)
        if domain is not None and all(getattr(a.pattern, "ty", None) is not None
                                      for a in e.arms):
            self.check_coverage(e, domain)
        return e

    def slice_match(self, e: ast.Match, expected):
        """Check a `match` with slice patterns as the chain of `if`s it becomes."""
        seq = T.strip_refs(e.scrutinee.ty)
        first = next(arm.pattern for arm in e.arms
                     if slice_patterns.has_slice_pattern(arm.pattern))
        if getattr(e, "let_form", None) == "let else":
            self.rep.error("sxc does not support slice patterns in `let ... else`", first.span,
                           help="use `if let [a, b] = .. { .. } else { .. }` instead",
                           code="SX0801")
        elif isinstance(seq, (T.ArrayT, T.SliceT, T.VecT)):
            rewritten = slice_patterns.SliceMatch(self, e, seq).block()
            if rewritten is not None:
                return self.expr(rewritten, expected)
        elif not isinstance(seq, T.NeverT):
            self.rep.error(f"mismatched types: expected `{e.scrutinee.ty}`, found a slice "
                           "pattern", first.span, help="slice patterns match arrays, slices "
                           "and `Vec`s", code="SX0301")
        e.ty = T.NEVER
        return e

    def split_binding_alternatives(self, arms: list[ast.MatchArm]) -> list[ast.MatchArm]:
        """Give each alternative of `A(x) | B(x) => body` that binds a name an arm of
        its own with a copy of the guard and body.

        Rust runs the guard once per alternative that matches, so the arms behave
        as the one arm did.  Alternatives that bind different names are SX0507.
        """
        out = []
        for arm in arms:
            if not _or_binds(arm.pattern):
                out.append(arm)
                continue
            alternatives = _alternatives(arm.pattern)
            if len(alternatives) > MAX_ALTERNATIVES:
                out.append(arm)  # reported as bindings inside `|` by `check_pattern`
                continue
            arm.pattern = ast.OrPattern(arm.pattern.span, alternatives)
            names = [slice_patterns.binding_names(item) for item in alternatives]
            missing = [sorted(set().union(*names) - bound) for bound in names]
            wrong = next((i for i, m in enumerate(missing) if m), None)
            if wrong is not None:
                name = missing[wrong][0]
                self.rep.error(f"variable `{name}` is not bound in all patterns",
                               arm.pattern.items[wrong].span,
                               help=f"bind `{name}` in every alternative, or match the "
                                    "alternatives in arms of their own", code="SX0507")
                # keep the alternative that binds the most, so the body reports nothing more
                widest = max(range(len(names)), key=lambda i: len(names[i]))
                out.append(ast.MatchArm(arm.span, arm.pattern.items[widest], arm.guard,
                                        arm.body))
                continue
            for index, item in enumerate(arm.pattern.items):
                last = index == len(arm.pattern.items) - 1
                guard = arm.guard if last else copy.deepcopy(arm.guard)
                body = arm.body if last else copy.deepcopy(arm.body)
                out.append(ast.MatchArm(arm.span, item, guard, body))
        return out

    def match_domain(self, t: T.Type):
        """Return the pattern domain of type `t`, or None when sxc cannot match on it."""
        if isinstance(t, T.BoolT):
            return P.IntDomain(0, 1, "bool", ("false", "true"))
        if isinstance(t, T.IntT):
            lo, hi = _int_bounds(t)
            return P.IntDomain(lo, hi, str(t))
        if isinstance(t, T.RefT):
            return self.match_domain(t.inner)
        if self.data_enum(t) is not None:
            return self.enum_domain(self.data_enum(t))
        if isinstance(t, T.EnumT):
            names = tuple(f"{t.enum}::{v}" for v in self.program.enums[t.enum].discriminants)
            return P.IntDomain(0, len(names) - 1, t.enum, names) if names else None
        if isinstance(t, T.StrT):
            return P.StrDomain()
        if isinstance(t, T.TupleT):
            items = tuple(self.match_domain(i) for i in t.items)
            if all(i is not None for i in items):
                return P.TupleDomain(items)
            return None
        if isinstance(t, T.StructT) and t.struct in self.structs and \
                not self._contains_by_value(t.struct, t.struct, True):
            # `match s { State { cost: 0, .. } => .. }`: the fields, as a tuple of them
            return P.TupleDomain(tuple(self._payload_domain(ft)
                                       for ft in self.structs[t.struct].values()))
        return None

    def join_arms(self, e: ast.Match) -> T.Type:
        """Give every arm the type of the `match`, as the arms of an `if` get one."""
        typed = [a for a in e.arms if not isinstance(a.body.ty, T.NeverT)]
        if not typed:
            return T.NEVER
        types = [a.body.ty for a in typed]
        if any(isinstance(t, T.DualT) for t in types) and all(T.is_numeric(t) for t in types):
            target: T.Type = T.DUAL
        else:
            # the first arm decides, unless it is a literal and another arm is a number
            target = types[0]
            numbers = [a.body.ty for a in typed
                       if not _literal_value(a.body) and T.is_numeric(a.body.ty)]
            if _literal_value(typed[0].body) and numbers:
                target = numbers[0]
        for arm in typed:
            if arm.body.ty == target:
                continue
            if isinstance(target, T.DualT) or (_literal_value(arm.body)
                                               and T.is_numeric(target)):
                arm.body = self._coerce_arm_value(arm.body, target)
            else:
                self.rep.error(f"`match` arms have incompatible types: expected `{target}`, "
                               f"found `{arm.body.ty}`", _value_span(arm.body), code="SX0301")
        return target

    def _coerce_arm_value(self, body: ast.Expr, ty: T.Type) -> ast.Expr:
        if isinstance(body, ast.Block) and body.tail is not None:
            body.tail = self._coerce_arm_value(body.tail, ty)
            body.ty = body.tail.ty
            return body
        if isinstance(body, ast.If) and body.else_ is not None:
            self._coerce_arm(body, ty)
            body.ty = ty
            return body
        if isinstance(body, ast.Match):
            for arm in body.arms:
                if not isinstance(arm.body.ty, T.NeverT):
                    arm.body = self._coerce_arm_value(arm.body, ty)
            body.ty = ty
            return body
        return self.coerce(body, ty)

    # ------------------------------------------------------------ patterns

    def check_pattern(self, p: ast.Pattern, ty: T.Type, bound: dict, match: ast.Match):
        """Check `p` against `ty` and bind its names.

        Return the pattern, which is new when a name turns out to be a constant or a variant.
        """
        p.ty = ty
        if isinstance(p, ast.WildPattern):
            return p
        if isinstance(ty, T.NeverT):
            # the scrutinee has an error already: bind the names without more
            for name, mutable, span in self._never_bindings(p):
                if name not in bound:
                    self._bind_name(name, mutable, T.NEVER, span, bound)
            return p
        if isinstance(p, ast.VariantPattern):
            return self.variant_pattern(p, ty, bound, match)
        if isinstance(p, ast.ValuePattern) and isinstance(p.value, ast.Path) and \
                self.resolve_variant(p.value.segments) is not None:
            unit = ast.VariantPattern(p.span, p.value.segments, [])
            unit.unit = True
            return self.variant_pattern(unit, ty, bound, match)
        if isinstance(ty, T.RefT) and not ty.mutable and (
                isinstance(p, ast.RangePattern) or isinstance(p, ast.ValuePattern)
                and isinstance(p.value, (ast.IntLit, ast.FloatLit, ast.BoolLit, ast.Unary))):
            # `Some(b',')` against an `Option<&u8>` compares what the reference
            # points to, as Rust's default binding modes do
            return self.check_pattern(ast.DerefPattern(p.span, p), ty, bound, match)
        if isinstance(p, ast.DerefPattern):
            # `&x` reads through a reference and binds by value again; sxc also
            # accepts it on a value that Rust would hold by reference
            p.deref = isinstance(ty, T.RefT)
            outer, self.binding_ref = self.binding_ref, None
            p.pattern = self.check_pattern(p.pattern, ty.inner if p.deref else ty, bound, match)
            self.binding_ref = outer
            if p.pattern.ty is None:
                p.ty = None
            return p
        if isinstance(p, ast.RestPattern):
            self.rep.error("`..` patterns are not allowed here", p.span,
                           help="`..` leaves out items of a tuple variant pattern",
                           code="SX0503")
            p.ty = None
            return p
        if isinstance(p, ast.NamePattern):
            if not p.mutable and not p.by_ref and self._names_constant(p.name):
                value = ast.ValuePattern(p.span, ast.Path(p.span, [p.name]))
                return self.check_pattern(value, ty, bound, match)
            self._bind_name(p.name, p.mutable, self._binding_type(p, ty), p.span, bound)
            return p
        if isinstance(p, ast.AtPattern):
            p.pattern = self.check_pattern(p.pattern, ty, bound, match)
            self._bind_name(p.name, p.mutable, self._binding_type(p, ty), p.span, bound)
            if p.pattern.ty is None:
                p.ty = None
            return p
        if isinstance(p, ast.TuplePattern) and not p.items and isinstance(ty, T.UnitT):
            # `Ok(())`: the one value of `()` matches as `_` does
            return self.check_pattern(ast.WildPattern(p.span), ty, bound, match)
        if isinstance(p, ast.TuplePattern) and getattr(p, "struct", None) is not None and \
                isinstance(ty, T.StructT):
            # `State { cost, node }`: the fields in their order
            types = list(self.structs.get(ty.struct, {}).values())
            p.items = [self.check_pattern(i, t, bound, match) for i, t in zip(p.items, types)]
            p.ty = ty
            p.field_names = list(self.structs.get(ty.struct, {}))
            p.field_types = types
            if any(i.ty is None for i in p.items) or \
                    any(isinstance(t, T.NeverT) for t in types):
                p.ty = None  # a field's type has an error: no coverage check
            return p
        if isinstance(p, ast.TuplePattern):
            rests = [i for i, item in enumerate(p.items) if isinstance(item, ast.RestPattern)]
            if len(rests) == 1 and isinstance(ty, T.TupleT) and len(p.items) - 1 <= len(ty.items):
                # `(first, ..)`: the `..` stands for the items the pattern leaves out
                fill = [ast.WildPattern(p.span)] * (len(ty.items) - len(p.items) + 1)
                p.items = p.items[:rests[0]] + fill + p.items[rests[0] + 1:]
            if not isinstance(ty, T.TupleT) or len(ty.items) != len(p.items):
                self._pattern_mismatch(p, ty, f"a tuple of {len(p.items)}", match)
                p.ty = None
                return p
            p.items = [self.check_pattern(i, t, bound, match) for i, t in zip(p.items, ty.items)]
            if any(i.ty is None for i in p.items):
                p.ty = None
            return p
        if isinstance(p, ast.OrPattern):
            items = []
            for item in p.items:
                names: dict = {}
                items.append(self.check_pattern(item, ty, names, match))
                if names:
                    self.rep.error("sxc does not support bindings inside this `|` pattern",
                                   item.span, help=f"a `match` arm takes alternatives that "
                                   f"bind names, up to {MAX_ALTERNATIVES} of them; or bind "
                                   "the value with `name @ (a | b)`", code="SX0801")
            p.items = items
            if any(i.ty is None for i in items):
                p.ty = None
            return p
        if isinstance(p, ast.ValuePattern):
            return self._value_pattern(p, ty, match)
        if isinstance(p, ast.RangePattern):
            return self._range_pattern(p, ty, match)
        p.ty = None
        return p

    def _binding_type(self, p: ast.Pattern, ty: T.Type) -> T.Type:
        """Return the type a name binds: a reference in `ref` mode or under a `&` matched
        by a variant pattern, else the value's type."""
        mode = self.binding_ref
        if (getattr(p, "mutable", False) or getattr(p, "by_value", False)) and \
                not getattr(p, "by_ref", False):
            mode = None  # `mut x` binds by value, as in Rust 2021
        if getattr(p, "by_ref", False):
            mode = getattr(p, "ref_mut", False) if mode is None else mode
        if mode is None or isinstance(ty, T.NeverT):
            p.ref_binding = None
            return ty
        p.ref_binding = mode
        return T.RefT(ty, mode)

    def _names_constant(self, name: str) -> bool:
        return name in self.program.variant_imports or name in self.consts

    def _never_bindings(self, p: ast.Pattern) -> list[tuple[str, bool, object]]:
        """Return (name, mutable, span) of each local that `p` would bind."""
        if isinstance(p, ast.NamePattern):
            if self._names_constant(p.name) or self.resolve_variant([p.name]) is not None:
                return []
            return [(p.name, p.mutable, p.span)]
        if isinstance(p, ast.AtPattern):
            return [(p.name, p.mutable, p.span), *self._never_bindings(p.pattern)]
        if isinstance(p, ast.DerefPattern):
            return self._never_bindings(p.pattern)
        if isinstance(p, ast.OrPattern):
            return self._never_bindings(p.items[0]) if p.items else []
        parts = list(getattr(p, "items", None) or [])
        parts += [item for _, item in getattr(p, "fields", None) or []]
        return [found for part in parts for found in self._never_bindings(part)]

    def _bind_name(self, name: str, mutable: bool, ty: T.Type, span, bound: dict) -> None:
        from sxc.typecheck import Local

        if name in bound:
            self.rep.error(f"identifier `{name}` is bound more than once in the same pattern",
                           span, code="SX0502")
            return
        bound[name] = True
        local = Local(ty, mutable, span)
        self.scopes[-1][name] = local
        self.lint_local(name, local, mutable)

    def _pattern_mismatch(self, p: ast.Pattern, ty: T.Type, found: str,
                          match: ast.Match) -> None:
        self.rep.error(f"mismatched types: expected `{ty}`, found {found}", p.span,
                       notes=[(f"this `match` inspects a value of type `{ty}`",
                               match.scrutinee.span)], code="SX0301")

    def _value_pattern(self, p: ast.ValuePattern, ty: T.Type, match: ast.Match):
        got = self._pattern_constant(p.value, ty, p, match)
        if got is None:
            p.ty = None
            return p
        value, typed = got
        p.value = typed
        if isinstance(ty, T.StrT):
            p.space = ("str", value)
        elif isinstance(ty, T.EnumT):
            names = list(self.program.enums[ty.enum].discriminants)
            index = names.index(typed.target[1].rsplit("::", 1)[1])
            p.space = ("range", index, index)
        else:
            p.space = ("range", value, value)
        return p

    def _range_pattern(self, p: ast.RangePattern, ty: T.Type, match: ast.Match):
        if not isinstance(ty, T.IntT):
            self.rep.error(f"a range pattern needs an integer or `char` value, not `{ty}`",
                           p.span, code="SX0503")
            p.ty = None
            return p
        lo, hi = _int_bounds(ty)
        ends = []
        for end in (p.start, p.end):
            got = None if end is None else self._pattern_constant(end, ty, p, match)
            if end is not None and got is None:
                p.ty = None
                return p
            ends.append(got)
        if ends[0] is not None:
            p.start, lo = ends[0][1], ends[0][0]
        if ends[1] is not None:
            p.end, hi = ends[1][1], ends[1][0]
            if not p.inclusive:
                hi -= 1
        if lo > hi:
            what = "less than or equal to" if p.inclusive else "less than"
            self.rep.error(f"lower range bound must be {what} upper", p.span, code="SX0503")
            p.ty = None
            return p
        p.space = ("range", lo, hi)
        return p

    def _pattern_constant(self, e: ast.Expr, ty: T.Type, p: ast.Pattern, match: ast.Match):
        """Return (value, typed expression) of a pattern's literal or path, or None."""
        negative = isinstance(e, ast.Unary) and e.op == "-"
        lit = e.operand if negative else e
        if isinstance(lit, ast.IntLit):
            if not isinstance(ty, T.IntT):
                self._pattern_mismatch(p, ty, "an integer", match)
                return None
            if lit.suffix:
                suffixed = T.PRIMITIVES[lit.suffix]
                if not suffixed == ty:
                    self._pattern_mismatch(p, ty, f"`{suffixed}`", match)
                    return None
            elif T.is_char(ty):
                self._pattern_mismatch(p, ty, "an integer", match)
                return None
            value = -lit.value if negative else lit.value
            lo, hi = _int_bounds(ty)
            if negative and T.is_char(ty):
                self._pattern_mismatch(p, ty, "a negated `char`", match)
                return None
            if negative and not ty.signed:
                self.rep.error(f"cannot negate a value of unsigned type `{ty}`", e.span,
                               code="SX0702")
                return None
            if not lo <= value <= hi:
                self.rep.error(f"literal out of range for `{ty}`", e.span,
                               help=f"the values of `{ty}` are {lo}..={hi}", code="SX0701")
                return None
            out = ast.IntLit(e.span, value)
            out.ty = ty
            return value, out
        if isinstance(lit, ast.FloatLit):
            if T.is_float(T.strip_refs(ty)):
                self.rep.error("sxc does not support float literals in patterns", p.span,
                               help=f"bind the value and compare it in a guard: "
                                    f"`v if v == {lit.value!r}`", code="SX0504")
            else:
                self._pattern_mismatch(p, ty, "a floating-point number", match)
            return None
        if isinstance(lit, ast.BoolLit):
            if not isinstance(ty, T.BoolT):
                self._pattern_mismatch(p, ty, "`bool`", match)
                return None
            lit.ty = T.BOOL
            return int(lit.value), lit
        if isinstance(lit, ast.StrLit):
            if not isinstance(ty, T.StrT):
                self._pattern_mismatch(p, ty, "`&str`", match)
                return None
            lit.ty = T.STR
            return lit.value, lit
        if isinstance(e, ast.Path):
            return self._path_constant(e, ty, p, match)
        self.rep.error("sxc does not support this pattern", e.span, help=MATCH_HELP, code="SX0801")
        return None

    def _path_constant(self, e: ast.Path, ty: T.Type, p: ast.Pattern, match: ast.Match):
        segs = e.segments
        variant = self.variant_value(e)
        if variant is not None:
            if isinstance(variant.ty, T.NeverT):
                return None
            if variant.ty != ty:
                self._pattern_mismatch(p, ty, f"`{variant.ty}`", match)
                return None
            return self.program.enums[variant.ty.enum].discriminants[segs[-1]], variant
        if len(segs) == 1 and segs[0] in self.consts:
            const_ty = self.consts[segs[0]]
            value = self.program.consts[segs[0]].value
            if isinstance(const_ty, T.EnumT) and isinstance(value, ast.Path) \
                    and getattr(value, "target", (None,))[0] == "variant":
                # a constant that names a variant matches that variant
                return self._path_constant(ast.Path(e.span, value.target[1].split("::")), ty,
                                           p, match)
            if const_ty != ty or not isinstance(ty, (T.IntT, T.BoolT)):
                self._pattern_mismatch(p, ty, f"`{const_ty}`", match)
                return None
            e.ty, e.target = ty, ("const", segs[0])
            if isinstance(ty, T.BoolT):
                if not isinstance(value, ast.BoolLit):
                    self.rep.error("a `bool` constant in a pattern must be `true` or `false`",
                                   e.span, code="SX0505")
                    return None
                return int(value.value), e
            number = _const_eval(value, self.program.consts, set())
            if number is None:
                self.rep.error(f"sxc cannot compute the constant `{segs[0]}` for a pattern",
                               e.span, help="write the value as a literal", code="SX0505")
                return None
            return number, e
        if len(segs) == 2 and segs[0] in T.PRIMITIVES and segs[1] in ("MAX", "MIN") \
                and isinstance(T.PRIMITIVES[segs[0]], T.IntT):
            named = T.PRIMITIVES[segs[0]]
            if named != ty:
                self._pattern_mismatch(p, ty, f"`{named}`", match)
                return None
            e.ty, e.target = ty, ("num_const", f"{segs[0]}::{segs[1]}")
            lo, hi = _int_bounds(ty)
            return (hi if segs[1] == "MAX" else lo), e
        self.rep.error(f"cannot find `{'::'.join(segs)}` in this scope", e.span, code="SX0201")
        return None

    # ------------------------------------------------------------ coverage

    def check_coverage(self, e: ast.Match, domain) -> None:
        rows = _gap_rows(domain)
        for arm in e.arms:
            space = _space(arm.pattern)
            if getattr(e, "let_form", None) is None and getattr(e, "warn_unreachable", True) \
                    and not P.reachable(rows, space, domain):
                self.rep.warning("unreachable pattern", arm.pattern.span,
                                 help="the arms above match every value this one does",
                                 code="SXW004")
            if arm.guard is None:
                rows.append(space)
        shown = P.missing(rows, domain)
        if shown:
            self.rep.error(f"non-exhaustive patterns: {P.join_missing(shown)} not covered",
                           e.scrutinee.span,
                           help="add arms for the missing values, or a `_ => ...` arm; an arm "
                                "with an `if` guard covers nothing here", code="SX0501")


def _gap_rows(domain) -> list:
    """Return spaces covering the values of `domain` that its type lacks: surrogates of `char`."""
    if isinstance(domain, P.IntDomain):
        return [SURROGATES] if domain.type_name == "char" else []
    if isinstance(domain, P.TupleDomain):
        rows = []
        for i, item in enumerate(domain.items):
            for gap in _gap_rows(item):
                items = [P.ANY] * len(domain.items)
                items[i] = gap
                rows.append(("tuple", items))
        return rows
    return []


def div_toward_zero(a: int, b: int) -> int:
    """Integer division that rounds toward zero, as Rust's `/` does, exactly."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


_CONST_OPS = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": lambda a, b: div_toward_zero(a, b) if b else None,
    "%": lambda a, b: a - b * div_toward_zero(a, b) if b else None,
    "<<": lambda a, b: a << b if 0 <= b < 128 else None, ">>": lambda a, b: a >> b if b >= 0 else None,
    "&": lambda a, b: a & b, "|": lambda a, b: a | b, "^": lambda a, b: a ^ b,
}


def _const_eval(e: ast.Expr, consts: dict, seen: set) -> int | None:
    """Return the value of a constant integer expression, or None."""
    if isinstance(e, ast.IntLit):
        return e.value
    if isinstance(e, ast.Unary) and e.op == "-":
        inner = _const_eval(e.operand, consts, seen)
        return None if inner is None else -inner
    if isinstance(e, ast.Path) and len(e.segments) == 1 and e.segments[0] in consts \
            and e.segments[0] not in seen:
        return _const_eval(consts[e.segments[0]].value, consts, seen | {e.segments[0]})
    if isinstance(e, ast.Binary) and e.op in _CONST_OPS:
        a = _const_eval(e.left, consts, seen)
        b = _const_eval(e.right, consts, seen)
        return None if a is None or b is None else _CONST_OPS[e.op](a, b)
    return None


def _space(p: ast.Pattern):
    """Return the space (see `sxc.patterns`) of a checked pattern."""
    if isinstance(p, (ast.WildPattern, ast.NamePattern)):
        return P.ANY
    if isinstance(p, ast.AtPattern):
        return _space(p.pattern)
    if isinstance(p, ast.TuplePattern):
        return ("tuple", [_space(i) for i in p.items])
    if isinstance(p, ast.OrPattern):
        return ("or", [_space(i) for i in p.items])
    if isinstance(p, ast.VariantPattern):
        return ("variant", p.index, [_space(i) for i in p.items])
    if isinstance(p, ast.DerefPattern):
        return _space(p.pattern)
    return p.space


def _literal_value(e: ast.Expr) -> bool:
    """Return whether an arm's value is an unsuffixed number literal, which fits any number type."""
    while isinstance(e, ast.Block) and e.tail is not None:
        e = e.tail
    if isinstance(e, ast.Unary) and e.op == "-":
        e = e.operand
    return isinstance(e, (ast.IntLit, ast.FloatLit)) and e.suffix is None


def _value_span(e: ast.Expr):
    while isinstance(e, ast.Block) and e.tail is not None:
        e = e.tail
    return e.span


# The maximum number of alternatives that an arm's nested `|` patterns with
# bindings expand to, because each one copies the arm's body.
MAX_ALTERNATIVES = 32


def _or_binds(pattern: ast.Pattern) -> bool:
    """Return whether an `|` pattern inside `pattern` has alternatives that bind names."""
    todo: list = [pattern]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.OrPattern) and \
                any(slice_patterns.binding_names(i) for i in node.items):
            return True
        if isinstance(node, (list, tuple)):
            todo.extend(node)
        elif isinstance(node, ast.Pattern):
            todo.extend(getattr(node, f) for f in node.__dataclass_fields__ if f != "span")
    return False


def _alternatives(pattern: ast.Pattern) -> list[ast.Pattern]:
    """Return the patterns without `|` whose alternatives `pattern` matches:
    `Some(A(x) | B(x))` is `Some(A(x))` or `Some(B(x))`, tried in that order."""
    if isinstance(pattern, ast.OrPattern):
        return [alt for item in pattern.items for alt in _alternatives(item)]
    results = [pattern]
    for name in pattern.__dataclass_fields__:
        if name == "span":
            continue
        options = _value_alternatives(getattr(pattern, name))
        if len(options) > 1:
            results = [copy.copy(r) for r in results for _ in options]
            for r, option in zip(results, options * (len(results) // len(options))):
                setattr(r, name, option)
        if len(results) > MAX_ALTERNATIVES:
            break
    return [copy.deepcopy(r) for r in results] if len(results) > 1 else results


def _value_alternatives(value) -> list:
    """`_alternatives` of a field of a pattern: a pattern, or a list or tuple of them."""
    if isinstance(value, ast.Pattern):
        return _alternatives(value)
    if isinstance(value, (list, tuple)):
        combos: list[list] = [[]]
        for item in value:
            options = _value_alternatives(item)
            combos = [c + [o] for c in combos for o in options]
            if len(combos) > MAX_ALTERNATIVES:
                break
        return [type(value)(c) for c in combos]
    return [value]
