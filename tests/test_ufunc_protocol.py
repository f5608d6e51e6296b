"""NumPy's ufunc protocol on Tensors (wengert/ops/ufunc_protocol.py): out=, where=, dtype=,
casting=, order=, subok=, and the methods at, reduce, accumulate, outer, reduceat. Values
against NumPy's, gradients against central finite differences (first and second order,
reverse and forward mode), and each error's type and message."""
import numpy as np
import pytest

import wengert as wg

RNG = np.random.default_rng(0)
A = RNG.uniform(0.5, 2.0, (2, 3))
B = RNG.uniform(0.5, 2.0, (2, 3))
ROW = RNG.uniform(0.5, 2.0, (3,))


def check(f, *args, order=2):
    assert wg.gradcheck(f, args, order=order)


# ---- out= -------------------------------------------------------------------------------------------

def test_out_tensor_takes_the_result_and_is_returned():
    c = wg.zeros((2, 3))
    r = np.add(wg.tensor(A), B, out=c)
    assert r is c
    np.testing.assert_array_equal(c.numpy(force=True), A + B)
    c2 = wg.zeros((2, 3))
    assert np.multiply(wg.tensor(A), B, out=(c2,)) is c2           # the tuple form
    np.testing.assert_array_equal(c2.numpy(force=True), A * B)


def test_out_tensor_is_differentiable():
    def f(a, b):
        c = wg.zeros((2, 3))
        np.multiply(a, b, out=c)
        return c
    check(f, A, B)


def test_out_tensor_broadcasts_its_inputs():
    def f(a, b):
        c = wg.zeros((2, 3))
        np.add(a, b, out=c)
        return c * c
    check(f, ROW, np.float64(0.5))
    c = wg.zeros((2, 3))
    np.add(wg.tensor(ROW), 1.0, out=c)
    np.testing.assert_array_equal(c.numpy(force=True), np.add(ROW, 1.0, out=np.zeros((2, 3))))


def test_out_the_input_itself():
    """np.exp(x, out=x) and np.multiply(x, x, out=x) on a non-leaf: like x = f(x)."""
    def f(a):
        x = a * 1.0
        np.exp(x, out=x)
        np.multiply(x, x, out=x)
        return x
    check(f, A)
    x = wg.tensor(A) * 1.0
    np.exp(x, out=x)
    np.testing.assert_allclose(x.numpy(force=True), np.exp(A))


def test_out_ndarray_without_gradients_is_numpys():
    o = np.zeros((2, 3))
    r = np.add(wg.tensor(A), B, out=o)
    assert r is o
    np.testing.assert_array_equal(o, A + B)


def test_out_ndarray_while_an_input_needs_grad_is_a_type_error():
    a = wg.tensor(A, requires_grad=True)
    with pytest.raises(TypeError, match=r"np\.add\(\.\.\., out=ndarray\).*out-of-place.*\.detach\(\)"):
        np.add(a, B, out=np.zeros((2, 3)))
    with pytest.raises(TypeError, match="leave the graph"):
        np.exp(a, out=(np.zeros((2, 3)),))


