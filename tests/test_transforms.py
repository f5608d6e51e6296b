"""The functional transforms: grad, value_and_grad, vjp, jvp, linearize, jacrev, jacfwd,
jacobian, hessian, hvp — arguments and results, types in and out, errors, composition to any
depth without perturbation confusion, and batched Jacobians equal to loops of single passes."""
import math

import numpy as np
import pytest

import wengert as wg
from wengert import transforms
from wengert.tree import tree_leaves


def seed_f(x, y):
    return x * x * y + y + 2


def close(a, b, tol=1e-10):
    a, b = (v.numpy(force=True) if isinstance(v, wg.Tensor) else v for v in (a, b))
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                               rtol=tol, atol=tol)


def rosen(x):
    a, b = x[:-1], x[1:]
    return (100.0 * (b - a * a) ** 2 + (1.0 - a) ** 2).sum()


def rosen_hessian(x):
    n = len(x)
    h = np.zeros((n, n))
    for i in range(n - 1):
        h[i, i] += 1200 * x[i] ** 2 - 400 * x[i + 1] + 2
        h[i, i + 1] = h[i + 1, i] = -400 * x[i]
        h[i + 1, i + 1] += 200
    return h


# ---- the seeds ------------------------------------------------------------------------------

def test_seed_gradient_at_3_4():
    assert wg.grad(seed_f, argnums=(0, 1))(3.0, 4.0) == (24.0, 10.0)
    assert wg.grad(seed_f)(3.0, 4.0) == 24.0
    assert wg.grad(seed_f, argnums=1)(3.0, 4.0) == 10.0


def test_seed_dual_number():
    y = seed_f(wg.dual(3.0, 1.0), 4.0)
    assert y.primal.item() == 42.0 and y.tangent.item() == 24.0


def test_seed_jvp_and_value_and_grad():
    assert wg.jvp(seed_f, (3.0, 4.0), (1.0, 0.0)) == (42.0, 24.0)
    assert wg.jvp(seed_f, (3.0, 4.0), (0.0, 1.0)) == (42.0, 10.0)
    assert wg.value_and_grad(seed_f, argnums=(0, 1))(3.0, 4.0) == (42.0, (24.0, 10.0))


# ---- grad and value_and_grad ----------------------------------------------------------------

def test_grad_argnums_int_negative_and_tuple():
    f = lambda a, b, c: a * b * c  # noqa: E731
    assert wg.grad(f, argnums=-1)(2.0, 3.0, 4.0) == 6.0
    assert wg.grad(f, argnums=(2, 0))(2.0, 3.0, 4.0) == (6.0, 12.0)
    assert isinstance(wg.grad(f, argnums=(1,))(2.0, 3.0, 4.0), tuple)


def test_grad_of_tree_arguments_has_their_structure():
    def loss(params, data):
        return (params["w"] * data[0]).sum() + params["b"][0] * data[1]
    params = {"w": np.array([1.0, 2.0]), "b": [3.0]}
    g = wg.grad(loss)(params, (np.array([5.0, 6.0]), 7.0))
    assert set(g) == {"w", "b"} and isinstance(g["b"], list)
    close(g["w"], [5.0, 6.0])
    assert g["b"] == [7.0]


def test_grad_has_aux_and_value_and_grad_has_aux():
    def f(x):
        return (x ** 2).sum(), {"mean": x.mean()}
    x = np.array([1.0, 2.0, 3.0])
    g, aux = wg.grad(f, has_aux=True)(x)
    close(g, 2 * x)
    close(aux["mean"], 2.0)
    (value, aux), g = wg.value_and_grad(f, has_aux=True)(x)
    close(value, 14.0)
    close(aux["mean"], 2.0)
    close(g, 2 * x)


