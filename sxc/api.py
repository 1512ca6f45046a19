"""The Python interface: `sxc.compile` and calling compiled functions.

    m = sxc.compile("fn f(x: dual) -> dual { x * x }")
    m.f(sxc.Dual(3.0, 1.0))      # Dual(val=9.0, der=6.0)

Arguments are Python numbers, `sxc.Dual`, and 1-D NumPy arrays for slices of
`f64` or `i64`.  A runtime error inside compiled code raises
`sxc.RuntimeError`; the interpreter keeps running.
"""

from __future__ import annotations

import builtins
import contextlib
import ctypes
import math
import os
import re
from dataclasses import dataclass

from sxc import types as T
from sxc.boundary import is_real_number, python_name, to_float
from sxc.driver import Options, compile_cached, read_source


@dataclass(frozen=True)
class Dual:
    """A value with a tangent: the Python form of a Simplex `dual`.

    `der` is the first tangent lane.  A program compiled with several lanes
    (`tangents=N`) returns all N of them in `tangents`, and other results have
    `tangents=None`.  A `Dual` passed with `tangents` sets every lane (and
    `der` is ignored), so it needs at least one.  Without `tangents`, `der`
    goes in lane 0 and the other lanes are 0.
    """

    val: float
    der: float = 0.0
    tangents: tuple | None = None

    def __post_init__(self):
        # checked here, so that a wrong value fails where it is made, not in a call
        for field_name in ("val", "der"):
            value = getattr(self, field_name)
            if not is_real_number(value):
                raise TypeError(f"Dual.{field_name} must be a real number, not "
                                f"{type(value).__name__}")
            object.__setattr__(self, field_name, to_float(value, f"Dual.{field_name}"))
        if self.tangents is None:
            return
        try:
            lanes = tuple(self.tangents)
        except TypeError:
            raise TypeError("Dual.tangents must be a sequence of real numbers, not "
                            f"{type(self.tangents).__name__}") from None
        if not all(is_real_number(t) for t in lanes):
            raise TypeError("Dual.tangents must be a sequence of real numbers")
        if not lanes:
            # No program takes a dual without lanes: `tangents=0` lowers `dual`
            # to `f64`, which any number or `Dual` fills.
            raise ValueError("Dual.tangents is empty: pass at least one tangent, or leave "
                             "`tangents` out to put `der` in lane 0")
        object.__setattr__(self, "tangents", tuple(to_float(t, "Dual.tangents") for t in lanes))

    @staticmethod
    def variable(v: float) -> "Dual":
        return Dual(float(v), 1.0)

    @staticmethod
    def constant(v: float) -> "Dual":
        return Dual(float(v), 0.0)

    # Arithmetic, so that a Python callable passed for `fn(&[dual]) -> dual`
    # can compute its result's tangents.  A number counts as a constant.  The
    # result has `tangents` when an operand has them, else only `der`.

    def _lanes(self) -> tuple:
        return self.tangents if self.tangents is not None else (self.der,)

    def _chain(self, val: float, slope: float) -> "Dual":
        """Return f(self) as a dual, where f(self.val) = `val` and f' = `slope`."""
        return _make_dual(val, [slope * t for t in self._lanes()], self.tangents is not None)

    def __add__(self, other):
        a, b, many = _operands(self, other)
        if a is None:
            return NotImplemented
        return _make_dual(a.val + b.val, [x + y for x, y in _zip_lanes(a, b)], many)

    __radd__ = __add__

    def __sub__(self, other):
        a, b, many = _operands(self, other)
        if a is None:
            return NotImplemented
        return _make_dual(a.val - b.val, [x - y for x, y in _zip_lanes(a, b)], many)

    def __rsub__(self, other):
        a, b, many = _operands(self, other)
        if a is None:
            return NotImplemented
        return _make_dual(b.val - a.val, [y - x for x, y in _zip_lanes(a, b)], many)

    def __mul__(self, other):
        a, b, many = _operands(self, other)
        if a is None:
            return NotImplemented
        return _make_dual(a.val * b.val, [x * b.val + a.val * y for x, y in _zip_lanes(a, b)],
                          many)

    __rmul__ = __mul__

    def __truediv__(self, other):
        a, b, many = _operands(self, other)
        if a is None:
            return NotImplemented
        return _make_dual(a.val / b.val,
                          [(x * b.val - a.val * y) / (b.val * b.val) for x, y in _zip_lanes(a, b)],
                          many)

    def __rtruediv__(self, other):
        a, b, many = _operands(self, other)
        if a is None:
            return NotImplemented
        return b.__truediv__(a)

    def __neg__(self) -> "Dual":
        return self._chain(-self.val, -1.0)

    def __pos__(self) -> "Dual":
        return self

    def __abs__(self) -> "Dual":
        # slope +1 at -0 and +0, as in sxc's rule for `abs`
        return self._chain(abs(self.val), 1.0 if self.val >= 0.0 else -1.0)

    def __pow__(self, exponent):
        # the rules of compiled `powf`: slope 0 in the base for the exponent 0,
        # and ln(0) read as 0 in the exponent's term
        if isinstance(exponent, Dual):
            base, power, many = _operands(self, exponent)
            value = _c_pow(base.val, power.val)
            d_base = 0.0 if power.val == 0.0 else power.val * _c_pow(base.val, power.val - 1.0)
            d_power = _c_ln(base.val) * value
            lanes = [d_base * a + d_power * b for a, b in _zip_lanes(base, power)]
            return _make_dual(value, lanes, many)
        if not is_real_number(exponent) or isinstance(exponent, bool):
            return NotImplemented
        n = float(exponent)
        slope = 0.0 if n == 0.0 else n * _c_pow(self.val, n - 1.0)
        return self._chain(_c_pow(self.val, n), slope)

    def __rpow__(self, base):
        if isinstance(base, bool) or not is_real_number(base):
            return NotImplemented
        value = _c_pow(float(base), self.val)
        return self._chain(value, _c_ln(float(base)) * value)

    # Comparisons read the values, as `<` on duals does in compiled code, so a
    # Python objective may branch on a `Dual` or pass it to `max` and `min`.
    def __lt__(self, other):
        return _value(self) < _value(other) if _comparable(other) else NotImplemented

    def __le__(self, other):
        return _value(self) <= _value(other) if _comparable(other) else NotImplemented

    def __gt__(self, other):
        return _value(self) > _value(other) if _comparable(other) else NotImplemented

    def __ge__(self, other):
        return _value(self) >= _value(other) if _comparable(other) else NotImplemented

    def __float__(self) -> float:
        return self.val

    def exp(self) -> "Dual":
        value = math.exp(self.val)
        return self._chain(value, value)

    def ln(self) -> "Dual":
        return self._chain(math.log(self.val), 1.0 / self.val)

    def sqrt(self) -> "Dual":
        root = math.sqrt(self.val)
        return self._chain(root, 0.5 / root if root else math.inf)

    def sin(self) -> "Dual":
        return self._chain(math.sin(self.val), math.cos(self.val))

    def cos(self) -> "Dual":
        return self._chain(math.cos(self.val), -math.sin(self.val))

    def tanh(self) -> "Dual":
        value = math.tanh(self.val)
        return self._chain(value, 1.0 - value * value)


