"""The internal-parameters pass: the weights inside the circuit, as read-only memories (hw, after `name-hardware`).

Until here every parameter is a memory the user must supply: load ports on the
top that a harness answers. This pass renames the top `<top>_core` and builds a
new top with the same ports minus those of the parameters, which instantiates
the core and, per parameter, a ROM module `<top>_<param>_rom` that answers
its load ports. A ROM is an unpacked array register initialised in an
`initial` block, one assignment per word, so the SystemVerilog carries the
weights itself (no file path to resolve); its read is registered, the form
Yosys maps to block RAM (DP16KD) or, when small, to LUTs.

Each read port behaves as the harness did: the word arrives the cycle after the
address handshake. It holds one word; a new address is taken while the word
waits only if the core takes the word in the same cycle, so back-pressure on
the data stalls the address, never loses a word. A parameter that is also
stored to (none is today) keeps its ports.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pycde.circt import ir

from backend.rtl.circt_side.hw_text import (
    LOAD_PARTS,
    Port,
    clock_lines,
    declaration,
    instance,
    memory_ports,
    read_circuit,
    read_port,
    wrap,
)
from backend.rtl.names import CLOCK, RESET
from common.records import ModelMetadata


@dataclass(frozen=True)
class Rom:
    """One parameter's words and the top's ports of its load ports `loads` (their prefixes, `w_ld0`)."""

    prefix: str
    width: int
    address_width: int
    values: tuple[int, ...]
    loads: tuple[str, ...]


def internal_parameters(module: ir.Module, metadata: ModelMetadata, rom_style: str = "auto") -> int:
    """Move every read-only parameter into the circuit; returns how many ROMs were built.

    `rom_style` other than "auto" becomes each ROM's `(* rom_style = ... *)`, which Yosys obeys ("block", "logic").
    """
    circuit = read_circuit(module, metadata)
    top = circuit.names.top
    roms = []
    for position, k in sorted(circuit.interfaces.items()):
        tensor = circuit.tensors[position]
        if tensor.role != "param":
            continue
        rom = _rom(circuit.names.prefixes[k], circuit.ports, circuit.params[tensor.index].values)
        if rom is not None:
            roms.append(rom)
    if roms:
        core = f"{top}_core"
        wrap(module, circuit.top, core, [*(rom_module(rom_name(top, rom), rom, rom_style) for rom in roms),
                                         wrapper(top, core, circuit.ports, roms)])
    return len(roms)


def rom_name(top: str, rom: Rom) -> str:
    return rom_module_name(top, rom.prefix)


def rom_module_name(top: str, prefix: str) -> str:
    """The ROM of the memory whose ports are named `prefix_ld0`, ...: what the manifest records too."""
    return f"{top}_{prefix}_rom"


def _rom(prefix: str, ports: Sequence[Port], values: Sequence[int]) -> Rom | None:
    """The ROM of the memory whose ports start with `prefix`; None when it has a store port or no load."""
    mine = memory_ports(prefix, ports)
    if mine.stores or not mine.loads:
        return None
    first = f"{prefix}_ld{mine.loads[0]}"
    return Rom(prefix, bits(mine.by_name[f"{first}_data"].type), bits(mine.by_name[f"{first}_addr"].type), tuple(values),
               tuple(f"{prefix}_ld{n}" for n in mine.loads))


def bits(type_text: str) -> int:
    """The width of an integer port type (`i32`)."""
    if not re.fullmatch(r"i\d+", type_text):
        raise ValueError(f"a memory port of type {type_text}: expected an integer")
    return int(type_text[1:])


def rom_module(name: str, rom: Rom, rom_style: str = "auto") -> str:
    """The ROM as hw/sv/seq IR: the words, then per read port a registered read and its valid."""
    array = f"!hw.inout<uarray<{len(rom.values)}xi{rom.width}>>"
    index = f"i{rom.address_width}"
    mask = (1 << rom.width) - 1
    style = "" if rom_style == "auto" else f'{{sv.attributes = [#sv.attribute<"rom_style" = "\\"{rom_style}\\"">]}} '
    ins = [f"in %{CLOCK} : !seq.clock", f"in %{RESET} : i1"]
    outs = []
    body = [
        f"  %mem = sv.reg {style}: {array}",
        "  sv.initial {",
        *(line for address, value in enumerate(rom.values) for line in (
            f"    %a{address} = hw.constant {address} : {index}",
            f"    %v{address} = hw.constant {value & mask} : i{rom.width}",
            f"    %m{address} = sv.array_index_inout %mem[%a{address}] : {array}, {index}",
            f"    sv.bpassign %m{address}, %v{address} : i{rom.width}",
        )),
        "  }",
        *clock_lines(),
    ]
    results = []
    for n in range(len(rom.loads)):
        ins += [f"in %addr{n} : {index}", f"in %addr{n}_valid : i1", f"in %data{n}_ready : i1"]
        outs += [f"out addr{n}_ready : i1", f"out data{n} : i{rom.width}", f"out data{n}_valid : i1"]
        lines, ready, data, valid = read_port(f"r{n}", "%mem", array, index, rom.width, f"%addr{n}", f"%addr{n}_valid",
                                              f"%data{n}_ready")
        body += lines
        results += [(ready, "i1"), (data, f"i{rom.width}"), (valid, "i1")]
    body.append(f"  hw.output {', '.join(v for v, _ in results)} : {', '.join(t for _, t in results)}")
    return "\n".join([f"hw.module @{name}({', '.join(ins + outs)}) {{", *body, "}"])


def wrapper(top: str, core: str, ports: Sequence[Port], roms: Sequence[Rom]) -> str:
    """The new top: the core's ports but the parameters', the core, and the ROMs wired to its load ports."""
    answered = {f"{load}{part}" for rom in roms for load in rom.loads for part in LOAD_PARTS}
    outer = [p for p in ports if p.name not in answered]
    core_outputs = [p for p in ports if p.output]
    core_value = {p.name: f"%core#{i}" for i, p in enumerate(core_outputs)}
    rom_value = {}
    for r, rom in enumerate(roms):
        for n, load in enumerate(rom.loads):
            for i, part in enumerate(("addr_ready", "data", "data_valid")):
                rom_value[f"{load}_{part}"] = f"%rom{r}#{3 * n + i}"
    lines = [
        f"hw.module @{top}({', '.join(declaration(p) for p in outer)}) {{",
        instance("%core", "core", core, [(p.name, rom_value.get(p.name, f"%{p.name}"), p.type) for p in ports if not p.output],
                 [(p.name, p.type) for p in core_outputs]),
    ]
    for r, rom in enumerate(roms):
        arguments = [(CLOCK, f"%{CLOCK}", "!seq.clock"), (RESET, f"%{RESET}", "i1")]
        results = []
        for n, load in enumerate(rom.loads):
            arguments += [(f"addr{n}", core_value[f"{load}_addr"], f"i{rom.address_width}"),
                          (f"addr{n}_valid", core_value[f"{load}_addr_valid"], "i1"),
                          (f"data{n}_ready", core_value[f"{load}_data_ready"], "i1")]
            results += [(f"addr{n}_ready", "i1"), (f"data{n}", f"i{rom.width}"), (f"data{n}_valid", "i1")]
        lines.append(instance(f"%rom{r}", f"{rom.prefix}_rom", rom_name(top, rom), arguments, results))
    outputs = [p for p in outer if p.output]
    lines.append(f"  hw.output {', '.join(core_value[p.name] for p in outputs)} : {', '.join(p.type for p in outputs)}")
    lines.append("}")
    return "\n".join(lines)
