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

import pickle
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path as FsPath

from sxc import ast
from sxc.cmath import extern_functions
from sxc.numbers import MATH_CONSTS
from sxc.diagnostics import Reporter, Span, register_source
from sxc.parse import parse_module

# The inner attributes `#![name = value]` that sxc reads.
FILE_SETTINGS = {"mode", "tangents"}

# A bundled module and the files under runtime/ that make it up, read in order.
LIBRARY_MODULES = {"simplex_training": ("simplex_training", "meta_trainer")}


# The original toolchain's standard library, whose `dual` type sxc builds in:
# `use simplex::dual::dual;` and `use simplex_std::dual::dual;` import nothing.
ORIGINAL_LIBRARIES = ("simplex", "simplex_std")


def _imports_builtin(use: ast.UseDecl) -> bool:
    return use.path[1:] == ["dual"] and all(name in ("dual", "*") for name in use.names)


@dataclass
class Program:
    structs: dict[str, ast.StructDef] = field(default_factory=dict)
    enums: dict[str, ast.EnumDef] = field(default_factory=dict)
    # unit variants named by `use Enum::*` or `use Enum::{A, B}`: name -> enum
    variant_imports: dict[str, str] = field(default_factory=dict)
    functions: dict[str, ast.FnDef] = field(default_factory=dict)
    consts: dict[str, ast.ConstDef] = field(default_factory=dict)
    # file-level settings from inner attributes, e.g. `#![mode = "release"]`
    attributes: dict[str, str] = field(default_factory=dict)
    attribute_spans: dict[str, Span] = field(default_factory=dict)
    user_file: str = ""
    # the names that come from the bundled runtime rather than the user's code
    library_items: set[str] = field(default_factory=set)
    # names imported from the standard library: `use std::f64::consts::PI;`
    # maps "PI" to ["std", "f64", "consts", "PI"]
    std_imports: dict[str, list[str]] = field(default_factory=dict)


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
    # of the cached parse.
    if name not in _LIB_CACHE:
        text, path = runtime_source(name)
        _LIB_CACHE[name] = pickle.dumps(parse_module(text, path))
        register_source(path, text)
    return pickle.loads(_LIB_CACHE[name])


def resolve_program(module: ast.Module, reporter: Reporter) -> Program:
    """Merge `module`, the prelude and the used library modules into a `Program`."""
    program = Program(attributes=dict(module.attributes),
                      attribute_spans=dict(module.attribute_spans), user_file=module.path)
    for name, value in module.attributes.items():
        if value is not None and name not in FILE_SETTINGS:
            reporter.warning(f"unknown file setting `{name}`, which sxc ignores",
                             module.attribute_spans[name],
                             help="sxc reads `#![mode = \"train\"]` or `\"release\"`, and "
                                  "`#![tangents = N]`")
    modules = [_library_module("std")]
    loaded: dict[str, ast.Module] = {}
    enums = {i.name: i for i in module.items if isinstance(i, ast.EnumDef)}
    for item in module.items:
        if isinstance(item, ast.UseDecl):
            root = item.path[0] if item.path else item.names[0]
            if _import_variants(program, item, enums, reporter):
                continue
            if root in LIBRARY_MODULES:
                if root not in loaded:
                    loaded[root] = [_library_module(f) for f in LIBRARY_MODULES[root]]
                    modules.extend(loaded[root])
                _check_imports(loaded[root], item, reporter)
            elif root in ("std", "core"):
                _add_std_import(program, item)
            elif root in ORIGINAL_LIBRARIES and _imports_builtin(item):
                continue
            elif root not in ("std", "crate", "self", "super"):
                reporter.error(f"unresolved import `{root}`", item.span,
                               help="the bundled library is `simplex_training`")
    for lib in modules:
        origin = "std" if lib.path.endswith("/std.sx") else "library"
        _add_items(program, lib, reporter, origin)
    _add_items(program, module, reporter, "user")
    _add_entry(program, module, reporter)
    return program


def _add_std_import(program: Program, use: ast.UseDecl) -> None:
    for name in use.names:
        if name == "*" and use.path[-1:] == ["consts"]:
            for const in MATH_CONSTS:
                program.std_imports[const] = use.path + [const]
        elif name != "*":
            program.std_imports[name] = use.path + [name]


