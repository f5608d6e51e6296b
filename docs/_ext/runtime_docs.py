"""A griffe extension for the API reference: document wengert's public names as Python sees
them at run time.

Griffe reads the source statically. Three things about wengert are only known at run time:

- which imported names a module offers (`wengert/__init__.py` has no `__all__`, so griffe
  would take `wg.Tensor`, `wg.grad` and the rest for private imports);
- ops are callable objects made by a factory (`exp = unary("exp", np.exp, ...)`), not `def`
  functions, so griffe sees attributes with no signature and no docstring;
- a docstring given to such a factory is set at run time.

This extension imports each documented module and, for each of its public names (its
`__all__`, or every name without a leading underscore), marks the member public, turns an op
object into a function with the op's signature and docstring, and fills in a docstring that
exists only at run time. It never invents text: a name with no docstring stays without one.
"""
import importlib
import inspect
import sys
from pathlib import Path

import griffe

# The repository root: the site documents this source tree, as griffe reads it (mkdocs.yml's
# `paths`), not whichever wengert happens to be installed.
_ROOT = str(Path(__file__).resolve().parents[2])

_KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: griffe.ParameterKind.positional_only,
    inspect.Parameter.POSITIONAL_OR_KEYWORD: griffe.ParameterKind.positional_or_keyword,
    inspect.Parameter.VAR_POSITIONAL: griffe.ParameterKind.var_positional,
    inspect.Parameter.KEYWORD_ONLY: griffe.ParameterKind.keyword_only,
    inspect.Parameter.VAR_KEYWORD: griffe.ParameterKind.var_keyword,
}


def _public_names(module):
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    return [n for n in names if not inspect.ismodule(getattr(module, n, None))]


def _own_doc(obj):
    """The docstring `obj` has itself (not one inherited from a generic base class)."""
    if inspect.isclass(obj):
        doc = obj.__dict__.get("__doc__")
    elif inspect.isroutine(obj) or isinstance(obj, property):
        doc = getattr(obj, "__doc__", None)
    else:
        doc = getattr(obj, "__doc__", None)
        if doc == getattr(type(obj), "__doc__", None):
            doc = None          # its class's docstring (an op kind's), not this object's
    return inspect.cleandoc(doc) if isinstance(doc, str) and doc.strip() else None


def _parameters(obj):
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return griffe.Parameters()
    params = []
    for p in sig.parameters.values():
        annotation = None if p.annotation is p.empty else (
            p.annotation if isinstance(p.annotation, str) else inspect.formatannotation(p.annotation))
        default = None if p.default is p.empty else repr(p.default)
        params.append(griffe.Parameter(p.name, kind=_KINDS[p.kind], annotation=annotation,
                                       default=default))
    return griffe.Parameters(*params)


def _is_callable_object(obj):
    """An op: a callable object that is not a class (griffe saw an assignment, not a def)."""
    return callable(obj) and not inspect.isclass(obj) and not inspect.ismodule(obj)


class RuntimeDocs(griffe.Extension):
    """Document the public names of the modules listed in `modules` as they are at run time."""

    def __init__(self, modules=()):
        super().__init__()
        self.modules = list(modules)

    def on_package(self, *, pkg, **kwargs):
        """Called by griffe once the package is loaded (the hook's name in griffe 2)."""
        self._document(pkg)

    def on_package_loaded(self, *, pkg, **kwargs):
        """The same hook under its name in griffe 1."""
        self._document(pkg)

    def _document(self, pkg):
        if _ROOT not in sys.path:
            sys.path.insert(0, _ROOT)
        for path in self.modules:
            if path.split(".")[0] != pkg.name:
                continue
            module = importlib.import_module(path)
            node = pkg
            for part in path.split(".")[1:]:
                node = node.members[part]
            if node.is_alias:
                node = node.final_target
            for name in _public_names(module):
                self._document_member(node, name, getattr(module, name))
            for name, member in list(node.members.items()):
                if member.is_alias and name not in _public_names(module):
                    member.public = False

    def _document_member(self, node, name, obj):
        member = node.members.get(name)
        if member is None:
            # Bound where griffe does not look (`asin, acos = arcsin, arccos`): a callable is
            # documented as the function it is; anything else has nothing to show.
            if callable(obj) and not inspect.isclass(obj):
                node.set_member(name, self._function(name, obj, None))
            return
        if member.is_module:
            return                  # a submodule that a function of the same name shadows:
                                    # the page documents that function by its full path
        target = member
        if member.is_alias:
            try:
                target = member.final_target
            except (griffe.AliasResolutionError, griffe.CyclicAliasError):
                target = None       # from outside wengert: shown as the alias it is
        member.public = True
        if _is_callable_object(obj) and target is not None and target.is_attribute:
            node.set_member(name, self._function(name, obj, target))
        elif target is not None:
            if target.docstring is None:
                doc = _own_doc(obj)
                if doc:
                    target.docstring = griffe.Docstring(doc, parent=target)
            if target.is_class and inspect.isclass(obj):
                self._add_runtime_methods(target, obj)

    def _add_runtime_methods(self, cls_node, cls):
        """Methods and properties set on the class after its definition (Tensor's operators
        and NumPy methods are installed by wengert.ops when it is imported)."""
        for name, value in vars(cls).items():
            if name.startswith("_") or name in cls_node.members:
                continue
            if inspect.isfunction(value):
                cls_node.set_member(name, self._function(name, value, None))
            elif isinstance(value, property):
                attribute = griffe.Attribute(name)
                attribute.labels.add("property")
                doc = _own_doc(value)
                if doc:
                    attribute.docstring = griffe.Docstring(doc, parent=attribute)
                cls_node.set_member(name, attribute)

    @staticmethod
    def _function(name, obj, attribute):
        """A griffe Function for the callable `obj`: its run-time signature and docstring."""
        lines = {} if attribute is None else {"lineno": attribute.lineno,
                                              "endlineno": attribute.endlineno}
        function = griffe.Function(name, parameters=_parameters(obj), **lines)
        doc = _own_doc(obj)
        if doc:
            function.docstring = griffe.Docstring(doc, parent=function)
        function.public = True
        return function
