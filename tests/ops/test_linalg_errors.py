"""Linear algebra's errors across the families: shapes, non-square inputs, gradients that
do not exist, singular matrices, bad arguments."""
import numpy as np
import pytest

import wengert as wg
from tests.ops.linalg_cases import distinct_sv, L, _leaf


@pytest.mark.parametrize("f,shapes", [
    (wg.matmul, ((2, 3), (4, 5))),
    (wg.matmul, ((2, 2, 3), (3, 3, 4))),
    (wg.matmul, ((), (3,))),
    (wg.dot, ((2, 3), (4, 5))),
    (wg.inner, ((2, 3), (4,))),
    (wg.vdot, ((2, 3), (5,))),
    (wg.tensordot, ((2, 3), (4, 5))),
    (lambda a, b: wg.tensordot(a, b, axes=([0], [1])), ((2, 3), (4, 5))),
    (wg.linalg.solve, ((3, 3), (4,))),
    (wg.linalg.solve, ((3, 3), (4, 2))),
    (wg.linalg.solve, ((2, 3, 3), (4, 3, 1))),
    (lambda a, b: wg.einsum("ij,jk->ik", a, b), ((2, 3), (4, 5))),
    (lambda a, b: wg.einsum("...i,...i", a, b), ((2, 3), (4, 3))),
    (wg.linalg.vecdot, ((2, 3), (2, 4))),
    (wg.linalg.outer, ((2, 3), (4,))),
])
def test_shape_mismatch_names_both_shapes(f, shapes):
    args = [np.ones(s) for s in shapes]
    with pytest.raises(ValueError) as info:
        f(*args)
    msg = str(info.value)
    for s in shapes:
        assert str(s) in msg, msg


@pytest.mark.parametrize("f,shape", [
    (wg.linalg.inv, (2, 3)), (wg.linalg.det, (3,)), (wg.linalg.slogdet, (2, 3)),
    (wg.linalg.cholesky, (3, 2)), (wg.linalg.eigh, (2, 3)), (wg.linalg.svd, (3,)),
    (wg.linalg.qr, (3,)), (lambda a: wg.linalg.matrix_power(a, 2), (2, 3)),
])
def test_non_square_or_non_matrix_is_a_linalg_error(f, shape):
    with pytest.raises(np.linalg.LinAlgError, match=str(shape).replace("(", r"\(")
                       .replace(")", r"\)")):
        f(np.ones(shape))


def test_svd_full_matrices_gradient_error():
    x = _leaf(distinct_sv(np.random.default_rng(0), (4, 3), 0))
    u, s, vh = wg.linalg.svd(x)                 # forward is fine
    assert u.shape == (4, 4)
    with pytest.raises(ValueError, match="full_matrices=False"):
        (s.sum() + u[:, :3].sum()).backward()


def test_qr_complete_gradient_error_and_raw_mode():
    x = _leaf(distinct_sv(np.random.default_rng(0), (4, 3), 0))
    q, r = wg.linalg.qr(x, mode="complete")
    with pytest.raises(ValueError, match="mode='reduced'"):
        r.sum().backward()
    with pytest.raises(ValueError, match="not differentiable"):
        wg.linalg.qr(x, mode="raw")
    with pytest.raises(ValueError, match="mode"):
        wg.linalg.qr(x, mode="full")


def test_singular_matrix_raises():
    with pytest.raises(np.linalg.LinAlgError):
        wg.linalg.inv(np.zeros((2, 2)))


