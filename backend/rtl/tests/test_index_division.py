"""IR in, IR out: lower-affine's mod/floordiv by a power of two become a mask and a shift; other divisions stay."""

from __future__ import annotations

import itertools

import pytest
from torch_mlir import ir, passmanager

from backend.rtl.torch_side.integer_ops import power_of_two_index_division

AFFINE = """
func.func @f(%x: index) -> (index, index) {
  %a = affine.apply affine_map<(d0) -> (d0 floordiv DIVISOR)>(%x)
  %b = affine.apply affine_map<(d0) -> (d0 mod DIVISOR)>(%x)
  return %a, %b : index, index
}
"""


def lowered(divisor: int) -> tuple[int, str]:
    with ir.Context():
        module = ir.Module.parse(AFFINE.replace("DIVISOR", str(divisor)))
        passmanager.PassManager.parse("builtin.module(lower-affine,canonicalize,cse)").run(module.operation)
        count = power_of_two_index_division(module)
        passmanager.PassManager.parse("builtin.module(canonicalize)").run(module.operation)
        module.operation.verify()
        return count, str(module)


def test_power_of_two_becomes_mask_and_shift() -> None:
    count, text = lowered(8)
    assert count == 2
    assert "arith.shrsi %arg0, %c3" in text and "arith.andi %arg0, %c7" in text
    assert "divsi" not in text and "remsi" not in text


def test_other_divisors_keep_their_division() -> None:
    count, text = lowered(6)
    assert count == 0 and "divsi" in text and "remsi" in text


@pytest.mark.parametrize("divisor", [1, 2, 4, 16])
def test_identity_holds_for_negative_and_positive_values(divisor: int) -> None:
    """The rewrite's premise, checked on numbers: floor division and Euclidean mod by 2^k are shift and mask."""
    shift = divisor.bit_length() - 1
    for x in itertools.chain(range(-70, 70), (2**62, -(2**62))):
        assert x // divisor == x >> shift and x % divisor == x & (divisor - 1)
