"""Post-training quantization: a float PyTorch model -> a plain integer PyTorch module the RTL flow compiles.

    quantized = quantize(float_model, calibration_batches, QuantizeOptions(weights="per-channel"))
    x_int8, = quantized.quantize_inputs(x)
    quantized.module(x_int8)           # int8 outputs: eager PyTorch, torch.export, the RTL oracle
    quantized.layers                    # SQNR and max error per layer against the float model

Weights are symmetric int8 (per output channel by default), activations symmetric int8 per
tensor, accumulation int32, requantisation an integer multiplier and shift, rounding half up.
"""

from __future__ import annotations

from frontend.quantize.error_report import LayerError, render_error_report
from frontend.quantize.options import QuantizeOptions
from frontend.quantize.quantizer import QuantizedModel, quantize

__all__ = ["LayerError", "QuantizeOptions", "QuantizedModel", "quantize", "render_error_report"]
