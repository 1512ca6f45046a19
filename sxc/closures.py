"""Closures that do not escape: checking them, then converting them to structs and functions.

Each closure expression has a type of its own, a struct named `__ClosureN`
that holds its environment.  It keeps a reference to every variable the body
reads, `&mut` for the ones it assigns or mutates.  A `move` closure keeps
copies instead, and so does any closure for variables that are references
themselves.  After type
checking, `convert_closures` lifts each body into a function `__closureN`
whose first parameter is that environment:

    let mut n = 0;                      let mut n: i64 = 0;
    let mut inc = || n += 1;       ->   let mut inc: __Closure0 = __Closure0 { n: &mut n };
    inc();                              __closure0(inc);

    struct __Closure0 { n: &mut i64 }
    fn __closure0(__env: __Closure0) { *(__env.n) += 1; }

A closure passed to a generic function (`fn apply<F: Fn(f64) -> f64>(f: F, ..)`
or `f: impl Fn(f64) -> f64`) makes a copy of that function for its own type
(`apply__Closure0`), so each call of `f` inside is a direct call that LLVM
inlines.  A closure that captures nothing also converts to a `fn` pointer.
A `move` closure that assigns to its own copies takes its environment by
`&mut`, so the copies persist from call to call.

A closure may be stored in a local and passed to functions, but not put into
a `Vec`, an array, a tuple or a struct, nor returned (`impl Fn` types are
accepted only as parameter types): the environment refers to the locals of
the function that made it.  Parameters without a type annotation take their
types from the `Fn(..)` bound or `fn` type the closure is passed to, else from
its first call; the body is type-checked then, in the scope where the
closure was written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sxc import ast
from sxc import types as T
from sxc.diagnostics import Span
from sxc.visit import Rewriter

ENV = "__env"


@dataclass
class ClosureInfo:
    name: str  # the environment struct, `__ClosureN`
    fn_name: str  # the lifted function, `__closureN`
    node: ast.Closure
    params: list[T.Type | None]
    ret: T.Type | None
    move: bool
    # the checker's state where the closure was written, to check the body later
    scopes: list = field(default_factory=list)
    frames: list = field(default_factory=list)
    self_struct: str | None = None
    type_env: dict = field(default_factory=dict)
    checked: bool = False
    base: int = 0  # index of the closure's own parameter scope
    captures: dict = field(default_factory=dict)  # variable -> Local, in order of use
    outer: dict = field(default_factory=dict)  # variable -> enclosing closure capturing it
    mutated: set = field(default_factory=set)

    def mode(self, var: str) -> str:
        """Return how `var` is captured: "value", "ref" or "mut"."""
        ty = self.captures[var].ty
        if self.move or isinstance(ty, (T.RefT, T.SliceT, T.StrT)):
            return "value"
        return "mut" if var in self.mutated else "ref"

    def env_by_ref(self) -> bool:
        """Return whether the body assigns to copies in its environment (a `move` closure)."""
        return any(self.mode(v) == "value" and v in self.mutated and
                   not isinstance(self.captures[v].ty, (T.RefT, T.SliceT, T.StrT))
                   for v in self.captures)

    def env_type(self) -> T.Type:
        st = T.StructT(self.name)
        return T.RefT(st, True) if self.env_by_ref() else st


def field_name(var: str) -> str:
    return "self_" if var == "self" else var


class ClosureMixin:
    """The type checker's handling of closures (see the module docstring)."""

    def init_closures(self) -> None:
        self.closures: dict[str, ClosureInfo] = {}
        self.closure_frames: list[ClosureInfo] = []
        self._lookup_index = -1
        # the `fn` type that an `Fn(..)` bound gives the closure being checked
        self.bound_expectation: T.FnT | None = None

    def is_closure(self, t) -> bool:
        return isinstance(t, T.StructT) and t.struct in self.closures

    def contains_closure(self, t, seen: frozenset = frozenset()) -> bool:
        if self.is_closure(t):
            return True
        if isinstance(t, (T.VecT, T.ArrayT, T.SliceT)):
            return self.contains_closure(t.elem, seen)
        if isinstance(t, T.RefT):
            return self.contains_closure(t.inner, seen)
        if isinstance(t, T.TupleT):
            return any(self.contains_closure(i, seen) for i in t.items)
        if isinstance(t, T.StructT) and t.struct not in seen:
            return any(self.contains_closure(ft, seen | {t.struct})
                       for ft in self.structs.get(t.struct, {}).values())
        return False

    # ------------------------------------------------------------ checking

    def e_Closure(self, e: ast.Closure, expected):
        n = len(self.closures)
        while f"__Closure{n}" in self.structs or f"__closure{n}" in self.sigs or \
                f"__closure{n}" in self.program.functions:
            n += 1  # a name the program uses itself, or an earlier closure's
        params = [self.resolve_type(te) if te is not None else None for _, te in e.params]
        ret = self.resolve_type(e.ret) if e.ret is not None else None
        if isinstance(expected, T.FnT) and len(expected.params) == len(params):
            params = [p if p is not None else x for p, x in zip(params, expected.params)]
            if ret is None and expected.ret is not None:
                ret = expected.ret
        info = ClosureInfo(f"__Closure{n}", f"__closure{n}", e, params, ret, e.move,
                           [dict(s) for s in self.scopes], list(self.closure_frames),
                           self.self_struct, self.type_env)
        self.closures[info.name] = info
        self.structs[info.name] = {}
        e.ty = T.StructT(info.name)
        if all(p is not None for p in params):
            self.check_closure_body(info)
        if isinstance(expected, T.FnT) and expected is not self.bound_expectation:
            # a `fn` type, not a closure bound, is expected: only a pointer fits
            return self.closure_to_fn(e, expected)
        return e

    def check_closure_body(self, info: ClosureInfo) -> None:
        """Type-check the body once its parameter types are known, where it was written."""
        if info.checked:
            return
        info.checked = True
        saved = (self.scopes, self.closure_frames, self.ret_type, self.loops, self.labels,
                 self.self_struct, self.type_env)
        from sxc.typecheck import Local

        self.scopes = list(info.scopes) + [{}]
        info.base = len(self.scopes) - 1
        self.closure_frames = info.frames + [info]
        for (name, _), ty in zip(info.node.params, info.params):
            self.scopes[-1][name] = Local(ty, True, info.node.span)
        self.ret_type = info.ret if info.ret is not None else T.NEVER
        self.loops, self.labels = [], []
        self.self_struct, self.type_env = info.self_struct, info.type_env
        try:
            declared = info.ret is not None
            body = self.expr(info.node.body, info.ret)
            if info.ret is not None:
                # declared, expected, or decided by a `return` in the body
                body = self.coerce(body, info.ret)
                if not declared:
                    info.ret = T.prune(info.ret)
            else:
                body = self._copy_borrowed_parameter(info, body)
                info.ret = T.prune(body.ty)
            info.node.body = body
            self.check_literals(body)
        finally:
            (self.scopes, self.closure_frames, self.ret_type, self.loops, self.labels,
             self.self_struct, self.type_env) = saved

    @staticmethod
    def _copy_borrowed_parameter(info: ClosureInfo, body: ast.Expr) -> ast.Expr:
        """Return the value of `&p.field` that a closure returns, where `p` is a
        parameter that it takes by value.

        The items of `find`, `max_by_key` and the like are values in sxc where Rust
        passes `&T`, so `.map(|p| &p.1)` would return a reference into the
        closure's own argument.  The value reads the same.
        """
        if not (isinstance(body, ast.Ref) and not body.mutable):
            return body
        root = body.operand
        while isinstance(root, (ast.Field, ast.TupleField)):
            root = root.base
        by_value = {name for (name, _), ty in zip(info.node.params, info.params)
                    if not isinstance(ty, (T.RefT, T.SliceT, T.StrT))}
        if isinstance(root, ast.Path) and len(root.segments) == 1 and \
                root.segments[0] in by_value and not hasattr(root, "capture"):
            return body.operand
        return body

    def note_capture(self, name: str, index: int, local) -> None:
        """Record that `name`, found in scope `index`, is used inside the open closures."""
        self._lookup_index = index
        prev = None
        for frame in self.closure_frames:
            if index < frame.base and name not in frame.captures:
                frame.captures[name] = local
                frame.outer[name] = prev.name if prev is not None and index < prev.base \
                    else None
            prev = frame

    def mark_capture(self, e: ast.Path) -> None:
        """Mark a variable read inside a closure body as one of its captures."""
        if not self.closure_frames:
            return
        crossing = [f.name for f in self.closure_frames if self._lookup_index < f.base]
        if crossing and crossing[-1] == self.closure_frames[-1].name:
            e.capture = crossing[-1]
            e.capture_frames = crossing

    def note_mutation(self, target: ast.Expr) -> None:
        """Record that the closures capturing the root variable of `target` mutate it."""
        root = target
        while isinstance(root, (ast.Field, ast.Index, ast.TupleField, ast.Unary)):
            root = root.operand if isinstance(root, ast.Unary) else root.base
        for name in getattr(root, "capture_frames", ()):
            self.closures[name].mutated.add(root.segments[0])
        self.mark_mutated(root)

    def call_closure(self, e: ast.Call, expected) -> ast.Expr:
        # calling an `FnMut` closure needs a mutable binding; `Fn` closures count too
        self.mark_mutated(e.func)
        info = self.closures[T.strip_refs(e.func.ty).struct]
        if len(e.args) != len(info.params):
            n = len(info.params)
            self.rep.error(f"this closure takes {n} argument{'s' if n != 1 else ''} but "
                           f"{len(e.args)} {'was' if len(e.args) == 1 else 'were'} supplied",
                           e.span, code="SX0302")
            e.args = [self.expr(a, None) for a in e.args]
            e.ty = T.NEVER
            return e
        if not info.checked:
            args = [self.expr(a, p) for a, p in zip(e.args, info.params)]
            info.params = [p if p is not None else a.ty for p, a in zip(info.params, args)]
            self.check_closure_body(info)
            e.args = [self.coerce_arg(a, p) for a, p in zip(args, info.params)]
        else:
            e.args = self.check_args(e.args, info.params, e.span, "this closure")
        e.target = ("closure", info.name)
        e.ty = info.ret
        return e

    def closure_to_fn(self, e: ast.Expr, target: T.FnT) -> ast.Expr:
        """Convert a closure that captures nothing to a `fn` pointer."""
        info = self.closures[e.ty.struct]
        if not info.checked and len(info.params) == len(target.params):
            info.params = [p if p is not None else t for p, t in zip(info.params, target.params)]
            if info.ret is None:
                info.ret = target.ret
            self.check_closure_body(info)
        if info.captures:
            var, local = next(iter(info.captures.items()))
            self.rep.error(f"expected `{target}`, found a closure that captures `{var}`",
                           e.span, notes=[(f"`{var}` is declared here", local.span)],
                           help="closures can only be coerced to `fn` types if they do not "
                                "capture any variables", code="SX0803")
            return e
        ty = T.FnT(tuple(info.params), info.ret)
        path = ast.Path(e.span, [info.fn_name])
        path.target = ("fn", info.fn_name)
        path.ty = ty
        if ty != target:
            self.mismatch(path, target)
        return path

    def finish_closures(self) -> None:
        """Report closures whose parameter types nothing decided, and closures that escape."""
        for info in self.closures.values():
            if not info.checked:
                missing = [name for (name, _), t in zip(info.node.params, info.params)
                           if t is None]
                self.rep.error(f"type annotations needed: cannot infer the type of the "
                               f"closure parameter `{missing[0]}`", info.node.span,
                               help=f"annotate it: `|{missing[0]}: f64|`", code="SX0304")
        if not self.closures:
            return

        found = []
        for fn in list(self.program.functions.values()):
            for node in ast.walk(fn.body):
                t = getattr(node, "ty", None)
                if isinstance(node, ast.Expr) and \
                        isinstance(t, (T.VecT, T.ArrayT, T.SliceT, T.TupleT)) and \
                        self.contains_closure(t):
                    found.append(node)
        reported = set()
        for node in sorted(found, key=lambda n: (n.span.file, n.span.line, n.span.col)):
            if str(node.ty) in reported:
                continue
            reported.add(str(node.ty))
            self.rep.error(f"a closure cannot be stored in a value of type `{node.ty}`",
                           node.span, help="sxc supports closures that do not escape: call "
                                           "them, or pass them to a function", code="SX0803")


