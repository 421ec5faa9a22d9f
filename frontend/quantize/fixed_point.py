"""The integer arithmetic of the quantized model: symmetric int8 scales and rescaling by multiplier and shift.

A real rescale factor r becomes an integer multiplier M and a shift s with M / 2^s ≈ r;
`value * M` is rounded half up (toward +inf: floor(v + 1/2)) by adding 2^(s-1) before an
arithmetic right shift, then clamped to int8. Products are formed in int64, so every
intermediate is exact and eager PyTorch and the circuit agree bit for bit.
"""

from __future__ import annotations

import math

import torch

INT8_MIN, INT8_MAX = -128, 127
# Symmetric scales map the calibrated range onto ±127, so -x is representable wherever x is.
QMAX = 127
MAX_SHIFT = 62  # 2^(shift-1) and the shifted int64 product stay in range


def scale_for(max_abs: float) -> float:
    """The symmetric int8 scale of a range; a range that is all zeros gets scale 1 (every value quantizes to 0)."""
    return max_abs / QMAX if max_abs > 0 else 1.0


def quantize_tensor(x: torch.Tensor, scale: float) -> torch.Tensor:
    """Float to int8 with the same rounding as the integer model (half up) and saturation."""
    return torch.clamp(torch.floor(x.double() / scale + 0.5), INT8_MIN, INT8_MAX).to(torch.int8)


def quantize_weight(weight: torch.Tensor, per_channel: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """int8 weights in [-127, 127] and their float64 scales, one per output channel (dim 0) or one for all.
    Rounded half to even (torch.round): weights are rounded once, offline, not by the circuit."""
    flat = weight.detach().double().reshape(weight.shape[0], -1).abs()
    max_abs = flat.amax(dim=1) if per_channel else flat.amax().expand(weight.shape[0])
    scales = torch.tensor([scale_for(float(m)) for m in max_abs], dtype=torch.float64)
    view = scales.reshape(-1, *([1] * (weight.dim() - 1)))
    return torch.clamp(torch.round(weight.detach().double() / view), -QMAX, QMAX).to(torch.int8), scales


def fixed_point_multiplier(real: float, bits: int) -> tuple[int, int]:
    """(M, s) with M < 2^bits and M / 2^s the closest such fraction to `real` (> 0); M has `bits` bits
    unless the shift would leave 1..MAX_SHIFT. Raises ValueError for a factor too large to shift."""
    if not real > 0 or not math.isfinite(real):
        raise ValueError(f"a rescale factor must be positive and finite, not {real}")
    shift = bits - 1 - math.floor(math.log2(real))
    multiplier = round(real * 2.0**shift)
    if multiplier >= 2**bits:  # log2 rounded up to the next power of two
        shift -= 1
        multiplier = round(real * 2.0**shift)
    if shift > MAX_SHIFT:
        shift = MAX_SHIFT
        multiplier = round(real * 2.0**shift)
    if shift < 1:
        raise ValueError(f"rescale factor {real:.3g} needs a left shift: use more multiplier bits or rescale the model")
    return multiplier, shift


def round_shift_clamp(value: torch.Tensor, shift: torch.Tensor | int, low: int, high: int, *, ties_to_even: bool = False,
                      dtype: torch.dtype = torch.int8) -> torch.Tensor:
    """dtype(clamp(round(value / 2^shift), low, high)) for int64 `value`: the end of every rescale.
    Rounding is half up (floor(v / 2^s + 1/2)), or half to even with `ties_to_even` (torch.round's rule,
    which a Brevitas model trained with: one less than half, plus 1 where the truncated quotient is odd).
    `shift` is a tensor (one per channel, broadcast) or one int for the whole tensor; each form is
    written with the shift op torch-mlir lowers for it."""
    if isinstance(shift, torch.Tensor):
        rounding = torch.bitwise_left_shift(torch.ones_like(shift), shift - 1)
        if ties_to_even:
            rounding = rounding - 1 + torch.bitwise_and(torch.bitwise_right_shift(value, shift), 1)
        shifted = torch.bitwise_right_shift(value + rounding, shift)
    else:
        rounding = 1 << (shift - 1)
        if ties_to_even:
            rounding = rounding - 1 + ((value >> shift) & 1)
        shifted = (value + rounding) >> shift
    return torch.clamp(shifted, low, high).to(dtype)
