"""The option flags: the cycle limit automatic unless given and checked; synthesis off unless asked for."""

from __future__ import annotations

import argparse

import pytest

from torch_circt.options import Options, SimOptions, SynthOptions, add_arguments, from_arguments


def _parse(*argv: str) -> Options:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return from_arguments(parser.parse_args(list(argv)))


def test_the_cycle_limit_is_automatic_unless_given() -> None:
    assert _parse().sim.cycle_limit is None
    assert _parse("--cycle-limit", "1234").sim.cycle_limit == 1234


def test_a_given_cycle_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="cycle_limit"):
        Options(sim=SimOptions(cycle_limit=0))


def test_synthesis_is_off_unless_a_family_is_given() -> None:
    assert _parse().synth == SynthOptions()
    assert _parse().synth.family is None
    given = _parse("--synth", "ecp5", "--synth-device", "LFE5U-45F", "--synth-speed", "8", "--synth-clock-mhz", "40")
    assert given.synth == SynthOptions(family="ecp5", device="LFE5U-45F", speed=8, clock_mhz=40.0)


def test_an_unknown_synthesis_family_is_refused() -> None:
    with pytest.raises(ValueError, match="synthesis family must be one of ecp5"):
        Options(synth=SynthOptions(family="ice40"))
