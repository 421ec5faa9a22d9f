"""The throughput-buffers pass: buffers placed for throughput, after `handshake-insert-buffers` has broken every cycle.

`lower-handshake-to-hw` makes every fork, join, mux and branch combinational;
only buffers hold tokens, and a fork holds its input until every output has
been taken. A path that lags the loop control by a cycle (a store waiting for
its data, the completion carrier waiting for done tokens) therefore holds the
control's forks and throttles the loop. Three placements fix what
docs/rtl-cycles.md explains:

- no buffer on a `control_merge`'s index: the muxes' select then arrives in the
  cycle the merge fires (the buffers on the mux outputs still break the cycle);
- a 1-slot buffer on every store operand, so the store's address and control do
  not wait in the forks for its data;
- slack on the select of every mux and the condition of every branch whose
  data lags the control (`CARRIER_SLACK` slots for the completion carrier,
  `DATA_SLACK` for data, measured: more slots on data add latency to every
  entry of a short reduction loop): data computed from memory (loaded
  values, a scalar-replaced accumulator, the completion carrier, which waits
  for done tokens). The select and condition come from the loop control and
  arrive early; with slack they wait in a buffer instead of in the control's
  forks, and the lagging value may trail the loop by a few iterations.
  The done tokens the carrier waits for get one slot less (`DONE_SLACK`): a
  `seq` buffer of n slots is n registers in a row, so it delays a token by n
  cycles as well as holding n, and a done token comes a cycle after the
  control that issued its access (a memory answers the cycle after the
  address). With n slots on both, the carrier trailed the control by n + 1
  iterations while the select buffer held n: the control stalled one cycle in
  every 2n + 2 (every innermost loop at 9 iterations per 10 cycles).
- a 1-slot buffer on the data of a load from an on-chip memory (`handshake.memory`)
  whose value is combined with one loaded from an external memory or a ROM. The
  on-chip read is combinational (data in the cycle of the address) and its port
  takes the address only when the data is taken; the external read answers a
  cycle later. Without the buffer the on-chip port holds its address, the load
  its control, and the loop control's forks wait a cycle each iteration: a
  folded reduction (the input vector copied on chip, the weights in ROM banks)
  ran at two cycles per iteration. With it both operands arrive a cycle late.
"""

from __future__ import annotations

from pycde.circt import ir

from backend.rtl.circt_side.completion_carrier import COMPLETED, is_carrier
from backend.rtl.ir_walk import block_ops, owner_op, producer_name

CARRIER_SLACK = 4  # the carrier trails the loop by a few iterations (relu: 37 -> 30 cycles)
DATA_SLACK = 1  # a lagging data value trails by about one; more slots add latency per loop entry
DONE_SLACK = CARRIER_SLACK - 1  # a done token arrives a cycle after the select: both reach the carrier together


def throughput_buffers(module: ir.Module) -> int:
    """Apply the three placements to every handshake function; returns the buffers added or removed."""
    changed = 0
    for func in (op for op in block_ops(module.body) if op.name == "handshake.func"):
        body = func.regions[0].blocks[0]
        for merge in [op for op in block_ops(body) if op.name == "handshake.control_merge"]:
            changed += _unbuffer(merge.results[1])
        ops = block_ops(body)  # listed again: the buffers erased above must not be visited
        lagging = lagging_values(ops)
        changed += sum(_buffer_operand(load, len(load.operands) - 2, 1) for load in _early_loads(ops))
        for op in ops:
            if op.name == "handshake.store":
                changed += sum(_buffer_operand(op, i, 1) for i in range(len(op.operands)))
            elif op.name in ("handshake.mux", "handshake.cond_br") and any(hash(v) in lagging for v in op.operands[1:]):
                changed += _buffer_operand(op, 0, CARRIER_SLACK if is_carrier(op.results[0].type) else DATA_SLACK)
            elif _completed_mark(op):
                changed += _buffer_dones(op)
    return changed


