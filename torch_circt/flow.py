"""The flow: every stage of every target, in the order it runs. This is the one place that says so.

    frontend   program -> fx_import -> torch_backend -> linalg_on_tensors -> integer_idioms -> distinct_results -> check-signature
    rtl        linalg -> (torch-mlir) ... -> transport -> (CIRCT) ... -> simplify-cf -> narrow-widths -> ...
               -> name-hardware -> internal-parameters
               -> stream-interface -> seq-to-sv -> hw-to-sv -> export-verilog
    cpu        linalg -> generalize -> bufferize -> free-early -> loops -> llvm   (then the JIT)
    dataflow   program -> layer_stages -> each layer: frontend, rtl (stream top) -> stream_chain -> export-verilog
    synth      design.sv -> yosys (synth_ecp5) -> netlist.json, netlist.v -> nextpnr-ecp5 -> utilisation, Fmax

Every segment runs in a forked worker (`torch_circt.isolation`): a native crash
in a pass becomes an `InternalCompilerError` naming the stage, with a saved
reproducer, instead of the end of the caller. Each finished stage reaches the
caller's `on_stage` as it happens.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from torch.export import ExportedProgram

import backend.cpu as cpu
import frontend.torch as frontend
from backend.rtl import circt_side, torch_side
from backend.rtl.circt_side.completion_carrier import completion_carrier
from backend.rtl.circt_side.extmem_ports import join_extmem_ports, split_extmem_ports
from backend.rtl.circt_side.folded_constants import folded_constants
from backend.rtl.circt_side.hold_loads import hold_loads
from backend.rtl.circt_side.internal_parameters import internal_parameters
from backend.rtl.circt_side.name_hardware import name_hardware
from backend.rtl.circt_side.narrow_widths import narrow_widths
from backend.rtl.circt_side.predicate_stores import predicate_stores
from backend.rtl.circt_side.sink_constants import sink_constants
from backend.rtl.circt_side.source_constants import source_constants
from backend.rtl.circt_side.split_memory_hazards import split_memory_hazards
from backend.rtl.circt_side.stream_interface import stream_interface
from backend.rtl.circt_side.throughput_buffers import throughput_buffers
from backend.rtl.circt_side.timing_buffers import timing_buffers
from backend.rtl.circt_side.wire_completion import wire_completion
from backend.rtl.torch_side.check_dtypes import check_dtypes
from backend.rtl.torch_side.coalesce_loops import coalesce_loops
from backend.rtl.torch_side.drop_unused_memories import drop_unused_memories
from backend.rtl.torch_side.fold_reductions import fold_reductions
from backend.rtl.torch_side.forward_fills import forward_fills
from backend.rtl.torch_side.fuse_epilogues import fuse_epilogues
from backend.rtl.torch_side.integer_ops import integer_ops
from backend.rtl.torch_side.linearize_memrefs import linearize_memrefs
from backend.rtl.torch_side.memory_interfaces import memory_interfaces
from backend.rtl.torch_side.scalar_replacement import scalar_replacement
from backend.rtl.torch_side.unroll_outputs import unroll_outputs
from backend.rtl.transport import transport_stage
from backend.synth import SOURCE, Synthesis, SynthStep, nextpnr_step, run_step, summarize, timing_failure, yosys_step
from common.errors import InternalCompilerError, TorchCirctError
from common.records import ModelMetadata
from common.reproducers import ReproducerContext
from common.stages import OnStage, Stage, StageResult, run_stages, stage_failure
from torch_circt.isolation import WorkerCrash, call_isolated
from torch_circt.options import EMIT_LEVELS, RtlOptions, SynthOptions

# The last stage of each IR level a compile can stop at (`emit`): the first of these that runs.
LEVEL_ENDS = {"linalg": ("check-signature",), "handshake": ("join-extmem-ports",),
              "hw": ("stream-interface", "internal-parameters", "name-hardware"), "sv": ("export-verilog",)}
GROUPS = ("frontend", "rtl", "cpu")
# Inputs and outputs of a segment's stages, by name -> what the worker hands back beside the text.
Analyse = Callable[[Mapping[str, str], Mapping[str, str]], Any]


def frontend_stages(program: ExportedProgram | None, metadata: ModelMetadata) -> tuple[Stage, ...]:
    """`program` is None only when a reproducer reruns a text stage (op attribution is then by name)."""
    return (
        *((frontend.fx_import_stage(program),) if program is not None else ()),
        frontend.pass_stage("torch_backend", frontend.TORCH_BACKEND, program),
        frontend.pass_stage("linalg_on_tensors", frontend.LINALG_ON_TENSORS, program),
        frontend.integer_idioms_stage(),
        frontend.distinct_results_stage(),
        frontend.signature_stage(metadata),
    )


def rtl_stages(metadata: ModelMetadata, options: RtlOptions) -> tuple[Stage, ...]:
    """The stages `options` turn on (`RtlOptions.runs`), in order."""
    return tuple(stage for stage in all_rtl_stages(metadata, options) if options.runs(stage.name))


def all_rtl_stages(metadata: ModelMetadata, options: RtlOptions) -> tuple[Stage, ...]:
    """Every RTL stage, optional ones included; `options` only parameterise pipelines."""
    return (
        # torch-mlir's MLIR: linalg on tensors -> cf + memref
        torch_side.rewrite_stage(check_dtypes, model=metadata.name),
        torch_side.fuse_stage(),
        torch_side.pass_stage("bufferize"),
        torch_side.rewrite_stage(memory_interfaces, num_inputs=len(metadata.args), num_outputs=len(metadata.results)),
        torch_side.pass_stage("lower-to-affine"),
        torch_side.rewrite_stage(scalar_replacement),
        torch_side.text_stage(coalesce_loops),
        torch_side.rewrite_stage(forward_fills),
        torch_side.rewrite_stage(unroll_outputs, factor=options.unroll_outputs, num_inputs=len(metadata.args),
                                 num_outputs=len(metadata.results), per_loop=options.unroll_layers,
                                 target_interval=options.target_interval),
        torch_side.rewrite_stage(fuse_epilogues, num_inputs=len(metadata.args), num_outputs=len(metadata.results)),
        torch_side.rewrite_stage(fold_reductions, factor=options.fold, num_inputs=len(metadata.args),
                                 num_outputs=len(metadata.results), per_nest=options.fold_layers,
                                 target_interval=options.target_interval),
        torch_side.pass_stage("lower-to-cf"),
        torch_side.rewrite_stage(integer_ops),
        torch_side.rewrite_stage(linearize_memrefs),
        torch_side.rewrite_stage(drop_unused_memories),
        transport_stage(),
        # CIRCT's MLIR: cf + memref -> handshake -> hw/esi/seq -> sv -> SystemVerilog
        circt_side.pass_stage("flatten-memref"),
        circt_side.pass_stage("legalize-memrefs"),
        circt_side.pass_stage("simplify-cf"),
        circt_side.rewrite_stage(narrow_widths, metadata=metadata),
        circt_side.rewrite_stage(split_memory_hazards),
        circt_side.rewrite_stage(predicate_stores),
        circt_side.rewrite_stage(sink_constants),
        circt_side.rewrite_stage(completion_carrier),
        circt_side.pass_stage("cf-to-handshake", circt_side.to_handshake_passes(options.task_pipelining)),
        circt_side.rewrite_stage(wire_completion),
        circt_side.rewrite_stage(source_constants),
        circt_side.rewrite_stage(split_extmem_ports),
        circt_side.pass_stage("extmem-to-hw"),
        circt_side.rewrite_stage(join_extmem_ports),
        circt_side.pass_stage("handshake-buffers", circt_side.buffer_passes(options.buffer_strategy, options.buffer_size)),
        circt_side.rewrite_stage(folded_constants),
        circt_side.rewrite_stage(throughput_buffers),
        circt_side.rewrite_stage(timing_buffers),
        circt_side.rewrite_stage(hold_loads),
        circt_side.pass_stage("handshake-to-hw"),
        circt_side.pass_stage("esi-to-hw"),
        circt_side.rewrite_stage(name_hardware, metadata=metadata),
        circt_side.rewrite_stage(internal_parameters, metadata=metadata, rom_style=options.rom_style),
        circt_side.rewrite_stage(stream_interface, metadata=metadata),
        circt_side.pass_stage("seq-to-sv"),
        circt_side.pass_stage("hw-to-sv"),
        circt_side.export_verilog_stage(),
    )


def stage_named(name: str, metadata: ModelMetadata, rtl: RtlOptions) -> Stage:
    """Any text-to-text stage of the flow by name, optional ones included: what the pass-test driver runs."""
    stages = (*frontend_stages(None, metadata), *all_rtl_stages(metadata, rtl), *cpu_stages())
    by_name = {stage.name: stage for stage in stages}
    if name not in by_name:
        raise ValueError(f"no stage '{name}' in the flow (known: {', '.join(by_name)})")
    return by_name[name]


def cpu_stages() -> tuple[Stage, ...]:
    return (cpu.stage("generalize"), cpu.stage("bufferize"), cpu.free_early_stage(), cpu.stage("loops"), cpu.stage("llvm"))


def synth_steps(top: str, options: SynthOptions) -> tuple[SynthStep, ...]:
    """Files in, files out, in one work directory: design.sv -> netlist -> placed and routed."""
    if options.family != "ecp5":
        raise ValueError(f"no synthesis steps for family {options.family!r}")
    return (yosys_step(top), nextpnr_step(options.device, options.speed, options.clock_mhz))


def run_synthesis(sv: str, top: str, options: SynthOptions, workdir: Path, on_stage: OnStage | None = None) -> Synthesis:
    """Synthesise `sv` in `workdir` (kept: it holds the netlists and the tools' logs); each step reaches `on_stage`.

    The tools run in processes of their own (backend.synth.yowasp), so no isolation is needed here.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / SOURCE).write_text(sv)
    for index, step in enumerate(synth_steps(top, options)):
        start = time.perf_counter()
        run_step(step, workdir)
        if on_stage is not None:
            on_stage(StageResult("synth", step.name, index, time.perf_counter() - start, ""))
    result = summarize(workdir, top, options.device, options.speed, options.clock_mhz)
    if options.clock_mhz is not None and result.fmax_mhz < options.clock_mhz:
        raise timing_failure(result.fmax_mhz, options.clock_mhz, options.device, options.speed)
    return result


