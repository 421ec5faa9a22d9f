"""Give every external memory at most one reader and one writer op.

`handshake-lower-extmem-to-hw` in this CIRCT build aborts ("Cannot destroy a
value that still has uses") on an external memory with two or more load ports,
which a model gets as soon as two linalg ops read the same input (x used twice,
a result buffer that a matmul accumulates into and a bias add reads again).
So, on bufferized IR, a function argument used by more than one op is swapped
for an internal buffer (`memref.alloc`, which becomes an on-chip
`handshake.memory`): inputs are copied in once at entry, results copied out once
before return. The copies cost one pass over the tensor each; in exchange every
interface the harness sees has one load port and/or one store port.
"""

from __future__ import annotations

from torch_mlir import ir
from torch_mlir.dialects import linalg, memref

from backend.rtl.ir_walk import owner_op


_VIEWS = frozenset({"memref.subview", "memref.expand_shape", "memref.collapse_shape", "memref.cast",
                    "memref.reinterpret_cast"})


def _accessing_uses(value: ir.Value) -> int:
    """Ops that will load or store through `value`, looking through views: after
    fold-memref-alias-ops, every access through a view is an access to `value`."""
    count = 0
    for use in value.uses:
        owner = owner_op(use.owner)
        count += _accessing_uses(owner.results[0]) if owner.name in _VIEWS else 1
    return count


def isolate_memory_ports(module: ir.Module, num_outputs: int, num_inputs: int) -> int:
    """Rewrite the public func; `num_inputs` args come first, then `num_outputs` out-params."""
    funcs = [op.operation for op in module.body.operations if op.operation.name == "func.func"]
    rewritten = 0
    for func in funcs:
        entry = func.regions[0].blocks[0]
        ops = list(entry.operations)
        first, terminator = ops[0], ops[-1]
        for position, arg in enumerate(entry.arguments):
            users = list(arg.uses)
            if _accessing_uses(arg) <= 1:
                continue
            is_output = num_inputs <= position < num_inputs + num_outputs
            with arg.location:
                with ir.InsertionPoint(first):
                    local = memref.AllocOp(ir.MemRefType(arg.type), [], []).result
                for use in users:  # every old user now goes to the local buffer
                    owner_op(use.owner).operands[use.operand_number] = local
                if is_output:
                    with ir.InsertionPoint(terminator):
                        linalg.copy(local, outs=[arg])
                else:
                    with ir.InsertionPoint(first):
                        linalg.copy(arg, outs=[local])
            rewritten += 1
    return rewritten
