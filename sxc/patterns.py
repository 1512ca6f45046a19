"""Pattern spaces of `match`: which values no arm covers, and arms that never match.

The type checker describes each arm's pattern as a space over the matched
type and checks it against the arms above it with the usefulness algorithm
that Rust and OCaml use: a pattern is useful when it matches a value that no
pattern above it matches, and a match is exhaustive when `_` is not useful.

    match (a, b) { (0, _) => .., (_, 0) => .. }
    ->  missing: `(i64::MIN..=-1, i64::MIN..=-1)`, ... (values as witnesses)

Spaces are plain tuples:

    ANY                  `_` or a binding
    ("range", lo, hi)    integers lo..=hi; `bool` is 0..=1, an enum the
                         indexes 0..=n-1 of its variants
    ("str", text)        a string literal
    ("tuple", [space])   a tuple pattern
    ("variant", k, [space])  variant k of an enum with data, and its payload
    ("or", [space])      `a | b`

A domain tells what a column ranges over: `IntDomain` (integers, `bool` and
enums, which name their values), `StrDomain`, `TupleDomain`, `EnumDomain`
(an enum with data) or `OPAQUE` (a type that only `_` and bindings match,
such as `f64` inside a payload).
"""

from __future__ import annotations

from dataclasses import dataclass

from sxc.parse import char_literal

ANY = ("any",)
# the string witness for "a string that no arm names"
OTHER_STR = ("str", None)
# witnesses kept per question; the message shows at most three
LIMIT = 10


@dataclass(frozen=True)
class IntDomain:
    lo: int
    hi: int
    type_name: str
    names: tuple[str, ...] | None = None  # `bool` and enum values, by index


@dataclass(frozen=True)
class StrDomain:
    pass


@dataclass(frozen=True)
class TupleDomain:
    items: tuple


@dataclass(frozen=True)
class EnumDomain:
    """An enum with data: per variant, its name as Rust shows it, its form
    ("unit", "tuple" or "struct"), its field names and the domains of its payload."""

    names: tuple[str, ...]
    kinds: tuple[str, ...]
    fields: tuple[tuple[str, ...], ...]
    items: tuple[tuple, ...]


@dataclass(frozen=True)
class OpaqueDomain:
    pass


OPAQUE = OpaqueDomain()


def missing(rows: list, domain) -> list[str]:
    """Return the values, as source text, that no row of spaces covers (at most LIMIT)."""
    witnesses = [w[0] for w in _useful([[r] for r in rows], [ANY], [domain])]
    if isinstance(domain, IntDomain) and domain.type_name == "char":
        witnesses = _join_surrogate_gap(witnesses)
    return [show(w, domain) for w in witnesses]


def _join_surrogate_gap(witnesses: list) -> list:
    """Join the ranges of `char` witnesses that meet across the surrogates, as Rust shows them."""
    below = [w for w in witnesses if w != ANY and w[2] == 0xD7FF]
    above = [w for w in witnesses if w != ANY and w[1] == 0xE000]
    if not below or not above:
        return witnesses
    joined = ("range", below[0][1], above[0][2])
    return [joined if w is below[0] else w for w in witnesses if w is not above[0]]


def reachable(rows: list, space, domain) -> bool:
    """Return whether `space` matches a value that none of `rows` matches."""
    return bool(_useful([[r] for r in rows], [space], [domain]))


def _expand_or(rows: list[list]) -> list[list]:
    out = []
    for row in rows:
        if row and row[0][0] == "or":
            out.extend(_expand_or([[alt] + row[1:] for alt in row[0][1]]))
        else:
            out.append(row)
    return out


def _useful(rows: list[list], q: list, domains: list) -> list[list]:
    """Return witnesses: value vectors that `q` matches and no row does."""
    if not q:
        return [] if rows else [[]]
    rows = _expand_or(rows)
    head, rest, domain = q[0], q[1:], domains[0]
    if head[0] == "or":
        out: list[list] = []
        for alt in head[1]:
            out += _useful(rows, [alt] + rest, domains)
            if len(out) >= LIMIT:
                break
        return out[:LIMIT]
    if isinstance(domain, TupleDomain):
        return _useful_tuple(rows, head, rest, domain, domains[1:])
    heads = [row[0] for row in rows if row[0] != ANY]
    if head == ANY and not heads:
        # no arm tests this column: it stays `_` in every witness
        sub = [row[1:] for row in rows]
        return [[ANY] + w for w in _useful(sub, rest, domains[1:])]
    if isinstance(domain, EnumDomain):
        return _useful_enum(rows, head, rest, domain, domains[1:])
    if isinstance(domain, StrDomain):
        texts = list(dict.fromkeys(h[1] for h in heads))
        ctors = [head] if head != ANY else [("str", t) for t in texts] + [OTHER_STR]
        out = []
        for ctor in ctors:
            sub = [row[1:] for row in rows if row[0] == ANY or row[0] == ctor]
            out += [[ctor] + w for w in _useful(sub, rest, domains[1:])]
            if len(out) >= LIMIT:
                break
        return out[:LIMIT]
    out = []
    for lo, hi in _segments(heads + ([head] if head != ANY else []), domain):
        if head != ANY and not (head[1] <= lo and hi <= head[2]):
            continue
        sub = [row[1:] for row in rows if row[0] == ANY or row[0][1] <= lo and hi <= row[0][2]]
        out += [[("range", lo, hi)] + w for w in _useful(sub, rest, domains[1:])]
        if len(out) >= LIMIT:
            break
    return out[:LIMIT]


