"""Tiny models for the RTL backend tests, imported straight through torch-mlir's FX importer."""

from __future__ import annotations

import warnings

import torch

from common.records import ModelMetadata, TensorSpec


class Add(torch.nn.Module):
    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return a + b


class Linear(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.w = torch.nn.Parameter(torch.arange(-6, 6, dtype=torch.int32).reshape(3, 4), requires_grad=False)
        self.b = torch.nn.Parameter(torch.tensor([1, -2, 3], dtype=torch.int32), requires_grad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.linear(x, self.w, self.b)


class FloatScale(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * 0.5


def _spec(prefix: str, tensors: tuple[torch.Tensor, ...]) -> tuple[TensorSpec, ...]:
    return tuple(
        TensorSpec(f"{prefix}{i}", tuple(t.shape), str(t.dtype).removeprefix("torch.")) for i, t in enumerate(tensors)
    )


def import_model(name: str, module: torch.nn.Module, inputs: tuple[torch.Tensor, ...]) -> tuple[str, ModelMetadata]:
    """linalg-on-tensors text and metadata for `module` on `inputs`."""
    from torch_mlir import fx

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlir = fx.export_and_import(module, *inputs, output_type="linalg-on-tensors", func_name="main")
    outputs = module(*inputs)
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    return str(mlir), ModelMetadata(name, _spec("arg", inputs), _spec("result", outputs))


def add_model() -> tuple[str, ModelMetadata, tuple[torch.Tensor, ...]]:
    inputs = (torch.tensor([[1, -2, 3], [2**31 - 1, 5, -6]], dtype=torch.int32), torch.tensor([7, 8, -9], dtype=torch.int32))
    return (*import_model("add", Add(), inputs), inputs)


def linear_model() -> tuple[str, ModelMetadata, tuple[torch.Tensor, ...]]:
    inputs = (torch.tensor([[1, 2, 3, 4], [-5, 6, -7, 8]], dtype=torch.int32),)
    return (*import_model("linear", Linear(), inputs), inputs)


def compile_to_rtl(mlir: str, metadata, **options):
    """The flow's RTL half on linalg text (a Design: .sv, .manifest, .stage_names)."""
    import torch_circt

    return torch_circt.from_linalg(mlir, metadata, None, "rtl", torch_circt.Options(**options))
