"""The fold-reductions pass: a reduction loop takes `factor` steps per iteration, summed in a tree.

FINN calls the factor SIMD. linalg lowers a matmul or a convolution to loops whose
innermost one reduces: after scalar replacement, `acc = acc + f(k)` over k, an
accumulator carried in `iter_args` and a body of loads and arithmetic. The circuit
starts about one iteration per cycle, so the loop costs its trip count. Here the
loop runs `trips / factor` iterations over q; each computes f(factor*q + j) for
every j, sums those terms in a balanced tree and adds the tree to the accumulator
once. Integer addition (and min, max, and, or, xor) is associative and commutative
modulo 2^n, so the result is the same bit for bit in any order; a float reduction
is left alone. A loop whose trip count `factor` does not divide takes
gcd(factor, trips).

Each unrolled term reads its own address, and a memory interface has one load
port (`memory_interfaces`), so the memories the folded loops read are placed:

- a parameter read only by loads that each stay in one bank of a cyclic
  partitioning by rows (`banking`: `W[64*o + 8*q + j]` reads bank j of rows one
  word wide, `W^T[(8*q + j)*O + o]` bank j of rows O words wide) is split into
  `factor` parameters: every term reads a ROM of its own, and together they hold
  the words once;
- any other function argument read by more than one load (the input vector) is
  copied into an on-chip memory at entry, and the loads read that copy: an
  on-chip memory gives each load a port of its own;
- an on-chip memory (`memref.alloc`) keeps one port per load.

The factor is one for every nest (`factor`), one per reduction nest in walk order
(`per_nest`, FINN's per-layer SIMD), or chosen for `target_interval` (`plan_factors`):
the circuit runs its loop nests one after another at about one innermost iteration
per cycle, so the smallest folds, biggest nest first, that bring the sum of every
nest's iterations (over its fold) to the target. The folds applied are recorded on
the module (`FOLDS_ATTR`) for the report.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from torch_mlir import ir
from torch_mlir.dialects import affine, memref

from backend.rtl.attributes import FOLDS_ATTR, Param, read_params
from backend.rtl.ir_walk import block_ops, owner_op
from backend.rtl.torch_side.banking import Banked, bank_loads, bank_values
from backend.rtl.torch_side.coalesce_loops import trip_count
from backend.rtl.torch_side.memory_interfaces import record_params
from backend.rtl.torch_side.walk import ops_named
from common.errors import UserError

# Reductions that give the same integer in any order.
ASSOCIATIVE = {"arith.addi", "arith.maxsi", "arith.minsi", "arith.maxui", "arith.minui", "arith.andi", "arith.ori",
               "arith.xori"}
_BODY_OPS = ("affine.load", "affine.apply", "affine.yield")
SEEN = "torch_circt.fold_seen"
# Ops whose indices go through an affine map: where the map's operands start.
_MAP_OPERANDS = {"affine.load": 1, "affine.store": 2, "affine.apply": 0}


@dataclass(frozen=True)
class ReductionNest:
    """An innermost reduction loop as the planner sees it: the trip counts it can fold through (its own, then each
    enclosing loop it becomes the body of once promoted) and the innermost iterations of its whole nest."""

    chain: tuple[int, ...]
    iterations: int

    def next_factor(self, factor: int) -> int | None:
        """The smallest fold above `factor` that the chain takes whole (a divisor of a level's trips times the levels
        below it), or None at the full fold."""
        below, candidates = 1, []
        for trips in self.chain:
            candidates += [below * d for d in range(2, trips + 1) if trips % d == 0]
            below *= trips
        return min((c for c in candidates if c > factor), default=None)


def plan_factors(nests: Sequence[ReductionNest], fixed: int, target: int) -> list[int]:
    """Per nest, folds that bring `fixed` (the iterations of loops that cannot fold) plus each nest's iterations over
    its fold to `target` or as near as the chains allow: the biggest nest takes its next fold first."""
    chosen = [1] * len(nests)

    def cost(i: int) -> int:
        return nests[i].iterations // chosen[i]

    while fixed + sum(cost(i) for i in range(len(nests))) > target:
        movable = [i for i, nest in enumerate(nests) if nest.next_factor(chosen[i]) is not None]
        if not movable:
            break
        biggest = max(movable, key=cost)
        chosen[biggest] = nests[biggest].next_factor(chosen[biggest])
    return chosen


def fold_reductions(module: ir.Module, factor: int, num_inputs: int, num_outputs: int, per_nest: Sequence[int] = (),
                    target_interval: int | None = None) -> None:
    """Fold the eligible innermost reductions (module docstring says by how much), then give each load a port of its own."""
    if factor < 1 or any(f < 1 for f in per_nest):
        raise ValueError(f"a fold factor is a positive number of steps per iteration, not {factor} {tuple(per_nest)}")
    nests, fixed = reduction_nests(module)
    if target_interval is not None:
        factors = plan_factors(nests, fixed, target_interval)
    elif per_nest:
        if len(per_nest) != len(nests):
            raise UserError(message=f"{len(per_nest)} fold factors given for {len(nests)} reduction loop nests",
                            stage="fold-reductions", hint=f"give {len(nests)} (one per nest, in program order: the "
                            "report lists the nests' folds), or one --fold for all")
        factors = list(per_nest)
    else:
        factors = [factor] * len(nests)
    applied = []
    loads: dict[int, int] = {}  # memory (hash) -> the factor of the loops that read it in folded bodies
    # A fresh walk per loop nest: promotion erases loops an earlier walk listed. Loops a nest's fold
    # reached carry SEEN, so the next walk skips them (they keep the factor left over for them).
    while (loop := next((op for op in ops_named(module, "affine.for") if SEEN not in op.attributes), None)) is not None:
        if not reduction_trips(loop):
            loop.attributes[SEEN] = ir.UnitAttr.get(module.context)
            continue
        nest_factor = factors[len(applied)]
        remaining = nest_factor
        terms: dict[int, int] = {}  # memory -> loads of it per iteration, after this nest's folds so far
        while True:
            trips = reduction_trips(loop)
            step = math.gcd(remaining, trips) if trips else 1
            if step > 1:
                for load in _unroll(loop, step):
                    terms[hash(load.operands[0])] = nest_factor // remaining * step
                remaining //= step
            if step == 1 or step < trips:
                loop.attributes[SEEN] = ir.UnitAttr.get(module.context)
                break
            loop = _promote(loop)  # one iteration left: its body joins the loop around it, which folds next
            if loop is None:
                break
        applied.append(nest_factor // remaining)
        for memory, count in terms.items():
            loads[memory] = math.gcd(loads.get(memory, count), count)
    for op in ops_named(module, "affine.for"):
        del op.attributes[SEEN]
    if applied:
        module.operation.attributes[FOLDS_ATTR] = ir.DenseI64ArrayAttr.get(applied, module.context)
    if loads:  # a memory a folded body reads
        with module.context, ir.Location.unknown():
            for func in ops_named(module, "func.func"):
                place_memories(module, owner_op(func), loads, first_param=num_inputs + num_outputs)


def reduction_nests(module: ir.Module) -> tuple[list[ReductionNest], int]:
    """The reduction nests in walk order (the order `per_nest` factors apply in), and the innermost iterations of every
    other loop; a nest whose bounds are not constant counts as unable to fold."""
    nests, fixed = [], 0
    for loop in innermost_loops(module):
        nest = reduction_nest(loop)
        if nest is not None:
            nests.append(nest)
        else:
            fixed += nest_iterations(loop) or 0
    return nests, fixed


def innermost_loops(module: ir.Module) -> list[ir.Operation]:
    """The loops with no loop inside, in walk order: where the circuit spends its cycles."""
    return [loop for loop in ops_named(module, "affine.for") if len(ops_named(loop, "affine.for")) == 1]


def reduction_nest(loop: ir.Operation) -> ReductionNest | None:
    """The innermost `loop` as the planner sees it when it can fold; None otherwise."""
    trips = reduction_trips(loop)
    return ReductionNest(_chain(loop, trips), nest_iterations(loop) or 0) if trips else None


def nest_iterations(loop: ir.Operation) -> int | None:
    """The innermost iterations of `loop` inside all the loops around it; None where a bound is not constant."""
    total: int | None = 1
    while loop is not None and loop.name == "affine.for":
        trips = trip_count(loop)
        total = None if trips is None or total is None else total * trips
        parent = loop.parent
        loop = owner_op(parent) if parent is not None else None
    return total


def _chain(loop: ir.Operation, trips: int) -> tuple[int, ...]:
    """`trips`, then the trip counts of the enclosing loops that become reductions when the one inside is promoted:
    a loop whose accumulator starts the inner loop and whose yield is the inner loop's result."""
    chain = [trips]
    while (parent := owner_op(loop.parent) if loop.parent is not None else None) is not None and parent.name == "affine.for":
        body = parent.regions[0].blocks[0]
        ops = block_ops(body)
        if (len(parent.results) != 1 or trip_count(parent) is None or len(body.arguments) != 2
                or sum(op.name == "affine.for" for op in ops) != 1 or hash(loop.operands[0]) != hash(body.arguments[1])
                or hash(ops[-1].operands[0]) != hash(loop.results[0])
                or not all(op.name in (*_BODY_OPS, "affine.for") or (op.name.startswith("arith.") and not op.regions)
                           for op in ops)):
            break
        chain.append(trip_count(parent))
        loop = parent
    return tuple(chain)


