"""Typecheck pass: infer and check types, annotate every expression in place.

Input is a resolved `Program`; output is the same program with `expr.ty` set on
every expression, calls and method calls resolved (`.target`), and numeric
promotions made explicit so later passes never guess:

    fn f(x: dual, n: u64) -> dual { x * n }
    ->  fn f(x: dual, n: u64) -> dual { x * dual::constant(n as f64) }

Integer literals take the type their context needs (also a float type).
Mixing `dual` with any other number promotes that number to a dual constant;
other mixes of integers and floats are errors whose help suggests `as`.
The checker reports every error it finds, not only the first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import copy
import math
import re

from sxc import ast, borrows, cursors, iter_chains, kept_adapters, range_adapters, \
    seq_adapters, std_io, user_iterators
from sxc import numbers as N
from sxc.names import bound_names
from sxc.typecheck_maps import MapChecks
from sxc import types as T
from sxc.closures import ClosureMixin
from sxc.diagnostics import Reporter, Span, similar_name, source_line
from sxc.iter_chains import IterChainMixin
from sxc.ordering import OrderingMixin
from sxc.sort_closures import SortMixin
from sxc.formatting import PANIC_MACROS, FormatError, Spec, parse_format
from sxc.lints import lint_unused
from sxc.monomorphize import GenericsMixin, Instance
from sxc.parse import char_literal
from sxc.modules import CRATE, report_private, within_path
from sxc.resolve import Program
from sxc.typecheck_init import DeferredBinding, check_initialization
from sxc.typecheck_match import MatchChecks, div_toward_zero
from sxc.traits import ARITHMETIC_METHODS
from sxc.typecheck_enum import EnumDataChecks, PartialVariantT
from sxc.typecheck_result import ResultChecks, split_result_main
from sxc.tuple_structs import bind_tuple_struct, tuple_struct_call, tuple_struct_field
from sxc.type_aliases import alias_type, check_aliases
from sxc.typecheck_traits import TraitChecks, trait_of


def _totally_ordered(t: T.Type) -> bool:
    """Return whether `t` has Rust's `Ord`: integers, `char`, `bool`, strings and
    tuples of them."""
    if isinstance(t, T.TupleT):
        return all(_totally_ordered(item) for item in t.items)
    return T.is_int(t) or T.is_char(t) or t == T.BOOL or isinstance(t, T.StrT)


# Math methods shared by `f64`, `f32` and `dual`: name -> number of arguments.
def _deref_receiver(e: ast.MethodCall, base: T.Type) -> None:
    """Read a number method's receiver through a reference (`r.exp()` on `&f64`)."""
    if isinstance(e.receiver.ty, T.RefT):
        deref = ast.Unary(e.receiver.span, "*", e.receiver)
        deref.ty = base
        e.receiver = deref


# methods of `dual` beyond the float ones: name -> (parameters, result)
DUAL_METHODS = {
    "lane": ([T.USIZE], T.F64),           # the tangent in lane k (0.0 past the last)
    "clip_tangent": ([T.F64], T.DUAL),    # every lane clamped to [-limit, limit]
}
FLOAT_METHODS = {
    "abs": 0, "sqrt": 0, "cbrt": 0, "exp": 0, "exp2": 0, "ln": 0, "log2": 0,
    "log10": 0, "sin": 0, "cos": 0, "tan": 0, "asin": 0, "acos": 0, "atan": 0,
    "sinh": 0, "cosh": 0, "tanh": 0, "sigmoid": 0, "softplus": 0, "relu": 0,
    "recip": 0, "floor": 0, "ceil": 0, "round": 0, "trunc": 0, "signum": 0,
    "powf": 1, "atan2": 1, "max": 1, "min": 1, "hypot": 1, "clamp": 2, "powi": 1,
}
# methods of the integer types: name -> (parameters, result, receivers), where
# "Self" is the receiver's type, "Unsigned" its unsigned twin, "Overflowing"
# the tuple `(Self, bool)`, and receivers is "any", "signed" or "unsigned"
INT_METHODS = {
    "abs": ([], "Self", "signed"), "signum": ([], "Self", "signed"),
    "is_positive": ([], "bool", "signed"), "is_negative": ([], "bool", "signed"),
    "unsigned_abs": ([], "Unsigned", "signed"), "abs_diff": (["Self"], "Unsigned", "any"),
    "min": (["Self"], "Self", "any"), "max": (["Self"], "Self", "any"),
    "clamp": (["Self", "Self"], "Self", "any"),
    "pow": (["u32"], "Self", "any"), "wrapping_pow": (["u32"], "Self", "any"),
    "saturating_pow": (["u32"], "Self", "any"),
    "rem_euclid": (["Self"], "Self", "any"), "div_euclid": (["Self"], "Self", "any"),
    "wrapping_add": (["Self"], "Self", "any"), "wrapping_sub": (["Self"], "Self", "any"),
    "wrapping_mul": (["Self"], "Self", "any"), "wrapping_div": (["Self"], "Self", "any"),
    "wrapping_rem": (["Self"], "Self", "any"), "wrapping_neg": ([], "Self", "any"),
    "wrapping_abs": ([], "Self", "signed"),
    "wrapping_shl": (["u32"], "Self", "any"), "wrapping_shr": (["u32"], "Self", "any"),
    "saturating_add": (["Self"], "Self", "any"), "saturating_sub": (["Self"], "Self", "any"),
    "saturating_mul": (["Self"], "Self", "any"),
    "saturating_neg": ([], "Self", "signed"), "saturating_abs": ([], "Self", "signed"),
    "overflowing_neg": ([], "Overflowing", "any"),
    "overflowing_abs": ([], "Overflowing", "signed"),
    "overflowing_add": (["Self"], "Overflowing", "any"),
    "overflowing_sub": (["Self"], "Overflowing", "any"),
    "overflowing_mul": (["Self"], "Overflowing", "any"),
    "overflowing_pow": (["u32"], "Overflowing", "any"),
    "count_ones": ([], "u32", "any"), "count_zeros": ([], "u32", "any"),
    "leading_zeros": ([], "u32", "any"), "trailing_zeros": ([], "u32", "any"),
    "leading_ones": ([], "u32", "any"), "trailing_ones": ([], "u32", "any"),
    "is_power_of_two": ([], "bool", "unsigned"),
    "next_power_of_two": ([], "Self", "unsigned"),
    "rotate_left": (["u32"], "Self", "any"), "rotate_right": (["u32"], "Self", "any"),
    "swap_bytes": ([], "Self", "any"), "reverse_bits": ([], "Self", "any"),
    "ilog2": ([], "u32", "any"), "ilog10": ([], "u32", "any"), "isqrt": ([], "Self", "any"),
    "div_ceil": (["Self"], "Self", "unsigned"),
    "next_multiple_of": (["Self"], "Self", "unsigned"),
}
# the integer methods that return `None` where the operation overflows or
# divides by zero: name -> number of arguments
CHECKED_METHODS = {"checked_add": 1, "checked_sub": 1, "checked_mul": 1, "checked_div": 1,
                   "checked_rem": 1, "checked_pow": 1, "checked_neg": 0, "checked_abs": 0}
# methods of `f64` and `f32` that `dual` lacks: name -> (parameters, result),
# where "Self" is the receiver's type, "Bits" the unsigned integer of its
# width and "Pair" the tuple `(Self, Self)`
FLOAT_ONLY_METHODS = {
    "is_nan": ([], "bool"), "is_finite": ([], "bool"), "is_infinite": ([], "bool"),
    "is_sign_negative": ([], "bool"), "is_sign_positive": ([], "bool"),
    "is_normal": ([], "bool"), "is_subnormal": ([], "bool"),
    "to_bits": ([], "Bits"), "fract": ([], "Self"), "round_ties_even": ([], "Self"),
    "to_degrees": ([], "Self"), "to_radians": ([], "Self"),
    "ln_1p": ([], "Self"), "exp_m1": ([], "Self"),
    "asinh": ([], "Self"), "acosh": ([], "Self"), "atanh": ([], "Self"),
    "copysign": (["Self"], "Self"), "rem_euclid": (["Self"], "Self"),
    "div_euclid": (["Self"], "Self"), "log": (["Self"], "Self"),
    "mul_add": (["Self", "Self"], "Self"), "sin_cos": ([], "Pair"),
}
# functions of the number types that sxc checks only as calls, `f64::from(x)`
CALL_ONLY_NUMBER_FUNCTIONS = {"from", "from_bits", "variable", "constant", "new", "unit",
                              "lanes"}
FREE_MATH = {"sin", "cos", "tan", "tanh", "exp", "ln", "sqrt", "abs", "sigmoid",
             "floor", "ceil", "log10", "log2", "atan", "sinh", "cosh"}
_BUF = T.RefT(T.VecT(T.U8), True)
# Compiler intrinsics that `runtime/std.sx` uses: name -> (parameters, result).
INTRINSICS = {
    "__buf_push_str": ([_BUF, T.STR], T.UNIT),
    "__buf_push_i64": ([_BUF, T.I64], T.UNIT),
    "__buf_push_u64": ([_BUF, T.U64], T.UNIT),
    "__buf_push_hex": ([_BUF, T.U64], T.UNIT),
    "__buf_push_hex_upper": ([_BUF, T.U64], T.UNIT),
    "__buf_push_fixed": ([_BUF, T.I64, T.F64], T.UNIT),
    "__buf_push_exp": ([_BUF, T.I64, T.F64], T.UNIT),
    "__buf_push_g": ([_BUF, T.F64], T.UNIT),
    "__str_byte": ([T.STR, T.USIZE], T.U8),
    "__str_slice": ([T.STR, T.USIZE, T.USIZE], T.STR),
    "__bytes_as_str": ([_BUF], T.STR),
    "__str_to_f64": ([T.STR], T.F64),
    "__char_from_code": ([T.U32], T.CHAR),
    "__clock_monotonic": ([], T.F64),
    "__progress_samples": ([], T.U64),
    "__progress": ([T.U64, T.U64, T.U64, T.F64, T.F64, T.U64, T.U64], T.UNIT),
}
# The original runtime's vector-handle functions: name -> (parameters, result).
VEC_HANDLE_BUILTINS = {
    "vec_new": ([], T.I64),
    "vec_push": ([T.I64, T.I64], T.UNIT),
    "vec_get": ([T.I64, T.I64], T.I64),
    "vec_set": ([T.I64, T.I64, T.I64], T.UNIT),
    "vec_len": ([T.I64], T.I64),
    "vec_pop": ([T.I64], T.I64),
    "vec_clear": ([T.I64], T.UNIT),
}
MAX_ARRAY = 65536
# Array and tuple types nest at most this deep, counted together.  The passes
# and llvmlite walk the whole element type of each array or tuple value, so
# the compile time grows with the square of the depth.  An array literal
# nested 600 deep took 35 s to compile, one 2,000 deep ran out of memory,
# and a tuple literal 2,000 deep took 38 s and 3.4 GB (measurements on a
# busy 2-core machine).
MAX_TYPE_NESTING = 64
# A value of array, tuple or struct type contains at most this many numbers,
# booleans and other single values outside its arrays' elements (an array
# counts its element once).  Types are shared, so `let b = (a, a);` repeated
# doubles the size at each line.  The passes walk every field: 2^17 of them
# took 20 s to compile on a 2-core machine, and 2^40 would not finish.
MAX_TYPE_LEAVES = 4096
COMPARISONS = ("==", "!=", "<", ">", "<=", ">=")
MAX_FORMAT_WIDTH = 65535
PRINT_MACROS = {"println", "print", "eprintln", "eprint", "format"} | set(PANIC_MACROS)
KNOWN_MACROS_HELP = ("sxc knows `println!`, `print!`, `eprintln!`, `eprint!`, `format!`, "
                     "`panic!`, `unreachable!`, `todo!`, `unimplemented!`, `assert!`, "
                     "`assert_eq!`, `assert_ne!`, their `debug_` forms, `matches!` and `vec!`")
# Iterator methods that take closures, which `Vec`, arrays and slices lack.
ITERATOR_ADAPTERS = {"map", "filter", "fold", "zip", "for_each", "any", "all", "position",
                     "find", "filter_map", "flat_map", "take_while", "skip_while", "sort_by",
                     "sort_by_key", "max_by", "min_by", "retain", "chain"}


@dataclass
class Sig:
    params: list[T.Type]
    ret: T.Type
    self_kind: str | None
    self_type: T.Type | None


@dataclass
class Local:
    ty: T.Type
    mutable: bool
    span: Span
    keyword: str = "let"
    # the number of a binding declared without a value (`let z;`), else None
    deferred: int | None = None
    used: bool = False  # looked up after its declaration, for reading or writing
    mutated: bool = False  # assigned, borrowed `&mut` or called with `&mut self`


def _is_original_style(program: Program) -> bool:
    """Whether the program is written for the original Simplex toolchain.

    Its `fn main` returns an integer, which Rust's `main` cannot.
    """
    main = program.functions.get("main")
    ret = getattr(main, "ret", None)
    return (getattr(main, "origin", None) == "user" and isinstance(ret, ast.NamedType)
            and len(ret.path) == 1 and T.is_int(T.PRIMITIVES.get(ret.path[0], T.UNIT)))


class Checker(MatchChecks, EnumDataChecks, ResultChecks, MapChecks, GenericsMixin,
              ClosureMixin,
              IterChainMixin, SortMixin, OrderingMixin, TraitChecks):
    def __init__(self, program: Program, reporter: Reporter):
        self.program = program
        self.rep = reporter
        # the original toolchain lets a program assign to a `let` binding
        self.original_style = _is_original_style(program)
        self.structs: dict[str, dict[str, T.Type]] = {}
        self.sigs: dict[str, Sig] = {}
        self.consts: dict[str, T.Type] = {}
        self.scopes: list[dict[str, Local]] = []
        self.ret_type: T.Type = T.UNIT
        self.self_struct: str | None = None
        self.loops: list[list[T.Type]] = []
        self.labels: list[str | None] = []
        # numbers the hidden variables of rewritten loops
        self.fresh_count = 0
        # element types of `Vec::new()` that a later use decides, with their spans
        self.holes: list[tuple[T.HoleT, Span]] = []
        self.unhashable: set[str] = set()  # key types reported without a hash
        self.expecting_payload = False  # see `coerce_payload`
        self.type_nesting_reported = False
        # id of an array or tuple type -> (the type, kept alive so the id stays
        # unique, its depth and its number of values); see `type_shape`
        self.type_shapes: dict[int, tuple[T.Type, int, int]] = {}
        self.struct_leaves: dict[str, int] = {}
        self.oversized: set[str] = set()  # structs reported as too large
        self.type_size_reported = False
        self.module_path = CRATE  # the module of the code being checked
        self.eq_temps = 0  # the locals made for comparisons and struct updates so far
        # (name, local, declared with `mut`, span) of the user's bindings, for the lints
        # of unused variables and unneeded `mut`
        self.linted_locals: list[tuple[str, Local, bool, Span]] = []
        # the function made for each number method named as a value: `f64::sin` -> key
        self.method_values: dict[str, str] = {}
        # the bindings declared without a value, by number, and the types of
        # those without an annotation, which their first assignment decides
        self.deferred: dict[int, DeferredBinding] = {}
        # the target types of `s.parse()` calls that a later use decides
        self.parse_holes: list[tuple[T.HoleT, Span]] = []
        self.deferred_holes: list[tuple[T.HoleT, ast.Let]] = []
        # unit variants of generic enums whose type a later use decides
        self.pending_variants: list = []
        self.assigning = False  # while checking the target of an assignment
        self.eq_operand = False  # while checking an operand of `==` or `!=`

    # ------------------------------------------------------------ declarations

    def declare(self) -> None:
        self.collect_templates()
        self.init_closures()
        self.declare_enums()
        for name, sdef in self.program.structs.items():
            self.structs[name] = {}
        for name, sdef in list(self.program.structs.items()):
            if name in self.instance_of:
                continue
            self.self_struct = name
            self.structs[name] = {f: self.resolve_type(te) for f, te in sdef.fields}
            sdef.resolved_fields = list(self.structs[name].items())
        self.self_struct = None
        self.declare_payloads()
        for name, sdef in list(self.program.structs.items()):
            if self._contains_by_value(name, name):
                self.rep.error(f"recursive type `{name}` has infinite size", sdef.span,
                               help="hold the inner value in a `Box` or a `Vec`, as in "
                                    "`next: Option<Box<Node>>`", code="SX0310")
                sdef.resolved_fields = []
                self.structs[name] = {}
        for name in self._structs_inner_first():
            if not self.check_struct_size(name, self.program.structs[name].span):
                # the fields stay, so that uses of them report nothing more
                self.structs[name] = {f: T.NEVER for f in self.structs[name]}
                self.program.structs[name].resolved_fields = []
        for name, c in self.program.consts.items():
            self.self_struct = getattr(c, "owner", None)
            self.consts[name] = self.resolve_type(c.type)
        self.self_struct = None
        for key, fn in list(self.program.functions.items()):
            self.self_struct = fn.owner
            params = [self.resolve_type(p.type) for p in fn.params]
            ret = self.resolve_type(fn.ret) if fn.ret is not None else T.UNIT
            self_type = None
            if fn.self_kind is not None and fn.owner is not None:
                st = self.owner_type(fn.owner)
                self_type = st if fn.self_kind == "value" else \
                    T.boxed(st) if getattr(fn, "self_box", False) else \
                    T.RefT(st, fn.self_kind == "mut")
            self.sigs[key] = Sig(params, ret, fn.self_kind, self_type)
            fn.sig = self.sigs[key]
        self.self_struct = None

    def _structs_inner_first(self) -> list[str]:
        """Return the declared structs, each after the structs it contains by value."""
        order: list[str] = []
        state: dict[str, bool] = {}  # False while visiting, True once placed
        for root in self.structs:
            if root in state or root in self.instance_of:
                continue
            stack = [(root, iter(self._held_structs(root)))]
            state[root] = False
            while stack:
                name, inner = stack[-1]
                nxt = next((s for s in inner if s not in state), None)
                if nxt is None:
                    stack.pop()
                    state[name] = True
                    order.append(name)
                else:
                    state[nxt] = False
                    stack.append((nxt, iter(self._held_structs(nxt))))
        return order

    def _held_structs(self, struct: str) -> list[str]:
        """Return the structs that a `struct` value stores inline, each once."""
        found: dict[str, None] = {}
        pending = list(self.structs.get(struct, {}).values())
        seen: set[int] = set()
        while pending:
            t = pending.pop()
            if id(t) in seen:
                continue
            seen.add(id(t))
            if isinstance(t, T.ArrayT):
                pending.append(t.elem)
            elif isinstance(t, T.TupleT):
                pending.extend(t.items)
            elif isinstance(t, T.StructT) and t.struct in self.structs:
                found[t.struct] = None
        return list(found)

    def type_label(self, struct: str) -> str:
        """Return the name of struct type `struct` as the program spells it."""
        key = self.instance_of.get(struct)
        if key is None:
            return struct
        args = ", ".join(self.type_label(a.struct) if isinstance(a, T.StructT) else str(a)
                         for a in key[1])
        return f"{key[0]}<{args}>"

    def _contains_by_value(self, struct: str, target: str, through_seq: bool = False) -> bool:
        """Return whether a value of struct type `struct` stores a `target` struct inline,
        or with `through_seq` also in a `Vec`, a slice or behind a reference.

        The search visits each struct once, so it takes linear time even when
        many fields share a struct type (`struct B { x: A, y: A }`).
        """
        pending = list(self.structs.get(struct, {}).values())
        visited: set[str] = set()
        while pending:
            t = pending.pop()
            if through_seq:
                t = T.strip_refs(t)
            if isinstance(t, T.ArrayT) or through_seq and isinstance(t, (T.VecT, T.SliceT)):
                pending.append(t.elem)
            elif isinstance(t, T.TupleT):
                pending.extend(t.items)
            elif isinstance(t, T.StructT):
                if t.struct == target:
                    return True
                if t.struct not in visited:
                    visited.add(t.struct)
                    pending.extend(self.structs.get(t.struct, {}).values())
            elif isinstance(t, T.EnumT) and t.enum not in visited:
                visited.add(t.enum)
                edef = self.program.enums.get(t.enum)
                for fields in getattr(edef, "fields", {}).values():
                    pending.extend(ft for _, ft in fields)
        return False

    def resolve_type(self, te: ast.TypeExpr | None) -> T.Type:
        if te is None:
            return T.UNIT
        if isinstance(te, ast.NamedType) and getattr(te, "impl_trait", False):
            self.rep.error("`impl Trait` is allowed only in the parameter types of a function",
                           te.span, help="name the concrete type, or take a generic parameter "
                                         f"`T: {te.path[-1]}`", code="SX0801")
            return T.NEVER
        if isinstance(te, ast.NamedType):
            return self._named_type(te)
        if isinstance(te, ast.RefType):
            inner = te.inner
            if isinstance(inner, ast.SliceType):
                return T.SliceT(self.resolve_type(inner.elem), te.mutable)
            resolved = self.resolve_type(inner)
            if isinstance(resolved, T.StrT) and not te.mutable:
                return T.STR
            return T.RefT(resolved, te.mutable)
        if isinstance(te, ast.SliceType):
            return T.SliceT(self.resolve_type(te.elem))
        if isinstance(te, ast.ArrayType):
            elem = self.resolve_type(te.elem)
            size = self.array_length(te.size, te.span)
            if size is None:
                return T.NEVER
            return self.check_type_nesting(T.ArrayT(elem, size), te.span)
        if isinstance(te, ast.TupleType):
            if not te.items:
                return T.UNIT
            items = tuple(self.resolve_type(i) for i in te.items)
            return self.check_type_nesting(T.TupleT(items), te.span)
        if isinstance(te, ast.FnType):
            ret = self.resolve_type(te.ret) if te.ret is not None else T.UNIT
            return T.FnT(tuple(self.resolve_type(p) for p in te.params), ret)
        if isinstance(te, ast.ResolvedType):
            return te.ty
        if isinstance(te, ast.FnBound):
            self.rep.error(f"sxc supports `impl {te.trait}(..)` only as the type of a "
                           "function parameter", te.span,
                           help="a closure may not escape the function that makes it: "
                                "return a value instead", code="SX0803")
            return T.NEVER
        self.rep.error("unsupported type", te.span, code="SX0805")
        return T.UNIT

    def _named_type(self, te: ast.NamedType) -> T.Type:
        name = te.path[-1]
        if name == "Result" and "fmt" in te.path:
            # NOTE: `fmt::Result` is `()` because `write!` into a buffer cannot fail,
            # so `?` and `Ok(())` carry nothing.
            return T.UNIT
        generic = self.generic_type(te)
        if generic is not None:
            if self.collection_kind(generic) is not None and te.args and \
                    not te.args[0].span.file.startswith("<runtime>"):
                # the user's annotation names the key type, not the set's own map
                key = T.prune(self.resolve_type(te.args[0]))
                if name in ("HashMap", "HashSet"):
                    self.require_hash(key, te.args[0].span)
                else:
                    self.require_sorted_key(key, te.args[0].span)
            return generic
        bound = self.type_env.get(te.path[0]) if len(te.path) == 2 and self.type_env else None
        if isinstance(bound, (T.StructT, T.EnumT)) and not te.args:
            # `C::Element` in a copy of `fn f<C: Container>` is the `type Element = ..`
            # of the impl for the type that `C` stands for
            target = self.program.associated_types.get((bound.name(), name))
            if target is not None:
                return self.resolve_type(copy.deepcopy(target))
        if name in T.PRIMITIVES and not te.args:
            return T.PRIMITIVES[name]
        alias = self.program.type_aliases.get(name)
        if alias is not None:
            return alias_type(self, te, alias)
        if name in ("Vec", "VecDeque") and len(te.args) == 1:
            # NOTE: a `VecDeque` is a `Vec`, whose `push_front` and `pop_front`
            # move every item (see `DEQUE_METHODS`)
            return T.VecT(self.resolve_type(te.args[0]))
        if name == "Box" and len(te.args) == 1 and not self.user_box():
            return T.boxed(self.resolve_type(te.args[0]))
        if name == "_" and len(te.path) == 1 and not te.args:
            # `let v: Vec<_> = ..`: a type that the first use decides
            return self.new_hole(te.span)
        if name == "Self" and self.self_struct:
            return self.owner_type(self.self_struct)
        if name in self.program.enums:
            return T.EnumT(name)
        if name in self.structs:
            return T.StructT(name)
        if name in ("i128", "u128"):
            self.rep.error(f"sxc does not support `{name}`", te.span,
                           help="the widest integer types are `i64` and `u64`", code="SX0805")
            return T.I64 if name == "i128" else T.U64
        if name == "Formatter":
            return T.FORMATTER
        if name in ("Rc", "Arc", "Option", "Result"):
            self.rep.error(f"sxc does not support `{name}` yet", te.span, code="SX0805")
            return T.UNIT
        known = list(T.PRIMITIVES) + list(self.structs) + list(self.program.enums) + ["Vec"]
        similar = similar_name(name, known)
        self.rep.error(f"cannot find type `{name}` in this scope", te.span,
                       help=f"a type with a similar name exists: `{similar}`" if similar else None,
                       code="SX0202")
        # the unknown type matches anything, so its uses report nothing more
        return T.NEVER

    def array_length(self, count: ast.Expr, span: Span) -> int | None:
        """Evaluate the length of an array type or `[x; N]`, or report it and return None.

        The callers give an array with an invalid length the error type, which
        matches anything, so its uses report nothing more.
        """
        size = self.const_int(count)
        if size is None:
            return None
        # Fixed arrays are LLVM aggregates copied by value; beyond this size
        # compiling them takes minutes, so larger data belongs in a `Vec`.
        if size < 0 or size > MAX_ARRAY:
            self.rep.error(f"array length {size} is outside 0..={MAX_ARRAY}", span,
                           help="use a `Vec` for large or variable-length data", code="SX0313")
            return None
        return size

    def check_type_nesting(self, t: T.ArrayT | T.TupleT, span: Span) -> T.Type:
        """Return `t`, or report it and return the error type if it nests too
        deeply or contains too many values.

        Array and tuple levels count together, so `[([f64; 2],); 3]` is three
        levels.  A struct type counts as one level, whatever its fields hold.
        """
        depth, leaves = self.type_shape(t)
        if depth > MAX_TYPE_NESTING:
            # One report is enough: the types around this one, which nest
            # deeper still, get the error type, which matches anything,
            # without a report.
            if not self.type_nesting_reported:
                self.type_nesting_reported = True
                kind = "array" if isinstance(t, T.ArrayT) else "tuple"
                self.rep.error(f"{kind} type nests more than {MAX_TYPE_NESTING} levels deep",
                               span, help="keep deeply nested data in a `Vec` or a struct, "
                               "or index a flat array", code="SX0003")
            return T.NEVER
        if leaves > MAX_TYPE_LEAVES:
            if not self.type_size_reported:
                self.type_size_reported = True
                kind = "an array" if isinstance(t, T.ArrayT) else "a tuple"
                self.rep.error(f"{kind} type containing {leaves} values is too large",
                               span, help=f"a tuple or struct contains at most {MAX_TYPE_LEAVES} "
                               "values outside arrays; keep repeated data in an array or "
                               "a `Vec`", code="SX0006")
            return T.NEVER
        return t

    def type_shape(self, t: T.Type) -> tuple[int, int]:
        """Return how many array and tuple levels `t` nests, and how many
        single values it contains outside its arrays' elements."""
        depth, leaves, _ = self._shape(t)
        return depth, leaves

    def _shape(self, t: T.Type) -> tuple[int, int, bool]:
        """Return `type_shape(t)` and whether it is final: a struct whose
        size is not yet known counts as one value, and such a count is not
        stored."""
        if isinstance(t, T.StructT):
            leaves = self.struct_leaves.get(t.struct)
            return 0, 1 if leaves is None else leaves, leaves is not None
        if not isinstance(t, (T.ArrayT, T.TupleT)):
            return 0, 1, True
        # Types are shared, so `let b = (a, a);` repeated nests a type tree
        # whose size doubles at each level.  The shapes are stored by identity
        # so that each type is measured once.
        known = self.type_shapes.get(id(t))
        if known is not None:
            return known[1], known[2], True
        if isinstance(t, T.ArrayT):
            depth, leaves, final = self._shape(t.elem)
            depth += 1
        else:
            shapes = [self._shape(i) for i in t.items]
            depth = 1 + max((d for d, _, _ in shapes), default=0)
            leaves = sum(n for _, n, _ in shapes)
            final = all(f for _, _, f in shapes)
        if final:
            self.type_shapes[id(t)] = (t, depth, leaves)
        return depth, leaves, final

    def check_struct_size(self, name: str, span: Span) -> bool:
        """Record how many values a `name` struct contains, and report it and
        return False when that is more than the limit.

        Call it once the fields of the structs in `name` are known, in an
        order where each field's struct comes first.
        """
        if any(held in self.oversized for held in self._held_structs(name)):
            # reported at the struct it contains, and counted as empty from here on
            self.oversized.add(name)
            self.struct_leaves[name] = 0
            return True
        leaves = sum(self.type_shape(f)[1] for f in self.structs.get(name, {}).values())
        self.struct_leaves[name] = max(leaves, 1)
        if leaves <= MAX_TYPE_LEAVES:
            return True
        self.oversized.add(name)
        self.rep.error(f"struct `{self.type_label(name)}` contains {leaves} values and is too large",
                       span, help=f"a struct contains at most {MAX_TYPE_LEAVES} values outside "
                       "arrays; keep repeated data in an array or a `Vec`", code="SX0006")
        # counted as empty, so that the structs holding it report nothing more
        self.struct_leaves[name] = 0
        return False

    def const_int(self, e: ast.Expr) -> int | None:
        """Evaluate the constant integer expression `e`, or report it and return None."""
        if isinstance(e, ast.IntLit):
            return e.value
        if isinstance(e, ast.Path) and len(e.segments) in (1, 2):
            # a constant, or an associated one: `Grid::W`, `Self::W`
            segments = list(e.segments)
            if segments[0] == "Self" and self.self_struct is not None:
                segments[0] = self.self_struct
            c = self.program.consts.get("::".join(segments))
            if c is not None and c.value is not None:
                return self.const_int(c.value)
        if isinstance(e, ast.Cast) and isinstance(e.target, ast.NamedType) and \
                isinstance(T.PRIMITIVES.get(e.target.path[-1]), T.IntT):
            return self.const_int(e.operand)  # `N as usize`
        if isinstance(e, ast.Binary):
            a, b = self.const_int(e.left), self.const_int(e.right)
            if a is None or b is None:
                return None
            if e.op in ("/", "%") and b == 0:
                self.rep.error("division by zero in a constant", e.span, code="SX0313")
                return None
            ops = {"+": a + b, "-": a - b, "*": a * b,
                   "/": div_toward_zero(a, b) if b else 0,
                   "%": a - b * div_toward_zero(a, b) if b else 0}
            if e.op in ops:
                return ops[e.op]
        self.rep.error("array length must be a constant integer", e.span, code="SX0313")
        return None

    # ------------------------------------------------------------ functions

    def check_program(self) -> None:
        self.declare()
        check_aliases(self)
        for name, c in self.program.consts.items():
            self.self_struct = getattr(c, "owner", None)
            c.value = self.coerce(self.expr(c.value, self.consts[name]), self.consts[name])
            _prune_types(c.value, settle=True)
            self.check_literals(c.value)
        self.self_struct = None
        self.check_const_cycles()
        self.check_reachable()
        self.finish_closures()
        main = self.program.functions.get("main")
        if main is not None:
            sig = self.sigs["main"]
            if sig.params:
                self.rep.error("`main` takes no parameters", main.name_span or main.span,
                               help="read command-line arguments with `args()`", code="SX0314")
            if not isinstance(sig.ret, (T.UnitT, T.IntT)):
                self.rep.error(f"`main` must return `()`, an integer or `Result<(), E>`, "
                               f"not `{sig.ret}`", main.span, code="SX0314")
        # errors stop the checks early, which would make bindings look unused
        if not self.rep.has_errors:
            lint_unused(self, self.linted_locals)

    def check_reachable(self) -> None:
        """Check the user's functions and the library functions they can reach.

        The prelude has about a hundred functions, and a program calls few of
        them.  Only a checked body shows which functions it calls (method
        calls need the receiver's type), so the library functions are
        checked as calls reach them, and those no call reaches are dropped.
        The roots are those of `sxc.reach.reachable_functions`: every function
        of the user's program, and `Rng::u01`, which the soft pass calls.
        """
        from sxc.reach import callees

        functions = self.program.functions
        waiting = {key: fn for key, fn in functions.items()
                   if getattr(fn, "origin", "user") in ("std", "library")}
        waiting.pop(self.program.prelude_key("Rng") + "::u01", None)
        fresh = [key for key in functions if key not in waiting]
        while fresh:
            before = set(functions)
            for key in fresh:
                self.check_fn(functions[key])
            # the copies of generic functions, checked here, join the functions
            self.check_instances()
            checked = fresh + [key for key in functions if key not in before]
            fresh = []
            # a closure checked as a copy (`sort_by_key` inlines its key twice) is in
            # no function's body until the closures are lifted
            bodies = [functions[key].body for key in checked] + \
                [info.node.body for info in self.closures.values()]
            for body in bodies:
                for callee in callees(body):
                    if callee in waiting:
                        del waiting[callee]
                        fresh.append(callee)
        for key in waiting:
            del functions[key]

    def check_const_cycles(self) -> None:
        graph = {name: _const_refs(c.value) for name, c in self.program.consts.items()}
        for start in graph:
            if _reaches(graph, start, start, set()):
                c = self.program.consts[start]
                self.rep.error(f"cycle detected when evaluating constant `{start}`", c.span,
                               help="a constant may not depend on itself", code="SX0313")

    def check_literals(self, node) -> None:
        """Report number literals that do not fit their (now known) type."""
        nodes = sorted(ast.walk(node), key=lambda n: (n.span.line, n.span.col))
        negated = {id(n.operand) for n in nodes if isinstance(n, ast.Unary) and n.op == "-"
                   and isinstance(n.operand, ast.IntLit)}
        for lit in nodes:
            if isinstance(lit, ast.IntLit) and isinstance(lit.ty, T.IntT):
                t = lit.ty
                if id(lit) in negated and not t.signed:
                    self.rep.error(f"cannot apply unary operator `-` to type `{t}`",
                                   lit.span, help="unsigned values cannot be negative",
                                   code="SX0702")
                    continue
                hi = N.int_max(t) + (1 if id(lit) in negated else 0)
                if lit.value > hi:
                    self.rep.error(f"literal out of range for `{t}`", lit.span,
                                   help=f"the range of `{t}` is "
                                        f"{N.int_min(t)}..={N.int_max(t)}", code="SX0701")
            elif isinstance(lit, ast.FloatLit) and isinstance(lit.ty, T.FloatT) \
                    and lit.text is not None:
                if math.isinf(N.float_literal_value(lit.text, lit.ty)):
                    self.rep.error(f"literal out of range for `{lit.ty}`", lit.span,
                                   help=f"the largest finite `{lit.ty}` is `{lit.ty}::MAX`",
                                   code="SX0701")

    def check_visible(self, item, what: str, name: str, span: Span, declared: Span) -> None:
        """Report `item` used outside the module that declares it without `pub`."""
        module = getattr(item, "module_path", CRATE)
        if getattr(item, "origin", "user") in ("std", "std-instance") or \
                within_path(self.module_path, module):
            return
        report_private(self.rep, what, name, span, declared, module)

    def check_field_visible(self, struct: str, name: str, span: Span) -> None:
        sdef = self.program.structs.get(struct)
        if sdef is not None and name not in sdef.public_fields:
            self.check_visible(sdef, f"field `{name}` of struct `{struct}`", name, span,
                               sdef.span)

    def check_fn(self, fn: ast.FnDef) -> None:
        sig: Sig = fn.sig
        if fn.generics:
            return
        self.self_struct = fn.owner
        self.module_path = getattr(fn, "module_path", CRATE)
        self.ret_type = sig.ret
        self.scopes = [{}]
        self.loops = []
        self.labels: list[str | None] = []
        if sig.self_type is not None:
            self.scopes[0]["self"] = Local(sig.self_type,
                                           fn.self_kind == "mut" or fn.self_mutable, fn.span)
        # the library's own code is neither linted nor checked for literals
        library = getattr(fn, "origin", "user") in ("std", "std-instance", "library")
        for p, ty in zip(fn.params, sig.params):
            local = Local(ty, p.mutable, p.span)
            self.scopes[0][p.name] = local
            if getattr(fn, "trait_impl", None) is None and not library:
                self.lint_local(p.name, local, p.mutable, _param_name_span(p))
        if not library:
            # rewrites of Rust's library forms that need no types, before checking
            for node in ast.walk(fn.body):
                if isinstance(node, ast.MethodCall):
                    if node.method == "split_ascii_whitespace" and not node.args:
                        # NOTE: also splits at the Unicode spaces that only
                        # `split_whitespace` splits at in Rust, such as U+00A0
                        node.method = "split_whitespace"
                    node.args = [_method_path_closure(a) for a in node.args]
                    iter_chains.args_as_iterator(node, self.sigs)
                iter_chains.iter_functions_as_vecs(node, self.sigs)
                iter_chains.next_as_consumer(node)
                iter_chains.case_mapping_as_chars(node)
            std_io.rewrite(fn.body, self.sigs)
            kept_adapters.inline_kept_chains(fn.body)
            cursors.add_positions(fn.body)
        deferred = len(self.deferred)
        self.fn_body = fn.body
        body = self.block(fn.body, sig.ret)
        if not isinstance(sig.ret, T.UnitT) and body.tail is None \
                and not self.diverges(body):
            self.rep.error(f"function `{fn.name}` must return `{sig.ret}` but its body "
                           "has no final expression", fn.body.span,
                           help="remove the `;` after the last expression, or add "
                                "a `return`", code="SX0301")
        elif body.tail is not None:
            body.tail = self.coerce(body.tail, sig.ret)
        fn.body = body
        if not library:
            borrows.check_returned_refs(body, sig.ret, {p.name for p in fn.params},
                                             self.rep)
        self.fill_holes(body)
        self.settle_deferred(body)
        _prune_types(body, settle=True)
        if len(self.deferred) > deferred:  # the body declares a binding without a value
            check_initialization(body, self.deferred, self.rep, self.original_style)
        if not library:
            self.check_literals(body)
        self.self_struct = None

    def diverges(self, block: ast.Block) -> bool:
        if not block.stmts:
            return False
        last = block.stmts[-1]
        if isinstance(last, ast.ExprStmt):
            e = last.expr
            if isinstance(e, ast.Return) or isinstance(e.ty, T.NeverT):
                return True
            if isinstance(e, ast.Loop):
                return True
            if isinstance(e, ast.MacroCall) and e.name in PANIC_MACROS:
                return True
            if isinstance(e, ast.If) and e.else_ is not None:
                return self.diverges(e.then) and (
                    self.diverges(e.else_) if isinstance(e.else_, ast.Block)
                    else isinstance(e.else_.ty, T.NeverT))
        return False

    # ------------------------------------------------------------ scopes

    def similar_value(self, name: str) -> str | None:
        """Return the help that names a value in scope spelt like `name`, or None."""
        locals_ = [local for scope in self.scopes for local in scope]
        for kind, names in (("local variable", locals_), ("constant", list(self.consts)),
                            ("function", [key for key in self.sigs if "::" not in key])):
            similar = similar_name(name, names)
            if similar:
                return f"a {kind} with a similar name exists: `{similar}`"
        return None

    def lookup(self, name: str) -> Local | None:
        for index in range(len(self.scopes) - 1, -1, -1):
            scope = self.scopes[index]
            if name in scope:
                local = scope[name]
                local.ty = T.prune(local.ty)
                local.used = True
                if self.closure_frames:
                    self.note_capture(name, index, local)
                return local
        return None

    def find_local(self, name: str) -> Local | None:
        """Return the local `name` without marking it used or captured."""
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return None

    def mark_mutated(self, target: ast.Expr) -> None:
        """Mark the local at the root of `target` as mutated, for the `unused_mut` lint."""
        root = target
        while isinstance(root, (ast.Field, ast.Index, ast.TupleField, ast.Unary)):
            root = root.operand if isinstance(root, ast.Unary) else root.base
        if isinstance(root, ast.Path) and len(root.segments) == 1:
            local = self.find_local(root.segments[0])
            if local is not None:
                local.mutated = True

    def lint_local(self, name: str, local: Local, declared_mut: bool,
                   span: Span | None = None) -> None:
        """Remember a binding of the user's code for the unused-variable lints;
        `span`, by default the local's, is where a warning points."""
        if name.startswith("_") or local.span.file.startswith("<"):
            return
        # the rewrites of iterator chains bind closure parameters `mut` themselves
        text = source_line(local.span.file, local.span.line) or ""
        written_mut = re.match(r"mut\b", text[local.span.col - 1:]) is not None
        self.linted_locals.append((name, local, declared_mut and written_mut,
                                   span or local.span))

    def new_hole(self, span) -> T.HoleT:
        """Return an element type for `Vec::new()` that a later use decides."""
        hole = T.HoleT()
        self.holes.append((hole, span))
        return hole

    def settle_parse_hole(self, ty: T.Type) -> bool:
        """Report the `s.parse()` whose undecided target type is `ty`; return whether
        `ty` was one.

        An operator, a method or a format that reads the value before any use
        decides its type calls this.  The target becomes `f64`, so the use
        reports nothing more."""
        hole = T.prune(ty)
        if not isinstance(hole, T.HoleT):
            return False
        for index, (parsed, span) in enumerate(self.parse_holes):
            if T.prune(parsed) is hole:
                self.parse_target_error(span)
                hole.bound = T.F64
                del self.parse_holes[index]
                return True
        return False

    def field_type_of(self, e: ast.Expr, type_of) -> T.Type | None:
        """Return the type of the field `e` (`t.0`, `self.pc`) from the type that
        `type_of` gives its base, or None when that is unknown."""
        base = e.base
        if isinstance(base, ast.Path) and base.segments == ["self"]:
            local = self.lookup("self")
            owner = T.strip_refs(T.prune(local.ty)) if local is not None else None
        else:
            found = type_of(base)
            owner = T.strip_refs(T.prune(found)) if found is not None else None
        if isinstance(e, ast.TupleField) and isinstance(owner, T.TupleT) and \
                e.index < len(owner.items):
            found = T.prune(owner.items[e.index])
        elif isinstance(e, ast.Field) and isinstance(owner, T.StructT):
            found = self.structs.get(owner.struct, {}).get(e.name)
        else:
            return None
        return None if found is None or T.has_hole(found) else found

    def guess_generic_new(self, stmt: ast.Let, later: list[ast.Stmt]) -> None:
        """Annotate `let s = Stack::new();` of a generic struct from the first later
        calls `s.push(x)` whose parameters are its type parameters, as Rust infers it.

        The argument's type must show in its syntax: a literal, a cast, a local, or
        the variable of a later `for` loop over a sequence or a string's pieces.
        `m.entry(k).or_insert(v)` gives both types of a `HashMap`."""
        init = stmt.init
        if not (isinstance(stmt.pattern, ast.NamePattern) and isinstance(init, ast.Call)
                and isinstance(init.func, ast.Path) and len(init.func.segments) >= 2
                and not init.func.type_args):
            return
        # `HashSet::new()`, also as `std::collections::HashSet::new()` after a `use`
        struct = init.func.segments[-2]
        sdef = self.generic_structs.get(struct)
        if sdef is None or not sdef.generics:
            return
        name = stmt.pattern.name
        guesses: dict[str, T.Type] = {}

        def type_of(arg: ast.Expr) -> T.Type | None:
            found = self.literal_or_syntactic_type(arg)
            if found is None and isinstance(arg, ast.Path) and len(arg.segments) == 1:
                found = self._later_local_type(arg.segments[0], later)
            if found is None and isinstance(arg, ast.Path) and len(arg.segments) == 1:
                local = self.lookup(arg.segments[0])  # a local declared above
                if local is not None and not T.has_hole(local.ty) and \
                        not isinstance(T.prune(local.ty), (T.LiteralVar, T.NeverT)):
                    found = T.prune(local.ty)
                elif local is None and arg.segments[0] in self.consts:
                    found = self.consts[arg.segments[0]]  # `m.insert(K, v)` with `const K`
            if found is None and isinstance(arg, ast.Ref):
                found = type_of(arg.operand)
            if found is None and isinstance(arg, ast.Unary) and arg.op == "*":
                inner = type_of(arg.operand)  # `s.insert(*r)` with `r: &i32`
                found = inner.inner if isinstance(inner, T.RefT) else inner
            if found is None and isinstance(arg, (ast.Field, ast.TupleField)):
                found = self.field_type_of(arg, type_of)
            if found is None and isinstance(arg, (ast.Binary, ast.Unary)):
                found = operator_type(arg, type_of)
            if found is None and isinstance(arg, ast.MethodCall):
                found = _method_result_type(arg)
            if found is None and isinstance(arg, ast.Index) and \
                    not isinstance(arg.index, ast.Range):
                # `s.insert(src[0])`: an item of a sequence whose type shows
                seq = T.strip_refs(type_of(arg.base) or T.UNIT)
                if isinstance(seq, (T.VecT, T.ArrayT, T.SliceT)) and not T.has_hole(seq.elem):
                    found = T.prune(seq.elem)
            if found is None and isinstance(arg, ast.Path) and len(arg.segments) == 1:
                # `for i in 0..9 { s.insert(i) }`: the literal's type, decided later
                local = self.lookup(arg.segments[0])
                if local is not None and isinstance(T.prune(local.ty), T.LiteralVar):
                    found = T.prune(local.ty)
            if found is None and isinstance(arg, ast.TupleLit) and arg.items:
                items = [type_of(i) for i in arg.items]
                found = None if None in items else T.TupleT(tuple(items))
            if found is None and isinstance(arg, ast.VecLit) and arg.items:
                # `m.insert(k, vec![1, 2])`: a `Vec` of its first item's type
                item = type_of(arg.items[0])
                found = T.VecT(item) if item is not None else None
            if found is None and isinstance(arg, ast.Call) and isinstance(arg.func, ast.Path) \
                    and len(arg.func.segments) == 1 and len(arg.args) == 1 and \
                    len(getattr(self.generic_structs.get(arg.func.segments[0]), "generics",
                                ())) == 1:
                # `Reverse(x)` of a generic tuple struct
                inner = type_of(arg.args[0])
                if inner is not None:
                    found = self.resolve_type(ast.NamedType(arg.span, list(arg.func.segments),
                                                            [ast.ResolvedType(arg.span, inner)]))
            return found

        def guess(generic: str, arg: ast.Expr) -> None:
            if generic not in guesses:
                found = type_of(arg)
                if found is not None:
                    guesses[generic] = found

        # `let mut m = acc;`, as the inlined closure of a `fold` binds its accumulator
        names = {name}
        for node in (n for s in later for n in ast.walk(s)):
            if isinstance(node, ast.Let) and isinstance(node.pattern, ast.NamePattern) and \
                    isinstance(node.init, ast.Path) and len(node.init.segments) == 1 and \
                    node.init.segments[0] in names:
                names.add(node.pattern.name)
        # `*m.entry(k).or_insert(0) += x`: the value that the literal starts is `x`'s type
        added_to = {id(n.target.operand): n.value for s in later for n in ast.walk(s)
                    if isinstance(n, ast.Assign) and n.op in ("+=", "-=", "*=", "/=")
                    and isinstance(n.target, ast.Unary) and n.target.op == "*"}
        for node in (n for s in later for n in ast.walk(s)):
            if not isinstance(node, ast.MethodCall):
                continue
            if node.method == "or_insert" and len(node.args) == 1 and \
                    isinstance(node.args[0], (ast.IntLit, ast.FloatLit)) and \
                    node.args[0].suffix is None and id(node) in added_to and \
                    len(sdef.generics) == 2 and sdef.generics[1] not in guesses:
                found = type_of(added_to[id(node)])
                if found is not None and T.is_numeric(found):
                    guesses[sdef.generics[1]] = found
            if node.method in ("or_insert", "or_insert_with") and len(node.args) == 1 and \
                    isinstance(node.receiver, ast.MethodCall) and node.receiver.method == "entry" \
                    and isinstance(node.receiver.receiver, ast.Path) and \
                    len(node.receiver.receiver.segments) == 1 and \
                    node.receiver.receiver.segments[0] in names and len(sdef.generics) == 2:
                guess(sdef.generics[0], node.receiver.args[0])
                if node.method == "or_insert":
                    guess(sdef.generics[1], node.args[0])
            if not (isinstance(node.receiver, ast.Path) and len(node.receiver.segments) == 1
                    and node.receiver.segments[0] in names):
                continue
            templates = [t for t in self.method_templates.get(struct, [])
                         if t.fn.name == node.method]
            if len(templates) != 1:
                continue
            for param, arg in zip(templates[0].fn.params, node.args):
                written = param.type.inner if isinstance(param.type, ast.RefType) else param.type
                if isinstance(written, ast.NamedType) and len(written.path) == 1 and \
                        written.path[0] in sdef.generics and not written.args:
                    guess(written.path[0], arg)
            if all(g in guesses for g in sdef.generics):
                break
        if all(g in guesses for g in sdef.generics):
            stmt.type = ast.NamedType(init.span, [struct], [
                ast.ResolvedType(init.span, guesses[g]) for g in sdef.generics])

    def _later_local_type(self, name: str, later: list[ast.Stmt],
                          depth: int = 0) -> T.Type | None:
        """Return the type of `name` where a later `let name: T` or `for name in ..`
        shows it: the items of a sequence local, of a range of literals, or of a
        string's `split`, `lines`, `split_whitespace`, `chars` or `bytes`.  A
        `let name = other;` or `let name = *other;` asks about `other`, and
        `let name = v[i];` takes the items of the local `v`."""
        for node in (n for s in later for n in ast.walk(s)):
            if isinstance(node, ast.Let) and isinstance(node.pattern, ast.NamePattern) and \
                    node.pattern.name == name and node.type is None and depth < 4:
                source = node.init.operand if isinstance(node.init, ast.Unary) and \
                    node.init.op == "*" else node.init
                if isinstance(source, ast.Path) and len(source.segments) == 1:
                    found = self._later_local_type(source.segments[0], later, depth + 1)
                    if found is not None:
                        return found
                if isinstance(source, ast.Index) and isinstance(source.base, ast.Path) and \
                        len(source.base.segments) == 1 and \
                        not isinstance(source.index, ast.Range):
                    local = self.lookup(source.base.segments[0])
                    elem = getattr(T.strip_refs(T.prune(local.ty)), "elem", None) \
                        if local is not None else None
                    if elem is not None and not T.has_hole(elem):
                        return T.prune(elem)
            if isinstance(node, ast.MethodCall) and node.args and \
                    isinstance(node.args[0], ast.Closure) and \
                    _closure_binds_item(node.args[0], name) and \
                    isinstance(node.receiver, ast.MethodCall) and node.receiver.method in (
                        "iter", "into_iter", "iter_mut", "chars", "bytes", "split",
                        "split_whitespace", "lines"):
                # `v.iter().all(|x| seen.insert(*x))`: the items of `v`, as a loop has
                loop = ast.For(node.span, ast.NamePattern(node.span, name), node.receiver,
                               ast.Block(node.span, [], None))
                return self._later_local_type(name, [loop])
            if isinstance(node, ast.Let) and isinstance(node.pattern, ast.NamePattern) and \
                    node.pattern.name == name and node.type is not None:
                return self.resolve_type(node.type)
            if isinstance(node, ast.Let) and isinstance(node.pattern, ast.NamePattern) and \
                    node.pattern.name == name and isinstance(node.init, ast.MethodCall):
                # `let l = w.len();`
                return _method_result_type(node.init)
            pattern = node.pattern.pattern if isinstance(node, ast.For) and \
                isinstance(node.pattern, ast.DerefPattern) else getattr(node, "pattern", None)
            if isinstance(node, ast.For) and isinstance(pattern, ast.TuplePattern) and \
                    not (isinstance(node.iter, ast.MethodCall) and node.iter.method == "enumerate"):
                # `for &(n, c) in &pairs` over a local `Vec` of tuples
                seq = node.iter.operand if isinstance(node.iter, ast.Ref) else node.iter
                if isinstance(seq, ast.MethodCall) and seq.method == "iter" and not seq.args:
                    seq = seq.receiver
                local = self.lookup(seq.segments[0]) if isinstance(seq, ast.Path) and \
                    len(seq.segments) == 1 else None
                elem = getattr(T.strip_refs(T.prune(local.ty)), "elem", None) \
                    if local is not None else None
                if local is not None and self.collection_kind(local.ty) == "map":
                    # `for (k, v) in &m` over a local map: its key and value types
                    owner = T.strip_refs(T.prune(local.ty))
                    elem = T.TupleT(tuple(self.instance_of[owner.struct][1][:2]))
                elem = T.prune(elem) if elem is not None else None
                if isinstance(elem, T.TupleT) and len(elem.items) == len(pattern.items):
                    for item, item_type in zip(pattern.items, elem.items):
                        if isinstance(item, ast.NamePattern) and item.name == name and \
                                not T.has_hole(item_type):
                            return T.prune(item_type)
            if isinstance(node, ast.For) and isinstance(node.pattern, ast.TuplePattern) and \
                    len(node.pattern.items) == 2 and isinstance(node.iter, ast.MethodCall) and \
                    node.iter.method == "enumerate":
                # `for (i, x) in v.iter().enumerate()`
                first, second = node.pattern.items
                if isinstance(first, ast.NamePattern) and first.name == name:
                    return T.USIZE
                if isinstance(second, ast.NamePattern) and second.name == name:
                    inner = ast.For(node.span, second, node.iter.receiver, node.body)
                    return self._later_local_type(name, [inner])
            if not (isinstance(node, ast.For) and isinstance(node.pattern, ast.NamePattern)
                    and node.pattern.name == name):
                continue
            it = node.iter
            if isinstance(it, ast.MethodCall) and it.method in (
                    "split_whitespace", "split", "lines", "split_terminator", "splitn",
                    "rsplit", "split_ascii_whitespace"):
                return T.STR
            if isinstance(it, ast.MethodCall) and it.method == "chars":
                return T.CHAR
            if isinstance(it, ast.MethodCall) and it.method == "bytes":
                return T.U8
            if isinstance(it, ast.Range) and it.start is not None:
                # `0..3u8` takes the type of its suffixed end, `0..n` that of `n`
                ends = [end for end in (it.start, it.end) if end is not None]
                suffixed = [end for end in ends if getattr(end, "suffix", None)]
                typed = [end for end in ends
                         if not isinstance(end, (ast.IntLit, ast.FloatLit))
                         and self.syntactic_type(end) is not None]
                return self.literal_or_syntactic_type((suffixed or typed or ends)[0])
            seq = it.operand if isinstance(it, ast.Ref) else it
            if isinstance(seq, ast.MethodCall) and seq.method in ("iter", "into_iter") and \
                    not seq.args:
                seq = seq.receiver
            if isinstance(seq, (ast.ArrayLit, ast.VecLit)) and seq.items:
                return self.literal_or_syntactic_type(seq.items[0])
            if isinstance(seq, ast.Path) and len(seq.segments) == 1:
                local = self.lookup(seq.segments[0])
                elem = getattr(T.strip_refs(T.prune(local.ty)), "elem", None) \
                    if local is not None else None
                if elem is not None and not T.has_hole(elem):
                    return elem
            return None
        return None

    def guess_returned_vec(self, stmt: ast.Let, body: ast.Block, index: int) -> None:
        """Annotate `let mut dist = vec![None; n];` with the function's result type when
        the function returns `dist`, so that a later `dist[0] = Some(0)` makes the
        `Option<usize>` that the result needs, as Rust infers it.  So is
        `let mut m = BTreeMap::new();` of the result's generic struct, whose later
        `m.insert(k, 0)` would otherwise guess `i64`."""
        init = stmt.init
        if not isinstance(stmt.pattern, ast.NamePattern):
            return
        ret = T.prune(self.ret_type)
        if isinstance(init, ast.Call) and isinstance(init.func, ast.Path) and \
                len(init.func.segments) >= 2 and init.func.segments[-1] == "new" and \
                not init.args and not init.func.type_args and isinstance(ret, T.StructT):
            generic = self.instance_of.get(ret.struct, (None,))[0]
            if generic is None or generic.rsplit("::", 1)[-1] != init.func.segments[-2]:
                return
        elif not (isinstance(init, ast.VecLit) and isinstance(ret, T.VecT)):
            return
        elif not any(isinstance(n, ast.Path) and n.segments == ["None"]
                     for n in ast.walk(init)) and init.items:
            return
        name = stmt.pattern.name
        later = body.stmts[index + 1:]
        if any(isinstance(n, ast.Let) and name in bound_names(n.pattern)
               for s in later for n in ast.walk(s)):
            return  # shadowed: the returned `name` may be another binding
        returned = isinstance(body.tail, ast.Path) and body.tail.segments == [name] or any(
            isinstance(n, ast.Return) and isinstance(n.value, ast.Path)
            and n.value.segments == [name] for s in later for n in ast.walk(s))
        if returned:
            stmt.type = ast.ResolvedType(stmt.span, self.ret_type)

    def literal_or_syntactic_type(self, e: ast.Expr) -> T.Type | None:
        """Return `syntactic_type(e)`, but for an unsuffixed literal a new variable that
        its later uses decide, as Rust infers `m.insert(k, 0)` into a `usize`."""
        if isinstance(e, ast.IntLit) and not e.suffix:
            return T.IntVar()
        if isinstance(e, ast.FloatLit) and not e.suffix:
            return T.FloatVar()
        return self.syntactic_type(e)

    def syntactic_type(self, e: ast.Expr) -> T.Type | None:
        """Return the type that `e` has by its form alone, or None."""
        if isinstance(e, ast.FloatLit):
            return T.PRIMITIVES[e.suffix] if e.suffix else T.F64
        if isinstance(e, ast.IntLit):
            return T.PRIMITIVES[e.suffix] if e.suffix else T.I64
        if isinstance(e, ast.BoolLit):
            return T.BOOL
        if isinstance(e, ast.StrLit):
            return T.STR
        if isinstance(e, ast.Cast):
            return self.resolve_type(e.target)
        if isinstance(e, (ast.Binary, ast.Unary)):
            return operator_type(e, self.syntactic_type)
        if isinstance(e, ast.Path) and len(e.segments) == 1:
            local = self.lookup(e.segments[0])
            if local is not None and not isinstance(T.prune(local.ty), (T.LiteralVar, T.HoleT)):
                return T.prune(local.ty)
        if isinstance(e, ast.MacroCall) and e.name == "format":
            return T.STRING
        if isinstance(e, ast.MethodCall) and not e.args and (
                e.method == "to_string" or e.method == "to_owned" and
                isinstance(e.receiver, ast.StrLit)):
            return T.STRING
        if isinstance(e, ast.Call) and isinstance(e.func, ast.Path):
            name = "::".join(e.func.segments)
            if name in ("String::from", "String::new"):
                return T.STRING
            sig = self.sigs.get(name)
            if sig is not None and sig.self_kind is None and not T.has_hole(sig.ret) and \
                    name in self.program.functions and \
                    not getattr(self.program.functions[name], "generics", None):
                return sig.ret
        if isinstance(e, ast.StructLit) and e.name in self.structs:
            return T.StructT(e.name)
        if isinstance(e, ast.TupleLit) and e.items:
            items = [self.syntactic_type(i) for i in e.items]
            return None if None in items else T.TupleT(tuple(items))
        if isinstance(e, ast.Call) and isinstance(e.func, ast.Path) and \
                len(e.func.segments) == 1 and e.func.segments[0] in self.structs:
            return T.StructT(e.func.segments[0])  # a tuple struct's constructor
        return None

    def parse_in_and_then(self, e: ast.MethodCall, expected) -> None:
        """Give the `parse` of `x.and_then(|s| s.parse().ok()).unwrap_or(d)` the type that
        the binding expects, else the type of `d`, as Rust infers it:
        `let n: usize = args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(100);`.
        `x.map(|s| s.parse().unwrap()).unwrap_or(d)` is read the same way."""
        receiver = e.receiver
        ends = {"and_then": ("ok",), "map": ("unwrap", "expect")}
        if not (isinstance(receiver, ast.MethodCall) and receiver.method in ends
                and len(receiver.args) == 1):
            return
        parse = _closure_parse(receiver.args[0], ends[receiver.method])
        if parse is None:
            return
        target = expected
        if target is None or isinstance(target, T.NeverT):
            default = self.expr(e.args[0], None)
            default.checked = True
            e.args[0] = default
            target = T.prune(default.ty)
            if isinstance(target, T.LiteralVar):
                target = target.resolved()
        if _parsable(target):
            parse.type_args = [ast.ResolvedType(parse.span, target)]

    def parse_target_error(self, span: Span, target: T.Type | None = None) -> None:
        """Report a `parse` whose target type is unknown, or `target` when sxc cannot
        parse into it."""
        if target is None:
            self.rep.error("cannot infer the type to parse into", span,
                           help="write `s.parse::<f64>()`", code="SX0304")
        else:
            self.rep.error(f"sxc cannot parse a string into `{target}`", span, code="SX0801")

    def fill_holes(self, body: ast.Node) -> None:
        """Replace the decided holes in every type of `body`; report undecided ones."""
        parses, self.parse_holes = self.parse_holes, []
        for hole, span in parses:
            target = T.prune(hole)
            if isinstance(target, T.HoleT):
                self.parse_target_error(span)
                hole.bound = T.F64
            elif not _parsable(target):
                self.parse_target_error(span, target)
        if not self.holes:
            if parses:
                _prune_types(body)
            return
        _prune_types(body)
        for hole, span in self.holes:
            if hole.bound is None or T.has_hole(hole):
                self.rep.error("cannot infer the element type of this `Vec`", span,
                               help="annotate it: `let v: Vec<f64> = Vec::new();`", code="SX0304")
                hole.bound = T.F64
        self.holes = []

    def fields_through_mut(self, stmt: ast.Let) -> list[ast.Stmt] | None:
        """Return `let name = &mut (*r).name;` for each field that `let S { name, .. } = r;`
        binds when the local `r` is a `&mut S`, as Rust's default binding modes do;
        None for any other `let`.  The first statement evaluates `r` alone."""
        pattern, init = stmt.pattern, stmt.init
        if stmt.type is not None or not isinstance(pattern, ast.VariantPattern) or \
                pattern.fields is None or not isinstance(init, ast.Path) or \
                len(init.segments) != 1:
            return None
        local = self.lookup(init.segments[0])
        ty = T.prune(local.ty) if local is not None else None
        if not (isinstance(ty, T.RefT) and ty.mutable and isinstance(T.prune(ty.inner), T.StructT)
                and self._pattern_struct(pattern.path, T.prune(ty.inner)) is not None):
            return None
        if not all(isinstance(p, ast.WildPattern) or
                   isinstance(p, ast.NamePattern) and not p.mutable for _, p in pattern.fields):
            return None
        span = stmt.span
        out: list[ast.Stmt] = [ast.ExprStmt(span, ast.Path(span, list(init.segments)), True)]
        for name, p in pattern.fields:
            if isinstance(p, ast.NamePattern):
                place = ast.Field(span, ast.Unary(span, "*", ast.Path(span, list(init.segments))),
                                  name)
                out.append(ast.Let(p.span, ast.NamePattern(p.span, p.name), None,
                                   ast.Ref(span, place, True)))
        return out

    def tuple_items_by_ref(self, stmt: ast.Let) -> list[ast.Stmt] | None:
        """Return one `let` per item for `let (ref mut a, b) = pair;` and for
        `let (a, b) = &mut pair;`, where `pair` is a local: an item bound by
        reference becomes `let a = &mut pair.0;`.  None for any other `let`."""
        pattern, init = stmt.pattern, stmt.init
        lent = isinstance(init, ast.Ref) and init.mutable
        source = init.operand if lent else init
        if stmt.type is not None or not isinstance(pattern, ast.TuplePattern) or \
                not isinstance(source, ast.Path) or len(source.segments) != 1:
            return None

        items = pattern.items
        if not all(isinstance(p, ast.WildPattern) or isinstance(p, ast.NamePattern)
                   for p in items):
            return None
        if not lent and not any(getattr(p, "by_ref", False) for p in items):
            return None
        local = self.lookup(source.segments[0])
        ty = T.prune(local.ty) if local is not None else None
        if not isinstance(ty, T.TupleT) or len(ty.items) != len(items):
            return None

        span = stmt.span
        out: list[ast.Stmt] = [ast.ExprStmt(span, ast.Path(span, list(source.segments)), True)]
        for index, p in enumerate(items):
            if isinstance(p, ast.WildPattern):
                continue
            place = ast.TupleField(span, ast.Path(span, list(source.segments)), index)
            if lent or p.by_ref:
                mutable = lent or getattr(p, "ref_mut", False)
                value: ast.Expr = ast.Ref(span, place, mutable)
                out.append(ast.Let(p.span, ast.NamePattern(p.span, p.name), None, value))
            else:
                out.append(ast.Let(p.span, ast.NamePattern(p.span, p.name, p.mutable), None,
                                   place))
        return out

    def bind(self, pattern: ast.Pattern, ty: T.Type, keyword: str) -> None:
        if isinstance(pattern, ast.NamePattern):
            mutable = pattern.mutable or keyword == "var"
            local = Local(ty, mutable, pattern.span, keyword)
            self.scopes[-1][pattern.name] = local
            self.lint_local(pattern.name, local, pattern.mutable)
            pattern.ty = ty
        elif isinstance(pattern, ast.TupleStructPattern):
            bind_tuple_struct(self, pattern, ty, keyword)
        elif isinstance(pattern, ast.VariantPattern) and pattern.fields is not None and \
                self._pattern_struct(pattern.path, T.strip_refs(ty)) is not None:
            # `let State { cost, node } = s;`: the fields in their order
            struct = self._pattern_struct(pattern.path, T.strip_refs(ty))
            items = self._struct_items(pattern, struct)
            if items is not None:
                fields = ast.TupleStructPattern(pattern.span, items, pattern.path[-1])
                for item, field_type in zip(items, self.structs[struct].values()):
                    self.bind(item, field_type, keyword)
                items[:] = [getattr(i, "fields_pattern", i) for i in items]
                fields.ty = pattern.ty = T.strip_refs(ty)
                pattern.fields_pattern = fields
        elif isinstance(pattern, ast.TuplePattern) and isinstance(ty, T.NeverT):
            # the value has an error already: bind the names without more
            for p in pattern.items:
                self.bind(p, ty, keyword)
            pattern.ty = ty
        elif isinstance(pattern, ast.TuplePattern):
            rests = [i for i, item in enumerate(pattern.items)
                     if isinstance(item, ast.RestPattern)]
            if len(rests) == 1 and isinstance(ty, T.TupleT) and \
                    len(pattern.items) - 1 <= len(ty.items):
                # `let (first, ..) = t;`: the `..` stands for the items left out
                fill = [ast.WildPattern(pattern.span)
                        for _ in range(len(ty.items) - len(pattern.items) + 1)]
                pattern.items[rests[0]:rests[0] + 1] = fill
            if not isinstance(ty, T.TupleT) or len(ty.items) != len(pattern.items):
                self.rep.error(f"mismatched types: expected a tuple of "
                               f"{len(pattern.items)}, found `{ty}`", pattern.span, code="SX0301")
                return
            for p, t in zip(pattern.items, ty.items):
                self.bind(p, t, keyword)
            # `(i, Point { x, .. })`: the struct pattern as the fields it binds
            pattern.items = [getattr(p, "fields_pattern", p) for p in pattern.items]
            pattern.ty = ty
        else:
            pattern.ty = ty

    # ------------------------------------------------------------ statements

    def block(self, block: ast.Block, expected: T.Type | None = None) -> ast.Block:
        self.scopes.append({})
        stmts = []
        for i, stmt in enumerate(block.stmts):
            if isinstance(stmt, ast.Let) and not isinstance(stmt.pattern, ast.SlicePattern):
                # `let (a, [b, c]) = t;` binds the array first. The `let [b, c]`
                # statements go right after it, so this loop checks them next.
                lifted = _lift_slice_patterns(stmt.pattern)
                if lifted:
                    block.stmts[i + 1:i + 1] = lifted
            if isinstance(stmt, ast.Let) and isinstance(stmt.pattern, ast.SlicePattern):
                for part in self.slice_let(stmt):
                    out = self.stmt(part)
                    if out is not None:
                        stmts.append(out)
                continue
            fields = self.fields_through_mut(stmt) or self.tuple_items_by_ref(stmt) \
                if isinstance(stmt, ast.Let) else None
            if fields is not None:
                # `let Rec { name, hits } = r;` with `r: &mut Rec` binds `&mut` fields
                block.stmts[i + 1:i + 1] = fields[1:]
                stmt = fields[0]
            if isinstance(stmt, ast.Let) and stmt.type is None:
                if block is getattr(self, "fn_body", None):
                    self.guess_returned_vec(stmt, block, i)
                if stmt.type is None:
                    self.guess_generic_new(stmt, block.stmts[i + 1:])
            out = self.stmt(stmt)
            if out is not None:
                stmts.append(out)
        block.stmts = stmts
        if block.tail is not None:
            block.tail = self.expr(block.tail, expected)
            block.ty = block.tail.ty
        else:
            block.ty = T.NEVER if self.diverges(block) else T.UNIT
        self.scopes.pop()
        return block

    def slice_let(self, stmt: ast.Let) -> list[ast.Stmt]:
        """Return `let [a, b, ..] = e;` as `let s = e; let a = s[0]; let b = s[1];`."""
        from sxc.slice_patterns import SliceMatch

        if stmt.init is None:
            self.rep.error("a slice pattern needs a value: `let [a, b] = array;`",
                           stmt.pattern.span, code="SX0801")
            return []
        declared = self.resolve_type(stmt.type) if stmt.type is not None else None
        init = self.coerce(self.expr(stmt.init, declared), declared)
        seq = T.strip_refs(init.ty)
        if isinstance(seq, T.NeverT):
            return []
        match = ast.Match(stmt.span, init, [])
        if not isinstance(seq, (T.ArrayT, T.SliceT, T.VecT)):
            self.rep.error(f"mismatched types: expected `{init.ty}`, found a slice pattern",
                           stmt.pattern.span, help="slice patterns match arrays, slices "
                           "and `Vec`s", code="SX0301")
            return []
        rewrite = SliceMatch(self, match, seq)
        parts = rewrite.arm_parts(stmt.pattern)
        if parts is None:
            return []
        tests, binds, _covers = parts
        if tests:
            self.rep.error("refutable pattern in local binding", stmt.pattern.span,
                           help="a `let` pattern must match every value: use `if let` or "
                                "`match`" + ("" if isinstance(seq, T.ArrayT) else
                                             ", or an array of a fixed length"),
                           code="SX0501")
            return []
        init.checked = True
        head = ast.Let(stmt.span, ast.NamePattern(stmt.span, rewrite.local), None, init)
        from sxc.slice_patterns import _lets
        return [head] + _lets(stmt.span, binds)

    def stmt(self, stmt: ast.Stmt) -> ast.Stmt | None:
        if isinstance(stmt, ast.Let):
            return self.let(stmt)
        if isinstance(stmt, ast.ExprStmt):
            stmt.expr = self.expr(stmt.expr, None)
            return stmt
        if isinstance(stmt, ast.Assign):
            return self.assign(stmt)
        if isinstance(stmt, ast.ItemStmt):
            self.rep.error("sxc does not support items inside functions yet", stmt.span,
                           help="move the item to the top level of the file", code="SX0801")
            return None
        return stmt

    def let(self, stmt: ast.Let) -> ast.Let:
        if _option_of_holes(stmt.type) and stmt.init is not None and \
                not (isinstance(stmt.init, ast.MethodCall) and stmt.init.method == "collect"):
            # `let o: Option<_> = v.iter().position(f);` tells no more than the value does
            stmt.type = None
        if _partial_result_type(stmt.type) and stmt.init is not None:
            return self.partial_result_let(stmt)
        if _hole_collection_type(stmt.type) and isinstance(stmt.init, ast.MethodCall) and \
                stmt.init.method == "collect" and not stmt.init.type_args:
            # `let s: HashSet<_> = it.collect();` is `it.collect::<HashSet<_>>()`
            stmt.init.type_args = [stmt.type]
            stmt.type = None
        if _hole_vec_type(stmt.type) and stmt.init is not None:
            # `let v: Vec<_> = ...;` is checked as `let v = ...;`, and `.collect()` as
            # `.collect::<Vec<_>>()`
            if isinstance(stmt.init, ast.MethodCall) and stmt.init.method == "collect" \
                    and not stmt.init.type_args:
                stmt.init.type_args = [stmt.type]
            hole, stmt.type = stmt.type, None
            checked = self.let(stmt)
            if not isinstance(T.prune(checked.ty), (T.VecT, T.NeverT)):
                self.rep.error(f"mismatched types: expected `Vec<_>`, found `{checked.ty}`",
                               hole.span, code="SX0301")
            return checked
        declared = self.resolve_type(stmt.type) if stmt.type is not None else None
        if isinstance(declared, T.VecT) and isinstance(stmt.init, ast.MethodCall) and \
                stmt.init.method == "collect":
            # `let e: Vec<(&K, &V)> = map.iter().collect();` collects the items as
            # values, as sxc's chains pass them
            declared = T.VecT(_item_values(declared.elem))
        if (self.original_style and isinstance(stmt.init, ast.Closure)
                and declared is not None and T.is_int(declared)):
            # the original toolchain types a variable that stores a lambda as `i64`
            self.rep.warning(f"a closure is not an `{declared}`: sxc ignores this type",
                             stmt.type.span, help="leave the type out", code="SXW008")
            declared = None
        if stmt.init is None and isinstance(stmt.pattern, ast.NamePattern):
            return self.deferred_let(stmt, declared)
        if stmt.init is None:
            if declared is None:
                self.rep.error("a `let` without a value needs a type annotation",
                               stmt.span, code="SX0304")
                declared = T.UNIT
            self.bind(stmt.pattern, declared, stmt.keyword)
            stmt.ty = declared
            return stmt
        init = self.expr(stmt.init, declared)
        if declared is not None:
            init = self.coerce(init, declared)
            ty = declared
        else:
            ty = init.ty
            if isinstance(stmt.pattern, ast.TuplePattern) and \
                    isinstance(T.strip_refs(ty), T.TupleT) and \
                    (not _mutable_ref(ty) or getattr(stmt, "read_only", False)):
                # `let (a, b) = &pair;`, as in `v.retain(|(a, b)| ..)`: bind copies
                # of the items, as sxc's chains pass items by value
                while isinstance(T.prune(init.ty), T.RefT):
                    deref = ast.Unary(init.span, "*", init)
                    deref.ty = T.prune(init.ty).inner
                    init = deref
                ty = init.ty
        stmt.init = init
        stmt.ty = ty
        self.bind(stmt.pattern, ty, stmt.keyword)
        if getattr(stmt.pattern, "fields_pattern", None) is not None:
            stmt.pattern = stmt.pattern.fields_pattern  # `let State { cost, node } = s;`
            while isinstance(stmt.init.ty, T.RefT):
                stmt.init = _deref(stmt.init)
            stmt.ty = stmt.init.ty
        return stmt

    def partial_result_let(self, stmt: ast.Let) -> ast.Let:
        """Check `let r: Result<f64, _> = s.parse();`, whose value decides the `_`."""
        ok_te, error_te = stmt.type.args
        ok = None if _is_hole_type(ok_te) else self.resolve_type(ok_te)
        error = None if _is_hole_type(error_te) else self.resolve_type(error_te)
        init = self.expr(stmt.init, T.ParseResultT(ok) if ok is not None else None)
        if isinstance(init.ty, T.ParseResultT):
            init = self.parse_result(init)
        args = self.result_args(init.ty)
        if not isinstance(init.ty, T.NeverT) and (
                args is None or (ok is not None and args[0] != ok)
                or (error is not None and args[1] != error)):
            shown = f"Result<{ok or '_'}, {error or '_'}>"
            self.rep.error(f"mismatched types: expected `{shown}`, found `{init.ty}`",
                           init.span, code="SX0301")
            init.ty = T.NEVER
        stmt.init = init
        stmt.ty = init.ty
        self.bind(stmt.pattern, init.ty, stmt.keyword)
        return stmt

    def deferred_let(self, stmt: ast.Let, declared: T.Type | None) -> ast.Let:
        """Check `let z;` or `let z: f64;`, which a later assignment initialises."""
        if declared is None:
            declared = T.HoleT()
            self.deferred_holes.append((declared, stmt))
        pattern = stmt.pattern
        self.bind(pattern, declared, stmt.keyword)
        key = len(self.deferred)
        mutable = pattern.mutable or stmt.keyword == "var"
        self.deferred[key] = DeferredBinding(pattern.name, mutable, stmt.span)
        self.scopes[-1][pattern.name].deferred = key
        stmt.deferred = key
        stmt.ty = declared
        return stmt

    def settle_deferred(self, body: ast.Node) -> None:
        """Report the bindings of `let z;` that no assignment gave a type."""
        if self.pending_variants:
            self.settle_variants()
            _prune_types(body)
        holes, self.deferred_holes = self.deferred_holes, []
        for hole, stmt in holes:
            if hole.bound is None:
                name = stmt.pattern.name
                self.rep.error(f"type annotations needed for `{name}`", stmt.pattern.span,
                               help=f"give `{name}` a type: `let {name}: f64;`", code="SX0304")
                hole.bound = T.UNIT
        if holes:
            _prune_types(body)

    def assign(self, stmt: ast.Assign) -> ast.Assign:
        place = stmt.target
        while isinstance(place, (ast.Field, ast.TupleField, ast.Index)):
            if isinstance(place, ast.Index):
                place.assign_target = True  # `v[i] = x` calls `index_mut` of `impl IndexMut`
            place = place.base
        self.assigning = True
        try:
            target = self.expr(stmt.target, None)
        finally:
            self.assigning = False
        stmt.target = target
        self.check_place(target, stmt.span)
        op = stmt.op
        if op == "=" and isinstance(target.ty, T.HoleT) and target.ty.bound is None \
                and not isinstance(target.ty, PartialVariantT):
            # the first assignment of `let z;` decides its type
            value = self.expr(stmt.value, None)
            if not isinstance(value.ty, T.NeverT):
                target.ty == value.ty  # binds the hole, never to itself
            stmt.value = value
            return stmt
        if op == "=":
            stmt.value = self.coerce(self.expr(stmt.value, target.ty), target.ty)
            return stmt
        binop = op[:-1]
        overloaded = self.operator_assign(stmt, target, binop)
        if overloaded is not None:
            return overloaded
        # `total += x` with `x: &f64` adds the number, as Rust's `AddAssign<&f64>` does
        value = _deref_operand(self.expr(stmt.value, target.ty))
        if isinstance(target.ty, T.DualT):
            value = self.coerce(value, T.DUAL)
        elif binop in ("<<", ">>") and T.is_int(target.ty) and T.is_int(value.ty):
            pass
        else:
            value = self.coerce(value, target.ty)
        if not T.is_numeric(target.ty) and not (isinstance(target.ty, T.BoolT)
                                                 and binop in "&|^") and \
                not (isinstance(target.ty, T.StrT) and binop == "+") and \
                not isinstance(target.ty, T.NeverT):  # an error reported already
            self.rep.error(f"cannot apply `{op}` to a value of type `{target.ty}`",
                           stmt.span, code="SX0305")
        stmt.value = value
        return stmt

    def check_place(self, target: ast.Expr, span: Span) -> None:
        self.note_mutation(target)
        if isinstance(getattr(target, "ty", None), T.NeverT):
            return  # the place has an error reported already
        root = target
        through_ref = False
        while isinstance(root, (ast.Field, ast.Index, ast.TupleField, ast.Unary)):
            if isinstance(root, ast.Unary) and root.op != "*":
                break
            base = root.operand if isinstance(root, ast.Unary) else root.base
            if isinstance(base.ty, (T.RefT, T.SliceT)):
                through_ref = through_ref or getattr(base.ty, "mutable", True)
                if isinstance(base.ty, T.RefT) and not base.ty.mutable:
                    self.rep.error("cannot assign through a `&` reference", span,
                                   help="take `&mut` instead", code="SX0402")
                    return
            root = base
        if not isinstance(root, ast.Path) or len(root.segments) != 1:
            through_call = through_ref and isinstance(root, (ast.Call, ast.MethodCall))
            if not isinstance(root, (ast.Field, ast.Index)) and not through_call:
                self.rep.error("invalid left-hand side of assignment", target.span, code="SX0404")
            return
        local = self.lookup(root.segments[0])
        if local is None:
            return
        if local.deferred is not None and root is target:
            return  # whether `let z;` is assigned twice depends on the control flow
        if not local.mutable and not through_ref and not isinstance(local.ty, T.SliceT):
            name = root.segments[0]
            if self.original_style:
                self.rep.warning(f"assigning to `{name}`, which is not declared mutable",
                                 span, help=f"declare it with `var {name}`", code="SXW002")
                return
            self.rep.error(f"cannot assign to `{name}`, which is not mutable", span,
                           help=f"declare it with `let mut {name}` or `var {name}`", code="SX0401")

    # ------------------------------------------------------------ coercion

    def coerce(self, e: ast.Expr, target: T.Type | None) -> ast.Expr:
        """Return `e` converted to `target`, or report a mismatch."""
        if target is None or e.ty is None:
            return e
        src = e.ty
        if isinstance(target, T.FnT) and self.is_closure(src):
            return self.closure_to_fn(e, target)
        if src == target or isinstance(src, (T.NeverT,)) or isinstance(target, T.NeverT):
            return e
        if isinstance(src, T.ParseResultT) and self.result_args(target) is not None:
            return self.coerce(self.parse_result(e), target)
        boxed = self.trait_object(e, target)
        if boxed is not None:
            return boxed
        if T.same_int_repr(src, target) and (isinstance(e, ast.IntLit)):
            e.ty = target
            return e
        if isinstance(target, T.DualT) and T.is_numeric(src):
            return self.promote(e)
        if isinstance(e, ast.IntLit) and e.suffix is None:
            if T.is_int(target):
                e.ty = target
                return e
            if T.is_float(target):
                lit = ast.FloatLit(e.span, float(e.value), None, str(e.value))
                lit.ty = target
                return lit
        if isinstance(e, ast.FloatLit) and e.suffix is None and T.is_float(target):
            e.ty = target
            return e
        if isinstance(target, T.SliceT):
            inner = src.inner if isinstance(src, T.RefT) else src
            if isinstance(inner, (T.VecT, T.ArrayT, T.SliceT)) and inner.elem == target.elem:
                e.ty = target if isinstance(src, T.SliceT) else e.ty
                conv = ast.Call(e.span, ast.Path(e.span, ["__as_slice"]), [e])
                conv.target = ("builtin", "as_slice")
                conv.ty = target
                return conv
        if isinstance(target, T.BoxT) or isinstance(src, T.BoxT) and \
                not isinstance(target, T.RefT):
            self.mismatch(e, target)
            return e
        if isinstance(target, T.RefT) and isinstance(src, T.RefT):
            coerced = _deref_coercion(e, target)
            if coerced is not None:
                return coerced
        if isinstance(target, T.RefT) and isinstance(src, T.RefT) and \
                src.inner == target.inner and (src.mutable or not target.mutable):
            return e
        if isinstance(target, T.StrT) and isinstance(src, T.StrT):
            return e
        if isinstance(src, T.RefT) and not isinstance(src, T.BoxT) and \
                isinstance(target, (T.IntT, T.FloatT, T.BoolT)) and \
                isinstance(T.strip_refs(src), (T.IntT, T.FloatT, T.BoolT)) and \
                T.strip_refs(src) == target:
            # `opt.unwrap_or(&0)`: the items of sxc's iterators and `Option`s are
            # values where Rust has `&T`, so the reference reads as the value
            while isinstance(e.ty, T.RefT):
                e = _deref(e)
            return e
        if isinstance(src, T.RefT) and not src.mutable and not isinstance(src, T.BoxT) and \
                isinstance(target, (T.StructT, T.EnumT, T.TupleT, T.ArrayT)) and \
                src.inner == target and self.expecting_payload:
            return _deref(e)  # `Some(&item)` of an `Option<&T>`, which is an `Option<T>`
        if isinstance(target, T.RefT) and isinstance(src, T.RefT) and \
                not isinstance(src, T.BoxT) and isinstance(src.inner, T.RefT) and \
                not isinstance(src.inner, T.BoxT) and src.inner.inner == target.inner:
            return _deref(e)  # `v.contains(c)` with `c: &char` bound by a pattern
        if isinstance(target, T.StrT) and isinstance(src, T.RefT) and \
                isinstance(T.strip_refs(src), T.StrT):
            return _deref_operand(e)  # `&mut String` where a `&str` is expected
        self.mismatch(e, target)
        return e

    def set_operator(self, e: ast.Binary, expected) -> ast.Expr | None:
        """Check `&a | &b` (or `&`, `-`, `^`) on two sets as the new set that Rust's
        operator returns, `a.union(&b).cloned().collect()`; None for other operands."""
        left = e.left.operand if isinstance(e.left, ast.Ref) else e.left
        if not isinstance(left, (ast.Path, ast.Field)):
            return None
        probed = self.probe_type(left)
        if self.collection_kind(probed) != "set":
            return None
        ty = T.strip_refs(T.prune(probed))
        right = e.right if isinstance(e.right, ast.Ref) else ast.Ref(e.right.span, e.right, False)
        span = e.span
        combined = ast.MethodCall(span, left, SET_OPERATORS[e.op], [right], [], e.op_span)
        items = ast.MethodCall(span, combined, "cloned", [], [], e.op_span)
        return self.expr(ast.MethodCall(span, items, "collect", [], [], e.op_span), ty)

    def trait_object(self, e: ast.Expr, target: T.Type) -> ast.Expr | None:
        """Return `e` as the trait object `target` (`dyn Shape` or `Box<dyn Shape>`),
        or None when `target` is no trait object or `e`'s type does not implement
        its trait.

        A trait object is an enum with a variant per type (`sxc.trait_objects`):
        the value becomes that variant, and a `Box<Circle>` a box of it."""
        src = T.prune(e.ty)
        if isinstance(target, T.BoxT) and _dyn_enum(target.inner) and \
                not isinstance(src, T.BoxT) and src != target.inner:
            # an error value as a `Box<dyn Error>`, as `?` and `e.into()` convert it
            inner = self.trait_object(e, target.inner)
            if inner is None:
                return None
            call = ast.Call(e.span, ast.Path(e.span, ["Box", "new"]), [inner])
            return self._builtin(call, "Box::new", T.boxed(target.inner))
        if isinstance(target, T.BoxT) and isinstance(src, T.BoxT) and \
                _dyn_enum(target.inner) and src.inner != target.inner:
            inner = self.trait_object(_deref(e), target.inner)
            if inner is None:
                return None
            call = ast.Call(e.span, ast.Path(e.span, ["Box", "new"]), [inner])
            return self._builtin(call, "Box::new", T.boxed(target.inner))
        if isinstance(target, T.RefT) and not isinstance(target, T.BoxT) and \
                not target.mutable and _dyn_enum(target.inner) and \
                isinstance(src, T.RefT) and not isinstance(src, T.BoxT) and \
                src.inner != target.inner:
            # `&circle` as a `&dyn Shape`: a reference to a copy of the value in the
            # variant, which the reference cannot change.  The copy is on the heap,
            # because the reference may outlive the statement (`return &self.c`).
            inner = self.trait_object(_deref(e), target.inner)
            if inner is None:
                return None
            box = ast.Call(e.span, ast.Path(e.span, ["Box", "new"]), [inner])
            box = self._builtin(box, "Box::new", T.boxed(target.inner))
            borrow = ast.Ref(e.span, _deref(box), False)
            borrow.ty = target
            return borrow
        if not _dyn_enum(target):
            return None
        edef = self.program.enums.get(target.enum)
        if isinstance(src, T.RefT) and not isinstance(src, T.BoxT) and \
                not isinstance(T.strip_refs(src), T.StrT):
            # `Some(&self.c)` as an `Option<&dyn Shape>`, whose payload sxc keeps as a
            # value: a copy in the variant
            while isinstance(e.ty, T.RefT) and not isinstance(e.ty, T.BoxT):
                e = _deref(e)
            src = T.prune(e.ty)
        if isinstance(T.strip_refs(src), T.StrT):
            # a message as a `dyn Error`: `Err("bad input".into())`
            e.checked = True
            text = ast.MethodCall(e.span, e, "to_string", [], [], e.span)
            src, e = T.STRING, self.expr(text, T.STRING)
        for variant in getattr(edef, "kinds", ()):
            fields = edef.fields[variant]
            if len(fields) == 1 and fields[0][1] == src:
                lit = ast.VariantLit(e.span, target.enum, variant, [e])
                lit.ty = target
                return lit
        return None

    def trait_object_mismatch(self, e: ast.Expr, target: T.Type) -> bool:
        """Report a value that cannot become the trait object `target`, as rustc
        does; return False when the generic message fits better."""
        src, want = T.prune(e.ty), target
        while isinstance(src, T.RefT) and isinstance(want, T.RefT) and \
                isinstance(src, T.BoxT) == isinstance(want, T.BoxT):
            if isinstance(want, T.RefT) and not isinstance(want, T.BoxT) and want.mutable:
                self.rep.error(f"mismatched types: expected `{target}`, found `{e.ty}`", e.span,
                               help=f"sxc takes `{target}` only as the type of a function's "
                                    "parameter; call the method on the value itself, or keep "
                                    f"it in a `Box<{want.inner}>`", code="SX0301")
                return True
            src, want = T.prune(src.inner), want.inner
        if not _dyn_enum(want) or not isinstance(src, (T.StructT, T.EnumT, T.IntT, T.FloatT)):
            return False
        trait = want.enum.rpartition("::")[2][len("__dyn_"):]
        self.rep.error(f"the trait bound `{src}: {trait}` is not satisfied", e.span,
                       help=f"add `impl {trait} for {src}`", code="SX0311")
        return True

    def mismatch(self, e: ast.Expr, target: T.Type) -> None:
        src = e.ty
        if T.contains_never(src) or T.contains_never(target):
            return  # `(u64, !)` comes from an error reported already
        help_text = None
        if _holds_trait_object(target) and self.trait_object_mismatch(e, target):
            return
        if T.is_numeric(src) and T.is_numeric(target) and not isinstance(src, T.DualT):
            help_text = f"convert with `as`: `{_snippet_text(e)} as {target}`"
        elif isinstance(src, T.DualT) and isinstance(target, T.FloatT):
            help_text = "take the value of the dual with `.val`"
        elif T.is_char(target) and T.is_int(src):
            help_text = "write a character literal such as `'a'`, or cast a `u8` with `as char`"
        elif T.is_char(src) and target == T.U8 and isinstance(e, ast.IntLit):
            help_text = f"write a byte literal: `b{_snippet_text(e)}`"
        elif T.is_char(src) and T.is_int(target):
            help_text = f"convert with `as`: `{_snippet_text(e)} as {target}`"
        elif isinstance(target, T.BoxT) and src == target.inner:
            help_text = f"store it in a box: `Box::new({_snippet_text(e)})`"
        elif isinstance(target, T.RefT) and src == target.inner:
            help_text = f"borrow it with `&{'mut ' if target.mutable else ''}`"
        self.rep.error(f"mismatched types: expected `{target}`, found `{src}`", e.span,
                       help=help_text, code="SX0301")

    def promote(self, e: ast.Expr) -> ast.Expr:
        """Wrap a plain number as `dual::constant(e as f64)`."""
        if isinstance(e.ty, T.FloatVar):
            # an unsuffixed float literal, which nothing else may decide any more
            e.ty.bind(T.F64)
        if isinstance(e, ast.IntLit):
            inner: ast.Expr = ast.FloatLit(e.span, float(e.value))
            inner.ty = T.F64
        elif isinstance(e.ty, T.FloatT) and e.ty.bits == 64:
            inner = e
        elif isinstance(e, ast.FloatLit):
            e.ty = T.F64
            inner = e
        else:
            inner = ast.Cast(e.span, e, ast.NamedType(e.span, ["f64"]))
            inner.ty = T.F64
        call = ast.Call(e.span, ast.Path(e.span, ["dual", "constant"]), [inner])
        call.target = ("builtin", "dual::constant")
        call.ty = T.DUAL
        return call

    # ------------------------------------------------------------ expressions

    def expr(self, e: ast.Expr, expected: T.Type | None) -> ast.Expr:
        if getattr(e, "checked", False):
            return e  # an operand checked already, inside a node built from it
        method = getattr(self, "e_" + type(e).__name__, None)
        if method is None:
            self.rep.error(f"sxc does not support this expression yet", e.span, code="SX0801")
            e.ty = T.UNIT
            return e
        out = method(e, expected)
        if out.ty is None:
            out.ty = T.UNIT
        return out

    def e_IntLit(self, e: ast.IntLit, expected):
        if e.suffix:
            e.ty = T.PRIMITIVES[e.suffix]
        elif expected is not None and T.is_int(expected):
            e.ty = expected
        else:
            e.ty = T.IntVar()
        return e

    def e_FloatLit(self, e: ast.FloatLit, expected):
        if e.suffix:
            e.ty = T.PRIMITIVES[e.suffix]
        elif isinstance(expected, T.FloatT):
            e.ty = expected
        else:
            # a later use decides between `f32` and `f64`, as in Rust
            e.ty = T.FloatVar()
        return e

    def e_StrLit(self, e, expected):
        e.ty = T.STR
        problem = getattr(e, "escape_error", None)
        if problem is not None:
            message, span = problem
            if self.original_style:
                self.rep.warning(f"{message}, read as the character after the backslash",
                                 span, help="write `\\\\` for a backslash", code="SXW009")
            else:
                self.rep.error(message, span, help="write `\\\\` for a backslash", code="SX0109")
        return e

    def e_BoolLit(self, e, expected):
        e.ty = T.BOOL
        return e

    def e_UnitLit(self, e, expected):
        e.ty = T.UNIT
        return e

    def e_Path(self, e: ast.Path, expected):
        segs = e.segments
        if len(segs) == 1:
            name = segs[0]
            local = self.lookup(name)
            if local is not None:
                e.ty = T.NEVER if self.check_pending_use(name, local.ty, e.span, expected) \
                    else local.ty
                e.target = ("local", name)
                if local.deferred is not None:
                    e.deferred = local.deferred
                self.mark_capture(e)
                return e
        made = self.variant_constructor(e, segs, [], "unit", expected)
        if made is not None:
            return made
        if len(segs) == 1:
            if name in self.fn_templates:
                return self.generic_fn_value(e, expected)
            if name in self.structs and not self.structs[name] and name not in self.sigs:
                # a unit struct (`struct Marker;`) is its own value
                lit = ast.StructLit(e.span, name, [], e.span)
                lit.ty = T.StructT(name)
                return lit
            if name in self.consts:
                e.ty = self.consts[name]
                e.target = ("const", name)
                return e
            if name in self.sigs:
                sig = self.sigs[name]
                e.ty = T.FnT(tuple(sig.params), sig.ret)
                e.target = ("fn", name)
                return e
            canonical = N.const_path(self.std_import(segs))
            if canonical is not None:
                e.ty = N.const_value(canonical)[0]
                e.target = ("num_const", canonical)
                return e
            if self.variant_value(e) is not None:
                return e
            self.rep.error(f"cannot find value `{name}` in this scope", e.span,
                           help=self.similar_value(name), code="SX0201")
            e.ty = T.NEVER
            return e
        canonical = N.const_path(self.std_import(segs))
        if canonical is not None:
            e.ty = N.const_value(canonical)[0]
            e.target = ("num_const", canonical)
            return e
        if len(segs) == 2 and self.type_param_owner(segs[0]) is not None:
            segs = e.segments = [self.type_param_owner(segs[0]), segs[1]]
        owner, item = segs[-2], segs[-1]
        if self.variant_value(e) is not None:
            return e
        const_key = f"{self.self_struct if owner == 'Self' else owner}::{item}"
        if len(segs) == 2 and const_key in self.consts:
            e.ty = self.consts[const_key]
            e.target = ("const", const_key)
            return e
        key = f"{owner}::{item}"
        if key in self.sigs:
            sig = self.sigs[key]
            params = ([sig.self_type] if sig.self_type else []) + sig.params
            e.ty = T.FnT(tuple(params), sig.ret)
            e.target = ("fn", key)
            return e
        method = self.number_method_value(e)
        if method is not None:
            return method
        self.rep.error(f"cannot find `{'::'.join(segs)}` in this scope", e.span, code="SX0201")
        e.ty = T.NEVER
        return e

    def number_method_value(self, e: ast.Path) -> ast.Expr | None:
        """Check a number type's method named as a function value, such as `f64::sin`.

        The method becomes a function of its own on first use,
        `fn __fn_f64_sin(x: f64) -> f64 { x.sin() }`, and the path names it.
        """
        segs = e.segments
        owner = T.PRIMITIVES.get(segs[0]) if len(segs) == 2 else None
        if not isinstance(owner, (T.IntT, T.FloatT, T.DualT)):
            return None
        signature = number_method_signature(owner, segs[1])
        if segs[1] in CALL_ONLY_NUMBER_FUNCTIONS:
            self.rep.error(f"sxc supports `{owner}::{segs[1]}` only in a call, not as a "
                           "function value", e.span,
                           help="call it inside a closure instead", code="SX0801")
            e.ty = T.NEVER
            return e
        if signature is None:
            kinds = INT_METHODS.get(segs[1], ((), "", "any"))[2]
            help_text = f"`{segs[1]}` exists only for {kinds} integer types" \
                if isinstance(owner, T.IntT) and kinds != "any" else None
            self.rep.error(f"no function or associated item named `{segs[1]}` found for "
                           f"type `{owner}`", e.span, help=help_text, code="SX0209")
            e.ty = T.NEVER
            return e
        params, ret = signature
        path = "::".join(segs)
        key = self.method_values.get(path)
        if key is None:
            key = self._unique(f"__fn_{segs[0]}_{segs[1]}", self.program.functions)
            fn = _method_value_fn(e.span, key, owner, segs[1], params, ret)
            self.method_values[path] = key
            self.sigs[key] = fn.sig
            self.program.functions[key] = fn
            self.instances.append(Instance(key, fn, {}, e.span, path, self.instance_depth))
        e.segments, e.type_args = [key], []
        e.target = ("fn", key)
        e.ty = T.FnT(tuple([owner] + params), ret)
        return e

    def std_import(self, segs: list[str]) -> list[str]:
        """Return `segs` with a leading name imported from `std` replaced by its path."""
        imported = self.program.std_imports.get(segs[0])
        return imported + segs[1:] if imported is not None else segs

    def e_Unary(self, e: ast.Unary, expected):
        if e.op == "*":
            e.operand = self.expr(e.operand, None)
            t = e.operand.ty
            # `*x` of a plain value is the value itself, so loops over `&v`
            # that bind elements by value accept Rust's `*x` as well
            e.ty = t.inner if isinstance(t, T.RefT) else t
            return e
        e.operand = self.expr(e.operand, expected)
        t = e.operand.ty
        base = T.strip_refs(t)
        if isinstance(t, T.RefT) and not isinstance(t, T.BoxT) and \
                not isinstance(t.inner, T.RefT) and (T.is_numeric(base)
                                                     or isinstance(base, T.BoolT)):
            # `-x` and `!x` of a `&i32` or `&bool` apply to the value, as Rust's
            # impls for one level of reference do.
            e.operand = ast.Unary(e.operand.span, "*", e.operand)
            e.operand.ty = t = base
        method = {"-": "neg", "!": "not"}.get(e.op)
        if method is not None and isinstance(base, (T.StructT, T.EnumT)):
            # a copy of a generic struct gets the methods of its impls on first use
            self.ensure_method(base.name(), method)
        if method is not None and isinstance(base, (T.StructT, T.EnumT)) and \
                f"{base.name()}::{method}" in self.sigs:
            # `-a` on a type with `impl Neg` is `a.neg()`, and `!a` with `impl Not` `a.not()`
            e.operand.checked = True
            return self.expr(ast.MethodCall(e.span, e.operand, method, [], [], e.span), expected)
        if e.op in ("-", "!") and T.is_char(t):
            self.rep.error(f"cannot apply unary operator `{e.op}` to type `char`", e.span,
                           code="SX0305")
        elif e.op == "-":
            # a negated literal is checked once its type is known (check_literals)
            if isinstance(t, T.IntT) and not t.signed and not isinstance(e.operand, ast.IntLit):
                self.rep.error(f"cannot apply unary operator `-` to type `{t}`", e.span,
                               help="unsigned values cannot be negative; `x.wrapping_neg()` "
                                    "computes the two's complement", code="SX0702")
            elif not T.is_numeric(t) and not isinstance(t, T.NeverT):
                self.rep.error(f"cannot negate a value of type `{t}`", e.span, code="SX0305")
        elif e.op == "!":
            if not isinstance(t, (T.BoolT, T.IntT, T.NeverT)):
                self.rep.error(f"cannot apply `!` to a value of type `{t}`", e.span, code="SX0305")
        e.ty = t
        return e

    def e_Ref(self, e: ast.Ref, expected):
        if self.eq_operand and not e.mutable and expected is not None and \
                T.is_scalar_value(expected):
            # `it.peek() == Some(&x)`: sxc reads the items of `iter()` as values,
            # where Rust has references, so the `&` that Rust's types need drops out
            return self.expr(e.operand, expected)
        inner_expected = None
        if isinstance(expected, T.RefT):
            inner_expected = expected.inner
        elif isinstance(expected, T.SliceT):
            # `&[a, b]` where a slice is expected: the items take its element type
            inner_expected = T.ArrayT(expected.elem, 0)
        e.operand = self.expr(e.operand, inner_expected)
        if e.mutable:
            self.mark_mutated(e.operand)
        t = e.operand.ty
        if isinstance(t, T.SliceT) and e.mutable and _is_range_slice(e.operand):
            self.check_place(e.operand, e.span)
            e.ty = e.operand.ty = T.SliceT(t.elem, True)
            return e
        if isinstance(t, T.SliceT) or isinstance(t, T.StrT) and not e.mutable:
            e.ty = t
            return e
        if isinstance(expected, T.SliceT) and isinstance(t, (T.VecT, T.ArrayT)):
            e.ty = T.RefT(t, e.mutable)
            return self.coerce(e, expected)
        e.ty = T.RefT(t, e.mutable)
        # `&mut Vec::new()` borrows a temporary, as in Rust, so only a place is checked
        if e.mutable and isinstance(e.operand, (ast.Path, ast.Field, ast.Index,
                                                ast.TupleField, ast.Unary)):
            self.check_place(e.operand, e.span)
        return e

    def number_method_owner(self, base: T.Type, name: str) -> str | None:
        """Return the number type whose `impl Trait for i32` (say) has method `name`
        for a receiver of type `base`; an unsuffixed literal takes the type that has it."""
        base = T.prune(base)
        if not isinstance(base, (T.IntT, T.FloatT, T.BoolT)) or T.is_char(base):
            return None
        if isinstance(base, T.FloatVar) and base.root().bound is None:
            owners = ["f64", "f32"]
        elif isinstance(base, T.IntVar) and base.root().bound is None:
            owners = ["i64", "i32", "u64", "usize", "u32", "i16", "u16", "i8", "u8", "isize"]
        else:
            owners = [str(base)]
        for owner in owners:
            sig = self.sigs.get(f"{owner}::{name}")
            if sig is not None and sig.self_kind is not None:
                return owner
        return None

    def number_operator_owner(self, left: T.Type, right: T.Type, e: ast.Binary) -> str | None:
        """Return the number type whose `impl Mul<V> for f64` (or another operator trait)
        takes `e`'s right operand of the program's type `right`, else None."""
        left = T.prune(left)
        if not isinstance(T.strip_refs(T.prune(right)), (T.StructT, T.EnumT)) or \
                not (T.is_numeric(left) and not isinstance(left, T.DualT)):
            return None
        method = ARITHMETIC_METHODS[e.op]
        if isinstance(left, T.FloatVar) and left.root().bound is None:
            owners = ["f64", "f32"]
        elif isinstance(left, T.IntVar) and left.root().bound is None:
            owners = ["i64", "i32", "u64", "usize", "u32", "i16", "u16", "i8", "u8"]
        else:
            owners = [str(left)]
        for owner in owners:
            if self.operator_methods(owner, method) and \
                    self.operator_method(owner, method, e.right) is not None:
                return owner
        return None

    def numeric_pair(self, e: ast.Binary, expected) -> T.Type | None:
        """Check both operands of an arithmetic or comparison operator."""
        saved = self.eq_operand
        self.eq_operand = e.op in ("==", "!=")
        try:
            return self._numeric_pair(e, expected)
        finally:
            self.eq_operand = saved

    def _numeric_pair(self, e: ast.Binary, expected) -> T.Type | None:
        left_lit = _is_literal(e.left)
        if left_lit and not _is_literal(e.right):
            e.right = self.expr(e.right, expected)
            e.left = self.expr(e.left, e.right.ty)
        else:
            e.left = self.expr(e.left, expected)
            e.left = _deref_operand(e.left)
            e.right = self.expr(e.right, e.left.ty)
        e.left, e.right = _deref_operand(e.left), _deref_operand(e.right)
        lt, rt = e.left.ty, e.right.ty
        if isinstance(lt, T.NeverT) or isinstance(rt, T.NeverT):
            return None
        if self.settle_parse_hole(lt) or self.settle_parse_hole(rt):
            return None
        if (T.is_char(lt) or T.is_char(rt)) and e.op not in COMPARISONS + ("..",):
            self.char_arithmetic(e, lt, rt)
            return None
        if isinstance(lt, T.DualT) or isinstance(rt, T.DualT):
            if T.is_numeric(lt) and T.is_numeric(rt):
                e.left = self.coerce(e.left, T.DUAL)
                e.right = self.coerce(e.right, T.DUAL)
                return T.DUAL
        if lt == rt:
            return lt
        if e.op in COMPARISONS and T.strip_refs(lt) == T.strip_refs(rt) and isinstance(
                T.strip_refs(lt), (T.StructT, T.EnumT, T.TupleT, T.VecT, T.ArrayT)):
            # `x == &P(2)` with `x: &P` compares the values, as Rust's impls for
            # references do
            while isinstance(e.left.ty, T.RefT) and not isinstance(e.left.ty, T.BoxT):
                e.left = _deref(e.left)
            while isinstance(e.right.ty, T.RefT) and not isinstance(e.right.ty, T.BoxT):
                e.right = _deref(e.right)
            if e.left.ty == e.right.ty:
                return e.left.ty
        if e.op in ARITHMETIC_METHODS and isinstance(T.strip_refs(lt), T.StructT) \
                and self.operator_methods(T.strip_refs(lt).struct, ARITHMETIC_METHODS[e.op]):
            return lt  # `e_Binary` picks the impl whose right-hand side is `rt`
        if e.op in ("==", "!=") and isinstance(T.strip_refs(lt), (T.StructT, T.EnumT)) and \
                self.operator_method(T.strip_refs(lt).name(), "eq", e.right) not in (None, "eq"):
            return lt  # `impl PartialEq<(f64, f64)> for V`, picked by `aggregate_eq`
        if e.op in ARITHMETIC_METHODS and self.number_operator_owner(lt, rt, e) is not None:
            return lt  # `2.0 * v` with `impl Mul<V> for f64`, picked by `e_Binary`
        if _is_literal(e.right):
            e.right = self.coerce(e.right, lt)
            if e.right.ty == lt:
                return lt
            if T.is_char(lt):
                return None  # `coerce` reported the mismatch
        if _is_literal(e.left):
            e.left = self.coerce(e.left, rt)
            if e.left.ty == rt:
                return rt
            if T.is_char(rt):
                return None
        if e.op in COMPARISONS and T.is_int(lt) and T.is_int(rt) and lt.signed != rt.signed:
            self.rep.error(f"mismatched types: cannot compare `{lt}` with `{rt}`, which "
                           "differ in signedness", e.op_span or e.span,
                           help=_signedness_help(e, lt, rt), code="SX0301")
            return None
        help_text = None
        if T.is_numeric(lt) and T.is_numeric(rt):
            # suggest the conversion that loses nothing: integer to float
            side, ty = (e.left, rt) if T.is_int(lt) and T.is_float(rt) else (e.right, lt)
            help_text = (f"convert one side with `as`, for example "
                         f"`{_snippet_text(side)} as {ty}`")
        self.rep.error(f"mismatched types: cannot apply `{e.op}` to `{lt}` and `{rt}`",
                       e.op_span or e.span, help=help_text, code="SX0305")
        return None

    def char_arithmetic(self, e: ast.Binary, lt: T.Type, rt: T.Type) -> None:
        """Report arithmetic on a `char` with Rust's wording (E0369)."""
        def shown(t: T.Type) -> str:
            if isinstance(t, T.IntVar) and t.bound is None:
                return "{integer}"
            return "{float}" if isinstance(t, T.FloatVar) and t.bound is None else str(t)

        left, right = shown(lt), shown(rt)
        message = {
            "+": f"cannot add `{right}` to `{left}`",
            "-": f"cannot subtract `{right}` from `{left}`",
            "*": f"cannot multiply `{left}` by `{right}`",
            "/": f"cannot divide `{left}` by `{right}`",
            "%": f"cannot calculate the remainder of `{left}` divided by `{right}`",
        }.get(e.op, f"no implementation for `{left} {e.op} {right}`")
        help_text = None
        if T.is_char(lt) and e.op in ("+", "-") and not T.is_char(rt):
            help_text = (f"`char` has no arithmetic: convert to an integer and back, as in "
                         f"`({_snippet_text(e.left)} as u8 {e.op} {_snippet_text(e.right)}) "
                         "as char`")
        elif T.is_char(lt) and T.is_char(rt) and e.op == "-":
            help_text = (f"subtract the code points: `{_snippet_text(e.left)} as u32 - "
                         f"{_snippet_text(e.right)} as u32`")
        self.rep.error(message, e.op_span or e.span, help=help_text, code="SX0305")

    def e_Binary(self, e: ast.Binary, expected):
        op = e.op
        if op in SET_OPERATORS:
            combined = self.set_operator(e, expected)
            if combined is not None:
                return combined
        if op in ("&&", "||"):
            e.left = self.coerce(self.expr(e.left, T.BOOL), T.BOOL)
            e.right = self.coerce(self.expr(e.right, T.BOOL), T.BOOL)
            e.ty = T.BOOL
            return e
        if op in ("<<", ">>"):
            e.left = self.expr(e.left, expected)
            e.right = self.expr(e.right, None)
            if isinstance(e.left.ty, T.NeverT) or isinstance(e.right.ty, T.NeverT):
                pass  # an operand that failed to check has its error already
            elif not T.is_int(e.left.ty) or not T.is_int(e.right.ty):
                self.rep.error(f"cannot shift `{e.left.ty}` by `{e.right.ty}`", e.span,
                               code="SX0305")
            e.ty = e.left.ty
            return e
        comparison = op in COMPARISONS
        if op in ("==", "!="):
            self._bool_literal_operand(e)
        t = self.numeric_pair(e, None if comparison else expected)
        if t is None:
            if comparison:
                e.ty = T.BOOL
            elif expected is None:
                e.ty = T.NEVER
            else:
                e.ty = expected
            return e
        if op in ("==", "!=") and isinstance(T.strip_refs(t), T.EnumT) and \
                T.strip_refs(e.right.ty) != T.strip_refs(t):
            return self.aggregate_eq(e, T.strip_refs(t))  # `impl PartialEq<i64> for Tok`
        if comparison and self.data_enum(T.strip_refs(t)) is not None and op in ("==", "!="):
            return self.data_enum_eq(e, self.data_enum(T.strip_refs(t)))
        data = self.data_enum(T.strip_refs(t)) if comparison else None
        if data is not None and {"PartialOrd", "Ord"} & set(data.derives) and \
                not self.enum_contains_itself(data):
            return self.data_enum_order(e, data)
        if comparison and isinstance(t, T.EnumT):
            self.enum_comparison(e, t)
            e.ty = T.BOOL
            return e
        aggregate = T.strip_refs(t)
        if op in ("==", "!=") and isinstance(aggregate, (T.StructT, T.TupleT, T.ArrayT,
                                                          T.VecT, T.SliceT)):
            return self.aggregate_eq(e, aggregate)
        if comparison and isinstance(aggregate, T.TupleT) and aggregate.items:
            return self.tuple_order(e, aggregate)
        if comparison and isinstance(aggregate, (T.VecT, T.ArrayT, T.SliceT)):
            # `a < b` on sequences: `__seq_cmp(&a, &b) < 0`, Rust's lexicographic order;
            # `a > b` is `b < a`, so that unordered sides (NaN, order 2) compare false
            span = e.span
            e.left.checked = True
            e.right.checked = True
            first, second = (e.left, e.right) if op in ("<", "<=") else (e.right, e.left)
            order = ast.Call(span, ast.Path(span, ["__seq_cmp"]),
                             [_borrow_slice(first), _borrow_slice(second)])
            flipped = {">": "<", ">=": "<="}.get(op, op)
            return self.expr(ast.Binary(span, flipped, order, ast.IntLit(span, 0, "i64"),
                                        e.op_span), T.BOOL)
        if comparison and isinstance(aggregate, T.StructT) and \
                self.has_method(aggregate.struct, "partial_cmp"):
            return self.struct_order(e)
        method = ARITHMETIC_METHODS.get(op)
        owner = self.number_operator_owner(t, e.right.ty, e) if method is not None else None
        if owner is not None:
            # `2.0 * v` with `impl Mul<V> for f64` is `f64::mul__V(2.0, v)`
            chosen = self.operator_method(owner, method, e.right)
            if isinstance(T.prune(e.left.ty), T.LiteralVar):
                T.prune(e.left.ty).bind(T.PRIMITIVES[owner])
            e.left.checked = True
            e.right.checked = True
            call = ast.Call(e.span, ast.Path(e.op_span or e.span, [owner, chosen]),
                            [e.left, e.right])
            return self.expr(call, expected)
        if method is not None and isinstance(aggregate, T.StructT) and \
                self.operator_methods(aggregate.struct, method):
            # `a + b` on a struct with `impl Add` is `a.add(b)`, and with
            # `impl Add<f64>` and a `f64` on the right `a.add__f64(b)`
            chosen = self.operator_method(aggregate.struct, method, e.right)
            if chosen is None:
                self.rep.error(f"mismatched types: cannot apply `{op}` to `{e.left.ty}` and "
                               f"`{e.right.ty}`", e.op_span or e.span,
                               help=f"implement `{trait_of(method)}<{e.right.ty}>` for "
                                    f"`{aggregate}`", code="SX0305")
                e.ty = T.NEVER
                return e
            e.left.checked = True
            e.right.checked = True
            call = ast.MethodCall(e.span, e.left, chosen, [e.right], [], e.op_span)
            return self.expr(call, expected)
        if comparison:
            if not (T.is_numeric(t) or T.is_char(t) or isinstance(t, (T.BoolT, T.StrT))):
                self.rep.error(f"cannot compare values of type `{t}`", e.op_span or e.span,
                               code="SX0305")
            if isinstance(t, T.StrT) and op not in ("==", "!="):
                return self.string_order(e)
            e.ty = T.BOOL
            return e
        if op in ("&", "|", "^"):
            if not isinstance(t, (T.IntT, T.BoolT)):
                self.rep.error(f"cannot apply `{op}` to `{t}`", e.op_span or e.span, code="SX0305")
        elif not T.is_numeric(t):
            if isinstance(t, T.StrT) and op == "+":
                e.ty = T.STRING
                return e
            self.rep.error(f"cannot apply `{op}` to values of type `{t}`", e.op_span or e.span,
                           code="SX0305")
        e.ty = t
        return e

    def _bool_literal_operand(self, e: ast.Binary) -> None:
        """Read `flag == 1` and `flag != 0` on a `bool` as `flag == true` and so on.

        Programs for the original toolchain, whose booleans are the integers
        0 and 1, compare them with integer literals.  Only a literal 0 or 1
        against an operand that is visibly a `bool` (a local or a call of a
        function returning one) is rewritten; Rust rejects both forms.
        """
        for lit_side, other in (("right", e.left), ("left", e.right)):
            lit = getattr(e, lit_side)
            if (isinstance(lit, ast.IntLit) and lit.suffix is None and lit.value in (0, 1)
                    and self._is_visibly_bool(other)):
                setattr(e, lit_side, ast.BoolLit(lit.span, lit.value == 1))
                return

    def _integer_condition(self, cond: ast.Expr) -> ast.Expr:
        """Read an integer condition as `cond != 0` in a program for the original toolchain.

        Its conditions are integers tested against zero, so its programs
        write `if is_prime(n)` for a function that returns 0 or 1.
        """
        if not self.original_style or not T.is_int(cond.ty) or isinstance(cond, ast.IntLit):
            return cond
        zero = ast.IntLit(cond.span, 0)
        zero.ty = cond.ty
        test = ast.Binary(cond.span, "!=", cond, zero)
        test.ty = T.BOOL
        return test

    def _is_prelude_function(self, name: str) -> bool:
        fn = self.program.functions.get(name)
        return self.lookup(name) is None and getattr(fn, "origin", None) == "std"

    def _int_exponent_as_float(self, arg: ast.Expr) -> ast.Expr:
        """Convert an integer exponent of `pow_f64`, as the original runtime does.

        That runtime reads an exponent whose bits are an integer from 0 to 1000
        as that integer, so `pow_f64(x, n)` with an `i64` `n` is `x` to the `n`.
        """
        visibly_int = False
        if isinstance(arg, ast.Path) and len(arg.segments) == 1:
            local = self.lookup(arg.segments[0])
            visibly_int = local is not None and T.is_int(local.ty)
        elif isinstance(arg, ast.Call) and isinstance(arg.func, ast.Path):
            sig = self.sigs.get("::".join(arg.func.segments))
            visibly_int = sig is not None and T.is_int(sig.ret)
        if not visibly_int:
            return arg
        return ast.Cast(arg.span, arg, ast.NamedType(arg.span, ["f64"]))

    def _is_visibly_bool(self, e: ast.Expr) -> bool:
        if isinstance(e, ast.Path) and len(e.segments) == 1:
            local = self.lookup(e.segments[0])
            return local is not None and local.ty == T.BOOL
        if isinstance(e, ast.Call) and isinstance(e.func, ast.Path) and len(e.func.segments) == 1:
            name = e.func.segments[0]
            sig = self.sigs.get(name)
            return self.lookup(name) is None and sig is not None and sig.ret == T.BOOL
        return False

    def e_Cast(self, e: ast.Cast, expected):
        if _is_hole_type(e.target) and expected is not None and \
                T.is_numeric(T.prune(expected)) and not isinstance(T.prune(expected), T.DualT):
            # `let y: f64 = x as _;` casts to the type the context expects
            e.target = ast.ResolvedType(e.target.span, T.prune(expected))
        target = self.resolve_type(e.target)
        if _holds_trait_object(target):
            # `Box::new(circle) as Box<dyn Shape>`
            return self.coerce(self.expr(e.operand, target), target)
        # As in Rust, a literal operand of the same kind takes the target type,
        # so `300 as u8` is out of range and `0.1 as f32` rounds once. Any
        # other operand keeps its own type: `let x = 300; x as u8` is 44.
        hint = None
        if T.is_char(target) and _is_literal(e.operand) and _literal_of(e.operand, ast.IntLit):
            hint = T.U8  # as in Rust, `97 as char` reads the literal as a `u8`
        elif _is_literal(e.operand) and (
                T.is_int(target) and _literal_of(e.operand, ast.IntLit)
                or T.is_float(target) and _literal_of(e.operand, ast.FloatLit)):
            hint = target
        e.operand = self.expr(e.operand, hint)
        src = e.operand.ty
        e.ty = target
        if isinstance(src, T.DualT) and getattr(e, "dual_value", False):
            # a sort key of `total_cmp`: duals compare by value
            return self.expr(ast.Field(e.span, e.operand, "val"), target)
        if isinstance(src, T.DualT) and T.is_numeric(target):
            self.rep.error("cannot cast `dual` with `as`", e.span,
                           help="take its value with `.val`, or keep it a dual", code="SX0902")
        elif isinstance(target, T.DualT) and T.is_numeric(src):
            return self.promote(e.operand)
        elif isinstance(src, T.EnumT) and T.is_int(target) and self.data_enum(src) is not None:
            self.rep.error(f"non-primitive cast: `{src}` as `{target}`", e.span,
                           help="an enum with data has no integer value; `match` on it",
                           code="SX0306")
        elif isinstance(src, T.EnumT) and T.is_int(target):
            pass
        elif T.is_char(target) or T.is_char(src):
            self.char_cast(e, src, target)
        elif not ((T.is_numeric(src) or isinstance(src, T.BoolT)) and T.is_numeric(target)) \
                and not isinstance(src, T.NeverT) and src != target:
            self.rep.error(f"cannot cast `{src}` as `{target}`", e.span, code="SX0306")
        return e

    def char_cast(self, e: ast.Cast, src: T.Type, target: T.Type) -> None:
        """Check an `as` cast to or from `char`: `u8 as char` and `char as` any integer."""
        if src == target or isinstance(src, T.NeverT):
            return
        if T.is_char(src):
            if not T.is_int(target):
                self.rep.error(f"casting `char` as `{target}` is invalid", e.span,
                               help="cast through an integer first", code="SX0306")
            return
        if src == T.U8:
            return
        help_text = None
        if T.is_int(src):
            help_text = ("Rust converts other integers with `char::from_u32`, which returns "
                         "an `Option` that sxc does not support; cast a `u8`, or match the "
                         "value against character literals")
        self.rep.error(f"only `u8` can be cast as `char`, not `{src}`", e.span, help=help_text,
                       code="SX0306")

    # ------------------------------------------------------------ calls

    def check_args(self, args: list[ast.Expr], params: list[T.Type], span: Span,
                   what: str) -> list[ast.Expr]:
        if len(args) != len(params):
            plural = "s" if len(params) != 1 else ""
            self.rep.error(f"{what} takes {len(params)} argument{plural} but "
                           f"{len(args)} {'was' if len(args) == 1 else 'were'} supplied",
                           span, code="SX0302")
            return [self.expr(a, None) for a in args]
        return [self.coerce_arg(self.expr(a, p), p) for a, p in zip(args, params)]

    def coerce_arg(self, e: ast.Expr, target: T.Type | None) -> ast.Expr:
        """Return the argument `e` converted to the parameter type `target`.

        A local, or a field of one, passed where a `&T` of its type is expected
        is borrowed, because the items of `for x in v.iter()` and of iterator
        chains are values in sxc where Rust binds `&T`: `for a in &accounts {
        show(a) }` passes `a` to `fn show(a: &Account)`, and `d(pair.1)` a
        `&P` in a pair from `enumerate()`.  The borrow lasts for the call only.
        """
        inner = T.prune(target.inner) if isinstance(target, T.RefT) else None
        if isinstance(inner, T.LiteralVar) and not isinstance(e.ty, T.LiteralVar) and \
                isinstance(e.ty, (T.IntT, T.FloatT)) and isinstance(_field_root(e), ast.Path):
            # `f(x)` with `f: Fn(&T)`, where only a literal has decided `T` so far:
            # the local's type fixes it.
            if inner.bind(e.ty):
                inner = e.ty
        if isinstance(target, T.RefT) and not target.mutable and \
                isinstance(_field_root(e), ast.Path) and \
                getattr(_field_root(e), "target", (None,))[0] == "local" and \
                not isinstance(e.ty, (T.RefT, T.HoleT, T.NeverT)) and \
                not isinstance(inner, (T.LiteralVar, T.HoleT)) and e.ty == inner:
            # `==` binds a literal's type to the parameter's, as Rust's inference does
            borrow = ast.Ref(e.span, e, False)
            borrow.ty = T.RefT(e.ty, False)
            return borrow
        return self.coerce(e, target)

    def e_Call(self, e: ast.Call, expected):
        func = e.func
        if (isinstance(func, ast.Path) and func.segments == ["Ok"] and len(e.args) == 1
                and isinstance(expected, T.UnitT)
                and self.lookup("Ok") is None and "Ok" not in self.sigs):
            # `Ok(())` of a `fmt::Result`, which is `()` in sxc
            value = self.expr(e.args[0], T.UNIT)
            if not isinstance(value.ty, (T.UnitT, T.NeverT)):
                self.rep.error("sxc supports `Ok(..)` only as `Ok(())` of a `fmt::Result`",
                               e.span, code="SX0801")
            return value
        if isinstance(func, ast.Path) and len(func.segments) == 2 and \
                func.segments[1] == "from" and len(e.args) == 1:
            converted = self.from_call(e, func, expected)
            if converted is not None:
                return converted
        if isinstance(func, ast.Path) and len(func.segments) == 2 and e.args:
            call = self.trait_method_call(e, func)
            if call is not None:
                return self.expr(call, expected)
        if isinstance(func, ast.Path) and not (len(func.segments) == 1
                                               and self.lookup(func.segments[0]) is not None):
            made = self.variant_constructor(e, func.segments, e.args, "tuple", expected)
            if made is not None:
                return made
        if isinstance(func, ast.Path):
            if len(func.segments) == 2 and func.segments[1] == "from_str_radix" and \
                    isinstance(T.PRIMITIVES.get(func.segments[0]), T.IntT) and \
                    not T.is_char(T.PRIMITIVES[func.segments[0]]) and len(e.args) == 2:
                # `u32::from_str_radix(s, 2)` is `s.parse::<u32>()` in base 2
                call = ast.MethodCall(e.span, e.args[0], "parse", [e.args[1]],
                                      [ast.NamedType(func.span, [func.segments[0]])], func.span)
                call.from_radix = True
                return self.expr(call, expected)
            handled = self.builtin_call(e, func, expected)
            if handled is not None:
                return handled
            handled = tuple_struct_call(self, e, func, expected)
            if handled is not None:
                return handled
            handled = self.generic_path_call(e, func, expected)
            if handled is not None:
                return handled
            segs = func.segments
            key = "::".join(segs[-2:]) if len(segs) >= 2 else segs[0]
            if len(segs) == 1 and self.lookup(segs[0]) is not None:
                pass
            elif key in self.sigs:
                sig = self.sigs[key]
                params = ([sig.self_type] if sig.self_type is not None else []) + sig.params
                e.args = self.check_args(e.args, params, e.span, f"`{key}`")
                e.target = ("fn", key)
                func.ty = T.FnT(tuple(params), sig.ret)
                e.ty = sig.ret
                return e
            elif len(segs) >= 2 and segs[-2] in self.structs:
                self.rep.error(f"no function or associated item named `{segs[-1]}` "
                               f"found for struct `{segs[-2]}`", func.span, code="SX0209")
                e.ty = T.NEVER
                e.args = [self.expr(a, None) for a in e.args]
                return e
        e.func = self.expr(func, None)
        ft = e.func.ty
        if isinstance(ft, T.NeverT):
            e.args = [self.expr(a, None) for a in e.args]
            e.ty = T.NEVER
            return e
        if self.is_closure(T.strip_refs(ft)):
            return self.call_closure(e, expected)
        while isinstance(ft, T.RefT) and isinstance(T.strip_refs(ft), T.FnT):
            # a call through `&fn(..)` dereferences it, as Rust's `Fn for &F` does
            e.func = ast.Unary(e.func.span, "*", e.func)
            ft = e.func.ty = ft.inner
        if not isinstance(ft, T.FnT):
            self.rep.error(f"expected function, found `{ft}`", e.func.span, code="SX0307")
            e.ty = T.NEVER
            return e
        e.args = self.check_args(e.args, list(ft.params), e.span, "this function")
        e.target = ("indirect", None)
        e.ty = ft.ret
        return e

    def builtin_call(self, e: ast.Call, func: ast.Path, expected) -> ast.Expr | None:
        segs = func.segments
        name = "::".join(segs)
        if name == "pow_f64" and len(e.args) == 2 and self._is_prelude_function(name):
            e.args[1] = self._int_exponent_as_float(e.args[1])
        if len(segs) == 1 and self.lookup(segs[0]) is not None:
            return None
        if len(segs) == 1 and segs[0] in self.sigs:
            return None
        number_call = self.number_fn_call(e, segs, expected)
        if number_call is not None:
            return number_call
        path = "::".join(self.std_import(segs))
        if path in _SWAP_AND_ORDER and len(e.args) != 2:
            count = len(e.args)
            self.rep.error(f"`{name}` takes 2 arguments but {count} "
                           f"{'was' if count == 1 else 'were'} supplied", e.span, code="SX0302")
            e.args = [self.expr(a, None) for a in e.args]
            e.ty = T.NEVER
            return e
        if path in ("std::cmp::max", "std::cmp::min", "cmp::max", "cmp::min"):
            # `max(a, b)` is `a.max(b)`: on a tie Rust's `max` returns `b`, `min` returns `a`
            method = ast.MethodCall(e.span, e.args[0], segs[-1], [e.args[1]], [], func.span)
            return self.e_MethodCall(method, expected)
        if path in ("std::mem::swap", "mem::swap"):
            return self.expr(_swap_block(e), expected)
        if path in ("std::mem::replace", "mem::replace") and len(e.args) == 2 or \
                path in ("std::mem::take", "mem::take") and len(e.args) == 1:
            return self.expr(_replace_block(e), expected)
        if name in ("dual::variable", "dual::constant"):
            e.args = self.check_args(e.args, [T.F64], e.span, f"`{name}`")
            return self._builtin(e, name, T.DUAL)
        if name == "dual::new":
            e.args = self.check_args(e.args, [T.F64, T.F64], e.span, "`dual::new`")
            return self._builtin(e, name, T.DUAL)
        if name == "dual::unit":
            e.args = self.check_args(e.args, [T.F64, T.USIZE], e.span, "`dual::unit`")
            return self._builtin(e, name, T.DUAL)
        if name == "__hash" and len(e.args) == 1:
            return self.hash_call(e, expected)
        if name == "dual::lanes":
            e.args = self.check_args(e.args, [], e.span, "`dual::lanes`")
            return self._builtin(e, name, T.USIZE)
        if name == "__soft_score_f64":
            # release mode's `soft_score()` as `sxc lower` prints it
            e.args = self.check_args(e.args, [], e.span, f"`{name}`")
            return self._builtin(e, name, T.RefT(T.F64, True))
        if name == "soft_score":
            e.args = self.check_args(e.args, [], e.span, "`soft_score`")
            # a program that `sxc lower` printed contains the lowered pair struct
            lowered = [f for f, _ in self.structs.get("Dual", {}).items()] == ["val", "der"]
            score = T.StructT("Dual") if lowered else T.DUAL
            return self._builtin(e, name, T.RefT(score, True))
        if len(segs) >= 2 and segs[-2] == "VecDeque" and segs[-1] in ("new", "with_capacity",
                                                                        "from"):
            name = "Vec::" + segs[-1]
        if name == "Vec::from" and len(e.args) == 1:
            # `Vec::from([1, 2])` and `VecDeque::from(v)` copy the items
            copied = ast.MethodCall(e.span, e.args[0], "to_vec", [], [], func.span)
            return self.expr(copied, expected)
        if name in ("Vec::new", "Vec::with_capacity"):
            params = [T.USIZE] if name == "Vec::with_capacity" else []
            e.args = self.check_args(e.args, params, e.span, f"`{name}`")
            elem = None
            if func.type_args:
                elem = self.resolve_type(func.type_args[0])
            elif isinstance(expected, T.VecT):
                elem = expected.elem
            if elem is None:
                elem = self.new_hole(e.span)
            return self._builtin(e, "Vec::new", T.VecT(elem))
        if name in ("From::from", "Box::from", "Into::into") and len(e.args) == 1 and \
                isinstance(T.prune(expected), T.BoxT) and _holds_trait_object(expected):
            # `Err(From::from("message"))` or `Box::<dyn Error>::from(e)`
            return self.coerce(_deref_operand(self.expr(e.args[0], None)), T.prune(expected))
        kind = name.rpartition("::")[0].rpartition("::")[2]
        if name.endswith("::from") and kind in COLLECTIONS_FROM_ARRAY and len(e.args) == 1 \
                and self.lookup(kind) is None and kind not in self.structs and \
                kind not in self.program.enums:
            # `HashMap::from([(k, v), ..])` collects the array's items
            items = ast.MethodCall(e.span, e.args[0], "into_iter", [], [], func.span)
            holes = [ast.NamedType(e.span, ["_"])] * COLLECTIONS_FROM_ARRAY[kind]
            target = [] if expected is not None else [ast.NamedType(e.span, [kind], holes)]
            return self.expr(ast.MethodCall(e.span, items, "collect", [], target, func.span),
                             expected)
        if name in ("Box::new", "std::boxed::Box::new", "boxed::Box::new") and \
                not self.user_box():
            inner = expected.inner if isinstance(expected, T.BoxT) else None
            if func.type_args:
                inner = self.resolve_type(func.type_args[0])
            if len(e.args) != 1:
                e.args = self.check_args(e.args, [inner or T.NEVER], e.span, "`Box::new`")
                return self._builtin(e, "Box::new", T.boxed(inner or T.NEVER))
            value = self.coerce(self.expr(e.args[0], inner), inner)
            e.args = [value]
            return self._builtin(e, "Box::new", T.boxed(inner or value.ty))
        if name in ("args", "std::env::args", "env::args"):
            e.args = self.check_args(e.args, [], e.span, "`args`")
            return self._builtin(e, "args", T.VecT(T.STRING))
        if name in ("read_file",):
            e.args = self.check_args(e.args, [T.STR], e.span, "`read_file`")
            return self._builtin(e, "read_file", T.STRING)
        if name == "__stdin_line" and self.lookup(name) is None and name not in self.sigs:
            e.args = self.check_args(e.args, [], e.span, "`__stdin_line`")
            return self._builtin(e, "stdin_line", T.STRING)
        if name in ("std::fs::read_to_string", "fs::read_to_string"):
            e.args = self.check_args(e.args, [T.STR], e.span, f"`{name}`")
            return self._builtin(e, "read_file", T.ParseResultT(T.STRING))
        if name in ("println", "print") and len(e.args) > 1 and isinstance(e.args[0], ast.StrLit):
            mac = ast.MacroCall(e.span, name, e.args)
            return self.e_MacroCall(mac, expected)
        if name in ("println", "print") and len(e.args) == 1 and \
                not isinstance(e.args[0], ast.StrLit):
            # `print(y.val)`, as the original Simplex documents write it, prints a
            # number, `bool` or `char` as `{}` does
            arg = self.expr(e.args[0], None)
            arg_type = T.prune(arg.ty)
            if T.is_numeric(arg_type) or isinstance(arg_type, T.BoolT) or T.is_char(arg_type):
                arg.checked = True
                mac = ast.MacroCall(e.span, name, [ast.StrLit(e.span, "{}"), arg])
                return self.e_MacroCall(mac, expected)
            arg.checked = True
            e.args = [arg]
        if name in ("println", "print"):
            e.args = self.check_args(e.args, [T.STR], e.span, f"`{name}`")
            return self._builtin(e, name + "_str", T.UNIT)
        if name == "print_f64":
            e.args = self.check_args(e.args, [T.F64], e.span, "`print_f64`")
            return self._builtin(e, name, T.UNIT)
        if name == "print_i64":
            e.args = self.check_args(e.args, [T.I64], e.span, "`print_i64`")
            return self._builtin(e, name, T.UNIT)
        if name in VEC_HANDLE_BUILTINS:
            return self._vec_handle_call(e, name, expected)
        if len(segs) == 1 and segs[0] in FREE_MATH and len(e.args) == 1:
            arg = self.expr(e.args[0], T.F64)
            arg = arg if isinstance(arg.ty, T.DualT) else self.coerce(arg, T.F64)
            m = ast.MethodCall(e.span, arg, segs[0], [], [], func.span)
            m.target = ("math", segs[0])
            m.ty = arg.ty
            return m
        if name == "pow" and len(e.args) == 2:
            exponent = self.expr(e.args[1], None)
            exponent.checked = True  # so that `powf` does not check it again
            if T.is_int(T.prune(exponent.ty)):
                # `pow(x, n)` with an integer `n`, as programs for the original
                # runtime write it, raises to `n as f64`
                exponent = ast.Cast(exponent.span, exponent, ast.NamedType(exponent.span, ["f64"]))
            m = ast.MethodCall(e.span, e.args[0], "powf", [exponent], [], func.span)
            return self.e_MethodCall(m, expected)
        if name == "f64_to_bits":
            # the original runtime's bit patterns are `i64`, not Rust's `u64`
            e.args = self.check_args(e.args, [T.F64], e.span, f"`{name}`")
            return self._builtin(e, name, T.I64)
        if name == "bits_to_f64":
            return self._bits_to_f64(e)
        if name == "String::from" and len(e.args) == 1:
            return self.string_from(e, expected)
        decoder = UTF8_DECODERS.get("::".join(self.std_import(segs)))
        if decoder is not None and len(e.args) == 1:
            return self.expr(ast.Call(e.span, ast.Path(func.span, [decoder]), e.args), expected)
        if name == "String::new":
            e.args = self.check_args(e.args, [], e.span, "`String::new`")
            return self._builtin(e, name, T.STRING)
        if name == "String::with_capacity":
            # the room is not reserved: a growing string doubles its buffer anyway
            e.args = self.check_args(e.args, [T.USIZE], e.span, "`String::with_capacity`")
            return self._builtin(e, name, T.STRING)
        if name == "Default::default" or (len(segs) == 2 and segs[1] == "default" and (
                segs[0] in T.PRIMITIVES or segs[0] in ("Vec", "String")
                or segs[0] in self.type_env)):
            return self.default_call(e, func, expected)
        if len(segs) == 2 and segs[1] == "default" and name not in self.sigs:
            unit_enum = self.program.enums.get(
                self.self_struct if segs[0] == "Self" else segs[0])
            if unit_enum is not None and "Default" in unit_enum.derives and \
                    not hasattr(unit_enum, "fields"):
                # `#[derive(Default)]` of an enum without data: its `#[default]` variant
                e.args = self.check_args(e.args, [], e.span, f"`{name}`")
                value = self.enum_default(unit_enum, e.span)
                if value is None:
                    self.rep.error(f"no default declared for enum `{unit_enum.name}`", e.span,
                                   help="mark a unit variant with `#[default]`",
                                   code="SX0302")
                    e.ty = T.NEVER
                    return e
                return self.expr(value, expected)
        if name == "default_rng":
            e.args = self.check_args(e.args, [], e.span, "`default_rng`")
            rng = T.StructT(self.program.prelude_key("Rng"))
            return self._builtin(e, name, T.RefT(rng, True))
        if name in INTRINSICS:
            params, ret = INTRINSICS[name]
            e.args = self.check_args(e.args, params, e.span, f"`{name}`")
            return self._builtin(e, name, ret)
        if name == "exit" or name == "std::process::exit":
            e.args = self.check_args(e.args, [T.I32], e.span, "`exit`")
            return self._builtin(e, "exit", T.NEVER)
        if name == "__free_vec" and len(e.args) == 1:
            # the library frees a table of integers of its own that it replaces
            # (`HashMap::__rehash`); the printed core program calls it too
            e.args = [self.expr(e.args[0], None)]
            seq = T.prune(e.args[0].ty)
            if isinstance(seq, T.VecT) and T.is_int(T.prune(seq.elem)):
                return self._builtin(e, "__free_vec", T.UNIT)
        if name in ("black_box", "hint::black_box", "std::hint::black_box") and \
                len(e.args) == 1:
            # a hint to the optimiser that benchmarks give; the value itself
            return self.expr(e.args[0], expected)
        if name in ("drop", "mem::drop", "std::mem::drop") and len(e.args) == 1:
            # NOTE: the value is not freed; a `Vec` that `sxc.drops` would free at
            # the end of its scope stays allocated until the program ends instead
            e.args = [self.expr(e.args[0], None)]
            return self._builtin(e, "drop", T.UNIT)
        return None

    def _vec_handle_call(self, e: ast.Call, name: str, expected) -> ast.Expr:
        """A vector-handle function of the original runtime (`vec_new`, `vec_get`, ...).

        Elements are `i64`s.  As in that runtime, where a float is an `i64`
        bit pattern, an `f64` element is stored as its bits, and `vec_get`
        where an `f64` is expected reads the bits back as a float.
        """
        params, ret = VEC_HANDLE_BUILTINS[name]
        if len(e.args) != len(params):
            e.args = self.check_args(e.args, params, e.span, f"`{name}`")
            return self._builtin(e, name, ret)
        checked = []
        for i, (arg, param) in enumerate(zip(e.args, params)):
            arg = self.expr(arg, param)
            is_element = name in ("vec_push", "vec_set") and i == len(params) - 1
            if is_element and arg.ty == T.F64:
                arg = self._wrap_builtin(arg, "f64_to_bits", T.I64)
            if i == 0 and isinstance(arg.ty, T.VecT) and arg.ty.elem in (T.I64, T.F64):
                # the original's `Vec::new()` is a handle too: a `Vec` of
                # 8-byte numbers has the layout of a handle's vector
                checked.append(arg)
                continue
            checked.append(self.coerce(arg, param))
        e.args = checked
        call = self._builtin(e, name, ret)
        if name in ("vec_get", "vec_pop") and expected == T.F64:
            return self._wrap_builtin(call, "bits_to_f64", T.F64)
        return call

    def _wrap_builtin(self, arg: ast.Expr, name: str, ty: T.Type) -> ast.Call:
        func = ast.Path(arg.span, [name])
        call = ast.Call(arg.span, func, [arg])
        return self._builtin(call, name, ty)

    def _bits_to_f64(self, e: ast.Call) -> ast.Call:
        """`bits_to_f64(bits)` takes an `i64`, as the original runtime does, or a `u64`."""
        if len(e.args) != 1:
            e.args = self.check_args(e.args, [T.I64], e.span, "`bits_to_f64`")
            return self._builtin(e, "bits_to_f64", T.F64)
        arg = self.expr(e.args[0], T.I64)
        if arg.ty != T.U64:
            arg = self.coerce(arg, T.I64)
        e.args = [arg]
        return self._builtin(e, "bits_to_f64", T.F64)

    def number_fn_call(self, e: ast.Call, segs: list[str], expected) -> ast.Expr | None:
        """Check `f64::from_bits(b)`, `f64::from(x)` and methods called by path, `i32::pow(x, 2)`."""
        if segs[0] in ("std", "core"):
            segs = segs[1:]
        owner = T.PRIMITIVES.get(segs[0]) if len(segs) == 2 else None
        if not isinstance(owner, (T.IntT, T.FloatT)):
            return None
        item = segs[1]
        if T.is_char(owner) and item != "from":
            return self.char_fn_call(e, item, expected)
        if item == "from_bits" and isinstance(owner, T.FloatT):
            bits = T.U32 if owner.bits == 32 else T.U64
            e.args = self.check_args(e.args, [bits], e.span, f"`{owner}::from_bits`")
            return self._builtin(e, "bits_to_f64", owner)
        if item == "from" and len(e.args) == 1:
            return self.lossless_from(e, owner)
        methods = INT_METHODS if isinstance(owner, T.IntT) else \
            set(FLOAT_METHODS) | set(FLOAT_ONLY_METHODS)
        if item not in methods:
            return None
        if not e.args:
            self.rep.error(f"`{owner}::{item}` takes the receiver as its first argument",
                           e.span, help=f"write `x.{item}(..)` or `{owner}::{item}(x, ..)`",
                           code="SX0302")
            e.ty = T.NEVER
            return e
        receiver = self.coerce(self.expr(e.args[0], owner), owner)
        call = ast.MethodCall(e.span, receiver, item, e.args[1:], [], e.func.span)
        if isinstance(owner, T.IntT):
            return self.int_method(call, owner, expected)
        return self.float_method(call, owner, expected)

    def char_fn_call(self, e: ast.Call, item: str, expected) -> ast.Expr | None:
        """Check `char::is_alphabetic(c)` and the like, and reject the `Option` constructors."""
        if item in ("from_u32", "from_digit"):
            call = ast.Call(e.span, ast.Path(e.func.span, [f"__char_{item}"]), e.args)
            return self.expr(call, expected)
        if item == "from_u32_unchecked":
            self.rep.error(f"sxc does not support `char::{item}`, which returns an `Option`",
                           e.span, help="cast a `u8` with `as char`, or build the `char` from "
                                        "a literal such as `'a'`", code="SX0801")
            e.ty = T.NEVER
            return e
        if item not in CHAR_METHODS or not e.args:
            return None
        receiver = self.coerce(self.expr(e.args[0], T.CHAR), T.CHAR)
        call = ast.MethodCall(e.span, receiver, item, e.args[1:], [], e.func.span)
        return self.char_method(call)

    def lossless_from(self, e: ast.Call, target: T.Type) -> ast.Expr:
        """Check `T::from(x)`, a conversion that Rust offers only where no value is lost,
        or that the program's `impl From<X> for T` gives."""
        arg = self.expr(e.args[0], None)
        src = arg.ty
        owner = target.name()
        if isinstance(T.strip_refs(src), (T.StructT, T.EnumT, T.TupleT)) and \
                self.operator_methods(owner, "from"):
            arg.checked = True
            chosen = self.operator_method(owner, "from", _deref_operand(arg))
            if chosen is not None:
                param = self.sigs[f"{owner}::{chosen}"].params[0]
                value = arg if isinstance(param, T.RefT) else _deref_operand(arg)
                return self.expr(ast.Call(e.span, ast.Path(e.func.span, [owner, chosen]),
                                          [value]), target)
        if isinstance(T.strip_refs(src), (T.StructT, T.EnumT, T.TupleT)):
            self.rep.error(f"the trait `From<{src}>` is not implemented for `{target}`",
                           arg.span, help=f"write `impl From<{src}> for {target}`",
                           code="SX0311")
            e.ty = T.NEVER
            return e
        if isinstance(src, T.IntVar) and T.is_char(target):
            arg = self.coerce(arg, T.U8)  # `char::from(65)` reads the literal as a `u8`
            src = T.U8
        elif isinstance(src, T.IntVar) and isinstance(target, T.IntT):
            arg = self.coerce(arg, target)
            src = target
        elif isinstance(src, T.IntVar):
            src.bind(T.I32)  # Rust's fallback type of an integer literal
        if not _converts_losslessly(src, target) and not isinstance(src, T.NeverT):
            if T.is_char(target) or T.is_char(src):
                effect = None
            elif T.is_float(target):
                effect = f"rounds to the nearest `{target}`"
            elif T.is_float(src):
                effect = "truncates toward zero and saturates"
            else:
                effect = "wraps"
            self.rep.error(f"`{target}::from` does not accept `{src}`: the conversion could "
                           "lose information", arg.span,
                           help=f"convert with `as {target}`, which {effect}" if effect else
                           "`char::from` takes a `u8`, and `u32::from` and `u64::from` take a "
                           "`char`", code="SX0704")
        cast = ast.Cast(e.span, arg, ast.NamedType(e.span, [str(target)]))
        cast.ty = target
        return cast
    # ------------------------------------------------------------ traits

    def default_call(self, e: ast.Call, func: ast.Path, expected) -> ast.Expr:
        """Check `Default::default()` or `T::default()` as the zero value of its type."""
        e.args = self.check_args(e.args, [], e.span, f"`{'::'.join(func.segments)}`")
        first = func.segments[0]
        if first in self.type_env:
            ty = self.type_env[first]  # `T::default()` in a copy of a generic function
        elif first == "Default":
            ty = expected
        elif first == "Vec":
            ty = expected if isinstance(expected, T.VecT) else None
        elif first == "String":
            ty = T.STRING
        else:
            ty = T.PRIMITIVES[first]
        if ty is None or isinstance(ty, T.NeverT):
            self.rep.error("cannot infer the type of this `Default::default()`", e.span,
                           help="annotate it: `let x: T = Default::default();`", code="SX0304")
            e.ty = T.NEVER
            return e
        value = self.default_value(ty, e.span)
        if value is None:
            self.rep.error(f"the trait `Default` is not implemented for `{ty}`", e.span,
                           help=f"add `#[derive(Default)]` above `struct {ty}`, or write "
                                f"`impl Default for {ty}`"
                           if isinstance(ty, T.StructT) else None, code="SX0311")
            e.ty = T.NEVER
            return e
        return self.coerce(self.expr(value, ty), ty)

    def default_value(self, ty: T.Type, span: Span) -> ast.Expr | None:
        """Return an unchecked expression of the default value of `ty`, or None."""
        if T.is_char(ty):
            return ast.IntLit(span, 0, "char")
        if isinstance(ty, T.IntT):
            return ast.IntLit(span, 0)
        if isinstance(ty, T.FloatT):
            return ast.FloatLit(span, 0.0)
        if isinstance(ty, T.BoolT):
            return ast.BoolLit(span, False)
        if isinstance(ty, T.DualT):
            return ast.Call(span, ast.Path(span, ["dual", "constant"]), [ast.FloatLit(span, 0.0)])
        if ty == T.STRING:
            return ast.Call(span, ast.Path(span, ["String", "new"]), [])
        if isinstance(ty, T.StrT):
            return ast.StrLit(span, "")
        if isinstance(ty, T.VecT):
            return ast.Call(span, ast.Path(span, ["Vec", "new"]), [])
        if isinstance(ty, T.UnitT):
            return ast.UnitLit(span)
        if isinstance(ty, T.TupleT):
            items = [self.default_value(t, span) for t in ty.items]
            return None if None in items else ast.TupleLit(span, items)
        if isinstance(ty, T.ArrayT):
            item = self.default_value(ty.elem, span)
            if item is None:
                return None
            return ast.ArrayRepeat(span, item, ast.IntLit(span, ty.size, "usize"))
        if isinstance(ty, T.EnumT) and self.instance_of.get(ty.enum, (None,))[0] == "Option":
            return ast.Path(span, ["None"])  # `Option<T>` defaults to `None`
        if isinstance(ty, T.EnumT) and f"{ty.enum}::default" not in self.sigs:
            return self.enum_default(self.program.enums[ty.enum], span)
        if isinstance(ty, (T.StructT, T.EnumT)):
            self.ensure_method(ty.name(), "default")
            sig = self.sigs.get(f"{ty.name()}::default")
            if sig is None or sig.self_kind is not None or sig.params:
                return None
            return ast.Call(span, ast.Path(span, [ty.name(), "default"]), [])
        return None

    @staticmethod
    def enum_default(edef: ast.EnumDef, span: Span) -> ast.Expr | None:
        """Return the `#[default]` variant of an enum that derives `Default`, or None."""
        variant = getattr(edef, "default_variant", None)
        if "Default" not in edef.derives or variant is None or \
                edef.payloads.get(variant) is not None:
            return None
        return ast.Path(span, [edef.name, variant])

    def box_clone(self, receiver: ast.Expr, expected) -> ast.Expr:
        """Check `b.clone()` of a `Box<T>`: a new `Box` of a clone of the inner value."""
        while not isinstance(receiver.ty, T.BoxT):
            receiver = _deref(receiver)
        value = ast.MethodCall(receiver.span, _deref(receiver), "clone", [], [], receiver.span)
        call = ast.Call(receiver.span, ast.Path(receiver.span, ["Box", "new"]), [value])
        return self.expr(call, expected)

    def hash_call(self, e: ast.Call, expected) -> ast.Expr:
        """Check `__hash(x)`, the hash of a key of a `HashMap` or `HashSet`, as the
        expression that hashes a value of `x`'s type: integers, `char`, `bool`,
        strings, unit-only enums, and tuples, arrays, `Vec`s and `#[derive(Hash)]`
        structs of them."""
        span = e.span
        value = self.expr(e.args[0], None)
        value.checked = True
        ty = T.prune(value.ty)
        base = T.strip_refs(ty)
        while isinstance(value.ty, T.RefT):
            value = _deref(value)

        def call(fn: str, *args: ast.Expr) -> ast.Call:
            return ast.Call(span, ast.Path(span, [fn]), list(args))

        def part(expr: ast.Expr) -> ast.Call:
            return call("__hash", expr)

        if isinstance(base, T.NeverT):
            e.ty = T.NEVER
            return e
        if isinstance(base, (T.IntT, T.BoolT)) or isinstance(base, T.EnumT) and \
                self.data_enum(base) is None:
            built: ast.Expr = call("__hash_u64", ast.Cast(span, value, ast.ResolvedType(
                span, T.U64)) if not isinstance(base, T.EnumT) else ast.Cast(
                    span, ast.Cast(span, value, ast.ResolvedType(span, T.I64)),
                    ast.ResolvedType(span, T.U64)))
        elif isinstance(base, T.StrT):
            built = call("__hash_str", value)
        elif isinstance(base, T.TupleT):
            built = ast.IntLit(span, 0x9E3779B97F4A7C15, "u64")
            for i in range(len(base.items)):
                built = call("__hash_mix", built, part(ast.TupleField(span, value, i)))
        elif isinstance(base, (T.ArrayT, T.VecT, T.SliceT)):
            whole = ast.Ref(span, ast.Index(span, value, ast.Range(span, None, None, False)),
                            False)
            built = call("__hash_items", whole)
        elif isinstance(base, T.StructT) and base.struct in self.program.structs and \
                "Hash" in self.program.structs[base.struct].derives:
            built = ast.IntLit(span, 0x9E3779B97F4A7C15, "u64")
            for field in self.structs.get(base.struct, {}):
                access = ast.Field(span, value, field)
                access.derived_access = True  # the derived hash reads private fields too
                built = call("__hash_mix", built, part(access))
        else:
            self.require_hash(base, e.args[0].span)
            e.ty = T.U64
            return e
        return self.expr(built, T.U64)

    def require_hash(self, ty: T.Type, span) -> None:
        """Report a key type of a `HashMap` (or item type of a `HashSet`) that has no
        hash, once per type, at the first place that names it."""
        self._require_key_trait(ty, span, self.hashable(ty), "Hash", "`HashMap`",
                                "`HashSet`", "enums without data", "`#[derive(Hash)]`")

    def require_sorted_key(self, ty: T.Type, span) -> None:
        """Report a key type of a `BTreeMap` (or item type of a `BTreeSet`) that has no
        total order, once per type, at the first place that names it."""
        self._require_key_trait(ty, span, self.sortable_key(ty), "Ord", "`BTreeMap`",
                                "`BTreeSet`", "enums that derive `Ord`",
                                "`#[derive(PartialOrd, Ord)]`")

    def _require_key_trait(self, ty: T.Type, span, satisfied: bool, trait: str, map_name: str,
                           set_name: str, enums: str, derive: str) -> None:
        if satisfied or str(ty) in self.unhashable:
            return
        self.unhashable.add(str(ty))
        self.rep.error(f"the trait `{trait}` is not implemented for `{ty}`", span,
                       help=f"the keys of a {map_name} and the items of a {set_name} may be "
                            f"integers, `char`, `bool`, strings, {enums}, and tuples, arrays, "
                            f"`Vec`s and {derive} structs of them", code="SX0311")

    def sortable_key(self, ty: T.Type) -> bool:
        """Return whether `<` orders values of `ty` as `Ord` does, so that they may key a
        sorted collection."""
        ty = T.strip_refs(T.prune(ty))
        if isinstance(ty, T.EnumT):
            return self.data_enum(ty) is None or self.totally_ordered(ty)
        if isinstance(ty, (T.IntT, T.BoolT, T.StrT, T.NeverT, T.HoleT)):
            return not isinstance(ty, T.FloatVar)
        if isinstance(ty, T.TupleT):
            return all(self.sortable_key(i) for i in ty.items)
        if isinstance(ty, (T.VecT, T.ArrayT)):
            return self.sortable_key(ty.elem)  # lexicographic, see `__seq_cmp`
        if isinstance(ty, T.StructT) and ty.struct in self.program.structs:
            derives = self.program.structs[ty.struct].derives
            return "Ord" in derives or "PartialOrd" in derives or \
                bool(self.operator_methods(ty.struct, "cmp") or
                     self.operator_methods(ty.struct, "partial_cmp"))
        return False

    def hashable(self, ty: T.Type) -> bool:
        ty = T.strip_refs(T.prune(ty))
        if isinstance(ty, (T.IntT, T.BoolT, T.StrT, T.NeverT, T.HoleT, T.LiteralVar)):
            return not isinstance(ty, T.FloatVar)
        if isinstance(ty, T.EnumT):
            return self.data_enum(ty) is None
        if isinstance(ty, T.TupleT):
            return all(self.hashable(i) for i in ty.items)
        if isinstance(ty, (T.ArrayT, T.VecT, T.SliceT)):
            return self.hashable(ty.elem)
        if isinstance(ty, T.StructT) and ty.struct in self.program.structs:
            return "Hash" in self.program.structs[ty.struct].derives and all(
                self.hashable(f) for f in self.structs.get(ty.struct, {}).values())
        return False

    def fallible_target_from_items(self, e: ast.MethodCall, written: ast.NamedType):
        """Fill the `_`s of `collect::<Result<Vec<_>, _>>()` (or `Option<Vec<_>>`) from
        the type of the chain's items, `Result<T, E>` (or `Option<T>`), as Rust infers
        them.  A copy of the chain is checked for that, with its messages dropped; the
        chain itself still runs lazily, stopping at the first `Err`."""
        probe = ast.MethodCall(e.span, copy.deepcopy(e.receiver), "collect", [],
                               [ast.NamedType(e.span, ["Vec"], [ast.NamedType(e.span, ["_"])])],
                               e.method_span)
        reporter, self.rep = self.rep, Reporter()
        try:
            elem = T.prune(getattr(T.prune(self.expr(probe, None).ty), "elem", T.NEVER))
            failed = bool(self.rep.diagnostics)
        finally:
            self.rep = reporter
        parts = None if failed or not isinstance(elem, T.EnumT) else \
            self.result_args(elem) if written.path[-1] == "Result" else \
            (self.option_payload(elem),)
        if parts is None or None in parts or len(parts) != len(written.args):
            return None
        span = written.span

        def filled(te, ty: T.Type):
            # `Vec<_>` takes the item's payload, `_` the error type
            if _is_hole_type(te):
                return ast.ResolvedType(span, ty)
            if isinstance(te, ast.NamedType) and te.path == ["Vec"] and len(te.args) == 1 \
                    and _is_hole_type(te.args[0]):
                return ast.NamedType(span, ["Vec"], [ast.ResolvedType(span, ty)])
            return te
        args = [filled(written.args[0], parts[0])] + \
            [filled(a, t) for a, t in zip(written.args[1:], parts[1:])]
        return ast.NamedType(span, list(written.path), args)

    def binary_heap_collect(self, e: ast.MethodCall, expected) -> ast.Expr | None:
        """Check `collect()` into a `BinaryHeap` as `BinaryHeap::from` of the collected
        `Vec`; None for other targets."""
        span = e.span
        written = e.type_args[0] if e.type_args else None
        if isinstance(written, ast.NamedType) and written.path[-1] == "BinaryHeap" and \
                len(written.args) == 1:
            elem = written.args[0]
        else:
            target = T.prune(expected) if expected is not None and written is None else None
            generic = self.instance_of.get(target.struct) \
                if isinstance(target, T.StructT) else None
            if generic is None or generic[0] != self.program.prelude_key("BinaryHeap"):
                return None
            elem = ast.ResolvedType(span, generic[1][0])
        items = ast.MethodCall(span, e.receiver, "collect", [],
                               [ast.NamedType(span, ["Vec"], [elem])], e.method_span)
        return self.expr(ast.Call(span, ast.Path(span, ["BinaryHeap", "from"]), [items]),
                         expected)

    def collect_fallible(self, e: ast.MethodCall, expected) -> ast.Expr | None:
        """Check `collect()` into a `Result<Vec<T>, E>` or an `Option<Vec<T>>`: a loop
        that pushes the `Ok` (or `Some`) values and stops at the first `Err` (`None`)."""
        target = expected
        heap = self.binary_heap_collect(e, expected)
        if heap is not None:
            return heap
        if e.type_args:
            written = e.type_args[0]
            if not (isinstance(written, ast.NamedType) and written.path[-1] in (
                    "Result", "Option", "HashMap", "HashSet", "BTreeMap", "BTreeSet")):
                return None
            if _hole_collection_type(written):
                return self.collect_collection_inferred(e, written)
            if written.path[-1] in ("Result", "Option") and any(
                    _is_hole_type(n) for n in ast.walk(written)):
                written = self.fallible_target_from_items(e, written)
                if written is None:
                    return None
            target = self.resolve_type(written)
            if T.has_hole(target) or isinstance(target, T.NeverT):
                return None
        target = T.prune(target) if target is not None else None
        if self.collection_kind(target) is not None:
            return self.collect_collection(e, target)
        if not isinstance(target, T.EnumT):
            return None
        result = self.result_args(target)
        generic = self.instance_of.get(target.enum, (None, None))
        if result is not None:
            items, error = result
        elif generic[0] == self.program.prelude_key("Option"):
            items, error = generic[1][0], None
        else:
            return None
        if not isinstance(T.prune(items), T.VecT):
            return None
        span = e.span
        tag = f"{span.line}_{span.col}"
        out, failed, item, value = (f"__{n}_{tag}" for n in ("out", "failed", "item", "value"))

        def path(name: str) -> ast.Path:
            return ast.Path(span, [name])

        push_value = ast.ExprStmt(span, ast.MethodCall(span, path(out), "push", [path(value)], [],
                                                 span), True)
        if error is not None:
            good = ast.VariantPattern(span, ["Ok"], [ast.NamePattern(span, value)])
            bad = ast.VariantPattern(span, ["Err"], [ast.NamePattern(span, "__error")])
            stop: ast.Expr = ast.Call(span, path("Some"), [path("__error")])
            fail_type: T.Type = self.instantiate_enum("Option", (error,), span)
        else:
            good = ast.VariantPattern(span, ["Some"], [ast.NamePattern(span, value)])
            bad = ast.WildPattern(span)
            stop = ast.BoolLit(span, True)
            fail_type = T.BOOL
        last = e.receiver
        if isinstance(last, ast.MethodCall) and last.method == "map" and len(last.args) == 1 \
                and isinstance(last.args[0], ast.Closure) and last.args[0].ret is None:
            # the closure makes the items, so `|x| x.parse()` parses into the target's `T`
            elem = T.prune(items).elem
            item_type = self.instantiate_enum("Result", (elem, error), span) \
                if error is not None else self.instantiate_enum("Option", (elem,), span)
            last.args[0].ret = ast.ResolvedType(span, item_type)
        record = ast.Block(span, [ast.Assign(span, "=", path(failed), stop),
                                  ast.ExprStmt(span, ast.Break(span, None, None), True)], None)
        body = ast.Block(span, [ast.ExprStmt(span, ast.Match(span, path(item), [
            ast.MatchArm(span, good, None, ast.Block(span, [push_value], None)),
            ast.MatchArm(span, bad, None, record)]), False)], None)
        loop = ast.For(span, ast.NamePattern(span, item), e.receiver, body)
        initial = ast.Path(span, ["None"]) if error is not None else ast.BoolLit(span, False)
        if error is not None:
            finish: ast.Expr = ast.Match(span, path(failed), [
                ast.MatchArm(span, ast.VariantPattern(span, ["Some"],
                                                      [ast.NamePattern(span, "__error")]),
                             None, ast.Call(span, path("Err"), [path("__error")])),
                ast.MatchArm(span, ast.WildPattern(span), None,
                             ast.Call(span, path("Ok"), [path(out)]))])
        else:
            finish = ast.If(span, path(failed), ast.Block(span, [], path("None")),
                            ast.Block(span, [], ast.Call(span, path("Some"), [path(out)])))
        block = ast.Block(span, [
            ast.Let(span, ast.NamePattern(span, out, True), ast.ResolvedType(span, items),
                    ast.Call(span, ast.Path(span, ["Vec", "new"]), [])),
            ast.Let(span, ast.NamePattern(span, failed, True),
                    ast.ResolvedType(span, fail_type), initial),
            ast.ExprStmt(span, loop, False)], finish)
        return self.expr(block, target)

    def from_call(self, e: ast.Call, func: ast.Path, expected) -> ast.Expr | None:
        """Check `B::from(a)` of a program's type with `impl From<A> for B`, which calls
        the `from` of the impl whose `A` is the argument's type; None for other types."""
        owner = self.self_struct if func.segments[0] == "Self" else func.segments[0]
        if owner is None or owner not in self.structs and owner not in self.program.enums \
                or f"{owner}::from" in self.sigs or self.lookup(func.segments[0]) is not None:
            return None
        if not self.operator_methods(owner, "from"):
            return None
        arg = self.expr(e.args[0], None)
        arg.checked = True
        chosen = self.operator_method(owner, "from", _deref_operand(arg))
        if chosen is None:
            self.rep.error(f"the trait `From<{arg.ty}>` is not implemented for `{owner}`",
                           e.args[0].span, help=f"write `impl From<{arg.ty}> for {owner}`",
                           code="SX0311")
            e.ty = T.NEVER
            return e
        param = self.sigs[f"{owner}::{chosen}"].params[0]
        value = arg if isinstance(param, T.RefT) else _deref_operand(arg)
        call = ast.Call(e.span, ast.Path(func.span, [owner, chosen]), [value])
        return self.expr(call, expected)

    def user_box(self) -> bool:
        """Return whether the program declares a type named `Box`, which hides Rust's."""
        return "Box" in self.structs or "Box" in self.program.enums or \
            "Box" in self.generic_structs or "Box" in self.generic_enums

    def copy_value(self, receiver: ast.Expr, base: T.Type) -> ast.Expr:
        """Return `x.clone()` of a number, `bool`, `dual` or tuple: the value itself."""
        if isinstance(receiver.ty, T.RefT):
            deref = ast.Unary(receiver.span, "*", receiver)
            deref.ty = base
            return deref
        return receiver

    def aggregate_eq(self, e: ast.Binary, ty: T.Type) -> ast.Expr:
        """Check `a == b` or `a != b` on structs (through `eq`) or tuples (per item)."""
        if isinstance(ty, T.TupleT):
            test = self.tuple_eq(e, ty)
        elif isinstance(ty, (T.ArrayT, T.VecT, T.SliceT)):
            test = self.sequence_eq(e)
        else:
            method = "eq"
            owner = ty.name()  # a struct, or an enum with `impl PartialEq<Rhs>`
            if T.strip_refs(e.right.ty) != ty:
                method = self.operator_method(owner, "eq", e.right) or "eq"
            key = f"{owner}::{method}"
            self.ensure_method(owner, method)
            sig = self.sigs.get(key)
            if sig is None or sig.self_kind is None:
                self.rep.error(f"cannot compare values of type `{ty}`", e.op_span or e.span,
                               help=f"add `#[derive(PartialEq)]` above `struct {ty}`, or "
                                    f"write `impl PartialEq for {ty}`", code="SX0305")
                e.ty = T.BOOL
                return e
            other = e.right
            param = T.prune(sig.params[0]) if sig.params else None
            if method != "eq" and isinstance(param, T.RefT) and \
                    not isinstance(param, T.BoxT) and not isinstance(other.ty, T.RefT):
                # `impl PartialEq<i32> for V`: `v == 5` passes `&5i32`
                other = self.coerce(other, param.inner)
            if method != "eq" and isinstance(param, T.StrT):
                other = self.coerce(other, param)  # `impl PartialEq<str>`: a `&str`
            elif method != "eq" and isinstance(param, T.RefT) and \
                    isinstance(T.strip_refs(param), T.StrT):
                other = self.coerce(_deref_operand(other), T.strip_refs(param))
            elif not isinstance(other.ty, T.RefT):
                other = ast.Ref(other.span, other, False)
                other.ty = T.RefT(other.operand.ty, False)
            test = ast.MethodCall(e.span, e.left, method, [other], [], e.op_span)
            test.target = ("method", key)
            test.ty = T.BOOL
        if e.op == "!=":
            test = ast.Unary(e.span, "!", test)
            test.ty = T.BOOL
        return test

    def sequence_eq(self, e: ast.Binary) -> ast.Expr:
        """Check `a == b` on arrays, `Vec`s and slices: equal lengths and items."""
        self.eq_temps += 1
        n = self.eq_temps
        left, right, same, i = (f"__eq_left{n}", f"__eq_right{n}", f"__eq_same{n}",
                                f"__eq_index{n}")
        span = e.span

        def path(name: str) -> ast.Path:
            return ast.Path(span, [name])

        def length(name: str) -> ast.MethodCall:
            return ast.MethodCall(span, path(name), "len", [], [], span)

        e.left.checked = True
        e.right.checked = True
        item_eq = ast.Binary(span, "==", ast.Index(span, path(left), path(i)),
                             ast.Index(span, path(right), path(i)), e.op_span)
        body = ast.Block(span, [
            ast.Assign(span, "=", path(same), item_eq),
            ast.Assign(span, "+=", path(i), ast.IntLit(span, 1, "usize")),
        ], None)
        loop_test = ast.Binary(span, "&&", path(same),
                               ast.Binary(span, "<", path(i), length(left), span), span)
        stmts = [
            ast.Let(span, ast.NamePattern(span, left), None, e.left),
            ast.Let(span, ast.NamePattern(span, right), None, e.right),
            ast.Let(span, ast.NamePattern(span, same, True), None,
                    ast.Binary(span, "==", length(left), length(right), e.op_span)),
            ast.Let(span, ast.NamePattern(span, i, True), None, ast.IntLit(span, 0, "usize")),
            ast.ExprStmt(span, ast.While(span, loop_test, body), False),
        ]
        return self.expr(ast.Block(span, stmts, path(same)), T.BOOL)

    def tuple_eq(self, e: ast.Binary, ty: T.TupleT) -> ast.Expr:
        # Both operands are evaluated once, into locals, and then compared item by item.
        self.eq_temps += 1
        left, right = f"__eq_left{self.eq_temps}", f"__eq_right{self.eq_temps}"
        span = e.span
        e.left.checked = True
        e.right.checked = True
        stmts = [ast.Let(span, ast.NamePattern(span, left), None, e.left),
                 ast.Let(span, ast.NamePattern(span, right), None, e.right)]
        test: ast.Expr = ast.BoolLit(span, True)
        for i in range(len(ty.items)):
            same = ast.Binary(span, "==", ast.TupleField(span, ast.Path(span, [left]), i),
                              ast.TupleField(span, ast.Path(span, [right]), i), e.op_span)
            test = same if i == 0 else ast.Binary(span, "&&", test, same, e.op_span)
        return self.expr(ast.Block(span, stmts, test), T.BOOL)

    def has_method(self, struct: str, name: str) -> bool:
        """Return whether the struct has a method `name`, made for a generic copy as needed."""
        self.ensure_method(struct, name)
        return f"{struct}::{name}" in self.sigs

    def struct_order(self, e: ast.Binary) -> ast.Expr:
        """Check `a < b`, `<=`, `>` or `>=` on structs through their `partial_cmp`, as Rust's
        `PartialOrd` does: `a <= b` is `Some(Less)` or `Some(Equal)`."""
        span = e.span
        e.left.checked = True
        e.right.checked = True
        self.eq_temps += 1
        order = f"__order{self.eq_temps}"
        right = e.right if isinstance(e.right.ty, T.RefT) else ast.Ref(span, e.right, False)
        compare = ast.MethodCall(span, e.left, "partial_cmp", [right], [], e.op_span)
        accepted = {"<": ["Less"], ">": ["Greater"], "<=": ["Less", "Equal"],
                  ">=": ["Greater", "Equal"]}[e.op]
        test: ast.Expr | None = None
        for name in accepted:
            some = ast.Call(span, ast.Path(span, ["Some"]), [self.ordering_variant(span, name)])
            same = ast.Binary(span, "==", ast.Path(span, [order]), some, e.op_span)
            test = same if test is None else ast.Binary(span, "||", test, same, e.op_span)
        block = ast.Block(span, [ast.Let(span, ast.NamePattern(span, order), None, compare)], test)
        return self.expr(block, T.BOOL)

    def tuple_order(self, e: ast.Binary, ty: T.TupleT) -> ast.Expr:
        """Check `a < b`, `<=`, `>` or `>=` on tuples, which compare lexicographically.

        As in Rust, each item but the last decides when it differs, and an item
        that is unordered to its partner (NaN) makes the comparison false.
        """
        self.eq_temps += 1
        left, right = f"__cmp_left{self.eq_temps}", f"__cmp_right{self.eq_temps}"
        span = e.span
        e.left.checked = True
        e.right.checked = True
        stmts = [ast.Let(span, ast.NamePattern(span, left), None, e.left),
                 ast.Let(span, ast.NamePattern(span, right), None, e.right)]
        strict = "<" if e.op in ("<", "<=") else ">"

        def item(side: str, i: int) -> ast.Expr:
            return ast.TupleField(span, ast.Path(span, [side]), i)
        last = len(ty.items) - 1
        test: ast.Expr = ast.Binary(span, e.op, item(left, last), item(right, last), e.op_span)
        for i in reversed(range(last)):
            decides = ast.Binary(span, strict, item(left, i), item(right, i), e.op_span)
            same = ast.Binary(span, "==", item(left, i), item(right, i), e.op_span)
            test = ast.Binary(span, "||", decides,
                              ast.Binary(span, "&&", same, test, e.op_span), e.op_span)
        return self.expr(ast.Block(span, stmts, test), T.BOOL)

    def tuple_clone(self, e: ast.MethodCall, ty: T.TupleT) -> ast.Expr:
        """Check `t.clone()` of a tuple with a non-`Copy` item: a tuple of each item's clone.

        The receiver is evaluated once, into a reference, so the original stays usable.
        """
        self.eq_temps += 1
        source = f"__clone_source{self.eq_temps}"
        span = e.span
        e.receiver.checked = True
        receiver = e.receiver
        if not isinstance(receiver.ty, T.RefT):
            receiver = ast.Ref(span, receiver, False)
        items = [ast.MethodCall(span, ast.TupleField(span, ast.Path(span, [source]), i),
                                "clone", [], [], e.method_span or span)
                 for i in range(len(ty.items))]
        block = ast.Block(span, [ast.Let(span, ast.NamePattern(span, source), None, receiver)],
                          ast.TupleLit(span, items))
        return self.expr(block, ty)

    def _holds_vec(self, t: T.Type) -> str | None:
        """Return "Vec" or "Box" when a value of type `t` refers to one, whose memory a
        copy would share, else None."""
        if isinstance(t, T.VecT):
            return "Vec"
        if isinstance(t, T.BoxT):
            return "Box"
        if isinstance(t, T.StructT):
            parts = self.structs.get(t.struct, {}).values()
        elif isinstance(t, T.ArrayT):
            parts = [t.elem]
        elif isinstance(t, T.TupleT):
            parts = t.items
        elif self.data_enum(t) is not None:
            parts = [ft for fields in self.data_enum(t).fields.values() for _, ft in fields]
        else:
            return None
        return next((kind for kind in map(self._holds_vec, parts) if kind), None)

    def _builtin(self, e: ast.Call, name: str, ty: T.Type) -> ast.Call:
        e.target = ("builtin", name)
        e.ty = ty
        return e

    # ------------------------------------------------------------ methods

    def e_MethodCall(self, e: ast.MethodCall, expected):
        if e.method == "contains" and len(e.args) == 1 and isinstance(e.receiver, ast.Range):
            return self.expr(_range_contains(e), expected)
        if e.method in ("eq", "ne") and len(e.args) == 1 and _walks_items(e.receiver) and \
                _walks_items(e.args[0]):
            # `a.iter().eq(b.iter().rev())` compares the items in order: as `Vec`s
            span = e.span
            sides = [ast.MethodCall(span, side, "collect", [], [
                ast.NamedType(span, ["Vec"], [ast.NamedType(span, ["_"])])], span)
                for side in (e.receiver, e.args[0])]
            op = "==" if e.method == "eq" else "!="
            return self.expr(ast.Binary(span, op, sides[0], sides[1], e.method_span), expected)
        entry = self.entry_call(e, expected) or self.unwrap_value_mut(e, expected)
        if entry is not None:
            return entry
        source = self.rewrite_collection_sources(e)
        if source is not e:
            return self.expr(source, expected)
        if e.method == "collect" and not e.args:
            gathered = self.collect_fallible(e, expected)
            if gathered is not None:
                return gathered
        if e.method in ("as_slice", "as_mut_slice") and not e.args:
            # `v.as_slice()` is `&v[..]`
            whole = ast.Index(e.span, e.receiver, ast.Range(e.span, None, None, False))
            return self.expr(ast.Ref(e.span, whole, e.method == "as_mut_slice"), expected)
        if e.method in ("unwrap", "expect") and isinstance(e.receiver, ast.MacroCall) \
                and e.receiver.name in ("write", "writeln") and len(e.args) == int(
                    e.method == "expect"):
            # `write!` returns `()` in sxc, because writing to a `String` or a
            # `Formatter` cannot fail, so `unwrap` and `expect` return it unchanged
            e.args = [self.coerce(self.expr(a, T.STR), T.STR) for a in e.args]
            return self.expr(e.receiver, expected)
        e.args = [self.variant_function(a) for a in e.args]
        pulled = user_iterators.rewrite_chain(self, e)
        if pulled is not None:
            return self.expr(pulled, expected)
        chain = self.iter_chain_call(e, expected)
        if chain is None:
            chain = self.sort_closure_call(e, expected)
        if chain is None:
            chain = self.ordering_call(e, expected)
        if chain is not None:
            return chain
        if e.method == "unwrap_or" and len(e.args) == 1:
            self.parse_in_and_then(e, expected)
        receiver_expected = None
        if e.method in ("unwrap", "expect") and expected is not None and \
                not isinstance(e.receiver, (ast.If, ast.Block)):
            # `let n: u64 = s.parse().unwrap();` parses into the declared type
            receiver_expected = T.ParseResultT(expected)
        elif _untyped_parse(e.receiver):
            receiver_expected = self.parse_hint(e.method, expected)
            if receiver_expected is None and e.method == "unwrap_or" and len(e.args) == 1:
                # `s.parse().unwrap_or(0)` parses into the type of the default, as Rust infers
                default = self.expr(e.args[0], None)
                default.checked = True
                e.args[0] = default
                if _parsable(T.prune(default.ty)):
                    receiver_expected = T.ParseResultT(T.prune(default.ty))
        if isinstance(e.receiver, ast.MethodCall) and e.receiver.method == "parse" and \
                (e.method == "unwrap" or e.method in PARSE_OPTION_METHODS):
            # these read the parsed value and the flag themselves, with no `Result`
            e.receiver.read_directly = True
            # the value of `unwrap` alone makes no `Option`, whose copy needs the
            # type now, so only there may a later use decide the type
            e.receiver.decided_later = e.method == "unwrap"
        e.receiver = self.expr(e.receiver, receiver_expected)
        rt = e.receiver.ty
        base = T.strip_refs(rt)
        name = e.method
        span = e.method_span or e.span
        if name == "clone" and not e.args and isinstance(_outer_box(rt), T.BoxT):
            return self.box_clone(e.receiver, expected)
        if name in ("as_ref", "as_mut") and not e.args and isinstance(_outer_box(rt), T.BoxT):
            # `b.as_ref()` of a `Box<T>` is `&*b`
            box = e.receiver
            while not isinstance(box.ty, T.BoxT):
                box = _deref(box)
            return self.expr(ast.Ref(e.span, _deref(box), name == "as_mut"), expected)
        if self.collection_kind(base) is not None:
            self.borrow_key(e)
            extended = self.extend_collection(e, expected)
            if extended is not None:
                return extended
        if name == "into" and not e.args and isinstance(T.prune(expected), (T.StructT, T.EnumT)) \
                and T.prune(expected) != base and (
                    T.prune(expected).name() in self.structs
                    or T.prune(expected).name() in self.program.enums):
            # `a.into()` where a `B` is expected is `B::from(a)`
            e.receiver.checked = True
            target = T.prune(expected).name()
            call = ast.Call(e.span, ast.Path(e.method_span or e.span, [target, "from"]),
                            [e.receiver])
            converted = self.from_call(call, call.func, expected)
            if converted is not None:
                return converted
            self.rep.error(f"the trait `From<{base}>` is not implemented for `{target}`",
                           e.method_span or e.span,
                           help=f"write `impl From<{base}> for {target}`", code="SX0311")
            e.ty = T.NEVER
            return e
        want = T.prune(expected) if expected is not None else None
        if name == "into" and not e.args and isinstance(want, T.BoxT) and \
                _holds_trait_object(want):
            # `e.into()` or `"message".into()` where a `Box<dyn Error>` is expected
            e.receiver.checked = True
            return self.coerce(_deref_operand(e.receiver), want)
        if isinstance(want, T.FloatVar) and want.bound is None:
            want = T.F64  # `s += x.into()` with `s = 0.0`, as from a bound `T: Into<f64>`
        if name == "into" and not e.args and isinstance(want, (T.IntT, T.FloatT)) and \
                not isinstance(want, T.LiteralVar) and base == want:
            e.receiver.checked = True
            return self.coerce(_deref_operand(e.receiver), want)  # `x.into()` to its own type
        if name == "into" and not e.args and isinstance(want, (T.IntT, T.FloatT)) and \
                not isinstance(want, T.LiteralVar) and \
                isinstance(base, (T.StructT, T.EnumT, T.IntT, T.FloatT, T.BoolT)) and \
                base != want:
            # `x.into()` where an `f64` is expected is `f64::from(x)`: a lossless
            # widening, or the program's `impl From<X> for f64`
            e.receiver.checked = True
            call = ast.Call(e.span, ast.Path(e.method_span or e.span, [want.name(), "from"]),
                            [e.receiver])
            return self.lossless_from(call, want)
        if isinstance(base, T.NeverT) or self.settle_parse_hole(base):
            e.args = [self.expr(a, None) for a in e.args]
            e.ty = T.NEVER
            return e
        if isinstance(base, T.StructT):
            key = f"{base.struct}::{name}"
            generic = self.generic_method_call(e, base.struct, expected)
            if generic is not None:
                return generic
            sig = self.sigs.get(key)
            if sig is None and name == "to_string" and not e.args and self.display_method(base):
                e.target, e.ty = ("builtin", "to_string"), T.STRING
                return e
            sdef = self.program.structs.get(base.struct)
            derived_clone = sdef is not None and bool({"Clone", "Copy"} & set(sdef.derives))
            shared = self._holds_vec(base) if sig is None and name == "clone" and not e.args \
                and derived_clone else None
            if shared:
                self.rep.error(f"sxc cannot clone the struct `{base.struct}` yet, because it "
                               f"holds a `{shared}`", span,
                               help="write `impl Clone` for it, copying each field", code="SX0801")
                e.ty = T.NEVER
                return e
            if sig is None and name == "clone" and not e.args and derived_clone:
                # a derived `clone` of plain data is a copy, which is what
                # using a struct value does in sxc
                if isinstance(rt, T.RefT):
                    copy = ast.Unary(e.span, "*", e.receiver)
                    copy.ty = base
                    return copy
                return e.receiver
            if sig is None and name in ("max", "min") and len(e.args) == 1 and \
                    self.has_method(base.struct, "cmp"):
                return self.expr(ord_max_min(e), expected)
            if sig is None or sig.self_kind is None:
                trait = {"clone": "Clone", "eq": "PartialEq", "partial_cmp": "PartialOrd",
                         "cmp": "Ord"}.get(name)
                help_text = f"add `#[derive({trait})]` above `struct {base.struct}`" \
                    if trait else None
                if help_text is None:
                    prefix = f"{base.struct}::"
                    similar = similar_name(name, [key[len(prefix):] for key in self.sigs
                                                  if key.startswith(prefix)
                                                  and self.sigs[key].self_kind is not None])
                    if similar:
                        help_text = f"a method with a similar name exists: `{similar}`"
                if help_text is None and name == "get_mut" and \
                        self.collection_kind(base) == "map":
                    help_text = ("sxc has no `Option<&mut V>`: write `if let Some(v) = "
                                 "map.get_mut(&k) { .. }`, or change the value through "
                                 "`*map.entry(k).or_insert(v)`")
                if help_text is None and name in ("entry", "iter", "keys", "values") and \
                        self.collection_kind(base) is not None:
                    example = "m.entry(k).or_default()" if name == "entry" else "&m[k]"
                    help_text = (f"sxc calls `{name}` on a map or set in a local or a field; "
                                 f"bind this one to a local first: `let inner = {example};`")
                if help_text is None and name in iter_chains.ADAPTERS and \
                        base.struct in user_iterators.iterator_types(self.program):
                    help_text = ("sxc runs the adapters of an `Iterator` in a `for` loop or in a "
                                 "chain that a consumer such as `collect()` or `sum()` ends")
                self.rep.error(f"no method named `{name}` found for struct "
                               f"`{base.struct}`", span, help=help_text, code="SX0210")
                e.args = [self.expr(a, None) for a in e.args]
                e.ty = T.NEVER
                return e
            if sig.self_kind == "mut":
                self._check_mut_receiver(e.receiver, name)
            method = self.program.functions[key]
            if not method.public:
                self.check_visible(method, f"method `{name}`", name, span,
                                   method.name_span or method.span)
            if key.endswith("LearnableSchedule::update") and len(e.args) == 1 and \
                    getattr(method, "origin", "user") == "library":
                # `schedule.update(grad)` without a rate takes `MetaOptimizer`'s default
                e.args.append(ast.FloatLit(e.span, DEFAULT_META_RATE, None,
                                           repr(DEFAULT_META_RATE)))
            e.args = self.check_args(e.args, sig.params, e.span, f"`{key}`")
            e.target = ("method", key)
            e.ty = sig.ret
            return e
        if isinstance(base, T.EnumT):
            if name == "to_string" and not e.args and self.display_method(base):
                e.target, e.ty = ("builtin", "to_string"), T.STRING
                return e
            return self.enum_method(e, base, expected)
        owner = self.number_method_owner(base, name)
        if owner is not None:
            # a method of `impl Shape for f64`
            key = f"{owner}::{name}"
            sig = self.sigs[key]
            if isinstance(T.prune(base), T.LiteralVar):
                T.prune(base).bind(T.PRIMITIVES[owner])
            if sig.self_kind == "mut":
                self._check_mut_receiver(e.receiver, name)
            e.args = self.check_args(e.args, sig.params, e.span, f"`{key}`")
            e.target = ("method", key)
            e.ty = sig.ret
            return e
        if name == "clone" and not e.args and _is_copy(base):
            return self.copy_value(e.receiver, base)
        if name == "clone" and not e.args and isinstance(base, T.TupleT):
            return self.tuple_clone(e, base)
        if isinstance(base, (T.FloatT, T.DualT)):
            return self.float_method(e, base, expected)
        if isinstance(base, T.IntT):
            return self.int_method(e, base, expected)
        if isinstance(base, (T.VecT, T.ArrayT, T.SliceT)):
            return self.seq_method(e, base, expected)
        if isinstance(base, T.StrT):
            _deref_receiver(e, base)  # `out.push_str(..)` on `out: &mut String`
            return self.str_method(e, expected)
        if isinstance(base, T.BoolT) and name == "to_string" and not e.args:
            e.target, e.ty = ("builtin", "to_string"), T.STRING
            return e
        if isinstance(base, T.EnumerateT):
            self.rep.error("sxc supports `.enumerate()` only as the iterator of a `for` "
                           "loop", e.span, code="SX0807")
            e.ty = T.NEVER
            return e
        if isinstance(base, T.ParseResultT) and name in PARSE_OPTION_METHODS:
            return self.parse_option(e, base, expected)
        if isinstance(base, T.ParseResultT) and (name == "unwrap" or name == "expect"
                                                 and base.value == T.STRING):
            # NOTE: `s.parse().unwrap()` panics with sxc's message, which quotes the
            # text, where Rust prints the error's `{:?}`. `expect` prints Rust's message.
            e.args = self.check_args(e.args, [T.STR] if name == "expect" else [],
                                     e.span, f"`{name}`")
            e.target = ("builtin", "unwrap")
            e.ty = base.value
            return e
        if isinstance(base, T.ParseResultT):
            # `map_err`, `and_then` and the other methods of `Result`
            e.receiver = self.parse_result(e.receiver)
            if isinstance(e.receiver.ty, T.EnumT):
                return self.enum_method(e, e.receiver.ty, expected)
            e.args = [self.expr(a, None) for a in e.args]
            e.ty = T.NEVER
            return e
        self.rep.error(f"no method named `{name}` found for `{rt}`", span, code="SX0210")
        e.args = [self.expr(a, None) for a in e.args]
        e.ty = T.NEVER
        return e

    def _check_mut_receiver(self, receiver: ast.Expr, method: str) -> None:
        self.note_mutation(receiver)
        root = receiver
        # A slice (`&mut [T]`) is a reference too.
        while isinstance(root, (ast.Field, ast.Index)):
            if isinstance(root.base.ty, (T.RefT, T.SliceT)):
                return
            root = root.base
        if isinstance(root, ast.Path) and len(root.segments) == 1:
            local = self.lookup(root.segments[0])
            if local is not None and not local.mutable and \
                    not isinstance(local.ty, (T.RefT, T.SliceT)):
                name = root.segments[0]
                self.rep.warning(f"`{method}` takes `&mut self`, but `{name}` is not "
                                 "declared mutable", receiver.span,
                                 help=f"declare it with `let mut {name}`", code="SXW003")

    def float_method(self, e: ast.MethodCall, base: T.Type, expected):
        name = e.method
        if isinstance(base, T.DualT) and name in DUAL_METHODS:
            params, ret = DUAL_METHODS[name]
            e.args = self.check_args(e.args, params, e.span, f"`{name}`")
            _deref_receiver(e, base)
            e.target = ("dual", name)
            e.ty = ret
            return e
        if name in FLOAT_ONLY_METHODS and isinstance(base, T.FloatT):
            params, ret = FLOAT_ONLY_METHODS[name]
            types = _float_only_types(base)
            e.args = self.check_args(e.args, [types[p] for p in params], e.span,
                                     f"`{name}`")
            _deref_receiver(e, base)
            e.target = ("math", name)
            e.ty = types[ret]
            return e
        if name in FLOAT_ONLY_METHODS and FLOAT_ONLY_METHODS[name] == ([], "bool"):
            # `x.is_nan()` of a dual tests its value, as a comparison does
            e.receiver.checked = True
            e.receiver = self.expr(ast.Field(e.receiver.span, e.receiver, "val"), None)
            return self.float_method(e, T.F64, expected)
        if name in FLOAT_ONLY_METHODS:
            self.rep.error(f"`{name}` has no derivative rule for `dual`",
                           e.method_span or e.span,
                           help="call it on the value, `.val`, or on a plain `f64`", code="SX0902")
            e.ty = T.NEVER
            return e
        if name == "to_string":
            e.target = ("builtin", "to_string")
            e.ty = T.STRING
            return e
        if name not in FLOAT_METHODS:
            self.rep.error(f"no method named `{name}` found for `{base}`",
                           e.method_span or e.span, help=_missing_method_help(name), code="SX0210")
            e.ty = T.NEVER
            return e
        arity = FLOAT_METHODS[name]
        if len(e.args) != arity:
            self.rep.error(f"`{name}` takes {arity} argument{'s' if arity != 1 else ''} "
                           f"but {len(e.args)} were supplied", e.span, code="SX0302")
            e.ty = base
            return e
        args = []
        result = base
        for a in e.args:
            if name == "powi":
                args.append(self.coerce(self.expr(a, T.I32), T.I32))
                continue
            a = self.expr(a, base)
            if isinstance(a.ty, T.DualT) and not isinstance(result, T.DualT):
                result = T.DUAL
            args.append(a)
        if isinstance(result, T.DualT) and not isinstance(base, T.DualT):
            e.receiver = self.promote(e.receiver)
        if name != "powi":
            args = [self.coerce(a, result) for a in args]
        e.args = args
        _deref_receiver(e, base)
        e.target = ("math", name)
        e.ty = result
        return e

    def char_method(self, e: ast.MethodCall, expected=None):
        """Check a method of `char`, which a prelude function `__char_NAME` implements."""
        name = e.method
        if name == "into" and not e.args and expected is not None and \
                T.prune(expected) == T.STRING:
            name = e.method = "to_string"  # `'z'.into()` where a `String` is expected
        if name == "to_string":
            e.target, e.ty = ("builtin", "to_string"), T.STRING
            return e
        if name in ("clone", "to_owned"):
            return self.copy_value(e.receiver, T.CHAR)
        if name in ("to_uppercase", "to_lowercase") and not e.args:
            # the mapping as a `String` (see `iter_chains.case_mapping_as_chars`)
            _deref_receiver(e, T.CHAR)
            e.receiver.checked = True
            text = ast.MethodCall(e.span, e.receiver, "to_string", [])
            return self.expr(ast.MethodCall(e.span, text, name, [], [], e.method_span), expected)
        if name == "to_digit":
            if len(e.args) != 1:
                e.args = self.check_args(e.args, [T.U32], e.span, "`to_digit`")
                e.ty = T.NEVER
                return e
            _deref_receiver(e, T.CHAR)
            e.receiver.checked = True
            call = ast.Call(e.span, ast.Path(e.span, ["__char_to_digit"]), [e.receiver, e.args[0]])
            return self.expr(call, expected)
        if name not in CHAR_METHODS:
            others = {"clone", "to_digit", "to_uppercase", "to_lowercase"}
            known = ", ".join(f"`{m}`" for m in sorted(set(CHAR_METHODS) | others))
            self.rep.error(f"no method named `{name}` found for `char` in sxc",
                           e.method_span or e.span,
                           help=f"sxc's `char` has `to_string` and {known}", code="SX0210")
            e.ty = T.NEVER
            return e
        params, ret = CHAR_METHODS[name]
        e.args = self.check_args(e.args, params, e.span, f"`{name}`")
        _deref_receiver(e, T.CHAR)
        e.target, e.ty = ("char", name), ret
        return e

    def byte_ascii_method(self, e: ast.MethodCall) -> ast.Expr:
        """Check an ASCII method of `u8` (`b.is_ascii_digit()`) as the `char` method
        of `b as char`, which gives the same result for every byte."""
        _deref_receiver(e, T.U8)
        span = e.receiver.span
        as_char = ast.Cast(span, e.receiver, ast.NamedType(span, ["char"]))
        as_char.ty = T.CHAR
        e.receiver = as_char
        result = self.char_method(e)
        if result.ty != T.CHAR:
            return result
        back = ast.Cast(e.span, result, ast.NamedType(e.span, ["u8"]))
        back.ty = T.U8
        return back

    def int_method(self, e: ast.MethodCall, base: T.IntT, expected):
        name = e.method
        if T.is_char(base):
            return self.char_method(e, expected)
        # `==` on an unsuffixed literal's type would bind it, so a literal is skipped
        if name in U8_ASCII_METHODS and not isinstance(base, T.LiteralVar) and base == T.U8:
            return self.byte_ascii_method(e)
        if name == "to_string":
            e.target, e.ty = ("builtin", "to_string"), T.STRING
            return e
        if name in CHECKED_METHODS and len(e.args) == CHECKED_METHODS[name] and \
                (base.signed or name != "checked_abs"):
            return self.option_checked(e, base, expected)
        if name not in INT_METHODS:
            self.rep.error(f"no method named `{name}` found for `{base}`",
                           e.method_span or e.span, help=_missing_method_help(name), code="SX0210")
            e.ty = T.NEVER
            return e
        params, ret, kinds = INT_METHODS[name]
        if kinds != "any" and (kinds == "signed") != base.signed:
            self.rep.error(f"no method named `{name}` found for `{base}`",
                           e.method_span or e.span,
                           help=f"`{name}` exists only for {kinds} integer types", code="SX0210")
            e.ty = T.NEVER
            return e
        types = _int_method_types(base)
        e.args = self.check_args(e.args, [types[p] for p in params], e.span, f"`{name}`")
        _deref_receiver(e, base)
        e.target = ("int", name)
        e.ty = types[ret]
        return e

    def seq_method(self, e: ast.MethodCall, base, expected):
        name = e.method
        elem = base.elem
        is_vec = isinstance(base, T.VecT)
        if is_vec and name in DEQUE_METHODS:
            e.method = name = DEQUE_METHODS[name]
        if is_vec and name == "push_front" and len(e.args) == 1:
            e.receiver.checked = True
            call = ast.MethodCall(e.span, e.receiver, "insert",
                                  [ast.IntLit(e.span, 0, "usize"), e.args[0]], [], e.method_span)
            return self.expr(call, expected)
        if is_vec and name == "pop_front" and not e.args:
            self._require_mut(e.receiver, "pop_front")
            return self.expr(_pop_front_block(e), expected)
        if name in ("rotate_left", "rotate_right") and len(e.args) == 1:
            self._require_mut(e.receiver, name)
            return self.expr(_rotate_block(e), expected)
        if name == "split_at" and len(e.args) == 1:
            return self.expr(_split_at_block(e), expected)
        if is_vec and name == "split_off" and len(e.args) == 1:
            self._require_mut(e.receiver, name)
            return self.expr(_split_off_block(e), expected)
        if is_vec and name == "swap_remove" and len(e.args) == 1:
            self._require_mut(e.receiver, name)
            return self.expr(_swap_remove_block(e), expected)
        if name == "len":
            e.args = self.check_args(e.args, [], e.span, "`len`")
            e.target, e.ty = ("seq", "len"), T.USIZE
            return e
        if name == "is_empty":
            e.target, e.ty = ("seq", "is_empty"), T.BOOL
            return e
        if name == "count" and _is_str_iterator(e.receiver):
            # these string iterators are sequences here, so counting them is `len`
            e.args = self.check_args(e.args, [], e.span, "`count`")
            if getattr(e.receiver, "iterator_result", False):
                e.method = "len"  # so that the printed program counts the same way
            e.target, e.ty = ("seq", "len"), T.USIZE
            return e
        if name == "push" and is_vec:
            self._check_mut_receiver(e.receiver, name)
            self._require_mut(e.receiver, "push")
            e.args = self.check_args(e.args, [elem], e.span, "`push`")
            e.target, e.ty = ("seq", "push"), T.UNIT
            return e
        if name == "pop" and is_vec:
            self._require_mut(e.receiver, "pop")
            if not getattr(e, "raw_pop", False):
                return self.option_pop(e, expected)
            e.target, e.ty = ("seq", "pop"), elem
            return e
        if name == "truncate" and is_vec:
            self._require_mut(e.receiver, "truncate")
            e.args = self.check_args(e.args, [T.USIZE], e.span, "`truncate`")
            e.target, e.ty = ("seq", "truncate"), T.UNIT
            return e
        if name == "clear" and is_vec:
            self._require_mut(e.receiver, "clear")
            e.target, e.ty = ("seq", "clear"), T.UNIT
            return e
        if name == "swap":
            self._require_mut(e.receiver, "swap")
            e.args = self.check_args(e.args, [T.USIZE, T.USIZE], e.span, "`swap`")
            e.target, e.ty = ("seq", "swap"), T.UNIT
            return e
        if name == "clone" and not e.args and isinstance(base, T.ArrayT) and \
                self._holds_vec(elem):
            # `[Vec<i32>; 2]`: each item gets its own copy, as in Rust.
            return self.expr(_clone_array_items(e, base.size), expected)
        if name in ("clone", "to_vec") and not e.args and self._holds_vec(elem) and \
                not isinstance(T.prune(elem), T.VecT):
            # the items own `Vec`s (`Vec<P>` with `struct P { tags: Vec<u8> }`): clone
            # each item, as Rust's clone does
            return self.expr(_clone_items(e, elem), expected)
        if name in ("clone", "to_vec", "collect"):
            # `v.iter().collect()` copies the items, as Rust collects new `&T`s; other
            # receivers of `collect` are new `Vec`s already (`s.split(',')`)
            copies = name != "collect" or isinstance(base, (T.ArrayT, T.SliceT)) or (
                isinstance(e.receiver, ast.MethodCall)
                and e.receiver.method in ("iter", "iter_mut"))
            e.target = ("seq", "clone" if copies else "identity")
            e.ty = T.VecT(elem) if not isinstance(base, T.ArrayT) or name != "clone" \
                else base
            if name == "collect" and not copies:
                e.ty = base
            return e
        if name == "iter" or name == "into_iter" and not e.args:
            # `for y in make().into_iter()` walks the items, as `iter` does
            e.target, e.ty = ("seq", "identity"), base
            return e
        # `v.iter()` and the string splitters are iterators in Rust, so
        # `.enumerate()` applies to them directly.
        if name == "enumerate" and isinstance(e.receiver, ast.MethodCall) and \
                e.receiver.method in ("iter", "lines", "split_whitespace", "split", "chars",
                                      "char_indices", "bytes"):
            e.args = self.check_args(e.args, [], e.span, "`enumerate`")
            e.target, e.ty = ("seq", "enumerate"), T.EnumerateT(base)
            return e
        if name in ("last", "first") and not e.args:
            return self.option_element(e, name, expected)
        if name == "get" and len(e.args) == 1:
            return self.option_element(e, name, expected)
        if name == "next" and not e.args and _is_str_iterator(e.receiver):
            # `s.chars()` is a slice of chars here, so its first item is element 0
            return self.option_element(e, "first", expected, by_value=True)
        if name == "contains" and len(e.args) == 1 and \
                isinstance(T.prune(elem), (T.StructT, T.TupleT, T.ArrayT, T.VecT)):
            # codegen compares scalars in place; aggregates go through their `==`
            receiver = e.receiver
            receiver.checked = True
            if not isinstance(receiver.ty, (T.RefT, T.SliceT)):
                receiver = ast.Ref(e.span, receiver, False)
            target = e.args[0] if isinstance(e.args[0], ast.Ref) else \
                ast.Ref(e.args[0].span, e.args[0], False)
            call = ast.Call(e.span, ast.Path(e.span, ["__seq_contains"]), [receiver, target])
            return self.expr(call, T.BOOL)
        if name == "contains" and len(e.args) == 1:
            e.args = [self.coerce(self.expr(e.args[0].operand if isinstance(
                e.args[0], ast.Ref) else e.args[0], elem), elem)]
            e.target, e.ty = ("seq", "contains"), T.BOOL
            return e
        if name in ("binary_search", "binary_search_by", "binary_search_by_key") \
                and len(e.args) == (2 if name.endswith("key") else 1):
            return self.expr(_binary_search_call(e), expected)
        if name == "drain" and is_vec and len(e.args) == 1 and \
                isinstance(e.args[0], ast.Range):
            self._require_mut(e.receiver, "drain")
            return self.expr(_drain_block(e), expected)
        if name in ("retain", "dedup_by_key", "dedup_by") and is_vec and len(e.args) == 1:
            self._require_mut(e.receiver, name)
            return self.expr(_retain_block(e), expected)
        if name == "concat" and not e.args and isinstance(T.prune(elem), T.VecT):
            receiver = e.receiver
            receiver.checked = True
            call = ast.Call(e.span, ast.Path(e.span, ["__seq_concat"]),
                            [receiver if isinstance(T.prune(receiver.ty), T.RefT)
                             else ast.Ref(receiver.span, receiver, False)])
            return self.expr(call, expected)
        if name in ("join", "concat") and isinstance(T.prune(elem), T.StrT):
            params = [T.STR] if name == "join" else []
            e.args = self.check_args(e.args, params, e.span, f"`{name}`")
            e.target, e.ty = ("seq", name), T.STRING
            return e
        pruned = T.prune(elem)
        if name == "sum" and isinstance(pruned, T.HoleT) and not e.args \
                and T.is_numeric(T.prune(expected) if expected is not None else None):
            # `let total: i64 = xs.iter().sum();` decides the items of `xs`, as in Rust
            pruned.bound = T.prune(expected)
            elem = pruned.bound
        if name in ("sum",) and T.is_numeric(elem):
            e.target, e.ty = ("seq", "sum"), elem
            return e
        if name in VEC_EDIT_METHODS or name in SEQ_EDIT_METHODS:
            return self.seq_edit_method(e, base)
        if name in REWRITTEN_SEQ_METHODS:
            # the rewrites above take only the forms Rust has
            arguments = REWRITTEN_SEQ_METHODS[name]
            count = len(e.args)
            self.rep.error(f"`{name}` takes {arguments} but {count} "
                           f"{'was' if count == 1 else 'were'} supplied"
                           if name != "drain" or count != 1 else
                           "`drain` takes a range, such as `a..b`, `a..` or `..`",
                           e.method_span or e.span, code="SX0302")
            e.args = [self.expr(a, None) for a in e.args]
            e.ty = T.NEVER
            return e
        help_text = None
        if name in iter_chains.ADAPTERS or name in iter_chains.SLICE_SOURCES:
            self.rep.error(f"sxc supports the iterator adapter `{name}` only in a chain that "
                           "ends in a consumer", e.method_span or e.span,
                           help="end the chain with `.sum::<T>()`, `.fold(..)`, "
                                "`.collect::<Vec<_>>()` or another consumer, or loop over it "
                                "with `for`", code="SX0807")
            e.ty = T.NEVER
            return e
        if name in ITERATOR_ADAPTERS:
            help_text = f"sxc has no iterator adapters such as `{name}`: write a `for` loop"
        self.rep.error(f"no method named `{name}` found for `{e.receiver.ty}`",
                       e.method_span or e.span, help=help_text, code="SX0210")
        e.ty = T.NEVER
        return e

    def seq_edit_method(self, e: ast.MethodCall, base):
        """Check the methods that change a sequence in place: `insert`, `sort`, ...."""
        name = e.method
        elem = base.elem
        if name in VEC_EDIT_METHODS and not isinstance(base, T.VecT):
            self.rep.error(f"no method named `{name}` found for `{e.receiver.ty}`",
                           e.method_span or e.span, help=f"`{name}` exists only for `Vec`",
                           code="SX0210")
            e.ty = T.NEVER
            return e
        if not isinstance(e.receiver.ty, T.SliceT):
            self._check_mut_receiver(e.receiver, name)
        self._require_mut(e.receiver, name)
        borrowed = isinstance(e.receiver.ty, T.RefT)
        if name == "resize_with" and len(e.args) == 2 and isinstance(base, T.VecT):
            return self.expr(_slot_filling_loop(e, borrowed), None)
        if name in ("resize", "fill") and len(e.args) == CLONING_EDITS[name] and \
                isinstance(T.prune(elem), T.HoleT):
            # `let mut v = Vec::new(); v.resize(n, x)`: `x` decides the item type
            value = self.coerce_arg(self.expr(e.args[-1], elem), elem)
            value.checked = True
            e.args[-1] = value
        if name == "extend_from_slice" and len(e.args) == 1 and \
                isinstance(T.prune(elem), T.HoleT):
            # `let mut v = Vec::new(); v.extend_from_slice(&rows)`: so do the items of `rows`
            source = e.args[0]
            if isinstance(source, ast.MethodCall) and source.method == "iter" and not source.args:
                source = source.receiver
            source = self.expr(source, None)
            seq = T.strip_refs(source.ty)
            if isinstance(seq, (T.VecT, T.ArrayT, T.SliceT)):
                elem == seq.elem  # binds the hole
            source.checked = True
            e.args[0] = source
        if name in CLONING_EDITS and len(e.args) == CLONING_EDITS[name] and \
                self._holds_vec(T.prune(elem)):
            # The items own `Vec`s, so each slot gets its own clone, as in Rust.
            return self.expr(_slot_filling_loop(e, borrowed, T.prune(elem)), None)
        params = {"insert": [T.USIZE, elem], "remove": [T.USIZE], "resize": [T.USIZE, elem],
                  "fill": [elem]}
        e.target, e.ty = ("seq", name), T.UNIT
        if name == "extend" and len(e.args) == 1 and _iterator_chain(e.args[0]):
            # `v.extend(a.iter().map(f))`: push each item of the chain
            return self.expr(_extend_loop(e, borrowed), None)
        if name in ("extend", "extend_from_slice"):
            if len(e.args) != 1:
                e.args = self.check_args(e.args, [T.VecT(elem)], e.span, f"`{name}`")
                return e
            e.args = [self.extend_source(e.args[0], elem, name)]
            return e
        e.args = self.check_args(e.args, params.get(name, []), e.span, f"`{name}`")
        if name == "remove":
            e.ty = elem
        if name in ("sort", "sort_unstable") and (
                isinstance(elem, (T.TupleT, T.StrT, T.EnumT, T.VecT, T.ArrayT))
                and self.totally_ordered(elem)
                or isinstance(elem, T.StructT) and self.has_method(elem.struct, "cmp")):
            return self.sort_by_less(e)
        # `==` would bind an open item type (`Vec::new()` before its first push)
        open_item = isinstance(T.prune(elem), T.HoleT)
        if name in ("sort", "sort_unstable") and not (
                T.is_int(elem) or T.is_char(elem) or isinstance(T.prune(elem), T.BoolT)
                or open_item):
            self.rep.error(f"`{name}` needs elements with a total order, not `{elem}`",
                           e.method_span or e.span,
                           help="`sort` needs `Ord`: integers, `char`, `bool`, strings, and "
                                "tuples, enums and structs of them that derive `Ord`" + (
                               "; floats have no total order because of NaN"
                               if T.is_float(elem) or isinstance(elem, T.DualT) else ""),
                           code="SX0311")
        if name == "dedup" and not e.args and \
                isinstance(T.prune(elem), (T.StructT, T.EnumT, T.TupleT, T.VecT, T.ArrayT)):
            # `v.dedup()` of structs, enums or tuples compares them with their `==`
            span = e.span
            e.receiver.checked = True
            same = ast.Binary(span, "==", ast.Unary(span, "*", ast.Path(span, ["__dedup_a"])),
                              ast.Unary(span, "*", ast.Path(span, ["__dedup_b"])),
                              e.method_span)
            test = ast.Closure(span, [("__dedup_a", None), ("__dedup_b", None)], None, same)
            return self.expr(ast.MethodCall(span, e.receiver, "dedup_by", [test], [],
                                            e.method_span), None)
        if name == "dedup" and not (T.is_numeric(elem) or T.is_char(elem) or open_item or
                                    isinstance(T.prune(elem), (T.BoolT, T.StrT))):
            self.rep.error(f"`dedup` compares elements with `==`, which `{elem}` lacks",
                           e.method_span or e.span, code="SX0311")
        return e

    def totally_ordered(self, t: T.Type) -> bool:
        """`_totally_ordered`, with enums without data that derive `Ord`."""
        if isinstance(t, T.TupleT):
            return all(self.totally_ordered(item) for item in t.items)
        if isinstance(t, T.EnumT):
            edef = self.program.enums.get(t.enum)
            return edef is not None and "Ord" in edef.derives and self.ordered_enum(t)
        if isinstance(t, T.StructT):
            return self.has_method(t.struct, "cmp")  # `#[derive(Ord)]` or `impl Ord`
        if isinstance(t, (T.VecT, T.ArrayT)):
            return self.totally_ordered(T.prune(t.elem))  # lexicographic, see `__seq_cmp`
        return _totally_ordered(t)

    def string_order(self, e: ast.Binary) -> ast.Expr:
        """Check `a < b` (or `<=`, `>`, `>=`) on strings as `__str_cmp(a, b) < 0`, the
        byte-wise order of Rust's `str`."""
        span = e.span
        e.left.checked = True
        e.right.checked = True
        order = ast.Call(span, ast.Path(span, ["__str_cmp"]), [e.left, e.right])
        return self.expr(ast.Binary(span, e.op, order, ast.IntLit(span, 0, "i64"), e.op_span),
                         T.BOOL)

    def sort_by_less(self, e: ast.MethodCall) -> ast.Expr:
        """Check `v.sort()` of tuples or strings as `__sort_by(&mut v, |a, b| a < b)`,
        a stable sort by the lexicographic order that `<` gives them."""
        span = e.span
        receiver = e.receiver
        receiver.checked = True
        ty = receiver.ty
        if not (isinstance(ty, (T.RefT, T.SliceT)) and ty.mutable):
            receiver = ast.Ref(span, receiver, True)
        less = ast.Closure(span, [("a", None), ("b", None)], None,
                           ast.Binary(span, "<", ast.Path(span, ["a"]), ast.Path(span, ["b"]),
                                      e.method_span))
        return self.expr(ast.Call(span, ast.Path(span, ["__sort_by"]), [receiver, less]), T.UNIT)

    def extend_source(self, arg: ast.Expr, elem, name: str) -> ast.Expr:
        """Check the sequence that `extend` or `extend_from_slice` appends."""
        if isinstance(arg, ast.MethodCall) and arg.method == "iter" and not arg.args:
            arg = arg.receiver
        arg = self.expr(arg, T.SliceT(elem) if isinstance(arg, ast.Ref) else T.VecT(elem))
        src = T.strip_refs(arg.ty)
        if isinstance(src, (T.VecT, T.ArrayT, T.SliceT)) and T.prune(src.elem) == elem:
            return arg
        if not isinstance(src, T.NeverT):
            self.rep.error(f"`{name}` takes a sequence of `{elem}`, not `{arg.ty}`", arg.span,
                           code="SX0301")
        return arg

    def string_method(self, e: ast.MethodCall):
        """Check `push_str`, `push`, `as_bytes`, `chars`, case mapping and `repeat`."""
        name = e.method
        params, ret = STRING_METHODS[name]
        e.args = self.check_args(e.args, params, e.span, f"`{name}`")
        e.target, e.ty = ("str", name), ret
        if name in ("push_str", "push", "clear", "truncate", "insert", "insert_str"):
            self.check_place(e.receiver, e.span)
            # NOTE: `String` and `&str` share one type, so a `&str` variable
            # accepts `push_str` too.
        return e

    def collect_push(self, e: ast.MethodCall):
        """Check the append of one item of a chain collected into a `String`."""
        item = self.expr(e.args[0], None)
        item_type = T.prune(item.ty)
        while isinstance(item_type, T.RefT) and not isinstance(item_type, T.BoxT) and \
                T.strip_refs(item_type) == T.CHAR:
            item = _deref(item)  # `&char` items, as `s.last()` gives them
            item_type = T.prune(item.ty)
        if item_type == T.CHAR:
            e.method = "push"
        elif isinstance(T.strip_refs(item_type), T.StrT):
            e.method = "push_str"
            item = self.coerce(item, T.STR)
        else:
            if not isinstance(item_type, T.NeverT):
                self.rep.error(f"a `String` cannot be collected from items of type "
                               f"`{item.ty}`", item.span,
                               help="collect `char`s or strings, or collect into a `Vec`",
                               code="SX0301")
            e.ty = T.NEVER
            return e
        e.args = [item]
        e.target, e.ty = ("str", e.method), T.UNIT
        return e

    def _require_mut(self, receiver: ast.Expr, method: str) -> None:
        self.note_mutation(receiver)
        t = receiver.ty
        if isinstance(t, T.RefT) and not t.mutable:
            self.rep.error(f"cannot call `{method}` through a `&` reference",
                           receiver.span, help="take `&mut` instead", code="SX0402")

    def str_method(self, e: ast.MethodCall, expected):
        name = e.method
        if name in STRING_METHODS:
            return self.string_method(e)
        table = {
            "lines": ([], T.VecT(T.STR)),
            "split_whitespace": ([], T.VecT(T.STR)),
            "trim": ([], T.STR),
            "len": ([], T.USIZE),
            "is_empty": ([], T.BOOL),
            "to_string": ([], T.STRING),
            "to_owned": ([], T.STRING),
            "as_str": ([], T.STR),
            "clone": ([], T.STRING),
            "starts_with": ([T.STR], T.BOOL),
            "ends_with": ([T.STR], T.BOOL),
            "contains": ([T.STR], T.BOOL),
            "split": ([T.STR], T.VecT(T.STR)),
        }
        if name == iter_chains.COLLECT_PUSH:
            return self.collect_push(e)
        if name == "split_at" and len(e.args) == 1:
            return self.expr(_split_at_block(e), expected)
        if name == "into" and not e.args and T.prune(expected) == T.STRING:
            e.method = name = "to_string"  # `"x".into()` where a `String` is expected
        if name == "as_ref" and not e.args:
            e.method = name = "as_str"  # `s.as_ref()` with a bound `S: AsRef<str>`
        if name == "replace" and len(e.args) == 2:
            # the pattern may be a `char`, as in `split`
            pattern = self.expr(e.args[0], None)
            if T.prune(pattern.ty) != T.CHAR:
                pattern = self.coerce(pattern, T.STR)
            e.args = [pattern, self.coerce(self.expr(e.args[1], T.STR), T.STR)]
            e.target, e.ty = ("str", name), T.STRING
            return e
        if name in ("split", "find", "rfind") and len(e.args) == 1 and \
                isinstance(e.args[0], ast.Closure):
            # a `char` predicate as the pattern: `s.split(|c: char| !c.is_alphanumeric())`
            e.receiver.checked = True
            call = ast.Call(e.span, ast.Path(e.span, [f"__str_{name}_by"]),
                            [e.receiver, e.args[0]])
            return self.expr(call, expected)
        if name in CHAR_PATTERN_METHODS and len(e.args) == 1:
            # Rust's `Pattern` accepts a `char` as well as a `&str`
            arg = self.expr(e.args[0], None)
            if T.prune(arg.ty) != T.CHAR:
                arg = self.coerce(arg, T.STR)
            e.args = [arg]
            e.target, e.ty = ("str", name), table[name][1]
            return e
        if name in table:
            params, ret = table[name]
            e.args = self.check_args(e.args, params, e.span, f"`{name}`")
            e.target, e.ty = ("str", name), ret
            return e
        if name == "parse":
            if getattr(e, "from_radix", False):
                e.args = [self.coerce(self.expr(e.args[0], T.U32), T.U32)]
            elif e.args:
                count = len(e.args)
                self.rep.error(f"`parse` takes 0 arguments but {count} "
                               f"{'was' if count == 1 else 'were'} supplied", e.span,
                               help="write the target type as `s.parse::<f64>()`",
                               code="SX0302")
                e.args = []  # never checked, so no closure among them is compiled
            target = None
            if e.type_args:
                target = self.resolve_type(e.type_args[0])
            elif isinstance(expected, T.ParseResultT):
                target = expected.value
            elif self.result_args(expected) is not None:
                target = self.result_args(expected)[0]
            if target is None and getattr(e, "decided_later", False):
                # a later use decides, as in `v.push(s.parse().unwrap())` (see `fill_holes`)
                target = T.HoleT()
                self.parse_holes.append((target, e.span))
            if target is None:
                self.parse_target_error(e.span)
                target = T.F64
            owner = T.prune(target)
            if isinstance(owner, (T.StructT, T.EnumT)) and \
                    f"{owner.name()}::from_str" in self.sigs and not e.args:
                # `impl FromStr for Point`: `s.parse::<Point>()` is `Point::from_str(s)`
                e.receiver.checked = True
                call = ast.Call(e.span, ast.Path(e.method_span or e.span,
                                                 [owner.name(), "from_str"]), [e.receiver])
                return self.expr(call, None)
            if not isinstance(target, T.HoleT) and not _parsable(target):
                self.parse_target_error(e.span, target)
            e.target, e.ty = ("str", "parse"), T.ParseResultT(target)
            if getattr(e, "read_directly", False):
                return e
            return self.parse_result(e)
        if name in ("find", "rfind", "split_once", "strip_prefix", "strip_suffix") \
                and len(e.args) == 1:
            return self.option_str_search(e, expected)
        if name in STR_PRELUDE_METHODS:
            return self.str_prelude_call(e, STR_PRELUDE_METHODS[name])
        if name == "pop" and not e.args:
            e.receiver.checked = True
            call = ast.Call(e.span, ast.Path(e.span, ["__string_pop"]),
                            [ast.Ref(e.receiver.span, e.receiver, True)])
            return self.expr(call, expected)
        if name == "remove" and len(e.args) == 1:
            self._require_mut(e.receiver, "remove")
            e.receiver.checked = True
            call = ast.Call(e.span, ast.Path(e.span, ["__string_remove"]),
                            [ast.Ref(e.receiver.span, e.receiver, True), e.args[0]])
            return self.expr(call, expected)
        known = ", ".join(f"`{m}`" for m in sorted(
            set(table) | set(STRING_METHODS) | set(STR_PRELUDE_METHODS)
            | {"parse", "char_indices"}))
        self.rep.error(f"no method named `{name}` found for `&str`",
                       e.method_span or e.span, help=f"sxc's strings have {known}", code="SX0210")
        e.ty = T.NEVER
        return e

    def str_prelude_call(self, e: ast.MethodCall, spec) -> ast.Expr:
        """Check `s.NAME(args)` as a call of the prelude function that implements it,
        with a `char` argument turned into a one-character string."""
        function, arity = spec
        if len(e.args) != arity:
            e.args = self.check_args(e.args, [T.STR] * arity, e.span, f"`{e.method}`")
            e.ty = T.NEVER
            return e
        e.receiver.checked = True
        args = [e.receiver]
        for arg in e.args:
            arg = self.expr(arg, None)
            arg.checked = True
            if T.is_char(T.prune(arg.ty)):
                arg = ast.MethodCall(arg.span, arg, "to_string", [], [], arg.span)
            args.append(arg)
        return self.expr(ast.Call(e.span, ast.Path(e.span, [function]), args), None)

    # ------------------------------------------------------------ places

    def e_Field(self, e: ast.Field, expected):
        e.base = self.expr(e.base, None)
        base = T.strip_refs(e.base.ty)
        if isinstance(base, T.DualT) and e.name in ("val", "der"):
            e.ty = T.F64
            return e
        if isinstance(base, T.StructT):
            fields = self.structs.get(base.struct, {})
            if e.name in fields:
                name_at = Span(e.span.file, e.span.end_line, e.span.end_col - len(e.name),
                               e.span.end_line, e.span.end_col)
                if not getattr(e, "derived_access", False):
                    self.check_field_visible(base.struct, e.name, name_at)
                e.ty = fields[e.name]
                return e
            self.rep.error(f"no field `{e.name}` on type `{base}`", e.span,
                           help="its fields are " + ", ".join(f"`{f}`" for f in fields)
                           if fields else None, code="SX0211")
            e.ty = T.NEVER
            return e
        if not isinstance(base, T.NeverT):
            self.rep.error(f"no field `{e.name}` on type `{e.base.ty}`", e.span, code="SX0211")
        e.ty = T.NEVER
        return e

    def e_TupleField(self, e: ast.TupleField, expected):
        e.base = self.expr(e.base, None)
        base = T.strip_refs(e.base.ty)
        if isinstance(base, T.TupleT) and e.index < len(base.items):
            e.ty = base.items[e.index]
            return e
        field = tuple_struct_field(self, e, base)
        if field is not None:
            return field
        if not isinstance(base, T.NeverT):
            self.rep.error(f"no field `{e.index}` on type `{e.base.ty}`", e.span, code="SX0211")
        e.ty = T.NEVER
        return e

    def e_Index(self, e: ast.Index, expected):
        e.base = self.expr(e.base, None)
        if isinstance(e.index, ast.Range):
            return self.range_slice(e)
        if self.collection_kind(e.base.ty) == "map":
            return self.map_index(e, expected)
        if isinstance(T.strip_refs(e.base.ty), T.StructT):
            return self.index_call(e, T.strip_refs(e.base.ty).struct, expected)
        e.index = self.expr(e.index, T.USIZE)
        if isinstance(e.index.ty, T.IntVar):
            e.index.ty.bind(T.USIZE)
        base = T.strip_refs(e.base.ty)
        if not T.is_int(e.index.ty) and not isinstance(e.index.ty, T.NeverT):
            self.rep.error(f"the index must be an integer, not `{e.index.ty}`",
                           e.index.span, help="convert it with `as usize`", code="SX0308")
        if isinstance(base, (T.VecT, T.ArrayT, T.SliceT)):
            e.ty = base.elem
            return e
        if not isinstance(base, T.NeverT):
            self.rep.error(f"cannot index into a value of type `{e.base.ty}`", e.span,
                           code="SX0308")
        e.ty = T.NEVER
        return e

    def range_slice(self, e: ast.Index) -> ast.Expr:
        """Type `v[a..b]`, `v[a..]`, `v[..b]` or `v[..]` as a slice of `v`."""
        rng: ast.Range = e.index
        for end in ("start", "end"):
            bound = getattr(rng, end)
            if bound is not None:
                bound = self.coerce(self.expr(bound, T.USIZE), T.USIZE)
                setattr(rng, end, bound)
        if rng.inclusive and rng.end is None:
            self.rep.error("an inclusive range needs an end", rng.span, code="SX0318")
        rng.ty = T.RangeT(T.USIZE)
        base = T.strip_refs(e.base.ty)
        if isinstance(base, (T.VecT, T.ArrayT, T.SliceT)):
            e.ty = T.SliceT(base.elem)
            return e
        if isinstance(base, T.StrT):
            e.ty = T.STR
            return e
        if not isinstance(base, T.NeverT):
            self.rep.error(f"cannot slice a value of type `{e.base.ty}`", e.span, code="SX0308")
        e.ty = T.NEVER
        return e

    # ------------------------------------------------------------ literals

    def e_StructLit(self, e: ast.StructLit, expected):
        name = e.name
        if e.base is None:
            made = self.variant_constructor(e, name.split("::"), e.fields, "struct", expected)
            if made is not None:
                return made
        if name == "Self" and self.self_struct:
            name = self.self_struct
            e.name = name
        if name in self.generic_structs:
            return self.generic_struct_lit(e, expected)
        fields = self.structs.get(name)
        if fields is None:
            self.rep.error(f"cannot find struct `{name}` in this scope",
                           e.name_span or e.span, code="SX0202")
            e.ty = T.NEVER
            return e
        if e.type_args:
            count = len(e.type_args)
            self.rep.error(f"struct `{name}` takes 0 generic arguments but {count} "
                           f"{'was' if count == 1 else 'were'} supplied",
                           e.name_span or e.span, help=f"write `{name} {{ .. }}` without `::<..>`",
                           code="SX0303")
        if e.base is not None:
            return self.expr(self.struct_update(e, name, fields), expected)
        given = {}
        out = []
        for fname, value in e.fields:
            if fname not in fields:
                self.rep.error(f"struct `{name}` has no field named `{fname}`", value.span,
                               code="SX0211")
                continue
            if fname in given:
                self.rep.error(f"field `{fname}` specified more than once", value.span,
                               code="SX0312")
            given[fname] = True
            self.check_field_visible(name, fname, value.span)
            ft = fields[fname]
            out.append((fname, self.coerce(self.expr(value, ft), ft)))
        missing = [f for f in fields if f not in given]
        if missing:
            names = ", ".join(f"`{m}`" for m in missing)
            self.rep.error(f"missing field{'s' if len(missing) > 1 else ''} {names} in "
                           f"initializer of `{name}`", e.name_span or e.span, code="SX0312")
        e.fields = out
        e.ty = T.StructT(name)
        return e

    def struct_update(self, e: ast.StructLit, name: str, fields: dict) -> ast.Block:
        """Rewrite `S { a: x, ..base }` as a block that takes the other fields from base.

        NOTE: `base` is evaluated before the given fields, where Rust evaluates it last."""
        self.eq_temps += 1
        base = f"__base{self.eq_temps}"
        span = e.span
        given = {f for f, _ in e.fields}
        rest = [(f, ast.Field(span, ast.Path(span, [base]), f)) for f in fields
                if f not in given]
        let = ast.Let(span, ast.NamePattern(span, base), ast.NamedType(span, [name]), e.base)
        literal = ast.StructLit(span, name, list(e.fields) + rest, e.name_span)
        return ast.Block(span, [let], literal)

    def e_ArrayLit(self, e: ast.ArrayLit, expected):
        elem = expected.elem if isinstance(expected, (T.ArrayT, T.VecT)) else None
        items = []
        for item in e.items:
            item = self.expr(item, elem)
            if elem is None:
                elem = item.ty
            items.append(self.coerce(item, elem))
        e.items = items
        if elem is None:
            self.rep.error("cannot infer the type of an empty array", e.span, code="SX0304")
            elem = T.F64
        e.ty = self.check_type_nesting(T.ArrayT(elem, len(items)), e.span)
        return e

    def e_ArrayRepeat(self, e: ast.ArrayRepeat, expected):
        elem = expected.elem if isinstance(expected, T.ArrayT) else None
        e.value = self.expr(e.value, elem)
        if elem is not None:
            e.value = self.coerce(e.value, elem)
        count = self.array_length(e.count, e.span)
        if count is None:
            e.ty = T.NEVER
            e.size = 0
            return e
        item = T.prune(e.value.ty)
        if count > 1 and (isinstance(item, T.StrT) and item.owned or self._holds_vec(item)):
            # Every item would share the memory of the one value.
            self.rep.error(f"the trait `Copy` is not implemented for `{item}`", e.value.span,
                           help="`[x; n]` copies `x`; write `vec![x; n]`, which clones it, "
                                "or write the items out", code="SX0311")
        e.ty = self.check_type_nesting(T.ArrayT(e.value.ty, count), e.span)
        e.size = count
        return e

    def e_VecLit(self, e: ast.VecLit, expected):
        elem = expected.elem if isinstance(expected, T.VecT) else None
        if e.count is not None:
            e.count = self.coerce(self.expr(e.count, T.USIZE), T.USIZE)
        items = []
        for item in e.items:
            item = self.expr(item, elem)
            if elem is None:
                elem = item.ty
            items.append(self.coerce(item, elem))
        e.items = items
        if elem is None:
            elem = self.new_hole(e.span)
        if e.count is not None and items and not isinstance(T.prune(elem), (T.VecT, T.HoleT)) \
                and self._holds_vec(T.prune(elem)):
            return self.expr(_repeat_clones(e, T.prune(elem)), expected)
        e.ty = T.VecT(elem)
        return e

    def e_TupleLit(self, e: ast.TupleLit, expected):
        exp_items = expected.items if isinstance(expected, T.TupleT) and \
            len(expected.items) == len(e.items) else [None] * len(e.items)
        e.items = [self.coerce(self.expr(i, t), t) for i, t in zip(e.items, exp_items)]
        e.ty = self.check_type_nesting(T.TupleT(tuple(i.ty for i in e.items)), e.span)
        return e

    # ------------------------------------------------------------ control flow

    def e_Block(self, e: ast.Block, expected):
        return self.block(e, expected)

    def e_If(self, e: ast.If, expected):
        e.cond = self.expr(e.cond, T.BOOL)
        e.soft = isinstance(e.cond.ty, T.DualT)
        if not e.soft:
            e.cond = self.coerce(self._integer_condition(e.cond), T.BOOL)
        e.then = self.block(e.then, expected)
        if e.else_ is None:
            if not isinstance(e.then.ty, (T.UnitT, T.NeverT)):
                self.rep.error("`if` may be missing an `else` clause", e.span,
                               help=f"the `if` arm has type `{e.then.ty}`; add an `else` "
                                    "arm of that type", code="SX0301")
            e.ty = T.UNIT
            return e
        e.else_ = self.expr(e.else_, expected or e.then.ty)
        tt, et = e.then.ty, e.else_.ty
        if isinstance(tt, T.NeverT):
            e.ty = et
        elif isinstance(et, T.NeverT) or tt == et:
            e.ty = tt
        elif isinstance(tt, T.DualT) or isinstance(et, T.DualT):
            e.ty = T.DUAL
            self._coerce_arm(e, T.DUAL)
        elif _holds_trait_object(expected):
            # `if a { Box::new(Circle { .. }) } else { Box::new(Square { .. }) }`
            self._coerce_arm(e, expected)
            e.ty = expected
        else:
            if e.else_ is not None and _tail(e.else_) is not None and \
                    _is_literal(_tail(e.else_)):
                self._coerce_arm(e, tt)
                e.ty = tt
            elif _tail(e.then) is not None and _is_literal(_tail(e.then)):
                self._coerce_arm(e, et)
                e.ty = et
            else:
                self.rep.error(f"`if` and `else` have incompatible types: `{tt}` and "
                               f"`{et}`", e.else_.span, code="SX0301")
                e.ty = tt
        if e.soft and isinstance(e.ty, T.FloatT) and not isinstance(expected, T.FloatT):
            # a blend of two numbers by a dual probability is itself a dual,
            # unless the context expects a plain float (then the value of p blends)
            self._coerce_arm(e, T.DUAL)
            e.ty = T.DUAL
        return e

    def _coerce_arm(self, e: ast.If, ty: T.Type) -> None:
        for arm in (e.then, e.else_):
            self._coerce_tail(arm, ty)

    def _coerce_tail(self, arm: ast.Expr, ty: T.Type) -> None:
        if isinstance(arm, ast.Block) and arm.tail is not None:
            arm.tail = self.coerce(arm.tail, ty)
            arm.ty = arm.tail.ty
        elif isinstance(arm, ast.If):
            self._coerce_arm(arm, ty)
            arm.ty = ty

    def e_While(self, e: ast.While, expected):
        e.cond = self.coerce(self._integer_condition(self.expr(e.cond, T.BOOL)), T.BOOL)
        self.labels.append(e.label)
        self.loops.append([])
        e.body = self.block(e.body, T.UNIT)
        self.loops.pop()
        self.labels.pop()
        e.ty = T.UNIT
        return e

    def e_Loop(self, e: ast.Loop, expected):
        self.labels.append(BlockLabel(e.label) if getattr(e, "labelled_block", False)
                           else e.label)
        self.loops.append([])
        e.body = self.block(e.body, T.UNIT)
        breaks = self.loops.pop()
        self.labels.pop()
        values = [t for t in breaks if t is not None]
        if not breaks:
            e.ty = T.NEVER
        elif values:
            e.ty = values[0]
        else:
            e.ty = T.UNIT
        return e

    def e_For(self, e: ast.For, expected):
        if isinstance(e.pattern, ast.SlicePattern):
            # `for [p, q] in pairs` binds the item, then its parts.
            item = f"__item_{e.pattern.span.line}_{e.pattern.span.col}"
            e.body.stmts.insert(0, ast.Let(e.pattern.span, e.pattern, None,
                                           ast.Path(e.pattern.span, [item])))
            e.pattern = ast.NamePattern(e.pattern.span, item)
        else:
            e.body.stmts[0:0] = _lift_slice_patterns(e.pattern)
        self.option_iter_loop(e)
        _index_kept_items(e, self.borrowed_sequence(e.iter))
        if isinstance(e.iter, ast.MethodCall) and e.iter.method == "enumerate" and \
                isinstance(e.iter.receiver, ast.MethodCall) and \
                e.iter.receiver.method == "into_iter" and not e.iter.receiver.args:
            # the items are values either way, and the loop is the last use of the owner
            e.iter.receiver.method = "iter"
        e.iter = self.collection_loop_iter(e.iter)
        borrows.check_loop(e, self.rep)
        pulled = user_iterators.rewrite_for(self, e)
        if pulled is not None:
            return self.expr(pulled, expected)
        if isinstance(e.iter, ast.Range) and e.iter.start is not None and e.iter.end is None:
            return self.expr(self._open_range_loop(e), expected)
        adapted = range_adapters.adapted_range(e.iter)
        if adapted is not None:
            return self.adapted_range_loop(e, *adapted, expected)
        stepped = range_adapters.stepped_reversed(e.iter)
        if stepped is not None and not _is_char_literal_range(stepped[0]):
            self.fresh_count += 1
            count = self.fresh_count
            return self.expr(range_adapters.rewrite_stepped_reversed(
                e, *stepped, lambda stem: f"__{stem}_{count}"), expected)
        chain = self.iter_chain_loop(e, expected)
        if chain is not None:
            return chain
        if self.mutable_seq_local(e.iter):
            e.iter = ast.Ref(e.iter.span, e.iter, True)
        if seq_adapters.wants_rewrite(e.iter):
            return self.adapted_seq_loop(e, expected)
        if _is_char_literal_range(e.iter):
            self.fresh_count += 1
            return self.expr(_char_range_loop(e, f"__code_{self.fresh_count}"), expected)
        if isinstance(e.iter, ast.Range):
            e.iter = self.range_iter(e.iter)
        else:
            e.iter = self.expr(e.iter, None)
        it = e.iter.ty
        base = T.strip_refs(it)
        if isinstance(base, T.EnumT) and \
                self.instance_of.get(base.enum, (None,))[0] == self.program.prelude_key("Option"):
            return self.expr(_option_loop(e), expected)
        if isinstance(it, T.RangeT):
            elem = it.elem
        elif isinstance(it, T.EnumerateT):
            elem = T.TupleT((T.USIZE, T.strip_refs(it.seq).elem))
        elif isinstance(base, (T.VecT, T.ArrayT, T.SliceT)):
            # NOTE: the element binds by value, where Rust binds `&T`, so `x` is
            # no `&f64` for an annotation or a `&f64` parameter (docs/decisions.md)
            elem = base.elem
        else:
            if not isinstance(it, T.NeverT):
                self.rep.error(f"cannot iterate over a value of type `{it}`", e.iter.span,
                               code="SX0309")
            elem = T.NEVER
        self.scopes.append({})
        self.bind(e.pattern, elem, "let")
        e.pattern = getattr(e.pattern, "fields_pattern", e.pattern)
        self.labels.append(e.label)
        self.loops.append([])
        e.body = self.block(e.body, T.UNIT)
        self.loops.pop()
        self.labels.pop()
        self.scopes.pop()
        e.elem_ty = elem
        e.ty = T.UNIT
        return e

    def option_iter_loop(self, e: ast.For) -> None:
        """Rewrite `for x in opt.iter()` (or `into_iter()`) over an `Option` as the loop
        over `opt`, and `for (i, x) in opt.iter().enumerate()` as that loop with `i`
        bound to 0, the index of the one item."""
        it, index = e.iter, None
        if isinstance(it, ast.MethodCall) and it.method == "enumerate" and not it.args and \
                isinstance(e.pattern, ast.TuplePattern) and len(e.pattern.items) == 2:
            it, index = it.receiver, e.pattern.items[0]
        if not (isinstance(it, ast.MethodCall) and it.method in ("iter", "into_iter") and
                not it.args and isinstance(it.receiver, (ast.Path, ast.Field))):
            return
        ty = T.strip_refs(T.prune(self.probe_type(it.receiver) or T.UNIT))
        generic = self.instance_of.get(ty.enum, (None,))[0] if isinstance(ty, T.EnumT) else None
        if generic != self.program.prelude_key("Option"):
            return
        if index is not None:
            span = e.pattern.span
            e.body.stmts.insert(0, ast.Let(span, index, None, ast.IntLit(span, 0, "usize")))
            e.pattern = e.pattern.items[1]
        e.iter = it.receiver

    def borrowed_sequence(self, seq: ast.Expr) -> bool:
        """Return whether `seq` is a local that is a shared reference to a sequence
        (`v: &[P]`, `&Vec<P>`), whose loop binds references to the items."""
        if not isinstance(seq, ast.Path) or len(seq.segments) != 1:
            return False
        local = self.lookup(seq.segments[0])
        ty = T.prune(local.ty) if local is not None else None
        return isinstance(ty, T.SliceT) and not ty.mutable or \
            isinstance(ty, T.RefT) and not ty.mutable and not isinstance(ty, T.BoxT) and \
            isinstance(ty.inner, (T.VecT, T.ArrayT))

    def adapted_seq_loop(self, e: ast.For, expected):
        """Check `for x in v.iter_mut()`, `a.iter().zip(b.iter())` and the like as the
        counted loop they mean."""
        for seq, mutable in seq_adapters.sources(e.iter):
            if not self.seq_source_ok(seq, mutable):
                e.ty = T.NEVER
                return e
        self.fresh_count += 1
        count = self.fresh_count
        names = iter(range(1000))
        block = seq_adapters.rewrite_seq_loop(
            e, lambda stem: f"__{stem}_{count}_{next(names)}")
        return self.expr(block, expected)

    def string_from(self, e: ast.Call, expected):
        """`String::from(s)` is `s.to_string()`."""
        m = ast.MethodCall(e.span, e.args[0], "to_string", [], [], e.span)
        m = self.e_MethodCall(m, expected)
        if not isinstance(T.strip_refs(m.receiver.ty), (T.StrT, T.NeverT)) and \
                T.strip_refs(m.receiver.ty) != T.CHAR:  # `String::from('q')` is a string too
            self.rep.error(f"`String::from` takes a string, not `{m.receiver.ty}`",
                           m.receiver.span, help="call `.to_string()` on it", code="SX0301")
        return m

    def mutable_seq_local(self, seq: ast.Expr) -> bool:
        """Whether `seq` names a `&mut [T]` or `&mut Vec<T>`, whose loop yields `&mut T`."""
        if not isinstance(seq, ast.Path) or len(seq.segments) != 1:
            return False
        local = self.lookup(seq.segments[0])
        if local is None:
            return False
        t = T.prune(local.ty)
        if isinstance(t, T.SliceT):
            return t.mutable
        return isinstance(t, T.RefT) and t.mutable and \
            isinstance(T.strip_refs(t), (T.VecT, T.ArrayT, T.SliceT))

    def seq_source_ok(self, seq: ast.Expr, mutable: bool) -> bool:
        """Report a local that a rewritten loop cannot iterate, or borrow `mut`."""
        if not isinstance(seq, ast.Path) or len(seq.segments) != 1:
            return True
        local = self.lookup(seq.segments[0])
        if local is None:
            return True
        t = T.strip_refs(local.ty)
        if not isinstance(t, (T.VecT, T.ArrayT, T.SliceT, T.NeverT, T.HoleT)):
            self.rep.error(f"cannot iterate over a value of type `{local.ty}`", seq.span,
                           code="SX0309")
            return False
        name = seq.segments[0]
        ref_mut = isinstance(local.ty, T.RefT) and local.ty.mutable or \
            isinstance(local.ty, T.SliceT) and local.ty.mutable
        local.mutated = local.mutated or mutable
        if mutable and not local.mutable and not ref_mut:
            self.rep.error(f"cannot borrow `{name}` as mutable, as it is not declared "
                           "as mutable", seq.span, help=f"declare it with `let mut {name}`",
                           code="SX0403")
            return False
        return True

    def adapted_range_loop(self, e: ast.For, rng: ast.Range, adapter: ast.MethodCall,
                           expected):
        """Check `for p in (a..b).rev()` or `.step_by(s)` as the `while` loop it means."""
        wanted = 1 if adapter.method == "step_by" else 0
        if len(adapter.args) != wanted:
            self.rep.error(f"`{adapter.method}` takes {wanted} argument"
                           f"{'' if wanted == 1 else 's'}, found {len(adapter.args)}",
                           adapter.method_span or adapter.span, code="SX0302")
            e.ty = T.NEVER
            return e
        if _is_char_literal_range(rng):
            # loop over the code points with the same adapter, as a plain range does
            self.fresh_count += 1
            e.iter = rng
            codes = _char_range_loop(e, f"__code_{self.fresh_count}")
            adapter.receiver = codes.iter
            codes.iter = adapter
            return self.expr(codes, expected)
        elem = self.range_iter(rng).ty.elem
        unbound = isinstance(elem, T.IntVar) and elem.bound is None
        type_name = None if unbound or not T.is_int(elem) else elem.name()
        self.fresh_count += 1
        count = self.fresh_count
        block = range_adapters.rewrite_adapted_range(
            e, rng, adapter, type_name, lambda stem: f"__{stem}_{count}")
        return self.expr(block, expected)

    def _open_range_loop(self, e: ast.For) -> ast.Block:
        """Rewrite `for i in a.. { body }` into `{ let mut next = a; loop { let i = next;
        next += 1; body } }`, which counts until a `break` or `return` leaves it.

        The counter steps before the body, so `continue` needs no case of its own."""
        span = e.span
        self.fresh_count += 1
        counter = f"__next_{self.fresh_count}"
        start = ast.Let(span, ast.NamePattern(span, counter, True), None, e.iter.start)
        pull = [ast.Let(span, e.pattern, None, ast.Path(span, [counter])),
                ast.Assign(span, "+=", ast.Path(span, [counter]), ast.IntLit(span, 1))]
        body = ast.Block(e.body.span, [*pull, ast.ExprStmt(span, e.body, True)], None)
        return ast.Block(span, [start], ast.Loop(span, body, e.label))

    def e_Range(self, e: ast.Range, expected):
        self.rep.error("sxc supports a range only as the iterator of a `for` loop", e.span,
                       help="write `for i in a..b { ... }`", code="SX0807")
        e.ty = T.NEVER
        return e

    def range_iter(self, e: ast.Range):
        elem_exp = None
        if e.start is None or e.end is None:
            self.rep.error("a range needs both ends here", e.span, code="SX0318")
            e.ty = T.RangeT(T.I64)
            return e
        pair = ast.Binary(e.span, "..", e.start, e.end)
        t = self.numeric_pair(pair, elem_exp)
        e.start, e.end = pair.left, pair.right
        if t is None:
            t = T.I64
        if T.is_char(t):
            # NOTE: only literal ends, whose loop `_char_range_loop` builds with the
            # surrogates skipped as Rust does, are supported.
            self.rep.error("sxc supports a range of `char` only between two character "
                           "literals", e.span,
                           help="write the ends as literals, `'a'..='z'`, or loop over the "
                                "code points as `u32`", code="SX0801")
            t = T.U8
        elif not T.is_int(t):
            self.rep.error(f"a range needs integer ends, found `{t}`", e.span, code="SX0318")
        e.ty = T.RangeT(t)
        return e

    def e_Return(self, e: ast.Return, expected):
        closure = self.closure_frames[-1] if self.closure_frames else None
        if e.value is not None and closure is not None and closure.ret is None \
                and self.ret_type is T.NEVER:
            # The first `return` of a closure without a declared result type
            # decides that type, as its tail would.  Later returns and the tail
            # must fit it.
            e.value = self.expr(e.value, None)
            if not isinstance(T.prune(e.value.ty), T.NeverT):
                closure.ret = e.value.ty
                self.ret_type = closure.ret
        elif e.value is not None:
            e.value = self.coerce(self.expr(e.value, self.ret_type), self.ret_type)
        elif not isinstance(self.ret_type, T.UnitT):
            self.rep.error(f"`return` needs a value of type `{self.ret_type}`", e.span,
                           code="SX0301")
        e.ty = T.NEVER
        return e

    def e_Break(self, e: ast.Break, expected):
        if e.label is not None and e.label not in self.labels:
            self.rep.error(f"use of undeclared label `{e.label}`", e.span, code="SX0212")
            e.ty = T.NEVER
            return e
        if not self.loops:
            self.rep.error("`break` outside of a loop", e.span, code="SX0317")
            e.ty = T.NEVER
            return e
        if e.label is None and isinstance(self.labels[-1], BlockLabel):
            self.rep.error("unlabeled `break` inside of a labeled block", e.span,
                           help=f"add the block's label: `break {self.labels[-1]}`",
                           code="SX0317")
        # A labelled break ends the loop of that label, not the innermost one,
        # so its value (or unit) counts towards that loop's type.
        target = self.loop_index(e.label)
        # every `break` of a loop gives it a value of one type, which the first decides
        earlier = self.loops[target]
        prior = next((t for t in earlier if t is not None), None)
        if e.value is not None:
            e.value = self.expr(e.value, prior)
            # a `break` inside the value, as in a labelled block, may have come first
            prior = next((t for t in earlier if t is not None), None)
            if prior is not None:
                e.value = self.coerce(e.value, prior)
            elif None in earlier and not isinstance(e.value.ty, (T.NeverT, T.UnitT)):
                self.rep.error(f"mismatched types: expected `()`, found `{e.value.ty}`",
                               e.value.span, help="an earlier `break` of this loop has no "
                                                  "value", code="SX0301")
            earlier.append(e.value.ty)
        else:
            if prior is not None and not isinstance(prior, (T.NeverT, T.UnitT)):
                self.rep.error(f"mismatched types: expected `{prior}`, found `()`", e.span,
                               help=f"give this `break` a value of type `{prior}`",
                               code="SX0301")
            earlier.append(None)
        e.ty = T.NEVER
        return e

    def loop_index(self, label: str | None) -> int:
        """Return the index in `self.loops` of the loop that `break` or `continue` with
        `label` leaves: the innermost one, or the innermost one with that label."""
        if label is None:
            return len(self.loops) - 1
        return len(self.labels) - 1 - self.labels[::-1].index(label)

    def e_Continue(self, e: ast.Continue, expected):
        if e.label is not None and e.label not in self.labels:
            self.rep.error(f"use of undeclared label `{e.label}`", e.span, code="SX0212")
        elif not self.loops:
            self.rep.error("`continue` outside of a loop", e.span, code="SX0317")
        else:
            target = self.labels[self.loop_index(e.label)]
            if isinstance(target, BlockLabel):
                self.rep.error(f"`continue` pointing to the labeled block `{target}`"
                               if e.label is not None else
                               "unlabeled `continue` inside of a labeled block", e.span,
                               help="`continue` starts the next turn of a loop: leave the "
                                    f"block with `break {target}`", code="SX0317")
        e.ty = T.NEVER
        return e

    # ------------------------------------------------------------ printing

    def e_MacroCall(self, e: ast.MacroCall, expected):
        name = e.name
        if name in ("write", "writeln"):
            return self.write_macro(e)
        if name in PRINT_MACROS:
            return self.format_macro(e)
        if name in ("assert", "debug_assert"):
            if not e.args:
                self.rep.error("`assert!` needs a condition", e.span, code="SX0108")
            else:
                e.args[0] = self.coerce(self.expr(e.args[0], T.BOOL), T.BOOL)
                rest = e.args[1:]
                names = e.arg_names[1:]
                e.args = e.args[:1]
                e.arg_names = []
                if rest:
                    fmt = ast.MacroCall(e.span, "format", rest, names)
                    e.args.append(self.format_macro(fmt))
            e.ty = T.UNIT
            return e
        if name in ("assert_eq", "assert_ne", "debug_assert_eq", "debug_assert_ne"):
            if len(e.args) < 2 or any(e.arg_names[:2]):
                self.rep.error(f"`{name}!` needs two values to compare", e.span, code="SX0108")
                e.ty = T.UNIT
                return e
            return self.expr(_expand_assert_compare(e), expected)
        self.rep.error(f"unknown macro `{name}!`", e.span, help=KNOWN_MACROS_HELP, code="SX0107")
        e.ty = T.NEVER
        return e

    def format_macro(self, e: ast.MacroCall) -> ast.MacroCall:
        e.ty = T.STRING if e.name == "format" else (T.NEVER if e.name in PANIC_MACROS
                                                     else T.UNIT)
        e.pieces = []
        if not e.args:
            return e
        names = e.arg_names or [None] * len(e.args)
        e.arg_names = []
        fmt = e.args[0]
        if names[0] is not None or not isinstance(fmt, ast.StrLit):
            self.rep.error("format argument must be a string literal", fmt.span,
                           help='write `println!("{}", value)`', code="SX0602")
            return e
        self.e_StrLit(fmt, None)  # reports an unknown escape such as `\q`
        try:
            pieces = parse_format(fmt.value)
        except FormatError as err:
            self.rep.error(str(err), _inner_span(fmt, err.offset, err.length), code="SX0601")
            return e
        args = _FormatArgs(self, fmt, [self.format_arg(a) for a in e.args[1:]], names[1:])
        out: list[str | tuple[int, Spec]] = []
        for piece in pieces:
            if isinstance(piece, str):
                out.append(piece)
                continue
            resolved = args.resolve(piece)
            if resolved is None:
                continue
            self._check_spec(resolved, args.exprs, fmt)
            out.append((resolved.arg, resolved))
        args.report_unused()
        e.args = [fmt] + args.exprs
        e.pieces = out
        return e

    def format_arg(self, e: ast.Expr) -> ast.Expr:
        value = self.expr(e, None)
        if isinstance(value.ty, T.ParseResultT):
            # `println!("{:?}", s.parse::<i64>())` prints the `Result`
            value = self.parse_result(value)
        return value

    def write_macro(self, e: ast.MacroCall) -> ast.MacroCall:
        """Check `write!(f, "...", args)`: a `format!` whose text goes to `f`."""
        e.ty = T.UNIT
        if e.name == "writeln" and len(e.args) == 1 and not e.arg_names:
            e.args.append(ast.StrLit(e.span, ""))
        names = e.arg_names or [None] * len(e.args)
        e.arg_names = []
        if len(e.args) < 2 or names[0] is not None:
            self.rep.error(f"`{e.name}!` needs a formatter and a format string", e.span,
                           help=f'write `{e.name}!(f, "{{}}", value)`', code="SX0108")
            e.args = []
            return e
        unchecked = copy.deepcopy(e.args[0])
        dest = self.expr(e.args[0], None)
        if isinstance(T.strip_refs(dest.ty), T.StrT):
            # `write!(s, ...)` into a `String` appends, as `s.push_str(&format!(...))`
            pieces = list(e.args[1:])
            if e.name == "writeln" and isinstance(pieces[0], ast.StrLit):
                pieces[0] = replace(pieces[0], value=pieces[0].value + "\n")
            text = ast.MacroCall(e.span, "format", pieces, names[1:])
            while isinstance(unchecked, ast.Ref):  # `write!(&mut s, ..)`
                unchecked = unchecked.operand
            push = ast.MethodCall(e.span, unchecked, "push_str",
                                  [ast.Ref(e.span, text, False)], [], e.span)
            return self.e_MethodCall(push, None)
        if not isinstance(T.strip_refs(dest.ty), (T.FormatterT, T.NeverT)):
            self.rep.error(f"sxc supports `{e.name}!` only into a `fmt::Formatter` or a "
                           f"`String`, found `{dest.ty}`", dest.span,
                           help="build the text with `format!`", code="SX0801")
        text = self.format_macro(ast.MacroCall(e.span, "format", e.args[1:], names[1:]))
        e.args = [dest, text]
        return e

    def display_method(self, t: T.Type) -> str | None:
        """Return the key of `t`'s `fmt(&self, f: &mut Formatter)`, which `impl Display`
        defines (the lowered source keeps the method but not the trait)."""
        if isinstance(t, T.StructT):
            self.ensure_method(t.struct, "fmt")
            key = f"{t.struct}::fmt"
        elif isinstance(t, T.EnumT):
            key = f"{t.enum}::fmt"
        else:
            return None
        sig = self.sigs.get(key)
        if sig is None or sig.self_kind is None or len(sig.params) != 1:
            return None
        return key if isinstance(T.strip_refs(sig.params[0]), T.FormatterT) else None

    def _check_spec(self, spec: Spec, args: list[ast.Expr], fmt: ast.StrLit) -> None:
        where = _inner_span(fmt, spec.offset, spec.length)
        for what, value in (("width", spec.width), ("precision", spec.precision)):
            if value is not None and value > MAX_FORMAT_WIDTH:
                self.rep.error(f"format {what} {value} is above {MAX_FORMAT_WIDTH}", where,
                               code="SX0605")
        for what, index in (("width", spec.width_arg), ("precision", spec.precision_arg)):
            count_t = T.strip_refs(args[index].ty) if index is not None else T.USIZE
            if not T.is_int(count_t) and not isinstance(count_t, T.NeverT):
                self.rep.error(f"format {what} must be a `usize`, found `{args[index].ty}`",
                               where, code="SX0605")
        ty = args[spec.arg].ty
        t = T.strip_refs(ty)
        if isinstance(t, T.NeverT) or self.settle_parse_hole(t):
            return
        kind = spec.kind
        if spec.debug:
            blocker = self.debug_blocker(t)
            if blocker is not None:
                self.rep.error(f"`{blocker}` does not implement `Debug`", where,
                               help=f"add `#[derive(Debug)]` to `struct {blocker}`"
                               if isinstance(blocker, T.StructT) else
                               f"add `#[derive(Debug)]` to `enum {blocker}`"
                               if isinstance(blocker, T.EnumT) else None, code="SX0604")
        elif kind == "":
            printable = (T.IntT, T.FloatT, T.DualT, T.BoolT, T.StrT)  # `char` is an `IntT`
            if not isinstance(t, printable) and self.display_method(t) is None:
                self.rep.error(f"`{ty}` cannot be formatted with `{{}}`", where,
                               help="use `{:?}` to print it in debug form, or implement "
                                    "`fmt::Display` for it", code="SX0604")
        elif kind in ("e", "E"):
            if not isinstance(t, (T.FloatT, T.DualT, T.IntT)) or T.is_char(t):
                self.rep.error(f"`{{:{kind}}}` needs a number, found `{ty}`", where, code="SX0604")
        elif not T.is_int(t):
            self.rep.error(f"`{{:{kind}}}` needs an integer, found `{ty}`", where,
                           help="cast a float with `as i64`, or print its bits with "
                                "`.to_bits()`" if isinstance(t, T.FloatT) else None, code="SX0604")

    def debug_blocker(self, t: T.Type, seen: frozenset = frozenset()) -> T.Type | None:
        """Return the type inside `t` that does not implement `Debug`, or None.
        `seen` contains the structs and enums being looked into, which a recursive
        type such as `enum Expr { Add(Vec<Expr>) }` meets again."""
        t = T.strip_refs(t)
        if isinstance(t, (T.StructT, T.EnumT)):
            if t.name() in seen:
                return None
            seen = seen | {t.name()}
        if self.debug_method(t) is not None:
            return None  # a hand-written `impl Debug`, whatever its fields are
        if isinstance(t, T.StructT):
            sdef = self.program.structs.get(t.struct)
            lowered_dual = t.struct == "Dual" and list(self.structs.get(t.struct, {})) == [
                "val", "der"]
            if sdef is not None and "Debug" not in sdef.derives and not lowered_dual:
                return t
            for field_t in self.structs.get(t.struct, {}).values():
                blocker = self.debug_blocker(field_t, seen)
                if blocker is not None:
                    return blocker
            return None
        if isinstance(t, T.TupleT):
            for item in t.items:
                blocker = self.debug_blocker(item, seen)
                if blocker is not None:
                    return blocker
            return None
        if isinstance(t, (T.VecT, T.ArrayT, T.SliceT)):
            return self.debug_blocker(t.elem, seen)
        if isinstance(t, T.FnT):
            return t
        if isinstance(t, T.EnumT):
            return self.enum_debug_blocker(t, seen)
        return None


class _FormatArgs:
    """The arguments of one format macro, and which placeholders use them.

    Positional arguments come first, then named ones (`x = 1`), then the
    identifiers that the string captures (`{name}`), in the order Rust gives
    them: a placeholder's value and its `{:w$}` or `{:.*}` counts refer to
    this list by index.
    """

    def __init__(self, checker: "Checker", fmt: ast.StrLit, exprs: list[ast.Expr],
                 names: list[str | None]):
        self.checker = checker
        self.fmt = fmt
        self.exprs = exprs
        self.names = list(names)
        self.given = len(exprs)
        self.used = [False] * len(exprs)
        self.named: dict[str, int] = {}
        self.next = 0
        rep = checker.rep
        for i, (arg, name) in enumerate(zip(exprs, names)):
            if name is None:
                if self.named:
                    rep.error("positional arguments cannot follow named arguments",
                              arg.span, help="move it before the named arguments", code="SX0603")
            elif name in self.named:
                rep.error(f"duplicate argument named `{name}`", arg.span, code="SX0603")
            else:
                self.named[name] = i

    def resolve(self, spec: Spec) -> Spec | None:
        """Return `spec` with its value, width and precision as argument indices."""
        where = _inner_span(self.fmt, spec.offset, spec.length)
        width = precision = None
        if spec.width_arg is not None:
            width = self.index(spec.width_arg, where)
        if spec.precision_star:
            precision = self.index(self.take_next(), where)
        elif spec.precision_arg is not None:
            precision = self.index(spec.precision_arg, where)
        value = self.index(self.take_next() if spec.arg is None else spec.arg, where)
        missing_width = spec.width_arg is not None and width is None
        missing_precision = spec.has_precision and spec.precision is None and precision is None
        if value is None or missing_width or missing_precision:
            return None
        return replace(spec, arg=value, width_arg=width, precision_arg=precision,
                       precision_star=False)

    def take_next(self) -> int:
        self.next += 1
        return self.next - 1

    def index(self, ref: int | str, where: Span) -> int | None:
        if isinstance(ref, str):
            if ref in self.named:
                index = self.named[ref]
            else:
                index = self.capture(ref, where)
        elif ref >= self.given:
            count = f"{self.given} argument{' was' if self.given == 1 else 's were'} given"
            self.checker.rep.error(f"format string refers to argument {ref + 1}, but "
                                   f"{count}", where, code="SX0603")
            return None
        else:
            index = ref
        self.used[index] = True
        return index

    def capture(self, name: str, where: Span) -> int:
        """Append the variable `name` that the string captures, once."""
        if name in self.names[self.given:]:
            return self.given + self.names[self.given:].index(name)
        self.exprs.append(self.checker.expr(ast.Path(where, [name]), None))
        self.names.append(name)
        self.used.append(True)
        return len(self.exprs) - 1

    def report_unused(self) -> None:
        for i in range(self.given):
            if self.used[i]:
                continue
            name = self.names[i]
            if name is None:
                self.checker.rep.error("argument never used", self.exprs[i].span,
                                       help="add a `{}` for it to the format string",
                                       code="SX0603")
            else:
                self.checker.rep.error(f"named argument `{name}` never used",
                                       self.exprs[i].span,
                                       help=f"add `{{{name}}}` to the format string",
                                       code="SX0603")


def _expand_assert_compare(e: ast.MacroCall) -> ast.Block:
    """Rewrite `assert_eq!(a, b, ...)` as Rust's expansion does:

        { let left = a; let right = b;
          if !(left == right) { panic!("assertion `left == right` failed: ...\n"
                                       "  left: {:?}\n right: {:?}", left, right) } }
    """
    s = e.span
    op = "!=" if e.name.endswith("_ne") else "=="
    left, right = "__assert_left", "__assert_right"
    message = f"assertion `left {op} right` failed"
    args: list[ast.Expr] = []
    if len(e.args) > 2:
        message += ": {}"
        names = e.arg_names[2:] if e.arg_names else []
        args.append(ast.MacroCall(s, "format", e.args[2:], names))
    args += [ast.Path(s, [left]), ast.Path(s, [right])]
    fmt = ast.StrLit(s, message + "\n  left: {:?}\n right: {:?}")
    failed = ast.Unary(s, "!", ast.Binary(s, op, ast.Path(s, [left]), ast.Path(s, [right]), s))
    report = ast.Block(s, [ast.ExprStmt(s, ast.MacroCall(s, "panic", [fmt] + args))], None)
    return ast.Block(s, [ast.Let(s, ast.NamePattern(s, left), None, e.args[0]),
                         ast.Let(s, ast.NamePattern(s, right), None, e.args[1]),
                         ast.ExprStmt(s, ast.If(s, failed, report, None))], None)


# methods of `Vec` alone, and of every sequence, that change it in place
VEC_EDIT_METHODS = ("insert", "remove", "extend", "extend_from_slice", "resize", "resize_with",
                    "dedup")
# The edits that copy a value into slots, with their argument counts.  For items
# that own `Vec`s they become loops of clones (`_slot_filling_loop`).
# the learning rate of `MetaOptimizer::new`, which `schedule.update(grad)` takes
DEFAULT_META_RATE = 0.05
CLONING_EDITS = {"extend_from_slice": 1, "resize": 2, "fill": 1}
SEQ_EDIT_METHODS = ("sort", "sort_unstable", "reverse", "fill")


# methods of `char`: name -> (parameters, result)
CHAR_METHODS = {
    **{name: ([], T.BOOL) for name in (
        "is_ascii", "is_ascii_digit", "is_ascii_alphabetic", "is_ascii_alphanumeric",
        "is_ascii_whitespace", "is_ascii_uppercase", "is_ascii_lowercase",
        "is_ascii_punctuation", "is_ascii_hexdigit", "is_ascii_graphic", "is_ascii_control",
        "is_whitespace", "is_alphabetic", "is_numeric", "is_alphanumeric", "is_uppercase",
        "is_lowercase", "is_control")},
    "to_ascii_uppercase": ([], T.CHAR),
    "to_ascii_lowercase": ([], T.CHAR),
    "eq_ignore_ascii_case": ([T.RefT(T.CHAR, False)], T.BOOL),
    "len_utf8": ([], T.USIZE),
    "is_digit": ([T.U32], T.BOOL),
}
# the methods that `u8` shares with `char`, for ASCII text held as bytes
U8_ASCII_METHODS = (
    "is_ascii", "is_ascii_digit", "is_ascii_alphabetic", "is_ascii_alphanumeric",
    "is_ascii_whitespace", "is_ascii_uppercase", "is_ascii_lowercase", "is_ascii_punctuation",
    "is_ascii_hexdigit", "is_ascii_graphic", "is_ascii_control", "to_ascii_uppercase",
    "to_ascii_lowercase")

def _parsable(target: T.Type) -> bool:
    """Return whether sxc's `parse` reads a string into `target`."""
    return T.is_int(target) or T.is_float(target) or target == T.BOOL


def _closure_parse(e: ast.Expr, ends: tuple[str, ...]) -> ast.MethodCall | None:
    """Return the untyped `parse` call of a closure `|s| s.parse().END(..)` with END one
    of `ends`, else None."""
    if not isinstance(e, ast.Closure) or len(e.params) != 1 or e.ret is not None:
        return None
    body = e.body
    while isinstance(body, ast.Block) and not body.stmts and body.tail is not None:
        body = body.tail
    if isinstance(body, ast.MethodCall) and body.method in ends and \
            _untyped_parse(body.receiver):
        return body.receiver
    return None


def _untyped_parse(e: ast.Expr) -> bool:
    """Return whether `e` is `s.parse()` without a `::<T>`, which the expected type decides."""
    return isinstance(e, ast.MethodCall) and e.method == "parse" and not e.type_args


def _option_of_holes(te) -> bool:
    """Return whether `te` is `Option<_>`, or an `Option` whose argument has `_` in it."""
    if not (isinstance(te, ast.NamedType) and te.path[-1:] == ["Option"] and
            len(te.args) == 1):
        return False
    return any(_is_hole_type(part) for part in ast.walk(te.args[0]))


def _is_hole_type(te) -> bool:
    return isinstance(te, ast.NamedType) and te.path == ["_"] and not te.args


def _mutable_ref(ty: T.Type) -> bool:
    """Return whether `ty` is a reference with a `&mut` in it."""
    ty = T.prune(ty)
    while isinstance(ty, T.RefT):
        if ty.mutable:
            return True
        ty = T.prune(ty.inner)
    return False


def _hole_collection_type(te) -> bool:
    """Return whether `te` is `HashSet<_>`, `HashMap<_, _>` or another with a `_`."""
    return isinstance(te, ast.NamedType) and \
        te.path[-1] in ("HashSet", "HashMap", "BTreeSet", "BTreeMap") and \
        any(_is_hole_type(a) for a in te.args)


def _hole_vec_type(te) -> bool:
    """Return whether `te` is `Vec<_>`."""
    return isinstance(te, ast.NamedType) and te.path == ["Vec"] and len(te.args) == 1 and \
        _is_hole_type(te.args[0])


def _partial_result_type(te) -> bool:
    """Return whether `te` is `Result<T, _>` or another `Result` with a `_` argument."""
    return isinstance(te, ast.NamedType) and te.path[-1] == "Result" and \
        "fmt" not in te.path and len(te.args) == 2 and any(_is_hole_type(a) for a in te.args)


# the methods of a `parse` result that read it as an `Option` (`ok`) first
PARSE_OPTION_METHODS = ("ok", "is_ok", "is_err", "unwrap_or", "unwrap_or_default")


# string methods that prelude functions implement: name -> (function, number of arguments)
STR_PRELUDE_METHODS = {
    "trim_start": ("__str_trim_start", 0),
    "trim_end": ("__str_trim_end", 0),
    "trim_matches": ("__str_trim_matches", 1),
    "trim_start_matches": ("__str_trim_start_matches", 1),
    "trim_end_matches": ("__str_trim_end_matches", 1),
    "splitn": ("__str_splitn", 2),
    "rsplitn": ("__str_rsplitn", 2),
    "rsplit": ("__str_rsplit", 1),
    "split_terminator": ("__str_split_terminator", 1),
    "matches": ("__str_matches", 1),
}

PRELUDE_SPLITTERS = frozenset(STR_PRELUDE_METHODS[m][0] for m in iter_chains.SPLITTERS
                              if m in STR_PRELUDE_METHODS)

# the sequence methods that `seq_method` rewrites, with the arguments they take
REWRITTEN_SEQ_METHODS = {
    "drain": "1 argument", "rotate_left": "1 argument", "rotate_right": "1 argument",
    "dedup_by_key": "1 argument", "dedup_by": "1 argument", "push_front": "1 argument",
    "pop_front": "0 arguments", "swap_remove": "1 argument", "split_off": "1 argument",
}

# the methods of Rust's `VecDeque` that are `Vec` methods under another name;
# `push_front` and `pop_front` are rewritten (see `seq_method`)
DEQUE_METHODS = {"push_back": "push", "pop_back": "pop", "front": "first", "back": "last"}

# string methods beyond the read-only ones: name -> (parameters, result)
# `&str` methods whose pattern argument may be a `char`
CHAR_PATTERN_METHODS = ("starts_with", "ends_with", "contains", "split")

STRING_METHODS = {
    "push_str": ([T.STR], T.UNIT),
    "push": ([T.CHAR], T.UNIT),
    "clear": ([], T.UNIT),
    "truncate": ([T.USIZE], T.UNIT),
    "insert": ([T.USIZE, T.CHAR], T.UNIT),
    "insert_str": ([T.USIZE, T.STR], T.UNIT),
    "as_bytes": ([], T.SliceT(T.U8)),
    "bytes": ([], T.SliceT(T.U8)),
    "chars": ([], T.SliceT(T.CHAR)),
    "char_indices": ([], T.SliceT(T.TupleT((T.USIZE, T.CHAR)))),
    "to_uppercase": ([], T.STRING),
    "to_lowercase": ([], T.STRING),
    "to_ascii_uppercase": ([], T.STRING),
    "to_ascii_lowercase": ([], T.STRING),
    "repeat": ([T.USIZE], T.STRING),
}


def _closure_binds_item(f: ast.Closure, name: str) -> bool:
    """Return whether the first parameter of `f` is `name`, or `&name` or `(name)`,
    which the parser binds with a `let` at the top of the body."""
    if not f.params:
        return False
    first = f.params[0][0]
    if first == name:
        return True
    body = f.body
    if not (isinstance(body, ast.Block) and body.stmts and isinstance(body.stmts[0], ast.Let)):
        return False
    let = body.stmts[0]
    init = let.init.operand if isinstance(let.init, ast.Unary) and let.init.op == "*" \
        else let.init
    return isinstance(let.pattern, ast.NamePattern) and let.pattern.name == name and \
        isinstance(init, ast.Path) and init.segments == [first]


def _is_char_literal_range(e: ast.Expr) -> bool:
    return isinstance(e, ast.Range) and all(
        isinstance(end, ast.IntLit) and end.suffix == "char" for end in (e.start, e.end))


def _char_range_loop(loop: ast.For, code: str) -> ast.For:
    """Rewrite `for c in 'a'..='z'` into a loop over the code points, as `u32`s.

    A range across U+D800..=U+DFFF skips the surrogates, as Rust's `Step` for
    `char` does.
    """
    s = loop.span
    rng = loop.iter
    bounds = [ast.IntLit(end.span, end.value, "u32") for end in (rng.start, rng.end)]
    counter = ast.Path(s, [code])
    as_char = ast.Call(s, ast.Path(s, ["__char_from_code"]), [counter])
    stmts: list[ast.Stmt] = []
    last = rng.end.value if rng.inclusive else rng.end.value - 1
    if rng.start.value < 0xD800 and last > 0xDFFF:
        in_gap = ast.Binary(s, "&&", ast.Binary(s, ">=", counter, ast.IntLit(s, 0xD800, "u32")),
                            ast.Binary(s, "<=", counter, ast.IntLit(s, 0xDFFF, "u32")))
        skip = ast.Block(s, [ast.ExprStmt(s, ast.Continue(s, None), True)], None)
        stmts.append(ast.ExprStmt(s, ast.If(s, in_gap, skip, None), False))
    stmts.append(ast.Let(s, loop.pattern, None, as_char))
    stmts.append(ast.ExprStmt(s, loop.body, False))
    return ast.For(s, ast.NamePattern(s, code, False),
                   ast.Range(rng.span, bounds[0], bounds[1], rng.inclusive),
                   ast.Block(s, stmts, None), loop.label)


def _is_str_iterator(e: ast.Expr) -> bool:
    """Return whether `e` is `s.chars()`, `s.char_indices()`, `s.bytes()`, `s.lines()`,
    `s.split(..)` or `s.split_whitespace()`."""
    if getattr(e, "iterator_result", False):
        return True
    target = getattr(e, "target", None)
    if isinstance(e, ast.MethodCall) and e.method in iter_chains.SET_OPERATIONS and \
            isinstance(target, tuple) and target[0] == "method":
        return True  # `a.intersection(&b)` of a `HashSet` is a `Vec` of the items
    if isinstance(e, ast.Call):
        # `s.split(|c| ..)`, a call of a copy of the generic `__str_split_by`, and
        # `s.splitn(n, p)` and the other splitters of the prelude
        return isinstance(target, tuple) and target[0] == "fn" and (
            target[1].startswith("__str_split_by") or target[1] in PRELUDE_SPLITTERS)
    return isinstance(e, ast.MethodCall) and target in (
        ("str", "chars"), ("str", "char_indices"), ("str", "bytes"), ("str", "lines"),
        ("str", "split"), ("str", "split_whitespace"))


def _is_range_slice(e: ast.Expr) -> bool:
    return isinstance(e, ast.Index) and isinstance(e.index, ast.Range)


# The types and traits whose methods a program may name as a function value
# (`.map(str::trim)`, `.map(Vec::len)`, `.map(ToString::to_string)`); numbers
# have `number_method_value`.
_METHOD_PATH_OWNERS = frozenset({"str", "String", "Vec", "ToString", "ToOwned", "Clone",
                                 "Option", "Result"})


def _method_path_closure(arg: ast.Expr) -> ast.Expr:
    """Return `|x| x.trim()` for the argument `str::trim`, else the argument."""
    if not (isinstance(arg, ast.Path) and len(arg.segments) == 2
            and arg.segments[0] in _METHOD_PATH_OWNERS and not arg.type_args
            and arg.segments[1][:1].islower()
            and arg.segments[1] not in ("new", "default", "with_capacity", "from")):
        return arg
    span = arg.span
    name = f"__arg_{span.line}_{span.col}"
    body = ast.MethodCall(span, ast.Path(span, [name]), arg.segments[1], [], [], span)
    return ast.Closure(span, [(name, None)], None, body)


def _range_contains(e: ast.MethodCall) -> ast.Block:
    """Rewrite `(lo..hi).contains(&x)` into `lo <= x && x < hi`, evaluated in
    that order once each (`..=` compares with `<=`; an open end drops its test)."""
    span = e.span
    rng: ast.Range = e.receiver
    tag = f"{span.line}_{span.col}"
    stmts: list[ast.Stmt] = []
    names = {}
    for part, value in (("lo", rng.start), ("hi", rng.end)):
        if value is not None:
            names[part] = f"__range_{part}_{tag}"
            stmts.append(ast.Let(span, ast.NamePattern(span, names[part]), None, value))
    item = e.args[0].operand if isinstance(e.args[0], ast.Ref) else \
        ast.Unary(span, "*", e.args[0])
    stmts.append(ast.Let(span, ast.NamePattern(span, f"__range_item_{tag}"), None, item))

    def name(key: str) -> ast.Path:
        return ast.Path(span, [names.get(key, f"__range_item_{tag}")])

    tests = []
    if rng.start is not None:
        tests.append(ast.Binary(span, "<=", name("lo"), name("item"), span))
    if rng.end is not None:
        tests.append(ast.Binary(span, "<=" if rng.inclusive else "<", name("item"), name("hi"),
                                span))
    test: ast.Expr = tests[0] if tests else ast.BoolLit(span, True)
    for more in tests[1:]:
        test = ast.Binary(span, "&&", test, more, span)
    return ast.Block(span, stmts, test)


def _field_root(e: ast.Expr) -> ast.Expr:
    """Return the expression under the field and tuple-item accesses of `e`."""
    while isinstance(e, (ast.Field, ast.TupleField)):
        e = e.base
    return e


def _outer_box(t: T.Type) -> T.Type:
    """Return the `Box` under the references of `t`, or the type under them."""
    while isinstance(t, T.RefT) and not isinstance(t, T.BoxT):
        t = t.inner
    return t


def _deref_coercion(e: ast.Expr, target: T.RefT) -> ast.Expr | None:
    """Return `e` of type `&Box<T>` (or `&&Box<T>`, `&Box<Box<T>>`) as the `&T` that
    `target` expects, as Rust's deref coercion does; None for other types."""
    layers = [e.ty]
    while isinstance(layers[-1], T.RefT) and len(layers) < 8:
        layers.append(layers[-1].inner)
    for depth in range(1, len(layers) - 1):
        if any(isinstance(t, T.BoxT) for t in layers[:depth + 1]) and \
                isinstance(layers[depth].inner, type(target.inner)) and \
                layers[depth].inner == target.inner:
            for _ in range(depth):
                e = _deref(e)
            e.ty = T.RefT(e.ty.inner, target.mutable)
            return e
    return None


def _dyn_enum(t: T.Type) -> bool:
    """Return whether `t` is the enum of a trait object (see `sxc.trait_objects`)."""
    from sxc.trait_objects import PREFIX

    return isinstance(t, T.EnumT) and t.enum.rpartition("::")[2].startswith(PREFIX)


# The decoders of UTF-8 bytes, by path, and the prelude's function for each.
UTF8_DECODERS = {"String::from_utf8": "__string_from_utf8",
                 "String::from_utf8_lossy": "__string_from_utf8_lossy",
                 "std::str::from_utf8": "__str_from_utf8", "str::from_utf8": "__str_from_utf8",
                 "std::string::String::from_utf8": "__string_from_utf8"}

# The operators on two sets and the method that each is.
SET_OPERATORS = {"&": "intersection", "|": "union", "-": "difference",
                 "^": "symmetric_difference"}

# The collections that `Kind::from([..])` builds from an array, and how many
# type arguments each takes.
COLLECTIONS_FROM_ARRAY = {"HashMap": 2, "BTreeMap": 2, "HashSet": 1, "BTreeSet": 1}


def _borrow_slice(e: ast.Expr) -> ast.Expr:
    """Return `e`, a sequence or a reference to one, as the `&[T]` argument of a call."""
    if isinstance(e.ty, T.RefT):
        return e
    borrow = ast.Ref(e.span, e, False)
    borrow.ty = T.RefT(e.ty, False)
    return borrow


def _holds_trait_object(t: T.Type | None) -> bool:
    """Return whether `t` is a trait object, or a `Box` or reference of one."""
    t = T.prune(t) if t is not None else None
    while isinstance(t, T.RefT):
        t = t.inner
    return _dyn_enum(t)


def _deref(e: ast.Expr) -> ast.Expr:
    """Return the checked expression `*e` of a reference or `Box` `e`."""
    e.checked = True
    deref = ast.Unary(e.span, "*", e)
    deref.ty = e.ty.inner
    deref.checked = True
    return deref


def _deref_operand(e: ast.Expr) -> ast.Expr:
    """Return `*e` for a reference to a number, `bool` or string, else `e`.

    Rust's operators take `&f64 * f64`, `&i64 + &i64` and the like, and
    compare references to numbers and strings by their values.
    """
    while isinstance(e.ty, T.RefT) and (T.is_numeric(T.strip_refs(e.ty)) or isinstance(
            T.strip_refs(e.ty), (T.BoolT, T.StrT))):
        inner = e.ty.inner
        e = ast.Unary(e.span, "*", e)
        e.ty = inner
    return e


# the functions of `std` that sxc rewrites, all of two arguments
_SWAP_AND_ORDER = ("std::cmp::max", "std::cmp::min", "cmp::max", "cmp::min",
                   "std::mem::swap", "mem::swap")


def ord_max_min(e: ast.MethodCall) -> ast.Block:
    """Rewrite `a.max(b)` (or `min`) of a struct with `Ord` into
    `{ let x = a; let y = b; if x <= y { y } else { x } }`: as in Rust, `max`
    returns `b` and `min` returns `a` when they are equal."""
    span = e.span
    tag = f"{span.line}_{span.col}"
    mine, theirs = ast.Path(span, [f"__self_{tag}"]), ast.Path(span, [f"__other_{tag}"])
    pick = (theirs, mine) if e.method == "max" else (mine, theirs)
    e.receiver.checked = True
    # the other side takes the receiver's type, which a bare `None` needs
    known = getattr(e.receiver, "ty", None)
    other_type = ast.ResolvedType(span, T.strip_refs(T.prune(known))) \
        if known is not None and not T.has_hole(known) else None
    return ast.Block(span, [
        ast.Let(span, ast.NamePattern(span, mine.segments[0]), None, e.receiver),
        ast.Let(span, ast.NamePattern(span, theirs.segments[0]), other_type, e.args[0]),
    ], ast.If(span, ast.Binary(span, "<=", copy.deepcopy(mine), copy.deepcopy(theirs)),
              ast.Block(span, [], copy.deepcopy(pick[0])),
              ast.Block(span, [], copy.deepcopy(pick[1]))))


def _pop_front_block(e: ast.MethodCall) -> ast.If:
    """Rewrite `q.pop_front()` of a `VecDeque`, which is a `Vec` in sxc, into
    `if !q.is_empty() { Some(q.remove(0)) } else { None }`."""
    span = e.span
    receiver = e.receiver
    empty = ast.MethodCall(span, copy.deepcopy(receiver), "is_empty", [], [], span)
    first = ast.MethodCall(span, copy.deepcopy(receiver), "remove",
                           [ast.IntLit(span, 0, "usize")], [], span)
    return ast.If(span, ast.Unary(span, "!", empty),
                  ast.Block(span, [], ast.Call(span, ast.Path(span, ["Some"]), [first])),
                  ast.Block(span, [], ast.Path(span, ["None"])))


def _item_values(t: T.Type) -> T.Type:
    """Return `t` without the shared references to numbers, `char`s, `bool`s, structs,
    enums and `String`s in it, which are values in sxc's iterator chains: `(&u32,
    &i32)` is `(u32, i32)`, and `&Item` is `Item`."""
    if isinstance(t, T.RefT) and not t.mutable and not isinstance(t, T.BoxT) and \
            isinstance(T.strip_refs(t), (T.IntT, T.FloatT, T.BoolT, T.StructT, T.EnumT)) and \
            not _dyn_enum(T.strip_refs(t)):
        return T.strip_refs(t)
    if isinstance(t, T.RefT) and not t.mutable and not isinstance(t, T.BoxT) and \
            T.strip_refs(t) == T.STRING:
        return T.STRING
    if isinstance(t, T.TupleT):
        return T.TupleT(tuple(_item_values(i) for i in t.items))
    return t


def _clone_items(e: ast.MethodCall, elem: T.Type) -> ast.MethodCall:
    """Return `v.iter().map(|x| x.clone()).collect::<Vec<T>>()` for `v.clone()`."""
    span = e.span
    e.receiver.checked = True
    item = f"__item_{span.line}_{span.col}"
    mapped = ast.MethodCall(span, ast.MethodCall(span, e.receiver, "iter", [], [], span), "map",
                            [ast.Closure(span, [(item, None)], None, ast.MethodCall(
                                span, ast.Path(span, [item]), "clone", [], [], span))],
                            [], span)
    target = ast.NamedType(span, ["Vec"], [ast.ResolvedType(span, elem)])
    return ast.MethodCall(span, mapped, "collect", [], [target], span)


def _lift_slice_patterns(pattern: ast.Pattern) -> list[ast.Let]:
    """Replace each slice pattern nested in `pattern` by a fresh name.

    Return the `let [..] = name;` statements that bind the items."""
    lets: list[ast.Let] = []

    def lift(p):
        if isinstance(p, ast.SlicePattern):
            name = f"__slice_{p.span.line}_{p.span.col}"
            lets.append(ast.Let(p.span, p, None, ast.Path(p.span, [name])))
            return ast.NamePattern(p.span, name)
        if isinstance(p, (ast.TuplePattern, ast.AtPattern)):
            for field in ast.field_names(p):
                value = getattr(p, field)
                if isinstance(value, list):
                    setattr(p, field, [lift(v) for v in value])
                elif isinstance(value, ast.Pattern):
                    setattr(p, field, lift(value))
        return p

    if isinstance(pattern, (ast.TuplePattern, ast.AtPattern)):
        lift(pattern)
    return lets


def _split_at_block(e: ast.MethodCall) -> ast.Block:
    """Return `{ let s = &x; let m = mid; (&s[..m], &s[m..]) }` for `x.split_at(mid)`
    of a string or a sequence.

    NOTE: a `mid` past the end panics with the message of slicing, which names
    the range, where Rust's `split_at` names `mid`.
    """
    span = e.span
    tag = f"{span.line}_{span.col}"
    whole, mid = f"__whole_{tag}", f"__mid_{tag}"
    e.receiver.checked = True

    def name(text: str) -> ast.Path:
        return ast.Path(span, [text])

    def part(start, end) -> ast.Ref:
        return ast.Ref(span, ast.Index(span, name(whole), ast.Range(span, start, end, False)),
                       False)

    return ast.Block(span, [
        ast.Let(span, ast.NamePattern(span, whole), None, ast.Ref(span, e.receiver, False)),
        ast.Let(span, ast.NamePattern(span, mid), None, e.args[0])],
        ast.TupleLit(span, [part(None, name(mid)), part(name(mid), None)]))


def _slot_filling_loop(e: ast.MethodCall, borrowed: bool, elem: T.Type | None = None
                       ) -> ast.Block:
    """Return the loop that fills the slots of `v` for an edit call `e`.

    `v.extend_from_slice(s)`, `v.resize(n, x)` and `v.fill(x)` clone their value
    into each slot, and `v.resize_with(n, f)` calls `f` for each new slot.
    `borrowed` is true when `v` is already a reference, and `elem`, when given,
    is the item type, which the value `x` takes (`v.resize(2, HashSet::new())`)."""
    span = e.span
    tag = f"{span.line}_{span.col}"
    dst, value, count, index = (f"__dst_{tag}", f"__value_{tag}", f"__count_{tag}",
                                f"__index_{tag}")
    e.receiver.checked = True

    def name(text: str) -> ast.Path:
        return ast.Path(span, [text])

    def let(text: str, init: ast.Expr, ty: T.Type | None = None) -> ast.Let:
        written = ast.ResolvedType(span, ty) if ty is not None else None
        return ast.Let(span, ast.NamePattern(span, text), written, init)

    def call(receiver: ast.Expr, method: str, *args: ast.Expr) -> ast.MethodCall:
        return ast.MethodCall(span, receiver, method, list(args), [], span)

    def block(*stmts: ast.Stmt) -> ast.Block:
        return ast.Block(span, list(stmts), None)

    stmts: list[ast.Stmt] = [let(dst, e.receiver if borrowed else ast.Ref(span, e.receiver,
                                                                             True))]
    if e.method == "extend_from_slice":
        stmts.append(ast.ExprStmt(span, ast.For(
            span, ast.NamePattern(span, value), call(e.args[0], "iter"),
            block(ast.ExprStmt(span, call(name(dst), "push", call(name(value), "clone"))))),
            True))
    elif e.method in ("resize", "resize_with"):
        stmts += [let(count, e.args[0])]
        if e.method == "resize":
            stmts.append(let(value, e.args[1], elem))
            item = call(name(value), "clone")
        elif isinstance(e.args[1], ast.Path):
            item = ast.Call(span, e.args[1], [])  # `v.resize_with(n, Default::default)`
        else:
            stmts.append(let(value, e.args[1]))
            item = ast.Call(span, name(value), [])
        stmts += [ast.ExprStmt(span, call(name(dst), "truncate", name(count))),
                  ast.ExprStmt(span, ast.While(
                      span, ast.Binary(span, "<", call(name(dst), "len"), name(count)),
                      block(ast.ExprStmt(span, call(name(dst), "push", item)))), True)]
    else:  # fill
        stmts += [let(value, e.args[0], elem), ast.ExprStmt(span, ast.For(
            span, ast.NamePattern(span, index),
            ast.Range(span, ast.IntLit(span, 0, "usize"), call(name(dst), "len"), False),
            block(ast.Assign(span, "=", ast.Index(span, name(dst), name(index)),
                             call(name(value), "clone")))), True)]
    return block(*stmts)


def operator_type(e: ast.Binary | ast.Unary, type_of) -> T.Type | None:
    """Return the type of an operator expression whose operands' types `type_of`
    finds by their form alone, or None."""
    if isinstance(e, ast.Unary):
        return type_of(e.operand) if e.op in ("-", "!") else None
    if e.op in ("==", "!=", "<", "<=", ">", ">=", "&&", "||"):
        return T.BOOL
    left = type_of(e.left)
    if e.op in ("<<", ">>"):
        return left
    right = type_of(e.right)
    # an unsuffixed literal takes the type of the other operand: `2 * x`
    left_free, right_free = (isinstance(side, (ast.IntLit, ast.FloatLit)) and not side.suffix
                             for side in (e.left, e.right))
    if left_free and not right_free:
        return right
    if right_free and not left_free:
        return left
    return left if left is not None else right


# methods whose result type shows in their name, for guessing a collection's type
_STRING_RESULTS = ("to_lowercase", "to_uppercase", "to_ascii_lowercase", "to_ascii_uppercase",
                   "to_string", "to_owned", "replace", "repeat")
_STR_RESULTS = ("trim", "trim_start", "trim_end", "as_str")


def _method_result_type(e: ast.MethodCall) -> T.Type | None:
    """Return the type of `w.to_lowercase()`, `s.trim()` or `v.len()` by the method's
    name alone, or None."""
    if e.method in _STRING_RESULTS:
        return T.STRING
    if e.method in _STR_RESULTS and not e.args:
        return T.STR
    if e.method in ("len", "count", "capacity") and not e.args:
        return T.USIZE
    return None


def _index_kept_items(e: ast.For, borrowed: bool = False) -> None:
    """Rewrite `for p in &v { refs.push(p); }` to bind `p = &v[i]` in place.

    sxc binds the items of a loop by value, and a reference to the item is
    the address of the loop's own local, which the next item overwrites.
    Rust binds `&v[i]`, so a reference the body keeps (`refs.push(p)`,
    `stack.push(k)`, `best = p`) must be the item's own address.  Only a loop
    over a local, a field or an index of one (`&v`, `v.iter()`, `&n.kids`)
    whose body passes the item to `push`, `push_back`, `push_front` or
    `insert`, or assigns it, is rewritten."""
    from sxc.typecheck_maps import _path_like

    if not isinstance(e.pattern, ast.NamePattern) or e.pattern.mutable or \
            getattr(e.pattern, "written_ref", False):
        return  # `for &v in &adj[u]` binds copies, as Rust does
    seq = e.iter
    if isinstance(seq, ast.Ref) and not seq.mutable:
        seq = seq.operand
    elif isinstance(seq, ast.MethodCall) and seq.method == "iter" and not seq.args:
        seq = seq.receiver
    elif not borrowed:  # `for p in v` with `v: &[P]` walks references too
        return
    if not _path_like(seq) or isinstance(seq, (ast.Ref, ast.Unary)):
        return
    name = e.pattern.name

    def is_item(arg) -> bool:
        return isinstance(arg, ast.Path) and arg.segments == [name]

    keeps_item = any(isinstance(n, ast.MethodCall)
                     and n.method in ("push", "push_back", "push_front", "insert")
                     and any(is_item(a) for a in n.args)
                     or isinstance(n, ast.Assign) and n.op == "=" and is_item(n.value)
                     for n in ast.walk(e.body))
    if not keeps_item:
        return
    span = e.span
    index = f"__at_{e.pattern.span.line}_{e.pattern.span.col}"
    length = ast.MethodCall(span, copy.deepcopy(seq), "len", [], [], span)
    item = ast.Ref(span, ast.Index(span, copy.deepcopy(seq), ast.Path(span, [index])), False)
    e.body.stmts.insert(0, ast.Let(e.pattern.span, e.pattern, None, item))
    e.pattern = ast.NamePattern(e.pattern.span, index)
    e.iter = ast.Range(span, ast.IntLit(span, 0, "usize"), length, False)


def _walks_items(e: ast.Expr) -> bool:
    """Return whether `e` is an iterator: a chain of adapters, or `iter()`, `chars()`,
    `bytes()` or `into_iter()` of a value."""
    return _iterator_chain(e) or isinstance(e, ast.MethodCall) and not e.args and \
        e.method in ("iter", "chars", "bytes", "into_iter")


def _iterator_chain(e: ast.Expr) -> bool:
    """Return whether `e` is a range or ends in an iterator adapter (`a.iter().map(f)`)."""
    return isinstance(e, ast.Range) or \
        isinstance(e, ast.MethodCall) and e.method in iter_chains.ADAPTERS


def _extend_loop(e: ast.MethodCall, borrowed: bool) -> ast.Block:
    """Return `{ let d = &mut v; for x in chain { d.push(x); } }` for `v.extend(chain)`."""
    span = e.span
    tag = f"{span.line}_{span.col}"
    dst, item = f"__dst_{tag}", f"__item_{tag}"
    e.receiver.checked = True
    target = e.receiver if borrowed else ast.Ref(span, e.receiver, True)
    push = ast.MethodCall(span, ast.Path(span, [dst]), "push", [ast.Path(span, [item])], [],
                          span)
    loop = ast.For(span, ast.NamePattern(span, item), e.args[0],
                   ast.Block(span, [ast.ExprStmt(span, push)], None))
    return ast.Block(span, [ast.Let(span, ast.NamePattern(span, dst), None, target),
                            ast.ExprStmt(span, loop, True)], None)


def _clone_array_items(e: ast.MethodCall, size: int) -> ast.Block:
    """Return `{ let s = &a; let mut c = *s; for i in 0..N { c[i] = s[i].clone(); } c }`
    for `a.clone()` of an array whose items own `Vec`s."""
    span = e.span
    src, out, index = (f"__array_{span.line}_{span.col}", f"__copy_{span.line}_{span.col}",
                       f"__index_{span.line}_{span.col}")
    e.receiver.checked = True

    def name(text: str) -> ast.Path:
        return ast.Path(span, [text])

    clone = ast.MethodCall(span, ast.Index(span, name(src), name(index)), "clone", [], [],
                           span)
    loop = ast.For(span, ast.NamePattern(span, index),
                   ast.Range(span, ast.IntLit(span, 0, "usize"),
                             ast.IntLit(span, size, "usize"), False),
                   ast.Block(span, [ast.Assign(span, "=", ast.Index(span, name(out),
                                                                     name(index)), clone)],
                             None))
    return ast.Block(span, [
        ast.Let(span, ast.NamePattern(span, src), None, ast.Ref(span, e.receiver, False)),
        ast.Let(span, ast.NamePattern(span, out, mutable=True), None,
                ast.Unary(span, "*", name(src))),
        ast.ExprStmt(span, loop, True)], name(out))


def _repeat_clones(e: ast.VecLit, elem: T.Type) -> ast.Block:
    """Return `{ let x = X; (0..n).map(|_| x.clone()).collect::<Vec<T>>() }` for
    `vec![X; n]` of items that own `Vec`s, which Rust clones for each item."""
    span = e.span
    value, index = f"__repeated_{span.line}_{span.col}", f"__index_{span.line}_{span.col}"
    e.items[0].checked = True
    e.count.checked = True
    mapped = ast.MethodCall(span, ast.Range(span, ast.IntLit(span, 0, "usize"), e.count, False),
                            "map", [ast.Closure(span, [(index, None)], None, ast.MethodCall(
                                span, ast.Path(span, [value]), "clone", [], [], span))], [],
                            span)
    target = ast.NamedType(span, ["Vec"], [ast.ResolvedType(span, elem)])
    return ast.Block(span, [ast.Let(span, ast.NamePattern(span, value), None, e.items[0])],
                     ast.MethodCall(span, mapped, "collect", [], [target], span))


def _split_off_block(e: ast.MethodCall) -> ast.Block:
    """Rewrite `v.split_off(at)` into Rust's check of `at`, a copy of the items from
    `at` on and a `truncate`."""
    span = e.span
    at, n = f"__split_at_{span.line}_{span.col}", f"__split_len_{span.line}_{span.col}"

    def name(text: str) -> ast.Path:
        return ast.Path(span, [text])

    panic = ast.MacroCall(span, "panic", [
        ast.StrLit(span, "`at` split index (is {}) should be <= len (is {})"), name(at),
        name(n)])
    check = ast.ExprStmt(span, ast.If(span, ast.Binary(span, ">", name(at), name(n)),
                                      ast.Block(span, [ast.ExprStmt(span, panic)], None), None),
                         False)
    tail = ast.MethodCall(span, ast.Index(span, copy.deepcopy(e.receiver),
                                          ast.Range(span, name(at), None, False)),
                          "to_vec", [], [], span)
    cut = ast.MethodCall(span, copy.deepcopy(e.receiver), "truncate", [name(at)], [], span)
    tail_name = f"__split_tail_{span.line}_{span.col}"
    return ast.Block(span, [
        ast.Let(span, ast.NamePattern(span, at), ast.NamedType(span, ["usize"]), e.args[0]),
        ast.Let(span, ast.NamePattern(span, n), None,
                ast.MethodCall(span, copy.deepcopy(e.receiver), "len", [], [], span)),
        check, ast.Let(span, ast.NamePattern(span, tail_name), None, tail),
        ast.ExprStmt(span, cut, True)], name(tail_name))


def _swap_remove_block(e: ast.MethodCall) -> ast.Block:
    """Rewrite `v.swap_remove(i)` into Rust's check of `i`, a swap with the last
    item and a `pop`:

        { let i: usize = I; let n = v.len(); if i >= n { panic!(..) }
          v.swap(i, n - 1); v.pop().unwrap() }"""
    span = e.span
    i, n = f"__swap_at_{span.line}_{span.col}", f"__swap_len_{span.line}_{span.col}"

    def name(text: str) -> ast.Path:
        return ast.Path(span, [text])

    panic = ast.MacroCall(span, "panic", [
        ast.StrLit(span, "swap_remove index (is {}) should be < len (is {})"), name(i), name(n)])
    check = ast.ExprStmt(span, ast.If(span, ast.Binary(span, ">=", name(i), name(n)),
                                      ast.Block(span, [ast.ExprStmt(span, panic)], None), None),
                         False)
    swap = ast.MethodCall(span, copy.deepcopy(e.receiver), "swap",
                          [name(i), ast.Binary(span, "-", name(n), ast.IntLit(span, 1, "usize"))],
                          [], span)
    pop = ast.MethodCall(span, ast.MethodCall(span, copy.deepcopy(e.receiver), "pop", [], [],
                                              span), "unwrap", [], [], span)
    return ast.Block(span, [
        ast.Let(span, ast.NamePattern(span, i), ast.NamedType(span, ["usize"]), e.args[0]),
        ast.Let(span, ast.NamePattern(span, n), None,
                ast.MethodCall(span, copy.deepcopy(e.receiver), "len", [], [], span)),
        check, ast.ExprStmt(span, swap, True)], pop)


def _rotate_block(e: ast.MethodCall) -> ast.Block:
    """Rewrite `v.rotate_left(k)` (or `rotate_right`) into Rust's check of `k`,
    which panics at the call, and three reversals:

        { let k: usize = K; if k > v.len() { panic!(..) }
          v[..k].reverse(); v[k..].reverse(); v.reverse(); }

    `rotate_right(k)` reverses the whole slice first instead."""
    span = e.span
    k = f"__rotate_by_{span.line}_{span.col}"
    right = e.method == "rotate_right"

    def reverse(start, end) -> ast.ExprStmt:
        part = copy.deepcopy(e.receiver)
        if start is not None or end is not None:
            part = ast.Index(span, part, ast.Range(span, start, end, False))
        return ast.ExprStmt(span, ast.MethodCall(span, part, "reverse", [], [], span), True)

    def at() -> ast.Expr:
        return ast.Path(span, [k])

    length = ast.MethodCall(span, copy.deepcopy(e.receiver), "len", [], [], span)
    message = "assertion failed: k <= self.len()" if right else \
        "assertion failed: mid <= self.len()"
    panic = ast.MacroCall(span, "panic", [ast.StrLit(span, message)])
    check = ast.ExprStmt(span, ast.If(span, ast.Binary(span, ">", at(), length),
                                      ast.Block(span, [ast.ExprStmt(span, panic)], None), None),
                         False)
    # rotating right by k is rotating left by len - k
    split: ast.Expr = at()
    if right:
        split = ast.Binary(span, "-", ast.MethodCall(span, copy.deepcopy(e.receiver), "len", [],
                                                     [], span), at())
    mid = f"__rotate_mid_{span.line}_{span.col}"
    return ast.Block(span, [
        ast.Let(span, ast.NamePattern(span, k), ast.NamedType(span, ["usize"]), e.args[0]),
        check,
        ast.Let(span, ast.NamePattern(span, mid), ast.NamedType(span, ["usize"]), split),
        reverse(None, ast.Path(span, [mid])),
        reverse(ast.Path(span, [mid]), None),
        reverse(None, None),
    ], None)


def _drain_block(e: ast.MethodCall) -> ast.Block:
    """Rewrite `v.drain(a..b)` into Rust's checks of the range, which panic at the
    call, and a loop that moves the items out and the rest of `v` down:

        { let lo: usize = a; let hi: usize = b;
          if hi > v.len() { panic!(..) } if lo > hi { panic!(..) }
          let mut out = Vec::with_capacity(hi - lo);
          for i in lo..hi { out.push(v[i]); }
          let n = v.len(); for i in hi..n { v[i - (hi - lo)] = v[i]; }
          v.truncate(n - (hi - lo)); out }

    An open start is 0, an open end `v.len()`, and `a..=b` ends at `b + 1`.  The
    loop is written out, not a generic prelude function, so that the items of
    `vec![1, 2]` keep the integer type that a later use decides."""
    span = e.span
    rng = e.args[0]
    tag = f"{span.line}_{span.col}"
    lo, hi, out, i, n = (f"__drain_{part}_{tag}" for part in ("start", "end", "out", "i", "n"))

    def name(text: str) -> ast.Path:
        return ast.Path(span, [text])

    def vec() -> ast.Expr:
        return copy.deepcopy(e.receiver)

    def length() -> ast.MethodCall:
        return ast.MethodCall(span, vec(), "len", [], [], span)

    def gap() -> ast.Binary:
        return ast.Binary(span, "-", name(hi), name(lo))

    def stmt(expr: ast.Expr) -> ast.ExprStmt:
        return ast.ExprStmt(span, expr, False)

    def check(test: ast.Expr, message: str, *values: ast.Expr) -> ast.ExprStmt:
        panic = ast.MacroCall(span, "panic", [ast.StrLit(span, message), *values])
        return stmt(ast.If(span, test, ast.Block(span, [stmt(panic)], None), None))

    def loop(start: ast.Expr, end: ast.Expr, body: ast.Stmt) -> ast.ExprStmt:
        return stmt(ast.For(span, ast.NamePattern(span, i), ast.Range(span, start, end, False),
                            ast.Block(span, [body], None)))

    end = rng.end if rng.end is not None else length()
    if rng.end is not None and rng.inclusive:
        end = ast.Binary(span, "+", end, ast.IntLit(span, 1))
    usize = ast.NamedType(span, ["usize"])
    with_capacity = ast.Call(span, ast.Path(span, ["Vec", "with_capacity"]), [gap()])
    block = ast.Block(span, [
        ast.Let(span, ast.NamePattern(span, lo), usize, rng.start or ast.IntLit(span, 0)),
        ast.Let(span, ast.NamePattern(span, hi), usize, end),
        check(ast.Binary(span, ">", name(hi), length()),
              "range end index {} out of range for slice of length {}", name(hi), length()),
        check(ast.Binary(span, ">", name(lo), name(hi)),
              "slice index starts at {} but ends at {}", name(lo), name(hi)),
        ast.Let(span, ast.NamePattern(span, out, True), None, with_capacity),
        loop(name(lo), name(hi), ast.ExprStmt(span, ast.MethodCall(
            span, name(out), "push", [ast.Index(span, vec(), name(i))], [], span))),
        ast.Let(span, ast.NamePattern(span, n), usize, length()),
        loop(name(hi), name(n), ast.Assign(
            span, "=", ast.Index(span, vec(), ast.Binary(span, "-", name(i), gap())),
            ast.Index(span, vec(), name(i)))),
        stmt(ast.MethodCall(span, vec(), "truncate",
                            [ast.Binary(span, "-", name(n), gap())], [], span)),
    ], name(out))
    block.iterator_result = True  # `v.drain(..).count()` counts the moved items
    return block


def _retain_block(e: ast.MethodCall) -> ast.Block:
    """Rewrite `v.retain(f)` into a loop that moves each kept element down, then truncates:

        { let keep = f; let mut w = 0; let mut r = 0;
          while r < v.len() { if keep(&v[r]) { v[w] = v[r]; w += 1; } r += 1; }
          v.truncate(w); }

    `f` is called once per element, in order, as Rust's `retain` calls it.
    `v.dedup_by_key(k)` keeps the element when `w == 0 || k(&v[r]) != k(&v[w - 1])`,
    and `v.dedup_by(same)` when `w == 0 || !same(&v[r], &v[w - 1])`, so each run of
    equal elements keeps its first, as in Rust."""
    span = e.span
    tag = f"{span.line}_{span.col}"
    keep, write, read = f"__keep_{tag}", f"__write_{tag}", f"__read_{tag}"

    def vec() -> ast.Expr:
        return copy.deepcopy(e.receiver)

    def name(text: str) -> ast.Path:
        return ast.Path(span, [text])

    def element(index: str) -> ast.Index:
        return ast.Index(span, vec(), name(index))

    def bump(counter: str) -> ast.Assign:
        return ast.Assign(span, "+=", name(counter), ast.IntLit(span, 1))

    test: ast.Expr = ast.Call(span, name(keep), [ast.Ref(span, element(read), False)])
    if e.method != "retain":
        previous = ast.Index(span, vec(), ast.Binary(span, "-", name(write), ast.IntLit(span, 1)))
        if e.method == "dedup_by_key":
            other = ast.Call(span, name(keep), [ast.Ref(span, previous, False)])
            differs: ast.Expr = ast.Binary(span, "!=", test, other)
        else:
            same = ast.Call(span, name(keep), [ast.Ref(span, element(read), False),
                                               ast.Ref(span, previous, False)])
            differs = ast.Unary(span, "!", same)
        first = ast.Binary(span, "==", name(write), ast.IntLit(span, 0))
        test = ast.Binary(span, "||", first, differs)
    moved = ast.Block(span, [ast.Assign(span, "=", element(write), element(read)),
                             bump(write)], None)
    step = ast.Block(span, [ast.ExprStmt(span, ast.If(span, test, moved, None)), bump(read)],
                     None)
    length = ast.MethodCall(span, vec(), "len", [], [], span)
    loop = ast.While(span, ast.Binary(span, "<", name(read), length), step)
    usize = ast.NamedType(span, ["usize"])
    return ast.Block(span, [
        ast.Let(span, ast.NamePattern(span, keep), None, e.args[0]),
        ast.Let(span, ast.NamePattern(span, write, True), usize, ast.IntLit(span, 0)),
        ast.Let(span, ast.NamePattern(span, read, True), usize, ast.IntLit(span, 0)),
        ast.ExprStmt(span, loop),
        ast.ExprStmt(span, ast.MethodCall(span, vec(), "truncate", [name(write)], [], span)),
    ], None)


class BlockLabel(str):
    """The label of a labelled block `'a: { .. }`, which `break 'a` leaves and
    `continue` cannot target."""


def _binary_search_call(e: ast.MethodCall) -> ast.Call:
    """Rewrite `v.binary_search(&x)`, `v.binary_search_by(f)` and
    `v.binary_search_by_key(&k, f)` into calls of the prelude's search.

    `binary_search_by_key(&k, f)` is `binary_search_by(|item| f(item).cmp(&k))`."""
    span = e.span
    receiver = e.receiver
    receiver.checked = True
    if not isinstance(receiver.ty, (T.RefT, T.SliceT)):
        receiver = ast.Ref(span, receiver, False)
    if e.method == "binary_search":
        target = e.args[0] if isinstance(e.args[0], ast.Ref) else \
            ast.Ref(e.args[0].span, e.args[0], False)
        return ast.Call(span, ast.Path(span, ["__seq_binary_search"]), [receiver, target])
    if e.method == "binary_search_by":
        return ast.Call(span, ast.Path(span, ["__seq_binary_search_by"]), [receiver, e.args[0]])
    key, f = e.args
    key = key.operand if isinstance(key, ast.Ref) else key
    item = "__search_item"
    keyed = ast.Call(span, f, [ast.Path(span, [item])])
    compare = ast.Closure(span, [(item, None)], None, ast.MethodCall(
        span, keyed, "cmp", [ast.Ref(span, key, False)]))
    return ast.Call(span, ast.Path(span, ["__seq_binary_search_by"]), [receiver, compare])


def _option_loop(e: ast.For) -> ast.For:
    """Rewrite `for x in opt { .. }` over an `Option`, which runs the body once for a
    `Some`, into `for _ in 0..1 { if let Some(x) = opt { .. } }`, so that `break` and
    `continue` in the body end that one turn, as they end Rust's loop."""
    span = e.span
    e.iter.checked = True
    test = ast.Match(span, e.iter, [
        ast.MatchArm(span, ast.VariantPattern(span, ["Some"], [e.pattern]), None, e.body),
        ast.MatchArm(span, ast.WildPattern(span), None, ast.Block(span, [], None))])
    test.let_form = "if let"
    once = ast.For(span, ast.WildPattern(span),
                   ast.Range(span, ast.IntLit(span, 0, "usize"), ast.IntLit(span, 1, "usize"),
                             False),
                   ast.Block(span, [ast.ExprStmt(span, test, False)], None), e.label)
    return once


def _replace_block(e: ast.Call) -> ast.Block:
    """Rewrite `std::mem::replace(&mut a, v)` into `{ let old = a; a = v; old }`, and
    `std::mem::take(&mut a)` into the replacement by `Default::default()`."""
    arg = e.args[0]
    place = arg.operand if isinstance(arg, ast.Ref) and arg.mutable else \
        ast.Unary(arg.span, "*", arg)
    new = e.args[1] if len(e.args) == 2 else \
        ast.Call(e.span, ast.Path(e.span, ["Default", "default"]), [])
    old = f"__replaced_{e.span.line}_{e.span.col}"
    return ast.Block(e.span, [
        ast.Let(e.span, ast.NamePattern(e.span, old), None, place),
        ast.Assign(e.span, "=", copy.deepcopy(place), new)], ast.Path(e.span, [old]))


def _swap_block(e: ast.Call) -> ast.Block:
    """Rewrite `std::mem::swap(&mut a, &mut b)` into `{ let (x, y) = (b, a); a = x;
    b = y; }`.  An argument that is already a `&mut` reference swaps through `*`."""
    def place(arg: ast.Expr) -> ast.Expr:
        if isinstance(arg, ast.Ref) and arg.mutable:
            return arg.operand
        return ast.Unary(arg.span, "*", arg)

    a, b = place(e.args[0]), place(e.args[1])
    first = f"__swapped_{e.span.line}_{e.span.col}"
    second = first + "_b"
    swapped = ast.TuplePattern(e.span, [ast.NamePattern(e.span, first),
                                      ast.NamePattern(e.span, second)])
    return ast.Block(e.span, [
        ast.Let(e.span, swapped, None, ast.TupleLit(e.span, [b, a])),
        ast.Assign(e.span, "=", copy.deepcopy(a), ast.Path(e.span, [first])),
        ast.Assign(e.span, "=", copy.deepcopy(b), ast.Path(e.span, [second])),
    ], None)


def _prune_types(body: ast.Node, settle: bool = False) -> None:
    """Replace the bound holes in every type of `body` by their types; with
    `settle`, also the float literal types that no use decided by `f64`."""
    for node in ast.walk(body):
        for attr, value in vars(node).items():
            if isinstance(value, T.Type) and attr != "span":
                setattr(node, attr, T.prune(value, settle))


def _float_only_types(base: T.FloatT) -> dict[str, T.Type]:
    """Return the meaning of the type names in `FLOAT_ONLY_METHODS` for receiver `base`."""
    bits = T.U32 if base.bits == 32 else T.U64
    return {"Self": base, "bool": T.BOOL, "Bits": bits, "Pair": T.TupleT((base, base))}


def _int_method_types(base: T.IntT) -> dict[str, T.Type]:
    """Return the meaning of the type names in `INT_METHODS` for receiver `base`."""
    unsigned = T.IntT(base.bits, False, "usize" if base.alias == "isize" else "")
    return {"Self": base, "u32": T.U32, "bool": T.BOOL, "Unsigned": unsigned,
            "Overflowing": T.TupleT((base, T.BOOL))}


def number_method_signature(owner: T.Type, name: str) -> tuple[list[T.Type], T.Type] | None:
    """Return the parameters after the receiver and the result of a number type's method.

    Returns None when `owner` has no method `name`.
    """
    if isinstance(owner, (T.FloatT, T.DualT)) and name in FLOAT_METHODS:
        if name == "powi":
            return [T.I32], owner
        return [owner] * FLOAT_METHODS[name], owner
    if isinstance(owner, T.FloatT) and name in FLOAT_ONLY_METHODS:
        params, ret = FLOAT_ONLY_METHODS[name]
        types = _float_only_types(owner)
        return [types[p] for p in params], types[ret]
    if isinstance(owner, T.IntT) and name in INT_METHODS:
        params, ret, kinds = INT_METHODS[name]
        if kinds != "any" and (kinds == "signed") != owner.signed:
            return None
        types = _int_method_types(owner)
        return [types[p] for p in params], types[ret]
    return None


def _method_value_fn(span: Span, key: str, owner: T.Type, method: str,
                     params: list[T.Type], ret: T.Type) -> ast.FnDef:
    """Build `fn KEY(x: OWNER, y: ..) -> RET { x.METHOD(y, ..) }`, its body unchecked."""
    names = ["x", "y", "z"][:len(params) + 1]
    types = [owner] + params
    fn_params = [ast.Param(span, n, ast.ResolvedType(span, t)) for n, t in zip(names, types)]
    args = [ast.Path(span, [n]) for n in names]
    body = ast.Block(span, [], ast.MethodCall(span, args[0], method, args[1:], [], span))
    fn = ast.FnDef(span, key, fn_params, ast.ResolvedType(span, ret), body)
    fn.origin = "user"
    fn.sig = Sig(types, ret, None, None)
    return fn


def _missing_method_help(name: str) -> str | None:
    """Suggest what to call instead of a number method that needs `Option` or `Ordering`."""
    if name == "checked_abs":
        return "an unsigned integer is its own absolute value"
    if name.startswith("checked_"):
        known = ", ".join(f"`{m}`" for m in CHECKED_METHODS)
        return (f"sxc has {known}; test the operands of the others before the operation")
    if name == "partial_cmp":
        return ("write `a.partial_cmp(&b).unwrap()`, which panics on NaN, or compare with "
                "`<`, `==` and `>`")
    if name == "cmp":
        return "floats have no `cmp`: use `a.total_cmp(&b)` or `a.partial_cmp(&b).unwrap()`"
    if name == "total_cmp":
        return "only floats have `total_cmp`: use `a.cmp(&b)`"
    return None


def _signedness_help(e: ast.Binary, lt: T.IntT, rt: T.IntT) -> str:
    """Suggest how to compare a signed with an unsigned integer without wrapping."""
    signed, unsigned = (lt, rt) if lt.signed else (rt, lt)
    wide = next((b for b in (16, 32, 64) if b > unsigned.bits and b >= signed.bits), None)
    left, right = _snippet_text(e.left), _snippet_text(e.right)
    if wide is not None:
        return (f"convert both sides to a type that holds every value of each: "
                f"`({left} as i{wide}) {e.op} ({right} as i{wide})`")
    return (f"no sxc integer type holds every `{signed}` and every `{unsigned}`: test the "
            f"`{signed}` for a negative value first, then convert it with `as {unsigned}`")


def _converts_losslessly(src: T.Type, dst: T.Type) -> bool:
    """Return whether Rust implements `From<src> for dst` between primitive numbers."""
    if src == dst or (isinstance(src, T.BoolT) and T.is_numeric(dst)):
        return True
    if T.is_char(dst):
        return src == T.U8
    if T.is_char(src):
        return dst in (T.U32, T.U64)
    if isinstance(src, T.IntT) and isinstance(dst, T.IntT):
        if dst.alias in ("usize", "isize") or src.alias in ("usize", "isize"):
            # the pointer-sized types convert only from types of at most 16 bits
            return src.bits <= 16 and dst.alias != "" and dst.bits > src.bits and \
                (dst.signed or not src.signed) and (src.signed == dst.signed or src.bits < 16)
        if src.signed and not dst.signed:
            return False
        return dst.bits > src.bits
    if isinstance(src, T.IntT) and isinstance(dst, T.FloatT):
        return src.bits <= (32 if dst.bits == 64 else 16) and not src.alias
    return isinstance(src, T.FloatT) and isinstance(dst, T.FloatT) and dst.bits >= src.bits


def _inner_span(lit: ast.StrLit, offset: int, length: int) -> Span:
    """Return the source span of decoded characters `offset .. offset + length` of `lit`."""
    from sxc.parse import decode_positions

    s = lit.span
    raw = getattr(lit, "raw", None)
    if raw is None:
        return s
    positions = decode_positions(raw[1:-1], lenient=True)
    if offset >= len(positions):
        return s
    first = 1 + positions[offset][1]
    last = 1 + positions[min(offset + length, len(positions)) - 1][1]
    before = raw[:first]
    line = s.line + before.count("\n")
    col = first - before.rfind("\n") if "\n" in before else s.col + first
    return Span(s.file, line, col, line, col + max(1, last - first + 1))


def _is_copy(t: T.Type) -> bool:
    """Return whether `t` is a number, `bool`, `dual`, or a tuple of them or of arrays of them."""
    if isinstance(t, T.TupleT):
        return all(_is_copy(i) or _is_copy_array(i) for i in t.items)
    return T.is_numeric(t) or isinstance(t, (T.BoolT, T.DualT, T.UnitT))


def _is_copy_array(t: T.Type) -> bool:
    """Return whether `t` is an array, maybe nested, of what `_is_copy` accepts."""
    return isinstance(t, T.ArrayT) and (_is_copy(t.elem) or _is_copy_array(t.elem))


def _const_refs(expr) -> set[str]:
    return {n.segments[0] for n in ast.walk(expr) if isinstance(n, ast.Path)
            and getattr(n, "target", (None,))[0] == "const"}


def _reaches(graph: dict, start: str, goal: str, seen: set) -> bool:
    for nxt in graph.get(start, ()):
        if nxt == goal:
            return True
        if nxt not in seen:
            seen.add(nxt)
            if _reaches(graph, nxt, goal, seen):
                return True
    return False


def _is_literal(e: ast.Expr) -> bool:
    if isinstance(e, ast.Unary) and e.op == "-":
        return _is_literal(e.operand)
    return isinstance(e, (ast.IntLit, ast.FloatLit)) and e.suffix is None


def _literal_of(e: ast.Expr, kind: type) -> bool:
    """Return whether the literal `e` (perhaps negated) is of syntax class `kind`."""
    while isinstance(e, ast.Unary):
        e = e.operand
    return isinstance(e, kind)


def _tail(e: ast.Expr) -> ast.Expr | None:
    if isinstance(e, ast.Block):
        return e.tail
    return None


def _snippet_text(e: ast.Expr) -> str:
    if isinstance(e, ast.Path) and not any(part.startswith("__") for part in e.segments):
        # a name that sxc made up, as `__value_7_37` in a rewritten `collect`, is no help
        return "::".join(e.segments)
    if isinstance(e, ast.IntLit) and e.suffix == "char":
        return char_literal(e.value)
    if isinstance(e, ast.IntLit):
        return str(e.value)
    if isinstance(e, ast.Field):
        return f"{_snippet_text(e.base)}.{e.name}"
    return "value"


def check_module(program: Program, reporter: Reporter) -> Program:
    """Type-check `program` in place; report errors to `reporter`.

    Closures become structs and functions afterwards (`sxc.closures`), so the
    later passes see neither closures nor generics.
    """
    from sxc.closures import convert_closures

    split_result_main(program)
    checker = Checker(program, reporter)
    checker.check_program()
    # the program's generic functions, which Python cannot call (see `sxc.api`)
    program.generic_functions = tuple(sorted(
        key for key, template in checker.fn_templates.items()
        if template.owner is None and "::" not in key
        and getattr(template.fn, "origin", "user") == "user"))
    if not reporter.has_errors:
        convert_closures(program, checker.closures)
    return program


def _param_name_span(param: ast.Param) -> Span:
    """Return the span of a parameter's name, without `mut` and the type."""
    span = param.span
    line = source_line(span.file, span.line) or ""
    found = re.compile(rf"\b{re.escape(param.name)}\b").search(line, span.col - 1)
    if found is None:
        return span
    return Span(span.file, span.line, found.start() + 1, span.line, found.end() + 1)
