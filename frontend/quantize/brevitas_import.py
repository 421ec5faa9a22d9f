"""`from_brevitas`: a network of Brevitas layers -> the plain integer PyTorch module the RTL flow compiles.

The model is traced with torch.fx, Brevitas layers kept whole. Every value becomes an integer tensor on
a grid (`Grid`: scale, [low, high]): the first activation quantizer's grid is the input's (the module
takes its integers, `quantize_inputs` makes them with Brevitas's own quantizer), a QuantLinear /
QuantConv2d yields its int32 accumulator (scale = input scale x weight scale, per channel when the
weights are), and each activation quantizer after it (QuantIdentity, QuantReLU, QuantHardTanh, or a
layer's input_quant/output_quant) is a `Requantize` by the ratio of the scales as multiplier and shift
(`fixed_point_multiplier`; a power-of-two ratio is a plain shift). A TruncAvgPool2d is the window's sum with
Brevitas's truncation (its bits dropped by a shift, exact). Max pooling, flatten and views move integers
unchanged. Each output node records its integer range and narrowest dtype in `node.meta["torch_circt.range"]` /
`["torch_circt.dtype"]` for a later bit-width pass.
"""

from __future__ import annotations

import copy
import inspect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import brevitas.nn as qnn
import torch
import torch.fx as fx

from common.errors import ModelError
from frontend.quantize.brevitas_layers import STAGE, Grid, Where, activation_grid, bias_of, narrowest, trunc_pool_of, weight_of
from frontend.quantize.brevitas_modules import IntConv2d, IntLinear, Requantize, TruncSumPool2d
from frontend.quantize.fixed_point import fixed_point_multiplier
from frontend.quantize.graph import _ALIAS_MODULES, _SHAPE_FUNCTIONS, _SHAPE_METHODS, _SHAPE_MODULES

ACTIVATIONS = (qnn.QuantIdentity, qnn.QuantReLU, qnn.QuantHardTanh)
WEIGHTED = (qnn.QuantLinear, qnn.QuantConv2d)
FLOAT_EXACT_LIMIT = 2**24  # float32 adds integers (times one power of two) exactly below this
SUPPORTED = ("QuantIdentity, QuantReLU, QuantHardTanh, QuantLinear, QuantConv2d, TruncAvgPool2d, nn.MaxPool2d, flatten/view, "
             "Identity/Dropout")


@dataclass(frozen=True)
class BrevitasOptions:
    """`multiplier_bits`: width of the requantisation multipliers where a scale ratio is not a power of two; 24
    makes a wrong rounding (only at an exact-looking tie) rarer than float32's own in Brevitas."""

    multiplier_bits: int = 24


@dataclass(frozen=True)
class LayerNote:
    """One requantisation or accumulator: `exact` when its integer result equals Brevitas's fake-quant one."""

    layer: str
    what: str
    bits: int
    exact: bool
    why: str


