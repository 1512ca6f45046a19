"""Lower-dual pass: replace every `dual` by plain `f64` values.

Train mode turns a dual into a value/tangent pair, the core struct
`Dual { val: f64, der: f64 }`, and each operation into a call of the rule
function that `sxc.derivatives` generates for it:

    fn f(x: dual) -> dual { x * x.exp() + 1.0 }
    ->  fn f(x: Dual) -> Dual { __dual_add_c(__dual_mul(x, __dual_exp(x)), 1.0) }

A constant operand (a promoted `dual::constant(c)`) uses the rule for a
constant, which has no tangent term at all.  Release mode replaces `dual` by
`f64`: `dual::variable(v)` is `v`, `.val` is the number itself and `.der` is
`0.0`.  Comparisons of duals compare values.  The result is core `.sx`.
"""

from __future__ import annotations

import dataclasses

import functools
import pickle

from sxc import ast
from sxc import build as B
from sxc import types as T
from sxc.derivatives import helper_source
from sxc.diagnostics import CompileError, Diagnostic, InternalError, Reporter
from sxc.formatting import Spec
from sxc.resolve import Program
from sxc.visit import Rewriter

DUAL_STRUCT = T.StructT("Dual")
ARITH = {"+": "add", "-": "sub", "*": "mul", "/": "div", "%": "rem"}
COMPARE = {"==", "!=", "<", ">", "<=", ">="}


class TypeMap:
    def __init__(self, target: T.Type):
        self.target = target

    def __call__(self, t):
        if t is None:
            return None
        if isinstance(t, T.DualT):
            return self.target
        if isinstance(t, T.ArrayT):
            return T.ArrayT(self(t.elem), t.size)
        if isinstance(t, T.VecT):
            return T.VecT(self(t.elem))
        if isinstance(t, T.SliceT):
            return T.SliceT(self(t.elem), t.mutable)
        if isinstance(t, T.RefT):
            return type(t)(self(t.inner), t.mutable)
        if isinstance(t, T.TupleT):
            return T.TupleT(tuple(self(i) for i in t.items))
        if isinstance(t, T.FnT):
            return T.FnT(tuple(self(p) for p in t.params), self(t.ret))
        if isinstance(t, T.RangeT):
            return t
        if isinstance(t, T.EnumerateT):
            return T.EnumerateT(self(t.seq))
        if isinstance(t, T.ParseResultT):
            return T.ParseResultT(self(t.value))
        return t


def _has_dual(t) -> bool:
    if isinstance(t, T.DualT):
        return True
    if isinstance(t, (list, tuple)):
        return any(_has_dual(item) for item in t)
    if isinstance(t, T.Type) and dataclasses.is_dataclass(t):
        return any(_has_dual(getattr(t, f.name)) for f in dataclasses.fields(t))
    return False


class _DualFinder(Rewriter):
    """Find whether any expression has a type that contains `dual`."""

    def __init__(self):
        self.found = False

    def expr(self, e: ast.Expr) -> ast.Expr:
        if _has_dual(getattr(e, "ty", None)):
            self.found = True
        return self.children(e)


def _uses_duals(program: Program) -> bool:
    """Report whether lowering has work: a `dual` in a struct, a signature or an expression."""
    for sdef in program.structs.values():
        if any(_has_dual(t) for _, t in sdef.resolved_fields):
            return True
    for edef in program.enums.values():
        if any(_has_dual(t) for fields in getattr(edef, "fields", {}).values() for _, t in fields):
            return True
    finder = _DualFinder()
    for const in program.consts.values():
        finder.expr(const.value)
        if finder.found:
            return True
    for fn in program.functions.values():
        sig = getattr(fn, "sig", None)
        if sig is not None and (_has_dual(list(sig.params)) or _has_dual(sig.ret)):
            return True
        finder.function(fn)
        if finder.found:
            return True
    return False


def _constant_inner(e: ast.Expr) -> ast.Expr | None:
    """Return the f64 inside a promoted `dual::constant(c)`, before lowering."""
    if isinstance(e, ast.Call) and getattr(e, "target", None) == ("builtin", "dual::constant"):
        return e.args[0]
    return None


