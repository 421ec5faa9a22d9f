"""`quantize`: a float model and calibration data in, an integer PyTorch module and its error report out."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

import torch
import torch.fx as fx

from frontend.quantize.calibrate import batches, ranges
from frontend.quantize.convert import build_integer_graph
from frontend.quantize.error_report import LayerError, measure, render_error_report
from frontend.quantize.fixed_point import quantize_tensor
from frontend.quantize.graph import classify, trace
from frontend.quantize.options import QuantizeOptions


@dataclass(frozen=True)
class QuantizedModel:
    """The integer module (int8 in, int8 out: the oracle the hardware must match), the scales that
    relate its integers to the float model's values, and the error per layer."""

    module: fx.GraphModule
    input_scales: tuple[float, ...]
    output_scales: tuple[float, ...]
    layers: tuple[LayerError, ...]
    options: QuantizeOptions
    calibration_samples: int

    def quantize_inputs(self, *inputs: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """Float inputs to the int8 tensors the module takes (round half up, saturating)."""
        return tuple(quantize_tensor(x, s) for x, s in zip(inputs, self.input_scales, strict=True))

    def dequantize_outputs(self, *outputs: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """The module's int8 outputs as the float values they stand for."""
        return tuple(y.double() * s for y, s in zip(outputs, self.output_scales, strict=True))

    def report(self) -> dict:
        """What report.json holds under "quantization"."""
        return {"weights": self.options.weights, "multiplier_bits": self.options.multiplier_bits,
                "rounding": "half up", "calibration_samples": self.calibration_samples,
                "input_scales": list(self.input_scales), "output_scales": list(self.output_scales),
                "layers": [asdict(layer) for layer in self.layers]}

    def report_markdown(self) -> str:
        return "\n".join(render_error_report(self.report())) + "\n"


def quantize(
    model: torch.nn.Module,
    calibration_inputs: torch.Tensor | Iterable[torch.Tensor | Sequence[torch.Tensor]],
    options: QuantizeOptions | None = None,
) -> QuantizedModel:
    """Post-training int8 quantization of `model` (evaluated in eval mode; the caller's model is untouched).

    `calibration_inputs` is one batch (a tensor, for a one-input model) or an iterable of batches
    (tensors or tuples of tensors); activation ranges are their maxima.
    """
    options = options or QuantizeOptions()
    name = type(model).__name__
    float_graph = trace(copy.deepcopy(model).eval(), name)
    ops = classify(float_graph, name)
    data = batches(calibration_inputs)
    max_abs, shapes = ranges(float_graph, data, list(float_graph.graph.nodes))
    integer = build_integer_graph(ops, max_abs, shapes, options, name, class_name=f"{name}Int8")
    layers = measure(float_graph, integer, data)
    samples = sum(len(b[0]) if b and b[0].dim() else 1 for b in data)
    return QuantizedModel(integer.module, integer.input_scales, integer.output_scales, layers, options, samples)
