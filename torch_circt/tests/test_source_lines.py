"""The model's source lines in the IR, and a .sv that does not depend on where the model lives.

Expected values come from this file itself, never from the compiler.
"""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path

import torch_circt

MODEL = """
import torch

class ScaleAdd(torch.nn.Module):
    def forward(self, x, y):
        return x * 3 + y

def model():
    x = torch.tensor([[1, -2], [3, 4]], dtype=torch.int32)
    return ScaleAdd(), (x, x)
"""


def _sv_of_model_in(folder: Path) -> str:
    folder.mkdir()
    path = folder / "scale_add.py"
    path.write_text(textwrap.dedent(MODEL))
    spec = importlib.util.spec_from_file_location(f"scale_add_{folder.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    design = torch_circt.compile(*module.model(), target="rtl")
    assert str(path) in design.ir("linalg_on_tensors")  # the locations are there, before export
    return design.sv


def test_sv_is_the_same_wherever_the_model_file_lives(tmp_path: Path) -> None:
    first, second = _sv_of_model_in(tmp_path / "a"), _sv_of_model_in(tmp_path / "elsewhere")
    assert first == second
