"""Rewrite e2e/cycles_baseline.json from the cycles the RTL tests of the last `bazel test` recorded.

    ./bazelw test //e2e/... --test_tag_filters=rtl
    ./bazelw run //e2e:update_cycles_baseline        # then commit the baseline with the change that moved it

Every RTL case that simulates writes cycles.json into its test outputs; this reads
them from bazel-testlogs/e2e/<case>_rtl/test.outputs/outputs.zip of the workspace
(`bazel run` sets $BUILD_WORKSPACE_DIRECTORY), records `git rev-parse HEAD` as the
commit measured at, and prints every case whose cycles changed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Mapping
from pathlib import Path

from common.atomic import atomic_write_text
from e2e.cycles_guard import UPDATE_COMMAND, Baseline
from e2e.suite import CASES


def simulated_cases() -> list[str]:
    """RTL cases whose test simulates: a declared RTL failure runs the whole-flow test instead, which has no cycles."""
    return sorted(name for name, case in CASES.items() if case.rtl and case.expected_failure("rtl") is None)


def read_cycles(testlogs: Path, case: str) -> int | None:
    """The cycles of `case`'s last RTL test run, or None when it left no cycles.json."""
    outputs = testlogs / "e2e" / f"{case}_rtl" / "test.outputs" / "outputs.zip"
    if not outputs.is_file():
        return None
    with zipfile.ZipFile(outputs) as archive:
        if "cycles.json" not in archive.namelist():
            return None
        return int(json.loads(archive.read("cycles.json"))["cycles"])


def measure(testlogs: Path, cases: list[str]) -> dict[str, int]:
    """Cycles of every case; all or nothing, so a baseline never silently loses a case."""
    cycles = {case: read_cycles(testlogs, case) for case in cases}
    missing = [case for case, count in cycles.items() if count is None]
    if missing:
        raise SystemExit(f"error: no cycles.json under {testlogs} for {len(missing)} RTL case(s): {', '.join(missing)}; "
                         "run `./bazelw test //e2e/... --test_tag_filters=rtl` first")
    return cycles


def changes(old: Mapping[str, int], new: Mapping[str, int]) -> list[str]:
    """One line per case added, removed or with different cycles."""
    lines = []
    for case in sorted(old.keys() | new.keys()):
        before, after = old.get(case), new.get(case)
        if before == after:
            continue
        if before is None or after is None:
            lines.append(f"{case}: {'new' if before is None else before} -> {'removed' if after is None else after}")
        else:
            lines.append(f"{case}: {before} -> {after} ({(after - before) / before:+.1%})")
    return lines


def git_head(workspace: Path) -> str:
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=workspace, capture_output=True, text=True,
                          check=True).stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    workspace = os.environ.get("BUILD_WORKSPACE_DIRECTORY")
    parser.add_argument("--workspace", type=Path, default=Path(workspace) if workspace else None,
                        help="the checkout whose bazel-testlogs to read (default: $BUILD_WORKSPACE_DIRECTORY)")
    args = parser.parse_args(argv)
    if args.workspace is None:
        parser.error("no workspace: run `./bazelw run //e2e:update_cycles_baseline` or pass --workspace")
    path = args.workspace / "e2e" / "cycles_baseline.json"
    old = Baseline.load(path) if path.exists() else None
    baseline = Baseline(git_head(args.workspace), UPDATE_COMMAND, measure(args.workspace / "bazel-testlogs", simulated_cases()))
    if old is not None:
        baseline = dataclasses.replace(baseline, tolerance=old.tolerance)
    atomic_write_text(path, baseline.to_json())
    lines = changes(old.cycles if old else {}, baseline.cycles)
    print("\n".join(lines + [f"{path}: {len(baseline.cycles)} cases, {len(lines)} changed, measured at {baseline.measured_at}"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
