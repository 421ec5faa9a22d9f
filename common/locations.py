"""Read an MLIR location back as the user's source: `loc("add"("model.py":12:0))` -> `model.py:12 (FX node 'add')`.

The frontend names each op after its FX node at the user's line (frontend/torch/_lower.py),
and every stage prints locations on (common/ir_print.py). Text, not location objects:
the same reading serves both MLIR copies, and `common` imports neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A name wrapping a file position, anywhere inside (a fused or call-site location holds several: the first wins).
_NAMED_SITE = re.compile(r'"([^"]+)"\("([^"]+)":(\d+):\d+\)')


@dataclass(frozen=True)
class SourceOf:
    """The FX node an op was lowered from, and its line in the user's source."""

    node: str
    file: str
    line: int

    def describe(self) -> str:
        return f"{self.file}:{self.line} (FX node '{self.node}')"


def source_of(location: str) -> SourceOf | None:
    """The user's source inside a printed location, None for a position in intermediate IR (`loc("-":5:12)`)."""
    match = _NAMED_SITE.search(location)
    return SourceOf(match.group(1), match.group(2), int(match.group(3))) if match else None


def describe_location(location: str) -> str:
    """The user's `file.py:LINE (FX node 'x')` when the location has it, else the location as printed."""
    source = source_of(location)
    return source.describe() if source else location