@pytest.mark.parametrize("call,exc,match", [
    (lambda: wg.einsum("ij,jk->ik", np.ones((2, 3))), ValueError, "2 subscript terms"),
    (lambda: wg.einsum("ij->iij", np.ones((2, 3))), ValueError, "repeat"),
    (lambda: wg.einsum("ij->k", np.ones((2, 3))), ValueError, "'k'"),
    (lambda: wg.einsum("i1", np.ones((2, 3))), ValueError, "invalid subscript"),
    (lambda: wg.einsum("ijk", np.ones((2, 3))), ValueError, r"\(2, 3\)"),
    (lambda: wg.einsum("...i->i", np.ones((2, 3))), ValueError, "'...'"),
    (lambda: wg.einsum("i->i->i", np.ones(3)), ValueError, "'->'"),
    (lambda: wg.einsum(np.ones(3), [52]), ValueError, "sublist"),
    (lambda: wg.einsum("i", np.ones(3), out=np.ones(3)), TypeError, "out="),
    (lambda: wg.dot(np.ones(2), np.ones(2), out=np.ones(())), TypeError, "out="),
    (lambda: wg.diagonal(np.ones(3)), ValueError, "two dimensions"),
    (lambda: wg.diagonal(np.ones((2, 2)), 0, 1, -1), ValueError, "same"),
    (lambda: wg.trace(np.ones((2, 2)), axis1=0, axis2=2), ValueError, "out of bounds"),
    (lambda: wg.tensordot(np.ones(2), np.ones(2), axes=3), ValueError, "axes=3"),
    (lambda: wg.tensordot(np.ones(2), np.ones(2), axes=([0], [0, 0])), ValueError, "paired"),
    (lambda: wg.tensordot(np.ones(2), np.ones(2), axes=None), TypeError, "axes"),
    (lambda: wg.linalg.vector_norm(np.ones(3), ord="fro"), ValueError, "invalid norm order"),
    (lambda: wg.linalg.norm(np.ones(3), ord="fro", axis=0), ValueError, "invalid norm order"),
    (lambda: wg.linalg.norm(np.ones((2, 2)), ord=3), ValueError, "for matrices"),
    (lambda: wg.linalg.norm(np.ones((2, 2, 2)), ord=1), ValueError, "dimensions"),
    (lambda: wg.linalg.norm(np.ones((2, 2)), axis=(0, 0)), ValueError, "duplicate"),
    (lambda: wg.linalg.norm(np.ones((2, 2, 2)), axis=(0, 1, 2)), ValueError, "axes"),
    (lambda: wg.linalg.matrix_norm(np.ones(3)), ValueError, "two dimensions"),
    (lambda: wg.linalg.matrix_transpose(np.ones(3)), ValueError, "two dimensions"),
    (lambda: wg.linalg.eigh(np.eye(2), UPLO="X"), ValueError, "UPLO"),
    (lambda: wg.linalg.matrix_power(np.eye(2), 1.5), TypeError, "integer"),
    (lambda: wg.linalg.multi_dot([np.ones(2)]), ValueError, "two arrays"),
    (lambda: wg.linalg.multi_dot([np.ones((2, 3)), np.ones((4, 2))]), ValueError, r"\(4, 2\)"),
    (lambda: wg.linalg.multi_dot([np.ones((2, 3)), np.ones((3, 2, 1))]), ValueError, "2-D"),
])
def test_argument_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_errors():
    with pytest.raises(ValueError, match="`rtol` and `rcond` can't be both set"):
        L.pinv(np.eye(2), rcond=1e-3, rtol=1e-3)
    with pytest.raises(L.LinAlgError, match="pinv: expected a matrix"):
        L.pinv(np.ones(3))
    with pytest.raises(L.LinAlgError, match="a must be 2-D"):
        L.lstsq(np.ones(3), np.ones(3))
    with pytest.raises(L.LinAlgError, match="incompatible dimensions"):
        L.lstsq(np.ones((3, 2)), np.ones(4))
    with pytest.raises(L.LinAlgError, match="square"):
        L.eig(np.ones((2, 3)))
    with pytest.raises(L.LinAlgError, match="empty"):
        L.cond(np.ones((0, 0)))
    with pytest.raises(ValueError, match="3 elements along axis"):
        L.cross(np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match="ind argument"):
        L.tensorinv(np.eye(4).reshape(4, 2, 2), ind=0)
    with pytest.raises(L.LinAlgError, match="prod"):
        L.tensorsolve(np.ones((2, 3, 4)), np.ones((2, 3)))
