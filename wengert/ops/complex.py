"""Complex intermediates: the few ops a complex value may flow through while a gradient or
tangent does, so that real functions of the fft family's complex results differentiate.

Convention (PyTorch's, conjugate Wirtinger): the gradient of a real loss L with respect to a
complex z = a + ib is  ḡ(z) = ∂L/∂a + i ∂L/∂b,  i.e. the ordinary gradient of the pair (a, b)
written as one complex number. Reverse mode then reads:

* a map with real coefficients (sum, indexing, reshaping, negative…) sends ḡ through its
  ordinary transpose (it acts on real and imaginary parts alike);
* a holomorphic w = f(z) (z·c, z/c, z**k, exp z): ḡ(z) = ḡ(w)·conj(f′(z));
  forward mode: ẇ = f′(z)·ż;
* a complex-linear map y = A x (the DFTs): ḡ(x) = Aᴴ ḡ(y);
* a real input x of an op whose result is complex gets Re of that (its imaginary part
  belongs to no variable);
* real-valued functions of z, from the definition:
    real(z) = a:          ḡ(z) = ḡ           ṙ = Re ż
    imag(z) = b:          ḡ(z) = i·ḡ         ṙ = Im ż
    conj(z) = a − ib:     ḡ(z) = conj(ḡ)     ẇ = conj(ż)
    |z| = r:              ḡ(z) = ḡ·z/r       ṙ = Re(conj(z)·ż)/r   (both 0 at z = 0: the
                                              convention abs′(0) = 0, as for real abs)
    angle(z) = atan2(b, a): a composite of arctan2, imag and real (NaN at z = 0, where the
                            argument has no derivative).

Each op that may meet a complex value while differentiating carries `cx` (see
ops/_primitive.py): True where its own rules are right (maps with real coefficients), or a
function that sends the call to the complex-aware twin below. Any other op meeting a complex
value that a gradient or tangent flows through is a TypeError naming it: never a silent
wrong number. Leaves stay real: complex values only arise inside a function.
"""
from typing import Any

import numpy as np

from ..tensor import Tensor, _make
from . import elementwise as _el
from . import indexing as _ix
from . import reduction as _red
from . import padding as _padding, shape as _sh
from ._primitive import NEG_ONE, ONE, linear, masked_multiply, primitive
from ._shapes import sum_to

__all__ = ["real", "imag", "conj", "conjugate"]


def _scalar(v):
    return type(v) in (int, float, complex)


def _conj(d):
    """conj(d); a Python number stays a (weak) Python number, so float32 stays float32."""
    if _scalar(d):
        return d.conjugate()
    return np.conj(d)


def _to_input(g, v, zshape):
    """ḡ for input v of a broadcasting op: Re of it for a real v, summed to v's shape."""
    if not np.iscomplexobj(v):
        g = np.real(g)
    return sum_to(g, np.shape(v), zshape)


# ---- holomorphic binary ops: + − × ÷ and integer powers -------------------------------------

def _binary_twin(op):
    def vjp(g, needs, x, y, z):
        zshape = np.shape(z)
        out: list = []
        for need, d, v in zip(needs, (op.dx, op.dy), (x, y)):
            if not need:
                out.append(None)
                continue
            gv = g if d is ONE else -g if d is NEG_ONE else g * _conj(d(x, y, z))
            out.append(_to_input(gv, v, zshape))
        return tuple(out)

    def jvp(tangents, x, y, z):
        return op.jvp(tangents, x, y, z)    # ẇ = f_x·ẋ + f_y·ẏ: holomorphic, as for reals

    fwd = op.forward
    twin = primitive("complex_" + op.name, lambda x, y: fwd(x, y), vjp, jvp, save_out=True,
                     grad_name="Complex" + op.grad_name[:-len("Backward")],
                     doc=f"{op.name} with a complex operand: ḡ(x) = ḡ·conj(∂z/∂x) (Re of it "
                         f"for a real x), ż = ∂z/∂x·ẋ + ∂z/∂y·ẏ.")
    twin.cx = True
    return twin


def _route_to(twin):
    def route(op, args, params):
        return twin(*args, **params)
    return route


_op: Any     # (the loops below run over ops of every kind)
for _op in (_el.add, _el.subtract, _el.multiply, _el.divide):
    _op.cx = _route_to(_binary_twin(_op))
masked_multiply.cx = _el.multiply.cx        # (0·∞ = 0 masking is for real rules' kinks)

_complex_power = _binary_twin(_el.power)


def _power_route(op, args, params):
    x, y = args
    yv = y.data if isinstance(y, Tensor) else y
    traced = isinstance(y, Tensor) and (y._requires_grad or y._tangents is not None)
    # (y itself, not yv, in the integer test: on a Tensor it is ops and a guard when compiled)
    if traced or not np.isrealobj(yv) or not (np.mod(y, 1) == 0).all():
        raise TypeError(
            "power of a complex value that a gradient (or tangent) flows through: wengert "
            "differentiates only integer constant exponents of complex values (z**2, z**-1); "
            "take np.abs or np.real first, or .detach() if no gradient is needed")
    return _complex_power(x, y)


