"""The shared scanner of `sxc.lexer` gives the tokens of Lark's own contextual lexer.

Every `.sx` file of the repository is parsed twice, by a parser with Lark's
stock lexer and by sxc's, and the trees must be equal, token types and
positions included.  Damaged copies of an eighth of the files (cut short, a
character dropped, a character inserted) must fail at the same place with
the same expected terminals.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import lark
import pytest

from sxc import parse
from sxc.grammar_tables import build_tables, tables_name

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(p for folder in ("examples", "runtime", "tests/programs", "tests/data",
                                "bench/workloads", "experiments")
               for p in (ROOT / folder).rglob("*.sx"))


@pytest.fixture(scope="module")
def parsers():
    shared = parse._parser()
    grammar = parse.grammar_text()
    saved = parse._shipped_tables(tables_name(lark.__version__, grammar))
    stock = lark.Lark.load(io.BytesIO(saved)) if saved is not None \
        else build_tables(grammar)[0]
    assert type(stock.parser.lexer.lexers[0].scanner).__name__ == "Scanner"
    return stock, shared


def _tokens(tree) -> list:
    return [(t.type, str(t), t.line, t.column, t.end_pos) for t in tree.scan_values(
        lambda v: isinstance(v, lark.Token))]


def _outcome(parser, text: str):
    try:
        tree = parser.parse(text)
    except lark.exceptions.UnexpectedInput as exc:
        expected = getattr(exc, "expected", None) or getattr(exc, "allowed", None)
        token = getattr(exc, "token", None)
        return ("error", type(exc).__name__, exc.line, exc.column,
                sorted(expected or ()), token and (token.type, str(token)))
    return ("tree", tree, _tokens(tree))


def _damaged(text: str, rng: random.Random) -> list[str]:
    copies = []
    for _ in range(2):
        at = rng.randrange(len(text) + 1)
        copies.append(text[:at])
        copies.append(text[:at] + text[at + 1:])
        copies.append(text[:at] + rng.choice("{}()[];:,.<>=!&|+-*/'\"#0a_ ") + text[at:])
    return copies


def test_corpus_is_found():
    assert len(FILES) > 250


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_same_tokens_as_lark(parsers, path):
    stock, shared = parsers
    text = parse._blank_ignored(path.read_text(encoding="utf-8"))
    sources = [text]
    if FILES.index(path) % 8 == 0:  # damaged copies of an eighth of the files
        sources += _damaged(text, random.Random(path.name))
    for source in sources:
        assert _outcome(shared, source) == _outcome(stock, source)


VOCABULARY = (
    "fn let mut as in if else while for loop return struct impl pub use where self Self "
    "true false match break continue const var async move dyn x y foo Bar f64 i32 usize "
    "größe 数 x² 1 2.0 3. 1e5 0x1f 1_000 'a' b'c' \"s\" r\"raw\" ( ) { } [ ] ; : :: , . .. ..= -> => = "
    "== != < > <= >= << >> + - * / % += -= *= /= %= & && | || ! ^ ? # @ ' _ 'a").split()
OPENINGS = ("", "fn main() { ", "fn f(", "struct S { ", "fn main() { let v = ",
            "impl S { fn g(&self) -> ")


@pytest.mark.parametrize("seed", range(4))
def test_same_tokens_on_token_soup(parsers, seed):
    """Random runs of keywords, names, literals and operators, most of them invalid."""
    stock, shared = parsers
    rng = random.Random(seed)
    for _ in range(500):
        words = [rng.choice(VOCABULARY) for _ in range(rng.randrange(1, 14))]
        source = rng.choice(OPENINGS) + "".join(w + rng.choice(" \n") * rng.randrange(2)
                                                for w in words)
        assert _outcome(shared, source) == _outcome(stock, source), source
