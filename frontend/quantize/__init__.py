"""Post-training quantization: a float PyTorch model -> a plain integer PyTorch module the RTL flow compiles.

    quantized = quantize(float_model, calibration_batches, QuantizeOptions(weights="per-channel"))
    x_int8, = quantized.quantize_inputs(x)
    quantized.module(x_int8)           # int8 outputs: eager PyTorch, torch.export, the RTL oracle
    quantized.layers                    # SQNR and max error per layer against the float model

Weights are symmetric int8 (per output channel by default), activations symmetric int8 per
tensor, accumulation int32, requantisation an integer multiplier and shift, rounding half up.

    imported = from_brevitas(brevitas_model, (x,))    # a quantization-aware trained model, 2..16-bit grids
    imported.module(*imported.quantize_inputs(x))     # the same kind of integer module, Brevitas's own integers

The Brevitas importer (brevitas is imported only when `from_brevitas` is first used) rounds half to even,
as Brevitas does, and `imported.exact` says whether the module is Brevitas's fake-quant output bit for bit.
"""

from __future__ import annotations

from frontend.quantize.error_report import LayerError, render_error_report
from frontend.quantize.options import QuantizeOptions
from frontend.quantize.quantizer import QuantizedModel, quantize

__all__ = ["BrevitasModel", "BrevitasOptions", "LayerError", "QuantizeOptions", "QuantizedModel", "from_brevitas", "quantize",
           "render_error_report"]

_BREVITAS = ("BrevitasModel", "BrevitasOptions", "from_brevitas")


def __getattr__(name: str):
    """The Brevitas importer on first use: importing brevitas costs seconds that `quantize` users need not pay."""
    if name in _BREVITAS:
        from frontend.quantize import brevitas_import

        return getattr(brevitas_import, name)
    raise AttributeError(f"module 'frontend.quantize' has no attribute '{name}'")
