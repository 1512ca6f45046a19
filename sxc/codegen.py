"""Codegen pass: core program (no `dual`, no soft branch) to LLVM IR.

Input is a typed `Program` after `lower_duals`; output is an `llvmlite.ir`
module.  Values map to LLVM as follows:

    integers, bool, floats   iN, i1, double/float
    struct, tuple            identified / literal struct, passed by value
    [T; N]                   [N x T]
    Vec<T>                   pointer to a heap header { T*, len, cap }
    &[T], &str               { T*, len }
    &T, &mut T               T*
    fn(A) -> R               function pointer

Locals live in `alloca` slots that LLVM promotes to registers.  Integer
division by zero, `MIN / -1`, out-of-bounds indexing and failed `parse` call
the panic routine of `sxc.native`, which names the source location.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from llvmlite import ir

from sxc import ast
from sxc import numbers
from sxc import types as T
from sxc.callbacks import arg_slots, callback_kind, plain_slots
from sxc.diagnostics import InternalError, Span
from sxc.formatting import Spec
from sxc.native import F32, F64, I1, I8, I32, I64, PTR, STR, VEC_BYTES, Native, const_i64
from sxc.resolve import Program

# Arrays and structs of at least this many scalars live in memory wherever they
# are copied: stores use `memcpy` (see `Codegen.store`), and functions take and
# return them through pointers (see `Codegen.fn_type`).  LLVM's passes split a
# first-class aggregate value element by element: at -O2, passing a
# `[f64; 10000]` by value ran out of 6 GB of memory, and a struct literal
# holding one took 70 s.
LARGE_ARRAY = 64
# Instructions that neither read nor write memory, so a load may move past them.
PURE_OPS = {"add", "sub", "mul", "sdiv", "udiv", "srem", "urem", "shl", "lshr", "ashr",
            "and", "or", "xor", "fadd", "fsub", "fmul", "fdiv", "frem", "fneg"}

UNIT_TY = ir.LiteralStructType([])
UNIT_VAL = ir.Constant(UNIT_TY, [])

# f64 methods that map to one LLVM intrinsic, and those that call libm.
INTRINSIC_MATH = {
    "sqrt": "llvm.sqrt", "exp": "llvm.exp", "ln": "llvm.log", "sin": "llvm.sin",
    "cos": "llvm.cos", "abs": "llvm.fabs", "floor": "llvm.floor", "ceil": "llvm.ceil",
    "round": "llvm.round", "trunc": "llvm.trunc", "exp2": "llvm.exp2",
    "log2": "llvm.log2", "log10": "llvm.log10",
}
LIBM_MATH = {"cbrt", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh"}
LIBM_MATH2 = {"atan2", "hypot"}


class _Never:
    """The value of an expression that does not return (`return`, `panic!`)."""


NEVER = _Never()


@dataclass
class LoopCtx:
    label: str | None
    break_bb: ir.Block
    continue_bb: ir.Block
    slot: ir.Value | None
    # how many block scopes were open outside the loop; `break` and
    # `continue` free the `Vec`s of the scopes inside
    scopes: int = 0


@dataclass
class FnState:
    fn: ir.Function
    locals: list[dict[str, ir.Value]] = field(default_factory=list)
    loops: list[LoopCtx] = field(default_factory=list)
    ret_type: T.Type = T.UNIT
    # where a function that returns a large aggregate writes its result
    sret: ir.Value | None = None
    # per open block, the slots of the local `Vec`s freed when it ends
    # (see `sxc.drops`)
    drops: list[list[tuple[ir.Value, T.Type]]] = field(default_factory=list)


class Codegen:
    def __init__(self, program: Program, module_name: str = "sx", exports: bool = True):
        self.program = program
        self.with_exports = exports
        # a context per module, so struct names of one program never clash
        # with another compiled in the same process
        self.m = ir.Module(name=module_name, context=ir.Context())
        self.native = Native(self.m)
        self.struct_fields: dict[str, list[tuple[str, T.Type]]] = {}
        self.struct_types: dict[str, ir.IdentifiedStructType] = {}
        # enums with data: the tag, then the payload of every variant in turn
        self.enum_types: dict[str, ir.IdentifiedStructType] = {}
        self.enum_slots: dict[tuple[str, str], list[int]] = {}  # (enum, variant) -> positions
        self.functions = _UsedFunctions()
        self.consts: dict[str, ast.ConstDef] = dict(program.consts)
        self.b: ir.IRBuilder | None = None
        self.st: FnState | None = None
        self._helpers: dict[str, ir.Function] = {}
        self.rng_global: ir.GlobalVariable | None = None

    # ------------------------------------------------------------ types

    def ll(self, t: T.Type) -> ir.Type:
        if isinstance(t, T.IntT):
            return ir.IntType(t.bits)
        if isinstance(t, T.EnumT):
            return self.enum_types.get(t.enum, I64)
        if isinstance(t, T.BoolT):
            return I1
        if isinstance(t, T.FloatT):
            return F64 if t.bits == 64 else F32
        if isinstance(t, (T.UnitT, T.NeverT)):
            return UNIT_TY
        if isinstance(t, T.StrT):
            return STR
        if isinstance(t, T.ArrayT):
            return ir.ArrayType(self.ll(t.elem), t.size)
        if isinstance(t, T.VecT):
            return self.vec_header(t.elem).as_pointer()
        if isinstance(t, T.SliceT):
            return ir.LiteralStructType([self.ll_elem_ptr(t.elem), I64])
        if isinstance(t, T.RefT):
            return self.ll(t.inner).as_pointer()
        if isinstance(t, T.StructT):
            return self.struct_types[t.struct]
        if isinstance(t, T.TupleT):
            return ir.LiteralStructType([self.ll(i) for i in t.items])
        if isinstance(t, T.FnT):
            return self.fn_type(list(t.params), t.ret).as_pointer()
        if isinstance(t, T.ParseResultT):
            return self.ll(t.value)
        if isinstance(t, T.FormatterT):
            # the slot that holds the output buffer, as the printing code passes it
            return VEC_BYTES.as_pointer().as_pointer()
        if isinstance(t, T.DualT):
            raise InternalError("a `dual` reached codegen; lower_duals must run first")
        if isinstance(t, T.HoleT) and t.bound is not None:
            # a `_` that a later use decided, inside a type the checker did not rewrite
            return self.ll(T.prune(t))
        raise InternalError(f"no LLVM type for {t}")

    def ll_elem_ptr(self, elem: T.Type) -> ir.Type:
        return self.ll(elem).as_pointer()

    def vec_header(self, elem: T.Type) -> ir.LiteralStructType:
        return ir.LiteralStructType([self.ll_elem_ptr(elem), I64, I64])

    def fn_type(self, params: list[T.Type], ret: T.Type) -> ir.FunctionType:
        """Return the LLVM type of a function, with large aggregates passed by pointer.

        A large parameter is a pointer to a copy that the caller made for this
        call, so the callee may use it as its own slot.  A large result is
        written through a pointer passed before the parameters (`sret`), and the
        function returns void."""
        ret_ll = ir.VoidType() if isinstance(ret, (T.UnitT, T.NeverT)) else self.ll(ret)
        args = [self.ll(p) for p in params]
        args = [a.as_pointer() if is_large(a) else a for a in args]
        if is_large(ret_ll):
            args.insert(0, ret_ll.as_pointer())
            ret_ll = ir.VoidType()
        return ir.FunctionType(ret_ll, args)

    def intr(self, base: str, ft: ir.Type, nargs: int = 1) -> ir.Function:
        """Declare the LLVM float intrinsic `base` (such as `llvm.exp`) for `ft`."""
        suffix = "f64" if ft == F64 else "f32"
        return self.declare(f"{base}.{suffix}", ft, [ft] * nargs)

    def declare(self, name: str, ret: ir.Type, args: list[ir.Type]) -> ir.Function:
        """Declare (once) an external function or intrinsic by its full name."""
        existing = self.m.globals.get(name)
        if existing is not None:
            return existing
        return ir.Function(self.m, ir.FunctionType(ret, args), name)

    def sizeof(self, ty: ir.Type) -> ir.Value:
        null = ir.Constant(ty.as_pointer(), None)
        return self.b.ptrtoint(self.b.gep(null, [const_i64(1)]), I64)

    # ------------------------------------------------------------ module

    def generate(self) -> ir.Module:
        for name in self.program.structs:
            self.struct_types[name] = self.m.context.get_identified_type(f"struct.{name}")
        for name, edef in self.program.enums.items():
            if hasattr(edef, "fields"):
                self.enum_types[name] = self.m.context.get_identified_type(f"enum.{name}")
        for name, sdef in self.program.structs.items():
            fields = sdef.resolved_fields
            self.struct_fields[name] = fields
            self.struct_types[name].set_body(*[self.ll(t) for _, t in fields])
        for name, ty in self.enum_types.items():
            edef = self.program.enums[name]
            members = [I64]
            for variant, fields in edef.fields.items():
                self.enum_slots[(name, variant)] = list(
                    range(len(members), len(members) + len(fields)))
                members += [self.ll(t) for _, t in fields]
            ty.set_body(*members)
        rng_type = self.struct_types[self.program.prelude_key("Rng")]
        self.rng_global = ir.GlobalVariable(self.m, rng_type, "__sx_default_rng")
        self.rng_global.initializer = ir.Constant(rng_type, None)
        self.outbuf = ir.GlobalVariable(self.m, VEC_BYTES, "__sx_outbuf")
        self.outbuf.initializer = ir.Constant(VEC_BYTES, None)
        self.outbuf.linkage = "internal"
        self.outbuf_slot = ir.GlobalVariable(self.m, VEC_BYTES.as_pointer(), "__sx_outbuf_slot")
        self.outbuf_slot.initializer = self.outbuf
        self.outbuf_slot.linkage = "internal"
        from sxc.reach import reachable_functions, recursive_functions

        graph: dict[str, set[str]] = {}
        if self.with_exports or "main" not in self.program.functions:
            live = reachable_functions(self.program, graph=graph)
        else:
            live = reachable_functions(self.program, roots=("main",), graph=graph)
        self.recursive = recursive_functions(self.program, live, graph)
        from sxc import drops

        drops.analyze(self.program, live)
        for key, fn in self.program.functions.items():
            if key not in live:
                continue
            sig = fn.sig
            params = ([sig.self_type] if sig.self_type is not None else []) + sig.params
            llfn = ir.Function(self.m, self.fn_type(params, sig.ret), _mangle(key))
            llfn.linkage = "internal"
            if getattr(fn, "origin", "user") == "std" and is_cold_runtime_function(key):
                llfn.attributes.add("noinline")
                llfn.attributes.add("optnone")
            elif self.with_exports and getattr(fn, "origin", "user") == "user" and key != "main":
                # The wrapper that Python calls is a second caller, so LLVM's inliner
                # keeps a helper out of the user's loops.  The hint raises its threshold.
                llfn.attributes.add("inlinehint")
            self.functions[key] = llfn
        # The library's functions are translated when code refers to them:
        # reachability counts every formatting routine for any `println!`,
        # but each placeholder calls one or two of them.
        library = {key for key in live
                   if getattr(self.program.functions[key], "origin", "user") != "user"}
        for key, fn in self.program.functions.items():
            if key in live and key not in library:
                self.define(key, fn)
        self.entry_trampoline()
        self.frame_address_function()
        self.exports = emit_exports(self) if self.with_exports else {}
        while True:
            referenced = sorted(library & self.functions.used)
            if not referenced:
                break
            for key in referenced:
                library.discard(key)
                self.define(key, self.program.functions[key])
        for key in library:  # declared, never referred to
            del self.m.globals[self.functions.pop(key).name]
        return self.m

    def define(self, key: str, fn: ast.FnDef) -> None:
        llfn = self.functions[key]
        sig = fn.sig
        self.st = FnState(llfn, [{}], [], sig.ret)
        entry = llfn.append_basic_block("entry")
        self.b = ir.IRBuilder(entry)
        names = (["self"] if sig.self_type is not None else []) + [p.name for p in fn.params]
        types = ([sig.self_type] if sig.self_type is not None else []) + sig.params
        args = list(llfn.args)
        if len(args) > len(types):
            self.st.sret = args.pop(0)
            self.st.sret.add_attribute("noalias")
        for name, ty, arg in zip(names, types, args):
            if is_large(self.ll(ty)):
                # the caller's copy for this call, so it is the parameter's slot
                arg.add_attribute("noalias")
                slot = arg
            else:
                slot = self.alloca(self.ll(ty), name)
                self.b.store(arg, slot)
            self.st.locals[0][name] = slot
        if key in self.recursive:
            self.stack_check(fn.span)
        result = self.block_value(fn.body)
        if not self.b.block.is_terminated:
            if isinstance(sig.ret, (T.UnitT, T.NeverT)):
                self.b.ret_void()
            elif result is NEVER:
                self.b.unreachable()
            else:
                self.ret(result)
        big = sum(size for size in (_byte_size(getattr(i, "allocated_type", I8))
                                    for i in entry.instructions
                                    if isinstance(i, ir.AllocaInstr))
                  if size >= LARGE_STACK_ARRAY)
        if big:
            self.split_large_frame(fn, llfn, big)

    def split_large_frame(self, fn: ast.FnDef, llfn: ir.Function, size: int) -> None:
        """Move the body of `llfn` into a new function that `llfn` calls after a stack check.

        The `size` bytes of large arrays in the frame of `fn` may reach past
        the end of the stack, and the first write to them would end the
        process with a segmentation fault.  The function cannot check its
        own frame, because it would call the panic routine from below that
        frame.  So `llfn`, which every caller uses, becomes a small function
        that checks that the frame fits and then calls the body.
        """
        body = ir.Function(self.m, llfn.function_type, f"{llfn.name}.frame")
        body.linkage = "internal"
        # inlined into `llfn`, the arrays would be in the frame that is checked
        body.attributes.add("noinline")
        # The blocks and the arguments they use move to the new function, and
        # `llfn` gets new arguments.  The two functions share one scope of
        # names, so the moved values keep their names and no new name repeats one.
        body.scope = llfn.scope
        body.blocks, llfn.blocks = llfn.blocks, []
        body.args = llfn.args
        for value in body.blocks + list(body.args):
            value.parent = body
        llfn.args = tuple(ir.Argument(llfn, arg.type) for arg in body.args)
        self.b = ir.IRBuilder(llfn.append_basic_block("entry"))
        self.frame_fit_check(fn, size)
        result = self.b.call(body, list(llfn.args))
        if isinstance(llfn.function_type.return_type, ir.VoidType):
            self.b.ret_void()
        else:
            self.b.ret(result)

    def entry_trampoline(self) -> None:
        """`__sx_main(seed) -> i32`: run `main` under the panic trampoline."""
        main = self.functions.get("main")
        fn = ir.Function(self.m, ir.FunctionType(I32, [I64]), "__sx_main")
        self.exit_code = self.native.exit_code
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        self.b = b
        rng_state = b.gep(self.rng_global, [ir.Constant(I32, 0), ir.Constant(I32, 0)])
        b.store(fn.args[0], rng_state)
        self.guarded_call(b, lambda: self._call_main(b, main))

    def frame_address_function(self) -> None:
        """`__sx_frame_address() -> i64`: the address of its own frame, near the stack
        pointer of its caller.  The host reads it to size the recursion budget of
        a call on its thread (`sxc.loaded`)."""
        fn = ir.Function(self.m, ir.FunctionType(I64, []), "__sx_frame_address")
        fn.attributes.add("noinline")
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        b.ret(self.frame_address(b))

    def _call_main(self, b: ir.IRBuilder, main: ir.Function | None) -> None:
        if main is None:
            return
        result = b.call(main, [])
        if isinstance(main.function_type.return_type, ir.IntType):
            code = result
            if code.type.width < 64:
                code = b.sext(code, I64)
            b.store(code, self.exit_code)

    def frame_address(self, b: ir.IRBuilder) -> ir.Value:
        fa = self.declare("llvm.frameaddress.p0", PTR, [I32])
        return b.ptrtoint(b.call(fa, [ir.Constant(I32, 0)]), I64)

    def frame_fit_check(self, fn: ast.FnDef, size: int) -> None:
        """Panic if the `size` bytes of large arrays in the frame of `fn` do not fit on the stack."""
        b = self.b
        limit = b.load(self.native.stack_limit)
        used = b.sub(b.load(self.native.stack_base), self.frame_address(b))
        with b.if_then(b.icmp_unsigned(">", b.add(used, const_i64(size)), limit),
                       likely=False):
            self.panic(fn.name_span or fn.span,
                       f"stack overflow: the arrays of `{fn.name}` need {size} bytes of "
                       "stack, more than there is; keep large arrays in a `Vec`")

    def stack_check(self, span: Span) -> None:
        """Panic before a recursive call would overflow the stack budget.

        The stack grows down from the trampoline's frame; the budget is set by
        the host before each call (`sxc.jit`)."""
        b = self.b
        used = b.sub(b.load(self.native.stack_base), self.frame_address(b))
        over = b.icmp_unsigned(">", used, b.load(self.native.stack_limit))
        with b.if_then(over, likely=False):
            self.panic(span, "stack overflow: the recursion is too deep")

    def guarded_call(self, b: ir.IRBuilder, body, cleanup=None) -> None:
        """Emit `if setjmp(buf) { return 101 } body; return 0` into `b`.

        `setjmp` returns 1 after a panic (status 101) and 2 after `exit(code)`
        (status 2), which has stored its code in `__sx_exit_code` already.
        `cleanup()`, when given, emits code that runs before either return."""
        nat = self.native
        b.store(ir.Constant(I32, 1), nat.jmp_active)
        b.store(self.frame_address(b), nat.stack_base)
        status = b.call(nat.libc("_setjmp"), [b.bitcast(nat.jmpbuf, PTR)])
        with b.if_then(b.icmp_signed("!=", status, ir.Constant(I32, 0))):
            b.store(ir.Constant(I32, 0), nat.jmp_active)
            if cleanup is not None:
                cleanup()
            exited = b.icmp_signed("==", status, ir.Constant(I32, 2))
            b.ret(b.select(exited, ir.Constant(I32, 2), ir.Constant(I32, 101)))
        body()
        b.call(nat.routine("flush"), [])
        b.store(ir.Constant(I32, 0), nat.jmp_active)
        if cleanup is not None:
            cleanup()
        b.ret(ir.Constant(I32, 0))

    # ------------------------------------------------------------ helpers

    def alloca(self, ty: ir.Type, name: str = "") -> ir.Value:
        entry = self.st.fn.entry_basic_block
        with self.b.goto_block(entry):
            if entry.instructions:
                self.b.position_before(entry.instructions[0])
            slot = self.b.alloca(ty, name=name)
        return slot

    def lookup(self, name: str) -> ir.Value:
        for scope in reversed(self.st.locals):
            if name in scope:
                return scope[name]
        raise InternalError(f"unknown local `{name}`")

    def dead_block(self) -> None:
        """Continue emitting into an unreachable block after a terminator."""
        self.b.position_at_end(self.st.fn.append_basic_block("dead"))

    def loc(self, span: Span) -> str:
        return f"{span.file}:{span.line}:{span.col}"

    def panic(self, span: Span, message: str) -> None:
        self.native.panic(self.b, f"{self.loc(span)}: runtime error: {message}")

    def check(self, cond: ir.Value, span: Span, message: str) -> None:
        """Panic with `message` unless `cond` holds."""
        fail = self.st.fn.append_basic_block("check.fail")
        ok = self.st.fn.append_basic_block("check.ok")
        self.b.cbranch(cond, ok, fail)
        self.b.position_at_end(fail)
        self.panic(span, message)
        self.b.position_at_end(ok)

    # ------------------------------------------------------------ statements

    def block_value(self, block: ast.Block):
        self.st.locals.append({})
        self.st.drops.append([])
        for stmt in block.stmts:
            self.stmt(stmt)
        result = UNIT_VAL
        if block.tail is not None:
            result = self.value(block.tail)
        elif isinstance(block.ty, T.NeverT):
            result = NEVER
        if self.b.block.is_terminated:
            self.dead_block()
            result = NEVER if result is not UNIT_VAL or isinstance(block.ty, T.NeverT) \
                else result
        else:
            self.free_scopes(len(self.st.drops) - 1)
        self.st.drops.pop()
        self.st.locals.pop()
        return result

    def free_scopes(self, outer: int) -> None:
        """Free the local `Vec`s and strings of the open blocks from index `outer` inward."""
        for scope in reversed(self.st.drops[outer:]):
            for slot, ty in reversed(scope):
                self.free_value(self.b.load(slot), ty)

    def free_value(self, value: ir.Value, ty: T.Type) -> None:
        """Free a `Vec`, a string or a struct's `Vec`s that `sxc.drops` found
        nothing else refers to."""
        if isinstance(ty, T.StructT):
            for i, (_, field_ty) in enumerate(self.struct_fields[ty.struct]):
                if isinstance(field_ty, (T.VecT, T.StructT)):
                    self.free_value(self.b.extract_value(value, i), field_ty)
            return
        if isinstance(ty, (T.StrT, T.SliceT)):
            self.b.call(self.native.libc("free"),
                        [self.b.bitcast(self.b.extract_value(value, 0), PTR)])
        else:
            self.b.call(self.helper_vec_free(ty.elem), [value])

    def helper_vec_free(self, elem: T.Type) -> ir.Function:
        """`void free(header)`: free a `Vec`'s items and header."""
        header_t = self.vec_header(elem)

        def build(fn):
            b = self.b
            header = fn.args[0]
            data = b.load(b.gep(header, [const_i64(0), ir.Constant(I32, 0)]))
            if isinstance(elem, T.VecT):
                # a `Vec` of `Vec`s owns its rows (see `sxc.drops`)
                length = b.load(b.gep(header, [const_i64(0), ir.Constant(I32, 1)]))
                counter = self.alloca(I64)
                b.store(const_i64(0), counter)
                cond = fn.append_basic_block("rows")
                body = fn.append_basic_block("row")
                done = fn.append_basic_block("done")
                b.branch(cond)
                b.position_at_end(cond)
                i = b.load(counter)
                b.cbranch(b.icmp_unsigned("<", i, length), body, done)
                b.position_at_end(body)
                b.call(self.helper_vec_free(elem.elem), [b.load(b.gep(data, [i]))])
                b.store(b.add(i, const_i64(1)), counter)
                b.branch(cond)
                b.position_at_end(done)
            b.call(self.native.libc("free"), [b.bitcast(data, PTR)])
            b.call(self.native.libc("free"), [b.bitcast(header, PTR)])
            b.ret_void()

        return self._helper(f"vec_free.{_type_key(self.ll(elem))}", ir.VoidType(),
                            [header_t.as_pointer()], build)

    def stmt(self, stmt: ast.Stmt) -> None:
        if self.b.block.is_terminated:
            self.dead_block()
        if isinstance(stmt, ast.Let):
            self.let(stmt)
        elif isinstance(stmt, ast.ExprStmt):
            self.value(stmt.expr)
        elif isinstance(stmt, ast.Assign):
            self.assign(stmt)

    def let(self, stmt: ast.Let) -> None:
        ty = stmt.ty
        value = self.value(stmt.init) if stmt.init is not None else None
        self.bind(stmt.pattern, ty, value)
        if getattr(stmt, "drop", False) and value is not None and value is not NEVER:
            slot = self.st.locals[-1][stmt.pattern.name]
            self.st.drops[-1].append((slot, ty))

    def bind(self, pattern: ast.Pattern, ty: T.Type, value) -> None:
        if isinstance(pattern, ast.NamePattern):
            slot = self.alloca(self.ll(ty), pattern.name)
            if value is not None and value is not NEVER:
                self.store(value, slot)
            self.st.locals[-1][pattern.name] = slot
        elif isinstance(pattern, ast.TuplePattern):
            source = None
            if value is not None and value is not NEVER and is_large(value.type):
                source = self.spill(value)
            items = ty.items if isinstance(ty, T.TupleT) else \
                [t for _, t in self.struct_fields[ty.struct]]  # `let P(x, y) = p;`
            for i, (p, t) in enumerate(zip(pattern.items, items)):
                item = None
                if source is not None:
                    item = self.b.load(self.b.gep(source, [const_i64(0), ir.Constant(I32, i)]))
                elif value is not None and value is not NEVER:
                    item = self.b.extract_value(value, i)
                self.bind(p, t, item)

    def assign(self, stmt: ast.Assign) -> None:
        if stmt.op == "=":
            value = self.value(stmt.value)
            ptr = self.addr(stmt.target)
            if value is not NEVER:
                if getattr(stmt, "drop_old", False):
                    old = self.b.load(ptr)
                    self.store(value, ptr)
                    self.free_value(old, stmt.value.ty)
                    return
                self.store(value, ptr)
            return
        # Rust evaluates the right operand first when both are primitive,
        # and the place first otherwise (`s += &t` on a `String`).
        if isinstance(stmt.target.ty, (T.IntT, T.FloatT, T.BoolT)):
            rhs = self.value(stmt.value)
            if rhs is NEVER:
                return
            ptr = self.addr(stmt.target)
        else:
            ptr = self.addr(stmt.target)
            rhs = self.value(stmt.value)
            if rhs is NEVER:
                return
        current = self.b.load(ptr)
        result = self.arith(stmt.op[:-1], current, rhs, stmt.target.ty, stmt.value.ty,
                            stmt.span)
        self.b.store(result, ptr)
        if isinstance(stmt.target.ty, T.StrT):
            self.free_if_temporary(stmt.value, rhs)

    def free_if_temporary(self, e: ast.Expr, value: ir.Value) -> None:
        """Free the string `value` of `e` when `e` is a `format!` or `to_string()`
        that only this operation reads, as in `s += &format!(...)`.

        Compiled code frees no other string, because strings share their
        bytes; these two build a new buffer, and appending copies it."""
        while isinstance(e, ast.Ref):
            e = e.operand
        fresh = (isinstance(e, ast.MacroCall) and e.name == "format"
                 or isinstance(e, (ast.MethodCall, ast.Call))
                 and getattr(e, "target", None) == ("builtin", "to_string"))
        if fresh and value is not NEVER:
            self.b.call(self.native.libc("free"), [self.b.extract_value(value, 0)])

    def store(self, value: ir.Value, ptr: ir.Value) -> None:
        """Store `value` at `ptr`, copying a large aggregate with `memcpy`.

        An array value is an SSA aggregate loaded from memory; LLVM splits the
        store of a `[10000 x double]` element by element, which takes seconds
        to optimise. When the load is the last memory operation emitted, the
        same copy is a `memcpy` from the loaded address."""
        if (isinstance(value, ir.LoadInstr) and is_large(value.type)
                and self._load_is_last(value)):
            self.b.block.instructions.remove(value)
            size = self.b.ptrtoint(self.b.gep(ir.Constant(ptr.type, None), [const_i64(1)]),
                                   I64)
            source = value.operands[0]
            self.b.call(self.native.libc("memcpy"),
                        [self.b.bitcast(ptr, PTR), self.b.bitcast(source, PTR), size])
            return
        self.b.store(value, ptr)

    def _load_is_last(self, load: ir.LoadInstr) -> bool:
        """Return whether no instruction after `load` in its block reads or writes
        memory, and nothing but the caller uses the loaded value."""
        instructions = self.b.block.instructions
        if load not in instructions:
            return False
        after = instructions[instructions.index(load) + 1:]
        if any(load in getattr(i, "operands", ()) for i in after):
            return False
        return all(isinstance(i, (ir.GEPInstr, ir.CastInstr, ir.CompareInstr)) or
                   (type(i) is ir.Instruction and i.opname in PURE_OPS) for i in after)

    # ------------------------------------------------------------ places

    def addr(self, e: ast.Expr) -> ir.Value:
        """Return a pointer to the place `e` denotes (or to a temporary copy)."""
        if isinstance(e, ast.Path) and getattr(e, "target", (None,))[0] == "local":
            return self.lookup(e.segments[0])
        if isinstance(e, ast.Field):
            base_ptr = self.deref_to_struct_ptr(e.base)
            struct = T.strip_refs(e.base.ty)
            index = [f for f, _ in self.struct_fields[struct.struct]].index(e.name)
            return self.b.gep(base_ptr, [const_i64(0), ir.Constant(I32, index)])
        if isinstance(e, ast.TupleField):
            base_ptr = self.deref_to_struct_ptr(e.base)
            return self.b.gep(base_ptr, [const_i64(0), ir.Constant(I32, e.index)])
        if isinstance(e, ast.VariantField):
            base_ptr = self.deref_to_struct_ptr(e.value)
            position = self.enum_slots[(e.enum, e.variant)][e.index]
            return self.b.gep(base_ptr, [const_i64(0), ir.Constant(I32, position)])
        if isinstance(e, ast.Index):
            return self.index_addr(e)
        if isinstance(e, ast.Unary) and e.op == "*":
            if isinstance(e.operand.ty, T.RefT):
                return self.value(e.operand)
            return self.addr(e.operand)
        value = self.value(e)
        slot = self.alloca(self.ll(e.ty))
        if value is not NEVER:
            self.store(value, slot)
        return slot

    def deref_to_struct_ptr(self, base: ast.Expr) -> ir.Value:
        t = base.ty
        if isinstance(t, T.RefT):
            ptr = self.value(base)
            t = t.inner
            while isinstance(t, T.RefT):
                ptr = self.b.load(ptr)
                t = t.inner
            return ptr
        return self.addr(base)

    def index_addr(self, e: ast.Index) -> ir.Value:
        """Return the address of `base[index]`, evaluating the base first, as Rust does."""
        base_t = e.base.ty
        inner = T.strip_refs(base_t)

        def index_value():
            return self.to_i64(self.value(e.index), e.index.ty)

        if isinstance(inner, T.ArrayT):
            arr_ptr = self.deref_to_struct_ptr(e.base)
            index = index_value()
            self.bounds(index, const_i64(inner.size), e.span)
            return self.b.gep(arr_ptr, [const_i64(0), index], inbounds=True)
        if isinstance(inner, T.VecT):
            header = self.vec_value(e.base)
            index = index_value()
            data = self.b.load(self.b.gep(header, [const_i64(0), ir.Constant(I32, 0)]))
            length = self.b.load(self.b.gep(header, [const_i64(0), ir.Constant(I32, 1)]))
            self.bounds(index, length, e.span)
            return self.b.gep(data, [index], inbounds=True)
        if isinstance(inner, T.SliceT):
            sl = self.value(e.base)
            while isinstance(sl.type, ir.PointerType):
                sl = self.b.load(sl)
            index = index_value()
            data = self.b.extract_value(sl, 0)
            self.bounds(index, self.b.extract_value(sl, 1), e.span)
            return self.b.gep(data, [index], inbounds=True)
        raise InternalError(f"cannot index {base_t}")

    def vec_value(self, e: ast.Expr) -> ir.Value:
        """Return the header pointer of a `Vec` expression, through any references."""
        v = self.value(e)
        t = e.ty
        while isinstance(t, T.RefT):
            v = self.b.load(v)
            t = t.inner
        return v

    def bounds(self, index: ir.Value, length: ir.Value, span: Span) -> None:
        ok = self.b.icmp_unsigned("<", index, length)
        fail = self.st.fn.append_basic_block("bounds.fail")
        cont = self.st.fn.append_basic_block("bounds.ok")
        self.b.cbranch(ok, cont, fail)
        self.b.position_at_end(fail)
        self.native.panic_fmt(self.b, f"{self.loc(span)}: runtime error: index out of "
                              "bounds: the len is %llu but the index is %llu", length, index)
        self.b.position_at_end(cont)

    def to_i64(self, v: ir.Value, t: T.Type) -> ir.Value:
        if isinstance(t, T.IntT) and t.bits < 64:
            return self.b.sext(v, I64) if t.signed else self.b.zext(v, I64)
        return v

    # ------------------------------------------------------------ expressions

    def value(self, e: ast.Expr):
        if self.b.block.is_terminated:
            self.dead_block()
        method = getattr(self, "v_" + type(e).__name__, None)
        if method is None:
            raise InternalError(f"codegen cannot handle {type(e).__name__}")
        return method(e)

    def v_IntLit(self, e: ast.IntLit):
        if isinstance(e.ty, T.FloatT):
            value = numbers.round_f32(e.value) if e.ty == T.F32 else float(e.value)
            return ir.Constant(self.ll(e.ty), value)
        return ir.Constant(self.ll(e.ty), e.value & ((1 << e.ty.bits) - 1))

    def v_FloatLit(self, e: ast.FloatLit):
        return ir.Constant(self.ll(e.ty), numbers.literal_value(e))

    def v_BoolLit(self, e):
        return ir.Constant(I1, int(e.value))

    def v_UnitLit(self, e):
        return UNIT_VAL

    def v_StrLit(self, e: ast.StrLit):
        return self.native.str_const(self.b, e.value.encode("utf-8"))

    def v_Path(self, e: ast.Path):
        kind, name = e.target
        if kind == "local":
            return self.b.load(self.lookup(name))
        if kind == "const":
            return self.value(self.consts[name].value)
        if kind == "fn":
            return self.functions[name]
        if kind == "num_const":
            ty, value = numbers.const_value(name)
            if isinstance(ty, T.IntT):
                value &= (1 << ty.bits) - 1
            return ir.Constant(self.ll(ty), value)
        if kind == "variant":
            enum, variant = name.rsplit("::", 1)
            return const_i64(self.program.enums[enum].discriminants[variant])
        raise InternalError(f"unknown path kind {kind}")

    def v_Unary(self, e: ast.Unary):
        v = self.value(e.operand)
        if v is NEVER:
            return NEVER
        t = e.operand.ty
        if e.op == "-":
            if isinstance(t, T.FloatT):
                return self.b.fneg(v)
            return self.b.neg(v)
        if e.op == "!":
            return self.b.not_(v)
        if e.op == "*":
            if isinstance(t, T.RefT):
                return self.b.load(v)
            return v
        raise InternalError(e.op)

    def v_Ref(self, e: ast.Ref):
        t = e.operand.ty
        if isinstance(t, (T.StrT, T.SliceT)) and not isinstance(e.ty, T.RefT):
            # `&s` of a string or slice is the value itself; `&mut s` of a
            # `String` is its address, so that `push_str` through it grows `s`
            return self.value(e.operand)
        return self.addr(e.operand)

    def v_Binary(self, e: ast.Binary):
        op = e.op
        if op in ("&&", "||"):
            return self.short_circuit(e)
        lhs = self.value(e.left)
        rhs = self.value(e.right)
        if lhs is NEVER or rhs is NEVER:
            return NEVER
        if op in ("==", "!=", "<", ">", "<=", ">="):
            return self.compare(op, lhs, rhs, e.left.ty, e.span)
        result = self.arith(op, lhs, rhs, e.left.ty, e.right.ty, e.span)
        if isinstance(e.left.ty, T.StrT):
            self.free_if_temporary(e.right, rhs)
        return result

    def short_circuit(self, e: ast.Binary):
        slot = self.alloca(I1)
        lhs = self.value(e.left)
        self.b.store(lhs, slot)
        rhs_bb = self.st.fn.append_basic_block("sc.rhs")
        end_bb = self.st.fn.append_basic_block("sc.end")
        if e.op == "&&":
            self.b.cbranch(lhs, rhs_bb, end_bb)
        else:
            self.b.cbranch(lhs, end_bb, rhs_bb)
        self.b.position_at_end(rhs_bb)
        rhs = self.value(e.right)
        if not self.b.block.is_terminated:
            self.b.store(rhs, slot)
            self.b.branch(end_bb)
        self.b.position_at_end(end_bb)
        return self.b.load(slot)

    def compare(self, op: str, lhs, rhs, t: T.Type, span: Span):
        if isinstance(t, T.FloatT):
            fop = {"==": "==", "!=": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">="}[op]
            if op == "!=":
                return self.b.fcmp_unordered(fop, lhs, rhs)
            return self.b.fcmp_ordered(fop, lhs, rhs)
        if isinstance(t, T.StrT):
            eq = self.b.call(self.helper_str_eq(), [lhs, rhs])
            return eq if op == "==" else self.b.not_(eq)
        if isinstance(t, T.EnumT) or isinstance(t, T.IntT) and t.signed:
            return self.b.icmp_signed(op, lhs, rhs)
        return self.b.icmp_unsigned(op, lhs, rhs)

    def arith(self, op: str, lhs, rhs, t: T.Type, rt: T.Type, span: Span):
        b = self.b
        if isinstance(t, T.FloatT):
            return {"+": b.fadd, "-": b.fsub, "*": b.fmul, "/": b.fdiv, "%": b.frem}[op](lhs, rhs)
        if isinstance(t, T.StrT) and op == "+":
            return self.str_append(lhs, rhs, span)
        if isinstance(t, T.BoolT):
            return {"&": b.and_, "|": b.or_, "^": b.xor}[op](lhs, rhs)
        if op in ("+", "-", "*", "&", "|", "^"):
            return {"+": b.add, "-": b.sub, "*": b.mul, "&": b.and_, "|": b.or_,
                    "^": b.xor}[op](lhs, rhs)
        if op in ("<<", ">>"):
            amount = rhs
            if amount.type.width != lhs.type.width:
                amount = b.zext(amount, lhs.type) if amount.type.width < lhs.type.width \
                    else b.trunc(amount, lhs.type)
            # Rust release builds mask the shift amount to the type's width
            amount = b.and_(amount, ir.Constant(lhs.type, t.bits - 1))
            if op == "<<":
                return b.shl(lhs, amount)
            return b.ashr(lhs, amount) if t.signed else b.lshr(lhs, amount)
        if op in ("/", "%"):
            zero = ir.Constant(lhs.type, 0)
            what = "divide" if op == "/" else "calculate the remainder"
            self.check(b.icmp_unsigned("!=", rhs, zero), span,
                       f"attempt to {what} with a divisor of zero" if op == "%"
                       else "attempt to divide by zero")
            if t.signed:
                minimum = ir.Constant(lhs.type, 1 << (t.bits - 1))
                overflow = b.and_(b.icmp_unsigned("==", lhs, minimum),
                                  b.icmp_signed("==", rhs, ir.Constant(lhs.type, -1)))
                self.check(b.not_(overflow), span, f"attempt to {what} with overflow")
                return b.sdiv(lhs, rhs) if op == "/" else b.srem(lhs, rhs)
            return b.udiv(lhs, rhs) if op == "/" else b.urem(lhs, rhs)
        raise InternalError(f"operator {op} on {t}")

    def v_Cast(self, e: ast.Cast):
        v = self.value(e.operand)
        if v is NEVER:
            return NEVER
        return self.convert(v, e.operand.ty, e.ty)

    def convert(self, v, src: T.Type, dst: T.Type):
        b = self.b
        dst_ll = self.ll(dst)
        if isinstance(src, T.EnumT):
            src = T.I64  # `as` reads the discriminant
        if isinstance(src, T.BoolT):
            if isinstance(dst, T.IntT):
                return b.zext(v, dst_ll)
            if isinstance(dst, T.FloatT):
                return b.uitofp(v, dst_ll)
            return v
        if isinstance(src, T.IntT) and isinstance(dst, T.IntT):
            if dst.bits > src.bits:
                return b.sext(v, dst_ll) if src.signed else b.zext(v, dst_ll)
            if dst.bits < src.bits:
                return b.trunc(v, dst_ll)
            return v
        if isinstance(src, T.IntT) and isinstance(dst, T.FloatT):
            return b.sitofp(v, dst_ll) if src.signed else b.uitofp(v, dst_ll)
        if isinstance(src, T.FloatT) and isinstance(dst, T.IntT):
            # saturating, NaN -> 0, as Rust's `as` does
            name = "llvm.fptosi.sat" if dst.signed else "llvm.fptoui.sat"
            src_name = "f64" if v.type == F64 else "f32"
            fn = self.declare(f"{name}.i{dst.bits}.{src_name}", dst_ll, [v.type])
            return b.call(fn, [v])
        if isinstance(src, T.FloatT) and isinstance(dst, T.FloatT):
            if dst.bits > src.bits:
                return b.fpext(v, dst_ll)
            if dst.bits < src.bits:
                return b.fptrunc(v, dst_ll)
            return v
        return v

    # ------------------------------------------------------------ calls

    def call_args(self, args: list[ast.Expr]):
        values = []
        for a in args:
            v = self.value(a)
            if v is NEVER:
                return None
            values.append(v)
        return values

    def function_args(self, args: list[ast.Expr]):
        """Evaluate the arguments of a call to a function of the program.

        Each large aggregate is copied to a new stack slot as soon as it is
        evaluated, so later arguments cannot change it, and is passed as the
        slot's address (see `fn_type`)."""
        values = []
        for a in args:
            v = self.value(a)
            if v is NEVER:
                return None
            if is_large(v.type):
                v = self.spill(v)
            values.append(v)
        return values

    def spill(self, value: ir.Value) -> ir.Value:
        """Return a new stack slot that contains a copy of `value`."""
        slot = self.alloca(value.type)
        self.store(value, slot)
        return slot

    def call_function(self, fn: ir.Value, values: list[ir.Value],
                      callback_span: Span | None = None) -> ir.Value:
        """Call `fn` with arguments from `function_args`, giving it a result slot if
        it returns a large aggregate.

        With `callback_span`, the call goes through a function pointer that may
        be a Python callback, and its error flag is checked after the call."""
        ftype = fn.function_type if isinstance(fn, ir.Function) else fn.type.pointee
        result_slot = None
        if len(ftype.args) > len(values):
            result_slot = self.alloca(ftype.args[0].pointee)
            values = [result_slot] + values
        result = self.b.call(fn, values)
        if callback_span is not None:
            self.check_callback_error(callback_span)
        if result_slot is not None:
            # the last instruction, so that `store` can copy it with `memcpy`
            return self.b.load(result_slot)
        return result

    def v_Call(self, e: ast.Call):
        kind, name = e.target
        if kind == "builtin":
            return self.builtin(name, e)
        values = self.function_args(e.args)
        if values is None:
            return NEVER
        if kind == "fn":
            result = self.call_function(self.functions[name], values)
        else:
            fn = self.value(e.func)
            result = self.call_function(fn, values, callback_span=e.span)
        return self.call_result(result, e.ty)

    def check_callback_error(self, span: Span) -> None:
        """Panic if the function pointer just called was a Python callback that raised.

        The callback cannot unwind through the Python frames itself, so it sets
        `__sx_callback_error` and returns; `sxc.api` re-raises its exception."""
        failed = self.b.load(self.native.callback_error)
        with self.b.if_then(self.b.icmp_signed("!=", failed, ir.Constant(I32, 0)),
                            likely=False):
            self.panic(span, "a Python callback raised an exception")

    def call_result(self, result, ty: T.Type):
        if isinstance(ty, T.NeverT):
            self.b.unreachable()
            return NEVER
        if isinstance(ty, T.UnitT):
            return UNIT_VAL
        return result

    def v_MethodCall(self, e: ast.MethodCall):
        kind, name = e.target
        if kind == "method":
            return self.struct_method(e, name)
        if kind == "math":
            return self.math(e, name)
        if kind == "int":
            return self.int_method(e, name)
        if kind == "seq":
            return self.seq_method(e, name)
        if kind == "str":
            from sxc import codegen_builtins
            return codegen_builtins.str_method(self, e, name)
        if kind == "char":
            args = [self.value(e.receiver)] + [self.value(a) for a in e.args]
            return self.b.call(self.functions[f"__char_{name}"], args)
        if kind == "builtin":
            return self.builtin(name, e)
        raise InternalError(f"method kind {kind}")

    def struct_method(self, e: ast.MethodCall, key: str):
        fn = self.functions[key]
        sig = self.program.functions[key].sig
        recv_t = e.receiver.ty
        if sig.self_kind == "value":
            recv = self.value(e.receiver)
            while isinstance(recv_t, T.RefT):
                recv = self.b.load(recv)
                recv_t = recv_t.inner
            if recv is not NEVER and is_large(recv.type):
                recv = self.spill(recv)
        else:
            recv = self.deref_to_struct_ptr(e.receiver)
        values = self.function_args(e.args)
        if values is None or recv is NEVER:
            return NEVER
        return self.call_result(self.call_function(fn, [recv] + values), e.ty)

    def math(self, e: ast.MethodCall, name: str):
        x = self.value(e.receiver)
        args = self.call_args(e.args)
        if args is None or x is NEVER:
            return NEVER
        return self.float_op(name, x, args)

    def float_op(self, name: str, x, args):
        b = self.b
        ft = x.type
        if name in INTRINSIC_MATH:
            return b.call(self.intr(INTRINSIC_MATH[name], ft), [x])
        if name == "cbrt":
            from sxc.codegen_numbers import helper_cbrt

            if ft == F64:
                return b.call(helper_cbrt(self), [x])
            # `f32`: the correctly rounded `f64` root, rounded again, which is the
            # correctly rounded `f32` root except at exact midpoints (none found)
            return b.fptrunc(b.call(helper_cbrt(self), [b.fpext(x, F64)]), ft)
        if (name in LIBM_MATH or name in LIBM_MATH2) and ft == F64:
            return b.call(self.native.libc(name), [x] + args)
        if name == "powf":
            return b.call(self.intr("llvm.pow", ft, 2), [x, args[0]])
        if name == "powi":
            # the algorithm of compiler-rt's __powidf2, which Rust's `powi` calls
            key = "__powi_f64" if ft == F64 else "__powi_f32"
            return b.call(self.functions[key], [x, args[0]])
        if name in ("max", "min"):
            # IEEE 754-2019 maximumNumber and minimumNumber: a NaN loses, and
            # +0 is above -0.  `llvm.maxnum` leaves the sign of a zero open,
            # so the result changed with the optimisation level (as Rust's).
            which = "llvm.maximumnum" if name == "max" else "llvm.minimumnum"
            return b.call(self.intr(which, ft, 2), [x, args[0]])
        if name == "clamp":
            lo, hi = args
            y = b.select(b.fcmp_ordered("<", x, lo), lo, x)
            return b.select(b.fcmp_ordered(">", y, hi), hi, y)
        if name == "recip":
            return b.fdiv(ir.Constant(ft, 1.0), x)
        if name == "signum":
            one = b.call(self.intr("llvm.copysign", ft, 2),
                         [ir.Constant(ft, 1.0), x])
            return b.select(b.fcmp_unordered("uno", x, x), x, one)
        if name == "relu":
            return b.select(b.fcmp_ordered(">", x, ir.Constant(ft, 0.0)), x,
                            ir.Constant(ft, 0.0))
        if name == "sigmoid":
            return self.sigmoid(x)
        if name == "softplus":
            # max(x, 0) + log1p(exp(-|x|)) stays finite for any finite x
            ax = b.call(self.intr("llvm.fabs", ft), [x])
            e = b.call(self.intr("llvm.exp", ft), [b.fneg(ax)])
            wide = e if ft == F64 else b.fpext(e, F64)
            l1p = b.call(self.native.libc("log1p"), [wide])
            l1p = l1p if ft == F64 else b.fptrunc(l1p, ft)
            pos = b.select(b.fcmp_ordered(">", x, ir.Constant(ft, 0.0)), x, ir.Constant(ft, 0.0))
            return b.fadd(pos, l1p)
        from sxc import codegen_numbers
        return codegen_numbers.float_method(self, name, x, args)

    def sigmoid(self, z):
        """The overflow-free logistic function: `exp` of a non-positive number only."""
        b = self.b
        ft = z.type
        one = ir.Constant(ft, 1.0)
        exp = self.intr("llvm.exp", ft)
        nonneg = b.fcmp_ordered(">=", z, ir.Constant(ft, 0.0))
        e = b.call(exp, [b.select(nonneg, b.fneg(z), z)])
        denom = b.fadd(one, e)
        return b.select(nonneg, b.fdiv(one, denom), b.fdiv(e, denom))

    def int_method(self, e: ast.MethodCall, name: str):
        from sxc import codegen_numbers
        return codegen_numbers.int_method(self, e, name)

    # ------------------------------------------------------------ sequences

    def seq_parts(self, e: ast.Expr):
        """Return (data pointer, length) of a Vec, array or slice expression."""
        t = T.strip_refs(e.ty)
        if isinstance(t, T.VecT):
            header = self.vec_value(e)
            data = self.b.load(self.b.gep(header, [const_i64(0), ir.Constant(I32, 0)]))
            length = self.b.load(self.b.gep(header, [const_i64(0), ir.Constant(I32, 1)]))
            return data, length
        if isinstance(t, T.ArrayT):
            # `a.iter()` borrows `a`, so read it in place: a copy of a large array
            # as one LLVM value takes LLVM's passes minutes
            while isinstance(e, ast.MethodCall) and e.method == "iter" and \
                    getattr(e, "target", None) == ("seq", "identity"):
                e = e.receiver
            ptr = self.deref_to_struct_ptr(e)
            return self.b.gep(ptr, [const_i64(0), const_i64(0)]), const_i64(t.size)
        if isinstance(t, T.SliceT):
            sl = self.value(e)
            while isinstance(sl.type, ir.PointerType):
                sl = self.b.load(sl)
            return self.b.extract_value(sl, 0), self.b.extract_value(sl, 1)
        raise InternalError(f"not a sequence: {e.ty}")

    def seq_method(self, e: ast.MethodCall, name: str):
        b = self.b
        t = T.strip_refs(e.receiver.ty)
        if name == "len":
            return self.seq_parts(e.receiver)[1]
        if name == "is_empty":
            return b.icmp_unsigned("==", self.seq_parts(e.receiver)[1], const_i64(0))
        if name == "identity":
            # `v.iter()` has the type of the sequence itself, so look through `&`
            v = self.value(e.receiver)
            t = e.receiver.ty
            while isinstance(t, T.RefT):
                v = b.load(v)
                t = t.inner
            return v
        if name == "push":
            header = self.vec_value(e.receiver)
            value = self.value(e.args[0])
            self.vec_push(t.elem, header, value, e.span)
            return UNIT_VAL
        if name in ("join", "concat"):
            return self.join_strings(e, name)
        if name == "pop":
            header = self.vec_value(e.receiver)
            len_ptr = b.gep(header, [const_i64(0), ir.Constant(I32, 1)])
            length = b.load(len_ptr)
            self.check(b.icmp_unsigned(">", length, const_i64(0)), e.span,
                       "called `pop` on an empty `Vec`")
            n = b.sub(length, const_i64(1))
            b.store(n, len_ptr)
            data = b.load(b.gep(header, [const_i64(0), ir.Constant(I32, 0)]))
            return b.load(b.gep(data, [n]))
        if name == "truncate":
            header = self.vec_value(e.receiver)
            len_ptr = b.gep(header, [const_i64(0), ir.Constant(I32, 1)])
            n = self.to_i64(self.value(e.args[0]), e.args[0].ty)
            length = b.load(len_ptr)
            b.store(b.select(b.icmp_unsigned("<", n, length), n, length), len_ptr)
            return UNIT_VAL
        if name == "clear":
            header = self.vec_value(e.receiver)
            b.store(const_i64(0), b.gep(header, [const_i64(0), ir.Constant(I32, 1)]))
            return UNIT_VAL
        if name == "swap":
            data, length = self.seq_parts(e.receiver)
            i = self.to_i64(self.value(e.args[0]), e.args[0].ty)
            j = self.to_i64(self.value(e.args[1]), e.args[1].ty)
            self.bounds(i, length, e.span)
            self.bounds(j, length, e.span)
            pi, pj = b.gep(data, [i]), b.gep(data, [j])
            vi, vj = b.load(pi), b.load(pj)
            b.store(vj, pi)
            b.store(vi, pj)
            return UNIT_VAL
        if name == "clone":
            if isinstance(t, T.ArrayT) and isinstance(e.ty, T.ArrayT):
                return b.load(self.deref_to_struct_ptr(e.receiver))
            data, length = self.seq_parts(e.receiver)
            return b.call(self.helper_vec_from(t.elem), [data, length])
        if name in ("first", "last"):
            data, length = self.seq_parts(e.receiver)
            self.check(b.icmp_unsigned(">", length, const_i64(0)), e.span,
                       f"called `{name}` on an empty sequence")
            idx = const_i64(0) if name == "first" else b.sub(length, const_i64(1))
            return b.load(b.gep(data, [idx]))
        if name in ("sum", "contains"):
            return self.seq_fold(e, name, t)
        from sxc import codegen_seq
        if name in codegen_seq.EDIT_METHODS:
            return codegen_seq.seq_edit(self, e, name)
        raise InternalError(f"seq method {name}")

    def seq_fold(self, e: ast.MethodCall, name: str, t):
        b = self.b
        data, length = self.seq_parts(e.receiver)
        target = self.value(e.args[0]) if name == "contains" else None
        elem_ll = self.ll(t.elem)
        acc = self.alloca(elem_ll if name == "sum" else I1)
        # Rust's float sum starts at -0.0, so that a sum of -0.0s is -0.0
        zero = ir.Constant(elem_ll, -0.0 if isinstance(t.elem, T.FloatT) else 0)
        b.store(zero if name == "sum" else ir.Constant(I1, 0), acc)
        self.counted_loop(length, lambda i: self._fold_step(name, data, i, acc, target, t.elem))
        return b.load(acc)

    def _fold_step(self, name, data, i, acc, target, elem):
        b = self.b
        item = b.load(b.gep(data, [i]))
        if name == "sum":
            add = b.fadd if isinstance(elem, T.FloatT) else b.add
            b.store(add(b.load(acc), item), acc)
        else:
            eq = self.compare("==", item, target, elem, None)
            b.store(b.or_(b.load(acc), eq), acc)

    def join_strings(self, e: ast.MethodCall, name: str) -> ir.Value:
        """Emit `parts.join(sep)` or `parts.concat()` of a sequence of strings."""
        b = self.b
        data, length = self.seq_parts(e.receiver)
        sep = self.value(e.args[0]) if name == "join" else None
        out = self.alloca(STR)
        b.store(ir.Constant(STR, [ir.Constant(PTR, None), const_i64(0)]), out)

        def add(i):
            if sep is not None:
                with b.if_then(b.icmp_unsigned("!=", i, const_i64(0))):
                    b.store(self.str_append(b.load(out), sep, e.span), out)
            b.store(self.str_append(b.load(out), b.load(b.gep(data, [i])), e.span), out)

        self.counted_loop(length, add)
        return b.load(out)

    def counted_loop(self, count: ir.Value, body) -> None:
        """Emit `for i in 0..count { body(i) }` with an i64 counter."""
        b = self.b
        slot = self.alloca(I64)
        b.store(const_i64(0), slot)
        cond_bb = self.st.fn.append_basic_block("cl.cond")
        body_bb = self.st.fn.append_basic_block("cl.body")
        end_bb = self.st.fn.append_basic_block("cl.end")
        b.branch(cond_bb)
        b.position_at_end(cond_bb)
        i = b.load(slot)
        b.cbranch(b.icmp_unsigned("<", i, count), body_bb, end_bb)
        b.position_at_end(body_bb)
        body(i)
        b.store(b.add(b.load(slot), const_i64(1)), slot)
        b.branch(cond_bb)
        b.position_at_end(end_bb)

    # ------------------------------------------------------------ literals

    def v_StructLit(self, e: ast.StructLit):
        ty = self.struct_types[e.name]
        order = [f for f, _ in self.struct_fields[e.name]]
        if is_large(ty):
            return self.literal_in_memory(ty, [(order.index(f), x) for f, x in e.fields])
        values = {}
        for fname, fexpr in e.fields:
            v = self.value(fexpr)
            if v is NEVER:
                return NEVER
            values[fname] = v
        agg = ir.Constant(ty, ir.Undefined)
        for i, fname in enumerate(order):
            agg = self.b.insert_value(agg, values[fname], i)
        return agg

    def v_VariantLit(self, e: ast.VariantLit):
        ty = self.enum_types[e.enum]
        tag = const_i64(list(self.program.enums[e.enum].kinds).index(e.variant))
        positions = self.enum_slots[(e.enum, e.variant)]
        if is_large(ty):
            slot = self.alloca(ty)
            self.b.store(ir.Constant(ty, None), slot)
            self.b.store(tag, self.b.gep(slot, [const_i64(0), ir.Constant(I32, 0)]))
            for position, arg in zip(positions, e.args):
                v = self.value(arg)
                if v is NEVER:
                    return NEVER
                self.store(v, self.b.gep(slot, [const_i64(0), ir.Constant(I32, position)]))
            return self.b.load(slot)
        values = self.call_args(e.args)
        if values is None:
            return NEVER
        # the members of the other variants stay zero
        agg = self.b.insert_value(ir.Constant(ty, None), tag, 0)
        for position, v in zip(positions, values):
            agg = self.b.insert_value(agg, v, position)
        return agg

    def enum_member(self, value: ast.Expr, position: int) -> ir.Value:
        """Return member `position` of the enum value `value`: its tag, or a payload item."""
        ty = self.ll(value.ty)
        if not _is_place(value) and not is_large(ty):
            v = self.value(value)
            if v is NEVER:
                return NEVER
            return self.b.extract_value(v, position)
        return self.b.load(self.b.gep(self.addr(value), [const_i64(0), ir.Constant(I32, position)]))

    def v_VariantIs(self, e: ast.VariantIs):
        tag = self.enum_member(e.value, 0)
        if tag is NEVER:
            return NEVER
        index = list(self.program.enums[e.enum].kinds).index(e.variant)
        return self.b.icmp_signed("==", tag, const_i64(index))

    def v_VariantField(self, e: ast.VariantField):
        return self.enum_member(e.value, self.enum_slots[(e.enum, e.variant)][e.index])

    def v_TupleLit(self, e: ast.TupleLit):
        if is_large(self.ll(e.ty)):
            return self.literal_in_memory(self.ll(e.ty), list(enumerate(e.items)))
        values = self.call_args(e.items)
        if values is None:
            return NEVER
        agg = ir.Constant(self.ll(e.ty), ir.Undefined)
        for i, v in enumerate(values):
            agg = self.b.insert_value(agg, v, i)
        return agg

    def v_ArrayLit(self, e: ast.ArrayLit):
        if is_large(self.ll(e.ty)):
            return self.literal_in_memory(self.ll(e.ty), list(enumerate(e.items)))
        values = self.call_args(e.items)
        if values is None:
            return NEVER
        agg = ir.Constant(self.ll(e.ty), ir.Undefined)
        for i, v in enumerate(values):
            agg = self.b.insert_value(agg, v, i)
        return agg

    def literal_in_memory(self, ty: ir.Type, parts: list[tuple[int, ast.Expr]]):
        """Build a large struct, tuple or array literal in a stack slot.

        `parts` pairs each member's position with its expression, in the order
        of evaluation.  Each member is stored as soon as it is evaluated, and the
        result is a load of the slot, which `store` copies with `memcpy`."""
        slot = self.alloca(ty)
        for position, expr in parts:
            v = self.value(expr)
            if v is NEVER:
                return NEVER
            index = ir.Constant(I32, position) if isinstance(ty, ir.BaseStructType) \
                else const_i64(position)
            self.store(v, self.b.gep(slot, [const_i64(0), index]))
        return self.b.load(slot)

    def v_ArrayRepeat(self, e: ast.ArrayRepeat):
        v = self.value(e.value)
        if v is NEVER:
            return NEVER
        ty = self.ll(e.ty)
        slot = self.alloca(ty)
        base = self.b.gep(slot, [const_i64(0), const_i64(0)])
        if is_large(v.type):
            # LLVM splits the store of a large aggregate into one store per
            # scalar, and `[[0.0; 10000]; 10000]` did not finish optimising
            # within 2 minutes.  So each element is a `memcpy` of one copy.
            source = self.b.bitcast(self.spill(v), PTR)
            size = self.b.ptrtoint(
                self.b.gep(ir.Constant(v.type.as_pointer(), None), [const_i64(1)]), I64)
            memcpy = self.native.libc("memcpy")
            self.counted_loop(const_i64(e.ty.size), lambda i: self.b.call(
                memcpy, [self.b.bitcast(self.b.gep(base, [i]), PTR), source, size]))
        else:
            self.counted_loop(const_i64(e.ty.size),
                              lambda i: self.b.store(v, self.b.gep(base, [i])))
        return self.b.load(slot)

    def v_VecLit(self, e: ast.VecLit):
        elem = e.ty.elem
        push = self.helper_vec_push(elem)
        messages = self.growth_messages(e.span)
        if e.count is not None:
            v = self.value(e.items[0])
            n = self.to_i64(self.value(e.count), e.count.ty)
            # reserve all n elements first, so a count too large for memory
            # fails at once instead of after growing the buffer step by step
            header = self.vec_new(elem, n, e.count.span)
            if isinstance(elem, T.VecT):
                # `vec![row; n]` clones `row` for each element, as Rust does,
                # so the rows do not share one buffer.
                # TODO: the copy is one level deep; a Vec<Vec<Vec<T>>> row
                # still shares its innermost buffers.
                data = self.b.load(self.b.gep(v, [const_i64(0), ir.Constant(I32, 0)]))
                length = self.b.load(self.b.gep(v, [const_i64(0), ir.Constant(I32, 1)]))
                copy = self.helper_vec_from(elem.elem)
                self.counted_loop(n, lambda i: self.b.call(
                    push, [header, self.b.call(copy, [data, length])] + messages))
                return header
            self.counted_loop(n, lambda i: self.b.call(push, [header, v] + messages))
            return header
        header = self.vec_new(elem, const_i64(len(e.items)))
        for item in e.items:
            v = self.value(item)
            if v is NEVER:
                return NEVER
            self.b.call(push, [header, v] + messages)
        return header

    def v_Field(self, e: ast.Field):
        base_t = e.base.ty
        if isinstance(base_t, T.StructT) and not _is_place(e.base) \
                and not is_large(self.ll(base_t)):
            agg = self.value(e.base)
            index = [f for f, _ in self.struct_fields[base_t.struct]].index(e.name)
            return self.b.extract_value(agg, index)
        return self.b.load(self.addr(e))

    def v_TupleField(self, e: ast.TupleField):
        if isinstance(e.base.ty, T.TupleT) and not _is_place(e.base) \
                and not is_large(self.ll(e.base.ty)):
            return self.b.extract_value(self.value(e.base), e.index)
        return self.b.load(self.addr(e))

    def v_Index(self, e: ast.Index):
        if isinstance(e.index, ast.Range):
            return self.range_slice(e)
        return self.b.load(self.index_addr(e))

    def range_slice(self, e: ast.Index):
        """`v[a..b]`: the slice `{data + a, b - a}` after Rust's bounds checks."""
        b = self.b
        rng: ast.Range = e.index
        is_str = isinstance(T.strip_refs(e.base.ty), T.StrT)
        if is_str:
            s = self.value(e.base)
            while isinstance(s.type, ir.PointerType):
                s = b.load(s)
            data, length = b.extract_value(s, 0), b.extract_value(s, 1)
        else:
            data, length = self.seq_parts(e.base)
        start = const_i64(0) if rng.start is None else self.value(rng.start)
        end = length if rng.end is None else self.value(rng.end)
        if rng.inclusive:
            end = b.add(end, const_i64(1))
        where = f"{self.loc(e.span)}: runtime error: "
        fail = self.st.fn.append_basic_block("slice.fail")
        ok = self.st.fn.append_basic_block("slice.ok")
        bad = b.or_(b.icmp_unsigned(">", end, length), b.icmp_unsigned(">", start, end))
        b.cbranch(bad, fail, ok)
        b.position_at_end(fail)
        for cond, fmt, x, y in (
                (b.icmp_unsigned(">", start, length),
                 "range start index %llu out of range for slice of length %llu", start, length),
                (b.icmp_unsigned(">", end, length),
                 "range end index %llu out of range for slice of length %llu", end, length)):
            hit = self.st.fn.append_basic_block("slice.fail")
            miss = self.st.fn.append_basic_block("slice.fail")
            b.cbranch(cond, hit, miss)
            b.position_at_end(hit)
            self.native.panic_fmt(b, where + fmt, x, y)
            b.position_at_end(miss)
        self.native.panic_fmt(b, where + "slice index starts at %llu but ends at %llu",
                              start, end)
        b.position_at_end(ok)
        if is_str:
            for name, index in (("start", start), ("end", end)):
                self.char_boundary_check(data, length, index, f"{where}{name} ")
        out = ir.Constant(self.ll(e.ty), ir.Undefined)
        out = b.insert_value(out, b.gep(data, [start]), 0)
        return b.insert_value(out, b.sub(end, start), 1)

    def char_boundary_check(self, data, length, index, where: str) -> None:
        """Panic as Rust does unless byte `index` (at most `length`) starts a UTF-8 character."""
        b = self.b
        inside = self.st.fn.append_basic_block("slice.char")
        fail = self.st.fn.append_basic_block("slice.char.fail")
        ok = self.st.fn.append_basic_block("slice.char.ok")
        b.cbranch(b.icmp_unsigned("<", index, length), inside, ok)
        b.position_at_end(inside)
        # the continuation bytes of a character are 0b10xxxxxx
        top = b.and_(b.load(b.gep(data, [index])), ir.Constant(I8, 0xC0))
        b.cbranch(b.icmp_unsigned("==", top, ir.Constant(I8, 0x80)), fail, ok)
        b.position_at_end(fail)
        self.native.panic_fmt(b, where + "byte index %llu is not a char boundary", index,
                              length)
        b.position_at_end(ok)

    # ------------------------------------------------------------ control flow

    def v_Block(self, e: ast.Block):
        return self.block_value(e)

    def v_If(self, e: ast.If):
        b = self.b
        cond = self.value(e.cond)
        if cond is NEVER:
            return NEVER
        has_value = not isinstance(e.ty, (T.UnitT, T.NeverT))
        slot = self.alloca(self.ll(e.ty)) if has_value else None
        then_bb = self.st.fn.append_basic_block("if.then")
        else_bb = self.st.fn.append_basic_block("if.else")
        end_bb = self.st.fn.append_basic_block("if.end")
        b.cbranch(cond, then_bb, else_bb)
        b.position_at_end(then_bb)

        def finish(v) -> bool:
            """End the branch that produced `v`; return whether it reaches `end_bb`."""
            if b.block.is_terminated:
                return False
            if v is NEVER:
                # after a `return` the builder sits in a fresh block that nothing
                # reaches, so a branch that diverges ends there
                b.unreachable()
                return False
            if has_value:
                self.store(v, slot)
            b.branch(end_bb)
            return True

        reached = finish(self.block_value(e.then))
        b.position_at_end(else_bb)
        if e.else_ is not None:
            reached = finish(self.value(e.else_)) or reached
        else:
            b.branch(end_bb)
            reached = True
        b.position_at_end(end_bb)
        if not reached:
            b.unreachable()
            return NEVER
        return b.load(slot) if has_value else UNIT_VAL

    def loop_body(self, label, body: ast.Block, break_bb, continue_bb, slot=None):
        self.st.loops.append(LoopCtx(label, break_bb, continue_bb, slot,
                                     len(self.st.drops)))
        self.block_value(body)
        self.st.loops.pop()

    def v_While(self, e: ast.While):
        b = self.b
        cond_bb = self.st.fn.append_basic_block("while.cond")
        body_bb = self.st.fn.append_basic_block("while.body")
        end_bb = self.st.fn.append_basic_block("while.end")
        b.branch(cond_bb)
        b.position_at_end(cond_bb)
        cond = self.value(e.cond)
        b.cbranch(cond, body_bb, end_bb)
        b.position_at_end(body_bb)
        self.loop_body(e.label, e.body, end_bb, cond_bb)
        if not b.block.is_terminated:
            b.branch(cond_bb)
        b.position_at_end(end_bb)
        return UNIT_VAL

    def v_Loop(self, e: ast.Loop):
        b = self.b
        body_bb = self.st.fn.append_basic_block("loop.body")
        end_bb = self.st.fn.append_basic_block("loop.end")
        has_value = not isinstance(e.ty, (T.UnitT, T.NeverT))
        slot = self.alloca(self.ll(e.ty)) if has_value else None
        b.branch(body_bb)
        b.position_at_end(body_bb)
        self.loop_body(e.label, e.body, end_bb, body_bb, slot)
        if not b.block.is_terminated:
            b.branch(body_bb)
        b.position_at_end(end_bb)
        if isinstance(e.ty, T.NeverT):
            b.unreachable()
            return NEVER
        return b.load(slot) if has_value else UNIT_VAL

    def v_For(self, e: ast.For):
        it = e.iter
        if isinstance(it.ty, T.RangeT):
            return self.for_range(e)
        return self.for_seq(e)

    def for_range(self, e: ast.For):
        b = self.b
        rng: ast.Range = e.iter
        start = self.value(rng.start)
        end = self.value(rng.end)
        t = rng.ty.elem
        counter = self.alloca(self.ll(t))
        b.store(start, counter)
        cond_bb = self.st.fn.append_basic_block("for.cond")
        body_bb = self.st.fn.append_basic_block("for.body")
        step_bb = self.st.fn.append_basic_block("for.step")
        end_bb = self.st.fn.append_basic_block("for.end")
        cmp = b.icmp_signed if t.signed else b.icmp_unsigned
        b.branch(cond_bb)
        b.position_at_end(cond_bb)
        i = b.load(counter)
        b.cbranch(cmp("<=" if rng.inclusive else "<", i, end), body_bb, end_bb)
        b.position_at_end(body_bb)
        self.st.locals.append({})
        self.bind(e.pattern, t, i)
        self.loop_body(e.label, e.body, end_bb, step_bb)
        self.st.locals.pop()
        if not b.block.is_terminated:
            b.branch(step_bb)
        b.position_at_end(step_bb)
        current = b.load(counter)
        if rng.inclusive:
            # stop at `end` itself, so `0..=MAX` does not wrap around
            last = b.icmp_unsigned("==", current, end)
            next_bb = self.st.fn.append_basic_block("for.next")
            b.cbranch(last, end_bb, next_bb)
            b.position_at_end(next_bb)
        b.store(b.add(current, ir.Constant(current.type, 1)), counter)
        b.branch(cond_bb)
        b.position_at_end(end_bb)
        return UNIT_VAL

    def for_seq(self, e: ast.For):
        b = self.b
        enumerate_ = isinstance(e.iter.ty, T.EnumerateT)
        seq = e.iter.receiver if enumerate_ else e.iter
        temporary = getattr(e, "free_iter", False)
        if temporary:
            # a new buffer that only this loop reads (`for w in s.split(' ')`):
            # freed after the loop, on `break` and on `return`
            t = T.strip_refs(seq.ty)
            raw = self.vec_value(seq) if isinstance(t, T.VecT) else self.value(seq)
            slot = self.alloca(raw.type)
            b.store(raw, slot)
            self.st.drops.append([(slot, t)])
            if isinstance(t, T.VecT):
                data = b.load(b.gep(raw, [const_i64(0), ir.Constant(I32, 0)]))
                length = b.load(b.gep(raw, [const_i64(0), ir.Constant(I32, 1)]))
            else:
                data, length = b.extract_value(raw, 0), b.extract_value(raw, 1)
        else:
            data, length = self.seq_parts(seq)
        counter = self.alloca(I64)
        b.store(const_i64(0), counter)
        cond_bb = self.st.fn.append_basic_block("for.cond")
        body_bb = self.st.fn.append_basic_block("for.body")
        step_bb = self.st.fn.append_basic_block("for.step")
        end_bb = self.st.fn.append_basic_block("for.end")
        b.branch(cond_bb)
        b.position_at_end(cond_bb)
        i = b.load(counter)
        b.cbranch(b.icmp_unsigned("<", i, length), body_bb, end_bb)
        b.position_at_end(body_bb)
        item = b.load(b.gep(data, [i]))
        if enumerate_:
            pair = ir.Constant(self.ll(e.elem_ty), ir.Undefined)
            item = b.insert_value(b.insert_value(pair, i, 0), item, 1)
        self.st.locals.append({})
        self.bind(e.pattern, e.elem_ty, item)
        self.loop_body(e.label, e.body, end_bb, step_bb)
        self.st.locals.pop()
        if not b.block.is_terminated:
            b.branch(step_bb)
        b.position_at_end(step_bb)
        b.store(b.add(b.load(counter), const_i64(1)), counter)
        b.branch(cond_bb)
        b.position_at_end(end_bb)
        if temporary:
            self.free_scopes(len(self.st.drops) - 1)
            self.st.drops.pop()
        return UNIT_VAL

    def find_loop(self, label: str | None) -> LoopCtx:
        for ctx in reversed(self.st.loops):
            if label is None or ctx.label == label:
                return ctx
        raise InternalError(f"no loop {label}")

    def v_Break(self, e: ast.Break):
        ctx = self.find_loop(e.label)
        if e.value is not None:
            v = self.value(e.value)
            if ctx.slot is not None and v is not NEVER:
                self.store(v, ctx.slot)
        if not self.b.block.is_terminated:
            self.free_scopes(ctx.scopes)
            self.b.branch(ctx.break_bb)
        return NEVER

    def v_Continue(self, e: ast.Continue):
        ctx = self.find_loop(e.label)
        self.free_scopes(ctx.scopes)
        self.b.branch(ctx.continue_bb)
        return NEVER

    def v_Return(self, e: ast.Return):
        if e.value is None or isinstance(self.st.ret_type, T.UnitT):
            if e.value is not None:
                self.value(e.value)
            if not self.b.block.is_terminated:
                self.free_scopes(0)
                self.b.ret_void()
        else:
            v = self.value(e.value)
            if v is not NEVER:
                self.free_scopes(0)
                self.ret(v)
        return NEVER

    def ret(self, value: ir.Value) -> None:
        """Return `value`, through the result pointer if it is a large aggregate."""
        if self.st.sret is None:
            self.b.ret(value)
            return
        self.store(value, self.st.sret)
        self.b.ret_void()

    def v_Range(self, e: ast.Range):
        raise InternalError("a range outside a `for` loop reached codegen")

    # ------------------------------------------------------------ builtins

    def builtin(self, name: str, e):
        from sxc import codegen_builtins
        return codegen_builtins.emit(self, name, e)

    def v_MacroCall(self, e: ast.MacroCall):
        from sxc import codegen_builtins
        return codegen_builtins.macro(self, e)

    # ------------------------------------------------------------ generated helpers

    def _helper(self, key: str, ret: ir.Type, args: list[ir.Type], build) -> ir.Function:
        if key in self._helpers:
            return self._helpers[key]
        fn = ir.Function(self.m, ir.FunctionType(ret, args), f"__sx_{key}")
        fn.linkage = "internal"
        self._helpers[key] = fn
        saved_b, saved_st = self.b, self.st
        self.st = FnState(fn, [{}], [], T.UNIT)
        self.b = ir.IRBuilder(fn.append_basic_block("entry"))
        build(fn)
        self.b, self.st = saved_b, saved_st
        return fn

    def vec_new(self, elem: T.Type, cap: ir.Value, span: Span | None = None) -> ir.Value:
        """Return a new, empty `Vec` with room for `cap` elements.

        With the `span` of a count that the program chose (`with_capacity`,
        `vec![x; n]`), a count whose bytes pass `isize::MAX` panics with
        "capacity overflow", as in Rust, and a failed allocation names `span`.
        """
        where = ""
        if span is not None:
            where = f"{self.loc(span)}: "
            size = self.sizeof(self.ll(elem))
            size = self.b.select(self.b.icmp_unsigned("==", size, const_i64(0)), const_i64(1), size)
            limit = self.b.udiv(const_i64(2**63 - 1), size)
            self.check(self.b.icmp_unsigned("<=", cap, limit), span, "capacity overflow")
        fmt = self.native.cstring(
            f"{where}runtime error: memory allocation of %lld bytes failed".encode())
        return self.b.call(self.helper_vec_new(elem), [cap, self.b.bitcast(fmt, PTR)])

    def panic_if_null(self, pointer: ir.Value, fmt: ir.Value, nbytes: ir.Value) -> None:
        """Panic with the `printf` format `fmt` and the byte count `nbytes` when an
        allocation returned the null `pointer`."""
        b = self.b
        failed = b.icmp_unsigned("==", b.ptrtoint(pointer, I64), const_i64(0))
        with b.if_then(failed, likely=False):
            b.call(self.native.routine("panic_fmt"), [fmt, nbytes, const_i64(0)])
            b.unreachable()

    def helper_vec_new(self, elem: T.Type) -> ir.Function:
        """`(cap, fmt) -> Vec`: an allocation failure panics with `fmt` and the byte count."""
        header_t = self.vec_header(elem)
        elem_ll = self.ll(elem)

        def build(fn):
            b = self.b
            cap, fmt = fn.args

            def allocate(nbytes, shown):
                raw = b.call(self.native.libc("malloc"), [nbytes])
                self.panic_if_null(raw, fmt, shown)
                return raw

            raw = allocate(self.sizeof(header_t), self.sizeof(header_t))
            header = b.bitcast(raw, header_t.as_pointer())
            bytes_ = b.mul(cap, self.sizeof(elem_ll))
            # 8 spare bytes, so that an empty Vec never requests 0 bytes from malloc
            data = allocate(b.add(bytes_, const_i64(8)), bytes_)
            b.store(b.bitcast(data, elem_ll.as_pointer()),
                    b.gep(header, [const_i64(0), ir.Constant(I32, 0)]))
            b.store(const_i64(0), b.gep(header, [const_i64(0), ir.Constant(I32, 1)]))
            b.store(cap, b.gep(header, [const_i64(0), ir.Constant(I32, 2)]))
            b.ret(header)

        return self._helper(f"vec_new.{_type_key(elem_ll)}", header_t.as_pointer(),
                            [I64, PTR], build)

    def growth_messages(self, span: Span | None) -> list[ir.Value]:
        """Return the `printf` formats of a failed allocation (with the byte count) and
        of a capacity overflow, for the growth of a `Vec` at `span`."""
        # `%` in a file name must not reach `snprintf` as a conversion
        where = self.loc(span).replace("%", "%%") + ": " if span is not None else ""
        texts = [f"{where}runtime error: memory allocation of %lld bytes failed",
                 f"{where}runtime error: capacity overflow"]
        return [self.b.bitcast(self.native.cstring(t.encode()), PTR) for t in texts]

    def vec_push(self, elem: T.Type, header: ir.Value, value: ir.Value,
                 span: Span | None) -> None:
        self.b.call(self.helper_vec_push(elem), [header, value] + self.growth_messages(span))

    def vec_reserve(self, elem: T.Type, header: ir.Value, additional: ir.Value,
                    span: Span | None) -> None:
        self.b.call(self.helper_vec_reserve(elem),
                    [header, additional] + self.growth_messages(span))

    def helper_vec_reserve(self, elem: T.Type) -> ir.Function:
        """`(header, additional, alloc_fmt, overflow_fmt)`: make room for `additional`
        more elements, as Rust's `Vec::reserve` does.

        The capacity at least doubles.  A capacity whose bytes pass `isize::MAX`
        panics with `overflow_fmt`, and a failed `realloc` with `alloc_fmt` and
        the byte count (formats from `growth_messages`)."""
        header_t = self.vec_header(elem)
        elem_ll = self.ll(elem)

        def build(fn):
            b = self.b
            header, additional, alloc_fmt, overflow_fmt = fn.args
            data_ptr = b.gep(header, [const_i64(0), ir.Constant(I32, 0)])
            length = b.load(b.gep(header, [const_i64(0), ir.Constant(I32, 1)]))
            cap_ptr = b.gep(header, [const_i64(0), ir.Constant(I32, 2)])
            cap = b.load(cap_ptr)
            with b.if_then(b.icmp_unsigned("<=", additional, b.sub(cap, length))):
                b.ret_void()

            size = self.sizeof(elem_ll)
            size = b.select(b.icmp_unsigned("==", size, const_i64(0)), const_i64(1), size)
            limit = b.udiv(const_i64(2**63 - 1), size)
            # `length <= limit`, so `limit - length` does not wrap around
            too_many = b.icmp_unsigned(">", additional, b.sub(limit, length))
            with b.if_then(too_many, likely=False):
                b.call(self.native.routine("panic_fmt"), [overflow_fmt, const_i64(0),
                                                          const_i64(0)])
                b.unreachable()

            needed = b.add(length, additional)
            doubled = b.select(b.icmp_unsigned(">", cap, b.lshr(limit, const_i64(1))),
                               limit, b.mul(cap, const_i64(2)))
            new_cap = b.select(b.icmp_unsigned(">", needed, doubled), needed, doubled)
            new_cap = b.select(b.icmp_unsigned("<", new_cap, const_i64(4)),
                               const_i64(4), new_cap)

            nbytes = b.mul(new_cap, self.sizeof(elem_ll))
            raw = b.bitcast(b.load(data_ptr), PTR)
            # 8 spare bytes, as in `helper_vec_new`, because glibc's `realloc(p, 0)`
            # for a `Vec<()>` frees `p` and returns NULL
            grown = b.call(self.native.libc("realloc"), [raw, b.add(nbytes, const_i64(8))])
            self.panic_if_null(grown, alloc_fmt, nbytes)
            b.store(b.bitcast(grown, elem_ll.as_pointer()), data_ptr)
            b.store(new_cap, cap_ptr)
            b.ret_void()

        return self._helper(f"vec_reserve.{_type_key(elem_ll)}", ir.VoidType(),
                            [header_t.as_pointer(), I64, PTR, PTR], build)

    def helper_vec_push(self, elem: T.Type) -> ir.Function:
        """`(header, value, alloc_fmt, overflow_fmt)`: append `value`, growing the
        buffer through `helper_vec_reserve` when it is full."""
        header_t = self.vec_header(elem)
        elem_ll = self.ll(elem)
        reserve = self.helper_vec_reserve(elem)

        def build(fn):
            b = self.b
            header, value, alloc_fmt, overflow_fmt = fn.args
            data_ptr = b.gep(header, [const_i64(0), ir.Constant(I32, 0)])
            len_ptr = b.gep(header, [const_i64(0), ir.Constant(I32, 1)])
            cap_ptr = b.gep(header, [const_i64(0), ir.Constant(I32, 2)])
            length = b.load(len_ptr)
            cap = b.load(cap_ptr)
            with b.if_then(b.icmp_unsigned("==", length, cap), likely=False):
                b.call(reserve, [header, const_i64(1), alloc_fmt, overflow_fmt])
            data = b.load(data_ptr)
            b.store(value, b.gep(data, [length]))
            b.store(b.add(length, const_i64(1)), len_ptr)
            b.ret_void()

        return self._helper(f"vec_push.{_type_key(elem_ll)}", ir.VoidType(),
                            [header_t.as_pointer(), elem_ll, PTR, PTR], build)

    def helper_vec_from(self, elem: T.Type) -> ir.Function:
        """`(data, len) -> Vec`: a fresh copy of a sequence."""
        header_t = self.vec_header(elem)
        elem_ll = self.ll(elem)

        def build(fn):
            b = self.b
            data, length = fn.args
            header = self.vec_new(elem, length)
            dst = b.load(b.gep(header, [const_i64(0), ir.Constant(I32, 0)]))
            nbytes = b.mul(length, self.sizeof(elem_ll))
            b.call(self.native.libc("memcpy"), [b.bitcast(dst, PTR), b.bitcast(data, PTR), nbytes])
            b.store(length, b.gep(header, [const_i64(0), ir.Constant(I32, 1)]))
            if isinstance(elem, T.VecT):
                # A Vec of Vecs owns its rows: copy each one, as Rust's clone does.
                copy_row = self.helper_vec_from(elem.elem)

                def replace_row(i):
                    slot = b.gep(dst, [i])
                    row = b.load(slot)
                    row_data = b.load(b.gep(row, [const_i64(0), ir.Constant(I32, 0)]))
                    row_len = b.load(b.gep(row, [const_i64(0), ir.Constant(I32, 1)]))
                    b.store(b.call(copy_row, [row_data, row_len]), slot)

                self.counted_loop(length, replace_row)
            b.ret(header)

        return self._helper(f"vec_from.{_type_key(elem_ll)}", header_t.as_pointer(),
                            [elem_ll.as_pointer(), I64], build)

    def helper_str_eq(self) -> ir.Function:
        def build(fn):
            b = self.b
            x, y = fn.args
            nx, ny = b.extract_value(x, 1), b.extract_value(y, 1)
            same_len = b.icmp_unsigned("==", nx, ny)
            with b.if_then(b.not_(same_len)):
                b.ret(ir.Constant(I1, 0))
            r = b.call(self.native.libc("memcmp"), [b.extract_value(x, 0),
                                                   b.extract_value(y, 0), nx])
            b.ret(b.icmp_signed("==", r, ir.Constant(I32, 0)))

        return self._helper("str_eq", I1, [STR, STR], build)

    def str_append(self, lhs: ir.Value, rhs: ir.Value, span: Span | None = None) -> ir.Value:
        """Return the string `lhs` followed by `rhs`; `lhs` and `rhs` stay as they are.

        A failed allocation panics and names `span` when there is one.
        """
        where = f"{self.loc(span)}: " if span is not None else ""
        fmt = self.native.cstring(
            f"{where}runtime error: memory allocation of %lld bytes failed".encode())
        return self.b.call(self.helper_str_append(), [lhs, rhs, self.b.bitcast(fmt, PTR)])

    def helper_str_append(self) -> ir.Function:
        """Return the helper `(s, t, fmt) -> s + t`, which takes amortised time when
        `s` grows again and again.

        Strings share their bytes, and nothing frees the buffers this helper
        allocates, so a string may not be written in place.  Instead the helper
        keeps the last few buffers it allocated, each with the end of the bytes
        handed out so far and the end of its room.  When `s` ends exactly where
        one of them does, `t` goes into the room after it.  No string contains
        those bytes yet, and the bytes of every existing string stay unchanged.
        Otherwise the helper copies `s` and `t` into a new buffer of twice their
        length (at least 32 bytes).  So `s.push_str(t)` in a loop copies each
        byte a constant number of times on average, as a growing `Vec` does.  A
        spin lock guards the table, because threads may call one module at once.
        """
        slots = _STR_TAIL_SLOTS
        table_t = ir.ArrayType(ir.LiteralStructType([PTR, PTR]), slots)

        def table_global(name, ty):
            g = self.m.globals.get(name)
            if g is None:
                g = ir.GlobalVariable(self.m, ty, name)
                g.initializer = ir.Constant(ty, None)
                g.linkage = "internal"
            return g

        def build(fn):
            b = self.b
            s, t, fmt = fn.args
            table = table_global("__sx_str_tails", table_t)
            victim = table_global("__sx_str_tails_next", I32)
            lock = table_global("__sx_str_tails_lock", I32)
            s_ptr, s_len = b.extract_value(s, 0), b.extract_value(s, 1)
            t_ptr, t_len = b.extract_value(t, 0), b.extract_value(t, 1)
            with b.if_then(b.icmp_unsigned("==", t_len, const_i64(0))):
                b.ret(s)
            total = b.add(s_len, t_len)
            end = b.gep(s_ptr, [s_len])
            spin = fn.append_basic_block("lock")
            b.branch(spin)
            b.position_at_end(spin)
            was_held = b.atomic_rmw("xchg", lock, ir.Constant(I32, 1), "acquire")
            locked = fn.append_basic_block("locked")
            b.cbranch(b.icmp_unsigned("==", was_held, ir.Constant(I32, 0)), locked, spin)
            b.position_at_end(locked)

            def unlock():
                b.store_atomic(ir.Constant(I32, 0), lock, "release", 4)

            def result(data):
                out = ir.Constant(STR, ir.Undefined)
                return b.insert_value(b.insert_value(out, data, 0), total, 1)

            # `slot` is the entry to replace: the one `s` ends at, else the next in turn
            slot = b.load(victim)
            not_null = b.icmp_unsigned("!=", b.ptrtoint(end, I64), const_i64(0))
            for i in range(slots):
                entry_end = b.gep(table, [const_i64(0), const_i64(i), ir.Constant(I32, 0)])
                entry_limit = b.gep(table, [const_i64(0), const_i64(i), ir.Constant(I32, 1)])
                matches = b.and_(not_null, b.icmp_unsigned("==", b.load(entry_end), end))
                with b.if_then(matches):
                    room = b.sub(b.ptrtoint(b.load(entry_limit), I64), b.ptrtoint(end, I64))
                    with b.if_then(b.icmp_unsigned(">=", room, t_len)):
                        b.call(self.native.libc("memcpy"), [end, t_ptr, t_len])
                        b.store(b.gep(end, [t_len]), entry_end)
                        unlock()
                        b.ret(result(s_ptr))
                slot = b.select(matches, ir.Constant(I32, i), slot)
            doubled = b.mul(total, const_i64(2))
            cap = b.select(b.icmp_unsigned("<", doubled, const_i64(32)), const_i64(32), doubled)
            # when doubling overflows, request exactly the total
            cap = b.select(b.icmp_unsigned("<", doubled, total), total, cap)
            buf = b.call(self.native.libc("malloc"), [cap])
            failed = b.icmp_unsigned("==", b.ptrtoint(buf, I64), const_i64(0))
            with b.if_then(failed, likely=False):
                unlock()
                b.call(self.native.routine("panic_fmt"), [fmt, cap, const_i64(0)])
                b.unreachable()
            b.call(self.native.libc("memcpy"), [buf, s_ptr, s_len])
            b.call(self.native.libc("memcpy"), [b.gep(buf, [s_len]), t_ptr, t_len])
            entry = b.gep(table, [const_i64(0), b.zext(slot, I64)])
            b.store(b.gep(buf, [total]), b.gep(entry, [const_i64(0), ir.Constant(I32, 0)]))
            b.store(b.gep(buf, [cap]), b.gep(entry, [const_i64(0), ir.Constant(I32, 1)]))
            following = b.add(slot, ir.Constant(I32, 1))
            wrap = b.icmp_unsigned("==", following, ir.Constant(I32, slots))
            b.store(b.select(wrap, ir.Constant(I32, 0), following), victim)
            unlock()
            b.ret(result(buf))

        return self._helper("str_append", STR, [STR, STR, PTR], build)

    def helper_ipow(self, ty: ir.IntType) -> ir.Function:
        def build(fn):
            b = self.b
            base, exp = fn.args
            acc = self.alloca(ty)
            bs = self.alloca(ty)
            ex = self.alloca(I32)
            b.store(ir.Constant(ty, 1), acc)
            b.store(base, bs)
            b.store(exp, ex)
            cond_bb = fn.append_basic_block("c")
            body_bb = fn.append_basic_block("b")
            end_bb = fn.append_basic_block("e")
            b.branch(cond_bb)
            b.position_at_end(cond_bb)
            b.cbranch(b.icmp_unsigned("!=", b.load(ex), ir.Constant(I32, 0)), body_bb, end_bb)
            b.position_at_end(body_bb)
            odd = b.trunc(b.load(ex), I1)
            b.store(b.select(odd, b.mul(b.load(acc), b.load(bs)), b.load(acc)), acc)
            b.store(b.mul(b.load(bs), b.load(bs)), bs)
            b.store(b.lshr(b.load(ex), ir.Constant(I32, 1)), ex)
            b.branch(cond_bb)
            b.position_at_end(end_bb)
            b.ret(b.load(acc))

        return self._helper(f"ipow.{ty.width}", ty, [ty, I32], build)