def test_grad_accepts_any_one_element_output():
    x = np.array([1.0, 2.0])
    close(wg.grad(lambda x: (x ** 2).sum(keepdims=True))(x), 2 * x)              # shape (1,)
    close(wg.grad(lambda x: wg.reshape((x ** 2).sum(), (1, 1)))(x), 2 * x)      # shape (1, 1)


def test_grad_passes_keyword_arguments_through():
    assert wg.grad(lambda x, scale=1.0: scale * x * x)(3.0, scale=2.0) == 12.0


def test_grad_of_a_constant_and_of_the_identity():
    assert wg.grad(lambda x: 5.0)(3.0) == 0.0
    assert wg.grad(lambda x: x)(3.0) == 1.0
    close(wg.grad(lambda x, y: x.sum())(np.ones(2), np.ones(3)), np.ones(2))
    close(wg.grad(lambda x, y: x.sum(), argnums=1)(np.ones(2), np.ones(3)), np.zeros(3))


def test_grad_of_a_python_int_is_a_float():
    g = wg.grad(lambda x: x * x)(3)
    assert g == 6.0 and type(g) is float


def test_grad_of_a_larger_output_is_a_type_error_naming_jacrev_and_vjp():
    with pytest.raises(TypeError, match="exactly one element.*shape \\(3,\\).*jacrev.*vjp"):
        wg.grad(lambda x: x * 2)(np.ones(3))
    with pytest.raises(TypeError, match="one output element.*jacrev or vjp"):
        wg.grad(lambda x: (x, x))(1.0)
    with pytest.raises(TypeError, match="exactly one element"):
        wg.value_and_grad(lambda x: x * 2)(np.ones(2))


def test_grad_argument_errors():
    with pytest.raises(TypeError, match="callable"):
        wg.grad(3.0)
    with pytest.raises(TypeError, match="argnums"):
        wg.grad(wg.sin, argnums="0")
    with pytest.raises(TypeError, match="argnums"):
        wg.grad(wg.sin, argnums=())
    with pytest.raises(TypeError, match="argnums"):
        wg.jacrev(wg.sin, argnums=1.0)
    with pytest.raises(ValueError, match="argnums 2 is out of range"):
        wg.grad(wg.sin, argnums=2)(1.0)
    with pytest.raises(ValueError, match="twice"):
        wg.grad(lambda a, b: a * b, argnums=(0, -2))(1.0, 2.0)


def test_grad_with_respect_to_non_floats_is_a_type_error():
    with pytest.raises(TypeError, match="floating-point.*int64"):
        wg.grad(lambda x: x.sum())(np.array([1, 2]))
    with pytest.raises(TypeError, match="floating-point.*int64"):
        wg.grad(lambda x: x.sum())(wg.tensor([1, 2]))
    with pytest.raises(TypeError, match="bool"):
        wg.grad(lambda x: x)(True)
    with pytest.raises(TypeError, match="got str"):
        wg.grad(lambda x: x)("3")


def test_grad_of_a_function_returning_a_non_number_is_a_type_error():
    with pytest.raises(TypeError, match="must return Tensors, ndarrays or numbers"):
        wg.grad(lambda x: "x")(1.0)
    with pytest.raises(TypeError, match="floating-point output"):
        wg.grad(lambda x: wg.tensor(1))(1.0)


def test_has_aux_without_a_pair_is_a_type_error():
    with pytest.raises(TypeError, match="has_aux=True.*pair"):
        wg.grad(lambda x: x * x, has_aux=True)(1.0)
    with pytest.raises(TypeError, match="pair.*length 3"):
        wg.value_and_grad(lambda x: (x, 1, 2), has_aux=True)(1.0)


# ---- types in, types out --------------------------------------------------------------------

def test_floats_in_give_floats_out():
    for r in (wg.grad(wg.sin)(0.5), wg.value_and_grad(wg.sin)(0.5)[0],
              wg.jvp(wg.sin, (0.5,), (1.0,))[1], wg.jacrev(wg.sin)(0.5),
              wg.jacfwd(wg.sin)(0.5), wg.hessian(wg.sin)(0.5), wg.hvp(wg.sin, 0.5, 1.0)):
        assert type(r) is float


