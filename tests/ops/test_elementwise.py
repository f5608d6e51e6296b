"""Elementwise ops: the op table (forward vs NumPy, gradients to second order, float32), calls
through NumPy's names, rules with a batch of cotangents/tangents, and what binary ops save.
Singular points and kinks: test_elementwise_kinks.py; bool results, dtypes, where and argument
errors: test_elementwise_types.py."""
import numpy as np
import pytest

import wengert as wg
from tests.ops.op_table import Row, generic_tests
from wengert.ops import elementwise
from wengert.ops._primitive import BinaryOp, Op, masked_multiply, registry


def away(lo=0.3, hi=2.0):
    """|x| in [lo, hi] with a random sign: clear of a kink or pole at 0."""
    def sample(rng, shape, i):
        return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(lo, hi, size=shape)
    return sample


def per_arg(*samplers):
    """A different sampler for each argument; None means uniform(-2, 2)."""
    def sample(rng, shape, i):
        s = samplers[i]
        return rng.uniform(-2.0, 2.0, size=shape) if s is None else s(rng, shape, i)
    return sample


def uniform(lo, hi):
    return lambda rng, shape, i: rng.uniform(lo, hi, size=shape)


ONE = [((3,),)]                       # one shape: for aliases of ops tested in full elsewhere
TWO = [((3,), (3,))]
WHERE_SHAPES = [((3,), (3,), (3,)), ((3,), (), (2, 3)), ((2, 1), (1, 3), ()), ((2, 3), (1, 3), (2, 1))]
CLIP_SHAPES = [((3,), (3,), (3,)), ((2, 3), (3,), ()), ((), (2, 1), (1, 3))]


def _cmp(ufunc):
    return dict(nargs=2, order=1, ref=ufunc)


