"""Convert Python values to and from the 8-byte slots of exported functions.

Every exported function `__sx_export.<name>(args, ret)` reads its arguments
from an array of 64-bit slots and writes its result into another one (see
`export_slots` in `sxc.codegen`).  Numbers, bool and enums take one slot,
structs, tuples and arrays are flattened field by field, a slice or string
takes two (data pointer and length), a function pointer one, and a `Vec`
result one (the address of its header).  This module walks the same layout
on the Python side.
"""

from __future__ import annotations

import ctypes
import dataclasses
import decimal
import keyword
import numbers
import unicodedata
import struct as _struct
from collections.abc import Mapping

from sxc import types as T
from sxc.callbacks import arg_slots, callback_kind, plain_slots

_DOUBLE = _struct.Struct("<d")
_U64 = _struct.Struct("<Q")

# NumPy dtype names of the element types that a slice or `Vec` carries
_FLOAT_DTYPES = {64: "float64", 32: "float32"}


def float_bits(x: float) -> int:
    return _U64.unpack(_DOUBLE.pack(x))[0]


def bits_float(bits: int) -> float:
    return _DOUBLE.unpack(_U64.pack(bits & 0xFFFFFFFFFFFFFFFF))[0]


def python_name(name: str) -> str:
    """Return the name under which Python code reaches a program's `name`.

    Python reads identifiers in source code in their NFKC form, so `m.ﬁle`
    looks up `file`, and a Python keyword such as `lambda` cannot be an
    attribute or keyword argument, so it gets a trailing `_`, as PEP 8
    suggests.  Other names stay as they are.
    """
    normal = unicodedata.normalize("NFKC", name)
    if normal[:1].isdigit():
        return "_" + normal  # the field `0` of a tuple struct, as for tuple variants
    return normal + "_" if keyword.iskeyword(normal) else normal


def is_real_number(value) -> bool:
    """Return whether a float parameter accepts `value`: a `numbers.Real` or a `Decimal`.

    `decimal.Decimal` is no `numbers.Real`, but `float()` and `np.float64()`
    convert it, like they convert a `Fraction`.  Callers reject `bool`.
    """
    return isinstance(value, (numbers.Real, decimal.Decimal))


def to_float(value, where: str, target: str = "a float") -> float:
    """Convert a number that `is_real_number` accepts with `float()`, naming `where` on failure."""
    try:
        return float(value)
    except OverflowError:
        raise OverflowError(f"{where}: {_show(value)} is out of the range of "
                            f"{target}") from None
    except ValueError as error:  # Decimal('sNaN')
        raise ValueError(f"{where}: cannot convert {_show(value)} to {target}: "
                         f"{error}") from None


def elem_dtype(t: T.Type):
    """Return the NumPy dtype of a slice or `Vec` element type."""
    import numpy as np

    if isinstance(t, T.FloatT):
        return np.dtype(_FLOAT_DTYPES[t.bits])
    return np.dtype(f"{'int' if t.signed else 'uint'}{t.bits}")


class SliceArg(ctypes.Structure):
    """A slice as compiled code passes it by value: data pointer and length."""

    _fields_ = [("data", ctypes.c_void_p), ("length", ctypes.c_int64)]


def _ctype(t: T.Type):
    if isinstance(t, T.SliceT):
        return SliceArg
    if isinstance(t, T.RefT):
        return ctypes.c_void_p  # a `&Vec` or `&mut Vec`: the cell of the header pointer
    if isinstance(t, T.FloatT):
        return ctypes.c_double if t.bits == 64 else ctypes.c_float
    if isinstance(t, T.BoolT):
        return ctypes.c_bool
    if isinstance(t, T.UnitT):
        return None
    width = {8: "8", 16: "16", 32: "32", 64: "64"}[t.bits]
    return getattr(ctypes, f"c_{'' if t.signed else 'u'}int{width}")


class CallbackErrors:
    """The first exception raised by a Python callback during one call."""

    def __init__(self, flag_address: int):
        self.flag_address = flag_address
        self.error: BaseException | None = None

    def record(self, error: BaseException) -> None:
        if self.error is None:
            self.error = error
        # compiled code checks this flag after the call through the pointer
        ctypes.c_int32.from_address(self.flag_address).value = 1


