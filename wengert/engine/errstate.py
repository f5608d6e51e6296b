"""Floating-point warnings during a backward pass, silenced only where a rule asks.

Rules of singular ops (log, divide, sqrt…) compute partials that are inf or NaN at some
points and then mask them (see ops._primitive.masked_mul); general rules may meet such
values too. Such a rule calls `quiet()`: the running pass then ignores NumPy's divide and
invalid warnings until it ends. A pass whose rules never ask enters no np.errstate at all,
so arithmetic that was not expected to meet inf or NaN still warns, as NumPy does.
"""
import threading
from typing import Any

import numpy as np


class _PassState(threading.local):
    running = False     # a backward pass runs in this thread
    quiet: Any = None   # the np.errstate quiet() entered for it (exited when it ends)


state = _PassState()


def quiet():
    """Ignore divide-by-zero and invalid-value warnings for the rest of the running pass."""
    s = state
    if s.running and s.quiet is None:
        e = s.quiet = np.errstate(divide="ignore", invalid="ignore")
        e.__enter__()


def begin():
    """Start a pass in this thread; returns what `end` restores (passes nest)."""
    s = state
    outer = s.running, s.quiet
    s.running = True
    s.quiet = None
    return outer


def end(outer):
    s = state
    e = s.quiet
    if e is not None:
        e.__exit__(None, None, None)
    s.running, s.quiet = outer
