"""Outputs side by side chosen for a target interval (`RtlOptions.target_interval`): IR in, IR out through the
unroll-outputs and fold-reductions stages. A matmul, whose terms share the input and read banked weights, takes
outputs side by side; a convolution, whose terms read the input at addresses that move with the output, folds."""

from __future__ import annotations

import re

from backend.rtl.attributes import FOLDS_ATTR, OUTPUTS_ATTR, read_factors
from common.records import ModelMetadata, TensorSpec
from torch_circt.flow import stage_named
from torch_circt.options import RtlOptions

# h[o] = sum_k x[k] * w[o, k]: 8 outputs of 8 steps (64 iterations). g[o] = sum_k h[o + k] * c[k]: 6 outputs of 3
# steps (18). Then 6 copied out. 88 iterations in all.
LAYERS = """
module attributes {torch_circt.params = [{element = "i8", name = "w", shape = array<i64: 64>, values = array<i64: @WORDS@>},
                                         {element = "i32", name = "c", shape = array<i64: 3>, values = array<i64: 1, -2, 3>}]} {
  func.func @layers(%x: memref<8xi8>, %y: memref<6xi32>, %w: memref<64xi8>, %c: memref<3xi32>) {
    %zero = arith.constant 0 : i32
    %h = memref.alloc() : memref<8xi32>
    affine.for %o = 0 to 8 {
      %sum = affine.for %k = 0 to 8 iter_args(%acc = %zero) -> (i32) {
        %a = affine.load %x[%k] : memref<8xi8>
        %b = affine.load %w[%o * 8 + %k] : memref<64xi8>
        %a32 = arith.extsi %a : i8 to i32
        %b32 = arith.extsi %b : i8 to i32
        %p = arith.muli %a32, %b32 : i32
        %next = arith.addi %acc, %p : i32
        affine.yield %next : i32
      }
      affine.store %sum, %h[%o] : memref<8xi32>
    }
    %g = memref.alloc() : memref<6xi32>
    affine.for %o = 0 to 6 {
      %sum = affine.for %k = 0 to 3 iter_args(%acc = %zero) -> (i32) {
        %a = affine.load %h[%o + %k] : memref<8xi32>
        %b = affine.load %c[%k] : memref<3xi32>
        %p = arith.muli %a, %b : i32
        %next = arith.addi %acc, %p : i32
        affine.yield %next : i32
      }
      affine.store %sum, %g[%o] : memref<6xi32>
    }
    affine.for %i = 0 to 6 {
      %v = affine.load %g[%i] : memref<6xi32>
      affine.store %v, %y[%i] : memref<6xi32>
    }
    return
  }
}
""".replace("@WORDS@", ", ".join(map(str, range(64))))
METADATA = ModelMetadata("layers", (TensorSpec("x", (8,), "int8"),), (TensorSpec("y", (6,), "int32"),))


def _planned(target: int) -> tuple[str, str]:
    options = RtlOptions(target_interval=target)
    unrolled = stage_named("unroll-outputs", METADATA, options).run(LAYERS)
    return unrolled, stage_named("fold-reductions", METADATA, options).run(unrolled)


def test_the_matmul_takes_outputs_side_by_side_until_the_target_is_met() -> None:
    # 88 -> 56 (2 side by side) -> 40 (4): met, so nothing folds.
    unrolled, folded = _planned(40)
    assert read_factors(unrolled, OUTPUTS_ATTR) == (4, 1)
    assert "-> (i32, i32, i32, i32)" in unrolled and 'name = "w_bank3"' in unrolled
    assert read_factors(folded, FOLDS_ATTR) == (1,)


def test_the_convolution_folds_where_outputs_side_by_side_would_each_need_a_port() -> None:
    # After the matmul's 4 (40 iterations) the convolution is the biggest nest (18): it folds by 3, not 2 outputs
    # side by side (its terms read h at o + k, an address per output): 16 + 6 + 6 = 28.
    unrolled, folded = _planned(30)
    assert read_factors(unrolled, OUTPUTS_ATTR) == (4, 1)
    assert read_factors(folded, FOLDS_ATTR) == (3,)
    assert len(re.findall(r"iter_args", folded)) == 1  # the convolution's reduction, fully folded, is no loop any more


def test_without_a_target_the_factor_applies_to_every_loop_that_can_take_it() -> None:
    unrolled = stage_named("unroll-outputs", METADATA, RtlOptions(unroll_outputs=2)).run(LAYERS)
    assert read_factors(unrolled, OUTPUTS_ATTR) == (2, 2)
