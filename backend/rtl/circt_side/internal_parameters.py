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
from pycde.circt.dialects import hw

from backend.rtl.circt_side.ports import module_params, unused_memories
from backend.rtl.ir_walk import block_ops
from backend.rtl.names import CLOCK, RESET, hardware_names, interfaces, memory_tensors
from common.records import ModelMetadata

_LOAD_PART = re.compile(r"ld(\d+)_(addr|data)(_valid|_ready)?")


@dataclass(frozen=True)
class Port:
    name: str
    type: str
    output: bool


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
    params = module_params(module)
    unused = unused_memories(module)
    names = hardware_names(metadata, params, unused)
    tops = [op for op in block_ops(module.body) if op.name == "hw.module" and _symbol(op) == names.top]
    if len(tops) != 1:
        raise ValueError(f"no hw.module @{names.top} to move the parameters into")
    top = tops[0]
    ports = top_ports(top)
    tensors = memory_tensors(metadata, params)
    roms = []
    for position, k in sorted(interfaces(tensors, unused).items()):
        tensor = tensors[position]
        if tensor.role != "param":
            continue
        rom = _rom(names.prefixes[k], ports, params[tensor.index].values)
        if rom is not None:
            roms.append(rom)
    if not roms:
        return 0
    core = f"{names.top}_core"
    taken = {_symbol(op) for op in block_ops(module.body) if op.name in ("hw.module", "hw.module.extern")}
    new_names = [core, *(rom_name(names.top, rom) for rom in roms)]
    if taken & set(new_names):
        raise ValueError(f"modules named {sorted(taken & set(new_names))} exist already")
    top.attributes["sym_name"] = ir.StringAttr.get(core)
    # The new modules parse on their own beside a declaration of the core, which stays behind.
    declaration = f"hw.module.extern @{core}({', '.join(_declaration(p) for p in ports)})"
    text = "\n".join([declaration, *(rom_module(rom_name(names.top, rom), rom, rom_style) for rom in roms),
                      wrapper(names.top, core, ports, roms)])
    parsed = ir.Module.parse(text)  # kept alive while its ops move
    for op in block_ops(parsed.body)[1:]:
        op.detach_from_parent()
        module.body.append(op)
    return len(roms)


def rom_name(top: str, rom: Rom) -> str:
    return rom_module_name(top, rom.prefix)


def rom_module_name(top: str, prefix: str) -> str:
    """The ROM of the memory whose ports are named `prefix_ld0`, ...: what the manifest records too."""
    return f"{top}_{prefix}_rom"


def top_ports(top: ir.Operation) -> list[Port]:
    """The module's ports in order, from its `module_type`."""
    kind = hw.ModuleType(ir.TypeAttr(top.attributes["module_type"]).value)
    return [
        *(Port(n, str(t), False) for n, t in zip(kind.input_names, kind.input_types, strict=True)),
        *(Port(n, str(t), True) for n, t in zip(kind.output_names, kind.output_types, strict=True)),
    ]


def _rom(prefix: str, ports: Sequence[Port], values: Sequence[int]) -> Rom | None:
    """The ROM of the memory whose ports start with `prefix`; None when it has a store port or no load."""
    mine = {p.name[len(prefix) + 1:]: p for p in ports if p.name.startswith(prefix + "_")}
    if any(part.startswith("st") for part in mine):
        return None
    loads = sorted({int(m[1]) for part in mine if (m := _LOAD_PART.fullmatch(part))})
    if not loads:
        return None
    width = _bits(mine[f"ld{loads[0]}_data"].type)
    return Rom(prefix, width, _bits(mine[f"ld{loads[0]}_addr"].type), tuple(values),
               tuple(f"{prefix}_ld{n}" for n in loads))


def _bits(type_text: str) -> int:
    if not re.fullmatch(r"i\d+", type_text):
        raise ValueError(f"a parameter port of type {type_text}: expected an integer")
    return int(type_text[1:])


