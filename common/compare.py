"""Compare a backend's outputs with the golden record: the one verdict every backend shares.

Used by the e2e suite's tests and by the compile tool alike.

Integers (and bools) must match bit for bit, with the same dtype and shape.
Floats must match within the case's stated tolerance (`np.allclose`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from common.option_fields import option
from common.records import Golden, ModelMetadata, TensorSpec


@dataclass(frozen=True)
class Tolerance:
    """How far a float result may drift from eager PyTorch (`np.allclose` semantics), per dtype.

    `rtol`/`atol` hold for float32 and float64. Half-precision results have their
    own pair (rtol, atol): one rounding to float16 is up to 2**-11 relative and to
    bfloat16 2**-8, and a backend may round intermediates at other points than
    eager PyTorch does (eager accumulates a half matmul in float32, for one).
    """

    rtol: float = option(1e-5, "relative tolerance for float results")
    atol: float = option(1e-6, "absolute tolerance for float results")
    float16: tuple[float, float] = (1e-2, 1e-3)
    bfloat16: tuple[float, float] = (4e-2, 1e-2)

    def for_dtype(self, dtype: str) -> tuple[float, float]:
        return {"float16": self.float16, "bfloat16": self.bfloat16}.get(dtype, (self.rtol, self.atol))


EXACT = Tolerance(rtol=0.0, atol=0.0, float16=(0.0, 0.0), bfloat16=(0.0, 0.0))


def compare(
    metadata: ModelMetadata,
    golden: Golden,
    actual_outputs: Sequence[np.ndarray],
    tolerance: Tolerance | None,
) -> list[str]:
    """One message per mismatching result; an empty list means the outputs match."""
    if len(actual_outputs) != len(golden.outputs):
        return [f"expected {len(golden.outputs)} results, got {len(actual_outputs)}"]
    problems: list[str] = []
    for index, (spec, expected, actual) in enumerate(zip(metadata.results, golden.outputs, actual_outputs)):
        problem = _compare_one(spec, np.asarray(expected), np.asarray(actual), tolerance)
        if problem:
            problems.append(f"result {index} ('{spec.name}'): {problem}")
    return problems


def _compare_one(spec: TensorSpec, expected: np.ndarray, actual: np.ndarray, tolerance: Tolerance | None) -> str | None:
    if actual.dtype != expected.dtype or expected.dtype != spec.storage:
        return f"dtype {actual.dtype}, expected {expected.dtype} (metadata says {spec.dtype})"
    if actual.shape != expected.shape:
        return f"shape {list(actual.shape)}, expected {list(expected.shape)}"
    if spec.is_integer:
        differ = actual != expected
        if not differ.any():
            return None
        first = _first(differ)
        return (
            f"{int(differ.sum())} of {differ.size} elements differ (integers must match bit for bit); "
            f"first at {first}: got {actual[first]!r}, expected {expected[first]!r}"
        )
    rtol, atol = (tolerance or EXACT).for_dtype(spec.dtype)
    close = np.isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return None
    first = _first(~close)
    max_abs = float(np.nanmax(np.abs(actual.astype(np.float64) - expected.astype(np.float64))))
    return (
        f"{int((~close).sum())} of {close.size} elements outside {spec.dtype} rtol={rtol} atol={atol}; "
        f"max abs error {max_abs:.3g}; first at {first}: got {actual[first]!r}, expected {expected[first]!r}"
    )


def _first(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(mask)[0]) if mask.ndim else ()