def test_ndarrays_in_give_ndarrays_out_of_the_same_dtype():
    for dtype in (np.float32, np.float64):
        x = np.array([0.5, 1.5], dtype)
        f = lambda x: (wg.sin(x) * x).sum()  # noqa: E731
        for r in (wg.grad(f)(x), wg.jacrev(wg.sin)(x), wg.jacfwd(wg.sin)(x),
                  wg.hessian(f)(x), wg.hvp(f, x, np.ones(2, dtype)),
                  wg.jvp(wg.sin, (x,), (np.ones(2, dtype),))[1], wg.vjp(wg.sin, x)[1](x)[0]):
            assert type(r) is np.ndarray and r.dtype == dtype
        # a gradient keeps its primal's type even when it is 0-d
        assert type(wg.grad(wg.sin)(np.array(0.5))) is np.ndarray


def test_tensors_in_give_tensors_out():
    x = wg.tensor([0.5, 1.5])
    f = lambda x: (wg.sin(x) * x).sum()  # noqa: E731
    for r in (wg.grad(f)(x), wg.value_and_grad(f)(x)[0], wg.jacrev(wg.sin)(x),
              wg.jacfwd(wg.sin)(x), wg.hessian(f)(x), wg.hvp(f, x, wg.ones(2)),
              wg.jvp(wg.sin, (x,), (wg.ones(2),))[1], wg.vjp(wg.sin, x)[1](wg.ones(2))[0]):
        assert isinstance(r, wg.Tensor) and not r.requires_grad


def test_results_are_fresh_writable_arrays():
    x = np.array([1.0, 2.0])
    j = wg.jacrev(lambda x: x)(x)            # the identity: the result is the seed basis
    j[0, 0] = 5.0                            # writable, and writing changes nothing else
    close(wg.jacrev(lambda x: x)(x), np.eye(2))
    g = wg.grad(lambda x: x.sum())(x)
    g += 1
    close(x, [1.0, 2.0])


def test_a_tensor_that_requires_grad_keeps_its_graph():
    x = wg.tensor([1.0, 2.0], requires_grad=True)
    g = wg.grad(lambda x: (x ** 3).sum())(x)             # 3x²
    assert g.requires_grad
    g.sum().backward()                                   # Σ 3x² → 6x
    close(x.grad, [6.0, 12.0])
    x.grad = None
    _, t = wg.jvp(lambda x: (x ** 3).sum(), (x,), (wg.ones(2),))
    t.backward()
    close(x.grad, [6.0, 12.0])


def test_under_no_grad_the_transforms_still_work_and_record_nothing():
    x = wg.tensor([1.0, 2.0], requires_grad=True)
    with wg.no_grad():
        g = wg.grad(lambda x: (x ** 3).sum())(x)
        h = wg.hessian(lambda x: (x ** 3).sum())(x)
    close(g, [3.0, 12.0])
    close(h, np.diag([6.0, 12.0]))
    assert not g.requires_grad and not h.requires_grad


def test_grad_of_an_ndarray_agrees_with_grad_of_a_tensor():
    """An ndarray or float argument at the outermost level takes grad's short path; a Tensor
    the general one: the same numbers, and the short path's result is the caller's own."""
    def f(x):
        a, b = x[:-1], x[1:]
        return (100.0 * (b - a * a) ** 2 + (1.0 - a) ** 2).sum() + x.reshape(-1)[0]
    x = np.random.default_rng(0).uniform(-1, 1, 7)
    kept = x.copy()
    g = wg.grad(f)(x)
    np.testing.assert_allclose(g, wg.grad(f)(wg.tensor(x)).numpy(), rtol=1e-15)
    v, g2 = wg.value_and_grad(f, argnums=(0,))(x)
    assert type(v) is np.ndarray and v.shape == () and isinstance(g2, tuple)
    np.testing.assert_allclose(v, f(wg.tensor(x)).numpy(), rtol=1e-15)
    np.testing.assert_array_equal(g2[0], g)
    g += 1.0
    np.testing.assert_array_equal(x, kept)
    np.testing.assert_allclose(wg.grad(f)(x), g - 1.0, rtol=1e-15)
    assert wg.grad(lambda s: +s)(2.0) == 1.0 and wg.grad(lambda s, t: s * t, -1)(2.0, 3.0) == 2.0


