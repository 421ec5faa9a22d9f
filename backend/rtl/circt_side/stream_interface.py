"""The stream-interface pass: an AXI4-Stream top around the circuit (hw, after `internal-parameters`).

The circuit reads its arguments and writes its results through memory ports
and runs between a start and a done handshake. This pass renames it
`<top>_memory` and builds a new `<top>` with clock, reset and, per argument,
an AXI4-Stream slave (`<tensor>_tdata`, `_tvalid`, `_tready`, `_tlast`) and,
per result, a master, each element one transfer, row-major, `tdata` as wide as
the element. Inside, each argument and result gets a buffer of two banks (an
unpacked array register twice the tensor's size, the bank in the address's top
bit) that answers the circuit's load and store ports as the harness did. Three
processes share the banks, so that a stream of inferences overlaps its
transfers with the circuit's work: filling (every input stream is accepted into
the fill bank until its tensor is whole, tensors possibly interleaved; then that
bank is full and filling moves to the other one once it is free), running
(start on the run bank when its inputs are full and its results drained, wait
for done: its inputs are then free and its results full; move to the other
bank) and sending (every result of the send bank streams out, `tlast` on its
last element; then its results are free; move on). Inference k + 1 is taken in
while k runs, and k is sent while k + 1 runs. An input's `tlast` is not needed
(the shape gives the count) and is ignored. Parameters left as ports stay ports
of the top.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pycde.circt import ir

from backend.rtl.circt_side.hw_text import (
    LOAD_PARTS,
    STORE_PARTS,
    Port,
    clock_lines,
    declaration,
    instance,
    memory_ports,
    read_circuit,
    read_port,
    wrap,
)
from backend.rtl.circt_side.internal_parameters import bits
from backend.rtl.names import CLOCK, DONE, RESET, START, tensor_prefixes
from common.dtypes import BY_NAME
from common.records import ModelMetadata

BANKS = 2
_STRUCT = re.compile(r"!hw\.struct<address: i(\d+), data: i(\d+)>")


@dataclass(frozen=True)
class Buffer:
    """One argument's or result's memory inside the stream top, and the circuit's ports on it."""

    prefix: str
    direction: str  # "in": filled by a stream slave; "out": emptied by a stream master
    width: int
    depth: int
    loads: tuple[str, ...]  # port prefixes, `x_ld0`
    stores: tuple[str, ...]  # `result0_st0`

    @property
    def index_width(self) -> int:
        return (self.depth - 1).bit_length()

    @property
    def count_width(self) -> int:
        return self.depth.bit_length()

    @property
    def array(self) -> str:
        """Both banks, each as long as the element address reaches (a power of two), so the bank is the top bit."""
        return f"!hw.inout<uarray<{BANKS << self.index_width}xi{self.width}>>"

    @property
    def banked_index(self) -> str:
        """The type of an address into both banks: the bank, then the element."""
        return f"i{self.index_width + 1}"


def stream_interface(module: ir.Module, metadata: ModelMetadata) -> int:
    """Wrap the top in the stream controller; returns how many stream ports it has."""
    circuit = read_circuit(module, metadata)
    ports = circuit.ports
    prefixes = tensor_prefixes([t.name for t in circuit.tensors])
    buffers = []
    for position, tensor in enumerate(circuit.tensors):
        if tensor.role == "param":
            continue
        depth = 1
        for d in tensor.shape:
            depth *= d
        buffers.append(_buffer(prefixes[position], "in" if tensor.role == "arg" else "out", depth,
                               BY_NAME[tensor.dtype].bits, ports if position in circuit.interfaces else ()))
    inner = f"{circuit.names.top}_memory"
    wrap(module, circuit.top, inner, [stream_top(circuit.names.top, inner, ports, buffers)])
    return len(buffers)


