"""Reductions: sum, mean, max/min with indices, argmax; integer sums widen to int64."""

from __future__ import annotations

import torch

from e2e.models._inputs import Lambda, floats, ints
from e2e.suite import Tolerance, case


@case(name="sum_dim_i32", rtl=True)
def sum_dim_i32():
    """torch.sum of int32 returns int64, as PyTorch promotes integer sums."""
    return Lambda(lambda x: x.sum(dim=1)), (ints((4, 6), seed=61),)


@case(name="sum_keepdim_i32", rtl=True)
def sum_keepdim_i32():
    return Lambda(lambda x: x.sum(dim=0, keepdim=True, dtype=torch.int32)), (ints((4, 6), seed=62),)


@case(name="sum_all_f32", tolerance=Tolerance(rtol=1e-5, atol=1e-5))
def sum_all_f32():
    """A 0-d result."""
    return Lambda(lambda x: x.sum()), (floats((4, 6), seed=63),)


@case(name="mean_f32", tolerance=Tolerance())
def mean_f32():
    return Lambda(lambda x: x.mean(dim=0)), (floats((4, 6), seed=64),)


@case(name="max_dim_i32", rtl=True)
def max_dim_i32():
    """Two results: values and int64 indices."""
    return Lambda(lambda x: tuple(torch.max(x, dim=1))), (ints((4, 6), seed=65, low=-100, high=100),)


@case(name="argmax_i32", rtl=True)
def argmax_i32():
    return Lambda(lambda x: torch.argmax(x, dim=0)), (ints((5, 4), seed=66, low=-100, high=100),)


@case(name="amax_amin_f32", tolerance=Tolerance())
def amax_amin_f32():
    return Lambda(lambda x: torch.amax(x, dim=1) - torch.amin(x, dim=1)), (floats((4, 6), seed=67),)


@case(name="max_all_i32", rtl=True)
def max_all_i32():
    """Whole-tensor max: a 0-d int32 result."""
    return Lambda(lambda x: x.max()), (ints((4, 4), seed=68, low=-100, high=100),)


@case(name="cumsum_i32", rtl=True)
def cumsum_i32():
    """torch-mlir lowers cumsum to its own tm_tensor.scan: every stage must parse that dialect."""
    return Lambda(lambda x: torch.cumsum(x, dim=1)), (ints((2, 4), seed=91),)


@case(name="cumsum_f32", tolerance=Tolerance())
def cumsum_f32():
    return Lambda(lambda x: torch.cumsum(x, dim=0)), (floats((5, 3), seed=92),)


@case(name="cumprod_i32", rtl=True)
def cumprod_i32():
    return Lambda(lambda x: torch.cumprod(x, dim=1)), (ints((3, 5), seed=93, low=-3, high=4),)


@case(name="sort_i32", rtl=True)
def sort_i32():
    """Values only: ranks (comparisons, a sum, a scatter) on both backends (frontend/torch/_sort_by_rank.py)."""
    return Lambda(lambda x: torch.sort(x, dim=1)[0]), (ints((3, 5), seed=94, low=-100, high=100),)


@case(name="topk_i32", rtl=True)
def topk_i32():
    return Lambda(lambda x: torch.topk(x, 2, dim=1)[0]), (ints((3, 5), seed=95, low=-100, high=100),)


@case(name="kthvalue_i32", rtl=True)
def kthvalue_i32():
    return Lambda(lambda x: torch.kthvalue(x, 2, dim=1)[0]), (ints((3, 5), seed=96, low=-100, high=100),)


@case(name="argsort_stable_ties_i32", rtl=True)
def argsort_stable_ties_i32():
    """Many ties: a stable sort's indices are exactly the ranks' order."""
    return Lambda(lambda x: torch.argsort(x, dim=0, descending=True, stable=True)), (ints((6, 3), seed=97, low=-2, high=2),)


@case(name="sort_with_indices_i32", rtl=True)
def sort_with_indices_i32():
    """Distinct values: any sort's indices are eager's."""
    return Lambda(lambda x: torch.sort(x, dim=1, descending=True)), (
        torch.randperm(15, generator=torch.Generator().manual_seed(98)).reshape(3, 5).to(torch.int32),)


