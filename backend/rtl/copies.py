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

from backend.rtl.ir_walk import ops_named


def copies_to_linalg(module: ir.Module) -> int:
    copies = ops_named(module, "memref.copy")
    for copy in copies:
        source, target = copy.operands
        with ir.InsertionPoint(copy), copy.location:
            linalg.copy(source, outs=[target])
        copy.erase()
    return len(copies)
