"""Codegen of built-in functions, string methods and the printing macros.

Kept apart from `sxc.codegen` because these are one case per built-in rather
than one case per syntax node.  Printing formats into a byte buffer with the
functions of `runtime/std.sx` (number layout as Rust prints it) and writes
the buffer with one `fwrite`.
"""

from __future__ import annotations

from llvmlite import ir

from sxc import ast
from sxc import types as T
from sxc.codegen import NEVER, UNIT_VAL, Codegen
from sxc.diagnostics import InternalError
from sxc.codegen_format import flags_for, fmt_value, push_literal
from sxc.formatting import PANIC_MACROS, Spec
from sxc.native import I1, I8, I32, I64, PTR, STR, VEC_BYTES, const_i64

# Prelude functions that implement string methods, by method name.
STR_METHODS = {
    "lines": "__str_lines", "split_whitespace": "__str_split_whitespace",
    "trim": "__str_trim", "starts_with": "__str_starts_with",
    "ends_with": "__str_ends_with", "contains": "__str_contains", "split": "__str_split",
    "to_uppercase": "__str_to_uppercase", "to_lowercase": "__str_to_lowercase",
    "to_ascii_uppercase": "__str_to_ascii_uppercase",
    "to_ascii_lowercase": "__str_to_ascii_lowercase",
    "repeat": "__str_repeat", "replace": "__str_replace",
}

# Intrinsics that `runtime/std.sx` calls: name -> native routine.
BUF_ROUTINES = {
    "__buf_push_str": "buf_push_str", "__buf_push_i64": "buf_push_i64",
    "__buf_push_u64": "buf_push_u64", "__buf_push_fixed": "buf_push_fixed",
    "__buf_push_exp": "buf_push_exp", "__buf_push_g": "buf_push_g",
    "__buf_push_hex": "buf_push_hex", "__buf_push_hex_upper": "buf_push_hex_upper",
}


def emit(cg: Codegen, name: str, e) -> ir.Value:
    handler = _BUILTINS.get(name)
    if handler is None:
        raise InternalError(f"no codegen for builtin `{name}`")
    return handler(cg, e)


def _args(cg: Codegen, e):
    return cg.call_args(e.args)


def _as_slice(cg: Codegen, e: ast.Call):
    arg = e.args[0]
    data, length = cg.seq_parts(arg)
    sl = ir.Constant(cg.ll(e.ty), ir.Undefined)
    sl = cg.b.insert_value(sl, data, 0)
    return cg.b.insert_value(sl, length, 1)


def _vec_new(cg: Codegen, e: ast.Call):
    if not e.args:
        return cg.vec_new(e.ty.elem, const_i64(0))
    cap = cg.to_i64(cg.value(e.args[0]), e.args[0].ty)
    return cg.vec_new(e.ty.elem, cap, e.args[0].span)


def _args_vec(cg: Codegen, e):
    b = cg.b
    nat = cg.native
    header = cg.vec_new(T.STRING, const_i64(0))
    push = cg.helper_vec_push(T.STRING)
    messages = cg.growth_messages(e.span)
    argc = b.load(nat.argc)
    argv = b.load(nat.argv)
    cg.counted_loop(argc, lambda i: b.call(push, [header, b.call(
        nat.routine("cstr_to_str"), [b.load(b.gep(argv, [i]))])] + messages))
    return header


def _stdin_line(cg: Codegen, e):
    return cg.b.call(cg.native.routine("stdin_line"), [])


def _read_file(cg: Codegen, e):
    b = cg.b
    path = cg.value(e.args[0])
    ok = cg.alloca(I1)
    alloc_fmt = cg.growth_messages(e.span)[0]
    text = b.call(cg.native.routine("read_file"), [path, ok, alloc_fmt])
    fail = cg.st.fn.append_basic_block("read.fail")
    cont = cg.st.fn.append_basic_block("read.ok")
    b.cbranch(b.load(ok), cont, fail)
    b.position_at_end(fail)
    # the message names the path, which is only known at run time
    prefix = cg.native.str_const(b, f"{cg.loc(e.span)}: runtime error: cannot read "
                                 "file `".encode())
    msg = cg.str_append(prefix, path, e.span)
    msg = cg.str_append(msg, cg.native.str_const(b, b"`"), e.span)
    b.call(cg.native.routine("panic"), [msg])
    b.unreachable()
    b.position_at_end(cont)
    return text


