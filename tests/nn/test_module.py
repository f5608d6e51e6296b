"""nn.Module and nn.Parameter: registration, traversal, modes, state_dict, repr."""
import numpy as np
import pytest

import wengert as wg
from wengert import nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)
        self.bn = nn.BatchNorm1d(4)
        self.scale = nn.Parameter(wg.ones(1, dtype=wg.float32))

    def forward(self, x):
        return self.bn(self.fc(x)) * self.scale


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block()
        self.head = nn.Linear(4, 2)
        self.layers = nn.ModuleList([nn.ReLU(), nn.Dropout(0.1)])

    def forward(self, x):
        x = self.block(x)
        for m in self.layers:
            x = m(x)
        return self.head(x)


# ---- Parameter ------------------------------------------------------------------------------

def test_parameter_is_a_leaf_tensor_that_requires_grad_and_shares_memory():
    t = wg.ones(3)
    p = nn.Parameter(t)
    assert isinstance(p, wg.Tensor) and isinstance(p, nn.Parameter)
    assert p.requires_grad and p.is_leaf and p.dtype == np.float64
    assert not isinstance(t, nn.Parameter)
    assert not isinstance(p * 2, nn.Parameter)
    t.data[0] = 5.0
    assert p.data[0] == 5.0
    assert not nn.Parameter(wg.ones(2), requires_grad=False).requires_grad
    assert nn.Parameter().shape == (0,)
    assert isinstance(nn.Parameter(np.zeros(2)), nn.Parameter)


def test_parameter_keeps_engine_fast_paths():
    # a parameter saved by an op and then changed in place must be caught (version counter),
    # and closures over parameters work inside transforms
    p = nn.Parameter(wg.ones(2))
    x = wg.ones(2, requires_grad=True)
    y = (x * p * p).sum()
    with wg.no_grad():
        p += 1
    with pytest.raises(RuntimeError, match="version"):
        y.backward()
    g = wg.grad(lambda a: (a * p).sum())(wg.ones(2))
    np.testing.assert_array_equal(g.numpy(force=True), p.numpy(force=True))
    (x * p * p).sum().backward()
    assert p.grad.grad_fn is None


def test_parameter_on_int_tensor_is_type_error():
    with pytest.raises(TypeError):
        nn.Parameter(wg.tensor([1, 2]))


# ---- registration and traversal ----------------------------------------------------------------

def test_named_parameters_dotted_and_ordered():
    names = [n for n, _ in Net().named_parameters()]
    assert names == ["block.scale", "block.fc.weight", "block.fc.bias", "block.bn.weight",
                     "block.bn.bias", "head.weight", "head.bias"]


def test_shared_parameters_and_modules_counted_once():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, nn.ReLU(), lin)
    assert len(list(seq.parameters())) == 2
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias"]
    assert len(list(seq.modules())) == 3
    assert len(list(seq.children())) == 2


def test_parameter_count():
    net = Net()
    assert sum(p.size for p in net.parameters()) == (3 * 4 + 4) + (4 + 4) + 1 + (4 * 2 + 2)


def test_children_and_modules():
    net = Net()
    assert [n for n, _ in net.named_children()] == ["block", "head", "layers"]
    assert [n for n, _ in net.named_modules()] == ["", "block", "block.fc", "block.bn", "head",
                                                   "layers", "layers.0", "layers.1"]
    assert next(net.modules()) is net


def test_setattr_rules():
    m = nn.Module()
    m.w = nn.Parameter(wg.ones(2))
    assert "w" in dict(m.named_parameters())
    m.w = None
    assert m.w is None and list(m.parameters()) == []
    with pytest.raises(TypeError, match="Parameter or None"):
        m.w = wg.ones(2)
    m.sub = nn.Linear(1, 1)
    assert m.sub in list(m.children())
    with pytest.raises(TypeError, match="Module or None"):
        m.sub = 3
    m.plain = wg.ones(2)                   # a plain tensor is an ordinary attribute
    assert list(m.buffers()) == [] and len(list(m.parameters())) == 2
    del m.sub
    assert list(m.children()) == []
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        m.nope


