"""Views follow NumPy (API §9): a write through a view reaches its base and every other view
of the base, in values, gradients (reverse mode, backward()) and tangents (forward mode).
(Values of tensors that require grad are read through .detach(), which shares memory.)

Each case is one function written once in NumPy vocabulary and run twice: on ndarrays (the
reference value, and central finite differences for the derivatives) and on tensors.
"""
import numpy as np
import pytest

import wengert as wg


class NP:
    """The NumPy side: buffers are ndarrays, detach() is the array itself."""
    zeros = staticmethod(np.zeros)
    detach = staticmethod(lambda a: a)
    fortran = staticmethod(np.asfortranarray)


class WG:
    zeros = staticmethod(wg.zeros)
    detach = staticmethod(lambda a: a.detach())
    fortran = staticmethod(lambda a: wg.copy(a, order="F"))


def central(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = eps
        g.flat[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


def second(f, x, h=1e-4):
    n = x.size
    H = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            ei = np.zeros(n)
            ej = np.zeros(n)
            ei[i] = h
            ej[j] = h
            H[i, j] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (4 * h * h)
    return H


def check(case, x0, hessian=False):
    """wengert's value and derivatives of case(x, WG) against case(x, NP) and its central
    finite differences: wg.grad, backward(), jacfwd, jvp, and (optionally) wg.hessian."""
    x0 = np.asarray(x0, dtype=np.float64)
    f_np = lambda x: case(x.copy(), NP)                     # noqa: E731
    f_wg = lambda x: case(x, WG)                            # noqa: E731
    ref = f_np(x0)
    fd = central(f_np, x0)

    value, g = wg.value_and_grad(f_wg)(x0)
    np.testing.assert_allclose(value, ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-6)

    x = wg.tensor(x0, requires_grad=True)
    out = f_wg(x)
    np.testing.assert_allclose(out.detach().numpy(), ref, rtol=1e-12, atol=1e-12)
    out.backward()
    np.testing.assert_allclose(x.grad.numpy(), fd, rtol=1e-6, atol=1e-6)

    np.testing.assert_allclose(wg.jacfwd(f_wg)(x0), fd, rtol=1e-6, atol=1e-6)
    t = np.random.default_rng(0).standard_normal(x0.shape)
    value, tangent = wg.jvp(f_wg, (x0,), (t,))
    np.testing.assert_allclose(value, ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(tangent, np.sum(fd * t), rtol=1e-6, atol=1e-6)

    if hessian:
        np.testing.assert_allclose(wg.hessian(f_wg)(x0), second(f_np, x0), rtol=1e-4, atol=1e-4)


# ---- the issue's examples, verbatim ---------------------------------------------------------

def test_issue_example_write_through_a_slice():
    def f(x):
        y = x * 2.0; v = y[0:2]; v += 1.0   # NumPy writes through to y      # noqa: E702
        return np.sum(y * y)
    value, g = wg.value_and_grad(f)(np.array([1., 2., 3.]))
    assert value == 70.0
    np.testing.assert_allclose(g, [12.0, 20.0, 24.0])


def test_issue_example_filling_a_preallocated_buffer():
    def h(x):
        b = wg.zeros((3, 3))
        for i in range(3):
            b[i][:] = x * i          # also: row = b[i]; row[:] = ...; row += ...
        return np.sum(b * b)
    np.testing.assert_allclose(wg.grad(h)(np.array([1., 2., 3.])), [10.0, 20.0, 30.0])


# ---- one case per kind of view ------------------------------------------------------------------
# x has 6 elements throughout.

def slice_iadd(x, xp):
    y = x * 2.0
    v = y[0:2]
    v += 1.0
    return np.sum(y * y)


def negative_step(x, xp):
    y = x * 1.0
    r = y[::-1]
    r[0:2] *= x[1:3]
    v = y[4:0:-2]
    v -= x[0] ** 2
    return np.sum(np.sin(y) * y)


def transpose_T(x, xp):
    y = x.reshape(2, 3) * 1.0
    v = y.T
    v[0] *= 3.0
    v[1:] -= x[:2] * x[2]
    return np.sum(np.sin(y) * y)


def transpose_axes(x, xp):
    y = x.reshape(1, 2, 3) * 1.0
    v = np.transpose(y, (2, 0, 1))          # (3, 1, 2)
    v[1] /= 2.0 + x[0] ** 2
    v[..., 0] += x[3:].reshape(3, 1)
    return np.sum(y ** 3)


def permute_method(x, xp):
    y = x.reshape(2, 3) * 1.0
    v = y.transpose(1, 0)
    v[2, :] = x[:2] ** 2
    return np.sum(np.cos(y) + y * y)


def reshape_view(x, xp):
    y = x * 1.0
    v = y.reshape(2, 3)
    v[1] += x[:3] ** 2
    return np.sum(y * np.sin(y))


def ravel_view(x, xp):
    y = (x * 2.0).reshape(2, 3)
    r = y.ravel()
    r[::2] = x[:3] * x[3:]
    return np.sum(y ** 2)


def np_ravel_view(x, xp):
    y = (x * 2.0).reshape(3, 2)
    r = np.ravel(y)
    r[1:4] *= x[2:5]
    return np.sum(np.exp(y / 10.0))


def swapaxes_view(x, xp):
    y = x.reshape(2, 3) * 1.0
    v = np.swapaxes(y, 0, 1)
    v[0] /= 2.0 + x[0] ** 2
    return np.sum(y * y * y)


def moveaxis_view(x, xp):
    y = x.reshape(2, 3, 1) * 1.0
    m = np.moveaxis(y, 0, -1)               # (3, 1, 2)
    m[..., 0] += x[3:].reshape(3, 1)
    return np.sum(np.sin(y) * y)


def squeeze_view(x, xp):
    y = x.reshape(1, 6) * 1.0
    s = np.squeeze(y)
    s[2:4] = x[0:2] ** 2
    t = y.squeeze(0)
    t[5] *= x[1]
    return np.sum(y * y)


def expand_dims_view(x, xp):
    y = x * 1.0
    e = np.expand_dims(y, 0)
    e[0, 1:3] += x[0] * x[5]
    return np.sum(y ** 3)


def flip_view(x, xp):
    y = x.reshape(2, 3) * 1.0
    v = np.flip(y, 1)
    v[:, 0] *= x[:2]
    w = np.flip(y)
    w[0] += 1.0
    return np.sum(y * np.cos(y))


def none_and_ellipsis(x, xp):
    y = x.reshape(2, 3) * 1.0
    v = y[None, ..., 1:3]                   # (1, 2, 2)
    v *= 2.0
    w = y[..., 0]
    w += x[4:]
    return np.sum(y ** 2)


def zero_d_view(x, xp):
    y = x * 1.0
    v = y[2, ...]                           # a 0-d view, not a scalar
    v += x[0] ** 2
    return np.sum(y * y)


def view_of_view_of_view(x, xp):
    y = x * 1.0
    a = y.reshape(2, 3)
    b = a[:, 1:]
    c = b.T                                 # (2, 2)
    c[0] += x[:2] ** 2
    c[1, 1] = x[5] * 3.0
    return np.sum(np.sin(y) * y)


def two_views_of_one_base(x, xp):
    y = x * 1.0
    a = y[0:4]
    b = y[2:6]
    a *= 2.0                                # b sees the overlap change
    b += x[2:] * x[0]
    return np.sum(a * b) + np.sum(y ** 2)


def base_modified_then_view_used(x, xp):
    y = x * 1.0
    v = y[1:4]
    w = y.reshape(2, 3)[:, 0]
    y *= x
    y[5] = x[0] * 7.0
    return np.sum(np.sin(v)) + np.sum(w * w)


def view_modified_then_base_used(x, xp):
    y = x.reshape(3, 2) * 1.0
    col = y[:, 1]
    col -= y[:, 0] ** 2                     # reads the base while writing it
    return np.sum(y * y * y)


def self_product(x, xp):
    y = x * 1.0
    v = y[1:5]
    v *= v
    v *= y[0:4]                             # overlaps v itself: reads the old values
    return np.sum(y)


def overlapping_add(x, xp):
    y = x * 1.0
    y[0:5] += y[1:6]                        # NumPy reads y[1:6] before writing
    y[2:] -= y[:4] * 0.5
    return np.sum(y * y)


def buffer_by_rows(x, xp):
    b = xp.zeros((3, 6))
    for i in range(3):
        row = b[i]
        row[:] = x * i
        row += x ** 2
    return np.sum(np.sin(b) * b)


def buffer_by_columns(x, xp):
    b = xp.zeros((6, 3))
    for j in range(3):
        b[:, j] = x * (j + 1)
    c = b.T
    c[1] *= x
    for j in range(3):
        col = b[:, j]
        col += x[j]
    return np.sum(b * b)


def buffer_recurrence(x, xp):
    b = xp.zeros((6, 2))
    b[0] = x[:2]
    for i in range(1, 6):
        b[i] = np.sin(b[i - 1]) + x[i]      # reads the previous row, a view saved by sin
    return np.sum(b ** 2)


def held_rows_recurrence(x, xp):
    b = xp.zeros((4, 3))
    rows = [b[i] for i in range(4)]
    rows[0][:] = x[:3]
    for i in range(1, 4):
        rows[i][:] = np.cos(rows[i - 1]) * x[3:]
    return np.sum(b * b) + np.sum(rows[2])


def setitem_through_a_view(x, xp):
    y = x * 1.0
    v = y.reshape(2, 3)
    v[1, 1:] = x[:2] * 3.0
    v[0][[0, 2]] = x[4:] ** 2               # integer array through a view of a view
    v[v > 10.0] = 10.0                      # a mask (constant where x > 10/3)
    return np.sum(np.sin(y) * y)


def mixed_with_reductions(x, xp):
    y = x.reshape(2, 3) * 1.0
    r = y[1]
    r -= np.mean(y)
    c = y[:, 2]
    c /= np.sum(x * x) ** 0.5
    return np.sum(y ** 2) + np.max(y) + np.prod(y[0])


def detached_alias_write(x, xp):
    y = x * 1.0
    d = xp.detach(y)
    d[1:3] += 100.0                          # a constant shift: seen in y's value
    return np.sum(y * y)


def fortran_base(x, xp):
    y = xp.fortran(x.reshape(2, 3) * 1.0)
    v = y.T.reshape(-1)                     # a view only because y is Fortran-ordered
    v[1:3] += x[:2] ** 2                    # (y's new memory is C-ordered)
    v[4] *= 3.0                             # still reaches y
    y[0, 0] = x[5] * 2.0                    # and y's writes still reach v
    return np.sum(y * y) + np.sum(v * x)


CASES = [slice_iadd, negative_step, transpose_T, transpose_axes, permute_method, reshape_view,
         ravel_view, np_ravel_view, swapaxes_view, moveaxis_view, squeeze_view,
         expand_dims_view, flip_view, none_and_ellipsis, zero_d_view, view_of_view_of_view,
         two_views_of_one_base, base_modified_then_view_used, view_modified_then_base_used,
         self_product, overlapping_add, buffer_by_rows, buffer_by_columns, buffer_recurrence,
         held_rows_recurrence, setitem_through_a_view, mixed_with_reductions,
         detached_alias_write, fortran_base]
X0 = np.array([0.7, -1.3, 2.1, 0.4, -0.6, 1.5])


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_value_and_derivatives_match_numpy(case):
    check(case, X0)


@pytest.mark.parametrize("case", [slice_iadd, transpose_T, view_of_view_of_view, buffer_by_rows,
                                  buffer_recurrence, two_views_of_one_base],
                         ids=lambda c: c.__name__)
def test_hessian_matches_second_differences(case):
    check(case, X0, hessian=True)


def test_float32_stays_float32():
    x = wg.tensor(X0, dtype=wg.float32, requires_grad=True)
    y = x * 2.0
    v = y.reshape(2, 3)[:, 1]
    v += x[:2]
    assert y.dtype == np.float32 and v.dtype == np.float32
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32
    expected = central(lambda a: slice_like(a), X0)
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-5, atol=1e-4)


def slice_like(a):
    y = a * 2.0
    y.reshape(2, 3)[:, 1] += a[:2]
    return np.sum(y * y)


# ---- what is (and is not) a view, as in NumPy --------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda y: y[1:3], lambda y: y.reshape(2, 3), lambda y: y.reshape(2, 3).T,
    lambda y: y[::-1], lambda y: np.flip(y), lambda y: y.ravel(), lambda y: y[None],
    lambda y: np.expand_dims(y, 1), lambda y: y.reshape(1, 6).squeeze(),
    lambda y: np.swapaxes(y.reshape(2, 3), 0, 1), lambda y: y.detach(),
    lambda y: np.moveaxis(y.reshape(1, 2, 3), 0, 2)],
    ids=["slice", "reshape", "T", "reverse", "flip", "ravel", "None", "expand_dims",
         "squeeze", "swapaxes", "detach", "moveaxis"])