_el.power.cx = _power_route


# ---- holomorphic unary ops: square, exp ------------------------------------------------------

def _unary_twin(op):
    of_x = op.of == "x"

    def vjp(g, needs, x, y):
        return (g * _conj(op.deriv(x if of_x else y)),)

    def jvp(tangents, x, y):
        return tangents[0] * op.deriv(x if of_x else y)

    twin = primitive("complex_" + op.name, lambda x: op.forward(x), vjp, jvp, save_out=True,
                     grad_name="Complex" + op.grad_name[:-len("Backward")],
                     doc=f"{op.name} of a complex z: ḡ(z) = ḡ·conj(f′(z)), ẇ = f′(z)·ż.")
    twin.cx = True
    return twin


for _op in (_el.square, _el.exp):
    _op.cx = _route_to(_unary_twin(_op))


# ---- |z| ------------------------------------------------------------------------------------

def _zeros_to_one(r):
    """r with its zeros replaced by 1: z/r is then 0 at z = 0 (abs′(0) = 0)."""
    return np.where(r == 0, 1.0, r)


def _abs_vjp(g, needs, z, r):
    return (g * (z / _zeros_to_one(r)),)


def _abs_jvp(tangents, z, r):
    return np.real(np.conj(z) * tangents[0]) / _zeros_to_one(r)


_complex_abs = primitive("complex_absolute", lambda z: np.absolute(z), _abs_vjp, _abs_jvp,
                         save_out=True, grad_name="ComplexAbs",
                         doc="|z| of a complex z: ḡ(z) = ḡ·z/|z|, ṙ = Re(conj(z)·ż)/|z|; "
                             "both 0 at z = 0 (abs′(0) = 0).")
_complex_abs.cx = True
_el.absolute.cx = _route_to(_complex_abs)


# ---- real, imag, conj -----------------------------------------------------------------------

_real = linear("real", lambda z: np.real(z).copy(), lambda g, shape: g * (1 + 0j),
               doc="Re z of a complex z: ḡ(z) = ḡ (a complex number with no imaginary part).")
_imag = linear("imag", lambda z: np.imag(z).copy(), lambda g, shape: g * 1j,
               doc="Im z of a complex z: ḡ(z) = i·ḡ.")
conjugate = linear("conjugate", np.conjugate, lambda g, shape: np.conjugate(g), grad_name="Conj",
                   doc=("conj(z): ḡ(z) = conj(ḡ), ẇ = conj(ż); the identity on real input.\n\n"
                        "Examples\n"
                        "--------\n"
                        ">>> z = wg.tensor([1.0 + 2.0j])\n"
                        ">>> wg.conj(z)\n"
                        "tensor([1.-2.j], dtype=complex128)\n"
                        ">>> wg.grad(lambda x: wg.sum(wg.conj(x) * 3.0))(wg.tensor([1.0, 2.0]))\n"
                        "tensor([3., 3.])\n"))
conj = conjugate


def real(val):
    """The real part (np.real): the value itself for real input, as NumPy returns it.

    Examples
    --------
    >>> wg.real(wg.tensor([1.0, 2.0]))
    tensor([1., 2.])
    """
    if isinstance(val, Tensor):
        return _real(val) if val.data.dtype.kind == "c" else val
    return _make(np.asarray(np.real(val)), None)


def imag(val):
    """The imaginary part (np.imag): zeros, a constant, for real input.

    Examples
    --------
    >>> wg.imag(wg.tensor([1.0, 2.0]))
    tensor([0., 0.])
    """
    if isinstance(val, Tensor):
        if val.data.dtype.kind == "c":
            return _imag(val)
        return _make(np.zeros_like(val.data), None)
    return _make(np.asarray(np.imag(val)), None)


# ---- maps with real coefficients: their own transposes are right for complex cotangents -----

for _op in (_real, _imag, conjugate, _el.negative, _el.positive, _el.copy, _el._astype,
            _red._sum, _ix._getitem, _ix._scatter, _sh._reshape, _sh._permute, _sh._swapaxes,
            _sh._expand_dims, _sh._squeeze, _sh._broadcast_to, _sh._flip, _padding._pad):
    _op.cx = True


def _joining_twin(op):
    """concatenate/stack of complex and real tensors: the real ones are cast to the result's
    complex dtype first (astype's transpose then takes Re of their slices of ḡ)."""
    twin = primitive("complex_" + op.name, op.forward, op.vjp, op.jvp, save=(),
                     grad_name="Complex" + op.grad_name[:-len("Backward")],
                     doc=f"{op.name} with complex operands (real ones cast to complex first).")
    twin.cx = True

    def route(op, args, params):
        dtype = np.result_type(*[a.data if isinstance(a, Tensor) else a for a in args])
        args = [_el.astype(a, dtype) if isinstance(a, Tensor) and a.data.dtype != dtype
                else a for a in args]
        return twin(*args, **params)
    return route


for _op in (_sh._concatenate, _sh._stack):
    _op.cx = _joining_twin(_op)
