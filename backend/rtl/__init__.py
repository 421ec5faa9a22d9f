"""RTL backend: linalg-on-tensors MLIR -> CIRCT handshake -> SystemVerilog + port manifest."""

from backend.rtl.compile import RtlDesign, compile_to_rtl
from backend.rtl.manifest import Channel, LoadPort, Memory, PortManifest, StorePort

__all__ = ["Channel", "LoadPort", "Memory", "PortManifest", "RtlDesign", "StorePort", "compile_to_rtl"]
