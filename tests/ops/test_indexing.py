import numpy as np
import pytest

import wengert as wg
from tests.helpers import randn, randn_leaf
from tests.ops.op_table import Row, generic_tests
from wengert.checking import check_grads
from wengert.ops.indexing import _scatter

M = np.array([[True, False, True, False], [False, False, True, True], [True, True, False, False]])
ALONG = np.array([[0, 0, 3], [1, 1, 1], [2, 3, 0]])

# name → index into a (3, 4) array. Each row applies sin after indexing, so the second-order
# check differentiates the scatter (getitem's transpose) through its own transpose, getitem.
INDEXES = {
    "int": 1,
    "negative-int": -1,
    "int-int": (2, -3),
    "slice": slice(1, None),
    "step": (slice(None), slice(None, None, 2)),
    "negative-step": (slice(None, None, -1), slice(3, 0, -2)),
    "ellipsis": (Ellipsis, 1),
    "newaxis": (None, slice(None), None, 0),
    "ellipsis-newaxis": (Ellipsis, None),
    "empty-slice": slice(2, 2),
    "int-list": [2, 0],
    "repeated": [0, 2, 0, 0],
    "negative-array": (slice(None), np.array([-1, 0, -1])),
    "2d-array": np.array([[0, 1], [1, 1]]),
    "pairs": (np.arange(3), np.array([3, 3, 0])),
    "broadcast-arrays": (np.array([[0], [2]]), np.array([1, 1, 3])),
    "separated": (np.array([0, 2, 2]), slice(None, None, -1)),
    "int-and-array-apart": (1, np.array([0, 0, 3])),
    "mask": M,
    "row-mask": np.array([True, False, True]),
    "column-mask": (slice(None), np.array([False, True, True, False])),
    "mask-and-array": (np.array([True, False, True]), np.array([3, 3])),
    "true": True,
    "ellipsis-mask": (Ellipsis, np.array([True, False, False, True])),
    "empty-list": [],
}


def _index_row(name, index):
    return Row(lambda x: wg.sin(x[index]), lambda x: np.sin(x[index]), ops=("getitem",),
               shapes=[((3, 4),)], id=f"getitem-{name}")


def _np_setitem(x, index, v):
    out = np.array(x, copy=True)
    out[index] = v
    return out


def _setitem_row(name, index, v_shape):
    return Row(lambda x, v: wg.sin(wg.setitem(x, index, v)),
               lambda x, v: np.sin(_np_setitem(x, index, v)), ops=("setitem",), nargs=2,
               shapes=[((3, 4), v_shape)], id=f"setitem-{name}")


def _np_scatter(g, index, x_shape):
    out = np.zeros(x_shape)
    np.add.at(out, index, g)
    return out


def _scatter_row(name, index, g_shape, x_shape):
    return Row(lambda g: wg.sin(_scatter(g, index=index, x_shape=x_shape)),
               lambda g: np.sin(_np_scatter(g, index, x_shape)), ops=("scatter_add",),
               shapes=[(g_shape,)], id=f"scatter_add-{name}")


