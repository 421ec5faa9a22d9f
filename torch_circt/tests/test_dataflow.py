"""`RtlOptions(dataflow=True)`: one circuit per layer, chained stream to stream, bit for bit, and a stream's
interval below the one-engine design's (the layers work on different inferences at once)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import torch_circt
from backend.sim import StallPattern
from backend.testbench.simulate import run_testbench
from frontend.torch.tests.layered_models import IntMLP, Residual
from torch_circt.options import Options, RtlOptions

GENERATOR = torch.Generator().manual_seed(1)
INPUTS = [torch.randint(-128, 128, (2, 8), generator=GENERATOR, dtype=torch.int8) for _ in range(6)]
MODEL = IntMLP()
STREAM = Options(rtl=RtlOptions(interface="stream"))
DATAFLOW = Options(rtl=RtlOptions(interface="stream", dataflow=True))


@pytest.fixture(scope="module")
def chained() -> torch_circt.Design:
    return torch_circt.compile(MODEL, (INPUTS[0],), target="rtl", options=DATAFLOW, name="int_mlp_chain")


def test_each_layer_is_a_circuit_of_its_own_behind_the_chains_streams(chained: torch_circt.Design) -> None:
    assert [part.name for part in chained.parts] == [f"int_mlp_chain_layer{k}" for k in range(3)]
    assert set(chained.manifest.top_ports()) == {"clock", "reset", *(f"{t}_{s}" for t in ("x", "result0")
                                                                     for s in ("tdata", "tvalid", "tready", "tlast"))}
    for k in range(3):
        assert f"  int_mlp_chain_layer{k} stage{k} (" in chained.sv
    assert chained.check().matched
    stages = chained.report["rtl"]["stages"]
    assert [s["top"] for s in stages] == [part.name for part in chained.parts]
    assert sum(s["ideal_cycles"] for s in stages) == chained.report["rtl"]["ideal_cycles"]


def test_a_stream_through_the_chain_is_bit_exact_and_faster_than_one_engine(chained: torch_circt.Design) -> None:
    one_engine = torch_circt.compile(MODEL, (INPUTS[0],), target="rtl", options=STREAM, name="int_mlp_engine")
    runs = [(x,) for x in INPUTS]
    stream, single = chained.simulate_stream(runs), one_engine.simulate_stream(runs)
    for outputs, x in zip(stream.outputs, INPUTS, strict=True):
        assert torch.equal(torch.from_numpy(outputs[0]), MODEL(x))
    # the engine runs its three layers one after another per inference; the chain's layers overlap
    assert stream.interval < single.interval, (stream.interval, single.interval)


def test_the_chain_holds_under_stalls_and_its_testbench_passes(chained: torch_circt.Design, tmp_path: Path) -> None:
    """The links between stages are handshakes like any other: a stalled stream still gives every result bit for bit,
    and the testbench saved beside the chain (its stream ports) passes under Verilator in the harness's cycles."""
    stalled = chained.simulate_stream([(x,) for x in INPUTS[:3]], stalls=StallPattern(seed=5, ready_low=0.4, max_latency=3))
    for outputs, x in zip(stalled.outputs, INPUTS, strict=False):
        assert torch.equal(torch.from_numpy(outputs[0]), MODEL(x))
    verdict = run_testbench(chained.save(tmp_path / "out"), chained.name, "verilator")
    assert verdict.passed, verdict.output[-4000:]
    assert verdict.cycles == chained.simulate(INPUTS[0]).cycles


def test_a_program_without_a_sound_cut_is_one_stage() -> None:
    model = Residual()
    design = torch_circt.compile(model, (INPUTS[0],), target="rtl", options=DATAFLOW, name="residual_chain")
    assert len(design.parts) == 1
    assert design.check().matched


def test_dataflow_needs_stream_tops() -> None:
    with pytest.raises(ValueError, match="interface='stream'"):
        Options(rtl=RtlOptions(dataflow=True))


def test_fold_layers_gives_one_fold_per_stage() -> None:
    options = Options(rtl=RtlOptions(interface="stream", dataflow=True, fold_layers=(2, 2)))
    with pytest.raises(torch_circt.UserError, match="3 layers as stages"):
        torch_circt.compile(MODEL, (INPUTS[0],), target="rtl", options=options, name="int_mlp_folds")


def test_a_target_interval_plans_each_stage_alone(chained: torch_circt.Design) -> None:
    """Each stage takes the outputs side by side its own loops need for the target (the chain's interval is the
    slowest stage's, so each is planned for the interval alone), and the stream stays bit for bit and gets faster."""
    options = Options(rtl=RtlOptions(interface="stream", dataflow=True, target_interval=40))
    planned = torch_circt.compile(MODEL, (INPUTS[0],), target="rtl", options=options, name="int_mlp_planned")
    widths = [part.outputs_side_by_side for part in planned.parts]
    assert planned.outputs_side_by_side == tuple(w for part in widths for w in part)
    assert max(widths[0]) > 1, widths  # the first layer (96 iterations) is over the target alone
    runs = [(x,) for x in INPUTS]
    stream, unplanned = planned.simulate_stream(runs), chained.simulate_stream(runs)
    for outputs, x in zip(stream.outputs, INPUTS, strict=True):
        assert torch.equal(torch.from_numpy(outputs[0]), MODEL(x))
    assert stream.interval < unplanned.interval, (stream.interval, unplanned.interval)


def test_unroll_layers_gives_one_width_per_stage() -> None:
    options = Options(rtl=RtlOptions(interface="stream", dataflow=True, unroll_layers=(3, 5, 1)))
    design = torch_circt.compile(MODEL, (INPUTS[0],), target="rtl", options=options, name="int_mlp_widths")
    assert [part.outputs_side_by_side for part in design.parts] == [(3,), (5,), (1,)]
    assert design.check().matched
