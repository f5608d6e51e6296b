"""`wg.compile(fn)`: trace once per input signature, run as straight-line NumPy (API §8).

The first call for a signature (tree structure; each floating array leaf's shape and dtype;
integer and boolean arrays, Python ints, bools and other leaves by value; Python floats are
traced as 0-d float64, or by value where that would change a result's dtype: NumPy computes
a Python float beside a float32 array in float32) runs fn
uncompiled first, so a bad argument gets fn's own error; then it traces fn twice, on the
inputs and on a perturbed copy of them, simplifies both traces and compares them: a constant
or a step that differs means fn reached a value through non-op code (`_make(x.data * 2)`),
and the call raises rather than bake that value (where neither perturbed copy takes the
first call's branches, that comparison is made on the first later call with other inputs
that takes them, tracing once more). The program is generated, run once and
checked against the uncompiled result, and kept for the signature; later calls run it with
no Tensor and no node. A call first asks a check generated for the latest signature
(fastpath.py) whether its arguments still fit it, which costs a tuple compare per leaf;
only where they may not is the full signature computed.

Guards: `bool()` of a traced value, and `float()`, `int()`, `.item()` of one that no running
transform differentiates, are checked on every call, as is the shape of what a boolean mask
computed from the inputs selects (`x[x > 0]`); another outcome traces again (kept per
outcome), so a program never replays a branch the inputs would not take, and every step
after a shape guard sees the traced shapes. More than
`RETRACE_WARNING` traces of one function warn (RuntimeWarning).
"""
import functools
import gc
import warnings

import numpy as np

from ..tensor import Tensor
from ..tree import tree_flatten, tree_unflatten
from .codegen import Miss, generate
from .fastpath import checker, unflattener
from .ir import Entry, Guard, Trace, TraceError, compare, dce, simplify
from .rewrite import reuse_log_softmax, rewrite
from .trace import trace

__all__ = ["compile", "Compiled", "TraceError", "RETRACE_WARNING"]

RETRACE_WARNING = 8


def _array_key(kind, a):
    """A floating array is traced (its shape and dtype are the key); any other array (integer
    labels, indices, masks) is part of the key by value: ops read such arrays as indices and
    parameters, which the program would otherwise keep as constants."""
    if a.dtype.kind in "fc":
        return (kind, a.shape, a.dtype.str), True
    return (kind + "v", a.shape, a.dtype.str, a.tobytes()), False


def _leaf_key(x):
    if type(x) is np.ndarray:
        dt = x.dtype
        if dt.kind in "fc":
            return ("a", x.shape, dt.str), True
        return ("av", x.shape, dt.str, x.tobytes()), False
    if isinstance(x, Tensor):
        if x._requires_grad or x._tangents is not None:
            raise TypeError(
                "wg.compile: an argument is a tensor that requires grad (or carries a "
                "tangent); a compiled function computes values, not graphs: pass arrays, "
                "and compile the transform instead (wg.compile(wg.grad(f)))")
        return _array_key("t", np.asarray(x.data))
    if isinstance(x, np.ndarray):
        return _array_key("a", x)
    if isinstance(x, np.generic):
        return _array_key("g", np.asarray(x))
    if type(x) is float:
        return ("f",), True
    try:
        hash(x)
    except TypeError:
        raise TypeError(f"wg.compile: an argument of type {type(x).__name__} is neither an "
                        f"array, a number nor a tree of them") from None
    return ("v", type(x), x), False


def _leaf_key_floats_by_value(x):
    if type(x) is float:
        return ("v", float, _plain_float(x)), False
    return _leaf_key(x)


def _plain_float(x):
    """x as a key: nan equal to itself, -0.0 apart from 0.0."""
    return "nan" if x != x else (x, str(x))


class _FloatsAsArrays(Exception):
    """Tracing Python floats as 0-d float64 arrays changed a result's dtype."""


def _convert_of(r):
    """How the program hands back an output leaf the uncompiled call gave as r."""
    if isinstance(r, Tensor):
        return "tensor"
    if type(r) in (float, int, bool):
        return type(r).__name__
    if isinstance(r, np.ndarray):
        return "array"
    if isinstance(r, np.generic):
        return "np." + type(r).__name__     # (np.bool's name is "bool": kept apart)
    return None


