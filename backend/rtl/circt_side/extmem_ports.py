"""The split-extmem-ports and join-extmem-ports passes: memories with several ports through `extmem-to-hw`.

CIRCT's `handshake-lower-extmem-to-hw` (this build) replaces each memref argument by one
argument per port, found at the argument's index as it was before the pass began: a memory
with more than one port shifts every later memref argument, and the pass then erases the
wrong one and aborts ("Cannot destroy a value that still has uses"). The fused epilogue of a
layer stores its P results through P ports of the result's memory.

So before the pass, every port of an `extmemory` after its first moves to an extmemory of its
own, on a new memref argument (same type) appended to the function and named after the port
it stands for (`in1.st3`). Every memory then has one port, and CIRCT names the new one's ports
`in1.st3_st0` (`.done`) or `in1.ld2_ld0` (`.addr`, `.data`). After the pass those names become
the ones CIRCT would have given the original memory's port (`in1_st3`, `in1_ld2.addr`), so the
signature reads as if CIRCT had lowered the memory with all its ports: the manifest, the
harness and the stream top see one memory with several ports.
"""

from __future__ import annotations

import re

from pycde.circt import ir

from backend.rtl.ir_walk import block_ops

_MOVED = re.compile(r"(in\d+)\.(ld|st)(\d+)_(?:ld|st)0(\.\w+)?")


def split_extmem_ports(module: ir.Module) -> int:
    """Give every port of an extmemory after its first an extmemory of its own; returns the ports moved."""
    moved = 0
    for func in (op for op in block_ops(module.body) if op.name == "handshake.func"):
        for memory in [op for op in block_ops(func.regions[0].blocks[0]) if op.name == "handshake.extmemory"]:
            moved += _split(func, memory)
    return moved


def join_extmem_ports(module: ir.Module) -> int:
    """Name the ports of the moved memories as the original memory's own; returns the names changed."""
    renamed = 0
    for func in (op for op in block_ops(module.body) if op.name == "handshake.func"):
        for attribute in ("argNames", "resNames"):
            names = [ir.StringAttr(a).value for a in ir.ArrayAttr(func.attributes[attribute])]
            joined = [_MOVED.sub(lambda m: f"{m[1]}_{m[2]}{m[3]}{m[4] or ''}", name) for name in names]
            renamed += sum(a != b for a, b in zip(names, joined))
            func.attributes[attribute] = ir.ArrayAttr.get([ir.StringAttr.get(n) for n in joined])
    return renamed


def _split(func: ir.Operation, memory: ir.Operation) -> int:
    loads, stores = (ir.IntegerAttr(memory.attributes[k]).value for k in ("ldCount", "stCount"))
    if loads + stores <= 1:
        return 0
    body = func.regions[0].blocks[0]
    argument = memory.operands[0]
    inputs, results = list(memory.operands)[1:], list(memory.results)
    # operands: (data, address) per store, then an address per load; results: data per load, then a done per
    # store, then a done per load
    ports = [("st", k, inputs[2 * k:2 * k + 2], [results[loads + k]]) for k in range(stores)]
    ports += [("ld", k, [inputs[2 * stores + k]], [results[k], results[loads + stores + k]]) for k in range(loads)]
    name = _arg_name(func, argument)
    next_id = 1 + max(ir.IntegerAttr(op.attributes["id"]).value
                      for op in block_ops(body) if op.name in ("handshake.extmemory", "handshake.memory"))
    with memory.location, ir.InsertionPoint(memory):
        kept_kind, _, kept_inputs, kept_results = ports[0]
        _extmemory(argument, kept_kind, kept_inputs, kept_results, ir.IntegerAttr(memory.attributes["id"]).value)
        for kind, k, port_inputs, port_results in ports[1:]:
            own = body.add_argument(argument.type, memory.location)
            _append_arg(func, own.type, f"{name}.{kind}{k}")
            _extmemory(own, kind, port_inputs, port_results, next_id)
            next_id += 1
    memory.erase()
    return len(ports) - 1


def _extmemory(memref: ir.Value, kind: str, inputs: list[ir.Value], results: list[ir.Value], identifier: int) -> None:
    """An extmemory of one port on `memref` that takes over `results` of the old one."""
    i32 = ir.IntegerType.get_signless(32)
    attributes = {"id": ir.IntegerAttr.get(i32, identifier), "ldCount": ir.IntegerAttr.get(i32, int(kind == "ld")),
                  "stCount": ir.IntegerAttr.get(i32, int(kind == "st"))}
    new = ir.Operation.create("handshake.extmemory", results=[r.type for r in results], operands=[memref, *inputs],
                              attributes=attributes)
    for old, value in zip(results, new.results):
        old.replace_all_uses_with(value)


def _arg_name(func: ir.Operation, argument: ir.Value) -> str:
    position = next(i for i, a in enumerate(func.regions[0].blocks[0].arguments) if a == argument)
    return ir.StringAttr(ir.ArrayAttr(func.attributes["argNames"])[position]).value


def _append_arg(func: ir.Operation, type_: ir.Type, name: str) -> None:
    """Record a block argument appended to the entry in the function's type and its `argNames`."""
    signature = ir.FunctionType(ir.TypeAttr(func.attributes["function_type"]).value)
    func.attributes["function_type"] = ir.TypeAttr.get(ir.FunctionType.get([*signature.inputs, type_],
                                                                          list(signature.results)))
    names = [ir.StringAttr(a).value for a in ir.ArrayAttr(func.attributes["argNames"])]
    func.attributes["argNames"] = ir.ArrayAttr.get([ir.StringAttr.get(n) for n in [*names, name]])