def _comparable(other) -> bool:
    return isinstance(other, Dual) or is_real_number(other) and not isinstance(other, bool)


def _value(x) -> float:
    return x.val if isinstance(x, Dual) else float(x)


def _c_pow(x: float, y: float) -> float:
    """Return C's `pow(x, y)`: NaN where Python raises ValueError, and an infinity
    where it raises OverflowError."""
    try:
        return math.pow(x, y)
    except ValueError:
        return math.nan
    except OverflowError:
        odd = y.is_integer() and y % 2.0 == 1.0
        return -math.inf if x < 0.0 and odd else math.inf


def _c_ln(x: float) -> float:
    """Return `ln(x)` as the derivative of `powf` reads it: 0 at 0, NaN below."""
    if x == 0.0:
        return 0.0
    return math.log(x) if x > 0.0 else math.nan


def _operands(a: Dual, b) -> tuple:
    """Return `a` and `b` as duals and whether the result needs `tangents`;
    (None, None, False) when `b` is neither a Dual nor a real number."""
    if not isinstance(b, Dual):
        if isinstance(b, bool) or not is_real_number(b):
            return None, None, False
        b = Dual(to_float(b, "the operand"), 0.0)
    return a, b, a.tangents is not None or b.tangents is not None


def _zip_lanes(a: Dual, b: Dual) -> list:
    """Pair the tangent lanes of `a` and `b`, a constant's lanes being zeros."""
    x, y = a._lanes(), b._lanes()
    if len(x) != len(y):
        if a.tangents is not None and b.tangents is not None:
            raise ValueError(f"cannot combine duals with {len(x)} and {len(y)} tangents")
        width = max(len(x), len(y))
        x = x + (0.0,) * (width - len(x)) if a.tangents is None else x
        y = y + (0.0,) * (width - len(y)) if b.tangents is None else y
    return list(zip(x, y))


