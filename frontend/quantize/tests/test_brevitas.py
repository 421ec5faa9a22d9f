"""`from_brevitas` against Brevitas itself: each layer kind at 2, 4 and 8 bits, signed and unsigned, per tensor and per
channel, on random inputs; the refusals; and one small network through the RTL flow bit for bit.

The criterion, stated once: with power-of-two scales throughout (Brevitas's *FixedPoint quantizers) and Brevitas's
own bias quantizer, the integer module's outputs ARE Brevitas's fake-quantized outputs divided by the output scale,
bit for bit (`imported.exact` is True). With float scales Brevitas computes in float32 and we compute the exact
ratio with a 24-bit multiplier, so an output may differ by at most 1 LSB of the output scale: where the exact
value is a rounding tie (common when two scales are in a small-integer ratio) float32's error picks the side.
"""

from __future__ import annotations

import pytest
import torch

brevitas_nn = pytest.importorskip("brevitas.nn")
from brevitas import quant  # noqa: E402

import torch_circt  # noqa: E402
from common.errors import UnsupportedOpError  # noqa: E402


class PerChannelFixedPoint(quant.Int8WeightPerTensorFixedPoint):
    scaling_per_output_channel = True


WEIGHTS = {("pow2", "per-tensor"): quant.Int8WeightPerTensorFixedPoint, ("pow2", "per-channel"): PerChannelFixedPoint,
           ("float", "per-tensor"): quant.Int8WeightPerTensorFloat, ("float", "per-channel"): quant.Int8WeightPerChannelFloat}
SIGNED_ACT = {"pow2": quant.Int8ActPerTensorFixedPoint, "float": quant.Int8ActPerTensorFloat}
UNSIGNED_ACT = {"pow2": quant.Uint8ActPerTensorFixedPoint, "float": quant.Uint8ActPerTensorFloat}


def _network(kind: str, bits: int, signed: bool, granularity: str, scales: str, narrow: bool) -> torch.nn.Sequential:
    acts = SIGNED_ACT if signed else UNSIGNED_ACT
    activation = brevitas_nn.QuantIdentity if signed else brevitas_nn.QuantReLU
    weight = {"weight_quant": WEIGHTS[(scales, granularity)], "weight_bit_width": bits, "weight_narrow_range": narrow,
              "bias_quant": quant.Int32Bias}
    if kind == "linear":
        layer, flatten = brevitas_nn.QuantLinear(12, 6, bias=True, **weight), torch.nn.Identity()
    else:
        layer, flatten = brevitas_nn.QuantConv2d(2, 4, 3, padding=1, bias=True, **weight), torch.nn.MaxPool2d(2)
    return torch.nn.Sequential(
        activation(act_quant=acts[scales], bit_width=bits, return_quant_tensor=True), layer,
        activation(act_quant=acts[scales], bit_width=bits, return_quant_tensor=True), flatten)


