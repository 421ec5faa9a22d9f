"""Demanded bits: how many low bits of each integer value anything downstream reads.

Value ranges bound a value from below (what it can be); this bounds it from
above (what is used of it). PyTorch's int32 matmul accumulates in i64 in the
IR torch-mlir emits and then truncates to i32, and int32 arithmetic wraps: the
range of such an accumulator is its whole type, but only its low 32 bits ever
reach a result. Since the low k bits of a sum, difference, product, bitwise op
or left shift depend only on the low k bits of its operands, those ops and the
values they read need only k bits, and `narrow-widths` computes them in k.

Rules, on a cf function, by each use of a value:
- modular ops (add, sub, mul, and, or, xor) and a select's or a shift left's
  data: as many bits as their result demands;
- a truncation to k bits: at most k; an extension: what its result demands;
- a block argument's incoming value: what the argument demands;
- a store to an internal memory (`memref.alloc`): what the memory's loads
  demand; a load: the same for its memory;
- anything else (compares, shifts right, division, min/max, a shift amount, an
  address, a store to an argument memory, an unknown op): every bit of its type.
"""

from __future__ import annotations

from pycde.circt import ir

from backend.rtl.circt_side.loop_deps import successor_arguments
from backend.rtl.circt_side.value_ranges import integer_bits
from backend.rtl.ir_walk import block_ops

MODULAR = {"arith.addi", "arith.subi", "arith.muli", "arith.andi", "arith.ori", "arith.xori"}
EXTENSIONS = {"arith.extsi", "arith.extui"}


def demanded_bits(func: ir.Operation) -> tuple[dict[int, int], dict[int, int]]:
    """(bits demanded of each integer value, of each internal memory's words), by hash; a value no one reads
    demands 0. A fixed point from nothing demanded up: demand only grows, and is at most each type's width."""
    blocks = list(func.regions[0].blocks)
    ops = [op for block in blocks for op in block_ops(block)]
    allocs = {hash(op.results[0]) for op in ops if op.name == "memref.alloc"}
    values: dict[int, int] = {}
    memories: dict[int, int] = {}
    changed = True
    while changed:
        changed = False
        for op in ops:
            for position, operand in enumerate(op.operands):
                bits = integer_bits(operand.type)
                if bits is None:
                    continue
                wanted = min(bits, _demand(op, position, values, memories, allocs))
                if values.get(hash(operand), 0) < wanted:
                    values[hash(operand)] = wanted
                    changed = True
            if op.name == "memref.load" and hash(op.operands[0]) in allocs:
                wanted = values.get(hash(op.results[0]), 0)
                if memories.get(hash(op.operands[0]), 0) < wanted:
                    memories[hash(op.operands[0])] = wanted
                    changed = True
    return values, memories


def _demand(op: ir.Operation, position: int, values: dict[int, int], memories: dict[int, int], allocs: set[int]) -> int:
    """The bits `op` reads of its operand at `position`."""
    name = op.name
    everything = 1 << 30  # capped to the operand's width by the caller
    if op.results and integer_bits(op.results[0].type) is not None:
        result = values.get(hash(op.results[0]), 0)
    else:
        result = everything
    if name in MODULAR or name in EXTENSIONS:
        return result
    if name == "arith.trunci":
        return min(result, integer_bits(op.results[0].type))
    if name == "arith.select" and position > 0 or name == "arith.shli" and position == 0:
        return result
    if name == "memref.store" and position == 0:
        return memories.get(hash(op.operands[1]), 0) if hash(op.operands[1]) in allocs else everything
    if name in ("cf.br", "cf.cond_br"):
        argument = successor_arguments(op).get(position)
        return everything if argument is None else values.get(hash(argument), 0)
    return everything

