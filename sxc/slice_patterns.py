"""Rewrite a `match` with slice patterns (`[first, .., last]`) into tests of the length.

A `match` whose arms use slice patterns becomes a chain of `if`s over a local
that contains the matched array, slice or `Vec`:

    match v.as_slice() {          {
        [] => 0,                      let s = v.as_slice();
        [x] if *x > 0 => *x,    ->    if s.len() == 0 { 0 }
        [first, .., last] => ..,      else if s.len() == 1 && { let x = s[0]; *x > 0 } {
        _ => -1,                          let x = s[0]; *x
    }                                 } else if s.len() >= 2 {
                                          let first = s[0]; let last = s[s.len() - 1]; ..
                                      } else { -1 }
                                  }

Items may be bindings, `_`, literals, ranges, `..` and `name @ ..`, and
other patterns such as `Some(x)`, which a nested `match` tests and binds.
Without a catch-all arm the arms must cover every length (for an array, its
own), as Rust requires, and the last `else` is `unreachable!()`.
"""

from __future__ import annotations

import copy

from sxc import ast
from sxc import types as T


def has_slice_pattern(pattern: ast.Pattern) -> bool:
    if isinstance(pattern, ast.SlicePattern):
        return True
    if isinstance(pattern, ast.OrPattern):
        return any(has_slice_pattern(p) for p in pattern.items)
    if isinstance(pattern, ast.AtPattern):
        return has_slice_pattern(pattern.pattern)
    return False


def _is_rest(p: ast.Pattern) -> bool:
    return isinstance(p, ast.RestPattern) or (
        isinstance(p, ast.AtPattern) and isinstance(p.pattern, ast.RestPattern))


def _binds(p: ast.Pattern) -> bool:
    return isinstance(p, ast.NamePattern) and (p.name[:1].islower() or p.name.startswith("_"))


