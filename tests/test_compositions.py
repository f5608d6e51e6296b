"""Random compositions of ops (hypothesis): reverse mode agrees with finite differences.

Expression trees are drawn over a few inputs whose shapes broadcast together; the ops are
smooth with bounded growth (no kinks, ties or singular points near the sampled inputs), so any
disagreement is a bug in a rule, in broadcasting, or in how the engine combines them.
"""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wengert as wg
from tests.functions import Cube as _Cube
from wengert.checking import check_grads


UNARY = {
    "sin": wg.sin,
    "cos": wg.cos,
    "tanh": wg.tanh,
    "arctan": wg.arctan,
    "exp_tanh": lambda x: wg.exp(wg.tanh(x)),
    "log1p_sq": lambda x: wg.log1p(x * x),
    "soft_abs": lambda x: wg.sqrt(x * x + 1),
    "square": wg.square,
    "neg": lambda x: -x,
    "scale": lambda x: 0.5 * x,
    "cube_fn": lambda x: _Cube.apply(wg.tanh(x)),
    "checkpointed": lambda x: wg.checkpoint(lambda t: wg.sin(t) * t, x),
}

BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (1 + b * b),
    "pow": lambda a, b: (a * a + 1) ** wg.tanh(b),
    "logaddexp": wg.logaddexp,
    "hypot1": lambda a, b: wg.hypot(a, wg.sqrt(b * b + 1)),
}

# reductions that keep the result broadcastable against the (2, 3) family of shapes
REDUCE = {
    "sum_last": lambda x: x.sum(axis=-1, keepdims=True),
    "mean_first": lambda x: x.mean(axis=0, keepdims=True),
}

SHAPES = [(), (3,), (2, 3), (2, 1), (1, 3)]


@st.composite
def trees(draw, n_inputs, depth):
    """A random expression tree: ("in", i) | ("un", f, t) | ("bin", f, t, t) | ("red", f, t)."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return ("in", draw(st.integers(0, n_inputs - 1)))
    kind = draw(st.sampled_from(["un", "un", "bin", "bin", "red"]))
    if kind == "un":
        return ("un", draw(st.sampled_from(sorted(UNARY))), draw(trees(n_inputs, depth - 1)))
    if kind == "red":
        return ("red", draw(st.sampled_from(sorted(REDUCE))), draw(trees(n_inputs, depth - 1)))
    return ("bin", draw(st.sampled_from(sorted(BINARY))),
            draw(trees(n_inputs, depth - 1)), draw(trees(n_inputs, depth - 1)))


def evaluate(tree, xs):
    kind = tree[0]
    if kind == "in":
        return xs[tree[1]]
    if kind == "un":
        return UNARY[tree[1]](evaluate(tree[2], xs))
    if kind == "red":
        x = evaluate(tree[2], xs)
        return REDUCE[tree[1]](x) if np.ndim(x) > 0 else x
    return BINARY[tree[1]](evaluate(tree[2], xs), evaluate(tree[3], xs))


def _inputs(tree):
    if tree[0] == "in":
        return {tree[1]}
    return set().union(*(_inputs(t) for t in tree[2:]))


def _renumber(tree, new):
    if tree[0] == "in":
        return ("in", new[tree[1]])
    return tree[:2] + tuple(_renumber(t, new) for t in tree[2:])


@st.composite
def problems(draw, max_depth):
    """(tree, args): every argument is used by the tree."""
    n = draw(st.integers(1, 3))
    tree = draw(trees(n, max_depth).filter(lambda t: t[0] != "in"))
    used = sorted(_inputs(tree))
    tree = _renumber(tree, {old: k for k, old in enumerate(used)})
    shapes = [draw(st.sampled_from(SHAPES)) for _ in used]
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    return tree, [rng.uniform(-1.5, 1.5, size=s) for s in shapes]


def _as_tensor_fn(tree):
    def f(*xs):
        out = evaluate(tree, xs)
        return out if isinstance(out, wg.Tensor) else wg.asarray(out)
    return f


SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                       HealthCheck.data_too_large])


@settings(max_examples=60, **SETTINGS)
@given(problems(max_depth=4))
def test_random_compositions_first_order(problem):
    tree, args = problem
    check_grads(_as_tensor_fn(tree), args, order=1, atol=1e-4, rtol=1e-3)


@settings(max_examples=20, **SETTINGS)
@given(problems(max_depth=3))
def test_random_compositions_second_order(problem):
    tree, args = problem
    check_grads(_as_tensor_fn(tree), args, order=2, atol=1e-4, rtol=2e-3)


@settings(max_examples=30, **SETTINGS)
@given(problems(max_depth=4))
def test_random_compositions_backward_equals_autograd_grad(problem):
    """The two entry points agree, and .backward() accumulates exactly once per leaf."""
    tree, args = problem
    f = _as_tensor_fn(tree)
    xs = [wg.tensor(a, requires_grad=True) for a in args]
    out = f(*xs)
    if not out.requires_grad:
        return
    s = out.sum()
    grads = wg.autograd.grad(s, xs, retain_graph=True, allow_unused=True)
    s.backward()
    for x, g in zip(xs, grads):
        if g is None:
            assert x.grad is None or not np.any(x.grad.numpy())
        else:
            assert x.grad.shape == x.shape
            np.testing.assert_allclose(x.grad.numpy(), g.numpy(), rtol=1e-12, atol=0)


@pytest.mark.parametrize("tree", [
    ("bin", "mul", ("in", 0), ("un", "sin", ("in", 0))),
    ("red", "sum_last", ("bin", "div", ("in", 0), ("in", 1))),
    ("bin", "pow", ("un", "checkpointed", ("in", 1)), ("un", "cube_fn", ("in", 0))),
])
def test_fixed_compositions(tree):
    rng = np.random.default_rng(0)
    args = [rng.uniform(-1.5, 1.5, size=(2, 1)), rng.uniform(-1.5, 1.5, size=(3,))]
    check_grads(_as_tensor_fn(tree), args, order=2, atol=1e-4)


def test_check_grads_with_an_unused_argument_of_another_shape():
    check_grads(lambda x, unused, y: x * y, [np.array(0.5), np.array([1.0, 2.0]), np.ones(3)])