def _print_str(newline: bool):
    def handler(cg: Codegen, e):
        b = cg.b
        s = cg.value(e.args[0])
        write = cg.native.routine("write_stdout")
        b.call(write, [b.extract_value(s, 0), b.extract_value(s, 1)])
        if newline:
            nl = cg.native.str_const(b, b"\n")
            b.call(write, [b.extract_value(nl, 0), const_i64(1)])
        if not newline:
            b.call(cg.native.routine("flush"), [])
        return UNIT_VAL
    return handler


def _print_f64(cg: Codegen, e):
    x = cg.value(e.args[0])
    slot = _reset_outbuf(cg)
    cg.b.call(cg.functions["__fmt_f64_c_g"], [slot, x])
    cg.b.call(cg.native.routine("buf_push_str"), [cg.outbuf, cg.native.str_const(cg.b, b"\n")])
    _flush_outbuf(cg)
    return UNIT_VAL


def _print_i64(cg: Codegen, e):
    x = cg.value(e.args[0])
    _reset_outbuf(cg)
    cg.b.call(cg.native.routine("buf_push_i64"), [cg.outbuf, x])
    _flush_outbuf(cg)
    return UNIT_VAL


def _bits(cg: Codegen, e):
    v = cg.value(e.args[0])
    return cg.b.bitcast(v, cg.ll(e.ty))


# ---------------------------------------------------------------- vector handles
#
# The original runtime's `vec_new()` returns a vector as an `i64` handle whose
# elements are `i64`s (floats travel as `f64_to_bits` patterns).  The handle
# here is the address of a `Vec<i64>` header that lives until the program
# ends.  As in that runtime, reading outside the vector gives 0 and writing
# outside it does nothing.


def _handle_header(cg: Codegen, handle: ir.Value) -> ir.Value:
    return cg.b.inttoptr(handle, cg.vec_header(T.I64).as_pointer())


def _handle(cg: Codegen, e: ast.Expr) -> ir.Value:
    """The handle an argument names: an `i64`, or the header of a `Vec` of 8-byte numbers."""
    value = cg.value(e)
    if isinstance(value.type, ir.PointerType):
        return cg.b.ptrtoint(value, I64)
    return value


def _handle_field(cg: Codegen, header: ir.Value, index: int) -> ir.Value:
    return cg.b.gep(header, [const_i64(0), ir.Constant(I32, index)])


def _vec_handle_helper(cg: Codegen, name: str, ret: ir.Type, params: list, build):
    return cg._helper(f"vec_handle.{name}", ret, params, build)


def _handle_len_fn(cg: Codegen) -> ir.Function:
    def build(fn):
        b = cg.b
        handle = fn.args[0]
        with b.if_then(b.icmp_signed("==", handle, const_i64(0)), likely=False):
            b.ret(const_i64(0))
        b.ret(b.load(_handle_field(cg, _handle_header(cg, handle), 1)))

    return _vec_handle_helper(cg, "len", I64, [I64], build)


def _handle_slot_fn(cg: Codegen) -> ir.Function:
    """`(handle, index) -> element pointer as i64`, or 0 outside the vector."""
    def build(fn):
        b = cg.b
        handle, index = fn.args
        length = b.call(_handle_len_fn(cg), [handle])
        outside = b.or_(b.icmp_signed("<", index, const_i64(0)),
                        b.icmp_signed(">=", index, length))
        with b.if_then(outside, likely=False):
            b.ret(const_i64(0))
        data = b.load(_handle_field(cg, _handle_header(cg, handle), 0))
        b.ret(b.ptrtoint(b.gep(data, [index]), I64))

    return _vec_handle_helper(cg, "slot", I64, [I64, I64], build)


def _vec_handle_new(cg: Codegen, e: ast.Call):
    header = cg.vec_new(T.I64, const_i64(0))
    return cg.b.ptrtoint(header, I64)


