"""An op refused in an RTL stage is reported at the user's source line, and the .sv does not depend on where the model lives.

The frontend names each op after its FX node at the user's line; every stage prints
locations on, so check-dtypes, many stages later, still knows the line. Expected
lines are read from this file's own source, never from the compiler.
"""

from __future__ import annotations

import importlib.util
import inspect
import textwrap
from pathlib import Path

import pytest
import torch

import torch_circt
from common.errors import UnsupportedDtypeError
from common.locations import describe_location

INPUT = (torch.tensor([[3, 1, 2], [1, 1, 0]], dtype=torch.int32),)


def _halve(y: torch.Tensor):
    return y.float() * 0.5  # a float op: refused on RTL at check-dtypes


class HalvesInForward(torch.nn.Module):
    def forward(self, x: torch.Tensor):
        y = x + 1
        return y.float() * 0.5


class HalvesInHelper(torch.nn.Module):
    def forward(self, x: torch.Tensor):
        y = x * 2
        return _halve(y)


def _line_of(function, text: str) -> int:
    """The line of this file holding `text` inside `function`."""
    lines, first = inspect.getsourcelines(function)
    return first + next(i for i, line in enumerate(lines) if text in line)


@pytest.mark.parametrize("model, line", [
    (HalvesInForward(), _line_of(HalvesInForward.forward, "y.float()")),
    (HalvesInHelper(), _line_of(_halve, "y.float()")),  # the helper's own line, not forward's call
])
def test_refused_op_names_the_user_line(model: torch.nn.Module, line: int) -> None:
    with pytest.raises(UnsupportedDtypeError) as caught:
        torch_circt.compile(model, INPUT, target="rtl")
    error = caught.value
    assert error.stage == "check-dtypes"
    file, rest = error.location.split(":", 1)
    assert rest.split(" ")[0] == str(line)  # the FX node's name follows where the op's location carries it
    assert (Path.cwd() / file).resolve() == Path(__file__).resolve()  # relative to the working directory, or absolute
    assert "loc(" not in str(error)


MODEL = """
import torch

class ScaleAdd(torch.nn.Module):
    def forward(self, x, y):
        return x * 3 + y

def model():
    x = torch.tensor([[1, -2], [3, 4]], dtype=torch.int32)
    return ScaleAdd(), (x, x)
"""


def _load_model_in(folder: Path):
    folder.mkdir()
    path = folder / "scale_add.py"
    path.write_text(textwrap.dedent(MODEL))
    spec = importlib.util.spec_from_file_location(f"scale_add_{folder.parent.name}_{folder.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.model()


def test_mlir_is_the_same_for_a_checkout_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Two checkouts in different places, each compiled from its own root (as Bazel's sandboxes are):
    # a file under the working directory is named relative to it, so the IR bytes agree.
    irs = []
    for root in (tmp_path / "one", tmp_path / "two"):
        root.mkdir()
        monkeypatch.chdir(root)
        design = torch_circt.compile(*_load_model_in(root / "models"), target="rtl")
        irs.append(design.ir("linalg_on_tensors"))
    assert '"models/scale_add.py"' in irs[0] and str(tmp_path) not in irs[0]
    assert irs[0] == irs[1]


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


def test_a_fused_location_names_its_first_source_and_an_ir_position_stays() -> None:
    """Canonicalization fuses the locations of ops it merges; a parsed op without one has a position in the text."""
    assert describe_location('loc(fused["add"("m.py":3:0), "mul_1"("m.py":4:0)])') == "m.py:3 (FX node 'add')"
    assert describe_location('loc("-":5:12)') == 'loc("-":5:12)'
