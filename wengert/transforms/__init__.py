"""Functional transforms: grad, value_and_grad, vjp, jvp, linearize, jacrev, jacfwd, jacobian,
hessian, hvp.

Each transform takes a function of trees (nested tuples/lists/dicts of Tensors, ndarrays or
Python numbers; see `wengert.tree`) and returns a function of the same arguments.

* `_args`: which transforms are running, argnums, the inputs (checked) and trees.
* `reverse`: grad, value_and_grad, vjp, jacrev — private copies of the inputs, one backward
  pass, and the one decision whether that pass is recorded (`_Watched.modes`).
* `forward`: jvp, linearize, jacfwd, and hessian, hvp (forward over reverse).
* `_results`: what the caller gets back.

How they stay apart when nested (no perturbation confusion): reverse mode differentiates with
respect to private copies of its inputs, so an outer variable is a constant to the inner
derivative; forward mode tags its tangents with a fresh level.

The reverse pass records itself (create_graph) only when something outside needs its result
to be differentiable: an input, a tangent or a cotangent that requires grad, or an output that
reaches a Tensor requiring grad other than this call's own inputs (a closure over an outer
variable or a parameter). When tangents are about (jvp of grad, jacfwd of jacrev) but nothing
needs the record, the rules run on Tensors with grad mode off, so tangents flow through the
backward pass (forward-over-reverse) without the cost of recording it.

Jacobians use batched tangents and cotangents: `jacfwd` pushes the n basis vectors of the
input as one tangent of shape (n,) + x.shape through one forward pass, `jacrev` pulls the m
basis vectors of the output as one cotangent of shape (m,) + y.shape through one reverse pass.
The result follows JAX: jacobian[out leaf][in leaf] has shape out.shape + in.shape.

Types: with ndarrays and Python numbers in, results are ndarrays and floats (a gradient has its
primal's type); with Tensors in, Tensors. That holds at the outermost transform only; inside
another transform every result is a Tensor, so it keeps its dependence on the outer one. A
result that depends on a Tensor the caller closed over (a parameter requiring grad, a dual
number) stays a Tensor even at the outermost call, so no dependence is silently dropped.
"""
from . import forward, reverse  # noqa: F401
from .forward import hessian, hvp, jacfwd, jvp, linearize
from .reverse import grad, jacobian, jacrev, value_and_grad, vjp

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "linearize", "jacrev", "jacfwd", "jacobian",
           "hessian", "hvp"]
