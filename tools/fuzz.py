"""Differential fuzzing: random integer PyTorch programs through every backend, bit for bit against eager.

    ./bazelw run //tools:fuzz -- --count 100 --seed 7
    ./bazelw run //tools:fuzz -- --seed 7 --start 42 --count 1     # program 42 of that campaign again

Programs are reproducible from (seed, index). A mismatch or crash is shrunk to a
small program, its first differing op is named with its line, and it is saved
as a ready-to-run model file (`./bazelw run //:compile -- <file> --backend both`).
The last line reads `fuzz: N programs, M mismatches, K refused`; the refusals
(clear unsupported errors) are counted by stage and op above it.

Exit codes: 0 no mismatch and no crash; 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys

from tools.driver.model_file import resolve
from tools.fuzzer.campaign import CampaignOptions, run_campaign
from tools.fuzzer.generate import FAMILIES, GeneratorOptions


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    defaults, generator = CampaignOptions(), GeneratorOptions()
    parser = argparse.ArgumentParser(prog="fuzz", description=(__doc__ or "").split("\n\n")[0],
                                     epilog="\n\n".join((__doc__ or "").split("\n\n")[1:]),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=defaults.count, help="programs to run")
    parser.add_argument("--seed", type=int, default=defaults.seed, help="the campaign's seed")
    parser.add_argument("--start", type=int, default=defaults.start, help="index of the first program")
    parser.add_argument("--backend", choices=("cpu", "rtl", "both"), default="both")
    parser.add_argument("--max-ops", type=int, default=generator.max_nodes, help="ops per program at most")
    parser.add_argument("--ops", default=",".join(generator.families),
                        help=f"op families to draw from, comma-separated: {', '.join(FAMILIES)}")
    parser.add_argument("--rtl-batch", type=int, default=defaults.rtl_batch,
                        help="programs simulated side by side in one circuit (a failing batch is split)")
    parser.add_argument("--shrink-budget", type=int, default=defaults.shrink_budget,
                        help="compiles spent shrinking one failure at most")
    parser.add_argument("--jobs", type=int, default=defaults.jobs, help="worker processes")
    parser.add_argument("-o", "--output-dir", default="fuzz-out",
                        help="where failing programs are saved (default: ./fuzz-out in your working directory)")
    return parser.parse_args(argv)


def campaign_options(args: argparse.Namespace) -> CampaignOptions:
    """The options the flags describe; ValueError names a bad one."""
    generator = GeneratorOptions(max_nodes=args.max_ops, families=tuple(f for f in args.ops.split(",") if f))
    backends = ("cpu", "rtl") if args.backend == "both" else (args.backend,)
    return CampaignOptions(count=args.count, seed=args.seed, start=args.start, backends=backends,
                           rtl_batch=max(1, args.rtl_batch), shrink_budget=args.shrink_budget,
                           jobs=max(1, args.jobs), generator=generator)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        options = campaign_options(args)
    except ValueError as error:
        print(f"fuzz: {error}", file=sys.stderr)
        return 2
    summary = run_campaign(options, resolve(args.output_dir), log=lambda line: print(line, flush=True))
    for line in summary.lines():
        print(line)
    return 0 if summary.clean else 1


if __name__ == "__main__":
    sys.exit(main())
