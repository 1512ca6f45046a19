"""The traits sxc knows: which `impl Trait for Type` it accepts, and `#[derive]`.

`#[derive(Default, Clone, PartialEq)]` becomes the methods a hand-written
impl would hold, added to the program before type checking:

    #[derive(Default, Clone, PartialEq)]
    struct P { x: f64, n: i64 }
        ->  fn default() -> P { P { x: Default::default(), n: Default::default() } }
            fn clone(&self) -> P { P { x: self.x.clone(), n: self.n.clone() } }
            fn eq(&self, other: &P) -> bool { self.x == other.x && self.n == other.n }

The type checker gives `Default::default()` the zero value of the type it
expects and turns `a == b` on structs into `a.eq(&b)`.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from sxc import ast
from sxc.diagnostics import Reporter, Span

# Traits whose `impl` sxc compiles, with the methods they may define.
SUPPORTED_TRAITS = {"Default": {"default"}, "Clone": {"clone"}, "PartialEq": {"eq", "ne"},
                    "Copy": set(), "Eq": set()}

# Derivable traits that need no method: `Debug` is built into `{:?}`, and
# `Copy` and `Eq` only state a property.
MARKER_DERIVES = {"Debug", "Copy", "Eq", "Hash"}
DERIVED_METHODS = {"Default": "default", "Clone": "clone", "PartialEq": "eq",
                   "PartialOrd": "partial_cmp", "Ord": "cmp"}

OPERATOR_TRAITS = {"Add", "Sub", "Mul", "Div", "Rem", "Neg", "Not", "AddAssign",
                   "SubAssign", "MulAssign", "DivAssign", "RemAssign", "Index", "IndexMut",
                   "BitAnd", "BitOr", "BitXor", "Shl", "Shr", "BitAndAssign", "BitOrAssign",
                   "BitXorAssign", "ShlAssign", "ShrAssign"}
UNARY_OPERATOR_TRAITS = {"Neg", "Not"}
# The operator traits whose impls sxc compiles: the trait -> its method.
ARITHMETIC_TRAITS = {"Add": "add", "Sub": "sub", "Mul": "mul", "Div": "div", "Rem": "rem",
                     "BitAnd": "bitand", "BitOr": "bitor", "BitXor": "bitxor"}
ARITHMETIC_METHODS = {"+": "add", "-": "sub", "*": "mul", "/": "div", "%": "rem",
                      "&": "bitand", "|": "bitor", "^": "bitxor"}
ASSIGN_TRAITS = {"AddAssign": "add_assign", "SubAssign": "sub_assign",
                 "MulAssign": "mul_assign", "DivAssign": "div_assign",
                 "RemAssign": "rem_assign"}

# `v[i]` calls `*v.index(i)`, and `v[i] = x` calls `*v.index_mut(i) = x`
INDEX_TRAITS = {"Index": "index", "IndexMut": "index_mut"}


def operator_method_name(impl: ast.ImplDef, method: str) -> str:
    """Return the name that a method of an operator or `Debug` impl goes by.

    `impl Mul for V` and `impl Mul<f64> for V` both define `mul`, so the
    method of an impl whose right-hand side is another type gets a name of
    its own, `mul__f64`.  The type checker picks between them by the type
    of the right operand (see `Checker.operator_method`).
    """
    if impl.trait == "Debug" and method == "fmt":
        return DEBUG_FMT
    args = getattr(impl, "trait_args", None) or []
    if impl.trait == "From" and method == "from" and args:
        # `impl From<Celsius> for Fahrenheit` and `impl From<f64> for Fahrenheit`
        # both define `from`; `Checker.from_call` picks by the argument's type
        return f"from__{_type_expr_text(args[0])}"
    if impl.trait not in ARITHMETIC_TRAITS and impl.trait not in ASSIGN_TRAITS \
            and impl.trait not in INDEX_TRAITS and impl.trait != "PartialEq" or not args:
        return method
    rhs = args[0]
    if isinstance(rhs, ast.NamedType) and rhs.path[-1] in ("Self", impl.type_name):
        return method
    if impl.trait in INDEX_TRAITS and isinstance(rhs, ast.NamedType) and rhs.path == ["usize"]:
        return method
    return f"{method}__{_type_expr_text(rhs)}"


def _type_text(te) -> str:
    """Return the written type `te` as Rust source."""
    if isinstance(te, ast.RefType):
        return ("&mut " if te.mutable else "&") + _type_text(te.inner)
    if isinstance(te, ast.NamedType):
        args = ", ".join(_type_text(a) for a in te.args)
        return "::".join(te.path) + (f"<{args}>" if args else "")
    if isinstance(te, ast.TupleType):
        return "(" + ", ".join(_type_text(i) for i in te.items) + ")"
    return _type_expr_text(te)


def _type_expr_text(te) -> str:
    """Return a part of an identifier that names the written type `te`."""
    if isinstance(te, ast.RefType):
        return ("ref_mut_" if te.mutable else "ref_") + _type_expr_text(te.inner)
    if isinstance(te, ast.NamedType):
        text = te.path[-1].split("::")[-1]
        return "_".join([text] + [_type_expr_text(a) for a in te.args])
    if isinstance(te, ast.TupleType):
        return "_".join(["tup"] + [_type_expr_text(i) for i in te.items] + ["end"])
    if isinstance(te, ast.SliceType):
        return "slice_" + _type_expr_text(te.elem)
    if isinstance(te, ast.ArrayType):
        return "arr_" + _type_expr_text(te.elem)
    return re.sub(r"\W", "_", type(te).__name__)


# Traits of Rust's standard library that sxc does not implement.  An impl of
# one of them gets SX0804; an impl of any other name that no `trait` item
# declares gets "cannot find trait".
STD_TRAITS = {"Iterator", "IntoIterator", "Hash", "PartialOrd", "Ord", "From", "Into",
              "TryFrom", "TryInto", "Drop", "Deref", "DerefMut", "FromStr", "AsRef", "AsMut",
              "Borrow", "ToString", "Sum", "Product", "Extend", "FromIterator", "Error",
              "Send", "Sync", "Sized", "Any", "Write", "Read", "DoubleEndedIterator",
              "ExactSizeIterator", "Fn", "FnMut", "FnOnce", "LowerExp", "UpperExp"}

# The name of the `fmt` method of a hand-written `impl Debug`, which `{:?}` calls.
# `impl Display` defines the other `fmt` of the type.
DEBUG_FMT = "fmt__Debug"


# Other traits that may bound a generic parameter without a `trait` item.
BOUND_ONLY_TRAITS = {"Sized", "Copy", "Clone", "Debug", "Display", "PartialOrd", "Ord",
                     "PartialEq", "Eq", "Default", "Fn", "FnMut", "FnOnce"}


def is_builtin_trait(trait: str) -> bool:
    """Return whether `trait` is a standard trait that sxc accepts without a `trait` item."""
    return (trait in SUPPORTED_TRAITS or trait in ("Display", "Debug") or trait in OPERATOR_TRAITS
            or trait in STD_TRAITS)


def check_trait_impl(impl: ast.ImplDef, reporter: Reporter) -> bool:
    """Report an `impl Trait for Type` that sxc cannot compile; return whether it can.

    An impl of a trait outside the standard library passes: it may implement a
    user-defined trait, which `sxc.resolve` checks once every module is loaded.
    """
    trait = impl.trait
    if trait is None or trait in SUPPORTED_TRAITS or trait in ("Display", "Debug"):
        return True  # `impl Display` is the printing of `{}`, `impl Debug` of `{:?}`
    if trait in ARITHMETIC_TRAITS or trait in ASSIGN_TRAITS or trait in INDEX_TRAITS \
            or trait in UNARY_OPERATOR_TRAITS:
        # `a + b` calls the `add` this impl defines, `a += b` its `add_assign`, `!a` its `not`
        return True
    if trait == "From" and len(getattr(impl, "trait_args", None) or []) == 1:
        return True  # `B::from(a)` and `a.into()` call the `from` this impl defines
    if trait in ("Ord", "PartialOrd"):
        return True  # `<`, `sort` and `max` call the `cmp` and `partial_cmp` it defines
    if trait == "Error":
        # `impl std::error::Error for E {}` marks a type that has `Display` and
        # `Debug`; its optional methods (`source`, `description`) are plain methods
        return True
    if trait == "FromStr":
        # `s.parse::<T>()` calls the `from_str` this impl defines
        missing = [name for name, found in (
            ("Err", "Err" in getattr(impl, "associated_types", {})),
            ("from_str", any(m.name == "from_str" for m in impl.methods))) if not found]
        if missing:
            reporter.error("not all trait items implemented, missing: "
                           + ", ".join(f"`{name}`" for name in missing),
                           getattr(impl, "trait_span", None) or impl.span,
                           help="implement `type Err = ..;` and `fn from_str(s: &str) -> "
                                f"Result<Self, Self::Err>` in `impl FromStr for "
                                f"{impl.type_name}`", code="SX0217")
            return False
        return True
    if trait == "Iterator":
        # `next` is a method of the type, which loops and chains call
        span = getattr(impl, "trait_span", None) or impl.span
        item = getattr(impl, "associated_types", {}).get("Item")
        if item is None:
            reporter.error("not all trait items implemented, missing: `Item`", span,
                           help=f"name the items' type: `type Item = f64;` in `impl Iterator "
                                f"for {impl.type_name}`", code="SX0217")
            return False
        nexts = [m for m in impl.methods if m.name == "next"]
        if not nexts:
            reporter.error("not all trait items implemented, missing: `next`", span,
                           help=f"implement `fn next(&mut self) -> Option<Self::Item>` in "
                                f"`impl Iterator for {impl.type_name}`", code="SX0217")
            return False
        ret = nexts[0].ret
        expected = f"Option_{_type_expr_text(item)}"
        if ret is None or _type_expr_text(ret) != expected:
            reporter.error("method `next` has an incompatible type for trait",
                           getattr(ret, "span", None) or nexts[0].span,
                           help="return `Option<Self::Item>`, here `Option<"
                                f"{_type_text(item)}>`", code="SX0217")
            return False
        return True
    if not is_builtin_trait(trait):
        return True
    report_unsupported_impl(impl, reporter)
    return False


def report_unsupported_impl(impl: ast.ImplDef, reporter: Reporter) -> None:
    """Report an impl of a standard-library trait that sxc does not compile."""
    trait = impl.trait
    span = getattr(impl, "trait_span", None) or impl.span
    if trait in OPERATOR_TRAITS:
        # `AddAssign` -> `add_assign`, and `BitXorAssign` -> `bitxor_assign` as in Rust
        method = re.sub(r"(?<!^)(?=[A-Z])", "_", trait).lower().replace("bit_", "bit")
        if trait.endswith("Assign"):
            shown = f"fn {method}(&mut self, other: {impl.type_name})"
        else:
            other = "" if trait in UNARY_OPERATOR_TRAITS else f", other: {impl.type_name}"
            shown = f"fn {method}(self{other}) -> {impl.type_name}"
        reporter.error(f"sxc does not support operator overloading (`impl {trait} for "
                       f"{impl.type_name}`)", span,
                       help=f"write a method, such as `{shown}`, and call it", code="SX0804")
    else:
        reporter.error(f"sxc does not support implementing the trait `{trait}`", span,
                       help="sxc implements `Default`, `Clone`, `Copy`, `PartialEq`, `Eq`, "
                            "`Ord`, `PartialOrd`, `Display`, `From` and the traits that the "
                            "program declares; write the "
                            f"methods in a plain `impl {impl.type_name}` block", code="SX0804")


def report_unknown_trait(impl: ast.ImplDef, traits: dict, reporter: Reporter) -> None:
    """Report an `impl Name for Type` where no trait `Name` exists."""
    from sxc.diagnostics import similar_name

    span = getattr(impl, "trait_span", None) or impl.span
    similar = similar_name(impl.trait, list(traits))
    reporter.error(f"cannot find trait `{impl.trait}` in this scope", span,
                   help=f"a trait with a similar name exists: `{similar}`" if similar else
                   f"declare it: `trait {impl.trait} {{ .. }}`", code="SX0215")


def complete_impl(impl: ast.ImplDef, trait: ast.TraitDef, reporter: Reporter) -> None:
    """Check `impl` against the items of `trait`, and copy in the provided ones it lacks.

    A provided method is copied as written, so `Self` and `self.method()` in
    its body name the implementing type once the copy joins the impl.
    """
    declared = {m.name: m for m in trait.methods}
    declared_consts = {c.name: c for c in trait.consts}
    trait_note = [(f"trait `{trait.name}` is declared here", trait.name_span or trait.span)]
    for method in impl.methods:
        required = declared.get(method.name)
        if required is None:
            reporter.error(f"method `{method.name}` is not a member of trait `{trait.name}`",
                           method.name_span or method.span, notes=trait_note,
                           help="move it to a plain `impl " + impl.type_name + "` block, or "
                                f"declare it in `trait {trait.name}`", code="SX0216")
            continue
        _check_signature(method, required, trait, reporter)
    for const in impl.consts:
        if const.name not in declared_consts:
            reporter.error(f"constant `{const.name}` is not a member of trait `{trait.name}`",
                           const.name_span or const.span, notes=trait_note,
                           help="move it to a plain `impl " + impl.type_name + "` block, or "
                                f"declare it in `trait {trait.name}`", code="SX0216")
    declared_types = dict(getattr(trait, "associated_types", []))
    given_types = getattr(impl, "associated_types", {})
    for name, target in given_types.items():
        if name not in declared_types:
            reporter.error(f"type `{name}` is not a member of trait `{trait.name}`",
                           target.span, notes=trait_note,
                           help=f"declare it in the trait: `type {name};`", code="SX0216")
    defined = {m.name for m in impl.methods}
    defined_consts = {c.name for c in impl.consts}
    missing = [_Named(name, span) for name, span in declared_types.items()
               if name not in given_types]
    missing += [m for m in trait.methods if m.body is None and m.name not in defined]
    missing += [c for c in trait.consts if c.value is None and c.name not in defined_consts]
    if missing:
        names = ", ".join(f"`{item.name}`" for item in missing)
        reporter.error(f"not all trait items implemented, missing: {names}",
                       getattr(impl, "trait_span", None) or impl.span,
                       notes=[(f"`{item.name}` is declared here", item.name_span or item.span)
                              for item in missing],
                       help=f"implement the missing items in `impl {trait.name} for "
                            f"{impl.type_name}`", code="SX0217")
    for method in trait.methods:
        if method.body is not None and method.name not in defined:
            provided = copy.deepcopy(method)
            # `Self::Item` in a provided method means the impl's `type Item = ..`
            for param in provided.params:
                param.type = ast.replace_associated(param.type, given_types)
            if provided.ret is not None:
                provided.ret = ast.replace_associated(provided.ret, given_types)
            for node in ast.walk(provided.body):
                if isinstance(node, ast.Let) and node.type is not None:
                    node.type = ast.replace_associated(node.type, given_types)
            impl.methods.append(provided)
    for const in trait.consts:
        if const.value is not None and const.name not in defined_consts:
            impl.consts.append(copy.deepcopy(const))


@dataclass
class _Named:
    """An associated type that a trait declares, listed among the missing items."""

    name: str
    name_span: Span
    span: Span | None = None


def _check_signature(method: ast.FnDef, required: ast.FnDef, trait: ast.TraitDef,
                     reporter: Reporter) -> None:
    """Report a method whose `self` or number of parameters differs from the trait's."""
    note = [(f"`{trait.name}::{required.name}` is declared here",
             required.name_span or required.span)]
    span = method.name_span or method.span
    if (method.self_kind is None) != (required.self_kind is None):
        has, lacks = ("the impl", "the trait") if required.self_kind is None else \
            ("the trait", "the impl")
        reporter.error(f"method `{method.name}` has a `self` parameter in {has} but not in "
                       f"{lacks}", span, notes=note,
                       help="write the parameters as the trait declares them", code="SX0218")
        return
    mine = len(method.params) + (method.self_kind is not None)
    theirs = len(required.params) + (required.self_kind is not None)
    if mine != theirs:
        reporter.error(f"method `{method.name}` has {_count(mine)} but the declaration in "
                       f"trait `{trait.name}::{required.name}` has {theirs}", span,
                       notes=note, help="write the parameters as the trait declares them",
                       code="SX0218")


