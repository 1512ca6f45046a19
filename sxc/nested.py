"""Items declared inside function bodies, moved to their module.

Rust lets a block declare items (`fn`, `struct`, `enum`, `const`, `impl`,
`use`) that only that block can name:

    fn main() {
        fn sq(x: f64) -> f64 { x * x }
        println!("{}", sq(3.0));
    }

Such an item cannot use the local variables around it, so it is an ordinary
item of the enclosing module whose name only its block uses.  This pass
moves each one to the module, renamed when the module already has an item
of that name (`helper` becomes `helper__in_main`), and stores on the block
the map from the written name to the new one.  Name resolution applies the
maps of the blocks around a path before it looks in the module.

NOTE: the moved item is also visible to the rest of its module under its new
name, so sxc accepts a few programs that rustc rejects (a call of `sq` from
another function, when no other item is named `sq`).
"""

from __future__ import annotations

import dataclasses

from sxc import ast

# Items that a block may declare and that have a name to map.
NAMED_ITEMS = (ast.FnDef, ast.StructDef, ast.EnumDef, ast.ConstDef, ast.TypeAlias)


def lift_nested_items(items: list[ast.Item], extra_bodies: list[list[ast.Stmt]] = ()
                      ) -> list[ast.Item]:
    """Remove the items declared inside the functions of `items` (and inside the
    statements `extra_bodies`) and return them, renamed where needed."""
    lifter = _Lifter({n for n in (getattr(i, "name", None) for i in items)
                      if isinstance(n, str)})
    for item in items:
        lifter.item(item, [], None)
    for stmts in extra_bodies:
        lifter.statements(stmts, [], "main")
    return lifter.lifted


def lift_library(module: ast.Module) -> None:
    """Lift the nested items of a library file once, when it is parsed.

    Its parse is kept and copied for every compilation, and walking its
    bodies again for each would cost more than compiling a small program's
    own functions.  `ModuleLoader.declare` skips the walk for a module with
    `nested_lifted` set.
    """
    module.items = list(module.items) + lift_nested_items(module.items)
    module.nested_lifted = True


class _Lifter:
    def __init__(self, used_names: set[str]):
        self.used_names = used_names  # the names of the module's items, and of lifted ones
        self.lifted: list[ast.Item] = []

    def item(self, item: ast.Item, aliases: list[dict[str, str]], owner: str | None) -> None:
        """Walk the functions of `item`, which the blocks with maps `aliases` enclose."""
        if aliases:
            item.block_aliases = aliases
        if isinstance(item, ast.FnDef):
            self.walk(item.body, aliases, owner or item.name)
        elif isinstance(item, ast.ConstDef):
            self.walk(item.value, aliases, owner or item.name)
        elif isinstance(item, ast.ImplDef):
            for method in item.methods:
                if aliases:
                    method.block_aliases = aliases
                self.walk(method.body, aliases, owner or method.name)

    def statements(self, stmts: list[ast.Stmt], aliases: list[dict[str, str]],
                   owner: str) -> None:
        holder = ast.Block(stmts[0].span, stmts, None) if stmts else None
        if holder is not None:
            self.block(holder, aliases, owner)
            stmts[:] = holder.stmts

    def walk(self, node, aliases: list[dict[str, str]], owner: str) -> None:
        """Find the blocks below `node` and lift their items."""
        todo = [node]
        while todo:
            node = todo.pop()
            if isinstance(node, (list, tuple)):
                todo.extend(node)
            elif isinstance(node, ast.Block):
                self.block(node, aliases, owner)
            elif isinstance(node, ast.Node):
                todo.extend(getattr(node, f.name) for f in dataclasses.fields(node)
                            if f.name != "span")

    def block(self, block: ast.Block, aliases: list[dict[str, str]], owner: str) -> None:
        nested = [s.item for s in block.stmts if isinstance(s, ast.ItemStmt)]
        inner = aliases
        if nested:
            block.stmts = [s for s in block.stmts if not isinstance(s, ast.ItemStmt)]
            names = {}
            for item in nested:
                if isinstance(item, NAMED_ITEMS) and getattr(item, "self_kind", None) is None:
                    names[item.name] = self.fresh_name(item.name, owner)
            block.aliases = names
            inner = aliases + [names]
            for item in nested:
                self.rename(item, names)
                self.lifted.append(item)
                self.item(item, inner, None)
        for stmt in block.stmts:
            self.walk(stmt, inner, owner)
        self.walk(block.tail, inner, owner)

    def fresh_name(self, name: str, owner: str) -> str:
        new = name
        if new in self.used_names:
            new = f"{name}__in_{owner}"
            count = 1
            while new in self.used_names:
                count += 1
                new = f"{name}__in_{owner}{count}"
        self.used_names.add(new)
        return new

    @staticmethod
    def rename(item: ast.Item, names: dict[str, str]) -> None:
        if isinstance(item, NAMED_ITEMS) and item.name in names:
            item.name = names[item.name]
        elif isinstance(item, ast.ImplDef) and item.type_name in names:
            item.type_name = names[item.type_name]
