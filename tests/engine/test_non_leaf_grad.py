"""Reading .grad of a non-leaf warns, as PyTorch does, unless retain_grad() was called."""
import contextlib
import warnings

import numpy as np
import pytest

import wengert as wg


@contextlib.contextmanager
def _quiet():
    """A block in which any UserWarning is an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        yield


def test_reading_grad_of_a_non_leaf_warns_and_names_retain_grad():
    x = wg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.sum().backward()
    with pytest.warns(UserWarning, match=r"non-leaf.*\.retain_grad\(\)") as rec:
        g = y.grad
    assert g is None
    assert rec[0].filename == __file__      # it points at the line that read .grad


def test_it_warns_before_backward_too():
    x = wg.tensor(2.0, requires_grad=True)
    y = wg.exp(x)
    with pytest.warns(UserWarning, match="non-leaf"):
        assert y.grad is None


def test_no_warning_for_leaves_constants_or_retained_non_leaves():
    x = wg.tensor([1.0, 2.0], requires_grad=True)
    c = wg.tensor([5.0, 6.0])
    y = x * c
    z = y * 2
    y.retain_grad()
    with _quiet():
        assert x.grad is None and c.grad is None
        assert y.grad is None                     # retained, before backward: no warning
        z.sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), [10.0, 12.0])
        np.testing.assert_allclose(y.grad.numpy(), [2.0, 2.0])
        assert c.grad is None
        assert z.detach().grad is None           # a detached tensor is a leaf


def test_a_non_leaf_given_a_grad_by_hand_does_not_warn():
    x = wg.tensor(1.0, requires_grad=True)
    y = x + 1
    y.grad = wg.tensor(3.0)
    with _quiet():
        assert y.grad.item() == 3.0


def test_library_code_reads_internal_grads_without_warning():
    """Drawings, the tape and training read gradients of non-leaves: no warning for the user."""
    with _quiet():
        from wengert.tape import record
        x = wg.tensor(3.0, requires_grad=True, name="x")
        with record() as tape:
            y = wg.sin(x) * x
        y.backward()
        wg.viz.summarize(y)
        wg.viz.draw.__module__      # (the module loads)
        from wengert.viz.draw import collect
        collect(y)
        collect(y * 2)              # a non-leaf y drawn without a tape
        tape.table()
        model = wg.nn.Linear(2, 1)
        opt = wg.optim.SGD(model.parameters(), lr=0.1)
        loss = model(wg.ones((3, 2), dtype=wg.float32)).sum()
        loss.backward()
        wg.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad()


def test_saving_a_model_itself_names_it_and_points_to_state_dict(tmp_path):
    import pytest
    import wengert as wg
    from wengert import nn
    with pytest.raises(TypeError, match=r"a Linear \(save its .state_dict\(\) instead\)"):
        wg.save(nn.Linear(2, 2), str(tmp_path / "m"))
