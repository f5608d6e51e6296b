import numpy as np
import pytest

import wengert as wg
from tests.helpers import randn, randn_leaf
from tests.ops.op_table import Row, generic_tests
from wengert.checking import check_grads


def nl(f):
    """f followed by sin: the second-order checks then run every transpose's own transpose
    (a linear op alone has a constant gradient, which would leave them untested)."""
    def g(*xs, **kw):
        out = f(*xs, **kw)
        return [wg.sin(o) for o in out] if isinstance(out, list) else wg.sin(out)
    return g


def nl_ref(f):
    def g(*xs, **kw):
        out = f(*xs, **kw)
        return [np.sin(o) for o in out] if isinstance(out, list) else np.sin(out)
    return g


def joined(f):
    return lambda *xs, **kw: f(xs, **kw)


S23, S234 = [((2, 3),)], [((2, 3, 4),)]

ROWS = [
    Row(nl(wg.reshape), nl_ref(np.reshape), ops=("reshape",), id="reshape", shapes=S23,
        kwargs=[{"shape": (3, 2)}, {"shape": (-1,)}, {"shape": (1, 6, 1)}, {"shape": 6},
                {"shape": (3, 2), "order": "F"}]),
    Row(nl(wg.reshape), nl_ref(np.reshape), ops=("reshape",), id="reshape-0d",
        shapes=[((),)], kwargs=[{"shape": (1, 1)}, {"shape": ()}]),
    Row(nl(wg.ravel), nl_ref(np.ravel), id="ravel", shapes=S234 + [((),)],
        kwargs=[{}, {"order": "F"}]),
    Row(nl(wg.transpose), nl_ref(np.transpose), ops=("permute_dims",), id="transpose",
        shapes=S234, kwargs=[{}, {"axes": (1, 0, 2)}, {"axes": (-1, 0, 1)}]),
    Row(nl(wg.transpose), nl_ref(np.transpose), ops=("permute_dims",), id="transpose-small",
        shapes=[((),), ((3,),), ((2, 3),)]),
    Row(nl(wg.permute_dims), nl_ref(np.permute_dims), ops=("permute_dims",), id="permute_dims",
        shapes=S234, kwargs=[{"axes": (2, 0, 1)}, {"axes": [0, 2, 1]}]),
    Row(nl(wg.swapaxes), nl_ref(np.swapaxes), ops=("swapaxes",), id="swapaxes", shapes=S234,
        kwargs=[{"axis1": 0, "axis2": 2}, {"axis1": -1, "axis2": 1}, {"axis1": 1, "axis2": 1}]),
    Row(nl(wg.moveaxis), nl_ref(np.moveaxis), id="moveaxis", shapes=S234,
        kwargs=[{"source": 0, "destination": -1}, {"source": [0, 1], "destination": [2, 0]}]),
    Row(nl(wg.expand_dims), nl_ref(np.expand_dims), ops=("expand_dims",), id="expand_dims",
        shapes=S23, kwargs=[{"axis": 0}, {"axis": -1}, {"axis": (0, 2)}, {"axis": (-1, 0)}]),
    Row(nl(wg.expand_dims), nl_ref(np.expand_dims), ops=("expand_dims",), id="expand_dims-0d",
        shapes=[((),)], kwargs=[{"axis": 0}, {"axis": (0, 1)}]),
    Row(nl(wg.squeeze), nl_ref(np.squeeze), ops=("squeeze",), id="squeeze",
        shapes=[((2, 1, 3, 1),)], kwargs=[{}, {"axis": 1}, {"axis": (-1, 1)}]),
    Row(nl(wg.broadcast_to), nl_ref(np.broadcast_to), ops=("broadcast_to",), id="broadcast_to",
        shapes=[((3, 1),)], kwargs=[{"shape": (2, 3, 4)}, {"shape": (3, 1)}, {"shape": [3, 5]}]),
    Row(nl(wg.broadcast_to), nl_ref(np.broadcast_to), ops=("broadcast_to",),
        id="broadcast_to-0d", shapes=[((),)], kwargs=[{"shape": (2, 3)}, {"shape": 4}]),
    Row(nl(joined(wg.concatenate)), nl_ref(joined(np.concatenate)), ops=("concatenate",),
        id="concatenate-0", nargs=3, shapes=[((2, 3), (1, 3), (4, 3))], kwargs=[{}, {"axis": -2}]),
    Row(nl(joined(wg.concatenate)), nl_ref(joined(np.concatenate)), ops=("concatenate",),
        id="concatenate-1", nargs=3, shapes=[((2, 3), (2, 1), (2, 2))],
        kwargs=[{"axis": 1}, {"axis": -1}, {"axis": None}]),
    Row(nl(joined(wg.concatenate)), nl_ref(joined(np.concatenate)), ops=("concatenate",),
        id="concatenate-one", nargs=1, shapes=[((2, 3),)], kwargs=[{}, {"axis": None}]),
    Row(nl(joined(wg.concat)), nl_ref(joined(np.concat)), ops=("concatenate",), id="concat",
        nargs=2, shapes=[((3,), (2,)), ((2, 2), (1, 2))]),
    Row(nl(joined(wg.stack)), nl_ref(joined(np.stack)), ops=("stack",), id="stack", nargs=3,
        shapes=[((2, 3),) * 3], kwargs=[{}, {"axis": 1}, {"axis": -1}, {"axis": 2}]),
    Row(nl(joined(wg.stack)), nl_ref(joined(np.stack)), ops=("stack",), id="stack-0d", nargs=2,
        shapes=[((), ()), ((3,), (3,))]),
    Row(nl(wg.split), nl_ref(np.split), id="split", shapes=[((6, 4),)],
        kwargs=[{"indices_or_sections": 3}, {"indices_or_sections": [1, 3], "axis": 1},
                {"indices_or_sections": [2, 2, 5]}, {"indices_or_sections": 2, "axis": -1}]),
    Row(nl(wg.flip), nl_ref(np.flip), ops=("flip",), id="flip", shapes=S234,
        kwargs=[{}, {"axis": 0}, {"axis": (0, -1)}]),
    Row(nl(wg.flip), nl_ref(np.flip), ops=("flip",), id="flip-small", shapes=[((),), ((3,),)]),
    Row(nl(wg.tile), nl_ref(np.tile), id="tile", shapes=S23 + [((),)],
        kwargs=[{"reps": 2}, {"reps": (2, 1)}, {"reps": (2, 1, 3)}, {"reps": (2, 0)}]),
    Row(nl(wg.repeat), nl_ref(np.repeat), id="repeat", shapes=S23,
        kwargs=[{"repeats": 2}, {"repeats": 3, "axis": 1}, {"repeats": [1, 0, 2], "axis": -1},
                {"repeats": [2], "axis": 0}, {"repeats": [1, 2, 0, 1, 1, 3]}]),
    Row(nl(wg.pad), nl_ref(np.pad), ops=("pad",), id="pad-constant", shapes=S23,
        kwargs=[{"pad_width": 1}, {"pad_width": (1, 2)}, {"pad_width": ((0, 1), (2, 0))},
                {"pad_width": ((1, 1), (0, 2)), "constant_values": 0.5},
                {"pad_width": 1, "constant_values": ((1.0, 2.0), (3.0, 4.0))}]),
    Row(nl(wg.pad), nl_ref(np.pad), ops=("pad",), id="pad-copying", shapes=S23,
        kwargs=[{"pad_width": ((2, 1), (1, 4)), "mode": m}
                for m in ("edge", "reflect", "symmetric", "wrap")]),
]