def rom_module(name: str, rom: Rom, rom_style: str = "auto") -> str:
    """The ROM as hw/sv/seq IR: the words, then per read port a registered read and its valid."""
    array = f"!hw.inout<uarray<{len(rom.values)}xi{rom.width}>>"
    style = "" if rom_style == "auto" else f'{{sv.attributes = [#sv.attribute<"rom_style" = "\\"{rom_style}\\"">]}} '
    index = f"i{rom.address_width}"
    mask = (1 << rom.width) - 1
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
        "  %true = hw.constant true",
        "  %false = hw.constant false",
        f"  %clk = seq.from_clock %{CLOCK}",
    ]
    results = []
    for n in range(len(rom.loads)):
        ins += [f"in %addr{n} : {index}", f"in %addr{n}_valid : i1", f"in %data{n}_ready : i1"]
        outs += [f"out addr{n}_ready : i1", f"out data{n} : i{rom.width}", f"out data{n}_valid : i1"]
        body += [
            f"  %empty{n} = comb.xor %valid{n}, %true : i1",
            f"  %ready{n} = comb.or %empty{n}, %data{n}_ready : i1",
            f"  %fire{n} = comb.and %addr{n}_valid, %ready{n} : i1",
            f"  %word{n} = sv.reg : !hw.inout<i{rom.width}>",
            "  sv.always posedge %clk {",
            f"    sv.if %fire{n} {{",
            f"      %slot{n} = sv.array_index_inout %mem[%addr{n}] : {array}, {index}",
            f"      %read{n} = sv.read_inout %slot{n} : !hw.inout<i{rom.width}>",
            f"      sv.passign %word{n}, %read{n} : i{rom.width}",
            "    }",
            "  }",
            f"  %waiting{n} = comb.xor %data{n}_ready, %true : i1",
            f"  %held{n} = comb.and %valid{n}, %waiting{n} : i1",
            f"  %next{n} = comb.or %fire{n}, %held{n} : i1",
            f"  %valid{n} = seq.compreg %next{n}, %{CLOCK} reset %{RESET}, %false : i1",
            f"  %data{n} = sv.read_inout %word{n} : !hw.inout<i{rom.width}>",
        ]
        results += [(f"%ready{n}", "i1"), (f"%data{n}", f"i{rom.width}"), (f"%valid{n}", "i1")]
    body.append(f"  hw.output {', '.join(v for v, _ in results)} : {', '.join(t for _, t in results)}")
    return "\n".join([f"hw.module @{name}({', '.join(ins + outs)}) {{", *body, "}"])


def wrapper(top: str, core: str, ports: Sequence[Port], roms: Sequence[Rom]) -> str:
    """The new top: the core's ports but the parameters', the core, and the ROMs wired to its load ports."""
    answered = {f"{load}_{part}": (rom, n) for rom in roms for n, load in enumerate(rom.loads)
                for part in ("addr", "addr_valid", "addr_ready", "data", "data_valid", "data_ready")}
    outer = [p for p in ports if p.name not in answered]
    core_outputs = [p for p in ports if p.output]
    core_value = {p.name: f"%core#{i}" for i, p in enumerate(core_outputs)}
    rom_value = {}
    for r, rom in enumerate(roms):
        for n, load in enumerate(rom.loads):
            for i, part in enumerate(("addr_ready", "data", "data_valid")):
                rom_value[f"{load}_{part}"] = f"%rom{r}#{3 * n + i}"

    def core_input(port: Port) -> str:
        return rom_value[port.name] if port.name in answered else f"%{port.name}"

    lines = [
        f"hw.module @{top}({', '.join(_declaration(p) for p in outer)}) {{",
        f"  %core:{len(core_outputs)} = hw.instance \"core\" @{core}("
        + ", ".join(f"{p.name}: {core_input(p)}: {p.type}" for p in ports if not p.output)
        + ") -> (" + ", ".join(f"{p.name}: {p.type}" for p in core_outputs) + ")",
    ]
    for r, rom in enumerate(roms):
        arguments = [f"{CLOCK}: %{CLOCK}: !seq.clock", f"{RESET}: %{RESET}: i1"]
        results = []
        for n, load in enumerate(rom.loads):
            arguments += [f"addr{n}: {core_value[load + '_addr']}: i{rom.address_width}",
                          f"addr{n}_valid: {core_value[load + '_addr_valid']}: i1",
                          f"data{n}_ready: {core_value[load + '_data_ready']}: i1"]
            results += [f"addr{n}_ready: i1", f"data{n}: i{rom.width}", f"data{n}_valid: i1"]
        lines.append(f"  %rom{r}:{len(results)} = hw.instance \"{rom.prefix}_rom\" @{rom_name(top, rom)}("
                     + ", ".join(arguments) + ") -> (" + ", ".join(results) + ")")
    outputs = [p for p in outer if p.output]
    lines.append(f"  hw.output {', '.join(core_value[p.name] for p in outputs)} : {', '.join(p.type for p in outputs)}")
    lines.append("}")
    return "\n".join(lines)


def _declaration(port: Port) -> str:
    return f"out {port.name} : {port.type}" if port.output else f"in %{port.name} : {port.type}"


def _symbol(op: ir.Operation) -> str:
    return ir.StringAttr(op.attributes["sym_name"]).value
