"""Ops printed as the NumPy their forward runs (compile/spelled.py): the program reads as
NumPy and gives the uncompiled values, in 2-D and with leading batch axes."""
import numpy as np
import pytest

import wengert as wg

RNG = np.random.default_rng(3)


def _check(fn, *args, tol=1e-12):
    c = wg.compile(fn)
    got, want = c(*args), fn(*args)
    for g, w in zip(wg.tree.tree_leaves(got), wg.tree.tree_leaves(want)):
        np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=tol, atol=tol)
        assert np.asarray(g).dtype == np.asarray(w).dtype
        assert np.shape(g) == np.shape(w)
    src = c.source(*args)
    ns = {}
    exec(src, ns)
    again = ns["compiled"](*args)
    for g, w in zip(again, wg.tree.tree_leaves(got)):
        np.testing.assert_array_equal(np.asarray(g), np.asarray(w))
    return src


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_linear_layer_reads_as_numpy(dtype):
    W, b, x = (RNG.standard_normal(s).astype(dtype) for s in ((5, 4), (5,), (3, 4)))
    loss = lambda W, b, x: wg.sum(wg.tanh(x @ W.T + b) ** 2)      # noqa: E731
    src = _check(wg.value_and_grad(loss, argnums=(0, 1)), W, b, x,
                 tol=1e-5 if dtype == np.float32 else 1e-12)
    body = src.split("\ndef ", 1)[1]
    assert ".T" in body and " @ " in body and "np.add.reduce(" in body
    assert "f_matmul" not in src and "f_permute_dims" not in src and "f_sum" not in src


def test_batch_axes_transposes_reshapes_and_sums():
    a, bm = RNG.standard_normal((2, 3, 4)), RNG.standard_normal((2, 4, 5))

    def f(a, bm):
        c = wg.matmul(a, bm)                                  # (2, 3, 5)
        d = wg.swapaxes(c, 0, 2)                              # (5, 3, 2)
        e = wg.permute_dims(d, (2, 0, 1)).reshape(2, 15)
        return wg.sum(e * e, axis=1), wg.sum(wg.matrix_transpose(c), axis=(0, 2), keepdims=True)
    _check(f, a, bm)
    _check(wg.grad(lambda a, bm: wg.sum(f(a, bm)[0]) + wg.sum(f(a, bm)[1]), argnums=(0, 1)),
           a, bm)


def test_a_vector_matmul_and_a_scalar_stay_right():
    v, M = RNG.standard_normal(4), RNG.standard_normal((4, 4))
    _check(wg.grad(lambda v, M: wg.sum(v @ M @ v) * 2.0, argnums=(0, 1)), v, M)
    _check(wg.grad(lambda v: wg.sum(wg.reshape(v, (2, 2)).T * 3.0)), v)
