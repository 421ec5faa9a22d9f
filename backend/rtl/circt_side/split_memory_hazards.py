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
then in blocks one after the other, ordered like any two blocks. Two accesses
whose addresses are one base plus different constants never meet and need no
order: the P stores of an output loop unrolled whole (`unroll-outputs` on a loop
of one trip, which the canonicalizer then folds away) all go at once, instead of
one block, two cycles, each. Loop bodies are left alone (the completion carrier
and `loop_deps` reason about their accesses).
"""

from __future__ import annotations

from pycde.circt import ir

from backend.rtl.circt_side.loop_deps import ACCESSES, Cfg, linear
from backend.rtl.ir_walk import block_ops


def split_memory_hazards(module: ir.Module) -> int:
    """Split every function's blocks outside loops at their hazards; returns the splits made."""
    return sum(_split_function(op) for op in block_ops(module.body) if op.name == "func.func")


def _split_function(func: ir.Operation) -> int:
    blocks = list(func.regions[0].blocks)
    cfg = Cfg.of(blocks)
    in_loop = cfg.in_loops() if len(blocks) > 1 else set()
    splits = 0
    for index, block in enumerate(blocks):
        if index in in_loop:
            continue
        while (hazard := _first_hazard(cfg, block)) is not None:
            block = _split_before(block, hazard)
            splits += 1
    return splits


def _first_hazard(cfg: Cfg, block: ir.Block) -> ir.Operation | None:
    """The first access that must wait for an earlier access of the block to the same memory."""
    seen: dict[int, list[tuple[bool, dict[int, int] | None]]] = {}  # memory -> (store?, address) of its accesses
    for op in block_ops(block):
        if op.name not in ACCESSES:
            continue
        position = ACCESSES[op.name]
        store = op.name == "memref.store"
        address = linear(cfg, op.operands[position + 1]) if len(op.operands) == position + 2 else None
        earlier = seen.setdefault(hash(op.operands[position]), [])
        if any((store or stored) and _may_meet(address, other) for stored, other in earlier):
            return op
        earlier.append((store, address))
    return None


def _may_meet(a: dict[int, int] | None, b: dict[int, int] | None) -> bool:
    """Whether two addresses may be one: unless both are the same base plus different constants."""
    if a is None or b is None:
        return True
    base = {key: c for key, c in a.items() if key != 0 and c != 0}
    if base != {key: c for key, c in b.items() if key != 0 and c != 0}:
        return True
    return a.get(0, 0) == b.get(0, 0)


def _split_before(block: ir.Block, op: ir.Operation) -> ir.Block:
    """Move `op` and everything after it into a new block that `block` branches to; return the new block."""
    tail = block_ops(block)[block_ops(block).index(op):]
    after = block.create_after()
    for moved in tail:
        after.append(moved)
    ir.Operation.create("cf.br", successors=[after], ip=ir.InsertionPoint(block), loc=ir.Location.unknown())
    return after
