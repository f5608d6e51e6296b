"""Stacking, splitting, append/insert/delete (wengert/ops/assemble.py)."""
import numpy as np
import pytest

import wengert as wg
from tests.helpers import randn
from tests.ops._vocab import check_dispatch, joined, nl, nl_ref
from tests.ops.op_table import Row, generic_tests


def spread(f):
    """f(*arrays) called as f(*tensors) (atleast_*, broadcast_arrays, meshgrid)."""
    return lambda *xs, **kw: f(*xs, **kw)


def ins(f):
    return lambda a, v, **kw: f(a, values=v, **kw)


ROWS = [
    Row(nl(joined(wg.hstack)), nl_ref(joined(np.hstack)), id="hstack", nargs=2,
        shapes=[((2, 3), (2, 1)), ((3,), (2,)), ((), ()), ((2, 1, 2), (2, 3, 2))]),
    Row(nl(joined(wg.vstack)), nl_ref(joined(np.vstack)), id="vstack", nargs=2,
        shapes=[((2, 3), (1, 3)), ((3,), (3,)), ((2, 3), (3,)), ((), ())]),
    Row(nl(joined(wg.row_stack)), nl_ref(joined(np.vstack)), id="row_stack", nargs=2,
        shapes=[((2, 3), (3,))]),
    Row(nl(joined(wg.dstack)), nl_ref(joined(np.dstack)), id="dstack", nargs=2,
        shapes=[((2, 3), (2, 3)), ((3,), (3,)), ((2, 3, 1), (2, 3, 2))]),
    Row(nl(joined(wg.column_stack)), nl_ref(joined(np.column_stack)), id="column_stack",
        nargs=2, shapes=[((3,), (3, 2)), ((3,), (3,)), ((), ())]),
    Row(nl(spread(wg.atleast_1d)), nl_ref(spread(np.atleast_1d)), id="atleast_1d", nargs=2,
        shapes=[((), (3,)), ((2, 3), ())]),
    Row(nl(wg.atleast_1d), nl_ref(np.atleast_1d), id="atleast_1d-one",
        shapes=[((),), ((3,),)]),
    Row(nl(spread(wg.atleast_2d)), nl_ref(spread(np.atleast_2d)), id="atleast_2d", nargs=3,
        shapes=[((), (3,), (2, 3))]),
    Row(nl(spread(wg.atleast_3d)), nl_ref(spread(np.atleast_3d)), id="atleast_3d", nargs=4,
        shapes=[((), (3,), (2, 3), (2, 1, 2))]),
    Row(nl(lambda a, b, c, d: wg.block([[a, b], [c, d]])),
        nl_ref(lambda a, b, c, d: np.block([[a, b], [c, d]])), id="block-2x2", nargs=4,
        shapes=[((2, 2), (2, 1), (1, 2), (1, 1))]),
    Row(nl(lambda a, b, c: wg.block([[a, b], [c]])),
        nl_ref(lambda a, b, c: np.block([[a, b], [c]])), id="block-mixed", nargs=3,
        shapes=[((2,), (), (3,)), ((1, 2), (1, 1), (3,))]),
    Row(nl(lambda a, b: wg.block([a, b])), nl_ref(lambda a, b: np.block([a, b])),
        id="block-flat", nargs=2, shapes=[((2,), ()), ((2, 3), (2, 1))]),
    Row(nl(wg.block), nl_ref(np.block), id="block-single", shapes=[((2, 3),)]),
    Row(nl(spread(wg.broadcast_arrays)), nl_ref(spread(np.broadcast_arrays)),
        id="broadcast_arrays", nargs=3, shapes=[((2, 1), (3,), ()), ((3,), (3,), (3,))]),
    Row(nl(spread(wg.meshgrid)), nl_ref(spread(np.meshgrid)), id="meshgrid", nargs=3,
        shapes=[((2,), (3,), (4,))],
        kwargs=[{}, {"indexing": "ij"}, {"sparse": True}, {"sparse": True, "indexing": "ij"}]),
    Row(nl(spread(wg.meshgrid)), nl_ref(spread(np.meshgrid)), id="meshgrid-2d-input",
        nargs=2, shapes=[((2, 2), (3,)), ((), (2,))]),
    Row(nl(wg.array_split), nl_ref(np.array_split), id="array_split", shapes=[((7, 3),)],
        kwargs=[{"indices_or_sections": 3}, {"indices_or_sections": [2, 5]},
                {"indices_or_sections": [-2, 9]}, {"indices_or_sections": 2, "axis": 1},
                {"indices_or_sections": 8}]),
    Row(nl(wg.hsplit), nl_ref(np.hsplit), id="hsplit", shapes=[((2, 4),), ((4,),)],
        kwargs=[{"indices_or_sections": 2}, {"indices_or_sections": [1]}]),
    Row(nl(wg.vsplit), nl_ref(np.vsplit), id="vsplit", shapes=[((4, 2),)],
        kwargs=[{"indices_or_sections": 2}, {"indices_or_sections": [1, 3]}]),
    Row(nl(wg.dsplit), nl_ref(np.dsplit), id="dsplit", shapes=[((1, 2, 4),)],
        kwargs=[{"indices_or_sections": 2}]),
    Row(nl(wg.unstack), nl_ref(np.unstack), id="unstack", shapes=[((2, 3),)],
        kwargs=[{}, {"axis": 1}, {"axis": -1}]),
    Row(nl(wg.append), nl_ref(np.append), id="append", nargs=2,
        shapes=[((2, 3), (2,)), ((3,), ()), ((2, 3), (4, 1))]),
    Row(nl(wg.append), nl_ref(np.append), id="append-axis", nargs=2,
        shapes=[((2, 3), (2, 2))], kwargs=[{"axis": 1}, {"axis": -1}]),
    Row(nl(ins(wg.insert)), nl_ref(ins(np.insert)), id="insert-flat", nargs=2,
        shapes=[((2, 3), ()), ((2, 3), (2,))],
        kwargs=[{"obj": 1}, {"obj": -1}, {"obj": [0, 6]}, {"obj": slice(1, 3)}]),
    Row(nl(ins(wg.insert)), nl_ref(ins(np.insert)), id="insert-axis", nargs=2,
        shapes=[((2, 3), (2,)), ((2, 3), ()), ((2, 3), (2, 1))],
        kwargs=[{"obj": 1, "axis": 1}, {"obj": [0, 2], "axis": 1}, {"obj": [3], "axis": -1}]),
    Row(nl(ins(wg.insert)), nl_ref(ins(np.insert)), id="insert-row", nargs=2,
        shapes=[((2, 3), (3,)), ((2, 3), (2, 3))], kwargs=[{"obj": 1, "axis": 0}]),
    Row(nl(wg.delete), nl_ref(np.delete), id="delete", shapes=[((3, 4),)],
        kwargs=[{"obj": 1}, {"obj": [0, 5, -1]}, {"obj": slice(None, None, 2), "axis": 1},
                {"obj": [True, False, True], "axis": 0}, {"obj": -1, "axis": -1}]),
]

