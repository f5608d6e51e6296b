"""Jacobians and Hessians: jacrev, jacfwd, jacobian, hessian, hvp — against formulas,
against each other in every composition of modes, batched equal to loops of single passes."""
import numpy as np
import pytest

import wengert as wg
from tests.transform_helpers import close, rosen, rosen_hessian
from wengert import transforms


# ---- Jacobians --------------------------------------------------------------------------------

W = np.random.default_rng(0).standard_normal((4, 3))


def mlp(x):
    return wg.tanh(W @ x) * 2 + x.sum()


def mlp_jacobian(x):
    h = np.tanh(W @ x)
    return 2 * (1 - h ** 2)[:, None] * W + 1


@pytest.mark.parametrize("jac", [wg.jacrev, wg.jacfwd, wg.jacobian])
def test_jacobian_of_a_small_network_against_the_formula(jac):
    x = np.array([0.3, -0.2, 0.5])
    close(jac(mlp)(x), mlp_jacobian(x))


def test_jacobian_is_jacrev():
    assert wg.jacobian is wg.jacrev


@pytest.mark.parametrize("jac", [wg.jacrev, wg.jacfwd])
def test_jacobian_shape_is_out_shape_plus_in_shape(jac):
    x = np.arange(6.0).reshape(2, 3) / 10
    j = jac(lambda x: wg.stack([x.sum(axis=0), (x ** 2).sum(axis=0)]))(x)   # (2, 3) → (2, 3)
    assert j.shape == (2, 3, 2, 3)
    assert jac(lambda x: x.sum())(x).shape == (2, 3)
    assert jac(lambda x: x[0, 0] * np.ones((4, 1)))(x).shape == (4, 1, 2, 3)


@pytest.mark.parametrize("jac", [wg.jacrev, wg.jacfwd])
def test_jacobian_of_trees_and_argnums(jac):
    def f(x, p):
        return {"u": x * p[0], "v": (p[1] * x).sum()}
    x = np.array([1.0, 2.0])
    p = [np.array([3.0, 4.0]), 5.0]
    j = jac(f, argnums=(0, 1))(x, p)
    assert set(j) == {"u", "v"}
    ju_x, (ju_p0, ju_p1) = j["u"]
    close(ju_x, np.diag([3.0, 4.0]))
    close(ju_p0, np.diag([1.0, 2.0]))
    close(ju_p1, np.zeros(2))
    jv_x, (jv_p0, jv_p1) = j["v"]
    close(jv_x, [5.0, 5.0])
    close(jv_p0, np.zeros(2))
    close(jv_p1, 3.0)
    j1 = jac(f, argnums=1)(x, p)                        # int argnums: no tuple level
    close(j1["v"][1], 3.0)


@pytest.mark.parametrize("jac", [wg.jacrev, wg.jacfwd])
def test_jacobian_has_aux(jac):
    j, aux = jac(lambda x: (x * x, x.sum()), has_aux=True)(np.array([1.0, 2.0]))
    close(j, np.diag([2.0, 4.0]))
    close(aux, 3.0)


@pytest.mark.parametrize("jac", [wg.jacrev, wg.jacfwd])
def test_jacobian_of_outputs_independent_of_the_input_is_zero(jac):
    x = np.array([1.0, 2.0])
    j = jac(lambda x, y: (x * 2, y * 3), argnums=0)(x, np.ones(3))
    close(j[0], 2 * np.eye(2))
    close(j[1], np.zeros((3, 2)))


@pytest.mark.parametrize("jac", [wg.jacrev, wg.jacfwd])
def test_jacobian_with_empty_inputs_or_outputs(jac):
    assert jac(lambda x: x[:0])(np.ones(3)).shape == (0, 3)
    assert jac(lambda x: x.sum() * np.ones(2))(np.ones(0)).shape == (2, 0)


# functions built from several op families, each checked against a loop of single passes
ZOO = {
    "elementwise": (lambda x: wg.exp(wg.sin(x)) * x + wg.sqrt(x * x + 1), (3,)),
    "reductions": (lambda x: wg.stack([x.sum(), x.max(), wg.logsumexp(x), x.var()]), (4,)),
    "shape": (lambda x: wg.concatenate([wg.flip(x.reshape(2, 3), 0).T.ravel(), x[1:3] ** 2]),
              (6,)),
    "indexing": (lambda x: x[np.array([0, 2, 2])] * x[1] + x[x > 0].sum(), (3,)),
    "linalg": (lambda x: wg.linalg.solve(x.reshape(2, 2) + 3 * np.eye(2), np.ones(2)), (4,)),
    "matmul": (lambda x: (x.reshape(2, 3) @ x.reshape(3, 2)).ravel(), (6,)),
    "nn": (lambda x: wg.softmax(x) * wg.relu(x) + wg.sigmoid(x), (5,)),
    "matrix_out": (lambda x: wg.outer(x, wg.tanh(x)), (2, 2)),
}


