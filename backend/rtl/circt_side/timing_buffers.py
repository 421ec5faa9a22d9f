"""The timing-buffers pass: registers around every multiplier of loaded data, so no combinational path holds two.

`lower-handshake-to-hw` makes every arithmetic op combinational; only buffers
hold tokens. A loaded value, what is computed from it (a requantisation's
rounding and clamp), its multiply (an ECP5 MULT18X18D takes about 4 ns
unregistered, more when its operands are wider than 18 bits) and what the
product feeds (an accumulating add, the next multiply) then form one path,
which limits the clock (docs/synthesis.md, "What limits the clock"). A 1-slot
buffer on each operand and on the product of such a multiply cuts it there,
the way the multiplier cell's input and output registers would.

A value behind k such cuts lags its loop's control by k more cycles. Every mux
and branch it reaches gets k more slots of slack on its select or condition,
and every store it reaches as many on its other operands (on top of what
`throughput-buffers`, which runs before, gave them), so the control runs ahead
instead of waiting in its forks, and a pipelined loop keeps its interval.
Multiplies by a constant are left alone (synthesis makes most of them shifts
and adds, and they are on no path worth a cycle: `y * 2` cost where_i32 27
cycles when cut), and so are multiplies of loop indices (addresses), which lead
the loop, and a multiply on its loop's recurrence (a running product), where a
register would cost a cycle per iteration.
"""

from __future__ import annotations

from pycde.circt import ir

from backend.rtl.circt_side.throughput_buffers import lagging_values, new_buffer
from backend.rtl.ir_walk import block_ops, owner_op, producer_name


def timing_buffers(module: ir.Module) -> int:
    """Cut around every multiply of loaded data, and slack where the cut values arrive; returns buffers added or grown."""
    changed = 0
    for func in (op for op in block_ops(module.body) if op.name == "handshake.func"):
        ops = block_ops(func.regions[0].blocks[0])
        lagging = lagging_values(ops)
        chosen = [op for op in ops if op.name == "arith.muli" and hash(op.results[0]) in lagging
                  and not any(map(_constant, op.operands)) and not _on_recurrence(op, ops)]
        cuts = []
        for op in chosen:  # chosen on the IR before any cut: `ops` lists none of the buffers cutting adds
            cuts += [_cut_operand(op, i) for i in range(2) if _computed(op.operands[i])]
            cuts.append(_cut_result(op))
        if not cuts:
            continue
        ops = block_ops(func.regions[0].blocks[0])
        lag = _lags(ops, {hash(cut.results[0]) for cut in cuts})
        for op in ops:
            if op.name in ("handshake.mux", "handshake.cond_br"):
                slots = max((lag.get(hash(v), 0) for v in op.operands[1:]), default=0)
                if slots:
                    _add_slots(op, 0, slots)
                    changed += 1
            elif op.name == "handshake.store":
                lags = [lag.get(hash(v), 0) for v in op.operands]
                for index, behind in enumerate(lags):
                    if behind < max(lags):
                        _add_slots(op, index, max(lags) - behind)
                        changed += 1
        changed += len(cuts)
    return changed


def _on_recurrence(op: ir.Operation, ops: list[ir.Operation]) -> bool:
    """Whether `op`'s result comes back to its own operands (a running product): a register there would cost a
    cycle on every iteration (cumprod_i32: 161 -> 192 cycles)."""
    downstream = lagging_values(ops, {hash(op.results[0])})
    return any(hash(v) in downstream for v in op.operands)


def _constant(value: ir.Value) -> bool:
    return producer_name(value) == "handshake.constant"


def _computed(value: ir.Value) -> bool:
    """A value combinational logic computes: not a register's (a buffer's), a constant's or a memory's output."""
    return producer_name(value) not in ("", "handshake.buffer", "handshake.constant", "handshake.load")


def _lags(ops: list[ir.Operation], cuts: set[int]) -> dict[int, int]:
    """How many cut buffers (`cuts`: their results' hashes) lie on the longest lagging path to each value (by
    hash), by the rules of `lagging_values`. Measured: following values out of their loop too (into the outer
    loop, the completion carrier, the next nest) gives fewer cycles than stopping at the branch that leaves it
    (matmul_i32 163 against 175, the digits MLP 3,113 against 3,172). Capped at the number of cuts, so that a cut
    on a loop's recurrence does not count forever."""
    lag: dict[int, int] = {}
    changed = True
    while changed:
        changed = False
        for op in ops:
            if op.name == "handshake.control_merge" or not op.results:
                continue
            counts = [lag.get(hash(v)) for v in op.operands]
            if op.name in ("handshake.mux", "handshake.cond_br"):
                counts = counts[1:]
            if op.name in ("handshake.join", "handshake.sync"):
                depth = None if None in counts or not counts else min(counts)
            else:
                depth = max((c for c in counts if c is not None), default=None)
            cut = hash(op.results[0]) in cuts
            if depth is None and not cut:
                continue
            depth = min((depth or 0) + cut, len(cuts))
            for result in op.results:
                if lag.get(hash(result), -1) < depth:
                    lag[hash(result)] = depth
                    changed = True
    return lag


def _cut_result(op: ir.Operation) -> ir.Operation:
    """A 1-slot buffer between `op`'s result and its uses."""
    value = op.results[0]
    uses = [(owner_op(use.owner), use.operand_number) for use in value.uses]
    buffer = new_buffer(value, 1, ir.InsertionPoint.after(op))
    for user, index in uses:
        user.operands[index] = buffer.results[0]
    return buffer


def _cut_operand(op: ir.Operation, index: int) -> ir.Operation:
    buffer = new_buffer(op.operands[index], 1, ir.InsertionPoint(op))
    op.operands[index] = buffer.results[0]
    return buffer


def _add_slots(op: ir.Operation, index: int, slots: int) -> None:
    """`slots` more slots on the buffer feeding operand `index`, or a buffer of them where there is none."""
    value = op.operands[index]
    if producer_name(value) == "handshake.buffer":
        buffer = owner_op(value.owner)
        slots += ir.IntegerAttr(buffer.attributes["slots"]).value
        buffer.attributes["slots"] = ir.IntegerAttr.get(ir.IntegerType.get_signless(32), slots)
    else:
        op.operands[index] = new_buffer(value, slots, ir.InsertionPoint(op)).results[0]
