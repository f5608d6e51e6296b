"""wengert.utils.data: datasets, samplers, DataLoader and default collation (PyTorch's names)."""
from collections import namedtuple

import numpy as np
import pytest

import wengert as wg
from wengert import nn
from wengert.nn import functional as F
from wengert.utils.data import (BatchSampler, ConcatDataset, DataLoader, Dataset,
                                IterableDataset, RandomSampler, SequentialSampler, Subset,
                                SubsetRandomSampler, TensorDataset, WeightedRandomSampler,
                                default_collate, default_convert, get_worker_info,
                                random_split)


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return i * i

    def __len__(self):
        return self.n


def _ds(n=10):
    return TensorDataset(wg.arange(float(n)), wg.tensor(np.arange(n) * 10))


def _firsts(loader):
    return [int(v) for b in loader for v in b[0].numpy().astype(int)]


# --- import paths ------------------------------------------------------------------------

def test_facade_path():
    assert wg.utils.data.DataLoader is DataLoader
    assert wg.utils.data.TensorDataset is TensorDataset
    assert "DataLoader" not in dir(wg)          # stays out of NumPy's namespace
    assert get_worker_info() is None


# --- datasets ----------------------------------------------------------------------------

def test_tensor_dataset_len_and_items():
    x = wg.tensor(np.arange(12.0).reshape(4, 3))
    y = np.array([0, 1, 0, 1])
    ds = TensorDataset(x, y)
    assert len(ds) == 4
    xi, yi = ds[2]
    assert isinstance(xi, wg.Tensor) and isinstance(yi, (np.ndarray, np.integer))
    np.testing.assert_array_equal(xi.numpy(), [6.0, 7.0, 8.0])
    assert int(yi) == 0
    assert len(ds[-1]) == 2
    assert len(list(ds)) == 4                   # iteration through __getitem__ stops


def test_tensor_dataset_keeps_graph():
    w = wg.tensor(np.ones((3, 2)), requires_grad=True)
    ds = TensorDataset(w * 2.0)
    (row,) = ds[1]
    assert row.requires_grad
    row.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [[0, 0], [2, 2], [0, 0]])


def test_tensor_dataset_errors():
    with pytest.raises(ValueError, match=r"size mismatch.*\[3, 4\]"):
        TensorDataset(wg.zeros(3), wg.zeros((4, 2)))
    with pytest.raises(ValueError, match="at least one tensor"):
        TensorDataset()
    with pytest.raises(TypeError, match="argument 0 is a list"):
        TensorDataset([1, 2, 3])
    with pytest.raises(ValueError, match="0-d"):
        TensorDataset(wg.tensor(1.0))


def test_base_dataset_requires_getitem():
    class Empty(Dataset):
        pass

    with pytest.raises(TypeError, match="must define __getitem__"):
        Empty()[0]
    with pytest.raises(TypeError, match="must define __iter__"):
        iter(IterableDataset())


def test_subset_and_concat():
    sq = Squares(5)
    sub = Subset(sq, [4, 0, 2])
    assert len(sub) == 3 and [sub[i] for i in range(3)] == [16, 0, 4]
    assert sub[[0, 1]] == [16, 0]
    assert list(Subset(sq, np.array([1, 3]))) == [1, 9]
    cat = sq + Squares(3)
    assert isinstance(cat, ConcatDataset)
    assert len(cat) == 8 and cat.cumulative_sizes == [5, 8]
    assert [cat[i] for i in range(8)] == [0, 1, 4, 9, 16, 0, 1, 4]
    assert cat[-1] == 4
    with pytest.raises(IndexError, match="out of range"):
        cat[8]
    with pytest.raises(ValueError, match="empty iterable"):
        ConcatDataset([])


# --- random_split ------------------------------------------------------------------------

def _covers(parts, n):
    items = sorted(i for p in parts for i in p.indices)
    return items == list(range(n))


def test_random_split_integer_lengths():
    parts = random_split(Squares(10), [3, 7], generator=0)
    assert [len(p) for p in parts] == [3, 7]
    assert _covers(parts, 10)
    again = random_split(Squares(10), [3, 7], generator=np.random.default_rng(0))
    assert [p.indices for p in again] == [p.indices for p in parts]


