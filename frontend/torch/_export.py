"""Eager check and torch.export: a static-shape, decomposed FX program or a clear error.

The forward runs eagerly first, so a bug in the model is reported as the model's
own exception at the user's line, before torch.export's tracing machinery can
bury it. Every dimension of every value must be a concrete int afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch.export import ExportedProgram
from torch.fx.experimental.symbolic_shapes import GuardOnDataDependentSymNode
from torch.utils._pytree import tree_flatten

from common.dtypes import BY_NAME, torch_name
from common.errors import DynamicShapeError, ModelError, UnsupportedDtypeError
from common.quiet import quiet_torch
from common.records import BakedArgument, ModelMetadata, NamedConstant, TensorSpec, rearranged_digest, values_digest
from frontend.torch._arguments import python_result_kinds, scalars_as_tensors
from frontend.torch._decompositions import before_functionalization, decompositions
from frontend.torch._graph_rules import exact_integer_edges, refuse_unfaithful_ops, widen_narrow_integers
from frontend.torch._sort_by_rank import rank_decompositions
from frontend.torch._sources import STAGE, helper_frames_kept, node_details, site_of_exception, site_of_node


def numpy_dtype_name(dtype: torch.dtype, *, model: str, what: str) -> str:
    if dtype.is_complex:
        raise UnsupportedDtypeError(
            message=f"{what} is complex ({dtype}); torch-mlir lowers no complex tensor to linalg, so no backend "
            "here can run it",
            stage=STAGE,
            model=model,
            hint="compute on the real and imaginary parts: torch.view_as_real(x) is a float tensor with a "
            "trailing dimension of 2, torch.view_as_complex turns the result back outside the model",
        )
    name = torch_name(dtype)
    if name is None:
        raise UnsupportedDtypeError(
            message=f"{what} has dtype {dtype}, which no backend here supports",
            stage=STAGE,
            model=model,
            hint=f"use one of: {', '.join(sorted(BY_NAME))}",
        )
    return name


def as_numpy(tensor: torch.Tensor) -> np.ndarray:
    """A detached copy as NumPy; bfloat16 (which NumPy lacks) as float32, which holds it exactly."""
    tensor = tensor.detach().cpu()
    return (tensor.float() if tensor.dtype == torch.bfloat16 else tensor).numpy().copy()


def run_eager(module: torch.nn.Module, args: Sequence[object], *, model: str) -> EagerRun:
    """Run the forward once; its flattened outputs (scalars as 0-d tensors) are the golden values.

    A forward that returns None may still change its inputs in place: those are its results.
    """
    try:
        with torch.no_grad():
            outputs = module(*args)
    except Exception as error:
        raise _model_error(error, model, "forward raised") from error
    if outputs is None:
        return EagerRun([], ())
    kinds = python_result_kinds(outputs)
    flat, _ = tree_flatten(scalars_as_tensors(outputs))
    if not flat or not all(isinstance(t, torch.Tensor) for t in flat):
        found = next((type(t).__name__ for t in flat if not isinstance(t, torch.Tensor)), "nothing")
        raise ModelError(
            message=f"forward must return tensors or Python scalars (int, float, bool), got {found}",
            stage="eager",
            model=model,
            hint="return tensors and numbers from forward (flatten dicts, drop None and strings)",
        )
    return EagerRun(flat, kinds)


@dataclass(frozen=True)
class EagerRun:
    """Eager PyTorch's results, and which of them forward returned as Python scalars (their type name)."""

    outputs: list[torch.Tensor]
    python_kinds: tuple[str | None, ...]

    @property
    def returns_scalars(self) -> bool:
        return any(self.python_kinds)


def export_static(
    module: torch.nn.Module, inputs: tuple[torch.Tensor, ...], *, model: str
) -> ExportedProgram:
    """torch.export with torch-mlir's decompositions; refuse anything with symbolic dims."""
    try:
        # A failed trace prints its partial FX graph (twice) and symbolic-shape warnings, and every
        # export trips torch's own LeafSpec deprecation: noise above our error, which names the user's line.
        with quiet_torch(), helper_frames_kept():
            program = torch.export.export(module, inputs, strict=False)
    except GuardOnDataDependentSymNode as error:
        program = _traced_by_dynamo(module, inputs)
        if program is None:
            raise _model_error(error, model, "torch.export could not trace the model") from error
    except Exception as error:
        raise _model_error(error, model, "torch.export could not trace the model") from error
    return decompose(program, model=model)