class DualLowering(Rewriter):
    def __init__(self, program: Program, mode: str, lanes: int = 1):
        super().__init__()
        self.program = program
        # Train mode with no tangent lanes computes the training objective,
        # soft branches blended, on plain floats: the duals lower as in release
        # mode, and only the blends of soft branches remain.
        self.train = mode == "train" and lanes > 0
        self.lanes = lanes
        self.tmap = TypeMap(DUAL_STRUCT if self.train else T.F64)
        self.errors: list[Diagnostic] = []
        # Lanes are checked in the program's own code.  The bundled library
        # seeds eight lanes whatever the count and relies on the extra lanes
        # reading as 0.
        self.check_lanes = True

    # ------------------------------------------------------------ program

    def run(self) -> Program:
        from sxc.typecheck import Sig

        if self.train:
            self.add_helpers()
        program = self.program
        for sdef in program.structs.values():
            if not hasattr(sdef, "typed_fields"):
                sdef.typed_fields = list(sdef.resolved_fields)
            sdef.resolved_fields = [(f, self.tmap(t)) for f, t in sdef.resolved_fields]
        for edef in program.enums.values():
            if hasattr(edef, "fields"):
                if not hasattr(edef, "typed_fields"):
                    edef.typed_fields = dict(edef.fields)
                edef.fields = {v: [(f, self.tmap(t)) for f, t in fields]
                               for v, fields in edef.fields.items()}
        for c in program.consts.values():
            c.value = self.expr(c.value)
            c.lowered_ty = self.tmap(c.value.ty)
        for key, fn in program.functions.items():
            if getattr(fn, "dual_helper", False):
                continue
            sig = fn.sig
            fn.typed_sig = sig
            fn.sig = Sig([self.tmap(p) for p in sig.params], self.tmap(sig.ret),
                         sig.self_kind, self.tmap(sig.self_type))
            self.check_lanes = getattr(fn, "origin", "user") == "user"
            fn.body = self.expr(fn.body)
        if self.errors:
            raise CompileError(self.errors)
        if self.train:
            self.drop_unused_helpers()
        return program

    def drop_unused_helpers(self) -> None:
        """Remove the rule functions that the lowered program never calls, so
        codegen and `sxc lower` skip them."""
        from sxc.reach import reachable_functions

        live = reachable_functions(self.program)
        self.program.functions = {
            key: fn for key, fn in self.program.functions.items()
            if key in live or not getattr(fn, "dual_helper", False)}

    def add_helpers(self) -> None:
        # Checking the rule program costs more than this search, and a program
        # without duals calls no rule.
        if not _uses_duals(self.program):
            return
        existing = self.program.structs.get("Dual")
        if existing is not None:
            # A program that `sxc lower` printed already contains the pair struct
            # and the rule functions; any other struct of that name clashes,
            # unless the program has no duals to lower.
            fields = list(existing.resolved_fields)
            if len(fields) != 2 or fields[0] != ("val", T.F64) or fields[1][0] != "der" \
                    or not _is_tangent_type(fields[1][1]):
                raise CompileError([Diagnostic(
                    "error", "the struct name `Dual` is reserved for lowered duals",
                    existing.span, [], "rename the struct, or compile with --mode release",
                    code="SX0903")])
        helpers = _helper_program(self.lanes)
        if existing is None:
            self.program.structs["Dual"] = helpers.structs["Dual"]
        for key, fn in helpers.functions.items():
            if key.startswith("__dual_") and key not in self.program.functions:
                fn.dual_helper = True
                fn.origin = "dual"
                self.program.functions[key] = fn

    # ------------------------------------------------------------ walk

    def expr(self, e: ast.Expr) -> ast.Expr:
        out = super().expr(e)
        out.ty = self.tmap(out.ty)
        return out

    def stmt(self, s: ast.Stmt) -> ast.Stmt:
        s = super().stmt(s)
        if isinstance(s, ast.Let):
            s.ty = self.tmap(getattr(s, "ty", None))
            _map_pattern(s.pattern, self.tmap)
        return s

    def r_MacroCall(self, e: ast.MacroCall):
        # a dual argument of `println!` prints its value, as in release mode
        duals = [i for i, a in enumerate(e.args) if i > 0 and isinstance(a.ty, T.DualT)]
        self.children(e)
        if self.train:
            for i in duals:
                e.args[i] = B.field(e.args[i], "val", T.F64)
        return e

    def r_For(self, e: ast.For):
        self.children(e)
        e.elem_ty = self.tmap(e.elem_ty)
        _map_pattern(e.pattern, self.tmap)
        return e

    def r_Call(self, e: ast.Call):
        target = getattr(e, "target", None)
        if target and target[0] == "builtin" and target[1].startswith("dual::"):
            return self.dual_ctor(e, target[1])
        if target == ("builtin", "soft_score") and not self.train \
                and isinstance(e.ty, T.RefT) and isinstance(e.ty.inner, T.DualT):
            e.target = ("builtin", "__soft_score_f64")
            e.func = ast.Path(e.span, ["__soft_score_f64"])
            e.ty = T.RefT(T.F64, True)
            return e
        if target == ("builtin", "soft_blend"):
            self.children(e)
            if not self.train:
                return _blend_values(*e.args)
            return B.call_fn(e.span, "__dual_blend", e.args, self.tmap(T.DUAL))
        return self.children(e)

    def dual_ctor(self, e: ast.Call, name: str):
        args = [self.expr(a) for a in e.args]
        if name == "dual::lanes":
            return B.typed(ast.IntLit(e.span, self.lanes), T.USIZE)
        if not self.train:
            value = args[0]
            return value
        if name == "dual::unit":
            return self.checked_lane_call(e.span, "__dual_unit", args[0], args[1], DUAL_STRUCT)
        if self.lanes > 1:
            if name == "dual::new":
                return B.call_fn(e.span, "__dual_new", args, DUAL_STRUCT)
            if name == "dual::variable":
                return B.call_fn(e.span, "__dual_unit", [args[0], B.typed(
                    ast.IntLit(e.span, 0), T.USIZE)], DUAL_STRUCT)
            return B.call_fn(e.span, "__dual_const", args, DUAL_STRUCT)
        if name == "dual::new":
            value, tangent = args
        else:
            value = args[0]
            tangent = B.float_lit(e.span, 1.0 if name == "dual::variable" else 0.0)
        return B.typed(ast.StructLit(e.span, "Dual", [("val", value), ("der", tangent)]),
                       DUAL_STRUCT)

    def r_Field(self, e: ast.Field):
        if isinstance(T.strip_refs(e.base.ty), T.DualT) and not self.train:
            base = _deref(self.expr(e.base))
            if e.name == "val":
                return base
            if isinstance(base, (ast.Path, ast.Field)):
                return B.float_lit(e.span, 0.0)
            return B.block(e.span, [ast.ExprStmt(e.span, base, True)],
                           B.float_lit(e.span, 0.0), T.F64)
        if isinstance(T.strip_refs(e.base.ty), T.DualT) and e.name == "der" and self.lanes > 1:
            base = _deref(self.expr(e.base))
            return B.call_fn(e.span, "__dual_der", [base], T.F64)
        return self.children(e)

    def r_Unary(self, e: ast.Unary):
        if e.op == "-" and isinstance(e.ty, T.DualT) and self.train:
            operand = self.expr(e.operand)
            return B.call_fn(e.span, "__dual_neg", [operand], DUAL_STRUCT)
        return self.children(e)

    def r_Binary(self, e: ast.Binary):
        lt = e.left.ty
        if not isinstance(lt, T.DualT) or not self.train:
            return self.children(e)
        if e.op in COMPARE:
            left = self.value_of(e.left)
            right = self.value_of(e.right)
            return B.binary(e.op, left, right, T.BOOL)
        return self.arith(e.op, e.left, e.right, e)

    def value_of(self, operand: ast.Expr) -> ast.Expr:
        inner = _constant_inner(operand)
        if inner is not None:
            return self.expr(inner)
        return B.field(self.expr(operand), "val", T.F64)

    def arith(self, op: str, left: ast.Expr, right: ast.Expr, node) -> ast.Expr:
        name = ARITH.get(op)
        if name is None:
            raise InternalError(f"operator `{op}` on dual")
        lc, rc = _constant_inner(left), _constant_inner(right)
        if rc is not None and lc is None:
            args, key = [self.expr(left), self.expr(rc)], f"__dual_{name}_c"
        elif lc is not None and rc is None:
            args, key = [self.expr(right), self.expr(lc)], f"__dual_c_{name}"
        else:
            args, key = [self.expr(left), self.expr(right)], f"__dual_{name}"
        return B.call_fn(node.span, key, args, DUAL_STRUCT)

    def r_MethodCall(self, e: ast.MethodCall):
        target = getattr(e, "target", None)
        if target and target[0] == "dual":
            return self.lane_method(e, target[1])
        if target == ("builtin", "to_string") and isinstance(e.receiver.ty, T.DualT) \
                and self.train:
            # like `println!`, `to_string()` shows the value, and the printed
            # program calls it on the value field
            e.receiver = B.field(self.expr(e.receiver), "val", T.F64)
            return e
        if not (target and target[0] == "math" and isinstance(e.ty, T.DualT) and self.train):
            return self.children(e)
        name = target[1]
        if name == "powf" and _constant_inner(e.receiver) is not None \
                and _constant_inner(e.args[0]) is None:
            c = self.expr(_constant_inner(e.receiver))
            y = self.expr(e.args[0])
            return B.call_fn(e.span, "__dual_c_powf", [y, c], DUAL_STRUCT)
        recv = self.expr(e.receiver)
        if name == "powi":
            return B.call_fn(e.span, "__dual_powi", [recv, self.expr(e.args[0])], DUAL_STRUCT)
        if name == "powf" and _constant_inner(e.args[0]) is not None:
            c = self.expr(_constant_inner(e.args[0]))
            return B.call_fn(e.span, "__dual_powf_c", [recv, c], DUAL_STRUCT)
        args = [self.expr(a) for a in e.args]
        return B.call_fn(e.span, f"__dual_{name}", [recv] + args, DUAL_STRUCT)

    def lane_method(self, e: ast.MethodCall, name: str) -> ast.Expr:
        """`x.lane(k)` and `x.clip_tangent(limit)`."""
        recv = self.expr(e.receiver)
        args = [self.expr(a) for a in e.args]
        if self.train and name == "lane":
            return self.checked_lane_call(e.span, "__dual_lane", recv, args[0], T.F64)
        if self.train:
            return B.call_fn(e.span, f"__dual_{name}", [recv] + args, DUAL_STRUCT)
        if name == "clip_tangent":
            # release: no tangent to clip; keep the argument's side effects
            return B.block(e.span, [ast.ExprStmt(e.span, a, True) for a in args], recv, T.F64)
        stmts = [ast.ExprStmt(e.span, x, True) for x in [recv] + args]
        return B.block(e.span, stmts, B.float_lit(e.span, 0.0), T.F64)

    def checked_lane_call(self, span, key: str, first: ast.Expr, lane: ast.Expr,
                          ty: T.Type) -> ast.Expr:
        """Call `key(first, lane)`, checking that `lane` is below the tangent count.

        A constant lane past the last is a compile error, because forgetting
        `#![tangents = N]` would otherwise give zero derivatives silently.  Any
        other lane is checked at run time and panics at `span`.
        """
        if not self.check_lanes:
            return B.call_fn(span, key, [first, lane], ty)
        count = f"{self.lanes} tangent lane{'s' if self.lanes != 1 else ''}"
        constant = self.constant_lane(lane)
        if constant is not None:
            if constant >= self.lanes:
                self.errors.append(Diagnostic(
                    "error", f"lane {constant} is out of range: the duals of this program "
                    f"have {count}", lane.span, [],
                    f"ask for more lanes with `#![tangents = {constant + 1}]` at the top of "
                    f"the file, or with `--tangents {constant + 1}`", code="SX0905"))
            return B.call_fn(span, key, [first, lane], ty)
        stmts = [B.let(span, "__lane_operand", first, first.ty),
                 B.let(span, "__lane", lane, T.USIZE)]
        index = B.local(span, "__lane", T.USIZE)
        text = f"lane index out of bounds: the dual has {count} but the index is "
        message = B.typed(ast.StrLit(span, text + "{}"), T.STR)
        shown = B.local(span, "__lane", T.USIZE)
        panic = B.typed(ast.MacroCall(span, "panic", [message, shown]), T.NEVER)
        panic.pieces = [text, (0, Spec(arg=0))]
        too_far = B.binary(">=", index, B.typed(ast.IntLit(span, self.lanes), T.USIZE), T.BOOL)
        stmts.append(ast.ExprStmt(span, B.if_(span, too_far, B.block(span, [], panic, T.NEVER),
                                              None, T.UNIT), True))
        call = B.call_fn(span, key, [B.local(span, "__lane_operand", first.ty),
                                     B.local(span, "__lane", T.USIZE)], ty)
        return B.block(span, stmts, call, ty)

    def constant_lane(self, e: ast.Expr) -> int | None:
        """Return the value of a lane made of integer literals, `const` items, `+` and `*`."""
        if isinstance(e, ast.IntLit):
            return e.value
        target = getattr(e, "target", None)
        if isinstance(e, ast.Path) and target is not None and target[0] == "const":
            const = self.program.consts.get(target[1])
            return self.constant_lane(const.value) if const is not None else None
        if isinstance(e, ast.Binary) and e.op in ("+", "*"):
            left, right = self.constant_lane(e.left), self.constant_lane(e.right)
            if left is None or right is None:
                return None
            return left + right if e.op == "+" else left * right
        return None

    def function(self, fn):
        fn.body = self.expr(fn.body)


