"""Tuple structs: `struct P(f64, f64);`, built as `P(1.0, 2.0)` and read as `p.0`.

The parser names the fields of a tuple struct `0`, `1`, ..., so the rest of
the compiler sees an ordinary struct.  The type checker turns a call of the
struct's name into a struct literal and `p.0` into a field access; `{:?}`
and `sxc lower` write the tuple form back.
"""

from __future__ import annotations

from sxc import ast
from sxc import types as T


def is_tuple_struct(field_names) -> bool:
    """Return whether a struct with fields `field_names` was declared as a tuple struct."""
    names = list(field_names)
    return bool(names) and all(name == str(i) for i, name in enumerate(names))


def struct_fields(checker, name: str) -> list[str] | None:
    """Return the field names of struct `name`, generic or not, or None if it is no struct."""
    if name in checker.structs:
        return list(checker.structs[name])
    if name in checker.generic_structs:
        return [field for field, _ in checker.generic_structs[name].fields]
    return None


def tuple_struct_call(checker, e: ast.Call, func: ast.Path, expected) -> ast.Expr | None:
    """Check `P(a, b)` that builds the tuple struct `P` as `P { 0: a, 1: b }`;
    return None when `func` names no tuple struct."""
    if len(func.segments) != 1 or checker.lookup(func.segments[0]) is not None:
        return None
    name = func.segments[0]
    if name == "Self" and checker.self_struct:
        name = checker.self_struct
    fields = struct_fields(checker, name)
    if fields is None or not is_tuple_struct(fields):
        return None
    shown = name.rsplit("::", 1)[-1]
    if len(e.args) != len(fields):
        checker.rep.error(f"this struct takes {len(fields)} field"
                          f"{'s' if len(fields) != 1 else ''} but {len(e.args)} "
                          f"{'was' if len(e.args) == 1 else 'were'} supplied", e.span,
                          help=f"write `{shown}(..)` with one value for each field of `{shown}`",
                          code="SX0302")
        for arg in e.args:
            checker.expr(arg, None)
        e.ty = T.NEVER
        return e
    literal = ast.StructLit(e.span, name, [(str(i), arg) for i, arg in enumerate(e.args)],
                            func.span, type_args=list(func.type_args or []))
    return checker.expr(literal, expected)


def tuple_struct_field(checker, e: ast.TupleField, base: T.Type) -> ast.Expr | None:
    """Return `p.0` of a tuple struct `p` as the field access it is, or None."""
    if not isinstance(base, T.StructT):
        return None
    fields = checker.structs.get(base.struct, {})
    name = str(e.index)
    if name not in fields:
        return None
    checker.check_field_visible(base.struct, name, e.span)
    field = ast.Field(e.span, e.base, name)
    field.ty = fields[name]
    return field


def bind_tuple_struct(checker, pattern: ast.TupleStructPattern, ty: T.Type,
                      keyword: str) -> None:
    """Bind the names of `let P(x, y) = p;` to the fields of `p`."""
    written = pattern.name.rsplit("::", 1)[-1]
    fields = checker.structs.get(ty.struct, {}) if isinstance(ty, T.StructT) else {}
    # a copy of a generic struct, `Tagged__f64`, matches the pattern `Tagged(..)`
    declared = ty.struct.rsplit("::", 1)[-1] if fields else ""
    if written not in (declared, declared.split("__")[0]) or not is_tuple_struct(fields):
        checker.rep.error(f"mismatched types: expected `{ty}`, found tuple struct "
                          f"`{written}`", pattern.span, code="SX0301")
        return
    rests = [i for i, item in enumerate(pattern.items) if isinstance(item, ast.RestPattern)]
    if len(rests) == 1 and len(pattern.items) - 1 <= len(fields):
        # `let Px(r, ..) = p;`: the `..` stands for the fields left out
        pattern.items[rests[0]:rests[0] + 1] = [
            ast.WildPattern(pattern.span) for _ in range(len(fields) - len(pattern.items) + 1)]
    if len(fields) != len(pattern.items):
        checker.rep.error(f"this pattern has {len(pattern.items)} field"
                          f"{'s' if len(pattern.items) != 1 else ''}, but the "
                          f"corresponding tuple struct has {len(fields)}", pattern.span,
                          code="SX0301")
        return
    for item, field_type in zip(pattern.items, fields.values()):
        checker.bind(item, field_type, keyword)
    pattern.items = [getattr(item, "fields_pattern", item) for item in pattern.items]
    pattern.ty = ty