def _vec_handle_push(cg: Codegen, e: ast.Call):
    handle, value = _handle(cg, e.args[0]), cg.value(e.args[1])
    b = cg.b
    live = b.icmp_signed("!=", handle, const_i64(0))
    with b.if_then(live):
        cg.vec_push(T.I64, _handle_header(cg, handle), value, e.span)
    return UNIT_VAL


def _vec_handle_len(cg: Codegen, e: ast.Call):
    return cg.b.call(_handle_len_fn(cg), [_handle(cg, e.args[0])])


def _vec_handle_get(cg: Codegen, e: ast.Call):
    b = cg.b
    slot = b.call(_handle_slot_fn(cg), [_handle(cg, e.args[0]), cg.value(e.args[1])])
    found = b.icmp_signed("!=", slot, const_i64(0))
    with b.if_else(found) as (then, otherwise):
        with then:
            got = b.load(b.inttoptr(slot, I64.as_pointer()))
            then_block = b.block
        with otherwise:
            otherwise_block = b.block
    phi = b.phi(I64)
    phi.add_incoming(got, then_block)
    phi.add_incoming(const_i64(0), otherwise_block)
    return phi


def _vec_handle_set(cg: Codegen, e: ast.Call):
    b = cg.b
    slot = b.call(_handle_slot_fn(cg), [_handle(cg, e.args[0]), cg.value(e.args[1])])
    value = cg.value(e.args[2])
    with b.if_then(b.icmp_signed("!=", slot, const_i64(0))):
        b.store(value, b.inttoptr(slot, I64.as_pointer()))
    return UNIT_VAL


def _vec_handle_pop_fn(cg: Codegen) -> ir.Function:
    def build(fn):
        b = cg.b
        handle = fn.args[0]
        length = b.call(_handle_len_fn(cg), [handle])
        with b.if_then(b.icmp_signed("==", length, const_i64(0)), likely=False):
            b.ret(const_i64(0))
        header = _handle_header(cg, handle)
        last = b.sub(length, const_i64(1))
        b.store(last, _handle_field(cg, header, 1))
        data = b.load(_handle_field(cg, header, 0))
        b.ret(b.load(b.gep(data, [last])))

    return _vec_handle_helper(cg, "pop", I64, [I64], build)


def _vec_handle_pop(cg: Codegen, e: ast.Call):
    return cg.b.call(_vec_handle_pop_fn(cg), [_handle(cg, e.args[0])])


def _vec_handle_clear(cg: Codegen, e: ast.Call):
    b = cg.b
    handle = _handle(cg, e.args[0])
    with b.if_then(b.icmp_signed("!=", handle, const_i64(0))):
        b.store(const_i64(0), _handle_field(cg, _handle_header(cg, handle), 1))
    return UNIT_VAL


def _drop(cg: Codegen, e):
    """`drop(x)`: evaluate `x`, which `sxc.drops` then no longer frees."""
    return NEVER if cg.value(e.args[0]) is NEVER else UNIT_VAL


def _free_vec(cg: Codegen, e):
    """`__free_vec(v)`, which the library calls on a table of its own that it replaces."""
    value = cg.value(e.args[0])
    if value is NEVER:
        return NEVER
    cg.free_value(value, e.args[0].ty)
    return UNIT_VAL


def _exit(cg: Codegen, e):
    code = cg.value(e.args[0])
    cg.b.call(cg.native.routine("exit"), [code])
    cg.b.unreachable()
    return NEVER


def _unwrap(cg: Codegen, e):
    return cg.value(e.receiver)


def _default_rng(cg: Codegen, e):
    return cg.rng_global


def _soft_score(cg: Codegen, e):
    """Return the global that sums the log-probabilities of sampled soft decisions."""
    existing = cg.m.globals.get("__sx_soft_score")
    if existing is not None:
        return existing
    ty = cg.ll(e.ty.inner)
    score = ir.GlobalVariable(cg.m, ty, "__sx_soft_score")
    score.initializer = ir.Constant(ty, None)
    score.linkage = "internal"
    return score


def _to_string(cg: Codegen, e):
    recv = e.receiver if isinstance(e, ast.MethodCall) else e.args[0]
    header = cg.vec_new(T.U8, const_i64(16))
    slot = cg.alloca(VEC_BYTES.as_pointer())
    cg.b.store(cg.b.bitcast(header, VEC_BYTES.as_pointer()), slot)
    v = cg.value(recv)
    fmt_value(cg, slot, v, recv.ty, Spec(None))
    return _take_buf_str(cg, slot)