# the number of growing strings that append in place at once
_STR_TAIL_SLOTS = 4


def _is_place(e: ast.Expr) -> bool:
    if isinstance(e, ast.Path):
        return getattr(e, "target", (None,))[0] == "local"
    if isinstance(e, (ast.Field, ast.TupleField)):
        return _is_place(e.base) or isinstance(e.base.ty, T.RefT)
    if isinstance(e, ast.VariantField):
        return _is_place(e.value) or isinstance(e.value.ty, T.RefT)
    return isinstance(e, (ast.Index,)) or (isinstance(e, ast.Unary) and e.op == "*")


def _type_key(ty: ir.Type) -> str:
    import zlib

    text = str(ty)
    # a checksum, not hash(): the names must not change between processes
    return "".join(ch if ch.isalnum() else "_" for ch in text)[:60] + \
        f".{zlib.crc32(text.encode()) % 99991}"


# Arrays of at least this many bytes count towards the frame that a function
# checks before its body runs (see `split_large_frame`).
LARGE_STACK_ARRAY = 1 << 20


def is_large(ty: ir.Type) -> bool:
    """Return whether `ty` is an array or struct of at least `LARGE_ARRAY` scalars."""
    return _scalar_count(ty) >= LARGE_ARRAY


def _scalar_count(ty: ir.Type) -> int:
    count = 1
    # a loop, not recursion, over nested array types
    while isinstance(ty, ir.ArrayType):
        count *= ty.count
        ty = ty.element
    if isinstance(ty, (ir.LiteralStructType, ir.IdentifiedStructType)):
        count *= sum(_scalar_count(t) for t in ty.elements or ())
    return count


