"""The import pipeline as named stages: FX program -> torch IR -> backend IR -> linalg.

Each stage is text in, text out, so `common.stages.run_stages` can dump and time
it. Pass-pipeline stages run the `torch-mlir-opt` binary itself, so the reproducer
is exactly what ran and a crashing pattern fails one stage, not the process.
A pattern that fails to legalize is traced back to the FX node that produced
it and reported as an `UnsupportedOpError` at the user's source line.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
import subprocess
from pathlib import Path

import numpy as np
import torch
from torch.export import ExportedProgram

from common.errors import UnsupportedOpError
from common.ir_print import print_module
from common.mlir_rewrite import rewrite_text
from common.pipeline_text import module_pipeline, pass_spec
from common.records import ModelMetadata
from common.stages import Stage
from frontend.torch._sources import node_details, site_of_node

TORCH_MLIR_OPT = Path(importlib.util.find_spec("torch_mlir._mlir_libs").origin).parent / "torch-mlir-opt"

_INLINE_DTYPES = frozenset({torch.float16, torch.float32, torch.float64, torch.int8, torch.int16, torch.int32, torch.int64})
_ILLEGAL = re.compile(r"failed to legalize operation '([\w.]+)'")
_WITH_LOCATIONS = "--mlir-print-debuginfo"  # torch-mlir-opt's flag for what common.ir_print does in Python
_PYTORCH_NAMESPACES = ("aten.", "prims.", "quantized.", "torchvision.")
_OPERATOR_NAME = re.compile(r'name = "([\w.]+)"')
_HINT = (
    "rewrite this part of the model with ops torch-mlir supports, or decompose it "
    "into simpler tensor ops; see torch-mlir's list of supported ops"
)


TORCH_BACKEND = module_pipeline(
    ("func.func(torch-match-quantized-custom-ops)", "torchdynamo-export-to-torch-backend-pipeline")
)
LINALG_ON_TENSORS = module_pipeline(
    (pass_spec("torch-backend-to-linalg-on-tensors-backend-pipeline", {"allow-non-finites": "true"}),)
)


def fx_import_stage(program: ExportedProgram) -> Stage:
    """The FX importer: its input is the program, not text."""
    return Stage("fx_import", lambda _text: _fx_import(program), text_input=False)


def integer_idioms_stage() -> Stage:
    return Stage("integer_idioms", _exact_integer_idioms)


def distinct_results_stage() -> Stage:
    return Stage("distinct_results", _distinct_results)


def signature_stage(metadata: ModelMetadata) -> Stage:
    """Checks the lowered @main against the metadata every backend sizes its buffers by."""

    def run(text: str) -> str:
        from torch_mlir import ir

        from common.torch_context import torch_mlir_context
        from frontend.torch._signature import check_signature

        with torch_mlir_context():
            check_signature(ir.Module.parse(text), metadata)
        return text

    return Stage("check-signature", run)


def _exact_integer_idioms(text: str) -> str:
    from frontend.torch._integer_idioms import rewrite_integer_idioms

    return rewrite_text(text, rewrite_integer_idioms)


def _distinct_results(text: str) -> str:
    from frontend.torch._distinct_results import distinct_results

    return rewrite_text(text, distinct_results)


def _fx_import(program: ExportedProgram) -> str:
    from torch_mlir import ir
    from torch_mlir.dialects import torch as torch_d
    from torch_mlir.extras.fx_importer import ContextCache, FxImporter

    class SourceLocations(ContextCache):
        __slots__ = ()

        def get_node_location(self, node: torch.fx.Node):
            return _source_location(node, self._c)

    context = ir.Context()
    torch_d.register_dialect(context)
    tracker = _inline_constants(program, context)
    importer = FxImporter(context=context, py_attr_tracker=tracker)
    importer._cc = SourceLocations(context, py_attr_tracker=tracker)  # the importer has no hook for locations
    try:
        importer.import_frozen_program(program, func_name="main")
    except NotImplementedError as error:
        raise _unsupported(program, "fx_import", str(error), _quoted_op(str(error))) from error
    except (AssertionError, ValueError) as error:
        node = _node_with_constant_in_list(program) if "Heterogeneous lists" in str(error) else None
        if node is None:
            raise
        raise _unsupported(
            program, "fx_import", f"{error} (a constant tensor inside a list argument)", str(node.target),
            hint="pass that tensor as a model input, or use an op taking it directly (e.g. torch.index_select)",
        ) from error
    return print_module(importer.module)


def _source_location(node: torch.fx.Node, context):
    """`node-name("file.py":LINE:0)` at the user's line, not torch's frame inside it (the importer's own choice).

    Every later stage prints it on, so an error in any of them can name the line. A file under the
    working directory is named relative to it, so the IR does not depend on where the checkout (or a
    Bazel sandbox) lives: the same model gives the same bytes, and cached actions stay cached.
    None without a stack trace: the importer then keeps the previous node's location.
    """
    from torch_mlir import ir

    site = site_of_node(node)
    if site is None:
        return None
    file = _portable_path(site.file)
    return ir.Location.name(node.name, childLoc=ir.Location.file(file, site.line, 0, context=context), context=context)


def _portable_path(file: str) -> str:
    path, here = Path(file), Path.cwd()
    return str(path.relative_to(here)) if path.is_absolute() and path.is_relative_to(here) else file


def _inline_constants(program: ExportedProgram, context):
    """Parameters and buffers as inline `dense<...>` rather than `dense_resource` blobs.

    Readable, diffable IR that any MLIR parser (CIRCT's too) takes as is. The
    importer looks constants up in this tracker by identity before making a blob.
    """
    from torch_mlir import ir
    from torch_mlir.extras.fx_importer import RefTracker

    tracker = RefTracker()
    tensors = [*program.state_dict.values(), *getattr(program, "constants", {}).values()]
    for tensor in tensors:
        if not isinstance(tensor, torch.Tensor):
            continue
        if tensor.dtype == torch.bfloat16:  # NumPy has no bfloat16: hand MLIR the 16 bits, typed bf16
            bits = np.ascontiguousarray(tensor.detach().cpu().view(torch.int16).numpy())
            tracker.track(tensor).value = ir.DenseElementsAttr.get(bits, type=ir.BF16Type.get(context), context=context)
        elif tensor.numel() > 1 and tensor.dtype in _INLINE_DTYPES:
            array = np.ascontiguousarray(tensor.detach().cpu().numpy())
            tracker.track(tensor).value = ir.DenseElementsAttr.get(array, context=context)
    return tracker


def _node_with_constant_in_list(program: ExportedProgram) -> torch.fx.Node | None:
    """The FX importer cannot take a parameter, buffer or constant inside a list operand.

    Freezing has by then replaced those placeholders with the tensors themselves.
    """
    for node in program.graph.nodes:
        for arg in node.args:
            if isinstance(arg, (list, tuple)) and any(isinstance(a, torch.Tensor) for a in arg):
                return node
    return None


def pass_stage(name: str, passes: str, program: ExportedProgram | None) -> Stage:
    """Runs in a torch-mlir-opt subprocess: a native crash in a pattern cannot take us down.

    `program` only attributes a refused op to the user's source line; without it
    (a reproducer rerunning the stage on a file) the op is still named.
    """

    def run(text: str) -> str:
        done = subprocess.run(
            [str(TORCH_MLIR_OPT), f"--pass-pipeline={passes}", _WITH_LOCATIONS, "-"],
            input=text, capture_output=True, text=True, check=False,
        )
        if done.returncode == 0:
            return done.stdout
        messages = [line for line in done.stderr.splitlines() if "error:" in line]
        refused = _illegal_op(messages)
        if refused is not None:
            op, message = refused
            raise _unsupported(program, name, message.split("error:", 1)[1].strip(), op,
                               hint=_NEAREST_SPELLING.get(op, _HINT))
        crashed = done.returncode < 0 or "Stack dump" in done.stderr
        summary = "torch-mlir-opt crashed" if crashed else f"torch-mlir-opt exited {done.returncode}"
        lines = [summary, *(messages or done.stderr.splitlines()[:5]), *_offending_lines(text, messages)]
        raise RuntimeError("\n".join(lines))

    def native(path: str) -> str:
        return f"{shlex.quote(str(TORCH_MLIR_OPT))} --pass-pipeline={shlex.quote(passes)} {_WITH_LOCATIONS} {shlex.quote(path)}"

    return Stage(name, run, native)


def _illegal_op(messages: list[str]) -> tuple[str, str] | None:
    """(`aten.xxx`, its diagnostic) for the first PyTorch op a conversion refused.

    A refused non-PyTorch op (`torch.constant.int`, ...) is a toolchain problem,
    not the user's: that stays an internal error with a reproducer.
    """
    for message in messages:
        match = _ILLEGAL.search(message)
        if not match:
            continue
        name = match.group(1)
        if name == "torch.operator":
            inner = _OPERATOR_NAME.search(message)
            name = inner.group(1) if inner else name
        name = name.removeprefix("torch.")
        if name.startswith(_PYTORCH_NAMESPACES):
            return name, message
    return None


def _offending_lines(text: str, messages: list[str]) -> list[str]:
    """The input lines the diagnostics point at: `<stdin>:LINE:COL: error: ...`, or an op's own location
    (`model.py:LINE:COL: error: ...`), found through the text's location aliases."""
    source = text.splitlines()
    found = []
    for message in messages:
        match = re.match(r"<stdin>:(\d+):\d+:", message)
        if match and 0 < int(match.group(1)) <= len(source):
            found.append(f"offending op: {source[int(match.group(1)) - 1].strip()}")
        elif site := re.match(r"(.+):(\d+):(\d+): error:", message):
            found.extend(f"offending op: {line.strip()}" for line in _lines_located_at(source, *site.groups()))
    return found[:3]


def _lines_located_at(source: list[str], file: str, line: str, column: str) -> list[str]:
    """Op lines whose location alias names `file:line:column` (`#loc3 = loc("mul"(#loc1))`, `#loc1 = loc("file":12:0)`)."""
    position = f'loc("{file}":{line}:{column})'
    places = {alias.split(" = ")[0] for alias in source if alias.startswith("#loc") and alias.endswith(position)}
    named = {alias.split(" = ")[0] for alias in source if alias.startswith("#loc") and any(f"({p}))" in alias for p in places)}
    located = {f"loc({alias})" for alias in places | named}
    return [op for op in source if not op.startswith("#loc") and op.rstrip().endswith(tuple(located))]


def _quoted_op(message: str) -> str:
    match = re.search(r"'([\w.]+)'", message)
    return match.group(1) if match else "unknown"


def _find_node(program: ExportedProgram | None, op: str) -> torch.fx.Node | None:
    """The first FX node whose target is `op` (an overload packet or an overload)."""
    if program is None:
        return None
    for node in program.graph.nodes:
        if node.op != "call_function":
            continue
        target = str(node.target)
        if target == op or target.startswith(op + ".") or target.split(".")[-1] == op:
            return node
    return None

# Ops our decompositions cover only in part: what the model can write instead where they do not apply.
_MEDIAN_WITH_INDICES = (
    "a median along a dimension (values and indices, eager breaks ties by index) runs for integers along at most "
    "64 elements; otherwise sort with `torch.sort(x, dim, stable=True)` and take the middle position for both"
)
_NEAREST_SPELLING = {
    "aten.median.dim": _MEDIAN_WITH_INDICES,
    "aten.nanmedian.dim": _MEDIAN_WITH_INDICES,
    "aten.cummax": "cummax runs along at most 64 elements here (torch-mlir lowers none): run it on shorter rows",
    "aten.cummin": "cummin runs along at most 64 elements here (torch-mlir lowers none): run it on shorter rows",
}


def _unsupported(
    program: ExportedProgram | None, stage: str, diagnostic: str, op: str, *, hint: str = _HINT
) -> UnsupportedOpError:
    node = _find_node(program, op)
    if node is not None and op == "with_effects" and len(node.args) > 1:
        op = f"with_effects({node.args[1]})"  # name the side-effecting op it wraps
    site = site_of_node(node) if node is not None else None
    details = node_details(node) if node is not None else []
    details.append(f"diagnostic: {diagnostic.splitlines()[0][:300]}")
    return UnsupportedOpError(
        message=f"torch-mlir cannot lower '{op}' at stage '{stage}'",
        stage=stage,
        op=op,
        location=site.location if site else None,
        details=details,
        hint=hint,
    )
