"""Tensors made inside forward: ranges, fills, literals baked into the graph, and 0-d results."""

from __future__ import annotations

import torch

from e2e.models._inputs import Lambda, ints
from e2e.suite import case


class Literals(torch.nn.Module):
    """An opaque tensor literal (`torch.tensor([...])` in forward), a constant attribute and a buffer."""

    def __init__(self) -> None:
        super().__init__()
        self.table = torch.tensor([[3, -1], [0, 2], [-4, 5]])
        self.register_buffer("offset", torch.tensor([7, -7], dtype=torch.int64))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        weights = torch.tensor([1, -2, 3], dtype=torch.int64)
        return (x * weights) @ self.table + self.offset


@case(name="arange_i64", rtl=True)
def arange_i64():
    return Lambda(lambda x: x * torch.arange(2, 14, 3) + torch.arange(4).flip(0)), (
        ints((3, 4), seed=331, dtype=torch.int64),)


@case(name="full_like_new_zeros_i32", rtl=True)
def full_like_new_zeros_i32():
    return Lambda(lambda x: torch.cat([torch.full_like(x, -3) * x, x.new_zeros(2, 4), x.new_ones((1, 4))])), (
        ints((3, 4), seed=332),)


@case(name="tensor_literals_i64", rtl=True)
def tensor_literals_i64():
    return Literals(), (ints((4, 3), seed=333, dtype=torch.int64),)


@case(name="zero_d_results_i32", rtl=True)
def zero_d_results_i32():
    """Whole-tensor reductions: 0-d results of three dtypes."""
    return Lambda(lambda x: (x.sum(), x.argmax(), (x > 5).any())), (ints((3, 4), seed=334),)


class ArangeIntoInputs(torch.nn.Module):
    def forward(self, x: torch.Tensor, y: torch.Tensor):
        return torch.arange(start=1, end=13, out=x), torch.arange(6, out=y) * 2


@case(name="arange_out_view_i64", rtl=True)
def arange_out_view_i64():
    """`arange(..., out=t)` into a (3, 4) and a (2, 3) input (torch-mlir's ArangeStartOutView): eager keeps each input's
    shape when the element count matches; torch.export's functional form returned 1-d tensors."""
    return ArangeIntoInputs(), (torch.zeros(3, 4, dtype=torch.int64), torch.zeros(2, 3, dtype=torch.int64))