def _make_dual(val: float, lanes: list, many: bool) -> Dual:
    if many:
        return Dual(val, lanes[0], tuple(lanes))
    return Dual(val, lanes[0])


class RuntimeError(builtins.RuntimeError):  # noqa: A001 - the documented name
    """A runtime error (panic) of compiled code, with its source location.

    It derives from Python's own RuntimeError, so `except RuntimeError` also
    catches it.
    """


def _load(source_or_path) -> tuple[str, str]:
    if not isinstance(source_or_path, (str, os.PathLike)):
        raise TypeError("sxc.compile() expects source text or the path of a .sx file "
                        f"(str or os.PathLike), not {type(source_or_path).__name__}")
    text = os.fspath(source_or_path) if isinstance(source_or_path, os.PathLike) \
        else source_or_path
    if "\n" not in text and (text.endswith(".sx") or os.path.isfile(text)):
        return read_source(text), text
    return text, "<string>"


# The values of `hard`: None samples the branch, "threshold" takes it when p > 0.5.
HARD_RULES = (None, "threshold")


def _int_option(name: str, value) -> int:
    """Return the integer option `name`, or raise TypeError for another type."""
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise TypeError(f"{name} must be an int, not {value!r}")
    return value.__index__()


def compile(source_or_path, mode: str | None = None, opt_level: int = 2,  # noqa: A001
            seed: int = 0, hard: str | None = None,
            tangents: int | None = None, cache: bool = True) -> "Module":
    """Compile a program (source text or a `.sx` path) and load it into this process.

    With `cache` (the default, unless `SXC_NO_CACHE=1`) the machine code comes
    from the compile cache when source, options and toolchain are unchanged.
    """
    if mode not in (None, "train", "release"):
        raise ValueError(f"mode must be 'train' or 'release', not {mode!r}")
    opt_level = _int_option("opt_level", opt_level)
    if not 0 <= opt_level <= 3:
        raise ValueError(f"opt_level must be 0..3, not {opt_level!r}")
    seed = _int_option("seed", seed)
    if hard not in HARD_RULES:
        raise ValueError(f"hard must be one of {', '.join(map(repr, HARD_RULES))}, "
                         f"not {hard!r}")
    if not isinstance(cache, int):  # a bool, or 0 or 1
        raise TypeError(f"cache must be a bool, not {cache!r}")
    source, path = _load(source_or_path)
    if tangents is not None:
        if isinstance(tangents, bool) or not hasattr(tangents, "__index__"):
            raise TypeError(f"tangents must be an int, not {tangents!r}")
        tangents = tangents.__index__()
    options = Options(mode=mode, opt_level=opt_level, seed=seed, hard=hard, tangents=tangents)
    return Module(compile_cached(source, path, options, use_cache=cache))