def _count(n: int) -> str:
    return f"{n} parameter" if n == 1 else f"{n} parameters"


def derive_methods(program, reporter: Reporter) -> None:
    """Add the methods that the `#[derive(..)]` of each struct asks for."""
    for name, edef in program.enums.items():
        if "Debug" in edef.derives:
            _check_debug_conflict(program, name, edef, reporter)
    for name, sdef in list(program.structs.items()):
        span = getattr(sdef, "derive_span", None) or sdef.span
        for trait in sdef.derives:
            if trait == "Debug":
                _check_debug_conflict(program, name, sdef, reporter)
            if trait in MARKER_DERIVES:
                continue
            if trait not in DERIVED_METHODS:
                reporter.error(f"sxc does not support `#[derive({trait})]`", span,
                               help="sxc derives `Debug`, `Clone`, `Copy`, `Default`, "
                                    "`PartialEq`, `Eq`, `PartialOrd`, `Ord` and `Hash`",
                               code="SX0804")
                continue
            key = f"{name}::{DERIVED_METHODS[trait]}"
            previous = program.functions.get(key)
            if previous is not None:
                reporter.error(f"conflicting implementations of `{trait}` for `{name}`",
                               span, notes=[("the other implementation", previous.name_span
                                             or previous.span)],
                               help=f"remove `{trait}` from the `#[derive]` or the "
                                    "hand-written method", code="SX0316")
                continue
            if trait in ("PartialOrd", "Ord"):
                fn = _compare(sdef, name, span, program.prelude_key("Ordering"),
                              DERIVED_METHODS[trait])
            else:
                fn = BUILDERS[trait](sdef, name, span)
            fn.owner = name
            fn.origin = getattr(sdef, "origin", "user")
            fn.module_path = getattr(sdef, "module_path", "crate")
            fn.derived = trait
            program.functions[key] = fn


