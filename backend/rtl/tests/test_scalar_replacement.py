"""IR in, IR out: a reduction's accumulator moves from memory into the loop's iter_args."""

from __future__ import annotations

import re

from torch_mlir import ir

from backend.rtl.scalar_replacement import replace_accumulators

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
        count = replace_accumulators(module)
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


def test_nothing_moves_when_the_address_changes_in_the_loop() -> None:
    varying = REDUCE.replace("%c[%i]", "%c[%k]").replace("memref<2xi32>", "memref<3xi32>")
    assert replaced(varying)[0] == 0


def test_nested_reductions_reach_a_fixpoint() -> None:
    nested = REDUCE.replace("affine.for %k = 0 to 3 {", "affine.for %k = 0 to 3 {\n    affine.for %l = 0 to 2 {").replace(
        "    }\n  }\n  return", "    }\n    }\n  }\n  return")
    count, text = replaced(nested)
    assert count == 2
    assert text.count("iter_args") == 2
