"""Observing op applications: a callback after every op call inside a block (the tape that
drawings, symbolic views and the compiler's tracer read)."""
import contextlib

from ._primitive import BinaryOp, LinearOp, PrimitiveOp, UnaryOp, watchers


OBSERVED = (UnaryOp, BinaryOp, LinearOp, PrimitiveOp)


@contextlib.contextmanager
def observe(callback):
    """Call ``callback(op, args, params, out)`` after every op application inside the block
    (the tape that drawings and symbolic views read). The op classes' ``__call__`` is
    swapped for the block only, so ops pay nothing while no one observes. Process-wide,
    like anomaly mode; blocks nest."""
    before = [(cls, cls.__dict__["__call__"]) for cls in OBSERVED]

    def observed(call):
        def call_and_report(self, *args, **params):
            out = call(self, *args, **params)
            callback(self, args, params, out)
            return out
        return call_and_report

    for cls, call in before:
        cls.__call__ = observed(call)  # type: ignore[method-assign]
    watchers.append(callback)
    try:
        yield
    finally:
        watchers.pop()
        for cls, call in before:
            cls.__call__ = call  # type: ignore[method-assign]
