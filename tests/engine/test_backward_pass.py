"""The backward pass itself: gradients written in place, the slot pass (nested and
concurrent passes, errors mid-pass, deep copies), slices added straight into a gradient."""
import numpy as np
import pytest

import wengert as wg
from tests.helpers import leaf
from wengert.engine.graph import walk
from wengert.engine.node import Node

INPLACE_BYTES = 128 << 10             # arrays past glibc's mmap threshold

BIG = INPLACE_BYTES // 8 + 7          # float64 elements: above the in-place threshold


def _chain_graph(x):
    """Shared subexpressions, a value passed to two parents (add), a negation and a chain of
    unary ops: every way a gradient array can be shared while the pass runs."""
    s = wg.sin(x)
    a = s * 3.0 + s                   # s's gradient arrives twice (accumulated)
    b = wg.exp(-a) - wg.tanh(a)       # a goes to both sides of a subtract
    return b * b + x


def _chain_grad(v, seed):
    s = np.sin(v)
    a = 4 * s
    b = np.exp(-a) - np.tanh(a)
    db = 2 * b * seed
    da = db * (-np.exp(-a) - (1 - np.tanh(a) ** 2))
    return da * 4 * np.cos(v) + seed


@pytest.mark.parametrize("n", [5, BIG])
def test_gradients_written_in_place_are_right(n):
    rng = np.random.default_rng(0)
    v, seed = rng.uniform(-1, 1, n), rng.uniform(0.5, 1.5, n)
    kept = seed.copy()
    x = wg.tensor(v, requires_grad=True)
    _chain_graph(x).backward(gradient=seed)
    np.testing.assert_allclose(x.grad.numpy(), _chain_grad(v, kept), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(seed, kept)            # the caller's seed is never written


def test_in_place_gradients_spare_what_others_hold():
    """retain_grad and hooks keep their values although later rules could have written into
    the same arrays."""
    v = np.random.default_rng(1).uniform(-1, 1, BIG)
    x = wg.tensor(v, requires_grad=True)
    s = wg.sin(x)
    s.retain_grad()
    seen = []
    y = wg.exp(s)
    y.register_hook(lambda g: seen.append(g.numpy().copy()) or None)
    (y * 3.0).backward(gradient=np.full(BIG, 2.0))
    np.testing.assert_allclose(seen[0], 6.0)
    np.testing.assert_allclose(s.grad.numpy(), 6.0 * np.exp(np.sin(v)), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), 6.0 * np.exp(np.sin(v)) * np.cos(v), rtol=1e-12)


def test_in_place_gradients_spare_an_autograd_grad_target():
    """A captured intermediate's gradient is returned while the pass goes on below it."""
    v = np.random.default_rng(1).uniform(-1, 1, BIG)
    x2 = wg.tensor(v, requires_grad=True)
    s2 = wg.sin(x2)
    out = wg.exp(s2) * 3.0
    gs, gx = wg.autograd.grad(out, [s2, x2], grad_outputs=wg.tensor(np.ones(BIG)))
    np.testing.assert_allclose(gs.numpy(), 3.0 * np.exp(np.sin(v)), rtol=1e-12)
    np.testing.assert_allclose(gx.numpy(), 3.0 * np.exp(np.sin(v)) * np.cos(v), rtol=1e-12)


def test_a_retained_graph_gives_the_same_gradient_twice():
    v = np.random.default_rng(2).uniform(-1, 1, BIG)
    x = wg.tensor(v, requires_grad=True)
    y = _chain_graph(x)
    seed = np.ones(BIG)
    y.backward(gradient=seed, retain_graph=True)
    first = x.grad.numpy().copy()
    x.grad = None
    y.backward(gradient=seed)
    np.testing.assert_array_equal(x.grad.numpy(), first)


