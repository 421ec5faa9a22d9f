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


# Found by the differential fuzzer (tools/fuzz.py); the rules are in frontend/torch/_graph_rules.py.
@case(name="shift_out_of_range_i32", rtl=True)
def shift_out_of_range_i32():
    """Amounts outside [0, 32), negative ones included: PyTorch shifts everything out (0, or the sign fill
    for a right shift); MLIR's shifts leave such amounts undefined."""
    x = torch.tensor([[-100, 100, -1, 7], [2**31 - 1, -2**31, 5, -6], [3, -3, 64, -64]], dtype=torch.int32)
    s = torch.tensor([[31, 32, 40, -1], [33, 31, 0, -7], [100, 1, 2**31 - 1, -2**31]], dtype=torch.int32)
    return Lambda(lambda x, s: (torch.bitwise_left_shift(x, s), torch.bitwise_right_shift(x, s))), (x, s)


@case(name="shift_narrow_and_mixed_dtypes", rtl=True)
def shift_narrow_and_mixed_dtypes():
    """int8 and uint8 values shifted by int32 amounts past their width (the shift runs in the promoted
    dtype), and a uint8 right shift past 8, which is 0, not the top bit."""
    x8 = ints((3, 4), seed=331, low=-128, high=128, dtype=torch.int8)
    u8 = ints((3, 4), seed=332, low=0, high=256, dtype=torch.uint8)
    s = ints((3, 4), seed=333, low=-2, high=12, dtype=torch.int32)
    s8 = ints((3, 4), seed=334, low=-2, high=12, dtype=torch.uint8)
    return Lambda(lambda x8, u8, s, s8: (x8 << s, x8 >> s, u8 >> s8, u8 << s8)), (x8, u8, s, s8)


@case(name="shift_by_python_int_i16", rtl=True)
def shift_by_python_int_i16():
    """`x >> 3` and `x << 20` (past int16's width): torch-mlir has no lowering for a shift by a number."""
    return Lambda(lambda x: (x >> 3, x << 5, x << 20, x >> 16)), (ints((3, 4), seed=335, low=-2000, high=2000,
                                                                        dtype=torch.int16),)


