"""Shared test setup. Helpers live in tests/helpers.py (import them: `from tests.helpers
import leaf`); the same helpers are fixtures here for tests that prefer to ask for them."""
import pytest

from tests import helpers


@pytest.fixture(name="leaf")
def leaf_fixture():
    """The leaf-tensor maker of tests/helpers.py."""
    return helpers.leaf
