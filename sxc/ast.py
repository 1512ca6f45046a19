"""Syntax tree of Simplex programs.

Every node carries the `Span` of the source text it was built from.  The type
checker fills `Expr.ty` in place, and the later passes (soft, lower_dual) map
a typed tree to a new typed tree built from the same classes, so the printer
in `sxc.printer` can turn any stage back into `.sx` source.
"""

from __future__ import annotations

import copy
import pickle

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from sxc.diagnostics import Span


@dataclass(eq=False)
class Node:
    span: Span


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def field_names(node) -> tuple[str, ...]:
    """Return the dataclass field names of `node`'s class.

    Walks over every node call this, and `dataclasses.fields` builds a new
    tuple on each call, so the names are computed once per class.
    """
    cls = type(node)
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(cls))
        _FIELD_NAMES[cls] = names
    return names


def copy_typed(node):
    """Return a deep copy of the checked syntax `node` that shares its types.

    A copy of a type would copy its variables too: the copy of `Vec<{integer}>`
    would stay `i64` when a later use makes the original's items `i32`."""
    import copy

    memo = {}
    for n in walk(node):
        ty = getattr(n, "ty", None)
        if ty is not None:
            memo[id(ty)] = ty
    return copy.deepcopy(node, memo)


def walk(node, skip=None):
    """Yield `node` and every syntax node below it, without recursion, so deep
    trees cannot exhaust Python's stack.  A node for which `skip` returns true
    is neither yielded nor entered."""
    todo = [node]
    while todo:
        n = todo.pop()
        if isinstance(n, (list, tuple)):
            todo.extend(n)
            continue
        if not isinstance(n, Node) or (skip is not None and skip(n)):
            continue
        yield n
        for name in field_names(n):
            value = getattr(n, name)
            if isinstance(value, (Node, list, tuple)):
                todo.append(value)


# ---------------------------------------------------------------- types


@dataclass(eq=False)
class TypeExpr(Node):
    pass


@dataclass(eq=False)
class NamedType(TypeExpr):
    path: list[str]
    args: list[TypeExpr] = field(default_factory=list)


@dataclass(eq=False)
class RefType(TypeExpr):
    inner: TypeExpr
    mutable: bool


@dataclass(eq=False)
class ArrayType(TypeExpr):
    elem: TypeExpr
    size: Expr


@dataclass(eq=False)
class SliceType(TypeExpr):
    elem: TypeExpr


@dataclass(eq=False)
class TupleType(TypeExpr):
    items: list[TypeExpr]


@dataclass(eq=False)
class FnType(TypeExpr):
    params: list[TypeExpr]
    ret: TypeExpr | None


@dataclass(eq=False)
class FnBound(TypeExpr):
    """A closure trait: the bound `F: Fn(f64) -> f64` or the type `impl FnMut()`."""

    trait: str  # "Fn", "FnMut" or "FnOnce"
    params: list[TypeExpr]
    ret: TypeExpr | None


@dataclass(eq=False)
class ResolvedType(TypeExpr):
    """A type the checker already knows, written where the syntax needs a `TypeExpr`."""

    ty: Any


# ---------------------------------------------------------------- expressions


@dataclass(eq=False)
class Expr(Node):
    def __post_init__(self) -> None:
        self.ty: Any = None


@dataclass(eq=False)
class IntLit(Expr):
    value: int
    suffix: str | None = None


@dataclass(eq=False)
class FloatLit(Expr):
    value: float
    suffix: str | None = None
    # the literal's decimal digits, so an f32 literal rounds once from them
    text: str | None = None


@dataclass(eq=False)
class StrLit(Expr):
    value: str


@dataclass(eq=False)
class BoolLit(Expr):
    value: bool


@dataclass(eq=False)
class UnitLit(Expr):
    pass


@dataclass(eq=False)
class Path(Expr):
    """A name or a `::` path such as `x`, `dual::variable` or `f64::MAX`."""

    segments: list[str]
    type_args: list[TypeExpr] = field(default_factory=list)
    # the index of the segment that `type_args` follow: 0 in `Pair::<f64>::new`
    type_args_at: int | None = None


@dataclass(eq=False)
class Unary(Expr):
    op: str  # "-", "!", "*" (deref)
    operand: Expr


@dataclass(eq=False)
class Ref(Expr):
    operand: Expr
    mutable: bool


@dataclass(eq=False)
class Binary(Expr):
    op: str
    left: Expr
    right: Expr
    op_span: Span | None = None


