"""A hook or a Function.backward returning a gradient of the wrong shape, dtype kind or
number: a RuntimeError naming the hook or Function, the shape expected and the shape got."""
import numpy as np
import pytest

import wengert as wg
from tests.helpers import leaf


def wrong_shape(g):
    return wg.ones(2)


def scalar(g):
    return wg.tensor(5.0)


def integer(g):
    return np.ones(g.shape, dtype=np.int64)


@pytest.mark.parametrize("create", [False, True])
def test_leaf_hook_of_the_wrong_shape(create):
    x = leaf([1.0, 2.0, 3.0])
    x.register_hook(wrong_shape)
    with pytest.raises(RuntimeError, match=r"hook 'wrong_shape' returned a gradient of shape "
                                           r"\(2,\).*has shape \(3,\)"):
        (x * 2).sum().backward(create_graph=create)


@pytest.mark.parametrize("create", [False, True])
def test_non_leaf_hook_returning_a_scalar_is_not_broadcast(create):
    x = leaf([1.0, 2.0, 3.0])
    y = x * 2
    y.register_hook(scalar)
    with pytest.raises(RuntimeError, match=r"hook 'scalar' returned a gradient of shape \(\), "
                                           r"but the gradient it was given has shape \(3,\)"):
        (y * y).sum().backward(create_graph=create)


def test_hook_in_autograd_grad_is_checked_too():
    x = leaf([1.0, 2.0, 3.0])
    x.register_hook(wrong_shape)
    with pytest.raises(RuntimeError, match="hook 'wrong_shape'"):
        wg.autograd.grad((x * x).sum(), x)


def test_hook_of_an_integer_dtype():
    x = leaf([1.0, 2.0])
    x.register_hook(integer)
    with pytest.raises(RuntimeError, match=r"hook 'integer' returned a gradient of dtype int64"):
        (x * 2).sum().backward()


def test_good_hooks_still_replace_the_gradient():
    x = leaf([1.0, 2.0])
    y = x * 3
    y.register_hook(lambda g: g * 2)                  # Tensor
    x.register_hook(lambda g: g.numpy() + 1)          # ndarray of the right shape
    h = x.register_hook(lambda g: np.float32(1) * g.numpy().astype(np.float32))
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [7.0, 7.0])
    assert x.grad.dtype == np.float64                 # a float32 replacement is cast back
    h.remove()


class WrongShape(wg.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return wg.ones(4)


class IntGrad(wg.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return np.full(g.shape, 2, dtype=np.int64)


class TooMany(wg.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * 2, g


@pytest.mark.parametrize("create", [False, True])
def test_function_gradient_of_the_wrong_shape(create):
    with pytest.raises(RuntimeError, match=r"WrongShape\.backward returned a gradient of shape "
                                           r"\(4,\) for input 0, expected shape \(3,\)"):
        WrongShape.apply(leaf([1.0, 2.0, 3.0])).sum().backward(create_graph=create)


def test_function_gradient_of_an_integer_dtype():
    with pytest.raises(RuntimeError, match=r"IntGrad\.backward returned a gradient of dtype "
                                           r"int64 for input 0, expected .*float64"):
        IntGrad.apply(leaf([1.0, 2.0])).sum().backward()


def test_function_returning_too_many_gradients():
    with pytest.raises(RuntimeError, match=r"TooMany\.backward returned 2 gradients, but "
                                           r"forward took 1 inputs"):
        TooMany.apply(leaf([1.0, 2.0])).sum().backward()


def test_function_larger_gradient_is_summed_back_as_in_pytorch():
    class Expand(wg.Function):
        @staticmethod
        def forward(ctx, b):
            return np.broadcast_to(b, (2, 3)).copy()

        @staticmethod
        def backward(ctx, g):
            return g                                  # (2, 3) for a (3,) input

    b = leaf([1.0, 2.0, 3.0])
    Expand.apply(b).sum().backward()
    np.testing.assert_array_equal(b.grad.numpy(), [2.0, 2.0, 2.0])
