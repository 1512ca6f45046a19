"""Parse pass: `.sx` source text to a `Module` syntax tree.

The grammar lives in `grammar/simplex.lark` (LALR(1)); `Builder` turns Lark's
parse tree into the dataclasses of `sxc.ast`, attaching a `Span` to every node
and grouping the flat operator lists of `binary` by Rust's precedences:

    a + b * c < d        ->  Binary("<", Binary("+", a, Binary("*", b, c)), d)
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import re
from importlib import resources
from pathlib import Path as FsPath
from typing import NamedTuple

import lark
from lark import Token, Transformer, v_args

from sxc import ast, identifiers
from sxc.diagnostics import CompileError, Diagnostic, Span, allow_warnings, register_source
from sxc.lint_levels import allowed_codes, whole_file
from sxc.trait_objects import rewrite_trait_objects

# Binding power of each binary operator; comparisons do not chain.
PRECEDENCE = {
    "||": 1, "&&": 2,
    "==": 3, "!=": 3, "<": 3, ">": 3, "<=": 3, ">=": 3,
    "|": 4, "^": 5, "&": 6, "<<": 7, ">>": 7,
    "+": 8, "-": 8, "*": 9, "/": 9, "%": 9,
}
COMPARISONS = {"==", "!=", "<", ">", "<=", ">="}

# Readable names of the terminals that syntax errors mention.
TERMINAL_TEXT = {
    "SEMICOLON": "`;`", "LBRACE": "`{`", "RBRACE": "`}`", "LPAR": "`(`",
    "RPAR": "`)`", "LSQB": "`[`", "RSQB": "`]`", "COMMA": "`,`", "COLON": "`:`",
    "EQUAL": "`=`", "NAME": "identifier", "INT": "integer literal",
    "FLOAT": "float literal", "STRING": "string literal", "BINOP": "operator",
    "ASSIGN_OP": "`=`", "__ANON_0": "`->`", "DOT": "`.`", "MORETHAN": "`>`",
    "LESSTHAN": "`<`", "STRUCT_NAME": "struct name", "BARE_STRUCT_NAME": "struct name", "RANGE_OP": "`..`",
    "$END": "end of file",
}


def grammar_text() -> str:
    """Return the grammar, from the installed package or the source tree."""
    try:
        return resources.files("sxc.grammar").joinpath("simplex.lark").read_text()
    except (ModuleNotFoundError, FileNotFoundError):
        here = FsPath(__file__).resolve().parent.parent / "grammar" / "simplex.lark"
        return here.read_text()


GRAMMAR_TABLES = f"grammar-lark{lark.__version__}"


@functools.lru_cache(maxsize=1)
def _parser() -> lark.Lark:
    # Building the LALR tables takes about a second, so a wheel ships them next
    # to the grammar (see `sxc.grammar_tables`).  Without them, or when another
    # Lark version built them, they are built once and kept as a toolchain
    # file of the compile cache, which is written atomically.
    # Lark's own `cache=` option writes its file in place, where a concurrent
    # sxc process can read it half written.
    from sxc import cache
    from sxc.grammar_tables import build_tables, load_tables, tables_name
    from sxc.lexer import share_scanner

    grammar = grammar_text()
    for read in (lambda: _shipped_tables(tables_name(lark.__version__, grammar)),
                 lambda: cache.read_toolchain_file(GRAMMAR_TABLES)):
        saved = read()
        if saved is not None:
            try:
                parser = load_tables(saved)
            except Exception:  # noqa: BLE001 - damaged tables can raise almost anything
                continue
            share_scanner(parser.parser.lexer)
            return parser
    parser, tables = build_tables(grammar)
    cache.write_toolchain_file(GRAMMAR_TABLES, tables)
    share_scanner(parser.parser.lexer)
    return parser


@functools.lru_cache(maxsize=1)
def _split_arrow_head(parser: lark.Lark):
    """Return the parser's error handler for a lambda head read where none can be.

    The lexer reads `(a, _) =>` as one token, the head of the lambda
    `(x, y) => x + y`, wherever the parser accepts an expression.  After a
    `match` arm whose body is a block and has no comma, the parser's state
    accepts one too, though what follows is the next arm: `(0, _) => { .. }
    (_, true) => 20`.  The handler feeds the parser the pieces of the head,
    a tuple pattern and `=>`, and parsing goes on if it accepts them."""
    strings = {t.pattern.value: t.name for t in parser.terminals if t.pattern.type == "str"}

    def handler(exc: lark.exceptions.UnexpectedInput) -> bool:
        token = getattr(exc, "token", None)
        if not isinstance(exc, lark.exceptions.UnexpectedToken) or token is None or \
                token.type != "ARROW_HEAD" or ":" in token.value:
            return False
        for piece in re.finditer(r"=>|[(),]|[^\s(),=]+", token.value):
            text, offset = piece.group(), piece.start()
            before = token.value[:offset]
            line = token.line + before.count("\n")
            col = token.column + offset if "\n" not in before else offset - before.rfind("\n")
            at = token.start_pos + offset
            part = Token(strings.get(text, "NAME"), text, at, line, col, line, col + len(text),
                         at + len(text))
            try:
                exc.interactive_parser.feed_token(part)
            except lark.exceptions.UnexpectedInput:
                return False
        return True

    return handler


@functools.lru_cache(maxsize=1)
def _keywords(parser: lark.Lark) -> frozenset[str]:
    return identifiers.grammar_keywords(parser)


def _shipped_tables(name: str) -> bytes | None:
    try:
        return resources.files("sxc.grammar").joinpath(name).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        return None


class _LetCond(NamedTuple):
    """The head `let pattern = value` of an `if let` or `while let`."""

    span: Span
    pattern: ast.Pattern
    value: ast.Expr


class _DerefPattern(NamedTuple):
    """A closure parameter `&pattern`, which binds what the argument refers to."""

    pattern: ast.Pattern


@dataclasses.dataclass
class _DynExtra:
    """`+ Send` or `+ 'static` after the trait of a trait object."""

    span: Span
    name: str


# Traits that a trait object may name after its trait, and which sxc ignores:
# it runs on one thread, and every value lives as long as its owner.
DYN_MARKERS = frozenset({"Send", "Sync", "Unpin"})


@dataclasses.dataclass
class _TraitType:
    """`type Item;` in a trait: each impl names the type with `type Item = ..;`."""

    span: Span
    name: str


# Constructs outside the subset, found before parsing so that each gets one
# clear message instead of a cascade of syntax errors.
UNSUPPORTED = [
    (re.compile(r"\bdyn[ \t]+(Fn|FnMut|FnOnce)\b"), "closure trait objects (`dyn Fn`)",
     "take a generic parameter `F: Fn(f64) -> f64` or `&impl Fn(f64) -> f64`; keep "
     "several functions in an enum, or as `fn(f64) -> f64` pointers when they capture "
     "nothing"),
    (re.compile(r"^[ \t]*(pub[ \t]+)?(actor|specialist|hive|anima|module)[ \t]+\w+[ \t]*\{",
                re.M),
     "the original toolchain's actors, specialists, hives and `module` blocks",
     "sxc compiles numeric programs: functions, structs and their `impl` blocks"),
    (re.compile(r"^[ \t]*(pub[ \t]+)?union[ \t]+\w+", re.M), "unions",
     "use a struct"),
    (re.compile(r"^[ \t]*macro_rules![ \t]*\w+", re.M), "macro definitions",
     "write a function"),
    (re.compile(r"\basync[ \t]+(move[ \t]+)?\{"), "`async` blocks",
     "write the code without `async`: sxc runs everything synchronously"),
    (re.compile(r"\bunsafe[ \t]+(fn|impl|trait|extern)\b"), "`unsafe` functions and impls",
     "remove `unsafe`: sxc checks every index"),
    (re.compile(r"\*[ \t]*(const|mut)\b(?=[ \t]+[\w\[(&*])"), "raw pointers",
     "use a reference, or an index into a `Vec`"),
    (re.compile(r"(?<=->)[ \t]*impl[ \t]+(?!Fn(Mut|Once)?[ \t]*\()"
                r"(?!(DoubleEnded|ExactSize)?Iterator[ \t]*<)\w+"),
     "`impl Trait` return types other than `impl Fn(..)` and `impl Iterator<Item = T>`",
     "name the concrete type"),
    (re.compile(r"\bstatic[ \t]+mut\b"), "mutable statics",
     "keep the value in `main` and pass it as a `&mut` parameter"),
    (re.compile(r"^[ \t]*(#\[[^\]\n]*\][ \t]*)?extern[ \t]+crate\b", re.M), "`extern crate`",
     "sxc links no other crates; `use simplex_training::..` needs no `extern crate`"),
    (re.compile(r"\b[0-9][0-9_]*(?:[iu]128)\b"), "128-bit integer literals",
     "use `i64` or `u64`, whose bounds are about 9.2e18 and 1.8e19"),
]

# A lifetime such as `'a`, but not a character literal such as `'a'`.
LIFETIME = r"'[A-Za-z_]\w*(?![\w'])"
# Lifetimes, which sxc does not need, in `&'a T`, `<'a>`, `<'a, T>` and `<T, 'a>`,
# and `const` in `const fn`.
IGNORED = [
    re.compile(rf"(?<=&)[ \t]*{LIFETIME}"),
    re.compile(rf"<[ \t]*{LIFETIME}([ \t]*,[ \t]*{LIFETIME})*[ \t]*,?[ \t]*>"),
    re.compile(rf"(?<=<)[ \t]*{LIFETIME}[ \t]*,"),
    re.compile(rf",[ \t]*{LIFETIME}(?=[ \t]*[,>])"),
    re.compile(r"\bconst(?=[ \t]+fn\b)"),
]


def _blank_ignored(source: str) -> str:
    """Blank out the lifetimes and `const fn` markers, keeping every offset."""
    masked = _mask(source)
    matches = [match for pattern in IGNORED for match in pattern.finditer(masked)]
    if not matches:
        return source
    chars = list(source)
    for match in matches:
        for i in range(match.start(), match.end()):
            chars[i] = " "
    return "".join(chars)


# raw strings as the grammar's RAW_STRING reads them, with no escapes inside
RAW_STRING_PATTERN = (r'(?<![A-Za-z0-9_])(?:r"[^"]*"|r#"(?:[^"]|"(?!#))*"#'
                      r'|r##"(?:[^"]|"(?!##))*"##|r###"(?:[^"]|"(?!###))*"###)')


_RAW_OPENER = re.compile(r'(?<![A-Za-z0-9_])r(#{0,3})"')


# The tokens that can hide a `/*` or `//`: comments and string and character
# literals.  A block comment is matched by `_block_comment_end`, because
# block comments nest, which a regular expression cannot match.
_HIDING = re.compile(r'//[^\n]*|/\*|' + RAW_STRING_PATTERN + r'|"(?:[^"\\]|\\.)*"'
                     r"|'(?:[^'\\\n]|\\u\{[0-9a-fA-F_]*\}|\\x[0-9a-fA-F]{2}|\\.)'", re.S)
_COMMENT_DELIMITER = re.compile(r"/\*|\*/")


def _block_comment_end(source: str, start: int) -> tuple[int, int]:
    """Return the end of the block comment opened at `start`, and its open depth there.

    Block comments nest, as in Rust: `/* a /* b */ c */` is one comment.  For a
    comment that the file ends inside, the end is `len(source)` and the depth is
    the number of comments still open, at least 1."""
    depth = 1
    for delimiter in _COMMENT_DELIMITER.finditer(source, start + 2):
        depth += 1 if delimiter.group(0) == "/*" else -1
        if depth == 0:
            return delimiter.end(), 0
    return len(source), depth


def _hidden_spans(source: str):
    """Yield `(start, end, depth)` for each comment and literal of `source`.

    `depth` is the number of block comments still open at `end`: nonzero only
    for a block comment that is never closed, which runs to the end of the file."""
    pos = 0
    while True:
        match = _HIDING.search(source, pos)
        if match is None:
            return
        if match.group(0) == "/*":
            end, depth = _block_comment_end(source, match.start())
        else:
            end, depth = match.end(), 0
        yield match.start(), end, depth
        pos = end


def _blank(text: str) -> str:
    """Return `text` with every character but line breaks replaced by a space."""
    if "\n" not in text:
        return " " * len(text)
    return re.sub(r"[^\n]", " ", text)


@functools.lru_cache(maxsize=2)
def _mask(source: str) -> str:
    """Blank out comments and string literals, keeping every offset."""
    parts = []
    pos = 0
    for start, end, _ in _hidden_spans(source):
        parts.append(source[pos:start])
        parts.append(_blank(source[start:end]))
        pos = end
    parts.append(source[pos:])
    return "".join(parts)


def _blank_block_comments(source: str, path: str) -> str:
    """Blank out the block comments of `source`, keeping every offset.

    The grammar's BLOCK_COMMENT cannot match nested comments, so the parser
    gets the source without them.  Raise SX0104 for a comment that is never
    closed, at its outermost `/*`."""
    parts = []
    pos = 0
    for start, end, depth in _hidden_spans(source):
        if not source.startswith("/*", start):
            continue
        if depth:
            line = source.count("\n", 0, start) + 1
            col = start - (source.rfind("\n", 0, start) + 1) + 1
            help_text = "close the comment with `*/`"
            if depth > 1:
                help_text = (f"block comments nest, and {depth - 1} more `/*` inside this "
                             f"comment {'is' if depth == 2 else 'are'} still open: "
                             f"close each with its own `*/`")
            raise CompileError([Diagnostic(
                "error", "unterminated block comment", Span(path, line, col, line, col + 2),
                [], help_text, code="SX0104")])
        parts.append(source[pos:start])
        parts.append(_blank(source[start:end]))
        pos = end
    parts.append(source[pos:])
    return "".join(parts)


# The passes recurse once or more per level of the syntax tree, so sxc rejects
# deeper programs before parsing instead of running out of recursion after a
# long compile.  The depth estimate counts each open bracket, plus each
# operator character of the unfinished expressions in the open brackets: a
# flat `a + b + c` is a left-leaning tree as deep as its operator count.
MAX_NESTING = 12_000
NESTING_TOKEN = re.compile(r"[(\[{]|[)\]}]|[;,]|[-+*/%^|&<>!=]+")
# tokens that end the expression before them: `let x = ..`, `=> ..`, `-> T`
SEPARATORS = {";", ",", "=", "=>", "->"}


def _nesting_diagnostic(source: str, path: str) -> Diagnostic | None:
    """Return an error at the first token where the nesting estimate passes `MAX_NESTING`."""
    masked = _mask(source)
    operators = [0]  # operator characters of the unfinished expression, per open bracket
    depth = 0  # open brackets plus every entry of `operators`
    for match in NESTING_TOKEN.finditer(masked):
        token = match.group(0)
        if token in "([{":
            operators.append(0)
            depth += 1
        elif token in ")]}":
            if len(operators) > 1:
                depth -= 1 + operators.pop()
        elif token in SEPARATORS:
            depth -= operators[-1]
            operators[-1] = 0
        else:
            operators[-1] += len(token)
            depth += len(token)
        if depth > MAX_NESTING:
            start = match.start()
            line = masked.count("\n", 0, start) + 1
            col = start - (masked.rfind("\n", 0, start) + 1) + 1
            return Diagnostic(
                "error", f"the program nests more than {MAX_NESTING} levels deep here",
                Span(path, line, col, line, col + 1), [],
                "split long or deeply nested expressions into `let` bindings or functions",
                code="SX0003")
    return None


# Words of which each pattern of UNSUPPORTED needs one, in the same order.  A
# pattern whose words are all absent from the source is skipped, which saves
# a regular-expression scan per pattern on large files.  An empty tuple means
# the pattern always runs.
UNSUPPORTED_WORDS = [
    ("dyn",), ("actor", "specialist", "hive", "anima", "module"),
    ("union",), ("macro_rules",), ("async",), ("unsafe",), (),
    ("impl",), ("static",), ("extern",), ("128",),
]
assert len(UNSUPPORTED_WORDS) == len(UNSUPPORTED)


def _unsupported(source: str, path: str) -> list[Diagnostic]:
    masked = _mask(source)
    found = []
    for (pattern, what, help_text), words in zip(UNSUPPORTED, UNSUPPORTED_WORDS):
        if words and not any(word in masked for word in words):
            continue
        for match in pattern.finditer(masked):
            start = match.start() + len(match.group(0)) - len(match.group(0).lstrip())
            line = masked.count("\n", 0, start) + 1
            col = start - (masked.rfind("\n", 0, start) + 1) + 1
            span = Span(path, line, col, line, col + len(match.group(0).strip()))
            found.append(Diagnostic("error", f"sxc does not support {what} yet", span, [],
                                    help_text, code="SX0801"))
    found.sort(key=lambda d: (d.span.line, d.span.col))
    return found


CLOSURE_TRAITS = ("Fn", "FnMut", "FnOnce")


def _refutable(p: ast.Pattern) -> ast.Pattern:
    """Return the `let` pattern `p` as a `match` pattern, for `let P = e else { .. };`.

    The grammar reads `Some(x)` there as a tuple struct's pattern, which a
    variant's looks the same as, and drops the `&` of `&x`.
    """
    if isinstance(p, ast.TupleStructPattern):
        out = ast.VariantPattern(p.span, p.name.split("::"), [_refutable(i) for i in p.items],
                                 None, False)
    elif isinstance(p, ast.TuplePattern):
        out = ast.TuplePattern(p.span, [_refutable(i) for i in p.items])
    else:
        out = p
    if getattr(p, "written_ref", False):
        return ast.DerefPattern(p.span, out)
    return out


def _lift_impl_trait(te, names: list[str], bounds: dict[str, list[ast.TypeExpr]],
                     top: bool = True):
    """Replace an `impl Trait` in the parameter type `te` by a new generic parameter.

    `fn f(x: &impl Shape)` means `fn f<T: Shape>(x: &T)`, so `names` and
    `bounds` gain the parameter `impl Shape#N`, a name no program can write.
    """
    if isinstance(te, ast.NamedType) and getattr(te, "impl_trait", False):
        name = f"impl {te.path[-1]}#{len(names)}"
        names.append(name)
        bound = ast.NamedType(te.span, te.path, te.args)
        bounds[name] = [bound]
        return ast.NamedType(te.span, [name], [])
    if top and isinstance(te, ast.RefType) and isinstance(te.inner, ast.NamedType) and \
            getattr(te.inner, "dyn_trait", False):
        # `s: &dyn Shape` takes each type with the trait as a copy of the
        # function, as `&impl Shape` does
        name = f"dyn {te.inner.path[-1]}#{len(names)}"
        names.append(name)
        bounds[name] = [ast.NamedType(te.inner.span, te.inner.path, te.inner.args)]
        te.inner = ast.NamedType(te.inner.span, [name], [])
        return te
    if isinstance(te, ast.RefType):
        te.inner = _lift_impl_trait(te.inner, names, bounds, False)
    elif isinstance(te, ast.SliceType):
        # `&[&dyn Shape]` contains items of several types, so it keeps the enum
        te.elem = _lift_impl_trait(te.elem, names, bounds, False)
    return te


# Methods whose argument is a function of one item: `.map(f)`, `.filter(f)`.
ONE_ITEM_ADAPTERS = frozenset({
    "map", "filter_map", "flat_map", "filter", "for_each", "any", "all", "find", "find_map",
    "position", "take_while", "skip_while", "map_while", "inspect", "max_by_key",
    "min_by_key", "sort_by_key", "sort_unstable_by_key", "retain", "map_err", "and_then",
    "is_some_and", "partition", "rfind", "split"})
# Methods whose argument is a function without parameters: `.or_insert_with(f)`.
NO_ITEM_ADAPTERS = frozenset({"unwrap_or_else", "or_insert_with", "or_else", "ok_or_else",
                              "get_or_insert_with"})
# Types whose methods a path such as `str::parse::<i32>` or `Result::unwrap` names.
STD_METHOD_OWNERS = frozenset({
    "str", "String", "Option", "Result", "char", "bool", "f32", "f64", "i8", "i16", "i32",
    "i64", "isize", "u8", "u16", "u32", "u64", "usize", "Vec"})


def _path_as_closure(arg: ast.Expr) -> ast.Expr:
    """Return a constructor or a standard method named as a function, the argument
    of `.map(Id)` or `.map(str::trim)`, as the closure it means: `|x| Id(x)`,
    `|x| x.trim()`.  Any other argument is returned as it is."""
    if not isinstance(arg, ast.Path):
        return arg
    span = arg.span
    segments = arg.segments
    item = ast.Path(span, ["__item"])
    if len(segments) == 2 and segments[0] in STD_METHOD_OWNERS and segments[1] == "from":
        body: ast.Expr = ast.Call(span, arg, [item])  # `.map(String::from)`
    elif len(segments) == 2 and segments[0] in STD_METHOD_OWNERS and \
            segments[1][:1].islower() and arg.type_args_at in (None, 1) and \
            segments[1] not in ("new", "default", "with_capacity"):
        body = ast.MethodCall(span, item, segments[1], [], list(arg.type_args), span)
    elif segments[-1][:1].isupper() and \
            (len(segments[-1]) == 1 or any(c.islower() for c in segments[-1])) and \
            not arg.type_args and \
            (len(segments) == 1 or len(segments) == 2 and segments[0][:1].isupper()):
        body = ast.Call(span, arg, [item])  # a tuple struct or a variant: `Id`, `Shape::Dot`
    else:
        return arg
    return ast.Closure(span, [("__item", None)], None, body)


def _debug_builder(chain: ast.Expr, span: Span) -> ast.MacroCall | None:
    """Return `f.debug_struct("P").field("x", &self.x).finish()` as the `write!` that
    prints the same, `write!(f, "P {{ x: {:?} }}", &self.x)`; likewise
    `debug_tuple("P").field(&a)` as `P(a)` and `debug_list().entries(it)` as
    `[a, b]`.  None for any other chain.

    NOTE: `{:#?}` of the value prints it on one line, where Rust's builders
    print one field per line."""
    calls = []
    while isinstance(chain, ast.MethodCall) and chain.method in ("field", "entries", "entry"):
        calls.append(chain)
        chain = chain.receiver
    if not isinstance(chain, ast.MethodCall) or \
            chain.method not in ("debug_struct", "debug_tuple", "debug_list"):
        return None
    calls.reverse()
    kind = chain.method
    if kind == "debug_list":
        if chain.args or not all(c.method == "entries" and len(c.args) == 1 for c in calls):
            return None
        # `entries(iter)` prints each item of `iter` with `{:?}`, as a `Vec` prints
        items = [ast.MethodCall(span, c.args[0], "collect", [], [
            ast.NamedType(span, ["Vec"], [ast.NamedType(span, ["_"], [])])], span)
            for c in calls]
        if not items:
            return ast.MacroCall(span, "write", [chain.receiver, ast.StrLit(span, "[]")])
        if len(items) > 1:
            return None
        return ast.MacroCall(span, "write", [chain.receiver, ast.StrLit(span, "{:?}"), items[0]])
    if len(chain.args) != 1 or not isinstance(chain.args[0], ast.StrLit):
        return None
    name = chain.args[0].value.replace("{", "{{").replace("}", "}}")
    values = []
    if kind == "debug_struct":
        parts = []
        for c in calls:
            if c.method != "field" or len(c.args) != 2 or not isinstance(c.args[0], ast.StrLit):
                return None
            parts.append(c.args[0].value.replace("{", "{{").replace("}", "}}") + ": {:?}")
            values.append(c.args[1])
        text = f"{name} {{{{ {', '.join(parts)} }}}}" if parts else name
    else:
        if not all(c.method == "field" and len(c.args) == 1 for c in calls):
            return None
        values = [c.args[0] for c in calls]
        text = f"{name}({', '.join(['{:?}'] * len(values))})" if values else name
    return ast.MacroCall(span, "write", [chain.receiver, ast.StrLit(span, text), *values])


def _assigns_any(body: ast.Expr, names: set[str]) -> bool:
    """Return whether `body` assigns to one of `names` or through it (`*v += 1`), or
    calls a method on one of them, which may change it."""
    for node in ast.walk(body):
        if isinstance(node, ast.Assign):
            target = node.target
            while isinstance(target, (ast.Unary, ast.Field, ast.TupleField, ast.Index)):
                target = target.operand if isinstance(target, ast.Unary) else target.base
            if isinstance(target, ast.Path) and target.segments[0] in names:
                return True
        if isinstance(node, ast.MethodCall) and isinstance(node.receiver, ast.Path) and \
                node.receiver.segments[0] in names:
            return True
    return False


# `impl Trait` return types that sxc compiles as a `Vec` of the items.
ITERATOR_TRAITS = ("Iterator", "DoubleEndedIterator", "ExactSizeIterator")


def _collected(value: ast.Expr) -> ast.Expr:
    span = value.span
    endless = None
    bounded = False
    for node in ast.walk(value, skip=lambda n: isinstance(n, ast.Closure)):
        if isinstance(node, ast.Range) and node.end is None and node.start is not None or \
                isinstance(node, ast.MethodCall) and node.method == "cycle" or \
                isinstance(node, ast.Call) and isinstance(node.func, ast.Path) and \
                node.func.segments[-1] in ("repeat", "repeat_with", "successors", "from_fn"):
            endless = endless or node
        if isinstance(node, ast.MethodCall) and node.method in ("take", "take_while",
                                                               "map_while"):
            bounded = True
    if endless is not None and not bounded:
        raise CompileError([Diagnostic(
            "error", "sxc cannot return an endless iterator as `impl Iterator`", endless.span,
            [], "sxc computes the items when the function returns, so end the iterator in "
                "the function, for example with `.take(n)` or a bounded range `(1..n)`",
            code="SX0801")])
    return ast.MethodCall(span, value, "collect", [],
                          [ast.NamedType(span, ["Vec"], [ast.NamedType(span, ["_"])])], span)


def _collect_returned_items(body: ast.Block) -> ast.Block:
    """Return `body` with the iterator that it returns (its tail and each `return`
    outside closures) collected into a `Vec`.

    NOTE: the items are computed when the function returns, where Rust computes
    them as the caller pulls them, so an endless iterator never returns."""
    todo: list = [body]
    while todo:
        node = todo.pop()
        if isinstance(node, (list, tuple)):
            todo.extend(node)
            continue
        if not isinstance(node, ast.Node) or isinstance(node, (ast.Closure, ast.Item)):
            continue
        if isinstance(node, ast.Return) and node.value is not None:
            node.value = _collected(node.value)
        for field in ast.field_names(node):
            value = getattr(node, field)
            if isinstance(value, (ast.Node, list, tuple)):
                todo.append(value)
    _collect_tail(body)
    return body


def _collect_tail(block: ast.Block) -> None:
    """Collect the tail of `block`, or of each arm when the tail is an `if` or a
    `match`, whose arms may be iterators of different kinds (`0..0`, `0..n`)."""
    tail = block.tail
    if isinstance(tail, ast.If) and tail.else_ is not None:
        _collect_tail(tail.then)
        if isinstance(tail.else_, ast.Block):
            _collect_tail(tail.else_)
        else:
            tail.else_ = ast.Block(tail.else_.span, [], tail.else_)
            _collect_tail(tail.else_)
    elif isinstance(tail, ast.Match):
        for arm in tail.arms:
            if not isinstance(arm.body, ast.Block):
                arm.body = ast.Block(arm.body.span, [], arm.body)
            _collect_tail(arm.body)
    elif tail is not None and not isinstance(tail, (ast.Return, ast.MacroCall)):
        block.tail = _collected(tail)


def _iterate_returned_items(items: list, script: list) -> None:
    """Make each call of a function declared `-> impl Iterator<Item = T>` in `items`,
    which returns a `Vec<T>`, an iterator again: `f(x)` becomes `f(x).into_iter()`."""
    functions, methods = set(), []
    todo: list = list(items)
    while todo:
        item = todo.pop()
        if isinstance(item, ast.FnDef) and getattr(item, "returns_iterator", False):
            if item.self_kind is None:
                functions.add(item.name)
            else:
                methods.append(item.name)
        elif isinstance(item, (ast.ImplDef, ast.TraitDef)):
            todo.extend(item.methods)
        elif isinstance(item, ast.ModDecl) and item.items:
            todo.extend(item.items)
    if not functions and not methods:
        return
    # a method name that one of them has alone, so that a call of it names it
    unique = {m for m in methods if methods.count(m) == 1}

    def returns_items(node) -> bool:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Path):
            segments = node.func.segments
            return len(segments) == 1 and segments[0] in functions or \
                len(segments) == 2 and segments[1] in unique | functions
        return isinstance(node, ast.MethodCall) and node.method in unique

    def wrap(value):
        if isinstance(value, list):
            return [wrap(v) for v in value]
        if isinstance(value, tuple):
            return tuple(wrap(v) for v in value)
        if not isinstance(value, ast.Node):
            return value
        for field in ast.field_names(value):
            child = getattr(value, field)
            if isinstance(child, (ast.Node, list, tuple)):
                setattr(value, field, wrap(child))
        if returns_items(value):
            return ast.MethodCall(value.span, value, "into_iter", [], [], value.span)
        return value

    wrap(items)
    wrap(script)


def _is_self_type(te) -> bool:
    return isinstance(te, ast.NamedType) and te.path == ["Self"] and not te.args


def _split_generics(params, where) -> tuple[list[str], dict[str, list[ast.TypeExpr]]]:
    """Return the names of generic parameters and their bounds, `where` clauses merged."""
    names: list[str] = []
    bounds: dict[str, list[ast.TypeExpr]] = {}
    for name, found in params or []:
        names.append(name)
        bounds.setdefault(name, []).extend(found)
    for pred in where or []:
        if pred is not None:
            name, found = pred
            bounds.setdefault(name, []).extend(found)
    return names, bounds


def parse_module(source: str, path: str) -> ast.Module:
    """Parse `source` (the text of file `path`) into a `Module`."""
    if source.startswith("\ufeff"):
        source = source[1:]
    # lines end at `\n` everywhere in sxc, so CRLF and a lone CR become `\n`
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    register_source(path, source)
    source = _blank_block_comments(source, path)
    source = _blank_ignored(source)
    unsupported = _unsupported(source, path)
    if unsupported:
        raise CompileError(unsupported)
    too_deep = _nesting_diagnostic(source, path)
    if too_deep is not None:
        raise CompileError([too_deep])
    invalid = identifiers.invalid_characters(_mask(source), path)
    if invalid:
        raise CompileError(invalid)
    parser = _parser()
    try:
        tree = parser.parse(source, on_error=_split_arrow_head(parser))
    except lark.exceptions.UnexpectedInput as exc:
        raise CompileError([_syntax_diagnostic(exc, path, source)]) from None
    keywords = identifiers.check_names(tree, path, _keywords(parser))
    if keywords:
        raise CompileError(keywords)
    builder = Builder(path)
    try:
        items, script, attributes, attribute_spans = builder.transform(tree)
        allow_warnings(path, builder.allowed)
        if "impl" in source:
            _iterate_returned_items(items, script)
        if "dyn" in source:
            items = items + rewrite_trait_objects(
                items, script, lambda text: Builder(path).transform(parser.parse(text))[0])
    except lark.exceptions.VisitError as exc:
        # a builder method reported an unsupported construct
        if isinstance(exc.orig_exc, CompileError):
            raise exc.orig_exc from None
        # `driver.run_deep` turns this into a "nested too deeply" error
        if isinstance(exc.orig_exc, RecursionError):
            raise exc.orig_exc from None
        raise
    return ast.Module(Span(path, 1, 1, 1, 1), path, items, script, attributes, attribute_spans)


def _ref_without_name(exc, path: str, source: str) -> Diagnostic | None:
    """Report `let ref = 1;`, where the keyword `ref` is used as a name, as a keyword
    used as a name rather than as an unexpected `=`."""
    token = getattr(exc, "token", None)
    if token is None or token.type == "$END" or "NAME" not in (getattr(exc, "expected", None)
                                                             or ()):
        return None
    before = source[:token.start_pos].rstrip()
    if not before.endswith("ref") or (len(before) > 3 and
                                      (before[-4].isalnum() or before[-4] == "_")):
        return None
    offset = len(before) - 3
    line = source.count("\n", 0, offset) + 1
    col = offset - (source.rfind("\n", 0, offset) + 1) + 1
    return Diagnostic("error", "expected identifier, found keyword `ref`",
                      Span(path, line, col, line, col + 3), [],
                      "`ref` is a keyword; rename it, for example to `ref_`",
                      code="SX0110")


def _syntax_diagnostic(exc: lark.exceptions.UnexpectedInput, path: str,
                       source: str) -> Diagnostic:
    line = getattr(exc, "line", 1) or 1
    col = getattr(exc, "column", 1) or 1
    raw = _unterminated_raw_string(exc, path, source)
    if raw is not None:
        return raw
    if isinstance(exc, lark.exceptions.UnexpectedCharacters):
        pos = exc.pos_in_stream
        char = source[pos] if pos < len(source) else ""
        span = Span(path, line, col, line, col + 1)
        if char == '"':
            return Diagnostic("error", "unterminated string literal", span, [],
                              'close the string with `"`', code="SX0103")
        shown = char if char.isprintable() else repr(char)[1:-1]
        return Diagnostic("error", f"unexpected character `{shown}`", span, code="SX0102")
    token = getattr(exc, "token", None)
    expected = sorted(getattr(exc, "expected", None) or exc.accepts or [])
    keyword = _ref_without_name(exc, path, source)
    if keyword is not None:
        return keyword
    names = sorted({_terminal_text(t) for t in expected})
    if token is None or token.type == "$END":
        lines = source.splitlines() or [""]
        span = Span(path, len(lines), len(lines[-1]) + 1, len(lines), len(lines[-1]) + 2)
        found = "end of file"
    else:
        span = Span(path, token.line, token.column, token.end_line or token.line,
                    token.end_column or token.column + 1)
        found = f"`{token}`"
    message = f"syntax error: unexpected {found}"
    help_text = None
    if names and len(names) <= 8:
        help_text = "expected " + ", ".join(names)
    if token is not None and str(token) in ("[", "(") and \
            re.search(r"\bimpl\b[^{;]*\bfor\s*$", source[:token.start_pos]):
        # `impl Total for [i64]` or `for (f64, f64)`
        return Diagnostic("error", "sxc does not support implementing a trait for a slice, "
                          "array or tuple type", span, [],
                          "wrap the value in a struct, `struct Wrapper(Vec<..>);`, and "
                          "implement it for that", code="SX0804")
    return Diagnostic("error", message, span, [], help_text, code="SX0101")


def _unterminated_raw_string(exc: lark.exceptions.UnexpectedInput, path: str,
                             source: str) -> Diagnostic | None:
    """Return the error for `r#"...` without its closing `"#`, found where it starts."""
    pos = getattr(exc, "pos_in_stream", None)
    if pos is None:
        return None
    for start in (pos - 1, pos):
        opener = _RAW_OPENER.match(source, max(start, 0))
        if opener is None or re.compile(RAW_STRING_PATTERN).match(source, start):
            continue
        line = source.count("\n", 0, start) + 1
        col = start - (source.rfind("\n", 0, start) + 1) + 1
        span = Span(path, line, col, line, col + len(opener.group(0)))
        closer = '"' + opener.group(1)
        return Diagnostic("error", "unterminated raw string", span, [],
                          f"close the string with `{closer}`", code="SX0103")
    return None


def _terminal_text(name: str) -> str:
    if name in TERMINAL_TEXT:
        return TERMINAL_TEXT[name]
    for terminal in _parser().terminals:
        if terminal.name == name and terminal.pattern.type == "str":
            return f"`{terminal.pattern.value}`"
    return f"`{name.lower()}`"


def _offset_span(span: Span, raw: str, offset: int, length: int = 1) -> Span:
    """Return the span of `raw[offset:offset + length]` for a token `raw` at `span`."""
    before = raw[:offset]
    line = span.line + before.count("\n")
    col = offset - before.rfind("\n") if "\n" in before else span.col + offset
    return Span(span.file, line, col, line, col + length)


def _span(path: str, meta) -> Span:
    if getattr(meta, "empty", False) or not hasattr(meta, "line"):
        return Span(path, 1, 1, 1, 1)
    return Span(path, meta.line, meta.column, meta.end_line, meta.end_column)


def _require_ascii(name: Token, path: str, what: str, reason: str) -> None:
    """Reject a non-ASCII `name` where it must name something outside the program, as Rust does."""
    if name.isascii():
        return
    char = next(c for c in str(name) if not c.isascii())
    raise CompileError([Diagnostic(
        "error", f"the name of {what} must be ASCII, but `{name}` contains "
        f"{identifiers.describe_character(char)}", _tok_span(path, name), [], reason,
        code="SX0111")])


def _tok_span(path: str, tok: Token) -> Span:
    return Span(path, tok.line, tok.column, tok.end_line or tok.line,
                tok.end_column or tok.column + len(tok))


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", '"': '"', "'": "'"}


class EscapeError(ValueError):
    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


def unescape(body: str, lenient: bool = False) -> str:
    """Decode the escapes of a Rust string literal body (raises EscapeError)."""
    return "".join(ch for ch, _ in decode_positions(body, lenient))


def decode_positions(body: str, lenient: bool = False,
                     byte: bool = False) -> list[tuple[str, int]]:
    """Decode `body`, pairing each character with its offset in the source text.

    `lenient` reads an unknown escape such as `\\d` as the character after the
    backslash, as the original Simplex compiler's lexer does.  `byte` decodes
    the body of a byte literal: ASCII characters, and `\\x` escapes up to
    `\\xff` in place of `\\u{..}`."""
    out: list[tuple[str, int]] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            if byte and ord(ch) > 0x7F:
                raise EscapeError("non-ASCII character in byte literal", i)
            out.append((ch, i))
            i += 1
            continue
        start = i
        nxt = body[i + 1] if i + 1 < len(body) else ""
        if nxt == "\n":
            i += 2
            while i < len(body) and body[i] in " \t\n\r":
                i += 1
        elif nxt == "u" and byte:
            raise EscapeError("unicode escape in byte literal", start)
        elif nxt == "u":
            match = re.match(r"\\u\{([0-9a-fA-F_]{1,8})\}", body[i:])
            if match is None:
                raise EscapeError("invalid unicode escape: expected `\\u{XXXX}`", start)
            code = int(match.group(1).replace("_", ""), 16)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise EscapeError(f"invalid unicode character escape `\\u{{{code:x}}}`",
                                  start)
            out.append((chr(code), start))
            i += len(match.group(0))
        elif nxt == "x":
            digits = body[i + 2:i + 4]
            if len(digits) != 2 or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise EscapeError("invalid `\\x` escape: expected two hex digits", start)
            if int(digits, 16) > 0x7F and not byte:
                raise EscapeError("out of range `\\x` escape: use `\\u{..}` above 7f", start)
            out.append((chr(int(digits, 16)), start))
            i += 4
        elif nxt in _ESCAPES:
            out.append((_ESCAPES[nxt], start))
            i += 2
        elif lenient and nxt:
            out.append((nxt, start))
            i += 2
        else:
            raise EscapeError(f"unknown character escape `\\{nxt}`", start)
    return out


def char_literal(code: int, prefix: str = "") -> str:
    """Return Rust source for the character literal of `code` (`'a'`, `'\\n'`, `'\\u{e9}'`)."""
    ch = chr(code)
    escapes = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0", "\\": "\\\\",
               "'": "\\'"}
    if ch in escapes:
        body = escapes[ch]
    elif 0x20 <= code < 0x7F:
        body = ch
    else:
        body = f"\\u{{{code:x}}}"
    return f"{prefix}'{body}'"


INT_SUFFIXES = ("i8", "i16", "i32", "i64", "isize", "u8", "u16", "u32", "u64", "usize")


def parse_int(text: str) -> tuple[int, str | None]:
    text = text.replace("_", "")
    suffix = None
    for s in INT_SUFFIXES:
        if text.endswith(s) and not (text.startswith("0x") and s in ("u8",)
                                     and False):
            suffix = s
            text = text[: -len(s)]
            break
    base = {"0x": 16, "0b": 2, "0o": 8}.get(text[:2], 10)
    digits = text[2:] if base != 10 else text
    # Python rejects very long decimal strings.  No literal with more than 64
    # significant digits fits an integer type, so such a literal becomes a
    # value that the range check reports as too large.
    if len(digits.lstrip("0")) > 64:
        return 1 << 256, suffix
    return int(digits, base), suffix


def parse_float(text: str) -> tuple[float, str | None, str]:
    """Return the f64 value, the suffix and the digits of a float literal."""
    text = text.replace("_", "")
    suffix = None
    if text.endswith(("f32", "f64")):
        suffix = text[-3:]
        text = text[:-3]
    return float(text), suffix, text


def group_binary(operands: list[ast.Expr], ops: list[Token], path: str) -> ast.Expr:
    """Group `a op b op c ...` by precedence (all operators are left-associative)."""
    output: list[ast.Expr] = [operands[0]]
    stack: list[Token] = []

    def reduce() -> None:
        op = stack.pop()
        right = output.pop()
        left = output.pop()
        node = ast.Binary(left.span.to(right.span), str(op), left, right,
                          _tok_span(path, op))
        output.append(node)

    for op, operand in zip(ops, operands[1:]):
        while stack and PRECEDENCE[str(stack[-1])] >= PRECEDENCE[str(op)]:
            reduce()
        stack.append(op)
        output.append(operand)
    while stack:
        reduce()
    return output[0]


# Macros whose arguments may be named: `println!("{x}", x = 1)`.
FORMAT_MACROS = {"println", "print", "eprintln", "eprint", "format", "write", "writeln",
                 "panic", "unreachable",
                 "todo", "unimplemented", "assert", "debug_assert", "assert_eq", "assert_ne",
                 "debug_assert_eq", "debug_assert_ne"}


@dataclasses.dataclass
class _NamedArg:
    name: str
    value: ast.Expr


@v_args(meta=True)
class Builder(Transformer):
    """Turns a Lark tree into `sxc.ast` nodes; method names match grammar aliases."""

    def __init__(self, path: str):
        super().__init__()
        self.path = path
        # the regions of `#[allow(..)]` attributes, with the warning codes they silence
        self.allowed: list[tuple[Span, frozenset[str]]] = []

    def allow_in(self, span: Span, attributes) -> None:
        """Record the warnings that the outer attributes `attributes` silence in `span`."""
        bodies = [a[1:4] for a in attributes if isinstance(a, tuple) and a[0] == "attr"]
        codes = allowed_codes(bodies)
        if codes:
            self.allowed.append((span, codes))

    def sp(self, meta) -> Span:
        return _span(self.path, meta)

    # ------------------------------------------------------------ module

    def start(self, meta, children):
        items: list[ast.Item] = []
        script: list[ast.Stmt] = []
        attributes: dict[str, str] = {}
        spans: dict[str, Span] = {}
        for child in children:
            if isinstance(child, tuple) and child[0] == "inner":
                attributes[child[1]] = child[2]
                spans[child[1]] = child[3]
            elif isinstance(child, ast.ItemStmt):
                items.append(child.item)
            elif isinstance(child, ast.Stmt):
                script.append(child)
        return items, script, attributes, spans

    def inner_attribute(self, meta, children):
        name, _args, value = children[0]
        codes = allowed_codes([children[0]])
        if codes:
            self.allowed.append((whole_file(self.path), codes))
        return ("inner", name, value, self.sp(meta))

    def attribute(self, meta, children):
        return ("attr",) + children[0] + (self.sp(meta),)

    def attr_body(self, meta, children):
        name = str(children[0])
        args = [a for a in children[1:-1] if a is not None]
        value = children[-1]
        if isinstance(value, ast.StrLit):
            value = value.value
        elif isinstance(value, ast.IntLit) and value.suffix in ("u8", "char"):
            value = repr(chr(value.value))  # a character, not the number it encodes
        elif value is not None:
            value = str(getattr(value, "value", value))
        return (name, args, value)

    def attr_arg(self, meta, children):
        if not isinstance(children[0], Token):
            return children[0]
        names = [str(c) for c in children if isinstance(c, Token) and c.type == "NAME"]
        return "::".join(names)

    # ------------------------------------------------------------ items

    def visibility(self, meta, children):
        return "pub"

    def fn_def(self, meta, children):
        vis, _async, name, generics, params, ret, where, body = children
        names, bounds = _split_generics(generics, where)
        params = params or []
        self_kind = None
        self_mutable = False
        self_box = False
        plain: list[ast.Param] = []
        for p in params:
            if isinstance(p, tuple):
                if plain or self_kind:
                    pass
                self_kind = p[1]
                self_mutable = len(p) > 2 and p[2]
                self_box = len(p) > 3 and p[3]
            else:
                plain.append(p)
        for param in plain:
            param.type = _lift_impl_trait(param.type, names, bounds)
        unpack = [ast.Let(p.span, p.pattern, None, ast.Path(p.span, [p.name]))
                  for p in plain if getattr(p, "pattern", None) is not None]
        if unpack:
            body.stmts[:0] = unpack
        returns_iterator = isinstance(ret, ast.NamedType) and \
            getattr(ret, "impl_trait", False) and ret.path[-1] in ITERATOR_TRAITS
        if returns_iterator and body is None:
            raise CompileError([Diagnostic(
                "error", "sxc supports `impl Iterator` as a return type only in a function "
                         "with a body, not in a trait's declaration", ret.span, [],
                "return a `Vec<T>` from the trait's method", code="SX0801")])
        if returns_iterator:
            if len(ret.args) != 1:
                raise CompileError([Diagnostic(
                    "error", "sxc supports `impl Iterator` as a return type only with its "
                             "item type, `impl Iterator<Item = T>`", ret.span, [],
                    "write the item type", code="SX0801")])
            # `-> impl Iterator<Item = T>` returns the items collected into a `Vec<T>`,
            # and each call takes `into_iter()` of it (`_iterate_returned_items`)
            item = ret.args[0]
            if isinstance(item, ast.RefType) and not item.mutable:
                item = item.inner  # the items of sxc's chains are values
            ret = ast.NamedType(ret.span, ["Vec"], [item])
            body = _collect_returned_items(body)
        fn = ast.FnDef(self.sp(meta), str(name), plain, ret, body, self_kind,
                       names, vis is not None, _tok_span(self.path, name))
        if returns_iterator:
            fn.returns_iterator = True
        fn.bounds = bounds
        fn.self_mutable = self_mutable
        if self_box:
            fn.self_box = True
        return fn

    def generics(self, meta, children):
        return list(children)

    def type_param(self, meta, children):
        name, bounds = children
        return (str(name), bounds or [])

    def const_param(self, meta, children):
        raise CompileError([Diagnostic(
            "error", "sxc does not support const generics", self.sp(meta), [],
            "give the size as a `const` item, or use a `Vec`", code="SX0801")])

    def bounds(self, meta, children):
        return [c for c in children if c is not None]

    def relaxed_bound(self, meta, children):
        # `T: ?Sized`: every type that sxc passes by reference is sized enough
        return None

    def lifetime_bound(self, meta, children):
        # `T: 'static`: sxc needs no lifetimes
        return None

    def fn_bound(self, meta, children):
        name, *params, ret = children
        return ast.FnBound(self.sp(meta), str(name), [p for p in params if p is not None],
                           ret)

    def trait_bound(self, meta, children):
        names = [str(c) for c in children if isinstance(c, Token)]
        bound = ast.NamedType(self.sp(meta), names, [])
        # `Into<Celsius>`: the checker reads the argument of a few standard traits
        bound.bound_args = children[-1] if isinstance(children[-1], list) else []
        return bound

    def bound_args(self, meta, children):
        return list(children)

    def assoc_arg(self, meta, children):
        return children[1]

    def where_clause(self, meta, children):
        return list(children)

    def where_pred(self, meta, children):
        return (str(children[0]), children[1])

    def assoc_where_pred(self, meta, children):
        # `where T::Err: Debug` bounds an associated type, which sxc does not check
        return None

    def params(self, meta, children):
        return children

    def param(self, meta, children):
        if len(children) == 1:
            return children[0]
        mut, name, ty = children
        return ast.Param(self.sp(meta), str(name), ty, mut is not None)

    def ignored_param(self, meta, children):
        return ast.Param(self.sp(meta), "_", children[0])

    def tuple_param(self, meta, children):
        # `fn f((i, j): (usize, usize))`: the function takes the tuple under a
        # hidden name and its body starts with `let (i, j) = hidden;`
        *patterns, ty = children
        span = self.sp(meta)
        param = ast.Param(span, f"__tuple_param_{span.line}_{span.col}", ty)
        param.pattern = ast.TuplePattern(span, patterns)
        return param

    def self_param(self, meta, children):
        toks = [str(c) for c in children if c is not None]
        if "&" in toks:
            return ("self", "mut" if "mut" in toks else "ref")
        return ("self", "value", "mut" in toks)

    def typed_self_param(self, meta, children):
        ty = children[-1]
        mut = True if any(isinstance(c, Token) and str(c) == "mut" for c in children) else None
        if isinstance(ty, ast.RefType) and _is_self_type(ty.inner):
            return ("self", "mut" if ty.mutable else "ref")
        if _is_self_type(ty):
            return ("self", "value", mut is not None)
        if isinstance(ty, ast.NamedType) and ty.path[-1] == "Box" and len(ty.args) == 1 \
                and _is_self_type(ty.args[0]):
            # `self: Box<Self>` receives the box; as with `&self`, the method
            # gets the address of the value, which the box is
            return ("self", "ref", mut is not None, True)
        raise CompileError([Diagnostic(
            "error", "sxc does not support this type of `self`", ty.span, [],
            "write `self`, `&self`, `&mut self` or `self: Box<Self>`", code="SX0801")])

    def struct_def(self, meta, children):
        vis, name, generics, where, *fields = children
        fields = [f for f in fields if f is not None]
        names, _bounds = _split_generics(generics, where)
        sdef = ast.StructDef(self.sp(meta), str(name), [(f, ty) for f, ty, _ in fields],
                             names, [], vis is not None)
        sdef.public_fields = {f for f, _, public in fields if public}
        return sdef

    def tuple_struct_def(self, meta, children):
        # the fields of `struct P(f64, f64);` are named `0` and `1`, as `p.0` reads them
        vis, name, generics, *fields, where = children
        fields = [f for f in fields if f is not None]
        names, _bounds = _split_generics(generics, where)
        sdef = ast.StructDef(self.sp(meta), str(name), [(str(i), ty) for i, (ty, _) in
                                                        enumerate(fields)], names, [],
                             vis is not None)
        sdef.public_fields = {str(i) for i, (_, public) in enumerate(fields) if public}
        return sdef

    def tuple_struct_field(self, meta, children):
        *_attributes, public, ty = children
        return ty, public is not None

    def tuple_struct_pattern(self, meta, children):
        names = [c for c in children if isinstance(c, Token)]
        items = [c for c in children if isinstance(c, ast.Pattern)]
        return ast.TupleStructPattern(self.sp(meta), items, "::".join(str(n) for n in names))

    def unit_struct_def(self, meta, children):
        vis, name, generics = children
        names, _bounds = _split_generics(generics, None)
        return ast.StructDef(self.sp(meta), str(name), [], names, [], vis is not None)

    def enum_def(self, meta, children):
        vis, name, generics, *variants = children
        variants = [v for v in variants if v is not None]
        names, _bounds = _split_generics(generics, None)
        # each variant is (name, value, span, payload or None, marked `#[default]`)
        payloads = {v[0]: v[3] for v in variants if v[3] is not None}
        edef = ast.EnumDef(self.sp(meta), str(name), [v[:3] for v in variants], names, [],
                           vis is not None, _tok_span(self.path, name), payloads)
        edef.default_variant = next((v[0] for v in variants if v[4]), None)
        return edef

    def enum_variant(self, meta, children):
        name, value = children[-2], children[-1]
        return (str(name), value, _tok_span(self.path, name), None, _is_default(children))

    def tuple_variant(self, meta, children):
        name = next(c for c in children if isinstance(c, Token))
        types = [c for c in children[children.index(name) + 1:] if isinstance(c, ast.TypeExpr)]
        return (str(name), None, _tok_span(self.path, name), ("tuple", types),
                _is_default(children))

    def struct_variant(self, meta, children):
        name = next(c for c in children if isinstance(c, Token))
        fields = [(f[0], f[1]) for f in children[children.index(name) + 1:]
                  if isinstance(f, tuple) and f[0] != "attr"]
        return (str(name), None, _tok_span(self.path, name), ("struct", fields),
                _is_default(children))

    def field_def(self, meta, children):
        public = "pub" in children
        children = [c for c in children if not (isinstance(c, tuple) or c == "pub")]
        name, ty = children[-2], children[-1]
        return (str(name), ty, public)

    def impl_def(self, meta, children):
        generics, first, second, where, *rest = children
        pending = []
        for member in rest:
            if isinstance(member, tuple):
                pending.append(member)
            elif member is not None:
                self.allow_in(member.span, pending)
                pending = []
        methods = [m for m in rest if isinstance(m, ast.FnDef)]
        consts = [c for c in rest if isinstance(c, ast.ConstDef)]
        associated = {t.name: t.target for t in rest if isinstance(t, ast.TypeAlias)}
        if associated:
            # `type Output = f64;` makes `Self::Output` in the signatures mean `f64`
            for method in methods:
                for param in method.params:
                    param.type = ast.replace_associated(param.type, associated)
                method.ret = ast.replace_associated(method.ret, associated)
        if second is None:
            self_type, trait = first, None
        else:
            self_type, trait = second, first.path[-1]
        names, bounds = _split_generics(generics, where)
        impl = ast.ImplDef(self.sp(meta), self_type.path[-1], trait, methods, names,
                           list(self_type.args), bounds, consts)
        impl.trait_span = first.span if second is not None else None
        impl.trait_args = list(first.args) if second is not None else []  # `Mul<f64>`: [f64]
        impl.associated_types = associated
        return impl

    def trait_def(self, meta, children):
        vis, name, generics, supertraits, where, *rest = children
        pending = []
        for member in rest:
            if isinstance(member, tuple):
                pending.append(member)
            elif member is not None:
                self.allow_in(member.span, pending)
                pending = []
        names, _bounds = _split_generics(generics, where)
        if names:
            raise CompileError([Diagnostic(
                "error", "sxc does not support generic traits", self.sp(meta), [],
                "write one trait per type parameter, or a trait without parameters",
                code="SX0801")])
        methods = [m for m in rest if isinstance(m, ast.FnDef)]
        consts = [c for c in rest if isinstance(c, ast.ConstDef)]
        trait = ast.TraitDef(self.sp(meta), str(name), methods, consts, names,
                             vis is not None, _tok_span(self.path, name), supertraits or [])
        trait.associated_types = [(t.name, t.span) for t in rest if isinstance(t, _TraitType)]
        return trait

    def trait_fn(self, meta, children):
        # a required method: `fn_def` with no body
        return self.fn_def(meta, [children[0], None, *children[1:], None])

    def trait_const(self, meta, children):
        name, ty = children
        return ast.ConstDef(self.sp(meta), str(name), ty, None, True, _tok_span(self.path, name))

    def trait_type(self, meta, children):
        return _TraitType(self.sp(meta), str(children[0]))

    def use_decl(self, meta, children):
        vis, imports = children
        return ast.UseDecl(self.sp(meta), imports, vis is not None)

    # Each `use_*` rule returns the list of its imports.

    def use_tree(self, meta, children):
        *names, alias = children
        return [ast.UseImport(self.sp(meta), [str(n) for n in names],
                              str(alias) if alias is not None else None)]

    def use_glob(self, meta, children):
        names = [str(c) for c in children if str(c) != "*"]
        return [ast.UseImport(self.sp(meta), names + ["*"], None)]

    def use_nested(self, meta, children):
        *names, group = children
        prefix = [str(n) for n in names]
        return [ast.UseImport(i.span, prefix + i.path, i.alias) for i in group]

    def use_group(self, meta, children):
        return [i for group in children if group is not None for i in group]

    def const_def(self, meta, children):
        vis, name, ty, value = children
        return ast.ConstDef(self.sp(meta), str(name), ty, value, vis is not None,
                            _tok_span(self.path, name))

    def type_alias(self, meta, children):
        vis, name, generics, target = children
        names, _bounds = _split_generics(generics, None)
        return ast.TypeAlias(self.sp(meta), str(name), names, target, vis is not None,
                             _tok_span(self.path, name))

    def mod_decl(self, meta, children):
        vis, name = children
        _require_ascii(name, self.path, "a module loaded from a file",
                       "file systems store non-ASCII file names in different Unicode "
                       "normal forms, so the file may not be found. Declare the module "
                       f"inline with `mod {name} {{ ... }}` or give it an ASCII name")
        return ast.ModDecl(self.sp(meta), str(name), vis is not None,
                           _tok_span(self.path, name))

    def inline_mod(self, meta, children):
        vis, name, *items = children
        return ast.ModDecl(self.sp(meta), str(name), vis is not None,
                           _tok_span(self.path, name), [i for i in items if i is not None])

    def mod_item(self, meta, children):
        item = self.nested_item(meta, children)
        return item.item if item is not None else None

    def extern_block(self, meta, children):
        abi, *fns = children
        abi_name = unescape(str(abi)[1:-1]) if abi is not None else None
        return ast.ExternBlock(self.sp(meta), abi_name, fns)

    def extern_fn(self, meta, children):
        _vis, name, params, ret = children
        _require_ascii(name, self.path, "a function of an `extern` block",
                       "the name must match a symbol of a C library; rename the "
                       "function or declare it with an ASCII name")
        plain = [p for p in params or [] if isinstance(p, ast.Param)]
        return ast.ExternFn(self.sp(meta), str(name), plain, ret,
                            _tok_span(self.path, name))

    # ------------------------------------------------------------ types

    def path_type(self, meta, children):
        args = children[-1] if isinstance(children[-1], list) else []
        names = [str(c) for c in children if isinstance(c, Token)]
        return ast.NamedType(self.sp(meta), names, args)

    def type_args(self, meta, children):
        return [c for c in children if not isinstance(c, Token)]

    def impl_trait_type(self, meta, children):
        # `impl Shape` as a parameter type: `fn_def` turns it into a generic parameter;
        # a `+ '_` or `+ Send` after it changes nothing in sxc
        children = [c for c in children if not isinstance(c, _DynExtra)]
        args = children[-1] if isinstance(children[-1], list) else []
        names = [str(c) for c in children if isinstance(c, Token)]
        bound = ast.NamedType(self.sp(meta), names, args)
        bound.impl_trait = True
        return bound

    def dyn_trait_type(self, meta, children):
        # `dyn Shape`: `sxc.trait_objects` gives each such trait an enum of its types
        extras = [c for c in children if isinstance(c, _DynExtra)]
        for extra in extras:
            if extra.name not in DYN_MARKERS and not extra.name.startswith("'"):
                raise CompileError([Diagnostic(
                    "error", f"sxc does not support a trait object with a second trait "
                             f"`{extra.name}`", extra.span, [],
                    "name one trait, and make it require the other: "
                    f"`trait Both: {extra.name}`", code="SX0801")])
        # `dyn Fn(..)` never gets here: `UNSUPPORTED` reports it before parsing
        args = [c for c in children if isinstance(c, list)]
        names = [str(c) for c in children if isinstance(c, Token)]
        named = ast.NamedType(self.sp(meta), names, args[0] if args else [])
        named.dyn_trait = True
        return named

    def dyn_extra(self, meta, children):
        return _DynExtra(_tok_span(self.path, children[0]), str(children[0]))

    def impl_fn_type(self, meta, children):
        name, *params, ret = children
        if str(name) not in CLOSURE_TRAITS:
            raise CompileError([Diagnostic(
                "error", f"sxc does not support `impl {name}` types", self.sp(meta), [],
                "sxc supports `impl Fn(..)`, `impl FnMut(..)` and `impl FnOnce(..)`",
                code="SX0801")])
        return ast.FnBound(self.sp(meta), str(name), [p for p in params if p is not None],
                           ret)

    def cast_type(self, meta, children):
        return ast.NamedType(self.sp(meta), [str(children[0])], [])

    def box_dyn_cast_type(self, meta, children):
        trait = ast.NamedType(self.sp(meta), [str(c) for c in children[1:]], [])
        trait.dyn_trait = True
        return ast.NamedType(self.sp(meta), ["Box"], [trait])

    def ref_type(self, meta, children):
        mut, inner = children
        return ast.RefType(self.sp(meta), inner, mut is not None)

    def ref_ref_type(self, meta, children):
        mut, inner = children
        return ast.RefType(self.sp(meta), ast.RefType(self.sp(meta), inner, False),
                           mut is not None)

    def array_type(self, meta, children):
        return ast.ArrayType(self.sp(meta), children[0], children[1])

    def slice_type(self, meta, children):
        return ast.SliceType(self.sp(meta), children[0])

    def unit_type(self, meta, children):
        return ast.TupleType(self.sp(meta), [])

    def tuple_type(self, meta, children):
        return ast.TupleType(self.sp(meta), [c for c in children if c is not None])

    def fn_type(self, meta, children):
        children = [c for c in children if not isinstance(c, Token)]
        *params, ret = children
        return ast.FnType(self.sp(meta), [p for p in params if p is not None], ret)

    # ------------------------------------------------------------ statements

    def block(self, meta, children):
        stmts = list(children)
        tail = None
        if stmts and isinstance(stmts[-1], ast.ExprStmt) and not stmts[-1].semi:
            tail = stmts.pop().expr
        for s in stmts:
            if isinstance(s, ast.ExprStmt) and not s.semi and not _is_block_like(s.expr):
                raise CompileError([Diagnostic(
                    "error", "expected `;` after expression", s.span, code="SX0105")])
        return ast.Block(self.sp(meta), stmts, tail)

    def let_stmt(self, meta, children):
        kw, pattern, ty, init = children
        return ast.Let(self.sp(meta), pattern, ty, init, str(kw))

    def let_else_stmt(self, meta, children):
        # `let P = e else { b };` is `let (x, y) = match e { P => (x, y), _ => b };`
        # over the names that P binds
        _let, pattern, value, otherwise = children
        span = self.sp(meta)
        pattern = _refutable(pattern)
        names = _pattern_bindings(pattern)
        paths = [ast.Path(span, [name]) for name, _mutable in names]
        bindings = [ast.NamePattern(span, name, mutable) for name, mutable in names]
        if len(names) == 1:
            result, target = paths[0], bindings[0]
        elif names:
            result, target = ast.TupleLit(span, paths), ast.TuplePattern(span, bindings)
        else:
            result, target = ast.UnitLit(span), ast.WildPattern(span)
        match = ast.Match(span, value, [ast.MatchArm(pattern.span, pattern, None, result),
                                        ast.MatchArm(otherwise.span, ast.WildPattern(span),
                                                     None, otherwise)])
        match.let_form = "let else"
        return ast.Let(span, target, None, match, "let")

    def name_pattern(self, meta, children):
        return ast.NamePattern(self.sp(meta), str(children[0]))

    def mut_name_pattern(self, meta, children):
        return ast.NamePattern(self.sp(meta), str(children[1]), True)

    def wild_pattern(self, meta, children):
        return ast.WildPattern(self.sp(meta))

    def tuple_pattern(self, meta, children):
        return ast.TuplePattern(self.sp(meta), list(children))

    def ref_pattern(self, meta, children):
        # `&x` binds a copy of the referenced value, and sxc reads a reference
        # to a number or struct as the value itself, so the `&` drops out.  A
        # `let .. else` pattern puts it back (`_refutable`).
        children[0].written_ref = True
        return children[0]

    def expr_stmt(self, meta, children):
        return ast.ExprStmt(self.sp(meta), children[0], True)

    def tail_expr(self, meta, children):
        return ast.ExprStmt(self.sp(meta), children[0], False)

    def block_stmt(self, meta, children):
        return ast.ExprStmt(self.sp(meta), children[0], False)

    def empty_stmt(self, meta, children):
        return None

    def nested_item(self, meta, children):
        item = children[-1]
        derives: list[str] = []
        for attr in children[:-1]:
            if isinstance(attr, tuple) and attr[1] == "derive":
                derives += [str(a) for a in attr[2]]
                item.derive_span = attr[-1]
            if isinstance(attr, tuple) and attr[1] == "cfg" and "test" in attr[2]:
                return None  # test-only items, such as `#[cfg(test)] mod tests { .. }`
        if isinstance(item, (ast.StructDef, ast.EnumDef)):
            item.derives = derives
        self.allow_in(item.span, children[:-1])
        return ast.ItemStmt(item.span, item)

    def attributed_stmt(self, meta, children):
        """Build a statement with outer attributes, which sxc ignores but for `cfg`.

        `#[cfg(test)]` drops the statement, as it does an item, because sxc
        compiles no tests.
        `#[allow(..)]` silences the matching warnings inside the statement
        (see sxc.lint_levels)."""
        *attributes, stmt = children
        for attribute in attributes:
            if attribute[1] == "cfg" and "test" in attribute[2]:
                return None
        self.allow_in(stmt.span, attributes)
        return stmt

    def attributed_expr_stmt(self, meta, children):
        *attributes, expr = children
        return self.attributed_stmt(meta, [*attributes, self.expr_stmt(meta, [expr])])

    def attributed_block_stmt(self, meta, children):
        *attributes, expr = children
        return self.attributed_stmt(meta, [*attributes, self.block_stmt(meta, [expr])])

    def assign_stmt(self, meta, children):
        target, op, value = children
        if str(op) == "=" and isinstance(target, ast.TupleLit):
            return ast.ExprStmt(self.sp(meta), self.destructure(self.sp(meta), target, value))
        return ast.Assign(self.sp(meta), str(op), target, value)

    def destructure(self, span, target: ast.TupleLit, value: ast.Expr) -> ast.Block:
        """Rewrite `(a, b) = (b, a);` into `{ let (x0, x1) = (b, a); a = x0; b = x1; }`,
        so the whole right side is read before any place changes, as in Rust."""
        assigns: list[ast.Stmt] = []

        def pattern(t: ast.Expr) -> ast.Pattern:
            if isinstance(t, ast.TupleLit):
                return ast.TuplePattern(t.span, [pattern(item) for item in t.items])
            if isinstance(t, ast.Path) and t.segments == ["_"]:
                return ast.WildPattern(t.span)
            name = f"__assigned{len(assigns)}_{span.line}_{span.col}"
            assigns.append(ast.Assign(t.span, "=", t, ast.Path(t.span, [name])))
            return ast.NamePattern(t.span, name)

        bound = pattern(target)
        return ast.Block(span, [ast.Let(span, bound, None, value)] + assigns, None)

    def tail_assign(self, meta, children):
        return self.assign_stmt(meta, children)

    # ------------------------------------------------------------ block-like

    def block_expr(self, meta, children):
        return children[0]

    def if_expr(self, meta, children):
        cond, then, else_ = children
        span = self.sp(meta)
        if isinstance(cond, _LetCond):
            # `if let P = e { a } else { b }` is `match e { P => a, _ => b }`
            otherwise = else_ if else_ is not None else ast.Block(span, [], None)
            fallback = ast.MatchArm(span, ast.WildPattern(span), None, otherwise)
            match = ast.Match(span, cond.value, [ast.MatchArm(cond.span, cond.pattern, None, then),
                                                 fallback])
            match.let_form = "if let"
            return match
        return ast.If(span, cond, then, else_)

    def match_expr(self, meta, children):
        scrutinee, *arms = children
        return ast.Match(self.sp(meta), scrutinee, [a for a in arms if a is not None])

    def match_arm(self, meta, children):
        (pattern, guard), body = children
        return ast.MatchArm(self.sp(meta), pattern, guard, body)

    match_last_arm = match_arm

    def match_head(self, meta, children):
        pattern, guard, _arrow = children
        return pattern, guard

    def arm_assign(self, meta, children):
        target, op, value = children
        span = self.sp(meta)
        return ast.Block(span, [ast.Assign(span, str(op), target, value)], None)

    def match_pats(self, meta, children):
        items = [c for c in children if isinstance(c, ast.Pattern)]
        if len(items) == 1:
            return items[0]
        return ast.OrPattern(self.sp(meta), items)

    def value_pattern(self, meta, children):
        value = children[0]
        if isinstance(value, ast.Path) and len(value.segments) == 1:
            # a plain name binds, unless it names a constant or a unit variant
            # in scope; the type checker decides
            return ast.NamePattern(value.span, value.segments[0])
        return ast.ValuePattern(self.sp(meta), value)

    def range_pattern(self, meta, children):
        start, op, end = children
        return ast.RangePattern(self.sp(meta), start, end, str(op) == "..=")

    def range_to_pattern(self, meta, children):
        op, end = children
        return ast.RangePattern(self.sp(meta), None, end, str(op) == "..=")

    def at_pattern(self, meta, children):
        mut, name, pattern = children
        return ast.AtPattern(self.sp(meta), str(name), pattern, mut is not None)

    def paren_pattern(self, meta, children):
        return children[0]

    def rest_binding_pattern(self, meta, children):
        name, rest = children
        return ast.AtPattern(self.sp(meta), str(name), self.rest_pattern(meta, [rest]))

    def slice_pattern(self, meta, children):
        return ast.SlicePattern(self.sp(meta), [c for c in children if c is not None])

    def unit_pattern(self, meta, children):
        return ast.TuplePattern(self.sp(meta), [])

    def match_tuple_pattern(self, meta, children):
        return ast.TuplePattern(self.sp(meta), [c for c in children if c is not None])

    def data_pattern(self, meta, children):
        path, *items = children
        items = [i for i in items if i is not None]
        rest = any(isinstance(i, ast.RestPattern) for i in items)
        return ast.VariantPattern(self.sp(meta), path.segments, items, None, rest)

    def struct_pattern(self, meta, children):
        path, *fields = children
        fields = [f for f in fields if f is not None]
        rest = any(f == ".." for f in fields)
        fields = [f for f in fields if f != ".."]
        return ast.VariantPattern(self.sp(meta), path.segments, [], fields, rest)

    def pat_struct_name(self, meta, children):
        return ast.Path(self.sp(meta), str(children[0]).split("::"))

    def deref_pattern(self, meta, children):
        return ast.DerefPattern(self.sp(meta), children[0])

    def rest_pattern(self, meta, children):
        if str(children[0]) != "..":
            raise CompileError([Diagnostic(
                "error", f"expected a pattern, found `{children[0]}`", self.sp(meta), [],
                "write `..` for the remaining items", code="SX0101")])
        return ast.RestPattern(self.sp(meta))

    def ref_name_pattern(self, meta, children):
        _ref, mut, name = children
        pattern = ast.NamePattern(self.sp(meta), str(name), False, True)
        pattern.ref_mut = mut is not None
        return pattern

    def field_pattern(self, meta, children):
        return (str(children[0]), children[1])

    def field_shorthand_pattern(self, meta, children):
        ref, mut, name = children
        pattern = ast.NamePattern(_tok_span(self.path, name), str(name),
                                  mut is not None and ref is None, ref is not None)
        pattern.ref_mut = ref is not None and mut is not None
        return (str(name), pattern)

    def let_field_shorthand(self, meta, children):
        mut, name = children
        return (str(name), ast.NamePattern(_tok_span(self.path, name), str(name),
                                           mut is not None))

    def let_struct_pattern(self, meta, children):
        names = [c for c in children if isinstance(c, Token)]
        fields = [c for c in children if c is not None and not isinstance(c, Token)]
        rest = any(f == ".." for f in fields)
        fields = [f for f in fields if f != ".."]
        return ast.VariantPattern(self.sp(meta), [str(n) for n in names], [], fields, rest)

    def field_rest_pattern(self, meta, children):
        return ".."

    def let_cond(self, meta, children):
        _let, pattern, value = children
        return _LetCond(self.sp(meta), pattern, value)

    def pat_path(self, meta, children):
        return ast.Path(self.sp(meta), [str(c) for c in children])

    def neg_int_lit(self, meta, children):
        lit = self.int_lit(meta, children)
        return ast.Unary(self.sp(meta), "-", lit)

    def neg_float_lit(self, meta, children):
        lit = self.float_lit(meta, children)
        return ast.Unary(self.sp(meta), "-", lit)

    def label(self, meta, children):
        return str(children[0])

    def while_expr(self, meta, children):
        label, cond, body = children
        span = self.sp(meta)
        if isinstance(cond, _LetCond):
            # `while let P = e { body }` is `loop { match e { P => body, _ => break } }`
            stop = ast.Block(span, [], ast.Break(span, None, None))
            match = ast.Match(span, cond.value, [ast.MatchArm(cond.span, cond.pattern, None, body),
                                                 ast.MatchArm(span, ast.WildPattern(span), None,
                                                              stop)])
            match.let_form = "while let"
            return ast.Loop(span, ast.Block(span, [], match), label)
        return ast.While(span, cond, body, label)

    def labelled_block(self, meta, children):
        # `'a: { body }` is `'a: loop { break 'a { body } }`: Rust rejects a `break` or
        # `continue` without a label there, so every one in `body` leaves an inner loop
        label, body = children
        span = self.sp(meta)
        loop = ast.Loop(span, ast.Block(span, [], ast.Break(span, label, body)), label)
        loop.labelled_block = True
        return loop

    def loop_expr(self, meta, children):
        label, body = children
        return ast.Loop(self.sp(meta), body, label)

    def for_expr(self, meta, children):
        label, pattern, it, body = children
        return ast.For(self.sp(meta), pattern, it, body, label)

    # ------------------------------------------------------------ expressions

    def binary(self, meta, children):
        if len(children) == 1:
            return children[0]
        operands = children[0::2]
        ops = [op.children[0] for op in children[1::2]]
        for a, b in zip(ops, ops[1:]):
            if str(a) in COMPARISONS and str(b) in COMPARISONS:
                raise CompileError([Diagnostic(
                    "error", "comparison operators cannot be chained",
                    _tok_span(self.path, a).to(_tok_span(self.path, b)),
                    [], "use `&&`, as in `a < b && b < c`", code="SX0106")])
        return group_binary(operands, ops, self.path)

    binary_nb = binary

    def range(self, meta, children):
        start, op, end = children
        return ast.Range(self.sp(meta), start, end, str(op) == "..=")

    range_nb = range

    def cast(self, meta, children):
        node = children[0]
        for target in children[1:]:
            node = ast.Cast(node.span.to(target.span), node, target)
        return node

    cast_nb = cast
    cast_head = cast
    cast_head_end = cast

    def neg(self, meta, children):
        return ast.Unary(self.sp(meta), "-", children[0])

    def not_(self, meta, children):
        return ast.Unary(self.sp(meta), "!", children[0])

    def deref(self, meta, children):
        return ast.Unary(self.sp(meta), "*", children[0])

    def ref(self, meta, children):
        mut, operand = children
        return ast.Ref(self.sp(meta), operand, mut is not None)

    def ref_ref(self, meta, children):
        mut, operand = children
        return ast.Ref(self.sp(meta), ast.Ref(self.sp(meta), operand, False),
                       mut is not None)

    def method_call(self, meta, children):
        base, name, turbofish, args = children
        if str(name) == "write_str" and len(args or []) == 1 and not turbofish:
            # `f.write_str(s)` of `fmt::Write` is `write!(f, "{}", s)`, for a
            # `Formatter` and a `String` alike.
            # NOTE: a program's own method named `write_str` is read this way too.
            span = self.sp(meta)
            return ast.MacroCall(span, "write", [base, ast.StrLit(span, "{}"), args[0]])
        if str(name) == "finish" and not args and not turbofish:
            built = _debug_builder(base, self.sp(meta))
            if built is not None:
                return built
        if str(name) in ONE_ITEM_ADAPTERS and len(args or []) == 1:
            args = [_path_as_closure(args[0])]
        if str(name) in NO_ITEM_ADAPTERS and len(args or []) == 1 and \
                isinstance(args[0], ast.Path) and len(args[0].segments) == 2 and \
                args[0].segments[1] in ("new", "default"):
            # `.unwrap_or_else(Vec::new)` is `.unwrap_or_else(|| Vec::new())`
            args = [ast.Closure(args[0].span, [], None, ast.Call(args[0].span, args[0], []))]
        return ast.MethodCall(self.sp(meta), base, str(name), args or [],
                              turbofish or [], _tok_span(self.path, name))

    def turbofish(self, meta, children):
        return list(children)

    def field(self, meta, children):
        return ast.Field(self.sp(meta), children[0], str(children[1]))

    def tuple_field(self, meta, children):
        return ast.TupleField(self.sp(meta), children[0], int(children[1]))

    def await_(self, meta, children):
        return children[0]

    def try_(self, meta, children):
        inner = children[0]
        if isinstance(inner, ast.MacroCall) and inner.name in ("write", "writeln"):
            # `write!` into a formatter cannot fail, so `?` passes its `()` on
            return inner
        return ast.Try(self.sp(meta), inner)

    def call(self, meta, children):
        return ast.Call(self.sp(meta), children[0], children[1] or [])

    def index(self, meta, children):
        return ast.Index(self.sp(meta), children[0], children[1])

    def args(self, meta, children):
        return list(children)

    def paren(self, meta, children):
        return children[0]

    def unit_lit(self, meta, children):
        return ast.UnitLit(self.sp(meta))

    def tuple_lit(self, meta, children):
        return ast.TupleLit(self.sp(meta), [c for c in children if c is not None])

    def array_lit(self, meta, children):
        return ast.ArrayLit(self.sp(meta), [c for c in children if c is not None])

    def array_repeat(self, meta, children):
        return ast.ArrayRepeat(self.sp(meta), children[0], children[1])

    def self_expr(self, meta, children):
        return ast.Path(self.sp(meta), ["self"])

    def path_expr(self, meta, children):
        segments: list[str] = []
        type_args: list[ast.TypeExpr] = []
        args_at = None
        for c in children:
            if isinstance(c, Token):
                segments.append(str(c))
            elif isinstance(c, list):
                type_args += c
                args_at = len(segments) - 1
            else:
                segments.append(c)
        return ast.Path(self.sp(meta), segments, type_args, args_at)

    def qualified_path(self, meta, children):
        # `<T as Trait>::f` and `<T>::f` name `T::f`: a trait's methods are
        # methods of each type that implements it
        ty, _trait, *rest = children
        if not isinstance(ty, ast.NamedType):
            raise CompileError([Diagnostic(
                "error", "sxc supports a qualified path `<T as Trait>::f` only for a named "
                         "type `T`", self.sp(meta), [], "call the method on a value instead",
                code="SX0801")])
        path = self.path_expr(meta, [*(Token("NAME", n) for n in ty.path), *rest])
        if ty.args:
            path.type_args = list(ty.args) + path.type_args
            path.type_args_at = len(ty.path) - 1
        return path

    def path_segment(self, meta, children):
        if len(children) == 1 and isinstance(children[0], Token):
            return str(children[0])
        return list(children)

    def struct_lit(self, meta, children):
        name, type_args, *fields, _dots, base = children
        fields = [f for f in fields if f is not None]
        return ast.StructLit(self.sp(meta), str(name), fields,
                             _tok_span(self.path, name), base, type_args or [])

    def short_struct_lit(self, meta, children):
        name, field = children
        fields = [self.field_shorthand(meta, [field])]
        return ast.StructLit(self.sp(meta), str(name), fields, _tok_span(self.path, name), None)

    def field_init(self, meta, children):
        return (str(children[0]), children[1])

    def field_shorthand(self, meta, children):
        tok = children[0]
        return (str(tok), ast.Path(_tok_span(self.path, tok), [str(tok)]))

    def macro_call(self, meta, children):
        name, args = children
        name = str(name)
        args = args or []
        names = [a.name if isinstance(a, _NamedArg) else None for a in args]
        args = [a.value if isinstance(a, _NamedArg) else a for a in args]
        if any(names) and name not in FORMAT_MACROS:
            first = next(a for a, n in zip(args, names) if n)
            raise CompileError([Diagnostic(
                "error", f"`{name}!` takes no named arguments", first.span, code="SX0108")])
        if name == "vec":
            return ast.VecLit(self.sp(meta), args)
        return ast.MacroCall(self.sp(meta), name, args, names if any(names) else [])

    def matches_macro(self, meta, children):
        # `matches!(value, pattern if guard)` is `match value { pattern if guard
        # => true, _ => false }`
        _name, scrutinee, pattern, guard = children
        span = self.sp(meta)
        arms = [ast.MatchArm(span, pattern, guard, ast.BoolLit(span, True)),
                ast.MatchArm(span, ast.WildPattern(span), None, ast.BoolLit(span, False))]
        return ast.Match(span, scrutinee, arms, warn_unreachable=False)

    def macro_args(self, meta, children):
        return list(children)

    def named_arg(self, meta, children):
        name, op, value = children
        if str(op) != "=":
            raise CompileError([Diagnostic(
                "error", f"expected `=` after the argument name `{name}`, found `{op}`",
                _tok_span(self.path, op), code="SX0108")])
        return _NamedArg(str(name), value)

    def macro_bracket(self, meta, children):
        name, args = children
        return self._vec_macro(meta, str(name), args or [])

    def macro_repeat(self, meta, children):
        name, value, count = children
        node = self._vec_macro(meta, str(name), [value])
        node.count = count
        return node

    def _vec_macro(self, meta, name, args):
        if name != "vec":
            raise CompileError([Diagnostic(
                "error", f"unknown macro `{name}!`", self.sp(meta), [],
                "sxc knows `println!`, `print!`, `eprintln!`, `eprint!`, `format!`, "
                "`panic!`, `unreachable!`, `todo!`, `unimplemented!`, `assert!`, "
                "`assert_eq!`, `assert_ne!`, their `debug_` forms, `matches!` and `vec!`", code="SX0107")])
        return ast.VecLit(self.sp(meta), args)

    def return_(self, meta, children):
        return ast.Return(self.sp(meta), children[0])

    def break_(self, meta, children):
        label, value = children
        return ast.Break(self.sp(meta), str(label) if label else None, value)

    def continue_(self, meta, children):
        label = children[0]
        return ast.Continue(self.sp(meta), str(label) if label else None)

    def closure(self, meta, children):
        move, *params, ret, body = children
        names, lets = [], []
        for param in params:
            if param is None:
                continue
            if isinstance(param[0], (ast.Pattern, _DerefPattern)):
                # `|(i, x)|` and `|&x|` take the argument under a hidden name and
                # destructure it with a `let` before the body
                pattern, ty = param
                deref = isinstance(pattern, _DerefPattern)
                if deref:
                    pattern = pattern.pattern
                name = f"__arg_{pattern.span.line}_{pattern.span.col}"
                arg: ast.Expr = ast.Path(pattern.span, [name])
                if deref:
                    arg = ast.Unary(pattern.span, "*", arg)
                unpack = ast.Let(pattern.span, pattern, None, arg)
                # the checker may bind copies when the body changes none of the names
                bound = {n.name for n in ast.walk(pattern) if isinstance(n, ast.NamePattern)}
                unpack.read_only = not _assigns_any(body, bound)
                lets.append(unpack)
                param = (name, ty)
            names.append(param)
        if lets:
            body = ast.Block(body.span, lets, body)
        span = self.sp(meta)
        return ast.Closure(span, names, ret, _closure_exits(body, span), move is not None)

    def closure0(self, meta, children):
        move, ret, body = children
        span = self.sp(meta)
        return ast.Closure(span, [], ret, _closure_exits(body, span), move is not None)

    def arrow_closure(self, meta, children):
        head, body = children
        params = []
        inner = str(head)[1:str(head).rindex(")")]
        for part in inner.split(","):
            if not part.strip():
                continue
            name, _, type_name = (s.strip() for s in part.partition(":"))
            ty = ast.NamedType(_tok_span(self.path, head), [type_name]) if type_name else None
            params.append((name, ty))
        span = self.sp(meta)
        return ast.Closure(span, params, None, _closure_exits(body, span), False)

    def closure_assign(self, meta, children):
        target, op, value = children
        span = self.sp(meta)
        return ast.Block(span, [ast.Assign(span, str(op), target, value)], None)

    def closure_param(self, meta, children):
        _mut, name, ty = children
        return (str(name), ty)

    def closure_pattern_param(self, meta, children):
        pattern, ty = children
        return (pattern, ty)

    def closure_ref_pattern(self, meta, children):
        return _DerefPattern(children[0])

    # ------------------------------------------------------------ literals

    def int_lit(self, meta, children):
        value, suffix = parse_int(str(children[0]))
        return ast.IntLit(self.sp(meta), value, suffix)

    def float_lit(self, meta, children):
        value, suffix, digits = parse_float(str(children[0]))
        return ast.FloatLit(self.sp(meta), value, suffix, digits)

    def str_lit(self, meta, children):
        raw = str(children[0])
        span = self.sp(meta)
        try:
            node = ast.StrLit(span, unescape(raw[1:-1]))
        except EscapeError as err:
            at = _offset_span(span, raw, 1 + err.offset)
            if not str(err).startswith("unknown character escape"):
                raise CompileError([Diagnostic("error", str(err), at, code="SX0109")]) from None
            # The type checker reports it: an error, or a warning in a program
            # written for the original toolchain, which reads `\d` as `d`.
            node = ast.StrLit(span, unescape(raw[1:-1], lenient=True))
            node.escape_error = (str(err), at)
        node.raw = raw
        return node

    def raw_str_lit(self, meta, children):
        raw = str(children[0])
        hashes = len(raw) - len(raw[1:].lstrip("#")) - 1
        # no escapes: the text between `r#"` and `"#` is the value
        return ast.StrLit(self.sp(meta), raw[2 + hashes:len(raw) - 1 - hashes])

    def byte_str_lit(self, meta, children):
        """Read `b"abc"` as `&[b'a', b'b', b'c']`, a reference to an array of `u8`."""
        raw = str(children[0])
        span = self.sp(meta)
        if raw.startswith("br"):
            text = raw[3:-1]
            bad = next((i for i, ch in enumerate(text) if ord(ch) > 0x7F), None)
            if bad is not None:
                raise CompileError([Diagnostic(
                    "error", "non-ASCII character in raw byte string literal",
                    _offset_span(span, raw, 3 + bad), code="SX0703")])
        else:
            try:
                text = "".join(ch for ch, _ in decode_positions(raw[2:-1], byte=True))
            except EscapeError as err:
                at = _offset_span(span, raw, 2 + err.offset)
                if str(err).startswith("non-ASCII"):
                    raise CompileError([Diagnostic("error", str(err), at,
                                                   code="SX0703")]) from None
                raise CompileError([Diagnostic("error", str(err), at, code="SX0109")]) from None
        if text:
            array = ast.ArrayLit(span, [ast.IntLit(span, ord(ch), "u8") for ch in text])
        else:
            array = ast.ArrayRepeat(span, ast.IntLit(span, 0, "u8"), ast.IntLit(span, 0, "usize"))
        return ast.Ref(span, array, False)

    def fstring_lit(self, meta, children):
        raise CompileError([Diagnostic(
            "error", "sxc does not support interpolated strings (`f\"...\"`)",
            self.sp(meta), help="print the parts one by one, or use `format!(\"x = {}\", x)`",
            code="SX0801")])

    def char_lit(self, meta, children):
        token = str(children[0])
        byte = token.startswith("b")
        raw = token.removeprefix("b")
        if byte and not raw.isascii():
            text = next(ch for ch in raw if not ch.isascii())
            raise CompileError([Diagnostic(
                "error", "non-ASCII character in byte literal", self.sp(meta),
                help=f"use `'{text}'` for a `char`, or a `\\x` escape for the byte",
                code="SX0703")])
        try:
            text = "".join(ch for ch, _ in decode_positions(raw[1:-1], byte=byte))
        except EscapeError as err:
            raise CompileError([Diagnostic("error", str(err), self.sp(meta),
                                           code="SX0109")]) from None
        if len(text) != 1:
            raise CompileError([Diagnostic(
                "error", "character literal may only contain one codepoint", self.sp(meta),
                help="write a string literal with double quotes", code="SX0703")])
        if byte:
            return ast.IntLit(self.sp(meta), ord(text), "u8")
        return ast.IntLit(self.sp(meta), ord(text), "char")

    def true_lit(self, meta, children):
        return ast.BoolLit(self.sp(meta), True)

    def false_lit(self, meta, children):
        return ast.BoolLit(self.sp(meta), False)


def _closure_exits(body: ast.Expr, span: Span) -> ast.Expr:
    """Make `return` and `?` in a closure body leave the closure, not the function
    that a later pass inlines the closure into.

    A body with either becomes the labelled block `'c: { body }`: each `return v`
    becomes `break 'c v`, and each `?` learns the label, so the type checker
    breaks out of the block with `None` or `Err(e)` instead of returning.  A
    nested closure has done the same with its own label already.
    """
    label = f"'__closure_{span.line}_{span.col}"
    found = False

    def exit_of(node):
        nonlocal found
        if isinstance(node, ast.Return):
            found = True
            return ast.Break(node.span, label, node.value)
        return node

    body = exit_of(body)
    for node in ast.walk(body, skip=lambda n: isinstance(n, ast.Closure)):
        if isinstance(node, ast.Try):
            node.closure_label = label
            found = True
        for name in ast.field_names(node):
            value = getattr(node, name)
            if isinstance(value, ast.Return):
                setattr(node, name, exit_of(value))
            elif isinstance(value, list) and any(isinstance(v, ast.Return) for v in value):
                setattr(node, name, [exit_of(v) for v in value])
    if not found:
        return body
    block = ast.Loop(body.span, ast.Block(body.span, [], ast.Break(body.span, label, body)),
                     label)
    block.labelled_block = True
    return block


def _is_block_like(expr: ast.Expr) -> bool:
    return isinstance(expr, (ast.If, ast.While, ast.Loop, ast.For, ast.Block, ast.Match))


def _pattern_bindings(pattern: ast.Pattern) -> list[tuple[str, bool]]:
    """Return the (name, mutable) pairs that a `let .. else` pattern binds, in order.

    NOTE: a capitalized name counts as a unit variant or constant, not a
    binding, because the parser cannot look it up; Rust's naming conventions
    make that the usual case.
    """
    found: list[tuple[str, bool]] = []
    todo = [pattern]
    while todo:
        p = todo.pop(0)
        if isinstance(p, ast.NamePattern) and not p.name[:1].isupper():
            # the `let` that receives the value is the mutable binding
            found.append((p.name, p.mutable))
            p.by_value, p.mutable = p.mutable, False
        elif isinstance(p, ast.AtPattern):
            found.append((p.name, p.mutable))
            p.mutable = False
            todo.insert(0, p.pattern)
        elif isinstance(p, ast.VariantPattern):
            items = [sub for _name, sub in p.fields] if p.fields is not None else p.items
            todo[:0] = items
        elif isinstance(p, (ast.TuplePattern, ast.OrPattern)):
            todo[:0] = p.items if isinstance(p, ast.TuplePattern) else p.items[:1]
        elif isinstance(p, ast.DerefPattern):
            todo.insert(0, p.pattern)
    return found


def _is_default(children) -> bool:
    """Return whether a variant's attributes include `#[default]`."""
    return any(isinstance(c, tuple) and c[:2] == ("attr", "default") for c in children)
