"""Format strings of `println!`, `print!`, `format!` and `panic!`.

`parse_format` splits `"x = {:.3}, n = {}"` into literal text and `Spec`s; the
type checker matches the specs against the arguments and codegen prints each
piece with the runtime's formatting functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Spec:
    arg: int | str | None  # position, captured name, or None for the next one
    fill: str = " "
    align: str = ""  # "<", ">", "^" or "" for the type's default
    sign: bool = False
    zero: bool = False
    width: int | None = None
    precision: int | None = None
    kind: str = ""  # "" (Display), "?" (Debug), "e", "x", "X", "b"
    alternate: bool = False
    offset: int = 0  # of the `{` within the format string
    length: int = 2


_SPEC = re.compile(
    r"(?:(?P<fill>.)?(?P<align>[<>^]))?(?P<sign>\+)?(?P<alt>#)?(?P<zero>0)?"
    r"(?P<width>\d+)?(?:\.(?P<prec>\d+))?(?P<kind>\?|e|x|X|b)?$")


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


def _parse_spec(body: str, offset: int, length: int) -> Spec:
    arg_text, _, spec_text = body.partition(":")
    arg_text = arg_text.strip()
    arg: int | str | None
    if not arg_text:
        arg = None
    elif arg_text.isdigit():
        arg = int(arg_text)
    elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", arg_text):
        arg = arg_text
    else:
        raise FormatError(f"invalid format string: invalid argument name `{arg_text}`",
                          offset, length)
    m = _SPEC.match(spec_text)
    if m is None:
        raise FormatError(f"invalid format string: unknown format spec `{spec_text}`",
                          offset, length)
    return Spec(
        arg=arg,
        fill=m.group("fill") or " ",
        align=m.group("align") or "",
        sign=bool(m.group("sign")),
        zero=bool(m.group("zero")),
        width=int(m.group("width")) if m.group("width") else None,
        precision=int(m.group("prec")) if m.group("prec") else None,
        kind=m.group("kind") or "",
        alternate=bool(m.group("alt")),
        offset=offset,
        length=length,
    )
