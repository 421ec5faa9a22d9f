"""An ideal cycle count for the design: the work in the lowered loop nest at one iteration per cycle.

The RTL backend bufferizes the model and lowers linalg to loops inside its
`lower-to-affine` stage (then to `cf`). We take that stage's input
(linalg on memrefs), lower it to affine loops here the same way
(`convert-linalg-to-affine-loops`) and sum, over every innermost loop, the
product of the trip counts of it and its enclosing loops. A circuit that
started one innermost iteration every cycle, with no overlap between loop
nests, would need exactly that many cycles; the dataflow circuit CIRCT builds
today does not pipeline loops, so the ratio cycles / bound says how far from
that it is. Memory accesses (loads + stores in innermost bodies, weighted the
same way) are counted too, since the external memories have one port each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

from torch_mlir import ir

from common.torch_context import torch_mlir_context
from common.torch_pipeline import run_passes

LOOPS_PIPELINE = "builtin.module(func.func(convert-linalg-to-affine-loops))"


@dataclass(frozen=True)
class LoopWork:
    """Innermost iterations (the ideal cycle bound), loop nests and weighted memory accesses."""

    innermost_iterations: int
    loop_nests: int
    loads: int
    stores: int


def chained_work(works: Sequence[LoopWork]) -> LoopWork:
    """The loop work of circuits that each run their own loops (a dataflow chain's stages): all of it."""
    return LoopWork(*(sum(getattr(work, f.name) for work in works) for f in fields(LoopWork)))


def loop_work(memref_mlir: str) -> LoopWork:
    """Count the loop work of `memref_mlir` (linalg on memrefs, static shapes)."""
    with torch_mlir_context():
        module = ir.Module.parse(memref_mlir)
        run_passes(module, LOOPS_PIPELINE)
        totals = [0, 0, 0, 0]  # iterations, nests, loads, stores
        _walk(module.operation, 1, 0, totals)
    return LoopWork(*totals)


def _trip_count(loop: ir.Operation) -> int:
    def bound(name: str) -> int:
        results = ir.AffineMapAttr(loop.attributes[name]).value.results
        if len(results) != 1:
            raise ValueError("min/max loop bound")
        return ir.AffineConstantExpr(results[0]).value

    step = ir.IntegerAttr(loop.attributes["step"]).value
    return max(0, -(-(bound("upperBoundMap") - bound("lowerBoundMap")) // step))


def _walk(op: ir.Operation, multiplier: int, depth: int, totals: list[int]) -> bool:
    """Visit `op`'s regions; returns whether any affine.for was found inside."""
    found = False
    for region in op.regions:
        for block in region.blocks:
            for child in block.operations:
                child = child.operation
                name = child.name
                if name == "affine.for":
                    found = True
                    trips = multiplier * _trip_count(child)
                    if depth == 0:
                        totals[1] += 1
                    if not _walk(child, trips, depth + 1, totals):
                        totals[0] += trips
                elif name in ("affine.load", "memref.load"):
                    totals[2] += multiplier
                elif name in ("affine.store", "memref.store"):
                    totals[3] += multiplier
                elif child.regions and _walk(child, multiplier, depth, totals):
                    found = True
    return found
