"""Print a typed program as `.sx` source: what `sxc lower` and `--emit` show.

The output parses and compiles again to the same results: every `let` carries
its type, every integer literal its suffix, and binary operands are
parenthesised, so no inference or precedence question is left open.
"""

from __future__ import annotations

import math

from sxc import ast
from sxc import numbers
from sxc import types as T
from sxc.parse import char_literal
from sxc.formatting import Spec
from sxc.resolve import Program
from sxc.traits import MARKER_DERIVES
from sxc.tuple_structs import is_tuple_struct

INDENT = "    "


def type_text(t: T.Type) -> str:
    if isinstance(t, T.StrT):
        return "&str"
    if isinstance(t, T.SliceT):
        return f"&{'mut ' if t.mutable else ''}[{type_text(t.elem)}]"
    if isinstance(t, T.BoxT):
        return f"Box<{type_text(t.inner)}>"
    if isinstance(t, T.RefT):
        return f"&{'mut ' if t.mutable else ''}{type_text(t.inner)}"
    if isinstance(t, T.VecT):
        return f"Vec<{type_text(t.elem)}>"
    if isinstance(t, T.ArrayT):
        return f"[{type_text(t.elem)}; {t.size}]"
    if isinstance(t, T.TupleT):
        inner = ", ".join(type_text(i) for i in t.items)
        return f"({inner},)" if len(t.items) == 1 else f"({inner})"
    if isinstance(t, T.FnT):
        ret = "" if isinstance(t.ret, T.UnitT) else f" -> {type_text(t.ret)}"
        return f"fn({', '.join(type_text(p) for p in t.params)}){ret}"
    if isinstance(t, T.EnumT):
        return ident(t.enum)
    if isinstance(t, T.StructT):
        return ident(str(t))
    return str(t)


def _variant_decl(edef: ast.EnumDef, name: str) -> str:
    kind, fields = edef.kinds[name], edef.fields[name]
    if kind == "unit":
        return name
    if kind == "tuple":
        return f"{name}({', '.join(type_text(t) for _, t in fields)})"
    return f"{name} {{ {', '.join(f'{ident(f)}: {type_text(t)}' for f, t in fields)} }}"


def ident(name: str) -> str:
    """Return the key of an item in a module (`geometry::Point`) as one identifier
    (`Point__geometry`): the printed program is a single file without modules.
    The name comes first because `{:?}` prints a struct's name up to its `__`.
    A prelude type that the user's shadows keeps its path, `std::Rng`."""
    if "::" not in name or name.startswith("std::"):
        return name
    *modules, item = name.split("::")
    return "__".join([item] + modules)


def float_text(value: float, ty: T.Type, f64_suffix: bool = False) -> str:
    suffix = ""
    if ty == T.F32:
        suffix = "f32"
    elif f64_suffix:
        suffix = "f64"
    if math.isnan(value):
        return f"{'f32' if ty == T.F32 else 'f64'}::NAN"
    if math.isinf(value):
        name = "INFINITY" if value > 0 else "NEG_INFINITY"
        return f"{'f32' if ty == T.F32 else 'f64'}::{name}"
    text = repr(value)
    if "e" not in text and "." not in text:
        text += ".0"
    if "e" in text and "." not in text.split("e")[0]:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}.0e{exponent}"
    if text.startswith("-"):
        return f"({text}{suffix})"
    return text + suffix


def spec_text(spec: Spec, index: int) -> str:
    """Return the placeholder of `spec` with its arguments referred to by index."""
    body = ""
    if spec.align:
        body += (spec.fill if spec.fill != " " else "") + spec.align
    if spec.sign:
        body += "+"
    if spec.alternate:
        body += "#"
    if spec.zero:
        body += "0"
    if spec.width is not None:
        body += str(spec.width)
    elif spec.width_arg is not None:
        body += f"{spec.width_arg}$"
    if spec.precision is not None:
        body += f".{spec.precision}"
    elif spec.precision_arg is not None:
        body += f".{spec.precision_arg}$"
    body += spec.kind
    return f"{{{index}:{body}}}" if body else f"{{{index}}}"


