"""The two worked examples that wengert grew from, differentiated by reverse mode.

Each gradient is printed beside central finite differences, (f(x + h) − f(x − h)) / 2h,
the independent check. Run: python examples/seeds.py
"""
import wengert as wg
from wengert.checking import numerical_grad


def show(title, f, **point):
    """Evaluate f at `point`, run backward once, and compare every ∂f with finite differences."""
    names = list(point)
    xs = [wg.tensor(v, requires_grad=True) for v in point.values()]
    out = f(*xs)
    out.backward()
    numeric = numerical_grad(f, *point.values(), argnums=tuple(range(len(names))))
    where = ", ".join(f"{n}={v}" for n, v in point.items())
    print(f"{title} at {where}: {out.item():.6g}")
    print(f"  {'':6}{'reverse mode':>14}{'finite differences':>22}{'difference':>12}")
    for n, x, num in zip(names, xs, numeric):
        g = x.grad.item()
        print(f"  ∂/∂{n:<3}{g:>14.12g}{num:>22.12g}{abs(g - num):>12.1e}")
    print()


show("d = a·(b + c)", lambda a, b, c: a * (b + c), a=2.2, b=-1.8, c=0.1)
show("f = x²y + y + 2", lambda x, y: x**2 * y + y + 2, x=3.0, y=4.0)
