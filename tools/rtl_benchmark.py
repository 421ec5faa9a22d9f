"""Benchmark every RTL model of the suite: cycles against an ideal bound, old circuits against new.

    ./bazelw run //tools:rtl_benchmark [-- --models a,b] [--json OUT] [option flags, e.g. --no-completion-carrier]

Every model is built twice in the same run: with the circuits before
pipelining (`RtlOptions.unpipelined()`, the baseline) and with the options
given (the defaults unless flags say otherwise). The closing line is
`median cycles/ideal: OLD -> NEW (geomean speedup S)`; register and mux counts
sit beside the cycles so that a speedup that costs area shows.

Per model: simulated cycles; the ideal bound, i.e. the innermost-loop iterations
of the lowered loop nest at one iteration per cycle (torch_circt/loops.py: what
a circuit that starts one loop-body iteration every cycle, without overlapping
loop nests, would need); their ratio; the port bound (the busiest memory port's
transfers: no schedule with these ports finishes sooner); the compile time of
every stage; the Verilator build time; and simulation speed in cycles per
second. Every result is also checked bit for bit, so a fast wrong circuit
cannot hide here. The numbers are our baseline for making circuits fast.

`--baseline wide` compares against the options given with narrow widths off
(the datapath before bit-width narrowing, docs/flow.md) instead of the
unpipelined circuits; `--baseline unfused` against elementwise fusion off, and
`--fold N --baseline unfolded` measures folding (cycles and area) against
`--fold 1` (with `--unroll-outputs` or `--target-interval` too: against none);
`--timing-buffers --synth ecp5 --baseline untimed` the registers
timing-buffers puts around the multipliers (Fmax and latency) against none;
`--interface stream --dataflow --stream N --baseline engine` layers as concurrent
stage circuits against one circuit that runs them one after another.

With `--synth ecp5` (and `--synth-device`, ...) both circuits of every model are
also synthesised and placed and routed: LUT4s, flip-flops, DSPs, block RAMs,
Fmax, latency (cycles / Fmax) old -> new, and the wall time of each step of the
new one, in a second table; every post-synthesis netlist is simulated and
checked too. The run then closes with
`median Fmax: OLD -> NEW MHz, median LUT4: OLD -> NEW, median latency: OLD -> NEW us`.

With `--stream N` every model also runs N inferences back to back from one reset
(`Design.simulate_stream`, on the example inputs, every result checked bit for bit):
a third table gives the interval (cycles between results), the latency of the first
and, with `--synth`, inferences per second at Fmax, old -> new; the run closes with
`median interval: OLD -> NEW cycles`.

With `--digits N` the int8 digits MLP (examples/digits: trained, quantized, the first N
test images as one stream, every result checked against the integer model bit for bit)
runs with both configurations too, and the run closes with
`digits mlp: interval OLD -> NEW cycles, R inferences/s at F MHz` (the rate with --synth).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
import textwrap
from dataclasses import asdict, dataclass
from pathlib import Path

from common.atomic import atomic_write_text
from torch_circt.options import RtlOptions, add_arguments, from_arguments

COLUMNS = """\
columns (each "a->b" or "a/b" pair is old -> new: the baseline (--baseline), then the options given):
  model        the suite case (e2e/models)
  ok           old/new result checked against PyTorch bit for bit: yes, or NO
  ideal        innermost-loop iterations: the cycles of one loop-body iteration per cycle
  cycles       simulated cycles from start to done
  ratio        cycles / ideal
  speedup      old cycles / new cycles
  registers    registers of the hardware estimate
  muxes        muxes of the hardware estimate
  verilator s  seconds to build the simulator
  Mcycles/s    simulated million cycles per second of wall time