ROWS = [_index_row(k, v) for k, v in INDEXES.items()] + [
    Row(lambda x: wg.sin(x[()]), lambda x: np.sin(x[()]), ops=("getitem",), shapes=[((),)],
        id="getitem-0d"),
    Row(lambda x: wg.sin(x[None]), lambda x: np.sin(x[None]), ops=("getitem",),
        shapes=[((),), ((3,),)], id="getitem-none"),
    Row(lambda x: wg.sin(wg.getitem(x, (1, slice(None)))), lambda x: np.sin(x[1, :]),
        ops=("getitem",), shapes=[((2, 3),)], id="getitem-function"),
    _setitem_row("int", 1, (4,)),
    _setitem_row("broadcast-value", (slice(None), 1), ()),
    _setitem_row("broadcast-row", (slice(0, 2),), (1, 4)),
    _setitem_row("extra-unit-axes", (slice(0, 2),), (1, 1, 4)),
    _setitem_row("array", (np.array([2, 0]), slice(1, 3)), (2, 2)),
    _setitem_row("repeated", np.array([1, 1, 0]), (3, 4)),
    _setitem_row("repeated-broadcast", (np.array([1, 1, 1]), 2), ()),
    _setitem_row("mask", M, (6,)),
    _setitem_row("mask-scalar", M, ()),
    _setitem_row("negative-step", (slice(None, None, -1), 3), (3,)),
    _setitem_row("pairs", (np.array([0, 2]), np.array([1, 3])), (2,)),
    _setitem_row("tensor-index", (wg.tensor([2, 0]),), (4,)),
    _scatter_row("repeated", (np.array([0, 0, 2]),), (3, 4), (3, 4)),
    _scatter_row("basic", (slice(None), 1), (3,), (3, 4)),
    _scatter_row("mask", (M,), (6,), (3, 4)),
    Row(lambda x: wg.sin(wg.take(x, [0, 2, 2, -1])), lambda x: np.sin(np.take(x, [0, 2, 2, -1])),
        shapes=[((3, 4),)], id="take-flat", ops=("take",)),
    Row(lambda x, **kw: wg.sin(wg.take(x, np.array([[0, 1], [1, 1]]), **kw)),
        lambda x, **kw: np.sin(np.take(x, np.array([[0, 1], [1, 1]]), **kw)),
        shapes=[((3, 4),)], id="take-axis", ops=("take",),
        kwargs=[{"axis": 0}, {"axis": -1}, {"axis": 1, "mode": "clip"}]),
    Row(lambda x: wg.sin(wg.take(x, [5, -1, 7], axis=1, mode="wrap")),
        lambda x: np.sin(np.take(x, [5, -1, 7], axis=1, mode="wrap")),
        shapes=[((3, 4),)], id="take-wrap", ops=("take",)),
    Row(lambda x, **kw: wg.sin(wg.take_along_axis(x, ALONG, **kw)),
        lambda x, **kw: np.sin(np.take_along_axis(x, ALONG, **kw)),
        shapes=[((3, 4),)], id="take_along_axis", ops=("take_along_axis",),
        kwargs=[{"axis": 1}, {"axis": -1}]),
    Row(lambda x: wg.sin(wg.take_along_axis(x, np.array([[2, 0, 2, 1]]), axis=0)),
        lambda x: np.sin(np.take_along_axis(x, np.array([[2, 0, 2, 1]]), axis=0)),
        shapes=[((3, 4),)], id="take_along_axis-broadcast", ops=("take_along_axis",)),
    Row(lambda x: wg.sin(wg.take_along_axis(x, np.array([5, 0, 5]), axis=None)),
        lambda x: np.sin(np.take_along_axis(x, np.array([5, 0, 5]), axis=None)),
        shapes=[((3, 4),)], id="take_along_axis-flat", ops=("take_along_axis",)),
]

test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = \
    generic_tests(ROWS)


# ---- getitem ------------------------------------------------------------------------------------

def test_repeated_indices_accumulate():
    x = randn_leaf(4)
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 0.0, 1.0, 0.0])


def test_repeated_rows_accumulate_like_an_embedding():
    w = randn_leaf(5, 3)
    idx = np.array([[4, 1], [1, 1]])
    g = randn(2, 2, 3, seed=1)
    w[idx].backward(g)
    want = np.zeros((5, 3))
    np.add.at(want, idx, g)
    np.testing.assert_allclose(w.grad.numpy(), want)


def test_minibatch_rows_without_repeats():
    x = randn_leaf(10, 3)
    idx = np.array([7, 2, 9])
    g = randn(3, 3, seed=2)
    x[idx].backward(g)
    want = np.zeros((10, 3))
    want[idx] = g
    np.testing.assert_array_equal(x.grad.numpy(), want)


def test_label_picking_loss_gradient():
    logp = randn_leaf(4, 3)
    labels = np.array([2, 0, 2, 2])
    (-logp[np.arange(4), labels].mean()).backward()
    want = np.zeros((4, 3))
    want[np.arange(4), labels] = -0.25
    np.testing.assert_array_equal(logp.grad.numpy(), want)


def test_int_and_bool_tensors_work_as_indices():
    x = randn_leaf(3, 4)
    i = wg.tensor([2, 2, 0])
    m = wg.tensor(M)
    np.testing.assert_array_equal(x[i].numpy(force=True), x.numpy(force=True)[[2, 2, 0]])
    np.testing.assert_array_equal(x[m].numpy(force=True), x.numpy(force=True)[M])
    np.testing.assert_array_equal(x[wg.tensor(1), i].numpy(force=True), x.numpy(force=True)[1, [2, 2, 0]])
    (x[i].sum() + x[m].sum()).backward()
    np.testing.assert_array_equal(x.grad.numpy(), M + np.array([[1.0], [0.0], [2.0]]))


