"""Rewrite iterator chains with closures into loops.

The type checker calls `rewrite_chain` on a consumer such as
`xs.iter().map(|x| x * x).sum::<f64>()`, or on a `for` loop over a chain with
`map`, `filter` and the like, and checks the returned block instead:

    xs.iter().map(|x| x * x).filter(|&y| y > 1.0).sum::<f64>()

becomes

    {
        let __n_1_1: usize = xs.len();
        let mut __acc_1_2: f64 = -0.0;
        for __k_1_0 in 0usize..__n_1_1 {
            let __x_1_3 = xs[__k_1_0];
            let __x_1_4 = { let mut x = __x_1_3; x * x };
            if { let mut __arg_4_55 = __x_1_4; { let y = *__arg_4_55; y > 1.0 } } {
                __acc_1_2 += __x_1_4;
            }
        }
        __acc_1_2
    }

Each closure written in the chain is inlined as a block that binds its
parameters, so no closure value is made and no call is left for LLVM to
inline.  Items are values, as in `for x in xs.iter()`: since `*x` of a value
is the value and a `&x` parameter binds what its argument refers to,
`|x| x * 2.0`, `|&x| x * 2.0` and `|x| *x * 2.0` all mean the same.  A function
value such as `f64::max` or a closure stored in a local is called directly.

The items flow through the stages one at a time, so the closures run in the
order Rust runs them, and `take`, `take_while`, `any` and `all` stop pulling
items as Rust's do.  The positional adapters `rev`, `zip`, `skip`, `take`,
`enumerate` and `chain` index the sequence, as `seq_adapters` does, when they
come straight after a sequence source.  After `map` or `filter` the others
count the items that pass instead, `chain` feeds the later stages from a second
loop after the main one, and `rev` is rejected there.  `flat_map` and
`flatten` nest a loop over each item's iterator (names in `chain_scopes`), and
`chain_keepers` builds the consumers that return an `Option`, such as `max_by`.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Callable

from sxc import ast
from sxc import chain_keepers, chain_scopes, seq_adapters
from sxc import types as T
from sxc.diagnostics import Span

SOURCES = ("iter", "iter_mut", "into_iter")
# the method that appends an item of a chain collected into a `String`: the type
# checker makes it `push` for a `char` and `push_str` for a string
COLLECT_PUSH = "__collect_push"
# the sources whose items are sub-slices `&[T]` of a sequence, with the message
# that Rust's panic for a size of zero has
SLICE_SOURCES = {"windows": "window size must be non-zero",
                 "chunks": "chunk size must be non-zero",
                 "chunks_exact": "chunk size must be non-zero"}
# the string methods that return a slice, which a consumer may take directly: `s.chars().any(f)`
CHAR_SOURCES = ("chars", "char_indices", "bytes")
# the string splitters, which return a `Vec<&str>` in sxc
SPLITTERS = ("split", "splitn", "rsplit", "rsplitn", "split_terminator", "matches")
# the methods that return a `Vec` or a slice in sxc where Rust returns an iterator
# the set operations of a `HashSet` return a `Vec` of the items (see `runtime/std.sx`)
SET_OPERATIONS = ("intersection", "union", "difference", "symmetric_difference")
VEC_SOURCES = ("lines", "split_whitespace", "drain") + SPLITTERS + CHAR_SOURCES + SET_OPERATIONS
ADAPTERS = ("map", "filter", "enumerate", "zip", "rev", "skip", "take", "step_by",
            "copied", "cloned", "take_while", "skip_while", "chain", "filter_map", "flat_map",
            "flatten", "scan")
# adapters that run a loop over the iterator of each item
FLATTENERS = ("flat_map", "flatten")
# adapters that `seq_adapters` applies by indexing the sequence
INDEXED = ("rev", "zip", "skip", "take", "enumerate", "chain")
CONSUMERS = ("sum", "product", "count", "fold", "any", "all", "for_each", "collect",
             "position", "find", "max", "min", "max_by", "min_by", "max_by_key",
             "min_by_key", "reduce", "last", "nth", "find_map", "partition", "unzip",
             "rposition")
# consumers that keep one item, or the latest best one, and return it as an `Option`
KEEPERS = ("find", "max", "min", "max_by", "min_by", "max_by_key", "min_by_key", "reduce",
           "last", "nth", "find_map")
# iterator methods of Rust's `Iterator` that sxc cannot compile, with what to write instead
UNSUPPORTED = {
    "peekable": "index the sequence, or write a `while` loop over the positions",
    "cycle": "index with `k % v.len()` in a `for` loop",
    "inspect": "print inside a `map` closure, or write a `for` loop",
    "fuse": "leave it out: the chains sxc compiles stop at their first `None`",
    "by_ref": "write a `for` loop that keeps its position in a variable",
    "try_fold": "write a `for` loop that returns or breaks early",
    "try_for_each": "write a `for` loop that returns or breaks early",
    "map_while": "write `.take_while(..)` followed by `.map(..)`",
}
# adapters whose items are those they receive
SAME_ITEMS = ("filter", "rev", "skip", "take", "step_by", "copied", "cloned", "take_while",
              "skip_while")
# the arguments each adapter and consumer takes
ARITY = {"map": 1, "filter": 1, "filter_map": 1, "flat_map": 1, "flatten": 0, "scan": 2,
         "enumerate": 0, "zip": 1, "rev": 0, "skip": 1, "take": 1,
         "step_by": 1, "copied": 0, "cloned": 0, "take_while": 1, "skip_while": 1, "chain": 1,
         "sum": 0, "product": 0, "count": 0, "fold": 2, "any": 1, "all": 1, "for_each": 1,
         "collect": 0, "position": 1, "find": 1, "max": 0, "min": 0, "max_by": 1,
         "min_by": 1, "max_by_key": 1, "min_by_key": 1, "reduce": 1, "last": 0, "nth": 1,
         "find_map": 1, "partition": 1, "unzip": 0, "rposition": 1}


# a local that this module generates, such as `__x_3_7`, in a message
_GENERATED = re.compile(r"`__[a-z_]+_\d+_\d+`")


class ChainError(Exception):
    """An iterator chain that sxc cannot rewrite; `span` points at the offending call."""

    def __init__(self, message: str, span: Span, help: str | None = None,
                 code: str = "SX0801"):
        super().__init__(message)
        self.message = message
        self.span = span
        self.help = help
        self.code = code  # a key of `sxc.codes.CODES`


@dataclass
class Chain:
    """An iterator source followed by adapters, from the source outwards."""

    source: ast.Expr  # the sequence, or the `ast.Range`
    # "iter", "iter_mut", "into_iter", a key of SLICE_SOURCES, or None for a range
    method: str | None
    adapters: list[ast.MethodCall] = field(default_factory=list)
    # the call `v.windows(n)`, `v.chunks(n)` or `v.chunks_exact(n)` of a slice source
    slice_call: ast.MethodCall | None = None

    @property
    def is_range(self) -> bool:
        return isinstance(self.source, ast.Range)


def parse_chain(e: ast.Expr) -> Chain | None:
    """Return the chain that `e` is, or None when `e` is no iterator chain."""
    adapters = []
    while isinstance(e, ast.MethodCall) and e.method in ADAPTERS + tuple(UNSUPPORTED):
        adapters.append(e)
        e = e.receiver
    if isinstance(e, ast.MethodCall) and e.method in VEC_SOURCES and (
            adapters or e.method in CHAR_SOURCES):
        # the string splitters return a `Vec<&str>` in sxc, and `chars()` a slice
        return Chain(e, "into_iter", list(reversed(adapters)))
    if isinstance(e, ast.MethodCall) and e.method in SLICE_SOURCES and len(e.args) == 1 \
            and not isinstance(e.receiver, ast.Range):
        return Chain(e.receiver, e.method, list(reversed(adapters)), e)
    if isinstance(e, ast.MethodCall) and e.method in SOURCES and not e.args:
        if isinstance(e.receiver, ast.Range):
            return Chain(e.receiver, None, list(reversed(adapters)))
        return Chain(e.receiver, e.method, list(reversed(adapters)))
    if isinstance(e, ast.Range):
        return Chain(e, None, list(reversed(adapters)))
    return None


def args_as_iterator(e: ast.Expr, user_fns) -> None:
    """Insert `.into_iter()` after `std::env::args()` when a chain of iterator methods
    follows it: `args()` is an iterator in Rust and a `Vec<String>` in sxc."""
    while isinstance(e, ast.MethodCall) and e.method in ARGS_ITERATOR_METHODS:
        inner = e.receiver
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Path) \
                and not inner.args and inner.func.segments[-1] not in user_fns \
                and "::".join(inner.func.segments) in ("args", "std::env::args", "env::args"):
            e.receiver = ast.MethodCall(inner.span, inner, "into_iter", [], [], inner.span)
            return
        e = inner


ITER_FUNCTIONS = {"repeat": 1, "repeat_n": 2, "once": 1}


def _iter_function(e: ast.Expr, user_fns) -> str | None:
    """Return `repeat`, `repeat_n` or `once` when `e` calls that function of
    `std::iter` with the right number of arguments."""
    if not isinstance(e, ast.Call) or not isinstance(e.func, ast.Path):
        return None
    segments = e.func.segments
    name = segments[-1]
    if ITER_FUNCTIONS.get(name) != len(e.args) or \
            segments[:-1] not in ([], ["iter"], ["std", "iter"]) or \
            (len(segments) == 1 and name in user_fns):
        return None
    return name


def iter_functions_as_vecs(node: ast.Node, user_fns) -> None:
    """Turn `std::iter::repeat(x).take(n)`, `repeat_n(x, n)` and `once(x)`, where an
    iterator method reads them, into iterators over `vec![x; n]` and `vec![x]`.

    Rust clones `x` for each item, as `vec![x; n]` does.  `repeat(x)` without a
    `take` is endless, so it is left as it is and reported as not found."""
    if isinstance(node, ast.MethodCall) and node.method == "take" and len(node.args) == 1 \
            and _iter_function(node.receiver, user_fns) == "repeat":
        repeated = node.receiver
        node.receiver = ast.VecLit(repeated.span, list(repeated.args), node.args[0])
        node.method, node.args = "into_iter", []
        return
    if isinstance(node, ast.MethodCall):
        places = [("receiver", node.receiver)] + list(enumerate(node.args))
    elif isinstance(node, ast.For):
        places = [("iter", node.iter)]
    else:
        return
    for place, e in places:
        name = _iter_function(e, user_fns)
        if name is None or name == "repeat":
            continue
        items = ast.VecLit(e.span, [e.args[0]], e.args[1] if name == "repeat_n" else None)
        vec = ast.MethodCall(e.span, items, "into_iter", [], [], e.span)
        if isinstance(place, int):
            node.args[place] = vec
        else:
            setattr(node, place, vec)


# the sources whose `next()` reads the first item of a sequence
NEXT_SOURCES = ("iter", "into_iter", "keys", "values", "into_keys", "into_values")


def next_as_consumer(node: ast.Node) -> None:
    """Turn `chain.next()` into `chain.nth(0)` and `chain.next_back()` into
    `chain.rev().nth(0)` where `chain` is written in place, such as
    `v.iter().filter(f).next()`: both take one item, and `nth` stops at it.

    `it.next()` on a local `it` stays a step of that iterator."""
    if not (isinstance(node, ast.MethodCall) and not node.args and
            node.method in ("next", "next_back") and isinstance(node.receiver, ast.MethodCall)):
        return
    inner = node.receiver.method
    if node.method == "next" and (inner in ADAPTERS or inner in NEXT_SOURCES and
                                  not node.receiver.args):
        node.method, node.args = "nth", [ast.IntLit(node.span, 0, "usize")]
    elif node.method == "next_back" and (inner in ADAPTERS or inner in NEXT_SOURCES or
                                         inner in VEC_SOURCES):
        # from the back, so the closures run on the items that Rust's `next_back`
        # pulls, not on every item as `last` would
        node.receiver = ast.MethodCall(node.span, node.receiver, "rev", [], [], node.span)
        node.method, node.args = "nth", [ast.IntLit(node.span, 0, "usize")]


def case_mapping_as_chars(node: ast.Node) -> None:
    """Insert `.chars()` after `c.to_uppercase()` or `c.to_lowercase()` where an iterator
    method or a `for` loop reads it.

    Rust's `char::to_uppercase` returns an iterator over the characters of the
    mapping (`'ß'` gives `"SS"`).  sxc's returns that mapping as a `String`,
    whose `chars()` are the same items."""
    def mapped(e) -> bool:
        return isinstance(e, ast.MethodCall) and e.method in ("to_uppercase", "to_lowercase") \
            and not e.args

    if isinstance(node, ast.MethodCall) and mapped(node.receiver) and (
            node.method in ADAPTERS or node.method in CONSUMERS or node.method == "next"):
        node.receiver = ast.MethodCall(node.receiver.span, node.receiver, "chars", [])
    elif isinstance(node, ast.For) and mapped(node.iter):
        node.iter = ast.MethodCall(node.iter.span, node.iter, "chars", [])


# Iterator methods that `std::env::args()` has and a `Vec` lacks (or has with
# another result, as `last`)
ARGS_ITERATOR_METHODS = frozenset((
    "skip", "nth", "count", "map", "filter", "enumerate", "take", "zip", "step_by",
    "last", "skip_while", "take_while", "fold", "any", "all", "position", "find",
    "rev", "chain", "filter_map", "for_each", "peekable", "cloned", "min", "max"))


def hoist_rev(chain: Chain) -> None:
    """Move a `rev` that follows only `map`, `filter`, `filter_map`, `copied` and `cloned`
    to the source.

    Those adapters treat each item alone, so reversing before them runs the same
    closures on the same items in the same order as reversing after them.
    """
    for i, a in enumerate(chain.adapters):
        if a.method == "rev":
            if i and all(b.method in ("map", "filter", "filter_map", "copied", "cloned")
                         for b in chain.adapters[:i]):
                chain.adapters.insert(0, chain.adapters.pop(i))
            return


def _range_prefix(chain: Chain) -> int:
    """Count the adapters that the range loop itself applies: one `rev` or `step_by`."""
    if chain.source.end is None:
        return 0
    if chain.adapters and chain.adapters[0].method in ("rev", "step_by"):
        return 1
    return 0


def _indexed_prefix(chain: Chain) -> int:
    """Count the adapters straight after a sequence source that index the sequence."""
    n = 0
    for a in chain.adapters:
        if a.method in INDEXED and (a.method not in ("zip", "chain") or
                                    _zip_source(a) is not None):
            n += 1
        elif a.method in ("copied", "cloned"):
            n += 1
        else:
            break
    return n


def needs_rewrite(chain: Chain) -> bool:
    """Tell whether a `for` loop over `chain` needs this module (not `seq_adapters`)."""
    if chain.is_range:
        return len(chain.adapters) > _range_prefix(chain)
    if chain.slice_call is not None:
        return True
    if isinstance(chain.source, ast.MethodCall) and chain.source.method in VEC_SOURCES:
        return [a.method for a in chain.adapters] not in ([], ["enumerate"])
    return _indexed_prefix(chain) < len(chain.adapters) or \
        any(a.method in ("copied", "cloned", "chain") for a in chain.adapters)


def _zip_stops_first(chain: Chain, zip: ast.MethodCall, folding: bool) -> bool:
    """Tell whether Rust's `zip` stops before it pulls the left item that finds the right
    side exhausted, rather than after.

    NOTE: this follows Rust 1.95, found by running chains whose `map` counts its
    calls.  A consumer built on `fold` stops first unless `filter`, `take_while` or
    `skip_while` comes before the `zip`.  A `for` loop, `any` and `all` pull items
    with `next`, which stops first only after the random-access iterators: slices,
    `Vec`s and exclusive ranges, through `map`, `copied`, `cloned`, `enumerate`,
    `zip` and `skip` (not `rev`, `take` or `step_by`).
    """
    before = chain.adapters[:chain.adapters.index(zip)]
    if folding:
        return not any(b.method in ("filter", "take_while", "skip_while", "filter_map",
                                    "flat_map", "flatten", "scan") for b in before)
    if chain.is_range and (chain.source.inclusive or chain.source.end is None):
        return False
    allowed = ("map", "copied", "cloned", "enumerate", "zip", "skip")
    return all(b.method in allowed for b in before)


def _zip_source(a: ast.MethodCall) -> ast.Expr | None:
    """Return the argument of `zip` as a chain `seq_adapters` can index, or None."""
    if len(a.args) != 1:
        return None
    arg = a.args[0]
    while isinstance(arg, ast.MethodCall) and arg.method in ("copied", "cloned") \
            and not arg.args:
        arg = arg.receiver
    if isinstance(arg, ast.Ref) and not arg.mutable:
        return ast.MethodCall(arg.span, arg.operand, "iter", [])
    if isinstance(arg, (ast.Path, ast.Field, ast.ArrayLit, ast.VecLit)) or \
            isinstance(arg, ast.MethodCall) and arg.method in VEC_SOURCES:
        # `zip(w)`, `zip([true, false])` and `zip(s.chars())` walk a sequence
        return ast.MethodCall(arg.span, arg, "iter", [])
    if isinstance(arg, ast.MethodCall) and seq_adapters._chain(arg) is not None:
        return arg
    chain = parse_chain(arg)
    if chain is not None and not chain.is_range and \
            _indexed_prefix(chain) == len(chain.adapters):
        return arg
    return None


def check_arity(call: ast.MethodCall) -> None:
    expected = ARITY[call.method]
    if len(call.args) != expected:
        raise ChainError(f"`{call.method}` takes {expected} argument"
                         f"{'' if expected == 1 else 's'}"
                         f" but {len(call.args)} {'was' if len(call.args) == 1 else 'were'} "
                         "supplied", call.method_span or call.span, code="SX0302")


def reject_unsupported(call: ast.MethodCall) -> None:
    """Raise the error for an iterator method that sxc does not compile."""
    raise ChainError(f"sxc does not support the iterator method `{call.method}`",
                     call.method_span or call.span, help=f"{UNSUPPORTED[call.method]}")


class _Builder(seq_adapters._Builder):
    """Build the loop of one chain; `lets` collects the statements before the loop."""

    def __init__(self, span: Span, fresh: Callable[[str], str]):
        super().__init__(span, fresh)
        self.top: list[ast.Stmt] = []  # checks at the top of the loop body
        # the type of the items that reach the consumer, when the consumer fixes it
        self.item_type: ast.TypeExpr | None = None
        self.last_map: ast.MethodCall | None = None
        # whether the consumer is one that Rust builds on `fold`
        self.folding = False
        # (span, method) of each call whose closure must return an `Option`
        self.option_calls: list[tuple[Span, str]] = []
        # the span of each `flatten`, whose items must be sequences
        self.flatten_calls: list[Span] = []
        # the span of an `unzip`, whose items must be pairs
        self.pair_calls: list[Span] = []
        # the label that every `break` of the chain names: the user's label of a
        # `for` loop, or one of its own when `flat_map` or `chain` nests loops
        self.label: str | None = None
        # the arguments of the consumer, or the pattern and body of the `for` loop,
        # which run inside the loops that `flat_map` nests
        self.downstream: list = []
        # the functions that build the loops of `chain` stages, which run after the
        # main loop and feed the same sink
        self.after: list[Callable] = []
        # whether the body of the user's `for` loop has a `continue` that names its label
        self.continues_to_label = False
        # the label of the innermost loop that `flat_map` nests, which a
        # `continue` naming the user's label of a `for` loop continues
        self.item_label: str | None = None

    # ------------------------------------------------------------ node helpers

    def var(self, stem: str, init: ast.Expr, mutable: bool = False,
            ty: ast.TypeExpr | None = None) -> ast.Path:
        name = self.fresh(stem)
        self.lets.append(ast.Let(self.span, ast.NamePattern(self.span, name, mutable), ty, init))
        return self.name(name)

    def usize_var(self, stem: str, init: ast.Expr, mutable: bool = False) -> ast.Path:
        return self.var(stem, init, mutable, ast.NamedType(self.span, ["usize"]))

    def usize(self, value: int) -> ast.IntLit:
        return ast.IntLit(self.span, value, "usize")

    def bind(self, stem: str, value: ast.Expr, out: list[ast.Stmt]) -> ast.Path:
        name = self.fresh(stem)
        out.append(ast.Let(self.span, ast.NamePattern(self.span, name, False), None, value))
        return self.name(name)

    def bind_option(self, value: ast.Expr, out: list[ast.Stmt], call: ast.MethodCall,
                    item: ast.TypeExpr | None = None) -> ast.Path:
        """Bind `value`, the `Option` that the closure of `call` returns, to a local,
        of type `Option<item>` when the consumer decides `item`.

        The local's uses, and with `item` the value, carry the span of `call`'s
        name, so that the error for a closure that returns another type names
        the method (see `check_chain`)."""
        name = self.fresh("option")
        at = call.method_span or call.span
        ty = None
        if item is not None:
            # the consumer's item type reaches the closure's literals, as for `map`
            ty = ast.NamedType(at, ["Option"], [item])
            value = ast.Block(at, [], value)
        out.append(ast.Let(self.span, ast.NamePattern(self.span, name, False), ty, value))
        self.option_calls.append((at, call.method))
        return ast.Path(at, [name])

    def stmt(self, e: ast.Expr) -> ast.ExprStmt:
        return ast.ExprStmt(self.span, e, False)

    def if_(self, cond: ast.Expr, then: list[ast.Stmt],
            otherwise: list[ast.Stmt] | None = None) -> ast.ExprStmt:
        else_ = ast.Block(self.span, otherwise, None) if otherwise is not None else None
        return self.stmt(ast.If(self.span, cond, ast.Block(self.span, then, None), else_))

    def if_let(self, pattern: ast.Pattern, value: ast.Expr, then: ast.Block,
               otherwise: ast.Block | None = None) -> ast.ExprStmt:
        """Return `if let pattern = value { then } else { otherwise }`, which is a
        `match` in sxc."""
        otherwise = ast.MatchArm(self.span, ast.WildPattern(self.span), None,
                                 otherwise or ast.Block(self.span, [], None))
        match = ast.Match(self.span, value, [ast.MatchArm(self.span, pattern, None, then),
                                             otherwise])
        match.let_form = "if let"
        return self.stmt(match)

    def increment(self, counter: ast.Path) -> ast.Assign:
        return ast.Assign(self.span, "+=", counter, self.usize(1))

    def break_(self) -> ast.ExprStmt:
        return ast.ExprStmt(self.span, ast.Break(self.span, self.label, None), True)

    def call(self, func: ast.Expr, args: list[ast.Expr]) -> ast.Expr:
        """Return `func` applied to `args`, with a closure literal inlined as a block."""
        if not isinstance(func, ast.Closure):
            return ast.Call(self.span, func, args)
        if len(func.params) != len(args):
            n = len(func.params)
            raise ChainError(f"this closure takes {n} argument{'s' if n != 1 else ''} but "
                             f"{len(args)} {'is' if len(args) == 1 else 'are'} supplied here",
                             func.span, code="SX0302")
        # a closure inlined twice, as `sort_by_key` does, must not share nodes,
        # because the checker rewrites nodes in place
        func = copy.deepcopy(func)
        stmts: list[ast.Stmt] = []
        for (name, ty), arg in zip(func.params, args):
            if isinstance(ty, ast.RefType):
                # items are values, so `|x: &f64|` binds the value
                ty = ty.inner
            stmts.append(ast.Let(func.span, ast.NamePattern(func.span, name, True), ty, arg))
        if func.ret is not None:
            body = ast.Block(func.span, [ast.Let(func.span,
                                                 ast.NamePattern(func.span, "__ret", False),
                                                 func.ret, func.body)],
                             ast.Path(func.span, ["__ret"]))
            return ast.Block(func.span, stmts, body)
        return ast.Block(func.span, stmts, func.body)

    def function(self, arg: ast.Expr) -> ast.Expr:
        """Return what to call for the closure argument `arg`, evaluating it once."""
        if isinstance(arg, (ast.Closure, ast.Path)):
            return arg
        return self.var("f", arg)

    # ------------------------------------------------------------ the loop

    def prepare(self, chain: Chain) -> None:
        """Add the statements that evaluate the source and adapter arguments, in order."""
        hoist_rev(chain)
        self.chain = chain
        if self.label is None and _nests_loops(chain):
            self.label = "'" + self.fresh("outer")
        for a in reversed(chain.adapters):
            if a.method in ("map", "filter_map"):
                self.last_map = a
            if a.method not in SAME_ITEMS:
                break
        self.next: ast.Path | None = None
        if chain.is_range and chain.source.end is None:
            # `a..` counts up from `a` until a later adapter or the consumer stops
            rng = chain.source
            if rng.start is None:
                raise ChainError("an iterator chain needs a range with a start, such as "
                                 "`0..` or `a..b`", rng.span)
            start = 0
            self.next = self.var("next", rng.start, True)
            index = self.fresh("i")
            self.item = self.name(index)
            self.pattern = ast.NamePattern(self.span, index, False)
        elif chain.is_range:
            start = _range_prefix(chain)
            index = self.fresh("i")
            self.range: ast.Expr = chain.source
            if start:
                a = chain.adapters[0]
                check_arity(a)
                self.range = ast.MethodCall(a.span, self.range, a.method, a.args, [],
                                            a.method_span)
            self.item: ast.Expr = self.name(index)
            self.pattern = ast.NamePattern(self.span, index, False)
        else:
            start = _indexed_prefix(chain)
            count, elem = self.indexed(chain, start)
            self.item = self._value(elem(self.name(self.k)))
            self.pattern = ast.NamePattern(self.span, self.k, False)
            self.range = ast.Range(self.span, self.usize(0), count, False)
        self.run = self.stages(chain.adapters[start:])

    def loop(self, sink: Callable[[ast.Expr], list[ast.Stmt]], label: str | None) -> ast.Stmt:
        """Return the loop that feeds each item to `sink`, after `prepare`."""
        own = label or self.label
        body: list[ast.Stmt] = []
        first = self.bind("x", self.item, body)
        body.extend(self.run(first, sink))
        if self.next is not None:
            # the counter steps before the body, so `continue` needs no special case
            pull = [ast.Let(self.span, self.pattern, None, self.next),
                    ast.Assign(self.span, "+=", self.next, ast.IntLit(self.span, 1))]
            block = ast.Block(self.span, [*self.top, *pull, *body], None)
            if self.after:
                raise ChainError("sxc does not support `chain` after an open range `a..`, "
                                 "whose items never end", self.chain.source.span)
            return self.stmt(ast.Loop(self.span, block, own))
        block = ast.Block(self.span, [*self.top, *body], None)
        main = self.stmt(ast.For(self.span, self.pattern, self.range, block,
                                 None if self.after else own))
        if not self.after:
            return main
        # the loops of `chain` run one after the other inside a loop that runs once,
        # which every `break` of the chain leaves
        stmts = [main]
        for second_loop in self.after:
            stmts.extend(second_loop(sink))
        stmts.append(self.break_())
        return self.stmt(ast.Loop(self.span, ast.Block(self.span, stmts, None), own))

    def indexed(self, chain: Chain, end: int):
        """Return the count and items of the source with the first `end` adapters applied."""
        if chain.slice_call is not None:
            count, elem = self.slices(chain.source, chain.slice_call)
        else:
            count, elem = self.source(chain.source, chain.method == "iter_mut")
        for a in chain.adapters[:end]:
            check_arity(a)
            if a.method in ("copied", "cloned"):
                continue
            if a.method == "chain":
                count, elem = self.chained(count, elem, _zip_source(a))
                continue
            args = [_zip_source(a)] if a.method == "zip" else a.args
            count, elem = self.adapt(ast.MethodCall(a.span, a.receiver, a.method, args, [],
                                                    a.method_span), count, elem)
        return count, elem

    def slices(self, seq: ast.Expr, call: ast.MethodCall):
        """Return the count and items of `seq.windows(n)`, `seq.chunks(n)` or
        `seq.chunks_exact(n)`, whose items are sub-slices `&seq[a..b]`."""
        seq_count, _ = self.source(seq, False)
        seq = self.place
        size = self.usize_var("size", call.args[0])
        at = call.method_span or call.span
        panic = ast.MacroCall(at, "panic", [ast.StrLit(at, SLICE_SOURCES[call.method])])
        self.lets.append(self.if_(self.binary("==", size, self.usize(0)),
                                  [ast.ExprStmt(at, panic, True)]))
        one = self.usize(1)

        def sub_slice(start: ast.Expr, end: ast.Expr) -> ast.Expr:
            return ast.Ref(self.span, ast.Index(self.span, seq,
                                                ast.Range(self.span, start, end, False)), False)
        if call.method == "windows":
            # `len - size + 1` windows, none when the sequence is shorter than one window
            count = self.usize_var("n", ast.If(
                self.span, self.binary(">=", seq_count, size),
                self.block(self.binary("+", self.binary("-", seq_count, size), one)),
                self.block(self.usize(0))))
            return count, lambda k: sub_slice(k, self.binary("+", k, size))
        if call.method == "chunks_exact":
            count = self.usize_var("n", self.binary("/", seq_count, size))
            return count, lambda k: sub_slice(self.binary("*", k, size),
                                              self.binary("*", self.binary("+", k, one), size))
        # chunks: the last one contains what is left; neither the count nor the end
        # of a chunk adds `size`, which may be close to `usize::MAX`
        partial = ast.If(self.span, self.binary("!=", self.binary("%", seq_count, size),
                                                self.usize(0)),
                         self.block(one), self.block(self.usize(0)))
        count = self.usize_var("n", self.binary("+", self.binary("/", seq_count, size),
                                                partial))

        def chunk(k: ast.Expr) -> ast.Expr:
            start = self.binary("*", k, size)
            left = self.binary("-", seq_count, start)
            last = ast.If(self.span, self.binary("<", size, left),
                          self.block(self.binary("+", start, size)), self.block(seq_count))
            return sub_slice(self.binary("*", k, size), last)
        return count, chunk

    def iterator(self, it: ast.Expr):
        chain = parse_chain(it)
        if chain is not None and not chain.is_range and \
                _indexed_prefix(chain) == len(chain.adapters):
            return self.indexed(chain, len(chain.adapters))
        return super().iterator(it)

    def chained(self, count: ast.Path, elem, other: ast.Expr):
        """Return the count and items of the sequence followed by the sequence `other`."""
        other_count, other_elem = self.iterator(other)
        total = self.usize_var("n", self.binary("+", count, other_count))

        def item(k: ast.Expr) -> ast.Expr:
            first = ast.Block(self.span, [], self._value(elem(k)))
            second = ast.Block(self.span, [], self._value(other_elem(
                self.binary("-", k, count))))
            return ast.If(self.span, self.binary("<", k, count), first, second)
        return total, item

    def stages(self, adapters: list[ast.MethodCall]):
        """Return a function from (item, sink) to the statements of the loop body."""
        run = lambda item, sink: sink(item)  # noqa: E731
        for a in reversed(adapters):
            check_arity(a)
            run = self.stage(a, run)
        return run

    def stage(self, a: ast.MethodCall, rest):
        m = a.method
        if m in ("copied", "cloned"):
            return rest
        if m == "map":
            f = self.function(a.args[0])
            # the last `map` gives the items the consumer's type, which the
            # closure body may need, as in `.map(|r| r.iter().sum()).collect::<Vec<f64>>()`
            ty = self.item_type if a is self.last_map else None

            def mapped(item, sink):
                out: list[ast.Stmt] = []
                name = self.fresh("x")
                out.append(ast.Let(self.span, ast.NamePattern(self.span, name, False), ty,
                                   self.call(f, [item])))
                return out + rest(self.name(name), sink)
            return mapped
        if m == "filter":
            p = self.function(a.args[0])
            return lambda item, sink: [self.if_(self.call(p, [item]), rest(item, sink))]
        if m == "filter_map":
            f = self.function(a.args[0])
            ty = self.item_type if a is self.last_map else None

            def kept(item, sink):
                out: list[ast.Stmt] = []
                option = self.bind_option(self.call(f, [item]), out, a, ty)
                name = self.fresh("x")
                pattern = ast.VariantPattern(self.span, ["Some"],
                                             [ast.NamePattern(self.span, name, False)])
                then = ast.Block(self.span, rest(self.name(name), sink), None)
                return out + [self.if_let(pattern, option, then)]
            return kept
        if m == "take_while":
            p = self.function(a.args[0])
            return lambda item, sink: [self.if_(self.call(p, [item]), rest(item, sink),
                                                [self.break_()])]
        if m == "skip_while":
            p = self.function(a.args[0])
            skipping = self.var("skipping", ast.BoolLit(self.span, True), True)
            off = ast.Assign(self.span, "=", skipping, ast.BoolLit(self.span, False))
            return lambda item, sink: [self.if_(
                self.binary("&&", skipping, self.call(p, [item])), [],
                [off, *rest(item, sink)])]
        if m == "enumerate":
            counter = self.usize_var("e", self.usize(0), True)

            def numbered(item, sink):
                out: list[ast.Stmt] = []
                pair = self.bind("x", ast.TupleLit(self.span, [counter, item]), out)
                out.append(self.increment(counter))
                return out + rest(pair, sink)
            return numbered
        if m == "skip":
            amount = self.usize_var("a", self._as_usize(a.args[0]))
            seen = self.usize_var("c", self.usize(0), True)
            return lambda item, sink: [self.if_(self.binary("<", seen, amount),
                                                [self.increment(seen)], rest(item, sink))]
        if m == "take":
            amount = self.usize_var("a", self._as_usize(a.args[0]))
            taken = self.usize_var("c", self.usize(0), True)
            # the check runs before the next item is pulled, as `Take` does
            self.top.append(self.if_(self.binary(">=", taken, amount), [self.break_()]))
            return lambda item, sink: [self.increment(taken), *rest(item, sink)]
        if m == "step_by":
            step = self.usize_var("step", self._as_usize(a.args[0]))
            panic = ast.MacroCall(self.span, "panic",
                                  [ast.StrLit(self.span, "assertion failed: step != 0")])
            self.lets.append(self.if_(self.binary("==", step, self.usize(0)),
                                      [ast.ExprStmt(self.span, panic, True)]))
            phase = self.usize_var("c", self.usize(0), True)

            def stepped(item, sink):
                out: list[ast.Stmt] = []
                keep = self.bind("keep", self.binary("==", phase, self.usize(0)), out)
                out.append(self.increment(phase))
                out.append(self.if_(self.binary("==", phase, step),
                                    [ast.Assign(self.span, "=", phase, self.usize(0))]))
                out.append(self.if_(keep, rest(item, sink)))
                return out
            return stepped
        if m in FLATTENERS:
            return self.flattened(a, rest)
        if m == "scan":
            state = self.var("state", a.args[0], True)
            f = self.function(a.args[1])

            def scanned(item, sink):
                out: list[ast.Stmt] = []
                borrow = ast.Ref(self.span, state, True)
                option = self.bind_option(self.call(f, [borrow, item]), out, a)
                name = self.fresh("x")
                pattern = ast.VariantPattern(self.span, ["Some"],
                                             [ast.NamePattern(self.span, name, False)])
                then = ast.Block(self.span, rest(self.name(name), sink), None)
                # the first `None` ends the iteration
                stop = ast.Block(self.span, [self.break_()], None)
                return out + [self.if_let(pattern, option, then, stop)]
            return scanned
        if m == "chain":
            return self.chained_loop(a, rest)
        if m == "zip" and isinstance(a.args[0], ast.Range):
            return self.zip_range(a, rest)
        if m == "zip":
            other = _zip_source(a)
            if other is None:
                raise ChainError("sxc supports `zip` with a sequence such as `b.iter()` or "
                                 "`&b`", a.args[0].span if a.args else a.span)
            count, elem = self.iterator(other)
            position = self.usize_var("z", self.usize(0), True)
            end = self.if_(self.binary(">=", position, count), [self.break_()])
            if _zip_stops_first(self.chain, a, self.folding):
                self.top.append(end)
                end = None

            def zipped(item, sink):
                out: list[ast.Stmt] = [end] if end is not None else []
                pair = self.bind("x", ast.TupleLit(self.span,
                                                   [item, self._value(elem(position))]), out)
                out.append(self.increment(position))
                return out + rest(pair, sink)
            return zipped
        # rev
        before = self.chain.adapters[:self.chain.adapters.index(a)]
        flattener = next((b.method for b in before if b.method in FLATTENERS), None)
        if flattener is not None:
            raise ChainError(f"sxc does not support `rev` after `{flattener}`",
                             a.method_span or a.span,
                             help="reverse the outer source and the inner iterators instead")
        raise ChainError("sxc supports `rev` only before the adapters that count items "
                         "(`enumerate`, `zip`, `skip`, `take`, `step_by`, `take_while`, "
                         "`skip_while`)", a.method_span or a.span,
                         help="reverse the source first, or collect into a `Vec` and reverse "
                              "that")

    def flattened(self, a: ast.MethodCall, rest):
        """Return the stage of `flat_map(f)` or `flatten()`, a loop over the iterator of
        each item nested in the loop over the items.

        The checks that later stages run before pulling an item (those of `take`
        and `zip`) run at the top of both loops, and every `break` leaves the outer
        loop by its label."""
        f = self.function(a.args[0]) if a.method == "flat_map" else None
        at = a.method_span or a.span
        checks = list(self.top)
        later = self.chain.adapters[self.chain.adapters.index(a) + 1:]

        def flat(item, sink):
            out: list[ast.Stmt] = []
            if isinstance(f, ast.Closure):
                source = self.inline_body(f, item, out, later)
            elif f is not None:
                source = self.bind("it", self.call(f, [item]), out)
            else:
                # the uses of the item carry the span of `flatten`, so that an item
                # that is no sequence is reported there (see `check_chain`)
                source = ast.Path(at, list(item.segments)) if isinstance(item, ast.Path) \
                    else item
                self.flatten_calls.append(at)

            chain = parse_chain(source)
            if chain is None:
                if not isinstance(source, (ast.Path, ast.Field, ast.Index, ast.VecLit,
                                           ast.ArrayLit, ast.ArrayRepeat, ast.Call,
                                           ast.MethodCall)):
                    raise ChainError(f"sxc supports `{a.method}` with a closure that returns "
                                     "a range, a sequence or an iterator chain over one",
                                     source.span,
                                     help="return `a..b`, `v.iter()` or a `Vec`, or write "
                                          "nested `for` loops")
                chain = Chain(source, "into_iter")

            inner = _Builder(self.span if f is not None else at, self.fresh)
            inner.folding = self.folding
            inner.option_calls = self.option_calls
            inner.flatten_calls = self.flatten_calls
            innermost = a is [b for b in self.chain.adapters if b.method in FLATTENERS][-1]
            inner.item_label = self.item_label if innermost else None
            inner.continues_to_label = self.continues_to_label
            # the inner loop's own stages leave it by its label, and `continue 'label`
            # of the user's loop continues the innermost loop, which runs the body
            deeper = any(b.method in FLATTENERS for b in chain.adapters)
            inner.label = inner.item_label if inner.item_label and not deeper else \
                "'" + self.fresh("inner")
            inner.top = copy.deepcopy(checks)
            inner.prepare(chain)
            if inner.after and inner.label == self.item_label and self.continues_to_label:
                raise ChainError("sxc does not support a labelled `continue` in a loop over "
                                 "a `flat_map` whose closure returns a `chain` after `map`",
                                 at, help="write `continue` without the label")
            loop = inner.loop(lambda x: rest(x, sink), None)
            return out + inner.lets + [loop]
        return flat

    def inline_body(self, f: ast.Closure, item: ast.Expr, out: list[ast.Stmt],
                    later: list[ast.MethodCall]) -> ast.Expr:
        """Bind the parameter of the `flat_map` closure `f` to `item` and run its
        statements into `out`, and return its last expression.

        The bindings stay in scope for the nested loop, so a later closure or the
        loop body must not read an outer variable of the same name."""
        if len(f.params) != 1:
            raise ChainError(f"this closure takes {len(f.params)} arguments but 1 is supplied "
                             "here", f.span, code="SX0302")
        f = copy.deepcopy(f)
        (name, ty), = f.params
        if isinstance(ty, ast.RefType):
            ty = ty.inner
        out.append(ast.Let(f.span, ast.NamePattern(f.span, name, True), ty, item))
        bound = {name}
        body = f.body
        while isinstance(body, ast.Block) and body.tail is not None:
            for stmt in body.stmts:
                if isinstance(stmt, ast.Let):
                    bound |= chain_scopes.pattern_names(stmt.pattern)
            out.extend(body.stmts)
            body = body.tail
        if isinstance(body, ast.Block):
            raise ChainError("this closure returns `()`, not an iterator", f.span,
                             help="return `a..b`, `v.iter()` or a `Vec`")
        for node in [arg for b in later for arg in b.args] + self.downstream:
            clash = chain_scopes.free_use(node, bound)
            if clash is not None:
                raise ChainError(f"sxc inlines the closure of this `flat_map` around the code "
                                 f"after it, where `{clash.segments[0]}` names another "
                                 "variable", clash.span,
                                 help=f"rename the `flat_map` closure's `{clash.segments[0]}`")
        return body

    def chained_loop(self, a: ast.MethodCall, rest):
        """Return the stage of a `chain(other)` that follows `map`, `filter` or the like.

        The items of `other` run through the later stages in a second loop after
        the main one (see `loop`).  Its source is evaluated before the main loop,
        and the checks of later stages run at the top of both loops."""
        other = a.args[0]
        if isinstance(other, ast.Ref) and not other.mutable:
            other = ast.MethodCall(other.span, other.operand, "iter", [])
        chain = parse_chain(other)
        if chain is None:
            if not isinstance(other, (ast.Path, ast.Field, ast.Index, ast.VecLit,
                                      ast.ArrayLit, ast.Call, ast.MethodCall)):
                raise ChainError("sxc supports `chain` with a range, a sequence or an "
                                 "iterator chain over one", other.span)
            chain = Chain(other, "into_iter")
        inner = _Builder(self.span, self.fresh)
        inner.folding = self.folding
        # the second loop's own stages leave it, and not the whole chain, by its label
        inner.label = "'" + self.fresh("chained")
        inner.option_calls = self.option_calls
        inner.flatten_calls = self.flatten_calls
        inner.top = copy.deepcopy(self.top)
        inner.prepare(chain)
        self.lets.extend(inner.lets)
        inner.lets = []

        def second_loop(sink) -> list[ast.Stmt]:
            return [inner.loop(lambda x: rest(x, sink), None)]
        # the stages are built from the last one back, so an earlier `chain` goes first
        self.after.insert(0, second_loop)
        return rest

    def zip_range(self, a: ast.MethodCall, rest):
        """Return the stage of `zip(lo..hi)` or `zip(lo..)`, which counts from `lo`."""
        rng = a.args[0]
        if rng.inclusive or rng.start is None:
            raise ChainError("sxc supports `zip` with a range `a..b` or `a..`, not `a..=b` "
                             "or `..b`", rng.span)
        position = self.var("z", rng.start, True)
        end = None
        if rng.end is not None:
            limit = self.var("zend", rng.end)
            end = self.if_(self.binary(">=", position, limit), [self.break_()])
            if _zip_stops_first(self.chain, a, self.folding):
                self.top.append(end)
                end = None

        def zipped(item, sink):
            out: list[ast.Stmt] = [end] if end is not None else []
            pair = self.bind("x", ast.TupleLit(self.span, [item, position]), out)
            out.append(ast.Assign(self.span, "+=", position, ast.IntLit(self.span, 1)))
            return out + rest(pair, sink)
        return zipped

    def _as_usize(self, e: ast.Expr) -> ast.Expr:
        return ast.Cast(self.span, e, ast.NamedType(self.span, ["usize"]))


def rewrite_chain(consumer: ast.MethodCall, chain: Chain, result_type: ast.TypeExpr | None,
                  fresh: Callable[[str], str]) -> ast.Block:
    """Return the block that computes `consumer`, a call such as `.sum()` that ends `chain`.

    `result_type` is the type of a `sum`, `product` or `collect`, from the turbofish
    or the context; None leaves it to inference.
    """
    for a in chain.adapters:
        if a.method in UNSUPPORTED:
            reject_unsupported(a)
    check_arity(consumer)
    span = consumer.span
    name = consumer.method
    builder = _Builder(span, fresh)
    indexed = not chain.is_range and _indexed_prefix(chain) == len(chain.adapters)
    if name in ("last", "nth", "count") and indexed:
        return _indexed_consumer(builder, consumer, chain)
    if name == "rposition":
        if not indexed:
            raise ChainError("sxc supports `rposition` only on a sequence and the adapters "
                             "that index it (`rev`, `skip`, `take`, `zip`, `enumerate`, "
                             "`copied`)", consumer.method_span or span,
                             help="collect the items into a `Vec` first")
        return _rposition(builder, consumer, chain)
    builder.downstream = list(consumer.args)
    # `nth`, `find`, `position`, `any` and `all` pull items with `next`, which
    # matters to where `zip` stops
    builder.folding = name not in ("nth", "find", "find_map", "position", "any", "all")
    if name in ("sum", "product"):
        builder.item_type = result_type
    elif name == "collect" and isinstance(result_type, ast.ResolvedType) and \
            isinstance(result_type.ty, T.VecT):
        builder.item_type = ast.ResolvedType(span, result_type.ty.elem)
    # the source and the adapters' arguments are evaluated before the consumer's
    builder.prepare(chain)
    if name in ("sum", "product"):
        acc = builder.var("acc", _neutral(span, name, result_type), True, result_type)
        op = "+=" if name == "sum" else "*="

        def sink(item):
            return [ast.Assign(span, op, acc, item)]
        result: ast.Expr = acc
    elif name == "count":
        acc = builder.usize_var("count", builder.usize(0), True)

        def sink(item):
            return [builder.increment(acc)]
        result = acc
    elif name == "collect" and isinstance(result_type, ast.ResolvedType) and \
            result_type.ty == T.STRING:
        # a `String` collects `char`s and strings alike, as their text
        acc = builder.var("text", ast.Call(span, ast.Path(span, ["String", "new"]), []), True,
                          result_type)

        def sink(item):
            push = ast.MethodCall(span, acc, COLLECT_PUSH, [item])
            return [ast.ExprStmt(span, push, True)]
        result = acc
    elif name == "collect":
        new = ast.Call(span, ast.Path(span, ["Vec", "new"]), [])
        acc = builder.var("vec", new, True, result_type)

        def sink(item):
            return [ast.ExprStmt(span, ast.MethodCall(span, acc, "push", [item]), True)]
        result = acc
    elif name in ("partition", "unzip"):
        # two `Vec`s, whose element types come from the pushes and the expected type
        first, second = (builder.var(stem, ast.Call(span, ast.Path(span, ["Vec", "new"]), []),
                                     True) for stem in ("left", "right"))
        p = builder.function(consumer.args[0]) if name == "partition" else None

        def push(vec: ast.Path, value: ast.Expr) -> ast.Stmt:
            return ast.ExprStmt(span, ast.MethodCall(span, vec, "push", [value]), True)

        def sink(item):
            out: list[ast.Stmt] = []
            current = builder.bind("item", item, out)
            if name == "unzip":
                # the fields carry the span of `unzip`, which `check_chain` reports
                at = consumer.method_span or span
                builder.pair_calls.append(at)
                return out + [push(first, ast.TupleField(at, current, 0)),
                              push(second, ast.TupleField(at, current, 1))]
            test = builder.call(p, [current])
            return out + [builder.if_(test, [push(first, current)], [push(second, current)])]
        result = ast.TupleLit(span, [first, second])
    elif name == "for_each":
        f = builder.function(consumer.args[0])

        def sink(item):
            return [ast.ExprStmt(span, builder.call(f, [item]), True)]
        result = ast.UnitLit(span)
    elif name == "fold":
        acc = builder.var("acc", consumer.args[0], True, result_type)
        f = builder.function(consumer.args[1])

        def sink(item):
            return [ast.Assign(span, "=", acc, builder.call(f, [acc, item]))]
        result = acc
    elif name == "position":
        index = builder.usize_var("index", builder.usize(0), True)
        option = ast.NamedType(span, ["Option"], [ast.NamedType(span, ["usize"])])
        found = builder.var("found", ast.Path(span, ["None"]), True, option)
        p = builder.function(consumer.args[0])

        def sink(item):
            hit = ast.Assign(span, "=", found, ast.Call(span, ast.Path(span, ["Some"]), [index]))
            return [builder.if_(builder.call(p, [item]), [hit, builder.break_()]),
                    builder.increment(index)]
        result = found
    elif name in KEEPERS:
        sink, result = chain_keepers.keeper(builder, consumer)
    else:  # any, all
        found = builder.var("found", ast.BoolLit(span, name == "all"), True)
        p = builder.function(consumer.args[0])

        def sink(item):
            test = builder.call(p, [item])
            if name == "all":
                test = ast.Unary(span, "!", test)
            done = ast.Assign(span, "=", found, ast.BoolLit(span, name == "any"))
            return [builder.if_(test, [done, builder.break_()])]
        result = found
    loop = builder.loop(sink, None)
    block = ast.Block(span, [*builder.lets, loop], result)
    block.option_calls = builder.option_calls
    block.flatten_calls = builder.flatten_calls
    block.pair_calls = builder.pair_calls
    return block


def rewrite_for(loop: ast.For, chain: Chain, fresh: Callable[[str], str]) -> ast.Block:
    """Return the block that runs `loop`, a `for` loop over `chain`."""
    for a in chain.adapters:
        if a.method in UNSUPPORTED:
            reject_unsupported(a)
    builder = _Builder(loop.span, fresh)
    builder.label = loop.label
    builder.downstream = [ast.Block(loop.span, [ast.Let(loop.span, loop.pattern, None, None),
                                                ast.ExprStmt(loop.span, loop.body, False)],
                                    None)]
    nested = _nests_loops(chain)
    if nested and loop.label is not None:
        builder.item_label = "'" + fresh("item")
    jump = chain_scopes.find_continue(loop.body, loop.label) if loop.label else None
    builder.continues_to_label = jump is not None
    builder.prepare(chain)
    if builder.after and loop.label is not None:
        if jump is not None:
            raise ChainError(f"sxc does not support `continue {loop.label}` in a loop over a "
                             "`chain` after `map` or `filter`", jump.span,
                             help="write `continue` without the label, or chain the "
                                  "sequences before the other adapters")
    if nested:
        chain_scopes.label_breaks(loop.body, builder.label, loop.label, builder.item_label)
    sinks_built = 0

    def sink(item):
        nonlocal sinks_built
        pattern, body = loop.pattern, loop.body
        if sinks_built:
            # a `chain` runs the body in two loops, and each needs nodes of its own
            # because the checker rewrites nodes in place
            pattern, body = copy.deepcopy((pattern, body))
        sinks_built += 1
        return [ast.Let(loop.span, pattern, None, item), ast.ExprStmt(loop.span, body, False)]
    loop_stmt = builder.loop(sink, loop.label)
    block = ast.Block(loop.span, [*builder.lets, loop_stmt], None)
    block.option_calls = builder.option_calls
    block.flatten_calls = builder.flatten_calls
    return block


def _has_float(ty: T.Type) -> bool:
    """Tell whether `ty` is a float, or a tuple with one, which Rust's `Ord` rejects."""
    ty = T.strip_refs(T.prune(ty))
    if isinstance(ty, T.TupleT):
        return any(_has_float(item) for item in ty.items)
    return isinstance(ty, (T.FloatT, T.DualT))


