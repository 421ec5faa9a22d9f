"""Cyclic banking of a read-only memory by rows, so that the terms of a folded loop read different memories.

A memory of N words is viewed as rows of `width` words (row r holds words
r*width .. r*width + width - 1); bank b holds the rows r with r mod factor = b,
in order. A set of loads can read banks instead of the memory when every load
reads one bank only, i.e. its address splits into a row and a column part,
`row*width + column` with the column always in [0, width), and its row modulo
`factor` is the same at every iteration. Width 1 is the plain cyclic split
(`W[64*o + 8*q + j]`: bank j); a wider row covers a weight stored reduction
index first (`W^T[k][o]` read at `(8*q + j)*O + o`: width O, bank j).

Addresses are affine maps of loop counters. A map is read as a sum of terms
with integer coefficients; a term is a loop counter, or a `floordiv`/`mod`
sub-expression (a coalesced loop's `i floordiv 64`) whose range is found by
evaluating it over its counters' loop bounds.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from torch_mlir import ir

from backend.rtl.ir_walk import owner_op

_MAX_POINTS = 1 << 14  # the counter values a floordiv/mod term is evaluated at, at most


@dataclass(frozen=True)
class Term:
    """`coefficient * expr`, where expr ranges over [low, high]."""

    coefficient: int
    expr: ir.AffineExpr
    low: int
    high: int


@dataclass(frozen=True)
class Linear:
    """A load's address: the sum of `terms` and `constant`."""

    terms: tuple[Term, ...]
    constant: int


@dataclass(frozen=True)
class Banked:
    """Where one load reads after banking: its bank, and its address map inside the bank."""

    bank: int
    address: ir.AffineMap


def bank_loads(loads: list[ir.Operation], words: int, factor: int) -> tuple[int, list[Banked]] | None:
    """The narrowest row width (and each load's bank and address) at which `loads` bank by `factor`; None if none."""
    linear = [linear_address(load) for load in loads]
    if any(form is None for form in linear):
        return None
    # a term's stride over the factor, or a bank of one row (where the loop that picks the row ran once, its
    # counter is gone from the address: the rows differ only in the constant)
    # (fewer words than banks: no row of `words // factor`)
    widths = sorted(({1, words // factor} | {abs(t.coefficient) // factor for form in linear for t in form.terms
                                             if t.coefficient and t.coefficient % factor == 0}) - {0})
    for width in widths:
        if words % (width * factor) == 0:
            placed = [_place(form, load, width, factor) for form, load in zip(linear, loads)]
            if all(p is not None for p in placed):
                return width, placed
    return None


def bank_values(values: tuple[int, ...] | list[int], width: int, factor: int, bank: int) -> list[int]:
    """The words bank `bank` holds: rows bank, bank + factor, ... of `width` words each."""
    rows = [values[r:r + width] for r in range(0, len(values), width)]
    return [word for row in rows[bank::factor] for word in row]


