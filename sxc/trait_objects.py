"""Trait objects: `Box<dyn Shape>`, `Vec<Box<dyn Shape>>`, `&dyn Shape`.

sxc compiles the whole program at once, so it knows every type that
implements a trait.  A trait object is therefore an enum with one variant per
type that implements the trait (in the same file), and a method call on it
is a `match` that calls the method of the value inside.  This pass, which
runs on each parsed file, writes that enum and an `impl Trait for` it whose
methods dispatch, and replaces each `dyn Shape` by the enum's name:

    enum __dyn_Shape { Circle(Circle), Square(Square) }
    impl Shape for __dyn_Shape {
        fn area(&self) -> f64 {
            match self { __dyn_Shape::Circle(v) => v.area(), __dyn_Shape::Square(v) => v.area() }
        }
    }

The checker then turns `Box::new(Circle { .. })`, where a `Box<dyn Shape>`
is expected, into a box of the variant (`sxc.typecheck.Checker.coerce`), and
the enum prints as `dyn Shape` in messages.  A parameter `s: &dyn Shape` does
not need the enum: the parser makes it a generic parameter, as `&impl Shape`.

A method that cannot be called on a trait object in Rust (one without
`self`, or with `Self` in its signature) gets a body that panics, which no
program that rustc accepts can reach.
"""

from __future__ import annotations

import copy

from sxc import ast
from sxc.diagnostics import CompileError, Diagnostic, Span

PREFIX = "__dyn_"

# Traits of the standard library that a trait may require and whose method a
# trait object then offers: `trait Shape: fmt::Debug` lets `{:?}` print a
# `Box<dyn Shape>`.
FORMAT_TRAITS = {"Debug": "{:?}", "Display": "{}"}


def enum_name(trait: str) -> str:
    """Return the name of the enum whose values are the `dyn trait` objects."""
    return PREFIX + trait


def rewrite_trait_objects(items: list, script: list, parse_items) -> list:
    """Replace each `dyn Trait` in `items` and `script` by the trait's enum, and
    return the enums and impls that this adds.  `parse_items(text)` parses
    generated source text into items."""
    used: dict[str, Span] = {}
    for node in _type_nodes([items, script]):
        if getattr(node, "dyn_trait", False):
            name = node.path[-1]
            used.setdefault(name, node.span)
            if len(node.path) > 1 or node.args:
                raise CompileError([Diagnostic(
                    "error", "sxc supports trait objects only of a trait without "
                             "arguments declared in the same file", node.span, [],
                    f"declare `trait {name}` in this file", code="SX0801")])
            node.path = [enum_name(name)]
            node.args = []
            del node.dyn_trait
    if not used:
        return []
    traits = {item.name: item for item in items if isinstance(item, ast.TraitDef)}
    added: list = []
    done: set[tuple[str, str]] = set()
    for name, span in used.items():
        trait = traits.get(name)
        if trait is None:
            raise CompileError([Diagnostic(
                "error", f"sxc supports `dyn {name}` only for a trait declared in this file",
                span, [], f"declare `trait {name}` here, or take a generic parameter "
                          f"`T: {name}`", code="SX0801")])
        members = _members(items, name)
        if not members:
            raise CompileError([Diagnostic(
                "error", f"sxc needs a type that implements `{name}` to make `dyn {name}`",
                span, [("the trait is declared here", trait.span)],
                f"write `impl {name} for` a struct or an enum in this file, or take a "
                f"generic parameter `T: {name}`", code="SX0801")])
        added.extend(_spanned(parse_items(_enum_text(name, members)), trait.span))
        for impl in _dispatch_impls(trait, traits, members, parse_items, done):
            added.append(_spanned(impl, trait.span))
    return added


