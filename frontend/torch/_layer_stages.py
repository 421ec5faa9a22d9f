"""Layers as stages: an exported program cut into a chain of programs, one per layer, for a dataflow circuit.

Each program of the chain becomes a circuit of its own behind AXI4-Stream ports, and the circuits run
concurrently on successive inferences (`RtlOptions.dataflow`). That is sound only where each stage reads
nothing but the one tensor the stage before it produced, so a cut is made only where exactly one tensor
computed from the inputs is live: no input and no earlier value may be read across it, and the value that
crosses may not be a result itself (the chain's results come out of its last stage). The graph is
functional (torch.export), so the tensors crossing a cut are all of the dependences there are; a later
layer that overwrote what an earlier one read is, here, a new value.

A layer starts at each matmul or convolution. Between two layers the cut goes where the live tensor is
smallest in bits (the int8 requantised activation rather than its int32 widening), the earliest such point
on a tie. Values computed from the parameters alone (a transposed weight, a shift's mask) are not data:
each stage that reads them computes its own copy.
"""

from __future__ import annotations

import torch
from torch.export import ExportedProgram
from torch.fx import Graph, GraphModule, Node

_aten = torch.ops.aten
# The ops that start a layer: every reduction over a weight that folding and banking work on.
LAYER_OPS = frozenset({_aten.mm.default, _aten.addmm.default, _aten.bmm.default, _aten.baddbmm.default,
                       _aten._int_mm.default, _aten.convolution.default, _aten.linear.default,
                       _aten.matmul.default, _aten.conv1d.default, _aten.conv2d.default})


def layer_stages(program: ExportedProgram) -> tuple[GraphModule, ...]:
    """The program as a chain of modules (one when no sound cut exists): the first takes the program's inputs,
    each other one the tensor the one before it returns, and the last returns the program's results."""
    module = program.module()
    nodes = list(module.graph.nodes)
    inputs = [n for n in nodes if n.op == "placeholder"]
    output = next(n for n in nodes if n.op == "output")
    data = _data_nodes(nodes, inputs)
    compute = [n for n in nodes if n in data and n.op == "call_function" and n.users]
    cuts = _cuts(compute, inputs, output)
    if not cuts:
        return (module,)
    bounds = [0, *(cut for cut, _ in cuts), len(compute)]
    crossing = [None, *(value for _, value in cuts)]
    stage_of = {n: k for k in range(len(cuts) + 1) for n in compute[bounds[k]:bounds[k + 1]]}
    stages = []
    for k in range(len(cuts) + 1):
        members = set(compute[bounds[k]:bounds[k + 1]])
        # a node nobody reads (an assertion on a value) goes with the latest value it reads
        members |= {n for n in data if not n.users and n.op == "call_function"
                    and max((stage_of[a] for a in n.all_input_nodes if a in stage_of), default=0) == k}
        ordered = [n for n in nodes if n in members]
        last = k == len(cuts)
        stages.append(_stage_module(module, ordered, inputs if k == 0 else [crossing[k]],
                                    output if last else crossing[k + 1], data))
    return tuple(stages)


def _data_nodes(nodes: list[Node], inputs: list[Node]) -> set[Node]:
    """Every node whose value depends on an input (the rest depends on parameters and constants alone)."""
    data = set(inputs)
    for node in nodes:
        if node.op == "call_function" and any(arg in data for arg in node.all_input_nodes):
            data.add(node)
    return data


def _cuts(compute: list[Node], inputs: list[Node], output: Node) -> list[tuple[int, Node]]:
    """Where each layer after the first starts (a position in `compute` before which one tensor is live), and that
    tensor."""
    layers = [i for i, n in enumerate(compute) if n.target in LAYER_OPS]
    cuts = []
    for previous, start in zip(layers, layers[1:]):
        sound = [(bits, cut, crossing) for cut in range(previous + 1, start + 1)
                 for crossing, bits in [_crossing(compute, inputs, output, cut)] if crossing is not None]
        if sound:
            _, cut, crossing = min(sound, key=lambda candidate: candidate[:2])
            cuts.append((cut, crossing))
    return cuts


def _crossing(compute: list[Node], inputs: list[Node], output: Node, cut: int) -> tuple[Node | None, int]:
    """The one value computed before `cut` and read from it on, with its size in bits; None where it is not one
    computed tensor, or a result."""
    later = set(compute[cut:])
    live = [n for n in (*inputs, *compute[:cut]) if any(user in later or user is output for user in n.users)]
    if len(live) != 1 or live[0] in inputs or output in live[0].users:
        return None, 0
    value = live[0].meta.get("val")
    if not isinstance(value, torch.Tensor):
        return None, 0
    return live[0], value.numel() * value.element_size() * 8


def _stage_module(module: GraphModule, members: list[Node], inputs: list[Node], result: Node,
                  data: set[Node]) -> GraphModule:
    """One stage: `inputs` as placeholders, `members` copied in order, the parameter-only values they read
    copied in before them, and `result` (a node, or the program's output node) as its output."""
    graph = Graph()
    copied: dict[Node, Node] = {node: graph.placeholder(node.name) for node in inputs}
    for node in copied:
        copied[node].meta = dict(node.meta)

    def copy(node: Node) -> Node:
        if node not in copied:
            if node in data and node not in members:  # a cut is made only where no other value is live
                raise AssertionError(f"stage reads {node.name} of another stage")
            for arg in node.all_input_nodes:
                copy(arg)
            copied[node] = graph.node_copy(node, copied.__getitem__)
        return copied[node]

    for node in members:
        copy(node)
    if result.op == "output":
        graph.node_copy(result, copied.__getitem__)
    else:
        graph.output(copied[result])
    graph.lint()
    return GraphModule(module, graph)
