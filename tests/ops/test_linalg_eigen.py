"""Eigen-decompositions (eigh eigvalsh eig eigvals): the op table (eigh on non-symmetric
inputs: the triangle it reads), ties, the triangle of eigh's gradient, eig's complex cases."""
import numpy as np
import pytest

import wengert as wg
from tests.ops.linalg_cases import (distinct_sym, eig_sign_free, _grad_of, L, n_eigh, n_eigh_ns,
    _named, nonsymmetric, np_eig_sign_free, nsym, real_spectrum, SQUARE, SQUARE_FROM_1, w_eigh,
    w_eigh_ns, wsym)
from tests.ops.op_table import generic_tests, Row


ROWS = [
    Row(w_eigh, n_eigh, ops=("eigh",), shapes=SQUARE, sample=distinct_sym,
        kwargs=[{}, {"UPLO": "U"}], id="eigh"),
    Row(lambda a: wg.linalg.eigvalsh(wsym(a)), lambda a: np.linalg.eigvalsh(nsym(a)),
        ops=("eigh",), shapes=SQUARE, sample=distinct_sym, id="eigvalsh"),
    Row(w_eigh_ns, n_eigh_ns, ops=("eigh",), shapes=SQUARE_FROM_1[1:], sample=nonsymmetric,
        kwargs=[{}, {"UPLO": "L"}, {"UPLO": "U"}], id="eigh[nonsymmetric]"),
    Row(lambda a, **kw: wg.linalg.eigvalsh(a, **kw), lambda a, **kw: np.linalg.eigvalsh(a, **kw),
        ops=("eigh",), shapes=[((3, 3),)], sample=nonsymmetric,
        kwargs=[{"UPLO": "L"}, {"UPLO": "U"}], id="eigvalsh[nonsymmetric]"),
    Row(_named(eig_sign_free, "eig"), np_eig_sign_free, id="eig",
        shapes=[((3, 3),), ((2, 2, 2),), ((1, 1),)], sample=real_spectrum),
    Row(L.eigvals, np.linalg.eigvals, id="eigvals", shapes=[((3, 3),), ((2, 4, 4),)],
        sample=real_spectrum),
]


test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = \
    generic_tests(ROWS)


def test_eigh_degenerate_eigenvalues_give_finite_correct_gradient():
    # λ(I) = (1, 1, 1): Σλ = trace, whose gradient is I; v vᵀ summed is I (basis-free)
    a = np.eye(3)
    np.testing.assert_allclose(_grad_of(lambda x: wg.linalg.eigh(x)[0].sum(), a), np.eye(3))
    g = _grad_of(lambda x: (wg.linalg.eigh(x)[1] ** 2).sum(), a)
    assert np.isfinite(g).all()


@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh_gradient_lives_on_the_triangle_it_reads(uplo):
    rng = np.random.default_rng(1)
    a = nonsymmetric(rng, (4, 4), 0)
    c = rng.standard_normal(4)
    cv = rng.standard_normal((4, 4))

    def f(x):
        w, v = wg.linalg.eigh(x, UPLO=uplo)
        return (w * c).sum() + (v * v * cv).sum()
    g = wg.grad(f)(a)
    np.testing.assert_allclose(g, wg.numerical_grad(f, a), rtol=1e-6, atol=1e-8)
    unused = np.triu(np.ones((4, 4)), 1) if uplo == "L" else np.tril(np.ones((4, 4)), -1)
    np.testing.assert_array_equal(g[unused == 1], 0.0)
    t = rng.standard_normal((4, 4))
    _, jt = wg.jvp(f, (a,), (t,))
    np.testing.assert_allclose(jt, (g * t).sum(), rtol=1e-8)


def test_eig_without_gradient_returns_numpys_complex_result():
    rot = np.array([[0.0, -1.0], [1.0, 0.0]])
    w, v = L.eig(wg.tensor(rot))
    np.testing.assert_allclose(w.numpy(force=True), np.linalg.eig(rot)[0])
    assert w.dtype.kind == "c" and not w.requires_grad
    assert L.eigvals(rot).dtype.kind == "c"


def test_eig_with_complex_eigenvalues_and_a_gradient_is_a_type_error():
    rot = wg.tensor([[0.0, -1.0], [1.0, 0.0]], requires_grad=True)
    with pytest.raises(TypeError, match="complex numbers"):
        L.eig(rot)
    with pytest.raises(TypeError, match="complex numbers"):
        L.eigvals(rot)
    with pytest.raises(TypeError, match="complex numbers"):
        wg.jvp(lambda a: L.eigvals(a), (rot.detach(),), (np.eye(2),))