class Module:
    """A compiled program loaded into this process.

    Its free functions are attributes (`m.f`), and so are its structs, as
    generated dataclasses (`m.Point(x=1.0, y=2.0)`).  Calls from several
    threads are safe: calls into one module take turns, and calls into
    different modules run in parallel.
    """

    def __init__(self, compiled):
        # a `driver.Compiled`, or a `cache.CachedProgram` on a cache hit
        self._compiled = compiled
        self._native = compiled.native()
        self._exports = compiled.exports
        self._native.set_seed(compiled.options.seed)
        self._functions: dict[str, "Function"] = {}
        self._layout = None

    @property
    def mode(self) -> str:
        return self._compiled.mode

    @property
    def warnings(self):
        return list(self._compiled.warnings)

    def run(self, args: list[str] | None = None, seed: int | None = None) -> int:
        """Run `main` with `args`; return its exit code or raise `sxc.RuntimeError`."""
        if isinstance(args, (str, bytes)) or args is not None and \
                not isinstance(args, (list, tuple)) or \
                not all(isinstance(arg, str) for arg in (args or [])):
            raise TypeError(f"Module.run() expects a list of str arguments, got {args!r}")
        argv = [self._compiled.path] + list(args or [])
        s = self._compiled.options.seed if seed is None else _int_option("seed", seed)
        status, code = self._native.run_main(s, argv)
        if status != 0:
            raise RuntimeError(self._native.main_panic)
        return code

    def progress(self, callback, samples: int = 1000, interval: float = 0.1):
        """Return a context manager that calls `callback(event)` with the progress
        of the library's annealing runs and meta-steps while it is open.

        `event` is a `sxc.progress.ProgressEvent`; see `install_progress` for
        `samples` and `interval`.
        """
        from sxc.progress import install_progress

        return install_progress(self._native, callback, samples, interval)

    def seed(self, seed: int) -> None:
        """Reseed the program's default random stream."""
        self._native.set_seed(seed)

    def function(self, name: str) -> "Function":
        """Return the compiled function `name`, also one named like a method of Module (`run`)."""
        function = Module.__getattr__(self, name)
        if not isinstance(function, Function):
            raise AttributeError(f"`{name}` is a struct or enum of the program, not a function")
        return function

    def _interface(self) -> dict:
        return self._compiled.call_interface()

    def _struct_layout(self):
        if self._layout is None:
            from sxc.boundary import Layout

            interface = self._interface()
            self._layout = Layout(interface.get("structs", {}), interface["lanes"],
                                  interface.get("enums", {}), interface.get("typed_structs"),
                                  interface.get("data_enums"))
        return self._layout

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._functions:
            return self._functions[name]
        interface = self._interface()
        name = self._program_name(name, interface)
        signatures = interface["functions"].get(name)
        if signatures is None:
            layout = self._struct_layout()
            if name in layout.fields and not name.startswith("Dual"):
                return layout.struct_class(name)
            if name in layout.enums:
                return layout.enum_class(name)
            if name in _user_data_enums(layout):
                return layout.data_enum_class(name)
            if name in interface.get("generic_functions", ()):
                raise TypeError(f"`{name}` cannot be called from Python: it is generic, and "
                                "sxc compiles a copy only for the types that the program "
                                f"calls it with; add a function with concrete types that "
                                f"calls `{name}`")
            raise AttributeError(f"the program has no function `{name}` and no struct of that name")
        if name == "main":
            raise AttributeError("run `main` with Module.run(args)")
        if name not in self._exports:
            raise TypeError(f"`{name}` cannot be called from Python: "
                            f"{_not_crossing(interface, name)}; see docs/python.md "
                            "for the types that cross the boundary")
        params = interface.get("params", {}).get(name)
        function = Function(self, name, signatures, params)
        self._functions[name] = function
        return function

    def _program_name(self, name: str, interface: dict) -> str:
        """Return the program's name of a function, struct or enum that Python code
        spelt `name`, which `python_name` may have changed (`ﬁle` to `file`)."""
        layout = self._struct_layout()
        known = [*interface["functions"], *layout.fields, *layout.enums,
                 *_user_data_enums(layout)]
        if name in known:
            return name
        matches = sorted({n for n in known if python_name(n) == name})
        if len(matches) > 1:
            shown = " and ".join(f"`{n}`" for n in matches)
            raise AttributeError(f"{shown} are the same name `{name}` in Python (NFKC); "
                                 "reach one with m.function(name)")
        return matches[0] if matches else name

    def __dir__(self):
        interface = self._interface()
        names = [n for n in interface["functions"] if n in self._exports]
        names += [n for n in interface.get("user_structs", ()) if n.isidentifier()]
        names += list(interface.get("enums", {}))
        names += _user_data_enums(self._struct_layout())
        return sorted(set(super().__dir__()) | {python_name(n) for n in names})


