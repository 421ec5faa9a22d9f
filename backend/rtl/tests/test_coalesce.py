"""IR in, IR out: loop pairs coalesced only where every address stays division-free."""

from __future__ import annotations

import re

from torch_mlir import ir

from backend.rtl.coalesce import coalesce_loops, linearize_plain_memories

COPY = """
func.func @main(%a: memref<1x4x4xi32>, %b: memref<1x4x4xi32>) {
  affine.for %n = 0 to 1 {
    affine.for %i = 0 to 4 {
      affine.for %j = 0 to 4 {
        %v = affine.load %a[%n, %i, %j] : memref<1x4x4xi32>
        affine.store %v, %b[%n, %i, %j] : memref<1x4x4xi32>
      }
    }
  }
  return
}
"""


def loops(text: str) -> list[str]:
    return re.findall(r"affine.for %\w+ = 0 to (\d+)", text)


def test_contiguous_nest_becomes_one_loop_with_a_plain_index() -> None:
    text = coalesce_loops(COPY)
    assert loops(text) == ["16"]
    assert re.search(r"affine.load %arg0\[%arg2\] : memref<16xi32>", text)
    assert not re.search(r"floordiv|\bmod\b", text)


def test_transpose_keeps_its_loops() -> None:
    text = coalesce_loops(COPY.replace("affine.store %v, %b[%n, %i, %j]", "affine.store %v, %b[%n, %j, %i]"))
    assert loops(text) == ["4", "4"]  # the batch loop of one iteration is gone, no divider was built
    assert not re.search(r"floordiv|\bmod\b", text)


def test_broadcast_keeps_its_loops() -> None:
    program = COPY.replace("%v = affine.load %a[%n, %i, %j] : memref<1x4x4xi32>", "%v = affine.load %r[%i] : memref<4xi32>")
    program = program.replace("%a: memref<1x4x4xi32>", "%r: memref<4xi32>")
    assert loops(coalesce_loops(program)) == ["4", "4"]


def test_memories_seen_through_views_are_left_to_the_cf_level() -> None:
    viewed = """
func.func @main(%a: memref<2x2xi32>, %b: memref<4xi32>) {
  %flat = memref.collapse_shape %a [[0, 1]] : memref<2x2xi32> into memref<4xi32>
  affine.for %i = 0 to 4 {
    %v = affine.load %flat[%i] : memref<4xi32>
    affine.store %v, %b[%i] : memref<4xi32>
  }
  return
}
"""
    with ir.Context():
        module = ir.Module.parse(viewed)
        assert linearize_plain_memories(module) == 0
        assert "memref<2x2xi32>" in str(module)