ROWS = [
    # ---- unary
    Row(wg.exp, np.exp),
    Row(wg.exp2, np.exp2),
    Row(wg.expm1, np.expm1),
    Row(wg.log, np.log, domain=(0.2, 3.0)),
    Row(wg.log2, np.log2, domain=(0.2, 3.0)),
    Row(wg.log10, np.log10, domain=(0.2, 3.0)),
    Row(wg.log1p, np.log1p, domain=(-0.5, 2.0)),
    Row(wg.sqrt, np.sqrt, domain=(0.2, 3.0)),
    Row(wg.cbrt, np.cbrt, sample=away(0.3, 2.0)),
    Row(wg.square, np.square),
    Row(wg.reciprocal, np.reciprocal, sample=away(0.5, 2.0)),
    Row(wg.absolute, np.absolute, sample=away()),
    Row(wg.abs, np.abs, sample=away(), shapes=ONE, id="abs"),
    Row(wg.sin, np.sin),
    Row(wg.cos, np.cos),
    Row(wg.tan, np.tan, domain=(-1.2, 1.2)),
    Row(wg.arcsin, np.arcsin, domain=(-0.9, 0.9)),
    Row(wg.arccos, np.arccos, domain=(-0.9, 0.9)),
    Row(wg.arctan, np.arctan),
    Row(wg.sinh, np.sinh),
    Row(wg.cosh, np.cosh),
    Row(wg.tanh, np.tanh),
    Row(wg.arcsinh, np.arcsinh),
    Row(wg.arccosh, np.arccosh, domain=(1.2, 3.0)),
    Row(wg.arctanh, np.arctanh, domain=(-0.9, 0.9)),
    Row(wg.deg2rad, np.deg2rad),
    Row(wg.rad2deg, np.rad2deg),
    Row(wg.radians, np.radians, shapes=ONE, id="radians"),
    Row(wg.degrees, np.degrees, shapes=ONE, id="degrees"),
    Row(wg.asin, np.asin, domain=(-0.9, 0.9), shapes=ONE, id="asin"),
    Row(wg.acos, np.acos, domain=(-0.9, 0.9), shapes=ONE, id="acos"),
    Row(wg.atan, np.atan, shapes=ONE, id="atan"),
    Row(wg.asinh, np.asinh, shapes=ONE, id="asinh"),
    Row(wg.acosh, np.acosh, domain=(1.2, 3.0), shapes=ONE, id="acosh"),
    Row(wg.atanh, np.atanh, domain=(-0.9, 0.9), shapes=ONE, id="atanh"),
    # piecewise constant (uniform draws keep clear of the jumps)
    Row(wg.sign, np.sign, sample=away()),
    Row(wg.floor, np.floor, domain=(-3.0, 3.0)),
    Row(wg.ceil, np.ceil, domain=(-3.0, 3.0)),
    Row(wg.trunc, np.trunc, domain=(-3.0, 3.0)),
    Row(wg.rint, np.rint, domain=(-3.0, 3.0)),
    Row(wg.round, np.round, domain=(-3.0, 3.0), kwargs=[{}, {"decimals": 1}, {"decimals": -1}]),
    # linear
    Row(wg.negative, np.negative),
    Row(wg.positive, np.positive),
    Row(wg.copy, np.copy),
    Row(lambda x: wg.astype(x, wg.float64), lambda x: x.astype(np.float64), ops=("astype",),
        float32=False, id="astype"),
    # ---- binary
    Row(wg.add, np.add, nargs=2),
    Row(wg.subtract, np.subtract, nargs=2),
    Row(wg.multiply, np.multiply, nargs=2),
    # the engine's zero-masking product (masked_mul's recorded form): equals multiply away
    # from zero cotangents
    Row(masked_multiply, np.multiply, nargs=2, domain=(0.5, 2.0)),
    Row(wg.divide, np.divide, nargs=2, sample=per_arg(None, away(0.5, 2.0))),
    Row(wg.true_divide, np.true_divide, nargs=2, sample=per_arg(None, away(0.5, 2.0)), shapes=TWO,
        id="true_divide"),
    Row(wg.power, np.power, nargs=2, sample=per_arg(uniform(0.5, 2.0), None)),
    Row(wg.pow, np.pow, nargs=2, sample=per_arg(uniform(0.5, 2.0), None), shapes=TWO, id="pow"),
    Row(wg.floor_divide, np.floor_divide, nargs=2, sample=per_arg(None, away(0.5, 2.0))),
    Row(wg.remainder, np.remainder, nargs=2, sample=per_arg(None, away(0.5, 2.0))),
    Row(wg.fmod, np.fmod, nargs=2, sample=per_arg(None, away(0.5, 2.0))),
    Row(wg.maximum, np.maximum, nargs=2),
    Row(wg.minimum, np.minimum, nargs=2),
    Row(wg.fmax, np.fmax, nargs=2),
    Row(wg.fmin, np.fmin, nargs=2),
    Row(wg.logaddexp, np.logaddexp, nargs=2),
    Row(wg.logaddexp2, np.logaddexp2, nargs=2),
    Row(wg.hypot, np.hypot, nargs=2, sample=away(0.3, 2.0)),
    Row(wg.arctan2, np.arctan2, nargs=2, sample=away(0.3, 2.0)),
    Row(wg.atan2, np.atan2, nargs=2, sample=away(0.3, 2.0), shapes=TWO, id="atan2"),
    Row(wg.copysign, np.copysign, nargs=2, sample=away(0.3, 2.0)),
    # ---- selection: the condition comes from the first argument's sign
    Row(lambda x, y, c: wg.where(c > 0, x, y), lambda x, y, c: np.where(c > 0, x, y),
        ops=("where",), nargs=3, shapes=WHERE_SHAPES, id="where"),
    Row(lambda x, lo, hi: wg.clip(x, lo, hi), np.clip, ops=("clip",), nargs=3, shapes=CLIP_SHAPES,
        sample=per_arg(None, uniform(-1.5, -0.5), uniform(0.5, 1.5)), id="clip"),
    Row(lambda x: wg.clip(x, -0.5, 0.7), lambda x: np.clip(x, -0.5, 0.7), ops=("clip",),
        id="clip-scalars"),
    Row(lambda x, hi: wg.clip(x, None, hi), lambda x, hi: np.clip(x, None, hi), ops=("clip",),
        nargs=2, sample=per_arg(None, uniform(-0.5, 0.5)), id="clip-upper"),
    Row(lambda x, lo: wg.clip(x, min=lo), lambda x, lo: np.clip(x, lo, None), ops=("clip",),
        nargs=2, sample=per_arg(None, uniform(-0.5, 0.5)), id="clip-lower"),
    # ---- comparisons and logic: bool results, nothing to differentiate (order 1 sees zeros)
    Row(wg.equal, **_cmp(np.equal)),
    Row(wg.not_equal, **_cmp(np.not_equal)),
    Row(wg.less, **_cmp(np.less)),
    Row(wg.less_equal, **_cmp(np.less_equal)),
    Row(wg.greater, **_cmp(np.greater)),
    Row(wg.greater_equal, **_cmp(np.greater_equal)),
    Row(wg.logical_and, **_cmp(np.logical_and)),
    Row(wg.logical_or, **_cmp(np.logical_or)),
    Row(wg.logical_xor, **_cmp(np.logical_xor)),
    Row(wg.logical_not, np.logical_not, order=1),
    Row(wg.isnan, np.isnan, order=1),
    Row(wg.isinf, np.isinf, order=1),
    Row(wg.isfinite, np.isfinite, order=1),
    Row(wg.signbit, np.signbit, order=1),
]

