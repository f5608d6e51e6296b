"""wengert: automatic differentiation for NumPy code.

Reverse mode on a graph built on the fly (requires_grad, .backward(), .grad), NumPy's names
and semantics throughout. `import wengert as wg`.
"""
from . import dtypes
from .dtypes import (bool_, can_cast, finfo, float16, float32, float64, iinfo, int8, int16,
                     int32, int64, result_type, uint8)
from .tensor import Tensor
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .creation import (arange, asarray, empty, empty_like, eye, full, full_like, linspace,
                       manual_seed, ones, ones_like, rand, randint, randn, tensor, zeros,
                       zeros_like)
from .ops import registry as _registry
from .ops.elementwise import *  # noqa: F401,F403
from .ops.elementwise import abs, pow, round  # noqa: F401  (shadow builtins on purpose)
from .ops.reduction import mean, sum  # noqa: F401
from .ops.shape import (broadcast_to, expand_dims, permute_dims, reshape, squeeze,  # noqa: F401
                        swapaxes, transpose)
from .ops.indexing import getitem, setitem  # noqa: F401
from .ops.linalg import matmul  # noqa: F401
from . import autograd, linalg  # noqa: F401
from .engine.anomaly import detect_anomaly  # noqa: F401

newaxis = None
pi = 3.141592653589793
e = 2.718281828459045
inf = float("inf")
nan = float("nan")

from .ops import install_numpy_dispatch as _install  # noqa: E402

_install({k: v for k, v in globals().items() if not k.startswith("_")},
         {k: v for k, v in vars(linalg).items() if not k.startswith("_")})
del _install
