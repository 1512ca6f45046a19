"""Standard input and output through `std::io`, rewritten before type checking.

sxc has no `Stdin`, `Stdout` or `BufWriter` types.  The forms that Rust programs
use to read lines and to print through a buffered writer become prelude calls
and print macros:

    io::stdin().read_line(&mut s)        ->  __stdin_read_line(&mut s)
    io::stdin().read_to_string(&mut s)   ->  __stdin_read_to_string(&mut s)
    stdin.lock().lines()                 ->  the items of __stdin_next_line()
    lines.next()                         ->  __stdin_next_line()
    writeln!(out, "{}", x)               ->  println!("{}", x)

Here `stdin` is a local bound to `io::stdin()` or its `lock()`, and `lines` a
local bound to its `lines()`.  `out` is a local bound to `io::stdout()`, its
`lock()`, or a `BufWriter::new` or `LineWriter::new` of one.  The rewrite
removes those `let`s.  `lines()` becomes a chain that reads a line each time a loop or a
consumer pulls one (see `user_iterators.pull_chain`), so `.take(n)` leaves the
rest of the input to later reads, as in Rust.  The reads return
`Result<usize, String>` and the lines are `Result<String, String>`, so
`unwrap`, `expect` and `?` work on them.  Output goes through sxc's buffered
standard output, which every exit flushes, so `out.flush()` is `Ok(())`.
"""

from __future__ import annotations

from sxc import ast
from sxc.user_iterators import pull_chain

_STDIN = ("stdin",)
_STDOUT = ("stdout",)
_WRITERS = ("BufWriter", "LineWriter")
_READS = {"read_line": "__stdin_read_line", "read_to_string": "__stdin_read_to_string"}


def rewrite(body: ast.Block, user_fns) -> None:
    """Rewrite the reads of standard input and the writes to standard output in `body`."""
    names = _Names(user_fns)
    for node in list(ast.walk(body)):
        if isinstance(node, ast.Block):
            remaining = []
            for stmt in node.stmts:
                name = _bound_name(stmt)
                if name is not None and _is_lines(stmt.init, names):
                    names.lines.add(name)
                elif name is not None and _is_stdin(stmt.init, names):
                    names.stdin.add(name)
                elif name is not None and _is_stdout(stmt.init, names):
                    names.stdout.add(name)
                else:
                    remaining.append(stmt)
            node.stmts = remaining
    if not (names.stdin or names.stdout or names.lines or _mentions_std_io(body)):
        return
    for node in ast.walk(body):
        for field in ast.field_names(node):
            value = getattr(node, field)
            if isinstance(value, list):
                for i, item in enumerate(value):
                    new = _replacement(item, names)
                    if new is not None:
                        value[i] = new
            else:
                new = _replacement(value, names)
                if new is not None:
                    setattr(node, field, new)


class _Names:
    """The locals bound to standard input, to standard output and to `lines()` of the
    input, and the program's own functions, which may shadow `stdin` and `stdout`."""

    def __init__(self, user_fns) -> None:
        self.stdin: set[str] = set()
        self.stdout: set[str] = set()
        self.lines: set[str] = set()
        self.user_fns = user_fns


def _bound_name(stmt) -> str | None:
    if isinstance(stmt, ast.Let) and isinstance(stmt.pattern, ast.NamePattern) \
            and stmt.init is not None and stmt.type is None:
        return stmt.pattern.name
    return None


def _call_of(e, names: tuple[str, ...], user_fns) -> bool:
    """Return whether `e` calls `std::io::NAME()`, `io::NAME()` or an imported `NAME()`."""
    if not (isinstance(e, ast.Call) and isinstance(e.func, ast.Path) and not e.args):
        return False
    segs = e.func.segments
    if segs[-1] not in names:
        return False
    if len(segs) == 1:
        return segs[0] not in user_fns
    return segs[:-1] in (["io"], ["std", "io"])


def _is_stdin(e, names: _Names) -> bool:
    if isinstance(e, ast.MethodCall) and e.method == "lock" and not e.args:
        e = e.receiver
    if _is_local(e, names.stdin):
        return True
    return _call_of(e, _STDIN, names.user_fns)


def _is_lines(e, names: _Names) -> bool:
    """Return whether `e` is `lines()` of standard input."""
    return isinstance(e, ast.MethodCall) and e.method == "lines" and not e.args \
        and _is_stdin(e.receiver, names)


def _is_local(e, locals_: set[str]) -> bool:
    return isinstance(e, ast.Path) and len(e.segments) == 1 and e.segments[0] in locals_


def _is_stdout(e, names: _Names) -> bool:
    if isinstance(e, ast.Call) and isinstance(e.func, ast.Path) and len(e.args) == 1 \
            and e.func.segments[-2:] in ([w, "new"] for w in _WRITERS):
        e = e.args[0]
    if isinstance(e, ast.MethodCall) and e.method == "lock" and not e.args:
        e = e.receiver
    if _is_local(e, names.stdout):
        return True
    return _call_of(e, _STDOUT, names.user_fns)


def _mentions_std_io(body: ast.Block) -> bool:
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Path)
               and n.func.segments[-1] in _STDIN + _STDOUT for n in ast.walk(body))


def _replacement(e, names: _Names):
    """Return the replacement of `e`, or None to keep it."""
    if isinstance(e, ast.MethodCall) and e.method in ("unwrap", "expect") \
            and len(e.args) == int(e.method == "expect"):
        # `writeln!(out, ..).unwrap()`: printing returns `()`, which needs no unwrap
        printed = _replacement(e.receiver, names)
        if isinstance(printed, ast.MacroCall):
            return printed
    if isinstance(e, ast.Try):
        printed = _replacement(e.value, names)
        if isinstance(printed, ast.MacroCall):
            return printed
    if isinstance(e, ast.MethodCall) and e.method == "next" and not e.args \
            and _is_local(e.receiver, names.lines):
        return ast.Call(e.span, ast.Path(e.span, ["__stdin_next_line"]), [])
    if _is_lines(e, names) or _is_local(e, names.lines):
        # the lines are read as the loop or chain pulls them, so a `take(n)` leaves
        # the rest of the input to later reads
        pull = ast.Call(e.span, ast.Path(e.span, ["__stdin_next_line"]), [])
        return pull_chain(e.span, pull)
    if isinstance(e, ast.MethodCall) and _is_stdin(e.receiver, names) \
            and e.method in _READS and len(e.args) == 1:
        return ast.Call(e.span, ast.Path(e.span, [_READS[e.method]]), e.args)
    if isinstance(e, ast.MethodCall) and e.method == "flush" and not e.args \
            and _is_stdout(e.receiver, names):
        return ast.Call(e.span, ast.Path(e.span, ["__stdout_flush"]), [])
    if isinstance(e, ast.MacroCall) and e.name in ("write", "writeln") and e.args \
            and _is_stdout(e.args[0], names):
        name = "println" if e.name == "writeln" else "print"
        arg_names = e.arg_names[1:] if e.arg_names else []
        return ast.MacroCall(e.span, name, e.args[1:], arg_names)
    return None
