"""Modules: the tree of `mod` files, `use` imports and the paths that name items.

`mod name;` in a file loads `name.sx` beside it (or `name/mod.sx`).  A module
declared in `a.sx` (or `a/mod.sx`) loads its own modules from `a/`, as Rust
does.  Every module has a `Scope` of the items it declares and imports.
Items of the crate root and the prelude keep their names; an item of module
`a::b` gets the key `a::b::name`, so the same name in two modules never clashes:

    // geometry.sx                     // main.sx
    pub struct Point { .. }            mod geometry;
                                       use geometry::Point;   ->  key `geometry::Point`

The bundled library `simplex_training` is a crate of its own with the same
kind of scope; `runtime/std.sx` is the prelude, visible in every module.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from sxc import ast
from sxc.nested import lift_nested_items
from sxc.diagnostics import Reporter, Span
from sxc.traits import check_trait_impl

CRATE = "crate"  # the module path of the user's crate root

# The kind of item that each item class declares, as messages name it.
ITEM_KINDS = {ast.StructDef: "struct", ast.FnDef: "function", ast.ConstDef: "constant",
              ast.TypeAlias: "type alias"}


def _real_path(path: str) -> str:
    """Return the canonical path of `path`, or `path` itself when the current
    directory, which a relative path needs, no longer exists."""
    try:
        return os.path.realpath(path)
    except OSError:
        return os.path.normpath(path)


@dataclass(eq=False)
class Entry:
    """A name in a module: an item, a module, or what a `use` imports."""

    kind: str  # "struct", "function", "constant", "module", or another item's kind
    key: str  # the item's key in the `Program`; the module path for a module
    public: bool
    module: "Scope"  # the module that declares the item (for an import: that imports it)
    span: Span
    target: "Scope | None" = None  # the module itself, for kind "module"
    item: object = None  # the declaration, for an item


@dataclass(eq=False)
class Scope:
    """One module: its items, its imports and where its own module files live."""

    path: str  # "crate", "crate::geometry", "simplex_training", ...
    origin: str  # "user", "library" or "std"
    parent: "Scope | None"
    directory: str  # where the files of its `mod` declarations are
    # Rust keeps modules apart from functions and constants, so `mod stats;`
    # and `fn stats()` may stand side by side; a struct may not share a module's name.
    items: dict[str, Entry] = field(default_factory=dict)
    modules: dict[str, Entry] = field(default_factory=dict)
    imports: dict[str, Entry] = field(default_factory=dict)
    globs: list["Scope"] = field(default_factory=list)
    # the items whose names and bodies belong to this module
    members: list[ast.Item] = field(default_factory=list)
    uses: list[ast.UseDecl] = field(default_factory=list)

    @property
    def is_root(self) -> bool:
        return self.parent is None

    def root(self) -> "Scope":
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def key(self, name: str) -> str:
        """Return the key of item `name` of this module."""
        if self.path == CRATE or self.origin == "std":
            return name
        return f"{display_path(self.path)}::{name}"

    def is_within(self, other: "Scope") -> bool:
        scope: Scope | None = self
        while scope is not None:
            if scope is other:
                return True
            scope = scope.parent
        return False

    def describe(self) -> str:
        return describe_path(self.path)


def display_path(path: str) -> str:
    """Return a module path as messages show it: `geometry`, not `crate::geometry`."""
    return path[len(CRATE) + 2:] if path.startswith(CRATE + "::") else path


def within_path(inner: str, outer: str) -> bool:
    """Return whether module path `inner` is `outer` or inside it."""
    return inner == outer or inner.startswith(outer + "::")


def describe_path(path: str) -> str:
    return "the crate root" if path == CRATE else f"module `{display_path(path)}`"


def report_private(reporter: Reporter, what: str, name: str, span: Span,
                   declared: Span, module_path: str) -> None:
    """Report the use of a private item outside the module that declares it."""
    reporter.error(f"{what} is private", span,
                   notes=[(f"`{name}` is declared here", declared)],
                   help=f"`{name}` is declared without `pub` in {describe_path(module_path)}; "
                        "add `pub` to use it from another module", code="SX0204")


def visible(entry: Entry, scope: Scope) -> bool:
    """Return whether code in `scope` may use `entry`: `pub`, or declared around it."""
    return entry.public or entry.module.origin == "std" or scope.is_within(entry.module)


def item_entry(item: ast.Item, scope: Scope) -> Entry | None:
    """Return the entry that `item` declares in `scope`, or None for an unnamed item."""
    name = getattr(item, "name", None)
    if not isinstance(name, str) or isinstance(item, (ast.ModDecl, ast.UseDecl)):
        return None
    if isinstance(item, ast.FnDef) and item.self_kind is not None:
        return None  # a method of the struct above it
    kind = ITEM_KINDS.get(type(item), type(item).__name__.lower().removesuffix("def"))
    span = getattr(item, "name_span", None) or item.span
    return Entry(kind, scope.key(name), bool(getattr(item, "public", False)), scope, span,
                 item=item)


class ModuleLoader:
    """Reads the files of `mod name;` declarations and builds their scopes."""

    def __init__(self, reporter: Reporter, read_source, parse_module):
        self.rep = reporter
        self.read_source = read_source
        self.parse_module = parse_module
        self.loading: list[tuple[str, str]] = []  # (real path, shown path) being loaded
        self.loaded: dict[str, str] = {}  # real path -> module path
        self.scopes: list[Scope] = []
        # the text of each module file read, and None for each path looked for
        # and absent: the files that a compiled program depends on
        self.files: dict[str, str | None] = {}

    def load_root(self, module: ast.Module) -> Scope:
        directory = os.path.dirname(module.path) if os.path.isfile(module.path) else "."
        scope = Scope(CRATE, "user", None, directory)
        real = _real_path(module.path)
        self.loaded[real] = CRATE
        self.loading.append((real, module.path))
        self.declare(scope, module.items, module.script)
        self.loading.pop()
        return scope

    def declare(self, scope: Scope, items: list[ast.Item],
                script: list[ast.Stmt] | None = None, lifted: bool = False) -> None:
        """Add `items` to `scope`, loading the modules they declare.  The items
        declared inside function bodies (and inside `script`) join them,
        unless `lifted` says that they already have (see `lift_library`)."""
        self.scopes.append(scope)
        if not lifted:
            items = list(items) + lift_nested_items(items, [script] if script else [])
        for item in items:
            if isinstance(item, ast.UseDecl):
                scope.uses.append(item)
                continue
            if isinstance(item, ast.ImplDef) and not check_trait_impl(item, self.rep):
                continue
            scope.members.append(item)
            if isinstance(item, ast.ModDecl):
                self.declare_module(scope, item)
                continue
            entry = item_entry(item, scope)
            if entry is None:
                continue
            module = scope.modules.get(item.name)
            if module is not None and entry.kind == "struct":
                self.clash(item.name, entry.span, module)
                continue
            if item.name not in scope.items:
                scope.items[item.name] = entry

    def clash(self, name: str, span: Span, previous: Entry) -> None:
        self.rep.error(f"the name `{name}` is defined more than once in this module", span,
                       notes=[(f"the {previous.kind} `{name}` is declared here",
                               previous.span)],
                       help="rename one of them", code="SX0203")

    def declare_module(self, scope: Scope, decl: ast.ModDecl) -> None:
        name = decl.name
        span = decl.name_span or decl.span
        previous = scope.modules.get(name)
        if previous is not None:
            self.rep.error(f"the module `{name}` is declared more than once", span,
                           notes=[("first declared here", previous.span)],
                           help="remove one of the `mod` declarations", code="SX0203")
            return
        previous = scope.items.get(name)
        if previous is not None and previous.kind == "struct":
            self.clash(name, span, previous)
            return
        path = f"{scope.path}::{name}"
        child = Scope(path, scope.origin, scope, os.path.join(scope.directory, name))
        scope.modules[name] = Entry("module", path, decl.public, scope, span, child)
        if decl.items is not None:
            self.declare(child, decl.items)
            return
        module = self.load_file(scope, decl, path)
        if module is None:
            return
        if module.script:
            self.rep.error("statements outside a function are allowed only in the "
                           "program's main file", module.script[0].span,
                           help="move them into a function", code="SX0213")
        self.loading.append((_real_path(module.path), module.path))
        self.declare(child, module.items)
        self.loading.pop()

    def load_file(self, scope: Scope, decl: ast.ModDecl, path: str) -> ast.Module | None:
        """Find, read and parse the file of `mod name;`; None after an error."""
        name = decl.name
        span = decl.name_span or decl.span
        flat = os.path.join(scope.directory, f"{name}.sx")
        nested = os.path.join(scope.directory, name, "mod.sx")
        found = [p for p in (flat, nested) if os.path.isfile(p)]
        for candidate in (flat, nested):
            if candidate not in found:
                self.files[candidate] = None
        if not found:
            self.rep.error(f"file not found for module `{name}`", span,
                           help=f"sxc looked for `{flat}` and `{nested}`; create one of them",
                           code="SX0205")
            return None
        if len(found) == 2:
            self.rep.error(f"the file of module `{name}` is ambiguous: both `{flat}` and "
                           f"`{nested}` exist", span, help="delete or rename one of them",
                           code="SX0206")
            return None
        file_path = found[0]
        real = _real_path(file_path)
        chain = [shown for r, shown in self.loading]
        if real in [r for r, _ in self.loading]:
            start = [r for r, _ in self.loading].index(real)
            cycle = " -> ".join(chain[start:] + [file_path])
            self.rep.error(f"module `{name}` is part of a cycle of module files: {cycle}",
                           span, help="a module file may not declare a module that "
                                      "contains it", code="SX0206")
            return None
        if real in self.loaded:
            self.rep.error(f"the file `{file_path}` is already the module "
                           f"`{display_path(self.loaded[real])}`", span,
                           help="a file can be one module only", code="SX0206")
            return None
        self.loaded[real] = path
        source = self.read_source(file_path)
        self.files[file_path] = source
        return self.parse_module(source, file_path)
