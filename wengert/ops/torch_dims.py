"""PyTorch's `dim=` and `keepdim=` on NumPy's functions (API §10).

`dim=`/`keepdim=` are accepted wherever `axis=`/`keepdims=` are. Most functions mean the same
thing under both spellings, and `accepting_dim` renames the keywords. Where the two libraries
give one name two meanings, the NumPy spelling (positional or `axis=`) keeps NumPy's meaning
and the PyTorch spelling (`dim=`, `descending=`) gives PyTorch's:

    max, min, median, nanmedian, sort
                             with dim=: a named tuple (values, indices); median and
                             nanmedian the lower middle
    split                    with dim=: parts of split_size elements (NumPy: that many parts)
    squeeze                  with dim=: a dim that is not of length 1 is left as it is
    std, var                 unbiased= (PyTorch's) sets correction; the default stays ddof=0
"""
import builtins
import functools
import inspect

import numpy as np

from ..tensor import Tensor
from . import indexing as _indexing, reduction as _reduction, shape as _shape
from . import nanreductions as _nanreductions, statistics as _statistics
from .torch_ops import split_sizes
from .values_indices import max_dim, median_dim, min_dim, nanmedian_dim, sort_dim

__all__ = ["max", "min", "median", "nanmedian", "sort", "argsort", "split", "squeeze"]


def merge_dims(fname, axis, dim, keepdims, keepdim):
    """(axis, keepdims) from NumPy's and PyTorch's spellings; both of one is a TypeError."""
    if dim is not None:
        if axis is not None:
            raise TypeError(f"wengert.{fname}: give axis= (NumPy) or dim= (PyTorch), not both")
        axis = tuple(dim) if isinstance(dim, list) else dim
    if keepdim is not None:
        if keepdims:
            raise TypeError(f"wengert.{fname}: give keepdims= (NumPy) or keepdim= (PyTorch), "
                            f"not both")
        keepdims = keepdim
    return axis, keepdims


def translate(fname, kwargs):
    """kwargs with dim=/keepdim=/unbiased= renamed to NumPy's axis=/keepdims=/correction=."""
    kwargs = dict(kwargs)
    if "dim" in kwargs:
        dim = kwargs.pop("dim")
        if "axis" in kwargs:
            raise TypeError(f"wengert.{fname}: give axis= (NumPy) or dim= (PyTorch), not both")
        kwargs["axis"] = tuple(dim) if isinstance(dim, list) else dim
    if "keepdim" in kwargs and kwargs["keepdim"] is None:
        del kwargs["keepdim"]                    # (None: not given, as the methods read it)
    if "keepdim" in kwargs:
        keepdim = kwargs.pop("keepdim")
        if "keepdims" in kwargs:
            raise TypeError(f"wengert.{fname}: give keepdims= (NumPy) or keepdim= (PyTorch), "
                            f"not both")
        kwargs["keepdims"] = keepdim
    if "unbiased" in kwargs:
        kwargs["correction"] = unbiased_correction(fname, kwargs.get("ddof", 0),
                                                   kwargs.get("correction"),
                                                   kwargs.pop("unbiased"))
    return kwargs


def unbiased_correction(fname, ddof, correction, unbiased):
    """PyTorch's unbiased= as NumPy's correction (True: 1, False: 0), given alone."""
    if ddof or correction is not None:
        raise TypeError(f"wengert.{fname}: give one of ddof=, correction= and unbiased=")
    return 1 if unbiased else 0


_DIM_NOTE = ("\n\n    PyTorch's spelling is accepted too: dim= for axis=, keepdim= for keepdims="
             "{extra}.\n")


