"""Stages that run in torch-mlir's copy of MLIR: linalg on tensors -> cf + memref.

Each pass stage parses its input text, runs one pipeline and prints the result, so
every stage is reproducible with `torch-mlir-opt` on the dumped file. The two
Python stages (integer idioms/dtype check, parameter externalization) have no
command-line equivalent and say so.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch_mlir._mlir_libs as _torch_mlir_libs
from torch_mlir import ir, passmanager

from backend.rtl.copies import copies_to_linalg
from backend.rtl.int_rewrites import check_integer_only, expand_integer_abs, expand_signed_division
from backend.rtl.linearize import linearize_memrefs
from backend.rtl.params import Param, externalize_globals
from backend.rtl.single_port import isolate_memory_ports
from common.pipeline_text import module_pipeline, pass_spec
from common.stages import Stage

TORCH_MLIR_OPT = Path(_torch_mlir_libs.__file__).parent / "torch-mlir-opt"

BUFFERIZE = (
    pass_spec(
        "one-shot-bufferize",
        {"bufferize-function-boundaries": True, "function-boundary-type-conversion": "identity-layout-map"},
    ),
    pass_spec("buffer-results-to-out-params", {"hoist-static-allocs": True, "modify-public-functions": True}),
    "canonicalize",
)
LOWER_TO_CF = (
    "convert-linalg-to-affine-loops",
    "lower-affine",
    # memref.load/store through views -> indices of the underlying buffer (it leaves
    # affine.load through views alone, hence after lower-affine, and adds affine.apply).
    "fold-memref-alias-ops",
    "lower-affine",
    "convert-scf-to-cf",
    "arith-expand",  # floordivsi/ceildivsi/maxsi/minsi -> ops the handshake lowering knows
    "canonicalize",
    "cse",
)


def _parse(text: str) -> ir.Module:
    return ir.Module.parse(text)


def _pass_stage(name: str, passes: tuple[str, ...]) -> Stage:
    pipeline = module_pipeline(passes)

    def run(text: str) -> str:
        with ir.Context():
            module = _parse(text)
            passmanager.PassManager.parse(pipeline).run(module.operation)
            return str(module)

    return Stage(name, run, lambda path: f"{TORCH_MLIR_OPT} --pass-pipeline='{pipeline}' {path}")


def _python_stage(name: str, transform: Callable[[ir.Module, str], None]) -> Stage:
    def run(text: str) -> str:
        with ir.Context():
            module = _parse(text)
            transform(module, text)
            module.operation.verify()
            return str(module)

    return Stage(name, run, lambda path: f"(Python-only stage '{name}' in backend/rtl; input: {path})")


def _expand_integer_ops(module: ir.Module, _text: str) -> None:
    """Integer ops CIRCT lowers wrongly (divsi) or not at all (math.absi)."""
    expand_signed_division(module)
    expand_integer_abs(module)


def torch_stages(
    params: list[Param], num_inputs: int, num_outputs: int, model: str | None = None
) -> tuple[Stage, ...]:
    """The torch-mlir half of the pipeline; externalized parameters are appended to `params`."""

    def integer_only(module: ir.Module, _text: str) -> None:
        check_integer_only(module, model)

    def externalize(module: ir.Module, text: str) -> None:
        copies_to_linalg(module)
        params.extend(externalize_globals(module, text))
        isolate_memory_ports(module, num_outputs=num_outputs, num_inputs=num_inputs)

    return (
        _python_stage("rtl-check-dtypes", integer_only),
        _pass_stage("bufferize", BUFFERIZE),
        _python_stage("memory-interfaces", externalize),
        _pass_stage("lower-to-cf", LOWER_TO_CF),
        _python_stage("integer-ops", _expand_integer_ops),
        _python_stage("linearize-memrefs", lambda module, _text: linearize_memrefs(module)),
    )