def _buffer(prefix: str, direction: str, depth: int, dtype_bits: int, ports: Sequence[Port]) -> Buffer:
    """The circuit's ports named `prefix_ld<n>...`/`prefix_st<n>...`; the element width from them where there are any."""
    mine = memory_ports(prefix, ports)
    loads, stores, by_name = mine.loads, mine.stores, mine.by_name
    width = dtype_bits
    if loads:
        width = bits(by_name[f"{prefix}_ld{loads[0]}_data"].type)
    elif stores:
        fields = _STRUCT.fullmatch(by_name[f"{prefix}_st{stores[0]}"].type)
        if fields is None:
            raise ValueError(f"store port {prefix}_st{stores[0]} has type {by_name[f'{prefix}_st{stores[0]}'].type}")
        width = int(fields[2])
    return Buffer(prefix, direction, width=width, depth=depth, loads=tuple(f"{prefix}_ld{n}" for n in loads),
                  stores=tuple(f"{prefix}_st{n}" for n in stores))


def stream_ports(buffer: Buffer) -> list[Port]:
    """The top's AXI4-Stream port of one buffer: a slave for an argument, a master for a result."""
    to_user = buffer.direction == "out"
    return [Port(f"{buffer.prefix}_tdata", f"i{buffer.width}", to_user), Port(f"{buffer.prefix}_tvalid", "i1", to_user),
            Port(f"{buffer.prefix}_tready", "i1", not to_user), Port(f"{buffer.prefix}_tlast", "i1", to_user)]


class _Body:
    """The stream top's body: constants made once, lines in order."""

    def __init__(self) -> None:
        self.lines: list[str] = clock_lines()
        self._constants: set[str] = set()

    def const(self, value: int, width: int) -> str:
        name = f"%c{value}_w{width}"
        if name not in self._constants:
            self._constants.add(name)
            self.lines.append(f"  {name} = hw.constant {value} : i{width}")
        return name

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def all_of(self, name: str, values: Sequence[str]) -> str:
        if not values:
            return "%true"
        if len(values) == 1:
            return values[0]
        self.add(f"  %{name} = comb.and {', '.join(values)} : i1")
        return f"%{name}"


def stream_top(top: str, inner: str, ports: Sequence[Port], buffers: Sequence[Buffer]) -> str:
    """The three processes, the buffers and the circuit, as one hw.module."""
    body = _Body()
    inner_outputs = [p for p in ports if p.output]
    out = {p.name: f"%inner#{i}" for i, p in enumerate(inner_outputs)}
    feeds: dict[str, str] = {}  # the circuit's input port -> the value the top drives it with
    body.add(*_bank_flags(body))
    full, sent = [], []
    for b, buffer in enumerate(buffers):
        tag = f"b{b}"
        body.add(f"  %{tag}_mem = sv.reg : {buffer.array}")
        writes = []  # (enable, address, data) in the order they take effect in the write block
        if buffer.direction == "in":
            full.append(_fill(body, tag, buffer, writes))
        else:
            sent.append(_drain(body, tag, buffer))
        for n, load in enumerate(buffer.loads):
            address = _banked(body, "%run_bank", out[f"{load}_addr"], buffer, f"{tag}_ld{n}_at")
            lines, ready, data, valid = read_port(f"{tag}_ld{n}", f"%{tag}_mem", buffer.array, buffer.banked_index,
                                                  buffer.width, address, out[f"{load}_addr_valid"],
                                                  out[f"{load}_data_ready"])
            body.add(*lines)
            feeds |= {f"{load}_addr_ready": ready, f"{load}_data": data, f"{load}_data_valid": valid}
        for n, store in enumerate(buffer.stores):
            feeds |= _store(body, f"{tag}_st{n}", store, out, buffer, writes)
        if writes:
            body.add("  sv.always posedge %clk {")
            for w, (enable, address, data) in enumerate(writes):
                body.add(f"    sv.if {enable} {{",
                         f"      %{tag}_write{w} = sv.array_index_inout %{tag}_mem[{address}] : {buffer.array}, "
                         f"{buffer.banked_index}",
                         f"      sv.passign %{tag}_write{w}, {data} : {_i(buffer.width)}",
                         "    }")
            body.add("  }")
    all_full = body.all_of("all_full", full)
    all_sent = body.all_of("all_sent", sent)
    body.add("  %not_started = comb.xor %started, %true : i1",
             "  %start_valid = comb.and %can_run, %not_started : i1",
             f"  %start_fire = comb.and %start_valid, {out[f'{START}_ready']} : i1",
             f"  %done_fire = comb.and %started, {out[f'{DONE}_valid']} : i1",
             "  %not_done = comb.xor %done_fire, %true : i1",
             "  %started_or_firing = comb.or %started, %start_fire : i1",
             "  %started_next = comb.and %started_or_firing, %not_done : i1",
             f"  %started = seq.compreg %started_next, %{CLOCK} reset %{RESET}, %false : i1",
             f"  %to_run = comb.and %loading, {all_full} : i1",
             f"  %finish = comb.and %sending, {all_sent} : i1",
             *_bank_updates())
    feeds |= {CLOCK: f"%{CLOCK}", RESET: f"%{RESET}", START: body.const(0, 0), f"{START}_valid": "%start_valid",
              f"{DONE}_ready": "%started"}
    outer = [p for p in ports if p.name not in _circuit_side(buffers, ports)]
    streams = [p for buffer in buffers for p in stream_ports(buffer)]
    declared = [p for p in outer if not p.output] + [p for p in streams if not p.output] + \
               [p for p in outer if p.output] + [p for p in streams if p.output]
    body.add(instance("%inner", "memory", inner, [(p.name, feeds.get(p.name, f"%{p.name}"), p.type)
                                                 for p in ports if not p.output],
                      [(p.name, p.type) for p in inner_outputs]))
    results = [(out[p.name] if p in outer else f"%{p.name}_out", p.type) for p in declared if p.output]
    body.add(f"  hw.output {', '.join(v for v, _ in results)} : {', '.join(t for _, t in results)}")
    return "\n".join([f"hw.module @{top}({', '.join(declaration(p) for p in declared)}) {{", *body.lines, "}"])


