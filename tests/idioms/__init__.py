"""Unmodified NumPy idioms, differentiated by wengert and checked against NumPy.

Each theme module registers its idioms (see _core); `all_idioms()` imports them all.
`python -m tests.idioms.probe` reports how many differentiate, raise or come out wrong.
"""
import importlib

THEMES = ("statistics", "physics", "optimisation", "signals", "geometry", "ml",
          "linear_algebra", "arrays", "inplace", "reductions", "special")


def all_idioms():
    from ._core import REGISTRY
    for theme in THEMES:
        importlib.import_module(f"{__name__}.{theme}")
    return list(REGISTRY)