def test_random_split_fractions_remainder_rule():
    # floor(11 * .3) = 3, 3 and floor(11 * .4) = 4 make 10; the one left over goes to part 0.
    parts = random_split(Squares(11), [0.3, 0.3, 0.4], generator=1)
    assert [len(p) for p in parts] == [4, 3, 4]
    assert _covers(parts, 11)
    # floor(10 * .33) = 3, 3 and floor(10 * .34) = 3: one left over, to part 0.
    parts = random_split(Squares(10), [0.33, 0.33, 0.34], generator=1)
    assert [len(p) for p in parts] == [4, 3, 3]
    assert _covers(parts, 10)
    parts = random_split(Squares(10), [0.5, 0.5])
    assert [len(p) for p in parts] == [5, 5]
    with pytest.warns(UserWarning) as record:
        parts = random_split(Squares(2), [0.9, 0.05, 0.05])
    assert ["index 1 is 0" in str(w.message) for w in record] == [True, False]
    assert [len(p) for p in parts] == [2, 0, 0]


def test_random_split_reproducible_under_manual_seed():
    wg.manual_seed(5)
    a = [p.indices for p in random_split(Squares(20), [10, 10])]
    wg.manual_seed(5)
    b = [p.indices for p in random_split(Squares(20), [10, 10])]
    assert a == b


def test_random_split_errors():
    with pytest.raises(ValueError, match=r"sum of input lengths \(9\) does not equal.*\(10\)"):
        random_split(Squares(10), [4, 5])
    with pytest.raises(ValueError, match="non-negative integers"):
        random_split(Squares(10), [0.5, 0.4])
    with pytest.raises(ValueError, match="non-negative integers"):
        random_split(Squares(10), [12, -2])
    with pytest.raises(TypeError, match="generator must be"):
        random_split(Squares(10), [5, 5], generator="seed")


# --- DataLoader: order, lengths, shuffling -----------------------------------------------

@pytest.mark.parametrize("n,bs,drop,sizes", [
    (10, 3, False, [3, 3, 3, 1]), (10, 3, True, [3, 3, 3]), (9, 3, False, [3, 3, 3]),
    (9, 3, True, [3, 3, 3]), (2, 5, False, [2]), (2, 5, True, [])])
def test_batch_sizes_and_len(n, bs, drop, sizes):
    dl = DataLoader(_ds(n), batch_size=bs, drop_last=drop)
    batches = list(dl)
    assert len(dl) == len(sizes)
    assert [len(b[0]) for b in batches] == sizes
    assert _firsts(dl) == list(range(sum(sizes)))


def test_default_batch_size_is_one_and_sequential():
    dl = DataLoader(_ds(4))
    assert len(dl) == 4
    x, y = next(iter(dl))
    assert x.shape == (1,) and y.shape == (1,) and y.dtype == np.int64


def test_shuffle_is_a_permutation_and_differs_per_epoch():
    dl = DataLoader(_ds(50), batch_size=7, shuffle=True, generator=3)
    e1, e2 = _firsts(dl), _firsts(dl)
    assert sorted(e1) == sorted(e2) == list(range(50))
    assert e1 != e2 and e1 != list(range(50))
    # A new loader with the same seed repeats the epochs.
    dl2 = DataLoader(_ds(50), batch_size=7, shuffle=True, generator=3)
    assert _firsts(dl2) == e1 and _firsts(dl2) == e2
    gen = np.random.default_rng(3)
    assert _firsts(DataLoader(_ds(50), batch_size=7, shuffle=True, generator=gen)) == e1


def test_shuffle_reproducible_under_manual_seed():
    dl = DataLoader(_ds(30), batch_size=4, shuffle=True)
    wg.manual_seed(11)
    a = _firsts(dl) + _firsts(dl)
    wg.manual_seed(11)
    b = _firsts(dl) + _firsts(dl)
    assert a == b
    wg.manual_seed(12)
    assert _firsts(dl) != a[:30]