with --synth, a second table, old -> new: netlist (the netlist's own check), LUT4, FF, DSP, BRAM, Fmax MHz,
latency us (cycles / Fmax); and the new circuit's seconds of yosys, nextpnr and the netlist build
with --stream N, a third table, old -> new: stream (every result bit for bit), interval (cycles between results),
latency (first input to first result, cycles), inferences/s (Fmax / interval, with --synth)"""


@dataclass(frozen=True)
class SynthRow:
    """The new circuit on the FPGA (`--synth`): area, Fmax, latency, the netlist's own check, step times."""

    luts: int
    ffs: int
    dsps: int
    brams: int
    fmax_mhz: float
    latency_us: float
    netlist_matched: bool
    step_seconds: dict[str, float]


@dataclass(frozen=True)
class StreamRow:
    """`--stream N`: the example inputs N times back to back, every result checked."""

    matched: bool
    interval: float
    latency: int


@dataclass(frozen=True)
class Row:
    model: str
    matched: bool
    cycles: int
    ideal: int
    port_bound: int
    import_seconds: float
    stage_seconds: dict[str, float]
    verilator_seconds: float
    simulation_seconds: float
    registers: int
    muxes: int
    synthesis: SynthRow | None = None
    stream: StreamRow | None = None

    @property
    def ratio(self) -> float:
        return self.cycles / self.ideal if self.ideal else float("nan")

    @property
    def cycles_per_second(self) -> float:
        return self.cycles / self.simulation_seconds if self.simulation_seconds else float("nan")


def measure(name: str, options, stream: int = 0) -> Row:
    """Compile, build and simulate one suite case through the flow; time each part; `stream` > 1: also as a stream."""
    import torch_circt
    from e2e.suite import get_case

    case = get_case(name)
    module, inputs = case.build()
    design = torch_circt.compile(module, inputs, target="rtl", options=options, name=name)
    check = design.check()
    stage_seconds = {s.name: s.seconds for s in design.stages if s.group == "rtl"}
    import_seconds = sum(s.seconds for s in design.stages if s.group == "frontend")
    loops, units = design.loops, design.hardware.units  # computed in the compile's worker
    return Row(name, check.matched, check.simulation.cycles, loops.innermost_iterations, check.simulation.port_bound,
               import_seconds, stage_seconds, design.build_seconds, check.simulation.seconds,
               units["registers"].count, units["muxes"].count,
               _synthesize(design, check.simulation.cycles) if options.synth.family else None,
               _stream(design, case.tolerance, stream) if stream > 1 else None)


def _stream(design, tolerance, count: int) -> StreamRow:
    from common.compare import compare

    run = design.simulate_stream([design.golden.inputs] * count)
    matched = all(not compare(design.metadata, design.golden, outputs, tolerance) for outputs in run.outputs)
    return StreamRow(matched, run.interval, run.latency)


def _synthesize(design, cycles: int) -> SynthRow:
    synth = design.synthesize()
    netlist = design.check_netlist()
    steps = {s.name: s.seconds for s in design.synth_stages} | {"netlist-build": design.netlist_build_seconds}
    return SynthRow(synth.luts, synth.ffs, synth.dsps, synth.brams, synth.fmax_mhz, synth.latency_us(cycles),
                    netlist.matched, steps)


def render(pairs: list[tuple[Row, Row]]) -> str:
    """One line per model, old -> new; then stage times and the medians."""
    head = (f"{'model':<22} {'ok':<7} {'ideal':>6} {'cycles old->new':>16} {'ratio old->new':>15} {'speedup':>7} "
            f"{'registers':>11} {'muxes':>11} {'verilator s':>11} {'Mcycles/s':>11}")
    lines = [head, "-" * len(head)]
    for old, new in pairs:
        lines.append(
            f"{new.model:<22} {_ok(old)}/{_ok(new):<3} {new.ideal:>6} {f'{old.cycles}->{new.cycles}':>16} "
            f"{f'{old.ratio:.2f}->{new.ratio:.2f}':>15} {old.cycles / new.cycles:>7.2f} "
            f"{f'{old.registers}->{new.registers}':>11} {f'{old.muxes}->{new.muxes}':>11} "
            f"{f'{old.verilator_seconds:.1f}/{new.verilator_seconds:.1f}':>11} "
            f"{f'{old.cycles_per_second / 1e6:.2f}/{new.cycles_per_second / 1e6:.2f}':>11}")
    if not pairs:
        return "\n".join(lines)
    news = [new for _, new in pairs]
    if any(new.synthesis for new in news):
        lines += ["", _synth_table(pairs)]
    if any(new.stream for new in news):
        lines += ["", _stream_table(pairs)]
    lines.append("\ncompile time per stage (new), mean over models (seconds):")
    lines.extend(f"  {stage:<20} {sum(r.stage_seconds.get(stage, 0.0) for r in news) / len(news):.3f}"
                 for stage in news[0].stage_seconds)
    olds = [old for old, _ in pairs]
    lines.append(f"\nverilator build s, median: {_median(r.verilator_seconds for r in olds):.1f} -> "
                 f"{_median(r.verilator_seconds for r in news):.1f}")
    lines.append(f"simulated Mcycles/s, median: {_median(r.cycles_per_second for r in olds) / 1e6:.3f} -> "
                 f"{_median(r.cycles_per_second for r in news) / 1e6:.3f}")
    lines.append(f"{len(pairs)} models; {sum(not r.matched for r in olds + news)} mismatched")
    speedup = math.exp(sum(math.log(old.cycles / new.cycles) for old, new in pairs) / len(pairs))
    lines.append(f"median cycles/ideal: {_median(r.ratio for r in olds):.2f} -> {_median(r.ratio for r in news):.2f} "
                 f"(geomean speedup {speedup:.2f})")
    streamed = [(old.stream, new.stream) for old, new in pairs if old.stream and new.stream]
    if streamed:
        lines.append(f"median interval: {_median(o.interval for o, _ in streamed):g} -> "
                     f"{_median(n.interval for _, n in streamed):g} cycles")
    synthesized = [(old.synthesis, new.synthesis) for old, new in pairs if old.synthesis and new.synthesis]
    if synthesized:
        olds_s, news_s = [o for o, _ in synthesized], [n for _, n in synthesized]
        lines.append(f"median Fmax: {_median(s.fmax_mhz for s in olds_s):.1f} -> {_median(s.fmax_mhz for s in news_s):.1f} MHz, "
                     f"median LUT4: {_median(s.luts for s in olds_s):g} -> {_median(s.luts for s in news_s):g}, "
                     f"median latency: {_median(s.latency_us for s in olds_s):.3f} -> "
                     f"{_median(s.latency_us for s in news_s):.3f} us")
    return "\n".join(lines)


def _synth_table(pairs: list[tuple[Row, Row]]) -> str:
    """Area, Fmax and latency, old -> new, with the wall time of each synthesis step of the new circuit."""
    head = (f"{'model':<22} {'netlist':<15} {'LUT4':>13} {'FF':>11} {'DSP':>6} {'BRAM':>5} {'Fmax MHz':>12} "
            f"{'cycles':>9} {'latency us':>13} {'yosys s':>7} {'nextpnr s':>9} {'netlist build s':>15}")
    lines = [head, "-" * len(head)]
    for old, new in pairs:
        o, n = old.synthesis, new.synthesis
        if o is None or n is None:
            continue
        lines.append(f"{new.model:<22} {_netlist(o) + '/' + _netlist(n):<15} {f'{o.luts}->{n.luts}':>13} "
                     f"{f'{o.ffs}->{n.ffs}':>11} {f'{o.dsps}->{n.dsps}':>6} {f'{o.brams}->{n.brams}':>5} "
                     f"{f'{o.fmax_mhz:.1f}->{n.fmax_mhz:.1f}':>12} {f'{old.cycles}->{new.cycles}':>9} "
                     f"{f'{o.latency_us:.2f}->{n.latency_us:.2f}':>13} {n.step_seconds['yosys']:>7.1f} "
                     f"{n.step_seconds['nextpnr']:>9.1f} {n.step_seconds['netlist-build']:>15.1f}")
    return "\n".join(lines)


def _stream_table(pairs: list[tuple[Row, Row]]) -> str:
    """Interval and latency of a stream of inferences, old -> new, and inferences per second at Fmax."""
    head = f"{'model':<22} {'stream':<7} {'interval':>15} {'latency':>13} {'inferences/s':>21}"
    lines = [head, "-" * len(head)]
    for old, new in pairs:
        o, n = old.stream, new.stream
        if o is None or n is None:
            continue
        rates = "" if not (old.synthesis and new.synthesis) else \
            f"{old.synthesis.fmax_mhz * 1e6 / o.interval:,.0f}->{new.synthesis.fmax_mhz * 1e6 / n.interval:,.0f}"
        lines.append(f"{new.model:<22} {_yes(o.matched)}/{_yes(n.matched):<3} {f'{o.interval:g}->{n.interval:g}':>15} "
                     f"{f'{o.latency}->{n.latency}':>13} {rates:>21}")
    return "\n".join(lines)


def _yes(matched: bool) -> str:
    return "yes" if matched else "NO"


def _netlist(synthesis: SynthRow) -> str:
    return "MATCH" if synthesis.netlist_matched else "MISMATCH"


def _ok(row: Row) -> str:
    return _yes(row.matched)


def _median(values) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


BASELINES = {
    "unpipelined": "the circuits before pipelining (RtlOptions.unpipelined())",
    "wide": "the options given with narrow widths off (the datapath before bit-width narrowing)",
    "unfused": "the options given with elementwise fusion off (a loop nest per operation)",
    "unfolded": "the options given without folds, outputs side by side or a target interval (one reduction step "
                "and one output per iteration)",
    "untimed": "the options given with timing buffers off (no registers around the multipliers)",
    "engine": "the options given with dataflow off (one circuit runs the layers one after another)",
}


def baseline_rtl(name: str, given: RtlOptions) -> RtlOptions:
    """The old circuits' options (`BASELINES`)."""
    if name == "wide":
        return dataclasses.replace(given, narrow_widths=False)
    if name == "unfused":
        return dataclasses.replace(given, fuse_elementwise=False)
    if name == "unfolded":
        return dataclasses.replace(given, fold=1, fold_layers=(), unroll_outputs=1, unroll_layers=(),
                                   target_interval=None)
    if name == "untimed":
        return dataclasses.replace(given, timing_buffers=False)
    if name == "engine":
        return dataclasses.replace(given, dataflow=False)
    return RtlOptions.unpipelined()


def rtl_cases() -> list[str]:
    """The suite cases the benchmark can run: every RTL case that is not an expected failure."""
    from e2e.suite import CASES

    return sorted(n for n, c in CASES.items() if c.rtl and not c.expected_failure("rtl"))


def main(argv: list[str] | None = None) -> int:
    cases = rtl_cases()
    parser = argparse.ArgumentParser(
        prog="rtl_benchmark", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=f"{COLUMNS}\n\nmodels (--models takes any of these; default: all):\n"
        + textwrap.fill(", ".join(cases), width=100, initial_indent="  ", subsequent_indent="  "))
    parser.add_argument("--models", help="comma-separated case names (default: every RTL case; listed below)")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    parser.add_argument("--stream", type=int, default=0, metavar="N",
                        help="also run N inferences back to back per model: interval and latency (default: off)")
    parser.add_argument("--digits", type=int, default=0, metavar="N",
                        help="also stream N test images through the int8 digits MLP, both configurations (default: off)")
    parser.add_argument("--baseline", choices=sorted(BASELINES), default="unpipelined",
                        help="the old circuits: " + "; ".join(f"{k}: {v}" for k, v in sorted(BASELINES.items())))
    add_arguments(parser)
    args = parser.parse_args(argv)
    names = args.models.split(",") if args.models else cases
    unknown = [n for n in names if n not in cases]
    if unknown:
        parser.error(f"no RTL case {', '.join(unknown)}; the cases are listed in --help")
    try:
        options = from_arguments(args)
    except ValueError as error:
        parser.error(str(error))
    baseline = dataclasses.replace(options, rtl=baseline_rtl(args.baseline, options.rtl))
    pairs = []
    for name in names:
        pairs.append((measure(name, baseline, args.stream), measure(name, options, args.stream)))
        old, new = pairs[-1]
        print(f"{name}: {old.cycles} -> {new.cycles} cycles (ideal {new.ideal})", file=sys.stderr)
    print(render(pairs))
    if args.json:
        data = [{"model": old.model, **{label: asdict(row) | {"ratio": row.ratio, "cycles_per_second": row.cycles_per_second}
                                        for label, row in (("old", old), ("new", new))}} for old, new in pairs]
        atomic_write_text(args.json, json.dumps(data, indent=2) + "\n")
    netlists = all(new.synthesis.netlist_matched for _, new in pairs if new.synthesis)
    streams = all(row.stream.matched for pair in pairs for row in pair if row.stream)
    digits = digits_line(baseline, options, args.digits) if args.digits else (True, "")
    if args.digits:
        print(digits[1])
    return 0 if netlists and streams and digits[0] and all(old.matched and new.matched for old, new in pairs) else 1


def digits_line(old_options, new_options, images: int) -> tuple[bool, str]:
    """`--digits N`: the int8 digits MLP on N test images in a stream, old -> new; whether every image was bit-exact."""
    from examples.digits.data import digits_split
    from examples.digits.run import evaluate

    split = digits_split(seed=0)
    old, new = (evaluate("mlp", split, images=images, options=o, log=lambda text: print(text, file=sys.stderr))
                for o in (old_options, new_options))
    rate = f", {new.fmax_mhz * 1e6 / new.interval:,.0f} inferences/s at {new.fmax_mhz:.1f} MHz" if new.fmax_mhz else ""
    exact = old.bit_exact == old.images and new.bit_exact == new.images
    return exact, (f"digits mlp: interval {old.interval:.0f} -> {new.interval:.0f} cycles{rate}"
                   + ("" if exact else f" (NOT bit-exact: {old.bit_exact}, {new.bit_exact} of {images})"))


if __name__ == "__main__":
    sys.exit(main())