@dataclass(eq=False)
class Cast(Expr):
    operand: Expr
    target: TypeExpr


@dataclass(eq=False)
class Call(Expr):
    func: Expr
    args: list[Expr]


@dataclass(eq=False)
class MethodCall(Expr):
    receiver: Expr
    method: str
    args: list[Expr]
    type_args: list[TypeExpr] = field(default_factory=list)
    method_span: Span | None = None


@dataclass(eq=False)
class Field(Expr):
    base: Expr
    name: str


@dataclass(eq=False)
class TupleField(Expr):
    base: Expr
    index: int


@dataclass(eq=False)
class Index(Expr):
    base: Expr
    index: Expr


@dataclass(eq=False)
class StructLit(Expr):
    name: str
    fields: list[tuple[str, Expr]]
    name_span: Span | None = None
    base: Expr | None = None  # `..base`: the value of the fields not given
    # the turbofish of a generic struct, as in `Stack::<u8> { items: v }`
    type_args: list[TypeExpr] = field(default_factory=list)


@dataclass(eq=False)
class ArrayLit(Expr):
    items: list[Expr]


@dataclass(eq=False)
class ArrayRepeat(Expr):
    value: Expr
    count: Expr


@dataclass(eq=False)
class VecLit(Expr):
    """`vec![a, b]` or `vec![x; n]` (then `items` is `[x]` and `count` is set)."""

    items: list[Expr]
    count: Expr | None = None


@dataclass(eq=False)
class TupleLit(Expr):
    items: list[Expr]


@dataclass(eq=False)
class Block(Expr):
    stmts: list[Stmt]
    tail: Expr | None


@dataclass(eq=False)
class If(Expr):
    cond: Expr
    then: Block
    else_: Expr | None  # Block or If


@dataclass(eq=False)
class While(Expr):
    cond: Expr
    body: Block
    label: str | None = None


@dataclass(eq=False)
class Loop(Expr):
    body: Block
    label: str | None = None


@dataclass(eq=False)
class For(Expr):
    pattern: Pattern
    iter: Expr
    body: Block
    label: str | None = None


@dataclass(eq=False)
class Range(Expr):
    start: Expr | None
    end: Expr | None
    inclusive: bool


@dataclass(eq=False)
class Return(Expr):
    value: Expr | None


@dataclass(eq=False)
class VariantLit(Expr):
    """A value of an enum with data: the variant and its payload in declaration order."""

    enum: str
    variant: str
    args: list[Expr]


@dataclass(eq=False)
class Try(Expr):
    """`value?`; the type checker turns it into a `match` on an `Option`."""

    value: Expr


@dataclass(eq=False)
class VariantIs(Expr):
    """Whether `value`, of an enum with data, is the variant `variant`."""

    value: Expr
    enum: str
    variant: str


@dataclass(eq=False)
class VariantField(Expr):
    """Item `index` of the payload of `value`, which is the variant `variant`."""

    value: Expr
    enum: str
    variant: str
    index: int


@dataclass(eq=False)
class Break(Expr):
    label: str | None
    value: Expr | None


@dataclass(eq=False)
class Continue(Expr):
    label: str | None


@dataclass(eq=False)
class MacroCall(Expr):
    """`println!(...)`, `format!(...)`, `print!(...)`, `panic!(...)`, ..."""

    name: str
    args: list[Expr]
    # the name of each argument written `name = value`, None for the others;
    # empty when no argument is named
    arg_names: list[str | None] = field(default_factory=list)


@dataclass(eq=False)
class Match(Expr):
    """`match scrutinee { arms }`; the lower_match pass turns it into `if`s."""

    scrutinee: Expr
    arms: list[MatchArm]
    # False for the match that `matches!` expands to, whose last arm `_ => false`
    # is unreachable when the pattern covers every value, without that being a mistake
    warn_unreachable: bool = True


@dataclass(eq=False)
class MatchArm(Node):
    pattern: Pattern
    guard: Expr | None
    body: Expr


@dataclass(eq=False)
class Closure(Expr):
    params: list[tuple[str, TypeExpr | None]]
    ret: TypeExpr | None
    body: Expr
    move: bool = False


# ---------------------------------------------------------------- patterns


@dataclass(eq=False)
class Pattern(Node):
    pass


@dataclass(eq=False)
class NamePattern(Pattern):
    name: str
    mutable: bool = False
    by_ref: bool = False  # `ref name`: binds a reference to the value