def _byte_size(ty: ir.Type) -> int:
    """Return the size of `ty` in bytes, without padding between fields."""
    if isinstance(ty, (ir.ArrayType, ir.VectorType)):
        return ty.count * _byte_size(ty.element)
    if isinstance(ty, (ir.LiteralStructType, ir.IdentifiedStructType)):
        return sum(_byte_size(t) for t in ty.elements or ())
    if isinstance(ty, ir.IntType):
        return max(1, ty.width // 8)
    if isinstance(ty, ir.FloatType):
        return 4
    return 8


class _UsedFunctions(dict):
    """The LLVM function of each function key, remembering the keys looked up."""

    def __init__(self):
        super().__init__()
        self.used: set[str] = set()

    def __getitem__(self, key: str) -> ir.Function:
        self.used.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default=None):
        if key in self:
            return self[key]
        return default


def _mangle(key: str) -> str:
    return "sx." + key.replace("::", ".")


def generate_module(program: Program, module_name: str = "sx") -> ir.Module:
    """Translate a core program into an LLVM IR module."""
    return Codegen(program, module_name).generate()


def generate(program: Program, module_name: str = "sx",
             exports: bool = True) -> tuple[ir.Module, dict[str, str]]:
    """Translate a core program; also return the exported wrappers by function.

    Without `exports`, only `main` and what it calls are translated, and
    there are no wrappers.
    """
    cg = Codegen(program, module_name, exports)
    module = cg.generate()
    return module, cg.exports


