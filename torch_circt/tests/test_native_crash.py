"""A real native crash in a pass: the caller gets an internal error naming the stage, and the reproducer crashes the same way."""

from __future__ import annotations

import signal
import subprocess

import pytest

import torch_circt
from common.errors import InternalCompilerError
from common.records import ModelMetadata, TensorSpec
from torch_circt.options import Options, RtlOptions

# The frontend no longer emits this (distinct_results copies the second result), so the
# IR goes to the backend directly, with the fusion stage off (it makes the results distinct
# again): MLIR's buffer-results-to-out-params{hoist-static-allocs} segfaults on one buffer
# returned twice.
RETURN_TWICE = """
func.func @main(%a: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi32>) {
  %e = tensor.empty() : tensor<4xi32>
  %y = linalg.add ins(%a, %a : tensor<4xi32>, tensor<4xi32>) outs(%e : tensor<4xi32>) -> tensor<4xi32>
  return %y, %y : tensor<4xi32>, tensor<4xi32>
}
"""
SPEC = TensorSpec("a", (4,), "int32")
UNFUSED = Options(rtl=RtlOptions(fuse_elementwise=False))


def test_segfault_in_a_pass_is_an_internal_error_and_the_reproducer_crashes_alike(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TORCH_CIRCT_REPRO_DIR", str(tmp_path))
    metadata = ModelMetadata("twice", (SPEC,), (TensorSpec("r0", (4,), "int32"), TensorSpec("r1", (4,), "int32")))
    with pytest.raises(InternalCompilerError) as caught:
        torch_circt.from_linalg(RETURN_TWICE, metadata, None, "rtl", UNFUSED)
    text = str(caught.value)
    assert caught.value.stage == "bufferize" and "killed by SIGSEGV" in text and "model 'twice'" in text
    (folder,) = list(tmp_path.iterdir())
    command = next(line.split("reproduce with: ", 1)[1] for line in text.splitlines() if "reproduce with: " in line)
    done = subprocess.run(command, shell=True, capture_output=True, text=True)
    assert done.returncode in (-signal.SIGSEGV, 128 + signal.SIGSEGV), done.stderr[-500:]
    assert str(folder) in command
