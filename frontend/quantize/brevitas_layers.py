"""What the importer reads from each Brevitas layer: its quantizers' integer view, or a refusal.

Everything comes from Brevitas's own objects (the quant proxies' scale, zero point, bit width,
signedness, narrow range and rounding mode; `quant_weight().int()`; the bias quantizer applied
to the input and weight scales), never recomputed, so the integer module sees exactly the grid
Brevitas trained on. A setting with no integer form here raises `UnsupportedOpError` naming the
layer, the setting and the model's source line.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from brevitas.function.ops import max_int, min_int
from brevitas.quant_tensor import IntQuantTensor
from brevitas.quant_tensor.int_torch_handler import max_acc_bit_width_avg_pool2d

from common.errors import UnsupportedOpError

STAGE = "quantize-brevitas"
MAX_BITS = 16


@dataclass(frozen=True)
class Grid:
    """An integer grid: value = q * scale with q in [low, high]; `scale` is a float64 tensor with one
    element (per tensor) or one per channel (dim 0 of a weight, the channel dim of an activation)."""

    scale: torch.Tensor
    low: int
    high: int
    bits: int
    signed: bool
    narrow: bool

    @property
    def per_channel(self) -> bool:
        return self.scale.numel() > 1


@dataclass(frozen=True)
class Where:
    """The layer being read, for refusals: its path in the model, its class, its source line."""

    model: str
    path: str
    kind: str
    location: str | None

    def refuse(self, setting: str, hint: str) -> UnsupportedOpError:
        return UnsupportedOpError(message=f"{self.kind} '{self.path}': {setting} has no integer form in the Brevitas importer",
                                  stage=STAGE, model=self.model, op=self.kind, location=self.location, hint=hint)


def activation_grid(proxy: torch.nn.Module, where: Where, role: str) -> Grid:
    """The grid of an activation quantizer (act_quant, input_quant, output_quant): per tensor, zero point 0,
    rounding to nearest (half to even), the activation ReLU or none."""
    implementation = proxy.fused_activation_quant_proxy.activation_impl
    if not isinstance(implementation, (torch.nn.Identity, torch.nn.ReLU)):
        raise where.refuse(f"{role} activation {type(implementation).__name__}",
                           "only the identity and ReLU (QuantIdentity, QuantReLU, QuantHardTanh) are imported")
    grid = _grid(proxy, proxy.scale(), proxy.zero_point(), proxy.bit_width(), where, role)
    if grid.per_channel:
        raise where.refuse(f"{role} per-channel activation scale", "use a per-tensor activation quantizer")
    if isinstance(implementation, torch.nn.ReLU):
        grid = Grid(grid.scale, max(grid.low, 0), grid.high, grid.bits, grid.signed, grid.narrow)
    return grid


def weight_of(layer: torch.nn.Module, where: Where) -> tuple[torch.Tensor, Grid]:
    """The integer weights (`quant_weight().int()`, narrowest dtype) and their grid, one scale per output channel
    or one for the layer."""
    if not layer.weight_quant.is_quant_enabled:
        raise where.refuse("a float weight (weight_quant=None)", "give the layer a weight quantizer")
    quant = layer.quant_weight()
    grid = _grid(layer.weight_quant, quant.scale, quant.zero_point, quant.bit_width, where, "weight_quant")
    if grid.per_channel and quant.scale.numel() != quant.value.shape[0]:
        raise where.refuse("a weight scale that is neither per tensor nor per output channel", "use per-tensor or per-channel")
    integers = quant.int().to(torch.int64)
    return integers.to(narrowest(int(integers.min()), int(integers.max()))), grid


def bias_of(layer: torch.nn.Module, input_grid: Grid, weight: Grid, where: Where) -> tuple[torch.Tensor, bool]:
    """The bias as int32 on the accumulator's grid (input scale x weight scale), and whether that is exact: Brevitas's
    bias quantizer with the input scale is exact; a float bias (bias_quant=None) is rounded here, half to even."""
    channels = layer.weight.shape[0]
    if layer.bias is None:
        return torch.zeros(channels, dtype=torch.int32), True
    acc_scale = (input_grid.scale * weight.scale).reshape(-1).expand(channels)
    proxy = layer.bias_quant
    if not proxy.is_quant_enabled:
        return torch.round(layer.bias.detach().double() / acc_scale).to(torch.int32), False
    if not proxy.requires_input_scale:
        raise where.refuse("a bias quantizer with its own scale", "use Int32Bias (or Int8Bias/Int16Bias): a bias on the "
                           "accumulator's grid")
    fake_input = IntQuantTensor(torch.zeros([1] * layer.weight.dim()), input_grid.scale.float().reshape(()), torch.tensor(0.0),
                                torch.tensor(float(input_grid.bits)), input_grid.signed, False)
    quant = proxy(layer.bias, fake_input, layer.quant_weight())
    return quant.int().reshape(-1).to(torch.int32), True


def narrowest(low: int, high: int) -> torch.dtype:
    """The narrowest torch integer dtype holding [low, high]; int8 before uint8, so that 4-bit unsigned stays int8."""
    for dtype in (torch.int8, torch.uint8, torch.int16, torch.int32, torch.int64):
        info = torch.iinfo(dtype)
        if info.min <= low and high <= info.max:
            return dtype
    raise ValueError(f"no integer dtype holds [{low}, {high}]")


def _grid(proxy: torch.nn.Module, scale: torch.Tensor, zero_point: torch.Tensor, bit_width: torch.Tensor, where: Where,
          role: str) -> Grid:
    rounding = str(getattr(proxy, "rounding_mode", "ROUND")).upper()
    if rounding != "ROUND":
        raise where.refuse(f"{role} rounding mode {rounding}", "use the default rounding (ROUND: to nearest, half to even)")
    zero_impl = type(getattr(proxy.quant_injector, "zero_point_impl", None)).__name__
    if bool((zero_point.detach() != 0).any()) or zero_impl != "ZeroZeroPoint":
        raise where.refuse(f"{role} non-zero zero point (asymmetric quantization)", "use a symmetric quantizer "
                           "(zero_point 0), e.g. Int8ActPerTensorFloat or Uint8ActPerTensorFloat")
    bits = float(bit_width.detach())
    if bits != int(bits) or not 2 <= bits <= MAX_BITS:
        raise where.refuse(f"{role} bit width {bits:g}", f"use an integer bit width in 2..{MAX_BITS}")
    signed, narrow = bool(proxy.is_signed), bool(proxy.is_narrow_range)
    width = torch.tensor(int(bits))
    low, high = int(min_int(signed, narrow, width)), int(max_int(signed, narrow, width))
    return Grid(scale.detach().double().reshape(-1), low, high, int(bits), signed, narrow)


@dataclass(frozen=True)
class TruncPool:
    """What a TruncAvgPool2d does to integers: sum a `kernel` window every `stride` (zero `padding`), drop `shift` bits
    (floor or round half to even), clamp onto `grid`, whose scale is the input's times 2^shift over the divisor."""

    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    shift: int
    floor: bool
    grid: Grid


