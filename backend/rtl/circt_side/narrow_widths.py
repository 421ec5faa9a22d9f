"""The narrow-widths pass: every integer as wide as its values need, so CIRCT builds narrow hardware.

Ranges come from `value_ranges` (argument memories by element type, parameter
memories by their values). Then, on the cf function CIRCT is about to lower:

- a value whose range fits fewer bits than its type (an `index` is 64 bits in
  hardware) gets the narrow type: block arguments and loads of narrowed memories
  in place, ops rebuilt. Modular ops (add, sub, mul, and, or, xor, shl, select)
  compute in their result's width: the low bits of the result depend only on the
  low bits of the operands, and the exact result fits. Order-sensitive ops
  (shifts right, division, remainder, min/max, compare) compute in the widest of
  their operands and result; unsigned ones only on non-negative operands.
- an internal memory (`memref.alloc`) whose words need fewer bits gets narrow words.
- casts that keep the value (sign extension, an index cast, a truncation that
  fits) disappear; the value goes to each use in the type that use needs
  (sign-extended or truncated there, constants rebuilt in that type).
- argument memories, and what is stored to them, keep their types: the ports do not change.

Exact by construction: a value is narrowed only when every value it can take
fits; where PyTorch's integers can wrap, the range is the whole type and the
width stays.
"""

from __future__ import annotations

from pycde.circt import ir

from backend.rtl.attributes import Param
from backend.rtl.circt_side.completion_carrier import CARRIER_WIDTH
from backend.rtl.circt_side.demanded_bits import demanded_bits
from backend.rtl.circt_side.loop_deps import Cfg, successor_arguments
from backend.rtl.circt_side.ports import module_params, unused_memories
from backend.rtl.circt_side.value_ranges import Range, ValueRanges, integer_bits, value_ranges
from backend.rtl.ir_walk import block_ops, owner_op, producer_name
from common.records import ModelMetadata

MODULAR = {"arith.addi", "arith.subi", "arith.muli", "arith.andi", "arith.ori", "arith.xori", "arith.shli",
           "arith.select"}
ORDERED = {"arith.shrsi", "arith.shrui", "arith.divui", "arith.remui", "arith.divsi", "arith.remsi",
           "arith.maxsi", "arith.minsi", "arith.maxui", "arith.minui", "arith.cmpi"}
UNSIGNED = {"arith.shrui", "arith.divui", "arith.remui"}
SHIFTS = {"arith.shli", "arith.shrsi", "arith.shrui"}
# What the rewrite builds in exactly its result's width (a shift left may stay wide: see `_rebuild_compute`).
DEMAND_NARROWED = (MODULAR - SHIFTS) | {"memref.load"}
CASTS = {"arith.extsi", "arith.extui", "arith.trunci", "arith.index_cast", "arith.index_castui"}


def narrow_widths(module: ir.Module, metadata: ModelMetadata) -> int:
    """Narrow every function; returns how many values got a narrower type."""
    narrowed = 0
    for op in module.body.operations:
        func = op.operation
        if func.name != "func.func" or not func.regions[0].blocks:
            continue
        arguments = argument_ranges(list(func.regions[0].blocks[0].arguments), metadata, module_params(module),
                                    unused_memories(module))
        narrowed += _Rewrite(func, _within_demand(value_ranges(func, arguments), func)).run()
    return narrowed


