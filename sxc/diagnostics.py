"""Source spans and compiler diagnostics, rendered the way rustc renders them.

    file.sx:3:9: error: mismatched types: expected `f64`, found `i64`
       |
     3 |     let y: f64 = n;
       |                  ^
       = help: convert with `n as f64`

All passes report through `Diagnostic`; `CompileError` carries one or more of
them to the caller.  Internal compiler errors are a separate class
(`InternalError`) so a bug in sxc is never mistaken for a bug in the program.
"""

from __future__ import annotations

from dataclasses import dataclass, field

_SOURCES: dict[str, str] = {}


def register_source(path: str, text: str) -> None:
    """Remember the text of `path` so diagnostics can quote its lines."""
    _SOURCES[path] = text


def source_line(path: str, line: int) -> str | None:
    text = _SOURCES.get(path)
    if text is None:
        return None
    # `\n` only: the parser counts lines that way, and a form feed or U+2028
    # inside a comment must not shift the quoted line
    lines = text.split("\n")
    if 1 <= line <= len(lines):
        return lines[line - 1].rstrip("\r")
    return None


@dataclass(frozen=True)
class Span:
    """A source range: 1-based line and column, end column exclusive."""

    file: str
    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        if self.line == 0:
            return self.file
        return f"{self.file}:{self.line}:{self.col}"

    def to(self, other: Span) -> Span:
        """Return the span from the start of `self` to the end of `other`."""
        return Span(self.file, self.line, self.col, other.end_line, other.end_col)


UNKNOWN = Span("<builtin>", 0, 0, 0, 0)


@dataclass
class Diagnostic:
    severity: str  # "error", "warning" or "note"
    message: str
    span: Span
    notes: list[tuple[str, Span | None]] = field(default_factory=list)
    help: str | None = None

    def render(self) -> str:
        """Format as `file:line:col: severity: message`, the line and a caret."""
        out = [f"{self.span}: {self.severity}: {self.message}"]
        out += _snippet(self.span)
        for text, span in self.notes:
            if span is None:
                out.append(f"   = note: {text}")
            else:
                out.append(f"{span}: note: {text}")
                out += _snippet(span)
        if self.help:
            out.append(f"   = help: {self.help}")
        return "\n".join(out)


def _snippet(span: Span) -> list[str]:
    line = source_line(span.file, span.line)
    if line is None:
        return []
    shown = []
    for ch in line:
        if ch == "\t":
            shown.append(" ")
        elif ch.isprintable():
            shown.append(ch)
        else:
            shown.append("?")
    line = "".join(shown)
    number = str(span.line)
    gutter = " " * len(number)
    end = span.end_col if span.end_line == span.line else len(line) + 1
    width = max(1, end - span.col)
    caret = " " * (span.col - 1) + "^" * width
    return [f"{gutter} |", f"{number} | {line}", f"{gutter} | {caret}"]


class CompileError(Exception):
    """The program has errors; `diagnostics` lists every one that was found."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__(self.render())

    def render(self) -> str:
        errors = sum(d.severity == "error" for d in self.diagnostics)
        text = "\n\n".join(d.render() for d in self.diagnostics)
        if errors > 1:
            text += f"\n\nerror: aborting due to {errors} previous errors"
        return text


class InternalError(Exception):
    """A bug in sxc itself, never a mistake in the user's program."""


class Reporter:
    """Collects diagnostics of one compilation, so a pass can report many."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []
        self._seen: set = set()

    def error(self, message: str, span: Span, help: str | None = None,
              notes: list[tuple[str, Span | None]] | None = None) -> None:
        self._add(Diagnostic("error", message, span, notes or [], help))

    def warning(self, message: str, span: Span, help: str | None = None) -> None:
        self._add(Diagnostic("warning", message, span, [], help))

    def _add(self, diagnostic: Diagnostic) -> None:
        # a node checked twice (an argument retried with another expected
        # type) must not report the same problem twice
        key = (diagnostic.severity, diagnostic.message, diagnostic.span)
        if key not in self._seen:
            self._seen.add(key)
            self.diagnostics.append(diagnostic)

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)

    def raise_if_errors(self) -> None:
        if self.has_errors:
            raise CompileError(self.diagnostics)

    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]
