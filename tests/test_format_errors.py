"""Compile errors of format strings: each points into the string literal.

Every case compiles a small program whose line 8 contains a bad format macro
and checks the first diagnostic: its message, its help, and that its span
covers exactly the last `marker` text of that line (a placeholder, or the
argument that is at fault).
"""

from __future__ import annotations

import pytest

import sxc

PRELUDE = """\
#[derive(Debug)]
struct D { x: f64 }
struct N { x: f64 }
fn main() {
    let x = 1.5;
    let v = vec![1, 2];
    let n = N { x: 1.0 };
"""

# (id, line 8, marker, message fragment, help fragment or None)
CASES = [
    ("too_few", 'println!("{} and {}", x);', "{}", "format string refers to argument 2, "
     "but 1 argument was given", None),
    ("explicit_index", 'println!("{0} {2}", x, x);', "{2}",
     "format string refers to argument 3, but 2 arguments were given", None),
    ("width_index", 'println!("{:1$}", x);', "{:1$}",
     "format string refers to argument 2, but 1 argument was given", None),
    ("star_missing", 'println!("{:.*}", 3);', "{:.*}",
     "format string refers to argument 2, but 1 argument was given", None),
    ("too_many", 'println!("{}", x, v);', "v", "argument never used", "{}"),
    ("unknown_name", 'println!("{y}");', "{y}", "cannot find value `y` in this scope", None),
    ("unknown_width_name", 'println!("{:w$}", x);', "{:w$}", "cannot find value `w`", None),
    ("named_unused", 'println!("{}", x, y = 2);', "2", "named argument `y` never used",
     "{y}"),
    ("named_duplicate", 'println!("{a}", a = 1, a = 2);', "2",
     "duplicate argument named `a`", None),
    ("positional_after_named", 'println!("{a} {}", a = 1, 2);', "2",
     "positional arguments cannot follow named arguments", None),
    ("unknown_trait", 'println!("{:q}", x);', "{:q}",
     "invalid format string: unknown format trait `q`", None),
    ("pointer", 'println!("{:p}", x);', "{:p}", "sxc does not support `{:p}`", None),
    ("bad_spec", 'println!("{:>>>5}", x);', "{:>>>5}",
     "invalid format string: invalid format spec `>>>5`", None),
    ("bad_argument_name", 'println!("{1x}", x);', "{1x}",
     "invalid format string: invalid argument name `1x`", None),
    ("nested_brace", 'println!("{:{}}", x);', "{", "expected `}`, found `{`", None),
    ("unmatched_close", 'println!("a } b", x);', "}", "unmatched `}` found", None),
    ("unterminated", 'println!("a {", x);', "{", "expected `}` but string was terminated",
     None),
    ("no_debug", 'println!("{:?}", n);', "{:?}", "`N` does not implement `Debug`",
     "#[derive(Debug)]"),
    ("no_debug_inside", 'println!("{:#?}", (1, vec![n]));', "{:#?}",
     "`N` does not implement `Debug`", "struct N"),
    ("no_display", 'println!("{}", v);', "{}", "`Vec<i64>` cannot be formatted with `{}`",
     "{:?}"),
    ("hex_float", 'println!("{:x}", x);', "{:x}", "`{:x}` needs an integer, found `f64`",
     "as i64"),
    ("octal_bool", 'println!("{:#o}", true);', "{:#o}", "`{:o}` needs an integer, found `bool`",
     None),
    ("exp_string", 'println!("{:E}", "a");', "{:E}", "`{:E}` needs a number, found `&str`",
     None),
    ("width_float", 'println!("{:>1$}", 2, x);', "{:>1$}",
     "format width must be a `usize`, found `f64`", None),
    ("precision_float", 'println!("{:.p$}", 2.0, p = x);', "{:.p$}",
     "format precision must be a `usize`, found `f64`", None),
    ("width_too_large", 'println!("{:99999999}", x);', "{:99999999}", "format width 99999999 "
     "is above", None),
    ("captured_multiline", 'println!("ok {}\\n{n:?}", x);', "{n:?}",
     "`N` does not implement `Debug`", None),
    ("named_in_vec", "let w = vec!(a = 1);", "1", "`vec!` takes no named arguments", None),
    ("compound_named", 'println!("{a}", a += 1);', "+=", "expected `=` after the argument "
     "name `a`, found `+=`", None),
    ("assert_eq_one_value", "assert_eq!(x);", "assert_eq!(x)",
     "`assert_eq!` needs two values to compare", None),
    ("assert_eq_no_debug", "assert_eq!(n.x, 1.0, \"{:?}\", n);", "{:?}",
     "`N` does not implement `Debug`", None),
    ("write_into_int", 'let s = 1; write!(s, "{}", x);', "s",
     "sxc supports `write!` only into a `fmt::Formatter` or a `String`, found `i64`", "format!"),
    ("write_without_format", "write!();", "write!()",
     "`write!` needs a formatter and a format string", None),
    ("ok_without_error_type", "let r = Ok(5);", "Ok(5)",
     "type annotations needed: cannot infer the type of `E` in `Result`",
     "let x: Result<i64, String> = .."),
    ("display_missing", 'println!("{}", n);', "{}", "`N` cannot be formatted with `{}`",
     "fmt::Display"),
    ("not_literal", 'let s = "{}"; println!(s, x);', "s", "format argument must be a "
     "string literal", None),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_format_error(case):
    _, statement, marker, fragment, help_text = case
    source = PRELUDE + "    " + statement + "\n}\n"
    with pytest.raises(sxc.CompileError) as info:
        sxc.compile(source)
    first = info.value.diagnostics[0]
    assert fragment in first.message
    if help_text is not None:
        assert first.help is not None and help_text in first.help
    line = source.split("\n")[7]
    assert first.span.line == 8
    assert first.span.col == line.rindex(marker) + 1
    assert first.span.end_col == first.span.col + len(marker)


def test_debug_impl_beside_derive_rejected():
    source = ("use std::fmt;\n#[derive(Debug)]\nstruct P { x: f64 }\nimpl fmt::Debug for P {\n"
              "    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {\n"
              "        write!(f, \"P\")\n    }\n}\nfn main() {}\n")
    with pytest.raises(sxc.CompileError) as info:
        sxc.compile(source)
    first = info.value.diagnostics[0]
    assert "conflicting implementations of `Debug` for `P`" in first.message
    assert first.help is not None and "remove `Debug` from the `#[derive]`" in first.help
    assert (first.span.line, first.span.col) == (2, 1)