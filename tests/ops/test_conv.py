"""Convolution and pooling: the op table (forward against naive NumPy loops, gradients to
second order in both modes, float32, batched tangents and cotangents) for conv2d, the pools
and the im2col/col2im pair beneath them; then torch's values and gradients, the max-pool tie
convention, dtypes and errors."""
import numpy as np
import pytest

import wengert as wg
from tests.ops.op_table import Row, generic_tests
from wengert.ops import conv
from wengert.ops.conv import _col2im, _im2col, avg_pool2d, conv2d, max_pool2d


# ---- naive references: one output pixel at a time ----------------------------------------------

def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def conv_ref(x, w, b=None, stride=1, padding=0):
    (sh, sw), (ph, pw) = _pair(stride), _pair(padding)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    n, _, h, wd = xp.shape
    o, _, kh, kw = w.shape
    ho, wo = (h - kh) // sh + 1, (wd - kw) // sw + 1
    y = np.zeros((n, o, ho, wo), dtype=np.result_type(x, w))
    for a in range(n):
        for c in range(o):
            for i in range(ho):
                for j in range(wo):
                    y[a, c, i, j] = np.sum(xp[a, :, i * sh:i * sh + kh, j * sw:j * sw + kw] * w[c])
    if b is not None:
        y += b[None, :, None, None]
    return y


def pool_ref(reduce, fill):
    def ref(x, kernel_size, stride=None, padding=0):
        (kh, kw) = _pair(kernel_size)
        (sh, sw) = (kh, kw) if stride is None else _pair(stride)
        ph, pw = _pair(padding)
        xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
        n, c, h, w = xp.shape
        ho, wo = (h - kh) // sh + 1, (w - kw) // sw + 1
        y = np.zeros((n, c, ho, wo), dtype=x.dtype)
        for a in range(n):
            for d in range(c):
                for i in range(ho):
                    for j in range(wo):
                        y[a, d, i, j] = reduce(xp[a, d, i * sh:i * sh + kh, j * sw:j * sw + kw])
        return y
    return ref


max_pool_ref = pool_ref(np.max, -np.inf)
avg_pool_ref = pool_ref(np.mean, 0.0)


def im2col_ref(x, kh, kw, sh, sw):
    n, c, h, w = x.shape
    ho, wo = (h - kh) // sh + 1, (w - kw) // sw + 1
    out = np.zeros((n, c, kh, kw, ho, wo), dtype=x.dtype)
    for i in range(ho):
        for j in range(wo):
            out[..., i, j] = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
    return out


def col2im_ref(g, kh, kw, sh, sw, h, w):
    out = np.zeros(g.shape[:2] + (h, w), dtype=g.dtype)
    for i in range(g.shape[-2]):
        for j in range(g.shape[-1]):
            out[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw] += g[..., i, j]
    return out


def distinct(rng, shape, i):
    """Values at least 0.1 apart, shuffled: no ties, so max pooling is differentiable."""
    n = int(np.prod(shape))
    return (rng.permutation(n).reshape(shape) - n / 2) * 0.1


# ---- the table ------------------------------------------------------------------------------------

CONV_SHAPES = [((1, 2, 4, 5), (2, 2, 3, 2), (2,)),        # non-square kernel
               ((2, 1, 3, 3), (3, 1, 2, 2), (3,))]
CONV_KW = [{}, {"stride": 2, "padding": 1}, {"stride": (1, 2), "padding": (0, 1)}]
POOL_SHAPES = [((1, 2, 4, 5),)]
POOL_KW = [{"kernel_size": 2}, {"kernel_size": (3, 2), "stride": 2, "padding": 1},
           {"kernel_size": 2, "stride": 1, "padding": (1, 0)}]


def conv2d_nobias(x, w, stride=1, padding=0):
    return conv2d(x, w, stride=stride, padding=padding)


ROWS = [
    Row(_im2col, im2col_ref, shapes=[((1, 2, 4, 5),)],
        kwargs=[{"kh": 2, "kw": 3, "sh": 1, "sw": 1}, {"kh": 3, "kw": 2, "sh": 2, "sw": 3}]),
    Row(_col2im, col2im_ref, shapes=[((1, 2, 2, 3, 3, 2),)],
        kwargs=[{"kh": 2, "kw": 3, "sh": 1, "sw": 1, "h": 4, "w": 4},     # overlapping
                {"kh": 2, "kw": 3, "sh": 2, "sw": 3, "h": 7, "w": 6},     # tiling exactly
                {"kh": 2, "kw": 3, "sh": 3, "sw": 3, "h": 8, "w": 7}]),   # gaps
    Row(conv2d, conv_ref, ops=("conv2d", "im2col"), nargs=3, shapes=CONV_SHAPES, kwargs=CONV_KW),
    Row(conv2d_nobias, conv_ref, ops=("conv2d",), nargs=2, id="conv2d-nobias",
        shapes=[s[:2] for s in CONV_SHAPES[:1]], kwargs=CONV_KW[1:2]),
    Row(max_pool2d, max_pool_ref, ops=("max_pool2d", "im2col"), sample=distinct,
        shapes=POOL_SHAPES, kwargs=POOL_KW),
    Row(avg_pool2d, avg_pool_ref, ops=("avg_pool2d", "im2col"), shapes=POOL_SHAPES,
        kwargs=POOL_KW),
]

