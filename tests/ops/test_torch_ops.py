"""PyTorch's functions (API §10, ops/torch_ops.py and ops/torch_dims.py): the op table
(forward against a NumPy reference, gradients to second order in both modes against finite
differences, float32, batched rules), then conventions and errors.

Inputs are drawn uniformly, so values never tie and every index is unique."""
import numpy as np
import pytest

import wengert as wg
from tests.ops.op_table import Row, generic_tests

S3 = [((2, 3, 4),)]
S2 = [((3, 4),)]
DIMS = [{"dim": 0}, {"dim": -1, "keepdim": True}, {"dim": 1}]


def _np_pick(x, idx, dim, keepdim):
    vals = np.take_along_axis(x, idx, axis=dim)
    if not keepdim:
        vals, idx = np.squeeze(vals, dim), np.squeeze(idx, dim)
    return vals, idx


def np_max_dim(x, dim, keepdim=False):
    return _np_pick(x, np.expand_dims(np.argmax(x, axis=dim), dim), dim, keepdim)


def np_min_dim(x, dim, keepdim=False):
    return _np_pick(x, np.expand_dims(np.argmin(x, axis=dim), dim), dim, keepdim)


def np_median_dim(x, dim, keepdim=False):
    k = (x.shape[dim] - 1) // 2
    return _np_pick(x, np.take(np.argsort(x, axis=dim), [k], axis=dim), dim, keepdim)


def np_mode_distinct(x, dim=-1, keepdim=False):
    """Every value appears once: the mode is the smallest (PyTorch's rule for ties)."""
    return np_min_dim(x, dim, keepdim)


def np_sort(x, dim=-1, descending=False):
    idx = np.argsort(-x if descending else x, axis=dim)
    return np.take_along_axis(x, idx, axis=dim), idx


def np_topk(x, k, dim=-1, largest=True):
    idx = np.take(np.argsort(-x if largest else x, axis=dim), np.arange(k), axis=dim)
    return np.take_along_axis(x, idx, axis=dim), idx


def np_kthvalue(x, k, dim=-1, keepdim=False):
    return _np_pick(x, np.take(np.argsort(x, axis=dim), [k - 1], axis=dim), dim, keepdim)


def _named(f, *args):
    def g(x, **kw):
        return tuple(f(x, *args, **kw))
    g.__name__ = getattr(f, "__name__", "f")
    return g


GATHER_INDEX = np.array([[2, 0], [1, 1], [0, 3]])          # (3, 2) into (3, 4) along dim 1
SCATTER_INDEX = np.array([[0, 2, 0], [1, 1, 1]])           # (2, 3) into (3, 4) along dim 0


def np_gather(x, dim, index):
    sl = tuple(slice(0, n) if ax != dim else slice(None) for ax, n in enumerate(index.shape))
    return np.take_along_axis(x[sl], index, axis=dim)


def np_scatter_add(x, src, dim, index):
    out = np.array(x, dtype=np.result_type(x, src))
    for pos in np.ndindex(*index.shape):
        tgt = list(pos)
        tgt[dim] = index[pos]
        out[tuple(tgt)] += src[pos]
    return out


def np_norm(x, p="fro", dim=None, keepdim=False):
    if p == "nuc":
        return np.linalg.norm(x, "nuc", axis=dim, keepdims=keepdim)
    if p == "fro":
        p = 2
    ax = None if dim is None else (dim if isinstance(dim, tuple) else (dim,))
    if p == np.inf:
        return np.max(np.abs(x), axis=ax, keepdims=keepdim)
    return np.sum(np.abs(x) ** p, axis=ax, keepdims=keepdim) ** (1 / p)


def _positive_away_from_zero(rng, shape, i):
    return rng.uniform(0.5, 2.0, shape) * rng.choice([-1, 1], shape)