def _collected_vec(ty: T.Type, span: Span) -> T.Type:
    """Return `ty`, the `Vec` a chain collects into, or reject a `Vec` of references.

    The items of a chain are values in sxc, so a `Vec<&T>` would hold references
    to the loop's locals."""
    elem = T.prune(ty.elem) if isinstance(ty, T.VecT) else None
    if isinstance(elem, T.RefT) and not isinstance(elem, T.BoxT):
        inner = T.prune(elem.inner)
        if isinstance(inner, T.EnumT) and "__dyn_" in inner.enum:
            help_text = f"push the items into the `{ty}` in a `for` loop"
        else:
            help_text = (f"collect into `Vec<{elem.inner}>` (write `.copied()` before "
                         "`.collect()` for Rust)")
        raise ChainError(f"sxc cannot collect an iterator chain into `{ty}`, because it "
                         "collects the items as values", span, help=help_text)
    return ty


def _keeps_item(e: ast.Expr) -> bool:
    """Tell whether `e` is a consumer that returns an item of a chain, such as `max_by`."""
    if not (isinstance(e, ast.MethodCall) and e.method in KEEPERS and e.method != "find_map"):
        return False
    chain = parse_chain(e.receiver)
    # the items of `windows(n)` and `chunks(n)` are slices, which stay references
    return chain is not None and chain.slice_call is None


