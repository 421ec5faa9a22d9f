"""Integer sort/topk/kthvalue as ranks: exact where no tie's index shows, kept as sorts elsewhere."""

from __future__ import annotations

import pytest
import torch
from torch.utils._pytree import tree_leaves

from frontend.torch._sort_by_rank import rank_decompositions

_aten = torch.ops.aten
TIES = torch.tensor([[3, -1, 3, 0, -1, 2], [0, 0, 0, -5, 7, 0], [9, 8, 7, 6, 5, 4]], dtype=torch.int32)


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
])
def test_rank_form_matches_eager_with_ties(fn):
    program, table = _decomposed(fn, TIES)
    assert table and not _ops(program) & {_aten.sort.default, _aten.sort.stable, _aten.topk.default,
                                          _aten.kthvalue.default}
    for got, want in zip(tree_leaves(program.module()(TIES)), tree_leaves(fn(TIES))):
        assert torch.equal(got, want)


@pytest.mark.parametrize("fn, op", [
    (lambda x: torch.sort(x, dim=1), _aten.sort.default),  # an unstable sort's indices are read
    (lambda x: torch.topk(x, 3, dim=1).indices, _aten.topk.default),
    (lambda x: torch.kthvalue(x, 2, dim=1), _aten.kthvalue.default),
])
def test_indices_of_an_unstable_sort_keep_the_sort(fn, op):
    program, table = _decomposed(fn, TIES)
    assert op not in table and op in _ops(program)


def test_floats_and_long_rows_keep_the_sort():
    program, _ = _decomposed(lambda x: torch.sort(x, dim=1).values, torch.randn(2, 5))
    assert _aten.sort.default in _ops(program)
    program, _ = _decomposed(lambda x: torch.sort(x, dim=1).values, torch.zeros(2, 65, dtype=torch.int32))
    assert _aten.sort.default in _ops(program)
