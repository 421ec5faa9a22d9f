"""The cycle-baseline guard: an RTL case's simulated cycles against e2e/cycles_baseline.json.

Simulated cycles are deterministic, so a case that grows beyond the baseline's
tolerance has regressed (the digits MLP once drifted 6.5 % unnoticed): its RTL
test fails until the baseline is regenerated in the same commit. A case that
shrinks beyond the tolerance passes with a note, so the baseline gets tightened.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

BASELINE = Path(__file__).with_name("cycles_baseline.json")
UPDATE_COMMAND = "./bazelw test //e2e/... --test_tag_filters=rtl; ./bazelw run //e2e:update_cycles_baseline"


@dataclass(frozen=True)
class Baseline:
    """Cycles per case, measured at a commit by a command; growth up to `tolerance` (a fraction) is noise-free slack."""

    measured_at: str
    command: str
    cycles: Mapping[str, int]
    tolerance: float = 0.02

    @classmethod
    def load(cls, path: Path = BASELINE) -> Baseline:
        record = json.loads(Path(path).read_text())
        baseline = cls(record["measured_at"], record["command"], dict(record["cycles"]), float(record["tolerance"]))
        bad = sorted(name for name, cycles in baseline.cycles.items() if not (isinstance(cycles, int) and cycles > 0))
        if bad or not 0 <= baseline.tolerance < 1:
            raise ValueError(f"{path}: cycles must be positive integers (not: {', '.join(bad) or 'none'}) and the "
                             f"tolerance a fraction in [0, 1) (is {baseline.tolerance}); regenerate it: {UPDATE_COMMAND}")
        return baseline

    def to_json(self) -> str:
        """The file's one shape (docs are rendered from it): cases sorted, so a regeneration diffs by case."""
        return json.dumps({"measured_at": self.measured_at, "command": self.command, "tolerance": self.tolerance,
                           "cycles": dict(sorted(self.cycles.items()))}, indent=2) + "\n"


@dataclass(frozen=True)
class Verdict:
    """Whether the cycles pass, and what to tell the reader (None: within tolerance, nothing to say)."""

    passed: bool
    note: str | None = None


def judge(case: str, cycles: int, baseline: Baseline) -> Verdict:
    """Compare one case's cycles with its baseline entry."""
    old = baseline.cycles.get(case)
    if old is None:
        return Verdict(False, f"cycles: {case} has no entry in e2e/cycles_baseline.json (it took {cycles} cycles); "
                              f"record it in the commit that adds the case: {UPDATE_COMMAND}")
    change = (cycles - old) / old
    if change > baseline.tolerance:
        return Verdict(False, f"cycle regression: {case} took {cycles} cycles, baseline {old} ({change:+.1%}, "
                              f"tolerance {baseline.tolerance:.1%}); if intended, regenerate the baseline in the same "
                              f"commit: {UPDATE_COMMAND}")
    if change < -baseline.tolerance:
        return Verdict(True, f"note: {case} took {cycles} cycles, baseline {old} ({change:+.1%}); tighten the "
                             f"baseline: {UPDATE_COMMAND}")
    return Verdict(True)


def guard(case: str, cycles: int, baseline: Baseline, passed: bool, summary: str) -> tuple[bool, str]:
    """An RTL test's (passed, summary) with the cycle verdict folded in; a regression of a correct run heads the summary."""
    verdict = judge(case, cycles, baseline)
    if verdict.note is None:
        return passed, summary
    if passed and not verdict.passed:
        return False, f"{verdict.note}\n{summary}"
    return passed and verdict.passed, f"{summary}\n{verdict.note}"
