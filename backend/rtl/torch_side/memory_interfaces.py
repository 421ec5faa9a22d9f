"""The memory-interfaces pass: every tensor the circuit touches becomes a memory with one load and one store port.

Three steps, on bufferized IR:

- `memref.copy` becomes `linalg.copy`. Bufferization writes slices, `cat` and
  reshapes as copies between views (subview, collapse_shape, expand_shape).
  Nothing on the way to handshake lowers `memref.copy`, but
  `convert-linalg-to-affine-loops` lowers `linalg.copy` to loads and stores
  through the views, which `fold-memref-alias-ops` then folds into plain
  indices of the underlying buffer (the handshake path has no strided memrefs).
- Parameters become memories that the harness fills: the ROM decision.
  Constant tensors (nn.Linear weights, conv kernels) arrive as `memref.global`
  constants. CIRCT's `flatten-memref` crashes on a global whose value is a
  `dense_resource` blob (how torch-mlir stores every parameter), and
  `lower-cf-to-handshake` has no lowering for `memref.get_global` at all, so
  baking them in as ROM would mean writing our own ROM lowering inside CIRCT's
  pipeline. Instead each global becomes one more memref argument of the top
  function, i.e. one more external memory interface, and its values go into
  the port manifest (`Memory.role == "param"`, `Memory.init`). The harness
  loads them before start, exactly as it loads the model inputs. The values
  travel inside the IR as the module attribute `PARAMS_ATTR` (argument order),
  so every stage stays a pure function of its input text and the port manifest
  reads them at the handshake level. This keeps the circuit small and the
  weights replaceable without recompiling; a synthesis flow that wants ROM can
  initialise the same memory from the manifest.
- At most one reader and one writer op per external memory.
  `handshake-lower-extmem-to-hw` in this CIRCT build aborts ("Cannot destroy a
  value that still has uses") on an external memory with two or more load
  ports, which a model gets as soon as two linalg ops read the same input (x
  used twice, a result buffer that a matmul accumulates into and a bias add
  reads again, or a scan that reads its input twice). So a function argument
  that more than one access may reach (`_accessing_uses`) is swapped for
  an internal buffer (`memref.alloc`, which becomes an on-chip
  `handshake.memory`): inputs are copied in once at entry, results copied out
  once before return. The copies cost one pass over the tensor each; in
  exchange every interface the harness sees has one load port and/or one store port.
"""

from __future__ import annotations

import re

import numpy as np
from torch_mlir import ir
from torch_mlir.dialects import linalg, memref

from backend.rtl.attributes import PARAMS_ATTR, Param
from backend.rtl.ir_walk import owner_op
from backend.rtl.torch_side.walk import ops_named
from common.dtypes import BY_ELEMENT

_MEMREF = re.compile(r"memref<(?:([0-9x]+)x)?(i\d+)>")
_RESOURCE = re.compile(r'^\s*([\w.\-]+|"[^"]*")\s*:\s*"0x([0-9A-Fa-f]*)"', re.M)


def memory_interfaces(module: ir.Module, num_inputs: int, num_outputs: int) -> None:
    """The three steps; `num_inputs` arguments come first, then `num_outputs` out-params."""
    copies_to_linalg(module)
    record_params(module, externalize_globals(module, str(module)))
    isolate_memory_ports(module, num_outputs=num_outputs, num_inputs=num_inputs)


def _resources(text: str) -> dict[str, bytes]:
    start = text.find("{-#")
    if start < 0:
        return {}
    return {name.strip('"'): bytes.fromhex(hexdata) for name, hexdata in _RESOURCE.findall(text[start:])}


def _memref(type_text: str) -> tuple[tuple[int, ...], str]:
    match = _MEMREF.fullmatch(type_text)
    if match is None:
        raise ValueError(f"parameter of type {type_text} is not a static integer memref")
    dims = tuple(int(d) for d in match.group(1).split("x")) if match.group(1) else ()
    return dims, match.group(2)


def _values(global_op: ir.Operation, shape: tuple[int, ...], element: str, blobs: dict[str, bytes]) -> tuple[int, ...]:
    attr = global_op.attributes["initial_value"]
    text = str(attr)
    count = int(np.prod(shape)) if shape else 1
    if text.startswith("dense_resource<"):
        key = text[len("dense_resource<") : text.index(">")]
        raw = blobs[key.strip('"')][4:]  # the first 4 bytes are the blob's alignment
        if element == "i1":
            array = np.frombuffer(raw, dtype=np.uint8).astype(np.bool_)
        else:
            array = np.frombuffer(raw, dtype=BY_ELEMENT[element].name)
        return tuple(int(v) for v in array.reshape(-1)[:count])
    dense = ir.DenseIntElementsAttr(attr)
    if dense.is_splat:
        return (int(dense[0]),) * count
    return tuple(int(dense[i]) for i in range(len(dense)))


