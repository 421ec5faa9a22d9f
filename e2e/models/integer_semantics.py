"""Where integer hardware and integer software disagree most easily: signs and bits.

Division and remainder on negative operands (floor vs trunc), shifts of negative
values (arithmetic right shift), bitwise logic. Divisors are never zero.
"""

from __future__ import annotations

import torch

from e2e.models._inputs import Lambda, bools, ints, nonzero_ints
from e2e.suite import case


@case(name="div_floor_i32", rtl=True)
def div_floor_i32():
    return Lambda(lambda x, y: torch.div(x, y, rounding_mode="floor")), (
        ints((4, 4), seed=31, low=-50, high=50), nonzero_ints((4, 4), seed=32))


@case(name="div_trunc_i32", rtl=True)
def div_trunc_i32():
    return Lambda(lambda x, y: torch.div(x, y, rounding_mode="trunc")), (
        ints((4, 4), seed=33, low=-50, high=50), nonzero_ints((4, 4), seed=34))


@case(name="remainder_i32", rtl=True)
def remainder_i32():
    """Python-style modulo: the sign follows the divisor."""
    return Lambda(lambda x, y: torch.remainder(x, y)), (
        ints((4, 4), seed=35, low=-50, high=50), nonzero_ints((4, 4), seed=36))


@case(name="fmod_i32", rtl=True)
def fmod_i32():
    """C-style modulo: the sign follows the dividend."""
    return Lambda(lambda x, y: torch.fmod(x, y)), (
        ints((4, 4), seed=37, low=-50, high=50), nonzero_ints((4, 4), seed=38))


@case(name="shifts_i32", rtl=True)
def shifts_i32():
    """Left shift may overflow; right shift of a negative value is arithmetic."""
    x = ints((4, 4), seed=39, low=-1000, high=1000)
    s = ints((4, 4), seed=40, low=0, high=8)
    return Lambda(lambda x, s: (torch.bitwise_left_shift(x, s), torch.bitwise_right_shift(x, s))), (x, s)


@case(name="bitwise_i32", rtl=True)
def bitwise_i32():
    x = ints((4, 4), seed=41, low=-256, high=256)
    y = ints((4, 4), seed=42, low=-256, high=256)
    return Lambda(lambda x, y: (x & y) ^ (x | ~y)), (x, y)


@case(name="logical_bool", rtl=True)
def logical_bool():
    return Lambda(lambda a, b, c: torch.logical_and(a, b) ^ torch.logical_or(b, c)), (
        bools((4, 4), seed=43), bools((4, 4), seed=44), bools((4, 4), seed=45))
