"""Value ranges of a cf function's integers: what each value, and each internal memory's words, can hold.

Intervals in the signed view of each value's bits (an `index` is 64 bits, as CIRCT
builds it; an i1 is [-1, 0]). Sources: the element types of the argument
memories, the known values of the parameter memories, constants, and each op's
semantics. An op whose exact result could leave its type's range wraps, as
PyTorch's integers do: its range is then the whole type, so nothing downstream
can assume more than the hardware computes.

Loops: a loop header's argument updated as `a + d` on the back edge (an
induction variable, a reduction accumulator) after at most `trips` iterations
holds `init + trips * d`; `trips` comes from the header's induction variable
(`loop_deps`). A memory written by read-modify-write stores (`M[i] = M[i] + d`,
through such an accumulator) holds what its other stores write plus at most one
`d` per execution of those stores (the product of the enclosing loops' trips).
Anything else iterates to a fixpoint; a value still growing after `WIDEN_AFTER`
rounds becomes its whole type. Every conclusion is an over-approximation of what
the program can compute, for any input of the argument types.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pycde.circt import ir

from backend.rtl.circt_side.loop_deps import Cfg, depends_on, incoming_values
from backend.rtl.ir_walk import block_ops, owner_op, producer_name

INDEX_BITS = 64  # CIRCT's handshake-to-hw lowers `index` to i64
WIDEN_AFTER = 8
MAX_ROUNDS = 40


@dataclass(frozen=True)
class Range:
    lo: int
    hi: int

    @staticmethod
    def of_type(bits: int) -> Range:
        return Range(-(1 << (bits - 1)), (1 << (bits - 1)) - 1)

    def hull(self, other: Range | None) -> Range:
        return self if other is None else Range(min(self.lo, other.lo), max(self.hi, other.hi))

    def fits(self, bits: int) -> bool:
        return -(1 << (bits - 1)) <= self.lo and self.hi <= (1 << (bits - 1)) - 1

    @property
    def width(self) -> int:
        """The fewest bits that hold every value in two's complement."""
        return max(signed_width(self.lo), signed_width(self.hi))

    @property
    def non_negative(self) -> bool:
        return self.lo >= 0


def signed_width(value: int) -> int:
    return (value if value >= 0 else ~value).bit_length() + 1


def integer_bits(kind: ir.Type) -> int | None:
    """The hardware width of an integer or index type; None for anything else."""
    if isinstance(kind, ir.IndexType) or str(kind) == "index":
        return INDEX_BITS
    if isinstance(kind, ir.IntegerType) or str(kind).startswith("i"):
        try:
            return ir.IntegerType(kind).width
        except (ValueError, TypeError):
            return None
    return None


@dataclass
class ValueRanges:
    """Ranges by value hash, and by internal memory (the hash of its `memref.alloc` result)."""

    values: dict[int, Range] = field(default_factory=dict)
    memories: dict[int, Range] = field(default_factory=dict)

    def of(self, value: ir.Value) -> Range | None:
        return self.values.get(hash(value))


def value_ranges(func: ir.Operation, arguments: dict[int, Range]) -> ValueRanges:
    """Ranges of every integer value of `func` (a cf function); `arguments` gives each argument memory's words."""
    return _Analysis(func, arguments).run()