class Layout:
    """The struct classes and conversions of one compiled program."""

    def __init__(self, structs: dict, lanes: int, enums: dict | None = None,
                 typed_structs: dict | None = None, data_enums: dict | None = None):
        self.fields = structs
        # the field types before duals were lowered, where a `dual` is still a `dual`
        self.typed_fields = typed_structs or {}
        self.lanes = lanes
        self.enums = enums or {}
        # enums with data: name -> (generic name or None, ((variant, kind, fields), ...))
        self.data_enums = data_enums or {}
        self._classes: dict[str, type] = {}

    # ------------------------------------------------------------ struct classes

    def is_dual_struct(self, t: T.Type) -> bool:
        return isinstance(t, T.StructT) and t.struct == "Dual" and \
            [f for f, _ in self.fields.get("Dual", ())] == ["val", "der"]

    def struct_class(self, name: str) -> type:
        """Return the dataclass that is struct `name` in Python."""
        cls = self._classes.get(name)
        if cls is None:
            fields = tuple((field, str(ft)) for field, ft in self.fields[name])
            cls = self._classes[name] = shared_struct_class(name, fields)
        return cls

    def enum_class(self, name: str) -> type:
        """Return the `enum.IntEnum` whose members are the variants of enum `name`."""
        cls = self._classes.get(name)
        if cls is None:
            variants = tuple(self.enums[name].items())
            cls = self._classes[name] = shared_enum_class(name, variants)
        return cls

    def data_enum_class(self, name: str) -> type:
        """Return the class of enum `name`, whose variants are its subclasses."""
        cls = self._classes.get(name)
        if cls is None:
            cls = self._classes[name] = shared_data_enum_class(name, self.data_enums[name][1])
        return cls

    def _is_option(self, t: T.Type) -> bool:
        return self._generic(t) == "Option"

    def _generic(self, t: T.Type) -> str | None:
        """Return "Option" or "Result" for their copies, else None."""
        if isinstance(t, T.EnumT) and t.enum in self.data_enums:
            return self.data_enums[t.enum][0]
        return None

    def _enum_payloads(self, name: str):
        """Yield (variant, [(field, type before lowering, lowered type)]) of enum `name`."""
        key = "enum " + name
        lowered = list(self.fields[key])
        typed = list(self.typed_fields.get(key) or lowered)
        if len(typed) != len(lowered):
            typed = lowered
        start = 0
        for variant, _kind, names in self.data_enums[name][1]:
            members = [(f, typed_t, t) for f, (_, typed_t), (_, t) in
                       zip(names, typed[start:start + len(names)],
                           lowered[start:start + len(names)])]
            start += len(names)
            yield variant, members

    # ------------------------------------------------------------ arguments

    def pack(self, value, typed: T.Type, lowered: T.Type, where: str, slots: list,
             keep: list, errors: CallbackErrors) -> None:
        """Append the slots of `value` for a parameter of type `typed` (`lowered` after duals)."""
        if isinstance(typed, T.DualT) or self.is_dual_struct(lowered):
            self._pack_dual(value, lowered, where, slots)
        elif isinstance(lowered, T.FloatT):
            if isinstance(value, bool) or not is_real_number(value):
                raise TypeError(f"{where}: expected a number for `{typed}`, got {_show(value)}")
            slots.append(float_bits(to_float(value, where, f"`{typed}`")))
        elif isinstance(lowered, T.BoolT):
            slots.append(1 if value else 0)
        elif isinstance(lowered, T.EnumT) and lowered.enum in self.data_enums:
            self._pack_data_enum(value, typed, lowered, where, slots, keep, errors)
        elif isinstance(lowered, T.EnumT) and lowered.enum in self.enums:
            slots.append(self._enum_slot(value, lowered, where))
        elif isinstance(lowered, (T.IntT, T.EnumT)):
            slots.append(self._int_slot(value, lowered, typed, where))
        elif isinstance(lowered, T.SliceT):
            slots.extend(self._slice_slots(value, lowered, where, keep))
        elif isinstance(lowered, T.StrT):
            slots.extend(_str_slots(value, lowered, where, keep))
        elif isinstance(lowered, T.RefT) and isinstance(lowered.inner, T.VecT):
            if lowered.mutable:
                slots.append(self._mut_vec_ref_slot(value, lowered.inner, where, keep))
            else:
                slots.append(self._vec_ref_slot(value, lowered.inner, where, keep))
        elif isinstance(lowered, T.VecT):
            slots.append(self._owned_vec_slot(value, lowered, where, keep))
        elif isinstance(lowered, T.FnT):
            slots.append(self._callback_slot(value, typed, lowered, where, keep, errors))
        elif isinstance(lowered, T.StructT):
            self._pack_struct(value, lowered, where, slots, keep, errors)
        elif isinstance(lowered, (T.TupleT, T.ArrayT)):
            parts = _parts(lowered)
            items = self._sequence(value, len(parts), lowered, where)
            for i, (item, typed_part, part) in enumerate(zip(items, _typed_parts(typed, parts),
                                                             parts)):
                self.pack(item, typed_part, part, f"{where}[{i}]", slots, keep, errors)
        else:
            raise TypeError(f"{where}: cannot pass a value of type `{typed}` from Python")

    def _pack_dual(self, value, lowered: T.Type, where: str, slots: list) -> None:
        from sxc.api import Dual

        lanes = self.lanes
        if isinstance(value, Dual):
            val = float(value.val)
            if value.tangents is not None and isinstance(lowered, T.StructT):
                if len(value.tangents) != lanes:
                    raise TypeError(f"{where}: expected a dual with {lanes} tangents, got "
                                    f"{len(value.tangents)}")
                ders = [float(d) for d in value.tangents]
            else:
                ders = [float(value.der)] + [0.0] * (lanes - 1)
        elif is_real_number(value) and not isinstance(value, bool):
            val, ders = to_float(value, where, "`dual`"), [0.0] * lanes
        else:
            raise TypeError(f"{where}: expected sxc.Dual or a number for `dual`, "
                            f"got {_show(value)}")
        slots.append(float_bits(val))
        if isinstance(lowered, T.StructT):
            slots.extend(float_bits(d) for d in ders)

    def _pack_data_enum(self, value, typed: T.Type, t: T.EnumT, where: str, slots: list,
                        keep: list, errors: CallbackErrors) -> None:
        """Append the tag and the payloads of `value`, zeros for the other variants."""
        if self._is_option(t):
            chosen, values = ("None", ()) if value is None else ("Some", (value,))
        elif self._generic(t) == "Result":
            chosen, values = ("Err", (value.value,)) if isinstance(value, ResultError) \
                else ("Ok", (value,))
        else:
            cls = self.data_enum_class(t.enum)
            if not isinstance(value, cls):
                variants = ", ".join(f"m.{t.enum}.{python_name(v)}"
                                     for v, _k, _f in self.data_enums[t.enum][1])
                raise TypeError(f"{where}: expected a `{typed}` ({variants}), "
                                f"got {_show(value)}")
            chosen, values = type(value).variant, value.values
        variants = [v for v, _k, _f in self.data_enums[t.enum][1]]
        slots.append(variants.index(chosen))
        for variant, members in self._enum_payloads(t.enum):
            for (field, typed_t, member_t), item in zip(members, values if variant == chosen
                                                        else [None] * len(members)):
                if variant == chosen:
                    self.pack(item, typed_t, member_t, f"{where}.{field}", slots, keep, errors)
                else:
                    slots.extend([0] * self.member_slots(member_t))

    def member_slots(self, t: T.Type) -> int:
        """Return how many slots a member of lowered type `t` takes, as
        `export_slots` in `sxc.codegen` counts them."""
        if isinstance(t, T.UnitT):
            return 0
        if isinstance(t, T.EnumT) and t.enum in self.data_enums:
            return 1 + sum(self.member_slots(ft) for _, ft in self.fields["enum " + t.enum])
        if isinstance(t, T.StructT):
            return sum(self.member_slots(ft) for _, ft in self.fields[t.struct])
        if isinstance(t, T.TupleT):
            return sum(self.member_slots(item) for item in t.items)
        if isinstance(t, T.ArrayT):
            return t.size * self.member_slots(t.elem)
        if isinstance(t, (T.StrT, T.SliceT)):
            return 2
        return 1

    def _enum_slot(self, value, t: T.EnumT, where: str) -> int:
        discriminants = self.enums[t.enum]
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{where}: expected a `{t.enum}` variant (m.{t.enum}.NAME or "
                            f"its discriminant), got {_show(value)}")
        if int(value) not in discriminants.values():
            raise ValueError(f"{where}: {int(value)} is not a discriminant of `{t.enum}`; "
                             f"its variants are {discriminants}")
        return int(value) & 0xFFFFFFFFFFFFFFFF

    def _int_slot(self, value, lowered: T.Type, typed: T.Type, where: str) -> int:
        if T.is_char(lowered):
            return _char_slot(value, where)
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{where}: expected an int for `{typed}`, got {_show(value)}")
        value = int(value)
        bits = getattr(lowered, "bits", 64)
        signed = getattr(lowered, "signed", True)
        lo = -(1 << (bits - 1)) if signed else 0
        hi = (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1
        if not lo <= value <= hi:
            raise OverflowError(f"{where}: {value} does not fit in `{typed}`")
        return value & 0xFFFFFFFFFFFFFFFF

    def _slice_slots(self, value, t: T.SliceT, where: str, keep: list,
                     param_type: T.Type | None = None) -> list[int]:
        """Return (data pointer, length) of a 1-D array for a slice parameter.

        A NumPy array crosses without a copy, so it must already have the
        element's dtype, one dimension and contiguous data.  Any other
        sequence is converted with `np.asarray`, except for `&mut` slices,
        whose writes would go to the copy.
        """
        import numpy as np

        param_type = t if param_type is None else param_type
        dtype = elem_dtype(t.elem)
        if isinstance(value, np.ma.MaskedArray):
            raise TypeError(f"{where}: expected a plain NumPy array for `{param_type}`, got a "
                            "masked array, whose mask compiled code would ignore. Pass "
                            "arr.filled(value) to replace the masked entries or arr.data "
                            "to use the data under the mask")
        if isinstance(value, np.ndarray):
            if value.dtype != dtype:
                raise TypeError(f"{where}: expected a {dtype} array for `{param_type}`, got "
                                f"dtype {value.dtype}")
            if value.ndim != 1:
                raise TypeError(f"{where}: expected a 1-D array for `{param_type}`, got shape "
                                f"{value.shape}")
            if not value.flags.c_contiguous:
                raise TypeError(f"{where}: expected a contiguous array for `{param_type}`, got "
                                f"strides {value.strides}; pass np.ascontiguousarray(...)")
            if t.mutable and not value.flags.writeable:
                raise TypeError(f"{where}: `{param_type}` needs a writable array, got a "
                                "read-only one")
            arr = value
        elif t.mutable:
            raise TypeError(f"{where}: `{param_type}` needs a NumPy {dtype} array, got "
                            f"{type(value).__name__} (writes to a converted copy "
                            "would be lost)")
        else:
            arr = self._convert_sequence(value, dtype, param_type, where)
        keep.append(arr)
        return [arr.ctypes.data, arr.shape[0]]

    def _vec_ref_slot(self, value, t: T.VecT, where: str, keep: list) -> int:
        """Return the address of a `Vec` header that borrows an array, for a `&Vec` parameter.

        The header points at the array's data, so a NumPy array of the
        element's dtype crosses without a copy.  The callee only reads it.
        """
        (data, length) = self._slice_slots(value, T.SliceT(t.elem), where, keep,
                                           T.RefT(t, False))
        header = (ctypes.c_int64 * 3)(data, length, length)
        cell = ctypes.c_void_p(ctypes.addressof(header))
        keep.extend((header, cell))
        return ctypes.addressof(cell)

    def _mut_vec_ref_slot(self, value, t: T.VecT, where: str, keep: list) -> int:
        """Return the address of a cell that contains a new `Vec`, for a `&mut Vec` parameter.

        The callee may grow or shrink the `Vec`, which a NumPy array cannot
        follow in place, so the argument is a `list`.  Its items are copied
        into the `Vec`.  After a call that returns normally, the list gets the
        `Vec`'s items (see `write_back_arguments`).
        """
        import numpy as np

        if not isinstance(value, list):
            raise TypeError(f"{where}: `{T.RefT(t, True)}` needs a list, which the call "
                            f"may grow or shrink, got {type(value).__name__}; pass "
                            "list(arr) and read the list afterwards, or take `&mut [T]` "
                            "to write into an array in place")
        arr = self._convert_sequence(value, elem_dtype(t.elem), T.RefT(t, True), where) \
            if value else np.zeros(0, elem_dtype(t.elem))
        header = self._new_vec(arr.ctypes.data, arr.shape[0], t)
        cell = ctypes.c_void_p(header)
        keep.append(_MutVecArgument(value, cell, elem_dtype(t.elem)))
        return ctypes.addressof(cell)

    @staticmethod
    def _new_vec(data: int, length: int, t: T.VecT) -> int:
        """Return a new `Vec` header, allocated with `malloc` as compiled code
        allocates it, with a copy of `length` elements at `data`."""
        size = length * elem_dtype(t.elem).itemsize
        header = _malloc(3 * 8)
        try:
            buffer = _malloc(max(size, 8))
        except MemoryError:
            _free_function()(header)
            raise
        ctypes.memmove(buffer, data, size)
        (ctypes.c_int64 * 3).from_address(header)[:] = [buffer, length, length]
        return header

    def _owned_vec_slot(self, value, t: T.VecT, where: str, keep: list) -> int:
        """Return a new `Vec` header with a copy of the array, for a `Vec` parameter.

        Header and data are allocated with the C library's `malloc`, as
        compiled code allocates them, because the callee owns the `Vec` and
        may grow it.  `free_arguments` frees both after the call.
        """
        data, length = self._slice_slots(value, T.SliceT(t.elem), where, keep, t)
        header = self._new_vec(data, length, t)
        keep.append(_VecArgument(header))
        return header

    @staticmethod
    def _convert_sequence(value, dtype, t: T.Type, where: str):
        import numpy as np

        try:
            raw = np.asarray(value)
        except (TypeError, ValueError) as error:
            raise TypeError(f"{where}: cannot convert {type(value).__name__} to a "
                            f"{dtype} array for `{t}`: {error}") from None
        if raw.ndim == 0:
            raise TypeError(f"{where}: expected a 1-D sequence for `{t}`, got "
                            f"{_show(value)}")
        if raw.ndim != 1:
            raise TypeError(f"{where}: expected a 1-D sequence for `{t}`, got shape "
                            f"{raw.shape}")
        if raw.dtype == object:
            return _convert_items(raw, dtype, t, where)
        integers = raw.dtype.kind in "iu" and dtype.kind in "iu"
        if raw.size and not integers and not np.can_cast(raw.dtype, dtype, "same_kind"):
            raise TypeError(f"{where}: cannot convert {raw.dtype} values to {dtype} "
                            f"for `{t}`")
        arr = np.ascontiguousarray(raw, dtype=dtype)
        if dtype.kind in "iu" and raw.size and not np.array_equal(arr, raw):
            raise OverflowError(f"{where}: a value does not fit in `{dtype}` for `{t}`")
        return arr

    def _callback_slot(self, value, typed: T.Type, t: T.FnT, where: str, keep: list,
                       errors: CallbackErrors) -> int:
        if not callable(value):
            raise TypeError(f"{where}: expected a callable for `{typed}`, got {_show(value)}")
        if callback_kind(t, self.fields.get) == "slots":
            return self._slots_callback(value, typed, t, where, keep, errors)
        ret = _ctype(t.ret)
        proto = ctypes.CFUNCTYPE(ret, *[_ctype(p) for p in t.params])
        fallback = None if ret is None else (float("nan") if isinstance(t.ret, T.FloatT)
                                             else 0)

        def trampoline(*args):
            if errors.error is not None:
                return fallback
            try:
                writes: list = []
                result = value(*[_callback_arg(a, p, writes) for a, p in zip(args, t.params)])
                _write_back(writes)
                if isinstance(t.ret, T.FloatT):
                    if isinstance(result, bool) or not is_real_number(result):
                        raise TypeError(f"the callable passed as {where} returned "
                                        f"{_show(result)}, expected a number for `{t.ret}`")
                    return to_float(result, f"the result of {where}", f"`{t.ret}`")
                if isinstance(t.ret, T.BoolT):
                    return bool(result)
                if isinstance(t.ret, T.IntT):
                    return self._int_slot(result, t.ret, t.ret, f"the result of {where}")
                return None
            except BaseException as error:  # noqa: B036 - re-raised after the call
                errors.record(error)
                return fallback

        pointer = proto(trampoline)
        keep.append(pointer)
        return ctypes.cast(pointer, ctypes.c_void_p).value

    def _slots_callback(self, value, typed: T.Type, t: T.FnT, where: str, keep: list,
                        errors: CallbackErrors) -> int:
        """Return the address of a ctypes callback `void(u64 *args, u64 *ret)`
        that calls `value`, for the thunk of a "slots" function type `t`."""
        typed_params = list(typed.params) if isinstance(typed, T.FnT) else list(t.params)
        typed_ret = typed.ret if isinstance(typed, T.FnT) else t.ret
        widths = [arg_slots(p, self.fields.get) for p in t.params]
        ret_width = 0 if isinstance(t.ret, T.UnitT) else plain_slots(t.ret, self.fields.get)
        proto = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)

        def trampoline(args_address, ret_address):
            if errors.error is not None:
                return
            try:
                raw = (ctypes.c_uint64 * max(sum(widths), 1)).from_address(args_address)
                args, index, writes = [], 0, []
                for typed_p, p, width in zip(typed_params, t.params, widths):
                    args.append(self._callback_value(raw, index, typed_p, p, writes))
                    index += width
                result = value(*args)
                _write_back(writes)
                if ret_width:
                    slots: list = []
                    self.pack(result, typed_ret, t.ret, f"the result of {where}", slots, [],
                              errors)
                    out = (ctypes.c_uint64 * ret_width).from_address(ret_address)
                    for i, slot in enumerate(slots):
                        out[i] = slot & 0xFFFFFFFFFFFFFFFF
            except BaseException as error:  # noqa: B036 - re-raised after the call
                errors.record(error)

        pointer = proto(trampoline)
        keep.append(pointer)
        return ctypes.cast(pointer, ctypes.c_void_p).value

    def _callback_value(self, raw, index: int, typed: T.Type, t: T.Type, writes: list):
        """Return the Python value of a thunk's argument of type `t` at slot `index`.

        Slices and `&Vec`s of numbers are NumPy arrays, copies of compiled code's
        memory as on the direct path (see `_callback_arg`).  A slice of other
        values is a list of copies.
        """
        if isinstance(t, T.SliceT) and isinstance(t.elem, (T.FloatT, T.IntT)):
            return _array_copy(raw[index], raw[index + 1], t.elem, t.mutable, writes)
        if isinstance(t, T.SliceT):
            width = plain_slots(t.elem, self.fields.get)
            length = raw[index + 1]
            items = (ctypes.c_uint64 * max(width * length, 1)).from_address(raw[index]) \
                if length else []
            elem = typed.elem if isinstance(typed, T.SliceT) else t.elem
            return [self.unpack(items, elem, t.elem, k * width)[0] for k in range(length)]
        if isinstance(t, T.RefT) and isinstance(t.inner, T.VecT):
            return _callback_arg(raw[index], t, writes)
        if isinstance(t, T.RefT):
            inner = typed.inner if isinstance(typed, T.RefT) else t.inner
            return self.unpack(raw, inner, t.inner, index)[0]
        return self.unpack(raw, typed, t, index)[0]

    def _struct_fields(self, name: str) -> list[tuple[str, T.Type, T.Type]]:
        """Return (name, type before lowering, lowered type) of each field of struct `name`."""
        lowered = self.fields[name]
        typed = self.typed_fields.get(name)
        if typed is None or len(typed) != len(lowered):
            return [(field, ft, ft) for field, ft in lowered]
        return [(field, typed_ft, ft) for (field, ft), (_, typed_ft) in zip(lowered, typed)]

    def _pack_struct(self, value, t: T.StructT, where: str, slots: list, keep: list,
                     errors: CallbackErrors) -> None:
        fields = self._struct_fields(t.struct)
        by_position = isinstance(value, tuple) and not hasattr(value, "_fields") and \
            all(field.isdigit() for field, _, _ in fields)
        if by_position and len(value) != len(fields):
            raise TypeError(f"{where}: expected a `{t.struct}` of {len(fields)} items, got "
                            f"a tuple of {len(value)}")
        for index, (field, typed_ft, ft) in enumerate(fields):
            if by_position:
                item = value[index]  # a tuple struct from a Python tuple
            elif isinstance(value, Mapping):
                key = field if field in value else python_name(field)
                if key not in value:
                    raise TypeError(f"{where}: missing field `{field}` of struct "
                                    f"`{t.struct}` in the dict")
                item = value[key]
            else:
                try:
                    item = getattr(value, python_name(field))
                except AttributeError:
                    raise TypeError(f"{where}: expected a `{t.struct}` (an object or dict "
                                    f"with field `{field}`), got {_show(value)}") from None
            self.pack(item, typed_ft, ft, f"{where}.{field}", slots, keep, errors)

    @staticmethod
    def _sequence(value, n: int, t: T.Type, where: str) -> list:
        try:
            items = list(value)
        except TypeError:
            raise TypeError(f"{where}: expected a sequence of {n} items for `{t}`, got "
                            f"{_show(value)}") from None
        if len(items) != n:
            raise TypeError(f"{where}: expected {n} items for `{t}`, got {len(items)}")
        return items

    # ------------------------------------------------------------ results

    def unpack(self, ret, typed: T.Type, lowered: T.Type, index: int = 0,
               freed: set | None = None):
        """Read a value of type `typed` from the result slots; return it and the next index."""
        from sxc.api import Dual

        freed = set() if freed is None else freed
        if isinstance(typed, T.UnitT):
            return None, index
        if isinstance(typed, T.DualT) or self.is_dual_struct(lowered):
            val = bits_float(ret[index])
            if not isinstance(lowered, T.StructT):
                return Dual(val, 0.0), index + 1
            ders = tuple(bits_float(ret[index + 1 + k]) for k in range(self.lanes))
            if self.lanes > 1:
                return Dual(val, ders[0], ders), index + 1 + self.lanes
            return Dual(val, ders[0]), index + 2
        if isinstance(lowered, T.FloatT):
            return bits_float(ret[index]), index + 1
        if isinstance(lowered, T.BoolT):
            return bool(ret[index]), index + 1
        if isinstance(lowered, T.EnumT) and lowered.enum in self.data_enums:
            return self._unpack_data_enum(ret, lowered, index, freed)
        if isinstance(lowered, T.EnumT) and lowered.enum in self.enums:
            value = ret[index] - (1 << 64) if ret[index] >= 1 << 63 else ret[index]
            return self.enum_class(lowered.enum)(value), index + 1
        if T.is_char(lowered):
            return chr(ret[index] & 0xFFFFFFFF), index + 1
        if isinstance(lowered, (T.IntT, T.EnumT)):
            bits = getattr(lowered, "bits", 64)
            v = ret[index] & ((1 << bits) - 1)
            if getattr(lowered, "signed", True) and v >= 1 << (bits - 1):
                v -= 1 << bits
            return v, index + 1
        if isinstance(lowered, T.VecT):
            return _take_vec(ret[index], lowered.elem, freed), index + 1
        if isinstance(lowered, T.StrT):
            return _read_str(ret[index], ret[index + 1]), index + 2
        if isinstance(lowered, T.StructT):
            values = {}
            for field, typed_ft, ft in self._struct_fields(lowered.struct):
                values[python_name(field)], index = self.unpack(ret, typed_ft, ft, index, freed)
            return self.struct_class(lowered.struct)(**values), index
        if isinstance(lowered, (T.TupleT, T.ArrayT)):
            items = []
            parts = _parts(lowered)
            for typed_part, part in zip(_typed_parts(typed, parts), parts):
                item, index = self.unpack(ret, typed_part, part, index, freed)
                items.append(item)
            return tuple(items), index
        raise TypeError(f"cannot return a value of type `{typed}` to Python")


    def _unpack_data_enum(self, ret, t: T.EnumT, index: int, freed: set):
        """Read an enum with data: `None` or the payload for an `Option`, else a
        variant instance."""
        tag = ret[index]
        index += 1
        chosen = None
        values: list = []
        for number, (variant, members) in enumerate(self._enum_payloads(t.enum)):
            for _field, typed_t, member_t in members:
                if number == tag:
                    item, index = self.unpack(ret, typed_t, member_t, index, freed)
                    values.append(item)
                else:
                    index += self.member_slots(member_t)
            if number == tag:
                chosen = variant
        if self._is_option(t):
            return (None if chosen == "None" else values[0]), index
        if self._generic(t) == "Result":
            if chosen == "Err":
                raise ResultError(values[0])
            return values[0], index
        member = getattr(self.data_enum_class(t.enum), python_name(chosen))
        return (member if isinstance(member, DataEnum) else member(*values)), index


