"""Utilities with PyTorch's names: `wengert.utils.data` (datasets, samplers, DataLoader)."""
from . import data  # noqa: F401
