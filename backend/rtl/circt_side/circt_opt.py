"""A minimal `circt-opt` stand-in over pycde's pass manager, for stage reproducers.

Usage: python -m backend.rtl.circt_side.circt_opt --pass-pipeline='builtin.module(...)' in.mlir [--emit-verilog]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from backend.rtl.circt_side import export_verilog, run_pipeline


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pass-pipeline", required=True)
    parser.add_argument("--emit-verilog", action="store_true", help="export SystemVerilog after the passes")
    parser.add_argument("input", type=Path)
    args = parser.parse_args(argv)
    text = run_pipeline(args.input.read_text(), args.pass_pipeline)
    sys.stdout.write(export_verilog(text) if args.emit_verilog else text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