# The classes of structs and enums by name and fields or variants, shared by
# all modules of the process, so that pickle can find a class again.
_shared_classes: dict[tuple, type] = {}


def shared_struct_class(name: str, fields: tuple) -> type:
    """Return the dataclass of struct `name` with `fields`, (name, type text) pairs.

    Instances pickle by value through `rebuild_struct`, because no module
    attribute names the class in another process.  The dataclass fields have
    the names that `python_name` gives.
    """
    key = ("struct", name, fields)
    cls = _shared_classes.get(key)
    if cls is None:
        names = [python_name(f) for f, _ in fields]
        for (field, _), other in zip(fields, names):
            if names.count(other) > 1:
                raise TypeError(f"struct `{name}` has two fields that Python reads as "
                                f"`{other}`, one of them `{field}`; rename one of them")

        def reduce(self):
            # the values themselves, not copies, so nested structs pickle alike
            return rebuild_struct, (name, fields, tuple(getattr(self, f) for f in names))

        cls = dataclasses.make_dataclass(_class_name(name), [(f, object) for f in names],
                                         namespace={"__reduce__": reduce})
        if fields and all(f.isdigit() for f, _ in fields):
            cls.__doc__ = f"struct {name}(" + ", ".join(t for _, t in fields) + ")"
        else:
            cls.__doc__ = f"struct {name} {{ " + ", ".join(f"{f}: {t}" for f, t in fields) + " }"
        cls.__module__ = "sxc"
        cls = _shared_classes.setdefault(key, cls)
    return cls


