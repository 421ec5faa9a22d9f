"""`./bazelw run //:python -- [python arguments]`: the toolchain's Python with torch_circt importable.

    ./bazelw run //:python -- script.py            # a script, relative to where you ran bazel
    ./bazelw run //:python -- -c "import torch_circt; ..."
    ./bazelw run //:python                          # an interactive prompt

It execs the pinned environment's interpreter in your working directory, with
this checkout's packages on PYTHONPATH, so a notebook or script user never
hunts for the environment's path.
"""

from __future__ import annotations

import os
import sys

from common.reproducers import SOURCE_ROOT
from tools.driver.model_file import user_dir


def main(argv: list[str]) -> None:
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(p for p in (str(SOURCE_ROOT), environment.get("PYTHONPATH")) if p)
    os.chdir(user_dir())
    os.execve(sys.executable, [sys.executable, *argv], environment)


if __name__ == "__main__":
    main(sys.argv[1:])
