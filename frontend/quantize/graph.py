"""The float model as the quantizer sees it: traced with torch.fx, each node given one kind.

Kinds: `input`, `output`; `linear`, `conv`, `add`, `avgpool` (layers that rescale onto a new
int8 scale); `relu` (a clamp at 0, or fused into the layer before it); `shape` (ops that move
or select values without arithmetic: reshape, flatten, max pooling, keep their input's scale);
`alias` (identity in eval mode: Dropout, Identity). Anything else is refused, naming the op.
"""

from __future__ import annotations

import operator
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.fx as fx
import torch.nn.functional as F

from common.errors import ModelError, UnsupportedOpError

STAGE = "quantize"
SUPPORTED = ("nn.Linear, nn.Conv2d, ReLU, MaxPool2d, AvgPool2d (no padding), AdaptiveAvgPool2d, Flatten/reshape/view, "
             "the sum of two tensors, Dropout/Identity")
RESCALING = ("linear", "conv", "add", "avgpool")

_SHAPE_MODULES = (torch.nn.Flatten, torch.nn.Unflatten, torch.nn.MaxPool2d)
_ALIAS_MODULES = (torch.nn.Identity, torch.nn.Dropout)
_SHAPE_FUNCTIONS = (torch.flatten, torch.reshape, torch.squeeze, torch.unsqueeze, torch.permute, torch.transpose,
                    F.max_pool2d, operator.getitem)
_SHAPE_METHODS = ("view", "reshape", "flatten", "size", "contiguous", "squeeze", "unsqueeze", "permute", "transpose")
_RELU_FUNCTIONS = (F.relu, torch.relu)
_ADD_FUNCTIONS = (operator.add, torch.add)


@dataclass(frozen=True)
class Op:
    """One node of the float graph; `relu` is the ReLU node fused into this layer, if any."""

    node: fx.Node
    kind: str
    module: torch.nn.Module | None = None
    relu: fx.Node | None = None

    @property
    def label(self) -> str:
        """The module's path for a module (as the user named it), else the node's name; `+relu` when fused."""
        name = str(self.node.target) if self.node.op == "call_module" else self.node.name
        return name + ("+relu" if self.relu is not None else "")


def trace(model: torch.nn.Module, name: str) -> fx.GraphModule:
    """The model's graph, from torch.fx's symbolic trace (data-dependent Python control flow cannot be traced)."""
    if _module_kind(model) is not None:  # a bare layer: trace it as a call, not through its functional insides
        model = torch.nn.Sequential(OrderedDict({type(model).__name__.lower(): model}))
    tracer = fx.Tracer()
    tracer.record_stack_traces = True  # so that a refused op can name the user's source line
    try:
        return fx.GraphModule(model, tracer.trace(model))
    except Exception as error:  # noqa: BLE001 - any tracing failure is the model's
        raise ModelError(message=f"torch.fx cannot trace the model: {error}", stage=STAGE, model=name,
                         hint="the quantizer needs a forward without data-dependent control flow") from None


def classify(graph_module: fx.GraphModule, name: str) -> list[Op]:
    """Every node in order with its kind; a ReLU that is the only user of a linear/conv/add is fused into it."""
    modules = dict(graph_module.named_modules())
    ops = {node: _classify(node, modules, name) for node in graph_module.graph.nodes}
    fused: set[fx.Node] = set()
    for node, op in ops.items():
        users = list(node.users)
        if op.kind in RESCALING and len(users) == 1 and ops[users[0]].kind == "relu":
            ops[node] = Op(node, op.kind, op.module, relu=users[0])
            fused.add(users[0])
    return [op for node, op in ops.items() if node not in fused]


def _classify(node: fx.Node, modules: dict[str, torch.nn.Module], name: str) -> Op:
    if node.op in ("placeholder", "output"):
        return Op(node, "input" if node.op == "placeholder" else "output")
    if node.op == "call_module":
        module = modules[node.target]
        kind = _module_kind(module)
        if kind is not None:
            return Op(node, kind, module)
        raise _unsupported(node, f"module {type(module).__name__}", name)
    if node.op == "call_function":
        if node.target in _RELU_FUNCTIONS:
            return Op(node, "relu")
        if node.target in _ADD_FUNCTIONS and _is_tensor_sum(node):
            return Op(node, "add")
        if node.target in _SHAPE_FUNCTIONS:
            return Op(node, "shape")
        raise _unsupported(node, f"function {getattr(node.target, '__name__', node.target)}", name)
    if node.op == "call_method":
        if node.target == "relu":
            return Op(node, "relu")
        if node.target == "add" and _is_tensor_sum(node):
            return Op(node, "add")
        if node.target in _SHAPE_METHODS:
            return Op(node, "shape")
        raise _unsupported(node, f"method Tensor.{node.target}", name)
    raise _unsupported(node, f"{node.op} {node.target} (a float constant or parameter used outside a layer)", name)


def _module_kind(module: torch.nn.Module) -> str | None:
    if isinstance(module, torch.nn.Linear):
        return "linear"
    if isinstance(module, torch.nn.Conv2d) and module.padding_mode == "zeros":
        return "conv"
    if isinstance(module, torch.nn.ReLU):
        return "relu"
    if (isinstance(module, torch.nn.AvgPool2d) and _plain_avgpool(module)) or isinstance(module, torch.nn.AdaptiveAvgPool2d):
        return "avgpool"
    if isinstance(module, _SHAPE_MODULES):
        return "shape"
    if isinstance(module, _ALIAS_MODULES):
        return "alias"
    return None


def _plain_avgpool(module: torch.nn.AvgPool2d) -> bool:
    return module.padding in (0, (0, 0)) and not module.ceil_mode and module.divisor_override is None


def _is_tensor_sum(node: fx.Node) -> bool:
    return len(node.args) == 2 and all(isinstance(a, fx.Node) for a in node.args) and not node.kwargs


def _unsupported(node: fx.Node, what: str, name: str) -> UnsupportedOpError:
    torch_dir = str(Path(torch.__file__).parent)
    frames = [line.strip() for line in (node.stack_trace or "").splitlines()
              if line.strip().startswith("File ") and torch_dir not in line]
    return UnsupportedOpError(
        message=f"{what} (node '{node.name}') has no integer form in the quantizer",
        stage=STAGE, model=name, op=str(node.target), location=frames[-1] if frames else None,
        hint=f"the quantizer supports {SUPPORTED}; express the model with these, or compile it as float on target='cpu'",
    )
