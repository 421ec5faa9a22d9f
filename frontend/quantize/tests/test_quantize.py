"""`quantize` on small float models: the integer module, its fusion, its refusals and its error report."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from common.errors import ModelError, UnsupportedOpError, UserError
from frontend.quantize import QuantizeOptions, quantize
from frontend.quantize.modules import QLinear


class Mlp(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1, self.fc2 = torch.nn.Linear(6, 8), torch.nn.Linear(8, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(torch.relu(self.fc1(x)))


def _data(shape: tuple[int, ...], seed: int) -> torch.Tensor:
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed))


@pytest.fixture(scope="module")
def mlp() -> tuple[torch.nn.Module, torch.Tensor]:
    torch.manual_seed(0)
    return Mlp().eval(), _data((200, 6), 1)


def test_integer_module_is_int8_and_close_to_float(mlp) -> None:
    model, data = mlp
    quantized = quantize(model, data)
    (x,) = quantized.quantize_inputs(data)
    out = quantized.module(x)
    assert x.dtype == out.dtype == torch.int8
    (dequantized,) = quantized.dequantize_outputs(out)
    with torch.no_grad():
        reference = model(data).double()
    assert float((dequantized - reference).abs().max()) < 8 * quantized.output_scales[0]


def test_relu_is_fused_into_the_layer_before_it(mlp) -> None:
    quantized = quantize(*mlp)
    fc1 = quantized.module.get_submodule("fc1")
    assert isinstance(fc1, QLinear) and fc1.low == 0 and fc1.weight.dtype == torch.int8 and fc1.bias.dtype == torch.int32
    assert "clamp" not in quantized.module.code and "relu" not in quantized.module.code
    assert [row.layer for row in quantized.layers] == ["x", "fc1+relu", "fc2"]


def test_weights_per_channel_or_per_tensor(mlp) -> None:
    per_channel = quantize(*mlp).module.get_submodule("fc1").weight
    per_tensor = quantize(*mlp, QuantizeOptions(weights="per-tensor")).module.get_submodule("fc1").weight
    assert per_channel.abs().amax(dim=1).tolist() == [127] * 8
    assert per_tensor.abs().max() == 127 and min(per_tensor.abs().amax(dim=1).tolist()) < 127


def test_error_report_matches_an_independent_computation(mlp) -> None:
    """SQNR and max error of the input and the last layer, recomputed without the quantizer's graph walk."""
    model, data = mlp
    quantized = quantize(model, data)
    rows = {row.layer: row for row in quantized.layers}
    (x,) = quantized.quantize_inputs(data)
    with torch.no_grad():
        pairs = {"x": (data.numpy(), x.numpy() * quantized.input_scales[0]),
                 "fc2": (model(data).numpy(), quantized.module(x).numpy() * quantized.output_scales[0])}
    for name, (reference, approximation) in pairs.items():
        reference, noise = reference.astype(np.float64), reference.astype(np.float64) - approximation
        assert rows[name].sqnr_db == pytest.approx(10 * math.log10((reference**2).sum() / (noise**2).sum()), rel=1e-9)
        assert rows[name].max_abs_error == pytest.approx(np.abs(noise).max(), rel=1e-9)
        assert rows[name].float_max_abs == pytest.approx(np.abs(reference).max(), rel=1e-9)
    assert rows["fc2"].sqnr_db < rows["x"].sqnr_db  # errors accumulate through the layers


def test_report_markdown_names_the_weakest_layer(mlp) -> None:
    quantized = quantize(*mlp)
    text = quantized.report_markdown()
    worst = min((r for r in quantized.layers if r.kind != "input"), key=lambda r: r.sqnr_db)
    assert "| `fc1+relu` | linear |" in text and f"Lowest SQNR: `{worst.layer}`" in text
    assert "200 calibration samples" in text and "per-channel weights" in text


def test_a_float_op_without_integer_form_is_refused_with_its_source_line() -> None:
    class Gate(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = torch.nn.Linear(4, 4)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return torch.sigmoid(self.fc(x))

    with pytest.raises(UnsupportedOpError) as error:
        quantize(Gate(), _data((8, 4), 2))
    assert error.value.stage == "quantize" and error.value.model == "Gate" and "sigmoid" in error.value.message
    assert "test_quantize.py" in error.value.location and "nn.Linear" in error.value.hint


def test_an_untraceable_model_is_a_model_error() -> None:
    class Branchy(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x if x.sum() > 0 else -x

    with pytest.raises(ModelError, match="torch.fx cannot trace"):
        quantize(Branchy(), _data((2, 3), 3))


def test_an_accumulator_that_could_overflow_is_refused() -> None:
    layer = torch.nn.Linear(4, 1)
    with torch.no_grad():
        layer.weight.fill_(1e-7)
        layer.bias.fill_(1e3)
    with pytest.raises(UserError, match="could overflow its int32 accumulator"):
        quantize(layer, _data((8, 4), 4))


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="per-channel, per-tensor"):
        QuantizeOptions(weights="per-row")
    with pytest.raises(ValueError, match="multiplier_bits"):
        QuantizeOptions(multiplier_bits=40)
    with pytest.raises(ValueError, match="empty"):
        quantize(Mlp(), [])


def test_the_callers_model_stays_as_it_was(mlp) -> None:
    model, data = mlp
    model.train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    quantize(model, data)
    assert model.training and all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    model.eval()
