"""Stages that run in CIRCT's copy of MLIR: cf + memref -> handshake -> hw -> SystemVerilog.

This is the pass list `hlstool --dynamic-hw` runs, split into named stages. The
simple canonicalizer (top-down, no region simplification) removes the
`handshake.br` ops that `lower-handshake-to-hw` cannot lower; it must run before
buffer insertion (after it, it would merge buffers that then have two uses).
Buffers go only where the dataflow graph has cycles (`strategy=cycles`), not on
every channel as hlstool does: our loops run one iteration at a time, so extra
buffers add latency and area but no throughput, and they roughly double the
Verilog that Verilator must compile (linear_i32: 1.24 MB -> 0.71 MB).
There is no `circt-opt` binary in the pycde wheel, so each stage's reproducer is
`python -m backend.rtl.circt_side.circt_opt`, a tiny driver over the same pass manager.
Our own passes are modules of this package named after their stage:
`rewrite_stage(split_memory_hazards)` is the stage "split-memory-hazards" of `split_memory_hazards.py`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pycde.circt as circt
from pycde.circt import passmanager

from backend.rtl.circt_side.context import circt_context, parse_in_circt
from common.ir_print import print_module
from common.pipeline_text import module_pipeline, nested, pass_spec, stage_name
from common.reproducers import python_command
from common.stages import Stage

SIMPLE_CANONICALIZE = pass_spec("canonicalize", {"region-simplify": "disabled", "top-down": "true"})

# Stage name -> passes (the order the stages run in is the flow's: torch_circt/flow.py).
# The manifest is read from the handshake signature right after "extmem-to-hw" (and "join-extmem-ports").
PASSES: dict[str, tuple[str, ...]] = {
    "flatten-memref": ("flatten-memref", "flatten-memref-calls"),
    "legalize-memrefs": (nested("func.func", ["handshake-legalize-memrefs"]),),
    # Fold before the handshake lowering: CIRCT folds some ops torch-mlir's canonicalizer leaves (an integer `x != x`,
    # from isnan on ints) into arith.constant, which only lower-cf-to-handshake can convert.
    "simplify-cf": (nested("func.func", [SIMPLE_CANONICALIZE]),),
    "extmem-to-hw": ("handshake-lower-extmem-to-hw",),
    "handshake-to-hw": ("lower-handshake-to-hw",),
    "esi-to-hw": ("lower-esi-ports", "lower-esi-to-physical", "lower-esi-to-hw"),
    "seq-to-sv": (nested("hw.module", ["lower-seq-hlmem"]), "lower-seq-to-sv"),
    "hw-to-sv": (nested("hw.module", ["lower-hw-to-sv"]),),
}


def to_handshake_passes(task_pipelining: bool) -> tuple[str, ...]:
    """The "cf-to-handshake" stage. CIRCT's task pipelining gives the outermost loop a loop network whose
    select passes an extra register (II = 2); without it that loop starts an iteration every cycle."""
    return (pass_spec("lower-cf-to-handshake", {"disable-task-pipelining": not task_pipelining}),)


def buffer_passes(strategy: str, size: int) -> tuple[str, ...]:
    """The "handshake-buffers" stage: the options decide where buffers go and how deep they are."""
    return (
        nested(
            "handshake.func",
            [
                SIMPLE_CANONICALIZE,
                "handshake-materialize-forks-sinks",
                pass_spec("handshake-insert-buffers", {"strategy": strategy, "buffer-size": size}),
            ],
        ),
    )


def run_pipeline(text: str, pipeline: str) -> str:
    """Parse `text` in a fresh CIRCT context, run `pipeline`, print the result."""
    context = circt_context()
    module = parse_in_circt(text, context)
    with context:
        passmanager.PassManager.parse(pipeline).run(module.operation)
        return print_module(module)


def pass_stage(name: str, passes: tuple[str, ...] | None = None) -> Stage:
    """A CIRCT pipeline stage (`passes` default: the table's); its native reproducer is our circt-opt stand-in."""
    pipeline = module_pipeline(passes if passes is not None else PASSES[name])
    return Stage(
        name,
        lambda text: run_pipeline(text, pipeline),
        lambda path: python_command("backend.rtl.circt_side.circt_opt", f"--pass-pipeline={pipeline}", path),
    )


def rewrite_stage(transform: Callable[..., object], **arguments: Any) -> Stage:
    """Our pass `transform(module, **arguments)` in CIRCT's MLIR as a stage named after it: parse, transform, verify, print."""

    def run(text: str) -> str:
        context = circt_context()
        module = parse_in_circt(text, context)
        with context:
            transform(module, **arguments)
            module.operation.verify()
            return print_module(module)

    return Stage(stage_name(transform), run)


# ExportVerilog's options. `disallowPackedStructAssignments`: a store port's packed {address, data}
# is built field by field (`assign s.address = a;`), not as the assignment pattern
# `'{address: a, data: d}`, which Icarus Verilog 11 rejects ("syntax error in continuous
# assignment"); the same bits, so the testbench (docs/interface.md) runs in both simulators.
# Not where a struct has a zero-width field (the address of a one-word memory): there CIRCT
# still assigns the absent field (`assign s.address = in0;`, neither declared), which no
# simulator accepts, so such a design keeps the pattern and runs under Verilator only.
LOWERING_OPTIONS = "disallowPackedStructAssignments"
_ZERO_WIDTH_FIELD = re.compile(r"!hw\.struct<[^>]*:\s*i0\b")


def export_verilog(text: str) -> str:
    """Emit SystemVerilog for a module already lowered to hw/sv.

    ExportVerilog comments each module with its op's location: the user's source
    path would make the .sv depend on where the model file lives. The module is
    parsed from its text without locations instead, so the comments are positions
    in that text (`// -:277:3`), the same wherever the model is.
    """
    context = circt_context()
    with context:
        located = parse_in_circt(text, context)
        module = parse_in_circt(located.operation.get_asm(enable_debug_info=False), context)
        if not _ZERO_WIDTH_FIELD.search(text):
            module.operation.attributes["circt.loweringOptions"] = circt.ir.StringAttr.get(LOWERING_OPTIONS)
        out = io.StringIO()
        circt.export_verilog(module, out)
        return out.getvalue()


def export_verilog_stage() -> Stage:
    return Stage(
        "export-verilog",
        export_verilog,
        lambda path: python_command("backend.rtl.circt_side.circt_opt", "--pass-pipeline=builtin.module()", "--emit-verilog", path),
    )
