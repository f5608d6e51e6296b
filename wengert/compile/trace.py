"""Tracing: run a function once on tracing Tensors and write down every op application.

The trace inputs are leaves that require grad, so a transform inside the function (grad,
value_and_grad, jacrev, hessian, hvp) sees an outer dependence and records its backward and
tangent rules as ops too (`_Watched.modes` in transforms/reverse.py): one Wengert list holds
the primal and the adjoint steps. `ops.observe.observe` reports each op call; a value is
known by the Tensor that carries it, or by its ndarray (a twin made by `same_tensor`, a
re-wrapped saved output). Anything else an op is handed is a constant, kept by value; the
second trace of `compiled.Compiled` checks that no such constant depended on the inputs.

While tracing, the value doors (exits.py) of a traced value become guards: `bool()`, and
`float()`/`int()`/`.item()` of a value no running transform differentiates, give their
outcome now and are checked again on every call of the compiled program. An array door
(`np.asarray(t)`) of a traced value is refused: its value would become a constant. Only
indexing may read an integer or boolean traced value as an array (`x[x > 0]`,
`x[wg.argmax(x)]`): the array it gets is known as the value (`_Tracer.index_value`), so the
step reads the index at run time. A boolean mask makes the shape of what it selects depend
on its values: each output of a step that indexes with one gets a shape guard.
"""
import functools
import gc
import weakref

import numpy as np

from .. import exits as _exits
from ..ops import _operands, indexing as _indexing
from ..ops.observe import observe
from ..tensor import Tensor, _make
from ..transforms import reverse as _reverse
from ..tree import tree_flatten
from .ir import Const, Entry, Guard, Ref, TraceError, Trace


