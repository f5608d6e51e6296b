"""In-place writers, unique/set ops, higher-order functions and polynomial arithmetic
(wengert/ops/writes.py, setops.py, functional.py, polynomials.py), through NumPy's names."""
import numpy as np
import pytest

import wengert as wg
from tests.ops.op_table import Row, generic_tests


def _written(call):
    """The functional form of an in-place writer: a fresh copy of a, written, returned."""
    def f(a, v):
        t = a * 1.0
        call(t, v)
        return t
    return f


M = np.array([True, False, True, True])
W = [
    ("copyto", _written(lambda t, v: np.copyto(t, v, where=M)), ((3, 4), (4,))),
    ("put", _written(lambda t, v: np.put(t, [0, 5, 5, 11], v)), ((3, 4), (3,))),
    ("place", _written(lambda t, v: np.place(t, np.arange(12).reshape(3, 4) % 3 == 0, v)), ((3, 4), (2,))),
    ("putmask", _written(lambda t, v: np.putmask(t, np.arange(12).reshape(3, 4) % 2 == 0, v)), ((3, 4), (5,))),
    ("fill_diagonal", _written(lambda t, v: np.fill_diagonal(t, v, wrap=True)), ((5, 2), (3,))),
    ("put_along_axis", _written(lambda t, v: np.put_along_axis(t, np.array([[0], [2], [2]]), v, axis=1)), ((3, 4), (3, 1))),
]


def _distinct(rng, shape, i):
    return rng.permutation(np.arange(np.prod(shape, dtype=int)) * 0.37 - 1.1 + 0.05 * i).reshape(shape)


ROWS = [Row(f, f, ops=(), id=name, nargs=2, shapes=[s]) for name, f, s in W] + [
    Row(lambda x: np.unique(x), np.unique, ops=(), id="unique", sample=_distinct),
    Row(lambda x: np.unique(x, axis=1), lambda x: np.unique(x, axis=1), ops=(), id="unique-axis",
        shapes=[((2, 3),)], sample=_distinct),
    Row(lambda x: np.unique_values(x), np.unique_values, ops=(), id="unique_values", sample=_distinct),
    Row(lambda a, b: np.union1d(a, b), np.union1d, ops=(), id="union1d", nargs=2,
        shapes=[((3,), (2, 2))], sample=_distinct),
    Row(lambda w: np.bincount(np.array([0, 2, 2]), weights=w, minlength=4),
        lambda w: np.bincount(np.array([0, 2, 2]), weights=w, minlength=4), ops=(),
        id="bincount", shapes=[((3,),)], float32=False),
    Row(lambda x: np.apply_along_axis(lambda r: np.stack([np.sum(r * r), np.max(r)]), 1, x),
        lambda x: np.apply_along_axis(lambda r: np.stack([np.sum(r * r), np.max(r)]), 1, x),
        ops=(), id="apply_along_axis", shapes=[((2, 3),), ((2, 3, 2),)], sample=_distinct),
    Row(lambda x: np.apply_over_axes(np.sum, x, [0, -1]),
        lambda x: np.apply_over_axes(np.sum, x, [0, -1]), ops=(), id="apply_over_axes",
        shapes=[((2, 3),)]),
    Row(lambda x: np.piecewise(x, [x < 0, x > 0.5], [lambda v: v ** 2, np.sin, 0.3]),
        lambda x: np.piecewise(x, [x < 0, x > 0.5], [lambda v: v ** 2, np.sin, 0.3]), ops=(),
        id="piecewise", sample=_distinct, shapes=[((3,),), ((2, 3),)]),
    Row(lambda x: np.piecewise(x, [x < 0], [np.negative, np.exp]),
        lambda x: np.piecewise(x, [x < 0], [np.negative, np.exp]), ops=(), id="piecewise-else",
        sample=_distinct, shapes=[((2, 3),)]),
    Row(lambda a, b: np.polyadd(a, b), np.polyadd, ops=(), id="polyadd", nargs=2, shapes=[((3,), (5,)), ((2,), (2,))]),
    Row(lambda a, b: np.polysub(a, b), np.polysub, ops=(), id="polysub", nargs=2, shapes=[((4,), (2,))]),
    Row(lambda a, b: np.polymul(a, b), np.polymul, ops=(), id="polymul", nargs=2, shapes=[((3,), (2,))]),
    Row(lambda p: np.polyder(p, 2), lambda p: np.polyder(p, 2), ops=(), id="polyder", shapes=[((5,),)]),
    Row(lambda p, k: np.polyint(p, 2, k), lambda p, k: np.polyint(p, 2, k), ops=(), id="polyint",
        nargs=2, shapes=[((4,), (2,))], float32=False),
    Row(lambda r: np.poly(r), np.poly, ops=(), id="poly", shapes=[((3,),)]),
]

