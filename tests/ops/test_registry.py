"""Every registered primitive has a row in some family's op table, and every op has rules."""
import importlib

import wengert as wg
from wengert.ops._primitive import BinaryOp, LinearOp, PrimitiveOp, UnaryOp

FAMILIES = ["elementwise", "nn", "reduction", "shape", "indexing", "conv", "fft",
            "special", "linalg_products", "linalg_contractions", "linalg_inverses",
            "linalg_decompositions", "linalg_eigen", "linalg_norms", "ufuncs_more"]


def _covered():
    names = set()
    for fam in FAMILIES:
        try:
            mod = importlib.import_module(f"tests.ops.test_{fam}")
        except ModuleNotFoundError:
            continue
        for row in getattr(mod, "ROWS", []):
            names.update(row.names())
        names.update(getattr(mod, "COVERED_ELSEWHERE", ()))
    return names


def test_every_primitive_has_a_row():
    missing = set(wg.ops.registry) - _covered()
    assert not missing, f"primitives without a row in tests/ops: {sorted(missing)}"


def test_every_primitive_has_both_rules():
    for name, op in wg.ops.registry.items():
        if isinstance(op, PrimitiveOp):
            assert op.vjp is not None, name
            assert op.jvp is not None, f"{name} has no JVP rule"
        else:
            assert isinstance(op, (UnaryOp, BinaryOp, LinearOp)), name
