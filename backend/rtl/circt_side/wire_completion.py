"""The wire-completion pass: the second half of the completion carrier, on handshake (`completion_carrier.py`).

In a block marked `COMPLETED`, the done tokens leave the control join and
trigger the carrier's constant instead, so the carrier (not the loop control)
collects completion, one iteration after another. At a `SEQUENCE` mark the
block's control waits for the carrier, so the next loop nest, and the
function's `done`, start only after every access before them has completed.
"""

from __future__ import annotations

from pycde.circt import ir

from backend.rtl.circt_side.completion_carrier import COMPLETED, SEQUENCE, is_carrier
from backend.rtl.ir_walk import block_ops, owner_op, producer_name


def wire_completion(module: ir.Module) -> int:
    """Move done tokens from control joins onto the carrier, and make `SEQUENCE` blocks wait; returns the marks wired."""
    wired = 0
    for func in (op for op in block_ops(module.body) if op.name == "handshake.func"):
        body = func.regions[0].blocks[0]
        for constant in [op for op in block_ops(body) if op.name == "handshake.constant" and is_carrier(op.results[0].type)]:
            mark = ir.IntegerAttr(constant.attributes["value"]).value
            control = constant.operands[0]
            if mark == COMPLETED:
                _release_join(block_ops(body), constant, control)
            elif mark == SEQUENCE:
                _wait_for_carrier(constant, control)
            wired += 1
    return wired


def _release_join(ops: list[ir.Operation], constant: ir.Operation, control: ir.Value) -> None:
    """The block's control join loses its done tokens; they trigger the carrier's increment instead. The joins
    that make an access of the block wait for earlier ones go: the nest's accesses never meet (`loop_deps`), and
    a store that must follow a load of its block waits for the loaded value anyway."""
    completion = [op for op in ops if op.name == "handshake.join" and op.operands[0] == control
                  and all(_is_done(d) for d in list(op.operands)[1:])]
    joins = [op for op in completion if not _orders_an_access(op)]
    for ordering in (op for op in completion if op not in joins):
        ordering.results[0].replace_all_uses_with(control)
        ordering.erase()
    if len(joins) != 1:
        raise ValueError(f"expected one memory-completion join on the block's control, found {len(joins)}")
    join = joins[0]
    dones = list(join.operands)[1:]
    join.results[0].replace_all_uses_with(control)
    with ir.Location.unknown():
        trigger = dones[0] if len(dones) == 1 else ir.Operation.create(
            "handshake.join", results=[join.results[0].type], operands=dones, ip=ir.InsertionPoint(join)).results[0]
    constant.operands[0] = trigger
    join.erase()


def _orders_an_access(join: ir.Operation) -> bool:
    """CIRCT's join that makes an access wait for an earlier one on the same memory in the block (kept)."""
    return all(owner_op(use.owner).name in ("handshake.load", "handshake.store") for use in join.results[0].uses)


def _wait_for_carrier(constant: ir.Operation, control: ir.Value) -> None:
    """Every other use of the block's control now waits for the marked carrier too."""
    (add,) = [owner_op(use.owner) for use in constant.results[0].uses]
    with ir.Location.unknown():
        join = ir.Operation.create("handshake.join", results=[control.type], operands=[control, add.results[0]],
                                   ip=ir.InsertionPoint(add))
    control.replace_all_uses_except(join.results[0], [constant, join])


def _is_done(value: ir.Value) -> bool:
    """A completion token of a memory (an extmemory/memory result of type none)."""
    return producer_name(value) in ("handshake.extmemory", "handshake.memory") and str(value.type) == "none"
