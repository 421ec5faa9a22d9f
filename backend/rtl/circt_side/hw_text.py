"""hw/sv/seq IR written as text, for the stages that wrap the circuit in modules of their own.

`internal-parameters` and `stream-interface` build new modules around the top:
they read its ports here, write the new modules' IR as text, parse it beside a
declaration of the old top and move the ops in. The registered read port is
shared: a ROM and a stream top's buffers answer the circuit's loads alike.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pycde.circt import ir
from pycde.circt.dialects import hw

from backend.rtl.attributes import Param
from backend.rtl.circt_side.ports import module_params, unused_memories
from backend.rtl.ir_walk import block_ops
from backend.rtl.names import CLOCK, RESET, HardwareNames, MemoryTensor, hardware_names, interfaces, memory_tensors
from common.records import ModelMetadata


@dataclass(frozen=True)
class Port:
    name: str
    type: str
    output: bool


@dataclass(frozen=True)
class Circuit:
    """The named top after `name-hardware` and what it was built from: a wrapping stage's starting point."""

    top: ir.Operation
    ports: list[Port]
    names: HardwareNames
    params: list[Param]
    tensors: tuple[MemoryTensor, ...]
    interfaces: dict[int, int]  # tensor position -> memory interface k, for the tensors the circuit uses


def read_circuit(module: ir.Module, metadata: ModelMetadata) -> Circuit:
    params = module_params(module)
    unused = unused_memories(module)
    names = hardware_names(metadata, params, unused)
    top = hw_module(module, names.top)
    tensors = memory_tensors(metadata, params)
    return Circuit(top, module_ports(top), names, params, tensors, interfaces(tensors, unused))


# The ports of one load port `<memory>_ld<n>` and one store port `<memory>_st<n>` after `name-hardware`, by suffix.
LOAD_PARTS = ("_addr", "_addr_valid", "_addr_ready", "_data", "_data_valid", "_data_ready")
STORE_PARTS = ("", "_valid", "_ready", "_done", "_done_valid", "_done_ready")


@dataclass(frozen=True)
class MemoryPorts:
    """One memory interface's ports on the circuit, by name, and the numbers of its load and store ports."""

    by_name: dict[str, Port]
    loads: tuple[int, ...]
    stores: tuple[int, ...]


def memory_ports(prefix: str, ports: Sequence[Port]) -> MemoryPorts:
    """The ports named `prefix_ld<n>...` and `prefix_st<n>...` (`prefix` as `HardwareNames` gives it)."""
    pattern = re.compile(rf"{re.escape(prefix)}_(ld|st)(\d+)(?:_(?:addr|data|done))?(?:_valid|_ready)?")
    mine = [(m[1], int(m[2]), p) for p in ports if (m := pattern.fullmatch(p.name))]
    return MemoryPorts({p.name: p for _, _, p in mine}, tuple(sorted({n for kind, n, _ in mine if kind == "ld"})),
                       tuple(sorted({n for kind, n, _ in mine if kind == "st"})))


def module_ports(module: ir.Operation) -> list[Port]:
    """A hw.module's ports in order, from its `module_type`."""
    kind = hw.ModuleType(ir.TypeAttr(module.attributes["module_type"]).value)
    return [
        *(Port(n, str(t), False) for n, t in zip(kind.input_names, kind.input_types, strict=True)),
        *(Port(n, str(t), True) for n, t in zip(kind.output_names, kind.output_types, strict=True)),
    ]


def declaration(port: Port) -> str:
    return f"out {port.name} : {port.type}" if port.output else f"in %{port.name} : {port.type}"


def symbol(op: ir.Operation) -> str:
    return ir.StringAttr(op.attributes["sym_name"]).value


def hw_module(module: ir.Module, name: str) -> ir.Operation:
    """The hw.module @name of `module`."""
    found = [op for op in block_ops(module.body) if op.name == "hw.module" and symbol(op) == name]
    if len(found) != 1:
        raise ValueError(f"no hw.module @{name} to wrap")
    return found[0]


def wrap(module: ir.Module, top: ir.Operation, inner: str, modules: Sequence[str]) -> None:
    """Rename `top` to `inner` and add `modules` (IR text; they may instantiate `inner`) to `module`."""
    taken = {symbol(op) for op in block_ops(module.body) if op.name in ("hw.module", "hw.module.extern")} - {symbol(top)}
    if inner in taken:
        raise ValueError(f"a module named {inner} exists already")
    taken.add(inner)
    ports = module_ports(top)
    top.attributes["sym_name"] = ir.StringAttr.get(inner)
    # The new modules parse on their own beside a declaration of the inner module, which stays behind.
    text = "\n".join([f"hw.module.extern @{inner}({', '.join(declaration(p) for p in ports)})", *modules])
    parsed = ir.Module.parse(text)  # kept alive while its ops move
    for op in block_ops(parsed.body)[1:]:
        if symbol(op) in taken:
            raise ValueError(f"a module named {symbol(op)} exists already")
        op.detach_from_parent()
        module.body.append(op)


def instance(result: str, name: str, module: str, arguments: Sequence[tuple[str, str, str]],
             results: Sequence[tuple[str, str]]) -> str:
    """`%result:N = hw.instance`, its arguments (port, value, type) and results (port, type) in the module's order."""
    return (f"  {result}:{len(results)} = hw.instance \"{name}\" @{module}("
            + ", ".join(f"{port}: {value}: {kind}" for port, value, kind in arguments) + ") -> ("
            + ", ".join(f"{port}: {kind}" for port, kind in results) + ")")


def clock_lines() -> list[str]:
    """What `read_port` and the other builders assume: `%true`, `%false` and the clock as an i1 `%clk`."""
    return ["  %true = hw.constant true", "  %false = hw.constant false", f"  %clk = seq.from_clock %{CLOCK}"]


def read_port(tag: str, mem: str, array: str, index: str, width: int, addr: str, addr_valid: str,
              data_ready: str) -> tuple[list[str], str, str, str]:
    """A registered read of `mem` answering one load port; returns (lines, addr_ready, data, data_valid).

    The word comes the cycle after the address handshake and stays valid until taken; the
    address is taken while the word register is empty or being emptied, so back-pressure on
    the data stalls the address and loses no word. Reset empties the word register.
    """
    lines = [
        f"  %{tag}_empty = comb.xor %{tag}_valid, %true : i1",
        f"  %{tag}_ready = comb.or %{tag}_empty, {data_ready} : i1",
        f"  %{tag}_fire = comb.and {addr_valid}, %{tag}_ready : i1",
        f"  %{tag}_word = sv.reg : !hw.inout<i{width}>",
        "  sv.always posedge %clk {",
        f"    sv.if %{tag}_fire {{",
        f"      %{tag}_slot = sv.array_index_inout {mem}[{addr}] : {array}, {index}",
        f"      %{tag}_read = sv.read_inout %{tag}_slot : !hw.inout<i{width}>",
        f"      sv.passign %{tag}_word, %{tag}_read : i{width}",
        "    }",
        "  }",
        f"  %{tag}_waiting = comb.xor {data_ready}, %true : i1",
        f"  %{tag}_held = comb.and %{tag}_valid, %{tag}_waiting : i1",
        f"  %{tag}_next = comb.or %{tag}_fire, %{tag}_held : i1",
        f"  %{tag}_valid = seq.compreg %{tag}_next, %{CLOCK} reset %{RESET}, %false : i1",
        f"  %{tag}_data = sv.read_inout %{tag}_word : !hw.inout<i{width}>",
    ]
    return lines, f"%{tag}_ready", f"%{tag}_data", f"%{tag}_valid"