def reduction_trips(loop: ir.Operation) -> int:
    """The trip count of an innermost loop `for k in 0..N: acc = acc op f(k)` that can fold; 0 otherwise."""
    if len(loop.results) != 1 or len(list(loop.operands)) != 1 or not isinstance(loop.results[0].type, ir.IntegerType):
        return 0  # bounds with operands, several accumulators, or a float one
    trips = trip_count(loop)
    if trips is None:
        return 0
    body = loop.regions[0].blocks[0]
    ops = block_ops(body)
    if not all(op.name in _BODY_OPS or (op.name.startswith("arith.") and not op.regions) for op in ops):
        return 0  # a store, a nested loop or a branch
    accumulator = body.arguments[1]
    step = _reduction_op(body)
    uses = list(accumulator.uses)
    if step is None or len(uses) != 1 or owner_op(uses[0].owner) != step:
        return 0
    if not all(_plain(load.operands[0]) for load in ops if load.name == "affine.load"):
        return 0
    return trips


def _plain(memory: ir.Value) -> bool:
    """An on-chip memory only loads and stores touch, or an argument only loads read (no view can alias either)."""
    users = {owner_op(use.owner).name for use in memory.uses}
    if isinstance(memory.owner, ir.Block):
        return users == {"affine.load"}
    return owner_op(memory.owner).name == "memref.alloc" and users <= {"affine.load", "affine.store"}


