"""The RTL compile stage as a command: linalg MLIR + metadata -> SystemVerilog + port manifest.

    python -m backend.rtl.compile_rtl --mlir M.mlir --metadata M.json --sv OUT.sv \\
        --manifest OUT.json [--dump-ir DIR]

Both outputs are written whole or not at all. A user error (e.g. a float model)
prints its message and exits 2; an internal error prints its reproducer and exits 3.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from backend.rtl import compile_to_rtl
from common.atomic import atomic_write_text
from common.errors import InternalCompilerError, UserError
from common.records import ModelMetadata


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flag in ("--mlir", "--metadata", "--sv", "--manifest"):
        parser.add_argument(flag, type=Path, required=True)
    parser.add_argument("--dump-ir", type=Path, help="write every stage's IR here")
    args = parser.parse_args(argv)
    try:
        design = compile_to_rtl(args.mlir.read_text(), ModelMetadata.load(args.metadata), dump_dir=args.dump_ir)
    except UserError as error:
        print(error, file=sys.stderr)
        return 2
    except InternalCompilerError as error:
        print(error, file=sys.stderr)
        return 3
    atomic_write_text(args.manifest, design.manifest.to_json())
    atomic_write_text(args.sv, design.sv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
