"""The seed graph both viz test files draw."""
import wengert as wg
from wengert.tape import record


def seed_graph(backward=True, tape=True):
    """f = x²y + y + 2 at x = 3, y = 4: f = 42, ∂f/∂x = 2xy = 24, ∂f/∂y = x² + 1 = 10."""
    x = wg.tensor(3.0, requires_grad=True, name="x")
    y = wg.tensor(4.0, requires_grad=True, name="y")
    if tape:
        with record():
            f = x**2 * y + y + 2
    else:
        f = x**2 * y + y + 2
    if backward:
        f.backward()
    return f, x, y
