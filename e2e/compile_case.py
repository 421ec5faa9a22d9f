"""The RTL compile action: linalg MLIR + metadata -> SystemVerilog + port manifest, through the flow.

    python -m e2e.compile_case --mlir M.mlir --metadata M.json --sv OUT.sv --manifest OUT.json [option flags]

Option flags are torch_circt's (`--buffer-size`, ...). Both outputs are written
whole or not at all. A user error exits 2; an internal error prints its
reproducer and exits 3.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from common.atomic import atomic_write_text
from common.errors import InternalCompilerError, UserError
from common.records import ModelMetadata
from torch_circt.options import add_arguments, from_arguments


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flag in ("--mlir", "--metadata", "--sv", "--manifest"):
        parser.add_argument(flag, type=Path, required=True)
    add_arguments(parser)
    args = parser.parse_args(argv)

    import torch_circt

    try:
        design = torch_circt.from_linalg(args.mlir.read_text(), ModelMetadata.load(args.metadata), None, "rtl",
                                         from_arguments(args))
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
