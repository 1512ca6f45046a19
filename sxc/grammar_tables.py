"""The LALR tables of the grammar, built once when the wheel is built.

Lark takes about a second to build the tables of `grammar/simplex.lark`.  So
the wheel's build runs `write_tables`, which saves them next to the grammar
in a file named after the Lark version and the grammar's digest.  The parser
loads that file when both match.  Otherwise it builds the tables and keeps
them in the compile cache.  This module imports nothing of sxc, so that the
build can load it from the source tree.
"""

from __future__ import annotations

import copyreg
import hashlib
import io
import pickle
import threading
from pathlib import Path

# The options of the parser.  The saved tables depend on them.
LARK_OPTIONS = dict(parser="lalr", propagate_positions=True, maybe_placeholders=True)


def tables_name(lark_version: str, grammar: str) -> str:
    """Return the file name of the tables for this Lark version and grammar text."""
    digest = hashlib.sha256(grammar.encode("utf-8")).hexdigest()[:16]
    return f"simplex-lark{lark_version}-{digest}.tables"


def build_tables(grammar: str) -> tuple[object, bytes]:
    """Return Lark's parser for `grammar` and its saved tables (see `load_tables`)."""
    import lark

    parser = lark.Lark(grammar, **LARK_OPTIONS)
    out = io.BytesIO()
    parser.save(out)
    saved = pickle.loads(out.getvalue())
    # The LALR table goes in as Python objects, because Lark's own form of it
    # took 0.13 s to load against 0.085 s (one measurement), in every sxc process.
    saved["data"]["parser"]["parser"] = {"tokens": {}, "states": {}, "start_states": {},
                                         "end_states": {}}
    table = parser.parser.parser._parse_table
    saved[_TABLE_KEY] = table
    # The same objects as in the table, whose hashes the loading process recomputes.
    saved[_RULES_KEY] = list({id(arg): arg for actions in table.states.values()
                              for _, arg in actions.values()
                              if not isinstance(arg, int)}.values())
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = copyreg.dispatch_table.copy()
    from lark.parsers.lalr_analysis import Action

    pickler.dispatch_table[Action] = _reduce_action
    pickler.dump(saved)
    return parser, out.getvalue()


_TABLE_KEY = "sxc-parse-table"
_RULES_KEY = "sxc-parse-rules"
_LOADING = threading.Lock()


def _reduce_action(action) -> str:
    # The parser compares actions with `Shift` and `Reduce` by identity, so a
    # table must refer to Lark's two objects, not copies of them.  A name makes
    # pickle store a reference to the module's object of that name.
    return str(action)


def load_tables(data: bytes):
    """Return the Lark parser of tables that `build_tables` saved.

    Tables in Lark's own format (`Lark.save`) load too, more slowly.
    """
    import lark
    from lark.parsers.lalr_analysis import IntParseTable

    saved = pickle.loads(data)
    table = saved.pop(_TABLE_KEY, None)
    rules = saved.pop(_RULES_KEY, None)
    if table is None or rules is None:
        return lark.Lark.load(saved)
    for rule in rules:
        # A `Rule` stores its hash, and string hashes differ from process to process.
        rule._hash = hash((rule.origin, tuple(rule.expansion)))
    with _LOADING:
        # `Lark.load` rebuilds the table from its own form, which is empty here:
        # hand it the table instead, for this one call.
        own = IntParseTable.__dict__.get("deserialize")
        IntParseTable.deserialize = classmethod(lambda cls, data, memo: table)
        try:
            return lark.Lark.load(saved)
        finally:
            if own is None:
                del IntParseTable.deserialize
            else:
                IntParseTable.deserialize = own


def write_tables(grammar_file: Path, folder: Path) -> Path:
    """Save the tables of `grammar_file` into `folder` and return the file written."""
    import lark

    grammar = grammar_file.read_text(encoding="utf-8")
    _, data = build_tables(grammar)
    target = folder / tables_name(lark.__version__, grammar)
    target.write_bytes(data)
    return target
