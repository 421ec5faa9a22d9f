"""The drop-unused-memories pass: drop memory arguments the circuit never touches, and record which they were.

`handshake-lower-extmem-to-hw` aborts ("Cannot destroy a value that still has
uses") on an external memory with no load and no store port: an input the model
never reads (`torch.zeros_like(x)`, `x.copy_(y)`, `expand_as`, `type_as`). Such
an argument is removed from the function before the transport, and its position
(in the order inputs, out-params, parameters) is recorded in the module attribute
`UNUSED_ATTR`; the port manifest keeps it as a memory without
ports, so the harness and the manifest still list every model tensor.
"""

from __future__ import annotations

from torch_mlir import ir

from backend.rtl.attributes import UNUSED_ATTR


def drop_unused_memories(module: ir.Module) -> list[int]:
    dropped: list[int] = []
    for op in module.body.operations:
        if op.operation.name != "func.func" or not op.regions[0].blocks:
            continue
        block = op.regions[0].blocks[0]
        unused = [i for i, arg in enumerate(block.arguments)
                  if isinstance(arg.type, ir.MemRefType) and not list(arg.uses)]
        for index in reversed(unused):
            block.erase_argument(index)
        if unused:
            old = ir.FunctionType(ir.TypeAttr(op.attributes["function_type"]).value)
            kept = [arg.type for arg in block.arguments]
            op.attributes["function_type"] = ir.TypeAttr.get(ir.FunctionType.get(kept, old.results))
            dropped.extend(unused)
    if dropped:
        module.operation.attributes[UNUSED_ATTR] = ir.DenseI64ArrayAttr.get(dropped, context=module.context)
    return dropped
