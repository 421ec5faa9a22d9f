"""The cycle limit's flag: automatic unless given, and a given one is checked."""

from __future__ import annotations

import argparse

import pytest

from torch_circt.options import Options, SimOptions, add_arguments, from_arguments


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