def test_batch_size_none_yields_items():
    ds = TensorDataset(wg.arange(3.0), np.arange(3))
    items = list(DataLoader(ds, batch_size=None))
    assert len(DataLoader(ds, batch_size=None)) == 3
    x, y = items[1]
    assert x.shape == () and float(x) == 1.0
    assert isinstance(y, wg.Tensor) and int(y) == 1     # ndarray -> Tensor (default_convert)
    assert list(DataLoader(Squares(3), batch_size=None)) == [0, 1, 4]


def test_samplers():
    ds = Squares(6)
    assert list(SequentialSampler(ds)) == list(range(6))
    rs = RandomSampler(ds, generator=0)
    assert sorted(rs) == list(range(6)) and len(rs) == 6
    big = list(RandomSampler(ds, num_samples=14, generator=0))
    assert len(big) == 14 and sorted(big[:6]) == list(range(6))
    rep = list(RandomSampler(ds, replacement=True, num_samples=20, generator=0))
    assert len(rep) == 20 and all(0 <= i < 6 for i in rep)
    assert sorted(SubsetRandomSampler([5, 1, 3], generator=0)) == [1, 3, 5]
    w = list(WeightedRandomSampler([0.0, 1.0, 0.0, 2.0], 50, generator=0))
    assert set(w) <= {1, 3} and len(w) == 50
    bs = BatchSampler(SequentialSampler(ds), 4, False)
    assert list(bs) == [[0, 1, 2, 3], [4, 5]] and len(bs) == 2
    dl = DataLoader(ds, batch_size=2, sampler=[5, 4, 3])
    assert [b.tolist() for b in dl] == [[25, 16], [9]]
    dl = DataLoader(ds, batch_sampler=[[0, 5], [1]])
    assert [b.tolist() for b in dl] == [[0, 25], [1]]


def test_num_workers_runs_in_process():
    a = _firsts(DataLoader(_ds(10), batch_size=3, num_workers=4, pin_memory=True))
    assert a == list(range(10))


def test_iterable_dataset():
    class Stream(IterableDataset):
        def __iter__(self):
            return iter(range(7))

    dl = DataLoader(Stream(), batch_size=3)
    assert [b.tolist() for b in dl] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [b.tolist() for b in DataLoader(Stream(), batch_size=3, drop_last=True)] == \
        [[0, 1, 2], [3, 4, 5]]
    with pytest.raises(ValueError, match="expected unspecified shuffle"):
        DataLoader(Stream(), shuffle=True)
    with pytest.raises(TypeError):
        len(dl)


# --- DataLoader errors -------------------------------------------------------------------

@pytest.mark.parametrize("bs", [0, -2, 1.5, True, "4"])
def test_bad_batch_size(bs):
    with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
        DataLoader(_ds(), batch_size=bs)


