"""The `%%sxc` cell magic for IPython and Jupyter.

    %load_ext sxc.ipython

    %%sxc --mode release -O3
    fn square(x: f64) -> f64 { x * x }

compiles the cell with `sxc.compile` and puts each function that Python can
call, and each struct class, into the user namespace.  `--name NAME` also
binds the `sxc.Module` itself.  A compile error shows its diagnostics and
binds nothing: the cell raises `sxc.CompileError`.
"""

from __future__ import annotations

import argparse
import shlex


class _OptionParser(argparse.ArgumentParser):
    """An argument parser that raises `ValueError` instead of printing and exiting."""

    def error(self, message: str):
        raise ValueError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _OptionParser(prog="%%sxc", add_help=False,
                           description="Compile the cell as Simplex code.")
    parser.add_argument("--mode", choices=["train", "release"], default=None,
                        help="compile mode (default: the program's own)")
    parser.add_argument("-O", dest="opt_level", type=int, choices=[0, 1, 2, 3], default=2,
                        help="LLVM optimisation level")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the program's default random stream")
    parser.add_argument("--tangents", type=int, default=None,
                        help="tangent lanes per dual")
    parser.add_argument("--no-cache", action="store_true",
                        help="compile even when the compile cache has the program")
    parser.add_argument("--name", default=None,
                        help="also bind the compiled sxc.Module to this name")
    return parser


def parse_options(line: str) -> argparse.Namespace:
    """Parse the options of a `%%sxc` line; raise `ValueError` on an invalid one."""
    parser = _parser()
    try:
        return parser.parse_args(shlex.split(line))
    except ValueError as error:
        usage = parser.format_usage().strip()
        raise ValueError(f"invalid %%sxc options {line!r}: {error}; {usage}") from None


def compile_cell(line: str, cell: str, namespace: dict):
    """Compile `cell` with the options in `line` and bind its functions in `namespace`.

    Return the `sxc.Module`.
    """
    import sxc
    from sxc.boundary import python_name

    options = parse_options(line)
    module = sxc.compile(cell, mode=options.mode, opt_level=options.opt_level,
                         seed=options.seed, tangents=options.tangents,
                         cache=not options.no_cache)
    interface = module._interface()
    names = [n for n in interface["functions"] if n in module._exports]
    names += [n for n in interface.get("user_structs", ()) if n.isidentifier()]
    names += list(interface.get("enums", {}))
    for name in names:
        # `Module.__getattr__` also finds a function named like a method (`run`)
        namespace[python_name(name)] = sxc.Module.__getattr__(module, name)
    if options.name:
        namespace[options.name] = module
    return module


def load_ipython_extension(ipython) -> None:
    """Register `%%sxc` with an IPython shell (`%load_ext sxc.ipython`)."""
    from IPython.core.error import UsageError

    def sxc_magic(line: str, cell: str):
        try:
            compile_cell(line, cell, ipython.user_ns)
        except ValueError as error:
            raise UsageError(str(error)) from None

    sxc_magic.__doc__ = "Compile the cell as Simplex code and bind its functions.\n\n" + \
        _parser().format_help()
    ipython.register_magic_function(sxc_magic, magic_kind="cell", magic_name="sxc")