def test_assign_before_init_is_an_error():
    class Bad(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(wg.ones(1))
    with pytest.raises(AttributeError, match="before Module.__init__"):
        Bad()


def test_register_parameter_and_buffer():
    m = nn.Module()
    m.register_parameter("p", nn.Parameter(wg.zeros(2)))
    m.register_buffer("b", wg.ones(3))
    m.register_buffer("tmp", wg.ones(1), persistent=False)
    assert m.b is m._buffers["b"] and m.p is m._parameters["p"]
    assert list(m.state_dict()) == ["p", "b"]
    assert len(list(m.buffers())) == 2
    with pytest.raises(TypeError):
        m.register_parameter("q", wg.ones(2))
    with pytest.raises(TypeError):
        m.register_buffer("c", np.ones(2))
    with pytest.raises(KeyError, match=r'"\."'):
        m.register_buffer("a.b", wg.ones(1))
    with pytest.raises(KeyError, match="already exists"):
        m.register_parameter("training", None)
    m.b = wg.zeros(3)                       # reassigning a buffer keeps it a buffer
    m.p = nn.Parameter(wg.ones(2))          # ... and a parameter keeps its place
    assert list(m.state_dict()) == ["p", "b"]
    assert m.state_dict()["b"].numpy().sum() == 0


def test_module_without_forward():
    with pytest.raises(AttributeError, match="forward"):
        nn.ModuleList()(1)


# ---- train / eval / zero_grad ---------------------------------------------------------------------

def test_train_eval_recursive():
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError):
        net.train("no")


def test_zero_grad_sets_none():
    net = Net()
    net(wg.randn(5, 3).astype(wg.float32)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net(wg.randn(5, 3).astype(wg.float32)).sum().backward()
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in net.parameters())


# ---- state_dict -----------------------------------------------------------------------------------

def test_state_dict_keys_and_values():
    sd = Net().state_dict()
    assert list(sd) == ["block.scale", "block.fc.weight", "block.fc.bias", "block.bn.weight",
                        "block.bn.bias", "block.bn.running_mean", "block.bn.running_var",
                        "block.bn.num_batches_tracked", "head.weight", "head.bias"]
    assert all(isinstance(v, wg.Tensor) and not v.requires_grad for v in sd.values())
    assert sd["block.bn.num_batches_tracked"].dtype == np.int64
    assert sd["head.weight"].dtype == np.float32


