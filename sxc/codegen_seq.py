"""Code generation for the methods that change a sequence in place.

`insert`, `remove`, `extend`, `extend_from_slice`, `resize` and `dedup` work on
a `Vec`; `sort`, `sort_unstable`, `reverse` and `fill` on any sequence.  The
index checks panic with Rust's messages.
"""

from __future__ import annotations

from llvmlite import ir

from sxc import ast
from sxc import types as T
from sxc.codegen import UNIT_VAL, Codegen
from sxc.native import I32, I64, PTR, const_i64

EDIT_METHODS = ("insert", "remove", "extend", "extend_from_slice", "resize", "dedup",
                "sort", "sort_unstable", "reverse", "fill")


def seq_edit(cg: Codegen, e: ast.MethodCall, name: str):
    return _EMITTERS[name](cg, e, T.strip_refs(e.receiver.ty))


def _len_ptr(cg: Codegen, header: ir.Value) -> ir.Value:
    return cg.b.gep(header, [const_i64(0), ir.Constant(I32, 1)])


def _data(cg: Codegen, header: ir.Value) -> ir.Value:
    return cg.b.load(cg.b.gep(header, [const_i64(0), ir.Constant(I32, 0)]))


def _index_check(cg: Codegen, ok: ir.Value, e: ast.MethodCall, fmt: str, index, length):
    fail = cg.st.fn.append_basic_block("edit.fail")
    cont = cg.st.fn.append_basic_block("edit.ok")
    cg.b.cbranch(ok, cont, fail)
    cg.b.position_at_end(fail)
    cg.native.panic_fmt(cg.b, f"{cg.loc(e.span)}: runtime error: {fmt}", index, length)
    cg.b.position_at_end(cont)


def _move(cg: Codegen, data: ir.Value, dst, src, count, elem_ll) -> None:
    """Copy `count` elements from `data[src]` to `data[dst]`; the ranges may overlap."""
    b = cg.b
    size = b.mul(count, cg.sizeof(elem_ll))
    b.call(cg.native.libc("memmove"), [b.bitcast(b.gep(data, [dst]), PTR),
                                       b.bitcast(b.gep(data, [src]), PTR), size])


def _insert(cg: Codegen, e: ast.MethodCall, t):
    b = cg.b
    header = cg.vec_value(e.receiver)
    index = cg.to_i64(cg.value(e.args[0]), e.args[0].ty)
    value = cg.value(e.args[1])
    length = b.load(_len_ptr(cg, header))
    _index_check(cg, b.icmp_unsigned("<=", index, length), e,
                 "insertion index (is %llu) should be <= len (is %llu)", index, length)
    # push grows the buffer, then the tail moves up by one over the pushed copy
    cg.vec_push(t.elem, header, value, e.span)
    data = _data(cg, header)
    _move(cg, data, b.add(index, const_i64(1)), index, b.sub(length, index), cg.ll(t.elem))
    b.store(value, b.gep(data, [index]))
    return UNIT_VAL


def _remove(cg: Codegen, e: ast.MethodCall, t):
    b = cg.b
    header = cg.vec_value(e.receiver)
    index = cg.to_i64(cg.value(e.args[0]), e.args[0].ty)
    len_ptr = _len_ptr(cg, header)
    length = b.load(len_ptr)
    _index_check(cg, b.icmp_unsigned("<", index, length), e,
                 "removal index (is %llu) should be < len (is %llu)", index, length)
    data = _data(cg, header)
    item = b.load(b.gep(data, [index]))
    after = b.add(index, const_i64(1))
    _move(cg, data, index, after, b.sub(length, after), cg.ll(t.elem))
    b.store(b.sub(length, const_i64(1)), len_ptr)
    return item


def _extend(cg: Codegen, e: ast.MethodCall, t):
    b = cg.b
    header = cg.vec_value(e.receiver)
    src, count = cg.seq_parts(e.args[0])
    # one allocation for all of them, so a count too large for memory fails at once
    cg.vec_reserve(t.elem, header, count, e.span)
    push = cg.helper_vec_push(t.elem)
    messages = cg.growth_messages(e.span)
    cg.counted_loop(count, lambda i: b.call(push, [header, b.load(b.gep(src, [i]))] + messages))
    return UNIT_VAL


