"""The two worked examples that wengert grew from, differentiated three ways.

Reverse mode (.backward()), forward mode (dual numbers a + bε, one pass per input) and, as
the independent check, central finite differences (f(x + h) − f(x − h)) / 2h. The table is
the one `wengert demo` opens with (wengert.demo.derivative_table).
Run: python examples/seeds.py
"""
from wengert.demo import SEEDS, derivative_table

for title, f, point in SEEDS:
    print(derivative_table(title, f, point), end="\n\n")
