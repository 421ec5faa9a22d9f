"""The model registry: one `@case` per model, expected failures declared beside it.

    @case(name="mlp_i32", rtl=True)
    def mlp_i32():
        return Mlp(...), (ints((2, 8), seed=1),)

A case is a factory returning `(nn.Module, example_inputs)`. Importing this
module registers every model under `e2e/models/`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import torch

from common.compare import Tolerance
from common.errors import ModelError

Factory = Callable[[], tuple[torch.nn.Module, tuple[torch.Tensor, ...]]]
BACKENDS = ("cpu", "rtl")


@dataclass(frozen=True)
class Case:
    """A model plus deterministic inputs, and what each backend is expected to do with it."""

    name: str
    factory: Factory
    tolerance: Tolerance | None = None
    rtl: bool = False
    xfail: Mapping[str, str] = field(default_factory=dict)

    def build(self) -> tuple[torch.nn.Module, tuple[torch.Tensor, ...]]:
        """A fresh module in eval mode and its example inputs."""
        try:
            module, inputs = self.factory()
        except Exception as error:
            raise ModelError(
                message=f"the factory raised {type(error).__name__}: {error}",
                stage="build",
                model=self.name,
                hint=f"fix the factory function of case '{self.name}'",
            ) from error
        return module.eval(), tuple(inputs)

    @property
    def backends(self) -> tuple[str, ...]:
        """Every case runs on the CPU; integer static-shape candidates on the RTL path too."""
        return ("cpu", "rtl") if self.rtl else ("cpu",)

    def expected_failure(self, backend: str) -> str | None:
        return self.xfail.get(backend)


class UnknownCaseError(LookupError):
    """No case by that name; the message lists similar names."""


class Registry:
    """Cases by name; a second case with the same name is an error, not an override."""

    def __init__(self) -> None:
        self._cases: dict[str, Case] = {}
        self.cases: Mapping[str, Case] = MappingProxyType(self._cases)

    def case(
        self,
        *,
        name: str,
        tolerance: Tolerance | None = None,
        rtl: bool = False,
        xfail: Mapping[str, str] | None = None,
    ) -> Callable[[Factory], Factory]:
        unknown = set(xfail or {}) - set(BACKENDS)
        if unknown:
            raise ValueError(f"case '{name}': xfail names unknown backends {sorted(unknown)}; known: {BACKENDS}")

        def register(factory: Factory) -> Factory:
            if name in self._cases:
                raise ValueError(f"duplicate case name '{name}' (first declared by {self._cases[name].factory.__qualname__})")
            self._cases[name] = Case(name, factory, tolerance, rtl, MappingProxyType(dict(xfail or {})))
            return factory

        return register

    def get(self, name: str) -> Case:
        if name not in self._cases:
            close = sorted(n for n in self._cases if name.split("_")[0] in n)[:5]
            raise UnknownCaseError(
                f"unknown case '{name}'" + (f"; similar: {', '.join(close)}" if close else "")
                + " (list them with: python -m e2e.list_cases)"
            )
        return self._cases[name]


_REGISTRY = Registry()
case = _REGISTRY.case
CASES: Mapping[str, Case] = _REGISTRY.cases


def get_case(name: str) -> Case:
    """The case called `name`, or an `UnknownCaseError` listing similar names."""
    return _REGISTRY.get(name)


__all__ = ["BACKENDS", "CASES", "Case", "Registry", "Tolerance", "UnknownCaseError", "case", "get_case"]

import e2e.models  # noqa: E402,F401  (registers every case; needs `case` above)
