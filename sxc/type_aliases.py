"""Type aliases: `type Grid<T> = Vec<Vec<T>>;` stands for its target wherever a type does.

Name resolution gives each alias a key as it does a struct, so the target's
names are resolved in the alias's own module.  The type checker expands an
alias where a type names it, after putting the written arguments in place
of the alias's parameters.
"""

from __future__ import annotations

import copy

from sxc import ast
from sxc import types as T

# More nested expansions than this in type inference mean a cycle of aliases.
MAX_ALIAS_DEPTH = 64


def alias_type(checker, te: ast.NamedType, alias: ast.TypeAlias) -> T.Type:
    """Resolve `te`, which names the type alias `alias`, to the type it stands for."""
    alias_name = alias.name.rsplit("::", 1)[-1]
    expected, given = len(alias.generics), len(te.args)
    if given != expected:
        checker.rep.error(f"type alias `{alias_name}` takes {expected} generic "
                          f"argument{'s' if expected != 1 else ''} but {given} "
                          f"{'was' if given == 1 else 'were'} supplied", te.span,
                          notes=[("the alias is declared here", alias.name_span or alias.span)],
                          code="SX0303")
        return T.NEVER
    expanding = checker.__dict__.setdefault("expanding_aliases", [])
    if alias.name in expanding:
        cycle = expanding[expanding.index(alias.name):]
        reported = checker.__dict__.setdefault("alias_cycles_reported", set())
        if reported.intersection(cycle):
            return T.NEVER
        reported.update(cycle)
        checker.rep.error(f"the type alias `{alias_name}` refers to itself",
                          alias.name_span or alias.span,
                          help="an alias cannot name itself, directly or through another "
                               "alias: write the type out", code="SX0319")
        return T.NEVER
    target = alias.target
    if alias.generics:
        target = substitute_type_params(target, dict(zip(alias.generics, te.args)))
    expanding.append(alias.name)
    try:
        return checker.resolve_type(target)
    finally:
        expanding.pop()


def check_aliases(checker) -> None:
    """Resolve each type alias of the user's program that takes no parameters once,
    so that an unknown type or a cycle in it is reported even where no type names it."""
    for alias in checker.program.type_aliases.values():
        if getattr(alias, "origin", "user") == "user" and not alias.generics:
            checker.resolve_type(ast.NamedType(alias.name_span or alias.span, [alias.name]))


def expand_alias(te: ast.NamedType, alias: ast.TypeAlias):
    """Return the target of `alias` with the arguments of `te` in place, or None when
    their number differs, which `alias_type` reports."""
    if len(te.args) != len(alias.generics):
        return None
    return substitute_type_params(alias.target, dict(zip(alias.generics, te.args)))


def substitute_type_params(te, args: dict[str, ast.TypeExpr]):
    """Return a copy of type expression `te` with each parameter named in `args` replaced."""
    if isinstance(te, list):
        return [substitute_type_params(item, args) for item in te]
    if not isinstance(te, ast.TypeExpr):
        return te
    if isinstance(te, ast.NamedType) and len(te.path) == 1 and not te.args \
            and te.path[0] in args:
        return args[te.path[0]]
    te = copy.copy(te)
    for name in ast.field_names(te):
        if name != "span":
            setattr(te, name, substitute_type_params(getattr(te, name), args))
    return te