def _bank_flags(body: _Body) -> list[str]:
    """Each process's bank, and whether each bank's inputs are whole and its results waiting to be sent: what
    `%loading` (the fill bank is free), `%can_run` (inputs full, results free) and `%sending` read."""
    lines = [f"  %{name} = seq.compreg %{name}_next, %{CLOCK} reset %{RESET}, %false : i1"
             for name in ("fill_bank", "run_bank", "send_bank", "in_full0", "in_full1", "out_full0", "out_full1")]
    return [*lines,
            "  %fill_full = comb.mux %fill_bank, %in_full1, %in_full0 : i1",
            "  %loading = comb.xor %fill_full, %true : i1",
            "  %run_in = comb.mux %run_bank, %in_full1, %in_full0 : i1",
            "  %run_out = comb.mux %run_bank, %out_full1, %out_full0 : i1",
            "  %run_out_free = comb.xor %run_out, %true : i1",
            "  %can_run = comb.and %run_in, %run_out_free : i1",
            "  %sending = comb.mux %send_bank, %out_full1, %out_full0 : i1"]


def _bank_updates() -> list[str]:
    """A bank's inputs are full from `%to_run` (the last element in) to the circuit's done on it; its results from
    that done to `%finish` (the last element out); each process moves to the other bank when it is through."""
    lines = ["  %fill_bank_next = comb.xor %fill_bank, %to_run : i1",
             "  %run_bank_next = comb.xor %run_bank, %done_fire : i1",
             "  %send_bank_next = comb.xor %send_bank, %finish : i1",
             "  %not_fill_bank = comb.xor %fill_bank, %true : i1",
             "  %not_run_bank = comb.xor %run_bank, %true : i1",
             "  %not_send_bank = comb.xor %send_bank, %true : i1"]
    for k, (fill, run, send) in enumerate((("%not_fill_bank", "%not_run_bank", "%not_send_bank"),
                                           ("%fill_bank", "%run_bank", "%send_bank"))):
        lines += [f"  %filled{k} = comb.and %to_run, {fill} : i1",
                  f"  %ran{k} = comb.and %done_fire, {run} : i1",
                  f"  %sent{k} = comb.and %finish, {send} : i1",
                  f"  %not_ran{k} = comb.xor %ran{k}, %true : i1",
                  f"  %in_kept{k} = comb.and %in_full{k}, %not_ran{k} : i1",
                  f"  %in_full{k}_next = comb.or %in_kept{k}, %filled{k} : i1",
                  f"  %not_sent{k} = comb.xor %sent{k}, %true : i1",
                  f"  %out_kept{k} = comb.and %out_full{k}, %not_sent{k} : i1",
                  f"  %out_full{k}_next = comb.or %out_kept{k}, %ran{k} : i1"]
    return lines


