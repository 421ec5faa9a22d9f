"""Outputs side by side (`RtlOptions.unroll_outputs`, FINN's PE): the same integers bit for bit in fewer cycles, the
input read once per step for all of them, the weights banked by row into ROMs."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import torch_circt
from backend.testbench.simulate import run_testbench
from common.errors import UserError
from frontend.torch.tests.layered_models import IntMLP
from torch_circt.options import Options, RtlOptions

X = torch.randint(-128, 128, (1, 8), generator=torch.Generator().manual_seed(3), dtype=torch.int8)


def test_a_layer_with_its_outputs_side_by_side_is_bit_exact_and_faster() -> None:
    model = IntMLP()
    one, side_by_side = (torch_circt.compile(model, (X,), target="rtl", name=f"mlp_pe{p}",
                                             options=Options(rtl=RtlOptions(unroll_outputs=p))) for p in (1, 6))
    checks = one.check(), side_by_side.check()
    assert all(check.matched for check in checks)
    # The three layers have 6, 5 and 3 outputs: each runs them all at once (6, 5 and 3 divide themselves), so the
    # reduction loops run 8 + 6 + 5 steps in all instead of 6*8 + 5*6 + 3*5.
    unrolled = side_by_side.ir("unroll-outputs")
    accumulators = [line.count("%arg") - 1 for line in unrolled.splitlines() if "iter_args(" in line]  # less the step's
    assert accumulators == [6, 5, 3], accumulators
    assert "_bank5" in unrolled and "_bank6" not in unrolled
    assert checks[1].simulation.cycles < checks[0].simulation.cycles, [c.simulation.cycles for c in checks]


def test_a_layer_with_all_outputs_side_by_side_applies_its_epilogue_to_each_sum(tmp_path: Path) -> None:
    # Every layer of IntMLP has all its outputs side by side at 6. The first two layers' requantisation is
    # recomputed inside the next layer's reduction (fuse-elementwise); the last one's (shift, clamp, cast) is a
    # loop of its own, which fuse-epilogues replaces by a copy per sum right after the reduction, so the 3
    # results go through 3 ports of the result's memory at once.
    design = torch_circt.compile(IntMLP(), (X,), target="rtl", name="mlp_epilogues",
                                 options=Options(rtl=RtlOptions(unroll_outputs=6)))
    loops = [design.ir(stage).count("affine.for") for stage in ("unroll-outputs", "fuse-epilogues")]
    assert loops[0] - loops[1] == 1, loops
    (result,) = [memory for memory in design.manifest.memories if memory.role == "result"]
    assert len(result.stores) == 3 and not result.loads
    check = design.check()
    assert check.matched
    # the testbench drives the three store ports as the harness does
    saved = design.save(tmp_path / "out")
    verdict = run_testbench(saved, design.name, "verilator")
    assert verdict.passed and verdict.cycles == check.simulation.cycles, verdict.output[-4000:]
    # the report says its loop bound counts one output at a time
    assert "each loop around a reduction, in program order: 6, 5, 3 (unroll-outputs" in (saved / "report.md").read_text()


def test_each_layer_takes_the_outputs_side_by_side_it_is_given() -> None:
    # IntMLP's three loops around a reduction (6, 5 and 3 outputs), given 2, 5 and 1: the first runs 3 passes of 2,
    # the second all 5 at once, the last one at a time.
    design = torch_circt.compile(IntMLP(), (X,), target="rtl", name="mlp_pe_layers",
                                 options=Options(rtl=RtlOptions(unroll_layers=(2, 5, 1))))
    assert design.outputs_side_by_side == (2, 5, 1)
    accumulators = [line.count("%arg") - 1 for line in design.ir("unroll-outputs").splitlines() if "iter_args(" in line]
    assert accumulators == [2, 5, 1], accumulators
    assert design.check().matched


def test_a_wrong_number_of_layers_says_how_many_to_give() -> None:
    with pytest.raises(UserError) as caught:
        torch_circt.compile(IntMLP(), (X,), target="rtl", name="mlp_pe_miscount",
                            options=Options(rtl=RtlOptions(unroll_layers=(2, 5))))
    assert caught.value.stage == "unroll-outputs" and "give 3" in str(caught.value), str(caught.value)
