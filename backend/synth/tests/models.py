"""Small models for the synthesis tests."""

from __future__ import annotations

import torch


class ManyProducts(torch.nn.Module):
    """Ten int32 products, each its own loop nest and multiplier: Yosys maps them to 30
    MULT18X18D, more than the 28 of an LFE5U-25F (and fewer than the 156 of an LFE5U-85F)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x
        for k in range(10):
            y = y * (x + k)
        return y


def many_products() -> tuple[torch.nn.Module, tuple[torch.Tensor, ...]]:
    return ManyProducts(), (torch.arange(-4, 4, dtype=torch.int32).reshape(2, 4),)
