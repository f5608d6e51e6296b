"""How tensors and dual numbers print."""
import numpy as np

import wengert as wg


def test_a_dual_number_prints_its_primal_and_tangent():
    x = wg.dual(42.0, 24.0)
    assert repr(x) == "dual(42., tangent=24.)"
    assert str(x) == "dual(42., tangent=24.)"
    assert f"{x}" == "dual(42., tangent=24.)"
    print(x)


def test_an_array_dual_and_ops_on_duals():
    x = wg.dual([1.0, 2.0], [3.0, 4.0])
    assert repr(x) == "dual([1., 2.], tangent=[3., 4.])"
    assert repr(x * x) == "dual([1., 4.], tangent=[ 6., 16.])"
    assert repr(wg.dual(np.float32(1.5), np.float32(-1))) == \
        "dual(1.5, tangent=-1., dtype=float32)"


def test_a_matrix_dual_puts_the_tangent_on_its_own_aligned_lines():
    x = wg.dual(np.eye(2), np.ones((2, 2)))
    assert repr(x) == ("dual([[1., 0.],\n"
                       "      [0., 1.]],\n"
                       "     tangent=[[1., 1.],\n"
                       "              [1., 1.]])")


def test_what_comes_out_of_a_dual_prints_as_a_tensor():
    x = wg.dual(3.0, 1.0)
    assert repr(x.primal) == "tensor(3.)"
    assert repr(x.tangent) == "tensor(1.)"
    assert repr(wg.sin(x).primal) == repr(wg.tensor(np.sin(3.0)))


def test_tensors_keep_their_repr():
    assert repr(wg.tensor([1.0, 2.0], requires_grad=True)) == \
        "tensor([1., 2.], requires_grad=True)"
    x = wg.tensor(2.0, requires_grad=True)
    assert repr(x * 3) == "tensor(6., grad_fn=<MulBackward>)"
    assert repr(wg.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(wg.tensor(np.eye(2))) == "tensor([[1., 0.],\n        [0., 1.]])"


def test_a_dual_in_a_graph_shows_its_grad_fn():
    x = wg.dual(wg.tensor(1.0, requires_grad=True), 2.0)
    assert repr(x * 3) == "dual(3., tangent=6., grad_fn=<MulBackward>)"


def test_nested_forward_mode_peels_the_innermost_level_first():
    seen = []

    def f(a):
        seen.append(repr(a))
        return a * a

    def df(a):
        return wg.jvp(f, (a,), (wg.tensor(2.0),))[1]

    wg.jvp(df, (wg.tensor(3.0),), (wg.tensor(1.0),))
    # (3 + 1·ε₁) + 2·ε₂: the outer transform's tangent inside, the inner one's outside
    assert seen == ["dual(dual(3., tangent=1.), tangent=2.)"]


def test_a_large_dual_is_summarised_like_numpy():
    x = wg.dual(np.arange(2000.0), np.ones(2000))
    text = repr(x)
    assert "..." in text and text.startswith("dual([") and "tangent=[1., 1., 1.," in text


def test_an_empty_tensor_shows_its_shape_and_summarize_never_raises():
    import wengert as wg
    from wengert.printing import summarize
    assert repr(wg.tensor(np.zeros((0, 3)))) == "tensor([], shape=(0, 3))"
    assert repr(wg.tensor(np.zeros(0))) == "tensor([])"
    assert summarize(np.array(["a", "b"])) == "<U1[2] [a, b]"
