"""Indexing a 0-d tensor (x[()], x[...], x[None]) in backward, grad, jvp and hessian."""
import numpy as np
import pytest

import wengert as wg

INDICES = [(), Ellipsis, None]


@pytest.mark.parametrize("index", INDICES, ids=repr)
def test_backward_sums_the_paths(index):
    x = wg.tensor(2.0, requires_grad=True)
    (x[index] + x * x).sum().backward()            # (was: TypeError from NumPy for ())
    assert x.grad.item() == 5.0
    assert x.grad.shape == ()


def test_backward_of_the_reported_expression():
    x = wg.tensor(2.0, requires_grad=True)
    (x[()] + x * x).backward()
    assert x.grad.item() == 5.0


@pytest.mark.parametrize("index", INDICES, ids=repr)
def test_create_graph(index):
    x = wg.tensor(2.0, requires_grad=True)
    (g,) = wg.autograd.grad((x[index] * x * x).sum(), x, create_graph=True)
    (h,) = wg.autograd.grad(g, x)
    assert (g.item(), h.item()) == (12.0, 12.0)


@pytest.mark.parametrize("index", INDICES, ids=repr)
def test_transforms(index):
    f = lambda x: (x[index] * x * x).sum()               # noqa: E731
    assert wg.grad(f)(2.0) == 12.0
    assert wg.grad(lambda x: (x[index] + x * x).sum())(2.0) == 5.0
    out, t = wg.jvp(lambda x: x[index] * x, (2.0,), (1.0,))
    assert np.asarray(out).item() == 4.0 and np.asarray(t).item() == 4.0
    assert np.shape(t) == np.shape(np.empty(())[index])
    assert wg.hessian(f)(2.0) == 12.0
    assert wg.hessian(f)(np.float64(2.0)) == 12.0
    np.testing.assert_array_equal(wg.jacfwd(lambda x: x[index] * x)(np.array(2.0)),
                                  wg.jacrev(lambda x: x[index] * x)(np.array(2.0)))
