"""Format strings of the printing and panicking macros: `println!`, `format!`, ...

`parse_format` splits `"x = {:.3}, n = {}"` into literal text and `Spec`s,
following the grammar of Rust's `std::fmt`:

    format_spec := [[fill]align][sign]['#']['0'][width]['.' precision]type
    count       := integer | argument '$'
    precision   := count | '*'

The type checker resolves each argument reference (position, name, captured
identifier, `width$`, `.*`) to an index into the macro's argument list, and
codegen prints each piece with the functions of `runtime/std.sx`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Format traits by their letter, and what each is called in messages.
TRAITS = {"": "Display", "?": "Debug", "x?": "Debug", "X?": "Debug", "e": "LowerExp",
          "E": "UpperExp", "x": "LowerHex", "X": "UpperHex", "o": "Octal", "b": "Binary"}

# Macros that end the program with a formatted message, and the text each
# prints before it (alone when the macro has no arguments).
PANIC_MACROS = {
    "panic": "explicit panic",
    "unreachable": "internal error: entered unreachable code",
    "todo": "not yet implemented",
    "unimplemented": "not implemented",
}

# Prefixes that `#` adds to `{:#x}`, `{:#o}` and `{:#b}`.
RADIX_PREFIX = {"x": "0x", "X": "0x", "o": "0o", "b": "0b"}

# An argument reference: a position, a name, or None for the next argument.
ArgRef = int | str | None


@dataclass(frozen=True)
class Spec:
    """One `{...}` placeholder; `offset` and `length` locate it in the string."""

    arg: ArgRef
    fill: str = " "
    align: str = ""  # "<", ">", "^" or "" for the type's default
    sign: bool = False
    zero: bool = False
    width: int | None = None
    precision: int | None = None
    kind: str = ""  # a key of TRAITS
    alternate: bool = False
    offset: int = 0
    length: int = 2
    # `{:w$}` and `{:.p$}` take the width or precision from an argument; after
    # type checking these are indices into the macro's argument list.
    width_arg: ArgRef = None
    precision_arg: ArgRef = None
    # `{:.*}` takes the precision from the next argument, before the value.
    precision_star: bool = False

    @property
    def debug(self) -> bool:
        return self.kind.endswith("?")

    @property
    def has_width(self) -> bool:
        return self.width is not None or self.width_arg is not None

    @property
    def has_precision(self) -> bool:
        return (self.precision is not None or self.precision_arg is not None
                or self.precision_star)


_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_COUNT = rf"(?:\d+\$|{_NAME}\$|\d+)"
_SPEC = re.compile(
    r"(?:(?P<fill>.)?(?P<align>[<>^]))?(?P<sign>[+-])?(?P<alt>#)?"
    rf"(?:(?P<zero>0)(?!\$))?(?P<width>{_COUNT})?"
    rf"(?:\.(?P<prec>{_COUNT}|\*))?(?P<kind>[xX]\?|\?|{_NAME})?$", re.S)


class FormatError(Exception):
    def __init__(self, message: str, offset: int, length: int = 1):
        super().__init__(message)
        self.offset = offset
        self.length = length


def parse_format(text: str) -> list[str | Spec]:
    """Split a format string into literal strings and placeholders."""
    pieces: list[str | Spec] = []
    literal: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "{" and text.startswith("{{", i):
            literal.append("{")
            i += 2
        elif ch == "}" and text.startswith("}}", i):
            literal.append("}")
            i += 2
        elif ch == "}":
            raise FormatError("invalid format string: unmatched `}` found", i)
        elif ch == "{":
            end = text.find("}", i)
            if end < 0:
                raise FormatError("invalid format string: expected `}` but string "
                                  "was terminated", i)
            inner = text.find("{", i + 1, end)
            if inner >= 0:
                raise FormatError("invalid format string: expected `}`, found `{`", inner)
            if literal:
                pieces.append("".join(literal))
                literal = []
            pieces.append(_parse_spec(text[i + 1:end], i, end - i + 1))
            i = end + 1
        else:
            literal.append(ch)
            i += 1
    if literal:
        pieces.append("".join(literal))
    return pieces


def _parse_arg(text: str, offset: int, length: int) -> ArgRef:
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if re.fullmatch(_NAME, text) and text != "_":
        return text
    raise FormatError(f"invalid format string: invalid argument name `{text}`",
                      offset, length)


def _parse_count(text: str | None) -> tuple[int | None, ArgRef]:
    """Split a count into a literal value or an argument reference."""
    if text is None:
        return None, None
    if text.endswith("$"):
        ref = text[:-1]
        return None, int(ref) if ref.isdigit() else ref
    return int(text), None


def _parse_spec(body: str, offset: int, length: int) -> Spec:
    arg_text, colon, spec_text = body.partition(":")
    arg = _parse_arg(arg_text.strip(), offset, length)
    spec_text = spec_text.rstrip(" ") if colon else ""
    m = _SPEC.match(spec_text)
    if m is None:
        raise FormatError(f"invalid format string: invalid format spec `{spec_text}`",
                          offset, length)
    kind = m.group("kind") or ""
    if kind == "p":
        raise FormatError("sxc does not support `{:p}`: values have no address to print",
                          offset, length)
    if kind not in TRAITS:
        raise FormatError(f"invalid format string: unknown format trait `{kind}`",
                          offset, length)
    width, width_arg = _parse_count(m.group("width"))
    prec_text = m.group("prec")
    star = prec_text == "*"
    precision, precision_arg = _parse_count(None if star else prec_text)
    return Spec(
        arg=arg,
        fill=m.group("fill") or " ",
        align=m.group("align") or "",
        sign=m.group("sign") == "+",
        zero=bool(m.group("zero")),
        width=width,
        precision=precision,
        kind=kind,
        alternate=bool(m.group("alt")),
        offset=offset,
        length=length,
        width_arg=width_arg,
        precision_arg=precision_arg,
        precision_star=star,
    )
