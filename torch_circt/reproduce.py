"""Rerun one saved stage: `python -m torch_circt.reproduce FOLDER [-o OUT]`.

FOLDER is what a failing stage saved (see `common.reproducers`): `input.mlir`
and `stage.json`. The stage is rebuilt by the flow exactly as it ran and run in
this process, so a native crash reproduces as a crash (run it under gdb if you like).
Exit 0 with the stage's output on stdout (or in OUT); 1 when the stage fails.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from common.records import ModelMetadata
from torch_circt.options import RtlOptions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a reproducer folder (input.mlir + stage.json)")
    parser.add_argument("-o", "--output", type=Path, help="write the stage's output here instead of stdout")
    args = parser.parse_args(argv)

    from torch_circt import flow

    record = json.loads((args.folder / "stage.json").read_text())
    metadata = ModelMetadata.from_json(json.dumps(record["metadata"])) if record["metadata"] else None
    stages = flow.stages_of(record["group"], metadata, RtlOptions(**record["options"]))
    chosen = [s for s in stages if s.name == record["stage"]]
    if not chosen:
        print(f"reproduce: stage '{record['stage']}' cannot be rerun from a file", file=sys.stderr)
        return 1
    try:
        result = chosen[0].run((args.folder / "input.mlir").read_text())
    except Exception as error:  # noqa: BLE001 - the reproducer's job is to show the failure
        print(f"reproduce: stage '{record['stage']}' failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    if args.output:
        args.output.write_text(result)
    else:
        sys.stdout.write(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
