"""A self-checking SystemVerilog testbench for a generated design (docs/interface.md, "Testbench")."""

from backend.testbench.generate import TestbenchError, testbench_files, write_testbench

__all__ = ["TestbenchError", "testbench_files", "write_testbench"]
