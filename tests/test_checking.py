"""The public finite-difference checker: wg.numerical_grad and wg.gradcheck (both modes, both
orders), and that it catches wrong derivatives — a custom wg.Function with a wrong backward,
a wrong jvp, or first derivatives right but not differentiable again."""
import re

import numpy as np
import pytest

import wengert as wg
from tests.functions import Cube, Exp, NoJvp, WrongBackwardCube, WrongJvpCube
from wengert.checking import check_grads, default_eps


def values_in(msg):
    """(expected, got) read back from a GradcheckError message."""
    m = re.search(r"expected (\S+) \(finite differences\), got (\S+) \(", msg)
    return float(m.group(1)), float(m.group(2))


# ---- numerical_grad ------------------------------------------------------------------------

def test_numerical_grad_returns_the_arguments_type():
    g = wg.numerical_grad(lambda x: x ** 3, 2.0)
    assert type(g) is float and g == pytest.approx(12.0, rel=1e-8)
    f = lambda x: (x ** 3).sum()  # noqa: E731
    a = wg.numerical_grad(f, np.array([1.0, 2.0]))
    assert type(a) is np.ndarray
    np.testing.assert_allclose(a, [3.0, 12.0], rtol=1e-8)
    t = wg.numerical_grad(f, wg.tensor([1.0, 2.0]))
    assert isinstance(t, wg.Tensor)
    np.testing.assert_allclose(t.numpy(), [3.0, 12.0], rtol=1e-8)


def test_numerical_grad_argnums_and_one_sided_methods():
    f = lambda x, y: x * x * y  # noqa: E731
    gx, gy = wg.numerical_grad(f, 3.0, 4.0, argnums=(0, 1))
    assert gx == pytest.approx(24.0, rel=1e-8) and gy == pytest.approx(9.0, rel=1e-8)
    for method in ("forward", "backward"):
        assert wg.numerical_grad(f, 3.0, 4.0, method=method) == pytest.approx(24.0, rel=1e-6)
    with pytest.raises(ValueError, match="method"):
        wg.numerical_grad(f, 3.0, 4.0, method="sideways")


def test_numerical_grad_default_step_depends_on_the_dtype():
    assert default_eps(np.float32) == pytest.approx(np.finfo(np.float32).eps ** (1 / 3))
    assert default_eps(np.float64) == pytest.approx(np.finfo(np.float64).eps ** (1 / 3))
    assert default_eps(np.float64, "forward") == pytest.approx(np.finfo(np.float64).eps ** 0.5)
    g = wg.numerical_grad(lambda x: (x * x).sum(), np.array([1.5], dtype=np.float32))
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, [3.0], rtol=1e-3)


def test_numerical_grad_needs_a_one_element_output():
    with pytest.raises(ValueError, match="one element"):
        wg.numerical_grad(lambda x: x * 2, np.ones(3))


# ---- gradcheck passes correct derivatives ------------------------------------------------------

def test_gradcheck_passes_correct_functions_in_both_modes_to_second_order():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(-1, 1, (2, 3)), rng.uniform(-1, 1, (3, 2))
    assert wg.gradcheck(lambda a, b: wg.tanh(a @ b), (x, y), order=2) is True
    assert wg.gradcheck(wg.sin, (x,), order=2, modes=("fwd",))
    assert wg.gradcheck(wg.exp, (x,), order=2, modes="rev")


def test_gradcheck_takes_floats_arrays_and_tensors_and_float32():
    f = lambda x, y: x * x * y + y + 2  # noqa: E731
    assert wg.gradcheck(f, (3.0, 4.0), order=2)
    assert wg.gradcheck(f, [wg.tensor([1.0, 2.0]), np.array(0.5)], order=2)
    # float32 arguments are checked in float64 (finite differences need the precision)
    assert wg.gradcheck(f, (np.ones(2, np.float32), np.float32(2.0)))
    assert wg.gradcheck(wg.sin, wg.tensor([0.5, 1.0]))          # a lone argument


def test_gradcheck_checks_every_floating_output_of_a_tree():
    def f(x):
        return {"a": wg.sin(x), "b": (x * x, wg.sum(x))}, x > 0
    assert wg.gradcheck(f, (np.array([0.3, -0.7]),), order=2)


def test_gradcheck_passes_non_floating_arguments_through():
    seen = []

    def f(x, axis, idx):
        seen.append((type(axis), idx.dtype))
        return wg.sum(x[idx] ** 2, axis=axis)
    assert wg.gradcheck(f, (np.ones((3, 2)), 0, np.array([2, 0])), order=2)
    assert set(seen) == {(int, np.dtype(np.int64))}


def test_gradcheck_passes_unused_arguments_and_constant_outputs():
    assert wg.gradcheck(lambda x, unused: x * 2, (np.ones(3), np.ones(2)), order=2)
    assert wg.gradcheck(lambda x: wg.zeros(3), (np.ones(2),), order=2)


def test_gradcheck_argument_errors():
    with pytest.raises(ValueError, match="modes"):
        wg.gradcheck(wg.sin, (1.0,), modes=("sideways",))
    with pytest.raises(ValueError, match="modes"):
        wg.gradcheck(wg.sin, (1.0,), modes=())
    with pytest.raises(ValueError, match="order"):
        wg.gradcheck(wg.sin, (1.0,), order=0)
    with pytest.raises(TypeError, match="function"):
        wg.gradcheck("sin", (1.0,))


