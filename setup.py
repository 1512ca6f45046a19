"""Build hook: save the parser's tables into the wheel (see sxc/grammar_tables.py)."""

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithTables(build_py):
    def run(self):
        super().run()
        spec = importlib.util.spec_from_file_location("grammar_tables",
                                                      ROOT / "sxc" / "grammar_tables.py")
        tables = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(tables)
        folder = Path(self.build_lib) / "sxc" / "grammar"
        folder.mkdir(parents=True, exist_ok=True)
        tables.write_tables(ROOT / "grammar" / "simplex.lark", folder)


setup(cmdclass={"build_py": BuildWithTables})
