"""Datasets, samplers and a DataLoader with PyTorch's names, signatures and defaults.

A map-style dataset is anything with `__getitem__(i)` and `__len__()`; `TensorDataset` wraps
tensors or arrays that share their first axis, `Subset` picks indices of another dataset,
`ConcatDataset` (also `a + b`) chains datasets, `random_split` cuts one into random disjoint
subsets. An `IterableDataset` is anything with `__iter__`.

`DataLoader` draws indices from a sampler (in order, or a fresh permutation each epoch when
`shuffle=True`), groups them into batches of `batch_size` (the last one shorter unless
`drop_last=True`; `batch_size=None` turns batching off) and merges each batch with
`collate_fn` (default `default_collate`: samples are stacked along a new first axis with
`wengert.stack`, so rows that require grad keep their graph; nothing is detached).

Randomness: `generator=None` means wengert's global generator, looked up each time it is
needed, so `wengert.manual_seed(n)` makes shuffles and splits reproducible as
`torch.manual_seed(n)` does. A `wengert.Generator` is looked up the same way (re-seeding it
takes effect). A `numpy.random.Generator` (or `RandomState`) is used as given;
an int is a seed for a private `numpy.random.default_rng(seed)` made once, so successive
epochs of one loader differ and a new loader with the same seed repeats them.

Loading is always in this process: `num_workers > 0` is accepted and runs in-process, in the
same order and with the same batches as `num_workers=0` (only slower than real workers).
"""
from __future__ import annotations

import bisect
import math
import warnings
from collections.abc import Sequence
from typing import (Any, Callable, Generic, Iterable, Iterator, List, Optional, Tuple, TypeVar,
                    Union)

import numpy as np

from .. import creation
from ..generator import Generator
from ..tensor import Tensor
from ._collate import default_collate, default_convert

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "ConcatDataset", "Subset",
           "random_split", "Sampler", "SequentialSampler", "RandomSampler",
           "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler", "DataLoader",
           "default_collate", "default_convert", "get_worker_info"]

T_co = TypeVar("T_co", covariant=True)
# generator=: None (wengert's global generator), an int seed, a wengert.Generator (looked up
# at each draw, so re-seeding it takes effect) or a NumPy generator
GeneratorLike = Union[None, int, Generator, np.random.Generator, np.random.RandomState]
_Rng = Union[Generator, np.random.Generator, np.random.RandomState]


# --- randomness --------------------------------------------------------------------------

def _resolve_generator(generator: GeneratorLike) -> Optional[_Rng]:
    """A numpy generator for `generator`, or None for "wengert's global one, looked up late"."""
    if generator is None or isinstance(generator, (Generator, np.random.Generator,
                                                   np.random.RandomState)):
        return generator
    if isinstance(generator, (int, np.integer)) and not isinstance(generator, bool):
        return np.random.default_rng(int(generator))
    raise TypeError("generator must be None (wengert's global generator, seeded by "
                    "wengert.manual_seed), an int seed, a wengert.Generator or a "
                    "numpy.random.Generator; got "
                    f"{type(generator).__name__}")


def _rng(resolved: Optional[_Rng]) -> Union[np.random.Generator, np.random.RandomState]:
    # Looked up per use: manual_seed replaces the global (or a Generator's) numpy generator.
    if resolved is None:
        return creation.generator()
    return resolved.numpy() if isinstance(resolved, Generator) else resolved


def _randint(rng: Union[np.random.Generator, np.random.RandomState], n: int,
             size: int) -> np.ndarray:
    return (rng.integers(0, n, size) if isinstance(rng, np.random.Generator)
            else rng.randint(0, n, size))


# --- datasets ----------------------------------------------------------------------------

class Dataset(Generic[T_co]):
    """A map-style dataset: subclasses define `__getitem__(index)` and `__len__()`.

    `a + b` is `ConcatDataset([a, b])`.
    """

    def __getitem__(self, index: Any) -> Any:
        raise TypeError(f"{type(self).__name__} must define __getitem__(index) to be a "
                        "map-style Dataset")

    def __add__(self, other: "Dataset[Any]") -> "ConcatDataset":
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co]):
    """A dataset read as a stream: subclasses define `__iter__()`.

    A DataLoader over it batches consecutive items; it cannot shuffle or take a sampler.
    """

    def __iter__(self) -> Iterator[Any]:
        raise TypeError(f"{type(self).__name__} must define __iter__() to be an "
                        "IterableDataset")

    def __add__(self, other: "Dataset[Any]") -> "ConcatDataset":
        raise TypeError("IterableDatasets cannot be concatenated with +; chain their iterators")


