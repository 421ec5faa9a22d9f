"""The integer layers of an imported Brevitas model: accumulate in int32, requantise onto the next grid.

Unlike `modules.py` (int8 in and out, one fused rescale), a Brevitas layer's accumulator is its own
value: Brevitas leaves a layer without an output quantizer in float, and the next quantizer (a
QuantReLU, QuantIdentity, ...) decides the grid. So the weighted layers here stop at the int32
accumulator and `Requantize` is the separate step; `round_shift_clamp` of `fixed_point` ends it,
rounding half to even as torch.round (and so Brevitas) does.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from frontend.quantize.fixed_point import round_shift_clamp


class IntLinear(torch.nn.Module):
    """acc = x @ W.T + b in int32; W is stored in its narrowest dtype (an int8 memory for 2..8 bits)."""

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer("weight", weight)
        self.register_buffer("bias", bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.matmul(x.to(torch.int32), self.weight.to(torch.int32).t()) + self.bias


class IntConv2d(torch.nn.Module):
    """conv2d in int32 with zero padding (exact: Brevitas's zero point is 0 here)."""

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor, conv: torch.nn.Conv2d) -> None:
        super().__init__()
        self.register_buffer("weight", weight)
        self.register_buffer("bias", bias)
        self.stride, self.padding, self.dilation, self.groups = conv.stride, conv.padding, conv.dilation, conv.groups

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x.to(torch.int32), self.weight.to(torch.int32), self.bias, self.stride, self.padding,
                        self.dilation, self.groups)


class Requantize(torch.nn.Module):
    """y = clamp(round_half_even(x * M / 2^s), low, high): one (M, s) per tensor or per channel, already
    shaped to broadcast against x; a power-of-two ratio has M = 1, a plain shift."""

    def __init__(self, multiplier: torch.Tensor, shift: torch.Tensor | int, low: int, high: int,
                 dtype: torch.dtype) -> None:
        super().__init__()
        self.register_buffer("multiplier", multiplier)
        if isinstance(shift, torch.Tensor):
            self.register_buffer("shift", shift)
        else:
            self.shift = shift
        self.low, self.high, self.dtype = low, high, dtype

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return round_shift_clamp(x.to(torch.int64) * self.multiplier, self.shift, self.low, self.high,
                                 ties_to_even=True, dtype=self.dtype)


class TruncSumPool2d(torch.nn.Module):
    """Brevitas's TruncAvgPool2d on integers: the window's sum (the average times its divisor, which Brevitas folds
    into the scale), then `shift` bits dropped (rounded half to even, or floored) and clamped; a negative shift is a
    left shift. The sum is written as strided slices added up, which needs no channel count and no float op."""

    def __init__(self, kernel: tuple[int, int], stride: tuple[int, int], padding: tuple[int, int], shift: int,
                 floor: bool, low: int, high: int, dtype: torch.dtype) -> None:
        super().__init__()
        self.kernel, self.stride, self.padding = kernel, stride, padding
        self.shift, self.floor, self.low, self.high, self.dtype = shift, floor, low, high, dtype

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        (kh, kw), (sh, sw), (ph, pw) = self.kernel, self.stride, self.padding
        x = F.pad(x.to(torch.int32), (pw, pw, ph, ph))
        rows, cols = (x.shape[-2] - kh) // sh + 1, (x.shape[-1] - kw) // sw + 1
        total = sum(x[..., i:i + sh * (rows - 1) + 1:sh, j:j + sw * (cols - 1) + 1:sw] for i in range(kh) for j in range(kw))
        if self.shift <= 0:
            return torch.clamp(total * (1 << -self.shift), self.low, self.high).to(self.dtype)
        if self.floor:
            return torch.clamp(total >> self.shift, self.low, self.high).to(self.dtype)
        return round_shift_clamp(total, self.shift, self.low, self.high, ties_to_even=True, dtype=self.dtype)
