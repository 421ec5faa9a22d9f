"""The predicate-stores pass: a block of stores to addresses its predecessor loaded runs on both arms, its stores predicated.

tm_tensor.sort's bubble sort compares two neighbours and, only when they are out
of order, swaps them: a block of stores that one arm of a conditional branch
runs, inside the loop. Its dataflow circuit deadlocked (the cause inside CIRCT's
lowering was not found; this rewrite avoids it). Where every store of such a block
writes an on-chip memory (`memref.alloc`) at an address its predecessor has
loaded from, and the predecessor stores nothing, the block can run on both
arms: each store writes its own value on its arm and the value loaded, what the
memory already holds, on the other (`arith.select` on the branch's condition),
and so do the arguments passed on. The predecessor then branches to the block
unconditionally: a loop body of two blocks in a row, the loads ordered before the
stores as between any two blocks. Writes to the circuit's ports are never added.
"""

from __future__ import annotations

from pycde.circt import ir

from backend.rtl.ir_walk import block_ops, owner_op, producer_name

_PURE = ("arith.",)


def predicate_stores(module: ir.Module) -> int:
    """Run every such block of stores on both arms of its predecessor's branch; returns the blocks predicated."""
    predicated = 0
    for func in (op for op in block_ops(module.body) if op.name == "func.func"):
        while (found := _next_candidate(list(func.regions[0].blocks))) is not None:
            _predicate(*found)
            predicated += 1
    return predicated


def _next_candidate(blocks: list[ir.Block]) -> tuple[ir.Block, ir.Block, int, dict[int, ir.Value]] | None:
    """(predecessor, stores block, the branch's arm to it, stored address -> the value loaded there), the first found."""
    for block in blocks:
        branch = block_ops(block)[-1]
        if branch.name != "cf.cond_br":
            continue
        for arm, target in enumerate(branch.successors):
            other = branch.successors[1 - arm]
            if target == block or len(target.arguments) or len(list(target.predecessors)) != 1:
                continue
            loaded = _predicated_values(block, target, other)
            if loaded is not None:
                return block, target, arm, loaded
    return None


def _predicated_values(block: ir.Block, stores: ir.Block, other: ir.Block) -> dict[int, ir.Value] | None:
    """For each store of `stores`, the value `block` loaded from its address; None unless `stores` qualifies."""
    ops = block_ops(stores)
    if ops[-1].name != "cf.br" or ops[-1].successors[0] != other:
        return None
    if any(op.name == "memref.store" for op in block_ops(block)):
        return None
    loads = [op for op in block_ops(block) if op.name == "memref.load"]
    values: dict[int, ir.Value] = {}
    for op in ops[:-1]:
        if op.name == "memref.store":
            memory, address = op.operands[1], list(op.operands[2:])
            if producer_name(memory) != "memref.alloc":
                return None
            match = next((load for load in loads if load.operands[0] == memory
                          and len(load.operands) - 1 == len(address)
                          and all(_same(a, b) for a, b in zip(list(load.operands[1:]), address))), None)
            if match is None:
                return None
            values[hash(op)] = match.results[0]
        elif not op.name.startswith(_PURE) or op.regions:
            return None
    return values


def _same(a: ir.Value, b: ir.Value) -> bool:
    """Whether two values are one, or the same arith op of the same operands."""
    if a == b:
        return True
    name = producer_name(a)
    if not name.startswith(_PURE) or name != producer_name(b):
        return False
    left, right = owner_op(a.owner), owner_op(b.owner)
    return (_attributes(left) == _attributes(right) and len(left.operands) == len(right.operands)
            and all(_same(x, y) for x, y in zip(list(left.operands), list(right.operands))))


def _attributes(op: ir.Operation) -> dict[str, str]:
    return {name: str(op.attributes[name]) for name in op.attributes}


def _predicate(block: ir.Block, stores: ir.Block, arm: int, loaded: dict[int, ir.Value]) -> None:
    """`block` branches to `stores` always; the stores and the branch on from there choose by the old condition."""
    branch = block_ops(block)[-1]
    condition = branch.operands[0]
    sizes = [int(s) for s in ir.DenseI32ArrayAttr(branch.attributes["operandSegmentSizes"])]
    arms = [list(branch.operands[1:1 + sizes[1]]), list(branch.operands[1 + sizes[1]:])]
    jump = block_ops(stores)[-1]
    for op in block_ops(stores)[:-1]:
        if op.name == "memref.store":
            op.operands[0] = _select(condition, op.operands[0], loaded[hash(op)], arm, ir.InsertionPoint(op), op.location)
    passed = [_select(condition, mine, theirs, arm, ir.InsertionPoint(jump), jump.location) if mine != theirs else mine
              for mine, theirs in zip(list(jump.operands), arms[1 - arm])]
    ir.Operation.create("cf.br", operands=passed, successors=[jump.successors[0]], ip=ir.InsertionPoint(jump),
                        loc=jump.location)
    jump.erase()
    ir.Operation.create("cf.br", successors=[stores], ip=ir.InsertionPoint(branch), loc=branch.location)
    branch.erase()


def _select(condition: ir.Value, taken: ir.Value, otherwise: ir.Value, arm: int, ip: ir.InsertionPoint,
            location: ir.Location) -> ir.Value:
    """`taken` on the branch's arm `arm` (0: the true side), `otherwise` on the other."""
    true_value, false_value = (taken, otherwise) if arm == 0 else (otherwise, taken)
    return ir.Operation.create("arith.select", results=[true_value.type], operands=[condition, true_value, false_value],
                               ip=ip, loc=location).results[0]
