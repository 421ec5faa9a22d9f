"""The flow's RTL half end to end up to SystemVerilog: ports, params, determinism, errors, dumps."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from backend.rtl import PortManifest
from backend.rtl.tests.models import FloatScale, add_model, compile_to_rtl, import_model, linear_model
from common.errors import UnsupportedDtypeError
from common.pipeline_text import module_pipeline, nested, pass_spec
from torch_circt.options import RtlOptions


@pytest.fixture(scope="module")
def add():
    return add_model()


def test_add_compiles_to_sv_with_a_manifest(add) -> None:
    mlir, metadata, _ = add
    design = compile_to_rtl(mlir, metadata)
    assert "module add(" in design.sv and "module main(" not in design.sv
    manifest = design.manifest
    assert (manifest.top, manifest.clock, manifest.reset, manifest.reset_active_high) == ("add", "clock", "reset", True)
    assert [m.role for m in manifest.memories] == ["arg", "arg", "result"]
    a, b, out = manifest.memories
    assert (a.depth, a.element_width, a.signed, a.shape) == (6, 32, True, (2, 3))
    assert len(a.loads) == 1 and not a.stores and len(out.stores) == 1
    for port in (a.loads[0].addr.data, a.loads[0].data.valid, out.stores[0].request.data, manifest.start.valid):
        assert port in design.sv
    # Ports carry the tensor's name (docs/interface.md, "Names"), and the SystemVerilog declares exactly those.
    assert (a.loads[0].addr.data, a.loads[0].data.data, b.loads[0].name) == ("arg0_ld0_addr", "arg0_ld0_data", "arg1_ld0")
    assert (out.stores[0].request.data, out.stores[0].done.valid) == ("result0_st0", "result0_st0_done_valid")
    assert (manifest.start.valid, manifest.done.ready) == ("start_valid", "done_ready")
    assert "export-verilog" in design.stage_names and "bufferize" in design.stage_names


def test_manifest_json_round_trips(add, tmp_path: Path) -> None:
    manifest = compile_to_rtl(add[0], add[1]).manifest
    manifest.save(tmp_path / "m.json")
    assert PortManifest.load(tmp_path / "m.json") == manifest
    assert PortManifest.from_json(manifest.to_json()).to_json() == manifest.to_json()


def test_same_input_gives_identical_sv(add) -> None:
    assert compile_to_rtl(*add[:2]).sv == compile_to_rtl(*add[:2]).sv


def test_parameters_become_memories_with_their_values() -> None:
    mlir, metadata, _ = linear_model()
    inside = compile_to_rtl(mlir, metadata).manifest
    ports = compile_to_rtl(mlir, metadata, rtl=RtlOptions(parameters="ports")).manifest
    for manifest in (inside, ports):
        params = manifest.memories_with_role("param")
        values = {p.shape: p.init for p in params}
        assert values[(3,)] == (1, -2, 3)
        assert values[(3, 4)] == tuple(range(-6, 6))
    # by default each is a ROM of the circuit, with no port; as ports, one load port each
    assert all(not p.loads and not p.stores and p.rom for p in inside.memories_with_role("param"))
    assert all(len(p.loads) == 1 and not p.stores and p.rom is None for p in ports.memories_with_role("param"))


def test_float_model_is_refused_before_lowering() -> None:
    x = torch.ones(2, 2, dtype=torch.float32)
    mlir, metadata = import_model("floaty", FloatScale(), (x,))
    with pytest.raises(UnsupportedDtypeError) as caught:
        compile_to_rtl(mlir, metadata)
    text = str(caught.value)
    assert "integer-only" in text and "float32" in text
    assert caught.value.op is not None and caught.value.op in text


def test_raw_float_idiom_is_refused_without_the_frontend_rewrite() -> None:
    """torch-mlir alone lowers integer floor division through f64; our frontend rewrites it
    (frontend/torch/_integer_idioms.py). IR that skipped the frontend is refused, not miscompiled."""

    class FloorDiv(torch.nn.Module):
        def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
            return torch.div(a, b, rounding_mode="floor")

    inputs = (torch.tensor([-7, 7], dtype=torch.int32), torch.tensor([2, -2], dtype=torch.int32))
    mlir, metadata = import_model("floordiv", FloorDiv(), inputs)
    assert "sitofp" in mlir
    with pytest.raises(UnsupportedDtypeError, match="integer-only"):
        compile_to_rtl(mlir, metadata)


def test_each_stage_dumps_its_ir(add, tmp_path: Path) -> None:
    compile_to_rtl(*add[:2], dump_dir=tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names[0] == "00_check-dtypes.mlir"
    assert any("cf-to-handshake" in n for n in names) and names[-1].endswith("export-verilog.mlir")


def test_pass_options_render_once() -> None:
    spec = pass_spec("one-shot-bufferize", {"bufferize-function-boundaries": True, "x": "y", "off": False})
    assert spec == "one-shot-bufferize{bufferize-function-boundaries x=y}"
    assert module_pipeline([nested("func.func", ["a", "b"])]) == "builtin.module(func.func(a,b))"
