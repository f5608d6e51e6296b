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
from __future__ import annotations

import math
import numbers
from typing import Any, Callable, List, Optional, Sequence, Tuple, Union

import numpy as np

from .. import creation
from ..ops.elementwise import tanh as _tanh
from ..ops.nn import linear as _linear, relu as _relu, sigmoid as _sigmoid
from ..ops.shape import concatenate, moveaxis, stack
from . import functional as F
from . import init
from ..tensor import Tensor
from ._reduction import _tensor
from ._typing import DTypeLike, TensorLike
from .module import Module, Parameter

__all__ = ["RNN", "LSTM", "GRU", "rnn_forward"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}

# (w_ih, w_hh, b_ih, b_hh) of one layer, the biases None when absent
LayerWeights = Tuple[Tensor, Tensor, Optional[Tensor], Optional[Tensor]]
# the hidden state: h, or (h, c) for an LSTM
State = Union[Tensor, Tuple[Tensor, Tensor]]


def _rnn_cell(x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Optional[Tensor],
              b_hh: Optional[Tensor], act: Callable[[Any], Tensor]) -> Tensor:
    return act(_linear(x, w_ih, b_ih) + _linear(h, w_hh, b_hh))


def _lstm_cell(x: Tensor, state: Tuple[Tensor, Tensor], w_ih: Tensor, w_hh: Tensor,
               b_ih: Optional[Tensor], b_hh: Optional[Tensor]) -> Tuple[Tensor, Tensor]:
    h, c = state
    gates = _linear(x, w_ih, b_ih) + _linear(h, w_hh, b_hh)
    n = h.shape[-1]
    i = _sigmoid(gates[..., 0:n])
    f = _sigmoid(gates[..., n:2 * n])
    g = _tanh(gates[..., 2 * n:3 * n])
    o = _sigmoid(gates[..., 3 * n:4 * n])
    c2 = f * c + i * g
    return o * _tanh(c2), c2


def _gru_cell(x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Optional[Tensor],
              b_hh: Optional[Tensor]) -> Tensor:
    gi = _linear(x, w_ih, b_ih)
    gh = _linear(h, w_hh, b_hh)
    n = h.shape[-1]
    r = _sigmoid(gi[..., 0:n] + gh[..., 0:n])
    z = _sigmoid(gi[..., n:2 * n] + gh[..., n:2 * n])
    cand = _tanh(gi[..., 2 * n:3 * n] + r * gh[..., 2 * n:3 * n])
    return (1 - z) * cand + z * h


def _run_direction(mode, x_seq, state, w_ih, w_hh, b_ih, b_hh):
    """One direction of one layer over the list of steps `x_seq`: (outputs, final state)."""
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
    return outs, state


def rnn_forward(mode: str, input: Tensor, hx: State, weights: Sequence[LayerWeights],
                num_layers: int, dropout: float = 0.0, training: bool = False,
                bidirectional: bool = False) -> Tuple[Tensor, State]:
    """The recurrence of `mode` ('RNN_TANH', 'RNN_RELU', 'LSTM', 'GRU') over `input` of shape
    (seq, batch, input_size). `weights` is a list of tuples (w_ih, w_hh, b_ih, b_hh), biases
    None when absent, one per layer and direction: layer 0, (layer 0 reverse,) layer 1, ...
    `hx` is (num_layers·D, batch, hidden) in that order — for LSTM a pair (h0, c0) — where
    D = 2 when `bidirectional`, else 1. Returns (output, h_n) or, for LSTM,
    (output, (h_n, c_n)); output is (seq, batch, D·hidden).

    Bidirectional: the reverse direction runs over the steps from last to first; at each step
    t the output is [forward h_t, reverse h_t] (concatenated), the reverse h_n is its state
    after step 0, and the next layer reads the concatenation. Dropout of probability
    `dropout` is applied to the outputs of every layer but the last when `training`."""
    x_seq = [input[t] for t in range(input.shape[0])]
    dirs = 2 if bidirectional else 1
    h_n, c_n = [], []
    for k in range(num_layers):
        per_dir = []
        for d in range(dirs):
            j = k * dirs + d
            state = (hx[0][j], hx[1][j]) if mode == "LSTM" else hx[j]
            steps = x_seq if d == 0 else x_seq[::-1]
            outs, state = _run_direction(mode, steps, state, *weights[j])
            per_dir.append(outs if d == 0 else outs[::-1])
            if mode == "LSTM":
                h_n.append(state[0])
                c_n.append(state[1])
            else:
                h_n.append(state)
        outs = (per_dir[0] if dirs == 1
                else [concatenate([a, b], axis=-1) for a, b in zip(*per_dir)])
        if k < num_layers - 1 and dropout > 0 and training:
            outs = [F.dropout(o, dropout, True) for o in outs]
        x_seq = outs
    output = stack(x_seq, axis=0)
    if mode == "LSTM":
        return output, (stack(h_n, axis=0), stack(c_n, axis=0))
    return output, stack(h_n, axis=0)