def test_a_closure_over_a_parameter_stays_differentiable():
    w = wg.tensor(2.0, requires_grad=True)
    calls = []

    def f(x):
        calls.append(1)
        return w * x ** 2

    g = wg.grad(f)(3.0)                           # 2wx, still depending on w
    assert calls == [1]                           # (found after the short pass: f not rerun)
    assert isinstance(g, wg.Tensor) and g.requires_grad
    close(g, 12.0)
    g.backward()
    close(w.grad, 6.0)
    assert w.grad.item() == 6.0                   # the short pass touched no .grad


def test_a_closure_over_a_dual_number_keeps_its_tangent():
    d = wg.dual(2.0, 1.0)
    g = wg.grad(lambda x: d * x ** 2)(3.0)        # 2dx = 12 + 6ε
    close(g.primal, 12.0)
    close(g.tangent, 6.0)
    g = wg.grad(lambda x: x ** 3)(d)              # 3d² = 12 + 12ε
    close(g.primal, 12.0)
    close(g.tangent, 12.0)


# ---- vjp ------------------------------------------------------------------------------------

def test_vjp_returns_one_entry_per_primal_with_its_structure():
    def f(x, p):
        return x * p["a"], {"s": (x + p["b"]).sum()}
    x = np.array([1.0, 2.0])
    p = {"a": np.array([3.0, 4.0]), "b": 1.0}
    out, vjp_fn = wg.vjp(f, x, p)
    close(out[0], [3.0, 8.0])
    close(out[1]["s"], 5.0)
    gx, gp = vjp_fn((np.array([1.0, 1.0]), {"s": 1.0}))
    close(gx, [4.0, 5.0])
    close(gp["a"], [1.0, 2.0])
    assert gp["b"] == 2.0 and type(gp["b"]) is float
    gx2, _ = vjp_fn((np.array([2.0, 0.0]), {"s": 0.0}))     # may be called again
    close(gx2, [6.0, 0.0])


def test_vjp_of_a_single_argument_is_a_one_tuple():
    out, vjp_fn = wg.vjp(wg.sin, 0.5)
    assert out == math.sin(0.5)
    (g,) = vjp_fn(2.0)
    close(g, 2 * math.cos(0.5))


def test_vjp_has_aux():
    out, vjp_fn, aux = wg.vjp(lambda x: (x * 2, "note"), 1.5, has_aux=True)
    assert out == 3.0 and aux == "note" and vjp_fn(1.0) == (2.0,)


def test_vjp_with_a_cotangent_that_requires_grad_is_differentiable_in_it():
    x = np.array([1.0, 2.0])
    _, vjp_fn = wg.vjp(lambda x: x ** 2, x)
    u = wg.tensor([1.0, 1.0], requires_grad=True)
    (g,) = vjp_fn(u)                                   # 2x·u
    g.sum().backward()
    close(u.grad, 2 * x)


def test_vjp_cotangent_errors_name_shapes_and_structure():
    _, vjp_fn = wg.vjp(lambda x: (x, x.sum()), np.ones(2))
    with pytest.raises(ValueError, match="structure"):
        vjp_fn(np.ones(2))
    with pytest.raises(ValueError, match="shape \\(3,\\).*shape \\(2,\\)"):
        vjp_fn((np.ones(3), 1.0))
    with pytest.raises(TypeError, match="callable"):
        wg.vjp("f", 1.0)