class Function:
    """A compiled function, called with Python values (see docs/python.md)."""

    def __init__(self, module: Module, name: str, signatures: tuple,
                 params: tuple | None = None):
        import inspect

        self.module = module
        self.name = self.__name__ = self.__qualname__ = name
        self.typed, self.lowered = signatures
        self.params = tuple(params) if params else tuple(
            f"arg{i}" for i in range(len(self.typed.params)))
        self._layout = module._struct_layout()
        addr = module._native.address(module._exports[name])
        proto = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_void_p)
        self._call = proto(addr)
        self._ret_slots = _result_slots(self.typed.ret, self.lowered.ret, self._layout)
        # the names of keyword arguments, which `python_name` gives
        self.keywords = tuple(python_name(p) for p in self.params)
        self.__signature__ = inspect.Signature(
            [inspect.Parameter(p, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=str(t))
             for p, t in zip(self.keywords, self.typed.params)],
            return_annotation=str(self.typed.ret))
        self.__doc__ = f"{self.sxc_signature}\n\nA function compiled by sxc."

    @property
    def sxc_signature(self) -> str:
        """The function's signature in Simplex syntax."""
        params = ", ".join(f"{p}: {t}" for p, t in zip(self.params, self.typed.params))
        ret = "" if isinstance(self.typed.ret, T.UnitT) else f" -> {self.typed.ret}"
        return f"fn {self.name}({params}){ret}"

    def __repr__(self) -> str:
        return f"<sxc function {self.sxc_signature}>"

    def __get__(self, instance, owner=None):
        # A function stored on a class stays unbound, and `help()` documents it
        # as a routine, with its signature.
        return self

    def _bind(self, args: tuple, kwargs: dict) -> list:
        """Match positional and keyword arguments to parameters as Python does."""
        n = len(self.params)
        if len(args) > n:
            given = f"{len(args)} {'was' if len(args) == 1 else 'were'} given"
            plural = "" if n == 1 else "s"
            raise TypeError(f"{self.name}() takes {n} positional argument{plural} but {given}")
        values = list(args) + [_MISSING] * (n - len(args))
        for key, value in kwargs.items():
            if key in self.keywords:
                i = self.keywords.index(key)
            elif key in self.params:
                i = self.params.index(key)
            else:
                raise TypeError(f"{self.name}() got an unexpected keyword argument '{key}'")
            if values[i] is not _MISSING:
                raise TypeError(f"{self.name}() got multiple values for argument '{key}'")
            values[i] = value
        missing = [p for p, v in zip(self.params, values) if v is _MISSING]
        if missing:
            names = [f"'{p}'" for p in missing]
            listed = names[0] if len(names) == 1 else \
                ", ".join(names[:-1]) + f" and {names[-1]}"
            plural = "" if len(missing) == 1 else "s"
            raise TypeError(f"{self.name}() missing {len(missing)} required positional "
                            f"argument{plural}: {listed}")
        return values

    def __call__(self, *args, **kwargs):
        from sxc.boundary import CallbackErrors, free_arguments, write_back_arguments

        values = self._bind(args, kwargs)
        native = self.module._native
        errors = CallbackErrors(native.global_address("__sx_callback_error"))
        slots: list = []
        keep: list = []
        # the `Vec` headers that the result returned and `unpack` freed
        freed: set = set()
        try:
            for value, name, t, lt in zip(values, self.params, self.typed.params,
                                          self.lowered.params):
                self._layout.pack(value, t, lt, f"{self.name}() argument '{name}'", slots,
                                  keep, errors)
            buf = (ctypes.c_uint64 * max(1, len(slots)))(*slots)
            ret = (ctypes.c_uint64 * max(1, self._ret_slots))()
            with _interrupts_recorded(errors, keep):
                status, message, exit_code = native.call(self._call, ctypes.addressof(buf),
                                                         ctypes.addressof(ret))
            if errors.error is not None:
                raise errors.error
            if status == 2:
                # the function called `exit(code)`: end like Python's sys.exit
                raise SystemExit(exit_code)
            if status != 0:
                raise RuntimeError(message)
            result = self._layout.unpack(ret, self.typed.ret, self.lowered.ret, freed=freed)[0]
            write_back_arguments(keep)
            return result
        finally:
            # after the result is copied, because a `String` or `Vec` result may be
            # the argument
            free_arguments(keep, freed)


