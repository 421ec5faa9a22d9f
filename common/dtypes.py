"""The one dtype table: a tensor's dtype name (NumPy's, PyTorch's after `torch.`), MLIR element type and width.

Every place that maps between PyTorch, NumPy, MLIR and the hardware reads
this table: the exporter, the signature check, parameter values and port
widths on the RTL side, the integer check of the metadata. Neither torch nor
an MLIR copy is imported here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dtype:
    """`name` is NumPy's and PyTorch's (`torch.<name>`); `element` the signless MLIR type linalg uses."""

    name: str
    element: str
    bits: int
    integer: bool
    signed: bool

    @property
    def storage(self) -> str:
        """The NumPy dtype that holds the values: NumPy has no bfloat16, so float32 holds it (exactly)."""
        return "float32" if self.name == "bfloat16" else self.name


DTYPES: tuple[Dtype, ...] = (
    Dtype("bool", "i1", 1, True, False),
    Dtype("int8", "i8", 8, True, True),
    Dtype("uint8", "i8", 8, True, False),
    Dtype("int16", "i16", 16, True, True),
    Dtype("int32", "i32", 32, True, True),
    Dtype("int64", "i64", 64, True, True),
    Dtype("float16", "f16", 16, False, True),
    Dtype("bfloat16", "bf16", 16, False, True),
    Dtype("float32", "f32", 32, False, True),
    Dtype("float64", "f64", 64, False, True),
)
BY_NAME: dict[str, Dtype] = {dtype.name: dtype for dtype in DTYPES}
# An MLIR element type reads as the signed dtype of its width (uint8 shares i8 with int8).
BY_ELEMENT: dict[str, Dtype] = {dtype.element: dtype for dtype in reversed(DTYPES)}
INTEGER_NAMES = frozenset(dtype.name for dtype in DTYPES if dtype.integer)


def torch_name(dtype: object) -> str | None:
    """The table's name of a `torch.dtype`, or None when the table has none (complex, float8, ...)."""
    name = str(dtype).removeprefix("torch.")
    return name if name in BY_NAME else None