def _perturbed(x, how):
    """x moved affinely and, by `how`, more: "affine" keeps the order and most signs of x's
    values, so a constant that fn took from argmax, argsort, a sort, a median or a mask
    would look the same in both traces; "negated" negates the move (which reverses the
    order and every sign) and adds a fixed pseudo-random amount of half x's spread (which
    breaks ties and symmetric patterns); "permuted" moves x's entries to other places (a
    fixed pseudo-random permutation): sums, counts and order statistics stay, so guards on
    them (a sign of a sum, a mask's count) take the same branch, while every position an
    argmax, an order or a mask names moves. A mask or an order taken from the values then
    differs in the second trace."""
    if isinstance(x, Tensor):
        x = x.data
    if type(x) is float:
        return x * 1.25 + 0.375 + (-1.5 * (abs(x) + 1) if how == "negated" else 0.0)
    a = np.asarray(x)
    if a.dtype.kind not in "fc":
        return x
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)     # (inf − inf, an all-NaN spread)
        return _moved(x, a, how)


def _moved(x, a, how):
    moved = a * 1.25 + 0.375
    if how == "negated" and a.size:
        noise = np.random.default_rng(a.size).standard_normal(a.shape)
        spread = float(np.nanstd(a.real)) if a.size > 1 else 0.0
        scale = (spread if np.isfinite(spread) and spread > 0 else 1.0) + 0.5
        moved = 0.5 * scale * noise - moved
    elif how == "permuted" and a.size > 1:
        order = np.random.default_rng(a.size).permutation(a.size)
        if (order == np.arange(a.size)).all():
            order = np.roll(order, 1)
        moved = moved.reshape(-1)[order].reshape(a.shape)
    moved = moved.astype(a.dtype)
    return np.asarray(moved) if isinstance(x, np.ndarray) else moved     # (kind kept)


def _same_result(got, want):
    g, w = np.asarray(got), np.asarray(want)
    if g.shape != w.shape or g.dtype != w.dtype:
        return False
    if g.dtype.kind not in "fc":
        return bool(np.array_equal(g, w))
    tol = 1e-4 if g.dtype.itemsize <= 4 else 1e-9
    return bool(np.allclose(g, w, rtol=tol, atol=tol, equal_nan=True))


class _Program:
    __slots__ = ("fn", "source", "out_def", "watched", "build", "unchecked")

    def __init__(self, fn, source, out_def, watched=()):
        self.fn, self.source, self.out_def = fn, source, out_def
        self.watched = watched
        self.build = unflattener(out_def)       # flat results → fn's result tree
        # (its simplified trace, the traced inputs) while no second trace at other inputs
        # taking the same branches has been compared with it (the soundness check)
        self.unchecked = None

    def current(self):
        """Do the tensors whose values the program holds as constants still hold them?"""
        for ref, version, data in self.watched:
            t = ref()
            if t is None:
                continue
            if data is None:                    # (a module: its training flag)
                if t.training is not version:
                    return False
            elif t._version != version or id(t.data) != data:
                return False
        return True


