"""Import one suite case: linalg MLIR, metadata JSON and golden NPZ, all or none.

    python -m e2e.import_case --model NAME --mlir OUT.mlir --metadata OUT.json \\
        --golden OUT.npz [--dump-ir DIR]

A user error (unsupported op, dynamic shape, a model that raises) prints its
message and exits 2; no output file is left behind.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from common.errors import UserError
from e2e.suite import UnknownCaseError, get_case


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--mlir", type=Path, required=True)
    parser.add_argument("--metadata", type=Path, required=True)
    parser.add_argument("--golden", type=Path, required=True)
    parser.add_argument("--dump-ir", type=Path)
    args = parser.parse_args(argv)

    from frontend.torch import import_module, make_golden

    start = time.perf_counter()
    try:
        case = get_case(args.model)
        module, inputs = case.build()
        imported = import_module(module, inputs, name=case.name, dump_dir=args.dump_ir)
        golden = make_golden(module, inputs, name=case.name)
    except (UserError, UnknownCaseError) as error:
        print(error, file=sys.stderr)
        return 2
    _write_all(args, imported.mlir, imported.metadata, golden)
    print(f"imported {case.name} in {time.perf_counter() - start:.2f}s")
    return 0


def _write_all(args: argparse.Namespace, mlir, metadata, golden) -> None:
    """Each file is written atomically; if a later one fails, the earlier ones are removed."""
    from common.atomic import atomic_write_text

    written: list[Path] = []
    try:
        for path, write in (
            (args.mlir, lambda p: atomic_write_text(p, mlir)),
            (args.metadata, metadata.save),
            (args.golden, golden.save),
        ):
            write(path)
            written.append(path)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


if __name__ == "__main__":
    sys.exit(main())
