"""Every public callable has a docstring of its own, help() shows it, and its examples run.

Public: the names in a namespace's __all__ where it has one, else those not starting with
"_"; plus the public methods and properties of wg.Tensor. Names that are NumPy's own objects
(dtypes, finfo, ...) are NumPy's, documented there, and left out. "Its own": not inherited
from a generic class (an op's kind, UnaryOp, ...) and not one text shared by different
objects (aliases, the same object under two names, are fine).

The core namespaces (wg, wg.linalg, wg.fft, wg.special, Tensor) and the layers' namespaces
(wg.nn, wg.nn.functional, wg.optim, wg.utils.data, wg.viz, with their classes' methods) are
checked as two groups.
"""
import doctest
import inspect
import pydoc

import numpy as np
import pytest

import wengert as wg
import wengert.nn.functional  # noqa: F401
import wengert.utils.data  # noqa: F401
from wengert.ops._primitive import Op

CORE = {"wg": wg, "wg.linalg": wg.linalg, "wg.fft": wg.fft, "wg.special": wg.special}
LAYERS = {"wg.nn": wg.nn, "wg.nn.functional": wg.nn.functional, "wg.optim": wg.optim,
          "wg.utils.data": wg.utils.data, "wg.viz": wg.viz}


def _ours(obj):
    """Whether obj is wengert's (not NumPy's or Python's, re-exported under its own name)."""
    if isinstance(obj, Op):
        return True
    return (getattr(obj, "__module__", None) or "").startswith("wengert")


def public_callables(namespace, mod):
    """(qualified name, object) for each public callable of `mod` defined by wengert."""
    names = getattr(mod, "__all__", None)
    if names is None:
        names = [n for n in vars(mod) if not n.startswith("_")]
    out = []
    for n in names:
        obj = getattr(mod, n)
        if inspect.ismodule(obj) or not callable(obj) or not _ours(obj):
            continue
        out.append((f"{namespace}.{n}", obj))
    return out


def tensor_members():
    """(name, object) for each public method and property of wg.Tensor (a property by its
    getter)."""
    out = []
    for n in dir(wg.Tensor):
        if n.startswith("_"):
            continue
        attr = inspect.getattr_static(wg.Tensor, n)
        if isinstance(attr, property):
            out.append((f"wg.Tensor.{n}", attr))
        elif isinstance(attr, (staticmethod, classmethod)):
            out.append((f"wg.Tensor.{n}", attr.__func__))
        elif inspect.isfunction(attr):
            out.append((f"wg.Tensor.{n}", attr))
    return out


def own_doc(obj):
    """obj's docstring if it is obj's own (pydoc's rule: an instance's __doc__ counts only
    when it is not its class's; a class's only when written in its body), else None."""
    if inspect.isclass(obj):
        doc = obj.__dict__.get("__doc__")
    elif inspect.isfunction(obj) or inspect.isbuiltin(obj):
        doc = obj.__doc__
    else:
        doc = obj.__doc__
        if doc is not None and doc == getattr(type(obj), "__doc__", None):
            return None
    return doc if isinstance(doc, str) and doc.strip() else None


def _missing(items):
    """The names without an own docstring, and those sharing one text with another object."""
    missing = [name for name, obj in items if own_doc(obj) is None]
    by_text = {}
    for name, obj in items:
        doc = own_doc(obj)
        if doc is not None:
            by_text.setdefault(doc, {})[id(obj)] = name
    shared = [sorted(objs.values()) for objs in by_text.values() if len(objs) > 1]
    return missing, shared


def _items(group):
    items = []
    for ns, mod in group.items():
        items += public_callables(ns, mod)
    return items


CORE_ITEMS = _items(CORE) + tensor_members()


def test_the_enumeration_sees_the_public_api():
    names = {n for n, _ in CORE_ITEMS}
    for name in ("wg.exp", "wg.sum", "wg.grad", "wg.tensor", "wg.Tensor", "wg.no_grad",
                 "wg.linalg.inv", "wg.fft.fft", "wg.special.erf", "wg.Tensor.backward",
                 "wg.Tensor.sum", "wg.Tensor.shape"):
        assert name in names, name
    assert "wg.float32" not in names            # NumPy's own
    assert len(CORE_ITEMS) > 300


def test_core_callables_have_their_own_docstrings():
    missing, shared = _missing(CORE_ITEMS)
    assert not missing, f"{len(missing)} public callables without their own docstring: " \
                        + ", ".join(missing)
    assert not shared, f"one docstring shared by different objects: {shared}"


@pytest.mark.parametrize("namespace", sorted(LAYERS))
def test_layer_callables_have_their_own_docstrings(namespace):
    items = public_callables(namespace, LAYERS[namespace])
    for name, cls in list(items):
        if inspect.isclass(cls):
            items += [(f"{name}.{m}", f) for m, f in vars(cls).items()
                      if not m.startswith("_") and inspect.isfunction(f)]
    missing, shared = _missing(items)
    assert not missing, f"{len(missing)} without their own docstring: " + ", ".join(missing)
    assert not shared, f"one docstring shared by different objects: {shared}"