def test_batched_jacobian_written_in_place_equals_forward_mode():
    """jacrev's batch of cotangents (above the threshold) against jacfwd, which never writes
    in place: a matrix product, shared inputs and an accumulation."""
    n = 160                                          # 160×160 float64: 200 KiB a cotangent
    assert n * n * 8 >= INPLACE_BYTES
    rng = np.random.default_rng(3)
    W, v = rng.standard_normal((n, n)) / n, rng.uniform(-1, 1, n)

    def F(x):
        return wg.tanh(W @ x + 1.0) * x + 0.1 * x ** 3 - wg.sin(x) * x + x * x
    np.testing.assert_allclose(wg.jacrev(F)(v), wg.jacfwd(F)(v), rtol=1e-12, atol=1e-12)


def test_a_view_of_a_shared_gradient_is_never_written():
    """A reshape hands back a view of its g; where g also went elsewhere (here: the caller's
    seed, through an add), adding into that view would write through to the seed."""
    v = np.random.default_rng(4).uniform(-1, 1, 2 * BIG)
    x = wg.tensor(v, requires_grad=True)
    t = wg.sin(x)
    out = t.reshape((2, BIG)).reshape(2 * BIG) + t
    seed = np.full(2 * BIG, 1.5)
    out.backward(gradient=seed)
    np.testing.assert_array_equal(seed, 1.5)
    np.testing.assert_allclose(x.grad.numpy(), 3.0 * np.cos(v), rtol=1e-12)


# ---- the slot pass (creation order, state in the nodes' slots) and passes nested in it -------

def _at_rest(*tensors):
    """Between passes no node holds state of a pass (a pass keeps its state local)."""
    for t in tensors:
        for n in walk([t.grad_fn]):
            if type(n) is Node:
                assert not hasattr(n, "_inbox")


