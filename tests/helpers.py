"""Helpers shared by the test modules (also offered as fixtures by tests/conftest.py)."""
import wengert as wg


def leaf(v, dtype=None):
    """A leaf tensor of v that requires grad."""
    return wg.tensor(v, dtype=dtype, requires_grad=True)
