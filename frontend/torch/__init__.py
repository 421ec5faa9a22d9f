"""PyTorch frontend: an nn.Module (or an ExportedProgram) plus example inputs -> linalg-on-tensors MLIR.

The pieces, which `torch_circt.flow` puts in order:

    arguments = split_arguments(module, example_inputs, model="mlp")   # Python scalars are baked in
    eager = run_eager(module, arguments.fill(inputs), model="mlp")     # the oracle
    program = export_static(BoundModule(module, arguments), inputs, model="mlp")  # or decompose(exported_program, ...)
    results = program_results(program, eager.outputs, eager_inputs, model="mlp")
    metadata = metadata_of(program, results, inputs, model="mlp")
    fx_import_stage(program), pass_stage(...), integer_idioms_stage(), distinct_results_stage(), signature_stage(metadata)

Errors are `common.errors.UserError`s naming the model, stage, op and the
user's source line; anything else is an `InternalCompilerError` with a reproducer.
"""

from __future__ import annotations

from frontend.torch._arguments import BoundModule, split_arguments
from frontend.torch._export import (
    as_numpy,
    check_inputs,
    decompose,
    export_static,
    metadata_of,
    program_results,
    run_eager,
)
from frontend.torch._float_source import point_at_float_source
from frontend.torch._layer_stages import layer_stages
from frontend.torch._lower import (
    LINALG_ON_TENSORS,
    TORCH_BACKEND,
    distinct_results_stage,
    fx_import_stage,
    integer_idioms_stage,
    pass_stage,
    signature_stage,
)

__all__ = [
    "BoundModule",
    "LINALG_ON_TENSORS",
    "TORCH_BACKEND",
    "as_numpy",
    "check_inputs",
    "decompose",
    "distinct_results_stage",
    "export_static",
    "fx_import_stage",
    "integer_idioms_stage",
    "layer_stages",
    "metadata_of",
    "pass_stage",
    "point_at_float_source",
    "program_results",
    "run_eager",
    "signature_stage",
    "split_arguments",
]
