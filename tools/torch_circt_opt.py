"""torch-circt-opt: run one stage of the flow on an MLIR file and print the result, for lit pass tests.

    torch-circt-opt --stage split-memory-hazards input.mlir | filecheck input.mlir

The stages are the flow's own (`torch_circt.flow.stage_named`), optional ones
included; option flags (`--no-task-pipelining`, `--buffer-size 2`) parameterise
them as they do a compile. `--args`/`--results` give the model's tensor counts
that the memory-interfaces stage needs, `--name` the model's name that name-hardware gives the top.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from common.errors import TorchCirctError
from common.ir_print import strip_locations
from common.records import ModelMetadata, TensorSpec
from torch_circt import flow
from torch_circt.options import add_arguments, from_arguments


def _tensors(prefix: str, count: int) -> tuple[TensorSpec, ...]:
    return tuple(TensorSpec(f"{prefix}{i}", (), "int32") for i in range(count))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="torch-circt-opt", description=__doc__.splitlines()[0])
    parser.add_argument("--stage", required=True, help="the flow's name of the stage to run")
    parser.add_argument("--args", type=int, default=1, metavar="N", help="the model's tensor arguments (default: 1)")
    parser.add_argument("--results", type=int, default=1, metavar="N", help="the model's results (default: 1)")
    parser.add_argument("--name", default="torch-circt-opt", help="the model's name (default: torch-circt-opt)")
    parser.add_argument("--print-debuginfo", action="store_true", help="keep the ops' locations (as mlir-opt's flag)")
    parser.add_argument("input", nargs="?", type=Path, help="MLIR file (default: standard input)")
    add_arguments(parser)
    args = parser.parse_args(argv)
    metadata = ModelMetadata(args.name, _tensors("arg", args.args), _tensors("result", args.results))
    text = args.input.read_text() if args.input else sys.stdin.read()
    try:
        stage = flow.stage_named(args.stage, metadata, from_arguments(args).rtl)
        result = stage.run(text)
        sys.stdout.write(result if args.print_debuginfo else strip_locations(result))
    except (TorchCirctError, ValueError, RuntimeError) as error:
        print(f"torch-circt-opt: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
