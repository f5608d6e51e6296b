"""The one walk over a recorded graph, used by backward, autograd.grad's pruning, the
transforms, the value doors (exits.py), checkpoint, viz, symbolic and tape.

A graph is made of Nodes, each pointing to its parents (a Node, a leaf Tensor, or None for an
input that needs no gradient). Nothing here knows an op.
"""
from operator import attrgetter

from .node import Node

_by_seq = attrgetter("seq")


def walk(roots, stop=(), floor=0):
    """The nodes and leaves reachable from `roots`, as a list in which every item comes before
    all of its parents (users first): an order in which a backward pass may visit them.

    The walk does not go past an item in `stop` (a set or dict) nor past a node recorded
    before `floor` (its `seq` is lower); such an item is itself listed.
    Iterative (an explicit stack), so a graph of any depth works. A node is recorded after
    its parents, so decreasing `seq` puts users first; leaves (no parents) go last, in the
    order the search met them.
    """
    nodes, leaves = [], []
    seen = set()
    stack = list(roots)
    while stack:
        item = stack.pop()
        if item in seen:
            continue
        seen.add(item)
        if type(item) is not Node:
            leaves.append(item)
        else:
            nodes.append(item)
            if item.seq >= floor and item not in stop:
                for p in item.parents:
                    if p is not None and p not in seen:
                        stack.append(p)
    nodes.sort(key=_by_seq, reverse=True)
    nodes.extend(leaves)
    return nodes


def reaches(roots, wanted, stop=(), floor=0):
    """Does the graph under `roots` (not past `stop` nor `floor`, as in `walk`) hold an item
    for which `wanted(item)` is true?"""
    for item in walk(roots, stop, floor):
        if wanted(item):
            return True
    return False
