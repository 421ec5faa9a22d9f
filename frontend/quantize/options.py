"""How `quantize` turns a float model into an integer one: a dataclass with one default per field."""

from __future__ import annotations

from dataclasses import dataclass

GRANULARITIES = ("per-channel", "per-tensor")


@dataclass(frozen=True)
class QuantizeOptions:
    """`weights`: one int8 scale per output channel (default; a layer whose channels differ in range keeps
    each one's resolution) or one per tensor.
    `multiplier_bits`: width of the integer requantisation multipliers; the relative error of a
    rescale is at most 2^-multiplier_bits, far below an int8 step at the default.
    """

    weights: str = "per-channel"
    multiplier_bits: int = 16

    def __post_init__(self) -> None:
        if self.weights not in GRANULARITIES:
            raise ValueError(f"weights must be one of {', '.join(GRANULARITIES)}, not '{self.weights}'")
        if not 2 <= self.multiplier_bits <= 31:
            raise ValueError(f"multiplier_bits must be in 2..31 (the product stays in int64), not {self.multiplier_bits}")
