"""lit configuration of the RTL backend's pass tests, one file per pass named after its stage.

    // RUN: torch-circt-opt --stage split-memory-hazards %s | filecheck %s

`torch-circt-opt` (tools/torch_circt_opt.py) runs one stage of the flow;
`filecheck` is the Python FileCheck. Both run on the interpreter that runs lit.
"""

import os
import shlex
import sys
import tempfile
from pathlib import Path

import lit.formats

ROOT = Path(__file__).resolve().parents[2]  # the checkout (or Bazel's runfiles tree), where `tools` imports from

config.name = "rtl-passes"  # noqa: F821 (lit defines `config`)
config.test_format = lit.formats.ShTest()  # noqa: F821
config.suffixes = [".mlir"]  # noqa: F821
config.test_source_root = str(Path(__file__).parent)  # noqa: F821
# lit makes an Output/ folder per test directory: outside the checkout (and Bazel's read-only runfiles).
config.test_exec_root = os.environ.get("TEST_TMPDIR") or tempfile.mkdtemp(prefix="rtl-lit-")  # noqa: F821
config.environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))  # noqa: F821
_PYTHON = shlex.quote(sys.executable)
config.substitutions.append(("torch-circt-opt", f"{_PYTHON} -m tools.torch_circt_opt"))  # noqa: F821
config.substitutions.append(("filecheck", f"{_PYTHON} -m filecheck"))  # noqa: F821
