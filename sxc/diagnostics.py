"""Source spans and compiler diagnostics, rendered the way rustc renders them.

    file.sx:3:9: error[SX0301]: mismatched types: expected `f64`, found `i64`
       |
     3 |     let y: f64 = n;
       |                  ^
       = help: convert with `n as f64`

All passes report through `Diagnostic`; `CompileError` carries one or more of
them to the caller.  Every diagnostic has a stable code from `sxc.codes`.
Internal compiler errors are a separate class (`InternalError`) so a bug in
sxc is never mistaken for a bug in the program.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field

_SOURCES: dict[str, str] = {}


_LINES: dict[str, list[str]] = {}  # the texts of `_SOURCES` split at `\n`, made when first read


def register_source(path: str, text: str) -> None:
    """Remember the text of `path` so diagnostics can quote its lines."""
    _SOURCES[path] = text
    _LINES.pop(path, None)


# file -> (region, warning codes) of each `#[allow(..)]` in it (see sxc.lint_levels)
_ALLOWED: dict[str, list[tuple["Span", frozenset[str]]]] = {}


def allow_warnings(path: str, regions: list[tuple["Span", frozenset[str]]]) -> None:
    """Record the regions of file `path` where warnings with the given codes are silenced,
    in place of those recorded at an earlier parse of the file."""
    _ALLOWED[path] = [region for region in regions if region[1]]


def warning_allowed(code: str | None, span: "Span") -> bool:
    """Return whether an `#[allow(..)]` around `span` silences warning `code`."""
    if code is None:
        return False
    for region, codes in _ALLOWED.get(span.file, ()):
        if code in codes and (region.line, region.col) <= (span.line, span.col) \
                and (span.end_line, span.end_col) <= (region.end_line, region.end_col):
            return True
    return False


def registered_sources() -> dict[str, str]:
    """Return a copy of every registered text by path."""
    return dict(_SOURCES)


def source_line(path: str, line: int) -> str | None:
    lines = _LINES.get(path)
    if lines is None:
        text = _SOURCES.get(path)
        if text is None:
            return None
        # `\n` only: the parser counts lines that way, and a form feed or U+2028
        # inside a comment must not shift the quoted line
        lines = _LINES[path] = text.split("\n")
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


# ANSI escape sequences of the colours rustc uses.
_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_SEVERITY_STYLE = {"error": "\x1b[1;31m", "warning": "\x1b[1;33m", "note": "\x1b[1;32m"}
_GUTTER_STYLE = "\x1b[1;34m"


class _Style:
    """Wrap parts of a rendered diagnostic in ANSI colours, or leave them plain."""

    def __init__(self, color: bool, severity: str = "error"):
        self.color = color
        self.severity = severity

    def paint(self, text: str, style: str) -> str:
        return f"{style}{text}{_RESET}" if self.color and text else text

    def label(self, severity: str, text: str | None = None) -> str:
        """Paint `text` (the severity itself by default) in the severity's colour."""
        return self.paint(text or severity, _SEVERITY_STYLE.get(severity, _BOLD))

    def gutter(self, text: str) -> str:
        return self.paint(text, _GUTTER_STYLE)

    def caret(self, text: str) -> str:
        return self.paint(text, _SEVERITY_STYLE.get(self.severity, _BOLD))

    def bold(self, text: str) -> str:
        return self.paint(text, _BOLD)


_DYN_NAME = re.compile(r"\b__dyn_(\w+)")