def _traced_by_dynamo(module: torch.nn.Module, inputs: tuple[torch.Tensor, ...]) -> ExportedProgram | None:
    """Strict (Dynamo) export, for a forward that turns tensor data into a Python number.

    Non-strict export runs forward as Python, so `int(t)` or `float(t)` must give a concrete
    number and fails on a data-dependent one; Dynamo records it as `aten.item`, which lowers,
    and the number stays data (`x * int(n)`, `return float(t)`). None where Dynamo fails too:
    the caller reports the first error, whose hint says what to write instead.
    """
    try:
        with quiet_torch(), helper_frames_kept():
            program = torch.export.export(module, inputs, strict=True)
    except Exception:
        return None
    _drop_range_checks(program)
    for node in program.graph.nodes:
        if node.op == "call_function" and not isinstance(node.target, torch._ops.OpOverload):
            return None  # symbolic arithmetic on the number (a branch, a size) that torch-mlir cannot import
        if node.target is torch.ops.aten.item.default and node.args[0].meta["val"].dtype == torch.bool:
            return None  # torch-mlir imports bool(t) as an int op with a bool result, which its backend rejects
    return program


# How torch.export words the range checks it adds for a number read from a tensor (`u0 <= 1` for a bool):
# facts about the traced value, not the model's own assertions (`torch._check`), which are kept.
_RANGE_CHECK = "Runtime assertion failed for expression"


def _drop_range_checks(program: ExportedProgram) -> None:
    """Remove those checks and the symbolic arithmetic only they read, which torch-mlir cannot import."""
    graph = program.graph
    checks = [n for n in graph.nodes if n.target is torch.ops.aten._assert_scalar.default
              and str(n.args[1]).startswith(_RANGE_CHECK)]
    for node in checks:
        graph.erase_node(node)
    if graph.eliminate_dead_code() or checks:
        program.graph_module.recompile()


def decompose(program: ExportedProgram, *, model: str) -> ExportedProgram:
    """torch-mlir's decompositions on an exported program (the user's own, or ours), ours over its where it is wrong."""
    from torch_mlir.extras.fx_decomp_util import get_decomposition_table

    before_functionalization(program)
    try:
        with quiet_torch():
            program = program.run_decompositions({**get_decomposition_table(), **decompositions(), **rank_decompositions(program)})
    except Exception as error:
        raise _model_error(error, model, "torch.export could not decompose the program") from error
    _drop_range_checks(program)
    _refuse_symbolic_dims(program, model)
    refuse_unfaithful_ops(program, model=model)
    exact_integer_edges(program)
    widen_narrow_integers(program, model=model)
    return program


def program_results(
    program: ExportedProgram, outputs: Sequence[torch.Tensor], mutated_inputs: Sequence[torch.Tensor], *, model: str,
    names: Sequence[str] = (),
) -> list[tuple[str, torch.Tensor]]:
    """Every result the lowered program returns, named, with eager PyTorch's value for it.

    torch.export functionalises in-place ops on inputs (`x.add_(y)`, `x.copy_(y)`,
    `out=` variants): the program returns the input's new value as an extra
    result before the user's outputs. Those are results like any other here, named
    `<input>_mutated`, and their golden value is the input after eager PyTorch ran
    (`mutated_inputs`: the copies eager ran on). User outputs are `result0`, `result1`, ...
    `names` are forward's names for the inputs, where the program's differ (a bound module).
    """
    kinds = torch.export.graph_signature.OutputKind
    user_inputs = [s.arg.name for s in program.graph_signature.input_specs
                   if s.kind == torch.export.graph_signature.InputKind.USER_INPUT]
    remaining = list(outputs)
    found: list[tuple[str, torch.Tensor]] = []
    for spec in program.graph_signature.output_specs:
        if spec.kind == kinds.USER_INPUT_MUTATION:
            index = user_inputs.index(spec.target)
            found.append((f"{names[index] if names else spec.target}_mutated", mutated_inputs[index]))
        elif spec.kind == kinds.USER_OUTPUT and remaining:
            found.append((f"result{sum(n.startswith('result') for n, _ in found)}", remaining.pop(0)))
        elif spec.kind != kinds.USER_OUTPUT:
            raise ModelError(
                message=f"forward changes module state ({spec.kind.name.lower()} of '{spec.target}')",
                stage=STAGE, model=model,
                hint="compile the model in eval() mode, or return the new state from forward instead of assigning it",
            )
    if not found:
        raise ModelError(message="forward returns nothing and changes no input: there is nothing to compute",
                         stage=STAGE, model=model, hint="return the tensors the model computes")
    return found


