"""Forward mode: dual numbers (wg.dual, .primal, .tangent), tangents through every op family,
dual numbers flowing through reverse-mode graphs and reverse mode through dual numbers,
levels that keep nested perturbations apart, custom Functions' jvp, and the errors."""
import numpy as np
import pytest

import wengert as wg
from tests.functions import Cube, ExpWithJvp as Exp, MulAdd, NoJvp
from wengert.forward import new_level, tangent_at, with_tangent, without_level


def directional(f, x, v, eps=1e-6):
    """(f(x + εv) − f(x − εv)) / 2ε: the tangent f′(x)·v by central differences."""
    hi = np.asarray(f(wg.tensor(x + eps * v)).data)
    lo = np.asarray(f(wg.tensor(x - eps * v)).data)
    return (hi - lo) / (2 * eps)


def check_tangent(f, x, seed=0, rtol=1e-6, atol=1e-8, symmetric=False):
    """f(wg.dual(x, v)) carries f(x) as its value and f′(x)·v as its tangent."""
    v = np.random.default_rng(seed).standard_normal(np.shape(x))
    if symmetric:       # cholesky, eigh: derivatives along symmetric perturbations
        v = v + v.T
    y = f(wg.dual(x, v))
    np.testing.assert_allclose(y.primal.numpy(force=True), f(wg.tensor(x)).numpy(force=True), rtol=1e-12)
    assert y.tangent is not None and y.tangent.shape == y.shape
    np.testing.assert_allclose(y.tangent.numpy(force=True), directional(f, x, v), rtol=rtol, atol=atol)


# ---- dual numbers -----------------------------------------------------------------------------

def test_the_seed_example():
    f = lambda x, y: x ** 2 * y + y + 2  # noqa: E731
    out = f(wg.dual(3.0, 1.0), 4.0)
    assert out.primal.item() == 42.0 and out.tangent.item() == 24.0
    out = f(3.0, wg.dual(4.0, 1.0))
    assert out.primal.item() == 42.0 and out.tangent.item() == 10.0     # x² + 1


def test_primal_and_tangent():
    d = wg.dual(np.array([1.0, 2.0]), np.array([0.5, -1.0]))
    assert isinstance(d, wg.Tensor)
    np.testing.assert_array_equal(d.tangent.numpy(force=True), [0.5, -1.0])
    p = d.primal
    assert p.tangent is None
    np.testing.assert_array_equal(p.numpy(force=True), [1.0, 2.0])
    t = wg.tensor([1.0])
    assert t.tangent is None and t.primal is t
    y = wg.sin(d)
    np.testing.assert_allclose(y.tangent.numpy(force=True), np.cos([1.0, 2.0]) * [0.5, -1.0])
    assert y.primal.tangent is None


def test_dual_types_and_dtypes():
    assert wg.dual(2, 1).dtype == np.float64                       # integers become floats
    d = wg.dual(np.float32(2.0), 1.0)
    assert d.dtype == np.float32 and d.tangent.dtype == np.float32  # the tangent follows
    y = wg.exp(d) * 3.0
    assert y.dtype == np.float32 and y.tangent.dtype == np.float32


def test_tangent_shape_must_match_and_the_error_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        wg.dual(np.ones(3), np.ones(2))
    with pytest.raises(ValueError, match=r"\(\).*\(2, 2\)"):
        wg.dual(np.ones((2, 2)), 1.0)


def test_constants_and_non_differentiable_results_carry_no_tangent():
    d = wg.dual(np.array([1.0, -2.0]), np.ones(2))
    assert (d > 0).tangent is None
    assert wg.argmax(d).tangent is None
    assert wg.floor(d).tangent is not None and not wg.floor(d).tangent.numpy(force=True).any()
    assert (wg.tensor(2.0) * 3).tangent is None


# ---- every family -------------------------------------------------------------------------------

X = np.array([[0.3, -1.2, 0.8], [1.1, 0.4, -0.7]])


@pytest.mark.parametrize("f", [
    lambda x: wg.exp(wg.sin(x)) * wg.sqrt(x * x + 1) - wg.arctan2(x, 2.0),
    lambda x: wg.where(x > 0, wg.log(x + 2), x ** 3) + wg.maximum(x, 0.1) / wg.hypot(x, 1.5),
    lambda x: wg.clip(x, -0.5, 0.5) * wg.tanh(x),
], ids=["elementwise", "selection", "clip"])
def test_elementwise(f):
    check_tangent(f, X)


