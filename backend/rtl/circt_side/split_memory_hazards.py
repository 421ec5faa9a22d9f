"""The split-memory-hazards pass: a block boundary between two accesses to one memory that must stay in order, outside loops.

`lower-cf-to-handshake` orders memory accesses block by block (a block's control
waits for the previous block's done tokens), never inside a block: there, a load
and a store of the same memory race. Loop nests keep one access per memory and
block in practice, but straight-line code does not: when every loop of a program
has one iteration (tensors of one element, found by the fuzzer) the canonicalizer
folds the loops away, and bufferization's reused buffers then see a store, a
load of what it stored, and another store, all in one block. The circuit read
before the store landed, or after the next one.

Before the handshake lowering, each block outside loops is split in front of an
access that follows a store to the same memory, or that stores after an access
to it: a read after a write, a write after a read or a write. The accesses are
then in blocks one after the other, ordered like any two blocks. Loop bodies are
left alone (the completion carrier and `loop_deps` reason about their accesses).
"""

from __future__ import annotations

from pycde.circt import ir

from backend.rtl.circt_side.loop_deps import ACCESSES, Cfg
from backend.rtl.ir_walk import block_ops


def split_memory_hazards(module: ir.Module) -> int:
    """Split every function's blocks outside loops at their hazards; returns the splits made."""
    return sum(_split_function(op) for op in block_ops(module.body) if op.name == "func.func")


def _split_function(func: ir.Operation) -> int:
    blocks = list(func.regions[0].blocks)
    in_loop = Cfg.of(blocks).in_loops() if len(blocks) > 1 else set()
    splits = 0
    for index, block in enumerate(blocks):
        if index in in_loop:
            continue
        while (hazard := _first_hazard(block)) is not None:
            block = _split_before(block, hazard)
            splits += 1
    return splits


def _first_hazard(block: ir.Block) -> ir.Operation | None:
    """The first access that must wait for an earlier access of the block to the same memory."""
    stored: dict[int, bool] = {}  # memory -> whether the block has stored to it so far
    for op in block_ops(block):
        if op.name not in ACCESSES:
            continue
        memory = hash(op.operands[ACCESSES[op.name]])
        store = op.name == "memref.store"
        if memory in stored and (store or stored[memory]):
            return op
        stored[memory] = stored.get(memory, False) or store
    return None


def _split_before(block: ir.Block, op: ir.Operation) -> ir.Block:
    """Move `op` and everything after it into a new block that `block` branches to; return the new block."""
    tail = block_ops(block)[block_ops(block).index(op):]
    after = block.create_after()
    for moved in tail:
        after.append(moved)
    ir.Operation.create("cf.br", successors=[after], ip=ir.InsertionPoint(block), loc=ir.Location.unknown())
    return after