def _indexed_consumer(builder: _Builder, consumer: ast.MethodCall, chain: Chain) -> ast.Block:
    """Return the block that computes `last`, `nth` or `count` of a chain whose adapters
    all index the sequence, by indexing it once, as Rust's slice iterators do."""
    span = consumer.span
    count, elem = builder.indexed(chain, len(chain.adapters))
    if consumer.method == "count":
        return ast.Block(span, builder.lets, count)
    if consumer.method == "nth":
        position = builder.usize_var("nth", consumer.args[0])
        present = builder.binary("<", position, count)
    else:
        present = builder.binary(">", count, builder.usize(0))
        position = builder.binary("-", count, builder.usize(1))
    some = ast.Call(span, ast.Path(span, ["Some"]), [builder._value(elem(position))])
    result = ast.If(span, present, ast.Block(span, [], some),
                    ast.Block(span, [], ast.Path(span, ["None"])))
    return ast.Block(span, builder.lets, result)


def _rposition(builder: _Builder, consumer: ast.MethodCall, chain: Chain) -> ast.Block:
    """Return the block that computes `rposition(p)`, which tests the items from the back
    and returns the index from the front of the first that passes."""
    span = consumer.span
    count, elem = builder.indexed(chain, len(chain.adapters))
    p = builder.function(consumer.args[0])
    position = builder.var("k", count, True)
    option = ast.NamedType(span, ["Option"], [ast.NamedType(span, ["usize"])])
    found = builder.var("found", ast.Path(span, ["None"]), True, option)
    item = builder.bind("item", builder._value(elem(position)), body := [])
    hit = ast.Assign(span, "=", found, ast.Call(span, ast.Path(span, ["Some"]), [position]))
    body.insert(0, ast.Assign(span, "-=", position, builder.usize(1)))
    body.append(builder.if_(builder.call(p, [item]), [hit, builder.break_()]))
    loop = ast.While(span, builder.binary(">", position, builder.usize(0)),
                     ast.Block(span, body, None))
    return ast.Block(span, [*builder.lets, builder.stmt(loop)], found)


