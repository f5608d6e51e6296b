"""The idiom record, its registry, and the input generators the theme modules use.

An idiom is unmodified NumPy code as a scientist writes it: a function of float arrays using
only `np.*` and ordinary Python. Each theme module declares its idioms with `@idiom(...)`:

    @idiom(N(5), SPD(3), order2=True)
    def gaussian_nll(x, cov): ...

The positional specs draw the arguments (one per parameter, float64 arrays); `expect` is
"differentiates" (the default), or `Raises(ErrorType, regex)` where API.md §9 or the math
says the code cannot be differentiated, or `Either(ErrorType, regex)` where §9 allows both.
"""
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

REGISTRY = []


@dataclass(frozen=True)
class Raises:
    error: type
    match: str

    def __str__(self):
        return f"raises {self.error.__name__} matching {self.match!r}"


@dataclass(frozen=True)
class Either(Raises):
    """Differentiates correctly, or raises this error (API.md allows both)."""

    def __str__(self):
        return f"differentiates or raises {self.error.__name__} matching {self.match!r}"


DIFFERENTIATES = "differentiates"
# §9's error for a tensor that requires grad going into an ndarray: it names the way out.
VALUE_EXIT = r"wg\.stack|\.detach\(\)|force=True"


@dataclass
class Idiom:
    name: str
    theme: str
    fn: Callable
    specs: tuple
    expect: object = DIFFERENTIATES
    needs: str = ""                       # the wengert feature it exercises (for the report)
    styles: tuple = ("transform", "backward")
    fwd: bool = False                     # also check wg.jacfwd of argument 0
    order2: bool = False                  # also check wg.hessian of argument 0
    rtol: float = 1e-5
    atol: float = 1e-6
    requires: Optional[str] = None        # a module to importorskip (scipy)
    seed: int = 0
    extra: dict = field(default_factory=dict)

    def args(self):
        rng = np.random.default_rng(self.seed)
        return [np.asarray(s(rng), dtype=np.float64) for s in self.specs]

    @property
    def differentiates(self):
        return self.expect == DIFFERENTIATES


def idiom(*specs, **options):
    """Register the decorated function as an idiom with these argument specs."""
    def register(fn):
        theme = fn.__module__.rsplit(".", 1)[-1]
        REGISTRY.append(Idiom(fn.__name__, theme, fn, specs, **options))
        return fn
    return register


# ---- input generators: each returns rng ↦ float64 array --------------------------------------

def N(*shape, scale=1.0, loc=0.0):
    """Normal(loc, scale²) entries."""
    return lambda rng: loc + scale * rng.standard_normal(shape)


def U(lo, hi, *shape):
    """Uniform entries in [lo, hi]."""
    return lambda rng: rng.uniform(lo, hi, size=shape)


def POS(*shape):
    """Positive entries, away from 0 (logs, roots, divisions)."""
    return U(0.5, 2.0, *shape)


def SPD(n, jitter=None):
    """A symmetric positive definite n×n matrix, well conditioned."""
    def draw(rng):
        a = rng.standard_normal((n, n))
        return a @ a.T / n + np.eye(n) * (1.0 if jitter is None else jitter)
    return draw


def WELL(n, m=None):
    """A well-conditioned (n, m) matrix: identity-dominated plus noise."""
    m = n if m is None else m
    return lambda rng: np.eye(n, m) * 2.0 + 0.3 * rng.standard_normal((n, m))


def SORTED(*shape, gap=0.3):
    """Strictly increasing along the last axis, with gaps ≥ gap (no ties for sorts/medians)."""
    def draw(rng):
        steps = gap + rng.uniform(0.0, 1.0, size=shape)
        out = np.cumsum(steps, axis=-1) - steps.sum(axis=-1, keepdims=True) / 2
        return out
    return draw


def DISTINCT(*shape, gap=0.2):
    """Values with pairwise gaps ≥ gap, in random order (no ties for max, sort, median)."""
    def draw(rng):
        n = int(np.prod(shape))
        vals = np.cumsum(gap + rng.uniform(0.0, 0.5, size=n))
        vals -= vals.mean()
        return rng.permutation(vals).reshape(shape)
    return draw
