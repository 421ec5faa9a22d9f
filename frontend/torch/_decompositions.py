"""Our decompositions, applied with torch-mlir's: where its lowering of an op is wrong, or it refuses a deterministic op.

- `gelu(x, approximate="tanh")`: torch-mlir's lowering multiplies by 0.797724
  (sqrt(2/pi) with pi taken as 22/7), 5e-5 off eager PyTorch. Here it is eager's
  formula with sqrt(2/pi) exact, computed in float32 for half types as eager does.
- `elu` (and selu, celu through it): torch-mlir computes exp(x) - 1, which loses every
  digit for small negative x (elu(-1e-7) came out -1.19e-7); eager uses expm1.
- `expm1(x)`: MLIR's LLVM lowering computes exp(x) - 1 (expm1(1e-7) came out 1.19e-7).
  Near 0 it is 2t / (1 - t) with t = tanh(x / 2), which has no cancellation for
  |x| < 0.5 (tanh is libm's on the CPU path); beyond, exp(x) - 1 loses under 2 bits.
- `reciprocal(x)` on floats: torch-mlir's lowering asserts x != 0 (a native abort at
  run time) where eager PyTorch gives inf; here it is `1 / x`.
- `fmod(a, b)` on floats: torch-mlir computes `a - b * trunc(a / b)`, which rounds
  (fmod(1e4, 2.5) came out 2.5, not 2.4998) and gives NaN for an infinite b. fmod is
  exact: |fmod(a, b)| = remainder(|a|, |b|) (no sign fix-up applies to non-negative
  operands, and torch-mlir lowers remainder to an exact `remf`), with a's sign.
- `_int_mm(a, b)` (int8 or uint8 times int8, int32 result): a matmul of the operands
  zero- or sign-extended to int32, which is what eager computes; left as it was, the
  narrow-integer widening would hand `_int_mm` the int32 operands it rejects.
- `rrelu(x, training=False)`: deterministic, leaky_relu with slope (lower + upper) / 2,
  as eager computes it; only training mode draws random slopes (and stays refused as random).
- `isfinite(x)`: torch-mlir has no lowering; |x| < inf is false for inf and NaN, true otherwise.
- `conv_tbc(x, w, b, pad)`: torch-mlir's result shape is wrong (time and batch swapped); it is
  a conv1d on (batch, channel, time), as eager computes it.
- `_trilinear(i1, i2, i3, expand1, expand2, expand3, sumdim, unroll_dim)` where a dimension is
  expanded in all three inputs: eager gives that dimension size 0 (an empty result), or all zeros
  when it is the unroll dimension; torch-mlir gives it size 1 (check-signature failed on
  Aten_TrilinearModuleZerodDimBug). Here the result is eager's: zeros of eager's shape.
- `threshold_backward(grad, x, t)` with operands of two dtypes: torch-mlir gives the grad's
  dtype; eager promotes both (int64 and float32 give float32).
- `adaptive_max_pool2d/3d` where an input size is not a multiple of the output size (torch-mlir
  builds windows of one size and fails): windows [floor(i s / o), ceil((i + 1) s / o)), as eager;
  max is separable, so it runs one dimension at a time, and so does the index of the first
  maximum in row-major order (the first maximal row, then its first maximal column).
- `cummax`/`cummin` (torch-mlir lowers neither) along at most 64 elements: as
  comparisons of every element with every earlier one, like the rank sort. Eager's
  index is the last position j <= i whose element reaches the running extreme
  (`>=`/`<=`), or the last NaN where one came; the value is the element there.

`before_functionalization` rewrites the exported graph before all of them, for ops that
torch.export's functionalization gets wrong before any decomposition applies:
- `prims.squeeze` and `prims.view_of` return aliases, which it refuses: they become the
  ATen ops they alias like (`aten.squeeze.dims`, `aten.alias`).
- `arange(..., out=t)` with as many elements as `t`: eager keeps `t`'s shape, the
  functional form returns a 1-d tensor; it becomes `t.copy_(arange(...).reshape(t.shape))`.

Each returns NotImplemented where it does not apply, which keeps the op as it is.
"""

from __future__ import annotations

import math

import torch
from torch.export import ExportedProgram

from frontend.torch._sort_by_rank import MAX_RANKED

_aten = torch.ops.aten
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_KAPPA = 0.044715
_HALF_TYPES = (torch.float16, torch.bfloat16)


def gelu(x: torch.Tensor, *, approximate: str = "none"):
    """Eager's tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    if approximate != "tanh" or not x.dtype.is_floating_point:
        return NotImplemented
    wide = x.float() if x.dtype in _HALF_TYPES else x
    inner = _SQRT_2_OVER_PI * (wide + _GELU_KAPPA * (wide * wide * wide))
    return (0.5 * wide * (1.0 + torch.tanh(inner))).to(x.dtype)


def elu(x: torch.Tensor, alpha: float = 1.0, scale: float = 1.0, input_scale: float = 1.0):
    """Eager's form, bit for bit: x * scale above 0, else expm1(x * input_scale) * alpha * scale."""
    if not x.dtype.is_floating_point:
        return NotImplemented
    wide = x.float() if x.dtype in _HALF_TYPES else x
    return torch.where(wide > 0, wide * scale, torch.expm1(wide * input_scale) * (alpha * scale)).to(x.dtype)