class _Tracer:
    def __init__(self):
        self.trace = Trace()
        self.names = {}             # id(Tensor) → (name, Tensor, version, Ref)
        self.by_data = {}           # id(ndarray) → name, for twins of a traced value
        self.keep = []              # everything whose id is a key, alive until the end
        self.named = set()          # the traced values, for the `.data` door
        self.backward_depth = 0
        self.count = 0
        self.watched = {}           # id(Tensor) → (weakref, version, id(data)) of constants
        self.saw_ref = False        # (did the latest `operand` make a Ref)
        self.written = []           # weakrefs to tensors that were constants when written
        self.indices = {}           # id(ndarray) → name, for traced values read as an index
        self.saw_index = False      # (did the latest `operand` read such an index …
        self.saw_mask = False       # … a boolean one)

    # ---- naming ---------------------------------------------------------------------------
    def name_tensor(self, t, name):
        """Name the traced value t; returns its data."""
        d = _data_of(t)
        self.names[id(t)] = (name, t, t._version, Ref(name))
        self.by_data[id(d)] = name
        self.keep.append(t)
        self.named.add(t)
        return d

    def lookup(self, t):
        """The name of the traced value t carries, or None for a constant."""
        hit = self.names.get(id(t))
        if hit is not None and hit[1] is t:
            if t._version != hit[2]:
                raise TraceError(
                    "wg.compile cannot trace an in-place write to a traced value (`x += …`, "
                    "`x[i] = …` on a value computed from the inputs); write it as a new value "
                    "(x = x + …, wg.where, wg.stack)")
            return hit[0]
        name = self.by_data.get(id(t.data))
        return name

    # ---- converting an op's operands -------------------------------------------------------
    def operand(self, a):
        """a with traced values as Refs and other arrays as Consts (`self.saw_ref` set
        where a Ref was made)."""
        t = type(a)
        if t in _PLAIN:
            return a
        if t is tuple or t is list:
            if not a:
                return a
            out = []
            names = self.names
            for x in a:
                tx = type(x)
                if tx in _PLAIN:
                    out.append(x)
                    continue
                if tx is Tensor:            # (the usual operand: a traced value, unchanged)
                    hit = names.get(id(x))
                    if hit is not None and hit[1] is x and x._version == hit[2]:
                        self.saw_ref = True
                        out.append(Ref(hit[0]))
                        continue
                out.append(self.operand(x))
            return t(out)
        if t is dict:
            return {k: v if type(v) in _PLAIN else self.operand(v) for k, v in a.items()}
        if isinstance(a, Tensor):
            name = self.lookup(a)
            if name is not None:
                self.saw_ref = True
                return Ref(name)
            self.watch(a)
            return Const(np.array(a.data, copy=True))
        if isinstance(a, (list, tuple)) and not hasattr(a, "_fields"):
            return type(a)(self.operand(x) for x in a)
        if isinstance(a, dict):
            return {k: self.operand(v) for k, v in a.items()}
        if isinstance(a, np.ndarray):
            name = self.indices.get(id(a))
            if name is not None:
                self.saw_ref = self.saw_index = True
                self.saw_mask = self.saw_mask or a.dtype.kind == "b"
                return Ref(name)
            return Const(a.copy())
        if isinstance(a, np.generic):
            return Const(a)
        return a

    def watch(self, t):
        """t, a tensor that is not a traced value, is read as a constant: a closure's tensor
        is watched on every call (trace.watched keeps those alive after fn returns)."""
        if id(t) not in self.watched:
            self.watched[id(t)] = None          # (t.data below comes back here)
            self.watched[id(t)] = (weakref.ref(t), t._version, id(t.data))

    def watch_module(self, m):
        """A module called while tracing: its training flag (Dropout, BatchNorm read it) is
        watched on every call, as (module, flag, None)."""
        if id(m) not in self.watched:
            self.watched[id(m)] = (weakref.ref(m), m.training, None)

    # ---- callbacks ------------------------------------------------------------------------
    def on_op(self, op, args, params, out):
        known = self.names
        if isinstance(out, Tensor):
            hit = known.get(id(out))
            if hit is not None and hit[1] is out:
                return              # (a nested call's result, already named)
            multi = False
            outs = (out,)
        elif isinstance(out, tuple):
            multi = True
            outs = out
            if all(not isinstance(o, Tensor) or known.get(id(o), (0, None))[1] is o
                   for o in outs):
                return
        else:
            return
        if args and not params:     # (the usual operands: traced values, unchanged, numbers)
            refs = []
            traced = False
            for x in args:
                if type(x) in _PLAIN:
                    refs.append(x)
                    continue
                hit = known.get(id(x))
                if hit is None or hit[1] is not x or x._version != hit[2]:
                    break
                refs.append(hit[3])
                traced = True
            else:
                if traced:
                    self._add(op, tuple(refs), params, out, outs, multi, False)
                    return
        self.saw_ref = self.saw_index = self.saw_mask = False
        a = self.operand(args)
        p = self.operand(params) if params else params
        if not self.saw_ref:
            return                  # every input a constant: folded (its output is a constant)
        if self.saw_index and op.name == "setitem":
            _refuse_write_at_traced_index()     # (its parameters read the index's values)
        self._add(op, a, p, out, outs, multi, self.saw_mask and op.name not in _SHAPE_KEPT)

    def _add(self, op, a, p, out, outs, multi, masked):
        """The entry of an op application, its outputs named (`masked`: it reads a mask,
        whose number of True sets the outputs' shapes: each gets a shape guard)."""
        prefix = "g" if self.backward_depth > 0 else "v"
        if not multi and not masked:        # (the usual op: one output)
            self.count += 1
            n = f"{prefix}{self.count}"
            m = _meta(self.name_tensor(out, n))
            self.trace.entries.append(Entry(op, a, p, (n,), False, (m,)))
            return
        names = []
        metas = []
        for o in outs:
            self.count += 1
            names.append(f"{prefix}{self.count}")
            metas.append(_meta(self.name_tensor(o, names[-1])))
        if masked:
            for n, m in zip(names, metas):
                self.trace.guards.append(Guard(n, "shape", m[0]))
        self.trace.entries.append(Entry(op, a, p, tuple(names), multi, tuple(metas)))

    def door(self, t, door, array):
        """A traced value leaving through a door: a guard, or a refusal."""
        name = self.lookup(t)
        if name is None:
            self.watch(t)               # (`float(w)` of a closure's tensor: a constant)
            return None
        if array:
            raise TraceError(
                f"wg.compile cannot trace {door} of a value computed from the inputs: its "
                f"value would become a constant of the compiled program; keep it a tensor "
                f"(wengert/NumPy ops on it), or compute it outside the compiled function")
        return name

    def index_value(self, t, array=None):
        """indexing._index_value while tracing: an integer or boolean traced value (or an
        array that stands for one) as a fresh array that `operand` knows as the value (a
        Ref); anything else through the array door (`array`, the function this one stands
        in for)."""
        if isinstance(t, Tensor):
            name = self.lookup(t)
            d = t.data
            if name is None or d.dtype.kind not in "biu":
                return array(t)         # (a constant; a float index: refused by the door)
        else:
            name, d = self.indices.get(id(t)), t
            if name is None:
                return array(t)
        a = np.array(d, copy=True)
        self.indices[id(a)] = name
        self.keep.append(a)
        return a


    def read_values(self, obj, what, read=None):
        """_operands.read_values while tracing: a function that answers from the values
        (np.nonzero, wg.unique, np.allclose) refuses a traced value, whose answer (positions,
        a shape, a yes/no) would be a constant of the program (`read`: the function this one
        stands in for)."""
        for t in _tensors(obj):
            if self.lookup(t) is not None:
                raise TraceError(
                    f"wg.compile cannot trace {what} of a value computed from the inputs: its "
                    f"answer would become a constant of the compiled program (right only for "
                    f"the traced inputs); select with a boolean mask instead (x[m], "
                    f"wg.where(m, a, b), m.sum() to count), which the program computes on "
                    f"every call, or compute it outside the compiled function")
        return read(obj, what)