def test_own_doc_rejects_a_docstring_inherited_from_the_class():
    class Kind:
        """A kind of thing."""

        def __call__(self):
            return 1

    assert own_doc(Kind()) is None
    assert own_doc(Kind) == "A kind of thing."
    missing, shared = _missing([("a", lambda: 1), ("b", wg.exp), ("c", wg.abs)])
    assert missing == ["a"] and shared == []


def test_help_of_an_op_is_about_the_op():
    text = pydoc.render_doc(wg.exp, renderer=pydoc.plaintext)
    assert "exp(x" in text and "d/dx exp(x) = exp(x)" in text
    assert "class UnaryOp" not in text
    for internal in ("backward(self", "push_tangent", "jvp("):
        assert internal not in text, internal
    assert inspect.getdoc(wg.exp) == wg.exp.__doc__.strip() or inspect.getdoc(wg.exp)
    assert "d/dx exp(x)" in inspect.getdoc(wg.exp)
    assert wg.exp.__doc__ != wg.log.__doc__
    assert list(inspect.signature(wg.add).parameters) == ["x", "y"]
    assert "axis" in inspect.signature(wg.sum).parameters


@pytest.mark.parametrize("name, obj", [(n, o) for n, o in CORE_ITEMS if n.startswith("wg.")],
                         ids=[n for n, _ in CORE_ITEMS])
def test_help_shows_the_own_docstring(name, obj):
    doc = own_doc(obj)
    if doc is None:
        pytest.skip("no docstring (reported by test_core_callables_have_their_own_docstrings)")
    text = pydoc.render_doc(obj, renderer=pydoc.plaintext)
    first = inspect.cleandoc(doc).splitlines()[0].strip()
    assert first in text


def _examples():
    seen = set()
    for name, obj in CORE_ITEMS:
        doc = own_doc(obj)
        if doc and ">>>" in doc and id(obj) not in seen:
            seen.add(id(obj))
            yield name, obj, doc


EXAMPLES = list(_examples())


def test_every_elementwise_op_has_an_example():
    from wengert.ops import elementwise
    for name in elementwise.__all__:
        obj = getattr(elementwise, name)
        if isinstance(obj, Op):
            assert ">>>" in obj.__doc__, name


# Every core op has a >>> example. Classes (result types such as wg.linalg.EigResult, context
# managers such as wg.no_grad) are not ops: the check leaves them out.
# The method forms declared in ops/torch_methods.py are checked apart below (their examples
# live in ops/torch_method_examples.py).
_TORCH_METHODS = "wengert.ops.torch_methods"


def _function_of(obj):
    return obj.fget if isinstance(obj, property) else obj


def _op_items(torch_methods):
    """The core callables that are ops (not classes), split by whether ops/torch_methods.py
    declares them."""
    out = []
    for name, obj in CORE_ITEMS:
        if inspect.isclass(obj):
            continue
        declared = getattr(_function_of(obj), "__module__", None) == _TORCH_METHODS
        if declared == torch_methods:
            out.append((name, obj))
    return out


def test_every_core_op_has_an_example():
    missing = [name for name, obj in _op_items(False) if ">>>" not in (own_doc(obj) or "")]
    assert not missing, f"{len(missing)} ops without a >>> example: " + ", ".join(missing)


def test_the_example_check_sees_the_ops():
    names = {n for n, _ in _op_items(False)}
    for name in ("wg.equal", "wg.nanvar", "wg.union1d", "wg.polyder", "wg.fft.fft2",
                 "wg.fft.hfft", "wg.linalg.trace", "wg.special.xlogy", "wg.Tensor.shape",
                 "wg.Tensor.T", "wg.Tensor.lerp_", "wg.conj", "wg.pad"):
        assert name in names, name
    assert "wg.linalg.EigResult" not in names       # a class
    assert len(names) > 400


def test_every_torch_method_has_an_example():
    from wengert.ops.torch_method_examples import EXAMPLES
    items = _op_items(True)
    assert len(items) > 90
    missing = [name for name, obj in items if ">>>" not in (own_doc(obj) or "")]
    assert not missing, f"{len(missing)} methods without a >>> example: " + ", ".join(missing)
    # no example left over for a method that is gone (or misspelt)
    assert set(EXAMPLES) == {name.rsplit(".", 1)[1] for name, _ in items}


@pytest.mark.parametrize("name, obj, doc", EXAMPLES, ids=[n for n, _, _ in EXAMPLES])
def test_examples_are_true(name, obj, doc):
    parser = doctest.DocTestParser()
    test = parser.get_doctest(doc, {"wg": wg, "np": np}, name, None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    out = []
    runner.run(test, out=out.append)
    assert runner.failures == 0, "".join(out)
    assert runner.tries > 0
