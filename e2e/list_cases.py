"""Print the suite's case names, one per line (the BUILD file is generated from this).

    python -m e2e.list_cases [--rtl] [--json | --bzl]

`--rtl` keeps only RTL candidates; `--json` prints name, rtl and xfail per case;
`--bzl` prints e2e/cases.bzl, the suite as Bazel sees it (suite.py is the one
source of truth: regenerate with `./bazelw run //e2e:list_cases -- --bzl > e2e/cases.bzl`).
"""

from __future__ import annotations

import argparse
import json
import sys

from e2e.suite import CASES


def render_bzl() -> str:
    """Every case with its backends and the backends where it is declared to fail."""
    lines = ['"""Generated from e2e/suite.py by `python -m e2e.list_cases --bzl`; do not edit."""', "", "CASES = {"]
    for name in sorted(CASES):
        case = CASES[name]
        backends = ", ".join(f'"{b}"' for b in case.backends)
        xfail = ", ".join(f'"{b}"' for b in sorted(case.xfail))
        lines.append(f'    "{name}": {{"backends": [{backends}], "xfail": [{xfail}]}},')
    return "\n".join([*lines, "}", ""])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rtl", action="store_true", help="only cases marked rtl=True")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--bzl", action="store_true", help="print e2e/cases.bzl")
    args = parser.parse_args(argv)
    if args.bzl:
        sys.stdout.write(render_bzl())
        return 0
    for name in sorted(CASES):
        case = CASES[name]
        if args.rtl and not case.rtl:
            continue
        if args.json:
            print(json.dumps({"name": name, "rtl": case.rtl, "xfail": dict(case.xfail)}, sort_keys=True))
        else:
            print(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
