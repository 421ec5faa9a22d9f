"""The IR transport: modules cross from torch-mlir's MLIR copy to CIRCT's as text.

The two wheels embed different LLVM revisions, so no object can cross (TypeIDs
differ); only text or bytecode can, and bytecode versions differ too. We print
MLIR's *generic* op form on torch-mlir's side, which both parsers accept (the
pretty form does not always: CIRCT's parser refuses e.g. `memref.global` with
`{alignment = 64}` printed prettily by the newer torch-mlir), with locations, so an op keeps
the user's source line in CIRCT's MLIR too.
This is the only module that imports both copies.
"""

from __future__ import annotations

from torch_mlir import ir as torch_ir

from backend.rtl.circt_side.context import circt_context, parse_in_circt
from common.ir_print import print_module
from common.stages import Stage
from common.torch_context import torch_mlir_context


def to_generic(text: str) -> str:
    """Print `text` (parsed in torch-mlir's MLIR) in generic op form."""
    with torch_mlir_context():
        return print_module(torch_ir.Module.parse(text), generic=True)


def transport(text: str) -> str:
    """Carry a module from torch-mlir's MLIR to CIRCT's; returns CIRCT's printed form."""
    generic = to_generic(text)
    context = circt_context()
    module = parse_in_circt(generic, context)
    with context:
        module.operation.verify()
        return print_module(module, generic=True)


def transport_stage() -> Stage:
    return Stage("transport", transport)
