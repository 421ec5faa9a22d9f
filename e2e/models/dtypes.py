"""Dtypes beyond int32/float32: half precision on the CPU (each within its dtype's stated
tolerance, `Tolerance.float16`/`.bfloat16`), mixed-dtype arithmetic, and 8/16-bit
integers, which torch-mlir mislowers unless the frontend widens them (see
frontend/torch/_graph_rules.py): uint8 sign-extended, int8 times a Python number crashing,
int8 matmuls crashing."""

from __future__ import annotations

import torch

from e2e.models._inputs import Lambda, floats, ints
from e2e.suite import Tolerance, case


class HalfMlp(torch.nn.Module):
    def __init__(self, dtype: torch.dtype) -> None:
        super().__init__()
        torch.manual_seed(311)
        self.fc1 = torch.nn.Linear(8, 16).to(dtype)
        self.fc2 = torch.nn.Linear(16, 4).to(dtype)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(torch.relu(self.fc1(x)))


@case(name="mlp_f16", tolerance=Tolerance())
def mlp_f16():
    return HalfMlp(torch.float16), (floats((3, 8), seed=312).half(),)


@case(name="mlp_bf16", tolerance=Tolerance())
def mlp_bf16():
    return HalfMlp(torch.bfloat16), (floats((3, 8), seed=313).bfloat16(),)


@case(name="elementwise_f16", tolerance=Tolerance())
def elementwise_f16():
    return Lambda(lambda x, y: torch.sigmoid(x) * y - x / 4), (floats((4, 5), seed=314).half(),
                                                            floats((4, 5), seed=315).half())


@case(name="elementwise_bf16", tolerance=Tolerance())
def elementwise_bf16():
    """bf16 arithmetic and math (exp, tanh, erf-based gelu) on the CPU: each op computed in f32 and
    rounded back to bf16, as eager does, with no bf16 runtime routine the JIT would have to find."""
    return Lambda(lambda x, y: (x - 1, x * x + y, torch.exp(x) * torch.tanh(y),
                                torch.nn.functional.gelu(x))), (floats((4, 5), seed=358).bfloat16(),
                                                                floats((4, 5), seed=359).bfloat16())


@case(name="mixed_int8_int32_add", rtl=True)
def mixed_int8_int32_add():
    """int8 + int32 promotes to int32; int8 * a Python number stays int8 and wraps."""
    return Lambda(lambda a, b: (a + b, a * 3)), (ints((3, 4), seed=316, low=-128, high=128, dtype=torch.int8),
                                                 ints((3, 4), seed=317, low=-1000, high=1000))


@case(name="mixed_int_float_mul", tolerance=Tolerance())
def mixed_int_float_mul():
    return Lambda(lambda a, b: a * b + a), (ints((3, 4), seed=318), floats((3, 4), seed=319))


@case(name="matmul_i8", rtl=True)
def matmul_i8():
    """int8 @ int8 is int8 in eager PyTorch: accumulated, then wrapped to 8 bits."""
    return Lambda(lambda a, b: a @ b), (ints((4, 6), seed=320, low=-128, high=128, dtype=torch.int8),
                                        ints((6, 3), seed=321, low=-128, high=128, dtype=torch.int8))


@case(name="matmul_i8_to_i32", rtl=True)
def matmul_i8_to_i32():
    """The quantised-network idiom: int8 operands widened, accumulated in int32."""
    return Lambda(lambda a, b: a.to(torch.int32) @ b.to(torch.int32)), (
        ints((4, 6), seed=322, low=-128, high=128, dtype=torch.int8),
        ints((6, 3), seed=323, low=-128, high=128, dtype=torch.int8))


@case(name="uint8_arithmetic", rtl=True)
def uint8_arithmetic():
    """Values above 127: a sign-extending lowering gets every one of these wrong."""
    return Lambda(lambda x: (x * 3, x // 7, x % 5, x.sum(0), x.abs(), torch.minimum(x, x.flip(1)))), (
        ints((3, 4), seed=324, low=0, high=256, dtype=torch.uint8),)


@case(name="int8_division_and_shifts", rtl=True)
def int8_division_and_shifts():
    return Lambda(lambda x: (x // 3, x % 7, x >> 2, x * -5, x.sum(1))), (
        ints((3, 4), seed=325, low=-128, high=128, dtype=torch.int8),)


@case(name="int16_matmul", rtl=True)
def int16_matmul():
    return Lambda(lambda a, b: torch.bmm(a, b)), (ints((2, 3, 4), seed=326, low=-300, high=300, dtype=torch.int16),
                                                  ints((2, 4, 2), seed=327, low=-300, high=300, dtype=torch.int16))


@case(name="sort_uint8", rtl=True)
def sort_uint8():
    """Sort compares unsigned; its indices are eager's along 6 elements (ranks, see sort_ties_indices_i32)."""
    return Lambda(lambda x: torch.sort(x, dim=1)), (ints((3, 6), seed=328, low=0, high=256, dtype=torch.uint8),)
