"""Definite initialisation of the bindings that `let` declares without a value.

`let z;` (or `let z: f64;`) declares a binding that a later assignment
initialises, as in Rust:

    let z;
    if flag { z = 1; } else { z = 2; }
    println!("{}", z);

The type checker numbers each such binding and marks the paths that name it
(`Path.deferred`).  `check_initialization` then follows the control flow of
the checked body and reports, as rustc does, a read of the binding on a path
that leaves it unassigned (rustc's E0381) and a second assignment to a
binding declared without `mut` (E0384).  Code after `return`, `break`,
`continue` or a call that does not return counts as unreachable, so a branch
that ends that way need not assign.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sxc import ast
from sxc import types as T
from sxc.diagnostics import Reporter, Span
from sxc.formatting import PANIC_MACROS


@dataclass
class DeferredBinding:
    """A binding declared by `let` without a value."""

    name: str
    mutable: bool
    span: Span  # the `let` statement


@dataclass(frozen=True)
class FlowState:
    """The assignments of the deferred bindings known at one point of the body."""

    assigned: frozenset[int] = frozenset()  # assigned on every path to here
    maybe: frozenset[int] = frozenset()  # assigned on some path to here
    dead: bool = False  # no path reaches here


DEAD = FlowState(dead=True)


def join(a: FlowState, b: FlowState) -> FlowState:
    """Return the state where two paths meet."""
    if a.dead:
        return b
    if b.dead:
        return a
    return FlowState(a.assigned & b.assigned, a.maybe | b.maybe)


@dataclass
class LoopFrame:
    label: str | None
    breaks: list[FlowState] = field(default_factory=list)
    continues: list[FlowState] = field(default_factory=list)


def check_initialization(body: ast.Block, bindings: dict[int, DeferredBinding],
                         reporter: Reporter, original_style: bool = False) -> None:
    """Report the reads before assignment and the second assignments in `body`.

    A program written for the original toolchain (`original_style`) gets a
    warning for a second assignment, as for any assignment to a `let`.
    """
    used = {node.deferred for node in _paths(body)}
    if not used & bindings.keys():
        return
    walk = _InitWalk(bindings, reporter, original_style)
    walk.expr(body)


def _paths(node) -> list[ast.Path]:
    """Return the paths in `node` that name a deferred binding."""
    found, stack = [], [node]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, ast.Node):
            if isinstance(item, ast.Path) and getattr(item, "deferred", None) is not None:
                found.append(item)
            stack.extend(getattr(item, name) for name in ast.field_names(item))
    return found


class _InitWalk:
    def __init__(self, bindings: dict[int, DeferredBinding], reporter: Reporter,
                 original_style: bool):
        self.bindings = bindings
        self.rep = reporter
        self.original_style = original_style
        self.state = FlowState()
        self.loops: list[LoopFrame] = []
        # the loop passes that only look for a fixed point report nothing
        self.quiet = 0
        self.reported: set[int] = set()

    # ------------------------------------------------------------ reads and writes

    def read(self, path: ast.Path) -> None:
        key = path.deferred
        if self.state.dead or key in self.state.assigned or key in self.reported:
            return
        if self.quiet:
            return
        self.reported.add(key)
        binding = self.bindings[key]
        if binding.name.startswith("__best"):
            # a value that an iterator consumer such as `max` or `max_by_key` keeps,
            # read only under its flag
            return
        status = "is possibly-uninitialized" if key in self.state.maybe \
            else "isn't initialized"
        self.rep.error(f"used binding `{binding.name}` {status}", path.span,
                       notes=[("binding declared here but left uninitialized", binding.span)],
                       help=f"assign `{binding.name}` on every path before this use",
                       code="SX0405")

    def write(self, path: ast.Path, span: Span) -> None:
        key = path.deferred
        state = self.state
        if state.dead:
            return
        binding = self.bindings[key]
        if key in state.maybe and not binding.mutable and not self.quiet:
            self.twice(binding, span)
        self.state = FlowState(state.assigned | {key}, state.maybe | {key})

    def twice(self, binding: DeferredBinding, span: Span) -> None:
        name = binding.name
        if self.original_style:
            self.rep.warning(f"assigning to `{name}`, which is not declared mutable", span,
                             help=f"declare it with `var {name}`", code="SXW002")
            return
        self.rep.error(f"cannot assign twice to immutable variable `{name}`", span,
                       notes=[("binding declared here", binding.span)],
                       help=f"declare it with `let mut {name}`", code="SX0401")

    # ------------------------------------------------------------ statements

    def stmt(self, s: ast.Stmt) -> None:
        if isinstance(s, ast.Let):
            if s.init is not None:
                self.expr(s.init)
            key = getattr(s, "deferred", None)
            if key is not None and not self.state.dead:
                # a `let` in a loop declares a fresh binding on every iteration
                state = self.state
                self.state = FlowState(state.assigned - {key}, state.maybe - {key})
        elif isinstance(s, ast.ExprStmt):
            self.expr(s.expr)
        elif isinstance(s, ast.Assign):
            self.assign(s)

    def assign(self, s: ast.Assign) -> None:
        target = s.target
        if not (isinstance(target, ast.Path) and getattr(target, "deferred", None) is not None):
            self.expr(target)
            self.expr(s.value)
            return
        if s.op != "=":
            self.read(target)
        self.expr(s.value)
        self.write(target, s.span)

    # ------------------------------------------------------------ expressions

    def expr(self, e: ast.Expr | None) -> None:
        if e is None:
            return
        method = getattr(self, "x_" + type(e).__name__, None)
        if method is not None:
            method(e)
        else:
            self.children(e)
        if isinstance(getattr(e, "ty", None), T.NeverT):
            self.state = DEAD

    def children(self, node: ast.Node) -> None:
        for name in ast.field_names(node):
            value = getattr(node, name)
            if isinstance(value, ast.Expr):
                self.expr(value)
            elif isinstance(value, list):
                for item in value:
                    self.item(item)

    def item(self, item) -> None:
        if isinstance(item, ast.Expr):
            self.expr(item)
        elif isinstance(item, ast.Stmt):
            self.stmt(item)
        elif isinstance(item, tuple):
            for part in item:
                if isinstance(part, ast.Expr):
                    self.expr(part)

    def x_Path(self, e: ast.Path) -> None:
        if getattr(e, "deferred", None) is not None:
            self.read(e)

    def x_Block(self, e: ast.Block) -> None:
        for s in e.stmts:
            self.stmt(s)
        self.expr(e.tail)

    def x_If(self, e: ast.If) -> None:
        self.expr(e.cond)
        before = self.state
        self.expr(e.then)
        after_then = self.state
        self.state = before
        self.expr(e.else_)
        self.state = join(after_then, self.state)

    def x_Binary(self, e: ast.Binary) -> None:
        self.expr(e.left)
        if e.op not in ("&&", "||"):
            self.expr(e.right)
            return
        # the right operand may not run
        before = self.state
        self.expr(e.right)
        self.state = join(before, self.state)

    def x_Match(self, e: ast.Match) -> None:
        self.expr(e.scrutinee)
        before = self.state
        after = DEAD
        for arm in e.arms:
            self.state = before
            self.expr(arm.guard)
            self.expr(arm.body)
            after = join(after, self.state)
        self.state = after

    def x_Return(self, e: ast.Return) -> None:
        self.expr(e.value)
        self.state = DEAD

    def x_Break(self, e: ast.Break) -> None:
        self.expr(e.value)
        frame = self.frame(e.label)
        if frame is not None:
            frame.breaks.append(self.state)
        self.state = DEAD

    def x_Continue(self, e: ast.Continue) -> None:
        frame = self.frame(e.label)
        if frame is not None:
            frame.continues.append(self.state)
        self.state = DEAD

    def x_MacroCall(self, e: ast.MacroCall) -> None:
        self.children(e)
        if e.name in PANIC_MACROS:
            self.state = DEAD

    def x_Closure(self, e: ast.Closure) -> None:
        # the body runs later, but it captures the bindings it names now
        before, loops = self.state, self.loops
        self.loops = []
        self.expr(e.body)
        self.state, self.loops = before, loops

    # ------------------------------------------------------------ loops

    def frame(self, label: str | None) -> LoopFrame | None:
        for frame in reversed(self.loops):
            if label is None or frame.label == label:
                return frame
        return None

    def x_While(self, e: ast.While) -> None:
        def run() -> FlowState:
            self.expr(e.cond)
            exit_state = self.state
            self.expr(e.body)
            return exit_state

        self.loop(e, e.label, run)

    def x_For(self, e: ast.For) -> None:
        self.expr(e.iter)

        def run() -> FlowState:
            exit_state = self.state
            self.expr(e.body)
            return exit_state

        self.loop(e, e.label, run)

    def x_Loop(self, e: ast.Loop) -> None:
        def run() -> FlowState:
            self.expr(e.body)
            return DEAD

        self.loop(e, e.label, run)

    def loop(self, e: ast.Expr, label: str | None, run) -> None:
        """Walk a loop body until the bindings it may assign stop growing.

        At the head of the loop a binding counts as possibly assigned when the
        end of the body or a `continue` may have assigned it, so a second
        iteration's assignment to a binding without `mut` is reported.
        """
        before = self.state
        again: frozenset[int] = frozenset()
        writes = {p.deferred for p in _assigned_paths(e)}
        while True:
            self.quiet += 1
            frame, exit_state = self.loop_pass(before, again, label, run)
            self.quiet -= 1
            back = [self.state] + frame.continues
            grown = again
            for state in back:
                if not state.dead:
                    grown = grown | (state.maybe & writes)
            if grown == again:
                break
            again = grown
        frame, exit_state = self.loop_pass(before, again, label, run)
        after = exit_state
        for state in frame.breaks:
            after = join(after, state)
        self.state = after

    def loop_pass(self, before: FlowState, again: frozenset[int], label: str | None,
                  run) -> tuple[LoopFrame, FlowState]:
        frame = LoopFrame(label)
        self.loops.append(frame)
        self.state = before if before.dead else \
            FlowState(before.assigned, before.maybe | again)
        exit_state = run()
        self.loops.pop()
        return frame, exit_state


def _assigned_paths(node) -> list[ast.Path]:
    """Return the deferred bindings that assignments inside `node` name."""
    found, stack = [], [node]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, ast.Node):
            if isinstance(item, ast.Assign) and getattr(item.target, "deferred", None) \
                    is not None:
                found.append(item.target)
            stack.extend(getattr(item, name) for name in ast.field_names(item))
    return found
