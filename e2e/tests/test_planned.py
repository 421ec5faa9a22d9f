"""Suite cases with every factor the planner can choose (`RtlOptions(target_interval=1)`: each reduction nest takes
all the outputs side by side or folds its loops allow), bit for bit against PyTorch. A target of one cycle cannot be
met, so the planner takes every step: the most banks, ports and adder trees these programs can get."""

from __future__ import annotations

import pytest

from e2e.suite import get_case

# A linear layer (outputs side by side), a CNN (folded convolutions, a linear layer side by side), reductions of
# mixed widths into narrow results (folds only).
CASES = ("linear_int_param_i32", "cnn_i32", "sum_into_uint8_and_int8", "max_min_of_whole_int8")


@pytest.mark.parametrize("name", CASES)
def test_every_planned_factor_is_bit_exact(name: str) -> None:
    import torch_circt

    module, inputs = get_case(name).build()
    options = torch_circt.Options(rtl=torch_circt.RtlOptions(target_interval=1))
    design = torch_circt.compile(module, inputs, target="rtl", options=options, name=name)
    assert max((*design.outputs_side_by_side, *design.folds)) > 1, (design.outputs_side_by_side, design.folds)
    check = design.check()
    assert check.matched, check
