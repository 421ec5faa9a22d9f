"""The lowered `main` must take and return exactly what the metadata says.

Every backend sizes its buffers from the metadata: a result the metadata does not
know about is written past the end of a buffer (garbage or SIGSEGV), a missing
one is never written. This check stops such a disagreement at the frontend, with
both signatures in the message.
"""

from __future__ import annotations

from torch_mlir import ir

from common.dtypes import DTYPES
from common.records import ModelMetadata, TensorSpec

# dtype name -> element types the linalg IR may use for it (unsigned ints are signless there, or `ui<N>`).
_ELEMENTS = {
    dtype.name: (dtype.element, *((f"ui{dtype.bits}",) if dtype.integer and not dtype.signed and dtype.bits > 1 else ()))
    for dtype in DTYPES
}


def check_signature(module: ir.Module, metadata: ModelMetadata) -> None:
    funcs = [op for op in module.body.operations if op.operation.name == "func.func"]
    main = next((f for f in funcs if ir.StringAttr(f.attributes["sym_name"]).value == "main"), None)
    if main is None:
        raise RuntimeError("the lowered module has no func.func @main")
    kind = ir.FunctionType(ir.TypeAttr(main.attributes["function_type"]).value)
    problems = _compare("argument", list(kind.inputs), metadata.args) + _compare("result", list(kind.results), metadata.results)
    if problems:
        raise RuntimeError(
            f"the lowered @main does not match the model's signature: {'; '.join(problems)} "
            f"(@main: ({', '.join(map(str, kind.inputs))}) -> ({', '.join(map(str, kind.results))}))"
        )


def _compare(what: str, types: list[ir.Type], specs: tuple[TensorSpec, ...]) -> list[str]:
    if len(types) != len(specs):
        return [f"{len(types)} {what}s, the metadata has {len(specs)} ({', '.join(s.name for s in specs)})"]
    problems = []
    for index, (kind, spec) in enumerate(zip(types, specs)):
        if not isinstance(kind, ir.RankedTensorType):
            problems.append(f"{what} {index} is {kind}, not a ranked tensor")
            continue
        element = str(kind.element_type)
        if tuple(kind.shape) != tuple(spec.shape) or element not in _ELEMENTS.get(spec.dtype, ()):
            problems.append(f"{what} {index} ('{spec.name}') is {kind}, the metadata says {spec.dtype}{list(spec.shape)}")
    return problems