# ---- jvp and linearize ----------------------------------------------------------------------

def test_jvp_of_trees():
    def f(p):
        return {"y": p["a"] * p["b"], "z": [wg.sin(p["a"])]}
    p = {"a": np.array([1.0, 2.0]), "b": np.array([3.0, 4.0])}
    t = {"a": np.array([1.0, 0.0]), "b": np.array([0.0, 1.0])}
    out, tan = wg.jvp(f, (p,), (t,))
    close(out["y"], [3.0, 8.0])
    close(tan["y"], [3.0, 2.0])
    close(tan["z"][0], np.cos([1.0, 2.0]) * [1.0, 0.0])


def test_jvp_has_aux_and_constant_outputs():
    out, tan, aux = wg.jvp(lambda x: (x * 3, x + 1), (2.0,), (1.0,), has_aux=True)
    assert (out, tan) == (6.0, 3.0)
    assert aux == 3.0 and type(aux) is float
    assert wg.jvp(lambda x: 7.0, (2.0,), (1.0,)) == (7.0, 0.0)


def test_jvp_casts_the_tangent_to_the_primal_dtype():
    x = np.array([1.0, 2.0], np.float32)
    _, t = wg.jvp(lambda x: x * x, (x,), (np.array([1.0, 1.0]),))
    assert t.dtype == np.float32


def test_jvp_errors():
    with pytest.raises(TypeError, match="primals must be a tuple"):
        wg.jvp(wg.sin, 1.0, (1.0,))
    with pytest.raises(TypeError, match="tangents must be a tuple"):
        wg.jvp(wg.sin, (1.0,), 1.0)
    with pytest.raises(ValueError, match="same structure"):
        wg.jvp(wg.sin, (1.0,), ((1.0, 2.0),))
    with pytest.raises(ValueError, match="shape \\(3,\\) but its primal has shape \\(2,\\)"):
        wg.jvp(wg.sin, (np.ones(2),), (np.ones(3),))
    with pytest.raises(TypeError, match="tangents must be"):
        wg.jvp(wg.sin, (1.0,), ("a",))


def test_linearize_gives_the_value_and_the_linear_map():
    x, y = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    f = lambda a, b: wg.sin(a) * b  # noqa: E731
    out, f_jvp = wg.linearize(f, x, y)
    close(out, np.sin(x) * y)
    u, v = np.array([1.0, -1.0]), np.array([0.5, 2.0])
    close(f_jvp(u, v), wg.jvp(f, (x, y), (u, v))[1])
    close(f_jvp(2 * u, 2 * v), 2 * f_jvp(u, v))                  # linear
    close(f_jvp(u, 0 * v) + f_jvp(0 * u, v), f_jvp(u, v))
    with pytest.raises(TypeError, match="takes 2 tangents"):
        f_jvp(u)


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


# ---- composition and perturbation confusion -------------------------------------------------

XS = [-1.5, 0.0, 0.7, 2.0]


@pytest.mark.parametrize("x", XS)
def test_nested_grad_keeps_perturbations_apart(x):
    # d/dx [x · d/dy (x + y)] = d/dx [x · 1] = 1; a confused implementation gives 2
    f = lambda x: x * wg.grad(lambda y: x + y)(1.0)  # noqa: E731
    assert wg.grad(f)(x) == 1.0


@pytest.mark.parametrize("x", XS)
def test_nested_jvp_keeps_perturbations_apart(x):
    f = lambda x: x * wg.jvp(lambda y: x + y, (1.0,), (1.0,))[1]  # noqa: E731
    assert wg.jvp(f, (x,), (1.0,))[1] == 1.0


