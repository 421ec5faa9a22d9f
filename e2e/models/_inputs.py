"""Deterministic example inputs: every tensor comes from its own seeded generator.

Integer inputs span negative and positive values, so signed semantics (division,
shifts, wrap-around) are exercised, and stay small enough for RTL simulation.
"""

from __future__ import annotations

import torch


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def ints(shape: tuple[int, ...], *, seed: int, low: int = -8, high: int = 8, dtype: torch.dtype = torch.int32) -> torch.Tensor:
    """Uniform integers in [low, high)."""
    return torch.randint(low, high, shape, generator=_generator(seed), dtype=torch.int64).to(dtype)


def nonzero_ints(shape: tuple[int, ...], *, seed: int, low: int = -8, high: int = 8, dtype: torch.dtype = torch.int32) -> torch.Tensor:
    """Integers in [low, high) without zero: safe divisors."""
    values = ints(shape, seed=seed, low=low, high=high, dtype=torch.int64)
    return torch.where(values == 0, torch.ones_like(values), values).to(dtype)


def floats(shape: tuple[int, ...], *, seed: int, scale: float = 1.0) -> torch.Tensor:
    """Standard-normal float32 values times `scale`."""
    return torch.randn(shape, generator=_generator(seed), dtype=torch.float32) * scale


def bools(shape: tuple[int, ...], *, seed: int) -> torch.Tensor:
    return torch.randint(0, 2, shape, generator=_generator(seed)).to(torch.bool)


def int_weights(shape: tuple[int, ...], *, seed: int, low: int = -3, high: int = 4) -> torch.Tensor:
    """Small int32 weights for integer networks (no float parameters anywhere)."""
    return ints(shape, seed=seed, low=low, high=high, dtype=torch.int32)


class Lambda(torch.nn.Module):
    """A module whose forward is a plain function: one-line elementwise models."""

    def __init__(self, fn) -> None:
        super().__init__()
        self.fn = fn

    def forward(self, *args: torch.Tensor):
        return self.fn(*args)
