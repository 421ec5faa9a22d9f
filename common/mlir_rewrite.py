"""The one shape of every Python rewrite stage on torch-mlir's MLIR: parse, transform, verify, print."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def rewrite_text(text: str, transform: Callable[[Any], None]) -> str:
    """`transform` (a function of an `ir.Module`) applied to `text`, printed with its locations.

    torch-mlir is imported here, not at module level, so `common` stays free of either MLIR copy.
    """
    from torch_mlir import ir

    from common.ir_print import print_module
    from common.torch_context import torch_mlir_context

    with torch_mlir_context():
        module = ir.Module.parse(text)
        transform(module)
        module.operation.verify()
        return print_module(module)
