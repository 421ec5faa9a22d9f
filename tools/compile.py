"""torch-circt's main job: compile a PyTorch model to SystemVerilog, simulate it, check it against PyTorch.

    ./bazelw run //:compile                                   # the bundled int32 MLP example
    ./bazelw run //:compile -- model.py[:factory] [options]   # your model
    ./bazelw run //:compile -- program.pt2 [options]          # a saved torch.export program

A model file defines a factory (default `model`, or the name after the colon)
returning `(nn.Module, example_inputs_tuple)`; if it takes a `seed` parameter it
gets --seed. A .pt2 program uses its saved example inputs, else seeded random
inputs of its signature's shapes and dtypes (ints in [-8, 8)).

Exit codes:
  0  compiled, and every result matched PyTorch (bit for bit for integers)
  1  compiled, but some result mismatched (the output directory is written)
  2  unsupported model: unsupported op, float model on the rtl backend, dynamic
     shape, missing/bad model file, factory that raises
  3  internal error: a stage failed on input it should accept (a bug; the message
     points at a saved reproducer)
  4  simulation timeout: no result within --cycle-limit cycles
  130  interrupted (Ctrl-C / SIGTERM); no output directory is left behind
On exit codes 2-4 and 130 no output directory is written or changed. A bad
command line (argparse) also exits 2.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import traceback

EXIT_MATCHED, EXIT_MISMATCH, EXIT_USER, EXIT_INTERNAL, EXIT_TIMEOUT, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    doc = __doc__ or ""
    parser = argparse.ArgumentParser(
        prog="compile", description=doc[:doc.index("Exit codes:")].rstrip(),
        epilog=doc[doc.index("Exit codes:"):], formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("model", nargs="?", help="model.py[:factory] or program.pt2 (default: the bundled example)")
    parser.add_argument("-o", "--output-dir", help="default: ./torch-circt-out/<model> in your working directory")
    parser.add_argument("--backend", choices=("rtl", "cpu", "both"), default="rtl",
                        help="rtl: SystemVerilog + Verilator; cpu: MLIR JIT; both (default: rtl)")
    parser.add_argument("--dump-ir", action="store_true",
                        help="keep the MLIR of every stage (always kept: linalg input and the .sv)")
    parser.add_argument("--cycle-limit", type=int, default=1_000_000, metavar="N",
                        help="simulation gives up after N cycles (exit 4); default 1000000")
    parser.add_argument("--waveform", action=argparse.BooleanOptionalAction, default=False,
                        help="write wave.vcd (a traced, slower simulator build); default: off")
    parser.add_argument("--seed", type=int, help="seed for .pt2 random inputs and factories taking `seed`")
    parser.add_argument("--quiet", action="store_true", help="print only the final summary")
    parser.add_argument("--json", action="store_true", help="print report.json on stdout, nothing else")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks for errors")
    return parser.parse_args(argv)


def _raise_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt  # SIGTERM cleans up like Ctrl-C does


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("torch-circt: interrupted; no output directory was written", file=sys.stderr)
        return EXIT_INTERRUPTED


def _run(args: argparse.Namespace) -> int:
    from common.errors import TorchCirctError, UserError

    try:
        from backend.sim import SimulationTimeoutError
        from tools.driver.job import Options, run_job
        from tools.driver.progress import Progress
        from tools.driver.report import render_summary

        progress = Progress(quiet=args.quiet)
        options = Options(args.model, args.output_dir, args.backend, args.dump_ir, args.cycle_limit,
                          args.waveform, args.seed)
        job = run_job(options, progress)
    except TorchCirctError as error:
        if isinstance(error, UserError):
            code, kind = EXIT_USER, "unsupported model"
        elif isinstance(error, SimulationTimeoutError):
            code, kind = EXIT_TIMEOUT, "simulation timeout"
        else:
            code, kind = EXIT_INTERNAL, "internal error"
        _complain(f"torch-circt: {kind}: {error}", args.debug)
        return code
    except Exception as error:  # noqa: BLE001 - the contract is "no traceback unless --debug"
        _complain(f"torch-circt: internal error: {type(error).__name__}: {error}\n"
                  "  what to do: rerun with --debug and file an issue with the traceback", args.debug)
        return EXIT_INTERNAL
    text = (job.output_dir / "report.json").read_text()  # exactly what was saved
    print(text.rstrip("\n") if args.json else render_summary(json.loads(text)))
    return EXIT_MATCHED if job.matched else EXIT_MISMATCH


def _complain(message: str, debug: bool) -> None:
    if debug:
        traceback.print_exc()
    print(message, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
