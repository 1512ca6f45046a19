"""sxc: a compiler for a numeric subset of Simplex with `dual` numbers.

    import sxc
    m = sxc.compile("fn f(x: dual) -> dual { x.exp() }")
    m.f(sxc.Dual(0.0, 1.0))      # Dual(val=1.0, der=1.0)
"""

__version__ = "0.1.0"

__all__ = ["CompileError", "Diagnostic", "Dual", "Module", "ResultError", "RuntimeError",
           "compile", "__version__"]

# The public names load their modules on first use, so that `sxc run` with a
# cached program imports neither the parser nor the type checker.
_LAZY = {"Dual": "sxc.api", "Module": "sxc.api", "RuntimeError": "sxc.api",
         "compile": "sxc.api", "CompileError": "sxc.diagnostics",
         "Diagnostic": "sxc.diagnostics", "ResultError": "sxc.boundary"}


def __getattr__(name: str):
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'sxc' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