@dataclass(frozen=True)
class BrevitasModel:
    """The integer module (the oracle), the grids relating its integers to Brevitas's values, and `exact`:
    True when every step is bit for bit Brevitas's (powers of two throughout, quantized biases, small sums)."""

    module: fx.GraphModule
    input_grids: tuple[Grid, ...]
    output_grids: tuple[Grid, ...]
    layers: tuple[LayerNote, ...]
    input_quantizers: tuple[torch.nn.Module, ...]

    @property
    def exact(self) -> bool:
        return all(note.exact for note in self.layers)

    def quantize_inputs(self, *inputs: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """Float inputs to the module's integers, by the model's own first quantizers (so exactly Brevitas's)."""
        with torch.no_grad():
            return tuple(proxy(x).int().to(narrowest(grid.low, grid.high))
                         for proxy, x, grid in zip(self.input_quantizers, inputs, self.input_grids, strict=True))

    def dequantize_outputs(self, *outputs: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """The module's integer outputs as the float values they stand for (per channel along dim 1)."""
        return tuple(y.double() * _broadcast(g.scale, y.dim()) for y, g in zip(outputs, self.output_grids, strict=True))


@dataclass(frozen=True)
class _Value:
    node: fx.Node
    grid: Grid | None  # None: a float model input, not yet quantized
    low: int
    high: int
    accumulator: bool = False  # a weighted layer's sum, on no quantizer's grid


class _Tracer(fx.Tracer):
    """Brevitas layers stay single calls: their insides (proxies, QuantTensor plumbing) are not ours to trace."""

    def is_leaf_module(self, module: torch.nn.Module, qualified_name: str) -> bool:
        return type(module).__module__.startswith("brevitas.") or super().is_leaf_module(module, qualified_name)


class _Importer:
    def __init__(self, model: torch.nn.Module, options: BrevitasOptions, name: str) -> None:
        self.model, self.options, self.name = model, options, name
        self.modules = dict(model.named_modules())
        self.graph = fx.Graph()
        self.owned: dict[str, torch.nn.Module] = {}
        self.env: dict[fx.Node, _Value] = {}
        self.notes: list[LayerNote] = []
        self.inputs: list[tuple[fx.Node, Grid, torch.nn.Module]] = []

    def run(self, traced: fx.Graph) -> BrevitasModel:
        placeholders = []
        for node in traced.nodes:
            if node.op == "placeholder":
                self.env[node] = _Value(self.graph.placeholder(node.name), None, 0, 0)
                placeholders.append(node)
            elif node.op == "output":
                values = [self._integer(n, node) for n in _flat(node.args[0])]
                self.graph.output(fx.map_arg(node.args[0], lambda n: self.env[n].node))
                outputs = tuple(v.grid for v in values)
            elif node.op == "call_module":
                self.env[node] = self._module(node, self.modules[str(node.target)])
            elif (node.op == "call_function" and node.target in _SHAPE_FUNCTIONS) or (
                    node.op == "call_method" and node.target in _SHAPE_METHODS):
                self.env[node] = self._shape(node)
            else:
                raise self._where(node, getattr(node.target, "__name__", str(node.target))).refuse(
                    f"{node.op} {getattr(node.target, '__name__', node.target)}", f"the importer supports {SUPPORTED}")
        by_input = {value.node: (grid, proxy) for value, grid, proxy in self.inputs}
        missing = [p.name for p in placeholders if self.env[p].node not in by_input]
        if missing:
            raise ModelError(message=f"input(s) {', '.join(missing)} reach no activation quantizer first", stage=STAGE,
                             model=self.name, hint="start the model with a QuantIdentity that quantizes its input")
        grids = tuple(by_input[self.env[p].node][0] for p in placeholders)
        proxies = tuple(by_input[self.env[p].node][1] for p in placeholders)
        module = fx.GraphModule(self.owned, self.graph, f"{self.name}Int")
        return BrevitasModel(module, grids, outputs, tuple(self.notes), proxies)

    # --- layers -----------------------------------------------------------------------------------------
    def _module(self, node: fx.Node, module: torch.nn.Module) -> _Value:
        where = self._where(node, type(module).__name__)
        if isinstance(module, ACTIVATIONS):
            value = self._quant_input(node, module, where)
            if not module.act_quant.is_quant_enabled:
                if isinstance(module, qnn.QuantIdentity):
                    return value
                raise where.refuse("act_quant=None (a float activation)", "give the activation a quantizer")
            return self._requantize(value, activation_grid(module.act_quant, where, "act_quant"), where, node)
        if isinstance(module, WEIGHTED):
            return self._weighted(node, module, where)
        if isinstance(module, _ALIAS_MODULES):
            return self.env[node.args[0]]
        if isinstance(module, _SHAPE_MODULES):
            return self._shape(node, module)
        if isinstance(module, qnn.TruncAvgPool2d):
            return self._trunc_avg_pool(node, module, where)
        if isinstance(module, qnn.TruncAdaptiveAvgPool2d):
            raise where.refuse("adaptive truncating average pooling (TruncAdaptiveAvgPool2d)", "use TruncAvgPool2d with "
                               "kernel_size = stride = input size / output size")
        raise where.refuse(f"the layer {type(module).__name__}", f"the importer supports {SUPPORTED}")

    def _quant_input(self, node: fx.Node, module: torch.nn.Module, where: Where) -> _Value:
        value = self.env[node.args[0]]
        if module.input_quant.is_quant_enabled:
            value = self._requantize(value, activation_grid(module.input_quant, where, "input_quant"), where, node,
                                     proxy=module.input_quant)
        return value

    def _weighted(self, node: fx.Node, layer: torch.nn.Module, where: Where) -> _Value:
        if isinstance(layer, torch.nn.Conv2d) and layer.padding_mode != "zeros":
            raise where.refuse(f"padding_mode '{layer.padding_mode}'", "use zero padding")
        value = self._quant_input(node, layer, where)
        if value.grid is None:
            raise where.refuse("a float input", "put a QuantIdentity (or QuantReLU) before the layer, or give it input_quant")
        if value.grid.per_channel:
            raise where.refuse("an input with per-channel scales (a layer's accumulator fed on without a quantizer)",
                               "put a QuantIdentity or QuantReLU between the layers")
        weight, weight_grid = weight_of(layer, where)
        bias, bias_exact = bias_of(layer, value.grid, weight_grid, where)
        integer = IntConv2d(weight, bias, layer) if isinstance(layer, torch.nn.Conv2d) else IntLinear(weight, bias)
        wide = weight.to(torch.int64).reshape(weight.shape[0], -1)
        positive, negative = wide.clamp(min=0).sum(dim=1), wide.clamp(max=0).sum(dim=1)
        highs = positive * value.high + negative * value.low + bias
        lows = positive * value.low + negative * value.high + bias
        low, high = int(lows.min()), int(highs.max())
        if max(-low, high) > 2**31 - 1:
            raise where.refuse(f"an accumulator range [{low}, {high}] beyond int32", "use narrower weights or activations")
        acc_scale = value.grid.scale * weight_grid.scale
        grid = Grid(acc_scale, low, high, 32, True, False)
        target = str(node.target)
        self.owned[target] = integer
        out = self._emit(target, (value.node,), low, high, torch.int32)
        pow2 = _power_of_two(acc_scale) and _power_of_two(value.grid.scale)
        small = max(-low, high) < FLOAT_EXACT_LIMIT
        why = "; ".join(filter(None, [None if bias_exact else "float bias rounded to the accumulator grid",
                                      None if pow2 else "scales not powers of two (Brevitas computes in float32)",
                                      None if small else "sums beyond 2^24 (float32 rounds them)"]))
        self.notes.append(LayerNote(target, "accumulator", weight_grid.bits, bias_exact and pow2 and small, why or "exact"))
        result = _Value(out, grid, low, high, accumulator=True)
        if layer.output_quant.is_quant_enabled:
            result = self._requantize(result, activation_grid(layer.output_quant, where, "output_quant"), where, node)
        return result

    def _trunc_avg_pool(self, node: fx.Node, pool: torch.nn.Module, where: Where) -> _Value:
        value = self.env[node.args[0]]
        if value.grid is None or value.accumulator:
            raise where.refuse("an input that no activation quantizer made (a float input or a layer's accumulator, "
                               "whose bit width Brevitas derives its own way)", "put a QuantIdentity or QuantReLU before it")
        trunc = trunc_pool_of(pool, value.grid, where)
        terms = trunc.kernel[0] * trunc.kernel[1]
        low, high = (max(trunc.grid.low, min(trunc.grid.high, _drop_bits(terms * end, trunc.shift, trunc.floor)))
                     for end in (value.low, value.high))
        dtype = narrowest(trunc.grid.low, trunc.grid.high)
        target = str(node.target)
        self.owned[target] = TruncSumPool2d(trunc.kernel, trunc.stride, trunc.padding, trunc.shift, trunc.floor,
                                            trunc.grid.low, trunc.grid.high, dtype)
        self.notes.append(LayerNote(target, "average pool (sum, shift)", trunc.grid.bits, True, "exact"))
        return _Value(self._emit(target, (value.node,), low, high, dtype), trunc.grid, low, high)

    def _requantize(self, value: _Value, grid: Grid, where: Where, node: fx.Node, proxy: torch.nn.Module | None = None) -> _Value:
        """Onto `grid`: a float input is quantized by this quantizer (it becomes the module's input), an integer
        value is requantised by the ratio of the scales."""
        if value.grid is None:
            self.inputs.append((value, grid, proxy or self.modules[str(node.target)].act_quant))
            return _Value(value.node, grid, grid.low, grid.high)
        ratios = value.grid.scale / grid.scale
        try:
            pairs = [_shift_form(float(r), self.options.multiplier_bits) for r in ratios]
        except ValueError as error:
            raise where.refuse(f"a rescale ({error})", "check the layer's scales") from None
        dtype = narrowest(grid.low, grid.high)
        multiplier = torch.tensor([m for m, _ in pairs], dtype=torch.int64)
        shifts = [s for _, s in pairs]
        if len(pairs) == 1:
            module = Requantize(multiplier.reshape(()), shifts[0], grid.low, grid.high, dtype)
        else:
            linear = value.node.op == "call_module" and isinstance(self.owned.get(str(value.node.target)), IntLinear)
            shape = (-1,) if linear else (-1, 1, 1)
            module = Requantize(multiplier.reshape(shape), torch.tensor(shifts).reshape(shape), grid.low, grid.high, dtype)
        target = f"{node.name}_requant_{len(self.owned)}"
        self.owned[target] = module
        out = self._emit(target, (value.node,), grid.low, grid.high, dtype)
        exact = all(_fraction_exact(float(r), m, s) for r, (m, s) in zip(ratios, pairs))
        self.notes.append(LayerNote(where.path, "requantize" + (" (shift)" if all(m & (m - 1) == 0 for m, _ in pairs) else ""),
                                    grid.bits, exact and _power_of_two(grid.scale),
                                    "exact" if exact else f"scale ratio approximated by a {self.options.multiplier_bits}-bit multiplier"))
        return _Value(out, grid, grid.low, grid.high)

    def _shape(self, node: fx.Node, module: torch.nn.Module | None = None) -> _Value:
        source = next((self.env[a] for a in node.all_input_nodes if a in self.env), None)
        if source is None or source.grid is None:
            raise self._where(node, str(node.target)).refuse("max pooling or a view of a float input",
                                                               "quantize the input with a QuantIdentity first")
        if module is not None:
            self.owned[str(node.target)] = module
        copied = self.graph.node_copy(node, lambda n: self.env[n].node)
        copied.meta.update({"torch_circt.range": (source.low, source.high)})
        return _Value(copied, source.grid, source.low, source.high, source.accumulator)

    # --- helpers ----------------------------------------------------------------------------------------
    def _emit(self, target: str, args: tuple, low: int, high: int, dtype: torch.dtype) -> fx.Node:
        out = self.graph.call_module(target, args)
        out.meta.update({"torch_circt.range": (low, high), "torch_circt.dtype": dtype})
        return out

    def _integer(self, node: fx.Node, user: fx.Node) -> _Value:
        value = self.env[node]
        if value.grid is None:
            raise self._where(user, "output").refuse("a float output", "end the model with a quantizer or a layer")
        return value

    def _where(self, node: fx.Node, kind: str) -> Where:
        path = str(node.target) if node.op == "call_module" else node.name
        return Where(self.name, path, kind, _location(node, self.model))


def from_brevitas(model: torch.nn.Module, example_inputs: Sequence[torch.Tensor] | None = None,
                  options: BrevitasOptions | None = None) -> BrevitasModel:
    """Import a trained Brevitas model (evaluated in eval mode on a copy; the caller's model is untouched).

    `example_inputs`, when given, are run through Brevitas once, so that quantizers whose scales come from
    runtime statistics are initialised exactly as the model's own first eval call would have them."""
    options = options or BrevitasOptions()
    name = type(model).__name__
    model = copy.deepcopy(model).eval()
    if example_inputs is not None:
        with torch.no_grad():
            model(*example_inputs)
    tracer = _Tracer()
    tracer.record_stack_traces = True
    try:
        traced = tracer.trace(model)
    except Exception as error:  # noqa: BLE001 - any tracing failure is the model's
        raise ModelError(message=f"torch.fx cannot trace the model: {error}", stage=STAGE, model=name,
                         hint="the importer needs a forward without data-dependent control flow") from None
    return _Importer(model, options, name).run(traced)


def _shift_form(real: float, bits: int) -> tuple[int, int]:
    """`fixed_point_multiplier`, then trailing zero bits moved out of M into the shift: a power of two is M = 1."""
    multiplier, shift = fixed_point_multiplier(real, bits)
    while multiplier % 2 == 0 and shift > 1:
        multiplier, shift = multiplier // 2, shift - 1
    return multiplier, shift


def _drop_bits(value: int, shift: int, floor: bool) -> int:
    """One integer through TruncSumPool2d's shift (ties to even, or floor): the bounds of its range."""
    if shift <= 0:
        return value << -shift
    quotient, remainder = divmod(value, 1 << shift)
    half = 1 << (shift - 1)
    if floor or remainder < half or (remainder == half and quotient % 2 == 0):
        return quotient
    return quotient + 1


def _fraction_exact(real: float, multiplier: int, shift: int) -> bool:
    return multiplier * 2.0**-shift == real


def _power_of_two(scale: torch.Tensor) -> bool:
    return all(math.frexp(float(s))[0] == 0.5 for s in scale.reshape(-1))


def _broadcast(scale: torch.Tensor, dims: int) -> torch.Tensor:
    if scale.numel() == 1 or dims < 2:
        return scale.reshape(()) if scale.numel() == 1 else scale
    return scale.reshape(-1, *([1] * (dims - 2)))


def _flat(value) -> list[fx.Node]:
    found: list[fx.Node] = []
    fx.map_arg(value, found.append)
    return found


def _location(node: fx.Node, model: torch.nn.Module) -> str | None:
    """The user's line that calls the layer, else the line where the model's class is defined."""
    torch_dir, brevitas_dir = str(Path(torch.__file__).parent), str(Path(qnn.__file__).parents[1])
    frames = [line.strip() for line in (node.stack_trace or "").splitlines()
              if line.strip().startswith("File ") and torch_dir not in line and brevitas_dir not in line
              and "frontend/quantize" not in line]
    if frames:
        return frames[-1]
    try:
        return f"{inspect.getsourcefile(type(model))}:{inspect.getsourcelines(type(model))[1]} (class {type(model).__name__})"
    except (OSError, TypeError):
        return None
