"""What the caller gets back: results cut from this call's graph where nothing outside needs
it, ndarrays and floats at the outermost call when no Tensor came in, and the Jacobians'
blocks cut from one batched pass."""
import sys

import numpy as np

from ..tensor import Tensor, _make
from ..tree import tree_flatten, tree_unflatten
from ._args import _depth, _is_number, _regroup


class _Export:
    """Turns internal results (Tensors) into what the caller gets back.

    keep: the results must stay connected to the graph (something outside needs it).
    plain: the caller gave no Tensors (then ndarrays/floats come back at the outermost call).
    scalars: every input leaf was a Python number (0-d results become floats)."""
    __slots__ = ("keep", "plain", "scalars", "args", "arrays")

    def __init__(self, keep, args):
        self.keep = keep
        self.plain = self.scalars = False
        self.args = args
        self.arrays = None          # the caller's ndarrays among args, found when first needed
        if _depth.value == 0:
            plain = scalars = True
            arrays = []
            for a in args:                  # (plain loops: this runs on every transform call)
                if isinstance(a, (tuple, list, dict)):
                    leaves = tree_flatten(args)[0]
                    plain = not any(isinstance(x, Tensor) for x in leaves)
                    scalars = plain and all(_is_number(x) for x in leaves)
                    arrays = [x for x in leaves if type(x) is np.ndarray]
                    break
                if a is None:
                    continue
                if type(a) is np.ndarray:
                    scalars = False
                    arrays.append(a)
                elif isinstance(a, Tensor):
                    plain = scalars = False
                    break
                elif scalars:
                    scalars = _is_number(a)
            self.plain, self.scalars = plain, scalars
            if plain:
                self.arrays = arrays

    def __call__(self, t, like=None):
        """One result; `like` is the primal it is the gradient of (its type is kept)."""
        if not isinstance(t, Tensor):
            return t
        if not self.keep:
            t = _detach_deep(t)                      # only this call's own copies lie below
        if not self.plain or t.grad_fn is not None or t._tangents:
            return t
        a = _private(t.data)
        if a.base is None and self._given(a):
            a = a.copy()                # (the identity function: never the caller's own array)
        if like is not None:
            return float(a) if _is_number(like) and a.ndim == 0 else a
        return a.item() if self.scalars and a.ndim == 0 else a

    def tree(self, tree):
        leaves, td = tree_flatten(tree)
        return tree_unflatten(td, [self(x) for x in leaves])

    def _given(self, a):
        """Is a one of the arrays the caller passed in?"""
        arrays = self.arrays
        if arrays is None:
            arrays = self.arrays = [x for x in tree_flatten(self.args)[0]
                                    if type(x) is np.ndarray]
        for x in arrays:
            if x is a:
                return True
        return False


def _private(a):
    """a as an ndarray the caller may keep and change: a copy where a is read-only or a view
    of an array something else holds (never hand out a view of a seed or basis; a view of an
    array nothing else holds is the caller's alone)."""
    if type(a) is not np.ndarray:
        return np.asarray(a)
    if not a.flags.writeable or a.base is not None and sys.getrefcount(a.base) > 2:
        return a.copy()
    return a


def _detach_deep(t):
    """t and its tangents (at every level, nested) cut from the graph."""
    tans = t._tangents
    if t.grad_fn is None and not t._requires_grad and not tans:
        return t
    d = _make(t.data, None)
    if tans:
        d._tangents = {k: _detach_deep(v) for k, v in tans.items()}
    return d


_ONES: dict = {}


def _one_like(d):
    """1 in d's dtype and (one-element) shape: the seed of a gradient. Read-only and shared,
    since the backward pass never writes a seed."""
    key = (d.dtype, d.shape)
    one = _ONES.get(key)
    if one is None:
        _real_output(d.dtype, "a gradient")
        one = _ONES[key] = np.ones(d.shape, d.dtype)
        one.flags.writeable = False
    return one


def _real_output(dtype, what):
    if dtype.kind == "c":
        raise TypeError(f"{what} of a complex output is ambiguous (of its real part? its "
                        f"modulus?): make the function return a real value, e.g. np.real, "
                        f"np.imag or np.abs of it (jacfwd and jvp accept complex outputs)")


def _basis(n, offset, size, shape, dtype):
    """Rows offset … offset+size of the n×n identity, shaped (n,) + shape: the basis vectors
    that belong to one leaf of size `size` among all the leaves."""
    e = np.eye(n, size, -offset, dtype=dtype)
    return e.reshape((n,) + tuple(shape))


def _jac_block(t, rows, lead_first, out_shape, in_shape):
    """Cut one leaf pair's block from a batched result and shape it out_shape + in_shape.

    t: (n,) + shape where the batch runs over `rows` (a slice); lead_first says whether the
    batch indexes the output (jacrev: batch = out elements, trailing = input shape) or the
    input (jacfwd: batch = in elements, trailing = output shape)."""
    b = t if rows is None or (rows.start == 0 and rows.stop == t.shape[0]) else t[rows]
    target = tuple(out_shape) + tuple(in_shape)
    if lead_first:                     # (m_k,) + in_shape → out_shape + in_shape
        return _reshape(b, target)
    m = int(np.prod(out_shape, dtype=np.int64))
    n = int(np.prod(in_shape, dtype=np.int64))
    b = _reshape(b, (n, m))            # (n_j,) + out_shape → out_shape + in_shape
    return _reshape(b.T, target)


def _reshape(b, shape):
    # no op (and no node) when the shape is already right: the common 1-D case
    return b if b.shape == shape else b.reshape(shape)


def _jac_tree(blocks, odef, defs, single):
    """blocks[k][j]: block for output leaf k, input leaf j → out tree of (in trees)."""
    per_out = []
    for row in blocks:
        per_arg = _regroup(row, defs)
        per_out.append(per_arg[0] if single else tuple(per_arg))
    return tree_unflatten(odef, per_out)
