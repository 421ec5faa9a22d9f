"""The two float networks of the example and their (seeded, seconds-long) training on the CPU."""

from __future__ import annotations

from collections import OrderedDict

import torch

EPOCHS = 20
BATCH = 64
LEARNING_RATE = 1e-2


class DigitsMlp(torch.nn.Sequential):
    """64 pixels -> 32 hidden -> 10 classes."""

    def __init__(self) -> None:
        super().__init__(OrderedDict(flatten=torch.nn.Flatten(), fc1=torch.nn.Linear(64, 32), relu=torch.nn.ReLU(),
                                     fc2=torch.nn.Linear(32, 10)))


class DigitsCnn(torch.nn.Sequential):
    """conv 3x3 (4) -> max pool -> conv 3x3 (8) -> average pool -> linear: 8x8 -> 4x4 -> 2x2 -> 10 classes.
    Small on purpose: each simulated inference takes about 1 s of Verilator time per 40,000 cycles."""

    def __init__(self) -> None:
        super().__init__(OrderedDict(
            conv1=torch.nn.Conv2d(1, 4, 3, padding=1), relu1=torch.nn.ReLU(), pool1=torch.nn.MaxPool2d(2),
            conv2=torch.nn.Conv2d(4, 8, 3, padding=1), relu2=torch.nn.ReLU(), pool2=torch.nn.AvgPool2d(2),
            flatten=torch.nn.Flatten(), fc=torch.nn.Linear(32, 10),
        ))


NETWORKS = {"cnn": DigitsCnn, "mlp": DigitsMlp}


def train(network: str, images: torch.Tensor, labels: torch.Tensor, *, seed: int, epochs: int = EPOCHS) -> torch.nn.Module:
    """A fresh seeded `NETWORKS[network]`, fitted: the same weights every run."""
    torch.manual_seed(seed)
    return fit(NETWORKS[network](), images, labels, seed=seed, epochs=epochs)


def fit(model: torch.nn.Module, images: torch.Tensor, labels: torch.Tensor, *, seed: int, epochs: int = EPOCHS) -> torch.nn.Module:
    """Adam on cross-entropy in shuffled minibatches (seeded order); also trains a Brevitas model, quantizers in the loop."""
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    order = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(epochs):
        for batch in torch.randperm(len(labels), generator=order).split(BATCH):
            optimizer.zero_grad()
            logits = model(images[batch])
            torch.nn.functional.cross_entropy(getattr(logits, "value", logits), labels[batch]).backward()
            optimizer.step()
    return model.eval()


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """Percent of images whose largest logit is the label (the first one on a tie, as torch.argmax)."""
    return 100.0 * float((logits.argmax(dim=1) == labels).double().mean())
