"""Simulation backend: Verilator + a generic C++ harness -> a Python callable."""

from backend.sim.build_extension import build_extension
from backend.sim.simulator import (
    NO_STALLS,
    SimResult,
    SimulationError,
    SimulationTimeoutError,
    Simulator,
    StallPattern,
    load_simulator,
    mean_interval,
)

__all__ = [
    "NO_STALLS",
    "SimResult",
    "SimulationError",
    "SimulationTimeoutError",
    "Simulator",
    "StallPattern",
    "build_extension",
    "load_simulator",
    "mean_interval",
]
