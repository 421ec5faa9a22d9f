"""Non-tensor arguments are baked in and named; Python scalar results become 0-d tensors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from common.errors import ModelError
from common.records import BakedArgument, ModelMetadata
from frontend.torch._arguments import scalars_as_tensors, split_arguments
from frontend.torch.tests.flow import import_module


class ScaleShift(torch.nn.Module):
    def forward(self, x: torch.Tensor, scale: int, shift: float, flip: bool) -> torch.Tensor:
        return (-x if flip else x) * scale + shift


class Scalars(torch.nn.Module):
    def forward(self, x: torch.Tensor):
        return x.shape[0] * 2, x.sum().item(), (x > 0).float().mean().item(), x.dim() == 2


class Truthiness(torch.nn.Module):
    def forward(self, x: torch.Tensor):
        return bool((x > 0).all())  # marker: truthiness


def test_split_names_every_baked_argument_and_keeps_tensor_positions():
    x = torch.ones(2)
    arguments = split_arguments(ScaleShift(), (x, 3, 0.5, True), model="m")
    assert arguments.tensors == (x,)
    assert arguments.baked == (BakedArgument("scale", "int", "3"), BakedArgument("shift", "float", "0.5"),
                               BakedArgument("flip", "bool", "True"))
    y = torch.zeros(2)
    assert arguments.fill((y,))[0] is y and arguments.fill((y,))[1:] == (3, 0.5, True)


class Containers(torch.nn.Module):
    def forward(self, xs: list, named: dict, scale: int):
        return xs[0] * scale + xs[1] - named["bias"]


def test_tensors_inside_lists_and_dicts_are_ports_named_by_position_and_key():
    xs = [torch.tensor([1, 2], dtype=torch.int32), torch.tensor([3, 4], dtype=torch.int32)]
    named = {"bias": torch.tensor([5, -5], dtype=torch.int32)}
    arguments = split_arguments(Containers(), (xs, named, 2), model="m")
    assert arguments.tensor_names == ("xs_0", "xs_1", "named_bias") and arguments.needs_binding
    design = import_module(Containers(), (xs, named, 2), name="containers")
    assert [a.name for a in design.metadata.args] == ["xs_0", "xs_1", "named_bias"]
    np.testing.assert_array_equal(design.golden.outputs[0], [0, 13])  # [1,2]*2 + [3,4] - [5,-5]


def test_baked_arguments_reach_the_golden_and_the_metadata():
    x = torch.tensor([1, -2, 3], dtype=torch.int32)
    design = import_module(ScaleShift(), (x, 3, 0.5, True), name="scale_shift")
    np.testing.assert_array_equal(design.golden.outputs[0], (-x.numpy()) * 3 + 0.5)
    assert [a.name for a in design.metadata.args] == ["x"]
    assert [b.name for b in design.metadata.baked] == ["scale", "shift", "flip"]
    assert ModelMetadata.from_json(design.metadata.to_json()) == design.metadata


def test_python_scalar_results_become_0d_tensors_at_python_precision():
    x = torch.tensor([[1, 2, 3], [4, -5, 6]], dtype=torch.int32)
    design = import_module(Scalars(), (x,), name="scalars")
    outputs = design.golden.outputs
    assert [o.shape for o in outputs] == [()] * 4
    assert [o.dtype for o in outputs] == [np.int64, np.int64, np.float64, np.bool_]
    assert outputs[0] == 4 and outputs[1] == 11 and outputs[2] == np.float32(5 / 6) and outputs[3]
    assert design.metadata.python_results == (("result0", "int"), ("result1", "int"),
                                              ("result2", "float"), ("result3", "bool"))


def test_a_python_decision_on_tensor_data_says_what_to_do():
    with pytest.raises(ModelError) as caught:
        import_module(Truthiness(), (torch.ones(3),), name="truthy")
    assert "bool(t)" in caught.value.hint and caught.value.location.endswith(
        f"test_arguments.py:{Truthiness.forward.__code__.co_firstlineno + 1}")


def test_scalars_as_tensors_leaves_tensors_alone():
    t = torch.ones(2)
    out = scalars_as_tensors((t, 3, 1.5, False))
    assert out[0] is t and out[1].dtype == torch.int64 and out[2].dtype == torch.float64 and out[3].dtype == torch.bool


def test_forward_returning_none_has_its_input_updates_as_results():
    class Update(torch.nn.Module):
        def forward(self, x: torch.Tensor, step: int) -> None:
            x.mul_(step)

    x = torch.tensor([1, -2, 3], dtype=torch.int32)
    design = import_module(Update(), (x, 5), name="update")
    assert [r.name for r in design.metadata.results] == ["x_mutated"]
    np.testing.assert_array_equal(design.golden.outputs[0], [5, -10, 15])
    assert x.tolist() == [1, -2, 3]  # the caller's tensor is untouched


def test_forward_that_does_nothing_is_refused():
    class Nothing(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> None:
            x + 1

    with pytest.raises(ModelError, match="returns nothing and changes no input"):
        import_module(Nothing(), (torch.ones(2),), name="nothing")
