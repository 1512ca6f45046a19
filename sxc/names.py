"""Name resolution: `use` imports, and every path rewritten to the key of its item.

After this pass a path names its item by key, whichever module the code is in:

    // in module `shapes`, with `use crate::geometry::{self, Point};`
    Point::new(1.0, 2.0)     ->  Path(["geometry::Point", "new"])
    geometry::area(p)        ->  Path(["geometry::area"])

Local variables shadow items, so the walk tracks the names that patterns bind.
Paths it cannot resolve (`f64::MAX`, `dual::variable`, `println`) stay as they
are for the type checker, which resolves the built-in names.
"""

from __future__ import annotations

import dataclasses

from sxc import ast
from sxc.diagnostics import Reporter, Span
from sxc.modules import Entry, ModuleLoader, Scope, report_private, visible
from sxc.numbers import MATH_CONSTS

# A bundled library crate and the files under runtime/ that make it up, read in order.
LIBRARY_CRATES = {"simplex_training": ("simplex_training", "meta_trainer")}

# Types of Rust's standard library that `runtime/std.sx` defines, which a
# `use std::..` of them leaves as they are.
PRELUDE_STD_TYPES = frozenset({"HashMap", "HashSet", "BTreeMap", "BTreeSet", "BinaryHeap",
                               "Reverse"})

# Types of Rust's standard library that sxc lacks, with what to use instead.
UNSUPPORTED_STD = {
    "Rc": "store the value directly, or index into a `Vec`",
    "Arc": "store the value directly, or index into a `Vec`",
    "RefCell": "pass `&mut` references instead",
    "Cell": "pass `&mut` references instead",
    "Mutex": "sxc programs are single-threaded",
}

# Other names of Rust's standard library that sxc lacks: name -> (the type, what to use).
UNSUPPORTED_NAMES = {
    "Result": ("Result", "return a status beside the value, or stop with `panic!`"),
    "i128": ("i128", "use `i64` or `u64`"),
    "u128": ("u128", "use `u64` or `i64`"),
}
UNSUPPORTED_NAMES.update({name: (name, help_text) for name, help_text in UNSUPPORTED_STD.items()})

PATH_ROOTS = ("crate", "self", "super")

# The original toolchain's standard library, whose `dual` type sxc builds in:
# `use simplex::dual::dual;` and `use simplex_std::dual::dual;` import nothing.
ORIGINAL_LIBRARIES = ("simplex", "simplex_std")