def _useful_tuple(rows, head, rest, domain: TupleDomain, rest_domains) -> list[list]:
    n = len(domain.items)

    def items(space):
        return list(space[1]) if space[0] == "tuple" else [ANY] * n

    sub = [items(row[0]) + row[1:] for row in rows]
    found = _useful(sub, items(head) + rest, list(domain.items) + rest_domains)
    return [[("tuple", w[:n])] + w[n:] for w in found]


def _useful_enum(rows, head, rest, domain: EnumDomain, rest_domains) -> list[list]:
    """Specialize the rows by each variant in turn, as `_useful_tuple` does for one."""
    out: list[list] = []
    variants = [head[1]] if head != ANY else range(len(domain.names))
    for k in variants:
        n = len(domain.items[k])

        def payload(space):
            return list(space[2]) if space[0] == "variant" else [ANY] * n

        sub = [payload(row[0]) + row[1:] for row in rows if row[0] == ANY or row[0][1] == k]
        found = _useful(sub, payload(head) + rest, list(domain.items[k]) + rest_domains)
        out += [[("variant", k, w[:n])] + w[n:] for w in found]
        if len(out) >= LIMIT:
            break
    return out[:LIMIT]


def _segments(ranges: list, domain: IntDomain) -> list[tuple[int, int]]:
    """Split the domain at every range boundary; named values split one by one."""
    if domain.names is not None:
        return [(v, v) for v in range(domain.lo, domain.hi + 1)]
    cuts = {domain.lo, domain.hi + 1}
    for _kind, lo, hi in ranges:
        cuts.update(c for c in (lo, hi + 1) if domain.lo <= c <= domain.hi + 1)
    points = sorted(cuts)
    return [(a, b - 1) for a, b in zip(points, points[1:])]


def show(space, domain) -> str:
    """Return a witness space as the source text of a pattern."""
    if space == ANY:
        return "_"
    if space[0] == "tuple":
        inner = ", ".join(show(s, d) for s, d in zip(space[1], domain.items))
        return f"({inner},)" if len(space[1]) == 1 else f"({inner})"
    if space[0] == "str":
        return "&_" if space[1] is None else f'"{space[1]}"'
    if space[0] == "variant":
        return _show_variant(space, domain)
    _kind, lo, hi = space
    if domain.names is not None:
        return domain.names[lo]
    if (lo, hi) == (domain.lo, domain.hi):
        return "_"
    if lo == hi:
        return _show_int(lo, domain)
    return f"{_show_int(lo, domain)}..={_show_int(hi, domain)}"


def _show_variant(space, domain: EnumDomain) -> str:
    k, items = space[1], space[2]
    name, kind = domain.names[k], domain.kinds[k]
    if kind == "unit":
        return name
    shown = [show(s, d) for s, d in zip(items, domain.items[k])]
    if kind == "tuple":
        return f"{name}({', '.join(shown)})"
    if all(s == "_" for s in shown):
        return f"{name} {{ .. }}"
    named = ", ".join(f"{f}: {s}" for f, s in zip(domain.fields[k], shown) if s != "_")
    return f"{name} {{ {named}, .. }}"


def _show_int(value: int, domain: IntDomain) -> str:
    if domain.type_name == "char":
        return char_literal(value)
    if value == domain.hi:
        return f"{domain.type_name}::MAX"
    if value == domain.lo and value != 0:
        return f"{domain.type_name}::MIN"
    return str(value)


def join_missing(shown: list[str]) -> str:
    """Format witnesses as Rust does: "`a`, `b` and `c`", "`a`, `b`, `c` and 2 more"."""
    quoted = [f"`{s}`" for s in shown]
    if len(quoted) == 1:
        return quoted[0]
    if len(quoted) <= 3:
        return ", ".join(quoted[:-1]) + " and " + quoted[-1]
    if len(quoted) >= LIMIT:
        return ", ".join(quoted[:3]) + " and more"
    return ", ".join(quoted[:3]) + f" and {len(quoted) - 3} more"
