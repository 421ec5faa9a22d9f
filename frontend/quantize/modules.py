"""The integer layers of a quantized model: int8 in, int32 accumulation, int64 rescale, int8 out.

Plain PyTorch ops only, each one the RTL flow compiles (integer conv2d, matmul, strided
slices, shifts, clamp): the module runs in eager PyTorch on the CPU, exports with
torch.export, and is the oracle the circuit must match bit for bit. Weights stay int8
(8-bit parameter memories) and are widened to int32 where they are used.
"""

from __future__ import annotations

import functools
import operator

import torch
import torch.nn.functional as F

from frontend.quantize.fixed_point import round_shift_clamp


class QLinear(torch.nn.Module):
    """y = rescale(x @ W.T + b) per output feature; `low` is 0 when a ReLU is fused."""

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor, multiplier: torch.Tensor, shift: torch.Tensor,
                 low: int, high: int) -> None:
        super().__init__()
        self.register_buffer("weight", weight)
        self.register_buffer("bias", bias)
        self.register_buffer("multiplier", multiplier)
        self.register_buffer("shift", shift)
        self.low, self.high = low, high

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        acc = torch.matmul(x.to(torch.int32), self.weight.to(torch.int32).t()) + self.bias
        return round_shift_clamp(acc.to(torch.int64) * self.multiplier, self.shift, self.low, self.high)


class QConv2d(torch.nn.Module):
    """conv2d with zero padding (exact: the zero point is 0), then a rescale per output channel."""

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor, multiplier: torch.Tensor, shift: torch.Tensor,
                 low: int, high: int, conv: torch.nn.Conv2d) -> None:
        super().__init__()
        self.register_buffer("weight", weight)
        self.register_buffer("bias", bias)
        self.register_buffer("multiplier", multiplier.reshape(-1, 1, 1))
        self.register_buffer("shift", shift.reshape(-1, 1, 1))
        self.low, self.high = low, high
        self.stride, self.padding, self.dilation, self.groups = conv.stride, conv.padding, conv.dilation, conv.groups

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        acc = F.conv2d(x.to(torch.int32), self.weight.to(torch.int32), self.bias, self.stride, self.padding,
                       self.dilation, self.groups)
        return round_shift_clamp(acc.to(torch.int64) * self.multiplier, self.shift, self.low, self.high)


class QAdd(torch.nn.Module):
    """a + b of two int8 tensors with different scales: both rescaled onto the output scale with one shift."""

    def __init__(self, multiplier_a: int, multiplier_b: int, shift: int, low: int, high: int) -> None:
        super().__init__()
        self.multiplier_a, self.multiplier_b, self.shift = multiplier_a, multiplier_b, shift
        self.low, self.high = low, high

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        total = a.to(torch.int64) * self.multiplier_a + b.to(torch.int64) * self.multiplier_b
        return round_shift_clamp(total, self.shift, self.low, self.high)


class QAvgPool2d(torch.nn.Module):
    """Average pooling without padding: the window sum as strided slices, then one rescale (1 / window
    area folded into the multiplier). Eager PyTorch has no integer avg_pool2d."""

    def __init__(self, kernel: tuple[int, int], stride: tuple[int, int], multiplier: int, shift: int,
                 low: int, high: int) -> None:
        super().__init__()
        self.kernel, self.stride = kernel, stride
        self.multiplier, self.shift = multiplier, shift
        self.low, self.high = low, high

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        (kh, kw), (sh, sw) = self.kernel, self.stride
        rows, cols = (x.shape[-2] - kh) // sh + 1, (x.shape[-1] - kw) // sw + 1
        wide = x.to(torch.int32)
        windows = [wide[..., i:i + sh * (rows - 1) + 1:sh, j:j + sw * (cols - 1) + 1:sw]
                   for i in range(kh) for j in range(kw)]
        total = functools.reduce(operator.add, windows)
        return round_shift_clamp(total.to(torch.int64) * self.multiplier, self.shift, self.low, self.high)