def test_bool_masks_full_and_partial():
    x = randn_leaf(3, 4)
    y = x[x > 0]
    np.testing.assert_array_equal(y.numpy(force=True), x.numpy(force=True)[x.numpy(force=True) > 0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(force=True), (x.numpy(force=True) > 0).astype(float))
    z = randn_leaf(2, 3, 4)
    rows = np.array([True, False])
    np.testing.assert_array_equal(z[rows, 1:].numpy(force=True), z.numpy(force=True)[rows, 1:])
    z[rows, 1:].sum().backward()
    assert z.grad.numpy()[0, 1:].sum() == 8 and z.grad.numpy().sum() == 8


def test_ellipsis_and_newaxis():
    x = randn_leaf(2, 3, 4)
    y = x[..., None, 1]
    assert y.shape == (2, 3, 1)
    y.backward(np.ones((2, 3, 1)))
    want = np.zeros((2, 3, 4))
    want[..., 1] = 1
    np.testing.assert_array_equal(x.grad.numpy(), want)
    assert x[wg.newaxis].shape == (1, 2, 3, 4)


def test_negative_steps():
    x = randn_leaf(6)
    y = x[::-2]
    np.testing.assert_array_equal(y.numpy(force=True), x.numpy(force=True)[::-2])
    y.backward(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 3.0, 0.0, 2.0, 0.0, 1.0])


def test_separated_arrays_move_to_the_front_like_numpy():
    x = randn_leaf(2, 3, 4)
    idx = (np.array([0, 1]), slice(None), np.array([3, 3]))
    assert x[idx].shape == x.numpy(force=True)[idx].shape == (2, 3)
    assert x[0, :, [1, 2]].shape == (2, 3)
    check_grads(lambda x: wg.sin(x[idx]), [randn(2, 3, 4)], order=2)


def test_iterating_and_unpacking_are_differentiable():
    x = randn_leaf(3, 2)
    a, b, c = x
    (a * 1 + b * 2 + c * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[1, 1], [2, 2], [3, 3]])


def test_index_array_changed_after_the_forward_does_not_change_the_gradient():
    x = randn_leaf(4)
    idx = np.array([0, 1])
    y = x[idx]
    idx[:] = 3
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0, 0.0, 0.0])


def test_float32_scatter_keeps_float32():
    x = wg.tensor(randn(5, 2), dtype=wg.float32, requires_grad=True)
    x[[1, 1, 4]].sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.numpy()[:, 0], [0, 2, 0, 0, 1])


@pytest.mark.parametrize("create", [False, True], ids=["arrays", "tensors"])
def test_getitem_rules_pass_a_leading_batch_through(create):
    """Batched cotangents stay in front even where NumPy moves array-indexed axes first;
    on arrays, and on Tensors as create_graph=True runs them."""
    wrap = (lambda a: wg.tensor(a, requires_grad=True)) if create else (lambda a: a)
    for index in [(slice(None), 1), (np.array([0, 0, 1]),), (np.array([1, 0]), slice(None), 2),
                  (1, slice(None), np.array([3, 3])), (M[:2, :3],), (None, Ellipsis, -1)]:
        x = randn_leaf(2, 3, 4)
        y = x[index]
        node = y.grad_fn
        G = randn(2, 2, *y.shape, seed=1)
        batched = node.op.backward(node, wrap(G), create)[0]
        assert not create or batched.requires_grad
        for i in range(2):
            for j in range(2):
                np.testing.assert_allclose(np.asarray(batched.detach() if isinstance(batched, wg.Tensor) else batched)[i, j],
                                           node.op.backward(node, G[i, j], False)[0])
        # and the scatter's own rule (a gather)
        s = _scatter(wg.tensor(G[0, 0], requires_grad=True), index=node.params[1]["index"],
                     x_shape=(2, 3, 4))
        X = randn(2, 2, 2, 3, 4, seed=2)
        batched = s.grad_fn.op.backward(s.grad_fn, wrap(X), create)[0]
        for i in range(2):
            for j in range(2):
                np.testing.assert_allclose(np.asarray(batched.detach() if isinstance(batched, wg.Tensor) else batched)[i, j], X[i, j][index])


