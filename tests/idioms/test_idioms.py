"""Every idiom against its expectation (see tests/idioms/_core.py and harness.py).

"differentiates": values equal NumPy's, gradients equal central finite differences in both
styles (wg.value_and_grad and .backward()), plus wg.jacfwd / wg.hessian where flagged.
Raises(E, regex): every style raises E with a matching message. Either(E, regex): each style
differentiates correctly or raises that. A wrong number fails every idiom, whatever it expects.
"""
import re

import pytest

from . import all_idioms
from ._core import Either, Raises
from .harness import run

IDIOMS = all_idioms()


def test_there_are_enough_idioms():
    assert len(IDIOMS) >= 150
    assert len({i.name for i in IDIOMS}) == len(IDIOMS), "idiom names must be unique"


@pytest.mark.parametrize("idiom", IDIOMS, ids=[f"{i.theme}.{i.name}" for i in IDIOMS])
def test_idiom(idiom):
    if idiom.requires:
        pytest.importorskip(idiom.requires)
    v = run(idiom)
    where = f"idiom {idiom.theme}.{idiom.name} ({idiom.expect}; needs {idiom.needs or '-'}):\n"
    assert v.status != "wrong", where + v.describe()
    if idiom.differentiates:
        assert v.status == "ok", where + v.describe()
        return
    exp = idiom.expect
    for check, e in v.errors:
        # a store into a float ndarray (b[i] = t): NumPy replaces any error of float(t) with its
        # own ValueError ("setting an array element with a sequence"), keeping ours as the cause
        if isinstance(e, ValueError) and isinstance(e.__cause__, exp.error):
            e = e.__cause__
        assert isinstance(e, exp.error) and re.search(exp.match, str(e)), \
            where + f"[{check}] raised {type(e).__name__}: {e}"
    if isinstance(exp, Either):
        return
    assert isinstance(exp, Raises)
    raised = {c for c, _ in v.errors}
    missing = [s for s in idiom.styles if s not in raised]
    assert not missing, where + f"no error in style(s) {missing}"