def _buf_intrinsic(routine: str):
    def handler(cg: Codegen, e):
        values = _args(cg, e)
        header = cg.b.load(values[0])
        cg.b.call(cg.native.routine(routine), [header] + values[1:])
        return UNIT_VAL
    return handler


def _str_byte(cg: Codegen, e):
    s, i = _args(cg, e)
    return cg.b.load(cg.b.gep(cg.b.extract_value(s, 0), [i]))


def _char_from_code(cg: Codegen, e):
    """Read a code point that the caller has checked as a `char` (both are `i32`)."""
    return _args(cg, e)[0]


def _str_slice(cg: Codegen, e):
    b = cg.b
    s, lo, hi = _args(cg, e)
    out = ir.Constant(STR, ir.Undefined)
    out = b.insert_value(out, b.gep(b.extract_value(s, 0), [lo]), 0)
    return b.insert_value(out, b.sub(hi, lo), 1)


def _bytes_as_str(cg: Codegen, e):
    return _buf_to_str(cg, cg.value(e.args[0]))


def _str_to_f64(cg: Codegen, e):
    s = cg.value(e.args[0])
    ok = cg.alloca(I1)
    return cg.b.call(cg.native.routine("parse_f64"), [s, ok])


def _string_new(cg: Codegen, e):
    return ir.Constant(STR, [ir.Constant(PTR, None), const_i64(0)])


def _string_with_capacity(cg: Codegen, e):
    _args(cg, e)
    return _string_new(cg, e)


def _box_new(cg: Codegen, e):
    """`Box::new(x)`: copy `x` into a fresh heap cell; its address is the `Box`."""
    value = cg.value(e.args[0])
    if value is NEVER:
        return NEVER
    inner = cg.ll(e.ty.inner)
    size = cg.sizeof(inner)
    # one spare byte, so that a `Box<()>` never requests 0 bytes from malloc
    raw = cg.b.call(cg.native.libc("malloc"), [cg.b.add(size, const_i64(1))])
    cg.panic_if_null(raw, cg.growth_messages(e.span)[0], size)
    cell = cg.b.bitcast(raw, inner.as_pointer())
    cg.store(value, cell)
    return cell


def _clock(cg: Codegen, e):
    return cg.b.call(cg.native.routine("clock_monotonic"), [])


def _progress_samples(cg: Codegen, e):
    return cg.b.load(cg.native.progress_samples)


def _progress(cg: Codegen, e):
    cg.b.call(cg.native.routine("progress"), _args(cg, e))
    return UNIT_VAL


_BUILTINS = {
    "__progress_samples": _progress_samples,
    "__progress": _progress,
    "String::new": _string_new,
    "String::with_capacity": _string_with_capacity,
    "__clock_monotonic": _clock,
    "as_slice": _as_slice,
    "Vec::new": _vec_new,
    "Box::new": _box_new,
    "args": _args_vec,
    "read_file": _read_file,
    "stdin_line": _stdin_line,
    "println_str": _print_str(True),
    "print_str": _print_str(False),
    "print_f64": _print_f64,
    "print_i64": _print_i64,
    "f64_to_bits": _bits,
    "bits_to_f64": _bits,
    "exit": _exit,
    "drop": _drop,
    "__free_vec": _free_vec,
    "vec_new": _vec_handle_new,
    "vec_push": _vec_handle_push,
    "vec_get": _vec_handle_get,
    "vec_set": _vec_handle_set,
    "vec_len": _vec_handle_len,
    "vec_pop": _vec_handle_pop,
    "vec_clear": _vec_handle_clear,
    "unwrap": _unwrap,
    "parse_ok": lambda cg, e: _parse_ok(cg, e),
    "default_rng": _default_rng,
    "soft_score": _soft_score,
    "__soft_score_f64": _soft_score,
    "to_string": _to_string,
    "__str_byte": _str_byte,
    "__char_from_code": _char_from_code,
    "__str_slice": _str_slice,
    "__bytes_as_str": _bytes_as_str,
    "__str_to_f64": _str_to_f64,
}
for _name, _routine in BUF_ROUTINES.items():
    _BUILTINS[_name] = _buf_intrinsic(_routine)


