"""Identifiers as Rust reads them: keywords are no names, and names may be Unicode
(XID_Start and XID_Continue characters, compared in NFC)."""

from __future__ import annotations

import inspect
import subprocess
import unicodedata

import pytest

import sxc
from conftest import caret_col, check_diagnostic, run_sxc
from sxc import parse
from sxc.identifiers import grammar_keywords

GRAMMAR_KEYWORDS = sorted(grammar_keywords(parse._parser()))


def _error(source: str) -> str:
    with pytest.raises(sxc.CompileError) as info:
        sxc.compile(source, cache=False)
    return str(info.value)


# ---------------------------------------------------------------- keywords

def test_grammar_keywords_found():
    for word in ("fn", "let", "match", "self", "while", "move", "await"):
        assert word in GRAMMAR_KEYWORDS
    assert "var" not in GRAMMAR_KEYWORDS
    assert "_" not in GRAMMAR_KEYWORDS


@pytest.mark.parametrize("word", GRAMMAR_KEYWORDS)
def test_keyword_as_function_name(word):
    source = f"fn {word}() {{}}\nfn main() {{}}\n"
    check_diagnostic(_error(source), "<string>", 1, 4,
                     f"expected identifier, found keyword `{word}`", source,
                     help_text=f"rename it, for example to `{word}_`", code="SX0110")


@pytest.mark.parametrize("source, line, col, word", [
    ("fn main() {\n    let fn = 2;\n}\n", 2, 9, "fn"),
    ("fn main() {\n    let mut loop = 2;\n}\n", 2, 13, "loop"),
    ("fn f(x: f64, in: f64) -> f64 { x }\nfn main() {}\n", 1, 14, "in"),
    ("struct S { x: f64, struct: f64 }\nfn main() {}\n", 1, 20, "struct"),
    ("struct match { x: f64 }\nfn main() {}\n", 1, 8, "match"),
    ("fn main() {\n    let f = |x, while| x;\n}\n", 2, 17, "while"),
    ("fn main() {\n    let x = 1;\n    println!(\"{}\", x.if);\n}\n", 3, 22, "if"),
    ("const return: i64 = 1;\nfn main() {}\n", 1, 7, "return"),
    ("fn main() {\n    let self = 1;\n}\n", 2, 9, "self"),
    # keywords of type aliases and of `ref` patterns
    ("struct S { type: f64 }\nfn main() {}\n", 1, 12, "type"),
    ("fn main() {\n    let ref = 1;\n}\n", 2, 9, "ref"),
])
def test_keyword_as_name_in_context(source, line, col, word):
    check_diagnostic(_error(source), "<string>", line, col,
                     f"expected identifier, found keyword `{word}`", source, code="SX0110")


@pytest.mark.parametrize("source, line, col, word", [
    ("fn main() {\n    let final = 1.0;\n}\n", 2, 9, "final"),
    ("fn yield(x: f64) -> f64 { x }\nfn main() {}\n", 1, 4, "yield"),
])
def test_reserved_keyword_as_name(source, line, col, word):
    check_diagnostic(_error(source), "<string>", line, col,
                     f"expected identifier, found reserved keyword `{word}`", source,
                     code="SX0110")


@pytest.mark.parametrize("source, line, col, word", [
    ("fn main() {\n    let Self = 1;\n}\n", 2, 9, "Self"),
    ("fn crate() {}\nfn main() {}\n", 1, 4, "crate"),
    ("fn f(super: i64) -> i64 { 1 }\nfn main() {}\n", 1, 6, "super"),
])
def test_path_keyword_declared_as_name(source, line, col, word):
    check_diagnostic(_error(source), "<string>", line, col,
                     f"expected identifier, found keyword `{word}`", source, code="SX0110")


def test_keywords_in_one_file_all_reported():
    text = _error("fn main() {\n    let fn = 1;\n    let match = 2;\n}\n")
    assert "<string>:2:9: error[SX0110]" in text
    assert "<string>:3:9: error[SX0110]" in text


def test_path_keywords_start_paths():
    m = sxc.compile("""
struct P { x: f64 }
impl P {
    fn new(x: f64) -> Self { Self { x } }
    fn twice(&self) -> Self { Self::new(self.x * 2.0) }
}
fn build(x: f64) -> f64 { crate::P::new(x).twice().x }
""", cache=False)
    assert m.build(1.5) == 3.0


def test_var_names_a_variable():
    # a statement that starts with `var` is a binding, so the name is only read
    # inside expressions
    m = sxc.compile("fn spread(v: &[f64]) -> f64 { let var = v[1] - v[0]; let s = var * var; s }",
                    cache=False)
    assert m.spread([1.0, 4.0]) == 9.0


def test_await_postfix_still_parses():
    m = sxc.compile("fn f(x: i64) -> i64 { x.await + 1 }", cache=False)
    assert m.f(1) == 2


# ---------------------------------------------------------------- Unicode names

UNICODE_PROGRAM = """#[derive(Debug)]
struct Größe { wert: f64, 単位: i64 }
fn résumé(x: f64) -> f64 { x * 2.0 }
fn 数(n: i64) -> i64 { n + 1 }
fn main() {
    let größe = Größe { wert: 1.5, 単位: 3 };
    let λ = résumé(größe.wert);
    println!("{} {} {:?}", λ, 数(41), größe);
}
"""
UNICODE_OUTPUT = "3 42 Größe { wert: 1.5, 単位: 3 }\n"


