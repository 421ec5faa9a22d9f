"""Integer sort, topk and kthvalue as ranks: comparisons, a sum and a scatter.

torch-mlir lowers these to `tm_tensor.sort`/`topk`, whose circuits deadlock or
give wrong results on the RTL path. For integers along a short dimension the
sorted position of each element is its stable rank, the number of elements
less than it plus the number of equal ones before it, and the sorted tensor is a
scatter of the elements to their ranks: elementwise ops, a reduction and a scatter,
which both backends compile exactly. Ties keep their original order: a stable
sort. PyTorch's unstable sort, topk and kthvalue order ties as their algorithm
happens to (at 64 elements, never as a stable sort does), so the rank form is
used only where no index of a tie can be seen: the values alone, or `stable=True`.
An integer median (torch-mlir lowers none) is the lower middle of the sorted
values, so it is a kthvalue: `x.median()` and `x.nanmedian()` always (a value),
`x.median(dim)` where its indices go unread. A float median sorts (CPU only).
Floats keep torch-mlir's own lowering (NaN order).
"""

from __future__ import annotations

import math
import operator

import torch
from torch.export import ExportedProgram

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
}
# Before decomposition, argsort(stable=True) is its own op; it becomes sort.stable.
_SEEN_AS = {_aten.sort.stable: (_aten.sort.stable, _aten.argsort.stable)}


def rank_decompositions(program: ExportedProgram) -> dict:
    """The rank forms that give exactly eager PyTorch's results in this program, as a decomposition table."""
    table = {}
    for op, decomposition in _DECOMPOSITIONS.items():
        nodes = [n for n in program.graph.nodes if n.target in _SEEN_AS.get(op, (op,))]
        if all(_indices_are_exact(n) for n in nodes):
            table[op] = decomposition
    return table


def _indices_are_exact(node) -> bool:
    """A stable sort's indices are the rank form's; anyone else's indices must go unread."""
    if node.kwargs.get("stable") is True:
        return True
    if node.target == _aten.argsort.stable:
        return False
    return not any(user.target is operator.getitem and user.args[1] == 1 and user.users for user in node.users)