def test_views_share_memory_with_their_base(make):
    x = wg.tensor(X0, requires_grad=True)
    for y in (x * 1.0, wg.tensor(X0)):
        assert np.shares_memory(make(y).detach().numpy(), y.detach().numpy())


@pytest.mark.parametrize("make", [
    lambda y: y.flatten(), lambda y: y.reshape(2, 3).T.ravel(), lambda y: y[[0, 1]],
    lambda y: y[y > 0], lambda y: y.copy(), lambda y: y[0]],
    ids=["flatten", "ravel-of-non-contiguous", "integer-array", "mask", "copy", "scalar"])
def test_copies_do_not_write_through(make):
    def f(x, xp):
        y = x * 1.0
        c = make(y)
        c += 5.0
        return np.sum(y * y) + np.sum(c)
    check(f, X0)


# ---- outside the graph: plain NumPy memory --------------------------------------------------

def test_plain_tensors_write_through_their_memory():
    c = wg.tensor(np.arange(6.0))
    memory = c.data
    v = c.reshape(2, 3)[:, 1]
    v += 10.0
    c[0] = -1.0
    assert c.data is memory
    np.testing.assert_array_equal(c.numpy(), [-1.0, 11.0, 2.0, 3.0, 14.0, 5.0])
    np.testing.assert_array_equal(v.numpy(), [11.0, 14.0])
    assert np.shares_memory(v.numpy(), c.numpy())


