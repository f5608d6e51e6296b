"""wg.compile's per-call path (compile/fastpath.py): after a call, the next one is checked by a
generated function against the latest signature; anything that differs (structure, shape,
dtype, an integer array's or a Python value's value, a leaf's type) must still reach its own
program, traced anew or taken from the cache, and results keep their structure."""
from collections import namedtuple

import numpy as np
import pytest

import wengert as wg
from wengert.compile.fastpath import checker, unflattener
from wengert.tree import tree_flatten

X = np.linspace(-1.0, 1.0, 4)
Pair = namedtuple("Pair", "a b")


def _f(d, k, n=2, scale=1.0):
    total = wg.sum(d["a"] ** n * scale)
    for v in d.get("rest", ()):
        total = total + wg.sum(v)
    return total + wg.sum(wg.take(d["a"], k))


def _want(d, k, n=2, scale=1.0):
    return float(np.sum(np.asarray(_f(d, k, n, scale))))


def _check(c, *args, **kwargs):
    got = c(*args, **kwargs)
    np.testing.assert_allclose(np.asarray(got), _want(*args, **kwargs), rtol=1e-12)


@pytest.mark.filterwarnings("ignore:wg.compile")
def test_every_difference_from_the_latest_signature_reaches_its_own_program():
    c = wg.compile(_f)
    k = np.array([0, 1])
    _check(c, {"a": X}, k)
    _check(c, {"a": X + 1.0}, k)                       # same signature: no trace
    assert c.traces == 1
    cases = [
        (({"a": X[:3]}, k), {}),                       # shape
        (({"a": X.astype(np.float32)}, k), {}),        # dtype
        (({"a": X}, np.array([2, 3])), {}),            # integer array: another value
        (({"a": X}, np.array([0, 1], dtype=np.int32)), {}),   # its dtype
        (({"a": X}, k, 3), {}),                        # a Python int: its value
        (({"a": X}, k), {"n": 3}),                     # a keyword argument
        (({"a": X, "rest": [X]}, k), {}),              # structure: a key more
        (({"a": X, "rest": (X,)}, k), {}),             # a tuple, not a list
        (({"a": X}, k), {"scale": 2.0}),               # a float: traced, not by value
    ]
    for args, kwargs in cases:
        _check(c, *args, **kwargs)
        _check(c, {"a": X}, k)                         # back to the first: cached
    assert c.traces == 1 + len(cases)
    for args, kwargs in cases:                         # each again: all cached
        _check(c, *args, **kwargs)
    _check(c, {"a": X}, k, scale=3.5)                  # another float value: same program
    assert c.traces == 1 + len(cases)


def test_an_integer_array_changed_in_place_is_seen():
    c = wg.compile(_f)
    k = np.array([0, 1])
    _check(c, {"a": X}, k)
    k[1] = 3                                            # the same object, another value
    _check(c, {"a": X}, k)
    assert c.traces == 2


def test_bool_and_int_values_are_not_confused():
    c = wg.compile(lambda x, flag: x * 2.0 if flag is True else x * 3.0)
    np.testing.assert_allclose(c(X, True), X * 2.0)
    np.testing.assert_allclose(c(X, 1), X * 3.0)
    np.testing.assert_allclose(c(X, True), X * 2.0)
    assert c.traces == 2


def test_a_dict_with_the_same_number_of_other_keys_retraces():
    c = wg.compile(lambda d: d["a"] * 2.0 if "a" in d else d["b"] * 5.0)
    np.testing.assert_allclose(c({"a": X}), X * 2.0)
    np.testing.assert_allclose(c({"b": X}), X * 5.0)
    np.testing.assert_allclose(c({"a": X}), X * 2.0)
    assert c.traces == 2


def test_tensors_and_arrays_and_scalars_as_leaves():
    c = wg.compile(lambda x: x * 2.0)
    np.testing.assert_allclose(c(X), X * 2.0)
    got = c(wg.tensor(X + 1.0))
    assert isinstance(got, wg.Tensor)                 # (a tensor in, a tensor out)
    np.testing.assert_allclose(got.numpy(), (X + 1.0) * 2.0)
    got = c(wg.tensor(X + 2.0))
    np.testing.assert_allclose(got.numpy(), (X + 2.0) * 2.0)
    with pytest.raises(TypeError, match="requires grad"):
        c(wg.tensor(X, requires_grad=True))
    assert float(c(np.float64(1.5))) == 3.0
    assert float(c(np.float64(2.5))) == 5.0
    assert float(c(1.5)) == 3.0
    assert c.traces == 4                               # array, tensor, np.float64, float


