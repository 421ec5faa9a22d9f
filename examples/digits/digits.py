"""`./bazelw run //examples/digits`: float -> int8 -> hardware on scikit-learn's digits, measured.

For each network (the CNN, then the MLP) it prints float accuracy, the integer model's
accuracy, the simulated hardware's accuracy, how many test images the hardware matched the
integer model on bit for bit, and cycles per inference; one `digits: ...` line per network,
the MLP's last. With `--synth ecp5` each network's area, Fmax and latency per inference follow
its line. The report of each design (with the quantization error per layer) goes to
`--out` (default ./torch-circt-out/digits/<network>/report.md).

`--brevitas BITS` instead trains the MLP with Brevitas (BITS-bit weights and activations, quantization in
the loop), imports it with `torch_circt.from_brevitas`, and prints `digits: brevitas A%, int B%, rtl C%, ...`;
with `--synth ecp5` also the LUT4/FF of that design beside the int8 (post-training) MLP's.
"""

from __future__ import annotations

import argparse
import sys

from examples.digits.data import digits_split
from examples.digits.networks import NETWORKS
from examples.digits.run import evaluate
from tools.driver.model_file import resolve
from torch_circt.options import add_arguments, from_arguments

# Thousands of simulated inferences repay a slower, optimised simulator build.
VERILATOR_OPT = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=f"{__doc__.splitlines()[0]} Here --verilator-opt defaults to {VERILATOR_OPT}, not automatic.")
    parser.add_argument("--images", type=int, default=None, help="simulate only the first N test images (default: all)")
    parser.add_argument("--networks", default=None,
                        help="comma-separated, from: " + ", ".join(NETWORKS) + " (default: cnn,mlp; none with --brevitas)")
    parser.add_argument("--brevitas", type=int, default=None, metavar="BITS",
                        help="train the MLP with Brevitas at BITS-bit weights and activations (2..8), import it, simulate it")
    parser.add_argument("--seed", type=int, default=0, help="seed of the split and the training")
    parser.add_argument("-o", "--out", default="torch-circt-out/digits", help="where the designs' reports go")
    add_arguments(parser)
    parser.set_defaults(verilator_opt=VERILATOR_OPT)
    args = parser.parse_args(argv)
    if args.brevitas is not None and not 2 <= args.brevitas <= 8:
        parser.error(f"--brevitas takes a bit width in 2..8, not {args.brevitas}")
    networks = [n for n in (args.networks or ("" if args.brevitas else "cnn,mlp")).split(",") if n]
    unknown = [n for n in networks if n not in NETWORKS]
    if unknown:
        parser.error(f"unknown network {', '.join(unknown)}; choose from {', '.join(NETWORKS)}")
    split = digits_split(args.seed)
    print(f"digits: {len(split.train_labels)} training images (also the calibration data), {len(split.test_labels)} test images")
    options = from_arguments(args)
    for network in networks:
        outcome = evaluate(network, split, images=args.images, seed=args.seed, out_dir=resolve(args.out), options=options)
        print(f"{network}:\n{outcome.line}\n{outcome.stream_line}", flush=True)
        if outcome.hardware:
            print(outcome.hardware, flush=True)
    if args.brevitas is not None:
        from examples.digits.qat import compare_area, evaluate_brevitas

        imported = evaluate_brevitas(args.brevitas, split, images=args.images, seed=args.seed, out_dir=resolve(args.out),
                                     options=options)
        print(f"brevitas{args.brevitas} (import {'bit-exact' if imported.exact else 'within 1 LSB per requantisation'} "
              f"against Brevitas):\n{imported.outcome.line}\n{imported.outcome.stream_line}", flush=True)
        if options.synth.family is not None:
            print(compare_area(imported.design, split, seed=args.seed, options=options), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
