"""The check-dtypes pass: refuse float ops before lowering, naming the op.

The frontend has already turned torch-mlir's integer-through-float idioms back
into integer ops (frontend/torch/_integer_idioms.py), so a float that remains is
a real float model, and `check_integer_only` refuses it with a message that says so.
"""

from __future__ import annotations

import re

from torch_mlir import ir

from common.dtypes import BY_ELEMENT
from common.errors import UnsupportedDtypeError
from common.locations import describe_location

_FLOAT_TYPE = re.compile(r"\b(bf16|tf32|f16|f32|f64|f80|f128|f8E\w+|f4E\w+|f6E\w+)\b")


def check_integer_only(module: ir.Module, model: str | None = None) -> None:
    """Raise UnsupportedDtypeError at the first op that touches a float type."""
    offender: list[tuple[ir.Operation, str]] = []

    def visit(op: ir.Operation) -> ir.WalkResult:
        types = [str(v.type) for v in (*op.operands, *op.results)]
        for region in op.regions:
            for block in region.blocks:
                types.extend(str(arg.type) for arg in block.arguments)
        for text in types:
            match = _FLOAT_TYPE.search(text)
            if match:
                offender.append((op, match.group(1)))
                return ir.WalkResult.INTERRUPT
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit, ir.WalkOrder.PRE_ORDER)
    if not offender:
        return
    op, dtype = offender[0]
    torch_dtype = BY_ELEMENT[dtype].name if dtype in BY_ELEMENT else dtype
    raise UnsupportedDtypeError(
        message=(
            f"op '{op.name}' uses dtype {torch_dtype} ({dtype}); the hardware (RTL) path is "
            "integer-only for now"
        ),
        stage="check-dtypes",
        model=model,
        op=op.name,
        location=describe_location(str(op.location)),
        hint="quantize the model to int8 with torch_circt.quantize(model, calibration_data) and compile the result "
        "(or cast the model and its inputs to an integer dtype), or run it on the cpu backend "
        "(target='cpu', --backend cpu)",
    )


def check_dtypes(module: ir.Module, model: str | None = None) -> None:
    """Raise at the first float op."""
    check_integer_only(module, model)