def _nests_loops(chain: Chain) -> bool:
    """Tell whether the loop of `chain` has loops inside it or after it, which a `break`
    must leave by a label: those of `flat_map`, `flatten` and a `chain` after `map`."""
    if any(a.method in FLATTENERS for a in chain.adapters):
        return True
    if chain.is_range:
        return any(a.method == "chain" for a in chain.adapters)
    start = _indexed_prefix(chain)
    return any(a.method == "chain" for a in chain.adapters[start:])


def _neutral(span: Span, name: str, result_type) -> ast.Expr:
    """Return the start of a `sum` (Rust's float sum starts at -0.0) or a `product`."""
    is_float = isinstance(result_type, ast.ResolvedType) and \
        str(result_type.ty) in ("f64", "f32", "dual")
    if name == "product":
        return ast.FloatLit(span, 1.0) if is_float else ast.IntLit(span, 1)
    if is_float:
        return ast.Unary(span, "-", ast.FloatLit(span, 0.0))
    return ast.IntLit(span, 0)


def _clone_closure(span: Span) -> ast.Closure:
    """Return the closure `|x| x.clone()`, with a name for `x` unique to `span`."""
    item = f"__cloned_{span.line}_{span.col}"
    return ast.Closure(span, [(item, None)], None, ast.MethodCall(
        span, ast.Path(span, [item]), "clone", [], [], span))