def test_gradcheck_error_is_an_assertion_error_exported_at_top_level():
    assert issubclass(wg.GradcheckError, AssertionError)
    from wengert.checking import GradcheckError
    assert wg.GradcheckError is GradcheckError


# ---- gradcheck catches wrong derivatives -------------------------------------------------------

def test_a_function_with_a_wrong_backward_is_caught_naming_argument_element_and_values():
    x = np.array([1.0, 2.0])
    with pytest.raises(wg.GradcheckError) as e:
        wg.gradcheck(lambda t: WrongBackwardCube.apply(t).sum(), (x,))
    msg = str(e.value)
    # the first wrong element: at x = 1, expected 3 (finite differences), got 2
    assert msg.startswith("argument 0, element (0,): expected") and "(reverse mode)" in msg
    expected, got = values_in(msg)
    assert expected == pytest.approx(3.0, rel=1e-8) and got == 2.0
    # a vector output is contracted with a random cotangent u: the message says so
    with pytest.raises(wg.GradcheckError, match="random cotangent") as e:
        wg.gradcheck(WrongBackwardCube.apply, (x,))
    expected, got = values_in(str(e.value))
    assert got / expected == pytest.approx(2 / 3, rel=1e-8)
    assert wg.gradcheck(WrongBackwardCube.apply, (x,), modes=("fwd",))   # its jvp is right


def test_a_function_with_a_wrong_jvp_is_caught_in_forward_mode():
    x = np.array([1.0, 2.0])
    with pytest.raises(wg.GradcheckError) as e:
        wg.gradcheck(WrongJvpCube.apply, (x,))
    msg = str(e.value)
    # at x = 2 (element 1): expected 12, got 6
    assert "argument 0, element (1,): output 0, element (1,)" in msg and "forward mode" in msg
    expected, got = values_in(msg)
    assert expected == pytest.approx(12.0, rel=1e-8) and got == 6.0
    assert wg.gradcheck(WrongJvpCube.apply, (x,), modes=("rev",), order=2)


def test_the_failing_argument_is_named():
    def f(x, y):
        return x * WrongBackwardCube.apply(y)
    with pytest.raises(wg.GradcheckError, match="argument 1, element"):
        wg.gradcheck(f, (np.array(2.0), np.array([1.0, 3.0])), modes=("rev",))


def test_a_first_derivative_that_is_not_differentiable_again_is_caught_at_order_2():
    class Opaque(Cube):
        # right values, but computed on arrays: nothing to differentiate a second time
        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x.numpy(force=True) ** 2 * g

        @staticmethod
        def jvp(ctx, t):
            (x,) = ctx.saved_tensors
            return 3 * x.numpy(force=True) ** 2 * t

    x = np.array([1.0, 2.0])
    assert wg.gradcheck(Opaque.apply, (x,), order=1)
    with pytest.raises(wg.GradcheckError, match="derivative of the VJP"):
        wg.gradcheck(Opaque.apply, (x,), order=2, modes=("rev",))
    with pytest.raises(wg.GradcheckError, match="derivative of the JVP"):
        wg.gradcheck(Opaque.apply, (x,), order=2, modes=("fwd",))


def test_a_function_without_jvp_cannot_pass_forward_mode():
    assert wg.gradcheck(NoJvp.apply, (np.ones(2),), modes=("rev",), order=2)
    with pytest.raises(RuntimeError, match="NoJvp defines no staticmethod jvp"):
        wg.gradcheck(NoJvp.apply, (np.ones(2),))


def test_an_output_computed_off_the_graph_is_caught():
    # np.sin on the values (a constant result) loses the derivative silently: gradcheck sees it
    f = lambda x: wg.tensor(np.sin(x.numpy(force=True)))  # noqa: E731
    with pytest.raises(wg.GradcheckError, match="reverse mode"):
        wg.gradcheck(f, (np.array([0.5]),))
    with pytest.raises(wg.GradcheckError, match="forward mode"):
        wg.gradcheck(f, (np.array([0.5]),), modes=("fwd",))


def test_tolerances_are_used():
    class Slightly(wg.Function):
        @staticmethod
        def forward(ctx, x):
            return 2 * x

        @staticmethod
        def backward(ctx, g):
            return 2.01 * g

    f = lambda x: Slightly.apply(x).sum()  # noqa: E731
    with pytest.raises(wg.GradcheckError):
        wg.gradcheck(f, (np.ones(2),), modes=("rev",))
    assert wg.gradcheck(f, (np.ones(2),), modes=("rev",), rtol=1e-2)
    assert wg.gradcheck(f, (np.ones(2),), modes=("rev",), atol=0.02)


def test_check_grads_is_the_reverse_mode_only_form():
    assert check_grads(Exp.apply, [np.array([1.0, -2.0])], order=2)     # Exp has no jvp
    with pytest.raises(wg.GradcheckError):
        check_grads(WrongBackwardCube.apply, [np.array([1.0, 2.0])])
