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
`python -m backend.rtl.circt_opt`, a tiny driver over the same pass manager.
"""

from __future__ import annotations

import io
import sys

import pycde.circt as circt
from pycde.circt import passmanager

from common.pipeline_text import module_pipeline, nested, pass_spec
from backend.rtl.transport import circt_context, parse_in_circt
from common.stages import Stage

SIMPLE_CANONICALIZE = pass_spec("canonicalize", {"region-simplify": "disabled", "top-down": "true"})

# (stage name, passes): handshake-lower-extmem-to-hw ends the first group because
# the port manifest is read from the handshake signature right after it.
TO_HANDSHAKE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("flatten-memref", ("flatten-memref", "flatten-memref-calls")),
    ("legalize-memrefs", (nested("func.func", ["handshake-legalize-memrefs"]),)),
    ("cf-to-handshake", ("lower-cf-to-handshake",)),
    ("extmem-to-hw", ("handshake-lower-extmem-to-hw",)),
)
TO_SV: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "handshake-buffers",
        (
            nested(
                "handshake.func",
                [
                    SIMPLE_CANONICALIZE,
                    "handshake-materialize-forks-sinks",
                    pass_spec("handshake-insert-buffers", {"strategy": "cycles"}),
                ],
            ),
        ),
    ),
    ("handshake-to-hw", ("lower-handshake-to-hw",)),
    ("esi-to-hw", ("lower-esi-ports", "lower-esi-to-physical", "lower-esi-to-hw")),
    ("seq-to-sv", (nested("hw.module", ["lower-seq-hlmem"]), "lower-seq-to-sv")),
    ("hw-to-sv", (nested("hw.module", ["lower-hw-to-sv"]),)),
)


def _reproduce(pipeline: str):
    return lambda path: f"{sys.executable} -m backend.rtl.circt_opt --pass-pipeline='{pipeline}' {path}"


def run_pipeline(text: str, pipeline: str) -> str:
    """Parse `text` in a fresh CIRCT context, run `pipeline`, print the result."""
    context = circt_context()
    module = parse_in_circt(text, context)
    with context:
        passmanager.PassManager.parse(pipeline).run(module.operation)
        return str(module)


def _stage(name: str, passes: tuple[str, ...]) -> Stage:
    pipeline = module_pipeline(passes)
    return Stage(name, lambda text: run_pipeline(text, pipeline), _reproduce(pipeline))


def export_verilog(text: str) -> str:
    """Emit SystemVerilog for a module already lowered to hw/sv."""
    context = circt_context()
    module = parse_in_circt(text, context)
    with context:
        out = io.StringIO()
        circt.export_verilog(module, out)
        return out.getvalue()


def to_handshake_stages() -> tuple[Stage, ...]:
    return tuple(_stage(name, passes) for name, passes in TO_HANDSHAKE)


def to_sv_stages() -> tuple[Stage, ...]:
    stages = tuple(_stage(name, passes) for name, passes in TO_SV)
    export = Stage(
        "export-verilog",
        export_verilog,
        lambda path: f"{sys.executable} -m backend.rtl.circt_opt --pass-pipeline='builtin.module()' --emit-verilog {path}",
    )
    return (*stages, export)
