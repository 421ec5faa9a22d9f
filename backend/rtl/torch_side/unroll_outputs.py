"""The unroll-outputs pass: the loop around a reduction computes up to `factor` outputs side by side (FINN's PE).

After scalar replacement a matmul or a convolution is `for o: r = (for k: acc + f(o, k)); store r at g(o)`:
one output at a time. Here the loop over o runs trips/P iterations (P the largest divisor of its trips up to
`factor`), and each runs ONE reduction loop that carries P accumulators, f(P*q + j, k) for every j side by
side, then stores the P results. A load the P terms share (the input vector's x[k], which does not depend on
o) is made once: the input is read in order through its one port, with no on-chip copy, so a layer costs its
reduction length per P outputs. The weights the terms read (row P*q + j) are banked as fold-reductions banks
them, row j of every P in bank j, one ROM per term.

Only a loop whose body is the reduction loop and plain ops around it is unrolled, and only where no memory it
reads is written inside it: the P outputs' loads, reductions and stores are then independent, and running
them side by side is the same computation. The reduction itself keeps its order, so floats are exact too.
The P results go to an on-chip memory (one store port each); a loop that stores into a memory interface of
the top (one port) is left alone.

P is `factor` for every such loop, one of `per_loop` per loop in walk order, or, for a target interval,
planned per loop together with the folds of the other reductions (`plan_widths`); the widths applied are
recorded on the module (`OUTPUTS_ATTR`) for the report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from torch_mlir import ir
from torch_mlir.dialects import affine

from backend.rtl.attributes import OUTPUTS_ATTR
from backend.rtl.ir_walk import block_ops, owner_op
from backend.rtl.torch_side.banking import linear_address
from backend.rtl.torch_side.coalesce_loops import trip_count
from backend.rtl.torch_side.fold_reductions import (
    ReductionNest,
    innermost_loops,
    nest_iterations,
    place_memories,
    plan_factors,
    reduction_nest,
    reduction_trips,
    retarget,
)
from backend.rtl.torch_side.walk import ops_named
from common.errors import UserError

_PLAIN = ("affine.load", "affine.store", "affine.apply", "affine.yield")


def unroll_outputs(module: ir.Module, factor: int, num_inputs: int, num_outputs: int, per_loop: Sequence[int] = (),
                   target_interval: int | None = None) -> None:
    """Unroll every eligible loop around a reduction (module docstring), then give each load a port of its own."""
    if factor < 1 or any(p < 1 for p in per_loop):
        raise ValueError(f"outputs side by side is a positive number, not {factor} {tuple(per_loop)}")
    first_param = num_inputs + num_outputs
    candidates = [(loop, inner) for loop in ops_named(module, "affine.for")
                  if (inner := _inner_reduction(loop)) is not None]
    if target_interval is not None:
        widths = plan_widths(module, candidates, first_param, target_interval)
    else:
        if per_loop and len(per_loop) != len(candidates):
            raise UserError(message=f"{len(per_loop)} numbers of outputs side by side given for {len(candidates)} loops "
                            "around a reduction that can take them", stage="unroll-outputs",
                            hint=f"give {len(candidates)} (one per such loop, in program order: the report lists their "
                            "widths), or one --unroll-outputs for all")
        widths = [_largest_divisor(trip_count(loop), p)
                  for (loop, _), p in zip(candidates, per_loop or [factor] * len(candidates))]
    loads: dict[int, int] = {}  # memory (hash) -> loads of it per iteration of an unrolled body
    for (loop, inner), width in zip(candidates, widths):
        if width > 1:
            for load in _jam(loop, inner, width):
                loads[hash(load.operands[0])] = width
    if candidates:
        module.operation.attributes[OUTPUTS_ATTR] = ir.DenseI64ArrayAttr.get(widths, module.context)
    if loads:
        with module.context, ir.Location.unknown():
            for func in ops_named(module, "func.func"):
                place_memories(module, owner_op(func), loads, first_param=first_param)


def _largest_divisor(trips: int, limit: int) -> int:
    """P for an output loop of `trips` asked for up to `limit`: the loop must run whole groups of P."""
    return max(d for d in range(1, min(limit, trips) + 1) if trips % d == 0)


def plan_widths(module: ir.Module, candidates: list[tuple[ir.Operation, ir.Operation]], first_param: int,
                target: int) -> list[int]:
    """Per candidate, the outputs side by side that `plan_factors` chooses for `target`, planned together with the
    folds of the other reductions (fold-reductions plans those again after this stage, with these widths fixed).

    Only a loop whose terms cost one port each side by side is planned (`_shares_or_banks`); the others keep
    one output at a time and may fold instead.
    """
    nests: list[ReductionNest] = []
    planned: dict[int, int] = {}  # candidate -> its nest
    fixed = 0
    for loop in innermost_loops(module):
        k = next((k for k, (outer, inner) in enumerate(candidates)
                  if inner == loop and _shares_or_banks(outer, inner, first_param)), None)
        if k is not None:
            planned[k] = len(nests)
            nests.append(ReductionNest((trip_count(candidates[k][0]),), nest_iterations(loop) or 0))
        elif (nest := reduction_nest(loop)) is not None:
            nests.append(nest)
        else:
            fixed += nest_iterations(loop) or 0
    factors = plan_factors(nests, fixed, target)
    return [factors[planned[k]] if k in planned else 1 for k in range(len(candidates))]


def _shares_or_banks(loop: ir.Operation, inner: ir.Operation, first_param: int) -> bool:
    """Whether every load of the reduction reads one address for all outputs (loaded once for them all) or a
    parameter (banked by row, a ROM per output): then P outputs side by side take the cycles of one."""
    moving = {hash(loop.regions[0].blocks[0].arguments[0])}
    for op in [*block_ops(loop.regions[0].blocks[0]), *block_ops(inner.regions[0].blocks[0])]:
        if any(hash(v) in moving for v in op.operands):
            moving.update(hash(r) for r in op.results)
    for load in ops_named(inner, "affine.load"):
        memory = load.operands[0]
        if any(hash(v) in moving for v in list(load.operands)[1:]) and not (
                isinstance(memory.owner, ir.Block) and ir.BlockArgument(memory).arg_number >= first_param):
            return False
    return True


def _inner_reduction(loop: ir.Operation) -> ir.Operation | None:
    """The reduction loop that is `loop`'s only loop, when everything else in `loop` is plain and `loop` writes no
    memory it reads; None otherwise."""
    if len(loop.results) or len(list(loop.operands)) or trip_count(loop) is None:
        return None
    ops = block_ops(loop.regions[0].blocks[0])
    loops = [op for op in ops if op.name == "affine.for"]
    if len(loops) != 1 or not reduction_trips(loops[0]):
        return None
    if not all(op.name in _PLAIN or (op.name.startswith("arith.") and not op.regions) for op in ops if op != loops[0]):
        return None
    before = ops[:ops.index(loops[0])]
    inside = [*ops, *block_ops(loops[0].regions[0].blocks[0])]
    stores = [op for op in inside if op.name == "affine.store"]
    written = {hash(op.operands[1]) for op in stores}
    if any(op.name == "affine.store" for op in before):
        return None
    iv = loop.regions[0].blocks[0].arguments[0]
    if any(op not in before or not _own_element(op, stores, iv)
           for op in inside if op.name == "affine.load" and hash(op.operands[0]) in written):
        return None
    # P stores need P ports: an on-chip memory has them, a memory interface of the top has one
    if any(isinstance(op.operands[1].owner, ir.Block) or owner_op(op.operands[1].owner).name != "memref.alloc"
           for op in stores):
        return None
    return loops[0]


def _own_element(load: ir.Operation, stores: list[ir.Operation], iv: ir.Value) -> bool:
    """Whether `load` reads, before the reduction, the element that every store of its memory writes after it, at an
    address that moves with the loop (c*o + terms without o, c != 0): an accumulator kept in memory, each output
    its own element, so no iteration reads what another writes."""
    indices = [hash(v) for v in list(load.operands)[1:]]
    if any(hash(store.operands[1]) == hash(load.operands[0]) and (
            str(store.attributes["map"]) != str(load.attributes["map"])
            or [hash(v) for v in list(store.operands)[2:]] != indices) for store in stores):
        return False
    if hash(iv) not in indices:
        return False
    form = linear_address(load)
    name = f"d{indices.index(hash(iv))}"
    moving = [t for t in form.terms if re.search(rf"\b{name}\b", str(t.expr))] if form is not None else []
    return len(moving) == 1 and str(moving[0].expr) == name and moving[0].coefficient != 0


def _jam(loop: ir.Operation, inner: ir.Operation, width: int) -> list[ir.Operation]:
    """Rewrite `loop` in place to trips/width iterations of `width` outputs; returns the loads of its new body."""
    body = loop.regions[0].blocks[0]
    iv = body.arguments[0]
    ops = block_ops(body)
    before, after = ops[:ops.index(inner)], ops[ops.index(inner) + 1:-1]
    with loop.context, loop.location:
        loop.attributes["upperBoundMap"] = ir.AffineMapAttr.get(ir.AffineMap.get_constant(trip_count(loop) // width))
        outputs = _copies(before, iv, width, ir.InsertionPoint(inner))
        jammed = _jammed_reduction(inner, iv, width, outputs)
        for j in range(width):
            outputs[j][hash(inner.results[0])] = jammed.results[j]
        _copies(after, iv, width, ir.InsertionPoint(ops[-1]), outputs)
        inner.erase()
    return ops_named(loop, "affine.load")


def _copies(ops: list[ir.Operation], iv: ir.Value, width: int, ip: ir.InsertionPoint,
            given: list[dict[int, ir.Value]] | None = None) -> list[dict[int, ir.Value]]:
    """`ops` for each output j (the originals become j = 0, so copies are cloned before they change); the value
    mapping of each j, starting from `given`."""
    mappings = [dict(m) for m in given] if given is not None else [{} for _ in range(width)]
    for j in [*range(1, width), 0]:
        for op in ops:
            copy = op if j == 0 else op.clone(ip)
            retarget(copy, iv, width, j, mappings[j])
            for old, new in zip(op.results, copy.results):
                mappings[j][hash(old)] = new
    return mappings


def _jammed_reduction(inner: ir.Operation, iv: ir.Value, width: int, outputs: list[dict[int, ir.Value]]) -> ir.Operation:
    """One reduction loop with `width` accumulators, output j's terms read at P*q + j; shared loads made once."""
    body = inner.regions[0].blocks[0]
    step, accumulator = body.arguments[0], body.arguments[1]
    init = inner.operands[0]
    jammed = affine.AffineForOp(ir.AffineMapAttr(inner.attributes["lowerBoundMap"]).value,
                                ir.AffineMapAttr(inner.attributes["upperBoundMap"]).value, inner.attributes["step"],
                                iter_args=[outputs[j].get(hash(init), init) for j in range(width)],
                                ip=ir.InsertionPoint(inner))
    new_body = jammed.regions[0].blocks[0]
    originals = block_ops(body)
    shared: dict[tuple, ir.Value] = {}
    yielded = []
    for j in range(width):
        mapping = {**outputs[j], hash(step): new_body.arguments[0], hash(accumulator): new_body.arguments[1 + j]}
        for op in originals[:-1]:
            copy = op.clone(ir.InsertionPoint(new_body))
            retarget(copy, iv, width, j, mapping)
            key = _load_key(copy)
            if key is not None and key in shared:
                mapping[hash(op.results[0])] = shared[key]
                copy.erase()
                continue
            if key is not None:
                shared[key] = copy.results[0]
            for old, new in zip(op.results, copy.results):
                mapping[hash(old)] = new
        yielded.append(mapping[hash(originals[-1].operands[0])])
    affine.AffineYieldOp(yielded, ip=ir.InsertionPoint(new_body))
    return jammed


def _load_key(op: ir.Operation) -> tuple | None:
    """What makes two loads of one iteration the same read: memory, map and indices (nothing writes in between)."""
    if op.name != "affine.load":
        return None
    return (hash(op.operands[0]), str(op.attributes["map"]), *(hash(v) for v in list(op.operands)[1:]))
