"""Every refusal names the model, the stage, the op and the user's source line."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from common.errors import (
    DynamicShapeError,
    InternalCompilerError,
    ModelError,
    UnsupportedDtypeError,
    UnsupportedOpError,
)
from frontend.torch.tests.flow import import_module

THIS_FILE = Path(__file__).name


def _line_of(snippet: str) -> int:
    """Line number of the first line of this file containing `snippet` (after this function)."""
    lines = Path(__file__).read_text().splitlines()
    return next(i for i, line in enumerate(lines, start=1) if snippet in line and "_line_of" not in line)


class Erfinv(torch.nn.Module):
    def forward(self, x):
        return torch.erfinv(x) * 2  # marker: erfinv


class Outer(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.head = Erfinv()

    def forward(self, x):
        return self.head(x + 1)


class Histogram(torch.nn.Module):
    def forward(self, x):
        return torch.histc(x, bins=4)  # marker: histc


class NonZero(torch.nn.Module):
    def forward(self, x):
        return torch.nonzero(x)  # marker: nonzero


class Raises(torch.nn.Module):
    def forward(self, x):
        raise ValueError("boom in forward")  # marker: raises


def test_unsupported_op_names_op_module_and_source_line():
    with pytest.raises(UnsupportedOpError) as caught:
        import_module(Outer(), (torch.zeros(3),), name="outer")
    error = caught.value
    assert error.op == "aten.erfinv"
    assert error.stage == "linalg_on_tensors"
    assert error.model == "outer"
    assert error.location.endswith(f"{THIS_FILE}:{_line_of('marker: erfinv')}")
    text = str(error)
    assert "module: head (" in text and "Erfinv" in text
    assert "torch.erfinv(x)" in text
    assert "failed to legalize operation 'torch.aten.erfinv'" in text
    assert "what to do:" in text and "Traceback" not in text


def _inverse(x):
    return torch.erfinv(x) - 1  # marker: erfinv in helper


def _noisy(x):
    return x + torch.rand_like(x)  # marker: rand in helper


class CallsHelper(torch.nn.Module):
    def __init__(self, helper) -> None:
        super().__init__()
        self.helper = helper

    def forward(self, x):
        return self.helper(x * 2) + 3  # marker: calls helper


@pytest.mark.parametrize("helper, marker", [(_inverse, "erfinv in helper"), (_noisy, "rand in helper")])
def test_refused_op_in_a_helper_function_is_at_the_helpers_line_not_forwards(helper, marker):
    """torch.export keeps only `forward` frames; the error must still name the line of the op itself."""
    with pytest.raises(UnsupportedOpError) as caught:
        import_module(CallsHelper(helper), (torch.zeros(3),), name="helper")
    assert caught.value.location.endswith(f"{THIS_FILE}:{_line_of(f'marker: {marker}')}")
    assert f"marker: {marker}" in str(caught.value) and "calls helper" not in str(caught.value)


def test_unsupported_op_in_torch_backend_stage():
    with pytest.raises(UnsupportedOpError) as caught:
        import_module(Histogram(), (torch.zeros(4),), name="hist")
    assert caught.value.op == "aten.histc"
    assert caught.value.stage == "torch_backend"
    assert caught.value.location.endswith(f"{THIS_FILE}:{_line_of('marker: histc')}")


def test_data_dependent_shape_is_refused():
    with pytest.raises(DynamicShapeError) as caught:
        import_module(NonZero(), (torch.tensor([0.0, 1.0, 2.0]),), name="nz")
    error = caught.value
    assert error.op == "aten.nonzero.default"
    assert error.location.endswith(f"{THIS_FILE}:{_line_of('marker: nonzero')}")
    assert "symbolic shape" in str(error) and "nonzero" in str(error)


def test_forward_that_raises_is_a_model_error():
    with pytest.raises(ModelError) as caught:
        import_module(Raises(), (torch.zeros(3),), name="raiser")
    error = caught.value
    assert error.model == "raiser"
    assert "ValueError: boom in forward" in error.message
    assert error.location.endswith(f"{THIS_FILE}:{_line_of('marker: raises')}")
    assert "model 'raiser'" in str(error)


def test_unsupported_input_object_is_a_model_error_naming_the_argument():
    with pytest.raises(ModelError, match=r"example input 'x' is a object"):
        import_module(Erfinv(), (object(),), name="objected")


def test_complex_dtype_is_refused_with_a_way_out():
    module = torch.nn.Module()
    module.forward = lambda x: x + x
    with pytest.raises(UnsupportedDtypeError, match="complex") as caught:
        import_module(module, (torch.zeros(2, dtype=torch.complex64),), name="cplx")
    assert "view_as_real" in caught.value.hint


class Int8TimesScalar(torch.nn.Module):
    def forward(self, x):
        return x * 3  # torch-mlir 20261001 crashes lowering int8 mul.Scalar (unless the frontend widens it)


def test_native_crash_in_torch_mlir_is_an_internal_error_with_reproducer(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_CIRCT_REPRO_DIR", str(tmp_path))
    # The frontend's widening rule avoids this crash; without it, the crash is a known native one.
    monkeypatch.setattr("frontend.torch._export.widen_narrow_integers", lambda program, model: 0)
    with pytest.raises(InternalCompilerError) as caught:
        import_module(Int8TimesScalar(), (torch.ones(4, dtype=torch.int8),), name="int8_scalar")
    text = str(caught.value)
    assert caught.value.stage == "linalg_on_tensors"
    assert "torch-mlir-opt crashed" in text and "offending op: %" in text and "torch.aten.mul.Scalar" in text
    assert "reproduce with: " in text and "torch-mlir-opt --pass-pipeline=" in text
    assert len(list(tmp_path.glob("int8_scalar-02_linalg_on_tensors-*/input.mlir"))) == 1


class MedianWithIndex(torch.nn.Module):
    def forward(self, x):
        return x.median(1)  # ranked along at most 64 elements (the test gives 70)


class LongRunningMax(torch.nn.Module):
    def forward(self, x):
        return torch.cummax(x, 1)


@pytest.mark.parametrize(("module", "op", "says"), [
    (MedianWithIndex(), "aten.median.dim", "stable=True"),
    (LongRunningMax(), "aten.cummax", "at most 64 elements"),
])
def test_a_partly_covered_op_says_what_to_write_instead(module, op, says):
    x = torch.randint(-3, 3, (2, 70), dtype=torch.int32)
    with pytest.raises(UnsupportedOpError) as caught:
        import_module(module, (x,), name="partly")
    assert caught.value.op == op and says in caught.value.hint