def test_many_tensor_leaves_each_reach_their_place():
    rng = np.random.default_rng(2)
    params = {"a": rng.standard_normal((3, 2)), "b": rng.standard_normal(3),
              "c": rng.standard_normal((2, 3)), "d": rng.standard_normal(2)}
    params.update({f"e{i}": rng.standard_normal(i + 1) for i in range(6)})
    x = rng.standard_normal((5, 2))

    def f(p, x, t):
        h = wg.sum(wg.tanh(x @ p["a"].T + p["b"]) @ p["c"].T + p["d"])
        return h + sum(wg.sum(p[f"e{i}"] ** 2) for i in range(6)) + wg.sum(t * x)
    vg = wg.value_and_grad(f)
    c = wg.compile(vg)
    for step in range(3):
        ps = {k: wg.tensor(v + step) for k, v in params.items()}
        t = np.full((5, 2), 0.5 + step)
        (v1, g1), (v2, g2) = c(ps, wg.tensor(x), t), vg(ps, wg.tensor(x), t)
        np.testing.assert_allclose(np.asarray(v1), np.asarray(v2), rtol=1e-12)
        for k in params:
            np.testing.assert_allclose(np.asarray(g1[k]), np.asarray(g2[k]), rtol=1e-12)
    assert c.traces == 1


def test_a_dtype_that_is_not_native_is_still_right():
    c = wg.compile(lambda x: x * 2.0)
    big = X.astype(">f8")
    for _ in range(2):
        np.testing.assert_allclose(c(big), X * 2.0)
    np.testing.assert_allclose(c(X), X * 2.0)


def test_results_keep_their_structure():
    c = wg.compile(lambda x: {"p": Pair(x * 2.0, [x + 1.0, None]), "q": (x.sum(),)})
    for _ in range(2):
        got = c(X)
        assert type(got["p"]) is Pair and type(got["p"].b) is list and got["p"].b[1] is None
        np.testing.assert_allclose(got["p"].a, X * 2.0)
        np.testing.assert_allclose(got["p"].b[0], X + 1.0)
        np.testing.assert_allclose(np.asarray(got["q"][0]), X.sum())


def test_the_check_answers_only_for_its_own_signature():
    c = wg.compile(_f)
    k = np.array([0, 1])
    args = ({"a": X}, k)
    c(*args)
    sig, _, _ = c._signature(args, {})
    check = checker(*sig)
    xs = check(args, {})
    assert len(xs) == 1 and xs[0] is X
    assert check(({"a": X[:3]}, k), {}) is None
    assert check(({"a": X}, k[::-1].copy()), {}) is None
    assert check(({"a": X, "b": X}, k), {}) is None
    assert check(({"b": X}, k), {}) is None
    assert check(({"a": list(X)}, k), {}) is None
    assert check(({"a": X}, k), {"n": 2}) is None
    assert check(({"a": X.view(np.matrix)[0]}, k), {}) is None


def test_unflattener_is_tree_unflatten():
    tree = {"b": [1, (2, None)], "a": Pair(3, {"z": 4})}
    leaves, td = tree_flatten(tree)
    assert unflattener(td)(tuple(leaves)) == tree
    _, lone = tree_flatten(5)
    assert unflattener(lone)((7,)) == 7


@pytest.mark.parametrize("seed", range(6))
def test_the_check_takes_the_same_leaves_as_the_signature(seed):
    """For trees of every leaf kind, the check hands the program exactly the leaves the
    full signature path would (the same objects, in the same order)."""
    rng = np.random.default_rng(seed)

    def leaf():
        k = rng.integers(6)
        if k == 0:
            return rng.standard_normal(rng.integers(1, 4))
        if k == 1:
            return wg.tensor(rng.standard_normal((2, rng.integers(1, 3))))
        if k == 2:
            return float(rng.standard_normal())
        if k == 3:
            return rng.integers(0, 5, 3)
        if k == 4:
            return int(rng.integers(5))
        return np.float64(rng.standard_normal())

    def tree(depth):
        if depth == 0 or rng.random() < 0.3:
            return leaf()
        kind = rng.integers(3)
        items = [tree(depth - 1) for _ in range(rng.integers(1, 5))]
        if kind == 0:
            return items
        if kind == 1:
            return tuple(items)
        return {f"k{i}": v for i, v in enumerate(items)}
    args, kwargs = (tree(3), tree(2)), {"z": tree(2)}
    c = wg.compile(lambda *a, **k: 0.0)
    sig, leaves, traced = c._signature(args, kwargs)
    want = [x.data if isinstance(x, wg.Tensor) else x for x, t in zip(leaves, traced) if t]
    got = checker(*sig)(args, kwargs)
    assert len(got) == len(want) and all(g is w for g, w in zip(got, want))
