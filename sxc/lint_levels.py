"""`#[allow(lint)]` and `#![allow(lint)]`: the Rust lint names that silence sxc's warnings.

An outer `#[allow(..)]` silences the matching warnings inside the item or
statement it precedes, and an inner `#![allow(..)]` at the top of a file
silences them in the whole file, as in Rust.  The parser records each such
region with `diagnostics.allow_warnings`, and `Reporter.warning` drops a
warning whose code a region around it allows.
"""

from __future__ import annotations

from sxc.codes import CODES
from sxc.diagnostics import Span

# Every warning code of sxc; `warnings` allows them all, as it allows every lint in rustc.
ALL_WARNINGS = frozenset(code for code in CODES if code.startswith("SXW"))

# Rust lint name -> the sxc warning codes it silences.  Lints that sxc never
# reports (`dead_code`, `unused_imports`, `non_snake_case`, ...) and tool lints
# (`clippy::..`) are accepted and silence nothing.
LINT_CODES = {
    "unused_variables": frozenset({"SXW005"}),
    "unused_mut": frozenset({"SXW006"}),
    "unreachable_patterns": frozenset({"SXW004"}),
    # the `unused` lint group contains the three lints above, among others
    "unused": frozenset({"SXW004", "SXW005", "SXW006"}),
    "warnings": ALL_WARNINGS,
}

# the attributes that lower the level of a lint; `expect` silences as `allow` does
ALLOWING_ATTRIBUTES = ("allow", "expect")


def allowed_codes(attributes) -> frozenset[str]:
    """Return the warning codes that the `#[allow(..)]` attributes among `attributes`
    silence; each attribute is the (name, arguments, value) of `Builder.attr_body`."""
    codes: frozenset[str] = frozenset()
    for name, args, _value in attributes:
        if name in ALLOWING_ATTRIBUTES:
            for lint in args:
                codes |= LINT_CODES.get(str(lint), frozenset())
    return codes


def whole_file(path: str) -> Span:
    """Return a span that contains every position of file `path`."""
    return Span(path, 1, 1, 1 << 40, 1)
