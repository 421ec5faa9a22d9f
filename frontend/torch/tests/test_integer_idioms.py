"""IR in, IR out: torch-mlir's floor division through f64 becomes `arith.floordivsi`, also across widths."""

from __future__ import annotations

from torch_mlir import ir

from frontend.torch._integer_idioms import rewrite_integer_idioms

FLOOR_DIVISION = """
func.func @f(%a: LHS, %b: i64) -> i64 {
  %fa = arith.sitofp %a : LHS to f64
  %fb = arith.sitofp %b : i64 to f64
  %q = arith.divf %fa, %fb : f64
  %f = math.floor %q : f64
  %r = arith.fptosi %f : f64 to i64
  return %r : i64
}
"""


def rewritten(lhs: str) -> tuple[int, str]:
    with ir.Context() as context:
        context.allow_unregistered_dialects = True
        module = ir.Module.parse(FLOOR_DIVISION.replace("LHS", lhs))
        count = rewrite_integer_idioms(module)
        module.operation.verify()
        return count, str(module)


def test_same_width_floor_division_is_exact() -> None:
    count, text = rewritten("i64")
    assert count == 1 and "arith.floordivsi %arg0, %arg1 : i64" in text
    assert "divf" not in text and "math.floor" not in text and "sitofp" not in text


def test_narrower_dividend_is_sign_extended_first() -> None:
    """`int8 // int64` reaches torch-mlir as an i32 (widened) over an i64: sitofp read it signed, so does extsi."""
    count, text = rewritten("i32")
    assert count == 1 and "arith.extsi %arg0 : i32 to i64" in text and "arith.floordivsi" in text
    assert "divf" not in text and "sitofp" not in text
