"""Warnings about bindings: unused variables and unneeded `mut`.

The type checker marks each local when a later expression looks it up
(`Local.used`) and when the program assigns to it, borrows it `&mut` or calls
a `&mut self` method on it (`Local.mutated`).  After every body is checked,
`lint_unused` warns about the user's bindings that were never used, and the
`let mut` bindings that were never mutated, as rustc's `unused_variables` and
`unused_mut` lints do.  A name that starts with `_` is never reported, and
`#[allow(..)]` silences them (see sxc.lint_levels).
"""

from __future__ import annotations

from sxc import ast


def lint_unused(checker, linted) -> None:
    """Report the unused and needlessly mutable locals among `linted`.

    `linted` contains (name, local, declared with `mut`, span) tuples.  A closure
    that no code calls is never type-checked, so the names in its body count
    as used: its captures are not reported.
    """
    unchecked = _names_in_unchecked_closures(checker)
    for name, local, declared_mut, span in sorted(
            linted, key=lambda item: (item[3].file, item[3].line, item[3].col)):
        if name in unchecked:
            continue
        if not local.used:
            checker.rep.warning(f"unused variable: `{name}`", span,
                                help=f"if this is intentional, prefix it with an underscore: "
                                     f"`_{name}`", code="SXW005")
        elif declared_mut and not local.mutated:
            checker.rep.warning(f"variable `{name}` does not need to be mutable", span,
                                help="remove this `mut`", code="SXW006")


def _names_in_unchecked_closures(checker) -> set[str]:
    names: set[str] = set()
    for info in checker.closures.values():
        if info.checked:
            continue
        for node in ast.walk(info.node.body):
            if isinstance(node, ast.Path) and len(node.segments) == 1:
                names.add(node.segments[0])
    return names
