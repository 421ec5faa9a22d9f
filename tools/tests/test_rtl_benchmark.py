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
