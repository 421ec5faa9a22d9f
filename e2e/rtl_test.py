"""Run one imported case on its RTL simulator and compare with the golden record, bit for bit.

    python -m e2e.rtl_test --model NAME --mlir P --metadata P --golden P \\
        --manifest P --simulator P.so [--baseline P] [--vcd] [option flags, e.g. --cycle-limit N]

Writes `cycles.json` (and `wave.vcd` with --vcd) to $TEST_UNDECLARED_OUTPUTS_DIR
when Bazel sets it, so every run leaves its cycle count beside the test log.
The cycles are also held against e2e/cycles_baseline.json (e2e/cycles_guard.py):
growth beyond its tolerance fails the test.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from common.atomic import atomic_write_text
from common.errors import TorchCirctError
from common.records import Golden, ModelMetadata
from e2e.check import compare_with_golden, report_verdict
from e2e.cycles_guard import BASELINE, Baseline, guard
from e2e.suite import get_case
from torch_circt.options import add_arguments, from_arguments

BACKEND = "rtl"


def run(args: argparse.Namespace, outputs_dir: Path | None) -> tuple[bool, str]:
    from backend.rtl import PortManifest
    from backend.sim import load_simulator

    case = get_case(args.model)
    metadata = ModelMetadata.load(args.metadata)
    golden = Golden.load(args.golden)
    simulator = load_simulator(args.simulator, PortManifest.load(args.manifest))
    vcd = outputs_dir / "wave.vcd" if (args.vcd and outputs_dir) else None
    start = time.perf_counter()
    try:
        result = simulator.run(golden.inputs, cycle_limit=from_arguments(args).sim.cycle_limit, vcd=vcd)
    except TorchCirctError as error:
        return False, f"simulation failed: {str(error).splitlines()[0]}\n{error}"
    seconds = time.perf_counter() - start
    if outputs_dir is not None:
        record = {"model": args.model, "cycles": result.cycles, "simulation_seconds": seconds}
        atomic_write_text(outputs_dir / "cycles.json", json.dumps(record, indent=2) + "\n")
    timing = f"({result.cycles} cycles, {seconds:.3f}s)"
    passed, summary = compare_with_golden(metadata, golden, result.outputs, case, timing, exact=True)
    return guard(args.model, result.cycles, Baseline.load(args.baseline), passed, summary)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flag in ("--mlir", "--metadata", "--golden", "--manifest", "--simulator"):
        parser.add_argument(flag, type=Path, required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--baseline", type=Path, default=BASELINE, help="the cycles to hold this run to")
    parser.add_argument("--vcd", action="store_true", help="write a waveform to the test outputs")
    add_arguments(parser)
    args = parser.parse_args(argv)
    outputs = os.environ.get("TEST_UNDECLARED_OUTPUTS_DIR")
    passed, summary = run(args, Path(outputs) if outputs else None)
    return report_verdict(BACKEND, get_case(args.model), passed, summary)


if __name__ == "__main__":
    sys.exit(main())
