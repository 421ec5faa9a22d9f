"""The quantizer's integer arithmetic against references written independently with exact fractions."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
import torch

from frontend.quantize.fixed_point import fixed_point_multiplier, quantize_tensor, quantize_weight, round_shift_clamp


def _reference(value: int, shift: int, low: int, high: int) -> int:
    """Round half up (toward +inf) of value / 2^shift in exact arithmetic, then saturate."""
    return min(high, max(low, math.floor(Fraction(value, 2**shift) + Fraction(1, 2))))


def test_rounding_is_half_up_on_exact_ties() -> None:
    shift = 3  # 2^3 = 8: values k*8 + 4 are exact halves
    values = torch.tensor([20, 12, 4, -4, -12, -20, 19, 21, -19, -21], dtype=torch.int64)
    got = round_shift_clamp(values, shift, -128, 127).tolist()
    # 2.5 -> 3, 1.5 -> 2, 0.5 -> 1, -0.5 -> 0, -1.5 -> -1, -2.5 -> -2; then 2.375 -> 2, 2.625 -> 3, ...
    assert got == [3, 2, 1, 0, -1, -2, 2, 3, -2, -3]


@pytest.mark.parametrize("shift", [1, 2, 7, 15, 23, 31, 40])
def test_round_shift_clamp_matches_exact_reference(shift: int) -> None:
    g = torch.Generator().manual_seed(shift)
    values = torch.randint(-(2**45), 2**45, (2000,), generator=g, dtype=torch.int64)
    values = torch.cat([values, torch.arange(-3, 4, dtype=torch.int64) * 2 ** (shift - 1)])
    got = round_shift_clamp(values, shift, -128, 127)
    assert got.dtype == torch.int8
    assert got.tolist() == [_reference(v, shift, -128, 127) for v in values.tolist()]


def test_per_channel_shift_tensor_equals_one_shift_per_channel() -> None:
    g = torch.Generator().manual_seed(5)
    values = torch.randint(-(2**30), 2**30, (4, 3), generator=g, dtype=torch.int64)
    shifts = torch.tensor([20, 21, 25], dtype=torch.int64)
    got = round_shift_clamp(values, shifts, -128, 127)
    for c, s in enumerate(shifts.tolist()):
        assert got[:, c].tolist() == [_reference(v, s, -128, 127) for v in values[:, c].tolist()]


def test_clamping_saturates_and_a_fused_relu_clamps_at_zero() -> None:
    values = torch.tensor([-10**9, -300, -129, -1, 0, 5, 128, 10**9], dtype=torch.int64)
    assert round_shift_clamp(values * 2, 1, -128, 127).tolist() == [-128, -128, -128, -1, 0, 5, 127, 127]
    assert round_shift_clamp(values * 2, 1, 0, 127).tolist() == [0, 0, 0, 0, 0, 5, 127, 127]


@pytest.mark.parametrize("bits", [8, 16, 31])
def test_fixed_point_multiplier_is_close_and_in_range(bits: int) -> None:
    g = torch.Generator().manual_seed(bits)
    reals = (10 ** (torch.rand(500, generator=g, dtype=torch.float64) * 8 - 7)).tolist() + [2.0**-10, 0.5, 1.0]
    for real in reals:
        multiplier, shift = fixed_point_multiplier(real, bits)
        assert 2 ** (bits - 1) <= multiplier < 2**bits and 1 <= shift <= 62
        assert abs(Fraction(multiplier, 2**shift) - Fraction(real)) <= Fraction(1, 2 ** (shift + 1))


def test_fixed_point_multiplier_refuses_what_it_cannot_represent() -> None:
    for bad in (0.0, -1.0, math.inf, math.nan):
        with pytest.raises(ValueError, match="positive and finite"):
            fixed_point_multiplier(bad, 16)
    with pytest.raises(ValueError, match="needs a left shift"):
        fixed_point_multiplier(2.0**20, 16)


def test_weights_per_channel_use_each_rows_range_and_per_tensor_one_range() -> None:
    weight = torch.tensor([[0.5, -1.0, 0.25], [0.01, 0.02, -0.04]])
    q, scales = quantize_weight(weight, per_channel=True)
    assert q.dtype == torch.int8 and q.abs().amax(dim=1).tolist() == [127, 127]
    assert scales.tolist() == pytest.approx([1.0 / 127, 0.04 / 127])
    q, scales = quantize_weight(weight, per_channel=False)
    assert q.abs().amax(dim=1).tolist() == [127, 5] and scales.tolist() == pytest.approx([1.0 / 127] * 2)


def test_inputs_quantize_half_up_and_saturate() -> None:
    x = torch.tensor([0.25, -0.25, 0.74, 1000.0, -1000.0])
    assert quantize_tensor(x, 0.5).tolist() == [1, 0, 1, 127, -128]
