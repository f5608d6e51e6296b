"""The ops, grouped by family; `registry` holds every primitive by name."""
import numpy as np

from ..tensor import FUNCTIONS, UFUNC_ACCUMULATIONS, UFUNC_REDUCTIONS
from . import elementwise, indexing, linalg, reduction, shape  # noqa: F401
from ._primitive import registry  # noqa: F401

# NumPy functions that only ask about a value: answered on the data, never recorded.
_QUERIES = ("shape", "ndim", "size", "result_type", "iscomplexobj", "isrealobj", "can_cast",
            "array_equal", "allclose", "isclose", "array_equiv", "count_nonzero", "nonzero",
            "argwhere", "flatnonzero", "searchsorted", "unique", "sort", "argsort", "histogram",
            "array2string", "array_repr", "array_str", "copyto")


def _query(f):
    from ..tensor import _strip

    def q(*args, **kwargs):
        return f(*_strip(args), **_strip(kwargs))
    return q


_DISPATCHED = type(np.concatenate)     # NumPy functions that honour __array_function__


def install_numpy_dispatch(namespace, linalg_namespace):
    """Map each NumPy function that wengert implements to wengert's, by name, so that
    np.f(tensor) dispatches through __array_function__ and stays differentiable."""
    for name, ours in namespace.items():
        theirs = getattr(np, name, None)
        if isinstance(theirs, _DISPATCHED) and callable(ours):
            FUNCTIONS[theirs] = ours
    for name, ours in linalg_namespace.items():
        theirs = getattr(np.linalg, name, None)
        if isinstance(theirs, _DISPATCHED) and callable(ours):
            FUNCTIONS[theirs] = ours
    for name in _QUERIES:
        f = getattr(np, name, None)
        if f is not None and f not in FUNCTIONS:
            FUNCTIONS[f] = _query(f)
    ns = namespace
    UFUNC_REDUCTIONS.update({
        np.add: lambda a, axis=0, dtype=None, keepdims=False: ns["sum"](a, axis=axis, dtype=dtype, keepdims=keepdims),
    })
    for uf, name in ((np.multiply, "prod"), (np.maximum, "max"), (np.minimum, "min")):
        if name in ns:
            UFUNC_REDUCTIONS[uf] = (lambda f: lambda a, axis=0, keepdims=False, **kw: f(a, axis=axis, keepdims=keepdims))(ns[name])
    for uf, name in ((np.add, "cumsum"), (np.multiply, "cumprod")):
        if name in ns:
            UFUNC_ACCUMULATIONS[uf] = (lambda f: lambda a, axis=0, **kw: f(a, axis=axis))(ns[name])