def _escape(text: str) -> str:
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\0":
            out.append("\\0")
        else:
            out.append(ch)
    return "".join(out)


class Printer:
    def __init__(self):
        self.lines: list[str] = []
        self.functions: dict = {}
        self.enums: dict[str, ast.EnumDef] = {}  # the enums with data
        self.structs: dict = {}

    # ------------------------------------------------------------ items

    def program(self, program: Program) -> str:
        # the passes bind values that are never read or written again, which the
        # lints would flag when the printout is compiled
        self.lines.append("#![allow(unused_variables, unused_mut)]")
        self.lines.append("")
        self.functions = program.functions
        self.structs = program.structs
        for name, edef in program.enums.items():
            if getattr(edef, "origin", "user") == "std" and not hasattr(edef, "generic_name"):
                continue  # the prelude's own, such as `Ordering`; copies of `Option` print
            self.enum(edef)
        for name, sdef in program.structs.items():
            if getattr(sdef, "origin", "user") == "std":
                continue
            fields = getattr(sdef, "resolved_fields", None)
            body = ", ".join(f"{f}: {type_text(t)}" for f, t in fields)
            # derived methods are printed as methods, so only markers stay derives
            markers = [d for d in sdef.derives if d in MARKER_DERIVES]
            if markers:
                self.lines.append(f"#[derive({', '.join(markers)})]")
            name = ident(name)
            if is_tuple_struct(f for f, _ in fields):
                items = ", ".join(type_text(t) for _, t in fields)
                self.lines.append(f"struct {name}({items});")
            else:
                self.lines.append(f"struct {name} {{ {body} }}" if body else f"struct {name};")
            self.lines.append("")
        for c in program.consts.values():
            ty = getattr(c, "lowered_ty", None) or c.value.ty
            self.lines.append(f"const {ident(c.name)}: {type_text(ty)} = "
                              f"{self.expr(c.value)};")
        if program.consts:
            self.lines.append("")
        for key, fn in program.functions.items():
            if getattr(fn, "origin", "user") == "std":
                continue
            self.function(key, fn)
            self.lines.append("")
        return "\n".join(self.lines).rstrip() + "\n"

    def enum(self, edef: ast.EnumDef) -> None:
        if edef.derives:
            self.lines.append(f"#[derive({', '.join(edef.derives)})]")
        values = getattr(edef, "discriminants", {})
        if hasattr(edef, "fields"):
            self.enums[edef.name] = edef
            body = ", ".join(_variant_decl(edef, name) for name in edef.kinds)
        else:
            body = ", ".join(f"{name} = {value}" for name, value in values.items())
        self.lines.append(f"enum {ident(edef.name)} {{ {body} }}")
        self.lines.append("")

    def function(self, key: str, fn: ast.FnDef) -> None:
        sig = fn.sig
        params = []
        if sig.self_type is not None:
            text = "self: Box<Self>" if isinstance(sig.self_type, T.BoxT) else \
                {"value": "self", "ref": "&self", "mut": "&mut self"}[sig.self_kind]
            params.append(f"mut {text}" if fn.self_mutable else text)
        for p, t in zip(fn.params, sig.params):
            params.append(f"{'mut ' if p.mutable else ''}{p.name}: {type_text(t)}")
        ret = "" if isinstance(sig.ret, T.UnitT) else f" -> {type_text(sig.ret)}"
        head = f"fn {ident(fn.name)}({', '.join(params)}){ret}"
        if fn.owner is not None:
            self.lines.append(f"impl {ident(fn.owner)} {{")
            self.block_lines(fn.body, 1, head)
            self.lines.append("}")
        else:
            self.block_lines(fn.body, 0, head)

    # ------------------------------------------------------------ statements

    def block_lines(self, block: ast.Block, depth: int, head: str) -> None:
        pad = INDENT * depth
        self.lines.append(f"{pad}{head} {{")
        for stmt in block.stmts:
            self.stmt(stmt, depth + 1)
        if block.tail is not None:
            self.lines.append(INDENT * (depth + 1) + self.expr(block.tail, depth + 1))
        self.lines.append(f"{pad}}}")

    def stmt(self, s: ast.Stmt, depth: int) -> None:
        pad = INDENT * depth
        if isinstance(s, ast.Let):
            pattern = self.pattern(s.pattern, s.keyword)
            ty = getattr(s, "ty", None)
            annot = ""
            if ty is not None and not isinstance(ty, (T.ParseResultT, T.NeverT)):
                annot = f": {type_text(ty)}"
            init = f" = {self.expr(s.init, depth)}" if s.init is not None else ""
            self.lines.append(f"{pad}{pattern}{annot}{init};")
        elif isinstance(s, ast.ExprStmt):
            value = self.expr(s.expr, depth)
            if isinstance(s.expr, (ast.Block, ast.If, ast.Match, ast.Loop)) and \
                    not isinstance(getattr(s.expr, "ty", None), (T.UnitT, T.NeverT, type(None))):
                # a block-like statement must be `()`, so its value is bound to `_`
                value = f"let _ = {value}"
            self.lines.append(f"{pad}{value};")
        elif isinstance(s, ast.Assign):
            self.lines.append(f"{pad}{self.expr(s.target, depth)} {s.op} "
                              f"{self.expr(s.value, depth)};")

    def pattern(self, p: ast.Pattern, keyword: str) -> str:
        if isinstance(p, ast.NamePattern):
            if keyword == "var":
                return f"var {p.name}"
            return f"let {'mut ' if p.mutable else ''}{p.name}"
        if isinstance(p, ast.TupleStructPattern):
            names = [f for f, _ in getattr(self.structs.get(p.ty.struct), "resolved_fields",
                                           None) or []]
            items = [self.pattern(i, "let")[4:] for i in p.items]
            if names and not is_tuple_struct(names):
                # `let Point { x: a, y: b } = p;`
                return (f"let {ident(p.ty.struct)} {{ "
                        + ", ".join(f"{n}: {i}" for n, i in zip(names, items)) + " }")
            return f"let {ident(p.ty.struct)}(" + ", ".join(items) + ")"
        if isinstance(p, ast.TuplePattern):
            return "let (" + ", ".join(self.pattern(i, "let")[4:] for i in p.items) + ")"
        return "let _"

    # ------------------------------------------------------------ expressions

    def expr(self, e: ast.Expr, depth: int = 0) -> str:
        method = getattr(self, "p_" + type(e).__name__)
        return method(e, depth)

    def p_IntLit(self, e, depth):
        if isinstance(e.ty, T.FloatT):
            value = numbers.round_f32(e.value) if e.ty == T.F32 else float(e.value)
            return float_text(value, e.ty)
        if e.ty is None:
            return str(e.value)
        if T.is_char(e.ty):
            return char_literal(e.value)
        return f"{e.value}{e.ty}" if e.value >= 0 else f"({e.value}{e.ty})"

    def p_FloatLit(self, e, depth):
        value = numbers.literal_value(e) if isinstance(e.ty, T.FloatT) else e.value
        return float_text(value, e.ty)

    def p_StrLit(self, e, depth):
        return f'"{_escape(e.value)}"'

    def p_BoolLit(self, e, depth):
        return "true" if e.value else "false"

    def p_UnitLit(self, e, depth):
        return "()"

    def p_Path(self, e, depth):
        target = getattr(e, "target", None)
        if target and target[0] == "num_const":
            return ("std::" if "::consts::" in target[1] else "") + target[1]
        if target and target[0] == "const":
            return ident(target[1])
        if target is not None and target[0] == "variant":
            # `Self::Red` and an imported `Red` print in full
            enum, _, variant = target[1].rpartition("::")
            return f"{ident(enum)}::{variant}"
        return "::".join(ident(s) if isinstance(s, str) else str(s) for s in e.segments)

    def p_Unary(self, e, depth):
        return f"{e.op}({self.expr(e.operand, depth)})"

    def p_Ref(self, e, depth):
        if isinstance(e.operand, ast.VariantField):
            # a reference into the payload itself, so that writes through it stay
            return self.variant_read(e.operand, depth, "&mut " if e.mutable else "&")
        return f"&{'mut ' if e.mutable else ''}{self.expr(e.operand, depth)}"

    def p_VariantLit(self, e, depth):
        edef = self.enums[e.enum]
        head = f"{ident(e.enum)}::{e.variant}"
        kind = edef.kinds[e.variant]
        if kind == "unit":
            return head
        if kind == "tuple":
            return f"{head}({self.args(e.args, depth)})"
        fields = ", ".join(f"{ident(f)}: {self.expr(v, depth)}"
                           for (f, _t), v in zip(edef.fields[e.variant], e.args))
        return f"{head} {{ {fields} }}"

    def variant_pattern(self, enum: str, variant: str, index: int | None) -> str:
        """Return the source of a pattern of `variant` that binds item `index` as `item`."""
        edef = self.enums[enum]
        head = f"{ident(enum)}::{variant}"
        kind = edef.kinds[variant]
        if kind == "unit":
            return head
        if kind == "tuple":
            if index is None:
                return f"{head}(..)"
            return f"{head}({'_, ' * index}item, ..)"
        if index is None:
            return f"{head} {{ .. }}"
        return f"{head} {{ {ident(edef.fields[variant][index][0])}: item, .. }}"

    def p_VariantIs(self, e, depth):
        if len(self.enums[e.enum].kinds) == 1:
            return "true"
        pattern = self.variant_pattern(e.enum, e.variant, None)
        return f"(match &{self.expr(e.value, depth)} {{ {pattern} => true, _ => false }})"

    def p_VariantField(self, e, depth):
        return self.variant_read(e, depth, "")

    def variant_read(self, e, depth, borrow: str) -> str:
        pattern = self.variant_pattern(e.enum, e.variant, e.index)
        value = self.expr(e.value, depth)
        if borrow:
            value = f"{borrow}{value}"
        if len(self.enums[e.enum].kinds) == 1:
            return f"(match {value} {{ {pattern} => item }})"
        return f"(match {value} {{ {pattern} => item, _ => unreachable!() }})"

    def p_Binary(self, e, depth):
        return f"({self.expr(e.left, depth)} {e.op} {self.expr(e.right, depth)})"

    def p_Cast(self, e, depth):
        operand = self.expr(e.operand, depth)
        literal, negations = e.operand, 0
        while isinstance(literal, ast.Unary) and literal.op == "-":
            literal, negations = literal.operand, negations + 1
        if (isinstance(literal, (ast.IntLit, ast.FloatLit)) and literal.ty == T.F64
                and e.ty != T.F64):
            # An unsuffixed literal operand of `as` takes the target type, so
            # `1e300f64 as f32` would print as `1e300 as f32`, out of range.
            value = numbers.literal_value(literal) if isinstance(literal, ast.FloatLit) \
                else float(literal.value)
            operand = "-(" * negations + float_text(value, T.F64, f64_suffix=True) \
                + ")" * negations
        return f"({operand} as {type_text(e.ty)})"

    def args(self, args, depth) -> str:
        return ", ".join(self.expr(a, depth) for a in args)

    def p_Call(self, e, depth):
        target = getattr(e, "target", None)
        if target == ("builtin", "as_slice"):
            inner = e.args[0]
            if isinstance(inner.ty, (T.RefT, T.SliceT)):
                return self.expr(inner, depth)
            return f"&{self.expr(inner, depth)}"
        if target and target[0] == "builtin" and target[1] == "Vec::new":
            elem = type_text(e.ty.elem)
            if e.args:
                return f"Vec::<{elem}>::with_capacity({self.args(e.args, depth)})"
            return f"Vec::<{elem}>::new()"
        if target and target[0] == "builtin" and target[1] in ("println_str", "print_str"):
            return f"{target[1][:-4]}({self.args(e.args, depth)})"
        if target and target[0] == "fn":
            return f"{self.key_text(target[1])}({self.args(e.args, depth)})"
        func = self.expr(e.func, depth)
        if not isinstance(e.func, (ast.Path, ast.Call, ast.Index)):
            # `(*f)(x)` and `(s.f)(x)`: without the brackets they read as
            # `*(f(x))` and a method call
            func = f"({func})"
        return f"{func}({self.args(e.args, depth)})"

    def key_text(self, key: str) -> str:
        """Return the path that calls the function `key` in the printed program."""
        fn = self.functions.get(key)
        if fn is not None and fn.owner is not None:
            return f"{ident(fn.owner)}::{fn.name}"
        return ident(key)

    def p_MethodCall(self, e, depth):
        recv = self.expr(e.receiver, depth)
        target = getattr(e, "target", None)
        if not isinstance(e.receiver, (ast.Path, ast.Call, ast.MethodCall, ast.Field,
                                       ast.Index)):
            recv = f"({recv})"
        if target and target[0] == "str" and target[1] == "parse":
            if getattr(e, "from_radix", False):
                radix = self.expr(e.args[0], depth)
                return f"{type_text(e.ty.value)}::from_str_radix({recv}, {radix})"
            return f"{recv}.parse::<{type_text(e.ty.value)}>()"
        if target == ("seq", "pop"):
            # the element itself, where the source's `pop` returns an `Option`
            return f"{recv}.pop().unwrap()"
        return f"{recv}.{e.method}({self.args(e.args, depth)})"

    def p_Field(self, e, depth):
        return f"{self.expr(e.base, depth)}.{e.name}"

    def p_TupleField(self, e, depth):
        return f"{self.expr(e.base, depth)}.{e.index}"

    def p_Index(self, e, depth):
        return f"{self.expr(e.base, depth)}[{self.expr(e.index, depth)}]"

    def p_StructLit(self, e, depth):
        fields = ", ".join(f"{n}: {self.expr(v, depth)}" for n, v in e.fields)
        if not fields:
            return ident(e.name)
        if is_tuple_struct(n for n, _ in e.fields):
            return f"{ident(e.name)}({self.args([v for _, v in e.fields], depth)})"
        return f"{ident(e.name)} {{ {fields} }}"

    def p_ArrayLit(self, e, depth):
        return f"[{self.args(e.items, depth)}]"

    def p_ArrayRepeat(self, e, depth):
        return f"[{self.expr(e.value, depth)}; {e.ty.size}]"

    def p_VecLit(self, e, depth):
        if e.count is not None:
            return f"vec![{self.expr(e.items[0], depth)}; {self.expr(e.count, depth)}]"
        return f"vec![{self.args(e.items, depth)}]"

    def p_TupleLit(self, e, depth):
        inner = self.args(e.items, depth)
        return f"({inner},)" if len(e.items) == 1 else f"({inner})"

    def sub_block(self, block: ast.Block, depth: int) -> str:
        saved = self.lines
        self.lines = []
        self.block_lines(block, depth, "")
        text = "\n".join(self.lines)
        self.lines = saved
        return text.lstrip()[0:]

    def p_Block(self, e, depth):
        text = self.sub_block(e, depth)
        return text.strip()

    def p_If(self, e, depth):
        out = f"if {self.expr(e.cond, depth)} {self.sub_block(e.then, depth).strip()}"
        if e.else_ is not None:
            out += f" else {self.expr(e.else_, depth).strip()}"
        return out

    def p_While(self, e, depth):
        label = f"{e.label}: " if e.label else ""
        return f"{label}while {self.expr(e.cond, depth)} {self.sub_block(e.body, depth).strip()}"

    def p_Loop(self, e, depth):
        label = f"{e.label}: " if e.label else ""
        return f"{label}loop {self.sub_block(e.body, depth).strip()}"

    def p_For(self, e, depth):
        label = f"{e.label}: " if e.label else ""
        pattern = self.pattern(e.pattern, "let")[4:]
        if isinstance(e.pattern, ast.NamePattern) and getattr(e.pattern, "written_ref", False):
            pattern = "&" + pattern  # `for &v in &adj[u]` binds copies of the items
        return (f"{label}for {pattern} in {self.expr(e.iter, depth)} "
                f"{self.sub_block(e.body, depth).strip()}")

    def p_Match(self, e, depth):
        pad = INDENT * (depth + 1)
        arms = []
        for arm in e.arms:
            guard = f" if {self.expr(arm.guard, depth + 1)}" if arm.guard is not None else ""
            body = self.expr(arm.body, depth + 1)
            arms.append(f"{pad}{self.match_pattern(arm.pattern)}{guard} => {body},")
        head = f"match {self.expr(e.scrutinee, depth)} {{"
        return "\n".join([head] + arms + [INDENT * depth + "}"])

    def match_pattern(self, p: ast.Pattern) -> str:
        if isinstance(p, ast.WildPattern):
            return "_"
        if isinstance(p, ast.NamePattern):
            by_ref = ""
            if p.by_ref:
                by_ref = "ref mut " if getattr(p, "ref_mut", False) else "ref "
            return f"{by_ref}{'mut ' if p.mutable else ''}{p.name}"
        if isinstance(p, ast.DerefPattern):
            return "&" + self.match_pattern(p.pattern)
        if isinstance(p, ast.VariantPattern):
            edef = self.enums.get(getattr(p, "enum", None))
            if edef is None:
                return "::".join(p.path)
            head = f"{ident(p.enum)}::{p.variant}"
            kind = edef.kinds[p.variant]
            items = [self.match_pattern(i) for i in p.items]
            if kind == "unit":
                return head
            if kind == "tuple":
                return f"{head}({', '.join(items)})"
            named = ", ".join(f"{ident(f)}: {i}" for (f, _t), i in zip(edef.fields[p.variant],
                                                                       items))
            return f"{head} {{ {named} }}"
        if isinstance(p, ast.AtPattern):
            return f"{'mut ' if p.mutable else ''}{p.name} @ {self.match_pattern(p.pattern)}"
        if isinstance(p, ast.TuplePattern):
            inner = ", ".join(self.match_pattern(i) for i in p.items)
            return f"({inner},)" if len(p.items) == 1 else f"({inner})"
        if isinstance(p, ast.OrPattern):
            return "(" + " | ".join(self.match_pattern(i) for i in p.items) + ")"
        if isinstance(p, ast.ValuePattern):
            return self.pattern_value(p.value)
        if isinstance(p, ast.RangePattern):
            start = self.pattern_value(p.start) if p.start is not None else ""
            end = self.pattern_value(p.end) if p.end is not None else ""
            return f"{start}{'..=' if p.inclusive else '..'}{end}"
        raise AssertionError(type(p).__name__)

    def pattern_value(self, e: ast.Expr) -> str:
        if isinstance(e, ast.IntLit) and T.is_char(e.ty):
            return char_literal(e.value)
        if isinstance(e, ast.IntLit) and isinstance(e.ty, T.IntT):
            return f"{e.value}{e.ty}"  # no parentheses around a negative bound
        return self.expr(e)

    def p_Range(self, e, depth):
        op = "..=" if e.inclusive else ".."
        start = "" if e.start is None else self.expr(e.start, depth)
        end = "" if e.end is None else self.expr(e.end, depth)
        return f"{start}{op}{end}"

    def p_Return(self, e, depth):
        return "return" if e.value is None else f"return {self.expr(e.value, depth)}"

    def p_Break(self, e, depth):
        out = "break"
        if e.label:
            out += f" {e.label}"
        if e.value is not None:
            out += f" {self.expr(e.value, depth)}"
        return out

    def p_Continue(self, e, depth):
        return "continue" + (f" {e.label}" if e.label else "")

    def p_MacroCall(self, e, depth):
        if e.name in ("assert", "debug_assert", "write", "writeln") and len(e.args) == 2:
            # the type checker turned the message into a `format!`; print its arguments
            message = self.expr(e.args[1], depth)
            if message.startswith("format!(") and message.endswith(")"):
                message = message[len("format!("):-1]
            return f"{e.name}!({self.expr(e.args[0], depth)}, {message})"
        pieces = getattr(e, "pieces", None)
        if pieces is None or not e.args:
            return f"{e.name}!({self.args(e.args, depth)})"
        fmt = []
        for piece in pieces:
            if isinstance(piece, str):
                fmt.append(_escape(piece).replace("{", "{{").replace("}", "}}"))
            else:
                fmt.append(spec_text(piece[1], piece[0]))
        rest = e.args[1:]
        args = "".join(", " + self.expr(a, depth) for a in rest)
        return f'{e.name}!("{"".join(fmt)}"{args})'


def print_program(program: Program) -> str:
    """Return `program` (typed, any stage) as `.sx` source text."""
    return Printer().program(program)
