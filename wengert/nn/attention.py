"""Multi-head attention and the Transformer encoder layer, with torch.nn's names, signatures,
parameter names and shapes (so a torch state_dict loads as is).

Everything is composed of existing differentiable wengert ops (linear, matmul, reshape,
swapaxes, the max-shifted softmax, layer_norm, dropout), so it differentiates in both modes
and to any order without rules of its own.

The attention of one head, for queries Q (L, d), keys K (S, d) and values V (S, d):

    A = softmax(Q Kᵀ / √d + M)  (row-wise, over the S keys),   out = A V

where M is the additive mask: a float mask is added as given; a boolean mask contributes −∞
where it is True (True = "may not attend", as torch). The derivatives are those of the
composition: with P = softmax(Z), ∂L/∂Z = P ⊙ (G − Σⱼ G ⊙ P) for G = ∂L/∂P.

A query row whose every key is masked out (all of M's row is −∞) has no defined softmax:
torch returns NaN for it. Here it is a ValueError at the call instead, naming the rule, so a
NaN never enters the model unannounced. Give every query at least one key it may attend to
(for padded batches, one unmasked position per sequence).
"""
from __future__ import annotations

import math
from typing import Any, Callable, List, Optional, Tuple, Union

import numpy as np

from .. import creation
from ..tensor import Tensor
from . import functional as F
from . import init
from ._typing import DTypeLike, TensorLike
from .layers import Dropout, LayerNorm, Linear
from .module import Module, Parameter

__all__ = ["MultiheadAttention", "TransformerEncoderLayer"]


def _mask_values(mask: Any) -> np.ndarray:
    """The mask's values as a NumPy array (no graph), for checking."""
    if isinstance(mask, Tensor):
        return mask.numpy(force=True)
    return np.asarray(mask)


def _additive(mask: Any, name: str, dtype: Any) -> Tuple[Any, Tuple[int, ...]]:
    """A mask as an additive term: bool → 0 / −∞ (NumPy constant); float → itself (a Tensor
    mask stays in the graph, so a gradient through it is not lost)."""
    vals = _mask_values(mask)
    if vals.dtype == np.bool_:
        return np.where(vals, -np.inf, 0.0).astype(dtype), vals.shape
    if vals.dtype.kind != "f":
        raise TypeError(f"MultiheadAttention: {name} must be a boolean mask (True = masked out) "
                        f"or a floating mask (added to the scores), got dtype {vals.dtype}")
    if isinstance(mask, Tensor):
        return (mask if mask.dtype == dtype else mask.astype(dtype)), vals.shape
    return vals.astype(dtype), vals.shape


