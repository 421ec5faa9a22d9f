"""`Design.simulate_stream`: inferences back to back from one reset, each with its own inputs, bit for bit, and the
interval and latency of the stream on both tops (the stream top's is shorter than an inference: it overlaps them)."""

from __future__ import annotations

import pytest
import torch

import torch_circt
from torch_circt.options import Options, RtlOptions

INPUTS = [torch.randint(-50, 50, (3, 4), generator=torch.Generator().manual_seed(seed), dtype=torch.int32)
          for seed in range(4)]


class Scores(torch.nn.Module):
    """Row sums of a product: a reduction nest, so an inference takes more cycles than its inputs take to arrive."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x * (x + 1)).sum(dim=1)


@pytest.mark.parametrize("interface", ["memory", "stream"])
def test_each_inference_of_the_stream_is_bit_exact_and_the_interval_is_measured(interface: str) -> None:
    design = torch_circt.compile(Scores(), (INPUTS[0],), target="rtl", name=f"scores_{interface}",
                                 options=Options(rtl=RtlOptions(interface=interface)))
    stream = design.simulate_stream([(x,) for x in INPUTS])
    assert len(stream.outputs) == len(INPUTS)
    for outputs, x in zip(stream.outputs, INPUTS, strict=True):
        assert torch.equal(torch.from_numpy(outputs[0]), Scores()(x))
    single = design.simulate(INPUTS[0]).cycles
    if interface == "memory":  # start again only at done: a stream costs the cycles of one inference each
        assert stream.latency <= single <= stream.interval <= single + 2, (single, stream.interval, stream.latency)
    else:  # two banks per buffer: the next inputs come in, and the last results go out, while the circuit works
        assert stream.latency == single and stream.interval < single, (single, stream.interval, stream.latency)


def test_a_stream_runs_on_the_rtl_simulator_only() -> None:
    design = torch_circt.compile(Scores(), (INPUTS[0],), target="cpu", name="scores_cpu")
    with pytest.raises(torch_circt.UserError, match="rtl simulator"):
        design.simulate_stream([(INPUTS[0],)])
