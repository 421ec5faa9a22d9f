"""RTL backend: linalg-on-tensors MLIR -> CIRCT handshake -> SystemVerilog + port manifest.

The compiler (which loads both MLIR copies) is imported on first use, so code that
only reads a port manifest — the simulator, its Bazel build actions, the RTL
tests — neither loads torch-mlir and CIRCT nor rebuilds when a compiler pass changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backend.rtl.manifest import Channel, LoadPort, Memory, PortManifest, StorePort

if TYPE_CHECKING:
    from backend.rtl.compile import RtlDesign, compile_to_rtl

__all__ = ["Channel", "LoadPort", "Memory", "PortManifest", "RtlDesign", "StorePort", "compile_to_rtl"]


def __getattr__(name: str) -> Any:
    if name in ("RtlDesign", "compile_to_rtl"):
        from backend.rtl import compile as compiler

        return getattr(compiler, name)
    raise AttributeError(f"module 'backend.rtl' has no attribute '{name}'")
