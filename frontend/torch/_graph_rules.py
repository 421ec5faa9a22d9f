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
  integers, `x.max()`/`x.min()` of a whole int8 tensor and `x // y` of int8
  tensors. Such ops run on int32 operands (zero- or sign-extended exactly),
  and each result that was narrow is truncated back. Integer arithmetic wraps
  modulo 2**width and truncation commutes with +, -, *, shifts and bitwise
  ops, while division, remainder, min/max, sorting and comparisons of exact
  in-range values give in-range results: bit for bit what eager PyTorch
  computes in the narrow type.
- PyTorch defines what MLIR's shifts leave undefined: an amount outside
  [0, width) (negative counts as huge) shifts everything out, so a left shift
  gives 0 and a right shift the sign fill (0 or -1). Shifts get that select
  around a shift by an in-range amount, and a shift by a Python number becomes a
  shift by a tensor (torch-mlir has no lowering for the scalar form; nor for
  `x ^ 5`, `x & 5`, `x | 5` and `torch.fmod(x, 5)` on integers, which become ops
  on a 0-d tensor too).
- A Python integer meeting an integer tensor in arithmetic, bitwise, division,
  comparison or clamp ops is converted to the tensor's dtype first, wrapping:
  eager `uint8 > -3` compares with 253, `uint8.clamp(min=-31)` clamps at 225.
  Out-of-range numbers are wrapped here, so no later lowering can compare or
  compute with the unwrapped value.
  A bool tensor compared with a Python int (or clamped, floor-divided, taken
  modulo it) is cast to int64 first, as eager promotes it (torch-mlir compares
  in i1: `True <= -5` came out true).
- Tensors of different integer dtypes (or bool) in one op are promoted by
  torch-mlir its own way: a bool is sign-extended (True becomes -1 in
  `bool <= int8`), a 0-d int32 meeting int8 is not wrapped to int8, `cat` of
  bool and uint8 crashes. Each operand is cast to the dtype eager computes in.
  `where(c, x, x)` becomes x broadcast: torch-mlir folds it to x unbroadcast.
- `sum(..., dtype=torch.uint8)` (and prod, cumsum) crash torch-mlir: the
  input is cast to the narrow dtype, reduced on int32, and truncated back, as
  eager's wrapping reduction gives.

