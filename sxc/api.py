"""The Python interface: `sxc.compile` and calling compiled functions.

    m = sxc.compile("fn f(x: dual) -> dual { x * x }")
    m.f(sxc.Dual(3.0, 1.0))      # Dual(val=9.0, der=6.0)

Arguments are Python numbers, `sxc.Dual`, and 1-D NumPy arrays for slices of
`f64` or `i64`.  A runtime error inside compiled code raises
`sxc.RuntimeError`; the interpreter keeps running.
"""

from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass

from sxc import types as T
from sxc.driver import Options, compile_cached, read_source


@dataclass(frozen=True)
class Dual:
    """A value with a tangent: the Python form of a Simplex `dual`.

    `der` is the first tangent lane.  A program compiled with several lanes
    (`tangents=N`) returns all N of them in `tangents`.  A `Dual` passed with
    `tangents` sets every lane (and `der` is ignored); without, `der` goes in
    lane 0 and the other lanes are 0.
    """

    val: float
    der: float = 0.0
    tangents: tuple = ()

    @staticmethod
    def variable(v: float) -> "Dual":
        return Dual(float(v), 1.0)

    @staticmethod
    def constant(v: float) -> "Dual":
        return Dual(float(v), 0.0)


class RuntimeError(Exception):  # noqa: A001 - the documented name is sxc.RuntimeError
    """A runtime error (panic) of compiled code, with its source location."""


def _load(source_or_path: str) -> tuple[str, str]:
    text = str(source_or_path)
    if "\n" not in text and (text.endswith(".sx") or os.path.isfile(text)):
        return read_source(text), text
    return text, "<string>"


def compile(source_or_path, mode: str | None = None, opt_level: int = 2,  # noqa: A001
            seed: int = 0, hard: str | None = None,
            tangents: int | None = None, cache: bool = True) -> "Module":
    """Compile a program (source text or a `.sx` path) and load it into this process.

    With `cache` (the default, unless `SXC_NO_CACHE=1`) the machine code comes
    from the compile cache when source, options and toolchain are unchanged.
    """
    if mode not in (None, "train", "release"):
        raise ValueError(f"mode must be 'train' or 'release', not {mode!r}")
    if not 0 <= opt_level <= 3:
        raise ValueError(f"opt_level must be 0..3, not {opt_level!r}")
    source, path = _load(source_or_path)
    if tangents is not None:
        if isinstance(tangents, bool) or not hasattr(tangents, "__index__"):
            raise TypeError(f"tangents must be an int, not {tangents!r}")
        tangents = tangents.__index__()
    options = Options(mode=mode, opt_level=opt_level, seed=seed, hard=hard, tangents=tangents)
    return Module(compile_cached(source, path, options, use_cache=cache))


class Module:
    """A compiled program loaded into this process, with its free functions as attributes."""

    def __init__(self, compiled):
        # a `driver.Compiled`, or a `cache.CachedProgram` on a cache hit
        self._compiled = compiled
        self._native = compiled.native()
        self._exports = compiled.exports
        self._native.set_seed(compiled.options.seed)
        self._functions: dict[str, "Function"] = {}

    @property
    def mode(self) -> str:
        return self._compiled.mode

    @property
    def warnings(self):
        return list(self._compiled.warnings)

    def run(self, args: list[str] | None = None, seed: int | None = None) -> int:
        """Run `main` with `args`; return its exit code or raise `sxc.RuntimeError`."""
        argv = [self._compiled.path] + list(args or [])
        s = self._compiled.options.seed if seed is None else seed
        status, code = self._native.run_main(s, argv)
        if status != 0:
            raise RuntimeError(self._native.panic_message())
        return code

    def seed(self, seed: int) -> None:
        """Reseed the program's default random stream."""
        self._native.set_seed(seed)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._functions:
            interface = self._compiled.call_interface()
            signatures = interface["functions"].get(name)
            if signatures is None:
                raise AttributeError(f"the program has no function `{name}`")
            if name == "main":
                raise AttributeError("run `main` with Module.run(args)")
            if name not in self._exports:
                raise TypeError(f"`{name}` cannot be called from Python: only numbers, "
                                "bool, dual and slices of f64/i64 cross the boundary")
            self._functions[name] = Function(self, name, signatures, interface["lanes"])
        return self._functions[name]


class Function:
    def __init__(self, module: Module, name: str, signatures: tuple, lanes: int):
        self.module = module
        self.name = name
        self.typed, self.lowered = signatures
        self.lanes = lanes
        addr = module._native.address(module._exports[name])
        proto = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_void_p)
        self._call = proto(addr)

    def __call__(self, *args):
        params = self.typed.params
        if len(args) != len(params):
            given = f"{len(args)} {'was' if len(args) == 1 else 'were'} given"
            plural = "" if len(params) == 1 else "s"
            raise TypeError(f"{self.name}() takes {len(params)} argument{plural} but {given}")
        slots: list = []
        keep: list = []
        for value, t, lt in zip(args, params, self.lowered.params):
            _pack(value, t, lt, slots, keep, self.lanes)
        buf = (ctypes.c_uint64 * max(1, len(slots)))(*[_as_bits(s) for s in slots])
        ret = (ctypes.c_uint64 * (1 + max(1, self.lanes)))()
        status = self._call(ctypes.addressof(buf), ctypes.addressof(ret))
        if status == 2:
            # the function called `exit(code)`: end like Python's sys.exit
            raise SystemExit(self.module._native.exit_code())
        if status != 0:
            raise RuntimeError(self.module._native.panic_message())
        return _unpack(ret, self.typed.ret, self.lowered.ret, self.lanes)