def test_out_leaf_that_requires_grad_is_the_in_place_error():
    c = wg.zeros((2, 3), requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        np.add(wg.tensor(A), B, out=c)


def test_out_saved_tensor_is_caught_by_version_counting():
    a = wg.tensor(A, requires_grad=True)
    c = a * 1.0
    y = (c * c).sum()                       # saves c
    np.add(c, 1.0, out=c)
    with pytest.raises(RuntimeError, match="modified by an in-place operation|version"):
        y.backward()


def test_out_dtype_follows_numpys_casting():
    ci = wg.zeros((2, 3), dtype=wg.int64)
    with pytest.raises(TypeError, match="Cannot cast ufunc 'add' output"):
        np.add(wg.tensor(A), B, out=ci)
    np.add(wg.tensor(A), B, out=ci, casting="unsafe")
    np.testing.assert_array_equal(ci.numpy(force=True), np.add(A, B, out=np.zeros((2, 3), int), casting="unsafe"))
    c32 = wg.zeros((2, 3), dtype=wg.float32)
    np.add(wg.tensor(A), B, out=c32)                 # same_kind: float64 → float32 is fine
    assert c32.dtype == np.float32
    np.testing.assert_allclose(c32.numpy(force=True), (A + B).astype(np.float32))


def test_out_of_the_wrong_shape_is_a_value_error():
    with pytest.raises(ValueError, match=r"output operand of shape \(3,\)"):
        np.add(wg.tensor(A), B, out=wg.zeros(3))


# ---- where= -----------------------------------------------------------------------------------------

M = np.array([[True, False, True], [False, False, True]])


def test_where_with_out_keeps_the_old_values_elsewhere():
    c = wg.tensor(-np.ones((2, 3)))
    np.add(wg.tensor(A), B, where=M, out=c)
    np.testing.assert_array_equal(c.numpy(force=True), np.add(A, B, where=M, out=-np.ones((2, 3))))
    c = wg.tensor(-np.ones((2, 3)))
    np.add(wg.tensor(A), B, where=wg.tensor(M), out=c)      # a Tensor mask
    np.testing.assert_array_equal(c.numpy(force=True), np.add(A, B, where=M, out=-np.ones((2, 3))))


def test_where_with_out_is_differentiable_in_both_branches():
    def f(a, b, old):
        c = old * 1.0
        np.multiply(a, b, where=M, out=c)
        return c
    check(f, A, B, -A)


def test_where_masks_a_singular_branch_without_nan():
    x = wg.tensor(np.array([-1.0, 0.0, 4.0]), requires_grad=True)
    c = wg.zeros(3)
    with np.errstate(all="ignore"):
        np.log(x, where=x.detach() > 0, out=c)
    c.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(force=True), [0.0, 0.0, 0.25])


def test_where_without_out_is_an_error():
    with pytest.raises(TypeError, match=r"where=mask\) without out=.*uninitialised.*out="):
        np.add(wg.tensor(A), B, where=M)
    np.testing.assert_array_equal(np.add(wg.tensor(A), B, where=True).numpy(force=True), A + B)


# ---- dtype=, casting=, order=, subok= -------------------------------------------------------------

def test_dtype_computes_like_numpy_and_stays_differentiable():
    r = np.exp(wg.tensor(A), dtype=np.float32)
    assert r.dtype == np.float32
    np.testing.assert_array_equal(r.numpy(force=True), np.exp(A, dtype=np.float32))
    r = np.add(wg.tensor(np.arange(3)), 1, dtype=np.float64)
    assert r.dtype == np.float64
    a32 = wg.tensor(A.astype(np.float32), requires_grad=True)
    y = np.multiply(a32, B, dtype=np.float64)
    assert y.dtype == np.float64
    np.testing.assert_array_equal(y.numpy(force=True), np.multiply(A.astype(np.float32), B, dtype=np.float64))
    y.sum().backward()
    assert a32.grad.dtype == np.float32
    np.testing.assert_array_equal(a32.grad.numpy(force=True), B.astype(np.float32))
    a = wg.tensor(A, requires_grad=True)
    np.sin(a, dtype=np.float32).sum().backward()
    assert a.grad.dtype == np.float64
    np.testing.assert_allclose(a.grad.numpy(force=True), np.cos(A), rtol=1e-6)


def test_dtype_that_numpy_refuses_is_numpys_type_error():
    with pytest.raises(TypeError, match="Cannot cast ufunc 'add' input"):
        np.add(wg.tensor(A), B, dtype=np.int64)


def test_casting_no_is_checked():
    with pytest.raises(TypeError, match="casting rule 'no'"):
        np.add(wg.tensor(A), B.astype(np.float32), casting="no")
    with pytest.raises(ValueError, match="casting must be one of"):
        np.add(wg.tensor(A), B, casting="loose")


def test_order_is_accepted_and_checked():
    np.testing.assert_array_equal(np.add(wg.tensor(A), B, order="F").numpy(force=True), A + B)
    with pytest.raises(ValueError, match="order must be one of"):
        np.add(wg.tensor(A), B, order="Z")


def test_subok_false_and_unknown_keywords_are_named():
    with pytest.raises(TypeError, match="subok=False"):
        np.add(wg.tensor(A), B, subok=False)
    with pytest.raises(TypeError, match="keyword signature= is not supported"):
        np.add(wg.tensor(A), B, signature="dd->d")


# ---- ufunc.at -----------------------------------------------------------------------------------

IDX = np.array([0, 2, 0, 3, 0])


