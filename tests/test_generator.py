"""wengert.Generator: PyTorch's seedable generator, taken by DataLoader, random_split, randperm."""
import numpy as np
import pytest

import wengert as wg
from wengert.utils.data import DataLoader, TensorDataset, random_split


def _epoch(loader):
    return np.concatenate([b[0].numpy() for b in loader]).tolist()


def test_seeded_generator_repeats_and_reseeding_takes_effect_late():
    ds = TensorDataset(wg.arange(20))
    g = wg.Generator().manual_seed(3)
    loader = DataLoader(ds, batch_size=6, shuffle=True, generator=g)
    first, second = _epoch(loader), _epoch(loader)
    assert sorted(first) == list(range(20)) and first != second     # a new order each epoch
    g.manual_seed(3)                            # after the loader was made: takes effect
    assert _epoch(loader) == first
    again = DataLoader(ds, batch_size=6, shuffle=True, generator=wg.Generator().manual_seed(3))
    assert _epoch(again) == first
    other = DataLoader(ds, batch_size=6, shuffle=True, generator=wg.Generator().manual_seed(4))
    assert _epoch(other) != first


def test_random_split_and_randperm_take_a_generator():
    parts = random_split(range(10), [7, 3], generator=wg.Generator().manual_seed(1))
    parts2 = random_split(range(10), [7, 3], generator=wg.Generator().manual_seed(1))
    assert [list(p) for p in parts] == [list(p) for p in parts2]
    g = wg.Generator().manual_seed(5)
    a = wg.randperm(8, generator=g).tolist()
    assert a == wg.randperm(8, generator=wg.Generator().manual_seed(5)).tolist()
    assert sorted(a) == list(range(8))


def test_state_seed_and_initial_seed():
    g = wg.Generator()
    assert g.initial_seed() == wg.Generator().initial_seed()      # a fixed default seed
    state = g.get_state()
    a = wg.randperm(6, generator=g).tolist()
    g.set_state(state)
    assert wg.randperm(6, generator=g).tolist() == a
    s = g.seed()
    assert g.initial_seed() == s and 0 <= s < 2 ** 63
    assert g.device == "cpu" and "seed=" in repr(g)


def test_misuse_is_an_error():
    with pytest.raises(ValueError, match="CPU only"):
        wg.Generator(device="cuda")
    with pytest.raises(TypeError, match="must be an int"):
        wg.Generator().manual_seed(1.5)
    with pytest.raises(ValueError, match="≥ 0"):
        wg.Generator().manual_seed(-1)
    with pytest.raises(TypeError, match="generator must be None, a wengert.Generator"):
        wg.randperm(3, generator=7)
    with pytest.raises(TypeError, match="wengert.Generator"):
        DataLoader(TensorDataset(wg.arange(3)), shuffle=True, generator="seed")
