"""The LALR tables of the grammar, built once when the wheel is built.

Lark takes about a second to build the tables of `grammar/simplex.lark`.  So
the wheel's build runs `write_tables`, which saves them next to the grammar
in a file named after the Lark version and the grammar's digest.  The parser
loads that file when both match.  Otherwise it builds the tables and keeps
them in the compile cache.  This module imports nothing of sxc, so that the
build can load it from the source tree.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

# The options of the parser.  The saved tables depend on them.
LARK_OPTIONS = dict(parser="lalr", propagate_positions=True, maybe_placeholders=True)


def tables_name(lark_version: str, grammar: str) -> str:
    """Return the file name of the tables for this Lark version and grammar text."""
    digest = hashlib.sha256(grammar.encode("utf-8")).hexdigest()[:16]
    return f"simplex-lark{lark_version}-{digest}.tables"


def build_tables(grammar: str) -> tuple[object, bytes]:
    """Return Lark's parser for `grammar` and its saved tables."""
    import lark

    parser = lark.Lark(grammar, **LARK_OPTIONS)
    out = io.BytesIO()
    parser.save(out)
    return parser, out.getvalue()


def write_tables(grammar_file: Path, folder: Path) -> Path:
    """Save the tables of `grammar_file` into `folder` and return the file written."""
    import lark

    grammar = grammar_file.read_text(encoding="utf-8")
    _, data = build_tables(grammar)
    target = folder / tables_name(lark.__version__, grammar)
    target.write_bytes(data)
    return target
