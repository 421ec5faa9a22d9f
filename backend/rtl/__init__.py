"""RTL backend: linalg-on-tensors MLIR -> CIRCT handshake -> SystemVerilog + port manifest.

`torch_side` (torch-mlir's MLIR), `transport` and `circt_side` (CIRCT's MLIR)
hold the stages; `torch_circt/flow.py` puts them in order. Only the manifest
types are imported here, so code that only reads a port manifest — the
simulator, its Bazel build actions — neither loads torch-mlir and CIRCT nor
rebuilds when a compiler pass changes.
"""

from __future__ import annotations

from backend.rtl.manifest import Channel, LoadPort, Memory, PortManifest, StorePort, StreamPort

__all__ = ["Channel", "LoadPort", "Memory", "PortManifest", "StorePort", "StreamPort"]
