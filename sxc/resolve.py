"""Resolve pass: modules and `use` paths to one `Program` of named items.

Input is the user's parsed `Module`; output is a `Program` that also contains the
bundled prelude (`runtime/std.sx`) and every library module named by a `use`,
such as `use simplex_training::{LearnableSchedule, Annealer}`.  Methods are
keyed `Type::method`; a top-level `fn` whose first parameter is `self`,
`&self` or `&mut self` becomes a method of the struct declared last above it:

    struct P { x: f64 }
    fn norm(&self) -> f64 { self.x.abs() }     ->   functions["P::norm"]

Script-style statements outside any function become the body of `main`.
"""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path as FsPath

from sxc import ast
from sxc.cmath import extern_functions
from sxc.diagnostics import Reporter, Span, register_source
from sxc.modules import ModuleLoader, Scope
from sxc.nested import lift_library
from sxc.names import NameResolver
from sxc.parse import parse_module
from sxc.traits import (check_bound_names, check_supertraits, check_trait_items, complete_impl,
                        derive_methods, inherit_index_output, is_builtin_trait,
                        operator_method_name, report_unknown_trait)
from sxc.types import PRIMITIVES as PRIMITIVE_NAMES

# The inner attributes `#![name = value]` that sxc reads.
FILE_SETTINGS = {"mode", "tangents"}



@dataclass
class Program:
    structs: dict[str, ast.StructDef] = field(default_factory=dict)
    enums: dict[str, ast.EnumDef] = field(default_factory=dict)
    # unit variants named by `use Enum::*` or `use Enum::{A, B}`: name -> enum
    variant_imports: dict[str, str] = field(default_factory=dict)
    functions: dict[str, ast.FnDef] = field(default_factory=dict)
    consts: dict[str, ast.ConstDef] = field(default_factory=dict)
    type_aliases: dict[str, ast.TypeAlias] = field(default_factory=dict)
    # file-level settings from inner attributes, e.g. `#![mode = "release"]`
    attributes: dict[str, str] = field(default_factory=dict)
    attribute_spans: dict[str, Span] = field(default_factory=dict)
    user_file: str = ""
    # the names that come from the bundled runtime rather than the user's code
    library_items: set[str] = field(default_factory=set)
    # names imported from the standard library: `use std::f64::consts::PI;`
    # maps "PI" to ["std", "f64", "consts", "PI"]
    std_imports: dict[str, list[str]] = field(default_factory=dict)
    # the module files that `mod` declarations read (path -> text), and the
    # paths looked for and absent (path -> None)
    module_files: dict[str, str | None] = field(default_factory=dict)
    # prelude types that an item of the user's crate root shadows: name -> key
    shadowed_prelude: dict[str, str] = field(default_factory=dict)
    # the `trait` items: key -> definition, and trait key -> the types that implement it
    traits: dict[str, ast.TraitDef] = field(default_factory=dict)
    trait_impls: dict[str, dict[str, Span]] = field(default_factory=dict)  # type -> impl span
    # (type, name) -> the `type Name = ..;` of the type's trait impls, which
    # `T::Name` means in a generic function whose `T` is that type
    associated_types: dict[tuple[str, str], ast.TypeExpr] = field(default_factory=dict)

    def find_trait(self, name: str) -> ast.TraitDef | None:
        """Return the trait that `name` (a key, or a path's last segment) names."""
        found = self.traits.get(name)
        if found is not None:
            return found
        last = name.split("::")[-1]
        matches = [t for key, t in self.traits.items() if key.split("::")[-1] == last]
        return matches[0] if len(matches) == 1 else None

    def prelude_key(self, name: str) -> str:
        """Return the key of the prelude's type `name`, `std::Rng` when the user's shadows it."""
        return self.shadowed_prelude.get(name, name)


def runtime_source(name: str) -> tuple[str, str]:
    """Return (text, display path) of `runtime/<name>.sx`, installed or in-tree."""
    filename = f"{name}.sx"
    try:
        res = resources.files("sxc.runtime").joinpath(filename)
        return res.read_text(encoding="utf-8"), f"<runtime>/{filename}"
    except (ModuleNotFoundError, FileNotFoundError):
        here = FsPath(__file__).resolve().parent.parent / "runtime" / filename
        return here.read_text(encoding="utf-8"), f"<runtime>/{filename}"


_LIB_CACHE: dict[str, bytes] = {}


