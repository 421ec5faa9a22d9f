"""Integer sort, topk and kthvalue as ranks: comparisons, a sum and a scatter.

torch-mlir lowers these to `tm_tensor.sort` (a bubble sort, n*n steps one after
another) and `tm_tensor.topk` (kthvalue, n*k steps). For integers along a short dimension the
sorted position of each element is its stable rank, the number of elements
less than it plus the number of equal ones before it, and the sorted tensor is a
scatter of the elements to their ranks: elementwise ops, a reduction and a scatter,
which both backends compile exactly. Ties keep their original order: a stable
sort. The rank form is used where that is also eager PyTorch's order of ties:
the values alone, `stable=True`, or a row short enough that eager's unstable
algorithm keeps ties in order (`EAGER_STABLE_UP_TO`). Beyond that eager orders
ties as its algorithm happens to (a sort of 17 elements, a topk of 4), and the
op stays torch-mlir's (whose order of ties is a stable sort's, so not eager's).
An integer median (torch-mlir lowers none) is the lower middle of the sorted
values, so it is a kthvalue: `x.median()` and `x.nanmedian()` always (a value),
`x.median(dim)` with its indices too (eager breaks its ties by index). A float
median sorts (CPU only). Floats keep torch-mlir's own lowering (NaN order).
"""

from __future__ import annotations

import math
import operator

import torch
from torch.export import ExportedProgram
from torch.fx.operator_schemas import normalize_function

_aten = torch.ops.aten
MAX_RANKED = 64  # n*n comparisons per row: beyond this the sort stays a sort


def _rankable(x: torch.Tensor, dim: int) -> bool:
    return not x.dtype.is_floating_point and not x.dtype.is_complex and x.dim() > 0 and x.shape[dim] <= MAX_RANKED


def _sorted_by_rank(x: torch.Tensor, dim: int, descending: bool) -> tuple[torch.Tensor, torch.Tensor]:
    rows = x.movedim(dim, -1)
    n = rows.shape[-1]
    mine, other = rows.unsqueeze(-1), rows.unsqueeze(-2)  # [..., i, 1] and [..., 1, j]
    ahead = other > mine if descending else other < mine
    earlier = torch.ones(n, n, dtype=torch.bool, device=x.device).tril(-1)  # j < i
    rank = (ahead | ((other == mine) & earlier)).sum(-1)
    positions = torch.arange(n, device=x.device).expand(rows.shape)
    last = rows.dim() - 1  # torch-mlir's scatter lowering crashes on a negative dim
    values = torch.zeros_like(rows).scatter(last, rank, rows)
    indices = torch.zeros_like(positions).scatter(last, rank, positions)
    return values.movedim(-1, dim), indices.movedim(-1, dim)


def sort(x: torch.Tensor, dim: int = -1, descending: bool = False):
    if not _rankable(x, dim):
        return NotImplemented
    return _sorted_by_rank(x, dim, descending)


def sort_stable(x: torch.Tensor, *, stable: bool | None = None, dim: int = -1, descending: bool = False):
    return sort(x, dim, descending)


def topk(x: torch.Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):  # noqa: A002 - aten's name
    if not _rankable(x, dim):
        return NotImplemented
    values, indices = _sorted_by_rank(x, dim, descending=largest)
    return values.narrow(dim, 0, k), indices.narrow(dim, 0, k)


def kthvalue(x: torch.Tensor, k: int, dim: int = -1, keepdim: bool = False):
    if not _rankable(x, dim):
        return NotImplemented
    values, indices = _sorted_by_rank(x, dim, descending=False)
    values, indices = values.narrow(dim, k - 1, 1), indices.narrow(dim, k - 1, 1)
    return (values, indices) if keepdim else (values.squeeze(dim), indices.squeeze(dim))