test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = \
    generic_tests(ROWS)


@pytest.mark.parametrize("name,args,kwargs", [
    ("hstack", [[randn(2), randn(3)]], {}),
    ("vstack", [[randn(3), randn(2, 3)]], {}),
    ("dstack", [[randn(2, 2), randn(2, 2)]], {}),
    ("column_stack", [[randn(3), randn(3)]], {}),
    ("atleast_2d", [randn(3)], {}),
    ("atleast_3d", [randn(3, 2)], {}),
    ("array_split", [randn(5)], {"indices_or_sections": 2}),
    ("hsplit", [randn(2, 4)], {"indices_or_sections": 2}),
    ("vsplit", [randn(4, 2)], {"indices_or_sections": [1]}),
    ("dsplit", [randn(1, 1, 4)], {"indices_or_sections": 2}),
    ("unstack", [randn(2, 3)], {"axis": 1}),
    ("block", [[randn(2, 2), randn(2, 1)]], {}),
    ("broadcast_arrays", [randn(2, 1), randn(3)], {}),
    ("meshgrid", [randn(2), randn(3)], {"indexing": "ij"}),
    ("append", [randn(2, 3), randn(2, 3)], {"axis": 0}),
    ("insert", [randn(2, 3), 1, 5.0], {"axis": 1}),
    ("delete", [randn(4), [1, 2]], {}),
], ids=lambda v: v if isinstance(v, str) else "")
def test_numpy_functions_dispatch_to_wengert(name, args, kwargs):
    if isinstance(args[0], list):          # a sequence argument: its first array needs grad
        seq = [wg.tensor(args[0][0], requires_grad=True)] + args[0][1:]
        got = getattr(np, name)(seq, *args[1:], **kwargs)
        want = getattr(np, name)(args[0], *args[1:], **kwargs)
        assert isinstance(got, wg.Tensor) and got.requires_grad
        np.testing.assert_allclose(got.detach().numpy(), want)
        got.sum().backward()
        assert seq[0].grad is not None
    else:
        check_dispatch(name, args, kwargs)


