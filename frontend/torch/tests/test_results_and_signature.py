"""IR in, IR out: distinct results (a value returned twice or an input returned), and the signature check."""

from __future__ import annotations

import pytest
from torch_mlir import ir

from common.records import ModelMetadata, TensorSpec
from frontend.torch._distinct_results import distinct_results
from frontend.torch._signature import check_signature

TWICE_AND_INPUT = """
func.func @main(%a: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi32>, tensor<4xi32>) {
  %e = tensor.empty() : tensor<4xi32>
  %y = linalg.add ins(%a, %a : tensor<4xi32>, tensor<4xi32>) outs(%e : tensor<4xi32>) -> tensor<4xi32>
  return %y, %y, %a : tensor<4xi32>, tensor<4xi32>, tensor<4xi32>
}
"""


def _rewrite(text: str) -> str:
    with ir.Context():
        module = ir.Module.parse(text)
        distinct_results(module)
        module.operation.verify()
        return str(module)


def test_second_use_and_input_get_their_own_copies() -> None:
    out = _rewrite(TWICE_AND_INPUT)
    assert out.count("linalg.copy") == 2
    ret = [line for line in out.splitlines() if "return" in line][0]
    operands = ret.split("return", 1)[1].split(":")[0].replace(" ", "").split(",")
    assert len(set(operands)) == 3 and "%arg0" not in operands  # three distinct values, none the input


def test_distinct_results_leave_a_plain_function_alone() -> None:
    twice = TWICE_AND_INPUT.replace("return %y, %y, %a", "return %y, %e, %e")
    distinct = TWICE_AND_INPUT.replace("return %y, %y, %a", "return %y, %e, %f").replace(
        "  %y = linalg.add", "  %f = tensor.empty() : tensor<4xi32>\n  %y = linalg.add")
    once = "func.func @main(%a: tensor<4xi32>) -> tensor<4xi32> {\n  %e = tensor.empty() : tensor<4xi32>\n  return %e : tensor<4xi32>\n}"
    assert "linalg.copy" not in _rewrite(once)
    assert "linalg.copy" not in _rewrite(distinct)  # three results, three values: nothing to copy
    assert _rewrite(twice).count("linalg.copy") == 1


def _meta(results: tuple[TensorSpec, ...]) -> ModelMetadata:
    return ModelMetadata("m", (TensorSpec("a", (4,), "int32"),), results)


def test_signature_matches() -> None:
    specs = tuple(TensorSpec(f"r{i}", (4,), "int32") for i in range(3))
    with ir.Context():
        check_signature(ir.Module.parse(TWICE_AND_INPUT), _meta(specs))


@pytest.mark.parametrize(("specs", "message"), [
    ((TensorSpec("r0", (4,), "int32"),), "3 results, the metadata has 1 (r0)"),
    (tuple(TensorSpec(f"r{i}", (4,), "float32") for i in range(3)), "result 0 ('r0') is tensor<4xi32>, the metadata says float32[4]"),
    (tuple(TensorSpec(f"r{i}", (2, 2), "int32") for i in range(3)), "the metadata says int32[2, 2]"),
])
def test_signature_mismatch_names_both_sides(specs, message) -> None:
    with ir.Context(), pytest.raises(RuntimeError) as caught:
        check_signature(ir.Module.parse(TWICE_AND_INPUT), _meta(specs))
    assert message in str(caught.value) and "@main: (tensor<4xi32>)" in str(caught.value)