test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = \
    generic_tests(ROWS)


# ---- batch-friendly rules ----------------------------------------------------------------------

BATCH_CASES = [
    ("reshape", lambda x: wg.reshape(x, (4, -1)), [(2, 3, 4)]),
    ("permute_dims", lambda x: wg.permute_dims(x, (2, 0, 1)), [(2, 3, 4)]),
    ("swapaxes", lambda x: wg.swapaxes(x, 0, 2), [(2, 3, 4)]),
    ("expand_dims", lambda x: wg.expand_dims(x, (0, 2)), [(2, 3)]),
    ("squeeze", lambda x: wg.squeeze(x), [(2, 1, 3, 1)]),
    ("broadcast_to", lambda x: wg.broadcast_to(x, (2, 3, 4)), [(3, 1)]),
    ("flip", lambda x: wg.flip(x, (0, 2)), [(2, 3, 4)]),
    ("pad", lambda x: wg.pad(x, ((1, 0), (2, 1))), [(2, 3)]),
    ("concatenate", lambda x, y: wg.concatenate([x, y], axis=1), [(2, 3), (2, 2)]),
    ("stack", lambda x, y: wg.stack([x, y], axis=1), [(2, 3), (2, 3)]),
]


@pytest.mark.parametrize("create", [False, True], ids=["arrays", "tensors"])
@pytest.mark.parametrize("name,f,shapes", BATCH_CASES, ids=[c[0] for c in BATCH_CASES])
def test_vjp_rules_pass_a_leading_batch_through(name, f, shapes, create):
    """Cotangents with two leading batch axes (as jacrev will send) give, per batch entry,
    the single-cotangent result — run on arrays, and on Tensors as create_graph=True does."""
    xs = [randn_leaf(*s, seed=i) for i, s in enumerate(shapes)]
    node = f(*xs).grad_fn
    assert node.op.name == name
    out_shape = f(*xs).shape
    G = randn(2, 3, *out_shape, seed=7)
    Gt = wg.tensor(G, requires_grad=True)
    batched = node.op.backward(node, Gt if create else G, create)
    for i in range(2):
        for j in range(3):
            single = node.op.backward(node, G[i, j], False)
            for b, s in zip(batched, single):
                assert not create or isinstance(b, wg.Tensor) and b.requires_grad
                np.testing.assert_allclose(np.asarray(b.detach() if isinstance(b, wg.Tensor) else b)[i, j], s)


