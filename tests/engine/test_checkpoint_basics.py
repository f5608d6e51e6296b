"""wg.checkpoint on its own: gradients equal the plain ones, no intermediates kept, fn run
twice, higher order, nesting, random numbers replayed, the errors."""
import gc
import weakref

import numpy as np
import pytest

import wengert as wg
from tests.functions import Cube
from tests.helpers import leaf
from wengert.checking import check_grads
from wengert.engine.graph import walk


# ---- checkpoint -------------------------------------------------------------------------------------

def block(x, w):
    h = wg.tanh(x @ w)
    return wg.sin(h) * h + x


def test_checkpoint_gradients_equal_the_plain_ones():
    rng = np.random.default_rng(0)
    xv, wv = rng.normal(size=(4, 3)), rng.normal(size=(3, 3))
    x1, w1 = leaf(xv), leaf(wv)
    (block(x1, w1) ** 2).sum().backward()
    x2, w2 = leaf(xv), leaf(wv)
    y = wg.checkpoint(block, x2, w2)
    np.testing.assert_allclose(y.numpy(force=True), block(xv, wv).numpy(force=True))
    assert y.grad_fn.name == "CheckpointBackward"
    (y ** 2).sum().backward()
    np.testing.assert_allclose(x2.grad.numpy(), x1.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(w2.grad.numpy(), w1.grad.numpy(), rtol=1e-12)


def test_checkpoint_keeps_no_intermediates():
    gc.disable()
    try:
        inner = []

        def f(x):
            h = wg.exp(x)
            inner.append(weakref.ref(h))
            inner.append(weakref.ref(h.data))
            return wg.sin(h) * 2

        x = leaf([0.1, 0.2])
        y = wg.checkpoint(f, x)
        assert all(r() is None for r in inner)          # gone right after forward
        nodes = [n for n in walk([y.grad_fn]) if n is not x]
        assert nodes == [y.grad_fn]                      # one node: the checkpoint
        y.sum().backward()
        assert all(r() is None for r in inner)          # the recomputed ones are gone too
        np.testing.assert_allclose(x.grad.numpy(),
                                   2 * np.cos(np.exp([0.1, 0.2])) * np.exp([0.1, 0.2]))
    finally:
        gc.enable()


def test_checkpoint_runs_fn_twice_recorded_each_time():
    # (as PyTorch's non-reentrant checkpoint: the forward run is recorded so the tensors fn
    # closes over are found; its graph is dropped at once, see keeps_no_intermediates)
    calls = []

    def f(x):
        calls.append(wg.is_grad_enabled())
        return x * x

    x = leaf(3.0)
    y = wg.checkpoint(f, x)
    assert calls == [True]
    y.backward()
    assert calls == [True, True]
    assert x.grad.item() == 6.0


def test_checkpoint_higher_order():
    x = leaf(0.7)
    y = wg.checkpoint(lambda t: wg.sin(t) * wg.exp(t), x)
    (g,) = wg.autograd.grad(y, x, create_graph=True)
    (h,) = wg.autograd.grad(g, x, create_graph=True)
    (k,) = wg.autograd.grad(h, x)
    s, c, e = np.sin(0.7), np.cos(0.7), np.exp(0.7)
    assert g.item() == pytest.approx((c + s) * e)
    assert h.item() == pytest.approx(2 * c * e)
    assert k.item() == pytest.approx(2 * e * (c - s))


def test_checkpoint_passes_the_gradient_checker_to_second_order():
    rng = np.random.default_rng(1)
    check_grads(lambda x, w: wg.checkpoint(block, x, w),
                [rng.normal(size=(2, 3)), rng.normal(size=(3, 3))], order=2)


def test_checkpoint_multiple_outputs_and_constant_arguments():
    def f(x, c, k):
        return x * c, wg.exp(x) * k

    x, c = leaf([0.5, 1.0]), wg.tensor([2.0, 3.0])
    a, b = wg.checkpoint(f, x, c, 4.0)
    (a.sum() + b.sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(force=True), c.numpy(force=True) + 4 * np.exp(x.numpy(force=True)))
    assert c.grad is None
    x.grad = None
    a, b = wg.checkpoint(f, x, c, 4.0)
    b.sum().backward()                          # the other output unused
    np.testing.assert_allclose(x.grad.numpy(force=True), 4 * np.exp(x.numpy(force=True)))


def test_checkpoint_of_a_non_leaf_leaves_the_outer_graph_alone():
    x = leaf([1.0, 2.0])
    h = x * 3
    h.retain_grad()
    y = wg.checkpoint(lambda t: t * t, h)
    (y.sum() + h.sum()).backward()
    np.testing.assert_array_equal(h.grad.numpy(force=True), 2 * h.numpy(force=True) + 1)
    np.testing.assert_array_equal(x.grad.numpy(force=True), 3 * (2 * h.numpy(force=True) + 1))


def test_nested_checkpoints():
    def outer(x):
        return wg.checkpoint(lambda t: wg.sin(t) * t, x) * wg.checkpoint(wg.exp, x)

    x = leaf([0.3, 0.9])
    wg.checkpoint(outer, x).sum().backward()
    xv = x.numpy(force=True)
    want = (np.cos(xv) * xv + np.sin(xv)) * np.exp(xv) + np.sin(xv) * xv * np.exp(xv)
    np.testing.assert_allclose(x.grad.numpy(), want)


def test_chain_of_checkpointed_blocks_trains_like_the_plain_chain():
    rng = np.random.default_rng(2)
    ws = [rng.normal(size=(3, 3)) * 0.5 for _ in range(4)]
    xv = rng.normal(size=(2, 3))

    def run(use_checkpoint):
        params = [leaf(w) for w in ws]
        h = wg.tensor(xv)
        for w in params:
            h = wg.checkpoint(block, h, w) if use_checkpoint else block(h, w)
        (h ** 2).mean().backward()
        return [p.grad.numpy() for p in params]

    for a, b in zip(run(True), run(False)):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_checkpoint_replays_the_random_numbers():
    def noisy(x):
        return x * wg.randn(3)

    wg.manual_seed(7)
    x = leaf([1.0, 2.0, 3.0])
    y = wg.checkpoint(noisy, x)
    wg.randn(5)                                 # the generator moves on before backward
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(force=True), y.numpy(force=True) / x.numpy(force=True))
    after = wg.randn(1).item()
    wg.manual_seed(7)
    wg.randn(3), wg.randn(5)
    assert wg.randn(1).item() == after          # and the replay did not consume any