def rebuild_struct(name: str, fields: tuple, values: tuple):
    """Rebuild a struct instance from the pickled values that its `__reduce__` returns."""
    return shared_struct_class(name, fields)(*values)


def shared_enum_class(name: str, variants: tuple) -> type:
    """Return the `enum.IntEnum` of enum `name` with `variants`, (name, discriminant) pairs.

    Members pickle by value through `rebuild_enum`, like struct instances.
    """
    key = ("enum", name, variants)
    cls = _shared_classes.get(key)
    if cls is None:
        import enum

        members = {python_name(variant): value for variant, value in variants}
        cls = enum.IntEnum(_class_name(name), members, module="sxc")
        cls.__reduce_ex__ = lambda member, protocol: (rebuild_enum,
                                                      (name, variants, int(member)))
        cls = _shared_classes.setdefault(key, cls)
    return cls


def rebuild_enum(name: str, variants: tuple, value: int):
    """Return the enum member of a discriminant that its `__reduce_ex__` pickled."""
    return shared_enum_class(name, variants)(value)


class ResultError(Exception):
    """`Err(value)` of a `Result` that a compiled function returned.

    Passed to a `Result` parameter, it stands for `Err(value)`; any other
    value stands for `Ok(value)`.
    """

    def __init__(self, value):
        super().__init__(value)
        self.value = value

    def __str__(self) -> str:
        return str(self.value)


