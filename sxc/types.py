"""Semantic types of Simplex values, as the type checker assigns them."""

from __future__ import annotations

import dataclasses

from dataclasses import dataclass, field, replace


class Type:
    def __str__(self) -> str:
        return self.name()

    def name(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True, eq=False)
class IntT(Type):
    bits: int
    signed: bool
    alias: str = ""

    def name(self) -> str:
        return self.alias or f"{'i' if self.signed else 'u'}{self.bits}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, IntVar):
            return other.bind(self)
        if isinstance(other, HoleT):
            return other == self
        if isinstance(other, IntT):
            return (self.bits, self.signed, self.alias) == (other.bits, other.signed,
                                                            other.alias)
        return False

    def __hash__(self) -> int:
        return hash((self.bits, self.signed, self.alias))


class LiteralVar:
    """A type variable of an unsuffixed literal, bound by its first comparison.

    `IntVar` and `FloatVar` share the binding: variables link root to root,
    and one that nothing binds resolves to the subclass's `default()`.
    """

    def __init__(self) -> None:
        object.__setattr__(self, "bound", None)

    def root(self) -> LiteralVar:
        """Return the last variable of the chain of variables bound to variables."""
        root = self
        while isinstance(root.bound, LiteralVar):
            root = root.bound
        return root

    def resolved(self) -> Type:
        bound = self.root().bound
        return bound if bound is not None else self.default()

    def default(self) -> Type:
        raise NotImplementedError

    def accepts(self, other: Type) -> bool:
        raise NotImplementedError

    def bind(self, other: Type) -> bool:
        """Fix this variable to the type `other`; False if it cannot."""
        root = self.root()
        if root.bound is not None:
            return root.bound == other
        if isinstance(other, type(self)):
            # link root to root: linking to a variable that already leads
            # back here would make a cycle
            other_root = other.root()
            if other_root is not root:
                object.__setattr__(root, "bound", other_root)
            return True
        if self.accepts(other):
            object.__setattr__(root, "bound", other)
            return True
        return False

    def name(self) -> str:
        return self.resolved().name()

    def __hash__(self) -> int:
        return id(self)


class IntVar(LiteralVar, IntT):
    """The type of an unsuffixed integer literal before its use decides it.

    `let mut best = 0; ... best = i;` with `i: usize` makes `best` a `usize`,
    as Rust's inference does.  The first comparison with a concrete integer
    type binds the variable; one that nothing binds is an `i64`.
    """

    def default(self) -> Type:
        return I64

    def accepts(self, other: Type) -> bool:
        return isinstance(other, IntT) and not is_char(other)

    @property
    def bits(self) -> int:
        return self.resolved().bits

    @property
    def signed(self) -> bool:
        return self.resolved().signed

    @property
    def alias(self) -> str:
        return self.resolved().alias

    def __eq__(self, other: object) -> bool:
        if isinstance(other, HoleT):
            return other == self
        if isinstance(other, IntT):
            return self.bind(other)
        return False

    __hash__ = LiteralVar.__hash__


class HoleT(Type):
    """The element type of `Vec::new()` or `vec![]` before a use decides it.

    `let mut v = Vec::new(); v.push(1.5);` makes `v` a `Vec<f64>`: the first
    comparison with another type binds the hole, as Rust's inference does, and
    the type checker replaces bound holes by their types (`prune`) when it reads
    a variable and after it has checked a function.
    """

    def __init__(self) -> None:
        self.bound: Type | None = None

    def name(self) -> str:
        return self.bound.name() if self.bound is not None else "_"

    def __eq__(self, other: object) -> bool:
        if other is self:
            return True
        if self.bound is not None:
            return self.bound == other
        while isinstance(other, HoleT) and other.bound is not None:
            other = other.bound
        if other is self:
            return True
        if isinstance(other, Type) and not isinstance(other, NeverT):
            if _occurs(self, other):
                return False  # `Vec<_>` cannot be its own item
            self.bound = other
            return True
        return False

    def __hash__(self) -> int:
        return id(self)


@dataclass(frozen=True, eq=False)
class FloatT(Type):
    bits: int

    def name(self) -> str:
        return f"f{self.bits}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FloatVar):
            return other.bind(self)
        if isinstance(other, HoleT):
            return other == self
        if isinstance(other, FloatT):
            return self.bits == other.bits
        return False

    def __hash__(self) -> int:
        return hash(("f", self.bits))


class FloatVar(LiteralVar, FloatT):
    """The type of an unsuffixed float literal before its use decides it.

    `let mut total = 0.0; total += x;` with `x: f32` makes `total` an `f32`,
    as Rust's inference does.  The first comparison with a float type binds
    the variable; one that nothing binds is an `f64`.  The type checker
    replaces every variable by its type after it has checked a function.
    """

    def default(self) -> Type:
        return F64

    def accepts(self, other: Type) -> bool:
        return isinstance(other, FloatT)

    @property
    def bits(self) -> int:
        return self.resolved().bits

    def __repr__(self) -> str:
        return f"FloatVar({self.bound!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, HoleT):
            return other == self
        if isinstance(other, FloatT):
            return self.bind(other)
        return False

    __hash__ = LiteralVar.__hash__


