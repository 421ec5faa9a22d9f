"""linalg-on-tensors -> LLVM dialect as named stages, after torch-mlir's RefBackend.

Results become out-parameters (`buffer-results-to-out-params`), so the caller
allocates every output with NumPy and the JIT'd function only writes into it;
no result callbacks, no runtime allocation crossing back into Python.
"""

from __future__ import annotations

from common import torch_pipeline
from common.mlir_rewrite import rewrite_text
from common.pipeline_text import module_pipeline
from common.reproducers import python_command
from common.stages import Stage

# Stage name -> passes; every pass string for this backend lives in this table
# (the order the stages run in is the flow's: torch_circt/flow.py).
PASSES: dict[str, tuple[str, ...]] = {
    "generalize": (
        "func.func(refback-generalize-tensor-pad)",
        "func.func(refback-generalize-tensor-concat)",
        "func.func(linalg-generalize-named-ops)",
        "func.func(linalg-fuse-elementwise-ops)",
        "convert-shape-to-std",
    ),
    "bufferize": (
        "func.func(tm-tensor-bufferize)",
        "one-shot-bufferize{copy-before-write bufferize-function-boundaries "
        "function-boundary-type-conversion=identity-layout-map}",
        "refback-mlprogram-bufferize",
        "inline",
        # No hoist-static-allocs: it segfaults when one buffer is returned twice (`return y, y`,
        # which canonicalization recreates from the frontend's distinct copies); results are copied out.
        "buffer-results-to-out-params{modify-public-functions}",
        "canonicalize",
        # Ownership-based deallocation: every buffer freed (at the end of its block;
        # the free-early stage then moves each free to after the buffer's last use).
        "buffer-deallocation-pipeline",
    ),
    "loops": (
        "func.func(tm-tensor-to-loops)",
        "func.func(refback-munge-memref-copy)",
        "func.func(convert-linalg-to-loops)",
        "func.func(lower-affine)",
        "convert-scf-to-cf",
    ),
    "llvm": (
        # bf16 arithmetic and math computed in f32 (rounded back after each op, as eager does), and
        # bf16<->f32 conversions as integer bit operations: otherwise LLVM calls compiler-rt's
        # __truncsfbf2 or a bf16 libm, which the JIT cannot resolve on a host without native bf16
        # ("Unknown function main").
        "func.func(arith-emulate-unsupported-floats{source-types=bf16 target-type=f32})",
        "func.func(math-extend-to-supported-types{target-type=f32})",
        # Math functions without an exact LLVM instruction are libm's (glibc's, within an ulp or two as eager
        # PyTorch's are): torch-mlir's refback-expand-ops-for-llvm would expand tanh to (1 - e^-2x)/(1 + e^-2x)
        # and erf to a polynomial, and convert-math-to-llvm log1p to log(1 + x), all of which lose every digit
        # near 0 (tanh(1e-16) gave 0, mish(-10) was 2e-4 off). convert-math-to-libm refuses any math op it has
        # no function for, so it runs last; libm has no integer power: fpowi becomes multiplications first.
        # (convert-math-to-llvm still makes expm1 e^x - 1: the frontend decomposes expm1 before it gets here.)
        "func.func(math-expand-ops{ops=fpowi})",
        "func.func(arith-expand{include-bf16=true})",
        "func.func(convert-math-to-llvm{approximate-log1p=false})",
        "convert-math-to-libm",
        "expand-strided-metadata",
        "finalize-memref-to-llvm",
        "lower-affine",
        "convert-bufferization-to-memref",
        "finalize-memref-to-llvm",
        "func.func(convert-arith-to-llvm)",
        "convert-vector-to-llvm",
        "convert-func-to-llvm",
        "convert-cf-to-llvm",
        "convert-complex-to-llvm",
        "reconcile-unrealized-casts",
    ),
}


def run_pipeline(text: str, passes: str) -> str:
    """The shared torch-mlir runner, with the C interface on every function. Also the body of `python -m backend.cpu.opt`."""
    return torch_pipeline.run_pipeline(text, passes, prepare=_emit_c_interface)


def _emit_c_interface(module) -> None:
    """`_mlir_ciface_main` takes one descriptor pointer per memref: easy to call via ctypes."""
    from torch_mlir import ir

    for op in module.body.operations:
        if op.operation.name == "func.func":
            op.attributes["llvm.emit_c_interface"] = ir.UnitAttr.get()


def free_early_stage() -> Stage:
    """Each buffer freed right after its last use (`_dealloc`), so peak memory follows live data."""

    def run(text: str) -> str:
        from backend.cpu._dealloc import free_after_last_use

        return rewrite_text(text, free_after_last_use)

    return Stage("free-early", run)


def stage(name: str) -> Stage:
    """The CPU stage `name` of `PASSES`; its native reproducer is the Python pass manager's driver."""
    text = module_pipeline(PASSES[name])
    return Stage(
        name,
        lambda mlir: run_pipeline(mlir, text),
        lambda path: python_command("backend.cpu.opt", f"--pass-pipeline={text}", path),
    )
