"""Running a traced graph while keeping what the quantizer needs: activation ranges, shapes, values."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import torch
import torch.fx as fx

Batch = tuple[torch.Tensor, ...]


def batches(calibration_inputs: torch.Tensor | Iterable[torch.Tensor | Sequence[torch.Tensor]]) -> list[Batch]:
    """One tensor is one batch of a one-input model; otherwise each element is a batch (a tensor or a tuple)."""
    if isinstance(calibration_inputs, torch.Tensor):
        return [(calibration_inputs,)]
    found = [(b,) if isinstance(b, torch.Tensor) else tuple(b) for b in calibration_inputs]
    if not found:
        raise ValueError("calibration_inputs is empty: the quantizer needs data to measure activation ranges")
    return found


def activations(graph_module: fx.GraphModule, inputs: Batch, nodes: Iterable[fx.Node]) -> dict[fx.Node, torch.Tensor]:
    """The value of each of `nodes` when the graph runs on `inputs`."""
    wanted = set(nodes)
    seen: dict[fx.Node, torch.Tensor] = {}

    class Recorder(fx.Interpreter):
        def run_node(self, node: fx.Node):
            value = super().run_node(node)
            if node in wanted:
                seen[node] = value
            return value

    with torch.no_grad():
        Recorder(graph_module).run(*inputs)
    return seen


def ranges(graph_module: fx.GraphModule, data: Iterable[Batch], nodes: Sequence[fx.Node]) -> tuple[dict, dict]:
    """max |value| of each of `nodes` over all batches, and each node's shape (batch dimension included)."""
    max_abs: dict[fx.Node, float] = {}
    shapes: dict[fx.Node, tuple[int, ...]] = {}
    for batch in data:
        for node, value in activations(graph_module, batch, nodes).items():
            if isinstance(value, torch.Tensor):
                max_abs[node] = max(max_abs.get(node, 0.0), float(value.detach().abs().max()) if value.numel() else 0.0)
                shapes[node] = tuple(value.shape)
    return max_abs, shapes