@pytest.mark.parametrize("ufunc", [np.add, np.subtract])
def test_at_values_and_gradients(ufunc):
    base = RNG.uniform(-1, 1, 5)
    v = RNG.uniform(-1, 1, 5)
    t = wg.tensor(base)
    ufunc.at(t, IDX, v)
    want = base.copy()
    ufunc.at(want, IDX, v)
    np.testing.assert_allclose(t.numpy(force=True), want)

    def f(b, vals):
        x = b * 1.0
        assert ufunc.at(x, IDX, vals) is None
        return x * x
    check(f, base, v)
    check(lambda b, s: _at_scalar(ufunc, b, s), base, np.float64(0.7))


def _at_scalar(ufunc, b, s):
    x = b * 1.0
    ufunc.at(x, (np.array([1, 1, 4]),), s)     # a broadcast scalar, the tuple index form
    return x * x


def test_at_on_a_2d_tensor_with_rows():
    base = RNG.uniform(-1, 1, (3, 2))
    v = RNG.uniform(-1, 1, (4, 2))
    idx = [0, 2, 0, 0]
    t = wg.tensor(base)
    np.add.at(t, idx, v)
    want = base.copy()
    np.add.at(want, idx, v)
    np.testing.assert_allclose(t.numpy(force=True), want)

    def f(b, vals):
        x = b * 1.0
        np.add.at(x, idx, vals)
        return x
    check(f, base, v)


def test_at_without_gradients_runs_numpys_and_bumps_the_version():
    base = RNG.uniform(1, 2, 5)
    t = wg.tensor(base)
    np.multiply.at(t, IDX, 2.0)
    want = base.copy()
    np.multiply.at(want, IDX, 2.0)
    np.testing.assert_allclose(t.numpy(force=True), want)
    # a constant saved by a node: modifying it in place must be caught, never silent
    k = wg.tensor(base)
    x = wg.tensor(base, requires_grad=True)
    y = (x * k).sum()
    np.maximum.at(k, IDX, 10.0)
    with pytest.raises(RuntimeError, match="in-place|version"):
        y.backward()