class MultiheadAttention(Module):
    """torch.nn.MultiheadAttention: num_heads heads of size d = embed_dim / num_heads.

    Parameters: in_proj_weight (3E, E) = [W_q; W_k; W_v] (Xavier-uniform), in_proj_bias (3E)
    (zeros), and out_proj, a Linear(E, E) with zero bias. For inputs of shape (L, N, E)
    ((N, L, E) when batch_first; (L, E) unbatched):

        Q = query W_qᵀ + b_q,  K = key W_kᵀ + b_k,  V = value W_vᵀ + b_v   (split into heads)
        Aₕ = dropout(softmax(Qₕ Kₕᵀ / √d + M)),  headₕ = Aₕ Vₕ
        attn_output = concat(head₁ … head_H) W_oᵀ + b_o

    forward returns (attn_output, attn_weights): attn_weights are the Aₕ (after dropout, as
    torch), of shape (N, L, S) averaged over heads, or (N, H, L, S) when
    average_attn_weights=False; None when need_weights=False.

    Masks: attn_mask of shape (L, S) or (N·H, L, S); key_padding_mask of shape (N, S)
    ((S,) unbatched). Boolean masks: True = masked out (adds −∞). Float masks are added to the
    scores. A query row with every key masked out is a ValueError (torch gives NaN there).

    kdim/vdim other than embed_dim, add_bias_kv and add_zero_attn are not supported: giving
    them anything but their defaults is a ValueError.

    Examples
    --------
    >>> mha = nn.MultiheadAttention(embed_dim=8, num_heads=2, batch_first=True)
    >>> x = wg.ones((3, 5, 8))
    >>> out, weights = mha(x, x, x)
    >>> out.shape, weights.shape
    ((3, 5, 8), (3, 5, 5))
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False,
                 kdim: Optional[int] = None, vdim: Optional[int] = None,
                 batch_first: bool = False, device: Optional[str] = None,
                 dtype: DTypeLike = None) -> None:
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"MultiheadAttention: embed_dim and num_heads must be positive, "
                             f"got embed_dim={embed_dim}, num_heads={num_heads}")
        if embed_dim % num_heads != 0:
            raise ValueError(f"MultiheadAttention: embed_dim ({embed_dim}) must be divisible "
                             f"by num_heads ({num_heads})")
        for name, v in (("kdim", kdim), ("vdim", vdim)):
            if v is not None and v != embed_dim:
                raise ValueError(f"MultiheadAttention: {name}={v} different from embed_dim is "
                                 f"not supported; project keys/values to embed_dim first")
        if add_bias_kv or add_zero_attn:
            raise ValueError("MultiheadAttention: add_bias_kv and add_zero_attn are not "
                             "supported; leave them False")
        if device not in (None, "cpu"):
            raise ValueError(f"MultiheadAttention: device={device!r} is not supported; "
                             f"wengert runs on the CPU (leave device=None)")
        if not 0.0 <= dropout <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {dropout}")
        dt = dtype or np.float32
        self.embed_dim = embed_dim
        self.kdim = embed_dim
        self.vdim = embed_dim
        self._qkv_same_embed_dim = True
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        self.in_proj_weight = Parameter(creation.empty((3 * embed_dim, embed_dim), dtype=dt))
        if bias:
            self.in_proj_bias = Parameter(creation.empty((3 * embed_dim,), dtype=dt))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, dtype=dt)
        self.bias_k: Optional[Tensor] = None
        self.bias_v: Optional[Tensor] = None
        self.add_zero_attn = False
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        init.xavier_uniform_(self.in_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)

    def _project(self, x: Tensor, i: int) -> Tensor:
        E = self.embed_dim
        w = self.in_proj_weight[i * E:(i + 1) * E]
        b = None if self.in_proj_bias is None else self.in_proj_bias[i * E:(i + 1) * E]
        return F.linear(x, w, b)

    def _heads(self, x: Tensor) -> Tensor:
        """(N, T, E) → (N, H, T, d)."""
        n, t, _ = x.shape
        return x.reshape(n, t, self.num_heads, self.head_dim).swapaxes(1, 2)

    def _check_inputs(self, query: Tensor, key: Tensor, value: Tensor) -> None:
        qs, ks, vs = query.shape, key.shape, value.shape
        if len(qs) not in (2, 3) or len(ks) != len(qs) or len(vs) != len(qs):
            raise ValueError(f"MultiheadAttention: query, key and value must all be 3-d "
                             f"(batched) or all 2-d (unbatched), got shapes {qs}, {ks}, {vs}")
        E = self.embed_dim
        if qs[-1] != E or ks[-1] != E or vs[-1] != E:
            raise ValueError(f"MultiheadAttention: the last axis of query, key and value must be "
                             f"embed_dim={E}, got shapes {qs}, {ks}, {vs}")
        if ks[:-1] != vs[:-1]:
            raise ValueError(f"MultiheadAttention: key and value must have the same shape but "
                             f"the last axis, got {ks} and {vs}")
        if len(qs) == 3:
            bq = qs[0] if self.batch_first else qs[1]
            bk = ks[0] if self.batch_first else ks[1]
            if bq != bk:
                raise ValueError(f"MultiheadAttention: query and key have different batch "
                                 f"sizes ({bq} and {bk}); shapes {qs} and {ks} "
                                 f"(batch_first={self.batch_first})")

    def _masks(self, n: int, L: int, S: int, dtype: Any, attn_mask: Any,
               key_padding_mask: Any, unbatched: bool) -> List[Any]:
        """The additive masks broadcastable to (N, H, L, S), after checking their shapes and
        that no query row is masked out entirely."""
        H = self.num_heads
        terms: List[Any] = []
        if attn_mask is not None:
            m, shape = _additive(attn_mask, "attn_mask", dtype)
            if shape == (L, S):
                terms.append(m)
            elif len(shape) == 3 and shape == (n * H, L, S):
                terms.append(m.reshape(n, H, L, S))
            else:
                raise ValueError(f"MultiheadAttention: attn_mask must have shape (L, S) = "
                                 f"{(L, S)} or (N·num_heads, L, S) = {(n * H, L, S)}, got {shape}")
        if key_padding_mask is not None:
            m, shape = _additive(key_padding_mask, "key_padding_mask", dtype)
            want = (S,) if unbatched else (n, S)
            if shape != want:
                raise ValueError(f"MultiheadAttention: key_padding_mask must have shape "
                                 f"{'(S,)' if unbatched else '(N, S)'} = {want}, got {shape}")
            terms.append(m.reshape(n, 1, 1, S))
        if terms:
            total = np.zeros((1, 1, L, S))
            for t in terms:
                total = total + _mask_values(t).astype(np.float64)
            dead = np.all(np.isneginf(total), axis=-1)
            if dead.any():
                idx = tuple(int(i) for i in np.argwhere(dead)[0])
                raise ValueError(
                    f"MultiheadAttention: a query has every key masked out (at (batch, head, "
                    f"query) = {idx}); its softmax is undefined (torch returns NaN). Leave at "
                    f"least one key unmasked for every query")
        return terms

    def forward(self, query: TensorLike, key: TensorLike, value: TensorLike,
                key_padding_mask: Optional[TensorLike] = None, need_weights: bool = True,
                attn_mask: Optional[TensorLike] = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> Tuple[Tensor, Optional[Tensor]]:
        """Attend from `query` to `key`/`value` (the formula in the class docstring).

        Parameters
        ----------
        query, key, value : Tensor
            (L, N, E), (S, N, E), (S, N, E) — batch first with batch_first=True — or 2-d
            unbatched.
        key_padding_mask : Tensor, optional
            (N, S): True (or −∞) where a key is padding.
        need_weights, average_attn_weights : bool
            Whether to return the attention weights, and whether averaged over heads.
        attn_mask : Tensor, optional
            (L, S) or (N·num_heads, L, S), boolean or additive.
        is_causal : bool
            A hint that attn_mask is causal; attn_mask must still be given.

        Returns
        -------
        (attn_output, attn_weights)
            attn_output of the query's layout; attn_weights (N, L, S) or (N, H, L, S), or
            None when need_weights=False.
        """
        query, key, value = (x if isinstance(x, Tensor) else creation.tensor(x)
                             for x in (query, key, value))
        assert isinstance(query, Tensor) and isinstance(key, Tensor) and isinstance(value, Tensor)
        self._check_inputs(query, key, value)
        if is_causal and attn_mask is None:
            raise ValueError("MultiheadAttention: is_causal=True is a hint that attn_mask is "
                             "causal; pass the causal attn_mask as well")
        unbatched = query.ndim == 2
        if unbatched:
            query, key, value = (x.reshape((1,) + x.shape) for x in (query, key, value))
        elif not self.batch_first:
            query, key, value = (x.swapaxes(0, 1) for x in (query, key, value))
        n, L, E = query.shape
        S = key.shape[1]
        q = self._heads(self._project(query, 0))
        k = self._heads(self._project(key, 1))
        v = self._heads(self._project(value, 2))
        scores = (q @ k.swapaxes(-1, -2)) * (1.0 / math.sqrt(self.head_dim))
        for m in self._masks(n, L, S, scores.dtype, attn_mask, key_padding_mask, unbatched):
            scores = scores + m
        attn = F.softmax(scores, dim=-1)
        attn = F.dropout(attn, p=self.dropout, training=self.training)
        out = (attn @ v).swapaxes(1, 2).reshape(n, L, E)
        out = self.out_proj(out)
        if unbatched:
            out = out.reshape(L, E)
        elif not self.batch_first:
            out = out.swapaxes(0, 1)
        if not need_weights:
            return out, None
        if average_attn_weights:
            attn = attn.mean(axis=1)
        if unbatched:
            attn = attn.reshape(attn.shape[1:])
        return out, attn

    def extra_repr(self) -> str:
        """embed_dim, num_heads, dropout and batch_first."""
        return (f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, "
                f"dropout={self.dropout}, batch_first={self.batch_first}")


_ACTIVATIONS: "dict[str, Callable[[Any], Tensor]]" = {"relu": F.relu, "gelu": F.gelu}


class TransformerEncoderLayer(Module):
    """torch.nn.TransformerEncoderLayer: self-attention and a feed-forward block, each with a
    residual connection and a LayerNorm.

        sa(x) = dropout1(self_attn(x, x, x, attn_mask=src_mask,
                                   key_padding_mask=src_key_padding_mask)[0])
        ff(x) = dropout2(linear2(dropout(activation(linear1(x)))))

    post-norm (norm_first=False):  x = norm1(x + sa(x));  x = norm2(x + ff(x))
    pre-norm  (norm_first=True):   x = x + sa(norm1(x));  x = x + ff(norm2(x))

    activation is 'relu', 'gelu' or a callable. Masks follow MultiheadAttention (a query with
    every key masked out is a ValueError).

    Examples
    --------
    >>> layer = nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16,
    ...                                    batch_first=True)
    >>> layer(wg.ones((3, 5, 8))).shape
    (3, 5, 8)
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1,
                 activation: Union[str, Callable[[Any], Tensor]] = "relu",
                 layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device: Optional[str] = None,
                 dtype: DTypeLike = None) -> None:
        super().__init__()
        if isinstance(activation, str):
            if activation not in _ACTIVATIONS:
                raise ValueError(f"TransformerEncoderLayer: activation should be 'relu' or "
                                 f"'gelu' (or a callable), not {activation!r}")
            activation = _ACTIVATIONS[activation]
        elif not callable(activation):
            raise ValueError(f"TransformerEncoderLayer: activation should be 'relu', 'gelu' or "
                             f"a callable, got {activation!r}")
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                            batch_first=batch_first, device=device, dtype=dtype)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = activation
        self.batch_first = batch_first

    def _sa_block(self, x: Tensor, attn_mask: Any, key_padding_mask: Any) -> Tensor:
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           need_weights=False)[0]
        return self.dropout1(x)

    def _ff_block(self, x: Tensor) -> Tensor:
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    def forward(self, src: Tensor, src_mask: Optional[TensorLike] = None,
                src_key_padding_mask: Optional[TensorLike] = None,
                is_causal: bool = False) -> Tensor:
        """The encoder layer applied to `src` (post-norm or pre-norm, as in the class
        docstring); masks as MultiheadAttention's attn_mask and key_padding_mask."""
        if is_causal and src_mask is None:
            raise ValueError("TransformerEncoderLayer: is_causal=True is a hint that src_mask "
                             "is causal; pass the causal src_mask as well")
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask))
            x = self.norm2(x + self._ff_block(x))
        return x