test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = \
    generic_tests(ROWS)


def _row_name(row):
    return row.id or row.names()[0]


def test_every_public_elementwise_function_has_a_row():
    assert set(elementwise.__all__) - {_row_name(r) for r in ROWS} == set()


def test_every_elementwise_op_has_a_row():
    ops = {v.name for v in vars(elementwise).values() if isinstance(v, Op)}
    covered = {n for r in ROWS for n in r.names()}
    assert ops - covered == set()


@pytest.mark.parametrize("row", [r for r in ROWS if r.float32], ids=_row_name)
def test_rules_keep_float32_inside_the_backward_pass(row):
    """Leaf hooks see the gradient before it is cast to the leaf's dtype: no float64 on the way."""
    args = row.make_args(row.grid()[-1], dtype=np.float32)
    ts = [wg.tensor(a, requires_grad=True) for a in args]
    seen = []
    for t in ts:
        t.register_hook(lambda g: seen.append(g.dtype))
    out = row.fn(*ts, **row.kwargs[-1])
    if not out.requires_grad:
        return
    out.sum().backward()
    assert seen and all(d == np.float32 for d in seen), seen


# ---- NumPy dispatch of the ops added here -------------------------------------------------------------

@pytest.mark.parametrize("f", [np.copysign, np.fmod, np.logaddexp2, np.hypot, np.arctan2, np.fmax,
                               np.remainder, np.power])
def test_numpy_binary_ufuncs_dispatch(f):
    x = wg.tensor([1.5, 2.5], requires_grad=True)
    y = f(x, 0.75)
    assert isinstance(y, wg.Tensor) and y.requires_grad
    np.testing.assert_allclose(y.numpy(force=True), f(x.numpy(force=True), 0.75))


@pytest.mark.parametrize("f", [np.deg2rad, np.rad2deg, np.radians, np.degrees, np.cbrt, np.rint,
                               np.round, np.positive, np.copy])
def test_numpy_unary_functions_dispatch(f):
    x = wg.tensor([1.5, 2.5], requires_grad=True)
    y = f(x)
    assert isinstance(y, wg.Tensor) and y.requires_grad
    np.testing.assert_allclose(y.numpy(force=True), f(x.numpy(force=True)))


# ---- rules with a batch of cotangents / tangents ----------------------------------------------------

def _batch_case(name):
    rng = np.random.default_rng(0)
    if name == "where":
        c = rng.uniform(-1, 1, size=(2, 3)) > 0
        x, y = rng.normal(size=(3,)), rng.normal(size=(2, 1))
        params = {"x_shape": (3,), "y_shape": (2, 1)}
        return [c, x, y], params, (False, True, True)
    if name == "clip":
        return [rng.normal(size=(2, 3)), rng.uniform(-1, -0.2, size=(3,)),
                rng.uniform(0.2, 1, size=(2, 1))], {}, (True, True, True)
    if name == "round":
        return [rng.normal(size=(2, 3)) * 3], {"decimals": 1}, (True,)