@case(name="sort_ties_indices_i32", rtl=True)
def sort_ties_indices_i32():
    """An unstable sort's indices among many ties: along 16 elements eager's sort is an insertion sort, stable, so
    ranks give its indices exactly (frontend/torch/_sort_by_rank.py, EAGER_STABLE_UP_TO); values in [-2, 2)."""
    return Lambda(lambda x: (*torch.sort(x, dim=1), torch.argsort(x, dim=0, descending=True))), (
        ints((4, 16), seed=449, low=-2, high=2),)


@case(name="sort_long_rows_i32", rtl=True)
def sort_long_rows_i32():
    """Rows past the rank form stay torch-mlir's bubble sort (tm_tensor.sort), on RTL too since predicate-stores
    runs its conditional swap on every step: indices along 20 distinct values (eager's order of ties would differ),
    values along 70 with many ties."""
    return Lambda(lambda x, y: (*torch.sort(x, dim=1), torch.argsort(x, dim=1, descending=True),
                                torch.sort(y, dim=1).values)), (
        torch.randperm(40, generator=torch.Generator().manual_seed(451)).reshape(2, 20).to(torch.int32) - 20,
        ints((1, 70), seed=452, low=-9, high=9))


@case(name="kthvalue_indices_i32", rtl=True)
def kthvalue_indices_i32():
    """kthvalue past the rank form stays tm_tensor.topk (insertion into k slots): its circuit returned the minimum for
    every k until hold-loads kept each loaded slot while the smaller value was stored back. Indices along 12 and 3
    distinct values (eager's quickselect orders ties its own way), values along 70 with ties."""
    return Lambda(lambda x, y: (*torch.kthvalue(x, 4, dim=1), *torch.kthvalue(x, 2, dim=0),
                                torch.kthvalue(y, 30, dim=1).values)), (
        torch.randperm(36, generator=torch.Generator().manual_seed(453)).reshape(3, 12).to(torch.int32) - 18,
        ints((1, 70), seed=454, low=-9, high=9))


@case(name="median_indices_i32", rtl=True)
def median_indices_i32():
    """Per-row medians with their indices (eager breaks ties by index), and topk's indices along 3 elements (eager's
    nth_element sorts so few by insertion): both a stable sort's, among many ties."""
    return Lambda(lambda x: (*x.median(1), *x.nanmedian(0), *torch.topk(x[:3], 2, dim=0))), (
        ints((5, 9), seed=450, low=-2, high=2),)


@case(name="cummax_cummin_i32", rtl=True)
def cummax_cummin_i32():
    """Running max and min with their indices (torch-mlir lowers neither): eager's index is the last position
    reaching the running extreme, so ties matter; values drawn from [-4, 4) to have many."""
    return Lambda(lambda x: (*torch.cummax(x, 1), *torch.cummin(x, 0))), (ints((3, 7), seed=447, low=-4, high=4),)


@case(name="cummax_cummin_nan_f32", tolerance=Tolerance(rtol=0.0, atol=0.0))
def cummax_cummin_nan_f32():
    """Float running extremes: a NaN takes over from where it comes (the last NaN's index), and +0.0/-0.0 tie (the
    later one is taken, with its sign). Exact: each value is one of the inputs."""
    nan = float("nan")
    x = torch.tensor([[1.0, nan, 3.0, -0.0, 0.0, 2.0, nan, 2.0], [0.0, -0.0, -1.0, 4.0, 4.0, -2.0, 1.0, 0.5]])
    return Lambda(lambda x: (*torch.cummax(x, 1), *torch.cummin(x, 1))), (x,)


@case(name="median_i32", rtl=True)
def median_i32():
    """Integer median (torch-mlir lowers none): the lower middle value of all elements, nanmedian alike, and per row
    (median_indices_i32 reads the indices too)."""
    return Lambda(lambda x: (x.median(), x.nanmedian(), x.median(1).values, x[:, :6].median(1).values)), \
        (ints((3, 7), seed=448, low=-4, high=4),)


@case(name="median_nan_f32", tolerance=Tolerance(rtol=0.0, atol=0.0))
def median_nan_f32():
    """Float median: NaN as soon as one element is NaN; nanmedian skips them (NaN when all are)."""
    nan = float("nan")
    x = torch.tensor([[0.5, nan, 3.0, -1.0], [2.0, 2.0, nan, 7.0], [nan, nan, nan, nan]])
    return Lambda(lambda x: (x.median(), x[0, [0, 2, 3]].median(), x.nanmedian(), x[2].nanmedian(), x[:2].nanmedian())), (x,)
