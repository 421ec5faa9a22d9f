"""Which cells of a netlist the netlist check can simulate: a blackbox nobody models is named, not simulated as zeros;
and our block RAM model, simulated alone."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from backend.sim.toolchain import VERILATOR
from backend.sim.toolchain import run as run_tool
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


def test_the_shipped_libraries_model_every_cell() -> None:
    """With the installed Yosys and our cells/: LUTs, flip-flops, carries, the multiplier and the block RAM
    simulate, ours listed first (the simulator keeps a module's first declaration, not cells_sim.v's blackbox)."""
    netlist = NETLIST.replace("  BLACKBOXED_NOT_USED x ();\n", "") + "  TRELLIS_FF f (.CLK(a));\n  CCU2C c (.A0(a));\n"
    models = cell_models("ecp5")
    assert unmodelled_cells(netlist, models) == []
    assert [path.name for path in models] == ["MULT18X18D.v", "DP16KD.v", "cells_sim.v"]


def _ports(port: str, pins: dict[str, str]) -> str:
    """The connections of one DP16KD port: `pins` maps a bus (DI, AD, DO) or pin name to its signal."""
    bits = {"DI": 18, "AD": 14, "DO": 18}
    text = [f".{bus}{port}{i}({pins[bus]}[{i}])" for bus, width in bits.items() for i in range(width)]
    text += [f".{pin}{port}({pins[pin]})" for pin in ("CE", "OCE", "CLK", "WE", "RST")]
    text += [f".CS{port}{i}(1'b0)" for i in range(3)]
    return ", ".join(text)


# Port A 4 bits wide (data bits 8 and 17 of each 18-bit word skipped), write-through; port B 18 bits.
# Word 0 is 18'h2a5b6 (4-bit elements 6, b, 2, 5), word 16 (INITVAL_01's first) 18'h003ff.
BLOCK_RAM_TB = """module tb;
  reg clk = 0, ce = 1, rst = 0, we = 0; reg [13:0] ada = 0, adb = 0; reg [17:0] dia = 0;
  wire [17:0] doa, dob; wire [17:0] zero = 0;
  DP16KD #(.DATA_WIDTH_A(4), .DATA_WIDTH_B(18), .RESETMODE("SYNC"), .WRITEMODE_A("WRITETHROUGH")PARAMS,
           .INITVAL_00(320'h2a5b6), .INITVAL_01(320'h003ff))
    ram (PORTS);
  task tick; begin #1 clk = 1; #1 clk = 0; end endtask
  integer k;
  initial begin
    $display("start %h %h", doa, dob);
    for (k = 0; k < 4; k = k + 1) begin ada = k << 2; tick; $display("nibble %0d %h", k, doa[3:0]); end
    adb = 14'd16 << 4; tick; $display("word16 %h", dob);
    ce = 0; ada = 0; tick; $display("held %h", doa[3:0]);
    ce = 1; we = 1; ada = 3 << 2; dia = 18'h9; tick; $display("writethrough %h", doa[3:0]);
    we = 0; adb = 0; tick; $display("word0 %h", dob);
    rst = 1; tick; $display("reset %h", doa);
    $finish;
  end
endmodule
"""


def _block_ram_tb(params: str = "") -> str:
    ports = _ports("A", {"DI": "dia", "AD": "ada", "DO": "doa", "CE": "ce", "OCE": "1'b1", "CLK": "clk", "WE": "we",
                         "RST": "rst"})
    ports += ", " + _ports("B", {"DI": "zero", "AD": "adb", "DO": "dob", "CE": "1'b1", "OCE": "1'b1", "CLK": "clk",
                                 "WE": "1'b0", "RST": "1'b0"})
    return BLOCK_RAM_TB.replace("PARAMS", params).replace("PORTS", ports)


def _block_ram_model() -> Path:
    return next(path for path in cell_models("ecp5") if path.name == "DP16KD.v")


def test_the_block_ram_model_reads_its_init_writes_and_resets(tmp_path: Path) -> None:
    """Our DP16KD, simulated alone: INITVAL contents through a 4-bit and an 18-bit port, the clock enable,
    a write-through write, the synchronous reset."""
    (tmp_path / "tb.sv").write_text(_block_ram_tb())
    # toolchain.run puts the toolchain's `python` on PATH for Verilator's makefiles (Bazel's sandbox has none)
    run_tool([str(VERILATOR), "--binary", "-Wno-fatal", "-Wno-lint", "-Wno-style", "-Werror-USERFATAL",
              "--top-module", "tb", "tb.sv", str(_block_ram_model()), "-MAKEFLAGS", "CFG_CXXFLAGS_PCH_I=-include"],
             tmp_path, "building the block RAM model's testbench")
    run = subprocess.run([str(tmp_path / "obj_dir" / "Vtb")], cwd=tmp_path, check=True, capture_output=True, text=True)
    lines = [line for line in run.stdout.splitlines() if not line.startswith("-")]
    assert lines == ["start 00000 00000", "nibble 0 6", "nibble 1 b", "nibble 2 2", "nibble 3 5", "word16 003ff",
                     "held 5", "writethrough 9", "word0 325b6", "reset 00000"]


@pytest.mark.parametrize(("params", "named"), [
    (', .REGMODE_B("OUTREG")', "REGMODE_B=OUTREG"),
    (', .CSDECODE_A("0b101")', "CSDECODE_A=0b101"),
    (', .INIT_DATA("DYNAMIC")', "INIT_DATA=DYNAMIC"),
])
def test_the_block_ram_model_refuses_what_it_does_not_model(tmp_path: Path, params: str, named: str) -> None:
    (tmp_path / "tb.sv").write_text(_block_ram_tb(params))
    lint = subprocess.run([str(VERILATOR), "--lint-only", "-Wno-fatal", "-Wno-lint", "-Wno-style", "-Werror-USERFATAL",
                           "--top-module", "tb", "tb.sv", str(_block_ram_model())],
                          cwd=tmp_path, capture_output=True, text=True)
    assert lint.returncode != 0
    assert f"DP16KD model: {named} is not modelled" in lint.stderr