@pytest.mark.parametrize("name,f,shapes", BATCH_CASES, ids=[c[0] for c in BATCH_CASES])
def test_jvp_rules_pass_a_leading_batch_through(name, f, shapes):
    """Tangents with two leading batch axes (as jacfwd will send) give, per batch entry,
    the op applied to that tangent."""
    xs = [randn_leaf(*s, seed=i) for i, s in enumerate(shapes)]
    node = f(*xs).grad_fn
    ts = [randn(2, 3, *s, seed=20 + i) for i, s in enumerate(shapes)]
    params = node.params[1] if isinstance(node.params, tuple) else node.params
    batched = np.asarray(node.op.jvp(ts, **params))
    for i in range(2):
        for j in range(3):
            np.testing.assert_allclose(batched[i, j], f(*[t[i, j] for t in ts]).numpy())


@pytest.mark.parametrize("f,shapes", [
    (lambda x, y: wg.concatenate([x, y], axis=-1), [(2, 3), (2, 2)]),
    (lambda x, y: wg.stack([x, y], axis=0), [(2, 3), (2, 3)]),
], ids=["concatenate", "stack"])
def test_multi_input_jvps_match_the_op_and_fill_absent_tangents(f, shapes):
    xs = [randn_leaf(*s, seed=i) for i, s in enumerate(shapes)]
    node = f(*xs).grad_fn
    ts = [randn(*s, seed=10 + i) for i, s in enumerate(shapes)]
    np.testing.assert_allclose(node.op.jvp(ts, **node.params), f(*ts).numpy())
    only_second = node.op.jvp([None, ts[1]], **node.params)
    np.testing.assert_allclose(only_second, f(np.zeros(shapes[0]), ts[1]).numpy())
    batched = node.op.jvp([None, np.stack([ts[1], 2 * ts[1]])], **node.params)
    np.testing.assert_allclose(batched[1], f(np.zeros(shapes[0]), 2 * ts[1]).numpy())


# ---- round trips and explicit gradients ----------------------------------------------------------

def test_split_then_concatenate_is_the_identity_with_identity_gradient():
    x = randn_leaf(6, 4)
    parts = wg.split(x, [1, 4], axis=0)
    assert [p.shape for p in parts] == [(1, 4), (3, 4), (2, 4)]
    back = wg.concatenate(parts, axis=0)
    np.testing.assert_array_equal(back.numpy(force=True), x.numpy(force=True))
    g = randn(6, 4, seed=3)
    back.backward(g)
    np.testing.assert_array_equal(x.grad.numpy(), g)


def test_stack_then_index_gives_each_input_its_slice_of_the_gradient():
    a, b = randn_leaf(2, 3, seed=1), randn_leaf(2, 3, seed=2)
    s = wg.stack([a, b], axis=1)
    assert s.shape == (2, 2, 3)
    (s[:, 0] * 2 + s[:, 1] * 3).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), np.full((2, 3), 2.0))
    np.testing.assert_array_equal(b.grad.numpy(), np.full((2, 3), 3.0))


def test_split_into_sections_returns_a_list_of_equal_parts():
    parts = wg.split(wg.arange(12.0), 3)
    assert isinstance(parts, list) and [p.tolist() for p in parts] == [
        [0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]]


def test_concatenate_only_differentiates_inputs_that_require_grad():
    x = randn_leaf(2)
    y = wg.concatenate([x, np.ones(3), wg.tensor([5.0])])
    y.backward(np.arange(6.0))
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0])


