"""Codegen of one formatted value: `{}`, `{:?}`, `{:#?}`, `{:x}`, `{:e}`, ...

A value is appended to a byte buffer (`Vec<u8>`) by the functions of
`runtime/std.sx`.  Numbers, `bool`, strings and `()` are leaves: each is
written, then cut to the precision (strings), signed (`{:+}`) and padded to
the width, as Rust's `Formatter::pad` and `pad_integral` do.  `Debug` of a
struct, tuple, array, slice or `Vec` writes its punctuation and formats every
element with the same flags, so `{:5?}` pads each number inside.  `{:#?}`
breaks lines and indents by four spaces per level, with trailing commas.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, replace

from llvmlite import ir

from sxc import types as T
from sxc.codegen import Codegen, is_large
from sxc.formatting import RADIX_PREFIX, Spec
from sxc.traits import DEBUG_FMT
from sxc.typecheck_enum import contains_itself
from sxc.tuple_structs import is_tuple_struct
from sxc.native import F64, I1, I32, I64, const_i64

# Bits per digit of the radix formats.
RADIX_SHIFT = {"x": 4, "X": 4, "o": 3, "b": 1}


@dataclass(frozen=True)
class Flags:
    """A placeholder's spec with its width and precision as run-time values."""

    spec: Spec
    width: ir.Value | None = None  # i64
    precision: ir.Value | None = None  # i64, >= 0
    indent: int = 0  # spaces before each line of `{:#?}` output at this depth

    @property
    def pretty(self) -> bool:
        return self.spec.debug and self.spec.alternate

    def nested(self) -> "Flags":
        return replace(self, indent=self.indent + 4)


def flags_for(cg: Codegen, spec: Spec, values: list) -> Flags:
    """Build the flags of `spec`, reading `{:w$}` and `{:.p$}` from `values`."""
    width = precision = None
    if spec.width is not None:
        width = const_i64(spec.width)
    elif spec.width_arg is not None:
        width = _count(cg, values[spec.width_arg])
    if spec.precision is not None:
        precision = const_i64(spec.precision)
    elif spec.precision_arg is not None:
        precision = _count(cg, values[spec.precision_arg])
    return Flags(spec, width, precision)


def _count(cg: Codegen, typed) -> ir.Value:
    """Widen an integer width or precision argument to i64, negative ones to 0."""
    v, ty = typed
    while isinstance(ty, T.RefT):
        v = cg.b.load(v)
        ty = ty.inner
    wide = cg.to_i64(v, ty)
    if ty.signed:
        negative = cg.b.icmp_signed("<", wide, const_i64(0))
        wide = cg.b.select(negative, const_i64(0), wide)
    return wide


def fmt_value(cg: Codegen, slot: ir.Value, v, ty: T.Type, flags: Flags | Spec) -> None:
    """Append `v` (of type `ty`) to the buffer in `slot`, formatted by `flags`."""
    if isinstance(flags, Spec):
        flags = Flags(flags)
    b = cg.b
    while isinstance(ty, T.RefT):
        v = b.load(v)
        ty = ty.inner
    if not isinstance(v.type, ir.PointerType) and is_large(v.type):
        # formatted from memory, member by member (see `_member`)
        v = cg.spill(v)
    user_type = isinstance(ty, T.EnumT) or (isinstance(ty, T.StructT) and ty.struct != "Dual")
    if user_type and not flags.spec.debug:
        _display_user(cg, slot, v, ty, f"{ty}::fmt")
        return
    if user_type and f"{ty}::{DEBUG_FMT}" in cg.functions:
        # NOTE: `{:#?}` reaches a hand-written `impl Debug` without its `#` flag
        _display_user(cg, slot, v, ty, f"{ty}::{DEBUG_FMT}")
        return
    for cls, formatter in DEBUG_FORMATTERS.items():
        if isinstance(ty, cls):
            formatter(cg, slot, v, ty, flags)
            return
    _fmt_leaf(cg, slot, v, ty, flags)


# ---------------------------------------------------------------- leaves


