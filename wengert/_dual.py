"""No perturbation confusion between `wg.dual` numbers, which share one forward-mode level.

`wg.dual` is one level of forward mode (level 0). Several dual numbers in one computation are
fine: their tangents add, `f(dual(3., 1.), dual(4., 0.))` is a directional derivative. What
one level cannot express is nesting: with x = dual(1., 1.), `x * (x + dual(1., 1.)).tangent`
reads as d/dx[x · d/dy(x + y)] = 1, but the inner tangent already holds x's own perturbation
and one level gives 2. So wengert refuses exactly that mix, and nested forward mode goes
through `wg.jvp`, whose levels keep the perturbations apart.

How: every `wg.dual` call is a generation. A level-0 tangent knows the generations whose
perturbations it holds (`_gens`, tangent Tensor → frozenset, passed on by every level-0 op).
A value taken out of a dual number (`.tangent`, `.primal`) is marked with the generations of
the number it came from (`_marks`), and so is everything computed from a marked value: a
marked tensor carries an empty tangent dict, which sends its ops through forward_mode (no
cost for tensors without tangents), where the marks are passed on to the floating results.
An op whose inputs hold a mark and a live level-0 tangent of a common generation is a
TypeError. A new `wg.dual` of marked values (`dual(y.primal, y.tangent)`) is a new
generation, and `.detach()` drops the mark (the value as a plain constant).
"""
import itertools
import weakref
from typing import Any

from .tensor import DUAL_LEVEL, Tensor, _make
from .views import alias



class _Ref(weakref.ref):
    __slots__ = ("key",)
    key: int


class _WeakIdMap:
    """Tensor → value, by identity, holding the Tensor weakly. (A WeakKeyDictionary compares
    keys with ==, which is elementwise on Tensors.)"""
    __slots__ = ("data", "gone")

    def __init__(self):
        data: dict[int, tuple[Any, Any]] = {}
        self.data = data

        def gone(r):
            e = data.get(r.key)
            if e is not None and e[0] is r:
                del data[r.key]

        self.gone = gone

    def get(self, t, default=None):
        e = self.data.get(id(t))
        return default if e is None or e[0]() is not t else e[1]

    def __setitem__(self, t, value):
        r = _Ref(t, self.gone)
        key = id(t)
        r.key = key
        self.data[key] = (r, value)


_gens = _WeakIdMap()        # level-0 tangent → the generations it holds
_marks = _WeakIdMap()       # value taken out of a dual (or made from one) → its generations
marks_live = _marks.data    # non-empty while any marked value lives
_EMPTY: frozenset = frozenset()
_next_generation = itertools.count().__next__


def new_generation(tangent):
    """A fresh object for the tangent of one `wg.dual` call, holding a new generation."""
    t = _alias(tangent)
    _gens[t] = frozenset((_next_generation(),))
    return t


def marks_of(*values):
    m = _EMPTY
    for v in values:
        if isinstance(v, Tensor):
            k = _marks.get(v)
            if k:
                m = m | k
    return m


def check(args):
    """The marks among args (a frozenset); a TypeError where a mark meets a live level-0
    tangent of one of its generations."""
    marks = live = _EMPTY
    for a in args:
        if isinstance(a, Tensor):
            m = _marks.get(a)
            if m:
                marks = marks | m
            tans = a._tangents
            if tans:
                t = tans.get(DUAL_LEVEL)
                if t is not None:
                    g = _gens.get(t)
                    if g:
                        live = live | g
    if marks and live and not marks.isdisjoint(live):
        raise TypeError(
            "this operation mixes a dual number with a value taken out of a dual number that "
            "holds the same perturbation (its .tangent or .primal, or a value computed from "
            "one): that reads as nested forward mode, which one level of wg.dual cannot do "
            "without perturbation confusion. Nest derivatives with wg.jvp (jvp of a function "
            "that calls jvp); or .detach() the value to use it as a plain constant.")
    return marks


def mark(out, marks):
    """Mark the floating results of an op that read marked values."""
    for o in (out if isinstance(out, tuple) else (out,)):
        if isinstance(o, Tensor) and o.data.dtype.kind in "fc":
            if o._tangents is None:
                o._tangents = {}
            prev = _marks.get(o)
            _marks[o] = marks if prev is None else prev | marks
    return out


def marked_call(op, args, params, marks):
    """op on inputs that carry marks but no tangent: computed on the bare values, then the
    marks are passed on."""
    stripped = []
    for a in args:
        if isinstance(a, Tensor) and a._tangents is not None:
            stripped.append((a, a._tangents))
            a._tangents = None
    try:
        out = op(*args, **params) if params else op(*args)
    finally:
        for a, tans in stripped:
            a._tangents = tans
    return mark(out, marks) if marks else out


def pass_generations(tangents, out):
    """After a level-0 op: its output tangents hold the generations of its input tangents."""
    gens = None
    for t in tangents:
        if t is not None:
            g = _gens.get(t)
            if g is not None and g is not gens:
                gens = g if gens is None else gens | g
    if not gens:
        return
    for o in (out if isinstance(out, tuple) else (out,)):
        tans = o._tangents if isinstance(o, Tensor) else None
        t = tans.get(DUAL_LEVEL) if tans else None
        if tans and t is not None:
            prev = _gens.get(t)
            if prev is gens:
                continue
            if prev is not None and prev != gens:
                t = tans[DUAL_LEVEL] = _alias(t)     # an input's tangent passed on as it is
            _gens[t] = gens


def tangent_of(x):
    """x.tangent: the level-0 tangent, as a value marked with the generations it holds."""
    tans = x._tangents
    t = tans.get(DUAL_LEVEL) if tans else None
    if t is None:
        return None
    e = _alias(t)
    alias(t, e, primal=True)        # (shares t's memory, as .primal shares x's)
    m = _gens.get(t, _EMPTY) | marks_of(x, t)
    if m:
        if e._tangents is None:
            e._tangents = {}
        _marks[e] = m
    return e


def primal_of(x):
    """x.primal: x without its level-0 tangent, marked with the generations that held."""
    tans = x._tangents
    if not tans or DUAL_LEVEL not in tans:
        return x
    from .forward import same_value     # (forward imports this module)
    p = same_value(x)
    m = _gens.get(tans[DUAL_LEVEL], _EMPTY) | marks_of(x)
    p._tangents = {k: v for k, v in tans.items() if k != DUAL_LEVEL} or ({} if m else None)
    if m:
        _marks[p] = m
    # p shares x's memory: a write into either reaches the other and moves it to a new
    # version (a node that saved x must not see its value change unannounced)
    alias(x, p, primal=True)
    return p


def _alias(t):
    """A new Tensor object for t's value, node and tangents (a tangent's identity carries
    its generations)."""
    from .forward import same_value     # (forward imports this module)
    a = same_value(t)
    a._tangents = dict(t._tangents) if t._tangents else None
    return a
