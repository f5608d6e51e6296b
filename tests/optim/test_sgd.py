import numpy as np
import pytest

import wengert as wg
from wengert.optim import SGD

RNG = np.random.default_rng(0)
P0 = [RNG.standard_normal((3, 4)), RNG.standard_normal(4)]
GRADS = [[RNG.standard_normal(a.shape) for a in P0] for _ in range(4)]


def hand_sgd(lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    """The update rule of torch.optim.SGD's documentation, written out in NumPy."""
    ps = [a.copy() for a in P0]
    bufs = [None] * len(ps)
    for grads in GRADS:
        for i, g in enumerate(grads):
            d = g + weight_decay * ps[i]
            if momentum:
                bufs[i] = d.copy() if bufs[i] is None else momentum * bufs[i] + (1 - dampening) * d
                d = d + momentum * bufs[i] if nesterov else bufs[i]
            ps[i] = ps[i] - lr * d
    return ps


def run_sgd(**opts):
    ps = [wg.tensor(a, requires_grad=True) for a in P0]
    opt = SGD(ps, **opts)
    for grads in GRADS:
        for p, g in zip(ps, grads):
            p.grad = wg.tensor(g)
        opt.step()
    return ps


OPTIONS = [dict(lr=0.1), dict(lr=0.05, weight_decay=0.1), dict(lr=0.1, momentum=0.9),
           dict(lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.01),
           dict(lr=0.1, momentum=0.8, nesterov=True),
           dict(lr=0.02, momentum=0.5, nesterov=True, weight_decay=0.2)]


@pytest.mark.parametrize("opts", OPTIONS)
def test_matches_the_documented_rule(opts):
    for p, e in zip(run_sgd(**opts), hand_sgd(**opts)):
        np.testing.assert_allclose(p.numpy(force=True), e, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("opts", OPTIONS)
def test_matches_torch(opts):
    torch = pytest.importorskip("torch")
    tp = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in P0]
    opt = torch.optim.SGD(tp, **opts)
    for grads in GRADS:
        for p, g in zip(tp, grads):
            p.grad = torch.tensor(g)
        opt.step()
    for p, e in zip(run_sgd(**opts), tp):
        np.testing.assert_allclose(p.numpy(force=True), e.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_trains_through_backward_in_float32():
    x = wg.tensor(np.linspace(-1, 1, 8, dtype=np.float32))
    w = wg.tensor(np.float32([0.0]), requires_grad=True)
    opt = SGD([w], lr=0.5, momentum=0.5)
    for _ in range(30):
        opt.zero_grad()
        loss = ((w * x - 3 * x) ** 2).mean()
        loss.backward()
        opt.step()
    assert w.dtype == np.float32
    assert abs(w.item() - 3) < 1e-3


def test_updates_in_place_and_bumps_the_version():
    p = wg.tensor([1.0, 2.0], requires_grad=True)
    alias = p.detach()
    data, v0, va = p.data, p._version, alias._version
    p.grad = wg.tensor([1.0, 1.0])
    SGD([p], lr=0.5).step()
    assert p.data is data                        # no new array: the update wrote in place
    np.testing.assert_array_equal(alias.numpy(), [0.5, 1.5])
    assert p._version > v0 and alias._version > va


def test_a_graph_that_saved_the_parameter_refuses_backward_after_the_step():
    p = wg.tensor([1.0, 2.0], requires_grad=True)
    y = (p * p).sum()                            # MulBackward saves p
    p.grad = wg.tensor([1.0, 1.0])
    SGD([p], lr=0.1).step()
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()


def test_parameters_without_grad_are_skipped():
    a = wg.tensor([1.0], requires_grad=True)
    b = wg.tensor([2.0], requires_grad=True)
    opt = SGD([a, b], lr=1.0, momentum=0.9)
    a.grad = wg.tensor([1.0])
    opt.step()
    assert a.item() == 0.0 and b.item() == 2.0 and b._version == 0
    assert b not in opt.state


def test_param_groups_have_their_own_options():
    a = wg.tensor([1.0], requires_grad=True)
    b = wg.tensor([1.0], requires_grad=True)
    opt = SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.0)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["params"] == [b] and opt.param_groups[0]["momentum"] == 0.0
    a.grad = wg.tensor([1.0])
    b.grad = wg.tensor([1.0])
    opt.step()
    assert a.item() == pytest.approx(0.9) and b.item() == pytest.approx(0.5)
    opt.param_groups[0]["lr"] = 1.0               # changing a group's lr takes effect
    opt.step()
    assert a.item() == pytest.approx(-0.1)


def test_zero_grad():
    p = wg.tensor([1.0, 2.0], requires_grad=True)
    opt = SGD([p], lr=0.1)
    p.grad = wg.tensor([3.0, 4.0])
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad.numpy(), [0.0, 0.0])
    opt.zero_grad()
    assert p.grad is None


def test_zero_grad_to_zeros_then_backward_accumulates_fresh():
    p = wg.tensor([1.0, 2.0], requires_grad=True)
    opt = SGD([p], lr=0.1)
    (p * 3).sum().backward()
    opt.zero_grad(set_to_none=False)
    (p * 2).sum().backward()
    np.testing.assert_array_equal(p.grad.numpy(), [2.0, 2.0])


