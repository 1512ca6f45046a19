"""The two ways a Python callable stands for a function-typed parameter.

A parameter of type `fn(A, ..) -> R` of a function called from Python takes
a Python callable in one of two ways:

- "direct": every argument is a number, `bool`, a slice of numbers or a
  `&Vec` of numbers, and the result a number, `bool` or `()`.  Compiled code
  calls a ctypes callback with the function type's own signature.
- "slots": the arguments and the result are values that the 8-byte slots of
  the export interface carry, such as `dual`s, structs and tuples of
  numbers.  ctypes cannot return a struct from a callback, so compiled code
  calls a thunk with the function type's signature.  The thunk stores the
  arguments into slots, calls a ctypes callback `void(u64 *args, u64 *ret)`
  and loads its result from slots.

This module decides which, for the code generator and for `sxc.boundary`
alike, and imports no LLVM.
"""

from __future__ import annotations

from sxc import types as T


def callback_kind(t: T.FnT, fields_of) -> str | None:
    """Return "direct", "slots" or None (no Python callable) for function type `t`.

    `fields_of(struct)` gives the (name, type) fields of a struct after
    lowering, or None for an unknown struct.
    """
    if all(_direct_param(p) for p in t.params) and \
            isinstance(t.ret, (T.FloatT, T.IntT, T.BoolT, T.UnitT)):
        return "direct"
    if all(arg_slots(p, fields_of) is not None for p in t.params) and \
            (isinstance(t.ret, T.UnitT) or plain_slots(t.ret, fields_of) is not None):
        return "slots"
    return None


def _direct_param(t: T.Type) -> bool:
    if isinstance(t, (T.FloatT, T.IntT, T.BoolT)):
        return True
    if isinstance(t, T.SliceT):
        return isinstance(t.elem, (T.FloatT, T.IntT))
    return isinstance(t, T.RefT) and isinstance(t.inner, T.VecT) and \
        isinstance(t.inner.elem, (T.FloatT, T.IntT))


def plain_slots(t: T.Type, fields_of, seen: frozenset = frozenset()) -> int | None:
    """Return how many slots a value of type `t` takes, or None unless it
    contains only numbers, `bool` and enums, directly or in structs, tuples
    and arrays."""
    if isinstance(t, T.EnumT):
        return None if _data_enum(t, fields_of) else 1
    if isinstance(t, (T.IntT, T.FloatT, T.BoolT)):
        return 1
    if isinstance(t, T.StructT):
        fields = fields_of(t.struct)
        if fields is None or t.struct in seen:
            return None
        counts = [plain_slots(ft, fields_of, seen | {t.struct}) for _, ft in fields]
        return None if None in counts else sum(counts)
    if isinstance(t, T.TupleT):
        counts = [plain_slots(item, fields_of, seen) for item in t.items]
        return None if None in counts else sum(counts)
    if isinstance(t, T.ArrayT):
        count = plain_slots(t.elem, fields_of, seen)
        return None if count is None else count * t.size
    return None


def flat_element(t: T.Type, fields_of) -> bool:
    """Return whether every value that a `t` contains is an 8-byte number, so
    that a slice of `t` reads as consecutive slots."""
    if isinstance(t, T.FloatT):
        return t.bits == 64
    if isinstance(t, T.IntT):
        return t.bits == 64
    if isinstance(t, T.EnumT):
        return not _data_enum(t, fields_of)
    if isinstance(t, T.StructT):
        fields = fields_of(t.struct)
        return fields is not None and all(flat_element(ft, fields_of) for _, ft in fields)
    if isinstance(t, T.TupleT):
        return all(flat_element(item, fields_of) for item in t.items)
    if isinstance(t, T.ArrayT):
        return flat_element(t.elem, fields_of)
    return False


def _data_enum(t: T.EnumT, fields_of) -> bool:
    """Return whether `t` is an enum with data, which does not cross.

    The code generator's `fields_of` returns fields for the key "enum NAME" (see
    `sxc.codegen.DATA_ENUM_KEY`); Python's layout knows no such key, and
    never meets such an enum, because no function that takes one is exported.
    """
    return fields_of("enum " + t.enum) is not None


def arg_slots(t: T.Type, fields_of) -> int | None:
    """Return how many slots an argument of type `t` takes on the "slots" path,
    or None if it cannot take that path.

    A slice or string takes two (data pointer and length), a `&Vec` of
    numbers one (the address of its header pointer), a reference the slots
    of the value it points to, and other values their `plain_slots`.
    """
    if isinstance(t, T.StrT):
        return 2
    if isinstance(t, T.SliceT):
        if isinstance(t.elem, (T.FloatT, T.IntT)) or flat_element(t.elem, fields_of):
            return 2
        return None
    if isinstance(t, T.RefT) and isinstance(t.inner, T.VecT):
        return 1 if isinstance(t.inner.elem, (T.FloatT, T.IntT)) else None
    if isinstance(t, T.RefT):
        return plain_slots(t.inner, fields_of)
    return plain_slots(t, fields_of)