def metadata_of(
    program: ExportedProgram, results: Sequence[tuple[str, torch.Tensor]], inputs: Sequence[torch.Tensor], *, model: str,
    baked: Sequence[BakedArgument] = (), python_kinds: Sequence[str | None] = (), names: Sequence[str] = (),
) -> ModelMetadata:
    """Argument names are forward's (`names`, else the program's); results come from `program_results`.

    `python_kinds` (from `EagerRun`) follows the user's outputs, `result0`, `result1`, ...
    """
    names = list(names) or [
        spec.arg.name
        for spec in program.graph_signature.input_specs
        if spec.kind == torch.export.graph_signature.InputKind.USER_INPUT
    ]
    args = tuple(
        TensorSpec(name, tuple(t.shape), numpy_dtype_name(t.dtype, model=model, what=f"input '{name}'"))
        for name, t in zip(names, inputs, strict=True)
    )
    specs = tuple(
        TensorSpec(name, tuple(t.shape), numpy_dtype_name(t.dtype, model=model, what=f"result '{name}'"))
        for name, t in results
    )
    python_results = tuple((f"result{i}", kind) for i, kind in enumerate(python_kinds) if kind)
    return ModelMetadata(model, args, specs, tuple(baked), python_results, named_constants(program))


def named_constants(program: ExportedProgram) -> tuple[NamedConstant, ...]:
    """The program's integer parameters, buffers and lifted constants by name, in its signature's order."""
    signature = program.graph_signature
    tensors = {**program.state_dict, **program.constants}
    found = []
    for name in (*signature.parameters, *signature.buffers, *signature.lifted_tensor_constants):
        tensor = tensors.get(name)
        dtype = BY_NAME.get(torch_name(tensor.dtype) or "") if isinstance(tensor, torch.Tensor) else None
        if dtype is not None and dtype.integer:
            values = tensor.reshape(-1).tolist()
            found.append(NamedConstant(name, tuple(tensor.shape), values_digest(values, dtype.bits), rearranged_digest(values)))
    return tuple(found)


def _refuse_symbolic_dims(program: ExportedProgram, model: str) -> None:
    for node in program.graph.nodes:
        values, _ = tree_flatten(node.meta.get("val"))
        for value in values:
            shape = getattr(value, "shape", ())
            if all(isinstance(d, int) for d in shape):
                continue
            site = site_of_node(node)
            op = str(node.target) if node.op == "call_function" else node.op
            raise DynamicShapeError(
                message=f"value '{node.name}' has a symbolic shape {list(shape)}; every backend needs static shapes",
                stage=STAGE,
                model=model,
                op=op,
                location=site.location if site else None,
                details=node_details(node),
                hint="give the model fixed-size inputs and avoid data-dependent output sizes "
                "(nonzero, unique, masked_select, boolean indexing)",
            )


_DATA_DEPENDENT_HINT = (
    "forward turns tensor data into a Python value (bool(t), int(t), `if t.any():`, a size from t.item()), "
    "which torch.export cannot trace: keep it a tensor (return the 0-d tensor itself; torch.where for a branch)"
)

_NUMBER_ARGUMENT_HINT = (
    "an op argument that must be a Python int (a dim, a size, a count) is read from tensor data (t.item(), int(t)), "
    "which torch.export cannot trace: write the number itself (a constant, or a module attribute set in __init__)"
)


def _model_error(error: Exception, model: str, what: str) -> ModelError:
    site = site_of_exception(error)
    summary = f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}"
    return ModelError(
        message=f"{what}: {summary}",
        stage="eager" if what == "forward raised" else STAGE,
        model=model,
        location=site.location if site else None,
        details=[f"source: {site.code}"] if site and site.code else [],
        hint=_DATA_DEPENDENT_HINT if "DataDependent" in type(error).__name__
        else _NUMBER_ARGUMENT_HINT if "found type 'SymInt'" in str(error)
        else "fix the model so that forward runs on the example inputs in eager PyTorch",
    )



def check_inputs(example_inputs, name: str) -> tuple[torch.Tensor, ...]:
    """An ExportedProgram's example inputs as a tuple of tensors, or a ModelError naming the first that is not one."""
    inputs = tuple(example_inputs) if isinstance(example_inputs, (tuple, list)) else (example_inputs,)
    for index, value in enumerate(inputs):
        if not isinstance(value, torch.Tensor):
            raise ModelError(
                message=f"example input {index} is a {type(value).__name__}, not a torch.Tensor",
                stage=STAGE,
                model=name,
                hint="a saved ExportedProgram has its non-tensor arguments specialised already: pass only its "
                "tensor inputs, or compile the nn.Module itself (its Python scalar arguments are then baked in)",
            )
    return inputs