class DataEnum:
    """A value of an enum with data; each variant is a subclass.

    A tuple variant's payload is read by index (`shape[0]`), a struct
    variant's also by field name (`shape.w`).  `values` is the payload as a
    tuple, and `variant` the variant's name.
    """

    __slots__ = ("values",)
    enum = ""
    variant = ""
    fields: tuple = ()
    kind = "unit"
    spec: tuple = ()

    def __init__(self, *args, **kwargs):
        names = self.fields
        plural = "" if len(names) == 1 else "s"
        if len(args) > len(names):
            raise TypeError(f"{self.enum}::{self.variant} takes {len(names)} value{plural}, "
                            f"got {len(args)}")
        values = list(args) + [kwargs.pop(python_name(f)) for f in names[len(args):]
                               if python_name(f) in kwargs]
        if kwargs:
            raise TypeError(f"{self.enum}::{self.variant} has no field "
                            f"{', '.join(sorted(kwargs))}")
        if len(values) != len(names):
            missing = names[len(values):]
            raise TypeError(f"{self.enum}::{self.variant} is missing the field"
                            f"{'' if len(missing) == 1 else 's'} {', '.join(missing)}")
        object.__setattr__(self, "values", tuple(values))

    def __getitem__(self, i):
        return self.values[i]

    def __len__(self):
        return len(self.values)

    def __getattr__(self, name):
        names = [python_name(f) for f in type(self).fields]
        if name in names:
            return self.values[names.index(name)]
        if name.startswith("_") and name[1:].isdigit() and int(name[1:]) < len(names):
            return self.values[int(name[1:])]
        raise AttributeError(f"`{self.enum}::{self.variant}` has no field `{name}`")

    def __setattr__(self, name, value):
        raise AttributeError(f"`{self.enum}::{self.variant}` values are immutable")

    def __eq__(self, other):
        return type(self) is type(other) and self.values == other.values

    def __hash__(self):
        return hash((type(self), self.values))

    def __repr__(self):
        head = f"{_class_name(self.enum)}.{python_name(self.variant)}"
        if self.kind == "unit":
            return head
        if self.kind == "struct":
            inner = ", ".join(f"{python_name(f)}={v!r}" for f, v in zip(self.fields, self.values))
        else:
            inner = ", ".join(repr(v) for v in self.values)
        return f"{head}({inner})"

    def __reduce__(self):
        return rebuild_variant, (self.enum, self.spec, self.variant, self.values)