def _tensors(obj):
    if isinstance(obj, Tensor):
        yield obj
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            yield from _tensors(o)
    elif isinstance(obj, dict):
        for o in obj.values():
            yield from _tensors(o)


# an op that reads a mask yet makes a result of the shape its parameters give (x's shape)
_SHAPE_KEPT = frozenset({"scatter_add"})
_PLAIN = frozenset({int, float, bool, str, type(None), slice, complex})


_data_of = Tensor.__dict__["data"].__get__     # (`.data` past the door the trace puts there)
_DTYPE_STR: dict = {}                           # np.dtype → its .str, which NumPy builds anew
_NDARRAY, _GENERIC = np.ndarray, np.generic


def _meta(d):
    """(shape, dtype, kind) of an op's output value."""
    if type(d) is _NDARRAY or isinstance(d, _GENERIC):
        dt = d.dtype
        s = _DTYPE_STR.get(dt)
        if s is None:
            s = _DTYPE_STR[dt] = dt.str
        return d.shape, s, type(d)
    return np.shape(d), np.asarray(d).dtype.str, type(d)


# ---- the doors, while tracing -------------------------------------------------------------

def _install_doors(tracer):
    """Patch Tensor's value doors for the trace; returns the undo."""
    saved = {k: Tensor.__dict__[k] for k in
             ("__bool__", "__float__", "__int__", "item", "__array__", "numpy", "tolist",
              "__index__")}

    def valued(kind, door, conv):
        orig = saved[kind]

        def patched(self, *a, **k):
            name = tracer.door(self, door, False)
            if name is None:
                return orig(self, *a, **k)
            if door != "bool()" and (self._tangents is not None or self._requires_grad):
                _exits.check_exit(self, door)      # a value a transform differentiates
            v = orig(self, *a, **k) if door != "bool()" else conv(self.data)
            tracer.trace.guards.append(Guard(name, door, v))
            return v
        return patched

    def arrayed(kind, door):
        orig = saved[kind]

        def patched(self, *a, **k):
            tracer.door(self, door, True)     # (force=True too: the value would be baked)
            return orig(self, *a, **k)
        return patched

    set_item = Tensor.__dict__["__setitem__"]
    saved["__setitem__"] = set_item

    def setitem(self, index, value):
        if tracer.lookup(self) is None:
            tracer.written.append(weakref.ref(self))
        for i in index if isinstance(index, tuple) else (index,):
            if isinstance(i, Tensor) and tracer.lookup(i) is not None:
                _refuse_write_at_traced_index()
        return set_item(self, index, value)

    setattr(Tensor, "__setitem__", setitem)
    slot = saved["data"] = Tensor.__dict__["data"]
    get_data = slot.__get__

    named, watched = tracer.named, tracer.watched

    def data(self):
        # `.data` of a closure's tensor (a module's buffer read by library code) is a
        # constant of the program: watched, as an operand's would be. (A traced value is
        # found in a set by object.__hash__, which a subclass may replace: Tensors only.)
        if (type(self) is not Tensor or self not in named) and id(self) not in watched:
            tracer.watch(self)
        return get_data(self)

    setattr(Tensor, "data", property(data, slot.__set__))
    from ..nn.module import Module
    call = saved_call = Module.__dict__["__call__"]

    def module_call(self, *a, **k):
        tracer.watch_module(self)
        return call(self, *a, **k)

    setattr(Module, "__call__", module_call)
    update = saved["_inplace"] = Tensor.__dict__["_inplace"]

    def inplace(self, *a, **k):
        if tracer.lookup(self) is None:
            tracer.written.append(weakref.ref(self))
        return update(self, *a, **k)

    setattr(Tensor, "_inplace", inplace)
    setattr(Tensor, "__bool__", valued("__bool__", "bool()", lambda d: bool(np.asarray(d).item())))
    setattr(Tensor, "__float__", valued("__float__", "float()", None))
    setattr(Tensor, "__int__", valued("__int__", "int()", None))
    setattr(Tensor, "__index__", valued("__index__", "index", None))
    setattr(Tensor, "item", valued("item", ".item()", None))
    setattr(Tensor, "tolist", valued("tolist", ".tolist()", None))
    setattr(Tensor, "__array__", arrayed("__array__", "np.asarray(t)"))
    setattr(Tensor, "numpy", arrayed("numpy", "t.numpy()"))

    def undo():
        for k, v in saved.items():
            setattr(Tensor, k, v)
        setattr(Module, "__call__", saved_call)
    return undo