# ---------------------------------------------------------------- embedding

SLOT = I64


def dual_lanes(cg) -> int:
    """Return the tangent lanes of the lowered `Dual` struct: 1, or N for `der: [f64; N]`."""
    der = dict(cg.struct_fields.get("Dual", [])).get("der")
    return der.size if isinstance(der, T.ArrayT) else 1


def export_slots(t: T.Type, cg, result: bool = False) -> int | None:
    """Return how many 8-byte slots a value of type `t` takes, or None if it cannot cross.

    Numbers, bool and enums take one slot, and structs, tuples and arrays are
    flattened field by field.  Slices (data pointer, length), `&Vec`s and
    `&mut Vec`s of numbers (the address of a header pointer) and function
    pointers cross only as parameters, for the function types that
    `sxc.callbacks.callback_kind` accepts.  Strings (data pointer, length)
    and `Vec`s of numbers (the header pointer) cross both ways.  An enum
    with data takes a slot for its tag, then the slots of every variant's
    payload in turn.
    """
    def fields_of(name: str):
        if name.startswith(DATA_ENUM_KEY):
            enum = name[len(DATA_ENUM_KEY):]
            if enum not in cg.enum_types:
                return None
            return [(f, t) for payload in cg.program.enums[enum].fields.values()
                    for f, t in payload]
        return cg.struct_fields.get(name)

    return slot_count(t, fields_of, result)


