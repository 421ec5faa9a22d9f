"""Pure data movement: reshape/view/flatten, transpose/permute, slicing, cat, stack."""

from __future__ import annotations

import torch

from e2e.models._inputs import Lambda, ints
from e2e.suite import case


@case(name="reshape_view_i32", rtl=True)
def reshape_view_i32():
    return Lambda(lambda x: (x.view(6, 4) + 1, x.reshape(2, 3, 4).flatten(1))), (ints((4, 6), seed=111),)


@case(name="transpose_permute_i32", rtl=True)
def transpose_permute_i32():
    return Lambda(lambda x: (x.transpose(0, 2), x.permute(1, 2, 0) * 2)), (ints((2, 3, 4), seed=112),)


@case(name="slice_i32", rtl=True)
def slice_i32():
    """Strided and negative-index slices, and a single-row select."""
    return Lambda(lambda x: (x[1:3, ::2], x[-2:, 1:-1], x[2])), (ints((5, 6), seed=113),)


@case(name="cat_i32", rtl=True)
def cat_i32():
    return Lambda(lambda x, y: (torch.cat([x, y], dim=0), torch.cat([x, x, y], dim=1))), (
        ints((2, 3), seed=114), ints((2, 3), seed=115))


@case(name="stack_squeeze_i32", rtl=True)
def stack_squeeze_i32():
    return Lambda(lambda x, y: (torch.stack([x, y]), x.unsqueeze(1).squeeze(1) - y)), (
        ints((3, 4), seed=116), ints((3, 4), seed=117))


@case(name="expand_i32", rtl=True)
def expand_i32():
    return Lambda(lambda x: x.expand(4, 3) * torch.arange(4, dtype=torch.int32).unsqueeze(1)), (ints((1, 3), seed=118),)


class TakeRows(torch.nn.Module):
    """Gathers with an index buffer. Not `x[self.index]`: torch-mlir's FX importer
    refuses a constant tensor inside aten.index.Tensor's list operand."""

    def __init__(self, rows: list[int]) -> None:
        super().__init__()
        self.register_buffer("index", torch.tensor(rows, dtype=torch.int64))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.index_select(x, 0, self.index) + torch.index_select(x, 1, self.index)


@case(name="gather_index_i32", rtl=True)
def gather_index_i32():
    """Indexing with a constant index tensor baked into the IR."""
    return TakeRows([3, 0, 2, 0]), (ints((4, 4), seed=119),)


@case(name="index_input_i32", rtl=True)
def index_input_i32():
    """Advanced indexing with an index tensor that is a model input (negative indices too)."""
    index = torch.tensor([2, -1, 0], dtype=torch.int64)
    return Lambda(lambda x, i: x[i] * 2), (ints((4, 3), seed=120), index)


@case(name="scatter_i32", rtl=True)
def scatter_i32():
    """tm_tensor.scatter: rows of `src` written where `index` says."""
    index = torch.tensor([[0, 2, 1, 0, 2]])
    return Lambda(lambda x, i: torch.zeros(3, 5, dtype=torch.int32).scatter(0, i, x[:1])), (ints((3, 5), seed=97), index)


@case(name="scatter_add_i32", rtl=True)
def scatter_add_i32():
    index = torch.tensor([[1, 1, 0, 2, 1], [0, 1, 2, 2, 0]])
    return Lambda(lambda x, i: x.scatter_add(0, i, x[:2])), (ints((3, 5), seed=98), index)


@case(name="index_put_i32", rtl=True)
def index_put_i32():
    """x[[0, 2]] = 7 with the index list baked into the program."""
    return Lambda(lambda x: x.index_put((torch.tensor([0, 2]),), torch.tensor(7, dtype=torch.int32))), (ints((3, 5), seed=99),)


@case(name="repeat_interleave_i32", rtl=True)
def repeat_interleave_i32():
    return Lambda(lambda x: torch.repeat_interleave(x, 2, dim=0)), (ints((3, 5), seed=100),)


@case(name="prims_aliases_i32", rtl=True)
def prims_aliases_i32():
    """`prims.squeeze` and `prims.view_of` return aliases, which torch.export's functionalization refused
    (torch-mlir's PrimsSqueeze, PrimsSqueezeEmptyDimensions, PrimsViewOf): they run as their ATen twins."""
    return Lambda(lambda a: (torch.ops.prims.squeeze(a, [0, 3]) + 1, torch.ops.prims.squeeze(a, []),
                             torch.ops.prims.view_of(a) * 2)), (ints((1, 2, 3, 1), seed=436),)


@case(name="repeat_interleave_counts_i64", rtl=True)
def repeat_interleave_counts_i64():
    """`repeat_interleave(counts, output_size=6)` on int64 counts (torch-mlir's RepeatInterleaveTensorInt64): the
    counts feed a scan that reads its input twice, and an input read twice killed CIRCT's extmem-to-hw (SIGABRT)."""
    return Lambda(lambda r: torch.ops.aten.repeat_interleave.Tensor(r, output_size=6)), \
        (torch.tensor([0, 1, 2, 3], dtype=torch.int64),)
