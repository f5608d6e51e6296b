"""Every public callable of wg.nn, wg.nn.functional, wg.nn.init, wg.nn.utils, wg.optim,
wg.optim.lr_scheduler, wg.utils.data and wg.viz has its own docstring, and the `>>>`
examples in those modules are true (run here as doctests)."""
import doctest
import importlib
import inspect
import types

import numpy as np
import pytest

import wengert as wg
from wengert import nn

NAMESPACES = ["wengert.nn", "wengert.nn.functional", "wengert.nn.init", "wengert.nn.utils",
              "wengert.optim", "wengert.optim.lr_scheduler", "wengert.utils.data",
              "wengert.viz"]


def _public_names(module):
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    return names


def _own_doc(obj):
    """The docstring written on obj itself (a class's own, never its base's)."""
    if inspect.isclass(obj):
        return obj.__dict__.get("__doc__")
    return getattr(obj, "__doc__", None)


def _members(cls):
    """(name, function) for the public methods and properties that `cls` defines itself or
    inherits from a base class of the library (not from object)."""
    out = {}
    for klass in reversed(cls.__mro__):
        if klass is object or not klass.__module__.startswith("wengert"):
            continue
        for name, attr in vars(klass).items():
            if name.startswith("_"):
                continue
            if isinstance(attr, (staticmethod, classmethod)):
                attr = attr.__func__
            elif isinstance(attr, property):
                attr = attr.fget
            if callable(attr):
                out[name] = (klass, attr)
    return out


def _callables():
    seen = set()
    for modname in NAMESPACES:
        module = importlib.import_module(modname)
        for name in _public_names(module):
            obj = getattr(module, name)
            if isinstance(obj, types.ModuleType) or not callable(obj) or id(obj) in seen:
                continue
            seen.add(id(obj))
            yield f"{modname}.{name}", obj
            if inspect.isclass(obj):
                for mname, (owner, fn) in _members(obj).items():
                    if id(fn) not in seen:          # an inherited method is checked once
                        seen.add(id(fn))
                        yield f"{modname}.{name}.{mname} (from {owner.__name__})", fn


CALLABLES = list(_callables())


def test_the_enumeration_sees_the_namespaces():
    names = [n for n, _ in CALLABLES]
    for expected in ("wengert.nn.Linear", "wengert.nn.Linear.forward (from Linear)",
                     "wengert.nn.functional.cross_entropy", "wengert.optim.Adam.step (from Adam)",
                     "wengert.optim.lr_scheduler.StepLR", "wengert.utils.data.DataLoader",
                     "wengert.viz.draw", "wengert.nn.init.xavier_uniform_"):
        assert expected in names
    assert len(CALLABLES) > 200


@pytest.mark.parametrize("name, obj", CALLABLES, ids=[n for n, _ in CALLABLES])
def test_has_its_own_docstring(name, obj):
    doc = _own_doc(obj)
    assert doc and doc.strip(), f"{name} has no docstring of its own"
    summary = doc.strip().splitlines()[0]
    assert len(summary) > 10, f"{name}: the summary line {summary!r} says too little"


def test_every_forward_is_documented_on_its_own_class():
    """A Module subclass that defines forward documents that forward (not only the class)."""
    for name, obj in CALLABLES:
        if inspect.isclass(obj) and issubclass(obj, nn.Module) and "forward" in vars(obj):
            assert vars(obj)["forward"].__doc__, f"{name}.forward has no docstring"


def test_a_missing_docstring_is_caught():
    class Bare(nn.Module):
        def forward(self, x):
            return x
    Bare.__module__ = "wengert.nn.bare"
    assert _own_doc(Bare) is None
    assert _members(Bare)["forward"][1].__doc__ is None


def _doctest_modules():
    mods = set()
    for modname in NAMESPACES:
        module = importlib.import_module(modname)
        mods.add(module)
        for name in _public_names(module):
            obj = getattr(module, name)
            home = getattr(obj, "__module__", None)
            if home and home.startswith("wengert.") and not isinstance(obj, types.ModuleType):
                mods.add(importlib.import_module(home))
    return sorted(mods, key=lambda m: m.__name__)


DOCTEST_MODULES = _doctest_modules()


@pytest.mark.parametrize("module", DOCTEST_MODULES, ids=[m.__name__ for m in DOCTEST_MODULES])
def test_examples_are_true(module):
    if module.__name__ == "wengert.viz.draw":
        pytest.importorskip("graphviz")       # draw() builds a graphviz.Digraph (an extra)
    wg.manual_seed(0)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    globs = {"wg": wg, "nn": nn, "np": np, "F": nn.functional, "optim": wg.optim}
    for test in finder.find(module, module.__name__, globs=dict(globs)):
        if test.name.split(".")[-1].startswith("_") and test.name != module.__name__:
            continue
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} doctest example(s) of {module.__name__} failed"


def test_the_main_classes_have_examples():
    for name in ("Linear", "Conv2d", "Sequential", "CrossEntropyLoss", "MSELoss", "ReLU",
                 "LayerNorm", "BatchNorm1d", "Embedding", "Module"):
        assert ">>>" in getattr(nn, name).__doc__, f"nn.{name} has no example"
    for name in ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad"):
        assert ">>>" in getattr(wg.optim, name).__doc__, f"optim.{name} has no example"
