"""The scalar-replacement pass: a reduction's accumulator lives in the loop, not in memory.

linalg lowers `C[i, j] += A[i, k] * B[k, j]` to a k loop that loads and stores
C[i, j] every iteration. Each iteration then reads what the previous one
wrote, so the circuit must wait for every store to complete before the next
load (a memory round trip per iteration), and the loop nest cannot be proved
independent (`circt_side/loop_deps.py`). When a loop's body loads and later stores one
address that does not change in the loop, and nothing else in the loop touches
that memory, the load moves before the loop, the value becomes an `iter_args`
value and the store moves after the loop. Applied innermost first until
nothing changes, so conv's three nested reduction loops are all handled.
Upstream `affine-scalrep` forwards only within one iteration, and
`affine-loop-invariant-code-motion` does not move a load/store pair.
"""

from __future__ import annotations

import re

from torch_mlir import ir

from backend.rtl.ir_walk import block_ops, owner_op
from backend.rtl.torch_side.walk import ACCESSES, nested_in, ops_named, plain_memory


def scalar_replacement(module: ir.Module) -> int:
    """Rewrite every eligible load/store pair; returns how many loops gained an accumulator."""
    for loop in [owner_op(op) for op in ops_named(module, "affine.for")]:
        _reduction_innermost(loop)
    replaced = 0
    while any(_replace_in(owner_op(loop)) for loop in ops_named(module, "affine.for")):
        replaced += 1
    return replaced


def _replace_in(loop: ir.Operation) -> bool:
    body = loop.regions[0].blocks[0]
    ops = block_ops(body)
    for load in (op for op in ops if op.name == "affine.load"):
        memory, indices = load.operands[0], list(load.operands)[1:]
        if not plain_memory(memory) or any(_defined_in(index, loop) for index in indices):
            continue
        inside = [owner_op(use.owner) for use in memory.uses if nested_in(owner_op(use.owner), loop)]
        stores = [op for op in inside if op.name == "affine.store"]
        if len(inside) != 2 or len(stores) != 1:
            continue
        store = stores[0]
        if (store.block != body or not load.is_before_in_block(store) or list(store.operands)[2:] != indices
                or str(store.attributes["map"]) != str(load.attributes["map"])):
            continue
        _carry(loop, load, store)
        return True
    return False


def _reduction_innermost(outer: ir.Operation) -> bool:
    """Interchange a perfect pair whose outer loop is the reduction (sum or argmax over dim 0).

    Valid when every memory written in the pair is accessed at one address that
    depends on the inner induction variable and not on the outer one: iterations
    that touch the same element then share the inner variable, and each element
    still sees the outer loop's values in ascending order. Afterwards the address
    is invariant in the new inner loop, which scalar replacement needs.
    """
    ops = block_ops(outer.regions[0].blocks[0])
    if len(ops) != 2 or ops[0].name != "affine.for" or outer.results or ops[0].results:
        return False
    inner = ops[0]
    if any(len(list(loop.operands)) for loop in (outer, inner)):  # bounds must be constants
        return False
    outer_iv, inner_iv = outer.regions[0].blocks[0].arguments[0], inner.regions[0].blocks[0].arguments[0]
    body = block_ops(inner.regions[0].blocks[0])
    if not all(op.name in ACCESSES or op.name.startswith("arith.") or op.name in ("affine.yield", "affine.apply")
               for op in body):
        return False  # a nested loop or a call: not a plain pair
    accesses = [op for op in body if op.name in ACCESSES]
    if any(ir.AffineMapAttr(op.attributes["map"]).value.n_symbols for op in accesses):
        return False
    written = {hash(op.operands[1]) for op in accesses if op.name == "affine.store"}
    if not written:
        return False
    for memory in written:
        group = [op for op in accesses if hash(op.operands[ACCESSES.index(op.name)]) == memory]
        addresses = {(str(op.attributes["map"]), tuple(hash(v) for v in list(op.operands)[ACCESSES.index(op.name) + 1:]))
                     for op in group}
        if len(addresses) != 1 or not _uses(group[0], inner_iv) or _uses(group[0], outer_iv):
            return False
    for name in ("lowerBoundMap", "upperBoundMap", "step"):
        outer_value, inner_value = outer.attributes[name], inner.attributes[name]
        outer.attributes[name], inner.attributes[name] = inner_value, outer_value
    outer_uses, inner_uses = list(outer_iv.uses), list(inner_iv.uses)
    for use in outer_uses:
        owner_op(use.owner).operands[use.operand_number] = inner_iv
    for use in inner_uses:
        owner_op(use.owner).operands[use.operand_number] = outer_iv
    return True


def _uses(access: ir.Operation, iv: ir.Value) -> bool:
    """Whether the access's address depends on `iv`."""
    first = ACCESSES.index(access.name) + 1
    operands = list(access.operands)[first:]
    results = str(ir.AffineMapAttr(access.attributes["map"]).value).split("->")[1]
    return any(hash(v) == hash(iv) and re.search(rf"\bd{k}\b", results) for k, v in enumerate(operands))


def _carry(loop: ir.Operation, load: ir.Operation, store: ir.Operation) -> None:
    """loop { v = load M[x]; ...; store w, M[x] } -> v0 = load M[x]; r = loop iter_args(v = v0) {...; yield w}; store r, M[x]."""
    value_type = load.results[0].type
    initial = load.clone(ir.InsertionPoint(loop))
    old_body = loop.regions[0].blocks[0]
    sizes = [int(s) for s in ir.DenseI32ArrayAttr(loop.attributes["operandSegmentSizes"])]
    operands = list(loop.operands)
    attributes = {name: loop.attributes[name] for name in loop.attributes}
    attributes["operandSegmentSizes"] = ir.DenseI32ArrayAttr.get([sizes[0], sizes[1], sizes[2] + 1])
    with loop.location:
        new_loop = ir.Operation.create(
            "affine.for", results=[*(r.type for r in loop.results), value_type],
            operands=[*operands, initial.results[0]], attributes=attributes, regions=1, ip=ir.InsertionPoint(loop))
        old_arguments = list(old_body.arguments)
        body = ir.Block.create_at_start(new_loop.regions[0], [*(a.type for a in old_arguments), value_type],
                                        [loop.location] * (len(old_arguments) + 1))
    for old, new in zip(old_arguments, body.arguments):
        old.replace_all_uses_with(new)
    load.results[0].replace_all_uses_with(body.arguments[len(old_arguments)])
    stored = store.operands[0]
    for op in block_ops(old_body):
        body.append(op)
    yield_op = block_ops(body)[-1]
    with loop.location:
        ir.Operation.create("affine.yield", operands=[*yield_op.operands, stored], ip=ir.InsertionPoint(yield_op))
    yield_op.erase()
    for old, new in zip(loop.results, new_loop.results):
        old.replace_all_uses_with(new)
    after = store.clone(ir.InsertionPoint(loop))  # the old loop is right after the new one
    after.operands[0] = new_loop.results[len(loop.results)]
    store.erase()
    load.erase()
    loop.erase()


def _defined_in(value: ir.Value, loop: ir.Operation) -> bool:
    owner = value.owner
    if isinstance(owner, ir.Block):
        return owner_op(owner.owner) == loop or nested_in(owner_op(owner.owner), loop)
    return nested_in(owner_op(owner), loop)


