"""The integer-ops pass: integer ops that CIRCT lowers wrongly (divsi) or not at all (math.absi, cf.assert).

`expand_signed_division` and `expand_integer_abs` rewrite them;
`power_of_two_index_division` turns lower-affine's index division by 2^k into wires.
"""

from __future__ import annotations

from torch_mlir import ir

from backend.rtl.ir_walk import owner_op
from backend.rtl.torch_side.walk import ops_named


def integer_ops(module: ir.Module) -> None:
    """Index division by 2^k as wires first (it matches lower-affine's divsi shapes), then the expansions."""
    power_of_two_index_division(module)
    expand_signed_division(module)
    expand_integer_abs(module)
    drop_assertions(module)


_SLT = 2  # arith.cmpi predicate number of "slt"


class _Builder:
    """Creates integer ops of one type at the current insertion point."""

    def __init__(self, kind: ir.Type) -> None:
        self.kind = kind
        self.zero = self.op("arith.constant", [], value=ir.IntegerAttr.get(kind, 0))

    def op(self, name: str, operands: list[ir.Value], result: ir.Type | None = None, **attributes: ir.Attribute) -> ir.Value:
        kind = self.kind if result is None else result
        return ir.Operation.create(name, results=[kind], operands=operands, attributes=attributes).results[0]

    def is_negative(self, value: ir.Value) -> ir.Value:
        slt = ir.IntegerAttr.get(ir.IntegerType.get_signless(64), _SLT)
        return self.op("arith.cmpi", [value, self.zero], ir.IntegerType.get_signless(1), predicate=slt)

    def magnitude(self, value: ir.Value, negative: ir.Value) -> ir.Value:
        return self.op("arith.select", [negative, self.op("arith.subi", [self.zero, value]), value])

    def wide_unsigned_division(self, a: ir.Value, b: ir.Value) -> ir.Value:
        """`a / b` unsigned, on operands zero-extended by one bit (index values stay as they are)."""
        if not isinstance(self.kind, ir.IntegerType):
            return self.op("arith.divui", [a, b])
        wide = ir.IntegerType.get_signless(ir.IntegerType(self.kind).width + 1)
        quotient = self.op("arith.divui", [self.op("arith.extui", [a], wide), self.op("arith.extui", [b], wide)], wide)
        return self.op("arith.trunci", [quotient])


def _replace(old: ir.Operation, new: ir.Value) -> None:
    old.results[0].replace_all_uses_with(new)
    old.erase()


def expand_signed_division(module: ir.Module) -> int:
    """Rewrite every `arith.divsi` as unsigned division of magnitudes plus a sign fix.

    CIRCT's handshake-to-hw lowering swaps the two divisions: `arith.divsi` becomes
    `comb.divu` and `arith.divui` becomes `comb.divs`, so a negative quotient comes
    out wrong. `|a| / |b|`, negated when the signs differ, is C's truncating
    division for every input, including the wrap-around of INT_MIN / -1 that
    PyTorch shows. The magnitudes are divided one bit wider, where their top bit
    is 0 and signed and unsigned division agree: |INT_MIN| has the top bit of its
    own width set (the fuzzer found `INT_MIN // 2` positive). `arith.remsi`
    lowers correctly and is kept.
    """
    divisions = ops_named(module, "arith.divsi")
    for division in divisions:
        a, b = division.operands
        with ir.InsertionPoint(division), division.location:
            build = _Builder(a.type)
            a_negative, b_negative = build.is_negative(a), build.is_negative(b)
            quotient = build.wide_unsigned_division(build.magnitude(a, a_negative), build.magnitude(b, b_negative))
            signs_differ = build.op("arith.xori", [a_negative, b_negative], ir.IntegerType.get_signless(1))
            result = build.op("arith.select", [signs_differ, build.op("arith.subi", [build.zero, quotient]), quotient])
        _replace(division, result)
    return len(divisions)


def expand_integer_abs(module: ir.Module) -> int:
    """Rewrite `math.absi` (from `torch.abs` on integers) as a compare and select:
    CIRCT has no lowering for the math dialect. INT_MIN stays INT_MIN, as in PyTorch."""
    absolutes = ops_named(module, "math.absi")
    for absolute in absolutes:
        (value,) = absolute.operands
        with ir.InsertionPoint(absolute), absolute.location:
            build = _Builder(value.type)
            result = build.magnitude(value, build.is_negative(value))
        _replace(absolute, result)
    return len(absolutes)