def _fmt_leaf(cg: Codegen, slot, v, ty: T.Type, flags: Flags) -> None:
    spec = flags.spec
    start = buf_len(cg, slot)
    numeric, skip = True, 0
    # a `char` pads and truncates as a one-character string, and `{:?}` does neither
    text_debug = spec.debug and (isinstance(ty, T.StrT) or T.is_char(ty))
    if T.is_char(ty):
        numeric = False
        routine = "__fmt_char_debug" if spec.debug else "__fmt_char"
        cg.b.call(cg.functions[routine], [slot, v])
        if flags.precision is not None and not spec.debug:
            cg.b.call(cg.functions["__fmt_truncate"], [slot, start, flags.precision])
    elif isinstance(ty, T.IntT):
        skip = _fmt_int(cg, slot, v, ty, flags)
    elif isinstance(ty, T.FloatT):
        _fmt_float(cg, slot, v, ty, flags)
    else:
        numeric = False
        _fmt_text(cg, slot, v, ty, flags)
        # `Formatter::pad` cuts text to the precision; `{:?}` of a string does not pad
        if flags.precision is not None and not (isinstance(ty, T.StrT) and spec.debug):
            cg.b.call(cg.functions["__fmt_truncate"], [slot, start, flags.precision])
    if spec.sign and numeric:
        cg.b.call(cg.functions["__fmt_plus"], [slot, start])
    if flags.width is None or text_debug:
        return
    align = {"<": 0, ">": 1, "^": 2, "": 1 if numeric else 0}[spec.align]
    fill = cg.native.str_const(cg.b, spec.fill.encode("utf-8"))
    zero = ir.Constant(I1, int(spec.zero and numeric))
    cg.b.call(cg.functions["__fmt_pad"], [slot, start, flags.width, const_i64(align), fill,
                                          zero, const_i64(skip)])


def _fmt_int(cg: Codegen, slot, v, ty: T.IntT, flags: Flags) -> int:
    """Write an integer; return the length of its `0x` prefix, if any."""
    b = cg.b
    fns = cg.functions
    spec = flags.spec
    kind = spec.kind
    if kind in ("x?", "X?"):
        kind = kind[0]
    if kind in RADIX_SHIFT:
        # two's complement in the type's own width, as Rust prints `-1i8` as `ff`
        bits = b.zext(v, I64) if ty.bits < 64 else v
        prefix = RADIX_PREFIX[kind] if spec.alternate else ""
        if prefix:
            push_literal(cg, slot, prefix)
        b.call(fns["__fmt_radix"], [slot, bits, const_i64(RADIX_SHIFT[kind]),
                                    ir.Constant(I1, int(kind == "X"))])
        return len(prefix)
    wide = cg.to_i64(v, ty)
    if kind in ("e", "E"):
        start = buf_len(cg, slot)
        negative = b.icmp_signed("<", wide, const_i64(0)) if ty.signed else ir.Constant(I1, 0)
        magnitude = b.select(negative, b.sub(const_i64(0), wide), wide)
        precision = flags.precision if flags.precision is not None else const_i64(-1)
        b.call(fns["__fmt_int_exp"], [slot, magnitude, negative, precision])
        if kind == "E":
            b.call(fns["__fmt_upper_exp"], [slot, start])
        return 0
    routine = "buf_push_i64" if ty.signed else "buf_push_u64"
    b.call(cg.native.routine(routine), [b.load(slot), wide])
    return 0


def _fmt_float(cg: Codegen, slot, v, ty: T.FloatT, flags: Flags) -> None:
    b = cg.b
    fns = cg.functions
    kind = flags.spec.kind
    single = ir.Constant(I1, int(ty.bits == 32))
    x = v if ty.bits == 64 else b.fpext(v, F64)
    if kind in ("e", "E"):
        start = buf_len(cg, slot)
        precision = flags.precision if flags.precision is not None else const_i64(-1)
        b.call(fns["__fmt_f64_exp"], [slot, x, precision, single])
        if kind == "E":
            b.call(fns["__fmt_upper_exp"], [slot, start])
    elif flags.precision is not None:
        b.call(fns["__fmt_f64_fixed"], [slot, x, flags.precision])
    elif flags.spec.debug:
        b.call(fns["__fmt_f64_debug"], [slot, x, single])
    else:
        b.call(fns["__fmt_f64_display"], [slot, x, single])


def _fmt_text(cg: Codegen, slot, v, ty: T.Type, flags: Flags) -> None:
    b = cg.b
    if isinstance(ty, T.BoolT):
        t = cg.native.str_const(b, b"true")
        f = cg.native.str_const(b, b"false")
        b.call(cg.native.routine("buf_push_str"), [b.load(slot), b.select(v, t, f)])
    elif isinstance(ty, T.StrT):
        if flags.spec.debug:
            b.call(cg.functions["__fmt_str_debug"], [slot, v])
        else:
            b.call(cg.native.routine("buf_push_str"), [b.load(slot), v])
    elif isinstance(ty, (T.UnitT, T.NeverT)):
        push_literal(cg, slot, "()")
    else:
        push_literal(cg, slot, f"<{ty}>")