@pytest.mark.parametrize("f", [
    lambda x: wg.sigmoid(x) + wg.softplus(x) + wg.gelu(x) + wg.erf(x),
    lambda x: wg.softmax(x, axis=-1) * wg.log_softmax(x, axis=0),
    lambda x: wg.relu(x) * wg.gelu(x, approximate="tanh"),
], ids=["activations", "softmax", "relu"])
def test_nn(f):
    check_tangent(f, X)


@pytest.mark.parametrize("f", [
    lambda x: wg.sum(x ** 2, axis=0) + wg.mean(x, axis=1).sum() + wg.prod(x, axis=1).sum(),
    lambda x: wg.max(x, axis=1) * wg.min(x) + wg.logsumexp(x, axis=0).sum(),
    lambda x: wg.var(x, axis=1) + wg.std(x) + wg.cumsum(x, axis=1)[:, -1] * wg.cumprod(x).sum(),
], ids=["sums", "extremes", "moments"])
def test_reduction(f):
    check_tangent(f, X)


@pytest.mark.parametrize("f", [
    lambda x: wg.reshape(x, (3, 2)) @ x + wg.transpose(x) @ wg.swapaxes(x, 0, 1).T,
    lambda x: wg.concatenate([x, wg.flip(x, 0)], axis=1) * wg.tile(x, (1, 2)),
    lambda x: wg.stack([x, x ** 2]).sum(0) + wg.broadcast_to(wg.expand_dims(x[0], 0), (2, 3)),
    lambda x: wg.pad(x, 1, mode="reflect").sum(axis=0) + wg.repeat(x, 2, axis=0).sum(),
], ids=["reshape-transpose", "concat-flip-tile", "stack-broadcast", "pad-repeat"])
def test_shape(f):
    check_tangent(f, X)


@pytest.mark.parametrize("f", [
    lambda x: x[1, [0, 2, 2]] * x[:, 1].sum() + wg.take(x, [5, 0, 5]),
    lambda x: wg.setitem(x, (0, slice(1, 3)), x[1, :2] ** 2) * wg.sort(x, axis=1),
    lambda x: wg.take_along_axis(x, np.array([[2, 0], [1, 1]]), axis=1).sum(1) + x[x > 0].sum(),
], ids=["getitem-take", "setitem-sort", "take_along_axis-mask"])
def test_indexing(f):
    check_tangent(f, X)


A = np.array([[2.0, 0.3, -0.1], [0.3, 1.5, 0.2], [-0.1, 0.2, 1.0]])


@pytest.mark.parametrize("f", [
    lambda a: wg.einsum("ij,jk->ik", a, a) + wg.tensordot(a, a, axes=1) - wg.outer(a[0], a[1]),
    lambda a: wg.linalg.inv(a) * wg.linalg.det(a) + wg.linalg.solve(a, a[:, :1] ** 2),
    lambda a: wg.linalg.cholesky(a) + wg.linalg.slogdet(a)[1] + wg.trace(a) * wg.diagonal(a),
    lambda a: wg.linalg.eigh(a)[0] + wg.linalg.svd(a, compute_uv=False)
              + wg.linalg.norm(a, "nuc") + wg.linalg.qr(a)[1][0],
], ids=["products", "inverse", "cholesky-slogdet-trace", "spectral"])
def test_linalg(f):
    check_tangent(f, A, symmetric=True)


# ---- dual numbers and reverse mode together ------------------------------------------------------

def test_a_dual_number_flows_through_a_reverse_graph():
    x = wg.tensor(2.0, requires_grad=True)
    y = wg.dual(x, 1.0) ** 3
    assert y.primal.item() == 8.0 and y.tangent.item() == 12.0        # 3x²
    assert y.requires_grad and y.tangent.requires_grad
    (g,) = wg.autograd.grad(y.tangent, x, retain_graph=True)            # d/dx 3x² = 6x
    assert g.item() == 12.0
    y.primal.backward()
    assert x.grad.item() == 12.0


