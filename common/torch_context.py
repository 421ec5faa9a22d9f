"""A torch-mlir context that parses everything torch-mlir prints, `tm_tensor` included.

torch-mlir lowers some ops (cumsum, scatter, sort) to its `tm_tensor` dialect,
which the Python bindings register but do not load: a plain `ir.Context()`
refuses `tm_tensor.scan`. MLIR loads a pass's dependent dialects when a pass
manager runs, so we run a tm_tensor pass once on an empty module: MLIR's own
loading path, with no unregistered-dialect escape hatch.
"""

from __future__ import annotations

from typing import Any

_LOADS_TM_TENSOR = "builtin.module(func.func(tm-tensor-bufferize))"


def torch_mlir_context() -> Any:
    """A fresh `torch_mlir.ir.Context` with the torch and tm_tensor dialects ready (imported lazily: `common`
    stays free of either MLIR copy)."""
    from torch_mlir import ir, passmanager
    from torch_mlir.dialects import torch as torch_d

    context = ir.Context()
    torch_d.register_dialect(context)
    with context, ir.Location.unknown():
        passmanager.PassManager.parse(_LOADS_TM_TENSOR).run(ir.Module.create().operation)
    return context
