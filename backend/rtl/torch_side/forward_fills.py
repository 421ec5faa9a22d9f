"""The forward-fills pass: a reduction starts from the fill's constant, not from a memory the fill loop wrote.

linalg initialises a matmul's or a convolution's output with `linalg.fill` and
then accumulates into it; after scalar replacement that is a loop storing a
constant into every element of an internal memory, then a nest whose iteration
i loads element i as the accumulator's start and stores the sum back to it.
The circuit runs the two loops one after the other, so the fill costs its trip
count and a nest's start-up. When the next nest to touch the memory runs over
the same range, reads element i (at its iteration variable, before anything
else in it touches the memory) and writes it back, every element the fill
wrote is read once, by that load, and then overwritten: the load becomes the
constant and the fill loop goes.
"""

from __future__ import annotations

from torch_mlir import ir

from backend.rtl.ir_walk import block_ops, owner_op
from backend.rtl.torch_side.banking import at_counter
from backend.rtl.torch_side.coalesce_loops import trip_count
from backend.rtl.torch_side.walk import ACCESSES, nested_in, plain_memory


def forward_fills(module: ir.Module) -> int:
    """Forward every eligible fill into the nest after it; returns how many fill loops went."""
    forwarded = 0
    for func in (op for op in block_ops(module.body) if op.name == "func.func"):
        for block in func.regions[0].blocks:
            for fill in [op for op in block_ops(block) if op.name == "affine.for"]:
                forwarded += _forward(fill)
    return forwarded


def _forward(fill: ir.Operation) -> bool:
    store = _constant_fill(fill)
    if store is None:
        return False
    memory, value = store.operands[1], store.operands[0]
    if not plain_memory(memory):
        return False  # a view or another op could read the filled words some other way
    users = [owner_op(use.owner) for use in memory.uses]
    consumer = _next_nest(fill, users)
    if consumer is None or trip_count(consumer) != trip_count(fill):
        return False
    body = consumer.regions[0].blocks[0]
    iv = body.arguments[0]
    inside = [op for op in block_ops(body) if _touches(op, users)]
    loads = [op for op in inside if op.name == "affine.load"]
    if (not inside or inside[0].name != "affine.load" or len(loads) != 1 or len(inside) < 2
            or not all(op.name in ACCESSES and at_counter(op, iv) for op in inside)):
        return False  # element i read once, first, then written: nothing else of the memory in the nest
    loads[0].results[0].replace_all_uses_with(value)
    loads[0].erase()
    fill.erase()
    return True


def _constant_fill(fill: ir.Operation) -> ir.Operation | None:
    """The store of a loop `for i in 0..N: memory[i] = c` (c defined outside, memory on chip), else None."""
    ops = block_ops(fill.regions[0].blocks[0])
    if len(ops) != 2 or ops[0].name != "affine.store" or trip_count(fill) is None or list(fill.results):
        return None
    store = ops[0]
    memory, value = store.operands[1], store.operands[0]
    if isinstance(memory.owner, ir.Block) or owner_op(memory.owner).name != "memref.alloc":
        return None
    if isinstance(value.owner, ir.Block) or owner_op(value.owner).name != "arith.constant":
        return None
    return store if at_counter(store, fill.regions[0].blocks[0].arguments[0]) else None


def _next_nest(fill: ir.Operation, users: list[ir.Operation]) -> ir.Operation | None:
    """The op after `fill` in its block that is the next to touch the memory: an affine.for holding the first use."""
    after = False
    for op in block_ops(fill.block):
        if op == fill:
            after = True
            continue
        if after and _touches(op, users):
            return op if op.name == "affine.for" else None
    return None


def _touches(op: ir.Operation, users: list[ir.Operation]) -> bool:
    """Whether `op` is one of the memory's users or holds one."""
    return any(user == op or nested_in(user, op) for user in users)
