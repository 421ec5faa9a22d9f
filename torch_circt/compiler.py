"""`torch_circt.compile`: a PyTorch model and example inputs in, a checked-ready `Design` out."""

from __future__ import annotations

import dataclasses
import os
import re
import time
from collections.abc import Sequence
from pathlib import Path

import torch
from torch.export import ExportedProgram

import frontend.torch as frontend
from backend.rtl.names import sv_identifier
from backend.rtl.stream_chain import StageDesign, chain_streams
from common.atomic import atomic_write_text
from common.errors import TorchCirctError, UnsupportedDtypeError, UserError, foreign_error
from common.records import Golden, ModelMetadata
from common.reproducers import ReproducerContext
from common.stages import OnStage, StageResult
from frontend.quantize import QuantizedModel
from torch_circt import analyses, flow
from torch_circt.design import Design
from torch_circt.hw_estimate import chained_estimate
from torch_circt.loops import chained_work
from torch_circt.options import TARGETS, Options

DUMP_ENV = "TORCH_CIRCT_DUMP_IR"


def compile(  # noqa: A001 - the front door's name, as torch.compile / iree-turbine's compile
    model: torch.nn.Module | ExportedProgram | QuantizedModel,
    example_inputs: Sequence[object] | torch.Tensor,
    target: str = "rtl",
    options: Options | None = None,
    *,
    name: str | None = None,
    on_stage: OnStage | None = None,
) -> Design:
    """Compile `model` at the shapes of `example_inputs` for `target` ("rtl" or "cpu").

    The caller's tensors are never modified: eager PyTorch (the oracle) and the
    export run on copies. Python scalars among the inputs (int, float, bool, str,
    None) are compiled in at their example values and listed in `design.metadata.baked`.
    `on_stage` sees every stage as it finishes. A `QuantizedModel` compiles its integer
    module (inputs are its int8 tensors) and carries its error per layer into the report.
    Every error it raises is a `TorchCirctError`: any other exception from inside (torch, torch-mlir, ours)
    becomes an `InternalCompilerError` naming the stage it escaped from, the original chained.
    """
    inner = model.module if isinstance(model, QuantizedModel) else model
    name = identifier(name or _default_name(inner))
    progress = {"stage": "torch_export"}  # where a foreign exception escaped from: the stage after the last finished
    try:
        return _compile(model, example_inputs, target, options or Options(), name, on_stage, progress)
    except TorchCirctError:
        raise
    except Exception as error:
        raise foreign_error(error, stage=progress["stage"], model=name) from error


def _compile(model, example_inputs, target: str, options: Options, name: str, on_stage: OnStage | None,
             progress: dict[str, str]) -> Design:
    quantization = model.report() if isinstance(model, QuantizedModel) else None
    source = _describe(model)
    model = model.module if isinstance(model, QuantizedModel) else model
    _check_target(target)
    metadata, golden, program = _trace(model, example_inputs, name)
    design = Design(name, target, options, metadata, golden, [], source=source, quantization=quantization)
    record = _recorder(design, on_stage, progress)
    linalg, _ = _segment(flow.frontend_stages(program, metadata), "", "frontend", design, record)
    if options.emit != "linalg":
        try:
            if target == "rtl" and options.rtl.dataflow:
                _lower_layers(design, program, on_stage, record)
            else:
                _lower(design, linalg, record)
        except UnsupportedDtypeError as error:  # the rtl path's float refusal, on IR without source lines
            frontend.point_at_float_source(error, program)
            raise
    return design


def from_linalg(
    linalg: str, metadata: ModelMetadata, golden: Golden | None, target: str, options: Options | None = None,
    *, on_stage: OnStage | None = None,
) -> Design:
    """The backend half alone, from the frontend's linalg text: what a cached Bazel action starts from.

    Without `golden` the design can be simulated but not checked.
    """
    options = options or Options()
    progress = {"stage": "linalg"}
    try:
        _check_target(target)
        design = Design(metadata.name, target, options, metadata, golden, [], source="linalg-on-tensors MLIR")
        _lower(design, linalg, _recorder(design, on_stage, progress))
    except TorchCirctError:
        raise
    except Exception as error:
        raise foreign_error(error, stage=progress["stage"], model=metadata.name) from error
    return design


def _lower(design: Design, linalg: str, record: OnStage) -> None:
    options = design.options
    if design.target == "cpu":
        _segment(flow.cpu_stages(), linalg, "cpu", design, record)
        return
    stages = flow.until(flow.rtl_stages(design.metadata, options.rtl), options.emit)
    metadata = design.metadata
    _, analysis = _segment(stages, linalg, "rtl", design, record, lambda i, o: analyses.analyse(i, o, metadata))
    design.manifest, design.loops, design.hardware = analysis.manifest, analysis.loops, analysis.hardware
    design.folds, design.outputs_side_by_side = analysis.folds, analysis.outputs_side_by_side