def test_constant_pad_gradient_is_the_middle_of_g():
    x = randn_leaf(2, 3)
    y = wg.pad(x, ((1, 2), (3, 0)), constant_values=7.0)
    assert y.shape == (5, 6) and y.numpy(force=True)[0, 0] == 7.0
    g = randn(5, 6, seed=1)
    y.backward(g)
    np.testing.assert_array_equal(x.grad.numpy(), g[1:3, 3:6])


def test_pad_constant_values_tensor_gets_the_sum_over_what_it_fills():
    x = randn_leaf(2, 2)
    c = wg.tensor(2.5, requires_grad=True)
    y = wg.pad(x, 1, constant_values=c)
    np.testing.assert_array_equal(y.numpy(force=True), np.pad(x.numpy(force=True), 1, constant_values=2.5))
    y.sum().backward()
    assert c.grad.item() == 16 - 4
    np.testing.assert_array_equal(x.grad.numpy(), np.ones((2, 2)))


def test_edge_pad_gradient_accumulates_at_the_copied_edges():
    x = randn_leaf(3)
    wg.pad(x, (2, 1), mode="edge").sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 1.0, 2.0])


def test_reflect_and_wrap_pad_gradients_count_copies():
    x = randn_leaf(3)
    wg.pad(x, (2, 2), mode="reflect").sum().backward()     # [2 1 | 0 1 2 | 1 0]
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 3.0, 2.0])
    x.grad = None
    wg.pad(x, (4, 0), mode="wrap").sum().backward()        # [2 0 1 2 | 0 1 2]
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0, 3.0])


def test_empty_pad_fills_zeros():
    np.testing.assert_array_equal(wg.pad(wg.ones(2), 1, mode="empty").numpy(), [0, 1, 1, 0])


def test_tile_gradient_sums_over_the_copies():
    x = randn_leaf(2, 3)
    g = randn(4, 9, seed=2)
    wg.tile(x, (2, 3)).backward(g)
    np.testing.assert_allclose(x.grad.numpy(), g.reshape(2, 2, 3, 3).sum(axis=(0, 2)))


def test_repeat_gradient_sums_over_each_elements_copies():
    x = randn_leaf(3)
    g = np.arange(6.0)
    wg.repeat(x, [1, 3, 2]).backward(g)
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1 + 2 + 3, 4 + 5])
    y = randn_leaf(2, 2)
    wg.repeat(y, 2, axis=1).backward(np.arange(8.0).reshape(2, 4))
    np.testing.assert_array_equal(y.grad.numpy(), [[1.0, 5.0], [9.0, 13.0]])


def test_fortran_order_reshape_and_ravel():
    x = randn_leaf(2, 3)
    y = wg.reshape(x, (3, 2), order="F")
    np.testing.assert_array_equal(y.numpy(force=True), np.reshape(x.numpy(force=True), (3, 2), order="F"))
    g = randn(3, 2, seed=4)
    y.backward(g)
    np.testing.assert_array_equal(x.grad.numpy(), np.reshape(g, (2, 3), order="F"))
    np.testing.assert_array_equal(wg.ravel(x, order="F").numpy(force=True), x.numpy(force=True).ravel(order="F"))


@pytest.mark.parametrize("layout", ["T", "reversed", "strided"])
def test_ravel_K_reads_memory_order(layout):
    base = randn(3, 4, 5)
    d = {"T": base.transpose(2, 0, 1), "reversed": base[:, ::-1],
         "strided": base.transpose(1, 0, 2)[:, ::-1, ::2]}[layout]
    t = wg.asarray(d, requires_grad=True)
    assert t.data is d
    np.testing.assert_array_equal(wg.ravel(t, order="K").numpy(force=True), np.ravel(d, order="K"))
    g = np.arange(d.size, dtype=float)
    wg.ravel(t, order="K").backward(g)
    want = np.zeros(d.shape)
    for j, v in enumerate(np.ravel(d, order="K")):     # the values are distinct
        want[d == v] = g[j]
    np.testing.assert_array_equal(t.grad.numpy(), want)


def test_dtype_and_axis_none_of_concatenate():
    a = wg.tensor([[1.0, 2.0]], dtype=wg.float32)
    out = wg.concatenate([a, a], dtype=wg.float64, axis=None)
    assert out.dtype == np.float64 and out.shape == (4,)
    with pytest.raises(TypeError):
        wg.concatenate([a, a], dtype=wg.int32)


