"""Run one imported case on the CPU backend and compare with its golden record.

    python -m e2e.cpu_test --model NAME --mlir P --metadata P --golden P

Prints one line and exits 0 when the outputs match (or when a case declared
`xfail={"cpu": reason}` fails, as expected), 1 otherwise. Stage IR goes to
`$TEST_UNDECLARED_OUTPUTS_DIR/ir` when Bazel sets that variable.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from common.errors import TorchCirctError
from common.records import Golden, ModelMetadata
from e2e.check import compare_with_golden, report_verdict
from e2e.suite import get_case

BACKEND = "cpu"


def run(model: str, mlir: Path, metadata_path: Path, golden_path: Path, dump_dir: Path | None) -> tuple[bool, str]:
    """(passed, one-line summary); a compile error counts as a failure, not a crash."""
    import torch_circt

    case = get_case(model)
    metadata = ModelMetadata.load(metadata_path)
    golden = Golden.load(golden_path)
    options = torch_circt.Options(tolerance=case.tolerance or torch_circt.Tolerance(), dump_dir=dump_dir)
    start = time.perf_counter()
    try:
        design = torch_circt.from_linalg(mlir.read_text(), metadata, golden, BACKEND, options)
        compiled = time.perf_counter()
        check = design.check()
    except TorchCirctError as error:
        return False, f"compile or run failed: {str(error).splitlines()[0]}\n{error}"
    timing = f"(compile {compiled - start:.2f}s, run {check.simulation.seconds:.3f}s)"
    return compare_with_golden(metadata, golden, check.simulation.outputs, case, timing)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--mlir", type=Path, required=True)
    parser.add_argument("--metadata", type=Path, required=True)
    parser.add_argument("--golden", type=Path, required=True)
    args = parser.parse_args(argv)

    outputs_dir = os.environ.get("TEST_UNDECLARED_OUTPUTS_DIR")
    dump_dir = Path(outputs_dir) / "ir" if outputs_dir else None
    if dump_dir is not None:
        dump_dir.mkdir(parents=True, exist_ok=True)
    passed, summary = run(args.model, args.mlir, args.metadata, args.golden, dump_dir)
    return report_verdict(BACKEND, get_case(args.model), passed, summary)

if __name__ == "__main__":
    sys.exit(main())
