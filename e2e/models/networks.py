"""Small whole networks: MLPs, CNNs and an attention head, in float and integer form."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from e2e.models._inputs import floats, ints
from e2e.models.conv_pool import IntConv2d
from e2e.models.linear_algebra import IntLinear
from e2e.suite import Tolerance, case


class Mlp(torch.nn.Sequential):
    def __init__(self, sizes: tuple[int, ...]) -> None:
        layers: list[torch.nn.Module] = []
        for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
            layers += [torch.nn.Linear(a, b)] + ([torch.nn.ReLU()] if i < len(sizes) - 2 else [])
        super().__init__(*layers)


class IntMlp(torch.nn.Module):
    """Integer MLP: int32 weights, ReLU, and a right shift as requantisation."""

    def __init__(self, *, seed: int) -> None:
        super().__init__()
        self.fc1 = IntLinear(8, 8, seed=seed)
        self.fc2 = IntLinear(8, 4, seed=seed + 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden = torch.relu(self.fc1(x)) >> 2
        return self.fc2(hidden)


class Cnn(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 2, 3)
        self.pool = torch.nn.MaxPool2d(2)
        self.fc = torch.nn.Linear(8, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.pool(F.relu(self.conv(x))).flatten(1))


class IntCnn(torch.nn.Module):
    """conv -> relu -> maxpool -> flatten -> linear, all int32."""

    def __init__(self, *, seed: int) -> None:
        super().__init__()
        self.conv = IntConv2d(1, 2, 3, seed=seed)
        self.pool = torch.nn.MaxPool2d(2)
        self.fc = IntLinear(8, 3, seed=seed + 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.pool(torch.relu(self.conv(x))).flatten(1))


class AttentionHead(torch.nn.Module):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.q, self.k, self.v = (torch.nn.Linear(dim, dim) for _ in range(3))
        self.scale = dim**-0.5

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        scores = self.q(x) @ self.k(x).transpose(-1, -2) * self.scale
        return torch.softmax(scores, dim=-1) @ self.v(x)


class MultiOutput(torch.nn.Module):
    """Three results of different shapes and dtypes from two inputs."""

    def forward(self, x: torch.Tensor, y: torch.Tensor):
        return x + y, (x * y).sum(dim=1), x > y


@case(name="mlp_f32", tolerance=Tolerance(rtol=1e-5, atol=1e-5))
def mlp_f32():
    torch.manual_seed(131)
    return Mlp((8, 16, 8, 4)), (floats((2, 8), seed=132),)


@case(name="mlp_i32", rtl=True)
def mlp_i32():
    return IntMlp(seed=133), (ints((2, 8), seed=134),)


@case(name="cnn_f32", tolerance=Tolerance(rtol=1e-5, atol=1e-5))
def cnn_f32():
    torch.manual_seed(135)
    return Cnn(), (floats((1, 1, 6, 6), seed=136),)


@case(name="cnn_i32", rtl=True)
def cnn_i32():
    return IntCnn(seed=137), (ints((1, 1, 6, 6), seed=138),)


@case(name="attention_f32", tolerance=Tolerance(rtol=1e-4, atol=1e-5))
def attention_f32():
    torch.manual_seed(139)
    return AttentionHead(8), (floats((4, 8), seed=140),)


@case(name="multi_output_i32", rtl=True)
def multi_output_i32():
    return MultiOutput(), (ints((3, 4), seed=141), ints((3, 4), seed=142))