class _Analysis:
    def __init__(self, func: ir.Operation, arguments: dict[int, Range]) -> None:
        self.blocks = list(func.regions[0].blocks)
        self.cfg = Cfg.of(self.blocks)
        self.trips = {iv.header: iv.trips for iv in self.cfg.ivs.values() if self._enters_on_true(iv.header)}
        self.arguments = dict(arguments)
        self.result = ValueRanges()
        self.frozen: set[int] = set()
        self.stores: dict[int, list[tuple[int, ir.Operation]]] = {}
        self.allocs: dict[int, ir.Value] = {}
        for index, block in enumerate(self.blocks):
            for op in block_ops(block):
                if op.name == "memref.alloc" and _element_bits(op.results[0]) is not None:
                    self.allocs[hash(op.results[0])] = op.results[0]
                if op.name == "memref.store":
                    self.stores.setdefault(hash(op.operands[1]), []).append((index, op))
        self.taint = self._taint()

    def _enters_on_true(self, header: int) -> bool:
        """The header's `cond_br` stays in the loop when the compare holds: what the trip count assumes."""
        inside, outside = self.cfg.successors[header]
        return inside in self.cfg.loops[header] and outside not in self.cfg.loops[header]

    def run(self) -> ValueRanges:
        """Settle; then every value still unknown (a cycle nothing enters) becomes its whole type, and settle again."""
        self._settle()
        for block in self.blocks:
            for value in (*block.arguments, *(r for op in block_ops(block) for r in op.results)):
                bits = integer_bits(value.type)
                if bits is not None and hash(value) not in self.result.values:
                    self.result.values[hash(value)] = Range.of_type(bits)
                    self.frozen.add(hash(value))
        self._settle()
        return self.result

    def _settle(self) -> None:
        for round_number in range(MAX_ROUNDS):
            if not self._round(widen=round_number >= WIDEN_AFTER):
                return
        raise RuntimeError("value ranges did not settle")  # unreachable: growing values widen to whole types

    # -- one pass over the function -------------------------------------------------------------
    def _round(self, widen: bool) -> bool:
        changed = False
        for index, block in enumerate(self.blocks):
            for position, argument in enumerate(block.arguments):
                changed |= self._set(argument, self._argument(index, position, argument), widen)
            for op in block_ops(block):
                if len(op.results) == 1:
                    changed |= self._set(op.results[0], self._transfer(op), widen)
        for memory, alloc in self.allocs.items():
            if memory in self.frozen:
                continue
            new = self._memory(memory, alloc)
            old = self.result.memories.get(memory)
            if new is not None and not new.fits(_element_bits(alloc)):
                new = _whole_memory(alloc)
            if new != old and new is not None:
                if widen and old is not None:
                    new = _whole_memory(alloc)
                    self.frozen.add(memory)
                self.result.memories[memory] = new
                changed = True
        return changed

    def _set(self, value: ir.Value, new: Range | None, widen: bool) -> bool:
        bits = integer_bits(value.type)
        key = hash(value)
        if bits is None or new is None or key in self.frozen:
            return False
        if not new.fits(bits):
            new = Range.of_type(bits)
        old = self.result.values.get(key)
        if new == old:
            return False
        if widen and old is not None:
            new = Range.of_type(bits)
            self.frozen.add(key)
        self.result.values[key] = new
        return True

    def _range(self, value: ir.Value) -> Range | None:
        return self.result.values.get(hash(value))

    # -- block arguments ------------------------------------------------------------------------
    def _argument(self, index: int, position: int, argument: ir.Value) -> Range | None:
        entries, latches = [], []
        block = self.blocks[index]
        for pred in range(len(self.blocks)):
            if index not in self.cfg.successors[pred]:
                continue
            in_loop = index in self.cfg.loops and pred in self.cfg.loops[index]
            for incoming in incoming_values(self.blocks[pred], block, position):
                (latches if in_loop else entries).append(incoming)
        if index in self.trips and latches and entries:
            steps = [self._step(incoming, argument) for incoming in latches]
            if all(step is not None for step in steps):
                init = _hull(self._range(v) for v in entries)
                if init is None:
                    return None
                trips = self.trips[index]
                return Range(init.lo + trips * min(0, *(s.lo for s in steps)),
                             init.hi + trips * max(0, *(s.hi for s in steps)))
        return _hull(self._range(v) for v in (*entries, *latches))

    def _step(self, incoming: ir.Value, argument: ir.Value) -> Range | None:
        """d when `incoming` is `argument + d` or `argument - d` with d independent of `argument`."""
        name = producer_name(incoming)
        if name not in ("arith.addi", "arith.subi"):
            return None
        a, b = owner_op(incoming.owner).operands
        key = hash(argument)
        if hash(a) == key and not depends_on(self.cfg, b, key, set()):
            d = self._range(b)
            return None if d is None else (d if name == "arith.addi" else Range(-d.hi, -d.lo))
        if name == "arith.addi" and hash(b) == key and not depends_on(self.cfg, a, key, set()):
            return self._range(a)
        return None

    # -- memories -------------------------------------------------------------------------------
    def _memory(self, memory: int, alloc: ir.Value) -> Range | None:
        """Base stores' hull plus one step per read-modify-write execution; None while a base store is unknown."""
        stores = self.stores.get(memory, [])
        if not stores:
            return _whole_memory(alloc)  # read but never written: nothing to assume
        current = self.result.memories.get(memory)
        base: Range | None = None
        growth_lo = growth_hi = 0
        for block, store in stores:
            value = store.operands[0]
            stored = self._range(value)
            reads_itself = memory in self.taint.get(hash(value), ())
            if stored is None:
                if reads_itself:
                    continue
                return current
            if reads_itself and current is not None and self._linear(value, memory, set()):
                executions = self._executions(block)
                if executions is None:
                    return _whole_memory(alloc)
                growth_lo += executions * min(0, stored.lo - current.lo)
                growth_hi += executions * max(0, stored.hi - current.hi)
            else:
                base = stored.hull(base)
        if base is None:
            return _whole_memory(alloc)  # only read-modify-writes: the words start undefined
        return Range(base.lo + growth_lo, base.hi + growth_hi)

    def _executions(self, block: int) -> int | None:
        count = 1
        for header in self.cfg.enclosing(block):
            if header not in self.trips:
                return None
            count *= self.trips[header] + 1
        return count

    def _linear(self, value: ir.Value, memory: int, seen: set[int]) -> bool:
        """`value` is a load of `memory` plus terms that do not read it (through adds, subtracts and block arguments)."""
        key = hash(value)
        if key in seen:
            return True
        seen.add(key)
        name = producer_name(value)
        if name == "memref.load":
            return hash(owner_op(value.owner).operands[0]) == memory
        if name in ("arith.addi", "arith.subi"):
            a, b = owner_op(value.owner).operands
            if memory not in self.taint.get(hash(b), ()):
                return self._linear(a, memory, seen)
            return name == "arith.addi" and memory not in self.taint.get(hash(a), ()) and self._linear(b, memory, seen)
        if name:
            return False
        return all(self._linear(incoming, memory, seen) for incoming in self.cfg.passed_in(value))

    def _taint(self) -> dict[int, frozenset[int]]:
        """The internal memories whose loads each value is computed from."""
        taint: dict[int, frozenset[int]] = {}
        changed = True
        while changed:
            changed = False
            for index, block in enumerate(self.blocks):
                for position, argument in enumerate(block.arguments):
                    sources = frozenset().union(*(taint.get(hash(v), frozenset())
                                                  for v in self.cfg.incoming(index, position)))
                    changed |= _grow(taint, hash(argument), sources)
                for op in block_ops(block):
                    if len(op.results) != 1:
                        continue
                    sources = frozenset().union(*(taint.get(hash(v), frozenset()) for v in op.operands))
                    if op.name == "memref.load" and hash(op.operands[0]) in self.allocs:
                        sources |= {hash(op.operands[0])}
                    changed |= _grow(taint, hash(op.results[0]), sources)
        return taint

    # -- ops ------------------------------------------------------------------------------------
    def _transfer(self, op: ir.Operation) -> Range | None:
        result = op.results[0]
        bits = integer_bits(result.type)
        if bits is None:
            return None
        if bits == 1:
            return Range(-1, 0)
        name = op.name
        if name == "arith.constant":
            return _constant(op)
        if name == "memref.load":
            memory = hash(op.operands[0])
            if memory in self.allocs:
                return self.result.memories.get(memory)
            if memory in self.stores:
                return Range.of_type(bits)  # written by the circuit: no longer (only) its known values
            return self.arguments.get(memory, Range.of_type(bits))
        rule = _RULES.get(name)
        if rule is None:
            return Range.of_type(bits)
        operands = [self._range(v) for v in op.operands]
        if name == "arith.select":
            operands = operands[1:]
        if any(r is None for r in operands):
            return None
        return rule(operands, bits, op)


