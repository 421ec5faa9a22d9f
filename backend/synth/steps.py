"""A synthesis step: one YoWASP tool run on named files of a work directory, files in, files out.

The flow (`torch_circt.flow.synth_steps`) lists the steps in order; `run_step`
runs one and turns a failure into an error that names the step and shows the
end of the tool's log. A step may recognise a failure that is the design's, not
ours (it does not fit the part), and say what to do instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from common.errors import InternalCompilerError, TorchCirctError

LOG_TAIL_LINES = 20


@dataclass(frozen=True)
class SynthStep:
    """`tool` (see backend.synth.yowasp.TOOLS) run with `args` in the work directory.

    `inputs` must exist before, `outputs` after; the tool writes its messages to `log`.
    `diagnose` reads a failed run's log and returns the user's error, or None for an internal one.
    """

    name: str
    tool: str
    args: list[str]
    log: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    diagnose: Callable[[str], TorchCirctError | None] | None = None

    def command(self) -> str:
        """What reruns the step by hand, in the work directory."""
        return " ".join(["python -m backend.synth.yowasp", self.tool, *(_quote(a) for a in self.args)])


def run_step(step: SynthStep, workdir: Path) -> None:
    missing = [name for name in step.inputs if not (workdir / name).is_file()]
    if missing:
        raise ValueError(f"synthesis step '{step.name}' needs {', '.join(missing)} in {workdir}")
    status = run_tool(step.tool, step.args, workdir, workdir / step.log)
    log = (workdir / step.log).read_text(errors="replace")
    if status == 0 and all((workdir / name).is_file() for name in step.outputs):
        return
    known = step.diagnose(log) if step.diagnose is not None else None
    if known is not None:
        raise known
    raise InternalCompilerError(
        message=f"{step.tool} failed (exit {status}) on the design's SystemVerilog",
        stage=step.name,
        details=[*log.strip().splitlines()[-LOG_TAIL_LINES:], f"work directory: {workdir}",
                 f"rerun there with: {step.command()}"],
        hint="please file an issue with the work directory; its log has the whole run",
    )


def _quote(arg: str) -> str:
    import shlex

    return shlex.quote(arg)


def run_tool(tool: str, args: list[str], cwd: Path, log: Path) -> int:
    """Run `tool` (see backend.synth.yowasp.TOOLS) with `args` in `cwd` through our launcher,
    its stdout and stderr into `log`; its exit status."""
    with log.open("w") as out:
        return subprocess.run([sys.executable, "-m", "backend.synth.yowasp", tool, *args], cwd=cwd,
                              stdout=out, stderr=subprocess.STDOUT, env=_env()).returncode


def _env() -> dict[str, str]:
    """This checkout importable from the tool's process (cwd is the work directory), and a
    writable cache for the compiled WebAssembly (a Bazel sandbox may not let it write ~/.cache)."""
    root = str(Path(__file__).absolute().parents[2])  # not resolved: under Bazel, the runfiles tree
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    if "YOWASP_CACHE_DIR" not in env and not _writable(_default_cache()):
        env["YOWASP_CACHE_DIR"] = str(Path(tempfile.gettempdir()) / f"yowasp-cache-{os.getuid()}")
    return env


def _default_cache() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("YoWASP", appauthor=False))  # yowasp-runtime's own default


def _writable(path: Path) -> bool:
    existing = next(p for p in (path, *path.parents) if p.exists())
    return os.access(existing, os.W_OK)