def loop_of_vjps(f, x):
    out, vjp_fn = wg.vjp(f, x)
    rows = [vjp_fn(e.reshape(out.shape))[0] for e in np.eye(out.size)]
    return np.stack(rows).reshape(out.shape + x.shape)


def loop_of_jvps(f, x):
    cols = [wg.jvp(f, (x,), (e.reshape(x.shape),))[1] for e in np.eye(x.size)]
    out_shape = np.shape(cols[0])
    return np.moveaxis(np.stack(cols), 0, -1).reshape(out_shape + x.shape)


@pytest.mark.parametrize("name", sorted(ZOO))
def test_batched_jacobians_equal_loops_of_single_passes(name):
    f, shape = ZOO[name]
    x = np.random.default_rng(1).uniform(0.2, 1.5, shape) * np.where(
        np.arange(np.prod(shape)).reshape(shape) % 2, 1, -1)
    jr, jf = wg.jacrev(f)(x), wg.jacfwd(f)(x)
    close(jr, loop_of_vjps(f, x), 1e-9)
    close(jf, loop_of_jvps(f, x), 1e-9)


@pytest.mark.parametrize("name", sorted(ZOO))
def test_second_derivatives_agree_in_every_composition_of_modes(name):
    # batched tangents over batched cotangents and the reverse: both batch axes in one pass
    f, shape = ZOO[name]
    x = np.random.default_rng(2).uniform(0.2, 1.5, shape)
    ref = wg.jacfwd(wg.jacfwd(f))(x)
    for outer, inner in ((wg.jacfwd, wg.jacrev), (wg.jacrev, wg.jacfwd), (wg.jacrev, wg.jacrev)):
        close(outer(inner(f))(x), ref, 1e-9)


def test_jacobians_take_one_pass_not_a_loop(monkeypatch):
    calls = {"f": 0, "backward": 0}
    real = transforms.reverse.run_backward

    def counting_backward(*a, **k):
        calls["backward"] += 1
        return real(*a, **k)
    monkeypatch.setattr(transforms.reverse, "run_backward", counting_backward)

    def f(x):
        calls["f"] += 1
        return wg.tanh(x[::-1] * x)
    x = np.linspace(-1, 1, 50)
    wg.jacrev(f)(x)
    assert calls == {"f": 1, "backward": 1}
    calls.update(f=0, backward=0)
    wg.jacfwd(f)(x)
    assert calls == {"f": 1, "backward": 0}
    calls.update(f=0, backward=0)
    wg.hessian(lambda x: f(x).sum())(x)
    assert calls == {"f": 1, "backward": 1}
    calls.update(f=0, backward=0)
    wg.hvp(lambda x: f(x).sum(), x, np.ones(50))
    assert calls == {"f": 1, "backward": 1}


# ---- Hessians and Hessian-vector products ---------------------------------------------------

def test_hessian_of_rosenbrock_against_the_formula():
    x = np.array([0.5, -0.3, 1.2, 0.8])
    close(wg.hessian(rosen)(x), rosen_hessian(x), 1e-9)


def test_hessian_agrees_with_every_composition_of_jacobians():
    f = lambda x: (wg.sin(x) * x[::-1]).sum() + wg.logsumexp(x * x)  # noqa: E731
    x = np.array([0.3, -1.1, 0.7])
    h = wg.hessian(f)(x)
    for other in (wg.jacfwd(wg.jacrev(f)), wg.jacrev(wg.jacrev(f)), wg.jacfwd(wg.jacfwd(f)),
                  wg.jacrev(wg.jacfwd(f)), wg.jacfwd(wg.grad(f))):
        close(other(x), h, 1e-9)
    close(h, h.T, 1e-12)


