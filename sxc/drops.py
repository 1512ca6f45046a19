"""Decide which local `Vec`s compiled code frees when their scope ends.

sxc has no borrow checker, and a `Vec` is a pointer to a header that a
plain copy shares, so compiled code frees a `Vec` only where this pass
proves that nothing else refers to it.  A local `let v = ...` is freed at
the end of its block (and on `return`, `break` and `continue` out of it)
when:

- its element type contains no references, strings or other `Vec`s
  (`Vec<f64>`, `Vec<usize>`, `Vec` of `dual`s or plain structs);
- its value is new: `vec![..]`, `Vec::new()`, `Vec::with_capacity(n)`,
  `.clone()` or `.to_vec()`, or a call of a function that returns only new
  `Vec`s.  A local that meets these rules may also move into it as its
  last use (`let w = { let mut t = Vec::new(); ...; t };`, which is what
  `collect()` becomes);
- every other use of it borrows it without keeping the borrow: indexing,
  `len()`, `push`, iterating, `&v` passed to a call whose result contains
  no reference, printing.

A `v = <new Vec>` assignment frees the old value of such a local first.
Anything else (a call by value, a borrow kept in a binding) keeps the `Vec`
alive until the program ends.

A local struct whose fields are plain, `Vec`s of plain items or such
structs (`HashMap<u64, f64>` and `HashSet<i64>` are) is freed with its
`Vec`s under the same rules: each `Vec` in its literal must be new or a
local moved in as its last use, and a call of a method that takes `self`
by value moves it.

A `Vec` of such `Vec`s is freed with its rows under the same rules when
every row in it is its own: rows added to it must be new or locals moved
in as their last use, and a row read by reference (`let r = &g[i]`,
`for row in g.iter()`) is a use of `g`.  `&mut g` keeps it to the end.

`println!`, `format!` and calls read borrowed arguments only after all
arguments are evaluated, so a move inside a later argument counts as
coming before those reads.

Strings share their bytes: `clone()`, `to_string()` of a string and every
slice copy only the pointer, and appending may extend a buffer in place.
So a string local is freed under the same rules only when its value is a
`format!`, a number's `to_string()` or the result of a function that
returns only such strings, and it never grows (`push_str`, `+=`, `&mut s`
make it live to the end).  A loop variable bound to views of it
(`for w in s.split(' ')`) counts as a use of it.  The buffer that such a
loop walks (`split`, `lines`, `chars()`) is freed after the loop
(`For.free_iter`), as is a new `Vec` that a loop walks directly.

The pass runs on the program that reaches the code generator and marks
`Let.drop`, `Assign.drop_old` and `For.free_iter`.
"""

from __future__ import annotations

import dataclasses

from sxc import ast
from sxc import types as T

BORROW, VALUE = "borrow", "value"
RETURN = "return"  # the move target of a function's result

# The string methods whose result is a new buffer that refers to nothing
# but the string: a `Vec<&str>` of views, or a `&[char]`.
STRING_BUFFERS = frozenset({"chars", "char_indices", "split", "split_whitespace", "lines"})

# The `Vec` methods that add items: a row added to a `Vec` of `Vec`s must
# be new, or a local that moves into it.
ROW_INSERTS = frozenset({"push", "insert", "extend", "extend_from_slice", "append", "resize",
                         "fill", "splice"})

# The string methods that give their receiver a new value.  The new value
# may be a buffer that later appends extend in place (see
# `Codegen.helper_str_append`), which only the end of the program may free.
STRING_WRITES = frozenset({"push_str", "push", "insert", "insert_str", "clear", "truncate",
                           "pop", "remove", "retain", "extend", "drain",
                           "make_ascii_uppercase", "make_ascii_lowercase"})


