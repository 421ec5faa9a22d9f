"""Rerun one CPU-backend stage on a file, as a stage failure's reproducer prints it.

    python -m backend.cpu.opt --pass-pipeline='builtin.module(...)' input.mlir

The `torch-mlir-opt` binary in the wheel lacks the upstream passes this backend
uses (bufferization, LLVM lowering); the Python pass manager has them all.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from backend.cpu._pipeline import run_pipeline


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pass-pipeline", required=True)
    parser.add_argument("input", type=Path)
    parser.add_argument("-o", "--output", type=Path)
    args = parser.parse_args(argv)
    try:
        result = run_pipeline(args.input.read_text(), args.pass_pipeline)
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    if args.output:
        args.output.write_text(result)
    else:
        sys.stdout.write(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