def stages_of(group: str, metadata: ModelMetadata | None, rtl: RtlOptions, program: ExportedProgram | None = None):
    """The stages of one segment, as `run_segment` and the reproducer build them."""
    if group in ("frontend", "rtl") and metadata is None:
        raise ValueError(f"the {group} segment needs the model's metadata")
    if group == "frontend":
        return frontend_stages(program, metadata)
    if group == "rtl":
        return rtl_stages(metadata, rtl)
    if group == "cpu":
        return cpu_stages()
    raise ValueError(f"unknown flow segment '{group}' (known: {', '.join(GROUPS)})")


def until(stages: Sequence[Stage], emit: str) -> tuple[Stage, ...]:
    """The stages up to the end of IR level `emit` (all of them when the segment ends earlier)."""
    if emit not in EMIT_LEVELS:
        raise ValueError(f"emit must be one of {', '.join(EMIT_LEVELS)}")
    names = [s.name for s in stages]
    end = next((name for name in LEVEL_ENDS[emit] if name in names), None)
    return tuple(stages[: names.index(end) + 1]) if end is not None else tuple(stages)


def run_segment(
    stages: Sequence[Stage],
    text: str,
    *,
    context: ReproducerContext,
    on_stage: OnStage | None = None,
    first_index: int = 0,
    analyse: Analyse | None = None,
) -> tuple[str, Any]:
    """Run `stages` in a forked worker; a crash is reported against the stage that was running.

    `analyse(inputs, outputs)` (each stage's IR by name) runs in the same worker after the
    last stage: its result comes back with the final text (None without it).
    """
    position = {"index": first_index, "input": text}

    def finished(result: StageResult) -> None:
        position["index"], position["input"] = result.index + 1, result.text
        if on_stage is not None:
            on_stage(result)

    def work(send) -> tuple[str, Any]:
        inputs: dict[str, str] = {}
        outputs: dict[str, str] = {}

        def keep(result: StageResult) -> None:
            inputs[result.name] = outputs[stages[result.index - first_index - 1].name] if result.index > first_index else text
            outputs[result.name] = result.text
            send(result)

        final = run_stages(stages, text, group=context.group, context=context, on_stage=keep, first_index=first_index)
        return final, analyse(inputs, outputs) if analyse is not None else None

    try:
        return call_isolated(work, finished)
    except WorkerCrash as crash:
        if position["index"] - first_index == len(stages):
            raise InternalCompilerError(
                message=f"the analyses after the {context.group} stages crashed in native code", stage="analysis",
                model=context.model, details=[f"diagnostics: {line}" for line in crash.diagnostics().splitlines()],
                hint="please file an issue with the model; every stage's IR is on the design's on_stage callback",
            ) from None
        stage = stages[position["index"] - first_index]
        raise stage_failure(stage, position["index"], position["input"], crash.diagnostics(), context) from None
    except TorchCirctError as error:
        if error.model is None:
            error.model = context.model
        raise
