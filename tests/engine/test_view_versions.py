"""Memory shared without the engine knowing gave silent wrong gradients (found by the fuzzer,
tests/fuzz_programs.py, and by review); each case here is a minimised reproducer.

Every case is one program in NumPy vocabulary (`W` is numpy or wengert), run on ndarrays for
the reference value and central finite differences, and through wengert. The answer must be
the right number, or a clear RuntimeError as PyTorch's rule for a saved tensor modified in
place: never a wrong number.
"""
import numpy as np
import pytest

import wengert as wg
from tests.numcheck import central_diff

RNG = np.random.default_rng(7)
K = RNG.uniform(-1, 1, 4)
T = RNG.uniform(-1, 1, 8)


def _run(prog, *args):
    """The program's value and gradients through wengert, compared with NumPy and central
    differences when wengert answers."""
    ref = prog(np, *[a.copy() for a in args])
    ts = [wg.tensor(a, requires_grad=True) for a in args]
    out = prog(wg, *ts)
    np.testing.assert_allclose(out.detach().numpy(), ref, rtol=1e-12)
    out.backward()
    for i, (a, t) in enumerate(zip(args, ts)):
        fd = central_diff(lambda *xs: prog(np, *xs), list(args), i)
        got = np.zeros_like(a) if t.grad is None else t.grad.numpy()
        np.testing.assert_allclose(got, fd, rtol=1e-6, atol=1e-8)


def _raises_saved(prog, *args, op):
    ts = [wg.tensor(a, requires_grad=True) for a in args]
    with pytest.raises(RuntimeError, match=f"modified by an in-place operation.*{op}"):
        prog(wg, *ts).backward()


# ---- a write through a view moves the view itself to a new version (fuzz seeds 134, 10727,
# 10731, 10764, 11153, 11361, 11550, 12024, 12043, 12362, 12474) ------------------------------

def _reversed_view_written_after_arctan_saved_it(W, b, c):
    v0 = np.maximum(b, K[:3] * 3.0)
    v1 = v0[::-1]
    v2 = np.arctan(v1)          # saves v1
    v1 += c                     # writes v1 (and v0): arctan's saved input changed
    return np.sum(v2 * T[:3])


def test_a_view_written_after_a_node_saved_it_refuses_backward():
    b, c = RNG.uniform(-1.5, 1.5, 3), RNG.uniform(-1.5, 1.5, 3)
    _raises_saved(_reversed_view_written_after_arctan_saved_it, b, c, op="ArctanBackward")


def _strided_view_written_after_a_multiply_saved_it(W, a):
    v1 = (a * a)[::2]
    v2 = a.copy()
    v2[[2, 3]] *= v1            # the multiply saves v1
    v1 -= v1
    return np.sum(v2 * T[:4])


def _fancy_product_with_itself_through_a_view(W, a):
    v2 = W.stack([a, a])[::-1]
    v2[[1, 0]] *= v2            # tmp = v2[[1, 0]]; tmp *= v2 (saves v2); v2[[1, 0]] = tmp
    return np.sum(v2 * T[:4])


def _matmul_saved_a_view_then_written(W, a):
    v0 = np.tanh(a)
    v2 = v0[::-1]
    v3 = a @ v2                 # saves v2
    v2 *= np.tanh(v0)
    return np.exp(0.3 * v3)


@pytest.mark.parametrize("prog, op", [(_strided_view_written_after_a_multiply_saved_it, "Mul"),
                                      (_fancy_product_with_itself_through_a_view, "Mul"),
                                      (_matmul_saved_a_view_then_written, "Matmul")])
def test_a_saved_view_written_in_place_refuses_backward(prog, op):
    _raises_saved(prog, RNG.uniform(-1.5, 1.5, 4), op=op)


def _view_written_nothing_saved(W, b, c):
    v0 = np.tanh(b)
    v1 = v0[::-1]
    v1 += c * c                 # no node saved v1: the write is differentiated
    v1[1:] *= 2.0
    return np.sum(np.sin(v0) * T[:3]) + np.sum(v1 * T[3:6])


def test_a_view_written_that_nothing_saved_differentiates():
    _run(_view_written_nothing_saved, RNG.uniform(-1.5, 1.5, 3), RNG.uniform(-1.5, 1.5, 3))