These were found by the differential fuzzer (tools/fuzz.py); each has e2e cases.
"""

from __future__ import annotations

import operator

import torch
from torch._guards import detect_fake_mode
from torch.export import ExportedProgram
from torch.fx.passes.shape_prop import _extract_tensor_metadata
from torch.utils._pytree import tree_flatten, tree_map_only

from common.errors import UnsupportedDtypeError, UnsupportedOpError
from frontend.torch._sources import STAGE, node_details, site_of_node

_aten = torch.ops.aten
_NARROW_INTEGERS = (torch.int8, torch.uint8, torch.int16)
_CONTRACTIONS = frozenset({_aten.mm.default, _aten.bmm.default, _aten.addmm.default, _aten.convolution.default})
# Floor division of int8 tensors: torch-mlir has no lowering (found by the fuzzer).
_INT8_DIVISIONS = frozenset({"div", "floor_divide"})
# Whole-tensor max/min: torch-mlir has no initial value for an int8 reduction (found by the fuzzer).
_FULL_REDUCTIONS = frozenset({_aten.max.default, _aten.min.default})
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


_SHIFTS = {
    _aten.bitwise_left_shift.Tensor: "left", _aten.__lshift__.Tensor: "left",
    _aten.bitwise_left_shift.Tensor_Scalar: "left", _aten.__lshift__.Scalar: "left",
    _aten.bitwise_right_shift.Tensor: "right", _aten.__rshift__.Tensor: "right",
    _aten.bitwise_right_shift.Tensor_Scalar: "right", _aten.__rshift__.Scalar: "right",
}
# Ops where a Python integer is a value converted to the integer tensors' dtype (checked against eager).
_WRAPPING = frozenset({
    "add", "sub", "rsub", "mul", "bitwise_and", "bitwise_or", "bitwise_xor", "floor_divide", "div", "remainder",
    "fmod", "eq", "ne", "lt", "le", "gt", "ge", "clamp", "clamp_min", "clamp_max",
})
# Ops on a bool tensor and a Python int that torch-mlir cannot lower without the bool cast to int64 first.
_BOOL_PROMOTING = frozenset({"clamp", "clamp_min", "clamp_max", "floor_divide", "remainder"})
# Scalar forms torch-mlir has no lowering for, and the tensor form that takes a 0-d tensor instead.
_TENSOR_FORMS = {
    _aten.bitwise_and.Scalar: _aten.bitwise_and.Tensor, _aten.bitwise_or.Scalar: _aten.bitwise_or.Tensor,
    _aten.bitwise_xor.Scalar: _aten.bitwise_xor.Tensor, _aten.fmod.Scalar: _aten.fmod.Tensor,
}
_NARROW_ACCUMULATORS = frozenset({"sum", "prod", "cumsum", "cumprod"})


def exact_integer_edges(program: ExportedProgram) -> None:
    """PyTorch's integer semantics where lowerings differ: shift amounts, out-of-range numbers, narrow sums."""
    graph = program.graph
    for node in list(graph.nodes):
        if node.op != "call_function":
            continue
        if node.target in _SHIFTS and _is_integer(node.meta.get("val")):
            _saturate_shift(graph, node, _SHIFTS[node.target])
        elif _op_name(node) in _WRAPPING:
            _unify_operand_dtypes(graph, node)
            _bool_as_integer(graph, node)
            _wrap_integer_numbers(node)
            if node.target in _TENSOR_FORMS and _is_integer(node.meta.get("val")):
                _as_tensor_form(graph, node)
        elif node.target == _aten.where.self and node.args[1] is node.args[2]:
            _broadcast_same_branches(graph, node)
        elif _op_name(node) in ("cat", "where", "maximum", "minimum"):
            _unify_operand_dtypes(graph, node)
        elif _op_name(node) in _NARROW_ACCUMULATORS and node.kwargs.get("dtype") in (torch.int8, torch.uint8):
            _accumulate_wide(graph, node)
    graph.eliminate_dead_code()
    program.graph_module.recompile()


def _saturate_shift(graph: torch.fx.Graph, shift: torch.fx.Node, direction: str) -> None:
    """`where(amount outside [0, width), fill, value << in-range amount)`, in the result's dtype."""
    dtype = shift.meta["val"].dtype
    width = torch.iinfo(dtype).bits
    value, amount = shift.args
    with graph.inserting_before(shift):
        value = _as_dtype(graph, value, dtype)
        amount = _as_dtype(graph, _emit(graph, _aten.scalar_tensor.default, (amount,), shift, dtype=dtype)
                           if not isinstance(amount, torch.fx.Node) else amount, dtype)
        outside = _emit(graph, _aten.logical_or.default, (_emit(graph, _aten.lt.Scalar, (amount, 0), shift),
                                                          _emit(graph, _aten.ge.Scalar, (amount, width), shift)), shift)
        zero = _emit(graph, _aten.scalar_tensor.default, (0,), shift, dtype=dtype)
        safe = _emit(graph, _aten.where.self, (outside, zero, amount), shift)
        target = _aten.bitwise_left_shift.Tensor if direction == "left" else _aten.bitwise_right_shift.Tensor
        shifted = _emit(graph, target, (value, safe), shift)
        if direction == "left":
            fill = zero
        else:  # the sign fill: -1 where the value is negative, else 0 (always 0 for uint8)
            fill = _emit(graph, _aten.neg.default, (_as_dtype(graph, _emit(graph, _aten.lt.Scalar, (value, 0), shift),
                                                              dtype),), shift)
        result = _emit(graph, _aten.where.self, (outside, fill, shifted), shift)
    shift.replace_all_uses_with(result)