@dataclasses.dataclass(eq=False)
class Binding:
    """A local whose value may be a `Vec` that this pass can free."""

    stmt: ast.Let | None
    loop_depth: int
    sources: list = dataclasses.field(default_factory=list)  # "new", Binding or "other"
    escaped: bool = False
    moves: list = dataclasses.field(default_factory=list)  # (target, use index, loop depth)
    last_use: int = -1  # the index of its last use that is not a move
    assigns: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class Alias:
    """A local `let r = &v;` (or `&mut v`) of a Binding `v`: its uses are uses of `v`."""

    of: Binding


@dataclasses.dataclass(frozen=True)
class Move:
    """A context in which a value moves into `target`: a Binding or RETURN."""

    target: object


class _Types:
    """The structs and enums of one program, to tell which types hold pointers."""

    def __init__(self, program):
        self.fields = {name: getattr(sdef, "resolved_fields", None) or []
                       for name, sdef in program.structs.items()}
        # the methods that take `self` by value, which may keep it
        self.by_value = {key for key, fn in program.functions.items()
                         if getattr(fn, "self_kind", None) == "value"}
        # the payload types of each enum with data
        self.data_enums = {name: [t for fields in edef.fields.values() for _, t in fields]
                           for name, edef in getattr(program, "enums", {}).items()
                           if hasattr(edef, "fields")}

    def plain(self, t, seen: frozenset = frozenset()) -> bool:
        """Return whether a value of type `t` contains no pointer: numbers,
        bool, enums without data and structs, tuples and arrays of them."""
        if isinstance(t, T.EnumT):
            # an enum with data is plain when its payloads are: `Option<f64>`
            # is, `Option<&f64>` is not
            payloads = self.data_enums.get(t.enum, [])
            key = "enum " + t.enum
            return key not in seen and all(self.plain(p, seen | {key}) for p in payloads)
        if isinstance(t, (T.IntT, T.FloatT, T.BoolT, T.UnitT)):
            return True
        if isinstance(t, T.StructT):
            if t.struct in seen or t.struct not in self.fields:
                return False
            return all(self.plain(ft, seen | {t.struct}) for _, ft in self.fields[t.struct])
        if isinstance(t, T.TupleT):
            return all(self.plain(i, seen) for i in t.items)
        if isinstance(t, T.ArrayT):
            return self.plain(t.elem, seen)
        return False

    def droppable(self, t) -> bool:
        """Return whether a local of type `t` is a `Vec`, slice, string or
        owning struct this pass may free."""
        return isinstance(t, (T.VecT, T.SliceT)) and self.plain(t.elem) or \
            isinstance(t, T.StrT) or self.nested(t) or self.owning(t)

    def owning(self, t, seen: frozenset = frozenset()) -> bool:
        """Return whether `t` is a struct that contains at least one `Vec` and
        otherwise only plain values, `Vec`s of plain items and such structs:
        `HashMap<u64, f64>`, `HashSet<i64>`, `struct Grid { cells: Vec<u8>, w:
        usize }`.  Such a struct is freed with its `Vec`s."""
        if not isinstance(t, T.StructT) or t.struct in seen or t.struct not in self.fields:
            return False
        inner = seen | {t.struct}
        owns = False
        for _, ft in self.fields[t.struct]:
            if isinstance(ft, T.VecT) and self.plain(ft.elem) or self.owning(ft, inner):
                owns = True
            elif not self.plain(ft):
                return False
        return owns

    def nested(self, t) -> bool:
        """Return whether `t` is a `Vec` of `Vec`s of plain items, which is
        freed with its rows."""
        return isinstance(t, T.VecT) and isinstance(t.elem, T.VecT) and self.plain(t.elem.elem)


def analyze(program, live: set[str] | None = None) -> None:
    """Mark the `Let` and `Assign` statements of `program` that free a `Vec`,
    in the functions of `live` (default: all)."""
    types = _Types(program)
    functions = {key: fn for key, fn in program.functions.items()
                 if (live is None or key in live) and
                 getattr(fn, "sig", None) is not None and fn.body is not None}
    fresh: set[str] = set()
    # which functions return only new `Vec`s: grows to a fixed point
    while True:
        found = {key for key, fn in functions.items()
                 if types.droppable(fn.sig.ret) and _Function(fn, fresh, types).returns_new()}
        if found <= fresh:
            break
        fresh |= found
    for fn in functions.values():
        _Function(fn, fresh, types).mark()


