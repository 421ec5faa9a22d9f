"""The file contracts between stages: model metadata (JSON) and the golden record (NPZ).

Every backend checks against the same golden record written at import time, so
the oracle is eager PyTorch exactly once per model.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from common.atomic import atomic_write_bytes, atomic_write_text
from common.dtypes import BY_NAME, INTEGER_NAMES


@dataclass(frozen=True)
class TensorSpec:
    """One argument or result: its name, static shape and NumPy dtype name."""

    name: str
    shape: tuple[int, ...]
    dtype: str

    @property
    def is_integer(self) -> bool:
        return self.dtype in INTEGER_NAMES

    @property
    def storage(self) -> np.dtype:
        """The NumPy dtype that holds this value: NumPy has no bfloat16, so float32 holds it (exactly)."""
        return np.dtype(BY_NAME[self.dtype].storage)


@dataclass(frozen=True)
class BakedArgument:
    """A non-tensor argument of forward, fixed at its example value (torch.export specialises it)."""

    name: str
    kind: str  # the Python type's name: int, float, bool, str, NoneType
    value: str  # repr() of the example value


@dataclass(frozen=True)
class NamedConstant:
    """An integer parameter, buffer or constant of the model under its state_dict name, with `values_digest` of
    its values: the RTL backend finds it among the memories it made of constants, and names that memory after it.
    `rearranged` (`rearranged_digest`) finds it where the compiler folded a transpose or a widening cast into it."""

    name: str
    shape: tuple[int, ...]
    digest: str
    rearranged: str = ""


def values_digest(values: Iterable[int], bits: int) -> str:
    """A digest of integer values taken modulo 2**bits, so a tensor and the memory holding it agree whatever
    sign convention each reads its elements with (uint8 as -1 or 255, bool as -1 or 1)."""
    mask = (1 << bits) - 1
    return hashlib.sha256(",".join(str(int(v) & mask) for v in values).encode()).hexdigest()[:16]


def rearranged_digest(values: Iterable[int]) -> str:
    """A digest of the values in any order and any width that holds them: a transposed or widened copy has the same."""
    return values_digest(sorted(int(v) for v in values), 64)


@dataclass(frozen=True)
class ModelMetadata:
    """What a backend needs to know about a model's signature, beside its MLIR.

    `baked` lists forward's non-tensor arguments, compiled in as constants;
    `python_results` names the results forward returned as Python scalars (with
    their type), which every backend returns as 0-d tensors. `constants` are the
    model's named integer tensors (`fc1.weight`), for naming the memories that hold them.
    """

    name: str
    args: tuple[TensorSpec, ...]
    results: tuple[TensorSpec, ...]
    baked: tuple[BakedArgument, ...] = ()
    python_results: tuple[tuple[str, str], ...] = ()
    constants: tuple[NamedConstant, ...] = ()

    @property
    def is_integer(self) -> bool:
        return all(t.is_integer for t in (*self.args, *self.results))

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @staticmethod
    def from_json(text: str) -> ModelMetadata:
        raw = json.loads(text)

        def specs(items: list[dict]) -> tuple[TensorSpec, ...]:
            return tuple(TensorSpec(i["name"], tuple(i["shape"]), i["dtype"]) for i in items)

        return ModelMetadata(raw["name"], specs(raw["args"]), specs(raw["results"]),
                             tuple(BakedArgument(**b) for b in raw.get("baked", ())),
                             tuple((n, k) for n, k in raw.get("python_results", ())),
                             tuple(NamedConstant(c["name"], tuple(c["shape"]), c["digest"], c.get("rearranged", ""))
                                   for c in raw.get("constants", ())))

    def save(self, path: Path) -> None:
        atomic_write_text(Path(path), self.to_json())

    @staticmethod
    def load(path: Path) -> ModelMetadata:
        return ModelMetadata.from_json(Path(path).read_text())


@dataclass(frozen=True)
class Golden:
    """Example inputs and the eager PyTorch outputs for them."""

    inputs: tuple[np.ndarray, ...]
    outputs: tuple[np.ndarray, ...]

    def save(self, path: Path) -> None:
        import io

        arrays = {f"input{i}": a for i, a in enumerate(self.inputs)}
        arrays |= {f"output{i}": a for i, a in enumerate(self.outputs)}
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        atomic_write_bytes(Path(path), buffer.getvalue())

    @staticmethod
    def load(path: Path) -> Golden:
        with np.load(Path(path)) as data:
            def series(prefix: str) -> tuple[np.ndarray, ...]:
                count = sum(1 for k in data.files if k.startswith(prefix))
                return tuple(data[f"{prefix}{i}"] for i in range(count))

            return Golden(series("input"), series("output"))
