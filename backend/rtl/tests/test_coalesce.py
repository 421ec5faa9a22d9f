"""IR in, IR out: loop pairs coalesced only where every address stays division-free."""

from __future__ import annotations

import re

from torch_mlir import ir

from backend.rtl.torch_side.coalesce_loops import coalesce_loops, linearize_memories

COPY = """
func.func @main(%a: memref<1x3x5xi32>, %b: memref<1x3x5xi32>) {
  affine.for %n = 0 to 1 {
    affine.for %i = 0 to 3 {
      affine.for %j = 0 to 5 {
        %v = affine.load %a[%n, %i, %j] : memref<1x3x5xi32>
        affine.store %v, %b[%n, %i, %j] : memref<1x3x5xi32>
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
    assert loops(text) == ["15"]
    assert re.search(r"affine.load %arg0\[%arg2\] : memref<15xi32>", text)
    assert not re.search(r"floordiv|\bmod\b", text)


def test_transpose_keeps_its_loops() -> None:
    text = coalesce_loops(COPY.replace("affine.store %v, %b[%n, %i, %j]", "affine.store %v, %b[%n, %j, %i]"))
    assert loops(text) == ["3", "5"]  # the batch loop of one iteration is gone, no divider was built
    assert not re.search(r"floordiv|\bmod\b", text)


def test_broadcast_keeps_its_loops() -> None:
    program = COPY.replace("%v = affine.load %a[%n, %i, %j] : memref<1x3x5xi32>", "%v = affine.load %r[%i] : memref<3xi32>")
    program = program.replace("%a: memref<1x3x5xi32>", "%r: memref<3xi32>")
    assert loops(coalesce_loops(program)) == ["3", "5"]


def test_power_of_two_transpose_coalesces_with_shifts_and_masks_only() -> None:
    square = COPY.replace("memref<1x3x5xi32>", "memref<1x4x4xi32>").replace("0 to 3 {", "0 to 4 {").replace("0 to 5 {", "0 to 4 {")
    assert "0 to 3" not in square and "0 to 5" not in square
    text = coalesce_loops(square.replace("affine.store %v, %b[%n, %i, %j]", "affine.store %v, %b[%n, %j, %i]"))
    assert loops(text) == ["16"]
    assert set(re.findall(r"(?:floordiv|mod) (\d+)", text)) == {"4"}


def test_accesses_through_views_address_the_memory_itself() -> None:
    viewed = """
func.func @main(%a: memref<2x2xi32>, %b: memref<3x4xi32>) {
  %flat = memref.collapse_shape %a [[0, 1]] : memref<2x2xi32> into memref<4xi32>
  %row = memref.subview %b[1, 0] [1, 4] [1, 1] : memref<3x4xi32> to memref<4xi32, strided<[1], offset: 4>>
  affine.for %i = 0 to 4 {
    %v = affine.load %flat[%i] : memref<4xi32>
    affine.store %v, %row[%i] : memref<4xi32, strided<[1], offset: 4>>
  }
  return
}
"""
    with ir.Context():
        module = ir.Module.parse(viewed)
        assert linearize_memories(module) == 2
        module.operation.verify()
        text = str(module)
    assert "subview" not in text and "collapse_shape" not in text
    assert re.search(r"affine.load %arg0\[%arg2\] : memref<4xi32>", text)
    assert re.search(r"affine.store %\d+, %arg1\[%arg2 \+ 4\] : memref<12xi32>", text)


def test_a_memory_used_by_another_op_is_left_to_the_cf_level() -> None:
    copied = """
func.func @main(%a: memref<2x2xi32>, %b: memref<2x2xi32>) {
  memref.copy %a, %b : memref<2x2xi32> to memref<2x2xi32>
  return
}
"""
    with ir.Context():
        module = ir.Module.parse(copied)
        assert linearize_memories(module) == 0


def test_reduction_loops_coalesce_with_their_accumulator() -> None:
    """conv's kh x kw window: two reduction loops carrying one accumulator become one loop of 9."""
    window = """
func.func @main(%w: memref<9xi32>) -> i32 {
  %zero = arith.constant 0 : i32
  %r = affine.for %kh = 0 to 3 iter_args(%a = %zero) -> (i32) {
    %s = affine.for %kw = 0 to 3 iter_args(%b = %a) -> (i32) {
      %v = affine.load %w[%kh * 3 + %kw] : memref<9xi32>
      %n = arith.addi %b, %v : i32
      affine.yield %n : i32
    }
    affine.yield %s : i32
  }
  return %r : i32
}
"""
    text = coalesce_loops(window)
    assert loops(text) == ["9"]
    assert re.search(r"affine.for %arg1 = 0 to 9 iter_args\(%arg2 = %c0_i32\) -> \(i32\)", text)
    assert re.search(r"affine.load %arg0\[%arg1\]", text)