def _check_size(name: str, v: Any, minimum: int) -> int:
    if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {v!r}")
    return int(v)


class RNNBase(Module):
    """The shared machinery: parameters weight_ih_l{k} (gates·hidden_size, in_k),
    weight_hh_l{k} (gates·hidden_size, hidden_size), bias_ih_l{k} and bias_hh_l{k}
    (gates·hidden_size,), where in_0 = input_size and in_k = D·hidden_size after (D = 2 when
    bidirectional, else 1). Bidirectional modules have a second set named with the suffix
    `_reverse` (weight_ih_l0_reverse, ...); the output's last axis is D·hidden_size, forward
    half first, and h_n (c_n) holds num_layers·D states: layer 0, layer 0 reverse, layer 1 ...

    The gradient of a loss on the outputs flows back through every time step (backprop
    through time), from the ops the recurrence is made of."""

    bias: bool
    batch_first: bool
    dropout: float

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, dtype: DTypeLike = None) -> None:
        super().__init__()
        self.mode = mode
        self.input_size = _check_size("input_size", input_size, 0)
        self.hidden_size = _check_size("hidden_size", hidden_size, 1)
        self.num_layers = _check_size("num_layers", num_layers, 1)
        if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real) \
                or not 0 <= dropout <= 1:
            raise ValueError(f"dropout should be a number in range [0, 1] representing the "
                             f"probability of an element being zeroed, got {dropout!r}")
        self.bias = bool(bias)
        self.batch_first = bool(batch_first)
        self.dropout = float(dropout)
        self.bidirectional: bool = bool(bidirectional)
        dirs = 2 if self.bidirectional else 1
        dt = dtype or np.float32
        g = _GATES[mode] * self.hidden_size
        for k in range(self.num_layers):
            in_k = self.input_size if k == 0 else self.hidden_size * dirs
            for sfx in ("", "_reverse")[:dirs]:
                setattr(self, f"weight_ih_l{k}{sfx}",
                        Parameter(creation.empty((g, in_k), dtype=dt)))
                setattr(self, f"weight_hh_l{k}{sfx}",
                        Parameter(creation.empty((g, self.hidden_size), dtype=dt)))
                if self.bias:
                    setattr(self, f"bias_ih_l{k}{sfx}", Parameter(creation.empty((g,), dtype=dt)))
                    setattr(self, f"bias_hh_l{k}{sfx}", Parameter(creation.empty((g,), dtype=dt)))
        self.reset_parameters()

    def _weight_names(self, k, sfx=""):
        names = [f"weight_ih_l{k}{sfx}", f"weight_hh_l{k}{sfx}"]
        if self.bias:
            names += [f"bias_ih_l{k}{sfx}", f"bias_hh_l{k}{sfx}"]
        return names

    def _suffixes(self):
        return ("", "_reverse") if self.bidirectional else ("",)

    def reset_parameters(self) -> None:
        """Draw every weight and bias afresh from U(−1/√hidden_size, 1/√hidden_size)."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for k in range(self.num_layers):
            for sfx in self._suffixes():
                for name in self._weight_names(k, sfx):
                    init.uniform_(getattr(self, name), -bound, bound)

    def _layer_weights(self) -> List[LayerWeights]:
        out: List[LayerWeights] = []
        for k in range(self.num_layers):
            for sfx in self._suffixes():
                ws = [getattr(self, name) for name in self._weight_names(k, sfx)]
                out.append(tuple(ws) if self.bias else (*ws, None, None))
        return out

    def _check_state(self, h: TensorLike, name: str, batch: int, batched: bool) -> Tensor:
        h = _tensor(h)
        n = self.num_layers * (2 if self.bidirectional else 1)
        want = ((n, batch, self.hidden_size) if batched else (n, self.hidden_size))
        if tuple(h.shape) != want:
            raise ValueError(f"Expected {name} of shape {want}, got {tuple(h.shape)}")
        return h if batched else h[:, None, :]

    def forward(self, input: TensorLike,
                hx: Optional[Union[TensorLike, Tuple[TensorLike, TensorLike]]] = None
                ) -> Tuple[Tensor, State]:
        """Run the recurrence over a sequence.

        Parameters
        ----------
        input : Tensor
            (seq, batch, input_size), or (batch, seq, input_size) with batch_first, or
            (seq, input_size) unbatched.
        hx : Tensor or (Tensor, Tensor), optional
            The initial hidden state (num_layers, batch, hidden_size) — for LSTM the pair
            (h_0, c_0); zeros when None.

        Returns
        -------
        (output, h_n)
            output holds the last layer's h_t for every t (same layout as input); h_n the
            final state of every layer (for LSTM the pair (h_n, c_n)).
        """
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
        n_states = self.num_layers * (2 if self.bidirectional else 1)
        zeros = lambda: creation.zeros((n_states, batch, self.hidden_size), dtype=dt)
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
                                self.dropout, self.training, self.bidirectional)
        if not batched:
            output = output[:, 0, :]
            h = (h[0][:, 0, :], h[1][:, 0, :]) if isinstance(h, tuple) else h[:, 0, :]
        elif self.batch_first:
            output = moveaxis(output, 0, 1)
        return output, h

    def extra_repr(self) -> str:
        """Sizes, and the arguments that differ from the defaults."""
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


class RNN(RNNBase):
    """Elman RNN: h_t = act(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh), act = tanh or relu.

    Examples
    --------
    >>> rnn = nn.RNN(input_size=3, hidden_size=5, num_layers=2)
    >>> out, h_n = rnn(wg.ones((7, 4, 3)))
    >>> out.shape, h_n.shape
    ((7, 4, 5), (2, 4, 5))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False,
                 dtype: DTypeLike = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             f"'relu'.")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         dtype)
        self.nonlinearity = nonlinearity

    def extra_repr(self) -> str:
        """As RNNBase's, with nonlinearity='relu' when set."""
        s = super().extra_repr()
        return s + (", nonlinearity='relu'" if self.nonlinearity == "relu" else "")