def _display_user(cg: Codegen, slot, v, ty: T.StructT | T.EnumT, key: str) -> None:
    """Call `key`, the type's `fmt` of `impl Display` or `impl Debug`, with a formatter
    on the buffer."""
    # NOTE: the width, fill and precision of the placeholder are not passed on,
    # which matches an implementation that writes with `write!`.
    fn = cg.functions[key]
    by_value = cg.program.functions[key].sig.self_kind == "value"
    if isinstance(v.type, ir.PointerType):
        # a large struct in memory: a by-value `self` gets a copy of its own
        receiver = cg.spill(cg.b.load(v)) if by_value else v
    elif by_value:
        receiver = v
    else:
        receiver = cg.alloca(cg.ll(ty))
        cg.b.store(v, receiver)
    formatter = cg.alloca(slot.type)
    cg.b.store(slot, formatter)
    cg.b.call(fn, [receiver, formatter])


# ---------------------------------------------------------------- Debug of compound types


def _debug_struct(cg: Codegen, slot, v, ty: T.StructT, flags: Flags) -> None:
    b = cg.b
    fields = cg.struct_fields[ty.struct]
    if ty.struct == "Dual" and [f for f, _ in fields] == ["val", "der"]:
        # a lowered dual prints its value, as it does in release mode
        fmt_value(cg, slot, _member(cg, v, 0), T.F64, flags)
        return
    # a copy of a generic struct, `Pair__f64`, prints as Rust prints `Pair<f64>`
    name = ty.struct.rsplit("::", 1)[-1]  # `Point`, not the key `geometry::Point`
    name = name.split("__")[0] if "__" in name.lstrip("_") else name
    names = [f for f, _ in fields]
    if name == "HashMap" and names == ["__keys", "__vals", "__slots"] or \
            name == "BTreeMap" and names == ["__keys", "__vals"]:
        _debug_map(cg, slot, _member(cg, v, 0), _member(cg, v, 1), fields[0][1].elem,
                   fields[1][1].elem, flags)
        return
    if name in ("HashSet", "BTreeSet") and names == ["__map"]:
        inner_map = _member(cg, v, 0)
        if not isinstance(inner_map.type, ir.PointerType) and is_large(inner_map.type):
            inner_map = cg.spill(inner_map)
        keys_t = cg.struct_fields[fields[0][1].struct][0][1]
        _debug_map(cg, slot, _member(cg, inner_map, 0), None, keys_t.elem, None, flags)
        return
    if name == "BinaryHeap" and names == ["__items"]:
        # Rust prints a heap as the list of its items in their order in the heap
        fmt_value(cg, slot, _member(cg, v, 0), fields[0][1], flags)
        return
    if not fields:
        push_literal(cg, slot, name)
        return
    inner = flags.nested()
    if is_tuple_struct(field for field, _ in fields):
        _debug_tuple_struct(cg, slot, v, name, [t for _, t in fields], flags)
        return
    if flags.pretty:
        push_literal(cg, slot, name + " {\n")
        for i, (field, ftype) in enumerate(fields):
            push_literal(cg, slot, " " * inner.indent + field + ": ")
            fmt_value(cg, slot, _member(cg, v, i), ftype, inner)
            push_literal(cg, slot, ",\n")
        push_literal(cg, slot, " " * flags.indent + "}")
        return
    push_literal(cg, slot, name + " { ")
    for i, (field, ftype) in enumerate(fields):
        push_literal(cg, slot, (", " if i else "") + field + ": ")
        fmt_value(cg, slot, _member(cg, v, i), ftype, inner)
    push_literal(cg, slot, " }")


def _debug_map(cg: Codegen, slot, keys, vals, key_t: T.Type, val_t: T.Type | None,
               flags: Flags) -> None:
    """Write the entries of a `HashMap` as `{k: v, ..}` (without `vals`, the items of a
    `HashSet` as `{a, ..}`), in the order in which sxc keeps them."""
    b = cg.b
    key_data = b.load(b.gep(keys, [const_i64(0), ir.Constant(I32, 0)]))
    length = b.load(b.gep(keys, [const_i64(0), ir.Constant(I32, 1)]))
    val_data = b.load(b.gep(vals, [const_i64(0), ir.Constant(I32, 0)])) \
        if vals is not None else None

    def entry(i, inner):
        fmt_value(cg, slot, b.load(b.gep(key_data, [i])), key_t, inner)
        if val_data is not None:
            push_literal(cg, slot, ": ")
            fmt_value(cg, slot, b.load(b.gep(val_data, [i])), val_t, inner)

    _debug_items(cg, slot, length, flags, "{}", entry)


