"""Small int8 networks of several layers: where a program can be cut into stages, and where it must not."""

from __future__ import annotations

import torch

GENERATOR = torch.Generator().manual_seed(0)


def _weight(rows: int, columns: int) -> torch.nn.Parameter:
    return torch.nn.Parameter(torch.randint(-4, 4, (rows, columns), generator=GENERATOR, dtype=torch.int8),
                              requires_grad=False)


class IntMLP(torch.nn.Module):
    """Two int8 layers; between them the int32 sum is requantised to int8 (the narrower tensor to cut at)."""

    def __init__(self) -> None:
        super().__init__()
        self.w1, self.w2, self.w3 = _weight(6, 8), _weight(5, 6), _weight(3, 5)

    def layer(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        wide = x.to(torch.int32) @ w.to(torch.int32).t()
        return torch.clamp(wide >> 2, -128, 127).to(torch.int8)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layer(self.layer(self.layer(x, self.w1), self.w2), self.w3)


class Residual(IntMLP):
    """The input is read again after the second layer: no cut may separate the two layers from it."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layer(self.layer(x, self.w1), self.w2)[:, :5] + x[:, :5]


class HiddenToo(IntMLP):
    """The first layer's output is a result as well as the second layer's input."""

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.layer(x, self.w1)
        return hidden, self.layer(hidden, self.w2)