@dataclass
class Diagnostic:
    severity: str  # "error", "warning" or "note"
    message: str
    span: Span
    notes: list[tuple[str, Span | None]] = field(default_factory=list)
    help: str | None = None
    code: str | None = None  # a key of `sxc.codes.CODES`, such as "SX0301"

    def __post_init__(self) -> None:
        # the enum of a trait object (`sxc.trait_objects`) reads as Rust writes
        # the type: `__dyn_Shape` is `dyn Shape`
        if "__dyn_" in self.message or "__dyn_" in (self.help or "") or \
                any("__dyn_" in text for text, _ in self.notes):
            self.message = _DYN_NAME.sub(r"dyn \1", self.message)
            self.help = _DYN_NAME.sub(r"dyn \1", self.help) if self.help else self.help
            self.notes = [(_DYN_NAME.sub(r"dyn \1", text), span) for text, span in self.notes]

    def header(self) -> str:
        """Return `severity[CODE]`, or the bare severity when there is no code."""
        return f"{self.severity}[{self.code}]" if self.code else self.severity

    def render(self, color: bool = False) -> str:
        """Format as `file:line:col: severity[CODE]: message`, the line and a caret.

        With `color`, the header and the caret take the severity's colour and
        the gutter is blue, as in rustc's terminal output.
        """
        style = _Style(color, self.severity)
        label = style.label(self.severity, self.header())
        out = [f"{style.bold(f'{self.span}:')} {label}{style.bold(': ' + self.message)}"]
        out += _snippet(self.span, style)
        for text, span in self.notes:
            if span is None:
                out.append(f"   {style.gutter('=')} {style.bold('note')}: {text}")
            else:
                out.append(f"{style.bold(f'{span}:')} {style.label('note')}: {text}")
                out += _snippet(span, _Style(color, "note"))
        if self.help:
            out.append(f"   {style.gutter('=')} {style.bold('help')}: {self.help}")
        return "\n".join(out)

    def to_json(self, rendered: str | None = None) -> str:
        """Return the diagnostic as one line of JSON for `--error-format=json`.

        Line and column numbers are 1-based, the end column is exclusive, and
        0 stands for a diagnostic about a whole file.  `rendered` replaces the
        text form, for a diagnostic whose source lines are no longer loaded.
        """
        record = {
            "file": self.span.file,
            "line": self.span.line,
            "column": self.span.col,
            "end_line": self.span.end_line,
            "end_column": self.span.end_col,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "hints": [self.help] if self.help else [],
            "notes": [_note_record(text, span) for text, span in self.notes],
            "rendered": self.render() if rendered is None else rendered,
        }
        return json.dumps(record, ensure_ascii=False)


def _note_record(text: str, span: Span | None) -> dict:
    if span is None:
        return {"message": text, "file": None, "line": None, "column": None}
    return {"message": text, "file": span.file, "line": span.line, "column": span.col}


def _snippet(span: Span, style: _Style | None = None) -> list[str]:
    style = style or _Style(False)
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
    width = max(1, _display_width(line[span.col - 1:end - 1]))
    caret = " " * _display_width(line[:span.col - 1]) + style.caret("^" * width)
    return [style.gutter(f"{gutter} |"), f"{style.gutter(f'{number} |')} {line}",
            f"{style.gutter(f'{gutter} |')} {caret}"]


def _display_width(text: str) -> int:
    """Return the terminal columns of `text`: 2 for a wide character such as `数`,
    0 for a combining mark, else 1."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def similar_name(name: str, candidates) -> str | None:
    """Return the candidate closest to a misspelt `name`, or None if none is close.

    As in rustc, a candidate is close when it differs only in letter case, or
    when its edit distance from `name` is at most a third of `name`'s length
    (and at least 1).  Names that start with `__` belong to sxc and are skipped.
    """
    limit = max(len(name) // 3, 1)
    best, best_distance = None, limit + 1
    for candidate in sorted(set(candidates)):
        if candidate == name or candidate.startswith("__"):
            continue
        if candidate.lower() == name.lower():
            return candidate
        distance = _edit_distance(name, candidate, limit)
        if distance < best_distance:
            best, best_distance = candidate, distance
    return best


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Return the edit distance of `a` and `b`, or `limit + 1` if it is larger.

    The edits are insertions, deletions, substitutions and swaps of two
    adjacent characters (the optimal string alignment distance).
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before, previous = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i]
        for j in range(1, len(b) + 1):
            cost = min(previous[j] + 1, current[j - 1] + 1,
                       previous[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]


class CompileError(Exception):
    """The program has errors; `diagnostics` lists every one that was found."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__(self.render())

    def _render_traceback_(self) -> list[str]:
        """Return the lines IPython shows for this error: the diagnostics, not a traceback."""
        return self.render().splitlines()

    def render(self, color: bool = False) -> str:
        errors = sum(d.severity == "error" for d in self.diagnostics)
        text = "\n\n".join(d.render(color) for d in self.diagnostics)
        if errors > 1:
            label = _Style(color).label("error")
            text += f"\n\n{label}: aborting due to {errors} previous errors"
        return text


