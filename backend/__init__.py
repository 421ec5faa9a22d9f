"""Backends that consume linalg-on-tensors MLIR: cpu (reference JIT), rtl, sim."""
