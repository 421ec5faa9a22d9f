"""What `torch_circt.compile` returns: the design, every stage's IR, and the ways to run and check it.

    design.sv, design.manifest          # rtl
    design.ir("handshake-buffers")      # any stage's MLIR
    design.simulate(*inputs)            # outputs + cycle count (rtl) / outputs (cpu)
    design.simulate_stream(input_sets)  # rtl: inferences back to back, their interval and latency
    design.check()                      # against eager PyTorch
    design.synthesize(); design.check_netlist()   # FPGA area and Fmax; the netlist against PyTorch
    design.report                       # what report.json holds
    design.save("out/")                 # whole or not at all

The Verilator build happens on the first `simulate` and is kept for the design's
lifetime; simulation and the JIT run in a forked worker (see `isolation`).
"""

from __future__ import annotations

import shutil
import tempfile
import time
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from backend.rtl.manifest import PortManifest
from backend.synth import Synthesis
from common.compare import compare
from common.errors import InternalCompilerError, TorchCirctError, UserError
from common.records import Golden, ModelMetadata
from common.stages import OnStage, StageResult
from frontend.torch import as_numpy
from torch_circt.isolation import WorkerCrash, call_isolated
from torch_circt.options import Options

if TYPE_CHECKING:  # torch_circt.loops imports torch-mlir's MLIR
    from backend.sim import StallPattern
    from torch_circt.hw_estimate import HwEstimate
    from torch_circt.loops import LoopWork


# Simulated cycles over the loop bound (`manifest.loop_bound`) as observed on the suite's circuits.
OBSERVED_RATIO = (1, 2)


@dataclass(frozen=True)
class Simulation:
    """One run: outputs in result order, cycles (rtl only) and wall time."""

    outputs: tuple[np.ndarray, ...]
    cycles: int | None
    seconds: float
    port_bound: int | None = None


@dataclass(frozen=True)
class StreamSimulation:
    """Inferences run back to back from one reset (`Design.simulate_stream`): each one's outputs and cycles (since
    the previous one's last result; the first's since reset), the cycles between consecutive results in the steady
    state (`interval`, None for one inference) and from the first input taken to the first result (`latency`)."""

    outputs: tuple[tuple[np.ndarray, ...], ...]
    cycles: tuple[int, ...]
    interval: float | None
    latency: int
    seconds: float


@dataclass(frozen=True)
class ResultCheck:
    name: str
    matched: bool
    problem: str | None


@dataclass(frozen=True)
class Check:
    """The verdict of one target against eager PyTorch, per result."""

    target: str
    results: tuple[ResultCheck, ...]
    simulation: Simulation
    exact: bool

    @property
    def matched(self) -> bool:
        return all(r.matched for r in self.results)

    def __str__(self) -> str:
        good = sum(r.matched for r in self.results)
        how = "bit for bit" if self.exact else "within tolerance"
        cycles = f", {self.simulation.cycles} cycles" if self.simulation.cycles is not None else ""
        head = f"{'MATCH' if self.matched else 'MISMATCH'} {self.target}: {good}/{len(self.results)} results {how}{cycles}"
        return "\n".join([head, *(f"  {r.name}: {r.problem}" for r in self.results if r.problem)])