class NameResolver:
    """Resolves the imports of every module, then rewrites the paths in its items."""

    def __init__(self, reporter: Reporter, loader: ModuleLoader, prelude: Scope,
                 library_module):
        self.rep = reporter
        self.loader = loader
        self.prelude = prelude
        self.library_module = library_module  # name -> parsed runtime file
        self.crates: dict[str, Scope] = {}
        # method key -> (the method, the module of its `impl`), for privacy checks
        self.methods: dict[str, tuple[ast.FnDef, Scope]] = {}
        self.root: Scope | None = None
        # names imported from `std`, such as "PI" -> ["std", "f64", "consts", "PI"]
        self.std_imports: dict[str, list[str]] = {}
        # unit variants imported by `use Enum::*` or `use Enum::{A, B}`: name -> enum key
        self.variant_imports: dict[str, str] = {}

    def resolve(self, root: Scope) -> None:
        self.root = root
        user = list(self.loader.scopes)
        self.resolve_imports(user)
        for scope in user:
            self.prepare(scope)
        done = 0
        # a path into a library crate loads it, which adds its scope to the list
        while done < len(self.loader.scopes):
            scope = self.loader.scopes[done]
            done += 1
            rewriter = BodyRewriter(self, scope)
            for item in scope.members:
                rewriter.item(item)

    # ------------------------------------------------------------ modules

    def crate(self, name: str) -> Scope:
        """Return the scope of library crate `name`, loading it the first time."""
        if name not in self.crates:
            scope = Scope(name, "library", None, ".")
            self.crates[name] = scope
            files = [self.library_module(f) for f in LIBRARY_CRATES[name]]
            self.loader.declare(scope, [i for f in files for i in f.items],
                                lifted=all(getattr(f, "nested_lifted", False) for f in files))
            self.resolve_imports([scope])
            self.prepare(scope)
        return self.crates[name]

    def prepare(self, scope: Scope) -> None:
        """Give the items of `scope` their keys and find the types of its `impl`s."""
        last_struct: str | None = None
        for item in scope.members:
            if isinstance(item, ast.ImplDef):
                entry = self.lookup(scope, item.type_name)
                if entry is not None and entry.kind in ("struct", "enum"):
                    item.type_name = entry.key
                for method in item.methods:
                    public = method.public or item.trait is not None
                    method.public = public
                    self.methods[f"{item.type_name}::{method.name}"] = (method, scope)
                continue
            entry = scope.items.get(getattr(item, "name", None) or "")
            if isinstance(item, ast.FnDef) and item.self_kind is not None:
                if last_struct is not None:
                    self.methods[f"{last_struct}::{item.name}"] = (item, scope)
                continue
            if entry is not None and entry.kind != "module":
                item.name = entry.key
                if isinstance(item, ast.StructDef):
                    last_struct = entry.key
            if isinstance(item, ast.TypeAlias) and isinstance(item.target, ast.NamedType) \
                    and not item.target.args:
                # the path as written, which `aliased_type` resolves in the alias's module
                item.written_target = list(item.target.path)

    # ------------------------------------------------------------ lookups

    def member(self, module: Scope, name: str, within: Scope,
               prefix: bool = False) -> Entry | None:
        """Return item `name` of `module` as visible from code in `within`, or None.
        A `prefix` (a name that more segments follow) looks for a module first."""
        tables = (module.modules, module.items) if prefix else (module.items, module.modules)
        for table in tables:
            entry = table.get(name)
            if entry is not None:
                return entry
        entry = module.imports.get(name)
        if entry is not None and (entry.public or within.is_within(module)):
            return entry
        if within.is_within(module):
            for glob in module.globs:
                entry = glob.items.get(name) or glob.modules.get(name)
                if entry is not None and visible(entry, module):
                    return entry
        return None

    def lookup(self, scope: Scope, name: str, prefix: bool = False) -> Entry | None:
        """Return what the plain name `name` means in `scope`, or None."""
        entry = self.member(scope, name, scope, prefix)
        if entry is not None:
            return entry
        if name in LIBRARY_CRATES:
            crate = self.crate(name)
            return Entry("module", crate.path, True, crate, crate_span(), crate)
        return self.prelude.items.get(name)

    def start(self, scope: Scope, segments: list[str], span: Span,
              report: bool) -> tuple[Entry | None, int]:
        """Resolve the first segments of a path: `crate`, `self`, `super`s or a name.

        Returns the entry they name and how many segments they took."""
        first = segments[0]
        if first not in PATH_ROOTS:
            return self.lookup(scope, first, prefix=len(segments) > 1), 1
        module = scope.root() if first == "crate" else scope
        taken = 1 if first != "super" else 0
        while taken < len(segments) and segments[taken] == "super":
            if module.parent is None:
                if report:
                    self.rep.error("`super` used in the crate root, which has no parent "
                                   "module", span, help="use `crate::` to start at the root",
                                   code="SX0207")
                return None, taken
            module = module.parent
            taken += 1
        return Entry("module", module.path, True, module, span, module), taken

    def walk(self, scope: Scope, segments: list[str], span: Span,
             report: bool) -> tuple[Entry | None, int]:
        """Follow `segments` through modules; return the entry reached and the segments
        used.  An entry of kind "module" with segments left means a name is missing."""
        entry, taken = self.start(scope, segments, span, report)
        if entry is None:
            return None, taken
        while entry.kind == "module" and taken < len(segments):
            name = segments[taken]
            found = self.member(entry.target, name, scope, prefix=taken + 1 < len(segments))
            at = segment_span(span, segments, taken)
            if found is None:
                if report:
                    self.rep.error(f"cannot find `{name}` in {entry.target.describe()}", at,
                                   help=self.suggest(entry.target, name), code="SX0201")
                return None, taken
            if not visible(found, scope):
                self.private(found, name, at)
            entry = found
            taken += 1
        return entry, taken

    def suggest(self, module: Scope, name: str) -> str | None:
        # the library's own helpers (`__Heat`) are no names to offer
        names = sorted(n for n in set(module.items) | set(module.modules)
                       if not n.startswith("__"))
        if not names:
            return None
        return f"{module.describe()} declares: {', '.join(f'`{n}`' for n in names)}"

    def private(self, entry: Entry, name: str, span: Span) -> None:
        report_private(self.rep, f"{entry.kind} `{name}`", name, span, entry.span,
                       entry.module.path)

    # ------------------------------------------------------------ imports

    def resolve_imports(self, scopes: list[Scope]) -> None:
        """Bind the names of every `use` in `scopes`, in any order they depend on."""
        pending = [(scope, use, imp) for scope in scopes for use in scope.uses
                   for imp in use.imports]
        while pending:
            remaining = [p for p in pending if not self.import_one(*p, report=False)]
            if len(remaining) == len(pending):
                for p in remaining:
                    self.import_one(*p, report=True)
                return
            pending = remaining

    def import_one(self, scope: Scope, use: ast.UseDecl, imp: ast.UseImport,
                   report: bool) -> bool:
        """Bind one import; return False to retry it after the others."""
        path = imp.path
        errors = len(self.rep.diagnostics)
        if path[0] in ("std", "core"):
            self.import_std(scope, use, imp)
            return True
        if path[0] in ORIGINAL_LIBRARIES and path[1:2] == ["dual"] and path[-1] in ("dual", "*"):
            return True
        if len(path) > 1:
            owner, _ = self.walk(scope, path[:-1], imp.span, report=False)
            if owner is not None and owner.kind == "enum":
                self.import_variant(owner, path[-1], use)
                return True
        if path[-1] == "*":
            entry, taken = self.walk(scope, path[:-1], imp.span, report)
            if entry is None or taken < len(path) - 1:
                return self.unresolved(imp, report, errors)
            if entry.kind != "module":
                if report:
                    self.rep.error(f"cannot import everything from the {entry.kind} "
                                   f"`{path[-2]}`", imp.span, help="name the items to import",
                                   code="SX0207")
                return report
            if entry.target not in scope.globs:
                scope.globs.append(entry.target)
            return True
        wanted = path[:-1] if path[-1] == "self" else path
        if not wanted or (len(wanted) == 1 and wanted[0] in PATH_ROOTS):
            root = (wanted or path)[0]
            self.rep.error(f"`use {root};` imports nothing", imp.span,
                           help=f"name an item: `use {root}::name;`", code="SX0207")
            return True
        entry, taken = self.walk(scope, wanted, imp.span, report)
        if entry is None or taken < len(wanted) or (path[-1] == "self"
                                                     and entry.kind != "module"):
            return self.unresolved(imp, report, errors)
        name = imp.alias or wanted[-1]
        if len(wanted) == 1 and entry.module is scope and entry.kind != "module":
            return True  # `use name;` of an item declared right here
        if len(wanted) == 1 and entry.kind == "module" and entry.target.parent is scope:
            return True  # `use geometry;` right beside `mod geometry;`
        self.bind(scope, name, Entry(entry.kind, entry.key, use.public, scope, imp.span,
                                     entry.target), imp.span)
        return True

    def import_variant(self, enum: Entry, name: str, use: ast.UseDecl) -> None:
        """Record `use Color::*;` or `use Color::{Red, Blue};`."""
        variants = [variant for variant, _value, _span in enum.item.variants]
        if name == "*":
            for variant in variants:
                self.variant_imports[variant] = enum.key
        elif name in variants:
            self.variant_imports[name] = enum.key
        else:
            self.rep.error(f"no variant `{name}` in enum `{enum.item.name}`", use.span,
                           help="its variants are " + ", ".join(f"`{v}`" for v in variants),
                           code="SX0208")

    def unresolved(self, imp: ast.UseImport, report: bool, errors_before: int) -> bool:
        """Report an import that names nothing, unless its walk already said why."""
        if report and len(self.rep.diagnostics) == errors_before:
            first = imp.path[0]
            self.rep.error(f"unresolved import `{'::'.join(imp.path)}`", imp.span,
                           help=f"`{first}` is not a module here: declare it with "
                                f"`mod {first};` or start the path with `crate::`", code="SX0207")
        return report

    def import_std(self, scope: Scope, use: ast.UseDecl, imp: ast.UseImport) -> None:
        """Bind a name imported from Rust's `std`; the type checker knows the paths."""
        path = [p for p in imp.path if p != "self"]
        name = path[-1]
        enum = self.prelude.items.get(path[-2]) if len(path) >= 3 else None
        if enum is not None and enum.kind == "enum" and path[-2] == "Ordering":
            # `use std::cmp::Ordering::*;` or `::{Less, Greater}`: the prelude's variants
            self.import_variant(enum, name, use)
            return
        if name == "*":
            if path[-2:-1] == ["consts"]:
                for const in MATH_CONSTS:
                    self.std_imports[const] = path[:-1] + [const]
            return
        if name in UNSUPPORTED_NAMES:
            what, help_text = UNSUPPORTED_NAMES[name]
            self.rep.error(f"sxc does not support `{what}`", imp.span, help=help_text,
                           code="SX0805")
            return
        if name in PRELUDE_STD_TYPES and imp.alias is None:
            return  # `use std::cmp::Reverse;` names the prelude's own `Reverse`
        self.std_imports[imp.alias or name] = path
        self.bind(scope, imp.alias or name,
                  Entry("std", "::".join(path), use.public, scope, imp.span), imp.span)

    def bind(self, scope: Scope, name: str, entry: Entry, span: Span) -> None:
        previous = scope.items.get(name) or scope.imports.get(name)
        if previous is not None:
            if previous.key == entry.key:
                return
            self.rep.error(f"the name `{name}` is defined more than once in this module",
                           span, notes=[(f"`{name}` is also declared here", previous.span)],
                           help=f"import it under another name: `use ... as other_{name};`",
                           code="SX0203")
            return
        scope.imports[name] = entry

    # ------------------------------------------------------------ paths in code

    def unsupported_name(self, segments: list[str], span: Span) -> bool:
        """Report a path through a standard-library name that sxc lacks, such as
        `Some(x)` or `HashMap::new()`; return whether it did."""
        for i, name in enumerate(segments):
            if i > 0 and segments[i - 1] == "fmt":
                continue  # `fmt::Result` of an `impl Display` is a type sxc knows
            if name in UNSUPPORTED_NAMES:
                what, help_text = UNSUPPORTED_NAMES[name]
                self.rep.error(f"sxc does not support `{what}`", segment_span(span, segments, i),
                               help=help_text, code="SX0805")
                return True
        return False

    def value_path(self, scope: Scope, segments: list[str], span: Span,
                   in_pattern: bool = False) -> list[str] | None:
        """Return the rewritten segments of a path in code, or None to leave it."""
        check_names = not in_pattern and segments[0] not in self.variant_imports
        shadowed = self.shadowed_prelude(segments)
        if shadowed is not None:
            return shadowed
        if segments[0] in ("std", "core"):
            if len(segments) >= 3 and segments[2] in PRELUDE_STD_TYPES and \
                    segments[2] in self.prelude.items:
                # `std::cmp::Reverse(x)` and `std::collections::HashMap::new()`
                return [self.prelude.items[segments[2]].key] + segments[3:]
            if check_names:
                self.unsupported_name(segments, span)
            return None
        entry, taken = self.walk(scope, segments, span, report=True)
        if entry is None:
            if check_names and self.unsupported_name(segments, span):
                return None
            if segments[0] in PATH_ROOTS or taken > 1:
                return None
            self.leaked_root_item(scope, segments[0], span)
            return None
        if entry.kind == "module":
            return None
        rest = segments[taken:]
        if rest and entry.kind == "type alias":
            entry = self.aliased_type(entry, span) or entry
        if entry.kind == "std":
            return entry.key.split("::") + rest
        if len(rest) == 1:
            self.check_method(scope, f"{entry.key}::{rest[0]}", rest[0],
                              segment_span(span, segments, len(segments) - 1))
        return [entry.key] + rest

    def shadowed_prelude(self, segments: list[str]) -> list[str] | None:
        """Return `std::Rng::new` as the segments `["std::Rng", "new"]` when the user's
        crate shadows the prelude's `Rng`, else None."""
        if segments[0] != "std" or len(segments) < 2:
            return None
        entry = self.prelude.items.get(segments[1])
        if entry is None or entry.key == segments[1]:
            return None
        return [entry.key] + segments[2:]

    def type_path(self, scope: Scope, path: list[str], span: Span,
                  struct_literal: bool = False) -> list[str] | None:
        shadowed = self.shadowed_prelude(path)
        if shadowed is not None:
            return shadowed
        entry, taken = self.walk(scope, path, span, report=True)
        if entry is None:
            if self.unsupported_name(path, span):
                return None
            if len(path) == 1:
                self.leaked_root_item(scope, path[0], span)
            return None
        if entry.kind == "module" or taken < len(path):
            return None
        if struct_literal and entry.kind == "type alias":
            entry = self.aliased_type(entry, span) or entry
        if entry.kind == "std":
            return entry.key.split("::")
        return [entry.key]

    def aliased_type(self, entry: Entry, span: Span, depth: int = 0) -> Entry | None:
        """Return the struct or enum that the type alias `entry` names without type
        arguments, following aliases of aliases, so that `Alias::new()` and
        `Alias { .. }` reach it; None for any other alias."""
        path = getattr(entry.item, "written_target", None)
        if path is None or depth > 64:
            return None
        found, taken = self.walk(entry.module, path, span, report=False)
        if found is None or taken < len(path):
            return None
        if found.kind == "type alias":
            return self.aliased_type(found, span, depth + 1)
        return found if found.kind in ("struct", "enum") else None

    def check_method(self, scope: Scope, key: str, name: str, span: Span) -> None:
        found = self.methods.get(key)
        if found is None:
            return
        method, module = found
        if not method.public and not scope.is_within(module):
            entry = Entry("method", key, False, module, method.name_span or method.span)
            self.private(entry, name, span)

    def leaked_root_item(self, scope: Scope, name: str, span: Span) -> None:
        """Report a crate-root item named in another module without a `use`."""
        if scope.origin != "user" or scope.parent is None or self.root is None:
            return
        entry = self.root.items.get(name)
        if entry is None or entry.kind == "module":
            return
        self.rep.error(f"cannot find {entry.kind} `{name}` in this scope", span,
                       notes=[(f"`{name}` is declared in the crate root", entry.span)],
                       help=f"import it: `use crate::{name};`", code="SX0201")


