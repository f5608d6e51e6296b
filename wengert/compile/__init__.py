"""wg.compile: a function traced once per input signature into straight-line NumPy.

`trace` records the Wengert list (primal and adjoint steps as ops), `ir` simplifies it
(common subexpressions, dead code; constant folding happens while tracing) and compares two
traces, `codegen` prints it as Python, `compiled` holds the cache, the guards and the
soundness check.
"""
from .compiled import Compiled, TraceError, compile

__all__ = ["compile", "Compiled", "TraceError"]