def _library_module(name: str) -> ast.Module:
    # The passes annotate trees in place, so every compilation gets its own copy
    # of the cached parse.  The parse is also kept in the cache folder, because
    # parsing the prelude takes longer than compiling a small program.
    if name not in _LIB_CACHE:
        from sxc import cache

        text, path = runtime_source(name)
        register_source(path, text)
        from sxc.prebuilt import read_library_parse

        stored = read_library_parse(name)
        module = cache.unpickle_or_none(stored)
        if module is None:
            stored = cache.read_toolchain_file(f"library-{name}")
            module = cache.unpickle_or_none(stored)
        if module is None:
            module = parse_module(text, path)
            lift_library(module)
            ast.defer_library_bodies(module)
            stored = pickle.dumps(module, protocol=pickle.HIGHEST_PROTOCOL)
            cache.write_toolchain_file(f"library-{name}", stored)
        _LIB_CACHE[name] = stored
        return module
    return pickle.loads(_LIB_CACHE[name])


def resolve_program(module: ast.Module, reporter: Reporter) -> Program:
    """Merge `module`, its module files, the prelude and the used library into a `Program`."""
    from sxc.driver import read_source

    program = Program(attributes=dict(module.attributes),
                      attribute_spans=dict(module.attribute_spans), user_file=module.path)
    for name, value in module.attributes.items():
        if value is not None and name not in FILE_SETTINGS:
            reporter.warning(f"unknown file setting `{name}`, which sxc ignores",
                             module.attribute_spans[name],
                             help="sxc reads `#![mode = \"train\"]` or `\"release\"`, and "
                                  "`#![tangents = N]`", code="SXW001")
    if module.script and not any(isinstance(item, ast.FnDef) and item.name == "main" and
                                 item.self_kind is None for item in module.items):
        # the top-level statements become `main` before names resolve, so that
        # they see the names that `use` brings into the file
        module.items = list(module.items) + [_script_main(module)]
        module.script = []
    loader = ModuleLoader(reporter, read_source, parse_module)
    std = Scope("std", "std", None, ".")
    prelude = _library_module("std")
    loader.declare(std, prelude.items, lifted=getattr(prelude, "nested_lifted", False))
    loader.scopes.remove(std)
    root = loader.load_root(module)
    program.shadowed_prelude = _shadow_prelude_types(std, root)
    names = NameResolver(reporter, loader, std, _library_module)
    names.resolve(root)
    program.std_imports = names.std_imports
    program.variant_imports = names.variant_imports
    if "Option" in std.items and "Option" not in program.shadowed_prelude:
        # Rust's prelude brings the variants of `Option` into scope
        for variant in ("Some", "None"):
            program.variant_imports.setdefault(variant, "Option")
    if "Result" in std.items and "Result" not in program.shadowed_prelude:
        for variant in ("Ok", "Err"):
            program.variant_imports.setdefault(variant, "Result")
    for scope in [std] + loader.scopes:
        for item in scope.members:
            if isinstance(item, ast.TraitDef):
                item.origin = scope.origin
                check_trait_items(item, reporter)
                _define(program.traits, item.name, item, reporter, "trait")
    inherit_index_output([item for scope in loader.scopes for item in scope.members
                          if isinstance(item, ast.ImplDef)])
    for scope in [std] + loader.scopes:
        _add_items(program, scope, reporter)
    for key, trait in program.traits.items():
        clash = program.structs.get(key) or program.enums.get(key)
        if clash is not None:
            later, first = (trait, clash) if (clash.span.file, clash.span.line) <= \
                (trait.span.file, trait.span.line) else (clash, trait)
            _name_clash(later, first, reporter)
    check_supertraits(program, reporter)
    check_bound_names(program, reporter)
    derive_methods(program, reporter)
    _add_entry(program, module, reporter)
    program.module_files = loader.files
    return program


def _shadow_prelude_types(std: Scope, root: Scope) -> dict[str, str]:
    """Rename each prelude type that the user's crate root also declares.

    As with Rust's prelude, the user's `struct Rng` takes the name.  The
    prelude's type gets the key `std::Rng`, which its own functions, and the
    library crates that name `Rng`, then use.  Returns name -> new key.
    """
    renamed: dict[str, str] = {}
    for name, entry in std.items.items():
        mine = root.items.get(name)
        if entry.kind in ("struct", "enum") and mine is not None \
                and mine.kind in ("struct", "enum"):
            renamed[name] = entry.key = f"std::{name}"
    if renamed:
        _rename_types(std.members, renamed)
    return renamed