@dataclass
class Design:
    """A compiled model. Built by `torch_circt.compile`; see the module docstring."""

    name: str
    target: str
    options: Options
    metadata: ModelMetadata
    golden: Golden | None
    stages: list[StageResult]
    manifest: PortManifest | None = None
    loops: LoopWork | None = None  # rtl: the loop nest's work, counted in the compile's worker (see `analyses`)
    hardware: HwEstimate | None = None  # rtl, from the hw level on: the pre-synthesis size estimate, likewise
    folds: tuple[int, ...] = ()  # rtl: the fold of each reduction loop nest, in program order (fold-reductions)
    outputs_side_by_side: tuple[int, ...] = ()  # rtl: of each loop around a reduction that can take them (unroll-outputs)
    parts: list[Design] = field(default_factory=list)  # rtl with dataflow: each layer's own design, in chain order
    source: str = "python"
    build_seconds: float | None = None
    checks: list[Check] = field(default_factory=list)
    quantization: dict | None = None  # the QuantizedModel's error per layer, when compiled from one
    synthesis: Synthesis | None = None
    synth_stages: list[StageResult] = field(default_factory=list)
    netlist_build_seconds: float | None = None
    _simulator: Path | None = field(default=None, repr=False)
    _netlist_simulator: Path | None = field(default=None, repr=False)
    _scratch: Path | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        """A line, not every stage's IR (`design.ir(stage)` gives that)."""
        parts = [f"{self.name!r}", f"target={self.target!r}", f"emit={self.options.emit!r}", f"stages={len(self.stages)}"]
        args = ", ".join(f"{a.name}: {a.dtype}{list(a.shape)}" for a in self.metadata.args)
        results = ", ".join(f"{r.name}: {r.dtype}{list(r.shape)}" for r in self.metadata.results)
        parts.append(f"ports=({args}) -> ({results})")
        if self.manifest is not None:
            parts.append(f"top={self.manifest.top!r}, loop_bound={self.manifest.loop_bound}")
        if self.checks:
            latest = self.checks[-1]
            cycles = f", {latest.simulation.cycles} cycles" if latest.simulation.cycles is not None else ""
            parts.append(f"check={'MATCH' if latest.matched else 'MISMATCH'} {latest.target}{cycles}")
        return f"Design({', '.join(parts)})"

    # --- IR -----------------------------------------------------------------------------
    @property
    def stage_names(self) -> list[str]:
        return [s.name for s in self.stages]

    def ir(self, stage: str) -> str:
        """The MLIR (or, for export-verilog, SystemVerilog) that `stage` produced."""
        for result in self.stages:
            if result.name == stage:
                return result.text
        raise KeyError(f"no stage '{stage}' ran for this design; stages: {', '.join(self.stage_names)}")

    def input_of(self, stage: str) -> str:
        """The IR `stage` consumed: the output of the stage before it."""
        index = self.stage_names.index(stage)
        if index == 0:
            raise KeyError(f"stage '{stage}' is the first of this design; its input is not IR")
        return self.stages[index - 1].text

    @property
    def linalg(self) -> str:
        """The linalg-on-tensors IR the backend consumed (the frontend's last stage)."""
        return next(s.text for s in reversed(self.stages) if s.group == "frontend")

    @property
    def can_simulate(self) -> bool:
        """Whether the compile went far enough to run: the JIT needs the LLVM stage, the simulator the SV."""
        return "llvm" in self.stage_names if self.target == "cpu" else self.sv is not None

    @property
    def sv(self) -> str | None:
        return self.ir("export-verilog") if "export-verilog" in self.stage_names else None

    # --- running --------------------------------------------------------------------------
    @property
    def estimated_cycles(self) -> tuple[int, int] | None:
        """A range for the cycles a simulation will take, known before running it: the loop bound
        times the ratio observed on the suite. An estimate; None where the loops could not be counted."""
        bound = self.manifest.loop_bound if self.manifest is not None else None
        return None if bound is None else (bound * OBSERVED_RATIO[0], bound * OBSERVED_RATIO[1])

    def simulate(self, *inputs: torch.Tensor | np.ndarray, vcd: Path | None = None,
                 stalls: StallPattern | None = None) -> Simulation:
        """Run the design on `inputs` (tensors or arrays in argument order). NumPy has no bfloat16: a bfloat16
        tensor goes in, and a bfloat16 result comes out, as a float32 array holding its values exactly.
        `stalls` (rtl only; backend.sim.StallPattern) makes the harness hold readies low and answer loads
        late, reproducibly from its seed (docs/interface.md); None is the harness without stalls."""
        return self._run([inputs], vcd, stalls)[0]

    def simulate_many(self, input_sets: Iterable[Sequence[torch.Tensor | np.ndarray]]) -> list[Simulation]:
        """Run the design on each set of inputs, in order, in one worker: the simulator (or the JIT)
        is loaded once for all of them, not once per run. Each run starts from reset."""
        return self._run(list(input_sets), None)

    def simulate_stream(self, input_sets: Iterable[Sequence[torch.Tensor | np.ndarray]],
                        stalls: StallPattern | None = None) -> StreamSimulation:
        """Run the rtl design on every set of inputs as one stream, without reset between them: a stream top
        (interface="stream") is offered the next inference's inputs as soon as the previous ones are taken,
        a memory top gets start again at each done. Compare the outputs with the model's yourself, as with
        `simulate_many`; `interval` is what a stream of inferences costs per inference."""
        runs = [tuple(_as_array(x) for x in inputs) for inputs in input_sets]
        if self.target != "rtl" or not self.can_simulate:
            raise UserError(message="a stream of inferences runs on the rtl simulator", stage="simulate", model=self.name,
                            hint="compile with target='rtl' and emit='sv' (the defaults for rtl)")
        from backend.sim import NO_STALLS, load_simulator

        so = self._build()

        def work(_send) -> StreamSimulation:
            start = time.perf_counter()
            result = load_simulator(so, self.manifest).run_stream(
                runs, cycle_limit=self.options.sim.cycle_limit, stalls=NO_STALLS if stalls is None else stalls)
            return StreamSimulation(result.inference_outputs, result.inference_cycles, result.interval, result.latency,
                                    time.perf_counter() - start)

        try:
            return call_isolated(work)
        except WorkerCrash as crash:
            raise _crash_error(self.name, "simulate", crash) from None

    def simulate_netlist(self, *inputs: torch.Tensor | np.ndarray) -> Simulation:
        """Run the synthesised netlist (`synthesize` first) on `inputs`, through the same harness."""
        return self._run_simulator(self._build_netlist(), [tuple(_as_array(x) for x in inputs)], None)[0]

    def _run(self, input_sets: list[Sequence[torch.Tensor | np.ndarray]], vcd: Path | None,
             stalls: StallPattern | None = None) -> list[Simulation]:
        runs = [tuple(_as_array(x) for x in inputs) for inputs in input_sets]
        if not self.can_simulate:
            raise UserError(
                message=f"this design stops at emit='{self.options.emit}'; there is nothing to run yet",
                stage="simulate", model=self.name, hint="compile with emit='sv' (the default) to simulate",
            )
        if self.target == "cpu":
            if stalls is not None:
                raise UserError(message="stall patterns drive the RTL simulator's handshakes; a cpu design has none",
                                stage="simulate", model=self.name, hint="compile with target='rtl' to simulate with stalls")
            return self._run_cpu(runs)
        return self._run_simulator(self._build(), runs, vcd, stalls)

    def check(self) -> Check:
        """Simulate on the example inputs and compare with eager PyTorch's outputs."""
        vcd = self._scratch_dir() / "wave.vcd" if (self.options.sim.waveform and self.target == "rtl") else None
        return self._check(self.target, lambda inputs: self.simulate(*inputs, vcd=vcd))

    def check_netlist(self) -> Check:
        """The netlist that goes to the FPGA, simulated on the example inputs, against eager PyTorch."""
        return self._check("netlist", lambda inputs: self.simulate_netlist(*inputs))

    # --- synthesis ------------------------------------------------------------------------
    def synthesize(self, *, on_stage: OnStage | None = None) -> Synthesis:
        """Synthesise and place-and-route the SystemVerilog for `options.synth` (minutes for a big design)."""
        from torch_circt import flow

        synth = self.options.synth
        if synth.family is None or self.target != "rtl" or self.sv is None:
            raise UserError(message="nothing to synthesise: synthesis takes an rtl design compiled to SystemVerilog "
                            "with a synthesis family chosen", stage="synth", model=self.name,
                            hint="compile with target='rtl' and Options(synth=SynthOptions(family='ecp5')) (--synth ecp5)")
        self.synth_stages.clear()
        self._netlist_simulator = None  # a netlist simulator of an earlier synthesis is stale

        def record(result: StageResult) -> None:
            self.synth_stages.append(result)
            if on_stage is not None:
                on_stage(result)

        try:
            self.synthesis = flow.run_synthesis(self.sv, self.manifest.top, synth, self.synth_dir, record)
        except TorchCirctError as error:
            error.model = error.model or self.name
            raise
        return self.synthesis

    @property
    def synth_dir(self) -> Path:
        """Where synthesis works: design.sv, the netlists, the tools' reports and logs."""
        return self._scratch_dir() / "synth"

    # --- artifacts ------------------------------------------------------------------------
    @property
    def report(self) -> dict:
        from torch_circt.report import build_report

        return build_report([self])

    def save(self, directory: Path | str, *, all_ir: bool = False) -> Path:
        """Write the design's files into `directory`, whole or not at all (see `artifacts`)."""
        from torch_circt.artifacts import save_designs

        return save_designs([self], Path(directory), all_ir=all_ir)

    @property
    def waveform(self) -> Path | None:
        path = self._scratch / "wave.vcd" if self._scratch else None
        return path if path is not None and path.is_file() else None

    # --- internals ------------------------------------------------------------------------
    def _check(self, target: str, simulate: Callable[[tuple[np.ndarray, ...]], Simulation]) -> Check:
        if self.golden is None:
            raise UserError(message="this design was built without eager PyTorch's outputs", stage="check",
                            model=self.name, hint="compile the nn.Module with torch_circt.compile to check it")
        simulation = simulate(self.golden.inputs)
        results = []
        for index, spec in enumerate(self.metadata.results):
            if index >= len(simulation.outputs):
                results.append(ResultCheck(spec.name, False, "missing"))
                continue
            problems = compare(ModelMetadata(self.metadata.name, self.metadata.args, (spec,)),
                               Golden(self.golden.inputs, (self.golden.outputs[index],)),
                               [simulation.outputs[index]], self.options.tolerance)
            results.append(ResultCheck(spec.name, not problems, "; ".join(problems) or None))
        check = Check(target, tuple(results), simulation, self.metadata.is_integer)
        self.checks.append(check)
        return check

    def _run_simulator(self, so: Path, runs: list[tuple[np.ndarray, ...]], vcd: Path | None,
                       stalls: StallPattern | None = None) -> list[Simulation]:
        from backend.sim import NO_STALLS, load_simulator

        def work(_send) -> list[Simulation]:
            simulator = load_simulator(so, self.manifest)
            simulations = []
            for arrays in runs:
                start = time.perf_counter()
                result = simulator.run(arrays, cycle_limit=self.options.sim.cycle_limit, vcd=vcd,
                                       stalls=NO_STALLS if stalls is None else stalls)
                simulations.append(Simulation(result.outputs, result.cycles, time.perf_counter() - start, result.port_bound))
            return simulations

        try:
            return call_isolated(work)
        except WorkerCrash as crash:
            raise _crash_error(self.name, "simulate", crash) from None

    def _scratch_dir(self) -> Path:
        if self._scratch is None:
            self._scratch = Path(tempfile.mkdtemp(prefix=f"torch-circt-{self.name}-"))
            weakref.finalize(self, shutil.rmtree, self._scratch, True)
        return self._scratch

    def _build(self) -> Path:
        if self._simulator is None:
            from backend.sim import build_extension

            folder = self._scratch_dir()
            (folder / "design.sv").write_text(self.sv)
            start = time.perf_counter()
            sim = self.options.sim
            build_extension(folder / "design.sv", self.manifest, folder / f"{self.name}_sim.so",
                            trace=sim.waveform, opt_level=sim.verilator_opt, jobs=sim.verilator_jobs)
            self.build_seconds = time.perf_counter() - start
            self._simulator = folder / f"{self.name}_sim.so"
        return self._simulator

    def _build_netlist(self) -> Path:
        if self._netlist_simulator is None:
            from backend.sim import build_extension
            from backend.synth import NETLIST_VERILOG, cell_models, unmodelled_cells

            if self.synthesis is None:
                raise UserError(message="the design has not been synthesised", stage="netlist-simulate",
                                model=self.name, hint="call design.synthesize() first")
            libraries = cell_models(self.options.synth.family)
            blind = unmodelled_cells((self.synth_dir / NETLIST_VERILOG).read_text(), libraries)
            if blind:
                raise UserError(
                    message=f"the netlist uses {', '.join(blind)}, which Yosys ships only as a blackbox and torch-circt "
                            "does not model: the netlist check cannot simulate it", stage="netlist-simulate", model=self.name,
                    hint="the synthesis result stands; checking its netlist needs a simulation model of the cell "
                         "in backend/synth/cells/ (please file an issue with the design)")
            out = self._scratch_dir() / f"{self.name}_netlist_sim.so"
            start = time.perf_counter()
            sim = self.options.sim
            build_extension(self.synth_dir / NETLIST_VERILOG, self.manifest, out, opt_level=sim.verilator_opt,
                            jobs=sim.verilator_jobs, libraries=libraries)
            self.netlist_build_seconds = time.perf_counter() - start
            self._netlist_simulator = out
        return self._netlist_simulator

    def _run_cpu(self, runs: list[tuple[np.ndarray, ...]]) -> list[Simulation]:
        from backend.cpu import JitFunction

        llvm = self.ir("llvm")

        def work(_send) -> list[Simulation]:
            function = JitFunction(llvm, self.metadata)
            simulations = []
            for arrays in runs:
                start = time.perf_counter()
                outputs = function(*arrays)
                simulations.append(Simulation(tuple(outputs), None, time.perf_counter() - start))
            return simulations

        try:
            return call_isolated(work)
        except WorkerCrash as crash:
            raise _crash_error(self.name, "jit-run", crash) from None


def _as_array(value: torch.Tensor | np.ndarray) -> np.ndarray:
    """What the golden record holds for an input: bfloat16 as float32, which holds it exactly."""
    return as_numpy(value) if isinstance(value, torch.Tensor) else np.asarray(value).copy()


def _crash_error(model: str, stage: str, crash: WorkerCrash) -> InternalCompilerError:
    return InternalCompilerError(
        message=f"stage '{stage}' crashed in native code",
        stage=stage, model=model,
        details=[f"diagnostics: {line}" for line in crash.diagnostics().splitlines()],
        hint="please file an issue with the model; design.ir(stage) gives the IR of every stage that ran",
    )
