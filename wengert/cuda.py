"""PyTorch's `torch.cuda` queries, answered for a library that computes on the CPU only.

Code written for either device (`'cuda' if wg.cuda.is_available() else 'cpu'`) takes its CPU
branch.
"""

__all__ = ["is_available", "device_count"]


def is_available():
    """Whether a CUDA GPU can be used: never (wengert computes with NumPy on the CPU).

    Examples
    --------
    >>> import wengert as wg
    >>> wg.cuda.is_available()
    False
    """
    return False


def device_count():
    """The number of CUDA GPUs wengert can use: 0.

    Examples
    --------
    >>> import wengert as wg
    >>> wg.cuda.device_count()
    0
    """
    return 0