def _rename_types(nodes: list[ast.Item], renamed: dict[str, str]) -> None:
    """Replace the type names in `renamed` by their keys wherever `nodes` name them."""
    stack: list = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, (list, tuple)):
            stack.extend(node)
            continue
        if isinstance(node, dict):
            stack.extend(node.values())
            continue
        if not isinstance(node, ast.Node):
            continue
        if isinstance(node, ast.NamedType) and node.path[0] in renamed:
            node.path = [renamed[node.path[0]]] + node.path[1:]
        elif isinstance(node, ast.Path) and node.segments[0] in renamed:
            node.segments = [renamed[node.segments[0]]] + node.segments[1:]
        elif isinstance(node, (ast.StructLit, ast.StructDef, ast.EnumDef)) \
                and node.name in renamed:
            node.name = renamed[node.name]
        elif isinstance(node, ast.ImplDef) and node.type_name in renamed:
            node.type_name = renamed[node.type_name]
        stack.extend(getattr(node, f.name) for f in dataclasses.fields(node))


def _add_items(program: Program, scope: Scope, reporter: Reporter) -> None:
    origin = scope.origin
    last_struct: str | None = None
    impls: list[ast.ImplDef] = []
    for item in scope.members:
        item.origin = origin
        item.module_path = scope.path
        for method in getattr(item, "methods", []):
            method.origin = origin
            method.module_path = scope.path
        if isinstance(item, ast.StructDef) and item.name in program.enums:
            _name_clash(item, program.enums[item.name], reporter)
        elif isinstance(item, ast.StructDef):
            _define(program.structs, item.name, item, reporter, "struct")
            last_struct = item.name
        elif isinstance(item, ast.EnumDef):
            _add_enum(program, item, reporter)
            last_struct = item.name
        elif isinstance(item, ast.FnDef):
            if item.self_kind is not None:
                if last_struct is None:
                    reporter.error(f"`self` parameter of `{item.name}` has no struct",
                                   item.name_span or item.span,
                                   help="declare the struct above the function, "
                                        "or put the method in an `impl` block", code="SX0214")
                    continue
                item.owner = last_struct
                key = f"{last_struct}::{item.name}"
            else:
                key = item.name
            _define(program.functions, key, item, reporter, "function")
        elif isinstance(item, ast.ImplDef):
            if item.trait is not None and not is_builtin_trait(item.trait):
                trait = program.find_trait(item.trait)
                if trait is None:
                    report_unknown_trait(item, program.traits, reporter)
                    continue
                complete_impl(item, trait, reporter)
                for assoc, target in getattr(item, "associated_types", {}).items():
                    program.associated_types[(item.type_name, assoc)] = target
                item.trait = trait.name
                program.trait_impls.setdefault(trait.name, {})[item.type_name] = \
                    getattr(item, "trait_span", None) or item.span
                for method in item.methods:
                    method.origin = origin
                    method.module_path = scope.path
            elif item.trait == "Iterator":
                for assoc, target in getattr(item, "associated_types", {}).items():
                    program.associated_types[(item.type_name, assoc)] = target
                # loops and chains over the type call its `next` (see `sxc.user_iterators`)
                program.trait_impls.setdefault("Iterator", {})[item.type_name] = \
                    getattr(item, "trait_span", None) or item.span
            impls.append(item)
            for const in item.consts:
                const.owner = item.type_name
                const.name = f"{item.type_name}::{const.name}"
                _define(program.consts, const.name, const, reporter, "constant")
            for method in item.methods:
                method.name = operator_method_name(item, method.name)
                method.owner = item.type_name
                method.impl_generics = item.generics
                method.impl_args = item.type_args
                method.impl_bounds = item.bounds
                method.trait_impl = item.trait  # the trait fixes the parameters
                if item.trait is not None:
                    method.public = True  # a trait's methods are as visible as the trait
                key = f"{item.type_name}::{method.name}"
                previous = program.functions.get(key)
                if previous is not None and item.trait is not None \
                        and getattr(previous, "trait_impl", None) not in (None, item.trait):
                    reporter.error(f"sxc does not support two traits with a method `{method.name}` "
                                   f"for one type: `{previous.trait_impl}` and `{item.trait}` for "
                                   f"`{item.type_name}`", method.name_span or method.span,
                                   notes=[("the other method", previous.name_span or previous.span)],
                                   help="rename the method in one of the traits", code="SX0801")
                    continue
                if item.type_args:
                    # `impl Pair<f64>` and `impl Pair<f32>` may both define a method
                    # of one name: the type checker picks one per instance
                    key = f"{item.type_name}<{len(impls)}>::{method.name}"
                _define(program.functions, key, method, reporter, "method")
        elif isinstance(item, ast.ConstDef):
            _define(program.consts, item.name, item, reporter, "constant")
        elif isinstance(item, ast.TypeAlias):
            _define(program.type_aliases, item.name, item, reporter, "type alias")
        elif isinstance(item, ast.ExternBlock):
            for fn in extern_functions(item, reporter):
                fn.origin = origin
                _define(program.functions, fn.name, fn, reporter, "function")
        if origin != "user":
            name = getattr(item, "name", None) or getattr(item, "type_name", None)
            if name:
                program.library_items.add(name)
    for impl in impls:
        if impl.type_name in program.structs or impl.type_name in program.enums:
            continue
        if impl.type_name in impl.generics:
            reporter.error(f"sxc does not support blanket impls (`impl<{impl.type_name}> "
                           f"{impl.trait or '..'} for {impl.type_name}`)", impl.span,
                           help="write one impl per type", code="SX0804")
            continue
        if impl.type_name in PRIMITIVE_NAMES and impl.type_name not in ("str", "String", "dual"):
            continue  # `impl Shape for f64`: methods of the number type
        implemented = f"the trait `{impl.trait}`" if impl.trait else "methods"
        if impl.type_name in PRIMITIVE_NAMES:
            reporter.error(f"sxc does not support implementing {implemented} for the primitive "
                           f"type `{impl.type_name}`", impl.span,
                           help=f"wrap the value in a struct, `struct Wrapper({impl.type_name});`,"
                                " and implement it for that", code="SX0804")
            continue
        if impl.type_name in STD_GENERIC_TYPES:
            reporter.error(f"sxc does not support implementing {implemented} for the standard "
                           f"library's `{impl.type_name}`", impl.span,
                           help="wrap the value in a struct, "
                                f"`struct Wrapper({impl.type_name}<..>);`, and implement it "
                                "for that", code="SX0804")
            continue
        reporter.error(f"cannot find type `{impl.type_name}` to implement", impl.span,
                       help="declare the struct before its `impl` block", code="SX0202")