def _check_debug_conflict(program, name: str, item, reporter: Reporter) -> None:
    """Report a `#[derive(Debug)]` on a type that also has a hand-written `impl Debug`."""
    written = program.functions.get(f"{name}::{DEBUG_FMT}")
    if written is None:
        return
    reporter.error(f"conflicting implementations of `Debug` for `{name}`",
                   getattr(item, "derive_span", None) or item.span,
                   notes=[("the other implementation", written.name_span or written.span)],
                   help="remove `Debug` from the `#[derive]` or the hand-written impl",
                   code="SX0316")


def _self_type(sdef: ast.StructDef, name: str, span: Span) -> ast.NamedType:
    # `Self` stands for `Pair<T>` in the methods of a generic struct, which become
    # templates copied per instance
    return ast.NamedType(span, ["Self" if sdef.generics else name])


def _default(sdef: ast.StructDef, name: str, span: Span) -> ast.FnDef:
    fields = [(f, ast.Call(span, ast.Path(span, ["Default", "default"]), []))
              for f, _ in sdef.fields]
    body = ast.Block(span, [], ast.StructLit(span, name, fields, span))
    return ast.FnDef(span, "default", [], _self_type(sdef, name, span), body, None, [], True, span)


def _clone(sdef: ast.StructDef, name: str, span: Span) -> ast.FnDef:
    fields = [(f, ast.MethodCall(span, ast.Field(span, ast.Path(span, ["self"]), f),
                                 "clone", [], [], span))
              for f, _ in sdef.fields]
    body = ast.Block(span, [], ast.StructLit(span, name, fields, span))
    return ast.FnDef(span, "clone", [], _self_type(sdef, name, span), body, "ref", [], True, span)


