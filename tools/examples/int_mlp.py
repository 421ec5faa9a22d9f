"""The bundled example: a tiny integer MLP (int32 weights, ReLU, shift requantisation).

`./bazelw run //:compile` compiles this when no model is given. It is small
enough to simulate in seconds and exercises matmul, broadcast add, ReLU and an
arithmetic shift, all of which must match PyTorch bit for bit in RTL.

A model file for `//:compile` looks like this one: a factory (default name
`model`) returning `(nn.Module, example_inputs)`; a `seed` keyword is optional
and receives `--seed`.
"""

from __future__ import annotations

import torch


def _ints(shape: tuple[int, ...], generator: torch.Generator, low: int, high: int) -> torch.Tensor:
    return torch.randint(low, high, shape, generator=generator, dtype=torch.int32)


class IntMlp(torch.nn.Module):
    """y = relu(x @ W1.T + b1) >> 2 @ W2.T + b2, everything int32."""

    def __init__(self, generator: torch.Generator) -> None:
        super().__init__()
        self.register_buffer("w1", _ints((8, 8), generator, -3, 4))
        self.register_buffer("b1", _ints((8,), generator, -8, 8))
        self.register_buffer("w2", _ints((4, 8), generator, -3, 4))
        self.register_buffer("b2", _ints((4,), generator, -8, 8))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden = torch.relu(x @ self.w1.t() + self.b1) >> 2
        return hidden @ self.w2.t() + self.b2


def model(seed: int = 0) -> tuple[torch.nn.Module, tuple[torch.Tensor, ...]]:
    generator = torch.Generator().manual_seed(seed)
    module = IntMlp(generator)
    return module, (_ints((2, 8), generator, -8, 8),)
