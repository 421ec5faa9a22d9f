"""Every kind of reproducer a stage failure prints actually runs and reproduces the stage.

For one stage of each kind (a torch-mlir-opt pass stage of the frontend, a Python
pass-manager stage of the RTL torch side, a Python-only rewrite, the transport, a
CIRCT pass stage, the Verilog export, a CPU pass stage), we save the stage's real
input exactly as a failure does, run the printed commands in a shell, and compare
their output with what the stage produced in the flow.
"""

from __future__ import annotations

import subprocess

import pytest
import torch

import torch_circt
from common.reproducers import ReproducerContext, save_reproducer
from torch_circt import flow
from torch_circt.options import RtlOptions


class MulAdd(torch.nn.Module):
    def forward(self, x, y):
        return x * y + 3


@pytest.fixture(scope="module")
def designs():
    inputs = tuple(torch.arange(6, dtype=torch.int32).reshape(2, 3) for _ in range(2))
    return {t: torch_circt.compile(MulAdd(), inputs, target=t) for t in ("rtl", "cpu")}


CASES = [("rtl", "frontend", "torch_backend"), ("rtl", "rtl", "bufferize"), ("rtl", "rtl", "memory-interfaces"),
         ("rtl", "rtl", "transport"), ("rtl", "rtl", "cf-to-handshake"), ("rtl", "rtl", "export-verilog"),
         ("cpu", "cpu", "loops")]


@pytest.mark.parametrize(("target", "group", "stage"), CASES)
def test_reproducer_commands_rerun_the_stage(designs, target, group, stage, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TORCH_CIRCT_REPRO_DIR", str(tmp_path))
    design = designs[target]
    index = design.stage_names.index(stage)
    context = ReproducerContext(design.name, group, design.metadata.to_json(), RtlOptions().to_json())
    saved = save_reproducer(context, stage, index, design.stages[index - 1].text)
    commands = [saved.command]
    built = [s for s in flow.stages_of(group, design.metadata, RtlOptions()) if s.name == stage][0]
    if built.native is not None:
        commands.append(built.native(str(saved.input)))
    for command in commands:
        done = subprocess.run(command, shell=True, capture_output=True, text=True)
        assert done.returncode == 0, f"{command}\n{done.stderr}"
        assert done.stdout == design.ir(stage), command


def test_reproducer_folders_are_bounded_and_the_newest_kept(tmp_path, monkeypatch) -> None:
    from common.reproducers import MAX_KEPT

    monkeypatch.setenv("TORCH_CIRCT_REPRO_DIR", str(tmp_path))
    context = ReproducerContext("m", "rtl")
    saved = [save_reproducer(context, "bufferize", 5, f"// input {i}\n") for i in range(MAX_KEPT + 5)]
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert len(kept) == MAX_KEPT and saved[-1].folder.name in kept
    assert saved[-1].command.endswith(f"-m torch_circt.reproduce {saved[-1].folder}")
