"""examples/digits.py: a short run trains both models, writes a PNG, saves and reloads weights."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def digits():
    spec = importlib.util.spec_from_file_location("digits_example",
                                                  ROOT / "examples" / "digits.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_load_data_split_and_standardised(digits):
    x_train, y_train, x_test, y_test = digits.load_data(seed=0)
    assert x_train.shape == (1437, 64) and x_test.shape == (360, 64)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int64
    assert set(np.unique(y_test)) == set(range(10))
    varying = x_train.std(axis=0) > 0
    np.testing.assert_allclose(x_train.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(x_train.std(axis=0)[varying], 1, rtol=1e-4)


def test_unknown_model_is_a_value_error(digits):
    with pytest.raises(ValueError, match="unknown model 'rnn'"):
        digits.build("rnn")


@pytest.mark.slow
def test_short_run_learns_plots_and_reloads(digits, tmp_path, capsys):
    out, weights = tmp_path / "curves.png", tmp_path / "w.safetensors"
    hist = digits.run(["--epochs", "3", "--quiet", "--out", str(out), "--save", str(weights)])
    assert set(hist) == {"mlp", "cnn"}
    for kind, h in hist.items():
        assert len(h["train_loss"]) == len(h["test_acc"]) == 3
        assert h["train_loss"][-1] < h["train_loss"][0]
        assert h["test_acc"][-1] > 0.85, (kind, h["test_acc"])
        assert h["reloaded_acc"] == h["test_acc"][-1]
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from matplotlib.image import imread
    assert imread(out).shape[:2] == (400, 1000)
    text = capsys.readouterr().out
    assert "mlp: test accuracy" in text and "(the same)" in text


def test_bad_model_option_exits_2(digits, capsys):
    with pytest.raises(SystemExit) as e:
        digits.main(["--model", "rnn"])
    assert e.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