_MISSING = object()


def _user_data_enums(layout) -> list[str]:
    """Return the enums with data that Python reaches as `m.Name`: all but the
    copies of `Option`, whose values are `None` or the payload."""
    return [name for name, (generic, _spec) in layout.data_enums.items()
            if generic is None and name.isidentifier()]


def _not_crossing(interface: dict, name: str) -> str:
    """Name the parameter or result of function `name` that Python cannot pass."""
    from sxc.codegen import slot_count

    typed, lowered = interface["functions"][name]
    fields = dict(interface.get("structs", {})).get
    names = interface.get("params", {}).get(name) or ()
    for index, (shown, t) in enumerate(zip(typed.params, lowered.params)):
        if slot_count(t, fields) is None:
            param = names[index] if index < len(names) else str(index + 1)
            return f"parameter `{param}` has type `{_rust_name(shown, interface)}`"
    if slot_count(lowered.ret, fields, result=True) is None:
        return f"its result has type `{_rust_name(typed.ret, interface)}`"
    return "it is a method"


def _rust_name(t: T.Type, interface: dict) -> str:
    """Return the name of type `t` with Rust's names of generic copies."""
    text = str(t)
    names = interface.get("type_names") or {}
    for internal in sorted(names, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(internal)}\b", names[internal], text)
    return text


@contextlib.contextmanager
def _interrupts_recorded(errors, keep: list):
    """Turn Ctrl-C during a call that passes Python callables into an error of the call.

    Python raises KeyboardInterrupt in whatever Python code runs next, here the
    first line of a callback, where ctypes can only print it and return 0 to
    the compiled code.  So while such a call runs on the main thread, SIGINT is
    recorded like an exception of a callback: the call stops at the next
    callback and raises KeyboardInterrupt.
    """
    import signal
    import threading

    callbacks = any(isinstance(k, ctypes._CFuncPtr) for k in keep)
    if not callbacks or threading.current_thread() is not threading.main_thread() \
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return

    def record(signum, frame):
        errors.record(KeyboardInterrupt())

    signal.signal(signal.SIGINT, record)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _result_slots(typed: T.Type, lowered: T.Type, layout) -> int:
    """Return the slots of a result, as `export_slots` in `sxc.codegen` counts them."""
    if isinstance(typed, T.UnitT):
        return 0
    if isinstance(typed, T.DualT) and not isinstance(lowered, T.StructT):
        return 1
    if isinstance(lowered, T.StructT):
        return sum(_result_slots(ft, ft, layout) for _, ft in layout.fields[lowered.struct])
    if isinstance(lowered, T.TupleT):
        return sum(_result_slots(item, item, layout) for item in lowered.items)
    if isinstance(lowered, T.ArrayT):
        return lowered.size * _result_slots(lowered.elem, lowered.elem, layout)
    if isinstance(lowered, T.StrT):
        return 2
    if isinstance(lowered, T.EnumT) and lowered.enum in layout.data_enums:
        return layout.member_slots(lowered)
    return 1
