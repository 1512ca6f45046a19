"""Trait objects: `Box<dyn Shape>`, `Vec<Box<dyn Shape>>`, `&dyn Shape`.

sxc compiles the whole program at once, so every type that implements a
trait is in view.  A trait object is therefore an enum with one variant per
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

`dyn Error` of the standard library, when the program declares no `Error`
trait, is the enum of the program's types with `impl Error for`, the
prelude's parse errors and a `String` message, printed as its value.
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

# The members of `dyn Error` besides the program's error types: the prelude's
# parse errors, and a `String` message, the variant `MESSAGE`.
STD_ERRORS = ["ParseIntError", "ParseFloatError", "String"]
MESSAGE = "__Message"


def enum_name(trait: str) -> str:
    """Return the name of the enum whose values are the `dyn trait` objects."""
    return PREFIX + trait


def rewrite_trait_objects(items: list, script: list, parse_items) -> list:
    """Replace each `dyn Trait` in `items` and `script` by the trait's enum, and
    return the enums and impls that this adds to `items`.

    The enum and impls of a trait declared in an inline `mod` block go into
    that block.  `parse_items(text)` parses generated source text into items."""
    modules: dict[tuple, list] = {(): items}
    _inline_modules(items, (), modules)
    traits = {(path, item.name): item for path, members in modules.items()
              for item in members if isinstance(item, ast.TraitDef)}

    if ((), "Error") not in traits:
        # `Box<dyn Error>` of the standard library: the program's error types, the
        # prelude's parse errors and a message (`"bad input".into()`)
        span = Span("<runtime>", 0, 0, 0, 0)
        standard = ast.TraitDef(span, "Error", [], supertraits=[
            ast.NamedType(span, ["Debug"]), ast.NamedType(span, ["Display"])])
        standard.standard_error = True
        traits[((), "Error")] = standard

    used: dict[tuple, Span] = {}
    for path, members in modules.items():
        nodes = [members, script] if path == () else [members]
        for node in _type_nodes(nodes, skip_modules=True):
            if getattr(node, "dyn_trait", False):
                key = _trait_key(node, path, traits)
                used.setdefault(key, node.span)
                node.path = ["crate", *key[0], enum_name(key[1])] if key[0] != path \
                    else [enum_name(key[1])]
                node.args = []
                del node.dyn_trait

    added: list = []
    done: set[tuple[str, str]] = set()
    for (path, name), span in used.items():
        trait = traits[(path, name)]
        members = _members(modules[path], name)
        # impls in other modules, named from the trait's module by their path
        for other, items_there in modules.items():
            if other != path:
                members += ["::".join(("crate",) + other + (m,))
                            for m in _members(items_there, name)]
        if getattr(trait, "standard_error", False):
            members += [m for m in STD_ERRORS if m not in members]
        if not members:
            raise CompileError([Diagnostic(
                "error", f"sxc needs a type that implements `{name}` to make `dyn {name}`",
                span, [("the trait is declared here", trait.span)],
                f"write `impl {name} for` a struct or an enum in this file, or take a "
                f"generic parameter `T: {name}`", code="SX0801")])
        if trait.consts:
            raise CompileError([Diagnostic(
                "error", f"the trait `{name}` cannot be made into an object", span,
                [("it has an associated constant", trait.consts[0].span)],
                "take a generic parameter instead, or move the constant into a method",
                code="SX0801")])
        public = "pub " if trait.public or path else ""
        generated = _spanned(parse_items(public + _enum_text(name, members)), trait.span)
        generated += [_spanned(impl, trait.span) for impl in _dispatch_impls(
            trait, {n: t for (p, n), t in traits.items() if p == path}, members, parse_items,
            done)]
        if path:
            modules[path].extend(generated)
        else:
            added.extend(generated)
    return added


def _inline_modules(items: list, path: tuple, modules: dict) -> None:
    """Add the items of each inline `mod name { .. }` in `items`, by module path."""
    for item in items:
        if isinstance(item, ast.ModDecl) and item.items is not None:
            inner = path + (item.name,)
            modules[inner] = item.items
            _inline_modules(item.items, inner, modules)


def _trait_key(node: ast.NamedType, path: tuple, traits: dict) -> tuple:
    """Return (module path, name) of the trait that `dyn node` names in module `path`:
    `dyn Shape` there or in the one module that declares a `Shape`, and `dyn
    shapes::Shape` in that module."""
    name = node.path[-1]
    written = [s for s in node.path[:-1] if s != "crate"]
    if node.args:
        key = None
    elif written in (["std", "error"], ["error"]) and name == "Error":
        key = ((), "Error")  # `dyn std::error::Error`
    elif written:
        key = (tuple(written), name) if (tuple(written), name) in traits else None
    elif (path, name) in traits:
        key = (path, name)
    else:
        found = [k for k in traits if k[1] == name]
        key = found[0] if len(found) == 1 else None
    if key is None and not node.args and not any(k[1] == name for k in traits):
        raise CompileError([Diagnostic(
            "error", f"cannot find trait `{name}` in this scope", node.span, [],
            f"declare `trait {name}` in this file", code="SX0215")])
    if key is None:
        written_path = "::".join(node.path)
        raise CompileError([Diagnostic(
            "error", f"sxc supports `dyn {written_path}` only for a trait without arguments "
                     "declared in this file", node.span, [],
            f"declare `trait {name}` in this file, or take a generic parameter `T: {name}`",
            code="SX0801")])
    return key


def _type_nodes(root, skip_modules: bool = False):
    """Yield every syntax node under `root`, the values of dictionaries included, and
    with `skip_modules` none inside an inline `mod` block."""
    todo = [root]
    while todo:
        n = todo.pop()
        if isinstance(n, (list, tuple)):
            todo.extend(n)
        elif isinstance(n, dict):
            todo.extend(n.values())
        elif isinstance(n, ast.Node):
            yield n
            if skip_modules and isinstance(n, ast.ModDecl):
                continue
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
    variants = ", ".join(f"{_variant(m)}({m})" for m in members)
    return f"enum {enum_name(trait)} {{ {variants} }}"


def _variant(member: str) -> str:
    """Return the variant of the trait object's enum whose payload is a `member`."""
    return MESSAGE if member == "String" else member.rpartition("::")[2]


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
    arms = " ".join(f'{enum}::{_variant(m)}(__obj) => write!(f, "{FORMAT_TRAITS[trait]}", '
                    f'__obj),' for m in members)
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
        arms = " ".join(f"{enum}::{_variant(m)}(__obj) => __obj.{method.name}({args}),"
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
