"""The benchmark's command line: --help says what each column means and which models there are."""

from __future__ import annotations

import dataclasses
import re

import pytest

from tools import rtl_benchmark


def test_help_lists_the_columns_and_every_model(capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        rtl_benchmark.main(["--help"])
    out = capsys.readouterr().out
    assert exited.value.code == 0
    for column in ("model", "ok", "ideal", "cycles", "ratio", "speedup", "registers", "muxes", "verilator s", "Mcycles/s"):
        assert re.search(rf"^  {re.escape(column)}  +\w", out, re.M), column  # the column, then what it means
    assert "cycles / ideal" in out and "old cycles / new cycles" in out
    cases = rtl_benchmark.rtl_cases()
    assert "matmul_i32" in cases and all(name in out for name in cases)


def test_an_unknown_model_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        rtl_benchmark.main(["--models", "matmul_i32,nope"])
    assert exited.value.code == 2 and "no RTL case nope" in capsys.readouterr().err


def _row(model: str, cycles: int, luts: int, fmax: float) -> rtl_benchmark.Row:
    synthesis = rtl_benchmark.SynthRow(luts, luts // 2, 0, 0, fmax, cycles / fmax, True,
                                       {"yosys": 1.0, "nextpnr": 2.0, "netlist-build": 3.0})
    return rtl_benchmark.Row(model, True, cycles, 10, 10, 0.1, {"narrow-widths": 0.01}, 1.0, 0.5, 100, 50, synthesis)


def test_with_synthesis_both_circuits_are_tabled_and_the_run_closes_with_the_medians() -> None:
    pairs = [(_row("a", 100, 1000, 50.0), _row("a", 100, 600, 100.0)),
             (_row("b", 300, 3000, 40.0), _row("b", 200, 2000, 80.0)),
             (_row("c", 50, 500, 100.0), _row("c", 50, 400, 125.0))]
    out = rtl_benchmark.render(pairs)
    assert re.search(r"^b +MATCH/MATCH +3000->2000 +1500->1000 .* 40\.0->80\.0 +300->200 +7\.50->2\.50 ", out, re.M)
    # medians by hand: Fmax old 50, 40, 100 -> 50; new 100, 80, 125 -> 100; LUT4 1000 -> 600;
    # latency (cycles / MHz) old 2.0, 7.5, 0.5 -> 2.0; new 1.0, 2.5, 0.4 -> 1.0
    assert out.splitlines()[-1] == "median Fmax: 50.0 -> 100.0 MHz, median LUT4: 1000 -> 600, median latency: 2.000 -> 1.000 us"


def test_the_wide_baseline_is_the_given_options_without_narrowing() -> None:
    from torch_circt.options import RtlOptions

    given = RtlOptions(buffer_size=3)
    assert rtl_benchmark.baseline_rtl("wide", given) == RtlOptions(buffer_size=3, narrow_widths=False)
    assert rtl_benchmark.baseline_rtl("unpipelined", given) == RtlOptions.unpipelined()


def test_the_unfolded_baseline_drops_every_form_of_folds_and_outputs_side_by_side() -> None:
    from torch_circt.options import RtlOptions

    for given in (RtlOptions(fold_layers=(4, 2), unroll_layers=(8, 2)), RtlOptions(fold=4, unroll_outputs=8),
                  RtlOptions(target_interval=100, buffer_size=3)):
        assert rtl_benchmark.baseline_rtl("unfolded", given) == RtlOptions(buffer_size=given.buffer_size)


def test_with_a_stream_the_intervals_are_tabled_with_inferences_per_second_and_their_median() -> None:
    def streamed(model: str, cycles: int, fmax: float, interval: float) -> rtl_benchmark.Row:
        row = _row(model, cycles, 1000, fmax)
        return dataclasses.replace(row, stream=rtl_benchmark.StreamRow(True, interval, cycles - 4))

    pairs = [(streamed("a", 100, 50.0, 100.0), streamed("a", 60, 50.0, 20.0)),
             (streamed("b", 300, 40.0, 300.0), streamed("b", 200, 40.0, 200.0))]
    out = rtl_benchmark.render(pairs)
    # inferences/s = Fmax / interval: 50e6 / 100 = 500,000 -> 50e6 / 20 = 2,500,000
    assert re.search(r"^a +yes/yes +100->20 +96->56 +500,000->2,500,000$", out, re.M), out
    assert "median interval: 200 -> 110 cycles" in out  # (100, 300) -> 200; (20, 200) -> 110
