"""wengert.Generator: PyTorch's name for a private, seedable source of random numbers.

A Generator wraps a `numpy.random.Generator`; `manual_seed(s)` replaces it with
`numpy.random.default_rng(s)`. Whoever takes `generator=` (DataLoader, random_split,
RandomSampler, randperm, Tensor.uniform_/normal_) looks the NumPy generator up at each draw, so
re-seeding a Generator after handing it over takes effect, as it does in PyTorch. The numbers
are NumPy's, not PyTorch's: one seed gives the same stream in every wengert run, another one
than torch.Generator gives.
"""
import secrets

import numpy as np

__all__ = ["Generator"]

# PyTorch's default seed for a fresh torch.Generator(); any fixed number serves.
_DEFAULT_SEED = 67280421310721


class Generator:
    """A seedable random generator (PyTorch's torch.Generator), backed by NumPy's PCG64.

    Parameters
    ----------
    device : str or wengert.device, default 'cpu'
        Only the CPU exists in wengert; any other device is a ValueError.

    Examples
    --------
    >>> import wengert as wg
    >>> g = wg.Generator().manual_seed(0)
    >>> a = wg.randperm(5, generator=g).tolist()
    >>> _ = g.manual_seed(0)
    >>> wg.randperm(5, generator=g).tolist() == a
    True
    """

    def __init__(self, device="cpu"):
        if str(device).split(":")[0] != "cpu":
            raise ValueError(f"wengert.Generator(device={device!r}): wengert computes on the "
                             "CPU only; leave device out or give 'cpu'")
        self.device = "cpu"
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed):
        """Restart the stream from `seed` (an int ≥ 0); returns the generator itself."""
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"Generator.manual_seed: the seed must be an int, got {seed!r}")
        if seed < 0:
            raise ValueError(f"Generator.manual_seed: the seed must be ≥ 0, got {seed}")
        self._seed = int(seed)
        self._np = np.random.default_rng(self._seed)
        return self

    def seed(self):
        """Restart the stream from a fresh unpredictable seed, and return that seed."""
        self.manual_seed(secrets.randbits(63))
        return self._seed

    def initial_seed(self):
        """The seed the current stream started from."""
        return self._seed

    def get_state(self):
        """The NumPy bit generator's state (a dict), for set_state."""
        return self._np.bit_generator.state

    def set_state(self, state):
        """Restore a state from get_state(); returns the generator itself."""
        self._np.bit_generator.state = state
        return self

    def numpy(self):
        """The numpy.random.Generator that draws the numbers now."""
        return self._np

    def __repr__(self):
        return f"<wengert.Generator seed={self._seed}>"


def draws_from(generator, fname):
    """The numpy generator that a `generator=` argument names: wengert's global one for None
    (seeded by wengert.manual_seed), a Generator's current one, or a NumPy generator as is."""
    if generator is None:
        from .creation import generator as global_generator
        return global_generator()
    if isinstance(generator, Generator):
        return generator.numpy()
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(f"wengert.{fname}: generator must be None, a wengert.Generator or a "
                    f"numpy.random.Generator, got {type(generator).__name__}")