# Generic types of Rust's standard library, which a program's impl cannot extend.
STD_GENERIC_TYPES = frozenset({"Vec", "Option", "Result", "Box", "VecDeque"})


def _add_enum(program: Program, item: ast.EnumDef, reporter: Reporter) -> None:
    if item.name in program.structs:
        _name_clash(item, program.structs[item.name], reporter)
        return
    _define(program.enums, item.name, item, reporter, "enum")


def _name_clash(item, previous, reporter: Reporter) -> None:
    reporter.error(f"the name `{item.name}` is defined more than once",
                   getattr(item, "name_span", None) or item.span,
                   notes=[("first defined here", previous.span)], code="SX0203")


def _define(table: dict, key: str, item, reporter: Reporter, kind: str) -> None:
    if key in table and kind == "function" and _replaces_prelude(table[key], item):
        table[key] = item
        return
    if key in table:
        span = getattr(item, "name_span", None) or item.span
        previous = table[key]
        reporter.error(f"the {kind} `{key}` is defined more than once", span,
                       notes=[("first defined here", previous.span)], code="SX0203")
        return
    table[key] = item


def _replaces_prelude(previous, item) -> bool:
    """Whether a user's free function takes the place of a prelude one.

    Programs written for the original runtime often define their own
    `abs_f64` or `sqrt_f64`, so their definition replaces the prelude's
    instead of clashing with it.
    """
    return (getattr(previous, "origin", None) == "std" and item.origin == "user"
            and previous.self_kind is None and not previous.name.startswith("__"))


def _add_entry(program: Program, module: ast.Module, reporter: Reporter) -> None:
    if not module.script:
        return
    main = program.functions.get("main")
    if main is not None and main.span.file == module.path:
        first = module.script[0]
        reporter.error("this file has both `fn main` and top-level statements",
                       first.span, notes=[("`fn main` is defined here", main.name_span)],
                       help="move the top-level statements into `fn main`", code="SX0213")
        return
    main = _script_main(module)
    main.origin = "user"
    program.functions["main"] = main


def _script_main(module: ast.Module) -> ast.FnDef:
    """Return the `fn main` whose body is the top-level statements of `module`."""
    end = module.script[-1].span
    body = ast.Block(module.script[0].span.to(end), list(module.script), None)
    if body.stmts and isinstance(body.stmts[-1], ast.ExprStmt) and not body.stmts[-1].semi:
        last = body.stmts[-1]
        body.stmts[-1] = ast.ExprStmt(last.span, last.expr, True)
    return ast.FnDef(body.span, "main", [], None, body, None, [], False,
                     Span(module.path, 1, 1, 1, 1))
