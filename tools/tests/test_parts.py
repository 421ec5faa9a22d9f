"""Unit tests of the driver's parts that need no toolchain run: output dir, analyses, model specs."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.rtl import Channel, LoadPort, Memory, PortManifest
from tools.driver.model_file import split_spec
from torch_circt.compiler import identifier
from torch_circt.hw_estimate import estimate
from torch_circt.loops import loop_work
from torch_circt.outdir import leftovers, staged_dir


def test_staged_dir_publishes_whole(tmp_path: Path) -> None:
    target = tmp_path / "out" / "model"
    with staged_dir(target) as staging:
        (staging / "a.txt").write_text("a")
        assert not target.exists()  # nothing visible until the job is done
    assert (target / "a.txt").read_text() == "a"
    assert leftovers(target.parent) == []


@pytest.mark.parametrize("error", [RuntimeError("stage failed"), KeyboardInterrupt()])
def test_staged_dir_leaves_nothing_on_failure(tmp_path: Path, error: BaseException) -> None:
    target = tmp_path / "model"
    with pytest.raises(type(error)):
        with staged_dir(target) as staging:
            (staging / "half.mlir").write_text("half")
            raise error
    assert not target.exists()
    assert leftovers(tmp_path) == []


def test_staged_dir_replaces_and_keeps_old_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "model"
    target.mkdir()
    (target / "old.txt").write_text("old")
    with pytest.raises(RuntimeError):
        with staged_dir(target):
            raise RuntimeError
    assert (target / "old.txt").exists()  # a failed run does not touch the previous output
    with staged_dir(target) as staging:
        (staging / "new.txt").write_text("new")
    assert sorted(p.name for p in target.iterdir()) == ["new.txt"]  # replaced, not merged
    assert leftovers(tmp_path) == []


def test_model_specs() -> None:
    assert split_spec("dir/m.py:make") == ("dir/m.py", "make")
    assert split_spec("C:/x/m.py") == ("C:/x/m.py", None)
    assert split_spec("prog.pt2") == ("prog.pt2", None)
    assert identifier("2-layer mlp") == "m_2_layer_mlp"


MEMREF_LOOPS = """
func.func @main(%a: memref<2x8xi32>, %b: memref<8x4xi32>, %c: memref<2x4xi32>) {
  linalg.matmul ins(%a, %b : memref<2x8xi32>, memref<8x4xi32>) outs(%c : memref<2x4xi32>)
  linalg.copy ins(%c : memref<2x4xi32>) outs(%c : memref<2x4xi32>)
  return
}
"""


def test_loop_work_counts_innermost_iterations() -> None:
    work = loop_work(MEMREF_LOOPS)
    assert work.innermost_iterations == 2 * 8 * 4 + 2 * 4
    assert work.loop_nests == 2
    assert work.loads == 3 * 64 + 8 and work.stores == 64 + 8


HW = """
module {
  hw.module @leaf(in %a : i32, in %b : i32, in %clock : !seq.clock, in %reset : i1, out o : i32) {
    %0 = comb.add %a, %b : i32
    %1 = comb.mul %a, %0 : i32
    %false = hw.constant false
    %r = seq.compreg sym @r %1, %clock reset %reset, %c0 : i32
    %m = seq.hlmem @m %clock, %reset : <8xi16>
    hw.output %r : i32
  }
  hw.module @rom(in %clock : !seq.clock) {
    %mem = sv.reg : !hw.inout<uarray<4xi8>>
    hw.output
  }
  hw.module @main(in %a : i32, in %clock : !seq.clock, in %reset : i1, out o : i32) {
    hw.instance "w_rom" @rom(clock: %clock: !seq.clock) -> ()
    %x.o = hw.instance "x" @leaf(a: %a: i32, b: %a: i32, clock: %clock: !seq.clock, reset: %reset: i1) -> (o: i32)
    %y.o = hw.instance "y" @leaf(a: %x.o: i32, b: %a: i32, clock: %clock: !seq.clock, reset: %reset: i1) -> (o: i32)
    %c = comb.icmp slt %x.o, %y.o : i32
    hw.output %y.o : i32
  }
}
"""


def _manifest() -> PortManifest:
    """An argument with a load port (outside the circuit) and a parameter held inside (a ROM, no ports)."""
    channel = Channel(None, "v", "r")
    load = LoadPort("arg0_ld0", Channel("arg0_ld0_addr", "av", "ar", 4), Channel("arg0_ld0_data", "dv", "dr", 32))
    memory = Memory("arg0", "arg", 0, "int32", 32, True, (2, 8), 16, loads=(load,))
    weights = Memory("w", "param", 0, "int8", 8, True, (4,), 4, init=(1, 2, 3, 4), rom="main_w_rom")
    return PortManifest("main", "clock", "reset", True, channel, channel, (memory, weights))


def test_hw_estimate_flattens_instances() -> None:
    result = estimate(HW, _manifest())
    assert result.units["adders"].count == 2 and result.units["adders"].bits == 64
    assert result.units["multipliers"].count == 2
    assert result.units["registers"].bits == 64
    assert result.units["comparators"].count == 1
    assert result.internal_memory_bits == 2 * 8 * 16 + 4 * 8  # two seq.hlmem and the ROM
    assert result.external_memory_bits == 16 * 32  # the argument; the parameter is inside
    assert result.instances == 3


def test_hw_estimate_reads_widths_before_locations() -> None:
    """Stages print each op's location after its type: `comb.add %a, %b : i32 loc(#loc3)` is still 32 bits wide."""
    located = "\n".join(f"{line} loc(#loc3)" if " = " in line else line for line in HW.splitlines())
    assert estimate(located, _manifest()) == estimate(HW, _manifest())
