"""Stages that run in torch-mlir's copy of MLIR: linalg on tensors -> cf + memref.

Each stage parses its input text, transforms it and prints the result; the
flow (`torch_circt/flow.py`) puts them in order, and `python -m
torch_circt.reproduce` reruns any of them on a saved input.
"""

from __future__ import annotations

from collections.abc import Callable

from torch_mlir import ir, passmanager

from backend.rtl.coalesce import coalesce_loops
from backend.rtl.copies import copies_to_linalg
from backend.rtl.int_rewrites import (
    check_integer_only,
    check_supported_ops,
    drop_assertions,
    expand_integer_abs,
    expand_signed_division,
    power_of_two_index_division,
)
from backend.rtl.linearize import linearize_memrefs
from backend.rtl.params import externalize_globals, record_params
from backend.rtl.scalar_replacement import replace_accumulators
from backend.rtl.single_port import isolate_memory_ports
from backend.rtl.unused_memories import drop_unused_memories
from common.mlir_rewrite import rewrite_text
from common.torch_context import torch_mlir_context
from common.pipeline_text import module_pipeline, nested, pass_spec
from common.stages import Stage

BUFFERIZE = (
    # torch-mlir's own tm_tensor ops (cumsum, scatter) are bufferized by their own pass, after one-shot
    # bufferization has left them alone (bufferized first, their to_tensor results have no `restrict`,
    # which one-shot analysis refuses).
    pass_spec(
        "one-shot-bufferize",
        {"bufferize-function-boundaries": True, "function-boundary-type-conversion": "identity-layout-map",
         "allow-unknown-ops": True},
    ),
    nested("func.func", ["tm-tensor-bufferize"]),
    pass_spec("buffer-results-to-out-params", {"hoist-static-allocs": True, "modify-public-functions": True}),
    "canonicalize",
)
LOWER_TO_AFFINE = ("convert-linalg-to-affine-loops",)
LOWER_TO_CF = (
    nested("func.func", ["tm-tensor-to-loops"]),
    "lower-affine",
    # memref.load/store through views -> indices of the underlying buffer (it leaves
    # affine.load through views alone, hence after lower-affine, and adds affine.apply).
    "fold-memref-alias-ops",
    "lower-affine",
    "convert-scf-to-cf",
    "arith-expand",  # floordivsi/ceildivsi/maxsi/minsi -> ops the handshake lowering knows
    "canonicalize",
    "cse",
    # Folds that need loads merged first (`x ^ x`, `x - x`: 0) must happen here, before the
    # unused memories are dropped; CIRCT's own canonicalizer would fold them later and leave an
    # external memory without ports, which `handshake-lower-extmem-to-hw` aborts on.
    "canonicalize",
)


def pass_stage(name: str, passes: tuple[str, ...]) -> Stage:
    """A pipeline on the Python pass manager: the wheel's torch-mlir-opt lacks several of these passes."""
    pipeline = module_pipeline(passes)

    def run(text: str) -> str:
        with torch_mlir_context():
            module = ir.Module.parse(text)
            passmanager.PassManager.parse(pipeline).run(module.operation)
            return str(module)

    return Stage(name, run)


def _python_stage(name: str, transform: Callable[[ir.Module], None]) -> Stage:
    return Stage(name, lambda text: rewrite_text(text, transform))


def check_dtypes_stage(model: str | None) -> Stage:
    """Refuse float ops, and ops whose circuits are known to be wrong, before lowering, naming the op."""

    def check(module: ir.Module) -> None:
        check_integer_only(module, model)
        check_supported_ops(module, model)

    return _python_stage("rtl-check-dtypes", check)


def memory_interfaces_stage(num_inputs: int, num_outputs: int) -> Stage:
    """Parameters become memory arguments (recorded in the IR); every memory gets one load and one store port."""

    def externalize(module: ir.Module) -> None:
        copies_to_linalg(module)
        record_params(module, externalize_globals(module, str(module)))
        isolate_memory_ports(module, num_outputs=num_outputs, num_inputs=num_inputs)

    return _python_stage("memory-interfaces", externalize)


def integer_ops_stage() -> Stage:
    """Ops CIRCT lowers wrongly (divsi) or not at all (math.absi, cf.assert); index division by 2^k as wires."""

    def expand(module: ir.Module) -> None:
        power_of_two_index_division(module)
        expand_signed_division(module)
        expand_integer_abs(module)
        drop_assertions(module)

    return _python_stage("integer-ops", expand)


def scalar_replacement_stage() -> Stage:
    """Reduction accumulators carried in the loop instead of stored and reloaded every iteration."""
    return _python_stage("scalar-replacement", replace_accumulators)


def coalesce_stage() -> Stage:
    """Perfect loop bands merged into one loop where no address needs a division (text in, text out)."""
    return Stage("coalesce-loops", coalesce_loops)


def linearize_stage() -> Stage:
    return _python_stage("linearize-memrefs", linearize_memrefs)


def unused_memories_stage() -> Stage:
    return _python_stage("drop-unused-memories", drop_unused_memories)