ROWS = [
    Row(_named(wg.max), np_max_dim, id="max-dim", shapes=S3, kwargs=DIMS),
    Row(_named(wg.min), np_min_dim, id="min-dim", shapes=S3, kwargs=DIMS),
    Row(_named(wg.median), np_median_dim, id="median-dim", shapes=S3, kwargs=DIMS),
    Row(_named(wg.mode), np_mode_distinct, id="mode", shapes=S3, kwargs=[{}] + DIMS),
    Row(_named(wg.sort), np_sort, id="sort-dim", shapes=S3,
        kwargs=[{"dim": 0}, {"dim": -1, "descending": True}, {"descending": True}]),
    Row(_named(wg.topk, 2), lambda x, **kw: np_topk(x, 2, **kw), id="topk", shapes=S3,
        kwargs=[{}, {"dim": 0}, {"dim": 1, "largest": False}]),
    Row(_named(wg.kthvalue, 2), lambda x, **kw: np_kthvalue(x, 2, **kw), id="kthvalue",
        shapes=S3, kwargs=[{}, {"dim": 0, "keepdim": True}]),
    Row(lambda x: wg.gather(x, 1, GATHER_INDEX), lambda x: np_gather(x, 1, GATHER_INDEX),
        id="gather", ops=("gather",), shapes=S2),
    Row(lambda x, s: wg.scatter_add(x, 0, SCATTER_INDEX, s),
        lambda x, s: np_scatter_add(x, s, 0, SCATTER_INDEX), id="scatter_add", nargs=2,
        shapes=[((3, 4), (2, 3)), ((3, 4), (3, 4))]),
    Row(lambda x, **kw: wg.chunk(x, 3, **kw),
        lambda x, dim=0: tuple(np.array_split(x, [2, 4], axis=dim)), id="chunk",
        shapes=[((5, 4),)], kwargs=[{}, {"dim": 0}]),
    Row(lambda x: wg.split(x, [1, 3], dim=1), lambda x: tuple(np.split(x, [1], axis=1)),
        id="split-dim-sizes", shapes=S2),
    Row(lambda x: wg.split(x, 3, dim=1), lambda x: tuple(np.split(x, [3], axis=1)),
        id="split-dim-size", shapes=S2),
    Row(wg.unsqueeze, lambda x, dim: np.expand_dims(x, dim), id="unsqueeze", shapes=S2,
        kwargs=[{"dim": 0}, {"dim": -1}, {"dim": 1}]),
    Row(wg.permute, lambda x, dims: np.transpose(x, dims), id="permute", shapes=S3,
        kwargs=[{"dims": (2, 0, 1)}, {"dims": (0, 2, 1)}]),
    Row(wg.flatten, lambda x, start_dim=0, end_dim=-1: x.reshape(
        x.shape[:start_dim % x.ndim] + (-1,) + x.shape[end_dim % x.ndim + 1:]),
        id="flatten", shapes=S3, kwargs=[{}, {"start_dim": 1}, {"start_dim": 0, "end_dim": 1}]),
    Row(wg.clamp, np.clip, id="clamp", shapes=S2,
        kwargs=[{"min": -0.5, "max": 0.7}, {"min": 0.1}, {"max": -0.3}]),
    Row(lambda x, v: wg.masked_fill(x, np.array([True, False, False, True]), v),
        lambda x, v: np.where(np.array([True, False, False, True]), v, x),
        id="masked_fill", nargs=2, shapes=[((3, 4), ())]),
    Row(wg.norm, np_norm, id="norm", shapes=S3, sample=_positive_away_from_zero,
        kwargs=[{}, {"dim": 1}, {"p": 1, "dim": (0, 2), "keepdim": True}, {"p": 3, "dim": -1},
                {"p": "fro", "dim": (1, 2)}]),
    Row(wg.norm, np_norm, id="norm-nuc", shapes=[((3, 4),)],
        kwargs=[{"p": "nuc", "dim": (0, 1)}]),
    Row(lambda x: wg.index_select(x, 1, np.array([3, 0, 3])), lambda x: x[:, [3, 0, 3]],
        id="index_select", shapes=S2),
    Row(wg.movedim, np.moveaxis, id="movedim", shapes=S3,
        kwargs=[{"source": 0, "destination": -1}, {"source": (0, 1), "destination": (2, 0)}]),
    Row(wg.bmm, np.matmul, id="bmm", nargs=2, shapes=[((2, 3, 4), (2, 4, 5))]),
    Row(wg.mm, np.matmul, id="mm", nargs=2, shapes=[((3, 4), (4, 2))]),
    Row(lambda a, b, **kw: wg.cat([a, b], **kw),
        lambda a, b, dim=0: np.concatenate([a, b], axis=dim), id="cat", nargs=2,
        shapes=[((2, 3), (4, 3))], kwargs=[{}, {"dim": 0}, {"dim": -2}]),
]

test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = \
    generic_tests(ROWS)


# ---- conventions -----------------------------------------------------------------------------

def test_values_indices_are_named_tuples_with_integer_indices():
    x = wg.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]], requires_grad=True)
    for r in (wg.max(x, dim=1), x.min(dim=1), wg.median(x, dim=1), x.sort(dim=1),
              wg.topk(x, 2), x.kthvalue(1), wg.mode(x)):
        v, i = r
        assert r.values is v and r.indices is i
        assert i.dtype == np.int64 and not i.requires_grad
        assert v.requires_grad
        np.testing.assert_array_equal(np.take_along_axis(
            x.detach().numpy(), i.numpy().reshape(v.shape[:1] + (-1,)), 1).reshape(v.shape),
            v.detach().numpy())


