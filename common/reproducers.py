"""Reproducers: a failing stage's input saved where the user finds it, with a command that reruns it.

A reproducer is a folder holding the stage's input (`input.mlir`) and what the
flow needs to rebuild exactly that stage (`stage.json`: segment, stage name,
model metadata, options). `python -m torch_circt.reproduce FOLDER` reruns it.

Folders live in one documented place, newest kept, older ones pruned:
`$TORCH_CIRCT_REPRO_DIR`, else `$TEST_UNDECLARED_OUTPUTS_DIR/reproducers` under
`bazel test`, else `${XDG_CACHE_HOME:-~/.cache}/torch-circt/reproducers`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from common.atomic import atomic_write_text
from common.cache import user_cache_dir

REPRO_ENV = "TORCH_CIRCT_REPRO_DIR"
MAX_KEPT = 20
RUNNER = "torch_circt.reproduce"
SOURCE_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class ReproducerContext:
    """Enough to rebuild one stage of one flow segment outside the process that failed."""

    model: str
    group: str
    metadata_json: str | None = None
    options_json: str = "{}"


@dataclass(frozen=True)
class SavedReproducer:
    folder: Path
    input: Path
    command: str


def reproducer_root() -> Path:
    if os.environ.get(REPRO_ENV):
        return Path(os.environ[REPRO_ENV])
    if os.environ.get("TEST_UNDECLARED_OUTPUTS_DIR"):
        return Path(os.environ["TEST_UNDECLARED_OUTPUTS_DIR"]) / "reproducers"
    return user_cache_dir() / "reproducers"


def python_command(module: str, *args: str) -> str:
    """A shell command running `python -m module args` on this interpreter with this source tree."""
    words = [f"PYTHONPATH={shlex.quote(str(SOURCE_ROOT))}", shlex.quote(sys.executable), "-m", module]
    return " ".join([*words, *(shlex.quote(a) for a in args)])


def save_reproducer(context: ReproducerContext, stage: str, index: int, text: str) -> SavedReproducer:
    """Write the folder (a same-input failure reuses its folder) and prune the oldest beyond MAX_KEPT."""
    root = reproducer_root()
    digest = hashlib.sha256(f"{context.group}/{stage}/{context.options_json}/{text}".encode()).hexdigest()[:10]
    folder = root / f"{context.model}-{index:02d}_{stage}-{digest}"
    atomic_write_text(folder / "input.mlir", text)
    record = {"group": context.group, "stage": stage, "model": context.model,
              "metadata": json.loads(context.metadata_json) if context.metadata_json else None,
              "options": json.loads(context.options_json)}
    atomic_write_text(folder / "stage.json", json.dumps(record, indent=2, sort_keys=True) + "\n")
    os.utime(folder)
    _prune(root, keep=folder)
    return SavedReproducer(folder, folder / "input.mlir", python_command(RUNNER, str(folder)))


def _prune(root: Path, keep: Path) -> None:
    folders = sorted((p for p in root.iterdir() if p.is_dir() and p != keep), key=lambda p: p.stat().st_mtime)
    for old in folders[: max(0, len(folders) - (MAX_KEPT - 1))]:
        shutil.rmtree(old, ignore_errors=True)
