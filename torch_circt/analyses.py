"""What the RTL worker reads off its own stages' IR, returned with the SystemVerilog and kept on the `Design`.

The port manifest (from `extmem-to-hw`), the loop work (from the input of
`lower-to-affine`, see `loops`) and the hardware estimate (from the last hw stage)
are computed once, in the worker, inside crash isolation: the report, the
simulator's cycle limit and the benchmark read them and rerun no pass.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from backend.rtl import PortManifest, StreamPort
from backend.rtl.attributes import FOLDS_ATTR, OUTPUTS_ATTR, read_factors
from backend.rtl.circt_side.internal_parameters import rom_module_name
from backend.rtl.circt_side.ports import read_manifest
from backend.rtl.names import tensor_prefixes
from common.records import ModelMetadata
from torch_circt.flow import LEVEL_ENDS
from torch_circt.hw_estimate import HwEstimate, estimate
from torch_circt.loops import LoopWork, loop_work

# The stage whose output the port manifest is read from, and the one that may take the parameters' ports away.
MANIFEST_STAGE = "join-extmem-ports"
PARAMETERS_STAGE = "internal-parameters"
STREAM_STAGE = "stream-interface"
FOLDS_STAGE = "fold-reductions"
OUTPUTS_STAGE = "unroll-outputs"
# The loop nest is read from the input of this stage (linalg on memrefs); the hardware estimate from this one.
LOOPS_BEFORE = "lower-to-affine"
HW_LEVELS = LEVEL_ENDS["hw"]  # the first that ran


@dataclass(frozen=True)
class RtlAnalysis:
    manifest: PortManifest  # its loop_bound is the loops' innermost iterations
    loops: LoopWork | None  # None where the bounds are not constant
    hardware: HwEstimate | None  # None below the hw level, or where the count failed (informative only)
    folds: tuple[int, ...] = ()  # the fold of each reduction loop nest, in program order
    outputs_side_by_side: tuple[int, ...] = ()  # of each loop around a reduction that can take them, in program order


def analyse(inputs: Mapping[str, str], outputs: Mapping[str, str], metadata: ModelMetadata) -> RtlAnalysis:
    """`inputs`/`outputs`: each stage's IR by stage name."""
    try:
        loops = loop_work(inputs[LOOPS_BEFORE])
    except ValueError:
        loops = None
    manifest = read_manifest(outputs[MANIFEST_STAGE], metadata)
    manifest = dataclasses.replace(manifest, loop_bound=loops.innermost_iterations if loops else None)
    if PARAMETERS_STAGE in outputs:
        manifest = parameters_inside(manifest)
    if STREAM_STAGE in outputs:
        manifest = streams_outside(manifest)
    return RtlAnalysis(manifest, loops, _hardware(outputs, manifest), read_factors(outputs.get(FOLDS_STAGE, ""), FOLDS_ATTR),
                       read_factors(outputs.get(OUTPUTS_STAGE, ""), OUTPUTS_ATTR))


def parameters_inside(manifest: PortManifest) -> PortManifest:
    """The manifest once `internal-parameters` has answered every read-only parameter inside the circuit:
    those memories keep their name, shape and `init` (the ROM's words), name their ROM and have no ports to drive."""
    memories = tuple(
        dataclasses.replace(m, loads=(), rom=rom_module_name(manifest.top, m.loads[0].name.removesuffix("_ld0")))
        if m.role == "param" and m.loads and not m.stores else m for m in manifest.memories)
    return dataclasses.replace(manifest, memories=memories)


def streams_outside(manifest: PortManifest) -> PortManifest:
    """The manifest of a stream top (`stream-interface`): every argument and result is one AXI4-Stream port,
    named after its tensor as the stage names it, and its memory ports are inside; start and done too."""
    prefixes = tensor_prefixes([m.name for m in manifest.memories])
    memories = tuple(
        m if m.role == "param" else dataclasses.replace(m, loads=(), stores=(), stream=StreamPort(
            f"{prefix}_tdata", f"{prefix}_tvalid", f"{prefix}_tready", f"{prefix}_tlast", m.element_width,
            "in" if m.role == "arg" else "out"))
        for m, prefix in zip(manifest.memories, prefixes, strict=True))
    return dataclasses.replace(manifest, memories=memories, interface="stream")


def _hardware(outputs: Mapping[str, str], manifest: PortManifest) -> HwEstimate | None:
    level = next((name for name in HW_LEVELS if name in outputs), None)
    if level is None:
        return None
    try:
        return estimate(outputs[level], manifest)
    except Exception:  # noqa: BLE001 - an estimate is informative only: it costs a line of the report, never the job
        return None
