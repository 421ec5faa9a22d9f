"""Stream mode of the harness and the testbench, on a hand-written AXI4-Stream top (stream_design.py):
the same outputs and cycles from both, under stalls and across inferences, and a broken tlast caught."""

from __future__ import annotations

import numpy as np
import pytest

from backend.sim import SimulationError, SimulationTimeoutError, StallPattern, build_extension, load_simulator
from backend.sim.ports_source import render_ports_source
from backend.sim.tests.stream_design import (
    ADD_ONE_SV,
    DEPTH,
    GOOD_TLAST,
    UNSTALLED_CYCLES,
    expected,
    inputs,
    stream_manifest,
)
from backend.testbench import write_testbench
from backend.testbench.simulate import icarus_available, run_testbench

BAD_TLAST_SV = ADD_ONE_SV.replace(GOOD_TLAST, "assign y_tlast = y_n == N - 2;")


def _simulator(tmp_path_factory, sv: str, name: str):
    work = tmp_path_factory.mktemp(name)
    (work / "add_one.sv").write_text(sv)
    build_extension(work / "add_one.sv", stream_manifest(), work / f"{name}.so", opt_level=0, jobs=2)
    return load_simulator(work / f"{name}.so", stream_manifest())


@pytest.fixture(scope="module")
def stream_sim(tmp_path_factory):
    return _simulator(tmp_path_factory, ADD_ONE_SV, "add_one_sim")


def test_ports_source_binds_streams_and_not_start_or_done() -> None:
    source = render_ports_source(stream_manifest(), "add_one_sim")
    assert source.count("stream_inputs.push_back") == 2 and source.count("stream_outputs.push_back") == 1
    assert 'Channel{"a_tdata", port(top.a_tvalid), port(top.a_tready)}, port(top.a_tdata), port(top.a_tlast), 8}' in source
    assert "start =" not in source and "done =" not in source and "loads.push_back" not in source


def test_streams_in_and_out(stream_sim) -> None:
    a, b = inputs()
    result = stream_sim.run([a, b])
    np.testing.assert_array_equal(result.outputs[0], expected(a, b))
    assert result.outputs[0].dtype == np.int16
    assert result.cycles == UNSTALLED_CYCLES
    assert result.port_transfers == {"a_tdata": DEPTH, "b_tdata": DEPTH, "result0_tdata": DEPTH}


@pytest.mark.parametrize("stalls", [StallPattern(seed=1, ready_low=0.3, max_latency=3),
                                    StallPattern(seed=2, ready_low=0.5, max_latency=5)])
def test_stalled_streams_twice_without_reset(stream_sim, stalls) -> None:
    a, b = inputs()
    result = stream_sim.run([a, b], stalls=stalls, inferences=2)
    for outputs in result.inference_outputs:
        np.testing.assert_array_equal(outputs[0], expected(a, b))
    assert min(result.inference_cycles) > UNSTALLED_CYCLES
    assert stream_sim.run([a, b], stalls=stalls, inferences=2).inference_cycles == result.inference_cycles
    assert result.port_transfers["result0_tdata"] == 2 * DEPTH


def test_unstalled_restart_takes_the_same_cycles(stream_sim) -> None:
    a, b = inputs()
    result = stream_sim.run([a, b], inferences=2)
    assert result.inference_cycles == (UNSTALLED_CYCLES, UNSTALLED_CYCLES)
    np.testing.assert_array_equal(result.inference_outputs[1][0], expected(a, b))


def test_timeout_counts_each_stream(stream_sim) -> None:
    with pytest.raises(SimulationTimeoutError) as caught:
        stream_sim.run(list(inputs()), cycle_limit=5)
    text = str(caught.value)
    assert "the result streams never completed" in text
    assert "a_tdata: valid=1(tb) ready=1 transfers=5 of 6" in text
    assert "result0_tdata: valid=0 ready=1(tb) transfers=0 of 6" in text


def test_a_wrong_tlast_is_an_error(tmp_path_factory) -> None:
    sim = _simulator(tmp_path_factory, BAD_TLAST_SV, "bad_tlast_sim")
    with pytest.raises(SimulationError, match="result0_tdata element 4 of 6: tlast high"):
        sim.run(list(inputs()))


def _testbench(tmp_path, sv: str, outputs: np.ndarray):
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "add_one.sv").write_text(sv)
    write_testbench(tmp_path, stream_manifest(), inputs(), (outputs,))
    return tmp_path


@pytest.mark.parametrize("simulator", ["verilator", "icarus"])
def test_testbench_agrees_with_the_harness(tmp_path, simulator) -> None:
    if simulator == "icarus" and not icarus_available():
        pytest.skip("iverilog is not installed")
    verdict = run_testbench(_testbench(tmp_path, ADD_ONE_SV, expected(*inputs())), "add_one", simulator)
    assert verdict.passed, verdict.output
    assert verdict.cycles == UNSTALLED_CYCLES


@pytest.mark.skipif(not icarus_available(), reason="iverilog is not installed")
def test_testbench_fails_a_wrong_result_and_a_wrong_tlast(tmp_path) -> None:
    wrong = expected(*inputs())
    wrong[1, 2] += 1
    verdict = run_testbench(_testbench(tmp_path / "wrong", ADD_ONE_SV, wrong), "add_one", "icarus")
    assert not verdict.passed and "FAIL add_one result0[5] got 15 expected 16" in verdict.output
    verdict = run_testbench(_testbench(tmp_path / "tlast", BAD_TLAST_SV, expected(*inputs())), "add_one", "icarus")
    assert not verdict.passed and "FAIL add_one: result0_tdata element 4 of 6 has tlast=1" in verdict.output


def test_a_stream_of_distinct_inferences_is_fed_back_to_back(stream_sim) -> None:
    """Each inference gets its own inputs and results; the next inputs are offered while the previous result drains,
    so they go in the cycle the circuit takes them (add_one takes none until its result is out: interval 12)."""
    a, b = inputs()
    sets = [(a, b), (b, a), ((a // 2).astype(np.int8), b)]
    result = stream_sim.run_stream(sets)
    for outputs, (x, y) in zip(result.inference_outputs, sets, strict=True):
        np.testing.assert_array_equal(outputs[0], expected(x, y))
    assert result.completions == (UNSTALLED_CYCLES, 2 * UNSTALLED_CYCLES, 3 * UNSTALLED_CYCLES)
    assert result.interval == UNSTALLED_CYCLES and result.latency == UNSTALLED_CYCLES
    assert result.first_inputs[1] == result.completions[0]  # offered before: taken the first cycle a_tready is high
