"""Recurrent layers with torch.nn's names, signatures, parameter names and shapes: RNN, LSTM
and GRU.

Each is a Python loop over time steps of existing differentiable wengert ops (linear,
sigmoid, tanh, relu, stack), so reverse mode, forward mode and higher orders come from
those ops' rules. For layer k, with x_t its input at step t and h the previous hidden state
(gates stacked along the first axis of the weights in PyTorch's order):

RNN:  h' = act(W_ih x_t + b_ih + W_hh h + b_hh), act = tanh or relu.
LSTM: i, f, g, o = σ, σ, tanh, σ of the four row blocks of W_ih x_t + b_ih + W_hh h + b_hh;
      c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c').
GRU:  r, z = σ of the first two blocks of W_ih x_t + b_ih + W_hh h + b_hh;
      n = tanh(W_in x_t + b_in + r ⊙ (W_hn h + b_hn)); h' = (1 − z) ⊙ n + z ⊙ h.

Every parameter starts as U(−1/√hidden_size, 1/√hidden_size) from wengert's generator
(`wg.manual_seed` makes it reproducible).
"""
import math
import numbers

import numpy as np

from .. import creation
from ..ops.elementwise import tanh as _tanh
from ..ops.nn import linear as _linear, relu as _relu, sigmoid as _sigmoid
from ..ops.shape import moveaxis, stack
from . import functional as F
from . import init
from ._reduction import _tensor
from .module import Module, Parameter

__all__ = ["RNN", "LSTM", "GRU", "rnn_forward"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh, act):
    return act(_linear(x, w_ih, b_ih) + _linear(h, w_hh, b_hh))


def _lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh):
    h, c = state
    gates = _linear(x, w_ih, b_ih) + _linear(h, w_hh, b_hh)
    n = h.shape[-1]
    i = _sigmoid(gates[..., 0:n])
    f = _sigmoid(gates[..., n:2 * n])
    g = _tanh(gates[..., 2 * n:3 * n])
    o = _sigmoid(gates[..., 3 * n:4 * n])
    c2 = f * c + i * g
    return o * _tanh(c2), c2


def _gru_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    gi = _linear(x, w_ih, b_ih)
    gh = _linear(h, w_hh, b_hh)
    n = h.shape[-1]
    r = _sigmoid(gi[..., 0:n] + gh[..., 0:n])
    z = _sigmoid(gi[..., n:2 * n] + gh[..., n:2 * n])
    cand = _tanh(gi[..., 2 * n:3 * n] + r * gh[..., 2 * n:3 * n])
    return (1 - z) * cand + z * h


def rnn_forward(mode, input, hx, weights, num_layers, dropout=0.0, training=False):
    """The recurrence of `mode` ('RNN_TANH', 'RNN_RELU', 'LSTM', 'GRU') over `input` of shape
    (seq, batch, input_size). `weights` is a list of per-layer tuples (w_ih, w_hh, b_ih, b_hh),
    biases None when absent. `hx` is (num_layers, batch, hidden) — for LSTM a pair (h0, c0).
    Returns (output, h_n) or, for LSTM, (output, (h_n, c_n)). Dropout of probability
    `dropout` is applied to the outputs of every layer but the last when `training`."""
    x_seq = [input[t] for t in range(input.shape[0])]
    h_n, c_n = [], []
    for k in range(num_layers):
        w_ih, w_hh, b_ih, b_hh = weights[k]
        if mode == "LSTM":
            state = (hx[0][k], hx[1][k])
        else:
            state = hx[k]
        outs = []
        for x in x_seq:
            if mode == "LSTM":
                state = _lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh)
                outs.append(state[0])
            elif mode == "GRU":
                state = _gru_cell(x, state, w_ih, w_hh, b_ih, b_hh)
                outs.append(state)
            else:
                act = _tanh if mode == "RNN_TANH" else _relu
                state = _rnn_cell(x, state, w_ih, w_hh, b_ih, b_hh, act)
                outs.append(state)
        if mode == "LSTM":
            h_n.append(state[0])
            c_n.append(state[1])
        else:
            h_n.append(state)
        if k < num_layers - 1 and dropout > 0 and training:
            outs = [F.dropout(o, dropout, True) for o in outs]
        x_seq = outs
    output = stack(x_seq, axis=0)
    if mode == "LSTM":
        return output, (stack(h_n, axis=0), stack(c_n, axis=0))
    return output, stack(h_n, axis=0)


def _check_size(name, v, minimum):
    if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {v!r}")
    return int(v)