def accepting_dim(f, fname=None, unbiased=False):
    """f that also takes dim=/keepdim= (and unbiased=, for std and var) for NumPy's
    axis=/keepdims= (and correction=); the keywords are only renamed, the meaning is f's."""
    fname = fname or f.__name__
    names = ("dim", "keepdim", "unbiased") if unbiased else ("dim", "keepdim")
    try:
        params = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        params = None
    takes = None if params is None else {p.name for p in params}
    # the positions at which axis= and keepdims= may also be given (to name a clash with dim=)
    at = {} if params is None else {
        p.name: i for i, p in enumerate(params)
        if p.name in ("axis", "keepdims") and p.kind == p.POSITIONAL_OR_KEYWORD}

    def with_dim(*args, **kwargs):
        if kwargs and ("dim" in kwargs or "keepdim" in kwargs or "unbiased" in kwargs):
            if "unbiased" in kwargs and not unbiased:
                raise TypeError(f"wengert.{fname}() got an unexpected keyword argument "
                                f"'unbiased'")
            if kwargs.get("keepdim") is not None and takes is not None \
                    and "keepdims" not in takes:
                raise TypeError(f"wengert.{fname}() takes no keepdim=: it reduces no dim, "
                                f"so there is none to keep")
            for numpy_name, torch_name in (("axis", "dim"), ("keepdims", "keepdim")):
                if kwargs.get(torch_name) is not None and len(args) > at.get(numpy_name, 1e9):
                    raise TypeError(f"wengert.{fname}: {numpy_name} given by position (argument "
                                    f"{at[numpy_name] + 1}) and {torch_name}= too; give "
                                    f"one, not both")
            kwargs = translate(fname, kwargs)
        return f(*args, **kwargs)

    functools.update_wrapper(with_dim, f)
    try:
        sig = inspect.signature(f)
    except (TypeError, ValueError):
        sig = None
    if sig is not None:
        params = [p for p in sig.parameters.values() if p.kind != p.VAR_KEYWORD]
        varkw = [p for p in sig.parameters.values() if p.kind == p.VAR_KEYWORD]
        taken = set(sig.parameters)
        params += [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=None)
                   for n in names if n not in taken]
        setattr(with_dim, "__signature__", sig.replace(parameters=params + varkw))
    extra = ", unbiased= for correction= (True: 1, False: 0)" if unbiased else ""
    with_dim.__doc__ = (f.__doc__ or fname).rstrip() + _DIM_NOTE.format(extra=extra)
    return with_dim


def _not_a_tensor_axis(fname, axis, other):
    if isinstance(axis, (Tensor, np.ndarray)):
        raise TypeError(f"wengert.{fname}(a, b) with a tensor b: the second argument is "
                        f"NumPy's axis; for PyTorch's elementwise {fname}(a, b) use "
                        f"wengert.{other}(a, b)")


def max(a, axis=None, out=None, keepdims=False, initial=None, where=None, *, dim=None,
        keepdim=None):
    """The largest element over `axis` (NumPy's max), or, with PyTorch's dim=, a named tuple
    (values, indices) of the largest element along dim and its index.

    d max / d aᵢ = 1 where aᵢ is the maximum: with axis=, split evenly among ties (NumPy
    convention, see wengert.reduction); with dim=, all to the returned index.

    Parameters
    ----------
    a : Tensor or array_like
    axis : int, tuple of ints or None
        NumPy's axis; the result is the values alone.
    dim : int, optional
        PyTorch's dim; the result is (values, indices) with fields .values and .indices.
    keepdims, keepdim : bool
        Keep the reduced axis with length 1.
    out, initial, where
        As in NumPy (not with dim=).

    Examples
    --------
    >>> import wengert as wg
    >>> a = wg.tensor([[1., 5.], [7., 2.]])
    >>> a.max(axis=1)
    tensor([5., 7.])
    >>> wg.max(a, dim=1).indices
    tensor([1, 0])
    """
    return _extreme("max", max_dim, _reduction.max, "maximum", a, axis, out, keepdims,
                    initial, where, dim, keepdim)


