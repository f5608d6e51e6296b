"""diff ediff1d gradient unwrap tril triu diag diagflat trapezoid (wengert/ops/differences.py)."""
import numpy as np
import pytest

import wengert as wg
from tests.helpers import randn
from tests.ops._vocab import check_dispatch, nl, nl_ref
from tests.ops.op_table import Row, generic_tests


def coords(rng, shape, i):
    """Increasing, uneven coordinates for argument 1; normal values otherwise."""
    if i == 1:
        return np.cumsum(rng.uniform(0.5, 1.5, size=shape))
    return rng.standard_normal(shape)


def positive(rng, shape, i):
    return rng.uniform(0.5, 2.0, size=shape) if i == 1 else rng.standard_normal(shape)


S34 = [((3, 4),)]

ROWS = [
    Row(nl(wg.diff), nl_ref(np.diff), id="diff", shapes=S34 + [((5,),)],
        kwargs=[{}, {"n": 2}, {"axis": 0}, {"n": 0}]),
    Row(nl(wg.diff), nl_ref(np.diff), id="diff-3d", shapes=[((2, 3, 4),)],
        kwargs=[{"axis": 1}, {"n": 3, "axis": -1}]),
    Row(nl(lambda a, p, q, **kw: wg.diff(a, prepend=p, append=q, **kw)),
        nl_ref(lambda a, p, q, **kw: np.diff(a, prepend=p, append=q, **kw)),
        id="diff-prepend-append", nargs=3,
        shapes=[((3, 4), (3, 1), (3, 2)), ((3, 4), (), ())], kwargs=[{}, {"n": 2}]),
    Row(nl(lambda a, p: wg.diff(a, axis=0, prepend=p)),
        nl_ref(lambda a, p: np.diff(a, axis=0, prepend=p)), id="diff-prepend-axis0",
        nargs=2, shapes=[((3, 4), (2, 4)), ((3, 4), ())]),
    Row(nl(lambda a, b, e: wg.ediff1d(a, to_begin=b, to_end=e)),
        nl_ref(lambda a, b, e: np.ediff1d(a, to_begin=b, to_end=e)), id="ediff1d", nargs=3,
        shapes=[((2, 3), (2,), ()), ((4,), (1, 2), (3,))]),
    Row(nl(wg.ediff1d), nl_ref(np.ediff1d), id="ediff1d-plain", shapes=S34),
    Row(nl(wg.gradient), nl_ref(np.gradient), id="gradient", shapes=[((4, 5),)],
        kwargs=[{}, {"edge_order": 2}, {"axis": 1}, {"axis": (0, -1)}, {"axis": -2}]),
    Row(nl(wg.gradient), nl_ref(np.gradient), id="gradient-1d", shapes=[((5,),)],
        kwargs=[{}, {"edge_order": 2}]),
    Row(nl(lambda f, h, **kw: wg.gradient(f, h, **kw)),
        nl_ref(lambda f, h, **kw: np.gradient(f, h, **kw)), id="gradient-step", nargs=2,
        sample=positive, shapes=[((5,), ()), ((3, 4), ())], kwargs=[{}, {"edge_order": 2}]),
    Row(nl(lambda f, x, **kw: wg.gradient(f, x, **kw)),
        nl_ref(lambda f, x, **kw: np.gradient(f, x, **kw)), id="gradient-coordinates",
        nargs=2, sample=coords, shapes=[((5,), (5,))], kwargs=[{}, {"edge_order": 2}]),
    Row(nl(lambda f, x, **kw: wg.gradient(f, 0.5, x, **kw)),
        nl_ref(lambda f, x, **kw: np.gradient(f, 0.5, x, **kw)),
        id="gradient-mixed-spacing", nargs=2, sample=coords, shapes=[((3, 4), (4,))],
        kwargs=[{}, {"edge_order": 2}]),
    Row(wg.unwrap, np.unwrap, id="unwrap", domain=(-6.0, 6.0), shapes=[((7,),), ((3, 5),)],
        kwargs=[{}, {"axis": 0}, {"discont": 4.0}, {"period": 5.0}]),
    Row(nl(wg.tril), nl_ref(np.tril), id="tril", shapes=S34 + [((2, 3, 3),), ((4,),)],
        kwargs=[{}, {"k": 1}, {"k": -1}]),
    Row(nl(wg.triu), nl_ref(np.triu), id="triu", shapes=S34 + [((2, 3, 3),), ((4,),)],
        kwargs=[{}, {"k": 1}, {"k": -2}]),
    Row(nl(wg.diag), nl_ref(np.diag), id="diag-vector", shapes=[((3,),), ((1,),)],
        kwargs=[{}, {"k": 1}, {"k": -2}]),
    Row(nl(wg.diag), nl_ref(np.diag), id="diag-matrix", shapes=S34,
        kwargs=[{}, {"k": 1}, {"k": -2}]),
    Row(nl(wg.diagflat), nl_ref(np.diagflat), id="diagflat", shapes=[((2, 2),), ((3,),)],
        kwargs=[{}, {"k": -1}]),
    Row(nl(wg.trapezoid), nl_ref(np.trapezoid), id="trapezoid", shapes=S34 + [((5,),)],
        kwargs=[{}, {"dx": 0.5}, {"axis": 0}]),
    Row(nl(lambda y, x, **kw: wg.trapezoid(y, x, **kw)),
        nl_ref(lambda y, x, **kw: np.trapezoid(y, x, **kw)), id="trapezoid-x", nargs=2,
        shapes=[((3, 4), (4,)), ((3, 4), (3, 4)), ((5,), (5,))]),
    Row(nl(lambda y, x: wg.trapezoid(y, x, axis=0)),
        nl_ref(lambda y, x: np.trapezoid(y, x, axis=0)), id="trapezoid-x-axis0", nargs=2,
        shapes=[((3, 4), (3,))]),
]

