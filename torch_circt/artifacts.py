"""A design's files on disk, written whole or not at all.

    <model>.linalg.mlir   the linalg-on-tensors IR the backends consumed
    metadata.json, golden.npz
    <model>.sv, manifest.json, wave.vcd   (rtl; the waveform only when simulated with one)
    <model>_<param>.hex   (rtl: each parameter's words, one a line, for $readmemh)
    <model>_tb.sv, <model>_<tensor>.hex, <model>_<result>_expected.hex   (rtl: the self-checking testbench)
    <model>.<level>.mlir  the IR an rtl compile stopped at (emit="handshake" or "hw")
    <model>.netlist.v, yosys_stat.json, nextpnr_report.json, yosys.log, nextpnr.log   (rtl, synthesised)
    NN_<stage>.mlir       every stage's IR, in the order it ran (all_ir; cpu stages are
                          prefixed `cpu-` when both targets are saved together)
    report.json, report.md
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from common.atomic import atomic_write_text
from torch_circt.outdir import staged_dir

Writer = Callable[[Path], None]
# Not MLIR: the SystemVerilog, written as <model>.sv.
NOT_IR = ("export-verilog",)
# Emit levels whose last IR has no file of its own otherwise (linalg has <model>.linalg.mlir, sv the .sv).
STOPPED_LEVELS = ("handshake", "hw")


def stopped_ir_name(design) -> str | None:
    """`<model>.<level>.mlir` for an rtl design that stopped early, where its last IR is saved."""
    level = design.options.emit
    return f"{design.name}.{level}.mlir" if design.target == "rtl" and level in STOPPED_LEVELS else None


def _artifacts(designs: list, *, all_ir: bool) -> dict[str, Writer]:
    first = designs[0]
    files: dict[str, Writer] = {
        f"{first.name}.linalg.mlir": lambda p: atomic_write_text(p, first.linalg),
        "metadata.json": first.metadata.save,
        "golden.npz": first.golden.save,
    }
    rtl = next((d for d in designs if d.target == "rtl"), None)
    if rtl is not None and rtl.manifest is not None:
        from backend.testbench import parameter_files

        files["manifest.json"] = rtl.manifest.save
        for name, text in parameter_files(rtl.manifest).items():
            files[name] = lambda p, text=text: atomic_write_text(p, text)
    if rtl is not None and rtl.sv is not None:
        files[f"{first.name}.sv"] = lambda p: atomic_write_text(p, rtl.sv)
    if rtl is not None and rtl.sv is not None and rtl.manifest is not None and first.golden is not None:
        from backend.testbench import testbench_files

        bench = testbench_files(rtl.manifest, first.golden.inputs, first.golden.outputs)
        for name, text in bench.items():
            files[name] = lambda p, text=text: atomic_write_text(p, text)
    if rtl is not None and stopped_ir_name(rtl) is not None:
        files[stopped_ir_name(rtl)] = lambda p: atomic_write_text(p, rtl.stages[-1].text)
    if rtl is not None and rtl.synthesis is not None:
        from backend.synth import SYNTH_FILES

        for label, name in SYNTH_FILES.items():
            files[name.format(model=first.name)] = lambda p, f=rtl.synth_dir / label: shutil.copyfile(f, p)
    if rtl is not None and rtl.waveform is not None:
        files["wave.vcd"] = lambda p: shutil.copyfile(rtl.waveform, p)
    if all_ir:
        number = 0
        for design in designs:
            prefix = "cpu-" if design.target == "cpu" and len(designs) > 1 else ""
            for stage in design.stages:
                if stage.group == "frontend" and design is not first:
                    continue
                if stage.name not in NOT_IR:
                    files[f"{number:02d}_{'' if stage.group == 'frontend' else prefix}{stage.name}.mlir"] = (
                        lambda p, text=stage.text: atomic_write_text(p, text))
                number += 1
    return files


def artifact_names(designs: list, *, all_ir: bool) -> list[str]:
    return [*_artifacts(designs, all_ir=all_ir), "report.json", "report.md"]


def save_designs(designs: list, directory: Path, *, all_ir: bool = False, info=None) -> Path:
    """Write every artifact and the report into `directory`, replacing it whole."""
    from torch_circt.report import RunInfo, build_report, render_markdown

    info = info or RunInfo(all_ir=all_ir, output_dir=str(Path(directory).absolute()))
    with staged_dir(Path(directory)) as staging:
        for name, write in _artifacts(designs, all_ir=all_ir).items():
            write(staging / name)
        report = build_report(designs, info)
        atomic_write_text(staging / "report.json", json.dumps(report, indent=2, sort_keys=True) + "\n")
        atomic_write_text(staging / "report.md", render_markdown(report))
    return Path(directory).absolute()
