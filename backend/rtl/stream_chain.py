"""Stream tops in a chain: one layer's circuit feeding the next's over AXI4-Stream (`RtlOptions.dataflow`).

Each stage is a whole design with a stream top (docs/interface.md, "Streams"): its input and result buffers
have two banks, so stage k works on inference i while stage k + 1 works on inference i - 1, and the chain's
interval is its slowest stage's, not the sum. The chain's top has the first stage's input streams and the
last stage's result streams; between two stages, the one result stream of the first drives the one input
stream of the second directly (same tensor, same element width, row-major both). Text in, text out: the
stages' SystemVerilog (their module names already carry their own prefixes) and manifests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from backend.rtl.manifest import Memory, PortManifest, StreamPort


@dataclass(frozen=True)
class StageDesign:
    """One stage of the chain: its SystemVerilog and its stream top's manifest."""

    sv: str
    manifest: PortManifest


def chain_streams(top: str, stages: Sequence[StageDesign]) -> tuple[str, PortManifest]:
    """The chain's SystemVerilog (every stage's, then the top `top`) and its manifest."""
    for stage in stages:
        if stage.manifest.interface != "stream":
            raise ValueError(f"stage {stage.manifest.top} has a {stage.manifest.interface} top, not a stream top")
        if any(m.loads or m.stores for m in stage.manifest.memories):
            raise ValueError(f"stage {stage.manifest.top} has memory ports on its top; a chain connects streams only")
    links = [_link(before, after) for before, after in zip(stages, stages[1:])]
    first, last = stages[0].manifest, stages[-1].manifest
    inputs = [m for m in first.memories_with_role("arg") if m.stream is not None]
    results = [m for m in last.memories_with_role("result") if m.stream is not None]
    ports = [f"input {first.clock}", f"input {first.reset}",
             *(line for m in inputs for line in _port_declarations(m.stream)),
             *(line for m in results for line in _port_declarations(m.stream))]
    body = [f"  wire {_range(link[0].width)}{_wire(k, 'tdata')};\n"
            f"  wire {_wire(k, 'tvalid')}, {_wire(k, 'tready')}, {_wire(k, 'tlast')};" for k, link in enumerate(links)]
    for k, stage in enumerate(stages):
        connections = [(stage.manifest.clock, first.clock), (stage.manifest.reset, first.reset)]
        if k > 0:
            connections += _connect(links[k - 1][1], k - 1)
        if k < len(stages) - 1:
            connections += _connect(links[k][0], k)
        outer = [m.stream for m in stage.manifest.memories if m.stream is not None
                 and ((k == 0 and m.role == "arg") or (k == len(stages) - 1 and m.role == "result"))]
        connections += [(name, name) for s in outer for name in (s.tdata, s.tvalid, s.tready, s.tlast)]
        wiring = ",\n".join(f"    .{port}({signal})" for port, signal in connections)
        body.append(f"  {stage.manifest.top} stage{k} (\n{wiring}\n  );")
    module = (f"// The chain of {len(stages)} stage circuits (RtlOptions.dataflow), each on its own inference.\n"
              f"module {top}(\n  " + ",\n  ".join(ports) + "\n);\n\n" + "\n\n".join(body) + "\nendmodule\n")
    sv = "\n".join(stage.sv.rstrip() + "\n" for stage in stages) + "\n" + module
    return sv, _manifest(top, stages, inputs, results)


def _link(before: StageDesign, after: StageDesign) -> tuple[StreamPort, StreamPort]:
    """The result stream of `before` and the input stream of `after` that carry the tensor between them."""
    outs = [m for m in before.manifest.memories_with_role("result") if m.stream is not None]
    ins = [m for m in after.manifest.memories_with_role("arg") if m.stream is not None]
    if len(outs) != 1 or len(ins) != 1:
        raise ValueError(f"{before.manifest.top} -> {after.manifest.top}: a link is one result stream into one input "
                         f"stream, not {len(outs)} into {len(ins)}")
    out, into = outs[0], ins[0]
    if (out.element_width, out.shape) != (into.element_width, into.shape):
        raise ValueError(f"{before.manifest.top} -> {after.manifest.top}: {out.element_width}-bit {list(out.shape)} "
                         f"into {into.element_width}-bit {list(into.shape)}")
    return out.stream, into.stream


def _wire(link: int, part: str) -> str:
    return f"link{link}_{part}"


def _range(width: int) -> str:
    return f"[{width - 1}:0] " if width > 1 else ""


def _port_declarations(stream: StreamPort) -> list[str]:
    inward, outward = ("input", "output") if stream.direction == "in" else ("output", "input")
    return [f"{inward} {_range(stream.width)}{stream.tdata}", f"{inward} {stream.tvalid}",
            f"{outward} {stream.tready}", f"{inward} {stream.tlast}"]


def _connect(stream: StreamPort, link: int) -> list[tuple[str, str]]:
    return [(stream.tdata, _wire(link, "tdata")), (stream.tvalid, _wire(link, "tvalid")),
            (stream.tready, _wire(link, "tready")), (stream.tlast, _wire(link, "tlast"))]


def _manifest(top: str, stages: Sequence[StageDesign], inputs: list[Memory], results: list[Memory]) -> PortManifest:
    """The first stage's inputs, every stage's parameters (inside, in their ROMs), the last stage's results;
    start and done are the first's and the last's inner ones, which their controllers drive."""
    first, last = stages[0].manifest, stages[-1].manifest
    params = [m for stage in stages for m in stage.manifest.memories_with_role("param")]
    bounds = [stage.manifest.loop_bound for stage in stages]
    return replace(
        first, top=top, done=last.done,
        memories=(*inputs, *(replace(m, index=i) for i, m in enumerate(params)), *results),
        loop_bound=None if None in bounds else sum(bounds),
        notes=tuple(note for stage in stages for note in stage.manifest.notes),
    )
