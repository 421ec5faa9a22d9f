"""Models that fail today for a known reason, declared so the suite shows them (XFAIL) and notices a fix (XPASS)."""

from __future__ import annotations

import torch

from e2e.models._inputs import Lambda, ints
from e2e.suite import case

_TM_TENSOR = ("cumsum lowers to tm_tensor.scan, and the 'integer_idioms' stage parses the IR in a context "
              "without the tm_tensor dialect (issue 12, item 1)")


@case(name="cumsum_i32", rtl=True, xfail={"cpu": _TM_TENSOR, "rtl": _TM_TENSOR})
def cumsum_i32():
    return Lambda(lambda x: torch.cumsum(x, dim=1)), (ints((2, 4), seed=91),)