class InternalError(Exception):
    """A bug in sxc itself, never a mistake in the user's program."""


# A type or name quoted in a message is shortened beyond this many characters:
# a tuple type built by doubling has millions of them.
MAX_QUOTED = 160
_QUOTED = re.compile(r"`([^`\n]{%d,})`" % (MAX_QUOTED + 1))


def shorten_quoted(text: str) -> str:
    """Return `text` with each overlong `quoted` part cut in the middle."""
    keep = MAX_QUOTED // 2 - 2
    return _QUOTED.sub(lambda m: f"`{m.group(1)[:keep]}...{m.group(1)[-keep:]}`", text)


class Reporter:
    """Collects diagnostics of one compilation, so a pass can report many."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []
        self._seen: set = set()
        # the internal name of each copy of a generic struct -> its name in Rust, so that
        # messages show `Pt<f32>` where the compiler uses `Pt__f32`
        self.type_names: dict[str, str] = {}
        # the pattern that finds the names of `type_names`, and how many it was made for
        self._type_name_pattern: tuple[int, re.Pattern] | None = None

    def name_type(self, internal: str, shown: str) -> None:
        """Show the type named `internal` as `shown` in the messages reported from now on."""
        self.type_names[internal] = self.rust_names(shown)

    def rust_names(self, text: str | None) -> str | None:
        """Return `text` with the internal names of generic struct copies replaced."""
        if not text or not self.type_names:
            return text
        # another reporter that shares `type_names` may have added names
        if self._type_name_pattern is None or self._type_name_pattern[0] != len(self.type_names):
            names = sorted(self.type_names, key=len, reverse=True)
            self._type_name_pattern = (len(self.type_names), re.compile(
                r"(?<![\w:])(" + "|".join(re.escape(n) for n in names) + r")(?!\w)"))
        return self._type_name_pattern[1].sub(lambda m: self.type_names[m.group(1)], text)

    def error(self, message: str, span: Span, help: str | None = None,
              notes: list[tuple[str, Span | None]] | None = None,
              code: str | None = None) -> None:
        notes = [(self.rust_names(note), at) for note, at in notes or []]
        self._add(Diagnostic("error", self.rust_names(message), span, notes,
                             self.rust_names(help), code))

    def warning(self, message: str, span: Span, help: str | None = None,
                code: str | None = None) -> None:
        if warning_allowed(code, span):
            return
        self._add(Diagnostic("warning", self.rust_names(message), span, [],
                             self.rust_names(help), code))

    def _add(self, diagnostic: Diagnostic) -> None:
        diagnostic.message = shorten_quoted(diagnostic.message)
        if diagnostic.help is not None:
            diagnostic.help = shorten_quoted(diagnostic.help)
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


class Emitter:
    """Print diagnostics on a stream, in the human form or as JSON lines.

    `error_format` is "human" or "json"; `color` applies to the human form
    only, because each JSON record carries the uncoloured rendering.
    """

    def __init__(self, stream, error_format: str = "human", color: bool = False):
        self.stream = stream
        self.error_format = error_format
        self.color = color

    def emit(self, diagnostics: list[Diagnostic], rendered: list[str] | None = None) -> None:
        """Print each diagnostic on its own, as warnings of a successful compile are.

        `rendered` contains the uncoloured text of each diagnostic when it was
        rendered earlier, as the compile cache stores it.
        """
        for i, diagnostic in enumerate(diagnostics):
            text = rendered[i] if rendered is not None else None
            if self.error_format == "json":
                print(diagnostic.to_json(text), file=self.stream)
            elif text is not None and not self.color:
                print(text, file=self.stream)
            else:
                # a warning from the compile cache quotes its line in colour
                # because the cache registers the text of the files it checked
                print(diagnostic.render(self.color), file=self.stream)

    def emit_error(self, error: CompileError) -> None:
        """Print the diagnostics of a failed compile, with the count of errors."""
        if self.error_format == "json":
            self.emit(error.diagnostics)
        else:
            print(error.render(self.color), file=self.stream)
