"""Grad mode: whether ops record the graph. Per thread, like PyTorch."""
from __future__ import annotations

import functools
import inspect
import threading
from typing import Any, Callable, Generator, Literal, TypeVar

_F = TypeVar("_F", bound=Callable[..., Any])


class _State(threading.local):
    enabled: bool = True         # class attribute: every new thread starts with grad enabled


state = _State()


def is_grad_enabled() -> bool:
    """Whether ops record the graph in this thread (False inside wg.no_grad()).

    >>> wg.is_grad_enabled()
    True
    >>> with wg.no_grad():
    ...     wg.is_grad_enabled()
    False
    """
    return state.enabled


class grad_mode_set:
    """A bare save/restore of this thread's grad mode, for internal use (cheaper than the
    public context managers, which also work as decorators)."""
    __slots__ = ("value", "prev")

    def __init__(self, value: bool) -> None:
        self.value = value

    def __enter__(self) -> None:
        self.prev = state.enabled
        state.enabled = self.value

    def __exit__(self, *exc: object) -> Literal[False]:
        state.enabled = self.prev
        return False


class _GradMode:
    """Context manager and decorator (with or without parentheses) setting grad mode."""

    _value = True
    _prev = True

    def __new__(cls, func: Any = None) -> Any:
        self = super().__new__(cls)
        if func is not None and callable(func):     # bare @no_grad
            return self(func)
        return self

    def __enter__(self) -> None:
        self._prev = state.enabled
        state.enabled = self._value

    def __exit__(self, *exc: object) -> Literal[False]:
        state.enabled = self._prev
        return False

    def _clone(self) -> _GradMode:
        return type(self)()

    def __call__(self, func: _F) -> _F:
        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def gen_wrapper(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
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
            return gen_wrapper      # type: ignore[return-value]  # wraps keeps func's signature

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self._clone():
                return func(*args, **kwargs)
        return wrapper              # type: ignore[return-value]  # wraps keeps func's signature


class no_grad(_GradMode):
    """Ops inside record nothing: results never require grad. A context manager, or a
    decorator (with or without parentheses).

    >>> x = wg.tensor(1.0, requires_grad=True)
    >>> with wg.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """
    _value = False


class enable_grad(_GradMode):
    """Re-enables recording inside a `no_grad` region (a context manager or a decorator).

    >>> x = wg.tensor(1.0, requires_grad=True)
    >>> with wg.no_grad():
    ...     with wg.enable_grad():
    ...         y = x * 2
    >>> y.requires_grad
    True
    """
    _value = True


class set_grad_enabled(_GradMode):
    """set_grad_enabled(mode): sets grad mode at once (as a plain call), or for a `with` block
    (restoring the previous mode after), or for a decorated function.

    >>> with wg.set_grad_enabled(False):
    ...     wg.is_grad_enabled()
    False
    >>> wg.is_grad_enabled()
    True
    """

    def __new__(cls, mode: bool) -> set_grad_enabled:
        self = object.__new__(cls)
        self._value = bool(mode)
        self._prev = state.enabled
        state.enabled = self._value        # a plain call takes effect immediately
        return self

    def __enter__(self) -> None:
        pass                               # already set by the constructor

    def _clone(self) -> set_grad_enabled:
        prev = state.enabled
        c = set_grad_enabled(self._value)
        c._prev = prev
        return c

    def __call__(self, func: _F) -> _F:
        state.enabled = self._prev         # used as a decorator: undo the immediate effect
        return super().__call__(func)