class Compiled:
    """fn compiled: call it as fn; `source(*args)` is the program that runs for args."""

    def __init__(self, fn):
        self.fn = fn
        self.cache = {}         # signature → [_Program, …] (one per guard outcome)
        self.traces = 0
        self._last = None       # the program compiled by the latest call that compiled
        # (the check of the latest signature that ran (fastpath.py), its programs)
        self._fast = None
        self._checks = {}       # signature → its check, or None where it has none
        # Python floats are traced as 0-d float64 arrays; where that gave a result another
        # dtype than fn's (NumPy takes a Python float beside a float32 array as float32),
        # they are part of the signature by value instead, as ints are
        self.floats_by_value = False
        functools.update_wrapper(self, fn)

    def _signature(self, args, kwargs):
        leaves, treedef = tree_flatten((args, kwargs))
        key = _leaf_key_floats_by_value if self.floats_by_value else _leaf_key
        keys, traced = zip(*map(key, leaves)) if leaves else ((), ())
        return (treedef, keys), leaves, list(traced)

    def __call__(self, *args, **kwargs):
        fast = self._fast
        if fast is not None:
            xs = fast[0](args, kwargs)
            if xs is not None:              # (the latest signature again: its programs)
                for prog in fast[1]:
                    if prog.watched and not prog.current():
                        continue
                    try:
                        return prog.build(prog.fn(*xs))
                    except Miss:
                        continue
        prog, flat, compiled = self._run(args, kwargs)
        return compiled if prog is None else prog.build(flat)

    def source(self, *args, **kwargs):
        """The Python source of the program that runs for these arguments: it defines
        `compiled(x0, x1, …)`, taking the array leaves in tree order and returning the
        result's leaves in tree order, and runs as it stands (`exec(src, {})`; it imports
        NumPy and the wengert ops it calls); it is the text that runs. Constants are in its
        preamble: small ones by value, bigger ones on one line each from their bytes. Only
        an array of object or structured dtype, which no literal rebuilds, is read from
        `_consts`, a dict the returned string (a str) carries as its `constants`
        attribute: `exec(src, {"_consts": src.constants})`."""
        prog, _, _ = self._run(args, kwargs)
        return prog.source if prog is not None else self._last.source  # type: ignore[union-attr]  # _run compiled one: _last is set

    def _run(self, args, kwargs):
        """(the cached program that ran, its flat result, None), or, where none applies
        (a new signature, a guard outcome not seen, a watched tensor changed), the newly
        compiled one's result: (None, None, result), with the program in self._last."""
        sig, leaves, traced = self._signature(args, kwargs)
        xs = [x.data if isinstance(x, Tensor) else x for x, t in zip(leaves, traced) if t]
        progs = self.cache.get(sig)
        if progs is not None:
            self._remember(sig, progs)
            for prog in progs:
                if prog.watched and not prog.current():
                    continue
                try:
                    out = prog.fn(*xs)
                except Miss:
                    continue
                if prog.unchecked is not None:
                    self._check_later(sig, prog, args, kwargs, traced, xs)
                return prog, out, None
        collecting = gc.isenabled()
        gc.disable()        # (tracing and simplifying make many objects and free few)
        try:
            self._last, result = self._compile(sig, args, kwargs, traced, xs)
        except _FloatsAsArrays:
            self.floats_by_value = True
            self.cache.clear()
            return self._run(args, kwargs)
        finally:
            if collecting:
                gc.enable()
        return None, None, result

    def _compile(self, sig, args, kwargs, traced, xs):
        want = self.fn(*args, **kwargs)         # (a bad argument: fn's own error, here)
        for w in tree_flatten(want)[0]:
            if isinstance(w, Tensor) and (w._requires_grad or w._tangents):
                raise TraceError(
                    f"wg.compile cannot compile {self._name()}: its result depends on a "
                    f"tensor that requires grad from outside the function (a closure over a "
                    f"parameter?), and a compiled program returns values, not graphs; pass "
                    f"that tensor as an argument (wg.func.functional_call for a module)")
        self.traces += 1
        if self.traces == RETRACE_WARNING + 1:
            warnings.warn(
                f"wg.compile: {getattr(self.fn, '__name__', 'the function')} was traced "
                f"{self.traces} times (new shapes, dtypes, Python values or guard outcomes); "
                f"each trace costs more than an uncompiled call", RuntimeWarning, stacklevel=3)
        tr = trace(self.fn, args, kwargs, traced)[0]     # (its result not kept: see below)
        self._check_no_state_written(tr)
        unchecked = None
        if not self._check_sound(tr, args, kwargs, traced):
            unchecked = (_snapshot(tr), [np.array(x, copy=True) for x in xs])
        simplify(tr)
        if bool(rewrite(tr)) | reuse_log_softmax(tr):
            dce(tr)
        want_leaves, want_def = tree_flatten(want)
        if want_def != tr.out_def:
            raise TraceError(f"wg.compile cannot trace {self._name()}: its result has another "
                             f"structure when traced ({tr.out_def!r}, not {want_def!r})")
        skewed = [n for n, x in zip(tr.inputs, xs)       # (plan.scratch: memory order)
                  if type(x) is np.ndarray and x.ndim > 1 and not x.flags.c_contiguous]
        src, fn = generate(tr, [_convert_of(r) for r in want_leaves], skewed=skewed)
        prog = _Program(fn, src, want_def, tr.watched)
        prog.unchecked = unchecked
        try:
            got = fn(*xs)
        except Miss as m:
            raise TraceError(f"wg.compile cannot trace {self._name()}: the guard on {m} does "
                             f"not hold for the inputs it was traced with (a value that "
                             f"changes between two calls of the function)") from None
        for g, w in zip(got, want_leaves):
            if not _same_result(g, w):
                if (not self.floats_by_value and np.asarray(g).dtype != np.asarray(w).dtype
                        and any(type(x) is float for x in tree_flatten((args, kwargs))[0])):
                    raise _FloatsAsArrays
                raise TraceError(
                    f"wg.compile cannot trace {self._name()}: the compiled program's result "
                    f"differs from the uncompiled call's; the function depends on values "
                    f"through code that is not a wengert op")
        progs = self.cache.setdefault(sig, [])
        progs.append(prog)
        self._remember(sig, progs)
        return prog, prog.build(got)

    def _remember(self, sig, progs):
        """Make sig the signature the next call checks first (fastpath.py); not while one of
        its programs waits for its soundness check, which only the full path runs."""
        if any(p.unchecked is not None for p in progs):
            self._fast = None
            return
        fast = self._fast
        if fast is None or fast[1] is not progs:
            check = self._checks.get(sig, False)
            if check is False:
                check = self._checks[sig] = checker(*sig)
            self._fast = None if check is None else (check, progs)

    def _check_no_state_written(self, tr):
        """fn must not write into a tensor that outlives the call (a closed-over tensor, a
        module's buffer or parameter): the program would not repeat the write. A tensor
        fn made and wrote (`b = wg.zeros(n); b[:2] = x[:2]`) is gone once the trace is."""
        def changed(ref, version, data):
            t = ref()
            return t is not None and data is not None and (t._version != version
                                                           or id(t.data) != data)

        written = tr.written
        tr.keep = tr.written = ()
        def suspect():
            return any(ref() is not None for ref in written) or any(changed(*w)
                                                                   for w in tr.watched)

        # (the trace ran with the collector off: its temporaries are young; a full
        # collection only where one seems to outlive it)
        gc.collect(0)
        if suspect():
            gc.collect()
        tr.watched = [w for w in tr.watched if w[0]() is not None]
        if suspect():
            raise TraceError(
                f"wg.compile cannot compile {self._name()}: it writes into a tensor that "
                f"outlives the call (a closed-over tensor, a module's parameter or buffer: an "
                f"optimizer step, BatchNorm's running statistics in training mode); the "
                f"compiled program would not repeat the write. Keep the update outside the "
                f"compiled function (compile the loss's value_and_grad, step outside), or "
                f"compile a module in eval mode")

    def _check_sound(self, tr, args, kwargs, traced):
        """Trace again on perturbed inputs; where the same guards were taken, the two
        programs must be the same (else a value reached an op through non-op code).
        False where no perturbed input took the same branches, or only the affine move (which
        keeps orders and masks): the check waits for a call with other inputs that takes
        them (`_check_later`)."""
        leaves, treedef = tree_flatten((args, kwargs))
        if not any(t and np.asarray(x.data if isinstance(x, Tensor) else x).dtype.kind in "fc"
                   for x, t in zip(leaves, traced)):
            return True         # (nothing to perturb: integer inputs are exact)
        # (the affine move alone cannot show an order or a mask taken from the values: where
        # only it takes the same branches, the check is made again on a later call)
        for how in ("negated", "permuted", "affine"):
            moved = [_perturbed(x, how) if t else x for x, t in zip(leaves, traced)]
            a2, k2 = tree_unflatten(treedef, moved)
            try:
                # (fn's warnings at a point the user did not ask for are not the user's)
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    tr2, _ = trace(self.fn, a2, k2, traced)
            except Exception:   # (the perturbed point may be outside fn's domain)
                continue
            if tr2.outcomes() == tr.outcomes():
                break           # (a point that takes the same branches: comparable)
        else:
            return False
        self._compare(tr, tr2)      # (tr and tr2 as recorded: simplified only if they differ)
        return how != "affine"

    def _check_later(self, sig, prog, args, kwargs, traced, xs):
        """The soundness check of a program whose perturbed traces took other branches, on
        the first later call with other inputs (which took the same branches, as the guards
        just passed): trace again here and compare; a difference drops the program and
        raises, as the check at compile time would have."""
        tr, seen = prog.unchecked
        if all(np.array_equal(a, b, equal_nan=True) for a, b in zip(xs, seen)):
            return              # (the inputs it was traced with: its result is fn's)
        tr2, _ = trace(self.fn, args, kwargs, traced)
        if tr2.outcomes() != tr.outcomes():
            return
        try:
            self._compare(tr, tr2)
        except TraceError:
            self.cache[sig].remove(prog)
            raise
        prog.unchecked = None

    def _compare(self, tr, tr2):
        what = compare(tr, tr2)
        if what is not None:
            simplify(tr)
            simplify(tr2)
            what = compare(tr, tr2)
        if what is not None:
            raise TraceError(
                f"wg.compile cannot trace {self._name()}: the function depends on values "
                f"through {what}: a value computed from an input's data by code that is not "
                f"a wengert op (e.g. _make(x.data * 2), an ndarray made from t.data, a "
                f"random draw) would become a wrong constant; write it with wengert/NumPy "
                f"ops on tensors")

    def _name(self):
        return getattr(self.fn, "__name__", repr(self.fn))


