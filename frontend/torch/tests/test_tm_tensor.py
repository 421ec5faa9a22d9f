"""torch-mlir's tm_tensor dialect (cumsum, scatter) parses in every stage that reads torch-mlir text."""

from __future__ import annotations

import pytest
from torch_mlir import ir

from common.mlir_rewrite import rewrite_text

SCAN = """
func.func @main(%a: tensor<2x4xi32>, %o: tensor<2x4xi32>, %acc: tensor<2xi32>) -> tensor<2x4xi32> {
  %r:2 = tm_tensor.scan dimension(1) inclusive(true) ins(%a : tensor<2x4xi32>) outs(%o, %acc : tensor<2x4xi32>, tensor<2xi32>) {
  ^bb0(%x: i32, %y: i32):
    %s = arith.addi %x, %y : i32
    tm_tensor.yield %s : i32
  } -> tensor<2x4xi32>, tensor<2xi32>
  return %r#0 : tensor<2x4xi32>
}
"""


def test_a_plain_context_refuses_tm_tensor() -> None:
    """Why the shared context exists: the dialect is registered but not loaded."""
    with ir.Context(), pytest.raises(ir.MLIRError, match="tm_tensor"):
        ir.Module.parse(SCAN)


def test_python_rewrite_stages_parse_and_print_tm_tensor() -> None:
    text = rewrite_text(SCAN, lambda module: None)
    assert "tm_tensor.scan dimension(1) inclusive(true)" in text
