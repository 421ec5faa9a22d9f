"""Stage dumps: each backend numbers its own; the output directory gets one sequence.

`run_stages` writes `NN_<stage>.mlir` per call, and the frontend, the RTL
backend and the CPU backend each start their own numbering. The job dumps
each into its own scratch folder and `publish_ir` renumbers them in the order
they ran: `00_fx_import.mlir` … `02_linalg_on_tensors.mlir`, then the RTL
stages, then the CPU stages prefixed `cpu-` (their names overlap the RTL ones).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from common.atomic import atomic_write_text

_DUMP = re.compile(r"^(\d+)_(.+)\.mlir$")
# Always kept, with or without --dump-ir: the input every backend starts from.
ALWAYS_KEPT = ("linalg_on_tensors",)
# Not MLIR: the SystemVerilog text, already written as <model>.sv.
NEVER_KEPT = ("export-verilog",)


def stage_files(folder: Path) -> list[tuple[str, Path]]:
    """(stage name, file) in the order the stages ran; reproducer inputs are skipped."""
    found = []
    for path in Path(folder).glob("*.mlir") if Path(folder).is_dir() else ():
        match = _DUMP.match(path.name)
        if match and not path.name.endswith(".input.mlir"):
            found.append((int(match.group(1)), match.group(2), path))
    return [(name, path) for _, name, path in sorted(found)]


def stage_text(folder: Path, stage: str, *, offset: int = 0) -> str | None:
    """The dump of `stage` (offset -1: of the stage before it, i.e. `stage`'s input)."""
    files = stage_files(folder)
    for index, (name, _) in enumerate(files):
        if name == stage and 0 <= index + offset < len(files):
            return files[index + offset][1].read_text()
    return None


def publish_ir(groups: list[tuple[str, Path]], out: Path, *, everything: bool) -> list[str]:
    """Copy dumps of each (prefix, folder) into `out` with one numbering; return the file names."""
    written: list[str] = []
    number = 0
    for prefix, folder in groups:
        for name, path in stage_files(folder):
            keep = everything or name in ALWAYS_KEPT
            if keep and name not in NEVER_KEPT:
                target = out / f"{number:02d}_{prefix}{name}.mlir"
                shutil.copyfile(path, target)
                written.append(target.name)
            number += 1
    return written


def save_reproducers(folders: list[Path], prefix: str, messages: list[str]) -> list[str]:
    """Copy reproducer inputs out of a staging dir about to vanish (to a new temp dir, only if
    there are any); return `messages` with their paths pointing at the copies."""
    found = [p for f in folders if Path(f).is_dir() for p in Path(f).glob("*.input.mlir")]
    if not found:
        return messages
    keep = Path(tempfile.mkdtemp(prefix=prefix))
    for path in found:
        atomic_write_text(keep / path.name, path.read_text())
        messages = [m.replace(str(path), str(keep / path.name)) for m in messages]
    return messages