# ---------------------------------------------------------------- conversion


def convert_closures(program, closures: dict[str, ClosureInfo]) -> None:
    """Replace every closure by its environment struct and a lifted function."""
    for info in closures.values():
        fields = [(field_name(v), _capture_type(info, v)) for v in info.captures]
        sdef = ast.StructDef(info.node.span, info.name, [], [], [], False)
        sdef.origin = "user"
        sdef.resolved_fields = fields
        program.structs[info.name] = sdef
    converter = _Converter(closures)
    for key, fn in list(program.functions.items()):
        converter.function(fn)
    for info in closures.values():
        program.functions[info.fn_name] = converter.lift(info)


def _capture_type(info: ClosureInfo, var: str) -> T.Type:
    ty = info.captures[var].ty
    mode = info.mode(var)
    return ty if mode == "value" else T.RefT(ty, mode == "mut")


def _typed(node, ty):
    node.ty = ty
    return node


class _Converter(Rewriter):
    def __init__(self, closures: dict[str, ClosureInfo]):
        self.closures = closures
        self.current: ClosureInfo | None = None

    def lift(self, info: ClosureInfo) -> ast.FnDef:
        """Return the function `__closureN` with the body of closure `info`."""
        from sxc.typecheck import Sig

        span = info.node.span
        params, types = [], []
        if info.captures:
            params.append(ast.Param(span, ENV, ast.ResolvedType(span, info.env_type())))
            types.append(info.env_type())
        for (name, _), ty in zip(info.node.params, info.params):
            params.append(ast.Param(span, name, ast.ResolvedType(span, ty), True))
            types.append(ty)
        body = info.node.body
        if not isinstance(body, ast.Block):
            body = _typed(ast.Block(body.span, [], body), body.ty)
        ret = info.ret if info.ret is not None else T.UNIT
        if isinstance(ret, T.NeverT):
            ret = T.UNIT
        fn = ast.FnDef(span, info.fn_name, params, ast.ResolvedType(span, ret), body)
        fn.origin = "user"
        fn.sig = Sig(types, ret, None, None)
        saved, self.current = self.current, info
        fn.body = self.expr(fn.body)
        self.current = saved
        return fn

    def _env(self, span: Span, info: ClosureInfo) -> ast.Expr:
        path = ast.Path(span, [ENV])
        path.target = ("local", ENV)
        return _typed(path, info.env_type())

    def r_Path(self, e: ast.Path) -> ast.Expr:
        info = self.current
        if info is None or getattr(e, "capture", None) != info.name:
            return e
        var = e.segments[0]
        access = _typed(ast.Field(e.span, self._env(e.span, info), field_name(var)),
                        _capture_type(info, var))
        if info.mode(var) == "value":
            return access
        return _typed(ast.Unary(e.span, "*", access), e.ty)

    def r_Closure(self, e: ast.Closure) -> ast.Expr:
        info = self.closures[e.ty.struct]
        fields = []
        for var in info.captures:
            local = info.captures[var]
            path = _typed(ast.Path(e.span, [var]), local.ty)
            path.target = ("local", var)
            if info.outer.get(var) is not None:
                path.capture = info.outer[var]
            value = self.expr(path)
            mode = info.mode(var)
            if mode != "value":
                value = _typed(ast.Ref(e.span, value, mode == "mut"),
                               T.RefT(local.ty, mode == "mut"))
            fields.append((field_name(var), value))
        return _typed(ast.StructLit(e.span, info.name, fields, e.span), e.ty)

    def r_Call(self, e: ast.Call) -> ast.Expr:
        target = getattr(e, "target", None)
        if not (isinstance(target, tuple) and target[0] == "closure"):
            return self.children(e)
        info = self.closures[target[1]]
        args = [self.expr(a) for a in e.args]
        if info.captures:
            value = self.expr(e.func)
            vt = value.ty
            if info.env_by_ref():
                if not (isinstance(vt, T.RefT) and vt.mutable):
                    value = _typed(ast.Ref(value.span, value, True), info.env_type())
            elif isinstance(vt, T.RefT):
                value = _typed(ast.Unary(value.span, "*", value), vt.inner)
            args = [value] + args
        func = ast.Path(e.func.span, [info.fn_name])
        func.target = ("fn", info.fn_name)
        func.ty = T.FnT(tuple(a.ty for a in args), e.ty)
        call = _typed(ast.Call(e.span, func, args), e.ty)
        call.target = ("fn", info.fn_name)
        return call
