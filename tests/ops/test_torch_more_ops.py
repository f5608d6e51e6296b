"""More of PyTorch's functions (ops/torch_indexing.py, ops/torch_math.py): the op table
(forward against a NumPy reference, gradients to second order in both modes against finite
differences, float32, batched rules)."""
import numpy as np

import wengert as wg
from tests.ops.op_table import Row, generic_tests

S2 = [((3, 4),)]
ADD_INDEX = np.array([0, 2, 0, 1])                       # 4 rows of source into 3, a repeat
SCATTER_UNIQUE = np.array([[0, 2, 1, 0], [2, 0, 0, 1]])  # (2, 4) into (3, 4) along dim 0
SCATTER_REPEATS = np.array([[3, 3], [1, 0], [2, 2]])     # (3, 2) into (3, 4) along dim 1
MASK = np.array([True, False, True, True])


def np_index_add(x, s, dim, index, alpha=1.0):
    out = np.array(x, dtype=np.result_type(x, s))
    for i, j in enumerate(index):
        tgt = [slice(None)] * x.ndim
        src = [slice(None)] * x.ndim
        tgt[dim], src[dim] = j, i
        out[tuple(tgt)] += alpha * s[tuple(src)]
    return out


def np_scatter(x, s, dim, index):
    """Written in index's C order, so a repeated place keeps the last entry."""
    out = np.array(x, dtype=np.result_type(x, s))
    for pos in np.ndindex(*index.shape):
        tgt = list(pos)
        tgt[dim] = index[pos]
        out[tuple(tgt)] = s[pos]
    return out


def np_cdist(a, b, p=2.0):
    d = np.abs(a[..., :, None, :] - b[..., None, :, :])
    if p == np.inf:
        return d.max(-1)
    return (d ** p).sum(-1) ** (1 / p)


def np_var_mean(x, dim=None, correction=1, keepdim=False):
    return (np.var(x, axis=dim, ddof=correction, keepdims=keepdim),
            np.mean(x, axis=dim, keepdims=keepdim))


def np_std_mean(x, **kw):
    v, m = np_var_mean(x, **kw)
    return np.sqrt(v), m


def _positive(rng, shape, i):
    return rng.uniform(0.5, 2.0, shape)


ROWS = [
    Row(lambda x: wg.narrow(x, 1, 1, 2), lambda x: x[:, 1:3], id="narrow", ops=("narrow",),
        shapes=S2),
    Row(lambda x: wg.narrow(x, 0, -2, 2), lambda x: x[-2:], id="narrow-negative-start",
        ops=("narrow",), shapes=S2),
    Row(lambda x, s: wg.index_add(x, 0, ADD_INDEX, s),
        lambda x, s: np_index_add(x, s, 0, ADD_INDEX), id="index_add", ops=("index_add",),
        nargs=2, shapes=[((3, 4), (4, 4))]),
    Row(lambda x, s: wg.index_add(x, 1, ADD_INDEX[:2], s, alpha=-2.5),
        lambda x, s: np_index_add(x, s, 1, ADD_INDEX[:2], -2.5), id="index_add-alpha",
        ops=("index_add",), nargs=2, shapes=[((2, 3), (2, 2))]),
    Row(lambda x, s: wg.scatter(x, 0, SCATTER_UNIQUE, s),
        lambda x, s: np_scatter(x, s, 0, SCATTER_UNIQUE), id="scatter", ops=("scatter",),
        nargs=2, shapes=[((3, 4), (2, 4)), ((3, 4), (3, 5))]),
    Row(lambda x, s: wg.scatter(x, 1, SCATTER_REPEATS, s),
        lambda x, s: np_scatter(x, s, 1, SCATTER_REPEATS), id="scatter-repeats-last-wins",
        ops=("scatter",), nargs=2, shapes=[((3, 4), (3, 2))]),
    Row(lambda x: wg.scatter(x, 1, SCATTER_REPEATS, value=2.5),
        lambda x: np_scatter(x, np.full(SCATTER_REPEATS.shape, 2.5), 1, SCATTER_REPEATS),
        id="scatter-value", ops=("scatter",), shapes=S2),
    Row(lambda x: wg.masked_select(x, MASK), lambda x: x[np.broadcast_to(MASK, x.shape)],
        id="masked_select", ops=("masked_select",), shapes=S2),
    Row(wg.lerp, lambda a, b, w: a + w * (b - a), id="lerp", nargs=3,
        shapes=[((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), ())]),
    Row(wg.rsqrt, lambda x: 1 / np.sqrt(x), id="rsqrt", sample=_positive),
    Row(lambda x: wg.clamp_min(x, 0.3), lambda x: np.maximum(x, 0.3), id="clamp_min",
        ops=("clamp_min",), shapes=S2),
    Row(lambda x: wg.clamp_max(x, -0.2), lambda x: np.minimum(x, -0.2), id="clamp_max",
        ops=("clamp_max",), shapes=S2),
    Row(lambda x, **kw: tuple(wg.var_mean(x, **kw)), np_var_mean, id="var_mean",
        ops=("var_mean",), shapes=[((3, 4),)],
        kwargs=[{}, {"dim": 1}, {"dim": 0, "keepdim": True, "correction": 0}]),
    Row(lambda x, **kw: tuple(wg.std_mean(x, **kw)), np_std_mean, id="std_mean",
        ops=("std_mean",), shapes=[((3, 4),)], kwargs=[{}, {"dim": (0, 1)}, {"dim": -1}]),
    Row(wg.addmm, lambda c, a, b, beta=1, alpha=1: beta * c + alpha * (a @ b), id="addmm",
        nargs=3, shapes=[((3, 2), (3, 4), (4, 2)), ((2,), (3, 4), (4, 2))],
        kwargs=[{}, {"beta": 0.5, "alpha": -2.0}]),
    Row(wg.cdist, np_cdist, id="cdist", nargs=2,
        shapes=[((3, 2), (4, 2)), ((2, 3, 5), (2, 4, 5))],
        kwargs=[{}, {"p": 1.0}, {"p": 3.0}, {"p": np.inf}]),
    Row(lambda a, b: wg.broadcast_tensors(a, b), lambda a, b: tuple(np.broadcast_arrays(a, b)),
        id="broadcast_tensors", ops=("broadcast_tensors",), nargs=2,
        shapes=[((3, 1), (4,)), ((2, 3), (2, 3))]),
]

test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = \
    generic_tests(ROWS)
