"""Every op kind the torch side sends across must parse in CIRCT's MLIR and print again."""

from __future__ import annotations

import pytest

from backend.rtl.circt_side.context import circt_context, parse_in_circt
from backend.rtl.transport import transport

# One snippet per op family that lower-to-cf emits on the suite's models.
SNIPPETS = {
    "arith": """
func.func @main(%a: i32, %b: i32, %c: i8, %x: index) -> (i32, i64, i8, i1, index) {
  %0 = arith.addi %a, %b : i32
  %1 = arith.subi %0, %b : i32
  %2 = arith.muli %1, %a : i32
  %3 = arith.divsi %2, %b : i32
  %4 = arith.remsi %3, %b : i32
  %5 = arith.shli %4, %a : i32
  %6 = arith.shrsi %5, %a : i32
  %7 = arith.andi %6, %a : i32
  %8 = arith.xori %7, %a : i32
  %9 = arith.maxsi %8, %a : i32
  %10 = arith.cmpi slt, %9, %b : i32
  %11 = arith.select %10, %9, %b : i32
  %12 = arith.extsi %11 : i32 to i64
  %13 = arith.trunci %12 : i64 to i8
  %14 = arith.addi %13, %c : i8
  %15 = arith.index_cast %11 : i32 to index
  %c1 = arith.constant 1 : index
  %16 = arith.addi %15, %c1 : index
  return %11, %12, %14, %10, %16 : i32, i64, i8, i1, index
}""",
    "memref": """
memref.global "private" constant @w : memref<3xi32> = dense<[1, 2, 3]> {alignment = 64 : i64}
func.func @main(%arg0: memref<3xi32>, %arg1: memref<3xi32>) {
  %c0 = arith.constant 0 : index
  %g = memref.get_global @w : memref<3xi32>
  %buf = memref.alloc() {alignment = 64 : i64} : memref<3xi32>
  %v = memref.load %arg0[%c0] : memref<3xi32>
  %w = memref.load %g[%c0] : memref<3xi32>
  memref.store %v, %buf[%c0] : memref<3xi32>
  %s = arith.addi %v, %w : i32
  memref.store %s, %arg1[%c0] : memref<3xi32>
  return
}""",
    "cf-func": """
func.func private @helper(%x: index) -> index {
  return %x : index
}
func.func @main(%n: index) -> index {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  cf.br ^loop(%c0 : index)
^loop(%i: index):
  %lt = arith.cmpi slt, %i, %n : index
  cf.cond_br %lt, ^body, ^exit
^body:
  %next = func.call @helper(%i) : (index) -> index
  %j = arith.addi %next, %c1 : index
  cf.br ^loop(%j : index)
^exit:
  return %i : index
}""",
}

OPS = {
    "arith": ["arith.addi", "arith.divsi", "arith.remsi", "arith.shli", "arith.shrsi", "arith.cmpi",
              "arith.select", "arith.extsi", "arith.trunci", "arith.maxsi", "arith.index_cast", "arith.constant"],
    "memref": ["memref.global", "memref.get_global", "memref.alloc", "memref.load", "memref.store"],
    "cf-func": ["cf.br", "cf.cond_br", "func.func", "func.call", "func.return"],
}


@pytest.mark.parametrize("kind", sorted(SNIPPETS))
def test_snippet_crosses_and_reprints(kind: str) -> None:
    crossed = transport(f"module {{{SNIPPETS[kind]}\n}}")
    for op in OPS[kind]:
        assert f'"{op}"' in crossed, op
    context = circt_context()
    again = parse_in_circt(crossed, context)
    with context:
        assert again.operation.verify()
        assert str(again).count("\n") > 3


def test_memref_dialect_is_loaded_without_unregistered_ops() -> None:
    context = circt_context()
    assert not context.allow_unregistered_dialects
    assert context.is_registered_operation("memref.load")
    assert context.is_registered_operation("handshake.func")


def test_transport_of_a_lowered_model_keeps_every_op() -> None:
    from backend.rtl.tests.models import linear_model
    from common.stages import run_stages
    from torch_circt.flow import rtl_stages
    from torch_circt.options import RtlOptions

    mlir, metadata, _ = linear_model()
    stages = rtl_stages(metadata, RtlOptions())
    names = [s.name for s in stages]
    lowered = run_stages(stages[: names.index("transport")], mlir, group="rtl")
    crossed = transport(lowered)
    for op in ("memref.load", "memref.store", "memref.alloc", "cf.cond_br", "arith.muli", "arith.extsi"):
        assert op in lowered and f'"{op}"' in crossed
