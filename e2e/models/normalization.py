"""Float-only building blocks: softmax, log_softmax, layer_norm, batch_norm (eval), instance_norm (half)."""

from __future__ import annotations

import torch

from e2e.models._inputs import Lambda, floats
from e2e.suite import Tolerance, case

F32 = Tolerance(rtol=1e-5, atol=1e-5)


@case(name="softmax_f32", tolerance=F32)
def softmax_f32():
    return torch.nn.Softmax(dim=-1), (floats((4, 6), seed=121, scale=3.0),)


@case(name="log_softmax_f32", tolerance=F32)
def log_softmax_f32():
    return Lambda(lambda x: torch.log_softmax(x, dim=1)), (floats((4, 6), seed=122, scale=3.0),)


@case(name="layer_norm_f32", tolerance=Tolerance(rtol=1e-4, atol=1e-5))
def layer_norm_f32():
    torch.manual_seed(123)
    norm = torch.nn.LayerNorm(8)
    with torch.no_grad():
        norm.weight.uniform_(0.5, 1.5)
        norm.bias.uniform_(-0.5, 0.5)
    return norm, (floats((3, 8), seed=124),)


@case(name="batch_norm_eval_f32", tolerance=Tolerance(rtol=1e-4, atol=1e-5))
def batch_norm_eval_f32():
    """Running statistics are buffers: they must become constants in the IR."""
    norm = torch.nn.BatchNorm2d(2)
    with torch.no_grad():
        norm.running_mean.copy_(torch.tensor([0.5, -0.25]))
        norm.running_var.copy_(torch.tensor([2.0, 0.5]))
    return norm, (floats((1, 2, 4, 4), seed=125),)


@case(name="instance_norm_f16", tolerance=Tolerance())
def instance_norm_f16():
    """Half-precision InstanceNorm on the CPU: measured from outside at 76ff0bb, the JIT crashed on it (SIGSEGV in
    jit-run); now it runs. The default float16 tolerance (rtol 1e-2, atol 1e-3) holds one rounding to half per step."""
    return torch.nn.InstanceNorm2d(3), (floats((2, 3, 4, 5), seed=455).half(),)