def test_several_arguments_give_tuples_as_numpy_2():
    a, b = wg.tensor(1.0), wg.tensor([1.0, 2.0])
    assert isinstance(wg.atleast_1d(a, b), tuple)
    assert isinstance(wg.broadcast_arrays(a, b), tuple)
    assert isinstance(wg.meshgrid(b, b), tuple)
    assert isinstance(wg.array_split(b, 2), list)
    assert isinstance(wg.atleast_1d(b), wg.Tensor)


def test_insert_sums_the_gradient_of_a_broadcast_value():
    x = wg.tensor(np.zeros((2, 3)), requires_grad=True)
    v = wg.tensor(2.0, requires_grad=True)
    out = wg.insert(x, [1, 2], v, axis=1)
    assert out.shape == (2, 5)
    out.sum().backward()
    assert v.grad.item() == 4.0
    np.testing.assert_array_equal(x.grad.numpy(), np.ones((2, 3)))


def test_delete_gives_deleted_entries_zero_gradient():
    x = wg.tensor(np.arange(4.0), requires_grad=True)
    wg.delete(x, [1, 2]).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 0.0, 0.0, 1.0])


def test_integer_input_to_insert_and_delete_gives_a_constant():
    out = wg.insert(np.arange(3), 1, 7)
    assert not out.requires_grad and out.tolist() == [0, 7, 1, 2]
    assert wg.delete(np.arange(3), 0).tolist() == [1, 2]


@pytest.mark.parametrize("call,err,match", [
    (lambda: wg.hstack(1.0), TypeError, "sequence of arrays"),
    (lambda: wg.block([]), ValueError, "cannot be empty"),
    (lambda: wg.block([[wg.tensor([1.0])], wg.tensor([1.0])]), ValueError,
     "List depths are mismatched"),
    (lambda: wg.block((wg.tensor([1.0]),)), TypeError, "is a tuple"),
    (lambda: wg.meshgrid(wg.tensor([1.0]), indexing="xx"), ValueError, "'xy' and 'ij'"),
    (lambda: wg.array_split(wg.tensor([1.0, 2.0]), 0), ValueError, "larger than 0"),
    (lambda: wg.hsplit(wg.tensor(1.0), 1), ValueError, "1 or more dimensions"),
    (lambda: wg.vsplit(wg.tensor([1.0, 2.0]), 1), ValueError, "2 or more dimensions"),
    (lambda: wg.dsplit(wg.tensor(np.ones((2, 2))), 1), ValueError, "3 or more dimensions"),
    (lambda: wg.hsplit(wg.tensor(np.ones((2, 3))), 2), ValueError, "equal division"),
    (lambda: wg.unstack(wg.tensor(1.0)), ValueError, "at least 1-d"),
    (lambda: wg.broadcast_arrays(wg.tensor([1.0, 2.0]), np.ones(3)), ValueError, "broadcast"),
    (lambda: wg.insert(wg.tensor([1.0, 2.0]), 5, 1.0), IndexError, "out of bounds"),
    (lambda: wg.delete(wg.tensor([1.0, 2.0]), 5), IndexError, "out of bounds"),
])
def test_errors(call, err, match):
    with pytest.raises(err, match=match):
        call()
