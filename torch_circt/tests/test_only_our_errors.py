"""`torch_circt.compile` raises only `TorchCirctError`s: every refusal as its own kind, anything foreign wrapped.

A caller (the CLI, a notebook, a serving wrapper) catches one class. Each refusal the
suite knows is driven here and must come out as its specific subclass; an exception
planted inside the flow (in the frontend's Python, in a pass stage, after the stages,
inside the forked worker) must come out as an `InternalCompilerError` naming the
stage it escaped from.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch

import torch_circt
from common.errors import (
    DynamicShapeError,
    InternalCompilerError,
    ModelError,
    TorchCirctError,
    UnsupportedDtypeError,
    UnsupportedOpError,
    UserError,
)
from common.stages import Stage


class Fn(torch.nn.Module):
    def __init__(self, fn: Callable) -> None:
        super().__init__()
        self.fn = fn

    def forward(self, *args):
        return self.fn(*args)


class Branches(torch.nn.Module):
    def forward(self, x):
        if x.sum() > 0:  # data-dependent control flow: untraceable
            return x + 1
        return x - 1


def _raise(x):
    raise ValueError("boom in forward")


F32 = torch.ones(4)
REFUSALS = {
    "unsupported op": (Fn(torch.erfinv), (F32,), "cpu", UnsupportedOpError),
    "random op": (Fn(lambda x: x + torch.rand_like(x)), (F32,), "cpu", UnsupportedOpError),
    "random rrelu in training": (Fn(lambda x: torch.nn.functional.rrelu(x, training=True)), (F32,), "cpu",
                                 UnsupportedOpError),
    "complex value": (Fn(lambda x: torch.view_as_real(torch.view_as_complex(x) * 2)), (torch.ones(3, 2),), "cpu",
                      UnsupportedDtypeError),
    "data-dependent shape": (Fn(torch.nonzero), (F32,), "cpu", DynamicShapeError),
    "forward raises": (Fn(_raise), (F32,), "cpu", ModelError),
    "untraceable program": (Branches(), (F32,), "cpu", ModelError),
    "float model on rtl": (Fn(lambda x: x * 2.5), (F32,), "rtl", UnsupportedDtypeError),
    "unknown target": (Fn(lambda x: x + 1), (F32,), "gpu", UserError),
    "non-tensor result": (Fn(lambda x: "text"), (F32,), "cpu", ModelError),
}


@pytest.mark.parametrize("kind", REFUSALS)
def test_each_refusal_is_its_own_torch_circt_error(kind):
    model, inputs, target, expected = REFUSALS[kind]
    with pytest.raises(Exception) as caught:  # noqa: PT011 - the point is what comes out, whatever it is
        torch_circt.compile(model, inputs, target=target, name="m")
    assert isinstance(caught.value, TorchCirctError) and isinstance(caught.value, expected), type(caught.value).__mro__
    assert caught.value.model in (None, "m") and caught.value.stage


def _compile_int(target: str = "cpu", **options) -> None:
    torch_circt.compile(Fn(lambda x: x * 3 + 1), (torch.arange(4, dtype=torch.int32),), target=target, name="m",
                        options=torch_circt.Options(**options))


def _planted(*args, **kwargs):
    raise KeyError("planted")


def test_a_foreign_exception_in_the_frontends_python_is_an_internal_error_naming_the_stage(monkeypatch):
    monkeypatch.setattr("frontend.torch._export.exact_integer_edges", _planted)
    with pytest.raises(InternalCompilerError) as caught:
        _compile_int()
    assert caught.value.stage == "torch_export" and caught.value.model == "m"
    assert "KeyError" in caught.value.message and isinstance(caught.value.__cause__, KeyError)


def test_a_foreign_exception_in_a_pass_stage_is_an_internal_error_naming_that_stage(monkeypatch, tmp_path):
    monkeypatch.setenv("TORCH_CIRCT_REPRO_DIR", str(tmp_path))  # the reproducer it writes
    monkeypatch.setattr("torch_circt.flow.cpu_stages", lambda: (Stage("exploding", lambda text: 1 // 0),))
    with pytest.raises(InternalCompilerError) as caught:
        _compile_int()
    assert caught.value.stage == "exploding" and "integer division or modulo by zero" in str(caught.value)


def test_a_foreign_exception_after_the_stages_names_the_last_stage_that_finished(monkeypatch):
    monkeypatch.setattr("torch_circt.compiler._lower", _planted)
    with pytest.raises(InternalCompilerError) as caught:
        _compile_int()
    assert caught.value.stage == "after check-signature" and isinstance(caught.value.__cause__, KeyError)


def test_a_foreign_exception_inside_the_forked_worker_is_an_internal_error(monkeypatch):
    """The RTL analyses run in the worker after the last stage; what they raise crosses the fork as itself."""
    monkeypatch.setattr("torch_circt.analyses.analyse", _planted)
    with pytest.raises(InternalCompilerError) as caught:
        _compile_int("rtl")
    assert caught.value.stage == "after export-verilog" and isinstance(caught.value.__cause__, KeyError)
