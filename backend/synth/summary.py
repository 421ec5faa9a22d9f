"""What synthesis found, read back from the work directory: area on the part and the clock reached.

Area comes from nextpnr (after packing and placement, what the part really
holds); Yosys's cell counts stay beside it, because they show what a number is
made of (a CCU2C carry cell is two LUT4s, for instance).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from backend.synth import nextpnr
from backend.synth.yosys import read_cell_counts


@dataclass(frozen=True)
class Synthesis:
    """One design on one part. `luts` are LUT4s (logic and carry), `brams` 18 kbit EBR blocks,
    `lutrams` LUT-based RAM write ports; `available` is what the part has of each."""

    device: str
    speed: int
    luts: int
    ffs: int
    dsps: int
    brams: int
    lutrams: int
    available: dict[str, int]
    fmax_mhz: float
    clock_mhz: float | None
    yosys_cells: dict[str, int]

    def latency_us(self, cycles: int) -> float:
        """Wall time of `cycles` at Fmax: cycles / MHz = microseconds."""
        return cycles / self.fmax_mhz

    def to_json(self) -> dict:
        return asdict(self)


def summarize(workdir: Path, top: str, device: str, speed: int, clock_mhz: float | None) -> Synthesis:
    placed = nextpnr.read_report(workdir)
    if len(placed.fmax_mhz) != 1:
        raise ValueError(f"expected one clock domain in nextpnr's report, found {sorted(placed.fmax_mhz)}")
    available = {name: placed.utilisation[bel].available for name, bel in _BELS.items() if bel in placed.utilisation}
    return Synthesis(
        device=device, speed=speed,
        luts=placed.used(nextpnr.LUT), ffs=placed.used(nextpnr.FF),
        dsps=placed.used(nextpnr.DSP) + placed.used(nextpnr.ALU),
        brams=placed.used(nextpnr.BRAM), lutrams=placed.used(nextpnr.LUTRAM), available=available,
        fmax_mhz=next(iter(placed.fmax_mhz.values())), clock_mhz=clock_mhz,
        yosys_cells=read_cell_counts(workdir, top),
    )


_BELS = {"luts": nextpnr.LUT, "ffs": nextpnr.FF, "dsps": nextpnr.DSP, "brams": nextpnr.BRAM, "lutrams": nextpnr.LUTRAM}
