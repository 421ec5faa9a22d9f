"""The timing diagrams' reader and renderers, on a hand-written waveform (the page's diagrams come from a real one)."""

from __future__ import annotations

from docs.waves import Trace, read_vcd, text_diagram, wavedrom

# Two cycles before the edge each: clock low dumps at #0 and #2, rising edges at #1 and #3.
VCD = """$timescale 1ps $end
$scope module TOP $end
$var wire 1 ! clock $end
$var wire 1 " a_valid $end
$var wire 8 # a $end
$scope module inner $end
$var wire 1 $ hidden $end
$upscope $end
$upscope $end
$enddefinitions $end
#0
0!
1"
b11111110 #
#1
1!
#2
0!
0"
b00000011 #
#3
1!
"""


def test_reads_the_top_scope_sampled_with_the_clock_low() -> None:
    trace = read_vcd(VCD)
    assert set(trace.signals) == {"clock", "a_valid", "a"}  # not the inner module's signal
    assert trace.signals["a_valid"] == [1, 0] and trace.signals["a"] == [254, 3] and trace.widths["a"] == 8


def test_a_payload_shows_signed_and_only_while_valid() -> None:
    trace = read_vcd(VCD)
    diagram = text_diagram(trace, cell=3).splitlines()
    assert diagram[1] == "a_valid ‾‾‾___"
    assert diagram[2] == "a       -2·"  # 254 in 8 bits, then not valid: blank
    rows = {row["name"]: row for row in wavedrom(trace, "t")["signal"]}
    assert rows["a"] == {"name": "a", "wave": "=x", "data": ["-2"]} and rows["clock"]["wave"] == "p."


def test_a_store_request_shows_address_and_data() -> None:
    trace = Trace({"clock": [0], "st": [(2 << 4) | 0xF], "st_valid": [1]}, {"clock": 1, "st": 6, "st_valid": 1}, {"st": 4})
    assert text_diagram(trace, cell=5).splitlines()[1].startswith("st       2:-1")
