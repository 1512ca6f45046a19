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

import re

from sxc import ast
from sxc.diagnostics import Reporter, Span

# Traits whose `impl` sxc compiles, with the methods they may define.
SUPPORTED_TRAITS = {"Default": {"default"}, "Clone": {"clone"}, "PartialEq": {"eq", "ne"},
                    "Copy": set(), "Eq": set()}

# Derivable traits that need no method: `Debug` is built into `{:?}`, and
# `Copy` and `Eq` only state a property.
MARKER_DERIVES = {"Debug", "Copy", "Eq"}
DERIVED_METHODS = {"Default": "default", "Clone": "clone", "PartialEq": "eq"}

OPERATOR_TRAITS = {"Add", "Sub", "Mul", "Div", "Rem", "Neg", "Not", "AddAssign",
                   "SubAssign", "MulAssign", "DivAssign", "RemAssign", "Index", "IndexMut",
                   "BitAnd", "BitOr", "BitXor", "Shl", "Shr"}
UNARY_OPERATOR_TRAITS = {"Neg", "Not"}
# The operator traits whose impls sxc compiles: the binary operator -> its method.
ARITHMETIC_TRAITS = {"Add": "add", "Sub": "sub", "Mul": "mul", "Div": "div", "Rem": "rem"}
ARITHMETIC_METHODS = {"+": "add", "-": "sub", "*": "mul", "/": "div", "%": "rem"}


def check_trait_impl(impl: ast.ImplDef, reporter: Reporter) -> bool:
    """Report an `impl Trait for Type` that sxc cannot compile; return whether it can."""
    trait = impl.trait
    if trait is None or trait in SUPPORTED_TRAITS or trait == "Display":
        return True  # `impl Display` is the printing of `{}`
    if trait in ARITHMETIC_TRAITS or trait == "Neg":
        return True  # `a + b` calls the `add` this impl defines, `-a` its `neg`
    span = getattr(impl, "trait_span", None) or impl.span
    if trait in OPERATOR_TRAITS:
        method = re.sub(r"(?<!^)(?=[A-Z])", "_", trait).lower()  # `AddAssign` -> `add_assign`
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
                       help="sxc implements `Default`, `Clone`, `Copy`, `PartialEq`, `Eq` "
                            "and `Display`; write the methods in a plain `impl "
                            f"{impl.type_name}` block", code="SX0804")
    return False


def derive_methods(program, reporter: Reporter) -> None:
    """Add the methods that the `#[derive(..)]` of each struct asks for."""
    for name, sdef in list(program.structs.items()):
        span = getattr(sdef, "derive_span", None) or sdef.span
        for trait in sdef.derives:
            if trait in MARKER_DERIVES:
                continue
            if trait not in DERIVED_METHODS:
                reporter.error(f"sxc does not support `#[derive({trait})]`", span,
                               help="sxc derives `Debug`, `Clone`, `Copy`, `Default`, "
                                    "`PartialEq` and `Eq`", code="SX0804")
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
            fn = BUILDERS[trait](sdef, name, span)
            fn.owner = name
            fn.origin = getattr(sdef, "origin", "user")
            fn.module_path = getattr(sdef, "module_path", "crate")
            fn.derived = trait
            program.functions[key] = fn


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
    other = ast.Param(span, "other", ast.RefType(span, _self_type(sdef, name, span), False))
    body = ast.Block(span, [], test)
    return ast.FnDef(span, "eq", [other], ast.NamedType(span, ["bool"]), body, "ref", [],
                     True, span)


BUILDERS = {"Default": _default, "Clone": _clone, "PartialEq": _eq}