# ---------------------------------------------------------------- string methods


def str_method(cg: Codegen, e: ast.MethodCall, name: str):
    b = cg.b
    if name == "parse":
        return _parse(cg, e)
    if name in ("push_str", "push"):
        return _string_push(cg, e, name)
    if name in ("clear", "truncate"):
        return _string_truncate(cg, e)
    if name in ("insert", "insert_str"):
        return _string_insert(cg, e, name)
    recv = cg.value(e.receiver)
    if name in ("as_bytes", "bytes"):
        # a `&[u8]` has the layout of a `&str`
        return recv
    if name in ("chars", "char_indices"):
        header = b.call(cg.functions[f"__str_{name}"], [recv])
        data = b.load(b.gep(header, [const_i64(0), ir.Constant(I32, 0)]))
        length = b.load(b.gep(header, [const_i64(0), ir.Constant(I32, 1)]))
        # the slice keeps the items; only `sxc.drops` may free them
        b.call(cg.native.libc("free"), [b.bitcast(header, PTR)])
        sl = ir.Constant(cg.ll(e.ty), ir.Undefined)
        return b.insert_value(b.insert_value(sl, data, 0), length, 1)
    if name in ("len",):
        return b.extract_value(recv, 1)
    if name == "is_empty":
        return b.icmp_unsigned("==", b.extract_value(recv, 1), const_i64(0))
    if name in ("to_string", "to_owned", "as_str", "clone"):
        return recv
    fn = cg.functions[STR_METHODS[name]]
    args = []
    for a in e.args:
        value = cg.value(a)
        if T.prune(a.ty) == T.CHAR:
            value = _char_utf8(cg, value)
        args.append(value)
    return b.call(fn, [recv] + args)


def _string_push(cg: Codegen, e: ast.MethodCall, name: str):
    """Append to a `String` place: `s.push_str(t)` and `s.push('c')`."""
    b = cg.b
    place = _string_place(cg, e)
    arg = cg.value(e.args[0])
    if name == "push":
        arg = _char_utf8(cg, arg)
    b.store(cg.str_append(b.load(place), arg, e.span), place)
    if name == "push_str":
        cg.free_if_temporary(e.args[0], arg)
    return UNIT_VAL


def _char_utf8(cg: Codegen, c: ir.Value) -> ir.Value:
    """Return a string of the UTF-8 encoding of `char` `c`, in stack memory."""
    b = cg.b
    buf = cg.alloca(ir.ArrayType(I8, 4))

    def byte(shift, mask, mark):
        bits = b.and_(b.lshr(c, ir.Constant(I32, shift)), ir.Constant(I32, mask))
        return b.trunc(b.or_(bits, ir.Constant(I32, mark)), I8)

    def below(limit):
        return b.icmp_unsigned("<", c, ir.Constant(I32, limit))

    fits1, fits2, fits3 = below(0x80), below(0x800), below(0x10000)
    lead = b.select(fits1, b.trunc(c, I8), b.select(
        fits2, byte(6, 0x1F, 0xC0), b.select(fits3, byte(12, 0x0F, 0xE0), byte(18, 0x07, 0xF0))))
    # the continuation bytes, from the first after the lead to the last
    second = b.select(fits2, byte(0, 0x3F, 0x80), b.select(fits3, byte(6, 0x3F, 0x80),
                                                         byte(12, 0x3F, 0x80)))
    third = b.select(fits3, byte(0, 0x3F, 0x80), byte(6, 0x3F, 0x80))
    fourth = byte(0, 0x3F, 0x80)
    for i, value in enumerate((lead, second, third, fourth)):
        b.store(value, b.gep(buf, [const_i64(0), const_i64(i)]))
    length = b.select(fits1, const_i64(1), b.select(fits2, const_i64(2), b.select(
        fits3, const_i64(3), const_i64(4))))
    out = ir.Constant(STR, ir.Undefined)
    out = b.insert_value(out, b.bitcast(buf, PTR), 0)
    return b.insert_value(out, length, 1)


