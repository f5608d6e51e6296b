"""Contractions (tensordot, einsum): the op table and einsum's calling forms."""
import numpy as np
import pytest

import wengert as wg
from tests.ops.linalg_cases import einsum_row
from tests.ops.op_table import generic_tests, Row


ROWS = [
    Row(wg.tensordot, np.tensordot, nargs=2, shapes=[((2, 3, 4), (3, 4, 2))], id="tensordot2"),
    Row(wg.tensordot, np.tensordot, nargs=2, shapes=[((2, 3, 4), (4, 3, 5))],
        kwargs=[{"axes": ([1, 2], [1, 0])}, {"axes": ([-1], [0])}, {"axes": 0},
                {"axes": ((), ())}], id="tensordot"),
    Row(wg.tensordot, np.tensordot, nargs=2, shapes=[((3,), (3,)), ((2, 3), (3, 2))],
        kwargs=[{"axes": 1}], id="tensordot1"),
    einsum_row("ij,jk->ik", [((2, 3), (3, 4))]),
    einsum_row("ij,jk", [((2, 3), (3, 4))]),
    einsum_row("ba,ac", [((2, 3), (3, 4))]),
    einsum_row("...ij,...jk->...ik", [((2, 1, 3, 4), (5, 4, 2)), ((3, 4), (4, 2))]),
    einsum_row("ij,ij->ij", [((1, 3), (2, 3)), ((2, 3), (2, 1))]),
    einsum_row("ij,ij->j", [((1, 3), (2, 3)), ((2, 3), (2, 1))]),
    einsum_row("ij,jk->k", [((1, 3), (3, 2)), ((2, 1), (3, 2))]),
    einsum_row("ii->i", [((3, 3),)]),
    einsum_row("ii", [((3, 3),)]),
    einsum_row("iij->ji", [((3, 3, 2),)]),
    einsum_row("iji->j", [((2, 3, 2),)]),
    einsum_row("ij->", [((2, 3),)]),
    einsum_row("ij->j", [((2, 3),)]),
    einsum_row("ij->ji", [((2, 3),)]),
    einsum_row("i,j->ij", [((2,), (3,))]),
    einsum_row("i,i,i->", [((3,), (3,), (3,))]),
    einsum_row("bij,bjk,bkl->bil", [((2, 2, 3), (2, 3, 2), (2, 2, 2))],
               kwargs=[{}]),
    einsum_row("i...,i->...", [((3, 2, 2), (3,))]),
    einsum_row("ii,i->i", [((3, 3), (3,))]),
    Row(lambda a, b: wg.einsum(a, [0, 1], b, [1, 2], [0, 2]),
        lambda a, b: np.einsum(a, [0, 1], b, [1, 2], [0, 2]), ops=("einsum",), nargs=2,
        shapes=[((2, 3), (3, 4))], id="einsum[sublists]"),
    einsum_row(",i->i", [((), (3,))]),
    einsum_row("i,i", [((3,), (3,))]),
    Row(lambda a: wg.einsum(a, [Ellipsis, 0, 0], [0, Ellipsis]),
        lambda a: np.einsum(a, [Ellipsis, 0, 0], [0, Ellipsis]), ops=("einsum",),
        shapes=[((2, 3, 3),)], id="einsum[sublist...]"),
    Row(lambda a, b: wg.einsum("ij,jk->ik", a, b, optimize=True),
        lambda a, b: np.einsum("ij,jk->ik", a, b, optimize=True), ops=("einsum",), nargs=2,
        shapes=[((2, 3), (3, 4))], id="einsum[optimize]"),
    Row(wg.linalg.tensordot, np.linalg.tensordot, nargs=2, shapes=[((2, 3), (3, 4))],
        kwargs=[{"axes": 1}], id="linalg.tensordot"),
]


test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = \
    generic_tests(ROWS)


def test_einsum_implicit_output_order_and_spaces():
    a, b = np.ones((2, 3)), np.arange(6.0).reshape(3, 2)
    for subs in ("bA,Ab", "Ba", "a b , b c", "...a,ab"):
        ops = (a, b) if "," in subs else (a,)
        np.testing.assert_allclose(wg.einsum(subs, *ops).numpy(), np.einsum(subs, *ops))


def test_einsum_dtype_and_int_operands():
    a = np.arange(6).reshape(2, 3)
    assert wg.einsum("ij->j", a).dtype == np.int64
    r = wg.einsum("ij->j", a, dtype=np.float32, casting="same_kind")
    assert r.dtype == np.float32
    with pytest.raises(TypeError, match="cast"):
        wg.einsum("ij->j", np.ones(3, dtype=np.float64)[None], dtype=np.int64)
