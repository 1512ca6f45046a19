"""sxc: a compiler for a numeric subset of Simplex with `dual` numbers.

    import sxc
    m = sxc.compile("fn f(x: dual) -> dual { x.exp() }")
    m.f(sxc.Dual(0.0, 1.0))      # Dual(val=1.0, der=1.0)
"""

from sxc.api import Dual, Module, RuntimeError, compile
from sxc.diagnostics import CompileError, Diagnostic

__version__ = "0.1.0"

__all__ = ["CompileError", "Diagnostic", "Dual", "Module", "RuntimeError", "compile",
           "__version__"]