def _blend_values(p: ast.Expr, a: ast.Expr, b: ast.Expr) -> ast.Expr:
    """`p * a + (1 - p) * b` on floats: the value part of `__dual_blend`, bit for bit.

    `p` is a local of the soft branch, so reading it twice evaluates nothing twice.
    """
    q = B.binary("-", B.float_lit(p.span, 1.0), B.clone(p), T.F64)
    return B.binary("+", B.binary("*", p, a, T.F64), B.binary("*", q, b, T.F64), T.F64)


class _AssignLowering(Rewriter):
    """Turns `x op= y` on duals into `x = x op y` before the main lowering."""

    def stmt(self, s):
        s = super().stmt(s)
        if isinstance(s, ast.Assign) and s.op != "=" and isinstance(s.target.ty, T.DualT):
            current = B.clone(s.target)
            value = B.binary(s.op[:-1], current, s.value, T.DUAL)
            return ast.Assign(s.span, "=", s.target, value)
        return s


def _deref(e: ast.Expr) -> ast.Expr:
    while isinstance(e.ty, T.RefT):
        e = B.typed(ast.Unary(e.span, "*", e), e.ty.inner)
    return e


def _is_tangent_type(t: T.Type) -> bool:
    return t == T.F64 or (isinstance(t, T.ArrayT) and t.elem == T.F64)


