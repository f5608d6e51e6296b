"""The two worked examples that wengert grew from, differentiated three ways.

Reverse mode (.backward()), forward mode (dual numbers a + bε, one pass per input) and, as
the independent check, central finite differences (f(x + h) − f(x − h)) / 2h.
Run: python examples/seeds.py
"""
import wengert as wg


def show(title, f, **point):
    """Evaluate f at `point` and print every partial derivative, computed three ways."""
    names, values = list(point), list(point.values())
    xs = [wg.tensor(v, requires_grad=True) for v in values]
    out = f(*xs)
    out.backward()                                        # reverse mode: all ∂ in one pass
    numeric = wg.numerical_grad(f, *values, argnums=tuple(range(len(values))))
    print(f"{title} at {', '.join(f'{n}={v}' for n, v in point.items())}: {out.item():.6g}")
    print(f"  {'':6}{'reverse mode':>14}{'forward mode':>14}{'finite differences':>20}")
    for i, (n, x, num) in enumerate(zip(names, xs, numeric)):
        duals = [wg.dual(v, 1.0 if j == i else 0.0) for j, v in enumerate(values)]
        fwd = f(*duals).tangent.item()                    # forward mode: seed ε on input i
        print(f"  ∂/∂{n:<3}{x.grad.item():>14.12g}{fwd:>14.12g}{num:>20.12g}")
    print()


show("d = a·(b + c)", lambda a, b, c: a * (b + c), a=2.2, b=-1.8, c=0.1)
show("f = x²y + y + 2", lambda x, y: x**2 * y + y + 2, x=3.0, y=4.0)
