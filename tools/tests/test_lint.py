"""Every Python file of the checkout passes `ruff check` under ruff.toml (the lock pins ruff).

The files come in as data (each package's py_sources), so an edit anywhere reruns this test.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).absolute().parents[2]  # not resolved: under Bazel, the runfiles tree


def _python_files() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py") if "external" not in p.relative_to(ROOT).parts)


def test_the_checkout_has_python_files_to_lint():
    # A wiring mistake that handed ruff nothing would otherwise pass silently.
    assert len(_python_files()) > 150


def test_ruff_finds_nothing():
    # Files named one by one: under Bazel they are symlinks, which a directory walk would skip.
    files = [str(p) for p in _python_files()]
    run = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--config", str(ROOT / "ruff.toml"),
                          "--output-format", "concise", *files], capture_output=True, text=True)
    assert run.returncode == 0, (f"ruff check found problems (fix with `./bazelw run //:python -- -m ruff check --fix .`"
                                 f" where it can):\n{run.stdout}{run.stderr}")


def test_ruff_reports_a_planted_problem(tmp_path):
    # The configuration must select real rules: an unused import in a scratch file is found.
    planted = tmp_path / "planted.py"
    planted.write_text("import os\n")
    link = tmp_path / "linked.py"  # as Bazel hands the checkout's files in
    link.symlink_to(planted)
    run = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--config", str(ROOT / "ruff.toml"),
                          "--output-format", "concise", str(link)], capture_output=True, text=True)
    assert run.returncode == 1 and "F401" in run.stdout, run.stdout + run.stderr