def _eq(sdef: ast.StructDef, name: str, span: Span) -> ast.FnDef:
    test: ast.Expr = ast.BoolLit(span, True)
    for i, (f, _) in enumerate(sdef.fields):
        same = ast.Binary(span, "==", ast.Field(span, ast.Path(span, ["self"]), f),
                          ast.Field(span, ast.Path(span, ["other"]), f), span)
        test = same if i == 0 else ast.Binary(span, "&&", test, same, span)
    # a struct without fields never reads `other`, which the unused-variable lint
    # would report at the `#[derive]`
    other = ast.Param(span, "other" if sdef.fields else "_other",
                      ast.RefType(span, _self_type(sdef, name, span), False))
    body = ast.Block(span, [], test)
    return ast.FnDef(span, "eq", [other], ast.NamedType(span, ["bool"]), body, "ref", [],
                     True, span)


def _compare(sdef: ast.StructDef, name: str, span: Span, ordering: str,
             method: str) -> ast.FnDef:
    """Return the derived `partial_cmp` (or `cmp`): the fields compared in order, the
    first that differs deciding, as Rust derives it."""
    def variant(variant_name: str) -> ast.Path:
        return ast.Path(span, [ordering, variant_name])

    def equal() -> ast.Expr:
        if method == "cmp":
            return variant("Equal")
        return ast.Call(span, ast.Path(span, ["Some"]), [variant("Equal")])

    stmts: list[ast.Stmt] = []
    for i, (f, _) in enumerate(sdef.fields):
        order = ast.Path(span, [f"__order{i}"])
        mine = ast.Field(span, ast.Path(span, ["self"]), f)
        theirs = ast.Ref(span, ast.Field(span, ast.Path(span, ["other"]), f), False)
        stmts.append(ast.Let(span, ast.NamePattern(span, order.segments[0]), None,
                             ast.MethodCall(span, mine, method, [theirs], [], span)))
        differs = ast.Binary(span, "!=", order, equal(), span)
        leave = ast.Block(span, [ast.ExprStmt(span, ast.Return(span, copy.deepcopy(order)))],
                          None)
        stmts.append(ast.ExprStmt(span, ast.If(span, differs, leave, None), False))
    result: ast.TypeExpr = ast.NamedType(span, [ordering])
    if method == "partial_cmp":
        result = ast.NamedType(span, ["Option"], [result])
    other = ast.Param(span, "other" if sdef.fields else "_other",
                      ast.RefType(span, _self_type(sdef, name, span), False))
    return ast.FnDef(span, method, [other], result, ast.Block(span, stmts, equal()), "ref",
                     [], True, span)