def shared_data_enum_class(name: str, spec: tuple) -> type:
    """Return the class of enum `name` with `spec`, (variant, kind, fields) triples.

    Each variant is a subclass, reached as an attribute of the class; a unit
    variant's attribute is its one value.  Classes are shared like struct
    classes, so values pickle by value through `rebuild_variant`.
    """
    key = ("data enum", name, spec)
    cls = _shared_classes.get(key)
    if cls is None:
        cls = type(_class_name(name), (DataEnum,), {"__slots__": (), "enum": name,
                                                    "spec": spec, "__module__": "sxc"})
        for variant, kind, fields in spec:
            names = tuple(python_name(f) if kind == "struct" else f"_{f}" for f in fields)
            sub = type(python_name(variant), (cls,), {
                "__slots__": (), "variant": variant, "kind": kind, "fields": tuple(fields),
                "__match_args__": names, "__module__": "sxc",
                "__qualname__": f"{_class_name(name)}.{python_name(variant)}"})
            setattr(cls, python_name(variant), sub() if kind == "unit" else sub)
        cls = _shared_classes.setdefault(key, cls)
    return cls


def rebuild_variant(name: str, spec: tuple, variant: str, values: tuple):
    """Rebuild a variant value from what its `__reduce__` pickled."""
    member = getattr(shared_data_enum_class(name, spec), python_name(variant))
    return member if isinstance(member, DataEnum) else member(*values)