@pytest.mark.parametrize("name", ["where", "clip", "round"])
def test_explicit_rules_pass_a_leading_batch_axis_through_and_are_transposes(name):
    op = wg.ops.registry[name]
    args, params, diff = _batch_case(name)
    rng = np.random.default_rng(1)
    out = op.forward(*args, **params)
    saved = args if op.save is None else [args[i] for i in op.save]
    gs = rng.normal(size=(4,) + np.shape(out))
    needs = diff
    vjp = lambda g: op.vjp(g, needs, *saved, **params)               # noqa: E731
    for k, d in enumerate(diff):
        if not d:
            continue
        ts = rng.normal(size=(4,) + np.shape(args[k]))
        tangents = lambda t: tuple(t if j == k else None for j in range(len(args)))  # noqa: E731
        jvp = lambda t: op.jvp(tangents(t), *saved, **params)         # noqa: E731
        np.testing.assert_allclose(jvp(ts), np.stack([jvp(t) for t in ts]), atol=1e-12)
        np.testing.assert_allclose(np.stack([vjp(g)[k] for g in gs]), vjp(gs)[k], atol=1e-12)
        # <g, J t> = <Jᵀ g, t>
        np.testing.assert_allclose(np.sum(gs[0] * jvp(ts[0])), np.sum(vjp(gs[0])[k] * ts[0]),
                                   atol=1e-12)


@pytest.mark.parametrize("op", [wg.multiply, wg.hypot, wg.maximum, wg.minimum, wg.logaddexp,
                                wg.power, wg.subtract, wg.add, wg.divide, wg.arctan2])
def test_one_input_twice_matches_two_equal_inputs(op):
    """op(x, x) (the rule may then share one product between both edges) has the gradient
    and second derivative of op(x, y) at y = x, with y a separate leaf."""
    v = np.array([0.5, 1.5, 2.0])

    def twice(x):
        return op(x, x).sum()

    def apart(x):
        return op(x, x + 0.0).sum()
    np.testing.assert_allclose(wg.grad(twice)(v), wg.grad(apart)(v), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(wg.hessian(twice)(v), wg.hessian(apart)(v), rtol=1e-12,
                               atol=1e-12)


# ---- binary ops save only what the partials they will run read ------------------------------

_BINARY = sorted(n for n, op in registry.items()
                 if isinstance(op, BinaryOp) and n != "floor_divide")


@pytest.mark.parametrize("name", _BINARY)
@pytest.mark.parametrize("side", ["x", "y"])
def test_a_binary_op_differentiated_in_one_input_only(name, side):
    """With one input a constant Tensor, a node saves only what that input's partial reads:
    first and second derivatives against finite differences prove it read nothing missing."""
    op = registry[name]
    xv, yv = np.array([0.7, 1.3, 1.9]), np.array([0.55, 0.8, 1.1])   # (no ties, no kinks)
    if side == "x":
        c = wg.tensor(yv)
        f = lambda x: op(x, c)          # noqa: E731
        arg = xv
    else:
        c = wg.tensor(xv)
        f = lambda y: op(c, y)          # noqa: E731
        arg = yv
    assert wg.gradcheck(f, (arg,), order=2, modes="rev")


def test_x_times_a_constant_does_not_keep_x():
    """x * c needs c only: the node keeps no reference to the intermediate x (freed when the
    forward is done with it), and the gradient is unchanged."""
    import gc
    import weakref
    v = np.array([0.5, 1.5])
    a = wg.tensor(v, requires_grad=True)
    h = wg.sin(a)                       # sin saves a, not its output h
    ref = weakref.ref(h)
    y = (h * 3.0 + 1.0) ** 2            # ** 2 keeps its base (h·3 + 1), not its output
    del h
    gc.collect()
    assert ref() is None
    y.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), 2 * (3 * np.sin(v) + 1) * 3 * np.cos(v))
