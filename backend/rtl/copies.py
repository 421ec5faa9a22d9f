"""Turn `memref.copy` into `linalg.copy`, so copies become loops like every other op.

Bufferization writes slices, `cat` and reshapes as `memref.copy` between views
(subview, collapse_shape, expand_shape). Nothing on the way to handshake lowers
`memref.copy`, but `convert-linalg-to-affine-loops` lowers `linalg.copy` to loads
and stores through the views, which `fold-memref-alias-ops` then folds into
plain indices of the underlying buffer (the handshake path has no strided memrefs).
"""

from __future__ import annotations

from torch_mlir import ir
from torch_mlir.dialects import linalg


def copies_to_linalg(module: ir.Module) -> int:
    copies: list[ir.Operation] = []

    def collect(op: ir.Operation) -> ir.WalkResult:
        if op.name == "memref.copy":
            copies.append(op)
        return ir.WalkResult.ADVANCE

    module.operation.walk(collect)
    for copy in copies:
        source, target = copy.operands
        with ir.InsertionPoint(copy), copy.location:
            linalg.copy(source, outs=[target])
        copy.erase()
    return len(copies)