def _banked(body: _Body, bank: str, address: str, buffer: Buffer, name: str) -> str:
    """An element's address in `bank`: the bank bit above the element's (a one-word tensor: the bank alone)."""
    if buffer.index_width == 0:
        return bank
    body.add(f"  %{name} = comb.concat {bank}, {address} : i1, i{buffer.index_width}")
    return f"%{name}"


def _i(width: int) -> str:
    return f"i{width}"


def _circuit_side(buffers: Sequence[Buffer], ports: Sequence[Port]) -> set[str]:
    """The circuit's ports that the stream top drives or reads itself: start, done and every buffer's."""
    handled = {f"{token}{part}" for token in (START, DONE) for part in ("", "_valid", "_ready")}
    for buffer in buffers:
        handled |= {f"{load}{part}" for load in buffer.loads for part in LOAD_PARTS}
        handled |= {f"{store}{part}" for store in buffer.stores for part in STORE_PARTS}
    return handled & {p.name for p in ports}


def _fill(body: _Body, tag: str, buffer: Buffer, writes: list[tuple[str, str, str]]) -> str:
    """An input stream writes its element at the count while loading; returns "the tensor is whole"."""
    c, p = buffer.count_width, buffer.prefix
    body.add(f"  %{tag}_count = seq.compreg %{tag}_count_next, %{CLOCK} reset %{RESET}, {body.const(0, c)} : i{c}",
             f"  %{tag}_full = comb.icmp eq %{tag}_count, {body.const(buffer.depth, c)} : i{c}",
             f"  %{tag}_room = comb.xor %{tag}_full, %true : i1",
             f"  %{p}_tready_out = comb.and %loading, %{tag}_room : i1",
             f"  %{tag}_fill = comb.and %{p}_tvalid, %{p}_tready_out : i1",
             f"  %{tag}_count_1 = comb.add %{tag}_count, {body.const(1, c)} : i{c}",
             f"  %{tag}_count_2 = comb.mux %{tag}_fill, %{tag}_count_1, %{tag}_count : i{c}",
             f"  %{tag}_count_next = comb.mux %to_run, {body.const(0, c)}, %{tag}_count_2 : i{c}")
    element = _address(body, f"%{tag}_count", buffer, f"{tag}_fill_at")
    writes.append((f"%{tag}_fill", _banked(body, "%fill_bank", element, buffer, f"{tag}_fill_in"), f"%{p}_tdata"))
    return f"%{tag}_full"