def test_reverse_mode_through_a_dual_number_is_forward_over_reverse():
    # the gradient, recorded (create_graph), carries the tangent: H·v
    x0 = np.array([0.5, -1.0, 2.0])
    v = np.array([1.0, 0.5, -2.0])
    x = wg.tensor(x0, requires_grad=True)
    d = wg.dual(x, v)
    y = (wg.sin(d) * d).sum() + (d[0] * d[2]) ** 2
    (g,) = wg.autograd.grad(y, d, create_graph=True)
    # g = sin x + x cos x (elementwise) + the pair term; H·v by hand:
    h_diag = 2 * np.cos(x0) - x0 * np.sin(x0)
    hv = h_diag * v
    a, c = x0[0], x0[2]
    hv[0] += 2 * c * c * v[0] + 4 * a * c * v[2]
    hv[2] += 2 * a * a * v[2] + 4 * a * c * v[0]
    np.testing.assert_allclose(g.tangent.numpy(force=True), hv, rtol=1e-12)
    assert g.requires_grad                                   # and it is differentiable again
    (gg,) = wg.autograd.grad(g.tangent.sum(), x)
    assert gg.shape == (3,)


def test_backward_accumulates_into_a_leaf_behind_a_dual():
    x = wg.tensor([1.0, 2.0], requires_grad=True)
    y = wg.sum(wg.exp(wg.dual(x, np.ones(2))))
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(force=True), np.exp([1.0, 2.0]))
    np.testing.assert_allclose(y.tangent.numpy(force=True), np.exp([1.0, 2.0]).sum())


# ---- levels -------------------------------------------------------------------------------------

def test_nested_levels_do_not_confuse_perturbations():
    # d/dx [x · d/dy (x + y)] = 1 at every x (a confused implementation gives 2)
    for x0 in (0.0, 1.5, -3.0):
        outer = new_level()
        x = with_tangent(x0, 1.0, outer)
        inner = new_level()
        y = with_tangent(4.0, 1.0, inner)
        dy = tangent_at(x + y, inner)
        assert dy.item() == 1.0
        assert tangent_at(x * dy, outer).item() == 1.0


def test_second_derivative_by_forward_over_forward():
    outer, inner = new_level(), new_level()
    x = with_tangent(with_tangent(0.7, 1.0, outer), 1.0, inner)
    y = wg.sin(x) * x
    d1 = tangent_at(y, inner)                           # sin x + x cos x, carrying `outer`
    d2 = tangent_at(d1, outer)
    np.testing.assert_allclose(d1.item(), np.sin(0.7) + 0.7 * np.cos(0.7))
    np.testing.assert_allclose(d2.item(), 2 * np.cos(0.7) - 0.7 * np.sin(0.7))


def test_without_level_keeps_value_graph_and_other_levels():
    a, b = new_level(), new_level()
    x = with_tangent(with_tangent(wg.tensor(1.0, requires_grad=True), 2.0, a), 3.0, b)
    y = without_level(x, b)
    assert tangent_at(y, b) is None and tangent_at(y, a).item() == 2.0
    assert y.grad_fn is x.grad_fn and y.item() == 1.0


def test_with_tangent_checks_the_shape():
    with pytest.raises(ValueError, match=r"tangent shape \(3,\) does not match primal shape "
                                         r"\(2,\)"):
        with_tangent(np.ones(2), np.ones(3), new_level())


# ---- custom Functions ---------------------------------------------------------------------------

def test_a_dual_through_a_custom_function():
    y = Cube.apply(wg.dual(2.0, 0.5))
    assert y.primal.item() == 8.0 and y.tangent.item() == 6.0
    p, s = MulAdd.apply(wg.dual(2.0, 1.0), 3.0)            # the other input gets no tangent
    assert p.tangent.item() == 3.0 and s.tangent.item() == 1.0
    p, s = MulAdd.apply(wg.dual(2.0, 1.0), wg.tensor(3.0))  # a Tensor without one: zeros
    assert p.tangent.item() == 3.0 and s.tangent.item() == 1.0


