"""scikit-learn's handwritten digits (1797 8x8 images, shipped inside the package: no download), split once."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from sklearn.datasets import load_digits

TEST_FRACTION = 0.2
PIXEL_MAX = 16.0  # load_digits' pixels are counts 0..16


@dataclass(frozen=True)
class Split:
    """Images as float32 [N, 1, 8, 8] in [0, 1], labels as int64 [N]."""

    train_images: torch.Tensor
    train_labels: torch.Tensor
    test_images: torch.Tensor
    test_labels: torch.Tensor


def digits_split(seed: int) -> Split:
    """A seeded shuffle, the last TEST_FRACTION held out for testing."""
    digits = load_digits()
    images = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / PIXEL_MAX
    labels = torch.tensor(digits.target, dtype=torch.int64)
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))
    cut = len(labels) - int(len(labels) * TEST_FRACTION)
    train, test = order[:cut], order[cut:]
    return Split(images[train], labels[train], images[test], labels[test])
