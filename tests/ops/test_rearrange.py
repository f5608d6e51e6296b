"""roll rollaxis rot90 flips resize trim_zeros select choose compress extract partition
(wengert/ops/rearrange.py)."""
import numpy as np
import pytest

import wengert as wg
from tests.helpers import randn
from tests.ops._vocab import check_dispatch, nl, nl_ref
from tests.ops.op_table import Row, generic_tests


def bordered(f):
    """f of a with its border zeroed by a constant mask (so a finite step keeps it zero and
    the trimmed shape fixed)."""
    def g(a, **kw):
        mask = np.zeros(np.shape(a), dtype=a.dtype)
        mask[tuple(slice(1, max(2, s - 1)) for s in np.shape(a))] = 1.0
        return f(a * mask, **kw)
    return g


def distinct(rng, shape, i):
    """Well-separated values (for partition: no near-ties that a finite step could swap)."""
    n = int(np.prod(shape))
    return (rng.permutation(n) + rng.uniform(0.2, 0.8, size=n)).reshape(shape)


def choices_of(f):
    def g(c0, c1, c2, **kw):
        idx = np.array([[0, 2, 1], [1, 0, 2]])
        return f(idx, [c0, c1, c2], **kw)
    return g


def select_of(f):
    def g(a, b, d):
        x = np.linspace(-1.0, 1.0, 6).reshape(2, 3)
        return f([x < -0.3, x > 0.3], [a, b], d)
    return g


S234 = [((2, 3, 4),)]

ROWS = [
    Row(nl(wg.roll), nl_ref(np.roll), id="roll", shapes=S234,
        kwargs=[{"shift": 2}, {"shift": -1, "axis": 1}, {"shift": (1, -7), "axis": (0, 2)},
                {"shift": 2, "axis": (1, 1)}, {"shift": 0}]),
    Row(nl(wg.roll), nl_ref(np.roll), id="roll-small", shapes=[((),), ((3,),)],
        kwargs=[{"shift": 1}]),
    Row(nl(wg.rollaxis), nl_ref(np.rollaxis), id="rollaxis", shapes=S234,
        kwargs=[{"axis": 2}, {"axis": 0, "start": 3}, {"axis": -1, "start": 1},
                {"axis": 1, "start": 1}]),
    Row(nl(wg.rot90), nl_ref(np.rot90), id="rot90", shapes=S234 + [((2, 3),)],
        kwargs=[{}, {"k": 2}, {"k": -1}, {"k": 3, "axes": (1, 0)}, {"k": 4}]),
    Row(nl(wg.rot90), nl_ref(np.rot90), id="rot90-axes", shapes=S234,
        kwargs=[{"axes": (2, 0)}, {"k": 3, "axes": (-1, 1)}]),
    Row(nl(wg.flipud), nl_ref(np.flipud), id="flipud", shapes=[((3,),), ((2, 3),)]),
    Row(nl(wg.fliplr), nl_ref(np.fliplr), id="fliplr", shapes=[((2, 3),), ((2, 3, 4),)]),
    Row(nl(wg.matrix_transpose), nl_ref(np.matrix_transpose), id="matrix_transpose",
        shapes=[((2, 3),), ((2, 3, 4),)]),
    Row(nl(wg.resize), nl_ref(np.resize), id="resize", shapes=[((2, 3),), ((),)],
        kwargs=[{"new_shape": (3, 5)}, {"new_shape": 4}, {"new_shape": (2, 3)},
                {"new_shape": (0, 2)}]),
    Row(nl(bordered(wg.trim_zeros)), nl_ref(bordered(np.trim_zeros)), id="trim_zeros",
        domain=(0.5, 2.0),
        shapes=[((6,),), ((4, 5),)],
        kwargs=[{}, {"trim": "f"}, {"trim": "b"}, {"axis": -1}, {"axis": 0, "trim": "f"}]),
    Row(nl(select_of(wg.select)), nl_ref(select_of(np.select)), id="select", nargs=3,
        shapes=[((2, 3), (3,), ()), ((2, 3), (), (2, 1))]),
    Row(nl(lambda a: wg.select([np.array([True, False, True])], [a])),
        nl_ref(lambda a: np.select([np.array([True, False, True])], [a])), id="select-default",
        shapes=[((3,),), ((2, 3),)]),
    Row(nl(choices_of(wg.choose)), nl_ref(choices_of(np.choose)), id="choose", nargs=3,
        shapes=[((2, 3), (3,), ()), ((2, 3), (2, 3), (2, 1))]),
    Row(nl(lambda a, **kw: wg.compress([True, False, True], a, **kw)),
        nl_ref(lambda a, **kw: np.compress([True, False, True], a, **kw)), id="compress",
        shapes=[((3, 4),)], kwargs=[{"axis": 0}, {}, {"axis": -1}]),
    Row(nl(lambda a: wg.extract(np.arange(12).reshape(3, 4) % 3 == 0, a)),
        nl_ref(lambda a: np.extract(np.arange(12).reshape(3, 4) % 3 == 0, a)), id="extract",
        shapes=[((3, 4),)]),
    Row(nl(wg.partition), nl_ref(np.partition), id="partition", sample=distinct,
        shapes=[((7,),), ((3, 5),)],
        kwargs=[{"kth": 2}, {"kth": [0, 2]}, {"kth": -1, "axis": 0}, {"kth": 3, "axis": None}]),
]

test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = \
    generic_tests(ROWS)


