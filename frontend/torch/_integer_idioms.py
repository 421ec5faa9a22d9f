"""Undo torch-mlir's integer-through-float lowerings, so integer ops stay exact.

torch-mlir lowers integer `torch.div(a, b, rounding_mode="floor")` as
`fptosi(floor(divf(sitofp a, sitofp b)))` through f64, and integer negation as
`fptosi(negf(sitofp x))` through f32. Both round once magnitudes pass the float's
mantissa (2**53, 2**24), where PyTorch stays exact: e2e cases
`floor_div_large_i64` and `neg_large_i32` fail on every backend without this
stage. The idioms become `arith.floordivsi` and `arith.subi 0, x`, which are
exact for every width, and the RTL path (no float hardware) can take them.
"""

from __future__ import annotations

from torch_mlir import ir


def _producer(value: ir.Value, name: str) -> ir.Operation | None:
    owner = value.owner
    if isinstance(owner, ir.Block):
        return None
    owner = owner.operation if hasattr(owner, "operation") else owner
    return owner if owner.name == name else None


def _int_source(value: ir.Value, result_type: ir.Type) -> tuple[ir.Value, ir.Operation] | None:
    """`x` in the integer `result_type` and its cast, when `value` is `sitofp x`. A narrower x
    (`int8 // int64` divides an i32 by an i64) is sign-extended, as `sitofp` reads it."""
    cast = _producer(value, "arith.sitofp")
    if cast is None:
        return None
    source = cast.operands[0]
    if str(source.type) == str(result_type):
        return source, cast
    width, result_width = (_integer_width(t) for t in (source.type, result_type))
    if width is None or result_width is None or width > result_width:
        return None
    return ir.Operation.create("arith.extsi", results=[result_type], operands=[source]).results[0], cast


def _integer_width(kind: ir.Type) -> int | None:
    text = str(kind)
    return int(text[1:]) if text.startswith("i") and text[1:].isdigit() else None


def _floor_division(fptosi: ir.Operation) -> tuple[str, list[ir.Value], list[ir.Operation]] | None:
    floor = _producer(fptosi.operands[0], "math.floor")
    divf = floor and _producer(floor.operands[0], "arith.divf")
    if divf is None:
        return None
    lhs = _int_source(divf.operands[0], fptosi.results[0].type)
    rhs = _int_source(divf.operands[1], fptosi.results[0].type)
    if lhs is None or rhs is None:
        return None
    return "arith.floordivsi", [lhs[0], rhs[0]], [floor, divf, lhs[1], rhs[1]]


def _negation(fptosi: ir.Operation) -> tuple[str, list[ir.Value], list[ir.Operation]] | None:
    negf = _producer(fptosi.operands[0], "arith.negf")
    source = negf and _int_source(negf.operands[0], fptosi.results[0].type)
    if source is None:
        return None
    kind = fptosi.results[0].type
    zero = ir.Operation.create("arith.constant", results=[kind], attributes={"value": ir.IntegerAttr.get(kind, 0)})
    return "arith.subi", [zero.results[0], source[0]], [negf, source[1]]


def rewrite_integer_idioms(module: ir.Module) -> int:
    """Rewrite every matched idiom in place; returns how many were rewritten."""
    casts: list[ir.Operation] = []

    def collect(op: ir.Operation) -> ir.WalkResult:
        if op.name == "arith.fptosi":
            casts.append(op)
        return ir.WalkResult.ADVANCE

    module.operation.walk(collect)
    rewritten = 0
    for fptosi in casts:
        with ir.InsertionPoint(fptosi), fptosi.location:
            found = _floor_division(fptosi) or _negation(fptosi)
            if found is None:
                continue
            name, operands, dead = found
            exact = ir.Operation.create(name, results=[fptosi.results[0].type], operands=operands)
        fptosi.results[0].replace_all_uses_with(exact.results[0])
        fptosi.erase()
        for op in dead:  # consumers before producers, so each is unused when reached
            if all(not list(result.uses) for result in op.results):
                op.erase()
        rewritten += 1
    return rewritten