@pytest.mark.parametrize("x", XS)
def test_mixed_nesting_keeps_perturbations_apart(x):
    inner_grad = lambda x: x * wg.grad(lambda y: x + y)(1.0)  # noqa: E731
    inner_jvp = lambda x: x * wg.jvp(lambda y: x + y, (1.0,), (1.0,))[1]  # noqa: E731
    assert wg.jvp(inner_grad, (x,), (1.0,))[1] == 1.0
    assert wg.grad(inner_jvp)(x) == 1.0
    assert wg.jacfwd(inner_grad)(x) == 1.0
    assert wg.jacrev(inner_jvp)(x) == 1.0


@pytest.mark.parametrize("x", XS)
def test_inner_derivative_at_the_outer_variable(x):
    # d/dx [x · (d/dy x·y)|_{y=x}] = d/dx x² = 2x, in every combination of modes
    via_grad = lambda x: x * wg.grad(lambda y: x * y)(x)  # noqa: E731
    via_jvp = lambda x: x * wg.jvp(lambda y: x * y, (x,), (1.0,))[1]  # noqa: E731
    for inner in (via_grad, via_jvp):
        close(wg.grad(inner)(x), 2 * x)
        close(wg.jvp(inner, (x,), (1.0,))[1], 2 * x)


def test_third_and_fourth_derivatives_of_sin():
    for x in XS:
        close(wg.grad(wg.grad(wg.grad(wg.sin)))(x), -math.cos(x))
        close(wg.grad(wg.grad(wg.grad(wg.grad(wg.sin))))(x), math.sin(x))
        d = lambda f: lambda x: wg.jvp(f, (x,), (1.0,))[1]  # noqa: E731
        close(d(d(d(wg.sin)))(x), -math.cos(x))
        close(d(wg.grad(d(wg.grad(wg.sin))))(x), math.sin(x))


def test_jvp_of_grad_and_grad_of_jvp():
    x = 0.7
    out, t = wg.jvp(wg.grad(wg.sin), (x,), (1.0,))
    close(out, math.cos(x))
    close(t, -math.sin(x))
    close(wg.grad(lambda x: wg.jvp(wg.sin, (x,), (1.0,))[1])(x), -math.sin(x))


def test_grad_with_respect_to_the_tangent_of_a_jvp():
    # ∂/∂v [∇f(x)·v] = ∇f(x) and ∂/∂v hvp(f, x, v) = H (linear in v)
    x = np.array([0.5, -0.3, 1.2])
    v = np.array([1.0, 2.0, 3.0])
    g = wg.grad(lambda v: wg.jvp(rosen, (x,), (v,))[1])(v)
    close(g, wg.grad(rosen)(x))
    h = wg.jacrev(lambda v: wg.hvp(rosen, x, v))(v)
    close(h, rosen_hessian(x), 1e-9)


def test_a_transform_inside_a_differentiated_function():
    # one Newton step for g(z) = z³ − a, as a function of a: z1 = z0 − g(z0)/g'(z0)
    def newton_step(a, z0=1.5):
        g = lambda z: z ** 3 - a  # noqa: E731
        return z0 - g(z0) / wg.grad(g)(z0)
    # z1 = z0 − (z0³ − a)/(3z0²): dz1/da = 1/(3z0²)
    close(wg.grad(newton_step)(2.0), 1 / (3 * 1.5 ** 2))
    close(wg.jvp(newton_step, (2.0,), (1.0,))[1], 1 / (3 * 1.5 ** 2))

    # gradient descent unrolled twice, differentiated with respect to the step size
    def descend(lr, x0=np.array([1.0, -0.5])):
        x = x0
        for _ in range(2):
            x = x - lr * wg.grad(lambda x: (x ** 4).sum())(x)
        return (x ** 2).sum()
    lr, eps = 0.05, 1e-6
    fd = (descend(lr + eps) - descend(lr - eps)) / (2 * eps)
    close(wg.grad(descend)(lr), fd, 1e-6)