def test_loader_option_errors():
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        DataLoader(_ds(), sampler=[0, 1], shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(_ds(), batch_sampler=[[0]], batch_size=2)
    with pytest.raises(ValueError, match="mutually exclusive with drop_last"):
        DataLoader(_ds(), batch_size=None, drop_last=True)
    with pytest.raises(ValueError, match="num_workers option should be a non-negative"):
        DataLoader(_ds(), num_workers=-1)
    with pytest.raises(ValueError, match="worker_init_fn would never run"):
        DataLoader(_ds(), num_workers=2, worker_init_fn=print)
    with pytest.raises(ValueError, match="drop_last should be a boolean"):
        DataLoader(_ds(), drop_last=1)
    with pytest.raises(TypeError, match="generator must be"):
        DataLoader(_ds(), shuffle=True, generator=1.5)
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        RandomSampler(Squares(0))
    with pytest.raises(ValueError, match="weights must be finite"):
        WeightedRandomSampler([0.0, -1.0], 3)


# --- collation ---------------------------------------------------------------------------

def test_collate_tensors_arrays_numbers():
    out = default_collate([wg.ones(2, dtype=wg.float32), wg.zeros(2, dtype=wg.float32)])
    assert isinstance(out, wg.Tensor) and out.shape == (2, 2) and out.dtype == np.float32
    out = default_collate([np.ones((2, 3)), np.zeros((2, 3))])
    assert isinstance(out, wg.Tensor) and out.shape == (2, 2, 3)
    ints = default_collate([1, 2, 3])
    assert ints.dtype == np.int64 and ints.tolist() == [1, 2, 3]
    floats = default_collate([1.5, 2.0])
    assert floats.dtype == np.float64
    assert default_collate([True, False]).dtype == np.bool_
    assert default_collate([np.float32(1), np.float32(2)]).dtype == np.float32
    assert default_collate(["a", "b"]) == ["a", "b"]


def test_collate_structures():
    tup = default_collate([(1, "a"), (2, "b")])
    assert isinstance(tup, tuple) and tup[0].tolist() == [1, 2] and tup[1] == ["a", "b"]
    lst = default_collate([[1.0, 2.0], [3.0, 4.0]])
    assert isinstance(lst, list) and lst[0].tolist() == [1.0, 3.0]
    Pair = namedtuple("Pair", "x y")
    p = default_collate([Pair(1, 2.0), Pair(3, 4.0)])
    assert isinstance(p, Pair) and p.x.tolist() == [1, 3] and p.y.dtype == np.float64
    d = default_collate([{"x": np.ones(2), "meta": {"id": 1, "tags": ("u", 0.5)}},
                         {"x": np.zeros(2), "meta": {"id": 2, "tags": ("v", 1.5)}}])
    assert d["x"].shape == (2, 2)
    assert d["meta"]["id"].tolist() == [1, 2]
    assert d["meta"]["tags"][0] == ["u", "v"] and d["meta"]["tags"][1].tolist() == [0.5, 1.5]


def test_collate_through_loader_with_dicts():
    class Dicts(Dataset):
        def __getitem__(self, i):
            return {"x": np.full(3, float(i)), "y": i, "name": f"s{i}"}

        def __len__(self):
            return 5

    batches = list(DataLoader(Dicts(), batch_size=2))
    assert len(batches) == 3
    assert batches[0]["x"].shape == (2, 3) and batches[2]["y"].tolist() == [4]
    assert batches[1]["name"] == ["s2", "s3"]


def test_collate_keeps_graph():
    w = wg.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    batch = next(iter(DataLoader(TensorDataset(w), batch_size=2)))
    (x,) = batch
    assert x.requires_grad
    (x * x).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [[0, 2], [4, 6], [0, 0]])


def test_collate_errors():
    with pytest.raises(ValueError, match=r"different shapes.*pad them or pass a collate_fn"):
        default_collate([np.ones(2), np.ones(3)])
    with pytest.raises(RuntimeError, match="should be of equal size"):
        default_collate([(1, 2), (1,)])
    with pytest.raises(TypeError, match="found object"):
        default_collate([object(), object()])
    with pytest.raises(TypeError, match="dtype <U1 cannot become"):
        default_collate([np.array(["a"]), np.array(["b"])])
    with pytest.raises(TypeError, match="non-empty list"):
        default_collate([])


def test_custom_collate_fn_and_default_convert():
    dl = DataLoader(Squares(5), batch_size=2, collate_fn=lambda b: sum(b))
    assert list(dl) == [1, 13, 16]
    conv = default_convert({"a": np.ones(2), "b": (3, "s")})
    assert isinstance(conv["a"], wg.Tensor) and conv["b"] == (3, "s")


# --- training ----------------------------------------------------------------------------

def test_training_loop_over_dataloader_lowers_loss():
    wg.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((96, 3)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.3).astype(np.float32)
    train, val = random_split(TensorDataset(wg.tensor(x), wg.tensor(y)), [0.75, 0.25])
    loader = DataLoader(train, batch_size=16, shuffle=True)
    model = nn.Linear(3, 1)
    opt = wg.optim.SGD(model.parameters(), lr=0.1)
    vx, vy = default_collate([val[i] for i in range(len(val))])

    def val_loss():
        with wg.no_grad():
            return F.mse_loss(model(vx), vy).item()

    before = val_loss()
    for _ in range(10):
        for xb, yb in loader:
            assert xb.dtype == np.float32 and xb.shape[1:] == (3,)
            loss = F.mse_loss(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
    assert val_loss() < 0.01 * before
