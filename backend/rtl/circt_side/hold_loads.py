"""The hold-loads pass: a load whose word its own memory may overwrite before every consumer took it keeps it, in a transparent buffer.

`lower-handshake-to-hw` reads an on-chip memory (`handshake.memory`)
combinationally: the load's data is the word at the address its port holds, and
the port holds the address until the data is taken. A store to that word in the
meantime changes the data under the waiting token. A fork that had given the
loaded value to one consumer (the smaller value, which tm_tensor.topk stores
back into its slot) and not yet to another (the larger one, which it carries on
to the next slot) gave the second the value just stored: kthvalue's insertion
into its k slots returned the minimum for every k. Which memories see it depends
on where the buffers happen to be (with a buffer on every channel the result was
right).

A one-slot transparent buffer (`fifo`) on the data of such a load takes the word
in the cycle it is read. It goes where the hazard is: a load from an on-chip
memory whose value reaches, in the same loop iteration, a store to that memory,
and also goes somewhere else (a second store, a value carried to the next
iteration), so that one store can fire while another consumer still waits.
Where every use of the loaded value leads to one store of the memory (an
accumulator's `m[i] = m[i] + x`), that store fires only once all of them have
taken the word, and nothing is added. (A buffer on every load of a written
memory added 4 % to 17 % cycles to designs with no hazard, a layer reading what
the one before it wrote.) Loads from ROMs and from external memories (the
harness answers from a queue) are left alone, and so is a load whose data already
has a buffer.
"""

from __future__ import annotations

from pycde.circt import ir

from backend.rtl.circt_side.throughput_buffers import new_buffer
from backend.rtl.ir_walk import block_ops, owner_op, producer_name

# Where a value leaves the iteration: to the next one (muxes and branches of the loop), or out of the circuit.
_CARRIED = ("handshake.mux", "handshake.cond_br", "handshake.control_merge", "handshake.memory", "handshake.extmemory",
            "handshake.return")


def hold_loads(module: ir.Module) -> int:
    """Buffer the data of every load from an on-chip memory that `_stores_back` names; returns the buffers added."""
    added = 0
    for func in (op for op in block_ops(module.body) if op.name == "handshake.func"):
        for load in [op for op in block_ops(func.regions[0].blocks[0]) if op.name == "handshake.load"]:
            position = len(load.operands) - 2  # handshake.load [addresses] data, control
            data = load.operands[position]
            if producer_name(data) == "handshake.memory" and _stores_back(load, owner_op(data.owner)):
                load.operands[position] = new_buffer(data, 1, ir.InsertionPoint(load), kind="fifo").results[0]
                added += 1
    return added


def _stores_back(load: ir.Operation, memory: ir.Operation) -> bool:
    """Whether the load's value reaches a store to `memory` and also goes elsewhere, or to two of its stores."""
    stores: set[int] = set()
    escapes = False
    seen: set[int] = set()
    work = [load.results[0]]
    while work:
        for use in work.pop().uses:
            op = owner_op(use.owner)
            if op.name == "handshake.store":
                if any(owner_op(u.owner) == memory for u in op.results[0].uses):
                    stores.add(hash(op))
                else:
                    escapes = True
            elif op.name in _CARRIED or not op.results:
                escapes = op.name != "handshake.sink" or escapes
            elif hash(op) not in seen:
                seen.add(hash(op))
                work.extend(op.results)
    return bool(stores) and (escapes or len(stores) > 1)

