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
import time
import traceback

from torch_circt.options import add_arguments, from_arguments

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
    add_arguments(parser)
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

        report = _compile_and_check(args)
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
    from torch_circt.report import render_summary

    print(json.dumps(report, indent=2, sort_keys=True) if args.json else render_summary(report))
    return EXIT_MATCHED if report["matched"] is not False else EXIT_MISMATCH


def _compile_and_check(args: argparse.Namespace) -> dict:
    """Load, compile for each backend, check, and write the output directory; return the report written."""
    from tools.driver.progress import Progress

    start = time.perf_counter()
    progress = Progress(quiet=args.quiet)
    with progress.timed("startup", "python-imports"):
        import torch_circt
        from tools.driver.model_file import load_model, resolve, user_dir
        from torch_circt.artifacts import save_designs
        from torch_circt.report import RunInfo
    with progress.timed("model", "load"):
        loaded = load_model(args.model, seed=args.seed, warn=progress.say)
    options = from_arguments(args)
    target = resolve(args.output_dir) if args.output_dir else user_dir() / "torch-circt-out" / loaded.name
    progress.say(f"  compiling '{loaded.name}' ({loaded.source}) -> {target}")
    designs = []
    for backend in ("rtl", "cpu") if args.backend == "both" else (args.backend,):
        design = torch_circt.compile(loaded.module, loaded.inputs, target=backend, options=options,
                                     name=loaded.name, on_stage=progress.stage)
        if design.can_simulate:
            check = design.check()
            if design.build_seconds is not None:
                progress.record("sim", "verilator-build", design.build_seconds)
            cycles = f" ({check.simulation.cycles} cycles)" if check.simulation.cycles is not None else ""
            progress.record(backend, f"run{cycles}", check.simulation.seconds)
            if backend == "rtl" and options.synth.family is not None:
                _synthesize(design, progress)
        designs.append(design)
    info = RunInfo(source=str(loaded.source), inputs=loaded.inputs_origin, output_dir=str(target),
                   all_ir=args.dump_ir, wall_seconds=time.perf_counter() - start,
                   extra_times=tuple((t.group, t.name, t.seconds) for t in progress.times if t.group in ("startup", "model")))
    save_designs(designs, target, all_ir=args.dump_ir, info=info)
    return json.loads((target / "report.json").read_text())  # exactly what was saved


def _synthesize(design, progress) -> None:
    """FPGA synthesis, place-and-route, and the netlist's own check against PyTorch (minutes: say so first)."""
    synth = design.options.synth
    progress.say(f"  synthesising for {synth.device}-{synth.speed} (yosys, then nextpnr-ecp5; "
                 "minutes for a big design, plus a minute the first time each tool runs)")
    design.synthesize(on_stage=progress.stage)
    check = design.check_netlist()
    progress.record("netlist", "verilator-build", design.netlist_build_seconds)
    progress.record("netlist", f"run ({check.simulation.cycles} cycles)", check.simulation.seconds)


def _complain(message: str, debug: bool) -> None:
    if debug:
        traceback.print_exc()
    print(message, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