def test_a_backward_inside_a_rule_runs_nested_and_both_are_right():
    """A rule that runs a backward of its own (as checkpoint does) starts while the outer pass
    holds the slots: the inner pass counts in dicts, the outer one goes on undisturbed."""
    inner_grads = []

    class Probe(wg.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2.0

        @staticmethod
        def backward(ctx, g):
            z = leaf([1.0, 2.0])
            with wg.enable_grad():                   # (rules run without recording)
                ((z * z).sum() * 3.0).backward()     # a whole other pass, mid-pass
            inner_grads.append(z.grad.numpy())
            return g * 2.0

    x = leaf([1.0, -2.0])
    y = wg.exp(Probe.apply(wg.sin(x)) + x)
    (y * y).sum().backward()
    s = 2.0 * np.sin(x.numpy(force=True)) + x.numpy(force=True)
    np.testing.assert_allclose(x.grad.numpy(force=True), 2 * np.exp(2 * s) * (2 * np.cos(x.numpy(force=True)) + 1))
    np.testing.assert_allclose(inner_grads[0], [6.0, 12.0])
    _at_rest()


def test_a_backward_of_the_same_graph_inside_a_rule_keeps_its_own_state():
    """The inner pass walks nodes the outer pass holds gradients for (retained graph): its
    state must not be the outer pass's."""
    x = leaf(1.5)
    base = wg.sin(x) * x
    seen = []

    class Tap(wg.Function):
        @staticmethod
        def forward(ctx, t):
            return t * 1.0

        @staticmethod
        def backward(ctx, g):
            with wg.enable_grad():
                seen.append(wg.autograd.grad(base, x, retain_graph=True)[0].item())
            return g

    out = Tap.apply(base) + base * 2.0
    out.backward(retain_graph=True)
    d = np.cos(1.5) * 1.5 + np.sin(1.5)
    assert seen == [pytest.approx(d)]
    assert x.grad.item() == pytest.approx(3 * d)
    _at_rest(out)
    x.grad = None
    out.backward()                                   # the slots were left at rest: it works again
    assert x.grad.item() == pytest.approx(3 * d)


def test_an_error_mid_pass_leaves_the_graph_and_the_engine_usable():
    calls = []

    class FailsOnce(wg.Function):
        @staticmethod
        def forward(ctx, t):
            return t * 1.0

        @staticmethod
        def backward(ctx, g):
            calls.append(1)
            if len(calls) == 1:
                raise ValueError("deliberate")
            return g

    x = leaf([0.5, 1.0])
    y = wg.exp(x)
    out = (FailsOnce.apply(y) * y).sum()
    with pytest.raises(ValueError, match="deliberate"):
        out.backward(retain_graph=True)
    _at_rest(out)
    x.grad = None                   # (whatever reached x before the error is discarded)
    out.backward()
    np.testing.assert_allclose(x.grad.numpy(force=True), 2 * np.exp(2 * x.numpy(force=True)))


def test_passes_in_two_threads_give_their_own_gradients():
    import threading
    errors, results = [], {}

    def work(k):
        try:
            for _ in range(200):
                x = leaf(np.arange(1.0, 4.0) * k)
                (wg.sin(x) * x).sum().backward()
                v = x.numpy(force=True)
                np.testing.assert_allclose(x.grad.numpy(), np.cos(v) * v + np.sin(v))
            results[k] = True
        except Exception as e:                       # (reported in the main thread)
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in (1, 2, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 3
    _at_rest()


def test_a_deep_copy_of_a_graph_differentiates_beside_the_original():
    """The copy's nodes keep the original's creation numbers: the pass orders them anyway."""
    import copy
    x = leaf([1.0, 2.0])
    y = wg.sin(x) * 2.0
    z = copy.deepcopy(y)                 # its own graph, down to its own copy of x
    (y + z).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.cos([1.0, 2.0]))
    _at_rest(y, z)


def test_roots_given_twice_or_below_another_root():
    x = leaf(2.0)
    y = x * x
    z = wg.sin(y)
    gx, = wg.autograd.grad([z, y, z], [x], [wg.tensor(1.0), wg.tensor(3.0), wg.tensor(0.5)],
                           retain_graph=True)
    assert gx.item() == pytest.approx((1.5 * np.cos(4.0) + 3.0) * 4.0)
    gx, = wg.autograd.grad([x, y], [x], [wg.tensor(2.0), wg.tensor(1.0)])   # a leaf as a root
    assert gx.item() == pytest.approx(2.0 + 4.0)
    _at_rest()


# ---- slices added straight into their input's gradient (LinearOp accumulate) -----------------

def test_a_stencil_of_slices_sums_into_one_gradient():
    v = np.random.default_rng(5).uniform(-1, 1, 12)
    x = leaf(v)
    y = x[2:] - 2.0 * x[1:-1] + x[:-2]
    (y * y).sum().backward()
    d = v[2:] - 2 * v[1:-1] + v[:-2]
    want = np.zeros(12)
    want[2:] += 2 * d
    want[1:-1] -= 4 * d
    want[:-2] += 2 * d
    np.testing.assert_allclose(x.grad.numpy(), want, rtol=1e-13, atol=1e-13)


def test_a_slice_never_adds_into_a_gradient_that_is_shared():
    """w's first contribution is the array an add hands to both its inputs (w and z): a later
    slice of w must add out of place, or z's gradient changes too."""
    v = np.random.default_rng(6).uniform(-1, 1, 5)
    x, z = leaf(v), leaf(np.zeros(5))
    w = wg.exp(x)
    (w[1:].sum() + (w + z).sum()).backward()        # (the add's rule runs first)
    np.testing.assert_array_equal(z.grad.numpy(), np.ones(5))
    np.testing.assert_allclose(x.grad.numpy(), np.exp(v) * [1, 2, 2, 2, 2], rtol=1e-14)


def test_slices_of_a_node_output_in_two_dimensions():
    v = np.random.default_rng(7).uniform(-1, 1, (4, 5))
    x = leaf(v)
    u = wg.sin(x)
    (u[1:, :2].sum() * 3.0 + u[0].sum() + u[:, 4].sum()).backward()
    want = np.zeros((4, 5))
    want[1:, :2] += 3.0
    want[0] += 1.0
    want[:, 4] += 1.0
    np.testing.assert_allclose(x.grad.numpy(), want * np.cos(v), rtol=1e-14)


def test_slices_of_another_dtype_are_not_added_in_place():
    x = wg.tensor(np.arange(6, dtype=np.float32), requires_grad=True)
    a = x[:4] * np.float64(2.0)            # float64 gradients arriving at a float32 leaf
    b = x[2:] * np.float64(3.0)
    (a.sum() + b.sum()).backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.numpy(), [2, 2, 5, 5, 3, 3])
