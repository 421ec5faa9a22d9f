"""A design that does not fit its part, or misses its required clock, fails with an error that says what to do.

Runs Yosys and nextpnr (about a minute each here): tagged "synth", run on request (docs/synthesis.md, "Tests").
"""

from __future__ import annotations

import pytest

import torch_circt
from backend.synth.tests.models import many_products
from common.errors import UserError
from torch_circt.options import Options, SynthOptions


def _compile(synth: SynthOptions):
    module, inputs = many_products()
    design = torch_circt.compile(module, inputs, target="rtl", options=Options(synth=synth), name="many_products")
    assert design.check().matched
    return design


def test_a_design_too_big_for_the_part_names_the_resource_and_a_larger_part() -> None:
    design = _compile(SynthOptions(family="ecp5", device="LFE5U-25F"))
    with pytest.raises(UserError) as raised:
        design.synthesize()
    text = str(raised.value)
    assert raised.value.stage == "nextpnr" and raised.value.model == "many_products"
    assert "does not fit LFE5U-25F" in text and "MULT18X18D" in text and "--synth-device" in text


def test_a_design_that_misses_the_required_clock_says_what_it_reached() -> None:
    design = _compile(SynthOptions(family="ecp5", clock_mhz=1000.0))
    with pytest.raises(UserError, match=r"fails timing on LFE5U-85F-6: [0-9.]+ MHz reached, 1000 MHz required") as raised:
        design.synthesize()
    assert "--synth-clock-mhz" in str(raised.value)