def test_inner_results_stay_tensors_inside_an_outer_transform():
    seen = {}

    def f(x):
        g = wg.grad(lambda y: x * y * y)(2.0)       # plain float in, but inside grad
        seen["type"] = type(g)
        return g
    close(wg.grad(f)(3.0), 4.0)                      # d/dx [4x] = 4
    assert seen["type"] is wg.Tensor


def test_grad_of_grad_of_a_multivariate_function_is_the_hessian():
    x = np.array([0.5, -0.3, 1.2, 0.8])
    h = np.stack([wg.grad(lambda x, i=i: wg.grad(rosen)(x)[i])(x) for i in range(4)])
    close(h, rosen_hessian(x), 1e-9)


def test_dual_numbers_go_through_transforms():
    x = wg.dual(0.5, 1.0)
    h = wg.jacfwd(wg.jacrev(wg.sin))(x)              # −sin(x), tangent −cos(x)
    close(h.primal, -math.sin(0.5))
    close(h.tangent, -math.cos(0.5))


def test_all_results_of_a_nested_call_agree_with_finite_differences():
    f = lambda x, y: wg.tanh(x * y).sum() * wg.exp(y).sum()  # noqa: E731
    x, y = np.array([0.3, -0.4]), np.array([0.2, 0.1])
    gy = lambda x: wg.grad(f, argnums=1)(x, y)  # noqa: E731
    j = wg.jacrev(gy)(x)                           # ∂²f/∂x∂y, shape (2, 2)
    eps = 1e-6
    fd = np.stack([(wg.grad(f, argnums=1)(x + eps * e, y) - wg.grad(f, argnums=1)(x - eps * e, y))
                   / (2 * eps) for e in np.eye(2)], axis=-1)
    close(j, fd, 1e-7)
    close(wg.jacfwd(gy)(x), j, 1e-10)


def test_leaves_of_results_are_never_left_tagged():
    # the value from value_and_grad inside jvp keeps only the jvp's tangent
    out, t = wg.jvp(lambda x: wg.value_and_grad(lambda z: z ** 3)(x)[0], (2.0,), (1.0,))
    assert (out, t) == (8.0, 12.0)
    leaves = tree_leaves(wg.jvp(lambda x: (x, x * 2), (1.0,), (1.0,)))
    assert all(type(v) is float for v in leaves)


def test_third_derivative_tensors():
    # f = Σ x⁴ + x₀x₁x₂: ∂³f = 24 xᵢ on the diagonal, 1 where i, j, k are all different
    x = np.array([1.0, 2.0, 3.0])
    f = lambda x: (x ** 4).sum() + x[0] * x[1] * x[2]  # noqa: E731
    t = np.zeros((3, 3, 3))
    t[[0, 1, 2], [0, 1, 2], [0, 1, 2]] = 24 * x
    for i, j, k in ((0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)):
        t[i, j, k] = 1.0
    for third in (wg.jacfwd(wg.hessian(f)), wg.jacrev(wg.hessian(f)),
                  wg.jacrev(wg.jacrev(wg.jacrev(f))), wg.jacfwd(wg.jacfwd(wg.jacfwd(f))),
                  wg.jacrev(wg.jacfwd(wg.jacfwd(f)))):
        close(third(x), t)
    close(wg.hessian(wg.prod)(x), [[0, 3, 2], [3, 0, 1], [2, 1, 0]])


def test_unmodified_numpy_code_is_differentiated():
    def f(x):                                   # plain NumPy: np.* dispatch to wengert
        return np.sum(np.sin(x) * np.exp(x[::-1]))
    x = np.array([0.1, 0.4, -0.3])
    want = np.cos(x) * np.exp(x[::-1]) + (np.sin(x) * np.exp(x[::-1]))[::-1]
    close(wg.grad(f)(x), want)
    close(wg.jacfwd(f)(x), want)
    close(wg.hessian(f)(x), wg.jacrev(wg.jacrev(f))(x))