def test_numpy_functions_dispatch_to_the_differentiable_versions():
    x = randn_leaf(2, 3)
    outs = [np.concatenate([x, x]), np.stack([x, x]), np.pad(x, 1), np.tile(x, 2),
            np.repeat(x, 2), np.flip(x), np.moveaxis(x, 0, 1), np.ravel(x),
            np.split(x, 3, axis=1)[0], np.reshape(x, -1), np.expand_dims(x, 0),
            np.squeeze(x[None]), np.broadcast_to(x, (2, 2, 3)), np.transpose(x),
            np.swapaxes(x, 0, 1), np.concat([x, x], axis=1), np.permute_dims(x, (1, 0))]
    total = 0
    for o in outs:
        assert isinstance(o, wg.Tensor) and o.requires_grad, o
        total = total + o.sum()
    total.backward()
    assert x.grad.shape == (2, 3)


def test_second_order_through_a_shape_op_gradient():
    # d/dw of grad_x Σ w·reshape(x)² : runs reshape's transpose inside a recorded backward
    check_grads(lambda x, w: (w * wg.reshape(x, (3, 2)) ** 2).sum(), [randn(2, 3), randn(3, 2, seed=1)],
                order=2)


# ---- errors -------------------------------------------------------------------------------------

def test_concatenate_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(2, 4\)"):
        wg.concatenate([wg.zeros((2, 3)), wg.zeros((2, 4))], axis=0)
    with pytest.raises(ValueError, match="zero-dimensional"):
        wg.concatenate([wg.tensor(1.0), wg.tensor(2.0)])
    with pytest.raises(ValueError, match="at least one"):
        wg.concatenate([])


def test_stack_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        wg.stack([wg.zeros(2), wg.zeros(3)])


def test_bad_reshape_is_a_value_error_naming_the_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4,\)"):
        wg.reshape(wg.zeros((2, 3)), (4,))
    with pytest.raises(ValueError):
        wg.zeros((2, 3)).reshape(-1, -1)
    with pytest.raises(ValueError):
        wg.zeros((2, 3)).reshape(4, -1)
    with pytest.raises(ValueError, match="order"):
        wg.reshape(wg.zeros(6), (2, 3), order="X")


def test_broadcast_to_an_incompatible_shape_names_both():
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(3, 3\)"):
        wg.broadcast_to(wg.zeros((3, 2)), (3, 3))
    with pytest.raises(ValueError):
        wg.broadcast_to(wg.zeros((2, 3)), (3,))


def test_axis_errors():
    x = wg.zeros((2, 1, 3))
    with pytest.raises(ValueError, match="squeeze"):
        wg.squeeze(x, 0)
    with pytest.raises(ValueError):
        wg.swapaxes(x, 0, 3)
    with pytest.raises(ValueError):
        wg.permute_dims(x, (0, 1))
    with pytest.raises(ValueError, match="repeated"):
        wg.permute_dims(x, (0, 0, 1))
    with pytest.raises(ValueError, match="same number"):
        wg.moveaxis(x, [0, 1], [0])
    with pytest.raises(ValueError):
        wg.expand_dims(x, 5)
    with pytest.raises(ValueError):
        wg.flip(x, 3)


def test_split_pad_tile_repeat_errors():
    with pytest.raises(ValueError, match="equal division"):
        wg.split(wg.zeros(5), 2)
    with pytest.raises(ValueError, match="not supported"):
        wg.pad(wg.zeros(3), 1, mode="median")
    with pytest.raises(ValueError, match="keyword"):
        wg.pad(wg.zeros(3), 1, mode="edge", constant_values=1)
    with pytest.raises(ValueError, match="reflect_type"):
        wg.pad(wg.zeros(3), 1, mode="reflect", reflect_type="odd")
    with pytest.raises(TypeError, match="integral"):
        wg.pad(wg.zeros(3), 1.5)
    with pytest.raises(ValueError, match="non-negative"):
        wg.pad(wg.zeros(3), -1)
    with pytest.raises(ValueError):
        wg.pad(wg.zeros((2, 2)), ((1, 1), (1, 1), (1, 1)))
    with pytest.raises(ValueError, match="negative"):
        wg.repeat(wg.zeros(3), -1)
    with pytest.raises(ValueError):
        wg.repeat(wg.zeros(3), [1, 2])
    with pytest.raises(ValueError):
        wg.tile(wg.zeros(3), -1)
    with pytest.raises(TypeError):
        wg.concatenate([wg.zeros(3)], out=np.zeros(3))
