"""Lint a generated design with Verilator: the cheap check every design gets.

    python -m backend.sim.lint DESIGN.sv
"""

import subprocess
import sys
from pathlib import Path

VERILATOR = Path(sys.executable).with_name("verilator-cli")


def main() -> int:
    design = sys.argv[1]
    result = subprocess.run([str(VERILATOR), "--lint-only", "-Wno-fatal", "-Wno-DECLFILENAME", design])
    print(f"verilator --lint-only {design}: {'clean' if result.returncode == 0 else 'FAILED'}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
