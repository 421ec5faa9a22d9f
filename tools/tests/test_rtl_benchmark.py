"""The benchmark's command line: --help says what each column means and which models there are."""

from __future__ import annotations

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