def _refuse_write_at_traced_index():
    raise TraceError(
        "wg.compile cannot trace `t[index] = v` (or wg.setitem) with an index computed from "
        "the inputs (a mask, positions from argmax/argsort): the write's shapes and repeats "
        "would be fixed at their traced values; write it as a new value "
        "(wg.where(mask, v, t)) or pass the index as an integer argument")


def _counting_backward(tracer, run):
    def run_backward(*a, **k):
        tracer.backward_depth += 1
        try:
            return run(*a, **k)
        finally:
            tracer.backward_depth -= 1
    return run_backward


def _random_states():
    """The states of wengert's generator and of NumPy's global one (np.random.*): a draw
    while tracing moves one of them."""
    from .. import creation
    g = creation.generator()
    legacy = np.random.get_state(legacy=False)
    return g, g.bit_generator.state, legacy


def _same_random_states(a, b):
    if a[0] is not b[0] or a[1] != b[1]:
        return False
    s, t = a[2], b[2]
    return (s["bit_generator"] == t["bit_generator"] and s.keys() == t.keys()
            and all(np.array_equal(x, y) if isinstance(x, np.ndarray) else
                    (all(np.array_equal(x[k], y[k]) for k in x) if isinstance(x, dict) else
                     x == y)
                    for x, y in ((s[k], t[k]) for k in s)))


def trace(fn, args, kwargs, traced):
    """Run fn(*args, **kwargs) with the leaves marked in `traced` (a list of bools, one per
    leaf of (args, kwargs)) replaced by tracing Tensors. Returns (Trace, result)."""
    leaves, treedef = tree_flatten((args, kwargs))
    tracer = _Tracer()
    inputs: list = []
    metas: list = []                  # (shape, dtype, type) of each input as the program gets it
    new_leaves = []
    for i, (x, t) in enumerate(zip(leaves, traced)):
        if not t:
            new_leaves.append(x)
            continue
        data = x.data if isinstance(x, Tensor) else x
        data = np.array(data, dtype=np.float64) if type(x) is float else np.array(data)
        tt = _make(data, None)
        if data.dtype.kind in "fc":
            tt._requires_grad = True
        name = f"x{len(inputs)}"
        tracer.name_tensor(tt, name)
        inputs.append(name)
        metas.append((data.shape, data.dtype.str, type(x.data if isinstance(x, Tensor) else x)))
        new_leaves.append(tt)
    tracer.trace.inputs = inputs
    tracer.trace.input_metas = metas
    from ..tree import tree_unflatten
    targs, tkwargs = tree_unflatten(treedef, new_leaves)
    undo = _install_doors(tracer)
    run = _reverse.run_backward
    _reverse.run_backward = _counting_backward(tracer, run)
    index_value = _indexing._index_value
    _indexing._index_value = functools.partial(tracer.index_value, array=index_value)
    read_values = _operands.read_values
    _operands.read_values = functools.partial(tracer.read_values, read=read_values)
    # the trace keeps every value alive until it ends, so the cyclic collector would walk a
    # growing heap over and over (most of a long trace's time) and free nothing: it waits
    collecting = gc.isenabled()
    gc.disable()
    before = _random_states()
    try:
        with observe(tracer.on_op), np.errstate(all="ignore"):
            result = fn(*targs, **tkwargs)
    finally:
        if collecting:
            gc.enable()
        _reverse.run_backward = run
        _indexing._index_value = index_value
        _operands.read_values = read_values
        undo()
    if not _same_random_states(before, _random_states()):
        raise TraceError(
            "wg.compile cannot trace a random draw (np.random.*, wg.randn/rand/randint, "
            "dropout in training mode) inside the function: the compiled program would "
            "replay the traced draw as a constant on every call; draw the numbers outside "
            "and pass them as an argument")
    out_leaves, out_def = tree_flatten(result)
    tracer.trace.outputs = [tracer.operand(o) for o in out_leaves]
    tracer.trace.out_def = out_def
    tracer.trace.keep = tracer.keep
    tracer.trace.written = tracer.written
    # the constants that came from tensors still alive after fn returned (a closure's
    # tensors, a module's parameters): a change to one (version or memory) retraces
    tracer.trace.watched = [w for k, w in tracer.watched.items()
                            if w is not None and w[0]() is not None and k not in tracer.names]
    return tracer.trace, result