def _check_imports(files: list[ast.Module], use: ast.UseDecl, reporter: Reporter) -> None:
    items = [i for lib in files for i in lib.items]
    names = {getattr(i, "name", None) for i in items}
    names |= {i.type_name for i in items if isinstance(i, ast.ImplDef)}
    for name in use.names:
        if not use.path and name in LIBRARY_MODULES:
            continue  # `use simplex_training;` names the module itself
        if name != "*" and name not in names:
            reporter.error(f"unresolved import `{name}` in `{use.path[0]}`", use.span)


def _import_variants(program: Program, use: ast.UseDecl, enums: dict[str, ast.EnumDef],
                     reporter: Reporter) -> bool:
    """Record `use Color::*;` or `use Color::{Red, Blue};`; False if `use` names no enum."""
    path = list(use.path)
    while path and path[0] in ("crate", "self"):
        path.pop(0)
    if len(path) != 1 or path[0] not in enums:
        return False
    enum = enums[path[0]]
    variants = [name for name, _value, _span in enum.variants]
    for name in use.names:
        if name == "*":
            for variant in variants:
                program.variant_imports[variant] = enum.name
        elif name in variants:
            program.variant_imports[name] = enum.name
        else:
            reporter.error(f"no variant `{name}` in enum `{enum.name}`", use.span,
                           help="its variants are " + ", ".join(f"`{v}`" for v in variants))
    return True


def _add_items(program: Program, module: ast.Module, reporter: Reporter,
               origin: str) -> None:
    last_struct: str | None = None
    impls: list[ast.ImplDef] = []
    for item in module.items:
        item.origin = origin
        for method in getattr(item, "methods", []):
            method.origin = origin
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
                                        "or put the method in an `impl` block")
                    continue
                item.owner = last_struct
                key = f"{last_struct}::{item.name}"
            else:
                key = item.name
            _define(program.functions, key, item, reporter, "function")
        elif isinstance(item, ast.ImplDef):
            impls.append(item)
            for method in item.methods:
                method.owner = item.type_name
                method.impl_generics = item.generics
                method.impl_args = item.type_args
                method.impl_bounds = item.bounds
                key = f"{item.type_name}::{method.name}"
                if item.type_args:
                    # `impl Pair<f64>` and `impl Pair<f32>` may both define a method
                    # of one name: the type checker picks one per instance
                    key = f"{item.type_name}<{len(impls)}>::{method.name}"
                _define(program.functions, key, method, reporter, "method")
        elif isinstance(item, ast.ConstDef):
            _define(program.consts, item.name, item, reporter, "constant")
        elif isinstance(item, ast.ExternBlock):
            for fn in extern_functions(item, reporter):
                fn.origin = origin
                _define(program.functions, fn.name, fn, reporter, "function")
        elif isinstance(item, ast.ModDecl):
            reporter.error("sxc does not support `mod` declarations yet", item.span,
                           help="put the program in one file")
        if origin != "user":
            name = getattr(item, "name", None) or getattr(item, "type_name", None)
            if name:
                program.library_items.add(name)
    for impl in impls:
        if impl.type_name not in program.structs and impl.type_name not in program.enums:
            reporter.error(f"cannot find type `{impl.type_name}` to implement", impl.span,
                           help="declare the struct before its `impl` block")


def _add_enum(program: Program, item: ast.EnumDef, reporter: Reporter) -> None:
    if item.name in program.structs:
        _name_clash(item, program.structs[item.name], reporter)
        return
    _define(program.enums, item.name, item, reporter, "enum")


def _name_clash(item, previous, reporter: Reporter) -> None:
    reporter.error(f"the name `{item.name}` is defined more than once",
                   getattr(item, "name_span", None) or item.span,
                   notes=[("first defined here", previous.span)])


def _define(table: dict, key: str, item, reporter: Reporter, kind: str) -> None:
    if key in table and kind == "function" and _replaces_prelude(table[key], item):
        table[key] = item
        return
    if key in table:
        span = getattr(item, "name_span", None) or item.span
        previous = table[key]
        reporter.error(f"the {kind} `{key}` is defined more than once", span,
                       notes=[("first defined here", previous.span)])
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
                       help="move the top-level statements into `fn main`")
        return
    end = module.script[-1].span
    body = ast.Block(module.script[0].span.to(end), list(module.script), None)
    if body.stmts and isinstance(body.stmts[-1], ast.ExprStmt) and not body.stmts[-1].semi:
        last = body.stmts[-1]
        body.stmts[-1] = ast.ExprStmt(last.span, last.expr, True)
    main = ast.FnDef(body.span, "main", [], None, body, None, [], False,
                     Span(module.path, 1, 1, 1, 1))
    main.origin = "user"
    program.functions["main"] = main