def segment_span(span: Span, segments: list[str], index: int) -> Span:
    """Return the span of `segments[index]` in a path written without spaces at the start
    of `span`, else `span` itself."""
    if span.line != span.end_line or span.end_col - span.col < len("::".join(segments)):
        return span
    col = span.col + sum(len(s) + 2 for s in segments[:index])
    return Span(span.file, span.line, col, span.line, col + len(segments[index]))


def crate_span() -> Span:
    return Span("<runtime>", 0, 0, 0, 0)


def bound_names(pattern) -> set[str]:
    """Return the names a pattern binds."""
    names: set[str] = set()
    todo = [pattern]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.NamePattern):
            names.add(node.name)
        elif isinstance(node, (list, tuple)):
            todo.extend(node)
        elif isinstance(node, ast.Pattern):
            todo.extend(getattr(node, f.name) for f in dataclasses.fields(node))
    return names


# Nodes without names in them, which the walk skips.
LEAVES = (ast.IntLit, ast.FloatLit, ast.StrLit, ast.BoolLit, ast.UnitLit, ast.WildPattern,
          ast.NamePattern)
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_VISITORS: dict[type, object] = {}  # node class -> the BodyRewriter method for it


class BodyRewriter:
    """Walks the items of one module and rewrites their paths to item keys."""

    def __init__(self, names: NameResolver, scope: Scope):
        self.names = names
        self.scope = scope
        self.locals: list[set[str]] = [set()]
        self.type_params: set[str] = set()
        self.in_pattern = False  # inside a `match` pattern, where `Some(x)` has its own error
        # the names that items declared in the enclosing blocks go by (see sxc.nested)
        self.aliases: list[dict[str, str]] = []

    def item(self, item: ast.Item) -> None:
        self.aliases = list(getattr(item, "block_aliases", []))
        if isinstance(item, ast.FnDef):
            self.function(item)
        elif isinstance(item, ast.StructDef):
            self.type_params = set(item.generics)
            for _, te in item.fields:
                self.visit(te)
            self.type_params = set()
        elif isinstance(item, ast.EnumDef):
            self.type_params = set(item.generics)
            for kind, payload in item.payloads.values():
                self.visit([te for _, te in payload] if kind == "struct" else payload)
            self.type_params = set()
        elif isinstance(item, ast.ImplDef):
            for method in item.methods:
                self.function(method, getattr(item, "generics", []))
            for const in getattr(item, "consts", []):
                self.type_params = set(getattr(item, "generics", []))
                self.visit(const.type)
                self.visit(const.value)
                self.type_params = set()
        elif isinstance(item, ast.TraitDef):
            # the provided methods are resolved here, in the trait's module, and
            # copied into each impl afterwards (see `sxc.traits.complete_impl`)
            self.visit(item.supertraits)
            for method in item.methods:
                self.function(method)
            for const in item.consts:
                self.visit(const.type)
                self.visit(const.value)
        elif isinstance(item, ast.ConstDef):
            self.visit(item.type)
            self.visit(item.value)
        elif isinstance(item, ast.TypeAlias):
            self.type_params = set(item.generics)
            self.visit(item.target)
            self.type_params = set()
        elif not isinstance(item, (ast.ModDecl, ast.UseDecl)):
            self.visit(item)
        self.aliases = []

    def function(self, fn: ast.FnDef, outer_generics: list[str] = ()) -> None:
        self.type_params = set(fn.generics) | set(outer_generics)
        self.locals = [{p.name for p in fn.params} | {"self"}]
        outer_aliases = self.aliases
        self.aliases = list(getattr(fn, "block_aliases", outer_aliases))
        self.visit(list(getattr(fn, "bounds", {}).values()))
        for p in fn.params:
            self.visit(p.type)
        self.visit(fn.ret)
        self.visit(fn.body)
        self.type_params = set()
        self.locals = [set()]
        self.aliases = outer_aliases

    def is_local(self, name: str) -> bool:
        return any(name in scope for scope in self.locals)

    def unalias(self, name: str) -> str:
        """Return the module-level name of an item declared in an enclosing block."""
        for names in reversed(self.aliases):
            if name in names:
                return names[name]
        return name

    def visit(self, node) -> None:
        if isinstance(node, (list, tuple)):
            for child in node:
                self.visit(child)
            return
        if not isinstance(node, ast.Node) or isinstance(node, LEAVES):
            return
        cls = type(node)
        if cls not in _VISITORS:
            default = BodyRewriter.pattern if issubclass(cls, ast.Pattern) else \
                BodyRewriter.children
            _VISITORS[cls] = getattr(BodyRewriter, "v_" + cls.__name__, default)
        _VISITORS[cls](self, node)

    def pattern(self, node: ast.Pattern) -> None:
        outer = self.in_pattern
        self.in_pattern = True
        self.children(node)
        self.in_pattern = outer

    def children(self, node: ast.Node) -> None:
        names = _FIELD_NAMES.get(type(node))
        if names is None:
            names = tuple(f.name for f in dataclasses.fields(node) if f.name != "span")
            _FIELD_NAMES[type(node)] = names
        values = [getattr(node, name) for name in names]
        patterns = [v for v in values if isinstance(v, ast.Pattern)]
        if not patterns:
            for value in values:
                self.visit(value)
            return
        # a node that holds a pattern (a `match` arm) binds its names for its parts
        self.locals.append(set().union(*(bound_names(p) for p in patterns)))
        for value in values:
            self.visit(value)
        self.locals.pop()

    def v_Block(self, node: ast.Block) -> None:
        names = getattr(node, "aliases", None)
        if names:
            self.aliases.append(names)
        self.locals.append(set())
        self.visit(node.stmts)
        self.visit(node.tail)
        self.locals.pop()
        if names:
            self.aliases.pop()

    def v_Let(self, node: ast.Let) -> None:
        self.visit(node.init)
        self.visit(node.type)
        self.locals[-1] |= bound_names(node.pattern)

    def v_For(self, node: ast.For) -> None:
        self.visit(node.iter)
        self.locals.append(bound_names(node.pattern))
        self.visit(node.body)
        self.locals.pop()

    def v_Closure(self, node: ast.Closure) -> None:
        for _, te in node.params:
            self.visit(te)
        self.locals.append({name for name, _ in node.params})
        self.visit(node.ret)
        self.visit(node.body)
        self.locals.pop()

    def v_ItemStmt(self, node: ast.ItemStmt) -> None:
        pass  # an item inside a function body: the type checker reports it

    def v_Path(self, node: ast.Path) -> None:
        self.visit(node.type_args)
        segments = node.segments
        if not segments or not all(isinstance(s, str) for s in segments):
            return
        if len(segments) == 1 and self.is_local(segments[0]):
            return
        if self.aliases:
            segments = node.segments = [self.unalias(segments[0])] + segments[1:]
        new = self.names.value_path(self.scope, segments, node.span, self.in_pattern)
        if new is not None:
            node.segments = new

    def v_VariantPattern(self, node: ast.VariantPattern) -> None:
        outer = self.in_pattern
        self.in_pattern = True
        if self.aliases:
            node.path = [self.unalias(node.path[0])] + node.path[1:]
        new = self.names.value_path(self.scope, node.path, node.span, True)
        if new is not None:
            node.path = new
        self.visit(node.items)
        self.visit([p for _, p in node.fields or []])
        self.in_pattern = outer

    def v_NamedType(self, node: ast.NamedType) -> None:
        self.visit(node.args)
        path = node.path
        if len(path) == 1 and (path[0] in self.type_params or path[0] == "Self"):
            return
        if self.aliases:
            path = node.path = [self.unalias(path[0])] + path[1:]
        new = self.names.type_path(self.scope, path, node.span)
        if new is not None:
            node.path = new

    def v_StructLit(self, node: ast.StructLit) -> None:
        for _, value in node.fields:
            self.visit(value)
        self.visit(node.base)
        if self.aliases:
            first, sep, rest = node.name.partition("::")
            node.name = self.unalias(first) + sep + rest
        new = self.names.type_path(self.scope, node.name.split("::"),
                                   node.name_span or node.span, struct_literal=True)
        if new is not None and len(new) == 1:
            node.name = new[0]
