"""Every result of `main` becomes a value of its own: a copy where one is returned twice or is an input.

`return y, y` (and `return x` for an input `x`) hand one buffer to two result
slots. MLIR's `buffer-results-to-out-params{hoist-static-allocs}` segfaults on
the first; the RTL backend has no way to express the second (a result memory
is written by the circuit). A `linalg.copy` into a fresh tensor gives each slot
its own value; bufferization turns it into one copy loop.
"""

from __future__ import annotations

from torch_mlir import ir
from torch_mlir.dialects import linalg, tensor


def distinct_results(module: ir.Module) -> None:
    for op in module.body.operations:
        if op.operation.name != "func.func" or not op.regions[0].blocks:
            continue
        block = op.regions[0].blocks[0]
        ret = list(block.operations)[-1]
        seen: list[ir.Value] = []
        for index, value in enumerate(list(ret.operands)):
            if isinstance(value.owner, ir.Block) or any(value == s for s in seen):
                if isinstance(value.type, ir.RankedTensorType):
                    ret.operands[index] = _copy(value, ret)
            seen.append(value)


def _copy(value: ir.Value, before: ir.Operation) -> ir.Value:
    with ir.InsertionPoint(before), before.location:
        kind = ir.RankedTensorType(value.type)
        empty = tensor.EmptyOp(kind.shape, kind.element_type)
        return linalg.copy(value, outs=[empty.result])
