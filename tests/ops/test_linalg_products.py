"""Products (matmul dot vdot inner outer vecdot multi_dot cross diagonal trace and the
wg.linalg spellings): the op table, and matmul's gradient layout."""
import numpy as np

import wengert as wg
from tests.ops.linalg_cases import L, _leaf, MATMUL_SHAPES
from tests.ops.op_table import generic_tests, Row
from wengert.tensor import Tensor


ROWS = [
    # top level
    Row(wg.matmul, np.matmul, nargs=2, shapes=MATMUL_SHAPES),
    Row(wg.dot, np.dot, nargs=2, shapes=[((), (3,)), ((3,), (3,)), ((2, 3), (3,)),
                                         ((2, 3), (3, 4)), ((2, 2, 3), (4, 3, 2)),
                                         ((3,), (2, 3, 4)), ((2, 3), ())]),
    Row(wg.vdot, np.vdot, nargs=2, shapes=[((3,), (3,)), ((2, 3), (3, 2)), ((2, 3), (6,))]),
    Row(wg.inner, np.inner, nargs=2, shapes=[((), (2, 3)), ((3,), (3,)), ((2, 3), (4, 3)),
                                             ((2, 2, 3), (3,))]),
    Row(wg.outer, np.outer, nargs=2, shapes=[((3,), (4,)), ((2, 2), (3,)), ((), (3,))]),
    Row(wg.trace, np.trace, ops=("trace", "diagonal", "diagonal_embed"),
        shapes=[((3, 3),), ((3, 4),), ((2, 3, 4),)],
        kwargs=[{}, {"offset": 1}, {"offset": -1}, {"axis1": 1, "axis2": 0}]),
    Row(wg.trace, np.trace, shapes=[((2, 3, 4),)], id="trace3d",
        kwargs=[{"axis1": 1, "axis2": 2}, {"offset": 1, "axis1": -1, "axis2": 0}]),
    Row(wg.diagonal, np.diagonal, ops=("diagonal", "diagonal_embed"),
        shapes=[((3, 3),), ((3, 4),), ((2, 3, 4),)],
        kwargs=[{}, {"offset": 1}, {"offset": -2}, {"axis1": 1, "axis2": 0}]),
    Row(wg.diagonal, np.diagonal, shapes=[((2, 3, 4),)], id="diagonal3d",
        kwargs=[{"axis1": 2, "axis2": 0}, {"offset": 1, "axis1": -1, "axis2": -2}]),
    # small wg.linalg extras
    Row(wg.linalg.matmul, np.linalg.matmul, nargs=2, shapes=MATMUL_SHAPES[:4],
        id="linalg.matmul"),
    Row(wg.linalg.matrix_transpose, np.linalg.matrix_transpose, shapes=[((2, 3),), ((2, 3, 4),)]),
    Row(wg.linalg.outer, np.linalg.outer, nargs=2, shapes=[((3,), (4,))], id="linalg.outer"),
    Row(wg.linalg.trace, np.linalg.trace, shapes=[((3, 4),), ((2, 3, 3),)],
        kwargs=[{}, {"offset": 1}], id="linalg.trace"),
    Row(wg.linalg.diagonal, np.linalg.diagonal, shapes=[((3, 4),), ((2, 3, 3),)],
        kwargs=[{}, {"offset": -1}], id="linalg.diagonal"),
    Row(wg.linalg.vecdot, np.linalg.vecdot, nargs=2,
        shapes=[((3,), (3,)), ((2, 3), (3,)), ((2, 1, 3), (4, 3))],
        kwargs=[{}]),
    Row(wg.linalg.vecdot, np.linalg.vecdot, nargs=2, shapes=[((3, 2), (3, 1))],
        kwargs=[{"axis": 0}], id="vecdot[axis]"),
    Row(lambda a, b, c: wg.linalg.multi_dot([a, b, c]),
        lambda a, b, c: np.linalg.multi_dot([a, b, c]), ops=("matmul",), nargs=3,
        shapes=[((3,), (3, 4), (4, 2)), ((2, 5), (5, 3), (3,)), ((4, 2), (2, 5), (5, 3))],
        id="multi_dot"),
    Row(L.cross, np.linalg.cross, id="cross", nargs=2,
        shapes=[((3,), (3,)), ((2, 3), (3,)), ((4, 1, 3), (2, 3))]),
    Row(L.cross, np.linalg.cross, id="cross-axis", nargs=2, shapes=[((3, 2), (3, 2))],
        kwargs=[{"axis": 0}]),
]


test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = \
    generic_tests(ROWS)


def test_ndarray_matmul_tensor():
    a = np.arange(6.0).reshape(2, 3)
    x = _leaf(np.ones((3, 2)))
    y = a @ x
    assert isinstance(y, Tensor)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), a.T @ np.ones((2, 2)))


def test_linear_layer_weight_gradient_is_c_ordered_and_private():
    """x @ W.T: W.grad comes out C-ordered without a copy, and is not shared with anything."""
    W = wg.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    x = wg.tensor(np.ones((2, 4)))
    (x @ W.T).sum().backward()
    g = W.grad.data
    assert g.flags.c_contiguous and g.flags.writeable
    np.testing.assert_array_equal(g, np.full((3, 4), 2.0))
    g += 1                                              # the user's in-place change touches
    np.testing.assert_array_equal(W.data, np.arange(12.0).reshape(3, 4))   # nothing else


def test_view_gradient_sharing_a_base_is_copied():
    """Two leaves receiving views of one array each get a private copy."""
    a = wg.tensor(np.ones(3), requires_grad=True)
    b = wg.tensor(np.ones(3), requires_grad=True)
    s = wg.stack([a, b])                                # backward hands out views of one g
    (s * 2.0).sum().backward()
    a.grad.data[...] = 7.0
    np.testing.assert_array_equal(b.grad.data, np.full(3, 2.0))
