"""What the torch side records on the module for the manifest reader on CIRCT's side.

Module attributes cross the transport inside the text, so every stage stays a
pure function of its input; both sides import these names from here, a module
that imports neither MLIR copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import ModuleType
from typing import Any

# Parameters turned into memory arguments (`memory_interfaces`), in argument order.
PARAMS_ATTR = "torch_circt.params"
# The fold of each reduction loop nest (`fold_reductions`), in walk order, for the report.
FOLDS_ATTR = "torch_circt.folds"
# The outputs side by side of each loop around a reduction that could take them (`unroll_outputs`), in walk order.
OUTPUTS_ATTR = "torch_circt.outputs_side_by_side"
# Positions of the memory arguments `drop_unused_memories` removed.
UNUSED_ATTR = "torch_circt.unused_memories"


@dataclass(frozen=True)
class Param:
    """One externalized constant: its global's name, shape, element type and values."""

    name: str
    shape: tuple[int, ...]
    element: str
    values: tuple[int, ...]


def read_factors(text: str, attribute: str) -> tuple[int, ...]:
    """The factors a stage recorded on the module (`FOLDS_ATTR`, `OUTPUTS_ATTR`), read off its output's text."""
    found = re.search(attribute.replace(".", r"\.") + r" = array<i64: ([0-9, ]+)>", text)
    return tuple(int(f) for f in found.group(1).split(",")) if found else ()


def read_params(module: Any, ir: ModuleType) -> list[Param]:
    """The parameters recorded on `module` (`PARAMS_ATTR`), in argument order; `ir` is the bindings of its MLIR copy."""
    if PARAMS_ATTR not in module.operation.attributes:
        return []
    params = []
    for entry in ir.ArrayAttr(module.operation.attributes[PARAMS_ATTR]):
        fields = ir.DictAttr(entry)
        params.append(Param(
            ir.StringAttr(fields["name"]).value,
            tuple(ir.DenseI64ArrayAttr(fields["shape"])),
            ir.StringAttr(fields["element"]).value,
            tuple(ir.DenseI64ArrayAttr(fields["values"])),
        ))
    return params