def test_checkpoint_input_modified_in_place_raises():
    x = leaf([1.0, 2.0])
    h = x * 1.0
    y = wg.checkpoint(lambda t: t * t, h)
    h += 1
    with pytest.raises(RuntimeError, match=r"CheckpointBackward.*expected version 0"):
        y.sum().backward()


def test_checkpoint_second_backward_needs_retain_graph():
    x = leaf(2.0)
    y = wg.checkpoint(lambda t: t ** 3, x)
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.item() == 24.0
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_checkpoint_under_no_grad_and_on_constants_records_nothing():
    x = leaf(2.0)
    with wg.no_grad():
        assert wg.checkpoint(wg.exp, x).grad_fn is None
    assert wg.checkpoint(wg.exp, wg.tensor(1.0)).grad_fn is None


def test_checkpoint_unused_input_gets_zero_gradient():
    x, w = leaf(1.0), leaf(2.0)
    wg.checkpoint(lambda a, b: a * 3, x, w).backward()
    assert x.grad.item() == 3.0
    assert w.grad is None or w.grad.item() == 0.0


def test_checkpoint_of_a_custom_function():
    x = leaf(2.0)
    y = wg.checkpoint(Cube.apply, x)
    (g,) = wg.autograd.grad(y, x, create_graph=True)
    (h,) = wg.autograd.grad(g, x)
    assert (g.item(), h.item()) == (12.0, 12.0)


def test_checkpoint_fn_must_return_tensors():
    with pytest.raises(TypeError, match="checkpoint: fn must return a Tensor"):
        wg.checkpoint(lambda t: 3.0, leaf(1.0))


def test_checkpoint_needs_a_function():
    with pytest.raises(TypeError, match="checkpoint needs a function"):
        wg.checkpoint(leaf(1.0))