def _debug_items(cg: Codegen, slot, length, flags: Flags, brackets: str, write_item) -> None:
    """Write `length` items between `brackets` as Rust's `Debug` of a list or a map
    does: `, ` between them, or with `{:#?}` each on its own line."""
    b = cg.b
    inner = flags.nested()
    push_literal(cg, slot, brackets[0])

    def body(i):
        if flags.pretty:
            # every item on its own line, `[]` when there is none
            first = b.icmp_unsigned("==", i, const_i64(0))
            with b.if_then(first):
                push_literal(cg, slot, "\n")
            push_literal(cg, slot, " " * inner.indent)
        else:
            not_first = b.icmp_unsigned("!=", i, const_i64(0))
            with b.if_then(not_first):
                push_literal(cg, slot, ", ")
        write_item(i, inner)
        if flags.pretty:
            push_literal(cg, slot, ",\n")

    cg.counted_loop(length, body)
    if flags.pretty and flags.indent:
        nonempty = b.icmp_unsigned("!=", length, const_i64(0))
        with b.if_then(nonempty):
            push_literal(cg, slot, " " * flags.indent)
    push_literal(cg, slot, brackets[1])


def _debug_tuple_struct(cg: Codegen, slot, v, name: str, types: list[T.Type],
                        flags: Flags) -> None:
    """Write a tuple struct as Rust's derived `Debug` does: `P(1.0, 2.0)`."""
    inner = flags.nested()
    if flags.pretty:
        push_literal(cg, slot, name + "(\n")
        for i, item_t in enumerate(types):
            push_literal(cg, slot, " " * inner.indent)
            fmt_value(cg, slot, _member(cg, v, i), item_t, inner)
            push_literal(cg, slot, ",\n")
        push_literal(cg, slot, " " * flags.indent + ")")
        return
    push_literal(cg, slot, name + "(")
    for i, item_t in enumerate(types):
        if i:
            push_literal(cg, slot, ", ")
        fmt_value(cg, slot, _member(cg, v, i), item_t, inner)
    push_literal(cg, slot, ")")


def _member(cg: Codegen, v, position: int) -> ir.Value:
    """Return a member of the struct or tuple `v`, which is a value or, if large, its address."""
    if isinstance(v.type, ir.PointerType):
        return cg.b.load(cg.b.gep(v, [const_i64(0), ir.Constant(I32, position)]))
    return cg.b.extract_value(v, position)


def _debug_tuple(cg: Codegen, slot, v, ty: T.TupleT, flags: Flags) -> None:
    b = cg.b
    if not ty.items:
        _fmt_leaf(cg, slot, v, T.UNIT, flags)
        return
    inner = flags.nested()
    if flags.pretty:
        push_literal(cg, slot, "(\n")
        for i, item_t in enumerate(ty.items):
            push_literal(cg, slot, " " * inner.indent)
            fmt_value(cg, slot, _member(cg, v, i), item_t, inner)
            push_literal(cg, slot, ",\n")
        push_literal(cg, slot, " " * flags.indent + ")")
        return
    push_literal(cg, slot, "(")
    for i, item_t in enumerate(ty.items):
        if i:
            push_literal(cg, slot, ", ")
        fmt_value(cg, slot, _member(cg, v, i), item_t, inner)
    push_literal(cg, slot, ",)" if len(ty.items) == 1 else ")")


def _debug_seq(cg: Codegen, slot, v, ty, flags: Flags) -> None:
    b = cg.b
    if isinstance(ty, T.ArrayT):
        if isinstance(v.type, ir.PointerType):
            tmp = v
        else:
            tmp = cg.alloca(cg.ll(ty))
            b.store(v, tmp)
        data, length = b.gep(tmp, [const_i64(0), const_i64(0)]), const_i64(ty.size)
    elif isinstance(ty, T.VecT):
        data = b.load(b.gep(v, [const_i64(0), ir.Constant(I32, 0)]))
        length = b.load(b.gep(v, [const_i64(0), ir.Constant(I32, 1)]))
    else:
        data, length = b.extract_value(v, 0), b.extract_value(v, 1)
    _debug_items(cg, slot, length, flags, "[]", lambda i, inner: fmt_value(
        cg, slot, b.load(b.gep(data, [i])), ty.elem, inner))


def _debug_enum(cg: Codegen, slot, v, ty: T.EnumT, flags: Flags) -> None:
    if ty.enum in cg.enum_types:
        _debug_data_enum(cg, slot, v, ty, flags)
        return
    # derived `Debug` writes the variant name with `write_str`, which ignores width and fill
    b = cg.b
    variants = list(cg.program.enums[ty.enum].discriminants.items())
    name = cg.native.str_const(b, variants[-1][0].encode())
    for variant, value in reversed(variants[:-1]):
        this = cg.native.str_const(b, variant.encode())
        name = b.select(b.icmp_signed("==", v, const_i64(value)), this, name)
    b.call(cg.native.routine("buf_push_str"), [b.load(slot), name])


