"""Native support functions emitted into every module as LLVM IR.

These are the few operations that need the C library: writing output,
formatting numbers with `snprintf`, `strtod` for `parse`, reading files, the
program's arguments, and the panic path.  A panic copies its message into
`__sx_panic_msg` and `longjmp`s back to the entry trampoline, so a runtime
error in embedded code raises `sxc.RuntimeError` instead of ending the host
process.  Everything else of the standard library is written in
`runtime/std.sx`.
"""

from __future__ import annotations

import sys

from llvmlite import ir

I1 = ir.IntType(1)
I8 = ir.IntType(8)
I32 = ir.IntType(32)
I64 = ir.IntType(64)
F64 = ir.DoubleType()
F32 = ir.FloatType()
PTR = I8.as_pointer()
STR = ir.LiteralStructType([PTR, I64])
# Vec header: data pointer, length, capacity (in elements)
VEC_BYTES = ir.LiteralStructType([PTR, I64, I64])
JMPBUF = ir.ArrayType(I64, 64)
# errno of a write to a closed file descriptor, and the C library's function
# that returns the address of errno
EBADF = 9
ERRNO_LOCATION = "__error" if sys.platform == "darwin" else "__errno_location"
# The bytes of a panic message that reach the user; a longer message is cut.
PANIC_CAP = 32 << 10


def const_i64(v: int) -> ir.Constant:
    return ir.Constant(I64, v & 0xFFFFFFFFFFFFFFFF)


