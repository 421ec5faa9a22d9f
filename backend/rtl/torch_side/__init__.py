"""Stages that run in torch-mlir's copy of MLIR: linalg on tensors -> cf + memref.

A stage is a pass pipeline of `PASSES` (on the Python pass manager: the wheel's
torch-mlir-opt lacks several of these passes) or one of our passes, a module of
this package named after it: `rewrite_stage(scalar_replacement)` is the stage
"scalar-replacement" of `scalar_replacement.py`. The flow (`torch_circt/flow.py`)
puts them in order, and `python -m torch_circt.reproduce` reruns any of them on a saved input.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from common.mlir_rewrite import rewrite_text
from common.pipeline_text import module_pipeline, nested, pass_spec, stage_name
from common.stages import Stage
from common.torch_pipeline import run_pipeline

# Chains of elementwise ops become one loop nest, and casts or transposes of an operand become part of
# the loop that reads it (named ops made generic first, so a matmul or convolution takes them in too):
# every loop nest is a sequential phase of the circuit, and each intermediate tensor an internal memory.
# A producer read several times by its consumer is recomputed at each read: no cycles, some area.
FUSE_ELEMENTWISE = (nested("func.func", ["linalg-generalize-named-ops", "linalg-fuse-elementwise-ops"]), "canonicalize")
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


# Stage name -> passes (the order the stages run in is the flow's).
PASSES: dict[str, tuple[str, ...]] = {"fuse-elementwise": FUSE_ELEMENTWISE, "bufferize": BUFFERIZE,
                                      "lower-to-affine": LOWER_TO_AFFINE, "lower-to-cf": LOWER_TO_CF}


def pass_stage(name: str) -> Stage:
    """The pipeline stage `name` of `PASSES`."""
    pipeline = module_pipeline(PASSES[name])
    return Stage(name, lambda text: run_pipeline(text, pipeline))


def fuse_stage() -> Stage:
    """fuse-elementwise, then every result a value of its own again: fusion erases the identity copies the
    frontend made for `return y, y`, and bufferization segfaults on a value returned twice."""
    from frontend.torch._distinct_results import distinct_results

    pipeline = module_pipeline(PASSES["fuse-elementwise"])
    return Stage("fuse-elementwise", lambda text: rewrite_text(run_pipeline(text, pipeline), distinct_results))


def rewrite_stage(transform: Callable[..., Any], **arguments: Any) -> Stage:
    """Our pass `transform(module, **arguments)` as a stage: parse, transform, verify, print."""
    return Stage(stage_name(transform), lambda text: rewrite_text(text, lambda module: transform(module, **arguments)))


def text_stage(transform: Callable[[str], str]) -> Stage:
    """Our pass that works on text itself (it reparses between trials)."""
    return Stage(stage_name(transform), transform)