def test_hessian_of_a_matrix_argument_and_of_several_arguments():
    f = lambda a, b: (a @ b).sum() ** 2  # noqa: E731
    a, b = np.arange(6.0).reshape(2, 3) / 10, np.arange(3.0) / 5
    haa = wg.hessian(f)(a, b)
    assert haa.shape == (2, 3, 2, 3)
    # f = (Σ_ij a_ij b_j)²: ∂²f/∂a_ij∂a_kl = 2 b_j b_l
    close(haa, 2 * np.einsum("j,l,ik->ijkl", b, b, np.ones((2, 2))))
    (h00, h01), (h10, h11) = wg.hessian(f, argnums=(0, 1))(a, b)
    close(h00, haa)
    assert h01.shape == (2, 3, 3) and h10.shape == (3, 2, 3) and h11.shape == (3, 3)
    close(h01, np.transpose(h10, (1, 2, 0)))
    col = a.sum(axis=0)
    close(h11, 2 * np.outer(col, col))


def test_hessian_of_a_vector_function_has_shape_out_in_in():
    h = wg.hessian(lambda x: x ** 3)(np.array([1.0, 2.0]))
    assert h.shape == (2, 2, 2)
    want = np.zeros((2, 2, 2))
    want[0, 0, 0], want[1, 1, 1] = 6.0, 12.0
    close(h, want)


def test_hessian_has_aux():
    h, aux = wg.hessian(lambda x: ((x ** 3).sum(), "aux"), has_aux=True)(np.array([1.0, 2.0]))
    close(h, np.diag([6.0, 12.0]))
    assert aux == "aux"


def test_hvp_equals_the_hessian_times_v():
    x = np.array([0.5, -0.3, 1.2, 0.8])
    v = np.array([1.0, 2.0, -1.0, 0.5])
    close(wg.hvp(rosen, x, v), rosen_hessian(x) @ v, 1e-9)
    close(wg.hvp(rosen, x, v), wg.hessian(rosen)(x) @ v, 1e-9)


def test_hvp_of_a_tree_argument():
    f = lambda p: (p["a"] ** 2 * p["b"]).sum()  # noqa: E731
    p = {"a": np.array([1.0, 2.0]), "b": np.array([3.0, 4.0])}
    v = {"a": np.array([1.0, 0.0]), "b": np.array([0.0, 1.0])}
    hv = wg.hvp(f, p, v)
    # ∂²f/∂a² = diag(2b), ∂²f/∂a∂b = diag(2a), ∂²f/∂b² = 0
    close(hv["a"], 2 * p["b"] * v["a"] + 2 * p["a"] * v["b"])
    close(hv["b"], 2 * p["a"] * v["a"])


def test_hvp_never_builds_the_hessian():
    n = 200_000                     # a dense Hessian would take 320 GB
    x = np.full(n, 0.5)
    v = np.ones(n)
    hv = wg.hvp(rosen, x, v)
    assert hv.shape == (n,)
    close(hv[1:-1], (1200 * 0.25 - 400 * 0.5 + 2 + 200) - 400 * 0.5 * 2)


def test_hvp_of_arrays_agrees_with_jvp_of_grad():
    """Array and float arguments take hvp's short path; it gives jvp(grad(f)) exactly, keeps
    a closure over a parameter differentiable and leaves the caller's grad mode as it was."""
    x = np.random.default_rng(2).uniform(-1, 1, 6)
    v = np.random.default_rng(3).standard_normal(6)
    hv = wg.hvp(rosen, x, v)
    assert type(hv) is np.ndarray
    np.testing.assert_allclose(hv, wg.jvp(wg.grad(rosen), (wg.tensor(x),), (wg.tensor(v),))[1]
                               .numpy(), rtol=1e-15)
    w = wg.tensor(2.0, requires_grad=True)
    r = wg.hvp(lambda x: w * (x ** 3).sum(), x, v)            # w·6x·v
    assert isinstance(r, wg.Tensor) and r.requires_grad
    r.sum().backward()
    close(w.grad, (6 * x * v).sum())
    with wg.no_grad():
        close(wg.hvp(lambda x: (x ** 3).sum(), x, v), 6 * x * v)
        assert not wg.is_grad_enabled()
    close(wg.hvp(lambda x: 3.0, x, v), np.zeros(6))


def test_hvp_errors():
    with pytest.raises(ValueError, match="shape \\(3,\\) where x has shape \\(2,\\)"):
        wg.hvp(rosen, np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match="structure"):
        wg.hvp(rosen, np.ones(2), (np.ones(2),))
    with pytest.raises(TypeError, match="exactly one element"):
        wg.hvp(lambda x: x * x, np.ones(2), np.ones(2))
