"""The completion-carrier pass: memory completion off the loop recurrence: a completion carrier, threaded in cf and wired in handshake.

CIRCT's `lower-cf-to-handshake` joins every load/store `done` token of a block
into that block's control token (`connectToMemory` hard-codes it), so the next
iteration of a loop cannot start before this one's memory accesses finish: two
of the six cycles of every iteration (docs/rtl-cycles.md). Ordering is
needed only where an access may depend on an earlier one. We keep it where it is
needed and drop it elsewhere, in two halves:

1. `completion_carrier` (this module) (cf, before the handshake lowering). A value of the
   carrier type (`i7`, a width no model produces) flows through every block as
   a block argument. In a loop nest whose iterations cannot depend on each other
   through memory (`loop_deps`), each block with memory accesses adds
   `COMPLETED` to it; every block outside loops except the entry adds
   `SEQUENCE` and later waits for the result. Nests that fail the check keep
   CIRCT's joins untouched: the carrier only passes through them.
2. `wire_completion` (`wire_completion.py`) (handshake, right after the lowering). In a block marked
   `COMPLETED`, the done tokens leave the control join and trigger the constant
   instead, so the carrier (not the loop control) collects completion, one
   iteration after another. At a `SEQUENCE` mark the block's control waits for
   the carrier, so the next loop nest, and the function's `done`, start only
   after every access before them has completed.

Which nests are independent is `loop_deps.independent_blocks`'s decision;
nests it cannot prove independent keep the old, safe form.
"""

from __future__ import annotations

from pycde.circt import ir

from backend.rtl.circt_side.loop_deps import Cfg, independent_blocks
from backend.rtl.ir_walk import block_ops

CARRIER_WIDTH = 7
COMPLETED = 1  # this block's memory accesses have completed
SEQUENCE = 2  # every access before this block has completed: the block's control waits for it


def completion_carrier(module: ir.Module) -> int:
    """Thread the carrier through every function; returns the blocks whose accesses left the control path."""
    return sum(_thread_function(op) for op in block_ops(module.body) if op.name == "func.func")


def _thread_function(func: ir.Operation) -> int:
    blocks = list(func.regions[0].blocks)
    if len(blocks) < 2:
        return 0
    _separate_nests(func)
    blocks = list(func.regions[0].blocks)
    cfg = Cfg.of(blocks)  # one analysis for both decisions
    released = independent_blocks(cfg)
    in_loop = cfg.in_loops()
    carrier = ir.IntegerType.get_signless(CARRIER_WIDTH)
    entry = blocks[0]
    with ir.Location.unknown():
        carried = [_constant(carrier, 0, ir.InsertionPoint.at_block_begin(entry))]
        carried += [block.add_argument(carrier, ir.Location.unknown()) for block in blocks[1:]]
        outgoing = []
        for index, block in enumerate(blocks):
            value = carried[index]
            if index in released:
                value = _add(value, COMPLETED, _terminator(block))
            elif index != 0 and index not in in_loop:
                value = _add(value, SEQUENCE, _first_op(block))
            outgoing.append(value)
        for index, block in enumerate(blocks):
            _pass_along(_terminator(block), outgoing[index])
    return len(released)


def _constant(kind: ir.Type, value: int, point: ir.InsertionPoint) -> ir.Value:
    return ir.Operation.create("arith.constant", results=[kind], attributes={"value": ir.IntegerAttr.get(kind, value)},
                               ip=point).results[0]


def _add(value: ir.Value, mark: int, before: ir.Operation) -> ir.Value:
    point = ir.InsertionPoint(before)
    mark_value = _constant(value.type, mark, point)
    return ir.Operation.create("arith.addi", results=[value.type], operands=[value, mark_value], ip=point).results[0]


def _pass_along(terminator: ir.Operation, value: ir.Value) -> None:
    """Append `value` to the operands every successor of `terminator` receives."""
    if terminator.successors:
        _rebuild_branch(terminator, list(terminator.successors), value)


def _separate_nests(func: ir.Operation) -> None:
    """An edge from one loop nest straight into another gets a block of its own: the sequence point between them.

    The canonicalizer forwards empty exit blocks, so one nest's exit can branch to
    the next nest's header; a nest's carrier would then never be waited for.
    """
    cfg = Cfg.of(list(func.regions[0].blocks))
    nest_of = {block: k for k, nest in enumerate(cfg.nests()) for block in nest}
    for index, block in enumerate(cfg.blocks):
        terminator = block_ops(block)[-1]
        targets = list(terminator.successors)
        for position, target in enumerate(targets):
            other = nest_of.get(cfg.successors[index][position])
            if index in nest_of and other is not None and other != nest_of[index]:
                arguments = [a.type for a in target.arguments]
                between = target.create_before(*arguments, arg_locs=[ir.Location.unknown()] * len(arguments))
                ir.Operation.create("cf.br", operands=list(between.arguments), successors=[target],
                                    ip=ir.InsertionPoint(between), loc=ir.Location.unknown())
                targets[position] = between
        if targets != list(terminator.successors):
            _rebuild_branch(terminator, targets, None)


def _rebuild_branch(terminator: ir.Operation, targets: list[ir.Block], extra: ir.Value | None) -> None:
    """`terminator` again, branching to `targets`, each successor also receiving `extra` when given."""
    operands = list(terminator.operands)
    if terminator.name == "cf.br":
        new_operands, attributes = [*operands, *([extra] if extra else [])], {}
    elif terminator.name == "cf.cond_br":
        sizes = [int(s) for s in ir.DenseI32ArrayAttr(terminator.attributes["operandSegmentSizes"])]
        added = [extra] if extra else []
        true_operands, false_operands = operands[1 : 1 + sizes[1]], operands[1 + sizes[1] :]
        new_operands = [operands[0], *true_operands, *added, *false_operands, *added]
        attributes = {"operandSegmentSizes": ir.DenseI32ArrayAttr.get([1, sizes[1] + len(added), sizes[2] + len(added)])}
    else:
        raise ValueError(f"cannot rebuild the branch '{terminator.name}' for the completion carrier")
    ir.Operation.create(terminator.name, operands=new_operands, successors=targets, attributes=attributes,
                        ip=ir.InsertionPoint(terminator), loc=ir.Location.unknown())
    terminator.erase()


def _terminator(block: ir.Block) -> ir.Operation:
    return block_ops(block)[-1]


def _first_op(block: ir.Block) -> ir.Operation:
    return block_ops(block)[0]


def is_carrier(kind: ir.Type) -> bool:
    return str(kind) == f"i{CARRIER_WIDTH}"