def _broadcast_same_branches(graph: torch.fx.Graph, node: torch.fx.Node) -> None:
    """`where(c, x, x)` is x broadcast to the result's shape; torch-mlir folds it to x unbroadcast, and a later
    op then meets a tensor of the wrong shape (found by the fuzzer)."""
    value = node.args[1]
    with graph.inserting_before(node):
        result = _emit(graph, _aten.expand.default, (value, list(node.meta["val"].shape)), node)
        result = _as_dtype(graph, result, node.meta["val"].dtype)
    node.replace_all_uses_with(result)


def _unify_operand_dtypes(graph: torch.fx.Graph, node: torch.fx.Node) -> None:
    """Integer and bool tensors of different dtypes meet in one op: each is cast to the dtype PyTorch computes
    in first, so no lowering promotes them its own way (bool sign-extended to -1, a 0-d int32 left unwrapped)."""
    values = node.args[0] if _op_name(node) == "cat" else node.args[1:] if _op_name(node) == "where" else node.args
    tensors = [a for a in values if isinstance(a, torch.fx.Node) and isinstance(a.meta.get("val"), torch.Tensor)]
    dtypes = {a.meta["val"].dtype for a in tensors}
    if len(dtypes) < 2 or any(d.is_floating_point or d.is_complex for d in dtypes):
        return
    result = node.meta["val"].dtype
    if result == torch.bool:  # a comparison: computed in its two operands' promoted dtype
        if len(tensors) != 2:
            return
        dtype = torch.result_type(tensors[0].meta["val"], tensors[1].meta["val"])
    else:
        dtype = result
    with graph.inserting_before(node):
        cast = {a: _as_dtype(graph, a, dtype) for a in tensors}
    if _op_name(node) == "cat":
        node.args = ([cast.get(a, a) for a in node.args[0]], *node.args[1:])
    else:
        first = 1 if _op_name(node) == "where" else 0  # a where's condition stays bool
        node.args = tuple(cast.get(a, a) if i >= first and isinstance(a, torch.fx.Node) else a
                          for i, a in enumerate(node.args))


def _bool_as_integer(graph: torch.fx.Graph, node: torch.fx.Node) -> None:
    """A bool tensor meeting a Python int in a comparison, clamp, floor division or remainder is cast first to the
    int64 eager promotes it to: torch-mlir compares in i1, where -5 truncates to 1 and `True <= -5` came out true
    (found by the fuzzer), and its clamp and floor division of a bool fail to lower."""
    numbers = [a for a in node.args if isinstance(a, int) and not isinstance(a, bool)]
    if not numbers or not isinstance(node.args[0], torch.fx.Node) or _dtype(node.args[0]) != torch.bool \
            or not (node.meta["val"].dtype == torch.bool or _op_name(node) in _BOOL_PROMOTING):
        return
    with graph.inserting_before(node):
        node.args = (_converted(graph, node.args[0], torch.result_type(node.args[0].meta["val"], numbers[0])),
                     *node.args[1:])


def _wrap_integer_numbers(node: torch.fx.Node) -> None:
    tensors = [a.meta["val"] for a in node.args if isinstance(a, torch.fx.Node) and isinstance(a.meta.get("val"), torch.Tensor)]
    if not tensors or not all(_is_integer(t) for t in tensors):
        return
    dtype = tensors[0].dtype
    for tensor in tensors[1:]:
        dtype = torch.promote_types(dtype, tensor.dtype)
    info = torch.iinfo(dtype)
    node.args = tuple(
        (a - info.min) % (1 << info.bits) + info.min
        if isinstance(a, int) and not isinstance(a, bool) and not info.min <= a <= info.max else a
        for a in node.args
    )


def _as_tensor_form(graph: torch.fx.Graph, node: torch.fx.Node) -> None:
    value, number = node.args
    with graph.inserting_before(node):
        number = _emit(graph, _aten.scalar_tensor.default, (number,), node, dtype=node.meta["val"].dtype)
        replacement = _emit(graph, _TENSOR_FORMS[node.target], (value, number), node)
    node.replace_all_uses_with(replacement)


