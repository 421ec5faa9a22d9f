"""Where torch-circt keeps files between runs outside Bazel: `${XDG_CACHE_HOME:-~/.cache}/torch-circt`."""

from __future__ import annotations

import os
from pathlib import Path


def user_cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "torch-circt"
