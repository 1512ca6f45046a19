"""Check identifiers as Rust does: Unicode XID characters, NFC, no keywords.

The grammar's NAME terminal accepts any non-ASCII character other than
whitespace, because Python's `re` has no class for Unicode's XID_Start and
XID_Continue.  `invalid_characters` runs before parsing and rejects the
characters that no identifier may contain, naming each one.  After parsing,
`check_names` rewrites every non-ASCII identifier to its NFC form, so that
`größe` typed with a combining diaeresis is the same name as the precomposed
one, as in Rust, and rejects keywords used as names.
"""

from __future__ import annotations

import re
import unicodedata

from lark import Token, Tree

from sxc.diagnostics import Diagnostic, Span

# The grammar's NAME pattern; `invalid_characters` runs it over the source with
# comments and literals blanked out.
_NAME = re.compile(r"(?:[A-Za-z_]|[^\x00-\x7F\s])(?:[A-Za-z0-9_]|[^\x00-\x7F\s])*")

# Rust's strict keywords that sxc's grammar does not use and its reserved
# keywords (Rust 2021 edition), which are no identifiers either.
RUST_ONLY_KEYWORDS = frozenset(
    "dyn ref trait type abstract become box do final macro override priv try typeof "
    "unsized virtual yield".split())
# `var`, the original Simplex's mutable binding, is no Rust keyword, so Rust
# programs may name a variable `var`.  It stays a keyword at the start of a
# statement only.
CONTEXTUAL_KEYWORDS = frozenset(("var",))
# Keywords that start a path (`Self::new()`, `crate::a`, `super::b`), so they
# are rejected only where a name is declared.
PATH_KEYWORDS = frozenset(("Self", "crate", "super"))

# Tokens that name something.  STRUCT_NAME and SHORT_STRUCT_NAME are whole
# paths such as `geometry::Point`.
_NAME_TOKENS = frozenset(("NAME", "STRUCT_NAME", "SHORT_STRUCT_NAME"))
# Rules whose NAME children declare a name, where `Self`, `crate` and `super`
# are rejected too
_DECLARING_RULES = frozenset((
    "fn_def", "type_param", "const_param", "param", "struct_def", "unit_struct_def",
    "enum_def", "enum_variant", "tuple_variant", "struct_variant", "field_def",
    "const_def", "mod_decl", "inline_mod", "extern_fn", "name_pattern",
    "mut_name_pattern", "at_pattern", "closure_param"))
# Rules whose names are attributes (`#[derive(Debug)]`), which the check skips
_ATTRIBUTE_RULES = frozenset(("attr_body", "attr_arg"))

# Characters that look like an ASCII token, with the token to type instead
_LOOKALIKES = {
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'",
    "\u2212": "-", "\u2013": "-", "\u00d7": "*", "\u00f7": "/", "\uff1b": ";",
    "\uff0c": ",", "\uff08": "(", "\uff09": ")", "\uff1a": ":", "\u037e": ";",
}


def describe_character(char: str) -> str:
    """Return a character with its code point and Unicode name, as in `é` (U+00E9 ...)."""
    shown = char if char.isprintable() else repr(char)[1:-1]
    name = unicodedata.name(char, "")
    return f"`{shown}` (U+{ord(char):04X}{' ' + name if name else ''})"


def invalid_characters(masked: str, path: str) -> list[Diagnostic]:
    """Return an error for each character outside Unicode's XID classes in an identifier.

    `masked` is the source with comments, strings and character literals
    blanked out.  An identifier starts with an XID_Start character or `_` and
    continues with XID_Continue characters, which is Python's definition of
    `str.isidentifier` too.
    """
    found = []
    for match in _NAME.finditer(masked):
        word = match.group(0)
        if word.isascii() or word.isidentifier():
            continue
        for index, char in enumerate(word):
            valid = char.isidentifier() if index == 0 else ("_" + char).isidentifier()
            if not valid:
                break
        offset = match.start() + index
        line = masked.count("\n", 0, offset) + 1
        col = offset - (masked.rfind("\n", 0, offset) + 1) + 1
        lookalike = _LOOKALIKES.get(char)
        if lookalike is not None:
            help_text = f"this looks like `{lookalike}`, but it is not; type `{lookalike}`"
        else:
            help_text = ("an identifier starts with a letter or `_` and continues with "
                         "letters, digits and `_`: Unicode's XID_Start and XID_Continue "
                         "characters")
        found.append(Diagnostic("error", f"unexpected character {describe_character(char)}",
                                Span(path, line, col, line, col + 1), [], help_text,
                                code="SX0102"))
    return found


def grammar_keywords(parser) -> frozenset[str]:
    """Return the words that the grammar spells as keywords, such as `fn` and `let`,
    except the contextual ones."""
    words = {t.pattern.value for t in parser.terminals
             if t.pattern.type == "str" and re.fullmatch(r"[A-Za-z]\w*", t.pattern.value)}
    return frozenset(words - CONTEXTUAL_KEYWORDS)


def check_names(tree: Tree, path: str, keywords: frozenset[str]) -> list[Diagnostic]:
    """Normalise the identifiers of `tree` to NFC in place; return an error for each keyword
    used as a name.

    Lark's contextual lexer reads a keyword as a NAME wherever the grammar
    expects no keyword, so `let fn = 2;` parses.  Rust rejects it, and so does
    this check.
    """
    found = []
    for subtree in tree.iter_subtrees():
        if subtree.data in _ATTRIBUTE_RULES:
            continue
        declaring = subtree.data in _DECLARING_RULES
        for index, child in enumerate(subtree.children):
            if not isinstance(child, Token) or child.type not in _NAME_TOKENS:
                continue
            if not child.isascii():
                normal = unicodedata.normalize("NFC", str(child))
                if normal != child:
                    child = subtree.children[index] = child.update(value=normal)
            offset = 0
            for segment in str(child).split("::"):
                message = _keyword_message(segment, keywords, declaring)
                if message is not None:
                    span = Span(path, child.line, child.column + offset, child.line,
                                child.column + offset + len(segment))
                    found.append(Diagnostic(
                        "error", message, span, [],
                        f"`{segment}` is a keyword; rename it, for example to `{segment}_`",
                        code="SX0110"))
                offset += len(segment) + 2
    found.sort(key=lambda d: (d.span.line, d.span.col))
    return found


def _keyword_message(word: str, keywords: frozenset[str], declaring: bool) -> str | None:
    if word in keywords or declaring and word in PATH_KEYWORDS:
        return f"expected identifier, found keyword `{word}`"
    if word in RUST_ONLY_KEYWORDS:
        return f"expected identifier, found reserved keyword `{word}`"
    return None