def test_the_written_view_moves_to_a_new_version():
    a = wg.tensor(np.ones(4), requires_grad=True)
    v = (a * 1.0)[::2]
    before = v._version
    v += a[:2]
    assert v._version > before


# ---- ravel gives a view only where NumPy's does (fuzz seed 8365) -----------------------------

def _ravel_of_a_reversed_column_copies(W, a):
    v0 = np.mean(a, axis=1, keepdims=True)
    v1 = v0[::-1]
    v2 = v1.ravel()             # NumPy copies: v1 is not contiguous
    v0 -= v1                    # (so v2 keeps the old values)
    return np.sum(v2 * T[:3]) + np.sum(np.sin(v0) * T[3:6, None])


def test_ravel_copies_where_numpy_copies():
    _run(_ravel_of_a_reversed_column_copies, RNG.uniform(-1.5, 1.5, (3, 4)))
    x = np.arange(12.0).reshape(3, 4)
    t = wg.tensor(x)
    for view in [lambda v: v[::-1], lambda v: v[::2], lambda v: v.T, lambda v: v[1:],
                 lambda v: v[:, :1], lambda v: v[0, ::2]]:
        for order in "CFA":
            n, w = np.ravel(view(x), order), wg.ravel(view(t), order)
            np.testing.assert_array_equal(w.numpy(), n)
            assert (w._extra is not None and w._extra.view is not None) == \
                np.shares_memory(n, x), order
    assert np.shares_memory(t[1:].ravel().numpy(), t.numpy())


# ---- results sharing a constant's memory are registered views --------------------------------

def _constant_saved_then_written_through(make_view):
    """x is a constant that a node saves; a write into make_view(x) changes x's memory."""
    x = wg.tensor(np.arange(1.0, 5.0))
    w = wg.tensor(np.ones(4), requires_grad=True)
    y = (x * w).sum()           # saves x for w's gradient
    z = make_view(x)
    z += 1.0
    return x, y


@pytest.mark.parametrize("make_view", [
    lambda x: np.squeeze(x),                                     # nothing to squeeze: x itself
    lambda x: x.squeeze(),
    lambda x: np.lib.stride_tricks.sliding_window_view(x, 2, writeable=True),   # NumPy fallback
], ids=["squeeze", "method squeeze", "fallback view"])
def test_a_write_into_memory_a_node_saved_refuses_backward(make_view):
    x, y = _constant_saved_then_written_through(make_view)
    assert x.numpy()[0] > 1.0                   # the write reached x, as in NumPy
    with pytest.raises(RuntimeError, match="modified by an in-place operation.*MulBackward"):
        y.backward()


def test_a_fallback_view_follows_its_tensor_both_ways():
    x = wg.tensor(np.arange(1.0, 6.0))
    z = np.lib.stride_tricks.sliding_window_view(x, 2, writeable=True)
    z[1] = 10.0
    np.testing.assert_array_equal(x.numpy(), [1.0, 10.0, 10.0, 4.0, 5.0])     # as NumPy's
    x[0] = -1.0
    np.testing.assert_array_equal(z.numpy()[0], [-1.0, 10.0])
    ro = np.lib.stride_tricks.sliding_window_view(x, 2)         # read-only, as NumPy's
    with pytest.raises(ValueError, match="read-only"):
        ro += 1.0


