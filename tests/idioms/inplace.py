"""In-place code: augmented assignment, writes through views, buffers, ufunc out=, add.at."""
import numpy as np

import wengert as wg

from ._core import VALUE_EXIT, Either, N, POS, Raises, U, idiom


@idiom(N(5), order2=True)
def slice_augmented_assignment(x):
    y = x * 2
    y[0:2] += 1
    return np.sum(y ** 2)


@idiom(N(6), fwd=True, needs="views write through")
def view_iadd_writes_through(x):
    y = x * 2
    v = y[1:4]
    v *= 3
    return y


@idiom(N(6), needs="views write through")
def view_of_view_writes_through(x):
    y = x + 0.0
    v = y[1:]
    w = v[::2]
    w += 10 * x[:3]
    return y * x


@idiom(N(3, 4), needs="views write through (.T)")
def transpose_view_row_write(x):
    B = x * 1.0
    B.T[0] += 1.5 * x[:, 1]
    return B


@idiom(N(2, 3), needs="views write through (reshape)")
def reshape_view_write(x):
    y = x * 1.0
    y.reshape(3, 2)[0] += 5 * x[1, :2]
    return y ** 2


@idiom(N(6), needs="views write through (ravel)")
def ravel_view_setitem(x):
    y = np.exp(x) + 0.0
    y.ravel()[::2] = 0.0
    return y


@idiom(U(-1, 1, 6))
def masked_assignment_copy(x):
    y = x.copy()
    y[y > 0] = 0.0
    return y * x


@idiom(N(6))
def negate_every_other(x):
    y = x.copy()
    y[::2] *= -1
    return y ** 3


@idiom(N(5, 3))
def center_in_place_on_copy(X):
    A = X.copy()
    A -= A.mean(axis=0)
    return A ** 2


@idiom(N(4), expect=Raises(TypeError, VALUE_EXIT), needs="value exits (§9)")
def buffer_np_zeros_filled(x):
    """A tensor written into np.zeros: the ndarray cannot hold its gradient (§9 TypeError)."""
    out = np.zeros(4)
    for i in range(4):
        out[i] = x[i] ** 2
    return np.sum(out)


@idiom(N(3, 2), expect=Raises(TypeError, VALUE_EXIT), needs="value exits (§9)")
def buffer_np_zeros_column(x):
    out = np.zeros((3, 2))
    out[:, 0] = np.sin(x[:, 0])
    out[:, 1] = x[:, 1]
    return out


@idiom(N(4))
def buffer_wg_zeros_filled(x):
    out = wg.zeros(4)
    for i in range(4):
        out[i] = x[i] ** 2
    return np.sum(out)


@idiom(N(4), order2=True)
def buffer_zeros_like_filled(x):
    out = np.zeros_like(x)
    for i in range(len(x)):
        out[i] = np.sin(x[i]) * x[i - 1]
    return out


@idiom(N(3, 2))
def buffer_empty_like_rows(x):
    out = np.empty_like(x)
    for i, row in enumerate(x):
        out[i] = row / np.sum(row ** 2)
    return out


@idiom(N(5))
def accumulate_python_loop(x):
    total = 0.0
    for xi in x:
        total += xi ** 2
    return total


@idiom(N(5), expect=Either(RuntimeError, r"in.?place|modified|version"), needs="in-place after save")
def exp_then_divide_in_place(x):
    y = np.exp(x)
    y /= y.sum()
    return y


@idiom(N(5, 2), needs="np.add.at")
def add_at_histogram(vals):
    out = np.zeros_like(vals[:3, 0])
    idx = np.array([0, 2, 0, 1, 2])
    np.add.at(out, idx, vals[:, 0] * vals[:, 1])
    return out


@idiom(N(5), expect=Raises(TypeError, r"wg\.|detach|force=True|ndarray"), needs="value exits (§9), np.add.at")
def add_at_into_ndarray(vals):
    out = np.zeros(3)
    np.add.at(out, [0, 2, 0, 1, 2], vals)
    return out


@idiom(N(4), needs="ufunc out= into a tensor")
def ufunc_out_into_tensor(x):
    out = np.zeros_like(x)
    np.multiply(x, 2.0, out=out)
    np.exp(out, out=out)
    return out


@idiom(N(4), expect=Raises(TypeError, VALUE_EXIT), needs="value exits (§9), ufunc out=")
def ufunc_out_into_ndarray(x):
    out = np.empty(4)
    np.sin(x, out=out)
    return out


@idiom(N(5))
def fancy_setitem(x):
    y = np.zeros_like(x)
    y[[4, 0, 2]] = x[:3] * 2
    return y + x


@idiom(N(3, 2))
def swap_rows(x):
    y = x * 1.0
    y[[0, 1]] = y[[1, 0]]
    return y * np.arange(6.0).reshape(3, 2)


@idiom(N(6), POS(1))
def recurrence_in_place(x, a):
    y = np.zeros_like(x)
    y[0] = x[0]
    for i in range(1, len(x)):
        y[i] = a[0] * y[i - 1] + x[i]
    return y


@idiom(N(4))
def scalar_augmented_ops(x):
    s = np.sum(x)
    s *= 2
    s -= np.prod(x)
    s /= 3
    return s


@idiom(N(4))
def sequential_element_updates(x):
    y = x * 1
    y[0] = y[1] * 2
    y[1] = y[0] + x[3]
    return y * y


@idiom(N(3, 3))
def fill_diagonal_by_index(A):
    B = A.copy()
    i = np.arange(3)
    B[i, i] = B[i, i] ** 2 + 1
    return B


@idiom(N(4, 3), needs="np.copyto into a tensor")
def copyto_rows(x):
    out = np.zeros_like(x)
    np.copyto(out, x[::-1])
    return out * x


@idiom(N(5), expect=Either(RuntimeError, r"in.?place|modified|version"), needs="in-place after save")
def clip_in_place_with_minimum(x):
    y = x * 3
    y[:] = np.minimum(y, 1.0 + 0.1 * np.arange(5))
    return y ** 2


@idiom(N(2, 3))
def broadcast_setitem_row(x):
    y = np.zeros_like(x)
    y[:] = x[0]
    y[1] += x[1]
    return y


@idiom(N(3), needs="ndarray operands used by value (§9)")
def ndarray_operand_reused_after_use(x):
    w = np.ones(3)
    y = x * w
    w[0] = 5.0               # the weights buffer is reused: y keeps the value it had
    return y * x + np.sum(x * w)
