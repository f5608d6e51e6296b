"""examples/compiled_training.py: training with wg.compile(wg.value_and_grad(loss)) equals the
eager run step by step. The compiled tests skip while this wengert has no wg.compile."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

import wengert as wg

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def example():
    spec = importlib.util.spec_from_file_location("compiled_training_example",
                                                  ROOT / "examples" / "compiled_training.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def needs_compile():
    if not hasattr(wg, "compile"):
        pytest.skip("wg.compile not available")


def test_compiled_training_equals_eager_step_by_step(example):
    needs_compile()
    r = example.run(steps=40, seed=0)
    assert len(r["losses_compiled"]) == 40
    np.testing.assert_allclose(r["losses_compiled"], r["losses_eager"], rtol=example.LOSS_RTOL)
    assert r["param_abs_diff"] <= example.PARAM_ATOL
    assert r["losses_eager"][-1] < 0.5 * r["losses_eager"][0]     # it does learn
    assert r["agree"]


def test_main_prints_the_report_and_the_program(example, capsys):
    needs_compile()
    assert example.main(["--steps", "20", "--show-source"]) == 0
    out = capsys.readouterr().out
    assert "2-32-32-2 tanh MLP" in out and "np." in out
    assert out.rstrip().endswith("the compiled run equals the eager one")


def test_without_compile_it_says_so_and_fails(example, monkeypatch, capsys):
    monkeypatch.delattr(wg, "compile", raising=False)
    assert example.main(["--steps", "2"]) == 1
    assert "needs wg.compile" in capsys.readouterr().err


def test_the_functional_training_loop_itself_equals_eager(example, monkeypatch):
    """The example's loop (functional_call loss, value_and_grad, Adam on the returned
    gradients) with a stand-in that does not compile: the same numbers exactly, so any
    difference under the real wg.compile is the compiler's."""
    class Uncompiled:
        def __init__(self, fn):
            self.fn = fn

        def __call__(self, *args, **kwargs):
            return self.fn(*args, **kwargs)

    monkeypatch.setattr(wg, "compile", Uncompiled, raising=False)
    r = example.run(steps=20, seed=1)
    # (the example's loss is cross-entropy written against one-hot targets: equal to rounding)
    np.testing.assert_allclose(r["losses_compiled"], r["losses_eager"], rtol=1e-6)
    assert r["param_abs_diff"] < 1e-6