def _char_slot(value, where: str) -> int:
    """Return the code point of a one-character `str` passed for a `char`."""
    if not isinstance(value, str) or len(value) != 1:
        raise TypeError(f"{where}: expected a one-character str for `char`, got {_show(value)}")
    code = ord(value)
    if 0xD800 <= code <= 0xDFFF:
        raise ValueError(f"{where}: U+{code:04X} is a surrogate, which is no `char`")
    return code


def _convert_items(raw, dtype, t: T.Type, where: str):
    """Convert a sequence that NumPy keeps as Python objects item by item, as a number
    parameter converts one value.

    NumPy makes an object array of `Decimal`s, `Fraction`s and integers beyond 64 bits,
    and cannot cast it to a number dtype.  So each float item goes through `float()`
    and each integer item is range checked, naming its index on failure.
    """
    import numpy as np

    arr = np.empty(raw.shape[0], dtype=dtype)
    elem = f"{dtype.kind}{dtype.itemsize * 8}"  # f64, i32, u8, ...
    if dtype.kind == "f":
        for i, item in enumerate(raw):
            if isinstance(item, bool) or not is_real_number(item):
                raise TypeError(f"{where}[{i}]: expected a number for `{elem}` in `{t}`, "
                                f"got {_show(item)}")
            arr[i] = to_float(item, f"{where}[{i}]", f"`{elem}`")
        return arr
    info = np.iinfo(dtype)
    for i, item in enumerate(raw):
        if isinstance(item, bool) or not isinstance(item, numbers.Integral):
            raise TypeError(f"{where}[{i}]: expected an int for `{elem}` in `{t}`, "
                            f"got {_show(item)}")
        if not info.min <= int(item) <= info.max:
            raise OverflowError(f"{where}[{i}]: {int(item)} does not fit in `{elem}` for `{t}`")
        arr[i] = int(item)
    return arr


def _callback_arg(arg, t: T.Type, writes: list):
    """Return a slice or `&Vec` argument as a NumPy array, a `char` as a
    one-character `str`, and other arguments as they are.

    The array is a copy, which the callable may keep: compiled code may free
    its memory after the call.  When the reference is `&mut`, the array is
    writable and `_write_back` copies it into compiled code's memory after the
    call, which costs two copies of the slice per call."""
    if T.is_char(t):
        return chr(arg)
    if isinstance(t, T.SliceT):
        return _array_copy(arg.data, arg.length, t.elem, t.mutable, writes)
    if isinstance(t, T.RefT) and isinstance(t.inner, T.VecT):
        header = ctypes.c_void_p.from_address(arg).value
        data, length = (ctypes.c_int64 * 2).from_address(header)
        return _array_copy(data, length, t.inner.elem, t.mutable, writes)
    return arg


def _array_copy(data: int, length: int, elem: T.Type, writable: bool, writes: list):
    """Return a NumPy array with a copy of `length` elements of type `elem` at address
    `data`; when `writable`, add (memory, copy) to `writes` for `_write_back`."""
    import numpy as np

    dtype = elem_dtype(elem)
    if not length:
        return np.empty(0, dtype=dtype)
    buffer = (ctypes.c_char * (length * dtype.itemsize)).from_address(data)
    memory = np.frombuffer(buffer, dtype=dtype)
    arr = memory.copy()
    if writable:
        writes.append((memory, arr))
    else:
        arr.flags.writeable = False
    return arr


def _write_back(writes: list) -> None:
    """Copy the arrays that a callable received for `&mut` slices into compiled memory."""
    for memory, arr in writes:
        memory[...] = arr


def _parts(t: T.Type) -> list[T.Type]:
    """Return the member types of a tuple or array type."""
    if isinstance(t, T.TupleT):
        return list(t.items)
    return [t.elem] * t.size


def _typed_parts(typed: T.Type, lowered_parts: list[T.Type]) -> list[T.Type]:
    """Return the member types of `typed`, a tuple or array before lowering, when they
    match the lowered members one to one, else the lowered members."""
    if isinstance(typed, (T.TupleT, T.ArrayT)):
        parts = _parts(typed)
        if len(parts) == len(lowered_parts):
            return parts
    return lowered_parts