def _drain(body: _Body, tag: str, buffer: Buffer) -> str:
    """A result streams out while sending: a registered read per element, held until the user takes it;
    returns "every element is taken", true already in the cycle the last one goes."""
    c, p, w = buffer.count_width, buffer.prefix, buffer.width
    body.add(f"  %{tag}_issued = seq.compreg %{tag}_issued_next, %{CLOCK} reset %{RESET}, {body.const(0, c)} : i{c}",
             f"  %{tag}_sent = seq.compreg %{tag}_sent_next, %{CLOCK} reset %{RESET}, {body.const(0, c)} : i{c}",
             f"  %{tag}_more = comb.icmp ne %{tag}_issued, {body.const(buffer.depth, c)} : i{c}",
             f"  %{tag}_empty = comb.xor %{p}_tvalid_out, %true : i1",
             f"  %{tag}_room = comb.or %{tag}_empty, %{p}_tready : i1",
             f"  %{tag}_issuing = comb.and %sending, %{tag}_more : i1",
             f"  %{tag}_issue = comb.and %{tag}_issuing, %{tag}_room : i1",
             f"  %{tag}_word = sv.reg : !hw.inout<i{w}>")
    element = _address(body, f"%{tag}_issued", buffer, f"{tag}_read_at")
    address = _banked(body, "%send_bank", element, buffer, f"{tag}_read_in")
    body.add("  sv.always posedge %clk {",
             f"    sv.if %{tag}_issue {{",
             f"      %{tag}_slot = sv.array_index_inout %{tag}_mem[{address}] : {buffer.array}, {buffer.banked_index}",
             f"      %{tag}_read = sv.read_inout %{tag}_slot : !hw.inout<i{w}>",
             f"      sv.passign %{tag}_word, %{tag}_read : i{w}",
             "    }",
             "  }",
             f"  %{p}_tdata_out = sv.read_inout %{tag}_word : !hw.inout<i{w}>",
             f"  %{tag}_take = comb.and %{p}_tvalid_out, %{p}_tready : i1",
             f"  %{tag}_waiting = comb.xor %{p}_tready, %true : i1",
             f"  %{tag}_held = comb.and %{p}_tvalid_out, %{tag}_waiting : i1",
             f"  %{tag}_valid_next = comb.or %{tag}_issue, %{tag}_held : i1",
             f"  %{p}_tvalid_out = seq.compreg %{tag}_valid_next, %{CLOCK} reset %{RESET}, %false : i1",
             f"  %{p}_tlast_out = comb.icmp eq %{tag}_sent, {body.const(buffer.depth - 1, c)} : i{c}",
             f"  %{tag}_issued_1 = comb.add %{tag}_issued, {body.const(1, c)} : i{c}",
             f"  %{tag}_issued_2 = comb.mux %{tag}_issue, %{tag}_issued_1, %{tag}_issued : i{c}",
             f"  %{tag}_issued_next = comb.mux %finish, {body.const(0, c)}, %{tag}_issued_2 : i{c}",
             f"  %{tag}_sent_1 = comb.add %{tag}_sent, {body.const(1, c)} : i{c}",
             f"  %{tag}_sent_2 = comb.mux %{tag}_take, %{tag}_sent_1, %{tag}_sent : i{c}",
             f"  %{tag}_sent_next = comb.mux %finish, {body.const(0, c)}, %{tag}_sent_2 : i{c}",
             f"  %{tag}_whole = comb.icmp eq %{tag}_sent, {body.const(buffer.depth, c)} : i{c}",
             # done in the cycle its last element goes, so the next load starts at once (no idle cycle)
             f"  %{tag}_final = comb.and %{p}_tlast_out, %{tag}_take : i1",
             f"  %{tag}_done = comb.or %{tag}_whole, %{tag}_final : i1")
    return f"%{tag}_done"


def _address(body: _Body, count: str, buffer: Buffer, name: str) -> str:
    """A counter's low bits as an address into the buffer (a one-word buffer has a zero-width address)."""
    if buffer.index_width == buffer.count_width:
        return count
    if buffer.index_width == 0:
        return body.const(0, 0)
    body.add(f"  %{name} = comb.extract {count} from 0 : (i{buffer.count_width}) -> i{buffer.index_width}")
    return f"%{name}"


def _store(body: _Body, tag: str, store: str, out: dict[str, str], buffer: Buffer,
           writes: list[tuple[str, str, str]]) -> dict[str, str]:
    """One store port of the circuit: written at once, its done token offered the next cycle, as the harness did.
    Returns what the top feeds the circuit's inputs of this port with."""
    request, struct = out[store], f"!hw.struct<address: i{buffer.index_width}, data: i{buffer.width}>"
    body.add(f"  %{tag}_idle = comb.xor %{tag}_pending, %true : i1",
             f"  %{tag}_ready = comb.or %{tag}_idle, {out[f'{store}_done_ready']} : i1",
             f"  %{tag}_fire = comb.and {out[f'{store}_valid']}, %{tag}_ready : i1",
             f"  %{tag}_address = hw.struct_extract {request}[\"address\"] : {struct}",
             f"  %{tag}_data = hw.struct_extract {request}[\"data\"] : {struct}",
             f"  %{tag}_waiting = comb.xor {out[f'{store}_done_ready']}, %true : i1",
             f"  %{tag}_held = comb.and %{tag}_pending, %{tag}_waiting : i1",
             f"  %{tag}_pending_next = comb.or %{tag}_fire, %{tag}_held : i1",
             f"  %{tag}_pending = seq.compreg %{tag}_pending_next, %{CLOCK} reset %{RESET}, %false : i1")
    writes.append((f"%{tag}_fire", _banked(body, "%run_bank", f"%{tag}_address", buffer, f"{tag}_in"), f"%{tag}_data"))
    return {f"{store}_ready": f"%{tag}_ready", f"{store}_done": body.const(0, 0), f"{store}_done_valid": f"%{tag}_pending"}
