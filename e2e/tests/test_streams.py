"""The AXI4-Stream top (docs/interface.md, "Streams") on suite cases: bit for bit, stalled, restarted, in any simulator.

Each case is compiled with `interface="stream"` and built once. Its harness then feeds
every input stream and drains every result stream, without stalls and under three
seeded stall patterns (tvalid offers and treadys held low at random), and twice in a
row without reset; every run must give eager PyTorch's outputs bit for bit. The
unstalled cycles must cover the transfers the shapes demand (one element per cycle per
stream: the longest input, then the longest result); a stalled run must take longer.
The emitted top must have no port but clock, reset and the streams, and the generated
testbench must pass under Verilator and Icarus on some of the cases.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from backend.sim import StallPattern, build_extension, load_simulator
from backend.testbench.simulate import icarus_available, run_testbench
from e2e.suite import get_case
from e2e.tests.protocol import CASES, PATTERNS, RESTART_CASES, assert_golden

TESTBENCH_CASES = ("conv2d_i32", "multi_output_i32", "add_broadcast_i32")


def _options():
    import torch_circt

    return torch_circt.Options(rtl=torch_circt.RtlOptions(interface="stream"))


@pytest.fixture(scope="module", params=CASES)
def stream_design(request, tmp_path_factory):
    """(name, design, simulator, inputs, golden) of one case compiled with the stream top."""
    import torch_circt

    name = request.param
    module, inputs = get_case(name).build()
    design = torch_circt.compile(module, inputs, target="rtl", name=name, options=_options())
    assert design.sv is not None and design.manifest.interface == "stream", name
    work = tmp_path_factory.mktemp(name)
    (work / "design.sv").write_text(design.sv)
    so = work / f"{name}_stream_sim.so"
    build_extension(work / "design.sv", design.manifest, so, trace=False, opt_level=0, jobs=2)
    golden = tuple(np.asarray(o) for o in design.golden.outputs)
    return name, design, load_simulator(so, design.manifest), [np.asarray(a) for a in design.golden.inputs], golden


def _top_ports(sv: str, top: str) -> set[str]:
    header = re.search(rf"^module {top}\((.*?)\);", sv, flags=re.MULTILINE | re.DOTALL)
    assert header is not None, f"no module {top}"
    code = (line.split("//")[0].strip().rstrip(",") for line in header[1].splitlines())
    return {re.findall(r"\w+", line)[-1] for line in code if line}


def test_the_top_has_only_clock_reset_and_streams(stream_design) -> None:
    name, design, *_ = stream_design
    manifest = design.manifest
    expected = {manifest.clock, manifest.reset}
    for memory in manifest.memories:
        if memory.role == "param":
            assert memory.rom is not None or not (memory.loads or memory.stores), f"{name}: {memory.name} has ports"
            continue
        stream = memory.stream
        assert stream is not None and stream.direction == ("in" if memory.role == "arg" else "out"), memory.name
        assert stream.width == memory.element_width
        expected |= {stream.tdata, stream.tvalid, stream.tready, stream.tlast}
    assert _top_ports(design.sv, manifest.top) == expected == set(manifest.top_ports())


def test_streamed_runs_match_pytorch(stream_design) -> None:
    name, design, sim, inputs, golden = stream_design
    plain = sim.run(inputs)
    assert_golden(plain.outputs, golden, f"{name} streamed")
    # every element is one transfer: the longest input arrives before the run, the longest result leaves after it
    longest_in = max((math.prod(np.shape(a)) for a in inputs), default=0)
    longest_out = max(math.prod(np.shape(g)) for g in golden)
    assert plain.cycles >= longest_in + longest_out, f"{name}: {plain.cycles} cycles for {longest_in} + {longest_out} transfers"
    for pattern in PATTERNS:
        stalled = sim.run(inputs, stalls=pattern)
        assert_golden(stalled.outputs, golden, f"{name} streamed, {pattern}")
        assert stalled.cycles > plain.cycles, f"{name} {pattern}: {stalled.cycles} <= {plain.cycles} unstalled"
        print(f"{name}: {plain.cycles} cycles streamed, {stalled.cycles} with {pattern}")


def test_the_next_inference_streams_without_reset(stream_design) -> None:
    name, _, sim, inputs, golden = stream_design
    if name not in RESTART_CASES:
        pytest.skip("restart is checked on a few cases")
    twice = sim.run(inputs, inferences=2)
    single = sim.run(inputs).cycles
    # The second inference's inputs go into the other bank while the first runs, and the first's results leave while
    # the second runs: from the first result to the second, only the circuit's own work is left.
    assert twice.inference_cycles[0] == single and twice.inference_cycles[1] < single, (twice.inference_cycles, single)
    for index, outputs in enumerate(twice.inference_outputs):
        assert_golden(outputs, golden, f"{name} streamed inference {index + 1}")
    stalled = sim.run(inputs, inferences=2, stalls=StallPattern(seed=7, ready_low=0.4, max_latency=2))
    for index, outputs in enumerate(stalled.inference_outputs):
        assert_golden(outputs, golden, f"{name} streamed inference {index + 1}, stalled")
    print(f"{name}: streamed restart cycles {twice.inference_cycles}, stalled {stalled.inference_cycles}")


@pytest.mark.parametrize("simulator", ("verilator", "icarus"))
def test_the_stream_testbench_passes(stream_design, simulator: str, tmp_path: Path) -> None:
    name, design, sim, inputs, _ = stream_design
    if name not in TESTBENCH_CASES:
        pytest.skip("the testbench is run on a few cases")
    if simulator == "icarus" and not icarus_available():
        pytest.skip("iverilog is not installed (./bazelw installs it)")
    folder = design.save(tmp_path / "out")
    if simulator == "icarus" and "'{" in (folder / f"{name}.sv").read_text():
        pytest.skip("Icarus Verilog 11 rejects the packed-struct assignment pattern this design keeps "
                    "(a one-word memory's zero-width address; backend/rtl/circt_side LOWERING_OPTIONS)")
    verdict = run_testbench(folder, name, simulator)
    assert verdict.passed, verdict.output[-4000:]
    assert verdict.cycles == sim.run(inputs).cycles  # the testbench counts as the harness does