test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = \
    generic_tests(ROWS)


def test_every_conv_op_and_public_name_has_a_row():
    ops = {name for name, op in wg.ops.registry.items()
           if getattr(op.forward, "__module__", None) == conv.__name__}
    covered = {n for r in ROWS for n in r.names()}
    assert ops == {"im2col", "col2im"}
    assert ops - covered == set()
    assert set(conv.__all__) - covered == set()


# ---- im2col and col2im ------------------------------------------------------------------------------

def test_im2col_and_col2im_are_transposes_with_leading_batch_axes():
    rng = np.random.default_rng(1)
    p = {"kh": 3, "kw": 2, "sh": 2, "sw": 1}
    x = rng.standard_normal((4, 2, 3, 7, 6))           # a batch of 4 in front of (N, C, H, W)
    cols = _im2col.forward(x, **p)
    assert cols.shape == (4, 2, 3, 3, 2, 3, 5)
    np.testing.assert_array_equal(cols[1], im2col_ref(x[1], **p))
    g = rng.standard_normal(cols.shape)
    back = _col2im.forward(g, h=7, w=6, **p)
    assert back.shape == x.shape
    np.testing.assert_allclose(back[2], col2im_ref(g[2], h=7, w=6, **p), atol=1e-14)
    np.testing.assert_allclose(np.sum(cols * g), np.sum(x * back), rtol=1e-13)


def test_col2im_tiling_path_equals_the_general_one():
    rng = np.random.default_rng(2)
    g = rng.standard_normal((2, 3, 2, 2, 3, 4)).astype(np.float32)
    fast = _col2im.forward(g, kh=2, kw=2, sh=2, sw=2, h=6, w=8)
    slow = _col2im.forward(g, kh=2, kw=2, sh=2, sw=2, h=7, w=8)      # one extra row: general
    assert fast.dtype == np.float32
    np.testing.assert_array_equal(fast, slow[..., :6, :])
    np.testing.assert_array_equal(slow[..., 6, :], 0)


# ---- against torch ------------------------------------------------------------------------------------

TORCH_CONV = [((2, 3, 7, 6), (4, 3, 3, 2), 1, 0), ((2, 3, 7, 6), (4, 3, 3, 2), 2, 1),
              ((1, 2, 5, 5), (3, 2, 5, 5), 1, 0), ((2, 1, 8, 9), (2, 1, 3, 3), (2, 3), (1, 2)),
              ((3, 4, 6, 6), (5, 4, 1, 1), 1, 2), ((1, 2, 8, 9), (2, 2, 2, 2), 3, 0)]