class Native:
    """Declares libc functions and builds the support routines lazily."""

    def __init__(self, module: ir.Module):
        self.m = module
        self._fns: dict[str, ir.Function] = {}
        self._strings: dict[bytes, ir.GlobalVariable] = {}
        self.jmpbuf = self._global("__sx_jmpbuf", JMPBUF)
        self.jmp_active = self._global("__sx_jmp_active", I32)
        self.panic_msg = self._global("__sx_panic_msg", ir.ArrayType(I8, PANIC_CAP))
        self.panic_len = self._global("__sx_panic_len", I64)
        self.exit_code = self._global("__sx_exit_code", I64)
        # set by a Python callback that raised; checked after each call through
        # a function pointer, which then panics back to the trampoline
        self.callback_error = self._global("__sx_callback_error", I32)
        # recursion guard: the trampoline's frame address and the stack budget
        self.stack_base = self._global("__sx_stack_base", I64)
        self.stack_limit = self._global("__sx_stack_limit", I64)
        self.argc = self._global("__sx_argc", I64)
        self.argv = self._global("__sx_argv", PTR.as_pointer())
        # progress of library runs: a C function pointer that Python installs
        # (null: no hook), how many reports a run should make, and the minimum
        # seconds between two calls of the hook (0: call at every report)
        self.progress_hook = self._global("__sx_progress_hook", PTR)
        self.progress_samples = self._global("__sx_progress_samples", I64)
        self.progress_interval = self._global("__sx_progress_interval", F64)
        self.progress_last = self._global("__sx_progress_last", F64)

    def _global(self, name: str, ty: ir.Type) -> ir.GlobalVariable:
        g = ir.GlobalVariable(self.m, ty, name)
        g.initializer = ir.Constant(ty, None)
        g.linkage = "internal" if name.startswith("__sx_tmp") else ""
        return g

    # ------------------------------------------------------------ libc

    def libc(self, name: str) -> ir.Function:
        if name in self._fns:
            return self._fns[name]
        sigs = {
            "malloc": (PTR, [I64]), "realloc": (PTR, [PTR, I64]), "free": (ir.VoidType(), [PTR]),
            "memcpy": (PTR, [PTR, PTR, I64]), "memmove": (PTR, [PTR, PTR, I64]),
            "memset": (PTR, [PTR, I32, I64]),
            "memcmp": (I32, [PTR, PTR, I64]),
            "snprintf": (I32, [PTR, I64, PTR]), "strtod": (F64, [PTR, PTR.as_pointer()]),
            "strtof": (F32, [PTR, PTR.as_pointer()]),
            "strlen": (I64, [PTR]), "fwrite": (I64, [PTR, I64, I64, PTR]),
            "fflush": (I32, [PTR]), "fopen": (PTR, [PTR, PTR]), "fclose": (I32, [PTR]),
            "ferror": (I32, [PTR]), "clearerr": (ir.VoidType(), [PTR]),
            ERRNO_LOCATION: (I32.as_pointer(), []),
            "fseek": (I32, [PTR, I64, I32]), "ftell": (I64, [PTR]),
            "fread": (I64, [PTR, I64, I64, PTR]), "exit": (ir.VoidType(), [I32]),
            "_setjmp": (I32, [PTR]), "longjmp": (ir.VoidType(), [PTR, I32]),
            "write": (I64, [I32, PTR, I64]),
            "cbrt": (F64, [F64]), "tan": (F64, [F64]), "asin": (F64, [F64]),
            "acos": (F64, [F64]), "atan": (F64, [F64]), "atan2": (F64, [F64, F64]),
            "sinh": (F64, [F64]), "cosh": (F64, [F64]), "tanh": (F64, [F64]),
            "hypot": (F64, [F64, F64]), "log1p": (F64, [F64]), "fmod": (F64, [F64, F64]),
            "expm1": (F64, [F64]),
            "clock_gettime": (I32, [I32, I64.as_pointer()]),
            "fdopen": (PTR, [I32, PTR]), "getline": (I64, [PTR.as_pointer(), I64.as_pointer(), PTR]),
        }
        ret, args = sigs[name]
        existing = self.m.globals.get(name)
        if isinstance(existing, ir.Function):
            # declared already by `Codegen.declare`, as `hypot` by `asinh`
            self._fns[name] = existing
            return existing
        fnty = ir.FunctionType(ret, args, var_arg=(name == "snprintf"))
        fn = ir.Function(self.m, fnty, name)
        if name == "_setjmp":
            fn.attributes.add("returns_twice")
        if name in ("longjmp", "exit"):
            fn.attributes.add("noreturn")
        self._fns[name] = fn
        return fn

    def cstring(self, data: bytes) -> ir.GlobalVariable:
        """Return a private global holding `data` followed by a NUL byte."""
        if data in self._strings:
            return self._strings[data]
        raw = bytearray(data + b"\0")
        ty = ir.ArrayType(I8, len(raw))
        g = ir.GlobalVariable(self.m, ty, f"__sx_str.{len(self._strings)}")
        g.initializer = ir.Constant(ty, raw)
        g.global_constant = True
        g.linkage = "private"
        g.unnamed_addr = True
        self._strings[data] = g
        return g

    def str_const(self, b: ir.IRBuilder, text: bytes) -> ir.Value:
        g = self.cstring(text)
        ptr = b.bitcast(g, PTR)
        value = ir.Constant(STR, ir.Undefined)
        value = b.insert_value(value, ptr, 0)
        return b.insert_value(value, const_i64(len(text)), 1)

    def stdout(self, b: ir.IRBuilder) -> ir.Value:
        g = self.m.globals.get("stdout")
        if g is None:
            g = ir.GlobalVariable(self.m, PTR, "stdout")
        return b.load(g)

    def stderr(self, b: ir.IRBuilder) -> ir.Value:
        g = self.m.globals.get("stderr")
        if g is None:
            g = ir.GlobalVariable(self.m, PTR, "stderr")
        return b.load(g)

    # ------------------------------------------------------------ routines

    def routine(self, name: str) -> ir.Function:
        # routines and C functions share no cache keys: `exit` is both
        key = "routine:" + name
        if key in self._fns:
            return self._fns[key]
        build = getattr(self, "_build_" + name)
        fn = build()
        self._fns[key] = fn
        return fn

    def _new_fn(self, name: str, ret: ir.Type, args: list[ir.Type]) -> tuple[ir.Function, ir.IRBuilder]:
        fn = ir.Function(self.m, ir.FunctionType(ret, args), name)
        fn.linkage = "internal"
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        return fn, b

    def _build_panic(self) -> ir.Function:
        """`__sx_panic(msg: str)`: store the message, then unwind to the trampoline."""
        fn, b = self._new_fn("__sx_panic", ir.VoidType(), [STR])
        fn.attributes.add("noreturn")
        fn.attributes.add("noinline")
        fn.attributes.add("cold")
        msg = fn.args[0]
        ptr = b.extract_value(msg, 0)
        n = b.extract_value(msg, 1)
        cap = const_i64(PANIC_CAP - 1)
        n = b.select(b.icmp_unsigned(">", n, cap), cap, n)
        dst = b.bitcast(self.panic_msg, PTR)
        b.call(self.libc("memcpy"), [dst, ptr, n])
        b.store(n, self.panic_len)
        b.call(self.libc("fflush"), [ir.Constant(PTR, None)])
        active = b.load(self.jmp_active)
        with b.if_then(b.icmp_signed("!=", active, ir.Constant(I32, 0))):
            b.call(self.libc("longjmp"), [b.bitcast(self.jmpbuf, PTR), ir.Constant(I32, 1)])
            b.unreachable()
        # no trampoline (a native executable): print and exit with status 101
        err = self.stderr(b)
        prefix = self.str_const(b, b"error: ")
        b.call(self.libc("fwrite"), [b.extract_value(prefix, 0), const_i64(1),
                                     b.extract_value(prefix, 1), err])
        b.call(self.libc("fwrite"), [dst, const_i64(1), n, err])
        nl = self.str_const(b, b"\n")
        b.call(self.libc("fwrite"), [b.extract_value(nl, 0), const_i64(1), const_i64(1), err])
        b.call(self.libc("exit"), [ir.Constant(I32, 101)])
        b.unreachable()
        return fn

    def panic(self, b: ir.IRBuilder, message: str) -> None:
        b.call(self.routine("panic"), [self.str_const(b, message.encode())])
        b.unreachable()

    def _build_exit(self) -> ir.Function:
        """`__sx_exit(code)`: end the program with `code`, back in the trampoline
        when there is one, so `exit` in embedded code does not end the host."""
        fn, b = self._new_fn("__sx_exit", ir.VoidType(), [I32])
        fn.attributes.add("noreturn")
        b.store(b.sext(fn.args[0], I64), self.exit_code)
        b.call(self.libc("fflush"), [ir.Constant(PTR, None)])
        active = b.load(self.jmp_active)
        with b.if_then(b.icmp_signed("!=", active, ir.Constant(I32, 0))):
            b.call(self.libc("longjmp"), [b.bitcast(self.jmpbuf, PTR), ir.Constant(I32, 2)])
            b.unreachable()
        b.call(self.libc("exit"), [fn.args[0]])
        b.unreachable()
        return fn

    def _build_panic_fmt(self) -> ir.Function:
        """`__sx_panic_fmt(fmt: cstr, a: i64, b: i64)`: snprintf then panic."""
        fn, b = self._new_fn("__sx_panic_fmt", ir.VoidType(), [PTR, I64, I64])
        fn.attributes.add("noreturn")
        fn.attributes.add("noinline")
        fn.attributes.add("cold")
        buf = b.alloca(ir.ArrayType(I8, 512))
        p = b.bitcast(buf, PTR)
        n = b.call(self.libc("snprintf"), [p, const_i64(512), fn.args[0], fn.args[1],
                                           fn.args[2]])
        n = b.sext(n, I64)
        n = b.select(b.icmp_signed(">", n, const_i64(511)), const_i64(511), n)
        s = ir.Constant(STR, ir.Undefined)
        s = b.insert_value(b.insert_value(s, p, 0), n, 1)
        b.call(self.routine("panic"), [s])
        b.unreachable()
        return fn

    def panic_fmt(self, b: ir.IRBuilder, fmt: str, x: ir.Value, y: ir.Value) -> None:
        g = b.bitcast(self.cstring(fmt.encode()), PTR)
        b.call(self.routine("panic_fmt"), [g, x, y])
        b.unreachable()

    # ------------------------------------------------------------ byte buffers

    def _build_buf_reserve(self) -> ir.Function:
        """`__sx_buf_reserve(vec: *Vec<u8>, extra)`: grow capacity to len + extra."""
        fn, b = self._new_fn("__sx_buf_reserve", ir.VoidType(), [VEC_BYTES.as_pointer(), I64])
        hdr, extra = fn.args
        length = b.load(b.gep(hdr, [const_i64(0), ir.Constant(I32, 1)]))
        cap_ptr = b.gep(hdr, [const_i64(0), ir.Constant(I32, 2)])
        cap = b.load(cap_ptr)
        need = b.add(length, extra)
        with b.if_then(b.icmp_unsigned(">", need, cap)):
            doubled = b.mul(cap, const_i64(2))
            new_cap = b.select(b.icmp_unsigned(">", need, doubled), need, doubled)
            new_cap = b.select(b.icmp_unsigned("<", new_cap, const_i64(16)), const_i64(16),
                               new_cap)
            data_ptr = b.gep(hdr, [const_i64(0), ir.Constant(I32, 0)])
            data = b.call(self.libc("realloc"), [b.load(data_ptr), new_cap])
            failed = b.icmp_unsigned("==", b.ptrtoint(data, I64), const_i64(0))
            with b.if_then(failed, likely=False):
                self.panic(b, "runtime error: memory allocation failed")
            b.store(data, data_ptr)
            b.store(new_cap, cap_ptr)
        b.ret_void()
        return fn

    def _build_buf_push_str(self) -> ir.Function:
        fn, b = self._new_fn("__sx_buf_push_str", ir.VoidType(), [VEC_BYTES.as_pointer(), STR])
        hdr, s = fn.args
        n = b.extract_value(s, 1)
        b.call(self.routine("buf_reserve"), [hdr, n])
        len_ptr = b.gep(hdr, [const_i64(0), ir.Constant(I32, 1)])
        length = b.load(len_ptr)
        data = b.load(b.gep(hdr, [const_i64(0), ir.Constant(I32, 0)]))
        b.call(self.libc("memcpy"), [b.gep(data, [length]), b.extract_value(s, 0), n])
        b.store(b.add(length, n), len_ptr)
        b.ret_void()
        return fn

    def _build_buf_reindent(self) -> ir.Function:
        """`__sx_buf_reindent(vec: *Vec<u8>, start, k)`: insert `k` spaces after each
        newline from byte `start` on, as Rust's `{:#?}` indents a nested value."""
        fn, b = self._new_fn("__sx_buf_reindent", ir.VoidType(),
                             [VEC_BYTES.as_pointer(), I64, I64])
        hdr, start, k = fn.args
        newline = ir.Constant(I8, ord("\n"))
        len_ptr = b.gep(hdr, [const_i64(0), ir.Constant(I32, 1)])
        data_ptr = b.gep(hdr, [const_i64(0), ir.Constant(I32, 0)])
        length = b.load(len_ptr)

        # count the newlines
        count_at, i_at = b.alloca(I64), b.alloca(I64)
        b.store(const_i64(0), count_at)
        b.store(start, i_at)
        test, step, counted = (fn.append_basic_block(n) for n in ("count", "count.step", "counted"))
        b.branch(test)
        b.position_at_end(test)
        i = b.load(i_at)
        b.cbranch(b.icmp_unsigned("<", i, length), step, counted)
        b.position_at_end(step)
        byte = b.load(b.gep(b.load(data_ptr), [i]))
        found = b.zext(b.icmp_unsigned("==", byte, newline), I64)
        b.store(b.add(b.load(count_at), found), count_at)
        b.store(b.add(i, const_i64(1)), i_at)
        b.branch(test)

        b.position_at_end(counted)
        extra = b.mul(b.load(count_at), k)
        with b.if_then(b.icmp_unsigned("!=", extra, const_i64(0))):
            b.call(self.routine("buf_reserve"), [hdr, extra])
            data = b.load(data_ptr)
            # move each byte up from the end, with the spaces after each newline
            j_at = b.alloca(I64)
            b.store(b.add(length, extra), j_at)
            b.store(length, i_at)
            test, step, moved = (fn.append_basic_block(n) for n in ("move", "move.step", "moved"))
            b.branch(test)
            b.position_at_end(test)
            i = b.load(i_at)
            b.cbranch(b.icmp_unsigned(">", i, start), step, moved)
            b.position_at_end(step)
            i = b.sub(i, const_i64(1))
            b.store(i, i_at)
            byte = b.load(b.gep(data, [i]))
            with b.if_then(b.icmp_unsigned("==", byte, newline)):
                j = b.sub(b.load(j_at), k)
                b.store(j, j_at)
                b.call(self.libc("memset"), [b.gep(data, [j]), ir.Constant(I32, ord(" ")), k])
            j = b.sub(b.load(j_at), const_i64(1))
            b.store(j, j_at)
            b.store(byte, b.gep(data, [j]))
            b.branch(test)
            b.position_at_end(moved)
            b.store(b.add(length, extra), len_ptr)
        b.ret_void()
        return fn

    def _snprintf_routine(self, name: str, fmt: bytes, arg_types: list[ir.Type]) -> ir.Function:
        """Append `snprintf(fmt, args...)` to a byte buffer."""
        fn, b = self._new_fn(name, ir.VoidType(), [VEC_BYTES.as_pointer()] + arg_types)
        hdr = fn.args[0]
        b.call(self.routine("buf_reserve"), [hdr, const_i64(400)])
        len_ptr = b.gep(hdr, [const_i64(0), ir.Constant(I32, 1)])
        length = b.load(len_ptr)
        data = b.load(b.gep(hdr, [const_i64(0), ir.Constant(I32, 0)]))
        g = b.bitcast(self.cstring(fmt), PTR)
        args = list(fn.args[1:])
        if arg_types and arg_types[0] == I64 and len(arg_types) == 2:
            args[0] = b.trunc(args[0], I32)  # precision for `%.*`
        n = b.call(self.libc("snprintf"), [b.gep(data, [length]), const_i64(400), g] + args)
        n = b.sext(n, I64)
        # a longer text (`{:.1000}`, `{:.340}` of `f64::MAX`) was cut at 400 bytes:
        # make room for all of it and write it again
        with b.if_then(b.icmp_signed(">=", n, const_i64(400)), likely=False):
            room = b.add(n, const_i64(1))
            b.call(self.routine("buf_reserve"), [hdr, room])
            moved = b.load(b.gep(hdr, [const_i64(0), ir.Constant(I32, 0)]))
            b.call(self.libc("snprintf"), [b.gep(moved, [length]), room, g] + args)
        n = b.select(b.icmp_signed("<", n, const_i64(0)), const_i64(0), n)
        b.store(b.add(length, n), len_ptr)
        b.ret_void()
        return fn

    def _build_buf_push_i64(self):
        return self._snprintf_routine("__sx_buf_push_i64", b"%lld", [I64])

    def _build_buf_push_u64(self):
        return self._snprintf_routine("__sx_buf_push_u64", b"%llu", [I64])

    def _build_buf_push_hex(self):
        return self._snprintf_routine("__sx_buf_push_hex", b"%llx", [I64])

    def _build_buf_push_hex_upper(self):
        return self._snprintf_routine("__sx_buf_push_hex_upper", b"%llX", [I64])

    def _build_buf_push_fixed(self):
        return self._snprintf_routine("__sx_buf_push_fixed", b"%.*f", [I64, F64])

    def _build_buf_push_exp(self):
        return self._snprintf_routine("__sx_buf_push_exp", b"%.*e", [I64, F64])

    def _build_buf_push_g(self):
        return self._snprintf_routine("__sx_buf_push_g", b"%g", [F64])

    def _build_write_stdout(self) -> ir.Function:
        fn, b = self._new_fn("__sx_write_stdout", ir.VoidType(), [PTR, I64])
        b.call(self.libc("fwrite"), [fn.args[0], const_i64(1), fn.args[1], self.stdout(b)])
        b.ret_void()
        return fn

    def _build_write_stderr(self) -> ir.Function:
        fn, b = self._new_fn("__sx_write_stderr", ir.VoidType(), [PTR, I64])
        b.call(self.libc("fflush"), [self.stdout(b)])
        b.call(self.libc("fwrite"), [fn.args[0], const_i64(1), fn.args[1], self.stderr(b)])
        b.ret_void()
        return fn

    def _build_flush(self) -> ir.Function:
        """`__sx_flush()`: write out stdout's buffer, and panic as Rust's `println!`
        does when writing failed (a full disk, a pipe closed by its reader).

        As in Rust, output to a closed file descriptor 1 (EBADF) is dropped
        without an error.
        """
        fn, b = self._new_fn("__sx_flush", ir.VoidType(), [])
        # every call from Python ends with it, so it stays out of the callers
        fn.attributes.add("noinline")
        out = self.stdout(b)
        flushed = b.call(self.libc("fflush"), [out])
        failed = b.or_(b.icmp_signed("!=", flushed, ir.Constant(I32, 0)),
                       b.icmp_signed("!=", b.call(self.libc("ferror"), [out]),
                                     ir.Constant(I32, 0)))
        with b.if_then(failed, likely=False):
            errno = b.load(b.call(self.libc(ERRNO_LOCATION), []))
            b.call(self.libc("clearerr"), [out])
            with b.if_then(b.icmp_signed("!=", errno, ir.Constant(I32, EBADF))):
                self.panic(b, "runtime error: failed printing to stdout")
        b.ret_void()
        return fn

    # ------------------------------------------------------------ strings

    def checked_malloc(self, b: ir.IRBuilder, nbytes: ir.Value,
                       fmt: ir.Value | None = None) -> ir.Value:
        """Call `malloc(nbytes)`, panicking when it returns null.

        `fmt` is the `printf` format of the message, which receives the byte
        count; without it the message names no source location.
        """
        buf = b.call(self.libc("malloc"), [nbytes])
        if fmt is None:
            fmt = b.bitcast(self.cstring(b"runtime error: memory allocation of %lld bytes "
                                         b"failed"), PTR)
        failed = b.icmp_unsigned("==", b.ptrtoint(buf, I64), const_i64(0))
        with b.if_then(failed, likely=False):
            b.call(self.routine("panic_fmt"), [fmt, nbytes, const_i64(0)])
            b.unreachable()
        return buf

    def _cstr_copy(self, b: ir.IRBuilder, s: ir.Value, fmt: ir.Value | None = None) -> ir.Value:
        """Copy a `str` into a fresh NUL-terminated heap buffer; see `checked_malloc`."""
        n = b.extract_value(s, 1)
        buf = self.checked_malloc(b, b.add(n, const_i64(1)), fmt)
        b.call(self.libc("memcpy"), [buf, b.extract_value(s, 0), n])
        b.store(ir.Constant(I8, 0), b.gep(buf, [n]))
        return buf

    def _build_parse_f64(self) -> ir.Function:
        """`__sx_parse_f64(s, ok: *i1) -> f64`, accepting what Rust's `parse` accepts."""
        return self._build_parse_float("__sx_parse_f64", F64, "strtod")

    def _build_parse_f32(self) -> ir.Function:
        """`__sx_parse_f32(s, ok: *i1) -> f32`, rounded once from the digits by `strtof`."""
        return self._build_parse_float("__sx_parse_f32", F32, "strtof")

    def _build_parse_float(self, name: str, ty: ir.Type, strto: str) -> ir.Function:
        fn, b = self._new_fn(name, ty, [STR, I1.as_pointer()])
        s, ok = fn.args
        n = b.extract_value(s, 1)
        cstr = self._cstr_copy(b, s)
        end = b.alloca(PTR)
        value = b.call(self.libc(strto), [cstr, end])
        consumed = b.sub(b.ptrtoint(b.load(end), I64), b.ptrtoint(cstr, I64))
        first = b.load(cstr)
        space = b.icmp_unsigned("<=", first, ir.Constant(I8, 32))
        # strtod also reads hexadecimal floats, which Rust rejects
        second = b.load(b.gep(cstr, [b.select(b.icmp_unsigned(">", n, const_i64(1)),
                                               const_i64(1), const_i64(0))]))
        hexa = b.or_(b.icmp_unsigned("==", second, ir.Constant(I8, ord("x"))),
                     b.icmp_unsigned("==", second, ir.Constant(I8, ord("X"))))
        good = b.and_(b.icmp_unsigned("==", consumed, n), b.icmp_unsigned(">", n, const_i64(0)))
        good = b.and_(good, b.not_(space))
        good = b.and_(good, b.not_(hexa))
        b.store(good, ok)
        b.call(self.libc("free"), [cstr])
        b.ret(value)
        return fn

    def _build_parse_i64(self) -> ir.Function:
        """`__sx_parse_i64(s, signed, ok: *i1, radix) -> i64`, with Rust's rules for `parse`
        and `from_str_radix`.

        The digits are read by hand, because `strtoll` saturates on overflow
        and only `errno` distinguishes that from an exact `i64::MAX`.
        An optional `+` (or `-` when `signed`) comes first, then one or more
        digits of `radix` (`0`-`9`, then `a`-`z` or `A`-`Z`) and nothing else;
        a value out of the range of `i64` (or `u64` when not `signed`) sets ok
        to false.
        """
        fn, b = self._new_fn("__sx_parse_i64", I64, [STR, I1, I1.as_pointer(), I64])
        s, signed, ok, radix = fn.args
        data = b.extract_value(s, 0)
        n = b.extract_value(s, 1)
        check_sign = fn.append_basic_block("sign")
        loop = fn.append_basic_block("loop")
        body = fn.append_basic_block("digit")
        step = fn.append_basic_block("step")
        done = fn.append_basic_block("done")
        bad = fn.append_basic_block("bad")

        b.cbranch(b.icmp_unsigned("==", n, const_i64(0)), bad, check_sign)
        b.position_at_end(check_sign)
        first = b.load(data)
        minus = b.icmp_unsigned("==", first, ir.Constant(I8, ord("-")))
        plus = b.icmp_unsigned("==", first, ir.Constant(I8, ord("+")))
        negative = b.and_(minus, signed)
        has_sign = b.or_(negative, plus)
        start = b.zext(has_sign, I64)
        # a sign alone has no digits; `-` before an unsigned type is an invalid digit
        b.cbranch(b.icmp_unsigned("==", start, n), bad, loop)

        b.position_at_end(loop)
        index = b.phi(I64, "i")
        magnitude = b.phi(I64, "magnitude")
        index.add_incoming(start, check_sign)
        magnitude.add_incoming(const_i64(0), check_sign)
        b.cbranch(b.icmp_unsigned("==", index, n), done, body)

        b.position_at_end(body)
        char = b.zext(b.load(b.gep(data, [index])), I64)
        decimal = b.sub(char, const_i64(ord("0")))
        lower = b.sub(b.or_(char, const_i64(0x20)), const_i64(ord("a")))  # either case
        letter = b.select(b.icmp_unsigned("<", lower, const_i64(26)),
                          b.add(lower, const_i64(10)), const_i64(99))
        digit = b.select(b.icmp_unsigned("<", decimal, const_i64(10)), decimal, letter)
        b.cbranch(b.icmp_unsigned("<", digit, radix), step, bad)

        b.position_at_end(step)
        scaled = b.umul_with_overflow(magnitude, radix)
        summed = b.uadd_with_overflow(b.extract_value(scaled, 0), digit)
        wrapped = b.or_(b.extract_value(scaled, 1), b.extract_value(summed, 1))
        index.add_incoming(b.add(index, const_i64(1)), step)
        magnitude.add_incoming(b.extract_value(summed, 0), step)
        b.cbranch(wrapped, bad, loop)

        b.position_at_end(done)
        # the largest magnitude: 2^63 after `-`, 2^63 - 1 signed, 2^64 - 1 unsigned
        signed_limit = b.select(negative, const_i64(2**63), const_i64(2**63 - 1))
        limit = b.select(signed, signed_limit, const_i64(2**64 - 1))
        b.store(b.icmp_unsigned("<=", magnitude, limit), ok)
        b.ret(b.select(negative, b.sub(const_i64(0), magnitude), magnitude))

        b.position_at_end(bad)
        b.store(ir.Constant(I1, 0), ok)
        b.ret(const_i64(0))
        return fn

    def _build_read_file(self) -> ir.Function:
        """`__sx_read_file(path, ok: *i1, fmt) -> str`: the whole file, or ok = false.

        The file is read in chunks until its end, so pipes, `/dev/stdin` and files
        under `/proc`, whose size `ftell` does not give, read as regular files do.
        A failed allocation panics with the `printf` format `fmt` and the byte count.
        """
        fn, b = self._new_fn("__sx_read_file", STR, [STR, I1.as_pointer(), PTR])
        path, ok, fmt = fn.args
        cpath = self._cstr_copy(b, path, fmt)
        mode = b.bitcast(self.cstring(b"rb"), PTR)
        f = b.call(self.libc("fopen"), [cpath, mode])
        b.call(self.libc("free"), [cpath])
        empty = ir.Constant(STR, [ir.Constant(PTR, None), const_i64(0)])
        is_null = b.icmp_unsigned("==", b.ptrtoint(f, I64), const_i64(0))
        with b.if_then(is_null):
            b.store(ir.Constant(I1, 0), ok)
            b.ret(empty)
        # `ftell` gives a regular file's size, so one allocation is enough.  For a
        # pipe or a file under /proc it gives -1 or 0, and the buffer grows from 64 KiB.
        b.call(self.libc("fseek"), [f, const_i64(0), ir.Constant(I32, 2)])
        size = b.call(self.libc("ftell"), [f])
        b.call(self.libc("fseek"), [f, const_i64(0), ir.Constant(I32, 0)])
        known = b.icmp_signed(">", size, const_i64(0))
        first = b.select(known, b.add(size, const_i64(1)), const_i64(1 << 16))
        cap = b.alloca(I64)
        length = b.alloca(I64)
        data = b.alloca(PTR)
        b.store(first, cap)
        b.store(const_i64(0), length)
        b.store(self._checked_alloc(b, None, first, fmt, f), data)
        read = fn.append_basic_block("read")
        done = fn.append_basic_block("done")
        b.branch(read)
        b.position_at_end(read)
        full = b.icmp_unsigned("==", b.load(length), b.load(cap))
        with b.if_then(full):
            bigger = b.mul(b.load(cap), const_i64(2))
            b.store(self._checked_alloc(b, b.load(data), bigger, fmt, f), data)
            b.store(bigger, cap)
        at = b.gep(b.load(data), [b.load(length)])
        got = b.call(self.libc("fread"), [at, const_i64(1), b.sub(b.load(cap), b.load(length)), f])
        b.store(b.add(b.load(length), got), length)
        b.cbranch(b.icmp_unsigned("==", got, const_i64(0)), done, read)
        b.position_at_end(done)
        failed = b.icmp_signed("!=", b.call(self.libc("ferror"), [f]), ir.Constant(I32, 0))
        b.call(self.libc("fclose"), [f])
        with b.if_then(failed):
            # a directory opens but does not read
            b.call(self.libc("free"), [b.load(data)])
            b.store(ir.Constant(I1, 0), ok)
            b.ret(empty)
        b.store(ir.Constant(I1, 1), ok)
        out = ir.Constant(STR, ir.Undefined)
        out = b.insert_value(b.insert_value(out, b.load(data), 0), b.load(length), 1)
        b.ret(out)
        return fn

    def _build_stdin_line(self) -> ir.Function:
        """`__sx_stdin_line() -> str`: the next line of standard input with its `\\n`, or
        the empty string at the end of the input.

        Every reader of standard input in a program shares one C stream, so
        `read_line`, `lines` and `read_to_string` continue where another stopped.
        """
        fn, b = self._new_fn("__sx_stdin_line", STR, [])
        stream = self._global("__sx_stdin_stream", PTR)
        with b.if_then(b.icmp_unsigned("==", b.ptrtoint(b.load(stream), I64), const_i64(0))):
            mode = b.bitcast(self.cstring(b"rb"), PTR)
            b.store(b.call(self.libc("fdopen"), [ir.Constant(I32, 0), mode]), stream)
        empty = ir.Constant(STR, [ir.Constant(PTR, None), const_i64(0)])
        with b.if_then(b.icmp_unsigned("==", b.ptrtoint(b.load(stream), I64), const_i64(0))):
            b.ret(empty)  # no standard input: a closed descriptor reads as empty
        line = b.alloca(PTR)
        size = b.alloca(I64)
        b.store(ir.Constant(PTR, None), line)
        b.store(const_i64(0), size)
        got = b.call(self.libc("getline"), [line, size, b.load(stream)])
        with b.if_then(b.icmp_signed("<", got, const_i64(0))):
            b.call(self.libc("free"), [b.load(line)])
            b.ret(empty)
        out = ir.Constant(STR, ir.Undefined)
        out = b.insert_value(b.insert_value(out, b.load(line), 0), got, 1)
        b.ret(out)
        return fn

    def _checked_alloc(self, b: ir.IRBuilder, old, size, fmt, f):
        """Return `malloc(size)`, or `realloc(old, size)` when `old` is given; on failure
        close `f` and panic with the byte count."""
        if old is None:
            data = b.call(self.libc("malloc"), [size])
        else:
            data = b.call(self.libc("realloc"), [old, size])
        with b.if_then(b.icmp_unsigned("==", b.ptrtoint(data, I64), const_i64(0)),
                       likely=False):
            b.call(self.libc("fclose"), [f])
            b.call(self.routine("panic_fmt"), [fmt, size, const_i64(0)])
            b.unreachable()
        return data

    def _build_progress(self) -> ir.Function:
        """Call the installed progress hook, if any, with (kind, step, total,
        energy, temperature, accepted, reheats); see `sxc.progress`.

        A report sooner than the interval after the previous call is skipped,
        except the last report of an annealing run (step == total) and the
        report of a meta-step, so a display always shows how a run ended.
        """
        params = [I64, I64, I64, F64, F64, I64, I64]
        fn, b = self._new_fn("__sx_progress", ir.VoidType(), params)
        hook = b.load(self.progress_hook)
        installed = b.icmp_unsigned("!=", hook, ir.Constant(PTR, None))
        done = fn.append_basic_block("done")
        check_time = fn.append_basic_block("check_time")
        call = fn.append_basic_block("call")
        b.cbranch(installed, check_time, done)
        b.position_at_end(check_time)
        interval = b.load(self.progress_interval)
        now = b.call(self.routine("clock_monotonic"), [])
        elapsed = b.fsub(now, b.load(self.progress_last))
        due = b.fcmp_ordered(">=", elapsed, interval)
        kind, step, total = fn.args[0], fn.args[1], fn.args[2]
        last = b.icmp_unsigned("==", step, total)
        meta = b.icmp_unsigned("!=", kind, ir.Constant(I64, 0))
        due = b.or_(due, b.or_(last, meta))
        b.cbranch(due, call, done)
        b.position_at_end(call)
        b.store(now, self.progress_last)
        hook_type = ir.FunctionType(ir.VoidType(), params).as_pointer()
        b.call(b.bitcast(hook, hook_type), list(fn.args))
        b.branch(done)
        b.position_at_end(done)
        b.ret_void()
        return fn

    def _build_clock_monotonic(self) -> ir.Function:
        """Seconds on CLOCK_MONOTONIC, as a double."""
        fn, b = self._new_fn("__sx_clock_monotonic", F64, [])
        ts = b.alloca(ir.ArrayType(I64, 2))
        p = b.bitcast(ts, I64.as_pointer())
        b.call(self.libc("clock_gettime"), [ir.Constant(I32, 1), p])
        sec = b.sitofp(b.load(p), F64)
        nsec = b.sitofp(b.load(b.gep(p, [const_i64(1)])), F64)
        b.ret(b.fadd(sec, b.fmul(nsec, ir.Constant(F64, 1e-9))))
        return fn

    def _build_cstr_to_str(self) -> ir.Function:
        fn, b = self._new_fn("__sx_cstr_to_str", STR, [PTR])
        n = b.call(self.libc("strlen"), [fn.args[0]])
        out = ir.Constant(STR, ir.Undefined)
        out = b.insert_value(b.insert_value(out, fn.args[0], 0), n, 1)
        b.ret(out)
        return fn