def test_a_view_of_a_parameter_is_written_under_no_grad():
    w = wg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    memory = w.data
    with wg.no_grad():
        v = w[1:]
        v *= 10.0
    assert w.data is memory and w.is_leaf
    np.testing.assert_array_equal(w.detach().numpy(), [1.0, 20.0, 30.0])


def test_a_view_of_a_graph_tensor_written_under_no_grad_changes_the_value_only():
    x = wg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = wg.exp(x)                            # saves its output
    v = y[0:2]
    with wg.no_grad():
        v += 1.0
    np.testing.assert_allclose(y.detach().numpy(), np.exp([1.0, 2.0, 3.0]) + [1.0, 1.0, 0.0])
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([1.0, 2.0, 3.0]))   # as under no_grad


def test_writes_keep_reaching_a_view_whose_base_changed_layout():
    x = wg.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    y = wg.copy(x * 1.0, order="F")
    v = y.T.reshape(-1)
    v += 1.0                                # recorded: y gets C-ordered memory
    with wg.no_grad():
        v[0] = 100.0
        y[1, 2] = -1.0
    expected = np.asfortranarray(np.arange(6.0).reshape(2, 3)) + 1.0
    ev = expected.T.reshape(-1)
    ev[0] = 100.0
    expected[1, 2] = -1.0
    np.testing.assert_array_equal(y.detach().numpy(), expected)
    np.testing.assert_array_equal(v.detach().numpy(), expected.T.reshape(-1))


