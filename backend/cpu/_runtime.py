"""Call a JIT-compiled `main` on NumPy arrays through MLIR's C interface.

After the pipeline, `_mlir_ciface_main` takes one memref-descriptor pointer per
argument followed by one per result (out-parameters). NumPy owns all memory.
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence

import numpy as np

from common.records import ModelMetadata, TensorSpec

_ENTRY = "main"


class JitFunction:
    """An ExecutionEngine plus the signature it was compiled for."""

    def __init__(self, llvm_mlir: str, metadata: ModelMetadata, *, opt_level: int = 2) -> None:
        from torch_mlir import ir
        from torch_mlir.execution_engine import ExecutionEngine

        self._context = ir.Context()
        with self._context:
            self._module = ir.Module.parse(llvm_mlir)
            _check_entry(self._module, metadata)
            self._engine = ExecutionEngine(self._module, opt_level=opt_level)
            # Compile now, not on the first call: a call then only runs the model.
            self._engine.raw_lookup(f"_mlir_ciface_{_ENTRY}")
        self._metadata = metadata

    def __call__(self, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
        from torch_mlir.runtime.np_to_memref import get_ranked_memref_descriptor

        inputs = [_to_buffer(a, spec) for a, spec in zip(_check_inputs(arrays, self._metadata), self._metadata.args)]
        outputs = [np.zeros(spec.shape, dtype=_buffer_dtype(spec)) for spec in self._metadata.results]
        # Descriptors point into the arrays: keep both alive until the call returns.
        descriptors = [get_ranked_memref_descriptor(a) for a in (*inputs, *outputs)]
        pointers = [ctypes.pointer(ctypes.pointer(d)) for d in descriptors]
        self._engine.invoke(_ENTRY, *pointers)
        return tuple(_from_buffer(b, spec) for b, spec in zip(outputs, self._metadata.results))


def _buffer_dtype(spec: TensorSpec) -> np.dtype:
    """bfloat16 travels as its 16 bits: NumPy has no bfloat16, and the memref only needs the width."""
    return np.dtype(np.uint16) if spec.dtype == "bfloat16" else spec.storage


def _to_buffer(array: np.ndarray, spec: TensorSpec) -> np.ndarray:
    if spec.dtype != "bfloat16":
        return array
    import torch

    return torch.from_numpy(array).to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16)


def _from_buffer(buffer: np.ndarray, spec: TensorSpec) -> np.ndarray:
    if spec.dtype != "bfloat16":
        return buffer
    import torch

    return torch.from_numpy(buffer.view(np.int16)).view(torch.bfloat16).float().numpy()


def _check_entry(module, metadata: ModelMetadata) -> None:
    """One descriptor per argument and result, or the call would write past a buffer: refuse instead."""
    from torch_mlir import ir

    for op in module.body.operations:
        if op.operation.name == "llvm.func" and ir.StringAttr(op.attributes["sym_name"]).value == f"_mlir_ciface_{_ENTRY}":
            count = len(op.regions[0].blocks[0].arguments)  # the wrapper is defined in the module
            expected = len(metadata.args) + len(metadata.results)
            if count != expected:
                raise ValueError(f"model '{metadata.name}': the compiled entry takes {count} buffers, "
                                 f"the metadata has {len(metadata.args)} arguments and {len(metadata.results)} results")
            return
    raise ValueError(f"model '{metadata.name}': the compiled module has no _mlir_ciface_{_ENTRY}")


def _check_inputs(arrays: Sequence[np.ndarray], metadata: ModelMetadata) -> list[np.ndarray]:
    """Contiguous copies with exactly the declared dtype and shape, or a ValueError saying which."""
    if len(arrays) != len(metadata.args):
        raise ValueError(f"model '{metadata.name}' takes {len(metadata.args)} inputs, got {len(arrays)}")
    return [_check_one(np.asarray(a), spec, metadata.name) for a, spec in zip(arrays, metadata.args)]


def _check_one(array: np.ndarray, spec: TensorSpec, model: str) -> np.ndarray:
    if tuple(array.shape) != tuple(spec.shape) or array.dtype != spec.storage:
        raise ValueError(
            f"model '{model}' input '{spec.name}' must be {spec.dtype}{list(spec.shape)}, "
            f"got {array.dtype}{list(array.shape)}"
        )
    return np.ascontiguousarray(array).copy()
