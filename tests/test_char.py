"""Errors of `char`: each has Rust's wording where Rust has one, a caret and a help.

The programs that run (printing, `chars()`, methods, `match`) are in
tests/programs/char_*.sx, with outputs from rustc.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from sxc.diagnostics import CompileError
from sxc.driver import Options, compile_program
from conftest import check_diagnostic


def diagnostics(source: str) -> CompileError:
    with pytest.raises(CompileError) as info:
        compile_program(source, "prog.sx", Options(opt_level=0))
    return info.value


def in_main(statement: str) -> str:
    return f"fn main() {{\n    let c = 'a';\n    {statement}\n}}\n"


# (id, source, line, col, message fragment, help fragment); the messages of
# arithmetic and casts are rustc 1.95's
CASES = [
    ("add-integer", in_main("let d = c + 1;"), 3, 15, "cannot add `{integer}` to `char`",
     "`(c as u8 + 1) as char`"),
    ("add-literal", in_main("let d = 'a' + 1;"), 3, 17, "cannot add `{integer}` to `char`",
     "`('a' as u8 + 1) as char`"),
    ("subtract-chars", in_main("let d = c - 'b';"), 3, 15,
     "cannot subtract `char` from `char`", "`c as u32 - 'b' as u32`"),
    ("multiply", in_main("let d = c * 2;"), 3, 15, "cannot multiply `char` by `{integer}`",
     None),
    ("negate", in_main("let d = -c;"), 3, 13, "cannot apply unary operator `-` to type `char`",
     None),
    ("not", in_main("let d = !c;"), 3, 13, "cannot apply unary operator `!` to type `char`",
     None),
    ("cast-i64", in_main("let d = 66i64 as char;"), 3, 13,
     "only `u8` can be cast as `char`, not `i64`", "`char::from_u32`"),
    ("cast-u32", in_main("let n: u32 = 66; let d = n as char;"), 3, 30,
     "only `u8` can be cast as `char`, not `u32`", "cast a `u8`"),
    ("cast-bool", in_main("let d = true as char;"), 3, 13,
     "only `u8` can be cast as `char`, not `bool`", None),
    ("cast-float", in_main("let d = c as f64;"), 3, 13, "casting `char` as `f64` is invalid",
     "cast through an integer first"),
    ("compare-integer", in_main("let d = c == 97;"), 3, 18,
     "mismatched types: expected `char`", "write a character literal"),
    ("byte-from-char", in_main("let b: u8 = 'x';"), 3, 17,
     "mismatched types: expected `u8`, found `char`", "`b'x'`"),
    ("to-digit-arity", in_main("let d = c.to_digit();"), 3, 13,
     "`to_digit` takes 1 argument but 0 were supplied", None),
    ("unknown-method", in_main("let d = c.escape_unicode();"), 3, 15,
     "no method named `escape_unicode` found for `char`", "sxc's `char` has `to_string` and"),
    ("from-u32-unchecked", in_main("let d = char::from_u32_unchecked(66);"), 3, 13,
     "sxc does not support `char::from_u32_unchecked`", "as char"),
    ("from-i64", in_main("let n: i64 = 5; let d = char::from(n);"), 3, 40,
     "`char::from` does not accept `i64`", "`char::from` takes a `u8`"),
    ("push-byte", in_main("let mut s = String::new(); s.push(b'a');"), 3, 39,
     "mismatched types: expected `char`, found `u8`", None),
    ("match-integer", in_main("match c { 97 => {} _ => {} }"), 3, 15,
     "mismatched types: expected `char`, found an integer", None),
    ("match-not-exhaustive", in_main("match c { 'a'..='z' => {} 'A'..='Z' => {} }"), 3, 11,
     "non-exhaustive patterns: `'\\0'..='@'`, `'['..='`'` and `'{'..='\\u{10ffff}'` not "
     "covered", "`_ => ...`"),
    ("byte-non-ascii", in_main("let d = b'é';"), 3, 13, "non-ASCII character in byte literal",
     "`'é'`"),
    ("range", in_main("for d in c..='e' { }"), 3, 14,
     "sxc supports a range of `char` only between two character literals", "`'a'..='z'`"),
    ("surrogate-escape", in_main("let d = '\\u{d800}';"), 3, 13,
     "invalid unicode character escape `\\u{d800}`", None),
]


@pytest.mark.parametrize("source,line,col,fragment,help_text", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_char_error(source, line, col, fragment, help_text):
    rendered = diagnostics(source).render().split("\n\n")[0]
    check_diagnostic(rendered, "prog.sx", line, col, fragment, source, help_text)


def test_char_match_skips_surrogates():
    source = ("fn f(c: char) -> i64 {\n    match c {\n        '\\0'..='\\u{d7ff}' => 1,\n"
              "        '\\u{e000}'..=char::MAX => 2,\n    }\n}\nfn main() { f('a'); }\n")
    compile_program(source, "prog.sx", Options(opt_level=0))


@pytest.fixture(scope="module")
def chars_module():
    import sxc

    return sxc.compile("pub fn next(c: char) -> char { ((c as u8) + 1) as char }\n"
                       "pub fn code(c: char) -> u32 { c as u32 }\n"
                       "pub fn apply(f: fn(char) -> char, c: char) -> char { f(c) }\n")


def test_python_char_round_trip(chars_module):
    assert chars_module.next("a") == "b"
    assert chars_module.code("é") == 0xE9
    assert chars_module.code("😀") == 0x1F600


def test_python_char_callback(chars_module):
    assert chars_module.apply(lambda c: c.upper(), "q") == "Q"


@pytest.mark.parametrize("value,error,fragment", [
    (97, TypeError, "expected a one-character str for `char`, got int 97"),
    ("ab", TypeError, "expected a one-character str for `char`, got str 'ab'"),
    ("\ud800", ValueError, "U+D800 is a surrogate"),
])
def test_python_char_rejects(chars_module, value, error, fragment):
    with pytest.raises(error, match=re.escape(fragment)):
        chars_module.code(value)


def test_alphabetic_above_latin1_panics(tmp_path):
    # Rust returns true for 'λ'.is_alphabetic(). sxc has the property only
    # up to U+00FF, so it stops instead of printing a guess.
    path = tmp_path / "prog.sx"
    path.write_text("fn main() {\n    println!(\"{}\", 'é'.is_alphabetic());\n"
                    "    println!(\"{}\", 'λ'.is_alphabetic());\n}\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "sxc.cli", "run", str(path)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 101, proc.stderr
    assert proc.stdout == "true\n"
    assert "covers only U+0000 to U+00FF, not U+03BB" in proc.stderr
