"""Drop-in hardware: a design is named after its model, so two designs link into one netlist (docs/interface.md, "Names")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch

import torch_circt
from backend.sim.lint import main as lint
from torch_circt.report import render_markdown

INPUTS = (torch.arange(-4, 4, dtype=torch.int32).reshape(2, 4),)


class ScaleShift(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * 3 - 1


class IntLinear(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.weight = torch.nn.Parameter(torch.arange(12, dtype=torch.int32).reshape(3, 4) - 6, requires_grad=False)
        self.bias = torch.nn.Parameter(torch.tensor([5, -5, 7], dtype=torch.int32), requires_grad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.weight.T + self.bias


class TinyNet(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = IntLinear()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc1(x)


def _sv(design: torch_circt.Design) -> str:
    return design.sv or ""


@pytest.fixture(scope="module")
def designs() -> tuple[torch_circt.Design, torch_circt.Design]:
    return (torch_circt.compile(ScaleShift(), INPUTS, target="rtl"),
            torch_circt.compile(TinyNet(), INPUTS, target="rtl", name="tiny top"))


@pytest.fixture(scope="module")
def with_ports() -> torch_circt.Design:
    """TinyNet with its parameters left as memory ports, as before `internal-parameters`."""
    options = torch_circt.Options(rtl=torch_circt.RtlOptions(parameters="ports"))
    return torch_circt.compile(TinyNet(), INPUTS, target="rtl", name="tiny top", options=options)


def _modules(sv: str) -> list[str]:
    return re.findall(r"^module (\w+)", sv, flags=re.MULTILINE)


def _ports(sv: str, top: str) -> set[str]:
    header = re.search(rf"^module {top}\((.*?)\);", sv, flags=re.MULTILINE | re.DOTALL)
    assert header is not None, f"no module {top}"
    # one port a line, its name last; a zero-width port is commented out, as it is no port
    code = (line.split("//")[0].strip().rstrip(",") for line in header[1].splitlines())
    return {re.findall(r"\w+", line)[-1] for line in code if line}


def test_the_top_is_named_after_the_model_and_every_module_after_the_top(designs) -> None:
    shift, net = designs
    assert (shift.manifest.top, net.manifest.top) == ("scale_shift", "tiny_top")  # class name, or name= made legal
    for design in designs:
        modules = _modules(_sv(design))
        assert design.manifest.top in modules and len(modules) > 1
        assert all(m == design.manifest.top or m.startswith(f"{design.manifest.top}_") for m in modules)


def test_two_designs_lint_as_one_netlist(designs, tmp_path: Path) -> None:
    paths = []
    for design in designs:
        paths.append(tmp_path / f"{design.manifest.top}.sv")
        paths[-1].write_text(_sv(design))
    assert not set(_modules(_sv(designs[0]))) & set(_modules(_sv(designs[1])))
    assert lint([str(p) for p in paths]) == 0
    assert lint([str(paths[0]), str(paths[0])]) != 0  # the same design twice: every module a duplicate


@pytest.mark.parametrize("parameters", ["internal", "ports"])
def test_ports_and_memories_carry_the_model_names(designs, with_ports, parameters: str) -> None:
    net = designs[1] if parameters == "internal" else with_ports
    manifest = net.manifest
    memories = {m.name: m for m in manifest.memories}
    # parameters by their state_dict names; `x @ weight.T` reads the weight transposed, and fuse-elementwise
    # folds that transpose into the constant, so its memory says so and holds weight.T, row-major
    assert set(memories) == {"x", "result0", "fc1.weight.permuted", "fc1.bias"}
    transposed = (torch.arange(12).reshape(3, 4) - 6).T
    assert memories["fc1.weight.permuted"].init == tuple(transposed.reshape(-1).tolist())
    if parameters == "ports":
        weight = memories["fc1.weight.permuted"]
        assert weight.loads[0].addr.data == "fc1_weight_permuted_ld0_addr" and weight.rom is None
    else:  # held inside: no port of its own, its ROM named after the top and the tensor
        assert memories["fc1.weight.permuted"].loads == () and memories["fc1.weight.permuted"].rom == "tiny_top_fc1_weight_permuted_rom"
        assert "tiny_top_fc1_weight_permuted_rom" in _modules(_sv(net))
    declared = _ports(_sv(net), manifest.top)
    named = {manifest.clock, manifest.reset, manifest.start.valid, manifest.start.ready, manifest.done.valid, manifest.done.ready}
    for memory in manifest.memories:
        for load in memory.loads:
            named |= {load.addr.data, load.addr.valid, load.addr.ready, load.data.data, load.data.valid, load.data.ready}
        for store in memory.stores:
            named |= {store.request.data, store.request.valid, store.request.ready, store.done.valid, store.done.ready}
    assert named == declared  # the manifest names every port of the top, and nothing else
    assert set(manifest.top_ports()) == declared and len(manifest.top_ports()) == len(declared)


def test_a_named_design_is_reproducible(designs) -> None:
    again = torch_circt.compile(TinyNet(), INPUTS, target="rtl", name="tiny top")
    assert again.sv == designs[1].sv and again.manifest == designs[1].manifest


def test_the_report_lists_the_top_and_its_ports(designs, with_ports) -> None:
    _, net = designs
    interface = with_ports.report["rtl"]["interface"]
    assert (interface["clock"], interface["reset"], interface["start"], interface["done"]) == ("clock", "reset", "start", "done")
    ports = {m["tensor"]: m["ports"] for m in interface["memories"]}
    assert ports == {"x": ["x_ld0"], "result0": ["result0_st0"], "fc1.weight.permuted": ["fc1_weight_permuted_ld0"],
                     "fc1.bias": ["fc1_bias_ld0"]}
    markdown = render_markdown(with_ports.report)
    assert "Top module `tiny_top`" in markdown
    assert "| `fc1.weight.permuted` | param | int32 | [4, 3] | `fc1_weight_permuted_ld0` |" in markdown
    inside = render_markdown(net.report)
    assert "| `fc1.weight.permuted` | param | int32 | [4, 3] | none: inside the circuit, ROM `tiny_top_fc1_weight_permuted_rom` |" in inside
    # the instantiation template connects exactly the ports the SystemVerilog declares
    template = inside.split("```systemverilog\n", 1)[1].split("```", 1)[0]
    assert template.startswith("tiny_top u_tiny_top (")
    assert set(re.findall(r"^\s+\.(\w+)\s+\(\1\)", template, flags=re.MULTILINE)) == _ports(_sv(net), "tiny_top")
