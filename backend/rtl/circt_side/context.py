"""A CIRCT context that parses everything the torch side hands over.

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

from common.pipeline_text import module_pipeline

# Passes whose declared dependent dialects cover every op the torch side emits.
_DIALECT_LOADERS = ("flatten-memref", "lower-cf-to-handshake")


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
