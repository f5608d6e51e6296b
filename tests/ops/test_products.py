"""kron and cross (wengert/ops/products.py)."""
import warnings

import numpy as np
import pytest

import wengert as wg
from tests.helpers import randn
from tests.ops._vocab import check_dispatch
from tests.ops.op_table import Row, generic_tests


def quiet(f):
    """f with NumPy 2's deprecation warning for 2-vectors in cross silenced (wengert warns
    the same way; test_cross_of_2_vectors_warns_as_numpy checks it)."""
    def g(*xs, **kw):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return f(*xs, **kw)
    g.__name__ = f.__name__
    return g


ROWS = [
    Row(wg.kron, np.kron, id="kron", nargs=2,
        shapes=[((2, 3), (2, 2)), ((3,), (2,)), ((2,), (2, 3)), ((), (3,)), ((2, 1, 2), (3,)),
                ((2, 3), ())]),
    Row(wg.cross, np.cross, id="cross", nargs=2,
        shapes=[((3,), (3,)), ((2, 3), (3,)), ((4, 1, 3), (2, 3))]),
    Row(wg.cross, np.cross, id="cross-axes", nargs=2, shapes=[((3, 2), (2, 3))],
        kwargs=[{"axisa": 0, "axisb": -1}, {"axisa": 0, "axisc": 0}]),
    Row(wg.cross, np.cross, id="cross-axis", nargs=2, shapes=[((2, 3, 2), (2, 3, 2))],
        kwargs=[{"axis": 1}]),
    Row(quiet(wg.cross), quiet(np.cross), id="cross-2d", nargs=2,
        shapes=[((2,), (2,)), ((3, 2), (2,)), ((2,), (3,)), ((3,), (2, 2))]),
]

test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = \
    generic_tests(ROWS)


@pytest.mark.parametrize("name,args,kwargs", [
    ("kron", [randn(2, 2), randn(2, 3)], {}),
    ("cross", [randn(4, 3), randn(3)], {}),
    ("cross", [randn(3, 4), randn(4, 3)], {"axisa": 0}),
], ids=lambda v: v if isinstance(v, str) else "")
def test_numpy_functions_dispatch_to_wengert(name, args, kwargs):
    check_dispatch(name, args, kwargs)
    check_dispatch(name, args, kwargs, grad_arg=1)


def test_cross_gradients_are_cross_products():
    a = wg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = wg.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    g = np.array([0.3, -0.2, 1.0])
    wg.cross(a, b).backward(g)
    np.testing.assert_allclose(a.grad.numpy(force=True), np.cross(b.numpy(force=True), g))
    np.testing.assert_allclose(b.grad.numpy(force=True), np.cross(g, a.numpy(force=True)))


def test_cross_of_2_vectors_warns_as_numpy():
    with pytest.warns(DeprecationWarning, match="2-dimensional vectors are deprecated"):
        out = wg.cross(wg.tensor([1.0, 0.0]), wg.tensor([0.0, 1.0]))
    assert out.shape == () and out.item() == 1.0


@pytest.mark.parametrize("call,err,match", [
    (lambda: wg.cross(wg.tensor(1.0), wg.tensor([1.0, 2.0, 3.0])), ValueError,
     "zero dimension"),
    (lambda: wg.cross(wg.tensor([1.0, 2.0, 3.0, 4.0]), wg.tensor([1.0, 2.0, 3.0])), ValueError,
     "incompatible dimensions"),
    (lambda: wg.cross(wg.tensor(np.ones((2, 3))), wg.tensor(np.ones(3)), axisa=2), ValueError,
     "out of bounds"),
])
def test_errors(call, err, match):
    with pytest.raises(err, match=match):
        call()