def expm1(x: torch.Tensor):
    if not x.dtype.is_floating_point:
        return NotImplemented
    wide = x.float() if x.dtype in _HALF_TYPES else x
    half_tanh = torch.tanh(wide * 0.5)
    near_zero = 2.0 * half_tanh / (1.0 - half_tanh)
    return torch.where(wide.abs() < 0.5, near_zero, torch.exp(wide) - 1.0).to(x.dtype)


def reciprocal(x: torch.Tensor):
    if not x.dtype.is_floating_point:
        return NotImplemented
    return torch.div(torch.ones_like(x), x)


def fmod(a: torch.Tensor, b: torch.Tensor | float):
    if not isinstance(b, torch.Tensor):
        b = torch.scalar_tensor(b, dtype=a.dtype)
    dtype = torch.result_type(a, b)
    if not dtype.is_floating_point:
        return NotImplemented
    a, b = a.to(dtype), b.to(dtype)
    magnitude = torch.remainder(a.abs(), b.abs())
    return torch.where(a < 0, -magnitude, magnitude)


def int_mm(a: torch.Tensor, b: torch.Tensor):
    return torch.mm(a.to(torch.int32), b.to(torch.int32))


def rrelu(x: torch.Tensor, lower: float = 0.125, upper: float = 1.0 / 3.0, training: bool = False, generator=None):
    if training:
        return NotImplemented
    return _aten.leaky_relu.default(x, (lower + upper) / 2)


def rrelu_with_noise(x: torch.Tensor, noise: torch.Tensor, lower: float = 0.125, upper: float = 1.0 / 3.0,
                     training: bool = False, generator=None):
    return rrelu(x, lower, upper, training)


def rrelu_with_noise_functional(x: torch.Tensor, noise: torch.Tensor, lower: float = 0.125, upper: float = 1.0 / 3.0,
                                training: bool = False, generator=None):
    """The functional form also returns the noise tensor, which eval mode leaves as it was."""
    if training:
        return NotImplemented
    return rrelu(x, lower, upper, training), noise.clone()


def isfinite(x: torch.Tensor):
    if not x.dtype.is_floating_point:
        return x == x
    return x.abs() < math.inf


def conv_tbc(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, pad: int = 0):
    """(time, batch, in) * (kernel, in, out) -> (time, batch, out)."""
    return torch.conv1d(x.permute(1, 2, 0), weight.permute(2, 1, 0), bias, padding=pad).permute(2, 0, 1)


def trilinear(i1: torch.Tensor, i2: torch.Tensor, i3: torch.Tensor, expand1: list[int], expand2: list[int],
              expand3: list[int], sumdim: list[int], unroll_dim: int = 1):
    """Only where eager's loop gives a dimension no size (expanded in every input); torch-mlir's otherwise."""
    inputs = ((i1, set(expand1)), (i2, set(expand2)), (i3, set(expand3)))
    total = i1.dim() + len(expand1)
    sizes = []
    for d in range(total):
        present = [x.shape[d - sum(e < d for e in expanded)] for x, expanded in inputs if d not in expanded]
        sizes.append(present[-1] if present else 0)
    empty = [d for d in range(total) if sizes[d] == 0 and all(d in expanded for _, expanded in inputs)]
    if not any(d == unroll_dim or d not in sumdim for d in empty):
        return NotImplemented
    return i1.new_zeros([size for d, size in enumerate(sizes) if d not in sumdim])


def threshold_backward(grad: torch.Tensor, x: torch.Tensor, threshold: float):
    if grad.dtype == x.dtype:
        return NotImplemented
    dtype = torch.result_type(grad, x)
    return torch.where(x <= threshold, torch.zeros((), dtype=dtype), grad.to(dtype))


def adaptive_max_pool(x: torch.Tensor, output_size: list[int]):
    """Values and int64 indices (flat over the pooled dimensions), as eager's adaptive_max_pool2d/3d return."""
    dims = range(x.dim() - len(output_size), x.dim())
    sizes = [x.shape[d] for d in dims]
    if all(size % out == 0 for size, out in zip(sizes, output_size, strict=True)):
        return NotImplemented
    values, indices = x, torch.zeros(x.shape, dtype=torch.int64)
    for d, size, out in reversed(list(zip(dims, sizes, output_size, strict=True))):
        stride = math.prod(sizes[d - dims.start + 1:])
        pooled = []
        for i in range(out):
            start, end = i * size // out, -(-(i + 1) * size // out)
            window = values.narrow(d, start, end - start)
            first = window.argmax(dim=d, keepdim=True)
            index = indices.narrow(d, start, end - start).gather(d, first) + (first + start) * stride
            pooled.append((window.amax(dim=d, keepdim=True), index))
        values, indices = torch.cat([v for v, _ in pooled], d), torch.cat([i for _, i in pooled], d)
    return values, indices