def test_zero_d_and_read_only_parameters():
    p = wg.tensor(2.0, requires_grad=True)
    p.grad = wg.tensor(1.0)
    SGD([p], lr=0.5).step()
    assert p.item() == 1.5
    q = wg.asarray(np.broadcast_to(np.float64(1.0), (3,)), requires_grad=True)
    q.grad = wg.tensor(np.ones(3))
    SGD([q], lr=0.5).step()
    np.testing.assert_array_equal(q.numpy(force=True), [0.5, 0.5, 0.5])


def test_closure_is_called_with_grad_enabled():
    p = wg.tensor([1.0], requires_grad=True)
    opt = SGD([p], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with wg.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 1.0 and p.item() == pytest.approx(0.8)


def test_state_dict_round_trip():
    ps = [wg.tensor(a, requires_grad=True) for a in P0]
    opt = SGD(ps, lr=0.1, momentum=0.9)
    for p, g in zip(ps, GRADS[0]):
        p.grad = wg.tensor(g)
    opt.step()
    sd = opt.state_dict()
    assert sd["param_groups"][0]["params"] == [0, 1] and sd["param_groups"][0]["lr"] == 0.1
    np.testing.assert_array_equal(sd["state"][0]["momentum_buffer"], GRADS[0][0])
    qs = [wg.tensor(p.numpy(force=True), requires_grad=True) for p in ps]
    opt2 = SGD(qs, lr=1.0, momentum=0.9)
    opt2.load_state_dict(sd)
    assert opt2.param_groups[0]["lr"] == 0.1
    for opt_, ps_ in ((opt, ps), (opt2, qs)):
        for p, g in zip(ps_, GRADS[1]):
            p.grad = wg.tensor(g)
        opt_.step()
    for p, q in zip(ps, qs):
        np.testing.assert_array_equal(p.numpy(force=True), q.numpy(force=True))


def test_load_state_dict_errors():
    a = wg.tensor([1.0], requires_grad=True)
    b = wg.tensor([1.0], requires_grad=True)
    opt = SGD([a, b], lr=0.1)
    with pytest.raises(ValueError, match="parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": []})
    with pytest.raises(ValueError, match="doesn't match"):
        opt.load_state_dict({"state": {}, "param_groups": [{"lr": 0.1, "params": [0]}]})
    with pytest.raises(ValueError, match="shape"):
        opt.load_state_dict({"state": {0: {"momentum_buffer": np.zeros(3)}},
                             "param_groups": [{"lr": 0.1, "params": [0, 1]}]})
    with pytest.raises(TypeError):
        opt.load_state_dict([1, 2])


@pytest.mark.parametrize("opts, match", [
    (dict(lr=-0.1), "learning rate"),
    (dict(lr=0.1, momentum=-1), "momentum"),
    (dict(lr=0.1, weight_decay=-1), "weight_decay"),
    (dict(lr=0.1, nesterov=True), "Nesterov"),
    (dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "Nesterov"),
])
def test_invalid_options(opts, match):
    with pytest.raises(ValueError, match=match):
        SGD([wg.tensor([1.0], requires_grad=True)], **opts)


def test_invalid_params():
    p = wg.tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="iterable"):
        SGD(p, lr=0.1)
    with pytest.raises(ValueError, match="empty"):
        SGD([], lr=0.1)
    with pytest.raises(ValueError, match="required"):
        SGD([p])
    with pytest.raises(ValueError, match="non-leaf"):
        SGD([p * 2], lr=0.1)
    with pytest.raises(TypeError, match="Tensors"):
        SGD([np.ones(2)], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        SGD([{"params": [p]}, {"params": [p]}], lr=0.1)
    with pytest.raises(ValueError, match="more than once"):
        SGD([p, p], lr=0.1)


def test_same_shaped_parameters_and_a_larger_group_added_later():
    a = wg.tensor([1.0, 2.0], requires_grad=True)
    b = wg.tensor([3.0, 4.0], requires_grad=True)
    opt = SGD([a, b], lr=0.5, momentum=0.5, weight_decay=0.1)
    a.grad, b.grad = wg.tensor([1.0, 1.0]), wg.tensor([2.0, 0.0])
    opt.step()
    np.testing.assert_allclose(a.numpy(force=True), [1 - 0.5 * 1.1, 2 - 0.5 * 1.2])
    np.testing.assert_allclose(b.numpy(force=True), [3 - 0.5 * 2.3, 4 - 0.5 * 0.4])
    c = wg.tensor(np.ones((4, 5)), requires_grad=True)     # larger than the scratch so far
    opt.add_param_group({"params": [c], "momentum": 0.0})
    c.grad = wg.tensor(np.full((4, 5), 2.0))
    a.grad = None
    b0 = b.numpy(force=True).copy()
    opt.step()
    np.testing.assert_allclose(c.numpy(force=True), 1 - 0.5 * (2 + 0.1))
    buf = 0.5 * np.array([2.3, 0.4]) + (np.array([2.0, 0.0]) + 0.1 * b0)
    np.testing.assert_allclose(b.numpy(force=True), b0 - 0.5 * buf)
