"""Rules on the exported FX graph, before torch-mlir sees it: refuse what cannot match, widen what it mislowers.

- Random ops (`rand`, `bernoulli`, `uniform`, `multinomial`, dropout in train
  mode, ...: every op PyTorch tags `nondeterministic_seeded`) cannot match eager
  PyTorch bit for bit, nor within any tolerance, since no backend here shares its
  generator: they are refused, naming the op and the user's line.
- A complex value anywhere in the graph is refused the same way: torch-mlir's
  linalg lowering has no complex tensors.
- torch-mlir mislowers narrow integers: a uint8 value is sign-extended where
  it should be zero-extended (sum, prod, abs, sort, true division give wrong
  results), converting a Python number to int8/uint8 crashes it (`x * 3`,
  `x // 3`, `x % 7`), and so do matmuls and convolutions on 8- or 16-bit
  integers. Such ops run on int32 operands (zero- or sign-extended exactly),
  and each result that was narrow is truncated back. Integer arithmetic wraps
  modulo 2**width and truncation commutes with +, -, *, shifts and bitwise
  ops, while division, remainder, min/max, sorting and comparisons of exact
  in-range values give in-range results: bit for bit what eager PyTorch
  computes in the narrow type.
"""

from __future__ import annotations

import operator

import torch
from torch._guards import detect_fake_mode
from torch.export import ExportedProgram
from torch.utils._pytree import tree_flatten, tree_map_only

from common.errors import UnsupportedDtypeError, UnsupportedOpError
from frontend.torch._sources import node_details, site_of_node

STAGE = "torch_export"
_aten = torch.ops.aten
_NARROW_INTEGERS = (torch.int8, torch.uint8, torch.int16)
_CONTRACTIONS = frozenset({_aten.mm.default, _aten.bmm.default, _aten.addmm.default, _aten.convolution.default})
# Ops that only move values: a uint8 operand passes through them untouched.
_LAYOUT = frozenset({
    "view", "_unsafe_view", "reshape", "permute", "transpose", "t", "expand", "slice", "select", "cat", "stack",
    "clone", "copy", "copy_", "squeeze", "unsqueeze", "flip", "roll", "repeat", "alias", "split", "split_with_sizes",
    "unbind", "index", "index_select", "gather", "convert_element_type", "_to_copy", "lift_fresh_copy", "detach",
    "contiguous", "empty_like", "zeros_like", "ones_like", "empty", "_assert_tensor_metadata",
})


def refuse_unfaithful_ops(program: ExportedProgram, *, model: str) -> None:
    """A specific error for the first random op or complex value in the graph."""
    for node in program.graph.nodes:
        if node.op != "call_function":
            continue
        site = site_of_node(node)
        where = {"stage": STAGE, "model": model, "op": str(node.target),
                 "location": site.location if site else None, "details": node_details(node)}
        if isinstance(node.target, torch._ops.OpOverload) and torch.Tag.nondeterministic_seeded in node.target.tags:
            raise UnsupportedOpError(
                message=f"'{node.target}' draws random numbers; no backend shares PyTorch's generator, so its "
                "results could never be checked against eager PyTorch",
                hint="draw the random values outside the model and pass them in as an input "
                "(for dropout: compile the model in eval() mode)",
                **where,
            )
        value = node.meta.get("val")
        if isinstance(value, torch.Tensor) and value.dtype.is_complex:
            raise UnsupportedDtypeError(
                message=f"'{node.target}' makes a complex tensor ({value.dtype}); torch-mlir lowers no complex "
                "tensor to linalg, so no backend here can run it",
                hint="compute on real and imaginary parts as float tensors (torch.view_as_real)",
                **where,
            )


def widen_narrow_integers(program: ExportedProgram) -> int:
    """Run the ops torch-mlir mislowers on narrow integers on int32 operands; returns how many were widened."""
    graph = program.graph
    widened = 0
    for node in list(graph.nodes):
        if node.op != "call_function" or not _needs_widening(node):
            continue
        before = node.meta["val"]
        with graph.inserting_before(node):
            node.args = tree_map_only(torch.fx.Node, lambda a: _converted(graph, a, torch.int32) if _narrow(a) else a,
                                      node.args)
        node.meta["val"] = _fake_result(node)
        node.meta.pop("tensor_meta", None)  # the importer reads this before "val": it would still say narrow
        _truncate_results(graph, node, before)
        widened += 1
    if widened:
        program.graph_module.recompile()
    return widened


def _needs_widening(node: torch.fx.Node) -> bool:
    arguments = tree_flatten((node.args, node.kwargs))[0]
    dtypes = [_dtype(a) for a in arguments if isinstance(a, torch.fx.Node)]
    narrow = [d for d in dtypes if d in _NARROW_INTEGERS]
    if not narrow:
        return False
    if node.target in _CONTRACTIONS:
        return True
    if _op_name(node) in _LAYOUT:
        return False
    if torch.uint8 in narrow:
        return True
    # int8 meets another dtype (a Python number, or a tensor of another type) in a pointwise op.
    numbers = [a for a in arguments if isinstance(a, (int, float)) and not isinstance(a, bool)]
    others = [d for d in dtypes if d is not None and d != torch.int8]
    return (torch.int8 in narrow and isinstance(node.target, torch._ops.OpOverload)
            and torch.Tag.pointwise in node.target.tags and bool(numbers or others))


def _truncate_results(graph: torch.fx.Graph, node: torch.fx.Node, before) -> None:
    """Each result that was narrow before widening is cast back, so users see the type eager PyTorch gave."""
    if isinstance(before, torch.Tensor):
        if before.dtype != node.meta["val"].dtype:
            with graph.inserting_after(node):
                narrow = _converted(graph, node, before.dtype)
            node.replace_all_uses_with(narrow, delete_user_cb=lambda user: user is not narrow)
        return
    for user in list(node.users):  # a tuple result: its parts are read by getitem nodes
        if user.target is operator.getitem:
            old, new = before[user.args[1]], node.meta["val"][user.args[1]]
            user.meta["val"] = new
            user.meta.pop("tensor_meta", None)
            if isinstance(old, torch.Tensor) and old.dtype != new.dtype:
                with graph.inserting_after(user):
                    narrow = _converted(graph, user, old.dtype)
                user.replace_all_uses_with(narrow, delete_user_cb=lambda u: u is not narrow)


def _fake_result(node: torch.fx.Node):
    """The node's value on its (new) operands' fake values: what it now computes, dtype included."""
    args, kwargs = tree_map_only(torch.fx.Node, lambda a: a.meta["val"], (node.args, node.kwargs))
    fake_mode = detect_fake_mode(tree_flatten((args, kwargs))[0])
    with fake_mode:
        return node.target(*args, **kwargs)


def _op_name(node: torch.fx.Node) -> str:
    target = node.target
    return target._opname if isinstance(target, torch._ops.OpOverload) else getattr(target, "__name__", "")


def _dtype(arg: object) -> torch.dtype | None:
    value = arg.meta.get("val") if isinstance(arg, torch.fx.Node) else None
    return value.dtype if isinstance(value, torch.Tensor) else None


def _narrow(arg: object) -> bool:
    return _dtype(arg) in _NARROW_INTEGERS


def _converted(graph: torch.fx.Graph, node: torch.fx.Node, dtype: torch.dtype) -> torch.fx.Node:
    cast = graph.call_function(torch.ops.prims.convert_element_type.default, (node, dtype))
    cast.meta = {key: node.meta[key] for key in ("stack_trace", "nn_module_stack") if key in node.meta}
    cast.meta["val"] = node.meta["val"].to(dtype)
    return cast