def min(a, axis=None, out=None, keepdims=False, initial=None, where=None, *, dim=None,
        keepdim=None):
    """The smallest element over `axis` (NumPy's min), or, with PyTorch's dim=, a named
    tuple (values, indices) of the smallest element along dim and its index.

    d min / d aᵢ = 1 where aᵢ is the minimum (axis=: split among ties; dim=: all to the
    returned index). Parameters as in `max`.

    Examples
    --------
    >>> import wengert as wg
    >>> wg.min(wg.tensor([[1., 5.], [7., 2.]]), dim=0)
    min(values=tensor([1., 2.]), indices=tensor([0, 1]))
    """
    return _extreme("min", min_dim, _reduction.min, "minimum", a, axis, out, keepdims,
                    initial, where, dim, keepdim)


def _extreme(name, by_dim, reduce, elementwise, a, axis, out, keepdims, initial, where, dim,
             keepdim):
    """max or min: PyTorch's (values, indices) along `dim`, else NumPy's reduction."""
    if dim is not None:
        if axis is not None or initial is not None or where is not None or out is not None:
            raise TypeError(f"wengert.{name}: dim= (PyTorch's {name}, giving values and "
                            f"indices) takes no axis=, initial=, where= or out=")
        return by_dim(a, dim, bool(keepdims or keepdim))
    _not_a_tensor_axis(name, axis, elementwise)
    if keepdim is not None:
        axis, keepdims = merge_dims(name, axis, None, keepdims, keepdim)
    return reduce(a, axis=axis, out=out, keepdims=keepdims, initial=initial, where=where)


def median(a, axis=None, out=None, overwrite_input=False, keepdims=False, *, dim=None,
           keepdim=None):
    """The middle value over `axis` (NumPy's median: the mean of the two middle values for
    an even count), or, with PyTorch's dim=, a named tuple (values, indices) of the lower
    middle value along dim and its index (PyTorch's median).

    d median / d aᵢ = 1 at the middle element (½ each for NumPy's two middle ones).

    Examples
    --------
    >>> import wengert as wg
    >>> a = wg.tensor([1., 4., 2., 3.])
    >>> wg.median(a)
    tensor(2.5)
    >>> wg.median(a, dim=0)
    median(values=tensor(2.), indices=tensor(2))
    """
    if dim is not None:
        if axis is not None or out is not None:
            raise TypeError("wengert.median: dim= (PyTorch's median) takes no axis= or out=")
        return median_dim(a, dim, bool(keepdims or keepdim))
    if keepdim is not None:
        axis, keepdims = merge_dims("median", axis, None, keepdims, keepdim)
    return _statistics.median(a, axis=axis, out=out, overwrite_input=overwrite_input,
                              keepdims=keepdims)


def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=False, *, dim=None,
              keepdim=None):
    """The middle of the values that are not NaN over `axis` (NumPy's nanmedian: the mean of
    the two middle ones for an even count), or, with PyTorch's dim=, a named tuple (values,
    indices) of the lower middle one along dim and its index (PyTorch's nanmedian; NaN where
    a slice holds only NaN).

    d nanmedian / d aᵢ = 1 at the middle element (½ each for NumPy's two middle ones).

    Examples
    --------
    >>> import wengert as wg
    >>> a = wg.tensor([1., float("nan"), 4., 2., 3.])
    >>> wg.nanmedian(a)
    tensor(2.5)
    >>> wg.nanmedian(a, dim=0)
    nanmedian(values=tensor(2.), indices=tensor(3))
    """
    if dim is not None:
        if axis is not None or out is not None:
            raise TypeError("wengert.nanmedian: dim= (PyTorch's nanmedian) takes no axis= or "
                            "out=")
        return nanmedian_dim(a, dim, bool(keepdims or keepdim))
    if keepdim is not None:
        axis, keepdims = merge_dims("nanmedian", axis, None, keepdims, keepdim)
    return _nanreductions.nanmedian(a, axis=axis, out=out, overwrite_input=overwrite_input,
                                    keepdims=keepdims)