def test_the_base_sees_a_write_made_in_forward_mode_only():
    def f(x):
        b = wg.zeros((2, 2))
        b.T[0] = x
        return b
    out, tangent = wg.jvp(f, (np.array([1.0, 2.0]),), (np.array([1.0, -1.0]),))
    np.testing.assert_array_equal(out, [[1.0, 0.0], [2.0, 0.0]])
    np.testing.assert_array_equal(tangent, [[1.0, 0.0], [-1.0, 0.0]])


# ---- version counting ---------------------------------------------------------------------------

def test_writing_the_base_after_a_view_was_saved_raises_naming_the_op():
    x = wg.tensor(X0, requires_grad=True)
    y = x * 1.0
    v = y[0:2]
    z = wg.sin(v).sum()                      # saves v
    y += 1.0
    with pytest.raises(RuntimeError, match=r"SinBackward.*version 1.*expected version 0"):
        z.backward()


def test_writing_a_view_after_its_base_was_saved_raises_naming_the_op():
    x = wg.tensor(X0, requires_grad=True)
    y = x * 1.0
    z = wg.sin(y).sum()                      # saves y
    v = y.reshape(2, 3).T
    v[0] *= 2.0
    with pytest.raises(RuntimeError, match=r"SinBackward.*expected version 0"):
        z.backward()


