"""Parses of the bundled library that the wheel's build saves next to its sources.

The first compilation after an install would otherwise parse `std.sx`
(and, for a program that uses `simplex_training`, two more files), which
takes about 0.15 s.  The build runs `write_library_parses`, which pickles
each parse into `sxc/runtime/<name>-<digest>.pickle`.  The digest covers
everything a parse depends on (see `front_end_digest`).  So a file made by
another sxc, Lark or Python has another name and is not loaded.  Then the
library is parsed and kept in the compile cache as before.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
import sys
from pathlib import Path

# The runtime files that `sxc.resolve` parses as libraries.
LIBRARY_FILES = ("std", "simplex_training", "meta_trainer")


@functools.lru_cache(maxsize=1)
def front_end_digest() -> str:
    """Return a hex digest of sxc's sources, its grammar and library, and the Lark and
    Python versions."""
    import lark

    from sxc import __version__
    from sxc.cache import _resource_dir

    digest = hashlib.sha256()
    for part in (__version__, lark.__version__, sys.version):
        digest.update(part.encode() + b"\0")
    package = Path(__file__).resolve().parent
    folders = [(package, ".py"), (_resource_dir("sxc.grammar", "grammar"), ".lark"),
               (_resource_dir("sxc.runtime", "runtime"), ".sx")]
    for folder, suffix in folders:
        for file in sorted(f for f in folder.iterdir() if f.name.endswith(suffix)):
            digest.update(file.name.encode() + b"\0")
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()[:16]


def parse_file_name(name: str) -> str:
    return f"{name}-{front_end_digest()}.pickle"


def read_library_parse(name: str) -> bytes | None:
    """Return the pickled parse of runtime file `name` that the wheel contains, or None."""
    from sxc.cache import _resource_dir

    try:
        return (_resource_dir("sxc.runtime", "runtime") / parse_file_name(name)).read_bytes()
    except OSError:
        return None


def write_library_parses(folder: Path) -> list[Path]:
    """Pickle the parse of every library file into `folder` and return the files written."""
    from sxc.ast import defer_library_bodies
    from sxc.nested import lift_library
    from sxc.parse import parse_module

    written = []
    for name in LIBRARY_FILES:
        source = folder / f"{name}.sx"
        module = parse_module(source.read_text(encoding="utf-8"), f"<runtime>/{name}.sx")
        lift_library(module)
        defer_library_bodies(module)
        target = folder / parse_file_name(name)
        target.write_bytes(pickle.dumps(module, protocol=pickle.HIGHEST_PROTOCOL))
        written.append(target)
    return written