def _snapshot(tr):
    """A copy of trace tr that rewriting tr (which replaces operands and renames) leaves
    as it is."""
    t = Trace()
    t.inputs, t.input_metas, t.out_def = tr.inputs, tr.input_metas, tr.out_def
    t.entries = [Entry(e.op, e.args, e.params, e.names, e.multi, e.metas) for e in tr.entries]
    t.guards = [Guard(g.name, g.door, g.value) for g in tr.guards]
    t.outputs = list(tr.outputs)
    return t


def compile(fn):
    """Compile fn (a function of arrays, Python numbers and trees of them, a transform
    included: `wg.compile(wg.value_and_grad(f))`) into straight-line NumPy, per input
    signature (API §8). Usable as a decorator.

    Python side effects inside fn (print, appending to a list, counters) happen while fn is
    traced — on the first call for a signature or guard outcome, several times then (the
    uncompiled check run and two traces; once more on a later call where the soundness
    check had to wait for other inputs) — and never on the calls that run the compiled
    program. A wengert Tensor that fn closes over is a constant of the program, watched: an
    in-place change to it (an optimizer step, `t += 1` or `t[i] = v` under no_grad, a new
    `t.data = a`) makes the next call trace again; a write into its ndarray (`t.data[...] =
    v`) bypasses the tensor and is not seen. A NumPy array or a Python number that fn
    closes over (or reads from a list, a dict, an attribute) is a constant too, as in JAX,
    and is not watched: pass it as an argument if it changes. A random draw inside fn from
    NumPy's global generator or wengert's (np.random.*, wg.randn, dropout in training mode)
    is a TraceError, never a draw frozen into the program: draw outside, pass it in. A closed-over tensor that requires grad cannot be compiled into a
    gradient's program (a TraceError says to pass it as an argument).
    `compiled.source(*args)` returns the program as Python source.

    Examples
    --------
    >>> f = wg.compile(wg.grad(lambda x: (wg.sin(x) * x).sum()))
    >>> f(wg.tensor([0.0, 1.0]))    # sin x + x cos x
    tensor([0.        , 1.38177329])
    """
    return Compiled(fn)
