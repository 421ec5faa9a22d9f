"""The toolchain environment carries its bytecode, so no test process compiles torch from source again."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import torch
import torch_mlir.ir

# PEP 552 pyc header: magic (4 bytes), flags (4 bytes little-endian); flags 0b01 = hash-based, not checked.
_UNCHECKED_HASH = 0b01


def _pyc_flags(module) -> int:
    pyc = Path(importlib.util.cache_from_source(module.__file__))
    assert pyc.is_file(), f"{module.__name__} has no bytecode at {pyc}: the environment was built without precompile()"
    return int.from_bytes(pyc.read_bytes()[4:8], "little")


def test_torch_and_torch_mlir_have_unchecked_hash_bytecode():
    for module in (torch, torch_mlir.ir):
        assert _pyc_flags(module) == _UNCHECKED_HASH, f"{module.__name__}'s bytecode is not the environment's own"