def _within_demand(ranges: ValueRanges, func: ir.Operation) -> ValueRanges:
    """A value (or internal memory) of which fewer low bits are read than its range needs is computed in those
    bits (`demanded_bits`): its range becomes that width's, so the rewrite below narrows it and what computes it.
    Only values the rewrite then holds in that width: a loop-carried block argument (retyped), a load (truncated
    after it) and the result of a modular op it rebuilds in its result's width. A cast or an order-sensitive op's
    result keeps its true range, on which the rewrite decides whether a truncation keeps the value. And only values
    whose range is their whole type, the ones that wrap (an int32 sum in i64): a bounded range stays exact, which the
    rewrite's decisions on extensions rely on (a uint8 value in [0, 255] read as 8 bits would turn negative)."""
    values, memories = demanded_bits(func)
    wrapping = {}
    for block in list(func.regions[0].blocks)[1:]:
        wrapping |= {hash(argument): integer_bits(argument.type) for argument in block.arguments}
    for block in func.regions[0].blocks:
        wrapping |= {hash(op.results[0]): integer_bits(op.results[0].type) for op in block_ops(block)
                     if op.name in DEMAND_NARROWED}
        wrapping |= {hash(op.results[0]): integer_bits(ir.MemRefType(op.results[0].type).element_type)
                     for op in block_ops(block) if op.name == "memref.alloc"}
    for table, demands in ((ranges.values, values), (ranges.memories, memories)):
        for key, bits in demands.items():
            found = table.get(key)
            if found is not None and wrapping.get(key) == found.width and 2 <= bits < found.width:
                table[key] = Range.of_type(bits)
    return ranges


def argument_ranges(arguments: list[ir.Value], metadata: ModelMetadata, params: list[Param],
                    unused: set[int]) -> dict[int, Range]:
    """Parameter memories hold their known values; inputs and outputs anything their element type can."""
    positions = [p for p in range(len(metadata.args) + len(metadata.results) + len(params)) if p not in unused]
    ranges: dict[int, Range] = {}
    for position, argument in zip(positions, arguments):
        k = position - len(metadata.args) - len(metadata.results)
        bits = integer_bits(ir.MemRefType(argument.type).element_type) if isinstance(argument.type, ir.MemRefType) else None
        if k < 0 or bits is None or bits < 2 or not params[k].values:
            continue
        words = [_signed(v, bits) for v in params[k].values]
        ranges[hash(argument)] = Range(min(words), max(words))
    return ranges


def _signed(value: int, bits: int) -> int:
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


