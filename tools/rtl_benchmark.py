"""Benchmark every RTL model of the suite: cycles against an ideal bound, and where time goes.

    ./bazelw run //tools:rtl_benchmark [-- --models a,b] [--json OUT]

Per model: simulated cycles; the ideal bound, i.e. the innermost-loop iterations
of the lowered loop nest at one iteration per cycle (tools/driver/loops.py: what
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
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from common.atomic import atomic_write_text
from common.compare import compare
from common.stages import StageLog
from tools.driver import ir_files
from tools.driver.loops import loop_work


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


def measure(name: str, scratch: Path) -> Row:
    """Import, compile, build and simulate one suite case; time each part."""
    from backend.rtl import compile_to_rtl
    from backend.sim import build_extension, load_simulator
    from e2e.suite import get_case
    from frontend.torch import import_module, make_golden

    case = get_case(name)
    module, inputs = case.build()
    start = time.perf_counter()
    imported = import_module(module, inputs, name=name)
    golden = make_golden(module, inputs, name=name)
    import_seconds = time.perf_counter() - start
    log, dumps = StageLog(), scratch / "ir"
    design = compile_to_rtl(imported.mlir, imported.metadata, dump_dir=dumps, log=log)
    loops = loop_work(ir_files.stage_text(dumps, "lower-to-cf", offset=-1) or "")
    sv = scratch / f"{name}.sv"
    atomic_write_text(sv, design.sv)
    start = time.perf_counter()
    build_extension(sv, design.manifest, scratch / f"{name}_bench.so")
    verilator_seconds = time.perf_counter() - start
    simulator = load_simulator(scratch / f"{name}_bench.so", design.manifest)
    start = time.perf_counter()
    result = simulator.run(golden.inputs)
    simulation_seconds = time.perf_counter() - start
    matched = not compare(imported.metadata, golden, result.outputs, case.tolerance)
    return Row(name, matched, result.cycles, loops.innermost_iterations, result.port_bound, import_seconds,
               dict(log.seconds), verilator_seconds, simulation_seconds)


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
    args = parser.parse_args(argv)
    names = args.models.split(",") if args.models else sorted(n for n, c in CASES.items() if c.rtl)
    rows = []
    for name in names:
        with tempfile.TemporaryDirectory(prefix=f"torch-circt-bench-{name}-") as tmp:
            rows.append(measure(name, Path(tmp)))
        print(f"{name}: {rows[-1].cycles} cycles, verilator {rows[-1].verilator_seconds:.1f}s", file=sys.stderr)
    print(render(rows))
    if args.json:
        data = [asdict(r) | {"ratio": r.ratio, "cycles_per_second": r.cycles_per_second} for r in rows]
        atomic_write_text(args.json, json.dumps(data, indent=2) + "\n")
    return 0 if all(r.matched for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
