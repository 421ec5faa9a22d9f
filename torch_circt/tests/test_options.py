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


@pytest.mark.parametrize("given", [("--target-interval", "100", "--unroll-outputs", "4"),
                                   ("--unroll-outputs", "4", "--unroll-layers", "4,2"),
                                   ("--target-interval", "100", "--fold", "2")])
def test_one_way_to_set_each_factor(given: tuple[str, ...]) -> None:
    """A target interval plans the outputs side by side and the folds; given with either, one would be ignored."""
    with pytest.raises(ValueError, match="give one of"):
        _parse(*given)


def test_per_layer_outputs_side_by_side_parse_as_a_tuple() -> None:
    assert _parse("--unroll-layers", "32,5").rtl.unroll_layers == (32, 5)
