"""The flow's CPU half on hand-written linalg: dtypes, several results, 0-d results, stage dumps, errors."""

from __future__ import annotations

import numpy as np
import pytest

import torch_circt
from common.errors import InternalCompilerError
from common.records import ModelMetadata, TensorSpec

STAGES = ("generalize", "bufferize", "free-early", "loops", "llvm")


def compile_mlir(text: str, metadata: ModelMetadata, dump_dir=None):
    """A callable running the JIT'd design (in the flow's isolated worker) on NumPy arrays."""
    design = torch_circt.from_linalg(text, metadata, None, "cpu", torch_circt.Options(dump_dir=dump_dir))
    program = lambda *arrays: design.simulate(*arrays).outputs  # noqa: E731
    program.design = design
    return program

ELEMENTWISE = """
#map = affine_map<(d0) -> (d0)>
func.func @main(%a: tensor<4x{t}>, %b: tensor<4x{t}>) -> tensor<4x{t}> {{
  %e = tensor.empty() : tensor<4x{t}>
  %r = linalg.generic {{indexing_maps = [#map, #map, #map], iterator_types = ["parallel"]}}
      ins(%a, %b : tensor<4x{t}>, tensor<4x{t}>) outs(%e : tensor<4x{t}>) {{
  ^bb0(%x: {t}, %y: {t}, %o: {t}):
    %s = {op} %x, %y : {t}
    linalg.yield %s : {t}
  }} -> tensor<4x{t}>
  return %r : tensor<4x{t}>
}}
"""

MULTI = """
#map = affine_map<(d0, d1) -> (d0, d1)>
#sum = affine_map<(d0, d1) -> ()>
func.func @main(%a: tensor<2x3xi32>) -> (tensor<2x3xi1>, tensor<i64>, tensor<2xi32>) {
  %zero = arith.constant 0 : i32
  %zero64 = arith.constant 0 : i64
  %e = tensor.empty() : tensor<2x3xi1>
  %pos = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<2x3xi32>) outs(%e : tensor<2x3xi1>) {
  ^bb0(%x: i32, %o: i1):
    %c = arith.cmpi sgt, %x, %zero : i32
    linalg.yield %c : i1
  } -> tensor<2x3xi1>
  %init = tensor.empty() : tensor<i64>
  %filled = linalg.fill ins(%zero64 : i64) outs(%init : tensor<i64>) -> tensor<i64>
  %total = linalg.generic {indexing_maps = [#map, #sum], iterator_types = ["reduction", "reduction"]}
      ins(%a : tensor<2x3xi32>) outs(%filled : tensor<i64>) {
  ^bb0(%x: i32, %acc: i64):
    %w = arith.extsi %x : i32 to i64
    %s = arith.addi %w, %acc : i64
    linalg.yield %s : i64
  } -> tensor<i64>
  %const = arith.constant dense<[5, -5]> : tensor<2xi32>
  return %pos, %total, %const : tensor<2x3xi1>, tensor<i64>, tensor<2xi32>
}
"""


def _meta(args, results) -> ModelMetadata:
    return ModelMetadata(
        "test",
        tuple(TensorSpec(f"a{i}", s, d) for i, (s, d) in enumerate(args)),
        tuple(TensorSpec(f"r{i}", s, d) for i, (s, d) in enumerate(results)),
    )


@pytest.mark.parametrize(
    ("mlir_type", "op", "dtype"),
    [("i8", "arith.addi", "int8"), ("i16", "arith.muli", "int16"), ("i32", "arith.muli", "int32"),
     ("i64", "arith.subi", "int64"), ("f32", "arith.mulf", "float32"), ("i1", "arith.xori", "bool")],
)
def test_elementwise_dtypes(mlir_type, op, dtype):
    program = compile_mlir(ELEMENTWISE.format(t=mlir_type, op=op), _meta([((4,), dtype)] * 2, [((4,), dtype)]))
    if dtype == "bool":
        a, b = np.array([True, False, True, False]), np.array([True, True, False, False])
        expected = a ^ b
    else:
        a = np.array([100, -7, 3, 120], dtype=dtype)
        b = np.array([100, 5, -3, 2], dtype=dtype)
        with np.errstate(over="ignore"):
            expected = {"arith.addi": np.add, "arith.muli": np.multiply, "arith.subi": np.subtract,
                        "arith.mulf": np.multiply}[op](a, b)
    (result,) = program(a, b)
    assert result.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(result, expected)  # int8 100 + 100 wraps to -56


def test_multiple_results_bool_zero_d_and_constant():
    meta = _meta([((2, 3), "int32")], [((2, 3), "bool"), ((), "int64"), ((2,), "int32")])
    program = compile_mlir(MULTI, meta)
    a = np.array([[1, -2, 3], [0, 5, -6]], dtype=np.int32)
    positive, total, const = program(a)
    np.testing.assert_array_equal(positive, a > 0)
    assert total.shape == () and total.dtype == np.int64 and int(total) == 1
    np.testing.assert_array_equal(const, np.array([5, -5], dtype=np.int32))
    # A second call reuses the JIT and gets fresh outputs.
    np.testing.assert_array_equal(program(-a)[0], -a > 0)


def test_stage_dumps_and_log(tmp_path):
    program = compile_mlir(ELEMENTWISE.format(t="i32", op="arith.addi"), _meta([((4,), "int32")] * 2, [((4,), "int32")]),
                           dump_dir=tmp_path)
    assert [p.name for p in sorted(tmp_path.iterdir())] == [f"{i:02d}_{name}.mlir" for i, name in enumerate(STAGES)]
    assert program.design.stage_names == list(STAGES)
    assert "llvm.func @_mlir_ciface_main" in program.design.ir("llvm")


def test_wrong_input_is_a_clear_error():
    program = compile_mlir(ELEMENTWISE.format(t="i32", op="arith.addi"), _meta([((4,), "int32")] * 2, [((4,), "int32")]))
    with pytest.raises(ValueError, match=r"input 'a1' must be int32\[4\], got int64\[4\]"):
        program(np.zeros(4, np.int32), np.zeros(4, np.int64))


def test_broken_input_names_stage_and_reproducer(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_CIRCT_REPRO_DIR", str(tmp_path))
    with pytest.raises(InternalCompilerError) as caught:
        compile_mlir("func.func @main() { %x = \"test.unknown\"() : () -> i32 return }", _meta([], []))
    text = str(caught.value)
    assert caught.value.stage == "generalize"
    assert "reproduce with:" in text and "-m backend.cpu.opt '--pass-pipeline=" in text
    assert len(list(tmp_path.glob("*-00_generalize-*/input.mlir"))) == 1


def test_jit_refuses_metadata_that_disagrees_with_the_entry():
    """A wrong count of buffers would make the call write past one: refused before the engine runs."""
    from backend.cpu import JitFunction

    meta = _meta([((4,), "int32")] * 2, [((4,), "int32")])
    program = compile_mlir(ELEMENTWISE.format(t="i32", op="arith.addi"), meta)
    wrong = _meta([((4,), "int32")] * 2, [((4,), "int32")] * 2)
    with pytest.raises(ValueError, match="the compiled entry takes 3 buffers, the metadata has 2 arguments and 2 results"):
        JitFunction(program.design.ir("llvm"), wrong)
