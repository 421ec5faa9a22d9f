"""Options of the flow: typed dataclasses, one default each, shared by the API, the CLI and e2e.

    torch_circt.compile(m, inputs, options=Options(rtl=RtlOptions(buffer_size=1)))
    ./bazelw run //:compile -- model.py --buffer-size 1

`add_arguments` and `from_arguments` derive the command-line flags from the
same fields, so a default is written once, here.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import typing
from dataclasses import dataclass, field
from pathlib import Path

from common.compare import Tolerance
from common.option_fields import flagged, option, stage_switch

TARGETS = ("rtl", "cpu")
# FPGA families the synthesis stage knows (backend/synth): Lattice ECP5 through Yosys and nextpnr-ecp5.
SYNTH_FAMILIES = ("ecp5",)
# Where a compile may stop (hlstool's --ir-level): the last stage of each level is in the flow.
EMIT_LEVELS = ("linalg", "handshake", "hw", "sv")
# Where the parameters live: ROMs inside the circuit, or memory interfaces on its top; how a ROM is synthesised.
PARAMETER_FORMS = ("internal", "ports")
ROM_STYLES = ("auto", "block", "logic")
INTERFACES = ("memory", "stream")


@dataclass(frozen=True)
class RtlOptions:
    """How the circuit is built: CIRCT's buffer insertion and our pipelining stages (docs/rtl-cycles.md).

    `fuse_elementwise`: elementwise chains, and the casts and transposes an operation reads, fused into one
    loop nest with it (linalg elementwise fusion): fewer sequential loops and internal memories.
    `fold`: every innermost integer reduction loop takes this many steps per iteration (FINN's SIMD),
    summed in an adder tree, with the parameters it reads banked (fold-reductions); 1 leaves loops as they are.
    `fold_layers`: one such factor per reduction loop nest (layer), in program order, instead of `fold`.
    `unroll_outputs`: the loop around each reduction computes up to this many outputs per iteration, side by side
    (FINN's PE; unroll-outputs): the input each reads is loaded once for all of them, the weights banked by row.
    A reduction so unrolled is not folded as well. When it takes all of a layer's outputs at once, the elementwise
    loop after it (bias, requantisation) is applied to each sum as it is computed (fuse-epilogues).
    `unroll_layers`: one such number per loop around a reduction that can take them (layer), in program order,
    instead of `unroll_outputs` (the report lists those loops' widths).
    `target_interval`: the outputs side by side and the folds are chosen per nest, biggest nest first, until the
    loops' iterations (the cycles per inference, roughly: nests run one after another) reach this many, or no nest
    can take more; it is given instead of the four above. A layer takes outputs side by side where its terms share
    the input and read banked weights (a matmul), folds otherwise (a convolution).
    `scalar_replacement`: reduction accumulators carried in loops, not reloaded from memory each iteration, and
    started from the constant a fill loop stored (that loop then goes: forward-fills).
    `coalesce_loops`: perfect loop bands merged into one loop where no address then needs a division.
    `local_constants`: constants cloned into their blocks and fed by sources, not carried through loops.
    `completion_carrier`: memory completion leaves the loop recurrence in loop nests that allow it.
    `task_pipelining`: CIRCT's loop network for the outermost loop (II = 2 there); off, it is a plain loop.
    `throughput_buffers`: buffers placed so that lagging paths do not hold the loop's control.
    `timing_buffers`: registers around every multiply of loaded data, so it shares no combinational path with the
    logic before and after it (timing-buffers); off by default: it raises the clock of multiply-heavy circuits but
    costs cycles where the registers' latency is paid per loop entry or stalls a loop (docs/synthesis.md).
    `parameters`: "internal" builds each parameter into the circuit as an initialised ROM (docs/interface.md);
    "ports" leaves it a memory interface on the top that the user answers.
    `interface`: "memory" gives the top start/done and a memory interface per argument and result; "stream"
    wraps it in AXI4-Stream ports, one per argument and result (docs/interface.md, "Streams").
    `dataflow`: the program cut into layers (frontend/torch/_layer_stages.py), each its own circuit with a stream
    top, chained stream to stream (backend/rtl/stream_chain.py): the layers work on successive inferences at once,
    so a stream's interval is the slowest layer's. `fold_layers` and `unroll_layers` then give one factor per
    stage; `fold`, `unroll_outputs` and `target_interval` apply to every stage.
    `rom_style`: how synthesis builds those ROMs: "auto" lets Yosys choose (LUTs where cheaper, block RAM for
    large tables), "block" asks for block RAM, "logic" for LUTs (the `rom_style` attribute on each ROM).
    """

    buffer_strategy: str = option("cycles", "handshake-insert-buffers strategy: cycles, all or allFIFO")
    buffer_size: int = option(1, "slots per inserted buffer")
    fuse_elementwise: bool = option(True, "elementwise chains, and the casts/transposes an op reads, fused into its "
                                    "loop nest",
                                    stages=("fuse-elementwise",))
    scalar_replacement: bool = option(True, "reduction accumulators carried in loops, started from the fill's constant",
                                      stages=("scalar-replacement", "forward-fills"))
    fold: int = option(1, "steps per iteration of every innermost integer reduction loop (SIMD), summed in a tree, "
                       "parameters banked to match; 1: no folding")
    fold_layers: tuple[int, ...] = option((), "one fold factor per reduction loop nest, in program order (N,N,...), "
                                          "instead of --fold")
    unroll_outputs: int = option(1, "outputs of each reduction computed side by side (PE): the loop around a "
                                 "reduction takes up to N of them per iteration, sharing each input load; 1: one")
    unroll_layers: tuple[int, ...] = option((), "outputs side by side per loop around a reduction (layer), in program "
                                            "order (N,N,...), instead of --unroll-outputs")
    target_interval: int | None = option(None, "choose the outputs side by side and the folds per reduction loop nest "
                                         "so that the loops' iterations per inference come to at most N")
    coalesce_loops: bool = option(True, "perfect loop bands merged where addresses stay division-free",
                                  stages=("coalesce-loops",))
    local_constants: bool = option(True, "constants cloned into their blocks, fed by sources",
                                   stages=("sink-constants", "source-constants"))
    completion_carrier: bool = option(True, "memory completion off the loop recurrence where safe",
                                      stages=("completion-carrier", "wire-completion"))
    task_pipelining: bool = option(False, "CIRCT's task pipelining of the outermost loop")
    narrow_widths: bool = option(True, "every integer, register and internal memory word as wide as its value "
                                 "range needs (exact: widths where values can wrap stay)", stages=("narrow-widths",))
    throughput_buffers: bool = option(True, "buffers that keep lagging paths off the loop control",
                                      stages=("throughput-buffers",))
    timing_buffers: bool = option(False, "registers around every multiply of loaded data: a shorter clock period, "
                                  "some cycles more per loop entry",
                                  stages=("timing-buffers",))
    parameters: str = option("internal", "parameters as ROMs inside the circuit (internal) or memory ports on the top (ports)",
                             stages=("internal-parameters",), on="internal")
    interface: str = option("memory", "the top's interface: memory (start/done and memory ports) or stream "
                            "(an AXI4-Stream port per argument and result)", stages=("stream-interface",), on="stream")
    dataflow: bool = option(False, "layers as concurrent stages: one stream-top circuit per layer, chained by "
                            "AXI4-Stream, each working on its own inference (needs --interface stream)")
    rom_style: str = option("auto", "how synthesis builds the parameter ROMs: auto (Yosys decides), block (block RAM) "
                            "or logic (LUTs)")

    @classmethod
    def unpipelined(cls) -> RtlOptions:
        """The circuits before pipelining (CIRCT's defaults): the benchmark's baseline."""
        return cls(buffer_size=2, fuse_elementwise=False, scalar_replacement=False, coalesce_loops=False, local_constants=False,
                   completion_carrier=False, task_pipelining=True, throughput_buffers=False, narrow_widths=False)

    def runs(self, stage: str) -> bool:
        """Whether the flow runs `stage`: an optional stage runs when the switch that names it is on."""
        return stage_switch(self, stage)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)


@dataclass(frozen=True)
class SimOptions:
    """How Verilator builds and runs the simulator.

    None follows the design's loop bound: `cycle_limit` is backend.sim's
    `automatic_cycle_limit`, `verilator_opt` its `automatic_opt_level` (-O1 for long runs, else -O0).
    """

    cycle_limit: int | None = option(
        None, "simulation gives up after N cycles (exit 4); the automatic limit follows the design's loop bound")
    verilator_opt: int | None = option(
        None, "g++ -O level of the simulator's per-cycle code; the automatic level follows the design's loop bound")
    verilator_jobs: int = option(2, "parallel jobs of the Verilator build")
    waveform: bool = option(False, "write wave.vcd (a traced, slower simulator build)")


@dataclass(frozen=True)
class SynthOptions:
    """Synthesis and place-and-route of the SystemVerilog for an FPGA (backend/synth), on request.

    `family` None: no synthesis; "ecp5": Yosys `synth_ecp5`, then nextpnr-ecp5 on `device` at
    speed grade `speed`. `clock_mhz` None: no clock is required, the report gives the Fmax
    reached; a number: a design that misses it fails with an error that says what to do.
    """

    family: str | None = option(None, f"synthesise and place-and-route for this FPGA family ({', '.join(SYNTH_FAMILIES)}); "
                                "the post-synthesis netlist is simulated and checked too", flag="--synth")
    device: str = option("LFE5U-85F", "the FPGA part", flag="--synth-device")
    speed: int = option(6, "the part's speed grade", flag="--synth-speed")
    clock_mhz: float | None = option(None, "the clock the design must meet; none: report the Fmax reached",
                                     flag="--synth-clock-mhz")


@dataclass(frozen=True)
class Options:
    """Everything `torch_circt.compile` can be told. `dump_dir` also writes each stage's IR there."""

    emit: str = "sv"
    rtl: RtlOptions = field(default_factory=RtlOptions)
    sim: SimOptions = field(default_factory=SimOptions)
    tolerance: Tolerance = field(default_factory=Tolerance)
    synth: SynthOptions = field(default_factory=SynthOptions)
    dump_dir: Path | None = None

    def __post_init__(self) -> None:
        if self.emit not in EMIT_LEVELS:
            raise ValueError(f"emit must be one of {', '.join(EMIT_LEVELS)}, not '{self.emit}'")
        if self.rtl.buffer_strategy not in ("cycles", "all", "allFIFO"):
            raise ValueError(f"buffer_strategy must be cycles, all or allFIFO, not '{self.rtl.buffer_strategy}'")
        if self.rtl.parameters not in PARAMETER_FORMS:
            raise ValueError(f"parameters must be {' or '.join(PARAMETER_FORMS)}, not '{self.rtl.parameters}'")
        if self.rtl.interface not in INTERFACES:
            raise ValueError(f"interface must be {' or '.join(INTERFACES)}, not '{self.rtl.interface}'")
        if self.rtl.dataflow and (self.rtl.interface, self.rtl.parameters) != ("stream", "internal"):
            raise ValueError("dataflow chains stream tops whose parameters are inside: it needs interface='stream' "
                             "and parameters='internal' (--interface stream)")
        if self.rtl.rom_style not in ROM_STYLES:
            raise ValueError(f"rom_style must be {', '.join(ROM_STYLES)}, not '{self.rtl.rom_style}'")
        limit = 1 if self.sim.cycle_limit is None else self.sim.cycle_limit
        rtl = self.rtl
        if (rtl.buffer_size < 1 or min((rtl.fold, rtl.unroll_outputs, *rtl.fold_layers, *rtl.unroll_layers)) < 1
                or limit < 1 or self.sim.verilator_jobs < 1):
            raise ValueError("buffer_size, fold (each of fold_layers), unroll_outputs (each of unroll_layers), cycle_limit "
                             "and verilator_jobs must be at least 1")
        if sum((rtl.fold != 1, bool(rtl.fold_layers), rtl.target_interval is not None)) > 1:
            raise ValueError("give one of fold, fold_layers and target_interval: each sets every reduction nest's fold")
        if sum((rtl.unroll_outputs != 1, bool(rtl.unroll_layers), rtl.target_interval is not None)) > 1:
            raise ValueError("give one of unroll_outputs, unroll_layers and target_interval: each sets every layer's "
                             "outputs side by side")
        if self.rtl.target_interval is not None and self.rtl.target_interval < 1:
            raise ValueError(f"target_interval is a number of cycles, at least 1, not {self.rtl.target_interval}")
        if self.sim.verilator_opt not in (None, 0, 1, 2, 3):
            raise ValueError(f"verilator_opt is a g++ -O level 0-3, not {self.sim.verilator_opt}")
        if self.synth.family not in (None, *SYNTH_FAMILIES):
            raise ValueError(f"synthesis family must be one of {', '.join(SYNTH_FAMILIES)}, not '{self.synth.family}'")
        if self.synth.clock_mhz is not None and self.synth.clock_mhz <= 0:
            raise ValueError(f"the required clock must be positive, not {self.synth.clock_mhz} MHz")


# The option groups of Options whose fields have flags, in the order --help lists them.
_GROUPS = ("rtl", "sim", "tolerance", "synth")

# What an option left at None does, in a flag's help: the sim group's Nones follow the design.
_NONE_MEANS = {"synth": "none"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add one flag per option, its default taken from the dataclasses."""
    defaults = Options()
    parser.add_argument("--emit", choices=EMIT_LEVELS, default=defaults.emit,
                        help=f"stop after this IR level (default: {defaults.emit})")
    for group, flag, name, text in _flags(defaults):
        default = getattr(getattr(defaults, group), name)
        if isinstance(default, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=default,
                                help=f"{text} (default: {'on' if default else 'off'})")
        else:
            kind = _flag_type(getattr(defaults, group), name)
            if typing.get_origin(kind) is tuple:
                parser.add_argument(flag, type=_int_list, default=default, metavar="N,N,...",
                                    help=f"{text} (default: none)")
                continue
            parser.add_argument(flag, type=kind, default=default, metavar="N" if kind is int else None,
                                help=f"{text} (default: {_NONE_MEANS.get(group, 'automatic') if default is None else default})")


def _flags(defaults: Options) -> list[tuple[str, str, str, str]]:
    """(group, flag, field, help) of every option field, derived from the dataclasses."""
    return [(group, flag, field.name, field.metadata["help"])
            for group in _GROUPS for flag, field in flagged(type(getattr(defaults, group)))]


def _flag_type(group: object, name: str) -> type:
    """What a flag parses: its field's annotation, less the None of an optional (None is only ever the default)."""
    hint = typing.get_type_hints(type(group))[name]
    if typing.get_origin(hint) is tuple:
        return hint
    return next((t for t in typing.get_args(hint) if t is not type(None)), hint)


def _int_list(text: str) -> tuple[int, ...]:
    """A flag's comma-separated integers (`--fold-layers 32,8`)."""
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, not '{text}'") from None


def from_arguments(args: argparse.Namespace, **overrides) -> Options:
    """Options from a namespace that `add_arguments` filled; `overrides` set top-level fields."""
    groups: dict[str, dict] = {}
    for group, flag, name, _ in _flags(Options()):
        groups.setdefault(group, {})[name] = getattr(args, flag[2:].replace("-", "_"))
    fields = {"emit": args.emit, "rtl": RtlOptions(**groups["rtl"]), "sim": SimOptions(**groups["sim"]),
              "tolerance": Tolerance(**groups["tolerance"]), "synth": SynthOptions(**groups["synth"])}
    return Options(**(fields | overrides))
