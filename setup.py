"""Build hook: save the parser's tables and the parsed library into the wheel.

See sxc/grammar_tables.py and sxc/prebuilt.py.
"""

import importlib
import importlib.util
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithTables(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            # An editable install serves grammar/ and runtime/ from the source
            # tree, and build_lib contains none of their files.  The parser then
            # builds the tables on first use and keeps them in the compile cache.
            return
        spec = importlib.util.spec_from_file_location("grammar_tables",
                                                      ROOT / "sxc" / "grammar_tables.py")
        tables = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(tables)
        folder = Path(self.build_lib) / "sxc" / "grammar"
        folder.mkdir(parents=True, exist_ok=True)
        tables.write_tables(ROOT / "grammar" / "simplex.lark", folder)
        # parse the library with the package just built, which finds the tables
        sys.path.insert(0, str(Path(self.build_lib).resolve()))
        try:
            prebuilt = importlib.import_module("sxc.prebuilt")
            prebuilt.write_library_parses(Path(self.build_lib) / "sxc" / "runtime")
        finally:
            sys.path.pop(0)


setup(cmdclass={"build_py": BuildWithTables})
