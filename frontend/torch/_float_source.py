"""Point the hardware path's float refusal at the user's line, not at a position in intermediate IR.

The RTL backend refuses floats on linalg IR (its check-dtypes stage), whose ops carry no
source positions; the exported program still knows which line of the model first
computes in floating point.
"""

from __future__ import annotations

import torch
from torch.export import ExportedProgram
from torch.utils._pytree import tree_flatten

from common.errors import UnsupportedDtypeError
from frontend.torch._sources import node_details, site_of_node


def first_float_node(program: ExportedProgram) -> tuple[torch.fx.Node, torch.dtype] | None:
    """The first op with a floating-point result and a source line; a computing op before a view."""
    found = []
    for node in program.graph.nodes:
        if node.op != "call_function" or site_of_node(node) is None:
            continue
        values, _ = tree_flatten(node.meta.get("val"))
        dtype = next((v.dtype for v in values if isinstance(v, torch.Tensor) and v.dtype.is_floating_point), None)
        if dtype is not None:
            found.append((node, dtype))
    computing = [(n, d) for n, d in found if not getattr(n.target, "is_view", False)]
    return (computing or found or [None])[0]


def point_at_float_source(error: UnsupportedDtypeError, program: ExportedProgram) -> None:
    """Name the model's first float op and its source line in `error` (the IR op stays as a detail)."""
    found = first_float_node(program)
    if found is None:
        return
    node, dtype = found
    site = site_of_node(node)
    lowered = f"in the lowered IR: op '{error.op}'" if error.op else None
    error.message = f"op '{node.target}' computes in {dtype}; the hardware (RTL) path is integer-only for now"
    error.op = str(node.target)
    error.location = site.location if site else None
    error.details = [*node_details(node), *([lowered] if lowered else [])]