def _reduction_op(body: ir.Block) -> ir.Operation | None:
    """The associative op the loop yields, when it combines the accumulator with one other value."""
    yielded = block_ops(body)[-1].operands[0]
    producer = yielded.owner
    if not hasattr(producer, "name") and not hasattr(producer, "operation"):
        return None
    step = owner_op(producer)
    if step.name not in ASSOCIATIVE or len(list(step.operands)) != 2:
        return None
    return step if hash(body.arguments[1]) in {hash(v) for v in step.operands} else None


def _unroll(loop: ir.Operation, factor: int) -> list[ir.Operation]:
    """Rewrite the loop in place to trips/factor iterations of `factor` terms; returns its loads."""
    body = loop.regions[0].blocks[0]
    iv, accumulator = body.arguments[0], body.arguments[1]
    step = _reduction_op(body)
    term = next(v for v in step.operands if hash(v) != hash(accumulator))
    originals = [op for op in block_ops(body) if op != step and op.name != "affine.yield"]
    trips = trip_count(loop)
    with loop.context, loop.location:
        loop.attributes["upperBoundMap"] = ir.AffineMapAttr.get(ir.AffineMap.get_constant(trips // factor))
        terms: dict[int, ir.Value] = {}
        loads = []
        # Copies for j = 1.. are cloned from the untouched originals, which then become j = 0.
        for j in [*range(1, factor), 0]:
            mapping: dict[int, ir.Value] = {}
            for op in originals:
                copy = op if j == 0 else op.clone(ir.InsertionPoint(step))
                retarget(copy, iv, factor, j, mapping)
                for old, new in zip(op.results, copy.results):
                    mapping[hash(old)] = new
                if copy.name == "affine.load":
                    loads.append(copy)
            terms[j] = mapping.get(hash(term), term)
        level = [terms[j] for j in range(factor)]
        while len(level) > 1:  # a balanced tree: log2(factor) levels, not a chain of `factor` ops
            pairs = [level[i:i + 2] for i in range(0, len(level), 2)]
            level = [pair[0] if len(pair) == 1 else
                     ir.Operation.create(step.name, results=[pair[0].type], operands=pair, ip=ir.InsertionPoint(step)).results[0]
                     for pair in pairs]
        step.operands[[hash(v) for v in step.operands].index(hash(term))] = level[0]
    return loads


def _promote(loop: ir.Operation) -> ir.Operation | None:
    """Replace a one-iteration loop by its body (step 0, the accumulator's initial value); the enclosing loop."""
    body = loop.regions[0].blocks[0]
    yielded = block_ops(body)[-1].operands[0]
    with loop.context, loop.location:
        zero = ir.Operation.create("arith.constant", results=[ir.IndexType.get()],
                                   attributes={"value": ir.IntegerAttr.get(ir.IndexType.get(), 0)}, ip=ir.InsertionPoint(loop))
    body.arguments[0].replace_all_uses_with(zero.results[0])
    body.arguments[1].replace_all_uses_with(loop.operands[0])
    for op in block_ops(body)[:-1]:
        op.move_before(loop)
    loop.results[0].replace_all_uses_with(yielded)
    parent = loop.parent
    loop.erase()
    parent = owner_op(parent) if parent is not None else None
    return parent if parent is not None and parent.name == "affine.for" else None


def retarget(op: ir.Operation, iv: ir.Value, factor: int, j: int, mapping: dict[int, ir.Value]) -> None:
    """Operands from copy j's own ops; the old step k becomes factor*q + j (in a load's, store's or apply's map, or
    through a new apply)."""
    for k, operand in enumerate(op.operands):
        if hash(operand) in mapping:
            op.operands[k] = mapping[hash(operand)]
    positions = [k for k, operand in enumerate(op.operands) if hash(operand) == hash(iv)]
    if not positions:
        return
    if op.name in _MAP_OPERANDS:
        first = _MAP_OPERANDS[op.name]
        old = ir.AffineMapAttr(op.attributes["map"]).value
        dims = [ir.AffineDimExpr.get(d) for d in range(old.n_dims)]
        for k in positions:
            dims[k - first] = dims[k - first] * factor + j
        substitution = ir.AffineMap.get(old.n_dims, old.n_symbols, [*dims, *(ir.AffineSymbolExpr.get(s) for s in range(old.n_symbols))])
        op.attributes["map"] = ir.AffineMapAttr.get(ir.AffineMap.get(
            old.n_dims, old.n_symbols, [expr.compose(substitution) for expr in old.results]))
        return
    step = ir.AffineMap.get(1, 0, [ir.AffineDimExpr.get(0) * factor + j])
    index = ir.Operation.create("affine.apply", results=[iv.type], operands=[iv],
                                attributes={"map": ir.AffineMapAttr.get(step)}, ip=ir.InsertionPoint(op)).results[0]
    for k in positions:
        op.operands[k] = index


def place_memories(module: ir.Module, func: ir.Operation, factors: dict[int, int], first_param: int) -> None:
    """Bank the parameters that allow it, copy the other multiply-read arguments on chip (module docstring)."""
    entry = func.regions[0].blocks[0]
    params = read_params(module, ir)
    banked: list[Param] = []
    for position, argument in reversed(list(enumerate(entry.arguments))):
        loads = [owner_op(use.owner) for use in argument.uses]
        if hash(argument) not in factors or len(loads) < 2:
            continue
        factor = factors[hash(argument)]
        shape = ir.MemRefType(argument.type).shape
        placed = bank_loads(loads, shape[0], factor) if position >= first_param and len(shape) == 1 and factor > 1 else None
        if placed is not None and len({p.bank for p in placed[1]}) == len(loads):  # one load per bank: one port each
            banked += _split(func, entry, position, params.pop(position - first_param), factor, loads, *placed)
        else:
            _copy_in(entry, argument, loads)
    if banked:
        record_params(module, [*params, *banked])


def _split(func: ir.Operation, entry: ir.Block, position: int, param: Param, factor: int,
           loads: list[ir.Operation], width: int, banks: list[Banked]) -> list[Param]:
    """Replace parameter argument `position` by `factor` new ones (`banking`: rows of `width` words)."""
    memory_type = ir.MemRefType(entry.arguments[position].type)
    words = memory_type.shape[0] // factor
    bank_type = ir.MemRefType.get([words], memory_type.element_type)
    arguments = [entry.add_argument(bank_type, func.location) for _ in range(factor)]
    for load, placed in zip(loads, banks):
        load.operands[0] = arguments[placed.bank]
        load.attributes["map"] = ir.AffineMapAttr.get(placed.address)
    entry.erase_argument(position)
    _retype(func, entry)
    return [Param(f"{param.name}_bank{b}", (words,), param.element, tuple(bank_values(param.values, width, factor, b)))
            for b in range(factor)]


def _copy_in(entry: ir.Block, argument: ir.Value, loads: list[ir.Operation]) -> None:
    """An on-chip copy of `argument`, filled at entry (one load of the argument); `loads` read the copy."""
    first = block_ops(entry)[0]
    with first.location, ir.InsertionPoint(first):
        copy = memref.alloc(argument.type, [], [])
        _copy_nest(argument, copy, ir.MemRefType(argument.type).shape, [])
    for load in loads:
        load.operands[0] = copy


def _copy_nest(source: ir.Value, target: ir.Value, shape: list[int], indices: list[ir.Value]) -> None:
    """target[i...] = source[i...], one loop per dimension, at the current insertion point."""
    if not shape:
        identity = ir.AffineMap.get_identity(len(indices))
        value = affine.AffineLoadOp(ir.MemRefType(source.type).element_type, source, indices, identity).result
        affine.AffineStoreOp(value, target, indices, identity)
        return
    loop = affine.AffineForOp(0, shape[0], 1)
    with ir.InsertionPoint(loop.body):
        _copy_nest(source, target, shape[1:], [*indices, loop.induction_variable])
        affine.AffineYieldOp([])


def _retype(func: ir.Operation, entry: ir.Block) -> None:
    """The function's type after its arguments changed."""
    old = ir.FunctionType(ir.TypeAttr(func.attributes["function_type"]).value)
    func.attributes["function_type"] = ir.TypeAttr.get(ir.FunctionType.get([a.type for a in entry.arguments], old.results))
