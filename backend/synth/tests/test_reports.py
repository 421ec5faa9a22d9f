"""The readers of Yosys's and nextpnr's reports, on files the tools wrote (tests/data).

The data are from one run on the bundled MLP example (`tools/examples/int_mlp.py`):
`yosys ... synth_ecp5; stat -json` and `nextpnr-ecp5 --85k --out-of-context --freq 100
--report`. The expected numbers are the ones the tools printed in their logs of that run
("TRELLIS_COMB: 14284/ 83640", "Max frequency for clock 'clock': 46.68 MHz",
Yosys's "11808 LUT4"), not values taken from the readers. `too_many_multipliers.nextpnr.log`
is nextpnr's log of `tests/models.py:many_products` on an LFE5U-25F ("MULT18X18D: 30/ 28").
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.synth import cell_counts, does_not_fit, nextpnr, parse_report, timing_failure
from common.errors import UserError

DATA = Path(__file__).parent / "data"


def _json(name: str) -> dict:
    return json.loads((DATA / name).read_text())


def test_yosys_cell_counts_of_the_top_module() -> None:
    cells = cell_counts(_json("int_mlp.yosys_stat.json"), "main")
    assert cells == {"CCU2C": 1010, "L6MUX21": 261, "LUT4": 11808, "MULT18X18D": 8, "PFUMX": 1655,
                     "TRELLIS_DPR16X4": 48, "TRELLIS_FF": 5943}


def test_yosys_statistics_without_the_module_say_which_exist() -> None:
    with pytest.raises(KeyError, match="no module 'other'.*main"):
        cell_counts(_json("int_mlp.yosys_stat.json"), "other")


def test_nextpnr_utilisation_and_fmax() -> None:
    placed = parse_report(_json("int_mlp.nextpnr_report.json"))
    assert placed.utilisation[nextpnr.LUT] == nextpnr.Used(14284, 83640)
    assert placed.utilisation[nextpnr.FF] == nextpnr.Used(5943, 83640)
    assert placed.utilisation[nextpnr.DSP] == nextpnr.Used(8, 156)
    assert placed.used(nextpnr.BRAM) == 0 and placed.utilisation[nextpnr.BRAM].available == 208
    assert list(placed.fmax_mhz) == ["clock"]
    assert placed.fmax_mhz["clock"] == pytest.approx(46.68, abs=0.005)


def test_a_design_that_does_not_fit_says_which_resource_and_what_to_do() -> None:
    error = does_not_fit((DATA / "too_many_multipliers.nextpnr.log").read_text(), "LFE5U-25F")
    assert error is not None
    text = str(error)
    assert "does not fit LFE5U-25F" in text and "MULT18X18D" in text
    assert "needs 30, the part has 28" in text
    assert "choose a larger part with --synth-device (LFE5U-45F, LFE5U-85F)" in text


def test_a_misfit_on_the_largest_part_asks_for_a_smaller_model() -> None:
    error = does_not_fit((DATA / "too_many_multipliers.nextpnr.log").read_text(), "LFE5U-85F")
    assert "largest part of its line: make the model smaller" in str(error)


def test_other_failures_are_not_taken_for_a_misfit() -> None:
    assert does_not_fit("ERROR: something else went wrong\n", "LFE5U-85F") is None


def test_a_timing_failure_names_the_clocks_and_what_to_do() -> None:
    text = str(timing_failure(46.68, 100.0, "LFE5U-85F", 6))
    assert "46.7 MHz reached, 100 MHz required" in text
    assert "--synth-clock-mhz" in text and "--synth-speed 8" in text


def test_unknown_parts_are_refused_with_the_known_ones() -> None:
    with pytest.raises(UserError, match="no part LFE5U-12F") as raised:
        nextpnr.nextpnr_step("LFE5U-12F", 6, None)
    assert "LFE5U-85F" in str(raised.value)