def _inputs(kind: str, seed: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randn((64, 12) if kind == "linear" else (8, 2, 6, 6), generator=generator)


def _float(output) -> torch.Tensor:
    """Brevitas's fake-quantized values, whether the last layer returns a QuantTensor or a tensor."""
    return getattr(output, "value", output).double()


def _compare(model: torch.nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, object]:
    model.train()
    model(x)  # one training step of statistics, so float scales are not their initial values
    model.eval()
    imported = torch_circt.from_brevitas(model, (x,))
    with torch.no_grad():
        reference = _float(model(x))
    ours = imported.module(*imported.quantize_inputs(x))
    scale = imported.output_grids[0].scale
    return ours.to(torch.int64), torch.round(reference / scale.reshape(-1)[0]).to(torch.int64), imported


@pytest.mark.parametrize("scales", ["pow2", "float"])
@pytest.mark.parametrize("granularity", ["per-tensor", "per-channel"])
@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
@pytest.mark.parametrize("bits", [2, 4, 8])
@pytest.mark.parametrize("kind", ["linear", "conv"])
def test_layer_matches_brevitas(kind: str, bits: int, signed: bool, granularity: str, scales: str) -> None:
    torch.manual_seed(bits)
    model = _network(kind, bits, signed, granularity, scales, narrow=bits > 2)
    ours, reference, imported = _compare(model, _inputs(kind, bits))
    low, high = imported.output_grids[0].low, imported.output_grids[0].high
    assert int(ours.min()) >= low and int(ours.max()) <= high
    if scales == "pow2":
        assert imported.exact and torch.equal(ours, reference)
    else:
        difference = (ours - reference).abs()
        assert int(difference.max()) <= 1


@pytest.mark.parametrize("bits", [2, 4, 8])
def test_hardtanh_and_identity_requantise_exactly(bits: int) -> None:
    model = torch.nn.Sequential(
        brevitas_nn.QuantIdentity(act_quant=quant.Int8ActPerTensorFixedPoint, bit_width=8, return_quant_tensor=True),
        brevitas_nn.QuantHardTanh(act_quant=quant.Int8ActPerTensorFixedPoint, bit_width=bits, min_val=-1.0, max_val=1.0,
                                  return_quant_tensor=True))
    ours, reference, imported = _compare(model, 3 * _inputs("linear", bits))
    assert imported.exact and torch.equal(ours, reference)
    assert [note.what for note in imported.layers] == ["requantize (shift)"]


def test_ranges_and_narrow_dtypes_are_recorded() -> None:
    model = _network("linear", 4, True, "per-tensor", "pow2", narrow=True)
    _, _, imported = _compare(model, _inputs("linear", 0))
    nodes = {n.target: n for n in imported.module.graph.nodes if n.op == "call_module"}
    accumulator = nodes["1"].meta["torch_circt.range"]
    assert accumulator[1] - accumulator[0] < 2**12  # 12 products of 4-bit x 4-bit values, not a 32-bit range
    requantised = next(n for t, n in nodes.items() if "requant" in t)
    assert requantised.meta["torch_circt.range"] == (-8, 7) and requantised.meta["torch_circt.dtype"] == torch.int8
    assert imported.module.get_submodule("1").weight.dtype == torch.int8


def _refused(model: torch.nn.Module, x: torch.Tensor) -> UnsupportedOpError:
    with pytest.raises(UnsupportedOpError) as caught:
        torch_circt.from_brevitas(model, (x,))
    return caught.value


def test_asymmetric_zero_point_is_refused_naming_layer_setting_and_line() -> None:
    model = torch.nn.Sequential(brevitas_nn.QuantIdentity(act_quant=quant.ShiftedUint8ActPerTensorFloat, bit_width=4))
    error = _refused(model, _inputs("linear", 0))
    text = str(error)
    assert "QuantIdentity '0'" in text and "non-zero zero point" in text and error.location


def test_non_linear_activation_is_refused() -> None:
    model = torch.nn.Sequential(brevitas_nn.QuantIdentity(bit_width=4, return_quant_tensor=True),
                                brevitas_nn.QuantSigmoid(bit_width=4))
    assert "QuantSigmoid" in str(_refused(model, _inputs("linear", 0)))


@pytest.mark.parametrize("scales", ["pow2", "float"])
@pytest.mark.parametrize("window", [(2, None, 0), (3, 1, 1), (3, 2, 0)], ids=["k2", "k3-s1-p1", "k3-s2"])
@pytest.mark.parametrize("truncation", ["RoundTo8bit", "TruncTo8bit-4bit"])
@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
@pytest.mark.parametrize("bits", [2, 4, 8])
def test_trunc_avg_pool_matches_brevitas_bit_for_bit(bits: int, signed: bool, truncation: str,
                                                      window: tuple[int, int | None, int], scales: str) -> None:
    """Pooling is exact whatever the scales: a sum and a power-of-two truncation of integers, as Brevitas does it."""
    torch.manual_seed(bits)
    kernel, stride, padding = window
    trunc = {"trunc_quant": quant.RoundTo8bit} if truncation == "RoundTo8bit" else {"trunc_quant": quant.TruncTo8bit,
                                                                                     "bit_width": 4}
    activation = brevitas_nn.QuantIdentity if signed else brevitas_nn.QuantReLU
    model = torch.nn.Sequential(
        activation(act_quant=(SIGNED_ACT if signed else UNSIGNED_ACT)[scales], bit_width=bits, return_quant_tensor=True),
        brevitas_nn.TruncAvgPool2d(kernel_size=kernel, stride=stride, return_quant_tensor=True, **trunc))
    model[1].padding = padding  # Brevitas's constructor drops a padding argument; AvgPool2d's forward reads this
    x = 2 * torch.randn(4, 3, 7, 7, generator=torch.Generator().manual_seed(bits))
    model.train()
    model(x)
    model.eval()
    imported = torch_circt.from_brevitas(model, (x,))
    with torch.no_grad():
        reference = model(x)
    ours = imported.module(*imported.quantize_inputs(x)).to(torch.int64)
    assert torch.equal(ours, torch.round(reference.value.double() / reference.scale.double()).to(torch.int64))
    assert torch.allclose(imported.output_grids[0].scale.float(), reference.scale.reshape(-1), rtol=1e-6, atol=0)
    pool = next(n for n in imported.module.graph.nodes if n.op == "call_module" and n.target == "1")
    low, high = pool.meta["torch_circt.range"]
    assert low <= int(ours.min()) and int(ours.max()) <= high  # the recorded range holds what the pool gives


def test_trunc_avg_pool_settings_without_an_integer_form_are_refused() -> None:
    quantizer = brevitas_nn.QuantIdentity(bit_width=4, return_quant_tensor=True)
    padded = brevitas_nn.TruncAvgPool2d(kernel_size=3, count_include_pad=False)
    padded.padding = 1
    for pool, setting in ((brevitas_nn.TruncAvgPool2d(kernel_size=3, ceil_mode=True), "ceil_mode=True"),
                          (padded, "count_include_pad"),
                          (brevitas_nn.TruncAdaptiveAvgPool2d(output_size=2), "TruncAdaptiveAvgPool2d")):
        error = _refused(torch.nn.Sequential(quantizer, pool), _inputs("conv", 0))
        assert setting in str(error) and "'1'" in str(error) and error.location


def test_trunc_avg_pool_of_an_accumulator_is_refused() -> None:
    model = torch.nn.Sequential(brevitas_nn.QuantIdentity(bit_width=4, return_quant_tensor=True),
                                brevitas_nn.QuantConv2d(2, 2, 3, weight_bit_width=4, bias=False, return_quant_tensor=True),
                                brevitas_nn.TruncAvgPool2d(kernel_size=2))
    assert "accumulator" in str(_refused(model, _inputs("conv", 0)))


def test_unquantized_input_to_a_layer_is_refused() -> None:
    model = torch.nn.Sequential(brevitas_nn.QuantLinear(12, 4, bias=False, weight_bit_width=4))
    assert "a float input" in str(_refused(model, _inputs("linear", 0)))


def test_rtl_matches_the_integer_module_bit_for_bit() -> None:
    """A 4-bit MLP on the RTL path: one Verilator build, kept small for CI."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        brevitas_nn.QuantIdentity(act_quant=quant.Int8ActPerTensorFixedPoint, bit_width=4, return_quant_tensor=True),
        brevitas_nn.QuantLinear(8, 6, bias=True, weight_bit_width=4, weight_quant=quant.Int8WeightPerTensorFixedPoint,
                                bias_quant=quant.Int32Bias),
        brevitas_nn.QuantReLU(act_quant=quant.Uint8ActPerTensorFixedPoint, bit_width=4, return_quant_tensor=True),
        brevitas_nn.QuantLinear(6, 3, bias=True, weight_bit_width=4, weight_quant=quant.Int8WeightPerTensorFixedPoint,
                                bias_quant=quant.Int32Bias)).eval()
    x = torch.randn(1, 8)
    imported = torch_circt.from_brevitas(model, (x,))
    inputs = imported.quantize_inputs(x)
    design = torch_circt.compile(imported.module, inputs, target="rtl", name="brevitas_mlp4")
    check = design.check()
    assert check.matched and check.exact, str(check)
    more = imported.quantize_inputs(torch.randn(3, 8))[0]
    runs = design.simulate_many([(row,) for row in more.split(1)])
    assert all(torch.equal(torch.from_numpy(run.outputs[0]), imported.module(row)) for run, row in zip(runs, more.split(1)))
    with torch.no_grad():
        reference = _float(model(x))
    assert torch.allclose(imported.dequantize_outputs(imported.module(*inputs))[0], reference, rtol=0, atol=1e-6)


def test_rtl_pooled_conv_matches_bit_for_bit() -> None:
    """A 4-bit conv, ReLU and TruncAvgPool2d on the RTL path: the pool's strided window sums and shift in hardware."""
    torch.manual_seed(1)
    act = {"act_quant": quant.Uint8ActPerTensorFixedPoint, "bit_width": 4, "return_quant_tensor": True}
    model = torch.nn.Sequential(
        brevitas_nn.QuantReLU(**act),
        brevitas_nn.QuantConv2d(1, 2, 3, bias=True, weight_bit_width=4, weight_quant=quant.Int8WeightPerTensorFixedPoint,
                                bias_quant=quant.Int32Bias),
        brevitas_nn.QuantReLU(**act),
        brevitas_nn.TruncAvgPool2d(kernel_size=2, trunc_quant=quant.RoundTo8bit, bit_width=4)).eval()
    x = torch.rand(1, 1, 6, 6)
    imported = torch_circt.from_brevitas(model, (x,))
    inputs = imported.quantize_inputs(x)
    design = torch_circt.compile(imported.module, inputs, target="rtl", name="brevitas_pool4")
    check = design.check()
    assert check.matched and check.exact, str(check)
    with torch.no_grad():
        reference = model(x)
    assert imported.exact
    assert torch.equal(imported.module(*inputs).to(torch.int64), torch.round(reference.value / reference.scale).to(torch.int64))
