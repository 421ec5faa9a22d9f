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
     shape, missing/bad model file, factory that raises; or a bad option value
  3  internal error: a stage failed on input it should accept (a bug; the message
     points at a saved reproducer)
  4  simulation timeout: no result within --cycle-limit cycles
  130  interrupted (Ctrl-C / SIGTERM)
The output directory is written whole once compiling is done, before any
simulation (the report then has no simulation results), and again whole with
them. So a timeout or an interrupt during simulation keeps the .sv and says so;
an error or interrupt before then writes or changes nothing.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from common.quiet import showing_noise
from torch_circt.options import Options, add_arguments, from_arguments

EXIT_MATCHED, EXIT_MISMATCH, EXIT_USER, EXIT_INTERNAL, EXIT_TIMEOUT, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130
# Above this many estimated cycles a simulation takes minutes or more: say so, and how to skip it.
LONG_SIMULATION_CYCLES = 10**8


@dataclass
class Written:
    """Where the output directory went, once it has been written (before or after simulating)."""

    path: Path | None = None
    simulated: bool = False

    def describe(self) -> str:
        if self.path is None:
            return "no output directory was written"
        what = "with simulation results" if self.simulated else "the .sv and the rest of the compile's output, no simulation results"
        return f"wrote {self.path} ({what})"


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
    parser.add_argument("--top", metavar="NAME",
                        help="the top module's name, a SystemVerilog identifier; every other module gets it as a prefix "
                        "(default: the model's name)")
    parser.add_argument("--dump-ir", action="store_true",
                        help="keep the MLIR of every stage (always kept: linalg input and the .sv)")
    add_arguments(parser)
    parser.add_argument("--seed", type=int, help="seed for .pt2 random inputs and factories taking `seed`")
    parser.add_argument("--quiet", action="store_true", help="print only the final summary")
    parser.add_argument("--json", action="store_true", help="print report.json on stdout, nothing else")
    parser.add_argument("--no-sim", action="store_true",
                        help="write the SystemVerilog and the rest of the output directory; build and run no simulator")
    parser.add_argument("--debug", action="store_true",
                        help="show Python tracebacks for errors, and the logs and warnings of torch and MLIR")
    args = parser.parse_args(argv)
    args.options = _options(parser, args)
    _check_top(parser, args.top)
    return args


def _check_top(parser: argparse.ArgumentParser, top: str | None) -> None:
    """A name the user chose is used as given, or refused: it is what their netlist instantiates."""
    if top is None:
        return
    from torch_circt.compiler import identifier

    if identifier(top) != top:
        parser.error(f"--top {top!r} is not a SystemVerilog identifier we can keep as is; try --top {identifier(top)}")


def _options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> Options:
    """Every option value a user can get wrong is a usage error (exit 2) that lists the valid values."""
    from common.errors import UserError

    try:
        options = from_arguments(args)
        if options.synth.family == "ecp5":
            from backend.synth import nextpnr_step

            nextpnr_step(options.synth.device, options.synth.speed, options.synth.clock_mhz)  # refuses unknown parts
    except ValueError as error:
        parser.error(str(error))
    except UserError as error:
        parser.error(f"{error.message}; {error.hint}")
    return options


def _raise_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt  # SIGTERM cleans up like Ctrl-C does


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    written = Written()
    try:
        with showing_noise(args.debug):
            return _run(args, written)
    except KeyboardInterrupt:
        print(f"torch-circt: interrupted; {written.describe()}", file=sys.stderr)
        return EXIT_INTERRUPTED


def _run(args: argparse.Namespace, written: Written) -> int:
    from common.errors import TorchCirctError, UserError

    try:
        from backend.sim import SimulationTimeoutError

        report = _compile_and_check(args, written)
    except TorchCirctError as error:
        if isinstance(error, UserError):
            code, kind = EXIT_USER, "unsupported model"
        elif isinstance(error, SimulationTimeoutError):
            code, kind = EXIT_TIMEOUT, "simulation timeout"
        else:
            code, kind = EXIT_INTERNAL, "internal error"
        _complain(f"torch-circt: {kind}: {error}", args.debug, written)
        return code
    except Exception as error:  # noqa: BLE001 - the contract is "no traceback unless --debug"
        _complain(f"torch-circt: internal error: {type(error).__name__}: {error}\n"
                  "  what to do: rerun with --debug and file an issue with the traceback", args.debug, written)
        return EXIT_INTERNAL
    from torch_circt.report import render_summary

    print(json.dumps(report, indent=2, sort_keys=True) if args.json else render_summary(report))
    return EXIT_MATCHED if report["matched"] is not False else EXIT_MISMATCH


