"""Which loop nests of a cf function may run their memory accesses without waiting for each other.

The completion carrier (`completion_carrier.py`) lets an iteration start before the
previous one's loads and stores have completed. That is sound for a loop nest
when no iteration can touch a location another iteration writes. We decide it
per memory, on the cf form CIRCT lowers (linearised, one-dimensional
memories; loops from `scf.for`, so every loop header has an induction
variable `iv` with `cmpi slt iv, N`, a constant start and a constant step):

- a memory only read in the nest is safe;
- a memory written by a single store and not read in the nest is safe: its one
  port applies the writes in iteration order;
- a memory written by several stores in one block and not read in the nest is
  safe when no two writes of the nest, by any store in any iteration, reach the
  same address: the addresses share their induction-variable coefficients and
  differ by constant offsets in steps of one stride, and that stride with the
  stores' count passes the same mixed-radix condition as a loop (unroll-outputs'
  P results of one iteration, stored at P*q + j);
- otherwise every access must use the same address, an affine function of the
  induction variables whose value differs between any two executions of the
  accesses' blocks (checked as a mixed-radix condition on the coefficients),
  there must be one load and one store, and the stored value must depend on
  the loaded one, so that within one iteration the store cannot overtake the
  load. This is the shape of a scalar-replaced accumulator (load before the
  reduction loop, store after it).

Anything the analysis cannot read (an address through a division, a loop
without a recognisable induction variable) makes the nest keep CIRCT's
ordering.
"""

from __future__ import annotations

from dataclasses import dataclass

from pycde.circt import ir

from backend.rtl.ir_walk import block_ops, owner_op, producer_name

ACCESSES = {"memref.load": 0, "memref.store": 1}  # op -> operand index of its memref


@dataclass(frozen=True)
class InductionVariable:
    header: int  # block index of the loop header
    start: int
    step: int
    trips: int


@dataclass
class Cfg:
    """Blocks by index, their successors, natural loops and induction variables."""

    blocks: list[ir.Block]
    successors: list[list[int]]
    loops: dict[int, set[int]]  # header -> blocks of its natural loop
    ivs: dict[int, InductionVariable]  # hash of the block argument -> its induction variable

    @classmethod
    def of(cls, blocks: list[ir.Block]) -> Cfg:
        successors = [[_index_of(blocks, s) for s in block_ops(b)[-1].successors] for b in blocks]
        cfg = cls(blocks, successors, {}, {})
        for tail, header in _back_edges(successors):
            body = cfg.loops.setdefault(header, {header})
            body |= _reaching(successors, tail, header)
        for header in cfg.loops:
            iv = _induction_variable(cfg, header)
            if iv is not None:
                cfg.ivs[hash(blocks[header].arguments[iv[0]])] = iv[1]
        return cfg

    def nests(self) -> list[set[int]]:
        """Outermost loops (a nest holds the loops inside it)."""
        return [body for header, body in self.loops.items()
                if not any(header in other and h != header for h, other in self.loops.items())]

    def in_loops(self) -> set[int]:
        return set().union(*self.loops.values())

    def enclosing(self, block: int) -> list[int]:
        return [header for header, body in self.loops.items() if block in body]

    def incoming(self, index: int, position: int) -> list[ir.Value]:
        """Every value a predecessor passes into argument `position` of block `index`."""
        return [value for pred in range(len(self.blocks)) if index in self.successors[pred]
                for value in incoming_values(self.blocks[pred], self.blocks[index], position)]

    def passed_in(self, argument: ir.Value) -> list[ir.Value]:
        """`incoming` for a block argument given as the value itself."""
        block = argument.owner
        position = next(i for i, arg in enumerate(block.arguments) if hash(arg) == hash(argument))
        return self.incoming(_index_of(self.blocks, block), position)


def independent_blocks(cfg: Cfg) -> set[int]:
    """Blocks with memory accesses in nests whose iterations are independent (see the module docstring)."""
    released: set[int] = set()
    for nest in cfg.nests():
        accesses = [(i, op) for i in sorted(nest) for op in block_ops(cfg.blocks[i]) if op.name in ACCESSES]
        by_memory: dict[int, list[tuple[int, ir.Operation]]] = {}
        for block, op in accesses:
            by_memory.setdefault(hash(op.operands[ACCESSES[op.name]]), []).append((block, op))
        if accesses and all(_memory_independent(cfg, group) for group in by_memory.values()):
            released |= {block for block, _ in accesses}
    return released


