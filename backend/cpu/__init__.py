"""CPU reference backend: linalg-on-tensors MLIR -> LLVM -> MLIR ExecutionEngine (JIT).

    llvm = <the flow runs stage(name) for each name in its CPU order>
    outputs = JitFunction(llvm, metadata)(*numpy_inputs)   # one NumPy array per result

The order of the stages is the flow's (`torch_circt/flow.py`); this package
holds their pass lists and the runtime.
"""

from __future__ import annotations

from backend.cpu._pipeline import PASSES, free_early_stage, stage
from backend.cpu._runtime import JitFunction

__all__ = ["JitFunction", "PASSES", "free_early_stage", "stage"]
