"""matmul, nn.Linear, bmm, mv and dot, in float and with integer weights."""

from __future__ import annotations

import torch

from e2e.models._inputs import Lambda, floats, int_weights, ints
from e2e.suite import Tolerance, case

F32 = Tolerance(rtol=1e-5, atol=1e-5)


class IntLinear(torch.nn.Module):
    """nn.Linear with int32 weight and bias buffers: y = x @ W.T + b, all integer."""

    def __init__(self, in_features: int, out_features: int, *, seed: int) -> None:
        super().__init__()
        self.register_buffer("weight", int_weights((out_features, in_features), seed=seed))
        self.register_buffer("bias", int_weights((out_features,), seed=seed + 1, low=-8, high=8))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.matmul(x, self.weight.t()) + self.bias


@case(name="matmul_i32", rtl=True)
def matmul_i32():
    return Lambda(lambda a, b: torch.matmul(a, b)), (ints((4, 6), seed=71), ints((6, 3), seed=72))


@case(name="matmul_64x64x64_i32", rtl=True)
def matmul_64x64x64_i32():
    """A real layer's size: 262,144 multiply-accumulates, the scale issue 11 asks the circuits to reach."""
    return Lambda(lambda a, b: torch.matmul(a, b)), (ints((64, 64), seed=171), ints((64, 64), seed=172))


@case(name="linear_128x64_i32", rtl=True)
def linear_128x64_i32():
    """A 128 -> 64 fully connected layer with integer weights (8,192 parameters in external memory)."""
    return IntLinear(128, 64, seed=173), (ints((1, 128), seed=175),)


@case(name="matmul_f32", tolerance=F32)
def matmul_f32():
    return Lambda(lambda a, b: a @ b), (floats((4, 6), seed=73), floats((6, 3), seed=74))


@case(name="linear_f32", tolerance=F32)
def linear_f32():
    torch.manual_seed(75)
    return torch.nn.Linear(8, 4), (floats((2, 8), seed=76),)


@case(name="linear_i32", rtl=True)
def linear_i32():
    return IntLinear(8, 4, seed=77), (ints((2, 8), seed=78),)


@case(name="linear_int_param_i32", rtl=True)
def linear_int_param_i32():
    """nn.Linear whose parameters were replaced by int32 tensors (requires_grad=False)."""
    layer = torch.nn.Linear(6, 3)
    layer.weight = torch.nn.Parameter(int_weights((3, 6), seed=79), requires_grad=False)
    layer.bias = torch.nn.Parameter(int_weights((3,), seed=80), requires_grad=False)
    return layer, (ints((2, 6), seed=81),)


@case(name="bmm_i32", rtl=True)
def bmm_i32():
    return Lambda(lambda a, b: torch.bmm(a, b)), (ints((2, 3, 4), seed=82), ints((2, 4, 3), seed=83))


@case(name="bmm_f32", tolerance=F32)
def bmm_f32():
    return Lambda(lambda a, b: torch.bmm(a, b)), (floats((2, 3, 4), seed=84), floats((2, 4, 3), seed=85))


@case(name="mv_dot_i32", rtl=True)
def mv_dot_i32():
    """Matrix-vector product and a 0-d dot product."""
    return Lambda(lambda m, v: (torch.mv(m, v), torch.dot(v, v))), (ints((3, 5), seed=86), ints((5,), seed=87))


@case(name="int_mm_mixed_sign_i8")
def int_mm_mixed_sign_i8():
    """`torch._int_mm` of uint8 by int8 (torch-mlir's AtenIntMMMixedSigni8) and of int8 by int8: int32 products,
    uint8 zero-extended. The narrow-integer widening handed `_int_mm` int32 operands, which it rejects."""
    a = ints((24, 8), seed=431, low=0, high=256, dtype=torch.uint8)
    a8 = ints((24, 8), seed=432, low=-128, high=128, dtype=torch.int8)
    b = ints((8, 8), seed=433, low=-128, high=128, dtype=torch.int8)
    return Lambda(lambda a, a8, b: (torch._int_mm(a, b), torch._int_mm(a8, b))), (a, a8, b)


@case(name="trilinear_expanded_f32", tolerance=F32)
def trilinear_expanded_f32():
    """`aten._trilinear` (what `bilinear` calls), torch-mlir's Aten_TrilinearModuleZerodDimBug: a dimension expanded in
    all three inputs has size 0 in eager (an empty result; all zeros when it is the unroll dimension and summed),
    torch-mlir gave it size 1 and failed check-signature. Beside it, trilinears torch-mlir's lowering computes."""
    trilinear = torch.ops.aten._trilinear

    def forward(a, b, v, w, u):
        return (trilinear(a, b, a, [0], [0], [0], [2], 0), trilinear(a, b, a, [0], [0], [0], [0, 2], 0),
                trilinear(v, a, u, [1], [], [0, 1], [2], 0), torch.nn.functional.bilinear(v, v, w))
    return Lambda(forward), (floats((2, 3, 6), seed=443), floats((2, 3, 6), seed=444), floats((2, 6), seed=445),
                             floats((3, 6, 6), seed=446), floats((6,), seed=447))
