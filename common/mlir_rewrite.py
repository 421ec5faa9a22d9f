"""The one shape of every Python rewrite stage on torch-mlir's MLIR: parse, transform, verify, print."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def rewrite_text(text: str, transform: Callable[[Any], None]) -> str:
    """`transform` (a function of an `ir.Module`) applied to `text`, printed without locations.

    No debug info: locations carry file paths, and the text must be byte-identical
    from run to run. torch-mlir is imported here, not at module level, so `common`
    stays free of either MLIR copy.
    """
    from torch_mlir import ir

    from common.torch_context import torch_mlir_context

    with torch_mlir_context():
        module = ir.Module.parse(text)
        transform(module)
        module.operation.verify()
        return module.operation.get_asm(enable_debug_info=False)
