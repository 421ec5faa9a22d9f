"""IR in, IR out: a reduction's accumulator moves from memory into the loop's iter_args."""

from __future__ import annotations

import re

from torch_mlir import ir

from backend.rtl.torch_side.scalar_replacement import scalar_replacement

# C[i] += A[i, k] over k: the k loop loads and stores C[i] every iteration.
REDUCE = """
func.func @main(%a: memref<2x3xi32>, %c: memref<2xi32>) {
  affine.for %i = 0 to 2 {
    affine.for %k = 0 to 3 {
      %x = affine.load %a[%i, %k] : memref<2x3xi32>
      %acc = affine.load %c[%i] : memref<2xi32>
      %sum = arith.addi %acc, %x : i32
      affine.store %sum, %c[%i] : memref<2xi32>
    }
  }
  return
}
"""


def replaced(text: str) -> tuple[int, str]:
    with ir.Context():
        module = ir.Module.parse(text)
        count = scalar_replacement(module)
        module.operation.verify()
        return count, str(module)


def test_accumulator_is_carried_by_the_loop() -> None:
    count, text = replaced(REDUCE)
    assert count == 1
    inner = text[text.index("affine.for %arg3"):]
    assert re.search(r"(%\d+) = affine.load %arg1\[%arg2\].*\n\s+(%\d+) = affine.for %arg3 = 0 to 3 iter_args\(%arg4 = \1\)",
                     text), "the load moved before the loop and seeds the accumulator"
    assert "affine.load %arg1" not in inner.split("affine.yield")[0], "no load of C inside the k loop"
    assert re.search(r"affine.yield %\d+ : i32\n\s+\}\n\s+affine.store %\d+, %arg1\[%arg2\]", text), "stored after"


def test_nothing_moves_when_the_loop_touches_the_memory_elsewhere() -> None:
    other = REDUCE.replace("      affine.store %sum, %c[%i] : memref<2xi32>\n",
                           "      affine.store %sum, %c[%i] : memref<2xi32>\n      affine.store %x, %c[%k] : memref<2xi32>\n")
    assert replaced(other)[0] == 0


def test_nested_reductions_reach_a_fixpoint() -> None:
    nested = REDUCE.replace("affine.for %k = 0 to 3 {", "affine.for %k = 0 to 3 {\n    affine.for %l = 0 to 2 {").replace(
        "    }\n  }\n  return", "    }\n    }\n  }\n  return")
    count, text = replaced(nested)
    assert count == 2
    assert text.count("iter_args") == 2


# acc[j] = max over i of a[i, j] (a reduction over dim 0): the reduction is the outer loop.
OUTER_REDUCTION = """
func.func @main(%a: memref<5x4xi32>, %acc: memref<4xi32>) {
  affine.for %i = 0 to 5 {
    affine.for %j = 0 to 4 {
      %x = affine.load %a[%i, %j] : memref<5x4xi32>
      %m = affine.load %acc[%j] : memref<4xi32>
      %r = arith.maxsi %x, %m : i32
      affine.store %r, %acc[%j] : memref<4xi32>
    }
  }
  return
}
"""


def test_reduction_over_the_outer_loop_is_interchanged_then_replaced() -> None:
    count, text = replaced(OUTER_REDUCTION)
    assert count == 1
    assert re.search(r"affine.for %arg2 = 0 to 4 \{\n\s+%\d+ = affine.load %arg1\[%arg2\]", text), "j is outer now"
    assert re.search(r"affine.for %arg3 = 0 to 5 iter_args", text), "i carries the accumulator"
    assert "affine.load %arg0[%arg3, %arg2]" in text


def test_no_interchange_when_an_element_is_written_at_addresses_of_both_loops() -> None:
    skewed = OUTER_REDUCTION.replace("%acc[%j]", "%acc[%i + %j]").replace("memref<4xi32>", "memref<9xi32>")
    count, text = replaced(skewed)
    assert count == 0 and re.search(r"affine.for %arg2 = 0 to 5", text)