def test_the_gradient_of_max_with_dim_goes_to_the_returned_index_among_ties():
    x = wg.tensor([[2.0, 2.0, 1.0]], requires_grad=True)
    x.max(dim=1).values.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[1.0, 0.0, 0.0]])     # first index
    y = wg.tensor([[2.0, 2.0, 1.0]], requires_grad=True)
    y.max(axis=1).sum().backward()                                      # NumPy's: split
    np.testing.assert_array_equal(y.grad.numpy(), [[0.5, 0.5, 0.0]])


def test_median_with_dim_is_the_lower_middle_numpy_median_the_mean():
    x = wg.tensor([1.0, 4.0, 2.0, 3.0])
    assert float(wg.median(x)) == 2.5
    r = x.median(dim=0)
    assert float(r.values) == 2.0 and int(r.indices) == 2


def test_median_with_dim_of_a_slice_holding_nan_is_nan():
    r = wg.median(wg.tensor([[1.0, np.nan, 3.0], [3.0, 1.0, 2.0]]), dim=1)
    assert np.isnan(r.values.numpy()[0]) and r.indices.numpy()[0] == 1
    assert r.values.numpy()[1] == 2.0 and r.indices.numpy()[1] == 2


def test_mode_picks_the_smallest_of_the_most_frequent_and_its_last_index():
    r = wg.mode(wg.tensor([[3.0, 1.0, 3.0, 1.0, 2.0], [5.0, 5.0, 4.0, 5.0, 4.0]]))
    np.testing.assert_array_equal(r.values.numpy(), [1.0, 5.0])
    np.testing.assert_array_equal(r.indices.numpy(), [3, 3])


def test_sort_descending_is_stable_and_puts_nan_first():
    r = wg.sort(wg.tensor([1.0, np.nan, 3.0, 1.0, 3.0]), descending=True)
    np.testing.assert_array_equal(r.indices.numpy(), [1, 2, 4, 0, 3])
    r = wg.sort(wg.tensor([3, 1, 3, 2]), dim=0, descending=True)
    np.testing.assert_array_equal(r.values.numpy(), [3, 3, 2, 1])
    np.testing.assert_array_equal(r.indices.numpy(), [0, 2, 3, 1])
    np.testing.assert_array_equal(wg.argsort(wg.tensor([2, 5, 5]), descending=True).numpy(),
                                  [1, 2, 0])


def test_scatter_add_accumulates_repeated_indices_and_its_gradient_gathers():
    x = wg.zeros(3, requires_grad=True)
    s = wg.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = wg.scatter_add(x, 0, wg.tensor([0, 2, 0, 0]), s)
    np.testing.assert_array_equal(y.detach().numpy(), [8.0, 0.0, 2.0])
    (y * wg.tensor([1.0, 10.0, 100.0])).sum().backward()
    np.testing.assert_array_equal(s.grad.numpy(), [1.0, 100.0, 1.0, 1.0])
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 10.0, 100.0])


def test_gather_with_a_repeated_index_accumulates_in_the_gradient():
    x = wg.tensor([[1.0, 2.0]], requires_grad=True)
    wg.gather(x, 1, wg.tensor([[1, 1, 0]])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[1.0, 2.0]])


def test_chunk_gives_fewer_parts_when_the_length_does_not_fill_them():
    assert [p.shape[0] for p in wg.chunk(wg.arange(6.0), 4)] == [2, 2, 2]
    assert [p.shape[0] for p in wg.arange(5.0).chunk(5)] == [1] * 5


def test_parts_of_chunk_and_split_are_views():
    x = wg.zeros(6)
    x.chunk(2)[1].fill_(1.0)
    x.split(2)[0].add_(2.0)
    np.testing.assert_array_equal(x.numpy(), [2, 2, 0, 1, 1, 1])


