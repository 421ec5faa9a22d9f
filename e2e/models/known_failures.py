"""Models that fail today for a known reason, declared so the suite shows them (XFAIL) and notices a fix (XPASS)."""

from __future__ import annotations

import torch

from e2e.models._inputs import ints
from e2e.suite import case


class ReturnTwice(torch.nn.Module):
    def forward(self, x: torch.Tensor):
        y = x + 1
        return y, y


_TWICE = "returning one value twice segfaults MLIR's buffer-results-to-out-params{hoist-static-allocs} in the " \
         "'bufferize' stage (issue 17, item 4); the flow contains the crash as an internal error"


@case(name="return_twice_i32", rtl=True, xfail={"cpu": _TWICE, "rtl": _TWICE})
def return_twice_i32():
    return ReturnTwice(), (ints((2, 4), seed=1),)
