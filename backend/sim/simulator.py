"""The Python side of a built simulator: NumPy tensors in, NumPy tensors and cycles out."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np

from backend.rtl.manifest import Memory, PortManifest
from common.errors import TorchCirctError


class SimulationError(TorchCirctError):
    """The simulated circuit misbehaved (an out-of-range address, a wrong input)."""


class SimulationTimeoutError(SimulationError):
    """The cycle limit ran out before the done token; the message names the stuck handshakes."""


# The automatic cycle limit follows the design's loop bound (its ideal cycle count, in the
# manifest): circuits took 6-10x that before pipelining (docs/rtl-cycles.md), so 50x leaves room
# for slower buffer strategies while a deadlock is still named in seconds; the fixed part
# covers reset, control and designs with little or no loop work.
CYCLES_PER_LOOP_ITERATION = 50
FIXED_CYCLES = 100_000
# Where the loops could not be counted (the manifest has no bound).
CYCLES_WITHOUT_LOOP_BOUND = 10_000_000


def automatic_cycle_limit(manifest: PortManifest) -> int:
    """The cycle limit of a run that was given none: a merely big model finishes, a deadlock does not."""
    if manifest.loop_bound is None:
        return CYCLES_WITHOUT_LOOP_BOUND
    return CYCLES_PER_LOOP_ITERATION * manifest.loop_bound + FIXED_CYCLES


@dataclass(frozen=True)
class StallPattern:
    """How the harness's memories and handshakes misbehave, reproducibly (docs/interface.md).

    Every ready the harness drives (load address, store request, done) is low with probability
    `ready_low` in each cycle, the start valid is held back as long, and each load answer and
    store `done` token comes 1..`max_latency` cycles (uniformly) after its request, in order.
    On a stream top each output stream's tready is low as often, and each input stream's tvalid
    is held back as long as start would be, element by element.
    The same `seed` gives the same cycles. `NO_STALLS` (the default) is the harness without
    stalls: every ready high, every answer one cycle after its request.
    """

    seed: int = 0
    ready_low: float = 0.0
    max_latency: int = 1

    def __post_init__(self) -> None:
        if not 0.0 <= self.ready_low < 1.0:
            raise ValueError(f"ready_low must be in [0, 1), got {self.ready_low}")
        if self.max_latency < 1:
            raise ValueError(f"max_latency must be at least 1, got {self.max_latency}")
        if not 0 <= self.seed < 2**64:
            raise ValueError(f"seed must fit in 64 unsigned bits, got {self.seed}")


NO_STALLS = StallPattern()


def mean_interval(cycles: Sequence[int]) -> float | None:
    """Cycles between consecutive results of a stream in the steady state: the mean of each inference's cycles
    after the first (which includes the pipeline's fill); None for one inference."""
    return sum(cycles[1:]) / (len(cycles) - 1) if len(cycles) > 1 else None


@dataclass(frozen=True)
class SimResult:
    """Outputs, the cycles from start to done (on a stream top: to the last result element), and how
    many transfers each memory port or stream made.

    With several inferences, `outputs` and `cycles` are the first inference's; `inference_outputs`
    and `inference_cycles` (from the previous one's completion) hold every inference's, the later ones
    run without reset; `first_inputs` and `completions` are the cycles (from reset) at which each
    inference's first input was taken (start, on a memory top) and its last result went."""

    outputs: tuple[np.ndarray, ...]
    cycles: int
    port_transfers: dict[str, int]
    inference_outputs: tuple[tuple[np.ndarray, ...], ...] = ()
    inference_cycles: tuple[int, ...] = ()
    first_inputs: tuple[int, ...] = ()

    @property
    def completions(self) -> tuple[int, ...]:
        """The cycle (from reset) each inference's last result went: its cycles follow the previous one's."""
        return tuple(itertools.accumulate(self.inference_cycles))

    @property
    def interval(self) -> float | None:
        return mean_interval(self.inference_cycles)

    @property
    def latency(self) -> int | None:
        """Cycles from the first inference's first input taken to its last result element."""
        return self.completions[0] - self.first_inputs[0] if self.completions else None

    @property
    def port_bound(self) -> int:
        """Cycles if the busiest memory port or stream moved one element every cycle: no design with
        these ports and this access pattern can finish sooner."""
        return max(self.port_transfers.values(), default=0)


_UNSIGNED = {8: np.uint8, 16: np.uint16, 32: np.uint32, 64: np.uint64}


def _to_bits(array: np.ndarray) -> list[int]:
    flat = np.ascontiguousarray(array).reshape(-1)
    if flat.dtype == np.bool_:
        return flat.astype(np.uint64).tolist()
    return flat.astype(np.int64).view(np.uint64).tolist()


def _from_bits(values: Sequence[int], memory: Memory) -> np.ndarray:
    raw = np.array(values, dtype=np.uint64)
    dtype = np.dtype(memory.dtype)
    if dtype == np.bool_:
        return (raw != 0).reshape(memory.shape)
    width = dtype.itemsize * 8
    return raw.astype(_UNSIGNED[width]).view(dtype).reshape(memory.shape)


def _load_module(so_path: Path) -> ModuleType:
    name = so_path.name.split(".")[0]
    loader = importlib.machinery.ExtensionFileLoader(name, str(so_path))
    spec = importlib.util.spec_from_file_location(name, so_path, loader=loader)
    if spec is None:
        raise ImportError(f"cannot load simulator {so_path}")
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


class Simulator:
    """Runs one design; each `run` starts from reset with fresh memories."""

    def __init__(self, module: ModuleType, manifest: PortManifest, name: str) -> None:
        self._module = module
        self.manifest = manifest
        self.name = name

    def _memories(self, inputs: Sequence[np.ndarray]) -> list[list[int]]:
        args = self.manifest.memories_with_role("arg")
        if len(inputs) != len(args):
            raise SimulationError(f"expected {len(args)} inputs, got {len(inputs)}", stage="simulate", model=self.name)
        contents = []
        for memory in self.manifest.memories:
            if memory.role == "arg":
                given = np.asarray(inputs[memory.index])
                if tuple(given.shape) != memory.shape or given.dtype != np.dtype(memory.dtype):
                    raise SimulationError(
                        f"input {memory.index} ('{memory.name}') is {given.dtype}{list(given.shape)}, "
                        f"the circuit expects {memory.dtype}{list(memory.shape)}",
                        stage="simulate",
                        model=self.name,
                    )
                contents.append(_to_bits(given))
            elif memory.role == "param":
                contents.append(_to_bits(np.array(memory.init, dtype=np.int64)))
            else:
                contents.append([0] * memory.depth)
        return contents

    def run(
        self,
        inputs: Sequence[np.ndarray],
        *,
        cycle_limit: int | None = None,
        vcd: Path | None = None,
        stalls: StallPattern = NO_STALLS,
        inferences: int = 1,
    ) -> SimResult:
        """Simulate from reset; `cycle_limit` None means `automatic_cycle_limit` of the manifest
        (it applies to each inference). `stalls` makes the harness hold readies low and answer
        late; `inferences` > 1 runs `inputs` that many times without reset (see `run_stream`)."""
        if inferences < 1:
            raise ValueError(f"inferences must be at least 1, got {inferences}")
        return self.run_stream([inputs] * inferences, cycle_limit=cycle_limit, vcd=vcd, stalls=stalls)

    def run_stream(
        self,
        input_sets: Sequence[Sequence[np.ndarray]],
        *,
        cycle_limit: int | None = None,
        vcd: Path | None = None,
        stalls: StallPattern = NO_STALLS,
    ) -> SimResult:
        """One inference per input set, back to back from one reset: a memory top gets start again after each
        done; a stream top's input streams offer the next set as soon as the current one is taken, so inputs
        wait only for the circuit's tready. The result's `interval` and `latency` measure the stream."""
        if not input_sets:
            raise ValueError("run_stream needs at least one set of inputs")
        limit = automatic_cycle_limit(self.manifest) if cycle_limit is None else int(cycle_limit)
        raw = self._module.run([self._memories(inputs) for inputs in input_sets], limit, "" if vcd is None else str(vcd),
                               stalls.seed, float(stalls.ready_low), stalls.max_latency)
        if raw["status"] == "timeout":
            raise SimulationTimeoutError(
                f"no result after {raw['cycles']} cycles (limit {_limit_source(self.manifest, cycle_limit)})",
                stage="simulate", model=self.name, details=raw["message"].splitlines(),
                hint="a deadlock if the limit was generous: run with vcd=... and look at the stuck channel; "
                "a model that is just slow needs a larger cycle_limit (--cycle-limit N)",
            )
        if raw["status"] != "done":
            raise SimulationError(raw["message"], stage="simulate", model=self.name)
        results = self.manifest.memories_with_role("result")
        by_position = {id(m): i for i, m in enumerate(self.manifest.memories)}
        per_inference = tuple(
            tuple(_from_bits(memories[by_position[id(m)]], m) for m in results) for memories in raw["inference_memories"]
        )
        transfers = {str(k): int(v) for k, v in raw["transfers"].items()}
        return SimResult(outputs=per_inference[0], cycles=int(raw["cycles"]), port_transfers=transfers,
                         inference_outputs=per_inference,
                         inference_cycles=tuple(int(c) for c in raw["inference_cycles"]),
                         first_inputs=tuple(int(c) for c in raw["first_inputs"]))


def _limit_source(manifest: PortManifest, given: int | None) -> str:
    if given is not None:
        return "given"
    if manifest.loop_bound is None:
        return "automatic; the loops could not be counted"
    return f"automatic: {CYCLES_PER_LOOP_ITERATION} x loop bound {manifest.loop_bound} + {FIXED_CYCLES}"


def load_simulator(so_path: Path, manifest: PortManifest) -> Simulator:
    """Import the extension built by build_extension and bind it to its manifest."""
    so_path = Path(so_path).absolute()
    return Simulator(_load_module(so_path), manifest, so_path.name.split(".")[0])