def _memory_independent(cfg: Cfg, accesses: list[tuple[int, ir.Operation]]) -> bool:
    loads = [op for _, op in accesses if op.name == "memref.load"]
    stores = [op for _, op in accesses if op.name == "memref.store"]
    if not loads:
        return len(stores) == 1 or _distinct_stores(cfg, accesses)
    if not stores:
        return True
    if len(loads) != 1 or len(stores) != 1:
        return False
    (load_block, load), (store_block, store) = sorted(accesses, key=lambda a: a[1].name)
    address = linear(cfg, load.operands[1])
    if address is None or address != linear(cfg, store.operands[2]):
        return False
    if not depends_on(cfg, store.operands[0], hash(load.results[0]), set()):
        return False
    return all(_injective(cfg, address, cfg.enclosing(block)) for block in (load_block, store_block))


def _distinct_stores(cfg: Cfg, stores: list[tuple[int, ir.Operation]]) -> bool:
    """Stores of one block whose addresses are `base + offset_j`, the offsets `c + j * d` for j = 0..n-1, and no two
    (iteration, j) pairs of the nest give one address: `d` checked as one more loop of n trips."""
    if len({block for block, _ in stores}) != 1:
        return False
    addresses = [linear(cfg, op.operands[2]) for _, op in stores]
    if any(address is None for address in addresses):
        return False
    bases = [{key: c for key, c in address.items() if key != 0 and c != 0} for address in addresses]
    if any(base != bases[0] for base in bases):
        return False
    offsets = sorted(address.get(0, 0) for address in addresses)
    stride = offsets[1] - offsets[0]
    if stride == 0 or any(b - a != stride for a, b in zip(offsets, offsets[1:])):
        return False
    return _injective(cfg, bases[0], cfg.enclosing(stores[0][0]), ((stride, len(offsets)),))


def _injective(cfg: Cfg, address: dict[int, int], headers: list[int], extra: tuple[tuple[int, int], ...] = ()) -> bool:
    """Distinct iterations of the loops `headers` give distinct addresses; with `extra` (stride, trips) pseudo-loops,
    distinct iterations of those too."""
    ivs = {key: iv for key, iv in cfg.ivs.items() if iv.header in headers}
    if len(ivs) != len(headers) or any(key not in ivs for key, c in address.items() if key != 0 and c != 0):
        return False
    strides = sorted([*((abs(address.get(key, 0) * iv.step), iv.trips) for key, iv in ivs.items()), *extra])
    reach = 0  # the largest address difference the smaller strides can make
    for stride, trips in strides:
        if trips > 1 and stride <= reach:
            return False
        reach += stride * (trips - 1)
    return True


def linear(cfg: Cfg, value: ir.Value) -> dict[int, int] | None:
    """`value` as {induction variable: coefficient, 0: constant}, or None when it is not affine in them."""
    if hash(value) in cfg.ivs:
        return {hash(value): 1}
    name = producer_name(value)
    if name == "arith.constant":
        return {0: ir.IntegerAttr(owner_op(value.owner).attributes["value"]).value}
    if name in ("arith.extsi", "arith.index_cast") and _widens(owner_op(value.owner)):
        return linear(cfg, owner_op(value.owner).operands[0])  # the same value, wider (narrow-widths' casts)
    if name not in ("arith.addi", "arith.subi", "arith.muli"):
        return None
    left, right = (linear(cfg, operand) for operand in owner_op(value.owner).operands)
    if left is None or right is None:
        return None
    if name == "arith.muli":
        scale, form = (left[0], right) if set(left) == {0} else (right.get(0), left) if set(right) == {0} else (None, None)
        return None if scale is None else {key: scale * c for key, c in form.items()}
    sign = -1 if name == "arith.subi" else 1
    return {key: left.get(key, 0) + sign * right.get(key, 0) for key in set(left) | set(right)}


def _widens(cast: ir.Operation) -> bool:
    """A sign extension, or an index cast from an integer: both keep the value."""
    return cast.name == "arith.extsi" or not isinstance(cast.operands[0].type, ir.IndexType)


def depends_on(cfg: Cfg, value: ir.Value, target: int, seen: set[int]) -> bool:
    """Whether `value` is computed from the value hashed `target`, through ops and block arguments."""
    key = hash(value)
    if key == target:
        return True
    if key in seen:
        return False
    seen.add(key)
    owner = value.owner
    if producer_name(value):
        return any(depends_on(cfg, operand, target, seen) for operand in owner_op(owner).operands)
    return any(depends_on(cfg, incoming, target, seen) for incoming in cfg.passed_in(value))