def _cloned_as_map(chain: Chain) -> None:
    """Make each `cloned()` of `chain` a `map` that clones the item.

    An item that owns a `Vec` then gets its own copy. A number's or a string's
    clone is a plain copy."""
    for a in chain.adapters:
        if a.method == "cloned" and not a.args:
            a.method = "map"
            a.args = [_clone_closure(a.span)]


class IterChainMixin:
    """The type checker's handling of iterator chains (see the module docstring)."""

    def iter_chain_call(self, e: ast.MethodCall, expected) -> ast.Expr | None:
        """Check `e` as the consumer of an iterator chain, or return None when it is
        not one."""
        if _keeps_item(e.receiver):
            # Rust's `v.iter().max()` returns an `Option<&T>`, whose `copied()` and
            # `cloned()` are the `Option<T>` that sxc's items, which are values, give
            if e.method in ("copied", "cloned") and not e.args:
                found = self.expr(e.receiver, expected)
                item = self.option_payload(found.ty)
                if e.method == "cloned" and item is not None and self._holds_vec(item):
                    # The item owns a `Vec`, which the copy must not share.
                    found.checked = True
                    return self.expr(ast.MethodCall(e.span, found, "map",
                                                    [_clone_closure(e.span)], [],
                                                    e.method_span), expected)
                return found
            if e.method == "unwrap_or" and len(e.args) == 1 and \
                    isinstance(e.args[0], ast.Ref) and not e.args[0].mutable:
                e.args[0] = e.args[0].operand
            return None
        if e.method not in CONSUMERS and e.method not in UNSUPPORTED:
            return None
        chain = parse_chain(e.receiver)
        receiver = e.receiver
        if chain is None and isinstance(receiver, ast.MethodCall) and \
                receiver.method in VEC_SOURCES and (
                    e.method not in ("collect", "count", "last")
                    or e.method == "collect" and _into_string(e, expected)):
            # `s.split(',').nth(1)`: the splitters return a `Vec<&str>`, whose own
            # methods serve `collect`, `count` and `last`
            chain = Chain(receiver, "into_iter", [])
        if chain is None:
            return None
        if not chain.adapters and chain.method == "iter" and e.method in ("sum", "collect") \
                and not (e.method == "collect" and _into_string(e, expected)):
            return None  # `v.iter().sum()` is a sequence method
        if self.struct_source(chain):
            return None
        _cloned_as_map(chain)
        try:
            if e.method in UNSUPPORTED:
                reject_unsupported(e)
            result_type = self.chain_result_type(e, expected)
            if not self.chain_sources_ok(chain):
                e.ty = T.NEVER
                return e
            block = rewrite_chain(e, chain, result_type, self.chain_names())
        except ChainError as err:
            return self.chain_error(e, err)
        if e.method in KEEPERS and isinstance(T.prune(expected), T.ParseResultT):
            # `.unwrap()` expects its receiver to be a parse result of the type it needs,
            # which an `Option` is not
            expected = None
        checked = self.check_chain(block, expected)
        if e.method in ("max", "min"):
            self.require_ord(e, checked)
        if e.method in ("max_by_key", "min_by_key"):
            self.require_ord_key(e, checked)
        return checked

    def require_ord_key(self, e: ast.MethodCall, checked: ast.Expr) -> None:
        """Report a `max_by_key` or `min_by_key` key with floats, which Rust rejects
        because floats are not `Ord`."""
        key = chain_scopes.find_local(checked, "__best_key")
        ty = T.prune(key.ty) if key is not None and key.ty is not None else None
        if ty is not None and _has_float(ty):
            by = e.method[:-len("_key")]
            self.rep.error(f"the trait `Ord` is not implemented for `{ty}`, which the key of "
                           f"`{e.method}` needs", e.method_span or e.span,
                           help=f"compare the keys with `total_cmp`: "
                                f"`.{by}(|a, b| key(a).total_cmp(&key(b)))`", code="SX0210")

    def require_ord(self, e: ast.MethodCall, result: ast.Expr) -> None:
        """Report `max` or `min` over floats, which Rust rejects because they are not `Ord`."""
        edef = self.data_enum(result.ty)
        item = edef.fields["Some"][0][1] if edef is not None else None
        if isinstance(T.strip_refs(item), (T.FloatT, T.DualT)):
            fold = "f64::NEG_INFINITY, f64::max" if e.method == "max" else "f64::INFINITY, f64::min"
            self.rep.error(f"the trait `Ord` is not implemented for `{T.strip_refs(item)}`, "
                           f"which `{e.method}` needs", e.method_span or e.span,
                           help=f"write `.fold({fold})`", code="SX0210")

    def iter_chain_loop(self, e: ast.For, expected) -> ast.Expr | None:
        """Check a `for` loop over a chain with `map`, `filter` and the like."""
        chain = parse_chain(e.iter)
        if chain is not None:
            _cloned_as_map(chain)
        if chain is None or not needs_rewrite(chain) or self.struct_source(chain):
            return None
        try:
            if not self.chain_sources_ok(chain):
                e.ty = T.NEVER
                return e
            block = rewrite_for(e, chain, self.chain_names())
        except ChainError as err:
            return self.chain_error(e, err)
        return self.check_chain(block, expected)

    def check_chain(self, block: ast.Block, expected) -> ast.Expr:
        """Check the block that a chain became, and reword the errors that name its
        generated locals.

        A closure of `filter_map`, `find_map` or `scan` that returns no `Option`,
        a `flatten` over items that are no sequences and an `unzip` over items
        that are no pairs fail in the generated code.  Such an error is reported
        at the method, and the errors that follow from it, which name locals the
        user never wrote, are dropped."""
        diagnostics = self.rep.diagnostics
        before = len(diagnostics)
        variants = len(self.pending_variants)
        checked = self.expr(block, expected)
        methods = dict(getattr(block, "option_calls", []))
        flattens = set(getattr(block, "flatten_calls", []))
        pairs = set(getattr(block, "pair_calls", []))
        kept = []
        failed = False
        for d in diagnostics[before:]:
            if d.severity == "error" and d.span in flattens:
                if not failed:
                    d.help = "write `.filter_map(..)` with a closure that returns the `Option`" \
                        if "Option" in d.message else "write nested `for` loops"
                    d.message = "sxc supports `flatten` only over items that are sequences"
                    d.code = "SX0801"
                    kept.append(d)
                failed = True
                continue
            if d.code == "SX0211" and d.span in pairs:
                if not failed:
                    found = d.message.partition("on type ")[2] or "another type"
                    d.message = f"`unzip` takes items that are pairs, but these are {found}"
                    d.help = "map each item to a tuple `(a, b)` before `unzip`"
                    d.code = "SX0301"
                    kept.append(d)
                failed = True
                continue
            # a closure's result that is no `Option`: matched on as an `Option`
            # (SX0301 with a note at the method), or given where the consumer's
            # `Option<T>` is expected (SX0301)
            at_method = [span for _, span in d.notes if span in methods]
            matched = d.code == "SX0301" and d.message.endswith("found `Option`") and \
                bool(at_method)
            if matched:
                d.span, d.notes = at_method[0], []
            mismatch = d.code == "SX0301" and "expected `Option<" in d.message
            if (matched or mismatch) and d.span in methods:
                found = d.message.partition("found ")[2] if mismatch else \
                    d.message.partition("expected ")[2].partition(", found")[0]
                found = found or "another type"
                d.message = (f"`{methods[d.span]}` takes a closure that returns an `Option`, "
                             f"but this one returns {found}")
                d.help = "return `Some(value)` for the items to keep and `None` for the others"
                d.code = "SX0301"
                failed = True
            elif d.severity == "error" and _GENERATED.search(d.message) and \
                    len(diagnostics) > before + 1:
                continue
            kept.append(d)
        if failed:
            # the types that the closure's `Option` would have decided stay unknown
            kept = [d for d in kept if d.code != "SX0304"]
        diagnostics[before:] = kept
        if failed:
            # the chain's value has the error type, so that its uses report nothing more
            checked.ty = T.NEVER
            holes = [path.ty for path in chain_scopes.find_locals(checked, "__")]
            holes += [hole for _, hole, _ in self.pending_variants[variants:]]
            for ty in holes:
                if isinstance(ty, T.HoleT) and ty.bound is None:
                    ty.bound = T.NEVER
        return checked


    def struct_source(self, chain: Chain) -> bool:
        """Tell whether the source is a local struct, whose own `iter` method is called."""
        source = chain.source
        if chain.is_range or not (isinstance(source, ast.Path) and len(source.segments) == 1):
            return False
        local = self.lookup(source.segments[0])
        return local is not None and isinstance(T.strip_refs(T.prune(local.ty)), T.StructT)

    def chain_names(self) -> Callable[[str], str]:
        self.fresh_count += 1
        count = self.fresh_count
        numbers = iter(range(1_000_000))
        return lambda stem: f"__{stem}_{count}_{next(numbers)}"

    def chain_error(self, e: ast.Expr, err: ChainError) -> ast.Expr:
        self.rep.error(err.message, err.span, help=err.help, code=err.code)
        e.ty = T.NEVER
        return e

    def chain_sources_ok(self, chain: Chain) -> bool:
        if chain.is_range:
            return True
        return self.seq_source_ok(chain.source, chain.method == "iter_mut")

    def chain_result_type(self, e: ast.MethodCall, expected) -> ast.TypeExpr | None:
        """Return the type a `sum`, `product`, `collect` or `fold` produces, from `::<T>`
        or context."""
        if e.method == "fold":
            # the accumulator takes a known expected type, which a `HashMap::new()`
            # as the start needs
            known = expected is not None and not T.has_hole(expected) and \
                not isinstance(T.prune(expected), (T.NeverT, T.LiteralVar))
            return ast.ResolvedType(e.span, T.prune(expected)) if known else None
        if e.method not in ("sum", "product", "collect"):
            return None
        span = e.method_span or e.span
        if len(e.type_args) > 1:
            raise ChainError(f"`{e.method}` takes 1 type argument but {len(e.type_args)} "
                             "were supplied", span, code="SX0303")
        if e.method == "collect":
            return self.collect_type(e, expected, span)
        if e.type_args:
            ty = self.resolve_type(e.type_args[0])
        elif expected is not None and T.is_numeric(T.prune(expected)):
            ty = T.prune(expected)
        else:
            raise ChainError("type annotations needed: cannot infer the type of this "
                             f"`{e.method}`", span,
                             help=f"name the result type: `.{e.method}::<f64>()`",
                             code="SX0304")
        if not T.is_numeric(ty):
            raise ChainError(f"sxc cannot `{e.method}` into a value of type `{ty}`", span,
                             help="use a number type such as `f64` or `i64`")
        return ast.ResolvedType(span, ty)

    def collect_type(self, e: ast.MethodCall, expected, span: Span) -> ast.TypeExpr | None:
        if e.type_args:
            te = e.type_args[0]
            if isinstance(te, ast.NamedType) and te.path == ["String"] and not te.args:
                return ast.ResolvedType(span, T.STRING)
            if not (isinstance(te, ast.NamedType) and te.path == ["Vec"]):
                raise ChainError("sxc collects iterator chains only into a `Vec<T>` or a "
                                 "`String`", te.span, help="write `.collect::<Vec<_>>()`")
            if len(te.args) == 1 and isinstance(te.args[0], ast.NamedType) and \
                    te.args[0].path == ["_"]:
                return None
            return ast.ResolvedType(span, _collected_vec(self.resolve_type(te), te.span))
        if expected is None:
            return None
        ty = T.prune(expected)
        if ty == T.STRING:
            return ast.ResolvedType(span, T.STRING)
        if not isinstance(ty, T.VecT):
            raise ChainError(f"sxc collects iterator chains only into a `Vec<T>` or a "
                             f"`String`, not `{ty}`", span)
        if isinstance(T.prune(ty.elem), T.HoleT):
            return None
        return ast.ResolvedType(span, _collected_vec(ty, span))


def _into_string(e: ast.MethodCall, expected) -> bool:
    """Return whether `e`, a `collect`, builds a `String` (`collect::<String>()`
    or an expected `String`)."""
    if e.type_args:
        te = e.type_args[0]
        return isinstance(te, ast.NamedType) and te.path == ["String"] and not te.args
    return expected is not None and isinstance(T.prune(expected), T.StrT)