def _string_truncate(cg: Codegen, e: ast.MethodCall):
    """Emit `s.clear()` and `s.truncate(n)`, which shorten the length and leave the
    bytes unchanged for the strings that share them.  As in Rust, `truncate`
    past the end does nothing, and off a char boundary it panics."""
    b = cg.b
    place = _string_place(cg, e)
    s = b.load(place)
    length = b.extract_value(s, 1)
    if e.method == "clear":
        b.store(b.insert_value(s, const_i64(0), 1), place)
        return UNIT_VAL
    n = cg.value(e.args[0])
    shorter = b.icmp_unsigned("<", n, length)
    with b.if_then(shorter):
        # a byte 0b10xxxxxx continues a character
        byte = b.load(b.gep(b.extract_value(s, 0), [n]))
        inside = b.icmp_unsigned("==", b.and_(byte, ir.Constant(I8, 0xC0)),
                                 ir.Constant(I8, 0x80))
        cg.check(b.not_(inside), e.span, "assertion failed: self.is_char_boundary(new_len)")
        b.store(b.insert_value(s, n, 1), place)
    return UNIT_VAL


def _string_insert(cg: Codegen, e: ast.MethodCall, name: str):
    """Emit `s.insert(i, c)` and `s.insert_str(i, t)`, which build a new string of
    the bytes before `i`, the insertion and the rest.  As in Rust, an `i` past the
    end or inside a character panics."""
    b = cg.b
    place = _string_place(cg, e)
    at = cg.value(e.args[0])
    text = cg.value(e.args[1])
    if name == "insert":
        text = _char_utf8(cg, text)
    s = b.load(place)
    data, length = b.extract_value(s, 0), b.extract_value(s, 1)
    boundary = cg.alloca(I1)
    b.store(b.icmp_unsigned("==", at, length), boundary)
    with b.if_then(b.icmp_unsigned("<", at, length)):
        byte = b.load(b.gep(data, [at]))
        inside = b.icmp_unsigned("==", b.and_(byte, ir.Constant(I8, 0xC0)),
                                 ir.Constant(I8, 0x80))
        b.store(b.not_(inside), boundary)
    cg.check(b.load(boundary), e.span, "assertion failed: self.is_char_boundary(idx)")
    head = b.insert_value(s, at, 1)
    tail = ir.Constant(STR, ir.Undefined)
    tail = b.insert_value(b.insert_value(tail, b.gep(data, [at]), 0), b.sub(length, at), 1)
    out = cg.str_append(cg.str_append(head, text, e.span), tail, e.span)
    b.store(out, place)
    return UNIT_VAL


def _string_place(cg: Codegen, e: ast.MethodCall) -> ir.Value:
    """Return the address of the `String` that method call `e` changes."""
    b = cg.b
    if isinstance(e.receiver.ty, T.RefT):
        place = cg.value(e.receiver)
        while isinstance(place.type.pointee, ir.PointerType):
            place = b.load(place)
        return place
    return cg.addr(e.receiver)


def _parse(cg: Codegen, e: ast.MethodCall):
    b = cg.b
    s, v, ok = _parse_value(cg, e)
    target = e.ty.value
    fail = cg.st.fn.append_basic_block("parse.fail")
    cont = cg.st.fn.append_basic_block("parse.ok")
    b.cbranch(ok, cont, fail)
    b.position_at_end(fail)
    prefix = cg.native.str_const(b, f"{cg.loc(e.span)}: runtime error: cannot parse "
                                 "`".encode())
    msg = cg.str_append(prefix, s, e.span)
    msg = cg.str_append(msg, cg.native.str_const(b, f"` as `{target}`".encode()), e.span)
    b.call(cg.native.routine("panic"), [msg])
    b.unreachable()
    b.position_at_end(cont)
    return v


def _parse_ok(cg: Codegen, e: ast.MethodCall):
    """`s.parse::<T>().ok()`: `Some` of the value, or `None` where parsing fails."""
    b = cg.b
    _s, v, ok = _parse_value(cg, e.receiver)
    ty = cg.enum_types[e.ty.enum]
    variants = list(cg.program.enums[e.ty.enum].kinds)
    tag = b.select(ok, const_i64(variants.index("Some")), const_i64(variants.index("None")))
    option = b.insert_value(ir.Constant(ty, None), tag, 0)
    position = cg.enum_slots[(e.ty.enum, "Some")][0]
    return b.insert_value(option, v, position)