@dataclass(eq=False)
class WildPattern(Pattern):
    pass


@dataclass(eq=False)
class TuplePattern(Pattern):
    items: list[Pattern]


@dataclass(eq=False)
class TupleStructPattern(TuplePattern):
    """`P(x, y)` in a `let`: the fields of the tuple struct `name`, in order."""

    name: str = ""


@dataclass(eq=False)
class ValuePattern(Pattern):
    """A literal (`3`, `-1`, `b'a'`, `true`, `"add"`) or a path (`Color::Red`, `MAX`)."""

    value: Expr


@dataclass(eq=False)
class RangePattern(Pattern):
    """`lo..=hi`, `lo..hi`, `lo..` or `..=hi`; the ends are `ValuePattern` values."""

    start: Expr | None
    end: Expr | None
    inclusive: bool


@dataclass(eq=False)
class OrPattern(Pattern):
    items: list[Pattern]


@dataclass(eq=False)
class AtPattern(Pattern):
    """`name @ pattern`: binds the value that `pattern` matches."""

    name: str
    pattern: Pattern
    mutable: bool = False


@dataclass(eq=False)
class VariantPattern(Pattern):
    """A variant with data: `Shape::Circle(r)`, `Some(_)` or `Shape::Rect { w, h: 1.0, .. }`.

    `items` contains the payload patterns in declaration order once checked; before,
    a struct variant's patterns are in `fields` by name.
    """

    path: list[str]
    items: list[Pattern]
    fields: list[tuple[str, Pattern]] | None = None  # struct variants only
    rest: bool = False  # a `..` among the items or fields


@dataclass(eq=False)
class DerefPattern(Pattern):
    """`&pattern` in a `match`: matches what a reference points to."""

    pattern: Pattern


@dataclass(eq=False)
class RestPattern(Pattern):
    """`..` inside a tuple-variant pattern; the type checker removes it."""


@dataclass(eq=False)
class SlicePattern(Pattern):
    """`[first, .., last]`: the items of an array, slice or `Vec`, with at most one
    `..` (or `rest @ ..`) for the items in between."""

    items: list[Pattern]


# ---------------------------------------------------------------- statements


@dataclass(eq=False)
class Stmt(Node):
    pass


@dataclass(eq=False)
class Let(Stmt):
    pattern: Pattern
    type: TypeExpr | None
    init: Expr | None
    keyword: str = "let"  # "let" or "var"


@dataclass(eq=False)
class ExprStmt(Stmt):
    expr: Expr
    semi: bool = True


@dataclass(eq=False)
class Assign(Stmt):
    op: str  # "=", "+=", ...
    target: Expr
    value: Expr


@dataclass(eq=False)
class ItemStmt(Stmt):
    item: Item


# ---------------------------------------------------------------- items


@dataclass(eq=False)
class Item(Node):
    pass


@dataclass(eq=False)
class Param(Node):
    name: str
    type: TypeExpr
    mutable: bool = False


@dataclass(eq=False)
class FnDef(Item):
    name: str
    params: list[Param]
    ret: TypeExpr | None
    body: Block
    self_kind: str | None = None  # None, "value", "ref", "mut"
    generics: list[str] = field(default_factory=list)
    public: bool = False
    name_span: Span | None = None
    # set by resolve: the struct a method belongs to
    owner: str | None = None
    # trait bounds of the generic parameters, `where` clauses included
    bounds: dict[str, list[TypeExpr]] = field(default_factory=dict)
    self_mutable: bool = False  # `mut self`: the method may assign to its own copy

    def __getattr__(self, name: str):
        # Python calls this only for a name missing from the instance.  A library
        # function whose body `defer_library_bodies` left pickled loads it here.
        if name == "body":
            blob = self.__dict__.pop("_pickled_body", None)
            if blob is not None:
                body = pickle.loads(blob)
                self.body = body
                return body
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


@dataclass(eq=False)
class StructDef(Item):
    name: str
    fields: list[tuple[str, TypeExpr]]
    generics: list[str] = field(default_factory=list)
    derives: list[str] = field(default_factory=list)
    public: bool = False
    public_fields: set[str] = field(default_factory=set)  # the fields declared `pub`