def test_writing_a_sibling_view_that_overlaps_a_saved_one_raises():
    x = wg.tensor(X0, requires_grad=True)
    y = x * 1.0
    a = y[0:3]
    z = wg.sin(a).sum()
    b = y[2:5]
    b += 1.0
    with pytest.raises(RuntimeError, match="SinBackward"):
        z.backward()


def test_writing_a_disjoint_region_keeps_a_saved_view_valid():
    x = wg.tensor(X0, requires_grad=True)
    y = x * 1.0
    a = y[0:3]
    z = wg.sin(a).sum()
    y[4] = x[0] * 5.0                        # a's elements did not change
    (z + (y * y).sum()).backward()
    g = np.cos(X0[:3]).tolist() + [0.0, 0.0, 0.0]
    g = np.array(g) + 2 * np.r_[X0[:4], 0.0, X0[5]]
    g[0] += 2 * 25.0 * X0[0]
    np.testing.assert_allclose(x.grad.numpy(), g)


def test_a_write_that_reads_the_view_it_changes_through_a_saving_op_raises():
    # PyTorch's rule: y[:4] is saved by the product (x[0] needs its value) and then changed
    x = wg.tensor(X0, requires_grad=True)
    y = x * 1.0
    y[2:] -= y[:4] * x[0]
    with pytest.raises(RuntimeError, match=r"MulBackward.*\.copy\(\)"):
        (y * y).sum().backward()
    y = x * 1.0
    y[2:] -= y[:4].copy() * x[0]            # the way out the message names
    (y * y).sum().backward()


def test_writing_a_constant_view_after_the_base_was_saved_raises():
    w = wg.tensor([1.0, 1.0, 1.0], requires_grad=True)
    c = wg.tensor([1.0, 2.0, 3.0])
    y = (w * c).sum()                        # saves c
    v = c[1:]
    v += 1.0                                 # plain memory write, seen by c
    with pytest.raises(RuntimeError, match="MulBackward"):
        y.backward()


# ---- errors ------------------------------------------------------------------------------------

def test_a_view_of_a_leaf_requiring_grad_refuses_in_place_outside_no_grad():
    w = wg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = w[0:2]
    with pytest.raises(RuntimeError, match="view of a leaf tensor that requires grad.*no_grad"):
        v += 1.0
    with pytest.raises(RuntimeError, match="view of a leaf tensor that requires grad"):
        w.T[0] = 5.0
    np.testing.assert_array_equal(w.detach().numpy(), [1.0, 2.0, 3.0])


def test_a_differentiable_write_into_a_detached_alias_raises():
    x = wg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2.0
    d = y.detach()
    with pytest.raises(RuntimeError, match=r"\.detach\(\).*copy"):
        d += x
    with pytest.raises(RuntimeError, match=r"\.detach\(\)"):
        d[0:1][0] = x[1]
    np.testing.assert_array_equal(y.detach().numpy(), [2.0, 4.0])


def test_writing_a_read_only_view_raises_as_numpy_does():
    c = wg.tensor([1.0, 2.0, 3.0])
    b = wg.broadcast_to(c, (2, 3))
    with pytest.raises(ValueError, match="read-only"):
        b += 1.0
    with pytest.raises(ValueError):
        np.broadcast_to(np.array([1.0, 2.0, 3.0]), (2, 3))[...] += 1.0     # NumPy too
    np.testing.assert_array_equal(c.numpy(), [1.0, 2.0, 3.0])


def test_an_in_place_result_of_another_shape_raises_as_numpy_does():
    x = wg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    with pytest.raises(ValueError, match=r"non-broadcastable output operand with shape \(2,\)"):
        y += np.ones((3, 2))
    v = y[0:1]
    with pytest.raises(ValueError, match="non-broadcastable output operand"):
        v += np.ones((2, 2))


def test_views_and_their_writes_leave_no_reference_cycles():
    import gc
    import weakref
    gc.disable()
    try:
        x = wg.tensor(X0, requires_grad=True)
        y = x * 1.0
        v = y.reshape(2, 3)[:, 1]
        v *= x[:2]
        out = (y * y).sum()
        ref = weakref.ref(y)
        del y, v
        out.backward()
        del out
        assert ref() is None
    finally:
        gc.enable()
