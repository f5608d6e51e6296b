"""The ops, grouped by family; `registry` holds every primitive by name."""
import numpy as np

from ..tensor import FUNCTIONS, UFUNC_ACCUMULATIONS, UFUNC_REDUCTIONS, _strip
from . import _operands
from . import tensor_methods  # noqa: F401  (gives Tensor its operators and methods)
from . import inplace  # noqa: F401  (gives Tensor its in-place update, Tensor._inplace)
from . import torch_methods  # noqa: F401  (… and PyTorch's method names)
from . import torch_inplace_methods  # noqa: F401  (… and more of them)
from . import conv, elementwise, indexing, linalg, padding, reduction, shape  # noqa: F401
from . import special, ufunc_protocol  # noqa: F401
from . import ufuncs_more  # noqa: F401  (logaddexp.reduce & co.)
from . import complex  # noqa: F401
from ._primitive import registry  # noqa: F401

# NumPy functions that only ask about a value: answered on the data, never recorded.
_QUERIES = ("shape", "ndim", "size", "result_type", "iscomplexobj", "isrealobj", "can_cast",
            "array_equal", "allclose", "isclose", "array_equiv", "count_nonzero", "nonzero",
            "argwhere", "flatnonzero", "searchsorted", "array2string", "array_repr", "array_str",
            # integer, boolean or structural answers: nothing to differentiate
            "isneginf", "isposinf", "iscomplex", "isreal", "isin", "lexsort", "digitize",
            "einsum_path", "diag_indices_from", "tril_indices_from", "triu_indices_from",
            "ravel_multi_index", "unravel_index", "may_share_memory", "shares_memory",
            "isfortran", "min_scalar_type", "common_type")


# … of which these read no value (a shape, a dtype, memory, a printout)
_STRUCTURAL = frozenset({"shape", "ndim", "size", "result_type", "iscomplexobj", "isrealobj",
                         "can_cast", "array2string", "array_repr", "array_str", "einsum_path",
                         "diag_indices_from", "tril_indices_from", "triu_indices_from",
                         "may_share_memory", "shares_memory", "isfortran", "min_scalar_type",
                         "common_type"})


def _query(f):
    if f.__name__ in _STRUCTURAL:
        def q(*args, **kwargs):
            return f(*_strip(args), **_strip(kwargs))
        return q
    what = f"np.{f.__name__}"

    def answer(*args, **kwargs):
        return f(*_operands.read_values(args, what), **_operands.read_values(kwargs, what))
    return answer


_DISPATCHED = type(np.concatenate)     # NumPy functions that honour __array_function__


def install_numpy_dispatch(namespace, linalg_namespace, fft_namespace=()):
    """Map each NumPy function that wengert implements to wengert's, by name, so that
    np.f(tensor) dispatches through __array_function__ and stays differentiable."""
    for name, ours in dict(fft_namespace).items():
        theirs = getattr(np.fft, name, None)
        if isinstance(theirs, _DISPATCHED) and callable(ours):
            FUNCTIONS[theirs] = ours
    for name, ours in namespace.items():
        theirs = getattr(np, name, None)
        if isinstance(theirs, _DISPATCHED) and callable(ours) and ours is not theirs:
            FUNCTIONS[theirs] = ours
    for name, ours in linalg_namespace.items():
        theirs = getattr(np.linalg, name, None)
        if isinstance(theirs, _DISPATCHED) and callable(ours):
            FUNCTIONS[theirs] = ours
    # the commonest queries, answered without a generic unwrap (rules call them often)
    FUNCTIONS[np.shape] = lambda a: a.data.shape
    FUNCTIONS[np.ndim] = lambda a: a.data.ndim
    FUNCTIONS[np.size] = lambda a, axis=None: np.size(a.data, axis)
    for name in _QUERIES:
        f = getattr(np, name, None)
        if f is not None and f not in FUNCTIONS:
            FUNCTIONS[f] = _query(f)
    ns = namespace
    # ufunc.reduce / .accumulate default to axis=0, unlike sum() & co.
    for uf, name in ((np.add, "sum"), (np.multiply, "prod"), (np.maximum, "max"),
                     (np.minimum, "min")):
        UFUNC_REDUCTIONS[uf] = _reduce_with(ns[name])
    for uf, name in ((np.add, "cumsum"), (np.multiply, "cumprod")):
        UFUNC_ACCUMULATIONS[uf] = _accumulate_with(ns[name])


def _reduce_with(f):
    def reduce(a, axis=0, dtype=None, keepdims=False, **kw):
        if dtype is not None:
            a = a.astype(dtype)
        return f(a, axis=axis, keepdims=keepdims, **kw)
    return reduce


def _accumulate_with(f):
    def accumulate(a, axis=0, dtype=None):
        if dtype is not None:
            a = a.astype(dtype)
        return f(a, axis=axis)
    return accumulate