# `fields_of(DATA_ENUM_KEY + name)` gives the payload members of the enum `name`
# in memory order when it has data, else None
DATA_ENUM_KEY = "enum "


def slot_count(t: T.Type, fields_of, result: bool = False,
               seen: frozenset = frozenset()) -> int | None:
    """`export_slots` with `fields_of(struct)` giving the (name, type) fields of a struct."""
    return _slots(t, fields_of, result, seen)


def _slots(t: T.Type, fields_of, result: bool, seen: frozenset) -> int | None:
    payload = fields_of(DATA_ENUM_KEY + t.enum) if isinstance(t, T.EnumT) else None
    if payload is not None:
        if DATA_ENUM_KEY + t.enum in seen:
            return None
        counts = [_slots(ft, fields_of, result, seen | {DATA_ENUM_KEY + t.enum})
                  for _, ft in payload]
        return None if any(c is None for c in counts) else 1 + sum(counts)
    if isinstance(t, (T.IntT, T.FloatT, T.BoolT, T.EnumT)):
        return 1
    if isinstance(t, T.UnitT):
        return 0
    if isinstance(t, T.StructT):
        fields = fields_of(t.struct)
        if fields is None or t.struct in seen:
            return None
        if any(f.startswith("__") for f, _ in fields):
            return None  # a collection of the prelude, such as `HashMap`, whose fields are private
        counts = [_slots(ft, fields_of, result, seen | {t.struct}) for _, ft in fields]
        return None if any(c is None for c in counts) else sum(counts)
    if isinstance(t, T.TupleT):
        counts = [_slots(item, fields_of, result, seen) for item in t.items]
        return None if any(c is None for c in counts) else sum(counts)
    if isinstance(t, T.ArrayT):
        count = _slots(t.elem, fields_of, result, seen)
        return None if count is None else count * t.size
    if isinstance(t, T.SliceT) and not result and isinstance(t.elem, (T.FloatT, T.IntT)):
        return 2
    if isinstance(t, T.VecT) and isinstance(t.elem, (T.FloatT, T.IntT)):
        return 1
    if isinstance(t, T.StrT):
        return 2
    if isinstance(t, T.RefT) and not result and \
            isinstance(t.inner, T.VecT) and isinstance(t.inner.elem, (T.FloatT, T.IntT)):
        return 1
    if isinstance(t, T.FnT) and not result and callback_kind(t, fields_of) is not None:
        return 1
    return None