def _hull(ranges) -> Range | None:
    result = None
    for r in ranges:
        if r is not None:
            result = r.hull(result)
    return result


def _grow(table: dict[int, frozenset[int]], key: int, sources: frozenset[int]) -> bool:
    old = table.get(key, frozenset())
    if sources <= old:
        return False
    table[key] = old | sources
    return True


def _element_bits(memory: ir.Value) -> int | None:
    return integer_bits(ir.MemRefType(memory.type).element_type)


def _whole_memory(memory: ir.Value) -> Range:
    return Range.of_type(_element_bits(memory))


def _constant(op: ir.Operation) -> Range | None:
    attribute = op.attributes["value"]
    try:
        value = ir.IntegerAttr(attribute).value
    except (ValueError, TypeError):
        return None
    return Range(value, value)


def _corners(a: Range, b: Range, f) -> Range:
    values = [f(x, y) for x in (a.lo, a.hi) for y in (b.lo, b.hi)]
    return Range(min(values), max(values))


def _shift_amount_ok(amount: Range, bits: int) -> bool:
    return amount.lo >= 0 and amount.hi < bits


def _shl(r, bits, op):
    a, s = r
    return _corners(a, s, lambda x, y: x << y) if _shift_amount_ok(s, bits) else Range.of_type(bits)


