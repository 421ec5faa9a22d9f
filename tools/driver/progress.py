"""Terminal progress: one line per stage on stderr, as it finishes, with its time.

The flow reports each stage through `on_stage` as it finishes; steps outside
the flow (loading the model, the Verilator build, the simulation) are timed here.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import TextIO

from common.stages import StageResult


@dataclass(frozen=True)
class StageTime:
    """One finished step: which part of the flow ("frontend", "rtl", ...) and how long."""

    group: str
    name: str
    seconds: float


@dataclass
class Progress:
    """Collects every stage time (the report reads `times`) and prints them unless quiet."""

    quiet: bool = False
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    times: list[StageTime] = field(default_factory=list)

    def record(self, group: str, name: str, seconds: float) -> None:
        self.times.append(StageTime(group, name, seconds))
        self.say(f"  {group:<8} {name:<24} {seconds:8.3f} s")

    def say(self, line: str) -> None:
        if not self.quiet:
            print(line, file=self.stream, flush=True)

    def warn(self, line: str) -> None:
        """Printed even when quiet: something the user should act on before waiting."""
        print(line, file=self.stream, flush=True)

    def stage(self, result: StageResult) -> None:
        """The flow's `on_stage` callback: a line per stage, the moment it finishes."""
        self.record(result.group, result.name, result.seconds)

    def timed(self, group: str, name: str) -> _Timer:
        return _Timer(self, group, name)



class _Timer:
    """`with progress.timed("sim", "verilate"):` records the block's wall time on success."""

    def __init__(self, progress: Progress, group: str, name: str) -> None:
        self._progress, self._group, self._name = progress, group, name

    def __enter__(self) -> _Timer:
        self.seconds = 0.0
        self._start = time.perf_counter()
        return self

    def __exit__(self, kind, *_) -> None:
        self.seconds = time.perf_counter() - self._start
        if kind is None:
            self._progress.record(self._group, self._name, self.seconds)