class SliceMatch:
    """The rewrite of one `match` on a sequence; `block()` returns the result."""

    def __init__(self, checker, match: ast.Match, seq: T.Type):
        self.checker = checker
        self.match = match
        self.seq = seq
        span = match.span
        self.span = span
        self.local = f"__slice_{span.line}_{span.col}"

    # ------------------------------------------------------------ pieces

    def subject(self) -> ast.Path:
        return ast.Path(self.span, [self.local])

    def length(self) -> ast.Expr:
        return ast.MethodCall(self.span, self.subject(), "len", [], [], self.span)

    def item(self, index: int, from_end: int | None) -> ast.Expr:
        """`s[index]`, or `s[s.len() - from_end]` for an item after the `..`."""
        span = self.span
        if from_end is None:
            at: ast.Expr = ast.IntLit(span, index, "usize")
        else:
            at = ast.Binary(span, "-", self.length(), ast.IntLit(span, from_end, "usize"), span)
        return ast.Index(span, self.subject(), at)

    def rest(self, before: int, after: int) -> ast.Expr:
        span = self.span
        end = ast.Binary(span, "-", self.length(), ast.IntLit(span, after, "usize"), span)
        return ast.Ref(span, ast.Index(span, self.subject(),
                                       ast.Range(span, ast.IntLit(span, before, "usize"), end,
                                                 False)), False)

    # ------------------------------------------------------------ one arm

    def arm_parts(self, pattern: ast.Pattern) -> tuple[list, list, tuple | None] | None:
        """Return the tests, the bindings (name, value, mutable) and the lengths that
        `pattern` matches without a test of its items: ("exact", n), ("min", n), or
        None when items are tested.  None for a pattern this rewrite reports."""
        rep = self.checker.rep
        if isinstance(pattern, ast.WildPattern):
            return [], [], ("min", 0)
        if _binds(pattern):
            return [], [(pattern.name, self.subject(), pattern.mutable)], ("min", 0)
        if isinstance(pattern, ast.AtPattern) and isinstance(pattern.pattern, ast.SlicePattern):
            parts = self.arm_parts(pattern.pattern)
            if parts is None:
                return None
            tests, binds, covers = parts
            return tests, [(pattern.name, self.subject(), pattern.mutable)] + binds, covers
        if not isinstance(pattern, ast.SlicePattern):
            rep.error(f"mismatched types: expected `{self.match.scrutinee.ty}`, found a "
                      "pattern that is not a slice pattern", pattern.span,
                      help="match the items with `[a, b, ..]`, or use `_`", code="SX0301")
            return None
        rests = [i for i, p in enumerate(pattern.items) if _is_rest(p)]
        if len(rests) > 1:
            rep.error("`..` can only be used once per slice pattern",
                      pattern.items[rests[1]].span, code="SX0101")
            return None
        items = pattern.items
        fixed = len(items) - len(rests)
        if isinstance(self.seq, T.ArrayT) and (fixed != self.seq.size if not rests
                                                else fixed > self.seq.size):
            rep.error(f"pattern requires {'at least ' if rests else ''}{fixed} element"
                      f"{'s' if fixed != 1 else ''} but array has {self.seq.size}",
                      pattern.span, code="SX0301")
            return None
        span = self.span
        tests: list[ast.Expr] = []
        if not isinstance(self.seq, T.ArrayT):
            op = ">=" if rests else "=="
            if not (rests and fixed == 0):
                tests.append(ast.Binary(span, op, self.length(),
                                        ast.IntLit(span, fixed, "usize"), span))
        binds: list = []
        plain = True
        before = rests[0] if rests else len(items)
        after = len(items) - before - 1 if rests else 0
        for position, item in enumerate(items):
            if rests and position == rests[0]:
                if isinstance(item, ast.AtPattern):
                    binds.append((item.name, self.rest(before, after), item.mutable))
                continue
            if rests and position > rests[0]:
                value = self.item(0, len(items) - position)
            else:
                value = self.item(position, None)
            if isinstance(item, ast.WildPattern):
                continue
            if _binds(item):
                binds.append((item.name, value, item.mutable))
                continue
            if _irrefutable(item):
                binds.append((item, value, False))  # `(x, _)`: destructured by a `let`
                continue
            plain = False
            if isinstance(item, ast.ValuePattern):
                tests.append(ast.Binary(span, "==", value, copy.deepcopy(item.value), span))
                continue
            # any other pattern: a nested `match` tests the item and gives its bindings
            names = sorted(binding_names(item))
            tests.append(_matches(span, copy.deepcopy(value), _without_bindings(item)))
            if names:
                values = [ast.Path(span, [n]) for n in names]
                bound_values = values[0] if len(values) == 1 else ast.TupleLit(span, values)
                extract = ast.Match(span, value, [
                    ast.MatchArm(span, item, None, bound_values),
                    ast.MatchArm(span, ast.WildPattern(span), None,
                                 ast.MacroCall(span, "unreachable", []))])
                extract.let_form = "derived"
                binds.append((names, extract, False))
        if not plain:
            return tests, binds, None
        return tests, binds, ("min", fixed) if rests else ("exact", fixed)

    # ------------------------------------------------------------ the chain

    def block(self) -> ast.Expr | None:
        span = self.span
        arms = []
        for arm in self.match.arms:
            if isinstance(arm.pattern, ast.OrPattern):
                for alt in arm.pattern.items:
                    arms.append(ast.MatchArm(arm.span, alt, copy.deepcopy(arm.guard),
                                             copy.deepcopy(arm.body)))
            else:
                arms.append(arm)
        chain: list[tuple[ast.Expr | None, ast.Block]] = []
        exact: set[int] = set()
        least: int | None = None
        failed = False
        for arm in arms:
            parts = self.arm_parts(arm.pattern)
            if parts is None:
                failed = True
                continue
            tests, binds, covers = parts
            if arm.guard is not None:
                # each side binds the names it reads; a name neither reads stays in
                # the body, where the lint reports it as Rust does
                in_guard, in_body = _used_names(arm.guard), _used_names(arm.body)
                body_binds = [b for b in binds if set(_bound(b)) & in_body
                              or not set(_bound(b)) & in_guard]
            else:
                body_binds = binds
            body = ast.Block(arm.span, _lets(span, body_binds), arm.body)
            if arm.guard is not None:
                guard_binds = [b for b in binds if set(_bound(b)) & in_guard]
                tests.append(ast.Block(span, _lets(span, copy.deepcopy(guard_binds)),
                                       arm.guard))
                covers = None
            test = None
            for t in tests:
                test = t if test is None else ast.Binary(span, "&&", test, t, span)
            chain.append((test, body))
            if covers is not None:
                kind, n = covers
                if kind == "exact":
                    exact.add(n)
                else:
                    least = n if least is None else min(least, n)
            if test is None:
                break  # a catch-all: later arms are unreachable
        if failed:
            return None
        last_test, last_body = chain[-1]
        if last_test is None:
            tail: ast.Expr = last_body
            chain = chain[:-1]
        else:
            missing = self.missing(exact, least)
            if missing is not None:
                self.checker.rep.error(f"non-exhaustive patterns: `{missing}` not covered",
                                       self.match.scrutinee.span,
                                       help="add an arm for it, or `_ => ...` for the rest",
                                       code="SX0501")
                return None
            tail = ast.Block(span, [], ast.MacroCall(span, "unreachable", []))
        for test, body in reversed(chain):
            tail = ast.If(span, test, body, tail)
        scrutinee = self.match.scrutinee
        scrutinee.checked = True
        return ast.Block(span, [ast.Let(span, ast.NamePattern(span, self.local), None,
                                        scrutinee)], tail)

    def missing(self, exact: set[int], least: int | None) -> str | None:
        """Return a pattern of the first length the arms leave out, or None."""
        if isinstance(self.seq, T.ArrayT):
            size = self.seq.size
            if size in exact or least is not None and least <= size:
                return None
            return "[" + ", ".join(["_"] * size) + "]"
        bound = least if least is not None else max(exact, default=-1) + 1
        for n in range(bound):
            if n not in exact:
                return "[" + ", ".join(["_"] * n) + "]"
        if least is not None:
            return None
        return "[" + "".join(["_, "] * bound) + "..]"