def _load_slot(cg: Codegen, base, index: int, t: T.Type) -> tuple[ir.Value, int]:
    """Build a value of type `t` from the slots at `index`; return it and the next index."""
    b = cg.b
    ptr = b.gep(base, [const_i64(index)])
    if isinstance(t, T.UnitT):  # `Ok(())` of a `Result<(), E>` takes no slot
        return ir.Constant(cg.ll(t), None), index
    if isinstance(t, T.FloatT):
        raw = b.load(b.bitcast(ptr, F64.as_pointer()))
        return (raw if t.bits == 64 else b.fptrunc(raw, F32)), index + 1
    if isinstance(t, T.BoolT):
        return b.icmp_unsigned("!=", b.load(ptr), const_i64(0)), index + 1
    if isinstance(t, T.EnumT) and t.enum in cg.enum_types and is_large(cg.ll(t)):
        return _load_large(cg, base, index, t)
    if isinstance(t, T.EnumT) and t.enum in cg.enum_types:
        agg = ir.Constant(cg.ll(t), ir.Undefined)
        for position, part in enumerate(_parts(t, cg)):
            value, index = _load_slot(cg, base, index, part)
            agg = b.insert_value(agg, value, position)
        return agg, index
    if isinstance(t, (T.IntT, T.EnumT)):
        raw = b.load(ptr)
        bits = getattr(t, "bits", 64)
        return (raw if bits == 64 else b.trunc(raw, ir.IntType(bits))), index + 1
    if isinstance(t, (T.FnT, T.VecT, T.RefT)):
        return b.inttoptr(b.load(ptr), cg.ll(t)), index + 1
    if isinstance(t, (T.SliceT, T.StrT)):
        elem_ptr = PTR if isinstance(t, T.StrT) else cg.ll_elem_ptr(t.elem)
        data = b.inttoptr(b.load(ptr), elem_ptr)
        length = b.load(b.gep(base, [const_i64(index + 1)]))
        sl = ir.Constant(cg.ll(t), ir.Undefined)
        return b.insert_value(b.insert_value(sl, data, 0), length, 1), index + 2
    if isinstance(t, (T.StructT, T.TupleT, T.ArrayT)) and is_large(cg.ll(t)):
        return _load_large(cg, base, index, t)
    if isinstance(t, (T.StructT, T.TupleT, T.ArrayT)):
        agg = ir.Constant(cg.ll(t), ir.Undefined)
        for position, part in enumerate(_parts(t, cg)):
            value, index = _load_slot(cg, base, index, part)
            agg = b.insert_value(agg, value, position)
        return agg, index
    raise InternalError(f"cannot export {t}")