def test_unicode_names_run(tmp_path):
    path = tmp_path / "größe.sx"
    path.write_text(UNICODE_PROGRAM, encoding="utf-8")
    result = run_sxc("run", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == UNICODE_OUTPUT


def test_unicode_names_build(tmp_path):
    path = tmp_path / "prog.sx"
    path.write_text(UNICODE_PROGRAM, encoding="utf-8")
    exe = tmp_path / "prog"
    result = run_sxc("build", str(path), "-o", str(exe))
    assert result.returncode == 0, result.stderr
    done = subprocess.run([str(exe)], capture_output=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout.decode("utf-8") == UNICODE_OUTPUT


def test_unicode_names_from_python():
    m = sxc.compile(UNICODE_PROGRAM, cache=False)
    assert m.résumé(2.0) == 4.0
    assert m.数(1) == 2
    assert m.Größe(wert=1.0, 単位=2).単位 == 2
    assert "résumé" in dir(m)


def test_names_compared_in_nfc():
    decomposed = unicodedata.normalize("NFD", "größe")
    assert decomposed != "größe"
    m = sxc.compile(f"fn f(x: f64) -> f64 {{ let {decomposed} = x * 3.0; größe }}",
                    cache=False)
    assert m.f(2.0) == 6.0


@pytest.mark.parametrize("source, col, shown, help_text", [
    ("fn main() { let x² = 1; }\n", 18, "`²` (U+00B2 SUPERSCRIPT TWO)", "XID_Start"),
    ("fn main() { let x = 2 × 3; }\n", 23, "`×` (U+00D7 MULTIPLICATION SIGN)",
     "this looks like `*`"),
    ("fn main() { println!(“hi”); }\n", 22, "`“` (U+201C LEFT DOUBLE QUOTATION MARK)",
     "this looks like `\"`"),
    ("fn main() { let \u0301x = 1; }\n", 17, "(U+0301 COMBINING ACUTE ACCENT)", "XID_Start"),
])
def test_invalid_identifier_character(source, col, shown, help_text):
    text = _error(source)
    assert text.startswith(f"<string>:1:{col}: error[SX0102]: unexpected character "), text
    assert shown in text.splitlines()[0]
    assert help_text in text


def test_invalid_character_in_comment_or_string_is_fine():
    m = sxc.compile('// x² × “quoted”\nfn f() -> i64 { let s = "x² ×"; s.len() as i64 }',
                    cache=False)
    assert m.f() == len("x² ×".encode("utf-8"))


def test_caret_under_wide_characters():
    source = "fn main() {\n    let 数字 = 1;\n    let s = 数字 + missing;\n}\n"
    text = _error(source)
    assert text.startswith("<string>:3:18: error[SX0201]"), text
    # `数字` takes four terminal columns, so the caret sits two columns
    # right of the character column
    assert caret_col(text, 3, source.split("\n")[2]) == 18 + 2


def test_keyword_check_after_unicode_name():
    source = "fn main() {\n    let größe = 1;\n    let fn = größe;\n}\n"
    check_diagnostic(_error(source), "<string>", 3, 9, "found keyword `fn`", source,
                     code="SX0110")


@pytest.mark.parametrize("source, what", [
    ('extern "C" { fn größe(x: f64) -> f64; }\nfn main() {}\n',
     "the name of a function of an `extern` block must be ASCII"),
    ("mod größe;\nfn main() {}\n", "the name of a module loaded from a file must be ASCII"),
])
def test_ascii_required_names(source, what):
    text = _error(source)
    assert text.splitlines()[0].startswith("<string>:1:"), text
    assert f"error[SX0111]: {what}, but `größe` contains `ö` (U+00F6" in text


def test_inline_module_with_unicode_name():
    m = sxc.compile("mod größe {\n    pub fn wert() -> f64 { 1.5 }\n}\n"
                    "fn f() -> f64 { größe::wert() }", cache=False)
    assert m.f() == 1.5


# ---------------------------------------------------------------- Python names

def test_nfkc_name_reached_as_attribute():
    # Python reads `m.ﬁle` as `m.file` (NFKC), so the attribute finds `ﬁle`
    m = sxc.compile("fn ﬁle(ﬁ: f64) -> f64 { ﬁ + 1.0 }", cache=False)
    assert m.ﬁle(1.0) == 2.0
    assert m.file(ﬁ=2.0) == 3.0
    assert m.function("ﬁle")(0.5) == 1.5
    assert "file" in dir(m)


def test_python_keyword_names_get_underscore():
    m = sxc.compile("""
struct Penalty { class: i64, lambda: f64 }
fn scaled(lambda: f64, p: Penalty) -> Penalty {
    Penalty { class: p.class, lambda: p.lambda * lambda }
}
""", cache=False)
    result = m.scaled(lambda_=2.0, p={"class": 1, "lambda": 0.25})
    assert result == m.Penalty(class_=1, lambda_=0.5)
    assert str(inspect.signature(m.scaled)).startswith("(lambda_: 'f64', p:")
    assert m.scaled(3.0, m.Penalty(class_=2, lambda_=1.0)).lambda_ == 3.0


def test_names_equal_in_python_rejected():
    # `ﬁle` (a ligature) and `ｆile` (a fullwidth f) are both `file` in NFKC
    m = sxc.compile("fn ﬁle() -> i64 { 1 }\nfn ｆile() -> i64 { 2 }", cache=False)
    with pytest.raises(AttributeError, match=r"`ﬁle` and `ｆile` are the same name `file` in Python \(NFKC\)"):
        m.file()
    assert m.function("ﬁle")() == 1
    assert m.function("ｆile")() == 2


def test_exact_name_preferred_over_nfkc():
    m = sxc.compile("fn ﬁle() -> i64 { 1 }\nfn file() -> i64 { 2 }", cache=False)
    assert m.file() == 2
    assert m.function("ﬁle")() == 1
