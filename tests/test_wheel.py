"""The grammar and the runtime `.sx` files ship in the wheel: build it, install
it outside the checkout and run an example from a directory of its own."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import EXAMPLES, ROOT


def _pip(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pip", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def test_wheel_runs_example_outside_checkout(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "*.egg-info", "__pycache__", "tests"))
    wheels = tmp_path / "wheels"
    built = _pip("wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), ".",
                 cwd=src)
    if built.returncode != 0:
        built = _pip("wheel", "--no-deps", "-w", str(wheels), ".", cwd=src)
    assert built.returncode == 0, built.stderr
    wheel = next(wheels.glob("sxc-*.whl"))
    target = tmp_path / "site"
    installed = _pip("install", "--no-deps", "--target", str(target), str(wheel), cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    assert (target / "sxc" / "grammar" / "simplex.lark").exists()
    assert (target / "sxc" / "runtime" / "simplex_training.sx").exists()
    # the build saves the parser's tables next to the grammar
    [tables] = (target / "sxc" / "grammar").glob("simplex-lark*.tables")
    # and the parse of each library file next to it
    parses = sorted(f.name.split("-")[0] for f in (target / "sxc" / "runtime").glob("*.pickle"))
    assert parses == ["meta_trainer", "simplex_training", "std"]

    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(EXAMPLES / "soft_accept.sx", work)
    shutil.copy(EXAMPLES / "tsp_anneal.sx", work)
    shutil.copytree(EXAMPLES / "data", work / "data")
    env = dict(os.environ, PYTHONPATH=str(target), XDG_CACHE_HOME=str(tmp_path / "cache"))
    probe = subprocess.run([sys.executable, "-c", "import sxc; print(sxc.__file__)"],
                           cwd=work, env=env, capture_output=True, text=True)
    assert probe.stdout.startswith(str(target)), probe.stdout + probe.stderr
    for example in ("soft_accept.sx", "tsp_anneal.sx"):
        result = subprocess.run([sys.executable, "-m", "sxc.cli", "run", example], cwd=work,
                                env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr
        assert result.stdout
    # the shipped tables were loaded, so none were built into the cache
    toolchain = tmp_path / "cache" / "sxc" / "toolchain"
    assert [f.name for f in toolchain.glob("grammar-*")] == []
    assert [f.name for f in toolchain.glob("library-*")] == []
    assert tables.stat().st_size > 0


def test_saved_tables_parse_like_fresh_ones(tmp_path):
    import io

    import lark

    from sxc.grammar_tables import LARK_OPTIONS, build_tables, load_tables, tables_name, \
        write_tables
    from sxc.parse import grammar_text

    written = write_tables(ROOT / "grammar" / "simplex.lark", tmp_path)
    assert written.name == tables_name(lark.__version__, grammar_text())
    loaded = load_tables(written.read_bytes())
    fresh, _ = build_tables(grammar_text())
    # tables in Lark's own format load as well
    own = io.BytesIO()
    lark.Lark(grammar_text(), **LARK_OPTIONS).save(own)
    from_lark = load_tables(own.getvalue())
    for example in sorted(EXAMPLES.glob("*.sx")):
        text = example.read_text(encoding="utf-8")
        assert loaded.parse(text) == fresh.parse(text), example.name
        assert from_lark.parse(text) == fresh.parse(text), example.name
    # another process hashes strings differently, which the saved tables must survive
    script = ("import sys\nfrom pathlib import Path\nfrom sxc.grammar_tables import load_tables\n"
              "parser = load_tables(Path(sys.argv[1]).read_bytes())\n"
              "for name in sys.argv[2:]:\n"
              "    print(parser.parse(Path(name).read_text(encoding='utf-8')).pretty())\n")
    names = [str(p) for p in sorted(EXAMPLES.glob("*.sx"))]
    other = subprocess.run([sys.executable, "-c", script, str(written), *names],
                           capture_output=True, text=True, timeout=300,
                           env={**os.environ, "PYTHONHASHSEED": "12345"})
    expected = "".join(fresh.parse(Path(n).read_text(encoding="utf-8")).pretty() + "\n"
                       for n in names)
    assert other.returncode == 0, other.stderr
    assert other.stdout == expected


def test_saved_library_parses_match_fresh_ones(tmp_path):
    import pickle
    import shutil

    from sxc.ast import defer_library_bodies
    from sxc.nested import lift_library
    from sxc.parse import parse_module
    from sxc.prebuilt import LIBRARY_FILES, write_library_parses

    for name in LIBRARY_FILES:
        shutil.copy(ROOT / "runtime" / f"{name}.sx", tmp_path)
    written = write_library_parses(tmp_path)
    assert len(written) == len(LIBRARY_FILES)
    for name, path in zip(LIBRARY_FILES, written):
        text = (ROOT / "runtime" / f"{name}.sx").read_text(encoding="utf-8")
        fresh = parse_module(text, f"<runtime>/{name}.sx")
        lift_library(fresh)
        bodies = [fn.body for fn in _library_functions(fresh)]
        defer_library_bodies(fresh)
        # the syntax trees compare by identity in places, so compare their pickles
        assert path.read_bytes() == pickle.dumps(fresh, protocol=pickle.HIGHEST_PROTOCOL), name
        # a deferred body, read through the attribute, is the parsed one
        saved = pickle.loads(path.read_bytes())
        assert [_tree(fn.body) for fn in _library_functions(saved)] == \
            [_tree(body) for body in bodies], name


def _tree(value):
    """Return `value` as nested tuples and lists of plain values, to compare parses."""
    from sxc.ast import Node, field_names

    if isinstance(value, Node):
        fields = tuple(_tree(getattr(value, f)) for f in field_names(value))
        return (type(value).__name__,) + fields
    if isinstance(value, (list, tuple)):
        return [_tree(v) for v in value]
    if isinstance(value, dict):
        return {k: _tree(v) for k, v in value.items()}
    return value


def _library_functions(module):
    """Yield the functions and methods of library `module`."""
    from sxc import ast

    for item in module.items:
        if isinstance(item, ast.ImplDef):
            yield from item.methods
        elif isinstance(item, ast.FnDef):
            yield item
