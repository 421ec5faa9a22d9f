"""How every stage prints its module: with locations, so an op keeps the user's source line from stage to stage.

Stages hand each other text, and a parser gives an op without a printed location
a position in that text (`loc("-":5:12)`), so a stage that prints without debug
info erases the `file.py:LINE` the FX importer attached. Works on either MLIR
copy: both bindings print the same way. Location aliases (`#loc3 = loc(...)`)
keep the text short.
"""

from __future__ import annotations

import re
from typing import Any

# ` loc(...)` after an op or argument (two levels of parentheses: aliases keep them shallow), and alias lines.
_LOCATION = re.compile(r" loc\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)")
_ALIAS = re.compile(r"^#loc\d*\s*=\s*loc\(.*\)\n", re.MULTILINE)


def print_module(module: Any, *, generic: bool = False) -> str:
    """`module` (torch-mlir's or CIRCT's) as text with its locations; `generic` for the transport's op form."""
    return module.operation.get_asm(enable_debug_info=True, print_generic_op_form=generic)


def strip_locations(text: str) -> str:
    """`text` as printed without debug info: for pass tests, whose CHECK lines see the ops alone (as mlir-opt prints)."""
    return _LOCATION.sub("", _ALIAS.sub("", text))
