"""The one torch-mlir pass-pipeline runner: text in, text out, a failure as MLIR's diagnostics.

The cpu backend, the torch side of the RTL backend and the loop analysis all
run torch-mlir pipelines through here. A failing pass raises RuntimeError with
one `location: message` line per diagnostic, which `common.stages` turns into an
InternalCompilerError naming the stage and its reproducer. torch-mlir is
imported lazily: `common` stays free of either MLIR copy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from common.locations import describe_location


def run_passes(module: Any, pipeline: str) -> None:
    """Run `pipeline` on a parsed torch-mlir module (inside its context)."""
    from torch_mlir import ir, passmanager

    try:
        passmanager.PassManager.parse(pipeline).run(module.operation)
    except ir.MLIRError as error:
        lines = [f"{describe_location(str(d.location))}: {d.message}" for d in error.error_diagnostics]
        raise RuntimeError("\n".join(lines or [str(error)])) from None


def run_pipeline(text: str, pipeline: str, prepare: Callable[[Any], None] | None = None) -> str:
    """`text` after `pipeline`, printed with its locations; `prepare` edits the parsed module first."""
    from torch_mlir import ir

    from common.ir_print import print_module
    from common.torch_context import torch_mlir_context

    with torch_mlir_context():
        module = ir.Module.parse(text)
        if prepare is not None:
            prepare(module)
        run_passes(module, pipeline)
        return print_module(module)