def drop_assertions(module: ir.Module) -> None:
    """Remove `cf.assert` (index bounds checks from gather/index lowerings).

    A circuit has nowhere to report them, and CIRCT's handshake and ESI lowerings
    cannot lower them ("lower-esi-to-hw left behind a channel operation"). Eager
    PyTorch has checked the same bounds on the example inputs, and the simulation
    harness refuses any out-of-range memory address at run time.
    """
    for op in ops_named(module, "cf.assert"):
        op.erase()


def power_of_two_index_division(module: ir.Module) -> int:
    """`lower-affine`'s expansions of `x mod 2^k` and `x floordiv 2^k` become `x & (2^k - 1)` and `x >> k`.

    lower-affine writes the always-non-negative `mod` as `r = remsi x, C; r < 0 ? r + C : r`
    and `floordiv` as `q = divsi (x < 0 ? -1 - x : x), C; x < 0 ? -1 - q : q`. For
    a power of two C these equal a bit mask and an arithmetic shift for every x:
    wires instead of a divider. Coalesced loops (`coalesce_loops.py`) use them. Only
    these exact shapes are matched; a `remsi` or `divsi` of the model is left alone.
    """
    rewritten = 0
    for select in ops_named(module, "arith.select"):
        condition, when_negative, otherwise = (_producer(v) for v in select.operands)
        if otherwise is None or condition is None or when_negative is None or condition.name != "arith.cmpi":
            continue
        divisor = _power_of_two(otherwise.operands[1]) if otherwise.name in ("arith.remsi", "arith.divsi") else None
        if divisor is None:
            continue
        x = otherwise.operands[0]
        if otherwise.name == "arith.remsi" and _is_mod_fix(condition, when_negative, otherwise, divisor):
            name, amount = "arith.andi", divisor - 1
        elif otherwise.name == "arith.divsi" and _is_floordiv_fix(condition, when_negative, otherwise):
            x, name, amount = condition.operands[0], "arith.shrsi", divisor.bit_length() - 1
        else:
            continue
        with ir.InsertionPoint(select), select.location:
            constant = ir.Operation.create("arith.constant", results=[x.type],
                                           attributes={"value": ir.IntegerAttr.get(x.type, amount)}).results[0]
            result = ir.Operation.create(name, results=[x.type], operands=[x, constant]).results[0]
        _replace(select, result)
        rewritten += 1
    return rewritten


def _producer(value: ir.Value) -> ir.Operation | None:
    owner = value.owner
    return owner_op(owner) if not isinstance(owner, ir.Block) else None


def _constant_value(value: ir.Value) -> int | None:
    producer = _producer(value)
    return ir.IntegerAttr(producer.attributes["value"]).value if producer and producer.name == "arith.constant" else None


def _power_of_two(value: ir.Value) -> int | None:
    constant = _constant_value(value)
    return constant if constant and constant > 0 and constant & (constant - 1) == 0 else None


def _is_mod_fix(condition: ir.Operation, when_negative: ir.Operation, remainder: ir.Operation, divisor: int) -> bool:
    """r < 0 ? r + C : r, with r = remsi x, C."""
    r = remainder.results[0]
    return (ir.IntegerAttr(condition.attributes["predicate"]).value == _SLT and condition.operands[0] == r
            and _constant_value(condition.operands[1]) == 0 and when_negative.name == "arith.addi"
            and when_negative.operands[0] == r and _constant_value(when_negative.operands[1]) == divisor)


def _is_floordiv_fix(condition: ir.Operation, when_negative: ir.Operation, quotient: ir.Operation) -> bool:
    """x < 0 ? -1 - q : q, with q = divsi (x < 0 ? -1 - x : x), C."""
    x = condition.operands[0]
    flipped = _producer(quotient.operands[0])
    return (ir.IntegerAttr(condition.attributes["predicate"]).value == _SLT and _constant_value(condition.operands[1]) == 0
            and when_negative.name == "arith.subi" and _constant_value(when_negative.operands[0]) == -1
            and when_negative.operands[1] == quotient.results[0] and flipped is not None
            and flipped.name == "arith.select" and flipped.operands[0] == condition.results[0]
            and flipped.operands[2] == x)
