"""The one walk over a recorded graph, used by backward, autograd.grad's pruning, the
transforms, the value doors (exits.py), checkpoint, viz, symbolic and tape.

A graph is made of Nodes, each pointing to its parents (a Node, a leaf Tensor, or None for an
input that needs no gradient). Nothing here knows an op.
"""
from .node import Node


def walk(roots, stop=(), floor=0):
    """The nodes and leaves reachable from `roots`, as a list in which every item comes before
    all of its parents (users first): an order in which a backward pass may visit them.

    The walk does not go past an item in `stop` (a set or dict) nor past a node recorded
    before `floor` (its `seq` is lower); such an item is itself listed.
    Iterative (a depth-first search with an explicit stack), so a graph of any depth works;
    the list is the reverse of the search's post-order, which on a DAG is topological.
    """
    order = []
    seen = set()
    stack = [(r, False) for r in reversed(roots)]
    while stack:
        item, finished = stack.pop()
        if finished:
            order.append(item)
            continue
        if item in seen:
            continue
        seen.add(item)
        stack.append((item, True))
        if type(item) is Node and item not in stop and item.seq >= floor:
            for p in reversed(item.parents):      # (the first parent is searched first)
                if p is not None and p not in seen:
                    stack.append((p, False))
    order.reverse()
    return order


def reaches(roots, wanted, stop=(), floor=0):
    """Does the graph under `roots` (not past `stop` nor `floor`, as in `walk`) hold an item
    for which `wanted(item)` is true?"""
    for item in walk(roots, stop, floor):
        if wanted(item):
            return True
    return False
