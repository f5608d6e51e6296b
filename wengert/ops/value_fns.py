"""Functions of values that are not differentiable (argmax, argmin, argsort, argpartition, all,
any, searchsorted): their results
never require grad, and the observers of op applications (`observe()`) still see each call, so
a compiling tracer records it as a step and not as a constant.
"""
import numpy as np

from ..tensor import Tensor, _make
from ._operands import value_of
from ._primitive import watchers as _watchers


class ValueFn:
    """A not-differentiable function of values, as the observers of op applications see it
    (`observe()`: a compiling tracer records it as a step, not as a constant)."""
    __slots__ = ("name", "forward")

    def __init__(self, forward):
        self.name, self.forward = forward.__name__, forward


VALUE_FNS = {f: ValueFn(f) for f in (np.argmax, np.argmin, np.argsort, np.argpartition,
                                      np.all, np.any, np.searchsorted)}


def value_result(find, a, params):
    """find(a's value, **params) as a Tensor that never requires grad, reported to the
    observers of op applications."""
    values = {k: value_of(v) if isinstance(v, Tensor) else v for k, v in params.items()}
    out = _make(np.asarray(find(value_of(a), **values)), None)
    if _watchers:
        _watchers[-1](VALUE_FNS[find], (a,), params, out)
    return out
