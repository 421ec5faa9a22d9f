"""Where quantization loses accuracy: per input and rescaling layer, the dequantized integer activation
against the float model's, on the calibration data.

The integer model runs end to end, so a layer's error includes what earlier layers lost; the
first layer whose SQNR drops sharply is the one to fix (wider range, per-channel weights, ...).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.fx as fx

from frontend.quantize.calibrate import Batch, activations
from frontend.quantize.convert import IntegerGraph
from frontend.quantize.fixed_point import quantize_tensor


@dataclass(frozen=True)
class LayerError:
    """`sqnr_db` is 10 log10(sum f^2 / sum (f - q*scale)^2), None when the two agree exactly."""

    layer: str
    kind: str
    scale: float
    sqnr_db: float | None
    max_abs_error: float
    float_max_abs: float

    def to_json(self) -> dict:
        return asdict(self)


def sqnr_db(signal: float, noise: float) -> float | None:
    """Signal-to-quantization-noise ratio in dB from the two sums of squares; None for no noise at all."""
    if noise == 0:
        return None
    return 10 * math.log10(signal / noise) if signal > 0 else -math.inf


@dataclass
class _Sums:
    """Running sums over the batches, so no activation is kept beyond its batch."""

    signal: float = 0.0
    noise: float = 0.0
    max_error: float = 0.0
    max_abs: float = 0.0

    def add(self, reference: torch.Tensor, approximation: torch.Tensor) -> None:
        error = (reference - approximation).abs()
        self.signal += float((reference**2).sum())
        self.noise += float((error**2).sum())
        self.max_error = max(self.max_error, float(error.max()) if error.numel() else 0.0)
        self.max_abs = max(self.max_abs, float(reference.abs().max()) if reference.numel() else 0.0)


def measure(float_graph: fx.GraphModule, integer: IntegerGraph, data: list[Batch]) -> tuple[LayerError, ...]:
    """One LayerError per comparison point, over every calibration batch."""
    sums = [_Sums() for _ in integer.points]
    for batch in data:
        floats = activations(float_graph, batch, [p.float_node for p in integer.points])
        quantized = tuple(quantize_tensor(x, s) for x, s in zip(batch, integer.input_scales))
        ints = activations(integer.module, quantized, [p.integer_node for p in integer.points])
        for point, total in zip(integer.points, sums):
            total.add(floats[point.float_node].detach().double(), ints[point.integer_node].double() * point.scale)
    return tuple(LayerError(p.label, p.kind, p.scale, sqnr_db(t.signal, t.noise), t.max_error, t.max_abs)
                 for p, t in zip(integer.points, sums))


def render_error_report(report: dict) -> list[str]:
    """The report.md section: one row per layer, the weakest layer named."""
    rows = report["layers"]
    finite = [r for r in rows if r["sqnr_db"] is not None and r["kind"] != "input"]
    lines = ["## Quantization error per layer", "",
             f"Post-training int8 quantization ({report['weights']} weights, symmetric int8 activations, "
             f"{report['multiplier_bits']}-bit requantisation multipliers, rounding half up). Measured on the "
             f"{report['calibration_samples']} calibration samples: each layer's dequantized integer output against "
             "the float model's, errors of earlier layers included.", "",
             "| layer | kind | scale | SQNR (dB) | max abs error | float max abs |", "| --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        sqnr = "exact" if r["sqnr_db"] is None else f"{r['sqnr_db']:.1f}"
        lines.append(f"| `{r['layer']}` | {r['kind']} | {r['scale']:.4g} | {sqnr} | {r['max_abs_error']:.4g} "
                     f"| {r['float_max_abs']:.4g} |")
    if finite:
        worst = min(finite, key=lambda r: r["sqnr_db"])
        lines += ["", f"Lowest SQNR: `{worst['layer']}` ({worst['sqnr_db']:.1f} dB)."]
    return lines
