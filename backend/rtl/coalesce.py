"""Loop nests coalesced into one loop where every address stays a plain sum (affine level).

Each inner-loop exit and re-entry costs the circuit several cycles, so a 4x4
elementwise nest spends as long between rows as in them. Two perfectly nested
constant-bound loops become one loop over the product of their trip counts,
the old induction variables `x floordiv B` and `x mod B`; pairs merge again
until the band is one loop or no pair is left that pays. That only pays
when the division disappears again: after the accesses are linearised here
(row-major, as `linearize.py` does on the cf level, for memories that only
affine loads and stores use), `(x floordiv B) * B + x mod B` simplifies back to
`x`. A pair is coalesced only if no `floordiv` or `mod` is left in it after
canonicalisation (a transpose or a broadcast keeps its loops; no divider is
ever built). Loops of one iteration (batch dimensions) are removed first.
"""

from __future__ import annotations

from torch_mlir import ir, passmanager

from backend.rtl.ir_walk import block_ops, ops_named, owner_op
from backend.rtl.linearize import flatten_memories

_MAP_OPERANDS = {"affine.load": 1, "affine.store": 2}  # op -> position of the first map operand


def coalesce_loops(text: str) -> str:
    """`text` (affine loops) with every loop pair coalesced that stays division-free, innermost pairs first."""
    with ir.Context():
        module = ir.Module.parse(text)
        linearize_plain_memories(module)
        promote_single_iterations(module)
        text = module.operation.get_asm(enable_debug_info=False)
        nests = len(_top_level_loops(module))
    for nest in range(nests):
        position = _band_depth(text, nest) - 2
        while position >= 0:
            trial = _coalesced(text, nest, position)
            if trial is not None:
                text = trial
                position = min(position, _band_depth(text, nest) - 2)
            else:
                position -= 1
    return text


def promote_single_iterations(module: ir.Module) -> int:
    """A loop of one iteration (a batch of 1, a 1-channel reduction) is its body with the induction variable 0,
    its iter_args the initial values and its results what the body yields; returns how many."""
    promoted = 0
    for loop in [owner_op(op) for op in ops_named(module, "affine.for")]:
        if _trip_count(loop) != 1:
            continue
        body = loop.regions[0].blocks[0]
        with loop.location:
            zero = ir.Operation.create("arith.constant", results=[ir.IndexType.get()], ip=ir.InsertionPoint(loop),
                                       attributes={"value": ir.IntegerAttr.get(ir.IndexType.get(), 0)})
        initial = list(loop.operands)[-len(loop.results):] if loop.results else []
        for argument, value in zip(body.arguments, [zero.results[0], *initial]):
            argument.replace_all_uses_with(value)
        *ops, terminator = block_ops(body)
        for op in ops:
            op.move_before(loop)
        for result, value in zip(loop.results, terminator.operands):
            result.replace_all_uses_with(value)
        loop.erase()
        promoted += 1
    return promoted


def linearize_plain_memories(module: ir.Module) -> int:
    """Memories of rank >= 2 that only affine.load/store use become one-dimensional; returns how many."""
    return flatten_memories(module, _plain, _flatten_accesses)


def _plain(value: ir.Value) -> bool:
    kind = value.type
    return (isinstance(kind, ir.MemRefType) or str(kind).startswith("memref<")) and ir.MemRefType(kind).rank >= 2 and \
        all(owner_op(use.owner).name in _MAP_OPERANDS for use in value.uses) and \
        all(use.operand_number == _MAP_OPERANDS[owner_op(use.owner).name] - 1 for use in value.uses)


def _flatten_accesses(memory: ir.Value, shape: list[int]) -> None:
    """Each access's map (e0, ..., en) becomes the row-major sum of the ei times their strides."""
    for use in list(memory.uses):
        op = owner_op(use.owner)
        old = ir.AffineMapAttr(op.attributes["map"]).value
        strides = [1] * len(shape)
        for k in range(len(shape) - 2, -1, -1):
            strides[k] = strides[k + 1] * shape[k + 1]
        linear = None
        for expr, stride in zip(old.results, strides):
            term = expr * stride
            linear = term if linear is None else linear + term
        op.attributes["map"] = ir.AffineMapAttr.get(ir.AffineMap.get(old.n_dims, old.n_symbols, [linear]))


