"""The IR transport: modules cross from torch-mlir's MLIR copy to CIRCT's as text.

The two wheels embed different LLVM revisions, so no object can cross (TypeIDs
differ); only text or bytecode can, and bytecode versions differ too. We print
MLIR's *generic* op form on torch-mlir's side, which both parsers accept (the
pretty form does not always: CIRCT's parser refuses e.g. `memref.global` with
`{alignment = 64}` printed prettily by the newer torch-mlir).

`pycde.circt.register_dialects` registers CIRCT's dialects but not `memref`,
which CIRCT's own passes depend on. MLIR loads a pass's dependent dialects when
a pass manager runs, so `circt_context()` runs the dependency-declaring passes
once on an empty module: that is MLIR's own registration path, with no
`allow_unregistered_dialects` (which would turn every memref op into an opaque
op that later passes cannot lower).
"""

from __future__ import annotations

import pycde.circt as circt
from pycde.circt import ir as circt_ir
from pycde.circt import passmanager as circt_pm
from torch_mlir import ir as torch_ir

from common.pipeline_text import module_pipeline
from common.torch_context import torch_mlir_context
from common.stages import Stage

# Passes whose declared dependent dialects cover every op the torch side emits.
_DIALECT_LOADERS = ("flatten-memref", "lower-cf-to-handshake")
REQUIRED_DIALECTS = ("arith", "cf", "func", "memref", "handshake", "hw")


def to_generic(text: str) -> str:
    """Print `text` (parsed in torch-mlir's MLIR) in generic op form."""
    with torch_mlir_context():
        return torch_ir.Module.parse(text).operation.get_asm(print_generic_op_form=True)


def circt_context() -> circt_ir.Context:
    """A CIRCT context with CIRCT's dialects registered and memref & co. loaded."""
    context = circt_ir.Context()
    circt.register_dialects(context)
    with context, circt_ir.Location.unknown():
        empty = circt_ir.Module.create()
        circt_pm.PassManager.parse(module_pipeline(_DIALECT_LOADERS)).run(empty.operation)
    return context


def parse_in_circt(text: str, context: circt_ir.Context | None = None) -> circt_ir.Module:
    """Parse MLIR text (any form CIRCT accepts) into a CIRCT module."""
    context = context if context is not None else circt_context()
    with context:
        return circt_ir.Module.parse(text)


def transport(text: str) -> str:
    """Carry a module from torch-mlir's MLIR to CIRCT's; returns CIRCT's printed form."""
    generic = to_generic(text)
    context = circt_context()
    module = parse_in_circt(generic, context)
    with context:
        module.operation.verify()
        return module.operation.get_asm(print_generic_op_form=True)


def transport_stage() -> Stage:
    return Stage("transport", transport)