def _lower_layers(design: Design, program: ExportedProgram, on_stage: OnStage | None, record: OnStage) -> None:
    """`RtlOptions.dataflow`: each layer of the program compiled on its own (stages reach `on_stage` under the
    layer's name), the stream tops chained; the chain's SystemVerilog is this design's export-verilog."""
    modules = frontend.layer_stages(program)
    rtl = design.options.rtl
    for name, given, single in (("fold_layers", rtl.fold_layers, "--fold"), ("unroll_layers", rtl.unroll_layers,
                                                                           "--unroll-outputs")):
        if given and len(given) != len(modules):
            raise UserError(message=f"{name} gives {len(given)} factors, and the program has {len(modules)} layers as "
                            "stages", stage="options", model=design.name,
                            hint=f"give one per layer ({len(modules)}) with dataflow, or {single} / --target-interval")
    folds = rtl.fold_layers or (rtl.fold,) * len(modules)
    widths = rtl.unroll_layers or (rtl.unroll_outputs,) * len(modules)
    inputs = tuple(torch.from_numpy(array.copy()) for array in design.golden.inputs)
    start = time.perf_counter()
    for k, (module, fold, width) in enumerate(zip(modules, folds, widths)):
        options = dataclasses.replace(design.options, rtl=dataclasses.replace(
            rtl, dataflow=False, fold=fold, fold_layers=(), unroll_outputs=width, unroll_layers=()))
        design.parts.append(compile(module, inputs, "rtl", options, name=f"{design.name}_layer{k}", on_stage=on_stage))
        if k < len(modules) - 1:
            inputs = (module(*inputs),)
    sv, design.manifest = chain_streams(design.name, [StageDesign(part.sv, part.manifest) for part in design.parts])
    design.folds = tuple(fold for part in design.parts for fold in part.folds)
    design.outputs_side_by_side = tuple(width for part in design.parts for width in part.outputs_side_by_side)
    design.loops = chained_work([part.loops for part in design.parts])
    design.hardware = chained_estimate([part.hardware for part in design.parts])
    record(StageResult("rtl", "export-verilog", len(design.stages), time.perf_counter() - start, sv))


def _recorder(design: Design, on_stage: OnStage | None, progress: dict[str, str]) -> OnStage:
    """Collect each stage on the design; dump it when asked; pass it on; note in `progress` what runs next."""
    dump_dir = design.options.dump_dir or (Path(os.environ[DUMP_ENV]) if os.environ.get(DUMP_ENV) else None)

    def record(result: StageResult) -> None:
        progress["stage"] = f"after {result.name}"
        design.stages.append(result)
        if dump_dir is not None:
            atomic_write_text(Path(dump_dir) / f"{len(design.stages) - 1:02d}_{result.name}.mlir", result.text)
        if on_stage is not None:
            on_stage(result)

    return record


def _segment(stages, text: str, group: str, design: Design, record: OnStage, analyse: flow.Analyse | None = None):
    """The segment's final text and, with `analyse`, what it computed in the worker."""
    context = ReproducerContext(design.name, group, design.metadata.to_json(), design.options.rtl.to_json())
    return flow.run_segment(stages, text, context=context, on_stage=record, first_index=len(design.stages),
                            analyse=analyse)


def _check_target(target: str) -> None:
    if target not in TARGETS:
        raise UserError(message=f"target must be one of {', '.join(TARGETS)}, not '{target}'", stage="options",
                        hint=f"pass target={TARGETS[0]!r} (a circuit) or {TARGETS[-1]!r} (the CPU)")


def _trace(
    model: torch.nn.Module | ExportedProgram, example_inputs, name: str
) -> tuple[ModelMetadata, Golden, ExportedProgram]:
    """Golden outputs from eager PyTorch and the decomposed program, all on copies of the inputs.

    A module's Python scalar arguments are baked in, and its scalar results become
    0-d tensors; the module is exported bound that way only when it needs to be,
    so error messages keep the user's own module paths otherwise.
    """
    if isinstance(model, ExportedProgram):
        given = frontend.check_inputs(example_inputs, name)
        eager_inputs = _copies(given)  # eager PyTorch may change these in place: that is the oracle too
        eager = frontend.run_eager(model.module(), eager_inputs, model=name)
        program = frontend.decompose(model, model=name)
        signature: dict = {}
    else:
        arguments = frontend.split_arguments(model, example_inputs, model=name)
        given = arguments.tensors
        eager_inputs = _copies(given)
        eager = frontend.run_eager(model, arguments.fill(eager_inputs), model=name)
        bind = arguments.needs_binding or eager.returns_scalars or not eager.outputs
        program = frontend.export_static(frontend.BoundModule(model, arguments) if bind else model,
                                         _copies(given), model=name)
        signature = {"baked": arguments.baked, "names": arguments.tensor_names} if bind else {}
    results = frontend.program_results(program, eager.outputs, eager_inputs, model=name,
                                       names=signature.get("names", ()))
    metadata = frontend.metadata_of(program, results, given, model=name, python_kinds=eager.python_kinds, **signature)
    golden = Golden(tuple(frontend.as_numpy(t) for t in given),
                    tuple(frontend.as_numpy(t) for _, t in results))
    return metadata, golden, program


def _copies(inputs: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, ...]:
    return tuple(t.detach().clone() for t in inputs)


def _default_name(model: torch.nn.Module | ExportedProgram) -> str:
    """The class name in snake_case (`IntMLP2` -> `int_mlp2`, `ExportedProgram` -> `exported_program`): the design's
    name, and so its top module's (not `program`, a SystemVerilog reserved word)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", type(model).__name__).lower()


def identifier(text: str) -> str:
    """A design's name: it names the top module, so it is a legal SystemVerilog identifier."""
    return sv_identifier(text)


def _describe(model: torch.nn.Module | ExportedProgram | QuantizedModel) -> str:
    if isinstance(model, QuantizedModel):
        return f"{type(model.module).__name__} (int8, from torch_circt.quantize)"
    return "torch.export.ExportedProgram" if isinstance(model, ExportedProgram) else type(model).__qualname__