@pytest.mark.parametrize("xs,ws,stride,padding", TORCH_CONV)
def test_conv2d_values_and_gradients_match_torch(xs, ws, stride, padding):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])
    ours = [wg.tensor(a, requires_grad=True) for a in (x, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    y = conv2d(*ours, stride=stride, padding=padding)
    yt = torch.nn.functional.conv2d(*theirs, stride=stride, padding=padding)
    np.testing.assert_allclose(y.numpy(force=True), yt.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = rng.standard_normal(y.shape)
    (y * g).sum().backward()
    yt.backward(torch.tensor(g))
    for a, at in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), at.grad.numpy(), rtol=1e-12, atol=1e-12)


TORCH_POOL = [(2, None, 0), (3, 2, 1), ((3, 2), (1, 2), (1, 1)), (2, 1, 1), (3, 3, 0), (2, 3, 1)]


@pytest.mark.parametrize("k,stride,padding", TORCH_POOL)
@pytest.mark.parametrize("name", ["max_pool2d", "avg_pool2d"])
def test_pools_match_torch(name, k, stride, padding):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x = distinct(rng, (2, 3, 7, 6), 0)       # no ties: torch and wengert agree on gradients
    ours = getattr(conv, name)
    theirs = getattr(torch.nn.functional, name)
    xw, xt = wg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y = ours(xw, k, stride, padding)
    yt = theirs(xt, k, stride, padding)
    np.testing.assert_allclose(y.numpy(force=True), yt.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = rng.standard_normal(y.shape)
    (y * g).sum().backward()
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xw.grad.numpy(), xt.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_float32_conv_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    x = rng.standard_normal((4, 3, 9, 9)).astype(np.float32)
    w = rng.standard_normal((6, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    y = conv2d(x, w, b, stride=2, padding=1)
    yt = torch.nn.functional.conv2d(*map(torch.tensor, (x, w, b)), stride=2, padding=1)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.numpy(), yt.numpy(), rtol=1e-4, atol=1e-5)


# ---- conventions ----------------------------------------------------------------------------------------

def test_max_pool_splits_the_gradient_evenly_among_tied_maxima():
    x = wg.tensor(np.array([[5.0, 5.0, 1.0, 0.0],
                            [1.0, 2.0, 0.0, 3.0],
                            [4.0, 4.0, 4.0, 4.0],
                            [4.0, 4.0, 2.0, 4.0]])[None, None], requires_grad=True)
    y = max_pool2d(x, 2)
    assert y.numpy(force=True)[0, 0].tolist() == [[5.0, 3.0], [4.0, 4.0]]
    y.sum().backward()
    assert x.grad.numpy()[0, 0].tolist() == [[0.5, 0.5, 0.0, 0.0],
                                             [0.0, 0.0, 0.0, 1.0],
                                             [0.25, 0.25, 1 / 3, 1 / 3],
                                             [0.25, 0.25, 0.0, 1 / 3]]
    # forward mode uses the same weights: the tangent of a window's max is the tied mean
    t = np.arange(16.0).reshape(x.shape)
    _, ty = wg.jvp(lambda a: max_pool2d(a, 2), (x.detach(),), (t,))
    assert ty.numpy(force=True)[0, 0].tolist() == [[0.5, 7.0], [(8 + 9 + 12 + 13) / 4, (10 + 11 + 15) / 3]]


def test_overlapping_windows_add_up_and_padding_never_wins():
    x = wg.tensor(-np.ones((1, 1, 3, 3)), requires_grad=True)
    with wg.no_grad():
        x.data[0, 0, 1, 1] = 9.0
    y = max_pool2d(x, 2, stride=1)
    assert y.numpy(force=True).tolist() == [[[[9.0, 9.0], [9.0, 9.0]]]]
    y.sum().backward()
    assert x.grad.numpy()[0, 0].tolist() == [[0, 0, 0], [0, 4.0, 0], [0, 0, 0]]
    # all-negative input with -inf padding: a padded window's maximum is a real element
    x.grad = None
    z = max_pool2d(x, 3, stride=3, padding=1)
    assert z.numpy(force=True).tolist() == [[[[9.0]]]]
    w = max_pool2d(wg.tensor(-np.arange(1.0, 5.0).reshape(1, 1, 2, 2)), 2, stride=1, padding=1)
    assert w.numpy(force=True)[0, 0].tolist() == [[-1.0, -1.0, -2.0], [-1.0, -1.0, -2.0],
                                        [-3.0, -3.0, -4.0]]


def test_avg_pool_counts_the_padding():
    x = wg.tensor(np.ones((1, 1, 2, 2)), requires_grad=True)
    y = avg_pool2d(x, 2, stride=1, padding=1)
    assert y.numpy(force=True)[0, 0].tolist() == [[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]]
    y.sum().backward()
    assert x.grad.numpy()[0, 0].tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_dtypes_and_input_kinds():
    rng = np.random.default_rng(6)
    x = wg.tensor(rng.standard_normal((2, 3, 6, 6)), dtype=np.float32, requires_grad=True)
    w = wg.tensor(rng.standard_normal((4, 3, 3, 3)), dtype=np.float32, requires_grad=True)
    b = wg.tensor(np.zeros(4), dtype=np.float32, requires_grad=True)
    y = max_pool2d(conv2d(x, w, b, padding=1), 2)
    z = avg_pool2d(y, 3, stride=1, padding=1)
    assert y.dtype == z.dtype == np.float32 and y.shape == z.shape == (2, 4, 3, 3)
    z.sum().backward()
    assert x.grad.dtype == w.grad.dtype == b.grad.dtype == np.float32
    # arrays and lists work, give Tensors and record nothing
    out = conv2d(np.ones((1, 1, 3, 3)), [[[[1.0, 2.0], [3.0, 4.0]]]])
    assert isinstance(out, wg.Tensor) and not out.requires_grad
    assert out.numpy().tolist() == [[[[10.0, 10.0], [10.0, 10.0]]]]
    ints = max_pool2d(np.arange(16).reshape(1, 1, 4, 4), 2, padding=1)
    assert ints.dtype == np.int64 and ints.numpy()[0, 0].tolist() == [[0, 2, 3], [8, 10, 11],
                                                                       [12, 14, 15]]


def test_conv2d_weight_only_gradient_and_second_order_through_relu():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 2, 5, 5))
    w = wg.tensor(rng.standard_normal((3, 2, 3, 3)), requires_grad=True)
    loss = lambda w: (wg.relu(conv2d(x, w, padding=1)) ** 2).sum()   # noqa: E731
    h = wg.hvp(loss, w, wg.ones_like(w))
    assert h.shape == w.shape
    wg.gradcheck(loss, [w.numpy(force=True)], order=2, modes=("rev",))


# ---- errors ---------------------------------------------------------------------------------------------

def test_shape_errors_name_the_shapes():
    x = np.zeros((2, 3, 5, 5))
    with pytest.raises(ValueError, match=r"\(2, 3, 5, 5\).*3 channels.*\(4, 2, 3, 3\)"):
        conv2d(x, np.zeros((4, 2, 3, 3)))
    with pytest.raises(ValueError, match=r"kernel size \(6, 3\).*\(5, 5\)"):
        conv2d(x, np.zeros((4, 3, 6, 3)))
    with pytest.raises(ValueError, match=r"kernel size \(7, 7\).*\(6, 6\)"):
        conv2d(np.zeros((2, 3, 4, 4)), np.zeros((4, 3, 7, 7)), padding=1)
    with pytest.raises(ValueError, match=r"4 dimensions.*\(3, 5, 5\)"):
        conv2d(np.zeros((3, 5, 5)), np.zeros((4, 3, 3, 3)))
    with pytest.raises(ValueError, match=r"weight.*4 dimensions.*\(4, 3, 3\)"):
        conv2d(x, np.zeros((4, 3, 3)))
    with pytest.raises(ValueError, match=r"bias of shape \(3,\).*\(4, 3, 3, 3\)"):
        conv2d(x, np.zeros((4, 3, 3, 3)), np.zeros(3))
    with pytest.raises(ValueError, match=r"bias.*1 dimensions.*\(4, 1\)"):
        conv2d(x, np.zeros((4, 3, 3, 3)), np.zeros((4, 1)))
    for f in (max_pool2d, avg_pool2d):
        with pytest.raises(ValueError, match=r"4 dimensions.*\(5, 5\)"):
            f(np.zeros((5, 5)), 2)
        with pytest.raises(ValueError, match=r"kernel size \(6, 6\).*\(5, 5\)"):
            f(x, 6)
        with pytest.raises(ValueError, match=r"padding \(2, 2\).*half the kernel size \(3, 3\)"):
            f(x, 3, padding=2)


def test_value_errors_for_bad_geometry():
    x = np.zeros((1, 1, 5, 5))
    with pytest.raises(ValueError, match="stride must be positive"):
        conv2d(x, np.zeros((1, 1, 2, 2)), stride=0)
    with pytest.raises(ValueError, match="padding must be non-negative"):
        conv2d(x, np.zeros((1, 1, 2, 2)), padding=(-1, 0))
    with pytest.raises(ValueError, match="kernel size must be positive"):
        max_pool2d(x, (0, 2))
    with pytest.raises(ValueError, match="pair"):
        avg_pool2d(x, (2, 2, 2))
    with pytest.raises(ValueError, match="stride must be positive"):
        max_pool2d(x, 2, stride=(1, -1))


def test_type_errors_for_wrong_kinds():
    x = np.zeros((1, 1, 5, 5))
    w = np.zeros((1, 1, 2, 2))
    with pytest.raises(TypeError, match="input must be a real tensor"):
        conv2d("image", w)
    with pytest.raises(TypeError, match="weight must be a real tensor"):
        conv2d(x, None)
    with pytest.raises(TypeError, match="stride must be an int or a pair"):
        conv2d(x, w, stride=1.5)
    with pytest.raises(TypeError, match="padding must be an int or a pair"):
        conv2d(x, w, padding="same")
    with pytest.raises(TypeError, match="kernel_size must be an int or a pair"):
        max_pool2d(x, 2.0)
    with pytest.raises(TypeError, match="kernel_size must be an int or a pair"):
        avg_pool2d(x, (2, True))
    with pytest.raises(TypeError, match="input must be a real tensor"):
        max_pool2d(np.zeros((1, 1, 2, 2), dtype=complex), 2)
