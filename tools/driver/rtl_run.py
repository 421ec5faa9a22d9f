"""The RTL leg of the job: compile to SystemVerilog, measure it, build the simulator, simulate.

The Verilator build and the simulator live in a scratch folder of the staging
directory (the extension is tied to this Python and this machine, so it is not
an artifact worth shipping); the SV, the manifest and, with --waveform, the VCD
are written to the output directory.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from common.atomic import atomic_write_text
from common.records import Golden
from tools.driver import ir_files
from tools.driver.hw_estimate import HwEstimate, estimate
from tools.driver.loops import LoopWork, loop_work
from tools.driver.progress import Progress

# The linalg-on-memrefs IR is the input of this stage; the hw/comb/seq IR is this stage's output.
LOOPS_BEFORE = "lower-to-cf"
HW_LEVEL = "esi-to-hw"


@dataclass(frozen=True)
class RtlOutcome:
    sv_file: str
    top: str
    outputs: tuple[np.ndarray, ...]
    cycles: int
    loops: LoopWork | None
    hardware: HwEstimate | None
    compile_seconds: float
    verilator_seconds: float
    simulation_seconds: float
    waveform: str | None

    @property
    def ideal_cycles(self) -> int | None:
        return self.loops.innermost_iterations if self.loops else None

    @property
    def ratio(self) -> float | None:
        return self.cycles / self.ideal_cycles if self.ideal_cycles else None


def run_rtl(imported, golden: Golden, options, folder: Path, out: Path, progress: Progress) -> RtlOutcome:
    from backend.rtl import compile_to_rtl
    from backend.sim import build_extension, load_simulator

    name = imported.metadata.name
    begin = time.perf_counter()
    design = compile_to_rtl(imported.mlir, imported.metadata, dump_dir=folder, log=progress.live_log("rtl"))
    compile_seconds = time.perf_counter() - begin
    sv = out / f"{name}.sv"
    atomic_write_text(sv, design.sv)
    design.manifest.save(out / "manifest.json")
    with progress.timed("analyse", "loops+hw-estimate"):
        loops = _maybe(loop_work, ir_files.stage_text(folder, LOOPS_BEFORE, offset=-1), progress)
        hw_text = ir_files.stage_text(folder, HW_LEVEL)
        hardware = _maybe(lambda text: estimate(text, design.manifest), hw_text, progress)
    build = folder.parent / "sim"
    build.mkdir(parents=True, exist_ok=True)
    with progress.timed("sim", "verilator-build") as timer:
        build_extension(sv, design.manifest, build / f"{name}_sim.so", trace=options.waveform)
    verilator_seconds = timer.seconds
    simulator = load_simulator(build / f"{name}_sim.so", design.manifest)
    vcd = out / "wave.vcd" if options.waveform else None
    begin = time.perf_counter()
    result = simulator.run(golden.inputs, cycle_limit=options.cycle_limit, vcd=vcd)
    simulation_seconds = time.perf_counter() - begin
    progress.record("sim", f"simulate ({result.cycles} cycles)", simulation_seconds)
    return RtlOutcome(
        sv.name, design.manifest.top, result.outputs, result.cycles, loops, hardware,
        compile_seconds, verilator_seconds, simulation_seconds, vcd.name if vcd else None,
    )


def _maybe(analyse, text: str | None, progress: Progress):
    """Analyses are informative only: a failure costs a line of the report, never the job."""
    if text is None:
        return None
    try:
        return analyse(text)
    except Exception as error:  # noqa: BLE001 - deliberately non-fatal
        progress.say(f"note: analysis skipped ({type(error).__name__}: {error})")
        return None
