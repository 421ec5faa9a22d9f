"""Banking when a parameter has fewer words than banks (the digits CNN's 4-channel bias read by 8 outputs side by
side): IR in, IR out through the unroll-outputs stage."""

from __future__ import annotations

from common.records import ModelMetadata, TensorSpec
from torch_circt.flow import stage_named
from torch_circt.options import RtlOptions

# Eight outputs side by side, each starting from a per-group bias b[o floordiv 4] of a 2-word parameter.
FEW_WORDS = """
module attributes {torch_circt.params = [{element = "i8", name = "w", shape = array<i64: 64>, values = array<i64: @WORDS@>},
                                         {element = "i32", name = "b", shape = array<i64: 2>, values = array<i64: 5, -5>}]} {
  func.func @few(%x: memref<8xi8>, %y: memref<8xi32>, %w: memref<64xi8>, %b: memref<2xi32>) {
    %h = memref.alloc() : memref<8xi32>
    affine.for %o = 0 to 8 {
      %init = affine.load %b[%o floordiv 4] : memref<2xi32>
      %sum = affine.for %k = 0 to 8 iter_args(%acc = %init) -> (i32) {
        %a = affine.load %x[%k] : memref<8xi8>
        %c = affine.load %w[%o * 8 + %k] : memref<64xi8>
        %a32 = arith.extsi %a : i8 to i32
        %c32 = arith.extsi %c : i8 to i32
        %p = arith.muli %a32, %c32 : i32
        %next = arith.addi %acc, %p : i32
        affine.yield %next : i32
      }
      affine.store %sum, %h[%o] : memref<8xi32>
    }
    affine.for %i = 0 to 8 {
      %v = affine.load %h[%i] : memref<8xi32>
      affine.store %v, %y[%i] : memref<8xi32>
    }
    return
  }
}
""".replace("@WORDS@", ", ".join(map(str, range(64))))


def test_a_parameter_with_fewer_words_than_banks_is_copied_on_chip_not_banked() -> None:
    # b cannot be banked by 8 (it used to try a row width of 2 // 8 = 0 and divide by it): it is copied on chip once
    # and read there; w is banked by row as usual, one bank per output.
    metadata = ModelMetadata("few", (TensorSpec("x", (8,), "int8"),), (TensorSpec("y", (8,), "int32"),))
    out = stage_named("unroll-outputs", metadata, RtlOptions(unroll_outputs=8)).run(FEW_WORDS)
    assert 'name = "w_bank7"' in out and 'name = "b_bank' not in out
    assert "memref.alloc() : memref<2xi32>" in out
    assert "-> (i32, i32, i32, i32, i32, i32, i32, i32)" in out  # one reduction loop with eight accumulators