class TensorDataset(Dataset):
    """Rows of tensors that share their first axis: item `i` is `(t[i] for t in tensors)`.

    Tensors give Tensor rows (indexing keeps the graph of a tensor that requires grad);
    ndarrays are accepted and give ndarray rows (the default collation turns them into Tensors).

    Examples
    --------
    >>> from wengert.utils.data import DataLoader, TensorDataset
    >>> ds = TensorDataset(wg.arange(10.).reshape(5, 2), wg.tensor([0, 1, 0, 1, 0]))
    >>> len(ds), ds[1]
    (5, (tensor([2., 3.]), tensor(1)))
    >>> [tuple(x.shape) for x, y in DataLoader(ds, batch_size=2)]
    [(2, 2), (2, 2), (1, 2)]
    """

    def __init__(self, *tensors: Union[Tensor, np.ndarray]) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        sizes = []
        for i, t in enumerate(tensors):
            if not isinstance(t, (Tensor, np.ndarray)):
                raise TypeError(f"TensorDataset: argument {i} is a {type(t).__name__}; pass "
                                "Tensors or numpy arrays (wrap lists in wengert.tensor)")
            if t.ndim == 0:
                raise ValueError(f"TensorDataset: argument {i} is 0-d; each tensor needs a first "
                                 "axis indexing the samples")
            sizes.append(t.shape[0])
        if any(s != sizes[0] for s in sizes):
            raise ValueError("TensorDataset: size mismatch between tensors: first-axis sizes are "
                             f"{sizes}; all tensors must have the same number of samples")
        self.tensors = tensors

    def __getitem__(self, index: Any) -> Tuple[Any, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return int(self.tensors[0].shape[0])


class ConcatDataset(Dataset):
    """The datasets one after another: item `i` of the whole is item `i - offset` of the
    dataset it falls into. `cumulative_sizes` lists the running totals."""

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = list(np.cumsum([len(d) for d in self.datasets]).tolist())

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int) -> Any:
        n = len(self)
        if idx < 0:
            idx += n
        if not 0 <= idx < n:
            raise IndexError(f"ConcatDataset index out of range for length {n}")
        d = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[d - 1] if d > 0 else 0
        return self.datasets[d][idx - start]


class Subset(Dataset):
    """The items of `dataset` at `indices`, in that order: `Subset(d, ix)[k] = d[ix[k]]`.

    A list index gives the list of those items.
    """

    def __init__(self, dataset: Any, indices: Any) -> None:
        self.dataset = dataset
        self.indices = [int(i) for i in np.asarray(indices, dtype=np.int64).reshape(-1)] \
            if isinstance(indices, (np.ndarray, Tensor)) else indices

    def __getitem__(self, idx: Union[int, List[int]]) -> Any:
        if isinstance(idx, list):
            return [self.dataset[self.indices[i]] for i in idx]
        return self.dataset[self.indices[idx]]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(dataset: Any, lengths: Sequence[Union[int, float]],
                 generator: GeneratorLike = None) -> List[Subset]:
    """Split `dataset` into non-overlapping random `Subset`s of the given lengths.

    `lengths` are integers summing to `len(dataset)`, or fractions summing to 1: each part
    then gets `floor(len(dataset) * fraction)` items and the remaining items go one each to
    the parts in turn, from the first (PyTorch's rule). The order comes from one permutation
    drawn from `generator` (None: wengert's global generator, so `wengert.manual_seed` makes
    the split reproducible; an int seed or a numpy Generator otherwise).

    Examples
    --------
    >>> from wengert.utils.data import random_split
    >>> [len(part) for part in random_split(range(10), [0.7, 0.3], generator=0)]
    [7, 3]
    """
    n = len(dataset)
    lengths = list(lengths)
    total = sum(lengths)
    if lengths and math.isclose(total, 1) and total <= 1:
        for i, frac in enumerate(lengths):
            if not 0 <= frac <= 1:
                raise ValueError(f"random_split: fraction at index {i} is not between 0 and 1")
        parts = [int(math.floor(n * frac)) for frac in lengths]
        for i in range(n - sum(parts)):
            parts[i % len(parts)] += 1
        for i, p in enumerate(parts):
            if p == 0:
                warnings.warn(f"random_split: length of split at index {i} is 0; this split "
                              "will be empty", stacklevel=2)
        lengths = parts
    for x in lengths:
        if isinstance(x, bool) or not isinstance(x, (int, np.integer)) or x < 0:
            raise ValueError("random_split: lengths must be non-negative integers summing to "
                             f"len(dataset) = {n}, or fractions summing to 1; got {lengths}")
    if sum(lengths) != n:
        raise ValueError(f"random_split: sum of input lengths ({sum(lengths)}) does not equal "
                         f"the length of the input dataset ({n})")
    perm = _rng(_resolve_generator(generator)).permutation(n).tolist()
    out: List[Subset] = []
    start = 0
    for length in lengths:
        out.append(Subset(dataset, perm[start:start + int(length)]))
        start += int(length)
    return out


