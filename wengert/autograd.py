"""`wg.autograd`: the functional entry to reverse mode, and the custom-op base class."""
from .engine.backward import backward, grad  # noqa: F401
from .engine.anomaly import detect_anomaly  # noqa: F401
from .ops.checkpoint import checkpoint  # noqa: F401
from .ops.function import Function, FunctionCtx  # noqa: F401
