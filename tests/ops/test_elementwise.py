import numpy as np

import wengert as wg
from tests.ops.op_table import Row, generic_tests

ROWS = [
    Row(wg.exp, np.exp),
    Row(wg.log, np.log, domain=(0.2, 3.0)),
    Row(wg.sin, np.sin),
    Row(wg.tanh, np.tanh),
    Row(wg.multiply, np.multiply, nargs=2),
    Row(wg.add, np.add, nargs=2),
]

test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = \
    generic_tests(ROWS)