# --- samplers ----------------------------------------------------------------------------

class Sampler(Generic[T_co]):
    """Yields dataset indices (or lists of them, for a batch sampler); subclasses define
    `__iter__` and, where it is known, `__len__`."""

    def __init__(self, data_source: Any = None) -> None:
        pass

    def __iter__(self) -> Iterator[Any]:
        raise TypeError(f"{type(self).__name__} must define __iter__()")


class SequentialSampler(Sampler[int]):
    """0, 1, …, len(data_source) - 1."""

    def __init__(self, data_source: Any) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


def _check_positive_int(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} should be a positive integer value, but got {name}={value!r}")


class RandomSampler(Sampler[int]):
    """Random indices of `data_source`, drawn afresh at each `iter()`.

    Without replacement: a permutation (several concatenated when `num_samples` exceeds the
    length). With replacement: `num_samples` (default len) independent uniform draws.
    """

    def __init__(self, data_source: Any, replacement: bool = False,
                 num_samples: Optional[int] = None, generator: GeneratorLike = None) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got "
                            f"replacement={replacement!r}")
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        self._rng = _resolve_generator(generator)
        _check_positive_int("num_samples", self.num_samples)

    @property
    def num_samples(self) -> int:
        """How many indices one iteration yields: num_samples, or len(data_source)."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n, k, rng = len(self.data_source), self.num_samples, _rng(self._rng)
        if self.replacement:
            return iter(_randint(rng, n, k).tolist())
        if n == 0:
            return iter([])
        perm = np.concatenate([rng.permutation(n) for _ in range(-(-k // n))])
        return iter(perm[:k].tolist())

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given indices in a fresh random order at each `iter()`."""

    def __init__(self, indices: Sequence[int], generator: GeneratorLike = None) -> None:
        self.indices = indices
        self.generator = generator
        self._rng = _resolve_generator(generator)

    def __iter__(self) -> Iterator[int]:
        perm = _rng(self._rng).permutation(len(self.indices))
        return iter([self.indices[i] for i in perm.tolist()])

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    """`num_samples` indices in [0, len(weights)) drawn with probability proportional to
    `weights` (with or without replacement)."""

    def __init__(self, weights: Any, num_samples: int, replacement: bool = True,
                 generator: GeneratorLike = None) -> None:
        _check_positive_int("num_samples", num_samples)
        w = np.asarray(weights.numpy(force=True) if isinstance(weights, Tensor) else weights,
                       dtype=np.float64).reshape(-1)
        if w.size == 0 or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
            raise ValueError("WeightedRandomSampler: weights must be finite, non-negative and "
                             "not all zero")
        if not replacement and num_samples > np.count_nonzero(w):
            raise ValueError("WeightedRandomSampler: without replacement num_samples cannot "
                             "exceed the number of non-zero weights")
        self.weights, self.num_samples, self.replacement = w, num_samples, replacement
        self.generator = generator
        self._rng = _resolve_generator(generator)

    def __iter__(self) -> Iterator[int]:
        rng = _rng(self._rng)
        return iter(rng.choice(len(self.weights), self.num_samples, replace=self.replacement,
                               p=self.weights / self.weights.sum()).tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler[list]):
    """Lists of `batch_size` consecutive indices from `sampler`; the last list is shorter
    unless `drop_last=True`, which drops it. Length: ceil(n / batch_size), or floor with
    drop_last."""

    def __init__(self, sampler: Union[Sampler[int], Iterable[int]], batch_size: int,
                 drop_last: bool) -> None:
        _check_positive_int("batch_size", batch_size)
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got "
                             f"drop_last={drop_last!r}")
        self.sampler, self.batch_size, self.drop_last = sampler, int(batch_size), drop_last

    def __iter__(self) -> Iterator[List[int]]:
        batch: List[int] = []
        for idx in self.sampler:
            batch.append(idx)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]  # a sampler without __len__ raises here, as in torch
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


def get_worker_info() -> None:
    """Always None: loading runs in the calling process."""
    return None


# --- the loader --------------------------------------------------------------------------