@dataclass(frozen=True)
class BoolT(Type):
    def name(self) -> str:
        return "bool"


@dataclass(frozen=True)
class UnitT(Type):
    def name(self) -> str:
        return "()"


@dataclass(frozen=True)
class StrT(Type):
    """`&str` and `String`: an immutable byte string."""

    owned: bool = False

    def name(self) -> str:
        return "String" if self.owned else "&str"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, HoleT):
            return other == self
        return isinstance(other, StrT)

    def __hash__(self) -> int:
        return hash("str")


@dataclass(frozen=True)
class DualT(Type):
    def name(self) -> str:
        return "dual"


@dataclass(frozen=True)
class ArrayT(Type):
    elem: Type
    size: int

    def name(self) -> str:
        return f"[{self.elem}; {self.size}]"


@dataclass(frozen=True)
class VecT(Type):
    elem: Type

    def name(self) -> str:
        return f"Vec<{self.elem}>"


@dataclass(frozen=True)
class SliceT(Type):
    elem: Type
    # `&mut [T]`; not part of equality, so both kinds share one representation
    mutable: bool = field(default=False, compare=False)

    def name(self) -> str:
        return f"&{'mut ' if self.mutable else ''}[{self.elem}]"


@dataclass(frozen=True)
class RefT(Type):
    inner: Type
    mutable: bool

    def name(self) -> str:
        return f"&{'mut ' if self.mutable else ''}{self.inner}"


@dataclass(frozen=True)
class BoxT(RefT):
    """`Box<T>`: a pointer to a `T` on the heap, which dereferences as a `&mut T`.

    A subclass of `RefT`, so that `*b`, method calls, field access and
    formatting reach the inner value as they do through a reference.  The
    two types never compare equal: only `Box::new` makes a `Box`.
    """

    def name(self) -> str:
        return f"Box<{self.inner}>"


def boxed(inner: Type) -> BoxT:
    return BoxT(inner, True)


@dataclass(frozen=True)
class StructT(Type):
    struct: str

    def name(self) -> str:
        return self.struct


@dataclass(frozen=True)
class EnumT(Type):
    """An enum without data; its values are the discriminants, `i64` in machine code."""

    enum: str

    def name(self) -> str:
        return self.enum


@dataclass(frozen=True)
class TupleT(Type):
    items: tuple[Type, ...]

    def name(self) -> str:
        inner = ", ".join(map(str, self.items))
        return f"({inner},)" if len(self.items) == 1 else f"({inner})"


@dataclass(frozen=True)
class FnT(Type):
    params: tuple[Type, ...]
    ret: Type

    def name(self) -> str:
        ret = "" if isinstance(self.ret, UnitT) else f" -> {self.ret}"
        return f"fn({', '.join(map(str, self.params))}){ret}"


@dataclass(frozen=True)
class EnumerateT(Type):
    """The iterator of `seq.iter().enumerate()` in a `for` loop, yielding `(usize, T)`."""

    seq: Type

    def name(self) -> str:
        return f"Enumerate<{self.seq}>"


@dataclass(frozen=True)
class RangeT(Type):
    elem: Type

    def name(self) -> str:
        return f"Range<{self.elem}>"


@dataclass(frozen=True)
class ParseResultT(Type):
    """The result type of `s.parse::<T>()`. Its `.unwrap()` and `.expect(..)` give `T`."""

    value: Type

    def name(self) -> str:
        return f"Result<{self.value}, ParseError>"


@dataclass(frozen=True)
class FormatterT(Type):
    """`fmt::Formatter`: the buffer that a `Display` implementation writes to."""

    def name(self) -> str:
        return "std::fmt::Formatter"


@dataclass(frozen=True)
class NeverT(Type):
    """The type of `return`, `break` and `continue`: it fits any context."""

    def name(self) -> str:
        return "!"


I8 = IntT(8, True)
I16 = IntT(16, True)
I32 = IntT(32, True)
I64 = IntT(64, True)
U8 = IntT(8, False)
U16 = IntT(16, False)
U32 = IntT(32, False)
U64 = IntT(64, False)
USIZE = IntT(64, False, "usize")
ISIZE = IntT(64, True, "isize")
# A Unicode scalar value (0..=0xD7FF or 0xE000..=0x10FFFF), stored as its
# code point.  It shares the integer machinery for storage, comparison and
# `as` casts, but `is_int` and `is_numeric` exclude it, so arithmetic rejects it.
CHAR = IntT(32, False, "char")
F32 = FloatT(32)
F64 = FloatT(64)
BOOL = BoolT()
UNIT = UnitT()
STR = StrT()
STRING = StrT(True)
DUAL = DualT()
NEVER = NeverT()
FORMATTER = FormatterT()