def _accumulate_wide(graph: torch.fx.Graph, node: torch.fx.Node) -> None:
    before = node.meta["val"]
    narrow = node.kwargs["dtype"]
    with graph.inserting_before(node):
        node.args = (_as_dtype(graph, node.args[0], narrow), *node.args[1:])
    node.kwargs = {**node.kwargs, "dtype": torch.int32}
    _set_value(node, _fake_result(node))
    _truncate_results(graph, node, before)


def _is_integer(value: object) -> bool:
    return isinstance(value, torch.Tensor) and not value.dtype.is_floating_point and not value.dtype.is_complex \
        and value.dtype != torch.bool


def _as_dtype(graph: torch.fx.Graph, node: torch.fx.Node, dtype: torch.dtype) -> torch.fx.Node:
    return node if _dtype(node) == dtype else _converted(graph, node, dtype)


def _emit(graph: torch.fx.Graph, target, args: tuple, like: torch.fx.Node, **kwargs) -> torch.fx.Node:
    """A new node computing `target`, its value faked like its operands', its source `like`'s."""
    node = graph.call_function(target, args, kwargs)
    node.meta = {key: like.meta[key] for key in ("stack_trace", "nn_module_stack") if key in like.meta}
    _set_value(node, _fake_result(node, like))
    return node


def widen_narrow_integers(program: ExportedProgram, *, model: str) -> int:
    """Run the ops torch-mlir mislowers on narrow integers on int32 operands; returns how many were widened.
    An op that rejects int32 operands is refused, naming it: it can run neither narrow nor wide."""
    graph = program.graph
    widened = 0
    for node in list(graph.nodes):
        if node.op != "call_function" or not _needs_widening(node):
            continue
        before = node.meta["val"]
        with graph.inserting_before(node):
            node.args = tree_map_only(torch.fx.Node, lambda a: _converted(graph, a, torch.int32) if _narrow(a) else a,
                                      node.args)
        try:
            value = _fake_result(node)
        except (RuntimeError, TypeError, ValueError) as error:
            site = site_of_node(node)
            raise UnsupportedOpError(
                message=f"'{node.target}' on 8- or 16-bit integers: torch-mlir mislowers it, and it rejects the int32 "
                f"operands it would run on instead ({type(error).__name__}: {str(error).strip().splitlines()[0]})",
                stage=STAGE, model=model, op=str(node.target), location=site.location if site else None,
                details=node_details(node), hint="cast its operands to torch.int32 in forward (exact for 8/16-bit values)",
            ) from error
        _set_value(node, value)
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
    if node.target in _CONTRACTIONS or node.target in _FULL_REDUCTIONS:
        return True
    if _op_name(node) in _LAYOUT:
        return False
    if torch.uint8 in narrow or (torch.int8 in narrow and _op_name(node) in _INT8_DIVISIONS):
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
            _set_value(user, new)
            if isinstance(old, torch.Tensor) and old.dtype != new.dtype:
                with graph.inserting_after(user):
                    narrow = _converted(graph, user, old.dtype)
                user.replace_all_uses_with(narrow, delete_user_cb=lambda u, narrow=narrow: u is not narrow)


def _fake_result(node: torch.fx.Node, like: torch.fx.Node | None = None):
    """The node's value on its (new) operands' fake values: what it now computes, dtype included.
    A node without tensor operands (`scalar_tensor`) takes the fake mode of `like`'s value."""
    args, kwargs = tree_map_only(torch.fx.Node, lambda a: a.meta["val"], (node.args, node.kwargs))
    fake_mode = detect_fake_mode(tree_flatten((args, kwargs))[0] + ([like.meta["val"]] if like is not None else []))
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
    _set_value(cast, node.meta["val"].to(dtype))
    return cast


def _set_value(node: torch.fx.Node, value: object) -> None:
    """The node's fake value, and the tensor metadata the importer reads before it (or instead: `.item()`'s operand)."""
    node.meta["val"] = value
    if isinstance(value, torch.Tensor):
        node.meta["tensor_meta"] = _extract_tensor_metadata(value)
    else:
        node.meta.pop("tensor_meta", None)