class LSTM(RNNBase):
    """Long short-term memory; gates i, f, g, o stacked in that order in the weights.

    i, f, o = σ(·), g = tanh(·) of the row blocks of W_ih x_t + b_ih + W_hh h_{t−1} + b_hh;
    c_t = f ⊙ c_{t−1} + i ⊙ g, h_t = o ⊙ tanh(c_t).

    Examples
    --------
    >>> lstm = nn.LSTM(3, 5, batch_first=True)
    >>> out, (h_n, c_n) = lstm(wg.ones((4, 7, 3)))
    >>> out.shape, h_n.shape, c_n.shape
    ((4, 7, 5), (1, 4, 5), (1, 4, 5))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, dtype: DTypeLike = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, dtype)


class GRU(RNNBase):
    """Gated recurrent unit; gates r, z, n stacked in that order in the weights.

    r, z = σ(·) of the first two row blocks of W_ih x_t + b_ih + W_hh h_{t−1} + b_hh;
    n = tanh(W_in x_t + b_in + r ⊙ (W_hn h_{t−1} + b_hn)); h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}.

    Examples
    --------
    >>> out, h_n = nn.GRU(3, 5)(wg.ones((7, 3)))
    >>> out.shape, h_n.shape
    ((7, 5), (1, 5))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, dtype: DTypeLike = None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, dtype)