def successor_arguments(branch: ir.Operation) -> dict[int, ir.Value]:
    """A `cf.br` or `cf.cond_br`: operand position -> the successor block argument it feeds (a condition feeds none)."""
    if branch.name == "cf.br":
        return dict(enumerate(branch.successors[0].arguments))
    sizes = [int(s) for s in ir.DenseI32ArrayAttr(branch.attributes["operandSegmentSizes"])]
    arguments = {1 + i: argument for i, argument in enumerate(branch.successors[0].arguments)}
    arguments.update({1 + sizes[1] + i: argument for i, argument in enumerate(branch.successors[1].arguments)})
    return arguments


def incoming_values(pred: ir.Block, block: ir.Block, position: int) -> list[ir.Value]:
    """The values `pred`'s terminator passes to argument `position` of `block` (one per edge into it)."""
    terminator = block_ops(pred)[-1]
    operands = list(terminator.operands)
    if terminator.name == "cf.br":
        return [operands[position]]
    sizes = [int(s) for s in ir.DenseI32ArrayAttr(terminator.attributes["operandSegmentSizes"])]
    values = []
    if terminator.successors[0] == block:
        values.append(operands[1 + position])
    if terminator.successors[1] == block:
        values.append(operands[1 + sizes[1] + position])
    return values


def _induction_variable(cfg: Cfg, header: int) -> tuple[int, InductionVariable] | None:
    """The header's `iv` in `cond_br (cmpi slt iv, N)`, with its constant start and step."""
    block = cfg.blocks[header]
    branch = block_ops(block)[-1]
    if branch.name != "cf.cond_br" or producer_name(branch.operands[0]) != "arith.cmpi":
        return None
    compare = owner_op(branch.operands[0].owner)
    if ir.IntegerAttr(compare.attributes["predicate"]).value != 2:  # slt
        return None
    iv, bound = compare.operands
    positions = [i for i, arg in enumerate(block.arguments) if hash(arg) == hash(iv)]
    limit = linear(cfg, bound) if producer_name(bound) == "arith.constant" else None
    if not positions or limit is None:
        return None
    starts, steps = set(), set()
    for pred in range(len(cfg.blocks)):
        if header not in cfg.successors[pred]:
            continue
        for incoming in incoming_values(cfg.blocks[pred], block, positions[0]):
            if pred in cfg.loops[header]:
                step = _step(incoming, iv)
                steps.add(step)
            else:
                starts.add(_constant(cfg, incoming, set()))
    if len(starts) != 1 or len(steps) != 1 or None in starts or None in steps or steps == {0}:
        return None
    (start,), (step,) = starts, steps
    trips = max(0, -(-(limit[0] - start) // step))
    return positions[0], InductionVariable(header, start, step, trips)


def _constant(cfg: Cfg, value: ir.Value, seen: set[int]) -> int | None:
    """The constant `value` always holds, through block arguments every predecessor passes it in; else None."""
    if producer_name(value) == "arith.constant":
        return ir.IntegerAttr(owner_op(value.owner).attributes["value"]).value
    if producer_name(value) or hash(value) in seen:
        return None
    seen.add(hash(value))
    values = {_constant(cfg, incoming, seen) for incoming in cfg.passed_in(value)}
    return values.pop() if len(values) == 1 else None


def _step(incoming: ir.Value, iv: ir.Value) -> int | None:
    if producer_name(incoming) != "arith.addi":
        return None
    a, b = owner_op(incoming.owner).operands
    other = b if hash(a) == hash(iv) else a if hash(b) == hash(iv) else None
    if other is None or producer_name(other) != "arith.constant":
        return None
    step = ir.IntegerAttr(owner_op(other.owner).attributes["value"]).value
    return step if step > 0 else None


def _back_edges(successors: list[list[int]]) -> list[tuple[int, int]]:
    """Edges to a block on the depth-first path from the entry (loops of a reducible CFG)."""
    edges, on_path, done = [], set(), set()

    def visit(block: int) -> None:
        on_path.add(block)
        for successor in successors[block]:
            if successor in on_path:
                edges.append((block, successor))
            elif successor not in done:
                visit(successor)
        on_path.discard(block)
        done.add(block)

    visit(0)
    return edges


def _reaching(successors: list[list[int]], tail: int, header: int) -> set[int]:
    """Blocks that reach `tail` without passing through `header` (with `tail`): a natural loop's body."""
    predecessors: dict[int, list[int]] = {}
    for block, targets in enumerate(successors):
        for target in targets:
            predecessors.setdefault(target, []).append(block)
    body, frontier = {tail}, [tail]
    while frontier:
        for pred in predecessors.get(frontier.pop(), []):
            if pred != header and pred not in body:
                body.add(pred)
                frontier.append(pred)
    return body


def _index_of(blocks: list[ir.Block], block: ir.Block) -> int:
    return next(i for i, b in enumerate(blocks) if b == block)