def _place(form: Linear, load: ir.Operation, width: int, factor: int) -> Banked | None:
    row_terms = [t for t in form.terms if t.coefficient % width == 0]
    column_terms = [t for t in form.terms if t.coefficient % width]
    row0, column0 = divmod(form.constant, width)
    low = column0 + sum(min(t.coefficient * t.low, t.coefficient * t.high) for t in column_terms)
    high = column0 + sum(max(t.coefficient * t.low, t.coefficient * t.high) for t in column_terms)
    if low < 0 or high >= width or any((t.coefficient // width) % factor for t in row_terms):
        return None
    within = ir.AffineConstantExpr.get((row0 // factor) * width + column0)
    for t in row_terms:
        within = within + t.expr * (t.coefficient // factor)
    for t in column_terms:
        within = within + t.expr * t.coefficient
    n_dims = ir.AffineMapAttr(load.attributes["map"]).value.n_dims
    return Banked(row0 % factor, ir.AffineMap.get(n_dims, 0, [within]))


def linear_address(access: ir.Operation) -> Linear | None:
    """The address of a one-result, symbol-free `affine.load` or `affine.store` as a `Linear`; None if it is not
    such a sum."""
    address = ir.AffineMapAttr(access.attributes["map"]).value
    if len(address.results) != 1 or address.n_symbols:
        return None
    ranges = [_counter_range(v) for v in list(access.operands)[1 if access.name == "affine.load" else 2:]]
    if any(r is None for r in ranges):
        return None
    collected: dict[str, Term] = {}
    constant = _collect(address.results[0], 1, ranges, collected)
    if constant is None:
        return None
    return Linear(tuple(t for t in collected.values() if t.coefficient), constant)


def at_counter(access: ir.Operation, iv: ir.Value) -> bool:
    """Whether an affine load or store reaches exactly element `iv` of a one-dimensional memory (constant operands,
    a batch index of 0, fold away)."""
    form = linear_address(access)
    indices = [hash(v) for v in list(access.operands)[1 if access.name == "affine.load" else 2:]]
    if form is None or hash(iv) not in indices:
        return False
    if not form.terms:  # a loop of one trip: its counter is a constant too
        return _counter_range(iv) == (form.constant, form.constant)
    if form.constant != 0 or len(form.terms) != 1:
        return False
    (term,) = form.terms
    return term.coefficient == 1 and str(term.expr) == f"d{indices.index(hash(iv))}"


def _collect(expr: ir.AffineExpr, scale: int, ranges: list[tuple[int, int]], into: dict[str, Term]) -> int | None:
    """Add `scale * expr`'s terms to `into`; return its constant part (None: not a sum of terms)."""
    if isinstance(expr, ir.AffineConstantExpr):
        return scale * expr.value
    if isinstance(expr, ir.AffineAddExpr):
        left = _collect(expr.lhs, scale, ranges, into)
        right = _collect(expr.rhs, scale, ranges, into)
        return None if left is None or right is None else left + right
    if isinstance(expr, ir.AffineMulExpr):
        factor, other = (expr.rhs, expr.lhs) if isinstance(expr.rhs, ir.AffineConstantExpr) else (expr.lhs, expr.rhs)
        if not isinstance(factor, ir.AffineConstantExpr):
            return None
        return _collect(other, scale * factor.value, ranges, into)
    if isinstance(expr, ir.AffineDimExpr):
        low, high = ranges[expr.position]
        if low == high:
            return scale * low  # a constant operand (a promoted loop's step 0)
        term = into.get(str(expr))
        into[str(expr)] = Term((term.coefficient if term else 0) + scale, expr, low, high)
        return 0
    if isinstance(expr, (ir.AffineFloorDivExpr, ir.AffineModExpr)):
        span = _evaluated_range(expr, ranges)
        if span is None:
            return None
        term = into.get(str(expr))
        into[str(expr)] = Term((term.coefficient if term else 0) + scale, expr, *span)
        return 0
    return None


def _evaluated_range(expr: ir.AffineExpr, ranges: list[tuple[int, int]]) -> tuple[int, int] | None:
    """[min, max] of `expr` over every value of the counters it reads."""
    used = [d for d in range(len(ranges)) if _reads(expr, d, len(ranges))]
    points = 1
    for d in used:
        points *= ranges[d][1] - ranges[d][0] + 1
    if points > _MAX_POINTS:
        return None
    values = []
    for point in itertools.product(*(range(ranges[d][0], ranges[d][1] + 1) for d in used)):
        at = [ranges[d][0] for d in range(len(ranges))]
        for d, v in zip(used, point):
            at[d] = v
        constants = ir.AffineMap.get(0, 0, [ir.AffineConstantExpr.get(v) for v in at])
        values.append(ir.AffineConstantExpr(expr.compose(constants)).value)
    return min(values), max(values)


def _reads(expr: ir.AffineExpr, dim: int, n_dims: int) -> bool:
    """Whether `expr` depends on dimension `dim` (its text names it)."""
    return re.search(rf"\bd{dim}\b", str(ir.AffineMap.get(n_dims, 0, [expr]))) is not None


def _counter_range(value: ir.Value) -> tuple[int, int] | None:
    """[first, last] value of a loop counter with constant bounds, or [c, c] for an `arith.constant`; else None."""
    owner = value.owner
    if isinstance(owner, ir.Block):
        loop = owner_op(owner.owner)
        if loop.name != "affine.for" or value.arg_number != 0 or ir.IntegerAttr(loop.attributes["step"]).value != 1:
            return None
        bounds = [ir.AffineMapAttr(loop.attributes[k]).value for k in ("lowerBoundMap", "upperBoundMap")]
        if any(b.n_inputs or len(b.results) != 1 or not isinstance(b.results[0], ir.AffineConstantExpr) for b in bounds):
            return None
        low, high = (b.results[0].value for b in bounds)
        return (low, high - 1) if high > low else None
    op = owner_op(owner)
    if op.name != "arith.constant":
        return None
    constant = ir.IntegerAttr(op.attributes["value"]).value
    return constant, constant
