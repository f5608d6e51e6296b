"""Node: one recorded op application, pointing backwards only.

A Node holds the Op (which carries the derivative rules), the parents (one per array input:
the input's own Node, the leaf Tensor itself, or None when that input needs no gradient),
what the rules need (`saved`: input Tensors, output arrays or plain values) with the version
of every saved Tensor, and the op's non-tensor parameters. It never holds its output Tensor:
that would make a reference cycle per op.
"""
import itertools
import weakref


class _Freed:
    __slots__ = ()

    def __repr__(self):
        return "<freed>"


FREED = _Freed()   # `saved` after backward released it: a second backward must raise

_next_seq = itertools.count().__next__     # (atomic under the GIL: threads may record too)

# hooks registered on non-leaf tensors live with their Node; weak so a dropped graph goes
_node_hooks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class Node:
    # `seq` numbers nodes in creation order: a node's parents always come before it, so
    # decreasing seq is an order in which backward may visit any graph (engine.backward);
    # checkpoint and the transforms tell the nodes made after a point from older ones by it.
    __slots__ = ("op", "parents", "saved", "versions", "params", "seq", "__weakref__")

    def __init__(self, op, parents, saved, versions, params):
        self.op = op
        self.parents = parents
        self.saved = saved
        self.versions = versions
        self.params = params
        self.seq = _next_seq()

    def __lt__(self, other):
        # Backward orders nodes by seq; equal seqs (a deep copy of a graph keeps them, and
        # is a graph of its own) may go in any order.
        return id(self) < id(other)

    @property
    def name(self):
        return self.op.grad_name

    @property
    def next_functions(self):
        """((parent, 0), ...) as in PyTorch: a Node, an AccumulateGrad for a leaf, or None."""
        out: list = []
        for p in self.parents:
            if p is None or type(p) is Node:
                out.append((p, 0))
            else:
                out.append((AccumulateGrad(p), 0))
        return tuple(out)

    def register_hook(self, fn):
        return _add_hook(self, fn)

    def __repr__(self):
        return f"<{self.op.grad_name}>"


class AccumulateGrad:
    """What a leaf looks like from `next_functions`: `.variable` is the leaf Tensor."""

    __slots__ = ("variable",)
    name = "AccumulateGrad"

    def __init__(self, variable):
        self.variable = variable

    @property
    def next_functions(self):
        return ()

    def __repr__(self):
        return "<AccumulateGrad>"


class RemovableHandle:
    __slots__ = ("_hooks", "_fn")

    def __init__(self, hooks, fn):
        self._hooks, self._fn = hooks, fn

    def remove(self):
        try:
            self._hooks.remove(self._fn)
        except ValueError:
            pass


def _add_hook(node, fn):
    hooks = _node_hooks.get(node)
    if hooks is None:
        hooks = _node_hooks[node] = []
    if hooks and getattr(hooks[-1], "retains_grad", False):
        hooks.insert(len(hooks) - 1, fn)   # retain_grad stays last: .grad shows what flows on
    else:
        hooks.append(fn)
    return RemovableHandle(hooks, fn)


def version_error(node, index, saved_version, found_version):
    return RuntimeError(
        f"one of the variables needed for gradient computation has been modified by an "
        f"in-place operation: input {index} saved by {node.op.grad_name} is at version "
        f"{found_version}; expected version {saved_version}. Compute an out-of-place copy "
        f"(y = y + 1 rather than y += 1) or call .copy() before modifying it.")


def freed_error(node):
    return RuntimeError(
        f"Trying to backward through the graph a second time (or to use saved values after "
        f"they were freed): {node.op.grad_name} already released its saved values. Specify "
        f"retain_graph=True on the first backward() or autograd.grad() call if you need to "
        f"backward through the graph again.")
