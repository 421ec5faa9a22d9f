"""The protocol under stress: suite cases under seeded back-pressure and memory latency, and restarted.

Each case is compiled to RTL and built once; its simulator then runs without stalls (the
cycles every other test sees), under three seeded stall patterns (backend/sim StallPattern:
readies the harness drives held low at random, load answers and store `done` tokens
1..max_latency cycles late) and twice in a row without reset. Every run must give eager
PyTorch's outputs bit for bit; a stalled run must take more cycles than the unstalled one
(the proof that the stalls happened). docs/interface.md states the rules verified.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from backend.sim import NO_STALLS, StallPattern, build_extension, load_simulator
from e2e.suite import get_case
from e2e.tests.protocol import CASES, PATTERNS, RESTART_CASES, assert_golden


def _compile(name: str, work: Path):
    import torch_circt

    module, inputs = get_case(name).build()
    design = torch_circt.compile(module, inputs, target="rtl", name=name)
    assert design.sv is not None, f"{name} did not reach SystemVerilog"
    (work / "design.sv").write_text(design.sv)
    so = work / f"{name}_stall_sim.so"
    build_extension(work / "design.sv", design.manifest, so, trace=False, opt_level=0, jobs=2)
    golden = tuple(np.asarray(o) for o in design.golden.outputs)
    return load_simulator(so, design.manifest), [np.asarray(a) for a in design.golden.inputs], golden


@pytest.fixture(scope="module", params=CASES)
def case_sim(request, tmp_path_factory):
    return (request.param, *_compile(request.param, tmp_path_factory.mktemp(request.param)))


def test_stalled_runs_match_pytorch_and_take_longer(case_sim) -> None:
    name, sim, inputs, golden = case_sim
    plain = sim.run(inputs)
    assert_golden(plain.outputs, golden, f"{name} unstalled")
    assert sim.run(inputs, stalls=NO_STALLS).cycles == plain.cycles
    for pattern in PATTERNS:
        stalled = sim.run(inputs, stalls=pattern)
        assert_golden(stalled.outputs, golden, f"{name} {pattern}")
        assert stalled.cycles > plain.cycles, f"{name} {pattern}: {stalled.cycles} <= {plain.cycles} unstalled"
        print(f"{name}: {plain.cycles} cycles unstalled, {stalled.cycles} with {pattern}")


def test_the_same_seed_gives_the_same_cycles(case_sim) -> None:
    name, sim, inputs, _ = case_sim
    if name != CASES[0]:
        pytest.skip("one case is enough")
    pattern = PATTERNS[1]
    first, second = sim.run(inputs, stalls=pattern), sim.run(inputs, stalls=pattern)
    assert first.cycles == second.cycles and first.port_transfers == second.port_transfers
    other = sim.run(inputs, stalls=StallPattern(seed=99, ready_low=pattern.ready_low, max_latency=pattern.max_latency))
    assert other.cycles != first.cycles  # another seed, another schedule (true of this case and these seeds)


def test_restart_without_reset(case_sim) -> None:
    name, sim, inputs, golden = case_sim
    if name not in RESTART_CASES:
        pytest.skip("restart is checked on a few cases")
    plain = sim.run(inputs)
    twice = sim.run(inputs, inferences=2)
    assert len(twice.inference_cycles) == 2 and twice.cycles == twice.inference_cycles[0] == plain.cycles
    for index, outputs in enumerate(twice.inference_outputs):
        assert_golden(outputs, golden, f"{name} inference {index + 1} without reset")
    stalled = sim.run(inputs, inferences=2, stalls=PATTERNS[0])
    for index, outputs in enumerate(stalled.inference_outputs):
        assert_golden(outputs, golden, f"{name} inference {index + 1} without reset, {PATTERNS[0]}")
    print(f"{name}: restart cycles {twice.inference_cycles}, stalled {stalled.inference_cycles}")


def test_stall_pattern_rejects_nonsense() -> None:
    for bad in ({"ready_low": 1.0}, {"ready_low": -0.1}, {"max_latency": 0}, {"seed": -1}):
        with pytest.raises(ValueError):
            StallPattern(**bad)
    assert StallPattern() == NO_STALLS


def test_design_simulate_takes_a_stall_pattern() -> None:
    import torch_circt

    module, inputs = get_case("relu_i32").build()
    design = torch_circt.compile(module, inputs, target="rtl", name="relu_i32")
    plain, stalled = design.simulate(*inputs), design.simulate(*inputs, stalls=PATTERNS[1])
    assert stalled.cycles > plain.cycles
    for got, want in zip(stalled.outputs, design.golden.outputs, strict=True):
        assert np.array_equal(np.asarray(got), np.asarray(want))
