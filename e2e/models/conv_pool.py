"""conv2d and pooling on one small image (1x1x6x6): small enough to simulate as RTL."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from e2e.models._inputs import Lambda, floats, int_weights, ints
from e2e.suite import Tolerance, case

F32 = Tolerance(rtol=1e-5, atol=1e-5)


class IntConv2d(torch.nn.Module):
    """conv2d with int32 weight and bias buffers."""

    def __init__(self, in_channels: int, out_channels: int, kernel: int, *, seed: int, padding: int = 0) -> None:
        super().__init__()
        self.register_buffer("weight", int_weights((out_channels, in_channels, kernel, kernel), seed=seed))
        self.register_buffer("bias", int_weights((out_channels,), seed=seed + 1, low=-4, high=4))
        self.padding = padding

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight, self.bias, padding=self.padding)


@case(name="conv2d_f32", tolerance=F32)
def conv2d_f32():
    torch.manual_seed(91)
    return torch.nn.Conv2d(1, 2, 3), (floats((1, 1, 6, 6), seed=92),)


@case(name="conv2d_padded_f32", tolerance=F32)
def conv2d_padded_f32():
    torch.manual_seed(93)
    return torch.nn.Conv2d(2, 2, 3, padding=1, stride=2), (floats((1, 2, 6, 6), seed=94),)


@case(name="conv2d_i32", rtl=True)
def conv2d_i32():
    return IntConv2d(1, 2, 3, seed=95), (ints((1, 1, 6, 6), seed=96),)


@case(name="conv2d_padded_i32", rtl=True)
def conv2d_padded_i32():
    return IntConv2d(1, 1, 3, seed=97, padding=1), (ints((1, 1, 5, 5), seed=98),)


@case(name="maxpool2d_f32", tolerance=Tolerance(rtol=0, atol=0))
def maxpool2d_f32():
    return torch.nn.MaxPool2d(2), (floats((1, 1, 6, 6), seed=99),)


@case(name="maxpool2d_i32", rtl=True)
def maxpool2d_i32():
    return torch.nn.MaxPool2d(kernel_size=3, stride=1), (ints((1, 1, 6, 6), seed=100),)


@case(name="avgpool2d_f32", tolerance=F32)
def avgpool2d_f32():
    return torch.nn.AvgPool2d(2), (floats((1, 2, 6, 6), seed=101),)


@case(name="adaptive_avgpool_f32", tolerance=F32)
def adaptive_avgpool_f32():
    """Global average pooling, as at the end of a CNN."""
    return Lambda(lambda x: F.adaptive_avg_pool2d(x, 1).flatten(1)), (floats((1, 3, 4, 4), seed=102),)


@case(name="adaptive_max_pool_uneven_f32", tolerance=Tolerance(rtol=0.0, atol=0.0))
def adaptive_max_pool_uneven_f32():
    """Adaptive max pooling where the input is not a multiple of the output (torch-mlir's AdaptiveMaxPool1d/2dStatic,
    ...WithIndices: an internal error in its lowering): overlapping windows of two sizes, indices of the first maximum.
    Exact: a max picks one of its inputs."""
    def forward(x, y, z):
        values, indices = torch.nn.functional.adaptive_max_pool2d(x, (4, 5), return_indices=True)
        return (values, indices, torch.nn.functional.adaptive_max_pool1d(y, 3),
                *torch.nn.functional.adaptive_max_pool3d(z, (2, 3, 2), return_indices=True))
    return Lambda(forward), (floats((1, 2, 10, 9), seed=437), floats((2, 3, 7), seed=438), floats((1, 2, 5, 4, 3), seed=439))


@case(name="conv_tbc_f32", tolerance=Tolerance(rtol=1e-5, atol=1e-5))
def conv_tbc_f32():
    """`torch.conv_tbc` (time, batch, channel), torch-mlir's ConvTbc: its result shape had time and batch swapped."""
    return Lambda(lambda x, w, b: (torch.conv_tbc(x, w, b), torch.conv_tbc(x, w, b, 1))), \
        (floats((9, 4, 5), seed=440), floats((3, 5, 6), seed=441), floats((6,), seed=442))
