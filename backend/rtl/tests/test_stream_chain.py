"""Stream tops chained: the chain's top wires each stage's result stream into the next one's input stream."""

from __future__ import annotations

import pytest

from backend.rtl.manifest import Channel, Memory, PortManifest, StreamPort
from backend.rtl.stream_chain import StageDesign, chain_streams


def _stream(tensor: str, width: int, direction: str) -> StreamPort:
    return StreamPort(f"{tensor}_tdata", f"{tensor}_tvalid", f"{tensor}_tready", f"{tensor}_tlast", width, direction)


def _stage(top: str, arg: tuple[str, int], result: tuple[str, int], params: tuple[str, ...] = ()) -> StageDesign:
    def memory(name: str, role: str, index: int, width: int, direction: str | None) -> Memory:
        return Memory(name, role, index, f"int{width}", width, True, (4,), 4,
                      stream=_stream(name, width, direction) if direction else None,
                      init=(0, 0, 0, 0) if role == "param" else None, rom=f"{top}_{name}_rom" if role == "param" else None)

    memories = (memory(arg[0], "arg", 0, arg[1], "in"), *(memory(p, "param", i, 8, None) for i, p in enumerate(params)),
                memory(result[0], "result", 0, result[1], "out"))
    manifest = PortManifest(top, "clock", "reset", True, Channel(None, "start_valid", "start_ready"),
                            Channel(None, "done_valid", "done_ready"), memories, loop_bound=10, interface="stream")
    return StageDesign(f"module {top}(); endmodule\n", manifest)


def test_the_top_has_the_first_inputs_and_the_last_results_and_wires_the_rest() -> None:
    sv, manifest = chain_streams("net", [_stage("net_layer0", ("x", 8), ("result0", 8), ("w1",)),
                                         _stage("net_layer1", ("h", 8), ("result0", 32), ("w2",))])
    assert manifest.top == "net" and manifest.loop_bound == 20
    assert [(m.name, m.role, m.index) for m in manifest.memories] == [
        ("x", "arg", 0), ("w1", "param", 0), ("w2", "param", 1), ("result0", "result", 0)]
    assert set(manifest.top_ports()) == {"clock", "reset", "x_tdata", "x_tvalid", "x_tready", "x_tlast",
                                         "result0_tdata", "result0_tvalid", "result0_tready", "result0_tlast"}
    top = sv[sv.index("module net("):]
    assert "input [7:0] x_tdata" in top and "output x_tready" in top
    assert "output [31:0] result0_tdata" in top and "input result0_tready" in top
    assert "wire [7:0] link0_tdata;" in top
    first, second = top.split("net_layer1 stage1")
    assert ".result0_tdata(link0_tdata)" in first and ".x_tdata(x_tdata)" in first
    assert ".h_tdata(link0_tdata)" in second and ".h_tready(link0_tready)" in second
    assert ".result0_tdata(result0_tdata)" in second
    assert sv.index("module net_layer0") < sv.index("module net_layer1") < sv.index("module net(")


def test_a_link_between_different_tensors_is_refused() -> None:
    with pytest.raises(ValueError, match="8-bit .* into 16-bit"):
        chain_streams("net", [_stage("a", ("x", 8), ("result0", 8)), _stage("b", ("h", 16), ("result0", 8))])


def test_only_stream_tops_chain() -> None:
    stage = _stage("a", ("x", 8), ("result0", 8))
    memory_top = StageDesign(stage.sv, PortManifest(**{**stage.manifest.__dict__, "interface": "memory"}))
    with pytest.raises(ValueError, match="not a stream top"):
        chain_streams("net", [memory_top, stage])