def _map_pattern(p: ast.Pattern, tmap) -> None:
    if hasattr(p, "ty"):
        p.ty = tmap(p.ty)
    for item in getattr(p, "items", []):
        _map_pattern(item, tmap)


@functools.lru_cache(maxsize=4)
def _helper_text(lanes: int) -> str:
    return helper_source(lanes)


# The checked rule program for each lane count, pickled: every compilation in
# train mode adds its functions and later passes change them in place, so each
# one gets a fresh copy.
_HELPER_CACHE: dict[int, bytes] = {}


def _helper_program(lanes: int) -> Program:
    # The checked program is also kept in the cache folder, because checking
    # it takes longer than compiling a small program.
    if lanes not in _HELPER_CACHE:
        from sxc import cache

        name = f"dual-rules-{lanes}"
        stored = cache.read_toolchain_file(name)
        program = cache.unpickle_or_none(stored)
        if program is None:
            program = _check_helper_program(lanes)
            stored = pickle.dumps(program, protocol=pickle.HIGHEST_PROTOCOL)
            cache.write_toolchain_file(name, stored)
        _HELPER_CACHE[lanes] = stored
        return program
    return pickle.loads(_HELPER_CACHE[lanes])


def _check_helper_program(lanes: int) -> Program:
    from sxc.parse import parse_module
    from sxc.resolve import resolve_program
    from sxc.typecheck import check_module

    module = parse_module(_helper_text(lanes), "<dual rules>")
    reporter = Reporter()
    program = resolve_program(module, reporter)
    check_module(program, reporter)
    if reporter.has_errors:
        raise InternalError("the dual rule table does not compile:\n" +
                            "\n".join(d.render() for d in reporter.diagnostics))
    return program


def lower_duals(program: Program, mode: str, lanes: int = 1) -> Program:
    """Replace `dual` in `program` (in place) as the module docstring describes.

    `lanes` is the number of tangents each dual carries in train mode.
    """
    _AssignLowering().rewrite_program(program)
    return DualLowering(program, mode, lanes).run()
