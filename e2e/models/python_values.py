"""Python values at the edges of forward: scalar arguments (baked in at their example
values, as torch.export specialises them) and Python scalars or 0-d tensors returned
(compared as 0-d tensors: int as int64, float as float64)."""

from __future__ import annotations

import torch

from e2e.models._inputs import Lambda, floats, ints
from e2e.suite import Tolerance, case


class ScaleShift(torch.nn.Module):
    def forward(self, x: torch.Tensor, scale: int, negate: bool, bias: int) -> torch.Tensor:
        y = x * scale + bias
        return -y if negate else y


class FloatArgument(torch.nn.Module):
    def forward(self, x: torch.Tensor, alpha: float, mode: str = "relu") -> torch.Tensor:
        return torch.relu(x) * alpha if mode == "relu" else x * alpha


class CountsAndTotals(torch.nn.Module):
    """A shape-derived int, a data-derived int (`.item()`), and a 0-d tensor."""

    def forward(self, x: torch.Tensor):
        return x.shape[0] * x.shape[1], x.sum().item(), x.max()


class Statistics(torch.nn.Module):
    def forward(self, x: torch.Tensor):
        return x.mean().item(), x.dim() == 2, x.numel()


@case(name="scalar_arguments_i32", rtl=True)
def scalar_arguments_i32():
    return ScaleShift(), (ints((3, 4), seed=301), 3, True, -5)


@case(name="float_argument_f32", tolerance=Tolerance())
def float_argument_f32():
    return FloatArgument(), (floats((4, 5), seed=302), 0.25, "relu")


@case(name="python_int_results_i32", rtl=True)
def python_int_results_i32():
    return CountsAndTotals(), (ints((3, 4), seed=303),)


@case(name="python_float_bool_results_f32", tolerance=Tolerance())
def python_float_bool_results_f32():
    return Statistics(), (floats((4, 6), seed=304),)


@case(name="zero_d_input_and_result_i32", rtl=True)
def zero_d_input_and_result_i32():
    """A 0-d tensor in (a scale) and out (a dot product)."""
    class Dot(torch.nn.Module):
        def forward(self, a: torch.Tensor, b: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
            return torch.dot(a, b) * scale

    return Dot(), (ints((6,), seed=305), ints((6,), seed=306), torch.tensor(3, dtype=torch.int32))


class SumOfList(torch.nn.Module):
    def forward(self, xs: list[torch.Tensor], weights: dict[str, torch.Tensor]) -> torch.Tensor:
        return sum(x * w for x, w in zip(xs, weights.values()))


@case(name="list_and_dict_inputs_i32", rtl=True)
def list_and_dict_inputs_i32():
    """Tensors inside a list and a dict: each is its own port (`xs_0`, `weights_a`, ...)."""
    return SumOfList(), ([ints((2, 3), seed=307), ints((2, 3), seed=308)],
                         {"a": ints((2, 3), seed=309), "b": ints((2, 3), seed=310)})


@case(name="tensor_to_python_number_i32", rtl=True)
def tensor_to_python_number_i32():
    """`int(n)` of a 0-d tensor input feeding arithmetic and returned (torch-mlir's TensorToIntZeroRank,
    AtenIntTensorCharDtype): non-strict torch.export cannot trace it; Dynamo records it as `aten.item`."""
    return Lambda(lambda x, n: (x * int(n), int(n))), (ints((2, 3), seed=434), torch.tensor(-5, dtype=torch.int32))


@case(name="tensor_to_python_number_f32", tolerance=Tolerance(rtol=1e-6, atol=0.0))
def tensor_to_python_number_f32():
    """`float(t)` and `int(t)` of 1-element tensors (AtenItemFpOp; uint8 to int, AtenIntTensorByteDtype)."""
    return Lambda(lambda x, s, b: (x * float(s), float(s), int(b))), \
        (floats((3,), seed=435), torch.tensor([0.75]), torch.tensor(200, dtype=torch.uint8))