def _load_large(cg: Codegen, base, index: int, t: T.Type) -> tuple[ir.Value, int]:
    """`_load_slot` for a large aggregate: build it in a stack slot, an array in a loop."""
    b = cg.b
    slot = cg.alloca(cg.ll(t))
    if isinstance(t, T.ArrayT):
        width = export_slots(t.elem, cg)

        def load_element(i):
            start = b.gep(base, [b.add(const_i64(index), b.mul(i, const_i64(width)))])
            value, _ = _load_slot(cg, start, 0, t.elem)
            cg.store(value, b.gep(slot, [const_i64(0), i]))

        cg.counted_loop(const_i64(t.size), load_element)
        return b.load(slot), index + width * t.size
    for position, part in enumerate(_parts(t, cg)):
        value, index = _load_slot(cg, base, index, part)
        cg.store(value, b.gep(slot, [const_i64(0), ir.Constant(I32, position)]))
    return b.load(slot), index


def _parts(t: T.Type, cg) -> list[T.Type]:
    """Return the member types of a struct, tuple, array or enum with data, in
    memory order."""
    if isinstance(t, T.StructT):
        return [ft for _, ft in cg.struct_fields[t.struct]]
    if isinstance(t, T.EnumT):
        return [T.I64] + [ft for payload in cg.program.enums[t.enum].fields.values()
                          for _, ft in payload]
    if isinstance(t, T.TupleT):
        return list(t.items)
    return [t.elem] * t.size


