"""The >>> examples of the Tensor methods of ops/torch_methods.py, one per method.

torch_methods.py appends each to its method's docstring (an Examples section) when it sets the
methods on Tensor; tests/test_docstrings.py runs them. grad_fn=<...> elides the name of the op
a method is built from, which is not the method's to promise.
"""

EXAMPLES = {
    "sum": """>>> x = wg.tensor([[1., 2.], [3., 4.]], requires_grad=True)
>>> x.sum(dim=0)
tensor([4., 6.], grad_fn=<...>)
>>> x.sum(dim=1, keepdim=True).sum().backward()
>>> x.grad
tensor([[1., 1.],
        [1., 1.]])""",
    "mean": """>>> x = wg.tensor([[1., 2.], [3., 4.]], requires_grad=True)
>>> x.mean(dim=1)
tensor([1.5, 3.5], grad_fn=<...>)
>>> x.mean().backward()
>>> x.grad
tensor([[0.25, 0.25],
        [0.25, 0.25]])""",
    "prod": """>>> x = wg.tensor([2., 3., 4.], requires_grad=True)
>>> x.prod()
tensor(24., grad_fn=<...>)
>>> x.prod().backward()
>>> x.grad
tensor([12.,  8.,  6.])""",
    "max": """>>> x = wg.tensor([[1., 2.], [3., 4.]], requires_grad=True)
>>> x.max()
tensor(4., grad_fn=<...>)
>>> x.max(dim=1)
max(values=tensor([2., 4.], grad_fn=<...>), indices=tensor([1, 1]))
>>> x.max(dim=1).values.sum().backward()
>>> x.grad
tensor([[0., 1.],
        [0., 1.]])""",
    "min": """>>> x = wg.tensor([[1., 2.], [3., 4.]], requires_grad=True)
>>> x.min()
tensor(1., grad_fn=<...>)
>>> x.min(dim=0)
min(values=tensor([1., 2.], grad_fn=<...>), indices=tensor([0, 0]))
>>> x.min(dim=0).values.sum().backward()
>>> x.grad
tensor([[1., 1.],
        [0., 0.]])""",
    "amax": """>>> x = wg.tensor([1., 3., 3.], requires_grad=True)
>>> x.amax()
tensor(3., grad_fn=<...>)
>>> x.amax().backward()
>>> x.grad
tensor([0. , 0.5, 0.5])""",
    "amin": """>>> x = wg.tensor([1., 1., 3.], requires_grad=True)
>>> x.amin()
tensor(1., grad_fn=<...>)
>>> x.amin().backward()
>>> x.grad
tensor([0.5, 0.5, 0. ])""",
    "var": """>>> x = wg.tensor([1., 2., 3.], requires_grad=True)
>>> x.var()
tensor(0.66666667, grad_fn=<...>)
>>> x.var(unbiased=True)
tensor(1., grad_fn=<...>)
>>> x.var().backward()
>>> x.grad
tensor([-0.66666667,  0.        ,  0.66666667])""",
    "std": """>>> x = wg.tensor([1., 2., 3.], requires_grad=True)
>>> x.std(correction=1)
tensor(1., grad_fn=<...>)
>>> x.std(correction=1).backward()
>>> x.grad
tensor([-0.5,  0. ,  0.5])""",
    "all": """>>> b = wg.tensor([[True, False], [True, True]])
>>> b.all()
tensor(False)
>>> b.all(dim=1)
tensor([False,  True])""",
    "any": """>>> b = wg.tensor([[True, False], [False, False]])
>>> b.any()
tensor(True)
>>> b.any(dim=1)
tensor([ True, False])""",
    "argmax": """>>> x = wg.tensor([[1., 5.], [7., 2.]])
>>> x.argmax()
tensor(2)
>>> x.argmax(dim=1)
tensor([1, 0])""",
    "argmin": """>>> x = wg.tensor([[1., 5.], [7., 2.]])
>>> x.argmin()
tensor(0)
>>> x.argmin(dim=0)
tensor([0, 1])""",
    "logsumexp": """>>> x = wg.tensor([0., 0.], requires_grad=True)
>>> x.logsumexp(dim=0)
tensor(0.69314718, grad_fn=<...>)
>>> x.logsumexp(dim=0).backward()
>>> x.grad
tensor([0.5, 0.5])""",
    "cumsum": """>>> x = wg.tensor([1., 2., 3.], requires_grad=True)
>>> x.cumsum(dim=0)
tensor([1., 3., 6.], grad_fn=<...>)
>>> x.cumsum(dim=0).sum().backward()
>>> x.grad
tensor([3., 2., 1.])""",
    "cumprod": """>>> x = wg.tensor([1., 2., 3.], requires_grad=True)
>>> x.cumprod(dim=0)
tensor([1., 2., 6.], grad_fn=<...>)
>>> x.cumprod(dim=0).sum().backward()
>>> x.grad
tensor([9., 4., 2.])""",
    "median": """>>> x = wg.tensor([[3., 1., 2.], [4., 6., 5.]], requires_grad=True)
>>> x.median()
tensor(3.5, grad_fn=<...>)
>>> x.median(dim=1)
median(values=tensor([2., 5.], grad_fn=<...>), indices=tensor([2, 2]))
>>> x.median(dim=1).values.sum().backward()
>>> x.grad
tensor([[0., 0., 1.],
        [0., 0., 1.]])""",
    "mode": """>>> x = wg.tensor([[1., 2., 2.], [3., 3., 1.]])
>>> x.mode()
mode(values=tensor([2., 3.]), indices=tensor([2, 1]))""",
    "kthvalue": """>>> x = wg.tensor([4., 1., 3.], requires_grad=True)
>>> x.kthvalue(2)
kthvalue(values=tensor(3., grad_fn=<...>), indices=tensor(2))
>>> x.kthvalue(2).values.backward()
>>> x.grad
tensor([0., 0., 1.])""",
    "topk": """>>> x = wg.tensor([4., 1., 3.], requires_grad=True)
>>> x.topk(2)
topk(values=tensor([4., 3.], grad_fn=<...>), indices=tensor([0, 2]))
>>> x.topk(2).values.sum().backward()
>>> x.grad
tensor([1., 0., 1.])""",
    "norm": """>>> x = wg.tensor([3., 4.], requires_grad=True)
>>> x.norm()
tensor(5., grad_fn=<...>)
>>> x.norm(p=1)
tensor(7., grad_fn=<...>)
>>> x.norm().backward()
>>> x.grad
tensor([0.6, 0.8])""",
    "softmax": """>>> x = wg.tensor([0., 0.], requires_grad=True)
>>> x.softmax(dim=0)
tensor([0.5, 0.5], grad_fn=<...>)
>>> (x.softmax(dim=0) * wg.tensor([1., 0.])).sum().backward()
>>> x.grad
tensor([ 0.25, -0.25])""",
    "log_softmax": """>>> x = wg.tensor([0., 0.], requires_grad=True)
>>> x.log_softmax(dim=0)
tensor([-0.69314718, -0.69314718], grad_fn=<...>)
>>> x.log_softmax(dim=0)[0].backward()
>>> x.grad
tensor([ 0.5, -0.5])""",
    "sort": """>>> x = wg.tensor([3., 1., 2.], requires_grad=True)
>>> x.sort(dim=0)
sort(values=tensor([1., 2., 3.], grad_fn=<...>), indices=tensor([1, 2, 0]))
>>> x.sort(dim=0, descending=True).values
tensor([3., 2., 1.], grad_fn=<...>)
>>> y = wg.tensor([3., 1., 2.])
>>> y.sort()
>>> y
tensor([1., 2., 3.])""",
    "argsort": """>>> x = wg.tensor([3., 1., 2.])
>>> x.argsort()
tensor([1, 2, 0])
>>> x.argsort(dim=0, descending=True)
tensor([0, 2, 1])""",
    "squeeze": """>>> x = wg.zeros((1, 2, 1))
>>> x.squeeze().shape
(2,)
>>> x.squeeze(dim=1).shape
(1, 2, 1)
>>> x.squeeze(0).shape
(2, 1)""",
    "transpose": """>>> x = wg.zeros((2, 3, 4))
>>> x.transpose(dim0=0, dim1=2).shape
(4, 3, 2)
>>> x.transpose().shape
(4, 3, 2)
>>> x.transpose(1, 0, 2).shape
(3, 2, 4)""",
    "repeat": """>>> x = wg.tensor([[1., 2.], [3., 4.]], requires_grad=True)
>>> x.repeat(2, axis=0)
tensor([[1., 2.],
        [1., 2.],
        [3., 4.],
        [3., 4.]], grad_fn=<...>)
>>> x.repeat(2, axis=0).sum().backward()
>>> x.grad
tensor([[2., 2.],
        [2., 2.]])""",
    "repeat_interleave": """>>> x = wg.tensor([1., 2.], requires_grad=True)
>>> x.repeat_interleave(2)
tensor([1., 1., 2., 2.], grad_fn=<...>)
>>> x.repeat_interleave(3).sum().backward()
>>> x.grad
tensor([3., 3.])""",
    "tile": """>>> x = wg.tensor([1., 2.], requires_grad=True)
>>> x.tile(2)
tensor([1., 2., 1., 2.], grad_fn=<...>)
>>> x.tile(2, 1).shape
(2, 2)
>>> x.tile(3).sum().backward()
>>> x.grad
tensor([3., 3.])""",
    "take": """>>> x = wg.tensor([[1., 2.], [3., 4.]], requires_grad=True)
>>> x.take(wg.tensor([0, 3]))
tensor([1., 4.], grad_fn=<...>)
>>> x.take(wg.tensor([1]), dim=1)
tensor([[2.],
        [4.]], grad_fn=<...>)
>>> x.take(wg.tensor([0, 0])).sum().backward()
>>> x.grad
tensor([[2., 0.],
        [0., 0.]])""",
    "unsqueeze": """>>> x = wg.tensor([1., 2., 3.], requires_grad=True)
>>> x.unsqueeze(0).shape
(1, 3)
>>> x.unsqueeze(-1).shape
(3, 1)""",
    "permute": """>>> x = wg.zeros((2, 3, 4))
>>> x.permute(2, 0, 1).shape
(4, 2, 3)
>>> x.permute((1, 2, 0)).shape
(3, 4, 2)""",
    "numel": """>>> wg.zeros((2, 3)).numel()
6""",
    "dim": """>>> wg.zeros((2, 3)).dim()
2""",
    "chunk": """>>> x = wg.tensor([1., 2., 3., 4., 5.])
>>> x.chunk(2)
(tensor([1., 2., 3.]), tensor([4., 5.]))""",
    "split": """>>> x = wg.tensor([1., 2., 3., 4., 5.])
>>> x.split(2)
(tensor([1., 2.]), tensor([3., 4.]), tensor([5.]))
>>> x.split([1, 4])
(tensor([1.]), tensor([2., 3., 4., 5.]))""",
    "unbind": """>>> x = wg.tensor([[1., 2.], [3., 4.]], requires_grad=True)
>>> x.unbind(1)
(tensor([1., 3.], grad_fn=<...>), tensor([2., 4.], grad_fn=<...>))""",
    "flatten": """>>> x = wg.zeros((2, 3, 4))
>>> x.flatten().shape
(24,)
>>> x.flatten(1).shape
(2, 12)
>>> x.flatten(0, 1).shape
(6, 4)""",
    "view": """>>> x = wg.tensor([1., 2., 3., 4.], requires_grad=True)
>>> x.view(2, 2)
tensor([[1., 2.],
        [3., 4.]], grad_fn=<...>)
>>> x.view(-1, 4).shape
(1, 4)
>>> x.view(2, 2).T.view(4)
Traceback (most recent call last):
    ...
RuntimeError: view of a tensor of shape (2, 2) as (4,) is not possible without a copy ...""",
    "expand": """>>> x = wg.tensor([[1.], [2.]], requires_grad=True)
>>> x.expand(2, 3)
tensor([[1., 1., 1.],
        [2., 2., 2.]], grad_fn=<...>)
>>> x.expand(-1, 3).sum().backward()
>>> x.grad
tensor([[3.],
        [3.]])""",
    "t": """>>> x = wg.tensor([[1., 2.], [3., 4.]], requires_grad=True)
>>> x.t()
tensor([[1., 3.],
        [2., 4.]], grad_fn=<...>)
>>> wg.zeros(3).t().shape
(3,)""",
    "contiguous": """>>> x = wg.tensor([[1., 2.], [3., 4.]], requires_grad=True)
>>> x.T.contiguous()
tensor([[1., 3.],
        [2., 4.]], grad_fn=<...>)
>>> x.contiguous() is x
True""",
    "clone": """>>> x = wg.tensor([1., 2., 3.], requires_grad=True)
>>> y = x.clone()
>>> y
tensor([1., 2., 3.], grad_fn=<...>)
>>> (y * y).sum().backward()
>>> x.grad
tensor([2., 4., 6.])""",
    "float": """>>> wg.tensor([1, 2]).float()
tensor([1., 2.], dtype=float32)""",
    "double": """>>> x = wg.tensor([1., 2.], dtype=wg.float32, requires_grad=True)
>>> x.double()
tensor([1., 2.], grad_fn=<...>)
>>> x.double().sum().backward()
>>> x.grad
tensor([1., 1.], dtype=float32)""",
    "half": """>>> wg.tensor([1., 2.]).half()
tensor([1., 2.], dtype=float16)""",
    "long": """>>> wg.tensor([1.7, -1.7]).long()
tensor([ 1, -1])""",
    "int": """>>> wg.tensor([1.7, -1.7]).int()
tensor([ 1, -1], dtype=int32)""",
    "short": """>>> wg.tensor([1.7, -1.7]).short()
tensor([ 1, -1], dtype=int16)""",
    "bool": """>>> wg.tensor([0., 2.]).bool()
tensor([False,  True])""",
    "cpu": """>>> x = wg.tensor([1., 2., 3.], requires_grad=True)
>>> x.cpu() is x
True""",
    "is_floating_point": """>>> wg.tensor([1.]).is_floating_point()
True
>>> wg.tensor([1]).is_floating_point()
False""",
    "to": """>>> x = wg.tensor([1., 2.], requires_grad=True)
>>> x.to(wg.float32)
tensor([1., 2.], dtype=float32, grad_fn=<...>)
>>> x.to('cpu') is x
True
>>> x.to(wg.tensor([0], dtype=wg.int64))
tensor([1, 2])""",
    "cuda": """>>> wg.tensor([1.]).cuda()
Traceback (most recent call last):
    ...
ValueError: cuda(): wengert runs on the CPU only (NumPy); ...""",
    "clamp": """>>> x = wg.tensor([-1., 0.5, 2.], requires_grad=True)
>>> x.clamp(0., 1.)
tensor([0. , 0.5, 1. ], grad_fn=<...>)
>>> x.clamp(min=0.).sum().backward()
>>> x.grad
tensor([0., 1., 1.])""",
    "clip": """>>> x = wg.tensor([-1., 0.5, 2.], requires_grad=True)
>>> x.clip(0., 1.)
tensor([0. , 0.5, 1. ], grad_fn=<...>)
>>> x.clip(0., 1.).sum().backward()
>>> x.grad
tensor([0., 1., 0.])""",
    "masked_fill": """>>> x = wg.tensor([1., 2., 3.], requires_grad=True)
>>> x.masked_fill(x > 1.5, 0.)
tensor([1., 0., 0.], grad_fn=<...>)
>>> x.masked_fill(x > 1.5, 0.).sum().backward()
>>> x.grad
tensor([1., 0., 0.])""",
    "gather": """>>> x = wg.tensor([[1., 2.], [3., 4.]], requires_grad=True)
>>> x.gather(1, wg.tensor([[1], [0]]))
tensor([[2.],
        [3.]], grad_fn=<...>)
>>> x.gather(1, wg.tensor([[1], [1]])).sum().backward()
>>> x.grad
tensor([[0., 1.],
        [0., 1.]])""",
    "scatter_add": """>>> x = wg.zeros(3)
>>> src = wg.tensor([1., 2., 3.], requires_grad=True)
>>> x.scatter_add(0, wg.tensor([0, 2, 0]), src)
tensor([4., 0., 2.], grad_fn=<...>)
>>> (x.scatter_add(0, wg.tensor([0, 2, 0]), src) * wg.tensor([1., 0., 5.])).sum().backward()
>>> src.grad
tensor([1., 5., 1.])""",
    "pow": """>>> x = wg.tensor([2., 3.], requires_grad=True)
>>> x.pow(2)
tensor([4., 9.], grad_fn=<...>)
>>> x.pow(3).sum().backward()
>>> x.grad
tensor([12., 27.])""",
    "add": """>>> x = wg.tensor([1., 2.], requires_grad=True)
>>> x.add(wg.tensor([10., 20.]), alpha=2)
tensor([21., 42.], grad_fn=<...>)
>>> x.add(1.).sum().backward()
>>> x.grad
tensor([1., 1.])""",
    "sub": """>>> x = wg.tensor([1., 2.], requires_grad=True)
>>> x.sub(wg.tensor([10., 20.]), alpha=0.5)
tensor([-4., -8.], grad_fn=<...>)
>>> x.sub(1.).sum().backward()
>>> x.grad
tensor([1., 1.])""",
    "mul": """>>> x = wg.tensor([1., 2.], requires_grad=True)
>>> x.mul(wg.tensor([3., 4.]))
tensor([3., 8.], grad_fn=<...>)
>>> x.mul(wg.tensor([3., 4.])).sum().backward()
>>> x.grad
tensor([3., 4.])""",
    "div": """>>> x = wg.tensor([7., -7.], requires_grad=True)
>>> x.div(2.)
tensor([ 3.5, -3.5], grad_fn=<...>)
>>> x.div(2., rounding_mode='floor')
tensor([ 3., -4.], grad_fn=<...>)
>>> x.div(2., rounding_mode='trunc')
tensor([ 3., -3.], grad_fn=<...>)
>>> x.div(2.).sum().backward()
>>> x.grad
tensor([0.5, 0.5])""",
    "matmul": """>>> x = wg.tensor([[1., 2.], [3., 4.]], requires_grad=True)
>>> x.matmul(wg.tensor([1., 1.]))
tensor([3., 7.], grad_fn=<...>)
>>> x.matmul(wg.tensor([1., 0.])).sum().backward()
>>> x.grad
tensor([[1., 0.],
        [1., 0.]])""",
    "mm": """>>> x = wg.tensor([[1., 2.], [3., 4.]], requires_grad=True)
>>> x.mm(wg.eye(2) * 2.)
tensor([[2., 4.],
        [6., 8.]], grad_fn=<...>)
>>> x.mm(wg.ones((2, 1))).sum().backward()
>>> x.grad
tensor([[1., 1.],
        [1., 1.]])""",
    "bmm": """>>> x = wg.ones((3, 2, 4), requires_grad=True)
>>> x.bmm(wg.ones((3, 4, 5))).shape
(3, 2, 5)
>>> x.bmm(wg.ones((3, 4, 1))).sum().backward()
>>> x.grad[0]
tensor([[1., 1., 1., 1.],
        [1., 1., 1., 1.]])""",
    "index_select": """>>> x = wg.tensor([[1., 2.], [3., 4.]], requires_grad=True)
>>> x.index_select(1, wg.tensor([1, 1]))
tensor([[2., 2.],
        [4., 4.]], grad_fn=<...>)
>>> x.index_select(0, wg.tensor([1, 1])).sum().backward()
>>> x.grad
tensor([[0., 0.],
        [2., 2.]])""",
    "movedim": """>>> x = wg.zeros((2, 3, 4))
>>> x.movedim(0, -1).shape
(3, 4, 2)
>>> x.movedim((0, 1), (2, 0)).shape
(3, 4, 2)""",
    "view_as": """>>> x = wg.tensor([1., 2., 3., 4.])
>>> x.view_as(wg.zeros((2, 2)))
tensor([[1., 2.],
        [3., 4.]])""",
    "reshape_as": """>>> x = wg.tensor([[1., 2.], [3., 4.]], requires_grad=True)
>>> x.T.reshape_as(wg.zeros(4))
tensor([1., 3., 2., 4.], grad_fn=<...>)""",
    "expand_as": """>>> x = wg.tensor([1., 2.])
>>> x.expand_as(wg.zeros((2, 2)))
tensor([[1., 2.],
        [1., 2.]])""",
    "type_as": """>>> x = wg.tensor([1, 2])
>>> x.type_as(wg.tensor([0.5], dtype=wg.float32))
tensor([1., 2.], dtype=float32)""",
    "eq": """>>> x = wg.tensor([1., 2., 3.])
>>> x.eq(2.)
tensor([False,  True, False])
>>> x.eq(wg.tensor([1., 0., 3.]))
tensor([ True, False,  True])""",
    "ne": """>>> x = wg.tensor([1., 2., 3.])
>>> x.ne(2.)
tensor([ True, False,  True])""",
    "lt": """>>> x = wg.tensor([1., 2., 3.])
>>> x.lt(2.)
tensor([ True, False, False])""",
    "le": """>>> x = wg.tensor([1., 2., 3.])
>>> x.le(2.)
tensor([ True,  True, False])""",
    "gt": """>>> x = wg.tensor([1., 2., 3.])
>>> x.gt(2.)
tensor([False, False,  True])""",
    "ge": """>>> x = wg.tensor([1., 2., 3.])
>>> x.ge(2.)
tensor([False,  True,  True])""",
    "neg": """>>> x = wg.tensor([1., -2.], requires_grad=True)
>>> x.neg()
tensor([-1.,  2.], grad_fn=<...>)
>>> x.neg().sum().backward()
>>> x.grad
tensor([-1., -1.])""",
    "square": """>>> x = wg.tensor([1., -2.], requires_grad=True)
>>> x.square()
tensor([1., 4.], grad_fn=<...>)
>>> x.square().sum().backward()
>>> x.grad
tensor([ 2., -4.])""",
    "sign": """>>> x = wg.tensor([-2., 0., 3.], requires_grad=True)
>>> x.sign()
tensor([-1.,  0.,  1.], grad_fn=<...>)
>>> x.sign().sum().backward()
>>> x.grad
tensor([0., 0., 0.])""",
    "floor": """>>> x = wg.tensor([-1.5, 1.5], requires_grad=True)
>>> x.floor()
tensor([-2.,  1.], grad_fn=<...>)
>>> x.floor().sum().backward()
>>> x.grad
tensor([0., 0.])""",
    "ceil": """>>> x = wg.tensor([-1.5, 1.5], requires_grad=True)
>>> x.ceil()
tensor([-1.,  2.], grad_fn=<...>)
>>> x.ceil().sum().backward()
>>> x.grad
tensor([0., 0.])""",
    "isnan": """>>> wg.tensor([1., float('nan')]).isnan()
tensor([False,  True])""",
    "allclose": """>>> x = wg.tensor([1., 2.])
>>> x.allclose(wg.tensor([1., 2. + 1e-9]))
True
>>> x.allclose(wg.tensor([1., 2.1]))
False""",
    "zero_": """>>> x = wg.tensor([1., 2.], requires_grad=True)
>>> y = x * 3.
>>> y.zero_()
tensor([0., 0.], grad_fn=<...>)
>>> (y + x).sum().backward()
>>> x.grad
tensor([1., 1.])""",
    "fill_": """>>> x = wg.tensor([1, 2])
>>> x.fill_(1.7)
tensor([1, 1])
>>> y = wg.zeros(2)
>>> y.fill_(5.)
tensor([5., 5.])""",
    "add_": """>>> x = wg.tensor([1., 2.], requires_grad=True)
>>> y = x * 1.
>>> y.add_(wg.tensor([10., 20.]), alpha=2)
tensor([21., 42.], grad_fn=<...>)
>>> (y * y).sum().backward()
>>> x.grad
tensor([42., 84.])""",
    "sub_": """>>> x = wg.tensor([1., 2.], requires_grad=True)
>>> y = x * 1.
>>> y.sub_(wg.tensor([1., 1.]))
tensor([0., 1.], grad_fn=<...>)
>>> (y * y).sum().backward()
>>> x.grad
tensor([0., 2.])""",
    "mul_": """>>> x = wg.tensor([1., 2.], requires_grad=True)
>>> y = x * 1.
>>> y.mul_(3.)
tensor([3., 6.], grad_fn=<...>)
>>> y.sum().backward()
>>> x.grad
tensor([3., 3.])""",
    "div_": """>>> x = wg.tensor([1., 2.], requires_grad=True)
>>> y = x * 1.
>>> y.div_(4.)
tensor([0.25, 0.5 ], grad_fn=<...>)
>>> y.sum().backward()
>>> x.grad
tensor([0.25, 0.25])""",
    "clamp_": """>>> x = wg.tensor([-1., 0.5, 2.], requires_grad=True)
>>> y = x * 1.
>>> y.clamp_(0., 1.)
tensor([0. , 0.5, 1. ], grad_fn=<...>)
>>> y.sum().backward()
>>> x.grad
tensor([0., 1., 0.])""",
    "copy_": """>>> x = wg.zeros((2, 2))
>>> src = wg.tensor([1., 2.], requires_grad=True)
>>> x.copy_(src)
tensor([[1., 2.],
        [1., 2.]], grad_fn=<...>)
>>> x.sum().backward()
>>> src.grad
tensor([2., 2.])""",
    "masked_fill_": """>>> x = wg.tensor([1., 2., 3.], requires_grad=True)
>>> y = x * 1.
>>> y.masked_fill_(y > 1.5, 0.)
tensor([1., 0., 0.], grad_fn=<...>)
>>> y.sum().backward()
>>> x.grad
tensor([1., 0., 0.])""",
    "scatter_add_": """>>> x = wg.zeros(3)
>>> x.scatter_add_(0, wg.tensor([0, 2, 0]), wg.tensor([1., 2., 3.]))
tensor([4., 0., 2.])""",
}
