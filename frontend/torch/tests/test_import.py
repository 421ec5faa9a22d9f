"""The frontend (through the flow) on models that must import: signature, dtypes, constants, determinism."""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np
import pytest
import torch

from common.ir_print import strip_locations
from frontend.torch.tests.flow import import_module


class TwoInTwoOut(torch.nn.Module):
    def forward(self, x: torch.Tensor, count: torch.Tensor):
        return torch.relu(x) * 2.0, count.sum()


class WithParameters(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.linear = torch.nn.Linear(4, 3)
        self.register_buffer("offset", torch.tensor([7, -7, 9], dtype=torch.int32))

    def forward(self, x: torch.Tensor, k: torch.Tensor):
        return self.linear(x), k + self.offset


def _inputs():
    return torch.ones(2, 3), torch.arange(-3, 3, dtype=torch.int32)


def test_metadata_names_shapes_dtypes():
    imported = import_module(TwoInTwoOut(), _inputs(), name="two")
    meta = imported.metadata
    assert meta.name == "two"
    assert [(a.name, a.shape, a.dtype) for a in meta.args] == [("x", (2, 3), "float32"), ("count", (6,), "int32")]
    assert [(r.name, r.shape, r.dtype) for r in meta.results] == [("result0", (2, 3), "float32"), ("result1", (), "int64")]
    signature = "func.func @main(%arg0: tensor<2x3xf32>, %arg1: tensor<6xi32>) -> (tensor<2x3xf32>, tensor<i64>)"
    assert signature in strip_locations(imported.linalg)


@pytest.mark.parametrize(
    ("dtype", "mlir_type"),
    [(torch.int8, "i8"), (torch.int16, "i16"), (torch.int32, "i32"), (torch.int64, "i64"),
     (torch.bool, "i1"), (torch.float32, "f32")],
)
def test_dtypes(dtype, mlir_type):
    x = torch.tensor([[1, 0, 1], [0, 1, 1]]).to(dtype)
    op = (lambda a: torch.logical_not(a)) if dtype == torch.bool else (lambda a: a - a * a)
    module = torch.nn.Module()
    module.forward = op
    imported = import_module(module, (x,), name=f"dtype_{mlir_type}")
    np_name = str(x.numpy().dtype)
    assert imported.metadata.args[0].dtype == np_name
    assert imported.metadata.results[0].dtype == np_name
    assert f"tensor<2x3x{mlir_type}>" in imported.linalg


def test_parameters_and_buffers_become_constants():
    imported = import_module(WithParameters(), (torch.ones(2, 4), torch.zeros(3, dtype=torch.int32)), name="params")
    assert len(imported.metadata.args) == 2  # weights are not arguments
    assert "func.func @main(%arg0: tensor<2x4xf32>, %arg1: tensor<3xi32>)" in strip_locations(imported.linalg)
    assert "arith.constant dense<[7, -7, 9]> : tensor<3xi32>" in imported.linalg
    assert "tensor<3x4xf32>" in imported.linalg  # the Linear weight, baked in


def test_import_is_deterministic_and_locates_ops_at_the_user_line(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(Path(__file__).absolute().parents[3])  # the checkout's root (under Bazel: the runfiles tree)
    first = import_module(WithParameters(), (torch.ones(2, 4), torch.zeros(3, dtype=torch.int32)), name="det")
    second = import_module(WithParameters(), (torch.ones(2, 4), torch.zeros(3, dtype=torch.int32)), name="det")
    assert first.linalg == second.linalg
    lines, start = inspect.getsourcelines(WithParameters.forward)
    line = start + next(i for i, text in enumerate(lines) if "self.linear(x)" in text)
    # The user's call, not torch's F.linear inside it, in a file named relative to the working directory.
    assert f'loc("frontend/torch/tests/test_import.py":{line}:0)' in first.linalg


def test_dump_dir_has_every_stage(tmp_path):
    import_module(TwoInTwoOut(), _inputs(), name="dump", dump_dir=tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "00_fx_import.mlir", "01_torch_backend.mlir", "02_linalg_on_tensors.mlir", "03_integer_idioms.mlir",
        "04_distinct_results.mlir", "05_check-signature.mlir",
    ]
    assert "torch.aten.relu" in (tmp_path / "00_fx_import.mlir").read_text()


def test_golden_flattens_outputs():
    golden = import_module(TwoInTwoOut(), _inputs(), name="golden").golden
    assert len(golden.inputs) == 2 and len(golden.outputs) == 2
    np.testing.assert_array_equal(golden.outputs[0], np.full((2, 3), 2.0, dtype=np.float32))
    assert golden.outputs[1].dtype == np.int64 and golden.outputs[1].shape == () and golden.outputs[1] == -3


def test_integer_idioms_leave_no_float_round_trip():
    """Integer negation and floor division stay integer ops (no sitofp/fptosi through float)."""

    class NegFloorDiv(torch.nn.Module):
        def forward(self, x, y):
            return -x, torch.div(x, y, rounding_mode="floor")

    x = torch.tensor([[-7, 5], [2**30, -(2**30)]], dtype=torch.int32)
    y = torch.tensor([[2, -3], [7, 7]], dtype=torch.int32)
    mlir = import_module(NegFloorDiv(), (x, y), name="idioms").linalg
    assert "arith.floordivsi" in mlir and "arith.subi" in mlir
    assert "sitofp" not in mlir and "fptosi" not in mlir
