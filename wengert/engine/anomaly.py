"""detect_anomaly(): stop at the first op, forward or backward, whose output holds NaN."""
import numpy as np


class _State:
    # process-wide, not per thread: every op reads it, and a plain attribute is the cheapest
    __slots__ = ("enabled",)
    enabled: bool


state = _State()
state.enabled = False


class detect_anomaly:
    """Context manager (and decorator): raise RuntimeError at the first NaN.

    A forward op whose output holds NaN raises naming the op; a backward op whose gradient
    holds NaN raises naming the backward op and the forward op that created it. Infinities
    in the forward pass (log(0)) are allowed: they are legitimate values.

    Examples
    --------
    >>> x = wg.tensor(-1.0, requires_grad=True)
    >>> with wg.detect_anomaly(), np.errstate(invalid="ignore"):
    ...     y = wg.sqrt(x)
    Traceback (most recent call last):
        ...
    RuntimeError: Anomaly detected: the forward op 'sqrt' returned NaN values in its out...
    """

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self._prev = state.enabled
        state.enabled = self.check_nan

    def __exit__(self, *exc):
        state.enabled = self._prev
        return False

    def __call__(self, func):
        import functools

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check_nan):
                return func(*args, **kwargs)
        return wrapper


def _has_nan(v):
    data = getattr(v, "data", v)
    if isinstance(data, tuple):
        return any(_has_nan(d) for d in data if d is not None)
    a = np.asarray(data)
    return a.dtype.kind in "fc" and bool(np.isnan(a).any())


def check_forward(op, out):
    if _has_nan(out):
        raise RuntimeError(f"Anomaly detected: the forward op '{op.name}' returned NaN values in its output.")


def check_backward(node, grads):
    for i, g in enumerate(grads):
        if g is not None and _has_nan(g):
            raise RuntimeError(
                f"Anomaly detected: function '{node.op.grad_name}' returned NaN values in its "
                f"gradient for input {i}; it was created by the forward op '{node.op.name}'.")
