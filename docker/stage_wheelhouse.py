#!/usr/bin/env python3
"""Stage exactly the lock's wheel files, sha256-checked, into docker/wheelhouse/.

The dev image is built offline from this folder: docker/Dockerfile copies it to
/opt/torch-circt/wheelhouse and points pip at it (find-links, no index), so the
`toolchain_env` repository rule inside the container finds every pinned wheel
locally. Run on the host, before `docker build` (the devcontainer's
initializeCommand and tools/devcontainer_check.sh do it for you):

    python3 docker/stage_wheelhouse.py

It reuses third_party/build_env.py's download and verify steps, so pip fetches
through the host's own configuration (PyPI, plus the find-links that holds
torch's +cpu wheel; see docs/toolchains.md, "How pinning works"), and every file is checked
against third_party/toolchains.lock.json. Files already staged are re-hashed,
not re-downloaded; files the lock no longer names are removed. Standard library
only; needs a python3 with pip, or python3-venv to make a throwaway one.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "third_party"))
from build_env import EnvError, download, verify  # noqa: E402
from lockfile import load_lock  # noqa: E402


def python_with_pip(scratch: Path) -> Path:
    """sys.executable when it has pip, else a throwaway venv (ensurepip) under scratch."""
    if subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True).returncode == 0:
        return Path(sys.executable)
    venv.EnvBuilder(with_pip=True, symlinks=True).create(scratch / "venv")
    return scratch / "venv" / "bin" / "python3"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lock", type=Path, default=ROOT / "third_party" / "toolchains.lock.json")
    parser.add_argument("--dest", type=Path, default=ROOT / "docker" / "wheelhouse")
    args = parser.parse_args(argv)
    lock = load_lock(args.lock)
    args.dest.mkdir(parents=True, exist_ok=True)
    wanted = {w.file for w in lock.packages}
    for stale in args.dest.iterdir():
        if stale.name not in wanted:
            stale.unlink()
    try:
        with tempfile.TemporaryDirectory() as scratch:
            download(python_with_pip(Path(scratch)), lock.packages, args.dest, [])
        verify(lock.packages, args.dest)
    except EnvError as error:
        print(error, file=sys.stderr)
        return 1
    size = sum(p.stat().st_size for p in args.dest.iterdir())
    print(f"stage_wheelhouse: {len(wanted)} wheels, {size / 2**20:.0f} MiB, all match the lock: {args.dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
