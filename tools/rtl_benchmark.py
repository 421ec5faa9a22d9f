"""Benchmark every RTL model of the suite: cycles against an ideal bound, and where time goes.

    ./bazelw run //tools:rtl_benchmark [-- --models a,b] [--json OUT] [option flags, e.g. --buffer-size 1]

Per model: simulated cycles; the ideal bound, i.e. the innermost-loop iterations
of the lowered loop nest at one iteration per cycle (torch_circt/loops.py: what
a circuit that starts one loop-body iteration every cycle, without overlapping
loop nests, would need); their ratio; the port bound (the busiest memory port's
transfers: no schedule with these ports finishes sooner); the compile time of
every stage; the Verilator build time; and simulation speed in cycles per
second. Every result is also checked bit for bit, so a fast wrong circuit
cannot hide here. The numbers are our baseline for making circuits fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from common.atomic import atomic_write_text
from torch_circt.options import add_arguments, from_arguments


@dataclass(frozen=True)
class Row:
    model: str
    matched: bool
    cycles: int
    ideal: int
    port_bound: int
    import_seconds: float
    stage_seconds: dict[str, float]
    verilator_seconds: float
    simulation_seconds: float

    @property
    def ratio(self) -> float:
        return self.cycles / self.ideal if self.ideal else float("nan")

    @property
    def cycles_per_second(self) -> float:
        return self.cycles / self.simulation_seconds if self.simulation_seconds else float("nan")


def measure(name: str, options) -> Row:
    """Compile, build and simulate one suite case through the flow; time each part."""
    import torch_circt
    from e2e.suite import get_case
    from torch_circt.loops import loop_work
    from torch_circt.report import LOOPS_BEFORE

    case = get_case(name)
    module, inputs = case.build()
    design = torch_circt.compile(module, inputs, target="rtl", options=options, name=name)
    check = design.check()
    stage_seconds = {s.name: s.seconds for s in design.stages if s.group == "rtl"}
    import_seconds = sum(s.seconds for s in design.stages if s.group == "frontend")
    loops = loop_work(design.input_of(LOOPS_BEFORE))
    return Row(name, check.matched, check.simulation.cycles, loops.innermost_iterations, check.simulation.port_bound,
               import_seconds, stage_seconds, design.build_seconds, check.simulation.seconds)


def render(rows: list[Row]) -> str:
    head = (f"{'model':<22} {'ok':<3} {'cycles':>7} {'ideal':>6} {'ratio':>6} {'ports':>6} "
            f"{'import s':>8} {'rtl s':>6} {'slowest stage':<24} {'verilator s':>11} {'cycles/s':>10}")
    lines = [head, "-" * len(head)]
    for r in rows:
        slowest, seconds = max(r.stage_seconds.items(), key=lambda item: item[1])
        lines.append(
            f"{r.model:<22} {'yes' if r.matched else 'NO':<3} {r.cycles:>7} {r.ideal:>6} {r.ratio:>6.2f} "
            f"{r.port_bound:>6} {r.import_seconds:>8.2f} {sum(r.stage_seconds.values()):>6.2f} "
            f"{f'{slowest} {seconds:.2f}':<24} {r.verilator_seconds:>11.1f} {r.cycles_per_second:>10.0f}"
        )
    if rows:
        lines.append("\ncompile time per stage, mean over models (seconds):")
        stages = list(rows[0].stage_seconds)
        lines.extend(f"  {stage:<20} {sum(r.stage_seconds.get(stage, 0.0) for r in rows) / len(rows):.3f}"
                     for stage in stages)
        ratios = sorted(r.ratio for r in rows)
        lines.append(f"\n{len(rows)} models; median cycles/ideal ratio {ratios[len(ratios) // 2]:.2f}; "
                     f"{sum(not r.matched for r in rows)} mismatched")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from e2e.suite import CASES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", help="comma-separated case names (default: every RTL case)")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    add_arguments(parser)
    args = parser.parse_args(argv)
    options = from_arguments(args)
    names = args.models.split(",") if args.models else sorted(n for n, c in CASES.items() if c.rtl)
    rows = []
    for name in names:
        rows.append(measure(name, options))
        print(f"{name}: {rows[-1].cycles} cycles, verilator {rows[-1].verilator_seconds:.1f}s", file=sys.stderr)
    print(render(rows))
    if args.json:
        data = [asdict(r) | {"ratio": r.ratio, "cycles_per_second": r.cycles_per_second} for r in rows]
        atomic_write_text(args.json, json.dumps(data, indent=2) + "\n")
    return 0 if all(r.matched for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
