"""The package type-checks: `python -m mypy` with pyproject.toml's [tool.mypy] settings
(check_untyped_defs, disallow_incomplete_defs, warn_unused_ignores, no_implicit_optional,
...) over all of wengert/. Skipped where mypy is not installed (it is in the `test` extra)."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.slow
def test_mypy_finds_no_errors_in_the_package():
    pytest.importorskip("mypy")
    proc = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental"], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    assert "Success" in proc.stdout


def test_the_package_declares_its_hints():
    assert os.path.isfile(os.path.join(ROOT, "wengert", "py.typed"))
    with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as f:
        text = f.read()
    assert 'wengert = ["py.typed"]' in text
    assert "[tool.mypy]" in text and "check_untyped_defs = true" in text


def test_public_signatures_carry_hints():
    import inspect
    import wengert as wg
    for f in (wg.tensor, wg.zeros, wg.ones, wg.arange, wg.eye, wg.full, wg.linspace,
              wg.is_grad_enabled, wg.grad, wg.value_and_grad, wg.vjp, wg.jvp, wg.jacrev,
              wg.jacfwd, wg.hessian, wg.hvp, wg.Tensor.item, wg.Tensor.requires_grad_):
        sig = inspect.signature(f)
        assert sig.return_annotation is not inspect.Signature.empty, f.__name__
    assert inspect.signature(wg.exp).return_annotation in ("Tensor", wg.Tensor)
    assert str(inspect.signature(wg.add)) == "(x: 'TensorLike', y: 'TensorLike') -> 'Tensor'"
