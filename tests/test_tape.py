"""The tape: op applications recorded in order, with constants, values and gradients."""
import numpy as np

import wengert as wg
from wengert.ops import observe as _observe
from wengert.tape import entry_for, record


def test_records_ops_in_order_with_constants_and_values():
    x = wg.tensor(3.0, requires_grad=True, name="x")
    y = wg.tensor(4.0, requires_grad=True, name="y")
    with record() as tape:
        f = x**2 * y + y + 2
    assert [e.op.name for e in tape] == ["power", "multiply", "add", "add"]
    assert tape.entries[0].inputs == (x, 2)
    assert tape.entries[-1].inputs[1] == 2
    assert [e.output.item() for e in tape] == [9.0, 36.0, 40.0, 42.0]
    assert entry_for(f.grad_fn) is tape.entries[-1]
    assert tape.entry_for(f.grad_fn) is tape.entries[-1]


def test_intermediate_gradients_are_kept():
    x = wg.tensor(3.0, requires_grad=True)
    with record() as tape:
        f = wg.sin(x) * x
    f.backward()
    s = tape.entries[0].output
    assert np.isclose(s.grad.item(), 3.0)           # ∂f/∂sin(x) = x
    assert np.isclose(x.grad.item(), np.cos(3.0) * 3.0 + np.sin(3.0))


def test_derivative_graph_is_recorded_with_create_graph():
    x = wg.tensor(2.0, requires_grad=True)
    with record() as tape:
        y = x**3
        n = len(tape)
        (g,) = wg.autograd.grad(y, x, create_graph=True)
    assert len(tape) > n and g.item() == 12.0


def test_nothing_is_recorded_outside_and_ops_are_restored():
    calls = {cls: cls.__call__ for cls in _observe.OBSERVED}
    x = wg.tensor(1.0, requires_grad=True)
    with record() as outer:
        with record() as inner:
            a = x + 1
        b = a * 2
    c = b - 1
    assert len(inner) == 1 and len(outer) == 2
    assert c.item() == 3.0
    assert {cls: cls.__call__ for cls in _observe.OBSERVED} == calls
    assert entry_for(c.grad_fn) is None


def test_the_tape_does_not_keep_the_graph_alive():
    import gc
    import weakref
    gc.disable()
    try:
        x = wg.tensor(2.0, requires_grad=True)
        with record() as tape:
            y = wg.exp(x) * x
        node = weakref.ref(y.grad_fn)
        assert entry_for(y.grad_fn) is tape.entries[-1]
        del y
        assert node() is None          # freed by reference counting alone, tape or not
        assert tape.entries[-1].node is None
        assert np.isclose(tape.entries[-1].output.item(), 2.0 * np.exp(2.0))   # values stay
    finally:
        gc.enable()


def test_entries_outlive_the_tape_object_while_the_graph_lives():
    x = wg.tensor(2.0, requires_grad=True)
    with record():
        y = x * 3.0
    e = entry_for(y.grad_fn)
    assert e is not None and e.inputs[1] == 3.0
