"""The premise of integer-ops' index division by 2^k as wires (its IR test: torch_side/test/integer-ops.mlir)."""

from __future__ import annotations

import itertools

import pytest


@pytest.mark.parametrize("divisor", [1, 2, 4, 16])
def test_identity_holds_for_negative_and_positive_values(divisor: int) -> None:
    """The rewrite's premise, checked on numbers: floor division and Euclidean mod by 2^k are shift and mask."""
    shift = divisor.bit_length() - 1
    for x in itertools.chain(range(-70, 70), (2**62, -(2**62))):
        assert x // divisor == x >> shift and x % divisor == x & (divisor - 1)
