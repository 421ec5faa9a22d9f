"""The fuse-epilogues pass: a layer whose outputs are all side by side applies its epilogue side by side too.

After `unroll-outputs` takes every output of a reduction in one iteration (P = all of them), the layer is a
loop of one trip that ends storing its P sums into an on-chip memory, and the elementwise loop after it (the
bias, the requantisation, a cast) reads them back one per iteration: `for i: out[i] = f(sum[i], w[i])`. The
circuit runs the two one after the other, so the epilogue's P iterations follow the reduction's and the stage
costs their sum. Here the epilogue's body is copied once per sum, right after the reduction, with i the sum's
element: the sum is used as it is computed, each parameter the epilogue reads at i becomes its constant (the
weights are known), any other memory it reads is read at the element (a port per copy), and the P results go
to their memory together (`loop_deps` proves the stores never meet). The on-chip memory and the epilogue loop
go. FINN's thresholding per PE is the same design point. The copies run where the epilogue ran: after
everything the layer's one iteration does, in the epilogue's order.

Only an epilogue that is the next op to touch the memory, that runs over exactly its P elements, reads element
i of it and nothing else of it, writes no memory the reduction touches and has no loop inside is fused;
anything else stays as it was.
"""

from __future__ import annotations

from torch_mlir import ir

from backend.rtl.attributes import read_params
from backend.rtl.ir_walk import block_ops, owner_op
from backend.rtl.torch_side.banking import at_counter
from backend.rtl.torch_side.coalesce_loops import trip_count
from backend.rtl.torch_side.walk import nested_in, ops_named

_PLAIN = ("affine.load", "affine.store", "affine.apply", "affine.yield")


def fuse_epilogues(module: ir.Module, num_inputs: int, num_outputs: int) -> int:
    """Fuse every eligible epilogue into its reduction (module docstring); returns how many were fused."""
    params = read_params(module, ir)
    fused = 0
    for func in (op for op in block_ops(module.body) if op.name == "func.func"):
        arguments = func.regions[0].blocks[0].arguments
        values = {hash(arguments[num_inputs + num_outputs + k]): param.values for k, param in enumerate(params)}
        for block in func.regions[0].blocks:
            for layer in [op for op in block_ops(block) if op.name == "affine.for" and trip_count(op) == 1]:
                fused += _fuse(layer, values)
    return fused


def _fuse(layer: ir.Operation, params: dict[int, tuple[int, ...]]) -> bool:
    body = layer.regions[0].blocks[0]
    iv = body.arguments[0]
    sums = [op for op in block_ops(body) if op.name == "affine.store" and _on_chip(op.operands[1])]
    memories = {hash(op.operands[1]) for op in sums}
    if len(memories) != 1:
        return False
    memory = sums[0].operands[1]
    elements = [_element(store, iv) for store in sums]
    size = ir.MemRefType(memory.type).shape
    if len(size) != 1 or sorted(e for e in elements if e is not None) != list(range(size[0])):
        return False
    epilogue = _epilogue(layer, memory, sums, params)
    if epilogue is None:
        return False
    ops = block_ops(layer.block)
    for between in ops[ops.index(layer) + 1:ops.index(epilogue)]:
        between.move_before(layer)  # plain arithmetic the copies may read
    point = ir.InsertionPoint(block_ops(body)[-1])
    with layer.context, layer.location:
        for element, store in sorted(zip(elements, sums), key=lambda pair: pair[0]):  # the epilogue's order
            _copy_body(epilogue, memory, store.operands[0], element, params, point)
            store.erase()
    epilogue.erase()
    owner_op(memory.owner).erase()
    return True


def _on_chip(memory: ir.Value) -> bool:
    return not isinstance(memory.owner, ir.Block) and owner_op(memory.owner).name == "memref.alloc"


def _element(access: ir.Operation, iv: ir.Value) -> int | None:
    """The one index an access of a one-dimensional memory reaches in a loop of one trip (its counter 0)."""
    first = 1 if access.name == "affine.load" else 2
    return _evaluate(access, list(access.operands)[first:], {hash(iv): 0})