def externalize_globals(module: ir.Module, text: str) -> list[Param]:
    """Turn every memref.get_global in @main-like public funcs into a new trailing argument.

    `text` is the module's printed form, which holds the resource blobs.
    """
    blobs = _resources(text)
    body = module.body
    globals_by_name = {
        str(op.attributes["sym_name"]).strip('"'): op.operation
        for op in body.operations
        if op.operation.name == "memref.global"
    }
    params: list[Param] = []
    for func in (op.operation for op in body.operations if op.operation.name == "func.func"):
        arg_for: dict[str, ir.Value] = {}
        entry = func.regions[0].blocks[0]
        for get in ops_named(func, "memref.get_global"):
            name = str(get.attributes["name"]).lstrip("@").strip('"')
            if name not in arg_for:
                global_op = globals_by_name[name]
                shape, element = _memref(str(get.results[0].type))
                params.append(Param(name, shape, element, _values(global_op, shape, element, blobs)))
                arg_for[name] = entry.add_argument(get.results[0].type, get.location)
            get.results[0].replace_all_uses_with(arg_for[name])
            get.erase()
        inputs = [arg.type for arg in entry.arguments]
        old = ir.FunctionType(ir.TypeAttr(func.attributes["function_type"]).value)
        func.attributes["function_type"] = ir.TypeAttr.get(ir.FunctionType.get(inputs, old.results))
    for op in globals_by_name.values():
        op.erase()
    return params



def record_params(module: ir.Module, params: list[Param]) -> None:
    """Attach `params` to the module, in the order their arguments were added."""
    if not params:
        return
    with module.context:
        entries = [
            ir.DictAttr.get({
                "name": ir.StringAttr.get(p.name),
                "shape": ir.DenseI64ArrayAttr.get(list(p.shape)),
                "element": ir.StringAttr.get(p.element),
                "values": ir.DenseI64ArrayAttr.get(list(p.values)),
            })
            for p in params
        ]
        module.operation.attributes[PARAMS_ATTR] = ir.ArrayAttr.get(entries)


def copies_to_linalg(module: ir.Module) -> int:
    copies = ops_named(module, "memref.copy")
    for copy in copies:
        source, target = copy.operands
        with ir.InsertionPoint(copy), copy.location:
            linalg.copy(source, outs=[target])
        copy.erase()
    return len(copies)


_VIEWS = frozenset({"memref.subview", "memref.expand_shape", "memref.collapse_shape", "memref.cast",
                    "memref.reinterpret_cast"})


def _accessing_uses(value: ir.Value) -> int:
    """Load or store ops that will access `value`, looking through views: after
    fold-memref-alias-ops, every access through a view is an access to `value`.

    A linalg op, `tm_tensor.scatter` or a plain load/store accesses each operand
    once; any other op counts as two, since it lowers to loops of its own that
    may access an operand more than once (`tm_tensor.scan` loads its input twice:
    the first element, then the rest), which is what the port limit is about.
    """
    count = 0
    for use in value.uses:
        owner = owner_op(use.owner)
        if owner.name in _VIEWS:
            count += _accessing_uses(owner.results[0])
        else:
            count += 1 if owner.name.startswith(_ONE_ACCESS_PER_OPERAND) else 2
    return count


_ONE_ACCESS_PER_OPERAND = ("linalg.", "tm_tensor.scatter", "memref.load", "memref.store")


def isolate_memory_ports(module: ir.Module, num_outputs: int, num_inputs: int) -> int:
    """Rewrite the public func; `num_inputs` args come first, then `num_outputs` out-params."""
    funcs = [op.operation for op in module.body.operations if op.operation.name == "func.func"]
    rewritten = 0
    for func in funcs:
        entry = func.regions[0].blocks[0]
        ops = list(entry.operations)
        first, terminator = ops[0], ops[-1]
        for position, arg in enumerate(entry.arguments):
            users = list(arg.uses)
            if _accessing_uses(arg) <= 1:
                continue
            is_output = num_inputs <= position < num_inputs + num_outputs
            with arg.location:
                with ir.InsertionPoint(first):
                    local = memref.AllocOp(ir.MemRefType(arg.type), [], []).result
                for use in users:  # every old user now goes to the local buffer
                    owner_op(use.owner).operands[use.operand_number] = local
                if is_output:
                    with ir.InsertionPoint(terminator):
                        linalg.copy(local, outs=[arg])
                else:
                    with ir.InsertionPoint(first):
                        linalg.copy(arg, outs=[local])
            rewritten += 1
    return rewritten
