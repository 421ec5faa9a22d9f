"""The coalesce-loops pass: loop nests coalesced into one loop where every address stays a plain sum (affine level).

Each inner-loop exit and re-entry costs the circuit several cycles, so a 4x4
elementwise nest spends as long between rows as in them. Two perfectly nested
constant-bound loops (with the same iter_args passed straight through, as in
conv's reduction window) become one loop over the product of their trip
counts, the old induction variables `x floordiv B` and `x mod B`; pairs merge again
until the band is one loop or no pair is left that pays. That only pays
when the division disappears again: after the accesses are linearised here
(row-major, as `linearize_memrefs.py` does on the cf level, for memories that only
affine loads, stores and views use), `(x floordiv B) * B + x mod B` simplifies back to
`x`. A pair is coalesced only if every `floordiv` or `mod` left in it after
canonicalisation is by a power of two, which is a choice of wires, not a
divider (a transpose or a broadcast over other sizes keeps its loops). Loops
of one iteration (batch dimensions) are removed first.
"""

from __future__ import annotations

import re

from torch_mlir import ir

from backend.rtl.ir_walk import block_ops, owner_op
from backend.rtl.torch_side.linearize_memrefs import flatten_memories
from backend.rtl.torch_side.walk import ops_named
from common.ir_print import print_module
from common.torch_context import torch_mlir_context
from common.torch_pipeline import run_passes

_MAP_OPERANDS = {"affine.load": 1, "affine.store": 2}  # op -> position of the first map operand
_VIEWS = ("memref.subview", "memref.expand_shape", "memref.collapse_shape", "memref.cast")


def coalesce_loops(text: str) -> str:
    """`text` (affine loops) with every loop pair coalesced that needs no divider, innermost pairs first."""
    with torch_mlir_context():
        module = ir.Module.parse(text)
        linearize_memories(module)
        promote_single_iterations(module)
        text = print_module(module)
    failed: set[int] = set()  # pairs (by loop position) that stay apart; positions shift after a merge
    while True:
        with torch_mlir_context():
            module = ir.Module.parse(text)
            candidates = [i for i, loop in enumerate(_loops(module)) if _inner_of(loop) is not None and i not in failed]
        if not candidates:
            return text
        trial = _coalesced(text, candidates[0])
        if trial is None:
            failed.add(candidates[0])
        else:
            text, failed = trial, set()


def promote_single_iterations(module: ir.Module) -> int:
    """A loop of one iteration (a batch of 1, a 1-channel reduction) is its body with the induction variable 0,
    its iter_args the initial values and its results what the body yields; returns how many."""
    promoted = 0
    for loop in [owner_op(op) for op in ops_named(module, "affine.for")]:
        if trip_count(loop) != 1:
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


def linearize_memories(module: ir.Module) -> int:
    """Memories that only affine loads/stores and views use become one-dimensional; returns how many.

    Accesses through a view (subview, expand/collapse_shape, cast) address the
    memory itself: a memref type's strides and offset are relative to the
    underlying buffer, so `offset + sum(stride_k * index_k)` is the row-major
    address whatever view it came through, and the views go away.
    """
    return flatten_memories(module, _plain, _flatten_accesses)


def _plain(memory: ir.Value) -> bool:
    if not (isinstance(memory.type, ir.MemRefType) or str(memory.type).startswith("memref<")):
        return False
    uses = list(_tree_uses(memory))
    has_views = any(op.name in _VIEWS for op, _ in uses)
    return (ir.MemRefType(memory.type).rank >= 2 or has_views) and all(
        op.name in _VIEWS and number == 0 or op.name in _MAP_OPERANDS and number == _MAP_OPERANDS[op.name] - 1
        for op, number in uses)


def _tree_uses(memory: ir.Value):
    """(op, operand number) of every use of `memory` and of the views derived from it."""
    for use in memory.uses:
        op = owner_op(use.owner)
        yield op, use.operand_number
        if op.name in _VIEWS and use.operand_number == 0:
            yield from _tree_uses(op.results[0])


def _flatten_accesses(memory: ir.Value, shape: list[int]) -> None:
    """Each access's map (e0, ..., en) becomes offset + sum(stride_k * e_k) on `memory` (now one-dimensional)."""
    row_major = [1] * len(shape)
    for k in range(len(shape) - 2, -1, -1):
        row_major[k] = row_major[k + 1] * shape[k + 1]
    views: list[ir.Operation] = []

    def rewrite(value: ir.Value, strides: list[int], offset: int) -> None:
        for use in list(value.uses):
            op = owner_op(use.owner)
            if op.name in _VIEWS:
                views.append(op)
                rewrite(op.results[0], *ir.MemRefType(op.results[0].type).get_strides_and_offset())
                continue
            old = ir.AffineMapAttr(op.attributes["map"]).value
            linear = ir.AffineConstantExpr.get(offset)
            for expr, stride in zip(old.results, strides):
                linear = linear + expr * stride
            op.attributes["map"] = ir.AffineMapAttr.get(ir.AffineMap.get(old.n_dims, old.n_symbols, [linear]))
            op.operands[use.operand_number] = memory

    rewrite(memory, row_major, 0)
    for view in reversed(views):
        view.erase()