def _evaluate(access: ir.Operation, indices: list[ir.Value], known: dict[int, int]) -> int | None:
    """The row-major offset `access` reaches when its index operands hold `known` values (or are constants)."""
    at = []
    for value in indices:
        if hash(value) in known:
            at.append(known[hash(value)])
        elif not isinstance(value.owner, ir.Block) and owner_op(value.owner).name == "arith.constant":
            at.append(ir.IntegerAttr(owner_op(value.owner).attributes["value"]).value)
        else:
            return None
    address = ir.AffineMapAttr(access.attributes["map"]).value
    constants = ir.AffineMap.get(0, 0, [ir.AffineConstantExpr.get(v) for v in at])
    offset = 0
    for extent, expr in zip(ir.MemRefType(access.operands[0 if access.name == "affine.load" else 1].type).shape,
                            address.results):
        offset = offset * extent + ir.AffineConstantExpr(expr.compose(constants)).value
    return offset


def _epilogue(layer: ir.Operation, memory: ir.Value, sums: list[ir.Operation],
              params: dict[int, tuple[int, ...]]) -> ir.Operation | None:
    """The loop after `layer` that reads the sums back, when it may be fused (module docstring); else None."""
    users = [owner_op(use.owner) for use in memory.uses]
    ops = block_ops(layer.block)
    later = ops[ops.index(layer) + 1:]
    touching = [op for op in later if any(user == op or nested_in(user, op) for user in users)]
    if not touching or touching[0].name != "affine.for" or trip_count(touching[0]) != len(sums):
        return None
    epilogue = touching[0]
    if any(op.regions or op.name.startswith("memref.") for op in later[:later.index(epilogue)]):
        return None  # something between them could touch what the fused copies read or write
    body = epilogue.regions[0].blocks[0]
    iv = body.arguments[0]
    inner = block_ops(body)
    if list(epilogue.results) or list(epilogue.operands) or any(
            op.regions or not (op.name in _PLAIN or op.name.startswith("arith.")) for op in inner):
        return None
    if sum(1 for user in users if user not in sums) != sum(1 for op in inner if op.name == "affine.load"
                                                             and hash(op.operands[0]) == hash(memory)):
        return None  # the memory is read somewhere else too
    touched = {hash(op.operands[0 if op.name == "affine.load" else 1])
               for op in ops_named(layer, "affine.load") + ops_named(layer, "affine.store")}
    for op in inner:
        if op.name == "affine.load" and hash(op.operands[0]) == hash(memory):
            if not at_counter(op, iv):
                return None
        elif op.name == "affine.store" and hash(op.operands[1]) in touched | {hash(memory)}:
            return None
    return epilogue


def _copy_body(epilogue: ir.Operation, memory: ir.Value, total: ir.Value, element: int,
               params: dict[int, tuple[int, ...]], point: ir.InsertionPoint) -> None:
    """The epilogue's body at `point` for `element`: the sum `total` for its load, constants for parameters."""
    body = epilogue.regions[0].blocks[0]
    iv = body.arguments[0]
    index = ir.Operation.create("arith.constant", results=[iv.type],
                                attributes={"value": ir.IntegerAttr.get(iv.type, element)}, ip=point).results[0]
    mapping: dict[int, ir.Value] = {hash(iv): index}
    for op in block_ops(body)[:-1]:
        if op.name == "affine.load" and hash(op.operands[0]) == hash(memory):
            mapping[hash(op.results[0])] = total
            continue
        word = _parameter_word(op, iv, element, params)
        if word is not None:
            mapping[hash(op.results[0])] = ir.Operation.create(
                "arith.constant", results=[op.results[0].type],
                attributes={"value": ir.IntegerAttr.get(op.results[0].type, word)}, ip=point).results[0]
            continue
        copy = op.clone(point)
        for k, operand in enumerate(copy.operands):
            if hash(operand) in mapping:
                copy.operands[k] = mapping[hash(operand)]
        for old, new in zip(op.results, copy.results):
            mapping[hash(old)] = new


def _parameter_word(load: ir.Operation, iv: ir.Value, element: int, params: dict[int, tuple[int, ...]]) -> int | None:
    """The integer a load of a parameter reads in the copy for `element` (the weights are known); None for any
    other op, which is copied."""
    if load.name != "affine.load" or hash(load.operands[0]) not in params or not isinstance(load.results[0].type,
                                                                                          ir.IntegerType):
        return None
    offset = _evaluate(load, list(load.operands)[1:], {hash(iv): element})
    return None if offset is None else params[hash(load.operands[0])][offset]