def test_at_errors():
    x = wg.tensor(np.ones(5)) * 1.0
    v = wg.tensor(np.ones(5), requires_grad=True)
    with pytest.raises(TypeError, match=r"np\.multiply\.at is not differentiable"):
        np.multiply.at(x, IDX, v)
    with pytest.raises(TypeError, match=r"np\.add\.at\(ndarray, \.\.\.\).*leave the graph.*\.detach\(\)"):
        np.add.at(np.zeros(5), IDX, v)
    a = np.zeros(5)
    np.add.at(a, IDX, v.detach())             # no gradient needed: NumPy's
    np.testing.assert_array_equal(a, np.bincount(IDX, minlength=5))
    leaf = wg.zeros(5, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        np.add.at(leaf, IDX, 1.0)


# ---- reduce, accumulate -------------------------------------------------------------------------

@pytest.mark.parametrize("ufunc", [np.add, np.multiply, np.maximum, np.minimum])
@pytest.mark.parametrize("kw", [{}, {"axis": 1}, {"axis": None}, {"axis": 0, "keepdims": True}],
                         ids=["default", "axis1", "all", "keepdims"])
def test_reduce(ufunc, kw):
    np.testing.assert_allclose(ufunc.reduce(wg.tensor(A), **kw).numpy(force=True), ufunc.reduce(A, **kw))
    check(lambda a: ufunc.reduce(a, **kw), A)


@pytest.mark.parametrize("ufunc", [np.add, np.multiply, np.maximum, np.minimum])
def test_reduce_initial(ufunc):
    got = ufunc.reduce(wg.tensor(A), axis=1, initial=1.5)
    np.testing.assert_allclose(got.numpy(force=True), ufunc.reduce(A, axis=1, initial=1.5))
    check(lambda a: ufunc.reduce(a, axis=1, initial=1.5), A)


def test_reduce_out():
    c = wg.zeros(3)
    assert np.add.reduce(wg.tensor(A), out=c) is c
    np.testing.assert_allclose(c.numpy(force=True), A.sum(0))

    def f(a):
        c = wg.zeros(3)
        np.multiply.reduce(a, out=c)
        return c
    check(f, A)
    with pytest.raises(TypeError, match="leave the graph"):
        np.add.reduce(wg.tensor(A, requires_grad=True), out=np.zeros(3))


TIES = np.array([[1.0, 3.0, 3.0, 2.0, 5.0, 5.0], [4.0, 1.0, 4.0, 6.0, 0.0, 6.0]])


@pytest.mark.parametrize("ufunc", [np.add, np.multiply, np.maximum, np.minimum])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_accumulate(ufunc, axis):
    np.testing.assert_allclose(ufunc.accumulate(wg.tensor(A), axis=axis).numpy(force=True),
                               ufunc.accumulate(A, axis=axis))
    check(lambda a: ufunc.accumulate(a, axis=axis), A)


@pytest.mark.parametrize("ufunc", [np.maximum, np.minimum])
def test_extreme_accumulate_ties_and_nan(ufunc):
    np.testing.assert_array_equal(ufunc.accumulate(wg.tensor(TIES), axis=1).numpy(force=True),
                                  ufunc.accumulate(TIES, axis=1))
    x = wg.tensor(TIES, requires_grad=True)
    ufunc.accumulate(x, axis=1).sum().backward()
    # each running value's gradient goes to the first element that reached it
    run = ufunc.accumulate(TIES, axis=1)
    want = np.zeros_like(TIES)
    for i in range(2):
        for k in range(6):
            want[i, np.flatnonzero(TIES[i, :k + 1] == run[i, k])[0]] += 1
    np.testing.assert_array_equal(x.grad.numpy(force=True), want)
    n = np.array([1.0, np.nan, 3.0, 0.5])
    np.testing.assert_array_equal(ufunc.accumulate(wg.tensor(n)).numpy(force=True), ufunc.accumulate(n))


def test_accumulate_out():
    c = wg.zeros((2, 3))
    np.add.accumulate(wg.tensor(A), axis=1, out=c)
    np.testing.assert_allclose(c.numpy(force=True), np.cumsum(A, axis=1))


# ---- outer --------------------------------------------------------------------------------------

SMOOTH = [np.add, np.subtract, np.multiply, np.divide, np.power, np.logaddexp, np.logaddexp2,
          np.hypot, np.arctan2]
OTHERS = [np.maximum, np.minimum, np.fmax, np.fmin, np.copysign, np.remainder, np.fmod,
          np.floor_divide, np.less, np.greater_equal, np.equal]


@pytest.mark.parametrize("ufunc", SMOOTH + OTHERS, ids=lambda u: u.__name__)
def test_outer_values(ufunc):
    got = ufunc.outer(wg.tensor(A), wg.tensor(ROW))
    np.testing.assert_allclose(got.numpy(force=True), ufunc.outer(A, ROW))
    assert got.shape == (2, 3, 3)
    np.testing.assert_allclose(ufunc.outer(ROW, wg.tensor(A)).numpy(force=True), ufunc.outer(ROW, A))


@pytest.mark.parametrize("ufunc", SMOOTH, ids=lambda u: u.__name__)
def test_outer_gradients(ufunc):
    check(lambda a, b: ufunc.outer(a, b), A, ROW)


def test_outer_of_scalars_and_out():
    np.testing.assert_allclose(np.multiply.outer(wg.tensor(2.0), ROW).numpy(force=True), 2.0 * ROW)
    c = wg.zeros((3, 3))
    np.subtract.outer(wg.tensor(ROW), ROW, out=c)
    np.testing.assert_allclose(c.numpy(force=True), np.subtract.outer(ROW, ROW))


# ---- reduceat -------------------------------------------------------------------------------------

X8 = RNG.uniform(-1, 1, (3, 8))


@pytest.mark.parametrize("indices,axis", [([0, 4, 1, 5], 1), ([0, 3, 6], -1), ([2, 2, 7], 1),
                                          ([0, 2], 0), ([1], 0)])
def test_add_reduceat(indices, axis):
    np.testing.assert_allclose(np.add.reduceat(wg.tensor(X8), indices, axis=axis).numpy(force=True),
                               np.add.reduceat(X8, indices, axis=axis))
    check(lambda x: np.add.reduceat(x, indices, axis=axis), X8)


def test_add_reduceat_errors():
    with pytest.raises(IndexError, match="out-of-bounds in add.reduceat"):
        np.add.reduceat(wg.tensor(X8), [0, 9], axis=1)
    with pytest.raises(TypeError, match=r"np\.multiply\.reduceat is not differentiable"):
        np.multiply.reduceat(wg.tensor(X8, requires_grad=True), [0, 2], axis=1)
    np.testing.assert_allclose(np.multiply.reduceat(wg.tensor(X8), [0, 2], axis=1).numpy(force=True),
                               np.multiply.reduceat(X8, [0, 2], axis=1))


# ---- names in errors ------------------------------------------------------------------------------

def test_formerly_missing_ufuncs_are_differentiable():
    """heaviside, float_power, divmod and modf (once errors naming their wg equivalent) now
    dispatch to wengert ops."""
    x = wg.tensor(A, requires_grad=True)
    opaque = np.frompyfunc(lambda a: a, 1, 1)
    with pytest.raises(TypeError, match=r"is not differentiable"):
        opaque(x)
    np.testing.assert_array_equal(opaque(wg.tensor(A)).numpy(force=True), opaque(A))
    # every equivalent still listed is named by the error of its (still non-differentiable) ufunc
    from wengert.ops.ufunc_protocol import _EQUIVALENTS
    for name, hint in _EQUIVALENTS.items():
        if not name.startswith("np."):
            continue
        uf = getattr(np, name[3:])
        with pytest.raises(TypeError, match=r"^" + name.replace(".", r"\.") + r" is not differentiable"):
            uf(*[x] * uf.nin)
        try:
            uf(*[x] * uf.nin)
        except TypeError as e:
            assert hint in str(e)
    for y in (np.heaviside(x, 0.5), np.float_power(x, 2.0), np.divmod(x, 0.7)[1], np.modf(x)[0]):
        assert isinstance(y, wg.Tensor) and y.requires_grad
    np.testing.assert_array_equal(np.heaviside(wg.tensor(A - 1), 0.5).numpy(force=True),
                                  np.heaviside(A - 1, 0.5))


def test_scipy_ufunc_names_itself():
    sc = pytest.importorskip("scipy.special")
    x = wg.tensor(A, requires_grad=True)
    with pytest.raises(TypeError, match=r"^scipy\.special\.i0e is not differentiable"):
        sc.i0e(x)
    y = sc.expit(x)                            # dispatches to wg.sigmoid
    assert y.grad_fn.name == "SigmoidBackward"


def test_non_differentiable_ufunc_out_tensor_goes_through_in_place():
    c = wg.zeros((2, 3))
    np.heaviside(wg.tensor(A - 1), 0.5, out=c)
    np.testing.assert_array_equal(c.numpy(force=True), np.heaviside(A - 1, 0.5))
    assert c._version == 1


# ---- out= aliasing an operand (a view of out, or out a view of an operand) ------------------------

def _hessian_matches(f, x):
    """wg.hessian of sum(f) against the finite-difference Jacobian of its gradient."""
    h = wg.hessian(lambda t: f(t).sum())(x).reshape(x.size, x.size)
    g = lambda t: wg.grad(lambda s: f(s).sum())(t)
    fd = np.stack([wg.numerical_grad(lambda t: g(t).reshape(-1)[k], x).reshape(-1)
                   for k in range(x.size)])
    np.testing.assert_allclose(h, fd, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("uf", [np.divide, np.multiply, np.maximum, np.subtract])
def test_out_that_a_view_operand_aliases_reads_the_old_values(uf):
    def f(x):
        o = x * 1.0
        uf(o[:, ::-1], o, out=o)
        return o

    def ref(x):
        o = x * 1.0
        return uf(o[:, ::-1], o)

    np.testing.assert_allclose(f(wg.tensor(A)).numpy(force=True), ref(A), rtol=1e-12)
    check(f, A)
    _hessian_matches(f, A)        # was silently wrong (forward over reverse) for divide


@pytest.mark.parametrize("uf", [np.multiply, np.maximum, np.add])
def test_out_a_view_of_an_operand(uf):
    def f(x):
        o = x * 1.0
        uf(o[1:], o[:-1], out=o[1:])
        return o

    def g(x):                              # NumPy's reduce into a row of its own input
        o = x * 1.0
        uf.reduce(o, axis=0, out=o[0])
        return o

    for fun in (f, g):
        want = fun(A)
        np.testing.assert_allclose(fun(wg.tensor(A)).numpy(force=True), want, rtol=1e-12)
        check(fun, A)