def _parse_value(cg: Codegen, e: ast.MethodCall):
    """Parse the receiver of `e`, a `parse` call; return the text, the value and whether
    the text was valid (the value is meaningless when not)."""
    b = cg.b
    s = cg.value(e.receiver)
    target = e.ty.value
    ok = cg.alloca(I1)
    if isinstance(target, T.FloatT):
        routine = "parse_f32" if target.bits == 32 else "parse_f64"
        v = b.call(cg.native.routine(routine), [s, ok])
    elif isinstance(target, T.BoolT):
        t = b.call(cg.helper_str_eq(), [s, cg.native.str_const(b, b"true")])
        f = b.call(cg.helper_str_eq(), [s, cg.native.str_const(b, b"false")])
        b.store(b.or_(t, f), ok)
        v = t
    else:
        signed = ir.Constant(I1, int(target.signed))
        radix = const_i64(10)
        if getattr(e, "from_radix", False):
            radix = b.zext(cg.value(e.args[0]), I64)
            # Rust panics for a radix outside 2..=36
            fits = b.icmp_unsigned("<=", b.sub(radix, const_i64(2)), const_i64(34))
            fail = cg.st.fn.append_basic_block("radix.fail")
            cont = cg.st.fn.append_basic_block("radix.ok")
            b.cbranch(fits, cont, fail)
            b.position_at_end(fail)
            cg.native.panic_fmt(b, f"{cg.loc(e.span)}: runtime error: from_ascii_radix: "
                                "radix must lie in the range `[2, 36]` - found %llu", radix,
                                const_i64(0))
            b.position_at_end(cont)
        v = b.call(cg.native.routine("parse_i64"), [s, signed, ok, radix])
        if target.bits < 64:
            lo = -(1 << (target.bits - 1)) if target.signed else 0
            hi = (1 << (target.bits - 1)) - 1 if target.signed else (1 << target.bits) - 1
            cmp = b.icmp_signed if target.signed else b.icmp_unsigned
            fits = b.and_(cmp(">=", v, const_i64(lo)), cmp("<=", v, const_i64(hi)))
            b.store(b.and_(b.load(ok), fits), ok)
            v = b.trunc(v, cg.ll(target))
    return s, v, b.load(ok)


# ---------------------------------------------------------------- printing


def _reset_outbuf(cg: Codegen) -> ir.Value:
    cg.b.store(const_i64(0), cg.b.gep(cg.outbuf, [const_i64(0), ir.Constant(I32, 1)]))
    return cg.outbuf_slot


def _flush_outbuf(cg: Codegen, stderr: bool = False) -> None:
    b = cg.b
    data = b.load(b.gep(cg.outbuf, [const_i64(0), ir.Constant(I32, 0)]))
    length = b.load(b.gep(cg.outbuf, [const_i64(0), ir.Constant(I32, 1)]))
    routine = "write_stderr" if stderr else "write_stdout"
    b.call(cg.native.routine(routine), [data, length])


def _buf_to_str(cg: Codegen, slot: ir.Value) -> ir.Value:
    b = cg.b
    header = b.bitcast(b.load(slot), VEC_BYTES.as_pointer())
    data = b.load(b.gep(header, [const_i64(0), ir.Constant(I32, 0)]))
    length = b.load(b.gep(header, [const_i64(0), ir.Constant(I32, 1)]))
    out = ir.Constant(STR, ir.Undefined)
    return b.insert_value(b.insert_value(out, data, 0), length, 1)