def test_custom_functions_pass_gradcheck_in_both_modes_to_second_order():
    # second order covers the jvp's own derivatives (forward-over-forward, reverse-over-
    # forward) and forward-over-reverse through backward, saved outputs included
    rng = np.random.default_rng(0)
    assert wg.gradcheck(Cube.apply, (rng.uniform(-2, 2, (2, 3)),), order=2)
    assert wg.gradcheck(Exp.apply, (rng.uniform(-2, 2, (3,)),), order=2)
    assert wg.gradcheck(lambda x, y: MulAdd.apply(x, y), (rng.normal(size=3), rng.normal(size=3)),
                        order=2)


def test_a_function_without_jvp_is_a_clear_error():
    with pytest.raises(RuntimeError, match="NoJvp defines no staticmethod jvp"):
        NoJvp.apply(wg.dual(1.0, 1.0))
    assert NoJvp.apply(wg.tensor(1.0)).item() == 2.0        # fine without tangents


def test_a_jvp_returning_the_wrong_shape_or_count_is_an_error():
    class BadShape(wg.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def jvp(ctx, t):
            return wg.ones(5)

    class BadCount(wg.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def jvp(ctx, t):
            return t * 2

    with pytest.raises(ValueError, match=r"shape \(5,\).*shape \(3,\)"):
        BadShape.apply(wg.dual(np.ones(3), np.ones(3)))
    with pytest.raises(RuntimeError, match="returned 1 tangents.*2 outputs"):
        BadCount.apply(wg.dual(np.ones(3), np.ones(3)))


def test_a_custom_function_takes_a_batch_of_tangents():
    x = wg.tensor([1.0, 2.0])
    level = new_level()
    from wengert.forward import set_tangent as _set_tangent
    _set_tangent(x, level, wg.tensor(np.eye(2)))            # two tangents at once (jacfwd)
    y = Cube.apply(x)
    np.testing.assert_array_equal(tangent_at(y, level).numpy(force=True), np.diag([3.0, 12.0]))


def test_a_checkpoint_passes_tangents_through():
    x = wg.tensor([0.5, 1.0], requires_grad=True)
    y = wg.checkpoint(lambda t: wg.sin(t) * t, wg.dual(x, np.ones(2)))
    x0 = np.array([0.5, 1.0])
    np.testing.assert_allclose(y.tangent.numpy(force=True), np.sin(x0) + x0 * np.cos(x0))
    y.primal.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(force=True), y.tangent.numpy(force=True))


def test_forward_over_reverse_through_output_saving_ops_frees_the_graph():
    import weakref
    x = wg.tensor([0.5, 1.0], requires_grad=True)
    y = wg.exp(wg.dual(x, wg.tensor([1.0, 0.0])))
    ref = weakref.ref(y.grad_fn)
    del y
    assert ref() is None          # no cycle through the forward-mode bookkeeping


def test_masked_branch_stays_nan_free_in_reverse_over_forward():
    x = wg.tensor([0.0, 2.0], requires_grad=True)
    xd = wg.dual(x, wg.tensor([1.0, 1.0]))
    y = wg.where(xd > 0, wg.sqrt(xd * xd), 0.0)
    (g,) = wg.autograd.grad(y.tangent.sum(), x)
    assert np.all(np.isfinite(g.numpy(force=True)))


def test_forward_mode_through_a_masked_branch_gives_no_warning():
    import warnings
    d = wg.dual(wg.tensor([0.0, 4.0]), wg.tensor([1.0, 1.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = wg.where(d > 0, wg.sqrt(d), 0.0)
    np.testing.assert_allclose(y.tangent.numpy(force=True), [0.0, 0.25])


def test_in_place_on_a_dual_updates_its_tangent():
    d = wg.dual(wg.tensor([1.0, 2.0]), wg.tensor([1.0, 1.0]))
    d *= 3
    np.testing.assert_allclose(d.tangent.numpy(force=True), [3.0, 3.0])
    d[0] = 5.0
    np.testing.assert_allclose(d.tangent.numpy(force=True), [0.0, 3.0])


def test_an_unsupported_numpy_function_on_a_dual_raises():
    d = wg.dual(wg.tensor([1.0, 2.0, 3.0]), wg.tensor([1.0, 1.0, 1.0]))
    with pytest.raises(TypeError, match="not differentiable"):
        np.histogram(d)