def _coalesced(text: str, nest: int, position: int) -> str | None:
    """`text` with loops `position` and `position + 1` of top-level nest `nest`'s band coalesced, or None."""
    with ir.Context():
        module = ir.Module.parse(text)
        merged = _coalesce(_band(_top_level_loops(module)[nest])[position : position + 2])
        merged.attributes["torch_circt.coalesced"] = ir.UnitAttr.get()
        passmanager.PassManager.parse("builtin.module(func.func(canonicalize))").run(module.operation)
        loop = next(owner_op(op) for op in ops_named(module, "affine.for") if "torch_circt.coalesced" in op.attributes)
        if "floordiv" in str(loop) or " mod " in str(loop):
            return None
        del loop.attributes["torch_circt.coalesced"]
        module.operation.verify()
        return module.operation.get_asm(enable_debug_info=False)


def _coalesce(band: list[ir.Operation]) -> ir.Operation:
    """One loop over the product of `band`'s trip counts; each old induction variable an affine.apply."""
    trips = [_trip_count(loop) for loop in band]
    total = 1
    for count in trips:
        total *= count
    outer, inner = band[0], band[-1]
    index = ir.IndexType.get()
    with outer.location:
        constant_map = lambda value: ir.AffineMapAttr.get(ir.AffineMap.get(0, 0, [ir.AffineConstantExpr.get(value)]))
        merged = ir.Operation.create(
            "affine.for", results=[], operands=[], regions=1, ip=ir.InsertionPoint(outer),
            attributes={"lowerBoundMap": constant_map(0), "upperBoundMap": constant_map(total),
                        "step": ir.IntegerAttr.get(index, 1),
                        "operandSegmentSizes": ir.DenseI32ArrayAttr.get([0, 0, 0])})
        body = ir.Block.create_at_start(merged.regions[0], [index], [outer.location])
        x = body.arguments[0]
        inner_size = total
        point = ir.InsertionPoint(body)
        for loop, count in zip(band, trips):
            inner_size //= count
            d0 = ir.AffineDimExpr.get(0)
            expr = ir.AffineExpr.get_floor_div(d0, inner_size) if inner_size > 1 else d0
            if loop is not outer:
                expr = ir.AffineExpr.get_mod(expr, count)
            apply = ir.Operation.create("affine.apply", results=[index], operands=[x], ip=point,
                                        attributes={"map": ir.AffineMapAttr.get(ir.AffineMap.get(1, 0, [expr]))})
            loop.regions[0].blocks[0].arguments[0].replace_all_uses_with(apply.results[0])
    for op in block_ops(inner.regions[0].blocks[0]):
        body.append(op)
    outer.erase()
    return merged


def _band(loop: ir.Operation) -> list[ir.Operation]:
    """`loop` and the loops perfectly nested in it, all without iter_args and with constant bounds from 0."""
    band = []
    while loop.name == "affine.for" and _trip_count(loop) is not None and not loop.results:
        band.append(loop)
        ops = block_ops(loop.regions[0].blocks[0])
        if len(ops) != 2:
            break
        loop = ops[0]
    return band


def _band_depth(text: str, nest: int) -> int:
    with ir.Context():
        module = ir.Module.parse(text)  # kept alive while its ops are read
        return len(_band(_top_level_loops(module)[nest]))


def _trip_count(loop: ir.Operation) -> int | None:
    lower = ir.AffineMapAttr(loop.attributes["lowerBoundMap"]).value.results
    upper = ir.AffineMapAttr(loop.attributes["upperBoundMap"]).value.results
    if len(lower) != 1 or len(upper) != 1 or ir.IntegerAttr(loop.attributes["step"]).value != 1:
        return None
    try:
        low, high = ir.AffineConstantExpr(lower[0]).value, ir.AffineConstantExpr(upper[0]).value
    except ValueError:
        return None
    return high - low if low == 0 else None


def _top_level_loops(module: ir.Module) -> list[ir.Operation]:
    return [op for func in block_ops(module.body) if func.name == "func.func"
            for op in block_ops(func.regions[0].blocks[0]) if op.name == "affine.for"]
