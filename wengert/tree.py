"""Trees: nested tuples, lists and dicts of leaves, as the functional transforms take them.

`tree_flatten(tree)` gives the leaves in a fixed order plus a `TreeDef` (the structure without
the leaves); `tree_unflatten(treedef, leaves)` puts leaves back into that structure. A leaf is
anything that is not a tuple, list, dict or None: a Tensor, an ndarray, a Python number.
None is a node with no children (an empty subtree), so it survives a round trip.

Order: tuples and lists left to right; dicts by sorted key, so two dicts with the same keys
have the same structure whatever order they were built in (unflatten rebuilds them in sorted
key order). Namedtuples keep their type. Any other tuple/list/dict subclass is rebuilt with
its own type from the same items.
"""

__all__ = ["TreeDef", "tree_flatten", "tree_unflatten", "tree_leaves", "tree_structure",
           "tree_map"]

_LEAF = "leaf"


class TreeDef:
    """The structure of a tree: a node kind, its data (a type, or a dict's keys) and children.

    Compares equal to another TreeDef of the same shape; `num_leaves` counts its leaves.
    """
    __slots__ = ("kind", "data", "children", "num_leaves", "_hash")

    def __init__(self, kind, data, children):
        self.kind = kind
        self.data = data
        self.children = children
        self.num_leaves = 1 if kind is _LEAF else sum(c.num_leaves for c in children)
        self._hash = None

    def __eq__(self, other):
        return (isinstance(other, TreeDef) and self.kind == other.kind
                and self.data == other.data and self.children == other.children)

    def __hash__(self):
        h = self._hash
        if h is None:           # (immutable: hashed once; wg.compile hashes one every call)
            h = self._hash = hash((self.kind, self.data, self.children))
        return h

    def __repr__(self):
        if self.kind is _LEAF:
            return "*"
        if self.kind == "none":
            return "None"
        inner = ", ".join(repr(c) for c in self.children)
        if self.kind == "dict":
            typ, keys = self.data
            inner = "{" + ", ".join(f"{k!r}: {c!r}" for k, c in zip(keys, self.children)) + "}"
            return inner if typ is dict else f"{typ.__name__}({inner})"
        typ = self.data
        if typ is tuple:
            return "(" + inner + ("," if len(self.children) == 1 else "") + ")"
        if typ is list:
            return "[" + inner + "]"
        return f"{typ.__name__}({inner})"


_LEAF_DEF = TreeDef(_LEAF, None, ())


def _sorted_keys(d):
    try:
        return tuple(sorted(d))
    except TypeError:
        raise TypeError(f"dict keys in a tree must be sortable (all strings, or all numbers); "
                        f"got keys {list(d)!r}") from None


def tree_flatten(tree):
    """(leaves, treedef): the leaves in order and the structure that holds them."""
    if not isinstance(tree, (tuple, list, dict)) and tree is not None:
        return [tree], _LEAF_DEF
    if type(tree) is tuple:                 # (the usual call: a tuple of leaves)
        for x in tree:
            if x is None or isinstance(x, (tuple, list, dict)):
                break
        else:
            return list(tree), _tuple_of_leaves(len(tree))
    leaves: list = []
    return leaves, _flatten(tree, leaves)


_TUPLES: dict = {}


def _tuple_of_leaves(n):
    """The TreeDef of a tuple of n leaves (TreeDefs are immutable: one per n is shared)."""
    td = _TUPLES.get(n)
    if td is None:
        td = _TUPLES[n] = TreeDef("seq", tuple, (_LEAF_DEF,) * n)
    return td


def _flatten(node, leaves):
    # recursive: trees are written by hand and shallow; leaves are never descended into
    if isinstance(node, (tuple, list)):
        return TreeDef("seq", type(node), tuple(_flatten(c, leaves) for c in node))
    if isinstance(node, dict):
        keys = _sorted_keys(node)
        return TreeDef("dict", (type(node), keys), tuple(_flatten(node[k], leaves) for k in keys))
    if node is None:
        return TreeDef("none", None, ())
    leaves.append(node)
    return _LEAF_DEF


def tree_unflatten(treedef, leaves):
    """The tree of structure `treedef` holding `leaves` (in flatten order)."""
    if treedef is _LEAF_DEF and type(leaves) is list and len(leaves) == 1:   # a lone leaf
        return leaves[0]
    leaves = list(leaves)
    if len(leaves) != treedef.num_leaves:
        raise ValueError(f"tree structure {treedef!r} holds {treedef.num_leaves} leaves, "
                         f"got {len(leaves)}")
    it = iter(leaves)
    return _build(treedef, it)


def _build(td, it):
    kind = td.kind
    if kind is _LEAF:
        return next(it)
    if kind == "none":
        return None
    items = [_build(c, it) for c in td.children]
    if kind == "dict":
        typ, keys = td.data
        return typ(zip(keys, items))
    typ = td.data
    if typ is tuple or typ is list:
        return typ(items)
    if hasattr(typ, "_fields"):          # a namedtuple takes its fields positionally
        return typ(*items)
    return typ(items)


def tree_leaves(tree):
    """The leaves of `tree`, in flatten order."""
    return tree_flatten(tree)[0]


def tree_structure(tree):
    """The TreeDef of `tree`."""
    return tree_flatten(tree)[1]


def tree_map(fn, tree, *rest):
    """The tree of fn(leaf, *matching leaves of `rest`); every tree must have tree's structure."""
    leaves, td = tree_flatten(tree)
    others = []
    for r in rest:
        rl, rtd = tree_flatten(r)
        if rtd != td:
            raise ValueError(f"tree structures differ: {td!r} and {rtd!r}")
        others.append(rl)
    return tree_unflatten(td, [fn(*xs) for xs in zip(leaves, *others)])