def sort(a, axis=-1, kind=None, order=None, *, stable=None, dim=None, descending=None):
    """`a` sorted along `axis` (NumPy's sort: the values), or, with PyTorch's dim= or
    descending=, a named tuple (values, indices) as PyTorch's sort (stable; NaN largest).

    d values / d aᵢ = g at the position aᵢ moved to.

    Examples
    --------
    >>> import wengert as wg
    >>> a = wg.tensor([3., 1., 2.])
    >>> wg.sort(a)
    tensor([1., 2., 3.])
    >>> wg.sort(a, dim=0, descending=True).indices
    tensor([0, 2, 1])
    """
    if dim is not None or descending is not None:
        if axis != -1 or kind is not None or order is not None:
            raise TypeError("wengert.sort: dim=/descending= (PyTorch's sort) take no axis=, "
                            "kind= or order=")
        return sort_dim(a, -1 if dim is None else dim, bool(descending), bool(stable))
    return _indexing.sort(a, axis=axis, kind=kind, order=order, stable=stable)


def argsort(a, axis=-1, kind=None, order=None, *, stable=None, dim=None, descending=False):
    """The indices that sort `a` along `axis` (dim= is PyTorch's name for it); with
    descending=True, largest first (stable: ties keep their order). An integer constant.

    Examples
    --------
    >>> import wengert as wg
    >>> wg.argsort(wg.tensor([3., 1., 2.]), dim=0, descending=True)
    tensor([0, 2, 1])
    """
    axis, _ = merge_dims("argsort", None if axis == -1 else axis, dim, False, None)
    axis = -1 if axis is None else axis
    if descending:
        if kind is not None or order is not None:
            raise TypeError("wengert.argsort: descending=True takes no kind= or order=")
        return sort_dim(a, axis, True, True).indices
    return _indexing.argsort(a, axis=axis, kind=kind, order=order, stable=stable)


def split(ary, indices_or_sections, axis=0, *, dim=None):
    """NumPy's split (an int: that many equal parts; a list: the cut positions), or, with
    PyTorch's dim=, PyTorch's split (an int: parts of that many elements, the last smaller;
    a list: the sizes of the parts). Each part is a view; its gradient lands in its place.

    Examples
    --------
    >>> import wengert as wg
    >>> [p.shape for p in wg.split(wg.arange(6.), 2)]
    [(3,), (3,)]
    >>> [p.shape for p in wg.split(wg.arange(6.), 2, dim=0)]
    [(2,), (2,), (2,)]
    """
    if dim is not None:
        if axis != 0:
            raise TypeError("wengert.split: give axis= (NumPy) or dim= (PyTorch), not both")
        return split_sizes(ary, indices_or_sections, dim)
    return _shape.split(ary, indices_or_sections, axis=axis)


def squeeze(a, axis=None, *, dim=None):
    """Length-1 axes removed: all, or those in `axis` (NumPy: each must have length 1), or,
    with PyTorch's dim=, those in dim that have length 1 (others are left as they are).

    Examples
    --------
    >>> import wengert as wg
    >>> wg.squeeze(wg.zeros((1, 3)), dim=1).shape
    (1, 3)
    """
    if dim is None:
        return _shape.squeeze(a, axis)
    if axis is not None:
        raise TypeError("wengert.squeeze: give axis= (NumPy) or dim= (PyTorch), not both")
    shape = np.shape(a.data if isinstance(a, Tensor) else a)
    nd = len(shape)
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    for d in dims:
        if isinstance(d, (bool, np.bool_)) or not isinstance(d, (int, np.integer)) \
                or not -builtins.max(nd, 1) <= d < builtins.max(nd, 1):
            raise IndexError(f"wengert.squeeze: dim {d!r} is out of range for a tensor of "
                             f"{nd} dimensions")
    keep = tuple(d % nd for d in dims if nd and shape[d % nd] == 1)
    return _shape.squeeze(a, keep) if keep else _shape.squeeze(a, ()) if nd else a

