"""The sink-constants pass: constants that do not travel, cloned into the blocks that use them (cf).

`lower-cf-to-handshake` gives a value defined in one block and used in another a
path through every block in between: a constant defined in the entry block
and used in a loop body passes through each loop's muxes and forks, one token
per iteration, and arrives on a different cycle from the data it meets, which
stalls the loop (docs/rtl-cycles.md). Cloned into each using block
it is a block-local constant, which `source_constants.py` then feeds from
a `handshake.source`.
"""

from __future__ import annotations

from pycde.circt import ir

from backend.rtl.ir_walk import block_ops, owner_op


def sink_constants(module: ir.Module) -> int:
    """Clone every constant into each other block that uses it; returns the clones made."""
    clones = 0
    for func in (op for op in block_ops(module.body) if op.name == "func.func"):
        for block in func.regions[0].blocks:
            for constant in [op for op in block_ops(block) if op.name == "arith.constant"]:
                users: dict[int, list] = {}
                for use in constant.results[0].uses:
                    owner = owner_op(use.owner)
                    if owner.block != block:
                        users.setdefault(hash(owner.block), []).append((owner, use.operand_number))
                for uses in users.values():
                    block_of_use = uses[0][0].block
                    clone = constant.clone(ir.InsertionPoint.at_block_begin(block_of_use))
                    for owner, number in uses:
                        owner.operands[number] = clone.results[0]
                    clones += 1
            # now unused in its own block: the simplify stage's canonicalizer would have removed it
            for constant in [op for op in block_ops(block) if op.name == "arith.constant"]:
                if not list(constant.results[0].uses):
                    constant.erase()
    return clones
