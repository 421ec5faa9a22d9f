"""IR in, IR out: `arith.divsi` becomes a division of magnitudes one bit wider, plus a sign fix.

CIRCT lowers `arith.divui` to a signed divider (and `divsi` to an unsigned one), so
the magnitudes must never reach it with their top bit set; |INT_MIN| would.
"""

from __future__ import annotations

import re

from torch_mlir import ir

from backend.rtl.torch_side.integer_ops import expand_signed_division

DIVISION = """
func.func @f(%a: TYPE, %b: TYPE) -> TYPE {
  %q = arith.divsi %a, %b : TYPE
  return %q : TYPE
}
"""


def expanded(kind: str) -> str:
    with ir.Context():
        module = ir.Module.parse(DIVISION.replace("TYPE", kind))
        assert expand_signed_division(module) == 1
        module.operation.verify()
        return str(module)


def test_magnitudes_are_divided_one_bit_wider() -> None:
    text = expanded("i32")
    assert "arith.divsi" not in text
    assert text.count("arith.extui") == 2 and ": i32 to i33" in text
    assert re.search(r"arith\.divui %\w+, %\w+ : i33\n", text)
    assert "arith.trunci" in text and "i33 to i32" in text


def test_index_division_keeps_its_width() -> None:
    text = expanded("index")
    assert "arith.divsi" not in text and "arith.extui" not in text and "arith.divui" in text