def running_extreme(x: torch.Tensor, dim: int, largest: bool):
    """cummax (largest) or cummin along `dim`: values and int64 indices, as eager's loop computes them."""
    if x.dim() == 0 or x.shape[dim] > MAX_RANKED or x.dtype == torch.bool or x.dtype.is_complex:
        return NotImplemented
    rows = x.movedim(dim, -1)
    n = rows.shape[-1]
    other = rows.unsqueeze(-2).expand(*rows.shape, n)  # [..., i, j]: element j, for each i
    upto = torch.ones(n, n, dtype=torch.bool).tril()  # j <= i
    positions = torch.arange(n).expand(other.shape)
    fill = (-math.inf if largest else math.inf) if x.dtype.is_floating_point else \
        (torch.iinfo(x.dtype).min if largest else torch.iinfo(x.dtype).max)
    seen = torch.where(upto, other, torch.full((), fill, dtype=x.dtype))
    extreme = (seen.amax(-1) if largest else seen.amin(-1)).unsqueeze(-1)
    indices = torch.where(upto & (other == extreme), positions, -1).amax(-1)
    if x.dtype.is_floating_point:
        last_nan = torch.where(upto & other.isnan(), positions, -1).amax(-1)
        indices = torch.where(last_nan >= 0, last_nan, indices)
    values = rows.gather(-1, indices)
    return values.movedim(-1, dim), indices.movedim(-1, dim)


def cummax(x: torch.Tensor, dim: int):
    return running_extreme(x, dim, largest=True)


def cummin(x: torch.Tensor, dim: int):
    return running_extreme(x, dim, largest=False)


def decompositions() -> dict:
    """Op overload -> decomposition, to merge over torch-mlir's table."""
    return {
        _aten.gelu.default: gelu,
        _aten.elu.default: elu,
        _aten.expm1.default: expm1,
        _aten.reciprocal.default: reciprocal,
        _aten.fmod.Tensor: fmod,
        _aten.fmod.Scalar: fmod,
        _aten._int_mm.default: int_mm,
        _aten.rrelu.default: rrelu,
        _aten.rrelu_with_noise.default: rrelu_with_noise,
        _aten.rrelu_with_noise_functional.default: rrelu_with_noise_functional,
        _aten.isfinite.default: isfinite,
        _aten.conv_tbc.default: conv_tbc,
        _aten._trilinear.default: trilinear,
        _aten.threshold_backward.default: threshold_backward,
        _aten.adaptive_max_pool2d.default: adaptive_max_pool,
        _aten.adaptive_max_pool3d.default: adaptive_max_pool,
        _aten.cummax.default: cummax,
        _aten.cummin.default: cummin,
    }


_ALIASING_PRIMS = {
    torch.ops.prims.squeeze.default: _aten.squeeze.dims,
    torch.ops.prims.view_of.default: _aten.alias.default,
}
_ARANGE_OUTS = (_aten.arange.out, _aten.arange.start_out)


def before_functionalization(program: ExportedProgram) -> int:
    """The rewrites above, in place on the exported graph; returns how many nodes changed."""
    graph = program.graph
    changed = 0
    for node in list(graph.nodes):
        if node.op != "call_function":
            continue
        if node.target in _ALIASING_PRIMS:
            node.target = _ALIASING_PRIMS[node.target]
            changed += 1
        elif node.target in _ARANGE_OUTS and _arange_fills_out(node):
            out = node.kwargs["out"]
            start, end, step = ((*node.args, 1) if node.target is _aten.arange.start_out else (0, *node.args, 1))[:3]
            with graph.inserting_before(node):
                values = graph.call_function(_aten.arange.start_step, (start, end, step), {"dtype": out.meta["val"].dtype})
                shaped = graph.call_function(_aten.reshape.default, (values, list(out.meta["val"].shape)))
                copied = graph.call_function(_aten.copy_.default, (out, shaped))
            node.replace_all_uses_with(copied)
            graph.erase_node(node)
            changed += 1
    if changed:
        program.graph_module.recompile()
    return changed


def _arange_fills_out(node) -> bool:
    """As many elements as `out` in another shape (the trace's fake run resized it; eager does not)."""
    out = node.kwargs.get("out")
    value, target = node.meta.get("val"), out.meta.get("val") if out is not None else None
    return (isinstance(value, torch.Tensor) and isinstance(target, torch.Tensor)
            and value.numel() == target.numel() and value.shape != target.shape)
