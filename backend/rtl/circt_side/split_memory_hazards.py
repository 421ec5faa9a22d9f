"""The split-memory-hazards pass: a block boundary between two accesses to one memory that must stay in order, outside loops.

`lower-cf-to-handshake` orders memory accesses block by block (a block's control
waits for the previous block's done tokens), never inside a block: there, a load
and a store of the same memory race. Loop nests keep one access per memory and
block in practice, but straight-line code does not: when every loop of a program
has one iteration (tensors of one element, found by the fuzzer) the canonicalizer
folds the loops away, and bufferization's reused buffers then see a store, a
load of what it stored, and another store, all in one block. The circuit read
before the store landed, or after the next one.

Before the handshake lowering, each block is split in front of an access that
follows a store to the same memory, or that stores after an access to it: a read
after a write, a write after a read or a write. The accesses are then in blocks
one after the other, ordered like any two blocks. Two accesses whose addresses
are one base plus different constants never meet and need no order: the P stores
of an output loop unrolled whole (`unroll-outputs` on a loop of one trip, which
the canonicalizer then folds away) all go at once, instead of one block, two
cycles, each. Inside a loop body, a store computed from an earlier load of the
same block is ordered after it already (it waits for the loaded data: an
accumulator's `m[i] = m[i] + x`), so only the other hazards split there: a swap
`t = m[i]; m[i] = m[j]; m[j] = t`, whose store to m[i] needs nothing from m[i]'s
load, raced it.
"""

from __future__ import annotations

from pycde.circt import ir

from backend.rtl.circt_side.loop_deps import ACCESSES, Cfg, linear
from backend.rtl.ir_walk import block_ops, owner_op, producer_name


def split_memory_hazards(module: ir.Module) -> int:
    """Split every function's blocks at their hazards; returns the splits made."""
    return sum(_split_function(op) for op in block_ops(module.body) if op.name == "func.func")


def _split_function(func: ir.Operation) -> int:
    blocks = list(func.regions[0].blocks)
    cfg = Cfg.of(blocks)
    in_loop = cfg.in_loops() if len(blocks) > 1 else set()
    splits = 0
    for index, block in enumerate(blocks):
        while (hazard := _first_hazard(cfg, block, index in in_loop)) is not None:
            block = _split_before(block, hazard)
            splits += 1
    return splits


def _first_hazard(cfg: Cfg, block: ir.Block, in_loop: bool) -> ir.Operation | None:
    """The first access that must wait for an earlier access of the block to the same memory."""
    seen: dict[int, list[tuple[ir.Operation, dict[int, int] | None]]] = {}  # memory -> its accesses and addresses
    for op in block_ops(block):
        if op.name not in ACCESSES:
            continue
        position = ACCESSES[op.name]
        store = op.name == "memref.store"
        address = linear(cfg, op.operands[position + 1]) if len(op.operands) == position + 2 else None
        earlier = seen.setdefault(hash(op.operands[position]), [])
        for other, other_address in earlier:
            ordered = in_loop and store and other.name == "memref.load" and _computed_from(op, other, block)
            if (store or other.name == "memref.store") and _may_meet(address, other_address) and not ordered:
                return op
        earlier.append((op, address))
    return None


def _computed_from(store: ir.Operation, load: ir.Operation, block: ir.Block) -> bool:
    """Whether the stored value is computed, within `block`, from what `load` read."""
    target, work, seen = hash(load.results[0]), [store.operands[0]], set()
    while work:
        value = work.pop()
        if hash(value) == target:
            return True
        if hash(value) in seen or not producer_name(value) or owner_op(value.owner).block != block:
            continue
        seen.add(hash(value))
        work.extend(owner_op(value.owner).operands)
    return False


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