class _Rewrite:
    def __init__(self, func: ir.Operation, ranges) -> None:
        self.blocks = list(func.regions[0].blocks)
        self.cfg = Cfg.of(self.blocks)
        self.ranges = ranges
        self.original: dict[int, str] = {}
        for block in self.blocks:
            for value in (*block.arguments, *(r for op in block_ops(block) for r in op.results)):
                self.original[hash(value)] = str(value.type)
        self.replacement: dict[int, ir.Value] = {}
        self.casts: dict[tuple[int, str, int], ir.Value] = {}
        self.dead: list[ir.Operation] = []
        self.narrowed = 0

    def run(self) -> int:
        self._narrow_memories()
        for index, block in enumerate(self.blocks[1:], start=1):
            for position, argument in enumerate(block.arguments):
                width = self._argument_width(index, position, argument)
                if width is not None:
                    argument.set_type(_int(width))
                    self.narrowed += 1
        for index in _reverse_post_order(self.cfg.successors):
            for op in block_ops(self.blocks[index]):
                self._visit(op, index)
        for op in reversed(self.dead):
            op.erase()
        for block in self.blocks:
            for op in block_ops(block):
                if op.name == "arith.constant" and not list(op.results[0].uses):
                    op.erase()
        return self.narrowed

    # -- decisions --------------------------------------------------------------------------------
    def _width(self, value: ir.Value) -> int | None:
        """The narrow width `value`'s range allows, or None when it is no narrower than its type."""
        bits = integer_bits(value.type)
        found = self.ranges.of(value)
        if bits is None or bits < 2 or found is None or _width(found) >= bits:
            return None
        return _width(found)

    def _argument_width(self, index: int, position: int, argument: ir.Value) -> int | None:
        """As wide as the argument and every value passed in: a loop's `iv + step` then needs no cast
        (the next value after the last iteration is the exit value, so this is at most one bit more)."""
        bits = integer_bits(argument.type)
        if self._width(argument) is None:
            return None
        width = max(self._width(v) or integer_bits(v.type) for v in (argument, *self.cfg.incoming(index, position)))
        return width if width < bits else None

    def _held(self, value: ir.Value) -> int:
        """The width `value` has after the rewrite: a constant's range's, else its replacement's type's."""
        if producer_name(value) == "arith.constant":
            return self._width(value) or integer_bits(value.type)
        return integer_bits(self._current(value).type)

    def _range(self, value: ir.Value) -> Range:
        found = self.ranges.of(value)
        return found if found is not None else Range.of_type(integer_bits(value.type))

    def _narrow_memories(self) -> None:
        for block in self.blocks:
            for op in block_ops(block):
                if op.name != "memref.alloc":
                    continue
                memory = op.results[0]
                found = self.ranges.memories.get(hash(memory))
                kind = ir.MemRefType(memory.type)
                bits = integer_bits(kind.element_type)
                users = [owner_op(use.owner) for use in memory.uses]
                if found is None or bits is None or _width(found) >= bits or bits < 2 or not all(
                        (u.name == "memref.load" and hash(u.operands[0]) == hash(memory))
                        or (u.name == "memref.store" and hash(u.operands[1]) == hash(memory)
                            and hash(u.operands[0]) != hash(memory)) for u in users):
                    continue
                memory.set_type(ir.MemRefType.get(list(kind.shape), _int(_width(found)), loc=op.location))
                for user in users:
                    if user.name == "memref.load":
                        user.results[0].set_type(_int(_width(found)))
                self.narrowed += 1

    # -- rewriting ----------------------------------------------------------------------------------
    def _visit(self, op: ir.Operation, block: int) -> None:
        name = op.name
        if name == "arith.constant":
            return
        if name in MODULAR or name in ORDERED:
            if self._rebuild_compute(op, block):
                return
        elif name in CASTS:
            if self._rewrite_cast(op, block):
                return
        self._patch(op, block)
        self._narrow_result(op)

    def _rebuild_compute(self, op: ir.Operation, block: int) -> bool:
        name, result = op.name, op.results[0]
        values = [self._current(v) for v in op.operands]
        data = values[1:] if name == "arith.select" else values
        typed = op.operands[0] if name == "arith.cmpi" else result  # block arguments may be narrowed already
        original_bits = integer_bits(ir.Type.parse(self.original[hash(typed)]))
        if name in MODULAR:
            width = self._width(result)
        else:
            widths = [self._held(v) for v in op.operands]
            if name != "arith.cmpi":
                widths.append(self._width(result) or original_bits)
            width = max(widths)
            if name in UNSIGNED and not all(self._range(v).non_negative for v in op.operands[:1]):
                width = original_bits
            if name in UNSIGNED and not self._range(op.operands[1]).non_negative:
                width = original_bits
        if name in SHIFTS and width is not None and self._range(op.operands[1]).hi >= width:
            width = None
        if width is None or width >= original_bits:
            return False
        kind = _int(width)
        with ir.InsertionPoint(op), op.location:
            operands = [self._cast(v, kind, op, block) for v in data]
            if name == "arith.select":
                operands = [self._cast(values[0], ir.IntegerType.get_signless(1), op, block), *operands]
            results = [result.type if name == "arith.cmpi" else kind]
            attributes = {key: op.attributes[key] for key in op.attributes if key != "overflowFlags"}
            new = ir.Operation.create(name, results=results, operands=operands, attributes=attributes)
        self.replacement[hash(result)] = new.results[0]
        self.dead.append(op)
        if name != "arith.cmpi":
            self.narrowed += 1
        return True

    def _rewrite_cast(self, op: ir.Operation, block: int) -> bool:
        """A cast that keeps the value vanishes; one that changes it is rebuilt on its operand's new type."""
        (source,), result = op.operands, op.results[0]
        source_range = self._range(source)
        target_bits = integer_bits(result.type)
        keeps = {
            "arith.extsi": True,
            "arith.index_cast": source_range.fits(target_bits),
            "arith.trunci": source_range.fits(target_bits),
            "arith.extui": source_range.non_negative,
            "arith.index_castui": source_range.non_negative,
        }[op.name]
        if integer_bits(source.type) in (None, 1) and op.name != "arith.trunci":
            keeps = False
        if keeps and integer_bits(source.type) is not None:
            self.replacement[hash(result)] = self._current(source)
            self.dead.append(op)
            return True
        if op.name in ("arith.extui", "arith.index_castui"):
            before = ir.Type.parse(self.original[hash(source)])
            with ir.InsertionPoint(op), op.location:
                op.operands[0] = self._cast(self._current(source), before, op, block)
            return False
        current = self._current(source)
        if str(current.type) != self.original[hash(source)]:
            with ir.InsertionPoint(op), op.location:
                self.replacement[hash(result)] = self._cast(current, result.type, op, block)
            self.dead.append(op)
            return True
        return False

    def _narrow_result(self, op: ir.Operation) -> None:
        """A load whose value needs fewer bits than its memory's words: a truncation right after it."""
        if op.name != "memref.load":
            return
        result = op.results[0]
        width = self._width(result)
        if width is None or not isinstance(result.type, ir.IntegerType):
            return
        with ir.InsertionPoint.after(op), op.location:
            truncated = ir.Operation.create("arith.trunci", results=[_int(width)], operands=[result]).results[0]
        self.replacement[hash(result)] = truncated
        self.narrowed += 1

    def _patch(self, op: ir.Operation, block: int) -> None:
        """Give each operand the type this op needs: its original, a store's word, a successor's argument."""
        needs = [ir.Type.parse(self.original[hash(v)]) if hash(v) in self.original and integer_bits(v.type) else v.type
                 for v in op.operands]
        if op.name == "memref.store":
            needs[0] = ir.MemRefType(op.operands[1].type).element_type
        elif op.name in ("cf.br", "cf.cond_br"):
            for position, argument in successor_arguments(op).items():
                needs[position] = argument.type
        with ir.InsertionPoint(op), op.location:
            for position, value in enumerate(op.operands):
                new = self._cast(self._current(value), needs[position], op, block)
                if hash(new) != hash(value):
                    op.operands[position] = new

    def _current(self, value: ir.Value) -> ir.Value:
        return self.replacement.get(hash(value), value)

    def _cast(self, value: ir.Value, kind: ir.Type, before: ir.Operation, block: int) -> ir.Value:
        """`value` in type `kind` (the value fits it, or the user computes modulo its width)."""
        if str(value.type) == str(kind):
            return value
        key = (hash(value), str(kind), block)
        if key in self.casts:
            return self.casts[key]
        if producer_name(value) == "arith.constant" and integer_bits(kind) is not None:
            number = ir.IntegerAttr(owner_op(value.owner).attributes["value"]).value
            cast = ir.Operation.create("arith.constant", results=[kind], attributes={
                "value": ir.IntegerAttr.get(kind, _signed(number, integer_bits(kind)))}).results[0]
        else:
            cast = ir.Operation.create(_cast_op(value.type, kind), results=[kind], operands=[value]).results[0]
        self.casts[key] = cast
        return cast


def _width(found: Range) -> int:
    """The range's width, skipping the completion carrier's: its type must stay one no value has."""
    return found.width + 1 if found.width == CARRIER_WIDTH else found.width


def _cast_op(source: ir.Type, target: ir.Type) -> str:
    if isinstance(source, ir.IndexType) or isinstance(target, ir.IndexType):
        return "arith.index_cast"
    return "arith.extsi" if integer_bits(target) > integer_bits(source) else "arith.trunci"


def _int(width: int) -> ir.Type:
    return ir.IntegerType.get_signless(width)


def _reverse_post_order(successors: list[list[int]]) -> list[int]:
    """Blocks so that each comes after the blocks that dominate it (definitions before uses)."""
    order: list[int] = []
    seen: set[int] = set()

    def visit(block: int) -> None:
        seen.add(block)
        for successor in successors[block]:
            if successor not in seen:
                visit(successor)
        order.append(block)

    visit(0)
    unreachable = [b for b in range(len(successors)) if b not in seen]
    return [*reversed(order), *unreachable]
