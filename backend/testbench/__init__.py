"""A self-checking SystemVerilog testbench for a generated design (docs/interface.md, "Testbench")."""

from backend.testbench.generate import TestbenchError, parameter_files, testbench_files, write_testbench

__all__ = ["TestbenchError", "parameter_files", "testbench_files", "write_testbench"]
