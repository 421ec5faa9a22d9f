"""Layers as stages: where a program is cut into a chain, and that the chain computes what the program does."""

from __future__ import annotations

import torch

from frontend.torch import decompose, layer_stages
from frontend.torch.tests.layered_models import HiddenToo, IntMLP, Residual

X = torch.randint(-100, 100, (2, 8), generator=torch.Generator().manual_seed(2), dtype=torch.int8)


def _stages(model: torch.nn.Module) -> tuple[torch.fx.GraphModule, ...]:
    return layer_stages(decompose(torch.export.export(model, (X,)), model=type(model).__name__))


def _chain(stages: tuple[torch.fx.GraphModule, ...], x: torch.Tensor):
    value = stages[0](x)
    for stage in stages[1:]:
        value = stage(value)
    return value


def test_each_layer_is_a_stage_and_the_chain_computes_the_program() -> None:
    model = IntMLP()
    stages = _stages(model)
    assert len(stages) == 3
    (result,) = _chain(stages, X)
    assert torch.equal(result, model(X))


def test_the_cut_carries_the_requantised_int8_tensor_not_its_widening() -> None:
    first, second, _ = _stages(IntMLP())
    crossing = first(X)
    assert crossing.dtype == torch.int8 and crossing.shape == (2, 6)
    (placeholder,) = [n for n in second.graph.nodes if n.op == "placeholder"]
    assert placeholder.meta["val"].dtype == torch.int8


def test_each_stage_holds_only_its_own_layers_weights() -> None:
    stages = _stages(IntMLP())
    read = [{n.target for n in stage.graph.nodes if n.op == "get_attr"} for stage in stages]
    assert read == [{"w1"}, {"w2"}, {"w3"}]


def test_no_cut_separates_a_layer_from_an_input_read_again_later() -> None:
    model = Residual()
    stages = _stages(model)
    assert len(stages) == 1
    assert torch.equal(stages[0](X), model(X))


def test_a_result_is_not_carried_across_a_cut_it_is_computed_after_it() -> None:
    """The hidden int8 tensor is a result, so the cut comes before it: the chain passes the int32 sum, and the last
    stage computes both results."""
    model = HiddenToo()
    first, second = _stages(model)
    assert first(X).dtype == torch.int32
    hidden, out = second(first(X))
    assert torch.equal(hidden, model(X)[0]) and torch.equal(out, model(X)[1])


def test_a_single_layer_is_one_stage() -> None:
    class One(IntMLP):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.layer(x, self.w1)

    assert len(_stages(One())) == 1