PRIMITIVES: dict[str, Type] = {
    "i8": I8, "i16": I16, "i32": I32, "i64": I64, "isize": ISIZE,
    "u8": U8, "u16": U16, "u32": U32, "u64": U64, "usize": USIZE, "char": CHAR,
    "f32": F32, "f64": F64, "bool": BOOL, "dual": DUAL, "str": STR,
    "String": STRING,
}


def is_char(t: Type) -> bool:
    return isinstance(t, IntT) and not isinstance(t, IntVar) and t.alias == "char"


def is_int(t: Type) -> bool:
    return isinstance(t, IntT) and not is_char(t)


def is_float(t: Type) -> bool:
    return isinstance(t, FloatT)


def is_numeric(t: Type) -> bool:
    return isinstance(t, (IntT, FloatT, DualT)) and not is_char(t)


def is_scalar_value(t: Type) -> bool:
    """True for numbers, `char` and `bool`: the types that sxc copies for `&x`."""
    return isinstance(t, (IntT, FloatT, DualT, BoolT))


def same_int_repr(a: Type, b: Type) -> bool:
    """True for `u64` and `usize`, which share one machine representation."""
    return is_int(a) and is_int(b) and a.bits == b.bits and a.signed == b.signed


def strip_refs(t: Type) -> Type:
    while isinstance(t, RefT):
        t = t.inner
    return t


def contains_dual(t: Type, structs: dict | None = None, seen: frozenset = frozenset()) -> bool:
    """Return whether a value of type `t` contains a `dual` anywhere inside it."""
    if isinstance(t, DualT):
        return True
    if isinstance(t, (ArrayT, VecT, SliceT)):
        return contains_dual(t.elem, structs, seen)
    if isinstance(t, RefT):
        return contains_dual(t.inner, structs, seen)
    if isinstance(t, TupleT):
        return any(contains_dual(i, structs, seen) for i in t.items)
    if isinstance(t, FnT):
        return any(contains_dual(i, structs, seen) for i in t.params + (t.ret,))
    if isinstance(t, StructT) and structs is not None and t.struct not in seen:
        fields = structs[t.struct]
        return any(contains_dual(ft, structs, seen | {t.struct}) for ft in fields.values())
    return False


def prune(t: Type, settle: bool = False) -> Type:
    """Return `t` with every bound `HoleT` and `FloatVar` inside it replaced by
    its type; with `settle`, also every unbound `FloatVar` by `f64`."""
    if isinstance(t, HoleT):
        return prune(t.bound, settle) if t.bound is not None else t
    if isinstance(t, FloatVar):
        root = t.root()
        return root.resolved() if settle or root.bound is not None else root
    if isinstance(t, VecT):
        elem = prune(t.elem, settle)
        return t if elem is t.elem else VecT(elem)
    if isinstance(t, (ArrayT, SliceT)):
        elem = prune(t.elem, settle)
        return t if elem is t.elem else replace(t, elem=elem)
    if isinstance(t, RefT):
        inner = prune(t.inner, settle)
        return t if inner is t.inner else replace(t, inner=inner)
    if isinstance(t, TupleT):
        items = tuple(prune(i, settle) for i in t.items)
        return t if all(a is b for a, b in zip(items, t.items)) else TupleT(items)
    if isinstance(t, EnumerateT):
        seq = prune(t.seq, settle)
        return t if seq is t.seq else EnumerateT(seq)
    if isinstance(t, ParseResultT):
        value = prune(t.value, settle)
        return t if value is t.value else ParseResultT(value)
    return t


def type_parts(t):
    """Yield the types directly inside the type `t`: the items of a `Vec` or a
    tuple, the referent of a reference, the parameters of a function type."""
    if not dataclasses.is_dataclass(t):
        return
    for f in dataclasses.fields(t):
        value = getattr(t, f.name)
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, Type):
                yield item


def contains_never(t, depth: int = 0) -> bool:
    """Return whether `t` has the error type `!` in it, as `(u64, !)` after an error."""
    t = prune(t)
    return isinstance(t, NeverT) or depth <= 64 and any(
        contains_never(part, depth + 1) for part in type_parts(t))


def _occurs(hole: HoleT, t, depth: int = 0) -> bool:
    """Return whether `hole` occurs inside the type `t`."""
    while isinstance(t, HoleT):
        if t is hole:
            return True
        if t.bound is None:
            return False
        t = t.bound
    return depth <= 64 and any(_occurs(hole, part, depth + 1) for part in type_parts(t))


def has_hole(t: Type) -> bool:
    """Return whether `t` still contains an unbound `HoleT`."""
    t = prune(t)
    if isinstance(t, HoleT):
        return True
    if isinstance(t, (VecT, ArrayT, SliceT)):
        return has_hole(t.elem)
    if isinstance(t, RefT):
        return has_hole(t.inner)
    if isinstance(t, TupleT):
        return any(has_hole(i) for i in t.items)
    if isinstance(t, EnumerateT):
        return has_hole(t.seq)
    return False
