"""Manifest + golden arrays -> `<top>_tb.sv` and its `.hex` vectors, as text.

The Verilator harness (backend/sim/harness.cpp) checks a design inside Python; a
user who keeps only the `.sv` needs a check any simulator can run. The testbench
is generated from the port manifest alone, so it drives exactly the ports the
harness drives, with the same memory behaviour (every ready high, a load answered
one cycle after its address handshake, a store's `done` the cycle after), and so
counts the same cycles. A stream top (`manifest.interface == "stream"`) has no start or
done of its own: the testbench offers each argument on its input stream from the first
cycle after reset, holds every output's tready high and is done when every result has
arrived, as the harness without stalls. A pure function: Bazel, tests and the compile call it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from backend.rtl.manifest import Channel, LoadPort, Memory, PortManifest, StorePort, StreamPort
from backend.sim.simulator import automatic_cycle_limit
from common.atomic import atomic_write_text

# In-flight load answers per port; the address channel's ready falls when they are all taken.
ANSWER_SLOTS = 16
RESET_CYCLES = 4


class TestbenchError(ValueError):
    """The manifest or the golden arrays cannot make a testbench (a missing init, a shape mismatch)."""


@dataclass(frozen=True)
class Vectors:
    """Why a memory is modelled, and what its words are: `init` loaded at time 0, `expected` checked at done."""

    memory: Memory
    init: tuple[int, ...] | None
    expected: tuple[int, ...] | None


def is_modelled(memory: Memory) -> bool:
    """A memory without ports or a stream is held inside the circuit: the testbench has nothing to drive."""
    return bool(memory.loads or memory.stores or memory.stream)


def _bits(array: np.ndarray, memory: Memory) -> tuple[int, ...]:
    flat = np.ascontiguousarray(array).reshape(-1)
    if flat.size != memory.depth:
        raise TestbenchError(f"'{memory.name}' holds {memory.depth} words, its golden array {flat.size}")
    mask = (1 << memory.element_width) - 1
    return tuple(int(v) & mask for v in flat.astype(np.int64).tolist())


def _vectors(manifest: PortManifest, inputs: Sequence[np.ndarray], outputs: Sequence[np.ndarray]) -> list[Vectors]:
    vectors = []
    for memory in manifest.memories:
        if not is_modelled(memory):
            continue
        if memory.role == "arg":
            vectors.append(Vectors(memory, _bits(np.asarray(inputs[memory.index]), memory), None))
        elif memory.role == "param":
            if memory.init is None:
                raise TestbenchError(f"parameter memory '{memory.name}' has ports but no init in the manifest")
            vectors.append(Vectors(memory, _bits(np.asarray(memory.init), memory), None))
        else:
            vectors.append(Vectors(memory, None, _bits(np.asarray(outputs[memory.index]), memory)))
    return vectors


def hex_text(words: Sequence[int], width: int) -> str:
    """One word a line, as $readmemh reads it."""
    digits = max(1, (width + 3) // 4)
    return "".join(f"{w:0{digits}x}\n" for w in words)


def _decl(width: int) -> str:
    return f"[{width - 1}:0] " if width > 1 else ""


def _load_port(memory: Memory, port: LoadPort) -> list[str]:
    w, p = memory.element_width, port.name
    addr = port.addr.data if port.addr.data is not None else "0"
    return [
        f"  // {p}: answered one cycle after the address handshake, in order",
        f"  logic {_decl(w)}{p}_q [0:{ANSWER_SLOTS - 1}];",
        f"  int {p}_head = 0, {p}_count = 0;",
        f"  assign {port.addr.ready} = {p}_count < {ANSWER_SLOTS};",
        f"  assign {port.data.valid} = {p}_count != 0;",
        f"  assign {port.data.data} = {p}_q[{p}_head];" if port.data.data is not None else "",
        f"  wire {p}_pop = {port.data.valid} && {port.data.ready};",
        f"  wire {p}_push = {port.addr.valid} && {port.addr.ready};",
        "  always @(posedge clock) if (!reset) begin",
        f"    if ({p}_push) begin",
        f"      if ({addr} >= {memory.depth}) begin",
        f'        $display("FAIL {{top}}: load from {p} at address %0d beyond depth {memory.depth}", {addr});',
        "        $fatal(1);",
        "      end",
        f"      {p}_q[({p}_head + {p}_count) % {ANSWER_SLOTS}] <= mem_{memory.name}[{addr}];",
        "    end",
        f"    if ({p}_pop) {p}_head <= ({p}_head + 1) % {ANSWER_SLOTS};",
        f"    {p}_count <= {p}_count + int'({p}_push) - int'({p}_pop);",
        "  end",
    ]


def _store_port(memory: Memory, port: StorePort) -> list[str]:
    p, req = port.name, port.request
    total = port.addr_width + port.data_width
    lines = [
        f"  // {p}: packed {{address, data}}; every request accepted, its done token the next cycle",
        f"  wire {_decl(total)}{p}_packed;",
        f"  int {p}_pending = 0;",
        f"  assign {req.ready} = 1'b1;",
        f"  assign {port.done.valid} = {p}_pending != 0;",
    ]
    addr = f"{p}_packed[{total - 1}:{port.data_width}]" if port.addr_width else "0"
    data = f"{p}_packed[{port.data_width - 1}:0]"
    lines += [
        f"  wire {p}_req = {req.valid} && {req.ready};",
        f"  wire {p}_ack = {port.done.valid} && {port.done.ready};",
        "  always @(posedge clock) if (!reset) begin",
        f"    if ({p}_req) begin",
        f"      if ({addr} >= {memory.depth}) begin",
        f'        $display("FAIL {{top}}: store to {p} at address %0d beyond depth {memory.depth}", {addr});',
        "        $fatal(1);",
        "      end",
        f"      mem_{memory.name}[{addr}] <= {data};",
        "    end",
        f"    {p}_pending <= {p}_pending + int'({p}_req) - int'({p}_ack);",
        "  end",
    ]
    return lines


def _input_stream(memory: Memory, s: StreamPort) -> list[str]:
    n, depth = f"{s.tdata}_count", memory.depth
    return [
        f"  // {s.tdata}: mem_{memory.name} in order from the first cycle after reset, tlast with the last",
        f"  int {n} = 0;",
        f"  assign {s.tvalid} = !reset && {n} < {depth};",
        f"  assign {s.tdata} = {n} < {depth} ? mem_{memory.name}[{n}] : '0;",
        f"  assign {s.tlast} = {n} == {depth - 1};",
        f"  always @(posedge clock) if ({s.tvalid} && {s.tready}) {n} <= {n} + 1;",
    ]


def _output_stream(memory: Memory, s: StreamPort) -> list[str]:
    n, depth = f"{s.tdata}_count", memory.depth
    return [
        f"  // {s.tdata}: tready always high, each element stored in order, its tlast checked",
        f"  int {n} = 0;",
        f"  assign {s.tready} = 1'b1;",
        f"  wire {s.tdata}_fire = {s.tvalid} && {s.tready};",
        f"  always @(posedge clock) if (!reset && {s.tdata}_fire) begin",
        f"    if ({n} >= {depth}) begin",
        f'      $display("FAIL {{top}}: {s.tdata} sent more than {depth} elements");',
        "      $fatal(1);",
        "    end",
        f"    if ({s.tlast} !== ({n} == {depth - 1})) begin",
        f'      $display("FAIL {{top}}: {s.tdata} element %0d of {depth} has tlast=%0d", {n}, {s.tlast});',
        "      $fatal(1);",
        "    end",
        f"    mem_{memory.name}[{n}] <= {s.tdata};",
        f"    {n} <= {n} + 1;",
        "  end",
    ]


def _streams(vectors: list[Vectors]) -> list[StreamPort]:
    return [v.memory.stream for v in vectors if v.memory.stream is not None]


def _done(manifest: PortManifest, vectors: list[Vectors]) -> str:
    """This rising edge ends the inference: done's handshake, or (a stream top) every result's last element."""
    if manifest.interface != "stream":
        return f"{manifest.done.valid} && {manifest.done.ready}"
    depths = {v.memory.stream.tdata: v.memory.depth for v in vectors if v.memory.stream is not None}
    return " && ".join(f"({s.tdata}_count + int'({s.tdata}_fire)) == {depths[s.tdata]}"
                       for s in _streams(vectors) if s.direction == "out")


def _connections(manifest: PortManifest, vectors: list[Vectors]) -> list[str]:
    def channel(c: Channel, data: str | None = None) -> list[str]:
        pins = [f".{c.valid}({c.valid})", f".{c.ready}({c.ready})"]
        if c.data is not None:
            pins.append(f".{c.data}({data or c.data})")
        return pins

    pins = [f".{manifest.clock}(clock)", f".{manifest.reset}(reset)"]
    if manifest.interface != "stream":
        pins += channel(manifest.start) + channel(manifest.done)
    for s in _streams(vectors):
        pins += [f".{name}({name})" for name in (s.tdata, s.tvalid, s.tready, s.tlast)]
    for v in vectors:
        for load in v.memory.loads:
            pins += channel(load.addr) + channel(load.data)
        for store in v.memory.stores:
            pins += channel(store.request, f"{store.name}_packed") + channel(store.done)
    return pins


def _wires(manifest: PortManifest, vectors: list[Vectors]) -> list[str]:
    lines = []
    if manifest.interface != "stream":
        lines += [f"  logic {manifest.start.valid} = 1'b0;", f"  wire {manifest.start.ready}, {manifest.done.valid};",
                  f"  wire {manifest.done.ready} = 1'b1;"]
    for s in _streams(vectors):
        lines += [f"  wire {_decl(s.width)}{s.tdata};", f"  wire {s.tvalid}, {s.tready}, {s.tlast};"]
    for v in vectors:
        for load in v.memory.loads:
            lines.append(f"  wire {_decl(load.addr.width)}{load.addr.data or load.name + '_noaddr'};")
            lines.append(f"  wire {load.addr.valid}, {load.addr.ready}, {load.data.valid}, {load.data.ready};")
            if load.data.data is not None:
                lines.append(f"  wire {_decl(load.data.width)}{load.data.data};")
        for store in v.memory.stores:
            lines.append(f"  wire {store.request.valid}, {store.request.ready}, {store.done.valid}, {store.done.ready};")
    return lines


def _memory_decls(top: str, vectors: list[Vectors]) -> list[str]:
    lines = []
    for v in vectors:
        m = v.memory
        lines.append(f"  logic {_decl(m.element_width)}mem_{m.name} [0:{m.depth - 1}];")
        if v.expected is not None:
            lines.append(f"  logic {_decl(m.element_width)}expected_{m.name} [0:{m.depth - 1}];")
    lines.append("  initial begin")
    for v in vectors:
        m = v.memory
        if v.init is not None:
            lines.append(f'    $readmemh("{top}_{m.name}.hex", mem_{m.name});')
        else:
            lines.append(f"    foreach (mem_{m.name}[i]) mem_{m.name}[i] = '0;")
            lines.append(f'    $readmemh("{top}_{m.name}_expected.hex", expected_{m.name});')
    lines.append("  end")
    return lines


def _checks(vectors: list[Vectors]) -> list[str]:
    lines = []
    for v in vectors:
        if v.expected is None:
            continue
        m = v.memory
        fmt, wrap = ("%0d", "$signed") if m.signed and m.element_width > 1 else ("%0d", "")
        lines += [
            f"    foreach (mem_{m.name}[i]) if (mem_{m.name}[i] !== expected_{m.name}[i]) begin",
            f'      $display("FAIL {{top}} {m.name}[%0d] got {fmt} expected {fmt}", i, '
            f"{wrap}(mem_{m.name}[i]), {wrap}(expected_{m.name}[i]));",
            "      failures = failures + 1;",
            "    end",
        ]
    return lines


def testbench_sv(manifest: PortManifest, vectors: list[Vectors]) -> str:
    """The testbench module `<top>_tb`: clock, reset, start (or the input streams), the memory models,
    done (or the output streams), the checks."""
    top, limit = manifest.top, automatic_cycle_limit(manifest)
    stream = manifest.interface == "stream"
    timeout = "result streams incomplete" if stream else "no done"
    body = [
        f"// Self-checking testbench for {top}, generated from its port manifest (torch-circt).",
        f"// Run it in the folder of its .hex files: verilator --binary --timing {top}_tb.sv {top}.sv, or",
        f"// iverilog -g2012 -o {top}_tb.vvp {top}_tb.sv {top}.sv && vvp {top}_tb.vvp",
        "`timescale 1ns/1ps",
        f"module {top}_tb;",
        "  logic clock = 1'b0, reset = 1'b1;",
        "  always #5 clock = ~clock;",
        "  longint cycles = 0, done_cycles = 0;",
        "  bit finished = 1'b0;",
        "  int failures = 0;",
        *_wires(manifest, vectors),
        *_memory_decls(top, vectors),
    ]
    for v in vectors:
        for load in v.memory.loads:
            body += [line for line in _load_port(v.memory, load) if line]
        for store in v.memory.stores:
            body += _store_port(v.memory, store)
        if v.memory.stream is not None:
            port = _input_stream if v.memory.stream.direction == "in" else _output_stream
            body += port(v.memory, v.memory.stream)
    start = manifest.start.valid
    body += [
        f"  {top} dut (",
        ",\n".join(f"    {pin}" for pin in _connections(manifest, vectors)),
        "  );",
        "  always @(posedge clock) if (!reset) begin",
        "    cycles <= cycles + 1;",
        *([] if stream else [f"    if ({start} && {manifest.start.ready}) {start} <= 1'b0;"]),
        f"    if (!finished && {_done(manifest, vectors)}) begin",
        "      finished <= 1'b1;",
        "      done_cycles <= cycles + 1;",
        "    end",
        "  end",
        "  initial begin",
        f"    repeat ({RESET_CYCLES}) @(posedge clock);",
        "    reset <= 1'b0;",
        *([] if stream else [f"    {start} <= 1'b1;"]),
        f"    while (!finished && cycles < {limit}) @(posedge clock);",
        "    @(negedge clock);",
        "    if (!finished) begin",
        f'      $display("FAIL {{top}} timeout: {timeout} after %0d cycles", cycles);',
        "      $fatal(1);",
        "    end",
        *_checks(vectors),
        "    if (failures != 0) begin",
        '      $display("FAIL {top} %0d result words differ, cycles=%0d", failures, done_cycles);',
        "      $fatal(1);",
        "    end",
        '    $display("PASS {top} cycles=%0d", done_cycles);',
        "    $finish;",
        "  end",
        "endmodule",
    ]
    return "\n".join(body).replace("{top}", top) + "\n"


def testbench_files(manifest: PortManifest, inputs: Sequence[np.ndarray],
                    outputs: Sequence[np.ndarray]) -> dict[str, str]:
    """{file name: text}: `<top>_tb.sv`, `<top>_<tensor>.hex` per driven memory, `<top>_<result>_expected.hex`."""
    if manifest.scalars:
        raise TestbenchError("scalar ports are not driven by the testbench yet")
    vectors = _vectors(manifest, inputs, outputs)
    files = {f"{manifest.top}_tb.sv": testbench_sv(manifest, vectors)}
    for v in vectors:
        name, width = v.memory.name, v.memory.element_width
        if v.init is not None:
            files[f"{manifest.top}_{name}.hex"] = hex_text(v.init, width)
        if v.expected is not None:
            files[f"{manifest.top}_{name}_expected.hex"] = hex_text(v.expected, width)
    return files


def parameter_files(manifest: PortManifest) -> dict[str, str]:
    """`<top>_<param>.hex` per parameter, one word a line: what `$readmemh` loads into a memory of one's own,
    whether the circuit holds the words (its ROMs) or leaves them to the user (`parameters="ports"`)."""
    return {f"{manifest.top}_{m.name}.hex": hex_text(_bits(np.asarray(m.init), m), m.element_width)
            for m in manifest.memories_with_role("param") if m.init is not None}


def write_testbench(directory: Path, manifest: PortManifest, inputs: Sequence[np.ndarray],
                    outputs: Sequence[np.ndarray]) -> list[Path]:
    """Write every file of `testbench_files` into `directory`, each whole or not at all."""
    paths = []
    for name, text in testbench_files(manifest, inputs, outputs).items():
        atomic_write_text(Path(directory) / name, text)
        paths.append(Path(directory) / name)
    return paths