def _shrsi(r, bits, op):
    a, s = r
    return _corners(a, s, lambda x, y: x >> y) if _shift_amount_ok(s, bits) else Range.of_type(bits)


def _shrui(r, bits, op):
    a, s = r
    if a.non_negative:
        return _shrsi(r, bits, op)
    return Range(0, (1 << (bits - s.lo)) - 1) if _shift_amount_ok(s, bits) and s.lo >= 1 else Range.of_type(bits)


def _and(r, bits, op):
    a, b = r
    if a.non_negative and b.non_negative:
        return Range(0, min(a.hi, b.hi))
    if a.non_negative or b.non_negative:
        return Range(0, a.hi if a.non_negative else b.hi)
    return Range.of_type(max(a.width, b.width))


def _or_xor(r, bits, op):
    a, b = r
    width = max(a.width, b.width)
    if a.non_negative and b.non_negative:
        return Range(0, (1 << (width - 1)) - 1)
    return Range.of_type(width)


def _unsigned_div(r, bits, op):
    a, b = r
    if not (a.non_negative and b.non_negative):
        return Range.of_type(bits)
    return Range(a.lo // max(b.hi, 1), a.hi // max(b.lo, 1))


def _unsigned_rem(r, bits, op):
    a, b = r
    if not (a.non_negative and b.non_negative):
        return Range.of_type(bits)
    return Range(0, max(0, min(a.hi, b.hi - 1)))


def _signed_rem(r, bits, op):
    a, b = r
    limit = max(abs(b.lo), abs(b.hi)) - 1
    magnitude = max(0, min(limit, max(abs(a.lo), abs(a.hi))))
    return Range(-magnitude if a.lo < 0 else 0, magnitude if a.hi > 0 else 0)


def _signed_div(r, bits, op):
    a, b = r
    magnitude = max(abs(a.lo), abs(a.hi))
    return Range(-magnitude, magnitude)


def _extui(r, bits, op):
    (a,) = r
    source = integer_bits(op.operands[0].type)
    return a if a.non_negative else Range(0, (1 << source) - 1)


def _index_castui(r, bits, op):
    (a,) = r
    return a if a.non_negative else Range.of_type(bits)


def _unsigned_minmax(pick):
    def rule(r, bits, op):
        a, b = r
        return Range(pick(a.lo, b.lo), pick(a.hi, b.hi)) if a.non_negative and b.non_negative else a.hull(b)
    return rule


_RULES = {
    "arith.addi": lambda r, bits, op: Range(r[0].lo + r[1].lo, r[0].hi + r[1].hi),
    "arith.subi": lambda r, bits, op: Range(r[0].lo - r[1].hi, r[0].hi - r[1].lo),
    "arith.muli": lambda r, bits, op: _corners(r[0], r[1], lambda x, y: x * y),
    "arith.andi": _and,
    "arith.ori": _or_xor,
    "arith.xori": _or_xor,
    "arith.shli": _shl,
    "arith.shrsi": _shrsi,
    "arith.shrui": _shrui,
    "arith.divui": _unsigned_div,
    "arith.remui": _unsigned_rem,
    "arith.divsi": _signed_div,
    "arith.remsi": _signed_rem,
    "arith.maxsi": lambda r, bits, op: Range(max(r[0].lo, r[1].lo), max(r[0].hi, r[1].hi)),
    "arith.minsi": lambda r, bits, op: Range(min(r[0].lo, r[1].lo), min(r[0].hi, r[1].hi)),
    "arith.maxui": _unsigned_minmax(max),
    "arith.minui": _unsigned_minmax(min),
    "arith.select": lambda r, bits, op: r[0].hull(r[1]),
    "arith.extsi": lambda r, bits, op: r[0],
    "arith.extui": _extui,
    "arith.trunci": lambda r, bits, op: r[0],
    "arith.index_cast": lambda r, bits, op: r[0],
    "arith.index_castui": _index_castui,
}
