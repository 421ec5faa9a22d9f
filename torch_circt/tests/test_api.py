"""`torch_circt.compile` as a Python user calls it: targets, options, stage IR, checks, saving, inputs."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import torch

import torch_circt
from torch_circt.outdir import leftovers
from torch_circt.report import render_markdown


class ScaleAdd(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("w", torch.tensor([3, -2, 5, 7], dtype=torch.int32))

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return x * self.w + y


def _ints(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return tuple(torch.randint(-100, 100, (2, 4), generator=g, dtype=torch.int32) for _ in range(2))


@pytest.fixture(scope="module")
def rtl_design() -> torch_circt.Design:
    return torch_circt.compile(ScaleAdd(), _ints(0), target="rtl")


def test_rtl_check_matches_bit_for_bit_with_cycles(rtl_design) -> None:
    check = rtl_design.check()
    assert check.matched and check.exact and check.simulation.cycles > 0
    assert str(check).startswith("MATCH rtl: 1/1 results bit for bit, ")
    # The top is named after the model (ScaleAdd -> scale_add), no longer CIRCT's `main` (docs/interface.md, "Names").
    assert rtl_design.sv.count("module scale_add(") == 1 and rtl_design.manifest.top == "scale_add"
    assert "module main(" not in rtl_design.sv


def test_simulate_on_new_inputs_computes_what_pytorch_computes(rtl_design) -> None:
    x, y = _ints(1)
    outputs = rtl_design.simulate(x, y).outputs
    np.testing.assert_array_equal(outputs[0], ScaleAdd()(x, y).numpy())


def test_simulate_many_runs_each_input_set_from_reset(rtl_design) -> None:
    sets = [_ints(seed) for seed in (2, 3, 2)]
    runs = rtl_design.simulate_many(sets)
    assert len(runs) == 3 and all(run.cycles > 0 for run in runs)
    for (x, y), run in zip(sets, runs):
        np.testing.assert_array_equal(run.outputs[0], ScaleAdd()(x, y).numpy())
    assert runs[0].cycles == runs[2].cycles  # the same inputs again: no state carried over


def test_every_stage_ir_is_on_the_design(rtl_design) -> None:
    names = rtl_design.stage_names
    assert names[:6] == ["fx_import", "torch_backend", "linalg_on_tensors", "integer_idioms", "distinct_results",
                         "check-signature"]
    assert names[-1] == "export-verilog" and "handshake-buffers" in names
    assert "handshake.func" in rtl_design.ir("cf-to-handshake")
    assert rtl_design.linalg == rtl_design.ir("check-signature")
    assert rtl_design.input_of("lower-to-affine") == rtl_design.ir(names[names.index("lower-to-affine") - 1])
    with pytest.raises(KeyError, match="no stage 'nope'"):
        rtl_design.ir("nope")


def test_report_has_the_cycles_and_the_check(rtl_design) -> None:
    rtl_design.check()
    report = rtl_design.report
    rtl = report["rtl"]
    assert report["matched"] is True and rtl["ideal_cycles"] >= 8  # at least one iteration per output element
    assert rtl["ratio"] == pytest.approx(rtl["cycles"] / rtl["ideal_cycles"])


def test_save_writes_the_whole_directory_and_replaces(rtl_design, tmp_path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "stale").write_text("x")
    rtl_design.save(target, all_ir=True)
    files = {p.name for p in target.iterdir()}
    assert {"scale_add.sv", "manifest.json", "scale_add.linalg.mlir", "report.json", "golden.npz"} <= files
    assert "stale" not in files and "05_check-signature.mlir" in files and leftovers(tmp_path) == []
    assert sorted(json.loads((target / "report.json").read_text())["files"]) == sorted(files)


def test_design_repr_is_a_line_not_its_ir(rtl_design) -> None:
    rtl_design.check()
    text = repr(rtl_design)
    assert len(text) < 400 and "\n" not in text, text
    assert text.startswith("Design('scale_add', target='rtl', emit='sv', stages=")
    assert "x: int32[2, 4], y: int32[2, 4]" in text and "loop_bound=" in text and "check=MATCH rtl, " in text
    assert "text=" not in repr(rtl_design.stages[0])  # a stage prints its name and time, not its IR


def test_dir_lists_the_public_names_and_each_resolves() -> None:
    names = dir(torch_circt)
    assert {"quantize", "Design", "compile"} <= set(names) and not {"Any", "TYPE_CHECKING"} & set(names)
    assert names == sorted(torch_circt.__all__)
    for name in torch_circt.__all__:
        assert getattr(torch_circt, name) is not None, name


def test_options_reach_the_passes() -> None:
    one = torch_circt.compile(ScaleAdd(), _ints(0), options=torch_circt.Options(
        emit="hw", rtl=torch_circt.RtlOptions(buffer_size=2)))
    two = torch_circt.compile(ScaleAdd(), _ints(0), options=torch_circt.Options(emit="hw"))
    assert _buffer_slots(one.ir("handshake-buffers")) == {2} and _buffer_slots(two.ir("handshake-buffers")) == {1}
    assert one.stage_names[-1] == "internal-parameters" and one.sv is None
    old = torch_circt.compile(ScaleAdd(), _ints(0), options=torch_circt.Options(
        emit="hw", rtl=torch_circt.RtlOptions.unpipelined()))
    pipelining = {"scalar-replacement", "coalesce-loops", "sink-constants", "completion-carrier", "wire-completion",
                  "source-constants", "throughput-buffers"}
    assert pipelining <= set(two.stage_names) and not pipelining & set(old.stage_names)


def _buffer_slots(handshake: str) -> set[int]:
    """The slot counts of the buffers in handshake IR (`handshake.buffer [N] seq ...`)."""
    return {int(n) for n in re.findall(r"buffer \[(\d+)\]", handshake)}


def test_emit_handshake_stops_early_and_cannot_simulate() -> None:
    design = torch_circt.compile(ScaleAdd(), _ints(0), options=torch_circt.Options(emit="handshake"))
    assert design.stage_names[-1] == "join-extmem-ports" and design.manifest is not None
    with pytest.raises(torch_circt.UserError, match="emit='handshake'; there is nothing to run yet"):
        design.simulate(*_ints(0))


def test_float_model_on_cpu_within_tolerance() -> None:
    class Softmax(torch.nn.Module):
        def forward(self, x):
            return torch.softmax(x, dim=-1) * 3.0

    design = torch_circt.compile(Softmax(), (torch.randn(3, 5),), target="cpu")
    check = design.check()
    assert check.matched and not check.exact and check.simulation.cycles is None


def test_bfloat16_design_simulates_bfloat16_tensors_as_eager_computes_them() -> None:
    """`compile` accepts bfloat16 inputs, so `simulate` must too; results are bfloat16 values held in float32."""
    model = torch.nn.Sequential(torch.nn.Linear(8, 4), torch.nn.Tanh()).to(torch.bfloat16)
    g = torch.Generator().manual_seed(5)
    example, other = (torch.randn(3, 8, generator=g).bfloat16() for _ in range(2))
    design = torch_circt.compile(model, (example,), target="cpu")
    (got,) = design.simulate(other).outputs
    with torch.no_grad():
        expected = model(other).float().numpy()
    assert got.dtype == np.float32 and np.array_equal(torch.from_numpy(got).bfloat16().float().numpy(), got)
    rtol, atol = torch_circt.Tolerance().for_dtype("bfloat16")
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol)


def test_exported_program_is_accepted_as_is() -> None:
    program = torch.export.export(ScaleAdd(), _ints(0))
    design = torch_circt.compile(program, _ints(0), target="cpu")
    # named after its class, as a module is: no longer "program", a SystemVerilog reserved word that names no top module
    assert design.name == "exported_program" and design.check().matched


def test_callers_tensors_are_never_modified() -> None:
    class InPlace(torch.nn.Module):
        def forward(self, x):
            x.add_(1)
            return x * 2

    x = torch.arange(4, dtype=torch.int32)
    design = torch_circt.compile(InPlace(), (x,), target="cpu", options=torch_circt.Options(emit="linalg"))
    assert torch.equal(x, torch.arange(4, dtype=torch.int32))
    np.testing.assert_array_equal(design.golden.inputs[0], np.arange(4, dtype=np.int32))


def test_on_stage_sees_each_stage_as_it_finishes() -> None:
    seen = []
    torch_circt.compile(ScaleAdd(), _ints(0), target="cpu", on_stage=lambda r: seen.append((r.group, r.name)))
    assert seen[0] == ("frontend", "fx_import") and seen[-1] == ("cpu", "llvm")


def test_report_says_what_was_baked_in_and_what_came_back_as_python_scalars() -> None:
    class Scaled(torch.nn.Module):
        def forward(self, x, factor: int, label: str):
            return x * factor, x.numel()

    x = torch.arange(6, dtype=torch.int32).reshape(2, 3)
    design = torch_circt.compile(Scaled(), (x, -4, "demo"), target="cpu")
    assert design.check().matched
    report = design.report
    assert report["baked_arguments"] == [{"name": "factor", "kind": "int", "value": "-4"},
                                         {"name": "label", "kind": "str", "value": "'demo'"}]
    assert report["python_results"] == {"result1": "int"}
    markdown = render_markdown(report)
    assert "`factor` = -4 (int)" in markdown and "`result1` (int)" in markdown
