"""The testbench generator alone: which memories it models, its vectors, its refusals (no simulator).

Running the testbenches under Icarus Verilog and Verilator is //e2e:testbench_test.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import backend.testbench as bench
from backend.rtl.manifest import Channel, LoadPort, Memory, PortManifest, StorePort, StreamPort


def _load(name: str, addr_width: int, width: int) -> LoadPort:
    return LoadPort(name, Channel(f"{name}_addr", f"{name}_addr_valid", f"{name}_addr_ready", addr_width),
                    Channel(f"{name}_data", f"{name}_data_valid", f"{name}_data_ready", width))


def _store(name: str, addr_width: int, width: int) -> StorePort:
    return StorePort(name, Channel(name, f"{name}_valid", f"{name}_ready", addr_width + width),
                     Channel(None, f"{name}_done_valid", f"{name}_done_ready"), addr_width, width)


def _manifest(*, internal_weight: bool = False) -> PortManifest:
    x = Memory("x", "arg", 0, "int8", 8, True, (2, 2), 4, loads=(_load("x_ld0", 2, 8),))
    w = Memory("w", "param", 0, "int8", 8, True, (4,), 4, init=(1, -2, 3, -4),
               loads=() if internal_weight else (_load("w_ld0", 2, 8),))
    y = Memory("result0", "result", 0, "int8", 8, True, (2, 2), 4, stores=(_store("result0_st0", 2, 8),))
    return PortManifest("tiny", "clock", "reset", True, Channel(None, "start_valid", "start_ready"),
                        Channel(None, "done_valid", "done_ready"), (x, w, y), loop_bound=4)


def _stream_manifest() -> PortManifest:
    """The tiny model as a stream top whose weight keeps its load port (parameters="ports")."""
    x, w, y = _manifest().memories
    x = dataclasses.replace(x, loads=(), stream=StreamPort("x_tdata", "x_tvalid", "x_tready", "x_tlast", 8, "in"))
    y = dataclasses.replace(y, stores=(), stream=StreamPort("y_tdata", "y_tvalid", "y_tready", "y_tlast", 8, "out"))
    return dataclasses.replace(_manifest(), memories=(x, w, y), interface="stream")


X = np.array([[1, -1], [127, -128]], dtype=np.int8)
Y = np.array([[2, -3], [0, 5]], dtype=np.int8)


def test_files_and_vectors():
    files = bench.testbench_files(_manifest(), (X,), (Y,))
    assert sorted(files) == ["tiny_result0_expected.hex", "tiny_tb.sv", "tiny_w.hex", "tiny_x.hex"]
    assert files["tiny_x.hex"] == "01\nff\n7f\n80\n"
    assert files["tiny_w.hex"] == "01\nfe\n03\nfc\n"
    assert files["tiny_result0_expected.hex"] == "02\nfd\n00\n05\n"
    tb = files["tiny_tb.sv"]
    assert "module tiny_tb;" in tb and "tiny dut (" in tb
    assert '$display("PASS tiny cycles=%0d", done_cycles);' in tb
    assert "$fatal(1);" in tb
    assert ".result0_st0(result0_st0_packed)" in tb and "result0_st0_packed[9:8]" in tb


def test_internal_memory_is_not_modelled():
    files = bench.testbench_files(_manifest(internal_weight=True), (X,), (Y,))
    assert "tiny_w.hex" not in files
    assert "mem_w" not in files["tiny_tb.sv"] and "w_ld0" not in files["tiny_tb.sv"]


def test_same_inputs_same_text():
    assert bench.testbench_files(_manifest(), (X,), (Y,)) == bench.testbench_files(_manifest(), (X.copy(),), (Y.copy(),))


def test_refusals():
    manifest = _manifest()
    no_init = dataclasses.replace(manifest, memories=tuple(
        dataclasses.replace(m, init=None) if m.role == "param" else m for m in manifest.memories))
    with pytest.raises(bench.TestbenchError, match="'w' has ports but no init"):
        bench.testbench_files(no_init, (X,), (Y,))
    with pytest.raises(bench.TestbenchError, match="'x' holds 4 words, its golden array 2"):
        bench.testbench_files(manifest, (X[0],), (Y,))


def test_stream_top():
    files = bench.testbench_files(_stream_manifest(), (X,), (Y,))
    assert files == {**bench.testbench_files(_manifest(), (X,), (Y,)), "tiny_tb.sv": files["tiny_tb.sv"]}
    tb = files["tiny_tb.sv"]
    assert "start_valid" not in tb and "done_valid" not in tb  # the inner circuit's, not the top's
    assert ".x_tdata(x_tdata)" in tb and ".y_tlast(y_tlast)" in tb and ".w_ld0_addr(w_ld0_addr)" in tb
    assert "assign x_tvalid = !reset && x_tdata_count < 4;" in tb and "assign x_tlast = x_tdata_count == 3;" in tb
    assert "assign y_tready = 1'b1;" in tb and "if (y_tlast !== (y_tdata_count == 3)) begin" in tb
    assert "if (!finished && (y_tdata_count + int'(y_tdata_fire)) == 4) begin" in tb
    assert '$display("PASS tiny cycles=%0d", done_cycles);' in tb
