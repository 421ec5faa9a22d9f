"""What the protocol tests share: the suite cases they stress, the stall patterns, the check against PyTorch."""

from __future__ import annotations

import numpy as np

from backend.sim import StallPattern

# A conv, matmuls, a network, two models with two results (max_dim: values and indices), reductions, a scan.
CASES = (
    "conv2d_i32",
    "matmul_i32",
    "multi_output_i32",
    "max_dim_i32",
    "mlp_i32",
    "relu_i32",
    "maxpool2d_i32",
    "cumsum_i32",
    "argmax_i32",
    "add_broadcast_i32",
)
PATTERNS = (
    StallPattern(seed=1, ready_low=0.3, max_latency=3),
    StallPattern(seed=2, ready_low=0.5, max_latency=5),
    StallPattern(seed=3, ready_low=0.3, max_latency=5),
)
RESTART_CASES = ("conv2d_i32", "matmul_i32", "multi_output_i32", "cumsum_i32")


def assert_golden(outputs, golden, what: str) -> None:
    assert len(outputs) == len(golden), what
    for index, (got, want) in enumerate(zip(outputs, golden, strict=True)):
        assert got.dtype == want.dtype and got.shape == want.shape, f"{what}: result {index}"
        assert np.array_equal(got, want), f"{what}: result {index} differs from PyTorch"
