"""The simulator build action: SystemVerilog + manifest -> a pybind11 extension, with the flow's SimOptions.

    python -m e2e.build_sim --sv X.sv --manifest X.json --runtime runtime.a --out X_sim.so [option flags]

The runtime archive is the Bazel target //backend/sim:runtime, built once for
every design (see backend/sim/runtime.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from backend.rtl.manifest import PortManifest
from backend.sim import build_extension
from torch_circt.options import add_arguments, from_arguments


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flag in ("--sv", "--manifest", "--runtime", "--out"):
        parser.add_argument(flag, type=Path, required=True)
    add_arguments(parser)
    args = parser.parse_args(argv)
    sim = from_arguments(args).sim
    build_extension(args.sv, PortManifest.load(args.manifest), args.out, trace=sim.waveform,
                    opt_level=sim.verilator_opt, jobs=sim.verilator_jobs, runtime=args.runtime)
    return 0


if __name__ == "__main__":
    sys.exit(main())
