"""Terminal progress: one line per stage on stderr, as it finishes, with its time.

`common.stages.run_stages` records each stage's time in `StageLog.seconds`
right after the stage ends; a `StageLog` whose `seconds` mapping reports on
assignment gives us a live line per stage without touching the runner.
(A proper `on_stage` callback in `run_stages` would be cleaner; see the report.)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from common.stages import StageLog


@dataclass(frozen=True)
class StageTime:
    """One finished step: which part of the flow ("frontend", "rtl", ...) and how long."""

    group: str
    name: str
    seconds: float


class _ReportingDict(dict):
    def __init__(self, on_set: Callable[[str, float], None]) -> None:
        super().__init__()
        self._on_set = on_set

    def __setitem__(self, key: str, value: float) -> None:
        super().__setitem__(key, value)
        self._on_set(key, value)


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

    def live_log(self, group: str) -> StageLog:
        """A StageLog that prints each stage of `group` the moment run_stages records it."""
        return StageLog(seconds=_ReportingDict(lambda name, s: self.record(group, name, s)))

    def replay(self, group: str, log: StageLog) -> None:
        """Print the stages of a log filled by code that made its own StageLog."""
        for name, seconds in log.seconds.items():
            self.record(group, name, seconds)

    def timed(self, group: str, name: str) -> _Timer:
        return _Timer(self, group, name)

    def total(self, group: str) -> float:
        return sum(t.seconds for t in self.times if t.group == group)


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