@case(name="python_int_wraps_into_narrow_dtype", rtl=True)
def python_int_wraps_into_narrow_dtype():
    """A Python int outside the tensor's range is converted to its dtype first: eager `u8 > -3` compares
    with 253, `i8 + 300` adds 44."""
    u8 = ints((3, 4), seed=336, low=0, high=256, dtype=torch.uint8)
    i8 = ints((3, 4), seed=337, low=-128, high=128, dtype=torch.int8)
    return Lambda(lambda u, i: (u > -3, i < 300, u == 321, i + 300, u * -3, i // 200)), (u8, i8)


@case(name="bitwise_with_python_int_i32", rtl=True)
def bitwise_with_python_int_i32():
    """`x ^ 5`, `x & -4`, `x | 255`: torch-mlir lowers these only between tensors."""
    return Lambda(lambda x: (x ^ 5, x & -4, x | 255)), (ints((3, 4), seed=338, low=-1000, high=1000),)


@case(name="sum_into_uint8_and_int8", rtl=True)
def sum_into_uint8_and_int8():
    """`sum(dtype=torch.uint8)` wraps modulo 256 in eager; torch-mlir crashed converting to a byte type."""
    x = ints((4, 5), seed=339, low=-300, high=300)
    return Lambda(lambda x: (x.sum(dim=0, dtype=torch.uint8), x.sum(dim=1, dtype=torch.int8))), (x,)


@case(name="division_of_int_min", rtl=True)
def division_of_int_min():
    """INT_MIN divided (floor and trunc) and reduced by small divisors: its magnitude has the top bit set,
    which CIRCT's divider took as negative (found by the fuzzer: `INT_MIN // 2` came out positive).
    INT_MIN / -1 is left out: eager PyTorch itself dies of SIGFPE on it."""
    x = torch.tensor([[-2**31, -2**31, -2**31, -2**31 + 1], [2**31 - 1, -7, 7, -2**31]], dtype=torch.int32)
    y = torch.tensor([[2, -2, 3, -1], [-2**31, 2, -2, 2**31 - 1]], dtype=torch.int32)
    return Lambda(lambda x, y: (x // 2, torch.div(x, y, rounding_mode="trunc"), torch.div(x, y, rounding_mode="floor"),
                                torch.remainder(x, y), torch.fmod(x, y))), (x, y)


@case(name="inputs_that_fold_away_i64", rtl=True)
def inputs_that_fold_away_i64():
    """`x ^ x` and `y - y` read their inputs, until folding makes them constants: the circuit then has
    memories nobody reads (CIRCT's extmem lowering aborted on them; found by the fuzzer)."""
    x = ints((2, 3), seed=340, low=-100, high=100, dtype=torch.int64)
    y = ints((2, 3), seed=341, low=-100, high=100, dtype=torch.int64)
    return Lambda(lambda x, y: (x ^ x, y - y)), (x, y)


@case(name="clamp_uint8_with_negative_bounds", rtl=True)
def clamp_uint8_with_negative_bounds():
    """Negative clamp bounds on uint8 wrap (-31 is 225) in eager PyTorch, as every Python int does."""
    u8 = ints((3, 4), seed=342, low=0, high=256, dtype=torch.uint8)
    return Lambda(lambda u: (torch.clamp(u, min=-31, max=-7), torch.clamp(u, min=-100), u.clamp(max=-56))), (u8,)


@case(name="fmod_by_python_int_i16", rtl=True)
def fmod_by_python_int_i16():
    """`torch.fmod(x, -128)`: torch-mlir lowers integer fmod only between tensors (found by the fuzzer)."""
    return Lambda(lambda x: (torch.fmod(x, -128), torch.fmod(x, 7))), (ints((3, 4), seed=343, low=-3000, high=3000,
                                                                             dtype=torch.int16),)


@case(name="max_min_of_whole_int8", rtl=True)
def max_min_of_whole_int8():
    """`x.max()` and `x.min()` over a whole int8 tensor: torch-mlir had no initial value for the reduction
    (found by the fuzzer); edges included."""
    x = torch.tensor([[-98, 26, 127], [-128, -7, 100]], dtype=torch.int8)
    return Lambda(lambda x: (x.max(), x.min(), x.max() // 3)), (x,)


@case(name="floor_division_across_widths", rtl=True)
def floor_division_across_widths():
    """`int64 // int16` and `int8 // int64`: torch-mlir divides through f64 when the widths differ, inexact past
    2**53 and float on RTL; and `int8 // int8` had no lowering at all (both found by the fuzzer)."""
    big = torch.tensor([[2**62 + 1, -(2**62) - 3, 2**53 + 1], [-7, 9, -(2**60) + 5]], dtype=torch.int64)
    small = torch.tensor([[3, -3, 7], [2, -4, 3]], dtype=torch.int16)
    i8 = torch.tensor([[-128, 127, -7], [5, -1, 100]], dtype=torch.int8)
    d8 = torch.tensor([[3, -2, 2], [-3, 7, -128]], dtype=torch.int8)
    return Lambda(lambda big, small, i8, d8: (big // small, i8 // big, i8 // d8,
                                              torch.div(i8, d8, rounding_mode="floor"))), (big, small, i8, d8)


@case(name="mixed_integer_dtypes_in_one_op", rtl=True)
def mixed_integer_dtypes_in_one_op():
    """Operands of different integer dtypes, or bool, in one op: eager promotes (True is 1, a 0-d int32 wraps
    into int8); torch-mlir sign-extended the bool, kept the 0-d value whole, crashed on cat (found by the fuzzer)."""
    flags = torch.tensor([True, True, False, True], dtype=torch.bool)
    i8 = torch.tensor([-32, 1, -1, 100], dtype=torch.int8)
    u8 = torch.tensor([254, 0, 7, 128], dtype=torch.uint8)
    scalar = torch.tensor(-1237557551, dtype=torch.int32)
    return Lambda(lambda f, i, u, s: (f <= i, torch.div(s, i | 1, rounding_mode="floor"), torch.cat((f, u)),
                                      torch.where(f, i, s), torch.maximum(i, u), f + i)), (flags, i8, u8, scalar)


@case(name="one_element_ops_share_buffers_i32", rtl=True)
def one_element_ops_share_buffers_i32():
    """Tensors of one element: every loop folds away and the ops' reused buffers are stored and loaded in one
    block, where the circuit did not order them (a shift's mask was overwritten before it was read; found by
    the fuzzer)."""
    x = torch.tensor([-1], dtype=torch.int32)
    y = torch.tensor([0], dtype=torch.int64)
    return Lambda(lambda x, y: (torch.bitwise_left_shift(x, x), torch.logical_or(torch.bitwise_left_shift(
        torch.bitwise_left_shift(x, x), y), x > 5), (x * 3 - y).sum())), (x, y)


@case(name="where_with_one_branch_broadcast", rtl=True)
def where_with_one_branch_broadcast():
    """`torch.where(c, x, x)` broadcasts x to c's shape; torch-mlir folded it to x unbroadcast and the next op
    met a tensor of the wrong shape (found by the fuzzer at seed 16)."""
    c = torch.tensor([[False, False, True, True]])
    x = torch.tensor([-32768], dtype=torch.int16)
    return Lambda(lambda c, x: (torch.where(c, x, x) | c.sum(dim=0), torch.where(c, x, x))), (c, x)


@case(name="compare_bool_with_int", rtl=True)
def compare_bool_with_int():
    """A bool tensor against Python ints, negative ones included (fuzz seed 28, program 47): eager compares as int64;
    torch-mlir compared in i1, where -5 truncates to 1, so `True <= -5` came out true on both backends. Clamping a
    bool at an int (an int64 result) failed to lower."""
    return Lambda(lambda b: (b <= -5, b > -1, b == -1, b != 2, b >= 1, b < 0, b.clamp(min=-3), b.clamp(max=0))), \
        (bools((2, 5), seed=446),)


@case(name="bool_round_trip_compare", rtl=True)
def bool_round_trip_compare():
    """A bool widened to int64, narrowed to int8 and compared with the int64 (fuzz seed 41, program 37): narrow-widths
    made both sides one value, CIRCT's handshake canonicalizer folded `x == x` to a constant without control, and
    lower-handshake-to-hw refused it (the compile failed; folded-constants feeds it from a source)."""
    def program(x: torch.Tensor):
        wide = x.to(torch.int64)
        return wide.to(torch.int8) == wide, wide.to(torch.bool)
    return Lambda(program), (bools((4, 1, 1), seed=456),)
