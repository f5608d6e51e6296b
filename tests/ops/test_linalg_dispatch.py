"""np.* and np.linalg.* called on Tensors reach wengert's linear algebra and stay
differentiable."""
import numpy as np
import pytest

import wengert as wg
from tests.ops.linalg_cases import _leaf, nonsymmetric, real_spectrum, spd, well_conditioned
from wengert.tensor import Tensor


def test_numpy_functions_on_tensors_stay_differentiable():
    rng = np.random.default_rng(0)
    a = well_conditioned(rng, (3, 3), 0)
    b = rng.standard_normal((3, 2))
    x = _leaf(a)
    y = (np.linalg.inv(x) @ b).sum() + np.trace(x) + np.einsum("ij,jk->", x, b) \
        + np.linalg.norm(x) + np.linalg.slogdet(x)[1] + np.tensordot(x, b, 1).sum() \
        + (b.T @ x).sum() + np.dot(x, b).sum() + x.diagonal().sum() + x.trace() + x.dot(b).sum()
    assert isinstance(y, Tensor)
    y.backward()
    ones = np.ones((3, 2))
    want = (-np.linalg.inv(a).T @ ones @ b.T @ np.linalg.inv(a).T + np.eye(3)
            + np.ones((3, 1)) * b.sum(1)[None, :]
            + a / np.linalg.norm(a) + np.linalg.inv(a).T + ones @ b.T
            + b @ ones.T + ones @ b.T + np.eye(3) + np.eye(3) + ones @ b.T)
    np.testing.assert_allclose(x.grad.numpy(), want, rtol=1e-10)


@pytest.mark.parametrize("name", ["inv", "det", "slogdet", "cholesky", "eigh", "eigvalsh",
                                  "qr", "svd", "svdvals", "norm", "vector_norm", "matrix_norm",
                                  "matrix_transpose", "trace", "diagonal", "matmul",
                                  "matrix_power", "multi_dot", "solve", "outer", "vecdot",
                                  "tensordot"])
def test_np_linalg_names_dispatch_to_wengert(name):
    a = spd(np.random.default_rng(0), (3, 3), 0)
    x = _leaf(a)
    args = {"matrix_power": (x, 2), "multi_dot": ([x, x, x],), "solve": (x, a[0]),
            "outer": (x[0], x[1]), "vecdot": (x, x), "tensordot": (x, x), "matmul": (x, x)}
    r = getattr(np.linalg, name)(*args.get(name, (x,)))
    outs = tuple(r) if isinstance(r, tuple) else (r,)
    assert all(isinstance(o, Tensor) for o in outs)
    assert any(o.grad_fn is not None for o in outs)


def test_numpy_linalg_names_dispatch():
    rng = np.random.default_rng(2)
    a = rng.uniform(-1, 1, (4, 3))
    b = rng.uniform(-1, 1, (4,))
    m = real_spectrum(rng, (3, 3), 0)
    t = wg.tensor(a, requires_grad=True)
    p = np.linalg.pinv(t)
    assert isinstance(p, wg.Tensor) and p.requires_grad
    np.testing.assert_allclose(p.numpy(force=True), np.linalg.pinv(a), rtol=1e-12)
    x, res, rank, s = np.linalg.lstsq(t, b)
    want = np.linalg.lstsq(a, b)
    np.testing.assert_allclose(x.numpy(force=True), want[0], rtol=1e-10)
    np.testing.assert_allclose(res.numpy(force=True), want[1], rtol=1e-10)
    assert rank == want[2] and res.shape == (1,)
    np.testing.assert_allclose(s.numpy(force=True), want[3])
    assert not s.requires_grad and x.requires_grad
    w, v = np.linalg.eig(wg.tensor(m, requires_grad=True))
    np.testing.assert_allclose(w.numpy(force=True), np.linalg.eig(m)[0], rtol=1e-12)
    assert np.linalg.eigvals(wg.tensor(m)).shape == (3,)
    assert np.linalg.cond(wg.tensor(m)).item() == pytest.approx(np.linalg.cond(m))
    assert np.linalg.matrix_rank(wg.tensor(a)).item() == 3
    c = np.linalg.cross(wg.tensor([1.0, 0, 0], requires_grad=True), np.array([0.0, 1, 0]))
    np.testing.assert_array_equal(c.numpy(force=True), [0, 0, 1])


def test_np_linalg_names_on_tensors_use_the_same_rules():
    rng = np.random.default_rng(8)
    a = nonsymmetric(rng, (3, 3), 0)
    w = rng.standard_normal((3, 3))
    f = lambda x: (np.linalg.cholesky(x) * w).sum() + np.linalg.svd(x, hermitian=True,
                                                                   compute_uv=False).sum()
    np.testing.assert_allclose(wg.grad(f)(a), wg.numerical_grad(f, a), rtol=1e-6, atol=1e-8)