@pytest.mark.parametrize("name,args,kwargs", [
    ("roll", [randn(2, 3)], {"shift": 1, "axis": 1}),
    ("rollaxis", [randn(2, 3, 4)], {"axis": 2}),
    ("rot90", [randn(2, 3)], {}),
    ("flipud", [randn(3)], {}),
    ("fliplr", [randn(2, 3)], {}),
    ("matrix_transpose", [randn(2, 3)], {}),
    ("resize", [randn(3)], {"new_shape": (2, 4)}),
    ("trim_zeros", [np.array([0.0, 1.5, 0.0, 2.0, 0.0])], {}),
    ("partition", [np.array([3.0, 1.0, 2.0, 5.0])], {"kth": 1}),
], ids=lambda v: v if isinstance(v, str) else "")
def test_numpy_functions_dispatch_to_wengert(name, args, kwargs):
    check_dispatch(name, args, kwargs)


def test_select_choose_compress_extract_dispatch():
    a = wg.tensor(randn(3), requires_grad=True)
    c = np.array([True, False, True])
    assert np.select([c], [a]).requires_grad
    assert np.choose(np.array([0, 1, 0]), [a, np.zeros(3)]).requires_grad
    assert np.compress(c, a).requires_grad
    assert np.extract(c, a).requires_grad


def test_argpartition_is_a_constant_query():
    x = wg.tensor([3.0, 1.0, 2.0], requires_grad=True)
    idx = np.argpartition(x, 1)
    assert isinstance(idx, wg.Tensor) and not idx.requires_grad
    np.testing.assert_array_equal(idx.numpy(), np.argpartition([3.0, 1.0, 2.0], 1))


def test_roll_gradient_is_the_opposite_roll():
    x = wg.tensor(np.zeros(5), requires_grad=True)
    g = np.arange(5.0)
    wg.roll(x, 2).backward(g)
    np.testing.assert_array_equal(x.grad.numpy(), np.roll(g, -2))


def test_select_gradient_goes_to_the_first_true_choice_only():
    a = wg.tensor([1.0, 2.0], requires_grad=True)
    b = wg.tensor([3.0, 4.0], requires_grad=True)
    d = wg.tensor(9.0, requires_grad=True)
    wg.select([np.array([True, False]), np.array([True, True])], [a, b], d).sum().backward()
    assert a.grad.tolist() == [1.0, 0.0] and b.grad.tolist() == [0.0, 1.0]
    assert d.grad.item() == 0.0


def test_resize_sums_the_gradient_over_copies():
    x = wg.tensor([1.0, 2.0], requires_grad=True)
    wg.resize(x, 5).sum().backward()
    assert x.grad.tolist() == [3.0, 2.0]


@pytest.mark.parametrize("call,err,match", [
    (lambda: wg.roll(wg.tensor(np.ones((2, 2))), [[1]], [[0]]), ValueError, "1D sequences"),
    (lambda: wg.rollaxis(wg.tensor(np.ones((2, 2))), 0, 5), np.exceptions.AxisError,
     "'start' arg requires"),
    (lambda: wg.rot90(wg.tensor(np.ones((2, 2))), axes=(0,)), ValueError, "len\\(axes\\)"),
    (lambda: wg.rot90(wg.tensor(np.ones((2, 2))), axes=(1, 1)), ValueError, "different"),
    (lambda: wg.rot90(wg.tensor(np.ones((2, 2))), axes=(0, 3)), ValueError, "out of range"),
    (lambda: wg.flipud(wg.tensor(1.0)), ValueError, ">= 1-d"),
    (lambda: wg.fliplr(wg.tensor([1.0])), ValueError, ">= 2-d"),
    (lambda: wg.matrix_transpose(wg.tensor([1.0])), ValueError, "at least 2-dimensional"),
    (lambda: wg.resize(wg.tensor([1.0]), (-1, 2)), ValueError, "non-negative"),
    (lambda: wg.trim_zeros(wg.tensor([0.0, 1.0]), trim="x"), ValueError, "unexpected"),
    (lambda: wg.select([np.ones(2, bool)], []), ValueError, "same length"),
    (lambda: wg.select([], []), ValueError, "empty condition list"),
    (lambda: wg.select([np.ones(2)], [wg.tensor([1.0, 2.0])]), TypeError,
     "should be boolean"),
    (lambda: wg.select([np.ones(2, bool)], [wg.tensor([1.0, 2.0])], np.datetime64(1, "s")),
     TypeError, "common dtype"),
    (lambda: wg.choose(np.array([0, 2]), [wg.tensor([1.0, 2.0])]), ValueError,
     "invalid entry"),
    (lambda: wg.choose(np.array([0.5]), [wg.tensor([1.0])]), TypeError, "integer type"),
    (lambda: wg.choose(np.array([0]), [wg.tensor([1.0])], mode="bad"), ValueError,
     "clipmode"),
    (lambda: wg.choose(np.array([0]), [wg.tensor([1.0])], out=np.zeros(1)), TypeError,
     "out="),
    (lambda: wg.compress(np.ones((2, 2), bool), wg.tensor([1.0])), ValueError, "1-d"),
    (lambda: wg.compress([True], wg.tensor([1.0]), out=np.zeros(1)), TypeError, "out="),
])
def test_errors(call, err, match):
    with pytest.raises(err, match=match):
        call()


def test_choose_modes_wrap_and_clip():
    c = [wg.tensor([1.0, 2.0]), wg.tensor([3.0, 4.0])]
    for mode in ("wrap", "clip"):
        np.testing.assert_array_equal(
            wg.choose(np.array([3, -1]), c, mode=mode).numpy(),
            np.choose(np.array([3, -1]), [[1.0, 2.0], [3.0, 4.0]], mode=mode))
