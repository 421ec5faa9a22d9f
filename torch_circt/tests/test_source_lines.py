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
from common.errors import UnsupportedOpError
from common.locations import describe_location

INPUT = (torch.arange(34, dtype=torch.int32).reshape(2, 17) % 3,)  # rows of 17: past the rank form's kthvalue


def _kth(y: torch.Tensor):
    return torch.kthvalue(y, 2, dim=1)  # indices along 17 elements: tm_tensor.topk, refused on RTL


class KthInForward(torch.nn.Module):
    def forward(self, x: torch.Tensor):
        y = x + 1
        return torch.kthvalue(y, 2, dim=1)


class KthInHelper(torch.nn.Module):
    def forward(self, x: torch.Tensor):
        y = x * 2
        return _kth(y)


def _line_of(function, text: str) -> int:
    """The line of this file holding `text` inside `function`."""
    lines, first = inspect.getsourcelines(function)
    return first + next(i for i, line in enumerate(lines) if text in line)


@pytest.mark.parametrize("model, line", [
    (KthInForward(), _line_of(KthInForward.forward, "torch.kthvalue(")),
    (KthInHelper(), _line_of(_kth, "torch.kthvalue(")),  # the helper's own line, not forward's call
])
def test_refused_op_names_the_user_line_and_node(model: torch.nn.Module, line: int) -> None:
    with pytest.raises(UnsupportedOpError) as caught:
        torch_circt.compile(model, INPUT, target="rtl")
    error = caught.value
    assert error.stage == "check-dtypes" and error.op == "tm_tensor.topk"
    file, rest = error.location.split(":", 1)
    assert rest == f"{line} (FX node 'kthvalue')"
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
