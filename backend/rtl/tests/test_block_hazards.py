"""IR in, IR out: straight-line accesses to one memory that must stay in order end up in blocks of their own."""

from __future__ import annotations

import re

from backend.rtl.circt_side.split_memory_hazards import split_memory_hazards
from backend.rtl.tests.test_pipelining import ELEMENTWISE, rewrite

# store, load of what was stored, store again, and a load of another memory: one block.
STRAIGHT = """
func.func @main(%a: memref<1xi32>, %b: memref<1xi32>, %out: memref<1xi32>) {
  %c0 = arith.constant 0 : index
  %x = memref.load %a[%c0] : memref<1xi32>
  %y = memref.load %b[%c0] : memref<1xi32>
  memref.store %x, %out[%c0] : memref<1xi32>
  %z = memref.load %out[%c0] : memref<1xi32>
  %w = arith.addi %z, %y : i32
  memref.store %w, %out[%c0] : memref<1xi32>
  %v = memref.load %a[%c0] : memref<1xi32>
  return
}
"""


def blocks(text: str) -> list[str]:
    """The function's blocks, in order, split at their labels (`^bb1:`)."""
    return re.split(r"\n\s*\^bb\d+:", text.split("{", 1)[1])


def test_read_after_write_and_write_after_read_are_split() -> None:
    count, text = rewrite(STRAIGHT, split_memory_hazards)
    assert count == 2
    parts = blocks(text)
    assert len(parts) == 3
    assert "memref.store %0, %arg2" in parts[0] and "memref.load %arg2" not in parts[0]
    assert "memref.load %arg2" in parts[1] and "memref.store" not in parts[1]  # the load waits for the store
    assert "memref.store" in parts[2]  # the second store waits for the load
    assert "memref.load %arg0" in parts[2]  # loads of a memory nobody stores are not hazards


def test_loop_bodies_are_left_alone() -> None:
    count, _ = rewrite(ELEMENTWISE, split_memory_hazards)
    assert count == 0