def _store_slot(cg: Codegen, base, index: int, value, t: T.Type) -> int:
    """Store `value` of type `t` into the slots from `index`; return the next index."""
    b = cg.b
    ptr = b.gep(base, [const_i64(index)])
    if isinstance(t, T.UnitT):
        return index
    if isinstance(t, T.FloatT):
        wide = value if t.bits == 64 else b.fpext(value, F64)
        b.store(wide, b.bitcast(ptr, F64.as_pointer()))
        return index + 1
    if isinstance(t, T.BoolT):
        b.store(b.zext(value, I64), ptr)
        return index + 1
    if isinstance(t, T.EnumT) and t.enum in cg.enum_types and is_large(cg.ll(t)):
        return _store_large(cg, base, index, cg.spill(value), t)
    if isinstance(t, T.EnumT) and t.enum in cg.enum_types:
        for position, part in enumerate(_parts(t, cg)):
            index = _store_slot(cg, base, index, b.extract_value(value, position), part)
        return index
    if isinstance(t, T.EnumT):
        b.store(value, ptr)
        return index + 1
    if isinstance(t, T.IntT):
        b.store(cg.to_i64(value, t), ptr)
        return index + 1
    if isinstance(t, T.VecT):
        b.store(b.ptrtoint(value, I64), ptr)
        return index + 1
    if isinstance(t, T.StrT):
        b.store(b.ptrtoint(b.extract_value(value, 0), I64), ptr)
        b.store(b.extract_value(value, 1), b.gep(base, [const_i64(index + 1)]))
        return index + 2
    if isinstance(t, (T.StructT, T.TupleT, T.ArrayT)) and is_large(cg.ll(t)):
        return _store_large(cg, base, index, cg.spill(value), t)
    if isinstance(t, (T.StructT, T.TupleT, T.ArrayT)):
        for position, part in enumerate(_parts(t, cg)):
            index = _store_slot(cg, base, index, b.extract_value(value, position), part)
        return index
    raise InternalError(f"cannot export {t}")


def _store_large(cg: Codegen, base, index: int, source, t: T.Type) -> int:
    """`_store_slot` for a large aggregate at the address `source`, an array in a loop."""
    b = cg.b
    if isinstance(t, T.ArrayT):
        width = export_slots(t.elem, cg, result=True)

        def store_element(i):
            start = b.gep(base, [b.add(const_i64(index), b.mul(i, const_i64(width)))])
            _store_slot(cg, start, 0, b.load(b.gep(source, [const_i64(0), i])), t.elem)

        cg.counted_loop(const_i64(t.size), store_element)
        return index + width * t.size
    for position, part in enumerate(_parts(t, cg)):
        member = b.load(b.gep(source, [const_i64(0), ir.Constant(I32, position)]))
        index = _store_slot(cg, base, index, member, part)
    return index


def export_wrapper(cg: Codegen, key: str) -> str | None:
    """Emit `i32 __sx_export.<key>(i64* args, i64* ret)` if the types allow it."""
    fn = cg.program.functions[key]
    sig = fn.sig
    if sig.self_type is not None:
        return None
    counts = [export_slots(p, cg) for p in sig.params]
    ret_slots = export_slots(sig.ret, cg, result=True)
    if any(c is None for c in counts) or ret_slots is None:
        return None
    name = f"__sx_export.{key}"
    wrapper = ir.Function(cg.m, ir.FunctionType(I32, [SLOT.as_pointer(), SLOT.as_pointer()]),
                          name)
    cg.st = FnState(wrapper, [{}], [], T.UNIT)
    b = ir.IRBuilder(wrapper.append_basic_block("entry"))
    cg.b = b
    args_ptr, ret_ptr = wrapper.args
    # A callable whose function type takes the "slots" path is called through
    # a thunk, which finds the Python callback in a global.  The wrapper sets
    # it before the call and puts the previous one back after it, also after
    # a panic, so a callback may call this function again.
    thunks: dict[int, ir.Function] = {}
    restore: list[tuple[ir.GlobalVariable, ir.Value]] = []
    index = 0
    for position, (t, count) in enumerate(zip(sig.params, counts)):
        if isinstance(t, T.FnT) and callback_kind(t, cg.struct_fields.get) == "slots":
            thunk, target = callback_thunk(cg, t, f"__sx_thunk.{key}.{position}")
            restore.append((target, b.load(target)))
            b.store(b.load(b.gep(args_ptr, [const_i64(index)])), target)
            thunks[position] = thunk
        index += count

    def put_back():
        for target, old in restore:
            b.store(old, target)

    def body():
        values = []
        index = 0
        for position, t in enumerate(sig.params):
            value, index = _load_slot(cg, args_ptr, index, t)
            value = thunks.get(position, value)
            values.append(cg.spill(value) if is_large(value.type) else value)
        result = cg.call_function(cg.functions[key], values)
        if ret_slots:
            _store_slot(cg, ret_ptr, 0, result, sig.ret)

    cg.guarded_call(b, body, cleanup=put_back if restore else None)
    return name


def callback_thunk(cg: Codegen, t: T.FnT, name: str) -> tuple[ir.Function, ir.GlobalVariable]:
    """Emit a function of type `t` that calls the Python callback in a new global.

    The thunk stores its arguments into slots as `sxc.callbacks.arg_slots`
    counts them, calls the callback `void(i64* args, i64* ret)` that the
    global holds, and returns the value in the result slots.  Return the
    thunk and the global.
    """
    target = ir.GlobalVariable(cg.m, I64, f"{name}.target")
    target.linkage = "internal"
    target.initializer = const_i64(0)
    thunk = ir.Function(cg.m, cg.fn_type(list(t.params), t.ret), name)
    thunk.linkage = "internal"
    saved = cg.st, cg.b
    cg.st = FnState(thunk, [{}], [], t.ret)
    b = cg.b = ir.IRBuilder(thunk.append_basic_block("entry"))
    args = list(thunk.args)
    unit = isinstance(t.ret, (T.UnitT, T.NeverT))
    sret = args.pop(0) if not unit and is_large(cg.ll(t.ret)) else None
    width = sum(arg_slots(p, cg.struct_fields.get) for p in t.params)
    ret_width = 0 if unit else plain_slots(t.ret, cg.struct_fields.get)
    arg_buf = b.bitcast(cg.alloca(ir.ArrayType(SLOT, max(width, 1))), SLOT.as_pointer())
    ret_slots = cg.alloca(ir.ArrayType(SLOT, max(ret_width, 1)))
    b.store(ir.Constant(ret_slots.type.pointee, None), ret_slots)
    ret_buf = b.bitcast(ret_slots, SLOT.as_pointer())
    index = 0
    for p, arg in zip(t.params, args):
        index = _store_callback_arg(cg, arg_buf, index, arg, p)
    callback_type = ir.FunctionType(ir.VoidType(), [SLOT.as_pointer(), SLOT.as_pointer()])
    b.call(b.inttoptr(b.load(target), callback_type.as_pointer()), [arg_buf, ret_buf])
    if unit:
        b.ret_void()
    else:
        value, _ = _load_slot(cg, ret_buf, 0, t.ret)
        if sret is not None:
            b.store(value, sret)
            b.ret_void()
        else:
            b.ret(value)
    cg.st, cg.b = saved
    return thunk, target


def _store_callback_arg(cg: Codegen, base, index: int, value, t: T.Type) -> int:
    """Store argument `value` of type `t` of a thunk into the slots from `index`,
    as `sxc.callbacks.arg_slots` lays them out; return the next index."""
    b = cg.b
    if isinstance(t, T.SliceT):
        b.store(b.ptrtoint(b.extract_value(value, 0), I64), b.gep(base, [const_i64(index)]))
        b.store(b.extract_value(value, 1), b.gep(base, [const_i64(index + 1)]))
        return index + 2
    if isinstance(t, T.RefT) and isinstance(t.inner, T.VecT):
        b.store(b.ptrtoint(value, I64), b.gep(base, [const_i64(index)]))
        return index + 1
    if isinstance(t, T.RefT):
        if is_large(cg.ll(t.inner)):
            return _store_large(cg, base, index, value, t.inner)
        return _store_slot(cg, base, index, b.load(value), t.inner)
    if isinstance(t, (T.StructT, T.TupleT, T.ArrayT)) and is_large(cg.ll(t)):
        # a large argument arrives as a pointer to the caller's copy
        return _store_large(cg, base, index, value, t)
    return _store_slot(cg, base, index, value, t)


# Functions of `runtime/std.sx` that format numbers and strings for output.
# They make up most of the IR of a program that prints numbers but run
# outside its numeric loops, so LLVM neither inlines nor optimises them
# (`noinline optnone`).  This shortens compilation (see
# docs/performance-notes.md) and makes formatting a number slower.
COLD_RUNTIME_FUNCTIONS = frozenset({
    "__digits", "__split_exp", "__reads_back", "__layout_decimal", "__insert_at",
    "__decimal_digits", "__not_printable", "__grapheme_extend",
})


def is_cold_runtime_function(key: str) -> bool:
    return key.startswith("__fmt_") or key in COLD_RUNTIME_FUNCTIONS


def emit_exports(cg: Codegen) -> dict[str, str]:
    """Wrap every exportable free function of the user's program."""
    exports = {}
    for key, fn in cg.program.functions.items():
        if getattr(fn, "origin", "user") == "user" and fn.owner is None and key != "main" \
                and key in cg.functions:
            name = export_wrapper(cg, key)
            if name is not None:
                exports[key] = name
    return exports
