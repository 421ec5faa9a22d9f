"""How an e2e test reports its verdict, including declared expected failures."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from common.compare import compare
from common.records import Golden, ModelMetadata
from e2e.suite import Case


def compare_with_golden(
    metadata: ModelMetadata, golden: Golden, outputs: Sequence[np.ndarray], case: Case, timing: str, *, exact: bool = False
) -> tuple[bool, str]:
    """(passed, summary) for one backend's outputs, in the wording every e2e test prints."""
    problems = compare(metadata, golden, outputs, case.tolerance)
    if problems:
        return False, f"{len(problems)} of {len(outputs)} results mismatch {timing}\n" + "\n".join(problems)
    return True, f"{len(outputs)} results match{' bit for bit' if exact else ''} {timing}"


def report_verdict(backend: str, case: Case, passed: bool, summary: str) -> int:
    """Print one verdict line (then any detail lines); return the test's exit code.

    A case declaring `xfail={backend: reason}` inverts the verdict: failing is
    expected (exit 0, XFAIL), passing is an error (exit 1, XPASS).
    """
    head, _, rest = summary.partition("\n")
    reason = case.expected_failure(backend)
    if reason is None:
        print(f"{'PASS' if passed else 'FAIL'} {backend} {case.name}: {head}")
        if rest:
            print(rest)
        return 0 if passed else 1
    if passed:
        print(f"XPASS {backend} {case.name}: passed but is declared xfail ({reason}); remove the xfail")
        return 1
    print(f"XFAIL {backend} {case.name}: failed as expected ({reason}): {head}")
    return 0
