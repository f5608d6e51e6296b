"""Array manipulation: reshaping, stacking, splitting, rolling, flipping, padding, indexing."""
import numpy as np

from ._core import DISTINCT, N, U, idiom


@idiom(N(2, 3, 2), fwd=True)
def reshape_transpose(x):
    return np.transpose(x.reshape(3, 4)) * np.arange(3.0)


@idiom(N(2, 3), N(2, 3))
def stack_axis_minus1(a, b):
    return np.stack([a, b * 2], axis=-1)


@idiom(N(3), N(2), needs="np.hstack")
def hstack_vectors(a, b):
    return np.hstack([a, b ** 2])


@idiom(N(2, 3), N(3), needs="np.vstack")
def vstack_rows(A, r):
    return np.vstack([A, r])


@idiom(N(2, 2), N(2, 2), needs="np.dstack")
def dstack_channels(r, g):
    return np.dstack([r, g])


@idiom(N(4), N(4), needs="np.column_stack")
def column_stack_features(x, y):
    return np.column_stack([x, y, x * y])


@idiom(N(2, 3), N(2, 2))
def concatenate_axis1(a, b):
    return np.concatenate([a, b], axis=1)


@idiom(N(9), fwd=True)
def split_equal(x):
    a, b, c = np.split(x, 3)
    return a * b + c


@idiom(N(7), needs="np.array_split")
def array_split_uneven(x):
    parts = np.array_split(x, 3)
    return np.stack([np.sum(p ** 2) for p in parts])


@idiom(N(4, 4), needs="np.hsplit, np.vsplit")
def hsplit_vsplit(A):
    left, right = np.hsplit(A, 2)
    top, bottom = np.vsplit(A, 2)
    return np.sum(left @ right.T) + top * bottom


@idiom(N(6), needs="np.roll")
def roll_neighbours(x):
    return x * np.roll(x, 1) + np.roll(x, -2)


@idiom(N(3, 4), needs="np.roll")
def roll_2d_axis(x):
    return np.roll(x, 1, axis=1) - x


@idiom(N(3, 4), needs="np.flipud, np.fliplr")
def flipud_fliplr(x):
    return np.flipud(x) * 2 + np.fliplr(x)


@idiom(N(5))
def reverse_slice_flip(x):
    return x[::-1] * np.flip(x)


@idiom(N(3, 3), needs="np.rot90")
def rot90_matrix(A):
    return np.rot90(A) + np.rot90(A, 2)


@idiom(N(4, 4), fwd=True, needs="np.tril, np.triu")
def tril_triu(A):
    return np.tril(A) @ np.triu(A, 1)


@idiom(N(3, 3))
def pad_constant(x):
    return np.pad(x, ((1, 1), (0, 2)))


@idiom(N(4), needs="np.pad(mode='reflect')")
def pad_reflect(x):
    return np.pad(x, 2, mode="reflect")


@idiom(N(2, 3))
def tile_matrix(x):
    return np.tile(x, (2, 2))


@idiom(N(4))
def repeat_elements(x):
    return np.repeat(x, 3) * np.arange(12.0)


@idiom(N(6))
def take_indices(x):
    return np.take(x, [5, 0, 0, 3])


@idiom(N(3, 4))
def take_along_axis_argmax_free(x):
    idx = np.array([[0], [3], [1]])
    return np.take_along_axis(x, idx, axis=1)


@idiom(U(-1, 1, 8))
def boolean_mask_from_data(x):
    return np.sum(x[x > 0] ** 2)


@idiom(N(3, 4))
def boolean_mask_constant(x):
    m = np.array([[True, False, True, True], [False, False, True, False], [True, True, True, True]])
    return x[m]


@idiom(N(4, 5), fwd=True)
def fancy_index_rows_cols(x):
    return x[[0, 2, 2], [1, 4, 0]]


@idiom(N(4, 5))
def fancy_index_ix(x):
    return x[np.ix_([0, 3], [1, 2, 4])]


@idiom(U(-1, 1, 7), order2=True)
def where_piecewise(x):
    return np.where(x > 0, x ** 2, -0.5 * x ** 3)


@idiom(N(5), needs="np.append")
def append_value(x):
    return np.append(x, x[0] * 2)


@idiom(N(5), needs="np.insert")
def insert_values(x):
    return np.insert(x, 2, [10.0, 20.0]) * np.arange(7.0)


@idiom(N(6), needs="np.delete")
def delete_entries(x):
    return np.delete(x, [1, 4]) ** 2


@idiom(N(3), needs="np.atleast_2d")
def atleast_2d_outer(x):
    r = np.atleast_2d(x)
    return r.T @ r


@idiom(N(3, 1, 2))
def squeeze_expand_dims(x):
    return np.expand_dims(np.squeeze(x, axis=1), 0) * 2


@idiom(N(2, 3, 4))
def moveaxis_swapaxes(x):
    return np.moveaxis(x, 0, -1) + np.swapaxes(x, 0, 2).transpose(1, 0, 2)


@idiom(N(3))
def broadcast_to_rows(x):
    return np.broadcast_to(x, (4, 3)) * np.arange(12.0).reshape(4, 3)


@idiom(N(3), N(2), needs="np.meshgrid")
def meshgrid_surface(x, y):
    X, Y = np.meshgrid(x, y)
    return np.sin(X) * Y


@idiom(DISTINCT(6), needs="np.sort")
def sort_values(x):
    return np.sort(x) * np.arange(6.0)


@idiom(DISTINCT(6), needs="np.argsort on a tensor (an index, never differentiated)")
def argsort_then_index(x):
    return x[np.argsort(x)] * np.arange(6.0)


@idiom(DISTINCT(7), needs="np.partition")
def partition_smallest_three(x):
    return np.sum(np.partition(x, 3)[:3])


@idiom(N(2, 3))
def ravel_flatten(x):
    return np.ravel(x) * x.flatten()


@idiom(N(3), needs="np.diag")
def diag_from_vector(x):
    return np.diag(x) + np.diag(x[:2], 1)


@idiom(N(2, 2), needs="np.diagflat")
def diagflat_matrix(x):
    return np.diagflat(x)


@idiom(U(-2, 2, 6), needs="np.select")
def select_piecewise(x):
    return np.select([x < -1, x < 1], [x ** 2, np.sin(x)], default=x * 3)


@idiom(U(-2, 2, 6), needs="np.clip")
def clip_inside(x):
    return np.clip(x, -1.0, 1.0) * x


@idiom(N(2, 2), N(2, 3), N(1, 2), N(1, 3), needs="np.block")
def block_matrix(A, B, C, D):
    return np.block([[A, B], [C, D]])


@idiom(N(4, 3))
def negative_indexing_and_ellipsis(x):
    return x[-1] * x[..., 0][:, None][0] + x[1:-1, ::2].sum()


@idiom(N(5), needs="np.atleast_1d")
def atleast_1d_scalar_sum(x):
    return np.atleast_1d(np.sum(x)) * x