def trunc_pool_of(pool: torch.nn.Module, source: Grid, where: Where) -> TruncPool:
    """Brevitas's own arithmetic of a TruncAvgPool2d (`avg_pool2d_handler`, then `TruncIntQuant` with MSB scaling): the
    sum's bit width is Brevitas's `max_acc_bit_width_avg_pool2d` of the input's, the output keeps the most significant
    `bit_width` bits of it."""
    kernel, stride, padding = (_pair(getattr(pool, name)) for name in ("kernel_size", "stride", "padding"))
    if pool.ceil_mode:
        raise where.refuse("ceil_mode=True (partial windows averaged over fewer elements)", "use ceil_mode=False")
    if any(padding) and not pool.count_include_pad:
        raise where.refuse("padding with count_include_pad=False", "use count_include_pad=True, or no padding")
    if not pool.is_trunc_quant_enabled:
        raise where.refuse("trunc_quant=None (a float average)", "keep a truncation quantizer, e.g. RoundTo8bit")
    quant = pool.trunc_quant.tensor_quant
    rounding = type(quant.float_to_int_impl).__name__
    if rounding not in ("RoundSte", "FloorSte") or type(quant.trunc_scaling_impl).__name__ != "TruncMsbScaling":
        raise where.refuse(f"trunc_quant with {rounding} and {type(quant.trunc_scaling_impl).__name__}",
                           "use RoundTo8bit or TruncTo8bit (MSB truncation, round or floor), with any bit_width")
    divisor = pool.divisor_override or kernel[0] * kernel[1]
    in_bits = int(max_acc_bit_width_avg_pool2d(torch.tensor(float(source.bits)), divisor))
    out_bits = int(quant.msb_clamp_bit_width_impl())
    width = torch.tensor(out_bits)
    low, high = int(min_int(source.signed, quant.narrow_range, width)), int(max_int(source.signed, quant.narrow_range, width))
    shift = in_bits - out_bits
    grid = Grid(source.scale * 2.0**shift / divisor, low, high, out_bits, source.signed, bool(quant.narrow_range))
    return TruncPool(kernel, stride or kernel, padding, shift, rounding == "FloorSte", grid)


def _pair(value: int | tuple[int, int] | None) -> tuple[int, int] | None:
    if value is None:
        return None
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))