test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = \
    generic_tests(ROWS)


@pytest.mark.parametrize("name,args,kwargs", [
    ("diff", [randn(3, 4)], {"axis": 0}),
    ("diff", [randn(5)], {"n": 2, "prepend": 0.0}),
    ("ediff1d", [randn(5)], {"to_begin": [1.0]}),
    ("gradient", [randn(3, 4)], {}),
    ("gradient", [randn(5), np.cumsum(np.ones(5) + np.arange(5))], {"edge_order": 2}),
    ("unwrap", [randn(6) * 4], {}),
    ("tril", [randn(3, 3)], {"k": -1}),
    ("triu", [randn(2, 3, 3)], {}),
    ("diag", [randn(3)], {"k": 1}),
    ("diag", [randn(3, 3)], {}),
    ("diagflat", [randn(2, 2)], {}),
    ("trapezoid", [randn(3, 4)], {"dx": 0.1}),
    ("trapezoid", [randn(4), np.arange(4.0) ** 2], {}),
], ids=lambda v: v if isinstance(v, str) else "")
def test_numpy_functions_dispatch_to_wengert(name, args, kwargs):
    check_dispatch(name, args, kwargs)


def test_diff_gradient_is_the_adjoint_difference():
    x = wg.tensor([1.0, 4.0, 9.0, 16.0], requires_grad=True)
    wg.diff(x).backward(np.array([1.0, 10.0, 100.0]))
    np.testing.assert_array_equal(x.grad.numpy(), [-1.0, -9.0, -90.0, 100.0])


def test_diff_of_booleans_is_a_constant_inequality():
    out = wg.diff(wg.tensor([True, True, False]))
    assert out.dtype == np.bool_ and out.tolist() == [False, True]


def test_trapezoid_gradient_in_x():
    y = wg.tensor([1.0, 2.0, 4.0])
    x = wg.tensor([0.0, 1.0, 3.0], requires_grad=True)
    wg.trapezoid(y, x).backward()
    # ∂/∂xᵢ = (yᵢ₋₁ − yᵢ₊₁)/2 inside, −(y₀ + y₁)/2 and (yₙ₋₂ + yₙ₋₁)/2 at the ends
    np.testing.assert_allclose(x.grad.numpy(), [-1.5, -1.5, 3.0])


def test_unwrap_has_derivative_one():
    p = wg.tensor([0.0, 3.0, 6.5, 0.2], requires_grad=True)
    wg.unwrap(p).sum().backward()
    np.testing.assert_array_equal(p.grad.numpy(), np.ones(4))


@pytest.mark.parametrize("call,err,match", [
    (lambda: wg.diff(wg.tensor([1.0, 2.0]), n=-1), ValueError, "order must be non-negative"),
    (lambda: wg.diff(wg.tensor(1.0)), ValueError, "at least one dimensional"),
    (lambda: wg.diff(wg.tensor([1.0, 2.0]), axis=1), ValueError, "out of bounds"),
    (lambda: wg.ediff1d(wg.tensor([1, 2, 3]), to_begin=[0.5]), TypeError,
     "`to_begin` must be compatible"),
    (lambda: wg.ediff1d(wg.tensor([1, 2, 3]), to_end=[0.5]), TypeError,
     "`to_end` must be compatible"),
    (lambda: wg.gradient(wg.tensor(randn(3, 4)), 1.0, 2.0, 3.0), TypeError,
     "invalid number of arguments"),
    (lambda: wg.gradient(wg.tensor(randn(3, 4)), randn(3, 4), 1.0), ValueError,
     "distances must be either scalars or 1d"),
    (lambda: wg.gradient(wg.tensor(randn(3, 4)), np.arange(4.0), 1.0), ValueError,
     "must match the length"),
    (lambda: wg.gradient(wg.tensor(randn(4)), edge_order=3), ValueError,
     "'edge_order' greater than 2"),
    (lambda: wg.gradient(wg.tensor(randn(4)), edge_order=0), ValueError, "must be 1 or 2"),
    (lambda: wg.gradient(wg.tensor(randn(2)), edge_order=2), ValueError, "too small"),
    (lambda: wg.gradient(wg.tensor(randn(3, 4)), axis=(0, 0)), ValueError, "repeated axis"),
    (lambda: wg.tril(wg.tensor(1.0)), ValueError, "at least one dimension"),
    (lambda: wg.diag(wg.tensor(randn(2, 2, 2))), ValueError, "1- or 2-d"),
])
def test_errors(call, err, match):
    with pytest.raises(err, match=match):
        call()