def test_getitem_jvp_passes_a_leading_batch_through():
    for index in [(slice(None), 1), (np.array([0, 0, 1]),), (1, slice(None), np.array([3, 3])),
                  (M[:2, :3],), (None, Ellipsis, -1), (np.array([1, 0]), slice(None), 2)]:
        x = randn_leaf(2, 3, 4)
        node = x[index].grad_fn
        T = randn(2, 3, 2, 3, 4, seed=3)
        batched = node.op.jvp((T,), **node.params[1])
        for i in range(2):
            for j in range(3):
                np.testing.assert_array_equal(batched[i, j], T[i, j][index])


def test_out_of_range_indices_raise_index_error():
    x = randn_leaf(3, 4)
    for index in [3, -4, (0, 4), [0, 3], (slice(None), np.array([4])), np.array([[True]])]:
        with pytest.raises(IndexError):
            x[index]
    with pytest.raises(IndexError):
        x[1.5]
    with pytest.raises(IndexError):
        x[wg.tensor([0.0, 1.0])]
    with pytest.raises(IndexError):
        wg.take(x, [12])
    with pytest.raises(IndexError):
        wg.take(x, [0, 4], axis=1)
    with pytest.raises(IndexError):
        wg.take_along_axis(x, np.array([[5]]), axis=1)
    with pytest.raises(IndexError):
        wg.setitem(x, (3,), 1.0)
    with pytest.raises(IndexError):
        x[0, 0, 0]


def test_take_and_take_along_axis_errors():
    x = randn_leaf(3, 4)
    with pytest.raises(ValueError, match="mode"):
        wg.take(x, [0], mode="bad")
    with pytest.raises(ValueError, match="same number of dimensions"):
        wg.take_along_axis(x, np.array([0, 1]), axis=0)
    with pytest.raises(ValueError, match="single dimension"):
        wg.take_along_axis(x, np.array([[0]]), axis=None)
    with pytest.raises(ValueError, match="broadcast"):
        wg.take_along_axis(x, np.zeros((2, 4), dtype=int), axis=1)
    with pytest.raises(IndexError):
        wg.take(x, [0.5])
    with pytest.raises(TypeError):
        wg.take(x, [0], out=np.zeros(1))


def test_take_matches_numpy_and_dispatches():
    x = randn_leaf(3, 4)
    y = np.take(x, [1, 1], axis=1)
    assert isinstance(y, wg.Tensor) and y.requires_grad
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 2, 0, 0]] * 3)
    z = np.take_along_axis(x, np.argsort(x.numpy(force=True), axis=1), axis=1)
    np.testing.assert_array_equal(z.numpy(force=True), np.sort(x.numpy(force=True), axis=1))
    assert x.take([0, 5]).shape == (2,)


def test_sorting_by_take_along_axis_routes_gradients_back():
    x = randn_leaf(2, 5)
    order = np.argsort(x.numpy(force=True), axis=1)
    s = wg.take_along_axis(x, order, axis=1)
    s.backward(np.tile(np.arange(5.0), (2, 1)))
    np.testing.assert_array_equal(x.grad.numpy(), np.argsort(order, axis=1).astype(float))


# ---- setitem ------------------------------------------------------------------------------------

def test_inplace_setitem_on_a_non_leaf_in_a_graph():
    w = randn_leaf(3, 4)
    v = randn_leaf(3, seed=1)
    h = w * 2
    h[:, 1] = v * v
    assert h.grad_fn.name == "SetitemBackward"
    (h * h).sum().backward()
    want = 8 * w.numpy(force=True)
    want[:, 1] = 0
    np.testing.assert_allclose(w.grad.numpy(), want)
    np.testing.assert_allclose(v.grad.numpy(), 4 * v.numpy(force=True) ** 3)


def test_inplace_setitem_of_a_tensor_into_a_constant_buffer():
    buf = wg.zeros((2, 3))
    v = randn_leaf(3)
    buf[1] = v
    assert buf.requires_grad
    (buf * wg.tensor([[1.0], [5.0]])).sum().backward()
    np.testing.assert_array_equal(v.grad.numpy(), [5.0, 5.0, 5.0])


