"""Grad mode: whether ops record the graph. Per thread, like PyTorch."""
import functools
import threading


class _State(threading.local):
    enabled = True          # class attribute: every new thread starts with grad enabled


state = _State()


def is_grad_enabled():
    return state.enabled


class _GradMode:
    """Context manager and decorator (with or without parentheses) setting grad mode."""

    _value = True

    def __new__(cls, func=None):
        self = super().__new__(cls)
        if func is not None and callable(func):     # bare @no_grad
            return self(func)
        return self

    def __enter__(self):
        self._prev = state.enabled
        state.enabled = self._value

    def __exit__(self, *exc):
        state.enabled = self._prev
        return False

    def __call__(self, func):
        mode = type(self)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with mode():
                return func(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):
    """Ops inside record nothing: results never require grad."""
    _value = False


class enable_grad(_GradMode):
    """Re-enables recording inside a `no_grad` region."""
    _value = True


class set_grad_enabled(_GradMode):
    def __new__(cls, mode):
        self = object.__new__(cls)
        self._value = bool(mode)
        return self