BUILDERS = {"Default": _default, "Clone": _clone, "PartialEq": _eq}


def check_supertraits(program, reporter: Reporter) -> None:
    """Report an impl of a trait whose type lacks an impl of one of its supertraits."""
    for trait in program.traits.values():
        for bound in trait.supertraits:
            if not isinstance(bound, ast.NamedType):
                continue
            parent = program.find_trait(bound.path[-1])
            if parent is None:
                continue
            implemented = program.trait_impls.get(parent.name, {})
            for type_name, span in program.trait_impls.get(trait.name, {}).items():
                if type_name in implemented:
                    continue
                shown = parent.name.split("::")[-1]
                reporter.error(f"the trait bound `{type_name}: {shown}` is not satisfied",
                               span, notes=[(f"required by this bound in `{trait.name}`",
                                             bound.span)],
                               help=f"implement the trait: `impl {shown} for {type_name} "
                                    "{ .. }`", code="SX0311")


def check_bound_names(program, reporter: Reporter) -> None:
    """Report a bound `T: Name` whose `Name` is no trait of the program or of `std`.

    Only one-segment names are checked, because a path such as
    `std::ops::Mul` names a standard trait whether or not sxc lists it.
    """
    bounds = []
    for fn in program.functions.values():
        if getattr(fn, "origin", "user") != "user":
            continue
        bounds += [b for found in fn.bounds.values() for b in found]
        bounds += [b for found in (getattr(fn, "impl_bounds", None) or {}).values()
                   for b in found]
    for trait in program.traits.values():
        if getattr(trait, "origin", "user") == "user":
            bounds += trait.supertraits
    reported = set()
    for bound in bounds:
        if not isinstance(bound, ast.NamedType) or len(bound.path) != 1 or id(bound) in reported:
            continue
        name = bound.path[0]
        if program.find_trait(name) is not None or is_builtin_trait(name) \
                or name in BOUND_ONLY_TRAITS:
            continue
        reported.add(id(bound))
        from sxc.diagnostics import similar_name

        similar = similar_name(name, [key.split("::")[-1] for key in program.traits])
        reporter.error(f"cannot find trait `{name}` in this scope", bound.span,
                       help=f"a trait with a similar name exists: `{similar}`" if similar
                       else f"declare it: `trait {name} {{ .. }}`", code="SX0215")


