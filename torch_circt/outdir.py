"""The output directory appears whole or not at all.

Everything is written into a staging directory beside the target (same file
system, so renames are atomic). On success an existing target is renamed
away, the staging directory renamed in, and the old one deleted; the window in
which neither exists is two renames long. On any exception — including
KeyboardInterrupt and the SystemExit our SIGTERM handler raises — the staging
directory is removed and the target is left exactly as it was.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STAGING_PREFIX = ".torch-circt-staging-"
OLD_PREFIX = ".torch-circt-old-"


@contextmanager
def staged_dir(target: Path) -> Iterator[Path]:
    """Yield an empty directory; on normal exit it replaces `target`."""
    target = Path(target).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{target.name}-", dir=target.parent))
    try:
        yield staging
        publish(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def publish(staging: Path, target: Path) -> None:
    """Move `staging` into place as `target`, replacing (not merging with) what was there."""
    old: Path | None = None
    if target.exists() or target.is_symlink():
        old = Path(tempfile.mkdtemp(prefix=f"{OLD_PREFIX}{target.name}-", dir=target.parent)) / "old"
        target.rename(old)
    try:
        staging.rename(target)
    except BaseException:
        if old is not None:
            old.rename(target)  # put the previous output back
            shutil.rmtree(old.parent, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old.parent, ignore_errors=True)


def leftovers(parent: Path) -> list[Path]:
    """Staging or old directories left in `parent` (only after a hard kill); tests assert none."""
    return sorted(p for p in Path(parent).glob(".torch-circt-*") if p.is_dir())