def _as_bits(slot) -> int:
    if isinstance(slot, float):
        return ctypes.c_uint64.from_buffer(ctypes.c_double(slot)).value
    return int(slot) & 0xFFFFFFFFFFFFFFFF


def _pack(value, t: T.Type, lt: T.Type, slots: list, keep: list, lanes: int = 1) -> None:
    if isinstance(t, T.DualT):
        if isinstance(value, Dual):
            val = float(value.val)
            if value.tangents and isinstance(lt, T.StructT):
                if len(value.tangents) != lanes:
                    raise TypeError(f"expected a dual with {lanes} tangents, got "
                                    f"{len(value.tangents)}")
                ders = [float(d) for d in value.tangents]
            else:
                ders = [float(value.der)] + [0.0] * (lanes - 1)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            val, ders = float(value), [0.0] * lanes
        else:
            raise TypeError(f"expected sxc.Dual or a number for `dual`, got {value!r}")
        slots.extend([val] + ders if isinstance(lt, T.StructT) else [val])
    elif isinstance(t, T.FloatT):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"expected a number for `{t}`, got {value!r}")
        slots.append(float(value))
    elif isinstance(t, T.BoolT):
        slots.append(1 if value else 0)
    elif isinstance(t, T.IntT):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"expected an int for `{t}`, got {value!r}")
        lo = -(1 << (t.bits - 1)) if t.signed else 0
        hi = (1 << (t.bits - 1)) - 1 if t.signed else (1 << t.bits) - 1
        if not lo <= value <= hi:
            raise OverflowError(f"{value} does not fit in `{t}`")
        slots.append(value)
    elif isinstance(t, T.SliceT):
        slots.extend(_slice_slots(value, t, keep))
    else:
        raise TypeError(f"cannot pass a value of type `{t}` from Python")


def _slice_slots(value, t: T.SliceT, keep: list) -> list[int]:
    """Return (data pointer, length) of a 1-D array for a slice parameter.

    A slice that the function may write (`&mut [T]`) must be a contiguous
    NumPy array of exactly the element type, because writes to a converted
    copy would be lost.  A read-only slice also accepts lists and other
    dtypes that convert without loss.
    """
    import numpy as np

    dtype = np.dtype(np.float64 if isinstance(t.elem, T.FloatT) else np.int64)
    mutable = getattr(t, "mutable", False)
    if isinstance(value, np.ndarray):
        if value.ndim != 1:
            raise TypeError(f"expected a 1-D array for `{t}`, got shape {value.shape}")
        if mutable and (value.dtype != dtype or not value.flags.c_contiguous
                        or not value.flags.writeable):
            raise TypeError(f"`{t}` needs a writable contiguous {dtype} array, got "
                            f"{value.dtype} (contiguous: {value.flags.c_contiguous})")
        if value.dtype != dtype and not np.can_cast(value.dtype, dtype, "same_kind"):
            raise TypeError(f"cannot pass a {value.dtype} array as `{t}`")
        if value.dtype.kind == "f" and dtype.kind == "i":
            raise TypeError(f"cannot pass a {value.dtype} array as `{t}` without "
                            "truncating")
    elif mutable:
        raise TypeError(f"`{t}` needs a NumPy array, got {type(value).__name__}")
    arr = np.ascontiguousarray(value, dtype=dtype)
    if arr.ndim != 1:
        raise TypeError(f"expected a 1-D array for `{t}`, got shape {arr.shape}")
    keep.append(arr)
    return [arr.ctypes.data, arr.shape[0]]


def _unpack(ret, t: T.Type, lt: T.Type, lanes: int = 1):
    def as_float(bits: int) -> float:
        return ctypes.c_double.from_buffer(ctypes.c_uint64(bits)).value

    if isinstance(t, T.UnitT):
        return None
    if isinstance(t, T.DualT):
        if isinstance(lt, T.StructT) and lanes > 1:
            ders = tuple(as_float(ret[1 + k]) for k in range(lanes))
            return Dual(as_float(ret[0]), ders[0], ders)
        if isinstance(lt, T.StructT):
            return Dual(as_float(ret[0]), as_float(ret[1]))
        return Dual(as_float(ret[0]), 0.0)
    if isinstance(t, T.FloatT):
        return as_float(ret[0])
    if isinstance(t, T.BoolT):
        return bool(ret[0])
    if isinstance(t, T.IntT):
        v = ret[0] & ((1 << t.bits) - 1)
        if t.signed and v >= 1 << (t.bits - 1):
            v -= 1 << t.bits
        return v
    raise TypeError(f"cannot return a value of type `{t}` to Python")