def _resize(cg: Codegen, e: ast.MethodCall, t):
    b = cg.b
    header = cg.vec_value(e.receiver)
    n = cg.to_i64(cg.value(e.args[0]), e.args[0].ty)
    value = cg.value(e.args[1])
    len_ptr = _len_ptr(cg, header)
    length = b.load(len_ptr)
    with b.if_else(b.icmp_unsigned("<", n, length)) as (shrink, grow):
        with shrink:
            b.store(n, len_ptr)
        with grow:
            # one allocation for all of them, so a count too large for memory fails
            # at once instead of after growing the buffer step by step
            extra = b.sub(n, length)
            cg.vec_reserve(t.elem, header, extra, e.span)
            push = cg.helper_vec_push(t.elem)
            messages = cg.growth_messages(e.span)
            cg.counted_loop(extra, lambda i: b.call(push, [header, value] + messages))
    return UNIT_VAL


def _fill(cg: Codegen, e: ast.MethodCall, t):
    b = cg.b
    data, length = cg.seq_parts(e.receiver)
    value = cg.value(e.args[0])
    cg.counted_loop(length, lambda i: b.store(value, b.gep(data, [i])))
    return UNIT_VAL


def _reverse(cg: Codegen, e: ast.MethodCall, t):
    b = cg.b
    data, length = cg.seq_parts(e.receiver)

    def swap(i):
        j = b.sub(b.sub(length, const_i64(1)), i)
        pi, pj = b.gep(data, [i]), b.gep(data, [j])
        vi, vj = b.load(pi), b.load(pj)
        b.store(vj, pi)
        b.store(vi, pj)
    cg.counted_loop(b.udiv(length, const_i64(2)), swap)
    return UNIT_VAL


def _dedup(cg: Codegen, e: ast.MethodCall, t):
    """Keep the first of each run of equal elements, moving the kept ones down."""
    b = cg.b
    header = cg.vec_value(e.receiver)
    len_ptr = _len_ptr(cg, header)
    length = b.load(len_ptr)
    data = _data(cg, header)
    kept = cg.alloca(I64)
    b.store(b.select(b.icmp_unsigned("==", length, const_i64(0)), const_i64(0),
                     const_i64(1)), kept)

    def step(i):
        k = b.add(i, const_i64(1))
        item = b.load(b.gep(data, [k]))
        n = b.load(kept)
        last = b.load(b.gep(data, [b.sub(n, const_i64(1))]))
        with b.if_then(b.not_(cg.compare("==", last, item, t.elem, e.span))):
            b.store(item, b.gep(data, [n]))
            b.store(b.add(n, const_i64(1)), kept)
    rest = b.select(b.icmp_unsigned("==", length, const_i64(0)), const_i64(0),
                    b.sub(length, const_i64(1)))
    cg.counted_loop(rest, step)
    b.store(b.load(kept), len_ptr)
    return UNIT_VAL


def _sort(cg: Codegen, e: ast.MethodCall, t):
    """Sort with the C library's `qsort`: equal integers cannot be told apart, so its
    instability does not show."""
    b = cg.b
    data, length = cg.seq_parts(e.receiver)
    elem_ll = cg.ll(t.elem)
    compare = _comparator(cg, t.elem, elem_ll)
    qsort = cg.declare("qsort", ir.VoidType(), [PTR, I64, I64, compare.type])
    b.call(qsort, [b.bitcast(data, PTR), length, cg.sizeof(elem_ll), compare])
    return UNIT_VAL


def _comparator(cg: Codegen, elem, elem_ll) -> ir.Function:
    signed = isinstance(elem, T.IntT) and elem.signed

    def build(fn):
        b = cg.b
        x = b.load(b.bitcast(fn.args[0], elem_ll.as_pointer()))
        y = b.load(b.bitcast(fn.args[1], elem_ll.as_pointer()))
        cmp = b.icmp_signed if signed else b.icmp_unsigned
        less = b.zext(cmp("<", x, y), I32)
        greater = b.zext(cmp(">", x, y), I32)
        b.ret(b.sub(greater, less))

    key = f"sort_cmp.{'i' if signed else 'u'}{elem_ll}"
    return cg._helper(key, I32, [PTR, PTR], build)


_EMITTERS = {
    "insert": _insert, "remove": _remove, "extend": _extend, "extend_from_slice": _extend,
    "resize": _resize, "fill": _fill, "reverse": _reverse, "dedup": _dedup,
    "sort": _sort, "sort_unstable": _sort,
}

Codegen.seq_edit = seq_edit
