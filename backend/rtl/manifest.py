"""The port manifest: everything a harness needs to drive a generated circuit.

The SystemVerilog alone does not say which port is which model tensor, how wide
an element is or whether it is signed. The manifest records that once, at compile
time, so the simulator harness (and any other testbench) is generated from data
instead of re-deriving it from Verilog text.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from common.atomic import atomic_write_text

MANIFEST_VERSION = 2


@dataclass(frozen=True)
class Channel:
    """One valid/ready channel of the top module; `data` is None for a zero-width token."""

    data: str | None
    valid: str
    ready: str
    width: int = 0


@dataclass(frozen=True)
class LoadPort:
    """A read port: the circuit sends an address, the memory answers with data (any latency)."""

    name: str
    addr: Channel
    data: Channel


@dataclass(frozen=True)
class StorePort:
    """A write port: one packed {address, data} request in, one zero-width `done` token out.

    The packed struct has the address in the high bits and the data in the low bits.
    """

    name: str
    request: Channel
    done: Channel
    addr_width: int
    data_width: int


@dataclass(frozen=True)
class StreamPort:
    """One AXI4-Stream port of a stream top (docs/interface.md, "Streams"): a memory's elements, row-major,
    one per transfer, `tlast` high with the last. `direction` "in" (a slave: the user drives `tdata`,
    `tvalid`, `tlast`, the circuit `tready`) fills an argument; "out" (a master) empties a result."""

    tdata: str
    tvalid: str
    tready: str
    tlast: str
    width: int
    direction: str


@dataclass(frozen=True)
class Memory:
    """A memref argument of the circuit, modelled by the harness as a flat array.

    `role` is "arg", "result" or "param"; `index` is the position among model args
    or results (params are numbered in order). Params carry their `init` values;
    `rom` names the module that holds a parameter inside the circuit (then it has no ports);
    `stream` is the AXI4-Stream port that fills or empties the memory on a stream top (then it has no ports).
    """

    name: str
    role: str
    index: int
    dtype: str
    element_width: int
    signed: bool
    shape: tuple[int, ...]
    depth: int
    loads: tuple[LoadPort, ...] = ()
    stores: tuple[StorePort, ...] = ()
    init: tuple[int, ...] | None = None
    rom: str | None = None
    stream: StreamPort | None = None


@dataclass(frozen=True)
class PortManifest:
    """The top module's interface: clock/reset, start/done handshakes and memories.

    `loop_bound` is the design's ideal cycle count (innermost loop iterations, see
    torch_circt/loops.py), recorded here because a testbench that has only this file
    sets its cycle limit and the simulator's optimisation from it; None where the
    loops could not be counted.

    `interface` "memory": start, done and the memory ports are the top's. "stream": the top
    has clock, reset and one AXI4-Stream port per argument and result (`Memory.stream`); `start`
    and `done` then name the inner circuit's handshakes, which its stream controller drives.
    """

    top: str
    clock: str
    reset: str
    reset_active_high: bool
    start: Channel
    done: Channel
    memories: tuple[Memory, ...]
    scalars: tuple[Channel, ...] = ()
    loop_bound: int | None = None
    version: int = MANIFEST_VERSION
    notes: tuple[str, ...] = field(default_factory=tuple)
    interface: str = "memory"

    def top_ports(self) -> tuple[str, ...]:
        """Every port of the top module by name (a zero-width payload is no port): what an instance connects."""
        names = [self.clock, self.reset]
        if self.interface == "memory":
            names += [self.start.valid, self.start.ready, self.done.valid, self.done.ready]
        for memory in self.memories:
            if memory.stream is not None:
                s = memory.stream
                names += [s.tdata, s.tvalid, s.tready, s.tlast]
            for load in memory.loads:
                names += [c for channel in (load.addr, load.data) for c in (channel.data, channel.valid, channel.ready) if c]
            for store in memory.stores:
                names += [c for channel in (store.request, store.done) for c in (channel.data, channel.valid, channel.ready) if c]
        return tuple(names)

    def memories_with_role(self, role: str) -> tuple[Memory, ...]:
        return tuple(sorted((m for m in self.memories if m.role == role), key=lambda m: m.index))

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @staticmethod
    def from_json(text: str) -> PortManifest:
        raw = json.loads(text)
        if raw.get("version") != MANIFEST_VERSION:
            raise ValueError(f"port manifest version {raw.get('version')} != {MANIFEST_VERSION}")
        return PortManifest(
            top=raw["top"],
            clock=raw["clock"],
            reset=raw["reset"],
            reset_active_high=raw["reset_active_high"],
            start=_channel(raw["start"]),
            done=_channel(raw["done"]),
            memories=tuple(_memory(m) for m in raw["memories"]),
            scalars=tuple(_channel(s) for s in raw["scalars"]),
            loop_bound=raw["loop_bound"],
            notes=tuple(raw.get("notes", ())),
            interface=raw.get("interface", "memory"),
        )

    def save(self, path: Path) -> None:
        atomic_write_text(Path(path), self.to_json())

    @staticmethod
    def load(path: Path) -> PortManifest:
        return PortManifest.from_json(Path(path).read_text())


def _channel(raw: dict) -> Channel:
    return Channel(raw["data"], raw["valid"], raw["ready"], raw["width"])


def _memory(raw: dict) -> Memory:
    return Memory(
        name=raw["name"],
        role=raw["role"],
        index=raw["index"],
        dtype=raw["dtype"],
        element_width=raw["element_width"],
        signed=raw["signed"],
        shape=tuple(raw["shape"]),
        depth=raw["depth"],
        loads=tuple(LoadPort(p["name"], _channel(p["addr"]), _channel(p["data"])) for p in raw["loads"]),
        stores=tuple(
            StorePort(p["name"], _channel(p["request"]), _channel(p["done"]), p["addr_width"], p["data_width"])
            for p in raw["stores"]
        ),
        init=None if raw["init"] is None else tuple(raw["init"]),
        rom=raw.get("rom"),
        stream=None if raw.get("stream") is None else StreamPort(**raw["stream"]),
    )