class _Function:
    """The analysis of one function body."""

    def __init__(self, fn: ast.FnDef, fresh: set[str], types: _Types):
        self.fn = fn
        self.fresh = fresh
        self.types = types
        self.scopes: list[dict[str, Binding | Alias | None]] = \
            [{p.name: None for p in fn.params}]
        self.bindings: list[Binding] = []
        self.returns: list = []  # the sources of the function's result
        self.loop_depth = 0
        self.uses = 0
        self.visiting: set[int] = set()  # the bindings `new_binding` is deciding
        self.walk()

    # ------------------------------------------------------------ results

    def returns_new(self) -> bool:
        return bool(self.returns) and all(self.new_source(s) for s in self.returns)

    def mark(self) -> None:
        for b in self.bindings:
            drop = not b.moves and self.new_binding(b)
            if b.stmt is not None:
                b.stmt.drop = drop
            for assign in b.assigns:
                assign.drop_old = drop

    def new_source(self, source) -> bool:
        if source == "new":
            return True
        if isinstance(source, tuple):  # a binding moved as its last use
            binding, target = source
            return self.new_binding(binding) and self.moved_cleanly(binding, target)
        return False

    def new_binding(self, b: Binding) -> bool:
        """Return whether every value of `b` is new.  A binding whose value comes back
        to it through other bindings (`acc = { let mut a = acc; ..; a }` in a loop)
        is not: this pass cannot tell which value is the last."""
        if id(b) in self.visiting:
            return False
        self.visiting.add(id(b))
        try:
            return not b.escaped and bool(b.sources) and \
                all(self.new_source(s) for s in b.sources)
        finally:
            self.visiting.discard(id(b))

    @staticmethod
    def moved_cleanly(b: Binding, target) -> bool:
        """Return whether every move of `b` goes to `target` after all its
        other uses and outside any loop that `b` does not live in."""
        return all(t is target and index > b.last_use and depth == b.loop_depth
                   for t, index, depth in b.moves)

    # ------------------------------------------------------------ walk

    def walk(self) -> None:
        body = self.fn.body
        ret = self.fn.sig.ret
        self.block(body, Move(RETURN) if self.types.droppable(ret) else VALUE)

    def lookup(self, name: str) -> Binding | Alias | None:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return None

    def declare(self, pattern, binding: Binding | Alias | None = None) -> None:
        if isinstance(pattern, ast.NamePattern):
            self.scopes[-1][pattern.name] = binding
        elif isinstance(pattern, ast.AtPattern):
            self.scopes[-1][pattern.name] = None
            self.declare(pattern.pattern)
        elif isinstance(pattern, (ast.TuplePattern, ast.OrPattern)):
            for item in pattern.items:
                self.declare(item)

    def block(self, block: ast.Block, ctx) -> None:
        self.scopes.append({})
        for stmt in block.stmts:
            self.stmt(stmt)
        if block.tail is not None:
            # The block's value outlives the block's own locals, so reading
            # it is no mere borrow of them.
            self.expr(block.tail, VALUE if ctx == BORROW else ctx)
        self.scopes.pop()

    def stmt(self, stmt) -> None:
        if isinstance(stmt, ast.Let):
            binding = None
            row_of = self.row_owner(stmt.init) if isinstance(stmt.pattern, ast.NamePattern) \
                else None
            if row_of is not None:
                # `let row = g[i];` or `let r = row;`: a row of `g`, whose uses are `g`'s
                binding = Alias(row_of)
                self.expr(stmt.init, BORROW)
            elif isinstance(stmt.pattern, ast.NamePattern) and stmt.init is not None and \
                    self.types.droppable(getattr(stmt, "ty", None)):
                binding = Binding(stmt, self.loop_depth)
                self.bindings.append(binding)
                self.source(stmt.init, binding)
            elif isinstance(stmt.pattern, ast.NamePattern) and self.referent(stmt.init):
                # `let r = &mut v;` or `let x = &v[i];`: `r` lives no longer
                # than `v`, so its uses are `v`'s
                binding = Alias(self.referent(stmt.init))
                if stmt.init.mutable:
                    self.lent_mutably(stmt.init.operand)
                self.referenced(stmt.init.operand, BORROW)
            elif stmt.init is not None:
                self.expr(stmt.init, VALUE)
            self.declare(stmt.pattern, binding)
        elif isinstance(stmt, ast.ExprStmt):
            plain = self.types.plain(getattr(stmt.expr, "ty", None))
            self.expr(stmt.expr, BORROW if plain else VALUE)
        elif isinstance(stmt, ast.Assign):
            self.assign(stmt)
        else:
            self.children(stmt, VALUE)

    def source(self, init: ast.Expr, target: Binding) -> None:
        """Visit the value that initialises or is assigned to `target`."""
        if self.producer(init):
            target.sources.append("new")
            self.produce(init)
        else:
            before = len(target.sources)
            self.expr(init, Move(target))
            if len(target.sources) == before:
                target.sources.append("other")

    def assign(self, stmt: ast.Assign) -> None:
        target = stmt.target
        if stmt.op != "=" and isinstance(getattr(target, "ty", None), T.StrT):
            self.rewritten(target)  # `s += t` appends
        if stmt.op == "=" and isinstance(target, ast.Path) and len(target.segments) == 1:
            binding = self.lookup(target.segments[0])
            if isinstance(binding, Alias):
                # `r = &mut w` or `word = other`: what the new value refers to
                # escapes, since only `r`'s first value is tracked
                self.expr(stmt.value, VALUE)
                return
            if binding is not None:
                # a new value: the old one is freed first if the binding is
                binding.assigns.append(stmt)
                self.source(stmt.value, binding)
                return
            self.expr(stmt.value, VALUE)
            return
        if stmt.op == "=" and isinstance(getattr(stmt.value, "ty", None), T.VecT):
            # `g[i] = row`: `g` frees its rows, so each must be one that nothing
            # else refers to
            owner = self.root(target)
            if owner is not None and self.types.nested(owner.stmt.ty if owner.stmt else None):
                self.inserted(owner, stmt.value)
                self.place(target)
                return
        self.expr(stmt.value, VALUE)
        self.place(target)

    def inserted(self, owner: Binding, value: ast.Expr) -> None:
        """Visit a row that goes into the `Vec` of `Vec`s `owner`: a new row, or
        a local moved as its last use, keeps `owner` freeable."""
        if self.producer(value):
            self.produce(value)
            return
        if isinstance(value, ast.Path) and isinstance(self.lookup_path(value), Binding):
            self.expr(value, Move(owner))
            return
        owner.sources.append("other")
        self.expr(value, VALUE)

    def lookup_path(self, e: ast.Path):
        return self.lookup(e.segments[0]) if len(e.segments) == 1 else None

    def row_owner(self, e) -> Binding | None:
        """Return the `Vec` of `Vec`s `g` when `e` is a row of it (`g[i]`), or
        an alias of one; else None."""
        if isinstance(e, ast.Path):
            found = self.lookup_path(e)
            return found.of if isinstance(found, Alias) and \
                isinstance(getattr(e, "ty", None), T.VecT) else None
        if isinstance(e, ast.Index) and isinstance(getattr(e, "ty", None), T.VecT):
            owner = self.root(e.base)
            if owner is not None and owner.stmt is not None and \
                    self.types.nested(owner.stmt.ty):
                return owner
        return None

    def lent_mutably(self, place: ast.Expr) -> None:
        """Mark the string or `Vec` of `Vec`s under `place` as one this pass
        cannot free after `&mut place`: a string may get a buffer that appends
        share, and a `Vec` of `Vec`s rows that other values refer to."""
        owner = self.root(place)
        if owner is None:
            return
        t = owner.stmt.ty if owner.stmt is not None else None
        if isinstance(t, T.StrT) or self.types.nested(t):
            owner.sources.append("other")

    def place(self, target: ast.Expr) -> None:
        """Visit an assignment target, which writes into what it names."""
        if isinstance(target, ast.Index):
            self.expr(target.base, BORROW)
            self.expr(target.index, VALUE)
        elif isinstance(target, (ast.Field, ast.TupleField)):
            self.place(target.base)
        elif isinstance(target, ast.Unary) and target.op == "*":
            self.expr(target.operand, BORROW)
        elif isinstance(target, ast.Path):
            self.use(target, BORROW)
        else:
            self.expr(target, VALUE)

    def producer(self, e: ast.Expr) -> bool:
        """Return whether `e` makes a new `Vec` that nothing else refers to."""
        if not self.types.droppable(getattr(e, "ty", None)):
            return False
        if isinstance(e, ast.VecLit):
            return True
        if isinstance(e, ast.StructLit):
            # `Grid { cells: vec![0; n], w: n }`: every `Vec` in it is new
            return e.base is None and all(self.types.plain(getattr(v, "ty", None)) or
                                          self.producer(v) for _, v in e.fields)
        target = getattr(e, "target", None)
        if isinstance(e, ast.Call):
            return target in (("builtin", "Vec::new"), ("builtin", "to_string"),
                              ("builtin", "String::new"), ("builtin", "String::with_capacity")) or \
                (isinstance(target, tuple) and target[0] == "fn" and target[1] in self.fresh)
        if isinstance(e, ast.MethodCall):
            if isinstance(target, tuple) and target[0] == "str" and target[1] in STRING_BUFFERS:
                return True
            return target in (("seq", "clone"), ("builtin", "to_string")) or \
                (isinstance(target, tuple) and target[0] == "method" and
                 target[1] in self.fresh)
        # `format!` returns a buffer of its own; string literals, `to_string()`
        # of a string and `clone()` of a string share their bytes
        return isinstance(e, ast.MacroCall) and e.name == "format"

    def temporary(self, e: ast.Expr) -> bool:
        """Return whether `e` makes a new buffer that refers to nothing but
        borrowed values: a `Vec` of plain items from `producer`, or the views
        of a string from `s.split(' ')` and the like."""
        target = getattr(e, "target", None)
        if isinstance(e, ast.MethodCall) and isinstance(target, tuple) and \
                target[0] == "str" and target[1] in STRING_BUFFERS:
            return isinstance(T.strip_refs(getattr(e, "ty", None)), (T.VecT, T.SliceT))
        t = getattr(e, "ty", None)
        return isinstance(t, T.VecT) and self.types.plain(t.elem) and self.producer(e)

    def referenced(self, place: ast.Expr, ctx) -> None:
        """Visit the operand of `&place`: the reference points into the value
        that `place` names, even when it names a number in it (`&v[0]`)."""
        if isinstance(place, ast.Index):
            self.referenced(place.base, ctx)
            self.expr(place.index, VALUE)
        elif isinstance(place, (ast.Field, ast.TupleField)):
            self.referenced(place.base, ctx)
        else:
            self.expr(place, ctx)

    def rewritten(self, place: ast.Expr) -> None:
        """Mark the string local that `place` names (`s`, or `*r` for `r =
        &mut s`) as one whose new value this pass cannot free."""
        while isinstance(place, ast.Unary) and place.op == "*":
            place = place.operand
        if isinstance(place, ast.Path) and len(place.segments) == 1:
            found = self.lookup(place.segments[0])
            if isinstance(found, Alias):
                found = found.of
            if found is not None:
                found.sources.append("other")

    def root(self, e) -> Binding | None:
        """Return the Binding `v` that a chain of method calls such as
        `v.trim().split(' ')` starts from, or None."""
        while isinstance(e, (ast.MethodCall, ast.Ref, ast.Index, ast.Unary)):
            if isinstance(e, ast.MethodCall):
                if self.producer(e):
                    return None  # a new value: its parts are its own
                e = e.receiver
            elif isinstance(e, ast.Index):
                e = e.base
            elif isinstance(e, ast.Unary) and e.op != "*":
                return None
            else:
                e = e.operand
        if isinstance(e, ast.Path) and len(e.segments) == 1:
            found = self.lookup(e.segments[0])
            return found.of if isinstance(found, Alias) else found
        return None

    def referent(self, e) -> Binding | None:
        """Return the Binding `v` when `e` is `&v`, `&mut v` or a reference into
        `v` such as `&v[i]`, else None."""
        if not isinstance(e, ast.Ref):
            return None
        place = e.operand
        while isinstance(place, (ast.Index, ast.Field, ast.TupleField)):
            place = place.base
        if isinstance(place, ast.Path) and len(place.segments) == 1:
            found = self.lookup(place.segments[0])
            if isinstance(found, Alias):
                return found.of
            return found
        return None

    def produce(self, e: ast.Expr) -> None:
        """Visit the parts of a `producer`, whose result refers to none of them."""
        if isinstance(e, ast.MethodCall):
            self.expr(e.receiver, BORROW)
            for arg in e.args:
                self.argument(arg, e, BORROW)
        elif isinstance(e, ast.Call):
            self.expr(e.func, VALUE)
            for arg in e.args:
                self.argument(arg, e, BORROW)
        elif isinstance(e, ast.MacroCall):
            self.macro_args(e)  # `format!` copies what it formats
        else:
            self.children(e, VALUE)

    def use(self, e: ast.Path, ctx) -> None:
        if len(e.segments) != 1:
            return
        binding = self.lookup(e.segments[0])
        if binding is None:
            return
        self.uses += 1
        if isinstance(binding, Alias):
            # a reference moved or copied anywhere may outlive `v`
            binding = binding.of
            if ctx != BORROW:
                binding.escaped = True
                return
        if isinstance(ctx, Move):
            binding.moves.append((ctx.target, self.uses, self.loop_depth))
            source = (binding, ctx.target)
            if ctx.target is RETURN:
                self.returns.append(source)
            else:
                ctx.target.sources.append(source)
        elif ctx == BORROW:
            binding.last_use = self.uses
        else:
            binding.escaped = True

    def expr(self, e, ctx) -> None:
        if isinstance(ctx, Move) and e is not None and not isinstance(e, (ast.Block, ast.If)):
            # Each branch of an `if` moves a value of its own, so a branch that
            # adds no source (`"-".to_string()` beside `n.to_string()`) is not new.
            sink = self.returns if ctx.target is RETURN else ctx.target.sources
            before = len(sink)
            self.visit(e, ctx)
            if len(sink) == before and not isinstance(getattr(e, "ty", None), T.NeverT):
                sink.append("other")
            return
        self.visit(e, ctx)

    def visit(self, e, ctx) -> None:
        """Visit the expression `e` in the context `ctx`."""
        if e is None:
            return
        if isinstance(ctx, Move) and self.producer(e):
            # a new `Vec` moved straight into the target
            if ctx.target is RETURN:
                self.returns.append("new")
            else:
                ctx.target.sources.append("new")
            self.produce(e)
            return
        if isinstance(ctx, Move) and isinstance(e, ast.StructLit) and e.base is None and \
                self.types.owning(getattr(e, "ty", None)):
            # each `Vec` in the struct is new or a local that moves into it
            for _, value in e.fields:
                plain = self.types.plain(getattr(value, "ty", None))
                self.expr(value, BORROW if plain else ctx)
            return
        if isinstance(e, ast.Path):
            self.use(e, ctx)
        elif isinstance(e, ast.Block):
            self.block(e, ctx)
        elif isinstance(e, ast.If):
            self.expr(e.cond, BORROW)
            self.expr(e.then, ctx)
            self.expr(e.else_, ctx)
        elif isinstance(e, (ast.While, ast.Loop, ast.For)):
            self.loop(e)
        elif isinstance(e, ast.Return):
            self.expr(e.value, Move(RETURN) if self.types.droppable(self.fn.sig.ret) else VALUE)
        elif isinstance(e, ast.Break):
            self.expr(e.value, VALUE)
        elif isinstance(e, ast.Index):
            self.expr(e.base, self.through(e, ctx))
            self.expr(e.index, VALUE)
        elif isinstance(e, (ast.Field, ast.TupleField, ast.Unary, ast.Cast)):
            inner = e.base if isinstance(e, (ast.Field, ast.TupleField)) else e.operand
            self.expr(inner, self.through(e, ctx))
        elif isinstance(e, ast.Ref):
            if e.mutable:
                self.lent_mutably(e.operand)  # the borrower may append to it
            self.referenced(e.operand, BORROW if ctx == BORROW else VALUE)
        elif isinstance(e, ast.Binary):
            inner = self.through(e, ctx)
            self.expr(e.left, inner)
            self.expr(e.right, inner)
        elif isinstance(e, ast.MethodCall):
            # `v.clone()` and `v.len()` read `v`; `v.iter()` returns a view
            # of it, whose context decides
            fresh = self.producer(e)
            target = getattr(e, "target", None)
            if isinstance(target, tuple) and target[0] == "str" and target[1] in STRING_WRITES:
                self.rewritten(e.receiver)
            owner = self.root(e.receiver) if e.method in ROW_INSERTS else None
            if isinstance(target, tuple) and target[0] == "method" and \
                    target[1] in self.types.by_value:
                self.expr(e.receiver, VALUE)  # `self` moves into the method, which may keep it
            else:
                self.expr(e.receiver, BORROW if fresh else self.through(e, ctx))
            if owner is not None and owner.stmt is not None and \
                    self.types.nested(owner.stmt.ty):
                for arg in e.args:
                    if isinstance(getattr(arg, "ty", None), T.VecT):
                        self.inserted(owner, arg)
                    else:
                        self.argument(arg, e, ctx)
            else:
                for arg in e.args:
                    self.argument(arg, e, ctx)
            self.read_together([e.receiver, *filter(_borrowed, e.args)])
        elif isinstance(e, ast.Call):
            self.expr(e.func, VALUE)
            for arg in e.args:
                self.argument(arg, e, ctx)
            self.read_together(list(filter(_borrowed, e.args)))
        elif isinstance(e, ast.MacroCall):
            self.macro_args(e)
        else:
            self.children(e, VALUE)

    def macro_args(self, e: ast.MacroCall) -> None:
        """Visit the arguments of `println!` or `format!`, which formats them
        only after it has evaluated all of them: `println!("{:?} {}", v, {
        let w = v; ... })` reads `v` after its move into `w`."""
        for arg in e.args:
            self.expr(arg, BORROW)
        self.read_together(e.args)

    def read_together(self, args: list) -> None:
        """Note that a call reads all of `args` after it has evaluated all of
        them, so a move of one inside a later argument comes before that read."""
        self.uses += 1
        for arg in args:
            owner = self.root(arg)
            if owner is not None:
                owner.last_use = self.uses

    def argument(self, arg: ast.Expr, call: ast.Expr, ctx) -> None:
        """Visit an argument: a borrow (`&v`, a slice) lasts as long as a
        result that can hold it, and any other argument moves."""
        if isinstance(getattr(arg, "ty", None), (T.RefT, T.SliceT)) or isinstance(arg, ast.Ref):
            holds = not self.types.plain(getattr(call, "ty", None)) and not self.producer(call)
            if not holds:
                ctx = BORROW
            elif ctx != BORROW:
                ctx = VALUE
            self.expr(arg, ctx)
        else:
            self.expr(arg, VALUE)

    def through(self, e: ast.Expr, ctx):
        """Return the context of the operand of `e`: a borrow when `e`'s value
        contains no pointer, else `e`'s own context (a view of a `Vec` lives
        as long as it)."""
        if self.types.plain(getattr(e, "ty", None)):
            return BORROW
        return ctx if ctx == BORROW else VALUE

    def loop(self, e) -> None:
        self.loop_depth += 1
        if isinstance(e, ast.While):
            self.expr(e.cond, BORROW)
            self.block(e.body, BORROW)
        elif isinstance(e, ast.Loop):
            self.block(e.body, BORROW)
        else:
            # `for x in v`, `for x in &v`, `for x in v.iter()` read the items;
            # `for w in s.split(' ')` binds views of `s`, whose uses are `s`'s
            seq = e.iter.receiver if isinstance(e.iter.ty, T.EnumerateT) and \
                isinstance(e.iter, ast.MethodCall) else e.iter
            e.free_iter = self.temporary(seq)
            root = None
            if not _yields_plain(e.iter.ty, self.types):
                root = self.root(e.iter)
            self.expr(e.iter, BORROW if root is not None or
                      _yields_plain(e.iter.ty, self.types) else VALUE)
            self.scopes.append({})
            if root is None:
                self.declare(e.pattern)
            else:
                for name in _pattern_names(e.pattern):
                    self.scopes[-1][name] = Alias(root)
            self.block(e.body, BORROW)
            self.scopes.pop()
        self.loop_depth -= 1

    def children(self, node, ctx) -> None:
        """Visit every expression inside `node`, in `ctx`."""
        for f in dataclasses.fields(node):
            if f.name == "span":
                continue
            value = getattr(node, f.name)
            items = value if isinstance(value, (list, tuple)) else [value]
            for item in items:
                if isinstance(item, tuple):
                    for part in item:
                        if isinstance(part, ast.Expr):
                            self.expr(part, ctx)
                elif isinstance(item, ast.Block):
                    self.block(item, ctx)
                elif isinstance(item, ast.Expr):
                    self.expr(item, ctx)
                elif isinstance(item, ast.Stmt):
                    self.stmt(item)


