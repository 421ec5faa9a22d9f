"""PyTorch frontend: an nn.Module (or an ExportedProgram) plus example inputs -> linalg-on-tensors MLIR.

The pieces, which `torch_circt.flow` puts in order:

    outputs = run_eager(module, inputs, model="mlp")          # the oracle
    program = export_static(module, inputs, model="mlp")      # or decompose(exported_program, ...)
    metadata = metadata_of(program, outputs, inputs, model="mlp")
    fx_import_stage(program), pass_stage(...), integer_idioms_stage()

Errors are `common.errors.UserError`s naming the model, stage, op and the
user's source line; anything else is an `InternalCompilerError` with a reproducer.
"""

from __future__ import annotations

from frontend.torch._export import check_inputs, decompose, export_static, metadata_of, run_eager
from frontend.torch._lower import (
    LINALG_ON_TENSORS,
    TORCH_BACKEND,
    fx_import_stage,
    integer_idioms_stage,
    pass_stage,
)

__all__ = [
    "LINALG_ON_TENSORS",
    "TORCH_BACKEND",
    "check_inputs",
    "decompose",
    "export_static",
    "fx_import_stage",
    "integer_idioms_stage",
    "metadata_of",
    "pass_stage",
    "run_eager",
]
