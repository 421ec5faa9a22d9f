"""PyTorch frontend: an nn.Module plus example inputs -> linalg-on-tensors MLIR.

    imported = import_module(model, (x,), name="mlp")
    imported.mlir        # deterministic linalg-on-tensors text, one func @main
    imported.metadata    # argument/result names, static shapes, NumPy dtypes
    golden = make_golden(model, (x,))

Errors are `common.errors.UserError`s naming the model, stage, op and the
user's source line; anything else is an `InternalCompilerError` with a reproducer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from common.errors import DynamicShapeError, ModelError
from common.records import Golden, ModelMetadata
from common.stages import StageLog, run_stages
from frontend.torch._export import export_static, metadata_of, run_eager
from frontend.torch._lower import import_stages

__all__ = ["ImportedModel", "import_module", "make_golden"]


@dataclass(frozen=True)
class ImportedModel:
    """The frontend's product: linalg-on-tensors MLIR text and the signature beside it."""

    mlir: str
    metadata: ModelMetadata
    log: StageLog


def import_module(
    module: torch.nn.Module,
    example_inputs: tuple[torch.Tensor, ...],
    *,
    name: str,
    dump_dir: Path | None = None,
    dynamic_shapes: object | None = None,
) -> ImportedModel:
    """Export `module` at the shapes of `example_inputs` and lower it to linalg-on-tensors."""
    if dynamic_shapes is not None:
        raise DynamicShapeError(
            message="dynamic_shapes were requested; every backend here needs static shapes",
            stage="torch_export",
            model=name,
            hint="drop dynamic_shapes and import once per input shape you need",
        )
    inputs = _check_inputs(example_inputs, name)
    outputs = run_eager(module, inputs, model=name)
    program = export_static(module, inputs, model=name)
    metadata = metadata_of(program, outputs, inputs, model=name)
    log = StageLog()
    mlir = run_stages(import_stages(program), "", model=name, dump_dir=dump_dir, log=log)
    return ImportedModel(mlir, metadata, log)


def make_golden(
    module: torch.nn.Module, example_inputs: tuple[torch.Tensor, ...], *, name: str = "model"
) -> Golden:
    """Eager PyTorch outputs for the example inputs: the oracle every backend is checked against."""
    inputs = _check_inputs(example_inputs, name)
    outputs = run_eager(module, inputs, model=name)
    return Golden(
        tuple(t.detach().cpu().numpy().copy() for t in inputs),
        tuple(t.detach().cpu().numpy().copy() for t in outputs),
    )


def _check_inputs(example_inputs: Sequence[torch.Tensor], name: str) -> tuple[torch.Tensor, ...]:
    inputs = tuple(example_inputs)
    for index, value in enumerate(inputs):
        if not isinstance(value, torch.Tensor):
            raise ModelError(
                message=f"example input {index} is a {type(value).__name__}, not a torch.Tensor",
                stage="torch_export",
                model=name,
                hint="pass only tensors as example inputs; bake other arguments into the module",
            )
    return inputs
