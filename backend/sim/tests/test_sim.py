"""Build a tiny design into an extension, run it, compare with PyTorch bit for bit."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from backend.rtl.manifest import PortManifest
from backend.rtl.tests.models import add_model, compile_to_rtl
from backend.sim import SimulationTimeoutError, build_extension, load_simulator, simulator
from backend.sim.build_extension import automatic_opt_level
from backend.sim.ports_source import render_ports_source


@pytest.fixture(scope="module")
def add_sim(tmp_path_factory):
    mlir, metadata, inputs = add_model()
    design = compile_to_rtl(mlir, metadata)
    work = tmp_path_factory.mktemp("add")
    (work / "add.sv").write_text(design.sv)
    build_extension(work / "add.sv", design.manifest, work / "add_sim.so", trace=True, opt_level=0, jobs=2)
    return load_simulator(work / "add_sim.so", design.manifest), inputs


def test_add_matches_torch_bit_for_bit(add_sim) -> None:
    sim, inputs = add_sim
    result = sim.run([t.numpy() for t in inputs])
    expected = (inputs[0] + inputs[1]).numpy()  # includes int32 wrap-around at 2**31 - 1
    assert result.outputs[0].dtype == expected.dtype
    np.testing.assert_array_equal(result.outputs[0], expected)
    assert result.cycles > 0


def test_runs_are_independent_and_write_a_vcd(add_sim, tmp_path: Path) -> None:
    sim, inputs = add_sim
    first = sim.run([t.numpy() for t in inputs])
    second = sim.run([t.numpy() for t in inputs], vcd=tmp_path / "wave.vcd")
    assert first.cycles == second.cycles
    assert (tmp_path / "wave.vcd").read_text().startswith("$")


def test_cycle_limit_names_the_stuck_handshake(add_sim) -> None:
    sim, inputs = add_sim
    with pytest.raises(SimulationTimeoutError) as caught:
        sim.run([t.numpy() for t in inputs], cycle_limit=5)  # less than the 6 iterations alone need
    text = str(caught.value)
    assert "[simulate]" in text and "5 cycles" in text and "never asserted" in text
    assert "done_valid" in text


def test_the_manifest_carries_the_loop_bound(add_sim) -> None:
    sim, _ = add_sim
    assert sim.manifest.loop_bound == 6  # a 2x3 elementwise add: one innermost iteration per element
    assert PortManifest.from_json(sim.manifest.to_json()).loop_bound == 6


def test_the_automatic_cycle_limit_follows_the_loop_bound(add_sim, monkeypatch) -> None:
    sim, inputs = add_sim
    arrays = [t.numpy() for t in inputs]
    # one cycle per iteration and nothing for filling the pipeline: too short for any circuit
    monkeypatch.setattr(simulator, "CYCLES_PER_LOOP_ITERATION", 1)
    monkeypatch.setattr(simulator, "FIXED_CYCLES", 0)
    with pytest.raises(SimulationTimeoutError) as caught:
        sim.run(arrays)
    text = str(caught.value)
    assert "ran 6 cycles (limit 6)" in text and "automatic: 1 x loop bound 6 + 0" in text
    assert "done_valid" in text
    assert sim.run(arrays, cycle_limit=10_000).cycles > 6  # an explicit limit wins


def test_a_manifest_without_a_loop_bound_gets_the_fixed_limit(add_sim) -> None:
    sim, _ = add_sim
    unknown = dataclasses.replace(sim.manifest, loop_bound=None)
    assert simulator.automatic_cycle_limit(unknown) == simulator.CYCLES_WITHOUT_LOOP_BOUND
    bigger = dataclasses.replace(sim.manifest, loop_bound=10 * sim.manifest.loop_bound)
    assert simulator.automatic_cycle_limit(bigger) > simulator.automatic_cycle_limit(sim.manifest)


def test_only_a_long_run_gets_an_optimised_model(add_sim) -> None:
    manifest = add_sim[0].manifest
    assert automatic_opt_level(manifest) == 0
    assert automatic_opt_level(dataclasses.replace(manifest, loop_bound=None)) == 0
    assert automatic_opt_level(dataclasses.replace(manifest, loop_bound=64**3)) > 0


def test_ports_source_binds_every_port() -> None:
    mlir, metadata, _ = add_model()
    manifest = compile_to_rtl(mlir, metadata).manifest
    source = render_ports_source(manifest, "add_sim")
    assert "PyInit_add_sim()" in source
    assert source.count("loads.push_back") == 2 and source.count("stores.push_back") == 1