def _without_bindings(pattern: ast.Pattern) -> ast.Pattern:
    """Return a copy of `pattern` that binds nothing: names become `_`."""
    if isinstance(pattern, ast.AtPattern):
        return _without_bindings(pattern.pattern)
    if _binds(pattern):
        return ast.WildPattern(pattern.span)
    out = copy.copy(pattern)
    for name in pattern.__dataclass_fields__:
        value = getattr(pattern, name)
        if isinstance(value, ast.Pattern):
            setattr(out, name, _without_bindings(value))
        elif isinstance(value, list):
            setattr(out, name, [_without_bindings(v) if isinstance(v, ast.Pattern) else
                                (v[0], _without_bindings(v[1])) if isinstance(v, tuple)
                                and len(v) == 2 and isinstance(v[1], ast.Pattern) else v
                                for v in value])
    return out


def _irrefutable(pattern: ast.Pattern) -> bool:
    """Return whether `pattern` is a tuple of bindings and `_`, which a `let` takes."""
    if isinstance(pattern, ast.WildPattern) or _binds(pattern):
        return True
    return type(pattern) is ast.TuplePattern and all(_irrefutable(i) for i in pattern.items)


def _lets(span, binds) -> list[ast.Stmt]:
    stmts: list[ast.Stmt] = []
    for name, value, mutable in binds:
        if isinstance(name, ast.Pattern):
            pattern: ast.Pattern = copy.deepcopy(name)
        elif isinstance(name, list):
            pattern: ast.Pattern = ast.NamePattern(span, name[0]) if len(name) == 1 else \
                ast.TuplePattern(span, [ast.NamePattern(span, n) for n in name])
        else:
            pattern = ast.NamePattern(span, name, mutable)
        stmts.append(ast.Let(span, pattern, None, copy.deepcopy(value)))
    return stmts


def _bound(bind) -> list[str]:
    name = bind[0]
    if isinstance(name, ast.Pattern):
        return sorted(binding_names(name))
    return name if isinstance(name, list) else [name]


def _matches(span, value: ast.Expr, pattern: ast.Pattern) -> ast.Match:
    test = ast.Match(span, value, [ast.MatchArm(span, pattern, None, ast.BoolLit(span, True)),
                                   ast.MatchArm(span, ast.WildPattern(span), None,
                                                ast.BoolLit(span, False))])
    test.let_form = "derived"
    return test


def binding_names(pattern) -> set[str]:
    """Return the names that `pattern` binds: lower-case names and `name @ ..`;
    capitalised names are unit variants and constants, which match values."""
    names: set[str] = set()
    todo: list = [pattern]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.AtPattern):
            names.add(node.name)
        if isinstance(node, ast.Pattern) and _binds(node):
            names.add(node.name)
        if isinstance(node, (list, tuple)):
            todo.extend(node)
        elif isinstance(node, ast.Pattern):
            todo.extend(getattr(node, f) for f in node.__dataclass_fields__ if f != "span")
    return names


def _used_names(expr: ast.Expr) -> set[str]:
    return {n.segments[0] for n in ast.walk(expr)
            if isinstance(n, ast.Path) and len(n.segments) == 1}