def _compile_and_check(args: argparse.Namespace, written: Written) -> dict:
    """Load, compile for each backend, write the output directory, check, write it again with the
    results; return the report written."""
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
    options = args.options
    target = resolve(args.output_dir) if args.output_dir else user_dir() / "torch-circt-out" / loaded.name
    progress.say(f"  compiling '{loaded.name}' ({loaded.source}) -> {target}")
    designs = [torch_circt.compile(loaded.module, loaded.inputs, target=backend, options=options,
                                   name=args.top or loaded.name, on_stage=progress.stage)
               for backend in (("rtl", "cpu") if args.backend == "both" else (args.backend,))]

    def save() -> None:
        info = RunInfo(source=str(loaded.source), inputs=loaded.inputs_origin, output_dir=str(target),
                       all_ir=args.dump_ir, wall_seconds=time.perf_counter() - start,
                       extra_times=tuple((t.group, t.name, t.seconds) for t in progress.times if t.group in ("startup", "model")))
        save_designs(designs, target, all_ir=args.dump_ir, info=info)
        written.path = target

    save()  # the compile's files are kept whatever happens in simulation
    _say_what_stopped(designs, target, args.no_sim, progress)
    running = [d for d in designs if d.can_simulate] if not args.no_sim else []
    for design in running:
        _announce_simulation(design, progress)
        check = design.check()
        if design.build_seconds is not None:
            progress.record("sim", "verilator-build", design.build_seconds)
        cycles = f" ({check.simulation.cycles} cycles)" if check.simulation.cycles is not None else ""
        progress.record(design.target, f"run{cycles}", check.simulation.seconds)
        if design.target == "rtl" and options.synth.family is not None:
            _synthesize(design, progress)
    if running:
        save()
        written.simulated = True
    return json.loads((target / "report.json").read_text())  # exactly what was saved


def _say_what_stopped(designs: list, target: Path, no_sim: bool, progress) -> None:
    """Where a compile that stops before simulating left its last output."""
    from torch_circt.artifacts import stopped_ir_name

    for design in designs:
        stopped = f"{design.name}.linalg.mlir" if design.options.emit == "linalg" else stopped_ir_name(design)
        if stopped is not None:
            progress.say(f"  stopped at --emit {design.options.emit}: wrote {target / stopped}")
        elif no_sim and design.sv is not None:
            progress.say(f"  --no-sim: wrote {target / (design.name + '.sv')}; not simulated")


def _announce_simulation(design, progress) -> None:
    """A long simulation is no surprise: its estimated cycles first, and a warning when it will take long."""
    estimate = design.estimated_cycles if design.target == "rtl" else None
    if estimate is None:
        return
    from torch_circt.design import OBSERVED_RATIO

    low, high = estimate
    progress.say(f"  simulating: an estimated {low:,}-{high:,} cycles (loop bound {design.manifest.loop_bound:,} "
                 f"times the {OBSERVED_RATIO[0]}-{OBSERVED_RATIO[1]}x observed on the suite; an estimate)")
    if low > LONG_SIMULATION_CYCLES:
        progress.warn(f"  warning: over {LONG_SIMULATION_CYCLES:.0e} cycles can take a long time to simulate; "
                      "--no-sim writes the SystemVerilog without simulating")


def _synthesize(design, progress) -> None:
    """FPGA synthesis, place-and-route, and the netlist's own check against PyTorch (minutes: say so first)."""
    synth = design.options.synth
    progress.say(f"  synthesising for {synth.device}-{synth.speed} (yosys, then nextpnr-ecp5; "
                 "minutes for a big design, plus a minute the first time each tool runs)")
    design.synthesize(on_stage=progress.stage)
    check = design.check_netlist()
    progress.record("netlist", "verilator-build", design.netlist_build_seconds)
    progress.record("netlist", f"run ({check.simulation.cycles} cycles)", check.simulation.seconds)


def _complain(message: str, debug: bool, written: Written) -> None:
    if debug:
        traceback.print_exc()
    print(message, file=sys.stderr)
    if written.path is not None:
        print(f"torch-circt: {written.describe()}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
