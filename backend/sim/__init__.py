"""Simulation backend: Verilator + a generic C++ harness -> a Python callable."""

from backend.sim.build_extension import build_extension
from backend.sim.simulator import SimResult, SimulationError, SimulationTimeoutError, Simulator, load_simulator

__all__ = [
    "SimResult",
    "SimulationError",
    "SimulationTimeoutError",
    "Simulator",
    "build_extension",
    "load_simulator",
]
