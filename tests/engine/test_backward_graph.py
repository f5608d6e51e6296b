"""The graph's structure and lifetime: retain_graph, freeing saved values and
intermediates, no reference cycles, grad_fn and next_functions, shared subexpressions,
long chains."""
import gc
import tracemalloc
import weakref

import numpy as np
import pytest

import wengert as wg
from tests.helpers import leaf
from wengert.engine.graph import walk
from wengert.engine.node import Node


# ---- retain_graph and freeing --------------------------------------------------------------

def test_second_backward_without_retain_graph_raises():
    x = leaf([1.0, 2.0])
    y = (wg.exp(x) * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=r"retain_graph=True"):
        y.backward()


def test_second_backward_through_a_shared_part_raises():
    x = leaf(1.0)
    h = wg.sin(x)
    (h * 2).backward()
    with pytest.raises(RuntimeError, match=r"retain_graph=True"):
        (h * 3).backward()


def test_retain_graph_allows_a_second_backward():
    x = leaf([1.0, 2.0])
    y = (wg.exp(x) * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first)


def test_saved_values_are_released_after_backward():
    gc.disable()
    try:
        x = leaf([1.0, 2.0])
        h = wg.exp(x)                      # saves its output array
        saved = weakref.ref(h.data)
        y = (h * 2).sum()
        del h
        assert saved() is not None
        y.backward()
        assert saved() is None             # y still alive, its graph's saved values gone
    finally:
        gc.enable()


def test_intermediate_dies_after_backward_without_the_collector():
    gc.disable()
    try:
        x = leaf([1.0, 2.0])
        h = wg.tanh(x) * x
        ref_t, ref_node, ref_data = weakref.ref(h), weakref.ref(h.grad_fn), weakref.ref(h.data)
        y = (h * h).sum()
        del h
        assert ref_node() is not None and ref_data() is not None
        y.backward()
        assert ref_t() is None and ref_data() is None
        del y
        assert ref_node() is None
    finally:
        gc.enable()


@pytest.mark.parametrize("run_backward", [False, True])
def test_dropping_the_output_frees_the_graph_by_refcount(run_backward):
    gc.disable()
    try:
        x = leaf(np.ones(4))
        h = x
        refs = []
        for _ in range(50):
            h = wg.sin(h) * 1.5 + h
            refs.append(weakref.ref(h.grad_fn))
        y = h.sum()
        del h
        if run_backward:
            y.backward()
        assert all(r() is not None for r in refs)
        del y
        assert all(r() is None for r in refs)
        assert x.grad is None or x.grad.shape == (4,)
    finally:
        gc.enable()


def test_graph_has_no_reference_cycles():
    gc.collect()
    gc.disable()
    try:
        x = leaf(np.ones(3))
        y = (wg.exp(x) * x + x * x).sum()
        y.retain_grad()
        y.backward()
        del y
        assert gc.collect() == 0
    finally:
        gc.enable()


@pytest.mark.slow
def test_memory_stays_flat_over_many_training_steps():
    wg.manual_seed(0)
    params = {"w": wg.randn(4, 3, requires_grad=True), "b": wg.zeros(3, requires_grad=True)}
    data, target = wg.randn(8, 4), wg.randn(8, 3)

    def step():
        w, b = params["w"], params["b"]
        loss = ((wg.tanh(data @ w + b) - target) ** 2).mean()
        loss.backward()
        with wg.no_grad():
            w -= 0.05 * w.grad
            b -= 0.05 * b.grad
        w.grad = b.grad = None
        return loss.item()

    tracemalloc.start()
    try:
        first = [step() for _ in range(500)]     # warm-up: caches and allocator free lists
        before = tracemalloc.get_traced_memory()[0]
        objects = len(gc.get_objects())
        last = [step() for _ in range(1500)]
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert last[-1] < first[0]                   # it trained
    assert len(gc.get_objects()) - objects < 50
    assert grown < 100_000, f"memory grew by {grown} bytes over 1500 steps"


# ---- graph structure ----------------------------------------------------------------------------

def test_grad_fn_name_and_next_functions():
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    c = wg.tensor([1.0, 1.0])
    y = (x * w + c).sum()
    assert x.grad_fn is None and x.is_leaf and not y.is_leaf
    assert y.grad_fn.name == "SumBackward"
    (add, _), = y.grad_fn.next_functions
    assert add.name == "AddBackward"
    (mul, _), (const, _) = add.next_functions
    assert mul.name == "MulBackward" and const is None
    (ax, _), (aw, _) = mul.next_functions
    assert ax.name == "AccumulateGrad" and ax.variable is x and aw.variable is w
    assert ax.next_functions == ()


def test_repr_of_grad_fn():
    y = leaf(2.0) * 3
    assert repr(y.grad_fn) == "<MulBackward>"
    assert "grad_fn=<MulBackward>" in repr(y)


def test_diamond_graph_shared_subexpression():
    x = leaf(0.7)
    s = wg.sin(x)
    y = s * s + wg.exp(s)                  # s feeds three uses
    y.backward()
    sx = np.sin(0.7)
    assert x.grad.item() == pytest.approx((2 * sx + np.exp(sx)) * np.cos(0.7))
    assert sum(p is s.grad_fn for n in walk([y.grad_fn]) if type(n) is Node for p in n.parents) == 3


def test_node_reused_many_times():
    x = leaf([0.5, 1.5])
    h = x * x
    total = h
    for _ in range(999):
        total = total + h
    total.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(force=True), 1000 * 2 * x.numpy(force=True))


def test_same_leaf_on_both_sides():
    x = leaf(3.0)
    (x * x).backward()
    assert x.grad.item() == 6.0


def test_constants_get_no_gradient():
    x, c = leaf(2.0), wg.tensor(5.0)
    (x * c).backward()
    assert c.grad is None and x.grad.item() == 5.0


@pytest.mark.slow
def test_million_op_chain_has_no_recursion_error():
    x = leaf(2.0)
    y = x * 1.5
    for _ in range(10 ** 6):
        y = -y                             # the cheapest op: the traversal is what is tested
    y.backward()
    assert x.grad.item() == 1.5            # (−1)^(10⁶) · 1.5
    del y                                  # freeing the chain must not recurse either


def test_long_chain_freed_without_backward():
    x = leaf(1.0)
    y = x
    for _ in range(100_000):
        y = y + 1.0
    del y                                  # deallocation of a deep chain: no stack overflow
