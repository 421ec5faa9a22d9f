"""Synthesis backend: SystemVerilog -> an FPGA netlist (Yosys) -> placed and routed (nextpnr): area and Fmax.

The tools are the YoWASP WebAssembly builds from PyPI, pinned by the lock and
run in processes of their own (`yowasp`). Each step reads and writes named
files in one work directory; `torch_circt.flow` orders them.
"""

from backend.synth import nextpnr, yosys
from backend.synth.netlist import cell_models, unmodelled_cells
from backend.synth.nextpnr import DEVICES, does_not_fit, nextpnr_step, parse_report, timing_failure
from backend.synth.steps import SynthStep, run_step
from backend.synth.summary import Synthesis, summarize
from backend.synth.yosys import NETLIST_VERILOG, SOURCE, cell_counts, yosys_step

# What a saved design keeps of the work directory: file there -> name in the output directory.
SYNTH_FILES = {
    yosys.NETLIST_VERILOG: "{model}.netlist.v",
    yosys.STAT: yosys.STAT,
    yosys.LOG: yosys.LOG,
    nextpnr.REPORT: nextpnr.REPORT,
    nextpnr.LOG: nextpnr.LOG,
}

__all__ = [
    "DEVICES",
    "NETLIST_VERILOG",
    "SOURCE",
    "SYNTH_FILES",
    "SynthStep",
    "Synthesis",
    "cell_counts",
    "cell_models",
    "does_not_fit",
    "nextpnr_step",
    "parse_report",
    "run_step",
    "summarize",
    "timing_failure",
    "unmodelled_cells",
    "yosys_step",
]