def _debug_data_enum(cg: Codegen, slot, v, ty: T.EnumT, flags: Flags) -> None:
    """Write the variant as Rust's derived `Debug` does: `Circle(1.0)`, `Rect { w: 2.0 }`.

    An enum that contains itself, as `enum Expr { Add(Vec<Expr>) }` does, is written
    by a function of its own that calls itself for the nested values.  For
    `{:#?}` that function writes at no indent, and the caller then indents the
    lines it wrote, as the `PadAdapter` of Rust's formatter does."""
    if not contains_itself(cg.program, ty.enum,
                           lambda s: [t for _, t in cg.program.structs[s].resolved_fields]):
        _debug_variant(cg, slot, v, ty, flags)
        return
    b = cg.b
    pointer = v if isinstance(v.type, ir.PointerType) else cg.spill(v)
    spec = replace(flags.spec, width=None, precision=None)
    key = (f"debug.{ty.enum}.{zlib.crc32(repr(spec).encode()):08x}.{int(flags.width is not None)}"
           f"{int(flags.precision is not None)}")

    def build(fn):
        own = replace(flags, width=fn.args[2] if flags.width is not None else None,
                      precision=fn.args[3] if flags.precision is not None else None,
                      indent=0)
        _debug_variant(cg, fn.args[0], fn.args[1], ty, own)
        cg.b.ret_void()

    helper = cg._helper(key, ir.VoidType(), [slot.type, pointer.type, I64, I64], build)
    start = buf_len(cg, slot) if flags.pretty and flags.indent else None
    b.call(helper, [slot, pointer, flags.width or const_i64(0),
                    flags.precision or const_i64(0)])
    if start is not None:
        b.call(cg.native.routine("buf_reindent"), [b.load(slot), start, const_i64(flags.indent)])


def _debug_variant(cg: Codegen, slot, v, ty: T.EnumT, flags: Flags) -> None:
    b = cg.b
    edef = cg.program.enums[ty.enum]
    tag = _member(cg, v, 0)
    inner = flags.nested()
    for index, variant in enumerate(edef.kinds):
        kind, fields = edef.kinds[variant], edef.fields[variant]
        positions = cg.enum_slots[(ty.enum, variant)]
        with b.if_then(b.icmp_signed("==", tag, const_i64(index))):
            if kind == "unit" or not fields:
                push_literal(cg, slot, variant)
                continue
            close = ")" if kind == "tuple" else "}"
            if flags.pretty:
                push_literal(cg, slot, variant + ("(\n" if kind == "tuple" else " {\n"))
                for (field, ftype), position in zip(fields, positions):
                    label = "" if kind == "tuple" else field + ": "
                    push_literal(cg, slot, " " * inner.indent + label)
                    fmt_value(cg, slot, _member(cg, v, position), ftype, inner)
                    push_literal(cg, slot, ",\n")
                push_literal(cg, slot, " " * flags.indent + close)
                continue
            push_literal(cg, slot, variant + ("(" if kind == "tuple" else " { "))
            for i, ((field, ftype), position) in enumerate(zip(fields, positions)):
                label = "" if kind == "tuple" else field + ": "
                push_literal(cg, slot, (", " if i else "") + label)
                fmt_value(cg, slot, _member(cg, v, position), ftype, inner)
            push_literal(cg, slot, ")" if kind == "tuple" else " }")


# `{:?}` of each compound type, by type class; every other type is a leaf.
# A new type that derives `Debug` needs one function here and its rule in
# `Checker.debug_blocker`.
DEBUG_FORMATTERS = {
    T.StructT: _debug_struct,
    T.TupleT: _debug_tuple,
    T.ArrayT: _debug_seq,
    T.VecT: _debug_seq,
    T.SliceT: _debug_seq,
    T.EnumT: _debug_enum,
}


# ---------------------------------------------------------------- buffers


def push_literal(cg: Codegen, slot: ir.Value, text: str) -> None:
    s = cg.native.str_const(cg.b, text.encode("utf-8"))
    cg.b.call(cg.native.routine("buf_push_str"), [cg.b.load(slot), s])


def buf_len(cg: Codegen, slot: ir.Value) -> ir.Value:
    header = cg.b.load(slot)
    return cg.b.load(cg.b.gep(header, [const_i64(0), ir.Constant(I32, 1)]))