class RNNBase(Module):
    """The shared machinery: parameters weight_ih_l{k} (gates·hidden_size, in_k),
    weight_hh_l{k} (gates·hidden_size, hidden_size), bias_ih_l{k} and bias_hh_l{k}
    (gates·hidden_size,), where in_0 = input_size and in_k = hidden_size after."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, dtype=None):
        super().__init__()
        if bidirectional:
            raise ValueError("bidirectional is not supported yet: use bidirectional=False "
                             "(or run a second module on the time-reversed input)")
        self.mode = mode
        self.input_size = _check_size("input_size", input_size, 0)
        self.hidden_size = _check_size("hidden_size", hidden_size, 1)
        self.num_layers = _check_size("num_layers", num_layers, 1)
        if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real) \
                or not 0 <= dropout <= 1:  # type: ignore[operator]  # typeshed's numbers ABCs: no order with int
            raise ValueError(f"dropout should be a number in range [0, 1] representing the "
                             f"probability of an element being zeroed, got {dropout!r}")
        self.bias = bool(bias)
        self.batch_first = bool(batch_first)
        self.dropout = float(dropout)
        self.bidirectional = False
        dt = dtype or np.float32
        g = _GATES[mode] * self.hidden_size
        for k in range(self.num_layers):
            in_k = self.input_size if k == 0 else self.hidden_size
            setattr(self, f"weight_ih_l{k}", Parameter(creation.empty((g, in_k), dtype=dt)))
            setattr(self, f"weight_hh_l{k}",
                    Parameter(creation.empty((g, self.hidden_size), dtype=dt)))
            if self.bias:
                setattr(self, f"bias_ih_l{k}", Parameter(creation.empty((g,), dtype=dt)))
                setattr(self, f"bias_hh_l{k}", Parameter(creation.empty((g,), dtype=dt)))
        self.reset_parameters()

    def _weight_names(self, k):
        names = [f"weight_ih_l{k}", f"weight_hh_l{k}"]
        if self.bias:
            names += [f"bias_ih_l{k}", f"bias_hh_l{k}"]
        return names

    def reset_parameters(self):
        bound = 1.0 / math.sqrt(self.hidden_size)
        for k in range(self.num_layers):
            for name in self._weight_names(k):
                init.uniform_(getattr(self, name), -bound, bound)

    def _layer_weights(self):
        out = []
        for k in range(self.num_layers):
            w_ih = getattr(self, f"weight_ih_l{k}")
            w_hh = getattr(self, f"weight_hh_l{k}")
            if self.bias:
                out.append((w_ih, w_hh, getattr(self, f"bias_ih_l{k}"),
                            getattr(self, f"bias_hh_l{k}")))
            else:
                out.append((w_ih, w_hh, None, None))
        return out

    def _check_state(self, h, name, batch, batched):
        h = _tensor(h)
        want = ((self.num_layers, batch, self.hidden_size) if batched
                else (self.num_layers, self.hidden_size))
        if tuple(h.shape) != want:
            raise ValueError(f"Expected {name} of shape {want}, got {tuple(h.shape)}")
        return h if batched else h[:, None, :]

    def forward(self, input, hx=None):
        x = _tensor(input)
        if x.ndim not in (2, 3):
            raise ValueError(f"{type(self).__name__}: Expected input to be 2-D (unbatched) or "
                             f"3-D, got {x.ndim}-D input of shape {tuple(x.shape)}")
        batched = x.ndim == 3
        if not batched:
            x = x[:, None, :]
        elif self.batch_first:
            x = moveaxis(x, 0, 1)
        if x.shape[-1] != self.input_size:
            raise ValueError(f"input.size(-1) must be equal to input_size. Expected "
                             f"{self.input_size}, got {x.shape[-1]}")
        batch = x.shape[1]
        dt = self.weight_ih_l0.dtype
        if x.dtype != dt and x.dtype.kind != "f":
            x = x.astype(dt)
        zeros = lambda: creation.zeros((self.num_layers, batch, self.hidden_size), dtype=dt)
        if self.mode == "LSTM":
            if hx is None:
                state = (zeros(), zeros())
            else:
                if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                    raise ValueError("LSTM expects hx as a tuple (h_0, c_0)")
                state = (self._check_state(hx[0], "h_0", batch, batched),
                         self._check_state(hx[1], "c_0", batch, batched))
        else:
            state = zeros() if hx is None else self._check_state(hx, "hx", batch, batched)  # type: ignore[assignment]
        output, h = rnn_forward(self.mode, x, state, self._layer_weights(), self.num_layers,
                                self.dropout, self.training)
        if not batched:
            output = output[:, 0, :]
            h = (h[0][:, 0, :], h[1][:, 0, :]) if self.mode == "LSTM" else h[:, 0, :]
        elif self.batch_first:
            output = moveaxis(output, 0, 1)
        return output, h

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        return s


class RNN(RNNBase):
    """Elman RNN: h_t = act(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh), act = tanh or relu."""

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             f"'relu'.")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         dtype)
        self.nonlinearity = nonlinearity

    def extra_repr(self):
        s = super().extra_repr()
        return s + (", nonlinearity='relu'" if self.nonlinearity == "relu" else "")


class LSTM(RNNBase):
    """Long short-term memory; gates i, f, g, o stacked in that order in the weights."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, dtype)


class GRU(RNNBase):
    """Gated recurrent unit; gates r, z, n stacked in that order in the weights."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, dtype)
