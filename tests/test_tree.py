"""wengert.tree: flattening nested tuples/lists/dicts into leaves and back."""
from collections import OrderedDict, namedtuple

import numpy as np
import pytest

import wengert as wg
from wengert.tree import (TreeDef, tree_flatten, tree_leaves, tree_map, tree_structure,
                          tree_unflatten)

Point = namedtuple("Point", "x y")


def test_round_trip_of_a_nested_tree():
    tree = {"w": [1.0, (2.0, 3.0)], "b": Point(4.0, None), "c": OrderedDict(z=5.0, y=6.0)}
    leaves, td = tree_flatten(tree)
    assert leaves == [4.0, 6.0, 5.0, 1.0, 2.0, 3.0]      # keys b, c, w; c.y before c.z
    back = tree_unflatten(td, leaves)
    assert back == {"b": Point(4.0, None), "w": [1.0, (2.0, 3.0)],
                    "c": OrderedDict(y=6.0, z=5.0)}
    assert type(back["b"]) is Point and type(back["c"]) is OrderedDict
    assert type(back["w"]) is list and type(back["w"][1]) is tuple


def test_dict_keys_are_taken_in_sorted_order():
    a = {"b": 1, "a": 2}
    b = {"a": 2, "b": 1}
    assert tree_leaves(a) == [2, 1]
    assert tree_structure(a) == tree_structure(b)
    assert hash(tree_structure(a)) == hash(tree_structure(b))
    assert list(tree_unflatten(tree_structure(a), [2, 1])) == ["a", "b"]


def test_leaves_are_never_descended_into():
    t = wg.tensor([1.0, 2.0])
    a = np.arange(3.0)
    leaves, td = tree_flatten((t, a, 5, 2.5))
    assert leaves[0] is t and leaves[1] is a and leaves[2:] == [5, 2.5]
    assert td.num_leaves == 4


def test_a_single_leaf_and_empty_containers():
    leaves, td = tree_flatten(3.0)
    assert leaves == [3.0] and tree_unflatten(td, [7.0]) == 7.0
    for empty in ((), [], {}, None):
        leaves, td = tree_flatten(empty)
        assert leaves == [] and tree_unflatten(td, []) == empty


def test_structures_compare_by_shape_and_container_type():
    assert tree_structure((1, [2, 3])) == tree_structure((9, [8, 7]))
    assert tree_structure((1, 2)) != tree_structure([1, 2])
    assert tree_structure((1, 2)) != tree_structure((1, (2,)))
    assert tree_structure({"a": 1}) != tree_structure({"b": 1})
    assert tree_structure((1, None)) != tree_structure((1, 2))
    assert tree_structure(Point(1, 2)) != tree_structure((1, 2))


def test_repr_shows_the_structure():
    assert repr(tree_structure((1, [2, {"k": 3}]))) == "(*, [*, {'k': *}])"
    assert repr(tree_structure((1,))) == "(*,)"
    assert repr(tree_structure(Point(1, None))) == "Point(*, None)"


def test_tree_map_over_one_and_several_trees():
    assert tree_map(lambda x: 2 * x, {"a": (1, 2), "b": [3]}) == {"a": (2, 4), "b": [6]}
    assert tree_map(lambda x, y: x + y, (1, [2]), (10, [20])) == (11, [22])


def test_tree_map_with_a_different_structure_is_a_value_error():
    with pytest.raises(ValueError, match="structures differ"):
        tree_map(lambda x, y: x, (1, 2), (1, [2]))


def test_unflatten_with_the_wrong_number_of_leaves_is_a_value_error():
    td = tree_structure((1, 2))
    with pytest.raises(ValueError, match="holds 2 leaves, got 3"):
        tree_unflatten(td, [1, 2, 3])


def test_unsortable_dict_keys_are_a_type_error():
    with pytest.raises(TypeError, match="sortable"):
        tree_flatten({1: 1.0, "a": 2.0})


def test_treedef_is_exported_type():
    assert isinstance(tree_structure([1]), TreeDef)