def _str_slots(value, t: T.StrT, where: str, keep: list) -> list[int]:
    """Return (data pointer, length) of the UTF-8 bytes of `value` for a string parameter.

    A `&str` borrows a buffer that lives for the call.  A `String` gets a
    copy allocated with `malloc`, because the callee owns it.
    """
    if not isinstance(value, str):
        raise TypeError(f"{where}: expected a str for `{t}`, got {_show(value)}")
    try:
        data = value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"{where}: the string is not valid Unicode for `{t}`: {exc.reason} "
                         f"at index {exc.start}") from None
    if t.owned:
        address = _malloc(max(len(data), 1))
        keep.append(_StringArgument(address))
        ctypes.memmove(address, data, len(data))
        return [address, len(data)]
    buffer = ctypes.create_string_buffer(data, max(len(data), 1))
    keep.append(buffer)
    return [ctypes.addressof(buffer), len(data)]


class _StringArgument(int):
    """The address of a `String` argument's buffer, which Python frees after the call."""


class _VecArgument(int):
    """The address of the header of a `Vec` argument, which Python frees after the call."""


class _MutVecArgument:
    """A `&mut Vec` argument: the caller's list and the cell holding the `Vec`'s header."""

    def __init__(self, items: list, cell: ctypes.c_void_p, dtype) -> None:
        self.items = items
        self.cell = cell
        self.dtype = dtype

    def contents(self):
        """Return a NumPy copy of the `Vec`'s items as they are now."""
        import numpy as np

        header = (ctypes.c_int64 * 2).from_address(self.cell.value)
        data, length = header[0], header[1]
        if length == 0:
            return np.zeros(0, self.dtype)
        buffer = (ctypes.c_char * (length * self.dtype.itemsize)).from_address(data)
        return np.frombuffer(buffer, dtype=self.dtype).copy()


def write_back_arguments(keep: list) -> None:
    """Give each `&mut Vec` argument's list the items the call left in its `Vec`."""
    for item in keep:
        if isinstance(item, _MutVecArgument):
            item.items[:] = item.contents().tolist()


def free_arguments(keep: list, freed: set) -> None:
    """Free the `String` and `Vec` arguments of a call that has ended.

    The callee owns them, but compiled code frees neither a `Vec` nor a
    string argument.
    Nothing that outlives the call can point into a `String` argument,
    because results are copied before this runs and no type that contains a
    string crosses into a callback.  A `Vec` argument that the callee
    returned, also inside a struct or tuple, is the result's `Vec`:
    `Layout.unpack` copied and freed it and put its header in `freed`, so it
    is skipped here.  Compiled code has no mutable globals, so a `Vec` that
    is not returned is unreachable after the call.  Its data is freed through
    the header, because a `push` may have moved it with `realloc`.
    """
    free = _free_function()
    for item in keep:
        if isinstance(item, _StringArgument):
            free(item)
        elif isinstance(item, _VecArgument) and item not in freed:
            freed.add(item)
            free(ctypes.c_void_p.from_address(item).value)
            free(item)
        elif isinstance(item, _MutVecArgument):
            # the header in the cell now, because the callee may have replaced the `Vec`
            header = item.cell.value
            free(ctypes.c_void_p.from_address(header).value)
            free(header)


def _read_str(data: int, length: int) -> str:
    """Copy a string that compiled code returned into a Python `str`.

    The buffer is not freed, because compiled code shares string buffers
    without an owner.  `to_string` and `clone` return the same buffer, a
    slice points into another string, a literal is in the program's constant
    data, and a `&str` result may be the caller's argument.
    """
    if not length:
        return ""
    # compiled code keeps strings valid UTF-8 (slicing panics off a char boundary)
    return ctypes.string_at(data, length).decode("utf-8", errors="replace")


def _malloc(size: int) -> int:
    """Allocate `size` bytes with the C library's `malloc`; raise MemoryError if it fails."""
    global _malloc_function
    if _malloc_function is None:
        libc = ctypes.CDLL(None)
        libc.malloc.argtypes = [ctypes.c_size_t]
        libc.malloc.restype = ctypes.c_void_p
        _malloc_function = libc.malloc
    address = _malloc_function(size)
    if not address:
        raise MemoryError(f"failed to allocate {size} bytes for an argument")
    return address


_malloc_function = None


def _free_function():
    """Return the C library's `free`, which releases what `_malloc` and compiled code allocate."""
    global _free
    if _free is None:
        libc = ctypes.CDLL(None)
        libc.free.argtypes = [ctypes.c_void_p]
        libc.free.restype = None
        _free = libc.free
    return _free


_free = None


def _take_vec(header: int, elem: T.Type, freed: set):
    """Copy a `Vec` that compiled code returned into a NumPy array and free its memory.

    Compiled code allocates a `Vec`'s header and data with the C library's
    `malloc` of this process, and the result is the only reference left, so
    both are freed here.  A header seen twice in one result is copied but
    freed once.
    """
    import numpy as np

    data, length, _capacity = (ctypes.c_int64 * 3).from_address(header)
    dtype = elem_dtype(elem)
    if length:
        buffer = (ctypes.c_char * (length * dtype.itemsize)).from_address(data)
        arr = np.frombuffer(buffer, dtype=dtype).copy()
    else:
        arr = np.empty(0, dtype=dtype)
    if header not in freed:
        freed.add(header)
        free = _free_function()
        free(data)
        free(header)
    return arr


def _class_name(name: str) -> str:
    """Return a Python identifier for a struct name such as `Pair<f64>`."""
    cleaned = "".join(c if ("_" + c).isidentifier() else "_" for c in name).strip("_")
    return python_name(cleaned) if cleaned else "Struct"


def _show(value) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"
