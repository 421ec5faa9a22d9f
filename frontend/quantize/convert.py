"""From the classified float graph and its calibrated ranges to the integer graph, layer by layer.

Every value is int8 with one float scale (symmetric, zero point 0); a layer that rescales
gets its scale from the calibrated range of its float output (after its fused ReLU, if any).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.fx as fx
from torch.nn.modules.utils import _pair

from common.errors import UserError
from frontend.quantize.fixed_point import INT8_MAX, INT8_MIN, fixed_point_multiplier, quantize_weight, scale_for
from frontend.quantize.graph import STAGE, Op
from frontend.quantize.modules import QAdd, QAvgPool2d, QConv2d, QLinear
from frontend.quantize.options import QuantizeOptions

ACCUMULATOR_LIMIT = 2**31 - 1


@dataclass(frozen=True)
class Point:
    """Where a float value and its integer counterpart can be compared: one per input and rescaling layer."""

    label: str
    kind: str
    float_node: fx.Node
    integer_node: fx.Node
    scale: float


@dataclass
class IntegerGraph:
    module: fx.GraphModule
    input_scales: tuple[float, ...]
    output_scales: tuple[float, ...]
    points: list[Point]


class _Builder:
    def __init__(self, ops: list[Op], max_abs: dict, shapes: dict, options: QuantizeOptions, name: str) -> None:
        self.max_abs, self.shapes, self.options, self.name = max_abs, shapes, options, name
        self.ops = ops
        self.graph = fx.Graph()
        self.modules: dict[str, torch.nn.Module] = {}
        self.env: dict[fx.Node, fx.Node] = {}
        self.scale: dict[fx.Node, float] = {}
        self.points: list[Point] = []

    def run(self, class_name: str) -> IntegerGraph:
        inputs, outputs = [], ()
        for op in self.ops:
            node = op.node
            if op.kind == "input":
                self.env[node] = self.graph.placeholder(node.name)
                self.scale[node] = scale_for(self.max_abs.get(node, 0.0))
                self._point(op, node)
                inputs.append(self.scale[node])
            elif op.kind == "output":
                self.graph.output(fx.map_arg(node.args[0], self.env.__getitem__))
                outputs = tuple(self.scale[n] for n in _flat_nodes(node.args[0]))
            elif op.kind in ("linear", "conv", "add", "avgpool"):
                value = op.relu or node
                self.scale[value] = scale_for(self.max_abs.get(value, 0.0))
                module = getattr(self, f"_{op.kind}")(op, self.scale[value], 0 if op.relu else INT8_MIN)
                target = node.name if op.kind == "add" else str(node.target)
                self.modules[target] = module
                self.env[value] = self.graph.call_module(target, tuple(self.env[a] for a in node.args))
                self._point(op, value)
            elif op.kind == "relu":
                self.env[node] = self.graph.call_function(torch.clamp, (self.env[node.args[0]],), {"min": 0})
                self.scale[node] = self.scale[node.args[0]]
            elif op.kind == "alias":
                self.env[node] = self.env[node.args[0]]
                self.scale[node] = self.scale[node.args[0]]
            else:  # shape: the same op on int8 values, the same scale
                if node.op == "call_module":
                    self.modules[str(node.target)] = op.module
                self.env[node] = self.graph.node_copy(node, self.env.__getitem__)
                source = next((a for a in node.all_input_nodes if a in self.scale), None)
                if source is not None:
                    self.scale[node] = self.scale[source]
        return IntegerGraph(fx.GraphModule(self.modules, self.graph, class_name), tuple(inputs), outputs, self.points)

    def _point(self, op: Op, value: fx.Node) -> None:
        self.points.append(Point(op.label, op.kind, value, self.env[value], self.scale[value]))

    # --- one method per rescaling kind: (op, output scale, lower clamp) -> integer module ------------------
    def _linear(self, op: Op, out_scale: float, low: int) -> QLinear:
        return QLinear(*self._weighted(op, out_scale), low, INT8_MAX)

    def _conv(self, op: Op, out_scale: float, low: int) -> QConv2d:
        return QConv2d(*self._weighted(op, out_scale), low, INT8_MAX, op.module)

    def _weighted(self, op: Op, out_scale: float) -> tuple[torch.Tensor, ...]:
        """int8 weights, int32 bias at the accumulator's scale, and one (multiplier, shift) per output channel."""
        layer, in_scale = op.module, self.scale[op.node.args[0]]
        weight, weight_scales = quantize_weight(layer.weight, self.options.weights == "per-channel")
        acc_scales = in_scale * weight_scales
        bias = layer.bias.detach().double() if layer.bias is not None else torch.zeros(len(acc_scales), dtype=torch.float64)
        bias_q = torch.round(bias / acc_scales)
        bound = weight.double().abs().reshape(len(bias_q), -1).sum(dim=1) * -INT8_MIN + bias_q.abs()
        if float(bound.max()) > ACCUMULATOR_LIMIT:
            raise UserError(message=f"layer '{op.node.name}' could overflow its int32 accumulator "
                            f"(worst case {float(bound.max()):.3g})", stage=STAGE, model=self.name, op=str(op.node.target),
                            hint="split the layer into smaller ones, or reduce its bias")
        pairs = [self._multiplier(op, float(s) / out_scale) for s in acc_scales]
        multiplier = torch.tensor([m for m, _ in pairs], dtype=torch.int64)
        shift = torch.tensor([s for _, s in pairs], dtype=torch.int64)
        return weight, bias_q.to(torch.int32), multiplier, shift

    def _add(self, op: Op, out_scale: float, low: int) -> QAdd:
        real = [self.scale[a] / out_scale for a in op.node.args]
        _, shift = self._multiplier(op, max(real))
        first, second = (round(r * 2.0**shift) for r in real)
        return QAdd(first, second, shift, low, INT8_MAX)

    def _avgpool(self, op: Op, out_scale: float, low: int) -> QAvgPool2d:
        source = op.node.args[0]
        kernel, stride = self._window(op, self.shapes[source][-2:])
        multiplier, shift = self._multiplier(op, self.scale[source] / (kernel[0] * kernel[1] * out_scale))
        return QAvgPool2d(kernel, stride, multiplier, shift, low, INT8_MAX)

    def _window(self, op: Op, size: tuple[int, int]) -> tuple[tuple[int, int], tuple[int, int]]:
        module = op.module
        if isinstance(module, torch.nn.AvgPool2d):
            kernel = _pair(module.kernel_size)
            return kernel, _pair(module.stride or kernel)
        out = tuple(s if o is None else o for s, o in zip(size, _pair(module.output_size)))
        if size[0] % out[0] or size[1] % out[1]:
            raise UserError(message=f"adaptive average pooling '{op.node.name}' from {list(size)} to {list(out)} has "
                            "windows of different sizes", stage=STAGE, model=self.name, op=str(op.node.target),
                            hint="use an output size that divides the input size, or nn.AvgPool2d")
        kernel = (size[0] // out[0], size[1] // out[1])
        return kernel, kernel

    def _multiplier(self, op: Op, real: float) -> tuple[int, int]:
        try:
            return fixed_point_multiplier(real, self.options.multiplier_bits)
        except ValueError as error:
            raise UserError(message=f"layer '{op.node.name}': {error}", stage=STAGE, model=self.name,
                            op=str(op.node.target)) from None


def build_integer_graph(ops: list[Op], max_abs: dict, shapes: dict, options: QuantizeOptions, name: str,
                        class_name: str) -> IntegerGraph:
    """The integer GraphModule, its input and output scales, and the points the error report compares."""
    return _Builder(ops, max_abs, shapes, options, name).run(class_name)


def _flat_nodes(value) -> list[fx.Node]:
    found: list[fx.Node] = []
    fx.map_arg(value, found.append)
    return found
