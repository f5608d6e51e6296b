"""wengert: automatic differentiation for NumPy code.

Reverse mode on a graph built on the fly (requires_grad, .backward(), .grad), NumPy's names
and semantics throughout. `import wengert as wg`.
"""
import sys

from ._version import version as _version

__version__ = _version()
del _version
from . import dtypes
from .dtypes import (bool_, can_cast, finfo, float16, float32, float64, iinfo, int8, int16,
                     int32, int64, result_type, uint8)
from .tensor import Tensor
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .creation import (arange, asarray, empty, empty_like, eye, full, full_like, linspace,
                       manual_seed, ones, ones_like, rand, randint, randn, tensor, zeros,
                       zeros_like)
from .ops import registry as _registry
# Each op family lists its public names in its __all__ (abs, sum, round… shadow builtins
# on purpose: this is NumPy's namespace).
from .ops.elementwise import *  # noqa: F401,F403
from .ops.reduction import *  # noqa: F401,F403
from .ops.cumulative import *  # noqa: F401,F403
from .ops.shape import *  # noqa: F401,F403
from .ops.padding import *  # noqa: F401,F403
from .ops.indexing import *  # noqa: F401,F403
from .ops.linalg import *  # noqa: F401,F403
from .ops.nn import *  # noqa: F401,F403
from .ops.statistics import *  # noqa: F401,F403
from .ops.nanreductions import *  # noqa: F401,F403
from .ops.differences import *  # noqa: F401,F403
from .ops.assemble import *  # noqa: F401,F403
from .ops.rearrange import *  # noqa: F401,F403
from .ops.products import *  # noqa: F401,F403
from .ops.signal import *  # noqa: F401,F403
from .ops.ufuncs_more import *  # noqa: F401,F403
from .ops.writes import *  # noqa: F401,F403
from .ops.setops import *  # noqa: F401,F403
from .ops.functional import *  # noqa: F401,F403
from .ops.polynomials import *  # noqa: F401,F403
from .ops.complex import *  # noqa: F401,F403
from . import autograd, linalg  # noqa: F401
from . import fft  # noqa: F401
from .transforms import grad, value_and_grad, vjp, jvp, linearize, jacrev, jacfwd, jacobian, hessian, hvp  # noqa: F401
from .compile import compile  # noqa: F401,A001
from .forward import dual  # noqa: F401
from .ops.checkpoint import checkpoint  # noqa: F401
from .ops.function import Function  # noqa: F401
from .engine.anomaly import detect_anomaly  # noqa: F401
from .checking import GradcheckError, gradcheck, numerical_grad  # noqa: F401

newaxis = None
pi = 3.141592653589793
e = 2.718281828459045
inf = float("inf")
nan = float("nan")

from .ops import install_numpy_dispatch as _install  # noqa: E402

def _namespace(self, api_version=None):
    """The array API's namespace of a Tensor: this package."""
    return sys.modules[__name__]


Tensor.__array_namespace__ = _namespace   # (set here: the tensor module imports no user of it)

_install({k: v for k, v in globals().items() if not k.startswith("_")},
         {k: v for k, v in vars(linalg).items() if not k.startswith("_")},
         {k: v for k, v in vars(fft).items() if not k.startswith("_")})
del _install

# Subpackages whose names must not enter NumPy's dispatch table (np.save is not wg.save).
from . import nn, optim, symbolic, tape, viz  # noqa: E402,F401
from . import special  # noqa: E402,F401
from . import utils  # noqa: E402,F401
from . import func  # noqa: E402,F401
from .serialization import load, save  # noqa: E402,F401

# PyTorch's names (API §10), after the NumPy dispatch table is filled: np.sum(t, axis=…) keeps
# calling the NumPy-named op directly; wg.sum & co. also take dim=/keepdim= (torch_names.py).
from .ops.torch_ops import *  # noqa: E402,F401,F403
from .ops.torch_indexing import *  # noqa: E402,F401,F403
from .ops.torch_math import *  # noqa: E402,F401,F403
from .ops.values_indices import *  # noqa: E402,F401,F403
from . import cuda  # noqa: E402,F401
from . import torch_names as _torch_names  # noqa: E402
globals().update(_torch_names.dim_aware(globals()))
for _sub in (linalg, fft):
    for _name, _f in _torch_names.dim_aware(vars(_sub), special=False).items():
        setattr(_sub, _name, _f)
del _sub, _name, _f
from .torch_names import *  # noqa: E402,F401,F403  (float, int, bool: PyTorch's dtype names)
