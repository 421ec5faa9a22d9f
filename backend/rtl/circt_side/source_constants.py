"""The source-constants pass: every block-local constant fed by a `handshake.source` (handshake).

After `sink_constants.py` and the handshake lowering, a constant is triggered by
its block's control. Fed by a `handshake.source` it is always available and never
holds the block's control. The completion carrier's constants keep their
trigger: it is what they wait for (`completion_carrier.py`).
"""

from __future__ import annotations

from pycde.circt import ir

from backend.rtl.circt_side.completion_carrier import is_carrier
from backend.rtl.ir_walk import block_ops


def source_constants(module: ir.Module) -> int:
    """Feed every constant but the carrier's from its own `handshake.source`; returns how many."""
    sourced = 0
    for func in (op for op in block_ops(module.body) if op.name == "handshake.func"):
        for constant in block_ops(func.regions[0].blocks[0]):
            if constant.name != "handshake.constant" or is_carrier(constant.results[0].type):
                continue
            with ir.Location.unknown():
                source = ir.Operation.create("handshake.source", results=[ir.NoneType.get()],
                                             ip=ir.InsertionPoint(constant))
            constant.operands[0] = source.results[0]
            sourced += 1
    return sourced
