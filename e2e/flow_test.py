"""One case through the whole flow in one test, for a case that declares an expected failure.

    python -m e2e.flow_test --model NAME --backend rtl|cpu [option flags]

A declared failure may happen at any stage (import, compile, Verilator, simulation,
comparison), so such a case does not get the per-stage Bazel actions, whose
build would fail: this test runs `torch_circt.compile` and `check()` and prints
XFAIL with the stage that failed (or XPASS, which fails the test).
"""

from __future__ import annotations

import argparse
import sys

from common.errors import TorchCirctError
from e2e.check import report_verdict
from e2e.suite import get_case
from torch_circt.options import add_arguments, from_arguments


def run(case, backend: str, options) -> tuple[bool, str]:
    import torch_circt

    try:
        module, inputs = case.build()
        check = torch_circt.compile(module, inputs, target=backend, options=options, name=case.name).check()
    except TorchCirctError as error:
        return False, f"failed at stage '{error.stage}': {str(error).splitlines()[0]}\n{error}"
    return check.matched, str(check)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--backend", choices=("cpu", "rtl"), required=True)
    add_arguments(parser)
    args = parser.parse_args(argv)
    case = get_case(args.model)
    options = from_arguments(args, tolerance=case.tolerance) if case.tolerance else from_arguments(args)
    passed, summary = run(case, args.backend, options)
    return report_verdict(args.backend, case, passed, summary)


if __name__ == "__main__":
    sys.exit(main())
