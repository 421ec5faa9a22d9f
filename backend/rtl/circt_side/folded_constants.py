"""The folded-constants pass: a constant the handshake canonicalizer folded becomes a `handshake.constant` fed by a `handshake.source`.

The canonicalizer in "handshake-buffers" folds what only then looks constant,
such as `x == x` of a value that narrow-widths made the same on both sides (a
bool widened to int64, narrowed to int8 and compared with the int64: fuzz seed 41,
program 37), into an `arith.constant`, which has no control input and which
`lower-handshake-to-hw` refuses: the compile failed. A constant fed by its own
source is always available, as the folded value is.
"""

from __future__ import annotations

from pycde.circt import ir

from backend.rtl.ir_walk import block_ops


def folded_constants(module: ir.Module) -> int:
    """Replace every `arith.constant` in a handshake function; returns how many."""
    replaced = 0
    for func in (op for op in block_ops(module.body) if op.name == "handshake.func"):
        for constant in [op for op in block_ops(func.regions[0].blocks[0]) if op.name == "arith.constant"]:
            ip = ir.InsertionPoint(constant)
            with constant.location:
                source = ir.Operation.create("handshake.source", results=[ir.NoneType.get()], ip=ip)
                sourced = ir.Operation.create("handshake.constant", results=[constant.results[0].type],
                                              operands=[source.results[0]],
                                              attributes={"value": constant.attributes["value"]}, ip=ip)
            constant.results[0].replace_all_uses_with(sourced.results[0])
            constant.erase()
            replaced += 1
    return replaced
