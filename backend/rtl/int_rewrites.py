"""Integer-only checks and rewrites on torch-mlir's side of the RTL pipeline.

The frontend has already turned torch-mlir's integer-through-float idioms back
into integer ops (frontend/torch/_integer_idioms.py), so a float that remains is
a real float model, and `check_integer_only` refuses it with a message that says
so. `expand_signed_division` works around CIRCT's unsigned lowering of divsi.
"""

from __future__ import annotations

import re

from torch_mlir import ir

from common.errors import UnsupportedDtypeError

_FLOAT_TYPE = re.compile(r"\b(bf16|tf32|f16|f32|f64|f80|f128|f8E\w+|f4E\w+|f6E\w+)\b")
_TORCH_NAME = {"bf16": "bfloat16", "f16": "float16", "f32": "float32", "f64": "float64"}


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
    torch_dtype = _TORCH_NAME.get(dtype, dtype)
    raise UnsupportedDtypeError(
        message=(
            f"op '{op.name}' uses dtype {torch_dtype} ({dtype}); the hardware (RTL) path is "
            "integer-only for now"
        ),
        stage="rtl-check-dtypes",
        model=model,
        op=op.name,
        location=str(op.location),
        hint="cast the model and its inputs to an integer dtype (e.g. torch.int32), "
        "or run it on the cpu backend",
    )


_SLT = 2  # arith.cmpi predicate number of "slt"


def expand_signed_division(module: ir.Module) -> int:
    """Rewrite every `arith.divsi` as unsigned division of magnitudes plus a sign fix.

    CIRCT's handshake-to-hw lowering maps `arith.divsi` to `comb.divu` (unsigned),
    so a negative quotient comes out wrong. `|a| divu |b|`, negated when the signs
    differ, is C's truncating division for every input, including the wrap-around
    of INT_MIN / -1 that PyTorch shows. `arith.remsi` lowers correctly and is kept.
    """
    divisions: list[ir.Operation] = []

    def collect(op: ir.Operation) -> ir.WalkResult:
        if op.name == "arith.divsi":
            divisions.append(op)
        return ir.WalkResult.ADVANCE

    module.operation.walk(collect)
    for division in divisions:
        a, b = division.operands
        kind = a.type
        i1 = ir.IntegerType.get_signless(1)

        def make(name: str, operands: list[ir.Value], result: ir.Type = kind, **attributes: ir.Attribute) -> ir.Value:
            return ir.Operation.create(name, results=[result], operands=operands, attributes=attributes).results[0]

        with ir.InsertionPoint(division), division.location:
            zero = make("arith.constant", [], value=ir.IntegerAttr.get(kind, 0))
            slt = ir.IntegerAttr.get(ir.IntegerType.get_signless(64), _SLT)
            a_negative = make("arith.cmpi", [a, zero], i1, predicate=slt)
            b_negative = make("arith.cmpi", [b, zero], i1, predicate=slt)
            a_magnitude = make("arith.select", [a_negative, make("arith.subi", [zero, a]), a])
            b_magnitude = make("arith.select", [b_negative, make("arith.subi", [zero, b]), b])
            quotient = make("arith.divui", [a_magnitude, b_magnitude])
            signs_differ = make("arith.xori", [a_negative, b_negative], i1)
            result = make("arith.select", [signs_differ, make("arith.subi", [zero, quotient]), quotient])
        division.results[0].replace_all_uses_with(result)
        division.erase()
    return len(divisions)
