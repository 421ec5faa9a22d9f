"""Read the port manifest off the handshake signature that `handshake-lower-extmem-to-hw` leaves.

That pass turns memref argument `i` into ports named `in{i}_ld{k}.addr`/`.data`
(loads) and `in{i}_st{k}` (a packed {address, data} struct) plus `.done`
(stores); the remaining `none` argument is the start token and the `none` result
`out0` the done token. `lower-esi-ports` later adds `_valid`/`_ready`. The pass
owns this naming; `backend.rtl.names` maps it to the names the `name-hardware`
stage gives the ports, and the manifest records those.
"""

from __future__ import annotations

import re

from pycde.circt import ir

from backend.rtl.attributes import UNUSED_ATTR, Param, read_params
from backend.rtl.circt_side.context import circt_context, parse_in_circt
from backend.rtl.manifest import Channel, LoadPort, Memory, PortManifest, StorePort
from backend.rtl.names import CLOCK, RESET, HardwareNames, hardware_names, interfaces, memory_tensors
from common.dtypes import BY_NAME
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


def _channel(names: HardwareNames, name: str, type_text: str) -> Channel:
    port = names.port(name)
    width = _width(type_text)
    return Channel(port if width else None, f"{port}_valid", f"{port}_ready", width)


def module_params(module: ir.Module) -> list[Param]:
    """The parameters the memory-interfaces stage recorded on the module, in argument order."""
    return read_params(module, ir)


def unused_memories(module: ir.Module) -> set[int]:
    """Positions of the memory arguments the torch side dropped (`drop_unused_memories`)."""
    if UNUSED_ATTR not in module.operation.attributes:
        return set()
    return set(ir.DenseI64ArrayAttr(module.operation.attributes[UNUSED_ATTR]))


def _signature(text: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[Param], set[int]]:
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
        args = list(zip(arg_names, (str(t) for t in ftype.inputs)))
        results = list(zip(res_names, (str(t) for t in ftype.results)))
        params = module_params(module)
        unused = unused_memories(module)
    return args, results, params, unused


def read_manifest(text: str, metadata: ModelMetadata) -> PortManifest:
    """Build the manifest from IR right after `handshake-lower-extmem-to-hw`."""
    args, results, params, unused = _signature(text)
    names = hardware_names(metadata, params, unused)
    ports: dict[int, dict[str, dict[int, dict[str, tuple[str, str]]]]] = {}
    start: list[Channel] = []
    done: list[Channel] = []
    for name, type_text in [*args, *results]:
        match = _PORT.fullmatch(name)
        if match:
            index, kind, number, part = int(match[1]), match[2], int(match[3]), match[4] or "request"
            ports.setdefault(index, {}).setdefault(kind, {}).setdefault(number, {})[part] = (name, type_text)
        elif type_text == "none" and (name, type_text) in args:
            start.append(_channel(names, name, type_text))
        elif type_text == "none":
            done.append(_channel(names, name, type_text))
        else:
            raise _error(f"port '{name}' of type {type_text} is neither a memory port nor start/done")
    if len(start) != 1 or len(done) != 1:
        raise _error(f"expected one start and one done token, found {len(start)} and {len(done)}")
    tensors = memory_tensors(metadata, params)
    interface = interfaces(tensors, unused)
    if ports and max(ports) >= len(interface):
        raise _error(f"memory interface in{max(ports)} has no matching model argument/result/param")
    memories = []
    for index, tensor in enumerate(tensors):
        role, position, name, dtype, shape = tensor.role, tensor.index, tensor.name, tensor.dtype, tensor.shape
        k = interface.get(index)
        kinds = ports.get(k, {}) if k is not None else {}
        loads = tuple(
            LoadPort(names.port(f"in{k}_ld{n}"), _channel(names, *p["addr"]), _channel(names, *p["data"]))
            for n, p in sorted(kinds.get("ld", {}).items())
        )
        stores = []
        for _, p in sorted(kinds.get("st", {}).items()):
            request_name, struct = p["request"]
            fields = _STRUCT.fullmatch(struct)
            if fields is None:
                raise _error(f"store port {request_name} has unexpected type {struct}")
            port = names.port(request_name)
            width = int(fields[1]) + int(fields[2])
            request = Channel(port, f"{port}_valid", f"{port}_ready", width)
            stores.append(StorePort(port, request, _channel(names, *p["done"]), int(fields[1]), int(fields[2])))
        widths = {load.data.width for load in loads} | {s.data_width for s in stores}
        element_width = widths.pop() if len(widths) == 1 else BY_NAME[dtype].bits
        depth = 1
        for d in shape:
            depth *= d
        init = params[position].values if role == "param" else None
        memories.append(
            Memory(name, role, position, dtype, element_width, BY_NAME[dtype].signed, tuple(shape),
                   depth, loads, tuple(stores), init)
        )
    return PortManifest(names.top, CLOCK, RESET, True, start[0], done[0], tuple(memories))


def _error(message: str) -> InternalCompilerError:
    return InternalCompilerError(message=message, stage="rtl-port-manifest")