def _coalesced(text: str, position: int) -> str | None:
    """`text` with the loop at `position` (post-order) merged with the loop nested in it, or None."""
    with torch_mlir_context():
        module = ir.Module.parse(text)
        outer = _loops(module)[position]
        merged = _coalesce(outer, _inner_of(outer))
        merged.attributes["torch_circt.coalesced"] = ir.UnitAttr.get()
        run_passes(module, "builtin.module(func.func(canonicalize))")
        loop = next(loop for loop in _loops(module) if "torch_circt.coalesced" in loop.attributes)
        if any(divisor & (divisor - 1) for divisor in map(int, re.findall(r"(?:floordiv|mod) (\d+)", str(loop)))):
            return None
        del loop.attributes["torch_circt.coalesced"]
        module.operation.verify()
        return print_module(module)


def _coalesce(outer: ir.Operation, inner: ir.Operation) -> ir.Operation:
    """One loop over both trip counts (carrying the pair's iter_args); the old induction variables as affine.apply."""
    outer_trips, inner_trips = trip_count(outer), trip_count(inner)
    index = ir.IndexType.get()
    carried = [result.type for result in outer.results]
    with outer.location:
        def constant_map(value: int) -> ir.AffineMapAttr:
            return ir.AffineMapAttr.get(ir.AffineMap.get(0, 0, [ir.AffineConstantExpr.get(value)]))

        merged = ir.Operation.create(
            "affine.for", results=carried, operands=list(outer.operands), regions=1, ip=ir.InsertionPoint(outer),
            attributes={"lowerBoundMap": constant_map(0), "upperBoundMap": constant_map(outer_trips * inner_trips),
                        "step": ir.IntegerAttr.get(index, 1),
                        "operandSegmentSizes": ir.DenseI32ArrayAttr.get([0, 0, len(carried)])})
        body = ir.Block.create_at_start(merged.regions[0], [index, *carried], [outer.location] * (1 + len(carried)))
        d0 = ir.AffineDimExpr.get(0)
        for loop, expr in ((outer, ir.AffineExpr.get_floor_div(d0, inner_trips)), (inner, ir.AffineExpr.get_mod(d0, inner_trips))):
            apply = ir.Operation.create("affine.apply", results=[index], operands=[body.arguments[0]],
                                        ip=ir.InsertionPoint(body),
                                        attributes={"map": ir.AffineMapAttr.get(ir.AffineMap.get(1, 0, [expr]))})
            loop.regions[0].blocks[0].arguments[0].replace_all_uses_with(apply.results[0])
    for old, new in zip(list(inner.regions[0].blocks[0].arguments)[1:], list(body.arguments)[1:]):
        old.replace_all_uses_with(new)
    for op in block_ops(inner.regions[0].blocks[0]):
        body.append(op)
    for old, new in zip(outer.results, merged.results):
        old.replace_all_uses_with(new)
    outer.erase()
    return merged


def _inner_of(outer: ir.Operation) -> ir.Operation | None:
    """The loop perfectly nested in `outer` (both with constant bounds from 0, the iter_args passed straight
    through), or None."""
    ops = block_ops(outer.regions[0].blocks[0])
    if len(ops) != 2 or ops[0].name != "affine.for" or trip_count(outer) is None or trip_count(ops[0]) is None:
        return None
    inner, terminator = ops
    carried = list(outer.regions[0].blocks[0].arguments)[1:]
    passes_through = (list(inner.operands) == carried and list(terminator.operands) == list(inner.results))
    return inner if passes_through else None


def trip_count(loop: ir.Operation) -> int | None:
    """N for a loop `for i in 0..N step 1` with constant bounds; None for any other loop."""
    lower = ir.AffineMapAttr(loop.attributes["lowerBoundMap"]).value.results
    upper = ir.AffineMapAttr(loop.attributes["upperBoundMap"]).value.results
    if len(lower) != 1 or len(upper) != 1 or ir.IntegerAttr(loop.attributes["step"]).value != 1:
        return None
    try:
        low, high = ir.AffineConstantExpr(lower[0]).value, ir.AffineConstantExpr(upper[0]).value
    except ValueError:
        return None
    return high - low if low == 0 else None


def _loops(module: ir.Module) -> list[ir.Operation]:
    """Every affine.for, innermost first (post-order: stable across print and parse)."""
    return [owner_op(op) for op in ops_named(module, "affine.for")]
