"""CPU reference backend: linalg-on-tensors MLIR -> LLVM -> MLIR ExecutionEngine (JIT).

    program = compile_mlir(mlir_text, metadata)
    outputs = program(*numpy_inputs)     # tuple of NumPy arrays, one per result

Plain Python: usable from pytest, a Bazel py_test or a notebook alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from common.records import ModelMetadata
from common.stages import StageLog, run_stages
from backend.cpu._pipeline import STAGES
from backend.cpu._runtime import JitFunction

__all__ = ["CpuProgram", "STAGES", "compile_mlir"]

# Stage dumps continue the frontend's numbering (00-02) so one directory reads in order.
_FIRST_INDEX = 10


@dataclass(frozen=True)
class CpuProgram:
    """A compiled model: call it with NumPy arrays in argument order."""

    metadata: ModelMetadata
    llvm_mlir: str
    log: StageLog
    _function: JitFunction = field(repr=False)

    def __call__(self, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
        return self._function(*arrays)


def compile_mlir(mlir: str, metadata: ModelMetadata, *, dump_dir: Path | None = None) -> CpuProgram:
    """Lower `mlir` (one `func.func @main` on tensors) and JIT it for this machine."""
    log = StageLog()
    llvm = run_stages(STAGES, mlir, model=metadata.name, dump_dir=dump_dir, log=log, first_index=_FIRST_INDEX)
    return CpuProgram(metadata, llvm, log, JitFunction(llvm, metadata))