def _yields_plain(t, types: _Types) -> bool:
    """Return whether a loop over a value of type `t` binds values that refer
    to nothing: numbers, or plain items of a `Vec`, array or slice."""
    if isinstance(t, T.RefT):
        return _yields_plain(t.inner, types)
    if isinstance(t, (T.VecT, T.SliceT, T.ArrayT)):
        return types.plain(t.elem)
    if isinstance(t, T.EnumerateT):
        return _yields_plain(t.seq, types)
    return isinstance(t, T.RangeT) or not _mentions_str(t)


def _mentions_str(t, depth: int = 0) -> bool:
    return isinstance(t, T.StrT) or depth <= 8 and any(
        _mentions_str(part, depth + 1) for part in T.type_parts(t))


def _pattern_names(pattern) -> list[str]:
    """Return every name that `pattern` binds."""
    if isinstance(pattern, ast.NamePattern):
        return [pattern.name]
    if isinstance(pattern, ast.AtPattern):
        return [pattern.name, *_pattern_names(pattern.pattern)]
    names = []
    inner = getattr(pattern, "pattern", None)  # `&pattern`
    for item in [*(getattr(pattern, "items", None) or []), *([inner] if inner else [])]:
        names += _pattern_names(item)
    return names


def _borrowed(arg: ast.Expr) -> bool:
    """Return whether a call argument is a borrow rather than a moved value."""
    return isinstance(arg, ast.Ref) or \
        isinstance(getattr(arg, "ty", None), (T.RefT, T.SliceT, T.StrT))