def inherit_index_output(impls: list[ast.ImplDef]) -> None:
    """Give `Self::Output` in each `impl IndexMut<I> for T` the `Output` of `impl Index<I> for T`.

    Rust's `IndexMut` has no `Output` of its own: it takes the one of `Index`.
    """
    outputs = {}
    for impl in impls:
        output = getattr(impl, "associated_types", {}).get("Output")
        if impl.trait == "Index" and output is not None:
            outputs[(impl.type_name, _index_key(impl))] = output
    for impl in impls:
        if impl.trait != "IndexMut":
            continue
        output = outputs.get((impl.type_name, _index_key(impl)))
        if output is None:
            continue
        for method in impl.methods:
            for param in method.params:
                param.type = ast.replace_associated(param.type, {"Output": output})
            method.ret = ast.replace_associated(method.ret, {"Output": output})


def _index_key(impl: ast.ImplDef) -> str:
    args = getattr(impl, "trait_args", None) or []
    return _type_expr_text(args[0]) if args else "usize"


def check_trait_items(trait: ast.TraitDef, reporter: Reporter) -> None:
    """Report a method or constant that `trait` declares twice."""
    seen: dict[str, ast.Node] = {}
    for item in list(trait.methods) + list(trait.consts):
        previous = seen.get(item.name)
        if previous is not None:
            reporter.error(f"the name `{item.name}` is defined more than once in trait "
                           f"`{trait.name}`", item.name_span or item.span,
                           notes=[("first defined here", previous.name_span or previous.span)],
                           help="remove or rename one of them", code="SX0203")
            continue
        seen[item.name] = item
