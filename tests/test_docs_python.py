"""Run every Python example of docs/python.md and compare it with the output shown.

The ```python blocks run in order in one namespace.  A ```text block that
directly follows one (blank lines aside) is its expected stdout.  An
```ipython block is a `%%sxc` cell, run through IPython's shell when IPython
is installed; the names it binds join the namespace.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parent.parent / "docs" / "python.md"
FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```\s*$", re.M | re.S)


def _blocks() -> list[tuple[int, str, str, str | None]]:
    """Return (line, info, body, expected output) for each python and ipython block."""
    text = DOC.read_text(encoding="utf-8")
    matches = list(FENCE.finditer(text))
    blocks = []
    for i, match in enumerate(matches):
        info, body = match.group(1).strip(), match.group(2)
        if info not in ("python", "ipython"):
            continue
        expected = None
        if i + 1 < len(matches):
            following = matches[i + 1]
            between = text[match.end():following.start()]
            if following.group(1).strip() == "text" and not between.strip():
                expected = following.group(2)
        line = text.count("\n", 0, match.start()) + 1
        blocks.append((line, info, body, expected))
    return blocks


def _run_ipython(body: str, namespace: dict) -> None:
    pytest.importorskip("IPython")
    from IPython.core.interactiveshell import InteractiveShell

    first, _, cell = body.partition("\n")
    assert first.startswith("%%sxc"), f"an ipython block starts with %%sxc, not {first!r}"
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "sxc.ipython")
    before = dict(shell.user_ns)
    shell.run_cell_magic("sxc", first[len("%%sxc"):].strip(), cell)
    for name, value in shell.user_ns.items():
        if before.get(name) is not value:
            namespace[name] = value


def test_doc_has_examples():
    blocks = _blocks()
    assert sum(1 for _, info, _, _ in blocks if info == "python") >= 8
    assert sum(1 for _, _, _, expected in blocks if expected is not None) >= 4


def test_python_guide_examples():
    namespace: dict = {"__name__": "docs_python"}
    for line, info, body, expected in _blocks():
        if info == "ipython":
            _run_ipython(body, namespace)
            continue
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            exec(compile(body, f"{DOC}:{line}", "exec"), namespace)  # noqa: S102
        if expected is not None:
            assert output.getvalue() == expected, f"docs/python.md:{line}"
