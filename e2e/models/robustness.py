"""Ordinary programs that used to crash or abort a backend: in-place ops on inputs, a value
returned twice or unchanged, an input the circuit never reads, assertions and folds CIRCT
could not lower. Each one names the fault it guards against (issue 17)."""

from __future__ import annotations

import torch

from e2e.models._inputs import Lambda, bools, floats, ints
from e2e.suite import Tolerance, case


class AddInPlace(torch.nn.Module):
    """x.add_(y) on an input: torch.export returns x's new value as an extra result."""

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        x.add_(y)
        return x * 2


class CopyInto(torch.nn.Module):
    """x.copy_(y): x's old value is never read, so its memory has no port at all."""

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        x.copy_(y)
        return x + 1


class ReturnTwice(torch.nn.Module):
    def forward(self, x: torch.Tensor):
        y = x + 1
        return y, y


@case(name="add_inplace_input_i32", rtl=True)
def add_inplace_input_i32():
    return AddInPlace(), (ints((2, 4), seed=81), ints((2, 4), seed=82))


@case(name="copy_into_input_i32", rtl=True)
def copy_into_input_i32():
    return CopyInto(), (ints((2, 4), seed=83), ints((2, 4), seed=84))


@case(name="return_twice_i32", rtl=True)
def return_twice_i32():
    """Once segfaulted buffer-results-to-out-params{hoist-static-allocs} on both backends."""
    return ReturnTwice(), (ints((2, 4), seed=85),)


@case(name="return_input_i32", rtl=True)
def return_input_i32():
    return Lambda(lambda x, y: (x, x + y)), (ints((2, 4), seed=86), ints((2, 4), seed=87))


@case(name="zeros_like_i32", rtl=True)
def zeros_like_i32():
    """The input is never read: CIRCT's extmem lowering aborted on its portless memory."""
    return Lambda(lambda x: torch.zeros_like(x)), (ints((3, 4), seed=88),)


@case(name="gather_bool", rtl=True)
def gather_bool():
    """The gather lowering's index-bounds cf.assert once stopped lower-esi-to-hw."""
    index = torch.tensor([[2, 0, 1], [1, 1, 0]], dtype=torch.int64)
    return Lambda(lambda x, i: torch.gather(x, 1, i)), (bools((2, 3), seed=89), index)


@case(name="heaviside_i32", rtl=True)
def heaviside_i32():
    """Its integer isnan (x != x) folds to an arith.constant that handshake-to-hw could not lower."""
    x = torch.tensor([-2, 0, 3, 0, 7, -1], dtype=torch.int32)
    return Lambda(lambda a, v: torch.heaviside(a, v)), (x, ints((6,), seed=90))


class InPlaceFamily(torch.nn.Module):
    """fill_ on a slice, zero_ on an input, a slice copy_, and an out= variant, in one forward:
    torch.export functionalises each, and the mutated input is a result like any other."""

    def forward(self, x: torch.Tensor, y: torch.Tensor, out: torch.Tensor):
        z = x.clone()
        z[:, 1:3].fill_(5)
        z[0].copy_(y[1])
        y.zero_()
        torch.mul(x, 3, out=out)
        return z - out


@case(name="inplace_fill_zero_copy_out_i32", rtl=True)
def inplace_fill_zero_copy_out_i32():
    return InPlaceFamily(), (ints((3, 4), seed=91), ints((3, 4), seed=92), ints((3, 4), seed=93))


@case(name="masked_fill_inplace_f32", tolerance=Tolerance())
def masked_fill_inplace_f32():
    def forward(x, mask):
        x.masked_fill_(mask, -1.5)
        x.mul_(2.0)
        return x.relu_()

    return Lambda(forward), (floats((4, 5), seed=94), bools((4, 5), seed=95))


@case(name="inplace_only_returns_none_i32", rtl=True)
def inplace_only_returns_none_i32():
    """forward updates its inputs and returns None: the updated inputs are the results."""
    def forward(x, y):
        x.add_(y)
        y[:, 0] = 0

    return Lambda(forward), (ints((3, 4), seed=96), ints((3, 4), seed=97))


@case(name="later_nest_overwrites_what_earlier_read_i32", rtl=True)
def later_nest_overwrites_what_earlier_read_i32():
    """A loop nest writes, in place, the tensor an earlier nest reduced (a write after read across nests): the max
    of each row must be read before the subtraction overwrites the row. Circuits that run nests concurrently (layers
    as stages, issue 27) must keep this order."""
    def forward(x):
        t = x * 3
        peak = t.amax(dim=1, keepdim=True)
        t.sub_(peak)
        return t.sum(dim=1), t

    return Lambda(forward), (ints((3, 5), seed=98),)