test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = generic_tests(ROWS)


def test_set_operations_gather_from_the_first_occurrence():
    a = np.array([3.0, 1.0, 2.0, 1.0])
    b = np.array([2.0, 5.0, 2.0])
    for name, grad_a, grad_b in [("union1d", [1, 1, 1, 0], [0, 1, 0]),
                                 ("intersect1d", [0, 0, 1, 0], [0, 0, 0]),
                                 ("setdiff1d", [1, 1, 0, 0], [0, 0, 0]),
                                 ("setxor1d", [1, 1, 0, 0], [0, 1, 0])]:
        ta, tb = wg.tensor(a, requires_grad=True), wg.tensor(b, requires_grad=True)
        y = getattr(np, name)(ta, tb)
        np.testing.assert_array_equal(y.detach().numpy(), getattr(np, name)(a, b))
        (y.sum() + 0.0 * ta.sum() + 0.0 * tb.sum()).backward()
        np.testing.assert_array_equal(ta.grad, grad_a, err_msg=name)
        np.testing.assert_array_equal(tb.grad, grad_b, err_msg=name)
    t = wg.tensor(a, requires_grad=True)
    vals, idx, inv, cnt = np.unique(t, return_index=True, return_inverse=True, return_counts=True)
    for got, want in zip((vals, idx, inv, cnt), np.unique(a, True, True, True)):
        np.testing.assert_array_equal(np.asarray(got.detach()), want)
    vals.sum().backward()
    np.testing.assert_array_equal(t.grad, [1, 1, 1, 0])


def test_copyto_into_a_tensor_in_place_and_into_an_array():
    dst = wg.tensor(np.zeros(3))
    src = wg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    np.copyto(dst, src, where=np.array([True, False, True]))
    assert dst.requires_grad
    dst.sum().backward()
    np.testing.assert_array_equal(src.grad, [1, 0, 1])
    with pytest.raises(TypeError, match=r"np\.copyto\(ndarray, \.\.\.\) would write a value that requires grad"):
        np.copyto(np.zeros(3), src)
    with pytest.raises(TypeError, match="Cannot cast"):
        np.copyto(wg.tensor(np.zeros(3, dtype=np.int64)), src)
    plain = np.zeros(3)
    np.copyto(plain, src.detach())
    np.testing.assert_array_equal(plain, [1, 2, 3])


@pytest.mark.parametrize("call", [
    lambda a, v: np.put(a, [0], v), lambda a, v: np.place(a, np.array([True, False]), v),
    lambda a, v: np.putmask(a, np.array([True, False]), v),
    lambda a, v: np.put_along_axis(a, np.array([0]), v, axis=0)])
def test_writes_into_ndarrays_with_values_that_need_grad_raise(call):
    with pytest.raises(TypeError, match="would leave the graph"):
        call(np.zeros(2), wg.tensor([1.0], requires_grad=True))


def test_the_leaf_rule_holds():
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        np.put(wg.tensor([1.0, 2.0], requires_grad=True), [0], 3.0)


