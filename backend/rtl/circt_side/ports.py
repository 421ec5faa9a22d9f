"""Read the port manifest off the handshake signature that `handshake-lower-extmem-to-hw` leaves.

That pass turns memref argument `i` into ports named `in{i}_ld{k}.addr`/`.data`
(loads) and `in{i}_st{k}` (a packed {address, data} struct) plus `.done`
(stores); the remaining `none` argument is the start token and the `none` result
`out0` the done token. `lower-esi-ports` later renames `a.b` to `a_b` and adds
`_valid`/`_ready`. The pass owns this naming, so this module is the one place
that knows it.
"""

from __future__ import annotations

import re

from pycde.circt import ir

from backend.rtl.attributes import PARAMS_ATTR, UNUSED_ATTR, Param
from backend.rtl.circt_side.context import circt_context, parse_in_circt
from backend.rtl.manifest import Channel, LoadPort, Memory, PortManifest, StorePort
from common.dtypes import BY_ELEMENT, BY_NAME
from common.errors import InternalCompilerError
from common.records import ModelMetadata

_PORT = re.compile(r"in(\d+)_(ld|st)(\d+)(?:\.(data|done|addr))?")
_STRUCT = re.compile(r"!hw\.struct<address: i(\d+), data: i(\d+)>")


def _width(type_text: str) -> int:
    if type_text == "none":
        return 0
    if type_text.startswith("i"):
        return int(type_text[1:])
    raise ValueError(f"unexpected port type {type_text}")


def _channel(name: str, type_text: str) -> Channel:
    flat = name.replace(".", "_")
    width = _width(type_text)
    return Channel(flat if width else None, f"{flat}_valid", f"{flat}_ready", width)


def _params(module: ir.Module) -> list[Param]:
    """The parameters the memory-interfaces stage recorded on the module, in argument order."""
    if PARAMS_ATTR not in module.operation.attributes:
        return []
    params = []
    for entry in ir.ArrayAttr(module.operation.attributes[PARAMS_ATTR]):
        fields = ir.DictAttr(entry)
        params.append(Param(
            ir.StringAttr(fields["name"]).value,
            tuple(ir.DenseI64ArrayAttr(fields["shape"])),
            ir.StringAttr(fields["element"]).value,
            tuple(ir.DenseI64ArrayAttr(fields["values"])),
        ))
    return params


def _unused(module: ir.Module) -> set[int]:
    if UNUSED_ATTR not in module.operation.attributes:
        return set()
    return set(ir.DenseI64ArrayAttr(module.operation.attributes[UNUSED_ATTR]))


def _signature(text: str) -> tuple[str, list[tuple[str, str]], list[tuple[str, str]], list[Param], set[int]]:
    context = circt_context()
    module = parse_in_circt(text, context)
    with context:
        funcs = [op.operation for op in module.body.operations if op.operation.name == "handshake.func"]
        if len(funcs) != 1:
            raise ValueError(f"expected one handshake.func, found {len(funcs)}")
        func = funcs[0]
        ftype = ir.FunctionType(ir.TypeAttr(func.attributes["function_type"]).value)
        arg_names = [ir.StringAttr(a).value for a in ir.ArrayAttr(func.attributes["argNames"])]
        res_names = [ir.StringAttr(a).value for a in ir.ArrayAttr(func.attributes["resNames"])]
        top = ir.StringAttr(func.attributes["sym_name"]).value
        args = list(zip(arg_names, (str(t) for t in ftype.inputs)))
        results = list(zip(res_names, (str(t) for t in ftype.results)))
        params = _params(module)
        unused = _unused(module)
    return top, args, results, params, unused


def read_manifest(text: str, metadata: ModelMetadata) -> PortManifest:
    """Build the manifest from IR right after `handshake-lower-extmem-to-hw`."""
    top, args, results, params, unused = _signature(text)
    ports: dict[int, dict[str, dict[int, dict[str, tuple[str, str]]]]] = {}
    start: list[Channel] = []
    done: list[Channel] = []
    for name, type_text in [*args, *results]:
        match = _PORT.fullmatch(name)
        if match:
            index, kind, number, part = int(match[1]), match[2], int(match[3]), match[4] or "request"
            ports.setdefault(index, {}).setdefault(kind, {}).setdefault(number, {})[part] = (name, type_text)
        elif type_text == "none" and (name, type_text) in args:
            start.append(_channel(name, type_text))
        elif type_text == "none":
            done.append(_channel(name, type_text))
        else:
            raise _error(f"port '{name}' of type {type_text} is neither a memory port nor start/done")
    if len(start) != 1 or len(done) != 1:
        raise _error(f"expected one start and one done token, found {len(start)} and {len(done)}")
    tensors = [("arg", i, t.name, t.dtype, t.shape) for i, t in enumerate(metadata.args)]
    tensors += [("result", i, t.name, t.dtype, t.shape) for i, t in enumerate(metadata.results)]
    tensors += [("param", i, p.name, BY_ELEMENT[p.element].name, p.shape) for i, p in enumerate(params)]
    # Memory interface k of the circuit is the k-th tensor the circuit uses (unused ones were dropped).
    interface = {tensor: k for k, tensor in enumerate(i for i in range(len(tensors)) if i not in unused)}
    if ports and max(ports) >= len(interface):
        raise _error(f"memory interface in{max(ports)} has no matching model argument/result/param")
    memories = []
    for index, (role, position, name, dtype, shape) in enumerate(tensors):
        k = interface.get(index)
        kinds = ports.get(k, {}) if k is not None else {}
        loads = tuple(
            LoadPort(f"in{k}_ld{n}", _channel(*p["addr"]), _channel(*p["data"]))
            for n, p in sorted(kinds.get("ld", {}).items())
        )
        stores = []
        for n, p in sorted(kinds.get("st", {}).items()):
            request_name, struct = p["request"]
            fields = _STRUCT.fullmatch(struct)
            if fields is None:
                raise _error(f"store port {request_name} has unexpected type {struct}")
            flat = request_name.replace(".", "_")
            width = int(fields[1]) + int(fields[2])
            request = Channel(flat, f"{flat}_valid", f"{flat}_ready", width)
            stores.append(StorePort(request_name, request, _channel(*p["done"]), int(fields[1]), int(fields[2])))
        widths = {l.data.width for l in loads} | {s.data_width for s in stores}
        element_width = widths.pop() if len(widths) == 1 else BY_NAME[dtype].bits
        depth = 1
        for d in shape:
            depth *= d
        init = params[position].values if role == "param" else None
        memories.append(
            Memory(name, role, position, dtype, element_width, BY_NAME[dtype].signed, tuple(shape),
                   depth, loads, tuple(stores), init)
        )
    return PortManifest(top, "clock", "reset", True, start[0], done[0], tuple(memories))


def _error(message: str) -> InternalCompilerError:
    return InternalCompilerError(message=message, stage="rtl-port-manifest")
