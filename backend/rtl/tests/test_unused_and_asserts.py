"""IR in, IR out: memories the circuit never touches are dropped and recorded; assertions removed."""

from __future__ import annotations

from torch_mlir import ir

from backend.rtl.torch_side.integer_ops import drop_assertions
from backend.rtl.attributes import UNUSED_ATTR
from backend.rtl.torch_side.drop_unused_memories import drop_unused_memories

UNUSED = """
func.func @main(%x: memref<4xi32>, %y: memref<4xi32>, %out: memref<4xi32>) {
  %c0 = arith.constant 0 : index
  %v = memref.load %y[%c0] : memref<4xi32>
  memref.store %v, %out[%c0] : memref<4xi32>
  return
}
"""


def test_unused_memory_argument_is_dropped_and_its_position_recorded() -> None:
    with ir.Context():
        module = ir.Module.parse(UNUSED)
        assert drop_unused_memories(module) == [0]
        module.operation.verify()
        text = str(module)
    assert "func.func @main(%arg0: memref<4xi32>, %arg1: memref<4xi32>)" in text
    assert f"{UNUSED_ATTR} = array<i64: 0>" in text


def test_all_used_leaves_the_module_unchanged() -> None:
    with ir.Context():
        module = ir.Module.parse(UNUSED.replace("%v = memref.load %y", "%u = memref.load %x[%c0] : memref<4xi32>\n  %v = memref.load %y"))
        before = str(module)
        assert drop_unused_memories(module) == []
        assert str(module) == before


def test_assertions_are_removed() -> None:
    text = "func.func @f(%b: i1) {\n  cf.assert %b, \"index must be smaller than dim size\"\n  return\n}"
    with ir.Context():
        module = ir.Module.parse(text)
        drop_assertions(module)
        module.operation.verify()
        assert "cf.assert" not in str(module)