def test_a_recorded_write_to_the_base_of_a_fallback_view_raises_before_changing_it():
    x = wg.tensor(np.arange(1.0, 5.0))
    z = np.lib.stride_tricks.sliding_window_view(x, 2)
    w = wg.tensor(np.ones(4), requires_grad=True)
    with pytest.raises(TypeError, match="sliding_window_view is not differentiable"):
        x += w
    np.testing.assert_array_equal(x.numpy(), [1.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(z.numpy()[-1], [3.0, 4.0])


def test_single_operand_einsum_and_empty_fftn_own_their_memory():
    x = wg.tensor(np.arange(1.0, 5.0).reshape(2, 2))
    assert not np.shares_memory(np.einsum("ij->ji", x).numpy(), x.numpy())
    s = wg.tensor(np.float64(2.0))
    assert not np.may_share_memory(np.fft.fftn(s).numpy(), s.numpy())


# ---- .primal shares memory with its dual tensor; wg.dual owns its memory ---------------------

def test_a_write_into_primal_when_a_node_saved_the_dual_refuses_backward():
    x = wg.dual(np.arange(1.0, 5.0), np.ones(4))
    w = wg.tensor(np.ones(4), requires_grad=True)
    y = (x * w).sum()           # saves x for w's gradient
    p = x.primal
    p += 1.0
    np.testing.assert_array_equal(x.primal.numpy(), [2.0, 3.0, 4.0, 5.0])
    with pytest.raises(RuntimeError, match="modified by an in-place operation.*MulBackward"):
        y.primal.backward()


def test_a_dual_number_does_not_see_later_writes_into_its_arguments():
    a, t = np.arange(3.0), np.ones(3)
    x = wg.tensor(np.arange(3.0))
    d, e = wg.dual(a, t), wg.dual(x, t)
    a += 1.0
    t += 1.0
    x += 1.0
    np.testing.assert_array_equal(d.primal.numpy(), [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(d.tangent.numpy(), [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(e.primal.numpy(), [0.0, 1.0, 2.0])


def test_primal_follows_a_recorded_write_to_its_dual_in_value_and_gradient():
    a0 = np.array([1.0, 2.0, 3.0])
    a = wg.tensor(a0, requires_grad=True)
    x = wg.dual(a * 1.0, np.ones(3))
    p = x.primal
    x += a * a
    np.testing.assert_allclose(p.numpy(force=True), a0 + a0 ** 2)
    (p * p).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), 2 * (a0 + a0 ** 2) * (1 + 2 * a0))


def test_a_write_into_primal_keeps_the_tangent_and_refuses_a_gradient_write():
    x = wg.dual(np.array([1.0, 2.0]), np.array([0.5, -1.0]))
    p = x.primal
    p += 1.0                    # the value part only: x = (p + 1) + t·ε
    np.testing.assert_array_equal(x.primal.numpy(), [2.0, 3.0])
    np.testing.assert_array_equal(x.tangent.numpy(), [0.5, -1.0])
    w = wg.tensor(np.ones(2), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"\.primal"):
        p += w


def test_two_tangents_taken_out_of_one_dual_share_memory_as_views():
    x = wg.dual(np.arange(3.0), np.ones(3))
    w = wg.tensor(np.ones(3), requires_grad=True)
    e1 = x.tangent
    y = (e1 * w).sum()          # saves e1
    e2 = x.tangent
    e2 += 1.0                   # the same memory as e1
    np.testing.assert_array_equal(e1.numpy(), [2.0, 2.0, 2.0])
    with pytest.raises(RuntimeError, match="modified by an in-place operation.*MulBackward"):
        y.backward()


# ---- a recorded write keeps the array's memory layout, as NumPy's in-place ops do ------------

def _fortran_base_written_then_reshaped(W, a, b):
    v0 = np.tanh(a.T)           # Fortran order (NumPy's ufuncs keep the input's layout)
    v1 = v0[1:]
    v1 += b                     # recorded: v0 gets a new array, in v0's layout
    v2 = v0.reshape(-1)         # a copy, as in NumPy: v0 is not C-contiguous
    v0 += 1.0                   # so v2 does not see this
    w = np.tanh(a.T)
    w *= b                      # (a tensor without views: the same)
    w2 = w.reshape(-1)
    w += 1.0
    return np.sum(np.sin(v2) * T[:1]) + np.sum(np.cos(w2))


def test_a_recorded_write_keeps_the_memory_layout_that_reshape_depends_on():
    _run(_fortran_base_written_then_reshaped, RNG.uniform(-1, 1, (3, 4)), RNG.uniform(-1, 1, 3))


@pytest.mark.parametrize("make_view", [lambda o: o[:], lambda o: o.T, lambda o: o.swapaxes(0, 1)],
                         ids=["slice", "T", "swapaxes"])
def test_a_view_overwritten_after_an_op_saved_it_raises(make_view):
    """y = s*s saved s; writing s afterwards must not silently change y's gradient."""
    x = np.array([[1.5, -2.0, 0.5], [0.3, 0.8, -1.1]])

    def saved_then_zeroed(t):
        o = t * 1.0
        s = make_view(o)
        y = s * s
        s[...] = 0.0
        return y.sum()

    def assigned_from_itself(t):
        o = t * 1.0
        s = make_view(o)
        s[...] = s * s
        return o.sum()

    for f in (saved_then_zeroed, assigned_from_itself):
        with pytest.raises(RuntimeError, match="modified by an in-place operation"):
            wg.grad(f)(x)