class DataLoader(Generic[T_co]):
    """Iterate over `dataset` in (collated) batches.

    Each `iter(loader)` (each epoch) asks the sampler for indices afresh: with `shuffle=True`
    a new permutation from `generator` (None: wengert's global generator, so
    `wengert.manual_seed` makes it reproducible). Indices are grouped into lists of
    `batch_size` (the last shorter unless `drop_last=True`), each list's samples fetched and
    merged by `collate_fn` (default `default_collate`). `batch_size=None` disables batching:
    each sample goes through `collate_fn` alone (default `default_convert`).
    `len(loader)` is the number of batches: ceil(n / batch_size), or floor with drop_last.

    `sampler` (yields indices) excludes `shuffle`; `batch_sampler` (yields lists of indices)
    excludes `batch_size`, `shuffle`, `sampler` and `drop_last`. An `IterableDataset` is
    batched in its own order and takes neither shuffling nor a sampler.

    `num_workers > 0` loads in this process, giving the same batches in the same order as
    `num_workers=0`; `pin_memory`, `timeout`, `prefetch_factor`, `persistent_workers` and
    `pin_memory_device` are accepted and have no effect on the CPU, in process.

    Examples
    --------
    >>> from wengert.utils.data import DataLoader, TensorDataset
    >>> loader = DataLoader(TensorDataset(wg.arange(6.)), batch_size=4, shuffle=True)
    >>> len(loader), [len(xb) for (xb,) in loader]
    (2, [4, 2])
    """

    def __init__(self, dataset: Any, batch_size: Optional[int] = 1,
                 shuffle: Optional[bool] = None, sampler: Optional[Iterable[Any]] = None,
                 batch_sampler: Optional[Iterable[List[Any]]] = None, num_workers: int = 0,
                 collate_fn: Optional[Callable[[Any], Any]] = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Optional[Callable[[int], None]] = None,
                 multiprocessing_context: Any = None, generator: GeneratorLike = None, *,
                 prefetch_factor: Optional[int] = None, persistent_workers: bool = False,
                 pin_memory_device: str = "") -> None:
        if isinstance(num_workers, bool) or not isinstance(num_workers, (int, np.integer)) \
                or num_workers < 0:
            raise ValueError("num_workers option should be a non-negative integer; use "
                             "num_workers=0 to load in the main process")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers > 0 and worker_init_fn is not None:
            raise ValueError("DataLoader loads in this process and has no workers to "
                             "initialise: worker_init_fn would never run; call it yourself "
                             "and pass num_workers=0")
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle not in (None, False):
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle!r}")
            if sampler is not None or batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler "
                                 "and batch_sampler options")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None:
            if drop_last:
                raise ValueError("batch_size=None option disables auto-batching and is "
                                 "mutually exclusive with drop_last")
        else:
            _check_positive_int("batch_size", batch_size)
            if not isinstance(drop_last, bool):
                raise ValueError(f"drop_last should be a boolean value, but got "
                                 f"drop_last={drop_last!r}")
        self._rng = _resolve_generator(generator)
        if sampler is None and not self._iterable:
            sampler = (RandomSampler(dataset, generator=self._rng) if shuffle
                       else SequentialSampler(dataset))
        if batch_size is not None and batch_sampler is None and not self._iterable:
            assert sampler is not None          # made above for a map-style dataset
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self._auto_collation: bool = batch_sampler is not None or (self._iterable and
                                                            batch_size is not None)
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.dataset, self.batch_size, self.drop_last = dataset, batch_size, drop_last
        self.sampler: Any = sampler                 # None for an IterableDataset
        self.batch_sampler: Any = batch_sampler     # None without auto-collation
        self.num_workers, self.collate_fn, self.generator = num_workers, collate_fn, generator
        self.pin_memory, self.timeout, self.worker_init_fn = pin_memory, timeout, worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.prefetch_factor, self.persistent_workers = prefetch_factor, persistent_workers

    def __iter__(self) -> Iterator[Any]:
        if self._iterable:
            return self._iter_stream()
        if self._auto_collation:
            return (self.collate_fn([self.dataset[i] for i in batch])
                    for batch in self.batch_sampler)
        return (self.collate_fn(self.dataset[i]) for i in self.sampler)

    def _iter_stream(self) -> Iterator[Any]:
        if not self._auto_collation:
            for item in self.dataset:
                yield self.collate_fn(item)
            return
        batch: List[Any] = []
        for item in self.dataset:
            batch.append(item)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

    def __len__(self) -> int:
        if self._iterable:
            n = len(self.dataset)   # TypeError when the stream has no length, as in Python
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        if self._auto_collation:
            return len(self.batch_sampler)
        return len(self.sampler)
