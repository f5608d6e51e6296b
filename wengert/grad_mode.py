"""Grad mode: whether ops record the graph. Per thread, like PyTorch."""
import functools
import inspect
import threading


class _State(threading.local):
    enabled = True          # class attribute: every new thread starts with grad enabled


state = _State()


def is_grad_enabled():
    return state.enabled


class grad_mode_set:
    """A bare save/restore of this thread's grad mode, for internal use (cheaper than the
    public context managers, which also work as decorators)."""
    __slots__ = ("value", "prev")

    def __init__(self, value):
        self.value = value

    def __enter__(self):
        self.prev = state.enabled
        state.enabled = self.value

    def __exit__(self, *exc):
        state.enabled = self.prev
        return False


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

    def _clone(self):
        return type(self)()

    def __call__(self, func):
        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def gen_wrapper(*args, **kwargs):
                # the mode holds while the generator body runs, not around its creation
                gen = func(*args, **kwargs)
                value = None
                while True:
                    with self._clone():
                        try:
                            item = gen.send(value)
                        except StopIteration as stop:
                            return stop.value
                    value = yield item
            return gen_wrapper

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self._clone():
                return func(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):
    """Ops inside record nothing: results never require grad."""
    _value = False


class enable_grad(_GradMode):
    """Re-enables recording inside a `no_grad` region."""
    _value = True


class set_grad_enabled(_GradMode):
    """set_grad_enabled(mode): sets grad mode at once (as a plain call), or for a `with` block
    (restoring the previous mode after), or for a decorated function."""

    def __new__(cls, mode):
        self = object.__new__(cls)
        self._value = bool(mode)
        self._prev = state.enabled
        state.enabled = self._value        # a plain call takes effect immediately
        return self

    def __enter__(self):
        pass                               # already set by the constructor

    def _clone(self):
        prev = state.enabled
        c = set_grad_enabled(self._value)
        c._prev = prev
        return c

    def __call__(self, func):
        state.enabled = self._prev         # used as a decorator: undo the immediate effect
        return super().__call__(func)