def _take_buf_str(cg: Codegen, slot: ir.Value) -> ir.Value:
    """Turn the temporary buffer in `slot` into a string: its bytes shrink to their
    length and its header is freed.  Formatting reserves hundreds of bytes for a
    number, and `format!` in a loop would otherwise keep them all."""
    b = cg.b
    header = b.bitcast(b.load(slot), VEC_BYTES.as_pointer())
    data = b.load(b.gep(header, [const_i64(0), ir.Constant(I32, 0)]))
    length = b.load(b.gep(header, [const_i64(0), ir.Constant(I32, 1)]))
    size = b.select(b.icmp_unsigned("==", length, const_i64(0)), const_i64(1), length)
    shrunk = b.call(cg.native.libc("realloc"), [data, size])
    shrink_failed = b.icmp_unsigned("==", b.ptrtoint(shrunk, I64), const_i64(0))
    data = b.select(shrink_failed, data, shrunk)
    b.call(cg.native.libc("free"), [b.bitcast(header, PTR)])
    out = ir.Constant(STR, ir.Undefined)
    return b.insert_value(b.insert_value(out, data, 0), length, 1)


def macro(cg: Codegen, e: ast.MacroCall):
    name = e.name
    if name in ("assert", "debug_assert"):
        return _assert(cg, e)
    if name in ("write", "writeln"):
        return _write(cg, e)
    # a large argument is copied now, before later arguments run, and formatted from memory
    values = cg.function_args(e.args[1:])
    if values is None:
        return NEVER
    if name in ("println", "print", "eprintln", "eprint"):
        slot = _reset_outbuf(cg)
        format_into(cg, slot, e, values)
        if name in ("println", "eprintln"):
            push_literal(cg, slot, "\n")
        _flush_outbuf(cg, stderr=name.startswith("e"))
        if name == "print":
            cg.b.call(cg.native.routine("flush"), [])
        return UNIT_VAL
    slot = _new_buffer(cg)
    if name in PANIC_MACROS:
        push_literal(cg, slot, f"{cg.loc(e.span)}: runtime error: panicked: ")
        if not e.args:
            push_literal(cg, slot, PANIC_MACROS[name])
        elif name != "panic":
            push_literal(cg, slot, PANIC_MACROS[name] + ": ")
    format_into(cg, slot, e, values)
    if name == "format":
        return _take_buf_str(cg, slot)
    text = _buf_to_str(cg, slot)
    cg.b.call(cg.native.routine("panic"), [text])
    cg.b.unreachable()
    return NEVER


def _write(cg: Codegen, e: ast.MacroCall):
    """`write!(f, ...)`: append the formatted text to the formatter's buffer."""
    b = cg.b
    slot, ty = cg.value(e.args[0]), e.args[0].ty
    while isinstance(ty, T.RefT):
        slot = b.load(slot)
        ty = ty.inner
    text = cg.value(e.args[1])
    if slot is NEVER or text is NEVER:
        return NEVER
    b.call(cg.native.routine("buf_push_str"), [b.load(slot), text])
    if e.name == "writeln":
        push_literal(cg, slot, "\n")
    return UNIT_VAL


def _assert(cg: Codegen, e: ast.MacroCall):
    b = cg.b
    cond = cg.value(e.args[0])
    fail = cg.st.fn.append_basic_block("assert.fail")
    cont = cg.st.fn.append_basic_block("assert.ok")
    b.cbranch(cond, cont, fail)
    b.position_at_end(fail)
    slot = _new_buffer(cg)
    push_literal(cg, slot, f"{cg.loc(e.span)}: runtime error: assertion failed")
    if len(e.args) > 1:
        push_literal(cg, slot, ": ")
        msg = cg.value(e.args[1])
        b.call(cg.native.routine("buf_push_str"), [b.load(slot), msg])
    b.call(cg.native.routine("panic"), [_buf_to_str(cg, slot)])
    b.unreachable()
    b.position_at_end(cont)
    return UNIT_VAL


def _new_buffer(cg: Codegen) -> ir.Value:
    header = cg.vec_new(T.U8, const_i64(32))
    slot = cg.alloca(VEC_BYTES.as_pointer())
    cg.b.store(cg.b.bitcast(header, VEC_BYTES.as_pointer()), slot)
    return slot


def format_into(cg: Codegen, slot: ir.Value, e: ast.MacroCall, values: list) -> None:
    args = e.args[1:]
    typed = [(v, a.ty) for v, a in zip(values, args)]
    for piece in getattr(e, "pieces", []):
        if isinstance(piece, str):
            push_literal(cg, slot, piece)
            continue
        index, spec = piece
        fmt_value(cg, slot, values[index], args[index].ty, flags_for(cg, spec, typed))


Codegen.str_method = str_method
