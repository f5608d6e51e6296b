"""The functional transforms: grad, value_and_grad, vjp, jvp, linearize — arguments and
results, types in and out, errors. Jacobians and Hessians: test_transforms_jacobians.py;
composition to any depth: test_transforms_nesting.py."""
import math

import numpy as np
import pytest

import wengert as wg
from tests.transform_helpers import close, seed_f


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


def test_a_closure_found_by_the_pass_is_recorded_for_every_reverse_transform():
    """The pass meets the edge out of the call (to a recorded node, to a leaf) and runs again
    recorded: jacrev and value_and_grad as grad, f called once each."""
    w = wg.tensor([2.0, 3.0], requires_grad=True)
    u = w * 1.5                                   # a recorded node from outside the call
    calls = []

    def f(x):
        calls.append(1)
        return (u * x ** 2).sum()

    (v, g) = wg.value_and_grad(f)(np.array([1.0, 2.0]))
    assert g.requires_grad and v.requires_grad and len(calls) == 1
    close(g, 2 * 1.5 * np.array([2.0, 3.0]) * [1.0, 2.0])
    g.sum().backward()
    close(w.grad, 2 * 1.5 * np.array([1.0, 2.0]))
    j = wg.jacrev(lambda x: u * x)(np.array([1.0, 2.0]))
    assert j.requires_grad
    close(j, np.diag(1.5 * np.array([2.0, 3.0])))
    # inner closes over the outer variable y: d/dy ∂(x·y)/∂x = d/dy y = 1
    assert wg.grad(lambda y: wg.grad(lambda x: x * y)(1.0))(2.0) == 1.0


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


def test_an_unbatched_output_tangent_is_broadcast_over_the_batch_axes():
    # (transforms/forward.py's _read_tangent: the broadcast imports wengert.ops.shape)
    from wengert.forward import attach, new_level
    from wengert.transforms.forward import _read_tangent
    level = new_level()
    o = attach(wg.tensor([1.0, 2.0]), wg.tensor([3.0, 4.0]), level)
    p, t = _read_tangent(o, level, (2,))
    assert p._tangents is None or level not in p._tangents
    np.testing.assert_array_equal(t.data, [[3.0, 4.0], [3.0, 4.0]])