def lagging_values(ops: list[ir.Operation], sources: set[int] | None = None) -> set[int]:
    """Data computed (at any distance) from `sources` (hashes of values), by default the loaded values and the
    carrier's completion marks.

    Control does not lag: a control merge never does, a mux or branch lags
    through its data (not its select or condition), a join only when everything
    it joins lags (the completion carrier's trigger, not a block's control).
    """
    if sources is None:
        sources = {hash(op.results[0]) for op in ops if op.name == "handshake.load" or _completed_mark(op)}
    lagging = set(sources)
    changed = True
    while changed:
        changed = False
        for op in ops:
            if op.name == "handshake.control_merge" or all(hash(r) in lagging for r in op.results):
                continue
            operands = [hash(v) in lagging for v in op.operands]
            if op.name in ("handshake.mux", "handshake.cond_br"):
                lags = any(operands[1:])
            elif op.name in ("handshake.join", "handshake.sync"):
                lags = all(operands)
            else:
                lags = any(operands)
            if lags:
                lagging |= {hash(r) for r in op.results}
                changed = True
    return lagging


def _early_loads(ops: list[ir.Operation]) -> list[ir.Operation]:
    """Loads from on-chip memories whose data meets, in one op of the same iteration, a value loaded from an external
    memory (a load whose data is a function argument after extmem-to-hw): the on-chip data arrives a cycle earlier."""
    loads = [op for op in ops if op.name == "handshake.load"]
    on_chip = [op for op in loads if producer_name(op.operands[len(op.operands) - 2]) == "handshake.memory"]
    if not on_chip:
        return []
    late: set[int] = set()
    for load in loads:
        if load not in on_chip:
            late |= _same_iteration(load.results[0])[0]
    early = []
    for load in on_chip:
        cone, reached = _same_iteration(load.results[0])
        if any(hash(v) in late and hash(v) not in cone for op in reached for v in op.operands):
            early.append(load)
    return early


def _same_iteration(value: ir.Value) -> tuple[set[int], list[ir.Operation]]:
    """The values computed from `value` in the same loop iteration, and the ops that read them: not through a loop's
    muxes and branches (a value loaded before a loop and carried into it), nor through a memory (a stored value)."""
    cone, reached, work = {hash(value)}, [], [value]
    while work:
        for use in work.pop().uses:
            op = owner_op(use.owner)
            if op.name in ("handshake.mux", "handshake.cond_br", "handshake.control_merge", "handshake.memory"):
                continue
            reached.append(op)
            for result in op.results:
                if hash(result) not in cone:
                    cone.add(hash(result))
                    work.append(result)
    return cone, reached


def _completed_mark(op: ir.Operation) -> bool:
    """The completion carrier's increment that memory done tokens trigger (`completion_carrier.COMPLETED`)."""
    return (op.name == "handshake.constant" and is_carrier(op.results[0].type)
            and ir.IntegerAttr(op.attributes["value"]).value == COMPLETED)


def _unbuffer(value: ir.Value) -> int:
    uses = [owner_op(use.owner) for use in value.uses]
    if len(uses) != 1 or uses[0].name != "handshake.buffer":
        return 0
    uses[0].results[0].replace_all_uses_with(value)
    uses[0].erase()
    return 1


def _buffer_dones(constant: ir.Operation) -> int:
    """Slack on the memory done tokens a carrier increment waits for (directly or through a join).
    A single done token comes straight from its memory port: a function argument after extmem-to-hw."""
    trigger = constant.operands[0].owner
    if not isinstance(trigger, ir.Block) and owner_op(trigger).name == "handshake.join":
        trigger = owner_op(trigger)
        return sum(_buffer_operand(trigger, i, DONE_SLACK) for i in range(len(trigger.operands)))
    return _buffer_operand(constant, 0, DONE_SLACK)


def _buffer_operand(op: ir.Operation, index: int, slots: int) -> int:
    value = op.operands[index]
    if producer_name(value) == "handshake.buffer":
        return 0
    op.operands[index] = new_buffer(value, slots, ir.InsertionPoint(op)).results[0]
    return 1


def new_buffer(value: ir.Value, slots: int, ip: ir.InsertionPoint, kind: str = "seq") -> ir.Operation:
    """A buffer of `slots` slots on `value`, its uses left to the caller: sequential (registered) by default,
    `kind="fifo"` for a transparent one."""
    with ir.Location.unknown():
        return ir.Operation.create(
            "handshake.buffer", results=[value.type], operands=[value],
            attributes={"bufferType": ir.Attribute.parse(f"#handshake<buffer_type_enum {kind}>"),
                        "slots": ir.IntegerAttr.get(ir.IntegerType.get_signless(32), slots)},
            ip=ip)
