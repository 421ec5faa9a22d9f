"""Elementwise arithmetic and broadcasting, in float and in every integer width."""

from __future__ import annotations

import torch

from e2e.models._inputs import Lambda, floats, ints, nonzero_ints
from e2e.suite import Tolerance, case

F32 = Tolerance(rtol=1e-5, atol=1e-6)


@case(name="add_broadcast_f32", tolerance=F32)
def add_broadcast_f32():
    return Lambda(lambda x, y: x + y * 2.0), (floats((4, 4), seed=1), floats((4,), seed=2))


@case(name="add_broadcast_i32", rtl=True)
def add_broadcast_i32():
    return Lambda(lambda x, y: x + y), (ints((4, 4), seed=3), ints((1, 4), seed=4))


@case(name="sub_mul_i32", rtl=True)
def sub_mul_i32():
    return Lambda(lambda x, y: (x - y) * x + 3), (ints((3, 5), seed=5), ints((3, 5), seed=6))


@case(name="mul_overflow_i32", rtl=True)
def mul_overflow_i32():
    """Products of values near 2**20 overflow int32 and must wrap like PyTorch does."""
    big = ints((4, 4), seed=7, low=-(2**21), high=2**21)
    return Lambda(lambda x, y: x * y), (big, ints((4, 4), seed=8, low=-(2**21), high=2**21))


@case(name="add_overflow_i32", rtl=True)
def add_overflow_i32():
    x = ints((8,), seed=9, low=2**31 - 16, high=2**31 - 1)
    return Lambda(lambda x, y: x + y), (x, ints((8,), seed=10, low=0, high=64))


@case(name="add_mul_wrap_i8", rtl=True)
def add_mul_wrap_i8():
    """int8 in, int8 out: 100 + 100 wraps to -56, as in PyTorch."""
    x = ints((4, 4), seed=11, low=-128, high=128, dtype=torch.int8)
    y = ints((4, 4), seed=12, low=-128, high=128, dtype=torch.int8)
    return Lambda(lambda x, y: (x + y, x * y)), (x, y)


@case(name="arith_i16", rtl=True)
def arith_i16():
    x = ints((4, 4), seed=13, low=-300, high=300, dtype=torch.int16)
    y = ints((4, 4), seed=14, low=-300, high=300, dtype=torch.int16)
    return Lambda(lambda x, y: x * y - x), (x, y)


@case(name="arith_i64", rtl=True)
def arith_i64():
    x = ints((3, 3), seed=15, low=-(2**40), high=2**40, dtype=torch.int64)
    return Lambda(lambda x, y: x * y + x), (x, ints((3, 3), seed=16, dtype=torch.int64))


@case(name="abs_neg_i32", rtl=True)
def abs_neg_i32():
    return Lambda(lambda x: torch.abs(x) - (-x)), (ints((4, 4), seed=17),)


@case(name="neg_large_i32", rtl=True)
def neg_large_i32():
    """Magnitudes beyond 2**24, where torch-mlir's negation through f32 would round."""
    return Lambda(lambda x: -x), (ints((4, 4), seed=41, low=-(2**31), high=2**31 - 1),)


@case(name="floor_div_large_i64", rtl=True)
def floor_div_large_i64():
    """Operands beyond 2**53, where torch-mlir's floor division through f64 would round."""
    x = ints((3, 3), seed=42, low=-(2**62), high=2**62, dtype=torch.int64)
    return Lambda(lambda x, y: torch.div(x, y, rounding_mode="floor")), (x, nonzero_ints((3, 3), seed=43, dtype=torch.int64))


@case(name="relu_i32", rtl=True)
def relu_i32():
    return torch.nn.ReLU(), (ints((4, 4), seed=18),)


@case(name="clamp_i32", rtl=True)
def clamp_i32():
    return Lambda(lambda x: torch.clamp(x, -3, 5)), (ints((4, 4), seed=19),)


@case(name="max_min_i32", rtl=True)
def max_min_i32():
    return Lambda(lambda x, y: torch.maximum(x, y) - torch.minimum(x, y)), (ints((4, 4), seed=20), ints((4, 4), seed=21))


@case(name="relu_clamp_f32", tolerance=F32)
def relu_clamp_f32():
    return Lambda(lambda x: (torch.relu(x), torch.clamp(x, -0.5, 0.5))), (floats((4, 4), seed=22),)


@case(name="sigmoid_tanh_f32", tolerance=Tolerance(rtol=1e-5, atol=1e-5))
def sigmoid_tanh_f32():
    return Lambda(lambda x: torch.sigmoid(x) * torch.tanh(x) + torch.exp(-x * x)), (floats((4, 4), seed=23),)


@case(name="gelu_f32", tolerance=Tolerance(rtol=1e-5, atol=1e-5))
def gelu_f32():
    return torch.nn.GELU(), (floats((4, 4), seed=24),)


@case(name="rrelu_eval_f32", tolerance=F32)
def rrelu_eval_f32():
    """rrelu outside training is deterministic, leaky_relu with slope (lower + upper) / 2: compiled, not refused
    as random (nn.RReLU in eval mode, F.rrelu, and aten.rrelu_with_noise with its noise tensor)."""
    return Lambda(lambda x, noise: (torch.nn.functional.rrelu(x, training=False), torch.nn.RReLU(0.1, 0.4).eval()(x),
                                    torch.ops.aten.rrelu_with_noise(x, noise, 0.2, 0.3, training=False))), \
        (floats((4, 4), seed=25), floats((4, 4), seed=26))


@case(name="isfinite_f32", tolerance=Tolerance(rtol=0.0, atol=0.0))
def isfinite_f32():
    """`torch.isfinite` (no torch-mlir lowering) on every special value, and on integers (all finite)."""
    special = torch.tensor([0.0, -0.0, 1.5, -3e38, 3e38, float("inf"), -float("inf"), float("nan"), 1e-45, -1e-45])
    return Lambda(lambda x, n: (torch.isfinite(x), torch.isfinite(x * 1e30), torch.isfinite(n))), \
        (special, ints((4,), seed=443))


@case(name="threshold_backward_mixed_f32", tolerance=Tolerance(rtol=0.0, atol=0.0))
def threshold_backward_mixed_f32():
    """`threshold_backward` of an int64 grad by a float input (torch-mlir's ThresholdBackward2dMixed): eager promotes
    to float32; torch-mlir kept int64. Exact: each element is the grad converted, or 0."""
    return Lambda(lambda g, x: torch.ops.aten.threshold_backward(g, x, 0.5)), \
        (ints((4, 5), seed=444, low=0, high=20, dtype=torch.int64), floats((4, 5), seed=445))
