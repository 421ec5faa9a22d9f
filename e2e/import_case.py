"""Import one suite case: linalg MLIR, metadata JSON and golden NPZ, all or none.

    python -m e2e.import_case --model NAME --mlir OUT.mlir --metadata OUT.json --golden OUT.npz

The flow's frontend (`torch_circt.compile(..., emit="linalg")`) does the work.
A user error (unsupported op, dynamic shape, a model that raises) prints its
message and exits 2; an internal error exits 3; no output file is left behind.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from common.errors import InternalCompilerError, UserError
from e2e.suite import UnknownCaseError, get_case


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--mlir", type=Path, required=True)
    parser.add_argument("--metadata", type=Path, required=True)
    parser.add_argument("--golden", type=Path, required=True)
    args = parser.parse_args(argv)

    import torch_circt

    start = time.perf_counter()
    try:
        case = get_case(args.model)
        module, inputs = case.build()
        design = torch_circt.compile(module, inputs, target="cpu", options=torch_circt.Options(emit="linalg"),
                                     name=case.name)
    except (UserError, UnknownCaseError) as error:
        print(error, file=sys.stderr)
        return 2
    except InternalCompilerError as error:
        print(error, file=sys.stderr)
        return 3
    _write_all(args, design.linalg, design.metadata, design.golden)
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