def test_state_dict_round_trip():
    wg.manual_seed(0)
    a = Net()
    a.train()
    a(wg.randn(6, 3).astype(wg.float32))          # moves the running stats
    wg.manual_seed(1)
    b = Net()
    result = b.load_state_dict(a.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    for (ka, va), (kb, vb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert ka == kb
        np.testing.assert_array_equal(va.numpy(force=True), vb.numpy(force=True))
    a.eval(), b.eval()
    x = wg.randn(4, 3).astype(wg.float32)
    np.testing.assert_array_equal(a(x).numpy(force=True), b(x).numpy(force=True))


def test_load_state_dict_copies_in_place():
    lin = nn.Linear(2, 2)
    w = lin.weight
    src = {"weight": wg.ones((2, 2)), "bias": np.zeros(2)}
    lin.load_state_dict(src)
    assert lin.weight is w and w.dtype == np.float32 and w.requires_grad
    np.testing.assert_array_equal(w.numpy(force=True), np.ones((2, 2)))
    src["weight"].data[0, 0] = 7                   # no aliasing with the source
    assert w.data[0, 0] == 1


def test_load_state_dict_reports_all_missing_and_unexpected_keys():
    net = Net()
    sd = net.state_dict()
    del sd["head.bias"], sd["block.bn.running_var"]
    sd["extra.weight"] = wg.ones(1)
    sd["other"] = wg.ones(1)
    with pytest.raises(RuntimeError) as e:
        net.load_state_dict(sd)
    msg = str(e.value)
    for k in ("head.bias", "block.bn.running_var", "extra.weight", "other"):
        assert k in msg
    assert "Missing" in msg and "Unexpected" in msg
    res = net.load_state_dict(sd, strict=False)
    assert sorted(res.missing_keys) == ["block.bn.running_var", "head.bias"]
    assert sorted(res.unexpected_keys) == ["extra.weight", "other"]


def test_load_state_dict_shape_mismatch_names_key_and_shapes():
    lin = nn.Linear(3, 2)
    before = lin.bias.numpy(force=True).copy()
    with pytest.raises(ValueError, match=r"weight.*\(3, 2\).*\(2, 3\)"):
        lin.load_state_dict({"weight": wg.ones((3, 2)), "bias": wg.zeros(2)})
    np.testing.assert_array_equal(lin.bias.numpy(force=True), before)     # nothing was copied


def test_load_state_dict_needs_a_mapping():
    with pytest.raises(TypeError):
        nn.Linear(1, 1).load_state_dict([1, 2])


# ---- dtype, repr ------------------------------------------------------------------------------------

def test_to_double_keeps_parameter_objects():
    net = Net()
    params = list(net.parameters())
    net.double()
    assert [id(p) for p in net.parameters()] == [id(p) for p in params]
    assert all(p.dtype == np.float64 for p in net.parameters())
    assert net.block.bn.running_mean.dtype == np.float64
    assert net.block.bn.num_batches_tracked.dtype == np.int64
    assert net(wg.randn(3, 3)).dtype == np.float64
    net.float()
    assert all(p.dtype == np.float32 for p in net.parameters())
    assert net.to("cpu") is net
    with pytest.raises(TypeError):
        net.to(np.int32)


def test_repr_nested():
    assert repr(Net()) == """Net(
  (block): Block(
    (fc): Linear(in_features=3, out_features=4, bias=True)
    (bn): BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
  )
  (head): Linear(in_features=4, out_features=2, bias=True)
  (layers): ModuleList(
    (0): ReLU()
    (1): Dropout(p=0.1, inplace=False)
  )
)"""
    assert repr(nn.Module()) == "Module()"


def test_repr_matches_torch_for_common_layers():
    torch = pytest.importorskip("torch")
    pairs = [(nn.Linear(3, 2, bias=False), torch.nn.Linear(3, 2, bias=False)),
             (nn.Conv2d(1, 8, 3, padding=1), torch.nn.Conv2d(1, 8, 3, padding=1)),
             (nn.Conv2d(2, 4, (3, 5), stride=2, bias=False),
              torch.nn.Conv2d(2, 4, (3, 5), stride=2, bias=False)),
             (nn.LayerNorm(5), torch.nn.LayerNorm(5)),
             (nn.LayerNorm((2, 3), elementwise_affine=False),
              torch.nn.LayerNorm((2, 3), elementwise_affine=False)),
             (nn.BatchNorm1d(3, momentum=None, bias=False),
              torch.nn.BatchNorm1d(3, momentum=None, bias=False)),
             (nn.Embedding(5, 2, padding_idx=-1), torch.nn.Embedding(5, 2, padding_idx=-1)),
             (nn.AvgPool2d(2), torch.nn.AvgPool2d(2)), (nn.ReLU(), torch.nn.ReLU()),
             (nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3)),
             (nn.Embedding(10, 3), torch.nn.Embedding(10, 3)),
             (nn.Dropout(0.3), torch.nn.Dropout(0.3)),
             (nn.GELU(), torch.nn.GELU()), (nn.Softmax(dim=1), torch.nn.Softmax(dim=1)),
             (nn.Flatten(), torch.nn.Flatten()),
             (nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Sigmoid()),
              torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Tanh(), torch.nn.Sigmoid()))]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)
