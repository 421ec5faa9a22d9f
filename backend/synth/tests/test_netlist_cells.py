"""Which cells of a netlist the netlist check can simulate: a blackbox nobody models is named, not simulated as zeros."""

from __future__ import annotations

from pathlib import Path

from backend.synth import cell_models, unmodelled_cells

NETLIST = """module top(input a, output y);
  LUT4 #(.INIT(16'h8000)) _1_ (.A(a), .B(a), .C(a), .D(a), .Z(y));
  MULT18X18D #(.REG_INPUTA_CLK("NONE")) \\m.0 (.A0(a));
  DP16KD #(.DATA_WIDTH_A(32'd36)) \\mem.0.0 (.CLKA(a));
  BLACKBOXED_NOT_USED x ();
  wire w;
endmodule
"""


def test_a_blackbox_without_a_model_is_named(tmp_path: Path) -> None:
    vendor = tmp_path / "cells_sim.v"
    vendor.write_text("module LUT4(input A); endmodule\n(* blackbox *)\nmodule MULT18X18D(input A0); endmodule\n"
                      "(* blackbox *) module DP16KD(input CLKA); endmodule\n(* blackbox *) module UNUSED(); endmodule\n")
    ours = tmp_path / "MULT18X18D.v"
    ours.write_text("module MULT18X18D(input A0); endmodule\n")
    assert unmodelled_cells(NETLIST, [vendor, ours]) == ["DP16KD"]
    assert unmodelled_cells(NETLIST, [vendor]) == ["DP16KD", "MULT18X18D"]


def test_the_shipped_libraries_model_every_cell_but_block_ram() -> None:
    """With the installed Yosys and our cells/: LUTs, flip-flops, carries and the multiplier simulate."""
    netlist = NETLIST.replace("  BLACKBOXED_NOT_USED x ();\n", "") + "  TRELLIS_FF f (.CLK(a));\n  CCU2C c (.A0(a));\n"
    models = cell_models("ecp5")
    assert set(unmodelled_cells(netlist, models)) <= {"DP16KD"}
