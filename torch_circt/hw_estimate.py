"""A hardware size estimate counted in the hw/comb/seq IR, before SystemVerilog export.

We read the last hw stage's output (`internal-parameters`, else `name-hardware`): every handshake op is by then one
`hw.module` built from `comb` and `seq` ops, instantiated (`hw.instance`) many
times. Counts are per module, multiplied out through the instance hierarchy
from the top module, so they describe the flattened circuit. Widths come from
each op's result type. This is a pre-synthesis count: constant folding,
sharing and retiming in a real synthesis tool will change it (usually shrink
it). Memories inside the circuit are `seq.hlmem` and the parameters' ROMs
(`sv.reg` of an unpacked array); the memories the harness models (arguments,
results, parameters left as ports) are outside it and come from the port manifest.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from backend.rtl import PortManifest

SOURCE = "CIRCT hw/comb/seq IR (the last hw stage), flattened through hw.instance"

_MODULE = re.compile(r"^\s*hw\.module(?:\s+(?:private|public))?\s+@([\w$.]+)")
_INSTANCE = re.compile(r'hw\.instance\s+"[^"]*"\s+(?:sym\s+@\S+\s+)?@([\w$.]+)')
_OP = re.compile(r"=\s+(comb\.\w+|seq\.\w+)\b")
_WIDTH = re.compile(r":\s*i(\d+)(?:\s+loc\(.*\))?\s*$")  # the result type, before the op's location
_MEMORY = re.compile(r"<([\dx]+)xi(\d+)>")
_ROM = re.compile(r"=\s+sv\.reg\b.*:\s*!hw\.inout<uarray<(\d+)xi(\d+)>>")

# (report name, ops counted under it)
CATEGORIES: dict[str, tuple[str, ...]] = {
    "registers": ("seq.compreg", "seq.firreg", "seq.compreg.ce"),
    "adders": ("comb.add", "comb.sub"),
    "multipliers": ("comb.mul",),
    "dividers": ("comb.divs", "comb.divu", "comb.mods", "comb.modu"),
    "comparators": ("comb.icmp",),
    "muxes": ("comb.mux",),
    "shifters": ("comb.shl", "comb.shru", "comb.shrs"),
    "logic_gates": ("comb.and", "comb.or", "comb.xor"),
}


@dataclass(frozen=True)
class Unit:
    count: int
    bits: int


@dataclass
class HwEstimate:
    """Flattened counts per category (count, total result bits) and memory bits."""

    units: dict[str, Unit] = field(default_factory=dict)
    internal_memory_bits: int = 0
    external_memory_bits: int = 0
    module_definitions: int = 0
    instances: int = 0
    source: str = SOURCE

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class _Module:
    ops: Counter = field(default_factory=Counter)  # (op, width) -> count
    memory_bits: int = 0
    children: Counter = field(default_factory=Counter)  # module name -> instance count


def estimate(hw_mlir: str, manifest: PortManifest) -> HwEstimate:
    modules = _parse(hw_mlir)
    totals: dict[str, _Module] = {}

    def flatten(name: str, seen: tuple[str, ...] = ()) -> _Module:
        if name in totals:
            return totals[name]
        module = modules.get(name, _Module())  # an extern module counts as empty
        flat = _Module(Counter(module.ops), module.memory_bits, Counter(module.children))
        for child, count in module.children.items():
            if child in seen:
                continue
            sub = flatten(child, (*seen, name))
            for key, value in sub.ops.items():
                flat.ops[key] += value * count
            flat.memory_bits += sub.memory_bits * count
            flat.children.update({k: v * count for k, v in sub.children.items()})
        totals[name] = flat
        return flat

    top = flatten(manifest.top if manifest.top in modules else next(iter(modules), ""))
    units = {}
    for category, ops in CATEGORIES.items():
        picked = [(count, width) for (op, width), count in top.ops.items() if op in ops]
        units[category] = Unit(sum(c for c, _ in picked), sum(c * w for c, w in picked))
    external = sum(m.depth * m.element_width for m in manifest.memories if m.loads or m.stores)
    return HwEstimate(units, top.memory_bits, external, len(modules), sum(top.children.values()))


def chained_estimate(estimates: Sequence[HwEstimate]) -> HwEstimate:
    """The size of circuits placed side by side (a dataflow chain's stages, each one instance in the chain's top)."""
    units = {category: Unit(sum(e.units[category].count for e in estimates), sum(e.units[category].bits for e in estimates))
             for category in CATEGORIES}
    return HwEstimate(units, sum(e.internal_memory_bits for e in estimates), sum(e.external_memory_bits for e in estimates),
                      sum(e.module_definitions for e in estimates) + 1,
                      sum(e.instances for e in estimates) + len(estimates))


def _parse(text: str) -> dict[str, _Module]:
    modules: dict[str, _Module] = {}
    current: _Module | None = None
    for line in text.splitlines():
        header = _MODULE.match(line)
        if header:
            current = modules.setdefault(header.group(1), _Module())
            continue
        if current is None:
            continue
        rom = _ROM.search(line)
        if rom:
            current.memory_bits += int(rom.group(1)) * int(rom.group(2))
            continue
        instance = _INSTANCE.search(line)
        if instance:
            current.children[instance.group(1)] += 1
            continue
        op = _OP.search(line)
        if not op:
            continue
        if op.group(1) == "seq.hlmem":
            memory = _MEMORY.search(line)
            if memory:
                depth = 1
                for d in memory.group(1).split("x"):
                    depth *= int(d)
                current.memory_bits += depth * int(memory.group(2))
            continue
        width = _WIDTH.search(line)
        current.ops[(op.group(1), int(width.group(1)) if width else 0)] += 1
    return modules
