"""Print the suite's case names, one per line (the BUILD file is generated from this).

    python -m e2e.list_cases [--rtl] [--json]

`--rtl` keeps only RTL candidates; `--json` prints name, rtl and xfail per case.
"""

from __future__ import annotations

import argparse
import json
import sys

from e2e.suite import CASES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rtl", action="store_true", help="only cases marked rtl=True")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    args = parser.parse_args(argv)
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