def _type_nodes(root):
    """Yield every syntax node under `root`, the values of dictionaries included."""
    todo = [root]
    while todo:
        n = todo.pop()
        if isinstance(n, (list, tuple)):
            todo.extend(n)
        elif isinstance(n, dict):
            todo.extend(n.values())
        elif isinstance(n, ast.Node):
            yield n
            for field in ast.field_names(n):
                value = getattr(n, field)
                if isinstance(value, (ast.Node, list, tuple, dict)):
                    todo.append(value)  # the payload types of an enum are in a dict


def _members(items: list, trait: str) -> list[str]:
    """Return the names of the types with an `impl trait for` in `items`, in order."""
    found: list[str] = []
    for item in items:
        if isinstance(item, ast.ImplDef) and item.trait == trait and not item.generics \
                and not item.type_args and item.type_name not in found:
            found.append(item.type_name)
    return found


def _enum_text(trait: str, members: list[str]) -> str:
    variants = ", ".join(f"{m}({m})" for m in members)
    return f"enum {enum_name(trait)} {{ {variants} }}"


def _dispatch_impls(trait: ast.TraitDef, traits: dict, members: list[str], parse_items,
                    done: set) -> list[ast.ImplDef]:
    """Return the impls of `trait` and of the traits it requires for its enum."""
    enum = enum_name(trait.name)
    impls = []
    pending = [trait.name]
    while pending:
        name = pending.pop(0)
        if (enum, name) in done:
            continue
        done.add((enum, name))
        if name in FORMAT_TRAITS:
            impls.extend(parse_items(_format_text(enum, name, members)))
            continue
        required = traits.get(name)
        if required is None:
            continue  # a marker such as `Sized`, or a trait that rustc would refuse
        methods = [_dispatch_method(m, enum, members, parse_items) for m in required.methods]
        impl = ast.ImplDef(required.span, enum, name, [m for m in methods if m is not None])
        impl.trait_span = required.span
        impl.trait_args = []
        impl.associated_types = {}
        impls.append(impl)
        pending.extend(s.path[-1] for s in required.supertraits
                       if isinstance(s, ast.NamedType))
    return impls


def _format_text(enum: str, trait: str, members: list[str]) -> str:
    arms = " ".join(f'{enum}::{m}(__obj) => write!(f, "{FORMAT_TRAITS[trait]}", __obj),'
                    for m in members)
    return (f"impl std::fmt::{trait} for {enum} {{ fn fmt(&self, f: &mut std::fmt::Formatter)"
            f" -> std::fmt::Result {{ match self {{ {arms} }} }} }}")


def _dispatch_method(method: ast.FnDef, enum: str, members: list[str],
                     parse_items) -> ast.FnDef | None:
    """Return the method of the enum that calls `method` of the value inside, or
    one that panics when a trait object cannot call it; None when the trait's
    own body serves."""
    callable_on_object = method.self_kind is not None and not _names_self(method)
    if not callable_on_object and method.body is not None:
        return None
    out = copy.deepcopy(method)
    out.params = [ast.Param(p.span, f"__a{i}", p.type) for i, p in enumerate(out.params)]
    if callable_on_object:
        args = ", ".join(p.name for p in out.params)
        arms = " ".join(f"{enum}::{m}(__obj) => __obj.{method.name}({args}),"
                        for m in members)
        body = f"{{ match self {{ {arms} }} }}"
    else:
        body = (f'{{ panic!("`{method.name}` cannot be called on a trait object") }}')
    fn = parse_items(f"fn __dispatch() {body}")[0]
    out.body = fn.body
    return out


def _names_self(method: ast.FnDef) -> bool:
    """Return whether `Self` appears in the parameter or return types of `method`."""
    types = [p.type for p in method.params] + [method.ret]
    return any(isinstance(n, ast.NamedType) and n.path and n.path[0] == "Self"
               for n in _type_nodes(types))


def _spanned(node, span: Span):
    """Point every span in the generated `node` at `span`, the trait's declaration,
    so that a message about generated code shows the trait."""
    for n in _type_nodes(node):
        for field, value in list(vars(n).items()):
            if isinstance(value, Span):
                setattr(n, field, span)
    return node