# ---- errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize("call,exc,words", [
    (lambda x: wg.topk(x, 5), ValueError, "k=5 is out of range"),
    (lambda x: wg.topk(x, 1.5), TypeError, "k must be an int"),
    (lambda x: wg.kthvalue(x, 0), ValueError, "out of range"),
    (lambda x: wg.max(x, dim=2), IndexError, "dim 2 is out of range"),
    (lambda x: wg.max(x, dim=(0, 1)), TypeError, "dim must be an int"),
    (lambda x: wg.max(x, dim=0, axis=1), TypeError, "takes no axis"),
    (lambda x: wg.max(x, x), TypeError, "wengert.maximum"),
    (lambda x: wg.min(x, x), TypeError, "wengert.minimum"),
    (lambda x: wg.median(x, axis=0, dim=0), TypeError, "takes no axis"),
    (lambda x: wg.sort(x, axis=0, dim=0), TypeError, "take no axis"),
    (lambda x: wg.max(wg.zeros((0, 2)), dim=0), IndexError, "size 0"),
    (lambda x: wg.gather(x, 1, wg.tensor([[0.5]])), TypeError, "integer tensor"),
    (lambda x: wg.gather(x, 1, wg.tensor([0, 1])), ValueError, "dimensions"),
    (lambda x: wg.gather(x, 1, wg.zeros((4, 1), dtype=wg.int64)), ValueError, "larger"),
    (lambda x: wg.gather(x, 1, wg.tensor([[3]])), IndexError, "out of range"),
    (lambda x: wg.scatter_add(x, 0, wg.tensor([[0]]), wg.ones(3)), ValueError, "dimensions"),
    (lambda x: wg.scatter_add(x, 0, wg.tensor([[0, 0]]), wg.ones((1, 1))), ValueError,
     "larger than src"),
    (lambda x: wg.chunk(x, 0), ValueError, "positive int"),
    (lambda x: wg.split(x, [1, 2], dim=0), ValueError, "do not add up"),
    (lambda x: wg.split(x, 1, axis=1, dim=0), TypeError, "not both"),
    (lambda x: wg.unsqueeze(x, 3), IndexError, "out of range"),
    (lambda x: wg.permute(x, (0, 0)), ValueError, "not a permutation"),
    (lambda x: wg.flatten(x, 1, 0), ValueError, "comes after"),
    (lambda x: wg.clamp(x), ValueError, "min=, max="),
    (lambda x: wg.masked_fill(x, x, 1.0), TypeError, "bool"),
    (lambda x: wg.masked_fill(x, wg.tensor([True, False, True]), 0.0), ValueError,
     "broadcast"),
    (lambda x: wg.masked_fill(x, x > 0, wg.ones(2)), ValueError, "0-d"),
    (lambda x: wg.norm(x, p="nuc"), ValueError, "two dimensions"),
    (lambda x: wg.norm(x, p="max"), ValueError, "p must be"),
    (lambda x: wg.norm(wg.tensor([1, 2])), TypeError, "floating"),
    (lambda x: wg.bmm(x, x), ValueError, "3-D"),
    (lambda x: wg.bmm(wg.ones((2, 1, 3)), wg.ones((3, 3, 1))), ValueError, "do not fit"),
    (lambda x: wg.mm(x, wg.ones(2)), ValueError, "2-D"),
    (lambda x: wg.cat([x, x], dim=1, axis=0), TypeError, "not both"),
    (lambda x: wg.index_select(x, 0, wg.tensor([[0]])), TypeError, "1-D integer"),
    (lambda x: wg.index_select(x, 0, wg.tensor([0.0])), TypeError, "1-D integer"),
])
def test_errors(call, exc, words):
    x = wg.tensor([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(exc, match=words):
        call(x)


# ---- found by attacking the PyTorch names ----------------------------------------------------

@pytest.mark.parametrize("src_dtype", [np.float64, np.float32, np.int64])
def test_scatter_add_keeps_the_inputs_dtype_as_pytorch_does(src_dtype):
    x = wg.tensor(np.arange(6, dtype=np.float32).reshape(2, 3), requires_grad=True)
    s = wg.tensor(np.ones((1, 3), dtype=src_dtype))
    y = wg.scatter_add(x, 0, wg.tensor([[1, 0, 1]]), s)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y.detach().numpy(), [[0, 2, 2], [4, 4, 6]])
    y.sum().backward()
    assert x.grad.dtype == np.float32
    z = wg.scatter_add(np.zeros((2, 3), np.float32), 0, np.array([[1, 0, 1]]), np.ones((1, 3)))
    assert z.dtype == np.float32


def test_scatter_add_of_a_float_src_into_an_integer_input_is_a_type_error():
    with pytest.raises(TypeError, match="cannot be added into an input of dtype int64"):
        wg.scatter_add(wg.zeros((2, 3), dtype=wg.int64), 0, wg.tensor([[1, 0, 1]]),
                       wg.ones((1, 3)))
    t = wg.zeros((2, 3), dtype=wg.int64)
    t.scatter_add_(0, wg.tensor([[1, 0, 1]]), wg.ones((1, 3), dtype=wg.int64))
    np.testing.assert_array_equal(t.numpy(), [[0, 1, 0], [1, 0, 1]])


def test_topk_of_a_0d_tensor_with_k_0_is_empty():
    r = wg.topk(wg.tensor(2.0), 0)
    assert r.values.shape == (0,) and r.indices.shape == (0,)
    assert r.indices.dtype == np.int64
    r = wg.topk(wg.tensor(2.0), 1)
    assert float(r.values) == 2.0 and r.indices.shape == ()