def test_errors():
    x = wg.tensor([1.0, -2.0, 3.0], requires_grad=True)
    with pytest.raises(ValueError, match="functions are expected"):
        np.piecewise(x, [x < 0], [np.sin, np.cos, np.exp])
    with pytest.raises(ValueError, match="iteration dimensions are 0"):
        np.apply_along_axis(np.sum, 1, wg.tensor(np.zeros((0, 2))))
    with pytest.raises(ValueError, match="correct shape"):
        np.apply_over_axes(lambda a, ax: wg.sum(a), wg.reshape(x, (1, 3)), [0])
    with pytest.raises(ValueError, match="Order of derivative"):
        np.polyder(x, -1)
    with pytest.raises(ValueError, match="Order of integral"):
        np.polyint(x, -1)
    with pytest.raises(ValueError):
        np.bincount(np.array([-1, 0]), weights=wg.tensor([1.0, 2.0], requires_grad=True))
    with pytest.raises(TypeError, match="np.poly is not differentiable"):
        np.poly(wg.tensor(np.eye(2), requires_grad=True))


def test_queries_answer_on_the_values():
    x = wg.tensor([1.0, -np.inf, 3.0], requires_grad=True)
    np.testing.assert_array_equal(np.isneginf(x), [False, True, False])
    np.testing.assert_array_equal(np.isin(x, [3.0]), [False, False, True])
    np.testing.assert_array_equal(np.lexsort((x, x)), [1, 0, 2])
    np.testing.assert_array_equal(np.digitize(x, np.array([0.0, 2.0])), [1, 0, 2])


@pytest.mark.parametrize("a1,a2", [([0.0, 1.0, 2.0], [1.0, 1.0]), ([0.0, 0.0], [0.0, 3.0]),
                                   ([0.0, 0.0, 0.0], [0.0, 0.0]), ([2.0], [0.0, -1.0, 4.0])])
def test_polymul_drops_leading_zeros_as_numpy(a1, a2):
    t1 = wg.tensor(a1, requires_grad=True)
    y = np.polymul(t1, wg.tensor(a2))
    want = np.polymul(np.array(a1), np.array(a2))
    np.testing.assert_array_equal(y.numpy(force=True), want)
    c = wg.compile(lambda a, b: np.polymul(a, b))
    c(np.array([1.0] * len(a1)), np.array([1.0] * len(a2)))   # traced without leading zeros
    np.testing.assert_array_equal(np.asarray(c(np.array(a1), np.array(a2))), want)
    wg.sum(y * y).backward()
    # a dropped zero still moves the kept coefficients (Σ y² is smooth there)
    from wengert.checking import numerical_grad
    want_grad = numerical_grad(lambda a: wg.sum(wg.polymul(a, np.array(a2)) ** 2), np.array(a1))
    np.testing.assert_allclose(t1.grad.numpy(force=True), want_grad, atol=1e-6)


@pytest.mark.parametrize("name", ["polyadd", "polysub", "polymul"])
@pytest.mark.parametrize("a1, a2", [([1.0, 2.0], [3.0, 4.0]), ([0, 0, 1], [2, 3]),
                                    (2.0, [1.0, 2.0])])
def test_polynomial_arithmetic_of_lists_as_numpy(name, a1, a2):
    # (lists were used as given: polyadd of two lists of one length joined them, [1, 2, 3, 4]
    # for [4, 6]; polysub raised TypeError, polymul "'bool' object is not subscriptable")
    got = np.asarray(getattr(wg, name)(a1, a2))
    np.testing.assert_array_equal(got, getattr(np, name)(a1, a2))


@pytest.mark.parametrize("a1, a2", [([0.0, 0.0, 1.0], [0.5, -1.0]), ([0.5, -1.0], [0.0, 0.0, 1.0]),
                                    ([0.0, 2.0], [0.0, 3.0, 1.0])])
def test_polymul_gradient_at_leading_zeros(a1, a2):
    # (the dropped leading zeros got gradient 0: d/dp of Σ polymul(p, q)² at p = [0, 0, 1],
    # q = [0.5, -1] is [0, -1, 2.5], wengert gave [0, 0, 2.5])
    from wengert.checking import numerical_grad
    f = lambda p, q: wg.sum(wg.polymul(p, q) ** 2)
    a1, a2 = np.array(a1), np.array(a2)
    for g, n in zip(wg.grad(f, argnums=(0, 1))(a1, a2), numerical_grad(f, a1, a2, argnums=(0, 1))):
        np.testing.assert_allclose(np.asarray(g), n, atol=1e-6)
    np.testing.assert_array_equal(np.asarray(wg.polymul(wg.tensor(a1), a2)), np.polymul(a1, a2))