@dataclass(eq=False)
class EnumDef(Item):
    """An enum: `enum E { A, B = 5 }`. `variants` contains (name, value, span).

    `payloads` contains the variants with data: name -> ("tuple", [type]) or
    ("struct", [(field, type)]).
    """

    name: str
    variants: list[tuple[str, Expr | None, Span]]
    generics: list[str] = field(default_factory=list)
    derives: list[str] = field(default_factory=list)
    public: bool = False
    name_span: Span | None = None
    payloads: dict = field(default_factory=dict)


@dataclass(eq=False)
class ImplDef(Item):
    type_name: str
    trait: str | None
    methods: list[FnDef]
    # `impl<T> Pair<T>`: the parameters `[T]` and the arguments of the type `[T]`
    generics: list[str] = field(default_factory=list)
    type_args: list[TypeExpr] = field(default_factory=list)
    bounds: dict[str, list[TypeExpr]] = field(default_factory=dict)
    # associated constants, `const N: usize = 4;`, reached as `Type::N` and `Self::N`
    consts: list[ConstDef] = field(default_factory=list)


@dataclass(eq=False)
class TraitDef(Item):
    """`trait Name { .. }`: its methods (`body` None for a required one) and constants.

    Each `impl Name for Type` gets a copy of the provided methods and constants
    that it does not define itself (see `sxc.traits.complete_impl`).
    """

    name: str
    methods: list[FnDef]
    consts: list[ConstDef] = field(default_factory=list)  # `value` None when required
    generics: list[str] = field(default_factory=list)
    public: bool = False
    name_span: Span | None = None
    supertraits: list[TypeExpr] = field(default_factory=list)


@dataclass(eq=False)
class UseImport(Node):
    """One imported path of a `use`: `a::b` (as `alias`), or `a::*` for a glob."""

    path: list[str]
    alias: str | None = None


@dataclass(eq=False)
class UseDecl(Item):
    imports: list[UseImport]
    public: bool = False


@dataclass(eq=False)
class ConstDef(Item):
    name: str
    type: TypeExpr
    value: Expr
    public: bool = False
    name_span: Span | None = None


@dataclass(eq=False)
class TypeAlias(Item):
    """`type Name<T> = target;`, another name for the type `target`."""

    name: str
    generics: list[str]
    target: TypeExpr
    public: bool = False
    name_span: Span | None = None


@dataclass(eq=False)
class ModDecl(Item):
    """`mod name;`, whose items are in another file, or `mod name { items }`."""

    name: str
    public: bool = False
    name_span: Span | None = None
    items: list[Item] | None = None  # the items of an inline module


@dataclass(eq=False)
class ExternFn(Node):
    """A C function declared in an `extern` block: a signature without a body."""

    name: str
    params: list[Param]
    ret: TypeExpr | None
    name_span: Span


@dataclass(eq=False)
class ExternBlock(Item):
    abi: str | None
    fns: list[ExternFn]


@dataclass(eq=False)
class Module(Node):
    """One parsed file: its items and its top-level (script) statements."""

    path: str
    items: list[Item]
    script: list[Stmt]
    attributes: dict[str, str] = field(default_factory=dict)
    # where each inner attribute (`#![name = value]`) is written
    attribute_spans: dict[str, Span] = field(default_factory=dict)


def replace_associated(te, associated: dict[str, TypeExpr]):
    """Return the type `te` with each `Self::Name` replaced by the impl's `type Name = ..`."""
    if isinstance(te, NamedType):
        if len(te.path) == 2 and te.path[0] == "Self" and te.path[1] in associated:
            return copy.deepcopy(associated[te.path[1]])
        te.args = [replace_associated(a, associated) for a in te.args]
    elif isinstance(te, RefType):
        te.inner = replace_associated(te.inner, associated)
    elif isinstance(te, SliceType):
        te.elem = replace_associated(te.elem, associated)
    elif isinstance(te, TupleType):
        te.items = [replace_associated(i, associated) for i in te.items]
    return te


def defer_library_bodies(module: Module) -> None:
    """Keep each function body of library `module` pickled until a pass reads it.

    A compilation copies the library's parse (as a pickle) and then reaches
    only a few of its functions.  Loading every body took 0.14 s of the 0.36 s
    front end of the W1 workload (one measurement).
    """
    for item in module.items:
        functions = item.methods if isinstance(item, ImplDef) else [item]
        for fn in functions:
            if isinstance(fn, FnDef) and "body" in fn.__dict__:
                fn._pickled_body = pickle.dumps(fn.__dict__.pop("body"),
                                                protocol=pickle.HIGHEST_PROTOCOL)
