"""The integer module as the flow sees it: torch.export + the CPU backend agree with eager PyTorch bit for bit,
and the compiled design's report carries the error per layer."""

from __future__ import annotations

import json

import torch
import torch.nn.functional as F

import torch_circt


class ResidualNet(torch.nn.Module):
    """Every supported kind at once: conv (+fused ReLU), residual add (+ReLU), max and average pooling,
    a standalone ReLU, flatten and linear."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 4, 3, padding=1)
        self.conv2 = torch.nn.Conv2d(4, 4, 3, padding=1, stride=1)
        self.pool = torch.nn.MaxPool2d(2)
        self.avg = torch.nn.AvgPool2d(2)
        self.fc = torch.nn.Linear(16, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu(self.conv1(x))
        y = F.relu(self.conv2(y) + y)
        y = torch.relu(self.pool(y))
        return self.fc(self.avg(y).flatten(1))


def _quantized() -> torch_circt.QuantizedModel:
    torch.manual_seed(7)
    data = torch.randn((32, 1, 8, 8), generator=torch.Generator().manual_seed(8))
    return torch_circt.quantize(ResidualNet().eval(), data), data


def test_integer_module_matches_torch_export_on_the_cpu_backend(tmp_path) -> None:
    quantized, data = _quantized()
    (x,) = quantized.quantize_inputs(data[:2])
    exported = torch.export.export(quantized.module, (x,))
    assert torch.equal(exported.module()(x), quantized.module(x))
    design = torch_circt.compile(quantized, (x,), target="cpu")
    check = design.check()
    assert check.matched and check.exact and str(check) == "MATCH cpu: 1/1 results bit for bit"
    runs = design.simulate_many([quantized.quantize_inputs(data[i:i + 2]) for i in (4, 6)])
    for i, run in zip((4, 6), runs):
        assert (run.outputs[0] == quantized.module(*quantized.quantize_inputs(data[i:i + 2])).numpy()).all()

    saved = design.save(tmp_path / "out")
    report = json.loads((saved / "report.json").read_text())
    assert [row["layer"] for row in report["quantization"]["layers"]] == [
        "x", "conv1+relu", "conv2", "add+relu", "avg", "fc"]
    markdown = (saved / "report.md").read_text()
    assert "Model `ResidualNetInt8 (int8, from torch_circt.quantize)`" in markdown
    assert "## Quantization error per layer" in markdown and "| `add+relu` | add |" in markdown