def test_functional_setitem_gradients():
    x = randn_leaf(3, 4)
    v = randn_leaf(seed=1)
    y = wg.setitem(x, (slice(None), [0, 2]), v)
    assert isinstance(y, wg.Tensor)
    assert x.numpy(force=True)[0, 0] != y.numpy(force=True)[0, 0] and x.numpy(force=True)[0, 0] == x.data[0, 0]  # x unchanged
    g = randn(3, 4, seed=2)
    y.backward(g)
    want = g.copy()
    want[:, [0, 2]] = 0
    np.testing.assert_allclose(x.grad.numpy(), want)
    np.testing.assert_allclose(v.grad.numpy(), g[:, [0, 2]].sum())


def test_setitem_with_repeated_indices_credits_the_write_that_stays():
    x = randn_leaf(4)
    v = wg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = wg.setitem(x, [1, 1, 2], v)
    np.testing.assert_array_equal(y.numpy(force=True)[1:3], [2.0, 3.0])
    y.backward(np.array([1.0, 10.0, 100.0, 1000.0]))
    np.testing.assert_array_equal(v.grad.numpy(), [0.0, 10.0, 100.0])
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 0.0, 0.0, 1000.0])


def test_setitem_with_a_bool_mask_tensor():
    x = randn_leaf(3, 4)
    h = x * 1
    h[wg.tensor(M)] = 0.0
    h.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), (~M).astype(float))


def test_setitem_after_save_is_caught_by_version_counting():
    x = randn_leaf(3)
    y = x * 2
    z = y * y          # saves y
    y[0] = 5.0
    with pytest.raises(RuntimeError, match="in-place"):
        z.sum().backward()


def test_setitem_on_a_leaf_that_requires_grad_is_an_error():
    x = randn_leaf(3)
    with pytest.raises(RuntimeError, match="leaf"):
        x[0] = 1.0
    with wg.no_grad():
        x[0] = 1.0
    assert x.numpy(force=True)[0] == 1.0


def test_setitem_rules_pass_a_leading_batch_through_and_jvp_matches():
    for index, v_shape in [((slice(None), 1), (3, 1)), ((0, 1), (4,)),
                           ((np.array([2, 2, 0]),), (1, 4)),
                           ((1, slice(None), np.array([0, 3])), (2, 1))]:
        x, v = randn_leaf(3, 3, 4), randn_leaf(*v_shape, seed=1)
        y = wg.setitem(x, index, v)
        node = y.grad_fn
        G = randn(2, *y.shape, seed=3)
        batched = node.op.backward(node, G, False)
        recorded = node.op.backward(node, wg.tensor(G, requires_grad=True), True)
        for i in range(2):
            single = node.op.backward(node, G[i], False)
            for b, r, s in zip(batched, recorded, single):
                np.testing.assert_allclose(b[i], s)
                np.testing.assert_allclose(r.numpy(force=True)[i], s)
        tx, tv = randn(2, 3, 3, 4, seed=4), randn(2, *v_shape, seed=5)
        jb = node.op.jvp((tx, tv), **node.params)
        for i in range(2):
            np.testing.assert_allclose(jb[i], _np_setitem(tx[i], index, tv[i]))
            np.testing.assert_allclose(node.op.jvp((tx[i], None), **node.params),
                                       _np_setitem(tx[i], index, 0.0))
            np.testing.assert_allclose(node.op.jvp((None, tv[i]), **node.params),
                                       _np_setitem(np.zeros((3, 3, 4)), index, tv[i]))


def test_second_order_through_an_index_gradient():
    # the gradient w.r.t. x depends on w only through the scatter: d/dw runs its transpose
    check_grads(lambda x, w: (w * x[[0, 0, 2]] ** 2).sum(), [randn(3, 2), randn(3, 2, seed=1)],
                order=2)
    check_grads(lambda x, v: (wg.setitem(x, [1, 1], v) ** 3).sum(), [randn(3), randn(2, seed=1)],
                order=2)


def test_sort_is_differentiable_and_np_sort_dispatches():
    from wengert.checking import check_grads
    a = np.random.default_rng(3).random((3, 4))
    check_grads(lambda t: wg.sort(t, axis=0), [a], order=2)
    check_grads(lambda t: np.sort(t, axis=None), [a], order=2)
    t = wg.tensor(a, requires_grad=True)
    np.testing.assert_array_equal(np.sort(t).numpy(force=True), np.sort(a))
    assert not wg.argsort(t).requires_grad
