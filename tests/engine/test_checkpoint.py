"""wg.checkpoint and the tensors its function closes over (PyTorch's non-reentrant checkpoint):
parameters of a Module, outer variables, non-leaf tensors of the outer graph."""
import numpy as np
import pytest

import wengert as wg
import wengert.nn as nn
from tests.helpers import leaf


def grads_of(params):
    return [None if p.grad is None else p.grad.numpy(force=True).copy() for p in params]


def test_module_parameters_get_their_gradients():
    wg.manual_seed(0)
    lin = nn.Linear(3, 2)
    x = wg.tensor(np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32))
    (lin(x) ** 2).sum().backward()
    want = grads_of(lin.parameters())
    lin.zero_grad()
    y = wg.checkpoint(lin, x)
    assert y.grad_fn.name == "CheckpointBackward"
    (y ** 2).sum().backward()
    for got, w in zip(grads_of(lin.parameters()), want):
        np.testing.assert_allclose(got, w, rtol=1e-6)


def test_sequential_and_input_gradients_match_the_plain_ones():
    wg.manual_seed(1)
    net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    xv = np.random.default_rng(1).normal(size=(5, 3)).astype(np.float32)
    x1 = leaf(xv, np.float32)
    net(x1).sum().backward()
    want = grads_of(net.parameters()) + [x1.grad.numpy(force=True)]
    net.zero_grad()
    x2 = leaf(xv, np.float32)
    wg.checkpoint(net, x2).sum().backward()
    for got, w in zip(grads_of(net.parameters()) + [x2.grad.numpy(force=True)], want):
        np.testing.assert_allclose(got, w, rtol=1e-5)


def test_closure_over_a_leaf_backward_and_autograd_grad():
    W = leaf([[1.0, 2.0], [3.0, 4.0]])
    x = leaf([0.5, -1.0])

    def f(v):
        return wg.sin(W @ v).sum()

    y = wg.checkpoint(f, x)
    y.backward()
    gW, gx = W.grad.numpy(force=True), x.grad.numpy(force=True)
    W.grad = x.grad = None
    f(x).backward()
    np.testing.assert_allclose(gW, W.grad.numpy(force=True), rtol=1e-12)
    np.testing.assert_allclose(gx, x.grad.numpy(force=True), rtol=1e-12)
    a, b = wg.autograd.grad(wg.checkpoint(f, x), [W, x])
    np.testing.assert_allclose(a.numpy(force=True), W.grad.numpy(force=True), rtol=1e-12)
    np.testing.assert_allclose(b.numpy(force=True), x.grad.numpy(force=True), rtol=1e-12)


def test_closure_only_no_argument_requires_grad():
    W = leaf([1.0, 2.0, 3.0])
    y = wg.checkpoint(lambda v: (W * v).sum(), wg.tensor([4.0, 5.0, 6.0]))
    y.backward()
    np.testing.assert_array_equal(W.grad.numpy(force=True), [4.0, 5.0, 6.0])


def test_wg_grad_through_a_checkpoint_closing_over_the_differentiated_variable():
    xs = np.array([1.0, 2.0, 3.0])

    def loss(w, use):
        body = lambda x: wg.exp(x * w).sum()      # noqa: E731  (closes over w)
        return wg.checkpoint(body, wg.tensor(xs)) if use else body(wg.tensor(xs))

    g1 = wg.grad(lambda w: loss(w, True))(0.3)
    g0 = wg.grad(lambda w: loss(w, False))(0.3)
    assert g1 == pytest.approx(g0, rel=1e-12)
    h1 = wg.grad(wg.grad(lambda w: loss(w, True)))(0.3)
    h0 = wg.grad(wg.grad(lambda w: loss(w, False)))(0.3)
    assert h1 == pytest.approx(h0, rel=1e-12)
    assert wg.hessian(lambda w: loss(w, True))(0.3) == pytest.approx(h0, rel=1e-12)


def test_second_order_through_the_closure():
    W = leaf(0.7)
    x = leaf(1.3)
    y = wg.checkpoint(lambda v: wg.sin(W * v) * v, x)
    (gW,) = wg.autograd.grad(y, W, create_graph=True)
    (gWW, gWx) = wg.autograd.grad(gW, [W, x])
    w, v = 0.7, 1.3
    assert gW.item() == pytest.approx(np.cos(w * v) * v * v)
    assert gWW.item() == pytest.approx(-np.sin(w * v) * v ** 3)
    assert gWx.item() == pytest.approx(-np.sin(w * v) * w * v * v + 2 * np.cos(w * v) * v)


def test_closure_over_a_non_leaf_reaches_the_outer_graph_once():
    a = leaf([1.0, 2.0])
    h = a * 3.0
    h.retain_grad()
    x = leaf([0.5, 0.25])
    y = wg.checkpoint(lambda v: v * h, x)
    (y.sum() + h.sum()).backward()
    np.testing.assert_array_equal(h.grad.numpy(force=True), [1.5, 1.25])
    np.testing.assert_array_equal(a.grad.numpy(force=True), [4.5, 3.75])
    np.testing.assert_array_equal(x.grad.numpy(force=True), h.numpy(force=True))


def test_hook_on_a_closed_over_parameter_runs_once():
    calls = []
    W = leaf([1.0, 2.0])

    def hook(g):
        calls.append(g.numpy(force=True).copy())
        return g * 2

    W.register_hook(hook)
    wg.checkpoint(lambda v: (W * v).sum(), wg.tensor([3.0, 4.0])).backward()
    assert len(calls) == 1
    np.testing.assert_array_equal(W.grad.numpy(force=True), [6.0, 8.0])


def test_closed_over_parameter_changed_in_place_before_backward_raises():
    W = leaf([1.0, 2.0])
    y = wg.checkpoint(lambda v: (W * v).sum(), leaf([3.0, 4.0]))
    with wg.no_grad():
        W -= 0.1                                # an optimizer step before backward
    with pytest.raises(RuntimeError, match=r"CheckpointBackward.*version"):
        y.backward()


def test_recomputation_reaching_a_new_tensor_is_an_error():
    made = []

    def f(v):
        made.append(leaf(2.0))                  # a new leaf requiring grad on every call
        return v * made[-1]

    y = wg.checkpoint(f, leaf(1.0))
    with pytest.raises(RuntimeError, match="checkpoint: recomputing fn in backward reached"):
        y.backward()


def test_closure_over_a_dual_number_keeps_its_tangent():
    d = wg.dual(2.0, 1.0)
    x = leaf(3.0)
    y = wg.checkpoint(lambda v: v * d * d, x)
    assert y.tangent.item() == pytest.approx(12.0)   # d/dd (x·d²) = 2·x·d
    y.primal.backward()
    assert x.grad.item() == pytest.approx(4.0)


def test_chain_of_checkpointed_layers_trains_like_the_plain_chain():
    wg.manual_seed(3)
    layers = [nn.Linear(4, 4) for _ in range(3)]
    xv = np.random.default_rng(3).normal(size=(2, 4)).astype(np.float32)

    def run(use):
        for m in layers:
            m.zero_grad()
        h = wg.tensor(xv)
        for m in layers:
            h = wg.checkpoint(lambda t, m=m: wg.tanh(m(t)), h) if use else wg.tanh(m(h))
        (h ** 2).mean().backward()
        return [g for m in layers for g in grads_of(m.parameters())]

    for a, b in zip(run(True), run(False)):
        np.testing.assert_allclose(a, b, rtol=1e-5)