def median(x: torch.Tensor):
    """The lower median of all elements: eager's `x.median()`; NaN if any element is NaN."""
    flat = x.reshape(-1)
    if flat.dtype.is_floating_point and flat.numel() > 0:
        middle = torch.sort(flat).values[(flat.numel() - 1) // 2]
        return torch.where(flat.isnan().any(), torch.full((), math.nan, dtype=flat.dtype), middle)
    if not _rankable(flat, 0):
        return NotImplemented
    values, _ = kthvalue(flat, (flat.numel() + 1) // 2)
    return values


def nanmedian(x: torch.Tensor):
    """The lower median of the elements that are not NaN; NaN if all are. The NaNs are sorted as +inf
    (torch-mlir's sort does not put them last), which puts them after every element the median can be."""
    flat = x.reshape(-1)
    if not flat.dtype.is_floating_point or flat.numel() == 0:
        return median(x)
    numbers = ~flat.isnan()
    count = numbers.sum()
    ordered = torch.sort(torch.where(numbers, flat, torch.full((), math.inf, dtype=flat.dtype))).values
    middle = ordered.gather(0, ((count - 1) // 2).clamp(min=0).reshape(1)).reshape(())
    return torch.where(count > 0, middle, torch.full((), math.nan, dtype=flat.dtype))


def median_dim(x: torch.Tensor, dim: int = -1, keepdim: bool = False):
    if not _rankable(x, dim):
        return NotImplemented
    return kthvalue(x, (x.shape[dim] + 1) // 2, dim, keepdim)


_DECOMPOSITIONS = {
    _aten.sort.default: sort,
    _aten.sort.stable: sort_stable,
    _aten.topk.default: topk,
    _aten.kthvalue.default: kthvalue,
    _aten.median.default: median,
    _aten.nanmedian.default: nanmedian,
    _aten.median.dim: median_dim,
    _aten.nanmedian.dim: median_dim,  # integers have no NaN
}
# Before decomposition, argsort is its own op; it becomes sort.default, or sort.stable.
_SEEN_AS = {
    _aten.sort.default: (_aten.sort.default, _aten.argsort.default),
    _aten.sort.stable: (_aten.sort.stable, _aten.argsort.stable),
}
# The longest row along which eager PyTorch's CPU kernel orders ties as a stable sort does, so the
# rank form's indices are eager's (test_sort_by_rank checks each bound, and that one more breaks it,
# against the pinned torch). sort calls std::sort, an insertion sort up to 16 elements; topk's
# nth_element sorts by insertion up to 3; kthvalue's quickselect swaps ties from 3 on; median's
# nth_element compares (value, index).
EAGER_STABLE_UP_TO = {
    _aten.sort.default: 16,
    _aten.sort.stable: 16,
    _aten.argsort.default: 16,
    _aten.argsort.stable: 16,
    _aten.topk.default: 3,
    _aten.kthvalue.default: 2,
    _aten.median.dim: MAX_RANKED,
    _aten.nanmedian.dim: MAX_RANKED,
}


def rank_decompositions(program: ExportedProgram) -> dict:
    """The rank forms that give exactly eager PyTorch's results in this program, as a decomposition table."""
    table = {}
    for op, decomposition in _DECOMPOSITIONS.items():
        nodes = [n for n in program.graph.nodes if n.target in _SEEN_AS.get(op, (op,))]
        if all(_indices_are_exact(n) for n in nodes):
            table[op] = decomposition
    return table


def _indices_are_exact(node) -> bool:
    """A stable sort's indices are the rank form's, and so are eager's along a short row; anyone else's must go unread."""
    arguments = normalize_function(node.target, node.args, node.kwargs, normalize_to_only_use_kwargs=True).kwargs
    if arguments.get("stable") is True:
        return True
    x = arguments["input"].meta["val"]
    if x.dim() > 0 and x.shape[arguments.get("dim", -1)] <= EAGER_STABLE_UP_TO.get(node.target, 0):
        return True
    if node.target in (_aten.argsort.default, _aten.argsort.stable):
        return False
    return not any(user.target is operator.getitem and user.args[1] == 1 and user.users for user in node.users)
