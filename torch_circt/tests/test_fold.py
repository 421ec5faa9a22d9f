"""Folding (`RtlOptions.fold`): fewer cycles, the same integers bit for bit, the weights banked under their names."""

from __future__ import annotations

import pytest
import torch

import torch_circt
from torch_circt.options import Options, RtlOptions
from torch_circt.report import build_report, render_markdown

# x: 2 rows of 16; the weight reduces over 16 (folds by 4 and 8), the sum over 16, the max over 6 (folds by 2 only).
X = torch.randint(-100, 100, (2, 16), generator=torch.Generator().manual_seed(27), dtype=torch.int32)


class Layer(torch.nn.Module):
    """A matmul, a sum and a max: three associative integer reductions of different lengths."""

    def __init__(self) -> None:
        super().__init__()
        weight = torch.randint(-50, 50, (6, 16), generator=torch.Generator().manual_seed(28), dtype=torch.int32)
        self.weight = torch.nn.Parameter(weight, requires_grad=False)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        y = x @ self.weight.T
        return y, x.sum(dim=1), y.amax(dim=1)


@pytest.fixture(scope="module")
def designs() -> dict[int, torch_circt.Design]:
    return {fold: torch_circt.compile(Layer(), (X,), target="rtl", options=Options(rtl=RtlOptions(fold=fold)), name="layer")
            for fold in (1, 4)}


def test_a_target_interval_unrolls_the_biggest_nest_and_the_report_lists_the_factors(designs) -> None:
    """The matmul (192 iterations) dwarfs the sum (32) and the max (12): a target a little under the unfolded loops'
    iterations is met by the matmul alone, which takes outputs side by side (its terms share x's row and read banked
    weight rows) rather than folds; the design and its report say which factors were applied."""
    unfolded = designs[1]
    assert unfolded.folds == (1, 1, 1)
    target = unfolded.loops.innermost_iterations - 100
    design = torch_circt.compile(Layer(), (X,), target="rtl", options=Options(rtl=RtlOptions(target_interval=target)),
                                 name="layer")
    assert max(design.outputs_side_by_side) > 1 and design.folds == (1, 1), (design.outputs_side_by_side, design.folds)
    run = design.simulate(X)
    assert all(torch.equal(torch.from_numpy(got), want) for got, want in zip(run.outputs, Layer()(X)))
    assert run.cycles < unfolded.simulate(X).cycles
    report = render_markdown(build_report([design]))
    assert f"in program order: {', '.join(map(str, design.outputs_side_by_side))} (unroll-outputs" in report


def test_folded_circuit_matches_pytorch_bit_for_bit_in_fewer_cycles(designs) -> None:
    expected = Layer()(X)
    runs = {fold: design.simulate(X) for fold, design in designs.items()}
    for run in runs.values():
        assert all(torch.equal(torch.from_numpy(got), want) for got, want in zip(run.outputs, expected))
    # The 16-step reductions take 4 iterations: the unfolded circuit spends most of its cycles in them.
    assert runs[4].cycles < runs[1].cycles * 0.6, (runs[1].cycles, runs[4].cycles)


def test_a_folded_weight_is_split_into_banks_that_hold_its_words_once(designs) -> None:
    params = {m.name: m for m in designs[4].manifest.memories_with_role("param")}
    banks = sorted(name for name in params if "_bank" in name)
    assert len(banks) == 4, sorted(params)
    words = [w for name in banks for w in params[name].init]
    assert sorted(words) == sorted(Layer().weight.flatten().tolist())
    (whole,) = (m for m in designs[1].manifest.memories_with_role("param"))
    assert all(params[name].depth == whole.depth // 4 for name in banks)
