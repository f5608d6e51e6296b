"""Grad mode: no_grad / enable_grad / set_grad_enabled, per thread."""
import threading

import numpy as np
import pytest

import wengert as wg


@pytest.fixture
def x():
    return wg.tensor([1.0, 2.0], requires_grad=True)


def test_grad_is_enabled_by_default():
    assert wg.is_grad_enabled()


def test_no_grad_context(x):
    with wg.no_grad():
        assert not wg.is_grad_enabled()
        y = x * 2
    assert wg.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf


def test_results_under_no_grad_do_not_require_grad_for_every_op_kind(x):
    with wg.no_grad():
        outs = [wg.exp(x), x + x, x.sum(), x[0], wg.where(x > 1, x, 0.0), x.reshape(2, 1),
                x @ wg.ones((2, 2)), wg.clip(x, 0, 1)]
    assert all(not o.requires_grad and o.grad_fn is None for o in outs)


def test_no_grad_restores_on_exception():
    with pytest.raises(ZeroDivisionError):
        with wg.no_grad():
            1 / 0
    assert wg.is_grad_enabled()


def test_no_grad_nested_in_no_grad_and_enable_grad_inside(x):
    with wg.no_grad():
        with wg.no_grad():
            assert not wg.is_grad_enabled()
        assert not wg.is_grad_enabled()
        with wg.enable_grad():
            assert wg.is_grad_enabled()
            assert (x * 2).requires_grad
        assert not wg.is_grad_enabled()


def test_no_grad_decorator_with_parentheses(x):
    @wg.no_grad()
    def f(t):
        """doc"""
        return t * 2

    assert not f(x).requires_grad
    assert f.__name__ == "f" and f.__doc__ == "doc"
    assert wg.is_grad_enabled()


def test_no_grad_decorator_without_parentheses(x):
    @wg.no_grad
    def f(t):
        return t * 2

    assert not f(x).requires_grad
    assert f.__name__ == "f"
    assert wg.is_grad_enabled()


def test_enable_grad_decorator_with_and_without_parentheses(x):
    @wg.enable_grad
    def f(t):
        return t * 2

    @wg.enable_grad()
    def g(t):
        return t * 2

    with wg.no_grad():
        assert f(x).requires_grad and g(x).requires_grad
        assert not wg.is_grad_enabled()


def test_set_grad_enabled_as_context(x):
    with wg.set_grad_enabled(False):
        assert not (x * 2).requires_grad
        with wg.set_grad_enabled(True):
            assert (x * 2).requires_grad
    assert wg.is_grad_enabled()


def test_set_grad_enabled_as_decorator(x):
    @wg.set_grad_enabled(False)
    def f(t):
        return t * 2

    assert not f(x).requires_grad


def test_set_grad_enabled_as_a_function():
    try:
        wg.set_grad_enabled(False)
        assert not wg.is_grad_enabled()
    finally:
        wg.grad_mode.state.enabled = True


def test_no_grad_decorator_on_a_generator(x):
    @wg.no_grad()
    def gen():
        yield (x * 2).requires_grad

    assert list(gen()) == [False]


def test_grad_mode_is_per_thread(x):
    seen = {}

    def worker():
        seen["enabled"] = wg.is_grad_enabled()
        seen["records"] = (x * 2).requires_grad
        with wg.no_grad():
            seen["inner"] = wg.is_grad_enabled()

    with wg.no_grad():
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        assert not wg.is_grad_enabled()          # the worker's no_grad did not leak here
    assert seen == {"enabled": True, "records": True, "inner": False}


def test_no_grad_in_a_thread_does_not_affect_main(x):
    ready, done = threading.Event(), threading.Event()

    def worker():
        with wg.no_grad():
            ready.set()
            done.wait(5)

    t = threading.Thread(target=worker)
    t.start()
    ready.wait(5)
    try:
        assert wg.is_grad_enabled() and (x * 2).requires_grad
    finally:
        done.set()
        t.join()


def test_backward_works_inside_no_grad_for_a_graph_built_outside(x):
    y = (x * x).sum()
    with wg.no_grad():
        y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])


def test_optimizer_style_update_under_no_grad(x):
    (x * x).sum().backward()
    with wg.no_grad():
        x -= 0.5 * x.grad
    assert x.is_leaf and x.requires_grad
    np.testing.assert_array_equal(x.numpy(force=True), [0.0, 0.0])
