"""Compile latency of a trivial model, old revision against this checkout, in one run.

    ./bazelw run //tools:latency_benchmark [-- --old REV] [--processes N] [--rounds R]

`relu(x) * 3` on an int32[2, 4] input is compiled R times in each of N fresh
processes per configuration: on the CPU path (compile + check against PyTorch)
and to SystemVerilog (`Options(emit="sv")`, no simulation), each target in its
own processes. "Warm" is the second compile of each process, "later" the ones
after it, "first" the one that pays the imports (medians over the processes). The old configuration
is revision REV (issue 23's main by default), exported with `git archive` into
a temporary folder that is deleted afterwards; the new one is this checkout's
files as they are. The closing lines are old -> new with their ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

OLD_REVISION = "76ff0bb"  # main as issue 23 measured it
TARGETS = ("cpu", "sv")


@dataclass(frozen=True)
class Timings:
    """Seconds per compile, grouped by process."""

    runs: tuple[tuple[float, ...], ...]

    @property
    def first(self) -> float:
        return statistics.median(run[0] for run in self.runs)

    @property
    def warm(self) -> float:
        return statistics.median(run[1] for run in self.runs)

    @property
    def later(self) -> float:
        return statistics.median(t for run in self.runs for t in run[2:])


def probe(target: str, rounds: int) -> list[float]:
    """Runs in the measured process, on whichever tree PYTHONPATH names."""
    import torch

    import torch_circt

    class Relu3(torch.nn.Module):
        def forward(self, x):
            return torch.relu(x) * 3

    x = torch.randint(-100, 100, (2, 4), dtype=torch.int32)
    seconds = []
    for _ in range(rounds):
        start = time.perf_counter()
        if target == "cpu":
            check = torch_circt.compile(Relu3(), (x,), target="cpu").check()
            if not check.matched:
                raise SystemExit(f"the CPU result does not match PyTorch: {check}")
        else:
            design = torch_circt.compile(Relu3(), (x,), target="rtl", options=torch_circt.Options(emit="sv"))
            if not design.sv:
                raise SystemExit("no SystemVerilog")
        seconds.append(time.perf_counter() - start)
    return seconds


def measure(tree: Path, target: str, processes: int, rounds: int) -> Timings:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    runs = []
    for _ in range(processes):
        done = subprocess.run([sys.executable, __file__, "--probe", target, "--rounds", str(rounds)], cwd=tree, env=env,
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"{target} in {tree} failed:\n{done.stderr[-2000:]}")
        runs.append(tuple(json.loads(done.stdout.strip().splitlines()[-1])))
    return Timings(tuple(runs))


def export_revision(checkout: Path, revision: str, into: Path) -> None:
    archive = subprocess.run(["git", "-C", str(checkout), "archive", revision], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)


def render(old: dict[str, Timings], new: dict[str, Timings], revision: str) -> str:
    labels = {"cpu": "cpu: compile + check", "sv": "sv: compile to SystemVerilog"}
    lines = [f"relu(x) * 3, int32[2, 4]; old = {revision}, new = this checkout", "",
             f"{'':<38} {'old s':>7} {'new s':>7} {'old/new':>8}"]
    for when in ("warm", "later", "first"):
        for target in TARGETS:
            before, after = getattr(old[target], when), getattr(new[target], when)
            lines.append(f"{f'{labels[target]} ({when})':<38} {before:>7.2f} {after:>7.2f} {before / after:>7.1f}x")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", default=OLD_REVISION, help=f"git revision of the old configuration (default {OLD_REVISION})")
    parser.add_argument("--processes", type=int, default=2, help="fresh processes per target and configuration")
    parser.add_argument("--rounds", type=int, default=4, help="compiles per process (the first pays the imports)")
    parser.add_argument("--probe", choices=TARGETS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rounds < 3:
        parser.error("--rounds must be at least 3: the first, the second (warm) and later compiles")
    if args.probe:
        print(json.dumps(probe(args.probe, args.rounds)))
        return 0
    checkout = Path(os.environ.get("BUILD_WORKSPACE_DIRECTORY") or Path(__file__).resolve().parents[1])
    with tempfile.TemporaryDirectory(prefix="latency-old-") as folder:
        export_revision(checkout, args.old, Path(folder))
        old = {t: measure(Path(folder), t, args.processes, args.rounds) for t in TARGETS}
    new = {t: measure(checkout, t, args.processes, args.rounds) for t in TARGETS}
    print(render(old, new, args.old))
    return 0


if __name__ == "__main__":
    sys.exit(main())
