"""Integer sort/topk/kthvalue as ranks: exact where eager orders ties as a stable sort or no tie's index shows, kept as sorts elsewhere."""

from __future__ import annotations

import pytest
import torch
from torch.utils._pytree import tree_leaves

from frontend.torch._sort_by_rank import EAGER_STABLE_UP_TO, MAX_RANKED, rank_decompositions

_aten = torch.ops.aten
TIES = torch.tensor([[3, -1, 3, 0, -1, 2], [0, 0, 0, -5, 7, 0], [9, 8, 7, 6, 5, 4]], dtype=torch.int32)
LONG_TIES = torch.arange(3 * 17, dtype=torch.int32).reshape(3, 17) % 3  # a row of 17: past eager's insertion sort


class Fn(torch.nn.Module):
    def __init__(self, fn) -> None:
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


def _decomposed(fn, x):
    program = torch.export.export(Fn(fn), (x,), strict=False)
    table = rank_decompositions(program)
    return program.run_decompositions(table), table


def _ops(program) -> set:
    return {n.target for n in program.graph.nodes if n.op == "call_function"}


@pytest.mark.parametrize("fn", [
    lambda x: torch.sort(x, dim=1).values,
    lambda x: torch.sort(x, dim=0, descending=True).values,
    lambda x: torch.sort(x, dim=1, stable=True),
    lambda x: torch.argsort(x, dim=1, stable=True, descending=True),
    lambda x: torch.topk(x, 3, dim=1).values,
    lambda x: torch.topk(x, 2, dim=1, largest=False)[0],
    lambda x: torch.kthvalue(x, 4, dim=1).values,
    lambda x: torch.kthvalue(x, 2, dim=0, keepdim=True)[0],
    lambda x: torch.sort(x, dim=1),  # unstable, indices read: rows of 6, within eager's insertion sort
    lambda x: torch.sort(x, dim=1, descending=True, stable=False),
    lambda x: torch.argsort(x, dim=0),
    lambda x: torch.topk(x, 2, dim=0),  # a column of 3
    lambda x: torch.kthvalue(x[:, :2], 1, dim=1),
    lambda x: torch.median(x, dim=1),  # eager's median breaks ties by index at any length
    lambda x: torch.nanmedian(x, dim=0, keepdim=True),
])
def test_rank_form_matches_eager_with_ties(fn):
    program, table = _decomposed(fn, TIES)
    assert table and not _ops(program) & {_aten.sort.default, _aten.sort.stable, _aten.topk.default,
                                          _aten.kthvalue.default}
    for got, want in zip(tree_leaves(program.module()(TIES)), tree_leaves(fn(TIES))):
        assert torch.equal(got, want)


@pytest.mark.parametrize("fn, x, op", [
    (lambda x: torch.sort(x, dim=1), LONG_TIES, _aten.sort.default),  # an unstable sort's indices are read
    (lambda x: torch.argsort(x, dim=1, descending=True), LONG_TIES, _aten.sort.default),
    (lambda x: torch.topk(x, 3, dim=1).indices, TIES, _aten.topk.default),
    (lambda x: torch.kthvalue(x, 2, dim=1), TIES, _aten.kthvalue.default),
])
def test_indices_of_an_unstable_sort_past_eagers_stable_rows_keep_the_sort(fn, x, op):
    program, table = _decomposed(fn, x)
    assert op not in table and _ops(program) & {op, _aten.argsort.default}  # argsort is a sort after the core table


def _eager_agrees_with_stable(op, n: int, rows: int = 400) -> bool:
    """Whether eager's `op` along rows of n tie-heavy integers returns a stable sort's indices, for every row."""
    x = torch.randint(-2, 2, (rows, n), generator=torch.Generator().manual_seed(n), dtype=torch.int32)
    ascending = torch.sort(x, dim=1, stable=True).indices
    descending = torch.sort(x, dim=1, descending=True, stable=True).indices
    if op in (_aten.sort.default, _aten.sort.stable):
        return torch.equal(torch.sort(x, dim=1).indices, ascending) and torch.equal(
            torch.sort(x, dim=1, descending=True, stable=False).indices, descending)
    if op in (_aten.argsort.default, _aten.argsort.stable):
        return torch.equal(torch.argsort(x, dim=1), ascending)
    if op == _aten.topk.default:
        return all(torch.equal(torch.topk(x, k, dim=1).indices, descending[:, :k]) and torch.equal(
            torch.topk(x, k, dim=1, largest=False).indices, ascending[:, :k]) for k in range(1, n + 1))
    if op == _aten.kthvalue.default:
        return all(torch.equal(torch.kthvalue(x, k, dim=1).indices, ascending[:, k - 1]) for k in range(1, n + 1))
    middle = ascending[:, (n - 1) // 2]
    return torch.equal(x.median(1).indices if op == _aten.median.dim else x.nanmedian(1).indices, middle)


@pytest.mark.parametrize("op", list(EAGER_STABLE_UP_TO), ids=str)
def test_eager_orders_ties_stably_exactly_up_to_the_bound(op):
    """The premise of using the rank form for an unstable op's indices, held against the pinned torch: every row
    length up to the bound agrees with a stable sort; one past it (where below the rank form's limit) does not."""
    bound = EAGER_STABLE_UP_TO[op]
    assert all(_eager_agrees_with_stable(op, n) for n in range(1, bound + 1))
    if bound < MAX_RANKED:
        assert not _eager_agrees_with_stable(op, bound + 1)


def test_floats_and_long_rows_keep_the_sort():
    program, _ = _decomposed(lambda x: torch.sort(x, dim=1).values, torch.randn(2, 5))
    assert _aten.sort.default in _ops(program)
    program, _ = _decomposed(lambda x: torch.sort(x, dim=1).values, torch.zeros(2, 65, dtype=torch.int32))
    assert _aten.sort.default in _ops(program)
